//! Wasm types as the embedding API shows them (spec §2.3 "Types").

use core::fmt;

/// A value type (spec §2.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE 754 float.
    F32,
    /// 64-bit IEEE 754 float.
    F64,
    /// 128-bit vector (the SIMD instructions).
    V128,
    /// Nullable reference to a function.
    FuncRef,
    /// Nullable reference to a host value.
    ExternRef,
    /// Nullable reference to an exception (exception handling proposal).
    ExnRef,
}

impl ValType {
    pub(crate) fn from_wasmparser(ty: wasmparser::ValType) -> Option<ValType> {
        use wasmparser::{HeapType, ValType as W};
        Some(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::V128 => ValType::V128,
            W::Ref(r) => match r.heap_type() {
                HeapType::Abstract {
                    ty: wasmparser::AbstractHeapType::Func,
                    ..
                } => ValType::FuncRef,
                HeapType::Abstract {
                    ty: wasmparser::AbstractHeapType::Extern,
                    ..
                } => ValType::ExternRef,
                HeapType::Abstract {
                    ty: wasmparser::AbstractHeapType::Exn,
                    ..
                } => ValType::ExnRef,
                _ => return None,
            },
        })
    }

    /// How many 64-bit stack cells a value of this type takes: 2 for `v128`, else 1.
    pub(crate) fn cells(self) -> usize {
        if self == ValType::V128 {
            2
        } else {
            1
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(
            self,
            ValType::FuncRef | ValType::ExternRef | ValType::ExnRef
        )
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::ExnRef => "exnref",
        })
    }
}

/// A function type: parameters and results (spec §2.3.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    params_results: Box<[ValType]>,
    len_params: usize,
}

impl FuncType {
    /// Creates a function type from its parameter and result types.
    ///
    /// ```
    /// use weft_interp::{FuncType, ValType};
    /// let ty = FuncType::new([ValType::I32, ValType::I32], [ValType::I64]);
    /// assert_eq!(ty.params(), &[ValType::I32, ValType::I32]);
    /// assert_eq!(ty.to_string(), "(func (param i32 i32) (result i64))");
    /// ```
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        let mut all: Vec<ValType> = params.into_iter().collect();
        let len_params = all.len();
        all.extend(results);
        FuncType {
            params_results: all.into_boxed_slice(),
            len_params,
        }
    }

    /// The parameter types.
    pub fn params(&self) -> &[ValType] {
        &self.params_results[..self.len_params]
    }

    /// The result types.
    pub fn results(&self) -> &[ValType] {
        &self.params_results[self.len_params..]
    }

    /// Stack cells the parameters take (a `v128` takes two).
    pub(crate) fn param_cells(&self) -> u32 {
        cells_of(self.params())
    }

    /// Stack cells the results take.
    pub(crate) fn result_cells(&self) -> u32 {
        cells_of(self.results())
    }
}

/// Stack cells a sequence of values of types `tys` takes.
pub(crate) fn cells_of(tys: &[ValType]) -> u32 {
    tys.iter().map(|t| t.cells() as u32).sum()
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(func")?;
        if !self.params().is_empty() {
            f.write_str(" (param")?;
            for p in self.params() {
                write!(f, " {p}")?;
            }
            f.write_str(")")?;
        }
        if !self.results().is_empty() {
            f.write_str(" (result")?;
            for r in self.results() {
                write!(f, " {r}")?;
            }
            f.write_str(")")?;
        }
        f.write_str(")")
    }
}

/// Whether a global can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// `const`
    Const,
    /// `var`
    Var,
}

/// A global's type (spec §2.3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    /// Type of the value.
    pub content: ValType,
    /// Whether it can be written.
    pub mutability: Mutability,
}

/// Size limits of a memory or table, in pages or elements (spec §2.3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Initial size.
    pub min: u64,
    /// Maximum size, if any.
    pub max: Option<u64>,
}

impl Limits {
    /// Import subtyping of limits (spec §4.5.2 "Limits"): `self` matches `other`.
    pub fn matches(&self, other: &Limits) -> bool {
        self.min >= other.min
            && match (self.max, other.max) {
                (_, None) => true,
                (Some(a), Some(b)) => a <= b,
                (None, Some(_)) => false,
            }
    }
}

/// A table's type (spec §2.3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    /// Type of the elements (a reference type).
    pub element: ValType,
    /// Size limits in elements.
    pub limits: Limits,
}

/// A memory's type (spec §2.3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    /// Size limits in 64 KiB pages.
    pub limits: Limits,
    /// Whether the memory is shared (threads proposal): a shared memory must have a
    /// maximum, and an import matches only a memory of the same sharedness. A
    /// [`Store`](crate::Store) is one agent, so a shared memory is an ordinary memory
    /// marked shared; only `memory.atomic.wait*` tells them apart when running.
    pub shared: bool,
}

/// The type of an import or export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A table.
    Table(TableType),
    /// A linear memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
    /// An exception tag, with the type of its payload (a function type without results).
    Tag(FuncType),
}

impl ExternType {
    /// A short name of the kind: `func`, `table`, `memory`, `global` or `tag`.
    pub fn kind(&self) -> &'static str {
        match self {
            ExternType::Func(_) => "func",
            ExternType::Table(_) => "table",
            ExternType::Memory(_) => "memory",
            ExternType::Global(_) => "global",
            ExternType::Tag(_) => "tag",
        }
    }
}

/// An import of a module: where it comes from and what it must be.
#[derive(Debug, Clone)]
pub struct ImportType {
    /// Module name of the import.
    pub module: String,
    /// Field name of the import.
    pub name: String,
    /// Required type.
    pub ty: ExternType,
}

/// An export of a module.
#[derive(Debug, Clone)]
pub struct ExportType {
    /// Export name.
    pub name: String,
    /// Its type.
    pub ty: ExternType,
}
