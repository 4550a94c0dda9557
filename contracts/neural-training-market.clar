;; neural-training-market
;; A decentralized marketplace for neural-network training.
;; Data providers stake STX on their datasets, ML developers escrow STX in bids for
;; training time, staked validators score the trained models, and the contract pays,
;; refunds and slashes by the aggregated score. Time is counted in Bitcoin blocks.

;; ---------------------------------------------------------------------------
;; Constants and error codes
;; ---------------------------------------------------------------------------

(define-constant CONTRACT_OWNER tx-sender)

(define-constant BPS u10000)
(define-constant MAX_SCORE u100)
;; Upper bound on votes per job: the quorum can never exceed it, so the
;; fold over a job's voters at finalization is bounded.
(define-constant MAX_VALIDATION_QUORUM u10)
(define-constant MAX_CONCURRENT_JOBS u1000)
;; 1,000,000 STX per Bitcoin block: far above any real ask, low enough that
;; price * duration can never overflow.
(define-constant MAX_PRICE_PER_BLOCK u1000000000000)
;; At most this many queue heads are matched or skipped per call: queue work
;; stays bounded whatever the queue length.
(define-constant QUEUE_STEPS (list u1 u2 u3 u4 u5))

;; Bid status
(define-constant STATUS_QUEUED u1)
(define-constant STATUS_MATCHED u2)
(define-constant STATUS_SETTLED u3)
(define-constant STATUS_CANCELLED u4)
(define-constant STATUS_EXPIRED u5)

;; Validation outcome
(define-constant OUTCOME_REWARDED u1)
(define-constant OUTCOME_PARTIAL u2)
(define-constant OUTCOME_SLASHED u3)

;; 1xx: caller and contract state
(define-constant ERR_NOT_AUTHORIZED (err u100))
(define-constant ERR_NOT_DIRECT_CALLER (err u101))
(define-constant ERR_PAUSED (err u102))
(define-constant ERR_ZERO_AMOUNT (err u103))
(define-constant ERR_INSUFFICIENT_FUNDS (err u104))
(define-constant ERR_UNKNOWN_PARAMETERS (err u105))

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

;; 4xx: validators
(define-constant ERR_VALIDATOR_NOT_FOUND (err u400))
(define-constant ERR_VALIDATOR_STAKE_TOO_LOW (err u401))
(define-constant ERR_VALIDATOR_EXISTS (err u402))
(define-constant ERR_VALIDATOR_EXITING (err u403))
(define-constant ERR_VALIDATOR_NOT_EXITING (err u404))
(define-constant ERR_UNBONDING_NOT_OVER (err u405))
(define-constant ERR_VALIDATOR_STAKE_LOCKED (err u406))

;; 5xx: validation
(define-constant ERR_INVALID_SCORE (err u500))
(define-constant ERR_ALREADY_VOTED (err u501))
(define-constant ERR_BID_DATASET_MISMATCH (err u502))
(define-constant ERR_JOB_NOT_RUNNING (err u503))
(define-constant ERR_VALIDATION_CLOSED (err u504))
(define-constant ERR_PARTY_CANNOT_VALIDATE (err u505))
(define-constant ERR_TOO_MANY_VOTES (err u506))

;; 6xx: rewards
(define-constant ERR_JOB_NOT_FINALIZED (err u600))
(define-constant ERR_NOT_JOB_VALIDATOR (err u601))
(define-constant ERR_ALREADY_CLAIMED (err u602))

;; 8xx: administration
(define-constant ERR_INSUFFICIENT_TREASURY (err u800))
(define-constant ERR_INVALID_RECIPIENT (err u801))

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
  stake-lock-blocks: u4320,
  validation-window: u144,
  validator-unbonding-blocks: u144,
  validation-quorum: u3,
  reward-threshold: u70,
  slash-threshold: u40,
  slash-rate-bps: u5000,
  validator-fee-bps: u500,
  protocol-fee-bps: u0,
  consensus-tolerance: u15,
})

(define-data-var parameters {
  version: uint,
  min-dataset-stake: uint,
  min-validator-stake: uint,
  min-bid-amount: uint,
  max-computation-duration: uint,
  stake-lock-blocks: uint,
  validation-window: uint,
  validator-unbonding-blocks: uint,
  validation-quorum: uint,
  reward-threshold: uint,
  slash-threshold: uint,
  slash-rate-bps: uint,
  validator-fee-bps: uint,
  protocol-fee-bps: uint,
  consensus-tolerance: uint,
} DEFAULT_PARAMETERS)

(define-map parameter-history uint {
  version: uint,
  min-dataset-stake: uint,
  min-validator-stake: uint,
  min-bid-amount: uint,
  max-computation-duration: uint,
  stake-lock-blocks: uint,
  validation-window: uint,
  validator-unbonding-blocks: uint,
  validation-quorum: uint,
  reward-threshold: uint,
  slash-threshold: uint,
  slash-rate-bps: uint,
  validator-fee-bps: uint,
  protocol-fee-bps: uint,
  consensus-tolerance: uint,
})

(map-set parameter-history u1 DEFAULT_PARAMETERS)

;; ---------------------------------------------------------------------------
;; Data
;; ---------------------------------------------------------------------------

(define-data-var paused bool false)
(define-data-var last-dataset-id uint u0)
(define-data-var last-bid-id uint u0)
(define-data-var active-validator-count uint u0)

;; Every micro-STX the contract holds belongs to exactly one of these buckets:
;; their sum equals the contract's balance (the solvency invariant).
(define-data-var market-totals {
  dataset-stakes: uint,
  validator-stakes: uint,
  escrowed-bids: uint,
  unclaimed-rewards: uint,
  treasury: uint,
} {
  dataset-stakes: u0,
  validator-stakes: u0,
  escrowed-bids: u0,
  unclaimed-rewards: u0,
  treasury: u0,
})

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
  last-settled-at: uint,
  registered-at: uint,
  active: bool,
})

(define-map bids uint {
  dataset-id: uint,
  bidder: principal,
  amount: uint,
  duration: uint,
  deadline: uint,
  status: uint,
  placed-at: uint,
  matched-at: uint,
  parameter-version: uint,
})

;; Doubly linked FIFO queue of waiting bids (u0 = none), so a cancelled or
;; expired bid leaves the queue in O(1) and the head is always a live bid.
(define-map queue-links uint { prev: uint, next: uint })

(define-map validators principal {
  stake: uint,
  active: bool,
  exit-requested-at: uint,
  ;; a vote locks the stake until the voted job's validation window closes
  locked-until: uint,
  registered-at: uint,
})

(define-map votes { bid-id: uint, validator: principal } {
  score: uint,
  weight: uint,
  claimed: bool,
})

(define-map job-tallies uint {
  vote-count: uint,
  weight-sum: uint,
  weighted-score-sum: uint,
  voters: (list 10 principal),
})

;; reward-pool and reward-weight shrink with every claim; the last coherent
;; claimant takes what is left, so no rounding dust is ever stranded.
(define-map job-results uint {
  final-score: uint,
  outcome: uint,
  provider-payment: uint,
  bidder-refund: uint,
  slashed-amount: uint,
  validator-fees: uint,
  protocol-fee: uint,
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

(define-private (distance (a uint) (b uint))
  (if (> a b) (- a b) (- b a))
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
  (let ((totals (var-get market-totals)))
    (var-set market-totals (merge totals { escrowed-bids: (- (get escrowed-bids totals) amount) }))
  )
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

;; One step of automatic matching: the queue head is matched when the dataset
;; is open and has a free slot, or refunded and skipped when it can no longer
;; meet its deadline.
(define-private (match-step
    (step uint)
    (prior (response {
      dataset-id: uint,
      open: bool,
      capacity: uint,
      active-jobs: uint,
      matched-jobs: uint,
      queue-head: uint,
      queue-tail: uint,
      queued-jobs: uint,
    } uint))
  )
  (let (
      (state (try! prior))
      (head (get queue-head state))
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
        (if (<= (+ burn-block-height (get duration bid)) (get deadline bid))
          (begin
            (map-set bids head (merge bid { status: STATUS_MATCHED, matched-at: burn-block-height }))
            (print { event: "bid-matched", bid-id: head, dataset-id: (get dataset-id state), bidder: (get bidder bid), matched-at: burn-block-height })
            (ok (merge state (merge queue {
              active-jobs: (+ (get active-jobs state) u1),
              matched-jobs: (+ (get matched-jobs state) u1),
            })))
          )
          (begin
            (try! (pay-out (get amount bid) (get bidder bid)))
            (escrow-released (get amount bid))
            (map-set bids head (merge bid { status: STATUS_EXPIRED }))
            (print { event: "bid-expired", bid-id: head, dataset-id: (get dataset-id state), bidder: (get bidder bid), refund: (get amount bid) })
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
      last-settled-at: uint,
      registered-at: uint,
      active: bool,
    })
  )
  (let (
      (state (try! (fold match-step QUEUE_STEPS (ok {
        dataset-id: dataset-id,
        open: (and (not (var-get paused)) (get active dataset)
                   (>= (get stake dataset) (get min-dataset-stake (var-get parameters)))),
        capacity: (get max-concurrent-jobs dataset),
        active-jobs: (get active-jobs dataset),
        matched-jobs: (get matched-jobs dataset),
        queue-head: (get queue-head dataset),
        queue-tail: (get queue-tail dataset),
        queued-jobs: (get queued-jobs dataset),
      }))))
    )
    (ok (merge dataset {
      active-jobs: (get active-jobs state),
      matched-jobs: (get matched-jobs state),
      queue-head: (get queue-head state),
      queue-tail: (get queue-tail state),
      queued-jobs: (get queued-jobs state),
    }))
  )
)

;; Adds the weight of each vote within the tolerance of the final score.
(define-private (sum-coherent-weight
    (voter principal)
    (acc { bid-id: uint, final-score: uint, tolerance: uint, coherent-weight: uint })
  )
  (match (map-get? votes { bid-id: (get bid-id acc), validator: voter })
    vote (if (<= (distance (get score vote) (get final-score acc)) (get tolerance acc))
      (merge acc { coherent-weight: (+ (get coherent-weight acc) (get weight vote)) })
      acc
    )
    acc
  )
)

;; Settles a job whose votes reached the quorum: pays the provider, refunds the
;; bidder, slashes a poor dataset, sets aside the validators' fees, and frees
;; the slot for the next queued bid.
(define-private (finalize-job
    (bid-id uint)
    (bid {
      dataset-id: uint,
      bidder: principal,
      amount: uint,
      duration: uint,
      deadline: uint,
      status: uint,
      placed-at: uint,
      matched-at: uint,
      parameter-version: uint,
    })
    (tally { vote-count: uint, weight-sum: uint, weighted-score-sum: uint, voters: (list 10 principal) })
  )
  (let (
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (dataset-id (get dataset-id bid))
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (amount (get amount bid))
      (weight-sum (get weight-sum tally))
      ;; every vote carries a stake of at least the minimum, so weight-sum > 0
      (final-score (/ (get weighted-score-sum tally) weight-sum))
      (reward-threshold (get reward-threshold params))
      (slash-threshold (get slash-threshold params))
      (payment (if (>= final-score reward-threshold)
        amount
        (if (> final-score slash-threshold)
          ;; linear from 0 at the slash threshold to the full amount at the reward threshold
          (/ (* amount (- final-score slash-threshold)) (- reward-threshold slash-threshold))
          u0)))
      (slashed (if (< final-score slash-threshold)
        (/ (* (get stake dataset) (get slash-rate-bps params)) BPS)
        u0))
      ;; validators are paid from the payment; on a slash, from the slashed stake,
      ;; so an honest low score earns as much as an honest high one
      (validator-fees (if (> payment u0)
        (/ (* payment (get validator-fee-bps params)) BPS)
        (min-of (/ (* amount (get validator-fee-bps params)) BPS) slashed)))
      (protocol-fee (/ (* payment (get protocol-fee-bps params)) BPS))
      ;; on a slash the fees came out of the stake, not the (zero) payment
      (provider-payment (if (> payment u0) (- payment validator-fees protocol-fee) u0))
      (bidder-refund (- amount payment))
      (coherent-weight (get coherent-weight (fold sum-coherent-weight (get voters tally) {
        bid-id: bid-id,
        final-score: final-score,
        tolerance: (get consensus-tolerance params),
        coherent-weight: u0,
      })))
      ;; outliers' shares go to the treasury now; coherent validators pull theirs
      (reward-pool (if (is-eq coherent-weight weight-sum)
        validator-fees
        (/ (* validator-fees coherent-weight) weight-sum)))
      (treasury-gain (- (+ slashed (- payment provider-payment)) reward-pool))
      (outcome (if (>= final-score reward-threshold)
        OUTCOME_REWARDED
        (if (< final-score slash-threshold) OUTCOME_SLASHED OUTCOME_PARTIAL)))
      (totals (var-get market-totals))
    )
    (try! (pay-out provider-payment (get provider dataset)))
    (try! (pay-out bidder-refund (get bidder bid)))
    (var-set market-totals (merge totals {
      dataset-stakes: (- (get dataset-stakes totals) slashed),
      escrowed-bids: (- (get escrowed-bids totals) amount),
      unclaimed-rewards: (+ (get unclaimed-rewards totals) reward-pool),
      treasury: (+ (get treasury totals) treasury-gain),
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
      reward-pool: reward-pool,
      reward-weight: coherent-weight,
      finalized-at: burn-block-height,
    })
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
      treasury-gain: treasury-gain,
    })
    ;; the freed slot goes to the next queued bid
    (map-set datasets dataset-id (try! (process-queue dataset-id (merge dataset {
      stake: (- (get stake dataset) slashed),
      active-jobs: (- (get active-jobs dataset) u1),
      validations: (+ (get validations dataset) u1),
      passed-validations: (+ (get passed-validations dataset) (if (is-eq outcome OUTCOME_REWARDED) u1 u0)),
      score-sum: (+ (get score-sum dataset) final-score),
      last-settled-at: burn-block-height,
    }))))
    (ok true)
  )
)

;; ---------------------------------------------------------------------------
;; Public: datasets and stakes
;; ---------------------------------------------------------------------------

;; Registers a dataset and locks its quality stake in the contract.
;; Caller: anyone (becomes the dataset's provider).
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_STAKE_TOO_LOW, ERR_EMPTY_METADATA_URI,
;;         ERR_INSUFFICIENT_FUNDS.
;; Event: dataset-registered. Returns the new dataset id.
(define-public (register-dataset (stake uint) (metadata-uri (string-ascii 256)))
  (let (
      (dataset-id (+ (var-get last-dataset-id) u1))
      (totals (var-get market-totals))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new business
    (asserts! (not (var-get paused)) ERR_PAUSED)
    ;; the quality stake must meet the minimum
    (asserts! (>= stake (get min-dataset-stake (var-get parameters))) ERR_STAKE_TOO_LOW)
    ;; a dataset must say where its metadata lives
    (asserts! (> (len metadata-uri) u0) ERR_EMPTY_METADATA_URI)
    (try! (deposit stake))
    (var-set market-totals (merge totals { dataset-stakes: (+ (get dataset-stakes totals) stake) }))
    (var-set last-dataset-id dataset-id)
    (map-set datasets dataset-id {
      provider: tx-sender,
      stake: stake,
      metadata-uri: metadata-uri,
      price-per-block: u0,
      max-concurrent-jobs: u1,
      active-jobs: u0,
      queued-jobs: u0,
      queue-head: u0,
      queue-tail: u0,
      matched-jobs: u0,
      validations: u0,
      passed-validations: u0,
      score-sum: u0,
      last-settled-at: u0,
      registered-at: burn-block-height,
      active: true,
    })
    (print { event: "dataset-registered", dataset-id: dataset-id, provider: tx-sender, stake: stake, metadata-uri: metadata-uri })
    (ok dataset-id)
  )
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
      (new-stake (+ (get stake dataset) amount))
      (totals (var-get market-totals))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a top-up must move STX
    (asserts! (> amount u0) ERR_ZERO_AMOUNT)
    ;; only the provider stakes on its dataset
    (asserts! (is-eq tx-sender (get provider dataset)) ERR_NOT_DATASET_PROVIDER)
    ;; a retired dataset cannot be revived
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    (try! (deposit amount))
    (var-set market-totals (merge totals { dataset-stakes: (+ (get dataset-stakes totals) amount) }))
    (print { event: "dataset-stake-added", dataset-id: dataset-id, amount: amount, stake: new-stake })
    (map-set datasets dataset-id (try! (process-queue dataset-id (merge dataset { stake: new-stake }))))
    (ok new-stake)
  )
)

;; Sets the provider's ask (micro-STX per Bitcoin block of training) and how many
;; jobs may run at once; queued bids are matched into any new slots.
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
    (print { event: "dataset-terms-set", dataset-id: dataset-id, price-per-block: price-per-block, max-concurrent-jobs: max-concurrent-jobs })
    (map-set datasets dataset-id (try! (process-queue dataset-id (merge dataset {
      price-per-block: price-per-block,
      max-concurrent-jobs: max-concurrent-jobs,
    }))))
    (ok true)
  )
)

;; Returns the remaining stake to the provider and retires the dataset.
;; Caller: the dataset's provider. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_DATASET_NOT_FOUND, ERR_NOT_DATASET_PROVIDER,
;;         ERR_DATASET_INACTIVE, ERR_DATASET_HAS_OPEN_JOBS, ERR_STAKE_LOCKED.
;; Event: dataset-withdrawn. Returns the amount paid out.
(define-public (withdraw-dataset-stake (dataset-id uint))
  (let (
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (provider (get provider dataset))
      (stake (get stake dataset))
      (totals (var-get market-totals))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the provider takes its stake back
    (asserts! (is-eq tx-sender provider) ERR_NOT_DATASET_PROVIDER)
    ;; a stake is paid out once
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    ;; a queued or running job could still need the stake for a slash
    (asserts! (and (is-eq (get active-jobs dataset) u0) (is-eq (get queued-jobs dataset) u0)) ERR_DATASET_HAS_OPEN_JOBS)
    ;; locked until validated, unless never used or idle for stake-lock-blocks
    (asserts! (or (> (get passed-validations dataset) u0)
                  (is-eq (get matched-jobs dataset) u0)
                  (> burn-block-height (+ (get last-settled-at dataset) (get stake-lock-blocks (var-get parameters)))))
              ERR_STAKE_LOCKED)
    (try! (pay-out stake provider))
    (var-set market-totals (merge totals { dataset-stakes: (- (get dataset-stakes totals) stake) }))
    (map-set datasets dataset-id (merge dataset { stake: u0, active: false }))
    (print { event: "dataset-withdrawn", dataset-id: dataset-id, provider: provider, amount: stake })
    (ok stake)
  )
)

;; ---------------------------------------------------------------------------
;; Public: computation bids and matching
;; ---------------------------------------------------------------------------

;; Escrows a bid for `duration` Bitcoin blocks of training on a dataset, to be
;; done by block `deadline`. It is matched at once when the dataset has a free
;; slot and no queue, otherwise it joins the dataset's FIFO queue.
;; Caller: anyone but the dataset's provider.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_DATASET_NOT_FOUND, ERR_DATASET_INACTIVE,
;;         ERR_DATASET_UNDERSTAKED, ERR_SELF_BID, ERR_BID_TOO_LOW, ERR_INVALID_DURATION,
;;         ERR_BID_BELOW_ASK, ERR_DEADLINE_UNREACHABLE, ERR_INSUFFICIENT_FUNDS.
;; Event: bid-placed, then bid-matched when matched at once. Returns the bid id.
(define-public (place-computation-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint))
  (let (
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (params (var-get parameters))
      (bid-id (+ (var-get last-bid-id) u1))
      (totals (var-get market-totals))
      (match-now (and (is-eq (get queue-head dataset) u0)
                      (< (get active-jobs dataset) (get max-concurrent-jobs dataset))))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new business
    (asserts! (not (var-get paused)) ERR_PAUSED)
    ;; a retired dataset takes no bids
    (asserts! (get active dataset) ERR_DATASET_INACTIVE)
    ;; a slashed dataset takes no bids until topped up
    (asserts! (>= (get stake dataset) (get min-dataset-stake params)) ERR_DATASET_UNDERSTAKED)
    ;; a provider cannot buy its own training (wash trading)
    (asserts! (not (is-eq tx-sender (get provider dataset))) ERR_SELF_BID)
    ;; bids below the market minimum are spam
    (asserts! (>= amount (get min-bid-amount params)) ERR_BID_TOO_LOW)
    ;; some training, but no more than the market allows
    (asserts! (and (> duration u0) (<= duration (get max-computation-duration params))) ERR_INVALID_DURATION)
    ;; the bid must meet the provider's ask
    (asserts! (>= amount (* (get price-per-block dataset) duration)) ERR_BID_BELOW_ASK)
    ;; the training must fit before the deadline
    (asserts! (<= (+ burn-block-height duration) deadline) ERR_DEADLINE_UNREACHABLE)
    (try! (deposit amount))
    (var-set market-totals (merge totals { escrowed-bids: (+ (get escrowed-bids totals) amount) }))
    (var-set last-bid-id bid-id)
    (map-set bids bid-id {
      dataset-id: dataset-id,
      bidder: tx-sender,
      amount: amount,
      duration: duration,
      deadline: deadline,
      status: (if match-now STATUS_MATCHED STATUS_QUEUED),
      placed-at: burn-block-height,
      matched-at: (if match-now burn-block-height u0),
      parameter-version: (get version params),
    })
    (print { event: "bid-placed", bid-id: bid-id, dataset-id: dataset-id, bidder: tx-sender, amount: amount, duration: duration, deadline: deadline })
    (if match-now
      (begin
        (print { event: "bid-matched", bid-id: bid-id, dataset-id: dataset-id, bidder: tx-sender, matched-at: burn-block-height })
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
    (asserts! (not (var-get paused)) ERR_PAUSED)
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

;; Refunds a bid that can no longer complete: a matched job past
;; deadline + validation-window without a final result, or a queued bid that can
;; no longer meet its deadline. No slash. A freed slot goes to the next queued bid.
;; Caller: anyone. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_BID_NOT_FOUND, ERR_BID_CLOSED, ERR_BID_NOT_EXPIRED.
;; Event: bid-expired. Returns the refund.
(define-public (expire-bid (bid-id uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset-id (get dataset-id bid))
      (dataset (unwrap! (map-get? datasets dataset-id) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (status (get status bid))
      (amount (get amount bid))
      (queued (is-eq status STATUS_QUEUED))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; settled, cancelled and expired bids hold no escrow
    (asserts! (or queued (is-eq status STATUS_MATCHED)) ERR_BID_CLOSED)
    ;; only a bid that can no longer complete is refunded
    (asserts! (if queued
                (> (+ burn-block-height (get duration bid)) (get deadline bid))
                (> burn-block-height (+ (get deadline bid) (get validation-window params))))
              ERR_BID_NOT_EXPIRED)
    (try! (pay-out amount (get bidder bid)))
    (escrow-released amount)
    (map-set bids bid-id (merge bid { status: STATUS_EXPIRED }))
    (print { event: "bid-expired", bid-id: bid-id, dataset-id: dataset-id, bidder: (get bidder bid), refund: amount })
    (map-set datasets dataset-id
      (if queued
        (merge dataset (unlink-bid {
          queue-head: (get queue-head dataset),
          queue-tail: (get queue-tail dataset),
          queued-jobs: (get queued-jobs dataset),
        } bid-id))
        (try! (process-queue dataset-id (merge dataset {
          active-jobs: (- (get active-jobs dataset) u1),
          last-settled-at: burn-block-height,
        })))))
    (ok amount)
  )
)

;; ---------------------------------------------------------------------------
;; Public: validators and validation
;; ---------------------------------------------------------------------------

;; Registers the caller as a validator with a stake.
;; Caller: anyone not already a validator.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_VALIDATOR_EXISTS,
;;         ERR_VALIDATOR_STAKE_TOO_LOW, ERR_INSUFFICIENT_FUNDS.
;; Event: validator-registered.
(define-public (register-validator (stake uint))
  (let ((totals (var-get market-totals)))
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new business
    (asserts! (not (var-get paused)) ERR_PAUSED)
    ;; one registration per principal
    (asserts! (is-none (map-get? validators tx-sender)) ERR_VALIDATOR_EXISTS)
    ;; vote weight needs stake at risk
    (asserts! (>= stake (get min-validator-stake (var-get parameters))) ERR_VALIDATOR_STAKE_TOO_LOW)
    (try! (deposit stake))
    (var-set market-totals (merge totals { validator-stakes: (+ (get validator-stakes totals) stake) }))
    (var-set active-validator-count (+ (var-get active-validator-count) u1))
    (map-set validators tx-sender {
      stake: stake,
      active: true,
      exit-requested-at: u0,
      locked-until: u0,
      registered-at: burn-block-height,
    })
    (print { event: "validator-registered", validator: tx-sender, stake: stake })
    (ok true)
  )
)

;; Starts a validator's exit: it stops voting at once and may withdraw after the
;; unbonding window. Caller: an active validator. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_VALIDATOR_NOT_FOUND, ERR_VALIDATOR_EXITING.
;; Event: validator-exit-requested. Returns the first block at which it may withdraw.
(define-public (request-validator-exit)
  (let (
      (validator (unwrap! (map-get? validators tx-sender) ERR_VALIDATOR_NOT_FOUND))
      (unbonded-at (+ burn-block-height (get validator-unbonding-blocks (var-get parameters))))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; an exit is requested once
    (asserts! (get active validator) ERR_VALIDATOR_EXITING)
    (var-set active-validator-count (- (var-get active-validator-count) u1))
    (map-set validators tx-sender (merge validator { active: false, exit-requested-at: burn-block-height }))
    (print { event: "validator-exit-requested", validator: tx-sender, unbonded-at: unbonded-at })
    ;; the first block at which withdraw-validator-stake succeeds
    (ok (max-of unbonded-at (+ (get locked-until validator) u1)))
  )
)

;; Returns an exiting validator's stake once unbonded and no vote of its is live.
;; Caller: the exiting validator. Works while paused.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_VALIDATOR_NOT_FOUND, ERR_VALIDATOR_NOT_EXITING,
;;         ERR_UNBONDING_NOT_OVER, ERR_VALIDATOR_STAKE_LOCKED.
;; Event: validator-withdrawn. Returns the amount paid out.
(define-public (withdraw-validator-stake)
  (let (
      (validator (unwrap! (map-get? validators tx-sender) ERR_VALIDATOR_NOT_FOUND))
      (stake (get stake validator))
      (totals (var-get market-totals))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; exit must be requested first
    (asserts! (not (get active validator)) ERR_VALIDATOR_NOT_EXITING)
    ;; the stake unbonds over a window
    (asserts! (>= burn-block-height (+ (get exit-requested-at validator) (get validator-unbonding-blocks (var-get parameters))))
              ERR_UNBONDING_NOT_OVER)
    ;; vote weight stays at stake until the voted jobs' windows close
    (asserts! (> burn-block-height (get locked-until validator)) ERR_VALIDATOR_STAKE_LOCKED)
    (try! (pay-out stake tx-sender))
    (var-set market-totals (merge totals { validator-stakes: (- (get validator-stakes totals) stake) }))
    (map-delete validators tx-sender)
    (print { event: "validator-withdrawn", validator: tx-sender, amount: stake })
    (ok stake)
  )
)

;; Records a validator's score (0-100) of a matched job's trained model, weighted
;; by its stake. The vote that reaches the quorum, min(validation-quorum, active
;; validators), finalizes the job at once: payment, refund and slash happen in
;; this transaction.
;; Caller: an active validator that is neither the job's provider nor its bidder.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_PAUSED, ERR_INVALID_SCORE, ERR_BID_NOT_FOUND,
;;         ERR_BID_DATASET_MISMATCH, ERR_JOB_NOT_RUNNING, ERR_VALIDATION_CLOSED,
;;         ERR_VALIDATOR_NOT_FOUND, ERR_VALIDATOR_EXITING, ERR_PARTY_CANNOT_VALIDATE,
;;         ERR_ALREADY_VOTED, ERR_TOO_MANY_VOTES.
;; Event: validation-submitted, then job-finalized on the deciding vote.
;; Returns true when this vote finalized the job.
(define-public (submit-validation-result (dataset-id uint) (bid-id uint) (score uint))
  (let (
      (bid (unwrap! (map-get? bids bid-id) ERR_BID_NOT_FOUND))
      (dataset (unwrap! (map-get? datasets (get dataset-id bid)) ERR_DATASET_NOT_FOUND))
      (params (unwrap! (map-get? parameter-history (get parameter-version bid)) ERR_UNKNOWN_PARAMETERS))
      (validator (unwrap! (map-get? validators tx-sender) ERR_VALIDATOR_NOT_FOUND))
      (closes-at (+ (get deadline bid) (get validation-window params)))
      (tally (default-to { vote-count: u0, weight-sum: u0, weighted-score-sum: u0, voters: (list) }
                         (map-get? job-tallies bid-id)))
      (weight (get stake validator))
      (new-tally {
        vote-count: (+ (get vote-count tally) u1),
        weight-sum: (+ (get weight-sum tally) weight),
        weighted-score-sum: (+ (get weighted-score-sum tally) (* score weight)),
        voters: (unwrap! (as-max-len? (append (get voters tally) tx-sender) u10) ERR_TOO_MANY_VOTES),
      })
      (finalizes (>= (get vote-count new-tally)
                     (min-of (get validation-quorum params) (var-get active-validator-count))))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a pause stops new votes
    (asserts! (not (var-get paused)) ERR_PAUSED)
    ;; scores are percentages
    (asserts! (<= score MAX_SCORE) ERR_INVALID_SCORE)
    ;; the job named must belong to the dataset named
    (asserts! (is-eq (get dataset-id bid) dataset-id) ERR_BID_DATASET_MISMATCH)
    ;; only a matched, unsettled job is validated
    (asserts! (is-eq (get status bid) STATUS_MATCHED) ERR_JOB_NOT_RUNNING)
    ;; votes close with the validation window
    (asserts! (<= burn-block-height closes-at) ERR_VALIDATION_CLOSED)
    ;; an exiting validator no longer votes
    (asserts! (get active validator) ERR_VALIDATOR_EXITING)
    ;; the parties never judge their own job
    (asserts! (not (or (is-eq tx-sender (get provider dataset)) (is-eq tx-sender (get bidder bid)))) ERR_PARTY_CANNOT_VALIDATE)
    ;; one vote per validator per job
    (asserts! (is-none (map-get? votes { bid-id: bid-id, validator: tx-sender })) ERR_ALREADY_VOTED)
    (map-set votes { bid-id: bid-id, validator: tx-sender } { score: score, weight: weight, claimed: false })
    (map-set job-tallies bid-id new-tally)
    (map-set validators tx-sender (merge validator { locked-until: (max-of (get locked-until validator) closes-at) }))
    (print { event: "validation-submitted", bid-id: bid-id, dataset-id: dataset-id, validator: tx-sender, score: score, weight: weight })
    (if finalizes (try! (finalize-job bid-id bid new-tally)) false)
    (ok finalizes)
  )
)

;; ---------------------------------------------------------------------------
;; Public: rewards
;; ---------------------------------------------------------------------------

;; Pays a validator its stake-weighted share of a finalized job's validator fees.
;; A vote further than consensus-tolerance from the final score earns nothing
;; (its share went to the treasury at finalization) and is marked claimed.
;; Caller: a validator that voted on the job. Works while paused.
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
      (coherent (<= (distance (get score vote) (get final-score result)) (get consensus-tolerance params)))
      (pool (get reward-pool result))
      (pool-weight (get reward-weight result))
      (reward (if coherent
        ;; the last coherent claimant takes the remainder, so no dust is left behind
        (if (>= weight pool-weight) pool (/ (* pool weight) pool-weight))
        u0))
      (totals (var-get market-totals))
    )
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; a share is paid once
    (asserts! (not (get claimed vote)) ERR_ALREADY_CLAIMED)
    (try! (pay-out reward tx-sender))
    (var-set market-totals (merge totals { unclaimed-rewards: (- (get unclaimed-rewards totals) reward) }))
    (map-set votes { bid-id: bid-id, validator: tx-sender } (merge vote { claimed: true }))
    (if coherent
      (map-set job-results bid-id (merge result { reward-pool: (- pool reward), reward-weight: (- pool-weight weight) }))
      true)
    (print { event: "validation-reward-claimed", bid-id: bid-id, validator: tx-sender, amount: reward, coherent: coherent })
    (ok reward)
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
  (begin
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the owner pauses
    (asserts! (is-eq tx-sender CONTRACT_OWNER) ERR_NOT_AUTHORIZED)
    (var-set paused pause)
    (print { event: "paused-set", paused: pause })
    (ok true)
  )
)

;; Sends treasury funds (slashes, protocol fees, outliers' shares) to a recipient.
;; Caller: the contract owner.
;; Errors: ERR_NOT_DIRECT_CALLER, ERR_NOT_AUTHORIZED, ERR_ZERO_AMOUNT, ERR_INSUFFICIENT_TREASURY,
;;         ERR_INVALID_RECIPIENT.
;; Event: treasury-withdrawn.
(define-public (withdraw-treasury (amount uint) (recipient principal))
  (let ((totals (var-get market-totals)))
    ;; no intermediary contract may act with the user's tx-sender
    (asserts! (is-eq tx-sender contract-caller) ERR_NOT_DIRECT_CALLER)
    ;; only the owner spends the treasury
    (asserts! (is-eq tx-sender CONTRACT_OWNER) ERR_NOT_AUTHORIZED)
    ;; a withdrawal must move STX
    (asserts! (> amount u0) ERR_ZERO_AMOUNT)
    ;; never more than the treasury holds: stakes, escrow and rewards are not the owner's
    (asserts! (<= amount (get treasury totals)) ERR_INSUFFICIENT_TREASURY)
    ;; paying the contract itself would move nothing out of the treasury
    (asserts! (not (is-eq recipient current-contract)) ERR_INVALID_RECIPIENT)
    (try! (pay-out amount recipient))
    (var-set market-totals (merge totals { treasury: (- (get treasury totals) amount) }))
    (print { event: "treasury-withdrawn", amount: amount, recipient: recipient })
    (ok amount)
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

(define-read-only (get-vote (bid-id uint) (validator principal))
  (map-get? votes { bid-id: bid-id, validator: validator })
)

(define-read-only (get-job-tally (bid-id uint))
  (map-get? job-tallies bid-id)
)

(define-read-only (get-job-result (bid-id uint))
  (map-get? job-results bid-id)
)

(define-read-only (get-queue-link (bid-id uint))
  (map-get? queue-links bid-id)
)

(define-read-only (get-parameters)
  (var-get parameters)
)

(define-read-only (get-parameters-at (version uint))
  (map-get? parameter-history version)
)

(define-read-only (get-market-totals)
  (var-get market-totals)
)

(define-read-only (get-contract-balance)
  (stx-get-balance current-contract)
)

(define-read-only (get-active-validator-count)
  (var-get active-validator-count)
)

(define-read-only (get-last-ids)
  { dataset-id: (var-get last-dataset-id), bid-id: (var-get last-bid-id) }
)

(define-read-only (is-paused)
  (var-get paused)
)

(define-read-only (get-contract-owner)
  CONTRACT_OWNER
)
