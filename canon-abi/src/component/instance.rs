//! Component instances as the embedder sees them.

use super::func::Func;
use super::{Definition, Exports};
use crate::error::{Error, Result};
use crate::resources::{InstanceRef, ResourceAny, ResourceType};
use std::sync::Arc;
use weft_interp::AsContextMut;

/// An instantiated component: its exports and its runtime state.
#[derive(Clone)]
pub struct Instance {
    pub(crate) exports: Arc<Exports>,
    pub(crate) state: InstanceRef,
}

impl core::fmt::Debug for Instance {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Instance")
            .field("exports", &self.exports.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Instance {
    /// Looks up an export by path: `"name"`, or `"interface#name"` (also `"a#b#c"`) for an
    /// item of an exported instance.
    pub(crate) fn lookup(&self, path: &str) -> Option<&Definition> {
        let mut parts = path.split('#');
        let mut d = self.exports.get(parts.next()?)?;
        for p in parts {
            match d {
                Definition::Instance(inner) => d = inner.get(p)?,
                _ => return None,
            }
        }
        Some(d)
    }

    /// The exported function `name` (`"f"` or `"interface#f"`).
    pub fn get_func<T>(&self, _store: impl AsContextMut<Data = T>, name: &str) -> Result<Func> {
        match self.lookup(name) {
            Some(Definition::Func(f)) => Ok(f.clone()),
            _ => Err(Error::ExportNotFound {
                kind: "func",
                name: name.to_string(),
            }),
        }
    }

    /// The exported function `name` with Rust parameter and result types (a tuple of
    /// [`ComponentType`](super::ComponentType)s, and `()` or a one-element tuple); errors if
    /// its type does not match.
    ///
    /// ```
    /// # use weft_canon_abi::component::{Component, Linker};
    /// # let engine = weft_interp::Engine::default();
    /// let component = Component::new(&engine, r#"(component
    ///     (core module $m (func (export "inc") (param i32) (result i32)
    ///         (i32.add (local.get 0) (i32.const 1))))
    ///     (core instance $i (instantiate $m))
    ///     (func (export "inc") (param "x" u32) (result u32) (canon lift (core func $i "inc"))))"#)?;
    /// let mut store = weft_interp::Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    /// let inc = instance.get_typed_func::<(u32,), (u32,)>(&mut store, "inc")?;
    /// assert_eq!(inc.call(&mut store, (41,))?, (42,));
    /// # Ok::<(), weft_canon_abi::Error>(())
    /// ```
    pub fn get_typed_func<P, R>(
        &self,
        _store: impl AsContextMut,
        name: &str,
    ) -> Result<super::TypedFunc<P, R>>
    where
        P: super::ComponentParams,
        R: super::ComponentResults,
    {
        match self.lookup(name) {
            Some(Definition::Func(f)) => super::TypedFunc::new(f.clone()),
            _ => Err(Error::ExportNotFound {
                kind: "func",
                name: name.to_string(),
            }),
        }
    }

    /// The exported resource type `name` (`"r"` or `"interface#r"`).
    pub fn get_resource(&self, name: &str) -> Result<ResourceType> {
        match self.lookup(name) {
            Some(Definition::Type(Some(rt))) => Ok(rt.clone()),
            _ => Err(Error::ExportNotFound {
                kind: "resource type",
                name: name.to_string(),
            }),
        }
    }

    /// The names of its exports.
    pub fn exports(&self) -> impl Iterator<Item = &str> + '_ {
        self.exports.keys().map(|s| s.as_str())
    }

    /// The paths of all its exported functions, as [`Instance::get_func`] takes them:
    /// `"f"` for a function exported directly, `"iface#f"` for one inside an exported
    /// instance (`"a#b#f"` deeper), sorted.
    ///
    /// ```
    /// # use weft_canon_abi::component::{Component, Linker};
    /// # let engine = weft_interp::Engine::default();
    /// let component = Component::new(&engine, r#"(component
    ///     (core module $m (func (export "f")))
    ///     (core instance $i (instantiate $m))
    ///     (func $f (canon lift (core func $i "f")))
    ///     (instance $api (export "g" (func $f)))
    ///     (export "api" (instance $api))
    ///     (export "f" (func $f)))"#)?;
    /// let mut store = weft_interp::Store::new(&engine, ());
    /// let instance = Linker::new(&engine).instantiate(&mut store, &component)?;
    /// assert_eq!(instance.func_paths(), ["api#g", "f"]);
    /// # Ok::<(), weft_canon_abi::Error>(())
    /// ```
    pub fn func_paths(&self) -> Vec<String> {
        fn walk(prefix: &str, exports: &Exports, out: &mut Vec<String>) {
            for (name, d) in exports {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}#{name}")
                };
                match d {
                    Definition::Func(_) => out.push(path),
                    Definition::Instance(inner) => walk(&path, inner, out),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk("", &self.exports, &mut out);
        out.sort();
        out
    }

    /// How many handles of resource type `rt` this instance's table holds.
    pub fn live_handles(&self, rt: &ResourceType) -> usize {
        self.state.live_handles(rt)
    }

    /// Whether a trap left this instance unusable (every later call traps with "cannot
    /// enter component instance").
    pub fn is_poisoned(&self) -> bool {
        self.state.lock().poisoned
    }
}

impl ResourceAny {
    /// Drops an owned resource the host holds: runs the type's destructor with its `rep`
    /// (CanonicalABI.md: `canon resource.drop` for an own handle), entering the defining
    /// instance as a call would (it traps if that instance cannot be entered). Dropping a
    /// borrow does nothing.
    pub fn resource_drop<T: 'static>(self, mut store: impl AsContextMut<Data = T>) -> Result<()> {
        if self.own {
            self.take()?;
            super::instantiate::destroy(store.as_context_mut(), None, &self.ty, self.rep)?;
        }
        Ok(())
    }
}
