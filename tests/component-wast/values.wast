;; Weft's own component script: component values through `weft wast`, the host instance,
;; traps and rejected components. Every directive here must pass.

(component
  (core module $m
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      global.get $bump
      local.get 2
      i32.add
      i32.const -1
      i32.add
      i32.const 0
      local.get 2
      i32.sub
      i32.and
      local.tee $p
      local.get 3
      i32.add
      global.set $bump
      local.get $p)
    (func (export "add") (param i32 i32) (result i32)
      local.get 0 local.get 1 i32.add)
    ;; (ptr, len) of a string -> pointer to (ptr, len): the same string back.
    (func (export "echo") (param i32 i32) (result i32)
      i32.const 16 local.get 0 i32.store
      i32.const 20 local.get 1 i32.store
      i32.const 16)
    (func (export "boom") unreachable))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add")))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (func (export "boom") (canon lift (core func $i "boom"))))

(assert_return (invoke "add" (u32.const 40) (u32.const 2)) (u32.const 42))
(assert_return (invoke "add" (u32.const 4294967295) (u32.const 1)) (u32.const 0))
(assert_return (invoke "echo" (str.const "")) (str.const ""))
(assert_return (invoke "echo" (str.const "weft ∷ Ünïcödé")) (str.const "weft ∷ Ünïcödé"))
(invoke "add" (u32.const 1) (u32.const 2))
(assert_trap (invoke "boom") "unreachable")

;; A named instance can be invoked by name.
(component $host-user
  (import "host" (instance $h (export "return-three" (func (result u32)))))
  (export "three" (func $h "return-three")))
(assert_return (invoke $host-user "three") (u32.const 3))

(assert_invalid
  (component (export "a" (func 0)))
  "unknown function")
(assert_malformed
  (component quote "(export \"a\" (func $undefined))")
  "unknown")
(assert_unlinkable
  (component (import "no-such-import" (func)))
  "not defined")
