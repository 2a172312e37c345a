//! Functions: handles, host functions, calls from the host.

mod typed;

pub use typed::{IntoFunc, TypedFunc, WasmParams, WasmResults, WasmRet, WasmTy, WasmTyList};

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, FuncEntity, Importer, Store, StoreId};
use crate::types::FuncType;
use crate::value::Val;
use crate::{Extern, Instance};
use std::sync::Arc;

/// A host function as the store keeps it: dynamic values in, dynamic values out.
pub(crate) type HostFuncFn<T> =
    Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static>;

/// A host function of numbers only, on the interpreter's cells: it reads its arguments
/// from the first cells and writes its results over them (one cell per value).
pub(crate) type CellsFn<T> =
    Arc<dyn Fn(Caller<'_, T>, &mut [u64]) -> Result<()> + Send + Sync + 'static>;

/// The embedder's host function: its dynamic form, and for a typed closure whose
/// parameters and results are all numbers, the form on cells that Wasm calls use.
/// (Public only as the result of [`IntoFunc`]'s hidden method.)
#[doc(hidden)]
pub struct HostImpl<T> {
    pub(crate) dynamic: HostFuncFn<T>,
    pub(crate) cells: Option<CellsFn<T>>,
}

impl<T> Clone for HostImpl<T> {
    fn clone(&self) -> Self {
        HostImpl {
            dynamic: self.dynamic.clone(),
            cells: self.cells.clone(),
        }
    }
}

/// A function in a store: defined in Wasm or by the host.
///
/// ```
/// use weft_interp::{Engine, Func, Store, Val};
/// let mut store = Store::new(&Engine::default(), ());
/// let double = Func::wrap(&mut store, |x: i32| x * 2);
/// let mut out = [Val::I32(0)];
/// double.call(&mut store, &[Val::I32(21)], &mut out)?;
/// assert_eq!(out[0], Val::I32(42));
/// # Ok::<(), weft_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32, pub(crate) StoreId);

impl Func {
    /// A host function with dynamically typed parameters and results.
    pub fn new<C, F>(store: &mut C, ty: FuncType, func: F) -> Func
    where
        C: AsContextMut + ?Sized,
        F: Fn(Caller<'_, C::Data>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    {
        let f = HostImpl {
            dynamic: Arc::new(func),
            cells: None,
        };
        Func::from_host(store.as_context_mut(), Arc::new(ty), f)
    }

    /// A host function from a Rust closure with Wasm-typed parameters and results, optionally
    /// taking a [`Caller`] first.
    pub fn wrap<C, Params, Results>(
        store: &mut C,
        func: impl IntoFunc<C::Data, Params, Results>,
    ) -> Func
    where
        C: AsContextMut + ?Sized,
    {
        let (ty, f) = func.into_func();
        Func::from_host(store.as_context_mut(), Arc::new(ty), f)
    }

    pub(crate) fn from_host<T>(store: &mut Store<T>, ty: Arc<FuncType>, f: HostImpl<T>) -> Func {
        let host = store.host_funcs.len() as u32;
        Arc::make_mut(&mut store.host_impls).push(f);
        store
            .host_funcs
            .push(bind_host_func(store.inner.id, host, &ty));
        store.inner.host_importers.push(Importer::None);
        let type_id = store.inner.engine.types().register_func(&ty);
        store
            .inner
            .funcs
            .push(FuncEntity::Host { ty, type_id, host });
        Func(store.inner.funcs.len() as u32 - 1, store.inner.id)
    }

    /// The function's type. For a function of another store, the empty type `[] -> []`
    /// ([`Func::typed`] and [`Func::call`] report [`Error::StoreMismatch`] instead).
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> FuncType {
        match store.as_context().inner.func(*self) {
            Ok(f) => (**f.ty()).clone(),
            Err(_) => FuncType::new(Vec::new(), Vec::new()),
        }
    }

    /// Calls the function. `results` must have one slot per result; the types of `params`
    /// must match the function's parameters. Errors with [`Error::StoreMismatch`] if the
    /// function or a reference among `params` belongs to another store.
    pub fn call<C: AsContextMut + ?Sized>(
        &self,
        store: &mut C,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let store = store.as_context_mut();
        let ty = store.inner.func(*self)?.ty().clone();
        if params.len() != ty.params().len()
            || params
                .iter()
                .zip(ty.params())
                .any(|(v, t)| !store.inner.val_matches(v, *t))
        {
            let got: Vec<String> = params.iter().map(|v| v.ty().to_string()).collect();
            return Err(Error::TypeMismatch(format!(
                "function {ty} called with parameters ({})",
                got.join(" ")
            )));
        }
        if results.len() != ty.results().len() {
            return Err(Error::TypeMismatch(format!(
                "function {ty} returns {} values, {} result slots given",
                ty.results().len(),
                results.len()
            )));
        }
        for p in params {
            p.check_store(store.inner.id)?;
        }
        crate::exec::invoke(store, *self, params, results)?;
        let id = store.inner.id;
        for r in results {
            *r = r.in_store(id);
        }
        Ok(())
    }

    /// A typed view of the function; errors if the types do not match.
    pub fn typed<Params: WasmParams, Results: WasmResults>(
        &self,
        store: &impl AsContext,
    ) -> Result<TypedFunc<Params, Results>> {
        TypedFunc::new(*self, store.as_context().inner.func(*self)?.ty())
    }
}

/// What the interpreter calls for host function number `host` of store `id`: the
/// embedder's function (`Store::host_impls[host]`) with the store's bookkeeping around it.
/// Values read from the interpreter's cells do not know their store, so references among
/// the parameters get this store's id; references among the results must belong to this
/// store (else [`Error::StoreMismatch`]: a cell cannot name another store's object). Called
/// directly from the host, the function sees the instance that imported it, if only one
/// did. (The embedder's function is looked up, not captured, so that `T` need not be
/// `'static`.)
fn bind_host_func<T>(id: StoreId, host: u32, ty: &FuncType) -> HostFuncFn<T> {
    let has_refs = ty.params().iter().chain(ty.results()).any(|t| t.is_ref());
    Arc::new(
        move |mut caller: Caller<'_, T>, params: &[Val], results: &mut [Val]| {
            let Some(f) = caller.store.host_impls.get(host as usize) else {
                return Err(Error::StoreMismatch("func"));
            };
            let f = f.dynamic.clone();
            if caller.instance.is_none() {
                let importer = caller.store.inner.host_importers.get(host as usize);
                if let Some(Importer::One(i)) = importer {
                    caller.instance = Some(Instance(*i, id));
                }
            }
            if !has_refs {
                return f(caller, params, results);
            }
            let params: Vec<Val> = params.iter().map(|v| v.in_store(id)).collect();
            f(caller, &params, results)?;
            results.iter().try_for_each(|r| r.check_store(id))
        },
    )
}

/// The context a host function runs in: the store and the calling instance (see
/// [`Caller::instance`] for which instance a host function sees when the host calls it
/// directly). It is an [`AsContextMut`], so handles take it in place of the store, e.g.
/// [`Memory::data_and_store_mut`](crate::Memory::data_and_store_mut) to borrow guest memory
/// and the host state together.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<Instance>,
}

impl<T> core::fmt::Debug for Caller<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Caller")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl<T> Caller<'_, T> {
    /// The host state.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The host state, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// An export of the calling instance (e.g. its `memory`); see [`Caller::instance`] for
    /// which instance that is. `None` if there is no such export, or no instance.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        self.instance?.get_export(&*self.store, name)
    }

    /// The instance the host function is called for:
    /// - called from Wasm: the instance of the calling Wasm function (even if the host
    ///   function reached it through a table or another instance's import);
    /// - called directly from the host ([`Func::call`], [`TypedFunc::call`]): the instance
    ///   that imported the function, if exactly one did (a host function defined in a
    ///   [`Linker`](crate::Linker) is made anew for each instantiation, so it has one);
    ///   `None` for a function no instance imported, or that several instances imported.
    pub fn instance(&self) -> Option<Instance> {
        self.instance
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.store
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}
