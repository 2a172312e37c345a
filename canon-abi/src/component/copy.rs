//! The memory-to-memory fast path of component-to-component calls (DESIGN.md §4).
//!
//! When a core function lowered from another component's lifted function takes only
//! numbers, strings and lists of numbers, returns at most one such value, needs no spilled
//! parameters, and both sides use the same string encoding (utf8 or utf16), its strings
//! and lists cross as byte copies: read out of the caller's memory, written into memory
//! the callee's `realloc` gives, and the result back the same way, without building a
//! [`Val`] per character or element. Each step keeps the generic path's checks and traps
//! (CanonicalABI.md: `load_string_from_range`, `load_list_from_range`, `store_string_copy`,
//! `store_list_into_range`, `lift_flat_values`, `lower_flat_values`); copying the bytes is
//! what those functions do when the encodings agree and the elements are numbers.

use crate::abi::flatten::{align_to, alignment, elem_size, flatten_types, CoreType};
use crate::abi::lift::ValueIter;
use crate::abi::lower::core_of;
use crate::abi::string::MAX_STRING_BYTE_LENGTH;
use crate::abi::{lift_flat, lower_flat, LiftLowerContext, StringEncoding, MAX_FLAT_PARAMS};
use crate::error::{trap, trap_if, trap_if_with, Result};
use crate::types::{FuncType, Type};
use crate::val::Val;
use weft_interp::Val as Core;

/// How a value of one type crosses on the fast path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A number: lifted and lowered by `lift_flat`/`lower_flat` (no allocation).
    Scalar,
    /// A string: code units of `unit` bytes, aligned to `unit`.
    String { unit: u32 },
    /// A list of numbers of `size` bytes, aligned to `align`.
    List { size: u32, align: u32 },
}

/// The fast path's plan for one function type: a [`Kind`] per parameter and for the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub params: Vec<Kind>,
    pub result: Option<Kind>,
}

/// How `t` crosses under string encoding `enc`, if it can take the fast path.
pub(crate) fn kind(t: &Type, enc: StringEncoding) -> Option<Kind> {
    match t {
        Type::S8
        | Type::U8
        | Type::S16
        | Type::U16
        | Type::S32
        | Type::U32
        | Type::S64
        | Type::U64
        | Type::Float32
        | Type::Float64 => Some(Kind::Scalar),
        Type::String => match enc {
            StringEncoding::Utf8 => Some(Kind::String { unit: 1 }),
            StringEncoding::Utf16 => Some(Kind::String { unit: 2 }),
            // latin1+utf16 strings may change representation on the way: the generic path.
            StringEncoding::CompactUtf16 => None,
        },
        Type::List(e) if kind(e, enc) == Some(Kind::Scalar) => Some(Kind::List {
            // Numbers: their layout does not depend on the pointer type.
            size: elem_size(e, CoreType::I32),
            align: alignment(e, CoreType::I32),
        }),
        _ => None,
    }
}

/// The plan for a call of type `ty` from a caller with string encoding `caller` to a callee
/// with `callee`, or `None` when the call must take the generic path.
pub(crate) fn plan(ty: &FuncType, caller: StringEncoding, callee: StringEncoding) -> Option<Plan> {
    if caller != callee {
        return None;
    }
    let params = ty.param_types();
    // How many flat values there are does not depend on the pointer type.
    if flatten_types(&params, CoreType::I32).len() > MAX_FLAT_PARAMS || ty.result_types().len() > 1
    {
        return None;
    }
    Some(Plan {
        params: params
            .iter()
            .map(|t| kind(t, caller))
            .collect::<Option<_>>()?,
        result: match ty.result_types().first() {
            Some(t) => Some(kind(t, caller)?),
            None => None,
        },
    })
}

/// A value in transit: a number, or the bytes of a string or list and its length in code
/// units or elements.
pub(crate) enum Raw {
    Scalar(Val),
    Bytes(Vec<u8>, u32),
}

/// `lift_flat` of one parameter: a number as a value, a string or list as its bytes.
pub(crate) fn lift_raw(
    cx: &mut LiftLowerContext<'_>,
    vi: &mut dyn ValueIter,
    t: &Type,
    k: Kind,
) -> Result<Raw> {
    if k == Kind::Scalar {
        return Ok(Raw::Scalar(lift_flat(cx, vi, t)?));
    }
    let ptr = vi.next(cx.ptr_type)?;
    let length = vi.next(cx.ptr_type)?;
    load_range(cx, ptr, length, k)
}

/// CanonicalABI.md: `load_string_from_range` (same encoding: the bytes, once checked to
/// decode) and `load_list_from_range` (numbers: the bytes).
fn load_range(cx: &mut LiftLowerContext<'_>, ptr: u64, length: u64, k: Kind) -> Result<Raw> {
    match k {
        Kind::String { unit } => {
            let alignment = unit as u64;
            trap_if_with(ptr != align_to(ptr, unit), || {
                format!("unaligned pointer: string pointer not aligned to {alignment}")
            })?;
            let end = length
                .checked_mul(alignment)
                .and_then(|n| n.checked_add(ptr));
            trap_if(
                end.is_none_or(|end| end > cx.memory_len().unwrap_or(0)),
                "string pointer/length out of bounds of memory",
            )?;
            // Only a 64-bit memory can hold more; `store_string_copy` would refuse it.
            trap_if(length > u64::from(u32::MAX), "string too long")?;
            let byte_length = alignment * length;
            let bytes = cx.read_bytes(ptr, byte_length)?;
            if unit == 1 {
                match core::str::from_utf8(bytes) {
                    Ok(_) => {}
                    Err(e) if e.error_len().is_none() => {
                        return trap("invalid utf-8 in string: incomplete utf-8 byte sequence")
                    }
                    Err(_) => return trap("invalid utf-8 in string"),
                }
            } else {
                let units = bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]));
                if char::decode_utf16(units).any(|c| c.is_err()) {
                    return trap("invalid utf-16 in string");
                }
            }
            Ok(Raw::Bytes(bytes.to_vec(), length as u32))
        }
        Kind::List { size, align } => {
            trap_if(
                ptr != align_to(ptr, align),
                "unaligned pointer: list pointer not aligned",
            )?;
            let end = length
                .checked_mul(u64::from(size))
                .and_then(|n| n.checked_add(ptr));
            trap_if(
                end.is_none_or(|end| end > cx.memory_len().unwrap_or(0)),
                "list pointer/length out of bounds of memory",
            )?;
            // Only a 64-bit memory can hold more; `store_list_into_range` would refuse it.
            trap_if(length > u64::from(u32::MAX), "list too long")?;
            let byte_length = length * u64::from(size);
            Ok(Raw::Bytes(
                cx.read_bytes(ptr, byte_length)?.to_vec(),
                length as u32,
            ))
        }
        Kind::Scalar => Err(crate::Error::TypeMismatch("a number as bytes".into())),
    }
}

/// `lower_flat` of one parameter.
pub(crate) fn lower_raw(
    cx: &mut LiftLowerContext<'_>,
    v: &Raw,
    t: &Type,
    k: Kind,
) -> Result<Vec<Core>> {
    match v {
        Raw::Scalar(v) => lower_flat(cx, v, t),
        Raw::Bytes(bytes, length) => {
            let ptr = store_range(cx, bytes, k)?;
            Ok(vec![
                core_of(cx.ptr_type, ptr),
                core_of(cx.ptr_type, u64::from(*length)),
            ])
        }
    }
}

/// CanonicalABI.md: `store_string_copy` and `store_list_into_range` — one `realloc` of the
/// exact size, its result checked, the bytes written.
fn store_range(cx: &mut LiftLowerContext<'_>, bytes: &[u8], k: Kind) -> Result<u64> {
    let byte_length = bytes.len() as u64;
    let align = match k {
        Kind::String { unit } => {
            trap_if(byte_length > MAX_STRING_BYTE_LENGTH, "string too long")?;
            unit
        }
        Kind::List { align, .. } => {
            trap_if(byte_length >= 1 << 32, "list too long")?;
            align
        }
        Kind::Scalar => return Err(crate::Error::TypeMismatch("a number as bytes".into())),
    };
    let ptr = cx.realloc(0, 0, align, byte_length)?;
    cx.check_realloc(ptr, align, byte_length)?;
    cx.write_bytes(ptr, bytes)?;
    Ok(ptr)
}

/// CanonicalABI.md: `lift_flat_values` with `MAX_FLAT_RESULTS` for the one result: a number
/// from its flat value, a string or list through the pointer to its `(ptr, length)`.
pub(crate) fn lift_result(
    cx: &mut LiftLowerContext<'_>,
    vi: &mut dyn ValueIter,
    t: &Type,
    k: Kind,
) -> Result<Raw> {
    if k == Kind::Scalar {
        return Ok(Raw::Scalar(lift_flat(cx, vi, t)?));
    }
    let ptr = vi.next(cx.ptr_type)?;
    check_pair_ptr(cx, ptr)?;
    let n = cx.ptr_size();
    let begin = cx.load_int(ptr, n as usize)?;
    let length = cx.load_int(ptr + u64::from(n), n as usize)?;
    load_range(cx, begin, length, k)
}

/// CanonicalABI.md: `lower_flat_values` with `MAX_FLAT_RESULTS` for the one result: a
/// number as its flat value, a string or list stored and its `(ptr, length)` written
/// through the caller's pointer (`out_param`).
pub(crate) fn lower_result(
    cx: &mut LiftLowerContext<'_>,
    v: &Raw,
    t: &Type,
    k: Kind,
    out_param: &mut dyn ValueIter,
) -> Result<Vec<Core>> {
    match v {
        Raw::Scalar(v) => lower_flat(cx, v, t),
        Raw::Bytes(bytes, length) => {
            let out = out_param.next(cx.ptr_type)?;
            check_pair_ptr(cx, out)?;
            let ptr = store_range(cx, bytes, k)?;
            let n = cx.ptr_size();
            cx.store_int(ptr, out, n as usize)?;
            cx.store_int(u64::from(*length), out + u64::from(n), n as usize)?;
            Ok(Vec::new())
        }
    }
}

/// The checks of a spilled `(ptr, length)` pair: the tuple `(string)` or `(list<T>)` has
/// the alignment of a pointer and the size of two.
fn check_pair_ptr(cx: &LiftLowerContext<'_>, ptr: u64) -> Result<()> {
    let n = cx.ptr_size();
    trap_if(ptr != align_to(ptr, n), "unaligned pointer")?;
    trap_if(
        ptr.saturating_add(2 * u64::from(n)) > cx.memory_len()?,
        "pointer out of bounds",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(params: Vec<Type>, results: Vec<Type>) -> FuncType {
        FuncType {
            params: params
                .into_iter()
                .enumerate()
                .map(|(i, t)| (format!("p{i}"), t))
                .collect(),
            results,
        }
    }

    #[test]
    fn plans_numbers_strings_and_lists_of_numbers() {
        let utf8 = StringEncoding::Utf8;
        let t = ty(
            vec![Type::String, Type::List(Box::new(Type::U16)), Type::S8],
            vec![Type::List(Box::new(Type::Float64))],
        );
        assert_eq!(
            plan(&t, utf8, utf8),
            Some(Plan {
                params: vec![
                    Kind::String { unit: 1 },
                    Kind::List { size: 2, align: 2 },
                    Kind::Scalar
                ],
                result: Some(Kind::List { size: 8, align: 8 }),
            })
        );
        // Encodings differ: transcoding is the generic path's.
        assert_eq!(plan(&t, utf8, StringEncoding::Utf16), None);
        assert_eq!(
            plan(
                &t,
                StringEncoding::CompactUtf16,
                StringEncoding::CompactUtf16
            ),
            None
        );
    }

    #[test]
    fn leaves_other_types_to_the_generic_path() {
        let utf8 = StringEncoding::Utf8;
        for t in [
            Type::Bool,
            Type::Char,
            Type::List(Box::new(Type::Bool)),
            Type::List(Box::new(Type::String)),
            Type::Option(Box::new(Type::U32)),
        ] {
            assert_eq!(kind(&t, utf8), None, "{t}");
        }
        // Spilled parameters (more than 16 flat values) and several results.
        assert_eq!(plan(&ty(vec![Type::String; 9], vec![]), utf8, utf8), None);
        assert_eq!(
            plan(&ty(vec![], vec![Type::U32, Type::U32]), utf8, utf8),
            None
        );
    }
}
