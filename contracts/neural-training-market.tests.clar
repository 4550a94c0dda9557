;; neural-training-market.tests.clar
;; Rendezvous sidecar for contracts/neural-training-market.clar (run it with `npm run fuzz`).
;;
;; Rendezvous appends this file to the contract (after its own `context` map and
;; `update-context` function) and deploys the result in place of the contract, so
;; everything here reads the contract's maps, vars, constants and private functions
;; directly. The simnet of `npm test` deploys only what Clarinet.toml lists: this
;; file is never deployed there and never counted in coverage or costs.
;; Votes, committees and job results are read through the contract's get-vote,
;; get-committee and get-job-result (a seat's vote and a job's unclaimed pool live
;; in its committee record; these give them in the shapes this file checks).
;;
;; Three kinds of functions:
;; - `invariant-*` (read-only, bool; 18 of them): checked by `rv ... invariant`
;;   after random sequences of calls to every public function (the contract's own,
;;   with random arguments, and the `drive-*` functions below): solvency (the
;;   balance is the five buckets exactly, no surplus), dataset stakes, stakes
;;   within deposits, escrow, queues and slots, jobs paid once (a slash backed by
;;   a committee majority), committees (seat weights), bounded ends (every open
;;   bid ends by a fixed block), committee eligibility (seats registered before
;;   the match), the committee seed (no committee of a market larger than the
;;   committee before the burn block after the decline window), matches counted
;;   (a declined job is no match), the validator set (ordinals), the parameters
;;   (every version in the hard bounds, copies, parameter-changed-in, the
;;   documented defaults), governance (tallies, vote locks through executable-at,
;;   no vote above the voter's power when the proposal was made), the pause log,
;;   verified jobs (a delivery record iff the bid is verified, a compute fee at
;;   most the amount and, for a bid placed from here, the one the audit's price
;;   notice gives it, 32-byte digests, a model only after the match and by the
;;   deadline, an evaluation set only after the model and by eval-reveal-window
;;   after the deadline, the one sealed with the bid; the escrow counts what
;;   deliveries paid out; missed deliveries counted by the datasets; results by
;;   the verified payout rules, 101 a bidder default), the price raises and the
;;   bidder histories.
;;   The audit's rules (fix12) have one copy each here: fz-fee-price (the
;;   6-block notice of a raise), fz-due-by (a miss only after max(deadline,
;;   matched-at + decline-window)), fz-eval-closes (the evaluation set due
;;   eval-reveal-window after the deadline), fz-non-delivery-slash (capped at the
;;   compute fee), fz-scored-slash (a verified slash at least the compute fee, as
;;   far as the stake goes, at most the amount) and FZ_DIGEST_LENGTH.
;; - `test-*` (public; 32 of them, one per public function of the contract):
;;   property tests run by `rv ... test` with random arguments. Each one picks a
;;   target the caller can act on (a dataset, bid or proposal id taken among the
;;   live ones), calls ONE public function of the contract (some first take a
;;   setup step the caller could take itself: placing a bid that waits, opening
;;   a slot to match a queued bid, casting the commitment a committee waits for),
;;   and checks the exact STX moved, the exact error code when the rules say it
;;   must fail, the state written, and then every invariant below.
;;   (ok true) = property held, (ok false) = discarded (nothing to test from
;;   here, or a refusal that only checks an error code), (err uNNNNN) = violated:
;;   the code names the check (1kk nn: kk = function number, nn = check; 90nn =
;;   invariant nn, see fz-violation). Where the refusal IS the property (owner-only
;;   calls by anyone else, a treasury withdrawal above the treasury, sweep-surplus
;;   with no surplus, submit-validation-result on a committee of several) a
;;   checked refusal passes too. The batch calls (30..32: commit-, reveal-
;;   validation-results, claim-validation-rewards) are checked against their
;;   single forms: every entry written as the single call writes it, the counts
;;   and totals returned, and, when one run in four plants a bad entry (a wrong
;;   salt, a duplicate, a job the caller does not sit on, no job), that entry's
;;   error with nothing kept (a planted failure passes: all or nothing is the
;;   property). bench/fuzz.ts deals the properties in balanced rounds, so each
;;   runs floor(runs / 32) times or once more.
;; - `drive-*` (public): the same targeted calls without the checks, so that the
;;   invariant campaign reaches matched jobs, committees, reveals, settlements,
;;   declines, retirements, claims and proposals, batches of commits, reveals and
;;   claims (on up to four, 25 and 25 jobs), training bids (one in five a
;;   single block of training due inside the decline window; some right after a
;;   raise of the ask, inside its notice), deliveries (mostly early) and revealed
;;   evaluation sets, which random ids and amounts would almost never hit.
;;
;; The campaign runs the contract in a configuration governance can reach (see
;; "The fuzzing configuration" below: parameter versions 2..10, installed at
;; deploy, shorter windows where the hard bounds allow them and committees of
;; 2). bench/fuzz.ts also registers six validators and three datasets before the
;; first run (its "genesis market").
;;
;; Bounds: ids are enumerated over FZ_IDS (1..1000). The sidecar stops creating
;; datasets, bids and proposals at FZ_CREATE_CAP; if raw random calls ever push an
;; id past FZ_MAX_ID the enumerating checks are skipped (the O(1) ones still run).

;; ---------------------------------------------------------------------------
;; Fixtures
;; ---------------------------------------------------------------------------

;; The simnet accounts (settings/Devnet.toml): the only possible tx-senders, hence
;; the only principals that can hold a dataset or validator stake.
(define-constant FZ_ACCOUNTS (list
  'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM
  'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5
  'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG
  'ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC
  'ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND
  'ST2REHHS5J3CERCRBEPMGH7921Q6PYKAADT7JP2VB
  'ST3AM1A56AK2C1XAFJ4115ZSV26EB49BVQ10MGCS0
  'ST3PF13W7Z0RRM42A8VZRVFQ75SV1K26RXEP8YGKJ
  'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP))
(define-constant FZ_ZEROS (list u0 u0 u0 u0 u0 u0 u0 u0 u0))

(define-constant FZ_IDS (list
  u1 u2 u3 u4 u5 u6 u7 u8 u9 u10 u11 u12 u13 u14 u15 u16 u17 u18 u19 u20 u21 u22 u23 u24 u25 u26 u27
  u28 u29 u30 u31 u32 u33 u34 u35 u36 u37 u38 u39 u40 u41 u42 u43 u44 u45 u46 u47 u48 u49 u50 u51
  u52 u53 u54 u55 u56 u57 u58 u59 u60 u61 u62 u63 u64 u65 u66 u67 u68 u69 u70 u71 u72 u73 u74 u75
  u76 u77 u78 u79 u80 u81 u82 u83 u84 u85 u86 u87 u88 u89 u90 u91 u92 u93 u94 u95 u96 u97 u98 u99
  u100 u101 u102 u103 u104 u105 u106 u107 u108 u109 u110 u111 u112 u113 u114 u115 u116 u117 u118
  u119 u120 u121 u122 u123 u124 u125 u126 u127 u128 u129 u130 u131 u132 u133 u134 u135 u136 u137
  u138 u139 u140 u141 u142 u143 u144 u145 u146 u147 u148 u149 u150 u151 u152 u153 u154 u155 u156
  u157 u158 u159 u160 u161 u162 u163 u164 u165 u166 u167 u168 u169 u170 u171 u172 u173 u174 u175
  u176 u177 u178 u179 u180 u181 u182 u183 u184 u185 u186 u187 u188 u189 u190 u191 u192 u193 u194
  u195 u196 u197 u198 u199 u200 u201 u202 u203 u204 u205 u206 u207 u208 u209 u210 u211 u212 u213
  u214 u215 u216 u217 u218 u219 u220 u221 u222 u223 u224 u225 u226 u227 u228 u229 u230 u231 u232
  u233 u234 u235 u236 u237 u238 u239 u240 u241 u242 u243 u244 u245 u246 u247 u248 u249 u250 u251
  u252 u253 u254 u255 u256 u257 u258 u259 u260 u261 u262 u263 u264 u265 u266 u267 u268 u269 u270
  u271 u272 u273 u274 u275 u276 u277 u278 u279 u280 u281 u282 u283 u284 u285 u286 u287 u288 u289
  u290 u291 u292 u293 u294 u295 u296 u297 u298 u299 u300 u301 u302 u303 u304 u305 u306 u307 u308
  u309 u310 u311 u312 u313 u314 u315 u316 u317 u318 u319 u320 u321 u322 u323 u324 u325 u326 u327
  u328 u329 u330 u331 u332 u333 u334 u335 u336 u337 u338 u339 u340 u341 u342 u343 u344 u345 u346
  u347 u348 u349 u350 u351 u352 u353 u354 u355 u356 u357 u358 u359 u360 u361 u362 u363 u364 u365
  u366 u367 u368 u369 u370 u371 u372 u373 u374 u375 u376 u377 u378 u379 u380 u381 u382 u383 u384
  u385 u386 u387 u388 u389 u390 u391 u392 u393 u394 u395 u396 u397 u398 u399 u400 u401 u402 u403
  u404 u405 u406 u407 u408 u409 u410 u411 u412 u413 u414 u415 u416 u417 u418 u419 u420 u421 u422
  u423 u424 u425 u426 u427 u428 u429 u430 u431 u432 u433 u434 u435 u436 u437 u438 u439 u440 u441
  u442 u443 u444 u445 u446 u447 u448 u449 u450 u451 u452 u453 u454 u455 u456 u457 u458 u459 u460
  u461 u462 u463 u464 u465 u466 u467 u468 u469 u470 u471 u472 u473 u474 u475 u476 u477 u478 u479
  u480 u481 u482 u483 u484 u485 u486 u487 u488 u489 u490 u491 u492 u493 u494 u495 u496 u497 u498
  u499 u500 u501 u502 u503 u504 u505 u506 u507 u508 u509 u510 u511 u512 u513 u514 u515 u516 u517
  u518 u519 u520 u521 u522 u523 u524 u525 u526 u527 u528 u529 u530 u531 u532 u533 u534 u535 u536
  u537 u538 u539 u540 u541 u542 u543 u544 u545 u546 u547 u548 u549 u550 u551 u552 u553 u554 u555
  u556 u557 u558 u559 u560 u561 u562 u563 u564 u565 u566 u567 u568 u569 u570 u571 u572 u573 u574
  u575 u576 u577 u578 u579 u580 u581 u582 u583 u584 u585 u586 u587 u588 u589 u590 u591 u592 u593
  u594 u595 u596 u597 u598 u599 u600 u601 u602 u603 u604 u605 u606 u607 u608 u609 u610 u611 u612
  u613 u614 u615 u616 u617 u618 u619 u620 u621 u622 u623 u624 u625 u626 u627 u628 u629 u630 u631
  u632 u633 u634 u635 u636 u637 u638 u639 u640 u641 u642 u643 u644 u645 u646 u647 u648 u649 u650
  u651 u652 u653 u654 u655 u656 u657 u658 u659 u660 u661 u662 u663 u664 u665 u666 u667 u668 u669
  u670 u671 u672 u673 u674 u675 u676 u677 u678 u679 u680 u681 u682 u683 u684 u685 u686 u687 u688
  u689 u690 u691 u692 u693 u694 u695 u696 u697 u698 u699 u700 u701 u702 u703 u704 u705 u706 u707
  u708 u709 u710 u711 u712 u713 u714 u715 u716 u717 u718 u719 u720 u721 u722 u723 u724 u725 u726
  u727 u728 u729 u730 u731 u732 u733 u734 u735 u736 u737 u738 u739 u740 u741 u742 u743 u744 u745
  u746 u747 u748 u749 u750 u751 u752 u753 u754 u755 u756 u757 u758 u759 u760 u761 u762 u763 u764
  u765 u766 u767 u768 u769 u770 u771 u772 u773 u774 u775 u776 u777 u778 u779 u780 u781 u782 u783
  u784 u785 u786 u787 u788 u789 u790 u791 u792 u793 u794 u795 u796 u797 u798 u799 u800 u801 u802
  u803 u804 u805 u806 u807 u808 u809 u810 u811 u812 u813 u814 u815 u816 u817 u818 u819 u820 u821
  u822 u823 u824 u825 u826 u827 u828 u829 u830 u831 u832 u833 u834 u835 u836 u837 u838 u839 u840
  u841 u842 u843 u844 u845 u846 u847 u848 u849 u850 u851 u852 u853 u854 u855 u856 u857 u858 u859
  u860 u861 u862 u863 u864 u865 u866 u867 u868 u869 u870 u871 u872 u873 u874 u875 u876 u877 u878
  u879 u880 u881 u882 u883 u884 u885 u886 u887 u888 u889 u890 u891 u892 u893 u894 u895 u896 u897
  u898 u899 u900 u901 u902 u903 u904 u905 u906 u907 u908 u909 u910 u911 u912 u913 u914 u915 u916
  u917 u918 u919 u920 u921 u922 u923 u924 u925 u926 u927 u928 u929 u930 u931 u932 u933 u934 u935
  u936 u937 u938 u939 u940 u941 u942 u943 u944 u945 u946 u947 u948 u949 u950 u951 u952 u953 u954
  u955 u956 u957 u958 u959 u960 u961 u962 u963 u964 u965 u966 u967 u968 u969 u970 u971 u972 u973
  u974 u975 u976 u977 u978 u979 u980 u981 u982 u983 u984 u985 u986 u987 u988 u989 u990 u991 u992
  u993 u994 u995 u996 u997 u998 u999 u1000))
(define-constant FZ_MAX_ID u1000)
(define-constant FZ_CREATE_CAP u300)
;; No new bid that would start at once while this many jobs are running: each
;; job needs several seated validators (each one a separate random caller) to
;; commit and reveal within its windows, so only a few at a time get validated
;; and settled. Bids that join a queue (at most 3 per dataset) are still placed.
(define-constant FZ_MAX_RUNNING u6)
;; a driver with nothing to act on fails, so Rendezvous counts it as ignored
(define-constant FZ_NO_TARGET (err u9999))

(define-constant FZ_PARAMETER_NAMES (list
  "min-dataset-stake" "min-validator-stake" "min-bid-amount" "max-computation-duration"
  "max-bid-wait" "decline-window" "eval-reveal-window" "non-delivery-slash-bps"
  "stake-lock-blocks" "validation-window" "reveal-window" "validator-unbonding-blocks"
  "committee-size" "min-reveals-bps" "reward-threshold" "slash-threshold" "slash-rate-bps"
  "validator-fee-bps" "protocol-fee-bps" "validator-penalty-bps" "consensus-tolerance"
  "voting-period" "execution-delay" "governance-quorum-bps" "proposal-threshold"))

;; The longest life a bid can have under any parameters the hard bounds allow:
;; max-computation-duration + max-bid-wait + eval-reveal-window (a verified
;; job) + validation-window + reveal-window.
(define-constant FZ_MAX_LIFETIME (+ u52560 u52560 u4320 u4320 u4320))
;; Values version 1 must hold (the contract's defaults, as documented).
(define-constant FZ_DEFAULTS { protocol-fee-bps: u100, max-bid-wait: u4320, decline-window: u6, validator-fee-bps: u500,
                               eval-reveal-window: u144, non-delivery-slash-bps: u1000 })
;; The reserved vote on a verified job ("evaluation set unavailable").
(define-constant FZ_UNAVAILABLE u101)
;; The audit's rules (fix12), written apart from the contract's constants: a
;; raised ask binds a verified bid's compute fee only this many burn blocks after
;; the raise; every artifact (job spec, evaluation commitment, model, evaluation
;; set) is named by a 32-byte digest.
(define-constant FZ_PRICE_NOTICE u6)
(define-constant FZ_DIGEST_LENGTH u32)
;; Metadata URIs: valid ones (every RFC 3986 character class among them) and
;; every kind of invalid one (wrong or bare scheme, whitespace, a character no
;; URI holds, empty); register calls pick one (or the random argument).
(define-constant FZ_URIS (list
  "ipfs://fuzz" "ar://fuzz-tx" "https://data.example/set.json" "ipfs://Qm" "ar://a" "https://x"
  "https://d.example:8443/a/b;c?q=1&r=%20#frag" "ar://[v1]@!$&'()*+,=~_-." "ipfs://%"
  "" "ipfs://" "ar://" "https://" "http://data.example/x" "ipfs:/x" "IPFS://x" "ipfs://a b"
  "https://a\tb" "ar://a\n" "ipfs://x\r" " ipfs://x"
  "ipfs://a\"b" "https://a<b>" "ar://a\\b" "ipfs://a^b" "https://a`b" "ipfs://{a}" "ar://a|b"))

;; ---------------------------------------------------------------------------
;; The fuzzing configuration (installed at deploy)
;; ---------------------------------------------------------------------------

;; A campaign mines a few burn blocks per step (bench/fuzz.ts caps it at 4 per
;; invariant run, 2 per property-test run), a couple of thousand blocks in all,
;; and each vote needs its own random caller. With the defaults (a 1008-block
;; vote, 144-block validation and reveal windows, 144 blocks of unbonding, 4320
;; of stake lock, committees of 5 needing 3 reveals) hardly a proposal would
;; execute, no job reach finalize-validation or be settled, no exit be
;; withdrawn. So, at deploy, this file makes the changes below as passed
;; proposals would: one version per change (2..10), each written as
;; execute-proposal writes one (checked by the contract's own
;; check-parameter-change, so every installed version is inside the hard
;; bounds, recorded in parameter-history and parameter-changed-in), then the
;; market record's version and copies. The campaign so runs a configuration
;; governance can reach, with every rule the contract's own: shorter windows
;; where the bounds allow them, and committees of 2 of which one reveal
;; finalizes (so that a single validator can settle a job, and a lone low score
;; meets the majority rule). Governance keeps the shortest windows its bounds
;; allow: a 144-block vote and the default 144-block execution delay (a voter's
;; stakes stay locked until executable-at, 289 blocks after the proposal). The
;; decline window is 24 blocks (default 6), so that a provider that is a random
;; caller gets to decline some jobs; in a market larger than a committee the
;; seed (hence every draw and vote) waits for the burn block after it, so the
;; validation window is 48, one decline window longer than it would otherwise
;; be, to leave every job about the same time to commit. A verified job's bidder
;; has 60 blocks (default 144) after the delivery to reveal its evaluation set:
;; each reveal needs its bidder as the random caller.
;; Version 1, the defaults, stays in the history and is checked.
(define-constant FZ_CONFIGURATION (list
  { name: "decline-window", value: u24 }
  { name: "eval-reveal-window", value: u60 }
  { name: "stake-lock-blocks", value: u36 }
  { name: "validation-window", value: u48 }
  { name: "reveal-window", value: u48 }
  { name: "validator-unbonding-blocks", value: u12 }
  { name: "voting-period", value: u144 }
  { name: "committee-size", value: u2 }
  { name: "min-reveals-bps", value: u5000 }))
(define-private (fz-install (change { name: (string-ascii 32), value: uint }) (version uint))
  (let (
      (params (parameters-at version))
      (next (+ version u1))
    )
    (unwrap-panic (check-parameter-change (get name change) (get value change) params))
    (map-set parameter-history next (merge (with-parameter params (get name change) (get value change)) { version: next }))
    (map-set parameter-changed-in (get name change) next)
    next)
)
(define-constant FZ_CONFIGURED_VERSION (+ u1 (len FZ_CONFIGURATION)))
(asserts! (is-eq (fold fz-install FZ_CONFIGURATION u1) FZ_CONFIGURED_VERSION) (err u9100))
(let ((p (parameters-at FZ_CONFIGURED_VERSION)))
  (var-set market (merge (var-get market) {
    parameter-version: FZ_CONFIGURED_VERSION,
    min-dataset-stake: (get min-dataset-stake p),
    min-validator-stake: (get min-validator-stake p),
    min-bid-amount: (get min-bid-amount p),
    max-computation-duration: (get max-computation-duration p),
    max-bid-wait: (get max-bid-wait p),
    committee-size: (get committee-size p),
    validation-window: (get validation-window p),
    reveal-window: (get reveal-window p),
  })))

;; Ghost state, written only by this file's functions.
;; Everything deposited into each dataset through register/add-stake calls made
;; from here (a dataset registered by a raw random call has no entry).
(define-map fz-deposits uint uint)
;; The score and salt behind each commitment made from here, for the reveal.
(define-map fz-secrets { bid-id: uint, validator: principal } { score: uint, salt: (buff 32) })
;; The sealed evaluation set (digest and salt) behind each training bid placed
;; from here, for its bidder's reveal.
(define-map fz-evals uint { digest: (buff 32), salt: (buff 32) })
;; The compute fee the rules gave each training bid placed from here, worked out
;; before the call (fz-fee-price times the duration): the bid must hold it.
(define-map fz-fees uint uint)
;; Each account's voting power (dataset plus validator stake) when a proposal
;; was made from here: no vote on it may weigh more (flash-stake defence).
(define-map fz-power-at-proposal { proposal-id: uint, who: principal } uint)

;; ---------------------------------------------------------------------------
;; Small helpers
;; ---------------------------------------------------------------------------

(define-private (fz-min (a uint) (b uint)) (if (< a b) a b))
(define-private (fz-max (a uint) (b uint)) (if (> a b) a b))

;; ids 1..n (n capped at FZ_MAX_ID)
(define-private (fz-ids-upto (n uint))
  (default-to FZ_IDS (slice? FZ_IDS u0 (fz-min n FZ_MAX_ID)))
)

(define-private (fz-pick (candidates (list 1000 uint)) (seed uint))
  (if (is-eq (len candidates) u0) none (element-at? candidates (mod seed (len candidates))))
)

(define-private (fz-add-at (counts (list 9 uint)) (i uint) (amount uint))
  (default-to counts (replace-at? counts i (+ (default-to u0 (element-at? counts i)) amount)))
)

(define-private (fz-total (t { dataset-stakes: uint, validator-stakes: uint, escrowed-bids: uint, unclaimed-rewards: uint, treasury: uint,
                                surplus: uint }))
  (+ (get dataset-stakes t) (get validator-stakes t) (get escrowed-bids t) (get unclaimed-rewards t) (get treasury t))
)

(define-private (fz-snapshot (who principal))
  { contract: (stx-get-balance current-contract), who: (stx-get-balance who), totals: (get-market-totals) }
)

;; How many successful raw calls Rendezvous made to a contract function
;; (invariant campaign only; always 0 in the property campaign).
(define-private (fz-raw-calls (name (string-ascii 100)))
  (default-to u0 (get called (map-get? context name)))
)

(define-private (fz-provider-stake (who principal))
  (match (map-get? provider-stakes who) held (get stake held) u0)
)
(define-private (fz-vstake (who principal))
  (match (map-get? validators who) v (get stake v) u0)
)
;; Voting power now, written apart from the contract's voting-power.
(define-private (fz-power (who principal))
  (+ (fz-provider-stake who) (fz-vstake who))
)
;; The weight the rules give a vote on a proposal, written apart from the
;; contract's voting-power-on: dataset stake in full on a proposal made after
;; the provider's last run of increases began (run-proposal: the last proposal
;; id at its increases), else at most the floor of the run (or of the runs
;; before it, prior-*) that the proposal predates; validator stake only if it
;; registered before the proposal was made (registered-after-proposal < id).
(define-private (fz-dataset-weight-on (who principal) (proposal-id uint))
  (match (map-get? provider-stakes who)
    held (let ((stake (get stake held)))
      (if (> proposal-id (get run-proposal held))
        stake
        (if (> proposal-id (get prior-proposal held))
          (fz-min stake (get run-floor held))
          (fz-min stake (get prior-floor held)))))
    u0)
)
(define-private (fz-power-on (who principal) (proposal-id uint))
  (+ (fz-dataset-weight-on who proposal-id)
     (match (map-get? validators who)
       v (if (> proposal-id (get registered-after-proposal v)) (get stake v) u0)
       u0))
)
;; The floor a proposal's dataset weight is held to (none when the whole stake
;; counts on it).
(define-private (fz-floor-on (who principal) (proposal-id uint))
  (match (map-get? provider-stakes who)
    held (if (> proposal-id (get run-proposal held))
           none
           (some (if (> proposal-id (get prior-proposal held)) (get run-floor held) (get prior-floor held))))
    none)
)

(define-private (fz-version) (get version (get-parameters)))

;; A parameter's value in a given version (u0 for an unknown name or version).
(define-private (fz-param (version uint) (name (string-ascii 32)))
  (match (map-get? parameter-history version)
    p (if (is-eq name "min-dataset-stake") (get min-dataset-stake p)
      (if (is-eq name "min-validator-stake") (get min-validator-stake p)
      (if (is-eq name "min-bid-amount") (get min-bid-amount p)
      (if (is-eq name "max-computation-duration") (get max-computation-duration p)
      (if (is-eq name "max-bid-wait") (get max-bid-wait p)
      (if (is-eq name "decline-window") (get decline-window p)
      (if (is-eq name "eval-reveal-window") (get eval-reveal-window p)
      (if (is-eq name "non-delivery-slash-bps") (get non-delivery-slash-bps p)
      (if (is-eq name "stake-lock-blocks") (get stake-lock-blocks p)
      (if (is-eq name "validation-window") (get validation-window p)
      (if (is-eq name "reveal-window") (get reveal-window p)
      (if (is-eq name "validator-unbonding-blocks") (get validator-unbonding-blocks p)
      (if (is-eq name "committee-size") (get committee-size p)
      (if (is-eq name "min-reveals-bps") (get min-reveals-bps p)
      (if (is-eq name "reward-threshold") (get reward-threshold p)
      (if (is-eq name "slash-threshold") (get slash-threshold p)
      (if (is-eq name "slash-rate-bps") (get slash-rate-bps p)
      (if (is-eq name "validator-fee-bps") (get validator-fee-bps p)
      (if (is-eq name "protocol-fee-bps") (get protocol-fee-bps p)
      (if (is-eq name "validator-penalty-bps") (get validator-penalty-bps p)
      (if (is-eq name "consensus-tolerance") (get consensus-tolerance p)
      (if (is-eq name "voting-period") (get voting-period p)
      (if (is-eq name "execution-delay") (get execution-delay p)
      (if (is-eq name "governance-quorum-bps") (get governance-quorum-bps p)
      (if (is-eq name "proposal-threshold") (get proposal-threshold p)
        u0)))))))))))))))))))))))))
    u0)
)

;; Reveals a committee of `seats` needs (ceil(seats * bps / 10000)), written
;; independently of the contract's min-reveals.
(define-private (fz-min-reveals (seats uint) (bps uint))
  (/ (+ (* seats bps) u9999) u10000)
)

;; A verified job's artifacts (none for a plain bid), and how far it got.
(define-private (fz-delivery (bid-id uint))
  (match (map-get? bids bid-id) bid (if (get verified bid) (map-get? job-deliveries bid-id) none) none)
)
(define-private (fz-delivered (bid-id uint))
  (match (fz-delivery bid-id) d (is-some (get model d)) false)
)
(define-private (fz-eval-revealed (bid-id uint))
  (match (fz-delivery bid-id) d (is-some (get eval-digest d)) false)
)
(define-private (fz-verified (bid-id uint))
  (match (map-get? bids bid-id) bid (get verified bid) false)
)
;; The price a verified bid placed now pays per block, by the audit's rule,
;; written apart from the contract's fee-price: the ask, but during the notice
;; after a raise (until raised-at + FZ_PRICE_NOTICE) no more than the price
;; recorded before it.
(define-private (fz-fee-price (dataset-id uint) (price uint))
  (match (map-get? price-raises dataset-id)
    r (if (<= burn-block-height (+ (get raised-at r) FZ_PRICE_NOTICE)) (fz-min price (get previous-price r)) price)
    price)
)
;; The last block an undelivered verified job is no missed delivery yet: its
;; provider may deliver until the deadline and decline until matched-at +
;; decline-window, so the miss waits for the later of the two.
(define-private (fz-due-by (bid-id uint))
  (match (map-get? bids bid-id)
    bid (fz-max (get deadline bid) (+ (get matched-at bid) (fz-param (get parameter-version bid) "decline-window")))
    u0)
)
;; The last block a verified job's bidder may reveal its evaluation set:
;; eval-reveal-window after the DEADLINE, however early the model came.
(define-private (fz-eval-closes (bid-id uint))
  (match (map-get? bids bid-id)
    bid (+ (get deadline bid) (fz-param (get parameter-version bid) "eval-reveal-window"))
    u0)
)
;; A missed delivery's slash: non-delivery-slash-bps of the stake, capped at
;; the compute fee (what the provider stood to earn; a free job's miss costs
;; nothing), the bidder's amount playing no part.
(define-private (fz-non-delivery-slash (stake uint) (compute-fee uint) (bps uint))
  (fz-min (/ (* stake bps) BPS) compute-fee)
)
;; A scored job's slash: slash-rate-bps of the stake; on a verified job at least
;; the compute fee its delivery earned, as far as the stake goes, and never more
;; than the bid's amount.
(define-private (fz-scored-slash (stake uint) (amount uint) (compute-fee uint) (verified bool) (bps uint))
  (let ((of-stake (/ (* stake bps) BPS)))
    (if verified (fz-min (fz-min (fz-max of-stake compute-fee) stake) amount) of-stake))
)
;; Votes may be taken: a plain job, or a verified job whose evaluation set is revealed.
(define-private (fz-votes-open (bid-id uint))
  (or (not (fz-verified bid-id)) (fz-eval-revealed bid-id))
)
;; Block after which a matched bid's commit phase is over, and its reveal phase:
;; a plain job's commit phase ends validation-window blocks after its deadline;
;; a verified job's, validation-window blocks after its evaluation set is
;; revealed (before that: the latest it can end, fz-eval-closes plus
;; validation-window).
(define-private (fz-commit-closes (bid-id uint))
  (match (map-get? bids bid-id)
    bid (let ((vw (fz-param (get parameter-version bid) "validation-window")))
      (match (fz-delivery bid-id)
        d (+ (if (is-some (get eval-digest d)) (get eval-revealed-at d) (fz-eval-closes bid-id)) vw)
        (+ (get deadline bid) vw)))
    u0)
)
(define-private (fz-reveal-closes (bid-id uint))
  (match (map-get? bids bid-id)
    bid (+ (fz-commit-closes bid-id) (fz-param (get parameter-version bid) "reveal-window"))
    u0)
)
;; How a matched job is due to end now: u0 not yet; u1 a missed delivery (a
;; verified job undelivered past fz-due-by: its deadline and its decline
;; window); u2 a bidder default (delivered, its evaluation set unrevealed past
;; fz-eval-closes: eval-reveal-window after the deadline); u3 past its reveal
;; window.
(define-private (fz-stage (bid-id uint))
  (match (map-get? bids bid-id)
    bid (match (fz-delivery bid-id)
      d (if (is-none (get model d))
          (if (> burn-block-height (fz-due-by bid-id)) u1 u0)
          (if (is-none (get eval-digest d))
            (if (> burn-block-height (fz-eval-closes bid-id)) u2 u0)
            (if (> burn-block-height (fz-reveal-closes bid-id)) u3 u0)))
      (if (> burn-block-height (fz-reveal-closes bid-id)) u3 u0))
    u0)
)
;; What a bid holds in escrow while open (and what it refunded when it expired
;; or was cancelled): its amount, less what its delivery paid out (the compute
;; fee but the validators' share, kept for the committee).
(define-private (fz-held (bid-id uint))
  (match (map-get? bids bid-id)
    bid (if (fz-delivered bid-id)
          (- (get amount bid) (- (get compute-fee bid)
                                 (/ (* (get compute-fee bid) (fz-param (get parameter-version bid) "validator-fee-bps")) BPS)))
          (get amount bid))
    u0)
)
;; A vote agrees with a final score: within the tolerance; the reserved vote
;; 101 is no number and agrees only with itself.
(define-private (fz-coherent-score (score uint) (final uint) (tolerance uint))
  (if (or (is-eq score FZ_UNAVAILABLE) (is-eq final FZ_UNAVAILABLE))
    (is-eq score final)
    (<= (if (> score final) (- score final) (- final score)) tolerance))
)
;; A job matched in a market larger than its committee draws it from a seed:
;; the VRF seed of the Stacks block after the match and the hash of the burn
;; block after the decline window, matched-at + decline-window + 1.
(define-private (fz-drawn-at-random (bid-id uint))
  (match (map-get? bids bid-id)
    bid (> (get validators-at-match bid) (fz-param (get parameter-version bid) "committee-size"))
    false)
)
(define-private (fz-seed-height (bid-id uint))
  (match (map-get? bids bid-id)
    bid (+ (get matched-at bid) (fz-param (get parameter-version bid) "decline-window") u1)
    u0)
)
;; the seed's burn block is not there yet: no draw, hence no vote, is possible
(define-private (fz-seed-pending (bid-id uint))
  (and (fz-drawn-at-random bid-id) (< burn-block-height (fz-seed-height bid-id)))
)
;; the seed may still be missing (its burn block, or the Stacks block after the match)
(define-private (fz-seed-may-be-missing (bid-id uint))
  (and (fz-drawn-at-random bid-id)
       (or (< burn-block-height (fz-seed-height bid-id))
           (match (map-get? bids bid-id) bid (<= stacks-block-height (+ (get matched-block bid) u1)) true)))
)

;; Sums of the refunds of expired bids (all, and `who`'s): what queue processing
;; refunded during a call is the difference of two snapshots. An expired bid
;; refunded what it held (fz-held: its amount, less a delivered verified job's
;; paid-out compute fee).
(define-private (fz-expired-step (id uint) (acc { who: principal, expired: uint, expired-who: uint }))
  (match (map-get? bids id)
    bid (if (is-eq (get status bid) STATUS_EXPIRED)
      (let ((held (fz-held id)))
        (merge acc {
          expired: (+ (get expired acc) held),
          expired-who: (+ (get expired-who acc) (if (is-eq (get bidder bid) (get who acc)) held u0)),
        }))
      acc)
    acc)
)
(define-private (fz-expired (who principal))
  (fold fz-expired-step (fz-ids-upto (get last-bid-id (var-get market))) { who: who, expired: u0, expired-who: u0 })
)

(define-private (fz-in-seats (bid-id uint) (who principal))
  (match (get-committee bid-id) c (is-some (index-of? (get seats c) who)) false)
)

;; ---------------------------------------------------------------------------
;; Target pickers (filters read tx-sender: the caller Rendezvous chose)
;; ---------------------------------------------------------------------------

(define-private (fz-my-dataset (id uint))
  (match (map-get? datasets id) d (is-eq (get provider d) tx-sender) false)
)
(define-private (fz-biddable-dataset (id uint))
  (match (map-get? datasets id) d (and (get active d) (not (is-eq (get provider d) tx-sender))) false)
)
(define-private (fz-my-bid (id uint))
  (match (map-get? bids id) bid (is-eq (get bidder bid) tx-sender) false)
)
(define-private (fz-open-bid (id uint))
  (match (map-get? bids id) bid (or (is-eq (get status bid) STATUS_QUEUED) (is-eq (get status bid) STATUS_MATCHED)) false)
)
(define-private (fz-matched-bid (id uint))
  (match (map-get? bids id) bid (is-eq (get status bid) STATUS_MATCHED) false)
)
(define-private (fz-undrawn-bid (id uint))
  (and (fz-matched-bid id) (is-none (get-committee id)))
)
;; a running job the caller could vote on now: in its commit phase (a verified
;; job's opens when its evaluation set is revealed), its committee seats the
;; caller, or is not drawn yet and the caller could be drawn (an active
;; validator of the match); and the caller has not voted
(define-private (fz-votable-bid (id uint))
  (and (fz-matched-bid id)
       (fz-votes-open id)
       (<= burn-block-height (fz-commit-closes id))
       (or (fz-in-seats id tx-sender)
           (and (is-none (get-committee id))
                (match (map-get? bids id)
                  bid (match (map-get? validators tx-sender)
                        v (and (get active v) (< (get index v) (get validators-at-match bid))
                               (<= (get ordinal v) (get registrations-at-match bid)))
                        false)
                  false)))
       (is-none (get-vote id tx-sender)))
)
(define-private (fz-revealable-bid (id uint))
  (and (fz-matched-bid id)
       (match (get-vote id tx-sender) v (not (get revealed v)) false)
       (is-some (map-get? fz-secrets { bid-id: id, validator: tx-sender })))
)
(define-private (fz-claimable-bid (id uint))
  (match (map-get? bids id)
    bid (and (is-eq (get status bid) STATUS_SETTLED) (is-some (get-vote id tx-sender)))
    false)
)

(define-private (fz-running)
  (len (filter fz-matched-bid (fz-ids-upto (get last-bid-id (var-get market)))))
)
;; Room for one more bid on a dataset: one that will wait in a short queue, or
;; one that starts at once while fewer than FZ_MAX_RUNNING jobs run.
(define-private (fz-room-for-bid (dataset-id uint))
  (and (< (get last-bid-id (var-get market)) FZ_CREATE_CAP)
       (match (map-get? datasets dataset-id)
         d (if (and (is-eq (get queue-head d) u0) (< (get active-jobs d) (get max-concurrent-jobs d)))
             (< (fz-running) FZ_MAX_RUNNING)
             (< (get queued-jobs d) u3))
         false))
)

(define-private (fz-pick-dataset (seed uint))
  (if (is-eq (get last-dataset-id (var-get market)) u0) none (some (+ u1 (mod seed (get last-dataset-id (var-get market))))))
)
(define-private (fz-pick-my-dataset (seed uint))
  (fz-pick (filter fz-my-dataset (fz-ids-upto (get last-dataset-id (var-get market)))) seed)
)
(define-private (fz-last-bid-dataset)
  (match (map-get? bids (get last-bid-id (var-get market))) bid (some (get dataset-id bid)) none)
)
;; Half the time the dataset of the last bid, so that queues form (cancel,
;; FIFO matching and queued expiry need them); else any open dataset of another.
(define-private (fz-pick-biddable-dataset (seed uint))
  (match (fz-last-bid-dataset)
    last (if (and (is-eq (mod seed u2) u0) (fz-biddable-dataset last))
           (some last)
           (fz-pick (filter fz-biddable-dataset (fz-ids-upto (get last-dataset-id (var-get market)))) (/ seed u2)))
    (fz-pick (filter fz-biddable-dataset (fz-ids-upto (get last-dataset-id (var-get market)))) seed))
)
(define-private (fz-my-queued-bid (id uint))
  (and (fz-my-bid id) (match (map-get? bids id) bid (is-eq (get status bid) STATUS_QUEUED) false))
)
;; Two times in three one of the caller's queued bids (if any), else any of its bids.
(define-private (fz-pick-my-bid (seed uint))
  (let ((queued (filter fz-my-queued-bid (fz-ids-upto (get last-bid-id (var-get market))))))
    (if (and (> (len queued) u0) (> (mod seed u3) u0))
      (fz-pick queued (/ seed u3))
      (fz-pick (filter fz-my-bid (fz-ids-upto (get last-bid-id (var-get market)))) seed)))
)
(define-private (fz-pick-open-bid (seed uint))
  (fz-pick (filter fz-open-bid (fz-ids-upto (get last-bid-id (var-get market)))) seed)
)
(define-private (fz-pick-matched-bid (seed uint))
  (fz-pick (filter fz-matched-bid (fz-ids-upto (get last-bid-id (var-get market)))) seed)
)
(define-private (fz-pick-undrawn-bid (seed uint))
  (fz-pick (filter fz-undrawn-bid (fz-ids-upto (get last-bid-id (var-get market)))) seed)
)
;; a job the caller can vote on where it already holds a seat, if any; else
;; one whose committee the vote would draw (for a property test, perhaps one
;; whose seed does not exist yet: the vote must then wait, ERR_SEED_NOT_READY)
(define-private (fz-seated-votable-bid (id uint))
  (and (fz-votable-bid id) (fz-in-seats id tx-sender))
)
(define-private (fz-pick-votable-bid (seed uint))
  (let ((votable (filter fz-votable-bid (fz-ids-upto (get last-bid-id (var-get market))))))
    (match (fz-pick (filter fz-seated-votable-bid votable) seed)
      seated (some seated)
      (fz-pick votable seed)))
)
;; ... for a driver: never one whose committee waits for its seed
(define-private (fz-ready-votable-bid (id uint))
  (and (fz-votable-bid id) (or (is-some (get-committee id)) (not (fz-seed-pending id))))
)
(define-private (fz-pick-ready-votable-bid (seed uint))
  (let ((votable (filter fz-ready-votable-bid (fz-ids-upto (get last-bid-id (var-get market))))))
    (match (fz-pick (filter fz-seated-votable-bid votable) seed)
      seated (some seated)
      (fz-pick votable seed)))
)
(define-private (fz-pick-revealable-bid (seed uint))
  (fz-pick (filter fz-revealable-bid (fz-ids-upto (get last-bid-id (var-get market)))) seed)
)
(define-private (fz-pick-claimable-bid (seed uint))
  (fz-pick (filter fz-claimable-bid (fz-ids-upto (get last-bid-id (var-get market)))) seed)
)
(define-private (fz-pick-proposal (seed uint))
  (if (is-eq (get last-proposal-id (var-get market)) u0) none (some (+ u1 (mod seed (get last-proposal-id (var-get market))))))
)
;; a proposal still taking votes, or one that would pass now: in its execution
;; window, not executed, with quorum and more yes than no
(define-private (fz-open-proposal (id uint))
  (match (map-get? proposals id) p (<= burn-block-height (get voting-ends-at p)) false)
)
(define-private (fz-executable-proposal (id uint))
  (let ((totals (get-market-totals)))
    (match (map-get? proposals id)
      p (and (not (get executed p)) (>= burn-block-height (get executable-at p)) (< burn-block-height (get expires-at p))
             (> (get yes-votes p) (get no-votes p))
             (>= (* (+ (get yes-votes p) (get no-votes p)) BPS)
                 (* (fz-min (get total-stake p) (+ (get dataset-stakes totals) (get validator-stakes totals))) (get quorum-bps p))))
      false))
)
;; Three times in four a proposal the call can act on, if any (to vote: the
;; earliest still open, so that votes gather on one proposal; to execute: any
;; that would pass), else any proposal.
(define-private (fz-pick-proposal-where (seed uint) (open bool))
  (let ((ids (fz-ids-upto (get last-proposal-id (var-get market)))))
    (match (if (> (mod seed u4) u0)
             (if open (element-at? (filter fz-open-proposal ids) u0) (fz-pick (filter fz-executable-proposal ids) (/ seed u4)))
             none)
      id (some id)
      (fz-pick-proposal seed)))
)
(define-private (fz-my-active-dataset (id uint))
  (match (map-get? datasets id) d (and (is-eq (get provider d) tx-sender) (get active d)) false)
)
(define-private (fz-pick-my-active-dataset (seed uint))
  (fz-pick (filter fz-my-active-dataset (fz-ids-upto (get last-dataset-id (var-get market)))) seed)
)
;; a running job on one of the caller's datasets (declinable or not)
(define-private (fz-my-job (id uint))
  (match (map-get? bids id)
    bid (and (is-eq (get status bid) STATUS_MATCHED)
             (match (map-get? datasets (get dataset-id bid)) d (is-eq (get provider d) tx-sender) false))
    false)
)
;; ... that the rules let the caller decline now (not delivered: a delivered
;; model is a job taken on)
(define-private (fz-declinable (id uint))
  (and (fz-my-job id)
       (not (fz-delivered id))
       (match (map-get? bids id)
         bid (and (<= burn-block-height (+ (get matched-at bid) (fz-param (get parameter-version bid) "decline-window")))
                  (match (get-committee id) c (is-eq (get commits c) u0) true))
         false))
)
;; the caller's open dataset with a queue whose head it can match now (at a
;; free slot it opens by raising its capacity)
(define-private (fz-my-queued-dataset (id uint))
  (match (map-get? datasets id)
    d (and (is-eq (get provider d) tx-sender) (get active d) (> (get queued-jobs d) u0)
           (< (get active-jobs d) MAX_CONCURRENT_JOBS)
           (>= (get stake d) (get min-dataset-stake (var-get market)))
           (not (get paused (var-get market))))
    false)
)

;; ---------------------------------------------------------------------------
;; Argument shaping (shared by test-* and drive-*): valid by construction
;; ---------------------------------------------------------------------------

(define-private (fz-dataset-stake (seed uint))
  (+ (get min-dataset-stake (get-parameters)) (mod seed u5000000))
)
(define-private (fz-validator-stake (seed uint))
  (+ (get min-validator-stake (get-parameters)) (mod seed u3000000))
)
;; A bid the dataset's ask and the market minimum accept, with a reachable
;; deadline; short jobs so that validation windows come round often.
(define-private (fz-bid-terms (dataset-id uint) (amount-seed uint) (duration-seed uint) (slack-seed uint))
  (let (
      (params (get-parameters))
      (price (match (map-get? datasets dataset-id) d (get price-per-block d) u0))
      (duration (+ u1 (mod duration-seed (fz-min u12 (get max-computation-duration params)))))
    )
    {
      amount: (+ (fz-max (* price duration) (get min-bid-amount params)) (mod amount-seed u1000000)),
      duration: duration,
      ;; within max-bid-wait of the training's end, as the rules require
      deadline: (+ burn-block-height duration (mod slack-seed (fz-min u20 (+ (get max-bid-wait params) u1)))),
    }
  )
)
;; An ask for set-dataset-terms: up to 3,000 a block mostly; one time in five a
;; price whose fee for 4+ blocks outweighs half the dataset's stake (a garbage
;; delivery the slash takes back); one time in 23 over the cap.
(define-private (fz-terms-price
    (d { provider: principal, stake: uint, metadata-uri: (string-ascii 256), price-per-block: uint, max-concurrent-jobs: uint,
         active-jobs: uint, queued-jobs: uint, queue-head: uint, queue-tail: uint, matched-jobs: uint, validations: uint,
         passed-validations: uint, score-sum: uint, non-deliveries: uint, last-settled-at: uint, registered-at: uint, active: bool })
    (seed uint)
  )
  (if (is-eq (mod seed u23) u0) (+ MAX_PRICE_PER_BLOCK u1)
    (if (is-eq (mod seed u5) u0) (+ u1 (/ (get stake d) u8)) (mod seed u3000)))
)
;; A metadata URI: one of FZ_URIS (valid and invalid kinds).
(define-private (fz-uri (seed uint))
  (unwrap-panic (element-at? FZ_URIS (mod seed (len FZ_URIS))))
)
;; The URI rule, written apart from the contract: a known scheme with something
;; after it, and every character one RFC 3986 allows: a visible ASCII character
;; (0x21..0x7e, so no space, tab, newline or other control character) other
;; than the nine it excludes: " < > \ ^ ` { | }.
(define-private (fz-has-scheme (uri (string-ascii 256)) (scheme (string-ascii 8)))
  (and (> (len uri) (len scheme))
       (is-eq (slice? uri u0 (len scheme)) (some scheme)))
)
(define-private (fz-uri-char-ok (c (string-ascii 1)) (all-ok bool))
  ;; the character's code: the byte after the type and length prefix of its serialization
  (let ((code (buff-to-uint-be (unwrap-panic (element-at? (unwrap-panic (to-consensus-buff? c)) u5)))))
    (and all-ok (>= code u33) (<= code u126)
         (is-none (index-of? (list u34 u60 u62 u92 u94 u96 u123 u124 u125) code))))
)
(define-private (fz-uri-ok (uri (string-ascii 256)))
  (and (or (fz-has-scheme uri "ipfs://") (fz-has-scheme uri "ar://") (fz-has-scheme uri "https://"))
       (fold fz-uri-char-ok uri true))
)
;; The error the URI rules give (u0 = accepted).
(define-private (fz-uri-error (uri (string-ascii 256)))
  (if (is-eq (len uri) u0) u202 (if (fz-uri-ok uri) u0 u210))
)
;; A validator's score: any of 0..100 one time in four, else a passing one
;; (40..100), so that most jobs settle and some meet the slash rules.
(define-private (fz-score (seed uint))
  (if (is-eq (mod seed u4) u0) (mod (/ seed u4) u101) (+ u40 (mod (/ seed u4) u61)))
)
;; A vote on a job: on a verified job, one time in six the reserved 101
;; ("evaluation set unavailable"), so that some medians are 101.
(define-private (fz-job-score (bid-id uint) (seed uint))
  (if (and (fz-verified bid-id) (is-eq (mod seed u6) u5)) FZ_UNAVAILABLE (fz-score seed))
)
(define-private (fz-salt (seed uint))
  (sha256 (unwrap-panic (to-consensus-buff? seed)))
)
;; Where most proposed values of a parameter lie: values that keep the market
;; alive on the fuzzing clock (affordable stakes, short windows, a proposal
;; threshold some accounts reach). One proposal in four takes any value in bounds.
(define-private (fz-live-max (name (string-ascii 32)))
  (if (or (is-eq name "min-dataset-stake") (is-eq name "min-validator-stake") (is-eq name "min-bid-amount")
          (is-eq name "proposal-threshold")) u3000000
  (if (or (is-eq name "max-computation-duration") (is-eq name "max-bid-wait")) u40
  (if (is-eq name "decline-window") u24
  (if (is-eq name "eval-reveal-window") u60
  (if (is-eq name "validator-unbonding-blocks") u12
  (if (is-eq name "validation-window") u48
  (if (is-eq name "reveal-window") u30
  (if (is-eq name "stake-lock-blocks") u48
  ;; governance windows: their hard minimum, a day each
  (if (or (is-eq name "voting-period") (is-eq name "execution-delay")) u144
  (if (is-eq name "committee-size") u5
    u1000000000000000))))))))))
)
;; The windows rule, written apart from the contract: a decline window shorter
;; than the validation window, so that a larger market's seed (the burn block
;; after the decline window) exists before the commit phase of the shortest
;; job closes.
(define-private (fz-windows-cross (name (string-ascii 32)) (value uint) (version uint))
  (or (and (is-eq name "decline-window") (>= value (fz-param version "validation-window")))
      (and (is-eq name "validation-window") (<= value (fz-param version "decline-window"))))
)
(define-private (fz-proposal-value (name (string-ascii 32)) (seed uint))
  (match (map-get? parameter-bounds name)
    b (let (
        (live (> (mod seed u4) u0))
        (params (get-parameters))
        ;; live values keep the windows rule (any value may cross it)
        (lo (if (and live (is-eq name "validation-window"))
              (fz-max (get min-value b) (+ (get decline-window params) u1))
              (get min-value b)))
        (hi (if live
              (fz-max lo (fz-min (get max-value b)
                                 (if (is-eq name "decline-window")
                                   (fz-min (fz-live-max name) (- (fz-max (get validation-window params) u1) u1))
                                   (fz-live-max name))))
              (get max-value b)))
      )
      (+ lo (mod (/ seed u4) (+ (- hi lo) u1))))
    seed)
)
;; One proposal in four is about committee-size (small committees and large
;; markets, one-seat committees among them, are reached that way), else any.
(define-private (fz-parameter-name (seed uint))
  (if (is-eq (mod seed u4) u0) "committee-size"
    (unwrap-panic (element-at? FZ_PARAMETER_NAMES (mod (/ seed u4) (len FZ_PARAMETER_NAMES)))))
)

;; ---------------------------------------------------------------------------
;; Whole-state folds
;; ---------------------------------------------------------------------------

;; The end of a queue: a queued bid of this dataset with no neighbour outwards.
(define-private (fz-queue-end-ok (bid-id uint) (dataset-id uint) (is-head bool))
  (or (is-eq bid-id u0)
      (match (map-get? bids bid-id)
        bid (match (map-get? queue-links bid-id)
          link (and (is-eq (get status bid) STATUS_QUEUED)
                    (is-eq (get dataset-id bid) dataset-id)
                    (is-eq (if is-head (get prev link) (get next link)) u0))
          false)
        false))
)

(define-private (fz-dataset-step
    (id uint)
    (acc { ok: bool, deposits-ok: bool, raises-ok: bool, stake: uint, active-jobs: uint, queued-jobs: uint, matched-jobs: uint,
           non-deliveries: uint, per-provider: (list 9 uint) })
  )
  (match (map-get? datasets id)
    d (let (
        (stake (get stake d))
        (queued (get queued-jobs d))
        (slot (index-of? FZ_ACCOUNTS (get provider d)))
      )
      {
        ok: (and (get ok acc)
                 ;; (a retired dataset keeps its stake, queue and running jobs until
                 ;; they end: nothing to check here but the counters below)
                 ;; an empty queue has neither head nor tail, a non-empty one has both
                 (is-eq (is-eq queued u0) (is-eq (get queue-head d) u0))
                 (is-eq (is-eq queued u0) (is-eq (get queue-tail d) u0))
                 (fz-queue-end-ok (get queue-head d) id true)
                 (fz-queue-end-ok (get queue-tail d) id false)
                 (<= (get passed-validations d) (get validations d))
                 ;; a match ends at most once: scored (a validation), a missed delivery, or neither
                 (<= (+ (get validations d) (get non-deliveries d)) (get matched-jobs d))
                 (<= (get score-sum d) (* MAX_SCORE (get validations d)))
                 (is-some slot)),
        deposits-ok: (and (get deposits-ok acc)
                          (match (map-get? fz-deposits id) deposited (<= stake deposited) true)),
        ;; a dataset's last raise: made by its provider since its registration, not in
        ;; the future, from a price the terms allowed; its fee price never above the ask
        raises-ok: (and (get raises-ok acc)
                        (match (map-get? price-raises id)
                          r (and (<= (get registered-at d) (get raised-at r)) (<= (get raised-at r) burn-block-height)
                                 (<= (get previous-price r) MAX_PRICE_PER_BLOCK))
                          true)
                        (<= (fz-fee-price id (get price-per-block d)) (get price-per-block d))),
        stake: (+ (get stake acc) stake),
        active-jobs: (+ (get active-jobs acc) (get active-jobs d)),
        queued-jobs: (+ (get queued-jobs acc) queued),
        matched-jobs: (+ (get matched-jobs acc) (get matched-jobs d)),
        non-deliveries: (+ (get non-deliveries acc) (get non-deliveries d)),
        per-provider: (match slot i (fz-add-at (get per-provider acc) i stake) (get per-provider acc)),
      })
    (merge acc { ok: false }))
)

(define-private (fz-datasets)
  (fold fz-dataset-step (fz-ids-upto (get last-dataset-id (var-get market)))
    { ok: true, deposits-ok: true, raises-ok: true, stake: u0, active-jobs: u0, queued-jobs: u0, matched-jobs: u0, non-deliveries: u0,
      per-provider: FZ_ZEROS })
)

(define-private (fz-add-weight (v { score: uint, weight: uint }) (total uint))
  (+ total (get weight v))
)
;; a revealed score: 0..100, or the reserved 101 on a verified job
(define-private (fz-score-ok (v { score: uint, weight: uint }) (acc { max: uint, ok: bool }))
  (merge acc { ok: (and (get ok acc) (<= (get score v) (get max acc))) })
)
(define-private (fz-score-of (v { score: uint, weight: uint }))
  (get score v)
)
(define-private (fz-unique-seat (seat principal) (acc { seen: (list 10 principal), ok: bool }))
  {
    seen: (default-to (get seen acc) (as-max-len? (append (get seen acc) seat) u10)),
    ok: (and (get ok acc) (is-none (index-of? (get seen acc) seat))),
  }
)
;; votes cast by the seats of a committee: every commit and reveal counted, and
;; each vote weighs exactly its seat's weight (the member's stake at the draw)
(define-private (fz-count-vote
    (seat principal)
    (acc { bid-id: uint, weights: (list 10 uint), i: uint, commits: uint, reveals: uint, weights-ok: bool })
  )
  (merge
    (match (get-vote (get bid-id acc) seat)
      v (merge acc {
          commits: (+ (get commits acc) u1),
          reveals: (+ (get reveals acc) (if (get revealed v) u1 u0)),
          weights-ok: (and (get weights-ok acc) (is-eq (some (get weight v)) (element-at? (get weights acc) (get i acc)))),
        })
      acc)
    { i: (+ (get i acc) u1) })
)
;; a vote by an account that holds no seat
(define-private (fz-stray-vote (who principal) (acc { bid-id: uint, seats: (list 10 principal), ok: bool }))
  (merge acc { ok: (and (get ok acc)
                        (or (is-some (index-of? (get seats acc) who))
                            (is-none (get-vote (get bid-id acc) who)))) })
)
(define-private (fz-positive (w uint) (all-ok bool))
  (and all-ok (> w u0))
)

(define-private (fz-committee-ok
    (bid-id uint)
    (c { seats: (list 10 principal), weights: (list 10 uint), total-weight: uint, commits: uint, reveals: uint,
         revealed-weight: uint, revealed: (list 10 { score: uint, weight: uint }) })
    (provider principal)
    (bidder principal)
    (verified bool)
  )
  (let (
      (seat-count (len (get seats c)))
      (cast (fold fz-count-vote (get seats c)
              { bid-id: bid-id, weights: (get weights c), i: u0, commits: u0, reveals: u0, weights-ok: true }))
    )
    (and (> seat-count u0)
         ;; one weight per seat, each a stake (> 0), summing to the total
         (is-eq (len (get weights c)) seat-count)
         (fold fz-positive (get weights c) true)
         (is-eq (fold + (get weights c) u0) (get total-weight c))
         (<= (get revealed-weight c) (get total-weight c))
         (<= (get commits c) seat-count)
         (<= (get reveals c) (get commits c))
         (is-eq (get commits cast) (get commits c))
         (is-eq (get reveals cast) (get reveals c))
         (get weights-ok cast)
         (is-eq (len (get revealed c)) (get reveals c))
         (is-eq (fold fz-add-weight (get revealed c) u0) (get revealed-weight c))
         (get ok (fold fz-score-ok (get revealed c) { max: (if verified FZ_UNAVAILABLE MAX_SCORE), ok: true }))
         ;; a verified job takes no vote before its evaluation set is revealed
         (or (not verified) (is-eq (get commits c) u0) (fz-eval-revealed bid-id))
         ;; the parties never judge their own job
         (is-none (index-of? (get seats c) provider))
         (is-none (index-of? (get seats c) bidder))
         (get ok (fold fz-unique-seat (get seats c) { seen: (list), ok: true }))
         (get ok (fold fz-stray-vote FZ_ACCOUNTS { bid-id: bid-id, seats: (get seats c), ok: true })))
  )
)

;; Weight of the revealed votes strictly under a score.
(define-private (fz-weight-under (v { score: uint, weight: uint }) (acc { bound: uint, weight: uint }))
  (if (< (get score v) (get bound acc)) (merge acc { weight: (+ (get weight acc) (get weight v)) }) acc)
)
;; Whether a strict majority of a committee's whole weight (silent seats
;; included) revealed a score under the slash threshold.
(define-private (fz-majority-under
    (revealed (list 10 { score: uint, weight: uint }))
    (slash-threshold uint)
    (total-weight uint)
  )
  (> (* u2 (get weight (fold fz-weight-under revealed { bound: slash-threshold, weight: u0 }))) total-weight)
)

;; A job result agrees with the payout rules of the bid's parameter version. A
;; verified job's compute fee was paid at its delivery (the validators' share of
;; it, `carried`, kept in escrow for the committee): the rest of the bid follows
;; the score, a slash never exceeds the bid's amount, and a final score of 101
;; (the reserved vote, or no evaluation set revealed) is a bidder default: the
;; rest paid in full, no slash. With no vote at all (a default by timeout) the
;; validators' fees went to the treasury.
(define-private (fz-result-ok
    (r { final-score: uint, outcome: uint, provider-payment: uint, bidder-refund: uint, slashed-amount: uint,
         validator-fees: uint, protocol-fee: uint, penalties: uint, reward-pool: uint, reward-weight: uint,
         finalized-at: uint })
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (voted bool)
  )
  (match (map-get? parameter-history (get parameter-version bid))
    p (let (
        (amount (get amount bid))
        (verified (get verified bid))
        (vf (get validator-fee-bps p))
        (rest (if (<= (get compute-fee bid) amount) (- amount (get compute-fee bid)) u0))
        (carried (/ (* (get compute-fee bid) vf) BPS))
        (final (get final-score r))
        (defaulted (is-eq final FZ_UNAVAILABLE))
        (rt (get reward-threshold p))
        (st (get slash-threshold p))
        (refund (get bidder-refund r))
        (payment (if (<= refund rest) (- rest refund) u0))
        (expected-payment (if (or defaulted (>= final rt)) rest (if (> final st) (/ (* rest (- final st)) (- rt st)) u0)))
        (expected-fees (if voted
                         (+ carried (if (> payment u0) (/ (* payment vf) BPS) (fz-min (/ (* rest vf) BPS) (get slashed-amount r))))
                         u0))
      )
      (and (or (<= final MAX_SCORE) (and verified defaulted))
           (<= refund rest)
           (is-eq payment expected-payment)
           (is-eq (get outcome r) (if defaulted OUTCOME_BIDDER_DEFAULT
                                    (if (>= final rt) OUTCOME_REWARDED (if (< final st) OUTCOME_SLASHED OUTCOME_PARTIAL))))
           (is-eq (get validator-fees r) expected-fees)
           ;; the protocol fee comes out of the provider's payment only
           (is-eq (get protocol-fee r) (/ (* payment (get protocol-fee-bps p)) BPS))
           (if (> payment u0)
             (is-eq (+ (get provider-payment r) (/ (* payment vf) BPS) (get protocol-fee r)) payment)
             (is-eq (get provider-payment r) u0))
           ;; only a score under the slash threshold slashes, a default never; a verified job at most its amount
           (or (and (< final st) (not defaulted)) (is-eq (get slashed-amount r) u0))
           (or (not verified) (<= (get slashed-amount r) amount))
           ;; nobody voted: no pool, no penalty
           (or voted (and (is-eq (get reward-pool r) u0) (is-eq (get penalties r) u0) (is-eq (get reward-weight r) u0)))
           ;; the pool is the fees plus (some of) the penalties, and claims only take out of it
           (<= (get reward-pool r) (+ (get validator-fees r) (get penalties r)))))
    false)
)

;; The coherent votes of a settled job not claimed yet.
(define-private (fz-unclaimed-coherent
    (seat principal)
    (acc { bid-id: uint, final: uint, tolerance: uint, weight: uint, count: uint })
  )
  (match (get-vote (get bid-id acc) seat)
    v (if (and (get revealed v) (not (get claimed v)) (fz-coherent-score (get score v) (get final acc) (get tolerance acc)))
        (merge acc { weight: (+ (get weight acc) (get weight v)), count: (+ (get count acc) u1) })
        acc)
    acc)
)

;; What is left of a reward pool belongs to the coherent seats that have not
;; claimed: reward-weight is exactly their weight, and a non-empty pool always
;; has one of them left to claim it (no reward is ever stranded). A slash had a
;; strict majority of the committee's whole weight behind it.
(define-private (fz-pool-ok
    (bid-id uint)
    (r { final-score: uint, outcome: uint, provider-payment: uint, bidder-refund: uint, slashed-amount: uint,
         validator-fees: uint, protocol-fee: uint, penalties: uint, reward-pool: uint, reward-weight: uint,
         finalized-at: uint })
    (committee (optional { seats: (list 10 principal), weights: (list 10 uint), total-weight: uint, commits: uint,
                           reveals: uint, revealed-weight: uint, revealed: (list 10 { score: uint, weight: uint }) }))
    (version uint)
  )
  (match committee
    c (let ((left (fold fz-unclaimed-coherent (get seats c)
                    { bid-id: bid-id, final: (get final-score r), tolerance: (fz-param version "consensus-tolerance"),
                      weight: u0, count: u0 })))
        (and (is-eq (get reward-weight r) (get weight left))
             (or (is-eq (get reward-pool r) u0) (> (get count left) u0))
             (or (not (is-eq (get outcome r) OUTCOME_SLASHED))
                 (fz-majority-under (get revealed c) (fz-param version "slash-threshold") (get total-weight c)))))
    false)
)

(define-private (fz-count-seat (seat principal) (counts (list 9 uint)))
  (match (index-of? FZ_ACCOUNTS seat) i (fz-add-at counts i u1) counts)
)
(define-private (fz-count-unclaimed-coherent (seat principal) (acc { bid-id: uint, final: uint, tolerance: uint, counts: (list 9 uint) }))
  (match (get-vote (get bid-id acc) seat)
    v (if (and (get revealed v) (not (get claimed v)) (fz-coherent-score (get score v) (get final acc) (get tolerance acc)))
        (merge acc { counts: (fz-count-seat seat (get counts acc)) })
        acc)
    acc)
)

;; A seat registered before the match: its ordinal is at most the market's
;; registration count at the match.
(define-private (fz-seat-eligible (seat principal) (acc { max-ordinal: uint, ok: bool }))
  (merge acc { ok: (and (get ok acc)
                        (match (map-get? validators seat)
                          v (and (> (get ordinal v) u0) (<= (get ordinal v) (get max-ordinal acc)))
                          false)) })
)

;; A bid's life is bounded by its parameter version: training within
;; max-computation-duration, a deadline at most max-bid-wait past it, so its end
;; (deadline + validation-window + reveal-window, plus eval-reveal-window for a
;; verified job) is a fixed block, at most FZ_MAX_LIFETIME after it was placed;
;; a matched job could meet its deadline.
(define-private (fz-bounded-end-ok
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
  )
  (let (
      (v (get parameter-version bid))
      (status (get status bid))
      (duration (get duration bid))
      (deadline (get deadline bid))
      (placed (get placed-at bid))
    )
    (or (not (or (is-eq status STATUS_QUEUED) (is-eq status STATUS_MATCHED)))
        (and (> duration u0)
             (<= duration (fz-param v "max-computation-duration"))
             (<= (+ placed duration) deadline)
             (<= deadline (+ placed duration (fz-param v "max-bid-wait")))
             (<= (+ deadline (if (get verified bid) (fz-param v "eval-reveal-window") u0)
                    (fz-param v "validation-window") (fz-param v "reveal-window"))
                 (+ placed FZ_MAX_LIFETIME))
             (or (is-eq status STATUS_QUEUED)
                 (and (<= placed (get matched-at bid)) (<= (+ (get matched-at bid) duration) deadline)))))
  )
)

;; What a bid recorded at its match: nothing while queued; at the match, counts
;; no larger than the market's, and the market was not paused (the pause before
;; had ended, the next one started later).
(define-private (fz-match-record-ok
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
  )
  (let (
      (state (var-get market))
      (at (get matched-at bid))
      (k (get pauses-at-match bid))
    )
    (if (is-eq at u0)
      ;; never matched (queued, or cancelled / expired from the queue)
      (and (not (is-eq (get status bid) STATUS_MATCHED)) (not (is-eq (get status bid) STATUS_SETTLED))
           (is-eq (get validators-at-match bid) u0) (is-eq (get registrations-at-match bid) u0) (is-eq k u0))
      (and (not (is-eq (get status bid) STATUS_QUEUED))
           (<= (get validators-at-match bid) (get registrations-at-match bid))
           (<= (get registrations-at-match bid) (get validator-registrations state))
           (<= k (get pauses state))
           (or (is-eq k u0)
               (match (map-get? pause-log k) pause (and (> (get ended-at pause) u0) (<= (get ended-at pause) at)) false))
           (match (map-get? pause-log (+ k u1)) pause (>= (get started-at pause) at) true)))
  )
)

;; A bid's verified-job record: a verified bid, and only one, has a delivery
;; record; its compute fee is at most its amount (0 for a plain bid), a whole
;; number of blocks of training at one price, and, for a bid placed from here,
;; the fee the rules gave it (fz-fees: fz-fee-price, the price before a raise
;; still in its notice); every digest in it is 32 bytes; a model only once
;; matched, by the deadline; an evaluation set only after the model, by
;; eval-reveal-window after the deadline (fz-eval-closes); a settled verified
;; job was delivered, and a scored one (0..100) had its evaluation set revealed.
(define-private (fz-delivery-ok
    (id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (result (optional { final-score: uint, outcome: uint, provider-payment: uint, bidder-refund: uint, slashed-amount: uint,
                        validator-fees: uint, protocol-fee: uint, penalties: uint, reward-pool: uint, reward-weight: uint,
                        finalized-at: uint }))
  )
  (and (<= (get compute-fee bid) (get amount bid))
       (or (is-eq (get duration bid) u0) (is-eq (mod (get compute-fee bid) (get duration bid)) u0))
       (match (map-get? fz-fees id) fee (is-eq (get compute-fee bid) fee) true)
       (is-eq (get verified bid) (is-some (map-get? job-deliveries id)))
       (match (map-get? job-deliveries id)
         d (and (is-eq (len (get spec d)) FZ_DIGEST_LENGTH)
                (is-eq (len (get eval-commitment d)) FZ_DIGEST_LENGTH)
                (match (get model d)
                  model (and (is-eq (len model) FZ_DIGEST_LENGTH)
                             (> (get matched-at bid) u0) (<= (get matched-at bid) (get delivered-at d))
                             (<= (get delivered-at d) (get deadline bid))
                             (not (is-eq (get status bid) STATUS_QUEUED)))
                  (is-eq (get delivered-at d) u0))
                (match (get eval-digest d)
                  digest (and (is-some (get model d))
                              (is-eq (len digest) FZ_DIGEST_LENGTH)
                              (<= (get delivered-at d) (get eval-revealed-at d))
                              (<= (get eval-revealed-at d) (fz-eval-closes id))
                              ;; the revealed set is the one sealed with the bid (known for bids placed from here)
                              (match (map-get? fz-evals id)
                                sealed (and (is-eq digest (get digest sealed))
                                            (is-eq (compute-eval-commitment digest (get salt sealed)) (get eval-commitment d)))
                                true))
                  (is-eq (get eval-revealed-at d) u0))
                (or (not (is-eq (get status bid) STATUS_SETTLED)) (is-some (get model d)))
                (match result r (or (is-eq (get final-score r) FZ_UNAVAILABLE) (is-some (get eval-digest d))) true))
         (is-eq (get compute-fee bid) u0)))
)

(define-private (fz-bid-step
    (id uint)
    (acc { ok: bool, links-ok: bool, results-ok: bool, committees-ok: bool, ends-ok: bool, eligible-ok: bool,
           seed-ok: bool, verified-ok: bool, open: uint, queued: uint, matched: uint, matches: uint, missed: uint, pool: uint,
           seats: (list 9 uint), jobs: (list 9 uint), score-sums: (list 9 uint), defaults: (list 9 uint) })
  )
  (match (map-get? bids id)
    bid (let (
        (status (get status bid))
        (amount (get amount bid))
        (version (get parameter-version bid))
        (result (get-job-result id))
        (committee (get-committee id))
        (dataset (map-get? datasets (get dataset-id bid)))
        (provider (match dataset d (get provider d) (get bidder bid)))
        ;; a job declined by its provider: cancelled after a match
        (declined (and (is-eq status STATUS_CANCELLED) (> (get matched-at bid) u0)))
        ;; matched in a market larger than its committee: drawn from a seed
        (drawn-at-random (> (get validators-at-match bid) (fz-param version "committee-size")))
        (verified (get verified bid))
        ;; a verified job matched, expired and never delivered: a missed delivery
        (missed (and verified (is-eq status STATUS_EXPIRED) (> (get matched-at bid) u0) (not (fz-delivered id))))
        (voted (match committee c (> (get reveals c) u0) false))
        (bidder-slot (index-of? FZ_ACCOUNTS (get bidder bid)))
        (scored (match result r (and verified (not (is-eq (get final-score r) FZ_UNAVAILABLE))) false))
        (defaulted (match result r (and verified (is-eq (get final-score r) FZ_UNAVAILABLE)) false))
      )
      {
        ok: (and (get ok acc)
                 (>= status STATUS_QUEUED) (<= status STATUS_EXPIRED)
                 (is-some dataset)
                 (is-some (map-get? parameter-history version))
                 (not (is-eq (get bidder bid) provider))
                 (>= amount (fz-param version "min-bid-amount"))),
        ;; exactly the queued bids are linked into a queue
        links-ok: (and (get links-ok acc) (is-eq (is-eq status STATUS_QUEUED) (is-some (map-get? queue-links id)))),
        ;; exactly the settled bids have a result (a job is paid out once), and it obeys the rules
        results-ok: (and (get results-ok acc)
                         (is-eq (is-eq status STATUS_SETTLED) (is-some result))
                         (match result r (and (fz-result-ok r bid voted) (or (not voted) (fz-pool-ok id r committee version)))
                           true)),
        ;; a committee belongs to a job that was matched; a declined job had no vote;
        ;; a job settled without one is a verified job's default by timeout
        committees-ok: (and (get committees-ok acc)
                            (match committee
                              c (and (not (is-eq status STATUS_QUEUED))
                                     (or (not (is-eq status STATUS_CANCELLED)) (and declined (is-eq (get commits c) u0)))
                                     (fz-committee-ok id c provider (get bidder bid) verified))
                              (or (not (is-eq status STATUS_SETTLED)) defaulted))),
        ends-ok: (and (get ends-ok acc) (fz-bounded-end-ok bid)),
        ;; the committee of a running job: only validators registered before the
        ;; match, at most committee-size of the validators of the match
        eligible-ok: (and (get eligible-ok acc)
                          (fz-match-record-ok bid)
                          (or (not (is-eq status STATUS_MATCHED))
                              (match committee
                                c (and (get ok (fold fz-seat-eligible (get seats c)
                                                 { max-ordinal: (get registrations-at-match bid), ok: true }))
                                       (<= (len (get seats c))
                                           (fz-min (fz-param version "committee-size") (get validators-at-match bid))))
                                true))),
        ;; the committee of a job matched in a market larger than the committee
        ;; exists only from the burn block after its decline window (the seed's
        ;; Bitcoin block): never while the provider may still decline, so a
        ;; declined one never had a committee. (Burn blocks are mined only
        ;; between runs, so a draw made too early is still too early when the
        ;; invariant is checked.)
        seed-ok: (and (get seed-ok acc)
                      (or (not drawn-at-random) (is-none committee)
                          (and (not declined)
                               (>= burn-block-height (+ (get matched-at bid) (fz-param version "decline-window") u1))))),
        verified-ok: (and (get verified-ok acc) (fz-delivery-ok id bid result)),
        ;; an open bid holds its amount, less what a delivery paid out
        open: (+ (get open acc) (if (or (is-eq status STATUS_QUEUED) (is-eq status STATUS_MATCHED)) (fz-held id) u0)),
        missed: (+ (get missed acc) (if missed u1 u0)),
        queued: (+ (get queued acc) (if (is-eq status STATUS_QUEUED) u1 u0)),
        matched: (+ (get matched acc) (if (is-eq status STATUS_MATCHED) u1 u0)),
        ;; matches that count: every match but a declined one
        matches: (+ (get matches acc) (if (and (> (get matched-at bid) u0) (not declined)) u1 u0)),
        pool: (+ (get pool acc) (match result r (get reward-pool r) u0)),
        ;; seats held: every seat of a running job; of a scored job, the coherent
        ;; seats not claimed yet (a coherent seat's claim frees it)
        seats: (if (is-eq status STATUS_MATCHED)
                 (match committee c (fold fz-count-seat (get seats c) (get seats acc)) (get seats acc))
                 (match committee c
                   (match result r
                     (get counts (fold fz-count-unclaimed-coherent (get seats c)
                                   { bid-id: id, final: (get final-score r), tolerance: (fz-param version "consensus-tolerance"),
                                     counts: (get seats acc) }))
                     (get seats acc))
                   (get seats acc))),
        ;; each bidder's verified jobs: scored (with their final scores) and defaulted
        jobs: (match bidder-slot i (if scored (fz-add-at (get jobs acc) i u1) (get jobs acc)) (get jobs acc)),
        score-sums: (match bidder-slot i
                      (if scored (fz-add-at (get score-sums acc) i (default-to u0 (get final-score result))) (get score-sums acc))
                      (get score-sums acc)),
        defaults: (match bidder-slot i (if defaulted (fz-add-at (get defaults acc) i u1) (get defaults acc)) (get defaults acc)),
      })
    (merge acc { ok: false }))
)

(define-private (fz-bids)
  (fold fz-bid-step (fz-ids-upto (get last-bid-id (var-get market)))
    { ok: true, links-ok: true, results-ok: true, committees-ok: true, ends-ok: true, eligible-ok: true,
      seed-ok: true, verified-ok: true, open: u0, queued: u0, matched: u0, matches: u0, missed: u0, pool: u0,
      seats: FZ_ZEROS, jobs: FZ_ZEROS, score-sums: FZ_ZEROS, defaults: FZ_ZEROS })
)

;; Each account's bidder history is exactly its verified jobs settled so far:
;; those scored, with the sum of their final scores, and its defaults; the
;; view's mean score follows.
(define-private (fz-history-step
    (who principal)
    (acc { i: uint, jobs: (list 9 uint), sums: (list 9 uint), defaults: (list 9 uint), ok: bool })
  )
  (let (
      (jobs (default-to u0 (element-at? (get jobs acc) (get i acc))))
      (sum (default-to u0 (element-at? (get sums acc) (get i acc))))
      (defaults (default-to u0 (element-at? (get defaults acc) (get i acc))))
    )
    (merge acc {
      i: (+ (get i acc) u1),
      ok: (and (get ok acc)
               (match (map-get? bidder-history who)
                 h (and (is-eq h { jobs: jobs, score-sum: sum, defaults: defaults }) (> (+ jobs defaults) u0))
                 (is-eq (+ jobs defaults) u0))
               (is-eq (get mean-score (get-bidder-history who)) (if (> jobs u0) (/ sum jobs) u0))),
    }))
)
(define-private (fz-histories-ok (jobs (list 9 uint)) (sums (list 9 uint)) (defaults (list 9 uint)))
  (get ok (fold fz-history-step FZ_ACCOUNTS { i: u0, jobs: jobs, sums: sums, defaults: defaults, ok: true }))
)

(define-private (fz-enumerable)
  (and (<= (get last-dataset-id (var-get market)) FZ_MAX_ID) (<= (get last-bid-id (var-get market)) FZ_MAX_ID)
       (<= (get last-proposal-id (var-get market)) FZ_MAX_ID))
)

(define-private (fz-validator-step
    (who principal)
    (acc { ok: bool, i: uint, stake: uint, active: uint, seats: (list 9 uint), check-seats: bool,
           ordinals: (list 9 uint) })
  )
  (let (
      (seated (default-to u0 (element-at? (get seats acc) (get i acc))))
      (state (var-get market))
    )
    (match (map-get? validators who)
      v (merge acc {
          i: (+ (get i acc) u1),
          stake: (+ (get stake acc) (get stake v)),
          active: (+ (get active acc) (if (get active v) u1 u0)),
          ordinals: (default-to (get ordinals acc) (as-max-len? (append (get ordinals acc) (get ordinal v)) u9)),
          ok: (and (get ok acc)
                   ;; an active validator sits at its index of the set, with its ordinal
                   (or (not (get active v))
                       (and (< (get index v) (get active-validator-count state))
                            (is-eq (map-get? validator-at (get index v)) (some { validator: who, ordinal: (get ordinal v) }))))
                   ;; an active validator always has stake behind its vote
                   (or (not (get active v)) (> (get stake v) u0))
                   ;; registration ordinals: 1.., at most the registrations so far, never shared
                   (> (get ordinal v) u0)
                   (<= (get ordinal v) (get validator-registrations state))
                   (is-none (index-of? (get ordinals acc) (get ordinal v)))
                   (<= (get registered-after-proposal v) (get last-proposal-id state))
                   ;; open-seats counts exactly the seats it holds (see fz-bid-step)
                   (or (not (get check-seats acc)) (is-eq (get open-seats v) seated))),
        })
      (merge acc {
        i: (+ (get i acc) u1),
        ok: (and (get ok acc) (or (not (get check-seats acc)) (is-eq seated u0))),
      })))
)

(define-private (fz-validators-ok (seats (list 9 uint)) (check-seats bool))
  (let (
      (n-active (get active-validator-count (var-get market)))
      (vs (fold fz-validator-step FZ_ACCOUNTS
            { ok: true, i: u0, stake: u0, active: u0, seats: seats, check-seats: check-seats, ordinals: (list) }))
    )
    (and (get ok vs)
         (is-eq (get stake vs) (get validator-stakes (get-market-totals)))
         ;; the active set is exactly indices 0..count-1
         (is-eq (get active vs) n-active)
         (<= n-active (get validator-registrations (var-get market)))
         (is-none (map-get? validator-at n-active)))
  )
)

(define-private (fz-param-in-bounds (name (string-ascii 32)) (acc { version: uint, ok: bool }))
  (merge acc { ok: (and (get ok acc) (match (map-get? parameter-bounds name)
    b (let ((v (fz-param (get version acc) name))) (and (>= v (get min-value b)) (<= v (get max-value b))))
    false)) })
)
;; Every version ever in force (the defaults, the ones installed at deploy, the
;; executed proposals) obeys the hard bounds of get-parameter-bounds and the
;; cross rules.
(define-private (fz-version-ok (version uint) (all-ok bool))
  (and all-ok
       (match (map-get? parameter-history version)
         p (and (is-eq (get version p) version)
                (> (get reward-threshold p) (get slash-threshold p))
                (< (get decline-window p) (get validation-window p))
                (< (+ (get validator-fee-bps p) (get protocol-fee-bps p)) BPS)
                (get ok (fold fz-param-in-bounds FZ_PARAMETER_NAMES { version: version, ok: true })))
         false))
)

;; The version that last changed a parameter holds the value in force, and is
;; no later than the version in force.
(define-private (fz-changed-in-ok (name (string-ascii 32)) (all-ok bool))
  (and all-ok
       (match (map-get? parameter-changed-in name)
         changed (and (<= changed (fz-version)) (is-eq (fz-param changed name) (fz-param (fz-version) name)))
         true))
)

(define-private (fz-parameters-ok)
  (let ((p (get-parameters)) (state (var-get market)) (defaults (parameters-at u1)))
    (and (is-eq (map-get? parameter-history (get version p)) (some p))
         ;; the market record's copies are those of the version in force
         (is-eq (get parameter-version state) (get version p))
         (is-eq (get min-dataset-stake state) (get min-dataset-stake p))
         (is-eq (get min-validator-stake state) (get min-validator-stake p))
         (is-eq (get min-bid-amount state) (get min-bid-amount p))
         (is-eq (get max-computation-duration state) (get max-computation-duration p))
         (is-eq (get max-bid-wait state) (get max-bid-wait p))
         (is-eq (get committee-size state) (get committee-size p))
         (is-eq (get validation-window state) (get validation-window p))
         (is-eq (get reveal-window state) (get reveal-window p))
         (is-none (map-get? parameter-history (+ (get version p) u1)))
         (fold fz-version-ok (fz-ids-upto (get version p)) true)
         (fold fz-changed-in-ok FZ_PARAMETER_NAMES true)
         ;; version 1 is the documented defaults
         (is-eq (get protocol-fee-bps defaults) (get protocol-fee-bps FZ_DEFAULTS))
         (is-eq (get validator-fee-bps defaults) (get validator-fee-bps FZ_DEFAULTS))
         (is-eq (get max-bid-wait defaults) (get max-bid-wait FZ_DEFAULTS))
         (is-eq (get decline-window defaults) (get decline-window FZ_DEFAULTS))
         (is-eq (get eval-reveal-window defaults) (get eval-reveal-window FZ_DEFAULTS))
         (is-eq (get non-delivery-slash-bps defaults) (get non-delivery-slash-bps FZ_DEFAULTS)))
  )
)

(define-private (fz-tally-voter (who principal) (acc { id: uint, executable: uint, yes: uint, no: uint, locks-ok: bool }))
  (match (map-get? proposal-votes { proposal-id: (get id acc), voter: who })
    v (merge acc {
        yes: (+ (get yes acc) (if (get support v) (get weight v) u0)),
        no: (+ (get no acc) (if (get support v) u0 (get weight v))),
        locks-ok: (and (get locks-ok acc)
                       ;; a voter's stakes stay locked until the proposal can be
                       ;; executed (whoever swings a vote carries its outcome)
                       (>= (default-to u0 (map-get? vote-locks who)) (get executable acc))
                       (is-eq (get-vote-lock who) (default-to u0 (map-get? vote-locks who)))
                       ;; no vote weighs more than the voter's power (dataset plus
                       ;; validator stake) when the proposal was made: stake added
                       ;; since never counts on it (recorded for proposals made from here)
                       (match (map-get? fz-power-at-proposal { proposal-id: (get id acc), who: who })
                         power (<= (get weight v) power)
                         true)),
      })
    acc)
)

(define-private (fz-bound-min (name (string-ascii 32)))
  (default-to u0 (get min-value (map-get? parameter-bounds name)))
)
(define-private (fz-proposal-step (id uint) (all-ok bool))
  (and all-ok
       (match (map-get? proposals id)
         p (let ((tally (fold fz-tally-voter FZ_ACCOUNTS
                          { id: id, executable: (get executable-at p), yes: u0, no: u0, locks-ok: true })))
             (and (is-eq (get yes tally) (get yes-votes p))
                  (is-eq (get no tally) (get no-votes p))
                  (get locks-ok tally)
                  (> (get executable-at p) (get voting-ends-at p))
                  (> (get voting-ends-at p) (get created-at p))
                  ;; every window at least its hard minimum (a day to vote, a day to object)
                  (>= (get voting-ends-at p) (+ (get created-at p) (fz-bound-min "voting-period")))
                  (>= (get executable-at p) (+ (get voting-ends-at p) (fz-bound-min "execution-delay") u1))
                  (<= (get base-version p) (fz-version))
                  (is-eq (get expires-at p) (+ (get executable-at p) PROPOSAL_EXECUTION_WINDOW))))
         false))
)

(define-private (fz-governance-ok)
  (fold fz-proposal-step (fz-ids-upto (get last-proposal-id (var-get market))) true)
)

;; Pause k of the log: pauses 1..pauses exist, each started no earlier than the
;; one before ended, each ended one lasted into a later burn block (one undone
;; in the block it began is erased), and only the last may still be running
;; (ended-at 0).
(define-private (fz-pause-step (k uint) (acc { ok: bool, prev-end: uint }))
  (let ((state (var-get market)))
    (match (map-get? pause-log k)
      pause {
        ok: (and (get ok acc)
                 (>= (get started-at pause) (get prev-end acc))
                 (<= (get started-at pause) burn-block-height)
                 (if (is-eq (get ended-at pause) u0)
                   (is-eq k (get pauses state))
                   ;; only pauses that lasted into a later burn block stay in the log
                   (and (> (get ended-at pause) (get started-at pause)) (<= (get ended-at pause) burn-block-height)))),
        prev-end: (get ended-at pause),
      }
      { ok: false, prev-end: u0 }))
)
(define-private (fz-pause-log-ok)
  (let ((state (var-get market)) (n (get pauses state)))
    (and (<= n FZ_MAX_ID)
         (get ok (fold fz-pause-step (fz-ids-upto n) { ok: true, prev-end: u0 }))
         (is-none (map-get? pause-log (+ n u1)))
         ;; paused exactly while the last pause runs
         (is-eq (get paused state)
                (and (> n u0) (match (map-get? pause-log n) last (is-eq (get ended-at last) u0) false)))))
)

;; ---------------------------------------------------------------------------
;; Invariants (checked by `rv ... invariant` after random call sequences)
;; ---------------------------------------------------------------------------

;; Every micro-STX the contract holds is in exactly one bucket of
;; get-market-totals: the balance is their sum exactly, and there is no surplus
;; (no contract call ever leaves STX untracked).
(define-read-only (invariant-solvency)
  (let ((totals (get-market-totals)))
    (and (is-eq (stx-get-balance current-contract) (fz-total totals))
         (is-eq (get surplus totals) u0)))
)

;; The dataset-stakes bucket is the sum of the datasets' stakes and of the
;; providers' governance stakes; queues are well formed.
(define-read-only (invariant-dataset-stakes)
  (let (
      (bucket (get dataset-stakes (get-market-totals)))
      (provider-sums (map fz-provider-stake FZ_ACCOUNTS))
    )
    (and (is-eq (fold + provider-sums u0) bucket)
         (or (not (fz-enumerable))
             (let ((ds (fz-datasets)))
               (and (get ok ds) (is-eq (get stake ds) bucket) (is-eq (get per-provider ds) provider-sums)))))
  )
)

;; No dataset's stake exceeds what was deposited into it. Deposits are tracked
;; for datasets registered from this file; a raw random add-dataset-stake (not
;; observable here) voids the bound, so the check is skipped after one.
(define-read-only (invariant-stake-within-deposits)
  (or (not (fz-enumerable))
      (> (fz-raw-calls "add-dataset-stake") u0)
      (get deposits-ok (fz-datasets)))
)

;; The escrow bucket is exactly the sum of the open (queued or matched) bids.
(define-read-only (invariant-escrow-is-open-bids)
  (or (not (fz-enumerable))
      (let ((bs (fz-bids)))
        (and (get ok bs) (is-eq (get open bs) (get escrowed-bids (get-market-totals))))))
)

;; Queued bids are exactly the queued jobs of the datasets (and the linked ones),
;; matched bids exactly their active jobs, matches that count exactly their
;; matched-jobs.
(define-read-only (invariant-queues-and-slots)
  (or (not (fz-enumerable))
      (let ((bs (fz-bids)) (ds (fz-datasets)))
        (and (get links-ok bs)
             (is-eq (get queued bs) (get queued-jobs ds))
             (is-eq (get matched bs) (get active-jobs ds))
             (is-eq (get matches bs) (get matched-jobs ds)))))
)

;; Every finished job was paid out once: settled bids, and only they, have one
;; result obeying the payout rules; unclaimed rewards are exactly what is left
;; of the results' reward pools; claims never exceed a pool; what is left of a
;; pool is owed to exactly the coherent seats that have not claimed (its
;; reward-weight is their weight) and is never stranded; a slash had a strict
;; majority of its committee's whole weight behind it.
(define-read-only (invariant-jobs-paid-once)
  (or (not (fz-enumerable))
      (let ((bs (fz-bids)))
        (and (get results-ok bs) (is-eq (get pool bs) (get unclaimed-rewards (get-market-totals))))))
)

;; Committees: seats unique, parties never seated, one positive weight per seat
;; summing to total-weight, each vote weighing its seat's weight, counts match
;; the votes cast, revealed weight is the sum of the revealed votes; a settled
;; job had one; a declined job had no vote.
(define-read-only (invariant-committees)
  (or (not (fz-enumerable)) (get committees-ok (fz-bids)))
)

;; Every open bid has a reachable, bounded end: its deadline lies at most
;; max-bid-wait past its training (max-computation-duration at most) under its
;; parameter version, so deadline + validation-window + reveal-window, after
;; which anyone can close it, is at most FZ_MAX_LIFETIME after it was placed.
(define-read-only (invariant-bounded-ends)
  (or (not (fz-enumerable)) (get ends-ok (fz-bids)))
)

;; Every seat on an unsettled job's committee registered before the match (its
;; ordinal <= the bid's registrations-at-match), and a committee has at most
;; committee-size of the validators of the match; what a bid recorded at its
;; match is consistent (nothing while queued, no match during a pause); no
;; committee drawn before its seed (see the next invariant).
(define-read-only (invariant-committee-eligibility)
  (or (not (fz-enumerable)) (let ((bs (fz-bids))) (and (get eligible-ok bs) (get seed-ok bs))))
)

;; No committee of a job matched in a market larger than committee-size is
;; drawn before the burn block matched-at + decline-window + 1, whose hash
;; seeds it: a provider never knows its judges while it may decline the job,
;; and a declined job of such a market never had a committee.
(define-read-only (invariant-committee-seed)
  (or (not (fz-enumerable)) (get seed-ok (fz-bids)))
)

;; The datasets' match counters count every match but the declined ones: a
;; declined job leaves matched-jobs as it was before its match (it neither
;; counts as use of the data nor restarts the stake lock). Their non-delivery
;; counters count exactly the verified jobs that expired undelivered.
(define-read-only (invariant-matches-counted)
  (or (not (fz-enumerable))
      (let ((bs (fz-bids)) (ds (fz-datasets)))
        (and (is-eq (get matches bs) (get matched-jobs ds)) (is-eq (get missed bs) (get non-deliveries ds)))))
)

;; Verified jobs: a bid has a delivery record iff it is verified; its compute
;; fee is at most its amount (0 for a plain bid); a model arrives only after the
;; match and by the deadline, an evaluation set only after the model, within
;; eval-reveal-window, and it is the one sealed with the bid; a settled verified
;; job was delivered, and a scored one revealed its set; a verified job's
;; committee takes no vote before that. (Escrow, results and solvency checks
;; above count what a delivery paid out.)
(define-read-only (invariant-verified-jobs)
  (or (not (fz-enumerable)) (get verified-ok (fz-bids)))
)

;; Price raises (the audit's notice): only registered datasets have one, made
;; since the dataset's registration and not after the current block, from a
;; price within the terms' cap; the price a verified bid pays (fz-fee-price) is
;; never above the ask. (Each training bid placed from here holds exactly the
;; fee the rules gave it: see invariant-verified-jobs.)
(define-read-only (invariant-price-raises)
  (or (not (fz-enumerable))
      (and (get raises-ok (fz-datasets))
           (is-none (map-get? price-raises (+ (get last-dataset-id (var-get market)) u1)))))
)

;; Each bidder's history (get-bidder-history) is exactly its verified jobs
;; settled: jobs scored with the sum of their final scores, and defaults.
(define-read-only (invariant-bidder-history)
  (or (not (fz-enumerable))
      (let ((bs (fz-bids))) (fz-histories-ok (get jobs bs) (get score-sums bs) (get defaults bs))))
)

;; Validator stakes sum to their bucket; the active set is exactly indices
;; 0..count-1 (each entry with its validator's ordinal); ordinals are unique and
;; no larger than the registrations; open-seats counts the unsettled jobs that
;; seat each validator.
(define-read-only (invariant-validator-set)
  (let ((enumerable (fz-enumerable)))
    (fz-validators-ok (if enumerable (get seats (fz-bids)) FZ_ZEROS) enumerable))
)

;; The parameters in force are the latest stored version and obey the hard
;; bounds and cross rules; the market's copies and parameter-changed-in agree
;; with the history; version 1 holds the documented defaults.
(define-read-only (invariant-parameters)
  (fz-parameters-ok)
)

;; Proposal tallies are the sums of their recorded votes; a voter's lock is at
;; least the executable-at of every proposal it voted on; no vote weighs more
;; than its voter's power when the proposal was made; every proposal's windows
;; are at least their hard minimums.
(define-read-only (invariant-governance-tallies)
  (or (not (fz-enumerable)) (fz-governance-ok))
)

;; The pause log matches the market's pauses counter and paused flag: pauses
;; 1..pauses are logged in order, each ended one lasted into a later burn block,
;; only the last may be running, and it runs exactly while the market is paused.
(define-read-only (invariant-pause-log)
  (fz-pause-log-ok)
)

;; All of the above, as an error code for the property tests (u0 = all hold).
(define-private (fz-violation)
  (let (
      (totals (get-market-totals))
      (enumerable (fz-enumerable))
      (bs (fz-bids))
      (ds (fz-datasets))
      (provider-sums (map fz-provider-stake FZ_ACCOUNTS))
    )
    (if (not (and (is-eq (stx-get-balance current-contract) (fz-total totals)) (is-eq (get surplus totals) u0))) u9001
    (if (not (is-eq (fold + provider-sums u0) (get dataset-stakes totals))) u9002
    (if (not (fz-validators-ok (if enumerable (get seats bs) FZ_ZEROS) enumerable)) u9003
    (if (not (fz-parameters-ok)) u9004
    (if (not (fz-pause-log-ok)) u9015
    (if (not enumerable) u0
    (if (not (fz-governance-ok)) u9005
    (if (not (and (get ok ds) (is-eq (get stake ds) (get dataset-stakes totals)) (is-eq (get per-provider ds) provider-sums))) u9006
    (if (not (or (> (fz-raw-calls "add-dataset-stake") u0) (get deposits-ok ds))) u9007
    (if (not (get ok bs)) u9008
    (if (not (is-eq (get open bs) (get escrowed-bids totals))) u9009
    (if (not (and (get links-ok bs) (is-eq (get queued bs) (get queued-jobs ds)) (is-eq (get matched bs) (get active-jobs ds)))) u9010
    (if (not (and (get results-ok bs) (is-eq (get pool bs) (get unclaimed-rewards totals)))) u9011
    (if (not (get committees-ok bs)) u9012
    (if (not (get ends-ok bs)) u9013
    (if (not (get eligible-ok bs)) u9014
    (if (not (get seed-ok bs)) u9016
    (if (not (is-eq (get matches bs) (get matched-jobs ds))) u9017
    (if (not (is-eq (get missed bs) (get non-deliveries ds))) u9018
    (if (not (get verified-ok bs)) u9019
    (if (not (fz-histories-ok (get jobs bs) (get score-sums bs) (get defaults bs))) u9020
    (if (not (and (get raises-ok ds) (is-none (map-get? price-raises (+ (get last-dataset-id (var-get market)) u1))))) u9021
      u0))))))))))))))))))))))
  )
)

;; The end of every property test: the property held, now the whole state must too.
(define-private (fz-done)
  (let ((code (fz-violation)))
    (if (is-eq code u0) (ok true) (err code)))
)

;; The stake-weighted lower median, by its definition: a revealed score m with
;; 2 * W(<= m) >= W and 2 * W(< m) < W (no smaller revealed score qualifies).
(define-private (fz-weight-around (v { score: uint, weight: uint }) (acc { m: uint, le: uint, lt: uint }))
  (merge acc {
    le: (+ (get le acc) (if (<= (get score v) (get m acc)) (get weight v) u0)),
    lt: (+ (get lt acc) (if (< (get score v) (get m acc)) (get weight v) u0)),
  })
)
(define-private (fz-lower-median (revealed (list 10 { score: uint, weight: uint })) (total uint) (m uint))
  (let ((w (fold fz-weight-around revealed { m: m, le: u0, lt: u0 })))
    (and (> total u0)
         (is-some (index-of? (map fz-score-of revealed) m))
         (>= (* u2 (get le w)) total)
         (< (* u2 (get lt w)) total)))
)
;; The lower median itself (102, above every vote, when nothing was revealed):
;; the smallest revealed score with at least half the weight at or below it.
(define-private (fz-median-step
    (v { score: uint, weight: uint })
    (acc { revealed: (list 10 { score: uint, weight: uint }), total: uint, best: uint })
  )
  (let ((w (fold fz-weight-around (get revealed acc) { m: (get score v), le: u0, lt: u0 })))
    (if (and (< (get score v) (get best acc)) (>= (* u2 (get le w)) (get total acc)))
      (merge acc { best: (get score v) })
      acc))
)
(define-private (fz-median (revealed (list 10 { score: uint, weight: uint })) (total uint))
  (get best (fold fz-median-step revealed { revealed: revealed, total: total, best: (+ FZ_UNAVAILABLE u1) }))
)
(define-private (fz-dist (a uint) (b uint))
  (if (> a b) (- a b) (- b a))
)
(define-private (fz-coherent-weight (v { score: uint, weight: uint }) (acc { final: uint, tolerance: uint, weight: uint }))
  (if (fz-coherent-score (get score v) (get final acc) (get tolerance acc))
    (merge acc { weight: (+ (get weight acc) (get weight v)) })
    acc)
)
;; Whether a committee of enough reveals settles (true) or is refunded for want
;; of a majority behind a slash (false), by the rules of its bid's version.
(define-private (fz-settles (bid-id uint) (revealed (list 10 { score: uint, weight: uint })) (revealed-weight uint)
                            (total-weight uint))
  (match (map-get? bids bid-id)
    bid (let ((st (fz-param (get parameter-version bid) "slash-threshold")))
          (or (>= (fz-median revealed revealed-weight) st) (fz-majority-under revealed st total-weight)))
    false)
)

;; Every validator's stake, in FZ_ACCOUNTS order: taken before a call that
;; settles seats, to check each seat's penalty.
(define-private (fz-stakes)
  (map fz-vstake FZ_ACCOUNTS)
)
(define-private (fz-stake-in (stakes (list 9 uint)) (who principal))
  (match (index-of? FZ_ACCOUNTS who) i (default-to u0 (element-at? stakes i)) u0)
)

;; Whether a pause overlapped a matched job's commit window: the first pause
;; after its match started by the window's close and lasted into a later burn
;; block (or still lasts); one undone in the block it began excuses nobody (the
;; contract erases it from the log, so it cannot hide a later one either).
(define-private (fz-commit-paused (bid-id uint))
  (match (map-get? bids bid-id)
    bid (and (> (get pauses (var-get market)) (get pauses-at-match bid))
             (match (map-get? pause-log (+ (get pauses-at-match bid) u1))
               pause (and (<= (get started-at pause) (fz-commit-closes bid-id))
                          (or (is-eq (get ended-at pause) u0) (> (get ended-at pause) (get started-at pause))))
               false))
    false)
)

;; Each seat of a committee just settled lost exactly its penalty: none for a
;; coherent vote (with no final score every revealed vote is coherent) or for
;; a seat that never committed when excused; otherwise validator-penalty-bps of
;; its stake. Sums the silent seats' penalties and the outliers' apart.
(define-private (fz-seat-penalty
    (seat principal)
    (acc { bid-id: uint, final: (optional uint), tolerance: uint, bps: uint, waive: bool, stakes: (list 9 uint),
           ok: bool, silent: uint, outlier: uint })
  )
  (let (
      (vote (get-vote (get bid-id acc) seat))
      (revealed (match vote v (get revealed v) false))
      (coherent (match vote v
                  (and revealed (match (get final acc) final (fz-coherent-score (get score v) final (get tolerance acc)) true))
                  false))
      (excused (and (is-none vote) (get waive acc)))
      (before (fz-stake-in (get stakes acc) seat))
      (after (fz-vstake seat))
      (expected (if (or coherent excused) u0 (/ (* before (get bps acc)) BPS)))
      (lost (if (>= before after) (- before after) u0))
    )
    (merge acc {
      ok: (and (get ok acc) (<= after before) (is-eq lost expected)),
      silent: (+ (get silent acc) (if revealed u0 lost)),
      outlier: (+ (get outlier acc) (if revealed lost u0)),
    }))
)
(define-private (fz-seat-penalties (bid-id uint) (final (optional uint)) (stakes (list 9 uint)) (excuse-all bool))
  (match (get-committee bid-id)
    c (match (map-get? bids bid-id)
        bid (let ((v (get parameter-version bid)))
              (fold fz-seat-penalty (get seats c)
                { bid-id: bid-id, final: final, tolerance: (fz-param v "consensus-tolerance"),
                  bps: (fz-param v "validator-penalty-bps"), waive: (or excuse-all (fz-commit-paused bid-id)),
                  stakes: stakes, ok: true, silent: u0, outlier: u0 }))
        { bid-id: bid-id, final: final, tolerance: u0, bps: u0, waive: false, stakes: stakes, ok: false, silent: u0, outlier: u0 })
    { bid-id: bid-id, final: final, tolerance: u0, bps: u0, waive: false, stakes: stakes, ok: true, silent: u0, outlier: u0 })
)

;; A job just settled with a result: status, median, slash (backed by a strict
;; majority of the committee's weight), every seat's penalty, and every bucket
;; and balance moved exactly by the result (plus refunds of queue heads expired
;; by the freed slot): silent seats' penalties to the treasury, outliers' to the
;; reward pool with the validator fees. A verified job releases the rest of its
;; bid and the validators' share its delivery left (`carried`), its slash is at
;; least its compute fee as far as the stake goes and at most its amount
;; (fz-scored-slash); a bidder default (final 101) slashes nothing, and by
;; timeout (no vote) frees every seat without a penalty, its fees to the
;; treasury. u0 when all hold, else the failing check.
(define-private (fz-settlement-code
    (bid-id uint)
    (stake-before uint)
    (before { contract: uint, who: uint, totals: { dataset-stakes: uint, validator-stakes: uint, escrowed-bids: uint,
                                                   unclaimed-rewards: uint, treasury: uint, surplus: uint } })
    (expired-before uint)
    (stakes (list 9 uint))
  )
  (let (
      (bid (unwrap! (map-get? bids bid-id) u1))
      (r (unwrap! (get-job-result bid-id) u2))
      (committee (get-committee bid-id))
      (p (unwrap! (map-get? parameter-history (get parameter-version bid)) u4))
      (amount (get amount bid))
      (rest (- amount (get compute-fee bid)))
      (carried (/ (* (get compute-fee bid) (get validator-fee-bps p)) BPS))
      (after (fz-snapshot tx-sender))
      (tb (get totals before))
      (ta (get totals after))
      (refunded (- (get expired (fz-expired tx-sender)) expired-before))
      (payment (- rest (get bidder-refund r)))
      (final (get final-score r))
      (defaulted (is-eq final FZ_UNAVAILABLE))
      (voted (match committee c (> (get reveals c) u0) false))
      (slash (if (and (< final (get slash-threshold p)) (not defaulted))
               (fz-scored-slash stake-before amount (get compute-fee bid) (get verified bid) (get slash-rate-bps p))
               u0))
      (revealed (match committee c (get revealed c) (list)))
      (coherent (get weight (fold fz-coherent-weight revealed
                   { final: final, tolerance: (get consensus-tolerance p), weight: u0 })))
      (seats (fz-seat-penalties bid-id (some final) stakes (not voted)))
      (silent (get silent seats))
      (outlier (get outlier seats))
    )
    (if (not (is-eq (get status bid) STATUS_SETTLED)) u5
    ;; a result without a vote is a verified job's default by timeout, after the reveal window of its evaluation set
    (if (not (or voted (and (get verified bid) defaulted (not (fz-eval-revealed bid-id))))) u3
    (if (not (or (not voted) (fz-lower-median revealed (match committee c (get revealed-weight c) u0) final))) u6
    (if (not (or (not voted) (match committee c (>= (get reveals c) (fz-min-reveals (len (get seats c)) (get min-reveals-bps p))) false))) u7
    (if (not (is-eq (get slashed-amount r) slash)) u8
    (if (not (or (>= final (get slash-threshold p))
                 (match committee c (fz-majority-under (get revealed c) (get slash-threshold p) (get total-weight c)) false))) u17
    (if (not (get ok seats)) u18
    (if (not (is-eq (get penalties r) (+ silent outlier))) u19
    ;; the pool: validator fees plus the outliers' penalties
    (if (not (is-eq (get reward-pool r) (+ (get validator-fees r) outlier))) u9
    (if (not (is-eq (get reward-weight r) coherent)) u10
    (if (not (is-eq (+ (get contract after) (get provider-payment r) (get bidder-refund r) refunded) (get contract before))) u11
    ;; out of escrow: the rest of the bid and what the delivery left for the committee
    (if (not (is-eq (+ (get escrowed-bids ta) rest carried refunded) (get escrowed-bids tb))) u12
    (if (not (is-eq (+ (get dataset-stakes ta) slash) (get dataset-stakes tb))) u13
    (if (not (is-eq (+ (get validator-stakes ta) (get penalties r)) (get validator-stakes tb))) u14
    (if (not (is-eq (get unclaimed-rewards ta) (+ (get unclaimed-rewards tb) (get reward-pool r)))) u15
    ;; treasury gain = slash + (payment - provider payment) + carried - validator fees + silent seats' penalties
    (if (not (is-eq (+ (get treasury ta) (get validator-fees r) (get provider-payment r))
                    (+ (get treasury tb) slash payment carried silent))) u16
      u0))))))))))))))))
  )
)

;; A verified job just failed for a missed delivery: expired, no result, no
;; model; the bidder refunded its full amount; min(stake * non-delivery-slash-bps,
;; compute fee) of the dataset's stake (as it was before; fz-non-delivery-slash) moved to the treasury, the
;; dataset counts it; no seat penalized; nothing else moved but refunds of queue
;; heads expired by the freed slot. `before` is the bidder's snapshot.
(define-private (fz-missed-code
    (bid-id uint)
    (d { provider: principal, stake: uint, metadata-uri: (string-ascii 256), price-per-block: uint, max-concurrent-jobs: uint,
         active-jobs: uint, queued-jobs: uint, queue-head: uint, queue-tail: uint, matched-jobs: uint, validations: uint,
         passed-validations: uint, score-sum: uint, non-deliveries: uint, last-settled-at: uint, registered-at: uint, active: bool })
    (before { contract: uint, who: uint, totals: { dataset-stakes: uint, validator-stakes: uint, escrowed-bids: uint,
                                                   unclaimed-rewards: uint, treasury: uint, surplus: uint } })
    (ledger-before { who: principal, expired: uint, expired-who: uint })
    (stakes (list 9 uint))
  )
  (let (
      (bid (unwrap! (map-get? bids bid-id) u1))
      (p (unwrap! (map-get? parameter-history (get parameter-version bid)) u2))
      (amount (get amount bid))
      (d-after (unwrap! (map-get? datasets (get dataset-id bid)) u3))
      (after (fz-snapshot (get bidder bid)))
      (ledger-after (fz-expired (get bidder bid)))
      (refunded (- (get expired ledger-after) (get expired ledger-before)))
      (refunded-bidder (- (get expired-who ledger-after) (get expired-who ledger-before)))
      (slash (fz-non-delivery-slash (get stake d) (get compute-fee bid) (get non-delivery-slash-bps p)))
      (tb (get totals before))
      (ta (get totals after))
      (seats (fz-seat-penalties bid-id none stakes true))
    )
    (if (not (and (is-eq (get status bid) STATUS_EXPIRED) (is-none (get-job-result bid-id)) (not (fz-delivered bid-id)))) u31
    (if (not (and (>= refunded-bidder amount) (is-eq (get who after) (+ (get who before) refunded-bidder)))) u32
    (if (not (is-eq (+ (get contract after) refunded) (get contract before))) u33
    (if (not (and (is-eq (+ (get escrowed-bids ta) refunded) (get escrowed-bids tb))
                  (is-eq (+ (get dataset-stakes ta) slash) (get dataset-stakes tb))
                  (is-eq (get treasury ta) (+ (get treasury tb) slash))
                  (is-eq (get unclaimed-rewards ta) (get unclaimed-rewards tb))
                  (is-eq (get validator-stakes ta) (get validator-stakes tb)))) u34
    (if (not (and (get ok seats) (is-eq (+ (get silent seats) (get outlier seats)) u0))) u35
    (if (not (and (is-eq (get stake d-after) (- (get stake d) slash)) (is-eq (get non-deliveries d-after) (+ (get non-deliveries d) u1))
                  (is-eq (get validations d-after) (get validations d)) (is-eq (get last-settled-at d-after) burn-block-height))) u36
      u0))))))
  )
)

;; A matched job just closed without a result (no quorum, no majority behind a
;; slash, expiry, or declined): `status` (expired, or cancelled when declined),
;; no result, the bidder refunded what the job held (its amount, less a
;; delivered verified job's paid-out compute fee), no slash, revealed votes
;; unpenalized, silent seats penalized to the treasury unless excused (all are,
;; on a decline).
;; `before` is the bidder's snapshot. u0 when all hold, else the failing check.
(define-private (fz-refund-code
    (bid-id uint)
    (status uint)
    (before { contract: uint, who: uint, totals: { dataset-stakes: uint, validator-stakes: uint, escrowed-bids: uint,
                                                   unclaimed-rewards: uint, treasury: uint, surplus: uint } })
    (ledger-before { who: principal, expired: uint, expired-who: uint })
    (stakes (list 9 uint))
  )
  (let (
      (bid (unwrap! (map-get? bids bid-id) u1))
      (amount (fz-held bid-id))
      (declined (is-eq status STATUS_CANCELLED))
      (after (fz-snapshot (get bidder bid)))
      (ledger-after (fz-expired (get bidder bid)))
      ;; a declined job is not in the ledger of expired bids: add its refund
      (refunded (+ (- (get expired ledger-after) (get expired ledger-before)) (if declined amount u0)))
      (refunded-bidder (+ (- (get expired-who ledger-after) (get expired-who ledger-before)) (if declined amount u0)))
      (tb (get totals before))
      (ta (get totals after))
      (seats (fz-seat-penalties bid-id none stakes declined))
    )
    (if (not (and (is-eq (get status bid) status) (is-none (get-job-result bid-id)))) u21
    (if (not (and (>= refunded-bidder amount) (is-eq (get who after) (+ (get who before) refunded-bidder)))) u22
    (if (not (is-eq (+ (get contract after) refunded) (get contract before))) u23
    (if (not (and (is-eq (+ (get escrowed-bids ta) refunded) (get escrowed-bids tb))
                  (is-eq (get dataset-stakes ta) (get dataset-stakes tb))
                  (is-eq (get unclaimed-rewards ta) (get unclaimed-rewards tb)))) u24
    (if (not (and (get ok seats) (is-eq (get outlier seats) u0) (or (not declined) (is-eq (get silent seats) u0)))) u25
    (if (not (and (is-eq (get treasury ta) (+ (get treasury tb) (get silent seats)))
                  (is-eq (+ (get validator-stakes ta) (get silent seats)) (get validator-stakes tb)))) u26
      u0))))))
  )
)

;; ---------------------------------------------------------------------------
;; Property tests (`rv ... test`), one per public function
;; ---------------------------------------------------------------------------

;; The caller's governance position on the proposals still taking votes, taken
;; before a dataset-stake increase: their ids, its dataset weight on each, and
;; the floor that weight is held to (none: the whole stake counts).
(define-private (fz-my-dataset-weight (id uint)) (fz-dataset-weight-on tx-sender id))
(define-private (fz-my-floor (id uint)) (fz-floor-on tx-sender id))
(define-private (fz-votes-position)
  (let ((ids (filter fz-open-proposal (fz-ids-upto (get last-proposal-id (var-get market))))))
    { ids: ids, weights: (map fz-my-dataset-weight ids), floors: (map fz-my-floor ids), stake: (fz-provider-stake tx-sender) })
)
(define-private (fz-growth-step
    (id uint)
    (acc { weights: (list 1000 uint), floors: (list 1000 (optional uint)), stake: uint, i: uint, code: uint })
  )
  (let (
      (before (default-to u0 (element-at? (get weights acc) (get i acc))))
      (floor (default-to none (element-at? (get floors acc) (get i acc))))
      (after (fz-my-dataset-weight id))
    )
    (merge acc {
      i: (+ (get i acc) u1),
      code: (if (> (get code acc) u0) (get code acc)
              (match floor
                f (if (>= (get stake acc) f)
                    ;; the stake had not fallen under the floor: the increase adds nothing
                    (if (<= after before) u0 u1)
                    ;; it had (a slash or a withdrawal since the proposal): the weight
                    ;; may climb back, never above the floor (the stake held before
                    ;; the proposal, or less)
                    (if (<= after f) u0 u2))
                ;; the whole stake counted: it still counts, unchanged
                (if (is-eq after before) u0 u3))),
    }))
)
;; After an increase: stake added never counts on a proposal made before it
;; (see fz-growth-step; u0 = held), and the increase opened or continued the run
;; of the last proposal id.
(define-private (fz-increase-code
    (position { ids: (list 1000 uint), weights: (list 1000 uint), floors: (list 1000 (optional uint)), stake: uint })
  )
  (let ((growth (get code (fold fz-growth-step (get ids position)
                  { weights: (get weights position), floors: (get floors position), stake: (get stake position),
                    i: u0, code: u0 }))))
    (if (> growth u0) growth
      (if (not (is-eq (get run-proposal (map-get? provider-stakes tx-sender)) (some (get last-proposal-id (var-get market))))) u4
        u0)))
)

;; A dataset just registered by the caller: exactly the stake moved into the
;; dataset-stakes bucket, the record holds the terms, the provider's stake grew.
(define-private (fz-registered-code
    (id uint)
    (next-id uint)
    (stake uint)
    (uri (string-ascii 256))
    (price uint)
    (capacity uint)
    (before { contract: uint, who: uint, totals: { dataset-stakes: uint, validator-stakes: uint, escrowed-bids: uint,
                                                   unclaimed-rewards: uint, treasury: uint, surplus: uint } })
    (position { ids: (list 1000 uint), weights: (list 1000 uint), floors: (list 1000 (optional uint)), stake: uint })
  )
  (let (
      (after (fz-snapshot tx-sender))
      (d (unwrap! (map-get? datasets id) u1))
      (tb (get totals before))
      (held (unwrap! (map-get? provider-stakes tx-sender) u9))
      (growth (fz-increase-code position))
    )
    (if (not (is-eq id next-id)) u2
    (if (not (is-eq (+ (get who after) stake) (get who before))) u3
    (if (not (is-eq (get contract after) (+ (get contract before) stake))) u4
    (if (not (is-eq (get totals after) (merge tb { dataset-stakes: (+ (get dataset-stakes tb) stake) }))) u5
    (if (not (and (is-eq (get provider d) tx-sender) (is-eq (get stake d) stake) (get active d)
                  (is-eq (get metadata-uri d) uri) (is-eq (get price-per-block d) price)
                  (is-eq (get max-concurrent-jobs d) capacity) (is-eq (get queued-jobs d) u0)
                  (is-eq (get active-jobs d) u0) (is-eq (get registered-at d) burn-block-height))) u6
    (if (not (is-eq (get stake held) (+ (get stake position) stake))) u7
    ;; the new stake does not vote on proposals made before it
    (if (> growth u0) (+ u10 growth)
      u0)))))))
  )
)

;; A URI for a register call: one time in six the random argument, one in six
;; the random argument after a valid scheme (any character the fuzzer draws
;; meets the RFC 3986 rule), one in three any of FZ_URIS (valid or not), else a
;; valid one.
(define-private (fz-pick-uri (seed uint) (random (string-ascii 256)))
  (if (is-eq (mod seed u6) u0) random
    (if (is-eq (mod seed u6) u1)
      (default-to "ipfs://fuzz"
        (as-max-len? (concat "ipfs://" (default-to "" (slice? random u0 (fz-min (len random) u249)))) u256))
      (if (< (mod seed u6) u4) (fz-uri (/ seed u6)) "ipfs://fuzz")))
)
;; A stake: one time in 29 just under the minimum, else the minimum and more.
(define-private (fz-register-stake (seed uint))
  (let ((minimum (get min-dataset-stake (get-parameters))))
    (if (and (is-eq (mod seed u29) u0) (> minimum u0)) (- minimum u1) (fz-dataset-stake seed)))
)

;; 01 register-dataset: moves exactly the stake into the dataset-stakes bucket
;; and records it with an ask of 0 and one slot; refused exactly when paused,
;; under the minimum stake, the metadata URI is empty or not a fetchable URI
;; (scheme ipfs://, ar:// or https:// with something after it, no whitespace),
;; or the caller cannot pay.
(define-public (test-register-dataset (stake-seed uint) (metadata-uri (string-ascii 256)))
  (let (
      (stake (fz-register-stake stake-seed))
      (uri (fz-pick-uri (/ stake-seed u29) metadata-uri))
      (expected (if (get paused (var-get market)) u102
                  (if (< stake (get min-dataset-stake (get-parameters))) u201
                    (if (> (fz-uri-error uri) u0) (fz-uri-error uri)
                      (if (> stake (stx-get-balance tx-sender)) u104 u0)))))
      (before (fz-snapshot tx-sender))
      (next-id (+ (get last-dataset-id (var-get market)) u1))
      (position (fz-votes-position))
    )
    (asserts! (< (get last-dataset-id (var-get market)) FZ_CREATE_CAP) (ok false))
    (match (register-dataset stake uri)
      id (let ((code (fz-registered-code id next-id stake uri u0 u1 before position)))
        (asserts! (is-eq expected u0) (err u10101))
        (asserts! (is-eq code u0) (err (+ u10110 code)))
        (map-set fz-deposits id stake)
        (fz-done))
      code (begin
        (asserts! (is-eq code expected) (err u10102))
        (asserts! (is-eq (fz-snapshot tx-sender) before) (err u10103))
        (ok false)))
  )
)

;; 23 register-dataset-with-terms: as register-dataset, with the ask and the
;; slots written in the same call; a price over the cap or a capacity of 0 or
;; over the cap is refused (after the URI checks, before any STX moves).
(define-public (test-register-dataset-with-terms (stake-seed uint) (uri-seed uint) (price-seed uint) (capacity-seed uint))
  (let (
      (stake (fz-register-stake stake-seed))
      (uri (if (is-eq (mod uri-seed u3) u0) (fz-uri (/ uri-seed u3)) "https://data.example/terms.json"))
      (price (if (is-eq (mod price-seed u13) u0) (+ MAX_PRICE_PER_BLOCK u1) (mod price-seed u3000)))
      (capacity (if (is-eq (mod capacity-seed u11) u0) (+ MAX_CONCURRENT_JOBS u1) (mod capacity-seed u6)))
      (expected (if (get paused (var-get market)) u102
                  (if (< stake (get min-dataset-stake (get-parameters))) u201
                    (if (> (fz-uri-error uri) u0) (fz-uri-error uri)
                      (if (> price MAX_PRICE_PER_BLOCK) u209
                        (if (or (is-eq capacity u0) (> capacity MAX_CONCURRENT_JOBS)) u208
                          (if (> stake (stx-get-balance tx-sender)) u104 u0)))))))
      (before (fz-snapshot tx-sender))
      (next-id (+ (get last-dataset-id (var-get market)) u1))
      (position (fz-votes-position))
    )
    (asserts! (< (get last-dataset-id (var-get market)) FZ_CREATE_CAP) (ok false))
    (match (register-dataset-with-terms stake uri price capacity)
      id (let ((code (fz-registered-code id next-id stake uri price capacity before position)))
        (asserts! (is-eq expected u0) (err u12301))
        (asserts! (is-eq code u0) (err (+ u12310 code)))
        (map-set fz-deposits id stake)
        (fz-done))
      code (begin
        (asserts! (is-eq code expected) (err u12302))
        (asserts! (is-eq (fz-snapshot tx-sender) before) (err u12303))
        (ok false)))
  )
)

;; 02 add-dataset-stake: the provider pays exactly the top-up, which lands in the
;; stake (queue heads the top-up reopens may be refunded); zero, a retired
;; dataset, or an amount the caller cannot pay (up to max uint: the transfer
;; comes before any sum) is refused with its own error. The added stake never
;; votes on a proposal made before it: on every proposal still taking votes the
;; caller weighs what it did before (up to the stake it held before the
;; proposal if a slash or a withdrawal had taken it under that).
(define-public (test-add-dataset-stake (pick uint) (amount-seed uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err u10201)))
        (amount (if (is-eq (mod amount-seed u17) u0) u0
                  (if (is-eq (mod amount-seed u13) u0) u340282366920938463463374607431768211455
                    (+ u1 (mod amount-seed u5000000)))))
        (expected (if (is-eq amount u0) u103
                    (if (not (get active d)) u204
                      (if (> amount (stx-get-balance tx-sender)) u104 u0))))
        (before (fz-snapshot tx-sender))
        (expired-before (get expired (fz-expired tx-sender)))
        (power-before (fz-provider-stake tx-sender))
        (position (fz-votes-position))
      )
      (match (add-dataset-stake dataset-id amount)
        new-stake (let (
            (after (fz-snapshot tx-sender))
            (d-after (unwrap! (map-get? datasets dataset-id) (err u10202)))
            (refunded (- (get expired (fz-expired tx-sender)) expired-before))
            (tb (get totals before))
          )
          (asserts! (is-eq expected u0) (err u10203))
          (asserts! (and (is-eq new-stake (+ (get stake d) amount)) (is-eq (get stake d-after) new-stake)) (err u10204))
          (asserts! (is-eq (+ (get who after) amount) (get who before)) (err u10205))
          (asserts! (is-eq (+ (get contract after) refunded) (+ (get contract before) amount)) (err u10206))
          (asserts! (is-eq (get totals after) (merge tb { dataset-stakes: (+ (get dataset-stakes tb) amount),
                                                          escrowed-bids: (- (get escrowed-bids tb) refunded) }))
                    (err u10207))
          (asserts! (is-eq (fz-provider-stake tx-sender) (+ power-before amount)) (err u10208))
          ;; flash-stake defence: on every proposal still taking votes the top-up
          ;; adds nothing to the caller's weight (see fz-growth-step)
          (let ((growth (fz-increase-code position)))
            (asserts! (is-eq growth u0) (err (+ u10220 growth))))
          (match (map-get? fz-deposits dataset-id) deposited (map-set fz-deposits dataset-id (+ deposited amount)) false)
          (fz-done))
        code (begin
          (asserts! (is-eq code expected) (err u10209))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u10211))
          (ok false))))
    (ok false)
  )
)

;; 03 set-dataset-terms: writes the terms, moves no STX but the refunds of queue
;; heads that can no longer make their deadline, handles at most 5 heads;
;; refused for a retired dataset, a price over the cap, a capacity of 0. A
;; raise of the ask starts a notice: price-raises records the price a verified
;; bid paid just before it (fz-fee-price of the old ask: the older price when a
;; notice still ran) and the block; a cut or the same ask records nothing, and
;; until the notice ends a verified bid's fee price stays at most that price.
(define-public (test-set-dataset-terms (pick uint) (price-seed uint) (capacity-seed uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err u10301)))
        (price (fz-terms-price d price-seed))
        (capacity (mod capacity-seed u6))
        (expected (if (not (get active d)) u204
                    (if (> price MAX_PRICE_PER_BLOCK) u209
                      (if (is-eq capacity u0) u208 u0))))
        (before (fz-snapshot tx-sender))
        (expired-before (get expired (fz-expired tx-sender)))
        (raise-before (map-get? price-raises dataset-id))
        (fee-price-before (fz-fee-price dataset-id (get price-per-block d)))
      )
      (match (set-dataset-terms dataset-id price capacity)
        done (let (
            (after (fz-snapshot tx-sender))
            (d-after (unwrap! (map-get? datasets dataset-id) (err u10302)))
            (refunded (- (get expired (fz-expired tx-sender)) expired-before))
            (tb (get totals before))
          )
          (asserts! (is-eq expected u0) (err u10303))
          (asserts! (and (is-eq (get price-per-block d-after) price) (is-eq (get max-concurrent-jobs d-after) capacity)
                         (is-eq (get stake d-after) (get stake d)))
                    (err u10304))
          (asserts! (is-eq (get who after) (get who before)) (err u10305))
          (asserts! (is-eq (+ (get contract after) refunded) (get contract before)) (err u10306))
          (asserts! (is-eq (get totals after) (merge tb { escrowed-bids: (- (get escrowed-bids tb) refunded) })) (err u10307))
          (asserts! (and (<= (get queued-jobs d-after) (get queued-jobs d))
                         (<= (- (get queued-jobs d) (get queued-jobs d-after)) u5)
                         (>= (get active-jobs d-after) (get active-jobs d)))
                    (err u10308))
          ;; the notice: a raise records the fee price of the old ask, a cut nothing
          (asserts! (is-eq (map-get? price-raises dataset-id)
                           (if (> price (get price-per-block d))
                             (some { previous-price: fee-price-before, raised-at: burn-block-height })
                             raise-before))
                    (err u10310))
          ;; a verified bid now pays no more than before the raise (nor than the new ask)
          (asserts! (is-eq (fz-fee-price dataset-id price)
                           (if (> price (get price-per-block d)) fee-price-before (fz-min price fee-price-before)))
                    (err u10311))
          ;; and the contract's view tells a bidder the same
          (asserts! (is-eq (get-compute-fee dataset-id u1) (some (fz-fee-price dataset-id price))) (err u10313))
          (fz-done))
        code (begin
          (asserts! (is-eq code expected) (err u10309))
          (asserts! (is-eq (map-get? price-raises dataset-id) raise-before) (err u10312))
          (ok false))))
    (ok false)
  )
)

;; 24 retire-dataset: the provider closes its dataset at once, paused or not:
;; active becomes false and nothing else changes, no STX moves; afterwards it
;; takes no bid, stake, terms or match, and cannot be retired twice. Tried one
;; call in three, so that the market keeps open datasets.
(define-public (test-retire-dataset (pick uint) (seed uint))
  (match (if (is-eq (mod seed u3) u0) (fz-pick-my-active-dataset pick) (fz-pick-my-dataset pick))
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err u12401)))
        (expected (if (get active d) u0 u204))
        (paused (get paused (var-get market)))
        (before (fz-snapshot tx-sender))
      )
      (asserts! (or (is-eq (mod seed u3) u0) (not (get active d))) (ok false))
      (match (retire-dataset dataset-id)
        done (let ((d-after (unwrap! (map-get? datasets dataset-id) (err u12402))))
          (asserts! (is-eq expected u0) (err u12403))
          (asserts! (is-eq d-after (merge d { active: false })) (err u12404))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u12405))
          ;; closed to new business: every such call is refused and changes nothing
          (asserts! (is-eq (match (retire-dataset dataset-id) x u0 e e) u204) (err u12406))
          (asserts! (is-eq (match (add-dataset-stake dataset-id u1) x u0 e e) u204) (err u12407))
          (asserts! (is-eq (match (set-dataset-terms dataset-id u0 u2) x u0 e e) u204) (err u12408))
          (asserts! (is-eq (match (place-computation-bid dataset-id u1000000000 u1 (+ burn-block-height u1)) x u0 e e)
                           (if paused u102 u204))
                    (err u12409))
          ;; its queue is no longer matched (nor skipped): the dataset stays as it is
          (asserts! (is-eq (match (match-queued-bids dataset-id) queued (some queued) e none)
                           (if paused none (some (get queued-jobs d))))
                    (err u12410))
          (asserts! (is-eq (map-get? datasets dataset-id) (some d-after)) (err u12411))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u12412))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u12413)) (ok false))))
    (ok false)
  )
)

;; 04 withdraw-dataset-stake: succeeds exactly when the rules allow it (active,
;; or retired with a stake; no job running or queued; no vote lock, i.e. every
;; proposal the provider voted on executable; and validated, never used (a
;; declined job is no use), or idle for stake-lock-blocks) and then pays
;; exactly the stake and closes it; a withdrawn dataset is refused.
(define-public (test-withdraw-dataset-stake (pick uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err u10401)))
        (unlocked (or (> (get passed-validations d) u0)
                      (is-eq (get matched-jobs d) u0)
                      (> burn-block-height (+ (get last-settled-at d) (get stake-lock-blocks (get-parameters))))))
        (expected (if (not (or (get active d) (> (get stake d) u0))) u204
                    (if (or (> (get active-jobs d) u0) (> (get queued-jobs d) u0)) u206
                      (if (<= burn-block-height (default-to u0 (map-get? vote-locks tx-sender))) u714
                        (if (not unlocked) u207 u0)))))
        (before (fz-snapshot tx-sender))
        (power-before (fz-provider-stake tx-sender))
      )
      (match (withdraw-dataset-stake dataset-id)
        paid (let (
            (after (fz-snapshot tx-sender))
            (d-after (unwrap! (map-get? datasets dataset-id) (err u10402)))
            (tb (get totals before))
          )
          (asserts! (is-eq expected u0) (err u10403))
          (asserts! (is-eq paid (get stake d)) (err u10404))
          (asserts! (is-eq (get who after) (+ (get who before) paid)) (err u10405))
          (asserts! (is-eq (+ (get contract after) paid) (get contract before)) (err u10406))
          (asserts! (is-eq (get totals after) (merge tb { dataset-stakes: (- (get dataset-stakes tb) paid) })) (err u10407))
          (asserts! (and (is-eq (get stake d-after) u0) (not (get active d-after))) (err u10408))
          (asserts! (is-eq (+ (fz-provider-stake tx-sender) paid) power-before) (err u10409))
          ;; a stake is paid out once
          (asserts! (is-eq (match (withdraw-dataset-stake dataset-id) x u0 e e) u204) (err u10411))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u10410)) (ok false))))
    (ok false)
  )
)

;; 05 place-computation-bid: escrows exactly the amount; matched at once iff the
;; dataset has a free slot and no queue, else queued; refused exactly when paused
;; or the dataset is understaked; a bid under the minimum, with duration 0, an
;; unreachable deadline or a deadline more than max-bid-wait past its training is
;; refused with its own error. A match records the validators, registrations and
;; pauses of the market at that moment.
(define-public (test-place-computation-bid (pick uint) (amount-seed uint) (duration-seed uint) (slack-seed uint))
  (fz-place-test pick amount-seed duration-seed slack-seed none u10500)
)

;; 27 place-training-bid: as place-computation-bid, checks and queue and match
;; included, for a VERIFIED job: the bid records verified and its compute fee,
;; the fee price (fz-fee-price: the ask, or the price before a raise still in
;; its 6-block notice) times the duration (what its provider earns on delivery,
;; at most the ask times the duration and the amount), and the job's delivery
;; record holds the spec and the commitment to the sealed evaluation set
;; (sha256(digest ++ salt), as compute-eval-commitment computes it), no model,
;; no evaluation set yet. A spec or commitment shorter than 32 bytes is refused
;; first of all (INVALID_DIGEST, even on an unknown dataset). Its deadlines
;; leave the provider a little longer to deliver (or, one time in five, a single
;; block of training due inside the decline window).
(define-public (test-place-training-bid (pick uint) (amount-seed uint) (duration-seed uint) (slack-seed uint) (seal-seed uint))
  (fz-place-test pick amount-seed duration-seed slack-seed (some seal-seed) u12700)
)

;; A digest cut to 31 bytes (one short of a full sha256).
(define-private (fz-short (digest (buff 32)))
  (unwrap-panic (as-max-len? (unwrap-panic (slice? digest u0 u31)) u32))
)
;; A training bid's sealed evaluation set, drawn from a seed: its digest and salt.
(define-private (fz-seal (seed uint))
  { digest: (sha256 (unwrap-panic (to-consensus-buff? { evaluation-set: seed }))),
    salt: (sha256 (unwrap-panic (to-consensus-buff? { evaluation-salt: seed }))) }
)
(define-private (fz-spec (seed uint))
  (sha256 (unwrap-panic (to-consensus-buff? { job-spec: (mod seed u5) })))
)
;; place-computation-bid, or (with a seal) place-training-bid with the spec and
;; the commitment to the sealed set; a training bid placed records in fz-fees
;; the compute fee the rules give it, worked out before the call
(define-private (fz-place (dataset-id uint) (amount uint) (duration uint) (deadline uint) (seal (optional uint)))
  (match seal
    seed (let (
        (sealed (fz-seal seed))
        (fee (* (fz-fee-price dataset-id (match (map-get? datasets dataset-id) d (get price-per-block d) u0)) duration))
      )
      (match (place-training-bid dataset-id amount duration deadline (fz-spec seed)
                                 (sha256 (concat (get digest sealed) (get salt sealed))))
        bid-id (begin (map-set fz-fees bid-id fee) (ok bid-id))
        code (err code)))
    (place-computation-bid dataset-id amount duration deadline))
)
;; A training bid's terms: as fz-bid-terms, its deadline 20 to 99 blocks past
;; its training (at most max-bid-wait), so that its provider, a random caller,
;; gets time to deliver; one time in five a single block of training due at
;; once (0-3 blocks of slack): a deadline inside the decline window, whose miss
;; waits for the window.
(define-private (fz-training-terms (dataset-id uint) (amount-seed uint) (duration-seed uint) (slack-seed uint))
  (if (is-eq (mod slack-seed u5) u0)
    (let ((terms (fz-bid-terms dataset-id amount-seed u0 u0)))
      (merge terms { deadline: (+ (get deadline terms) (fz-min (mod (/ slack-seed u5) u4) (get max-bid-wait (get-parameters)))) }))
    (let ((terms (fz-bid-terms dataset-id amount-seed duration-seed u0)))
      (merge terms { deadline: (+ (get deadline terms)
                                  (fz-min (+ u20 (mod slack-seed u80)) (get max-bid-wait (get-parameters)))) })))
)

;; The body of both bid properties (`base`: the error codes' base, 10500 or 12700).
(define-private (fz-place-test (pick uint) (amount-seed uint) (duration-seed uint) (slack-seed uint) (seal (optional uint)) (base uint))
  (match (fz-pick-biddable-dataset pick)
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err (+ base u1))))
        (params (get-parameters))
        (state (var-get market))
        (terms (if (is-some seal)
                 (fz-training-terms dataset-id amount-seed duration-seed slack-seed)
                 (fz-bid-terms dataset-id amount-seed duration-seed slack-seed)))
        (amount (get amount terms))
        (duration (get duration terms))
        (deadline (get deadline terms))
        (expected (if (get paused state) u102
                    (if (< (get stake d) (get min-dataset-stake params)) u205
                      (if (> amount (stx-get-balance tx-sender)) u104 u0))))
        (match-now (and (is-eq (get queue-head d) u0) (< (get active-jobs d) (get max-concurrent-jobs d))))
        ;; what a verified bid pays a block now: the ask, or the price before a raise still in its notice
        (fee-rate (fz-fee-price dataset-id (get price-per-block d)))
        (before (fz-snapshot tx-sender))
        (ledger-before (fz-expired tx-sender))
        (next-id (+ (get last-bid-id state) u1))
      )
      (asserts! (fz-room-for-bid dataset-id) (ok false))
      ;; the fee a bidder is told (get-compute-fee) is the one the rules give
      (asserts! (is-eq (get-compute-fee dataset-id duration) (some (* fee-rate duration))) (err (+ base u21)))
      (asserts! (is-eq (match (fz-place dataset-id (- (get min-bid-amount params) u1) duration deadline seal) id u0 e e)
                       (if (or (is-eq expected u0) (is-eq expected u104)) u302 expected))
                (err (+ base u2)))
      (asserts! (is-eq (match (fz-place dataset-id amount u0 deadline seal) id u0 e e)
                       (if (or (is-eq expected u0) (is-eq expected u104)) u304 expected))
                (err (+ base u3)))
      (asserts! (is-eq (match (fz-place dataset-id amount duration (- (+ burn-block-height duration) u1) seal) id u0 e e)
                       (if (or (is-eq expected u0) (is-eq expected u104)) u305 expected))
                (err (+ base u4)))
      ;; one block past the furthest deadline allowed
      (asserts! (is-eq (match (fz-place dataset-id amount duration
                                (+ burn-block-height duration (get max-bid-wait params) u1) seal) id u0 e e)
                       (if (or (is-eq expected u0) (is-eq expected u104)) u311 expected))
                (err (+ base u15)))
      ;; a training bid's spec and commitment are full digests: a shorter one is refused before anything
      ;; else (even an unknown dataset or a pause)
      (asserts! (match seal
                  seed (and (is-eq (match (place-training-bid dataset-id amount duration deadline (fz-short (fz-spec seed)) (fz-spec seed))
                                     x u0 e e)
                                   u322)
                            (is-eq (match (place-training-bid (+ FZ_MAX_ID dataset-id) amount duration deadline (fz-spec seed)
                                                              (fz-short (fz-spec (+ seed u1))))
                                     x u0 e e)
                                   u322))
                  true)
                (err (+ base u19)))
      (asserts! (is-eq (fz-snapshot tx-sender) before) (err (+ base u16)))
      (match (fz-place dataset-id amount duration deadline seal)
        bid-id (let (
            (after (fz-snapshot tx-sender))
            (ledger-after (fz-expired tx-sender))
            (refunded (- (get expired ledger-after) (get expired ledger-before)))
            (refunded-mine (- (get expired-who ledger-after) (get expired-who ledger-before)))
            (bid (unwrap! (map-get? bids bid-id) (err (+ base u5))))
            (d-after (unwrap! (map-get? datasets dataset-id) (err (+ base u6))))
            (tb (get totals before))
          )
          (asserts! (is-eq expected u0) (err (+ base u7)))
          (asserts! (is-eq bid-id next-id) (err (+ base u8)))
          (asserts! (and (is-eq (get dataset-id bid) dataset-id) (is-eq (get bidder bid) tx-sender)
                         (is-eq (get amount bid) amount) (is-eq (get duration bid) duration)
                         (is-eq (get deadline bid) deadline) (is-eq (get placed-at bid) burn-block-height)
                         (is-eq (get parameter-version bid) (get version params)))
                    (err (+ base u9)))
          (asserts! (is-eq (+ (get who after) amount) (+ (get who before) refunded-mine)) (err (+ base u10)))
          (asserts! (is-eq (+ (get contract after) refunded) (+ (get contract before) amount)) (err (+ base u11)))
          (asserts! (is-eq (get totals after) (merge tb { escrowed-bids: (- (+ (get escrowed-bids tb) amount) refunded) }))
                    (err (+ base u12)))
          (asserts! (if match-now
                      (and (is-eq (get status bid) STATUS_MATCHED) (is-eq (get matched-at bid) burn-block-height)
                           (is-eq (get active-jobs d-after) (+ (get active-jobs d) u1))
                           (is-eq (get matched-jobs d-after) (+ (get matched-jobs d) u1)))
                      (or (is-eq (get status bid) STATUS_QUEUED) (is-eq (get status bid) STATUS_MATCHED)))
                    (err (+ base u13)))
          ;; a verified job: its compute fee (at the fee price: the old price during a raise's notice,
          ;; never above the ask) and its delivery record; a plain one has neither
          (asserts! (match seal
                      seed (let ((sealed (fz-seal seed)) (fee (* fee-rate duration)))
                        (and (get verified bid) (is-eq (get compute-fee bid) fee) (<= fee (* (get price-per-block d) duration))
                             (<= fee amount) (is-eq (map-get? fz-fees bid-id) (some fee))
                             (is-eq (map-get? job-deliveries bid-id)
                                    (some { spec: (fz-spec seed), eval-commitment: (compute-eval-commitment (get digest sealed) (get salt sealed)),
                                            model: none, delivered-at: u0, eval-digest: none, eval-revealed-at: u0 }))
                             (is-eq (compute-eval-commitment (get digest sealed) (get salt sealed))
                                    (sha256 (concat (get digest sealed) (get salt sealed))))))
                      (and (not (get verified bid)) (is-eq (get compute-fee bid) u0) (is-none (map-get? job-deliveries bid-id))))
                    (err (+ base u18)))
          (match seal seed (map-set fz-evals bid-id (fz-seal seed)) false)
          ;; what the match recorded: the market as it was (nothing while queued)
          (asserts! (if (is-eq (get status bid) STATUS_MATCHED)
                      (and (is-eq (get validators-at-match bid) (get active-validator-count state))
                           (is-eq (get registrations-at-match bid) (get validator-registrations state))
                           (is-eq (get pauses-at-match bid) (get pauses state))
                           (is-eq (get matched-block bid) stacks-block-height))
                      (and (is-eq (get validators-at-match bid) u0) (is-eq (get registrations-at-match bid) u0)
                           (is-eq (get pauses-at-match bid) u0) (is-eq (get matched-at bid) u0)))
                    (err (+ base u17)))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err (+ base u14))) (ok false))))
    (ok false)
  )
)

;; 06 match-queued-bids: at most 5 queue heads handled; no STX moves but refunds
;; of heads past their deadline; returns the queue length; refused while paused.
(define-public (test-match-queued-bids (pick uint))
  (match (fz-pick-dataset pick)
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err u10601)))
        (expected (if (get paused (var-get market)) u102 u0))
        (before (fz-snapshot tx-sender))
        (ledger-before (fz-expired tx-sender))
      )
      (match (match-queued-bids dataset-id)
        queued (let (
            (after (fz-snapshot tx-sender))
            (ledger-after (fz-expired tx-sender))
            (refunded (- (get expired ledger-after) (get expired ledger-before)))
            (refunded-mine (- (get expired-who ledger-after) (get expired-who ledger-before)))
            (d-after (unwrap! (map-get? datasets dataset-id) (err u10602)))
            (tb (get totals before))
          )
          (asserts! (is-eq expected u0) (err u10603))
          (asserts! (is-eq queued (get queued-jobs d-after)) (err u10604))
          (asserts! (and (<= queued (get queued-jobs d)) (<= (- (get queued-jobs d) queued) u5)) (err u10605))
          (asserts! (is-eq (get who after) (+ (get who before) refunded-mine)) (err u10606))
          (asserts! (is-eq (+ (get contract after) refunded) (get contract before)) (err u10607))
          (asserts! (is-eq (get totals after) (merge tb { escrowed-bids: (- (get escrowed-bids tb) refunded) })) (err u10608))
          (asserts! (is-eq (get stake d-after) (get stake d)) (err u10609))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u10610)) (ok false))))
    (ok false)
  )
)

;; a dataset where a bid of the caller's would wait in the queue
(define-private (fz-queueing-dataset (id uint))
  (and (fz-biddable-dataset id)
       (match (map-get? datasets id)
         d (and (>= (get stake d) (get min-dataset-stake (var-get market)))
                (or (> (get queue-head d) u0) (>= (get active-jobs d) (get max-concurrent-jobs d))))
         false))
)
;; Places a bid of the caller's that waits in a queue; none when there is no
;; such dataset, while paused, or if it was matched at once after all.
(define-private (fz-place-queued (seed uint))
  (if (get paused (var-get market))
    none
    (match (fz-pick (filter fz-queueing-dataset (fz-ids-upto (get last-dataset-id (var-get market)))) seed)
      dataset-id (let ((terms (fz-bid-terms dataset-id seed (/ seed u7) (/ seed u11))))
        (match (place-computation-bid dataset-id (get amount terms) (get duration terms) (get deadline terms))
          bid-id (if (fz-my-queued-bid bid-id) (some bid-id) none)
          e none))
      none))
)

;; 07 cancel-bid: only a queued bid, refunded exactly, unlinked from its queue.
;; When the caller has no queued bid, half the time it first places one that
;; waits in a queue (if some dataset has one or is full) and cancels that.
(define-public (test-cancel-bid (pick uint))
  (match (if (and (is-eq (mod pick u2) u0)
                  (is-eq (len (filter fz-my-queued-bid (fz-ids-upto (get last-bid-id (var-get market))))) u0)
                  (< (get last-bid-id (var-get market)) FZ_CREATE_CAP))
           (match (fz-place-queued (/ pick u2)) placed (some placed) (fz-pick-my-bid pick))
           (fz-pick-my-bid pick))
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u10701)))
        (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u10702)))
        (expected (if (is-eq (get status bid) STATUS_QUEUED) u0 u307))
        (before (fz-snapshot tx-sender))
      )
      (match (cancel-bid bid-id)
        refund (let (
            (after (fz-snapshot tx-sender))
            (d-after (unwrap! (map-get? datasets (get dataset-id bid)) (err u10703)))
            (tb (get totals before))
          )
          (asserts! (is-eq expected u0) (err u10704))
          (asserts! (is-eq refund (get amount bid)) (err u10705))
          (asserts! (is-eq (get who after) (+ (get who before) refund)) (err u10706))
          (asserts! (is-eq (+ (get contract after) refund) (get contract before)) (err u10707))
          (asserts! (is-eq (get totals after) (merge tb { escrowed-bids: (- (get escrowed-bids tb) refund) })) (err u10708))
          (asserts! (is-eq (get status (default-to bid (map-get? bids bid-id))) STATUS_CANCELLED) (err u10709))
          (asserts! (and (is-eq (+ (get queued-jobs d-after) u1) (get queued-jobs d)) (is-none (map-get? queue-links bid-id)))
                    (err u10710))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u10711)) (ok false))))
    (ok false)
  )
)

;; 08 expire-bid: succeeds exactly for a queued bid that can no longer make its
;; deadline or whose dataset was retired, or a matched job due to end: past its
;; reveal window without enough reveals (the bidder gets back what the job
;; holds, nothing is slashed, revealed votes are not penalized, silent seats are
;; (unless a pause overlapped their commit window) and their penalties go to the
;; treasury); a verified job undelivered past its deadline and its decline
;; window (fz-due-by; before that it is refused: a missed delivery: full
;; refund, the dataset slashed at most the compute fee, see fz-missed-code); a
;; verified job whose evaluation set was not revealed by eval-reveal-window
;; after the deadline (a bidder default: the provider paid, refund 0, see
;; fz-settlement-code).
(define-public (test-expire-bid (pick uint))
  (match (fz-pick-open-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u10801)))
        (bidder (get bidder bid))
        (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u10802)))
        (queued (is-eq (get status bid) STATUS_QUEUED))
        (stage (if queued u0 (fz-stage bid-id)))
        (enough (match (get-committee bid-id)
                  c (>= (get reveals c) (fz-min-reveals (len (get seats c)) (fz-param (get parameter-version bid) "min-reveals-bps")))
                  false))
        (expected (if queued
                    (if (or (not (get active d)) (> (+ burn-block-height (get duration bid)) (get deadline bid))) u0 u308)
                    (if (is-eq stage u0) u308 (if (and (is-eq stage u3) enough) u310 u0))))
        (held (fz-held bid-id))
        (before (fz-snapshot bidder))
        (ledger-before (fz-expired bidder))
        (stakes (fz-stakes))
      )
      (match (expire-bid bid-id)
        refund (let (
            (d-after (unwrap! (map-get? datasets (get dataset-id bid)) (err u10803)))
            (code (if (is-eq stage u1) (fz-missed-code bid-id d before ledger-before stakes)
                    (if (is-eq stage u2) (fz-settlement-code bid-id (get stake d) before (get expired ledger-before) stakes)
                      (fz-refund-code bid-id STATUS_EXPIRED before ledger-before stakes))))
          )
          (asserts! (is-eq expected u0) (err u10804))
          (asserts! (is-eq refund (if (is-eq stage u2) u0 held)) (err u10805))
          (asserts! (is-eq code u0) (err (+ u10850 code)))
          (asserts! (or (is-eq stage u1) (is-eq (get stake d-after) (get stake d))) (err u10811))
          ;; a default is a bidder default
          (asserts! (or (not (is-eq stage u2))
                        (is-eq (get outcome (get-job-result bid-id)) (some OUTCOME_BIDDER_DEFAULT)))
                    (err u10813))
          ;; a queued bid leaves its queue; a job frees its slot
          (asserts! (if queued
                      (and (is-none (map-get? queue-links bid-id)) (is-eq (+ (get queued-jobs d-after) u1) (get queued-jobs d)))
                      (is-eq (+ (get active-jobs d-after) u1)
                             (+ (get active-jobs d) (- (get matched-jobs d-after) (get matched-jobs d)))))
                    (err u10806))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u10812)) (ok false))))
    (ok false)
  )
)

;; Opens a slot on one of the caller's datasets with a queue (raising its
;; capacity by one, its ask unchanged), which matches the queue's head now;
;; none when the caller has no such dataset.
(define-private (fz-self-match (seed uint))
  (match (fz-pick (filter fz-my-queued-dataset (fz-ids-upto (get last-dataset-id (var-get market)))) seed)
    dataset-id (match (map-get? datasets dataset-id)
      d (match (set-dataset-terms dataset-id (get price-per-block d)
                 (fz-min MAX_CONCURRENT_JOBS (fz-max (get max-concurrent-jobs d) (+ (get active-jobs d) u1))))
          done (some dataset-id)
          e none)
      none)
    none)
)
(define-private (fz-pick-declinable (seed uint))
  (fz-pick (filter fz-declinable (fz-ids-upto (get last-bid-id (var-get market)))) seed)
)
(define-private (fz-not-declinable (id uint))
  (and (fz-my-job id) (not (fz-declinable id)))
)
(define-private (fz-not-mine (id uint))
  (and (fz-matched-bid id) (not (fz-my-job id)))
)

;; 25 decline-job: the provider refuses a matched job within decline-window
;; blocks of the match and before any vote: the bidder is refunded in full,
;; nothing is slashed, no seat is penalized, the job is cancelled and its slot
;; goes to the queue; it does not count as a match (matched-jobs as before the
;; match, last-settled-at unchanged: the stake lock is not restarted); it
;; cannot be declined twice. In a market larger than the committee no
;; committee exists while it can be declined (the seed comes after the window).
;; Refused with its own error for another's job, after the window, once its
;; model was delivered, or once a vote was committed. When the caller has no declinable job, it first matches
;; the head of one of its queues (by opening a slot) and declines that.
(define-public (test-decline-job (pick uint) (seed uint))
  (let (
      (late (fz-pick (filter fz-not-declinable (fz-ids-upto (get last-bid-id (var-get market)))) seed))
      (others (fz-pick (filter fz-not-mine (fz-ids-upto (get last-bid-id (var-get market)))) seed))
    )
    ;; the refusals first: they change nothing
    (match late
      id (let ((bid (unwrap! (map-get? bids id) (err u12501))))
           (asserts! (is-eq (match (decline-job id) x u0 e e)
                            (if (> burn-block-height (+ (get matched-at bid) (fz-param (get parameter-version bid) "decline-window")))
                              u312 (if (fz-delivered id) u321 u313)))
                     (err u12502)))
      true)
    (match others
      id (asserts! (is-eq (match (decline-job id) x u0 e e) u203) (err u12503))
      true)
    (match (match (fz-pick-declinable pick) found (some found)
             (match (fz-self-match seed) opened (fz-pick-declinable pick) none))
      bid-id (let (
          (bid (unwrap! (map-get? bids bid-id) (err u12504)))
          (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u12505)))
          (committee (get-committee bid-id))
          (before (fz-snapshot (get bidder bid)))
          (ledger-before (fz-expired (get bidder bid)))
          (stakes (fz-stakes))
        )
        (match (decline-job bid-id)
          refund (let (
              (d-after (unwrap! (map-get? datasets (get dataset-id bid)) (err u12506)))
              (code (fz-refund-code bid-id STATUS_CANCELLED before ledger-before stakes))
            )
            (asserts! (is-eq refund (get amount bid)) (err u12507))
            (asserts! (is-eq code u0) (err (+ u12550 code)))
            ;; the committee stays as it was (no vote), every seat freed without penalty;
            ;; drawn from a seed, there is none yet
            (asserts! (is-eq (get-committee bid-id) committee) (err u12508))
            (asserts! (or (is-none committee) (not (fz-drawn-at-random bid-id))) (err u12514))
            (asserts! (is-eq (fz-stakes) stakes) (err u12509))
            ;; its slot was freed (and perhaps taken by the next queued bid), and
            ;; the job no longer counts as a match: matched-jobs lost it as
            ;; active-jobs did (each match the freed slot made adds to both)
            (asserts! (and (<= (+ (get active-jobs d-after) u1) (+ (get active-jobs d) (get queued-jobs d)))
                           (<= (get active-jobs d) (+ (get active-jobs d-after) u1))
                           (is-eq (+ (get matched-jobs d-after) (get active-jobs d))
                                  (+ (get matched-jobs d) (get active-jobs d-after))))
                      (err u12510))
            ;; ... nor restarts the stake lock
            (asserts! (is-eq (get last-settled-at d-after) (get last-settled-at d)) (err u12513))
            (asserts! (and (is-eq (get stake d-after) (get stake d)) (is-eq (get validations d-after) (get validations d)))
                      (err u12511))
            (asserts! (is-eq (match (decline-job bid-id) x u0 e e) u503) (err u12512))
            (fz-done))
          code (err (+ u12520 (fz-min code u29)))))
      (ok false))
  )
)

;; 09 register-validator: moves exactly the stake, appends to the active set
;; with the next registration ordinal (recorded in validator-at too) and the
;; last proposal id; refused while paused or for an existing validator.
(define-public (test-register-validator (stake-seed uint))
  (let (
      (stake (fz-validator-stake stake-seed))
      (state (var-get market))
      (n-active (get active-validator-count state))
      (ordinal (+ (get validator-registrations state) u1))
      (expected (if (get paused state) u102
                  (if (is-some (map-get? validators tx-sender)) u402
                    (if (> stake (stx-get-balance tx-sender)) u104 u0))))
      (before (fz-snapshot tx-sender))
    )
    (match (register-validator stake)
      done (let (
          (after (fz-snapshot tx-sender))
          (v (unwrap! (map-get? validators tx-sender) (err u10901)))
          (tb (get totals before))
        )
        (asserts! (is-eq expected u0) (err u10902))
        (asserts! (is-eq (+ (get who after) stake) (get who before)) (err u10903))
        (asserts! (is-eq (get contract after) (+ (get contract before) stake)) (err u10904))
        (asserts! (is-eq (get totals after) (merge tb { validator-stakes: (+ (get validator-stakes tb) stake) })) (err u10905))
        (asserts! (and (is-eq (get stake v) stake) (get active v) (is-eq (get index v) n-active) (is-eq (get open-seats v) u0)
                       (is-eq (get active-validator-count (var-get market)) (+ n-active u1))
                       (is-eq (map-get? validator-at n-active) (some { validator: tx-sender, ordinal: ordinal })))
                  (err u10906))
        (asserts! (and (is-eq (get ordinal v) ordinal) (is-eq (get validator-registrations (var-get market)) ordinal)
                       (is-eq (get registered-after-proposal v) (get last-proposal-id state))
                       (is-eq (get registered-at v) burn-block-height))
                  (err u10908))
        (fz-done))
      code (begin (asserts! (is-eq code expected) (err u10907)) (ok false)))
  )
)

;; whether a principal sits at one of the indices 0..count-1 of the active set
(define-private (fz-at-index (id uint) (acc { who: principal, found: bool }))
  (merge acc { found: (or (get found acc)
                          (match (map-get? validator-at (- id u1)) entry (is-eq (get validator entry) (get who acc)) false)) })
)
(define-private (fz-in-set (who principal))
  (get found (fold fz-at-index (fz-ids-upto (get active-validator-count (var-get market))) { who: who, found: false }))
)

;; 10 request-validator-exit: ALWAYS succeeds for an active validator, seated or
;; not: it returns the block the unbonding ends, and afterwards the validator is
;; inactive, out of the active set (swap-and-pop), with its stake and seats as
;; they were; no STX moves; it cannot exit twice nor withdraw before unbonding.
;; Tried one call in three, so that the validator set stays large enough to
;; seat committees.
(define-public (test-request-validator-exit (seed uint))
  (let (
      (record (map-get? validators tx-sender))
      (n-active (get active-validator-count (var-get market)))
      (expected (match record v (if (get active v) u0 u403) u400))
      (before (fz-snapshot tx-sender))
    )
    (asserts! (is-eq (mod seed u3) u0) (ok false))
    (match (request-validator-exit)
      unbonded-at (let (
          (after (fz-snapshot tx-sender))
          (old (unwrap! record (err u11001)))
          (v (unwrap! (map-get? validators tx-sender) (err u11007)))
        )
        (asserts! (is-eq expected u0) (err u11002))
        (asserts! (is-eq unbonded-at (+ burn-block-height (get validator-unbonding-blocks (get-parameters)))) (err u11003))
        (asserts! (and (not (get active v)) (is-eq (get exit-requested-at v) burn-block-height)
                       (is-eq (get active-validator-count (var-get market)) (- n-active u1))
                       (not (fz-in-set tx-sender)))
                  (err u11004))
        (asserts! (is-eq v (merge old { active: false, exit-requested-at: burn-block-height })) (err u11008))
        (asserts! (is-eq after before) (err u11005))
        (asserts! (is-eq (match (request-validator-exit) x u0 e e) u403) (err u11009))
        (asserts! (is-eq (match (withdraw-validator-stake) x u0 e e) u405) (err u11010))
        (fz-done))
      code (begin (asserts! (is-eq code expected) (err u11006)) (ok false)))
  )
)

;; 11 withdraw-validator-stake: only after the exit, the unbonding window, every
;; seat settled and every proposal it voted on executable; pays exactly the stake.
(define-public (test-withdraw-validator-stake)
  (let (
      (record (map-get? validators tx-sender))
      (expected (match record
                  v (if (get active v) u404
                      (if (< burn-block-height (+ (get exit-requested-at v) (get validator-unbonding-blocks (get-parameters)))) u405
                        (if (> (get open-seats v) u0) u406
                          (if (<= burn-block-height (default-to u0 (map-get? vote-locks tx-sender))) u714 u0))))
                  u400))
      (before (fz-snapshot tx-sender))
    )
    (match (withdraw-validator-stake)
      paid (let ((after (fz-snapshot tx-sender)) (tb (get totals before)))
        (asserts! (is-eq expected u0) (err u11101))
        (asserts! (is-eq (some paid) (get stake record)) (err u11102))
        (asserts! (is-eq (get who after) (+ (get who before) paid)) (err u11103))
        (asserts! (is-eq (+ (get contract after) paid) (get contract before)) (err u11104))
        (asserts! (is-eq (get totals after) (merge tb { validator-stakes: (- (get validator-stakes tb) paid) })) (err u11105))
        (asserts! (is-none (map-get? validators tx-sender)) (err u11106))
        (fz-done))
      code (begin (asserts! (is-eq code expected) (err u11107)) (ok false)))
  )
)

(define-private (fz-seat-was-active (seat principal) (all-ok bool))
  (and all-ok (match (map-get? validators seat) v (get active v) false))
)

(define-private (fz-seat-stake-is (seat principal) (acc { weights: (list 10 uint), i: uint, ok: bool }))
  {
    weights: (get weights acc),
    i: (+ (get i acc) u1),
    ok: (and (get ok acc) (is-eq (some (fz-vstake seat)) (element-at? (get weights acc) (get i acc)))),
  }
)

;; 12 draw-committee: at most min(committee-size, validators at the match)
;; seats, all active validators registered before the match, no party, each
;; seat weighing its stake now; no STX moved; refused while paused or after the
;; commit phase; a market that fit in one committee at the match needs no seed
;; (and, having seated nobody then, finds nobody now); a larger one waits for
;; its seed (SEED_NOT_READY, and get-committee-seed none) until the burn block
;; matched-at + decline-window + 1, the first one the provider cannot decline in.
(define-public (test-draw-committee (pick uint))
  (match (fz-pick-undrawn-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11201)))
        (size (fz-param (get parameter-version bid) "committee-size"))
        (n (get validators-at-match bid))
        (expected (if (get paused (var-get market)) u102
                    (if (> burn-block-height (fz-commit-closes bid-id)) u504
                      (if (fz-seed-pending bid-id) u508 u0))))
        (before (fz-snapshot tx-sender))
      )
      ;; no seed while its burn block is to come
      (asserts! (or (not (fz-seed-pending bid-id)) (is-none (get-committee-seed bid-id))) (err u11213))
      (match (draw-committee bid-id)
        seats (let ((c (unwrap! (get-committee bid-id) (err u11202))))
          (asserts! (is-eq expected u0) (err u11203))
          (asserts! (is-some (get-committee-seed bid-id)) (err u11214))
          (asserts! (is-eq seats (get seats c)) (err u11204))
          (asserts! (and (> (len seats) u0) (<= (len seats) (fz-min size n))) (err u11205))
          (asserts! (fold fz-seat-was-active seats true) (err u11206))
          (asserts! (get ok (fold fz-seat-eligible seats { max-ordinal: (get registrations-at-match bid), ok: true })) (err u11210))
          (asserts! (get ok (fold fz-seat-stake-is seats { weights: (get weights c), i: u0, ok: true })) (err u11211))
          (asserts! (and (is-eq (get commits c) u0) (is-eq (get reveals c) u0)) (err u11207))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11208))
          (asserts! (is-eq (match (draw-committee bid-id) x u0 e e) u510) (err u11212))
          (fz-done))
        code (begin
          (asserts! (if (is-eq expected u0)
                      (or (is-eq code u509) (and (is-eq code u508) (fz-seed-may-be-missing bid-id)))
                      (is-eq code expected))
                    (err u11209))
          (asserts! (is-none (get-committee bid-id)) (err u11215))
          (ok false))))
    (ok false)
  )
)

;; 13 commit-validation-result: a seat commits once, its vote weighing its
;; seat's weight (the stake at the draw); no STX moves; refused for a
;; non-validator, while paused, after the commit phase, for a party of the job;
;; a second commit is ALREADY_VOTED.
(define-public (test-commit-validation-result (pick uint) (score-seed uint) (salt-seed uint))
  (match (fz-pick-votable-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11301)))
        (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u11302)))
        (record (map-get? validators tx-sender))
        (score (fz-job-score bid-id score-seed))
        (salt (fz-salt salt-seed))
        (commitment (compute-commitment score salt bid-id tx-sender))
        (commits-before (match (get-committee bid-id) c (get commits c) u0))
        (expected (if (is-none record) u400
                    (if (get paused (var-get market)) u102
                      (if (> burn-block-height (fz-commit-closes bid-id)) u504
                        (if (or (is-eq tx-sender (get provider d)) (is-eq tx-sender (get bidder bid))) u505 u0)))))
        (before (fz-snapshot tx-sender))
      )
      (match (commit-validation-result bid-id commitment)
        done (let (
            (c (unwrap! (get-committee bid-id) (err u11303)))
            (v (unwrap! (get-vote bid-id tx-sender) (err u11304)))
            (seat (unwrap! (index-of? (get seats c) tx-sender) (err u11307)))
          )
          (asserts! (is-eq expected u0) (err u11305))
          (asserts! (not (fz-seed-pending bid-id)) (err u11313))
          (asserts! (and (is-eq (get commitment v) commitment) (not (get revealed v)) (not (get claimed v))
                         (is-eq (some (get weight v)) (element-at? (get weights c) seat)))
                    (err u11306))
          (asserts! (is-eq (get commits c) (+ commits-before u1)) (err u11311))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11308))
          (asserts! (is-eq (match (commit-validation-result bid-id commitment) again u0 e e) u501) (err u11309))
          (map-set fz-secrets { bid-id: bid-id, validator: tx-sender } { score: score, salt: salt })
          (fz-done))
        code (begin
          (asserts! (if (is-eq expected u0)
                      (or (is-eq code u506) (is-eq code u509) (and (is-eq code u508) (fz-seed-may-be-missing bid-id)))
                      (is-eq code expected))
                    (err u11310))
          ;; a committee waiting for its seed is never drawn by a vote
          (asserts! (or (not (is-eq expected u0)) (not (fz-seed-pending bid-id)) (is-some (get-committee bid-id))
                        (is-eq code u508))
                    (err u11312))
          (ok false))))
    (ok false)
  )
)

;; a job whose committee waits only for the caller's commitment (so that the
;; reveal phase opens once it commits)
(define-private (fz-last-seat (id uint))
  (and (fz-votable-bid id)
       (fz-in-seats id tx-sender)
       (match (get-committee id) c (is-eq (+ (get commits c) u1) (len (get seats c))) false)
       (not (get paused (var-get market)))
       (<= burn-block-height (fz-commit-closes id)))
)
;; The job to reveal on: one the caller committed on; else one where its
;; commitment is the last one missing, which it casts first (as
;; commit-validation-result, checked by its own property).
(define-private (fz-reveal-target (pick uint) (seed uint))
  (match (fz-pick-revealable-bid pick)
    bid-id (some bid-id)
    (match (fz-pick (filter fz-last-seat (fz-ids-upto (get last-bid-id (var-get market)))) pick)
      bid-id (let ((score (fz-job-score bid-id seed)) (salt (fz-salt seed)))
        (match (commit-validation-result bid-id (compute-commitment score salt bid-id tx-sender))
          done (begin
            (map-set fz-secrets { bid-id: bid-id, validator: tx-sender } { score: score, salt: salt })
            (some bid-id))
          e none))
      none))
)

;; 14 reveal-validation-result: another score or salt never opens a commitment
;; (COMMITMENT_MISMATCH), a score over 100 is INVALID_SCORE and a salt shorter
;; than 32 bytes INVALID_SALT; the true one succeeds exactly inside the reveal
;; phase; the reveal that completes the committee finalizes the job: settled by
;; the rules, or refunded when its median would slash without a strict majority
;; of the committee's weight. When the caller has nothing to reveal but sits on
;; a committee waiting only for its commitment, it commits first.
(define-public (test-reveal-validation-result (pick uint) (wrong-seed uint))
  (match (fz-reveal-target pick wrong-seed)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11401)))
        (secret (unwrap! (map-get? fz-secrets { bid-id: bid-id, validator: tx-sender }) (err u11402)))
        (score (get score secret))
        (salt (get salt secret))
        (short-salt (unwrap-panic (as-max-len? (unwrap-panic (slice? salt u0 u31)) u32)))
        (c (unwrap! (get-committee bid-id) (err u11403)))
        (v (unwrap! (get-vote bid-id tx-sender) (err u11404)))
        (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u11405)))
        (open (or (is-eq (get commits c) (len (get seats c))) (> burn-block-height (fz-commit-closes bid-id))))
        (expected (if (not open) u513 (if (> burn-block-height (fz-reveal-closes bid-id)) u514 u0)))
        (wrong-score (mod (+ score u1 (mod wrong-seed u100)) u101))
        (before (fz-snapshot tx-sender))
        (bidder-before (fz-snapshot (get bidder bid)))
        (ledger-before (fz-expired (get bidder bid)))
        (stakes (fz-stakes))
      )
      (asserts! (is-eq (match (reveal-validation-result bid-id wrong-score salt) x u0 e e) (if (is-eq expected u0) u515 expected)) (err u11406))
      (asserts! (is-eq (match (reveal-validation-result bid-id score (sha256 salt)) x u0 e e) (if (is-eq expected u0) u515 expected)) (err u11407))
      ;; 101 is a valid vote on a verified job only: 102 is never one
      (asserts! (is-eq (match (reveal-validation-result bid-id (if (get verified bid) (+ FZ_UNAVAILABLE u1) (+ MAX_SCORE u1)) salt) x u0 e e)
                       (if (is-eq expected u0) u500 expected))
                (err u11416))
      (asserts! (is-eq (match (reveal-validation-result bid-id score short-salt) x u0 e e) (if (is-eq expected u0) u517 expected)) (err u11417))
      (match (reveal-validation-result bid-id score salt)
        finalized (let (
            (c-after (unwrap! (get-committee bid-id) (err u11408)))
            (v-after (unwrap! (get-vote bid-id tx-sender) (err u11409)))
          )
          (asserts! (is-eq expected u0) (err u11410))
          (asserts! (and (get revealed v-after) (is-eq (get score v-after) score)) (err u11411))
          (asserts! (and (is-eq (get reveals c-after) (+ (get reveals c) u1))
                         (is-eq (get revealed-weight c-after) (+ (get revealed-weight c) (get weight v))))
                    (err u11412))
          (asserts! (is-eq finalized (is-eq (get reveals c-after) (len (get seats c)))) (err u11413))
          (if finalized
            (if (fz-settles bid-id (get revealed c-after) (get revealed-weight c-after) (get total-weight c-after))
              (let ((code (fz-settlement-code bid-id (get stake d) before (get expired ledger-before) stakes)))
                (asserts! (is-eq code u0) (err (+ u11450 code))))
              (let ((code (fz-refund-code bid-id STATUS_EXPIRED bidder-before ledger-before stakes)))
                (asserts! (is-eq code u0) (err (+ u11480 code)))))
            (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11414)))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u11415)) (ok false))))
    (ok false)
  )
)

;; a job whose drawn committee is the caller alone
(define-private (fz-one-seat-bid (id uint))
  (and (fz-votable-bid id)
       (match (get-committee id) c (is-eq (get seats c) (list tx-sender)) false))
)

;; 15 submit-validation-result: the one-seat direct path; names the dataset of the
;; bid (another id is BID_DATASET_MISMATCH); finalizes at once with the score as
;; the median (one seat is always a majority, so a low score slashes) and
;; settles by the rules. A seat of a larger committee is refused
;; (COMMIT_REQUIRED: a score in the clear would be copied) and nothing changes:
;; that refusal is the other half of the property, and passes too.
(define-public (test-submit-validation-result (pick uint) (score-seed uint))
  (match (match (fz-pick (filter fz-one-seat-bid (fz-ids-upto (get last-bid-id (var-get market)))) pick)
           found (some found)
           (fz-pick-votable-bid pick))
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11501)))
        (dataset-id (get dataset-id bid))
        (d (unwrap! (map-get? datasets dataset-id) (err u11502)))
        (record (map-get? validators tx-sender))
        (score (fz-job-score bid-id score-seed))
        (expected (if (is-none record) u400
                    (if (get paused (var-get market)) u102
                      (if (> burn-block-height (fz-commit-closes bid-id)) u504
                        (if (or (is-eq tx-sender (get provider d)) (is-eq tx-sender (get bidder bid))) u505 u0)))))
        (before (fz-snapshot tx-sender))
        (expired-before (get expired (fz-expired tx-sender)))
        (stakes (fz-stakes))
        (committee-before (get-committee bid-id))
      )
      (asserts! (is-eq (match (submit-validation-result (+ dataset-id u1) bid-id score) x u0 e e)
                       (if (is-none record) u400 (if (get paused (var-get market)) u102 u502)))
                (err u11503))
      (match (submit-validation-result dataset-id bid-id score)
        done (let (
            (c (unwrap! (get-committee bid-id) (err u11504)))
            (r (unwrap! (get-job-result bid-id) (err u11505)))
            (code (fz-settlement-code bid-id (get stake d) before expired-before stakes))
          )
          (asserts! (is-eq expected u0) (err u11506))
          (asserts! (not (fz-seed-pending bid-id)) (err u11512))
          (asserts! (and done (is-eq (len (get seats c)) u1) (is-eq (get final-score r) score)
                         (is-eq (get total-weight c) (get revealed-weight c)))
                    (err u11507))
          (asserts! (is-eq code u0) (err (+ u11550 code)))
          (fz-done))
        code (let ((c committee-before))
          (asserts! (if (is-eq expected u0)
                      (or (is-eq code u506) (is-eq code u507) (is-eq code u509)
                          (and (is-eq code u508) (is-none c) (fz-seed-may-be-missing bid-id)))
                      (is-eq code expected))
                    (err u11508))
          (asserts! (or (not (is-eq expected u0)) (is-some c) (not (fz-seed-pending bid-id)) (is-eq code u508))
                    (err u11511))
          ;; COMMIT_REQUIRED for a seat of a committee of several (drawn before, or by
          ;; this call and then undone with it); no vote, no STX moved
          (asserts! (match c
                      x (is-eq (is-eq code u507)
                               (and (is-eq expected u0) (> (len (get seats x)) u1) (is-some (index-of? (get seats x) tx-sender))))
                      true)
                    (err u11509))
          (asserts! (and (is-none (get-vote bid-id tx-sender))
                         (is-eq (get contract (fz-snapshot tx-sender)) (get contract before)))
                    (err u11510))
          (ok (is-eq code u507)))))
    (ok false)
  )
)

;; 16 finalize-validation: succeeds exactly when the job is due to end: after
;; the reveal window, with enough reveals it settles by the median (a median of
;; the reserved 101 is a bidder default, u7), unless that median would slash
;; without a strict majority of the committee's whole weight: then, as with too
;; few reveals (or no committee), the bidder gets back what the job holds
;; without a slash (outcome u5 NO_MAJORITY, u4 NO_QUORUM) and only silent seats
;; are penalized. A verified job undelivered past its deadline and its decline
;; window (fz-due-by) fails at once (u6, see fz-missed-code); one whose
;; evaluation set was not revealed by fz-eval-closes settles as a bidder
;; default (u7).
(define-public (test-finalize-validation (pick uint))
  (match (fz-pick-matched-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11601)))
        (bidder (get bidder bid))
        (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u11602)))
        (committee (get-committee bid-id))
        (stage (fz-stage bid-id))
        (enough (match committee
                  c (>= (get reveals c) (fz-min-reveals (len (get seats c)) (fz-param (get parameter-version bid) "min-reveals-bps")))
                  false))
        (settles (match committee c (fz-settles bid-id (get revealed c) (get revealed-weight c) (get total-weight c)) false))
        (expected (if (is-eq stage u0) u516 u0))
        (before (fz-snapshot bidder))
        (ledger-before (fz-expired bidder))
        (stakes (fz-stakes))
      )
      (match (finalize-validation bid-id)
        outcome (begin
          (asserts! (is-eq expected u0) (err u11603))
          (if (is-eq stage u1)
            (let ((code (fz-missed-code bid-id d before ledger-before stakes)))
              (asserts! (is-eq outcome OUTCOME_NOT_DELIVERED) (err u11607))
              (asserts! (is-eq code u0) (err (+ u11620 code))))
            (if (or (is-eq stage u2) (and enough settles))
              (let ((code (fz-settlement-code bid-id (get stake d) before (get expired ledger-before) stakes)))
                (asserts! (if (is-eq stage u2) (is-eq outcome OUTCOME_BIDDER_DEFAULT)
                            (or (<= outcome OUTCOME_SLASHED) (and (get verified bid) (is-eq outcome OUTCOME_BIDDER_DEFAULT))))
                          (err u11604))
                (asserts! (is-eq (some outcome) (get outcome (get-job-result bid-id))) (err u11605))
                (asserts! (is-eq code u0) (err (+ u11650 code))))
              (let ((code (fz-refund-code bid-id STATUS_EXPIRED before ledger-before stakes)))
                (asserts! (is-eq outcome (if enough OUTCOME_NO_MAJORITY OUTCOME_NO_QUORUM)) (err u11606))
                (asserts! (is-eq code u0) (err (+ u11680 code)))
                (asserts! (is-eq (get stake (default-to d (map-get? datasets (get dataset-id bid)))) (get stake d)) (err u11611)))))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u11612)) (ok false))))
    (ok false)
  )
)

;; 17 claim-validation-reward: pays a coherent seat its stake-weighted share of
;; what is left of the pool (the last coherent claimant takes the remainder), an
;; outlier or silent seat 0; never more than the pool; a claim never succeeds twice.
(define-public (test-claim-validation-reward (pick uint))
  (match (fz-pick-claimable-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11701)))
        (r (unwrap! (get-job-result bid-id) (err u11702)))
        (v (unwrap! (get-vote bid-id tx-sender) (err u11703)))
        (final (get final-score r))
        (coherent (and (get revealed v) (fz-coherent-score (get score v) final (fz-param (get parameter-version bid) "consensus-tolerance"))))
        (pool (get reward-pool r))
        (pool-weight (get reward-weight r))
        (share (if coherent (if (>= (get weight v) pool-weight) pool (/ (* pool (get weight v)) pool-weight)) u0))
        (expected (if (get claimed v) u602 u0))
        (before (fz-snapshot tx-sender))
      )
      (match (claim-validation-reward bid-id)
        reward (let (
            (after (fz-snapshot tx-sender))
            (r-after (unwrap! (get-job-result bid-id) (err u11704)))
            (tb (get totals before))
          )
          (asserts! (is-eq expected u0) (err u11705))
          (asserts! (and (is-eq reward share) (<= reward pool)) (err u11706))
          (asserts! (is-eq (get who after) (+ (get who before) reward)) (err u11707))
          (asserts! (is-eq (+ (get contract after) reward) (get contract before)) (err u11708))
          (asserts! (is-eq (get totals after) (merge tb { unclaimed-rewards: (- (get unclaimed-rewards tb) reward) })) (err u11709))
          (asserts! (if coherent
                      (and (is-eq (get reward-pool r-after) (- pool reward))
                           (is-eq (get reward-weight r-after) (- pool-weight (get weight v))))
                      (is-eq r-after r))
                    (err u11710))
          (asserts! (is-eq (match (claim-validation-reward bid-id) again u0 e e) u602) (err u11711))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u11712)) (ok false))))
    (ok false)
  )
)

;; Room for a proposal: one at a time, from its creation to its executable-at,
;; so that votes gather on it and some reach quorum, and so that the vote locks
;; (until executable-at) lapse before the next one takes votes: otherwise the
;; voters' stakes would never leave the contract in a campaign.
(define-private (fz-not-executable-yet (id uint))
  (match (map-get? proposals id) p (< burn-block-height (get executable-at p)) false)
)
(define-private (fz-room-for-proposal)
  (and (< (get last-proposal-id (var-get market)) FZ_CREATE_CAP)
       (is-eq (len (filter fz-not-executable-yet (fz-ids-upto (get last-proposal-id (var-get market))))) u0))
)

;; Records each account's voting power when a proposal is made from here.
(define-private (fz-record-power (who principal) (proposal-id uint))
  (begin (map-set fz-power-at-proposal { proposal-id: proposal-id, who: who } (fz-power who)) proposal-id)
)

;; 18 propose-parameter-change: needs proposal-threshold of stake; the value must
;; sit in the parameter's bounds and keep the cross rules (thresholds, a decline
;; window under the validation window, fees); stores the schedule and the
;; parameter version it was made under.
(define-public (test-propose-parameter-change (name-seed uint) (value-seed uint))
  (let (
      (params (get-parameters))
      (name (fz-parameter-name name-seed))
      (bounds (unwrap! (map-get? parameter-bounds name) (err u11801)))
      (value (if (is-eq (mod value-seed u19) u0) (+ (get max-value bounds) u1) (fz-proposal-value name value-seed)))
      (expected (if (< (fz-power tx-sender) (get proposal-threshold params)) u705
                  (if (> value (get max-value bounds)) u702
                    (if (or (and (is-eq name "reward-threshold") (<= value (get slash-threshold params)))
                            (and (is-eq name "slash-threshold") (>= value (get reward-threshold params)))) u703
                      (if (fz-windows-cross name value (get version params)) u716
                        (if (or (and (is-eq name "validator-fee-bps") (>= (+ value (get protocol-fee-bps params)) BPS))
                                (and (is-eq name "protocol-fee-bps") (>= (+ value (get validator-fee-bps params)) BPS))) u704
                          u0))))))
      (before (fz-snapshot tx-sender))
      (next-id (+ (get last-proposal-id (var-get market)) u1))
      (powers (map fz-power FZ_ACCOUNTS))
      (below (< (fz-power tx-sender) (get proposal-threshold params)))
    )
    ;; the windows rule, probed on every call: a decline window as long as the
    ;; validation window, or a validation window as short as the decline window,
    ;; is refused (or out of bounds) and leaves no proposal
    (asserts! (is-eq (match (propose-parameter-change "decline-window" (get validation-window params)) x u0 e e)
                     (if below u705 (if (> (get validation-window params) u1008) u702 u716)))
              (err u11809))
    (asserts! (is-eq (match (propose-parameter-change "validation-window" (get decline-window params)) x u0 e e)
                     (if below u705 (if (is-eq (get decline-window params) u0) u702 u716)))
              (err u11810))
    (asserts! (is-eq (+ (get last-proposal-id (var-get market)) u1) next-id) (err u11811))
    ;; a refusal changes nothing, room for a proposal or not
    (asserts! (or (fz-room-for-proposal) (not (is-eq expected u0))) (ok false))
    (match (propose-parameter-change name value)
      id (let (
          (p (unwrap! (map-get? proposals id) (err u11802)))
          (ends (+ burn-block-height (get voting-period params)))
          (executable (+ ends (get execution-delay params) u1))
        )
        (asserts! (is-eq expected u0) (err u11803))
        (asserts! (is-eq id next-id) (err u11804))
        (asserts! (is-eq p { proposer: tx-sender, parameter: name, value: value, base-version: (get version params),
                             created-at: burn-block-height,
                             voting-ends-at: ends, executable-at: executable,
                             expires-at: (+ executable PROPOSAL_EXECUTION_WINDOW),
                             quorum-bps: (get governance-quorum-bps params),
                             total-stake: (+ (get dataset-stakes (get totals before)) (get validator-stakes (get totals before))),
                             yes-votes: u0, no-votes: u0, executed: false })
                  (err u11805))
        (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11806))
        ;; every stake held now may vote on it in full
        (asserts! (is-eq (map fz-power-on FZ_ACCOUNTS (list id id id id id id id id id)) powers) (err u11808))
        (fold fz-record-power FZ_ACCOUNTS id)
        (fz-done))
      code (begin (asserts! (is-eq code expected) (err u11807)) (ok false)))
  )
)

;; Two votes in three are yes (the fuzzer's bool, or yes one time in three when
;; it says no), so that some proposals pass and get executed.
(define-private (fz-support (pick uint) (random-support bool))
  (or random-support (is-eq (mod pick u3) u0))
)

;; 19 vote-on-proposal: once per principal, during the voting period, with the
;; stake it held before the proposal (stake added since does not count; a
;; validator registered since does not vote), never more than its power when
;; the proposal was made, exactly what get-proposal-voting-power said (u0 for
;; a proposal that does not exist); locks its stakes until the proposal's
;; executable-at (or a later lock it had).
(define-public (test-vote-on-proposal (pick uint) (random-support bool))
  (let ((support (fz-support pick random-support)))
  (match (fz-pick-proposal-where pick true)
    proposal-id (let (
        (p (unwrap! (map-get? proposals proposal-id) (err u11901)))
        (power (fz-power-on tx-sender proposal-id))
        (quoted (get-proposal-voting-power proposal-id tx-sender))
        (lock-before (default-to u0 (map-get? vote-locks tx-sender)))
        (expected (if (> burn-block-height (get voting-ends-at p)) u708
                    (if (is-some (map-get? proposal-votes { proposal-id: proposal-id, voter: tx-sender })) u707
                      (if (is-eq power u0) u706 u0))))
        (before (fz-snapshot tx-sender))
      )
      (asserts! (is-eq quoted power) (err u11912))
      (asserts! (and (is-eq (get-proposal-voting-power u0 tx-sender) u0)
                     (is-eq (get-proposal-voting-power (+ (get last-proposal-id (var-get market)) u1) tx-sender) u0))
                (err u11913))
      (match (vote-on-proposal proposal-id support)
        weight (let ((p-after (unwrap! (map-get? proposals proposal-id) (err u11902))))
          (asserts! (is-eq expected u0) (err u11903))
          (asserts! (and (is-eq weight power) (<= weight (fz-power tx-sender))) (err u11904))
          (asserts! (match (map-get? fz-power-at-proposal { proposal-id: proposal-id, who: tx-sender })
                      at-proposal (<= weight at-proposal)
                      true)
                    (err u11911))
          (asserts! (is-eq p-after (merge p (if support
                                              { yes-votes: (+ (get yes-votes p) weight), no-votes: (get no-votes p) }
                                              { yes-votes: (get yes-votes p), no-votes: (+ (get no-votes p) weight) })))
                    (err u11905))
          (asserts! (is-eq (map-get? vote-locks tx-sender) (some (fz-max lock-before (get executable-at p)))) (err u11906))
          ;; locked through executable-at: no stake of the voter's leaves before then
          (asserts! (is-eq (get-vote-lock tx-sender) (fz-max lock-before (get executable-at p))) (err u11914))
          (asserts! (is-eq (match (withdraw-validator-stake) x u0 e e)
                           (match (map-get? validators tx-sender)
                             v (if (get active v) u404
                                 (if (< burn-block-height (+ (get exit-requested-at v) (get validator-unbonding-blocks (get-parameters)))) u405
                                   (if (> (get open-seats v) u0) u406 u714)))
                             u400))
                    (err u11915))
          (asserts! (is-eq (map-get? proposal-votes { proposal-id: proposal-id, voter: tx-sender }) (some { support: support, weight: weight }))
                    (err u11907))
          (asserts! (is-eq (match (vote-on-proposal proposal-id support) again u0 e e) u707) (err u11908))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11909))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u11910)) (ok false))))
    (ok false)
  )
  )
)

(define-private (fz-other-unchanged (name (string-ascii 32)) (acc { changed: (string-ascii 32), old: uint, new: uint, ok: bool }))
  (merge acc { ok: (and (get ok acc)
                        (or (is-eq name (get changed acc))
                            (is-eq (fz-param (get old acc) name) (fz-param (get new acc) name)))) })
)

;; 20 execute-proposal: succeeds exactly when not executed, in its execution
;; window, with quorum of all stake (capped at the stake when proposed), more
;; yes than no, its parameter not changed by another execution since it was
;; proposed, and still consistent; it then changes only that parameter, in a
;; new version (recorded as the version that changed it); never twice.
(define-public (test-execute-proposal (pick uint))
  (match (fz-pick-proposal-where pick false)
    proposal-id (let (
        (p (unwrap! (map-get? proposals proposal-id) (err u12001)))
        (params (get-parameters))
        (totals (get-market-totals))
        (name (get parameter p))
        (value (get value p))
        (votes-cast (+ (get yes-votes p) (get no-votes p)))
        ;; the quorum base: all stake now, but never more than when proposed
        (quorum-base (fz-min (get total-stake p) (+ (get dataset-stakes totals) (get validator-stakes totals))))
        (expected (if (get executed p) u711
                    (if (< burn-block-height (get executable-at p)) u709
                      (if (>= burn-block-height (get expires-at p)) u710
                        (if (< (* votes-cast BPS) (* quorum-base (get quorum-bps p))) u712
                          (if (<= (get yes-votes p) (get no-votes p)) u713
                            (if (> (default-to u0 (map-get? parameter-changed-in name)) (get base-version p)) u715
                              (if (or (and (is-eq name "reward-threshold") (<= value (get slash-threshold params)))
                                      (and (is-eq name "slash-threshold") (>= value (get reward-threshold params)))) u703
                                (if (fz-windows-cross name value (get version params)) u716
                                  (if (or (and (is-eq name "validator-fee-bps") (>= (+ value (get protocol-fee-bps params)) BPS))
                                          (and (is-eq name "protocol-fee-bps") (>= (+ value (get validator-fee-bps params)) BPS))) u704
                                    u0))))))))))
        (before (fz-snapshot tx-sender))
      )
      (match (execute-proposal proposal-id)
        version (let ((new-params (get-parameters)))
          (asserts! (is-eq expected u0) (err u12002))
          (asserts! (and (is-eq version (+ (get version params) u1)) (is-eq (get version new-params) version)) (err u12003))
          (asserts! (is-eq (fz-param version name) value) (err u12004))
          (asserts! (get ok (fold fz-other-unchanged FZ_PARAMETER_NAMES
                              { changed: name, old: (get version params), new: version, ok: true }))
                    (err u12005))
          (asserts! (get executed (default-to p (map-get? proposals proposal-id))) (err u12006))
          (asserts! (is-eq (map-get? parameter-changed-in name) (some version)) (err u12010))
          (asserts! (is-eq (match (execute-proposal proposal-id) again u0 e e) u711) (err u12007))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u12008))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u12009)) (ok false))))
    (ok false)
  )
)

;; 21 set-paused: owner only. Starting a pause logs it (pauses + 1, started
;; now, still running), ending one logs when it ended, unless it began in the
;; same burn block: it kept nobody from committing and is erased (pauses - 1,
;; no log entry), so it neither excuses a silent seat nor hides a later pause;
;; repeating the state changes nothing. When the market is paused the owner
;; resumes it; otherwise one call in eight starts a lasting pause and the
;; others a pause that ends in the same block, so that the market is mostly
;; open. A refused non-owner call is the owner-only property holding: it passes
;; too.
(define-private (fz-set-paused-code (pause bool))
  (let (
      (state (var-get market))
      (was-paused (get paused state))
      (n (get pauses state))
      (last (map-get? pause-log n))
    )
    (if (not (is-eq (set-paused pause) (ok true))) u1
      (let (
          (after (var-get market))
          ;; a pause ended in the burn block it began kept nobody from committing:
          ;; it is erased from the log (and from the count)
          (erased (and was-paused (not pause) (match last l (is-eq (get started-at l) burn-block-height) false)))
        )
        (if (not (is-eq (get paused after) pause)) u2
        (if (not (is-eq (merge after { paused: was-paused, pauses: n }) state)) u3
        (if (not (if (and pause (not was-paused))
                   (and (is-eq (get pauses after) (+ n u1))
                        (is-eq (map-get? pause-log (+ n u1)) (some { started-at: burn-block-height, ended-at: u0 })))
                   (if erased
                     (and (is-eq (get pauses after) (- n u1)) (is-none (map-get? pause-log n)))
                     (and (is-eq (get pauses after) n)
                          (is-eq (map-get? pause-log n)
                                 (if (and was-paused (not pause))
                                   (match last l (some (merge l { ended-at: burn-block-height })) none)
                                   last)))))) u4
          u0))))))
)
(define-public (test-set-paused (seed uint))
  (let (
      (state (var-get market))
      (was-paused (get paused state))
    )
    (if (is-eq tx-sender CONTRACT_OWNER)
      (let (
          ;; resume a pause; else start one, lasting one time in eight
          (short (and (not was-paused) (> (mod seed u8) u0)))
          (code (fz-set-paused-code (not was-paused)))
          ;; the same state again changes nothing
          (again (fz-set-paused-code (not was-paused)))
          ;; a short pause is resumed in the same block
          (resumed (if short (fz-set-paused-code false) u0))
        )
        (asserts! (is-eq code u0) (err (+ u12100 code)))
        (asserts! (is-eq again u0) (err (+ u12110 again)))
        (asserts! (is-eq resumed u0) (err (+ u12120 resumed)))
        (fz-done))
      (begin
        (asserts! (is-eq (set-paused (is-eq (mod seed u4) u0)) (err u100)) (err u12131))
        (asserts! (is-eq (var-get market) state) (err u12132))
        (ok true))))
)

;; 22 withdraw-treasury: owner only, 0 < amount <= treasury, never more; pays
;; exactly the amount out of the treasury bucket. A refused call (not the
;; owner, or more than the treasury) is checked to move nothing, and passes:
;; those refusals are the property.
(define-public (test-withdraw-treasury (amount-seed uint) (recipient principal))
  (let (
      (treasury (get treasury (get-market-totals)))
      ;; two in five over the treasury, half of those by exactly 1; else 1..treasury,
      ;; the whole treasury one time in four
      (amount (if (< (mod amount-seed u5) u2)
                (+ treasury u1 (if (is-eq (mod (/ amount-seed u5) u2) u0) u0 (mod amount-seed u1000)))
                (if (is-eq treasury u0) u0
                  (if (is-eq (mod (/ amount-seed u5) u4) u0) treasury (+ u1 (mod amount-seed treasury))))))
      (expected (if (not (is-eq tx-sender CONTRACT_OWNER)) u100
                  (if (is-eq amount u0) u103
                    (if (> amount treasury) u800 u0))))
      (before (fz-snapshot recipient))
    )
    (match (withdraw-treasury amount recipient)
      paid (let ((after (fz-snapshot recipient)) (tb (get totals before)))
        (asserts! (is-eq expected u0) (err u12201))
        (asserts! (and (is-eq paid amount) (<= paid treasury)) (err u12202))
        (asserts! (is-eq (get who after) (+ (get who before) paid)) (err u12203))
        (asserts! (is-eq (+ (get contract after) paid) (get contract before)) (err u12204))
        (asserts! (is-eq (get totals after) (merge tb { treasury: (- (get treasury tb) paid) })) (err u12205))
        (fz-done))
      code (begin
        (asserts! (is-eq code expected) (err u12206))
        (asserts! (is-eq (fz-snapshot recipient) before) (err u12207))
        (ok (not (is-eq code u103)))))
  )
)

;; 26 sweep-surplus: it never succeeds while there is no surplus, i.e. no
;; contract call ever leaves STX untracked (every call of this campaign came
;; before): refused with ZERO_AMOUNT for the owner, NOT_AUTHORIZED for anyone
;; else, nothing moved. Then, for the owner, a plain transfer to the contract
;; (STX sent outside its functions) makes exactly that surplus, which the sweep
;; books into the treasury, leaving none.
(define-public (test-sweep-surplus (amount-seed uint))
  (let (
      (owner (is-eq tx-sender CONTRACT_OWNER))
      (before (fz-snapshot tx-sender))
      (amount (+ u1 (mod amount-seed u1000000)))
    )
    (asserts! (is-eq (get surplus (get totals before)) u0) (err u12601))
    (asserts! (is-eq (match (sweep-surplus) x u0 e e) (if owner u103 u100)) (err u12602))
    (asserts! (is-eq (fz-snapshot tx-sender) before) (err u12603))
    (if owner
      (let (
          (sent (unwrap! (stx-transfer? amount tx-sender current-contract) (err u12604)))
          (with-surplus (fz-snapshot tx-sender))
          (tb (get totals before))
        )
        (asserts! (is-eq (get totals with-surplus) (merge tb { surplus: amount })) (err u12605))
        (asserts! (is-eq (get contract with-surplus) (+ (get contract before) amount)) (err u12606))
        (asserts! (is-eq (sweep-surplus) (ok amount)) (err u12607))
        (asserts! (is-eq (get totals (fz-snapshot tx-sender)) (merge tb { treasury: (+ (get treasury tb) amount) }))
                  (err u12608))
        (asserts! (is-eq (get contract (fz-snapshot tx-sender)) (get contract with-surplus)) (err u12609))
        (asserts! (is-eq (match (sweep-surplus) x u0 e e) u103) (err u12610))
        (fz-done))
      (fz-done))
  )
)

;; ---------------------------------------------------------------------------
;; Property tests of verified jobs: delivery and the sealed evaluation set
;; ---------------------------------------------------------------------------

;; a running verified job on one of the caller's datasets, not delivered yet
(define-private (fz-my-undelivered (id uint))
  (and (fz-my-job id) (fz-verified id) (not (fz-delivered id)))
)
;; ... that the caller can still deliver (by its deadline)
(define-private (fz-deliverable (id uint))
  (and (fz-my-undelivered id) (match (map-get? bids id) bid (<= burn-block-height (get deadline bid)) false))
)
;; a running verified job of another's dataset, not delivered yet
(define-private (fz-others-undelivered (id uint))
  (and (fz-matched-bid id) (fz-verified id) (not (fz-delivered id)) (not (fz-my-job id)))
)
(define-private (fz-plain-matched (id uint))
  (and (fz-matched-bid id) (not (fz-verified id)))
)
(define-private (fz-model (seed uint))
  (sha256 (unwrap-panic (to-consensus-buff? { model: seed })))
)

;; 28 deliver-model: only the job's provider delivers, once, while the job runs
;; and by its deadline (paused or not), a full 32-byte digest (a shorter one is
;; INVALID_DIGEST, after DELIVERY_CLOSED); it is paid exactly the compute fee less
;; the validators' share (kept in escrow for the committee) and the protocol fee
;; (to the treasury); the escrow keeps the rest of the bid and that share; the
;; model's digest and the block are recorded; a delivered job can no longer be
;; declined. A plain job has nothing to deliver (NOT_VERIFIED_JOB), another's
;; job is refused (NOT_DATASET_PROVIDER), a late one DELIVERY_CLOSED; these
;; refusals change nothing. With no job of its own to deliver, a caller that
;; tried another's passes: nobody but the provider takes a compute fee (the
;; refusal is the property, as with the owner-only calls).
(define-public (test-deliver-model (pick uint) (model-seed uint))
  (let (
      (ids (fz-ids-upto (get last-bid-id (var-get market))))
      (model (fz-model model-seed))
      (before-all (fz-snapshot tx-sender))
    )
    (match (fz-pick (filter fz-plain-matched ids) pick)
      id (asserts! (is-eq (match (deliver-model id model) x u0 e e) u314) (err u12801))
      true)
    (match (fz-pick (filter fz-others-undelivered ids) pick)
      id (asserts! (is-eq (match (deliver-model id model) x u0 e e) u203) (err u12802))
      true)
    (asserts! (is-eq (fz-snapshot tx-sender) before-all) (err u12803))
    (asserts! (or (> (len (filter fz-my-undelivered ids)) u0) (is-none (fz-pick (filter fz-others-undelivered ids) pick)))
              (fz-done))
    (match (match (fz-pick (filter fz-deliverable ids) pick) found (some found) (fz-pick (filter fz-my-undelivered ids) pick))
      bid-id (let (
          (bid (unwrap! (map-get? bids bid-id) (err u12804)))
          (p (unwrap! (map-get? parameter-history (get parameter-version bid)) (err u12805)))
          (delivery (unwrap! (map-get? job-deliveries bid-id) (err u12806)))
          (fee (get compute-fee bid))
          (share (/ (* fee (get validator-fee-bps p)) BPS))
          (protocol (/ (* fee (get protocol-fee-bps p)) BPS))
          (payment (- fee share protocol))
          (expected (if (> burn-block-height (get deadline bid)) u316 u0))
          (before (fz-snapshot tx-sender))
        )
        ;; a model is named by its full digest: a shorter one is refused last (after a late delivery)
        (asserts! (is-eq (match (deliver-model bid-id (fz-short model)) x u0 e e) (if (is-eq expected u0) u322 expected))
                  (err u12820))
        (match (deliver-model bid-id model)
          paid (let ((after (fz-snapshot tx-sender)) (tb (get totals before)))
            (asserts! (is-eq expected u0) (err u12807))
            (asserts! (is-eq paid payment) (err u12808))
            (asserts! (is-eq (get who after) (+ (get who before) payment)) (err u12809))
            (asserts! (is-eq (+ (get contract after) payment) (get contract before)) (err u12810))
            (asserts! (is-eq (get totals after) (merge tb { escrowed-bids: (- (get escrowed-bids tb) (+ payment protocol)),
                                                            treasury: (+ (get treasury tb) protocol) }))
                      (err u12811))
            ;; the escrow keeps the rest of the bid and the validators' share of the fee
            (asserts! (is-eq (fz-held bid-id) (+ (- (get amount bid) fee) share)) (err u12812))
            (asserts! (is-eq (map-get? job-deliveries bid-id) (some (merge delivery { model: (some model), delivered-at: burn-block-height })))
                      (err u12813))
            ;; once: the digest cannot be swapped; a delivered model is a job taken on
            (asserts! (is-eq (match (deliver-model bid-id (fz-model (+ model-seed u1))) x u0 e e) u315) (err u12814))
            (asserts! (is-eq (match (decline-job bid-id) x u0 e e)
                             (if (> burn-block-height (+ (get matched-at bid) (fz-param (get parameter-version bid) "decline-window"))) u312 u321))
                      (err u12815))
            ;; the job runs on: its bidder has eval-reveal-window blocks to reveal its evaluation set
            (asserts! (and (is-eq (fz-stage bid-id) u0) (is-eq (get status (default-to bid (map-get? bids bid-id))) STATUS_MATCHED))
                      (err u12816))
            (asserts! (is-eq (fz-snapshot tx-sender) after) (err u12817))
            (fz-done))
          code (begin
            (asserts! (is-eq code expected) (err u12818))
            (asserts! (is-eq (fz-snapshot tx-sender) before) (err u12819))
            (ok false))))
      (ok false))
  )
)

;; the caller's running verified job, delivered, its evaluation set (sealed from
;; here) not revealed yet
(define-private (fz-my-sealed (id uint))
  (and (fz-matched-bid id) (fz-my-bid id) (fz-delivered id) (not (fz-eval-revealed id)) (is-some (map-get? fz-evals id)))
)
(define-private (fz-my-undelivered-bid (id uint))
  (and (fz-matched-bid id) (fz-my-bid id) (fz-verified id) (not (fz-delivered id)) (is-some (map-get? fz-evals id)))
)
(define-private (fz-others-delivered (id uint))
  (and (fz-matched-bid id) (fz-delivered id) (not (fz-eval-revealed id)) (not (fz-my-bid id)))
)

;; 29 reveal-evaluation-set: only the job's bidder reveals, once, after the
;; delivery and by eval-reveal-window after the deadline (fz-eval-closes; an early
;; delivery does not shorten it; paused or not), and only the set sealed with
;; the bid: another digest or salt never opens the commitment
;; (EVAL_COMMITMENT_MISMATCH), a short salt is INVALID_SALT, a short digest
;; INVALID_DIGEST (checked before the salt); no STX moves; the
;; digest and the block are recorded and the committee's commit window opens
;; for validation-window blocks (get-validation-windows follows). No vote is
;; taken before the reveal (EVALUATION_NOT_REVEALED); before the delivery there
;; is nothing to reveal (NOT_DELIVERED); another's job is NOT_BIDDER. With no
;; set of its own to reveal, a caller that tried another's passes: nobody but
;; the bidder opens a job's judging (the refusal is the property).
(define-public (test-reveal-evaluation-set (pick uint))
  (let (
      (ids (fz-ids-upto (get last-bid-id (var-get market))))
      (before-all (fz-snapshot tx-sender))
    )
    (match (fz-pick (filter fz-my-undelivered-bid ids) pick)
      id (match (map-get? fz-evals id)
           sealed (asserts! (is-eq (match (reveal-evaluation-set id (get digest sealed) (get salt sealed)) x u0 e e) u317) (err u12901))
           true)
      true)
    (match (fz-pick (filter fz-others-delivered ids) pick)
      id (asserts! (is-eq (match (reveal-evaluation-set id (fz-model id) (fz-model pick)) x u0 e e) u306) (err u12902))
      true)
    (asserts! (is-eq (fz-snapshot tx-sender) before-all) (err u12903))
    (asserts! (or (> (len (filter fz-my-sealed ids)) u0) (is-none (fz-pick (filter fz-others-delivered ids) pick)))
              (fz-done))
    (match (fz-pick (filter fz-my-sealed ids) pick)
      bid-id (let (
          (bid (unwrap! (map-get? bids bid-id) (err u12904)))
          (p (unwrap! (map-get? parameter-history (get parameter-version bid)) (err u12905)))
          (delivery (unwrap! (map-get? job-deliveries bid-id) (err u12906)))
          (sealed (unwrap! (map-get? fz-evals bid-id) (err u12907)))
          (digest (get digest sealed))
          (salt (get salt sealed))
          (short-salt (unwrap-panic (as-max-len? (unwrap-panic (slice? salt u0 u31)) u32)))
          ;; due eval-reveal-window after the deadline, however early the model came
          (expected (if (> burn-block-height (fz-eval-closes bid-id)) u319 u0))
          ;; the bidder's own vote: refused as no validator, while paused, or before the reveal
          (vote-refusal (if (is-none (map-get? validators tx-sender)) u400 (if (get paused (var-get market)) u102 u518)))
          (before (fz-snapshot tx-sender))
        )
        (asserts! (is-eq (match (commit-validation-result bid-id digest) x u0 e e) vote-refusal) (err u12908))
        (asserts! (is-eq (match (reveal-evaluation-set bid-id (sha256 digest) salt) x u0 e e) (if (is-eq expected u0) u320 expected))
                  (err u12909))
        (asserts! (is-eq (match (reveal-evaluation-set bid-id digest (sha256 salt)) x u0 e e) (if (is-eq expected u0) u320 expected))
                  (err u12910))
        (asserts! (is-eq (match (reveal-evaluation-set bid-id digest short-salt) x u0 e e) (if (is-eq expected u0) u517 expected))
                  (err u12911))
        ;; the set is named by its full digest: a shorter one is refused after the window, before the salt
        (asserts! (is-eq (match (reveal-evaluation-set bid-id (fz-short digest) short-salt) x u0 e e) (if (is-eq expected u0) u322 expected))
                  (err u12922))
        (match (reveal-evaluation-set bid-id digest salt)
          closes (let ((windows (unwrap! (get-validation-windows bid-id) (err u12912))))
            (asserts! (is-eq expected u0) (err u12913))
            (asserts! (is-eq closes (+ burn-block-height (get validation-window p))) (err u12914))
            (asserts! (is-eq (map-get? job-deliveries bid-id)
                             (some (merge delivery { eval-digest: (some digest), eval-revealed-at: burn-block-height })))
                      (err u12915))
            (asserts! (and (is-eq (get commit-closes-at windows) closes)
                           (is-eq (get reveal-closes-at windows) (+ closes (get reveal-window p))))
                      (err u12916))
            (asserts! (is-eq (fz-snapshot tx-sender) before) (err u12917))
            (asserts! (is-eq (match (reveal-evaluation-set bid-id digest salt) x u0 e e) u318) (err u12918))
            ;; votes are open now: the bidder's is refused as a party's
            (asserts! (is-eq (match (commit-validation-result bid-id digest) x u0 e e) (if (is-eq vote-refusal u518) u505 vote-refusal))
                      (err u12919))
            (fz-done))
          code (begin
            (asserts! (is-eq code expected) (err u12920))
            (asserts! (is-eq (fz-snapshot tx-sender) before) (err u12921))
            (ok false))))
      (ok false))
  )
)

;; ---------------------------------------------------------------------------
;; The batch calls (30..32): commits, reveals and claims on up to 25 jobs in
;; one transaction, all or nothing, sharing their rules with 13, 14 and 17
;; ---------------------------------------------------------------------------

;; How many jobs a batch property or driver takes: 1 to 4.
(define-private (fz-batch-size (seed uint)) (+ u1 (mod seed u4)))

;; Up to k of `ids` (at most 25), from index start (mod their number), wrapping around.
(define-private (fz-take (ids (list 1000 uint)) (start uint) (k uint))
  (let (
      (n (len ids))
      (s (if (is-eq n u0) u0 (mod start n)))
      (rotated (concat (default-to (list) (slice? ids s n)) (default-to (list) (slice? ids u0 s))))
    )
    (default-to (list) (as-max-len? (default-to (list) (slice? rotated u0 (fz-min (fz-min k n) u25))) u25)))
)
(define-private (fz-join (a (list 25 uint)) (b (list 25 uint)))
  (default-to a (as-max-len? (concat a b) u25))
)
;; `ids` with x inserted at index pos (at the end past it)
(define-private (fz-insert (ids (list 25 uint)) (pos uint) (x uint))
  (let ((p (fz-min pos (len ids))))
    (default-to ids (as-max-len? (concat (append (default-to (list) (slice? ids u0 p)) x)
                                         (default-to (list) (slice? ids p (len ids))))
                                 u25)))
)

;; What a batch may change, per job of the batch (the caller's vote) or per account.
(define-private (fz-committee-of (id uint)) (get-committee id))
(define-private (fz-my-vote (id uint)) (get-vote id tx-sender))
(define-private (fz-result-of (id uint)) (get-job-result id))
(define-private (fz-bid-of (id uint)) (map-get? bids id))
(define-private (fz-validator-of (who principal)) (map-get? validators who))
(define-private (fz-commits-of (id uint)) (match (get-committee id) c (get commits c) u0))
(define-private (fz-reveals-of (id uint)) (match (get-committee id) c (get reveals c) u0))
(define-private (fz-revealed-weight-of (id uint)) (match (get-committee id) c (get revealed-weight c) u0))
(define-private (fz-party (id uint))
  (match (map-get? bids id)
    bid (match (map-get? datasets (get dataset-id bid))
          d (or (is-eq tx-sender (get provider d)) (is-eq tx-sender (get bidder bid)))
          false)
    false)
)
;; The property ends: the state must hold whether the run counts as real
;; (ok true) or as discarded (ok false).
(define-private (fz-done-as (real bool))
  (let ((code (fz-violation)))
    (if (is-eq code u0) (ok real) (err code)))
)

;; --- commits ---

;; a job the caller may vote on whose committee its vote would draw: undrawn,
;; its seed there (for a random draw), the caller no party of it
(define-private (fz-drawable-bid (id uint))
  (and (fz-ready-votable-bid id) (is-none (get-committee id)) (not (fz-party id)))
)
;; a job whose committee is drawn without the caller, and no vote of its
(define-private (fz-foreign-bid (id uint))
  (and (match (get-committee id) c (is-none (index-of? (get seats c) tx-sender)) false)
       (is-none (get-vote id tx-sender)))
)
;; Its commit's error, in the order of the rules (the caller a validator, no pause).
(define-private (fz-foreign-commit-code (id uint))
  (match (map-get? bids id)
    bid (if (not (is-eq (get status bid) STATUS_MATCHED)) u503
          (if (not (fz-votes-open id)) u518
            (if (> burn-block-height (fz-commit-closes id)) u504
              (if (fz-party id) u505 u506))))
    u300)
)
;; The score and salt of a batch entry, from the run's seed and the job.
(define-private (fz-batch-score (id uint) (seed uint)) (fz-job-score id (+ seed (* id u7))))
(define-private (fz-batch-salt (id uint) (seed uint)) (fz-salt (+ seed id)))
(define-private (fz-batch-commitment (id uint) (seed uint))
  (compute-commitment (fz-batch-score id seed) (fz-batch-salt id seed) id tx-sender)
)
(define-private (fz-commit-entry-of (id uint) (acc { seed: uint, entries: (list 25 { bid-id: uint, commitment: (buff 32) }) }))
  (merge acc { entries: (default-to (get entries acc)
                          (as-max-len? (append (get entries acc) { bid-id: id, commitment: (fz-batch-commitment id (get seed acc)) }) u25)) })
)
(define-private (fz-commit-entries (ids (list 25 uint)) (seed uint))
  (get entries (fold fz-commit-entry-of ids { seed: seed, entries: (list) }))
)
(define-private (fz-remember-batch-secret (id uint) (seed uint))
  (begin
    (map-set fz-secrets { bid-id: id, validator: tx-sender } { score: (fz-batch-score id seed), salt: (fz-batch-salt id seed) })
    seed)
)
;; The same commits one at a time (commit-validation-result) until one fails:
;; its index and error.
(define-private (fz-replay-commit (id uint) (acc { seed: uint, i: uint, failed: (optional { index: uint, code: uint }) }))
  (if (is-some (get failed acc))
    acc
    (match (commit-validation-result id (fz-batch-commitment id (get seed acc)))
      done (begin
        (fz-remember-batch-secret id (get seed acc))
        (merge acc { i: (+ (get i acc) u1) }))
      code (merge acc { failed: (some { index: (get i acc), code: code }) })))
)
;; After a batch of commits: the caller's vote on each job, with its commitment
;; and its seat's weight, unrevealed and unclaimed, counted once by its committee.
(define-private (fz-committed-ok (id uint) (acc { seed: uint, i: uint, commits: (list 25 uint), ok: bool }))
  (let ((before (default-to u0 (element-at? (get commits acc) (get i acc)))))
    (merge acc {
      i: (+ (get i acc) u1),
      ok: (and (get ok acc)
               (match (get-committee id)
                 c (match (get-vote id tx-sender)
                     v (match (index-of? (get seats c) tx-sender)
                         seat (and (is-eq (get commitment v) (fz-batch-commitment id (get seed acc)))
                                   (not (get revealed v)) (not (get claimed v))
                                   (is-eq (some (get weight v)) (element-at? (get weights c) seat))
                                   (is-eq (get commits c) (+ before u1)))
                         false)
                     false)
                 false)),
    }))
)

;; 30 commit-validation-results: the caller commits on up to four jobs at once
;; (its seats first, then jobs whose committee its vote draws). On success
;; every entry holds its vote as commit-validation-result writes it (its
;; commitment, its seat's weight, the committee's count of commits + 1), the
;; count returned is the number of entries, no STX moves, and the same batch
;; again is ALREADY_VOTED. One run in four plants a bad entry (a duplicate at
;; the end, a job the caller does not sit on, or no job): the call fails with
;; that entry's error and keeps nothing (no vote, no committee drawn, no seat
;; counted), the earlier entries included. Any failure is the one the same
;; commits made one by one (commit-validation-result) meet first, and before a
;; bad entry only a draw may fail (the caller not drawn, NOT_ON_COMMITTEE;
;; nobody eligible; the seed not there). An empty batch is EMPTY_BATCH, after
;; the caller's checks (a validator, no pause).
(define-public (test-commit-validation-results (pick uint) (size-seed uint) (score-seed uint) (plant-seed uint))
  (let (
      (global (if (is-none (map-get? validators tx-sender)) u400 (if (get paused (var-get market)) u102 u0)))
      (last-id (get last-bid-id (var-get market)))
      (ids (fz-ids-upto last-id))
      (k (fz-batch-size size-seed))
      (seated (fz-take (filter fz-seated-votable-bid ids) pick k))
      (good (fz-join seated (fz-take (filter fz-drawable-bid ids) pick (- k (len seated)))))
      (n (len good))
      (planted (and (> n u0) (is-eq (mod plant-seed u4) u0)))
      (kind (mod (/ plant-seed u4) u3))
      (foreign (fz-pick (filter fz-foreign-bid ids) (/ plant-seed u12)))
      (bad (if (is-eq kind u0) (default-to u0 (element-at? good (mod (/ plant-seed u12) (fz-max n u1))))
             (if (and (is-eq kind u1) (is-some foreign)) (default-to u0 foreign) (+ last-id u1))))
      (bad-at (if (is-eq kind u0) n (mod (/ plant-seed u12) (+ n u1))))
      (bad-code (if (is-eq kind u0) u501 (if (and (is-eq kind u1) (is-some foreign)) (fz-foreign-commit-code bad) u300)))
      (batch (if planted (fz-insert good bad-at bad) good))
      (before (fz-snapshot tx-sender))
      (committees-before (map fz-committee-of batch))
      (votes-before (map fz-my-vote batch))
      (validators-before (map fz-validator-of FZ_ACCOUNTS))
      (commits-before (map fz-commits-of batch))
    )
    (asserts! (is-eq (match (commit-validation-results (list)) x u0 e e) (if (is-eq global u0) u519 global)) (err u13001))
    (asserts! (> n u0) (ok false))
    (match (commit-validation-results (fz-commit-entries batch score-seed))
      count (begin
        (asserts! (and (is-eq global u0) (not planted)) (err u13002))
        (asserts! (is-eq count n) (err u13003))
        (asserts! (get ok (fold fz-committed-ok batch { seed: score-seed, i: u0, commits: commits-before, ok: true })) (err u13004))
        (asserts! (is-eq (fz-snapshot tx-sender) before) (err u13005))
        (asserts! (is-eq (match (commit-validation-results (fz-commit-entries batch score-seed)) x u0 e e) u501) (err u13006))
        (fold fz-remember-batch-secret batch score-seed)
        (fz-done))
      code (begin
        ;; nothing kept: no vote, no committee drawn, no seat counted, no STX moved
        (asserts! (and (is-eq (fz-snapshot tx-sender) before)
                       (is-eq (map fz-committee-of batch) committees-before)
                       (is-eq (map fz-my-vote batch) votes-before)
                       (is-eq (map fz-validator-of FZ_ACCOUNTS) validators-before))
                  (err u13007))
        (if (not (is-eq global u0))
          (begin (asserts! (is-eq code global) (err u13008)) (ok false))
          (let (
              (replay (fold fz-replay-commit batch { seed: score-seed, i: u0, failed: none }))
              (failed (unwrap! (get failed replay) (err u13009)))
              (at (get index failed))
              (at-id (default-to u0 (element-at? batch at)))
            )
            ;; the first of the same commits made one by one to fail, with the same error
            (asserts! (is-eq (get code failed) code) (err u13010))
            (asserts! (if (and planted (is-eq at bad-at))
                        (is-eq code bad-code)
                        (and (or (not planted) (< at bad-at))
                             (is-none (get-committee at-id))
                             (or (is-eq code u506) (is-eq code u509) (and (is-eq code u508) (fz-seed-may-be-missing at-id)))))
                      (err u13011))
            (fz-done-as (or planted (> at u0))))))))
)

;; --- reveals ---

;; a job the caller committed on (the sidecar knows its secret) whose reveal phase is open now
(define-private (fz-open-revealable-bid (id uint))
  (and (fz-revealable-bid id)
       (match (get-committee id)
         c (and (or (is-eq (get commits c) (len (get seats c))) (> burn-block-height (fz-commit-closes id)))
                (<= burn-block-height (fz-reveal-closes id)))
         false))
)
;; a job the caller's reveal would complete (finalize)
(define-private (fz-finalizes (id uint))
  (match (get-committee id) c (is-eq (+ (get reveals c) u1) (len (get seats c))) false)
)
(define-private (fz-no-vote-of-mine (id uint))
  (is-none (get-vote id tx-sender))
)
(define-private (fz-reveal-entry-of (id uint))
  (match (map-get? fz-secrets { bid-id: id, validator: tx-sender })
    s { bid-id: id, score: (get score s), salt: (get salt s) }
    { bid-id: id, score: u0, salt: (fz-salt id) })
)
;; the caller commits as the last seat missing (setup: commit-validation-result, property 13)
(define-private (fz-commit-last (id uint) (seed uint))
  (match (commit-validation-result id (fz-batch-commitment id seed))
    done (fz-remember-batch-secret id seed)
    e seed)
)
;; After a batch of reveals: each vote revealed with its score, counted once
;; with its weight by its committee; a job the reveal completed is finalized
;; (settled by the rules, or refunded for want of a majority behind a slash),
;; any other still running.
(define-private (fz-revealed-ok (id uint) (acc { i: uint, reveals: (list 25 uint), weights: (list 25 uint), finals: (list 25 bool), ok: bool }))
  (let (
      (i (get i acc))
      (final (default-to false (element-at? (get finals acc) i)))
    )
    (merge acc {
      i: (+ i u1),
      ok: (and (get ok acc)
               (match (get-committee id)
                 c (match (get-vote id tx-sender)
                     v (match (map-get? fz-secrets { bid-id: id, validator: tx-sender })
                         s (match (map-get? bids id)
                             bid (and (get revealed v) (is-eq (get score v) (get score s))
                                      (is-eq (get reveals c) (+ (default-to u0 (element-at? (get reveals acc) i)) u1))
                                      (is-eq (get revealed-weight c) (+ (default-to u0 (element-at? (get weights acc) i)) (get weight v)))
                                      (if final
                                        (if (fz-settles id (get revealed c) (get revealed-weight c) (get total-weight c))
                                          (and (is-eq (get status bid) STATUS_SETTLED) (is-some (get-job-result id)))
                                          (and (is-eq (get status bid) STATUS_EXPIRED) (is-none (get-job-result id))))
                                        (and (is-eq (get status bid) STATUS_MATCHED) (is-none (get-job-result id)))))
                             false)
                         false)
                     false)
                 false)),
    }))
)
;; What the jobs a batch finalized moved, summed from their results: paid out
;; (provider payments and bidder refunds), set aside for the committees,
;; slashed, and released from escrow (the rest of each bid and the validators'
;; share its delivery left).
(define-private (fz-final-sums (id uint) (acc { paid: uint, pool: uint, slash: uint, released: uint }))
  (match (get-job-result id)
    r (match (map-get? bids id)
        bid (merge acc {
              paid: (+ (get paid acc) (get provider-payment r) (get bidder-refund r)),
              pool: (+ (get pool acc) (get reward-pool r)),
              slash: (+ (get slash acc) (get slashed-amount r)),
              released: (+ (get released acc) (- (get amount bid) (get compute-fee bid))
                           (/ (* (get compute-fee bid) (fz-param (get parameter-version bid) "validator-fee-bps")) BPS)),
            })
        acc)
    acc)
)

;; 31 reveal-validation-results: the caller reveals on up to four jobs at once
;; (committing first as the last seat missing, when it has nothing to reveal).
;; On success each vote is revealed as reveal-validation-result reveals it, the
;; counts returned are the entries and the jobs they completed, each completed
;; job is finalized in the call (settled by the rules or refunded for want of a
;; majority): one alone moves exactly what its settlement (or refund) moves, as
;; in property 14; several move together what their results say (payments,
;; reward pools, slashes, escrow); no reveal that completes nothing moves STX.
;; The same batch again fails on its first entry (ALREADY_REVEALED, or
;; JOB_NOT_RUNNING once finalized). One run in four plants a bad entry (a wrong
;; salt on one of them, a duplicate at the end, a job the caller has no vote on,
;; or no job): the call fails with that entry's error and keeps nothing.
;; An empty batch is EMPTY_BATCH.
(define-public (test-reveal-validation-results (pick uint) (size-seed uint) (plant-seed uint))
  (let (
      (last-id (get last-bid-id (var-get market)))
      (ids (fz-ids-upto last-id))
      (k (fz-batch-size size-seed))
      (setup (if (is-eq (len (filter fz-open-revealable-bid ids)) u0)
               (fold fz-commit-last (fz-take (filter fz-last-seat ids) pick k) pick)
               u0))
      (good (fz-take (filter fz-open-revealable-bid ids) pick k))
      (n (len good))
      (planted (and (> n u0) (is-eq (mod plant-seed u4) u0)))
      (kind (mod (/ plant-seed u4) u3))
      (j (mod (/ plant-seed u12) (fz-max n u1)))
      (j-id (default-to u0 (element-at? good j)))
      (foreign (fz-pick (filter fz-no-vote-of-mine ids) (/ plant-seed u12)))
      (entries (map fz-reveal-entry-of good))
      ;; the bad entry: a wrong salt (in place), a duplicate (appended), a job without the caller's vote, or no job
      (bad-id (if (is-eq kind u1) j-id (default-to (+ last-id u1) foreign)))
      (bad-at (if (is-eq kind u0) j (if (is-eq kind u1) n (mod (/ plant-seed u12) (+ n u1)))))
      (bad-entry (if (is-eq kind u0)
                   (merge (fz-reveal-entry-of j-id) { salt: (sha256 (get salt (fz-reveal-entry-of j-id))) })
                   (fz-reveal-entry-of bad-id)))
      (bad-code (if (is-eq kind u0) u515
                  (if (is-eq kind u1) (if (fz-finalizes j-id) u503 u512)
                    (if (is-some foreign) u511 u300))))
      (batch (if planted (if (is-eq kind u0) good (fz-insert good bad-at bad-id)) good))
      (batch-entries (if planted
                       (if (is-eq kind u0)
                         (default-to entries (replace-at? entries j bad-entry))
                         (map fz-reveal-entry-of batch))
                       entries))
      (finals (map fz-finalizes good))
      (finalizing (filter fz-finalizes good))
      (fid (default-to u0 (element-at? finalizing u0)))
      (fbid (map-get? bids fid))
      (fbidder (match fbid b (get bidder b) tx-sender))
      (stake-before (match fbid b (match (map-get? datasets (get dataset-id b)) d (get stake d) u0) u0))
      (before (fz-snapshot tx-sender))
      (bidder-before (fz-snapshot fbidder))
      (ledger-before (fz-expired fbidder))
      (stakes (fz-stakes))
      (committees-before (map fz-committee-of batch))
      (votes-before (map fz-my-vote batch))
      (bids-before (map fz-bid-of batch))
      (results-before (map fz-result-of batch))
      (reveals-before (map fz-reveals-of good))
      (weights-before (map fz-revealed-weight-of good))
    )
    (asserts! (is-eq (match (reveal-validation-results (list)) x u0 e e) u519) (err u13101))
    (asserts! (> n u0) (ok false))
    (match (reveal-validation-results batch-entries)
      counts (let (
          (after (fz-snapshot tx-sender))
          (tb (get totals before))
          (ta (get totals after))
          (sums (fold fz-final-sums finalizing { paid: u0, pool: u0, slash: u0, released: u0 }))
          (refunded (- (get expired (fz-expired tx-sender)) (get expired ledger-before)))
        )
        (asserts! (not planted) (err u13102))
        (asserts! (and (is-eq (get revealed counts) n) (is-eq (get finalized counts) (len finalizing))) (err u13103))
        (asserts! (get ok (fold fz-revealed-ok good { i: u0, reveals: reveals-before, weights: weights-before, finals: finals, ok: true }))
                  (err u13104))
        (if (is-eq (len finalizing) u0)
          (asserts! (is-eq after before) (err u13105))
          (if (is-eq (len finalizing) u1)
            (let ((c (unwrap! (get-committee fid) (err u13106))))
              (if (fz-settles fid (get revealed c) (get revealed-weight c) (get total-weight c))
                (let ((code (fz-settlement-code fid stake-before before (get expired ledger-before) stakes)))
                  (asserts! (is-eq code u0) (err (+ u13160 code))))
                (let ((code (fz-refund-code fid STATUS_EXPIRED bidder-before ledger-before stakes)))
                  (asserts! (is-eq code u0) (err (+ u13170 code))))))
            (asserts! (and (is-eq (+ (get contract after) (get paid sums) refunded) (get contract before))
                           (is-eq (get unclaimed-rewards ta) (+ (get unclaimed-rewards tb) (get pool sums)))
                           (is-eq (+ (get dataset-stakes ta) (get slash sums)) (get dataset-stakes tb))
                           (is-eq (+ (get escrowed-bids ta) (get released sums) refunded) (get escrowed-bids tb)))
                      (err u13107))))
        (asserts! (is-eq (match (reveal-validation-results batch-entries) x u0 e e) (if (default-to false (element-at? finals u0)) u503 u512))
                  (err u13108))
        (fz-done))
      code (begin
        (asserts! (and (is-eq (fz-snapshot tx-sender) before)
                       (is-eq (map fz-committee-of batch) committees-before)
                       (is-eq (map fz-my-vote batch) votes-before)
                       (is-eq (map fz-bid-of batch) bids-before)
                       (is-eq (map fz-result-of batch) results-before))
                  (err u13109))
        (asserts! planted (err u13110))
        (asserts! (is-eq code bad-code) (err u13111))
        ;; the bad entry alone fails the same way (a duplicate needs its first copy)
        (asserts! (or (is-eq kind u1) (is-eq (match (reveal-validation-results (list bad-entry)) x u0 e e) bad-code)) (err u13112))
        (fz-done))))
)

;; --- claims ---

(define-private (fz-unclaimed-claimable-bid (id uint))
  (and (fz-claimable-bid id) (match (get-vote id tx-sender) v (not (get claimed v)) false))
)
(define-private (fz-known-not-mine (id uint))
  (and (is-some (map-get? bids id)) (is-none (get-vote id tx-sender)))
)
;; Whether the caller's vote on a finalized job agrees with its final score, and
;; the share claim-validation-reward would pay it now (as property 17 works it out).
(define-private (fz-coherent-of (id uint))
  (match (get-vote id tx-sender)
    v (match (get-job-result id)
        r (match (map-get? bids id)
            bid (and (get revealed v)
                     (fz-coherent-score (get score v) (get final-score r) (fz-param (get parameter-version bid) "consensus-tolerance")))
            false)
        false)
    false)
)
(define-private (fz-share-of (id uint))
  (match (get-vote id tx-sender)
    v (match (get-job-result id)
        r (if (fz-coherent-of id)
            (if (>= (get weight v) (get reward-weight r)) (get reward-pool r) (/ (* (get reward-pool r) (get weight v)) (get reward-weight r)))
            u0)
        u0)
    u0)
)
(define-private (fz-pool-of (id uint)) (match (get-job-result id) r (get reward-pool r) u0))
(define-private (fz-pool-weight-of (id uint)) (match (get-job-result id) r (get reward-weight r) u0))
(define-private (fz-claim-code (id uint))
  (if (is-none (map-get? bids id)) u300
    (if (is-none (get-job-result id)) u600
      (match (get-vote id tx-sender) v (if (get claimed v) u602 u0) u601)))
)
;; After a batch of claims: each seat claimed; a coherent one took its share
;; and its weight out of the job's pool, another left the pool as it was.
(define-private (fz-claimed-ok (id uint) (acc { i: uint, pools: (list 25 uint), weights: (list 25 uint), shares: (list 25 uint),
                                               coherent: (list 25 bool), ok: bool }))
  (let (
      (i (get i acc))
      (pool (default-to u0 (element-at? (get pools acc) i)))
      (pool-weight (default-to u0 (element-at? (get weights acc) i)))
      (share (default-to u0 (element-at? (get shares acc) i)))
    )
    (merge acc {
      i: (+ i u1),
      ok: (and (get ok acc)
               (match (get-vote id tx-sender)
                 v (match (get-job-result id)
                     r (and (get claimed v) (<= share pool)
                            (if (default-to false (element-at? (get coherent acc) i))
                              (and (is-eq (get reward-pool r) (- pool share)) (is-eq (get reward-weight r) (- pool-weight (get weight v))))
                              (and (is-eq (get reward-pool r) pool) (is-eq (get reward-weight r) pool-weight))))
                     false)
                 false)),
    }))
)

;; 32 claim-validation-rewards: the caller claims its seats on up to four
;; finalized jobs at once. On success it is paid, in one transfer, the sum of
;; the shares claim-validation-reward would pay each seat (the total returned):
;; its balance rises and the contract's falls by exactly the total, the
;; unclaimed rewards fall by exactly it and no other bucket moves; each seat is
;; claimed and each coherent one took its share and weight out of its job's
;; pool; the same batch again is ALREADY_CLAIMED. One run in four plants a bad
;; entry (a duplicate at the end, a job the caller has no vote on, or no job):
;; the call fails with that entry's error and pays and marks nothing.
;; An empty batch is EMPTY_BATCH.
(define-public (test-claim-validation-rewards (pick uint) (size-seed uint) (plant-seed uint))
  (let (
      (last-id (get last-bid-id (var-get market)))
      (ids (fz-ids-upto last-id))
      (good (fz-take (filter fz-unclaimed-claimable-bid ids) pick (fz-batch-size size-seed)))
      (n (len good))
      (planted (and (> n u0) (is-eq (mod plant-seed u4) u0)))
      (kind (mod (/ plant-seed u4) u3))
      (foreign (fz-pick (filter fz-known-not-mine ids) (/ plant-seed u12)))
      (bad (if (is-eq kind u0) (default-to u0 (element-at? good (mod (/ plant-seed u12) (fz-max n u1))))
             (if (and (is-eq kind u1) (is-some foreign)) (default-to u0 foreign) (+ last-id u1))))
      (bad-at (if (is-eq kind u0) n (mod (/ plant-seed u12) (+ n u1))))
      (bad-code (if (is-eq kind u0) u602 (fz-claim-code bad)))
      (batch (if planted (fz-insert good bad-at bad) good))
      (shares (map fz-share-of good))
      (coherent (map fz-coherent-of good))
      (pools (map fz-pool-of good))
      (pool-weights (map fz-pool-weight-of good))
      (before (fz-snapshot tx-sender))
      (votes-before (map fz-my-vote batch))
      (results-before (map fz-result-of batch))
    )
    (asserts! (is-eq (match (claim-validation-rewards (list)) x u0 e e) u519) (err u13201))
    (asserts! (> n u0) (ok false))
    (match (claim-validation-rewards batch)
      total (let (
          (after (fz-snapshot tx-sender))
          (tb (get totals before))
        )
        (asserts! (not planted) (err u13202))
        (asserts! (is-eq total (fold + shares u0)) (err u13203))
        (asserts! (is-eq (get who after) (+ (get who before) total)) (err u13204))
        (asserts! (is-eq (+ (get contract after) total) (get contract before)) (err u13205))
        (asserts! (is-eq (get totals after) (merge tb { unclaimed-rewards: (- (get unclaimed-rewards tb) total) })) (err u13206))
        (asserts! (get ok (fold fz-claimed-ok good { i: u0, pools: pools, weights: pool-weights, shares: shares, coherent: coherent, ok: true }))
                  (err u13207))
        (asserts! (is-eq (match (claim-validation-rewards batch) x u0 e e) u602) (err u13208))
        (asserts! (is-eq (fz-snapshot tx-sender) after) (err u13209))
        (fz-done))
      code (begin
        (asserts! (and (is-eq (fz-snapshot tx-sender) before)
                       (is-eq (map fz-my-vote batch) votes-before)
                       (is-eq (map fz-result-of batch) results-before))
                  (err u13210))
        (asserts! planted (err u13211))
        (asserts! (is-eq code bad-code) (err u13212))
        ;; the bad entry alone fails the same way (a duplicate needs its first copy)
        (asserts! (or (is-eq kind u0) (is-eq (match (claim-validation-rewards (list bad)) x u0 e e) bad-code)) (err u13213))
        (fz-done))))
)

;; ---------------------------------------------------------------------------
;; Drivers for the invariant campaign: the targeted calls above, unchecked
;; ---------------------------------------------------------------------------

(define-public (drive-register-dataset (stake-seed uint))
  (let ((stake (fz-dataset-stake stake-seed)))
    (asserts! (< (get last-dataset-id (var-get market)) FZ_CREATE_CAP) FZ_NO_TARGET)
    (map-set fz-deposits (try! (register-dataset stake "ipfs://fuzz")) stake)
    (ok true))
)

(define-public (drive-register-dataset-with-terms (stake-seed uint) (price-seed uint) (capacity-seed uint))
  (let ((stake (fz-dataset-stake stake-seed)))
    (asserts! (< (get last-dataset-id (var-get market)) FZ_CREATE_CAP) FZ_NO_TARGET)
    (map-set fz-deposits
      (try! (register-dataset-with-terms stake "ar://fuzz" (mod price-seed u3000) (+ u1 (mod capacity-seed u3))))
      stake)
    (ok true))
)

(define-public (drive-add-dataset-stake (pick uint) (amount-seed uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (let ((amount (+ u1 (mod amount-seed u5000000))))
      (try! (add-dataset-stake dataset-id amount))
      (match (map-get? fz-deposits dataset-id) deposited (map-set fz-deposits dataset-id (+ deposited amount)) false)
      (ok true))
    FZ_NO_TARGET)
)

;; (the ask as in test-set-dataset-terms: raises and cuts, some big enough that a
;; verified job's fee outweighs half the stake; a raise starts a notice)
(define-public (drive-set-dataset-terms (pick uint) (price-seed uint) (capacity-seed uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (match (map-get? datasets dataset-id)
      d (set-dataset-terms dataset-id (fz-terms-price d price-seed) (+ u1 (mod capacity-seed u4)))
      FZ_NO_TARGET)
    FZ_NO_TARGET)
)

;; retires one call in four, so that the market keeps open datasets
(define-public (drive-retire-dataset (pick uint) (seed uint))
  (match (fz-pick-my-active-dataset pick)
    dataset-id (begin
      (asserts! (is-eq (mod seed u4) u0) FZ_NO_TARGET)
      (retire-dataset dataset-id))
    FZ_NO_TARGET)
)

(define-public (drive-withdraw-dataset-stake (pick uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (begin (try! (withdraw-dataset-stake dataset-id)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-place-computation-bid (pick uint) (amount-seed uint) (duration-seed uint) (slack-seed uint))
  (match (fz-pick-biddable-dataset pick)
    dataset-id (let ((terms (fz-bid-terms dataset-id amount-seed duration-seed slack-seed)))
      (asserts! (fz-room-for-bid dataset-id) FZ_NO_TARGET)
      (try! (place-computation-bid dataset-id (get amount terms) (get duration terms) (get deadline terms)))
      (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-place-training-bid (pick uint) (amount-seed uint) (duration-seed uint) (slack-seed uint) (seal-seed uint))
  (match (fz-pick-biddable-dataset pick)
    dataset-id (let ((terms (fz-training-terms dataset-id amount-seed duration-seed slack-seed)))
      (asserts! (fz-room-for-bid dataset-id) FZ_NO_TARGET)
      (map-set fz-evals (try! (fz-place dataset-id (get amount terms) (get duration terms) (get deadline terms) (some seal-seed)))
               (fz-seal seal-seed))
      (ok true))
    FZ_NO_TARGET)
)

;; The caller's next step on a verified job, if it has one: as a provider, the
;; delivery of a model due (`deliver-first`), or as a bidder the reveal of a
;; delivered job's sealed evaluation set; else the other one. Each needs its
;; party as the random caller, within its window: the drivers that find nothing
;; else to do take it too, so that verified jobs get delivered and judged.
(define-private (fz-deliver-step (pick uint))
  (match (fz-pick (filter fz-deliverable (fz-ids-upto (get last-bid-id (var-get market)))) pick)
    bid-id (some (match (deliver-model bid-id (fz-model pick)) paid (ok true) e (err e)))
    none)
)
(define-private (fz-reveal-step (pick uint))
  (match (fz-pick (filter fz-my-sealed (fz-ids-upto (get last-bid-id (var-get market)))) pick)
    bid-id (match (map-get? fz-evals bid-id)
      sealed (some (match (reveal-evaluation-set bid-id (get digest sealed) (get salt sealed)) closes (ok true) e (err e)))
      none)
    none)
)
(define-private (fz-verified-step (pick uint) (deliver-first bool))
  (if deliver-first
    (match (fz-deliver-step pick) done done (default-to FZ_NO_TARGET (fz-reveal-step pick)))
    (match (fz-reveal-step pick) done done (default-to FZ_NO_TARGET (fz-deliver-step pick))))
)

;; the caller delivers the model of one of its verified jobs (else reveals a set)
(define-public (drive-deliver-model (pick uint))
  (fz-verified-step pick true)
)

;; the caller reveals the evaluation set of one of its delivered verified jobs (else delivers)
(define-public (drive-reveal-evaluation-set (pick uint))
  (fz-verified-step pick false)
)

(define-public (drive-match-queued-bids (pick uint))
  (match (fz-pick-dataset pick)
    dataset-id (begin (try! (match-queued-bids dataset-id)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-cancel-bid (pick uint))
  (match (fz-pick-my-bid pick)
    bid-id (begin (try! (cancel-bid bid-id)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-expire-bid (pick uint))
  (match (fz-pick-open-bid pick)
    bid-id (begin (try! (expire-bid bid-id)) (ok true))
    FZ_NO_TARGET)
)

;; registers the caller as a validator with a modest stake (raw calls mostly
;; offer more than an account holds), withdrawing its old stake first if it
;; exited, so that exits do not empty the set
(define-public (drive-register-validator (stake-seed uint))
  (begin
    (match (map-get? validators tx-sender)
      v (begin (asserts! (not (get active v)) FZ_NO_TARGET) (try! (withdraw-validator-stake)) true)
      true)
    (try! (register-validator (fz-validator-stake stake-seed)))
    (ok true))
)

;; the caller's next validation step on any job it sits on: reveal what it
;; committed, else vote (directly on a one-seat committee, else commit)
(define-public (drive-validate (pick uint) (score-seed uint) (salt-seed uint))
  (match (fz-pick-revealable-bid pick)
    bid-id (match (map-get? fz-secrets { bid-id: bid-id, validator: tx-sender })
      secret (reveal-validation-result bid-id (get score secret) (get salt secret))
      FZ_NO_TARGET)
    (match (fz-pick-ready-votable-bid pick)
      bid-id (let (
          (score (fz-job-score bid-id score-seed))
          (salt (fz-salt salt-seed))
          (one-seat (match (get-committee bid-id) c (is-eq (len (get seats c)) u1) false))
          (bid (unwrap! (map-get? bids bid-id) FZ_NO_TARGET))
        )
        (if one-seat
          (submit-validation-result (get dataset-id bid) bid-id score)
          (begin
            (try! (commit-validation-result bid-id (compute-commitment score salt bid-id tx-sender)))
            (map-set fz-secrets { bid-id: bid-id, validator: tx-sender } { score: score, salt: salt })
            (ok true))))
      (fz-verified-step pick (is-eq (mod score-seed u2) u0))))
)

;; declines a job of the caller's (matching a queue head first when it has none)
(define-public (drive-decline-job (pick uint) (seed uint))
  (match (match (fz-pick-declinable pick) found (some found)
           (match (fz-self-match seed) opened (fz-pick-declinable pick) none))
    bid-id (begin (try! (decline-job bid-id)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-draw-committee (pick uint))
  (match (fz-pick-undrawn-bid pick)
    bid-id (begin (try! (draw-committee bid-id)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-commit-validation-result (pick uint) (score-seed uint) (salt-seed uint))
  (match (fz-pick-ready-votable-bid pick)
    bid-id (let ((score (fz-job-score bid-id score-seed)) (salt (fz-salt salt-seed)))
      (try! (commit-validation-result bid-id (compute-commitment score salt bid-id tx-sender)))
      (map-set fz-secrets { bid-id: bid-id, validator: tx-sender } { score: score, salt: salt })
      (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-reveal-validation-result (pick uint))
  (match (fz-pick-revealable-bid pick)
    bid-id (match (map-get? fz-secrets { bid-id: bid-id, validator: tx-sender })
      secret (reveal-validation-result bid-id (get score secret) (get salt secret))
      FZ_NO_TARGET)
    (fz-verified-step pick false))
)

(define-public (drive-submit-validation-result (pick uint) (score-seed uint))
  (match (fz-pick-ready-votable-bid pick)
    bid-id (match (map-get? bids bid-id)
      bid (submit-validation-result (get dataset-id bid) bid-id (fz-job-score bid-id score-seed))
      FZ_NO_TARGET)
    (fz-verified-step pick true))
)

(define-public (drive-finalize-validation (pick uint))
  (match (fz-pick-matched-bid pick)
    bid-id (begin (try! (finalize-validation bid-id)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-claim-validation-reward (pick uint))
  (match (fz-pick-claimable-bid pick)
    bid-id (begin (try! (claim-validation-reward bid-id)) (ok true))
    (fz-verified-step pick false))
)

;; the caller commits on up to four jobs at once: where it sits, then where its
;; vote draws the committee (else takes a verified job's next step)
(define-public (drive-commit-validation-results (pick uint) (size-seed uint) (score-seed uint))
  (let (
      (ids (fz-ids-upto (get last-bid-id (var-get market))))
      (k (fz-batch-size size-seed))
      (seated (fz-take (filter fz-seated-votable-bid ids) pick k))
      (batch (fz-join seated (fz-take (filter fz-drawable-bid ids) pick (- k (len seated)))))
    )
    (if (is-eq (len batch) u0)
      (fz-verified-step pick true)
      (begin
        (try! (commit-validation-results (fz-commit-entries batch score-seed)))
        (fold fz-remember-batch-secret batch score-seed)
        (ok true))))
)

;; the caller reveals on every job (up to 25) whose reveal phase is open
(define-public (drive-reveal-validation-results (pick uint))
  (let ((batch (fz-take (filter fz-open-revealable-bid (fz-ids-upto (get last-bid-id (var-get market)))) pick u25)))
    (if (is-eq (len batch) u0)
      (fz-verified-step pick false)
      (begin (try! (reveal-validation-results (map fz-reveal-entry-of batch))) (ok true))))
)

;; the caller claims every unclaimed seat (up to 25) on a finalized job
(define-public (drive-claim-validation-rewards (pick uint))
  (let ((batch (fz-take (filter fz-unclaimed-claimable-bid (fz-ids-upto (get last-bid-id (var-get market)))) pick u25)))
    (if (is-eq (len batch) u0)
      (fz-verified-step pick false)
      (begin (try! (claim-validation-rewards batch)) (ok true))))
)

(define-public (drive-propose-parameter-change (name-seed uint) (value-seed uint))
  (let ((name (fz-parameter-name name-seed)))
    (asserts! (fz-room-for-proposal) FZ_NO_TARGET)
    (ok (fold fz-record-power FZ_ACCOUNTS (try! (propose-parameter-change name (fz-proposal-value name value-seed))))))
)

(define-public (drive-vote-on-proposal (pick uint) (support bool))
  (match (fz-pick-proposal-where pick true)
    proposal-id (begin (try! (vote-on-proposal proposal-id (fz-support pick support))) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-execute-proposal (pick uint))
  (match (fz-pick-proposal-where pick false)
    proposal-id (begin (try! (execute-proposal proposal-id)) (ok true))
    FZ_NO_TARGET)
)

;; resumes a pause; otherwise pauses, one call in four for good, else for the
;; block only (random set-paused calls pause half the time: this and
;; drive-resume keep the market mostly open)
(define-public (drive-set-paused (seed uint))
  (if (get paused (var-get market))
    (set-paused false)
    (begin
      (try! (set-paused true))
      (if (is-eq (mod seed u4) u0) (ok true) (set-paused false))))
)
(define-public (drive-resume)
  (begin (asserts! (get paused (var-get market)) FZ_NO_TARGET) (set-paused false))
)
