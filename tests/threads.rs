//! The threads proposal through the embedding API: atomic accesses (alignment, bounds,
//! widths), `wait`/`notify` with one agent, shared memories at the import boundary, and
//! the `Config::wasm_threads` switch.

use std::time::{Duration, Instant};
use weft::{
    AddrType, Config, Engine, Error, Extern, Instance, Limits, Linker, Memory, MemoryType, Module,
    Store, TrapKind,
};

const ATOMICS: &str = r#"(module
  (memory (export "mem") 1 1 shared)
  (memory $other 1 1)
  (func (export "load32") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func (export "load64_off") (param i32) (result i64) (i64.atomic.load offset=4 (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.atomic.store8 (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.atomic.store (local.get 0) (local.get 1)))
  (func (export "cmpxchg8") (param i32 i32 i32) (result i32)
    (i32.atomic.rmw8.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "cmpxchg64_32") (param i32 i64 i64) (result i64)
    (i64.atomic.rmw32.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "add16") (param i32 i32) (result i32)
    (i32.atomic.rmw16.add_u (local.get 0) (local.get 1)))
  (func (export "xchg64") (param i32 i64) (result i64)
    (i64.atomic.rmw.xchg (local.get 0) (local.get 1)))
  (func (export "fence") (atomic.fence))
  (func (export "notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  ;; Memory 1 is not shared: atomics work, wait traps.
  (func (export "other_rmw") (param i32 i32) (result i32)
    (i32.atomic.rmw.or $other (local.get 0) (local.get 1)))
  (func (export "other_load") (param i32) (result i32) (i32.atomic.load $other (local.get 0)))
  (func (export "other_wait") (result i32)
    (memory.atomic.wait32 $other (i32.const 0) (i32.const 0) (i64.const 0))))"#;

fn setup() -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, ATOMICS).expect("valid module");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, instance)
}

fn trap_kind(e: Error) -> TrapKind {
    e.as_trap()
        .unwrap_or_else(|| panic!("not a trap: {e}"))
        .kind()
}

#[test]
fn unaligned_atomics_trap() {
    let (mut store, inst) = setup();
    let load = inst.get_typed_func::<i32, i32>(&store, "load32").unwrap();
    assert_eq!(load.call(&mut store, 4).unwrap(), 0);
    for addr in [1, 2, 3, 65533] {
        let e = load.call(&mut store, addr).unwrap_err();
        assert_eq!(trap_kind(e), TrapKind::UnalignedAtomic, "address {addr}");
    }
    // The offset is part of the effective address: 4 + offset 4 is aligned for 8 bytes.
    let load64 = inst
        .get_typed_func::<i32, i64>(&store, "load64_off")
        .unwrap();
    assert_eq!(load64.call(&mut store, 4).unwrap(), 0);
    let e = load64.call(&mut store, 0).unwrap_err();
    assert_eq!(trap_kind(e), TrapKind::UnalignedAtomic);
    assert_eq!(TrapKind::UnalignedAtomic.message(), "unaligned atomic");
}

#[test]
fn out_of_bounds_atomics_trap() {
    let (mut store, inst) = setup();
    let store8 = inst
        .get_typed_func::<(i32, i32), ()>(&store, "store8")
        .unwrap();
    store8.call(&mut store, (65535, 7)).unwrap();
    let e = store8.call(&mut store, (65536, 7)).unwrap_err();
    assert_eq!(trap_kind(e), TrapKind::MemoryOutOfBounds);
    let store64 = inst
        .get_typed_func::<(i32, i64), ()>(&store, "store64")
        .unwrap();
    // Aligned but past the end, and the largest addresses (no overflow, no panic).
    for addr in [65536, -8, -1] {
        let e = store64.call(&mut store, (addr, 1)).unwrap_err();
        let kind = trap_kind(e);
        assert!(
            kind == TrapKind::MemoryOutOfBounds || kind == TrapKind::UnalignedAtomic,
            "{kind:?}"
        );
    }
    let load64 = inst
        .get_typed_func::<i32, i64>(&store, "load64_off")
        .unwrap();
    let e = load64.call(&mut store, -4).unwrap_err();
    assert_eq!(trap_kind(e), TrapKind::MemoryOutOfBounds);
}

#[test]
fn cmpxchg_wraps_the_expected_value_and_zero_extends() {
    let (mut store, inst) = setup();
    let store64 = inst
        .get_typed_func::<(i32, i64), ()>(&store, "store64")
        .unwrap();
    store64
        .call(&mut store, (0, 0x1111_1111_1111_11ff_u64 as i64))
        .unwrap();
    let cmpxchg8 = inst
        .get_typed_func::<(i32, i32, i32), i32>(&store, "cmpxchg8")
        .unwrap();
    // The old byte 0xff comes back zero-extended (not -1); expected 0x1ff wraps to 0xff
    // and matches; the replacement is wrapped to 0xcd.
    assert_eq!(cmpxchg8.call(&mut store, (0, 0x1ff, 0x7acd)).unwrap(), 0xff);
    let mem = inst.get_memory(&store, "mem").unwrap();
    assert_eq!(&mem.data(&store)[..2], &[0xcd, 0x11]);
    // No match: memory is unchanged.
    assert_eq!(cmpxchg8.call(&mut store, (0, 0xff, 0)).unwrap(), 0xcd);
    assert_eq!(mem.data(&store)[0], 0xcd);

    let cmpxchg32 = inst
        .get_typed_func::<(i32, i64, i64), i64>(&store, "cmpxchg64_32")
        .unwrap();
    // Expected 0xffff_ffff_1111_11cd wraps to 0x1111_11cd: it matches.
    let old = cmpxchg32
        .call(
            &mut store,
            (0, 0xffff_ffff_1111_11cd_u64 as i64, 0x7777_7777_8888_8888),
        )
        .unwrap();
    assert_eq!(old, 0x1111_11cd);
    assert_eq!(
        &mem.data(&store)[..8],
        &0x1111_1111_8888_8888_u64.to_le_bytes()
    );
}

#[test]
fn read_modify_writes_return_the_old_value() {
    let (mut store, inst) = setup();
    let add16 = inst
        .get_typed_func::<(i32, i32), i32>(&store, "add16")
        .unwrap();
    assert_eq!(add16.call(&mut store, (2, 0xffff)).unwrap(), 0);
    // 0xffff + 2 wraps to 1 in 16 bits.
    assert_eq!(add16.call(&mut store, (2, 2)).unwrap(), 0xffff);
    assert_eq!(add16.call(&mut store, (2, 0)).unwrap(), 1);
    let xchg = inst
        .get_typed_func::<(i32, i64), i64>(&store, "xchg64")
        .unwrap();
    assert_eq!(xchg.call(&mut store, (8, -5)).unwrap(), 0);
    assert_eq!(xchg.call(&mut store, (8, 3)).unwrap(), -5);
    inst.get_typed_func::<(), ()>(&store, "fence")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    // Atomics on a second, unshared memory (multi-memory) work.
    let or = inst
        .get_typed_func::<(i32, i32), i32>(&store, "other_rmw")
        .unwrap();
    assert_eq!(or.call(&mut store, (4, 0x0f)).unwrap(), 0);
    assert_eq!(or.call(&mut store, (4, 0xf0)).unwrap(), 0x0f);
    let load = inst
        .get_typed_func::<i32, i32>(&store, "other_load")
        .unwrap();
    assert_eq!(load.call(&mut store, 4).unwrap(), 0xff);
    let load0 = inst.get_typed_func::<i32, i32>(&store, "load32").unwrap();
    assert_eq!(load0.call(&mut store, 4).unwrap(), 0, "memory 0 untouched");
}

#[test]
fn notify_wakes_no_one_and_wait_times_out() {
    let (mut store, inst) = setup();
    let notify = inst
        .get_typed_func::<(i32, i32), i32>(&store, "notify")
        .unwrap();
    assert_eq!(notify.call(&mut store, (0, 10)).unwrap(), 0);
    let e = notify.call(&mut store, (2, 1)).unwrap_err();
    assert_eq!(trap_kind(e), TrapKind::UnalignedAtomic);

    let wait32 = inst
        .get_typed_func::<(i32, i32, i64), i32>(&store, "wait32")
        .unwrap();
    // Not equal: 1 at once, whatever the timeout.
    assert_eq!(wait32.call(&mut store, (0, 1, -1)).unwrap(), 1);
    // Equal, 5 ms: times out (2) after really waiting.
    let start = Instant::now();
    assert_eq!(wait32.call(&mut store, (0, 0, 5_000_000)).unwrap(), 2);
    assert!(start.elapsed() >= Duration::from_millis(5));
    // Equal, no timeout: nobody could notify, so it traps instead of hanging.
    let e = wait32.call(&mut store, (0, 0, -1)).unwrap_err();
    assert_eq!(trap_kind(e), TrapKind::AtomicWaitForever);

    let wait64 = inst
        .get_typed_func::<(i32, i64, i64), i32>(&store, "wait64")
        .unwrap();
    assert_eq!(wait64.call(&mut store, (8, 0, 0)).unwrap(), 2);
    assert_eq!(wait64.call(&mut store, (8, 1 << 40, 0)).unwrap(), 1);
    let e = wait64.call(&mut store, (4, 0, 0)).unwrap_err();
    assert_eq!(trap_kind(e), TrapKind::UnalignedAtomic);
}

#[test]
fn wait_on_an_unshared_memory_traps() {
    let (mut store, inst) = setup();
    let wait = inst
        .get_typed_func::<(), i32>(&store, "other_wait")
        .unwrap();
    let e = wait.call(&mut store, ()).unwrap_err();
    assert_eq!(trap_kind(e), TrapKind::ExpectedSharedMemory);
    assert!(TrapKind::ExpectedSharedMemory
        .message()
        .contains("expected shared memory"));
}

fn memory_type(min: u64, max: Option<u64>, shared: bool) -> MemoryType {
    MemoryType {
        limits: Limits { min, max },
        addr_type: AddrType::I32,
        shared,
    }
}

#[test]
fn shared_memory_imports_match_on_sharedness() {
    let engine = Engine::default();
    let importer = Module::new(
        &engine,
        r#"(module (import "env" "m" (memory 1 2 shared))
             (func (export "add") (param i32 i32) (result i32)
               (i32.atomic.rmw.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    assert_eq!(
        importer.imports().next().map(|i| i.ty),
        Some(weft::ExternType::Memory(memory_type(1, Some(2), true)))
    );
    let mut store = Store::new(&engine, ());
    let shared = Memory::new(&mut store, memory_type(1, Some(2), true)).unwrap();
    assert!(shared.ty(&store).shared);
    let inst = Instance::new(&mut store, &importer, &[Extern::Memory(shared)]).unwrap();
    let add = inst
        .get_typed_func::<(i32, i32), i32>(&store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (0, 5)).unwrap(), 0);
    assert_eq!(shared.data(&store)[0], 5);

    // An unshared memory does not match a shared import, nor the other way round.
    let plain = Memory::new(&mut store, memory_type(1, Some(2), false)).unwrap();
    let e = Instance::new(&mut store, &importer, &[Extern::Memory(plain)]).unwrap_err();
    assert!(matches!(e, Error::IncompatibleImport { .. }), "{e}");
    let plain_importer =
        Module::new(&engine, r#"(module (import "env" "m" (memory 1 2)))"#).unwrap();
    let e = Instance::new(&mut store, &plain_importer, &[Extern::Memory(shared)]).unwrap_err();
    assert!(e.to_string().contains("shared"), "{e}");

    // A shared memory needs a maximum, from the host as in a module.
    assert!(Memory::new(&mut store, memory_type(1, None, true)).is_err());
    assert!(Module::new(&engine, "(module (memory 1 shared))").is_err());
}

#[test]
fn threads_can_be_switched_off() {
    let engine = Engine::new(&Config::default().wasm_threads(false));
    let e = Module::new(&engine, "(module (memory 1 1 shared))").unwrap_err();
    assert!(matches!(e, Error::Wasm(_)), "{e}");
    let e = Module::new(
        &engine,
        "(module (memory 1) (func (drop (i32.atomic.load (i32.const 0)))))",
    )
    .unwrap_err();
    assert!(matches!(e, Error::Wasm(_)), "{e}");
    let e = Module::new(&engine, "(module (func atomic.fence))").unwrap_err();
    assert!(matches!(e, Error::Wasm(_)), "{e}");
}

#[test]
fn atomics_on_a_64_bit_memory_are_refused_cleanly() {
    // memory64 validates atomics on an i64-addressed memory; Weft does not run them yet.
    let wat = r#"(module (memory i64 1 1 shared)
      (func (export "f") (result i32) (i32.atomic.load (i64.const 0))))"#;
    let engine = Engine::new(&Config::default().lazy_translation(false));
    let e = Module::new(&engine, wat).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e}");
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = inst.get_typed_func::<(), i32>(&store, "f").unwrap();
    let e = f.call(&mut store, ()).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e}");
}
