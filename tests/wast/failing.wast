;; failing.wast: a script with one wrong expectation; `tests/cli.rs` expects
;; "2 passed, 1 failed" with the failure reported at line 6, column 2 (the keyword).
(module
  (func (export "one") (result i32) (i32.const 1)))
(assert_return (invoke "one") (i32.const 1))
(assert_return (invoke "one") (i32.const 2))
