//! Typed host functions: Rust signatures checked against the import types at link time.

use weft_canon_abi::component::{Component, Linker};
use weft_canon_abi::{Error, Val};
use weft_interp::{Engine, Store};

mod common;

fn guest() -> String {
    format!(
        r#"(component
  (import "add" (func $add (param "a" u32) (param "b" u32) (result u32)))
  (import "parse" (func $parse (param "s" string) (result (result s64 (error string)))))
  {mem}
  (core func $add_core (canon lower (func $add)))
  (core func $parse_core (canon lower (func $parse) (memory $memory) (realloc $realloc)))
  (core module $main
    (import "" "add" (func $add (param i32 i32) (result i32)))
    (import "" "parse" (func $parse (param i32 i32 i32)))
    (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
    (func (export "parse") (param i32 i32) (result i32)
      (call $parse (local.get 0) (local.get 1) (i32.const 32)) (i32.const 32)))
  (core instance $i (instantiate $main
    (with "" (instance (export "add" (func $add_core)) (export "parse" (func $parse_core))))))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func (export "parse") (param "s" string) (result (result s64 (error string)))
    (canon lift (core func $i "parse") (memory $memory) (realloc $realloc))))"#,
        mem = common::MEMORY_MODULE
    )
}

#[test]
fn typed_host_functions_round_trip() {
    let engine = Engine::default();
    let component = Component::new(&engine, guest()).unwrap();
    let mut linker = Linker::<u32>::new(&engine);
    linker
        .root()
        .func_wrap("add", |store, (a, b): (u32, u32)| {
            *store.data_mut() += 1;
            Ok((a + b,))
        })
        .unwrap();
    linker
        .root()
        .func_wrap("parse", |_, (s,): (String,)| {
            Ok((s.trim().parse::<i64>().map_err(|e| e.to_string()),))
        })
        .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let inst = linker.instantiate(&mut store, &component).unwrap();
    let add = inst.get_func(&mut store, "add").unwrap();
    let mut r = [Val::U32(0)];
    add.call(&mut store, &[Val::U32(40), Val::U32(2)], &mut r)
        .unwrap();
    assert_eq!((r[0].clone(), *store.data()), (Val::U32(42), 1));
    let parse = inst.get_func(&mut store, "parse").unwrap();
    parse
        .call(&mut store, &[Val::String(" -17 ".into())], &mut r)
        .unwrap();
    assert_eq!(r[0], Val::Result(Ok(Some(Box::new(Val::S64(-17))))));
    parse
        .call(&mut store, &[Val::String("x".into())], &mut r)
        .unwrap();
    assert!(matches!(&r[0], Val::Result(Err(Some(_)))));
}

#[test]
fn typed_host_functions_that_drift_fail_to_link() {
    let engine = Engine::default();
    let component = Component::new(&engine, guest()).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .root()
        .func_wrap("add", |_, (a,): (u32,)| Ok((a,)))
        .unwrap();
    linker
        .root()
        .func_wrap("parse", |_, (_s,): (String,)| Ok((Ok::<i64, String>(0),)))
        .unwrap();
    let mut store = Store::new(&engine, ());
    let e = linker.instantiate(&mut store, &component).unwrap_err();
    assert!(
        matches!(&e, Error::IncompatibleImport { name, .. } if name == "add"),
        "{e}"
    );
    // The result type must match too: s32 is not s64.
    let mut linker = Linker::<()>::new(&engine);
    linker
        .root()
        .func_wrap("add", |_, (a, b): (u32, u32)| Ok((a + b,)))
        .unwrap();
    linker
        .root()
        .func_wrap("parse", |_, (_s,): (String,)| Ok((Ok::<i32, String>(0),)))
        .unwrap();
    let e = linker.instantiate(&mut store, &component).unwrap_err();
    assert!(
        matches!(&e, Error::IncompatibleImport { name, .. } if name == "parse"),
        "{e}"
    );
}

#[test]
fn typed_exports() {
    let engine = Engine::default();
    let component = Component::new(&engine, guest()).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .root()
        .func_wrap("add", |_, (a, b): (u32, u32)| Ok((a + b,)))
        .unwrap();
    linker
        .root()
        .func_wrap("parse", |_, (s,): (String,)| {
            Ok((s.parse::<i64>().map_err(|e| e.to_string()),))
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &component).unwrap();
    let add = inst
        .get_typed_func::<(u32, u32), (u32,)>(&mut store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (2, 3)).unwrap(), (5,));
    let parse = inst
        .get_typed_func::<(String,), (Result<i64, String>,)>(&mut store, "parse")
        .unwrap();
    assert_eq!(parse.call(&mut store, ("12".into(),)).unwrap(), (Ok(12),));
    assert!(parse.call(&mut store, ("zz".into(),)).unwrap().0.is_err());
    assert!(inst
        .get_typed_func::<(u32,), (u32,)>(&mut store, "add")
        .is_err());
    assert!(inst
        .get_typed_func::<(u32, u32), ()>(&mut store, "add")
        .is_err());
}
