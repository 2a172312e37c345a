;; factorial.wat: n! in i64, recursively and with a loop (both wrap around past 20!).
;;
;;   cargo run --release -- run examples/factorial.wat --invoke fac 20
;;   2432902008176640000
;;   cargo run --release -- run examples/factorial.wat --invoke fac_loop 5
;;   120
(module
  (func $fac (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.le_s (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fac (i64.sub (local.get $n) (i64.const 1)))))))

  (func $fac_loop (export "fac_loop") (param $n i64) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $step
        (br_if $done (i64.le_s (local.get $n) (i64.const 1)))
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $step)))
    (local.get $acc)))
