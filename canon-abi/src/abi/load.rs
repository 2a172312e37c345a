//! CanonicalABI.md: "Loading" — reading a component value from linear memory.

use super::flatten::{
    align_to, alignment, cases, discriminant_type, elem_size, elem_size_flags, max_case_alignment,
};
use super::lift::{lift_borrow, lift_own};
use super::string::load_string_from_range;
use super::LiftLowerContext;
use crate::error::{trap_if, trap_if_with, Result};
use crate::types::Type;
use crate::val::Val;

/// CanonicalABI.md: `load`. The spec asserts the pointer is aligned and in bounds (its
/// callers trap first); here a violation traps too, so bad input can never panic.
pub fn load(cx: &mut LiftLowerContext<'_>, ptr: u64, t: &Type) -> Result<Val> {
    trap_if(
        ptr != align_to(ptr, alignment(t, cx.ptr_type)),
        "unaligned pointer",
    )?;
    trap_if(
        ptr.saturating_add(elem_size(t, cx.ptr_type) as u64) > cx.memory_len()?,
        "pointer out of bounds",
    )?;
    Ok(match t {
        Type::Bool => Val::Bool(convert_int_to_bool(cx.load_int(ptr, 1)?)),
        Type::U8 => Val::U8(cx.load_int(ptr, 1)? as u8),
        Type::U16 => Val::U16(cx.load_int(ptr, 2)? as u16),
        Type::U32 => Val::U32(cx.load_int(ptr, 4)? as u32),
        Type::U64 => Val::U64(cx.load_int(ptr, 8)?),
        Type::S8 => Val::S8(cx.load_int(ptr, 1)? as u8 as i8),
        Type::S16 => Val::S16(cx.load_int(ptr, 2)? as u16 as i16),
        Type::S32 => Val::S32(cx.load_int(ptr, 4)? as u32 as i32),
        Type::S64 => Val::S64(cx.load_int(ptr, 8)? as i64),
        Type::Float32 => Val::Float32(decode_i32_as_float(cx.load_int(ptr, 4)? as u32)),
        Type::Float64 => Val::Float64(decode_i64_as_float(cx.load_int(ptr, 8)?)),
        Type::Char => Val::Char(convert_i32_to_char(cx.load_int(ptr, 4)? as u32)?),
        Type::String => load_string(cx, ptr)?,
        Type::List(t) => load_list(cx, ptr, t)?,
        // CanonicalABI.md: `load_list_from_valid_range` with the fixed length.
        Type::FixedList(t, n) => {
            let size = elem_size(t, cx.ptr_type) as u64;
            Val::List(
                (0..u64::from(*n))
                    .map(|i| load(cx, ptr + i * size, t))
                    .collect::<Result<_>>()?,
            )
        }
        Type::Map(k, v) => {
            super::map_of_entries(load_list(cx, ptr, &super::map_entry_type(k, v))?)?
        }
        Type::Record(_) | Type::Tuple(_) => load_record(cx, ptr, t)?,
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
            load_variant(cx, ptr, t)?
        }
        Type::Flags(labels) => load_flags(cx, ptr, labels)?,
        Type::Own(r) => lift_own(cx, cx.load_int(ptr, 4)? as u32, r)?,
        Type::Borrow(r) => lift_borrow(cx, cx.load_int(ptr, 4)? as u32, r)?,
    })
}

/// CanonicalABI.md: `convert_int_to_bool` — any non-zero value is `true`.
pub fn convert_int_to_bool(i: u64) -> bool {
    i != 0
}

/// CanonicalABI.md: `CANONICAL_FLOAT32_NAN`.
pub const CANONICAL_FLOAT32_NAN: u32 = 0x7fc0_0000;
/// CanonicalABI.md: `CANONICAL_FLOAT64_NAN`.
pub const CANONICAL_FLOAT64_NAN: u64 = 0x7ff8_0000_0000_0000;

/// CanonicalABI.md: `canonicalize_nan32` — every NaN becomes the canonical NaN.
pub fn canonicalize_nan32(f: f32) -> f32 {
    if f.is_nan() {
        f32::from_bits(CANONICAL_FLOAT32_NAN)
    } else {
        f
    }
}

/// CanonicalABI.md: `canonicalize_nan64`.
pub fn canonicalize_nan64(f: f64) -> f64 {
    if f.is_nan() {
        f64::from_bits(CANONICAL_FLOAT64_NAN)
    } else {
        f
    }
}

/// CanonicalABI.md: `decode_i32_as_float`.
pub fn decode_i32_as_float(i: u32) -> f32 {
    canonicalize_nan32(f32::from_bits(i))
}

/// CanonicalABI.md: `decode_i64_as_float`.
pub fn decode_i64_as_float(i: u64) -> f64 {
    canonicalize_nan64(f64::from_bits(i))
}

/// CanonicalABI.md: `convert_i32_to_char` — traps on values past U+10FFFF and on surrogates.
pub fn convert_i32_to_char(i: u32) -> Result<char> {
    trap_if(i >= 0x110000, "invalid `char` bit pattern")?;
    trap_if((0xD800..=0xDFFF).contains(&i), "invalid `char` bit pattern")?;
    char::from_u32(i).ok_or_else(|| crate::Error::Trap("invalid `char` bit pattern".into()))
}

/// CanonicalABI.md: `load_string`.
pub fn load_string(cx: &mut LiftLowerContext<'_>, ptr: u64) -> Result<Val> {
    let n = cx.ptr_size();
    let begin = cx.load_int(ptr, n as usize)?;
    let tagged_code_units = cx.load_int(ptr + n as u64, n as usize)?;
    let tagged_code_units = cx.untag(tagged_code_units)?;
    Ok(Val::String(load_string_from_range(
        cx,
        begin,
        tagged_code_units,
    )?))
}

/// CanonicalABI.md: `load_list`.
pub fn load_list(cx: &mut LiftLowerContext<'_>, ptr: u64, elem_type: &Type) -> Result<Val> {
    let n = cx.ptr_size();
    let begin = cx.load_int(ptr, n as usize)?;
    let length = cx.load_int(ptr + n as u64, n as usize)?;
    load_list_from_range(cx, begin, length, elem_type)
}

/// CanonicalABI.md: `load_list_from_range`.
pub fn load_list_from_range(
    cx: &mut LiftLowerContext<'_>,
    ptr: u64,
    length: u64,
    elem_type: &Type,
) -> Result<Val> {
    trap_if(
        ptr != align_to(ptr, alignment(elem_type, cx.ptr_type)),
        "unaligned pointer: list pointer not aligned",
    )?;
    let size = elem_size(elem_type, cx.ptr_type) as u64;
    trap_if(
        length
            .checked_mul(size)
            .and_then(|n| n.checked_add(ptr))
            .is_none_or(|end| end > cx.memory_len().unwrap_or(0)),
        "list pointer/length out of bounds of memory",
    )?;
    // Validation rules out zero-sized element types; a host asking for one could otherwise
    // make billions of values out of no memory. An implementation limit, not the spec's.
    trap_if(
        size == 0 && length > 1 << 20,
        "list of zero-sized elements too long",
    )?;
    let mut a = Vec::with_capacity(length.min(1 << 16) as usize);
    for i in 0..length {
        a.push(load(cx, ptr + i * size, elem_type)?);
    }
    Ok(Val::List(a))
}

/// CanonicalABI.md: `load_record` (tuples are records with numbered fields).
pub fn load_record(cx: &mut LiftLowerContext<'_>, mut ptr: u64, t: &Type) -> Result<Val> {
    let mut vals = Vec::new();
    for ft in t.record_fields().unwrap_or_default() {
        ptr = align_to(ptr, alignment(ft, cx.ptr_type));
        vals.push(load(cx, ptr, ft)?);
        ptr += elem_size(ft, cx.ptr_type) as u64;
    }
    Ok(record_val(t, vals))
}

/// Builds the `Val` of a record-like type from its field values in order.
pub(crate) fn record_val(t: &Type, vals: Vec<Val>) -> Val {
    match t {
        Type::Record(fields) => {
            Val::Record(fields.iter().map(|(l, _)| l.clone()).zip(vals).collect())
        }
        _ => Val::Tuple(vals),
    }
}

/// CanonicalABI.md: `load_variant` — traps on a discriminant past the last case.
pub fn load_variant(cx: &mut LiftLowerContext<'_>, mut ptr: u64, t: &Type) -> Result<Val> {
    let cs = cases(t);
    let disc_size = elem_size(&discriminant_type(cs.len()), cx.ptr_type) as usize;
    let case_index = cx.load_int(ptr, disc_size)?;
    ptr += disc_size as u64;
    trap_if_with(case_index >= cs.len() as u64, || {
        format!(
            "invalid variant discriminant: discriminant {case_index} out of range [0..{})",
            cs.len()
        )
    })?;
    ptr = align_to(ptr, max_case_alignment(&cs, cx.ptr_type));
    let payload = match cs[case_index as usize] {
        None => None,
        Some(ct) => Some(load(cx, ptr, ct)?),
    };
    Ok(variant_val(t, case_index as usize, payload))
}

/// Builds the `Val` of a variant-like type from its case index and payload.
pub(crate) fn variant_val(t: &Type, case_index: usize, payload: Option<Val>) -> Val {
    let payload = payload.map(Box::new);
    match t {
        Type::Variant(cases) => Val::Variant(cases[case_index].0.clone(), payload),
        Type::Enum(labels) => Val::Enum(labels[case_index].clone()),
        Type::Option(_) => Val::Option(payload),
        _ if case_index == 0 => Val::Result(Ok(payload)),
        _ => Val::Result(Err(payload)),
    }
}

/// CanonicalABI.md: `load_flags`.
pub fn load_flags(cx: &mut LiftLowerContext<'_>, ptr: u64, labels: &[String]) -> Result<Val> {
    let size = elem_size_flags(labels.len()) as u64;
    let mut words = Vec::new();
    let mut off = 0;
    while off < size {
        let n = (size - off).min(4) as usize;
        words.push(cx.load_int(ptr + off, n)? as u32);
        off += 4;
    }
    Ok(unpack_flags_from_words(&words, labels))
}

/// CanonicalABI.md: `unpack_flags_from_int`, over 32-bit words (flags may exceed 64 bits).
pub fn unpack_flags_from_words(words: &[u32], labels: &[String]) -> Val {
    Val::Flags(
        labels
            .iter()
            .enumerate()
            .filter(|(i, _)| words.get(i / 32).is_some_and(|w| w >> (i % 32) & 1 == 1))
            .map(|(_, l)| l.clone())
            .collect(),
    )
}
