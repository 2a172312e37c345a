//! memory64 (Wasm 3.0): 64-bit memories and tables, beyond what the spec scripts check.
//!
//! Addresses past 4 GiB trap instead of wrapping, `addr + offset` never wraps, absurd
//! `memory.grow` deltas fail with -1 without allocating, 64-bit tables take `i64`
//! indices everywhere (`call_indirect` included), imports match only their own address
//! type, and `Config::wasm_memory64(false)` refuses all of it at validation.

use weft::{
    AddrType, Config, Engine, Error, Extern, Instance, Limits, Linker, Memory, MemoryType, Module,
    Store, Table, TableType, TrapKind, Val, ValType,
};

fn instantiate(config: &Config, wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat).expect("module validates");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("module instantiates");
    (store, instance)
}

fn trap_kind<T>(result: weft::Result<T>) -> Option<TrapKind> {
    result.err().and_then(|e| e.as_trap().map(|t| t.kind()))
}

const MEMORY: &str = r#"(module
    (memory (export "mem") i64 1)
    (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
    (func (export "store8") (param i64 i32) (i32.store8 (local.get 0) (local.get 1)))
    (func (export "load64_max_offset") (param i64) (result i64)
        (i64.load offset=0xffff_ffff_ffff_ffff (local.get 0)))
    (func (export "load8_offset_4g") (param i64) (result i32)
        (i32.load8_u offset=0x1_0000_0000 (local.get 0)))
    (func (export "v128_load") (param i64) (result i64)
        (i64x2.extract_lane 0 (v128.load (local.get 0))))
    (func (export "size") (result i64) (memory.size))
    (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
    (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
    (func (export "copy") (param i64 i64 i64) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
    (data (i64.const 0xfff0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10"))"#;

#[test]
fn addresses_past_4_gib_trap_instead_of_wrapping() {
    let (mut store, instance) = instantiate(&Config::default(), MEMORY);
    let load8 = instance
        .get_typed_func::<i64, i32>(&store, "load8")
        .unwrap();
    let store8 = instance
        .get_typed_func::<(i64, i32), ()>(&store, "store8")
        .unwrap();
    store8.call(&mut store, (5, 42)).unwrap();
    assert_eq!(load8.call(&mut store, 5).unwrap(), 42);
    assert_eq!(
        load8.call(&mut store, 0xfff0).unwrap(),
        1,
        "data at an i64 offset"
    );
    // 2^32 + 5 truncated to 32 bits would be 5: it must trap.
    for addr in [
        1 << 32,
        (1 << 32) + 5,
        0x1_0000,
        -1i64 as u64 as i64,
        i64::MIN,
    ] {
        assert_eq!(
            trap_kind(load8.call(&mut store, addr)),
            Some(TrapKind::MemoryOutOfBounds),
            "load at {addr:#x}"
        );
        assert_eq!(
            trap_kind(store8.call(&mut store, (addr, 7))),
            Some(TrapKind::MemoryOutOfBounds),
            "store at {addr:#x}"
        );
    }
    assert_eq!(
        load8.call(&mut store, 5).unwrap(),
        42,
        "no store wrapped around"
    );
    let v128_load = instance
        .get_typed_func::<i64, i64>(&store, "v128_load")
        .unwrap();
    assert_eq!(
        v128_load.call(&mut store, 0xfff0).unwrap(),
        0x0807_0605_0403_0201
    );
    assert_eq!(
        trap_kind(v128_load.call(&mut store, (1 << 32) + 0xfff0)),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(
        trap_kind(v128_load.call(&mut store, 0xfff1)),
        Some(TrapKind::MemoryOutOfBounds),
        "a vector straddling the end"
    );
}

#[test]
fn address_plus_offset_never_wraps() {
    let (mut store, instance) = instantiate(&Config::default(), MEMORY);
    let max_offset = instance
        .get_typed_func::<i64, i64>(&store, "load64_max_offset")
        .unwrap();
    // 1 + (2^64 - 1) wraps to 0, which is in bounds: it must trap.
    for addr in [0, 1, 2, 9, -1] {
        assert_eq!(
            trap_kind(max_offset.call(&mut store, addr)),
            Some(TrapKind::MemoryOutOfBounds),
            "address {addr}"
        );
    }
    let offset_4g = instance
        .get_typed_func::<i64, i32>(&store, "load8_offset_4g")
        .unwrap();
    assert_eq!(
        trap_kind(offset_4g.call(&mut store, 0)),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(
        trap_kind(offset_4g.call(&mut store, -(1i64 << 32) + 5)),
        Some(TrapKind::MemoryOutOfBounds),
        "2^64 - 2^32 + 5 + 2^32 wraps to 5"
    );
}

#[test]
fn bulk_memory_takes_i64_operands() {
    let (mut store, instance) = instantiate(&Config::default(), MEMORY);
    let fill = instance
        .get_typed_func::<(i64, i32, i64), ()>(&store, "fill")
        .unwrap();
    let copy = instance
        .get_typed_func::<(i64, i64, i64), ()>(&store, "copy")
        .unwrap();
    let load8 = instance
        .get_typed_func::<i64, i32>(&store, "load8")
        .unwrap();
    fill.call(&mut store, (100, 9, 10)).unwrap();
    copy.call(&mut store, (200, 100, 10)).unwrap();
    assert_eq!(load8.call(&mut store, 209).unwrap(), 9);
    assert_eq!(load8.call(&mut store, 210).unwrap(), 0);
    // Lengths and addresses with high bits set are out of bounds, not truncated.
    assert_eq!(
        trap_kind(fill.call(&mut store, (0, 1, 1 << 32))),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(
        trap_kind(copy.call(&mut store, (1 << 32, 0, 1))),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(
        trap_kind(copy.call(&mut store, (0, 1 << 32, 1))),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(load8.call(&mut store, 0).unwrap(), 0, "nothing was written");
}

#[test]
fn memory_grow_fails_with_minus_one_without_allocating() {
    // With no limit from the Config, the host's allocator refuses the absurd sizes.
    for config in [
        Config::default(),
        Config::default().max_memory_pages(u64::MAX),
    ] {
        let (mut store, instance) = instantiate(&config, MEMORY);
        let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
        let size = instance.get_typed_func::<(), i64>(&store, "size").unwrap();
        for delta in [1 << 40, (1 << 48) - 1, 1 << 48, i64::MAX, -1] {
            assert_eq!(
                grow.call(&mut store, delta).unwrap(),
                -1,
                "delta {delta:#x}"
            );
        }
        assert_eq!(size.call(&mut store, ()).unwrap(), 1);
        assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
        assert_eq!(size.call(&mut store, ()).unwrap(), 3);
        let memory = instance.get_memory(&store, "mem").unwrap();
        assert_eq!(memory.data(&store).len(), 3 << 16);
        assert_eq!(memory.ty(&store).addr_type, AddrType::I64);
    }
}

#[test]
fn huge_limits_validate_but_huge_minimums_do_not_instantiate() {
    let engine = Engine::default();
    // 2^48 pages is the largest maximum of a 64-bit memory (spec, validation of "Memory Types").
    let wat = "(module (memory i64 0 0x1_0000_0000_0000))";
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    assert!(Module::new(&engine, "(module (memory i64 0 0x1_0000_0000_0001))").is_err());
    for config in [
        Config::default(),
        Config::default().max_memory_pages(u64::MAX),
    ] {
        let engine = Engine::new(&config);
        let module = Module::new(&engine, "(module (memory i64 0x100_0000_0000))").unwrap();
        let mut store = Store::new(&engine, ());
        let err = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap_err();
        assert!(matches!(err, Error::ResourceLimit(_)), "{err}");
    }
}

#[test]
fn data_segment_past_4_gib_traps_at_instantiation() {
    let engine = Engine::default();
    let wat = r#"(module (memory i64 1) (data (i64.const 0x1_0000_0000) "x"))"#;
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let result = Linker::new(&engine).instantiate(&mut store, &module);
    assert_eq!(trap_kind(result), Some(TrapKind::MemoryOutOfBounds));
}

#[test]
fn memory_copy_between_32_and_64_bit_memories() {
    let wat = r#"(module
        (memory $m32 (export "m32") 1)
        (memory $m64 (export "m64") i64 1)
        (data (memory $m32) (i32.const 10) "abc")
        ;; The length has the smaller address type: i32.
        (func (export "to64") (param i64 i32 i32)
            (memory.copy $m64 $m32 (local.get 0) (local.get 1) (local.get 2)))
        (func (export "to32") (param i32 i64 i32)
            (memory.copy $m32 $m64 (local.get 0) (local.get 1) (local.get 2))))"#;
    let (mut store, instance) = instantiate(&Config::default(), wat);
    let to64 = instance
        .get_typed_func::<(i64, i32, i32), ()>(&store, "to64")
        .unwrap();
    let to32 = instance
        .get_typed_func::<(i32, i64, i32), ()>(&store, "to32")
        .unwrap();
    to64.call(&mut store, (1000, 10, 3)).unwrap();
    to32.call(&mut store, (20, 1000, 3)).unwrap();
    let m32 = instance.get_memory(&store, "m32").unwrap();
    let m64 = instance.get_memory(&store, "m64").unwrap();
    assert_eq!(&m64.data(&store)[1000..1003], b"abc");
    assert_eq!(&m32.data(&store)[20..23], b"abc");
    assert_eq!(
        trap_kind(to32.call(&mut store, (0, 1 << 32, 1))),
        Some(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(
        trap_kind(to64.call(&mut store, (1 << 32, 0, 1))),
        Some(TrapKind::MemoryOutOfBounds)
    );
}

const TABLE: &str = r#"(module
    (type $t (func (result i32)))
    (table $t64 (export "t64") i64 3 10 funcref)
    (table $t32 (export "t32") 3 funcref)
    (func $a (result i32) (i32.const 10))
    (func $b (result i32) (i32.const 20))
    (elem (table $t64) (i64.const 1) func $a $b)
    (func (export "call") (param i64) (result i32) (call_indirect $t64 (type $t) (local.get 0)))
    (func (export "tail") (param i64) (result i32)
        (return_call_indirect $t64 (type $t) (local.get 0)))
    (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $t64 (local.get 0))))
    (func (export "set_null") (param i64) (table.set $t64 (local.get 0) (ref.null func)))
    (func (export "size") (result i64) (table.size $t64))
    (func (export "grow") (param i64) (result i64) (table.grow $t64 (ref.null func) (local.get 0)))
    (func (export "fill") (param i64 i64) (table.fill $t64 (local.get 0) (ref.func $a) (local.get 1)))
    ;; table.copy between a 64-bit and a 32-bit table: the length is an i32.
    (func (export "to32") (param i32 i64 i32) (table.copy $t32 $t64 (local.get 0) (local.get 1) (local.get 2)))
    (func (export "call32") (param i32) (result i32) (call_indirect $t32 (type $t) (local.get 0))))"#;

#[test]
fn table64_call_indirect_and_table_instructions() {
    let (mut store, instance) = instantiate(&Config::default(), TABLE);
    let call = instance.get_typed_func::<i64, i32>(&store, "call").unwrap();
    let tail = instance.get_typed_func::<i64, i32>(&store, "tail").unwrap();
    assert_eq!(call.call(&mut store, 1).unwrap(), 10);
    assert_eq!(call.call(&mut store, 2).unwrap(), 20);
    assert_eq!(tail.call(&mut store, 2).unwrap(), 20);
    assert_eq!(
        trap_kind(call.call(&mut store, 0)),
        Some(TrapKind::UninitializedElement)
    );
    // 2^32 + 1 truncated would be element 1: it is undefined instead.
    for index in [3, 1 << 32, (1 << 32) + 1, u32::MAX as i64, -1] {
        assert_eq!(
            trap_kind(call.call(&mut store, index)),
            Some(TrapKind::UndefinedElement),
            "call_indirect at {index:#x}"
        );
        assert_eq!(
            trap_kind(tail.call(&mut store, index)),
            Some(TrapKind::UndefinedElement),
            "return_call_indirect at {index:#x}"
        );
    }

    let is_null = instance
        .get_typed_func::<i64, i32>(&store, "is_null")
        .unwrap();
    let set_null = instance
        .get_typed_func::<i64, ()>(&store, "set_null")
        .unwrap();
    assert_eq!(is_null.call(&mut store, 1).unwrap(), 0);
    assert_eq!(
        trap_kind(is_null.call(&mut store, (1 << 32) + 1)),
        Some(TrapKind::TableOutOfBounds)
    );
    assert_eq!(
        trap_kind(set_null.call(&mut store, (1 << 32) + 1)),
        Some(TrapKind::TableOutOfBounds)
    );
    assert_eq!(
        is_null.call(&mut store, 1).unwrap(),
        0,
        "element 1 untouched"
    );

    let size = instance.get_typed_func::<(), i64>(&store, "size").unwrap();
    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 1 << 32).unwrap(), -1);
    assert_eq!(grow.call(&mut store, -1).unwrap(), -1);
    assert_eq!(
        grow.call(&mut store, 8).unwrap(),
        -1,
        "past the maximum of 10"
    );
    assert_eq!(grow.call(&mut store, 2).unwrap(), 3);
    assert_eq!(size.call(&mut store, ()).unwrap(), 5);

    let fill = instance
        .get_typed_func::<(i64, i64), ()>(&store, "fill")
        .unwrap();
    fill.call(&mut store, (3, 2)).unwrap();
    assert_eq!(call.call(&mut store, 4).unwrap(), 10);
    assert_eq!(
        trap_kind(fill.call(&mut store, (0, 1 << 32))),
        Some(TrapKind::TableOutOfBounds)
    );

    let to32 = instance
        .get_typed_func::<(i32, i64, i32), ()>(&store, "to32")
        .unwrap();
    let call32 = instance
        .get_typed_func::<i32, i32>(&store, "call32")
        .unwrap();
    to32.call(&mut store, (0, 1, 2)).unwrap();
    assert_eq!(call32.call(&mut store, 1).unwrap(), 20);
    assert_eq!(
        trap_kind(to32.call(&mut store, (0, 1 << 32, 1))),
        Some(TrapKind::TableOutOfBounds)
    );

    let t64 = instance.get_table(&store, "t64").unwrap();
    assert_eq!(t64.ty(&store).addr_type, AddrType::I64);
    assert_eq!(t64.size(&store), 5);
}

#[test]
fn imports_match_only_their_own_address_type() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let limits = Limits { min: 1, max: None };
    let mem32 = Memory::new(
        &mut store,
        MemoryType {
            limits,
            addr_type: AddrType::I32,
            shared: false,
        },
    )
    .unwrap();
    let mem64 = Memory::new(
        &mut store,
        MemoryType {
            limits,
            addr_type: AddrType::I64,
            shared: false,
        },
    )
    .unwrap();
    let table = |store: &mut Store<()>, addr_type| {
        let ty = TableType {
            element: ValType::FuncRef,
            limits,
            addr_type,
        };
        Table::new(store, ty, Val::FuncRef(None)).unwrap()
    };
    let (tab32, tab64) = (
        table(&mut store, AddrType::I32),
        table(&mut store, AddrType::I64),
    );
    let wants = |ty: &str| Module::new(&engine, format!("(module (import \"env\" \"x\" {ty}))"));
    let cases: [(&str, Extern, Extern); 4] = [
        ("(memory i64 1)", mem64.into(), mem32.into()),
        ("(memory 1)", mem32.into(), mem64.into()),
        ("(table i64 1 funcref)", tab64.into(), tab32.into()),
        ("(table 1 funcref)", tab32.into(), tab64.into()),
    ];
    for (ty, good, bad) in cases {
        let module = wants(ty).unwrap();
        Instance::new(&mut store, &module, &[good]).unwrap();
        let err = Instance::new(&mut store, &module, &[bad]).unwrap_err();
        let Error::IncompatibleImport {
            expected, found, ..
        } = &err
        else {
            panic!("{ty}: {err}");
        };
        // The message names the address types.
        assert_ne!(expected.contains("i64"), found.contains("i64"), "{err}");
    }
    // Grown past its minimum, a 64-bit memory still matches.
    mem64.grow(&mut store, 3).unwrap();
    assert_eq!(mem64.size(&store), 4);
    Instance::new(
        &mut store,
        &wants("(memory i64 2)").unwrap(),
        &[mem64.into()],
    )
    .unwrap();
}

#[test]
fn memory64_off_refuses_64_bit_memories_and_tables() {
    let engine = Engine::new(&Config::default().wasm_memory64(false));
    for wat in [
        "(module (memory i64 1))",
        "(module (import \"env\" \"m\" (memory i64 1)))",
        "(module (table i64 1 funcref))",
        "(module (import \"env\" \"t\" (table i64 1 funcref)))",
    ] {
        let err = Module::new(&engine, wat).unwrap_err();
        assert!(err.to_string().contains("memory64"), "{wat}: {err}");
    }
    // Off, 32-bit memories and tables are as before.
    Module::new(&engine, "(module (memory 1) (table 1 funcref))").unwrap();
}

#[test]
fn component_canonical_options_refuse_a_64_bit_memory() {
    let engine = Engine::default();
    let wat = r#"(component
        (core module $m
            (memory (export "mem") i64 1)
            (func (export "f") (param i32 i32)))
        (core instance $i (instantiate $m))
        (func (param "s" string)
            (canon lift (core func $i "f") (memory (core memory $i "mem")))))"#;
    let err = weft::component::Component::new(&engine, wat).unwrap_err();
    assert!(err.to_string().contains("64-bit memories"), "{err}");
}

/// Resident memory of this process in KiB (Linux), from `/proc/self/status`.
#[cfg(target_os = "linux")]
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(target_os = "linux")]
#[test]
fn memory_grow_does_not_touch_the_new_pages() {
    // Growing by 2 GiB takes zeroed pages from the allocator and copies only the old
    // bytes: resident memory grows by what the guest touches, not by the new size.
    let (mut store, instance) = instantiate(
        &Config::default(),
        r#"(module (memory (export "m") 1)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
            (func (export "poke") (param i32) (i32.store8 (local.get 0) (i32.const 7)))
            (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))"#,
    );
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let poke = instance.get_typed_func::<i32, ()>(&store, "poke").unwrap();
    let peek = instance.get_typed_func::<i32, i32>(&store, "peek").unwrap();
    poke.call(&mut store, 100).unwrap();
    let before = rss_kib();
    assert_eq!(grow.call(&mut store, 32768).unwrap(), 1);
    poke.call(&mut store, i32::MAX - 1).unwrap();
    let after = rss_kib();
    assert!(
        after.saturating_sub(before) < 512 * 1024,
        "resident memory grew by {} KiB",
        after - before
    );
    // The old bytes moved with the memory; the new ones read as zero.
    assert_eq!(peek.call(&mut store, 100).unwrap(), 7);
    assert_eq!(peek.call(&mut store, i32::MAX - 1).unwrap(), 7);
    assert_eq!(peek.call(&mut store, 1 << 30).unwrap(), 0);
}
