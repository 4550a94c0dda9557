;; The README's usage example, replayed in the console:
;;   npm run console -- examples/readme-usage.clar
;; Actors: wallet_1 is the data provider, wallet_2 the ML developer (bidder),
;; wallet_3 the validator. `.neural-training-market` is the deployer's contract.

;; A validator registers first, so the job gets a one-seat committee when it is matched
;; (a job's committee seats only validators registered before its match).
::set_tx_sender wallet_3
(contract-call? .neural-training-market register-validator u1000000)

;; 1. The provider registers a dataset with a 1 STX quality stake.
::set_tx_sender wallet_1
(contract-call? .neural-training-market register-dataset u1000000 "ipfs://dataset-metadata")

;; 2. The ML developer escrows 0.5 STX for 100 blocks of training, due by block 150.
::set_tx_sender wallet_2
(contract-call? .neural-training-market place-computation-bid u1 u500000 u100 u150)

;; 3. The validator scores the trained model 85/100: the job is finalized and the provider paid
;;    0.47 STX (the bid less the 5% validator fee and the 1% protocol fee).
::set_tx_sender wallet_3
(contract-call? .neural-training-market submit-validation-result u1 u1 u85)

;; 4. The validator claims its share of the 5% validator fee.
(contract-call? .neural-training-market claim-validation-reward u1)

;; Balances afterwards: the contract still holds the two stakes (2 STX) and, in its treasury,
;; the 0.005 STX protocol fee.
::get_assets_maps
