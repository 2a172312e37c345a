//! Module instances and instantiation (spec §4.5.4 "Instantiation").

use crate::error::{Error, Result};
use crate::exception::TagEntity;
use crate::exec;
use crate::func::TypedFunc;
use crate::module::{DataMode, ElemMode, ExternIndex, ImportKind, Module};
use crate::store::{
    AsContext, FuncEntity, GlobalEntity, Importer, InstanceEntity, MemoryEntity, Store, StoreId,
    TableEntity,
};
use crate::type_registry::TypeCache;
use crate::types::{ExternType, Mutability};
use crate::value::ref_to_cell;
use crate::{Extern, Func, Global, Memory, Table, Tag, TrapKind, WasmParams, WasmResults};
use std::collections::HashMap;

/// An instantiated module.
///
/// Used with a store other than the one that made it, its lookups find nothing (`None`, an
/// empty list) and [`Instance::get_typed_func`] fails with [`Error::StoreMismatch`].
///
/// ```
/// use weft_interp::{Engine, Linker, Module, Store, Val};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module
///     (global (export "answer") i32 (i32.const 42))
///     (memory (export "mem") 1))"#)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::<()>::new(&engine).instantiate(&mut store, &module)?;
/// assert_eq!(instance.get_global(&store, "answer").unwrap().get(&store), Val::I32(42));
/// assert_eq!(instance.get_memory(&store, "mem").unwrap().size(&store), 1);
/// # Ok::<(), weft_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32, pub(crate) StoreId);

impl Instance {
    /// The export called `name`.
    pub fn get_export<C: AsContext + ?Sized>(&self, store: &C, name: &str) -> Option<Extern> {
        store
            .as_context()
            .inner
            .instance(*self)
            .ok()?
            .exports
            .get(name)
            .copied()
    }

    /// All exports, in the module's order (none for an instance of another store).
    pub fn exports<C: AsContext + ?Sized>(&self, store: &C) -> Vec<(String, Extern)> {
        let Ok(inst) = store.as_context().inner.instance(*self) else {
            return Vec::new();
        };
        inst.module
            .inner
            .exports
            .iter()
            .filter_map(|(name, _)| Some((name.clone(), *inst.exports.get(name)?)))
            .collect()
    }

    /// The exported function called `name`.
    pub fn get_func<C: AsContext + ?Sized>(&self, store: &C, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported function called `name`, typed; errors if missing or of another type.
    pub fn get_typed_func<Params: WasmParams, Results: WasmResults>(
        &self,
        store: &impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>> {
        store.as_context().inner.instance(*self)?;
        let func = self
            .get_func(store, name)
            .ok_or_else(|| Error::ExportNotFound {
                kind: "function",
                name: name.into(),
            })?;
        func.typed(store)
    }

    /// The exported memory called `name`.
    pub fn get_memory<C: AsContext + ?Sized>(&self, store: &C, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported table called `name`.
    pub fn get_table<C: AsContext + ?Sized>(&self, store: &C, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported global called `name`.
    pub fn get_global<C: AsContext + ?Sized>(&self, store: &C, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }
}

/// Checks that `found` can stand for an import of type `expected` (spec §4.5.2 "Import
/// Subtyping").
fn matches(types: &mut TypeCache, expected: &ExternType, found: &ExternType) -> bool {
    match (expected, found) {
        // Checked by canonical type ids by the caller.
        (ExternType::Func(_), ExternType::Func(_)) => true,
        // Tables and memories match only their own address type (memory64; spec §4.5.2
        // "Tables", "Memories": the address types must be equal).
        (ExternType::Table(a), ExternType::Table(b)) => {
            a.element == b.element && a.addr_type == b.addr_type && b.limits.matches(&a.limits)
        }
        (ExternType::Memory(a), ExternType::Memory(b)) => {
            // Threads proposal: sharedness must be equal.
            a.addr_type == b.addr_type && a.shared == b.shared && b.limits.matches(&a.limits)
        }
        // An immutable global may have a subtype; a mutable one must match exactly.
        (ExternType::Global(a), ExternType::Global(b)) => {
            a.mutability == b.mutability
                && match a.mutability {
                    Mutability::Const => types.val_matches(b.content, a.content),
                    Mutability::Var => a.content == b.content,
                }
        }
        // Tag types match exactly (spec §4.5.2 "Tags"), by canonical id (the caller).
        (ExternType::Tag(_), ExternType::Tag(_)) => true,
        _ => false,
    }
}

/// Instantiates `module` with `imports` (one per import, in order), then runs its start
/// function.
pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance> {
    let m = &module.inner;
    if store.inner.engine.config().fuel != m.engine.config().fuel {
        return Err(Error::TypeMismatch(
            "module and store belong to engines with different fuel settings".into(),
        ));
    }
    // 1. Check the imports.
    let mut funcs = Vec::with_capacity(m.funcs.len());
    let mut tables = Vec::with_capacity(m.tables.len());
    let mut memories = Vec::with_capacity(m.memories.len());
    let mut globals = Vec::with_capacity(m.globals.len());
    let mut tags = Vec::with_capacity(m.tags.len());
    for (import, ext) in m.imports.iter().zip(imports) {
        ext.check_store(store.inner.id)?;
        let expected = match &import.kind {
            ImportKind::Func(t) => ExternType::Func((*m.types[*t as usize]).clone()),
            ImportKind::Table(t) => ExternType::Table(*t),
            ImportKind::Memory(mt) => ExternType::Memory(*mt),
            ImportKind::Global(g) => ExternType::Global(*g),
            ImportKind::Tag(t) => ExternType::Tag((*m.types[*t as usize]).clone()),
        };
        let found = ext.ty(&*store);
        // Functions match by their canonical types and declared subtyping (spec §4.5.2
        // "Functions": the provided type must be a subtype of the import's).
        let funcs_match = match (&import.kind, &ext) {
            (ImportKind::Func(t), Extern::Func(f)) => {
                let found_id = store.inner.func(*f)?.type_id();
                store
                    .inner
                    .types
                    .is_subtype(found_id, m.type_ids[*t as usize])
            }
            (ImportKind::Tag(t), Extern::Tag(tag)) => {
                store.inner.tag(*tag)?.type_id == m.type_ids[*t as usize]
            }
            _ => true,
        };
        // custom-page-sizes: a memory matches only a memory type of the same page size.
        let page_sizes_match = match (&import.kind, &ext) {
            (ImportKind::Memory(_), Extern::Memory(mem)) => {
                let expected = m.memory_page_size_log2[memories.len()];
                store.inner.memory(*mem)?.page_size_log2 == expected
            }
            _ => true,
        };
        if !page_sizes_match || !funcs_match || !matches(&mut store.inner.types, &expected, &found)
        {
            return Err(Error::IncompatibleImport {
                module: import.module.clone(),
                name: import.name.clone(),
                expected: expected.to_string(),
                found: found.to_string(),
            });
        }
        match ext {
            Extern::Func(f) => funcs.push(f.0),
            Extern::Table(t) => tables.push(t.0),
            Extern::Memory(mem) => memories.push(mem.0),
            Extern::Global(g) => globals.push(g.0),
            Extern::Tag(t) => tags.push(t.0),
        }
    }
    if imports.len() != m.imports.len() {
        return Err(Error::TypeMismatch(format!(
            "{} imports given, module needs {}",
            imports.len(),
            m.imports.len()
        )));
    }

    // 2. Allocate functions, then globals, tables and memories (spec §4.5.3 "Allocation").
    let inner = &mut store.inner;
    let id = inner.id;
    let instance_idx = inner.instances.len() as u32;
    for def in 0..m.bodies.len() as u32 {
        let index = m.num_imported_funcs + def;
        inner.funcs.push(FuncEntity::Wasm {
            ty: m.func_type(index).clone(),
            type_id: m.func_type_id(index),
            instance: instance_idx,
            module: module.clone(),
            def,
            index,
        });
        funcs.push(inner.funcs.len() as u32 - 1);
    }
    for &t in &m.tags[m.num_imported_tags as usize..] {
        inner.tags.push(TagEntity {
            ty: m.types[t as usize].clone(),
            type_id: m.type_ids[t as usize],
        });
        tags.push(inner.tags.len() as u32 - 1);
    }
    let func_cell = |f: u32| ref_to_cell(Some(funcs[f as usize]));
    for (i, init) in m.global_inits.iter().enumerate() {
        let ty = m.globals[m.num_imported_globals as usize + i];
        let (heap, types) = (&mut inner.gc, &mut inner.types);
        let value = init.eval_gc(
            |g| inner.globals[globals[g as usize] as usize].bits(),
            func_cell,
            &mut |op, stack| crate::gc::const_op(heap, types, op, stack),
        )?;
        inner.globals.push(GlobalEntity::new(ty, value));
        globals.push(inner.globals.len() as u32 - 1);
    }
    let config = inner.engine.config().clone();
    for (i, init) in m.table_inits.iter().enumerate() {
        let ty = m.tables[m.num_imported_tables as usize + i];
        let (heap, types) = (&mut inner.gc, &mut inner.types);
        let cell = match init {
            Some(e) => e.eval_gc(
                |g| inner.globals[globals[g as usize] as usize].bits(),
                func_cell,
                &mut |op, stack| crate::gc::const_op(heap, types, op, stack),
            )? as u64,
            None => 0,
        };
        if ty.limits.min
            > config
                .max_table_elements
                .min(crate::store::MAX_TABLE_ELEMENTS)
        {
            return Err(Error::ResourceLimit(format!(
                "table of {} elements exceeds the limit",
                ty.limits.min
            )));
        }
        inner.tables.push(TableEntity {
            ty,
            elements: vec![cell; ty.limits.min as usize],
        });
        tables.push(inner.tables.len() as u32 - 1);
    }
    for i in m.num_imported_memories as usize..m.memories.len() {
        let memory = MemoryEntity::new(
            m.memories[i],
            m.memory_page_size_log2[i],
            config.max_memory_pages,
        )?;
        inner.memories.push(memory);
        memories.push(inner.memories.len() as u32 - 1);
    }

    // Element and data segment instances.
    let mut elems = Vec::with_capacity(m.elems.len());
    for seg in &m.elems {
        let (heap, types) = (&mut inner.gc, &mut inner.types);
        let cells = seg
            .items
            .iter()
            .map(|e| {
                e.eval_gc(
                    |g| inner.globals[globals[g as usize] as usize].bits(),
                    func_cell,
                    &mut |op, stack| crate::gc::const_op(heap, types, op, stack),
                )
                .map(|v| v as u64)
            })
            .collect::<Result<Vec<u64>>>()?;
        inner.elems.push(cells);
        elems.push(inner.elems.len() as u32 - 1);
    }
    let mut datas = Vec::with_capacity(m.datas.len());
    for seg in &m.datas {
        inner.datas.push(seg.bytes.clone());
        datas.push(inner.datas.len() as u32 - 1);
    }

    // 3. Exports.
    let mut exports = HashMap::with_capacity(m.exports.len());
    for (name, idx) in &m.exports {
        let ext = match *idx {
            ExternIndex::Func(f) => Extern::Func(Func(funcs[f as usize], id)),
            ExternIndex::Table(t) => Extern::Table(Table(tables[t as usize], id)),
            ExternIndex::Memory(mem) => Extern::Memory(Memory(memories[mem as usize], id)),
            ExternIndex::Global(g) => Extern::Global(Global(globals[g as usize], id)),
            ExternIndex::Tag(t) => Extern::Tag(Tag(tags[t as usize], id)),
        };
        exports.insert(name.clone(), ext);
    }
    inner.instances.push(InstanceEntity {
        module: module.clone(),
        funcs,
        tables,
        memories,
        globals,
        tags,
        elems,
        datas,
        exports,
    });
    let instance = Instance(instance_idx, id);
    // Host functions imported here see this instance when called straight from the host.
    for &f in &inner.instances[instance_idx as usize].funcs[..m.num_imported_funcs as usize] {
        if let Some(FuncEntity::Host { host, .. }) = inner.funcs.get(f as usize) {
            if let Some(importer) = inner.host_importers.get_mut(*host as usize) {
                *importer = match *importer {
                    Importer::None => Importer::One(instance_idx),
                    Importer::One(i) if i == instance_idx => Importer::One(i),
                    _ => Importer::Many,
                };
            }
        }
    }

    // 4. Element segments, then data segments, in order (spec §4.5.4 steps 14-15).
    for (i, seg) in m.elems.iter().enumerate() {
        let inst = &inner.instances[instance_idx as usize];
        let elem_addr = inst.elems[i] as usize;
        match &seg.mode {
            ElemMode::Active { table, offset } => {
                let table_addr = inst.tables[*table as usize] as usize;
                let offset = offset.eval(
                    |g| inner.globals[inst.globals[g as usize] as usize].bits(),
                    |f| ref_to_cell(Some(inst.funcs[f as usize])),
                ) as u64;
                // An `i64` offset for a 64-bit table (memory64).
                let offset = inner.tables[table_addr].ty.addr_type.of_cell(offset);
                let src = std::mem::take(&mut inner.elems[elem_addr]);
                let table = &mut inner.tables[table_addr].elements;
                let dst = usize::try_from(offset)
                    .ok()
                    .and_then(|offset| Some(offset..offset.checked_add(src.len())?))
                    .and_then(|r| table.get_mut(r))
                    .ok_or(TrapKind::TableOutOfBounds)?;
                // The overwritten cells, and the segment dropped (spec §4.5.4 step 14).
                inner.gc.barrier_cells(dst);
                dst.copy_from_slice(&src);
                inner.gc.drop_segment(src);
            }
            ElemMode::Declared => {
                let seg = std::mem::take(&mut inner.elems[elem_addr]);
                inner.gc.drop_segment(seg);
            }
            ElemMode::Passive => {}
        }
    }
    for (i, seg) in m.datas.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &seg.mode {
            let inst = &inner.instances[instance_idx as usize];
            let data_addr = inst.datas[i] as usize;
            let mem_addr = inst.memories[*memory as usize] as usize;
            let offset = offset.eval(
                |g| inner.globals[inst.globals[g as usize] as usize].bits(),
                |f| ref_to_cell(Some(inst.funcs[f as usize])),
            ) as u64;
            // An `i64` offset for a 64-bit memory (memory64).
            let offset = inner.memories[mem_addr].ty.addr_type.of_cell(offset);
            let src = std::mem::replace(&mut inner.datas[data_addr], Vec::new().into());
            let mem = &mut inner.memories[mem_addr].data;
            let dst = usize::try_from(offset)
                .ok()
                .and_then(|offset| Some(offset..offset.checked_add(src.len())?))
                .and_then(|r| mem.get_mut(r))
                .ok_or(TrapKind::MemoryOutOfBounds)?;
            dst.copy_from_slice(&src);
        }
    }

    // 5. The start function.
    if let Some(start) = m.start {
        let func = Func(
            store.inner.instances[instance_idx as usize].funcs[start as usize],
            id,
        );
        exec::invoke(store, func, &[], &mut [])?;
    }
    Ok(instance)
}
