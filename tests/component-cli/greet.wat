;; Exports the interface `test:demo/greet` (`hello: func(name: string) -> string`,
;; returning "hello, " ++ name), for `weft run --link` (tests/cli_component.rs).
(component
  (core module $m
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (data (i32.const 512) "hello, ")
    ;; A bump allocator: `realloc(0, 0, align, size)`.
    (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (i32.and
        (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $at) (local.get 3)))
      (local.get $at))
    (func (export "hello") (param $ptr i32) (param $len i32) (result i32)
      (local $out i32)
      (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.add (local.get $len) (i32.const 7))))
      (memory.copy (local.get $out) (i32.const 512) (i32.const 7))
      (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $ptr) (local.get $len))
      (i32.store (i32.const 32) (local.get $out))
      (i32.store (i32.const 36) (i32.add (local.get $len) (i32.const 7)))
      (i32.const 32)))
  (core instance $i (instantiate $m))
  (func $hello (param "name" string) (result string)
    (canon lift (core func $i "hello") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (instance $greet (export "hello" (func $hello)))
  (export "test:demo/greet" (instance $greet)))
