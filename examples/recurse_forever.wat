;; recurse_forever.wat: `_start` recurses without end until the interpreter's call stack
;; limit is reached, which traps instead of crashing the host:
;;
;;   cargo run --release -- run examples/recurse_forever.wat
;;   error: wasm trap: call stack exhausted
(module
  (func $recurse (param $depth i64)
    (call $recurse (i64.add (local.get $depth) (i64.const 1))))
  (func $start (export "_start")
    (call $recurse (i64.const 0))))
