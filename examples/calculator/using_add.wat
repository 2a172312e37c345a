;; A consumer of the calculator demo host: it imports `add` from module `calculator`, with
;; the core type the canonical ABI gives `add: func(lh: s32, rh: s32) -> s32` in
;; calculator.wit, and exports `consume_add`, which asks the host for the sum.
;;
;;   weft run examples/calculator/using_add.wat --invoke consume_add 1 2    # prints 3
(module
  (import "calculator" "add" (func $add (param i32 i32) (result i32)))
  (func (export "consume_add") (param $lh i32) (param $rh i32) (result i32)
    local.get $lh
    local.get $rh
    call $add))
