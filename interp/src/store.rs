//! The store: owner of every runtime object (spec §4.2.3 "Store").
//!
//! Handles (`Func`, `Memory`, ...) are indices into the vectors here, paired with the
//! [`StoreId`] of the store that made them; every use of a handle checks that id first, so
//! a handle used with another store is an [`Error::StoreMismatch`], never a wrong object or
//! an out-of-bounds index.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::exception::{ExnEntity, TagEntity};
use crate::func::{HostFuncFn, HostImpl};
use crate::gc::Heap;
use crate::module::Module;
use crate::type_registry::TypeCache;
use crate::types::{AddrType, FuncType, GlobalType, MemoryType, TableType, TypeId};
use crate::Extern;
use crate::{Func, Global, Instance, Memory, Table};
use core::any::Any;
use core::num::NonZeroU64;
use core::sync::atomic::{AtomicU64, Ordering};
use std::collections::HashMap;
use std::sync::Arc;

/// The identity of a [`Store`], unique in the process; every handle carries the id of the
/// store that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct StoreId(NonZeroU64);

impl StoreId {
    /// No store: the id of references read from cells before the store is known (see
    /// [`Val::in_store`](crate::Val)). No store has it, so a handle that kept it by mistake
    /// fails the store check instead of naming an object.
    pub(crate) const UNBOUND: StoreId = StoreId(NonZeroU64::MAX);

    /// A new id. A 64-bit counter does not wrap in practice (2^64 stores), so ids are
    /// never reused.
    fn fresh() -> StoreId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        StoreId(NonZeroU64::new(id).unwrap_or(NonZeroU64::MIN))
    }
}

/// Who imported a host function: when it is called straight from the host, its
/// [`Caller`](crate::Caller) sees this instance if there is exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Importer {
    None,
    One(u32),
    Many,
}

/// A function instance (spec §4.2.6).
pub(crate) enum FuncEntity {
    /// Defined in Wasm: `def` indexes the module's defined functions.
    Wasm {
        ty: Arc<FuncType>,
        /// The canonical id of `ty` (with its rec group and supertypes).
        type_id: TypeId,
        instance: u32,
        module: Module,
        def: u32,
        index: u32,
    },
    /// Defined by the host: `host` indexes `Store::host_funcs`.
    Host {
        ty: Arc<FuncType>,
        type_id: TypeId,
        host: u32,
    },
}

/// A Wasm function resolved for calling (see `StoreInner::callees`).
pub(crate) struct Callee {
    pub code: Arc<crate::translate::CompiledFunc>,
    pub instance: u32,
}

impl FuncEntity {
    pub(crate) fn ty(&self) -> &Arc<FuncType> {
        match self {
            FuncEntity::Wasm { ty, .. } | FuncEntity::Host { ty, .. } => ty,
        }
    }

    /// The canonical id of the function's type.
    #[inline]
    pub(crate) fn type_id(&self) -> TypeId {
        match self {
            FuncEntity::Wasm { type_id, .. } | FuncEntity::Host { type_id, .. } => *type_id,
        }
    }
}

/// A table instance: elements are reference cells (see [`crate::value::ref_to_cell`]).
pub(crate) struct TableEntity {
    pub ty: TableType,
    pub elements: Vec<u64>,
}

/// A memory instance.
pub(crate) struct MemoryEntity {
    pub ty: MemoryType,
    pub data: LinearMemory,
    /// Log2 of the page size: 16, or 0 for a memory of 1-byte pages (custom-page-sizes).
    pub page_size_log2: u8,
}

/// The bytes of a linear memory: the first `len` bytes of a zeroed buffer that may be
/// larger. Growing within the buffer only moves `len` (the bytes there are still the
/// allocator's zeroed pages, untouched, so the OS has not committed them); growing past
/// it takes a new zeroed buffer of at least twice the size and copies the old bytes, so
/// `memory.grow` costs amortized O(1) per byte and never touches the new pages.
pub(crate) struct LinearMemory {
    /// Zeroed beyond `len`: bytes there are never written (memories do not shrink).
    buf: Vec<u8>,
    len: usize,
}

impl LinearMemory {
    /// `len` zero bytes, or an error if the host cannot provide them.
    pub(crate) fn zeroed(len: usize) -> Result<LinearMemory> {
        Ok(LinearMemory {
            buf: zeroed_bytes(len)?,
            len,
        })
    }

    /// Grows to `new_len` zero-extended bytes (`max_len` bounds the buffer's size), or
    /// `None` if the host cannot provide them.
    fn grow_to(&mut self, new_len: usize, max_len: usize) -> Option<()> {
        if new_len > self.buf.len() {
            let cap = new_len.max(self.buf.len().saturating_mul(2).min(max_len));
            let mut buf = zeroed_bytes(cap).or_else(|_| zeroed_bytes(new_len)).ok()?;
            buf[..self.len].copy_from_slice(&self.buf[..self.len]);
            self.buf = buf;
        }
        self.len = new_len;
        Some(())
    }
}

impl core::ops::Deref for LinearMemory {
    type Target = [u8];
    #[inline(always)]
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl core::ops::DerefMut for LinearMemory {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }
}

/// Wasm page size, 64 KiB.
pub(crate) const PAGE_SIZE: u64 = 65536;

/// The most bytes a 32-bit memory may have: its address space (with `Config`'s limit of
/// `max_memory_pages` 64 KiB pages on top). A 64-bit memory (memory64) is bounded by
/// that limit and what the host can allocate only.
const MAX_MEMORY32_BYTES: u64 = 1 << 32;

/// The most elements a table may have, whatever its address type: an implementation
/// limit (spec Appendix "Implementation Limitations"; `2^32` cells are 32 GiB). The
/// executor relies on it: a 64-bit table index above `u32::MAX` is out of bounds, so
/// `Instr::TableIndex64` may saturate it to `u32::MAX` (see there).
pub(crate) const MAX_TABLE_ELEMENTS: u64 = u32::MAX as u64;

/// A zeroed byte vector of `len` bytes, or an error if the host cannot provide it.
/// `vec![0; n]` asks the allocator for zeroed pages, which the OS maps lazily, so a large
/// memory costs nothing until it is touched; the reservation first makes failure an
/// error instead of an abort.
pub(crate) fn zeroed_bytes(len: usize) -> Result<Vec<u8>> {
    let mut probe: Vec<u8> = Vec::new();
    probe
        .try_reserve_exact(len)
        .map_err(|_| Error::ResourceLimit(format!("cannot allocate {len} bytes of memory")))?;
    drop(probe);
    Ok(vec![0; len])
}

impl MemoryEntity {
    /// A memory of type `ty` with pages of `2^page_size_log2` bytes, `min` pages long;
    /// `limit` is `Config::max_memory_pages` (64 KiB pages).
    pub(crate) fn new(ty: MemoryType, page_size_log2: u8, limit: u64) -> Result<MemoryEntity> {
        let max_bytes = max_bytes(ty, limit);
        let len = ty
            .limits
            .min
            .checked_mul(1 << page_size_log2)
            .filter(|len| *len <= max_bytes)
            .and_then(|len| usize::try_from(len).ok())
            .ok_or_else(|| {
                Error::ResourceLimit(format!(
                    "memory of {} pages exceeds the limit of {limit} 64 KiB pages",
                    ty.limits.min
                ))
            })?;
        Ok(MemoryEntity {
            ty,
            data: LinearMemory::zeroed(len)?,
            page_size_log2,
        })
    }

    pub(crate) fn pages(&self) -> u64 {
        self.data.len() as u64 >> self.page_size_log2
    }

    /// `memory.grow` (spec §4.4.7): returns the old size in pages, or `None` on failure
    /// (past the maximum, the limit, or what the host can allocate: never an abort).
    /// `limit` is `Config::max_memory_pages` (64 KiB pages).
    pub(crate) fn grow(&mut self, delta: u64, limit: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        let max = self
            .ty
            .limits
            .max
            .unwrap_or(u64::MAX)
            .min(max_bytes(self.ty, limit) >> self.page_size_log2);
        if new > max {
            return None;
        }
        let new_len = usize::try_from(new << self.page_size_log2).ok()?;
        let max_len = usize::try_from(max << self.page_size_log2).unwrap_or(usize::MAX);
        self.data.grow_to(new_len, max_len)?;
        Some(old)
    }
}

/// The most bytes a memory of type `ty` may have under `Config::max_memory_pages` `limit`.
fn max_bytes(ty: MemoryType, limit: u64) -> u64 {
    let bytes = limit.saturating_mul(PAGE_SIZE);
    match ty.addr_type {
        AddrType::I32 => bytes.min(MAX_MEMORY32_BYTES),
        AddrType::I64 => bytes,
    }
}

impl TableEntity {
    /// `table.grow` (spec §4.4.6): returns the old size, or `None` on failure.
    pub(crate) fn grow(&mut self, delta: u64, init: u64, limit: u64) -> Option<u64> {
        let old = self.elements.len() as u64;
        let new = old.checked_add(delta)?;
        let max = self
            .ty
            .limits
            .max
            .unwrap_or(MAX_TABLE_ELEMENTS)
            .min(limit)
            .min(MAX_TABLE_ELEMENTS);
        if new > max {
            return None;
        }
        let additional = usize::try_from(delta).ok()?;
        self.elements.try_reserve_exact(additional).ok()?;
        self.elements.resize(new as usize, init);
        Some(old)
    }
}

/// A global instance.
pub(crate) struct GlobalEntity {
    pub ty: GlobalType,
    /// The value as a cell (for a `v128`, its low half).
    pub value: u64,
    /// The high half of a `v128` (0 for other types). Kept apart so that scalar
    /// `global.get`/`global.set` read and write one cell as before.
    pub hi: u64,
}

impl GlobalEntity {
    /// A global of type `ty` holding `bits` ([`crate::Val::to_bits`]).
    pub(crate) fn new(ty: GlobalType, bits: u128) -> GlobalEntity {
        GlobalEntity {
            ty,
            value: bits as u64,
            hi: (bits >> 64) as u64,
        }
    }

    /// The value's bits: a cell, or a whole `v128`.
    pub(crate) fn bits(&self) -> u128 {
        self.value as u128 | (self.hi as u128) << 64
    }

    /// Sets the value's bits.
    pub(crate) fn set_bits(&mut self, bits: u128) {
        (self.value, self.hi) = (bits as u64, (bits >> 64) as u64);
    }
}

/// A module instance (spec §4.2.5): the store addresses of everything in its index spaces.
pub(crate) struct InstanceEntity {
    pub module: Module,
    pub funcs: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    /// Store addresses of the tags (`StoreInner::tags`).
    pub tags: Vec<u32>,
    /// Store addresses of the element segments (`StoreInner::elems`).
    pub elems: Vec<u32>,
    /// Store addresses of the data segments (`StoreInner::datas`).
    pub datas: Vec<u32>,
    pub exports: HashMap<String, Extern>,
}

/// The part of a store that does not depend on the host data type.
pub(crate) struct StoreInner {
    pub id: StoreId,
    pub engine: Engine,
    pub funcs: Vec<FuncEntity>,
    /// Per store function (indexed like `funcs`, filled on first call; `None` for host
    /// functions, functions not called yet and past its end): the translated code and
    /// instance of a Wasm function, so a call is one indexed load. `funcs` only grows,
    /// so an entry never goes stale.
    pub callees: Vec<Option<Callee>>,
    pub tables: Vec<TableEntity>,
    pub memories: Vec<MemoryEntity>,
    pub globals: Vec<GlobalEntity>,
    pub instances: Vec<InstanceEntity>,
    /// Element segment instances; dropping one empties it.
    pub elems: Vec<Vec<u64>>,
    /// Data segment instances; dropping one replaces it by an empty slice.
    pub datas: Vec<Arc<[u8]>>,
    pub externrefs: Vec<Box<dyn Any + Send + Sync>>,
    /// Tag instances (exception handling).
    pub tags: Vec<TagEntity>,
    /// Exception instances; `exnref` cells are their index + 1.
    pub exns: Vec<ExnEntity>,
    pub fuel: u64,
    /// Value stacks kept between calls so their allocations are reused: one per level of
    /// nesting (a host function called from Wasm calling Wasm again needs its own).
    pub stack_cache: Vec<Vec<u64>>,
    /// Per host function (indexed like `Store::host_funcs`), the instances importing it.
    pub host_importers: Vec<Importer>,
    /// Structs and arrays (the GC proposal).
    pub gc: Heap,
    /// The engine's types this store has looked up.
    pub types: TypeCache,
}

impl StoreInner {
    /// `Ok` if a handle with store id `id` belongs to this store.
    pub(crate) fn check(&self, id: StoreId, what: &'static str) -> Result<()> {
        if id == self.id {
            Ok(())
        } else {
            Err(Error::StoreMismatch(what))
        }
    }

    /// The function `f` names in this store.
    pub(crate) fn func(&self, f: Func) -> Result<&FuncEntity> {
        self.check(f.1, "func")?;
        self.funcs
            .get(f.0 as usize)
            .ok_or(Error::StoreMismatch("func"))
    }

    /// The memory `m` names in this store.
    pub(crate) fn memory(&self, m: Memory) -> Result<&MemoryEntity> {
        self.check(m.1, "memory")?;
        self.memories
            .get(m.0 as usize)
            .ok_or(Error::StoreMismatch("memory"))
    }

    /// The memory `m` names in this store, mutably.
    pub(crate) fn memory_mut(&mut self, m: Memory) -> Result<&mut MemoryEntity> {
        self.check(m.1, "memory")?;
        self.memories
            .get_mut(m.0 as usize)
            .ok_or(Error::StoreMismatch("memory"))
    }

    /// The table `t` names in this store.
    pub(crate) fn table(&self, t: Table) -> Result<&TableEntity> {
        self.check(t.1, "table")?;
        self.tables
            .get(t.0 as usize)
            .ok_or(Error::StoreMismatch("table"))
    }

    /// The table `t` names in this store, mutably.
    pub(crate) fn table_mut(&mut self, t: Table) -> Result<&mut TableEntity> {
        self.check(t.1, "table")?;
        self.tables
            .get_mut(t.0 as usize)
            .ok_or(Error::StoreMismatch("table"))
    }

    /// The global `g` names in this store.
    pub(crate) fn global(&self, g: Global) -> Result<&GlobalEntity> {
        self.check(g.1, "global")?;
        self.globals
            .get(g.0 as usize)
            .ok_or(Error::StoreMismatch("global"))
    }

    /// The global `g` names in this store, mutably.
    pub(crate) fn global_mut(&mut self, g: Global) -> Result<&mut GlobalEntity> {
        self.check(g.1, "global")?;
        self.globals
            .get_mut(g.0 as usize)
            .ok_or(Error::StoreMismatch("global"))
    }

    /// Whether value `v` (of this store) is of type `ty`: equal types, or reference
    /// subtyping with the reference's dynamic type (spec §3.1.4 "Matching").
    pub(crate) fn val_matches(&mut self, v: &crate::Val, ty: crate::ValType) -> bool {
        use crate::types::HeapType as H;
        use crate::Val as V;
        if v.ty() == ty {
            return true;
        }
        let Some(rt) = ty.ref_type() else {
            return false;
        };
        let cell = v.to_cell();
        if cell == 0 {
            // Null: of every nullable type of its hierarchy.
            let hierarchy = self.types.hierarchy(rt.heap);
            return rt.nullable
                && matches!(
                    (v, hierarchy),
                    (V::FuncRef(_), crate::types::Hierarchy::Func)
                        | (V::ExternRef(_), crate::types::Hierarchy::Extern)
                        | (V::ExnRef(_), crate::types::Hierarchy::Exn)
                        | (V::AnyRef(_), crate::types::Hierarchy::Any)
                );
        }
        match (v, rt.heap) {
            (V::FuncRef(_), H::Func) | (V::ExternRef(_), H::Extern) | (V::ExnRef(_), H::Exn) => {
                true
            }
            (V::FuncRef(Some(f)), H::Concrete(t)) => match self.funcs.get(f.0 as usize) {
                Some(e) => {
                    let id = e.type_id();
                    self.types.is_subtype(id, t)
                }
                None => false,
            },
            (V::AnyRef(Some(r)), heap) => {
                let kind = self.gc.get(r.0).map(|o| o.ty);
                match heap {
                    H::Any => true,
                    H::Eq => crate::gc::is_gc_cell(r.0),
                    H::I31 => crate::gc::i31_value(r.0).is_some(),
                    H::Struct | H::Array => {
                        kind.and_then(|t| self.types.get(t).map(|t| t.kind())) == Some(heap)
                    }
                    H::Concrete(t) => kind.is_some_and(|k| self.types.is_subtype(k, t)),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Marks the GC references among `vals` as held by the host (see
    /// [`Store::release_host_refs`]).
    pub(crate) fn root_for_host(&mut self, vals: &[crate::Val]) {
        for v in vals {
            let cell = match v {
                crate::Val::AnyRef(Some(r)) => r.0,
                crate::Val::ExternRef(Some(r)) => r.0,
                _ => continue,
            };
            if crate::gc::object_index(cell).is_some() {
                self.gc.root_for_host(cell);
            }
        }
    }

    /// The tag `t` names in this store.
    pub(crate) fn tag(&self, t: crate::Tag) -> Result<&TagEntity> {
        self.check(t.1, "tag")?;
        self.tags
            .get(t.0 as usize)
            .ok_or(Error::StoreMismatch("tag"))
    }

    /// A new exception instance; returns its address.
    pub(crate) fn new_exn(&mut self, tag: u32, payload: Box<[u64]>) -> u32 {
        self.exns.push(ExnEntity { tag, payload });
        self.exns.len() as u32 - 1
    }

    /// The instance `i` names in this store.
    pub(crate) fn instance(&self, i: Instance) -> Result<&InstanceEntity> {
        self.check(i.1, "instance")?;
        self.instances
            .get(i.0 as usize)
            .ok_or(Error::StoreMismatch("instance"))
    }
}

/// Owns all runtime objects (functions, memories, tables, globals, instances) and the host
/// state `T`. Objects live as long as the store.
///
/// Every store has an identity, and the handles it gives out (`Func`, `Memory`, `Table`,
/// `Global`, `Instance`, `ExternRef`) remember it. Using a handle with another store is an
/// [`Error::StoreMismatch`] from every method that returns a `Result` (and `None` from
/// those that return an `Option`); it never panics and never reaches an object of the other
/// store. Accessors whose result is not a `Result` or `Option` document what they return
/// then (an empty or neutral value).
///
/// ```
/// use weft_interp::{Config, Engine, Store};
/// let engine = Engine::new(&Config::default().fuel(true));
/// let mut store = Store::new(&engine, String::from("host state"));
/// store.set_fuel(1000)?;
/// assert_eq!(store.get_fuel()?, 1000);
/// assert_eq!(store.data(), "host state");
/// # Ok::<(), weft_interp::Error>(())
/// ```
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    /// What the interpreter calls for each host function: `host_impls` wrapped with the
    /// store's bookkeeping (see `func::bind_host_func`).
    pub(crate) host_funcs: Vec<HostFuncFn<T>>,
    /// The embedder's host functions. Shared so the interpreter can hold a snapshot while
    /// it calls them (a function added meanwhile copies the list: `Arc::make_mut`).
    pub(crate) host_impls: Arc<Vec<HostImpl<T>>>,
    data: T,
}

impl<T> core::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl<T> Store<T> {
    /// A new, empty store with host state `data`.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        Store {
            inner: StoreInner {
                id: StoreId::fresh(),
                engine: engine.clone(),
                funcs: Vec::new(),
                callees: Vec::new(),
                tables: Vec::new(),
                memories: Vec::new(),
                globals: Vec::new(),
                instances: Vec::new(),
                elems: Vec::new(),
                datas: Vec::new(),
                externrefs: Vec::new(),
                tags: Vec::new(),
                exns: Vec::new(),
                fuel: 0,
                stack_cache: Vec::new(),
                host_importers: Vec::new(),
                gc: Heap::default(),
                types: TypeCache::new(engine.types().clone()),
            },
            host_funcs: Vec::new(),
            host_impls: Arc::new(Vec::new()),
            data,
        }
    }

    /// The engine of this store.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The host state.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The host state, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The part of the store the interpreter works on and the host state, apart.
    pub(crate) fn inner_and_data_mut(&mut self) -> (&mut StoreInner, &mut T) {
        (&mut self.inner, &mut self.data)
    }

    /// Consumes the store, returning the host state.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Lets go of every GC reference ([`AnyRef`](crate::AnyRef), or an
    /// [`ExternRef`](crate::ExternRef) made from one) handed to the host so far: the objects
    /// they name may be collected from now on, and using such a reference afterwards is a
    /// logic error (it may name another object or none). Until then they stay alive.
    pub fn release_host_refs(&mut self) {
        self.inner.gc.host_roots.clear();
    }

    /// Runs a full garbage collection now, finishing any incremental cycle in progress
    /// (the collector also runs by itself, in bounded steps, as Wasm allocates). Objects
    /// reachable from globals, tables, element segments, exceptions, references handed
    /// to the host and frames suspended under host calls survive.
    ///
    /// ```
    /// use weft_interp::{Engine, Store};
    /// let mut store = Store::new(&Engine::default(), ());
    /// store.gc();
    /// assert_eq!(store.gc_live_objects(), 0);
    /// ```
    pub fn gc(&mut self) {
        crate::exec::collect_garbage(&mut self.inner, crate::exec::Collect::Full);
    }

    /// How many GC objects (structs and arrays) the heap holds now: the live ones and
    /// the garbage not swept yet. Right after [`Store::gc`], the reachable ones only.
    pub fn gc_live_objects(&self) -> usize {
        self.inner.gc.len()
    }

    /// Statistics of the garbage collector: cycles completed, incremental steps, and
    /// the most work one step did (the longest pause, in cells).
    pub fn gc_stats(&self) -> crate::GcStats {
        self.inner.gc.stats()
    }

    /// Begins an incremental collection cycle now, tracing nothing yet: the roots of
    /// the snapshot are shaded. For tests of the collector.
    #[doc(hidden)]
    pub fn gc_begin_cycle(&mut self) {
        crate::exec::collect_garbage(&mut self.inner, crate::exec::Collect::Begin);
    }

    /// Advances the cycle in progress by `work` units; returns whether it is still in
    /// progress. For tests of the collector.
    #[doc(hidden)]
    pub fn gc_step(&mut self, work: usize) -> bool {
        crate::exec::collect_garbage(&mut self.inner, crate::exec::Collect::Advance(work))
    }

    /// Sets the work an incremental step does per cell allocated during a cycle (8 by
    /// default; 0 leaves cycles to [`Store::gc_step`] and [`Store::gc`]). For tests.
    #[doc(hidden)]
    pub fn gc_set_rate(&mut self, rate: usize) {
        self.inner.gc.rate = rate;
    }

    /// Sets the remaining fuel. Errors when fuel metering is off in the [`Config`](crate::Config).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        if !self.inner.engine.config().fuel {
            return Err(Error::ResourceLimit(
                "fuel metering is not enabled in the Config".into(),
            ));
        }
        self.inner.fuel = fuel;
        Ok(())
    }

    /// The remaining fuel. Errors when fuel metering is off.
    pub fn get_fuel(&self) -> Result<u64> {
        if !self.inner.engine.config().fuel {
            return Err(Error::ResourceLimit(
                "fuel metering is not enabled in the Config".into(),
            ));
        }
        Ok(self.inner.fuel)
    }
}

/// Something that gives shared access to a [`Store`]: the store itself or a [`Caller`](crate::Caller).
pub trait AsContext {
    /// The host state type.
    type Data;
    /// The store.
    fn as_context(&self) -> &Store<Self::Data>;
}

/// Something that gives exclusive access to a [`Store`].
pub trait AsContextMut: AsContext {
    /// The store, mutably.
    fn as_context_mut(&mut self) -> &mut Store<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> &mut Store<C::Data> {
        (**self).as_context_mut()
    }
}
