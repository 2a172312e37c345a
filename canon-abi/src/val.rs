//! The component value model: [`Val`], one variant per component value type (the shape of
//! wasmtime's `component::Val`).

use crate::resources::ResourceAny;

/// A component value.
///
/// ```
/// use weft_canon_abi::Val;
/// let v = Val::Record(vec![("x".into(), Val::U32(1)), ("name".into(), Val::String("a".into()))]);
/// assert_eq!(v.to_string(), "{x: 1, name: \"a\"}");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// `bool`
    Bool(bool),
    /// `s8`
    S8(i8),
    /// `u8`
    U8(u8),
    /// `s16`
    S16(i16),
    /// `u16`
    U16(u16),
    /// `s32`
    S32(i32),
    /// `u32`
    U32(u32),
    /// `s64`
    S64(i64),
    /// `u64`
    U64(u64),
    /// `f32` (NaNs are canonicalised when they cross the ABI)
    Float32(f32),
    /// `f64` (NaNs are canonicalised when they cross the ABI)
    Float64(f64),
    /// `char` (a Unicode scalar value)
    Char(char),
    /// `string`
    String(String),
    /// `list<T>`, and `list<T, N>` (with `N` elements)
    List(Vec<Val>),
    /// `map<K, V>`: key-value pairs in order (the canonical ABI keeps duplicate keys)
    Map(Vec<(Val, Val)>),
    /// `record`, fields in declaration order with their labels
    Record(Vec<(String, Val)>),
    /// `tuple`
    Tuple(Vec<Val>),
    /// `variant`: the case label and its payload
    Variant(String, Option<Box<Val>>),
    /// `enum`: the case label
    Enum(String),
    /// `option<T>`
    Option(Option<Box<Val>>),
    /// `result<T, E>`; a missing payload type is `None`
    Result(Result<Option<Box<Val>>, Option<Box<Val>>>),
    /// `flags`: the labels that are set
    Flags(Vec<String>),
    /// `own<R>` or `borrow<R>`
    Resource(ResourceAny),
}

impl Val {
    /// A short name of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Val::Bool(_) => "bool",
            Val::S8(_) => "s8",
            Val::U8(_) => "u8",
            Val::S16(_) => "s16",
            Val::U16(_) => "u16",
            Val::S32(_) => "s32",
            Val::U32(_) => "u32",
            Val::S64(_) => "s64",
            Val::U64(_) => "u64",
            Val::Float32(_) => "f32",
            Val::Float64(_) => "f64",
            Val::Char(_) => "char",
            Val::String(_) => "string",
            Val::List(_) => "list",
            Val::Map(_) => "map",
            Val::Record(_) => "record",
            Val::Tuple(_) => "tuple",
            Val::Variant(..) => "variant",
            Val::Enum(_) => "enum",
            Val::Option(_) => "option",
            Val::Result(_) => "result",
            Val::Flags(_) => "flags",
            Val::Resource(_) => "resource",
        }
    }
}

impl core::fmt::Display for Val {
    /// A WAVE-like rendering (`{a: 1}`, `[1, 2]`, `some(x)`, `ok(y)`, ...).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        fn seq(f: &mut core::fmt::Formatter<'_>, vs: &[Val]) -> core::fmt::Result {
            for (i, v) in vs.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            Ok(())
        }
        fn payload(
            f: &mut core::fmt::Formatter<'_>,
            name: &str,
            p: &Option<Box<Val>>,
        ) -> core::fmt::Result {
            match p {
                Some(v) => write!(f, "{name}({v})"),
                None => f.write_str(name),
            }
        }
        match self {
            Val::Bool(v) => write!(f, "{v}"),
            Val::S8(v) => write!(f, "{v}"),
            Val::U8(v) => write!(f, "{v}"),
            Val::S16(v) => write!(f, "{v}"),
            Val::U16(v) => write!(f, "{v}"),
            Val::S32(v) => write!(f, "{v}"),
            Val::U32(v) => write!(f, "{v}"),
            Val::S64(v) => write!(f, "{v}"),
            Val::U64(v) => write!(f, "{v}"),
            Val::Float32(v) => write!(f, "{v}"),
            Val::Float64(v) => write!(f, "{v}"),
            Val::Char(c) => write!(f, "{c:?}"),
            Val::String(s) => write!(f, "{s:?}"),
            Val::List(vs) => {
                f.write_str("[")?;
                seq(f, vs)?;
                f.write_str("]")
            }
            Val::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            Val::Tuple(vs) => {
                f.write_str("(")?;
                seq(f, vs)?;
                f.write_str(")")
            }
            Val::Record(fs) => {
                f.write_str("{")?;
                for (i, (l, v)) in fs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{l}: {v}")?;
                }
                f.write_str("}")
            }
            Val::Variant(l, p) => payload(f, l, p),
            Val::Enum(l) => f.write_str(l),
            Val::Option(None) => f.write_str("none"),
            Val::Option(Some(v)) => write!(f, "some({v})"),
            Val::Result(Ok(p)) => payload(f, "ok", p),
            Val::Result(Err(p)) => payload(f, "err", p),
            Val::Flags(ls) => write!(f, "{{{}}}", ls.join(", ")),
            Val::Resource(r) => write!(f, "{r:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_wave_like() {
        let v = Val::List(vec![
            Val::Option(Some(Box::new(Val::Char('x')))),
            Val::Option(None),
            Val::Result(Err(Some(Box::new(Val::String("e".into()))))),
            Val::Variant("c".into(), None),
            Val::Flags(vec!["a".into(), "b".into()]),
            Val::Tuple(vec![Val::S8(-1), Val::Float64(0.5)]),
        ]);
        assert_eq!(
            v.to_string(),
            r#"[some('x'), none, err("e"), c, {a, b}, (-1, 0.5)]"#
        );
        assert_eq!(v.kind(), "list");
    }
}
