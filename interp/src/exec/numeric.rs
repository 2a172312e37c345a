//! Numeric semantics that Rust's operators do not give directly (spec §4.3 "Numerics").

use crate::translate::ir::WideOp;
use crate::TrapKind;

/// The wide-arithmetic proposal's operators on `cells` (operands in, results out; see
/// `WideOp`). Out of line: it is rare, and the dispatch loop stays as it was.
#[inline(never)]
pub(crate) fn wide_arith(op: WideOp, cells: &mut [u64]) {
    let (lo, hi) = match op {
        WideOp::Add128 | WideOp::Sub128 => {
            let a = (cells[0] as u128) | (cells[1] as u128) << 64;
            let b = (cells[2] as u128) | (cells[3] as u128) << 64;
            let r = if op == WideOp::Add128 {
                a.wrapping_add(b)
            } else {
                a.wrapping_sub(b)
            };
            (r as u64, (r >> 64) as u64)
        }
        WideOp::MulWideS => {
            let r = (cells[0] as i64 as i128).wrapping_mul(cells[1] as i64 as i128);
            (r as u64, (r >> 64) as u64)
        }
        WideOp::MulWideU => {
            let r = (cells[0] as u128) * (cells[1] as u128);
            (r as u64, (r >> 64) as u64)
        }
    };
    cells[0] = lo;
    cells[1] = hi;
}

/// `fmin` (spec §4.3.3): NaN if either operand is NaN; `-0` is less than `+0`.
pub(crate) fn fmin32(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        return a + b;
    }
    if a == b {
        return f32::from_bits(a.to_bits() | b.to_bits());
    }
    if a < b {
        a
    } else {
        b
    }
}

/// `fmax` (spec §4.3.3): NaN if either operand is NaN; `+0` is greater than `-0`.
pub(crate) fn fmax32(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        return a + b;
    }
    if a == b {
        return f32::from_bits(a.to_bits() & b.to_bits());
    }
    if a > b {
        a
    } else {
        b
    }
}

/// `fmin` for `f64`.
pub(crate) fn fmin64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return a + b;
    }
    if a == b {
        return f64::from_bits(a.to_bits() | b.to_bits());
    }
    if a < b {
        a
    } else {
        b
    }
}

/// `fmax` for `f64`.
pub(crate) fn fmax64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return a + b;
    }
    if a == b {
        return f64::from_bits(a.to_bits() & b.to_bits());
    }
    if a > b {
        a
    } else {
        b
    }
}

/// Makes a NaN result of a unary rounding operator quiet (spec §4.3.3: `nans_N`).
fn quiet32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(x.to_bits() | 0x0040_0000)
    } else {
        x
    }
}

fn quiet64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(x.to_bits() | 0x0008_0000_0000_0000)
    } else {
        x
    }
}

pub(crate) fn ceil32(x: f32) -> f32 {
    quiet32(x.ceil())
}
pub(crate) fn floor32(x: f32) -> f32 {
    quiet32(x.floor())
}
pub(crate) fn trunc32(x: f32) -> f32 {
    quiet32(x.trunc())
}
pub(crate) fn nearest32(x: f32) -> f32 {
    quiet32(x.round_ties_even())
}
pub(crate) fn sqrt32(x: f32) -> f32 {
    quiet32(x.sqrt())
}
pub(crate) fn ceil64(x: f64) -> f64 {
    quiet64(x.ceil())
}
pub(crate) fn floor64(x: f64) -> f64 {
    quiet64(x.floor())
}
pub(crate) fn trunc64(x: f64) -> f64 {
    quiet64(x.trunc())
}
pub(crate) fn nearest64(x: f64) -> f64 {
    quiet64(x.round_ties_even())
}
pub(crate) fn sqrt64(x: f64) -> f64 {
    quiet64(x.sqrt())
}

/// `trunc_s`/`trunc_u` (spec §4.3.4): traps on NaN and on results outside `[min, max]`.
/// `lo` and `hi` are exclusive bounds on the truncated value, as f64.
fn trunc_checked(x: f64, lo: f64, hi: f64) -> Result<f64, TrapKind> {
    if x.is_nan() {
        return Err(TrapKind::InvalidConversionToInteger);
    }
    let t = x.trunc();
    if t <= lo || t >= hi {
        return Err(TrapKind::IntegerOverflow);
    }
    Ok(t)
}

pub(crate) fn i32_trunc_s(x: f64) -> Result<u64, TrapKind> {
    Ok(trunc_checked(x, -2147483649.0, 2147483648.0)? as i32 as u32 as u64)
}
pub(crate) fn i32_trunc_u(x: f64) -> Result<u64, TrapKind> {
    Ok(trunc_checked(x, -1.0, 4294967296.0)? as u32 as u64)
}
pub(crate) fn i64_trunc_s(x: f64) -> Result<u64, TrapKind> {
    // -2^63 is representable and in range; the bound below it is the next f64 down.
    if x.is_nan() {
        return Err(TrapKind::InvalidConversionToInteger);
    }
    let t = x.trunc();
    if !(-9223372036854775808.0..9223372036854775808.0).contains(&t) {
        return Err(TrapKind::IntegerOverflow);
    }
    Ok(t as i64 as u64)
}
pub(crate) fn i64_trunc_u(x: f64) -> Result<u64, TrapKind> {
    Ok(trunc_checked(x, -1.0, 18446744073709551616.0)? as u64)
}

/// `i32.div_s` (spec §4.3.2 `idiv_s`).
pub(crate) fn i32_div_s(a: i32, b: i32) -> Result<i32, TrapKind> {
    if b == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    a.checked_div(b).ok_or(TrapKind::IntegerOverflow)
}
pub(crate) fn i32_div_u(a: u32, b: u32) -> Result<u32, TrapKind> {
    a.checked_div(b).ok_or(TrapKind::IntegerDivideByZero)
}
pub(crate) fn i32_rem_s(a: i32, b: i32) -> Result<i32, TrapKind> {
    if b == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    Ok(a.wrapping_rem(b))
}
pub(crate) fn i32_rem_u(a: u32, b: u32) -> Result<u32, TrapKind> {
    a.checked_rem(b).ok_or(TrapKind::IntegerDivideByZero)
}
pub(crate) fn i64_div_s(a: i64, b: i64) -> Result<i64, TrapKind> {
    if b == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    a.checked_div(b).ok_or(TrapKind::IntegerOverflow)
}
pub(crate) fn i64_div_u(a: u64, b: u64) -> Result<u64, TrapKind> {
    a.checked_div(b).ok_or(TrapKind::IntegerDivideByZero)
}
pub(crate) fn i64_rem_s(a: i64, b: i64) -> Result<i64, TrapKind> {
    if b == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    Ok(a.wrapping_rem(b))
}
pub(crate) fn i64_rem_u(a: u64, b: u64) -> Result<u64, TrapKind> {
    a.checked_rem(b).ok_or(TrapKind::IntegerDivideByZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_signed_zero() {
        assert_eq!(fmin32(0.0, -0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(fmax32(-0.0, 0.0).to_bits(), 0.0f32.to_bits());
        assert!(fmin64(f64::NAN, 1.0).is_nan());
    }

    #[test]
    fn trunc_bounds() {
        assert_eq!(i32_trunc_s(-2147483648.9), Ok(0x8000_0000));
        assert_eq!(i32_trunc_s(2147483648.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(i32_trunc_u(-0.9), Ok(0));
        assert_eq!(
            i64_trunc_s(f64::NAN),
            Err(TrapKind::InvalidConversionToInteger)
        );
        assert_eq!(i64_trunc_s(-9223372036854775808.0), Ok(i64::MIN as u64));
        assert_eq!(
            i64_trunc_u(18446744073709549568.0),
            Ok(18446744073709549568)
        );
    }

    #[test]
    fn nearest_ties_even() {
        assert_eq!(nearest32(2.5), 2.0);
        assert_eq!(nearest64(-3.5), -4.0);
        assert_eq!(nearest64(-0.5).to_bits(), (-0.0f64).to_bits());
    }
}
