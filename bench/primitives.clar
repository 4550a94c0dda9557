;; primitives: one Clarity operation per public function, measured by bench/index.ts against `noop`
;; to show what each storage access costs on this simnet (the cost model behind the results).

(define-data-var counter uint u0)
(define-data-var record { a: uint, b: uint, c: uint, d: uint, e: uint } { a: u0, b: u0, c: u0, d: u0, e: u0 })
(define-map records uint { a: uint, b: uint, c: uint, d: uint, e: uint })
(map-set records u1 { a: u1, b: u2, c: u3, d: u4, e: u5 })

(define-public (noop) (ok true))
(define-public (read-burn-block-height) (ok burn-block-height))
(define-public (read-burn-block-height-twice) (ok (+ burn-block-height burn-block-height)))
(define-public (var-get-uint) (ok (var-get counter)))
(define-public (var-get-tuple) (ok (var-get record)))
(define-public (var-set-uint) (ok (var-set counter u7)))
(define-public (var-set-tuple) (ok (var-set record { a: u1, b: u2, c: u3, d: u4, e: u5 })))
(define-public (map-get-tuple) (ok (map-get? records u1)))
(define-public (map-get-missing) (ok (map-get? records u2)))
(define-public (map-set-tuple) (ok (map-set records u1 { a: u1, b: u2, c: u3, d: u4, e: u5 })))
(define-public (stx-transfer-in) (stx-transfer? u100 tx-sender current-contract))
(define-public (stx-transfer-out (recipient principal))
  (as-contract? ((with-stx u100)) (try! (stx-transfer? u100 current-contract recipient))))
(define-public (print-tuple) (begin (print { event: "x", a: u1, b: u2, c: u3, d: u4 }) (ok true)))
