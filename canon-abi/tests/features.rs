//! The Component Model feature gates in [`Config`]: `implements` (on by default), the `gc`
//! canonical option and 64-bit memories in canonical options (off by default).

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
