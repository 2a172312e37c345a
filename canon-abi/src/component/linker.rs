//! Linking: host definitions and other instances' exports that satisfy a component's
//! imports, by name.

use super::func::Func;
use super::instance::Instance;
use super::{Component, Definition, Exports};
use crate::error::{Error, Result};
use crate::resources::ResourceType;
use crate::val::Val;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::Arc;
use weft_interp::{AsContextMut, Engine, Store};

enum LinkerDef {
    Item(Definition),
    Instance(BTreeMap<String, LinkerDef>),
}

/// Resolves a component's imports by name and instantiates it.
///
/// See the [module documentation](super) for an example.
pub struct Linker<T> {
    engine: Engine,
    root: BTreeMap<String, LinkerDef>,
    allow_shadowing: bool,
    _marker: PhantomData<fn(T)>,
}

impl<T> core::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Linker")
            .field("names", &self.root.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The definitions of one instance in a [`Linker`] (the root, or an imported instance such
/// as `"wasi:cli/stdout"`).
pub struct LinkerInstance<'a, T> {
    path: String,
    allow_shadowing: bool,
    map: &'a mut BTreeMap<String, LinkerDef>,
    _marker: PhantomData<fn(T)>,
}

impl<T: 'static> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            root: BTreeMap::new(),
            allow_shadowing: false,
            _marker: PhantomData,
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition of a name replaces an earlier one (default: error).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    /// The root: definitions of the component's top-level imports.
    pub fn root(&mut self) -> LinkerInstance<'_, T> {
        LinkerInstance {
            path: String::new(),
            allow_shadowing: self.allow_shadowing,
            map: &mut self.root,
            _marker: PhantomData,
        }
    }

    /// The imported instance `name` (created empty if new).
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        self.root().into_instance(name)
    }

    /// Instantiates `component`: resolves its imports here and runs its plan.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        component: &Component,
    ) -> Result<Instance> {
        let store: &mut Store<T> = store.as_context_mut();
        let mut imports = Exports::new();
        for (name, _) in &component.def.imports {
            // A missing name is reported by instantiation, which knows whether the import
            // needs a definition (`eq`-bounded type imports do not).
            if let Some(d) = self.lookup(name) {
                imports.insert(name.clone(), to_definition(d));
            }
        }
        let (exports, state) = super::instantiate::instantiate(
            store,
            &component.def,
            &imports,
            &Default::default(),
            Vec::new(),
        )?;
        Ok(Instance {
            exports: Arc::new(exports),
            state,
        })
    }
}

impl<T> Linker<T> {
    /// The definition of import `name`: the one of that exact name, else (as wasmtime's
    /// linker does) one whose `@version` is semver-compatible with the import's — same
    /// major version, and same minor while the major is 0 — the highest such, so a host
    /// that defines `wasi:io/streams@0.2.6` satisfies imports of `@0.2.0` to `@0.2.9`.
    fn lookup(&self, name: &str) -> Option<&LinkerDef> {
        if let Some(d) = self.root.get(name) {
            return Some(d);
        }
        let (base, want) = split_version(name)?;
        self.root
            .iter()
            .filter_map(|(k, d)| {
                let (b, have) = split_version(k)?;
                let compatible = b == base && have.0 == want.0 && (want.0 != 0 || have.1 == want.1);
                compatible.then_some((have, d))
            })
            .max_by_key(|(have, _)| *have)
            .map(|(_, d)| d)
    }
}

/// `pkg:name/iface@MAJOR.MINOR.PATCH` -> (`pkg:name/iface`, (MAJOR, MINOR, PATCH)); `None`
/// without a plain release version (pre-release and build suffixes match only exactly).
fn split_version(name: &str) -> Option<(&str, (u64, u64, u64))> {
    let (base, version) = name.rsplit_once('@')?;
    let mut parts = version.split('.').map(|p| p.parse::<u64>().ok());
    let v = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some((base, v))
}

fn to_definition(d: &LinkerDef) -> Definition {
    match d {
        LinkerDef::Item(d) => d.clone(),
        LinkerDef::Instance(map) => Definition::Instance(Arc::new(
            map.iter()
                .map(|(k, v)| (k.clone(), to_definition(v)))
                .collect(),
        )),
    }
}

impl<'a, T: 'static> LinkerInstance<'a, T> {
    fn full(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}#{name}", self.path)
        }
    }

    fn insert(&mut self, name: &str, d: Definition) -> Result<&mut Self> {
        if !self.allow_shadowing && self.map.contains_key(name) {
            return Err(Error::Redefined(self.full(name)));
        }
        self.map.insert(name.to_string(), LinkerDef::Item(d));
        Ok(self)
    }

    /// Defines a host function with dynamically typed values; its type is the type of the
    /// import it satisfies.
    pub fn func_new(
        &mut self,
        name: &str,
        f: impl Fn(&mut Store<T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        self.insert(name, Definition::Func(Func::new_host(f)))
    }

    /// Defines a host function with Rust parameter and result types: `params` is a tuple of
    /// [`ComponentType`](super::ComponentType)s, the result `()` or a one-element tuple.
    /// Linking checks them against the import's type.
    ///
    /// ```
    /// # use weft_canon_abi::component::Linker;
    /// # let engine = weft_interp::Engine::default();
    /// let mut linker = Linker::<()>::new(&engine);
    /// linker.root().func_wrap("add", |_store, (a, b): (u32, u32)| Ok((a.wrapping_add(b),)))?;
    /// # Ok::<(), weft_canon_abi::Error>(())
    /// ```
    pub fn func_wrap<P, R>(
        &mut self,
        name: &str,
        f: impl Fn(&mut Store<T>, P) -> Result<R> + Send + Sync + 'static,
    ) -> Result<&mut Self>
    where
        P: super::ComponentParams + 'static,
        R: super::ComponentResults + 'static,
    {
        let check: super::func::TypeCheck = std::sync::Arc::new(|ty: &crate::types::FuncType| {
            P::typecheck(&ty.params) && R::typecheck(&ty.results)
        });
        let func = Func::new_host_checked(
            move |store: &mut Store<T>, params: &[Val], results: &mut [Val]| {
                f(store, P::from_vals(params)?)?.into_vals(results)
            },
            check,
        );
        self.insert(name, Definition::Func(func))
    }

    /// Defines `name` as an existing component function (e.g. another instance's export).
    pub fn func(&mut self, name: &str, func: Func) -> Result<&mut Self> {
        self.insert(name, Definition::Func(func))
    }

    /// Defines `name` as a resource type (a host resource, or another instance's).
    pub fn resource(&mut self, name: &str, ty: ResourceType) -> Result<&mut Self> {
        self.insert(name, Definition::Type(Some(ty)))
    }

    /// Defines `name` as the exported instance `export` of `instance` (`"iface"` or a `#`
    /// path), so one component's export satisfies another's import.
    pub fn instance_export(
        &mut self,
        name: &str,
        instance: &Instance,
        export: &str,
    ) -> Result<&mut Self> {
        let d = instance
            .lookup(export)
            .cloned()
            .ok_or_else(|| Error::ExportNotFound {
                kind: "item",
                name: export.to_string(),
            })?;
        self.insert(name, d)
    }

    /// Defines `name` as a core module (for components that import modules).
    pub fn module(&mut self, name: &str, module: weft_interp::Module) -> Result<&mut Self> {
        self.insert(name, Definition::Module(module))
    }

    /// Defines `name` as a component (for components that import components).
    pub fn component(&mut self, name: &str, component: &Component) -> Result<&mut Self> {
        let closure = super::instantiate::ComponentClosure {
            def: component.def.clone(),
            scopes: Vec::new(),
        };
        self.insert(name, Definition::Component(closure))
    }

    /// Defines `name` as a whole component instance (all its exports).
    pub fn define_instance(&mut self, name: &str, instance: &Instance) -> Result<&mut Self> {
        self.insert(name, Definition::Instance(instance.exports.clone()))
    }

    /// The nested instance `name` (created empty if new).
    pub fn instance(&mut self, name: &str) -> Result<LinkerInstance<'_, T>> {
        let path = self.full(name);
        let entry = self
            .map
            .entry(name.to_string())
            .or_insert_with(|| LinkerDef::Instance(BTreeMap::new()));
        match entry {
            LinkerDef::Instance(map) => Ok(LinkerInstance {
                path,
                allow_shadowing: self.allow_shadowing,
                map,
                _marker: PhantomData,
            }),
            LinkerDef::Item(_) => Err(Error::Redefined(path)),
        }
    }

    fn into_instance(self, name: &str) -> Result<LinkerInstance<'a, T>> {
        let path = self.full(name);
        let entry = self
            .map
            .entry(name.to_string())
            .or_insert_with(|| LinkerDef::Instance(BTreeMap::new()));
        match entry {
            LinkerDef::Instance(map) => Ok(LinkerInstance {
                path,
                allow_shadowing: self.allow_shadowing,
                map,
                _marker: PhantomData,
            }),
            LinkerDef::Item(_) => Err(Error::Redefined(path)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_version;

    #[test]
    fn versions_split_only_when_plain_semver() {
        assert_eq!(
            split_version("wasi:io/streams@0.2.6"),
            Some(("wasi:io/streams", (0, 2, 6)))
        );
        assert_eq!(split_version("wasi:io/streams"), None);
        assert_eq!(split_version("wasi:io/streams@0.2.0-rc-2023-11-10"), None);
        assert_eq!(split_version("wasi:io/streams@0.2"), None);
        assert_eq!(split_version("x@1.2.3.4"), None);
    }
}
