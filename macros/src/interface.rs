//! The items generated for one interface: for an import, the `Host` trait and the
//! functions that define it in a linker; for an export, the `Guest` struct of typed
//! functions.

use crate::names::snake;
use crate::types::{doc_attr, Scope};
use crate::Gen;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use wit_parser::{Function, FunctionKind, InterfaceId, Type};

/// A function's Rust signature pieces, as seen from one module.
struct Sig {
    /// The WIT name, which is also the export/import name.
    wit_name: String,
    /// The Rust method name.
    ident: Ident,
    /// Parameter names and types.
    params: Vec<(Ident, TokenStream)>,
    /// The result type, `()` when the function has none.
    result: TokenStream,
    has_result: bool,
    doc: TokenStream,
}

impl Gen<'_> {
    fn sig(&self, f: &Function, scope: Scope) -> Result<Sig, String> {
        if !matches!(f.kind, FunctionKind::Freestanding) {
            return Err(format!(
                "function `{}`: resource methods are not supported yet",
                f.name
            ));
        }
        let params = f
            .params
            .iter()
            .map(|p| Ok((param_ident(&p.name), self.rust_type(&p.ty, scope)?)))
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| format!("function `{}`: {e}", f.name))?;
        let result = match &f.result {
            Some(t) => self
                .rust_type(t, scope)
                .map_err(|e| format!("function `{}`: {e}", f.name))?,
            None => quote!(()),
        };
        Ok(Sig {
            wit_name: f.name.clone(),
            ident: snake(&f.name),
            params,
            result,
            has_result: f.result.is_some(),
            doc: doc_attr(&f.docs, &format!("The WIT function `{}`.", f.name)),
        })
    }

    /// The signatures of functions seen from `scope`.
    fn sigs<'f>(
        &self,
        funcs: impl IntoIterator<Item = &'f Function>,
        scope: Scope,
    ) -> Result<Vec<Sig>, String> {
        funcs.into_iter().map(|f| self.sig(f, scope)).collect()
    }

    /// For functions the world imports itself (outside any interface): the trait `name`
    /// and the `func_wrap`s that define them at the linker's root.
    pub fn world_imports(
        &self,
        funcs: &[&Function],
        name: &Ident,
        world: &Ident,
    ) -> Result<(TokenStream, Vec<TokenStream>), String> {
        let root = Scope {
            depth: 0,
            iface: None,
        };
        let sigs = self.sigs(funcs.iter().copied(), root)?;
        let methods = host_methods(&sigs);
        let wraps = host_wraps(&sigs, &quote!(#name));
        let doc = format!(
            " What the host implements for the functions the world imports directly \
             (defined at the linker's root by [`{world}::add_to_linker`])."
        );
        Ok((
            quote!(#[doc = #doc] pub trait #name { #(#methods)* }),
            wraps,
        ))
    }

    /// For functions the world exports itself: the fields, lookups and `call_*` methods
    /// of the world's struct.
    pub fn world_exports(&self, funcs: &[&Function]) -> Result<GuestParts, String> {
        let root = Scope {
            depth: 0,
            iface: None,
        };
        Ok(guest_parts(&self.sigs(funcs.iter().copied(), root)?, ""))
    }

    /// The typedefs of interface `id`, for its module at `scope`.
    fn typedefs(&self, id: InterfaceId, scope: Scope) -> Result<Vec<TokenStream>, String> {
        self.resolve.interfaces[id]
            .types
            .values()
            .map(|&t| self.typedef(t, scope))
            .collect()
    }

    /// The module of an imported interface: its types, `Host` trait, `add_to_linker` and,
    /// when every function is numbers-only, `add_to_core_linker`.
    pub fn import_module(&self, id: InterfaceId, full_name: &str) -> Result<TokenStream, String> {
        let iface = &self.resolve.interfaces[id];
        let mod_name = self.import_mods[&id].clone();
        let scope = Scope {
            depth: 1,
            iface: Some(id),
        };
        let types = self.typedefs(id, scope)?;
        let sigs = iface
            .functions
            .values()
            .map(|f| self.sig(f, scope))
            .collect::<Result<Vec<_>, _>>()?;

        let methods = host_methods(&sigs);
        let wraps = host_wraps(&sigs, &quote!(Host));
        let core = if iface.functions.values().all(core_flat) {
            let wraps = sigs.iter().map(|s| {
                let (name, ident, result) = (&s.wit_name, &s.ident, &s.result);
                let flat = quote!(::weft::component::FlatScalar);
                let to_core = quote!(::weft::component::to_core_error);
                let names: Vec<_> = s.params.iter().map(|(p, _)| p).collect();
                let params = s.params.iter().map(|(p, t)| quote!(#p: <#t as #flat>::Core));
                let lifts = s.params.iter().map(|(p, t)| {
                    quote!(let #p = <#t as #flat>::lift_flat(#p).map_err(#to_core)?;)
                });
                let (ret, ok) = if s.has_result {
                    (
                        quote!(<#result as #flat>::Core),
                        quote!(Ok(<#result as #flat>::lower_flat(__r))),
                    )
                } else {
                    (quote!(()), quote!(Ok(__r)))
                };
                quote! {
                    linker.func_wrap(module, #name,
                        move |mut __caller: ::weft::Caller<'_, T>, #(#params),*| -> ::weft::Result<#ret> {
                            #(#lifts)*
                            let __r = <U as Host>::#ident(get(__caller.data_mut()), #(#names),*)
                                .map_err(#to_core)?;
                            #ok
                        })?;
                }
            });
            quote! {
                /// Defines every function of the interface in a core-module linker, in
                /// module `module`, with the canonical ABI's flattening of its WIT type as
                /// the core type (CanonicalABI.md: `flatten_functype`; the interface's
                /// functions take and return only numbers, `bool` and `char`, which need no
                /// linear memory).
                #[allow(unused_variables)]
                pub fn add_to_core_linker<T: 'static, U: Host + 'static>(
                    linker: &mut ::weft::Linker<T>,
                    module: &str,
                    get: fn(&mut T) -> &mut U,
                ) -> ::weft::Result<()> {
                    #(#wraps)*
                    Ok(())
                }
            }
        } else {
            quote!()
        };
        let doc = doc_attr(
            &iface.docs,
            &format!("The imported interface `{full_name}`."),
        );
        Ok(quote! {
            #doc
            pub mod #mod_name {
                #(#types)*

                /// The interface's name, under which [`add_to_linker`] defines it.
                pub const INTERFACE: &str = #full_name;

                /// What the host implements for the interface; the signatures follow its
                /// WIT, so an implementation that drifts from the WIT does not compile.
                pub trait Host {
                    #(#methods)*
                }

                /// Defines every function of the interface in `linker`, as instance
                /// [`INTERFACE`], calling the `Host` that `get` finds in the store's data.
                #[allow(unused_mut, unused_variables)]
                pub fn add_to_linker<T: 'static, U: Host + 'static>(
                    linker: &mut ::weft::component::Linker<T>,
                    get: fn(&mut T) -> &mut U,
                ) -> ::weft::component::Result<()> {
                    let mut inst = linker.instance(INTERFACE)?;
                    #(#wraps)*
                    Ok(())
                }

                #core
            }
        })
    }

    /// The module of an exported interface: its types and the `Guest` struct.
    pub fn export_module(&self, id: InterfaceId, full_name: &str) -> Result<TokenStream, String> {
        let iface = &self.resolve.interfaces[id];
        let mod_name = self.export_mods[&id].clone();
        let scope = Scope {
            depth: 2,
            iface: Some(id),
        };
        let types = self.typedefs(id, scope)?;
        let sigs = iface
            .functions
            .values()
            .map(|f| self.sig(f, scope))
            .collect::<Result<Vec<_>, _>>()?;
        let (fields, lookups, calls) = guest_parts(&sigs, &format!("{full_name}#"));
        let doc = doc_attr(
            &iface.docs,
            &format!("The exported interface `{full_name}`."),
        );
        Ok(quote! {
            #doc
            pub mod #mod_name {
                #(#types)*

                /// The interface's name; its functions are exported as `INTERFACE#name`.
                pub const INTERFACE: &str = #full_name;

                /// The interface's functions as an instance exports them, typed by the WIT.
                #[derive(Debug, Clone)]
                pub struct Guest {
                    #(#fields,)*
                }

                impl Guest {
                    /// Looks every function up in `instance` and checks its type against
                    /// the WIT.
                    #[allow(unused_mut, unused_variables)]
                    pub fn new(
                        mut store: impl ::weft::AsContextMut,
                        instance: &::weft::component::Instance,
                    ) -> ::weft::component::Result<Guest> {
                        Ok(Guest { #(#lookups,)* })
                    }

                    #(#calls)*
                }
            }
        })
    }
}

/// The methods of a `Host` trait.
fn host_methods(sigs: &[Sig]) -> Vec<TokenStream> {
    sigs.iter()
        .map(|s| {
            let (doc, ident, result) = (&s.doc, &s.ident, &s.result);
            let params = s.params.iter().map(|(p, t)| quote!(#p: #t));
            quote! {
                #doc
                ///
                /// An `Err` makes the calling guest's call fail with that error (a trap).
                fn #ident(&mut self, #(#params),*) -> ::weft::component::Result<#result>;
            }
        })
        .collect()
}

/// `inst.func_wrap(..)` for each function, calling the trait `host_trait` of the `U` that
/// `get` finds.
fn host_wraps(sigs: &[Sig], host_trait: &TokenStream) -> Vec<TokenStream> {
    sigs.iter()
        .map(|s| {
            let (name, ident) = (&s.wit_name, &s.ident);
            let names: Vec<_> = s.params.iter().map(|(p, _)| p).collect();
            let types = s.params.iter().map(|(_, t)| t);
            let ok = if s.has_result {
                quote!(Ok((__r,)))
            } else {
                quote!(Ok(__r))
            };
            quote! {
                inst.func_wrap(#name, move |__store: &mut ::weft::Store<T>, (#(#names,)*): (#(#types,)*)| {
                    let __r = <U as #host_trait>::#ident(get(__store.data_mut()), #(#names),*)?;
                    #ok
                })?;
            }
        })
        .collect()
}

/// Exported functions as a struct holds them: `TypedFunc` fields, their lookups in
/// `instance` (with `store`), and the `call_*` methods.
pub type GuestParts = (Vec<TokenStream>, Vec<TokenStream>, Vec<TokenStream>);

/// The [`GuestParts`] of functions exported as `prefix` + their name.
fn guest_parts(sigs: &[Sig], prefix: &str) -> GuestParts {
    let mut fields = Vec::new();
    let mut lookups = Vec::new();
    let mut calls = Vec::new();
    for s in sigs {
        let (ident, doc, result, name) = (&s.ident, &s.doc, &s.result, &s.wit_name);
        let types = s.params.iter().map(|(_, t)| t);
        let results = if s.has_result {
            quote!((#result,))
        } else {
            quote!(())
        };
        fields.push(quote!(#ident: ::weft::component::TypedFunc<(#(#types,)*), #results>));
        let path = format!("{prefix}{name}");
        lookups.push(quote!(#ident: instance.get_typed_func(&mut store, #path)?));
        let call = format_ident!("call_{}", ident.to_string().trim_start_matches("r#"));
        let names: Vec<_> = s.params.iter().map(|(p, _)| p).collect();
        let params = s.params.iter().map(|(p, t)| quote!(#p: #t));
        let body = if s.has_result {
            quote!(let (r,) = self.#ident.call(store, (#(#names,)*))?; Ok(r))
        } else {
            quote!(self.#ident.call(store, (#(#names,)*)))
        };
        calls.push(quote! {
            #doc
            pub fn #call<D: 'static>(
                &self,
                store: impl ::weft::AsContextMut<Data = D>,
                #(#params),*
            ) -> ::weft::component::Result<#result> {
                #body
            }
        });
    }
    (fields, lookups, calls)
}

/// A parameter's Rust name; `store` and `get` would hide the generated code's own
/// parameters of those names and become `store_` and `get_`.
fn param_ident(name: &str) -> Ident {
    if name == "store" || name == "get" {
        snake(&format!("{name}-"))
    } else {
        snake(name)
    }
}

/// Whether a function's parameters and result each flatten to one core value without
/// memory (numbers, `bool`, `char`), so core modules can import it directly.
fn core_flat(f: &Function) -> bool {
    let flat = |t: &Type| !matches!(t, Type::String | Type::ErrorContext | Type::Id(_));
    matches!(f.kind, FunctionKind::Freestanding)
        && f.params.iter().all(|p| flat(&p.ty))
        && f.result.as_ref().is_none_or(flat)
}
