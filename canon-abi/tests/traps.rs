//! The canonical ABI traps where CanonicalABI.md traps, a trap poisons the instance, and
//! instances cannot be re-entered.

mod common;

use std::sync::{Arc, Mutex};
use weft_canon_abi::component::{Component, Func, Linker};
use weft_canon_abi::{Error, Val};
use weft_interp::{Engine, Store};

fn guest() -> String {
    format!(
        r#"(component
  {mem}
  (core module $bad
    (import "mem" "memory" (memory 1))
    (data (i32.const 100) "\ff\fe")
    (data (i32.const 200) "\64\00\00\00\02\00\00\00")
    (data (i32.const 208) "\66\00\00\00\01\00\00\00")
    (data (i32.const 216) "\fc\ff\00\00\64\00\00\00")
    (data (i32.const 224) "\e8\fd\00\00\e8\03\00\00")
    (data (i32.const 232) "\2c\01\00\00\01\00\00\00")
    (data (i32.const 300) "\00\d8")
    (func (export "bad-char") (result i32) (i32.const 0xD800))
    (func (export "big-char") (result i32) (i32.const 0x110000))
    (func (export "bad-enum") (result i32) (i32.const 2))
    (func (export "bad-utf8") (result i32) (i32.const 200))
    (func (export "misaligned") (result i32) (i32.const 208))
    (func (export "oob-list") (result i32) (i32.const 216))
    (func (export "oob-string") (result i32) (i32.const 224))
    (func (export "bad-retptr") (result i32) (i32.const 201))
    (func (export "bad-utf16") (result i32) (i32.const 232))
    (func (export "unreachable") (result i32) unreachable)
    (func (export "ok") (result i32) (i32.const 7)))
  (core instance $b (instantiate $bad (with "mem" (instance (export "memory" (memory $memory))))))
  (type $e0 (enum "a" "b"))
  (export $e "e" (type $e0))
  (func (export "bad-char") (result char) (canon lift (core func $b "bad-char")))
  (func (export "big-char") (result char) (canon lift (core func $b "big-char")))
  (func (export "bad-enum") (result $e) (canon lift (core func $b "bad-enum")))
  (func (export "bad-utf8") (result string) (canon lift (core func $b "bad-utf8") (memory $memory)))
  (func (export "misaligned") (result (list u32)) (canon lift (core func $b "misaligned") (memory $memory)))
  (func (export "oob-list") (result (list u32)) (canon lift (core func $b "oob-list") (memory $memory)))
  (func (export "oob-string") (result string) (canon lift (core func $b "oob-string") (memory $memory)))
  (func (export "bad-retptr") (result string) (canon lift (core func $b "bad-retptr") (memory $memory)))
  (func (export "bad-utf16") (result string)
    (canon lift (core func $b "bad-utf16") (memory $memory) string-encoding=utf16))
  (func (export "unreachable") (result u32) (canon lift (core func $b "unreachable")))
  (func (export "ok") (result u32) (canon lift (core func $b "ok"))))"#,
        mem = common::MEMORY_MODULE
    )
}

fn call(name: &str) -> (Result<Val, Error>, Result<Val, Error>) {
    let engine = Engine::default();
    let component = Component::new(&engine, guest()).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let mut run = |n: &str| {
        let f = instance.get_func(&mut store, n)?;
        let mut r = [Val::Bool(false)];
        f.call(&mut store, &[], &mut r)?;
        Ok(r[0].clone())
    };
    let first = run(name);
    let then = run("ok");
    (first, then)
}

fn assert_trap(name: &str, msg: &str) {
    let (first, then) = call(name);
    match first {
        Err(e) => {
            assert!(e.is_trap(), "{name}: not a trap: {e}");
            assert!(
                e.to_string().contains(msg),
                "{name}: `{e}` does not mention `{msg}`"
            );
        }
        Ok(v) => panic!("{name}: expected a trap, got {v}"),
    }
    // CanonicalABI.md: a trapped instance may not be entered again.
    let e = then.unwrap_err();
    assert!(
        e.to_string().contains("cannot enter component instance"),
        "{e}"
    );
}

#[test]
fn ok_call_does_not_trap() {
    let (first, then) = call("ok");
    assert_eq!(first.unwrap(), Val::U32(7));
    assert_eq!(then.unwrap(), Val::U32(7));
}

#[test]
fn invalid_char_traps() {
    assert_trap("bad-char", "invalid `char`");
    assert_trap("big-char", "invalid `char`");
}

#[test]
fn invalid_discriminant_traps() {
    assert_trap("bad-enum", "invalid variant discriminant");
}

#[test]
fn bad_utf8_traps() {
    assert_trap("bad-utf8", "invalid utf-8");
}

#[test]
fn bad_utf16_traps() {
    assert_trap("bad-utf16", "invalid utf-16");
}

#[test]
fn misaligned_pointers_trap() {
    assert_trap("misaligned", "list pointer not aligned");
    assert_trap("bad-retptr", "unaligned pointer");
}

#[test]
fn out_of_bounds_traps() {
    assert_trap("oob-list", "out of bounds");
    assert_trap("oob-string", "string pointer/length out of bounds");
}

#[test]
fn core_traps_poison_the_instance() {
    let (first, then) = call("unreachable");
    let e = first.unwrap_err();
    assert!(e.is_trap() && e.to_string().contains("unreachable"), "{e}");
    assert!(then
        .unwrap_err()
        .to_string()
        .contains("cannot enter component instance"));
}

#[test]
fn reentering_an_instance_traps() {
    let engine = Engine::default();
    let component = Component::new(
        &engine,
        r#"(component
  (import "callback" (func $cb))
  (core func $cb_core (canon lower (func $cb)))
  (core module $m
    (import "" "cb" (func $cb))
    (func (export "outer") (call $cb)))
  (core instance $i (instantiate $m (with "" (instance (export "cb" (func $cb_core))))))
  (func (export "outer") (canon lift (core func $i "outer"))))"#,
    )
    .unwrap();
    let slot: Arc<Mutex<Option<Func>>> = Arc::default();
    let mut linker = Linker::<()>::new(&engine);
    let s = slot.clone();
    linker
        .root()
        .func_new("callback", move |store, _, _| {
            let f = s.lock().unwrap().clone().unwrap();
            f.call(store, &[], &mut [])
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let outer = instance.get_func(&mut store, "outer").unwrap();
    *slot.lock().unwrap() = Some(outer.clone());
    let e = outer.call(&mut store, &[], &mut []).unwrap_err();
    assert!(
        e.to_string().contains("cannot enter component instance"),
        "{e}"
    );
    assert!(instance.is_poisoned());
}

#[test]
fn post_return_runs_after_each_call() {
    let engine = Engine::default();
    let component = Component::new(
        &engine,
        r#"(component
  (core module $m
    (global $n (mut i32) (i32.const 0))
    (func (export "get") (result i32) (global.get $n))
    (func (export "post") (param i32) (global.set $n (i32.add (global.get $n) (i32.const 1)))))
  (core instance $i (instantiate $m))
  (func (export "get") (result u32) (canon lift (core func $i "get") (post-return (core func $i "post")))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let get = instance.get_func(&mut store, "get").unwrap();
    let mut r = [Val::U32(99)];
    for want in 0..3 {
        get.call(&mut store, &[], &mut r).unwrap();
        assert_eq!(r[0], Val::U32(want));
    }
}

#[test]
fn missing_imports_and_exports_are_errors() {
    let engine = Engine::default();
    let component = Component::new(&engine, r#"(component (import "f" (func)))"#).unwrap();
    assert_eq!(component.imports().collect::<Vec<_>>(), vec![("f", "func")]);
    let mut store = Store::new(&engine, ());
    let e = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap_err();
    assert!(matches!(e, Error::UnknownImport(ref n) if n == "f"), "{e}");
    let component = Component::new(&engine, r#"(component)"#).unwrap();
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    assert!(instance.get_func(&mut store, "nope").is_err());
    assert!(Component::new(
        &engine,
        "(component (type (func (param \"x\" u32))) (export \"x\" (func 0)))"
    )
    .is_err());
    assert!(Component::new(&engine, b"\0asm\x0d\0\x01\0garbage").is_err());
}

#[test]
fn post_return_cannot_leave_the_instance() {
    let engine = Engine::default();
    let component = Component::new(
        &engine,
        r#"(component
  (import "host" (func $host))
  (core func $host_core (canon lower (func $host)))
  (type $r (resource (rep i32)))
  (core func $new (canon resource.new $r))
  (core module $m
    (import "" "host" (func $host))
    (import "" "new" (func $new (param i32) (result i32)))
    (func (export "noop") (result i32) (i32.const 0))
    (func (export "call-import") (param i32) (call $host))
    (func (export "call-new") (param i32) (drop (call $new (i32.const 1)))))
  (core instance $i (instantiate $m
    (with "" (instance (export "host" (func $host_core)) (export "new" (func $new))))))
  (func (export "call-import") (result u32)
    (canon lift (core func $i "noop") (post-return (core func $i "call-import"))))
  (func (export "call-new") (result u32)
    (canon lift (core func $i "noop") (post-return (core func $i "call-new")))))"#,
    )
    .unwrap();
    for name in ["call-import", "call-new"] {
        let mut linker = Linker::<()>::new(&engine);
        linker.root().func_new("host", |_, _, _| Ok(())).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &component).unwrap();
        let f = instance.get_func(&mut store, name).unwrap();
        let e = f.call(&mut store, &[], &mut [Val::U32(0)]).unwrap_err();
        assert!(
            e.to_string().contains("cannot leave component instance"),
            "{name}: {e}"
        );
    }
}
