//! Unit tests of the lane operations the spec suite exercises least directly.

use super::*;

// The tests speak `u128` (lane 0 in the low bits); the handlers' vectors are byte arrays.
// These wrappers shadow the module's own helpers.
fn set_v(s: &mut [u64], slot: Slot, v: u128) {
    super::set_v(s, slot, v.to_le_bytes())
}
fn get_v(s: &[u64], slot: Slot) -> u128 {
    u128::from_le_bytes(super::get_v(s, slot))
}
fn build<R: Lane>(f: impl Fn(u32) -> R) -> u128 {
    u128::from_le_bytes(super::build(f))
}
fn lane<T: Lane>(v: u128, i: u32) -> T {
    super::lane(v.to_le_bytes(), i)
}
fn with_lane<T: Lane>(v: u128, i: u32, x: T) -> u128 {
    u128::from_le_bytes(super::with_lane(v.to_le_bytes(), i, x))
}
fn bitmask<T: Lane>(v: u128) -> u64 {
    super::bitmask::<T>(v.to_le_bytes())
}

#[test]
fn cells_hold_lanes_little_endian() {
    // The low cell holds bytes 0..8 (lane 0 first), the high cell bytes 8..16.
    let mut s = [0x0706_0504_0302_0100u64, 0x0f0e_0d0c_0b0a_0908, 0, 0];
    let v = super::get_v(&s, 0);
    assert_eq!(v, core::array::from_fn::<u8, 16, _>(|i| i as u8));
    super::set_v(&mut s, 2, v);
    assert_eq!(s[2..], s[..2]);
    let mut cells = [0u64; 2];
    write_v(&mut cells, read_v(&[1, u64::MAX - 1]));
    assert_eq!(cells, [1, u64::MAX - 1]);
    // A vector that does not fit the frame reads as zero and is not written.
    assert_eq!(super::get_v(&s, 3), [0; 16]);
    super::set_v(&mut s, 3, [0xff; 16]);
    assert_eq!(s[3], s[1]);
}

#[test]
fn bitmask_and_all_true_read_each_lane() {
    let v = u128::from_le_bytes([0x80, 1, 0, 0xff, 0, 0, 0, 0x80, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(super::bitmask::<u8>(v.to_le_bytes()), 0b1000_1001);
    assert_eq!(super::bitmask::<u16>(v.to_le_bytes()), 0b1010);
    assert_eq!(super::bitmask::<u64>(v.to_le_bytes()), 0b01);
    assert_eq!(all_true::<u8>(v.to_le_bytes()), 0);
    assert_eq!(all_true::<u64>(v.to_le_bytes()), 1);
    assert_eq!(all_true::<u16>(v.to_le_bytes()), 0);
    assert_eq!(all_true::<u32>([1; 16]), 1);
}

/// Runs a `V V -> V` (or `V -> V`) operation on `a` and `b`.
fn run(op: SimdOp, a: u128, b: u128) -> u128 {
    let mut s = [0u64; 6];
    set_v(&mut s, 0, a);
    set_v(&mut s, 2, b);
    simd(op, &mut s, 4, 0, 2, 0);
    get_v(&s, 4)
}

fn from_i16(x: [i16; 8]) -> u128 {
    build(|i| x[i as usize])
}
fn from_i32(x: [i32; 4]) -> u128 {
    build(|i| x[i as usize])
}
fn from_f32(x: [f32; 4]) -> u128 {
    build(|i| x[i as usize])
}
fn from_f64(x: [f64; 2]) -> u128 {
    build(|i| x[i as usize])
}
fn bytes(v: u128) -> [u8; 16] {
    v.to_le_bytes()
}
fn f32_lanes(v: u128) -> [u32; 4] {
    core::array::from_fn(|i| lane::<u32>(v, i as u32))
}
fn f64_lanes(v: u128) -> [u64; 2] {
    core::array::from_fn(|i| lane::<u64>(v, i as u32))
}

#[test]
fn lanes_are_little_endian() {
    let v = u128::from_le_bytes(core::array::from_fn(|i| i as u8));
    assert_eq!(lane::<u8>(v, 0), 0);
    assert_eq!(lane::<u16>(v, 1), 0x0302);
    assert_eq!(lane::<u32>(v, 3), 0x0f0e_0d0c);
    assert_eq!(with_lane(v, 15, 0xffu8) >> 120, 0xff);
    assert_eq!(bitmask::<u8>(1u128 << 127 | 0x80), 0x8001);
}

#[test]
fn shuffle_and_swizzle() {
    let a = u128::from_le_bytes(core::array::from_fn(|i| i as u8));
    let b = u128::from_le_bytes(core::array::from_fn(|i| 0x10 + i as u8));
    // Lanes 31, 0, 16, 15, then the identity of `b`'s second half and more.
    let idx: [u8; 16] = [31, 0, 16, 15, 24, 25, 26, 27, 1, 1, 1, 1, 17, 18, 19, 20];
    let words: [u32; 4] =
        core::array::from_fn(|w| u32::from_le_bytes(idx[4 * w..4 * w + 4].try_into().unwrap()));
    let mut s = [0u64; 6];
    set_v(&mut s, 0, a);
    set_v(&mut s, 2, b);
    shuffle(&mut s, 4, 0, 2, words);
    assert_eq!(
        bytes(get_v(&s, 4)),
        [0x1f, 0, 0x10, 15, 0x18, 0x19, 0x1a, 0x1b, 1, 1, 1, 1, 0x11, 0x12, 0x13, 0x14]
    );
    // Swizzle: indices of 16 or more (and "negative" bytes) select 0.
    let sel = u128::from_le_bytes([15, 16, 255, 0, 1, 2, 3, 128, 4, 4, 4, 4, 5, 6, 7, 8]);
    assert_eq!(
        bytes(run(SimdOp::I8x16Swizzle, a, sel)),
        [15, 0, 0, 0, 1, 2, 3, 0, 4, 4, 4, 4, 5, 6, 7, 8]
    );
}

#[test]
fn narrow_saturates() {
    let a = from_i16([-129, -128, 127, 128, 300, -300, 0, 1]);
    let b = from_i16([255, 256, -1, i16::MAX, i16::MIN, 5, 6, 7]);
    let s = bytes(run(SimdOp::I8x16NarrowI16x8S, a, b));
    let s: Vec<i8> = s.iter().map(|b| *b as i8).collect();
    assert_eq!(
        s,
        [-128, -128, 127, 127, 127, -128, 0, 1, 127, 127, -1, 127, -128, 5, 6, 7]
    );
    // Unsigned narrowing reads signed lanes: negative to 0, over 255 to 255.
    let u = bytes(run(SimdOp::I8x16NarrowI16x8U, a, b));
    assert_eq!(
        u,
        [0, 0, 127, 128, 255, 0, 0, 1, 255, 255, 0, 255, 0, 5, 6, 7]
    );
    let a = from_i32([70000, -70000, 65535, -1]);
    let r = run(SimdOp::I16x8NarrowI32x4U, a, a);
    assert_eq!(lane::<u16>(r, 0), 65535);
    assert_eq!(lane::<u16>(r, 1), 0);
    assert_eq!(lane::<u16>(r, 2), 65535);
    assert_eq!(lane::<u16>(r, 3), 0);
    let r = run(SimdOp::I16x8NarrowI32x4S, a, a);
    assert_eq!(lane::<i16>(r, 0), i16::MAX);
    assert_eq!(lane::<i16>(r, 1), i16::MIN);
}

#[test]
fn q15mulr_rounds_and_saturates() {
    assert_eq!(q15mulr_sat(i16::MIN, i16::MIN), i16::MAX);
    assert_eq!(q15mulr_sat(i16::MIN, i16::MAX), -i16::MAX);
    assert_eq!(q15mulr_sat(0x4000, 0x4000), 0x2000);
    // 1 * 16384 = 2^14: (2^14 + 2^14) >> 15 rounds up to 1; -1 * 16384 rounds to 0.
    assert_eq!(q15mulr_sat(1, 0x4000), 1);
    assert_eq!(q15mulr_sat(-1, 0x4000), 0);
    assert_eq!(q15mulr_sat(-1, 0x4001), -1);
}

#[test]
fn nearest_ties_to_even() {
    let r = run(SimdOp::F32x4Nearest, from_f32([0.5, 1.5, 2.5, -2.5]), 0);
    assert_eq!(f32_lanes(r), [0.0f32, 2.0, 2.0, -2.0].map(f32::to_bits));
    let r = run(SimdOp::F32x4Nearest, from_f32([-0.5, 3.5, 4.4, -0.0]), 0);
    assert_eq!(f32_lanes(r), [-0.0f32, 4.0, 4.0, -0.0].map(f32::to_bits));
    let r = run(
        SimdOp::F64x2Nearest,
        from_f64([4503599627370495.5, -1.5]),
        0,
    );
    assert_eq!(
        f64_lanes(r),
        [4503599627370496.0f64, -2.0].map(f64::to_bits)
    );
}

#[test]
fn min_max_and_pseudo_min_max() {
    let nan = f32::from_bits(0x7fc0_0001);
    let a = from_f32([0.0, -0.0, nan, 1.0]);
    let b = from_f32([-0.0, 0.0, 1.0, nan]);
    let min = f32_lanes(run(SimdOp::F32x4Min, a, b));
    assert_eq!(min[0], (-0.0f32).to_bits());
    assert_eq!(min[1], (-0.0f32).to_bits());
    assert!(f32::from_bits(min[2]).is_nan() && f32::from_bits(min[3]).is_nan());
    let max = f32_lanes(run(SimdOp::F32x4Max, a, b));
    assert_eq!(max[0], 0.0f32.to_bits());
    assert_eq!(max[1], 0.0f32.to_bits());
    assert!(f32::from_bits(max[2]).is_nan() && f32::from_bits(max[3]).is_nan());
    // pmin/pmax: `b < a ? b : a` / `a < b ? b : a`: zeros give `a`, a NaN in `a` is
    // kept bit for bit, a NaN in `b` gives `a`.
    let pmin = f32_lanes(run(SimdOp::F32x4PMin, a, b));
    assert_eq!(
        pmin,
        [
            0.0f32.to_bits(),
            (-0.0f32).to_bits(),
            nan.to_bits(),
            1.0f32.to_bits()
        ]
    );
    let pmax = f32_lanes(run(SimdOp::F32x4PMax, a, b));
    assert_eq!(
        pmax,
        [
            0.0f32.to_bits(),
            (-0.0f32).to_bits(),
            nan.to_bits(),
            1.0f32.to_bits()
        ]
    );
    let a = from_f64([-0.0, f64::NAN]);
    let b = from_f64([0.0, -1.0]);
    assert_eq!(
        f64_lanes(run(SimdOp::F64x2PMax, a, b)),
        [(-0.0f64).to_bits(), f64::NAN.to_bits()]
    );
}

#[test]
fn trunc_sat() {
    let a = from_f32([f32::NAN, -1.5, 3e9, -3e9]);
    let s = run(SimdOp::I32x4TruncSatF32x4S, a, 0);
    assert_eq!(s, from_i32([0, -1, i32::MAX, i32::MIN]));
    let u = run(SimdOp::I32x4TruncSatF32x4U, a, 0);
    assert_eq!(u, from_i32([0, 0, 3_000_000_000u32 as i32, 0]));
    let a = from_f64([4294967296.0, -0.9]);
    let u = run(SimdOp::I32x4TruncSatF64x2UZero, a, 0);
    assert_eq!(u, from_i32([-1, 0, 0, 0]));
    let s = run(
        SimdOp::I32x4TruncSatF64x2SZero,
        from_f64([f64::INFINITY, f64::NAN]),
        0,
    );
    assert_eq!(s, from_i32([i32::MAX, 0, 0, 0]));
}

#[test]
fn shifts_take_the_count_modulo_the_lane_width() {
    let mut s = [0u64; 5];
    set_v(&mut s, 0, from_i32([1, -8, 3, 4]));
    s[2] = 33;
    simd(SimdOp::I32x4Shl, &mut s, 3, 0, 2, 0);
    assert_eq!(get_v(&s, 3), from_i32([2, -16, 6, 8]));
    set_v(&mut s, 0, from_i32([1, -8, 3, 4]));
    simd(SimdOp::I32x4ShrS, &mut s, 3, 0, 2, 0);
    assert_eq!(get_v(&s, 3), from_i32([0, -4, 1, 2]));
}

/// Runs a `V V V -> V` operation on `a`, `b` and `c`.
fn run3(op: SimdOp, a: u128, b: u128, c: u128) -> u128 {
    let mut s = [0u64; 8];
    set_v(&mut s, 0, a);
    set_v(&mut s, 2, b);
    set_v(&mut s, 4, c);
    simd(op, &mut s, 6, 0, 2, 4);
    get_v(&s, 6)
}

fn from_i8(x: [i8; 16]) -> u128 {
    build(|i| x[i as usize])
}

// The relaxed operators in the deterministic profile: each input below is one where the
// spec allows several results, and the result is the first the spec lists.

#[test]
fn relaxed_madd_is_unfused() {
    // FLT_MAX * 2 - FLT_MAX: fused gives FLT_MAX, unfused overflows to infinity.
    let m = from_f32([f32::MAX; 4]);
    let r = run3(
        SimdOp::F32x4RelaxedMadd,
        m,
        from_f32([2.0; 4]),
        from_f32([-f32::MAX; 4]),
    );
    assert_eq!(f32_lanes(r), [f32::INFINITY.to_bits(); 4]);
    // x * y + z with a product that rounds: fused 2^-37, unfused 0.
    let (x, y, z) = (
        1.0 + 2f32.powi(-22),
        1.0 + 2f32.powi(-15),
        -(1.0 + 2f32.powi(-15) + 2f32.powi(-22)),
    );
    let r = run3(
        SimdOp::F32x4RelaxedNmadd,
        from_f32([-x; 4]),
        from_f32([y; 4]),
        from_f32([z; 4]),
    );
    assert_eq!(f32_lanes(r), [0.0f32.to_bits(); 4]);
    let m = from_f64([f64::MAX; 2]);
    let r = run3(
        SimdOp::F64x2RelaxedMadd,
        m,
        from_f64([2.0; 2]),
        from_f64([-f64::MAX; 2]),
    );
    assert_eq!(f64_lanes(r), [f64::INFINITY.to_bits(); 2]);
}

#[test]
fn relaxed_swizzle_trunc_laneselect_min_max() {
    let a = u128::from_le_bytes(core::array::from_fn(|i| i as u8));
    // Indices 16..127 may select lane `j mod 16` elsewhere; here they give 0.
    let sel = u128::from_le_bytes([17, 16, 31, 127, 128, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15]);
    assert_eq!(
        bytes(run(SimdOp::I8x16RelaxedSwizzle, a, sel)),
        [0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15]
    );
    // NaN and out-of-range lanes saturate as `trunc_sat` does.
    let v = from_f32([f32::NAN, 3e9, -3e9, -1.5]);
    let r = run(SimdOp::I32x4RelaxedTruncF32x4S, v, 0);
    assert_eq!(r, from_i32([0, i32::MAX, i32::MIN, -1]));
    let r = run(SimdOp::I32x4RelaxedTruncF32x4U, v, 0);
    assert_eq!(r, from_i32([0, -1294967296, 0, 0]));
    let r = run(
        SimdOp::I32x4RelaxedTruncF64x2UZero,
        from_f64([-1.0, 5e9]),
        0,
    );
    assert_eq!(r, from_i32([0, -1, 0, 0]));
    // A mask mixing set and cleared bits selects bitwise (no lane-wide top bit).
    let mask = from_i32([0x0f0f_0f0f, -1, 0, i32::MIN]);
    let r = run3(SimdOp::I32x4RelaxedLaneselect, from_i32([-1; 4]), 0, mask);
    assert_eq!(r, mask);
    // NaN inputs give a canonical NaN and -0 < +0, like `min`/`max`.
    let r = run(
        SimdOp::F32x4RelaxedMin,
        from_f32([f32::NAN, -0.0, 0.0, 1.0]),
        from_f32([1.0, 0.0, -0.0, 2.0]),
    );
    let lanes = f32_lanes(r);
    assert!(f32::from_bits(lanes[0]).is_nan());
    assert_eq!(
        &lanes[1..],
        &[(-0.0f32).to_bits(), (-0.0f32).to_bits(), 1.0f32.to_bits()]
    );
    let r = run(
        SimdOp::F64x2RelaxedMax,
        from_f64([-0.0, 0.0]),
        from_f64([0.0, -0.0]),
    );
    assert_eq!(f64_lanes(r), [0.0f64.to_bits(); 2]);
}

#[test]
fn relaxed_q15mulr_and_dot_products() {
    // -32768 * -32768 overflows: `q15mulr_sat_s` saturates to 32767.
    let m = from_i16([i16::MIN, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        lane::<i16>(run(SimdOp::I16x8RelaxedQ15mulrS, m, m), 0),
        i16::MAX
    );
    // Both operands signed: -128 * -127 * 2 = 32512 (not -33024 or 33024).
    let a = from_i8([-128, -128, -128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let b = from_i8([-127, -127, -127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let r = run(SimdOp::I16x8RelaxedDotI8x16I7x16S, a, b);
    assert_eq!(r, from_i16([32512, 32512, 0, 0, 0, 0, 0, 0]));
    // -128 * -128 * 2 = 32768 saturates to 32767 in the 16-bit pair sum.
    let r = run(SimdOp::I16x8RelaxedDotI8x16I7x16S, a, a);
    assert_eq!(lane::<i16>(r, 0), i16::MAX);
    let r = run3(
        SimdOp::I32x4RelaxedDotI8x16I7x16AddS,
        a,
        b,
        from_i32([1, 2, 3, 4]),
    );
    assert_eq!(r, from_i32([65025, 2, 3, 4]));
    let r = run3(
        SimdOp::I32x4RelaxedDotI8x16I7x16AddS,
        a,
        a,
        from_i32([1, 2, 3, 4]),
    );
    assert_eq!(r, from_i32([65535, 2, 3, 4]));
}
