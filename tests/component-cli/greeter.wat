;; Imports `test:demo/greet` and exports `relay: func(name: string) -> string`, which
;; returns what the import's `hello` returns, for `weft run --link` (tests/cli_component.rs).
(component
  (import "test:demo/greet" (instance $greet
    (export "hello" (func (param "name" string) (result string)))))
  (alias export $greet "hello" (func $hello))
  ;; The memory and allocator, in a module of their own so that `hello` can be lowered
  ;; with them before the main module (which imports it) is instantiated.
  (core module $mem
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (i32.and
        (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $at) (local.get 3)))
      (local.get $at)))
  (core instance $mem (instantiate $mem))
  (core func $hello-core (canon lower (func $hello)
    (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core module $main
    (import "host" "hello" (func $hello (param i32 i32 i32)))
    ;; `hello` stores the result's pointer and length at 32; lifting reads them there.
    (func (export "relay") (param i32 i32) (result i32)
      (call $hello (local.get 0) (local.get 1) (i32.const 32))
      (i32.const 32)))
  (core instance $main (instantiate $main
    (with "host" (instance (export "hello" (func $hello-core))))))
  (func (export "relay") (param "name" string) (result string)
    (canon lift (core func $main "relay")
      (memory (core memory $mem "mem")) (realloc (core func $mem "realloc")))))
