;; Exports `test:demo/greet` with the wrong type (`hello: func(name: u32) -> u32`), for
;; the type-mismatch error of `weft run --link` (tests/cli_component.rs).
(component
  (core module $m (func (export "hello") (param i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m))
  (func $hello (param "name" u32) (result u32) (canon lift (core func $i "hello")))
  (instance $greet (export "hello" (func $hello)))
  (export "test:demo/greet" (instance $greet)))
