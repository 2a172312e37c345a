//! CanonicalABI.md: "Flat Lowering" and "Lifting and Lowering Values" (the lowering half).

use super::flatten::{
    align_to, alignment, cases, elem_size, flatten_type, flatten_types, CoreType,
};
use super::lift::ValueIter;
use super::store::{
    char_to_i32, encode_float_as_i32, encode_float_as_i64, match_case, mismatch,
    pack_flags_into_words, record_values, store, store_list_into_range,
};
use super::string::store_string;
use super::LiftLowerContext;
use crate::error::{trap_if, Error, Result};
use crate::resources::{ResourceAny, ResourceHandle};
use crate::types::{ResourceId, Type};
use crate::val::Val;
use weft_interp::Val as Core;

fn i32v(x: u64) -> Core {
    Core::I32(x as u32 as i32)
}

/// CanonicalABI.md: `lower_flat`.
pub fn lower_flat(cx: &mut LiftLowerContext<'_>, v: &Val, t: &Type) -> Result<Vec<Core>> {
    Ok(match (t, v) {
        (Type::Bool, Val::Bool(b)) => vec![i32v(*b as u64)],
        (Type::U8, Val::U8(i)) => vec![i32v(*i as u64)],
        (Type::U16, Val::U16(i)) => vec![i32v(*i as u64)],
        (Type::U32, Val::U32(i)) => vec![i32v(*i as u64)],
        (Type::U64, Val::U64(i)) => vec![Core::I64(*i as i64)],
        // CanonicalABI.md: `lower_flat_signed` — sign-extended to the core width.
        (Type::S8, Val::S8(i)) => vec![Core::I32(*i as i32)],
        (Type::S16, Val::S16(i)) => vec![Core::I32(*i as i32)],
        (Type::S32, Val::S32(i)) => vec![Core::I32(*i)],
        (Type::S64, Val::S64(i)) => vec![Core::I64(*i)],
        (Type::Float32, Val::Float32(f)) => vec![Core::F32(encode_float_as_i32(*f))],
        (Type::Float64, Val::Float64(f)) => vec![Core::F64(encode_float_as_i64(*f))],
        (Type::Char, Val::Char(c)) => vec![i32v(char_to_i32(*c) as u64)],
        (Type::String, Val::String(s)) => {
            let (ptr, packed_length) = store_string(cx, s)?;
            let packed_length = cx.retag(packed_length);
            vec![
                core_of(cx.ptr_type, ptr),
                core_of(cx.ptr_type, packed_length),
            ]
        }
        (Type::List(et), Val::List(vs)) => {
            let (ptr, length) = store_list_into_range(cx, vs, et)?;
            vec![core_of(cx.ptr_type, ptr), core_of(cx.ptr_type, length)]
        }
        (Type::FixedList(et, n), Val::List(vs)) if vs.len() as u64 == u64::from(*n) => {
            let mut flat = Vec::new();
            for e in vs {
                flat.extend(lower_flat(cx, e, et)?);
            }
            flat
        }
        (Type::Map(k, v), Val::Map(entries)) => {
            let (ptr, length) = super::store::store_map_into_range(cx, entries, k, v)?;
            vec![core_of(cx.ptr_type, ptr), core_of(cx.ptr_type, length)]
        }
        (Type::Record(_) | Type::Tuple(_), _) => {
            let mut flat = Vec::new();
            for (ft, fv) in t
                .record_fields()
                .unwrap_or_default()
                .into_iter()
                .zip(record_values(v, t)?)
            {
                flat.extend(lower_flat(cx, fv, ft)?);
            }
            flat
        }
        (Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. }, _) => {
            lower_flat_variant(cx, v, t)?
        }
        (Type::Flags(labels), Val::Flags(set)) => pack_flags_into_words(set, labels)?
            .into_iter()
            .map(|w| i32v(w as u64))
            .collect(),
        (Type::Own(r), Val::Resource(res)) => vec![i32v(lower_own(cx, res, r)? as u64)],
        (Type::Borrow(r), Val::Resource(res)) => vec![i32v(lower_borrow(cx, res, r)? as u64)],
        _ => return Err(mismatch(v, t)),
    })
}

fn bits(v: &Core) -> u64 {
    match v {
        Core::I32(x) => *x as u32 as u64,
        Core::I64(x) => *x as u64,
        Core::F32(x) => *x as u64,
        Core::F64(x) => *x,
        _ => 0,
    }
}

pub(crate) fn core_of(t: CoreType, bits: u64) -> Core {
    match t {
        CoreType::I32 => i32v(bits),
        CoreType::I64 => Core::I64(bits as i64),
        CoreType::F32 => Core::F32(bits as u32),
        CoreType::F64 => Core::F64(bits),
    }
}

/// CanonicalABI.md: `lower_flat_variant` — the payload is widened to the joined flat types
/// (bits kept; `i32`/`f32` zero-extended into `i64`) and padded with zeros.
pub fn lower_flat_variant(cx: &mut LiftLowerContext<'_>, v: &Val, t: &Type) -> Result<Vec<Core>> {
    let (case_index, case_value) = match_case(v, t)?;
    let mut flat_types = flatten_type(t, cx.ptr_type);
    flat_types.remove(0);
    let payload = match (cases(t)[case_index], case_value) {
        (Some(ct), Some(cv)) => lower_flat(cx, cv, ct)?,
        _ => Vec::new(),
    };
    let mut out = vec![i32v(case_index as u64)];
    for (i, want) in flat_types.into_iter().enumerate() {
        out.push(core_of(want, payload.get(i).map_or(0, bits)));
    }
    Ok(out)
}

/// CanonicalABI.md: `lower_own` — a new owned handle in the lowering instance's table.
pub fn lower_own(cx: &mut LiftLowerContext<'_>, res: &ResourceAny, r: &ResourceId) -> Result<u32> {
    let rt = cx.resource_type(r)?;
    if res.ty != rt || !res.own {
        return Err(Error::TypeMismatch(format!(
            "expected an own of {rt:?}, found {res:?}"
        )));
    }
    res.take()?;
    let mut st = cx.inst.lock();
    st.add(ResourceHandle {
        rt: rt.clone(),
        rep: res.rep,
        own: true,
        borrow_scope: None,
        num_lends: 0,
    })
}

/// CanonicalABI.md: `lower_borrow` — the defining instance gets the `rep` itself; any other
/// gets a borrow handle counted in the call's borrow scope.
pub fn lower_borrow(
    cx: &mut LiftLowerContext<'_>,
    res: &ResourceAny,
    r: &ResourceId,
) -> Result<u32> {
    let rt = cx.resource_type(r)?;
    if res.ty != rt {
        return Err(Error::TypeMismatch(format!(
            "expected a borrow of {rt:?}, found {res:?}"
        )));
    }
    res.check_live()?;
    let mut st = cx.inst.lock();
    if rt.impl_instance() == Some(st.id) {
        return Ok(res.rep);
    }
    let scope = cx.call.scope;
    if let Some(n) = st.borrow_count_mut(scope) {
        *n += 1;
    }
    st.add(ResourceHandle {
        rt: rt.clone(),
        rep: res.rep,
        own: false,
        borrow_scope: Some(scope),
        num_lends: 0,
    })
}

/// CanonicalABI.md: `lower_flat_values` — more than `max_flat` core values are spilled: into
/// memory from `realloc` (`out_param` is `None`) or through the pointer in `out_param`.
pub fn lower_flat_values(
    cx: &mut LiftLowerContext<'_>,
    max_flat: usize,
    vs: &[Val],
    ts: &[Type],
    out_param: Option<&mut dyn ValueIter>,
) -> Result<Vec<Core>> {
    if vs.len() != ts.len() {
        return Err(Error::TypeMismatch(format!(
            "expected {} values, found {}",
            ts.len(),
            vs.len()
        )));
    }
    let flat_types = flatten_types(ts, cx.ptr_type);
    if flat_types.len() > max_flat {
        let tuple_type = Type::Tuple(ts.to_vec());
        let tuple_value = Val::Tuple(vs.to_vec());
        let (align, size) = (
            alignment(&tuple_type, cx.ptr_type),
            elem_size(&tuple_type, cx.ptr_type) as u64,
        );
        // CanonicalABI.md: `lower_heap_values` — a pointer from `realloc` is returned as the
        // one flat value; a pointer the caller passed in yields no flat values.
        let (ptr, flat_vals) = match out_param {
            None => {
                let ptr = cx.realloc(0, 0, align, size)?;
                (ptr, vec![core_of(cx.ptr_type, ptr)])
            }
            Some(out) => (out.next(cx.ptr_type)?, vec![]),
        };
        trap_if(ptr != align_to(ptr, align), "unaligned pointer")?;
        trap_if(
            ptr.saturating_add(size) > cx.memory_len()?,
            "pointer out of bounds",
        )?;
        store(cx, &tuple_value, &tuple_type, ptr)?;
        Ok(flat_vals)
    } else {
        let mut flat_vals = Vec::new();
        for (v, t) in vs.iter().zip(ts) {
            flat_vals.extend(lower_flat(cx, v, t)?);
        }
        Ok(flat_vals)
    }
}
