;; neural-training-market
;; A decentralized marketplace for neural-network training.
;; Data providers stake STX on their datasets, ML developers escrow STX in bids for
;; training time, a random committee of staked validators scores each trained model
;; (commit-reveal, stake-weighted median), and the contract pays, refunds and slashes
;; by that score. Every parameter changes only by a stake-weighted vote.
;; Time is counted in Bitcoin blocks.
;;
;; Contents
;;   1. Constants and error codes (the "cannot happen" errors in their own block)
;;   2. Parameters: defaults, history, hard bounds
;;   3. Data: the market record, datasets, bids, queue, validators, committees, votes,
;;      results, governance
;;   4. Private helpers (fenced): transfers, queue, validator set, committee draw,
;;      matching, median, settlement, governance checks
;;   5. Public functions by lifecycle: datasets, bids, validators and validation,
;;      rewards, governance, administration
;;   6. Read-only views

;; ---------------------------------------------------------------------------
;; Constants and error codes
;; ---------------------------------------------------------------------------

(define-constant CONTRACT_OWNER tx-sender)

(define-constant BPS u10000)
(define-constant MAX_SCORE u100)
;; The reserved vote on a verified job: its evaluation set was revealed but its
;; bytes cannot be fetched. A median of it settles the job as a bidder default.
(define-constant SCORE_UNAVAILABLE u101)
;; Upper bound on a job's committee: every fold over its seats is bounded by it.
(define-constant MAX_COMMITTEE_SIZE u10)
(define-constant SEAT_NUMBERS (list u0 u1 u2 u3 u4 u5 u6 u7 u8 u9))
;; Probes per seat: enough to step past every seat already taken (at most 9) and
;; the job's two parties, so a seat is filled whenever anyone eligible is left.
(define-constant PROBE_OFFSETS (list u0 u1 u2 u3 u4 u5 u6 u7 u8 u9 u10 u11))
(define-constant MAX_CONCURRENT_JOBS u1000)
;; 1,000,000 STX per Bitcoin block: far above any real ask, low enough that
;; price * duration can never overflow.
(define-constant MAX_PRICE_PER_BLOCK u1000000000000)
;; After its execution delay a passed proposal can be executed for this long
;; (about a week); after that it expires.
(define-constant PROPOSAL_EXECUTION_WINDOW u1008)
;; At most this many queue heads are matched or skipped per call: queue work
;; stays bounded whatever the queue length.
(define-constant QUEUE_STEPS (list u1 u2 u3 u4 u5))
;; Every character RFC 3986 allows in a URI (unreserved, reserved, and % for escapes).
(define-constant URI_CHARACTERS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")
;; A reveal salt is a full 32 bytes: with a shorter one the 101 possible scores
;; could be tried against a commitment.
(define-constant SALT_LENGTH u32)
;; Artifacts (job spec, evaluation set, model) are named by their 32-byte sha256 digest.
(define-constant DIGEST_LENGTH u32)
;; A raised price binds a verified bid's compute fee only this many Bitcoin
;; blocks after the raise: a provider cannot raise its price ahead of a bid it
;; has seen and take the whole bid as an unconditional fee.
(define-constant PRICE_NOTICE_BLOCKS u6)

;; Bid status
(define-constant STATUS_QUEUED u1)
(define-constant STATUS_MATCHED u2)
(define-constant STATUS_SETTLED u3)
(define-constant STATUS_CANCELLED u4)
(define-constant STATUS_EXPIRED u5)

;; Where a matched job stands now (job-timeline): still running, or due to end
;; by a missed delivery, by a bidder default, or after its validation windows.
(define-constant STAGE_RUNNING u0)
(define-constant STAGE_MISSED u1)
(define-constant STAGE_DEFAULTED u2)
(define-constant STAGE_ENDED u3)

;; Validation outcome
(define-constant OUTCOME_REWARDED u1)
(define-constant OUTCOME_PARTIAL u2)
(define-constant OUTCOME_SLASHED u3)
;; refunded: too few reveals after the reveal window
(define-constant OUTCOME_NO_QUORUM u4)
;; refunded: the median fell below the slash threshold without a strict majority
;; of the committee's stake voting there
(define-constant OUTCOME_NO_MAJORITY u5)
;; a verified job's model was not delivered by the deadline: refunded, stake slashed
(define-constant OUTCOME_NOT_DELIVERED u6)
;; a verified job's bidder did not reveal its evaluation set in time (or the
;; committee found it unavailable): the provider is paid in full, no slash
(define-constant OUTCOME_BIDDER_DEFAULT u7)

;; 1xx: caller and contract state
(define-constant ERR_NOT_AUTHORIZED (err u100))
(define-constant ERR_NOT_DIRECT_CALLER (err u101))
(define-constant ERR_PAUSED (err u102))
(define-constant ERR_ZERO_AMOUNT (err u103))
(define-constant ERR_INSUFFICIENT_FUNDS (err u104))

;; 2xx: datasets and stakes
(define-constant ERR_DATASET_NOT_FOUND (err u200))
(define-constant ERR_STAKE_TOO_LOW (err u201))
(define-constant ERR_EMPTY_METADATA_URI (err u202))
(define-constant ERR_NOT_DATASET_PROVIDER (err u203))
(define-constant ERR_DATASET_INACTIVE (err u204))
(define-constant ERR_DATASET_UNDERSTAKED (err u205))
(define-constant ERR_DATASET_HAS_OPEN_JOBS (err u206))
(define-constant ERR_STAKE_LOCKED (err u207))
(define-constant ERR_INVALID_CAPACITY (err u208))
(define-constant ERR_INVALID_PRICE (err u209))
(define-constant ERR_INVALID_METADATA_URI (err u210))

;; 3xx: computation bids
(define-constant ERR_BID_NOT_FOUND (err u300))
(define-constant ERR_SELF_BID (err u301))
(define-constant ERR_BID_TOO_LOW (err u302))
(define-constant ERR_BID_BELOW_ASK (err u303))
(define-constant ERR_INVALID_DURATION (err u304))
(define-constant ERR_DEADLINE_UNREACHABLE (err u305))
(define-constant ERR_NOT_BIDDER (err u306))
(define-constant ERR_BID_NOT_QUEUED (err u307))
(define-constant ERR_BID_NOT_EXPIRED (err u308))
(define-constant ERR_BID_CLOSED (err u309))
(define-constant ERR_RESULT_PENDING (err u310))
(define-constant ERR_DEADLINE_TOO_FAR (err u311))
(define-constant ERR_DECLINE_CLOSED (err u312))
(define-constant ERR_VALIDATION_STARTED (err u313))
(define-constant ERR_NOT_VERIFIED_JOB (err u314))
(define-constant ERR_ALREADY_DELIVERED (err u315))
(define-constant ERR_DELIVERY_CLOSED (err u316))
(define-constant ERR_NOT_DELIVERED (err u317))
(define-constant ERR_EVAL_ALREADY_REVEALED (err u318))
(define-constant ERR_EVAL_REVEAL_CLOSED (err u319))
(define-constant ERR_EVAL_COMMITMENT_MISMATCH (err u320))
(define-constant ERR_MODEL_DELIVERED (err u321))
(define-constant ERR_INVALID_DIGEST (err u322))

;; 4xx: validators
(define-constant ERR_VALIDATOR_NOT_FOUND (err u400))
(define-constant ERR_VALIDATOR_STAKE_TOO_LOW (err u401))
(define-constant ERR_VALIDATOR_EXISTS (err u402))
(define-constant ERR_VALIDATOR_EXITING (err u403))
(define-constant ERR_VALIDATOR_NOT_EXITING (err u404))
(define-constant ERR_UNBONDING_NOT_OVER (err u405))
(define-constant ERR_VALIDATOR_SEATED (err u406))

;; 5xx: validation
(define-constant ERR_INVALID_SCORE (err u500))
(define-constant ERR_ALREADY_VOTED (err u501))
(define-constant ERR_BID_DATASET_MISMATCH (err u502))
(define-constant ERR_JOB_NOT_RUNNING (err u503))
(define-constant ERR_VALIDATION_CLOSED (err u504))
(define-constant ERR_PARTY_CANNOT_VALIDATE (err u505))
(define-constant ERR_NOT_ON_COMMITTEE (err u506))
(define-constant ERR_COMMIT_REQUIRED (err u507))
(define-constant ERR_SEED_NOT_READY (err u508))
(define-constant ERR_NO_ELIGIBLE_VALIDATORS (err u509))
(define-constant ERR_COMMITTEE_DRAWN (err u510))
(define-constant ERR_NOT_COMMITTED (err u511))
(define-constant ERR_ALREADY_REVEALED (err u512))
(define-constant ERR_REVEAL_NOT_OPEN (err u513))
(define-constant ERR_REVEAL_CLOSED (err u514))
(define-constant ERR_COMMITMENT_MISMATCH (err u515))
(define-constant ERR_NOT_READY_TO_FINALIZE (err u516))
(define-constant ERR_INVALID_SALT (err u517))
(define-constant ERR_EVALUATION_NOT_REVEALED (err u518))

;; 6xx: rewards
(define-constant ERR_JOB_NOT_FINALIZED (err u600))
(define-constant ERR_NOT_JOB_VALIDATOR (err u601))
(define-constant ERR_ALREADY_CLAIMED (err u602))

;; 7xx: governance
(define-constant ERR_PROPOSAL_NOT_FOUND (err u700))
(define-constant ERR_UNKNOWN_PARAMETER (err u701))
(define-constant ERR_VALUE_OUT_OF_RANGE (err u702))
(define-constant ERR_THRESHOLDS_CROSSED (err u703))
(define-constant ERR_FEES_TOO_HIGH (err u704))
(define-constant ERR_BELOW_PROPOSAL_THRESHOLD (err u705))
(define-constant ERR_NO_VOTING_POWER (err u706))
(define-constant ERR_ALREADY_VOTED_ON_PROPOSAL (err u707))
(define-constant ERR_VOTING_CLOSED (err u708))
(define-constant ERR_VOTING_NOT_OVER (err u709))
(define-constant ERR_PROPOSAL_EXPIRED (err u710))
(define-constant ERR_PROPOSAL_EXECUTED (err u711))
(define-constant ERR_QUORUM_NOT_MET (err u712))
(define-constant ERR_PROPOSAL_REJECTED (err u713))
(define-constant ERR_VOTE_LOCKED (err u714))
(define-constant ERR_PARAMETER_CHANGED (err u715))
(define-constant ERR_WINDOWS_CROSSED (err u716))

;; 8xx: administration
(define-constant ERR_INSUFFICIENT_TREASURY (err u800))
(define-constant ERR_INVALID_RECIPIENT (err u801))

;; Cannot happen: a record every path writes before it is read is missing.
;; Kept as errors (never unwrap-panic) so a broken invariant aborts cleanly.
(define-constant ERR_UNKNOWN_PARAMETERS (err u105))

;; ---------------------------------------------------------------------------
;; Parameters
;; ---------------------------------------------------------------------------

;; Every job records the `version` in force when its bid was placed and is
;; settled with that version's values, so a later change never alters it.
(define-constant DEFAULT_PARAMETERS {
  version: u1,
  min-dataset-stake: u1000000,
  min-validator-stake: u1000000,
  min-bid-amount: u100000,
  max-computation-duration: u4320,
  max-bid-wait: u4320,
  decline-window: u6,
  eval-reveal-window: u144,
  non-delivery-slash-bps: u1000,
  stake-lock-blocks: u4320,
  validation-window: u144,
  reveal-window: u144,
  validator-unbonding-blocks: u144,
  committee-size: u5,
  min-reveals-bps: u5001,
  reward-threshold: u70,
  slash-threshold: u40,
  slash-rate-bps: u5000,
  validator-fee-bps: u500,
  protocol-fee-bps: u100,
  validator-penalty-bps: u100,
  consensus-tolerance: u15,
  voting-period: u1008,
  execution-delay: u144,
  governance-quorum-bps: u2000,
  proposal-threshold: u1000000,
})

(define-map parameter-history uint {
  version: uint,
  min-dataset-stake: uint,
  min-validator-stake: uint,
  min-bid-amount: uint,
  max-computation-duration: uint,
  max-bid-wait: uint,
  decline-window: uint,
  eval-reveal-window: uint,
  non-delivery-slash-bps: uint,
  stake-lock-blocks: uint,
  validation-window: uint,
  reveal-window: uint,
  validator-unbonding-blocks: uint,
  committee-size: uint,
  min-reveals-bps: uint,
  reward-threshold: uint,
  slash-threshold: uint,
  slash-rate-bps: uint,
  validator-fee-bps: uint,
  protocol-fee-bps: uint,
  validator-penalty-bps: uint,
  consensus-tolerance: uint,
  voting-period: uint,
  execution-delay: uint,
  governance-quorum-bps: uint,
  proposal-threshold: uint,
})

(map-set parameter-history u1 DEFAULT_PARAMETERS)

;; Hard bounds a proposal must respect, written at deploy and never changed.
;; Cross-parameter rules (slash below reward threshold, fees under 100%) are
;; checked in check-parameter-change.
(define-map parameter-bounds (string-ascii 32) { min-value: uint, max-value: uint })

(map-set parameter-bounds "min-dataset-stake" { min-value: u1, max-value: u1000000000000 })
(map-set parameter-bounds "min-validator-stake" { min-value: u1, max-value: u1000000000000 })
(map-set parameter-bounds "min-bid-amount" { min-value: u1, max-value: u1000000000000 })
(map-set parameter-bounds "max-computation-duration" { min-value: u1, max-value: u52560 })
;; how far past its training time a bid's deadline may lie: every job ends in bounded time
(map-set parameter-bounds "max-bid-wait" { min-value: u1, max-value: u52560 })
;; 0 lets a provider decline only in the block of the match
(map-set parameter-bounds "decline-window" { min-value: u0, max-value: u1008 })
;; how long after the deadline a verified job's bidder has to reveal its evaluation set
(map-set parameter-bounds "eval-reveal-window" { min-value: u1, max-value: u4320 })
;; what a missed delivery costs the dataset's stake (capped at the compute fee)
(map-set parameter-bounds "non-delivery-slash-bps" { min-value: u0, max-value: u5000 })
(map-set parameter-bounds "stake-lock-blocks" { min-value: u1, max-value: u52560 })
(map-set parameter-bounds "validation-window" { min-value: u1, max-value: u4320 })
(map-set parameter-bounds "reveal-window" { min-value: u1, max-value: u4320 })
(map-set parameter-bounds "validator-unbonding-blocks" { min-value: u1, max-value: u4320 })
(map-set parameter-bounds "committee-size" { min-value: u1, max-value: MAX_COMMITTEE_SIZE })
(map-set parameter-bounds "min-reveals-bps" { min-value: u1, max-value: BPS })
(map-set parameter-bounds "reward-threshold" { min-value: u0, max-value: MAX_SCORE })
(map-set parameter-bounds "slash-threshold" { min-value: u0, max-value: MAX_SCORE })
(map-set parameter-bounds "slash-rate-bps" { min-value: u0, max-value: BPS })
(map-set parameter-bounds "validator-fee-bps" { min-value: u0, max-value: BPS })
(map-set parameter-bounds "protocol-fee-bps" { min-value: u0, max-value: BPS })
;; at most half a stake per penalty: a seated validator's vote weight never reaches zero
(map-set parameter-bounds "validator-penalty-bps" { min-value: u0, max-value: u5000 })
(map-set parameter-bounds "consensus-tolerance" { min-value: u0, max-value: MAX_SCORE })
;; at least a day to vote and a day to object: no vote is decided within a few blocks
(map-set parameter-bounds "voting-period" { min-value: u144, max-value: u52560 })
(map-set parameter-bounds "execution-delay" { min-value: u144, max-value: u52560 })
;; governance stays reachable: a quorum above half, or a threshold above 100 STX,
;; could let a vote lock every later vote out
(map-set parameter-bounds "governance-quorum-bps" { min-value: u1, max-value: u5000 })
(map-set parameter-bounds "proposal-threshold" { min-value: u1, max-value: u100000000 })

;; ---------------------------------------------------------------------------
;; Data
;; ---------------------------------------------------------------------------

;; The market's whole global state in one record: a call reads it instead of
;; one data-var per counter, and the hot paths (registering, bidding, claiming)
;; read it once and write it once (bench/results.md, section 8).
;; - paused / pauses: whether the market is paused, and how many pauses are in
;;   pause-log (a pause undone in the Bitcoin block it began is erased); a seat
;;   whose commit window a pause overlapped is not penalized for never committing.
;; - active-validator-count: active validators live at indices 0..count-1 of
;;   `validator-at`, so a committee is drawn by index without iterating; exits swap-and-pop.
;; - validator-registrations: the registration ordinal, bumped by every
;;   validator registration; a job records it at its match and seats only
;;   validators registered before.
;; - votes-open-until: the last block at which any proposal made so far takes
;;   votes (see provider-stake-added).
;; - dataset-stakes .. treasury: every micro-STX the contract holds belongs to
;;   exactly one of these buckets: their sum equals the contract's balance (the
;;   solvency invariant, see get-market-totals).
;; - parameter-version: the parameter set in force, kept in parameter-history.
;;   The six values new business checks are copied here, so registering and
;;   bidding read one record; only execute-proposal writes them, with the history.
(define-data-var market {
  paused: bool,
  pauses: uint,
  last-dataset-id: uint,
  last-bid-id: uint,
  last-proposal-id: uint,
  active-validator-count: uint,
  validator-registrations: uint,
  votes-open-until: uint,
  dataset-stakes: uint,
  validator-stakes: uint,
  escrowed-bids: uint,
  unclaimed-rewards: uint,
  treasury: uint,
  parameter-version: uint,
  min-dataset-stake: uint,
  min-validator-stake: uint,
  min-bid-amount: uint,
  max-computation-duration: uint,
  max-bid-wait: uint,
  committee-size: uint,
} {
  paused: false,
  pauses: u0,
  last-dataset-id: u0,
  last-bid-id: u0,
  last-proposal-id: u0,
  active-validator-count: u0,
  validator-registrations: u0,
  votes-open-until: u0,
  dataset-stakes: u0,
  validator-stakes: u0,
  escrowed-bids: u0,
  unclaimed-rewards: u0,
  treasury: u0,
  parameter-version: (get version DEFAULT_PARAMETERS),
  min-dataset-stake: (get min-dataset-stake DEFAULT_PARAMETERS),
  min-validator-stake: (get min-validator-stake DEFAULT_PARAMETERS),
  min-bid-amount: (get min-bid-amount DEFAULT_PARAMETERS),
  max-computation-duration: (get max-computation-duration DEFAULT_PARAMETERS),
  max-bid-wait: (get max-bid-wait DEFAULT_PARAMETERS),
  committee-size: (get committee-size DEFAULT_PARAMETERS),
})

;; Each pause, by number (1 = the first), from its start (ended-at 0 while it
;; lasts); one undone in the Bitcoin block it began is erased. A job matched
;; after pause k-1 had its commit window overlapped by a pause iff pause k
;; started before that window closed.
(define-map pause-log uint { started-at: uint, ended-at: uint })

;; queue-head/queue-tail are bid ids (u0 = empty) of the dataset's FIFO queue.
(define-map datasets uint {
  provider: principal,
  stake: uint,
  metadata-uri: (string-ascii 256),
  price-per-block: uint,
  max-concurrent-jobs: uint,
  active-jobs: uint,
  queued-jobs: uint,
  queue-head: uint,
  queue-tail: uint,
  matched-jobs: uint,
  validations: uint,
  passed-validations: uint,
  score-sum: uint,
  non-deliveries: uint,
  last-settled-at: uint,
  registered-at: uint,
  active: bool,
})

;; matched-at/matched-block: the Bitcoin and Stacks blocks of the match; the
;; Stacks block after it and the Bitcoin block after the decline window seed
;; the committee draw (see committee-seed).
;; At the match the job also records what its committee may be drawn from, so
;; that nothing done after the match changes it: validators-at-match (the size of
;; the active set, the range of indices drawn from) and registrations-at-match
;; (only validators with an ordinal up to it may sit); pauses-at-match decides
;; which pause could have kept its seats from committing.
;; verified: a job delivered as a model and judged on a sealed evaluation set
;; (job-deliveries); compute-fee: what its provider earns on delivery, the ask
;; times the duration when the bid was placed, a raise younger than
;; PRICE_NOTICE_BLOCKS not counted (0 for a plain job).
(define-map bids uint {
  dataset-id: uint,
  bidder: principal,
  amount: uint,
  duration: uint,
  deadline: uint,
  status: uint,
  placed-at: uint,
  matched-at: uint,
  matched-block: uint,
  validators-at-match: uint,
  registrations-at-match: uint,
  pauses-at-match: uint,
  verified: bool,
  compute-fee: uint,
  parameter-version: uint,
})

;; A dataset's last price raise: the price before it and when (PRICE_NOTICE_BLOCKS).
(define-map price-raises uint { previous-price: uint, raised-at: uint })

;; A verified job's artifacts: the job spec's and the sealed evaluation set's
;; commitments from the bid, then the delivered model's digest and the revealed
;; evaluation set's digest, with the blocks they arrived in.
(define-map job-deliveries uint {
  spec: (buff 32),
  eval-commitment: (buff 32),
  model: (optional (buff 32)),
  delivered-at: uint,
  eval-digest: (optional (buff 32)),
  eval-revealed-at: uint,
})

;; Each bidder's verified jobs: those scored (with the sum of their final
;; scores) and its defaults (an evaluation set not revealed, or unavailable), so
;; a provider can see who seals sabotaged evaluation sets.
(define-map bidder-history principal { jobs: uint, score-sum: uint, defaults: uint })

;; Doubly linked FIFO queue of waiting bids (u0 = none), so a cancelled or
;; expired bid leaves the queue in O(1) and the head is always a live bid.
(define-map queue-links uint { prev: uint, next: uint })

(define-map validators principal {
  stake: uint,
  active: bool,
  index: uint,
  ;; committees of unsettled jobs this validator sits on: its stake stays until they settle
  open-seats: uint,
  exit-requested-at: uint,
  registered-at: uint,
  ;; its registration ordinal (market validator-registrations after it registered)
  ordinal: uint,
  ;; last-proposal-id when it registered: its stake votes only on later proposals
  registered-after-proposal: uint,
})

;; The active set by index, with each member's registration ordinal so that a
;; draw checks eligibility with the one read it makes per probe.
(define-map validator-at uint { validator: principal, ordinal: uint })

;; A job's committee, written when drawn. weights are the seats' stakes at the
;; draw (a vote weighs its seat's weight) and total-weight their sum: a slash
;; needs a strict majority of it. `revealed` holds the revealed votes for the
;; median, so aggregation never re-reads the votes map.
(define-map committees uint {
  seats: (list 10 principal),
  weights: (list 10 uint),
  total-weight: uint,
  commits: uint,
  reveals: uint,
  revealed-weight: uint,
  revealed: (list 10 { score: uint, weight: uint }),
})

;; Every dataset stake a provider holds (with its validator stake, its voting
;; power, read in O(1)), and what governance needs to ignore stake added after a
;; proposal. Increases come in runs: a run is the increases made while the last
;; proposal id was run-proposal, and run-floor is the stake held before it, so
;; on proposals up to run-proposal (made before the run) the provider votes with
;; at most run-floor. The runs before it are merged into prior-*: proposals up to
;; prior-proposal vote with at most prior-floor. *-open-until: the market's
;; votes-open-until at the run's last increase; once it has passed, every
;; proposal that run concerns has closed and its floor no longer matters.
(define-map provider-stakes principal {
  stake: uint,
  run-proposal: uint,
  run-floor: uint,
  run-open-until: uint,
  prior-proposal: uint,
  prior-floor: uint,
  prior-open-until: uint,
})

;; A proposal keeps the governance parameters in force when it was made.
;; total-stake (dataset plus validator stakes when proposed) caps the quorum
;; base, so stake parked just before execution cannot veto a vote.
;; base-version: the parameter version it was made under; if its parameter
;; changed after that, it cannot execute (it would undo the newer change).
(define-map proposals uint {
  proposer: principal,
  parameter: (string-ascii 32),
  value: uint,
  base-version: uint,
  created-at: uint,
  voting-ends-at: uint,
  executable-at: uint,
  expires-at: uint,
  quorum-bps: uint,
  total-stake: uint,
  yes-votes: uint,
  no-votes: uint,
  executed: bool,
})

(define-map proposal-votes { proposal-id: uint, voter: principal } { support: bool, weight: uint })

;; The parameter version that last changed each parameter (none: the default).
(define-map parameter-changed-in (string-ascii 32) uint)

;; A governance voter's stakes stay in the contract until every proposal it
;; voted on can be executed: whoever swings a vote carries its outcome.
(define-map vote-locks principal uint)

;; weight is the weight of the validator's seat (its stake at the draw).
(define-map votes { bid-id: uint, validator: principal } {
  commitment: (buff 32),
  score: uint,
  weight: uint,
  revealed: bool,
  claimed: bool,
})

;; reward-pool (validator fees plus outliers' penalties) and reward-weight
;; shrink with every claim; the last coherent claimant takes what is left, so no
;; rounding dust is ever stranded. penalties counts every penalty of the job;
;; silent seats' penalties went to the treasury, outliers' to the pool.
(define-map job-results uint {
  final-score: uint,
  outcome: uint,
  provider-payment: uint,
  bidder-refund: uint,
  slashed-amount: uint,
  validator-fees: uint,
  protocol-fee: uint,
  penalties: uint,
  reward-pool: uint,
  reward-weight: uint,
  finalized-at: uint,
})

;; ---------------------------------------------------------------------------
;; Private helpers
;; ---------------------------------------------------------------------------

(define-private (min-of (a uint) (b uint))
  (if (< a b) a b)
)

(define-private (max-of (a uint) (b uint))
  (if (> a b) a b)
)

;; The price a verified bid's compute fee uses: the current ask, but during the
;; notice after a raise no more than the price before it.
(define-private (fee-price (dataset-id uint) (price uint) (now uint))
  (match (map-get? price-raises dataset-id)
    raise (if (<= now (+ (get raised-at raise) PRICE_NOTICE_BLOCKS)) (min-of price (get previous-price raise)) price)
    price)
)

(define-private (distance (a uint) (b uint))
  (if (> a b) (- a b) (- b a))
)

;; The parameter set of a version. Every version from u1 to the market's
;; parameter-version is in parameter-history (written at deploy and by
;; execute-proposal), so the default is never taken; it only gives the type.
(define-private (parameters-at (version uint))
  (default-to DEFAULT_PARAMETERS (map-get? parameter-history version))
)

;; Pulls STX from the caller into the contract.
(define-private (deposit (amount uint))
  (begin
    (unwrap! (stx-transfer? amount tx-sender current-contract) ERR_INSUFFICIENT_FUNDS)
    (ok true)
  )
)

;; Pays STX out of the contract; the allowance caps the transfer at `amount`.
(define-private (pay-out (amount uint) (recipient principal))
  (if (> amount u0)
    (as-contract? ((with-stx amount))
      (try! (stx-transfer? amount current-contract recipient))
    )
    (ok true)
  )
)

(define-private (escrow-released (amount uint))
  (let ((state (var-get market)))
    (var-set market (merge state { escrowed-bids: (- (get escrowed-bids state) amount) }))
  )
)

;; A metadata URI a client can fetch: a known scheme with something after it,
;; and only the characters RFC 3986 allows in a URI (no whitespace or control
;; character, which no URI holds and which would hide what a user signs).
(define-private (valid-metadata-uri (uri (string-ascii 256)))
  (and (or (and (> (len uri) u7) (is-eq (slice? uri u0 u7) (some "ipfs://")))
           (and (> (len uri) u5) (is-eq (slice? uri u0 u5) (some "ar://")))
           (and (> (len uri) u8) (is-eq (slice? uri u0 u8) (some "https://"))))
       (fold uri-char-allowed uri true))
)

(define-private (uri-char-allowed (char (string-ascii 1)) (allowed bool))
  (and allowed (is-some (index-of? URI_CHARACTERS char)))
)

;; Appends a bid to the tail of a dataset's queue.
(define-private (enqueue-bid
    (queue { queue-head: uint, queue-tail: uint, queued-jobs: uint })
    (bid-id uint)
  )
  (let ((tail (get queue-tail queue)))
    (map-set queue-links bid-id { prev: tail, next: u0 })
    (if (is-eq tail u0)
      { queue-head: bid-id, queue-tail: bid-id, queued-jobs: (+ (get queued-jobs queue) u1) }
      (begin
        (map-set queue-links tail (merge (default-to { prev: u0, next: u0 } (map-get? queue-links tail)) { next: bid-id }))
        (merge queue { queue-tail: bid-id, queued-jobs: (+ (get queued-jobs queue) u1) })
      )
    )
  )
)

;; Removes a bid from anywhere in a dataset's queue.
(define-private (unlink-bid
    (queue { queue-head: uint, queue-tail: uint, queued-jobs: uint })
    (bid-id uint)
  )
  (let (
      (link (default-to { prev: u0, next: u0 } (map-get? queue-links bid-id)))
      (prev (get prev link))
      (next (get next link))
    )
    (map-delete queue-links bid-id)
    (if (is-eq prev u0)
      true
      (map-set queue-links prev (merge (default-to link (map-get? queue-links prev)) { next: next }))
    )
    (if (is-eq next u0)
      true
      (map-set queue-links next (merge (default-to link (map-get? queue-links next)) { prev: prev }))
    )
    {
      queue-head: (if (is-eq prev u0) next (get queue-head queue)),
      queue-tail: (if (is-eq next u0) prev (get queue-tail queue)),
      queued-jobs: (- (get queued-jobs queue) u1),
    }
  )
)

;; Removes the validator at `index` from the active set in O(1): the last
;; validator moves into the hole.
;; `state` is the market record as it is now: the caller passes what it read.
(define-private (remove-from-set
    (index uint)
    (state { paused: bool, pauses: uint, last-dataset-id: uint, last-bid-id: uint, last-proposal-id: uint,
             active-validator-count: uint, validator-registrations: uint, votes-open-until: uint, dataset-stakes: uint,
             validator-stakes: uint,
             escrowed-bids: uint, unclaimed-rewards: uint, treasury: uint, parameter-version: uint, min-dataset-stake: uint,
             min-validator-stake: uint, min-bid-amount: uint, max-computation-duration: uint, max-bid-wait: uint,
             committee-size: uint })
  )
  (let ((last-index (- (get active-validator-count state) u1)))
    (match (map-get? validator-at last-index)
      moved (if (is-eq index last-index)
        true
        (begin
          (map-set validator-at index moved)
          (match (map-get? validators (get validator moved))
            record (map-set validators (get validator moved) (merge record { index: index }))
            false)))
      false)
    (map-delete validator-at last-index)
    (var-set market (merge state { active-validator-count: last-index }))
  )
)

;; Where a seat's search starts: with a seed, sha256(seed ++ {bid-id, seat}) mod n;
;; without one (every validator of the match fits in the committee), the seat number.
(define-private (seat-start (seed (optional (buff 32))) (bid-id uint) (seat uint) (n uint))
  (match seed
    vrf-seed (mod (buff-to-uint-be (default-to 0x00 (as-max-len?
                    (default-to 0x00 (slice? (sha256 (concat vrf-seed
                      (default-to 0x (to-consensus-buff? { bid-id: bid-id, seat: seat })))) u0 u16))
                    u16)))
                  n)
    seat
  )
)

;; Linear probing from a seat's start, over the indices the active set had at
;; the match: the first validator registered before the match that is neither a
;; party of the job nor already seated. A later registrant that an exit moved
;; into that range is stepped over, never seated.
(define-private (probe-seat
    (offset uint)
    (search { start: uint, n: uint, max-ordinal: uint, provider: principal, bidder: principal,
              seats: (list 10 principal), found: (optional principal) })
  )
  (if (or (is-some (get found search)) (>= offset (get n search)))
    search
    (match (map-get? validator-at (mod (+ (get start search) offset) (get n search)))
      entry (if (or (> (get ordinal entry) (get max-ordinal search))
                    (is-eq (get validator entry) (get provider search))
                    (is-eq (get validator entry) (get bidder search))
                    (is-some (index-of? (get seats search) (get validator entry))))
        search
        (merge search { found: (some (get validator entry)) }))
      search
    )
  )
)

;; Fills one seat of a committee with its weight (the member's stake now) and
;; marks the validator as seated.
(define-private (draw-seat
    (seat uint)
    (draw { bid-id: uint, seed: (optional (buff 32)), n: uint, max-ordinal: uint, size: uint, provider: principal,
            bidder: principal, seats: (list 10 principal), weights: (list 10 uint), total-weight: uint })
  )
  (if (>= seat (get size draw))
    draw
    (match (get found (fold probe-seat PROBE_OFFSETS {
        start: (seat-start (get seed draw) (get bid-id draw) seat (get n draw)),
        n: (get n draw),
        max-ordinal: (get max-ordinal draw),
        provider: (get provider draw),
        bidder: (get bidder draw),
        seats: (get seats draw),
        found: none,
      }))
      member (match (map-get? validators member)
        record (begin
          (map-set validators member (merge record { open-seats: (+ (get open-seats record) u1) }))
          (merge draw {
            seats: (default-to (get seats draw) (as-max-len? (append (get seats draw) member) u10)),
            weights: (default-to (get weights draw) (as-max-len? (append (get weights draw) (get stake record)) u10)),
            total-weight: (+ (get total-weight draw) (get stake record)),
          }))
        draw)
      draw
    )
  )
)

;; Draws and stores a job's committee of at most min(committee-size, n) seats
;; from the first n indices of the active set, among validators with an ordinal
;; up to max-ordinal; the parties are never seated. Returns the committee
;; (possibly without seats, then not stored).
(define-private (seat-committee
    (bid-id uint)
    (provider principal)
    (bidder principal)
    (committee-size uint)
    (seed (optional (buff 32)))
    (n uint)
    (max-ordinal uint)
  )
  (let (
      (drawn (fold draw-seat SEAT_NUMBERS {
        bid-id: bid-id,
        seed: seed,
        n: n,
        max-ordinal: max-ordinal,
        size: (min-of committee-size n),
        provider: provider,
        bidder: bidder,
        seats: (list),
        weights: (list),
        total-weight: u0,
      }))
      (committee {
        seats: (get seats drawn),
        weights: (get weights drawn),
        total-weight: (get total-weight drawn),
        commits: u0,
        reveals: u0,
        revealed-weight: u0,
        revealed: (list),
      })
    )
    (if (> (len (get seats drawn)) u0)
      (begin
        (map-set committees bid-id committee)
        (print { event: "committee-drawn", bid-id: bid-id, seats: (get seats drawn), random: (is-some seed) })
        true)
      false)
    committee
  )
)

;; At a match, a market small enough that every active validator fits in the
;; committee seats them all at once: no randomness is needed and nobody can
;; join after seeing the match. Larger markets draw from a later VRF seed.
(define-private (seat-small-market (bid-id uint) (provider principal) (bidder principal) (committee-size uint) (n uint) (max-ordinal uint))
  (if (and (> n u0) (<= n committee-size))
    (> (len (get seats (seat-committee bid-id provider bidder committee-size none n max-ordinal))) u0)
    false)
)

;; The randomness of a job's committee: the VRF seed of the Stacks block after
;; the match mixed with the hash of the Bitcoin block after the job's decline
;; window. A VRF seed is shared by a whole tenure, so it may be known when the
;; bid is placed; that Bitcoin block's hash is not, and no party can choose it.
;; Taking it after the decline window means a provider never knows the
;; committee while it may still decline the job (it could otherwise decline
;; every job whose committee it dislikes and redraw). None until both exist.
(define-private (committee-seed (matched-block uint) (decline-closes-at uint))
  (match (get-tenure-info? vrf-seed (+ matched-block u1))
    vrf-seed (match (get-burn-block-info? header-hash (+ decline-closes-at u1))
      bitcoin-hash (some (sha256 (concat vrf-seed bitcoin-hash)))
      none)
    none
  )
)

;; Draws a job's committee from the validators of its match: without randomness
;; when they all fit, otherwise from committee-seed once it exists. Registrations
;; after the match change neither the range drawn from nor who may sit.
(define-private (new-committee
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (provider principal)
    (committee-size uint)
    (decline-window uint)
  )
  (let (
      (n (get validators-at-match bid))
      (seed (if (<= n committee-size) none
              (committee-seed (get matched-block bid) (+ (get matched-at bid) decline-window))))
    )
    ;; the draw waits for a seed no party could know when it acted
    (asserts! (or (<= n committee-size) (is-some seed)) ERR_SEED_NOT_READY)
    (let ((committee (seat-committee bid-id provider (get bidder bid) committee-size seed n (get registrations-at-match bid))))
      ;; a committee needs at least one validator of the match besides the parties
      (asserts! (> (len (get seats committee)) u0) ERR_NO_ELIGIBLE_VALIDATORS)
      (ok committee)
    )
  )
)

;; The job's committee, drawing it first if needed.
(define-private (ensure-committee
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (provider principal)
    (committee-size uint)
    (decline-window uint)
  )
  (match (map-get? committees bid-id)
    committee (ok committee)
    (new-committee bid-id bid provider committee-size decline-window)
  )
)

;; One step of automatic matching: the queue head is matched when the dataset
;; is open and has a free slot, or refunded and skipped when it can no longer
;; meet its deadline.
(define-private (match-step
    (step uint)
    (prior (response {
      dataset-id: uint,
      provider: principal,
      open: bool,
      capacity: uint,
      active-jobs: uint,
      matched-jobs: uint,
      queue-head: uint,
      queue-tail: uint,
      queued-jobs: uint,
      now: uint,
      validator-count: uint,
      registrations: uint,
      pauses: uint,
    } uint))
  )
  (let (
      (state (try! prior))
      (head (get queue-head state))
      (now (get now state))
    )
    (if (or (is-eq head u0) (not (get open state)) (>= (get active-jobs state) (get capacity state)))
      (ok state)
      (let (
          (bid (unwrap! (map-get? bids head) ERR_BID_NOT_FOUND))
          (queue (unlink-bid {
            queue-head: head,
            queue-tail: (get queue-tail state),
            queued-jobs: (get queued-jobs state),
          } head))
        )
        (if (<= (+ now (get duration bid)) (get deadline bid))
          (let ((params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS)))
            (map-set bids head (merge bid {
              status: STATUS_MATCHED,
              matched-at: now,
              matched-block: stacks-block-height,
              validators-at-match: (get validator-count state),
              registrations-at-match: (get registrations state),
              pauses-at-match: (get pauses state),
            }))
            (print { event: "bid-matched", bid-id: head, dataset-id: (get dataset-id state), bidder: (get bidder bid), matched-at: now })
            (seat-small-market head (get provider state) (get bidder bid) (get committee-size params)
                               (get validator-count state) (get registrations state))
            (ok (merge state (merge queue {
              active-jobs: (+ (get active-jobs state) u1),
              matched-jobs: (+ (get matched-jobs state) u1),
            })))
          )
          (begin
            (try! (pay-out (get amount bid) (get bidder bid)))
            (escrow-released (get amount bid))
            (map-set bids head (merge bid { status: STATUS_EXPIRED }))
            (print { event: "bid-expired", bid-id: head, dataset-id: (get dataset-id state), bidder: (get bidder bid), refund: (get amount bid), penalties: u0 })
            (ok (merge state queue))
          )
        )
      )
    )
  )
)

;; Matches the dataset's queue in order, bounded by QUEUE_STEPS, and returns
;; the updated dataset record for the caller to store.
(define-private (process-queue
    (dataset-id uint)
    (dataset {
      provider: principal,
      stake: uint,
      metadata-uri: (string-ascii 256),
      price-per-block: uint,
      max-concurrent-jobs: uint,
      active-jobs: uint,
      queued-jobs: uint,
      queue-head: uint,
      queue-tail: uint,
      matched-jobs: uint,
      validations: uint,
      passed-validations: uint,
      score-sum: uint,
      non-deliveries: uint,
      last-settled-at: uint,
      registered-at: uint,
      active: bool,
    })
  )
  ;; an empty queue has nothing to match: skip the fold and its reads
  (if (is-eq (get queue-head dataset) u0) (ok dataset) (let (
      (current (var-get market))
      (state (try! (fold match-step QUEUE_STEPS (ok {
        dataset-id: dataset-id,
        provider: (get provider dataset),
        open: (and (not (get paused current)) (get active dataset)
                   (>= (get stake dataset) (get min-dataset-stake current))),
        capacity: (get max-concurrent-jobs dataset),
        active-jobs: (get active-jobs dataset),
        matched-jobs: (get matched-jobs dataset),
        queue-head: (get queue-head dataset),
        queue-tail: (get queue-tail dataset),
        queued-jobs: (get queued-jobs dataset),
        now: burn-block-height,
        validator-count: (get active-validator-count current),
        registrations: (get validator-registrations current),
        pauses: (get pauses current),
      }))))
    )
    (ok (merge dataset {
      active-jobs: (get active-jobs state),
      matched-jobs: (get matched-jobs state),
      queue-head: (get queue-head state),
      queue-tail: (get queue-tail state),
      queued-jobs: (get queued-jobs state),
    }))
  ))
)

;; Total weight of the revealed votes scoring at or below a threshold.
(define-private (weight-at-or-below (vote { score: uint, weight: uint }) (acc { threshold: uint, weight: uint }))
  (if (<= (get score vote) (get threshold acc))
    (merge acc { weight: (+ (get weight acc) (get weight vote)) })
    acc
  )
)

;; Keeps the lowest score whose cumulative weight reaches half the total.
(define-private (median-candidate
    (vote { score: uint, weight: uint })
    (acc { votes: (list 10 { score: uint, weight: uint }), total: uint, median: uint })
  )
  (if (and (< (get score vote) (get median acc))
           (>= (* u2 (get weight (fold weight-at-or-below (get votes acc) { threshold: (get score vote), weight: u0 })))
               (get total acc)))
    (merge acc { median: (get score vote) })
    acc
  )
)

;; The stake-weighted (lower) median of the revealed scores: one outlier,
;; however extreme, cannot move it unless it holds half the weight.
;; O(k^2) over at most MAX_COMMITTEE_SIZE votes, all in memory.
(define-private (weighted-median (revealed (list 10 { score: uint, weight: uint })) (total-weight uint))
  (get median (fold median-candidate revealed { votes: revealed, total: total-weight, median: (+ SCORE_UNAVAILABLE u1) }))
)

;; Whether the votes below the slash threshold hold a strict majority of the
;; whole committee's weight (silent seats included): a slash needs it, so a
;; minority cannot slash by the lower median when honest seats stay silent,
;; and a tie never slashes.
(define-private (slash-backed (revealed (list 10 { score: uint, weight: uint })) (slash-threshold uint) (committee-weight uint))
  (and (> slash-threshold u0)
       (> (* u2 (get weight (fold weight-at-or-below revealed { threshold: (- slash-threshold u1), weight: u0 })))
          committee-weight))
)

;; Settles one seat of a committee: frees it, counts a coherent vote's weight,
;; and penalizes an outlier or a silent seat by validator-penalty-bps of its
;; stake. With no final score, revealed votes count as coherent and only silent
;; seats are penalized. A seat that never committed is excused when a pause
;; overlapped its commit window. A validator penalized below the minimum stake
;; leaves the active set. Silent seats' penalties and outliers' are summed apart:
;; the first go to the treasury, the second to the coherent seats.
(define-private (settle-seat
    (member principal)
    (acc { bid-id: uint, final-score: (optional uint), tolerance: uint, penalty-bps: uint, min-stake: uint,
           waive-silence: bool, coherent-weight: uint, silence-penalties: uint, outlier-penalties: uint })
  )
  (match (map-get? validators member)
    validator (let (
        (vote (map-get? votes { bid-id: (get bid-id acc), validator: member }))
        (revealed (match vote cast (get revealed cast) false))
        (coherent (match vote cast
          (and revealed (match (get final-score acc) final (coherent-score (get score cast) final (get tolerance acc)) true))
          false))
        (excused (and (is-none vote) (get waive-silence acc)))
        (penalty (if (or coherent excused) u0 (/ (* (get stake validator) (get penalty-bps acc)) BPS)))
        (new-stake (- (get stake validator) penalty))
        (removed (and (get active validator) (> penalty u0) (< new-stake (get min-stake acc))))
      )
      (if removed (remove-from-set (get index validator) (var-get market)) true)
      (map-set validators member (merge validator {
        stake: new-stake,
        open-seats: (- (get open-seats validator) u1),
        active: (and (get active validator) (not removed)),
        exit-requested-at: (if removed burn-block-height (get exit-requested-at validator)),
      }))
      (if (> penalty u0)
        (begin
          (print { event: "validator-penalized", bid-id: (get bid-id acc), validator: member, penalty: penalty,
                   stake: new-stake, removed: removed, silent: (not revealed) })
          true)
        false)
      (merge acc {
        coherent-weight: (+ (get coherent-weight acc)
                            (if (and coherent (is-some (get final-score acc))) (match vote cast (get weight cast) u0) u0)),
        silence-penalties: (+ (get silence-penalties acc) (if revealed u0 penalty)),
        outlier-penalties: (+ (get outlier-penalties acc) (if revealed penalty u0)),
      })
    )
    acc
  )
)

;; Whether a revealed score agrees with the final score: within the tolerance,
;; or, for the reserved vote "unavailable", exactly equal (it is no number).
(define-private (coherent-score (score uint) (final-score uint) (tolerance uint))
  (if (or (is-eq score SCORE_UNAVAILABLE) (is-eq final-score SCORE_UNAVAILABLE))
    (is-eq score final-score)
    (<= (distance score final-score) tolerance))
)

;; Whether a pause overlapped a job's commit window: the first pause after its
;; match (none is matched while paused) started before the window closed. A pause
;; after the window excuses nobody; one undone in the block it began was erased
;; from the log (set-paused), so it hides no later pause.
(define-private (commit-window-paused (pauses-at-match uint) (pauses uint) (commit-closes-at uint))
  (and (> pauses pauses-at-match)
       (match (map-get? pause-log (+ pauses-at-match u1))
         pause (<= (get started-at pause) commit-closes-at)
         false))
)

;; Settles every seat of a committee (bounded by MAX_COMMITTEE_SIZE).
;; excuse-silence frees seats that never committed without a penalty in any case.
(define-private (settle-committee
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (seats (list 10 principal))
    (final-score (optional uint))
    (params { version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
              max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint, non-delivery-slash-bps: uint,
              stake-lock-blocks: uint, validation-window: uint,
              reveal-window: uint, validator-unbonding-blocks: uint, committee-size: uint,
              min-reveals-bps: uint, reward-threshold: uint, slash-threshold: uint, slash-rate-bps: uint,
              validator-fee-bps: uint, protocol-fee-bps: uint, validator-penalty-bps: uint,
              consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
              governance-quorum-bps: uint, proposal-threshold: uint })
    (excuse-silence bool)
  )
  (let ((current (var-get market)))
    (fold settle-seat seats {
      bid-id: bid-id,
      final-score: final-score,
      tolerance: (get consensus-tolerance params),
      penalty-bps: (get validator-penalty-bps params),
      min-stake: (get min-validator-stake current),
      waive-silence: (or excuse-silence
                         (commit-window-paused (get pauses-at-match bid) (get pauses current)
                                               (get commit-closes-at (job-timeline bid-id bid params)))),
      coherent-weight: u0,
      silence-penalties: u0,
      outlier-penalties: u0,
    })
  )
)

;; Keeps a provider's total dataset stake in step with each dataset stake move.
;; An increase made after a new proposal starts a run (see provider-stakes):
;; the previous run joins the prior ones, whose floor is the lowest that may
;; still matter (a prior floor whose proposals have all closed is dropped).
(define-private (provider-stake-added (provider principal) (amount uint) (now uint) (last-proposal-id uint) (votes-open-until uint))
  (let (
      (held (default-to { stake: u0, run-proposal: u0, run-floor: u0, run-open-until: u0,
                          prior-proposal: u0, prior-floor: u0, prior-open-until: u0 }
                        (map-get? provider-stakes provider)))
      (stake (get stake held))
      (prior-closed (> now (get prior-open-until held)))
    )
    ;; stake only falls between increases, so the stake held just before this one
    ;; is the lowest since the last: every floor is capped by it, and a floor
    ;; stays what was held without a break since before its proposals
    (map-set provider-stakes provider
      (if (is-eq last-proposal-id (get run-proposal held))
        ;; no proposal since the last increase: the same run
        (merge held {
          stake: (+ stake amount),
          run-floor: (min-of (get run-floor held) stake),
          run-open-until: votes-open-until,
          prior-floor: (min-of (get prior-floor held) stake),
        })
        {
          stake: (+ stake amount),
          run-proposal: last-proposal-id,
          run-floor: stake,
          run-open-until: votes-open-until,
          prior-proposal: (get run-proposal held),
          prior-floor: (min-of stake (if prior-closed (get run-floor held) (min-of (get prior-floor held) (get run-floor held)))),
          prior-open-until: (get run-open-until held),
        }))
  )
)

(define-private (provider-stake-removed (provider principal) (amount uint))
  (match (map-get? provider-stakes provider)
    held (map-set provider-stakes provider (merge held { stake: (- (get stake held) amount) }))
    false)
)

;; A principal's governance weight now: its dataset stakes plus its validator stake.
(define-private (voting-power (who principal))
  (+ (match (map-get? provider-stakes who) held (get stake held) u0)
     (match (map-get? validators who) validator (get stake validator) u0))
)

;; A principal's weight on a proposal: only stake it held before the proposal
;; was made. Stake added later (a flash deposit) counts for nothing on it.
(define-private (voting-power-on (who principal) (proposal-id uint))
  (+ (match (map-get? provider-stakes who)
       held (if (> proposal-id (get run-proposal held))
              (get stake held)
              (min-of (get stake held)
                      (if (> proposal-id (get prior-proposal held)) (get run-floor held) (get prior-floor held))))
       u0)
     (match (map-get? validators who)
       validator (if (> proposal-id (get registered-after-proposal validator)) (get stake validator) u0)
       u0))
)

;; Whether a principal's stakes are held by a live governance vote.
(define-private (vote-locked (who principal))
  (<= burn-block-height (default-to u0 (map-get? vote-locks who)))
)

;; Registers a dataset for the caller with its stake and terms: the body of
;; register-dataset and register-dataset-with-terms.
(define-private (create-dataset (stake uint) (metadata-uri (string-ascii 256)) (price-per-block uint) (max-concurrent-jobs uint))
  (let (
      (state (var-get market))
      (dataset-id (+ (get last-dataset-id state) u1))
      (now burn-block-height)
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new business
    (asserts! (not (get paused state)) ERR_PAUSED)
    ;; the quality stake must meet the minimum
    (asserts! (>= stake (get min-dataset-stake state)) ERR_STAKE_TOO_LOW)
    ;; a dataset must say where its metadata lives
    (asserts! (> (len metadata-uri) u0) ERR_EMPTY_METADATA_URI)
    ;; ... as an address a client can fetch
    (asserts! (valid-metadata-uri metadata-uri) ERR_INVALID_METADATA_URI)
    ;; bounded so that price * duration can never overflow
    (asserts! (<= price-per-block MAX_PRICE_PER_BLOCK) ERR_INVALID_PRICE)
    ;; at least one slot, at most the hard cap
    (asserts! (and (> max-concurrent-jobs u0) (<= max-concurrent-jobs MAX_CONCURRENT_JOBS)) ERR_INVALID_CAPACITY)
    (try! (deposit stake))
    (var-set market (merge state { last-dataset-id: dataset-id, dataset-stakes: (+ (get dataset-stakes state) stake) }))
    (provider-stake-added tx-sender stake now (get last-proposal-id state) (get votes-open-until state))
    (map-set datasets dataset-id {
      provider: tx-sender,
      stake: stake,
      metadata-uri: metadata-uri,
      price-per-block: price-per-block,
      max-concurrent-jobs: max-concurrent-jobs,
      active-jobs: u0,
      queued-jobs: u0,
      queue-head: u0,
      queue-tail: u0,
      matched-jobs: u0,
      validations: u0,
      passed-validations: u0,
      score-sum: u0,
      non-deliveries: u0,
      last-settled-at: u0,
      registered-at: now,
      active: true,
    })
    (print { event: "dataset-registered", dataset-id: dataset-id, provider: tx-sender, stake: stake, metadata-uri: metadata-uri,
             price-per-block: price-per-block, max-concurrent-jobs: max-concurrent-jobs })
    (ok dataset-id)
  )
)

;; Escrows a bid, plain (no artifacts) or verified: the body of
;; place-computation-bid and place-training-bid.
(define-private (place-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint)
                           (artifacts (optional { spec: (buff 32), eval-commitment: (buff 32) })))
  (let (
      ;; each read of burn-block-height costs a read: take it once
      (now burn-block-height)
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (state (var-get market))
      (bid-id (+ (get last-bid-id state) u1))
      (match-now (and (is-eq (get queue-head dataset) u0)
                      (< (get active-jobs dataset) (get max-concurrent-jobs dataset))))
      ;; a plain bid has no compute fee; a verified one pays the ask at placement, once any raise has had its notice
      ;; (computed only for a duration the checks below accept, so the product cannot overflow)
      (compute-fee (if (and (is-some artifacts) (<= duration (get max-computation-duration state)))
                     (* (fee-price dataset-id (get price-per-block dataset) now) duration)
                     u0))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new business
    (asserts! (not (get paused state)) ERR_PAUSED)
    ;; a retired dataset takes no bids
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    ;; a slashed dataset takes no bids until topped up
    (asserts! (>= (get stake dataset) (get min-dataset-stake state)) ERR_DATASET_UNDERSTAKED)
    ;; a provider cannot buy its own training (wash trading)
    (asserts! (not (is-eq tx-sender (get provider dataset))) ERR_SELF_BID)
    ;; bids below the market minimum are spam
    (asserts! (>= amount (get min-bid-amount state)) ERR_BID_TOO_LOW)
    ;; some training, but no more than the market allows
    (asserts! (and (> duration u0) (<= duration (get max-computation-duration state))) ERR_INVALID_DURATION)
    ;; the bid must meet the provider's ask
    (asserts! (>= amount (* (get price-per-block dataset) duration)) ERR_BID_BELOW_ASK)
    ;; the training must fit before the deadline (duration is bounded above, so no overflow)
    (asserts! (<= (+ now duration) deadline) ERR_DEADLINE_UNREACHABLE)
    ;; ... and the deadline must not lie so far away that the job never ends
    (asserts! (<= deadline (+ now duration (get max-bid-wait state))) ERR_DEADLINE_TOO_FAR)
    (try! (deposit amount))
    (var-set market (merge state { last-bid-id: bid-id, escrowed-bids: (+ (get escrowed-bids state) amount) }))
    (map-set bids bid-id {
      dataset-id: dataset-id,
      bidder: tx-sender,
      amount: amount,
      duration: duration,
      deadline: deadline,
      status: (if match-now STATUS_MATCHED STATUS_QUEUED),
      placed-at: now,
      matched-at: (if match-now now u0),
      matched-block: (if match-now stacks-block-height u0),
      validators-at-match: (if match-now (get active-validator-count state) u0),
      registrations-at-match: (if match-now (get validator-registrations state) u0),
      pauses-at-match: (if match-now (get pauses state) u0),
      verified: (is-some artifacts),
      compute-fee: compute-fee,
      parameter-version: (get parameter-version state),
    })
    (match artifacts
      sealed (begin
        (map-set job-deliveries bid-id {
          spec: (get spec sealed),
          eval-commitment: (get eval-commitment sealed),
          model: none,
          delivered-at: u0,
          eval-digest: none,
          eval-revealed-at: u0,
        })
        (print { event: "bid-placed", bid-id: bid-id, dataset-id: dataset-id, bidder: tx-sender, amount: amount,
                 duration: duration, deadline: deadline, spec: (get spec sealed),
                 eval-commitment: (get eval-commitment sealed), compute-fee: compute-fee })
        true)
      (begin
        (print { event: "bid-placed", bid-id: bid-id, dataset-id: dataset-id, bidder: tx-sender, amount: amount,
                 duration: duration, deadline: deadline })
        true))
    (if match-now
      (begin
        (print { event: "bid-matched", bid-id: bid-id, dataset-id: dataset-id, bidder: tx-sender, matched-at: now })
        (seat-small-market bid-id (get provider dataset) tx-sender (get committee-size state)
                           (get active-validator-count state) (get validator-registrations state))
        (map-set datasets dataset-id (merge dataset {
          active-jobs: (+ (get active-jobs dataset) u1),
          matched-jobs: (+ (get matched-jobs dataset) u1),
        }))
      )
      (map-set datasets dataset-id (try! (process-queue dataset-id (merge dataset (enqueue-bid {
        queue-head: (get queue-head dataset),
        queue-tail: (get queue-tail dataset),
        queued-jobs: (get queued-jobs dataset),
      } bid-id)))))
    )
    (ok bid-id)
  )
)

;; A proposed value must name a market parameter, sit inside its hard bounds,
;; and keep the cross-parameter rules against the values in force.
(define-private (check-parameter-change
    (parameter (string-ascii 32))
    (value uint)
    (params { version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
              max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint, non-delivery-slash-bps: uint,
              stake-lock-blocks: uint, validation-window: uint,
              reveal-window: uint, validator-unbonding-blocks: uint, committee-size: uint,
              min-reveals-bps: uint, reward-threshold: uint, slash-threshold: uint, slash-rate-bps: uint,
              validator-fee-bps: uint, protocol-fee-bps: uint, validator-penalty-bps: uint,
              consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
              governance-quorum-bps: uint, proposal-threshold: uint })
  )
  (let ((bounds (unwrap! (map-get? parameter-bounds parameter) ERR_UNKNOWN_PARAMETER)))
    (asserts! (and (>= value (get min-value bounds)) (<= value (get max-value bounds))) ERR_VALUE_OUT_OF_RANGE)
    ;; pro-rata payment divides by reward - slash threshold: it must stay positive
    (asserts! (if (is-eq parameter "reward-threshold") (> value (get slash-threshold params))
                (if (is-eq parameter "slash-threshold") (< value (get reward-threshold params)) true))
              ERR_THRESHOLDS_CROSSED)
    ;; a larger market's committee seed exists the block after the decline window:
    ;; it must come before the commit window of the shortest job closes
    (asserts! (if (is-eq parameter "decline-window") (< value (get validation-window params))
                (if (is-eq parameter "validation-window") (> value (get decline-window params)) true))
              ERR_WINDOWS_CROSSED)
    ;; the provider's payment is what the fees leave of it
    (asserts! (if (is-eq parameter "validator-fee-bps") (< (+ value (get protocol-fee-bps params)) BPS)
                (if (is-eq parameter "protocol-fee-bps") (< (+ value (get validator-fee-bps params)) BPS) true))
              ERR_FEES_TOO_HIGH)
    (ok true)
  )
)

;; The parameter set with one value replaced (the name was checked before).
(define-private (with-parameter
    (params { version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
              max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint, non-delivery-slash-bps: uint,
              stake-lock-blocks: uint, validation-window: uint,
              reveal-window: uint, validator-unbonding-blocks: uint, committee-size: uint,
              min-reveals-bps: uint, reward-threshold: uint, slash-threshold: uint, slash-rate-bps: uint,
              validator-fee-bps: uint, protocol-fee-bps: uint, validator-penalty-bps: uint,
              consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
              governance-quorum-bps: uint, proposal-threshold: uint })
    (parameter (string-ascii 32))
    (value uint)
  )
  (if (is-eq parameter "min-dataset-stake") (merge params { min-dataset-stake: value })
  (if (is-eq parameter "min-validator-stake") (merge params { min-validator-stake: value })
  (if (is-eq parameter "min-bid-amount") (merge params { min-bid-amount: value })
  (if (is-eq parameter "max-computation-duration") (merge params { max-computation-duration: value })
  (if (is-eq parameter "max-bid-wait") (merge params { max-bid-wait: value })
  (if (is-eq parameter "decline-window") (merge params { decline-window: value })
  (if (is-eq parameter "eval-reveal-window") (merge params { eval-reveal-window: value })
  (if (is-eq parameter "non-delivery-slash-bps") (merge params { non-delivery-slash-bps: value })
  (if (is-eq parameter "stake-lock-blocks") (merge params { stake-lock-blocks: value })
  (if (is-eq parameter "validation-window") (merge params { validation-window: value })
  (if (is-eq parameter "reveal-window") (merge params { reveal-window: value })
  (if (is-eq parameter "validator-unbonding-blocks") (merge params { validator-unbonding-blocks: value })
  (if (is-eq parameter "committee-size") (merge params { committee-size: value })
  (if (is-eq parameter "min-reveals-bps") (merge params { min-reveals-bps: value })
  (if (is-eq parameter "reward-threshold") (merge params { reward-threshold: value })
  (if (is-eq parameter "slash-threshold") (merge params { slash-threshold: value })
  (if (is-eq parameter "slash-rate-bps") (merge params { slash-rate-bps: value })
  (if (is-eq parameter "validator-fee-bps") (merge params { validator-fee-bps: value })
  (if (is-eq parameter "protocol-fee-bps") (merge params { protocol-fee-bps: value })
  (if (is-eq parameter "validator-penalty-bps") (merge params { validator-penalty-bps: value })
  (if (is-eq parameter "consensus-tolerance") (merge params { consensus-tolerance: value })
  (if (is-eq parameter "voting-period") (merge params { voting-period: value })
  (if (is-eq parameter "execution-delay") (merge params { execution-delay: value })
  (if (is-eq parameter "governance-quorum-bps") (merge params { governance-quorum-bps: value })
  (if (is-eq parameter "proposal-threshold") (merge params { proposal-threshold: value })
    params)))))))))))))))))))))))))
)

;; The weight of a committee seat: its member's stake when it was drawn.
(define-private (seat-weight
    (committee { seats: (list 10 principal), weights: (list 10 uint), total-weight: uint, commits: uint, reveals: uint,
                 revealed-weight: uint, revealed: (list 10 { score: uint, weight: uint }) })
    (seat (optional uint))
  )
  (match seat index (default-to u0 (element-at? (get weights committee) index)) u0)
)

;; The contract's balance beyond what it owes (the five buckets of the market
;; record): STX that arrived by a plain transfer. Never negative.
(define-private (untracked-balance)
  (let (
      (state (var-get market))
      (owed (+ (get dataset-stakes state) (get validator-stakes state) (get escrowed-bids state)
               (get unclaimed-rewards state) (get treasury state)))
      (balance (stx-get-balance current-contract))
    )
    (if (> balance owed) (- balance owed) u0)
  )
)

;; Where a matched job stands and its validation windows. A plain job takes
;; votes from its match until deadline + validation-window. A verified job takes
;; none before its evaluation set is revealed, then for validation-window blocks
;; (before that, its windows are given as the latest they can close). The reveal
;; window follows the commit window. The stage says what ending it is due now:
;; a verified job not delivered once its deadline and its decline window have
;; passed has missed its delivery; one delivered whose evaluation set was not
;; revealed by deadline + eval-reveal-window is a bidder default; any job past its
;; reveal window has ended.
(define-private (job-timeline (bid-id uint) (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint }) (params { version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
              max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint, non-delivery-slash-bps: uint,
              stake-lock-blocks: uint, validation-window: uint,
              reveal-window: uint, validator-unbonding-blocks: uint, committee-size: uint,
              min-reveals-bps: uint, reward-threshold: uint, slash-threshold: uint, slash-rate-bps: uint,
              validator-fee-bps: uint, protocol-fee-bps: uint, validator-penalty-bps: uint,
              consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
              governance-quorum-bps: uint, proposal-threshold: uint }))
  (let (
      (now burn-block-height)
      (deadline (get deadline bid))
      (vw (get validation-window params))
      (rw (get reveal-window params))
      (delivery (if (get verified bid) (map-get? job-deliveries bid-id) none))
      (delivered (match delivery d (is-some (get model d)) false))
      (revealed (match delivery d (is-some (get eval-digest d)) false))
      (open (or (not (get verified bid)) revealed))
      (commit-closes-at (match delivery
        d (+ (if revealed (get eval-revealed-at d) (+ deadline (get eval-reveal-window params))) vw)
        (+ deadline vw)))
      (reveal-closes-at (+ commit-closes-at rw))
    )
    {
      open: open,
      delivered: delivered,
      commit-closes-at: commit-closes-at,
      reveal-closes-at: reveal-closes-at,
      ;; a delivery is missed only once the provider could neither deliver nor decline;
      ;; the evaluation set is due eval-reveal-window blocks after the deadline
      stage: (if (and (get verified bid) (not delivered))
               (if (> now (max-of deadline (+ (get matched-at bid) (get decline-window params)))) STAGE_MISSED STAGE_RUNNING)
               (if (not open)
                 (if (> now (+ deadline (get eval-reveal-window params))) STAGE_DEFAULTED STAGE_RUNNING)
                 (if (> now reveal-closes-at) STAGE_ENDED STAGE_RUNNING))),
    }
  )
)

;; What a matched job still holds in escrow: its amount, less what its delivery
;; paid out (the compute fee but the validators' share, which waits for the committee).
(define-private (job-escrow (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint }) (delivered bool) (params { version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
              max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint, non-delivery-slash-bps: uint,
              stake-lock-blocks: uint, validation-window: uint,
              reveal-window: uint, validator-unbonding-blocks: uint, committee-size: uint,
              min-reveals-bps: uint, reward-threshold: uint, slash-threshold: uint, slash-rate-bps: uint,
              validator-fee-bps: uint, protocol-fee-bps: uint, validator-penalty-bps: uint,
              consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
              governance-quorum-bps: uint, proposal-threshold: uint }))
  (if delivered
    (- (get amount bid) (- (get compute-fee bid) (/ (* (get compute-fee bid) (get validator-fee-bps params)) BPS)))
    (get amount bid))
)

;; Reveals needed to finalize after the reveal window: min-reveals-bps of the
;; seats, rounded up (the default 5001 is a strict majority).
(define-private (min-reveals (seat-count uint) (min-reveals-bps uint))
  (/ (+ (* seat-count min-reveals-bps) (- BPS u1)) BPS)
)

;; Settles a job whose committee produced a result. A median below the slash
;; threshold that lacks a strict majority of the committee's weight is no
;; result: the job is closed with a full refund (OUTCOME_NO_MAJORITY). A median
;; of the reserved vote "unavailable" settles it as a bidder default.
(define-private (finalize-job
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (committee { seats: (list 10 principal), weights: (list 10 uint), total-weight: uint, commits: uint, reveals: uint,
                 revealed-weight: uint, revealed: (list 10 { score: uint, weight: uint }) })
  )
  (let (
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (final-score (weighted-median (get revealed committee) (get revealed-weight committee)))
      (slash-threshold (get slash-threshold params))
    )
    (if (and (< final-score slash-threshold)
             (not (slash-backed (get revealed committee) slash-threshold (get total-weight committee))))
      (begin (try! (fail-job bid-id bid)) (ok OUTCOME_NO_MAJORITY))
      (settle-job bid-id bid (get seats committee) params final-score false))
  )
)

;; Pays out a job's result: pays the provider, refunds the bidder, slashes a
;; poor dataset, penalizes outliers (to the coherent seats) and silent seats (to
;; the treasury), sets aside the coherent validators' rewards, and frees the
;; slot for the queue. On a verified job the compute fee was paid at delivery
;; (its validators' share waited in escrow for the committee): the rest of the
;; bid follows the score, and a slash takes back at least the compute fee (as far
;; as the stake goes) and never exceeds the bid's amount. A final
;; score of SCORE_UNAVAILABLE is a bidder default: the rest is paid in full, no
;; slash, no quality score. With no coherent seat (nobody voted) the validators'
;; fees go to the treasury. excuse-silence frees seats that never voted without a penalty.
(define-private (settle-job
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (seats (list 10 principal))
    (params { version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
              max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint, non-delivery-slash-bps: uint,
              stake-lock-blocks: uint, validation-window: uint,
              reveal-window: uint, validator-unbonding-blocks: uint, committee-size: uint,
              min-reveals-bps: uint, reward-threshold: uint, slash-threshold: uint, slash-rate-bps: uint,
              validator-fee-bps: uint, protocol-fee-bps: uint, validator-penalty-bps: uint,
              consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
              governance-quorum-bps: uint, proposal-threshold: uint })
    (final-score uint)
    (excuse-silence bool)
  )
  (let (
      ;; each read of burn-block-height costs a read: take it once
      (now burn-block-height)
      (dataset-id (get dataset-id bid))
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (verified (get verified bid))
      (amount (get amount bid))
      (fee-bps (get validator-fee-bps params))
      ;; what the delivery left in escrow for the committee
      (carried-fees (/ (* (get compute-fee bid) fee-bps) BPS))
      (rest (- amount (get compute-fee bid)))
      (defaulted (is-eq final-score SCORE_UNAVAILABLE))
      (reward-threshold (get reward-threshold params))
      (slash-threshold (get slash-threshold params))
      (payment (if (or defaulted (>= final-score reward-threshold))
        rest
        (if (> final-score slash-threshold)
          ;; linear from 0 at the slash threshold to the full amount at the reward threshold
          (/ (* rest (- final-score slash-threshold)) (- reward-threshold slash-threshold))
          u0)))
      (slashed (if (and (not defaulted) (< final-score slash-threshold))
        ;; a verified job's slash takes back at least the compute fee the delivery earned (as far as
        ;; the stake goes), so a worthless delivery never pays; it never costs more than the bid
        (if verified
          (min-of (min-of (max-of (/ (* (get stake dataset) (get slash-rate-bps params)) BPS) (get compute-fee bid))
                          (get stake dataset))
                  amount)
          (/ (* (get stake dataset) (get slash-rate-bps params)) BPS))
        u0))
      (payment-fees (/ (* payment fee-bps) BPS))
      (protocol-fee (/ (* payment (get protocol-fee-bps params)) BPS))
      ;; on a slash the fees came out of the stake, not the (zero) payment
      (provider-payment (if (> payment u0) (- payment payment-fees protocol-fee) u0))
      (bidder-refund (- rest payment))
      (settled (settle-committee bid-id bid seats (some final-score) params excuse-silence))
      (coherent-weight (get coherent-weight settled))
      ;; validators are paid from the payment; on a slash, from the slashed stake,
      ;; so an honest low score earns as much as an honest high one
      (validator-fees (if (> coherent-weight u0)
        (+ carried-fees (if (> payment u0) payment-fees (min-of (/ (* rest fee-bps) BPS) slashed)))
        u0))
      (silence-penalties (get silence-penalties settled))
      (outlier-penalties (get outlier-penalties settled))
      (penalties (+ silence-penalties outlier-penalties))
      ;; coherent validators share the fees and the outliers' penalties; silence
      ;; goes to the treasury, so nobody earns from an offline validator
      (reward-pool (+ validator-fees outlier-penalties))
      ;; what leaves escrow: the rest of the bid and the delivery's validators' share
      (released (+ rest carried-fees))
      ;; the treasury keeps what the escrow and the slash leave after the parties and the committee
      (treasury-gain (+ (- (+ released slashed) provider-payment bidder-refund validator-fees) silence-penalties))
      (outcome (if defaulted
        OUTCOME_BIDDER_DEFAULT
        (if (>= final-score reward-threshold)
          OUTCOME_REWARDED
          (if (< final-score slash-threshold) OUTCOME_SLASHED OUTCOME_PARTIAL))))
      ;; read after the seats settled: a removal changed the validator count
      (state (var-get market))
    )
    (try! (pay-out provider-payment (get provider dataset)))
    (try! (pay-out bidder-refund (get bidder bid)))
    (if (> slashed u0) (provider-stake-removed (get provider dataset) slashed) true)
    (var-set market (merge state {
      dataset-stakes: (- (get dataset-stakes state) slashed),
      validator-stakes: (- (get validator-stakes state) penalties),
      escrowed-bids: (- (get escrowed-bids state) released),
      unclaimed-rewards: (+ (get unclaimed-rewards state) reward-pool),
      treasury: (+ (get treasury state) treasury-gain),
    }))
    (map-set bids bid-id (merge bid { status: STATUS_SETTLED }))
    (map-set job-results bid-id {
      final-score: final-score,
      outcome: outcome,
      provider-payment: provider-payment,
      bidder-refund: bidder-refund,
      slashed-amount: slashed,
      validator-fees: validator-fees,
      protocol-fee: protocol-fee,
      penalties: penalties,
      reward-pool: reward-pool,
      reward-weight: coherent-weight,
      finalized-at: now,
    })
    (if verified
      (let ((history (default-to { jobs: u0, score-sum: u0, defaults: u0 } (map-get? bidder-history (get bidder bid)))))
        (map-set bidder-history (get bidder bid) (if defaulted
          (merge history { defaults: (+ (get defaults history) u1) })
          (merge history { jobs: (+ (get jobs history) u1), score-sum: (+ (get score-sum history) final-score) }))))
      true)
    (print {
      event: "job-finalized",
      bid-id: bid-id,
      dataset-id: dataset-id,
      final-score: final-score,
      outcome: outcome,
      provider-payment: provider-payment,
      bidder-refund: bidder-refund,
      slashed-amount: slashed,
      validator-fees: validator-fees,
      protocol-fee: protocol-fee,
      penalties: penalties,
      treasury-gain: treasury-gain,
    })
    ;; the freed slot goes to the next queued bid; a default is no validation of the data
    (map-set datasets dataset-id (try! (process-queue dataset-id (merge dataset {
      stake: (- (get stake dataset) slashed),
      active-jobs: (- (get active-jobs dataset) u1),
      validations: (+ (get validations dataset) (if defaulted u0 u1)),
      passed-validations: (+ (get passed-validations dataset) (if (is-eq outcome OUTCOME_REWARDED) u1 u0)),
      score-sum: (+ (get score-sum dataset) (if defaulted u0 final-score)),
      last-settled-at: now,
    }))))
    (ok outcome)
  )
)

;; Closes a matched job without a result: the bidder gets back all the job still
;; holds in escrow (its amount, less a delivered verified job's compute fee), the
;; dataset is not slashed, every seat is freed (revealed votes unpenalized,
;; silent seats penalized to the treasury unless excused) and the job takes
;; `status`. Returns the refund, the silence penalties and the dataset with its
;; slot freed, for the caller to print its event and hand the slot to the queue.
(define-private (close-job
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (status uint)
    (excuse-silence bool)
  )
  (let (
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
      (amount (job-escrow bid (get delivered (job-timeline bid-id bid params)) params))
      (penalties (match (map-get? committees bid-id)
        committee (get silence-penalties (settle-committee bid-id bid (get seats committee) none params excuse-silence))
        u0))
      ;; read after the seats settled: a removal changed the validator count
      (state (var-get market))
    )
    (try! (pay-out amount (get bidder bid)))
    (var-set market (merge state {
      validator-stakes: (- (get validator-stakes state) penalties),
      escrowed-bids: (- (get escrowed-bids state) amount),
      treasury: (+ (get treasury state) penalties),
    }))
    (map-set bids bid-id (merge bid { status: status }))
    (ok { refund: amount, penalties: penalties, dataset: (merge dataset {
      active-jobs: (- (get active-jobs dataset) u1),
      last-settled-at: burn-block-height,
    }) })
  )
)

;; Closes a matched job that has no result (too few reveals by its end, or a
;; slash without a majority): full refund, silent seats penalized; the slot goes
;; to the queue.
(define-private (fail-job
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
  )
  (let ((closed (try! (close-job bid-id bid STATUS_EXPIRED false))))
    (print { event: "bid-expired", bid-id: bid-id, dataset-id: (get dataset-id bid), bidder: (get bidder bid),
             refund: (get refund closed), penalties: (get penalties closed) })
    (map-set datasets (get dataset-id bid) (try! (process-queue (get dataset-id bid) (get dataset closed))))
    (ok (get refund closed))
  )
)

;; Fails a verified job whose model was not delivered by its deadline (nor the job
;; declined in its window): the bidder is refunded in full, the seats are freed
;; without penalty (their commit window never opened), and non-delivery-slash-bps
;; of the dataset's stake (at most the compute fee) goes to the treasury; the
;; dataset counts it.
(define-private (miss-delivery
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (params { version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
              max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint, non-delivery-slash-bps: uint,
              stake-lock-blocks: uint, validation-window: uint,
              reveal-window: uint, validator-unbonding-blocks: uint, committee-size: uint,
              min-reveals-bps: uint, reward-threshold: uint, slash-threshold: uint, slash-rate-bps: uint,
              validator-fee-bps: uint, protocol-fee-bps: uint, validator-penalty-bps: uint,
              consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
              governance-quorum-bps: uint, proposal-threshold: uint })
  )
  (let (
      (closed (try! (close-job bid-id bid STATUS_EXPIRED true)))
      (dataset (get dataset closed))
      ;; capped at what the provider stood to earn: the bidder, who gets its whole bid back, cannot size the slash
      (slashed (min-of (/ (* (get stake dataset) (get non-delivery-slash-bps params)) BPS) (get compute-fee bid)))
      (state (var-get market))
    )
    (if (> slashed u0) (provider-stake-removed (get provider dataset) slashed) true)
    (var-set market (merge state {
      dataset-stakes: (- (get dataset-stakes state) slashed),
      treasury: (+ (get treasury state) slashed),
    }))
    (print { event: "delivery-missed", bid-id: bid-id, dataset-id: (get dataset-id bid), provider: (get provider dataset),
             bidder: (get bidder bid), refund: (get refund closed), slashed-amount: slashed })
    (map-set datasets (get dataset-id bid) (try! (process-queue (get dataset-id bid) (merge dataset {
      stake: (- (get stake dataset) slashed),
      non-deliveries: (+ (get non-deliveries dataset) u1),
    }))))
    (ok (get refund closed))
  )
)

;; Settles a verified job whose bidder did not reveal its evaluation set in
;; time: the provider is paid the rest of the bid in full (less the fees, which
;; go to the treasury as nobody judged), no slash; the seats are freed without penalty.
(define-private (bidder-default
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (params { version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
              max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint, non-delivery-slash-bps: uint,
              stake-lock-blocks: uint, validation-window: uint,
              reveal-window: uint, validator-unbonding-blocks: uint, committee-size: uint,
              min-reveals-bps: uint, reward-threshold: uint, slash-threshold: uint, slash-rate-bps: uint,
              validator-fee-bps: uint, protocol-fee-bps: uint, validator-penalty-bps: uint,
              consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
              governance-quorum-bps: uint, proposal-threshold: uint })
  )
  (settle-job bid-id bid (match (map-get? committees bid-id) drawn (get seats drawn) (list)) params SCORE_UNAVAILABLE true)
)

;; ---------------------------------------------------------------------------
;; Public: datasets and stakes
;; ---------------------------------------------------------------------------

;; Registers a dataset and locks its quality stake in the contract. The dataset
;; opens with an ask of 0 and one job slot; set-dataset-terms changes them, or
;; register-dataset-with-terms sets them in the same call.
;; Caller: anyone (becomes the dataset's provider).
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_STAKE_TOO_LOW, ERR_EMPTY_METADATA_URI,
;;         ERR_INVALID_METADATA_URI, ERR_INSUFFICIENT_FUNDS.
;; Event: dataset-registered. Returns the new dataset id.
(define-public (register-dataset (stake uint) (metadata-uri (string-ascii 256)))
  (create-dataset stake metadata-uri u0 u1)
)

;; Registers a dataset with its terms in one call, so that no bid can be
;; matched at a price of 0 before the provider sets its ask.
;; Caller: anyone (becomes the dataset's provider).
;; Errors: as register-dataset, and ERR_INVALID_PRICE, ERR_INVALID_CAPACITY.
;; Event: dataset-registered. Returns the new dataset id.
(define-public (register-dataset-with-terms (stake uint) (metadata-uri (string-ascii 256)) (price-per-block uint) (max-concurrent-jobs uint))
  (create-dataset stake metadata-uri price-per-block max-concurrent-jobs)
)

;; Adds to a dataset's stake, e.g. to lift it back over the minimum after a slash;
;; queued bids are matched if that reopens the dataset.
;; Caller: the dataset's provider.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_ZERO_AMOUNT, ERR_DATASET_NOT_FOUND,
;;         ERR_NOT_DATASET_PROVIDER, ERR_DATASET_INACTIVE, ERR_INSUFFICIENT_FUNDS.
;; Event: dataset-stake-added. Returns the new stake.
(define-public (add-dataset-stake (dataset-id uint) (amount uint))
  (let (
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (state (var-get market))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a top-up must move STX
    (asserts! (> amount u0) ERR_ZERO_AMOUNT)
    ;; only the provider stakes on its dataset
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; a retired dataset cannot be revived
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    ;; the transfer comes before any sum with `amount`: an amount the caller
    ;; cannot pay fails here with ERR_INSUFFICIENT_FUNDS, never as an overflow
    (try! (deposit amount))
    (let ((new-stake (+ (get stake dataset) amount)))
      (var-set market (merge state { dataset-stakes: (+ (get dataset-stakes state) amount) }))
      (provider-stake-added tx-sender amount burn-block-height (get last-proposal-id state) (get votes-open-until state))
      (print { event: "dataset-stake-added", dataset-id: dataset-id, provider: tx-sender, amount: amount, stake: new-stake })
      (map-set datasets dataset-id (try! (process-queue dataset-id (merge dataset { stake: new-stake }))))
      (ok new-stake)
    )
  )
)

;; Sets the provider's ask (micro-STX per Bitcoin block of training) and how many
;; jobs may run at once; queued bids are matched into any new slots. A raised
;; price binds verified bids' compute fees PRICE_NOTICE_BLOCKS blocks later.
;; Caller: the dataset's provider.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_DATASET_NOT_FOUND, ERR_NOT_DATASET_PROVIDER,
;;         ERR_DATASET_INACTIVE, ERR_INVALID_PRICE, ERR_INVALID_CAPACITY.
;; Event: dataset-terms-set.
(define-public (set-dataset-terms (dataset-id uint) (price-per-block uint) (max-concurrent-jobs uint))
  (let ((dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND)))
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the provider sets its terms
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; a retired dataset takes no more jobs
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    ;; bounded so that price * duration can never overflow
    (asserts! (<= price-per-block MAX_PRICE_PER_BLOCK) ERR_INVALID_PRICE)
    ;; at least one slot, at most the hard cap
    (asserts! (and (> max-concurrent-jobs u0) (<= max-concurrent-jobs MAX_CONCURRENT_JOBS)) ERR_INVALID_CAPACITY)
    ;; a raise binds verified bids' compute fees only after its notice (fee-price)
    (if (> price-per-block (get price-per-block dataset))
      (map-set price-raises dataset-id {
        previous-price: (fee-price dataset-id (get price-per-block dataset) burn-block-height),
        raised-at: burn-block-height,
      })
      true)
    (print { event: "dataset-terms-set", dataset-id: dataset-id, price-per-block: price-per-block, max-concurrent-jobs: max-concurrent-jobs })
    (map-set datasets dataset-id (try! (process-queue dataset-id (merge dataset {
      price-per-block: price-per-block,
      max-concurrent-jobs: max-concurrent-jobs,
    }))))
    (ok true)
  )
)

;; Closes a dataset to new business at once, paused or not: it takes no more
;; bids or matches, each of its queued bids becomes refundable by anyone through
;; expire-bid, and its running jobs finish. withdraw-dataset-stake then releases
;; the stake under the usual locks.
;; Caller: the dataset's provider. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_DATASET_NOT_FOUND, ERR_NOT_DATASET_PROVIDER,
;;         ERR_DATASET_INACTIVE.
;; Event: dataset-retired.
(define-public (retire-dataset (dataset-id uint))
  (let ((dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND)))
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the provider retires its dataset
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; a dataset is retired once
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    (map-set datasets dataset-id (merge dataset { active: false }))
    (print { event: "dataset-retired", dataset-id: dataset-id, provider: tx-sender,
             queued-jobs: (get queued-jobs dataset), active-jobs: (get active-jobs dataset) })
    (ok true)
  )
)

;; Returns the remaining stake to the provider and retires the dataset (if
;; retire-dataset has not already).
;; Caller: the dataset's provider. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_DATASET_NOT_FOUND, ERR_NOT_DATASET_PROVIDER,
;;         ERR_DATASET_INACTIVE, ERR_DATASET_HAS_OPEN_JOBS, ERR_VOTE_LOCKED, ERR_STAKE_LOCKED.
;; Event: dataset-withdrawn. Returns the amount paid out.
(define-public (withdraw-dataset-stake (dataset-id uint))
  (let (
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (provider (get provider dataset))
      (stake (get stake dataset))
      (state (var-get market))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the provider takes its stake back
    (asserts! (is-eq tx-sender provider) ERR_NOT_DATASET_PROVIDER)
    ;; a stake is paid out once: a closed dataset with nothing left was withdrawn
    (asserts! (or (get active dataset) (> stake u0)) ERR_DATASET_INACTIVE)
    ;; a queued or running job could still need the stake for a slash
    (asserts! (and (is-eq (get active-jobs dataset) u0) (is-eq (get queued-jobs dataset) u0)) ERR_DATASET_HAS_OPEN_JOBS)
    ;; a stake that voted in governance stays until that proposal can be executed
    (asserts! (not (vote-locked provider)) ERR_VOTE_LOCKED)
    ;; locked until validated, unless never used or idle for stake-lock-blocks
    (asserts! (or (> (get passed-validations dataset) u0)
                  (is-eq (get matched-jobs dataset) u0)
                  (> burn-block-height (+ (get last-settled-at dataset) (get stake-lock-blocks (parameters-at (get parameter-version state))))))
              ERR_STAKE_LOCKED)
    (try! (pay-out stake provider))
    (var-set market (merge state { dataset-stakes: (- (get dataset-stakes state) stake) }))
    (provider-stake-removed provider stake)
    (map-set datasets dataset-id (merge dataset { stake: u0, active: false }))
    (print { event: "dataset-withdrawn", dataset-id: dataset-id, provider: provider, amount: stake })
    (ok stake)
  )
)

;; ---------------------------------------------------------------------------
;; Public: computation bids and matching
;; ---------------------------------------------------------------------------

;; Escrows a bid for `duration` Bitcoin blocks of training on a dataset, to be
;; done by block `deadline`, which may lie at most max-bid-wait blocks past
;; the training time (so every job ends in bounded time). It is matched at once
;; when the dataset has a free slot and no queue, otherwise it joins the
;; dataset's FIFO queue. A plain job: its committee scores it directly.
;; Caller: anyone but the dataset's provider.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_DATASET_NOT_FOUND, ERR_DATASET_INACTIVE,
;;         ERR_DATASET_UNDERSTAKED, ERR_SELF_BID, ERR_BID_TOO_LOW, ERR_INVALID_DURATION,
;;         ERR_BID_BELOW_ASK, ERR_DEADLINE_UNREACHABLE, ERR_DEADLINE_TOO_FAR,
;;         ERR_INSUFFICIENT_FUNDS.
;; Event: bid-placed, then bid-matched when matched at once. Returns the bid id.
(define-public (place-computation-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint))
  (place-bid dataset-id amount duration deadline none)
)

;; Escrows a bid for a VERIFIED job: as place-computation-bid, plus the sha256
;; digest of the job spec and the commitment to the bidder's sealed evaluation
;; set, sha256(eval-digest ++ salt) (compute-eval-commitment). The provider
;; delivers the model's digest by the deadline (deliver-model) and earns the
;; compute fee, the ask times the duration, fixed here (a raise younger than
;; PRICE_NOTICE_BLOCKS does not count); the bidder then reveals the evaluation set
;; (reveal-evaluation-set) and the committee scores the model on it; the rest of
;; the bid follows the score.
;; Caller: anyone but the dataset's provider.
;; Errors: ERR_INVALID_DIGEST (spec or commitment not 32 bytes), then as place-computation-bid.
;; Event: bid-placed (with spec, eval-commitment, compute-fee), then bid-matched
;; when matched at once. Returns the bid id.
(define-public (place-training-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint)
                                   (spec (buff 32)) (eval-commitment (buff 32)))
  (begin
    ;; a shorter spec digest names nothing; a shorter commitment could never be opened
    (asserts! (and (is-eq (len spec) DIGEST_LENGTH) (is-eq (len eval-commitment) DIGEST_LENGTH)) ERR_INVALID_DIGEST)
    (place-bid dataset-id amount duration deadline (some { spec: spec, eval-commitment: eval-commitment }))
  )
)

;; Pushes a dataset's queue along: matches queued bids into free slots and
;; refunds heads that can no longer meet their deadline (bounded per call).
;; Caller: anyone.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_DATASET_NOT_FOUND.
;; Events: bid-matched / bid-expired per queue head handled. Returns the queue length.
(define-public (match-queued-bids (dataset-id uint))
  (let ((dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND)))
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; matching starts new jobs, which a pause forbids
    (asserts! (not (get paused (var-get market))) ERR_PAUSED)
    (let ((processed (try! (process-queue dataset-id dataset))))
      (map-set datasets dataset-id processed)
      (ok (get queued-jobs processed))
    )
  )
)

;; Withdraws a bid that is still waiting in the queue, with a full refund.
;; Caller: the bidder. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BID_NOT_FOUND, ERR_NOT_BIDDER, ERR_BID_NOT_QUEUED.
;; Event: bid-cancelled. Returns the refund.
(define-public (cancel-bid (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset-id (get dataset-id bid))
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (amount (get amount bid))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the bidder cancels its bid
    (asserts! (is-eq tx-sender (get bidder bid)) ERR_NOT_BIDDER)
    ;; a matched job is already being trained: it ends by validation or expiry
    (asserts! (is-eq (get status bid) STATUS_QUEUED) ERR_BID_NOT_QUEUED)
    (try! (pay-out amount (get bidder bid)))
    (escrow-released amount)
    (map-set datasets dataset-id (merge dataset (unlink-bid {
      queue-head: (get queue-head dataset),
      queue-tail: (get queue-tail dataset),
      queued-jobs: (get queued-jobs dataset),
    } bid-id)))
    (map-set bids bid-id (merge bid { status: STATUS_CANCELLED }))
    (print { event: "bid-cancelled", bid-id: bid-id, dataset-id: dataset-id, bidder: (get bidder bid), refund: amount })
    (ok amount)
  )
)

;; Ends a bid that can no longer complete: refunds a queued bid that can no
;; longer meet its deadline or whose dataset was retired, or a matched job still
;; without a result after its end (its silent seats are penalized to the
;; treasury). A verified job not delivered by its deadline (once its decline
;; window has closed too) is failed with a slash of the dataset (delivery-missed); one whose bidder did not reveal its
;; evaluation set in time is settled as a bidder default, paying the provider
;; (refund 0). A freed slot goes to the next queued bid.
;; Caller: anyone. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BID_NOT_FOUND, ERR_BID_CLOSED, ERR_BID_NOT_EXPIRED,
;;         ERR_RESULT_PENDING.
;; Event: bid-expired, delivery-missed or job-finalized. Returns the refund.
(define-public (expire-bid (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset-id (get dataset-id bid))
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (status (get status bid))
      (amount (get amount bid))
      (queued (is-eq status STATUS_QUEUED))
      (committee (map-get? committees bid-id))
      (stage (if queued STAGE_RUNNING (get stage (job-timeline bid-id bid params))))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; settled, cancelled and expired bids hold no escrow
    (asserts! (or queued (is-eq status STATUS_MATCHED)) ERR_BID_CLOSED)
    ;; only a bid that can no longer complete is ended
    (asserts! (if queued
                (or (not (get active dataset)) (> (+ burn-block-height (get duration bid)) (get deadline bid)))
                (not (is-eq stage STAGE_RUNNING)))
              ERR_BID_NOT_EXPIRED)
    ;; a job with enough revealed votes has a result: finalize-validation settles it
    (asserts! (or (not (is-eq stage STAGE_ENDED))
                  (match committee
                    drawn (< (get reveals drawn) (min-reveals (len (get seats drawn)) (get min-reveals-bps params)))
                    true))
              ERR_RESULT_PENDING)
    (if queued
      (begin
        (try! (pay-out amount (get bidder bid)))
        (escrow-released amount)
        (map-set bids bid-id (merge bid { status: STATUS_EXPIRED }))
        (print { event: "bid-expired", bid-id: bid-id, dataset-id: dataset-id, bidder: (get bidder bid), refund: amount, penalties: u0 })
        (map-set datasets dataset-id (merge dataset (unlink-bid {
          queue-head: (get queue-head dataset),
          queue-tail: (get queue-tail dataset),
          queued-jobs: (get queued-jobs dataset),
        } bid-id)))
        (ok amount))
      (if (is-eq stage STAGE_MISSED)
        (miss-delivery bid-id bid params)
        (if (is-eq stage STAGE_DEFAULTED)
          (begin (try! (bidder-default bid-id bid params)) (ok u0))
          (fail-job bid-id bid)))))
)

;; Declines a matched job: the provider refuses it within decline-window blocks
;; of the match, before any validator has voted on it (after a vote the result
;; decides). The bidder is refunded in full, nothing is slashed, the seats are
;; freed without penalty and the slot goes to the queue; the job does not count
;; as a match of the dataset (its stake lock is unchanged). In a market larger
;; than the committee, the committee's seed exists only after the window, so a
;; provider never declines knowing its judges.
;; Caller: the dataset's provider. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BID_NOT_FOUND, ERR_NOT_DATASET_PROVIDER,
;;         ERR_JOB_NOT_RUNNING, ERR_DECLINE_CLOSED, ERR_MODEL_DELIVERED, ERR_VALIDATION_STARTED.
;; Event: job-declined. Returns the refund.
(define-public (decline-job (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the provider declines work on its data
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; only a matched, unsettled job can be declined
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; a job is declined early, or taken on
    (asserts! (<= burn-block-height (+ (get matched-at bid) (get decline-window params))) ERR_DECLINE_CLOSED)
    ;; a delivered model is a job taken on
    (asserts! (not (get delivered (job-timeline bid-id bid params))) ERR_MODEL_DELIVERED)
    ;; once a validator has voted, the result decides: declining could dodge a slash
    (asserts! (match (map-get? committees bid-id) drawn (is-eq (get commits drawn) u0) true) ERR_VALIDATION_STARTED)
    (let ((closed (try! (close-job bid-id bid STATUS_CANCELLED true))))
      (print { event: "job-declined", bid-id: bid-id, dataset-id: (get dataset-id bid), provider: tx-sender,
               bidder: (get bidder bid), refund: (get amount bid) })
      ;; nothing was trained or judged: the job neither counts as a match nor
      ;; restarts the stake lock
      (map-set datasets (get dataset-id bid) (try! (process-queue (get dataset-id bid) (merge (get dataset closed) {
        matched-jobs: (- (get matched-jobs dataset) u1),
        last-settled-at: (get last-settled-at dataset),
      }))))
      (ok (get amount bid))
    )
  )
)

;; ---------------------------------------------------------------------------
;; Public: verified jobs (delivery and the sealed evaluation set)
;; ---------------------------------------------------------------------------

;; Delivers a verified job's trained model: the sha256 digest of its ONNX bytes
;; (the bytes go to a content store, addressed by the same digest). The provider
;; earns the compute fee at once, less the validators' share (kept in escrow for
;; the committee) and the protocol fee; the bidder may then reveal its evaluation set.
;; Caller: the job's provider, once, from the match until the deadline. Works
;; while paused (it keeps a promise).
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BID_NOT_FOUND, ERR_NOT_VERIFIED_JOB, ERR_NOT_DATASET_PROVIDER,
;;         ERR_JOB_NOT_RUNNING, ERR_ALREADY_DELIVERED, ERR_DELIVERY_CLOSED, ERR_INVALID_DIGEST.
;; Event: model-delivered. Returns the provider's payment.
(define-public (deliver-model (bid-id uint) (model (buff 32)))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (delivery (unwrap! (map-get? job-deliveries bid-id) ERR_NOT_VERIFIED_JOB))
      (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (now burn-block-height)
      (fee (get compute-fee bid))
      (validators-share (/ (* fee (get validator-fee-bps params)) BPS))
      (protocol-fee (/ (* fee (get protocol-fee-bps params)) BPS))
      (payment (- fee validators-share protocol-fee))
      (state (var-get market))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the provider delivers what it trained
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; only a matched, unsettled job is delivered
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; one delivery per job: the digest cannot be swapped once validators may fetch it
    (asserts! (is-none (get model delivery)) ERR_ALREADY_DELIVERED)
    ;; the model is due by the deadline
    (asserts! (<= now (get deadline bid)) ERR_DELIVERY_CLOSED)
    ;; validators fetch the model by its full digest
    (asserts! (is-eq (len model) DIGEST_LENGTH) ERR_INVALID_DIGEST)
    (try! (pay-out payment (get provider dataset)))
    (var-set market (merge state {
      escrowed-bids: (- (get escrowed-bids state) (+ payment protocol-fee)),
      treasury: (+ (get treasury state) protocol-fee),
    }))
    (map-set job-deliveries bid-id (merge delivery { model: (some model), delivered-at: now }))
    (print { event: "model-delivered", bid-id: bid-id, dataset-id: (get dataset-id bid), provider: tx-sender, model: model,
             compute-fee: fee, provider-payment: payment, protocol-fee: protocol-fee })
    (ok payment)
  )
)

;; Reveals a verified job's evaluation set: the digest of its bytes and the salt
;; of the commitment made with the bid (compute-eval-commitment). The commit
;; window of the job's committee opens now, for validation-window blocks.
;; Caller: the job's bidder, after the delivery and until eval-reveal-window
;; blocks after the deadline. Works while paused (it keeps a promise).
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BID_NOT_FOUND, ERR_NOT_VERIFIED_JOB, ERR_NOT_BIDDER,
;;         ERR_JOB_NOT_RUNNING, ERR_NOT_DELIVERED, ERR_EVAL_ALREADY_REVEALED,
;;         ERR_EVAL_REVEAL_CLOSED, ERR_INVALID_DIGEST, ERR_INVALID_SALT, ERR_EVAL_COMMITMENT_MISMATCH.
;; Event: evaluation-revealed. Returns the block at which the commit window closes.
(define-public (reveal-evaluation-set (bid-id uint) (eval-digest (buff 32)) (salt (buff 32)))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (delivery (unwrap! (map-get? job-deliveries bid-id) ERR_NOT_VERIFIED_JOB))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (now burn-block-height)
      (commit-closes-at (+ now (get validation-window params)))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the bidder holds the evaluation set
    (asserts! (is-eq tx-sender (get bidder bid)) ERR_NOT_BIDDER)
    ;; only a matched, unsettled job is revealed to
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; the seal opens only once the model is fixed: nobody trains on the evaluation set
    (asserts! (is-some (get model delivery)) ERR_NOT_DELIVERED)
    ;; revealed once
    (asserts! (is-none (get eval-digest delivery)) ERR_EVAL_ALREADY_REVEALED)
    ;; the bidder cannot stall the provider; counted from the deadline, so an early delivery cannot shorten it
    (asserts! (<= now (+ (get deadline bid) (get eval-reveal-window params))) ERR_EVAL_REVEAL_CLOSED)
    ;; validators fetch the evaluation set by its full digest
    (asserts! (is-eq (len eval-digest) DIGEST_LENGTH) ERR_INVALID_DIGEST)
    ;; a full salt, so the commitment hid the digest
    (asserts! (is-eq (len salt) SALT_LENGTH) ERR_INVALID_SALT)
    ;; the evaluation set is the one sealed with the bid
    (asserts! (is-eq (compute-eval-commitment eval-digest salt) (get eval-commitment delivery)) ERR_EVAL_COMMITMENT_MISMATCH)
    (map-set job-deliveries bid-id (merge delivery { eval-digest: (some eval-digest), eval-revealed-at: now }))
    (print { event: "evaluation-revealed", bid-id: bid-id, bidder: tx-sender, eval-digest: eval-digest,
             commit-closes-at: commit-closes-at })
    (ok commit-closes-at)
  )
)

;; ---------------------------------------------------------------------------
;; Public: validators and validation
;; ---------------------------------------------------------------------------

;; Registers the caller as a validator with a stake and adds it to the active set,
;; with the next registration ordinal: it can sit only on jobs matched after this.
;; Caller: anyone not already a validator.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_VALIDATOR_EXISTS,
;;         ERR_VALIDATOR_STAKE_TOO_LOW, ERR_INSUFFICIENT_FUNDS.
;; Event: validator-registered.
(define-public (register-validator (stake uint))
  (let (
      (state (var-get market))
      ;; the new validator joins the end of the active set
      (index (get active-validator-count state))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new business
    (asserts! (not (get paused state)) ERR_PAUSED)
    ;; one registration per principal
    (asserts! (is-none (map-get? validators tx-sender)) ERR_VALIDATOR_EXISTS)
    ;; vote weight needs stake at risk
    (asserts! (>= stake (get min-validator-stake state)) ERR_VALIDATOR_STAKE_TOO_LOW)
    (try! (deposit stake))
    (let ((ordinal (+ (get validator-registrations state) u1)))
      (var-set market (merge state {
        active-validator-count: (+ index u1),
        validator-registrations: ordinal,
        validator-stakes: (+ (get validator-stakes state) stake),
      }))
      (map-set validator-at index { validator: tx-sender, ordinal: ordinal })
      (map-set validators tx-sender {
        stake: stake,
        active: true,
        index: index,
        open-seats: u0,
        exit-requested-at: u0,
        registered-at: burn-block-height,
        ordinal: ordinal,
        registered-after-proposal: (get last-proposal-id state),
      })
      (print { event: "validator-registered", validator: tx-sender, stake: stake, ordinal: ordinal })
      (ok true)
    )
  )
)

;; Starts a validator's exit: it leaves the active set at once and gets no new
;; seats; it still serves the seats it holds, and may withdraw once they are
;; settled and the unbonding window is over. Always succeeds for an active
;; validator, so nobody can keep a validator in the market by seating it.
;; Caller: an active validator. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_VALIDATOR_NOT_FOUND, ERR_VALIDATOR_EXITING.
;; Event: validator-exit-requested. Returns the first block at which it may withdraw.
(define-public (request-validator-exit)
  (let (
      (validator (unwrap! (map-get? validators tx-sender) ERR_VALIDATOR_NOT_FOUND))
      (state (var-get market))
      (unbonded-at (+ burn-block-height (get validator-unbonding-blocks (parameters-at (get parameter-version state)))))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; an exit is requested once
    (asserts! (get active validator) ERR_VALIDATOR_EXITING)
    (remove-from-set (get index validator) state)
    (map-set validators tx-sender (merge validator { active: false, exit-requested-at: burn-block-height }))
    (print { event: "validator-exit-requested", validator: tx-sender, unbonded-at: unbonded-at, open-seats: (get open-seats validator) })
    (ok unbonded-at)
  )
)

;; Returns an exiting validator's stake once unbonded and off every committee
;; (its seats settle by their jobs' ends at the latest).
;; Caller: the exiting validator. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_VALIDATOR_NOT_FOUND, ERR_VALIDATOR_NOT_EXITING,
;;         ERR_UNBONDING_NOT_OVER, ERR_VALIDATOR_SEATED, ERR_VOTE_LOCKED.
;; Event: validator-withdrawn. Returns the amount paid out.
(define-public (withdraw-validator-stake)
  (let (
      (validator (unwrap! (map-get? validators tx-sender) ERR_VALIDATOR_NOT_FOUND))
      (stake (get stake validator))
      (state (var-get market))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; exit must be requested first
    (asserts! (not (get active validator)) ERR_VALIDATOR_NOT_EXITING)
    ;; the stake unbonds over a window
    (asserts! (>= burn-block-height (+ (get exit-requested-at validator) (get validator-unbonding-blocks (parameters-at (get parameter-version state)))))
              ERR_UNBONDING_NOT_OVER)
    ;; a seated validator's stake answers for its votes until their jobs settle
    (asserts! (is-eq (get open-seats validator) u0) ERR_VALIDATOR_SEATED)
    ;; a stake that voted in governance stays until that proposal can be executed
    (asserts! (not (vote-locked tx-sender)) ERR_VOTE_LOCKED)
    (try! (pay-out stake tx-sender))
    (var-set market (merge state { validator-stakes: (- (get validator-stakes state) stake) }))
    (map-delete validators tx-sender)
    (print { event: "validator-withdrawn", validator: tx-sender, amount: stake })
    (ok stake)
  )
)

;; Draws a matched job's committee: at once in a market where every active
;; validator fits, otherwise once the Stacks block after the match and the
;; Bitcoin block after its decline window exist (committee-seed). Validation
;; calls draw it too; this lets anyone do it first.
;; Caller: anyone.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_BID_NOT_FOUND, ERR_JOB_NOT_RUNNING,
;;         ERR_COMMITTEE_DRAWN, ERR_VALIDATION_CLOSED, ERR_SEED_NOT_READY,
;;         ERR_NO_ELIGIBLE_VALIDATORS.
;; Event: committee-drawn. Returns the seats.
(define-public (draw-committee (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new validation work
    (asserts! (not (get paused (var-get market))) ERR_PAUSED)
    ;; only a matched, unsettled job gets a committee
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; a committee is drawn once
    (asserts! (is-none (map-get? committees bid-id)) ERR_COMMITTEE_DRAWN)
    ;; after the commit phase a new committee could not vote
    (asserts! (<= burn-block-height (get commit-closes-at (job-timeline bid-id bid params))) ERR_VALIDATION_CLOSED)
    (ok (get seats (try! (new-committee bid-id bid (get provider dataset) (get committee-size params) (get decline-window params)))))
  )
)

;; Commits a committee member's hidden score: commitment = sha256 of the
;; consensus serialization of {score, salt, bid-id, validator} (see
;; compute-commitment). The validator's principal inside the hash means a copied
;; commitment never verifies for anyone else.
;; Caller: a member of the job's committee, during the commit phase (until
;; deadline + validation-window; for a verified job, validation-window blocks
;; from the reveal of its evaluation set, and not before).
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_BID_NOT_FOUND, ERR_VALIDATOR_NOT_FOUND,
;;         ERR_JOB_NOT_RUNNING, ERR_EVALUATION_NOT_REVEALED, ERR_VALIDATION_CLOSED, ERR_PARTY_CANNOT_VALIDATE,
;;         ERR_SEED_NOT_READY, ERR_NO_ELIGIBLE_VALIDATORS, ERR_NOT_ON_COMMITTEE, ERR_ALREADY_VOTED.
;; Event: validation-committed (and committee-drawn when this call draws it).
(define-public (commit-validation-result (bid-id uint) (commitment (buff 32)))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
    )
    ;; a vote needs a validator's stake behind it
    (asserts! (is-some (map-get? validators tx-sender)) ERR_VALIDATOR_NOT_FOUND)
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new votes
    (asserts! (not (get paused (var-get market))) ERR_PAUSED)
    ;; only a matched, unsettled job is validated
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    (let ((timeline (job-timeline bid-id bid params)))
      ;; a verified job is judged on its evaluation set: nothing votes before it is revealed
      (asserts! (get open timeline) ERR_EVALUATION_NOT_REVEALED)
      ;; commits close with the commit phase
      (asserts! (<= burn-block-height (get commit-closes-at timeline)) ERR_VALIDATION_CLOSED))
    ;; the parties never judge their own job
    (asserts! (not (or (is-eq tx-sender (get provider dataset)) (is-eq tx-sender (get bidder bid)))) ERR_PARTY_CANNOT_VALIDATE)
    (let (
        (committee (try! (ensure-committee bid-id bid (get provider dataset) (get committee-size params) (get decline-window params))))
        (seat (index-of? (get seats committee) tx-sender))
      )
      ;; only the job's committee votes
      (asserts! (is-some seat) ERR_NOT_ON_COMMITTEE)
      ;; one vote per seat
      (asserts! (is-none (map-get? votes { bid-id: bid-id, validator: tx-sender })) ERR_ALREADY_VOTED)
      (map-set votes { bid-id: bid-id, validator: tx-sender } {
        commitment: commitment,
        score: u0,
        weight: (seat-weight committee seat),
        revealed: false,
        claimed: false,
      })
      (map-set committees bid-id (merge committee { commits: (+ (get commits committee) u1) }))
      (print { event: "validation-committed", bid-id: bid-id, validator: tx-sender, commitment: commitment })
      (ok true)
    )
  )
)

;; Reveals a committed score. The reveal phase opens when every seat has
;; committed or the commit phase ends, and closes reveal-window blocks after the
;; commit phase. The last seat's reveal finalizes the job.
;; Caller: a committee member that committed. Works while paused, so a pause
;; never turns an honest vote into a penalized silence.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BID_NOT_FOUND, ERR_NOT_COMMITTED, ERR_JOB_NOT_RUNNING,
;;         ERR_ALREADY_REVEALED, ERR_REVEAL_NOT_OPEN, ERR_REVEAL_CLOSED, ERR_INVALID_SCORE,
;;         ERR_INVALID_SALT, ERR_COMMITMENT_MISMATCH.
;; Event: validation-revealed, then job-finalized on the last reveal.
;; Returns true when this reveal finalized the job.
(define-public (reveal-validation-result (bid-id uint) (score uint) (salt (buff 32)))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (committee (unwrap! (map-get? committees bid-id) ERR_NOT_COMMITTED))
      (vote (unwrap! (map-get? votes { bid-id: bid-id, validator: tx-sender }) ERR_NOT_COMMITTED))
      (timeline (job-timeline bid-id bid params))
      (commit-closes-at (get commit-closes-at timeline))
      (seat-count (len (get seats committee)))
      (updated (merge committee {
        reveals: (+ (get reveals committee) u1),
        revealed-weight: (+ (get revealed-weight committee) (get weight vote)),
        revealed: (default-to (get revealed committee)
                    (as-max-len? (append (get revealed committee) { score: score, weight: (get weight vote) }) u10)),
      }))
      (finalizes (is-eq (get reveals updated) seat-count))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only a matched, unsettled job is validated
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; one reveal per vote
    (asserts! (not (get revealed vote)) ERR_ALREADY_REVEALED)
    ;; no score is public while a seat could still copy it into a commit
    (asserts! (or (is-eq (get commits committee) seat-count) (> burn-block-height commit-closes-at)) ERR_REVEAL_NOT_OPEN)
    ;; reveals close with the reveal window
    (asserts! (<= burn-block-height (get reveal-closes-at timeline)) ERR_REVEAL_CLOSED)
    ;; scores are percentages; a verified job's may also be "evaluation set unavailable"
    (asserts! (or (<= score MAX_SCORE) (and (get verified bid) (is-eq score SCORE_UNAVAILABLE))) ERR_INVALID_SCORE)
    ;; a short salt would let anyone try the 101 scores against a commitment
    (asserts! (is-eq (len salt) SALT_LENGTH) ERR_INVALID_SALT)
    ;; the reveal must open the commitment, which binds the validator's principal
    (asserts! (is-eq (compute-commitment score salt bid-id tx-sender) (get commitment vote)) ERR_COMMITMENT_MISMATCH)
    (map-set votes { bid-id: bid-id, validator: tx-sender } (merge vote { score: score, revealed: true }))
    (map-set committees bid-id updated)
    (print { event: "validation-revealed", bid-id: bid-id, validator: tx-sender, score: score, weight: (get weight vote) })
    (if finalizes (begin (try! (finalize-job bid-id bid updated)) true) false)
    (ok finalizes)
  )
)

;; The direct path for a one-member committee: the member scores the job in one
;; call (0-100, or SCORE_UNAVAILABLE on a verified job), which finalizes it at
;; once: payment, refund and slash happen in this transaction. Larger committees
;; must commit and reveal.
;; Caller: the single member of the job's committee, in the commit phase (a
;; verified job's opens when its evaluation set is revealed).
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_INVALID_SCORE, ERR_BID_NOT_FOUND,
;;         ERR_VALIDATOR_NOT_FOUND, ERR_BID_DATASET_MISMATCH, ERR_JOB_NOT_RUNNING,
;;         ERR_EVALUATION_NOT_REVEALED, ERR_VALIDATION_CLOSED, ERR_PARTY_CANNOT_VALIDATE, ERR_SEED_NOT_READY,
;;         ERR_NO_ELIGIBLE_VALIDATORS, ERR_NOT_ON_COMMITTEE, ERR_COMMIT_REQUIRED, ERR_ALREADY_VOTED.
;; Event: validation-submitted, then job-finalized. Returns true (the job finalized).
(define-public (submit-validation-result (dataset-id uint) (bid-id uint) (score uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
    )
    ;; a vote needs a validator's stake behind it
    (asserts! (is-some (map-get? validators tx-sender)) ERR_VALIDATOR_NOT_FOUND)
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new votes
    (asserts! (not (get paused (var-get market))) ERR_PAUSED)
    ;; scores are percentages; a verified job's may also be "evaluation set unavailable"
    (asserts! (or (<= score MAX_SCORE) (and (get verified bid) (is-eq score SCORE_UNAVAILABLE))) ERR_INVALID_SCORE)
    ;; the job named must belong to the dataset named
    (asserts! (is-eq (get dataset-id bid) dataset-id) ERR_BID_DATASET_MISMATCH)
    ;; only a matched, unsettled job is validated
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    (let ((timeline (job-timeline bid-id bid params)))
      ;; a verified job is judged on its evaluation set: nothing votes before it is revealed
      (asserts! (get open timeline) ERR_EVALUATION_NOT_REVEALED)
      ;; votes close with the commit phase
      (asserts! (<= burn-block-height (get commit-closes-at timeline)) ERR_VALIDATION_CLOSED))
    ;; the parties never judge their own job
    (asserts! (not (or (is-eq tx-sender (get provider dataset)) (is-eq tx-sender (get bidder bid)))) ERR_PARTY_CANNOT_VALIDATE)
    (let (
        (committee (try! (ensure-committee bid-id bid (get provider dataset) (get committee-size params) (get decline-window params))))
        (seat (index-of? (get seats committee) tx-sender))
        (weight (seat-weight committee seat))
      )
      ;; only the job's committee votes
      (asserts! (is-some seat) ERR_NOT_ON_COMMITTEE)
      ;; a score in the clear is safe only when nobody else votes
      (asserts! (is-eq (len (get seats committee)) u1) ERR_COMMIT_REQUIRED)
      ;; one vote per seat
      (asserts! (is-none (map-get? votes { bid-id: bid-id, validator: tx-sender })) ERR_ALREADY_VOTED)
      (map-set votes { bid-id: bid-id, validator: tx-sender } {
        commitment: (compute-commitment score 0x bid-id tx-sender),
        score: score,
        weight: weight,
        revealed: true,
        claimed: false,
      })
      (let ((decided (merge committee {
          commits: u1,
          reveals: u1,
          revealed-weight: weight,
          revealed: (list { score: score, weight: weight }),
        })))
        (map-set committees bid-id decided)
        (print { event: "validation-submitted", bid-id: bid-id, dataset-id: dataset-id, validator: tx-sender, score: score, weight: weight })
        (try! (finalize-job bid-id bid decided))
        (ok true)
      )
    )
  )
)

;; Settles a job after its reveal window: with at least min-reveals revealed
;; votes it is finalized by their stake-weighted median; with fewer (or no
;; committee) the bidder is refunded in full, without a slash, and silent seats
;; are penalized. A verified job not delivered by its deadline (once its decline
;; window has closed too) fails at once (refund, dataset slashed); one whose bidder did not reveal its evaluation set
;; in time settles as a bidder default (the provider is paid).
;; Caller: anyone. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BID_NOT_FOUND, ERR_JOB_NOT_RUNNING, ERR_NOT_READY_TO_FINALIZE.
;; Event: job-finalized, bid-expired or delivery-missed. Returns the outcome (u1
;; rewarded, u2 partial, u3 slashed, u4 refunded for lack of reveals, u5 refunded
;; because the median would slash without a majority of the committee's weight,
;; u6 model not delivered, u7 bidder default).
(define-public (finalize-validation (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (committee (map-get? committees bid-id))
      (stage (get stage (job-timeline bid-id bid params)))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only a matched, unsettled job is finalized
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; until the job is due to end, the last reveal is what finalizes
    (asserts! (not (is-eq stage STAGE_RUNNING)) ERR_NOT_READY_TO_FINALIZE)
    (if (is-eq stage STAGE_MISSED)
      (begin (try! (miss-delivery bid-id bid params)) (ok OUTCOME_NOT_DELIVERED))
      (if (is-eq stage STAGE_DEFAULTED)
        (bidder-default bid-id bid params)
        (match committee
          drawn (if (>= (get reveals drawn) (min-reveals (len (get seats drawn)) (get min-reveals-bps params)))
            (finalize-job bid-id bid drawn)
            (begin (try! (fail-job bid-id bid)) (ok OUTCOME_NO_QUORUM)))
          (begin (try! (fail-job bid-id bid)) (ok OUTCOME_NO_QUORUM)))))
  )
)

;; ---------------------------------------------------------------------------
;; Public: rewards
;; ---------------------------------------------------------------------------

;; Pays a coherent validator its seat-weighted share of a finalized job's
;; reward pool (validator fees plus the outliers' penalties).
;; An outlier or a seat that never revealed gets (ok u0) and is marked claimed.
;; Caller: a committee member that voted on the job. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BID_NOT_FOUND, ERR_JOB_NOT_FINALIZED,
;;         ERR_NOT_JOB_VALIDATOR, ERR_ALREADY_CLAIMED.
;; Event: validation-reward-claimed. Returns the amount paid.
(define-public (claim-validation-reward (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (result (unwrap! (map-get? job-results bid-id) ERR_JOB_NOT_FINALIZED))
      (vote (unwrap! (map-get? votes { bid-id: bid-id, validator: tx-sender }) ERR_NOT_JOB_VALIDATOR))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (weight (get weight vote))
      (coherent (and (get revealed vote) (coherent-score (get score vote) (get final-score result) (get consensus-tolerance params))))
      (pool (get reward-pool result))
      (pool-weight (get reward-weight result))
      (reward (if coherent
        ;; the last coherent claimant takes the remainder, so no dust is left behind
        (if (>= weight pool-weight) pool (/ (* pool weight) pool-weight))
        u0))
      (state (var-get market))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a share is paid once
    (asserts! (not (get claimed vote)) ERR_ALREADY_CLAIMED)
    (try! (pay-out reward tx-sender))
    (var-set market (merge state { unclaimed-rewards: (- (get unclaimed-rewards state) reward) }))
    (map-set votes { bid-id: bid-id, validator: tx-sender } (merge vote { claimed: true }))
    (if coherent
      (map-set job-results bid-id (merge result { reward-pool: (- pool reward), reward-weight: (- pool-weight weight) }))
      true)
    (print { event: "validation-reward-claimed", bid-id: bid-id, validator: tx-sender, amount: reward, coherent: coherent })
    (ok reward)
  )
)

;; ---------------------------------------------------------------------------
;; Public: governance
;; ---------------------------------------------------------------------------

;; Proposes a new value for one market parameter. The value is checked against
;; the parameter's hard bounds at once.
;; Caller: a principal whose dataset plus validator stake reaches proposal-threshold.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BELOW_PROPOSAL_THRESHOLD, ERR_UNKNOWN_PARAMETER,
;;         ERR_VALUE_OUT_OF_RANGE, ERR_THRESHOLDS_CROSSED, ERR_WINDOWS_CROSSED,
;;         ERR_FEES_TOO_HIGH.
;; Event: proposal-created. Returns the proposal id.
(define-public (propose-parameter-change (parameter (string-ascii 32)) (value uint))
  (let (
      (state (var-get market))
      (params (parameters-at (get parameter-version state)))
      (proposal-id (+ (get last-proposal-id state) u1))
      (voting-ends-at (+ burn-block-height (get voting-period params)))
      (executable-at (+ voting-ends-at (get execution-delay params) u1))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; proposals need stake behind them
    (asserts! (>= (voting-power tx-sender) (get proposal-threshold params)) ERR_BELOW_PROPOSAL_THRESHOLD)
    ;; a proposal that could never be applied is refused at once
    (try! (check-parameter-change parameter value params))
    (var-set market (merge state {
      last-proposal-id: proposal-id,
      votes-open-until: (max-of (get votes-open-until state) voting-ends-at),
    }))
    (map-set proposals proposal-id {
      proposer: tx-sender,
      parameter: parameter,
      value: value,
      base-version: (get parameter-version state),
      created-at: burn-block-height,
      voting-ends-at: voting-ends-at,
      executable-at: executable-at,
      expires-at: (+ executable-at PROPOSAL_EXECUTION_WINDOW),
      quorum-bps: (get governance-quorum-bps params),
      total-stake: (+ (get dataset-stakes state) (get validator-stakes state)),
      yes-votes: u0,
      no-votes: u0,
      executed: false,
    })
    (print { event: "proposal-created", proposal-id: proposal-id, proposer: tx-sender, parameter: parameter, value: value,
             voting-ends-at: voting-ends-at, executable-at: executable-at })
    (ok proposal-id)
  )
)

;; Votes for or against a proposal with the stake the caller held before the
;; proposal was made (dataset stakes plus validator stake, less anything added
;; since: stake deposited to swing a vote counts for nothing on it); those stakes
;; cannot be withdrawn until the proposal can be executed.
;; Caller: any principal with such stake, once per proposal, during the voting period.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PROPOSAL_NOT_FOUND, ERR_VOTING_CLOSED,
;;         ERR_ALREADY_VOTED_ON_PROPOSAL, ERR_NO_VOTING_POWER.
;; Event: proposal-voted. Returns the vote's weight.
(define-public (vote-on-proposal (proposal-id uint) (support bool))
  (let (
      (proposal (unwrap! (map-get? proposals proposal-id) ERR_PROPOSAL_NOT_FOUND))
      (weight (voting-power-on tx-sender proposal-id))
      (voting-ends-at (get voting-ends-at proposal))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; votes close with the voting period
    (asserts! (<= burn-block-height voting-ends-at) ERR_VOTING_CLOSED)
    ;; one vote per principal per proposal
    (asserts! (is-none (map-get? proposal-votes { proposal-id: proposal-id, voter: tx-sender })) ERR_ALREADY_VOTED_ON_PROPOSAL)
    ;; the weight is stake held before the proposal
    (asserts! (> weight u0) ERR_NO_VOTING_POWER)
    (map-set proposal-votes { proposal-id: proposal-id, voter: tx-sender } { support: support, weight: weight })
    (map-set proposals proposal-id (merge proposal (if support
      { yes-votes: (+ (get yes-votes proposal) weight), no-votes: (get no-votes proposal) }
      { yes-votes: (get yes-votes proposal), no-votes: (+ (get no-votes proposal) weight) })))
    (map-set vote-locks tx-sender (max-of (default-to u0 (map-get? vote-locks tx-sender)) (get executable-at proposal)))
    (print { event: "proposal-voted", proposal-id: proposal-id, voter: tx-sender, support: support, weight: weight })
    (ok weight)
  )
)

;; Applies a passed proposal as a new parameter version; jobs already placed keep
;; the version they were placed under. Passes when yes > no and the turnout
;; reaches the proposal's quorum of all stake at execution (at most the stake
;; when it was proposed: parking stake before execution cannot block it).
;; A proposal whose parameter another proposal changed after it was made
;; cannot execute: it would silently undo the newer decision.
;; Caller: anyone, after the voting period plus the execution delay, before expiry.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PROPOSAL_NOT_FOUND, ERR_PROPOSAL_EXECUTED,
;;         ERR_VOTING_NOT_OVER, ERR_PROPOSAL_EXPIRED, ERR_QUORUM_NOT_MET, ERR_PROPOSAL_REJECTED,
;;         ERR_PARAMETER_CHANGED, ERR_UNKNOWN_PARAMETER, ERR_VALUE_OUT_OF_RANGE,
;;         ERR_THRESHOLDS_CROSSED, ERR_WINDOWS_CROSSED,
;;         ERR_FEES_TOO_HIGH.
;; Event: parameter-changed. Returns the new parameter version.
(define-public (execute-proposal (proposal-id uint))
  (let (
      (proposal (unwrap! (map-get? proposals proposal-id) ERR_PROPOSAL_NOT_FOUND))
      (state (var-get market))
      (params (parameters-at (get parameter-version state)))
      (total-stake (min-of (get total-stake proposal) (+ (get dataset-stakes state) (get validator-stakes state))))
      (yes-votes (get yes-votes proposal))
      (no-votes (get no-votes proposal))
      (version (+ (get version params) u1))
      (updated (merge (with-parameter params (get parameter proposal) (get value proposal)) { version: version }))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a proposal is applied once
    (asserts! (not (get executed proposal)) ERR_PROPOSAL_EXECUTED)
    ;; votes are counted, and objections heard, before anything changes
    (asserts! (>= burn-block-height (get executable-at proposal)) ERR_VOTING_NOT_OVER)
    ;; a stale proposal cannot be revived
    (asserts! (< burn-block-height (get expires-at proposal)) ERR_PROPOSAL_EXPIRED)
    ;; enough of all stake took part
    (asserts! (>= (* (+ yes-votes no-votes) BPS) (* total-stake (get quorum-bps proposal))) ERR_QUORUM_NOT_MET)
    ;; a strict majority of the weight voted yes
    (asserts! (> yes-votes no-votes) ERR_PROPOSAL_REJECTED)
    ;; a newer decision on the same parameter stands
    (asserts! (<= (default-to u0 (map-get? parameter-changed-in (get parameter proposal))) (get base-version proposal))
              ERR_PARAMETER_CHANGED)
    ;; other changes since the proposal must not have made it inconsistent
    (try! (check-parameter-change (get parameter proposal) (get value proposal) params))
    (var-set market (merge state {
      parameter-version: version,
      min-dataset-stake: (get min-dataset-stake updated),
      min-validator-stake: (get min-validator-stake updated),
      min-bid-amount: (get min-bid-amount updated),
      max-computation-duration: (get max-computation-duration updated),
      max-bid-wait: (get max-bid-wait updated),
      committee-size: (get committee-size updated),
    }))
    (map-set parameter-history version updated)
    (map-set parameter-changed-in (get parameter proposal) version)
    (map-set proposals proposal-id (merge proposal { executed: true }))
    (print { event: "parameter-changed", proposal-id: proposal-id, parameter: (get parameter proposal),
             value: (get value proposal), version: version })
    (ok version)
  )
)

;; ---------------------------------------------------------------------------
;; Public: administration
;; ---------------------------------------------------------------------------

;; Pauses or resumes new business (datasets, bids, validator registrations,
;; votes, matching). Exits (cancel, expire, withdraw, claim) always work.
;; Caller: the contract owner.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_NOT_AUTHORIZED.
;; Event: paused-set.
(define-public (set-paused (pause bool))
  (let (
      (state (var-get market))
      (now burn-block-height)
      (pauses (get pauses state))
      (starting (and pause (not (get paused state))))
      (ending (and (not pause) (get paused state)))
      (started-at (default-to now (get started-at (map-get? pause-log pauses))))
      ;; a pause undone in the Bitcoin block it began kept nobody from committing
      (erased (and ending (is-eq started-at now)))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the owner pauses
    (asserts! (is-eq tx-sender CONTRACT_OWNER) ERR_NOT_AUTHORIZED)
    ;; each pause that lasts is logged: seats whose commit window it overlapped are
    ;; excused from silence penalties, and no others; one erased leaves no trace
    (if starting
      (map-set pause-log (+ pauses u1) { started-at: now, ended-at: u0 })
      (if erased
        (map-delete pause-log pauses)
        (if ending (map-set pause-log pauses { started-at: started-at, ended-at: now }) true)))
    (var-set market (merge state {
      paused: pause,
      pauses: (if starting (+ pauses u1) (if erased (- pauses u1) pauses)),
    }))
    (print { event: "paused-set", paused: pause, owner: tx-sender })
    (ok true)
  )
)

;; Sends treasury funds (slashes, protocol fees, outliers' shares) to a recipient.
;; Caller: the contract owner.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_NOT_AUTHORIZED, ERR_ZERO_AMOUNT, ERR_INSUFFICIENT_TREASURY,
;;         ERR_INVALID_RECIPIENT.
;; Event: treasury-withdrawn.
(define-public (withdraw-treasury (amount uint) (recipient principal))
  (let ((state (var-get market)))
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the owner spends the treasury
    (asserts! (is-eq tx-sender CONTRACT_OWNER) ERR_NOT_AUTHORIZED)
    ;; a withdrawal must move STX
    (asserts! (> amount u0) ERR_ZERO_AMOUNT)
    ;; never more than the treasury holds: stakes, escrow and rewards are not the owner's
    (asserts! (<= amount (get treasury state)) ERR_INSUFFICIENT_TREASURY)
    ;; paying the contract itself would move nothing out of the treasury
    (asserts! (not (is-eq recipient current-contract)) ERR_INVALID_RECIPIENT)
    (try! (pay-out amount recipient))
    (var-set market (merge state { treasury: (- (get treasury state) amount) }))
    (print { event: "treasury-withdrawn", amount: amount, recipient: recipient })
    (ok amount)
  )
)

;; Books STX sent to the contract outside its functions (a plain transfer) into
;; the treasury, so the balance equals the tracked buckets again and the STX can
;; leave through withdraw-treasury. No contract call ever creates surplus.
;; Caller: the contract owner.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_NOT_AUTHORIZED, ERR_ZERO_AMOUNT (no surplus).
;; Event: surplus-swept. Returns the amount booked.
(define-public (sweep-surplus)
  (let (
      (state (var-get market))
      (surplus (untracked-balance))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the owner books the surplus
    (asserts! (is-eq tx-sender CONTRACT_OWNER) ERR_NOT_AUTHORIZED)
    ;; there must be something to book
    (asserts! (> surplus u0) ERR_ZERO_AMOUNT)
    (var-set market (merge state { treasury: (+ (get treasury state) surplus) }))
    (print { event: "surplus-swept", amount: surplus, owner: tx-sender })
    (ok surplus)
  )
)

;; ---------------------------------------------------------------------------
;; Read-only views
;; ---------------------------------------------------------------------------

;; A dataset with its quality score: the running mean of its final scores.
(define-read-only (get-dataset (dataset-id uint))
  (match (map-get? datasets dataset-id)
    dataset (some (merge dataset {
      quality-score: (if (> (get validations dataset) u0) (/ (get score-sum dataset) (get validations dataset)) u0),
    }))
    none
  )
)

(define-read-only (get-bid (bid-id uint))
  (map-get? bids bid-id)
)

(define-read-only (get-validator (who principal))
  (map-get? validators who)
)

;; The active validator at an index of the set (0-based, below get-active-validator-count).
(define-read-only (get-validator-at (index uint))
  (get validator (map-get? validator-at index))
)

(define-read-only (get-vote (bid-id uint) (validator principal))
  (map-get? votes { bid-id: bid-id, validator: validator })
)

(define-read-only (get-committee (bid-id uint))
  (map-get? committees bid-id)
)

;; The seed a job's committee is drawn from in a market larger than the committee
;; (none until the blocks it comes from exist, or for a bid never matched).
(define-read-only (get-committee-seed (bid-id uint))
  (match (map-get? bids bid-id)
    bid (if (is-eq (get status bid) STATUS_QUEUED)
          none
          (committee-seed (get matched-block bid)
                          (+ (get matched-at bid) (get decline-window (parameters-at (get parameter-version bid))))))
    none
  )
)

;; The commitment a validator submits: sha256 of the consensus serialization of
;; {score, salt, bid-id, validator}. Clients hash exactly this way.
(define-read-only (compute-commitment (score uint) (salt (buff 32)) (bid-id uint) (validator principal))
  (sha256 (default-to 0x (to-consensus-buff? { score: score, salt: salt, bid-id: bid-id, validator: validator })))
)

;; A verified job's artifacts: the spec and evaluation-set commitments from its
;; bid, the delivered model's digest and the revealed evaluation set's digest.
(define-read-only (get-job-delivery (bid-id uint))
  (map-get? job-deliveries bid-id)
)

;; The compute fee a verified bid of `duration` blocks placed now on the dataset
;; would carry: its ask times the duration, a raise younger than
;; PRICE_NOTICE_BLOCKS not counted. none for an unknown dataset or a duration
;; no bid may have (beyond max-computation-duration).
(define-read-only (get-compute-fee (dataset-id uint) (duration uint))
  (match (map-get? datasets dataset-id)
    dataset (if (<= duration (get max-computation-duration (var-get market)))
              (some (* (fee-price dataset-id (get price-per-block dataset) burn-block-height) duration))
              none)
    none)
)

;; The commitment to a sealed evaluation set a verified bid carries:
;; sha256(eval-digest ++ salt). Clients check theirs against it before bidding.
(define-read-only (compute-eval-commitment (eval-digest (buff 32)) (salt (buff 32)))
  (sha256 (concat eval-digest salt))
)

;; A bidder's verified jobs: those scored, their mean final score, and its
;; defaults (evaluation sets not revealed, or found unavailable).
(define-read-only (get-bidder-history (bidder principal))
  (let ((history (default-to { jobs: u0, score-sum: u0, defaults: u0 } (map-get? bidder-history bidder))))
    (merge history { mean-score: (if (> (get jobs history) u0) (/ (get score-sum history) (get jobs history)) u0) })
  )
)

;; The phases of a matched job's validation, in Bitcoin blocks (a verified job
;; whose evaluation set is not revealed yet: the latest they can close).
(define-read-only (get-validation-windows (bid-id uint))
  (match (map-get? bids bid-id)
    bid (match (map-get? parameter-history (get parameter-version bid))
      params (let ((timeline (job-timeline bid-id bid params)))
        (some {
          commit-closes-at: (get commit-closes-at timeline),
          reveal-closes-at: (get reveal-closes-at timeline),
          committee-size: (get committee-size params),
          min-reveals: (match (map-get? committees bid-id)
            committee (min-reveals (len (get seats committee)) (get min-reveals-bps params))
            u0),
        }))
      none)
    none
  )
)

(define-read-only (get-job-result (bid-id uint))
  (map-get? job-results bid-id)
)

(define-read-only (get-queue-link (bid-id uint))
  (map-get? queue-links bid-id)
)

(define-read-only (get-parameters)
  (parameters-at (get parameter-version (var-get market)))
)

(define-read-only (get-parameters-at (version uint))
  (map-get? parameter-history version)
)

(define-read-only (get-proposal (proposal-id uint))
  (map-get? proposals proposal-id)
)

(define-read-only (get-vote-record (proposal-id uint) (voter principal))
  (map-get? proposal-votes { proposal-id: proposal-id, voter: voter })
)

;; A principal's governance weight now: its dataset stakes plus its validator stake.
(define-read-only (get-voting-power (who principal))
  (voting-power who)
)

;; The weight a principal's vote on a proposal still open would carry: the stake
;; it held before the proposal was made (0 for an unknown proposal).
(define-read-only (get-proposal-voting-power (proposal-id uint) (who principal))
  (if (is-some (map-get? proposals proposal-id)) (voting-power-on who proposal-id) u0)
)

;; A pause by number (1 = the first): when it started and ended (0 while it lasts).
(define-read-only (get-pause (pause-number uint))
  (map-get? pause-log pause-number)
)

;; The last block a principal's governance votes hold its stakes for (the latest
;; executable-at of the proposals it voted on).
(define-read-only (get-vote-lock (who principal))
  (default-to u0 (map-get? vote-locks who))
)

(define-read-only (get-parameter-bounds (parameter (string-ascii 32)))
  (map-get? parameter-bounds parameter)
)

;; The solvency buckets: the contract's balance equals their sum plus surplus,
;; STX sent outside the contract's functions (sweep-surplus books it).
(define-read-only (get-market-totals)
  (let ((state (var-get market)))
    {
      dataset-stakes: (get dataset-stakes state),
      validator-stakes: (get validator-stakes state),
      escrowed-bids: (get escrowed-bids state),
      unclaimed-rewards: (get unclaimed-rewards state),
      treasury: (get treasury state),
      surplus: (untracked-balance),
    }
  )
)

(define-read-only (get-contract-balance)
  (stx-get-balance current-contract)
)

(define-read-only (get-active-validator-count)
  (get active-validator-count (var-get market))
)

(define-read-only (get-last-ids)
  (let ((state (var-get market)))
    { dataset-id: (get last-dataset-id state), bid-id: (get last-bid-id state), proposal-id: (get last-proposal-id state) }
  )
)

(define-read-only (is-paused)
  (get paused (var-get market))
)

(define-read-only (get-contract-owner)
  CONTRACT_OWNER
)
