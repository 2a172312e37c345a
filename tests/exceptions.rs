//! Exception handling through the embedding API: exceptions leaving a call, thrown by the
//! host into Wasm, crossing a host frame, deep unwinding, tail calls, and the component
//! boundary (where an exception becomes a trap).

use weft::component::{Component, Linker as ComponentLinker};
use weft::{Caller, Engine, Error, ExnRef, FuncType, Linker, Module, Store, Tag, Val, ValType};

/// A module with tag `$e (param i32)` exported as "e", and functions around it.
const MODULE: &str = r#"(module
  (import "host" "throw" (func $host_throw (param i32)))
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (func $thrower (export "throw") (param i32) (throw $e (local.get 0)))
  ;; Catches $e from the host function and returns its payload plus one.
  (func (export "catch-host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $host_throw (local.get 0)))
      (i32.const -1))
    (i32.const 1) (i32.add))
  ;; Calls the host, which calls "throw" again: the exception crosses the host frame.
  (func (export "catch-through-host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (drop (call $reenter (local.get 0))))
      (i32.const -1)))
  ;; Recurses `n` levels, then throws; caught at the top.
  (func $deep (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 42))))
    (call $deep (i32.sub (local.get 0) (i32.const 1))))
  (func (export "deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $deep (local.get 0)))
      (i32.const -1)))
  ;; A tail call leaves the handler: the exception from the callee is not caught here.
  (func $thrower_i32 (param i32) (result i32) (throw $e (local.get 0)))
  (func (export "tail") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (return_call $thrower_i32 (local.get 0))))
    (i32.const 99))
  ;; The same with a host callee, which runs after the tail call left the handler.
  (func (export "tail-host") (param i32)
    (block $h (try_table (catch_all $h) (return_call $host_throw (local.get 0)))))
  ;; The exception reference is rethrown by throw_ref after a catch_all_ref.
  (func (export "rethrow") (param i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
      (return))
    (throw_ref)))"#;

struct Setup {
    store: Store<()>,
    instance: weft::Instance,
    tag: Tag,
}

fn setup() -> Setup {
    let engine = Engine::default();
    let module = Module::new(&engine, MODULE).unwrap();
    let mut store = Store::new(&engine, ());
    // The host's own tag, distinct from the module's `$e` (tags are generative), and
    // the module's tag, filled in once the instance exists.
    let host_tag = Tag::new(&mut store, FuncType::new([ValType::I32], [])).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    let module_tag: std::sync::Arc<std::sync::Mutex<Option<Tag>>> = Default::default();
    let t = module_tag.clone();
    linker
        .func_wrap(
            "host",
            "throw",
            move |mut caller: Caller<'_, ()>, x: i32| {
                // Payload 0 throws the host's tag, which the module's handler does not catch.
                let tag = if x == 0 {
                    host_tag
                } else {
                    t.lock().unwrap().unwrap()
                };
                let exn = ExnRef::new(&mut caller, tag, &[Val::I32(x)])?;
                Err::<(), _>(Error::Exception(exn))
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "host",
            "reenter",
            |mut caller: Caller<'_, ()>, x: i32| -> weft::Result<i32> {
                let instance = caller.instance().expect("called from Wasm");
                let throw = instance.get_typed_func::<i32, ()>(&caller, "throw")?;
                throw.call(&mut caller, x)?;
                Ok(0)
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let tag = instance
        .get_export(&store, "e")
        .and_then(|e| e.into_tag())
        .unwrap();
    *module_tag.lock().unwrap() = Some(tag);
    Setup {
        store,
        instance,
        tag,
    }
}

fn call(s: &mut Setup, name: &str, arg: i32) -> weft::Result<Vec<Val>> {
    let f = s.instance.get_func(&s.store, name).unwrap();
    let n = f.ty(&s.store).results().len();
    let mut results = vec![Val::I32(0); n];
    f.call(&mut s.store, &[Val::I32(arg)], &mut results)?;
    Ok(results)
}

#[test]
fn an_uncaught_exception_leaves_the_call_with_its_payload() {
    let mut s = setup();
    let err = call(&mut s, "throw", 7).unwrap_err();
    let Error::Exception(exn) = err else {
        panic!("not an exception: {err}")
    };
    assert_eq!(exn.tag(&s.store), Some(s.tag));
    assert_eq!(exn.payload(&s.store), vec![Val::I32(7)]);
    assert!(!Error::Exception(exn).to_string().is_empty());
}

#[test]
fn a_host_function_throws_into_wasm() {
    let mut s = setup();
    assert_eq!(call(&mut s, "catch-host", 5).unwrap(), vec![Val::I32(6)]);
    // An exception of another tag passes the handler by and leaves the call.
    let err = call(&mut s, "catch-host", 0).unwrap_err();
    assert!(matches!(err, Error::Exception(_)), "{err}");
}

#[test]
fn an_exception_crosses_a_host_frame() {
    let mut s = setup();
    assert_eq!(
        call(&mut s, "catch-through-host", 9).unwrap(),
        vec![Val::I32(9)]
    );
}

#[test]
fn unwinding_a_deep_stack_uses_no_host_stack() {
    let mut s = setup();
    // Run on a thread with a small host stack: unwinding 50000 frames must not recurse.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || call(&mut s, "deep", 50_000).map_err(|e| e.to_string()))
        .unwrap();
    assert_eq!(handle.join().unwrap().unwrap(), vec![Val::I32(42)]);
}

#[test]
fn a_tail_call_leaves_the_handler_of_its_caller() {
    let mut s = setup();
    let err = call(&mut s, "tail", 3).unwrap_err();
    assert!(matches!(err, Error::Exception(_)), "{err}");
    let err = call(&mut s, "tail-host", 3).unwrap_err();
    assert!(matches!(err, Error::Exception(_)), "{err}");
}

#[test]
fn throw_ref_rethrows_the_same_exception() {
    let mut s = setup();
    let Error::Exception(exn) = call(&mut s, "rethrow", 11).unwrap_err() else {
        panic!("not an exception")
    };
    assert_eq!(exn.payload(&s.store), vec![Val::I32(11)]);
}

#[test]
fn throw_ref_of_null_traps() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "f") (throw_ref (ref.null exn))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_func(&store, "f").unwrap();
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    assert!(
        err.to_string().contains("null exception reference"),
        "{err}"
    );
}

#[test]
fn exceptions_can_be_switched_off() {
    let engine = Engine::new(&weft::Config::default().wasm_exceptions(false));
    let err = Module::new(&engine, "(module (tag))").unwrap_err();
    assert!(err.to_string().contains("exceptions"), "{err}");
}

#[test]
fn a_host_exception_needs_a_matching_payload() {
    let mut store = Store::new(&Engine::default(), ());
    let tag = Tag::new(&mut store, FuncType::new([ValType::I32], [])).unwrap();
    assert!(ExnRef::new(&mut store, tag, &[]).is_err());
    assert!(ExnRef::new(&mut store, tag, &[Val::I64(1)]).is_err());
    assert!(Tag::new(&mut store, FuncType::new([], [ValType::I32])).is_err());
}

#[test]
fn an_exception_does_not_cross_a_component_boundary() {
    // $B calls $A's `f`, which throws, inside a try_table with catch_all: the exception
    // becomes a trap at $A's boundary, so $B's handler never runs (it would trap with
    // `unreachable` instead).
    let engine = Engine::default();
    let component = Component::new(
        &engine,
        r#"(component
  (component $A
    (core module $m (tag $t) (func (export "f") (throw $t)))
    (core instance $i (instantiate $m))
    (func (export "f") (canon lift (core func $i "f"))))
  (component $B
    (import "f" (func $f))
    (core func $f-core (canon lower (func $f)))
    (core module $m
      (import "" "f" (func $f))
      (func (export "run")
        (block $caught (try_table (catch_all $caught) (call $f)) (return))
        unreachable))
    (core instance $i (instantiate $m (with "" (instance (export "f" (func $f-core))))))
    (func (export "run") (canon lift (core func $i "run"))))
  (instance $a (instantiate $A))
  (instance $b (instantiate $B (with "f" (func $a "f"))))
  (export "run" (func $b "run")))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = ComponentLinker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let run = instance.get_func(&mut store, "run").unwrap();
    let err = run.call(&mut store, &[], &mut []).unwrap_err();
    assert!(err.is_trap(), "{err}");
    assert!(
        err.to_string()
            .contains("uncaught exception propagated out of component"),
        "{err}"
    );
}
