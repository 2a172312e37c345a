//! Wasm types as the embedding API shows them (spec §2.3 "Types").

use core::fmt;

/// A value type (spec §2.3.4).
///
/// The three nullable abstract references `funcref`, `externref` and `exnref` have their
/// own variants; every other reference type is [`ValType::Ref`] (build one with
/// [`ValType::from_ref`], which keeps that form unique, so `==` is type equality).
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
    /// Nullable reference to a function: `(ref null func)`.
    FuncRef,
    /// Nullable reference to a host value: `(ref null extern)`.
    ExternRef,
    /// Nullable reference to an exception: `(ref null exn)`.
    ExnRef,
    /// Any other reference type (typed function references and GC).
    Ref(RefType),
}

/// A defined type (a function, struct or array type) after canonicalization: two
/// modules that define the same recursion group get the same ids (spec §3.1.3 "type
/// equivalence" is iso-recursive). Ids are per [`Engine`](crate::Engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub(crate) u32);

impl TypeId {
    /// The index of the type in its engine's registry.
    pub fn index(self) -> u32 {
        self.0
    }
}

/// A heap type: what a reference points to (spec §2.3.3 "Heap Types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeapType {
    /// Any function.
    Func,
    /// The bottom of the function hierarchy (only null).
    NoFunc,
    /// Any host (external) reference.
    Extern,
    /// The bottom of the extern hierarchy.
    NoExtern,
    /// Any internal reference: i31, struct, array, or an internalized host reference.
    Any,
    /// References that `ref.eq` compares: i31, struct, array.
    Eq,
    /// Unboxed 31-bit integers.
    I31,
    /// Any struct.
    Struct,
    /// Any array.
    Array,
    /// The bottom of the internal hierarchy.
    None,
    /// Any exception.
    Exn,
    /// The bottom of the exception hierarchy.
    NoExn,
    /// A defined type.
    Concrete(TypeId),
}

/// A reference type: nullability and heap type (spec §2.3.3 "Reference Types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefType {
    /// Whether `null` is a value of the type.
    pub nullable: bool,
    /// What the reference points to.
    pub heap: HeapType,
}

/// The top of the hierarchy a heap type belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hierarchy {
    Func,
    Extern,
    Any,
    Exn,
}

impl ValType {
    /// `(ref null any)`.
    pub const ANYREF: ValType = ValType::Ref(RefType {
        nullable: true,
        heap: HeapType::Any,
    });

    /// The value type of reference type `r`, in its unique form (`(ref null func)` is
    /// [`ValType::FuncRef`], and so on).
    ///
    /// ```
    /// use weft_interp::{HeapType, RefType, ValType};
    /// let r = RefType { nullable: true, heap: HeapType::Extern };
    /// assert_eq!(ValType::from_ref(r), ValType::ExternRef);
    /// assert_eq!(ValType::from_ref(r).ref_type(), Some(r));
    /// ```
    pub fn from_ref(r: RefType) -> ValType {
        match (r.nullable, r.heap) {
            (true, HeapType::Func) => ValType::FuncRef,
            (true, HeapType::Extern) => ValType::ExternRef,
            (true, HeapType::Exn) => ValType::ExnRef,
            _ => ValType::Ref(r),
        }
    }

    /// The reference type, if this is one.
    pub fn ref_type(self) -> Option<RefType> {
        let nullable = true;
        Some(match self {
            ValType::FuncRef => RefType {
                nullable,
                heap: HeapType::Func,
            },
            ValType::ExternRef => RefType {
                nullable,
                heap: HeapType::Extern,
            },
            ValType::ExnRef => RefType {
                nullable,
                heap: HeapType::Exn,
            },
            ValType::Ref(r) => r,
            _ => return None,
        })
    }

    /// Converts a `wasmparser` type; `type_ids` maps the module's type indices to
    /// canonical ids. `None` for what Weft does not run (shared references, exact types).
    pub(crate) fn from_wasmparser(ty: wasmparser::ValType, type_ids: &[TypeId]) -> Option<ValType> {
        use wasmparser::ValType as W;
        Some(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::V128 => ValType::V128,
            W::Ref(r) => ValType::from_ref(RefType {
                nullable: r.is_nullable(),
                heap: HeapType::from_wasmparser(r.heap_type(), type_ids)?,
            }),
        })
    }

    /// How many 64-bit stack cells a value of this type takes: 2 for `v128`, else 1.
    #[inline]
    pub(crate) fn cells(self) -> usize {
        if matches!(self, ValType::V128) {
            2
        } else {
            1
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(
            self,
            ValType::FuncRef | ValType::ExternRef | ValType::ExnRef | ValType::Ref(_)
        )
    }

    /// Whether values of this type are numbers or vectors (have a default of zero) or
    /// nullable references (default null); non-nullable references have no default.
    pub fn is_defaultable(self) -> bool {
        !matches!(
            self,
            ValType::Ref(RefType {
                nullable: false,
                ..
            })
        )
    }
}

impl HeapType {
    pub(crate) fn from_wasmparser(
        ty: wasmparser::HeapType,
        type_ids: &[TypeId],
    ) -> Option<HeapType> {
        use wasmparser::AbstractHeapType as A;
        Some(match ty {
            wasmparser::HeapType::Abstract { shared: false, ty } => match ty {
                A::Func => HeapType::Func,
                A::NoFunc => HeapType::NoFunc,
                A::Extern => HeapType::Extern,
                A::NoExtern => HeapType::NoExtern,
                A::Any => HeapType::Any,
                A::Eq => HeapType::Eq,
                A::I31 => HeapType::I31,
                A::Struct => HeapType::Struct,
                A::Array => HeapType::Array,
                A::None => HeapType::None,
                A::Exn => HeapType::Exn,
                A::NoExn => HeapType::NoExn,
                _ => return None,
            },
            wasmparser::HeapType::Concrete(i) => {
                HeapType::Concrete(*type_ids.get(i.as_module_index()? as usize)?)
            }
            _ => return None,
        })
    }
}

fn heap_name(h: HeapType) -> &'static str {
    match h {
        HeapType::Func => "func",
        HeapType::NoFunc => "nofunc",
        HeapType::Extern => "extern",
        HeapType::NoExtern => "noextern",
        HeapType::Any => "any",
        HeapType::Eq => "eq",
        HeapType::I31 => "i31",
        HeapType::Struct => "struct",
        HeapType::Array => "array",
        HeapType::None => "none",
        HeapType::Exn => "exn",
        HeapType::NoExn => "noexn",
        HeapType::Concrete(_) => "",
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Concrete(id) => write!(f, "{}", id.0),
            h => f.write_str(heap_name(*h)),
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Concrete(_)) | (false, _) => {
                let null = if self.nullable { "null " } else { "" };
                write!(f, "(ref {null}{})", self.heap)
            }
            (true, HeapType::None) => f.write_str("nullref"),
            (true, HeapType::NoFunc) => f.write_str("nullfuncref"),
            (true, HeapType::NoExtern) => f.write_str("nullexternref"),
            (true, HeapType::NoExn) => f.write_str("nullexnref"),
            (true, h) => write!(f, "{}ref", heap_name(h)),
        }
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
            ValType::Ref(r) => return r.fmt(f),
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
    #[inline]
    pub fn params(&self) -> &[ValType] {
        &self.params_results[..self.len_params]
    }

    /// The result types.
    #[inline]
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

/// The type of a memory's addresses or a table's indices (Wasm 3.0 spec §2.3
/// "Address Types", from the memory64 proposal): `i32` (Wasm 2.0) or `i64`.
///
/// It is the type of every address or index operand and of `memory.size`/`table.size`
/// results; an import matches only an object of the same address type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AddrType {
    /// 32-bit addresses (the default, and the only one of Wasm 2.0).
    #[default]
    I32,
    /// 64-bit addresses (memory64): a 64-bit memory or a 64-bit table (`table64`).
    I64,
}

impl AddrType {
    /// The value type of addresses of this type.
    pub fn val_type(self) -> ValType {
        match self {
            AddrType::I32 => ValType::I32,
            AddrType::I64 => ValType::I64,
        }
    }

    /// The smaller of two address types: the type of the length of a `memory.copy` or
    /// `table.copy` between them (spec, validation of `memory.copy` and `table.copy`).
    pub fn min(self, other: AddrType) -> AddrType {
        if self == AddrType::I64 && other == AddrType::I64 {
            AddrType::I64
        } else {
            AddrType::I32
        }
    }

    /// An operand cell of this type as an address: an `i32` lives in the low 32 bits of
    /// its cell (the high bits are unspecified), an `i64` in all 64.
    #[inline]
    pub(crate) fn of_cell(self, cell: u64) -> u64 {
        match self {
            AddrType::I32 => cell as u32 as u64,
            AddrType::I64 => cell,
        }
    }

    /// `-1` of this type as a cell: the failure result of `memory.grow`/`table.grow`.
    pub(crate) fn minus_one(self) -> u64 {
        match self {
            AddrType::I32 => u32::MAX as u64,
            AddrType::I64 => u64::MAX,
        }
    }
}

impl fmt::Display for AddrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.val_type().fmt(f)
    }
}

/// A table's type (spec §2.3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    /// Type of the elements (a reference type).
    pub element: ValType,
    /// Size limits in elements.
    pub limits: Limits,
    /// Type of the indices: [`AddrType::I64`] for a 64-bit table (memory64's `table64`).
    pub addr_type: AddrType,
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
    /// Type of the addresses: [`AddrType::I64`] for a 64-bit memory (memory64).
    pub addr_type: AddrType,
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

/// `i64 ` before the limits of a 64-bit memory or table, as in the text format.
fn addr_prefix(ty: AddrType) -> &'static str {
    match ty {
        AddrType::I32 => "",
        AddrType::I64 => "i64 ",
    }
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) => write!(f, "{} {max}", self.min),
            None => write!(f, "{}", self.min),
        }
    }
}

/// The text format of the type: `(func ...)`, `(table 1 funcref)`, `(memory 1 2)`,
/// `(memory i64 1)`, `(memory 1 2 shared)`, `(global (mut i32))`, `(tag (param i32))`.
///
/// ```
/// use weft_interp::{ExternType, GlobalType, Mutability, ValType};
/// let g = ExternType::Global(GlobalType { content: ValType::I32, mutability: Mutability::Var });
/// assert_eq!(g.to_string(), "(global (mut i32))");
/// ```
impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(t) => t.fmt(f),
            ExternType::Table(t) => write!(
                f,
                "(table {}{} {})",
                addr_prefix(t.addr_type),
                t.limits,
                t.element
            ),
            ExternType::Memory(m) => write!(
                f,
                "(memory {}{}{})",
                addr_prefix(m.addr_type),
                m.limits,
                if m.shared { " shared" } else { "" }
            ),
            ExternType::Global(g) => match g.mutability {
                Mutability::Const => write!(f, "(global {})", g.content),
                Mutability::Var => write!(f, "(global (mut {}))", g.content),
            },
            // A tag's type is a function type without results.
            ExternType::Tag(t) => {
                f.write_str("(tag")?;
                if !t.params().is_empty() {
                    f.write_str(" (param")?;
                    for p in t.params() {
                        write!(f, " {p}")?;
                    }
                    f.write_str(")")?;
                }
                f.write_str(")")
            }
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
