//! Relaxed SIMD through the embedding API: one operator of each family on an input
//! where the spec allows several results, checked against the deterministic profile's
//! choice, and the `Config::wasm_relaxed_simd` switch.

use weft::{Config, Engine, Instance, Linker, Module, Store};

const RELAXED: &str = r#"(module
  (func (export "madd") (param f32 f32 f32) (result f32)
    (f32x4.extract_lane 0 (f32x4.relaxed_madd
      (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)) (f32x4.splat (local.get 2)))))
  (func (export "nmadd64") (param f64 f64 f64) (result f64)
    (f64x2.extract_lane 1 (f64x2.relaxed_nmadd
      (f64x2.splat (local.get 0)) (f64x2.splat (local.get 1)) (f64x2.splat (local.get 2)))))
  (func (export "swizzle") (param i32) (result i32)
    (i8x16.extract_lane_u 0 (i8x16.relaxed_swizzle
      (v128.const i8x16 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25)
      (i8x16.splat (local.get 0)))))
  (func (export "trunc_s") (param f32) (result i32)
    (i32x4.extract_lane 3 (i32x4.relaxed_trunc_f32x4_s (f32x4.splat (local.get 0)))))
  (func (export "trunc_u_zero") (param f64) (result i32 i32)
    (local $r v128)
    (local.set $r (i32x4.relaxed_trunc_f64x2_u_zero (f64x2.splat (local.get 0))))
    (i32x4.extract_lane 0 (local.get $r)) (i32x4.extract_lane 2 (local.get $r)))
  (func (export "laneselect") (param i64) (result i64)
    (i64x2.extract_lane 0 (i64x2.relaxed_laneselect
      (i64x2.splat (i64.const -1)) (i64x2.splat (i64.const 0)) (i64x2.splat (local.get 0)))))
  (func (export "min") (param f32 f32) (result f32)
    (f32x4.extract_lane 2 (f32x4.relaxed_min (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)))))
  (func (export "max64") (param f64 f64) (result f64)
    (f64x2.extract_lane 0 (f64x2.relaxed_max (f64x2.splat (local.get 0)) (f64x2.splat (local.get 1)))))
  (func (export "q15mulr") (param i32 i32) (result i32)
    (i16x8.extract_lane_s 5 (i16x8.relaxed_q15mulr_s (i16x8.splat (local.get 0)) (i16x8.splat (local.get 1)))))
  (func (export "dot") (param i32 i32) (result i32)
    (i16x8.extract_lane_s 0 (i16x8.relaxed_dot_i8x16_i7x16_s
      (i8x16.splat (local.get 0)) (i8x16.splat (local.get 1)))))
  (func (export "dot_add") (param i32 i32 i32) (result i32)
    (i32x4.extract_lane 1 (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (i8x16.splat (local.get 0)) (i8x16.splat (local.get 1)) (i32x4.splat (local.get 2))))))"#;

fn setup() -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, RELAXED).expect("valid module");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, instance)
}

#[test]
fn madd_rounds_twice() {
    let (mut store, inst) = setup();
    let madd = inst
        .get_typed_func::<(f32, f32, f32), f32>(&store, "madd")
        .unwrap();
    // Fused: FLT_MAX; unfused: FLT_MAX * 2 overflows first.
    let r = madd.call(&mut store, (f32::MAX, 2.0, -f32::MAX)).unwrap();
    assert_eq!(r, f32::INFINITY);
    let nmadd = inst
        .get_typed_func::<(f64, f64, f64), f64>(&store, "nmadd64")
        .unwrap();
    // -(1 + 2^-30)^2 + (1 + 2^-29): fused keeps -2^-60, unfused rounds the product and
    // gives 0.
    let x = 1.0 + 2f64.powi(-30);
    let r = nmadd
        .call(&mut store, (x, x, 1.0 + 2f64.powi(-29)))
        .unwrap();
    assert_eq!(r, 0.0);
}

#[test]
fn integer_families_take_the_strict_result() {
    let (mut store, inst) = setup();
    let swizzle = inst.get_typed_func::<i32, i32>(&store, "swizzle").unwrap();
    assert_eq!(swizzle.call(&mut store, 3).unwrap(), 13);
    // 19 could select lane 19 mod 16 = 3 elsewhere; here it gives 0, as swizzle does.
    assert_eq!(swizzle.call(&mut store, 19).unwrap(), 0);
    assert_eq!(swizzle.call(&mut store, 200).unwrap(), 0);
    let laneselect = inst
        .get_typed_func::<i64, i64>(&store, "laneselect")
        .unwrap();
    // A mask whose top bit is clear but other bits set selects bitwise.
    assert_eq!(laneselect.call(&mut store, 0x00ff).unwrap(), 0x00ff);
    let q15 = inst
        .get_typed_func::<(i32, i32), i32>(&store, "q15mulr")
        .unwrap();
    assert_eq!(q15.call(&mut store, (-32768, -32768)).unwrap(), 32767);
    let dot = inst
        .get_typed_func::<(i32, i32), i32>(&store, "dot")
        .unwrap();
    // Signed x signed: -128 * -127 * 2 = 32512 (signed x unsigned would saturate).
    assert_eq!(dot.call(&mut store, (-128, -127)).unwrap(), 32512);
    assert_eq!(dot.call(&mut store, (-128, -128)).unwrap(), 32767);
    let dot_add = inst
        .get_typed_func::<(i32, i32, i32), i32>(&store, "dot_add")
        .unwrap();
    assert_eq!(dot_add.call(&mut store, (-128, -127, 1)).unwrap(), 65025);
}

#[test]
fn float_families_take_the_strict_result() {
    let (mut store, inst) = setup();
    let trunc = inst.get_typed_func::<f32, i32>(&store, "trunc_s").unwrap();
    assert_eq!(trunc.call(&mut store, f32::NAN).unwrap(), 0);
    assert_eq!(trunc.call(&mut store, 1e10).unwrap(), i32::MAX);
    assert_eq!(trunc.call(&mut store, -7.9).unwrap(), -7);
    let trunc_u = inst
        .get_typed_func::<f64, (i32, i32)>(&store, "trunc_u_zero")
        .unwrap();
    assert_eq!(trunc_u.call(&mut store, -3.0).unwrap(), (0, 0));
    assert_eq!(trunc_u.call(&mut store, 5e9).unwrap(), (-1, 0));
    let min = inst
        .get_typed_func::<(f32, f32), f32>(&store, "min")
        .unwrap();
    assert!(min.call(&mut store, (1.0, f32::NAN)).unwrap().is_nan());
    assert!(min
        .call(&mut store, (0.0, -0.0))
        .unwrap()
        .is_sign_negative());
    let max = inst
        .get_typed_func::<(f64, f64), f64>(&store, "max64")
        .unwrap();
    assert!(max.call(&mut store, (f64::NAN, 1.0)).unwrap().is_nan());
    assert!(max
        .call(&mut store, (-0.0, 0.0))
        .unwrap()
        .is_sign_positive());
}

#[test]
fn relaxed_simd_can_be_switched_off() {
    for config in [
        Config::default().wasm_relaxed_simd(false),
        Config::default().wasm_simd(false),
    ] {
        let engine = Engine::new(&config);
        let e = Module::new(&engine, RELAXED).unwrap_err();
        assert!(matches!(e, weft::Error::Wasm(_)), "{e}");
    }
    // Plain SIMD still works with relaxed SIMD off.
    let engine = Engine::new(&Config::default().wasm_relaxed_simd(false));
    Module::new(
        &engine,
        "(module (func (drop (i8x16.splat (i32.const 1)))))",
    )
    .unwrap();
}
