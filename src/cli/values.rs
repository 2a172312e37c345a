//! Converting between command-line text and Wasm values.
//!
//! Arguments are parsed according to the parameter types of the invoked function, and
//! results are printed one per line. The accepted syntax is documented on [`parse_val`].

use weft::{Val, ValType};

/// Parses one command-line argument as a value of type `ty`.
///
/// * `i32` / `i64`: decimal or `0x`-prefixed hexadecimal, optionally negative (`-12`,
///   `-0x1f`). Unsigned values up to `2^32-1` / `2^64-1` are accepted too and wrap into
///   the signed type, so `4294967295` is the `i32` `-1`. `_` may separate digits.
/// * `f32` / `f64`: Rust float syntax (`1.5`, `-2e10`), plus `nan`, `inf` and `-inf`.
/// * `v128`: `0x` and up to 32 hex digits, read as one 128-bit integer whose lowest bits
///   are lane 0 (little-endian lane order: `0x...0001` has `i32x4` lane 0 equal to 1, and
///   the last two digits are byte 0 in memory). `_` may separate digits.
/// * `funcref` / `externref`: only `null` (there is no way to name a reference on the
///   command line).
///
/// The error is a short description of what was expected, without the position of the
/// argument (the caller adds that).
pub fn parse_val(text: &str, ty: ValType) -> Result<Val, String> {
    match ty {
        ValType::I32 => parse_int(text, 32).map(|bits| Val::I32(bits as u32 as i32)),
        ValType::I64 => parse_int(text, 64).map(|bits| Val::I64(bits as i64)),
        ValType::F32 => parse_float::<f32>(text).map(|f| Val::F32(f.to_bits())),
        ValType::F64 => parse_float::<f64>(text).map(|f| Val::F64(f.to_bits())),
        ValType::V128 => parse_v128(text).map(Val::V128),
        ValType::FuncRef | ValType::ExternRef | ValType::ExnRef | ValType::Ref(_) => {
            if text == "null" && ty.is_defaultable() {
                Ok(Val::default_for(ty))
            } else {
                Err(format!(
                    "`{text}` is not a valid {ty} (only `null` can be passed)"
                ))
            }
        }
    }
}

/// Parses an integer of `bits` bits (32 or 64) and returns its two's complement bit
/// pattern in the low `bits` bits.
fn parse_int(text: &str, bits: u32) -> Result<u64, String> {
    let invalid = || {
        format!("`{text}` is not a valid i{bits} (expected a decimal or 0x-prefixed hex integer)")
    };
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = match unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, unsigned),
    };
    // `from_str_radix` would accept a sign of its own; underscores are allowed only
    // between digits, as in the text format.
    if digits.is_empty()
        || digits.starts_with(['+', '-', '_'])
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return Err(invalid());
    }
    let cleaned: String = digits.chars().filter(|&c| c != '_').collect();
    let magnitude = u128::from_str_radix(&cleaned, radix).map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow => out_of_range(text, bits),
        _ => invalid(),
    })?;
    let limit: u128 = if negative {
        1 << (bits - 1)
    } else {
        (1 << bits) - 1
    };
    if magnitude > limit {
        return Err(out_of_range(text, bits));
    }
    let value = if negative {
        magnitude.wrapping_neg()
    } else {
        magnitude
    };
    let mask: u128 = (1 << bits) - 1;
    Ok((value & mask) as u64)
}

/// Parses `0x` and 1 to 32 hex digits (`_` between digits allowed) as a `v128`.
fn parse_v128(text: &str) -> Result<u128, String> {
    let invalid = || format!("`{text}` is not a valid v128 (expected 0x and up to 32 hex digits)");
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .ok_or_else(invalid)?;
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return Err(invalid());
    }
    let cleaned: String = digits.chars().filter(|&c| c != '_').collect();
    if cleaned.len() > 32 || !cleaned.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    u128::from_str_radix(&cleaned, 16).map_err(|_| invalid())
}

fn out_of_range(text: &str, bits: u32) -> String {
    format!("`{text}` is out of range for i{bits}")
}

/// Parses a float with Rust's syntax, which includes `nan`, `inf`, `-inf` and `infinity`
/// in any case.
fn parse_float<F: std::str::FromStr>(text: &str) -> Result<F, String> {
    let ty = if std::mem::size_of::<F>() == 4 {
        "f32"
    } else {
        "f64"
    };
    text.parse::<F>().map_err(|_| {
        format!("`{text}` is not a valid {ty} (expected e.g. `1.5`, `-2e3`, `nan` or `inf`)")
    })
}

/// Formats a result value for printing: integers as signed decimal, floats with Rust's
/// `Display` (`nan` for any NaN, `inf`, `-inf`), a `v128` as `0x` and 32 hex digits of
/// the 128-bit integer whose lowest bits are lane 0 (as [`parse_val`] reads it), references
/// as `ref.null func`, `ref.func`, `ref.null extern`, `ref.extern`, `ref.null exn`,
/// `ref.exn`, `ref.null any`, `ref.i31 N` or `ref.any`.
pub fn format_val(val: &Val) -> String {
    match *val {
        Val::I32(v) => v.to_string(),
        Val::I64(v) => v.to_string(),
        Val::F32(bits) => format_float(f32::from_bits(bits), f32::is_nan),
        Val::F64(bits) => format_float(f64::from_bits(bits), f64::is_nan),
        Val::V128(v) => format!("0x{v:032x}"),
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(_)) => "ref.func".to_string(),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(_)) => "ref.extern".to_string(),
        Val::ExnRef(None) => "ref.null exn".to_string(),
        Val::ExnRef(Some(_)) => "ref.exn".to_string(),
        Val::AnyRef(None) => "ref.null any".to_string(),
        Val::AnyRef(Some(r)) => match r.as_i31() {
            Some(v) => format!("ref.i31 {v}"),
            None => "ref.any".to_string(),
        },
    }
}

/// Formats a float with `Display`, except that every NaN (any sign or payload) is `nan`.
fn format_float<F: std::fmt::Display + Copy>(f: F, is_nan: fn(F) -> bool) -> String {
    if is_nan(f) {
        "nan".to_string()
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i32_of(text: &str) -> Result<i32, String> {
        parse_val(text, ValType::I32).map(|v| v.i32().expect("an i32"))
    }

    fn i64_of(text: &str) -> Result<i64, String> {
        parse_val(text, ValType::I64).map(|v| v.i64().expect("an i64"))
    }

    #[test]
    fn integers() {
        assert_eq!(i32_of("0"), Ok(0));
        assert_eq!(i32_of("42"), Ok(42));
        assert_eq!(i32_of("+42"), Ok(42));
        assert_eq!(i32_of("-42"), Ok(-42));
        assert_eq!(i32_of("0x10"), Ok(16));
        assert_eq!(i32_of("0XfF"), Ok(255));
        assert_eq!(i32_of("-0x10"), Ok(-16));
        assert_eq!(i32_of("1_000_000"), Ok(1_000_000));
        assert_eq!(i32_of("2147483647"), Ok(i32::MAX));
        assert_eq!(i32_of("-2147483648"), Ok(i32::MIN));
        assert_eq!(i32_of("4294967295"), Ok(-1));
        assert_eq!(i32_of("0xffffffff"), Ok(-1));
        assert_eq!(i32_of("0x80000000"), Ok(i32::MIN));
        assert_eq!(i64_of("18446744073709551615"), Ok(-1));
        assert_eq!(i64_of("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(i64_of("0x7fffffffffffffff"), Ok(i64::MAX));
    }

    #[test]
    fn bad_integers() {
        for bad in [
            "", "-", "0x", "-0x", "abc", "1.5", "--1", "-+1", "+-1", "0x-1", "_1", "1_", "1__0",
            " 1", "1e3",
        ] {
            let err = i32_of(bad).expect_err(bad);
            assert!(err.contains("not a valid i32"), "{bad}: {err}");
        }
        for big in [
            "4294967296",
            "-2147483649",
            "0x100000000",
            "99999999999999999999999999999999999999999999",
        ] {
            let err = i32_of(big).expect_err(big);
            assert!(err.contains("out of range for i32"), "{big}: {err}");
        }
        assert!(i64_of("18446744073709551616").is_err());
        assert!(i64_of("-9223372036854775809").is_err());
    }

    #[test]
    fn floats() {
        assert_eq!(
            parse_val("1.5", ValType::F32),
            Ok(Val::F32(1.5f32.to_bits()))
        );
        assert_eq!(
            parse_val("-2e3", ValType::F64),
            Ok(Val::F64((-2000.0f64).to_bits()))
        );
        assert_eq!(
            parse_val("inf", ValType::F64),
            Ok(Val::F64(f64::INFINITY.to_bits()))
        );
        assert_eq!(
            parse_val("-inf", ValType::F32),
            Ok(Val::F32(f32::NEG_INFINITY.to_bits()))
        );
        assert!(parse_val("nan", ValType::F64)
            .unwrap()
            .f64()
            .unwrap()
            .is_nan());
        let err = parse_val("one", ValType::F32).unwrap_err();
        assert!(err.contains("not a valid f32"), "{err}");
        let err = parse_val("1.2.3", ValType::F64).unwrap_err();
        assert!(err.contains("not a valid f64"), "{err}");
    }

    #[test]
    fn references() {
        assert_eq!(parse_val("null", ValType::FuncRef), Ok(Val::FuncRef(None)));
        assert_eq!(
            parse_val("null", ValType::ExternRef),
            Ok(Val::ExternRef(None))
        );
        assert!(parse_val("0", ValType::ExternRef).is_err());
    }

    #[test]
    fn vectors() {
        assert_eq!(parse_val("0x1", ValType::V128), Ok(Val::V128(1)));
        assert_eq!(
            parse_val("0xffffffff_00000000_00000000_00000002", ValType::V128),
            Ok(Val::V128(0xffff_ffff_u128 << 96 | 2))
        );
        for bad in [
            "",
            "1",
            "0x",
            "0xg",
            "0x_1",
            "0x1_",
            "0x123456789012345678901234567890123",
        ] {
            assert!(parse_val(bad, ValType::V128).is_err(), "{bad}");
        }
        assert_eq!(
            format_val(&Val::V128(1)),
            "0x00000000000000000000000000000001"
        );
    }

    #[test]
    fn formatting() {
        assert_eq!(format_val(&Val::I32(-1)), "-1");
        assert_eq!(format_val(&Val::I64(i64::MIN)), "-9223372036854775808");
        assert_eq!(format_val(&Val::F32(0.1f32.to_bits())), "0.1");
        assert_eq!(format_val(&Val::F64(2.5f64.to_bits())), "2.5");
        assert_eq!(format_val(&Val::F64(f64::NAN.to_bits())), "nan");
        assert_eq!(format_val(&Val::F64((-f64::NAN).to_bits())), "nan");
        assert_eq!(format_val(&Val::F32(f32::INFINITY.to_bits())), "inf");
        assert_eq!(format_val(&Val::F64(f64::NEG_INFINITY.to_bits())), "-inf");
        assert_eq!(format_val(&Val::FuncRef(None)), "ref.null func");
        assert_eq!(format_val(&Val::ExternRef(None)), "ref.null extern");
    }
}
