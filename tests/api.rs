//! Behaviour of the embedding API: limits, fuel, host functions, linking, traps.

use weft::{Caller, Config, Engine, Error, Extern, Linker, Module, Store, TrapKind, Val};

fn instantiate(engine: &Engine, wat: &str) -> (Store<()>, weft::Instance) {
    let module = Module::new(engine, wat).expect("valid module");
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, instance)
}

const RECURSE: &str = r#"(module
  (func $down (export "down") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (i64.const 1) (call $down (i64.sub (local.get 0) (i64.const 1))))))))"#;

#[test]
fn infinite_recursion_traps_with_call_stack_exhausted() {
    let engine = Engine::default();
    let (mut store, instance) =
        instantiate(&engine, r#"(module (func $f (export "f") (call $f)))"#);
    let f = instance.get_func(&store, "f").unwrap();
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.kind(), TrapKind::StackExhausted);
    assert!(err.to_string().contains("call stack exhausted"));
}

#[test]
fn a_million_guest_frames_use_no_host_stack() {
    // Run on a thread with a small host stack: a host-recursive interpreter would overflow.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let config = Config::default()
                .max_call_depth(2_000_000)
                .max_stack_bytes(256 << 20);
            let engine = Engine::new(&config);
            let (mut store, instance) = instantiate(&engine, RECURSE);
            let down = instance.get_typed_func::<i64, i64>(&store, "down").unwrap();
            down.call(&mut store, 1_000_000).unwrap()
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), 1_000_000);
}

#[test]
fn value_stack_limit_traps() {
    let engine = Engine::new(&Config::default().max_stack_bytes(64 * 1024));
    let (mut store, instance) = instantiate(&engine, RECURSE);
    let down = instance.get_typed_func::<i64, i64>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 100).unwrap(), 100);
    let err = down.call(&mut store, 100_000).unwrap_err();
    assert_eq!(
        err.as_trap().map(|t| t.kind()),
        Some(TrapKind::StackExhausted)
    );
    // The store stays usable after a trap.
    assert_eq!(down.call(&mut store, 10).unwrap(), 10);
}

#[test]
fn fuel_stops_an_infinite_loop() {
    let engine = Engine::new(&Config::default().fuel(true));
    let module = Module::new(&engine, r#"(module (func (export "spin") (loop (br 0))))"#).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(1_000_000).unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let spin = instance.get_func(&store, "spin").unwrap();
    let err = spin.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(err.as_trap().map(|t| t.kind()), Some(TrapKind::OutOfFuel));
    assert_eq!(store.get_fuel().unwrap(), 0);
}

#[test]
fn fuel_is_charged_and_sufficient_fuel_completes() {
    let engine = Engine::new(&Config::default().fuel(true));
    let module = Module::new(&engine, RECURSE).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(1_000_000).unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let down = instance.get_typed_func::<i64, i64>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 100).unwrap(), 100);
    let left = store.get_fuel().unwrap();
    assert!(left < 1_000_000 && left > 900_000, "fuel left: {left}");
}

#[test]
fn host_function_reads_guest_memory_through_caller() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "log" (func $log (param i32 i32)))
            (memory (export "memory") 1)
            (data (i32.const 16) "hello from wasm")
            (func (export "run") (call $log (i32.const 16) (i32.const 15))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, Vec::<String>::new());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "log",
            |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| {
                let memory = caller
                    .get_export("memory")
                    .and_then(Extern::into_memory)
                    .unwrap();
                let mut buf = vec![0; len as usize];
                memory.read(&caller, ptr as usize, &mut buf)?;
                caller
                    .data_mut()
                    .push(String::from_utf8_lossy(&buf).into_owned());
                Ok::<(), Error>(())
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), ()>(&store, "run").unwrap();
    run.call(&mut store, ()).unwrap();
    assert_eq!(store.data(), &["hello from wasm".to_string()]);
}

#[test]
fn host_error_becomes_an_error_of_the_call() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "fail" (func $fail)) (func (export "run") (call $fail)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "fail", || -> Result<(), Error> {
            Err(Error::host("boom"))
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let err = instance
        .get_func(&store, "run")
        .unwrap()
        .call(&mut store, &[], &mut [])
        .unwrap_err();
    assert!(err.to_string().contains("boom"));
}

/// Typed host functions of numbers only are called on the interpreter's cells (no
/// `Val`s): every number type keeps its bits (a NaN payload, the sign of an `i32`, all 64
/// bits of an `i64`), results may outnumber parameters, a host function may call back
/// into Wasm, and one of references still works beside them.
#[test]
fn typed_host_functions_of_numbers_run_on_cells() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
  (import "h" "mix" (func $mix (param i32 i64 f32 f64) (result f64 i32 i64)))
  (import "h" "two" (func $two (result i64 i64)))
  (import "h" "back" (func $back (param i32) (result i32)))
  (import "h" "refs" (func $refs (param externref) (result i32)))
  (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "mix") (param i32 i64 f32 f64) (result f64 i32 i64)
    (call $mix (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "nan") (param f32) (result i32)
    (drop (drop (call $mix (i32.const 0) (i64.const 0) (local.get 0) (f64.const 0))))
    (i32.reinterpret_f32 (f32.demote_f64)))
  (func (export "two") (result i64)
    (call $two) (i64.sub))
  (func (export "back") (param i32) (result i32) (call $back (local.get 0)))
  (func (export "refs") (result i32) (call $refs (ref.null extern))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("h", "mix", |a: i32, b: i64, c: f32, d: f64| {
            (d + c as f64, a.wrapping_neg(), b ^ -1)
        })
        .unwrap()
        .func_wrap("h", "two", || (10i64, 3i64))
        .unwrap()
        .func_wrap("h", "back", |mut caller: Caller<'_, ()>, x: i32| {
            let twice = caller
                .get_export("twice")
                .and_then(|e| e.into_func())
                .ok_or_else(|| Error::host("no export"))?;
            let mut out = [Val::I32(0)];
            twice.call(&mut caller, &[Val::I32(x)], &mut out)?;
            match out[0] {
                Val::I32(y) => Ok(y + 1),
                _ => Err(Error::host("not an i32")),
            }
        })
        .unwrap()
        .func_wrap("h", "refs", |r: Option<weft::ExternRef>| r.is_none() as i32)
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let mix = instance
        .get_typed_func::<(i32, i64, f32, f64), (f64, i32, i64)>(&store, "mix")
        .unwrap();
    assert_eq!(
        mix.call(&mut store, (i32::MIN + 1, 1 << 40, 0.5, 2.25))
            .unwrap(),
        (2.75, i32::MAX, !(1i64 << 40))
    );
    assert_eq!(mix.call(&mut store, (-7, -1, -0.0, -0.0)).unwrap().1, 7);
    let nan = instance.get_typed_func::<f32, i32>(&store, "nan").unwrap();
    // A quiet NaN with a payload comes back from the host as it went in (the
    // promotion and demotion around it keep quiet NaN payloads).
    let bits = 0x7fc0_1234u32;
    assert_eq!(
        nan.call(&mut store, f32::from_bits(bits)).unwrap() as u32,
        bits
    );
    let two = instance.get_typed_func::<(), i64>(&store, "two").unwrap();
    assert_eq!(two.call(&mut store, ()).unwrap(), 7);
    let back = instance.get_typed_func::<i32, i32>(&store, "back").unwrap();
    assert_eq!(back.call(&mut store, 20).unwrap(), 41);
    let refs = instance.get_typed_func::<(), i32>(&store, "refs").unwrap();
    assert_eq!(refs.call(&mut store, ()).unwrap(), 1);
}

/// An error type of the embedder's own, raised by a host function.
#[derive(Debug, PartialEq)]
struct Denied {
    what: String,
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "denied: {}", self.what)
    }
}

impl std::error::Error for Denied {}

#[test]
fn host_error_of_a_custom_type_comes_back_to_the_caller() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "open" (func $open (param i32) (result i32)))
             (func (export "run") (param i32) (result i32) (call $open (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "open", |fd: i32| -> Result<i32, Error> {
            if fd < 0 {
                return Err(Error::host(Denied {
                    what: format!("fd {fd}"),
                }));
            }
            Ok(fd)
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 7).unwrap(), 7);

    let err = run.call(&mut store, -1).unwrap_err();
    assert!(matches!(err, Error::Host(_)));
    assert!(err.is::<Denied>());
    assert_eq!(err.to_string(), "denied: fd -1");
    assert_eq!(
        err.downcast_ref::<Denied>(),
        Some(&Denied {
            what: "fd -1".into()
        })
    );
    assert!(err.downcast_ref::<std::io::Error>().is_none());
    // Another type gives the error back unchanged; the right one gives the value.
    let err = err.downcast::<std::io::Error>().unwrap_err();
    assert_eq!(err.downcast::<Denied>().unwrap().what, "fd -1");

    // The untyped call path returns the same error.
    let mut out = [Val::I32(0)];
    let err = run
        .func()
        .call(&mut store, &[Val::I32(-2)], &mut out)
        .unwrap_err();
    assert_eq!(err.downcast_ref::<Denied>().unwrap().what, "fd -2");
}

#[test]
fn host_error_called_directly_from_the_host() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let f = weft::Func::wrap(&mut store, || -> Result<(), Error> {
        Err(Error::host(Denied { what: "all".into() }))
    });
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(err.downcast::<Denied>().unwrap().what, "all");
}

#[test]
fn traps_raised_by_host_functions_stay_traps() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "trap" (func $trap (param i32)))
             (func $inner (export "run") (param i32) (call $trap (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "trap", |how: i32| -> Result<(), Error> {
            match how {
                0 => Err(TrapKind::IntegerDivideByZero.into()),
                _ => Err(Error::host(weft::Trap::new(TrapKind::Unreachable))),
            }
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, ()>(&store, "run").unwrap();
    for (how, kind) in [
        (0, TrapKind::IntegerDivideByZero),
        (1, TrapKind::Unreachable),
    ] {
        let err = run.call(&mut store, how).unwrap_err();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(trap.kind(), kind);
        assert!(!trap.backtrace().is_empty(), "the trap has a backtrace");
        assert_eq!(
            err.downcast_ref::<weft::Trap>().map(|t| t.kind()),
            Some(kind)
        );
        assert!(err.downcast_ref::<Denied>().is_none());
    }
    let err = run.call(&mut store, 0).unwrap_err();
    assert_eq!(
        err.downcast::<weft::Trap>().unwrap().kind(),
        TrapKind::IntegerDivideByZero
    );
}

#[test]
fn func_new_with_dynamic_values_and_cross_instance_imports() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_new(
            "env",
            "twice",
            weft::FuncType::new([weft::ValType::I64], [weft::ValType::I64]),
            |_caller, params, results| {
                results[0] = Val::I64(params[0].i64().unwrap_or(0) * 2);
                Ok(())
            },
        )
        .unwrap();
    let provider = Module::new(
        &engine,
        r#"(module
            (import "env" "twice" (func $twice (param i64) (result i64)))
            (memory (export "mem") 1)
            (global (export "g") (mut i32) (i32.const 5))
            (table (export "t") 1 funcref)
            (func $quad (export "quad") (param i64) (result i64) (call $twice (call $twice (local.get 0))))
            (elem (i32.const 0) $quad))"#,
    )
    .unwrap();
    let provider = linker.instantiate(&mut store, &provider).unwrap();
    linker.instance(&mut store, "provider", provider).unwrap();
    let consumer = Module::new(
        &engine,
        r#"(module
            (import "provider" "quad" (func $quad (param i64) (result i64)))
            (import "provider" "mem" (memory 1))
            (import "provider" "g" (global $g (mut i32)))
            (import "provider" "t" (table 1 funcref))
            (type $t (func (param i64) (result i64)))
            (func (export "go") (result i64)
                (i32.store (i32.const 0) (global.get $g))
                (global.set $g (i32.const 9))
                (i64.add (call $quad (i64.const 3)) (call_indirect (type $t) (i64.const 1) (i32.const 0)))))"#,
    )
    .unwrap();
    let consumer = linker.instantiate(&mut store, &consumer).unwrap();
    let go = consumer.get_typed_func::<(), i64>(&store, "go").unwrap();
    assert_eq!(go.call(&mut store, ()).unwrap(), 12 + 4);
    let mem = provider.get_memory(&store, "mem").unwrap();
    assert_eq!(&mem.data(&store)[..4], &5i32.to_le_bytes());
    assert_eq!(
        provider.get_global(&store, "g").unwrap().get(&store),
        Val::I32(9)
    );
}

#[test]
fn unknown_and_incompatible_imports_are_errors() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "env" "f" (func (param i32))))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(err, Error::UnknownImport { .. }), "{err}");
    linker.func_wrap("env", "f", |_: i64| {}).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(err, Error::IncompatibleImport { .. }), "{err}");
    assert!(err.to_string().contains("env::f"));
}

#[test]
fn trap_backtrace_names_functions() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module $demo
            (func $inner (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
            (func $outer (export "outer") (result i32) (call $inner)))"#,
    );
    let err = instance
        .get_func(&store, "outer")
        .unwrap()
        .call(&mut store, &[], &mut [Val::I32(0)])
        .unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.kind(), TrapKind::IntegerDivideByZero);
    let names: Vec<_> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["inner", "outer"]);
    assert!(trap.backtrace_string().contains("demo!inner"));
}

#[test]
fn wrong_argument_types_are_errors_not_panics() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(&engine, RECURSE);
    let down = instance.get_func(&store, "down").unwrap();
    assert!(down
        .call(&mut store, &[Val::I32(1)], &mut [Val::I64(0)])
        .is_err());
    assert!(down.call(&mut store, &[Val::I64(1)], &mut []).is_err());
    assert!(instance.get_typed_func::<i32, i32>(&store, "down").is_err());
}

#[test]
fn memory_limit_is_enforced() {
    let engine = Engine::new(&Config::default().max_memory_pages(2));
    let module = Module::new(&engine, r#"(module (memory 3))"#).unwrap();
    let mut store = Store::new(&engine, ());
    assert!(Linker::<()>::new(&engine)
        .instantiate(&mut store, &module)
        .is_err());
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
}

#[test]
fn eager_translation_gives_the_same_results() {
    let engine = Engine::new(&Config::default().lazy_translation(false));
    let (mut store, instance) = instantiate(&engine, RECURSE);
    let down = instance.get_typed_func::<i64, i64>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 7).unwrap(), 7);
}

#[test]
fn frames_over_the_slot_limit_are_an_error_not_a_crash() {
    // 50000 locals (wasmparser's maximum) plus 20000 operands exceed the 65536 cells a
    // frame may use: an implementation limit, reported as an error when the function is
    // translated (at its first call when translation is lazy, at load when eager).
    let pushes = "i32.const 1 ".repeat(20_000);
    let drops = "drop ".repeat(20_000);
    let wat = format!(
        r#"(module (func (export "big") (local i32) (local i64) {pushes} {drops})
             (func (export "small") (result i32) i32.const 5))"#
    )
    .replace("(local i32) (local i64)", &"(local i32)".repeat(50_000));
    let engine = Engine::default();
    let (mut store, instance) = instantiate(&engine, &wat);
    let small = instance.get_typed_func::<(), i32>(&store, "small").unwrap();
    assert_eq!(small.call(&mut store, ()).unwrap(), 5);
    let big = instance.get_typed_func::<(), ()>(&store, "big").unwrap();
    let err = big.call(&mut store, ()).unwrap_err();
    assert!(err.to_string().contains("implementation limit"), "{err}");

    let eager = Engine::new(&Config::default().lazy_translation(false));
    let err = Module::new(&eager, &wat).unwrap_err();
    assert!(err.to_string().contains("implementation limit"), "{err}");
}

/// A module that imports `host::who` and exports it again, with a `name` global of its own.
fn reexporter(name: i32) -> String {
    format!(
        r#"(module (import "host" "who" (func $who (result i32)))
             (global (export "name") i32 (i32.const {name}))
             (export "who" (func $who))
             (func (export "call_who") (result i32) (call $who)))"#
    )
}

/// The `name` global of the caller's instance, or -1 without one.
fn caller_name(caller: Caller<'_, ()>) -> i32 {
    match caller.get_export("name") {
        Some(Extern::Global(g)) => g.get(&caller).i32().unwrap_or(-2),
        _ => -1,
    }
}

#[test]
fn caller_instance_of_a_host_function_called_from_the_host() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());

    // Defined in a linker: each instantiation makes its own function, imported once, so a
    // direct call sees the importing instance.
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("host", "who", caller_name).unwrap();
    let one = linker
        .instantiate(&mut store, &Module::new(&engine, reexporter(1)).unwrap())
        .unwrap();
    let two = linker
        .instantiate(&mut store, &Module::new(&engine, reexporter(2)).unwrap())
        .unwrap();
    for (instance, name) in [(one, 1), (two, 2)] {
        let who = instance.get_typed_func::<(), i32>(&store, "who").unwrap();
        assert_eq!(who.call(&mut store, ()).unwrap(), name, "direct call");
        let call_who = instance
            .get_typed_func::<(), i32>(&store, "call_who")
            .unwrap();
        assert_eq!(call_who.call(&mut store, ()).unwrap(), name, "from Wasm");
    }

    // Not imported anywhere: no instance.
    let loose = weft::Func::wrap(&mut store, caller_name);
    let loose_typed = loose.typed::<(), i32>(&store).unwrap();
    assert_eq!(loose_typed.call(&mut store, ()).unwrap(), -1);

    // Imported into two instances: called from Wasm it sees each caller, called directly
    // it cannot tell which one is meant, so it sees none.
    let m3 = Module::new(&engine, reexporter(3)).unwrap();
    let m4 = Module::new(&engine, reexporter(4)).unwrap();
    let three = weft::Instance::new(&mut store, &m3, &[loose.into()]).unwrap();
    assert_eq!(loose_typed.call(&mut store, ()).unwrap(), 3);
    let four = weft::Instance::new(&mut store, &m4, &[loose.into()]).unwrap();
    assert_eq!(loose_typed.call(&mut store, ()).unwrap(), -1);
    for (instance, name) in [(three, 3), (four, 4)] {
        let call_who = instance
            .get_typed_func::<(), i32>(&store, "call_who")
            .unwrap();
        assert_eq!(call_who.call(&mut store, ()).unwrap(), name);
    }
}

#[test]
fn data_and_store_mut_through_caller() {
    // A host function that appends guest bytes to its state and zeroes them in memory,
    // holding both borrows at once.
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "drain" (func $drain (param i32 i32)))
             (memory (export "memory") 1)
             (data (i32.const 100) "abcdef")
             (func (export "run") (call $drain (i32.const 101) (i32.const 3))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, Vec::<u8>::new());
    let mut linker = Linker::<Vec<u8>>::new(&engine);
    linker
        .func_wrap(
            "host",
            "drain",
            |mut caller: Caller<'_, Vec<u8>>, ptr: u32, len: u32| -> Result<(), Error> {
                let memory = caller
                    .get_export("memory")
                    .and_then(Extern::into_memory)
                    .ok_or_else(|| Error::host("no memory"))?;
                let (bytes, state) = memory.data_and_store_mut(&mut caller);
                let range = ptr as usize..(ptr + len) as usize;
                let src = bytes.get_mut(range).ok_or(TrapKind::MemoryOutOfBounds)?;
                state.extend_from_slice(src);
                src.fill(0);
                Ok(())
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    instance
        .get_typed_func::<(), ()>(&store, "run")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    assert_eq!(store.data(), b"bcd");
    let memory = instance.get_memory(&store, "memory").unwrap();
    assert_eq!(&memory.data(&store)[100..106], b"a\0\0\0ef");
    // The store itself works too.
    let (bytes, state) = memory.data_and_store_mut(&mut store);
    bytes[100] = b'z';
    state.clear();
    assert_eq!(memory.data(&store)[100], b'z');
    assert!(store.data().is_empty());
}

const MUTUAL_TAIL_CALLS: &str = r#"(module
  (type $t (func (param i64) (result i64)))
  (table funcref (elem $even $odd))
  (func $even (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  ;; A bigger frame than $even's, and an indirect tail call back.
  (func $odd (param i64) (result i64) (local i64 i64 i64)
    (local.set 1 (i64.sub (local.get 0) (i64.const 1)))
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (return_call_indirect (type $t) (local.get 1) (i32.const 0)))))
  (func (export "is_even") (param i64) (result i64) (call $even (local.get 0))))"#;

#[test]
fn ten_million_mutual_tail_calls_run_in_constant_space() {
    // Two frames deep and a value stack far smaller than 10^7 frames: tail calls must
    // replace the caller's frame rather than push one.
    let config = Config::default().max_call_depth(2).max_stack_bytes(4096);
    let engine = Engine::new(&config);
    let (mut store, instance) = instantiate(&engine, MUTUAL_TAIL_CALLS);
    let is_even = instance
        .get_typed_func::<i64, i64>(&store, "is_even")
        .unwrap();
    assert_eq!(is_even.call(&mut store, 10_000_000).unwrap(), 1);
    assert_eq!(is_even.call(&mut store, 10_000_001).unwrap(), 0);

    // The same recursion with ordinary calls exhausts those limits.
    let plain = MUTUAL_TAIL_CALLS
        .replace("return_call_indirect", "call_indirect")
        .replace("return_call", "call");
    let (mut store, instance) = instantiate(&engine, &plain);
    let is_even = instance
        .get_typed_func::<i64, i64>(&store, "is_even")
        .unwrap();
    let err = is_even.call(&mut store, 1000).unwrap_err();
    assert_eq!(
        err.as_trap().map(|t| t.kind()),
        Some(TrapKind::StackExhausted)
    );
}

#[test]
fn tail_calls_may_not_be_used_when_disabled() {
    let engine = Engine::new(&Config::default().wasm_tail_call(false));
    assert!(Module::new(&engine, MUTUAL_TAIL_CALLS).is_err());
    let engine = Engine::new(&Config::default().wasm_extended_const(false));
    let extended = r#"(module (global i32 (i32.add (i32.const 1) (i32.const 2))))"#;
    assert!(Module::new(&engine, extended).is_err());
    assert!(Module::new(&Engine::default(), extended).is_ok());
}

#[test]
fn host_function_as_tail_call_target_returns_to_the_caller() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "inc" (func $inc (param i32) (result i32)))
            (table funcref (elem $inc))
            (func $mid (param i32) (result i32) (local i32)
              (return_call $inc (i32.mul (local.get 0) (i32.const 10))))
            (func $mid_indirect (param i32) (result i32)
              (return_call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
            (func (export "direct") (param i32) (result i32)
              (i32.add (call $mid (local.get 0)) (i32.const 1000)))
            (func (export "indirect") (param i32) (result i32)
              (i32.add (call $mid_indirect (local.get 0)) (i32.const 1000)))
            (func (export "entry") (param i32) (result i32)
              (return_call $inc (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "inc", |x: i32| x + 1).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let call = |store: &mut Store<()>, name: &str, x: i32| {
        instance
            .get_typed_func::<i32, i32>(&*store, name)
            .unwrap()
            .call(store, x)
            .unwrap()
    };
    assert_eq!(call(&mut store, "direct", 4), 1041);
    assert_eq!(call(&mut store, "indirect", 4), 1005);
    assert_eq!(call(&mut store, "entry", 4), 5);
}

#[test]
fn trap_in_a_tail_called_function_has_a_backtrace() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module $demo
            (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
            (func $middle (result i32) (return_call $inner (i32.const 0)))
            (func $outer (export "outer") (result i32) (call $middle)))"#,
    );
    let err = instance
        .get_func(&store, "outer")
        .unwrap()
        .call(&mut store, &[], &mut [Val::I32(0)])
        .unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.kind(), TrapKind::IntegerDivideByZero);
    let names: Vec<_> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.clone().unwrap_or_default())
        .collect();
    // `$middle` handed its frame to `$inner`, which returns straight to `$outer`.
    assert_eq!(names, ["inner", "outer"]);
}

#[test]
fn memories_of_one_byte_pages() {
    let wat = r#"(module
        (memory (export "m") 3 10 (pagesize 1))
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "size") (result i32) (memory.size))
        (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;
    assert!(
        Module::new(&Engine::default(), wat).is_err(),
        "off by default"
    );
    let engine = Engine::new(&Config::default().wasm_custom_page_sizes(true));
    let (mut store, instance) = instantiate(&engine, wat);
    let size = instance.get_typed_func::<(), i32>(&store, "size").unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let load = instance.get_typed_func::<i32, i32>(&store, "load").unwrap();
    assert_eq!(size.call(&mut store, ()).unwrap(), 3);
    assert_eq!(load.call(&mut store, 2).unwrap(), 0);
    assert!(load.call(&mut store, 3).is_err(), "one byte past the end");
    assert_eq!(grow.call(&mut store, 7).unwrap(), 3);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "past the maximum");
    let memory = instance.get_memory(&store, "m").unwrap();
    assert_eq!(memory.data(&store).len(), 10);
    assert_eq!(load.call(&mut store, 9).unwrap(), 0);
}

/// The fused address and loop-exit forms (`Store8ImmAdd`, `Load8UAdd`,
/// `BrIfI32AddLtU`) keep `i32.add`'s wrap-around: 0xffff_ffff + 2 is address 1.
#[test]
fn fused_adds_wrap_like_i32_add() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
  (memory 1)
  (func (export "poke") (param i32 i32)
    (i32.store8 (i32.add (local.get 0) (local.get 1)) (i32.const 7)))
  (func (export "peek") (param i32 i32) (result i32)
    (i32.load8_u (i32.add (local.get 0) (local.get 1))))
  ;; Counts i up from 0 while i + k < n (unsigned, wrapping).
  (func (export "count") (param $k i32) (param $n i32) (result i32)
    (local $i i32)
    (block $out
      (loop $l
        (br_if $out (i32.eqz (i32.lt_u (i32.add (local.get $i) (local.get $k)) (local.get $n))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (i32.add (local.get $i) (local.get $k)) (local.get $n)))))
    (local.get $i)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let poke = instance
        .get_typed_func::<(i32, i32), ()>(&store, "poke")
        .unwrap();
    let peek = instance
        .get_typed_func::<(i32, i32), i32>(&store, "peek")
        .unwrap();
    let count = instance
        .get_typed_func::<(i32, i32), i32>(&store, "count")
        .unwrap();
    poke.call(&mut store, (-1, 2)).unwrap();
    assert_eq!(peek.call(&mut store, (1, 0)).unwrap(), 7);
    assert_eq!(peek.call(&mut store, (-2, 3)).unwrap(), 7);
    assert!(peek.call(&mut store, (65535, 1)).is_err(), "out of bounds");
    assert_eq!(count.call(&mut store, (0, 10)).unwrap(), 10);
    // k = 2^32 - 3 is not below 10 unsigned; below 2^32 - 1 for i = 0 and 1 only.
    assert_eq!(
        count.call(&mut store, (-3, 10)).unwrap(),
        0,
        "-3 >= 10 unsigned"
    );
    assert_eq!(count.call(&mut store, (-3, -1)).unwrap(), 2);
    assert_eq!(count.call(&mut store, (5, 3)).unwrap(), 0);
}

/// Loads from `local + constant` (`Load32AddImm`, `Load64AddImm`, `Load8UAddImm`) wrap
/// the sum as `i32.add` does but add the static offset without wrapping; bit tests fused
/// into branches (`BrIfI32AndImmNez`/`Eqz`) branch on `x & k`.
#[test]
fn fused_add_imm_loads_and_bit_tests() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09")
  (func (export "l32") (param i32) (result i32)
    (i32.load (i32.add (local.get 0) (i32.const 8))))
  (func (export "l64") (param i32) (result i64)
    (i64.load offset=1 (i32.add (local.get 0) (i32.const 8))))
  (func (export "l8") (param i32) (result i32)
    (i32.load8_u offset=2 (i32.add (local.get 0) (i32.const -1))))
  (func (export "br_bit") (param i32) (result i32)
    (block (br_if 0 (i32.and (local.get 0) (i32.const 4))) (return (i32.const 0)))
    (i32.const 1))
  (func (export "if_bit") (param i32) (result i32)
    (if (result i32) (i32.and (local.get 0) (i32.const 4))
      (then (i32.const 1)) (else (i32.const 0)))))"#,
        &[
            (0, "Load32AddImm"),
            (1, "Load64AddImm"),
            (2, "Load8UAddImm"),
            (3, "BrIfI32AndImmNez"),
            (4, "BrIfI32AndImmEqz"),
        ],
    );
    let l32 = instance.get_typed_func::<i32, i32>(&store, "l32").unwrap();
    let l64 = instance.get_typed_func::<i32, i64>(&store, "l64").unwrap();
    let l8 = instance.get_typed_func::<i32, i32>(&store, "l8").unwrap();
    // -8 + 8 wraps to address 0.
    assert_eq!(l32.call(&mut store, -8).unwrap(), 0x0403_0201);
    assert_eq!(l32.call(&mut store, -7).unwrap(), 0x0504_0302);
    assert!(
        l32.call(&mut store, 65532 - 8 + 1).is_err(),
        "out of bounds"
    );
    assert_eq!(l64.call(&mut store, -8).unwrap(), 0x0908_0706_0504_0302);
    assert_eq!(l8.call(&mut store, 1).unwrap(), 3);
    // 0 - 1 wraps to 0xffff_ffff; the offset 2 then goes past 4 GiB, not back to 1.
    assert!(l8.call(&mut store, 0).is_err(), "offset does not wrap");
    for name in ["br_bit", "if_bit"] {
        let f = instance.get_typed_func::<i32, i32>(&store, name).unwrap();
        assert_eq!(f.call(&mut store, 4).unwrap(), 1, "{name}(4)");
        assert_eq!(f.call(&mut store, 7).unwrap(), 1, "{name}(7)");
        assert_eq!(f.call(&mut store, 3).unwrap(), 0, "{name}(3)");
        assert_eq!(f.call(&mut store, -5).unwrap(), 0, "{name}(-5)");
    }
}

/// The ALU fusions compute what their parts do: `I32AddImmShl` (`(a + k) + (i << s)`,
/// wrapping), `I32XorRotlImm` (from `rotl` and `rotr`) and `I32AddImm2` (two in-place
/// increments, in order, also of one local; split again when a `br_if` tests the second).
#[test]
fn fused_alu_forms_compute_their_parts() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (func (export "idx") (param i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (i32.const 8)) (i32.shl (local.get 1) (i32.const 2))))
  (func (export "sig") (param i32 i32) (result i32)
    (i32.xor
      (i32.xor (local.get 0) (i32.rotl (local.get 1) (i32.const 7)))
      (i32.rotr (local.get 1) (i32.const 3))))
  (func (export "steps") (param i32) (result i32) (local $a i32) (local $b i32)
    (loop $l
      (local.set $a (i32.add (local.get $a) (i32.const 3)))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (i32.const -1)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const -1)))
      (br_if $l (local.get 0)))
    (i32.add (i32.mul (local.get $a) (i32.const 1000)) (local.get $b))))"#,
        &[
            (0, "I32AddImmShl"),
            (1, "I32XorRotlImm"),
            (2, "I32AddImm2"),
            (2, "I32AddImmBrNez"),
        ],
    );
    let idx = instance
        .get_typed_func::<(i32, i32), i32>(&store, "idx")
        .unwrap();
    assert_eq!(idx.call(&mut store, (-8, 3)).unwrap(), 12);
    assert_eq!(idx.call(&mut store, (-4, 1 << 30)).unwrap(), 4, "wraps");
    assert_eq!(idx.call(&mut store, (i32::MAX, 0)).unwrap(), i32::MIN + 7);
    let sig = instance
        .get_typed_func::<(i32, i32), i32>(&store, "sig")
        .unwrap();
    for (a, x) in [
        (0u32, 0x8000_0001u32),
        (0xdead_beef, 0x1234_5678),
        (7, u32::MAX),
    ] {
        let want = a ^ x.rotate_left(7) ^ x.rotate_right(3);
        assert_eq!(
            sig.call(&mut store, (a as i32, x as i32)).unwrap() as u32,
            want
        );
    }
    let steps = instance
        .get_typed_func::<i32, i32>(&store, "steps")
        .unwrap();
    // a += 3 + 4 + 1 and b -= 1 per iteration.
    assert_eq!(steps.call(&mut store, 5).unwrap(), 5 * 8000 - 5);
    assert_eq!(steps.call(&mut store, 1).unwrap(), 7999);
}

/// Compiles `wat`, checks that defined function `def` uses instruction `fused` for each
/// pair in `uses`, and instantiates it.
fn fused_instance(wat: &str, uses: &[(u32, &str)]) -> (Store<()>, weft::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    for &(def, fused) in uses {
        let ir = module.dump_ir(def).unwrap();
        assert!(ir.contains(fused), "function {def} uses {fused}:\n{ir}");
    }
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

/// Export `name` of `instance` as a function of two `i32`s to an `i32`.
fn func2(
    store: &Store<()>,
    instance: &weft::Instance,
    name: &str,
) -> weft::TypedFunc<(i32, i32), i32> {
    instance.get_typed_func(store, name).unwrap()
}

/// An in-place increment and a compare-and-branch against another local fuse into one
/// instruction (`I32AddImmBrNe`/`Eq`/`LtU`/`GeU`, `I64AddImmBrNe`/`Eq`) that adds with
/// wrap-around, compares the sum and branches as the pair did, also when the loop is
/// rotated (the negated form) and when the bound is the stepped local itself.
#[test]
fn increment_and_compare_branch_fuse() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (func (export "ne") (param $i i32) (param $n i32) (result i32) (local $k i32)
    (loop $l
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 3))) (local.get $n))))
    (local.get $k))
  (func (export "ltu") (param $i i32) (param $n i32) (result i32) (local $k i32)
    (loop $l
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $k))
  (func (export "geu") (param $i i32) (param $n i32) (result i32) (local $k i32)
    (loop $l
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.ge_u (local.tee $i (i32.add (local.get $i) (i32.const -1))) (local.get $n))))
    (local.get $k))
  (func (export "rot") (param $i i32) (param $n i32) (result i32) (local $k i32)
    (block $out
      (loop $l
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $out (i32.ge_u (local.tee $i (i32.add (local.get $i) (i32.const -1))) (local.get $n)))
        (br $l)))
    (local.get $k))
  (func (export "eq64") (param $i i64) (param $n i64) (result i32) (local $k i32)
    (block $out
      (loop $l
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (local.set $i (i64.add (local.get $i) (i64.const -2)))
        (br_if $out (i64.eq (local.get $i) (local.get $n)))
        (br $l)))
    (local.get $k))
  (func (export "self") (param $i i32) (result i32)
    (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $i))
    (if (result i32) (then (i32.const 7)) (else (local.get $i)))))"#,
        &[
            (0, "I32AddImmBrNe"),
            (1, "I32AddImmBrLtU"),
            (2, "I32AddImmBrGeU"),
            (3, "I32AddImmBrLtU"),
            (4, "I64AddImmBr"),
        ],
    );
    let pair = |store: &Store<()>, name: &str| func2(store, &instance, name);
    let ne = pair(&store, "ne");
    assert_eq!(ne.call(&mut store, (0, 30)).unwrap(), 10);
    // Wraps: from -3 by 3 past zero to 6.
    assert_eq!(ne.call(&mut store, (-9, 6)).unwrap(), 5);
    let ltu = pair(&store, "ltu");
    assert_eq!(ltu.call(&mut store, (0, 10)).unwrap(), 10);
    assert_eq!(ltu.call(&mut store, (5, 3)).unwrap(), 1, "already past");
    // -1 + 1 wraps to 0 (below 2 unsigned), then 1, then 2.
    assert_eq!(ltu.call(&mut store, (-1, 2)).unwrap(), 3);
    let geu = pair(&store, "geu");
    assert_eq!(geu.call(&mut store, (10, 3)).unwrap(), 8);
    assert_eq!(geu.call(&mut store, (3, 3)).unwrap(), 1);
    // The exit test `i >= n` of a rotated loop: 1 and 0 stay in, 0 - 1 wraps to
    // u32::MAX, at or above any bound.
    let rot = pair(&store, "rot");
    assert_eq!(rot.call(&mut store, (2, 5)).unwrap(), 3);
    assert_eq!(rot.call(&mut store, (10, 3)).unwrap(), 1);
    let eq64 = instance
        .get_typed_func::<(i64, i64), i32>(&store, "eq64")
        .unwrap();
    assert_eq!(eq64.call(&mut store, (10, 0)).unwrap(), 5);
    assert_eq!(eq64.call(&mut store, (1 << 40, (1 << 40) - 8)).unwrap(), 4);
    assert_eq!(eq64.call(&mut store, (1, -5)).unwrap(), 3, "crosses zero");
    let this = instance.get_typed_func::<i32, i32>(&store, "self").unwrap();
    assert_eq!(this.call(&mut store, 4).unwrap(), 5);
    assert_eq!(this.call(&mut store, -1).unwrap(), 0);
}

/// A byte load from an address that an `i32.add` (or `base + (index << shift)`) just
/// wrote to a local fuses into one instruction (`Load8UAddTee`, `Load8UShlTee`) that
/// keeps the address in the local, wraps the sum as `i32.add` does, adds the offset
/// without wrapping and traps out of bounds; the loaded byte may go to that same local.
#[test]
fn byte_loads_that_keep_their_address_fuse() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09")
  (func (export "add") (param $a i32) (param $b i32) (result i32) (local $p i32)
    (i32.load8_u offset=1 (local.tee $p (i32.add (local.get $a) (local.get $b))))
    (i32.shl (local.get $p) (i32.const 8))
    (i32.or))
  (func (export "shl") (param $a i32) (param $i i32) (result i32) (local $p i32)
    (i32.load8_u (local.tee $p (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 1)))))
    (i32.shl (local.get $p) (i32.const 8))
    (i32.or))
  (func (export "same") (param $a i32) (param $b i32) (result i32)
    (local.set $a (i32.load8_u (local.tee $a (i32.add (local.get $a) (local.get $b)))))
    (local.get $a)))"#,
        &[
            (0, "Load8UAddTee"),
            (1, "Load8UShlTee"),
            (2, "Load8UAddTee"),
        ],
    );
    let f = |store: &Store<()>, name: &str| func2(store, &instance, name);
    let add = f(&store, "add");
    assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5 << 8 | 7);
    // -1 + 1 wraps to address 0; the byte is at 0 + 1.
    assert_eq!(add.call(&mut store, (-1, 1)).unwrap(), 2);
    // The offset does not wrap: u32::MAX + 1 is past the memory.
    assert!(add.call(&mut store, (-1, 0)).is_err(), "out of bounds");
    let shl = f(&store, "shl");
    assert_eq!(shl.call(&mut store, (1, 3)).unwrap(), 7 << 8 | 8);
    assert_eq!(shl.call(&mut store, (4, -2)).unwrap(), 1, "wraps to 0");
    assert!(shl.call(&mut store, (0, 1 << 15)).is_err(), "out of bounds");
    let same = f(&store, "same");
    assert_eq!(same.call(&mut store, (1, 2)).unwrap(), 4);
}

/// A branch on a loaded byte (`br_if`, `if`, also through `i32.eqz`) fuses with the load
/// (`BrIfLoad8UNez`, `BrIfLoad8UEqz`), which still traps out of bounds and adds the
/// offset without wrapping; an `i32.eqz` of a comparison fuses into the negated
/// compare-and-branch.
#[test]
fn branches_on_a_loaded_byte_fuse() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (memory 1)
  (data (i32.const 0) "\00\07\00\05")
  (func (export "nez") (param $p i32) (result i32)
    (block $b
      (br_if $b (i32.load8_u offset=1 (local.get $p)))
      (return (i32.const 0)))
    (i32.const 1))
  (func (export "eqz") (param $p i32) (result i32)
    (block $b
      (br_if $b (i32.eqz (i32.load8_u (local.get $p))))
      (return (i32.const 0)))
    (i32.const 1))
  (func (export "if") (param $p i32) (result i32)
    (if (result i32) (i32.load8_u (local.get $p)) (then (i32.const 1)) (else (i32.const 0))))
  (func (export "geu") (param $a i32) (param $b i32) (result i32)
    (block $b
      (br_if $b (i32.eqz (i32.lt_u (local.get $a) (local.get $b))))
      (return (i32.const 0)))
    (i32.const 1)))"#,
        &[
            (0, "BrIfLoad8UNez"),
            (1, "BrIfLoad8UEqz"),
            (2, "BrIfLoad8UEqz"),
            (3, "BrIfI32GeU"),
        ],
    );
    let f =
        |store: &Store<()>, name: &str| instance.get_typed_func::<i32, i32>(store, name).unwrap();
    let (nez, eqz, iff) = (f(&store, "nez"), f(&store, "eqz"), f(&store, "if"));
    for (p, byte) in [(0, 0), (1, 7), (2, 0), (3, 5)] {
        let set = (byte != 0) as i32;
        assert_eq!(iff.call(&mut store, p).unwrap(), set, "if at {p}");
        assert_eq!(eqz.call(&mut store, p).unwrap(), 1 - set, "eqz at {p}");
    }
    assert_eq!(nez.call(&mut store, 0).unwrap(), 1, "offset 1 reads 7");
    assert_eq!(nez.call(&mut store, 1).unwrap(), 0);
    assert!(nez.call(&mut store, 65535).is_err(), "out of bounds");
    assert!(
        nez.call(&mut store, -1).is_err(),
        "the offset does not wrap"
    );
    assert!(eqz.call(&mut store, 65536).is_err(), "out of bounds");
    let geu = instance
        .get_typed_func::<(i32, i32), i32>(&store, "geu")
        .unwrap();
    assert_eq!(geu.call(&mut store, (3, 2)).unwrap(), 1);
    assert_eq!(geu.call(&mut store, (2, 2)).unwrap(), 1);
    assert_eq!(geu.call(&mut store, (-1, 2)).unwrap(), 1, "unsigned");
    assert_eq!(geu.call(&mut store, (1, 2)).unwrap(), 0);
}

/// A byte store through a local index and an in-place add to that index fuse
/// (`Store8ImmAddStep`): the store uses the index before the add, its address wraps like
/// `i32.add`, either operand order fuses (and `x = x + x`), and a trapping store leaves the
/// bytes before it written.
#[test]
fn store_then_step_fuses() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (memory 1)
  (func (export "mark") (param $base i32) (param $start i32) (param $step i32) (param $n i32) (result i32)
    (local $j i32)
    (local.set $j (local.get $start))
    (loop $l
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 1))
      (br_if $l (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $step))) (local.get $n))))
    (local.get $j))
  (func (export "mark2") (param $base i32) (param $j i32) (param $step i32) (param $n i32) (result i32)
    (loop $l
      (i32.store8 offset=3 (i32.add (local.get $j) (local.get $base)) (i32.const -1))
      (local.set $j (i32.add (local.get $step) (local.get $j)))
      (br_if $l (i32.lt_u (local.get $j) (local.get $n))))
    (local.get $j))
  (func (export "double") (param $base i32) (param $j i32) (param $n i32) (result i32)
    (loop $l
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 2))
      (local.set $j (i32.add (local.get $j) (local.get $j)))
      (br_if $l (i32.lt_u (local.get $j) (local.get $n))))
    (local.get $j))
  (func (export "sum") (param $from i32) (param $to i32) (result i32) (local $s i32)
    (block $out
      (loop $l
        (br_if $out (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $from))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $l)))
    (local.get $s)))"#,
        &[
            (0, "Store8ImmAddStep"),
            (1, "Store8ImmAddStep"),
            (2, "Store8ImmAddStep"),
        ],
    );
    let mark = instance
        .get_typed_func::<(i32, i32, i32, i32), i32>(&store, "mark")
        .unwrap();
    let mark2 = instance
        .get_typed_func::<(i32, i32, i32, i32), i32>(&store, "mark2")
        .unwrap();
    let double = instance
        .get_typed_func::<(i32, i32, i32), i32>(&store, "double")
        .unwrap();
    let sum = func2(&store, &instance, "sum");
    assert_eq!(mark.call(&mut store, (100, 0, 3, 10)).unwrap(), 12);
    assert_eq!(sum.call(&mut store, (100, 110)).unwrap(), 4);
    assert_eq!(mark2.call(&mut store, (200, 0, 5, 12)).unwrap(), 15);
    assert_eq!(sum.call(&mut store, (200, 220)).unwrap(), 3 * 255);
    assert_eq!(double.call(&mut store, (300, 1, 20)).unwrap(), 32);
    assert_eq!(sum.call(&mut store, (300, 320)).unwrap(), 5 * 2);
    // 0xffff_ffff + 2 is address 1.
    assert_eq!(mark.call(&mut store, (-1, 2, 1, 4)).unwrap(), 4);
    assert_eq!(sum.call(&mut store, (0, 4)).unwrap(), 2);
    // 65530, 65532 and 65534 are written; 65536 traps.
    let err = mark.call(&mut store, (65530, 0, 2, 100)).unwrap_err();
    assert!(err.to_string().contains("out of bounds"), "{err}");
    assert_eq!(sum.call(&mut store, (65530, 65536)).unwrap(), 3);
}

/// An `i64.extend_i32_s` feeding an `i64.add` fuses (`I64AddExtendI32S`) with the
/// extension on either side, sign-extends, and wraps like `i64.add`.
#[test]
fn add_of_extended_i32_fuses() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (func (export "right") (param i64 i32) (result i64)
    (i64.add (local.get 0) (i64.extend_i32_s (local.get 1))))
  (func (export "left") (param i64 i32) (result i64) (local i64)
    (local.set 2 (i64.add (i64.extend_i32_s (local.get 1)) (local.get 0)))
    (local.get 2)))"#,
        &[(0, "I64AddExtendI32S"), (1, "I64AddExtendI32S")],
    );
    for name in ["right", "left"] {
        let f = instance
            .get_typed_func::<(i64, i32), i64>(&store, name)
            .unwrap();
        for (a, b) in [(10, 5), (10, -5), (i64::MAX, 1), (0, i32::MIN), (-1, -1)] {
            let want = a.wrapping_add(i64::from(b));
            assert_eq!(
                f.call(&mut store, (a, b)).unwrap(),
                want,
                "{name}({a}, {b})"
            );
        }
    }
}

/// An in-place add of a local and an in-place increment after it fuse
/// (`I32AddAndAddImm`), in order: the add reads the stride before the increment when the
/// increment is of the stride itself. A `br_if` on the increment splits them again.
#[test]
fn add_then_increment_fuse() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (func (export "steps") (param $n i32) (param $s i32) (result i32) (local $p i32) (local $k i32)
    (loop $l
      (local.set $p (i32.add (local.get $p) (local.get $s)))
      (local.set $s (i32.add (local.get $s) (i32.const 2)))
      (local.set $p (i32.add (local.get $p) (local.get $n)))
      (local.set $k (i32.add (local.get $k) (i32.const -1)))
      (br_if $l (i32.gt_s (local.tee $n (i32.add (local.get $n) (i32.const -1))) (i32.const 0))))
    (i32.add (i32.mul (local.get $p) (i32.const 1000)) (local.get $k)))
  (func (export "split") (param $n i32) (result i32) (local $p i32)
    (local.set $p (i32.const 1))
    (loop $l
      (local.set $p (i32.add (local.get $p) (local.get $p)))
      (local.set $n (i32.add (local.get $n) (i32.const -1)))
      (br_if $l (local.get $n)))
    (local.get $p)))"#,
        &[(0, "I32AddAndAddImm"), (1, "I32AddImmBrNez")],
    );
    let steps = instance
        .get_typed_func::<(i32, i32), i32>(&store, "steps")
        .unwrap();
    let model = |mut n: i32, mut s: i32| {
        let (mut p, mut k) = (0i32, 0i32);
        loop {
            p = p.wrapping_add(s);
            s = s.wrapping_add(2);
            p = p.wrapping_add(n);
            k -= 1;
            n -= 1;
            if n <= 0 {
                break;
            }
        }
        p.wrapping_mul(1000).wrapping_add(k)
    };
    for (n, s) in [(1, 5), (4, 3), (10, -7), (3, i32::MAX)] {
        assert_eq!(
            steps.call(&mut store, (n, s)).unwrap(),
            model(n, s),
            "({n}, {s})"
        );
    }
    let split = instance
        .get_typed_func::<i32, i32>(&store, "split")
        .unwrap();
    assert_eq!(split.call(&mut store, 3).unwrap(), 8);
}

/// A 32-bit load from a constant address (`Load32Abs`) and two 32-bit loads from one base
/// (`Load32Pair`) compute the addresses as their parts do: the constant and the base are
/// 32-bit, the offset is added without wrapping, each load traps out of bounds, and a
/// load that overwrites the base is not paired with the next one.
#[test]
fn loads_from_a_constant_or_a_shared_base_fuse() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (memory 1)
  (data (i32.const 8) "\01\00\00\00\02\00\00\00\10\00\00\00")
  (func (export "abs") (result i32)
    (i32.add (i32.load offset=4 (i32.const 8)) (i32.load (i32.const 16))))
  (func (export "far") (result i32) (i32.load offset=1 (i32.const -1)))
  (func (export "pair") (param $p i32) (result i32)
    (i32.sub (i32.load offset=4 (local.get $p)) (i32.load (local.get $p))))
  (func (export "chase") (param $p i32) (result i32)
    (local.set $p (i32.load offset=8 (local.get $p)))
    (i32.load offset=4 (local.get $p))))"#,
        &[(0, "Load32Abs"), (2, "Load32Pair")],
    );
    let abs = instance.get_typed_func::<(), i32>(&store, "abs").unwrap();
    assert_eq!(abs.call(&mut store, ()).unwrap(), 2 + 16);
    let far = instance.get_typed_func::<(), i32>(&store, "far").unwrap();
    assert!(
        far.call(&mut store, ()).is_err(),
        "the offset does not wrap"
    );
    let pair = instance.get_typed_func::<i32, i32>(&store, "pair").unwrap();
    assert_eq!(pair.call(&mut store, 8).unwrap(), 1);
    assert_eq!(pair.call(&mut store, 12).unwrap(), 14);
    assert!(
        pair.call(&mut store, 65532).is_err(),
        "second load out of bounds"
    );
    assert!(
        pair.call(&mut store, 65536).is_err(),
        "first load out of bounds"
    );
    // p = [8 + 8] = 16, then [16 + 4] = 0: the second load uses the loaded base.
    let chase = instance
        .get_typed_func::<i32, i32>(&store, "chase")
        .unwrap();
    assert_eq!(chase.call(&mut store, 8).unwrap(), 0);
    // p = [0 + 8] = 1, then [1 + 4]: bytes 5-8, 00 00 00 01.
    assert_eq!(chase.call(&mut store, 0).unwrap(), 1 << 24);
}

/// Loads from `base + (index << shift)` (`Load8UShl`, `Load16UShl`, `Load32Shl`,
/// `Load64Shl`) and from `local + constant` for 16 bits (`Load16UAddImm`) wrap the sum as
/// `i32.add` does and add the static offset without wrapping.
#[test]
fn fused_indexed_loads() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (func (export "l8") (param i32 i32) (result i32)
    (i32.load8_u offset=1 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 1)))))
  (func (export "l16") (param i32 i32) (result i32)
    (i32.load16_u (i32.add (i32.shl (local.get 1) (i32.const 1)) (local.get 0))))
  (func (export "l32") (param i32 i32) (result i32)
    (i32.load offset=2 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
  (func (export "l64") (param i32 i32) (result i64)
    (i64.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 35)))))
  (func (export "l16k") (param i32) (result i32)
    (i32.load16_u offset=3 (i32.add (local.get 0) (i32.const -2))))
  (func (export "l32k") (param i32 i32) (result i32)
    (i32.load (i32.add (i32.add (local.get 0) (i32.const 8)) (i32.shl (local.get 1) (i32.const 2)))))
  (func (export "l64k") (param i32 i32) (result i64)
    (i64.load (i32.add (i32.add (local.get 0) (i32.const -8)) (i32.shl (local.get 1) (i32.const 3))))))"#,
        &[
            (0, "Load8UShl"),
            (1, "Load16UShl"),
            (2, "Load32Shl"),
            (3, "Load64Shl"),
            (4, "Load16UAddImm"),
            (5, "Load32AddImmShl"),
            (6, "Load64AddImmShl"),
        ],
    );
    let f = |store: &Store<()>, name: &str| func2(store, &instance, name);
    let (l8, l16, l32) = (f(&store, "l8"), f(&store, "l16"), f(&store, "l32"));
    let l64 = instance
        .get_typed_func::<(i32, i32), i64>(&store, "l64")
        .unwrap();
    let l16k = instance.get_typed_func::<i32, i32>(&store, "l16k").unwrap();
    assert_eq!(l8.call(&mut store, (1, 2)).unwrap(), 7);
    // -2 + (1 << 1) wraps to address 0; then offset 1.
    assert_eq!(l8.call(&mut store, (-2, 1)).unwrap(), 2);
    // The shifted index wraps too: (1 << 31) << 1 is 0.
    assert_eq!(l8.call(&mut store, (3, i32::MIN)).unwrap(), 5);
    assert_eq!(l16.call(&mut store, (1, 1)).unwrap(), 0x0504);
    assert_eq!(l32.call(&mut store, (-8, 2)).unwrap(), 0x0605_0403);
    // The count is taken modulo 32: 35 shifts by 3.
    assert_eq!(l64.call(&mut store, (0, 1)).unwrap(), 0x100f_0e0d_0c0b_0a09);
    assert!(
        l64.call(&mut store, (65536 - 7, 0)).is_err(),
        "out of bounds"
    );
    // 0 - 1 wraps to 0xffff_ffff; the offset then goes past 4 GiB, not back to 0.
    assert!(
        l8.call(&mut store, (-1, 0)).is_err(),
        "offset does not wrap"
    );
    assert_eq!(l16k.call(&mut store, 3).unwrap(), 0x0605);
    // 1 - 2 wraps to 0xffff_ffff; the offset then goes past 4 GiB.
    assert!(l16k.call(&mut store, 1).is_err(), "offset does not wrap");
    let l32k = f(&store, "l32k");
    let l64k = instance
        .get_typed_func::<(i32, i32), i64>(&store, "l64k")
        .unwrap();
    assert_eq!(l32k.call(&mut store, (-8, 1)).unwrap(), 0x0807_0605);
    // -12 + 8 + 4 wraps through -4 to address 0.
    assert_eq!(l32k.call(&mut store, (-12, 1)).unwrap(), 0x0403_0201);
    assert_eq!(
        l64k.call(&mut store, (0, 1)).unwrap(),
        0x0807_0605_0403_0201
    );
    assert_eq!(l64k.call(&mut store, (65536, 0)).unwrap(), 0);
    assert!(l64k.call(&mut store, (65537, 0)).is_err(), "out of bounds");
}

/// `I32Add3` (`a + b + c`), `I32AddXor` (`a + (b ^ c)`) and `I32Rotl2Xor`
/// (`rotl(x, a) ^ rotl(y, b)`, also from `rotr`) compute what their parts do, wrapping.
#[test]
fn fused_add_and_rotate_chains() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (func (export "add3") (param i32 i32 i32) (result i32)
    (i32.add (local.get 2) (i32.add (local.get 0) (local.get 1))))
  (func (export "addxor") (param i32 i32 i32) (result i32)
    (i32.add (i32.xor (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "sigma") (param i32 i32) (result i32)
    (i32.xor
      (i32.xor (i32.rotr (local.get 0) (i32.const 2)) (i32.rotl (local.get 1) (i32.const 45)))
      (i32.rotr (local.get 0) (i32.const 22)))))"#,
        &[(0, "I32Add3"), (1, "I32AddXor"), (2, "I32Rotl2Xor")],
    );
    let add3 = instance
        .get_typed_func::<(i32, i32, i32), i32>(&store, "add3")
        .unwrap();
    let addxor = instance
        .get_typed_func::<(i32, i32, i32), i32>(&store, "addxor")
        .unwrap();
    let sigma = instance
        .get_typed_func::<(i32, i32), i32>(&store, "sigma")
        .unwrap();
    for (a, b, c) in [
        (1u32, 2u32, 3u32),
        (u32::MAX, u32::MAX, 2),
        (0x8000_0000, 0x8000_0000, 0x7fff_ffff),
        (0xdead_beef, 0x1234_5678, 0xffff_0000),
    ] {
        let (ai, bi, ci) = (a as i32, b as i32, c as i32);
        let want = a.wrapping_add(b).wrapping_add(c);
        assert_eq!(add3.call(&mut store, (ai, bi, ci)).unwrap() as u32, want);
        let want = (a ^ b).wrapping_add(c);
        assert_eq!(addxor.call(&mut store, (ai, bi, ci)).unwrap() as u32, want);
        let want = a.rotate_right(2) ^ b.rotate_left(45 % 32) ^ a.rotate_right(22);
        assert_eq!(sigma.call(&mut store, (ai, bi)).unwrap() as u32, want);
    }
}

/// A callee's declared locals start at zero whatever its frame held before (a deeper call
/// left other values there), for counts 0 to 6, and the caller's values below the
/// arguments survive the clearing.
#[test]
fn locals_start_at_zero_and_caller_temporaries_survive() {
    let engine = Engine::default();
    let mut funcs = String::new();
    let mut calls = String::new();
    for k in 0..7 {
        let locals = " i64".repeat(k);
        let sum: String = (0..k)
            .map(|i| format!("(local.get {})", i + 1))
            .fold("(i64.const 0)".into(), |acc, l| {
                format!("(i64.add {acc} {l})")
            });
        funcs += &format!(
            "(func $c{k} (param i64) (result i64) (local{locals}) (i64.add (local.get 0) {sum}))\n"
        );
        calls += &format!(
            "(call $dirty) (local.set 1 (i64.add (local.get 1) \
             (i64.add (i64.mul (local.get 0) (local.get 0)) (call $c{k} (local.get 0)))))\n"
        );
    }
    let wat = format!(
        r#"(module
  (func $dirty (local i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 0 (i64.const -1)) (local.set 1 (i64.const -1)) (local.set 2 (i64.const -1))
    (local.set 3 (i64.const -1)) (local.set 4 (i64.const -1)) (local.set 5 (i64.const -1))
    (local.set 6 (i64.const -1)) (local.set 7 (i64.const -1)))
  {funcs}
  (func (export "run") (param i64) (result i64) (local i64)
    {calls}
    (local.get 1)))"#
    );
    let module = Module::new(&engine, &wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_typed_func::<i64, i64>(&store, "run").unwrap();
    // Each of the 7 calls adds x * x + x.
    assert_eq!(run.call(&mut store, 3).unwrap(), 7 * (9 + 3));
    assert_eq!(run.call(&mut store, -5).unwrap(), 7 * (25 - 5));
    // Asking for the IR of a function the module does not define is an error, not a panic.
    assert!(module.dump_ir(99).is_err());
}

#[test]
fn reference_types_can_be_switched_off() {
    // Wasm 1.0 validation: one table at most, no reference-typed values.
    for config in [
        Config::default().wasm_reference_types(false),
        Config::default()
            .wasm_reference_types(false)
            .wasm_exceptions(false),
    ] {
        let engine = Engine::new(&config);
        let one = "(module (table 1 funcref) (func (export \"f\") (result i32) (i32.const 7)))";
        let module = Module::new(&engine, one).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = inst.get_typed_func::<(), i32>(&store, "f").unwrap();
        assert_eq!(f.call(&mut store, ()).unwrap(), 7);
        for bad in [
            "(module (table 1 funcref) (table 1 funcref))",
            "(module (func (param externref)))",
        ] {
            let e = Module::new(&engine, bad).unwrap_err();
            assert!(matches!(e, Error::Wasm(_)), "{bad}: {e}");
        }
    }
    let engine = Engine::default();
    Module::new(&engine, "(module (table 1 funcref) (table 1 funcref))").unwrap();
}

/// A `local.set` of zero to a declared local in the straight-line code at a function's
/// entry is dropped (every call zeroes its locals); later ones, and any after control
/// flow, are kept.
#[test]
fn entry_zero_stores_are_dropped_only_where_the_local_is_zero() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
  (func (export "z") (param i32) (result i64) (local i64 i32)
    (local.set 1 (i64.const 0))
    (local.set 2 (i32.const 5))
    (local.set 2 (i32.const 0))
    (local.get 1)
    (i64.extend_i32_u (local.get 2))
    (i64.add))
  (func (export "loop") (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 0))
    (loop $l
      (local.set 1 (i32.const 0))
      (if (local.get 0)
        (then
          (local.set 1 (i32.const 9))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br $l))))
    (local.get 1)))"#,
    )
    .unwrap();
    let zeros = |def: u32| {
        let ir = module.dump_ir(def).unwrap();
        ir.matches("value: 0 }").count() + ir.matches("lo: 0, hi: 0 }").count()
    };
    // "z": `local 1 = 0` is dropped; `local 2 = 0` after `local 2 = 5` stays.
    assert_eq!(zeros(0), 1, "{}", module.dump_ir(0).unwrap());
    // "loop": the entry store is dropped, the one inside the loop stays.
    assert_eq!(zeros(1), 1, "{}", module.dump_ir(1).unwrap());
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let z = instance.get_typed_func::<i32, i64>(&store, "z").unwrap();
    let l = instance.get_typed_func::<i32, i32>(&store, "loop").unwrap();
    assert_eq!(z.call(&mut store, 1).unwrap(), 0);
    for n in [0, 1, 3] {
        assert_eq!(l.call(&mut store, n).unwrap(), 0, "loop({n})");
    }
}

/// Wasm calls go through a per-store table of resolved callees, filled on each function's
/// first call: functions added to the store after it was filled (a later instance), calls
/// across instances, host callees, `call_indirect` and tail calls must all still resolve.
#[test]
fn calls_resolve_through_the_callee_table_as_the_store_grows() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "inc", |x: i64| -> i64 { x + 1 })
        .unwrap();
    let a = Module::new(
        &engine,
        r#"(module
            (import "env" "inc" (func $inc (param i64) (result i64)))
            (memory (export "mem") 1)
            (func $sq (export "sq") (param i64) (result i64)
                (local i64 i64 i64 i64 i64)
                (local.set 1 (local.get 0))
                (i64.store (i32.const 0) (local.get 0))
                (i64.add (local.get 5) (i64.mul (local.get 1) (local.get 0))))
            (func (export "run") (param i64) (result i64)
                (call $inc (call $sq (local.get 0)))))"#,
    )
    .unwrap();
    let a = linker.instantiate(&mut store, &a).unwrap();
    let run = a.get_typed_func::<i64, i64>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 3).unwrap(), 10);
    assert_eq!(run.call(&mut store, 4).unwrap(), 17);
    linker.instance(&mut store, "a", a).unwrap();
    let b = Module::new(
        &engine,
        r#"(module
            (import "a" "sq" (func $sq (param i64) (result i64)))
            (import "env" "inc" (func $inc (param i64) (result i64)))
            (memory 1)
            (type $t (func (param i64) (result i64)))
            (table 2 funcref)
            (elem (i32.const 0) $sq $own)
            (func $own (param i64) (result i64) (local i64)
                (i64.store (i32.const 0) (i64.const 7))
                (i64.add (local.get 1) (i64.load (i32.const 0))))
            (func $tail (param i64) (result i64) (return_call $sq (local.get 0)))
            (func (export "go") (param i64) (result i64)
                (i64.add
                    (i64.add (call $tail (local.get 0)) (call $own (local.get 0)))
                    (i64.add
                        (call_indirect (type $t) (local.get 0) (i32.const 0))
                        (i64.add (call $inc (i64.load (i32.const 0)))
                            (call_indirect (type $t) (local.get 0) (i32.const 1)))))))"#,
    )
    .unwrap();
    let b = linker.instantiate(&mut store, &b).unwrap();
    let go = b.get_typed_func::<i64, i64>(&store, "go").unwrap();
    for _ in 0..2 {
        // sq 5 (tail) + own 7 + sq 5 (indirect) + inc(b's memory: 7) + own 7
        assert_eq!(go.call(&mut store, 5).unwrap(), 25 + 7 + 25 + 8 + 7);
        // The calls into `a` stored into a's memory, not b's.
        let mem = a.get_memory(&store, "mem").unwrap();
        assert_eq!(&mem.data(&store)[..8], &5i64.to_le_bytes());
    }
    assert_eq!(run.call(&mut store, 2).unwrap(), 5);
}

/// The axpy update `c[j] = c[j] + a * b[j]` runs as two paired loads (`Load64ThenLoad64`) and a
/// multiply-add that stores (`F64MulAddStore`), rounding as `f64.mul` then `f64.add` do;
/// a load or the store out of bounds still traps, after the stores before it.
#[test]
fn axpy_update_fuses() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (memory (export "mem") 1)
  (func (export "axpy") (param $c i32) (param $b i32) (param $a f64) (param $n i32)
    (loop $l
      (f64.store (local.get $c)
        (f64.add (f64.load (local.get $c))
                 (f64.mul (local.get $a) (f64.load offset=8 (local.get $b)))))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
  (func (export "set") (param i32 f64) (f64.store (local.get 0) (local.get 1)))
  (func (export "get") (param i32) (result f64) (f64.load (local.get 0))))"#,
        &[(0, "Load64ThenLoad64"), (0, "F64MulAddStore")],
    );
    let axpy = instance
        .get_typed_func::<(i32, i32, f64, i32), ()>(&store, "axpy")
        .unwrap();
    let set = instance
        .get_typed_func::<(i32, f64), ()>(&store, "set")
        .unwrap();
    let get = instance.get_typed_func::<i32, f64>(&store, "get").unwrap();
    // c at 0, b at 1000 (read from 1008 on, the static offset).
    // a * b[2] is 1 - 2^-60, rounded to 1 before the add: a fused multiply-add would
    // leave -2^-60 in c[2].
    let e = 2f64.powi(-30);
    let (c, b) = (
        [1.5, -0.0, -1.0, 3.0],
        [2.0, 0.0, 2.0 * (1.0 - e), f64::NAN],
    );
    for i in 0..4 {
        set.call(&mut store, (8 * i, c[i as usize])).unwrap();
        set.call(&mut store, (1008 + 8 * i, b[i as usize])).unwrap();
    }
    axpy.call(&mut store, (0, 1000, 0.5 * (1.0 + e), 4))
        .unwrap();
    let got: Vec<f64> = (0..4)
        .map(|i| get.call(&mut store, 8 * i).unwrap())
        .collect();
    assert_eq!(got[0], 1.5 + 0.5 * (1.0 + e) * 2.0);
    assert!(
        got[1] == 0.0 && got[1].is_sign_positive(),
        "-0 + a * 0 is +0"
    );
    assert_eq!(got[2], 0.0, "rounded after the multiply, not fused");
    assert!(got[3].is_nan());
    // The last `b` load is out of bounds: the first element is updated, then it traps.
    let last = 65536 - 8;
    set.call(&mut store, (0, 1.0)).unwrap();
    assert!(axpy.call(&mut store, (0, last - 8, 1.0, 2)).is_err());
    assert_eq!(
        get.call(&mut store, 0).unwrap(),
        1.0 + get.call(&mut store, last).unwrap()
    );
    // The store (and the load of `c`) out of bounds.
    assert!(axpy.call(&mut store, (65536, 0, 1.0, 1)).is_err());
}

/// Two `i32.ge_u` bounds checks in a row run as one `BrIfI32GeUThenBrIfI32GeU`: each branches to its
/// own target, the first one first.
#[test]
fn bounds_checks_pair() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (func (export "check") (param $i i32) (param $j i32) (param $len i32) (result i32)
    (block $first
      (block $second
        (br_if $first (i32.ge_u (local.get $i) (local.get $len)))
        (br_if $second (i32.ge_u (local.get $j) (local.get $len)))
        (return (i32.const 0)))
      (return (i32.const 2)))
    (i32.const 1)))"#,
        &[(0, "BrIfI32GeUThenBrIfI32GeU")],
    );
    let check = instance
        .get_typed_func::<(i32, i32, i32), i32>(&store, "check")
        .unwrap();
    for (i, j, want) in [
        (0, 0, 0),
        (5, 0, 1),
        (0, 5, 2),
        (5, 5, 1),
        (-1, 0, 1),
        (4, 4, 1),
        (3, 4, 2),
    ] {
        assert_eq!(
            check.call(&mut store, (i, j, 4)).unwrap(),
            want,
            "({i}, {j})"
        );
    }
}

/// `br_if (x == k)` right before `br_table x` becomes entry `k` of the table (also past
/// its end, padded with the default, and for `i32.eqz`): the branch is gone, every index
/// still reaches the label it did.
#[test]
fn br_table_absorbs_a_peeled_case() {
    let wat = |test: &str| {
        format!(
            r#"(module
  (func (export "switch") (param $x i32) (result i32)
    (block $d (block $c (block $b (block $a (block $k
      (br_if $k {test})
      (br_table $a $b $c $d (local.get $x)))
      (return (i32.const 100)))
      (return (i32.const 10)))
      (return (i32.const 11)))
      (return (i32.const 12)))
    (i32.const 13)))"#
        )
    };
    for (k, test) in [
        (1, "(i32.eq (local.get $x) (i32.const 1))"),
        (3, "(i32.eq (local.get $x) (i32.const 3))"),
        (6, "(i32.eq (local.get $x) (i32.const 6))"),
        (0, "(i32.eqz (local.get $x))"),
    ] {
        let engine = Engine::default();
        let module = Module::new(&engine, wat(test)).unwrap();
        let ir = module.dump_ir(0).unwrap();
        assert!(
            !ir.contains("BrIf"),
            "k = {k}: the br_if is absorbed:\n{ir}"
        );
        let mut store = Store::new(&engine, ());
        let instance = Linker::<()>::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance
            .get_typed_func::<i32, i32>(&store, "switch")
            .unwrap();
        for x in [0, 1, 2, 3, 4, 5, 6, 7, 100, -1] {
            let want = if x == k {
                100
            } else {
                [10, 11, 12].get(x as usize).copied().unwrap_or(13)
            };
            assert_eq!(f.call(&mut store, x).unwrap(), want, "k = {k}, x = {x}");
        }
    }
}

/// Pair heads (`I32AddImmThenBrIfI32LtU`, `CopyThenCopy`, ...) run the instruction after
/// them as well, and that instruction still runs on its own when a branch lands on it:
/// here the loop's test is entered both from the step before it and from a `br_if` that
/// skips the step.
#[test]
fn pair_heads_run_the_next_instruction_and_leave_it_a_target() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (func (export "count") (param $n i32) (param $skip i32) (result i32) (local $i i32) (local $steps i32)
    (loop $l
      (block $test
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $test (i32.and (local.get $skip) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1))))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $steps) (i32.const 1000)) (local.get $i))))"#,
        &[(0, "I32AddImmThenBrIfI32LtU")],
    );
    let count = func2(&store, &instance, "count");
    let model = |n: u32, skip: u32| {
        let (mut i, mut steps) = (0u32, 0u32);
        loop {
            steps += 1;
            i += 1;
            if skip & i == 0 {
                i += 1;
            }
            if i >= n {
                break;
            }
        }
        (steps * 1000 + i) as i32
    };
    for (n, skip) in [(10, 0), (10, 1), (7, 1), (1, 0), (100, 3)] {
        assert_eq!(
            count.call(&mut store, (n as i32, skip as i32)).unwrap(),
            model(n, skip),
            "count({n}, {skip})"
        );
    }
}

/// Pair heads from the hash and copy loops (`I32XorThenI32And`, `I32AddThenI32Add`,
/// `CopyThenCopy`) compute what their two instructions do, in order: the second reads
/// what the first wrote.
#[test]
fn pair_heads_compute_their_parts_in_order() {
    let (mut store, instance) = fused_instance(
        r#"(module
  (func (export "mix") (param $a i32) (param $b i32) (result i32) (local $x i32) (local $y i32)
    (local.set $x (i32.xor (local.get $a) (local.get $b)))
    (local.set $y (i32.and (local.get $b) (local.get $x)))
    (local.set $a (i32.add (local.get $x) (local.get $y)))
    (local.set $b (i32.add (local.get $a) (local.get $a)))
    (i32.sub (local.get $b) (i32.mul (local.get $y) (i32.const 3)))))"#,
        &[(0, "I32XorThenI32And"), (0, "I32AddThenI32Add")],
    );
    let mix = func2(&store, &instance, "mix");
    for (a, b) in [(1, 2), (-1, 0x0f0f), (i32::MAX, i32::MIN), (12345, -678)] {
        let x = a ^ b;
        let y = x & b;
        let s = x.wrapping_add(y);
        let want = s.wrapping_add(s).wrapping_sub(y.wrapping_mul(3));
        assert_eq!(mix.call(&mut store, (a, b)).unwrap(), want, "mix({a}, {b})");
    }
}
