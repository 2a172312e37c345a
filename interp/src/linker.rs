//! Linking: named definitions that satisfy imports (spec §4.5.4, step "imports").

use crate::error::{Error, Result};
use crate::func::{HostImpl, IntoFunc};
use crate::module::Module;
use crate::store::{AsContext, AsContextMut, Store};
use crate::types::FuncType;
use crate::value::Val;
use crate::{Caller, Engine, Extern, Func, Instance};
use std::collections::HashMap;
use std::sync::Arc;

enum Definition<T> {
    Extern(Extern),
    HostFunc(Arc<FuncType>, HostImpl<T>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::HostFunc(t, f) => Definition::HostFunc(t.clone(), f.clone()),
        }
    }
}

/// Resolves a module's imports by `(module, name)` and instantiates it.
///
/// ```
/// use weft_interp::{Caller, Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module
///     (import "calculator" "add" (func $add (param i32 i32) (result i32)))
///     (import "host" "count" (func $count))
///     (func (export "consume_add") (param i32 i32) (result i32)
///         call $count
///         local.get 0 local.get 1 call $add))"#)?;
/// let mut store = Store::new(&engine, 0u32);
/// let mut linker = Linker::<u32>::new(&engine);
/// linker.func_wrap("calculator", "add", |a: i32, b: i32| a.wrapping_add(b))?;
/// linker.func_wrap("host", "count", |mut caller: Caller<'_, u32>| *caller.data_mut() += 1)?;
/// let instance = linker.instantiate(&mut store, &module)?;
/// let f = instance.get_typed_func::<(i32, i32), i32>(&store, "consume_add")?;
/// assert_eq!(f.call(&mut store, (1, 2))?, 3);
/// assert_eq!(*store.data(), 1);
/// # Ok::<(), weft_interp::Error>(())
/// ```
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
    allow_shadowing: bool,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
            allow_shadowing: self.allow_shadowing,
        }
    }
}

impl<T> core::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Linker")
            .field("definitions", &self.defs.len())
            .finish()
    }
}

impl<T> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition of the same name replaces an earlier one (default: error).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<&mut Self> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::Redefined {
                module: key.0,
                name: key.1,
            });
        }
        self.defs.insert(key, def);
        Ok(self)
    }

    /// Defines `module::name` as an existing store object. It can only satisfy imports of
    /// modules instantiated in that object's store (others fail with
    /// [`Error::StoreMismatch`]).
    pub fn define(
        &mut self,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines a host function from a typed closure (optionally taking a [`Caller`] first).
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let (ty, f) = func.into_func();
        self.insert(module, name, Definition::HostFunc(Arc::new(ty), f))
    }

    /// Defines a host function with dynamically typed values.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        self.insert(
            module,
            name,
            Definition::HostFunc(
                Arc::new(ty),
                HostImpl {
                    dynamic: Arc::new(func),
                    cells: None,
                },
            ),
        )
    }

    /// Defines every export of `instance` under the module name `module`; errors with
    /// [`Error::StoreMismatch`] if `instance` belongs to another store.
    pub fn instance<C: AsContextMut<Data = T> + ?Sized>(
        &mut self,
        store: &mut C,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        store.as_context().inner.instance(instance)?;
        for (name, ext) in instance.exports(store.as_context_mut()) {
            self.define(module, &name, ext)?;
        }
        Ok(self)
    }

    /// The definition of `module::name` as a store object (host functions are put into the
    /// store).
    pub fn get<C: AsContextMut<Data = T> + ?Sized>(
        &self,
        store: &mut C,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let def = self.defs.get(&(module.to_string(), name.to_string()))?;
        Some(self.materialize(store.as_context_mut(), def))
    }

    fn materialize(&self, store: &mut Store<T>, def: &Definition<T>) -> Extern {
        match def {
            Definition::Extern(e) => *e,
            Definition::HostFunc(ty, f) => {
                Extern::Func(Func::from_host(store, ty.clone(), f.clone()))
            }
        }
    }

    /// Instantiates `module`: resolves its imports here, allocates it in the store, runs
    /// its start function.
    pub fn instantiate<C: AsContextMut<Data = T> + ?Sized>(
        &self,
        store: &mut C,
        module: &Module,
    ) -> Result<Instance> {
        let store = store.as_context_mut();
        let mut imports = Vec::with_capacity(module.inner.imports.len());
        for import in &module.inner.imports {
            let def = self
                .defs
                .get(&(import.module.clone(), import.name.clone()))
                .ok_or_else(|| Error::UnknownImport {
                    module: import.module.clone(),
                    name: import.name.clone(),
                })?;
            imports.push(self.materialize(store, def));
        }
        crate::instance::instantiate(store, module, &imports)
    }
}

impl Instance {
    /// Instantiates `module` with imports given in order, without a linker.
    pub fn new<C: AsContextMut + ?Sized>(
        store: &mut C,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        crate::instance::instantiate(store.as_context_mut(), module, imports)
    }
}
