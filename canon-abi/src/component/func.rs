//! Component functions: `canon lift` (calls into an instance) and `canon lower` (calls out
//! of one), with the instance flags, borrow scopes and `post-return` (CanonicalABI.md:
//! "canon lift", "canon lower").

use super::copy;
use crate::abi::lower::core_of;
use crate::abi::{
    flatten_functype, flatten_types, lift_flat_values, lower_flat_values, Context, CoreType,
    CoreValueIter, LiftLowerContext, Memory, ResourceMap, StringEncoding, MAX_FLAT_PARAMS,
    MAX_FLAT_RESULTS,
};
use crate::error::{to_core, trap_if, Error, Result};
use crate::resources::{CallContext, InstanceRef};
use crate::types::FuncType;
use crate::val::Val;
use std::any::Any;
use std::sync::Arc;
use weft_interp::{AsContextMut, Store, Val as Core};

/// The sources of the strings of a call's values, in order (see [`CallContext`]).
type StringSources = std::collections::VecDeque<crate::abi::string::StringSource>;

/// A host function as a linker keeps it.
pub(crate) type HostFn<T> =
    Arc<dyn Fn(&mut Store<T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync>;

/// The canonical options of a lift or lower, resolved to core objects.
#[derive(Clone, Default)]
pub(crate) struct RuntimeOpts {
    pub memory: Option<weft_interp::Memory>,
    pub realloc: Option<weft_interp::Func>,
    pub post_return: Option<weft_interp::Func>,
    pub string_encoding: StringEncoding,
    /// The `gc` option: see [`RuntimeOpts::max_flat_params`].
    pub gc: bool,
    /// The pointer type of `memory`: `i64` for a 64-bit memory (🐘), else `i32`.
    pub ptr_type: CoreType,
}

impl RuntimeOpts {
    /// How many flat parameters pass as core values before they spill to memory:
    /// CanonicalABI.md's `MAX_FLAT_PARAMS`, or no limit under the `gc` option, whose
    /// lowering passes one core value per parameter.
    pub(crate) fn max_flat_params(&self) -> usize {
        if self.gc {
            usize::MAX
        } else {
            MAX_FLAT_PARAMS
        }
    }

    /// As [`RuntimeOpts::max_flat_params`], for results (`MAX_FLAT_RESULTS`).
    pub(crate) fn max_flat_results(&self) -> usize {
        if self.gc {
            usize::MAX
        } else {
            MAX_FLAT_RESULTS
        }
    }
}

/// Under the `gc` canonical option Weft passes only values whose GC lowering is one plain
/// core value (numbers, `bool`, `char`, `enum`, `flags`); the lowering of strings, lists,
/// records, variants and handles to GC references is not implemented.
pub(crate) fn check_gc_signature(ty: &FuncType) -> Result<()> {
    use crate::types::Type as T;
    let plain = |t: &T| match t {
        T::Bool
        | T::S8
        | T::U8
        | T::S16
        | T::U16
        | T::S32
        | T::U32
        | T::S64
        | T::U64
        | T::Float32
        | T::Float64
        | T::Char
        | T::Enum(_) => true,
        T::Flags(labels) => labels.len() <= 32,
        _ => false,
    };
    match ty
        .param_types()
        .iter()
        .chain(ty.result_types())
        .find(|t| !plain(t))
    {
        Some(t) => Err(Error::Unsupported(format!(
            "canonical option `gc` with a value of type `{t}`: only numbers, bool, char, \
             enum and flags pass as GC values in Weft"
        ))),
        None => Ok(()),
    }
}

/// A core function lifted to a component function, with its instance.
pub(crate) struct Lifted {
    pub ty: Arc<FuncType>,
    /// `ft.param_types()`, computed once.
    pub param_types: Vec<crate::types::Type>,
    pub callee: weft_interp::Func,
    pub opts: RuntimeOpts,
    pub inst: InstanceRef,
    pub resources: Arc<ResourceMap>,
}

enum FuncInner {
    Lifted(Lifted),
    /// A `HostFn<T>`, type-erased so that `Func` needs no type parameter, for typed host
    /// functions a check of the import's type against the Rust signature, and once the
    /// function satisfies an import, that import's type.
    Host(
        Arc<dyn Any + Send + Sync>,
        Option<TypeCheck>,
        Option<Arc<FuncType>>,
    ),
}

/// Checks a function type against a typed host function's Rust signature.
pub(crate) type TypeCheck = Arc<dyn Fn(&FuncType) -> bool + Send + Sync>;

/// A component function: exported by a component instance or defined by the host.
///
/// It belongs to the store its instance was created in.
#[derive(Clone)]
pub struct Func(Arc<FuncInner>);

impl core::fmt::Debug for Func {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &*self.0 {
            FuncInner::Lifted(l) => write!(f, "Func({})", l.ty),
            FuncInner::Host(..) => f.write_str("Func(host)"),
        }
    }
}

/// The linear memory of a canonical-options set, reached through the store.
pub(crate) struct StoreMemory<'a, T> {
    pub store: &'a mut Store<T>,
    pub opts: &'a RuntimeOpts,
}

impl<T> Memory for StoreMemory<'_, T> {
    fn bytes(&self) -> Result<&[u8]> {
        match self.opts.memory {
            Some(m) => Ok(m.data(&*self.store)),
            None => Err(Error::Unsupported(
                "the canonical option `memory` is missing".into(),
            )),
        }
    }
    fn bytes_mut(&mut self) -> Result<&mut [u8]> {
        match self.opts.memory {
            Some(m) => Ok(m.data_mut(&mut *self.store)),
            None => Err(Error::Unsupported(
                "the canonical option `memory` is missing".into(),
            )),
        }
    }
    fn realloc(&mut self, old_ptr: u64, old_size: u64, align: u32, new_size: u64) -> Result<u64> {
        let f = self.opts.realloc.ok_or_else(|| {
            Error::Unsupported("the canonical option `realloc` is missing".into())
        })?;
        let pt = self.opts.ptr_type;
        let args = [old_ptr, old_size, u64::from(align), new_size].map(|x| core_of(pt, x));
        let mut out = [core_of(pt, 0)];
        f.call(&mut *self.store, &args, &mut out)?;
        Ok(match out[0] {
            Core::I64(p) => p as u64,
            Core::I32(p) => u64::from(p as u32),
            _ => 0,
        })
    }
}

/// What remains of a lifted call once its results are lifted: `post-return` and the end
/// of the call's borrow scope.
pub(crate) struct PostReturn {
    inner: Option<PendingPostReturn>,
}

struct PendingPostReturn {
    post_return: Option<weft_interp::Func>,
    flat_results: Vec<Core>,
    inst: InstanceRef,
    scope: u64,
}

impl PostReturn {
    fn none() -> PostReturn {
        PostReturn { inner: None }
    }

    /// CanonicalABI.md: the `post_return` closure of `canon_lift`.
    pub(crate) fn run<T>(self, store: &mut Store<T>) -> Result<()> {
        let Some(PendingPostReturn {
            post_return,
            flat_results,
            inst,
            scope,
        }) = self.inner
        else {
            return Ok(());
        };
        if let Some(f) = post_return {
            // CanonicalABI.md: post-return runs with `may_leave` cleared — it may not call
            // imports or handle-creating built-ins.
            inst.lock().may_leave = false;
            let r = f.call(&mut *store, &flat_results, &mut []);
            inst.lock().may_leave = true;
            if let Err(e) = r {
                poison(&inst, scope);
                return Err(e.into());
            }
        }
        let mut st = inst.lock();
        st.may_enter = true;
        // CanonicalABI.md: `exit_call` — `trap_if(self.borrow_count != 0)`.
        if st.exit_scope(scope) != 0 {
            st.poisoned = true;
            return Err(Error::Trap(
                "borrow handles still remain at the end of the call".into(),
            ));
        }
        Ok(())
    }
}

/// A trap leaves the instance unusable: it may never be entered again.
fn poison(inst: &InstanceRef, scope: u64) {
    let mut st = inst.lock();
    st.poisoned = true;
    st.may_leave = true;
    st.exit_scope(scope);
}

impl Func {
    pub(crate) fn lifted(l: Lifted) -> Func {
        Func(Arc::new(FuncInner::Lifted(l)))
    }

    /// A host function with dynamically typed parameters and results; its type is the one
    /// the importing component gives it.
    pub fn new_host<T: 'static>(
        f: impl Fn(&mut Store<T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        let f: HostFn<T> = Arc::new(f);
        Func(Arc::new(FuncInner::Host(Arc::new(f), None, None)))
    }

    /// A host function whose Rust signature `check` verifies against the import type.
    pub(crate) fn new_host_checked<T: 'static>(
        f: impl Fn(&mut Store<T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
        check: TypeCheck,
    ) -> Func {
        let f: HostFn<T> = Arc::new(f);
        Func(Arc::new(FuncInner::Host(Arc::new(f), Some(check), None)))
    }

    /// The function's type, if it is exported by a component. A host function has none
    /// until a component imports it: it takes the type of the import it satisfies (so a
    /// component that re-exports it exports a typed function).
    pub fn ty(&self) -> Option<&FuncType> {
        match &*self.0 {
            FuncInner::Lifted(l) => Some(&l.ty),
            FuncInner::Host(_, _, ty) => ty.as_deref(),
        }
    }

    /// This function as it satisfies an import of type `ty`: a host function takes that
    /// type (see [`Func::ty`]); a component function keeps its own.
    pub(crate) fn as_import_of(&self, ty: &Arc<FuncType>) -> Func {
        match &*self.0 {
            FuncInner::Host(h, check, None) => Func(Arc::new(FuncInner::Host(
                h.clone(),
                check.clone(),
                Some(ty.clone()),
            ))),
            _ => self.clone(),
        }
    }

    /// Whether the function can satisfy an import of type `ty`: a component function of
    /// the same shape, a typed host function whose Rust types match, or a dynamic host
    /// function (which takes any type).
    pub(crate) fn accepts(&self, ty: &FuncType) -> core::result::Result<(), String> {
        match &*self.0 {
            FuncInner::Lifted(l) if !l.ty.same_shape(ty) => {
                Err(format!("expected type `{ty}`, found `{}`", l.ty))
            }
            FuncInner::Host(_, Some(check), _) if !check(ty) => Err(format!(
                "the host function's Rust types do not match `{ty}`"
            )),
            _ => Ok(()),
        }
    }

    /// Calls the function. `results` must have one slot per result. `post-return` runs
    /// before this returns, so the call is complete.
    pub fn call<T: 'static>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let store = store.as_context_mut();
        if let Some(ty) = self.ty() {
            if params.len() != ty.params.len() || results.len() != ty.results.len() {
                return Err(Error::TypeMismatch(format!(
                    "{ty} called with {} parameters and {} result slots",
                    params.len(),
                    results.len()
                )));
            }
        }
        let (vals, _, post_return) =
            self.call_raw(store, params, results.len(), Default::default())?;
        results.clone_from_slice(&vals);
        post_return.run(store)
    }

    /// Calls the function and returns its results with the `post-return` still to run.
    /// `strings` are the sources of the string arguments (see [`CallContext`]); the
    /// sources of the string results come back.
    pub(crate) fn call_raw<T: 'static>(
        &self,
        store: &mut Store<T>,
        params: &[Val],
        num_results: usize,
        strings: StringSources,
    ) -> Result<(Vec<Val>, StringSources, PostReturn)> {
        match &*self.0 {
            FuncInner::Lifted(l) => canon_lift(store, l, params, strings),
            FuncInner::Host(h, ..) => {
                let f = h.downcast_ref::<HostFn<T>>().ok_or_else(|| {
                    Error::TypeMismatch("host function used with a store of another type".into())
                })?;
                let mut results = vec![Val::Bool(false); num_results];
                f(store, params, &mut results)?;
                Ok((results, StringSources::new(), PostReturn::none()))
            }
        }
    }
}

/// CanonicalABI.md: `canon_lift` — enter the instance, lower the arguments into its memory,
/// call the core function, lift its results.
fn canon_lift<T>(
    store: &mut Store<T>,
    f: &Lifted,
    args: &[Val],
    strings: StringSources,
) -> Result<(Vec<Val>, StringSources, PostReturn)> {
    canon_lift_with(
        store,
        f,
        strings,
        |cx| lower_flat_values(cx, f.opts.max_flat_params(), args, &f.param_types, None),
        |cx, vi| lift_flat_values(cx, f.opts.max_flat_results(), vi, f.ty.result_types()),
    )
}

/// `canon_lift` with the lowering of the arguments and the lifting of the results given:
/// [`Val`]s for the generic path, bytes for the fast path (`copy.rs`).
fn canon_lift_with<T, R>(
    store: &mut Store<T>,
    f: &Lifted,
    strings: StringSources,
    lower_args: impl FnOnce(&mut LiftLowerContext<'_>) -> Result<Vec<Core>>,
    lift_results: impl FnOnce(&mut LiftLowerContext<'_>, &mut CoreValueIter<'_>) -> Result<R>,
) -> Result<(R, StringSources, PostReturn)> {
    let mut call = CallContext::new();
    call.strings = strings;
    {
        let mut st = f.inst.lock();
        trap_if(
            st.poisoned || !st.may_enter,
            "cannot enter component instance",
        )?;
        st.may_enter = false;
        st.enter_scope(call.scope);
        st.may_leave = false;
    }
    let scope = call.scope;
    let undo = |e: Error| {
        if e.is_trap() {
            poison(&f.inst, scope);
        } else {
            let mut st = f.inst.lock();
            st.may_enter = true;
            st.may_leave = true;
            st.exit_scope(scope);
        }
        e
    };
    let flat_args = with_cx(store, &f.opts, &f.inst, &f.resources, &mut call, lower_args);
    f.inst.lock().may_leave = true;
    let flat_args = flat_args.map_err(undo)?;
    let core_ty = f.callee.ty(&*store);
    let mut flat_results: Vec<Core> = core_ty
        .results()
        .iter()
        .map(|t| Core::default_for(*t))
        .collect();
    if let Err(e) = f.callee.call(&mut *store, &flat_args, &mut flat_results) {
        poison(&f.inst, scope);
        return Err(e.into());
    }
    call.strings.clear();
    let results = with_cx(store, &f.opts, &f.inst, &f.resources, &mut call, |cx| {
        lift_results(cx, &mut CoreValueIter::new(&flat_results))
    });
    let results = results.inspect_err(|_| poison(&f.inst, scope))?;
    let post = PostReturn {
        inner: Some(PendingPostReturn {
            post_return: f.opts.post_return,
            flat_results,
            inst: f.inst.clone(),
            scope,
        }),
    };
    Ok((results, std::mem::take(&mut call.strings), post))
}

/// Runs `f` with a lift/lower context over the store's memory of `opts` (the spec's `cx`).
fn with_cx<T, R>(
    store: &mut Store<T>,
    opts: &RuntimeOpts,
    inst: &InstanceRef,
    resource_types: &ResourceMap,
    call: &mut CallContext,
    f: impl FnOnce(&mut LiftLowerContext<'_>) -> R,
) -> R {
    let mut memory = StoreMemory { store, opts };
    f(&mut LiftLowerContext {
        memory: &mut memory,
        string_encoding: opts.string_encoding,
        ptr_type: opts.ptr_type,
        inst,
        resource_types,
        call,
    })
}

/// A component function lowered into a core function of an instance.
pub(crate) struct Lowered {
    pub callee: Func,
    pub ty: Arc<FuncType>,
    /// `ft.param_types()`, computed once.
    pub param_types: Vec<crate::types::Type>,
    pub opts: RuntimeOpts,
    pub inst: InstanceRef,
    pub resources: Arc<ResourceMap>,
}

impl Lowered {
    /// The core function `canon lower` defines.
    pub(crate) fn into_core<T: 'static>(self, store: &mut Store<T>) -> weft_interp::Func {
        let (params, results) = if self.opts.gc {
            // The GC lowering never spills (see `check_gc_signature`).
            (
                flatten_types(&self.param_types, self.opts.ptr_type),
                flatten_types(self.ty.result_types(), self.opts.ptr_type),
            )
        } else {
            flatten_functype(&self.ty, Context::Lower, self.opts.ptr_type)
        };
        let core_ty = weft_interp::FuncType::new(
            params.iter().map(|t| t.to_interp()),
            results.iter().map(|t| t.to_interp()),
        );
        // A call into another component's lifted function may copy its strings and lists
        // memory to memory.
        let fast = match &*self.callee.0 {
            FuncInner::Lifted(callee) => copy::plan(
                &self.ty,
                self.opts.string_encoding,
                callee.opts.string_encoding,
            ),
            FuncInner::Host(..) => None,
        };
        weft_interp::Func::new(store, core_ty, move |mut caller, args, results| {
            let store = caller.as_context_mut();
            match (&fast, &*self.callee.0) {
                (Some(plan), FuncInner::Lifted(callee)) => {
                    canon_lower_copy(store, &self, callee, plan, args, results)
                }
                _ => canon_lower(store, &self, args, results),
            }
            .map_err(to_core)
        })
    }
}

/// CanonicalABI.md: `canon_lower` — lift the arguments out of the caller's memory, call the
/// callee, lower its results back, run its `post-return`, return the lent handles.
fn canon_lower<T: 'static>(
    store: &mut Store<T>,
    l: &Lowered,
    flat_args: &[Core],
    out: &mut [Core],
) -> Result<()> {
    trap_if(!l.inst.lock().may_leave, "cannot leave component instance")?;
    let mut call = CallContext::new();
    let mut vi = CoreValueIter::new(flat_args);
    let args = with_cx(store, &l.opts, &l.inst, &l.resources, &mut call, |cx| {
        lift_flat_values(cx, l.opts.max_flat_params(), &mut vi, &l.param_types)
    })?;
    let strings = std::mem::take(&mut call.strings);
    let (results, strings, post_return) =
        l.callee
            .call_raw(store, &args, l.ty.results.len(), strings)?;
    call.strings = strings;
    l.inst.lock().may_leave = false;
    let flat_results = with_cx(store, &l.opts, &l.inst, &l.resources, &mut call, |cx| {
        lower_flat_values(
            cx,
            l.opts.max_flat_results(),
            &results,
            l.ty.result_types(),
            Some(&mut vi),
        )
    });
    l.inst.lock().may_leave = true;
    let flat_results = flat_results?;
    post_return.run(store)?;
    call.release_lends(&l.inst);
    if flat_results.len() != out.len() {
        return Err(Error::TypeMismatch(
            "lowered results do not match the core signature".into(),
        ));
    }
    out.copy_from_slice(&flat_results);
    Ok(())
}

/// `canon_lower` of a call into another component's lifted function whose strings and
/// lists can be copied memory to memory (see `copy.rs`): the same steps, with bytes in
/// place of [`Val`]s.
fn canon_lower_copy<T: 'static>(
    store: &mut Store<T>,
    l: &Lowered,
    callee: &Lifted,
    plan: &copy::Plan,
    flat_args: &[Core],
    out: &mut [Core],
) -> Result<()> {
    trap_if(!l.inst.lock().may_leave, "cannot leave component instance")?;
    let mut call = CallContext::new();
    let mut vi = CoreValueIter::new(flat_args);
    let args = with_cx(store, &l.opts, &l.inst, &l.resources, &mut call, |cx| {
        plan.params
            .iter()
            .zip(&l.param_types)
            .map(|(k, t)| copy::lift_raw(cx, &mut vi, t, *k))
            .collect::<Result<Vec<_>>>()
    })?;
    let result_type = callee.ty.result_types().first();
    let (result, _, post_return) = canon_lift_with(
        store,
        callee,
        StringSources::new(),
        |cx| {
            let mut flat = Vec::new();
            for ((v, k), t) in args.iter().zip(&plan.params).zip(&callee.param_types) {
                flat.extend(copy::lower_raw(cx, v, t, *k)?);
            }
            Ok(flat)
        },
        |cx, results| match (plan.result, result_type) {
            (Some(k), Some(t)) => copy::lift_result(cx, results, t, k).map(Some),
            _ => Ok(None),
        },
    )?;
    l.inst.lock().may_leave = false;
    let flat_results = with_cx(
        store,
        &l.opts,
        &l.inst,
        &l.resources,
        &mut call,
        |cx| match (&result, plan.result, l.ty.result_types().first()) {
            (Some(v), Some(k), Some(t)) => copy::lower_result(cx, v, t, k, &mut vi),
            _ => Ok(Vec::new()),
        },
    );
    l.inst.lock().may_leave = true;
    let flat_results = flat_results?;
    post_return.run(store)?;
    call.release_lends(&l.inst);
    if flat_results.len() != out.len() {
        return Err(Error::TypeMismatch(
            "lowered results do not match the core signature".into(),
        ));
    }
    out.copy_from_slice(&flat_results);
    Ok(())
}
