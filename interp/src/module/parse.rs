//! Walks the sections of a binary with `wasmparser`, validating as it goes, and fills a
//! [`ModuleInner`].

use super::{
    ConstExpr, DataMode, DataSegment, ElemMode, ElemSegment, ExternIndex, Import, ImportKind,
    ModuleInner,
};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::type_registry::{CompositeType, FieldType, StorageType, SubType, REC_BIT};
use crate::types::{
    AddrType, FuncType, GlobalType, Limits, MemoryType, Mutability, TableType, TypeId, ValType,
};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use wasmparser::{
    CompositeInnerType, DataKind, ElementItems, ElementKind, ExternalKind,
    FuncValidatorAllocations, Name, Parser, Payload, TableInit, TypeRef, ValidPayload, Validator,
    WasmFeatures,
};

/// The proposals this interpreter runs: Wasm 2.0 (SIMD switchable), plus the proposals
/// the configuration enables.
pub(crate) fn features(config: &crate::Config) -> WasmFeatures {
    let mut f = WasmFeatures::WASM2;
    for (on, feature) in [
        (config.simd, WasmFeatures::SIMD),
        (config.multi_memory, WasmFeatures::MULTI_MEMORY),
        (config.extended_const, WasmFeatures::EXTENDED_CONST),
        (config.tail_call, WasmFeatures::TAIL_CALL),
        (config.custom_page_sizes, WasmFeatures::CUSTOM_PAGE_SIZES),
        (config.wide_arithmetic, WasmFeatures::WIDE_ARITHMETIC),
        (config.exceptions, WasmFeatures::EXCEPTIONS),
        (
            config.simd && config.relaxed_simd,
            WasmFeatures::RELAXED_SIMD,
        ),
        (config.threads, WasmFeatures::THREADS),
        (config.reference_types, WasmFeatures::REFERENCE_TYPES),
        (
            config.function_references,
            WasmFeatures::FUNCTION_REFERENCES,
        ),
        (config.gc, WasmFeatures::GC),
        (config.memory64, WasmFeatures::MEMORY64),
    ] {
        f.set(feature, on);
    }
    f
}

pub(crate) fn val_type(ty: wasmparser::ValType, ids: &[TypeId]) -> Result<ValType> {
    ValType::from_wasmparser(ty, ids).ok_or_else(|| Error::Unsupported(format!("value type {ty}")))
}

fn ref_type(ty: wasmparser::RefType, ids: &[TypeId]) -> Result<ValType> {
    val_type(wasmparser::ValType::Ref(ty), ids)
}

/// The address type of a memory or table that is 64-bit when `is_64` (memory64).
fn addr_type(is_64: bool) -> AddrType {
    if is_64 {
        AddrType::I64
    } else {
        AddrType::I32
    }
}

fn table_type(t: &wasmparser::TableType, ids: &[TypeId]) -> Result<TableType> {
    Ok(TableType {
        element: ref_type(t.element_type, ids)?,
        limits: Limits {
            min: t.initial,
            max: t.maximum,
        },
        addr_type: addr_type(t.table64),
    })
}

/// A memory's type and the log2 of its page size (validation allows only 0 and 16).
fn memory_type(m: &wasmparser::MemoryType) -> Result<(MemoryType, u8)> {
    let page_size_log2 = match m.page_size_log2 {
        None => 16,
        Some(log2 @ (0 | 16)) => log2 as u8,
        Some(log2) => return Err(Error::Unsupported(format!("memory page size 2^{log2}"))),
    };
    let ty = MemoryType {
        limits: Limits {
            min: m.initial,
            max: m.maximum,
        },
        shared: m.shared,
        addr_type: addr_type(m.memory64),
    };
    Ok((ty, page_size_log2))
}

fn global_type(g: &wasmparser::GlobalType, ids: &[TypeId]) -> Result<GlobalType> {
    Ok(GlobalType {
        content: val_type(g.content_type, ids)?,
        mutability: if g.mutable {
            Mutability::Var
        } else {
            Mutability::Const
        },
    })
}

pub(crate) fn parse(engine: &Engine, bytes: &[u8]) -> Result<ModuleInner> {
    let features = features(engine.config());
    let mut validator = Validator::new_with_features(features);
    let mut parser = Parser::new(0);
    // The parser decodes some encodings by feature (e.g. 64-bit limits); keep it in step.
    parser.set_features(features);
    let mut allocs = FuncValidatorAllocations::default();
    let mut m = ModuleInner {
        engine: engine.clone(),
        bytes: bytes.into(),
        types: Vec::new(),
        type_ids: Vec::new(),
        type_defs: Vec::new(),
        funcs: Vec::new(),
        num_imported_funcs: 0,
        tables: Vec::new(),
        num_imported_tables: 0,
        table_inits: Vec::new(),
        memories: Vec::new(),
        memory_page_size_log2: Vec::new(),
        num_imported_memories: 0,
        globals: Vec::new(),
        num_imported_globals: 0,
        global_inits: Vec::new(),
        tags: Vec::new(),
        num_imported_tags: 0,
        imports: Vec::new(),
        exports: Vec::new(),
        start: None,
        elems: Vec::new(),
        datas: Vec::new(),
        bodies: Vec::new(),
        compiled: Vec::new(),
        name: None,
        func_names: HashMap::new(),
    };
    for payload in parser.parse_all(bytes) {
        let payload = payload?;
        if let ValidPayload::Func(func, body) = validator.payload(&payload)? {
            let mut v = func.into_validator(allocs);
            v.validate(&body)?;
            allocs = v.into_allocations();
            let r = body.range();
            m.bodies.push(r.start as usize..r.end as usize);
        }
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader {
                    register_group(engine, &mut m, group?)?;
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    let kind = match import.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            m.funcs.push(t);
                            m.num_imported_funcs += 1;
                            ImportKind::Func(t)
                        }
                        TypeRef::Table(t) => {
                            let t = table_type(&t, &m.type_ids)?;
                            m.tables.push(t);
                            m.num_imported_tables += 1;
                            ImportKind::Table(t)
                        }
                        TypeRef::Memory(mt) => {
                            let (mt, log2) = memory_type(&mt)?;
                            m.memories.push(mt);
                            m.memory_page_size_log2.push(log2);
                            m.num_imported_memories += 1;
                            ImportKind::Memory(mt)
                        }
                        TypeRef::Global(g) => {
                            let g = global_type(&g, &m.type_ids)?;
                            m.globals.push(g);
                            m.num_imported_globals += 1;
                            ImportKind::Global(g)
                        }
                        TypeRef::Tag(t) => {
                            m.tags.push(t.func_type_idx);
                            m.num_imported_tags += 1;
                            ImportKind::Tag(t.func_type_idx)
                        }
                    };
                    m.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        kind,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader {
                    m.funcs.push(t?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table?;
                    m.tables.push(table_type(&table.ty, &m.type_ids)?);
                    m.table_inits.push(match &table.init {
                        TableInit::RefNull => None,
                        TableInit::Expr(e) => Some(ConstExpr::from_wasmparser(e, &m.type_ids)?),
                    });
                }
            }
            Payload::MemorySection(reader) => {
                for mem in reader {
                    let (mt, log2) = memory_type(&mem?)?;
                    m.memories.push(mt);
                    m.memory_page_size_log2.push(log2);
                }
            }
            Payload::GlobalSection(reader) => {
                for g in reader {
                    let g = g?;
                    m.globals.push(global_type(&g.ty, &m.type_ids)?);
                    m.global_inits
                        .push(ConstExpr::from_wasmparser(&g.init_expr, &m.type_ids)?);
                }
            }
            Payload::TagSection(reader) => {
                for t in reader {
                    m.tags.push(t?.func_type_idx);
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader {
                    let e = e?;
                    let idx = match e.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => ExternIndex::Func(e.index),
                        ExternalKind::Table => ExternIndex::Table(e.index),
                        ExternalKind::Memory => ExternIndex::Memory(e.index),
                        ExternalKind::Global => ExternIndex::Global(e.index),
                        ExternalKind::Tag => ExternIndex::Tag(e.index),
                    };
                    m.exports.push((e.name.to_string(), idx));
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    let elem = elem?;
                    let mode = match elem.kind {
                        ElementKind::Passive => ElemMode::Passive,
                        ElementKind::Declared => ElemMode::Declared,
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElemMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: ConstExpr::from_wasmparser(&offset_expr, &m.type_ids)?,
                        },
                    };
                    let items = match elem.items {
                        ElementItems::Functions(r) => r
                            .into_iter()
                            .map(|f| Ok(ConstExpr(vec![super::ConstOp::RefFunc(f?)])))
                            .collect::<Result<Vec<_>>>()?,
                        ElementItems::Expressions(_, r) => r
                            .into_iter()
                            .map(|e| ConstExpr::from_wasmparser(&e?, &m.type_ids))
                            .collect::<Result<Vec<_>>>()?,
                    };
                    m.elems.push(ElemSegment { mode, items });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let mode = match data.kind {
                        DataKind::Passive => DataMode::Passive,
                        DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataMode::Active {
                            memory: memory_index,
                            offset: ConstExpr::from_wasmparser(&offset_expr, &m.type_ids)?,
                        },
                    };
                    m.datas.push(DataSegment {
                        mode,
                        bytes: data.data.into(),
                    });
                }
            }
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(reader) = c.as_known() {
                    // A malformed name section is not an error (spec §7.4 "custom sections").
                    for name in reader.into_iter().flatten() {
                        match name {
                            Name::Module { name, .. } => m.name = Some(name.to_string()),
                            Name::Function(map) => {
                                for naming in map.into_iter().flatten() {
                                    m.func_names.insert(naming.index, naming.name.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    m.compiled = (0..m.bodies.len()).map(|_| OnceLock::new()).collect();
    Ok(m)
}

/// Registers recursion group `group` with the engine and appends its types to the
/// module's type index space.
fn register_group(engine: &Engine, m: &mut ModuleInner, group: wasmparser::RecGroup) -> Result<()> {
    let start = m.type_ids.len() as u32;
    let subs: Vec<wasmparser::SubType> = group.into_types().collect();
    // References into the group itself are `REC_BIT | position` until it is registered.
    let mut ids = m.type_ids.clone();
    ids.extend((0..subs.len() as u32).map(|i| TypeId(REC_BIT | i)));
    let storage = |s: wasmparser::StorageType| -> Result<StorageType> {
        Ok(match s {
            wasmparser::StorageType::I8 => StorageType::I8,
            wasmparser::StorageType::I16 => StorageType::I16,
            wasmparser::StorageType::Val(t) => StorageType::Val(val_type(t, &ids)?),
        })
    };
    let field = |f: &wasmparser::FieldType| -> Result<FieldType> {
        Ok(FieldType {
            storage: storage(f.element_type)?,
            mutable: f.mutable,
        })
    };
    let mut key = Vec::with_capacity(subs.len());
    for sub in &subs {
        if sub.composite_type.shared || sub.composite_type.descriptor_idx.is_some() {
            return Err(Error::Unsupported("shared or described types".into()));
        }
        let composite = match &sub.composite_type.inner {
            CompositeInnerType::Func(f) => {
                let params = f
                    .params()
                    .iter()
                    .map(|t| val_type(*t, &ids))
                    .collect::<Result<Vec<_>>>()?;
                let results = f
                    .results()
                    .iter()
                    .map(|t| val_type(*t, &ids))
                    .collect::<Result<Vec<_>>>()?;
                CompositeType::Func(Arc::new(FuncType::new(params, results)))
            }
            CompositeInnerType::Struct(st) => CompositeType::Struct(
                st.fields
                    .iter()
                    .map(field)
                    .collect::<Result<Vec<_>>>()?
                    .into(),
            ),
            CompositeInnerType::Array(a) => CompositeType::Array(field(&a.0)?),
            CompositeInnerType::Cont(_) => {
                return Err(Error::Unsupported("continuation types".into()))
            }
        };
        let supertype = match sub.supertype_idxs.first() {
            Some(i) => {
                let i = i
                    .as_module_index()
                    .and_then(|i| ids.get(i as usize).copied())
                    .ok_or_else(|| Error::Unsupported("supertype index".into()))?;
                Some(i)
            }
            None => None,
        };
        key.push(SubType {
            is_final: sub.is_final,
            supertype,
            composite,
        });
    }
    let n = key.len() as u32;
    let base = engine.types().register_group(key);
    for i in 0..n {
        let id = TypeId(base.0 + i);
        let def = engine
            .types()
            .get(id)
            .ok_or_else(|| Error::Unsupported("internal: type registry".into()))?;
        m.types.push(match &def.sub.composite {
            CompositeType::Func(f) => f.clone(),
            _ => Arc::new(FuncType::new([], [])),
        });
        m.type_ids.push(id);
        m.type_defs.push(def);
    }
    debug_assert_eq!(m.type_ids.len() as u32, start + n);
    Ok(())
}
