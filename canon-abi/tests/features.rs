//! The Component Model feature gates in [`Config`]: `implements` (on by default), the `gc`
//! canonical option and 64-bit memories in canonical options (off by default), and
//! wasmtime's restrictions on root components (off by default).

use weft_canon_abi::component::{Component, Linker};
use weft_canon_abi::Val;
use weft_interp::{Config, Engine, Store};

const IMPLEMENTS: &str = r#"(component (import "a" (implements "a:b/c") (instance)))"#;

const GC_SCALARS: &str = r#"(component
  (core module $m (func (export "f") (param i32 f64) (result i64)
    (i64.add (i64.extend_i32_u (local.get 0)) (i64.trunc_f64_s (local.get 1)))))
  (core instance $i (instantiate $m))
  (func (export "f") (param "a" u32) (param "b" f64) (result u64)
    (canon lift (core func $i "f") gc)))"#;

const GC_STRING: &str = r#"(component
  (core module $m
    (type $bytes (array i8))
    (func (export "f") (param (ref null $bytes))))
  (core instance $i (instantiate $m))
  (func (export "f") (param "s" string) (canon lift (core func $i "f") gc)))"#;

fn engine(config: Config) -> Engine {
    Engine::new(&config)
}

#[test]
fn implements_follows_its_gate() {
    assert!(Component::new(&Engine::default(), IMPLEMENTS).is_ok());
    let off = engine(Config::default().component_model_implements(false));
    let e = Component::new(&off, IMPLEMENTS).unwrap_err().to_string();
    assert!(e.contains("cm-implements"), "{e}");
}

#[test]
fn gc_option_is_gated() {
    let e = Component::new(&Engine::default(), GC_SCALARS)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`gc` requires the `cm-gc` feature"), "{e}");
}

#[test]
fn gc_option_passes_plain_values() {
    let engine = engine(Config::default().component_model_gc(true));
    let component = Component::new(&engine, GC_SCALARS).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let f = inst.get_func(&mut store, "f").unwrap();
    let mut out = [Val::U64(0)];
    f.call(&mut store, &[Val::U32(40), Val::Float64(2.9)], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::U64(42));
}

#[test]
fn gc_option_refuses_what_it_cannot_lower() {
    let engine = engine(Config::default().component_model_gc(true));
    // Validation accepts it (the core type is the GC lowering of `string`); Weft says
    // plainly that it does not implement it, naming the type.
    let e = match Component::new(&engine, GC_STRING) {
        Err(e) => e.to_string(),
        Ok(c) => {
            let mut store = Store::new(&engine, ());
            match Linker::<()>::new(&engine).instantiate(&mut store, &c) {
                Ok(_) => panic!("instantiation succeeded"),
                Err(e) => e.to_string(),
            }
        }
    };
    assert!(
        e.contains("canonical option `gc` with a value of type `string`"),
        "{e}"
    );
}

const MEMORY64: &str = r#"(component
  (core module $m
    (memory (export "memory") i64 1)
    (global $next (mut i64) (i64.const 64))
    (func (export "realloc") (param i64 i64 i64 i64) (result i64)
      (local $p i64)
      (local.set $p (i64.and (i64.add (global.get $next) (i64.sub (local.get 2) (i64.const 1)))
                             (i64.sub (i64.const 0) (local.get 2))))
      (global.set $next (i64.add (local.get $p) (local.get 3)))
      (local.get $p))
    ;; echo: write the (ptr, len) pair at 16 and return a pointer to it.
    (func (export "echo") (param i64 i64) (result i64)
      (i64.store (i64.const 16) (local.get 0))
      (i64.store (i64.const 24) (local.get 1))
      (i64.const 16))
    (func (export "sum") (param i64 i64) (result i64)
      (local $s i64)
      (block $done
        (loop $l
          (br_if $done (i64.eqz (local.get 1)))
          (local.set $s (i64.add (local.get $s) (i64.load32_u (local.get 0))))
          (local.set 0 (i64.add (local.get 0) (i64.const 4)))
          (local.set 1 (i64.sub (local.get 1) (i64.const 1)))
          (br $l)))
      (local.get $s)))
  (core instance $i (instantiate $m))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory (core memory $i "memory"))
      (realloc (core func $i "realloc"))))
  (func (export "sum") (param "xs" (list u32)) (result u64)
    (canon lift (core func $i "sum") (memory (core memory $i "memory"))
      (realloc (core func $i "realloc")))))"#;

#[test]
fn memory64_is_gated() {
    let e = Component::new(&Engine::default(), MEMORY64)
        .unwrap_err()
        .to_string();
    assert!(e.contains("64-bit"), "{e}");
}

#[test]
fn strings_and_lists_pass_through_a_64_bit_memory() {
    let engine = engine(Config::default().component_model_memory64(true));
    let component = Component::new(&engine, MEMORY64).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let echo = inst.get_func(&mut store, "echo").unwrap();
    let mut out = [Val::Bool(false)];
    echo.call(&mut store, &[Val::String("héllo, 64".into())], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::String("héllo, 64".into()));
    let sum = inst.get_func(&mut store, "sum").unwrap();
    let xs = Val::List((1..=10).map(Val::U32).collect());
    sum.call(&mut store, &[xs], &mut out).unwrap();
    assert_eq!(out[0], Val::U64(55));
}

/// Valid components that wasmtime refuses at the root, each with the words of its refusal.
const WASMTIME_REFUSES: &[(&str, &str)] = &[
    (
        r#"(component (import "x" (component)))"#,
        "root-level component imports",
    ),
    (
        r#"(component (component (export "x")))"#,
        "exporting a component from the root",
    ),
    (
        r#"(component (import "f" (func $f)) (export "f" (func $f)))"#,
        "`f` is a reexport of an imported function",
    ),
    (
        r#"(component
             (import "i" (instance $i (export "g" (func))))
             (alias export $i "g" (func $g))
             (export "g" (func $g)))"#,
        "`g` is a reexport of an imported function",
    ),
    (
        r#"(component
             (import "f" (func $f))
             (instance $t (export "f" (func $f)))
             (export "t" (instance $t)))"#,
        "`t` is a reexport of an imported function",
    ),
    (
        r#"(component
             (import "i" (instance $i (export "g" (func))))
             (export "j" (instance $i)))"#,
        "`j` is a reexport of an imported function",
    ),
];

#[test]
fn wasmtime_restrictions_are_opt_in() {
    let strict = engine(Config::default().component_model_wasmtime_restrictions(true));
    for (wat, words) in WASMTIME_REFUSES {
        assert!(
            Component::new(&Engine::default(), wat).is_ok(),
            "valid by the spec: {wat}"
        );
        let e = Component::new(&strict, wat).unwrap_err().to_string();
        assert!(e.contains(words), "{wat}: {e}");
    }
}

#[test]
fn wasmtime_restrictions_leave_the_rest_alone() {
    let strict = engine(Config::default().component_model_wasmtime_restrictions(true));
    for wat in [
        // Nested components may do all three: their parent satisfies their imports.
        r#"(component (component
             (import "c" (component))
             (import "f" (func $f))
             (export "f" (func $f))
             (component (export "d"))))"#,
        // Lifted functions, instances of them and instances of types only.
        r#"(component
             (core module $m (func (export "f")))
             (core instance $i (instantiate $m))
             (func $f (canon lift (core func $i "f")))
             (instance $t (export "f" (func $f)))
             (export "f" (func $f))
             (export "t" (instance $t)))"#,
        r#"(component
             (import "i" (instance $i (export "t" (type (sub resource)))))
             (export "j" (instance $i)))"#,
    ] {
        assert!(Component::new(&strict, wat).is_ok(), "{wat}");
    }
}

/// Fixed-length lists (flat, returned through memory, spilled) and maps.
const LISTS_AND_MAPS: &str = r#"(component
  (core module $m
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $r i32)
      ;; Aligned up to the requested alignment.
      (local.set $r (i32.and
        (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $r) (local.get 3)))
      (local.get $r))
    (func (export "sum3") (param i32 i32 i32) (result i32)
      (i32.add (local.get 0) (i32.add (local.get 1) (local.get 2))))
    (func (export "rev3") (param i32 i32 i32) (result i32)
      (i32.store (i32.const 16) (local.get 2))
      (i32.store (i32.const 20) (local.get 1))
      (i32.store (i32.const 24) (local.get 0))
      (i32.const 16))
    ;; 20 flat parameters spill: one pointer to the list of bytes in place.
    (func (export "sum20") (param $p i32) (result i32)
      (local $i i32) (local $s i32)
      (block $done (loop $next
        (br_if $done (i32.eq (local.get $i) (i32.const 20)))
        (local.set $s (i32.add (local.get $s)
          (i32.load8_u (i32.add (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
      (local.get $s))
    ;; map<string, u32>: entries are 12 bytes, the value at offset 8.
    (func (export "sum-values") (param $p i32) (param $n i32) (result i32)
      (local $s i32)
      (block $done (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load offset=8 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 12)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
      (local.get $s))
    (func (export "echo-map") (param i32 i32) (result i32)
      (i32.store (i32.const 0) (local.get 0))
      (i32.store (i32.const 4) (local.get 1))
      (i32.const 0)))
  (core instance $i (instantiate $m))
  (alias core export $i "mem" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (type $l3 (list u32 3))
  (type $l20 (list u8 20))
  (type $ms (map string u32))
  (type $mu (map u32 u32))
  (func (export "sum3") (param "xs" $l3) (result u32) (canon lift (core func $i "sum3")))
  (func (export "rev3") (param "xs" $l3) (result $l3)
    (canon lift (core func $i "rev3") (memory $mem)))
  (func (export "sum20") (param "xs" $l20) (result u32)
    (canon lift (core func $i "sum20") (memory $mem) (realloc $realloc)))
  (func (export "sum-values") (param "m" $ms) (result u32)
    (canon lift (core func $i "sum-values") (memory $mem) (realloc $realloc)))
  (func (export "echo-map") (param "m" $mu) (result $mu)
    (canon lift (core func $i "echo-map") (memory $mem) (realloc $realloc))))"#;

#[test]
fn fixed_length_lists_are_gated() {
    let e = Component::new(&Engine::default(), LISTS_AND_MAPS)
        .unwrap_err()
        .to_string();
    assert!(e.contains("fixed-length lists"), "{e}");
}

#[test]
fn fixed_length_lists_and_maps_round_trip() {
    let engine = engine(Config::default().component_model_fixed_length_lists(true));
    let component = Component::new(&engine, LISTS_AND_MAPS).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let mut call = |name: &str, arg: Val| {
        let f = inst.get_func(&mut store, name).unwrap();
        let mut out = [Val::Bool(false)];
        f.call(&mut store, &[arg], &mut out)
            .map(|()| out[0].clone())
    };
    let u32s = |xs: &[u32]| Val::List(xs.iter().copied().map(Val::U32).collect());
    assert_eq!(call("sum3", u32s(&[1, 2, 40])).unwrap(), Val::U32(43));
    assert_eq!(call("rev3", u32s(&[1, 2, 3])).unwrap(), u32s(&[3, 2, 1]));
    let bytes = Val::List((1..=20).map(Val::U8).collect());
    assert_eq!(call("sum20", bytes).unwrap(), Val::U32(210));
    // A list of another length is not a `list<u32, 3>`.
    assert!(call("sum3", u32s(&[1, 2])).is_err());
    assert!(call("sum3", u32s(&[1, 2, 3, 4])).is_err());

    let entries = vec![
        (Val::String("a".into()), Val::U32(1)),
        (Val::String("k".into()), Val::U32(20)),
        (Val::String("k".into()), Val::U32(300)),
    ];
    assert_eq!(
        call("sum-values", Val::Map(entries)).unwrap(),
        Val::U32(321)
    );
    // Order and duplicate keys survive a round trip.
    let m = Val::Map(vec![
        (Val::U32(9), Val::U32(1)),
        (Val::U32(2), Val::U32(2)),
        (Val::U32(9), Val::U32(3)),
    ]);
    assert_eq!(call("echo-map", m.clone()).unwrap(), m);
    assert_eq!(
        call("echo-map", Val::Map(vec![])).unwrap(),
        Val::Map(vec![])
    );
    // A list of pairs is not a map value.
    assert!(call("echo-map", Val::List(vec![])).is_err());
}
