//! WAVE (the WebAssembly Value Encoding of the `wasm-wave` crate) for component values:
//! [`WaveType`] and [`WaveVal`] let `wasm-wave` parse a `--invoke` call by the export's
//! component function type and print its results.
//!
//! They are thin wrappers of Weft's [`Type`] and [`Val`] that implement `wasm-wave`'s
//! [`WasmType`] and [`WasmValue`]. Resources (`own`/`borrow`) have no WAVE form.

use std::borrow::Cow;
use wasm_wave::wasm::{WasmType, WasmTypeKind, WasmValue, WasmValueError};
use weft::component::{FuncType, Type, Val};

/// A component value type as `wasm-wave` sees it.
#[derive(Debug, Clone)]
pub struct WaveType(pub Type);

/// A component value as `wasm-wave` sees it.
#[derive(Debug, Clone)]
pub struct WaveVal(pub Val);

impl WasmType for WaveType {
    fn kind(&self) -> WasmTypeKind {
        match &self.0 {
            Type::Bool => WasmTypeKind::Bool,
            Type::S8 => WasmTypeKind::S8,
            Type::U8 => WasmTypeKind::U8,
            Type::S16 => WasmTypeKind::S16,
            Type::U16 => WasmTypeKind::U16,
            Type::S32 => WasmTypeKind::S32,
            Type::U32 => WasmTypeKind::U32,
            Type::S64 => WasmTypeKind::S64,
            Type::U64 => WasmTypeKind::U64,
            Type::Float32 => WasmTypeKind::F32,
            Type::Float64 => WasmTypeKind::F64,
            Type::Char => WasmTypeKind::Char,
            Type::String => WasmTypeKind::String,
            // A fixed-length list is written as a list; `make_list` checks its length.
            Type::List(_) | Type::FixedList(..) => WasmTypeKind::List,
            Type::Map(..) => WasmTypeKind::Map,
            Type::Record(_) => WasmTypeKind::Record,
            Type::Tuple(_) => WasmTypeKind::Tuple,
            Type::Variant(_) => WasmTypeKind::Variant,
            Type::Enum(_) => WasmTypeKind::Enum,
            Type::Option(_) => WasmTypeKind::Option,
            Type::Result { .. } => WasmTypeKind::Result,
            Type::Flags(_) => WasmTypeKind::Flags,
            Type::Own(_) | Type::Borrow(_) => WasmTypeKind::Unsupported,
        }
    }

    fn list_element_type(&self) -> Option<Self> {
        match &self.0 {
            Type::List(t) | Type::FixedList(t, _) => Some(WaveType((**t).clone())),
            _ => None,
        }
    }

    fn record_fields(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Self)> + '_> {
        match &self.0 {
            Type::Record(fields) => Box::new(
                fields
                    .iter()
                    .map(|(l, t)| (Cow::Borrowed(l.as_str()), WaveType(t.clone()))),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn tuple_element_types(&self) -> Box<dyn Iterator<Item = Self> + '_> {
        match &self.0 {
            Type::Tuple(ts) => Box::new(ts.iter().map(|t| WaveType(t.clone()))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn variant_cases(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Option<Self>)> + '_> {
        match &self.0 {
            Type::Variant(cases) => Box::new(cases.iter().map(|(l, t)| {
                (
                    Cow::Borrowed(l.as_str()),
                    t.as_ref().map(|t| WaveType(t.clone())),
                )
            })),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn enum_cases(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match &self.0 {
            Type::Enum(cases) => Box::new(cases.iter().map(|l| Cow::Borrowed(l.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn option_some_type(&self) -> Option<Self> {
        match &self.0 {
            Type::Option(t) => Some(WaveType((**t).clone())),
            _ => None,
        }
    }

    fn result_types(&self) -> Option<(Option<Self>, Option<Self>)> {
        match &self.0 {
            Type::Result { ok, err } => Some((
                ok.as_ref().map(|t| WaveType((**t).clone())),
                err.as_ref().map(|t| WaveType((**t).clone())),
            )),
            _ => None,
        }
    }

    fn flags_names(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match &self.0 {
            Type::Flags(names) => Box::new(names.iter().map(|l| Cow::Borrowed(l.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn map_key_value_types(&self) -> Option<(Self, Self)> {
        match &self.0 {
            Type::Map(k, v) => Some((WaveType((**k).clone()), WaveType((**v).clone()))),
            _ => None,
        }
    }
}

/// A `WrongTypeKind` error: `ty` is not a `kind`.
fn wrong_kind(ty: &WaveType, kind: WasmTypeKind) -> WasmValueError {
    WasmValueError::WrongTypeKind {
        kind,
        ty: ty.0.to_string(),
    }
}

/// The payload of a case, checked against the case's payload type (present or absent).
fn payload(
    case: &str,
    ty: Option<&Type>,
    val: Option<WaveVal>,
) -> Result<Option<Box<Val>>, WasmValueError> {
    match (ty, val) {
        (Some(_), Some(v)) => Ok(Some(Box::new(v.0))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(WasmValueError::MissingPayload(case.to_string())),
        (None, Some(_)) => Err(WasmValueError::UnexpectedPayload(case.to_string())),
    }
}

/// A nested value as a [`WaveVal`] for the writer (a copy: `WaveVal` owns its [`Val`]).
fn wave(v: &Val) -> Cow<'_, WaveVal> {
    Cow::Owned(WaveVal(v.clone()))
}

impl WasmValue for WaveVal {
    type Type = WaveType;

    fn kind(&self) -> WasmTypeKind {
        match &self.0 {
            Val::Bool(_) => WasmTypeKind::Bool,
            Val::S8(_) => WasmTypeKind::S8,
            Val::U8(_) => WasmTypeKind::U8,
            Val::S16(_) => WasmTypeKind::S16,
            Val::U16(_) => WasmTypeKind::U16,
            Val::S32(_) => WasmTypeKind::S32,
            Val::U32(_) => WasmTypeKind::U32,
            Val::S64(_) => WasmTypeKind::S64,
            Val::U64(_) => WasmTypeKind::U64,
            Val::Float32(_) => WasmTypeKind::F32,
            Val::Float64(_) => WasmTypeKind::F64,
            Val::Char(_) => WasmTypeKind::Char,
            Val::String(_) => WasmTypeKind::String,
            Val::List(_) => WasmTypeKind::List,
            Val::Map(_) => WasmTypeKind::Map,
            Val::Record(_) => WasmTypeKind::Record,
            Val::Tuple(_) => WasmTypeKind::Tuple,
            Val::Variant(..) => WasmTypeKind::Variant,
            Val::Enum(_) => WasmTypeKind::Enum,
            Val::Option(_) => WasmTypeKind::Option,
            Val::Result(_) => WasmTypeKind::Result,
            Val::Flags(_) => WasmTypeKind::Flags,
            // Never written: `write_results` renders results holding resources itself.
            Val::Resource(_) => WasmTypeKind::Unsupported,
        }
    }

    fn make_bool(val: bool) -> Self {
        WaveVal(Val::Bool(val))
    }
    fn make_s8(val: i8) -> Self {
        WaveVal(Val::S8(val))
    }
    fn make_s16(val: i16) -> Self {
        WaveVal(Val::S16(val))
    }
    fn make_s32(val: i32) -> Self {
        WaveVal(Val::S32(val))
    }
    fn make_s64(val: i64) -> Self {
        WaveVal(Val::S64(val))
    }
    fn make_u8(val: u8) -> Self {
        WaveVal(Val::U8(val))
    }
    fn make_u16(val: u16) -> Self {
        WaveVal(Val::U16(val))
    }
    fn make_u32(val: u32) -> Self {
        WaveVal(Val::U32(val))
    }
    fn make_u64(val: u64) -> Self {
        WaveVal(Val::U64(val))
    }
    fn make_f32(val: f32) -> Self {
        WaveVal(Val::Float32(val))
    }
    fn make_f64(val: f64) -> Self {
        WaveVal(Val::Float64(val))
    }
    fn make_char(val: char) -> Self {
        WaveVal(Val::Char(val))
    }
    fn make_string(val: Cow<str>) -> Self {
        WaveVal(Val::String(val.into_owned()))
    }

    fn make_list(
        ty: &Self::Type,
        vals: impl IntoIterator<Item = Self>,
    ) -> Result<Self, WasmValueError> {
        let vals: Vec<Val> = vals.into_iter().map(|v| v.0).collect();
        match ty.0 {
            Type::List(_) => {}
            Type::FixedList(_, n) if vals.len() as u64 == u64::from(n) => {}
            Type::FixedList(_, n) => {
                return Err(WasmValueError::Other(format!(
                    "a list of {} elements for `{}`, which takes {n}",
                    vals.len(),
                    ty.0
                )))
            }
            _ => return Err(wrong_kind(ty, WasmTypeKind::List)),
        }
        Ok(WaveVal(Val::List(vals)))
    }

    fn make_map(
        ty: &Self::Type,
        entries: impl IntoIterator<Item = (Self, Self)>,
    ) -> Result<Self, WasmValueError> {
        if !matches!(ty.0, Type::Map(..)) {
            return Err(wrong_kind(ty, WasmTypeKind::Map));
        }
        Ok(WaveVal(Val::Map(
            entries.into_iter().map(|(k, v)| (k.0, v.0)).collect(),
        )))
    }

    fn make_record<'a>(
        ty: &Self::Type,
        fields: impl IntoIterator<Item = (&'a str, Self)>,
    ) -> Result<Self, WasmValueError> {
        let Type::Record(decl) = &ty.0 else {
            return Err(wrong_kind(ty, WasmTypeKind::Record));
        };
        let mut given: Vec<(&str, Val)> = fields.into_iter().map(|(l, v)| (l, v.0)).collect();
        // In declaration order, every field exactly once.
        let mut out = Vec::with_capacity(decl.len());
        for (label, _) in decl {
            let at = given
                .iter()
                .position(|(l, _)| l == label)
                .ok_or_else(|| WasmValueError::MissingField(label.clone()))?;
            out.push((label.clone(), given.swap_remove(at).1));
        }
        if let Some((extra, _)) = given.first() {
            return Err(WasmValueError::UnknownField(extra.to_string()));
        }
        Ok(WaveVal(Val::Record(out)))
    }

    fn make_tuple(
        ty: &Self::Type,
        vals: impl IntoIterator<Item = Self>,
    ) -> Result<Self, WasmValueError> {
        let Type::Tuple(decl) = &ty.0 else {
            return Err(wrong_kind(ty, WasmTypeKind::Tuple));
        };
        let vals: Vec<Val> = vals.into_iter().map(|v| v.0).collect();
        if vals.len() != decl.len() {
            return Err(WasmValueError::WrongNumberOfTupleValues {
                want: decl.len(),
                got: vals.len(),
            });
        }
        Ok(WaveVal(Val::Tuple(vals)))
    }

    fn make_variant(
        ty: &Self::Type,
        case: &str,
        val: Option<Self>,
    ) -> Result<Self, WasmValueError> {
        let Type::Variant(cases) = &ty.0 else {
            return Err(wrong_kind(ty, WasmTypeKind::Variant));
        };
        let (_, case_ty) = cases
            .iter()
            .find(|(l, _)| l == case)
            .ok_or_else(|| WasmValueError::UnknownCase(case.to_string()))?;
        let p = payload(case, case_ty.as_ref(), val)?;
        Ok(WaveVal(Val::Variant(case.to_string(), p)))
    }

    fn make_enum(ty: &Self::Type, case: &str) -> Result<Self, WasmValueError> {
        let Type::Enum(cases) = &ty.0 else {
            return Err(wrong_kind(ty, WasmTypeKind::Enum));
        };
        if !cases.iter().any(|l| l == case) {
            return Err(WasmValueError::UnknownCase(case.to_string()));
        }
        Ok(WaveVal(Val::Enum(case.to_string())))
    }

    fn make_option(ty: &Self::Type, val: Option<Self>) -> Result<Self, WasmValueError> {
        if !matches!(ty.0, Type::Option(_)) {
            return Err(wrong_kind(ty, WasmTypeKind::Option));
        }
        Ok(WaveVal(Val::Option(val.map(|v| Box::new(v.0)))))
    }

    fn make_result(
        ty: &Self::Type,
        val: Result<Option<Self>, Option<Self>>,
    ) -> Result<Self, WasmValueError> {
        let Type::Result { ok, err } = &ty.0 else {
            return Err(wrong_kind(ty, WasmTypeKind::Result));
        };
        Ok(WaveVal(Val::Result(match val {
            Ok(v) => Ok(payload("ok", ok.as_deref(), v)?),
            Err(v) => Err(payload("err", err.as_deref(), v)?),
        })))
    }

    fn make_flags<'a>(
        ty: &Self::Type,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, WasmValueError> {
        let Type::Flags(decl) = &ty.0 else {
            return Err(wrong_kind(ty, WasmTypeKind::Flags));
        };
        let names: Vec<&str> = names.into_iter().collect();
        if let Some(unknown) = names.iter().find(|n| !decl.iter().any(|d| d == *n)) {
            return Err(WasmValueError::UnknownCase(unknown.to_string()));
        }
        // In declaration order.
        let set = decl
            .iter()
            .filter(|d| names.contains(&d.as_str()))
            .cloned()
            .collect();
        Ok(WaveVal(Val::Flags(set)))
    }

    // The writer calls `unwrap_*` only for the value's own kind (see `kind`); another
    // kind gets a neutral value rather than a panic.
    fn unwrap_bool(&self) -> bool {
        matches!(self.0, Val::Bool(true))
    }
    fn unwrap_s8(&self) -> i8 {
        match self.0 {
            Val::S8(v) => v,
            _ => 0,
        }
    }
    fn unwrap_s16(&self) -> i16 {
        match self.0 {
            Val::S16(v) => v,
            _ => 0,
        }
    }
    fn unwrap_s32(&self) -> i32 {
        match self.0 {
            Val::S32(v) => v,
            _ => 0,
        }
    }
    fn unwrap_s64(&self) -> i64 {
        match self.0 {
            Val::S64(v) => v,
            _ => 0,
        }
    }
    fn unwrap_u8(&self) -> u8 {
        match self.0 {
            Val::U8(v) => v,
            _ => 0,
        }
    }
    fn unwrap_u16(&self) -> u16 {
        match self.0 {
            Val::U16(v) => v,
            _ => 0,
        }
    }
    fn unwrap_u32(&self) -> u32 {
        match self.0 {
            Val::U32(v) => v,
            _ => 0,
        }
    }
    fn unwrap_u64(&self) -> u64 {
        match self.0 {
            Val::U64(v) => v,
            _ => 0,
        }
    }
    fn unwrap_f32(&self) -> f32 {
        match self.0 {
            Val::Float32(v) => v,
            _ => 0.0,
        }
    }
    fn unwrap_f64(&self) -> f64 {
        match self.0 {
            Val::Float64(v) => v,
            _ => 0.0,
        }
    }
    fn unwrap_char(&self) -> char {
        match self.0 {
            Val::Char(v) => v,
            _ => '\0',
        }
    }
    fn unwrap_string(&self) -> Cow<'_, str> {
        match &self.0 {
            Val::String(s) => Cow::Borrowed(s),
            _ => Cow::Borrowed(""),
        }
    }
    fn unwrap_list(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match &self.0 {
            Val::List(vs) => Box::new(vs.iter().map(wave)),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_map(&self) -> Box<dyn Iterator<Item = (Cow<'_, Self>, Cow<'_, Self>)> + '_> {
        match &self.0 {
            Val::Map(entries) => Box::new(entries.iter().map(|(k, v)| (wave(k), wave(v)))),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_record(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Cow<'_, Self>)> + '_> {
        match &self.0 {
            Val::Record(fs) => {
                Box::new(fs.iter().map(|(l, v)| (Cow::Borrowed(l.as_str()), wave(v))))
            }
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_tuple(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match &self.0 {
            Val::Tuple(vs) => Box::new(vs.iter().map(wave)),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_variant(&self) -> (Cow<'_, str>, Option<Cow<'_, Self>>) {
        match &self.0 {
            Val::Variant(l, p) => (Cow::Borrowed(l.as_str()), p.as_deref().map(wave)),
            _ => (Cow::Borrowed(""), None),
        }
    }
    fn unwrap_enum(&self) -> Cow<'_, str> {
        match &self.0 {
            Val::Enum(l) => Cow::Borrowed(l.as_str()),
            _ => Cow::Borrowed(""),
        }
    }
    fn unwrap_option(&self) -> Option<Cow<'_, Self>> {
        match &self.0 {
            Val::Option(v) => v.as_deref().map(wave),
            _ => None,
        }
    }
    fn unwrap_result(&self) -> Result<Option<Cow<'_, Self>>, Option<Cow<'_, Self>>> {
        match &self.0 {
            Val::Result(Ok(v)) => Ok(v.as_deref().map(wave)),
            Val::Result(Err(v)) => Err(v.as_deref().map(wave)),
            _ => Ok(None),
        }
    }
    fn unwrap_flags(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match &self.0 {
            Val::Flags(ls) => Box::new(ls.iter().map(|l| Cow::Borrowed(l.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }
}

/// A `--invoke` call, split into the export's name and its WAVE arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call<'a> {
    /// The export's name as given: `f`, `iface#f` or `pkg:ns/iface@1.0.0#f`.
    pub name: &'a str,
    /// The parenthesised argument list, `(...)`, as given (`()` when there was none).
    pub args: &'a str,
}

/// Splits `name(args...)` into the name and the argument list; a bare `name` is a call
/// without arguments. Errors say what is wrong with the text.
pub fn split_call(text: &str) -> Result<Call<'_>, String> {
    let text = text.trim();
    let (name, args) = match text.find('(') {
        Some(at) => (text[..at].trim_end(), &text[at..]),
        None => (text, "()"),
    };
    if name.is_empty() {
        return Err(format!(
            "`{text}` has no function name; expected NAME(ARGS...), e.g. `add(1, 2)`"
        ));
    }
    if name.contains(|c: char| c.is_whitespace() || c == ')' || c == ',') {
        return Err(format!(
            "`{text}`: expected NAME(ARGS...) with the arguments in WAVE, e.g. `add(1, 2)`"
        ));
    }
    Ok(Call { name, args })
}

/// Parses the argument list `(a, b, ...)` by the parameter types of `ty`. Errors say what
/// is wrong, where in the list (the text near the error), and the function's type.
pub fn parse_args(call: &Call<'_>, ty: &FuncType) -> Result<Vec<Val>, String> {
    // `wasm-wave` parses `NAME(ARGS)` only with NAMEs of its own grammar (no `#`), so the
    // arguments are parsed after a stand-in name of one character.
    let source = format!("f{}", call.args);
    let shown = |e: &wasm_wave::parser::ParserError| {
        let span = e.span();
        let near = source.get(span.start.max(1)..span.end.max(1)).unwrap_or("");
        let what = match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => match std::error::Error::source(e) {
                Some(source) => format!("{}: {source}", e.kind()),
                None => e.kind().to_string(),
            },
        };
        if near.is_empty() {
            what
        } else {
            format!("{what} at `{near}`")
        }
    };
    let parsed = wasm_wave::untyped::UntypedFuncCall::parse(&source)
        .map_err(|e| format!("bad WAVE arguments `{}`: {}", call.args, shown(&e)))?;
    let given = match parsed.params_node() {
        Some(node) => node.as_tuple().map(|t| t.len()).unwrap_or(0),
        None => 0,
    };
    // WAVE lets trailing `option` arguments be left out (they are `none`).
    let omittable = ty
        .params
        .get(given..)
        .is_some_and(|rest| rest.iter().all(|(_, t)| matches!(t, Type::Option(_))));
    if given != ty.params.len() && !omittable {
        let plural = if ty.params.len() == 1 { "" } else { "s" };
        let were = if given == 1 { "was" } else { "were" };
        return Err(format!(
            "`{}` takes {} argument{plural}, but {given} {were} given (its type: {ty})",
            call.name,
            ty.params.len()
        ));
    }
    if given == 0 {
        // Every parameter is an omitted `option` (`wasm-wave` wants at least one given).
        return Ok(vec![Val::Option(None); ty.params.len()]);
    }
    let types: Vec<WaveType> = ty.params.iter().map(|(_, t)| WaveType(t.clone())).collect();
    let vals: Vec<WaveVal> = parsed.to_wasm_params(types.iter()).map_err(|e| {
        format!(
            "bad argument for `{}`: {} (its type: {ty})",
            call.name,
            shown(&e)
        )
    })?;
    Ok(vals.into_iter().map(|v| v.0).collect())
}

/// The WAVE text of a value; values holding resources (which WAVE cannot express) are
/// written in Weft's own notation.
pub fn to_wave(val: &Val) -> String {
    if holds_resource(val) {
        return val.to_string();
    }
    wasm_wave::to_string(&WaveVal(val.clone())).unwrap_or_else(|_| val.to_string())
}

/// Whether a resource handle occurs anywhere in `val`.
fn holds_resource(val: &Val) -> bool {
    match val {
        Val::Resource(_) => true,
        Val::List(vs) | Val::Tuple(vs) => vs.iter().any(holds_resource),
        Val::Record(fs) => fs.iter().any(|(_, v)| holds_resource(v)),
        Val::Variant(_, Some(v)) | Val::Option(Some(v)) => holds_resource(v),
        Val::Result(Ok(Some(v)) | Err(Some(v))) => holds_resource(v),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn func(params: Vec<Type>, results: Vec<Type>) -> FuncType {
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
    fn splits_names_and_arguments() {
        let c = split_call("greet#hello(\"x\")").unwrap();
        assert_eq!((c.name, c.args), ("greet#hello", "(\"x\")"));
        let c = split_call(" f ").unwrap();
        assert_eq!((c.name, c.args), ("f", "()"));
        let c = split_call("test:demo/greet@1.0.0#hello ( 1 )").unwrap();
        assert_eq!(c.name, "test:demo/greet@1.0.0#hello");
        assert!(split_call("(1)").is_err());
        assert!(split_call("a b(1)").is_err());
    }

    #[test]
    fn parses_by_type_and_round_trips() {
        let record = Type::Record(vec![("a".into(), Type::U8), ("b".into(), Type::String)]);
        let flags = Type::Flags(vec!["x".into(), "y".into(), "z".into()]);
        let ty = func(
            vec![
                Type::List(Box::new(Type::S16)),
                record,
                flags,
                Type::Option(Box::new(Type::Char)),
            ],
            vec![],
        );
        let call = split_call("f([1, -2], {b: \"s\", a: 7}, {z, x}, some('c'))").unwrap();
        let vals = parse_args(&call, &ty).unwrap();
        assert_eq!(
            vals[1],
            Val::Record(vec![
                ("a".into(), Val::U8(7)),
                ("b".into(), Val::String("s".into()))
            ])
        );
        assert_eq!(vals[2], Val::Flags(vec!["x".into(), "z".into()]));
        let text: Vec<String> = vals.iter().map(to_wave).collect();
        assert_eq!(text, ["[1, -2]", "{a: 7, b: \"s\"}", "{x, z}", "some('c')"]);
    }

    #[test]
    fn errors_name_the_problem() {
        let ty = func(vec![Type::U32], vec![]);
        let e = parse_args(&split_call("f(1, 2)").unwrap(), &ty).unwrap_err();
        assert!(e.contains("takes 1 argument, but 2 were given"), "{e}");
        let e = parse_args(&split_call("f(\"x\")").unwrap(), &ty).unwrap_err();
        assert!(e.contains("at `\"x\"`"), "{e}");
        let e = parse_args(&split_call("f(1").unwrap(), &ty).unwrap_err();
        assert!(e.contains("bad WAVE"), "{e}");
        let e = parse_args(&split_call("f(-1)").unwrap(), &ty).unwrap_err();
        assert!(e.contains("bad argument"), "{e}");
        let ty = func(vec![Type::Enum(vec!["a".into()])], vec![]);
        let e = parse_args(&split_call("f(b)").unwrap(), &ty).unwrap_err();
        assert!(e.contains("unknown case"), "{e}");
    }
}
