//! Component value types and function types (Explainer.md: "Type definitions"), built from
//! the types `wasmparser`'s validator computes.

use crate::error::{Error, Result};
use core::fmt;
use wasmparser::component_types::{
    ComponentDefinedType, ComponentFuncType, ComponentValType as WpValType,
};
use wasmparser::types::TypesRef;
use wasmparser::PrimitiveValType;

/// The static identity of a resource type inside a [`Component`](crate::Component) (as the
/// validator assigns it). Each instantiation binds it to a runtime
/// [`ResourceType`](crate::ResourceType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResourceId(pub(crate) wasmparser::component_types::ResourceId);

/// A component value type (`valtype`), with the specialised types kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `bool`
    Bool,
    /// `s8`
    S8,
    /// `u8`
    U8,
    /// `s16`
    S16,
    /// `u16`
    U16,
    /// `s32`
    S32,
    /// `u32`
    U32,
    /// `s64`
    S64,
    /// `u64`
    U64,
    /// `f32`
    Float32,
    /// `f64`
    Float64,
    /// `char`
    Char,
    /// `string`
    String,
    /// `list<T>`
    List(Box<Type>),
    /// `list<T, N>` (🔧 fixed-length list, behind
    /// [`Config::component_model_fixed_length_lists`](weft_interp::Config)): exactly `N`
    /// elements, laid out and flattened in place like a tuple of `N` `T`s. Its values are
    /// [`Val::List`](crate::Val::List)s of length `N`.
    FixedList(Box<Type>, u32),
    /// `map<K, V>` (🗺️): key-value pairs in order, with the canonical ABI of
    /// `list<tuple<K, V>>`. Its values are [`Val::Map`](crate::Val::Map)s.
    Map(Box<Type>, Box<Type>),
    /// `record { label: T, ... }`
    Record(Vec<(String, Type)>),
    /// `tuple<T, ...>`
    Tuple(Vec<Type>),
    /// `variant { case(T?), ... }`
    Variant(Vec<(String, Option<Type>)>),
    /// `enum { label, ... }`
    Enum(Vec<String>),
    /// `option<T>`
    Option(Box<Type>),
    /// `result<T?, E?>`
    Result {
        /// The `ok` payload type.
        ok: Option<Box<Type>>,
        /// The `error` payload type.
        err: Option<Box<Type>>,
    },
    /// `flags { label, ... }`
    Flags(Vec<String>),
    /// `own<R>`
    Own(ResourceId),
    /// `borrow<R>`
    Borrow(ResourceId),
}

impl Type {
    /// The cases of a variant-like type after CanonicalABI.md's `despecialize` (`enum`,
    /// `option` and `result` are variants), or `None` for other types.
    pub fn variant_cases(&self) -> Option<Vec<Option<&Type>>> {
        Some(match self {
            Type::Variant(cases) => cases.iter().map(|(_, t)| t.as_ref()).collect(),
            Type::Enum(labels) => vec![None; labels.len()],
            Type::Option(t) => vec![None, Some(&**t)],
            Type::Result { ok, err } => vec![ok.as_deref(), err.as_deref()],
            _ => return None,
        })
    }

    /// The field types of a record-like type after `despecialize` (`tuple` is a record), or
    /// `None` for other types.
    pub fn record_fields(&self) -> Option<Vec<&Type>> {
        Some(match self {
            Type::Record(fields) => fields.iter().map(|(_, t)| t).collect(),
            Type::Tuple(ts) => ts.iter().collect(),
            _ => return None,
        })
    }

    /// Structural equality, with resource types compared only as own/borrow (their
    /// identity is checked when handles cross, by the handle tables).
    pub fn same_shape(&self, other: &Type) -> bool {
        let opt = |a: &Option<Box<Type>>, b: &Option<Box<Type>>| match (a, b) {
            (Some(a), Some(b)) => a.same_shape(b),
            (None, None) => true,
            _ => false,
        };
        match (self, other) {
            (Type::List(a), Type::List(b)) | (Type::Option(a), Type::Option(b)) => a.same_shape(b),
            (Type::FixedList(a, n), Type::FixedList(b, m)) => n == m && a.same_shape(b),
            (Type::Map(k, v), Type::Map(l, w)) => k.same_shape(l) && v.same_shape(w),
            (Type::Record(a), Type::Record(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((l, x), (m, y))| l == m && x.same_shape(y))
            }
            (Type::Tuple(a), Type::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_shape(y))
            }
            (Type::Variant(a), Type::Variant(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b).all(|((l, x), (m, y))| {
                        l == m
                            && match (x, y) {
                                (Some(x), Some(y)) => x.same_shape(y),
                                (None, None) => true,
                                _ => false,
                            }
                    })
            }
            (Type::Result { ok: a, err: b }, Type::Result { ok: c, err: d }) => {
                opt(a, c) && opt(b, d)
            }
            (Type::Own(_), Type::Own(_)) | (Type::Borrow(_), Type::Borrow(_)) => true,
            _ => self == other,
        }
    }

    /// Converts a type as the validator gives it.
    pub(crate) fn from_wasmparser(types: TypesRef<'_>, ty: &WpValType) -> Result<Type> {
        let id = match ty {
            WpValType::Primitive(p) => return primitive(*p),
            WpValType::Type(id) => *id,
        };
        let conv = |t: &WpValType| Type::from_wasmparser(types, t);
        Ok(match &types[id] {
            ComponentDefinedType::Primitive(p) => primitive(*p)?,
            ComponentDefinedType::Record(r) => Type::Record(
                r.fields
                    .iter()
                    .map(|(l, t)| Ok((l.to_string(), conv(t)?)))
                    .collect::<Result<_>>()?,
            ),
            ComponentDefinedType::Variant(v) => Type::Variant(
                v.cases
                    .iter()
                    .map(|(l, c)| Ok((l.to_string(), c.ty.as_ref().map(conv).transpose()?)))
                    .collect::<Result<_>>()?,
            ),
            ComponentDefinedType::List { element, .. } => Type::List(Box::new(conv(element)?)),
            ComponentDefinedType::Tuple(t) => {
                Type::Tuple(t.types.iter().map(conv).collect::<Result<_>>()?)
            }
            ComponentDefinedType::Flags(l) => {
                Type::Flags(l.iter().map(|l| l.to_string()).collect())
            }
            ComponentDefinedType::Enum(l) => Type::Enum(l.iter().map(|l| l.to_string()).collect()),
            ComponentDefinedType::Option { ty, .. } => Type::Option(Box::new(conv(ty)?)),
            ComponentDefinedType::Result { ok, err, .. } => Type::Result {
                ok: ok.as_ref().map(|t| conv(t).map(Box::new)).transpose()?,
                err: err.as_ref().map(|t| conv(t).map(Box::new)).transpose()?,
            },
            ComponentDefinedType::Own(r) => Type::Own(ResourceId(r.resource())),
            ComponentDefinedType::Borrow(r) => Type::Borrow(ResourceId(r.resource())),
            ComponentDefinedType::Map { key, value, .. } => {
                Type::Map(Box::new(conv(key)?), Box::new(conv(value)?))
            }
            ComponentDefinedType::FixedLengthList {
                element, length, ..
            } => Type::FixedList(Box::new(conv(element)?), *length),
            ComponentDefinedType::Future { .. } => return Err(unsupported("future (Preview 3)")),
            ComponentDefinedType::Stream { .. } => return Err(unsupported("stream (Preview 3)")),
        })
    }
}

fn unsupported(what: &str) -> Error {
    Error::Unsupported(format!("component value type `{what}`"))
}

fn primitive(p: PrimitiveValType) -> Result<Type> {
    Ok(match p {
        PrimitiveValType::Bool => Type::Bool,
        PrimitiveValType::S8 => Type::S8,
        PrimitiveValType::U8 => Type::U8,
        PrimitiveValType::S16 => Type::S16,
        PrimitiveValType::U16 => Type::U16,
        PrimitiveValType::S32 => Type::S32,
        PrimitiveValType::U32 => Type::U32,
        PrimitiveValType::S64 => Type::S64,
        PrimitiveValType::U64 => Type::U64,
        PrimitiveValType::F32 => Type::Float32,
        PrimitiveValType::F64 => Type::Float64,
        PrimitiveValType::Char => Type::Char,
        PrimitiveValType::String => Type::String,
        PrimitiveValType::ErrorContext => {
            return Err(Error::Unsupported("`error-context` (Preview 3)".into()))
        }
    })
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, items: &[String]| f.write_str(&items.join(", "));
        match self {
            Type::Bool => f.write_str("bool"),
            Type::S8 => f.write_str("s8"),
            Type::U8 => f.write_str("u8"),
            Type::S16 => f.write_str("s16"),
            Type::U16 => f.write_str("u16"),
            Type::S32 => f.write_str("s32"),
            Type::U32 => f.write_str("u32"),
            Type::S64 => f.write_str("s64"),
            Type::U64 => f.write_str("u64"),
            Type::Float32 => f.write_str("f32"),
            Type::Float64 => f.write_str("f64"),
            Type::Char => f.write_str("char"),
            Type::String => f.write_str("string"),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::FixedList(t, n) => write!(f, "list<{t}, {n}>"),
            Type::Map(k, v) => write!(f, "map<{k}, {v}>"),
            Type::Record(fs) => {
                f.write_str("record { ")?;
                list(
                    f,
                    &fs.iter()
                        .map(|(l, t)| format!("{l}: {t}"))
                        .collect::<Vec<_>>(),
                )?;
                f.write_str(" }")
            }
            Type::Tuple(ts) => {
                f.write_str("tuple<")?;
                list(f, &ts.iter().map(|t| t.to_string()).collect::<Vec<_>>())?;
                f.write_str(">")
            }
            Type::Variant(cs) => {
                f.write_str("variant { ")?;
                let cs: Vec<String> = cs
                    .iter()
                    .map(|(l, t)| match t {
                        Some(t) => format!("{l}({t})"),
                        None => l.clone(),
                    })
                    .collect();
                list(f, &cs)?;
                f.write_str(" }")
            }
            Type::Enum(ls) => write!(f, "enum {{ {} }}", ls.join(", ")),
            Type::Flags(ls) => write!(f, "flags {{ {} }}", ls.join(", ")),
            Type::Option(t) => write!(f, "option<{t}>"),
            Type::Result { ok, err } => match (ok, err) {
                (None, None) => f.write_str("result"),
                (Some(o), None) => write!(f, "result<{o}>"),
                (None, Some(e)) => write!(f, "result<_, {e}>"),
                (Some(o), Some(e)) => write!(f, "result<{o}, {e}>"),
            },
            Type::Own(_) => f.write_str("own<resource>"),
            Type::Borrow(_) => f.write_str("borrow<resource>"),
        }
    }
}

/// A component function type: named parameters and at most one result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncType {
    /// The parameters, with their names.
    pub params: Vec<(String, Type)>,
    /// The results (zero or one).
    pub results: Vec<Type>,
}

impl FuncType {
    /// CanonicalABI.md: `param_types()`.
    pub fn param_types(&self) -> Vec<Type> {
        self.params.iter().map(|(_, t)| t.clone()).collect()
    }

    /// CanonicalABI.md: `result_types()`.
    pub fn result_types(&self) -> &[Type] {
        &self.results
    }

    /// Structural equality of parameter names and types and result types (see
    /// [`Type::same_shape`]).
    pub fn same_shape(&self, other: &FuncType) -> bool {
        self.params.len() == other.params.len()
            && self.results.len() == other.results.len()
            && self
                .params
                .iter()
                .zip(&other.params)
                .all(|((n, a), (m, b))| n == m && a.same_shape(b))
            && self
                .results
                .iter()
                .zip(&other.results)
                .all(|(a, b)| a.same_shape(b))
    }

    pub(crate) fn from_wasmparser(types: TypesRef<'_>, ft: &ComponentFuncType) -> Result<FuncType> {
        if ft.async_ {
            return Err(Error::Unsupported("async functions (Preview 3)".into()));
        }
        Ok(FuncType {
            params: ft
                .params
                .iter()
                .map(|(n, t)| Ok((n.to_string(), Type::from_wasmparser(types, t)?)))
                .collect::<Result<_>>()?,
            results: ft
                .result
                .iter()
                .map(|t| Type::from_wasmparser(types, t))
                .collect::<Result<_>>()?,
        })
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ps: Vec<String> = self
            .params
            .iter()
            .map(|(n, t)| format!("{n}: {t}"))
            .collect();
        write!(f, "func({})", ps.join(", "))?;
        if let Some(r) = self.results.first() {
            write!(f, " -> {r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_shape() {
        let t = Type::Result {
            ok: Some(Box::new(Type::List(Box::new(Type::U8)))),
            err: None,
        };
        assert_eq!(t.to_string(), "result<list<u8>>");
        let r = Type::Record(vec![
            ("a".into(), Type::Char),
            ("b".into(), Type::Tuple(vec![Type::Bool])),
        ]);
        assert_eq!(r.to_string(), "record { a: char, b: tuple<bool> }");
        assert!(r.same_shape(&r.clone()));
        let renamed = Type::Record(vec![
            ("z".into(), Type::Char),
            ("b".into(), Type::Tuple(vec![Type::Bool])),
        ]);
        assert!(!r.same_shape(&renamed));
        assert_eq!(
            Type::Enum(vec!["x".into()]).variant_cases().unwrap(),
            vec![None]
        );
        assert_eq!(
            Type::Option(Box::new(Type::U8))
                .variant_cases()
                .unwrap()
                .len(),
            2
        );
        assert!(Type::U8.record_fields().is_none());
    }
}
