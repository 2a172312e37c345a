//! Resources: `resource.new/rep/drop`, destructors, own/borrow across the boundary, borrow
//! scopes and the traps for misuse.

use std::sync::{Arc, Mutex};
use weft_canon_abi::component::{Component, Linker};
use weft_canon_abi::{ResourceAny, ResourceType, Val};
use weft_interp::{Engine, Store};

/// A component that defines resource `r` (rep = i32) with a destructor counting drops.
const DEFINER: &str = r#"(component
  (core module $m
    (global $drops (mut i32) (i32.const 0))
    (global $last (mut i32) (i32.const 0))
    (func (export "dtor") (param i32)
      (global.set $drops (i32.add (global.get $drops) (i32.const 1)))
      (global.set $last (local.get 0)))
    (func (export "drops") (result i32) (global.get $drops))
    (func (export "last") (result i32) (global.get $last)))
  (core instance $mi (instantiate $m))
  (type $r (resource (rep i32) (dtor (core func $mi "dtor"))))
  (core func $new (canon resource.new $r))
  (core func $rep (canon resource.rep $r))
  (core func $drop (canon resource.drop $r))
  (core module $m2
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "rep" (func $rep (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "rep-of") (param i32) (result i32) (local.get 0))
    (func (export "consume") (param i32) (call $drop (local.get 0)))
    (func (export "drop-twice") (param i32) (call $drop (local.get 0)) (call $drop (local.get 0)))
    (func (export "make-and-drop") (param i32) (result i32)
      (local $h i32)
      (local.set $h (call $new (local.get 0)))
      (call $drop (local.get $h))
      (call $new (i32.add (local.get 0) (i32.const 1))))
    (func (export "rep-via-handle") (param i32) (result i32)
      (call $rep (call $new (local.get 0)))))
  (core instance $i2 (instantiate $m2
    (with "" (instance (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))))))
  (export $R "r" (type $r))
  (func (export "make") (param "rep" u32) (result (own $R)) (canon lift (core func $i2 "make")))
  (func (export "rep-of") (param "h" (borrow $R)) (result u32) (canon lift (core func $i2 "rep-of")))
  (func (export "consume") (param "h" (own $R)) (canon lift (core func $i2 "consume")))
  (func (export "drop-twice") (param "h" (own $R)) (canon lift (core func $i2 "drop-twice")))
  (func (export "make-and-drop") (param "rep" u32) (result (own $R)) (canon lift (core func $i2 "make-and-drop")))
  (func (export "rep-via-handle") (param "rep" u32) (result u32) (canon lift (core func $i2 "rep-via-handle")))
  (func (export "drops") (result u32) (canon lift (core func $mi "drops")))
  (func (export "last") (result u32) (canon lift (core func $mi "last"))))"#;

fn call(
    store: &mut Store<()>,
    inst: &weft_canon_abi::Instance,
    name: &str,
    args: &[Val],
    n: usize,
) -> weft_canon_abi::Result<Vec<Val>> {
    let f = inst.get_func(&mut *store, name)?;
    let mut r = vec![Val::Bool(false); n];
    f.call(&mut *store, args, &mut r)?;
    Ok(r)
}

fn setup() -> (Store<()>, weft_canon_abi::Instance) {
    let engine = Engine::default();
    let component = Component::new(&engine, DEFINER).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    (store, instance)
}

fn own(v: &Val) -> ResourceAny {
    match v {
        Val::Resource(r) => r.clone(),
        other => panic!("not a resource: {other}"),
    }
}

#[test]
fn new_rep_and_drop_with_destructor() {
    let (mut store, inst) = setup();
    let r = own(&call(&mut store, &inst, "make", &[Val::U32(42)], 1).unwrap()[0]);
    assert!(r.own);
    assert_eq!(r.rep, 42);
    assert_eq!(r.ty, inst.get_resource("r").unwrap());
    // A borrow lowered into the defining instance is the rep itself.
    let borrowed = Val::Resource(ResourceAny::new_borrow(r.ty.clone(), r.rep));
    assert_eq!(
        call(&mut store, &inst, "rep-of", &[borrowed], 1).unwrap(),
        vec![Val::U32(42)]
    );
    assert_eq!(
        call(&mut store, &inst, "drops", &[], 1).unwrap(),
        vec![Val::U32(0)]
    );
    // Passing ownership back: the guest drops it and the destructor runs with the rep.
    call(&mut store, &inst, "consume", &[Val::Resource(r)], 0).unwrap();
    assert_eq!(
        call(&mut store, &inst, "drops", &[], 1).unwrap(),
        vec![Val::U32(1)]
    );
    assert_eq!(
        call(&mut store, &inst, "last", &[], 1).unwrap(),
        vec![Val::U32(42)]
    );
    assert_eq!(
        call(&mut store, &inst, "rep-via-handle", &[Val::U32(5)], 1).unwrap(),
        vec![Val::U32(5)]
    );
}

#[test]
fn handles_are_reused_through_the_free_list() {
    let (mut store, inst) = setup();
    let r = own(&call(&mut store, &inst, "make-and-drop", &[Val::U32(8)], 1).unwrap()[0]);
    assert_eq!(r.rep, 9);
    assert_eq!(
        call(&mut store, &inst, "drops", &[], 1).unwrap(),
        vec![Val::U32(1)]
    );
}

#[test]
fn host_drop_runs_the_destructor() {
    let (mut store, inst) = setup();
    let r = own(&call(&mut store, &inst, "make", &[Val::U32(3)], 1).unwrap()[0]);
    r.resource_drop(&mut store).unwrap();
    assert_eq!(
        call(&mut store, &inst, "drops", &[], 1).unwrap(),
        vec![Val::U32(1)]
    );
    assert_eq!(
        call(&mut store, &inst, "last", &[], 1).unwrap(),
        vec![Val::U32(3)]
    );
}

#[test]
fn dropping_a_handle_twice_traps() {
    let (mut store, inst) = setup();
    let r = call(&mut store, &inst, "make", &[Val::U32(1)], 1)
        .unwrap()
        .remove(0);
    let e = call(&mut store, &inst, "drop-twice", &[r], 0).unwrap_err();
    assert!(
        e.is_trap() && e.to_string().contains("unknown handle index"),
        "{e}"
    );
}

#[test]
fn resources_of_another_type_are_rejected() {
    let (mut store, inst) = setup();
    let foreign = Val::Resource(ResourceAny::new_own(ResourceType::host("other"), 1));
    let e = call(&mut store, &inst, "consume", &[foreign], 0).unwrap_err();
    assert!(e.to_string().contains("type mismatch"), "{e}");
}

/// A component that imports a resource type and functions on it, for host resources and
/// borrow scopes.
const USER: &str = r#"(component
  (import "r" (type $r (sub resource)))
  (import "host-take" (func $take (param "b" (borrow $r)) (param "o" (own $r))))
  (core func $drop (canon resource.drop $r))
  (core func $take_core (canon lower (func $take)))
  (core module $m
    (import "" "drop" (func $drop (param i32)))
    (import "" "take" (func $take (param i32 i32)))
    (func (export "keep") (param i32))
    (func (export "release") (param i32) (call $drop (local.get 0)))
    (func (export "lend-and-give") (param i32) (call $take (local.get 0) (local.get 0)))
    (func (export "drop-own") (param i32) (call $drop (local.get 0))))
  (core instance $i (instantiate $m
    (with "" (instance (export "drop" (func $drop)) (export "take" (func $take_core))))))
  (export $R "r" (type $r))
  (func (export "keep") (param "h" (borrow $R)) (canon lift (core func $i "keep")))
  (func (export "release") (param "h" (borrow $R)) (canon lift (core func $i "release")))
  (func (export "lend-and-give") (param "h" (own $R)) (canon lift (core func $i "lend-and-give")))
  (func (export "drop-own") (param "h" (own $R)) (canon lift (core func $i "drop-own"))))"#;

fn setup_user() -> (Store<()>, weft_canon_abi::Instance, ResourceType) {
    let engine = Engine::default();
    let component = Component::new(&engine, USER).unwrap();
    let mut store = Store::new(&engine, ());
    let rt = ResourceType::host("r");
    let mut linker = Linker::<()>::new(&engine);
    linker.root().resource("r", rt.clone()).unwrap();
    linker
        .root()
        .func_new("host-take", |_, _, _| Ok(()))
        .unwrap();
    let instance = linker.instantiate(&mut store, &component).unwrap();
    (store, instance, rt)
}

#[test]
fn borrows_must_be_dropped_before_the_call_returns() {
    let (mut store, inst, rt) = setup_user();
    let b = Val::Resource(ResourceAny::new_borrow(rt.clone(), 7));
    call(&mut store, &inst, "release", std::slice::from_ref(&b), 0).unwrap();
    assert_eq!(inst.live_handles(&rt), 0);
    let e = call(&mut store, &inst, "keep", &[b], 0).unwrap_err();
    assert!(
        e.is_trap() && e.to_string().contains("borrow handles still remain"),
        "{e}"
    );
}

#[test]
fn lifting_an_own_that_is_lent_traps() {
    let (mut store, inst, rt) = setup_user();
    // The same handle passed as borrow<r> and own<r> in one call: the own cannot be moved
    // out while the borrow lends it (CanonicalABI.md: lift_own, `num_lends`).
    let o = Val::Resource(ResourceAny::new_own(rt.clone(), 1));
    let e = call(&mut store, &inst, "lend-and-give", &[o], 0).unwrap_err();
    assert!(
        e.is_trap() && e.to_string().contains("while borrowed"),
        "{e}"
    );
}

#[test]
fn host_owned_resources_can_be_dropped_by_the_guest() {
    let (mut store, inst, rt) = setup_user();
    let o = Val::Resource(ResourceAny::new_own(rt.clone(), 1));
    call(&mut store, &inst, "drop-own", &[o], 0).unwrap();
    assert_eq!(inst.live_handles(&rt), 0);
}

#[test]
fn dropping_a_resource_enters_its_defining_instance() {
    // While the defining instance is running (it called out to the host), its destructor
    // cannot run: dropping the resource traps as entering the instance would.
    let engine = Engine::default();
    let component = Component::new(
        &engine,
        r#"(component
  (import "cb" (func $cb))
  (core func $cb_core (canon lower (func $cb)))
  (core module $m
    (import "" "cb" (func $cb))
    (func (export "dtor") (param i32))
    (func (export "call-host") (call $cb)))
  (core instance $mi (instantiate $m (with "" (instance (export "cb" (func $cb_core))))))
  (type $r (resource (rep i32) (dtor (core func $mi "dtor"))))
  (core func $new (canon resource.new $r))
  (core module $m2
    (import "" "new" (func $new (param i32) (result i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0))))
  (core instance $i2 (instantiate $m2 (with "" (instance (export "new" (func $new))))))
  (export $R "r" (type $r))
  (func (export "make") (param "rep" u32) (result (own $R)) (canon lift (core func $i2 "make")))
  (func (export "call-host") (canon lift (core func $mi "call-host"))))"#,
    )
    .unwrap();
    let held: Arc<Mutex<Option<ResourceAny>>> = Arc::default();
    let h = held.clone();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .root()
        .func_new("cb", move |store, _, _| {
            let r = h.lock().unwrap().take().unwrap();
            r.resource_drop(store)
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &component).unwrap();
    let r = own(&call(&mut store, &inst, "make", &[Val::U32(1)], 1).unwrap()[0]);
    *held.lock().unwrap() = Some(r);
    let e = call(&mut store, &inst, "call-host", &[], 0).unwrap_err();
    assert!(
        e.to_string().contains("cannot enter component instance"),
        "{e}"
    );
    // Outside a call the same drop is fine.
    let (mut store, inst) = setup();
    let r = own(&call(&mut store, &inst, "make", &[Val::U32(2)], 1).unwrap()[0]);
    r.resource_drop(&mut store).unwrap();
}

#[test]
fn an_own_the_host_gave_away_cannot_be_used_again() {
    let (mut store, inst) = setup();
    let r = own(&call(&mut store, &inst, "make", &[Val::U32(9)], 1).unwrap()[0]);
    let copy = Val::Resource(r.clone());
    call(&mut store, &inst, "consume", &[Val::Resource(r.clone())], 0).unwrap();
    assert!(!r.is_live(), "moving a clone moves the value");
    // Neither as an own nor as a borrow: the guest would see a rep it already freed.
    for (f, n) in [("consume", 0), ("rep-of", 1)] {
        let e = call(&mut store, &inst, f, std::slice::from_ref(&copy), n).unwrap_err();
        assert!(
            e.to_string().contains("already moved or dropped"),
            "{f}: {e}"
        );
    }
    let e = r.resource_drop(&mut store).unwrap_err();
    assert!(e.to_string().contains("already moved or dropped"), "{e}");
    assert_eq!(
        call(&mut store, &inst, "drops", &[], 1).unwrap(),
        vec![Val::U32(1)],
        "the destructor ran once"
    );
}

#[test]
fn dropping_a_host_held_own_twice_is_an_error() {
    let (mut store, inst) = setup();
    let r = own(&call(&mut store, &inst, "make", &[Val::U32(3)], 1).unwrap()[0]);
    r.clone().resource_drop(&mut store).unwrap();
    assert!(r.clone().resource_drop(&mut store).is_err());
    assert_eq!(
        call(&mut store, &inst, "drops", &[], 1).unwrap(),
        vec![Val::U32(1)]
    );
}
