//! Components: parse -> plan -> instantiate -> call (DESIGN.md §4).
//!
//! ```
//! use weft_canon_abi::component::{Component, Linker};
//! use weft_canon_abi::Val;
//! use weft_interp::{Engine, Store};
//! let engine = Engine::default();
//! let component = Component::new(&engine, r#"(component
//!     (import "host" (instance $host (export "double" (func (param "x" u32) (result u32)))))
//!     (alias export $host "double" (func $double))
//!     (core func $double_core (canon lower (func $double)))
//!     (core module $m
//!         (import "host" "double" (func $d (param i32) (result i32)))
//!         (func (export "quadruple") (param i32) (result i32)
//!             (call $d (call $d (local.get 0)))))
//!     (core instance $i (instantiate $m
//!         (with "host" (instance (export "double" (func $double_core))))))
//!     (func (export "quadruple") (param "x" u32) (result u32)
//!         (canon lift (core func $i "quadruple"))))"#)?;
//! let mut store = Store::new(&engine, ());
//! let mut linker = Linker::<()>::new(&engine);
//! linker.instance("host")?.func_new("double", |_store, params, results| {
//!     let Val::U32(x) = params[0] else { unreachable!() };
//!     results[0] = Val::U32(x * 2);
//!     Ok(())
//! })?;
//! let instance = linker.instantiate(&mut store, &component)?;
//! let quadruple = instance.get_func(&mut store, "quadruple")?;
//! let mut results = [Val::U32(0)];
//! quadruple.call(&mut store, &[Val::U32(5)], &mut results)?;
//! assert_eq!(results[0], Val::U32(20));
//! # Ok::<(), weft_canon_abi::Error>(())
//! ```

mod copy;
mod flat;
mod func;
mod instance;
mod instantiate;
mod linker;
mod parse;
mod plan;
mod restrictions;
mod typed;

pub use crate::error::{Error, Result};
pub use crate::resources::{ResourceAny, ResourceType};
pub use crate::types::{FuncType, Type};
pub use crate::val::Val;
pub use flat::{to_core_error, FlatScalar};
pub use func::Func;
pub use instance::Instance;
pub use linker::{Linker, LinkerInstance};
pub use typed::{ComponentParams, ComponentResults, ComponentType, TypedFunc};

use plan::ComponentDef;
use std::collections::BTreeMap;
use std::sync::Arc;
use weft_interp::{Engine, Module};

/// A compiled component: validated, its core modules compiled, ready to instantiate.
///
/// See the [module documentation](self) for an example.
#[derive(Clone)]
pub struct Component {
    engine: Engine,
    def: Arc<ComponentDef>,
}

impl core::fmt::Debug for Component {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Component")
            .field("imports", &self.def.imports)
            .field("exports", &self.def.exports)
            .finish()
    }
}

impl Component {
    /// Compiles a component from its binary encoding or its text format.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Component> {
        let bytes = wat::parse_bytes(bytes.as_ref()).map_err(|e| Error::Wat(e.to_string()))?;
        Component::from_binary(engine, &bytes)
    }

    /// Compiles a component from its binary encoding.
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Component> {
        let def = parse::parse(engine, bytes)?;
        if engine.config().get_component_model_wasmtime_restrictions() {
            restrictions::check(&def)?;
        }
        Ok(Component {
            engine: engine.clone(),
            def: Arc::new(def),
        })
    }

    /// The engine it was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The names of its imports with their sorts (`"func"`, `"instance"`, `"type"`, ...).
    pub fn imports(&self) -> impl Iterator<Item = (&str, &'static str)> + '_ {
        self.def.imports.iter().map(|(n, s)| (n.as_str(), s.name()))
    }

    /// The names of its exports with their sorts.
    pub fn exports(&self) -> impl Iterator<Item = (&str, &'static str)> + '_ {
        self.def.exports.iter().map(|(n, s)| (n.as_str(), s.name()))
    }
}

/// Named definitions: an instance's exports or a linker's imports.
pub(crate) type Exports = BTreeMap<String, Definition>;

/// A runtime item of some sort (Explainer.md: `sort`).
#[derive(Clone)]
pub(crate) enum Definition {
    Func(Func),
    Instance(Arc<Exports>),
    /// A type; resource types carry their runtime identity.
    Type(Option<ResourceType>),
    Module(Module),
    Component(instantiate::ComponentClosure),
}

impl Definition {
    pub(crate) fn sort(&self) -> plan::Sort {
        match self {
            Definition::Func(_) => plan::Sort::Func,
            Definition::Instance(_) => plan::Sort::Instance,
            Definition::Type(_) => plan::Sort::Type,
            Definition::Module(_) => plan::Sort::Module,
            Definition::Component(_) => plan::Sort::Component,
        }
    }
}
