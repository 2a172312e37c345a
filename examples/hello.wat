;; hello.wat: the smallest useful Weft demo.
;;
;; There is no WASI yet, so a module cannot print; instead it exports a function whose
;; result `weft run` prints. This one computes Fibonacci numbers iteratively in i64.
;;
;;   cargo run --release -- run examples/hello.wat --invoke fib 90
;;   2880067194370816120
(module
  ;; fib(0) = 0, fib(1) = 1, fib(n) = fib(n-1) + fib(n-2); wraps around past fib(92).
  (func $fib (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $next i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $step
        ;; while n > 0: (a, b) = (b, a + b); n -= 1
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $next (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $next))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $step)))
    (local.get $a)))
