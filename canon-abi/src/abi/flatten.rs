//! CanonicalABI.md: "Alignment", "Element Size", "Flattening".

use crate::types::{FuncType, Type};

/// CanonicalABI.md: `MAX_FLAT_PARAMS`.
pub const MAX_FLAT_PARAMS: usize = 16;
/// CanonicalABI.md: `MAX_FLAT_RESULTS`.
pub const MAX_FLAT_RESULTS: usize = 1;

/// A core value type a component value flattens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoreType {
    /// `i32`
    #[default]
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl CoreType {
    /// The core interpreter's value type.
    pub fn to_interp(self) -> weft_interp::ValType {
        match self {
            CoreType::I32 => weft_interp::ValType::I32,
            CoreType::I64 => weft_interp::ValType::I64,
            CoreType::F32 => weft_interp::ValType::F32,
            CoreType::F64 => weft_interp::ValType::F64,
        }
    }
}

/// CanonicalABI.md: `ptr_size` — the bytes of a pointer (and of a length) in a memory whose
/// addresses are `pt` (`i32`, or `i64` for a 64-bit memory, 🐘).
pub fn ptr_size(pt: CoreType) -> u32 {
    match pt {
        CoreType::I64 => 8,
        _ => 4,
    }
}

/// CanonicalABI.md: `align_to`.
/// Saturates instead of overflowing: a pointer that close to 2^64 is out of bounds anyway.
pub fn align_to(ptr: u64, alignment: u32) -> u64 {
    ptr.div_ceil(alignment as u64)
        .saturating_mul(alignment as u64)
}

/// CanonicalABI.md: `alignment` (`pt`: the memory's pointer type).
pub fn alignment(t: &Type, pt: CoreType) -> u32 {
    match t {
        Type::Bool | Type::S8 | Type::U8 => 1,
        Type::S16 | Type::U16 => 2,
        Type::S32 | Type::U32 | Type::Float32 | Type::Char => 4,
        Type::S64 | Type::U64 | Type::Float64 => 8,
        Type::String | Type::List(_) | Type::Map(..) => ptr_size(pt),
        Type::FixedList(t, _) => alignment(t, pt),
        Type::Record(_) | Type::Tuple(_) => alignment_record(&fields(t), pt),
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
            alignment_variant(&cases(t), pt)
        }
        Type::Flags(labels) => alignment_flags(labels.len()),
        Type::Own(_) | Type::Borrow(_) => 4,
    }
}

/// The field types of a record-like type (CanonicalABI.md: `despecialize`).
pub(crate) fn fields(t: &Type) -> Vec<&Type> {
    t.record_fields().unwrap_or_default()
}

/// The case payload types of a variant-like type (CanonicalABI.md: `despecialize`).
pub(crate) fn cases(t: &Type) -> Vec<Option<&Type>> {
    t.variant_cases().unwrap_or_default()
}

/// CanonicalABI.md: `alignment_record`.
pub fn alignment_record(fields: &[&Type], pt: CoreType) -> u32 {
    fields
        .iter()
        .map(|f| alignment(f, pt))
        .max()
        .unwrap_or(1)
        .max(1)
}

/// CanonicalABI.md: `alignment_variant`.
pub fn alignment_variant(cases: &[Option<&Type>], pt: CoreType) -> u32 {
    alignment(&discriminant_type(cases.len()), pt).max(max_case_alignment(cases, pt))
}

/// CanonicalABI.md: `discriminant_type` — the smallest unsigned integer that holds the case
/// index.
pub fn discriminant_type(n: usize) -> Type {
    if n <= 1 << 8 {
        Type::U8
    } else if n <= 1 << 16 {
        Type::U16
    } else {
        Type::U32
    }
}

/// CanonicalABI.md: `max_case_alignment`.
pub fn max_case_alignment(cases: &[Option<&Type>], pt: CoreType) -> u32 {
    cases
        .iter()
        .flatten()
        .map(|t| alignment(t, pt))
        .max()
        .unwrap_or(1)
        .max(1)
}

/// CanonicalABI.md: `alignment_flags`.
pub fn alignment_flags(n: usize) -> u32 {
    if n <= 8 {
        1
    } else if n <= 16 {
        2
    } else {
        4
    }
}

/// CanonicalABI.md: `elem_size` (`pt`: the memory's pointer type).
pub fn elem_size(t: &Type, pt: CoreType) -> u32 {
    match t {
        Type::Bool | Type::S8 | Type::U8 => 1,
        Type::S16 | Type::U16 => 2,
        Type::S32 | Type::U32 | Type::Float32 | Type::Char => 4,
        Type::S64 | Type::U64 | Type::Float64 => 8,
        Type::String | Type::List(_) | Type::Map(..) => 2 * ptr_size(pt),
        // Validation keeps this below 2^28 (CanonicalABI.md: "element size").
        Type::FixedList(t, n) => elem_size(t, pt).saturating_mul(*n),
        Type::Record(_) | Type::Tuple(_) => elem_size_record(&fields(t), pt),
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
            elem_size_variant(&cases(t), pt)
        }
        Type::Flags(labels) => elem_size_flags(labels.len()),
        Type::Own(_) | Type::Borrow(_) => 4,
    }
}

/// CanonicalABI.md: `elem_size_record`.
pub fn elem_size_record(fields: &[&Type], pt: CoreType) -> u32 {
    let mut s = 0u64;
    for f in fields {
        s = align_to(s, alignment(f, pt));
        s += elem_size(f, pt) as u64;
    }
    align_to(s, alignment_record(fields, pt)) as u32
}

/// CanonicalABI.md: `elem_size_variant`.
pub fn elem_size_variant(cases: &[Option<&Type>], pt: CoreType) -> u32 {
    let mut s = elem_size(&discriminant_type(cases.len()), pt) as u64;
    s = align_to(s, max_case_alignment(cases, pt));
    let cs = cases
        .iter()
        .flatten()
        .map(|t| elem_size(t, pt))
        .max()
        .unwrap_or(0);
    s += cs as u64;
    align_to(s, alignment_variant(cases, pt)) as u32
}

/// CanonicalABI.md: `elem_size_flags`.
pub fn elem_size_flags(n: usize) -> u32 {
    if n == 0 {
        0
    } else if n <= 8 {
        1
    } else if n <= 16 {
        2
    } else {
        4 * num_i32_flags(n)
    }
}

/// CanonicalABI.md: `num_i32_flags`.
pub fn num_i32_flags(n: usize) -> u32 {
    n.div_ceil(32) as u32
}

/// Whether a function type is flattened for `canon lift` or `canon lower`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// `canon lift`: spilled results are returned as a pointer.
    Lift,
    /// `canon lower`: spilled results are written through a pointer parameter.
    Lower,
}

/// CanonicalABI.md: `flatten_functype` — the core signature of a lifted or lowered function
/// whose memory has pointer type `pt` (spilled values are passed by a pointer of that type).
pub fn flatten_functype(
    ft: &FuncType,
    context: Context,
    pt: CoreType,
) -> (Vec<CoreType>, Vec<CoreType>) {
    let mut flat_params = flatten_types(&ft.param_types(), pt);
    if flat_params.len() > MAX_FLAT_PARAMS {
        flat_params = vec![pt];
    }
    let mut flat_results = flatten_types(ft.result_types(), pt);
    if flat_results.len() > MAX_FLAT_RESULTS {
        match context {
            Context::Lift => flat_results = vec![pt],
            Context::Lower => {
                flat_params.push(pt);
                flat_results = vec![];
            }
        }
    }
    (flat_params, flat_results)
}

/// CanonicalABI.md: `flatten_types`.
pub fn flatten_types(ts: &[Type], pt: CoreType) -> Vec<CoreType> {
    ts.iter().flat_map(|t| flatten_type(t, pt)).collect()
}

/// CanonicalABI.md: `flatten_type` (`pt`: the memory's pointer type).
pub fn flatten_type(t: &Type, pt: CoreType) -> Vec<CoreType> {
    match t {
        Type::Bool
        | Type::S8
        | Type::U8
        | Type::S16
        | Type::U16
        | Type::S32
        | Type::U32
        | Type::Char => vec![CoreType::I32],
        Type::S64 | Type::U64 => vec![CoreType::I64],
        Type::Float32 => vec![CoreType::F32],
        Type::Float64 => vec![CoreType::F64],
        Type::String | Type::List(_) | Type::Map(..) => vec![pt, pt],
        Type::FixedList(t, n) => {
            // `flatten_type(t) * n`, cut short past `MAX_FLAT_PARAMS`: a longer flattening
            // is only ever compared with the limits (and then spilled), so where it is cut
            // cannot be observed, and a list of 2^28 elements flattens in constant space.
            let one = flatten_type(t, pt);
            let keep = (*n as usize).min(super::MAX_FLAT_PARAMS + 1);
            one.iter()
                .copied()
                .cycle()
                .take(one.len() * keep)
                .take(super::MAX_FLAT_PARAMS + 1)
                .collect()
        }
        Type::Record(_) | Type::Tuple(_) => flatten_record(&fields(t), pt),
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result { .. } => {
            flatten_variant(&cases(t), pt)
        }
        Type::Flags(labels) => vec![CoreType::I32; num_i32_flags(labels.len()) as usize],
        Type::Own(_) | Type::Borrow(_) => vec![CoreType::I32],
    }
}

/// CanonicalABI.md: `flatten_record`.
pub fn flatten_record(fields: &[&Type], pt: CoreType) -> Vec<CoreType> {
    fields.iter().flat_map(|f| flatten_type(f, pt)).collect()
}

/// CanonicalABI.md: `flatten_variant` — the discriminant, then the per-position `join` of
/// every case's flattening.
pub fn flatten_variant(cases: &[Option<&Type>], pt: CoreType) -> Vec<CoreType> {
    let mut flat: Vec<CoreType> = Vec::new();
    for t in cases.iter().flatten() {
        for (i, ft) in flatten_type(t, pt).into_iter().enumerate() {
            if i < flat.len() {
                flat[i] = join(flat[i], ft);
            } else {
                flat.push(ft);
            }
        }
    }
    let mut out = flatten_type(&discriminant_type(cases.len()), pt);
    out.extend(flat);
    out
}

/// CanonicalABI.md: `join`.
pub fn join(a: CoreType, b: CoreType) -> CoreType {
    use CoreType::*;
    match (a, b) {
        _ if a == b => a,
        (I32, F32) | (F32, I32) => I32,
        _ => I64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CoreType::*;

    fn rec(ts: Vec<Type>) -> Type {
        Type::Tuple(ts)
    }

    #[test]
    fn fixed_length_lists_and_maps() {
        let l = |t: Type, n| Type::FixedList(Box::new(t), n);
        let map = Type::Map(Box::new(Type::String), Box::new(Type::U8));
        // In place, like a tuple of `n` elements.
        assert_eq!(
            (
                elem_size(&l(Type::U8, 3), I32),
                alignment(&l(Type::U8, 3), I32)
            ),
            (3, 1)
        );
        assert_eq!(
            (
                elem_size(&l(Type::U64, 2), I32),
                alignment(&l(Type::U64, 2), I32)
            ),
            (16, 8)
        );
        assert_eq!(elem_size(&l(Type::String, 2), I64), 32);
        assert_eq!(flatten_type(&l(Type::U32, 2), I32), vec![I32, I32]);
        assert_eq!(flatten_type(&l(Type::Float64, 0), I32), vec![]);
        // A map has the ABI of `list<tuple<K, V>>`: a pointer and a length.
        assert_eq!((elem_size(&map, I32), alignment(&map, I32)), (8, 4));
        assert_eq!(flatten_type(&map, I64), vec![I64, I64]);
        // Past MAX_FLAT_PARAMS the flattening is cut short, but still too long to pass flat.
        let big = flatten_type(&l(Type::U8, 1 << 27), I32);
        assert!(big.len() > super::super::MAX_FLAT_PARAMS);
        assert!(big.len() <= super::super::MAX_FLAT_PARAMS + 1);
        let tuple = Type::Tuple(vec![Type::U8; 16]);
        assert_eq!(
            flatten_type(&l(Type::U8, 16), I32),
            flatten_type(&tuple, I32)
        );
        let nested = l(Type::Tuple(vec![Type::U8, Type::Float32]), 9);
        assert_eq!(flatten_type(&nested, I32).len(), 17);
    }

    #[test]
    fn sizes_and_alignments() {
        assert_eq!(
            (elem_size(&Type::Bool, I32), alignment(&Type::Bool, I32)),
            (1, 1)
        );
        assert_eq!(
            (elem_size(&Type::String, I32), alignment(&Type::String, I32)),
            (8, 4)
        );
        let t = rec(vec![Type::U8, Type::U64, Type::U16]);
        assert_eq!((elem_size(&t, I32), alignment(&t, I32)), (24, 8));
        let o = Type::Option(Box::new(Type::U32));
        assert_eq!((elem_size(&o, I32), alignment(&o, I32)), (8, 4));
        let r = Type::Result {
            ok: None,
            err: None,
        };
        assert_eq!((elem_size(&r, I32), alignment(&r, I32)), (1, 1));
        let e = Type::Enum((0..257).map(|i| i.to_string()).collect());
        assert_eq!((elem_size(&e, I32), alignment(&e, I32)), (2, 2));
        for (n, s, a) in [
            (0, 0, 1),
            (8, 1, 1),
            (9, 2, 2),
            (17, 4, 4),
            (33, 8, 4),
            (64, 8, 4),
            (65, 12, 4),
        ] {
            let f = Type::Flags((0..n).map(|i| i.to_string()).collect());
            assert_eq!(
                (elem_size(&f, I32), alignment(&f, I32)),
                (s, a),
                "flags({n})"
            );
        }
        assert_eq!(elem_size(&rec(vec![]), I32), 0);
    }

    #[test]
    fn flatten_variant_joins_cases() {
        let v = Type::Variant(vec![
            ("a".into(), Some(Type::Float32)),
            ("b".into(), Some(Type::U32)),
            ("c".into(), None),
        ]);
        assert_eq!(flatten_type(&v, I32), vec![I32, I32]);
        let v = Type::Result {
            ok: Some(Box::new(Type::Float32)),
            err: Some(Box::new(Type::Float64)),
        };
        assert_eq!(flatten_type(&v, I32), vec![I32, I64]);
        let v = Type::Result {
            ok: Some(Box::new(rec(vec![Type::U8, Type::Float32]))),
            err: Some(Box::new(Type::String)),
        };
        assert_eq!(flatten_type(&v, I32), vec![I32, I32, I32]);
        let v = Type::Option(Box::new(Type::U64));
        assert_eq!(flatten_type(&v, I32), vec![I32, I64]);
        let f = Type::Flags((0..40).map(|i| i.to_string()).collect());
        assert_eq!(flatten_type(&f, I32), vec![I32, I32]);
    }

    #[test]
    fn flatten_functype_spills() {
        let many = FuncType {
            params: (0..17).map(|i| (format!("p{i}"), Type::U32)).collect(),
            results: vec![Type::String],
        };
        assert_eq!(
            flatten_functype(&many, Context::Lift, I32),
            (vec![I32], vec![I32])
        );
        assert_eq!(
            flatten_functype(&many, Context::Lower, I32),
            (vec![I32, I32], vec![])
        );
        let few = FuncType {
            params: vec![("a".into(), Type::U64)],
            results: vec![Type::Float32],
        };
        assert_eq!(
            flatten_functype(&few, Context::Lower, I32),
            (vec![I64], vec![F32])
        );
    }
}
