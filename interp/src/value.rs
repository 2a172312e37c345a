//! Runtime values: [`Val`] for the API, untyped 64-bit cells inside the interpreter.

use crate::error::{Error, Result};
use crate::exception::ExnRef;
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::types::ValType;
use crate::Func;
use core::any::Any;

/// A reference to a host value, owned by a [`Store`](crate::Store).
///
/// ```
/// use weft_interp::{Engine, ExternRef, Store};
/// let mut store = Store::new(&Engine::default(), ());
/// let r = ExternRef::new(&mut store, 42u32);
/// assert_eq!(r.data(&store).downcast_ref::<u32>(), Some(&42));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef(pub(crate) u64, pub(crate) StoreId);

impl ExternRef {
    /// Puts `value` into the store and returns a reference to it.
    pub fn new<C: AsContextMut + ?Sized>(
        store: &mut C,
        value: impl Any + Send + Sync,
    ) -> ExternRef {
        let inner = &mut store.as_context_mut().inner;
        inner.externrefs.push(Box::new(value));
        ExternRef(inner.externrefs.len() as u64, inner.id)
    }

    /// The host value behind the reference. For a reference of another store, `()` (so
    /// downcasting to the type you stored gives `None`).
    pub fn data<'a, C: AsContext + ?Sized>(&self, store: &'a C) -> &'a (dyn Any + Send + Sync) {
        static NOTHING: () = ();
        let inner = &store.as_context().inner;
        // Cells of host values are their index + 1; others are externalized GC references.
        let host = (self.0 >> 32 == 0).then(|| self.0 as usize - 1);
        match host.and_then(|i| inner.externrefs.get(i)) {
            Some(data) if self.1 == inner.id => &**data,
            _ => &NOTHING,
        }
    }
}

/// A reference into the `any` hierarchy (GC proposal): an `i31`, a struct, an array, or
/// a host reference converted with `any.convert_extern`.
///
/// References to GC objects that reach the host keep their object alive until
/// [`Store::release_host_refs`](crate::Store::release_host_refs) (or the store's end).
///
/// ```
/// use weft_interp::{AnyRef, Engine, Store};
/// let store = Store::new(&Engine::default(), ());
/// let r = AnyRef::from_i31(&store, -5);
/// assert_eq!(r.as_i31(), Some(-5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AnyRef(pub(crate) u64, pub(crate) StoreId);

impl AnyRef {
    /// The `i31` reference of the low 31 bits of `value` (what `ref.i31` makes).
    pub fn from_i31<C: AsContext + ?Sized>(store: &C, value: i32) -> AnyRef {
        AnyRef(crate::gc::i31_cell(value), store.as_context().inner.id)
    }

    /// The value of an `i31` reference, sign-extended (`i31.get_s`); `None` for other
    /// references.
    pub fn as_i31(&self) -> Option<i32> {
        crate::gc::i31_value(self.0)
    }

    /// Whether the reference is a struct of `store`.
    pub fn is_struct<C: AsContext + ?Sized>(&self, store: &C) -> bool {
        self.aggregate_kind(store) == Some(crate::HeapType::Struct)
    }

    /// Whether the reference is an array of `store`.
    pub fn is_array<C: AsContext + ?Sized>(&self, store: &C) -> bool {
        self.aggregate_kind(store) == Some(crate::HeapType::Array)
    }

    fn aggregate_kind<C: AsContext + ?Sized>(&self, store: &C) -> Option<crate::HeapType> {
        let inner = &store.as_context().inner;
        if self.1 != inner.id {
            return None;
        }
        let ty = inner.gc.get(self.0)?.ty;
        Some(inner.engine.types().get(ty)?.kind())
    }

    /// `any.convert_extern`: the host reference as an internal one.
    pub fn from_extern(r: ExternRef) -> AnyRef {
        AnyRef(r.0, r.1)
    }

    /// `extern.convert_any`: this reference as an external one.
    pub fn to_extern(self) -> ExternRef {
        ExternRef(self.0, self.1)
    }
}

/// A Wasm value. Floats are kept as their bit patterns so NaN payloads survive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as its bits (`f32::to_bits`).
    F32(u32),
    /// An `f64`, as its bits (`f64::to_bits`).
    F64(u64),
    /// A `v128`, as a little-endian integer: lane 0 of any shape is its lowest bits (byte
    /// `i` of the vector in memory is bits `8*i..8*i+8`).
    V128(u128),
    /// A `funcref`; `None` is `ref.null func`.
    FuncRef(Option<Func>),
    /// An `externref`; `None` is `ref.null extern`.
    ExternRef(Option<ExternRef>),
    /// An `exnref`; `None` is `ref.null exn`.
    ExnRef(Option<ExnRef>),
    /// A reference of the `any` hierarchy (`anyref`, `eqref`, `i31ref`, structs,
    /// arrays); `None` is `ref.null any` (or `none`).
    AnyRef(Option<AnyRef>),
}

impl Val {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::ExnRef(_) => ValType::ExnRef,
            Val::AnyRef(_) => ValType::ANYREF,
        }
    }

    /// The default value of a type: zero, or a null reference (spec §4.5.3 "default").
    ///
    /// ```
    /// use weft_interp::{Val, ValType};
    /// assert_eq!(Val::default_for(ValType::I64), Val::I64(0));
    /// assert_eq!(Val::default_for(ValType::FuncRef), Val::FuncRef(None));
    /// ```
    #[inline]
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
            ValType::ExnRef => Val::ExnRef(None),
            ValType::Ref(_) => Val::from_cell(ty, 0),
        }
    }

    /// The `i32`, if this is one.
    pub fn i32(&self) -> Option<i32> {
        match self {
            Val::I32(v) => Some(*v),
            _ => None,
        }
    }

    /// The `i64`, if this is one.
    pub fn i64(&self) -> Option<i64> {
        match self {
            Val::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// The `f32`, if this is one.
    pub fn f32(&self) -> Option<f32> {
        match self {
            Val::F32(v) => Some(f32::from_bits(*v)),
            _ => None,
        }
    }

    /// The `f64`, if this is one.
    pub fn f64(&self) -> Option<f64> {
        match self {
            Val::F64(v) => Some(f64::from_bits(*v)),
            _ => None,
        }
    }

    /// The `v128`, if this is one.
    pub fn v128(&self) -> Option<u128> {
        match self {
            Val::V128(v) => Some(*v),
            _ => None,
        }
    }

    /// The value with its reference (if any) marked as belonging to store `id`: values read
    /// from cells do not know their store until the API gives them out.
    #[inline]
    pub(crate) fn in_store(self, id: StoreId) -> Val {
        match self {
            Val::FuncRef(Some(f)) => Val::FuncRef(Some(Func(f.0, id))),
            Val::ExternRef(Some(r)) => Val::ExternRef(Some(ExternRef(r.0, id))),
            Val::ExnRef(Some(e)) => Val::ExnRef(Some(ExnRef(e.0, id))),
            Val::AnyRef(Some(r)) => Val::AnyRef(Some(AnyRef(r.0, id))),
            v => v,
        }
    }

    /// `Ok` unless the value is a reference to an object of a store other than `id`.
    pub(crate) fn check_store(&self, id: StoreId) -> Result<()> {
        match self {
            Val::FuncRef(Some(f)) if f.1 != id => Err(Error::StoreMismatch("funcref")),
            Val::ExternRef(Some(r)) if r.1 != id => Err(Error::StoreMismatch("externref")),
            Val::ExnRef(Some(e)) if e.1 != id => Err(Error::StoreMismatch("exnref")),
            Val::AnyRef(Some(r)) if r.1 != id => Err(Error::StoreMismatch("anyref")),
            _ => Ok(()),
        }
    }

    /// The value as its bits: one cell's worth, or all 128 bits of a `v128` (how globals
    /// and constant expressions hold values).
    pub(crate) fn to_bits(self) -> u128 {
        match self {
            Val::V128(v) => v,
            v => v.to_cell() as u128,
        }
    }

    /// Reads bits made by [`Val::to_bits`] as a value of type `ty` (see [`Val::from_cell`]).
    pub(crate) fn from_bits(ty: ValType, bits: u128) -> Val {
        match ty {
            ValType::V128 => Val::V128(bits),
            ty => Val::from_cell(ty, bits as u64),
        }
    }

    /// Writes the value into `cells`: one cell, or two for a `v128` (low half first).
    /// Returns how many it takes; `cells` too short takes what fits.
    #[inline]
    pub(crate) fn write_cells(self, cells: &mut [u64]) -> usize {
        match self {
            Val::V128(v) => {
                for (i, cell) in cells.iter_mut().take(2).enumerate() {
                    *cell = (v >> (64 * i)) as u64;
                }
                2
            }
            v => {
                if let Some(cell) = cells.first_mut() {
                    *cell = v.to_cell();
                }
                1
            }
        }
    }

    /// Reads a value of type `ty` from `cells` (as [`Val::write_cells`] wrote it); missing
    /// cells read as 0.
    #[inline]
    pub(crate) fn read_cells(ty: ValType, cells: &[u64]) -> Val {
        let cell = |i: usize| cells.get(i).copied().unwrap_or(0);
        match ty {
            ValType::V128 => Val::V128(cell(0) as u128 | (cell(1) as u128) << 64),
            ty => Val::from_cell(ty, cell(0)),
        }
    }

    /// The value as an untyped stack cell (see [`Val::from_cell`]); a `v128` gives its low
    /// half (use [`Val::write_cells`] for it).
    #[inline]
    pub(crate) fn to_cell(self) -> u64 {
        match self {
            Val::V128(v) => v as u64,
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(f) => ref_to_cell(f.map(|f| f.0)),
            Val::ExternRef(r) => r.map_or(0, |r| r.0),
            Val::ExnRef(e) => ref_to_cell(e.map(|e| e.0)),
            Val::AnyRef(r) => r.map_or(0, |r| r.0),
        }
    }

    /// Reads a cell as a value of type `ty`. References are stored as index + 1, null as 0.
    /// A reference comes out with no store ([`StoreId::UNBOUND`]); give it its store with
    /// [`Val::in_store`] before it leaves the crate.
    #[inline(always)]
    pub(crate) fn from_cell(ty: ValType, cell: u64) -> Val {
        match ty {
            ValType::I32 => Val::I32(cell as u32 as i32),
            ValType::I64 => Val::I64(cell as i64),
            ValType::F32 => Val::F32(cell as u32),
            ValType::F64 => Val::F64(cell),
            ValType::V128 => Val::V128(cell as u128),
            ValType::FuncRef => Val::FuncRef(cell_to_ref(cell).map(|f| Func(f, StoreId::UNBOUND))),
            ValType::ExternRef => Val::extern_ref(cell),
            ValType::ExnRef => Val::ExnRef(cell_to_ref(cell).map(|e| ExnRef(e, StoreId::UNBOUND))),
            ValType::Ref(r) => Val::from_ref_cell(r, cell),
        }
    }

    /// [`Val::from_cell`] for the reference types other than the three shorthands.
    #[inline(never)]
    fn from_ref_cell(r: crate::types::RefType, cell: u64) -> Val {
        use crate::types::HeapType as H;
        match r.heap {
            H::Func | H::NoFunc => Val::from_cell(ValType::FuncRef, cell),
            H::Extern | H::NoExtern => Val::extern_ref(cell),
            H::Exn | H::NoExn => Val::from_cell(ValType::ExnRef, cell),
            // A defined type is a function type or an aggregate; only GC objects have
            // tagged cells (see `gc`).
            H::Concrete(_) if cell != 0 && !crate::gc::is_gc_cell(cell) => {
                Val::from_cell(ValType::FuncRef, cell)
            }
            _ => Val::AnyRef((cell != 0).then_some(AnyRef(cell, StoreId::UNBOUND))),
        }
    }

    #[inline]
    fn extern_ref(cell: u64) -> Val {
        Val::ExternRef((cell != 0).then_some(ExternRef(cell, StoreId::UNBOUND)))
    }
}

/// Encodes a reference into a cell: null is 0, index `i` is `i + 1`.
pub(crate) fn ref_to_cell(r: Option<u32>) -> u64 {
    match r {
        None => 0,
        Some(i) => i as u64 + 1,
    }
}

/// Decodes a reference cell made by [`ref_to_cell`].
pub(crate) fn cell_to_ref(cell: u64) -> Option<u32> {
    if cell == 0 {
        None
    } else {
        Some((cell - 1) as u32)
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}
impl From<u128> for Val {
    fn from(v: u128) -> Val {
        Val::V128(v)
    }
}
