;;! component_model_gc = true
;; The `gc` canonical option for plain values: numbers, bool, char, enum and flags pass as
;; one core value each, and flat parameters never spill to memory (no `memory` option is
;; given, so a spill would be refused).

(component
  (component $callee
    (core module $m
      (func (export "add") (param i32 i64 f32 f64) (result f64)
        (f64.add
          (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
          (f64.add (f64.promote_f32 (local.get 2)) (local.get 3))))
      ;; 17 parameters: more than MAX_FLAT_PARAMS, still passed as core values.
      (func (export "sum17")
        (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
        (result i32)
        (local $i i32) (local $s i32)
        local.get 0 local.get 1 i32.add local.get 2 i32.add local.get 3 i32.add
        local.get 4 i32.add local.get 5 i32.add local.get 6 i32.add local.get 7 i32.add
        local.get 8 i32.add local.get 9 i32.add local.get 10 i32.add local.get 11 i32.add
        local.get 12 i32.add local.get 13 i32.add local.get 14 i32.add local.get 15 i32.add
        local.get 16 i32.add)
      (func (export "next") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func (export "bad-char") (result i32) (i32.const 0xd800)))
    (core instance $i (instantiate $m))
    (type $e (enum "a" "b" "c"))
    (export $e' "e" (type $e))
    (func (export "add") (param "a" s32) (param "b" s64) (param "c" f32) (param "d" f64)
      (result f64)
      (canon lift (core func $i "add") gc))
    (func (export "sum17")
      (param "p0" u8) (param "p1" u8) (param "p2" u8) (param "p3" u8) (param "p4" u8)
      (param "p5" u8) (param "p6" u8) (param "p7" u8) (param "p8" u8) (param "p9" u8)
      (param "p10" u8) (param "p11" u8) (param "p12" u8) (param "p13" u8) (param "p14" u8)
      (param "p15" u8) (param "p16" u8)
      (result u32)
      (canon lift (core func $i "sum17") gc))
    (func (export "next") (param "x" char) (result char)
      (canon lift (core func $i "next") gc))
    (func (export "bad-char") (result char)
      (canon lift (core func $i "bad-char") gc)))
  (instance $c (instantiate $callee))

  ;; A caller that lowers `sum17` with `gc` and calls it with core values.
  (component $caller
    (import "sum17" (func $f
      (param "p0" u8) (param "p1" u8) (param "p2" u8) (param "p3" u8) (param "p4" u8)
      (param "p5" u8) (param "p6" u8) (param "p7" u8) (param "p8" u8) (param "p9" u8)
      (param "p10" u8) (param "p11" u8) (param "p12" u8) (param "p13" u8) (param "p14" u8)
      (param "p15" u8) (param "p16" u8)
      (result u32)))
    (core type $t (func
      (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
      (result i32)))
    (core func $f' (canon lower (func $f) gc (core-type $t)))
    (core module $m
      (import "" "sum17" (func $sum17
        (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
        (result i32)))
      (func (export "run") (result i32)
        (call $sum17
          (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
          (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9) (i32.const 10)
          (i32.const 11) (i32.const 12) (i32.const 13) (i32.const 14) (i32.const 15)
          (i32.const 16) (i32.const 17))))
    (core instance $i (instantiate $m (with "" (instance (export "sum17" (func $f'))))))
    (func (export "run") (result u32) (canon lift (core func $i "run"))))
  (instance $r (instantiate $caller (with "sum17" (func $c "sum17"))))

  (func (export "add") (alias export $c "add"))
  (func (export "sum17") (alias export $c "sum17"))
  (func (export "next") (alias export $c "next"))
  (func (export "bad-char") (alias export $c "bad-char"))
  (func (export "run") (alias export $r "run")))

(assert_return
  (invoke "add" (s32.const -1) (s64.const 2) (f32.const 0.5) (f64.const 0.25))
  (f64.const 1.75))
(assert_return
  (invoke "sum17"
    (u8.const 1) (u8.const 2) (u8.const 3) (u8.const 4) (u8.const 5) (u8.const 6)
    (u8.const 7) (u8.const 8) (u8.const 9) (u8.const 10) (u8.const 11) (u8.const 12)
    (u8.const 13) (u8.const 14) (u8.const 15) (u8.const 16) (u8.const 255))
  (u32.const 391))
(assert_return (invoke "run") (u32.const 153))
(assert_return (invoke "next" (char.const "a")) (char.const "b"))
;; Lifting still checks values: a surrogate is not a char.
(assert_trap (invoke "bad-char") "invalid char")

;; Strings are not passed as GC values yet: a clear error when the component loads.
(assert_unlinkable
  (component
    (core module $m
      (type $bytes (array i8))
      (func (export "f") (param (ref null $bytes))))
    (core instance $i (instantiate $m))
    (func (export "f") (param "s" string) (canon lift (core func $i "f") gc)))
  "canonical option `gc` with a value of type `string`")
