//! The engine's type registry: canonical ids for defined types, and subtyping.
//!
//! Wasm 3.0 type equivalence is iso-recursive (spec §3.1.3 "Type Equivalence"): two
//! recursion groups are the same when they are structurally equal, with references into
//! the group compared by position and references outside it compared as canonical types.
//! The registry interns each group once per [`Engine`](crate::Engine), so after
//! registration type equality is id equality, across modules and with host functions.
//!
//! Each registered type keeps the chain of its declared supertypes from the root down to
//! itself, so `a <: b` between defined types is one index: `a.supers[depth(b)] == b`
//! (spec §3.1.4 "Matching": declared subtyping is transitive and single-inheritance).
//! Types are never removed: an engine's registry grows with the distinct groups it sees.

use crate::types::{FuncType, HeapType, Hierarchy, RefType, TypeId, ValType};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// In a group key, an id with this bit set is the index of a type of the group itself.
pub(crate) const REC_BIT: u32 = 1 << 31;

/// The storage type of a struct field or array element (spec §2.3.8 "Aggregate Types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum StorageType {
    I8,
    I16,
    Val(ValType),
}

/// A field of a struct, or the element of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FieldType {
    pub storage: StorageType,
    pub mutable: bool,
}

/// A composite type (spec §2.3.8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum CompositeType {
    Func(Arc<FuncType>),
    Struct(Arc<[FieldType]>),
    Array(FieldType),
}

/// A sub type: a composite type with its finality and declared supertype.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SubType {
    pub is_final: bool,
    pub supertype: Option<TypeId>,
    pub composite: CompositeType,
}

/// A registered type.
#[derive(Debug)]
pub(crate) struct RegisteredType {
    pub sub: SubType,
    /// The declared supertypes from the root down to this type itself.
    pub supers: Box<[TypeId]>,
}

impl RegisteredType {
    /// The abstract heap type above this one: `func`, `struct` or `array`.
    pub(crate) fn kind(&self) -> HeapType {
        match self.sub.composite {
            CompositeType::Func(_) => HeapType::Func,
            CompositeType::Struct(_) => HeapType::Struct,
            CompositeType::Array(_) => HeapType::Array,
        }
    }
}

#[derive(Default)]
struct Registry {
    groups: HashMap<Box<[SubType]>, u32>,
    types: Vec<Arc<RegisteredType>>,
}

/// The registry of an engine.
#[derive(Default)]
pub(crate) struct TypeRegistry {
    inner: RwLock<Registry>,
}

impl core::fmt::Debug for TypeRegistry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TypeRegistry").finish_non_exhaustive()
    }
}

/// Replaces the group-relative ids (`REC_BIT | i`) in `t` by `base + i`.
fn resolve_val(t: ValType, base: u32) -> ValType {
    match t {
        ValType::Ref(RefType {
            nullable,
            heap: HeapType::Concrete(TypeId(id)),
        }) if id & REC_BIT != 0 => ValType::Ref(RefType {
            nullable,
            heap: HeapType::Concrete(TypeId(base + (id & !REC_BIT))),
        }),
        t => t,
    }
}

fn resolve(sub: &SubType, base: u32) -> SubType {
    let field = |f: &FieldType| FieldType {
        storage: match f.storage {
            StorageType::Val(t) => StorageType::Val(resolve_val(t, base)),
            s => s,
        },
        mutable: f.mutable,
    };
    SubType {
        is_final: sub.is_final,
        supertype: sub.supertype.map(|TypeId(id)| {
            if id & REC_BIT != 0 {
                TypeId(base + (id & !REC_BIT))
            } else {
                TypeId(id)
            }
        }),
        composite: match &sub.composite {
            CompositeType::Func(f) => CompositeType::Func(Arc::new(FuncType::new(
                f.params().iter().map(|t| resolve_val(*t, base)),
                f.results().iter().map(|t| resolve_val(*t, base)),
            ))),
            CompositeType::Struct(fields) => {
                CompositeType::Struct(fields.iter().map(field).collect())
            }
            CompositeType::Array(f) => CompositeType::Array(field(f)),
        },
    }
}

impl TypeRegistry {
    /// Interns a recursion group whose references into itself are `REC_BIT | i`; returns
    /// the id of its first type (the others follow in order).
    pub(crate) fn register_group(&self, group: Vec<SubType>) -> TypeId {
        let mut reg = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&base) = reg.groups.get(group.as_slice()) {
            return TypeId(base);
        }
        let base = reg.types.len() as u32;
        for sub in &group {
            let sub = resolve(sub, base);
            let mut supers: Vec<TypeId> = match sub.supertype {
                Some(TypeId(s)) => reg
                    .types
                    .get(s as usize)
                    .map(|t| t.supers.to_vec())
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            supers.push(TypeId(reg.types.len() as u32));
            reg.types.push(Arc::new(RegisteredType {
                sub,
                supers: supers.into(),
            }));
        }
        reg.groups.insert(group.into(), base);
        TypeId(base)
    }

    /// The id of function type `ty` as a final type alone in its group (what a module's
    /// `(type (func ...))` is), as host functions have.
    pub(crate) fn register_func(&self, ty: &Arc<FuncType>) -> TypeId {
        self.register_group(vec![SubType {
            is_final: true,
            supertype: None,
            composite: CompositeType::Func(ty.clone()),
        }])
    }

    /// The registered type `id`.
    pub(crate) fn get(&self, id: TypeId) -> Option<Arc<RegisteredType>> {
        let reg = self.inner.read().unwrap_or_else(|e| e.into_inner());
        reg.types.get(id.0 as usize).cloned()
    }
}

/// A store's view of its engine's registry: the types it has looked up, without a lock.
pub(crate) struct TypeCache {
    registry: Arc<TypeRegistry>,
    cache: Vec<Option<Arc<RegisteredType>>>,
}

impl TypeCache {
    pub(crate) fn new(registry: Arc<TypeRegistry>) -> TypeCache {
        TypeCache {
            registry,
            cache: Vec::new(),
        }
    }

    /// The registered type `id` (every id a store sees was registered by its engine).
    #[inline]
    pub(crate) fn get(&mut self, id: TypeId) -> Option<&RegisteredType> {
        let i = id.0 as usize;
        if self.cache.get(i).is_none_or(|t| t.is_none()) {
            let t = self.registry.get(id)?;
            if self.cache.len() <= i {
                self.cache.resize(i + 1, None);
            }
            self.cache[i] = Some(t);
        }
        self.cache[i].as_deref()
    }

    /// `a <: b` between defined types.
    #[inline]
    pub(crate) fn is_subtype(&mut self, a: TypeId, b: TypeId) -> bool {
        if a == b {
            return true;
        }
        let Some(b_supers) = self.get(b).map(|t| (t.supers.len() - 1, b)) else {
            return false;
        };
        self.get(a)
            .is_some_and(|t| t.supers.get(b_supers.0) == Some(&b_supers.1))
    }

    /// The hierarchy heap type `h` belongs to.
    pub(crate) fn hierarchy(&mut self, h: HeapType) -> Hierarchy {
        match h {
            HeapType::Func | HeapType::NoFunc => Hierarchy::Func,
            HeapType::Extern | HeapType::NoExtern => Hierarchy::Extern,
            HeapType::Exn | HeapType::NoExn => Hierarchy::Exn,
            HeapType::Concrete(id) => match self.get(id).map(|t| t.kind()) {
                Some(HeapType::Func) => Hierarchy::Func,
                _ => Hierarchy::Any,
            },
            _ => Hierarchy::Any,
        }
    }

    /// Heap subtyping (spec §3.1.4 "Heap Types").
    pub(crate) fn heap_matches(&mut self, a: HeapType, b: HeapType) -> bool {
        use HeapType as H;
        if a == b {
            return true;
        }
        match (a, b) {
            (H::Concrete(x), H::Concrete(y)) => self.is_subtype(x, y),
            (H::Concrete(x), top) => {
                let kind = self.get(x).map(|t| t.kind());
                match kind {
                    Some(H::Func) => top == H::Func,
                    Some(k) => top == k || top == H::Eq || top == H::Any,
                    None => false,
                }
            }
            (H::None, b) => self.hierarchy(b) == Hierarchy::Any,
            (H::NoFunc, b) => self.hierarchy(b) == Hierarchy::Func,
            (H::NoExtern, H::Extern) | (H::NoExn, H::Exn) => true,
            (H::I31 | H::Struct | H::Array, H::Eq | H::Any) => true,
            (H::Eq, H::Any) => true,
            _ => false,
        }
    }

    /// Reference subtyping.
    pub(crate) fn ref_matches(&mut self, a: RefType, b: RefType) -> bool {
        (b.nullable || !a.nullable) && self.heap_matches(a.heap, b.heap)
    }

    /// Value subtyping (spec §3.1.4 "Value Types").
    pub(crate) fn val_matches(&mut self, a: ValType, b: ValType) -> bool {
        if a == b {
            return true;
        }
        match (a.ref_type(), b.ref_type()) {
            (Some(a), Some(b)) => self.ref_matches(a, b),
            _ => false,
        }
    }
}
