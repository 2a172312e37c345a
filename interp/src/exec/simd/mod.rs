//! The SIMD instructions (Wasm 2.0 §4.3.3 "Vector instructions" numerics, §4.4.3 and
//! §4.4.7 execution), on `v128`s held as 16 bytes in memory order ([`V`]): lane `i` of a
//! shape with `w`-byte lanes is bytes `w*i..w*(i+1)`, little-endian, so byte `i` in
//! memory is lane `i` of `i8x16`.
//!
//! Memory accesses are in `mem.rs`. Every handler is out of line and reads all its
//! operands before it writes its result (the translator may give the result the slots of
//! an operand). Float lanes follow the scalar rules, NaNs included (the scalar helpers of
//! `numeric.rs` are reused).

use super::numeric::{
    ceil32, ceil64, floor32, floor64, fmax32, fmax64, fmin32, fmin64, nearest32, nearest64, sqrt32,
    sqrt64, trunc32, trunc64,
};
use crate::translate::ir::{SimdOp, Slot};

/// A lane type: `BITS` bits of a vector, stored little-endian (lane `i` is bytes
/// `i * BITS / 8..(i + 1) * BITS / 8`). Lanes are read and written through byte arrays so
/// that LLVM sees plain array code and can vectorize it.
trait Lane: Copy {
    const BITS: u32;
    /// The lane from the first `BITS / 8` bytes of `bytes`.
    fn read(bytes: &[u8]) -> Self;
    /// Writes the lane into the first `BITS / 8` bytes of `out`.
    fn write(self, out: &mut [u8]);
    /// All ones (`true`) or all zeros: the result lane of a comparison.
    fn mask(set: bool) -> Self;
}

macro_rules! int_lane {
    ($($t:ty),*) => {$(
        impl Lane for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline(always)]
            fn read(bytes: &[u8]) -> Self {
                let mut b = [0u8; size_of::<$t>()];
                b.copy_from_slice(&bytes[..size_of::<$t>()]);
                <$t>::from_le_bytes(b)
            }
            #[inline(always)]
            fn write(self, out: &mut [u8]) {
                out[..size_of::<$t>()].copy_from_slice(&self.to_le_bytes());
            }
            #[inline(always)]
            fn mask(set: bool) -> Self {
                (0 as $t).wrapping_sub(set as $t)
            }
        }
    )*};
}
int_lane!(i8, u8, i16, u16, i32, u32, i64, u64);

macro_rules! float_lane {
    ($($t:ty => $u:ty),*) => {$(
        impl Lane for $t {
            const BITS: u32 = <$u>::BITS;
            #[inline(always)]
            fn read(bytes: &[u8]) -> Self {
                <$t>::from_bits(<$u>::read(bytes))
            }
            #[inline(always)]
            fn write(self, out: &mut [u8]) {
                self.to_bits().write(out)
            }
            #[inline(always)]
            fn mask(set: bool) -> Self {
                // `from_bits` keeps every bit (all ones is a quiet NaN).
                <$t>::from_bits(<$u>::mask(set))
            }
        }
    )*};
}
float_lane!(f32 => u32, f64 => u64);

/// A `v128` as its 16 bytes, lane 0 first (byte `i` of memory is byte `i` here). Handlers
/// work on byte arrays, not on a `u128`: LLVM keeps arrays in vector registers and turns
/// the lane loops into single SSE2/NEON instructions, where a `u128` lives in two general
/// registers and every lane costs a shift.
pub(crate) type V = [u8; 16];

/// Lane `i` of `v` seen as lanes of type `T` (`i` below the lane count).
#[inline(always)]
fn lane<T: Lane>(v: V, i: u32) -> T {
    T::read(&v[(i * T::BITS / 8) as usize..])
}

/// `v` with lane `i` (of type `T`) replaced by `x`.
#[inline(always)]
fn with_lane<T: Lane>(mut v: V, i: u32, x: T) -> V {
    x.write(&mut v[(i * T::BITS / 8) as usize..]);
    v
}

/// Builds a vector of lanes of type `R` from `f(i)` for each lane index.
#[inline(always)]
fn build<R: Lane>(f: impl Fn(u32) -> R) -> V {
    let mut out = [0u8; 16];
    for (i, o) in out.chunks_exact_mut((R::BITS / 8) as usize).enumerate() {
        f(i as u32).write(o);
    }
    out
}

/// `f` on each lane.
#[inline(always)]
fn map<T: Lane>(a: V, f: impl Fn(T) -> T) -> V {
    build(|i| f(lane::<T>(a, i)))
}

/// `f` on each pair of lanes.
#[inline(always)]
fn zip<T: Lane>(a: V, b: V, f: impl Fn(T, T) -> T) -> V {
    build(|i| f(lane::<T>(a, i), lane::<T>(b, i)))
}

/// A lane-wise comparison: all ones where `f` holds, zeros elsewhere.
#[inline(always)]
fn cmp<T: Lane>(a: V, b: V, f: impl Fn(T, T) -> bool) -> V {
    build(|i| T::mask(f(lane::<T>(a, i), lane::<T>(b, i))))
}

/// Lanes `T` from the low (`high == false`) or high half of `a`, widened by `f` into lanes
/// `R` of twice the width.
#[inline(always)]
fn extend<T: Lane, R: Lane>(a: V, high: bool, f: impl Fn(T) -> R) -> V {
    let first = if high { 64 / T::BITS } else { 0 };
    build(|i| f(lane::<T>(a, first + i)))
}

/// `extmul`: products of the low or high halves' lanes, widened first.
#[inline(always)]
fn extmul<T: Lane, R: Lane>(a: V, b: V, high: bool, f: impl Fn(T, T) -> R) -> V {
    let first = if high { 64 / T::BITS } else { 0 };
    build(|i| f(lane::<T>(a, first + i), lane::<T>(b, first + i)))
}

/// `extadd_pairwise`: sums of adjacent lane pairs, widened.
#[inline(always)]
fn extadd<T: Lane, R: Lane>(a: V, f: impl Fn(T, T) -> R) -> V {
    build(|i| f(lane::<T>(a, 2 * i), lane::<T>(a, 2 * i + 1)))
}

/// `narrow`: the lanes of `a` then of `b`, each saturated into a lane half as wide.
#[inline(always)]
fn narrow<T: Lane, R: Lane>(a: V, b: V, f: impl Fn(T) -> R) -> V {
    let n = 128 / T::BITS;
    build(|i| f(if i < n { lane(a, i) } else { lane(b, i - n) }))
}

/// `bitmask`: bit `i` of the result is the top bit of lane `i` (the top bit of its last
/// byte, lanes being little-endian).
fn bitmask<T: Lane>(a: V) -> u64 {
    let width = (T::BITS / 8) as usize;
    a.chunks_exact(width)
        .enumerate()
        .fold(0, |m, (i, l)| m | u64::from(l[width - 1] >> 7) << i)
}

/// `all_true`: every lane is non-zero.
fn all_true<T: Lane>(a: V) -> u64 {
    let width = (T::BITS / 8) as usize;
    a.chunks_exact(width).all(|l| l.iter().any(|&b| b != 0)) as u64
}

/// `ineg` on a lane count: the shift count of a shift instruction is taken modulo the lane
/// width (spec: `ishl(i, k mod N)`).
fn shift_count<T: Lane>(k: u64) -> u32 {
    (k as u32) % T::BITS
}

/// `i16x8.q15mulr_sat_s`: `sat_s((a * b + 2^14) >> 15)` (spec §4.3.2 `iq15mulrsat_s`).
pub(crate) fn q15mulr_sat(a: i16, b: i16) -> i16 {
    let p = (i32::from(a) * i32::from(b) + (1 << 14)) >> 15;
    p.clamp(i16::MIN.into(), i16::MAX.into()) as i16
}

/// `pmin` (spec §4.3.3 `fpmin`): `b < a ? b : a`, so a NaN in `a` is kept, one in `b`
/// is not, and equal zeros give `a`.
fn pmin<T: PartialOrd>(a: T, b: T) -> T {
    if b < a {
        b
    } else {
        a
    }
}

/// `pmax` (spec §4.3.3 `fpmax`): `a < b ? b : a`.
fn pmax<T: PartialOrd>(a: T, b: T) -> T {
    if a < b {
        b
    } else {
        a
    }
}

/// `f(a_i, b_i, c_i)` on each triple of lanes.
#[inline(always)]
fn zip3<T: Lane>(a: V, b: V, c: V, f: impl Fn(T, T, T) -> T) -> V {
    build(|i| f(lane::<T>(a, i), lane::<T>(b, i), lane::<T>(c, i)))
}

/// `v128.bitselect` (spec §4.3.2 `ibitselect`): bits of `a` where `mask` is 1, of `b`
/// elsewhere. Also the deterministic `relaxed_laneselect` (`relaxed(R)[i_3, ..]` with
/// `R = 0` keeps the mask as it is).
#[inline(always)]
fn bitselect(a: V, b: V, mask: V) -> V {
    zip3::<u64>(a, b, mask, |a, b, m| (a & m) | (b & !m))
}

/// `i8x16.swizzle`: lane `i` is lane `b_i` of `a`, or 0 when `b_i` is 16 or more. Also
/// the deterministic `relaxed_swizzle` (`relaxed(R)[0, ..]`: 0 for every index past 15).
fn swizzle(a: V, b: V) -> V {
    b.map(|k| a.get(usize::from(k)).copied().unwrap_or(0))
}

/// `frelaxed_madd` (Wasm 3.0 §4.3.4), deterministic profile: `relaxed(R)[fadd(fmul(z_1,
/// z_2), z_3), fma(..)]` with `R = 0` is the unfused form, two roundings. (Rust never
/// contracts `x * y + z` into a fused multiply-add.)
fn relaxed_madd32(x: f32, y: f32, z: f32) -> f32 {
    x * y + z
}

/// `frelaxed_madd` on `f64` lanes, as [`relaxed_madd32`].
fn relaxed_madd64(x: f64, y: f64, z: f64) -> f64 {
    x * y + z
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s`, deterministic profile: `ivdotsat` over
/// `irelaxed_dot_mul` with `R = 0`, i.e. both operands signed, and each pair of products
/// added with signed saturation (only `-128 * -128 * 2` saturates).
fn relaxed_dot_i8x16_i7x16_s(a: V, b: V) -> V {
    build(|i| {
        let p = |k| i32::from(lane::<i8>(a, k)) * i32::from(lane::<i8>(b, k));
        (p(2 * i) + p(2 * i + 1)).clamp(i16::MIN.into(), i16::MAX.into()) as i16
    })
}

/// `avgr_u`: `(a + b + 1) / 2` without overflow.
#[inline(always)]
fn avgr<T: Into<u32> + Copy>(a: T, b: T) -> u32 {
    (a.into() + b.into() + 1) >> 1
}

/// The `v128` in the two cells from `slot` (low half first).
#[inline(always)]
pub(crate) fn get_v(s: &[u64], slot: Slot) -> V {
    // Choosing the cells before the read (not the value after it) keeps one load: a
    // choice between two vectors is made lane by lane, in general registers.
    let cells = s.get(slot as usize..).and_then(|t| t.first_chunk::<2>());
    read_v(cells.unwrap_or(&[0; 2]))
}

/// Writes a `v128` into the two cells from `slot`.
#[inline(always)]
pub(crate) fn set_v(s: &mut [u64], slot: Slot, v: V) {
    if let Some(cells) = s
        .get_mut(slot as usize..)
        .and_then(|t| t.first_chunk_mut::<2>())
    {
        write_v(cells, v);
    }
}

/// Writes two cells (a `v128`, low half first) from `slot`.
#[inline(always)]
pub(crate) fn set_cells(s: &mut [u64], slot: Slot, cells: [u64; 2]) {
    if let Some(c) = s.get_mut(slot as usize..slot as usize + 2) {
        c.copy_from_slice(&cells);
    }
}

/// Two cells (low half first) as the bytes of a `v128`, read from the frame as bytes so
/// that LLVM sees one 16-byte load (read as two `u64`s, the lanes are cut out of
/// general registers one shift at a time and the lane loops stay scalar).
#[inline(always)]
fn read_v(cells: &[u64; 2]) -> V {
    #[cfg(target_endian = "little")]
    {
        // SAFETY: `[u64; 2]` and `[u8; 16]` have the same size, `u8` needs no more
        // alignment than `u64`, and every bit pattern is a valid `[u8; 16]`; the shared
        // borrow of `cells` outlives the read. On a little-endian target the bytes are the
        // cells' `to_le_bytes`, low cell first, which is the lane order
        // (`tests::cells_hold_lanes_little_endian`).
        #[allow(unsafe_code)]
        unsafe {
            *(cells as *const [u64; 2]).cast::<V>()
        }
    }
    #[cfg(not(target_endian = "little"))]
    {
        let mut v = [0u8; 16];
        v[..8].copy_from_slice(&cells[0].to_le_bytes());
        v[8..].copy_from_slice(&cells[1].to_le_bytes());
        v
    }
}

/// Writes the bytes of a `v128` into two cells, low half first (the inverse of
/// [`read_v`]).
#[inline(always)]
fn write_v(cells: &mut [u64; 2], v: V) {
    #[cfg(target_endian = "little")]
    {
        // SAFETY: as in `read_v`: same size, no stricter alignment, every bit pattern of
        // a `[u64; 2]` valid; the unique borrow of `cells` covers the write.
        #[allow(unsafe_code)]
        unsafe {
            *(cells as *mut [u64; 2]).cast::<V>() = v;
        }
    }
    #[cfg(not(target_endian = "little"))]
    {
        let half = |h: &[u8]| u64::from_le_bytes(h.try_into().unwrap_or_default());
        *cells = [half(&v[..8]), half(&v[8..])];
    }
}

fn get_s(s: &[u64], slot: Slot) -> u64 {
    s.get(slot as usize).copied().unwrap_or(0)
}

fn set_s(s: &mut [u64], slot: Slot, x: u64) {
    if let Some(cell) = s.get_mut(slot as usize) {
        *cell = x;
    }
}

/// The result of a SIMD operation, written to its slot: a vector, or a [`Scalar`] (a lane,
/// a test). A trait, not an enum: a `[u8; 16]` behind an enum's tag sits at an odd offset,
/// and LLVM then builds the result out of pieces in general registers.
trait Out {
    fn write_to(self, s: &mut [u64], dst: Slot);
}

impl Out for V {
    #[inline(always)]
    fn write_to(self, s: &mut [u64], dst: Slot) {
        set_v(s, dst, self)
    }
}

/// The scalar result of an operation such as `extract_lane` or `all_true`.
struct Scalar(u64);

impl Out for Scalar {
    #[inline(always)]
    fn write_to(self, s: &mut [u64], dst: Slot) {
        set_s(s, dst, self.0)
    }
}

/// Runs one operation `f` (a closure that reads its operands from the frame) and writes
/// its result to slot `dst`. Out of line and generic, so each operation is a function of
/// its own: in one big function LLVM hoists the lane unpacking that many operations share
/// above the dispatch, and every operation pays for it.
#[inline(never)]
fn run_op<R: Out>(s: &mut [u64], dst: Slot, f: impl FnOnce(&[u64]) -> R) {
    f(s).write_to(s, dst)
}

/// Runs `Instr::Simd`: reads its operands from the frame `s`, writes its result.
// Not every operation reads every operand that `ops!` unpacks for it.
#[allow(unused_variables)]
#[inline(never)]
pub(crate) fn simd(op: SimdOp, s: &mut [u64], dst: Slot, a: Slot, b: Slot, c: Slot) {
    use SimdOp as O;
    // Each arm becomes a call of `run_op` with the arm's expression, which may use: `va`
    // and `vb` (operands `a` and `b` as vectors), `sa` and `sb` (the same slots as
    // scalars: a shift count, a replaced lane's value, a splatted value), `lane_idx` (`c`
    // as an immediate lane index) and `s` (the frame, for a third vector operand `c`).
    macro_rules! ops {
        (|$s:ident, $va:ident, $vb:ident, $sa:ident, $sb:ident, $lane_idx:ident|
         $($p:pat => $e:expr),* $(,)?) => {
            match op {
                $($p => run_op(s, dst, move |$s: &[u64]| {
                    let ($va, $vb) = (get_v($s, a), get_v($s, b));
                    let ($sa, $sb) = (get_s($s, a), get_s($s, b));
                    let $lane_idx = u32::from(c);
                    $e
                }),)*
            }
        };
    }
    ops! {
        |s, va, vb, sa, sb, lane_idx|
        // Bitwise (§4.3.3 `v128.*`).
        O::V128Not => map::<u64>(va, |x| !x),
        O::V128And => zip::<u64>(va, vb, |x, y| x & y),
        O::V128AndNot => zip::<u64>(va, vb, |x, y| x & !y),
        O::V128Or => zip::<u64>(va, vb, |x, y| x | y),
        O::V128Xor => zip::<u64>(va, vb, |x, y| x ^ y),
        O::V128Bitselect => bitselect(va, vb, get_v(s, c)),
        O::V128AnyTrue => Scalar((va != [0; 16]) as u64),

        // Splats, lanes and swizzle.
        O::I8x16Splat => build(|_| sa as u8),
        O::I16x8Splat => build(|_| sa as u16),
        O::I32x4Splat | O::F32x4Splat => build(|_| sa as u32),
        O::I64x2Splat | O::F64x2Splat => build(|_| sa),
        O::I8x16ExtractLaneS => {
            Scalar(lane::<i8>(va, lane_idx & 15) as i32 as u32 as u64)
        },
        O::I8x16ExtractLaneU => Scalar(lane::<u8>(va, lane_idx & 15) as u64),
        O::I16x8ExtractLaneS => {
            Scalar(lane::<i16>(va, lane_idx & 7) as i32 as u32 as u64)
        },
        O::I16x8ExtractLaneU => Scalar(lane::<u16>(va, lane_idx & 7) as u64),
        O::I32x4ExtractLane | O::F32x4ExtractLane => {
            Scalar(lane::<u32>(va, lane_idx & 3) as u64)
        },
        O::I64x2ExtractLane | O::F64x2ExtractLane => {
            Scalar(lane::<u64>(va, lane_idx & 1))
        },
        O::I8x16ReplaceLane => with_lane(va, lane_idx & 15, sb as u8),
        O::I16x8ReplaceLane => with_lane(va, lane_idx & 7, sb as u16),
        O::I32x4ReplaceLane | O::F32x4ReplaceLane => with_lane(va, lane_idx & 3, sb as u32),
        O::I64x2ReplaceLane | O::F64x2ReplaceLane => with_lane(va, lane_idx & 1, sb),
        O::I8x16Swizzle => swizzle(va, vb),

        // Comparisons.
        O::I8x16Eq => cmp::<u8>(va, vb, |x, y| x == y),
        O::I8x16Ne => cmp::<u8>(va, vb, |x, y| x != y),
        O::I8x16LtS => cmp::<i8>(va, vb, |x, y| x < y),
        O::I8x16LtU => cmp::<u8>(va, vb, |x, y| x < y),
        O::I8x16GtS => cmp::<i8>(va, vb, |x, y| x > y),
        O::I8x16GtU => cmp::<u8>(va, vb, |x, y| x > y),
        O::I8x16LeS => cmp::<i8>(va, vb, |x, y| x <= y),
        O::I8x16LeU => cmp::<u8>(va, vb, |x, y| x <= y),
        O::I8x16GeS => cmp::<i8>(va, vb, |x, y| x >= y),
        O::I8x16GeU => cmp::<u8>(va, vb, |x, y| x >= y),
        O::I16x8Eq => cmp::<u16>(va, vb, |x, y| x == y),
        O::I16x8Ne => cmp::<u16>(va, vb, |x, y| x != y),
        O::I16x8LtS => cmp::<i16>(va, vb, |x, y| x < y),
        O::I16x8LtU => cmp::<u16>(va, vb, |x, y| x < y),
        O::I16x8GtS => cmp::<i16>(va, vb, |x, y| x > y),
        O::I16x8GtU => cmp::<u16>(va, vb, |x, y| x > y),
        O::I16x8LeS => cmp::<i16>(va, vb, |x, y| x <= y),
        O::I16x8LeU => cmp::<u16>(va, vb, |x, y| x <= y),
        O::I16x8GeS => cmp::<i16>(va, vb, |x, y| x >= y),
        O::I16x8GeU => cmp::<u16>(va, vb, |x, y| x >= y),
        O::I32x4Eq => cmp::<u32>(va, vb, |x, y| x == y),
        O::I32x4Ne => cmp::<u32>(va, vb, |x, y| x != y),
        O::I32x4LtS => cmp::<i32>(va, vb, |x, y| x < y),
        O::I32x4LtU => cmp::<u32>(va, vb, |x, y| x < y),
        O::I32x4GtS => cmp::<i32>(va, vb, |x, y| x > y),
        O::I32x4GtU => cmp::<u32>(va, vb, |x, y| x > y),
        O::I32x4LeS => cmp::<i32>(va, vb, |x, y| x <= y),
        O::I32x4LeU => cmp::<u32>(va, vb, |x, y| x <= y),
        O::I32x4GeS => cmp::<i32>(va, vb, |x, y| x >= y),
        O::I32x4GeU => cmp::<u32>(va, vb, |x, y| x >= y),
        O::I64x2Eq => cmp::<u64>(va, vb, |x, y| x == y),
        O::I64x2Ne => cmp::<u64>(va, vb, |x, y| x != y),
        O::I64x2LtS => cmp::<i64>(va, vb, |x, y| x < y),
        O::I64x2GtS => cmp::<i64>(va, vb, |x, y| x > y),
        O::I64x2LeS => cmp::<i64>(va, vb, |x, y| x <= y),
        O::I64x2GeS => cmp::<i64>(va, vb, |x, y| x >= y),
        O::F32x4Eq => cmp::<f32>(va, vb, |x, y| x == y),
        O::F32x4Ne => cmp::<f32>(va, vb, |x, y| x != y),
        O::F32x4Lt => cmp::<f32>(va, vb, |x, y| x < y),
        O::F32x4Gt => cmp::<f32>(va, vb, |x, y| x > y),
        O::F32x4Le => cmp::<f32>(va, vb, |x, y| x <= y),
        O::F32x4Ge => cmp::<f32>(va, vb, |x, y| x >= y),
        O::F64x2Eq => cmp::<f64>(va, vb, |x, y| x == y),
        O::F64x2Ne => cmp::<f64>(va, vb, |x, y| x != y),
        O::F64x2Lt => cmp::<f64>(va, vb, |x, y| x < y),
        O::F64x2Gt => cmp::<f64>(va, vb, |x, y| x > y),
        O::F64x2Le => cmp::<f64>(va, vb, |x, y| x <= y),
        O::F64x2Ge => cmp::<f64>(va, vb, |x, y| x >= y),

        // Tests.
        O::I8x16AllTrue => Scalar(all_true::<u8>(va)),
        O::I16x8AllTrue => Scalar(all_true::<u16>(va)),
        O::I32x4AllTrue => Scalar(all_true::<u32>(va)),
        O::I64x2AllTrue => Scalar(all_true::<u64>(va)),
        O::I8x16Bitmask => Scalar(bitmask::<u8>(va)),
        O::I16x8Bitmask => Scalar(bitmask::<u16>(va)),
        O::I32x4Bitmask => Scalar(bitmask::<u32>(va)),
        O::I64x2Bitmask => Scalar(bitmask::<u64>(va)),

        // Integer arithmetic.
        O::I8x16Abs => map::<i8>(va, i8::wrapping_abs),
        O::I8x16Neg => map::<i8>(va, i8::wrapping_neg),
        O::I8x16Popcnt => map::<u8>(va, |x| x.count_ones() as u8),
        O::I16x8Abs => map::<i16>(va, i16::wrapping_abs),
        O::I16x8Neg => map::<i16>(va, i16::wrapping_neg),
        O::I32x4Abs => map::<i32>(va, i32::wrapping_abs),
        O::I32x4Neg => map::<i32>(va, i32::wrapping_neg),
        O::I64x2Abs => map::<i64>(va, i64::wrapping_abs),
        O::I64x2Neg => map::<i64>(va, i64::wrapping_neg),
        O::I8x16Shl => map::<u8>(va, |x| x << shift_count::<u8>(sb)),
        O::I8x16ShrS => map::<i8>(va, |x| x >> shift_count::<i8>(sb)),
        O::I8x16ShrU => map::<u8>(va, |x| x >> shift_count::<u8>(sb)),
        O::I16x8Shl => map::<u16>(va, |x| x << shift_count::<u16>(sb)),
        O::I16x8ShrS => map::<i16>(va, |x| x >> shift_count::<i16>(sb)),
        O::I16x8ShrU => map::<u16>(va, |x| x >> shift_count::<u16>(sb)),
        O::I32x4Shl => map::<u32>(va, |x| x << shift_count::<u32>(sb)),
        O::I32x4ShrS => map::<i32>(va, |x| x >> shift_count::<i32>(sb)),
        O::I32x4ShrU => map::<u32>(va, |x| x >> shift_count::<u32>(sb)),
        O::I64x2Shl => map::<u64>(va, |x| x << shift_count::<u64>(sb)),
        O::I64x2ShrS => map::<i64>(va, |x| x >> shift_count::<i64>(sb)),
        O::I64x2ShrU => map::<u64>(va, |x| x >> shift_count::<u64>(sb)),
        O::I8x16Add => zip::<u8>(va, vb, u8::wrapping_add),
        O::I8x16AddSatS => zip::<i8>(va, vb, i8::saturating_add),
        O::I8x16AddSatU => zip::<u8>(va, vb, u8::saturating_add),
        O::I8x16Sub => zip::<u8>(va, vb, u8::wrapping_sub),
        O::I8x16SubSatS => zip::<i8>(va, vb, i8::saturating_sub),
        O::I8x16SubSatU => zip::<u8>(va, vb, u8::saturating_sub),
        O::I8x16MinS => zip::<i8>(va, vb, Ord::min),
        O::I8x16MinU => zip::<u8>(va, vb, Ord::min),
        O::I8x16MaxS => zip::<i8>(va, vb, Ord::max),
        O::I8x16MaxU => zip::<u8>(va, vb, Ord::max),
        O::I8x16AvgrU => zip::<u8>(va, vb, |x, y| avgr(x, y) as u8),
        O::I16x8Add => zip::<u16>(va, vb, u16::wrapping_add),
        O::I16x8AddSatS => zip::<i16>(va, vb, i16::saturating_add),
        O::I16x8AddSatU => zip::<u16>(va, vb, u16::saturating_add),
        O::I16x8Sub => zip::<u16>(va, vb, u16::wrapping_sub),
        O::I16x8SubSatS => zip::<i16>(va, vb, i16::saturating_sub),
        O::I16x8SubSatU => zip::<u16>(va, vb, u16::saturating_sub),
        O::I16x8Mul => zip::<u16>(va, vb, u16::wrapping_mul),
        O::I16x8MinS => zip::<i16>(va, vb, Ord::min),
        O::I16x8MinU => zip::<u16>(va, vb, Ord::min),
        O::I16x8MaxS => zip::<i16>(va, vb, Ord::max),
        O::I16x8MaxU => zip::<u16>(va, vb, Ord::max),
        O::I16x8AvgrU => zip::<u16>(va, vb, |x, y| avgr(x, y) as u16),
        O::I16x8Q15MulrSatS => zip::<i16>(va, vb, q15mulr_sat),
        O::I32x4Add => zip::<u32>(va, vb, u32::wrapping_add),
        O::I32x4Sub => zip::<u32>(va, vb, u32::wrapping_sub),
        O::I32x4Mul => zip::<u32>(va, vb, u32::wrapping_mul),
        O::I32x4MinS => zip::<i32>(va, vb, Ord::min),
        O::I32x4MinU => zip::<u32>(va, vb, Ord::min),
        O::I32x4MaxS => zip::<i32>(va, vb, Ord::max),
        O::I32x4MaxU => zip::<u32>(va, vb, Ord::max),
        O::I64x2Add => zip::<u64>(va, vb, u64::wrapping_add),
        O::I64x2Sub => zip::<u64>(va, vb, u64::wrapping_sub),
        O::I64x2Mul => zip::<u64>(va, vb, u64::wrapping_mul),
        O::I32x4DotI16x8S => build(|i| {
            let p = |k| i32::from(lane::<i16>(va, k)) * i32::from(lane::<i16>(vb, k));
            p(2 * i).wrapping_add(p(2 * i + 1))
        }),

        // Narrowing, widening, extended arithmetic.
        O::I8x16NarrowI16x8S => {
            narrow::<i16, i8>(va, vb, |x| x.clamp(i8::MIN.into(), i8::MAX.into()) as i8)
        },
        O::I8x16NarrowI16x8U => narrow::<i16, u8>(va, vb, |x| x.clamp(0, u8::MAX.into()) as u8),
        O::I16x8NarrowI32x4S => {
            narrow::<i32, i16>(va, vb, |x| x.clamp(i16::MIN.into(), i16::MAX.into()) as i16)
        },
        O::I16x8NarrowI32x4U => narrow::<i32, u16>(va, vb, |x| x.clamp(0, u16::MAX.into()) as u16),
        O::I16x8ExtendLowI8x16S => extend::<i8, i16>(va, false, i16::from),
        O::I16x8ExtendHighI8x16S => extend::<i8, i16>(va, true, i16::from),
        O::I16x8ExtendLowI8x16U => extend::<u8, u16>(va, false, u16::from),
        O::I16x8ExtendHighI8x16U => extend::<u8, u16>(va, true, u16::from),
        O::I32x4ExtendLowI16x8S => extend::<i16, i32>(va, false, i32::from),
        O::I32x4ExtendHighI16x8S => extend::<i16, i32>(va, true, i32::from),
        O::I32x4ExtendLowI16x8U => extend::<u16, u32>(va, false, u32::from),
        O::I32x4ExtendHighI16x8U => extend::<u16, u32>(va, true, u32::from),
        O::I64x2ExtendLowI32x4S => extend::<i32, i64>(va, false, i64::from),
        O::I64x2ExtendHighI32x4S => extend::<i32, i64>(va, true, i64::from),
        O::I64x2ExtendLowI32x4U => extend::<u32, u64>(va, false, u64::from),
        O::I64x2ExtendHighI32x4U => extend::<u32, u64>(va, true, u64::from),
        O::I16x8ExtAddPairwiseI8x16S => extadd::<i8, i16>(va, |x, y| i16::from(x) + i16::from(y)),
        O::I16x8ExtAddPairwiseI8x16U => extadd::<u8, u16>(va, |x, y| u16::from(x) + u16::from(y)),
        O::I32x4ExtAddPairwiseI16x8S => extadd::<i16, i32>(va, |x, y| i32::from(x) + i32::from(y)),
        O::I32x4ExtAddPairwiseI16x8U => extadd::<u16, u32>(va, |x, y| u32::from(x) + u32::from(y)),
        O::I16x8ExtMulLowI8x16S => {
            extmul::<i8, i16>(va, vb, false, |x, y| i16::from(x) * i16::from(y))
        },
        O::I16x8ExtMulHighI8x16S => {
            extmul::<i8, i16>(va, vb, true, |x, y| i16::from(x) * i16::from(y))
        },
        O::I16x8ExtMulLowI8x16U => {
            extmul::<u8, u16>(va, vb, false, |x, y| u16::from(x) * u16::from(y))
        },
        O::I16x8ExtMulHighI8x16U => {
            extmul::<u8, u16>(va, vb, true, |x, y| u16::from(x) * u16::from(y))
        },
        O::I32x4ExtMulLowI16x8S => {
            extmul::<i16, i32>(va, vb, false, |x, y| i32::from(x) * i32::from(y))
        },
        O::I32x4ExtMulHighI16x8S => {
            extmul::<i16, i32>(va, vb, true, |x, y| i32::from(x) * i32::from(y))
        },
        O::I32x4ExtMulLowI16x8U => {
            extmul::<u16, u32>(va, vb, false, |x, y| u32::from(x) * u32::from(y))
        },
        O::I32x4ExtMulHighI16x8U => {
            extmul::<u16, u32>(va, vb, true, |x, y| u32::from(x) * u32::from(y))
        },
        O::I64x2ExtMulLowI32x4S => {
            extmul::<i32, i64>(va, vb, false, |x, y| i64::from(x) * i64::from(y))
        },
        O::I64x2ExtMulHighI32x4S => {
            extmul::<i32, i64>(va, vb, true, |x, y| i64::from(x) * i64::from(y))
        },
        O::I64x2ExtMulLowI32x4U => {
            extmul::<u32, u64>(va, vb, false, |x, y| u64::from(x) * u64::from(y))
        },
        O::I64x2ExtMulHighI32x4U => {
            extmul::<u32, u64>(va, vb, true, |x, y| u64::from(x) * u64::from(y))
        },

        // Float arithmetic (scalar NaN rules per lane).
        O::F32x4Ceil => map::<f32>(va, ceil32),
        O::F32x4Floor => map::<f32>(va, floor32),
        O::F32x4Trunc => map::<f32>(va, trunc32),
        O::F32x4Nearest => map::<f32>(va, nearest32),
        O::F32x4Sqrt => map::<f32>(va, sqrt32),
        O::F32x4Abs => map::<u32>(va, |x| x & 0x7fff_ffff),
        O::F32x4Neg => map::<u32>(va, |x| x ^ 0x8000_0000),
        O::F64x2Ceil => map::<f64>(va, ceil64),
        O::F64x2Floor => map::<f64>(va, floor64),
        O::F64x2Trunc => map::<f64>(va, trunc64),
        O::F64x2Nearest => map::<f64>(va, nearest64),
        O::F64x2Sqrt => map::<f64>(va, sqrt64),
        O::F64x2Abs => map::<u64>(va, |x| x & 0x7fff_ffff_ffff_ffff),
        O::F64x2Neg => map::<u64>(va, |x| x ^ 0x8000_0000_0000_0000),
        O::F32x4Add => zip::<f32>(va, vb, |x, y| x + y),
        O::F32x4Sub => zip::<f32>(va, vb, |x, y| x - y),
        O::F32x4Mul => zip::<f32>(va, vb, |x, y| x * y),
        O::F32x4Div => zip::<f32>(va, vb, |x, y| x / y),
        O::F32x4Min => zip::<f32>(va, vb, fmin32),
        O::F32x4Max => zip::<f32>(va, vb, fmax32),
        O::F32x4PMin => zip::<f32>(va, vb, pmin),
        O::F32x4PMax => zip::<f32>(va, vb, pmax),
        O::F64x2Add => zip::<f64>(va, vb, |x, y| x + y),
        O::F64x2Sub => zip::<f64>(va, vb, |x, y| x - y),
        O::F64x2Mul => zip::<f64>(va, vb, |x, y| x * y),
        O::F64x2Div => zip::<f64>(va, vb, |x, y| x / y),
        O::F64x2Min => zip::<f64>(va, vb, fmin64),
        O::F64x2Max => zip::<f64>(va, vb, fmax64),
        O::F64x2PMin => zip::<f64>(va, vb, pmin),
        O::F64x2PMax => zip::<f64>(va, vb, pmax),

        // Conversions. Rust's float-to-int `as` saturates and maps NaN to 0, which is
        // `trunc_sat` (§4.3.4); int-to-float `as` rounds to nearest, ties to even.
        O::I32x4TruncSatF32x4S => build(|i| lane::<f32>(va, i) as i32),
        O::I32x4TruncSatF32x4U => build(|i| lane::<f32>(va, i) as u32),
        O::I32x4TruncSatF64x2SZero => build(|i| if i < 2 { lane::<f64>(va, i) as i32 } else { 0 }),
        O::I32x4TruncSatF64x2UZero => build(|i| if i < 2 { lane::<f64>(va, i) as u32 } else { 0 }),
        O::F32x4ConvertI32x4S => build(|i| lane::<i32>(va, i) as f32),
        O::F32x4ConvertI32x4U => build(|i| lane::<u32>(va, i) as f32),
        O::F64x2ConvertLowI32x4S => build(|i| f64::from(lane::<i32>(va, i))),
        O::F64x2ConvertLowI32x4U => build(|i| f64::from(lane::<u32>(va, i))),
        O::F32x4DemoteF64x2Zero => build(|i| {
            if i < 2 {
                lane::<f64>(va, i) as f32
            } else {
                0.0
            }
        }),
        O::F64x2PromoteLowF32x4 => build(|i| f64::from(lane::<f32>(va, i))),

        // Relaxed SIMD, deterministic profile (Wasm 3.0 §4.3.4 "Relaxed Operations": every
        // `relaxed(R)[A_0, ..]` takes `A_0`): each behaves as its strict counterpart.
        O::I8x16RelaxedSwizzle => swizzle(va, vb),
        O::I32x4RelaxedTruncF32x4S => build(|i| lane::<f32>(va, i) as i32),
        O::I32x4RelaxedTruncF32x4U => build(|i| lane::<f32>(va, i) as u32),
        O::I32x4RelaxedTruncF64x2SZero => {
            build(|i| if i < 2 { lane::<f64>(va, i) as i32 } else { 0 })
        },
        O::I32x4RelaxedTruncF64x2UZero => {
            build(|i| if i < 2 { lane::<f64>(va, i) as u32 } else { 0 })
        },
        O::F32x4RelaxedMadd => zip3::<f32>(va, vb, get_v(s, c), relaxed_madd32),
        O::F32x4RelaxedNmadd => {
            zip3::<f32>(va, vb, get_v(s, c), |x, y, z| relaxed_madd32(-x, y, z))
        },
        O::F64x2RelaxedMadd => zip3::<f64>(va, vb, get_v(s, c), relaxed_madd64),
        O::F64x2RelaxedNmadd => {
            zip3::<f64>(va, vb, get_v(s, c), |x, y, z| relaxed_madd64(-x, y, z))
        },
        O::I8x16RelaxedLaneselect
        | O::I16x8RelaxedLaneselect
        | O::I32x4RelaxedLaneselect
        | O::I64x2RelaxedLaneselect => bitselect(va, vb, get_v(s, c)),
        O::F32x4RelaxedMin => zip::<f32>(va, vb, fmin32),
        O::F32x4RelaxedMax => zip::<f32>(va, vb, fmax32),
        O::F64x2RelaxedMin => zip::<f64>(va, vb, fmin64),
        O::F64x2RelaxedMax => zip::<f64>(va, vb, fmax64),
        O::I16x8RelaxedQ15mulrS => zip::<i16>(va, vb, q15mulr_sat),
        O::I16x8RelaxedDotI8x16I7x16S => relaxed_dot_i8x16_i7x16_s(va, vb),
        O::I32x4RelaxedDotI8x16I7x16AddS => {
            let dot = relaxed_dot_i8x16_i7x16_s(va, vb);
            let vc = get_v(s, c);
            build(|i| {
                let pair =
                    i32::from(lane::<i16>(dot, 2 * i)) + i32::from(lane::<i16>(dot, 2 * i + 1));
                pair.wrapping_add(lane::<i32>(vc, i))
            })
        },
    }
}

/// Runs `Instr::SimdShuffle`: lane `i` of the result is byte `lanes[i]` of `a` followed by
/// `b` (indices below 32, as validation checked).
#[inline(never)]
pub(crate) fn shuffle(s: &mut [u64], dst: Slot, a: Slot, b: Slot, lanes: [u32; 4]) {
    let (va, vb) = (get_v(s, a), get_v(s, b));
    let r: V = core::array::from_fn(|i| {
        let k = (lanes[i / 4] >> (8 * (i % 4))) as u8 as usize;
        if k < 16 {
            va[k]
        } else {
            vb[(k - 16) & 15]
        }
    });
    set_v(s, dst, r);
}

/// `global.get` / `global.set` of a `v128` global: the two cells from `slot`.
pub(crate) fn get_v128(s: &[u64], slot: Slot) -> u128 {
    u128::from_le_bytes(get_v(s, slot))
}

/// Writes a `v128` into the two cells from `slot`.
pub(crate) fn set_v128(s: &mut [u64], slot: Slot, v: u128) {
    set_v(s, slot, v.to_le_bytes())
}

mod mem;
pub(crate) use mem::simd_mem;

#[cfg(test)]
mod tests;
