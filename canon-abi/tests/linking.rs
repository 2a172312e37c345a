//! Component-to-component calls: one component's export satisfies another's import, through
//! the linker and inside a parent component. Values cross shared-nothing: lifted out of one
//! memory, lowered into the other (here also transcoding utf8 <-> utf16), and resources keep
//! their identity.

mod common;

use weft_canon_abi::component::{Component, Linker};
use weft_canon_abi::Val;
use weft_interp::{Engine, Store};

fn provider() -> String {
    format!(
        r#"(component
  {mem}
  (core module $implm
    (import "mem" "memory" (memory 1))
    (import "mem" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (global $drops (mut i32) (i32.const 0))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "greet") (param $p i32) (param $n i32) (result i32)
      (local $q i32)
      (local.set $q (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.add (local.get $n) (i32.const 3))))
      (i32.store8 (local.get $q) (i32.const 104))
      (i32.store8 offset=1 (local.get $q) (i32.const 105))
      (i32.store8 offset=2 (local.get $q) (i32.const 32))
      (memory.copy (i32.add (local.get $q) (i32.const 3)) (local.get $p) (local.get $n))
      (i32.store (i32.const 8) (local.get $q))
      (i32.store (i32.const 12) (i32.add (local.get $n) (i32.const 3)))
      (i32.const 8))
    (func (export "dtor") (param i32) (global.set $drops (i32.add (global.get $drops) (i32.const 1))))
    (func (export "drops") (result i32) (global.get $drops))
    (func (export "get") (param i32) (result i32) (local.get 0)))
  (core instance $impl (instantiate $implm (with "mem" (instance $m))))
  (type $r (resource (rep i32) (dtor (core func $impl "dtor"))))
  (core func $new (canon resource.new $r))
  (core module $makem
    (import "" "new" (func $new (param i32) (result i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0))))
  (core instance $mk (instantiate $makem (with "" (instance (export "new" (func $new))))))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $impl "add")))
  (func $greet (param "name" string) (result string)
    (canon lift (core func $impl "greet") (memory $memory) (realloc $realloc)))
  (func $make (param "rep" u32) (result (own $r)) (canon lift (core func $mk "make")))
  (func $get (param "h" (borrow $r)) (result u32) (canon lift (core func $impl "get")))
  (func $drops (result u32) (canon lift (core func $impl "drops")))
  (instance $math
    (export "add" (func $add))
    (export "greet" (func $greet))
    (export "r" (type $r))
    (export "make" (func $make))
    (export "get" (func $get))
    (export "drops" (func $drops)))
  (export "math" (instance $math)))"#,
        mem = common::MEMORY_MODULE
    )
}

fn consumer() -> String {
    format!(
        r#"(component
  (import "math" (instance $math
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))
    (export "greet" (func (param "name" string) (result string)))
    (export "r" (type $r (sub resource)))
    (export "make" (func (param "rep" u32) (result (own $r))))
    (export "get" (func (param "h" (borrow $r)) (result u32)))
    (export "drops" (func (result u32)))))
  (alias export $math "add" (func $add))
  (alias export $math "greet" (func $greet))
  (alias export $math "r" (type $r))
  (alias export $math "make" (func $make))
  (alias export $math "get" (func $get))
  (alias export $math "drops" (func $drops))
  {mem}
  (core func $add_core (canon lower (func $add)))
  (core func $greet_core (canon lower (func $greet) (memory $memory) (realloc $realloc) string-encoding=utf16))
  (core func $make_core (canon lower (func $make)))
  (core func $get_core (canon lower (func $get)))
  (core func $drops_core (canon lower (func $drops)))
  (core func $drop_r (canon resource.drop $r))
  (core module $main
    (import "" "add" (func $add (param i32 i32) (result i32)))
    (import "" "greet" (func $greet (param i32 i32 i32)))
    (import "" "make" (func $make (param i32) (result i32)))
    (import "" "get" (func $get (param i32) (result i32)))
    (import "" "drops" (func $drops (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "run") (param i32 i32) (result i32)
      (call $add (call $add (local.get 0) (local.get 1)) (i32.const 100)))
    (func (export "hello") (param i32 i32) (result i32)
      (call $greet (local.get 0) (local.get 1) (i32.const 16))
      (i32.const 16))
    (func (export "roundtrip") (param i32) (result i32)
      (local $h i32) (local $v i32)
      (local.set $h (call $make (local.get 0)))
      (local.set $v (call $get (local.get $h)))
      (call $drop (local.get $h))
      (i32.add (local.get $v) (i32.mul (call $drops) (i32.const 1000)))))
  (core instance $i (instantiate $main
    (with "" (instance
      (export "add" (func $add_core)) (export "greet" (func $greet_core))
      (export "make" (func $make_core)) (export "get" (func $get_core))
      (export "drops" (func $drops_core)) (export "drop" (func $drop_r))))))
  (func (export "run") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "run")))
  (func (export "hello") (param "name" string) (result string)
    (canon lift (core func $i "hello") (memory $memory) (realloc $realloc) string-encoding=utf16))
  (func (export "roundtrip") (param "x" u32) (result u32) (canon lift (core func $i "roundtrip"))))"#,
        mem = common::MEMORY_MODULE
    )
}

fn exercise(store: &mut Store<()>, instance: &weft_canon_abi::Instance) {
    let run = instance.get_func(&mut *store, "run").unwrap();
    let mut r = [Val::U32(0)];
    run.call(&mut *store, &[Val::U32(20), Val::U32(3)], &mut r)
        .unwrap();
    assert_eq!(r[0], Val::U32(123));
    let hello = instance.get_func(&mut *store, "hello").unwrap();
    let mut r = [Val::Bool(false)];
    hello
        .call(&mut *store, &[Val::String("wörld ☃".into())], &mut r)
        .unwrap();
    assert_eq!(r[0], Val::String("hi wörld ☃".into()));
    let roundtrip = instance.get_func(&mut *store, "roundtrip").unwrap();
    let mut r = [Val::U32(0)];
    roundtrip.call(&mut *store, &[Val::U32(5)], &mut r).unwrap();
    assert_eq!(
        r[0],
        Val::U32(1005),
        "rep 5 came back and the destructor ran once"
    );
}

#[test]
fn one_components_export_satisfies_anothers_import() {
    let engine = Engine::default();
    let a = Component::new(&engine, provider()).unwrap();
    let b = Component::new(&engine, consumer()).unwrap();
    let mut store = Store::new(&engine, ());
    let linker = Linker::<()>::new(&engine);
    let inst_a = linker.instantiate(&mut store, &a).unwrap();
    // The provider's functions are callable directly too, with "interface#name" paths.
    let add = inst_a.get_func(&mut store, "math#add").unwrap();
    let mut r = [Val::U32(0)];
    add.call(&mut store, &[Val::U32(1), Val::U32(2)], &mut r)
        .unwrap();
    assert_eq!(r[0], Val::U32(3));
    let mut linker_b = Linker::<()>::new(&engine);
    linker_b
        .root()
        .instance_export("math", &inst_a, "math")
        .unwrap();
    let inst_b = linker_b.instantiate(&mut store, &b).unwrap();
    exercise(&mut store, &inst_b);
}

#[test]
fn nested_components_linked_by_their_parent() {
    let engine = Engine::default();
    let text = format!(
        r#"(component
  {a}
  {b}
  (instance $a (instantiate $A))
  (alias export $a "math" (instance $math))
  (instance $b (instantiate $B (with "math" (instance $math))))
  (alias export $b "run" (func $run))
  (alias export $b "hello" (func $hello))
  (alias export $b "roundtrip" (func $roundtrip))
  (export "run" (func $run))
  (export "hello" (func $hello))
  (export "roundtrip" (func $roundtrip)))"#,
        a = provider().replacen("(component", "(component $A", 1),
        b = consumer().replacen("(component", "(component $B", 1),
    );
    let component = Component::new(&engine, text).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    exercise(&mut store, &instance);
    // Each instantiation is independent: a second one starts fresh.
    let again = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    exercise(&mut store, &again);
}

#[test]
fn host_functions_inside_instances_and_wrong_kinds() {
    let engine = Engine::default();
    let b = Component::new(&engine, consumer()).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    linker.root().func_new("math", |_, _, _| Ok(())).unwrap();
    let e = linker.instantiate(&mut store, &b).unwrap_err();
    assert!(
        e.to_string().contains("expected a instance") || e.to_string().contains("incompatible"),
        "{e}"
    );
    // Redefinition is an error.
    assert!(linker.root().func_new("math", |_, _, _| Ok(())).is_err());
}

#[test]
fn mismatched_function_types_are_link_errors() {
    let engine = Engine::default();
    let wrong = Component::new(
        &engine,
        r#"(component
  (core module $m (func (export "add") (param i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m))
  (func $add (param "a" u32) (result u32) (canon lift (core func $i "add")))
  (instance $math (export "add" (func $add)))
  (export "math" (instance $math)))"#,
    )
    .unwrap();
    let b = Component::new(
        &engine,
        r#"(component
  (import "math" (instance $math (export "add" (func (param "a" u32) (param "b" u32) (result u32))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::<()>::new(&engine)
        .instantiate(&mut store, &wrong)
        .unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .root()
        .instance_export("math", &inst, "math")
        .unwrap();
    let e = linker.instantiate(&mut store, &b).unwrap_err();
    assert!(e.to_string().contains("expected type"), "{e}");
    // A missing export of the instance is reported by path.
    let mut linker = Linker::<()>::new(&engine);
    linker.instance("math").unwrap();
    let e = linker.instantiate(&mut store, &b).unwrap_err();
    assert!(e.to_string().contains("`add` was not found"), "{e}");
}

#[test]
fn components_and_modules_can_be_imported() {
    let engine = Engine::default();
    let inner = Component::new(
        &engine,
        r#"(component
  (import "m" (core module $m (export "seven" (func (result i32)))))
  (core instance $i (instantiate $m))
  (func (export "seven") (result u32) (canon lift (core func $i "seven"))))"#,
    )
    .unwrap();
    let outer = Component::new(
        &engine,
        r#"(component
  (import "inner" (component $c
    (import "m" (core module (export "seven" (func (result i32)))))
    (export "seven" (func (result u32)))))
  (import "m" (core module $m (export "seven" (func (result i32)))))
  (instance $i (instantiate $c (with "m" (core module $m))))
  (alias export $i "seven" (func $seven))
  (export "seven" (func $seven)))"#,
    )
    .unwrap();
    let module = weft_interp::Module::new(
        &engine,
        r#"(module (func (export "seven") (result i32) (i32.const 7)))"#,
    )
    .unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.root().component("inner", &inner).unwrap();
    linker.root().module("m", module).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &outer).unwrap();
    let seven = inst
        .get_typed_func::<(), (u32,)>(&mut store, "seven")
        .unwrap();
    assert_eq!(seven.call(&mut store, ()).unwrap(), (7,));
    // A module that does not export what the import type says is a link error.
    let wrong = weft_interp::Module::new(&engine, "(module)").unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.root().component("inner", &inner).unwrap();
    linker.root().module("m", wrong).unwrap();
    let e = linker.instantiate(&mut store, &outer).unwrap_err();
    assert!(
        e.to_string().contains("module export `seven` not defined"),
        "{e}"
    );
}
