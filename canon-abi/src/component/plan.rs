//! The instantiation plan of a component: its definitions in section order, each one adding
//! to an index space exactly as the validator counts them, plus the type facts the runtime
//! needs (function types, which type indices are resources).

use crate::abi::StringEncoding;
use crate::types::{FuncType, ResourceId};
use std::sync::Arc;
use weft_interp::Module;

/// The core sorts (Explainer.md: `core:sort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CoreSort {
    Func,
    Table,
    Memory,
    Global,
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
    /// The names and sorts of the imports, in order.
    pub imports: Vec<(String, Sort)>,
    /// The names and sorts of the exports, in order.
    pub exports: Vec<(String, Sort)>,
}
