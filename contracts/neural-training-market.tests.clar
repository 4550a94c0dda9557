;; neural-training-market.tests.clar
;; Rendezvous sidecar for contracts/neural-training-market.clar (run it with `npm run fuzz`).
;;
;; Rendezvous appends this file to the contract (after its own `context` map and
;; `update-context` function) and deploys the result in place of the contract, so
;; everything here reads the contract's maps, vars, constants and private functions
;; directly. The simnet of `npm test` deploys only what Clarinet.toml lists: this
;; file is never deployed there and never counted in coverage or costs.
;;
;; Three kinds of functions:
;; - `invariant-*` (read-only, bool): checked by `rv ... invariant` after random
;;   sequences of calls to every public function (the contract's own, with random
;;   arguments, and the `drive-*` functions below).
;; - `test-*` (public): property tests run by `rv ... test` with random arguments.
;;   Each one picks a target that exists (a dataset, bid or proposal id taken
;;   modulo the live ones), calls ONE public function of the contract, and checks
;;   the exact STX moved, the exact error code when the rules say it must fail, the
;;   state written, and then every invariant below. (ok true) = property held,
;;   (ok false) = discarded (nothing to test from here), (err uNNNNN) = violated:
;;   the code names the check (1kk nn: kk = function number, nn = check; 90nn =
;;   invariant nn, see fz-violation).
;; - `drive-*` (public): the same targeted calls without the checks, so that the
;;   invariant campaign reaches matched jobs, committees, reveals, settlements,
;;   claims and proposals, which random ids and amounts would almost never hit.
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
(define-constant FZ_MAX_RUNNING u2)
;; a driver with nothing to act on fails, so Rendezvous counts it as ignored
(define-constant FZ_NO_TARGET (err u9999))

(define-constant FZ_PARAMETER_NAMES (list
  "min-dataset-stake" "min-validator-stake" "min-bid-amount" "max-computation-duration"
  "stake-lock-blocks" "validation-window" "reveal-window" "validator-unbonding-blocks"
  "committee-size" "min-reveals-bps" "reward-threshold" "slash-threshold" "slash-rate-bps"
  "validator-fee-bps" "protocol-fee-bps" "validator-penalty-bps" "consensus-tolerance"
  "voting-period" "execution-delay" "governance-quorum-bps" "proposal-threshold"))

;; Ghost state, written only by this file's functions.
;; Everything deposited into each dataset through register/add-stake calls made
;; from here (a dataset registered by a raw random call has no entry).
(define-map fz-deposits uint uint)
;; The score and salt behind each commitment made from here, for the reveal.
(define-map fz-secrets { bid-id: uint, validator: principal } { score: uint, salt: (buff 32) })

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

(define-private (fz-total (t { dataset-stakes: uint, validator-stakes: uint, escrowed-bids: uint, unclaimed-rewards: uint, treasury: uint }))
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
  (default-to u0 (map-get? provider-stakes who))
)

(define-private (fz-version) (get version (get-parameters)))

;; A parameter's value in a given version (u0 for an unknown name or version).
(define-private (fz-param (version uint) (name (string-ascii 32)))
  (match (map-get? parameter-history version)
    p (if (is-eq name "min-dataset-stake") (get min-dataset-stake p)
      (if (is-eq name "min-validator-stake") (get min-validator-stake p)
      (if (is-eq name "min-bid-amount") (get min-bid-amount p)
      (if (is-eq name "max-computation-duration") (get max-computation-duration p)
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
        u0)))))))))))))))))))))
    u0)
)

;; Reveals a committee of `seats` needs (ceil(seats * bps / 10000)), written
;; independently of the contract's min-reveals.
(define-private (fz-min-reveals (seats uint) (bps uint))
  (/ (+ (* seats bps) u9999) u10000)
)

;; Block after which a matched bid's commit phase is over, and its reveal phase.
(define-private (fz-commit-closes (bid-id uint))
  (match (map-get? bids bid-id)
    bid (+ (get deadline bid) (fz-param (get parameter-version bid) "validation-window"))
    u0)
)
(define-private (fz-reveal-closes (bid-id uint))
  (match (map-get? bids bid-id)
    bid (+ (fz-commit-closes bid-id) (fz-param (get parameter-version bid) "reveal-window"))
    u0)
)

;; Sums of the amounts of expired bids (all, and `who`'s): what queue processing
;; refunded during a call is the difference of two snapshots.
(define-private (fz-expired-step (id uint) (acc { who: principal, expired: uint, expired-who: uint }))
  (match (map-get? bids id)
    bid (if (is-eq (get status bid) STATUS_EXPIRED)
      (merge acc {
        expired: (+ (get expired acc) (get amount bid)),
        expired-who: (+ (get expired-who acc) (if (is-eq (get bidder bid) (get who acc)) (get amount bid) u0)),
      })
      acc)
    acc)
)
(define-private (fz-expired (who principal))
  (fold fz-expired-step (fz-ids-upto (get last-bid-id (var-get market))) { who: who, expired: u0, expired-who: u0 })
)

(define-private (fz-in-seats (bid-id uint) (who principal))
  (match (map-get? committees bid-id) c (is-some (index-of? (get seats c) who)) false)
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
  (and (fz-matched-bid id) (is-none (map-get? committees id)))
)
;; a running job the caller could vote on: its committee is not drawn yet or
;; seats the caller, and the caller has not voted
(define-private (fz-votable-bid (id uint))
  (and (fz-matched-bid id)
       (or (is-none (map-get? committees id)) (fz-in-seats id tx-sender))
       (is-none (map-get? votes { bid-id: id, validator: tx-sender })))
)
(define-private (fz-revealable-bid (id uint))
  (and (fz-matched-bid id)
       (match (map-get? votes { bid-id: id, validator: tx-sender }) v (not (get revealed v)) false)
       (is-some (map-get? fz-secrets { bid-id: id, validator: tx-sender })))
)
(define-private (fz-claimable-bid (id uint))
  (match (map-get? bids id)
    bid (and (is-eq (get status bid) STATUS_SETTLED) (is-some (map-get? votes { bid-id: id, validator: tx-sender })))
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
(define-private (fz-pick-votable-bid (seed uint))
  (fz-pick (filter fz-votable-bid (fz-ids-upto (get last-bid-id (var-get market)))) seed)
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
      (duration (+ u1 (mod duration-seed (fz-min u40 (get max-computation-duration params)))))
    )
    {
      amount: (+ (fz-max (* price duration) (get min-bid-amount params)) (mod amount-seed u1000000)),
      duration: duration,
      deadline: (+ burn-block-height duration (mod slack-seed u60)),
    }
  )
)
(define-private (fz-salt (seed uint))
  (sha256 (unwrap-panic (to-consensus-buff? seed)))
)
(define-private (fz-proposal-value (name (string-ascii 32)) (seed uint))
  (match (map-get? parameter-bounds name)
    b (+ (get min-value b) (mod seed (+ (- (get max-value b) (get min-value b)) u1)))
    seed)
)
(define-private (fz-parameter-name (seed uint))
  (unwrap-panic (element-at? FZ_PARAMETER_NAMES (mod seed (len FZ_PARAMETER_NAMES))))
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
    (acc { ok: bool, deposits-ok: bool, stake: uint, active-jobs: uint, queued-jobs: uint, per-provider: (list 9 uint) })
  )
  (match (map-get? datasets id)
    d (let (
        (stake (get stake d))
        (queued (get queued-jobs d))
        (slot (index-of? FZ_ACCOUNTS (get provider d)))
      )
      {
        ok: (and (get ok acc)
                 ;; a retired dataset holds no stake and has no job, running or waiting
                 (or (get active d) (and (is-eq stake u0) (is-eq (get active-jobs d) u0) (is-eq queued u0)))
                 ;; an empty queue has neither head nor tail, a non-empty one has both
                 (is-eq (is-eq queued u0) (is-eq (get queue-head d) u0))
                 (is-eq (is-eq queued u0) (is-eq (get queue-tail d) u0))
                 (fz-queue-end-ok (get queue-head d) id true)
                 (fz-queue-end-ok (get queue-tail d) id false)
                 (<= (get passed-validations d) (get validations d))
                 (<= (get validations d) (get matched-jobs d))
                 (<= (get score-sum d) (* MAX_SCORE (get validations d)))
                 (is-some slot)),
        deposits-ok: (and (get deposits-ok acc)
                          (match (map-get? fz-deposits id) deposited (<= stake deposited) true)),
        stake: (+ (get stake acc) stake),
        active-jobs: (+ (get active-jobs acc) (get active-jobs d)),
        queued-jobs: (+ (get queued-jobs acc) queued),
        per-provider: (match slot i (fz-add-at (get per-provider acc) i stake) (get per-provider acc)),
      })
    (merge acc { ok: false }))
)

(define-private (fz-datasets)
  (fold fz-dataset-step (fz-ids-upto (get last-dataset-id (var-get market)))
    { ok: true, deposits-ok: true, stake: u0, active-jobs: u0, queued-jobs: u0, per-provider: FZ_ZEROS })
)

(define-private (fz-add-weight (v { score: uint, weight: uint }) (total uint))
  (+ total (get weight v))
)
(define-private (fz-score-ok (v { score: uint, weight: uint }) (all-ok bool))
  (and all-ok (<= (get score v) MAX_SCORE))
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
;; votes cast by the seats of a committee: every commit and reveal counted
(define-private (fz-count-vote (seat principal) (acc { bid-id: uint, commits: uint, reveals: uint }))
  (match (map-get? votes { bid-id: (get bid-id acc), validator: seat })
    v (merge acc { commits: (+ (get commits acc) u1), reveals: (+ (get reveals acc) (if (get revealed v) u1 u0)) })
    acc)
)
;; a vote by an account that holds no seat
(define-private (fz-stray-vote (who principal) (acc { bid-id: uint, seats: (list 10 principal), ok: bool }))
  (merge acc { ok: (and (get ok acc)
                        (or (is-some (index-of? (get seats acc) who))
                            (is-none (map-get? votes { bid-id: (get bid-id acc), validator: who })))) })
)

(define-private (fz-committee-ok
    (bid-id uint)
    (c { seats: (list 10 principal), commits: uint, reveals: uint, revealed-weight: uint,
         revealed: (list 10 { score: uint, weight: uint }) })
    (provider principal)
    (bidder principal)
  )
  (let (
      (seat-count (len (get seats c)))
      (cast (fold fz-count-vote (get seats c) { bid-id: bid-id, commits: u0, reveals: u0 }))
    )
    (and (> seat-count u0)
         (<= (get commits c) seat-count)
         (<= (get reveals c) (get commits c))
         (is-eq (get commits cast) (get commits c))
         (is-eq (get reveals cast) (get reveals c))
         (is-eq (len (get revealed c)) (get reveals c))
         (is-eq (fold fz-add-weight (get revealed c) u0) (get revealed-weight c))
         (fold fz-score-ok (get revealed c) true)
         ;; the parties never judge their own job
         (is-none (index-of? (get seats c) provider))
         (is-none (index-of? (get seats c) bidder))
         (get ok (fold fz-unique-seat (get seats c) { seen: (list), ok: true }))
         (get ok (fold fz-stray-vote FZ_ACCOUNTS { bid-id: bid-id, seats: (get seats c), ok: true })))
  )
)

;; A job result agrees with the payout rules of the bid's parameter version.
(define-private (fz-result-ok
    (r { final-score: uint, outcome: uint, provider-payment: uint, bidder-refund: uint, slashed-amount: uint,
         validator-fees: uint, protocol-fee: uint, penalties: uint, reward-pool: uint, reward-weight: uint,
         finalized-at: uint })
    (amount uint)
    (version uint)
  )
  (match (map-get? parameter-history version)
    p (let (
        (final (get final-score r))
        (rt (get reward-threshold p))
        (st (get slash-threshold p))
        (refund (get bidder-refund r))
        (payment (if (<= refund amount) (- amount refund) u0))
        (expected-payment (if (>= final rt) amount (if (> final st) (/ (* amount (- final st)) (- rt st)) u0)))
      )
      (and (<= final MAX_SCORE)
           (<= refund amount)
           (is-eq payment expected-payment)
           (is-eq (get outcome r) (if (>= final rt) OUTCOME_REWARDED (if (< final st) OUTCOME_SLASHED OUTCOME_PARTIAL)))
           (if (> payment u0)
             (and (is-eq (get validator-fees r) (/ (* payment (get validator-fee-bps p)) BPS))
                  (is-eq (get protocol-fee r) (/ (* payment (get protocol-fee-bps p)) BPS))
                  (is-eq (+ (get provider-payment r) (get validator-fees r) (get protocol-fee r)) payment))
             (and (is-eq (get provider-payment r) u0)
                  (is-eq (get protocol-fee r) u0)
                  (is-eq (get validator-fees r)
                         (fz-min (/ (* amount (get validator-fee-bps p)) BPS) (get slashed-amount r)))))
           ;; only a score under the slash threshold slashes
           (or (< final st) (is-eq (get slashed-amount r) u0))
           ;; claims only ever take out of the pool
           (<= (get reward-pool r) (+ (get validator-fees r) (get penalties r)))))
    false)
)

;; The coherent votes of a settled job not claimed yet.
(define-private (fz-unclaimed-coherent
    (seat principal)
    (acc { bid-id: uint, final: uint, tolerance: uint, weight: uint, count: uint })
  )
  (match (map-get? votes { bid-id: (get bid-id acc), validator: seat })
    v (if (and (get revealed v) (not (get claimed v))
               (<= (if (> (get score v) (get final acc)) (- (get score v) (get final acc)) (- (get final acc) (get score v)))
                   (get tolerance acc)))
        (merge acc { weight: (+ (get weight acc) (get weight v)), count: (+ (get count acc) u1) })
        acc)
    acc)
)

;; What is left of a reward pool belongs to the coherent seats that have not
;; claimed: reward-weight is exactly their weight, and a non-empty pool always
;; has one of them left to claim it (no reward is ever stranded).
(define-private (fz-pool-ok
    (bid-id uint)
    (r { final-score: uint, outcome: uint, provider-payment: uint, bidder-refund: uint, slashed-amount: uint,
         validator-fees: uint, protocol-fee: uint, penalties: uint, reward-pool: uint, reward-weight: uint,
         finalized-at: uint })
    (committee (optional { seats: (list 10 principal), commits: uint, reveals: uint, revealed-weight: uint,
                           revealed: (list 10 { score: uint, weight: uint }) }))
    (version uint)
  )
  (match committee
    c (let ((left (fold fz-unclaimed-coherent (get seats c)
                    { bid-id: bid-id, final: (get final-score r), tolerance: (fz-param version "consensus-tolerance"),
                      weight: u0, count: u0 })))
        (and (is-eq (get reward-weight r) (get weight left))
             (or (is-eq (get reward-pool r) u0) (> (get count left) u0))))
    false)
)

(define-private (fz-count-seat (seat principal) (counts (list 9 uint)))
  (match (index-of? FZ_ACCOUNTS seat) i (fz-add-at counts i u1) counts)
)

(define-private (fz-bid-step
    (id uint)
    (acc { ok: bool, links-ok: bool, results-ok: bool, committees-ok: bool, open: uint, queued: uint,
           matched: uint, pool: uint, seats: (list 9 uint) })
  )
  (match (map-get? bids id)
    bid (let (
        (status (get status bid))
        (amount (get amount bid))
        (result (map-get? job-results id))
        (committee (map-get? committees id))
        (dataset (map-get? datasets (get dataset-id bid)))
        (provider (match dataset d (get provider d) (get bidder bid)))
      )
      {
        ok: (and (get ok acc)
                 (>= status STATUS_QUEUED) (<= status STATUS_EXPIRED)
                 (is-some dataset)
                 (is-some (map-get? parameter-history (get parameter-version bid)))
                 (not (is-eq (get bidder bid) provider))
                 (>= amount (fz-param (get parameter-version bid) "min-bid-amount"))),
        ;; exactly the queued bids are linked into a queue
        links-ok: (and (get links-ok acc) (is-eq (is-eq status STATUS_QUEUED) (is-some (map-get? queue-links id)))),
        ;; exactly the settled bids have a result (a job is paid out once), and it obeys the rules
        results-ok: (and (get results-ok acc)
                         (is-eq (is-eq status STATUS_SETTLED) (is-some result))
                         (match result r (and (fz-result-ok r amount (get parameter-version bid))
                                              (fz-pool-ok id r committee (get parameter-version bid)))
                           true)),
        committees-ok: (and (get committees-ok acc)
                            (match committee
                              c (and (not (is-eq status STATUS_QUEUED)) (not (is-eq status STATUS_CANCELLED))
                                     (fz-committee-ok id c provider (get bidder bid)))
                              (not (is-eq status STATUS_SETTLED)))),
        open: (+ (get open acc) (if (or (is-eq status STATUS_QUEUED) (is-eq status STATUS_MATCHED)) amount u0)),
        queued: (+ (get queued acc) (if (is-eq status STATUS_QUEUED) u1 u0)),
        matched: (+ (get matched acc) (if (is-eq status STATUS_MATCHED) u1 u0)),
        pool: (+ (get pool acc) (match result r (get reward-pool r) u0)),
        seats: (if (is-eq status STATUS_MATCHED)
                 (match committee c (fold fz-count-seat (get seats c) (get seats acc)) (get seats acc))
                 (get seats acc)),
      })
    (merge acc { ok: false }))
)

(define-private (fz-bids)
  (fold fz-bid-step (fz-ids-upto (get last-bid-id (var-get market)))
    { ok: true, links-ok: true, results-ok: true, committees-ok: true, open: u0, queued: u0, matched: u0,
      pool: u0, seats: FZ_ZEROS })
)

(define-private (fz-enumerable)
  (and (<= (get last-dataset-id (var-get market)) FZ_MAX_ID) (<= (get last-bid-id (var-get market)) FZ_MAX_ID)
       (<= (get last-proposal-id (var-get market)) FZ_MAX_ID))
)

(define-private (fz-validator-step
    (who principal)
    (acc { ok: bool, i: uint, stake: uint, active: uint, seats: (list 9 uint), check-seats: bool })
  )
  (let ((seated (default-to u0 (element-at? (get seats acc) (get i acc)))))
    (match (map-get? validators who)
      v (merge acc {
          i: (+ (get i acc) u1),
          stake: (+ (get stake acc) (get stake v)),
          active: (+ (get active acc) (if (get active v) u1 u0)),
          ok: (and (get ok acc)
                   ;; an active validator sits at its index of the set
                   (or (not (get active v))
                       (and (< (get index v) (get active-validator-count (var-get market)))
                            (is-eq (map-get? validator-at (get index v)) (some who))))
                   ;; an active validator always has stake behind its vote
                   (or (not (get active v)) (> (get stake v) u0))
                   ;; open-seats counts exactly the unsettled jobs whose committee seats it
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
            { ok: true, i: u0, stake: u0, active: u0, seats: seats, check-seats: check-seats }))
    )
    (and (get ok vs)
         (is-eq (get stake vs) (get validator-stakes (get-market-totals)))
         ;; the active set is exactly indices 0..count-1
         (is-eq (get active vs) n-active)
         (is-none (map-get? validator-at n-active)))
  )
)

(define-private (fz-param-in-bounds (name (string-ascii 32)) (all-ok bool))
  (and all-ok (match (map-get? parameter-bounds name)
    b (let ((v (fz-param (fz-version) name))) (and (>= v (get min-value b)) (<= v (get max-value b))))
    false))
)

(define-private (fz-parameters-ok)
  (let ((p (get-parameters)) (state (var-get market)))
    (and (is-eq (map-get? parameter-history (get version p)) (some p))
         ;; the market record's copies are those of the version in force
         (is-eq (get parameter-version state) (get version p))
         (is-eq (get min-dataset-stake state) (get min-dataset-stake p))
         (is-eq (get min-validator-stake state) (get min-validator-stake p))
         (is-eq (get min-bid-amount state) (get min-bid-amount p))
         (is-eq (get max-computation-duration state) (get max-computation-duration p))
         (is-eq (get committee-size state) (get committee-size p))
         (is-none (map-get? parameter-history (+ (get version p) u1)))
         (> (get reward-threshold p) (get slash-threshold p))
         (< (+ (get validator-fee-bps p) (get protocol-fee-bps p)) BPS)
         (fold fz-param-in-bounds FZ_PARAMETER_NAMES true))
  )
)

(define-private (fz-tally-voter (who principal) (acc { id: uint, ends: uint, yes: uint, no: uint, locks-ok: bool }))
  (match (map-get? proposal-votes { proposal-id: (get id acc), voter: who })
    v (merge acc {
        yes: (+ (get yes acc) (if (get support v) (get weight v) u0)),
        no: (+ (get no acc) (if (get support v) u0 (get weight v))),
        ;; a voter's stakes stay locked until the end of the vote
        locks-ok: (and (get locks-ok acc) (>= (default-to u0 (map-get? vote-locks who)) (get ends acc))),
      })
    acc)
)

(define-private (fz-proposal-step (id uint) (all-ok bool))
  (and all-ok
       (match (map-get? proposals id)
         p (let ((tally (fold fz-tally-voter FZ_ACCOUNTS
                          { id: id, ends: (get voting-ends-at p), yes: u0, no: u0, locks-ok: true })))
             (and (is-eq (get yes tally) (get yes-votes p))
                  (is-eq (get no tally) (get no-votes p))
                  (get locks-ok tally)
                  (> (get executable-at p) (get voting-ends-at p))
                  (> (get voting-ends-at p) (get created-at p))
                  (is-eq (get expires-at p) (+ (get executable-at p) PROPOSAL_EXECUTION_WINDOW))))
         false))
)

(define-private (fz-governance-ok)
  (fold fz-proposal-step (fz-ids-upto (get last-proposal-id (var-get market))) true)
)

;; ---------------------------------------------------------------------------
;; Invariants (checked by `rv ... invariant` after random call sequences)
;; ---------------------------------------------------------------------------

;; Every micro-STX the contract holds is in exactly one bucket of get-market-totals.
(define-read-only (invariant-solvency)
  (is-eq (stx-get-balance current-contract) (fz-total (get-market-totals)))
)

;; The dataset-stakes bucket is the sum of the datasets' stakes and of the
;; providers' governance stakes; retired datasets hold nothing; queues are well formed.
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
;; matched bids exactly their active jobs.
(define-read-only (invariant-queues-and-slots)
  (or (not (fz-enumerable))
      (let ((bs (fz-bids)) (ds (fz-datasets)))
        (and (get links-ok bs)
             (is-eq (get queued bs) (get queued-jobs ds))
             (is-eq (get matched bs) (get active-jobs ds)))))
)

;; Every finished job was paid out once: settled bids, and only they, have one
;; result obeying the payout rules; unclaimed rewards are exactly what is left
;; of the results' reward pools; claims never exceed a pool; what is left of a
;; pool is owed to exactly the coherent seats that have not claimed (its
;; reward-weight is their weight) and is never stranded.
(define-read-only (invariant-jobs-paid-once)
  (or (not (fz-enumerable))
      (let ((bs (fz-bids)))
        (and (get results-ok bs) (is-eq (get pool bs) (get unclaimed-rewards (get-market-totals))))))
)

;; Committees: seats unique, parties never seated, counts match the votes cast,
;; revealed weight is the sum of the revealed votes; a settled job had one.
(define-read-only (invariant-committees)
  (or (not (fz-enumerable)) (get committees-ok (fz-bids)))
)

;; Validator stakes sum to their bucket; the active set is exactly indices
;; 0..count-1; open-seats counts the unsettled jobs that seat each validator.
(define-read-only (invariant-validator-set)
  (let ((enumerable (fz-enumerable)))
    (fz-validators-ok (if enumerable (get seats (fz-bids)) FZ_ZEROS) enumerable))
)

;; The parameters in force are the latest stored version and obey the hard
;; bounds and cross rules.
(define-read-only (invariant-parameters)
  (fz-parameters-ok)
)

;; Proposal tallies are the sums of their recorded votes; voters stay locked
;; until the vote ends.
(define-read-only (invariant-governance-tallies)
  (or (not (fz-enumerable)) (fz-governance-ok))
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
    (if (not (is-eq (stx-get-balance current-contract) (fz-total totals))) u9001
    (if (not (is-eq (fold + provider-sums u0) (get dataset-stakes totals))) u9002
    (if (not (fz-validators-ok (if enumerable (get seats bs) FZ_ZEROS) enumerable)) u9003
    (if (not (fz-parameters-ok)) u9004
    (if (not enumerable) u0
    (if (not (fz-governance-ok)) u9005
    (if (not (and (get ok ds) (is-eq (get stake ds) (get dataset-stakes totals)) (is-eq (get per-provider ds) provider-sums))) u9006
    (if (not (or (> (fz-raw-calls "add-dataset-stake") u0) (get deposits-ok ds))) u9007
    (if (not (get ok bs)) u9008
    (if (not (is-eq (get open bs) (get escrowed-bids totals))) u9009
    (if (not (and (get links-ok bs) (is-eq (get queued bs) (get queued-jobs ds)) (is-eq (get matched bs) (get active-jobs ds)))) u9010
    (if (not (and (get results-ok bs) (is-eq (get pool bs) (get unclaimed-rewards totals)))) u9011
    (if (not (get committees-ok bs)) u9012
      u0)))))))))))))
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
(define-private (fz-coherent-weight (v { score: uint, weight: uint }) (acc { final: uint, tolerance: uint, weight: uint }))
  (if (<= (if (> (get score v) (get final acc)) (- (get score v) (get final acc)) (- (get final acc) (get score v)))
          (get tolerance acc))
    (merge acc { weight: (+ (get weight acc) (get weight v)) })
    acc)
)

;; A job just finalized: status, median, slash, and every bucket and balance
;; moved exactly by the result (plus refunds of queue heads expired by the freed
;; slot). u0 when all hold, else the failing check.
(define-private (fz-settlement-code
    (bid-id uint)
    (stake-before uint)
    (before { contract: uint, who: uint, totals: { dataset-stakes: uint, validator-stakes: uint, escrowed-bids: uint,
                                                   unclaimed-rewards: uint, treasury: uint } })
    (expired-before uint)
  )
  (let (
      (bid (unwrap! (map-get? bids bid-id) u1))
      (r (unwrap! (map-get? job-results bid-id) u2))
      (c (unwrap! (map-get? committees bid-id) u3))
      (p (unwrap! (map-get? parameter-history (get parameter-version bid)) u4))
      (amount (get amount bid))
      (after (fz-snapshot tx-sender))
      (tb (get totals before))
      (ta (get totals after))
      (refunded (- (get expired (fz-expired tx-sender)) expired-before))
      (payment (- amount (get bidder-refund r)))
      (slash (if (< (get final-score r) (get slash-threshold p)) (/ (* stake-before (get slash-rate-bps p)) BPS) u0))
      (coherent (get weight (fold fz-coherent-weight (get revealed c)
                   { final: (get final-score r), tolerance: (get consensus-tolerance p), weight: u0 })))
    )
    (if (not (is-eq (get status bid) STATUS_SETTLED)) u5
    (if (not (fz-lower-median (get revealed c) (get revealed-weight c) (get final-score r))) u6
    (if (not (>= (get reveals c) (fz-min-reveals (len (get seats c)) (get min-reveals-bps p)))) u7
    (if (not (is-eq (get slashed-amount r) slash)) u8
    (if (not (is-eq (get reward-pool r) (+ (get validator-fees r) (get penalties r)))) u9
    (if (not (is-eq (get reward-weight r) coherent)) u10
    (if (not (is-eq (+ (get contract after) (get provider-payment r) (get bidder-refund r) refunded) (get contract before))) u11
    (if (not (is-eq (+ (get escrowed-bids ta) amount refunded) (get escrowed-bids tb))) u12
    (if (not (is-eq (+ (get dataset-stakes ta) slash) (get dataset-stakes tb))) u13
    (if (not (is-eq (+ (get validator-stakes ta) (get penalties r)) (get validator-stakes tb))) u14
    (if (not (is-eq (get unclaimed-rewards ta) (+ (get unclaimed-rewards tb) (get reward-pool r)))) u15
    ;; treasury gain = slash + (payment - provider payment) - validator fees
    (if (not (is-eq (+ (get treasury ta) (get validator-fees r) (get provider-payment r))
                    (+ (get treasury tb) slash payment))) u16
      u0))))))))))))
  )
)

;; ---------------------------------------------------------------------------
;; Property tests (`rv ... test`), one per public function
;; ---------------------------------------------------------------------------

;; 01 register-dataset: moves exactly the stake into the dataset-stakes bucket
;; and records it; refused exactly when paused or the metadata URI is empty.
(define-public (test-register-dataset (stake-seed uint) (metadata-uri (string-ascii 256)))
  (let (
      (stake (fz-dataset-stake stake-seed))
      (expected (if (get paused (var-get market)) u102
                  (if (is-eq (len metadata-uri) u0) u202
                    (if (> stake (stx-get-balance tx-sender)) u104 u0))))
      (before (fz-snapshot tx-sender))
      (next-id (+ (get last-dataset-id (var-get market)) u1))
      (power-before (fz-provider-stake tx-sender))
    )
    (asserts! (< (get last-dataset-id (var-get market)) FZ_CREATE_CAP) (ok false))
    (match (register-dataset stake metadata-uri)
      id (let (
          (after (fz-snapshot tx-sender))
          (d (unwrap! (map-get? datasets id) (err u10101)))
          (tb (get totals before))
        )
        (asserts! (is-eq expected u0) (err u10102))
        (asserts! (is-eq id next-id) (err u10103))
        (asserts! (is-eq (+ (get who after) stake) (get who before)) (err u10104))
        (asserts! (is-eq (get contract after) (+ (get contract before) stake)) (err u10105))
        (asserts! (is-eq (get totals after) (merge tb { dataset-stakes: (+ (get dataset-stakes tb) stake) })) (err u10106))
        (asserts! (and (is-eq (get provider d) tx-sender) (is-eq (get stake d) stake) (get active d)
                       (is-eq (get metadata-uri d) metadata-uri) (is-eq (get price-per-block d) u0)
                       (is-eq (get max-concurrent-jobs d) u1) (is-eq (get queued-jobs d) u0))
                  (err u10107))
        (asserts! (is-eq (fz-provider-stake tx-sender) (+ power-before stake)) (err u10108))
        (map-set fz-deposits id stake)
        (fz-done))
      code (begin (asserts! (is-eq code expected) (err u10109)) (ok false)))
  )
)

;; 02 add-dataset-stake: the provider pays exactly the top-up, which lands in the
;; stake (queue heads the top-up reopens may be refunded); zero or a retired
;; dataset is refused.
(define-public (test-add-dataset-stake (pick uint) (amount-seed uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err u10201)))
        (amount (if (is-eq (mod amount-seed u17) u0) u0 (+ u1 (mod amount-seed u5000000))))
        (expected (if (is-eq amount u0) u103 (if (not (get active d)) u204 u0)))
        (before (fz-snapshot tx-sender))
        (expired-before (get expired (fz-expired tx-sender)))
        (power-before (fz-provider-stake tx-sender))
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
          (match (map-get? fz-deposits dataset-id) deposited (map-set fz-deposits dataset-id (+ deposited amount)) false)
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u10209)) (ok false))))
    (ok false)
  )
)

;; 03 set-dataset-terms: writes the terms, moves no STX but the refunds of queue
;; heads that can no longer make their deadline, handles at most 5 heads;
;; refused for a retired dataset, a price over the cap, a capacity of 0.
(define-public (test-set-dataset-terms (pick uint) (price-seed uint) (capacity-seed uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err u10301)))
        (price (if (is-eq (mod price-seed u23) u0) (+ MAX_PRICE_PER_BLOCK u1) (mod price-seed u3000)))
        (capacity (mod capacity-seed u6))
        (expected (if (not (get active d)) u204
                    (if (> price MAX_PRICE_PER_BLOCK) u209
                      (if (is-eq capacity u0) u208 u0))))
        (before (fz-snapshot tx-sender))
        (expired-before (get expired (fz-expired tx-sender)))
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
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u10309)) (ok false))))
    (ok false)
  )
)

;; 04 withdraw-dataset-stake: succeeds exactly when the rules allow it (active,
;; no job running or queued, no live governance vote, and validated, never used,
;; or idle for stake-lock-blocks) and then pays exactly the stake and retires it.
(define-public (test-withdraw-dataset-stake (pick uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err u10401)))
        (unlocked (or (> (get passed-validations d) u0)
                      (is-eq (get matched-jobs d) u0)
                      (> burn-block-height (+ (get last-settled-at d) (get stake-lock-blocks (get-parameters))))))
        (expected (if (not (get active d)) u204
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
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u10410)) (ok false))))
    (ok false)
  )
)

;; 05 place-computation-bid: escrows exactly the amount; matched at once iff the
;; dataset has a free slot and no queue, else queued; refused exactly when paused
;; or the dataset is understaked; a bid under the minimum, with duration 0 or an
;; unreachable deadline is refused with its own error.
(define-public (test-place-computation-bid (pick uint) (amount-seed uint) (duration-seed uint) (slack-seed uint))
  (match (fz-pick-biddable-dataset pick)
    dataset-id (let (
        (d (unwrap! (map-get? datasets dataset-id) (err u10501)))
        (params (get-parameters))
        (terms (fz-bid-terms dataset-id amount-seed duration-seed slack-seed))
        (amount (get amount terms))
        (duration (get duration terms))
        (deadline (get deadline terms))
        (expected (if (get paused (var-get market)) u102
                    (if (< (get stake d) (get min-dataset-stake params)) u205
                      (if (> amount (stx-get-balance tx-sender)) u104 u0))))
        (match-now (and (is-eq (get queue-head d) u0) (< (get active-jobs d) (get max-concurrent-jobs d))))
        (before (fz-snapshot tx-sender))
        (ledger-before (fz-expired tx-sender))
        (next-id (+ (get last-bid-id (var-get market)) u1))
      )
      (asserts! (fz-room-for-bid dataset-id) (ok false))
      (asserts! (is-eq (match (place-computation-bid dataset-id (- (get min-bid-amount params) u1) duration deadline) id u0 e e)
                       (if (or (is-eq expected u0) (is-eq expected u104)) u302 expected))
                (err u10502))
      (asserts! (is-eq (match (place-computation-bid dataset-id amount u0 deadline) id u0 e e)
                       (if (or (is-eq expected u0) (is-eq expected u104)) u304 expected))
                (err u10503))
      (asserts! (is-eq (match (place-computation-bid dataset-id amount duration (- (+ burn-block-height duration) u1)) id u0 e e)
                       (if (or (is-eq expected u0) (is-eq expected u104)) u305 expected))
                (err u10504))
      (match (place-computation-bid dataset-id amount duration deadline)
        bid-id (let (
            (after (fz-snapshot tx-sender))
            (ledger-after (fz-expired tx-sender))
            (refunded (- (get expired ledger-after) (get expired ledger-before)))
            (refunded-mine (- (get expired-who ledger-after) (get expired-who ledger-before)))
            (bid (unwrap! (map-get? bids bid-id) (err u10505)))
            (d-after (unwrap! (map-get? datasets dataset-id) (err u10506)))
            (tb (get totals before))
          )
          (asserts! (is-eq expected u0) (err u10507))
          (asserts! (is-eq bid-id next-id) (err u10508))
          (asserts! (and (is-eq (get dataset-id bid) dataset-id) (is-eq (get bidder bid) tx-sender)
                         (is-eq (get amount bid) amount) (is-eq (get duration bid) duration)
                         (is-eq (get deadline bid) deadline) (is-eq (get placed-at bid) burn-block-height)
                         (is-eq (get parameter-version bid) (get version params)))
                    (err u10509))
          (asserts! (is-eq (+ (get who after) amount) (+ (get who before) refunded-mine)) (err u10510))
          (asserts! (is-eq (+ (get contract after) refunded) (+ (get contract before) amount)) (err u10511))
          (asserts! (is-eq (get totals after) (merge tb { escrowed-bids: (- (+ (get escrowed-bids tb) amount) refunded) }))
                    (err u10512))
          (asserts! (if match-now
                      (and (is-eq (get status bid) STATUS_MATCHED) (is-eq (get matched-at bid) burn-block-height)
                           (is-eq (get active-jobs d-after) (+ (get active-jobs d) u1))
                           (is-eq (get matched-jobs d-after) (+ (get matched-jobs d) u1)))
                      (or (is-eq (get status bid) STATUS_QUEUED) (is-eq (get status bid) STATUS_MATCHED)))
                    (err u10513))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u10514)) (ok false))))
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

;; 07 cancel-bid: only a queued bid, refunded exactly, unlinked from its queue.
(define-public (test-cancel-bid (pick uint))
  (match (fz-pick-my-bid pick)
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
;; deadline, or a matched job past its reveal window without enough reveals; the
;; bidder gets exactly the amount back, nothing is slashed, silent seats'
;; penalties go to the treasury.
(define-public (test-expire-bid (pick uint))
  (match (fz-pick-open-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u10801)))
        (bidder (get bidder bid))
        (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u10802)))
        (enough (match (map-get? committees bid-id)
                  c (>= (get reveals c) (fz-min-reveals (len (get seats c)) (fz-param (get parameter-version bid) "min-reveals-bps")))
                  false))
        (expected (if (is-eq (get status bid) STATUS_QUEUED)
                    (if (> (+ burn-block-height (get duration bid)) (get deadline bid)) u0 u308)
                    (if (<= burn-block-height (fz-reveal-closes bid-id)) u308 (if enough u310 u0))))
        (before (fz-snapshot bidder))
        (ledger-before (fz-expired bidder))
      )
      (match (expire-bid bid-id)
        refund (let (
            (after (fz-snapshot bidder))
            (ledger-after (fz-expired bidder))
            (refunded (- (get expired ledger-after) (get expired ledger-before)))
            (refunded-bidder (- (get expired-who ledger-after) (get expired-who ledger-before)))
            (d-after (unwrap! (map-get? datasets (get dataset-id bid)) (err u10803)))
            (tb (get totals before))
            (ta (get totals after))
          )
          (asserts! (is-eq expected u0) (err u10804))
          (asserts! (is-eq refund (get amount bid)) (err u10805))
          (asserts! (and (is-eq (get status (default-to bid (map-get? bids bid-id))) STATUS_EXPIRED)
                         (is-none (map-get? job-results bid-id)))
                    (err u10806))
          (asserts! (>= refunded-bidder refund) (err u10807))
          (asserts! (is-eq (get who after) (+ (get who before) refunded-bidder)) (err u10808))
          (asserts! (is-eq (+ (get contract after) refunded) (get contract before)) (err u10809))
          (asserts! (and (is-eq (+ (get escrowed-bids ta) refunded) (get escrowed-bids tb))
                         (is-eq (get dataset-stakes ta) (get dataset-stakes tb))
                         (is-eq (get unclaimed-rewards ta) (get unclaimed-rewards tb))
                         (is-eq (+ (get validator-stakes ta) (get treasury ta)) (+ (get validator-stakes tb) (get treasury tb))))
                    (err u10810))
          (asserts! (is-eq (get stake d-after) (get stake d)) (err u10811))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u10812)) (ok false))))
    (ok false)
  )
)

;; 09 register-validator: moves exactly the stake, appends to the active set;
;; refused while paused or for an existing validator.
(define-public (test-register-validator (stake-seed uint))
  (let (
      (stake (fz-validator-stake stake-seed))
      (n-active (get active-validator-count (var-get market)))
      (expected (if (get paused (var-get market)) u102
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
                       (is-eq (map-get? validator-at n-active) (some tx-sender)))
                  (err u10906))
        (fz-done))
      code (begin (asserts! (is-eq code expected) (err u10907)) (ok false)))
  )
)

;; 10 request-validator-exit: only an active validator on no committee; leaves
;; the set at once (swap-and-pop), moves no STX. Tried one call in three, so
;; that the validator set stays large enough to seat committees.
(define-public (test-request-validator-exit (seed uint))
  (let (
      (record (map-get? validators tx-sender))
      (n-active (get active-validator-count (var-get market)))
      (expected (match record
                  v (if (not (get active v)) u403 (if (> (get open-seats v) u0) u406 u0))
                  u400))
      (before (fz-snapshot tx-sender))
    )
    (asserts! (is-eq (mod seed u3) u0) (ok false))
    (match (request-validator-exit)
      unbonded-at (let ((after (fz-snapshot tx-sender)) (v (unwrap! (map-get? validators tx-sender) (err u11001))))
        (asserts! (is-eq expected u0) (err u11002))
        (asserts! (is-eq unbonded-at (+ burn-block-height (get validator-unbonding-blocks (get-parameters)))) (err u11003))
        (asserts! (and (not (get active v)) (is-eq (get exit-requested-at v) burn-block-height)
                       (is-eq (get active-validator-count (var-get market)) (- n-active u1)))
                  (err u11004))
        (asserts! (is-eq after before) (err u11005))
        (fz-done))
      code (begin (asserts! (is-eq code expected) (err u11006)) (ok false)))
  )
)

;; 11 withdraw-validator-stake: only after the exit, the unbonding window, every
;; seat settled and every governance vote over; pays exactly the stake.
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

;; 12 draw-committee: at most min(committee-size, active validators) seats, all
;; active validators, no party, no STX moved; refused while paused or after the
;; commit phase; a market that fits in one committee needs no seed.
(define-public (test-draw-committee (pick uint))
  (match (fz-pick-undrawn-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11201)))
        (size (fz-param (get parameter-version bid) "committee-size"))
        (n (get active-validator-count (var-get market)))
        (expected (if (get paused (var-get market)) u102 (if (> burn-block-height (fz-commit-closes bid-id)) u504 u0)))
        (before (fz-snapshot tx-sender))
      )
      (match (draw-committee bid-id)
        seats (let ((c (unwrap! (map-get? committees bid-id) (err u11202))))
          (asserts! (is-eq expected u0) (err u11203))
          (asserts! (is-eq seats (get seats c)) (err u11204))
          (asserts! (and (> (len seats) u0) (<= (len seats) (fz-min size n))) (err u11205))
          (asserts! (fold fz-seat-was-active seats true) (err u11206))
          (asserts! (and (is-eq (get commits c) u0) (is-eq (get reveals c) u0)) (err u11207))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11208))
          (fz-done))
        code (begin
          (asserts! (if (is-eq expected u0)
                      (or (is-eq code u509) (and (is-eq code u508) (> n size)))
                      (is-eq code expected))
                    (err u11209))
          (ok false))))
    (ok false)
  )
)

;; 13 commit-validation-result: a seat commits once, with its current stake as
;; weight; no STX moves; refused for a non-validator, while paused, after the
;; commit phase, for a party of the job; a second commit is ALREADY_VOTED.
(define-public (test-commit-validation-result (pick uint) (score-seed uint) (salt-seed uint))
  (match (fz-pick-votable-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11301)))
        (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u11302)))
        (record (map-get? validators tx-sender))
        (score (mod score-seed u101))
        (salt (fz-salt salt-seed))
        (commitment (compute-commitment score salt bid-id tx-sender))
        (commits-before (match (map-get? committees bid-id) c (get commits c) u0))
        (expected (if (is-none record) u400
                    (if (get paused (var-get market)) u102
                      (if (> burn-block-height (fz-commit-closes bid-id)) u504
                        (if (or (is-eq tx-sender (get provider d)) (is-eq tx-sender (get bidder bid))) u505 u0)))))
        (before (fz-snapshot tx-sender))
      )
      (match (commit-validation-result bid-id commitment)
        done (let (
            (c (unwrap! (map-get? committees bid-id) (err u11303)))
            (v (unwrap! (map-get? votes { bid-id: bid-id, validator: tx-sender }) (err u11304)))
          )
          (asserts! (is-eq expected u0) (err u11305))
          (asserts! (and (is-eq (get commitment v) commitment) (not (get revealed v)) (not (get claimed v))
                         (is-eq (some (get weight v)) (get stake record)))
                    (err u11306))
          (asserts! (and (is-some (index-of? (get seats c) tx-sender)) (is-eq (get commits c) (+ commits-before u1))) (err u11307))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11308))
          (asserts! (is-eq (match (commit-validation-result bid-id commitment) again u0 e e) u501) (err u11309))
          (map-set fz-secrets { bid-id: bid-id, validator: tx-sender } { score: score, salt: salt })
          (fz-done))
        code (begin
          (asserts! (if (is-eq expected u0)
                      (or (is-eq code u506) (is-eq code u508) (is-eq code u509))
                      (is-eq code expected))
                    (err u11310))
          (ok false))))
    (ok false)
  )
)

;; 14 reveal-validation-result: another score or salt never opens a commitment
;; (COMMITMENT_MISMATCH); the true one succeeds exactly inside the reveal phase;
;; the reveal that completes the committee settles the job by the rules.
(define-public (test-reveal-validation-result (pick uint) (wrong-seed uint))
  (match (fz-pick-revealable-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11401)))
        (secret (unwrap! (map-get? fz-secrets { bid-id: bid-id, validator: tx-sender }) (err u11402)))
        (score (get score secret))
        (salt (get salt secret))
        (c (unwrap! (map-get? committees bid-id) (err u11403)))
        (v (unwrap! (map-get? votes { bid-id: bid-id, validator: tx-sender }) (err u11404)))
        (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u11405)))
        (open (or (is-eq (get commits c) (len (get seats c))) (> burn-block-height (fz-commit-closes bid-id))))
        (expected (if (not open) u513 (if (> burn-block-height (fz-reveal-closes bid-id)) u514 u0)))
        (mismatch (if (is-eq expected u0) u515 expected))
        (wrong-score (mod (+ score u1 (mod wrong-seed u100)) u101))
        (before (fz-snapshot tx-sender))
        (expired-before (get expired (fz-expired tx-sender)))
      )
      (asserts! (is-eq (match (reveal-validation-result bid-id wrong-score salt) x u0 e e) mismatch) (err u11406))
      (asserts! (is-eq (match (reveal-validation-result bid-id score (sha256 salt)) x u0 e e) mismatch) (err u11407))
      (match (reveal-validation-result bid-id score salt)
        finalized (let (
            (c-after (unwrap! (map-get? committees bid-id) (err u11408)))
            (v-after (unwrap! (map-get? votes { bid-id: bid-id, validator: tx-sender }) (err u11409)))
          )
          (asserts! (is-eq expected u0) (err u11410))
          (asserts! (and (get revealed v-after) (is-eq (get score v-after) score)) (err u11411))
          (asserts! (and (is-eq (get reveals c-after) (+ (get reveals c) u1))
                         (is-eq (get revealed-weight c-after) (+ (get revealed-weight c) (get weight v))))
                    (err u11412))
          (asserts! (is-eq finalized (is-eq (get reveals c-after) (len (get seats c)))) (err u11413))
          (if finalized
            (let ((code (fz-settlement-code bid-id (get stake d) before expired-before)))
              (asserts! (is-eq code u0) (err (+ u11450 code))))
            (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11414)))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u11415)) (ok false))))
    (ok false)
  )
)

;; 15 submit-validation-result: the one-seat direct path; names the dataset of the
;; bid (another id is BID_DATASET_MISMATCH); finalizes at once with the score as
;; the median and settles by the rules.
(define-public (test-submit-validation-result (pick uint) (score-seed uint))
  (match (fz-pick-votable-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11501)))
        (dataset-id (get dataset-id bid))
        (d (unwrap! (map-get? datasets dataset-id) (err u11502)))
        (record (map-get? validators tx-sender))
        (score (mod score-seed u101))
        (expected (if (is-none record) u400
                    (if (get paused (var-get market)) u102
                      (if (> burn-block-height (fz-commit-closes bid-id)) u504
                        (if (or (is-eq tx-sender (get provider d)) (is-eq tx-sender (get bidder bid))) u505 u0)))))
        (before (fz-snapshot tx-sender))
        (expired-before (get expired (fz-expired tx-sender)))
      )
      (asserts! (is-eq (match (submit-validation-result (+ dataset-id u1) bid-id score) x u0 e e)
                       (if (is-none record) u400 (if (get paused (var-get market)) u102 u502)))
                (err u11503))
      (match (submit-validation-result dataset-id bid-id score)
        done (let (
            (c (unwrap! (map-get? committees bid-id) (err u11504)))
            (r (unwrap! (map-get? job-results bid-id) (err u11505)))
            (code (fz-settlement-code bid-id (get stake d) before expired-before))
          )
          (asserts! (is-eq expected u0) (err u11506))
          (asserts! (and done (is-eq (len (get seats c)) u1) (is-eq (get final-score r) score)) (err u11507))
          (asserts! (is-eq code u0) (err (+ u11550 code)))
          (fz-done))
        code (begin
          (asserts! (if (is-eq expected u0)
                      (or (is-eq code u506) (is-eq code u507) (is-eq code u508) (is-eq code u509))
                      (is-eq code expected))
                    (err u11508))
          (ok false))))
    (ok false)
  )
)

;; 16 finalize-validation: succeeds exactly after the reveal window; with enough
;; reveals it settles by the median, otherwise it refunds the bidder in full
;; (outcome u4) without a slash.
(define-public (test-finalize-validation (pick uint))
  (match (fz-pick-matched-bid pick)
    bid-id (let (
        (bid (unwrap! (map-get? bids bid-id) (err u11601)))
        (bidder (get bidder bid))
        (d (unwrap! (map-get? datasets (get dataset-id bid)) (err u11602)))
        (enough (match (map-get? committees bid-id)
                  c (>= (get reveals c) (fz-min-reveals (len (get seats c)) (fz-param (get parameter-version bid) "min-reveals-bps")))
                  false))
        (expected (if (> burn-block-height (fz-reveal-closes bid-id)) u0 u516))
        (before (fz-snapshot bidder))
        (ledger-before (fz-expired bidder))
      )
      (match (finalize-validation bid-id)
        outcome (begin
          (asserts! (is-eq expected u0) (err u11603))
          (if enough
            (let ((code (fz-settlement-code bid-id (get stake d) before (get expired ledger-before))))
              (asserts! (not (is-eq outcome OUTCOME_NO_QUORUM)) (err u11604))
              (asserts! (is-eq (some outcome) (get outcome (map-get? job-results bid-id))) (err u11605))
              (asserts! (is-eq code u0) (err (+ u11650 code))))
            (let (
                (after (fz-snapshot bidder))
                (ledger-after (fz-expired bidder))
                (refunded (- (get expired ledger-after) (get expired ledger-before)))
                (refunded-bidder (- (get expired-who ledger-after) (get expired-who ledger-before)))
                (tb (get totals before))
                (ta (get totals after))
              )
              (asserts! (is-eq outcome OUTCOME_NO_QUORUM) (err u11606))
              (asserts! (and (is-eq (get status (default-to bid (map-get? bids bid-id))) STATUS_EXPIRED)
                             (is-none (map-get? job-results bid-id)))
                        (err u11607))
              (asserts! (and (>= refunded-bidder (get amount bid))
                             (is-eq (get who after) (+ (get who before) refunded-bidder)))
                        (err u11608))
              (asserts! (is-eq (+ (get contract after) refunded) (get contract before)) (err u11609))
              (asserts! (and (is-eq (+ (get escrowed-bids ta) refunded) (get escrowed-bids tb))
                             (is-eq (get dataset-stakes ta) (get dataset-stakes tb))
                             (is-eq (get unclaimed-rewards ta) (get unclaimed-rewards tb))
                             (is-eq (+ (get validator-stakes ta) (get treasury ta)) (+ (get validator-stakes tb) (get treasury tb))))
                        (err u11610))
              (asserts! (is-eq (get stake (default-to d (map-get? datasets (get dataset-id bid)))) (get stake d)) (err u11611))
              true))
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
        (r (unwrap! (map-get? job-results bid-id) (err u11702)))
        (v (unwrap! (map-get? votes { bid-id: bid-id, validator: tx-sender }) (err u11703)))
        (final (get final-score r))
        (gap (if (> (get score v) final) (- (get score v) final) (- final (get score v))))
        (coherent (and (get revealed v) (<= gap (fz-param (get parameter-version bid) "consensus-tolerance"))))
        (pool (get reward-pool r))
        (pool-weight (get reward-weight r))
        (share (if coherent (if (>= (get weight v) pool-weight) pool (/ (* pool (get weight v)) pool-weight)) u0))
        (expected (if (get claimed v) u602 u0))
        (before (fz-snapshot tx-sender))
      )
      (match (claim-validation-reward bid-id)
        reward (let (
            (after (fz-snapshot tx-sender))
            (r-after (unwrap! (map-get? job-results bid-id) (err u11704)))
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

;; 18 propose-parameter-change: needs proposal-threshold of stake; the value must
;; sit in the parameter's bounds and keep the cross rules; stores the schedule.
(define-public (test-propose-parameter-change (name-seed uint) (value-seed uint))
  (let (
      (params (get-parameters))
      (name (fz-parameter-name name-seed))
      (bounds (unwrap! (map-get? parameter-bounds name) (err u11801)))
      (value (if (is-eq (mod value-seed u19) u0) (+ (get max-value bounds) u1) (fz-proposal-value name value-seed)))
      (expected (if (< (voting-power tx-sender) (get proposal-threshold params)) u705
                  (if (> value (get max-value bounds)) u702
                    (if (or (and (is-eq name "reward-threshold") (<= value (get slash-threshold params)))
                            (and (is-eq name "slash-threshold") (>= value (get reward-threshold params)))) u703
                      (if (or (and (is-eq name "validator-fee-bps") (>= (+ value (get protocol-fee-bps params)) BPS))
                              (and (is-eq name "protocol-fee-bps") (>= (+ value (get validator-fee-bps params)) BPS))) u704
                        u0)))))
      (before (fz-snapshot tx-sender))
      (next-id (+ (get last-proposal-id (var-get market)) u1))
    )
    (asserts! (< (get last-proposal-id (var-get market)) FZ_CREATE_CAP) (ok false))
    (match (propose-parameter-change name value)
      id (let (
          (p (unwrap! (map-get? proposals id) (err u11802)))
          (ends (+ burn-block-height (get voting-period params)))
          (executable (+ ends (get execution-delay params) u1))
        )
        (asserts! (is-eq expected u0) (err u11803))
        (asserts! (is-eq id next-id) (err u11804))
        (asserts! (is-eq p { proposer: tx-sender, parameter: name, value: value, created-at: burn-block-height,
                             voting-ends-at: ends, executable-at: executable,
                             expires-at: (+ executable PROPOSAL_EXECUTION_WINDOW),
                             quorum-bps: (get governance-quorum-bps params),
                             total-stake: (+ (get dataset-stakes (get totals before)) (get validator-stakes (get totals before))),
                             yes-votes: u0, no-votes: u0, executed: false })
                  (err u11805))
        (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11806))
        (fz-done))
      code (begin (asserts! (is-eq code expected) (err u11807)) (ok false)))
  )
)

;; 19 vote-on-proposal: once per principal, during the voting period, with its
;; whole stake now; locks its stakes until the vote ends.
(define-public (test-vote-on-proposal (pick uint) (support bool))
  (match (fz-pick-proposal pick)
    proposal-id (let (
        (p (unwrap! (map-get? proposals proposal-id) (err u11901)))
        (power (voting-power tx-sender))
        (lock-before (default-to u0 (map-get? vote-locks tx-sender)))
        (expected (if (> burn-block-height (get voting-ends-at p)) u708
                    (if (is-some (map-get? proposal-votes { proposal-id: proposal-id, voter: tx-sender })) u707
                      (if (is-eq power u0) u706 u0))))
        (before (fz-snapshot tx-sender))
      )
      (match (vote-on-proposal proposal-id support)
        weight (let ((p-after (unwrap! (map-get? proposals proposal-id) (err u11902))))
          (asserts! (is-eq expected u0) (err u11903))
          (asserts! (is-eq weight power) (err u11904))
          (asserts! (is-eq p-after (merge p (if support
                                              { yes-votes: (+ (get yes-votes p) weight), no-votes: (get no-votes p) }
                                              { yes-votes: (get yes-votes p), no-votes: (+ (get no-votes p) weight) })))
                    (err u11905))
          (asserts! (is-eq (map-get? vote-locks tx-sender) (some (fz-max lock-before (get voting-ends-at p)))) (err u11906))
          (asserts! (is-eq (map-get? proposal-votes { proposal-id: proposal-id, voter: tx-sender }) (some { support: support, weight: weight }))
                    (err u11907))
          (asserts! (is-eq (match (vote-on-proposal proposal-id support) again u0 e e) u707) (err u11908))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u11909))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u11910)) (ok false))))
    (ok false)
  )
)

(define-private (fz-other-unchanged (name (string-ascii 32)) (acc { changed: (string-ascii 32), old: uint, new: uint, ok: bool }))
  (merge acc { ok: (and (get ok acc)
                        (or (is-eq name (get changed acc))
                            (is-eq (fz-param (get old acc) name) (fz-param (get new acc) name)))) })
)

;; 20 execute-proposal: succeeds exactly when not executed, in its execution
;; window, with quorum of all stake (capped at the stake when proposed), more
;; yes than no, and still consistent; it
;; then changes only that parameter, in a new version; never twice.
(define-public (test-execute-proposal (pick uint))
  (match (fz-pick-proposal pick)
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
                            (if (or (and (is-eq name "reward-threshold") (<= value (get slash-threshold params)))
                                    (and (is-eq name "slash-threshold") (>= value (get reward-threshold params)))) u703
                              (if (or (and (is-eq name "validator-fee-bps") (>= (+ value (get protocol-fee-bps params)) BPS))
                                      (and (is-eq name "protocol-fee-bps") (>= (+ value (get validator-fee-bps params)) BPS))) u704
                                u0))))))))
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
          (asserts! (is-eq (match (execute-proposal proposal-id) again u0 e e) u711) (err u12007))
          (asserts! (is-eq (fz-snapshot tx-sender) before) (err u12008))
          (fz-done))
        code (begin (asserts! (is-eq code expected) (err u12009)) (ok false))))
    (ok false)
  )
)

;; 21 set-paused: owner only; ending a pause records when it ended. Pauses one
;; call in four so that the market is mostly open.
(define-public (test-set-paused (seed uint))
  (let (
      (pause (is-eq (mod seed u4) u0))
      (was-paused (get paused (var-get market)))
      (ended-before (get pause-ended-at (var-get market)))
      (expected (if (is-eq tx-sender CONTRACT_OWNER) u0 u100))
    )
    (match (set-paused pause)
      done (begin
        (asserts! (is-eq expected u0) (err u12101))
        (asserts! (is-eq (get paused (var-get market)) pause) (err u12102))
        (asserts! (is-eq (get pause-ended-at (var-get market)) (if (and was-paused (not pause)) burn-block-height ended-before)) (err u12103))
        (fz-done))
      code (begin (asserts! (is-eq code expected) (err u12104)) (ok false)))
  )
)

;; 22 withdraw-treasury: owner only, 0 < amount <= treasury, never more; pays
;; exactly the amount out of the treasury bucket.
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
      code (begin (asserts! (is-eq code expected) (err u12206)) (ok false)))
  )
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

(define-public (drive-add-dataset-stake (pick uint) (amount-seed uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (let ((amount (+ u1 (mod amount-seed u5000000))))
      (try! (add-dataset-stake dataset-id amount))
      (match (map-get? fz-deposits dataset-id) deposited (map-set fz-deposits dataset-id (+ deposited amount)) false)
      (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-set-dataset-terms (pick uint) (price-seed uint) (capacity-seed uint))
  (match (fz-pick-my-dataset pick)
    dataset-id (set-dataset-terms dataset-id (mod price-seed u3000) (+ u1 (mod capacity-seed u4)))
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

(define-public (drive-draw-committee (pick uint))
  (match (fz-pick-undrawn-bid pick)
    bid-id (begin (try! (draw-committee bid-id)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-commit-validation-result (pick uint) (score-seed uint) (salt-seed uint))
  (match (fz-pick-votable-bid pick)
    bid-id (let ((score (mod score-seed u101)) (salt (fz-salt salt-seed)))
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
    FZ_NO_TARGET)
)

(define-public (drive-submit-validation-result (pick uint) (score-seed uint))
  (match (fz-pick-votable-bid pick)
    bid-id (match (map-get? bids bid-id)
      bid (submit-validation-result (get dataset-id bid) bid-id (mod score-seed u101))
      FZ_NO_TARGET)
    FZ_NO_TARGET)
)

(define-public (drive-finalize-validation (pick uint))
  (match (fz-pick-matched-bid pick)
    bid-id (begin (try! (finalize-validation bid-id)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-claim-validation-reward (pick uint))
  (match (fz-pick-claimable-bid pick)
    bid-id (begin (try! (claim-validation-reward bid-id)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-propose-parameter-change (name-seed uint) (value-seed uint))
  (let ((name (fz-parameter-name name-seed)))
    (asserts! (< (get last-proposal-id (var-get market)) FZ_CREATE_CAP) FZ_NO_TARGET)
    (try! (propose-parameter-change name (fz-proposal-value name value-seed)))
    (ok true))
)

(define-public (drive-vote-on-proposal (pick uint) (support bool))
  (match (fz-pick-proposal pick)
    proposal-id (begin (try! (vote-on-proposal proposal-id support)) (ok true))
    FZ_NO_TARGET)
)

(define-public (drive-execute-proposal (pick uint))
  (match (fz-pick-proposal pick)
    proposal-id (begin (try! (execute-proposal proposal-id)) (ok true))
    FZ_NO_TARGET)
)

;; pauses one call in four, so that a pause does not last half the campaign
(define-public (drive-set-paused (seed uint))
  (set-paused (is-eq (mod seed u4) u0))
)
