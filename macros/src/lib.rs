//! `weft-macros`: `bindgen!`, Rust bindings generated from WIT at compile time, for
//! embedders of Weft's Component Model runtime (`weft::component`). Use it through the
//! facade, as `weft::component::bindgen!`; the generated code names `::weft`.
//!
//! ```text
//! bindgen!({ path: "wit/calculator.wit", world: "host" });   // relative to CARGO_MANIFEST_DIR
//! bindgen!("wit/calculator.wit", "host");                    // the same, shorter
//! bindgen!({ inline: "package a:b; world w { ... }", world: "w" });
//! ```
//!
//! For the world, it generates:
//!
//! - per **imported interface** `i`, a module `i` with the interface's types, a trait `Host`
//!   with one method per function (`fn add(&mut self, lh: i32, rh: i32) ->
//!   weft::component::Result<i32>`; an `Err` traps the caller), `INTERFACE` (the full
//!   name, `pkg:ns/i@version`), `add_to_linker(linker, get)`, which defines the functions
//!   in a `weft::component::Linker<T>` under that name with `func_wrap`, calling the `Host`
//!   that `get: fn(&mut T) -> &mut U` finds in the store's data, and, when every function
//!   takes and returns only numbers, `bool` and `char`, `add_to_core_linker(linker,
//!   module, get)` for core modules (the core type is the canonical ABI's flattening);
//! - per **exported interface** `i`, a module `exports::i` with its types and a struct
//!   `Guest` of typed functions: `Guest::new(&mut store, &instance)` looks each one up
//!   (`Instance::get_typed_func`, which checks its type) and `call_f(&mut store, ..)`
//!   calls it;
//! - for **functions the world imports itself**, a trait `WorldImports` (after the world's
//!   name) whose functions are defined at the linker's root, and for **types the world
//!   defines**, those types at the top;
//! - a struct named after the world (`UpperCamelCase`), with `add_to_linker` for all
//!   imports at once and `new(&mut store, &instance)` holding every export's `Guest` and
//!   the functions the world exports itself (`call_f`).
//!
//! WIT types map to Rust types: `bool`, integers (`s32` -> `i32`, `u8` -> `u8`, ...),
//! `f32`/`f64`, `char`, `string` -> `String`, `list<T>` -> `Vec<T>`, `option<T>` ->
//! `Option<T>`, `result<T, E>` -> `Result<T, E>` (a missing payload is `()`), tuples ->
//! tuples; `record`, `enum`, `variant` and `flags` become generated structs and enums
//! implementing `weft::component::ComponentType`; `type` aliases and `use` become `type`
//! aliases. Resources, `future`/`stream` and `error-context` are compile errors for now.
//!
//! Because the trait's signatures come from the WIT, a host implementation that no longer
//! matches its WIT fails to compile (`tests/bindgen_ui/` checks this with trybuild).

mod input;
mod interface;
mod names;
mod types;

use input::{Input, Source};
use names::{camel, snake};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::HashMap;
use std::path::PathBuf;
use wit_parser::{InterfaceId, Resolve, WorldId, WorldItem, WorldKey};

/// Generates Rust bindings for a WIT world; see the [crate documentation](crate).
#[proc_macro]
pub fn bindgen(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = syn::parse_macro_input!(input as Input);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// What code generation needs: the resolved WIT, the world, and the module each
/// interface's items live in.
pub(crate) struct Gen<'a> {
    pub resolve: &'a Resolve,
    pub import_mods: HashMap<InterfaceId, Ident>,
    pub export_mods: HashMap<InterfaceId, Ident>,
}

impl Gen<'_> {
    /// The path from the expansion root to the module of interface `id` (its import
    /// module when the world imports it).
    pub fn module_path(&self, id: InterfaceId) -> Option<TokenStream> {
        if let Some(m) = self.import_mods.get(&id) {
            return Some(quote!(#m));
        }
        self.export_mods.get(&id).map(|m| quote!(exports::#m))
    }
}

fn expand(input: &Input) -> syn::Result<TokenStream> {
    let (span, world_span) = (
        match &input.source {
            Source::Path(l) | Source::Inline(l) => l.span(),
        },
        input.world.as_ref().map_or(Span::call_site(), |w| w.span()),
    );
    let err = |span: Span, msg: String| syn::Error::new(span, format!("bindgen!: {msg}"));

    let mut resolve = Resolve::default();
    let mut sources = Vec::new();
    let pkg = match &input.source {
        Source::Path(lit) => {
            let dir = std::env::var_os("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .unwrap_or_default();
            let path = dir.join(lit.value());
            let (pkg, map) = resolve
                .push_path(&path)
                .map_err(|e| err(span, format!("{e:#}")))?;
            sources.extend(map.paths().map(|p| p.to_path_buf()));
            pkg
        }
        Source::Inline(lit) => resolve
            .push_str("inline.wit", &lit.value())
            .map_err(|e| err(span, format!("{e:#}")))?,
    };
    let world_name = input.world.as_ref().map(|w| w.value());
    let world = resolve
        .select_world(&[pkg], world_name.as_deref())
        .map_err(|e| err(world_span, format!("{e:#}")))?;
    generate(&resolve, world, &sources).map_err(|e| err(Span::call_site(), e))
}

/// An interface of the world: its id and full name.
struct Item {
    id: InterfaceId,
    name: String,
}

/// What a world imports or exports: interfaces, functions of its own and types.
struct Items<'r> {
    interfaces: Vec<Item>,
    funcs: Vec<&'r wit_parser::Function>,
    types: Vec<wit_parser::TypeId>,
}

/// The world's imported or exported items, sorted by kind.
fn items<'r>(
    resolve: &'r Resolve,
    items: &'r wit_parser::IndexMap<WorldKey, WorldItem>,
) -> Items<'r> {
    let mut out = Items {
        interfaces: Vec::new(),
        funcs: Vec::new(),
        types: Vec::new(),
    };
    for (key, item) in items {
        match item {
            WorldItem::Interface { id, .. } => out.interfaces.push(Item {
                id: *id,
                name: resolve.name_world_key(key),
            }),
            WorldItem::Function(f) => out.funcs.push(f),
            WorldItem::Type { id, .. } => out.types.push(*id),
        }
    }
    out
}

/// The module name of an interface: its own name (an inline interface's is its key).
fn module_ident(
    resolve: &Resolve,
    item: &Item,
    taken: &mut HashMap<String, String>,
) -> Result<Ident, String> {
    let short = resolve.interfaces[item.id]
        .name
        .clone()
        .unwrap_or_else(|| item.name.clone());
    if let Some(other) = taken.insert(short.clone(), item.name.clone()) {
        return Err(format!(
            "interfaces `{other}` and `{}` would both be module `{}`",
            item.name,
            snake(&short)
        ));
    }
    Ok(snake(&short))
}

fn generate(resolve: &Resolve, world: WorldId, sources: &[PathBuf]) -> Result<TokenStream, String> {
    let w = &resolve.worlds[world];
    let Items {
        interfaces: imports,
        funcs: import_funcs,
        types: import_types,
    } = items(resolve, &w.imports);
    let Items {
        interfaces: exports,
        funcs: export_funcs,
        types: export_types,
    } = items(resolve, &w.exports);
    let mut gen = Gen {
        resolve,
        import_mods: HashMap::new(),
        export_mods: HashMap::new(),
    };
    let mut taken = HashMap::new();
    for item in &imports {
        let m = module_ident(resolve, item, &mut taken)?;
        gen.import_mods.insert(item.id, m);
    }
    let mut taken = HashMap::new();
    for item in &exports {
        let m = module_ident(resolve, item, &mut taken)?;
        gen.export_mods.insert(item.id, m);
    }

    let import_mods = imports
        .iter()
        .map(|i| gen.import_module(i.id, &i.name))
        .collect::<Result<Vec<_>, _>>()?;
    let export_mods = exports
        .iter()
        .map(|i| gen.export_module(i.id, &i.name))
        .collect::<Result<Vec<_>, _>>()?;

    let world_ident = camel(&w.name);
    let root = types::Scope {
        depth: 0,
        iface: None,
    };
    let root_types = import_types
        .iter()
        .chain(&export_types)
        .map(|&t| gen.typedef(t, root))
        .collect::<Result<Vec<_>, _>>()?;
    // Functions the world imports directly: a trait `WorldImports`, defined at the root.
    let imports_trait = quote::format_ident!("{}Imports", world_ident.to_string());
    let (root_trait, root_bound, root_wraps) = if import_funcs.is_empty() {
        (quote!(), quote!(), Vec::new())
    } else {
        let (t, wraps) = gen.world_imports(&import_funcs, &imports_trait, &world_ident)?;
        (t, quote!(#imports_trait +), wraps)
    };
    let (root_fields, root_lookups, root_calls) = gen.world_exports(&export_funcs)?;
    let world_doc = types::doc_attr(
        &w.docs,
        &format!("The WIT world `{}`: its imports and exports.", w.name),
    );
    let host_mods: Vec<_> = imports.iter().map(|i| &gen.import_mods[&i.id]).collect();
    let guest_mods: Vec<_> = exports.iter().map(|i| &gen.export_mods[&i.id]).collect();
    let guest_docs = exports
        .iter()
        .map(|i| format!(" The exported interface `{}`.", i.name));
    let exports_mod = if exports.is_empty() {
        quote!()
    } else {
        quote! {
            /// The interfaces the world exports.
            pub mod exports {
                #(#export_mods)*
            }
        }
    };
    let includes = sources.iter().filter_map(|p| p.to_str()).map(|p| {
        quote!(
            const _: &[u8] = include_bytes!(#p);
        )
    });
    Ok(quote! {
        #(#includes)*
        #(#root_types)*
        #root_trait
        #(#import_mods)*
        #exports_mod

        #world_doc
        #[derive(Debug, Clone)]
        pub struct #world_ident {
            #(#[doc = #guest_docs] pub #guest_mods: exports::#guest_mods::Guest,)*
            #(#root_fields,)*
        }

        impl #world_ident {
            /// Defines every interface the world imports in `linker`, each calling the
            /// `Host` that `get` finds in the store's data.
            #[allow(unused_variables)]
            #[allow(unused_mut)]
            pub fn add_to_linker<T: 'static, U: #(#host_mods::Host +)* #root_bound 'static>(
                linker: &mut ::weft::component::Linker<T>,
                get: fn(&mut T) -> &mut U,
            ) -> ::weft::component::Result<()> {
                #(#host_mods::add_to_linker(linker, get)?;)*
                let mut inst = linker.root();
                #(#root_wraps)*
                Ok(())
            }

            /// Looks up every interface the world exports in `instance`, checking each
            /// function's type against the WIT.
            #[allow(unused_mut, unused_variables)]
            pub fn new(
                mut store: impl ::weft::AsContextMut,
                instance: &::weft::component::Instance,
            ) -> ::weft::component::Result<Self> {
                Ok(#world_ident {
                    #(#guest_mods: exports::#guest_mods::Guest::new(&mut store, instance)?,)*
                    #(#root_lookups,)*
                })
            }

            #(#root_calls)*
        }
    })
}
