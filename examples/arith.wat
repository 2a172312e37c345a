;; arith.wat: one function per value type, to show how `weft run` parses arguments
;; (decimal, negative, 0x-hex, unsigned; floats with nan/inf) and prints results.
;;
;;   cargo run --release -- run examples/arith.wat --invoke add 0x10 -1      # 15
;;   cargo run --release -- run examples/arith.wat --invoke add 4294967295 0 # -1
;;   cargo run --release -- run examples/arith.wat --invoke div_f64 1 0      # inf
;;   cargo run --release -- run examples/arith.wat --invoke swap 1 2         # 2, then 1
(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "add_i64") (param i64 i64) (result i64)
    (i64.add (local.get 0) (local.get 1)))
  (func (export "mul_f32") (param f32 f32) (result f32)
    (f32.mul (local.get 0) (local.get 1)))
  (func (export "div_f64") (param f64 f64) (result f64)
    (f64.div (local.get 0) (local.get 1)))
  ;; Multiple results are printed one per line.
  (func (export "swap") (param i32 i32) (result i32 i32)
    (local.get 1)
    (local.get 0)))
