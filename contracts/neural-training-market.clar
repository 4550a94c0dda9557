;; neural-training-market: staked datasets, escrowed training bids, a random staked committee
;; scores each model (commit-reveal, weighted median); pay, refund, slash by score. Bitcoin-block time.
;; Contents: constants, errors; parameters; data; private helpers, votes and claims; public:
;; datasets, bids, verified jobs, validation, rewards, governance, administration; read-only.

;; --- Constants and error codes ---

(define-constant CONTRACT_OWNER tx-sender)

(define-constant BPS u10000)
(define-constant MAX_SCORE u100)
;; Vote "eval set unfetchable" (verified jobs); a median of it is a bidder default.
(define-constant SCORE_UNAVAILABLE u101)
(define-constant MAX_COMMITTEE_SIZE u10)
(define-constant SEAT_NUMBERS (list u0 u1 u2 u3 u4 u5 u6 u7 u8 u9))
;; Probes per seat: past 9 taken seats and 2 parties. Indices emptied by exits or held by
;; later registrants use probes too, so a seat can stay empty.
(define-constant PROBE_OFFSETS (list u0 u1 u2 u3 u4 u5 u6 u7 u8 u9 u10 u11))
(define-constant MAX_CONCURRENT_JOBS u1000)
;; 1M STX per block: above any real ask; price * duration cannot overflow.
(define-constant MAX_PRICE_PER_BLOCK u1000000000000)
;; Blocks (~a week) a passed proposal stays executable after its delay.
(define-constant PROPOSAL_EXECUTION_WINDOW u1008)
;; Queue heads matched or skipped per call: bounded work.
(define-constant QUEUE_STEPS (list u1 u2 u3 u4 u5))
;; Characters RFC 3986 allows in a URI.
(define-constant URI_CHARACTERS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")
;; A shorter salt would let the 101 scores be tried against a commitment.
(define-constant SALT_LENGTH u32)
;; Artifacts are named by 32-byte sha256 digests.
(define-constant DIGEST_LENGTH u32)
;; A raise binds verified bids' fees only this many blocks later: no raising ahead of a seen bid.
(define-constant PRICE_NOTICE_BLOCKS u6)

(define-constant STATUS_QUEUED u1)
(define-constant STATUS_MATCHED u2)
(define-constant STATUS_SETTLED u3)
(define-constant STATUS_CANCELLED u4)
(define-constant STATUS_EXPIRED u5)

;; Seat states; SEAT_CLAIMED is added on claim.
(define-constant SEAT_DRAWN u0)
(define-constant SEAT_COMMITTED u1)
(define-constant SEAT_REVEALED u2)
(define-constant SEAT_CLAIMED u10)
;; What a job that never seated a committee settles with.
(define-constant NO_COMMITTEE {
  seats: (list), weights: (list), total-weight: u0, commits: u0, reveals: u0, revealed-weight: u0, revealed: (list),
  commitments: (list), scores: (list), seat-states: (list), running: false, verified: false, open: false,
  commit-closes-at: u0, reveal-closes-at: u0, scored: false, final-score: u0, tolerance: u0, reward-pool: u0, reward-weight: u0,
})

;; job-timeline stages: how a matched job is due to end.
(define-constant STAGE_RUNNING u0)
(define-constant STAGE_MISSED u1)
(define-constant STAGE_DEFAULTED u2)
(define-constant STAGE_ENDED u3)

(define-constant OUTCOME_REWARDED u1)
(define-constant OUTCOME_PARTIAL u2)
(define-constant OUTCOME_SLASHED u3)
;; refund: too few reveals
(define-constant OUTCOME_NO_QUORUM u4)
;; refund: median below the slash threshold without a stake majority there
(define-constant OUTCOME_NO_MAJORITY u5)
;; verified model not delivered: refund, stake slashed
(define-constant OUTCOME_NOT_DELIVERED u6)
;; eval set not revealed (or voted unavailable): provider paid, no slash
(define-constant OUTCOME_BIDDER_DEFAULT u7)

;; 1xx. NOT_DIRECT_CALLER: no contract may act with a user's tx-sender ("no proxy").
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
(define-constant ERR_EMPTY_BATCH (err u519))

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

;; Cannot happen (broken invariant): an error, not unwrap-panic, aborts cleanly.
(define-constant ERR_UNKNOWN_PARAMETERS (err u105))
(define-constant ERR_SEAT_MISSING (err u106))

;; --- Parameters ---

;; A job is settled with the parameter version in force at its bid.
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

;; Parameter sets by version.
;; 
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

;; Hard bounds for proposals, fixed at deploy (cross-parameter rules: check-parameter-change).
(define-map parameter-bounds (string-ascii 32) { min-value: uint, max-value: uint })

(map-set parameter-bounds "min-dataset-stake" { min-value: u1, max-value: u1000000000000 })
(map-set parameter-bounds "min-validator-stake" { min-value: u1, max-value: u1000000000000 })
(map-set parameter-bounds "min-bid-amount" { min-value: u1, max-value: u1000000000000 })
(map-set parameter-bounds "max-computation-duration" { min-value: u1, max-value: u52560 })
;; every job ends in bounded time
(map-set parameter-bounds "max-bid-wait" { min-value: u1, max-value: u52560 })
;; 0: decline only in the match block
(map-set parameter-bounds "decline-window" { min-value: u0, max-value: u1008 })
(map-set parameter-bounds "eval-reveal-window" { min-value: u1, max-value: u4320 })
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
;; <= half a stake per penalty: a seat's weight never reaches 0
(map-set parameter-bounds "validator-penalty-bps" { min-value: u0, max-value: u5000 })
(map-set parameter-bounds "consensus-tolerance" { min-value: u0, max-value: MAX_SCORE })
;; >= a day to vote and a day to object
(map-set parameter-bounds "voting-period" { min-value: u144, max-value: u52560 })
(map-set parameter-bounds "execution-delay" { min-value: u144, max-value: u52560 })
;; higher values could let a vote lock every later vote out
(map-set parameter-bounds "governance-quorum-bps" { min-value: u1, max-value: u5000 })
(map-set parameter-bounds "proposal-threshold" { min-value: u1, max-value: u100000000 })

;; --- Data ---

;; Global state, one record (one read per hot call). pauses: pause-log entries. Active validators
;; are validator-at 0..active-validator-count-1 (exits swap-and-pop). votes-open-until: last block
;; any proposal takes votes. dataset-stakes..treasury sum to the balance less surplus. Then the
;; parameter-version and the values new business checks (set by execute-proposal).
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
  validation-window: uint,
  reveal-window: uint,
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
  validation-window: (get validation-window DEFAULT_PARAMETERS),
  reveal-window: (get reveal-window DEFAULT_PARAMETERS),
})

;; Pauses by number (from 1), ended-at 0 while on; one undone in its start block is erased.
(define-map pause-log uint { started-at: uint, ended-at: uint })

;; Datasets by id; queue-head/queue-tail: bid ids (u0 = empty) of its FIFO queue.
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

;; Bids by id. At the match a job records its seed blocks (matched-at Bitcoin, matched-block
;; Stacks), the active set size and ordinal it draws from, and the pause count. verified: judged on
;; a sealed eval set; compute-fee: paid on delivery (ask * duration at placement).
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

;; A dataset's last price raise: price before it, and when.
(define-map price-raises uint { previous-price: uint, raised-at: uint })

;; A verified job's spec and eval-set commitments, then model and eval-set digests with blocks.
(define-map job-deliveries uint {
  spec: (buff 32),
  eval-commitment: (buff 32),
  model: (optional (buff 32)),
  delivered-at: uint,
  eval-digest: (optional (buff 32)),
  eval-revealed-at: uint,
})

;; Per bidder: verified jobs scored, their score sum, and defaults.
(define-map bidder-history principal { jobs: uint, score-sum: uint, defaults: uint })

;; Links of the doubly linked bid queues (u0 = none): O(1) removal.
(define-map queue-links uint { prev: uint, next: uint })

;; Validators by principal.
(define-map validators principal {
  stake: uint,
  active: bool,
  index: uint,
  ;; seats not yet freed (coherent seat of a scored job: until claimed); blocks withdrawal
  open-seats: uint,
  exit-requested-at: uint,
  registered-at: uint,
  ;; registration ordinal
  ordinal: uint,
  ;; last-proposal-id at registration: votes only on later proposals
  registered-after-proposal: uint,
})

;; The active set by index, with ordinals: one read per draw probe.
(define-map validator-at uint { validator: principal, ordinal: uint })

;; A job's committee and votes (one record per vote). weights: stakes at the draw (a slash needs a
;; strict majority of total-weight). Per seat: commitment, score, SEAT_* state; revealed: votes for
;; the median; job state and windows copied; once scored: final score, tolerance, unclaimed pool.
(define-map committees uint {
  seats: (list 10 principal),
  weights: (list 10 uint),
  total-weight: uint,
  commits: uint,
  reveals: uint,
  revealed-weight: uint,
  revealed: (list 10 { score: uint, weight: uint }),
  commitments: (list 10 (buff 32)),
  scores: (list 10 uint),
  seat-states: (list 10 uint),
  running: bool,
  verified: bool,
  open: bool,
  commit-closes-at: uint,
  reveal-closes-at: uint,
  scored: bool,
  final-score: uint,
  tolerance: uint,
  reward-pool: uint,
  reward-weight: uint,
})

;; Provider's total dataset stake, and floors ignoring stake added after a proposal: proposals up
;; to run-proposal vote with at most run-floor (stake before the run of increases since); older
;; runs merge into prior-*. *-open-until: votes-open-until at the run's last increase.
(define-map provider-stakes principal {
  stake: uint,
  run-proposal: uint,
  run-floor: uint,
  run-open-until: uint,
  prior-proposal: uint,
  prior-floor: uint,
  prior-open-until: uint,
})

;; Proposals by id. total-stake at proposal caps the quorum base (stake parked later cannot veto).
;; base-version: if the parameter changed after it, the proposal cannot execute.
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

;; Each voter's vote on a proposal.
(define-map proposal-votes { proposal-id: uint, voter: principal } { support: bool, weight: uint })

;; The version that last changed each parameter.
(define-map parameter-changed-in (string-ascii 32) uint)

;; Until when a voter's stakes stay: whoever swings a vote carries its outcome.
(define-map vote-locks principal uint)

;; reward-pool/weight as set aside at settlement (the committee keeps what is unclaimed).
;; Silent seats' penalties went to the treasury, outliers' to the pool.
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

;; --- Private helpers ---

(define-private (min-of (a uint) (b uint))
  (if (< a b) a b)
)

(define-private (max-of (a uint) (b uint))
  (if (> a b) a b)
)

;; A verified bid's fee price: during a raise's notice, at most the price before it.
(define-private (fee-price (dataset-id uint) (price uint) (now uint))
  (match (map-get? price-raises dataset-id)
    raise (if (<= now (+ (get raised-at raise) PRICE_NOTICE_BLOCKS)) (min-of price (get previous-price raise)) price)
    price)
)

(define-private (distance (a uint) (b uint))
  (if (> a b) (- a b) (- b a))
)

;; The default only gives the type: every version is stored.
(define-private (parameters-at (version uint))
  (default-to DEFAULT_PARAMETERS (map-get? parameter-history version))
)

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

;; ipfs/ar/https URI of RFC 3986 characters only: no whitespace or control char to hide what is signed.
(define-private (valid-metadata-uri (uri (string-ascii 256)))
  (and (or (and (> (len uri) u7) (is-eq (slice? uri u0 u7) (some "ipfs://")))
           (and (> (len uri) u5) (is-eq (slice? uri u0 u5) (some "ar://")))
           (and (> (len uri) u8) (is-eq (slice? uri u0 u8) (some "https://"))))
       (fold uri-char-allowed uri true))
)

(define-private (uri-char-allowed (char (string-ascii 1)) (allowed bool))
  (and allowed (is-some (index-of? URI_CHARACTERS char)))
)

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

;; O(1): the last validator fills the hole. state: the market record as read.
(define-private (remove-from-set
    (index uint)
    (state { paused: bool, pauses: uint, last-dataset-id: uint, last-bid-id: uint, last-proposal-id: uint,
             active-validator-count: uint, validator-registrations: uint, votes-open-until: uint, dataset-stakes: uint,
             validator-stakes: uint,
             escrowed-bids: uint, unclaimed-rewards: uint, treasury: uint, parameter-version: uint, min-dataset-stake: uint,
             min-validator-stake: uint, min-bid-amount: uint, max-computation-duration: uint, max-bid-wait: uint,
             committee-size: uint, validation-window: uint, reveal-window: uint })
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

;; Probe start: sha256(seed ++ {bid-id, seat}) mod n, or the seat number without a seed.
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

;; Linear probe over the match's indices: first validator registered before the match that is
;; neither party nor seated (later registrants moved in by exits are skipped).
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

;; Fills one seat (weight: stake now) and counts it in open-seats.
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

;; Draws min(committee-size, n) seats from indices < n, ordinal <= max-ordinal, no party. Stored if any.
(define-private (seat-committee
    (bid-id uint)
    (provider principal)
    (bidder principal)
    (committee-size uint)
    (seed (optional (buff 32)))
    (n uint)
    (max-ordinal uint)
    (windows { verified: bool, open: bool, commit-closes-at: uint, reveal-closes-at: uint })
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
      (seats (get seats drawn))
      (committee (merge windows {
        seats: seats,
        weights: (get weights drawn),
        total-weight: (get total-weight drawn),
        commits: u0,
        reveals: u0,
        revealed-weight: u0,
        revealed: (list),
        commitments: (map no-commitment seats),
        scores: (map seat-zero seats),
        seat-states: (map seat-zero seats),
        running: true,
        scored: false,
        final-score: u0,
        tolerance: u0,
        reward-pool: u0,
        reward-weight: u0,
      }))
    )
    (if (> (len seats) u0)
      (begin
        (map-set committees bid-id committee)
        (print { event: "committee-drawn", bid-id: bid-id, seats: seats, random: (is-some seed) })
        true)
      false)
    committee
  )
)

(define-private (no-commitment (member principal)) 0x0000000000000000000000000000000000000000000000000000000000000000)
(define-private (seat-zero (member principal)) u0)

;; When every validator fits, seat them at the match: no randomness, nobody joins after seeing it.
(define-private (seat-small-market (bid-id uint) (provider principal) (bidder principal) (committee-size uint) (n uint) (max-ordinal uint)
                                   (windows { verified: bool, open: bool, commit-closes-at: uint, reveal-closes-at: uint }))
  (if (and (> n u0) (<= n committee-size))
    (> (len (get seats (seat-committee bid-id provider bidder committee-size none n max-ordinal windows))) u0)
    false)
)

;; A verified job's committee opens when its eval set is revealed.
(define-private (match-windows (verified bool) (deadline uint) (validation-window uint) (reveal-window uint))
  (if verified
    { verified: true, open: false, commit-closes-at: u0, reveal-closes-at: u0 }
    { verified: false, open: true, commit-closes-at: (+ deadline validation-window),
      reveal-closes-at: (+ deadline validation-window reveal-window) })
)

;; Seed: VRF seed of the Stacks block after the match (maybe known at bid time) mixed with the
;; Bitcoin block hash after the decline window, which no party chooses: a provider cannot decline
;; to redraw its committee. None until both exist.
(define-private (committee-seed (matched-block uint) (decline-closes-at uint))
  (match (get-tenure-info? vrf-seed (+ matched-block u1))
    vrf-seed (match (get-burn-block-info? header-hash (+ decline-closes-at u1))
      bitcoin-hash (some (sha256 (concat vrf-seed bitcoin-hash)))
      none)
    none
  )
)

;; Draws from the match's validators (committee-seed unless all fit).
(define-private (new-committee
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (provider principal)
    (committee-size uint)
    (decline-window uint)
    (windows { verified: bool, open: bool, commit-closes-at: uint, reveal-closes-at: uint })
  )
  (let (
      (n (get validators-at-match bid))
      (seed (if (<= n committee-size) none
              (committee-seed (get matched-block bid) (+ (get matched-at bid) decline-window))))
    )
    ;; seed unknown to every party when it acted
    (asserts! (or (<= n committee-size) (is-some seed)) ERR_SEED_NOT_READY)
    (let ((committee (seat-committee bid-id provider (get bidder bid) committee-size seed n (get registrations-at-match bid) windows)))
      ;; a non-party validator of the match
      (asserts! (> (len (get seats committee)) u0) ERR_NO_ELIGIBLE_VALIDATORS)
      (ok committee)
    )
  )
)

;; A vote's committee, drawn first if none.
(define-private (committee-for-vote (bid-id uint))
  (match (map-get? committees bid-id)
    drawn (ok drawn)
    (let (
        (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
        (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
        (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
        (timeline (job-timeline bid-id bid params))
      )
      ;; matched, unsettled
      (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
      ;; eval set revealed
      (asserts! (get open timeline) ERR_EVALUATION_NOT_REVEALED)
      ;; commit window open
      (asserts! (<= burn-block-height (get commit-closes-at timeline)) ERR_VALIDATION_CLOSED)
      ;; parties never judge
      (asserts! (not (or (is-eq tx-sender (get provider dataset)) (is-eq tx-sender (get bidder bid)))) ERR_PARTY_CANNOT_VALIDATE)
      (new-committee bid-id bid (get provider dataset) (get committee-size params) (get decline-window params)
                     (windows-of bid timeline))
    )
  )
)

(define-private (windows-of (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
                            (timeline { open: bool, delivered: bool, commit-closes-at: uint, reveal-closes-at: uint, stage: uint }))
  { verified: (get verified bid), open: (get open timeline),
    commit-closes-at: (get commit-closes-at timeline), reveal-closes-at: (get reveal-closes-at timeline) }
)

;; No seat: a party, or not drawn.
(define-private (not-seated-error (bid-id uint))
  (match (map-get? bids bid-id)
    bid (if (or (is-eq tx-sender (get bidder bid))
                (is-eq (some tx-sender) (get provider (map-get? datasets (get dataset-id bid)))))
          ERR_PARTY_CANNOT_VALIDATE
          ERR_NOT_ON_COMMITTEE)
    ERR_NOT_ON_COMMITTEE)
)

(define-private (seat-state (states (list 10 uint)) (index uint))
  (default-to SEAT_DRAWN (element-at? states index))
)

;; One step: match the head if the dataset is open with a slot; refund it if past reach.
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
                               (get validator-count state) (get registrations state)
                               (match-windows (get verified bid) (get deadline bid) (get validation-window params) (get reveal-window params)))
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

;; Matches up to QUEUE_STEPS heads; returns the dataset to store.
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

(define-private (weight-at-or-below (vote { score: uint, weight: uint }) (acc { threshold: uint, weight: uint }))
  (if (<= (get score vote) (get threshold acc))
    (merge acc { weight: (+ (get weight acc) (get weight vote)) })
    acc
  )
)

;; Lowest score whose cumulative weight reaches half the total.
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

;; Lower weighted median: an outlier cannot move it without half the weight.
(define-private (weighted-median (revealed (list 10 { score: uint, weight: uint })) (total-weight uint))
  (get median (fold median-candidate revealed { votes: revealed, total: total-weight, median: (+ SCORE_UNAVAILABLE u1) }))
)

;; Votes below the slash threshold hold a strict majority of ALL seats' weight, silent ones
;; included: a minority cannot slash while honest seats are silent; a tie never slashes.
(define-private (slash-backed (revealed (list 10 { score: uint, weight: uint })) (slash-threshold uint) (committee-weight uint))
  (and (> slash-threshold u0)
       (> (* u2 (get weight (fold weight-at-or-below revealed { threshold: (- slash-threshold u1), weight: u0 })))
          committee-weight))
)

;; Settles a seat. Scored job: a coherent seat only adds its weight (its claim frees it); others
;; are freed, penalized. Unscored: revealed seats go free. Silence is excused if a pause overlapped
;; the commit window. Below the minimum stake a validator leaves the active set.
(define-private (settle-seat
    (seat uint)
    (acc { bid-id: uint, final-score: (optional uint), tolerance: uint, penalty-bps: uint, min-stake: uint,
           waive-silence: bool, seats: (list 10 principal), weights: (list 10 uint), scores: (list 10 uint),
           states: (list 10 uint), coherent-weight: uint, silence-penalties: uint, outlier-penalties: uint, removed: bool })
  )
  (match (element-at? (get seats acc) seat)
    member (let (
        (state (seat-state (get states acc) seat))
        (revealed (is-eq state SEAT_REVEALED))
        (coherent (and revealed (match (get final-score acc)
          final (coherent-score (default-to u0 (element-at? (get scores acc) seat)) final (get tolerance acc))
          true)))
      )
      (if (and coherent (is-some (get final-score acc)))
        (merge acc { coherent-weight: (+ (get coherent-weight acc) (default-to u0 (element-at? (get weights acc) seat))) })
        (match (map-get? validators member)
          validator (let (
              (excused (and (is-eq state SEAT_DRAWN) (get waive-silence acc)))
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
              silence-penalties: (+ (get silence-penalties acc) (if revealed u0 penalty)),
              outlier-penalties: (+ (get outlier-penalties acc) (if revealed penalty u0)),
              removed: (or (get removed acc) removed),
            }))
          acc)))
    acc
  )
)

;; Within tolerance; "unavailable" agrees only with itself.
(define-private (coherent-score (score uint) (final-score uint) (tolerance uint))
  (if (or (is-eq score SCORE_UNAVAILABLE) (is-eq final-score SCORE_UNAVAILABLE))
    (is-eq score final-score)
    (<= (distance score final-score) tolerance))
)

;; The first pause after the match (none matches while paused) began before the window closed.
(define-private (commit-window-paused (pauses-at-match uint) (pauses uint) (commit-closes-at uint))
  (and (> pauses pauses-at-match)
       (match (map-get? pause-log (+ pauses-at-match u1))
         pause (<= (get started-at pause) commit-closes-at)
         false))
)

;; excuse-silence: seats that never committed go unpenalized. state: market values the caller read.
(define-private (settle-committee
    (bid-id uint)
    (pauses-at-match uint)
    (committee { seats: (list 10 principal), weights: (list 10 uint), total-weight: uint, commits: uint, reveals: uint,
                 revealed-weight: uint, revealed: (list 10 { score: uint, weight: uint }), commitments: (list 10 (buff 32)),
                 scores: (list 10 uint), seat-states: (list 10 uint), running: bool, verified: bool, open: bool,
                 commit-closes-at: uint, reveal-closes-at: uint, scored: bool, final-score: uint, tolerance: uint,
                 reward-pool: uint, reward-weight: uint })
    (final-score (optional uint))
    (tolerance uint)
    (penalty-bps uint)
    (excuse-silence bool)
    (state { min-validator-stake: uint, pauses: uint })
  )
  (fold settle-seat SEAT_NUMBERS {
      bid-id: bid-id,
      final-score: final-score,
      tolerance: tolerance,
      penalty-bps: penalty-bps,
      min-stake: (get min-validator-stake state),
      waive-silence: (or excuse-silence
                         (commit-window-paused pauses-at-match (get pauses state) (get commit-closes-at committee))),
      seats: (get seats committee),
      weights: (get weights committee),
      scores: (get scores committee),
      states: (get seat-states committee),
      coherent-weight: u0,
      silence-penalties: u0,
      outlier-penalties: u0,
      removed: false,
    })
)

;; Tracks a provider's total stake; an increase after a new proposal starts a run
;; (provider-stakes); floors whose proposals all closed are dropped.
(define-private (provider-stake-added (provider principal) (amount uint) (now uint) (last-proposal-id uint) (votes-open-until uint))
  (let (
      (held (default-to { stake: u0, run-proposal: u0, run-floor: u0, run-open-until: u0,
                          prior-proposal: u0, prior-floor: u0, prior-open-until: u0 }
                        (map-get? provider-stakes provider)))
      (stake (get stake held))
      (prior-closed (> now (get prior-open-until held)))
    )
    ;; stake only falls between increases: the stake before this one caps every floor
    (map-set provider-stakes provider
      (if (is-eq last-proposal-id (get run-proposal held))
        ;; same run
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

;; Governance weight now: dataset plus validator stake.
(define-private (voting-power (who principal))
  (+ (match (map-get? provider-stakes who) held (get stake held) u0)
     (match (map-get? validators who) validator (get stake validator) u0))
)

;; Weight on a proposal: stake held before it (flash deposits count 0).
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

(define-private (vote-locked (who principal))
  (<= burn-block-height (default-to u0 (map-get? vote-locks who)))
)

;; Body of register-dataset(-with-terms).
(define-private (create-dataset (stake uint) (metadata-uri (string-ascii 256)) (price-per-block uint) (max-concurrent-jobs uint))
  (let (
      (state (var-get market))
      (dataset-id (+ (get last-dataset-id state) u1))
      (now burn-block-height)
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; not while paused
    (asserts! (not (get paused state)) ERR_PAUSED)
    ;; min stake
    (asserts! (>= stake (get min-dataset-stake state)) ERR_STAKE_TOO_LOW)
    ;; metadata URI required
    (asserts! (> (len metadata-uri) u0) ERR_EMPTY_METADATA_URI)
    ;; fetchable URI
    (asserts! (valid-metadata-uri metadata-uri) ERR_INVALID_METADATA_URI)
    ;; price * duration cannot overflow
    (asserts! (<= price-per-block MAX_PRICE_PER_BLOCK) ERR_INVALID_PRICE)
    ;; 1..MAX_CONCURRENT_JOBS slots
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

;; Body of place-computation-bid and place-training-bid.
(define-private (place-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint)
                           (artifacts (optional { spec: (buff 32), eval-commitment: (buff 32) })))
  (let (
      (now burn-block-height)
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (state (var-get market))
      (bid-id (+ (get last-bid-id state) u1))
      (match-now (and (is-eq (get queue-head dataset) u0)
                      (< (get active-jobs dataset) (get max-concurrent-jobs dataset))))
      ;; verified: ask at placement after any raise's notice; only for a valid duration (no overflow)
      (compute-fee (if (and (is-some artifacts) (<= duration (get max-computation-duration state)))
                     (* (fee-price dataset-id (get price-per-block dataset) now) duration)
                     u0))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; not while paused
    (asserts! (not (get paused state)) ERR_PAUSED)
    ;; no bids on a retired dataset
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    ;; slashed below the minimum until topped up
    (asserts! (>= (get stake dataset) (get min-dataset-stake state)) ERR_DATASET_UNDERSTAKED)
    ;; no wash trading
    (asserts! (not (is-eq tx-sender (get provider dataset))) ERR_SELF_BID)
    ;; min bid (spam)
    (asserts! (>= amount (get min-bid-amount state)) ERR_BID_TOO_LOW)
    ;; 0 < duration <= max
    (asserts! (and (> duration u0) (<= duration (get max-computation-duration state))) ERR_INVALID_DURATION)
    ;; meets the ask
    (asserts! (>= amount (* (get price-per-block dataset) duration)) ERR_BID_BELOW_ASK)
    ;; fits before the deadline
    (asserts! (<= (+ now duration) deadline) ERR_DEADLINE_UNREACHABLE)
    ;; every job ends in bounded time
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
                           (get active-validator-count state) (get validator-registrations state)
                           (match-windows (is-some artifacts) deadline (get validation-window state) (get reveal-window state)))
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

;; A value must name a parameter, sit in its bounds, and keep the cross-parameter rules.
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
    ;; within the hard bounds
    (asserts! (and (>= value (get min-value bounds)) (<= value (get max-value bounds))) ERR_VALUE_OUT_OF_RANGE)
    ;; pro-rata pay divides by reward - slash threshold
    (asserts! (if (is-eq parameter "reward-threshold") (> value (get slash-threshold params))
                (if (is-eq parameter "slash-threshold") (< value (get reward-threshold params)) true))
              ERR_THRESHOLDS_CROSSED)
    ;; the seed (after the decline window) must exist before the shortest commit window closes
    (asserts! (if (is-eq parameter "decline-window") (< value (get validation-window params))
                (if (is-eq parameter "validation-window") (> value (get decline-window params)) true))
              ERR_WINDOWS_CROSSED)
    ;; fees leave the provider something
    (asserts! (if (is-eq parameter "validator-fee-bps") (< (+ value (get protocol-fee-bps params)) BPS)
                (if (is-eq parameter "protocol-fee-bps") (< (+ value (get validator-fee-bps params)) BPS) true))
              ERR_FEES_TOO_HIGH)
    (ok true)
  )
)

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

;; Balance beyond the five buckets (plain transfers).
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

;; A matched job's windows and stage. Commits: plain, until deadline + validation-window;
;; verified, validation-window from the eval-set reveal (before it: the latest close). MISSED:
;; undelivered past deadline and decline window; DEFAULTED: eval set not revealed by deadline +
;; eval-reveal-window; ENDED: past the reveal window.
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
      stage: (if (and (get verified bid) (not delivered))
               (if (> now (max-of deadline (+ (get matched-at bid) (get decline-window params)))) STAGE_MISSED STAGE_RUNNING)
               (if (not open)
                 (if (> now (+ deadline (get eval-reveal-window params))) STAGE_DEFAULTED STAGE_RUNNING)
                 (if (> now reveal-closes-at) STAGE_ENDED STAGE_RUNNING))),
    }
  )
)

;; Escrow left: amount, less a delivery's payout (fee but the validators' share).
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

;; min-reveals-bps of the seats, rounded up.
(define-private (min-reveals (seat-count uint) (min-reveals-bps uint))
  (/ (+ (* seat-count min-reveals-bps) (- BPS u1)) BPS)
)

;; A median below the slash threshold without a stake majority fails the job (NO_MAJORITY);
;; an "unavailable" median is a bidder default.
(define-private (finalize-job (bid-id uint) (now uint) (committee { seats: (list 10 principal), weights: (list 10 uint), total-weight: uint, commits: uint, reveals: uint,
                 revealed-weight: uint, revealed: (list 10 { score: uint, weight: uint }), commitments: (list 10 (buff 32)),
                 scores: (list 10 uint), seat-states: (list 10 uint), running: bool, verified: bool, open: bool,
                 commit-closes-at: uint, reveal-closes-at: uint, scored: bool, final-score: uint, tolerance: uint,
                 reward-pool: uint, reward-weight: uint }))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (final-score (weighted-median (get revealed committee) (get revealed-weight committee)))
      (slash-threshold (get slash-threshold params))
    )
    (if (and (< final-score slash-threshold)
             (not (slash-backed (get revealed committee) slash-threshold (get total-weight committee))))
      (begin (try! (fail-job bid-id bid)) (ok OUTCOME_NO_MAJORITY))
      (settle-job bid-id bid committee params final-score false now))
  )
)

;; What a job settled at final-score moves, computed without reading or writing
;; anything (the client's settlementPayouts is its reference, checked against it).
;; The rest of the bid (less a verified job's compute fee, paid at delivery) is
;; paid by the score: in full at reward-threshold, linearly from 0 at the slash
;; threshold (multiplied before dividing). A slash takes slash-rate-bps of the
;; stake; a verified job's at least its compute fee, as far as the stake goes, and
;; never more than the bid. Fees come out of the payment; on a slash the
;; validators are paid from the slashed stake, so an honest low score earns as
;; much as a high one; with no coherent seat they get nothing. released is what
;; leaves the job's escrow: the rest and the delivery's validators' share.
(define-private (settlement-amounts (amount uint) (final-score uint) (stake uint)
    (params { version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
              max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint, non-delivery-slash-bps: uint,
              stake-lock-blocks: uint, validation-window: uint,
              reveal-window: uint, validator-unbonding-blocks: uint, committee-size: uint,
              min-reveals-bps: uint, reward-threshold: uint, slash-threshold: uint, slash-rate-bps: uint,
              validator-fee-bps: uint, protocol-fee-bps: uint, validator-penalty-bps: uint,
              consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
              governance-quorum-bps: uint, proposal-threshold: uint })
    (verified bool) (compute-fee uint) (coherent bool))
  (let (
      (fee-bps (get validator-fee-bps params))
      (carried-fees (/ (* compute-fee fee-bps) BPS))
      (rest (- amount compute-fee))
      (defaulted (is-eq final-score SCORE_UNAVAILABLE))
      (reward-threshold (get reward-threshold params))
      (slash-threshold (get slash-threshold params))
      (payment (if (or defaulted (>= final-score reward-threshold))
        rest
        (if (> final-score slash-threshold)
          (/ (* rest (- final-score slash-threshold)) (- reward-threshold slash-threshold))
          u0)))
      (stake-slash (/ (* stake (get slash-rate-bps params)) BPS))
      (slashed (if (and (not defaulted) (< final-score slash-threshold))
        (if verified (min-of (min-of (max-of stake-slash compute-fee) stake) amount) stake-slash)
        u0))
      (payment-fees (/ (* payment fee-bps) BPS))
      (protocol-fee (/ (* payment (get protocol-fee-bps params)) BPS))
    )
    {
      payment: payment,
      slashed: slashed,
      provider-payment: (if (> payment u0) (- payment payment-fees protocol-fee) u0),
      bidder-refund: (- rest payment),
      validator-fees: (if coherent (+ carried-fees (if (> payment u0) payment-fees (min-of (/ (* rest fee-bps) BPS) slashed))) u0),
      protocol-fee: protocol-fee,
      released: (+ rest carried-fees),
      outcome: (if defaulted
        OUTCOME_BIDDER_DEFAULT
        (if (>= final-score reward-threshold)
          OUTCOME_REWARDED
          (if (< final-score slash-threshold) OUTCOME_SLASHED OUTCOME_PARTIAL))),
    }
  )
)

;; Pays a result: provider, refund, slash, penalties, reward pool, slot. Verified: the fee was paid
;; at delivery; a slash takes back at least the fee (within the stake), at most the bid.
(define-private (settle-job
    (bid-id uint)
    (bid { dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
           placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint,
           registrations-at-match: uint, pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint })
    (committee { seats: (list 10 principal), weights: (list 10 uint), total-weight: uint, commits: uint, reveals: uint,
                 revealed-weight: uint, revealed: (list 10 { score: uint, weight: uint }), commitments: (list 10 (buff 32)),
                 scores: (list 10 uint), seat-states: (list 10 uint), running: bool, verified: bool, open: bool,
                 commit-closes-at: uint, reveal-closes-at: uint, scored: bool, final-score: uint, tolerance: uint,
                 reward-pool: uint, reward-weight: uint })
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
    (now uint)
  )
  (let (
      (before (var-get market))
      (dataset-id (get dataset-id bid))
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (verified (get verified bid))
      (settled (settle-committee bid-id (get pauses-at-match bid) committee (some final-score)
                                 (get consensus-tolerance params) (get validator-penalty-bps params) excuse-silence
                                 { min-validator-stake: (get min-validator-stake before), pauses: (get pauses before) }))
      (coherent-weight (get coherent-weight settled))
      (amounts (settlement-amounts (get amount bid) final-score (get stake dataset) params verified (get compute-fee bid)
                                   (> coherent-weight u0)))
      (defaulted (is-eq final-score SCORE_UNAVAILABLE))
      (slashed (get slashed amounts))
      (provider-payment (get provider-payment amounts))
      (bidder-refund (get bidder-refund amounts))
      (validator-fees (get validator-fees amounts))
      (protocol-fee (get protocol-fee amounts))
      (outcome (get outcome amounts))
      (silence-penalties (get silence-penalties settled))
      (outlier-penalties (get outlier-penalties settled))
      (penalties (+ silence-penalties outlier-penalties))
      ;; silence to the treasury: nobody profits from an offline validator
      (reward-pool (+ validator-fees outlier-penalties))
      (released (get released amounts))
      (treasury-gain (+ (- (+ released slashed) provider-payment bidder-refund validator-fees) silence-penalties))
      ;; re-read only if a penalty removed a validator (market changed)
      (state (if (get removed settled) (var-get market) before))
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
    ;; the committee record answers the claims from here on
    (if (> (len (get seats committee)) u0)
      (map-set committees bid-id (merge committee {
        running: false,
        scored: true,
        final-score: final-score,
        tolerance: (get consensus-tolerance params),
        reward-pool: reward-pool,
        reward-weight: coherent-weight,
      }))
      false)
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
    ;; a default is no validation of the data
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

;; Ends a job without result: the bidder gets the escrow left, no slash, seats freed (silent
;; ones penalized unless excused). Returns refund, penalties and the dataset.
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
      (drawn (map-get? committees bid-id))
      (penalties (match drawn
        committee (get silence-penalties (settle-committee bid-id (get pauses-at-match bid) committee none
                                                           (get consensus-tolerance params) (get validator-penalty-bps params)
                                                           excuse-silence
                                                           (let ((current (var-get market)))
                                                             { min-validator-stake: (get min-validator-stake current), pauses: (get pauses current) })))
        u0))
      ;; re-read: a seat removal changed the market
      (state (var-get market))
    )
    (try! (pay-out amount (get bidder bid)))
    (var-set market (merge state {
      validator-stakes: (- (get validator-stakes state) penalties),
      escrowed-bids: (- (get escrowed-bids state) amount),
      treasury: (+ (get treasury state) penalties),
    }))
    (map-set bids bid-id (merge bid { status: status }))
    ;; no more votes, nothing to claim
    (match drawn committee (map-set committees bid-id (merge committee { running: false })) false)
    (ok { refund: amount, penalties: penalties, dataset: (merge dataset {
      active-jobs: (- (get active-jobs dataset) u1),
      last-settled-at: burn-block-height,
    }) })
  )
)

;; No result (too few reveals, or an unbacked slash): escrow refunded, silence penalized.
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

;; Undelivered verified job: refund, seats freed free, non-delivery-slash-bps of the stake
;; (at most the fee) to the treasury.
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
      ;; capped at the fee: the refunded bidder cannot size the slash
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

;; Eval set not revealed: provider gets the rest less fees (to the treasury); no slash.
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
  (settle-job bid-id bid (default-to NO_COMMITTEE (map-get? committees bid-id)) params SCORE_UNAVAILABLE true burn-block-height)
)

;; --- Private: votes and claims (single and batch calls) ---

;; Caller checks of commits and submits.
(define-private (check-voter)
  (begin
    ;; stake behind votes
    (asserts! (is-some (map-get? validators tx-sender)) ERR_VALIDATOR_NOT_FOUND)
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; not while paused
    (asserts! (not (get paused (var-get market))) ERR_PAUSED)
    (ok true)
  )
)

;; Records the caller's commitment (draws the committee if none).
(define-private (commit-vote (bid-id uint) (commitment (buff 32)) (now uint))
  (let (
      (committee (try! (committee-for-vote bid-id)))
      (seat (index-of? (get seats committee) tx-sender))
      (index (default-to u0 seat))
    )
    ;; matched, unsettled
    (asserts! (get running committee) ERR_JOB_NOT_RUNNING)
    ;; eval set revealed
    (asserts! (get open committee) ERR_EVALUATION_NOT_REVEALED)
    ;; commit window open
    (asserts! (<= now (get commit-closes-at committee)) ERR_VALIDATION_CLOSED)
    ;; committee only
    (asserts! (is-some seat) (not-seated-error bid-id))
    ;; one vote per seat
    (asserts! (is-eq (seat-state (get seat-states committee) index) SEAT_DRAWN) ERR_ALREADY_VOTED)
    (map-set committees bid-id (merge committee {
      commits: (+ (get commits committee) u1),
      commitments: (unwrap! (replace-at? (get commitments committee) index commitment) ERR_SEAT_MISSING),
      seat-states: (unwrap! (replace-at? (get seat-states committee) index SEAT_COMMITTED) ERR_SEAT_MISSING),
    }))
    (print { event: "validation-committed", bid-id: bid-id, validator: tx-sender, commitment: commitment })
    (ok true)
  )
)

;; One batch entry; a failure aborts the batch.
(define-private (commit-entry (entry { bid-id: uint, commitment: (buff 32) }) (prior (response { committed: uint, now: uint } uint)))
  (let ((counts (try! prior)))
    (try! (commit-vote (get bid-id entry) (get commitment entry) (get now counts)))
    (ok (merge counts { committed: (+ (get committed counts) u1) }))
  )
)

(define-private (reveal-vote (bid-id uint) (score uint) (salt (buff 32)) (now uint))
  (match (map-get? committees bid-id)
    committee (let (
        (seat (index-of? (get seats committee) tx-sender))
        (index (default-to u0 seat))
        (state (seat-state (get seat-states committee) index))
        (weight (default-to u0 (element-at? (get weights committee) index)))
        (seat-count (len (get seats committee)))
        (updated (merge committee {
          reveals: (+ (get reveals committee) u1),
          revealed-weight: (+ (get revealed-weight committee) weight),
          revealed: (default-to (get revealed committee)
                      (as-max-len? (append (get revealed committee) { score: score, weight: weight }) u10)),
          scores: (default-to (get scores committee) (replace-at? (get scores committee) index score)),
          seat-states: (default-to (get seat-states committee) (replace-at? (get seat-states committee) index SEAT_REVEALED)),
        }))
        (finalizes (is-eq (get reveals updated) seat-count))
      )
      ;; seat committed
      (asserts! (and (is-some seat) (> state SEAT_DRAWN)) ERR_NOT_COMMITTED)
      ;; matched, unsettled
      (asserts! (get running committee) ERR_JOB_NOT_RUNNING)
      ;; one reveal
      (asserts! (is-eq state SEAT_COMMITTED) ERR_ALREADY_REVEALED)
      ;; no score public while a seat can still copy it
      (asserts! (or (is-eq (get commits committee) seat-count) (> now (get commit-closes-at committee))) ERR_REVEAL_NOT_OPEN)
      ;; reveal window open
      (asserts! (<= now (get reveal-closes-at committee)) ERR_REVEAL_CLOSED)
      ;; 0-100, or unavailable on a verified job
      (asserts! (or (<= score MAX_SCORE) (and (get verified committee) (is-eq score SCORE_UNAVAILABLE))) ERR_INVALID_SCORE)
      ;; a short salt is brute-forceable
      (asserts! (is-eq (len salt) SALT_LENGTH) ERR_INVALID_SALT)
      ;; opens the commitment (which binds the validator)
      (asserts! (is-eq (some (compute-commitment score salt bid-id tx-sender)) (element-at? (get commitments committee) index))
                ERR_COMMITMENT_MISMATCH)
      (map-set committees bid-id updated)
      (print { event: "validation-revealed", bid-id: bid-id, validator: tx-sender, score: score, weight: weight })
      (if finalizes (begin (try! (finalize-job bid-id now updated)) true) false)
      (ok finalizes)
    )
    (if (is-some (map-get? bids bid-id)) ERR_NOT_COMMITTED ERR_BID_NOT_FOUND)
  )
)

;; One batch entry; a failure aborts the batch.
(define-private (reveal-entry
    (entry { bid-id: uint, score: uint, salt: (buff 32) })
    (prior (response { revealed: uint, finalized: uint, now: uint } uint))
  )
  (let (
      (counts (try! prior))
      (finalized (try! (reveal-vote (get bid-id entry) (get score entry) (get salt entry) (get now counts))))
    )
    (ok (merge counts { revealed: (+ (get revealed counts) u1), finalized: (+ (get finalized counts) (if finalized u1 u0)) }))
  )
)

;; Marks the caller's seat claimed and takes its share; returns it and whether the seat was freed.
(define-private (claim-seat (bid-id uint))
  (match (map-get? committees bid-id)
    committee (let (
        (seat (index-of? (get seats committee) tx-sender))
        (index (default-to u0 seat))
        (state (seat-state (get seat-states committee) index))
        (weight (default-to u0 (element-at? (get weights committee) index)))
        (coherent (and (is-eq state SEAT_REVEALED)
                       (coherent-score (default-to u0 (element-at? (get scores committee) index))
                                       (get final-score committee) (get tolerance committee))))
        (pool (get reward-pool committee))
        (pool-weight (get reward-weight committee))
        (reward (if coherent
          ;; last coherent claimant takes the rest: no dust
          (if (>= weight pool-weight) pool (/ (* pool weight) pool-weight))
          u0))
      )
      ;; scored by its committee
      (asserts! (get scored committee) ERR_JOB_NOT_FINALIZED)
      ;; seat voted
      (asserts! (and (is-some seat) (> state SEAT_DRAWN)) ERR_NOT_JOB_VALIDATOR)
      ;; paid once
      (asserts! (< state SEAT_CLAIMED) ERR_ALREADY_CLAIMED)
      (map-set committees bid-id (merge committee {
        seat-states: (unwrap! (replace-at? (get seat-states committee) index (+ state SEAT_CLAIMED)) ERR_SEAT_MISSING),
        reward-pool: (- pool reward),
        reward-weight: (if coherent (- pool-weight weight) pool-weight),
      }))
      (print { event: "validation-reward-claimed", bid-id: bid-id, validator: tx-sender, amount: reward, coherent: coherent })
      ;; settlement left a coherent seat for its claim to free
      (ok { total: reward, released: (if coherent u1 u0) })
    )
    ;; no committee: unknown, not settled, or settled with nobody seated
    (if (is-none (map-get? bids bid-id))
      ERR_BID_NOT_FOUND
      (if (is-some (map-get? job-results bid-id)) ERR_NOT_JOB_VALIDATOR ERR_JOB_NOT_FINALIZED))
  )
)

(define-private (claim-entry (bid-id uint) (prior (response { total: uint, released: uint } uint)))
  (let (
      (sums (try! prior))
      (claimed (try! (claim-seat bid-id)))
    )
    (ok { total: (+ (get total sums) (get total claimed)), released: (+ (get released sums) (get released claimed)) })
  )
)

;; Pays the claims in one transfer; frees their seats in one validator write.
(define-private (pay-rewards (claimed { total: uint, released: uint }))
  (let (
      (state (var-get market))
      (total (get total claimed))
    )
    (try! (pay-out total tx-sender))
    (var-set market (merge state { unclaimed-rewards: (- (get unclaimed-rewards state) total) }))
    (if (> (get released claimed) u0)
      (match (map-get? validators tx-sender)
        validator (map-set validators tx-sender (merge validator { open-seats: (- (get open-seats validator) (get released claimed)) }))
        false)
      false)
    (ok total)
  )
)

;; --- Public: datasets and stakes ---

;; Registers a dataset, locking its stake (ask 0, one slot). Caller: anyone. Event: dataset-registered.
;; Returns its id. Errors: NOT_DIRECT_CALLER, PAUSED, STAKE_TOO_LOW, EMPTY_METADATA_URI,
;; INVALID_METADATA_URI, INSUFFICIENT_FUNDS.
(define-public (register-dataset (stake uint) (metadata-uri (string-ascii 256)))
  (create-dataset stake metadata-uri u0 u1)
)

;; As register-dataset, with terms (no match at price 0 first). Errors: also INVALID_PRICE, INVALID_CAPACITY.
(define-public (register-dataset-with-terms (stake uint) (metadata-uri (string-ascii 256)) (price-per-block uint) (max-concurrent-jobs uint))
  (create-dataset stake metadata-uri price-per-block max-concurrent-jobs)
)

;; Tops up a dataset's stake. Caller: provider. Event: dataset-stake-added. Returns the stake.
;; Errors: DATASET_NOT_FOUND, NOT_DIRECT_CALLER, ZERO_AMOUNT, NOT_DATASET_PROVIDER,
;; DATASET_INACTIVE, INSUFFICIENT_FUNDS.
(define-public (add-dataset-stake (dataset-id uint) (amount uint))
  (let (
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (state (var-get market))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; must move STX
    (asserts! (> amount u0) ERR_ZERO_AMOUNT)
    ;; provider only
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; retired stays retired
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    ;; deposit first: an unpayable amount fails as INSUFFICIENT_FUNDS, not overflow
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

;; Sets the ask (uSTX per block) and slots. Caller: provider. Event: dataset-terms-set. Errors:
;; DATASET_NOT_FOUND, NOT_DIRECT_CALLER, NOT_DATASET_PROVIDER, DATASET_INACTIVE, INVALID_PRICE,
;; INVALID_CAPACITY.
(define-public (set-dataset-terms (dataset-id uint) (price-per-block uint) (max-concurrent-jobs uint))
  (let ((dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND)))
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; provider only
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; retired datasets take no jobs
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    ;; price * duration cannot overflow
    (asserts! (<= price-per-block MAX_PRICE_PER_BLOCK) ERR_INVALID_PRICE)
    ;; 1..MAX_CONCURRENT_JOBS slots
    (asserts! (and (> max-concurrent-jobs u0) (<= max-concurrent-jobs MAX_CONCURRENT_JOBS)) ERR_INVALID_CAPACITY)
    ;; a raise binds fees after PRICE_NOTICE_BLOCKS
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

;; Closes a dataset to new business; queued bids become expirable. Caller: provider, even paused.
;; Event: dataset-retired. Errors: DATASET_NOT_FOUND, NOT_DIRECT_CALLER, NOT_DATASET_PROVIDER,
;; DATASET_INACTIVE.
(define-public (retire-dataset (dataset-id uint))
  (let ((dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND)))
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; provider only
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; retired once
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    (map-set datasets dataset-id (merge dataset { active: false }))
    (print { event: "dataset-retired", dataset-id: dataset-id, provider: tx-sender,
             queued-jobs: (get queued-jobs dataset), active-jobs: (get active-jobs dataset) })
    (ok true)
  )
)

;; Pays the stake back, retiring the dataset. Caller: provider, even paused. Event: dataset-withdrawn.
;; Returns the amount. Errors: DATASET_NOT_FOUND, NOT_DIRECT_CALLER, NOT_DATASET_PROVIDER,
;; DATASET_INACTIVE, DATASET_HAS_OPEN_JOBS, VOTE_LOCKED, STAKE_LOCKED.
(define-public (withdraw-dataset-stake (dataset-id uint))
  (let (
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (provider (get provider dataset))
      (stake (get stake dataset))
      (state (var-get market))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; provider only
    (asserts! (is-eq tx-sender provider) ERR_NOT_DATASET_PROVIDER)
    ;; paid out once
    (asserts! (or (get active dataset) (> stake u0)) ERR_DATASET_INACTIVE)
    ;; open jobs may need it for a slash
    (asserts! (and (is-eq (get active-jobs dataset) u0) (is-eq (get queued-jobs dataset) u0)) ERR_DATASET_HAS_OPEN_JOBS)
    ;; held by governance votes
    (asserts! (not (vote-locked provider)) ERR_VOTE_LOCKED)
    ;; locked until validated, unless unused or idle stake-lock-blocks
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

;; --- Public: bids and matching ---

;; Escrows a plain bid: duration blocks of training by deadline; matched at once if a slot is free
;; and nothing queued, else queued. Caller: not the provider. Events: bid-placed, bid-matched if
;; matched. Returns its id. Errors: DATASET_NOT_FOUND, NOT_DIRECT_CALLER, PAUSED, DATASET_INACTIVE,
;; DATASET_UNDERSTAKED, SELF_BID, BID_TOO_LOW, INVALID_DURATION, BID_BELOW_ASK,
;; DEADLINE_UNREACHABLE, DEADLINE_TOO_FAR, INSUFFICIENT_FUNDS.
(define-public (place-computation-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint))
  (place-bid dataset-id amount duration deadline none)
)

;; As place-computation-bid, for a verified job: spec digest and sealed eval-set commitment
;; (compute-eval-commitment); the compute fee is fixed here. Event: bid-placed (with both and the fee).
;; Errors: INVALID_DIGEST, then as place-computation-bid.
(define-public (place-training-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint)
                                   (spec (buff 32)) (eval-commitment (buff 32)))
  (begin
    ;; a short spec names nothing; a short commitment cannot be opened
    (asserts! (and (is-eq (len spec) DIGEST_LENGTH) (is-eq (len eval-commitment) DIGEST_LENGTH)) ERR_INVALID_DIGEST)
    (place-bid dataset-id amount duration deadline (some { spec: spec, eval-commitment: eval-commitment }))
  )
)

;; Matches queued bids, refunds heads past reach. Caller: anyone. Events: bid-matched, bid-expired.
;; Returns the queue length. Errors: DATASET_NOT_FOUND, NOT_DIRECT_CALLER, PAUSED.
(define-public (match-queued-bids (dataset-id uint))
  (let ((dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND)))
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; matching starts jobs
    (asserts! (not (get paused (var-get market))) ERR_PAUSED)
    (let ((processed (try! (process-queue dataset-id dataset))))
      (map-set datasets dataset-id processed)
      (ok (get queued-jobs processed))
    )
  )
)

;; Refunds a queued bid. Caller: bidder, even paused. Event: bid-cancelled. Returns the refund.
;; Errors: BID_NOT_FOUND, NOT_DIRECT_CALLER, NOT_BIDDER, BID_NOT_QUEUED.
(define-public (cancel-bid (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset-id (get dataset-id bid))
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (amount (get amount bid))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; bidder only
    (asserts! (is-eq tx-sender (get bidder bid)) ERR_NOT_BIDDER)
    ;; matched jobs end by validation or expiry
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

;; Ends a bid that cannot complete: a queued bid past reach or on a retired dataset (refund), a job
;; ended without result (escrow refunded, silence penalized), an undelivered verified job (slash),
;; or an unrevealed eval set (bidder default, refund 0). Caller: anyone, even paused. Events:
;; bid-expired, delivery-missed, job-finalized. Returns the refund. Errors: BID_NOT_FOUND,
;; NOT_DIRECT_CALLER, BID_CLOSED, BID_NOT_EXPIRED, RESULT_PENDING.
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
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; closed bids hold no escrow
    (asserts! (or queued (is-eq status STATUS_MATCHED)) ERR_BID_CLOSED)
    ;; cannot complete
    (asserts! (if queued
                (or (not (get active dataset)) (> (+ burn-block-height (get duration bid)) (get deadline bid)))
                (not (is-eq stage STAGE_RUNNING)))
              ERR_BID_NOT_EXPIRED)
    ;; enough reveals: finalize-validation settles it
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

;; Refuses a matched job within decline-window, before delivery or commits: full refund, no slash.
;; Caller: provider, even paused. Event: job-declined. Returns the refund. Errors: BID_NOT_FOUND,
;; NOT_DIRECT_CALLER, NOT_DATASET_PROVIDER, JOB_NOT_RUNNING, DECLINE_CLOSED, MODEL_DELIVERED,
;; VALIDATION_STARTED.
(define-public (decline-job (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; provider only
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; matched, unsettled
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; declined early, or taken on
    (asserts! (<= burn-block-height (+ (get matched-at bid) (get decline-window params))) ERR_DECLINE_CLOSED)
    ;; delivered = taken on
    (asserts! (not (get delivered (job-timeline bid-id bid params))) ERR_MODEL_DELIVERED)
    ;; after a vote, declining could dodge a slash
    (asserts! (match (map-get? committees bid-id) drawn (is-eq (get commits drawn) u0) true) ERR_VALIDATION_STARTED)
    (let ((closed (try! (close-job bid-id bid STATUS_CANCELLED true))))
      (print { event: "job-declined", bid-id: bid-id, dataset-id: (get dataset-id bid), provider: tx-sender,
               bidder: (get bidder bid), refund: (get amount bid) })
      ;; nothing trained or judged: no match counted, stake lock unchanged
      (map-set datasets (get dataset-id bid) (try! (process-queue (get dataset-id bid) (merge (get dataset closed) {
        matched-jobs: (- (get matched-jobs dataset) u1),
        last-settled-at: (get last-settled-at dataset),
      }))))
      (ok (get amount bid))
    )
  )
)

;; --- Public: verified jobs ---

;; Delivers a verified job's model digest by the deadline, earning the fee less the validators'
;; share (kept in escrow) and the protocol fee. Caller: provider, even paused. Event: model-delivered.
;; Returns the payment. Errors: BID_NOT_FOUND, NOT_VERIFIED_JOB, NOT_DIRECT_CALLER,
;; NOT_DATASET_PROVIDER, JOB_NOT_RUNNING, ALREADY_DELIVERED, DELIVERY_CLOSED, INVALID_DIGEST.
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
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; provider only
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; matched, unsettled
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; once: no swap after validators fetch it
    (asserts! (is-none (get model delivery)) ERR_ALREADY_DELIVERED)
    ;; due by the deadline
    (asserts! (<= now (get deadline bid)) ERR_DELIVERY_CLOSED)
    ;; full digest
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

;; Reveals the sealed eval set (digest, salt); commits open for validation-window. Caller: bidder,
;; even paused. Event: evaluation-revealed. Returns the commit close. Errors: BID_NOT_FOUND,
;; NOT_VERIFIED_JOB, NOT_DIRECT_CALLER, NOT_BIDDER, JOB_NOT_RUNNING, NOT_DELIVERED,
;; EVAL_ALREADY_REVEALED, EVAL_REVEAL_CLOSED, INVALID_DIGEST, INVALID_SALT, EVAL_COMMITMENT_MISMATCH.
(define-public (reveal-evaluation-set (bid-id uint) (eval-digest (buff 32)) (salt (buff 32)))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (delivery (unwrap! (map-get? job-deliveries bid-id) ERR_NOT_VERIFIED_JOB))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (now burn-block-height)
      (commit-closes-at (+ now (get validation-window params)))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; bidder only
    (asserts! (is-eq tx-sender (get bidder bid)) ERR_NOT_BIDDER)
    ;; matched, unsettled
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; model fixed first: nobody trains on the eval set
    (asserts! (is-some (get model delivery)) ERR_NOT_DELIVERED)
    ;; once
    (asserts! (is-none (get eval-digest delivery)) ERR_EVAL_ALREADY_REVEALED)
    ;; from the deadline: an early delivery cannot shorten it
    (asserts! (<= now (+ (get deadline bid) (get eval-reveal-window params))) ERR_EVAL_REVEAL_CLOSED)
    ;; full digest
    (asserts! (is-eq (len eval-digest) DIGEST_LENGTH) ERR_INVALID_DIGEST)
    ;; full salt
    (asserts! (is-eq (len salt) SALT_LENGTH) ERR_INVALID_SALT)
    ;; the set sealed with the bid
    (asserts! (is-eq (compute-eval-commitment eval-digest salt) (get eval-commitment delivery)) ERR_EVAL_COMMITMENT_MISMATCH)
    (map-set job-deliveries bid-id (merge delivery { eval-digest: (some eval-digest), eval-revealed-at: now }))
    ;; a committee seated at the match takes votes from now on
    (match (map-get? committees bid-id)
      committee (map-set committees bid-id (merge committee {
        open: true,
        commit-closes-at: commit-closes-at,
        reveal-closes-at: (+ commit-closes-at (get reveal-window params)),
      }))
      false)
    (print { event: "evaluation-revealed", bid-id: bid-id, bidder: tx-sender, eval-digest: eval-digest,
             commit-closes-at: commit-closes-at })
    (ok commit-closes-at)
  )
)

;; --- Public: validators and validation ---

;; Registers a validator; seated only on later matches. Caller: anyone. Event: validator-registered.
;; Errors: NOT_DIRECT_CALLER, PAUSED, VALIDATOR_EXISTS, VALIDATOR_STAKE_TOO_LOW, INSUFFICIENT_FUNDS.
(define-public (register-validator (stake uint))
  (let (
      (state (var-get market))
      (index (get active-validator-count state))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; not while paused
    (asserts! (not (get paused state)) ERR_PAUSED)
    ;; once
    (asserts! (is-none (map-get? validators tx-sender)) ERR_VALIDATOR_EXISTS)
    ;; min stake
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

;; Leaves the active set, always (seating cannot trap a validator); held seats are still served.
;; Caller: validator, even paused. Event: validator-exit-requested. Returns the unbonding end.
;; Errors: VALIDATOR_NOT_FOUND, NOT_DIRECT_CALLER, VALIDATOR_EXITING.
(define-public (request-validator-exit)
  (let (
      (validator (unwrap! (map-get? validators tx-sender) ERR_VALIDATOR_NOT_FOUND))
      (state (var-get market))
      (unbonded-at (+ burn-block-height (get validator-unbonding-blocks (parameters-at (get parameter-version state)))))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; requested once
    (asserts! (get active validator) ERR_VALIDATOR_EXITING)
    (remove-from-set (get index validator) state)
    (map-set validators tx-sender (merge validator { active: false, exit-requested-at: burn-block-height }))
    (print { event: "validator-exit-requested", validator: tx-sender, unbonded-at: unbonded-at, open-seats: (get open-seats validator) })
    (ok unbonded-at)
  )
)

;; Returns the stake once unbonded and every seat freed (coherent seats of scored jobs: by
;; claiming). Caller: exiting validator, even paused. Event: validator-withdrawn. Returns the amount.
;; Errors: VALIDATOR_NOT_FOUND, NOT_DIRECT_CALLER, VALIDATOR_NOT_EXITING, UNBONDING_NOT_OVER,
;; VALIDATOR_SEATED, VOTE_LOCKED.
(define-public (withdraw-validator-stake)
  (let (
      (validator (unwrap! (map-get? validators tx-sender) ERR_VALIDATOR_NOT_FOUND))
      (stake (get stake validator))
      (state (var-get market))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; exit first
    (asserts! (not (get active validator)) ERR_VALIDATOR_NOT_EXITING)
    ;; unbonding over
    (asserts! (>= burn-block-height (+ (get exit-requested-at validator) (get validator-unbonding-blocks (parameters-at (get parameter-version state)))))
              ERR_UNBONDING_NOT_OVER)
    ;; the stake answers for its seats until they are freed
    (asserts! (is-eq (get open-seats validator) u0) ERR_VALIDATOR_SEATED)
    ;; held by governance votes
    (asserts! (not (vote-locked tx-sender)) ERR_VOTE_LOCKED)
    (try! (pay-out stake tx-sender))
    (var-set market (merge state { validator-stakes: (- (get validator-stakes state) stake) }))
    (map-delete validators tx-sender)
    (print { event: "validator-withdrawn", validator: tx-sender, amount: stake })
    (ok stake)
  )
)

;; Draws a job's committee ahead of the votes. Caller: anyone. Event: committee-drawn. Returns the
;; seats. Errors: BID_NOT_FOUND, NOT_DIRECT_CALLER, PAUSED, JOB_NOT_RUNNING, COMMITTEE_DRAWN,
;; VALIDATION_CLOSED, SEED_NOT_READY, NO_ELIGIBLE_VALIDATORS.
(define-public (draw-committee (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; not while paused
    (asserts! (not (get paused (var-get market))) ERR_PAUSED)
    ;; matched, unsettled
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; drawn once
    (asserts! (is-none (map-get? committees bid-id)) ERR_COMMITTEE_DRAWN)
    (let ((timeline (job-timeline bid-id bid params)))
      ;; a late committee could not vote
      (asserts! (<= burn-block-height (get commit-closes-at timeline)) ERR_VALIDATION_CLOSED)
      (ok (get seats (try! (new-committee bid-id bid (get provider dataset) (get committee-size params) (get decline-window params)
                                         (windows-of bid timeline))))))
  )
)

;; Commits a hidden score (compute-commitment). Caller: a member, in the commit window. Events:
;; validation-committed (committee-drawn). Errors: VALIDATOR_NOT_FOUND, NOT_DIRECT_CALLER, PAUSED,
;; BID_NOT_FOUND, JOB_NOT_RUNNING, EVALUATION_NOT_REVEALED, VALIDATION_CLOSED,
;; PARTY_CANNOT_VALIDATE, SEED_NOT_READY, NO_ELIGIBLE_VALIDATORS, NOT_ON_COMMITTEE, ALREADY_VOTED.
(define-public (commit-validation-result (bid-id uint) (commitment (buff 32)))
  (begin
    (try! (check-voter))
    (commit-vote bid-id commitment burn-block-height)
  )
)

;; Batch of up to 25, all or nothing (the failing entry's error). Caller, events: as
;; commit-validation-result. Returns the count. Errors: as it, EMPTY_BATCH.
(define-public (commit-validation-results (commits (list 25 { bid-id: uint, commitment: (buff 32) })))
  (begin
    (try! (check-voter))
    ;; an empty batch is a mistake
    (asserts! (> (len commits) u0) ERR_EMPTY_BATCH)
    (ok (get committed (try! (fold commit-entry commits (ok { committed: u0, now: burn-block-height })))))
  )
)

;; Reveals a committed score (once all committed or the commit window closed); the last reveal
;; finalizes. Caller: a member that committed, even paused (a pause never makes an honest vote
;; silent). Events: validation-revealed; job-finalized or bid-expired. Returns true if it
;; finalized. Errors: NOT_DIRECT_CALLER, BID_NOT_FOUND, NOT_COMMITTED, JOB_NOT_RUNNING,
;; ALREADY_REVEALED, REVEAL_NOT_OPEN, REVEAL_CLOSED, INVALID_SCORE, INVALID_SALT, COMMITMENT_MISMATCH.
(define-public (reveal-validation-result (bid-id uint) (score uint) (salt (buff 32)))
  (begin
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    (reveal-vote bid-id score salt burn-block-height)
  )
)

;; Batch of up to 25, all or nothing. Caller, events: as reveal-validation-result. Returns the
;; reveals and finalized jobs. Errors: as it, EMPTY_BATCH.
(define-public (reveal-validation-results (reveals (list 25 { bid-id: uint, score: uint, salt: (buff 32) })))
  (begin
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; an empty batch is a mistake
    (asserts! (> (len reveals) u0) ERR_EMPTY_BATCH)
    (let ((counts (try! (fold reveal-entry reveals (ok { revealed: u0, finalized: u0, now: burn-block-height })))))
      (ok { revealed: (get revealed counts), finalized: (get finalized counts) }))
  )
)

;; A one-seat committee scores in the clear and finalizes. Caller: that member, in the commit
;; window. Events: validation-submitted, job-finalized (committee-drawn). Errors: BID_NOT_FOUND,
;; VALIDATOR_NOT_FOUND, NOT_DIRECT_CALLER, PAUSED, INVALID_SCORE, BID_DATASET_MISMATCH,
;; JOB_NOT_RUNNING, EVALUATION_NOT_REVEALED, VALIDATION_CLOSED, PARTY_CANNOT_VALIDATE,
;; SEED_NOT_READY, NO_ELIGIBLE_VALIDATORS, NOT_ON_COMMITTEE, COMMIT_REQUIRED, ALREADY_VOTED.
(define-public (submit-validation-result (dataset-id uint) (bid-id uint) (score uint))
  (let ((bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND)))
    (try! (check-voter))
    ;; 0-100, or unavailable on a verified job
    (asserts! (or (<= score MAX_SCORE) (and (get verified bid) (is-eq score SCORE_UNAVAILABLE))) ERR_INVALID_SCORE)
    ;; job of the dataset named
    (asserts! (is-eq (get dataset-id bid) dataset-id) ERR_BID_DATASET_MISMATCH)
    ;; matched, unsettled
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    (let (
        (committee (try! (committee-for-vote bid-id)))
        (weight (default-to u0 (element-at? (get weights committee) u0)))
      )
      ;; eval set revealed
      (asserts! (get open committee) ERR_EVALUATION_NOT_REVEALED)
      ;; commit window open
      (asserts! (<= burn-block-height (get commit-closes-at committee)) ERR_VALIDATION_CLOSED)
      ;; committee only
      (asserts! (is-some (index-of? (get seats committee) tx-sender)) (not-seated-error bid-id))
      ;; a clear score is safe only alone
      (asserts! (is-eq (len (get seats committee)) u1) ERR_COMMIT_REQUIRED)
      ;; one vote per seat
      (asserts! (is-eq (seat-state (get seat-states committee) u0) SEAT_DRAWN) ERR_ALREADY_VOTED)
      (let ((decided (merge committee {
          commits: u1,
          reveals: u1,
          revealed-weight: weight,
          revealed: (list { score: score, weight: weight }),
          commitments: (list (compute-commitment score 0x bid-id tx-sender)),
          scores: (list score),
          seat-states: (list SEAT_REVEALED),
        })))
        (map-set committees bid-id decided)
        (print { event: "validation-submitted", bid-id: bid-id, dataset-id: dataset-id, validator: tx-sender, score: score, weight: weight })
        (try! (finalize-job bid-id burn-block-height decided))
        (ok true)
      )
    )
  )
)

;; Settles a job due to end: weighted median given min-reveals, else escrow refund; or a missed
;; delivery or bidder default. Caller: anyone, even paused. Events: job-finalized, bid-expired,
;; delivery-missed. Returns the OUTCOME_*. Errors: BID_NOT_FOUND, NOT_DIRECT_CALLER,
;; JOB_NOT_RUNNING, NOT_READY_TO_FINALIZE.
(define-public (finalize-validation (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (committee (map-get? committees bid-id))
      (stage (get stage (job-timeline bid-id bid params)))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; matched, unsettled
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; before the end, the last reveal finalizes
    (asserts! (not (is-eq stage STAGE_RUNNING)) ERR_NOT_READY_TO_FINALIZE)
    (if (is-eq stage STAGE_MISSED)
      (begin (try! (miss-delivery bid-id bid params)) (ok OUTCOME_NOT_DELIVERED))
      (if (is-eq stage STAGE_DEFAULTED)
        (bidder-default bid-id bid params)
        (match committee
          drawn (if (>= (get reveals drawn) (min-reveals (len (get seats drawn)) (get min-reveals-bps params)))
            (finalize-job bid-id burn-block-height drawn)
            (begin (try! (fail-job bid-id bid)) (ok OUTCOME_NO_QUORUM)))
          (begin (try! (fail-job bid-id bid)) (ok OUTCOME_NO_QUORUM)))))
  )
)

;; --- Public: rewards ---

;; Pays a coherent seat its weighted share and frees the seat (others get u0). Caller: a member
;; that committed, even paused. Event: validation-reward-claimed. Returns the amount. Errors:
;; NOT_DIRECT_CALLER, BID_NOT_FOUND, JOB_NOT_FINALIZED, NOT_JOB_VALIDATOR, ALREADY_CLAIMED.
(define-public (claim-validation-reward (bid-id uint))
  (begin
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    (pay-rewards (try! (claim-seat bid-id)))
  )
)

;; Batch of up to 25, one transfer, all or nothing. Caller, events: as claim-validation-reward.
;; Returns the total. Errors: as it, EMPTY_BATCH.
(define-public (claim-validation-rewards (bid-ids (list 25 uint)))
  (begin
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; an empty batch is a mistake
    (asserts! (> (len bid-ids) u0) ERR_EMPTY_BATCH)
    (pay-rewards (try! (fold claim-entry bid-ids (ok { total: u0, released: u0 }))))
  )
)

;; --- Public: governance ---

;; Proposes a parameter value. Caller: holder of proposal-threshold stake. Event: proposal-created.
;; Returns its id. Errors: NOT_DIRECT_CALLER, BELOW_PROPOSAL_THRESHOLD, UNKNOWN_PARAMETER,
;; VALUE_OUT_OF_RANGE, THRESHOLDS_CROSSED, WINDOWS_CROSSED, FEES_TOO_HIGH.
(define-public (propose-parameter-change (parameter (string-ascii 32)) (value uint))
  (let (
      (state (var-get market))
      (params (parameters-at (get parameter-version state)))
      (proposal-id (+ (get last-proposal-id state) u1))
      (voting-ends-at (+ burn-block-height (get voting-period params)))
      (executable-at (+ voting-ends-at (get execution-delay params) u1))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; proposals need stake
    (asserts! (>= (voting-power tx-sender) (get proposal-threshold params)) ERR_BELOW_PROPOSAL_THRESHOLD)
    ;; refuse what could never apply
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

;; Votes with stake held before the proposal, locked until executable-at. Caller: such a staker,
;; once. Event: proposal-voted. Returns the weight. Errors: PROPOSAL_NOT_FOUND, NOT_DIRECT_CALLER,
;; VOTING_CLOSED, ALREADY_VOTED_ON_PROPOSAL, NO_VOTING_POWER.
(define-public (vote-on-proposal (proposal-id uint) (support bool))
  (let (
      (proposal (unwrap! (map-get? proposals proposal-id) ERR_PROPOSAL_NOT_FOUND))
      (weight (voting-power-on tx-sender proposal-id))
      (voting-ends-at (get voting-ends-at proposal))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; voting period
    (asserts! (<= burn-block-height voting-ends-at) ERR_VOTING_CLOSED)
    ;; once per voter
    (asserts! (is-none (map-get? proposal-votes { proposal-id: proposal-id, voter: tx-sender })) ERR_ALREADY_VOTED_ON_PROPOSAL)
    ;; stake held before the proposal
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

;; Applies a passed proposal as a new version (placed jobs keep theirs). Caller: anyone. Event:
;; parameter-changed. Returns the version. Errors: PROPOSAL_NOT_FOUND, NOT_DIRECT_CALLER,
;; PROPOSAL_EXECUTED, VOTING_NOT_OVER, PROPOSAL_EXPIRED, QUORUM_NOT_MET, PROPOSAL_REJECTED,
;; PARAMETER_CHANGED, UNKNOWN_PARAMETER, VALUE_OUT_OF_RANGE, THRESHOLDS_CROSSED, WINDOWS_CROSSED,
;; FEES_TOO_HIGH.
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
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; applied once
    (asserts! (not (get executed proposal)) ERR_PROPOSAL_EXECUTED)
    ;; after votes and objections
    (asserts! (>= burn-block-height (get executable-at proposal)) ERR_VOTING_NOT_OVER)
    ;; not expired
    (asserts! (< burn-block-height (get expires-at proposal)) ERR_PROPOSAL_EXPIRED)
    ;; quorum of the stake now, capped at proposal time: parked stake cannot block
    (asserts! (>= (* (+ yes-votes no-votes) BPS) (* total-stake (get quorum-bps proposal))) ERR_QUORUM_NOT_MET)
    ;; strict majority
    (asserts! (> yes-votes no-votes) ERR_PROPOSAL_REJECTED)
    ;; a newer change of the parameter stands
    (asserts! (<= (default-to u0 (map-get? parameter-changed-in (get parameter proposal))) (get base-version proposal))
              ERR_PARAMETER_CHANGED)
    ;; still consistent with later changes
    (try! (check-parameter-change (get parameter proposal) (get value proposal) params))
    (var-set market (merge state {
      parameter-version: version,
      min-dataset-stake: (get min-dataset-stake updated),
      min-validator-stake: (get min-validator-stake updated),
      min-bid-amount: (get min-bid-amount updated),
      max-computation-duration: (get max-computation-duration updated),
      max-bid-wait: (get max-bid-wait updated),
      committee-size: (get committee-size updated),
      validation-window: (get validation-window updated),
      reveal-window: (get reveal-window updated),
    }))
    (map-set parameter-history version updated)
    (map-set parameter-changed-in (get parameter proposal) version)
    (map-set proposals proposal-id (merge proposal { executed: true }))
    (print { event: "parameter-changed", proposal-id: proposal-id, parameter: (get parameter proposal),
             value: (get value proposal), version: version })
    (ok version)
  )
)

;; --- Public: administration ---

;; Pauses or resumes new business (registrations, bids, matching, draws, commits); exits always
;; work. Caller: owner. Event: paused-set. Errors: NOT_DIRECT_CALLER, NOT_AUTHORIZED.
(define-public (set-paused (pause bool))
  (let (
      (state (var-get market))
      (now burn-block-height)
      (pauses (get pauses state))
      (starting (and pause (not (get paused state))))
      (ending (and (not pause) (get paused state)))
      (started-at (default-to now (get started-at (map-get? pause-log pauses))))
      ;; undone in its start block: it kept nobody from committing
      (erased (and ending (is-eq started-at now)))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; owner only
    (asserts! (is-eq tx-sender CONTRACT_OWNER) ERR_NOT_AUTHORIZED)
    ;; log lasting pauses (commit-window-paused)
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

;; Pays out treasury funds. Caller: owner. Event: treasury-withdrawn. Errors: NOT_DIRECT_CALLER,
;; NOT_AUTHORIZED, ZERO_AMOUNT, INSUFFICIENT_TREASURY, INVALID_RECIPIENT.
(define-public (withdraw-treasury (amount uint) (recipient principal))
  (let ((state (var-get market)))
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; owner only
    (asserts! (is-eq tx-sender CONTRACT_OWNER) ERR_NOT_AUTHORIZED)
    ;; must move STX
    (asserts! (> amount u0) ERR_ZERO_AMOUNT)
    ;; the treasury's own funds only
    (asserts! (<= amount (get treasury state)) ERR_INSUFFICIENT_TREASURY)
    ;; paying itself moves nothing
    (asserts! (not (is-eq recipient current-contract)) ERR_INVALID_RECIPIENT)
    (try! (pay-out amount recipient))
    (var-set market (merge state { treasury: (- (get treasury state) amount) }))
    (print { event: "treasury-withdrawn", amount: amount, recipient: recipient })
    (ok amount)
  )
)

;; Books plain-transfer STX into the treasury. Caller: owner. Event: surplus-swept. Returns the
;; amount. Errors: NOT_DIRECT_CALLER, NOT_AUTHORIZED, ZERO_AMOUNT (no surplus).
(define-public (sweep-surplus)
  (let (
      (state (var-get market))
      (surplus (untracked-balance))
    )
    ;; no proxy
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; owner only
    (asserts! (is-eq tx-sender CONTRACT_OWNER) ERR_NOT_AUTHORIZED)
    ;; something to book
    (asserts! (> surplus u0) ERR_ZERO_AMOUNT)
    (var-set market (merge state { treasury: (+ (get treasury state) surplus) }))
    (print { event: "surplus-swept", amount: surplus, owner: tx-sender })
    (ok surplus)
  )
)

;; --- Read-only views ---

;; quality-score: mean final score
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

(define-read-only (get-validator-at (index uint))
  (get validator (map-get? validator-at index))
)

;; A seat's vote (none before its commit).
(define-read-only (get-vote (bid-id uint) (validator principal))
  (match (map-get? committees bid-id)
    committee (match (index-of? (get seats committee) validator)
      index (let ((state (seat-state (get seat-states committee) index)))
        (if (is-eq state SEAT_DRAWN)
          none
          (some {
            commitment: (default-to 0x (element-at? (get commitments committee) index)),
            score: (default-to u0 (element-at? (get scores committee) index)),
            weight: (default-to u0 (element-at? (get weights committee) index)),
            revealed: (is-eq (mod state SEAT_CLAIMED) SEAT_REVEALED),
            claimed: (>= state SEAT_CLAIMED),
          })))
      none)
    none
  )
)

(define-read-only (get-committee (bid-id uint))
  (match (map-get? committees bid-id)
    committee (some {
      seats: (get seats committee),
      weights: (get weights committee),
      total-weight: (get total-weight committee),
      commits: (get commits committee),
      reveals: (get reveals committee),
      revealed-weight: (get revealed-weight committee),
      revealed: (get revealed committee),
    })
    none
  )
)

;; Draw seed of a larger market's job (none while queued or before its blocks exist;
;; meaningless for a bid cancelled or expired unmatched).
(define-read-only (get-committee-seed (bid-id uint))
  (match (map-get? bids bid-id)
    bid (if (is-eq (get status bid) STATUS_QUEUED)
          none
          (committee-seed (get matched-block bid)
                          (+ (get matched-at bid) (get decline-window (parameters-at (get parameter-version bid))))))
    none
  )
)

;; Clients hash commitments exactly this way.
(define-read-only (compute-commitment (score uint) (salt (buff 32)) (bid-id uint) (validator principal))
  (sha256 (default-to 0x (to-consensus-buff? { score: score, salt: salt, bid-id: bid-id, validator: validator })))
)

(define-read-only (get-job-delivery (bid-id uint))
  (map-get? job-deliveries bid-id)
)

;; Fee a verified bid would carry now (none: unknown dataset or duration too long).
(define-read-only (get-compute-fee (dataset-id uint) (duration uint))
  (match (map-get? datasets dataset-id)
    dataset (if (<= duration (get max-computation-duration (var-get market)))
              (some (* (fee-price dataset-id (get price-per-block dataset) burn-block-height) duration))
              none)
    none)
)

(define-read-only (compute-eval-commitment (eval-digest (buff 32)) (salt (buff 32)))
  (sha256 (concat eval-digest salt))
)

(define-read-only (get-bidder-history (bidder principal))
  (let ((history (default-to { jobs: u0, score-sum: u0, defaults: u0 } (map-get? bidder-history bidder))))
    (merge history { mean-score: (if (> (get jobs history) u0) (/ (get score-sum history) (get jobs history)) u0) })
  )
)

;; A matched job's windows (unrevealed verified job: the latest close).
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

;; reward-pool/weight: what is still unclaimed
(define-read-only (get-job-result (bid-id uint))
  (match (map-get? job-results bid-id)
    result (some (match (map-get? committees bid-id)
      committee (merge result { reward-pool: (get reward-pool committee), reward-weight: (get reward-weight committee) })
      result))
    none
  )
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

(define-read-only (get-voting-power (who principal))
  (voting-power who)
)

;; 0 for an unknown proposal
(define-read-only (get-proposal-voting-power (proposal-id uint) (who principal))
  (if (is-some (map-get? proposals proposal-id)) (voting-power-on who proposal-id) u0)
)

(define-read-only (get-pause (pause-number uint))
  (map-get? pause-log pause-number)
)

(define-read-only (get-vote-lock (who principal))
  (default-to u0 (map-get? vote-locks who))
)

(define-read-only (get-parameter-bounds (parameter (string-ascii 32)))
  (map-get? parameter-bounds parameter)
)

;; Balance = buckets + surplus.
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
