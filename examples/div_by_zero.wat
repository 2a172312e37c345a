;; div_by_zero.wat: a trap deep in a call chain. The function names come from the
;; module's name section, so the backtrace shows where it happened:
;;
;;   cargo run --release -- run examples/div_by_zero.wat
;;   error: wasm trap: integer divide by zero
;;   wasm backtrace:
;;     0: divide
;;     1: average
;;     2: _start
(module
  (func $divide (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))
  ;; The average of an empty list: sum 0 divided by count 0.
  (func $average (param $sum i32) (param $count i32) (result i32)
    (call $divide (local.get $sum) (local.get $count)))
  (func $_start (export "_start")
    (drop (call $average (i32.const 0) (i32.const 0)))))
