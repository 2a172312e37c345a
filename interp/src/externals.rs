//! Host-side handles to memories, tables and globals, and the [`Extern`] sum of all four.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, GlobalEntity, MemoryEntity, TableEntity, PAGE_SIZE};
use crate::types::{ExternType, GlobalType, MemoryType, Mutability, TableType};
use crate::value::Val;
use crate::Func;

/// A linear memory in a store.
///
/// ```
/// use weft_interp::{Engine, Limits, Memory, MemoryType, Store};
/// let mut store = Store::new(&Engine::default(), ());
/// let mem = Memory::new(&mut store, MemoryType { limits: Limits { min: 1, max: Some(2) } })?;
/// mem.write(&mut store, 8, b"weft")?;
/// let mut buf = [0u8; 4];
/// mem.read(&store, 8, &mut buf)?;
/// assert_eq!(&buf, b"weft");
/// assert_eq!(mem.grow(&mut store, 1)?, 1);
/// assert!(mem.grow(&mut store, 1).is_err()); // past the maximum
/// # Ok::<(), weft_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);

impl Memory {
    /// A new memory of the given type, zero-filled.
    pub fn new<C: AsContextMut + ?Sized>(store: &mut C, ty: MemoryType) -> Result<Memory> {
        let inner = &mut store.as_context_mut().inner;
        let limit = inner.engine.config().max_memory_pages;
        if ty.limits.min > limit.min(65536) {
            return Err(Error::ResourceLimit(format!(
                "memory of {} pages exceeds the limit of {limit} pages",
                ty.limits.min
            )));
        }
        let len = (ty.limits.min * PAGE_SIZE) as usize;
        let data = crate::store::zeroed_bytes(len)?;
        inner.memories.push(MemoryEntity { ty, data });
        Ok(Memory(inner.memories.len() as u32 - 1))
    }

    /// The memory's type, with its current size as minimum.
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> MemoryType {
        let m = &store.as_context().inner.memories[self.0 as usize];
        let mut ty = m.ty;
        ty.limits.min = m.pages();
        ty
    }

    /// The memory's bytes.
    pub fn data<'a, C: AsContext + ?Sized>(&self, store: &'a C) -> &'a [u8] {
        &store.as_context().inner.memories[self.0 as usize].data
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, C: AsContextMut + ?Sized>(&self, store: &'a mut C) -> &'a mut [u8] {
        &mut store.as_context_mut().inner.memories[self.0 as usize].data
    }

    /// Size in pages.
    pub fn size<C: AsContext + ?Sized>(&self, store: &C) -> u64 {
        store.as_context().inner.memories[self.0 as usize].pages()
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`; errors when out of bounds.
    pub fn read<C: AsContext + ?Sized>(
        &self,
        store: &C,
        offset: usize,
        buf: &mut [u8],
    ) -> Result<()> {
        let data = self.data(store);
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
        let data = self.data_mut(store);
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
        inner.memories[self.0 as usize]
            .grow(delta, limit)
            .ok_or_else(|| Error::ResourceLimit(format!("cannot grow memory by {delta} pages")))
    }
}

/// A table in a store.
///
/// ```
/// use weft_interp::{Engine, Limits, Store, Table, TableType, Val, ValType};
/// let mut store = Store::new(&Engine::default(), ());
/// let ty = TableType { element: ValType::FuncRef, limits: Limits { min: 2, max: None } };
/// let table = Table::new(&mut store, ty, Val::FuncRef(None))?;
/// assert_eq!(table.size(&store), 2);
/// assert_eq!(table.get(&store, 1), Some(Val::FuncRef(None)));
/// assert_eq!(table.get(&store, 2), None);
/// # Ok::<(), weft_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);

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
        let limit = inner.engine.config().max_table_elements;
        if ty.limits.min > limit {
            return Err(Error::ResourceLimit(format!(
                "table of {} elements exceeds the limit of {limit}",
                ty.limits.min
            )));
        }
        let elements = vec![init.to_cell(); ty.limits.min as usize];
        inner.tables.push(TableEntity { ty, elements });
        Ok(Table(inner.tables.len() as u32 - 1))
    }

    /// The table's type, with its current size as minimum.
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> TableType {
        let t = &store.as_context().inner.tables[self.0 as usize];
        let mut ty = t.ty;
        ty.limits.min = t.elements.len() as u64;
        ty
    }

    /// Number of elements.
    pub fn size<C: AsContext + ?Sized>(&self, store: &C) -> u64 {
        store.as_context().inner.tables[self.0 as usize]
            .elements
            .len() as u64
    }

    /// The element at `index`, or `None` when out of bounds.
    pub fn get<C: AsContext + ?Sized>(&self, store: &C, index: u64) -> Option<Val> {
        let t = &store.as_context().inner.tables[self.0 as usize];
        let cell = *t.elements.get(usize::try_from(index).ok()?)?;
        Some(Val::from_cell(t.ty.element, cell))
    }

    /// Sets the element at `index`.
    pub fn set<C: AsContextMut + ?Sized>(&self, store: &mut C, index: u64, val: Val) -> Result<()> {
        let t = &mut store.as_context_mut().inner.tables[self.0 as usize];
        if val.ty() != t.ty.element {
            return Err(Error::TypeMismatch(format!(
                "cannot store {} in a table of {}",
                val.ty(),
                t.ty.element
            )));
        }
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| t.elements.get_mut(i))
            .ok_or(crate::TrapKind::TableOutOfBounds)?;
        *slot = val.to_cell();
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
        let t = &mut inner.tables[self.0 as usize];
        if init.ty() != t.ty.element {
            return Err(Error::TypeMismatch("table.grow init value type".into()));
        }
        t.grow(delta, init.to_cell(), limit)
            .ok_or_else(|| Error::ResourceLimit(format!("cannot grow table by {delta}")))
    }
}

/// A global in a store.
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
pub struct Global(pub(crate) u32);

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
        inner.globals.push(GlobalEntity {
            ty,
            value: val.to_cell(),
        });
        Ok(Global(inner.globals.len() as u32 - 1))
    }

    /// The global's type.
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> GlobalType {
        store.as_context().inner.globals[self.0 as usize].ty
    }

    /// The current value.
    pub fn get<C: AsContext + ?Sized>(&self, store: &C) -> Val {
        let g = &store.as_context().inner.globals[self.0 as usize];
        Val::from_cell(g.ty.content, g.value)
    }

    /// Sets the value; errors for immutable globals or a value of another type.
    pub fn set<C: AsContextMut + ?Sized>(&self, store: &mut C, val: Val) -> Result<()> {
        let g = &mut store.as_context_mut().inner.globals[self.0 as usize];
        if g.ty.mutability != Mutability::Var {
            return Err(Error::TypeMismatch("cannot set an immutable global".into()));
        }
        if val.ty() != g.ty.content {
            return Err(Error::TypeMismatch(format!(
                "cannot set a global of {} to {}",
                g.ty.content,
                val.ty()
            )));
        }
        g.value = val.to_cell();
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

    /// The type of the object (tables and memories with their current size as minimum).
    pub fn ty<C: AsContext + ?Sized>(&self, store: &C) -> ExternType {
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
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
