//! Component values whose flattening is a single core value that needs no linear memory
//! (numbers, `bool`, `char`), lifted and lowered without a component around them.
//!
//! A core module can import a host function written against component types when every
//! parameter and the result flatten this way: the core import's type is the canonical-ABI
//! flattening of the component function (CanonicalABI.md: `flatten_functype`), and each
//! value crosses with `lift_flat` / `lower_flat` of its type. `bindgen!` uses this for the
//! core-module linker functions it generates (`add_to_core_linker`).

use crate::abi::load::{
    convert_i32_to_char, convert_int_to_bool, decode_i32_as_float, decode_i64_as_float,
};
use crate::abi::store::{char_to_i32, encode_float_as_i32, encode_float_as_i64};
use crate::error::{to_core, Result};

/// A Rust type standing for a component type whose flattening (CanonicalABI.md:
/// `flatten_type`) is one core value, so it crosses into and out of core Wasm without
/// memory.
pub trait FlatScalar: super::ComponentType {
    /// The core Wasm type of the flattening, as a Rust type (`i32`, `i64`, `f32`, `f64`).
    type Core: weft_interp::WasmTy;
    /// CanonicalABI.md: `lift_flat` of this type from its one core value (traps on an
    /// invalid `char`).
    fn lift_flat(core: Self::Core) -> Result<Self>;
    /// CanonicalABI.md: `lower_flat` of this value into its one core value.
    fn lower_flat(self) -> Self::Core;
}

macro_rules! flat_scalar {
    ($($rust:ty => $core:ty, |$l:ident| $lift:expr, |$v:ident| $lower:expr;)*) => {$(
        impl FlatScalar for $rust {
            type Core = $core;
            fn lift_flat($l: $core) -> Result<Self> {
                Ok($lift)
            }
            fn lower_flat(self) -> $core {
                let $v = self;
                $lower
            }
        }
    )*};
}

// CanonicalABI.md: `lift_flat_unsigned` / `lift_flat_signed` keep the low bits of the core
// value; `lower_flat_signed` sign-extends to the core width.
flat_scalar! {
    bool => i32, |i| convert_int_to_bool(i as u32 as u64), |v| v as i32;
    u8 => i32, |i| i as u8, |v| v as i32;
    i8 => i32, |i| i as i8, |v| v as i32;
    u16 => i32, |i| i as u16, |v| v as i32;
    i16 => i32, |i| i as i16, |v| v as i32;
    u32 => i32, |i| i as u32, |v| v as i32;
    i32 => i32, |i| i, |v| v;
    u64 => i64, |i| i as u64, |v| v as i64;
    i64 => i64, |i| i, |v| v;
    f32 => f32, |f| decode_i32_as_float(f.to_bits()), |v| f32::from_bits(encode_float_as_i32(v));
    f64 => f64, |f| decode_i64_as_float(f.to_bits()), |v| f64::from_bits(encode_float_as_i64(v));
    char => i32, |i| convert_i32_to_char(i as u32)?, |v| char_to_i32(v) as i32;
}

/// An error of a component-typed host function as the core caller sees it: a core error
/// stays itself, any other becomes a host error that carries it (its message unchanged).
pub fn to_core_error(e: crate::Error) -> weft_interp::Error {
    to_core(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_lift_and_lower_as_the_spec_says() {
        assert_eq!(u8::lift_flat(0x1ff).unwrap(), 0xff);
        assert_eq!(i8::lift_flat(0xff).unwrap(), -1);
        assert_eq!((-1i8).lower_flat(), -1);
        assert_eq!(u32::MAX.lower_flat(), -1);
        assert!(bool::lift_flat(2).unwrap());
        assert!(!bool::lift_flat(0).unwrap());
        assert_eq!(char::lift_flat(0x41).unwrap(), 'A');
        assert!(char::lift_flat(0xD800).is_err());
        assert!(char::lift_flat(0x110000).is_err());
        assert_eq!('é'.lower_flat(), 0xe9);
        let nan = f32::from_bits(0x7fc0_0001);
        assert_eq!(f32::lift_flat(nan).unwrap().to_bits(), 0x7fc0_0000);
        assert_eq!(2.5f64.lower_flat(), 2.5);
    }
}
