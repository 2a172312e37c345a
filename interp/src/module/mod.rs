//! Decoding and validation: bytes -> [`Module`] (spec §5 "Binary Format", §3 "Validation").
//!
//! `wasmparser` decodes and validates; this module keeps what instantiation and translation
//! need. Function bodies stay as byte ranges and are translated on first call.

mod const_expr;
mod parse;

use crate::engine::Engine;
use crate::error::Result;
use crate::translate::CompiledFunc;
use crate::type_registry::RegisteredType;
use crate::types::{
    ExportType, ExternType, FuncType, GlobalType, ImportType, MemoryType, TableType, TypeId,
};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

pub(crate) use const_expr::{ConstExpr, ConstOp};
pub(crate) use parse::features;

/// A validated WebAssembly module, ready to instantiate. Cheap to clone.
///
/// ```
/// use weft_interp::{Engine, Module};
/// let engine = Engine::default();
/// let module = Module::new(&engine, "(module (func (export \"f\") (result i32) i32.const 7))")?;
/// assert_eq!(module.exports().next().unwrap().name, "f");
/// // Invalid modules are errors, never panics:
/// assert!(Module::new(&engine, b"\0asm\x01\0\0\0\xff").is_err());
/// # Ok::<(), weft_interp::Error>(())
/// ```
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl core::fmt::Debug for Module {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.inner.name)
            .finish_non_exhaustive()
    }
}

/// What an import asks for, with types as indices into the module.
#[derive(Debug, Clone)]
pub(crate) enum ImportKind {
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// A tag of the given type index.
    Tag(u32),
}

#[derive(Debug, Clone)]
pub(crate) struct Import {
    pub module: String,
    pub name: String,
    pub kind: ImportKind,
}

/// An index into one of the module's index spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExternIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

#[derive(Debug, Clone)]
pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

#[derive(Debug, Clone)]
pub(crate) struct ElemSegment {
    pub mode: ElemMode,
    pub items: Vec<ConstExpr>,
}

#[derive(Debug, Clone)]
pub(crate) enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

#[derive(Debug, Clone)]
pub(crate) struct DataSegment {
    pub mode: DataMode,
    pub bytes: Arc<[u8]>,
}

/// Everything known about a module after decoding and validation.
pub(crate) struct ModuleInner {
    pub engine: Engine,
    pub bytes: Box<[u8]>,
    /// The function type of each type index (an empty one for struct and array types).
    pub types: Vec<Arc<FuncType>>,
    /// The canonical id of each type index.
    pub type_ids: Vec<TypeId>,
    /// The registered definition of each type index.
    pub type_defs: Vec<Arc<RegisteredType>>,
    /// Type index of every function, imports first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableType>,
    pub num_imported_tables: u32,
    /// Initial value of each defined table's elements (`None`: null).
    pub table_inits: Vec<Option<ConstExpr>>,
    pub memories: Vec<MemoryType>,
    /// Log2 of each memory's page size (16, or 0 with the custom-page-sizes proposal).
    pub memory_page_size_log2: Vec<u8>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
    pub global_inits: Vec<ConstExpr>,
    /// Type index of every tag, imports first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    pub imports: Vec<Import>,
    pub exports: Vec<(String, ExternIndex)>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    /// Byte range in `bytes` of each defined function's body.
    pub bodies: Vec<Range<usize>>,
    /// Translated bodies, filled on first call.
    pub compiled: Vec<OnceLock<Arc<CompiledFunc>>>,
    pub name: Option<String>,
    pub func_names: HashMap<u32, String>,
}

impl Module {
    /// Decodes and validates a module given as binary or as WebAssembly text.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        if bytes.starts_with(b"\0asm") {
            return Module::from_binary(engine, bytes);
        }
        let binary = wat::parse_bytes(bytes).map_err(|e| crate::Error::Wat(e.to_string()))?;
        Module::from_binary(engine, &binary)
    }

    /// Decodes and validates a module in the binary format.
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        let inner = parse::parse(engine, bytes)?;
        let module = Module {
            inner: Arc::new(inner),
        };
        if !engine.config().lazy_translation {
            module.translate_all()?;
        }
        Ok(module)
    }

    /// The module's name from its name section, if any.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// The engine the module was made for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> impl Iterator<Item = ImportType> + '_ {
        self.inner.imports.iter().map(|i| ImportType {
            module: i.module.clone(),
            name: i.name.clone(),
            ty: match &i.kind {
                ImportKind::Func(t) => ExternType::Func((*self.inner.types[*t as usize]).clone()),
                ImportKind::Table(t) => ExternType::Table(*t),
                ImportKind::Memory(m) => ExternType::Memory(*m),
                ImportKind::Global(g) => ExternType::Global(*g),
                ImportKind::Tag(t) => ExternType::Tag((*self.inner.types[*t as usize]).clone()),
            },
        })
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> impl Iterator<Item = ExportType> + '_ {
        self.inner.exports.iter().map(|(name, idx)| ExportType {
            name: name.clone(),
            ty: self.inner.extern_type(*idx),
        })
    }

    /// Sizes of the module's code: Wasm function bodies and the IR translated so far.
    ///
    /// With lazy translation only the functions called so far are counted; call
    /// [`Module::translate_all`] first to count every body.
    ///
    /// ```
    /// use weft_interp::{Engine, Module};
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, "(module (func (export \"f\") (result i32) i32.const 7))")?;
    /// module.translate_all()?;
    /// let stats = module.code_stats();
    /// assert_eq!(stats.translated_funcs, 1);
    /// assert!(stats.ir_bytes > 0 && stats.wasm_code_bytes > 0);
    /// # Ok::<(), weft_interp::Error>(())
    /// ```
    pub fn code_stats(&self) -> CodeStats {
        let mut stats = CodeStats {
            wasm_code_bytes: self.inner.bodies.iter().map(|r| r.len()).sum(),
            ..CodeStats::default()
        };
        for slot in &self.inner.compiled {
            if let Some(c) = slot.get() {
                stats.translated_funcs += 1;
                stats.ir_bytes += c.code.len()
                    * core::mem::size_of::<crate::translate::ir::Instr>()
                    + core::mem::size_of::<CompiledFunc>();
            }
        }
        stats
    }

    /// Translates every function body now (what `Config::lazy_translation(false)` does at
    /// load time). Returns the first translation error, if any.
    pub fn translate_all(&self) -> Result<()> {
        for def in 0..self.inner.bodies.len() {
            self.compiled(def as u32)?;
        }
        Ok(())
    }

    /// The translated IR of defined function `def`, one instruction per line (for
    /// debugging the translator; the format is not stable).
    #[doc(hidden)]
    pub fn dump_ir(&self, def: u32) -> Result<String> {
        if def as usize >= self.inner.bodies.len() {
            return Err(crate::Error::Unsupported(format!(
                "no defined function {def}"
            )));
        }
        let code = self.compiled(def)?;
        let mut out = format!(
            "params {} locals {} frame {}\n",
            code.num_params, code.num_locals, code.frame_size
        );
        for (pc, instr) in code.code.iter().enumerate() {
            out += &format!("{pc:4}: {instr:?}\n");
        }
        Ok(out)
    }

    /// The translated code of defined function `def`, borrowed (translating it now if
    /// needed).
    #[inline]
    pub(crate) fn compiled_ref(&self, def: u32) -> Result<&CompiledFunc> {
        let slot = &self.inner.compiled[def as usize];
        if let Some(c) = slot.get() {
            return Ok(c);
        }
        self.compiled_slow(def)
    }

    #[cold]
    fn compiled_slow(&self, def: u32) -> Result<&CompiledFunc> {
        self.compiled(def)?;
        match self.inner.compiled[def as usize].get() {
            Some(c) => Ok(c),
            None => Err(crate::Error::Unsupported(
                "internal: translation lost".into(),
            )),
        }
    }

    /// The translated code of defined function `def` (translating it now if needed).
    pub(crate) fn compiled(&self, def: u32) -> Result<Arc<CompiledFunc>> {
        let slot = &self.inner.compiled[def as usize];
        if let Some(c) = slot.get() {
            return Ok(c.clone());
        }
        let compiled = Arc::new(crate::translate::translate(&self.inner, def)?);
        Ok(slot.get_or_init(|| compiled).clone())
    }
}

/// Code sizes of a [`Module`], from [`Module::code_stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeStats {
    /// Bytes of Wasm function bodies (the code section's bodies, locals included).
    pub wasm_code_bytes: usize,
    /// Bytes of translated IR held for the functions translated so far.
    pub ir_bytes: usize,
    /// How many functions have been translated.
    pub translated_funcs: usize,
}

impl ModuleInner {
    pub(crate) fn func_type(&self, func: u32) -> &Arc<FuncType> {
        &self.types[self.funcs[func as usize] as usize]
    }

    /// The canonical type id of function `func`.
    pub(crate) fn func_type_id(&self, func: u32) -> TypeId {
        self.type_ids[self.funcs[func as usize] as usize]
    }

    pub(crate) fn extern_type(&self, idx: ExternIndex) -> ExternType {
        match idx {
            ExternIndex::Func(f) => ExternType::Func((**self.func_type(f)).clone()),
            ExternIndex::Table(t) => ExternType::Table(self.tables[t as usize]),
            ExternIndex::Memory(m) => ExternType::Memory(self.memories[m as usize]),
            ExternIndex::Global(g) => ExternType::Global(self.globals[g as usize]),
            ExternIndex::Tag(t) => {
                ExternType::Tag((*self.types[self.tags[t as usize] as usize]).clone())
            }
        }
    }
}
