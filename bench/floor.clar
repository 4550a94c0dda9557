;; floor: the cost benchmark's reference contract (bench/index.ts), never deployed for real.
;; Each public function has the name and arguments of a neural-training-market function and does
;; only what that operation fundamentally needs: the STX transfer it makes (if any) and ONE write
;; of the same record type: a map entry, or for set-paused and withdraw-treasury (which change only
;; global state) the market's one global record. No checks, no id counter, no totals, no events.
;; A vote is a seat of its job's committee record (the market keeps no other vote record), so the
;; validation floors write the committee record. The batch forms (commit-validation-results,
;; reveal-validation-results, claim-validation-rewards) take the same list and do only the writes:
;; one record per entry, no transfer.

(define-map datasets uint {
  provider: principal, stake: uint, metadata-uri: (string-ascii 256), price-per-block: uint,
  max-concurrent-jobs: uint, active-jobs: uint, queued-jobs: uint, queue-head: uint, queue-tail: uint,
  matched-jobs: uint, validations: uint, passed-validations: uint, score-sum: uint, non-deliveries: uint,
  last-settled-at: uint, registered-at: uint, active: bool,
})

(define-map bids uint {
  dataset-id: uint, bidder: principal, amount: uint, duration: uint, deadline: uint, status: uint,
  placed-at: uint, matched-at: uint, matched-block: uint, validators-at-match: uint, registrations-at-match: uint,
  pauses-at-match: uint, verified: bool, compute-fee: uint, parameter-version: uint,
})

(define-map job-deliveries uint {
  spec: (buff 32), eval-commitment: (buff 32), model: (optional (buff 32)), delivered-at: uint,
  eval-digest: (optional (buff 32)), eval-revealed-at: uint,
})

(define-map validators principal {
  stake: uint, active: bool, index: uint, open-seats: uint, exit-requested-at: uint, registered-at: uint,
  ordinal: uint, registered-after-proposal: uint,
})

(define-map committees uint {
  seats: (list 10 principal), weights: (list 10 uint), total-weight: uint, commits: uint, reveals: uint,
  revealed-weight: uint, revealed: (list 10 { score: uint, weight: uint }), commitments: (list 10 (buff 32)),
  scores: (list 10 uint), seat-states: (list 10 uint), running: bool, verified: bool, open: bool,
  commit-closes-at: uint, reveal-closes-at: uint, scored: bool, final-score: uint, tolerance: uint,
  reward-pool: uint, reward-weight: uint,
})

(define-map job-results uint {
  final-score: uint, outcome: uint, provider-payment: uint, bidder-refund: uint, slashed-amount: uint,
  validator-fees: uint, protocol-fee: uint, penalties: uint, reward-pool: uint, reward-weight: uint,
  finalized-at: uint,
})

(define-map proposals uint {
  proposer: principal, parameter: (string-ascii 32), value: uint, base-version: uint, created-at: uint, voting-ends-at: uint,
  executable-at: uint, expires-at: uint, quorum-bps: uint, total-stake: uint, yes-votes: uint, no-votes: uint,
  executed: bool,
})

(define-map proposal-votes { proposal-id: uint, voter: principal } { support: bool, weight: uint })

(define-map parameter-history uint {
  version: uint, min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint,
  max-computation-duration: uint, max-bid-wait: uint, decline-window: uint, eval-reveal-window: uint,
  non-delivery-slash-bps: uint, stake-lock-blocks: uint, validation-window: uint, reveal-window: uint,
  validator-unbonding-blocks: uint, committee-size: uint, min-reveals-bps: uint, reward-threshold: uint,
  slash-threshold: uint, slash-rate-bps: uint, validator-fee-bps: uint, protocol-fee-bps: uint,
  validator-penalty-bps: uint, consensus-tolerance: uint, voting-period: uint, execution-delay: uint,
  governance-quorum-bps: uint, proposal-threshold: uint,
})

;; A global state record with the market's field values at their defaults.
(define-private (market-record (pause bool))
  { paused: pause, pauses: u0, last-dataset-id: u0, last-bid-id: u0, last-proposal-id: u0,
    active-validator-count: u0, validator-registrations: u0, votes-open-until: u0, dataset-stakes: u0,
    validator-stakes: u0, escrowed-bids: u0, unclaimed-rewards: u0, treasury: u0, parameter-version: u1,
    min-dataset-stake: u1000000, min-validator-stake: u1000000, min-bid-amount: u100000,
    max-computation-duration: u4320, max-bid-wait: u4320, committee-size: u5, validation-window: u144,
    reveal-window: u144 }
)

;; The market's global state record (set-paused and withdraw-treasury write it whole).
(define-data-var market {
  paused: bool, pauses: uint, last-dataset-id: uint, last-bid-id: uint, last-proposal-id: uint,
  active-validator-count: uint, validator-registrations: uint, votes-open-until: uint, dataset-stakes: uint,
  validator-stakes: uint, escrowed-bids: uint, unclaimed-rewards: uint, treasury: uint, parameter-version: uint,
  min-dataset-stake: uint, min-validator-stake: uint, min-bid-amount: uint, max-computation-duration: uint,
  max-bid-wait: uint, committee-size: uint, validation-window: uint, reveal-window: uint,
} (market-record false))

;; The load baseline: a call that reads nothing but the contract itself.
(define-read-only (get-contract-owner) tx-sender)

(define-private (deposit (amount uint))
  (stx-transfer? amount tx-sender current-contract)
)

(define-private (pay-out (amount uint) (recipient principal))
  (as-contract? ((with-stx amount)) (try! (stx-transfer? amount current-contract recipient)))
)

(define-private (dataset-record (provider principal) (stake uint) (metadata-uri (string-ascii 256)))
  { provider: provider, stake: stake, metadata-uri: metadata-uri, price-per-block: u0, max-concurrent-jobs: u1,
    active-jobs: u0, queued-jobs: u0, queue-head: u0, queue-tail: u0, matched-jobs: u0, validations: u0,
    passed-validations: u0, score-sum: u0, non-deliveries: u0, last-settled-at: u0, registered-at: u0, active: true }
)

(define-private (bid-record (dataset-id uint) (amount uint) (duration uint) (deadline uint) (status uint))
  { dataset-id: dataset-id, bidder: tx-sender, amount: amount, duration: duration, deadline: deadline,
    status: status, placed-at: u0, matched-at: u0, matched-block: u0, validators-at-match: u0,
    registrations-at-match: u0, pauses-at-match: u0, verified: false, compute-fee: u0, parameter-version: u1 }
)

(define-private (delivery-record (model (optional (buff 32))) (eval-digest (optional (buff 32))))
  { spec: 0x0000000000000000000000000000000000000000000000000000000000000000,
    eval-commitment: 0x0000000000000000000000000000000000000000000000000000000000000000,
    model: model, delivered-at: u0, eval-digest: eval-digest, eval-revealed-at: u0 }
)

(define-private (validator-record (stake uint) (active bool))
  { stake: stake, active: active, index: u0, open-seats: u0, exit-requested-at: u0, registered-at: u0,
    ordinal: u0, registered-after-proposal: u0 }
)

(define-private (seat-commitment (who principal)) 0x0000000000000000000000000000000000000000000000000000000000000000)

;; A committee record of `seats` (2 STX each), every seat in `state` with `commitment` and `score`,
;; as the market holds it while its job runs.
(define-private (committee-record (seats (list 10 principal)) (commitment (buff 32)) (score uint) (state uint))
  { seats: seats, weights: (map seat-weight seats), total-weight: (* u2000000 (len seats)), commits: u0, reveals: u0,
    revealed-weight: u0, revealed: (list), commitments: (map seat-commitment-of seats (list commitment commitment commitment commitment commitment)),
    scores: (map seat-score seats (list score score score score score)), seat-states: (map seat-score seats (list state state state state state)),
    running: true, verified: false, open: true, commit-closes-at: u0, reveal-closes-at: u0, scored: false, final-score: u0,
    tolerance: u0, reward-pool: u0, reward-weight: u0 }
)

(define-private (seat-weight (who principal)) u2000000)
(define-private (seat-commitment-of (who principal) (commitment (buff 32))) commitment)
(define-private (seat-score (who principal) (value uint)) value)

;; A job's five-seat committee (the plain path's), and a one-seat committee.
(define-private (five-seats (commitment (buff 32)) (score uint) (state uint))
  (committee-record (list tx-sender tx-sender tx-sender tx-sender tx-sender) commitment score state)
)
(define-private (one-seat (commitment (buff 32)) (score uint) (state uint))
  (committee-record (list tx-sender) commitment score state)
)

(define-private (job-result (payment uint))
  { final-score: u85, outcome: u1, provider-payment: payment, bidder-refund: u0, slashed-amount: u0,
    validator-fees: u0, protocol-fee: u0, penalties: u0, reward-pool: u0, reward-weight: u0, finalized-at: u0 }
)

;; datasets

(define-public (register-dataset (stake uint) (metadata-uri (string-ascii 256)))
  (begin
    (try! (deposit stake))
    (ok (map-set datasets u1 (dataset-record tx-sender stake metadata-uri)))
  )
)

(define-public (add-dataset-stake (dataset-id uint) (amount uint))
  (begin
    (try! (deposit amount))
    (ok (map-set datasets dataset-id (dataset-record tx-sender amount "ipfs://dataset-metadata")))
  )
)

(define-public (set-dataset-terms (dataset-id uint) (price-per-block uint) (max-concurrent-jobs uint))
  (ok (map-set datasets dataset-id (merge (dataset-record tx-sender u0 "ipfs://dataset-metadata")
    { price-per-block: price-per-block, max-concurrent-jobs: max-concurrent-jobs })))
)

(define-public (withdraw-dataset-stake (dataset-id uint))
  (begin
    (try! (pay-out u1000000 tx-sender))
    (ok (map-set datasets dataset-id (merge (dataset-record tx-sender u0 "ipfs://dataset-metadata") { active: false })))
  )
)

(define-public (register-dataset-with-terms (stake uint) (metadata-uri (string-ascii 256)) (price-per-block uint) (max-concurrent-jobs uint))
  (begin
    (try! (deposit stake))
    (ok (map-set datasets u1 (merge (dataset-record tx-sender stake metadata-uri)
      { price-per-block: price-per-block, max-concurrent-jobs: max-concurrent-jobs })))
  )
)

(define-public (retire-dataset (dataset-id uint))
  (ok (map-set datasets dataset-id (merge (dataset-record tx-sender u1000000 "ipfs://dataset-metadata") { active: false })))
)

;; bids

(define-public (place-computation-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint))
  (begin
    (try! (deposit amount))
    (ok (map-set bids u1 (bid-record dataset-id amount duration deadline u2)))
  )
)

;; a verified bid: the escrow and the bid record (with its compute fee), as place-computation-bid's
;; floor, so the two ratios compare directly (the spec and the evaluation-set commitment are the
;; contract's second record, job-deliveries)
(define-public (place-training-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint)
                                   (spec (buff 32)) (eval-commitment (buff 32)))
  (begin
    (try! (deposit amount))
    (ok (map-set bids u1 (merge (bid-record dataset-id amount duration deadline u2) { verified: true, compute-fee: u100000 })))
  )
)

(define-public (match-queued-bids (dataset-id uint))
  (ok (map-set bids u1 (bid-record dataset-id u500000 u10 u100 u2)))
)

(define-public (cancel-bid (bid-id uint))
  (begin
    (try! (pay-out u500000 tx-sender))
    (ok (map-set bids bid-id (bid-record u1 u500000 u10 u100 u4)))
  )
)

(define-public (expire-bid (bid-id uint))
  (begin
    (try! (pay-out u500000 tx-sender))
    (ok (map-set bids bid-id (bid-record u1 u500000 u10 u100 u5)))
  )
)

;; a verified job whose bidder never revealed its evaluation set: the provider's payment and the job's result
(define-public (expire-bid-default (bid-id uint))
  (begin
    (try! (pay-out u376000 tx-sender))
    (ok (map-set job-results bid-id (merge (job-result u376000) { final-score: u101, outcome: u7 })))
  )
)

;; the provider refuses a fresh job: the bidder's refund
(define-public (decline-job (bid-id uint))
  (begin
    (try! (pay-out u500000 tx-sender))
    (ok (map-set bids bid-id (bid-record u1 u500000 u10 u100 u4)))
  )
)

;; verified jobs

;; the model's digest, and the compute fee paid to the provider
(define-public (deliver-model (bid-id uint) (model (buff 32)))
  (begin
    (try! (pay-out u94000 tx-sender))
    (ok (map-set job-deliveries bid-id (delivery-record (some model) none)))
  )
)

;; the evaluation set's digest (the floor does not check it against the commitment; the model slot
;; holds a 32-byte value, as the real record does by then)
(define-public (reveal-evaluation-set (bid-id uint) (eval-digest (buff 32)) (salt (buff 32)))
  (ok (map-set job-deliveries bid-id (delivery-record (some salt) (some eval-digest))))
)

;; validators and validation

(define-public (register-validator (stake uint))
  (begin
    (try! (deposit stake))
    (ok (map-set validators tx-sender (validator-record stake true)))
  )
)

(define-public (request-validator-exit)
  (ok (map-set validators tx-sender (validator-record u2000000 false)))
)

(define-public (withdraw-validator-stake)
  (begin
    (try! (pay-out u2000000 tx-sender))
    (ok (map-delete validators tx-sender))
  )
)

(define-public (draw-committee (bid-id uint))
  (ok (map-set committees bid-id (five-seats (seat-commitment tx-sender) u0 u0)))
)

;; the one-seat committee of `submit-validation-result`
(define-public (draw-committee-one-seat (bid-id uint))
  (ok (map-set committees bid-id (one-seat (seat-commitment tx-sender) u0 u0)))
)

;; a vote is its seat in the committee record: the commitment, then the score
(define-public (commit-validation-result (bid-id uint) (commitment (buff 32)))
  (ok (map-set committees bid-id (five-seats commitment u0 u1)))
)

(define-public (reveal-validation-result (bid-id uint) (score uint) (salt (buff 32)))
  (ok (map-set committees bid-id (five-seats salt score u2)))
)

;; the reveal that completes the committee: the provider's payment and the job's result
(define-public (reveal-validation-result-final (bid-id uint) (score uint) (salt (buff 32)))
  (begin
    (try! (pay-out u470000 tx-sender))
    (ok (map-set job-results bid-id (job-result u470000)))
  )
)

(define-public (submit-validation-result (dataset-id uint) (bid-id uint) (score uint))
  (begin
    (try! (pay-out u470000 tx-sender))
    (ok (map-set job-results bid-id (job-result u470000)))
  )
)

(define-public (finalize-validation (bid-id uint))
  (begin
    (try! (pay-out u470000 tx-sender))
    (ok (map-set job-results bid-id (job-result u470000)))
  )
)

(define-public (claim-validation-reward (bid-id uint))
  (begin
    (try! (pay-out u5000 tx-sender))
    (ok (map-set committees bid-id (five-seats (seat-commitment tx-sender) u85 u12)))
  )
)

;; batches: one committee (or result) record per entry, nothing else

(define-private (commit-entry (entry { bid-id: uint, commitment: (buff 32) }) (count uint))
  (begin (map-set committees (get bid-id entry) (one-seat (get commitment entry) u0 u1)) (+ count u1))
)

(define-public (commit-validation-results (commits (list 25 { bid-id: uint, commitment: (buff 32) })))
  (ok (fold commit-entry commits u0))
)

;; each entry completes its one-seat committee: the job's result
(define-private (reveal-entry (entry { bid-id: uint, score: uint, salt: (buff 32) }) (count uint))
  (begin (map-set job-results (get bid-id entry) (merge (job-result u470000) { final-score: (get score entry) })) (+ count u1))
)

(define-public (reveal-validation-results (reveals (list 25 { bid-id: uint, score: uint, salt: (buff 32) })))
  (ok (fold reveal-entry reveals u0))
)

(define-private (claim-entry (bid-id uint) (count uint))
  (begin (map-set committees bid-id (one-seat (seat-commitment tx-sender) u85 u12)) (+ count u1))
)

(define-public (claim-validation-rewards (bid-ids (list 25 uint)))
  (ok (fold claim-entry bid-ids u0))
)

;; governance

(define-public (propose-parameter-change (parameter (string-ascii 32)) (value uint))
  (ok (map-set proposals u1 { proposer: tx-sender, parameter: parameter, value: value, base-version: u1, created-at: u0,
    voting-ends-at: u0, executable-at: u0, expires-at: u0, quorum-bps: u0, total-stake: u0, yes-votes: u0,
    no-votes: u0, executed: false }))
)

(define-public (vote-on-proposal (proposal-id uint) (support bool))
  (ok (map-set proposal-votes { proposal-id: proposal-id, voter: tx-sender } { support: support, weight: u0 }))
)

(define-public (execute-proposal (proposal-id uint))
  (ok (map-set parameter-history u2 {
    version: u2, min-dataset-stake: u1000000, min-validator-stake: u1000000, min-bid-amount: u100000,
    max-computation-duration: u4320, max-bid-wait: u4320, decline-window: u6, eval-reveal-window: u144,
    non-delivery-slash-bps: u1000, stake-lock-blocks: u4320, validation-window: u144, reveal-window: u144,
    validator-unbonding-blocks: u144, committee-size: u1, min-reveals-bps: u5001, reward-threshold: u70,
    slash-threshold: u40, slash-rate-bps: u5000, validator-fee-bps: u500, protocol-fee-bps: u100,
    validator-penalty-bps: u100, consensus-tolerance: u15, voting-period: u1008, execution-delay: u144,
    governance-quorum-bps: u2000, proposal-threshold: u1000000 }))
)

;; administration

(define-public (set-paused (pause bool))
  (ok (var-set market (market-record pause)))
)

(define-public (withdraw-treasury (amount uint) (recipient principal))
  (begin
    (try! (pay-out amount recipient))
    (ok (var-set market (market-record false)))
  )
)

(define-public (sweep-surplus)
  (ok (var-set market (market-record false)))
)
