//! Functions: handles, host functions, calls from the host.

mod typed;

pub use typed::{IntoFunc, TypedFunc, WasmParams, WasmResults, WasmRet, WasmTy, WasmTyList};

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, FuncEntity, Store};
use crate::types::FuncType;
use crate::value::Val;
use crate::{Extern, Instance};
use std::sync::Arc;

/// A host function as the store keeps it: dynamic values in, dynamic values out.
pub(crate) type HostFuncFn<T> =
    Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static>;

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
pub struct Func(pub(crate) u32);

impl Func {
    /// A host function with dynamically typed parameters and results.
    pub fn new<C, F>(store: &mut C, ty: FuncType, func: F) -> Func
    where
        C: AsContextMut + ?Sized,
        F: Fn(Caller<'_, C::Data>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    {
        Func::from_host(store.as_context_mut(), Arc::new(ty), Arc::new(func))
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

    pub(crate) fn from_host<T>(store: &mut Store<T>, ty: Arc<FuncType>, f: HostFuncFn<T>) -> Func {
        let host = store.host_funcs.len() as u32;
        store.host_funcs.push(f);
        store.inner.funcs.push(FuncEntity::Host { ty, host });
        Func(store.inner.funcs.len() as u32 - 1)
    }

    /// The function's type.
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> FuncType {
        (**store.as_context().inner.funcs[self.0 as usize].ty()).clone()
    }

    /// Calls the function. `results` must have one slot per result; the types of `params`
    /// must match the function's parameters.
    pub fn call<C: AsContextMut + ?Sized>(
        &self,
        store: &mut C,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let store = store.as_context_mut();
        let ty = store.inner.funcs[self.0 as usize].ty().clone();
        if params.len() != ty.params().len()
            || params.iter().zip(ty.params()).any(|(v, t)| v.ty() != *t)
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
        crate::exec::invoke(store, *self, params, results)
    }

    /// A typed view of the function; errors if the types do not match.
    pub fn typed<Params: WasmParams, Results: WasmResults, C: AsContext + ?Sized>(
        &self,
        store: &C,
    ) -> Result<TypedFunc<Params, Results>> {
        TypedFunc::new(*self, &self.ty(store))
    }
}

/// The context a host function runs in: the store and the calling instance.
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

    /// An export of the calling instance (e.g. its `memory`), if called from Wasm.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        self.instance?.get_export(&*self.store, name)
    }

    /// The calling instance, if called from Wasm.
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
