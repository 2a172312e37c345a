//! Host-side handles to memories, tables and globals, and the [`Extern`] sum of all four.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, GlobalEntity, MemoryEntity, StoreId, TableEntity};
use crate::types::{ExternType, GlobalType, MemoryType, Mutability, TableType};
use crate::value::Val;
use crate::{Func, Tag};

/// A linear memory in a store.
///
/// Used with a store other than the one that made it, the methods that return a `Result`
/// fail with [`Error::StoreMismatch`]; [`Memory::data`], [`Memory::data_mut`] and
/// [`Memory::data_and_store_mut`] give an empty slice, [`Memory::size`] 0 and
/// [`Memory::ty`] a type of 0 pages.
///
/// ```
/// use weft_interp::{AddrType, Engine, Limits, Memory, MemoryType, Store};
/// let mut store = Store::new(&Engine::default(), ());
/// let ty = MemoryType {
///     limits: Limits { min: 1, max: Some(2) },
///     addr_type: AddrType::I32,
///     shared: false,
/// };
/// let mem = Memory::new(&mut store, ty)?;
/// mem.write(&mut store, 8, b"weft")?;
/// let mut buf = [0u8; 4];
/// mem.read(&store, 8, &mut buf)?;
/// assert_eq!(&buf, b"weft");
/// assert_eq!(mem.grow(&mut store, 1)?, 1);
/// assert!(mem.grow(&mut store, 1).is_err()); // past the maximum
///
/// // A 64-bit memory (memory64): its guest addresses are `i64`s, its size may pass 4 GiB
/// // (up to `Config::max_memory_pages`).
/// let ty = MemoryType {
///     limits: Limits { min: 1, max: None },
///     addr_type: AddrType::I64,
///     shared: false,
/// };
/// let mem64 = Memory::new(&mut store, ty)?;
/// assert_eq!(mem64.ty(&store).addr_type, AddrType::I64);
/// # Ok::<(), weft_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32, pub(crate) StoreId);

impl Memory {
    /// A new memory of the given type, zero-filled. A shared memory needs a maximum
    /// (threads proposal, as validation requires of a module's memories).
    pub fn new<C: AsContextMut + ?Sized>(store: &mut C, ty: MemoryType) -> Result<Memory> {
        if ty.shared && ty.limits.max.is_none() {
            return Err(Error::TypeMismatch(
                "shared memory must have maximum".into(),
            ));
        }
        let inner = &mut store.as_context_mut().inner;
        let limit = inner.engine.config().max_memory_pages;
        let memory = MemoryEntity::new(ty, 16, limit)?;
        inner.memories.push(memory);
        Ok(Memory(inner.memories.len() as u32 - 1, inner.id))
    }

    /// The memory's type, with its current size as minimum (0 pages, maximum 0, for a
    /// memory of another store).
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> MemoryType {
        match store.as_context().inner.memory(*self) {
            Ok(m) => {
                let mut ty = m.ty;
                ty.limits.min = m.pages();
                ty
            }
            Err(_) => MemoryType {
                limits: crate::Limits {
                    min: 0,
                    max: Some(0),
                },
                shared: false,
                addr_type: crate::AddrType::I32,
            },
        }
    }

    /// The memory's bytes (empty for a memory of another store).
    pub fn data<'a, C: AsContext + ?Sized>(&self, store: &'a C) -> &'a [u8] {
        match store.as_context().inner.memory(*self) {
            Ok(m) => &m.data,
            Err(_) => &[],
        }
    }

    /// The memory's bytes, mutably (empty for a memory of another store).
    pub fn data_mut<'a, C: AsContextMut + ?Sized>(&self, store: &'a mut C) -> &'a mut [u8] {
        match store.as_context_mut().inner.memory_mut(*self) {
            Ok(m) => &mut m.data,
            Err(_) => &mut [],
        }
    }

    /// The memory's bytes and the store's host state, both mutably: a host function can
    /// work on guest memory with its own state at hand, without copying either out. The
    /// bytes are empty for a memory of another store.
    ///
    /// ```
    /// use weft_interp::{Caller, Engine, Extern, Linker, Module, Store};
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module
    ///     (import "host" "log" (func $log (param i32 i32)))
    ///     (memory (export "memory") 1)
    ///     (data (i32.const 8) "hello")
    ///     (func (export "run") (call $log (i32.const 8) (i32.const 5))))"#)?;
    /// let mut store = Store::new(&engine, Vec::<String>::new());
    /// let mut linker = Linker::<Vec<String>>::new(&engine);
    /// linker.func_wrap("host", "log", |mut caller: Caller<'_, Vec<String>>, ptr: u32, len: u32| {
    ///     let Some(Extern::Memory(memory)) = caller.get_export("memory") else { return };
    ///     let (bytes, log) = memory.data_and_store_mut(&mut caller);
    ///     let text = bytes.get(ptr as usize..(ptr + len) as usize).unwrap_or_default();
    ///     log.push(String::from_utf8_lossy(text).into_owned());
    /// })?;
    /// let instance = linker.instantiate(&mut store, &module)?;
    /// instance.get_typed_func::<(), ()>(&store, "run")?.call(&mut store, ())?;
    /// assert_eq!(store.data(), &["hello"]);
    /// # Ok::<(), weft_interp::Error>(())
    /// ```
    pub fn data_and_store_mut<'a, C: AsContextMut + ?Sized>(
        &self,
        store: &'a mut C,
    ) -> (&'a mut [u8], &'a mut C::Data) {
        let (inner, data) = store.as_context_mut().inner_and_data_mut();
        match inner.memory_mut(*self) {
            Ok(m) => (&mut m.data, data),
            Err(_) => (&mut [], data),
        }
    }

    /// Size in pages (0 for a memory of another store).
    pub fn size<C: AsContext + ?Sized>(&self, store: &C) -> u64 {
        store
            .as_context()
            .inner
            .memory(*self)
            .map_or(0, MemoryEntity::pages)
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`; errors when out of bounds.
    pub fn read<C: AsContext + ?Sized>(
        &self,
        store: &C,
        offset: usize,
        buf: &mut [u8],
    ) -> Result<()> {
        let data = &store.as_context().inner.memory(*self)?.data;
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or(crate::TrapKind::MemoryOutOfBounds)?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into memory at `offset`; errors when out of bounds.
    pub fn write<C: AsContextMut + ?Sized>(
        &self,
        store: &mut C,
        offset: usize,
        buf: &[u8],
    ) -> Result<()> {
        let data = &mut store.as_context_mut().inner.memory_mut(*self)?.data;
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or(crate::TrapKind::MemoryOutOfBounds)?;
        dst.copy_from_slice(buf);
        Ok(())
    }

    /// Grows by `delta` pages, returning the old size; errors past the maximum or limit.
    pub fn grow<C: AsContextMut + ?Sized>(&self, store: &mut C, delta: u64) -> Result<u64> {
        let inner = &mut store.as_context_mut().inner;
        let limit = inner.engine.config().max_memory_pages;
        inner
            .memory_mut(*self)?
            .grow(delta, limit)
            .ok_or_else(|| Error::ResourceLimit(format!("cannot grow memory by {delta} pages")))
    }
}

/// A table in a store.
///
/// Used with a store other than the one that made it, the methods that return a `Result`
/// fail with [`Error::StoreMismatch`], [`Table::get`] gives `None`, [`Table::size`] 0 and
/// [`Table::ty`] a `funcref` table of 0 elements.
///
/// ```
/// use weft_interp::{AddrType, Engine, Limits, Store, Table, TableType, Val, ValType};
/// let mut store = Store::new(&Engine::default(), ());
/// let limits = Limits { min: 2, max: None };
/// let ty = TableType { element: ValType::FuncRef, limits, addr_type: AddrType::I32 };
/// let table = Table::new(&mut store, ty, Val::FuncRef(None))?;
/// assert_eq!(table.size(&store), 2);
/// assert_eq!(table.get(&store, 1), Some(Val::FuncRef(None)));
/// assert_eq!(table.get(&store, 2), None);
/// # Ok::<(), weft_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32, pub(crate) StoreId);

impl Table {
    /// A new table of the given type, every element set to `init`.
    pub fn new<C: AsContextMut + ?Sized>(store: &mut C, ty: TableType, init: Val) -> Result<Table> {
        if init.ty() != ty.element {
            return Err(Error::TypeMismatch(format!(
                "table of {} initialised with {}",
                ty.element,
                init.ty()
            )));
        }
        let inner = &mut store.as_context_mut().inner;
        init.check_store(inner.id)?;
        let limit = inner
            .engine
            .config()
            .max_table_elements
            .min(crate::store::MAX_TABLE_ELEMENTS);
        if ty.limits.min > limit {
            return Err(Error::ResourceLimit(format!(
                "table of {} elements exceeds the limit of {limit}",
                ty.limits.min
            )));
        }
        let elements = vec![init.to_cell(); ty.limits.min as usize];
        inner.tables.push(TableEntity { ty, elements });
        Ok(Table(inner.tables.len() as u32 - 1, inner.id))
    }

    /// The table's type, with its current size as minimum (a `funcref` table of 0
    /// elements, maximum 0, for a table of another store).
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> TableType {
        match store.as_context().inner.table(*self) {
            Ok(t) => {
                let mut ty = t.ty;
                ty.limits.min = t.elements.len() as u64;
                ty
            }
            Err(_) => TableType {
                element: crate::ValType::FuncRef,
                limits: crate::Limits {
                    min: 0,
                    max: Some(0),
                },
                addr_type: crate::AddrType::I32,
            },
        }
    }

    /// Number of elements (0 for a table of another store).
    pub fn size<C: AsContext + ?Sized>(&self, store: &C) -> u64 {
        store
            .as_context()
            .inner
            .table(*self)
            .map_or(0, |t| t.elements.len() as u64)
    }

    /// The element at `index`, or `None` when out of bounds or the table belongs to
    /// another store.
    pub fn get<C: AsContext + ?Sized>(&self, store: &C, index: u64) -> Option<Val> {
        let inner = &store.as_context().inner;
        let t = inner.table(*self).ok()?;
        let cell = *t.elements.get(usize::try_from(index).ok()?)?;
        Some(Val::from_cell(t.ty.element, cell).in_store(inner.id))
    }

    /// Sets the element at `index`.
    pub fn set<C: AsContextMut + ?Sized>(&self, store: &mut C, index: u64, val: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        val.check_store(inner.id)?;
        let element = inner.table(*self)?.ty.element;
        if !inner.val_matches(&val, element) {
            return Err(Error::TypeMismatch(format!(
                "cannot store {} in a table of {element}",
                val.ty(),
            )));
        }
        let t = inner.table_mut(*self)?;
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| t.elements.get_mut(i))
            .ok_or(crate::TrapKind::TableOutOfBounds)?;
        let old = std::mem::replace(slot, val.to_cell());
        inner.gc.barrier_cells(&[old]);
        Ok(())
    }

    /// Grows by `delta` elements set to `init`, returning the old size.
    pub fn grow<C: AsContextMut + ?Sized>(
        &self,
        store: &mut C,
        delta: u64,
        init: Val,
    ) -> Result<u64> {
        let inner = &mut store.as_context_mut().inner;
        let limit = inner.engine.config().max_table_elements;
        init.check_store(inner.id)?;
        let element = inner.table(*self)?.ty.element;
        if !inner.val_matches(&init, element) {
            return Err(Error::TypeMismatch("table.grow init value type".into()));
        }
        let t = inner.table_mut(*self)?;
        t.grow(delta, init.to_cell(), limit)
            .ok_or_else(|| Error::ResourceLimit(format!("cannot grow table by {delta}")))
    }
}

/// A global in a store.
///
/// Used with a store other than the one that made it, [`Global::set`] fails with
/// [`Error::StoreMismatch`], [`Global::get`] gives `i32` 0 and [`Global::ty`] an immutable
/// `i32` global.
///
/// ```
/// use weft_interp::{Engine, Global, GlobalType, Mutability, Store, Val, ValType};
/// let mut store = Store::new(&Engine::default(), ());
/// let ty = GlobalType { content: ValType::I32, mutability: Mutability::Var };
/// let g = Global::new(&mut store, ty, Val::I32(1))?;
/// g.set(&mut store, Val::I32(2))?;
/// assert_eq!(g.get(&store), Val::I32(2));
/// # Ok::<(), weft_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32, pub(crate) StoreId);

impl Global {
    /// A new global with an initial value of its type.
    pub fn new<C: AsContextMut + ?Sized>(
        store: &mut C,
        ty: GlobalType,
        val: Val,
    ) -> Result<Global> {
        if val.ty() != ty.content {
            return Err(Error::TypeMismatch(format!(
                "global of {} initialised with {}",
                ty.content,
                val.ty()
            )));
        }
        let inner = &mut store.as_context_mut().inner;
        val.check_store(inner.id)?;
        inner.globals.push(GlobalEntity::new(ty, val.to_bits()));
        Ok(Global(inner.globals.len() as u32 - 1, inner.id))
    }

    /// The global's type (an immutable `i32` for a global of another store).
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> GlobalType {
        match store.as_context().inner.global(*self) {
            Ok(g) => g.ty,
            Err(_) => GlobalType {
                content: crate::ValType::I32,
                mutability: Mutability::Const,
            },
        }
    }

    /// The current value (`i32` 0 for a global of another store).
    pub fn get<C: AsContext + ?Sized>(&self, store: &C) -> Val {
        let inner = &store.as_context().inner;
        match inner.global(*self) {
            Ok(g) => Val::from_bits(g.ty.content, g.bits()).in_store(inner.id),
            Err(_) => Val::I32(0),
        }
    }

    /// Sets the value; errors for immutable globals, a value of another type, or a global
    /// or reference of another store.
    pub fn set<C: AsContextMut + ?Sized>(&self, store: &mut C, val: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().inner;
        val.check_store(inner.id)?;
        let ty = inner.global(*self)?.ty;
        if ty.mutability != Mutability::Var {
            return Err(Error::TypeMismatch("cannot set an immutable global".into()));
        }
        if !inner.val_matches(&val, ty.content) {
            return Err(Error::TypeMismatch(format!(
                "cannot set a global of {} to {}",
                ty.content,
                val.ty()
            )));
        }
        let g = inner.global_mut(*self)?;
        g.set_bits(val.to_bits());
        Ok(())
    }
}

/// Any importable or exportable object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A memory.
    Memory(Memory),
    /// A global.
    Global(Global),
    /// An exception tag.
    Tag(Tag),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The tag, if this is one.
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// `Ok` if the object belongs to the store with id `id`.
    pub(crate) fn check_store(&self, id: StoreId) -> Result<()> {
        let (ours, what) = match self {
            Extern::Func(f) => (f.1 == id, "func"),
            Extern::Table(t) => (t.1 == id, "table"),
            Extern::Memory(m) => (m.1 == id, "memory"),
            Extern::Global(g) => (g.1 == id, "global"),
            Extern::Tag(t) => (t.1 == id, "tag"),
        };
        if ours {
            Ok(())
        } else {
            Err(Error::StoreMismatch(what))
        }
    }

    /// The type of the object (tables and memories with their current size as minimum).
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> ExternType {
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
            Extern::Tag(t) => ExternType::Tag(t.ty(store)),
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}
impl From<Tag> for Extern {
    fn from(t: Tag) -> Extern {
        Extern::Tag(t)
    }
}
