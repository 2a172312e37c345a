//! The GC proposal's heap as an embedder sees it: collection under memory pressure,
//! roots (globals, host-held references, stacks suspended under host calls), typed
//! function references, and the traps and limits of aggregate instructions.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use weft::{
    AnyRef, AsContext, AsContextMut, Caller, Config, Engine, Func, Linker, Module, Store, Val,
};

fn instantiate(wat: &str) -> (Store<()>, weft::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).expect("module");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiate");
    (store, instance)
}

#[test]
fn ten_million_short_lived_objects_run_in_bounded_memory() {
    // Every iteration allocates a struct and drops the previous one; the host samples
    // the heap every 2^16 iterations.
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (type $box (struct (field (mut i64))))
            (import "host" "sample" (func $sample))
            (func (export "churn") (param $n i32) (result i64)
                (local $b (ref null $box)) (local $sum i64)
                (loop $again
                    (local.set $b (struct.new $box (i64.extend_i32_u (local.get $n))))
                    (local.set $sum (i64.add (local.get $sum)
                        (struct.get $box 0 (local.get $b))))
                    (if (i32.eqz (i32.and (local.get $n) (i32.const 0xffff)))
                        (then (call $sample)))
                    (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                (local.get $sum)))"#,
    )
    .unwrap();
    let peak = Arc::new(AtomicUsize::new(0));
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let p = peak.clone();
    linker
        .func_wrap("host", "sample", move |caller: Caller<'_, ()>| {
            let live = caller.as_context().gc_live_objects();
            p.fetch_max(live, Ordering::Relaxed);
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let churn = instance
        .get_typed_func::<i32, i64>(&store, "churn")
        .unwrap();
    let n: i64 = 10_000_000;
    assert_eq!(churn.call(&mut store, n as i32).unwrap(), n * (n + 1) / 2);
    let peak = peak.load(Ordering::Relaxed);
    // A collection runs once about 2^20 cells were allocated (two per box): the heap
    // never holds more than about that many objects, whatever the iteration count.
    assert!(peak > 0 && peak <= 600_000, "peak of {peak} live objects");
    store.gc();
    assert!(store.gc_live_objects() <= 1, "{}", store.gc_live_objects());
}

#[test]
fn a_long_list_in_a_global_survives_collections() {
    let (mut store, instance) = instantiate(
        r#"(module
            (type $node (struct (field i32) (field (ref null $node))))
            (global $head (mut (ref null $node)) (ref.null $node))
            (func (export "build") (param $n i32)
                (loop $again
                    (global.set $head (struct.new $node (local.get $n) (global.get $head)))
                    (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
            (func (export "garbage") (param $n i32)
                (loop $again
                    (drop (array.new_default $bytes (i32.const 16)))
                    (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
            (type $bytes (array (mut i8)))
            (func (export "sum") (result i64)
                (local $p (ref null $node)) (local $q (ref $node)) (local $sum i64)
                (local.set $p (global.get $head))
                (block $done
                    (loop $again
                        (local.set $q (br_on_null $done (local.get $p)))
                        (local.set $sum (i64.add (local.get $sum)
                            (i64.extend_i32_u (struct.get $node 0 (local.get $q)))))
                        (local.set $p (struct.get $node 1 (local.get $q)))
                        (br $again)))
                (local.get $sum)))"#,
    );
    let build = instance.get_typed_func::<i32, ()>(&store, "build").unwrap();
    let garbage = instance
        .get_typed_func::<i32, ()>(&store, "garbage")
        .unwrap();
    let sum = instance.get_typed_func::<(), i64>(&store, "sum").unwrap();
    let n = 300_000i64;
    build.call(&mut store, n as i32).unwrap();
    // Enough garbage for several collections; the list (300 000 deep: marking must not
    // recurse) stays.
    garbage.call(&mut store, 400_000).unwrap();
    store.gc();
    assert!(store.gc_live_objects() >= n as usize);
    assert_eq!(sum.call(&mut store, ()).unwrap(), n * (n + 1) / 2);
}

#[test]
fn references_held_by_the_host_stay_alive_until_released() {
    let (mut store, instance) = instantiate(
        r#"(module
            (type $pair (struct (field i32) (field i32)))
            (func (export "make") (param i32 i32) (result (ref $pair))
                (struct.new $pair (local.get 0) (local.get 1)))
            (func (export "sum") (param (ref $pair)) (result i32)
                (i32.add (struct.get $pair 0 (local.get 0)) (struct.get $pair 1 (local.get 0)))))"#,
    );
    let make = instance.get_func(&store, "make").unwrap();
    let sum = instance.get_func(&store, "sum").unwrap();
    let mut out = [Val::I32(0)];
    make.call(&mut store, &[Val::I32(40), Val::I32(2)], &mut out)
        .unwrap();
    let pair = out[0];
    let Val::AnyRef(Some(r)) = pair else {
        panic!("expected a struct, got {pair:?}")
    };
    assert!(r.is_struct(&store) && !r.is_array(&store));
    store.gc();
    sum.call(&mut store, &[pair], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(42));
    assert_eq!(store.gc_live_objects(), 1);
    store.release_host_refs();
    store.gc();
    assert_eq!(store.gc_live_objects(), 0);
    // An i31 is not a heap object and passes type checks as the struct cannot.
    let i31 = Val::AnyRef(Some(AnyRef::from_i31(&store, 7)));
    assert!(sum.call(&mut store, &[i31], &mut out).is_err());
}

#[test]
fn frames_suspended_under_a_host_call_are_roots() {
    // `outer` keeps a struct in a local, calls the host, which calls `churn` (enough
    // allocation to collect); back in `outer`, the struct must still be there.
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (type $box (struct (field i32)))
            (import "host" "reenter" (func $reenter))
            (func (export "outer") (result i32)
                (local $b (ref null $box))
                (local.set $b (struct.new $box (i32.const 1234)))
                (call $reenter)
                (struct.get $box 0 (local.get $b)))
            (func (export "churn") (param $n i32)
                (loop $again
                    (drop (struct.new $box (local.get $n)))
                    (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "reenter", |mut caller: Caller<'_, ()>| {
            let churn = caller.get_export("churn").unwrap().into_func().unwrap();
            churn
                .call(&mut caller, &[Val::I32(2_000_000)], &mut [])
                .unwrap();
            caller.as_context_mut().gc();
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let outer = instance.get_typed_func::<(), i32>(&store, "outer").unwrap();
    assert_eq!(outer.call(&mut store, ()).unwrap(), 1234);
}

#[test]
fn call_ref_calls_and_traps_on_null() {
    let (mut store, instance) = instantiate(
        r#"(module
            (type $f (func (param i32) (result i32)))
            (func $double (type $f) (i32.mul (local.get 0) (i32.const 2)))
            (elem declare func $double)
            (func (export "go") (param i32 i32) (result i32)
                (call_ref $f (local.get 1)
                    (select (result (ref null $f)) (ref.func $double) (ref.null $f)
                        (local.get 0))))
            (func (export "tail") (param i32) (result i32)
                (return_call_ref $f (local.get 0) (ref.func $double))))"#,
    );
    let go = instance
        .get_typed_func::<(i32, i32), i32>(&store, "go")
        .unwrap();
    assert_eq!(go.call(&mut store, (1, 21)).unwrap(), 42);
    let err = go.call(&mut store, (0, 21)).unwrap_err();
    assert!(err.to_string().contains("null function reference"), "{err}");
    let tail = instance.get_typed_func::<i32, i32>(&store, "tail").unwrap();
    assert_eq!(tail.call(&mut store, 5).unwrap(), 10);
}

#[test]
fn casts_and_aggregate_traps_have_the_spec_messages() {
    let (mut store, instance) = instantiate(
        r#"(module
            (type $a (sub (struct (field i32))))
            (type $b (sub $a (struct (field i32) (field i64))))
            (type $arr (array (mut i32)))
            (func (export "downcast") (param i32) (result i32)
                (struct.get $b 0 (ref.cast (ref $b)
                    (if (result (ref $a)) (local.get 0)
                        (then (struct.new $b (i32.const 7) (i64.const 0)))
                        (else (struct.new $a (i32.const 8)))))))
            (func (export "test") (result i32)
                (ref.test (ref $a) (struct.new $b (i32.const 1) (i64.const 2))))
            (func (export "oob") (param i32) (result i32)
                (array.get $arr (array.new $arr (i32.const 3) (i32.const 4)) (local.get 0)))
            (func (export "huge") (result i32)
                (array.len (array.new_default $arr (i32.const -1))))
            (func (export "null_struct") (result i32)
                (struct.get $a 0 (ref.null $a)))
            (func (export "i31") (param i32) (result i32)
                (i31.get_s (ref.i31 (local.get 0)))))"#,
    );
    let downcast = instance
        .get_typed_func::<i32, i32>(&store, "downcast")
        .unwrap();
    assert_eq!(downcast.call(&mut store, 1).unwrap(), 7);
    let err = downcast.call(&mut store, 0).unwrap_err().to_string();
    assert!(err.contains("cast failure"), "{err}");
    let test = instance.get_typed_func::<(), i32>(&store, "test").unwrap();
    assert_eq!(test.call(&mut store, ()).unwrap(), 1);
    let oob = instance.get_typed_func::<i32, i32>(&store, "oob").unwrap();
    assert_eq!(oob.call(&mut store, 3).unwrap(), 3);
    let err = oob.call(&mut store, 4).unwrap_err().to_string();
    assert!(err.contains("out of bounds array access"), "{err}");
    // 2^32 - 1 elements: refused with a trap, not an abort.
    let huge = instance.get_typed_func::<(), i32>(&store, "huge").unwrap();
    let err = huge.call(&mut store, ()).unwrap_err().to_string();
    assert!(err.contains("allocation too large"), "{err}");
    let null = instance
        .get_typed_func::<(), i32>(&store, "null_struct")
        .unwrap();
    let err = null.call(&mut store, ()).unwrap_err().to_string();
    assert!(err.contains("null structure reference"), "{err}");
    let i31 = instance.get_typed_func::<i32, i32>(&store, "i31").unwrap();
    assert_eq!(i31.call(&mut store, 0x7fff_ffff).unwrap(), -1);
    assert_eq!(i31.call(&mut store, 0x4000_0000).unwrap(), -0x4000_0000);
}

#[test]
fn types_are_canonical_across_modules_and_host_functions() {
    // Structurally equal recursion groups in two modules are one type: a function of the
    // first module satisfies an import typed by the second's group.
    let engine = Engine::default();
    let a = Module::new(
        &engine,
        r#"(module
            (rec (type $t (func (param (ref null $u)))) (type $u (struct (field (ref null $t)))))
            (func (export "f") (type $t)))"#,
    )
    .unwrap();
    let b = Module::new(
        &engine,
        r#"(module
            (rec (type $t (func (param (ref null $u)))) (type $u (struct (field (ref null $t)))))
            (import "a" "f" (func (type $t))))"#,
    )
    .unwrap();
    let c = Module::new(
        &engine,
        r#"(module
            (rec (type $u (struct (field (ref null $t)))) (type $t (func (param (ref null $u)))))
            (import "a" "f" (func (type $t))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let ia = linker.instantiate(&mut store, &a).unwrap();
    let f = ia.get_func(&store, "f").unwrap();
    linker.define("a", "f", f).unwrap();
    linker.instantiate(&mut store, &b).unwrap();
    // The same types in another order are another group.
    let err = linker.instantiate(&mut store, &c).unwrap_err().to_string();
    assert!(err.contains("incompatible") || err.contains("a f"), "{err}");
    // A host function of type [] -> [] matches a module's `(type (func))`.
    let host = Func::wrap(&mut store, || {});
    let d = Module::new(
        &engine,
        r#"(module (type $v (func)) (import "h" "v" (func (type $v)))
            (table 1 funcref) (elem (i32.const 0) func 0)
            (func (export "call") (call_indirect (type $v) (i32.const 0))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("h", "v", host).unwrap();
    let id = linker.instantiate(&mut store, &d).unwrap();
    let call = id.get_typed_func::<(), ()>(&store, "call").unwrap();
    call.call(&mut store, ()).unwrap();
}

#[test]
fn config_switches_turn_the_proposals_off() {
    let no_gc = Engine::new(&Config::default().wasm_gc(false));
    assert!(Module::new(&no_gc, "(module (type (struct)))").is_err());
    assert!(Module::new(
        &no_gc,
        "(module (func (result i32) (i31.get_s (ref.i31 (i32.const 1)))))"
    )
    .is_err());
    let no_refs = Engine::new(
        &Config::default()
            .wasm_gc(false)
            .wasm_function_references(false),
    );
    assert!(Module::new(
        &no_refs,
        "(module (type $f (func)) (func (param (ref $f)) (call_ref $f (local.get 0))))"
    )
    .is_err());
    // With them on (the default), both load.
    let engine = Engine::default();
    Module::new(&engine, "(module (type (struct)))").unwrap();
    Module::new(
        &engine,
        "(module (type $f (func)) (func (param (ref $f)) (call_ref $f (local.get 0))))",
    )
    .unwrap();
}
