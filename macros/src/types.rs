//! WIT types as Rust types: primitives, `string`, `list`, `option`, `result` and tuples map
//! to the standard types `weft::component::ComponentType` is implemented for; records,
//! enums, variants and flags become generated Rust types with their own `ComponentType`
//! implementation.

use crate::names::{camel, snake};
use crate::Gen;
use proc_macro2::TokenStream;
use quote::quote;
use wit_parser::{Docs, Type, TypeDefKind, TypeId, TypeOwner};

/// Where generated code sits: how many modules below the macro's expansion, and which
/// interface's module it is (its own types are named without a path).
#[derive(Clone, Copy)]
pub struct Scope {
    /// Modules between this one and the expansion root.
    pub depth: usize,
    /// The interface whose module this is.
    pub iface: Option<wit_parser::InterfaceId>,
}

impl Scope {
    /// `super::` once per level, the path from this module to the expansion root.
    pub fn to_root(self) -> TokenStream {
        let supers = (0..self.depth).map(|_| quote!(super::));
        quote!(#(#supers)*)
    }
}

/// `#[doc = "..."]` from WIT docs, or `fallback` when there are none.
pub fn doc_attr(docs: &Docs, fallback: &str) -> TokenStream {
    let text = docs.contents.as_deref().unwrap_or(fallback);
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

impl Gen<'_> {
    /// The Rust type of WIT type `ty` as seen from `scope`.
    pub fn rust_type(&self, ty: &Type, scope: Scope) -> Result<TokenStream, String> {
        Ok(match ty {
            Type::Bool => quote!(bool),
            Type::U8 => quote!(u8),
            Type::U16 => quote!(u16),
            Type::U32 => quote!(u32),
            Type::U64 => quote!(u64),
            Type::S8 => quote!(i8),
            Type::S16 => quote!(i16),
            Type::S32 => quote!(i32),
            Type::S64 => quote!(i64),
            Type::F32 => quote!(f32),
            Type::F64 => quote!(f64),
            Type::Char => quote!(char),
            Type::String => quote!(::std::string::String),
            Type::ErrorContext => return Err("`error-context` is not supported".into()),
            Type::Id(id) => self.type_id(*id, scope)?,
        })
    }

    /// A type definition used by name (a path to its generated item) or, without a name,
    /// by structure.
    fn type_id(&self, id: TypeId, scope: Scope) -> Result<TokenStream, String> {
        let td = &self.resolve.types[id];
        let Some(name) = &td.name else {
            return self.structural(&td.kind, scope);
        };
        let ident = camel(name);
        let root = scope.to_root();
        Ok(match td.owner {
            TypeOwner::Interface(i) if Some(i) == scope.iface => quote!(#ident),
            TypeOwner::Interface(i) => {
                let path = self
                    .module_path(i)
                    .ok_or_else(|| format!("type `{name}` belongs to no interface of the world"))?;
                quote!(#root #path::#ident)
            }
            TypeOwner::World(_) | TypeOwner::None => quote!(#root #ident),
        })
    }

    /// The Rust type of an anonymous type definition (`option<T>`, `list<T>`, ...).
    fn structural(&self, kind: &TypeDefKind, scope: Scope) -> Result<TokenStream, String> {
        let payload = |t: &Option<Type>| match t {
            Some(t) => self.rust_type(t, scope),
            None => Ok(quote!(())),
        };
        Ok(match kind {
            TypeDefKind::Option(t) => {
                let t = self.rust_type(t, scope)?;
                quote!(::core::option::Option<#t>)
            }
            TypeDefKind::Result(r) => {
                let (ok, err) = (payload(&r.ok)?, payload(&r.err)?);
                quote!(::core::result::Result<#ok, #err>)
            }
            TypeDefKind::List(t) => {
                let t = self.rust_type(t, scope)?;
                quote!(::std::vec::Vec<#t>)
            }
            TypeDefKind::Tuple(t) => {
                let ts = t
                    .types
                    .iter()
                    .map(|t| self.rust_type(t, scope))
                    .collect::<Result<Vec<_>, _>>()?;
                quote!((#(#ts,)*))
            }
            TypeDefKind::Type(t) => self.rust_type(t, scope)?,
            TypeDefKind::Handle(_) | TypeDefKind::Resource => {
                return Err("resources (`own`/`borrow`) are not supported yet".into())
            }
            TypeDefKind::Future(_) | TypeDefKind::Stream(_) => {
                return Err("`future` and `stream` (Preview 3) are not supported".into())
            }
            TypeDefKind::Map(..) | TypeDefKind::FixedLengthList(..) => {
                return Err("`map` and fixed-length lists are not supported".into())
            }
            TypeDefKind::Record(_)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Flags(_)
            | TypeDefKind::Unknown => return Err("an anonymous named type".into()),
        })
    }

    /// The item for the named type definition `id` (in the module of `scope`).
    pub fn typedef(&self, id: TypeId, scope: Scope) -> Result<TokenStream, String> {
        let td = &self.resolve.types[id];
        let wit_name = td.name.as_deref().unwrap_or_default();
        let name = camel(wit_name);
        let ct = quote!(::weft::component::ComponentType);
        let ty = quote!(::weft::component::Type);
        let val = quote!(::weft::component::Val);
        let res = quote!(::weft::component::Result);
        let mismatch = |what: String| {
            quote!(::weft::component::Error::TypeMismatch(::std::format!(
                "expected {} `{}`, found {}", #what, #wit_name, other.kind()
            )))
        };
        let doc = doc_attr(&td.docs, &format!("The WIT type `{wit_name}`."));
        Ok(match &td.kind {
            TypeDefKind::Record(r) => {
                let n = r.fields.len();
                let labels: Vec<&str> = r.fields.iter().map(|f| f.name.as_str()).collect();
                let fields: Vec<_> = r.fields.iter().map(|f| snake(&f.name)).collect();
                let types = r
                    .fields
                    .iter()
                    .map(|f| self.rust_type(&f.ty, scope))
                    .collect::<Result<Vec<_>, _>>()?;
                let docs = r
                    .fields
                    .iter()
                    .map(|f| doc_attr(&f.docs, &format!("The field `{}`.", f.name)));
                let idx = 0..n;
                let bad = mismatch("record".into());
                quote! {
                    #doc
                    #[derive(Debug, Clone, PartialEq)]
                    pub struct #name { #(#docs pub #fields: #types,)* }

                    impl #ct for #name {
                        fn typecheck(ty: &#ty) -> bool {
                            match ty {
                                #ty::Record(fields) => fields.len() == #n
                                    #(&& fields[#idx].0 == #labels
                                      && <#types as #ct>::typecheck(&fields[#idx].1))*,
                                _ => false,
                            }
                        }
                        fn from_val(v: #val) -> #res<Self> {
                            match v {
                                #val::Record(fields) => {
                                    let [#((_, #fields)),*] =
                                        <[(::std::string::String, #val); #n]>::try_from(fields)
                                            .map_err(|fields| {
                                                let other = #val::Record(fields);
                                                #bad
                                            })?;
                                    Ok(#name { #(#fields: <#types as #ct>::from_val(#fields)?,)* })
                                }
                                other => Err(#bad),
                            }
                        }
                        fn into_val(self) -> #val {
                            #val::Record(::std::vec![
                                #((::std::string::String::from(#labels), #ct::into_val(self.#fields)),)*
                            ])
                        }
                    }
                }
            }
            TypeDefKind::Enum(e) => {
                let n = e.cases.len();
                let labels: Vec<&str> = e.cases.iter().map(|c| c.name.as_str()).collect();
                let cases: Vec<_> = e.cases.iter().map(|c| camel(&c.name)).collect();
                let docs = e
                    .cases
                    .iter()
                    .map(|c| doc_attr(&c.docs, &format!("The case `{}`.", c.name)));
                let idx = 0..n;
                let bad = mismatch("enum".into());
                quote! {
                    #doc
                    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                    pub enum #name { #(#docs #cases,)* }

                    impl #ct for #name {
                        fn typecheck(ty: &#ty) -> bool {
                            matches!(ty, #ty::Enum(labels)
                                if labels.len() == #n #(&& labels[#idx] == #labels)*)
                        }
                        fn from_val(v: #val) -> #res<Self> {
                            match v {
                                #val::Enum(label) => match label.as_str() {
                                    #(#labels => Ok(#name::#cases),)*
                                    _ => { let other = #val::Enum(label); Err(#bad) }
                                },
                                other => Err(#bad),
                            }
                        }
                        fn into_val(self) -> #val {
                            #val::Enum(::std::string::String::from(match self {
                                #(#name::#cases => #labels,)*
                            }))
                        }
                    }
                }
            }
            TypeDefKind::Variant(v) => {
                let n = v.cases.len();
                let mut defs = Vec::new();
                let mut checks = Vec::new();
                let mut froms = Vec::new();
                let mut intos = Vec::new();
                for (i, c) in v.cases.iter().enumerate() {
                    let label = c.name.as_str();
                    let case = camel(label);
                    let cdoc = doc_attr(&c.docs, &format!("The case `{label}`."));
                    match &c.ty {
                        Some(t) => {
                            let t = self.rust_type(t, scope)?;
                            defs.push(quote!(#cdoc #case(#t)));
                            checks.push(quote!(cases[#i].0 == #label
                                && cases[#i].1.as_ref().is_some_and(<#t as #ct>::typecheck)));
                            froms.push(quote!((#label, Some(p)) =>
                                Ok(#name::#case(<#t as #ct>::from_val(*p)?))));
                            intos.push(quote!(#name::#case(x) => #val::Variant(
                                ::std::string::String::from(#label),
                                Some(::std::boxed::Box::new(#ct::into_val(x))))));
                        }
                        None => {
                            defs.push(quote!(#cdoc #case));
                            checks.push(quote!(cases[#i].0 == #label && cases[#i].1.is_none()));
                            froms.push(quote!((#label, None) => Ok(#name::#case)));
                            intos.push(quote!(#name::#case => #val::Variant(
                                ::std::string::String::from(#label), None)));
                        }
                    }
                }
                let bad = mismatch("variant".into());
                quote! {
                    #doc
                    #[derive(Debug, Clone, PartialEq)]
                    pub enum #name { #(#defs,)* }

                    impl #ct for #name {
                        fn typecheck(ty: &#ty) -> bool {
                            matches!(ty, #ty::Variant(cases) if cases.len() == #n #(&& #checks)*)
                        }
                        fn from_val(v: #val) -> #res<Self> {
                            match v {
                                #val::Variant(label, payload) => match (label.as_str(), payload) {
                                    #(#froms,)*
                                    (_, payload) => {
                                        let other = #val::Variant(label, payload);
                                        Err(#bad)
                                    }
                                },
                                other => Err(#bad),
                            }
                        }
                        fn into_val(self) -> #val {
                            match self { #(#intos,)* }
                        }
                    }
                }
            }
            TypeDefKind::Flags(f) => {
                let n = f.flags.len();
                let labels: Vec<&str> = f.flags.iter().map(|f| f.name.as_str()).collect();
                let fields: Vec<_> = f.flags.iter().map(|f| snake(&f.name)).collect();
                let docs = f.flags.iter().map(|fl| {
                    doc_attr(&fl.docs, &format!("Whether the flag `{}` is set.", fl.name))
                });
                let idx = 0..n;
                let bad = mismatch("flags".into());
                quote! {
                    #doc
                    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
                    pub struct #name { #(#docs pub #fields: bool,)* }

                    impl #ct for #name {
                        fn typecheck(ty: &#ty) -> bool {
                            matches!(ty, #ty::Flags(labels)
                                if labels.len() == #n #(&& labels[#idx] == #labels)*)
                        }
                        fn from_val(v: #val) -> #res<Self> {
                            match v {
                                #val::Flags(set) => {
                                    let mut flags = #name::default();
                                    for label in &set {
                                        match label.as_str() {
                                            #(#labels => flags.#fields = true,)*
                                            _ => {
                                                let other = #val::Flags(set.clone());
                                                return Err(#bad);
                                            }
                                        }
                                    }
                                    Ok(flags)
                                }
                                other => Err(#bad),
                            }
                        }
                        fn into_val(self) -> #val {
                            let mut set = ::std::vec::Vec::new();
                            #(if self.#fields { set.push(::std::string::String::from(#labels)); })*
                            #val::Flags(set)
                        }
                    }
                }
            }
            TypeDefKind::Resource => {
                return Err(format!(
                    "resource `{wit_name}`: resources are not supported yet"
                ))
            }
            other => {
                let t = self.structural(other, scope)?;
                quote!(#doc pub type #name = #t;)
            }
        })
    }
}
