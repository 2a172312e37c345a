//! The memory-to-memory fast path of component-to-component calls: numbers, same-encoding
//! strings and lists of numbers cross between two components' memories as bytes, with the
//! generic path's results and traps.

use weft_canon_abi::component::{Component, Linker};
use weft_canon_abi::Val;
use weft_interp::{Engine, Store};

/// A memory and a bump `realloc` (which shrinks in place: transcoding shrinks strings).
const LIBC: &str = r#"
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (if (i32.and (i32.ne (local.get 0) (i32.const 0)) (i32.le_u (local.get 3) (local.get 1)))
        (then (return (local.get 0))))
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p))"#;

fn component(enc: &str) -> String {
    format!(
        r#"(component
  (component $A
    (core module $M {LIBC}
      (func (export "echo") (param i32 i32) (result i32)
        (i32.store (i32.const 8) (local.get 0))
        (i32.store (i32.const 12) (local.get 1))
        (i32.const 8))
      (func (export "sum") (param $p i32) (param $n i32) (result i32)
        (local $s i32)
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))
        (local.get $s))
      ;; Reverses a list<u16> in place.
      (func (export "rev") (param $p i32) (param $n i32) (result i32)
        (local $i i32) (local $j i32) (local $t i32)
        (local.set $j (i32.sub (local.get $n) (i32.const 1)))
        (block $done (loop $l
          (br_if $done (i32.ge_s (local.get $i) (local.get $j)))
          (local.set $t (i32.load16_u (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 1)))))
          (i32.store16 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 1)))
            (i32.load16_u (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 1)))))
          (i32.store16 (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 1))) (local.get $t))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br $l)))
        (i32.store (i32.const 8) (local.get $p))
        (i32.store (i32.const 12) (local.get $n))
        (i32.const 8))
      (func (export "mix") (param f64 i32) (result f64)
        (f64.add (local.get 0) (f64.convert_i32_s (local.get 1)))))
    (core instance $m (instantiate $M))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $m "echo") (memory (core memory $m "mem"))
        (realloc (core func $m "realloc")) string-encoding={enc}))
    (func (export "sum") (param "l" (list u32)) (result u32)
      (canon lift (core func $m "sum") (memory (core memory $m "mem"))
        (realloc (core func $m "realloc"))))
    (func (export "rev") (param "l" (list u16)) (result (list u16))
      (canon lift (core func $m "rev") (memory (core memory $m "mem"))
        (realloc (core func $m "realloc"))))
    (func (export "mix") (param "x" f64) (param "y" s8) (result f64)
      (canon lift (core func $m "mix"))))

  (component $B
    (import "echo" (func $echo (param "s" string) (result string)))
    (import "sum" (func $sum (param "l" (list u32)) (result u32)))
    (import "rev" (func $rev (param "l" (list u16)) (result (list u16))))
    (import "mix" (func $mix (param "x" f64) (param "y" s8) (result f64)))
    (core module $Libc {LIBC}
      (data (i32.const 100) "\ff\fe"))
    (core instance $libc (instantiate $Libc))
    (core func $echo' (canon lower (func $echo) (memory (core memory $libc "mem"))
      (realloc (core func $libc "realloc")) string-encoding={enc}))
    (core func $sum' (canon lower (func $sum) (memory (core memory $libc "mem"))))
    (core func $rev' (canon lower (func $rev) (memory (core memory $libc "mem"))
      (realloc (core func $libc "realloc"))))
    (core func $mix' (canon lower (func $mix)))
    (core module $Main
      (import "" "echo" (func $echo (param i32 i32 i32)))
      (import "" "sum" (func $sum (param i32 i32) (result i32)))
      (import "" "rev" (func $rev (param i32 i32 i32)))
      (import "" "mix" (func $mix (param f64 i32) (result f64)))
      (func (export "echo") (param i32 i32) (result i32)
        (call $echo (local.get 0) (local.get 1) (i32.const 16)) (i32.const 16))
      (func (export "sum") (param i32 i32) (result i32) (call $sum (local.get 0) (local.get 1)))
      (func (export "rev") (param i32 i32) (result i32)
        (call $rev (local.get 0) (local.get 1) (i32.const 16)) (i32.const 16))
      (func (export "mix") (param f64 i32) (result f64) (call $mix (local.get 0) (local.get 1)))
      (func (export "bad-string") (call $echo (i32.const 100) (i32.const 2) (i32.const 16)))
      (func (export "list-out-of-bounds") (drop (call $sum (i32.const 65500) (i32.const 100))))
      (func (export "result-pointer-out-of-bounds")
        (call $echo (i32.const 100) (i32.const 0) (i32.const 65535))))
    (core instance $main (instantiate $Main (with "" (instance
      (export "echo" (func $echo')) (export "sum" (func $sum'))
      (export "rev" (func $rev')) (export "mix" (func $mix'))))))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $main "echo") (memory (core memory $libc "mem"))
        (realloc (core func $libc "realloc")) string-encoding={enc}))
    (func (export "sum") (param "l" (list u32)) (result u32)
      (canon lift (core func $main "sum") (memory (core memory $libc "mem"))
        (realloc (core func $libc "realloc"))))
    (func (export "rev") (param "l" (list u16)) (result (list u16))
      (canon lift (core func $main "rev") (memory (core memory $libc "mem"))
        (realloc (core func $libc "realloc"))))
    (func (export "mix") (param "x" f64) (param "y" s8) (result f64)
      (canon lift (core func $main "mix")))
    (func (export "bad-string") (canon lift (core func $main "bad-string")))
    (func (export "list-out-of-bounds") (canon lift (core func $main "list-out-of-bounds")))
    (func (export "result-pointer-out-of-bounds")
      (canon lift (core func $main "result-pointer-out-of-bounds"))))

  (instance $a (instantiate $A))
  (instance $b (instantiate $B (with "echo" (func $a "echo")) (with "sum" (func $a "sum"))
    (with "rev" (func $a "rev")) (with "mix" (func $a "mix"))))
  (export "echo" (func $b "echo"))
  (export "sum" (func $b "sum"))
  (export "rev" (func $b "rev"))
  (export "mix" (func $b "mix"))
  (export "bad-string" (func $b "bad-string"))
  (export "list-out-of-bounds" (func $b "list-out-of-bounds"))
  (export "result-pointer-out-of-bounds" (func $b "result-pointer-out-of-bounds")))"#
    )
}

fn call(enc: &str, name: &str, args: &[Val]) -> Result<Vec<Val>, weft_canon_abi::Error> {
    let engine = Engine::default();
    let c = Component::new(&engine, component(enc)).expect("the component compiles");
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &c)
        .expect("the component instantiates");
    let f = inst.get_func(&mut store, name)?;
    let mut results = vec![Val::Bool(false); f.ty().map_or(0, |t| t.results.len())];
    f.call(&mut store, args, &mut results)?;
    Ok(results)
}

#[test]
fn strings_cross_as_bytes() {
    for enc in ["utf8", "utf16"] {
        for s in ["", "weft", "héllo ∷ wörld 🦀", &"x".repeat(5000)] {
            let got = call(enc, "echo", &[Val::String(s.into())]).unwrap();
            assert_eq!(got, [Val::String(s.into())], "{enc}");
        }
    }
}

#[test]
fn lists_of_numbers_cross_as_bytes() {
    let nums: Vec<Val> = (1..=1000u32).map(Val::U32).collect();
    assert_eq!(
        call("utf8", "sum", &[Val::List(nums)]).unwrap(),
        [Val::U32(500500)]
    );
    assert_eq!(
        call("utf8", "sum", &[Val::List(vec![])]).unwrap(),
        [Val::U32(0)]
    );
    let list = |v: &[u16]| Val::List(v.iter().map(|&x| Val::U16(x)).collect());
    assert_eq!(
        call("utf8", "rev", &[list(&[1, 2, 3, 65535])]).unwrap(),
        [list(&[65535, 3, 2, 1])]
    );
}

#[test]
fn numbers_keep_their_lifting_rules() {
    assert_eq!(
        call("utf8", "mix", &[Val::Float64(0.5), Val::S8(-3)]).unwrap(),
        [Val::Float64(-2.5)]
    );
}

#[test]
fn bad_values_trap_as_on_the_generic_path() {
    let trap = |name: &str| call("utf8", name, &[]).expect_err(name).to_string();
    assert!(
        trap("bad-string").contains("invalid utf-8"),
        "{}",
        trap("bad-string")
    );
    assert!(
        trap("list-out-of-bounds").contains("list pointer/length out of bounds"),
        "{}",
        trap("list-out-of-bounds")
    );
    assert!(
        trap("result-pointer-out-of-bounds").contains("unaligned pointer"),
        "{}",
        trap("result-pointer-out-of-bounds")
    );
}
