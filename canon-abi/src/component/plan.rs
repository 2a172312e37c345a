//! The instantiation plan of a component: its definitions in section order, each one adding
//! to an index space exactly as the validator counts them, plus the type facts the runtime
//! needs (function types, which type indices are resources).

use crate::abi::StringEncoding;
use crate::types::{FuncType, ResourceId};
use std::sync::Arc;
use weft_interp::{ExternType, Module};

/// The core sorts (Explainer.md: `core:sort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CoreSort {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

/// The component sorts (Explainer.md: `sort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sort {
    Module,
    Func,
    Value,
    Type,
    Instance,
    Component,
}

impl Sort {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Sort::Module => "module",
            Sort::Func => "func",
            Sort::Value => "value",
            Sort::Type => "type",
            Sort::Instance => "instance",
            Sort::Component => "component",
        }
    }
}

/// Canonical options (Explainer.md: `canonopt`), by core index.
#[derive(Debug, Clone, Default)]
pub(crate) struct CanonOpts {
    pub string_encoding: StringEncoding,
    pub memory: Option<u32>,
    pub realloc: Option<u32>,
    pub post_return: Option<u32>,
    /// The `gc` option (🛸): values pass as core values and GC references, never through
    /// linear memory, and flat values never spill.
    pub gc: bool,
}

/// One definition, in section order.
#[derive(Debug, Clone)]
pub(crate) enum Init {
    /// A core module (defined here or reached by an outer alias).
    Module(Module),
    /// `(core instance (instantiate $m (with "name" (instance $i))*))`
    CoreInstantiate {
        module: u32,
        args: Vec<(String, u32)>,
    },
    /// `(core instance (export "name" (sort idx))*)`
    CoreFromExports(Vec<(String, CoreSort, u32)>),
    /// `(alias core export $i "name" (core sort))`
    CoreAlias {
        sort: CoreSort,
        instance: u32,
        name: String,
    },
    /// A nested component (defined here or reached by an outer alias).
    Component(Arc<ComponentDef>),
    /// `(alias outer count index (sort))` of a module or component that is only known at
    /// run time (imported by the enclosing component).
    OuterAlias { sort: Sort, count: u32, index: u32 },
    /// `(instance (instantiate $c (with "name" (sort idx))*))`
    Instantiate {
        component: u32,
        args: Vec<(String, Sort, u32)>,
    },
    /// `(instance (export "name" (sort idx))*)`
    FromExports(Vec<(String, Sort, u32)>),
    /// `(alias export $i "name" (sort))`
    Alias {
        sort: Sort,
        instance: u32,
        name: String,
    },
    /// A type definition or an outer type alias: adds a type index; `resource` is the
    /// `(dtor ...)` core func of a `(type (resource ...))` definition.
    Type { resource_def: Option<Option<u32>> },
    /// `(canon lift ...)`
    Lift {
        core_func: u32,
        func_index: u32,
        opts: CanonOpts,
    },
    /// `(canon lower ...)`
    Lower { func: u32, opts: CanonOpts },
    /// `(canon resource.new $t)`
    ResourceNew { ty: u32 },
    /// `(canon resource.drop $t)`
    ResourceDrop { ty: u32 },
    /// `(canon resource.rep $t)`
    ResourceRep { ty: u32 },
    /// `(import "name" ...)`
    Import { name: String, sort: Sort },
    /// `(export "name" (sort idx))`
    Export {
        name: String,
        sort: Sort,
        index: u32,
    },
}

/// An export an instance type promises: its path, its sort, and what its type says where
/// the runtime checks it (a module's signature, a function's type).
#[derive(Debug)]
pub(crate) struct PromisedExport {
    pub path: Vec<String>,
    pub sort: Sort,
    pub module: Option<Arc<ModuleSig>>,
    pub func: Option<Arc<FuncType>>,
}

/// The imports and exports of a core module type (types where this runtime can express
/// them), checked against an imported module.
#[derive(Debug, Default)]
pub(crate) struct ModuleSig {
    pub imports: Vec<(String, String, Option<ExternType>)>,
    pub exports: Vec<(String, Option<ExternType>)>,
}

/// Core subtyping for externs (spec §4.5.2 "import matching"): `provided` can stand for
/// `expected`.
fn extern_matches(provided: &ExternType, expected: &ExternType) -> Result<(), String> {
    let ok = match (provided, expected) {
        (ExternType::Func(a), ExternType::Func(b)) => a == b,
        (ExternType::Table(a), ExternType::Table(b)) => {
            a.element == b.element && a.limits.matches(&b.limits)
        }
        (ExternType::Memory(a), ExternType::Memory(b)) => a.limits.matches(&b.limits),
        (ExternType::Global(a), ExternType::Global(b)) => a == b,
        (ExternType::Tag(a), ExternType::Tag(b)) => a == b,
        _ => {
            return Err(format!(
                "expected {} found {}",
                expected.kind(),
                provided.kind()
            ))
        }
    };
    if ok {
        Ok(())
    } else {
        Err("has the wrong type".into())
    }
}

impl ModuleSig {
    /// Whether `module` can stand for a module of this type: it may import only what the
    /// type imports (at types the type's imports match), and must export everything the
    /// type exports, at matching types.
    pub(crate) fn check(&self, module: &Module) -> Result<(), String> {
        for i in module.imports() {
            let Some((_, _, ty)) = self
                .imports
                .iter()
                .find(|(m, n, _)| *m == i.module && *n == i.name)
            else {
                return Err(format!(
                    "module import `{}::{}` not defined",
                    i.module, i.name
                ));
            };
            if let Some(ty) = ty {
                extern_matches(ty, &i.ty)
                    .map_err(|e| format!("import `{}::{}` {e}", i.module, i.name))?;
            }
        }
        let exports: Vec<_> = module.exports().collect();
        for (name, ty) in &self.exports {
            let Some(e) = exports.iter().find(|e| e.name == *name) else {
                return Err(format!("module export `{name}` not defined"));
            };
            if let Some(ty) = ty {
                extern_matches(&e.ty, ty).map_err(|m| {
                    if m.starts_with("expected") {
                        m
                    } else {
                        format!("export `{name}` {m}")
                    }
                })?;
            }
        }
        Ok(())
    }
}

/// The import and export names (with sorts) of a component type, checked against an
/// imported component.
#[derive(Debug, Default)]
pub(crate) struct ComponentSig {
    pub imports: Vec<(String, Sort)>,
    pub exports: Vec<(String, Sort)>,
}

impl ComponentSig {
    /// Whether `def` can stand for a component of this type: it imports nothing the type
    /// does not, and exports everything the type does, of the same sorts.
    pub(crate) fn check(&self, def: &ComponentDef) -> Result<(), String> {
        for (name, sort) in &def.imports {
            if !self.imports.iter().any(|(n, s)| n == name && s == sort) {
                return Err(format!("component import `{name}` not defined"));
            }
        }
        for (name, sort) in &self.exports {
            if !def.exports.iter().any(|(n, s)| n == name && s == sort) {
                return Err(format!("component export `{name}` not defined"));
            }
        }
        Ok(())
    }
}

/// A parsed and validated component, ready to instantiate any number of times.
#[derive(Debug, Default)]
pub(crate) struct ComponentDef {
    pub inits: Vec<Init>,
    /// The type of each component function index (an error for types this runtime does not
    /// support, reported only when the function is used).
    pub func_types: Vec<Result<Arc<FuncType>, String>>,
    /// For each type index, the static resource it names, if it is a resource type.
    pub type_resources: Vec<Option<ResourceId>>,
    /// For each component instance index, the resource types among its exports (by export
    /// path), so they can be bound when the instance is created or imported.
    pub instance_resources: Vec<Vec<(Vec<String>, ResourceId)>>,
    /// For each component instance index, every export its type promises that needs a
    /// definition (by path, with its sort and, for modules, their signature), checked when
    /// the instance is imported. `eq`-bounded types need none and are left out.
    pub instance_exports: Vec<Vec<PromisedExport>>,
    /// For each core module index, its signature.
    pub module_sigs: Vec<Arc<ModuleSig>>,
    /// For each component index, the names and sorts of its type's imports and exports.
    pub component_sigs: Vec<ComponentSig>,
    /// The names and sorts of the imports, in order.
    pub imports: Vec<(String, Sort)>,
    /// The names and sorts of the exports, in order.
    pub exports: Vec<(String, Sort)>,
}
