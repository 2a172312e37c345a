//! CanonicalABI.md: "Storing" — writing a component value into linear memory.

use super::flatten::{
    align_to, alignment, cases, discriminant_type, elem_size, elem_size_flags, max_case_alignment,
};
use super::lower::{lower_borrow, lower_own};
use super::string::store_string;
use super::LiftLowerContext;
use crate::error::{trap_if, Error, Result};
use crate::types::Type;
use crate::val::Val;

pub(crate) fn mismatch(v: &Val, t: &Type) -> Error {
    Error::TypeMismatch(format!(
        "expected a value of type `{t}`, found {}",
        v.kind()
    ))
}

/// CanonicalABI.md: `store`. As with [`load`](super::load()), the spec's alignment and bounds
/// assertions trap here instead of panicking.
pub fn store(cx: &mut LiftLowerContext<'_>, v: &Val, t: &Type, ptr: u64) -> Result<()> {
    trap_if(
        ptr != align_to(ptr, alignment(t, cx.ptr_type)),
        "unaligned pointer",
    )?;
    trap_if(
        ptr.saturating_add(elem_size(t, cx.ptr_type) as u64) > cx.memory_len()?,
        "pointer out of bounds",
    )?;
    match (t, v) {
        (Type::Bool, Val::Bool(b)) => cx.store_int(*b as u64, ptr, 1),
        (Type::U8, Val::U8(i)) => cx.store_int(*i as u64, ptr, 1),
        (Type::U16, Val::U16(i)) => cx.store_int(*i as u64, ptr, 2),
        (Type::U32, Val::U32(i)) => cx.store_int(*i as u64, ptr, 4),
        (Type::U64, Val::U64(i)) => cx.store_int(*i, ptr, 8),
        (Type::S8, Val::S8(i)) => cx.store_int(*i as u8 as u64, ptr, 1),
        (Type::S16, Val::S16(i)) => cx.store_int(*i as u16 as u64, ptr, 2),
        (Type::S32, Val::S32(i)) => cx.store_int(*i as u32 as u64, ptr, 4),
        (Type::S64, Val::S64(i)) => cx.store_int(*i as u64, ptr, 8),
        (Type::Float32, Val::Float32(f)) => cx.store_int(encode_float_as_i32(*f) as u64, ptr, 4),
        (Type::Float64, Val::Float64(f)) => cx.store_int(encode_float_as_i64(*f), ptr, 8),
        (Type::Char, Val::Char(c)) => cx.store_int(char_to_i32(*c) as u64, ptr, 4),
        (Type::String, Val::String(s)) => {
            let (begin, tagged_code_units) = store_string(cx, s)?;
            let n = cx.ptr_size();
            let tagged_code_units = cx.retag(tagged_code_units);
            cx.store_int(begin, ptr, n as usize)?;
            cx.store_int(tagged_code_units, ptr + n as u64, n as usize)
        }
        (Type::List(et), Val::List(vs)) => store_list(cx, vs, ptr, et),
        // CanonicalABI.md: `store_list_into_valid_range` at `ptr` itself.
        (Type::FixedList(et, n), Val::List(vs)) if vs.len() as u64 == u64::from(*n) => {
            let size = elem_size(et, cx.ptr_type) as u64;
            for (i, e) in vs.iter().enumerate() {
                store(cx, e, et, ptr + i as u64 * size)?;
            }
            Ok(())
        }
        (Type::Map(k, v), Val::Map(entries)) => {
            let (begin, length) = store_map_into_range(cx, entries, k, v)?;
            let n = cx.ptr_size();
            cx.store_int(begin, ptr, n as usize)?;
            cx.store_int(length, ptr + n as u64, n as usize)
        }
        (Type::Record(_) | Type::Tuple(_), _) => store_record(cx, v, ptr, t),
        (Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. }, _) => {
            store_variant(cx, v, ptr, t)
        }
        (Type::Flags(labels), Val::Flags(set)) => store_flags(cx, set, ptr, labels),
        (Type::Own(r), Val::Resource(res)) => {
            let i = lower_own(cx, res, r)?;
            cx.store_int(i as u64, ptr, 4)
        }
        (Type::Borrow(r), Val::Resource(res)) => {
            let i = lower_borrow(cx, res, r)?;
            cx.store_int(i as u64, ptr, 4)
        }
        _ => Err(mismatch(v, t)),
    }
}

/// CanonicalABI.md: `encode_float_as_i32` — NaNs are stored as the canonical NaN.
pub fn encode_float_as_i32(f: f32) -> u32 {
    super::load::canonicalize_nan32(f).to_bits()
}

/// CanonicalABI.md: `encode_float_as_i64`.
pub fn encode_float_as_i64(f: f64) -> u64 {
    super::load::canonicalize_nan64(f).to_bits()
}

/// CanonicalABI.md: `char_to_i32`.
pub fn char_to_i32(c: char) -> u32 {
    c as u32
}

/// CanonicalABI.md: `store_list`.
pub fn store_list(
    cx: &mut LiftLowerContext<'_>,
    v: &[Val],
    ptr: u64,
    elem_type: &Type,
) -> Result<()> {
    let (begin, length) = store_list_into_range(cx, v, elem_type)?;
    let n = cx.ptr_size();
    cx.store_int(begin, ptr, n as usize)?;
    cx.store_int(length, ptr + n as u64, n as usize)
}

/// CanonicalABI.md: `store_list_into_range` — one `realloc` of the exact size.
pub fn store_list_into_range(
    cx: &mut LiftLowerContext<'_>,
    v: &[Val],
    elem_type: &Type,
) -> Result<(u64, u64)> {
    let (ptr, size) = alloc_list_range(cx, v.len(), elem_type)?;
    for (i, e) in v.iter().enumerate() {
        store(cx, e, elem_type, ptr + i as u64 * size)?;
    }
    Ok((ptr, v.len() as u64))
}

/// `store_list_into_range` of a `map<K, V>` value as the `list<tuple<K, V>>` it has the ABI
/// of, storing each key and value in place (as `store_record` would the pair).
pub(crate) fn store_map_into_range(
    cx: &mut LiftLowerContext<'_>,
    entries: &[(Val, Val)],
    k: &Type,
    v: &Type,
) -> Result<(u64, u64)> {
    let (ptr, size) = alloc_list_range(cx, entries.len(), &super::map_entry_type(k, v))?;
    let value_offset = align_to(elem_size(k, cx.ptr_type) as u64, alignment(v, cx.ptr_type));
    for (i, (kv, vv)) in entries.iter().enumerate() {
        let at = ptr + i as u64 * size;
        store(cx, kv, k, at)?;
        store(cx, vv, v, at + value_offset)?;
    }
    Ok((ptr, entries.len() as u64))
}

/// The allocation of `store_list_into_range`: one `realloc` of `n` elements' exact size,
/// checked as the spec checks it. Returns the pointer and the element size.
fn alloc_list_range(
    cx: &mut LiftLowerContext<'_>,
    n: usize,
    elem_type: &Type,
) -> Result<(u64, u64)> {
    let size = elem_size(elem_type, cx.ptr_type) as u64;
    let byte_length = n as u64 * size;
    trap_if(byte_length >= 1 << 32, "list too long")?;
    let align = alignment(elem_type, cx.ptr_type);
    let ptr = cx.realloc(0, 0, align, byte_length)?;
    cx.check_realloc(ptr, align, byte_length)?;
    Ok((ptr, size))
}

/// The field values of a record-like value in the type's field order (records match labels).
pub(crate) fn record_values<'v>(v: &'v Val, t: &Type) -> Result<Vec<&'v Val>> {
    match (t, v) {
        (Type::Record(fields), Val::Record(vals)) if fields.len() == vals.len() => fields
            .iter()
            .map(|(label, _)| {
                vals.iter()
                    .find(|(l, _)| l == label)
                    .map(|(_, v)| v)
                    .ok_or_else(|| Error::TypeMismatch(format!("record field `{label}` missing")))
            })
            .collect(),
        (Type::Tuple(ts), Val::Tuple(vals)) if ts.len() == vals.len() => Ok(vals.iter().collect()),
        _ => Err(mismatch(v, t)),
    }
}

/// CanonicalABI.md: `store_record`.
pub fn store_record(cx: &mut LiftLowerContext<'_>, v: &Val, mut ptr: u64, t: &Type) -> Result<()> {
    let vals = record_values(v, t)?;
    for (ft, fv) in t.record_fields().unwrap_or_default().into_iter().zip(vals) {
        ptr = align_to(ptr, alignment(ft, cx.ptr_type));
        store(cx, fv, ft, ptr)?;
        ptr += elem_size(ft, cx.ptr_type) as u64;
    }
    Ok(())
}

/// CanonicalABI.md: `match_case` — the case index and payload of a variant-like value.
pub(crate) fn match_case<'v>(v: &'v Val, t: &Type) -> Result<(usize, Option<&'v Val>)> {
    let found = match (t, v) {
        (Type::Variant(cases), Val::Variant(label, p)) => cases
            .iter()
            .position(|(l, _)| l == label)
            .map(|i| (i, p.as_deref())),
        (Type::Enum(labels), Val::Enum(label)) => {
            labels.iter().position(|l| l == label).map(|i| (i, None))
        }
        (Type::Option(_), Val::Option(None)) => Some((0, None)),
        (Type::Option(_), Val::Option(Some(p))) => Some((1, Some(&**p))),
        (Type::Result { .. }, Val::Result(Ok(p))) => Some((0, p.as_deref())),
        (Type::Result { .. }, Val::Result(Err(p))) => Some((1, p.as_deref())),
        _ => None,
    };
    let (i, payload) = found.ok_or_else(|| mismatch(v, t))?;
    if cases(t)[i].is_some() != payload.is_some() {
        return Err(Error::TypeMismatch(format!("payload of case {i} of `{t}`")));
    }
    Ok((i, payload))
}

/// CanonicalABI.md: `store_variant`.
pub fn store_variant(cx: &mut LiftLowerContext<'_>, v: &Val, mut ptr: u64, t: &Type) -> Result<()> {
    let cs = cases(t);
    let (case_index, case_value) = match_case(v, t)?;
    let disc_size = elem_size(&discriminant_type(cs.len()), cx.ptr_type) as u64;
    cx.store_int(case_index as u64, ptr, disc_size as usize)?;
    ptr += disc_size;
    ptr = align_to(ptr, max_case_alignment(&cs, cx.ptr_type));
    if let (Some(ct), Some(cv)) = (cs[case_index], case_value) {
        store(cx, cv, ct, ptr)?;
    }
    Ok(())
}

/// CanonicalABI.md: `pack_flags_into_int`, as 32-bit words.
pub fn pack_flags_into_words(set: &[String], labels: &[String]) -> Result<Vec<u32>> {
    let mut words = vec![0u32; labels.len().div_ceil(32)];
    for s in set {
        let i = labels
            .iter()
            .position(|l| l == s)
            .ok_or_else(|| Error::TypeMismatch(format!("unknown flag `{s}`")))?;
        words[i / 32] |= 1 << (i % 32);
    }
    Ok(words)
}

/// CanonicalABI.md: `store_flags`.
pub fn store_flags(
    cx: &mut LiftLowerContext<'_>,
    set: &[String],
    ptr: u64,
    labels: &[String],
) -> Result<()> {
    let words = pack_flags_into_words(set, labels)?;
    let size = elem_size_flags(labels.len()) as u64;
    for (k, w) in words.iter().enumerate() {
        let off = 4 * k as u64;
        cx.store_int(*w as u64, ptr + off, (size - off).min(4) as usize)?;
    }
    Ok(())
}
