//! Statically typed functions: Rust types that stand for Wasm types, typed calls from the
//! host, and host functions from plain closures.

use super::{Caller, CellsFn, Func, HostFuncFn, HostImpl};
use crate::error::{Error, Result};
use crate::store::{AsContextMut, FuncEntity};
use crate::types::{FuncType, ValType};
use crate::value::{ExternRef, Val};
use core::marker::PhantomData;
use std::sync::Arc;

/// A Rust type that stands for one Wasm value type.
pub trait WasmTy: Sized + Send + 'static {
    /// The Wasm type.
    fn valtype() -> ValType;
    /// Into a dynamic value.
    fn into_val(self) -> Val;
    /// From a dynamic value of type [`WasmTy::valtype`].
    fn from_val(val: Val) -> Option<Self>;
    /// Whether a value of this type is a number in one cell (`i32`, `i64`, `f32`, `f64`),
    /// which host calls can read and write without a `Val`.
    #[doc(hidden)]
    const NUMBER: bool = false;
    /// From a cell (for a [`WasmTy::NUMBER`] type).
    #[doc(hidden)]
    fn from_cell(_cell: u64) -> Option<Self> {
        None
    }
    /// Into a cell (for a [`WasmTy::NUMBER`] type; 0 for others).
    #[doc(hidden)]
    fn into_cell(self) -> u64 {
        0
    }
}

macro_rules! wasm_ty {
    ($t:ty, $vt:ident, |$v:ident| $into:expr, $from:pat => $out:expr
     $(, cell |$c:ident| $from_cell:expr, |$w:ident| $into_cell:expr)?) => {
        impl WasmTy for $t {
            fn valtype() -> ValType {
                ValType::$vt
            }
            fn into_val(self) -> Val {
                let $v = self;
                $into
            }
            fn from_val(val: Val) -> Option<Self> {
                match val {
                    $from => Some($out),
                    _ => None,
                }
            }
            $(
                const NUMBER: bool = true;
                fn from_cell($c: u64) -> Option<Self> {
                    Some($from_cell)
                }
                fn into_cell(self) -> u64 {
                    let $w = self;
                    $into_cell
                }
            )?
        }
    };
}

wasm_ty!(i32, I32, |v| Val::I32(v), Val::I32(x) => x,
    cell |c| c as u32 as i32, |v| v as u32 as u64);
wasm_ty!(u32, I32, |v| Val::I32(v as i32), Val::I32(x) => x as u32,
    cell |c| c as u32, |v| v as u64);
wasm_ty!(i64, I64, |v| Val::I64(v), Val::I64(x) => x,
    cell |c| c as i64, |v| v as u64);
wasm_ty!(u64, I64, |v| Val::I64(v as i64), Val::I64(x) => x as u64,
    cell |c| c, |v| v);
wasm_ty!(f32, F32, |v| Val::F32(v.to_bits()), Val::F32(x) => f32::from_bits(x),
    cell |c| f32::from_bits(c as u32), |v| v.to_bits() as u64);
wasm_ty!(f64, F64, |v| Val::F64(v.to_bits()), Val::F64(x) => f64::from_bits(x),
    cell |c| f64::from_bits(c), |v| v.to_bits());
wasm_ty!(u128, V128, |v| Val::V128(v), Val::V128(x) => x);
wasm_ty!(Option<Func>, FuncRef, |v| Val::FuncRef(v), Val::FuncRef(x) => x);
wasm_ty!(Option<ExternRef>, ExternRef, |v| Val::ExternRef(v), Val::ExternRef(x) => x);

/// A list of Wasm values as a Rust type: `()`, a single [`WasmTy`], or a tuple of them.
pub trait WasmTyList: Sized + Send + 'static {
    /// The Wasm types, in order.
    fn valtypes() -> Vec<ValType>;
    /// Into dynamic values.
    fn into_vals(self, out: &mut Vec<Val>);
    /// From dynamic values of the right types.
    fn from_vals(vals: &[Val]) -> Option<Self>;
    /// Passes each value to `f`, in order (the allocation-free form of `into_vals`).
    #[doc(hidden)]
    fn each_val(self, f: impl FnMut(Val));
    /// Builds the list from `next(type)` for each of its types, in order.
    #[doc(hidden)]
    fn from_each_val(next: impl FnMut(ValType) -> Val) -> Option<Self>;
    /// Whether every value is a [`WasmTy::NUMBER`] (one cell each).
    #[doc(hidden)]
    const NUMBERS: bool;
    /// From the first cells of `cells`, one per value (for [`WasmTyList::NUMBERS`]).
    #[doc(hidden)]
    fn from_cells(cells: &[u64]) -> Option<Self>;
    /// Into the first cells of `cells`, one per value (for [`WasmTyList::NUMBERS`]);
    /// `false` if there are too few cells.
    #[doc(hidden)]
    fn into_cells(self, cells: &mut [u64]) -> bool;
}

/// Parameters of a typed function.
pub trait WasmParams: WasmTyList {}
impl<L: WasmTyList> WasmParams for L {}
/// Results of a typed function.
pub trait WasmResults: WasmTyList {}
impl<L: WasmTyList> WasmResults for L {}

impl<A: WasmTy> WasmTyList for A {
    fn valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn into_vals(self, out: &mut Vec<Val>) {
        out.push(self.into_val());
    }
    fn from_vals(vals: &[Val]) -> Option<Self> {
        match vals {
            [v] => A::from_val(*v),
            _ => None,
        }
    }
    fn each_val(self, mut f: impl FnMut(Val)) {
        f(self.into_val());
    }
    fn from_each_val(mut next: impl FnMut(ValType) -> Val) -> Option<Self> {
        A::from_val(next(A::valtype()))
    }
    const NUMBERS: bool = A::NUMBER;
    fn from_cells(cells: &[u64]) -> Option<Self> {
        A::from_cell(*cells.first()?)
    }
    fn into_cells(self, cells: &mut [u64]) -> bool {
        match cells.first_mut() {
            Some(c) => {
                *c = self.into_cell();
                true
            }
            None => false,
        }
    }
}

macro_rules! tuple_list {
    ($($a:ident)*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, clippy::unused_unit)]
        impl<$($a: WasmTy),*> WasmTyList for ($($a,)*) {
            fn valtypes() -> Vec<ValType> {
                vec![$($a::valtype()),*]
            }
            fn into_vals(self, out: &mut Vec<Val>) {
                let ($($a,)*) = self;
                $(out.push($a.into_val());)*
            }
            fn from_vals(vals: &[Val]) -> Option<Self> {
                let mut it = vals.iter();
                let r = ($($a::from_val(*it.next()?)?,)*);
                if it.next().is_some() {
                    return None;
                }
                Some(r)
            }
            fn each_val(self, mut f: impl FnMut(Val)) {
                let ($($a,)*) = self;
                $(f($a.into_val());)*
            }
            fn from_each_val(mut next: impl FnMut(ValType) -> Val) -> Option<Self> {
                Some(($($a::from_val(next($a::valtype()))?,)*))
            }
            const NUMBERS: bool = true $(&& $a::NUMBER)*;
            fn from_cells(cells: &[u64]) -> Option<Self> {
                let mut it = cells.iter();
                Some(($($a::from_cell(*it.next()?)?,)*))
            }
            fn into_cells(self, cells: &mut [u64]) -> bool {
                let ($($a,)*) = self;
                let mut it = cells.iter_mut();
                $(match it.next() {
                    Some(c) => *c = $a.into_cell(),
                    None => return false,
                })*
                true
            }
        }
    };
}

tuple_list!();
tuple_list!(A1);
tuple_list!(A1 A2);
tuple_list!(A1 A2 A3);
tuple_list!(A1 A2 A3 A4);
tuple_list!(A1 A2 A3 A4 A5);
tuple_list!(A1 A2 A3 A4 A5 A6);
tuple_list!(A1 A2 A3 A4 A5 A6 A7);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
tuple_list!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);

/// What a host closure may return: values, or `Result` of values (an `Err` traps the caller).
pub trait WasmRet {
    /// The values.
    type List: WasmTyList;
    /// The values, or the error to raise.
    fn into_result(self) -> Result<Self::List>;
}

impl<L: WasmTyList> WasmRet for L {
    type List = L;
    fn into_result(self) -> Result<L> {
        Ok(self)
    }
}

impl<L: WasmTyList> WasmRet for Result<L> {
    type List = L;
    fn into_result(self) -> Result<L> {
        self
    }
}

/// A Rust closure that can become a host function. `Params` is a marker for the closure's
/// parameter list; you never name it.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    /// The function type and the forms of the closure the store keeps.
    #[doc(hidden)]
    fn into_func(self) -> (FuncType, HostImpl<T>);
}

/// Marker for closures that take a [`Caller`] first.
#[doc(hidden)]
pub struct WithCaller<P>(PhantomData<P>);

fn write_results<L: WasmTyList>(list: L, results: &mut [Val]) -> Result<()> {
    let mut n = 0;
    list.each_val(|v| {
        if let Some(slot) = results.get_mut(n) {
            *slot = v;
        }
        n += 1;
    });
    if n != results.len() {
        return Err(Error::TypeMismatch(
            "host function returned the wrong number of values".into(),
        ));
    }
    Ok(())
}

/// The form on cells of a typed host closure, when its parameters and results are all
/// numbers: `call` gets the arguments read from the cells and gives the results to write
/// back over them.
fn cells_form<T, P: WasmTyList, L: WasmTyList>(
    call: impl Fn(Caller<'_, T>, P) -> Result<L> + Send + Sync + 'static,
) -> Option<CellsFn<T>> {
    if !(P::NUMBERS && L::NUMBERS) {
        return None;
    }
    Some(Arc::new(move |caller: Caller<'_, T>, cells: &mut [u64]| {
        let params = P::from_cells(cells)
            .ok_or_else(|| Error::TypeMismatch("host function parameters".into()))?;
        if !call(caller, params)?.into_cells(cells) {
            return Err(Error::TypeMismatch("host function results".into()));
        }
        Ok(())
    }))
}

macro_rules! into_func {
    ($($a:ident)*) => {
        #[allow(non_snake_case, unused_variables, unused_mut)]
        impl<T, F, R, $($a: WasmTy),*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn into_func(self) -> (FuncType, HostImpl<T>) {
                let ty = FuncType::new(<($($a,)*)>::valtypes(), R::List::valtypes());
                let func = Arc::new(self);
                let g = func.clone();
                let dynamic: HostFuncFn<T> = Arc::new(move |_caller: Caller<'_, T>, params: &[Val], results: &mut [Val]| {
                    let ($($a,)*) = <($($a,)*)>::from_vals(params)
                        .ok_or_else(|| Error::TypeMismatch("host function parameters".into()))?;
                    write_results(g($($a),*).into_result()?, results)
                });
                let cells = cells_form(move |_caller: Caller<'_, T>, ($($a,)*): ($($a,)*)| {
                    func($($a),*).into_result()
                });
                (ty, HostImpl { dynamic, cells })
            }
        }

        #[allow(non_snake_case, unused_variables, unused_mut)]
        impl<T, F, R, $($a: WasmTy),*> IntoFunc<T, WithCaller<($($a,)*)>, R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn into_func(self) -> (FuncType, HostImpl<T>) {
                let ty = FuncType::new(<($($a,)*)>::valtypes(), R::List::valtypes());
                let func = Arc::new(self);
                let g = func.clone();
                let dynamic: HostFuncFn<T> = Arc::new(move |caller: Caller<'_, T>, params: &[Val], results: &mut [Val]| {
                    let ($($a,)*) = <($($a,)*)>::from_vals(params)
                        .ok_or_else(|| Error::TypeMismatch("host function parameters".into()))?;
                    write_results(g(caller, $($a),*).into_result()?, results)
                });
                let cells = cells_form(move |caller: Caller<'_, T>, ($($a,)*): ($($a,)*)| {
                    func(caller, $($a),*).into_result()
                });
                (ty, HostImpl { dynamic, cells })
            }
        }
    };
}

into_func!();
into_func!(A1);
into_func!(A1 A2);
into_func!(A1 A2 A3);
into_func!(A1 A2 A3 A4);
into_func!(A1 A2 A3 A4 A5);
into_func!(A1 A2 A3 A4 A5 A6);
into_func!(A1 A2 A3 A4 A5 A6 A7);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
into_func!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);

/// A function whose Wasm type matches the Rust types `Params -> Results`, checked once so
/// calls need no type checks.
///
/// ```
/// use weft_interp::{Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module (func (export "add") (param i32 i32) (result i32)
///     local.get 0 local.get 1 i32.add))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
/// let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add")?;
/// assert_eq!(add.call(&mut store, (2, 3))?, 5);
/// # Ok::<(), weft_interp::Error>(())
/// ```
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<P, R> core::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TypedFunc")
            .field("func", &self.func)
            .finish()
    }
}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    pub(crate) fn new(func: Func, ty: &FuncType) -> Result<Self> {
        let want = FuncType::new(Params::valtypes(), Results::valtypes());
        if &want != ty {
            return Err(Error::TypeMismatch(format!(
                "function has type {ty}, typed as {want}"
            )));
        }
        Ok(TypedFunc {
            func,
            _marker: PhantomData,
        })
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Calls the function. Errors with [`Error::StoreMismatch`] if the function or a reference among `params`
    /// belongs to another store.
    pub fn call<C: AsContextMut + ?Sized>(&self, store: &mut C, params: Params) -> Result<Results> {
        let store = store.as_context_mut();
        let id = store.inner.id;
        if let FuncEntity::Wasm { .. } = store.inner.func(self.func)? {
            // The fast path: values go straight to and from stack cells.
            let mut bad_ref = Ok(());
            return crate::exec::invoke_with(
                store,
                self.func,
                |cells| {
                    let mut n = 0;
                    params.each_val(|v| {
                        if let Err(e) = v.check_store(id) {
                            bad_ref = Err(e);
                        }
                        n += v.write_cells(cells.get_mut(n..).unwrap_or_default());
                    });
                    bad_ref
                },
                |cells| {
                    let mut n = 0;
                    Results::from_each_val(|ty| {
                        let v = Val::read_cells(ty, cells.get(n..).unwrap_or_default());
                        n += ty.cells();
                        v.in_store(id)
                    })
                    .ok_or_else(|| Error::TypeMismatch("typed function results".into()))
                },
            );
        }
        let mut args = Vec::new();
        params.into_vals(&mut args);
        for a in &args {
            a.check_store(id)?;
        }
        let mut results: Vec<Val> = Results::valtypes()
            .into_iter()
            .map(Val::default_for)
            .collect();
        crate::exec::invoke(store, self.func, &args, &mut results)?;
        for r in &mut results {
            *r = r.in_store(id);
        }
        Results::from_vals(&results)
            .ok_or_else(|| Error::TypeMismatch("typed function results".into()))
    }
}
