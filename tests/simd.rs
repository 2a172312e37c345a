//! `v128` through the embedding API and the CLI: values take two cells, so these check
//! that everything that moves values between the host and Wasm counts cells right when
//! vectors and scalars are mixed.

use weft::{Config, Engine, Global, GlobalType, Linker, Module, Mutability, Store, Val, ValType};

const MIXED: &str = r#"(module
  (import "host" "combine" (func $combine (param i32 v128 i64 v128) (result v128 i32)))
  (import "host" "g" (global $g (mut v128)))
  (global $h (export "h") (mut v128) (v128.const i32x4 1 2 3 4))
  (table 1 funcref)
  (elem (i32.const 0) $swap)
  (type $swap_t (func (param v128 i32 v128) (result v128 i32 v128)))
  ;; Swaps the two vectors and adds 1 to the scalar.
  (func $swap (export "swap") (type $swap_t)
    (local.get 2) (i32.add (local.get 1) (i32.const 1)) (local.get 0))
  ;; Calls the host with scalars between vectors; returns its results.
  (func (export "via_host") (param i32 v128 i64 v128) (result v128 i32)
    (call $combine (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  ;; Indirect call, then a block with v128 parameters and a select of v128s.
  (func (export "pick") (param v128 v128 i32) (result v128)
    (local $t v128)
    (call_indirect (type $swap_t) (local.get 0) (i32.const 7) (local.get 1) (i32.const 0))
    (drop)
    (drop)
    (local.set $t)
    (local.get $t)
    (block (param v128) (result v128)
      (i32x4.add (local.get $t)))
    (local.get 0)
    (local.get 2)
    (select))
  (func (export "bump_globals")
    (global.set $g (i32x4.add (global.get $g) (v128.const i32x4 1 1 1 1)))
    (global.set $h (global.get $g)))
  (func (export "tail") (param v128 i32 v128) (result v128 i32 v128)
    (return_call $swap (local.get 0) (local.get 1) (local.get 2))))"#;

fn lanes(l: [u32; 4]) -> u128 {
    l.iter()
        .enumerate()
        .fold(0, |v, (i, x)| v | (*x as u128) << (32 * i))
}

fn setup() -> (Store<()>, weft::Instance, Global) {
    let engine = Engine::default();
    let module = Module::new(&engine, MIXED).expect("valid module");
    let mut store = Store::new(&engine, ());
    let g = Global::new(
        &mut store,
        GlobalType {
            content: ValType::V128,
            mutability: Mutability::Var,
        },
        Val::V128(lanes([10, 20, 30, 40])),
    )
    .expect("global");
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "combine", |a: i32, v: u128, b: i64, w: u128| {
            (v ^ w, a + b as i32)
        })
        .expect("define");
    linker.define("host", "g", g).expect("define");
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, instance, g)
}

#[test]
fn typed_calls_with_vectors_and_scalars() {
    let (mut store, instance, _) = setup();
    let swap = instance
        .get_typed_func::<(u128, i32, u128), (u128, i32, u128)>(&store, "swap")
        .expect("typed");
    let (a, b) = (u128::MAX - 5, 0x0123_4567_89ab_cdef_u128 << 64 | 42);
    assert_eq!(swap.call(&mut store, (a, 9, b)).unwrap(), (b, 10, a));
    let tail = instance
        .get_typed_func::<(u128, i32, u128), (u128, i32, u128)>(&store, "tail")
        .expect("typed");
    assert_eq!(tail.call(&mut store, (a, -1, b)).unwrap(), (b, 0, a));
}

#[test]
fn untyped_calls_and_host_functions() {
    let (mut store, instance, _) = setup();
    let f = instance.get_func(&store, "via_host").unwrap();
    let mut results = [Val::I32(0), Val::I32(0)];
    let (v, w) = (lanes([1, 2, 3, 4]), lanes([5, 6, 7, 8]) | 1 << 127);
    f.call(
        &mut store,
        &[Val::I32(3), Val::V128(v), Val::I64(4), Val::V128(w)],
        &mut results,
    )
    .unwrap();
    assert_eq!(results, [Val::V128(v ^ w), Val::I32(7)]);
    let pick = instance.get_func(&store, "pick").unwrap();
    let mut out = [Val::V128(0)];
    let (a, b) = (lanes([1, 1, 1, 1]), lanes([2, 3, 4, 5]));
    pick.call(
        &mut store,
        &[Val::V128(a), Val::V128(b), Val::I32(0)],
        &mut out,
    )
    .unwrap();
    // select with 0 takes the second operand: the block's b + b.
    assert_eq!(out[0], Val::V128(a));
    pick.call(
        &mut store,
        &[Val::V128(a), Val::V128(b), Val::I32(1)],
        &mut out,
    )
    .unwrap();
    assert_eq!(out[0], Val::V128(lanes([4, 6, 8, 10])));
}

#[test]
fn vector_globals_import_and_export() {
    let (mut store, instance, g) = setup();
    let h = instance.get_global(&store, "h").unwrap();
    assert_eq!(h.get(&store), Val::V128(lanes([1, 2, 3, 4])));
    let bump = instance.get_func(&store, "bump_globals").unwrap();
    bump.call(&mut store, &[], &mut []).unwrap();
    assert_eq!(g.get(&store), Val::V128(lanes([11, 21, 31, 41])));
    assert_eq!(h.get(&store), Val::V128(lanes([11, 21, 31, 41])));
    g.set(&mut store, Val::V128(u128::MAX)).unwrap();
    bump.call(&mut store, &[], &mut []).unwrap();
    assert_eq!(h.get(&store), Val::V128(0));
    assert!(g.set(&mut store, Val::I64(1)).is_err());
}

#[test]
fn simd_can_be_switched_off() {
    let engine = Engine::new(&Config::default().wasm_simd(false));
    let err = Module::new(
        &engine,
        r#"(module (func (result v128) (v128.const i64x2 0 0)))"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("SIMD"), "{err}");
    assert!(Module::new(&Engine::default(), MIXED).is_ok());
}

#[test]
fn weft_run_parses_and_prints_vectors() {
    let dir = std::env::temp_dir().join(format!("weft-simd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v.wat");
    std::fs::write(
        &path,
        r#"(module (func (export "add") (param v128 i32) (result v128 i32)
             (i32x4.add (local.get 0) (i32x4.splat (local.get 1))) (local.get 1)))"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["run", "--invoke", "add"])
        .arg(&path)
        .args(["0x00000004_00000003_00000002_00000001", "16"])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0x00000014000000130000001200000011\n16\n"
    );
}

#[test]
fn exceptions_carry_vectors() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
          (tag $t (param i32 v128 i64))
          ;; Throws (a, v, b) and catches it in the same function: the payload lands in
          ;; the catch label's cells.
          (func (export "round_trip") (param i32 v128 i64) (result i32 v128 i64)
            (block $h (result i32 v128 i64)
              (try_table (catch $t $h)
                (throw $t (local.get 0) (local.get 1) (local.get 2)))
              (unreachable)))
          ;; A try_table with a v128 parameter that its body drops: the translator must
          ;; still know the parameter is a vector after the catch pads.
          (func (export "param") (param v128) (result i32)
            (block $h (result i32 v128 i64)
              (local.get 0)
              (try_table (param v128) (catch $t $h)
                (drop))
              (i32.const 5)
              (return))
            (drop)
            (drop))
          (func (export "uncaught") (param v128) (throw $t (i32.const 1) (local.get 0) (i64.const 2))))"#,
    )
    .expect("valid module");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiates");
    let f = instance
        .get_typed_func::<(i32, u128, i64), (i32, u128, i64)>(&store, "round_trip")
        .unwrap();
    let v = lanes([9, 8, 7, 6]);
    assert_eq!(
        f.call(&mut store, (-3, v, 1 << 40)).unwrap(),
        (-3, v, 1 << 40)
    );
    let p = instance
        .get_typed_func::<u128, i32>(&store, "param")
        .unwrap();
    assert_eq!(p.call(&mut store, v).unwrap(), 5);
    let u = instance.get_func(&store, "uncaught").unwrap();
    let err = u.call(&mut store, &[Val::V128(v)], &mut []).unwrap_err();
    let weft::Error::Exception(exn) = err else {
        panic!("not an exception: {err}");
    };
    assert_eq!(
        exn.payload(&store),
        vec![Val::I32(1), Val::V128(v), Val::I64(2)]
    );
}

/// `v128.load` and `v128.store` of memory 0 run in the dispatch loop (`V128Load`,
/// `V128LoadAddImm`, `V128Store`): the same bounds and wrap-around rules as every access.
#[test]
fn v128_load_store_fast_paths() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
  (memory 2)
  (data (i32.const 0) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12\13")
  (func (export "ld") (param i32) (result i64)
    (i64x2.extract_lane 1 (v128.load offset=4 (local.get 0))))
  (func (export "ldk") (param i32) (result i32)
    (i32x4.extract_lane 0 (v128.load offset=1 (i32.add (local.get 0) (i32.const -2)))))
  (func (export "ldfar") (param i32) (result i32)
    (i32x4.extract_lane 3 (v128.load offset=70000 (i32.add (local.get 0) (i32.const 8)))))
  (func (export "st") (param i32 i32) (result i32)
    (v128.store offset=3 (local.get 0) (i32x4.splat (local.get 1)))
    (i32.load offset=15 (local.get 0))))"#,
    )
    .unwrap();
    for (def, fused) in [
        (0, "V128Load {"),
        (1, "V128LoadAddImm"),
        (2, "V128Load {"),
        (3, "V128Store"),
    ] {
        let ir = module.dump_ir(def).unwrap();
        assert!(ir.contains(fused), "function {def} uses {fused}:\n{ir}");
    }
    let mut store = Store::new(&engine, ());
    let instance = Linker::<()>::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let ld = instance.get_typed_func::<i32, i64>(&store, "ld").unwrap();
    let ldk = instance.get_typed_func::<i32, i32>(&store, "ldk").unwrap();
    let ldfar = instance
        .get_typed_func::<i32, i32>(&store, "ldfar")
        .unwrap();
    let st = instance
        .get_typed_func::<(i32, i32), i32>(&store, "st")
        .unwrap();
    assert_eq!(ld.call(&mut store, 0).unwrap(), 0x1312_1110_0f0e_0d0c);
    assert!(ld.call(&mut store, 131072 - 19).is_err(), "out of bounds");
    assert_eq!(ld.call(&mut store, 131072 - 20).unwrap(), 0);
    // 2 - 2 is address 0, then offset 1.
    assert_eq!(ldk.call(&mut store, 2).unwrap(), 0x0403_0201);
    // 1 - 2 wraps to 0xffff_ffff; the offset then goes past 4 GiB, not back to 0.
    assert!(ldk.call(&mut store, 1).is_err(), "offset does not wrap");
    // An offset past 16 bits keeps the add apart.
    assert_eq!(ldfar.call(&mut store, 0).unwrap(), 0);
    assert!(
        ldfar.call(&mut store, 131072 - 70000).is_err(),
        "out of bounds"
    );
    // The store writes 16 bytes from address + 3; the last lane is at + 15.
    assert_eq!(
        st.call(&mut store, (100, 0x0a0b_0c0d)).unwrap(),
        0x0a0b_0c0d
    );
    assert!(
        st.call(&mut store, (131072 - 18, 1)).is_err(),
        "out of bounds"
    );
    assert_eq!(st.call(&mut store, (131072 - 19, 7)).unwrap(), 7);
}
