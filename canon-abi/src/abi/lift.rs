//! CanonicalABI.md: "Flat Lifting" and "Lifting and Lowering Values" (the lifting half).

use super::flatten::{
    align_to, alignment, cases, elem_size, flatten_type, flatten_types, num_i32_flags, CoreType,
};
use super::load::{
    convert_i32_to_char, convert_int_to_bool, decode_i32_as_float, decode_i64_as_float, load,
    load_list_from_range, record_val, unpack_flags_from_words, variant_val,
};
use super::string::load_string_from_range;
use super::LiftLowerContext;
use crate::error::{trap_if, trap_if_with, Error, Result};
use crate::resources::ResourceAny;
use crate::types::{ResourceId, Type};
use crate::val::Val;

/// A source of flat core values, each read as its bits (`i32`/`f32` zero-extended).
pub trait ValueIter {
    /// CanonicalABI.md: `next(t)` — the next value, which must have core type `t`.
    fn next(&mut self, t: CoreType) -> Result<u64>;
}

/// CanonicalABI.md: `CoreValueIter` — iterates over core values of the interpreter.
#[derive(Debug)]
pub struct CoreValueIter<'a> {
    values: &'a [weft_interp::Val],
    i: usize,
}

impl<'a> CoreValueIter<'a> {
    /// An iterator over `values`.
    pub fn new(values: &'a [weft_interp::Val]) -> Self {
        CoreValueIter { values, i: 0 }
    }
}

impl ValueIter for CoreValueIter<'_> {
    fn next(&mut self, t: CoreType) -> Result<u64> {
        use weft_interp::Val as V;
        let v = self
            .values
            .get(self.i)
            .ok_or_else(|| Error::TypeMismatch("too few core values".into()))?;
        self.i += 1;
        match (t, v) {
            (CoreType::I32, V::I32(x)) => Ok(*x as u32 as u64),
            (CoreType::I64, V::I64(x)) => Ok(*x as u64),
            (CoreType::F32, V::F32(x)) => Ok(*x as u64),
            (CoreType::F64, V::F64(x)) => Ok(*x),
            _ => Err(Error::TypeMismatch(format!(
                "expected core {t:?}, found {:?}",
                v.ty()
            ))),
        }
    }
}

/// CanonicalABI.md: `lift_flat`.
pub fn lift_flat(cx: &mut LiftLowerContext<'_>, vi: &mut dyn ValueIter, t: &Type) -> Result<Val> {
    Ok(match t {
        Type::Bool => Val::Bool(convert_int_to_bool(vi.next(CoreType::I32)?)),
        Type::U8 => Val::U8(vi.next(CoreType::I32)? as u8),
        Type::U16 => Val::U16(vi.next(CoreType::I32)? as u16),
        Type::U32 => Val::U32(vi.next(CoreType::I32)? as u32),
        Type::U64 => Val::U64(vi.next(CoreType::I64)?),
        // CanonicalABI.md: `lift_flat_signed` — the low bits, reinterpreted as signed.
        Type::S8 => Val::S8(vi.next(CoreType::I32)? as u8 as i8),
        Type::S16 => Val::S16(vi.next(CoreType::I32)? as u16 as i16),
        Type::S32 => Val::S32(vi.next(CoreType::I32)? as u32 as i32),
        Type::S64 => Val::S64(vi.next(CoreType::I64)? as i64),
        Type::Float32 => Val::Float32(decode_i32_as_float(vi.next(CoreType::F32)? as u32)),
        Type::Float64 => Val::Float64(decode_i64_as_float(vi.next(CoreType::F64)?)),
        Type::Char => Val::Char(convert_i32_to_char(vi.next(CoreType::I32)? as u32)?),
        Type::String => lift_flat_string(cx, vi)?,
        Type::List(et) => lift_flat_list(cx, vi, et)?,
        Type::FixedList(et, n) => Val::List(
            (0..*n)
                .map(|_| lift_flat(cx, vi, et))
                .collect::<Result<_>>()?,
        ),
        Type::Map(k, v) => {
            super::map_of_entries(lift_flat_list(cx, vi, &super::map_entry_type(k, v))?)?
        }
        Type::Record(_) | Type::Tuple(_) => lift_flat_record(cx, vi, t)?,
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
            lift_flat_variant(cx, vi, t)?
        }
        Type::Flags(labels) => lift_flat_flags(vi, labels)?,
        Type::Own(r) => lift_own(cx, vi.next(CoreType::I32)? as u32, r)?,
        Type::Borrow(r) => lift_borrow(cx, vi.next(CoreType::I32)? as u32, r)?,
    })
}

/// CanonicalABI.md: `lift_flat_string`.
pub fn lift_flat_string(cx: &mut LiftLowerContext<'_>, vi: &mut dyn ValueIter) -> Result<Val> {
    let ptr = vi.next(cx.ptr_type)?;
    let packed_length = vi.next(cx.ptr_type)?;
    let packed_length = cx.untag(packed_length)?;
    Ok(Val::String(load_string_from_range(cx, ptr, packed_length)?))
}

/// CanonicalABI.md: `lift_flat_list`.
pub fn lift_flat_list(
    cx: &mut LiftLowerContext<'_>,
    vi: &mut dyn ValueIter,
    elem_type: &Type,
) -> Result<Val> {
    let ptr = vi.next(cx.ptr_type)?;
    let length = vi.next(cx.ptr_type)?;
    load_list_from_range(cx, ptr, length, elem_type)
}

/// CanonicalABI.md: `lift_flat_record`.
pub fn lift_flat_record(
    cx: &mut LiftLowerContext<'_>,
    vi: &mut dyn ValueIter,
    t: &Type,
) -> Result<Val> {
    let mut vals = Vec::new();
    for ft in t.record_fields().unwrap_or_default() {
        vals.push(lift_flat(cx, vi, ft)?);
    }
    Ok(record_val(t, vals))
}

/// CanonicalABI.md: `CoerceValueIter` in `lift_flat_variant` — reads the joined flat type
/// and converts to the type the case wants (bits are kept; 64-bit slots wrap to 32).
struct CoerceValueIter<'a> {
    vi: &'a mut dyn ValueIter,
    flat_types: std::vec::IntoIter<CoreType>,
}

impl ValueIter for CoerceValueIter<'_> {
    fn next(&mut self, want: CoreType) -> Result<u64> {
        let have = self
            .flat_types
            .next()
            .ok_or_else(|| Error::TypeMismatch("variant payload too wide".into()))?;
        let x = self.vi.next(have)?;
        Ok(match (have, want) {
            // ('i64','i32'), ('i64','f32'): `wrap_i64_to_i32`, then reinterpret.
            (CoreType::I64, CoreType::I32 | CoreType::F32) => x & 0xffff_ffff,
            _ => x,
        })
    }
}

/// CanonicalABI.md: `lift_flat_variant` — traps on a case index past the last case.
pub fn lift_flat_variant(
    cx: &mut LiftLowerContext<'_>,
    vi: &mut dyn ValueIter,
    t: &Type,
) -> Result<Val> {
    let cs = cases(t);
    let mut flat_types = flatten_type(t, cx.ptr_type);
    flat_types.remove(0);
    let case_index = vi.next(CoreType::I32)?;
    trap_if_with(case_index >= cs.len() as u64, || {
        format!(
            "invalid variant discriminant: discriminant {case_index} out of range [0..{})",
            cs.len()
        )
    })?;
    let mut coerce = CoerceValueIter {
        vi,
        flat_types: flat_types.into_iter(),
    };
    let v = match cs[case_index as usize] {
        None => None,
        Some(ct) => Some(lift_flat(cx, &mut coerce, ct)?),
    };
    for have in coerce.flat_types.by_ref().collect::<Vec<_>>() {
        coerce.vi.next(have)?;
    }
    Ok(variant_val(t, case_index as usize, v))
}

/// CanonicalABI.md: `lift_flat_flags`.
pub fn lift_flat_flags(vi: &mut dyn ValueIter, labels: &[String]) -> Result<Val> {
    let mut words = Vec::new();
    for _ in 0..num_i32_flags(labels.len()) {
        words.push(vi.next(CoreType::I32)? as u32);
    }
    Ok(unpack_flags_from_words(&words, labels))
}

/// CanonicalABI.md: `lift_own` — moves the handle out of the table; traps if it is lent
/// out or is a borrow.
pub fn lift_own(cx: &mut LiftLowerContext<'_>, i: u32, r: &ResourceId) -> Result<Val> {
    let rt = cx.resource_type(r)?;
    let mut st = cx.inst.lock();
    let h = st.get(&rt, i)?;
    trap_if(
        h.num_lends != 0,
        "cannot remove owned resource while borrowed",
    )?;
    trap_if(!h.own, "cannot lift own resource from a borrow handle")?;
    let h = st.remove(&rt, i)?;
    Ok(Val::Resource(ResourceAny::new_own(rt, h.rep)))
}

/// CanonicalABI.md: `lift_borrow` — an owned handle is lent for the duration of the call.
pub fn lift_borrow(cx: &mut LiftLowerContext<'_>, i: u32, r: &ResourceId) -> Result<Val> {
    let rt = cx.resource_type(r)?;
    let mut st = cx.inst.lock();
    let h = st.get(&rt, i)?;
    if h.own {
        cx.call.track_owning_lend(&rt, i, h);
    }
    Ok(Val::Resource(ResourceAny::new_borrow(rt, h.rep)))
}

/// CanonicalABI.md: `lift_flat_values` — more than `max_flat` core values means they were
/// spilled to memory and `vi` holds a pointer to a tuple.
pub fn lift_flat_values(
    cx: &mut LiftLowerContext<'_>,
    max_flat: usize,
    vi: &mut dyn ValueIter,
    ts: &[Type],
) -> Result<Vec<Val>> {
    let flat_types = flatten_types(ts, cx.ptr_type);
    if flat_types.len() > max_flat {
        let ptr = vi.next(cx.ptr_type)?;
        let tuple_type = Type::Tuple(ts.to_vec());
        trap_if(
            ptr != align_to(ptr, alignment(&tuple_type, cx.ptr_type)),
            "unaligned pointer",
        )?;
        trap_if(
            ptr.saturating_add(elem_size(&tuple_type, cx.ptr_type) as u64) > cx.memory_len()?,
            "pointer out of bounds",
        )?;
        match load(cx, ptr, &tuple_type)? {
            Val::Tuple(vs) => Ok(vs),
            _ => Err(Error::TypeMismatch("spilled values".into())),
        }
    } else {
        ts.iter().map(|t| lift_flat(cx, vi, t)).collect()
    }
}
