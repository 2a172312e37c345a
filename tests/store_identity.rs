//! Handles remember the store that made them: using one with another store is an
//! `Error::StoreMismatch` (or `None` / an empty or neutral value where the accessor has no
//! error to return), never a panic and never an object of the other store.

use weft::{
    AddrType, Engine, Error, Extern, ExternRef, Func, FuncType, Global, GlobalType, Instance,
    Limits, Linker, Memory, MemoryType, Module, Mutability, Store, Table, TableType, Val, ValType,
};

const WAT: &str = r#"(module
  (memory (export "mem") 1)
  (table (export "tab") 2 funcref)
  (global (export "g") (mut i32) (i32.const 7))
  (func $id (export "id") (param i32) (result i32) (local.get 0))
  (func (export "first") (result funcref) (table.get (i32.const 0)))
  (func (export "take") (param funcref externref))
  (elem (i32.const 0) func $id))"#;

/// Two stores of the same engine, each with an instance of `WAT`.
fn two_stores() -> (Store<()>, Instance, Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT).unwrap();
    let linker = Linker::<()>::new(&engine);
    let mut a = Store::new(&engine, ());
    let ia = linker.instantiate(&mut a, &module).unwrap();
    let mut b = Store::new(&engine, ());
    let ib = linker.instantiate(&mut b, &module).unwrap();
    (a, ia, b, ib)
}

fn is_mismatch<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::StoreMismatch(_)))
}

#[test]
fn same_index_different_store_is_not_the_same_handle() {
    let (a, ia, b, ib) = two_stores();
    // Both instances are the first of their store: equal indices, different stores.
    assert_ne!(ia, ib);
    assert_ne!(ia.get_func(&a, "id"), ib.get_func(&b, "id"));
    assert_ne!(ia.get_memory(&a, "mem"), ib.get_memory(&b, "mem"));
}

#[test]
fn func_of_another_store() {
    let (mut a, ia, mut b, _) = two_stores();
    let f = ia.get_func(&a, "id").unwrap();
    let mut out = [Val::I32(0)];
    assert!(is_mismatch(f.call(&mut b, &[Val::I32(1)], &mut out)));
    assert!(is_mismatch(f.typed::<i32, i32>(&b)));
    assert_eq!(f.ty(&b), FuncType::new([], []));
    let typed = f.typed::<i32, i32>(&a).unwrap();
    assert!(is_mismatch(typed.call(&mut b, 1)));
    // Still fine in its own store.
    assert_eq!(typed.call(&mut a, 5).unwrap(), 5);

    // A host function made in one store, called with another.
    let host = Func::wrap(&mut a, |x: i32| x + 1);
    assert!(is_mismatch(host.call(&mut b, &[Val::I32(1)], &mut out)));
    host.call(&mut a, &[Val::I32(1)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(2));
}

#[test]
fn memory_of_another_store() {
    let (mut a, ia, mut b, _) = two_stores();
    let m = ia.get_memory(&a, "mem").unwrap();
    let mut buf = [0u8; 4];
    assert!(is_mismatch(m.read(&b, 0, &mut buf)));
    assert!(is_mismatch(m.write(&mut b, 0, b"oops")));
    assert!(is_mismatch(m.grow(&mut b, 1)));
    assert!(m.data(&b).is_empty());
    assert!(m.data_mut(&mut b).is_empty());
    assert!(m.data_and_store_mut(&mut b).0.is_empty());
    assert_eq!(m.size(&b), 0);
    assert_eq!(m.ty(&b).limits.min, 0);
    // It still works in its own store.
    m.write(&mut a, 0, b"weft").unwrap();
    assert_eq!(&m.data(&a)[..4], b"weft");

    let own = Memory::new(
        &mut a,
        MemoryType {
            limits: Limits { min: 1, max: None },
            shared: false,
            addr_type: AddrType::I32,
        },
    )
    .unwrap();
    assert!(is_mismatch(own.write(&mut b, 0, b"x")));
}

#[test]
fn table_of_another_store() {
    let (mut a, ia, mut b, ib) = two_stores();
    let t = ia.get_table(&a, "tab").unwrap();
    assert_eq!(t.get(&b, 0), None);
    assert_eq!(t.size(&b), 0);
    assert_eq!(t.ty(&b).limits.min, 0);
    assert!(is_mismatch(t.set(&mut b, 0, Val::FuncRef(None))));
    assert!(is_mismatch(t.grow(&mut b, 1, Val::FuncRef(None))));
    assert_eq!(t.size(&a), 2);

    // A funcref of store b cannot go into a table of store a.
    let fb = ib.get_func(&b, "id").unwrap();
    assert!(is_mismatch(t.set(&mut a, 1, Val::FuncRef(Some(fb)))));
    assert!(is_mismatch(t.grow(&mut a, 1, Val::FuncRef(Some(fb)))));
    let ty = TableType {
        element: ValType::FuncRef,
        limits: Limits { min: 1, max: None },
        addr_type: AddrType::I32,
    };
    assert!(is_mismatch(Table::new(&mut a, ty, Val::FuncRef(Some(fb)))));
    assert_eq!(t.get(&a, 1), Some(Val::FuncRef(None)));

    // A funcref read from a table belongs to the table's store and calls there.
    let Some(Val::FuncRef(Some(f))) = t.get(&a, 0) else {
        panic!("element 0 is $id");
    };
    assert_eq!(f, ia.get_func(&a, "id").unwrap());
    assert_eq!(f.typed::<i32, i32>(&a).unwrap().call(&mut a, 9).unwrap(), 9);
    assert!(is_mismatch(f.typed::<i32, i32>(&b)));
}

#[test]
fn global_of_another_store() {
    let (mut a, ia, mut b, ib) = two_stores();
    let g = ia.get_global(&a, "g").unwrap();
    assert!(is_mismatch(g.set(&mut b, Val::I32(1))));
    assert_eq!(g.get(&b), Val::I32(0));
    assert_eq!(g.ty(&b).mutability, Mutability::Const);
    assert_eq!(g.get(&a), Val::I32(7));
    assert_eq!(ib.get_global(&b, "g").unwrap().get(&b), Val::I32(7));

    let fb = ib.get_func(&b, "id").unwrap();
    let ty = GlobalType {
        content: ValType::FuncRef,
        mutability: Mutability::Var,
    };
    assert!(is_mismatch(Global::new(&mut a, ty, Val::FuncRef(Some(fb)))));
    let ga = Global::new(&mut a, ty, Val::FuncRef(None)).unwrap();
    assert!(is_mismatch(ga.set(&mut a, Val::FuncRef(Some(fb)))));
}

#[test]
fn instance_of_another_store() {
    let (mut a, ia, mut b, _) = two_stores();
    assert_eq!(ia.get_export(&b, "mem"), None);
    assert_eq!(ia.get_func(&b, "id"), None);
    assert!(ia.exports(&b).is_empty());
    assert!(is_mismatch(ia.get_typed_func::<i32, i32>(&b, "id")));
    let mut linker = Linker::<()>::new(b.engine());
    assert!(is_mismatch(linker.instance(&mut b, "a", ia).map(|_| ())));
    assert_eq!(ia.exports(&a).len(), 6);
    linker.instance(&mut a, "a", ia).unwrap();
}

#[test]
fn references_of_another_store_as_arguments_and_results() {
    let (mut a, ia, mut b, ib) = two_stores();
    let take_a = ia.get_func(&a, "take").unwrap();
    let fb = ib.get_func(&b, "id").unwrap();
    let rb = ExternRef::new(&mut b, "b's value");
    assert!(is_mismatch(take_a.call(
        &mut a,
        &[Val::FuncRef(Some(fb)), Val::ExternRef(None)],
        &mut []
    )));
    assert!(is_mismatch(take_a.call(
        &mut a,
        &[Val::FuncRef(None), Val::ExternRef(Some(rb))],
        &mut []
    )));
    let typed = take_a
        .typed::<(Option<Func>, Option<ExternRef>), ()>(&a)
        .unwrap();
    assert!(is_mismatch(typed.call(&mut a, (Some(fb), None))));
    assert!(is_mismatch(typed.call(&mut a, (None, Some(rb)))));
    typed.call(&mut a, (None, None)).unwrap();

    // An externref's data is only reachable through its own store.
    assert_eq!(rb.data(&b).downcast_ref::<&str>(), Some(&"b's value"));
    assert!(rb.data(&a).downcast_ref::<&str>().is_none());

    // A funcref returned by a call belongs to the store it came from.
    let first = ia.get_typed_func::<(), Option<Func>>(&a, "first").unwrap();
    let f = first.call(&mut a, ()).unwrap().expect("element 0");
    assert_eq!(f, ia.get_func(&a, "id").unwrap());
    let mut out = [Val::FuncRef(None)];
    ia.get_func(&a, "first")
        .unwrap()
        .call(&mut a, &[], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::FuncRef(Some(f)));
    assert!(is_mismatch(f.typed::<i32, i32>(&b)));
}

#[test]
fn host_function_cannot_return_a_reference_of_another_store() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "get" (func $get (result funcref)))
             (func (export "run") (result funcref) (call $get)))"#,
    )
    .unwrap();
    let mut other = Store::new(&engine, ());
    let foreign = Func::wrap(&mut other, || 1i32);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    linker
        .func_wrap("host", "get", move || Some(foreign))
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<(), Option<Func>>(&store, "run")
        .unwrap();
    assert!(is_mismatch(run.call(&mut store, ())));
}

#[test]
fn host_function_gets_references_of_its_store() {
    // A funcref passed from Wasm to the host can be called back by the host.
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "apply" (func $apply (param funcref i32) (result i32)))
             (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
             (elem declare func $double)
             (func (export "run") (param i32) (result i32)
               (call $apply (ref.func $double) (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    linker
        .func_wrap(
            "host",
            "apply",
            |mut caller: weft::Caller<'_, ()>, f: Option<Func>, x: i32| -> Result<i32, Error> {
                let f = f.expect("not null").typed::<i32, i32>(&caller)?;
                f.call(&mut caller, x)
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 21).unwrap(), 42);
}

#[test]
fn imports_from_another_store_are_refused() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "env" "mem" (memory 1)) (import "env" "f" (func)))"#,
    )
    .unwrap();
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let mem_b = Memory::new(
        &mut b,
        MemoryType {
            limits: Limits { min: 1, max: None },
            shared: false,
            addr_type: AddrType::I32,
        },
    )
    .unwrap();
    let f_a = Func::wrap(&mut a, || {});
    let f_b = Func::wrap(&mut b, || {});
    let err = Instance::new(&mut a, &module, &[Extern::Memory(mem_b), Extern::Func(f_a)]);
    assert!(is_mismatch(err));
    let mut linker = Linker::<()>::new(&engine);
    linker.define("env", "mem", mem_b).unwrap();
    linker.define("env", "f", f_b).unwrap();
    assert!(is_mismatch(linker.instantiate(&mut a, &module)));
    // In their own store they link.
    linker.instantiate(&mut b, &module).unwrap();
}
