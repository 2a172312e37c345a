//! Wasmtime's restrictions on root components, checked only when
//! [`Config::component_model_wasmtime_restrictions`](weft_interp::Config) is on.
//!
//! The Component Model allows a root component to import and export components and to
//! re-export the functions it imports; wasmtime refuses all three at the root (its tests
//! say so with `assert_invalid`). Nested components are not restricted: their imports are
//! satisfied by their parent, not by the host.

use super::plan::{ComponentDef, Init, Sort};
use crate::error::{Error, Result};
use std::collections::BTreeSet;

/// Where a component instance of the root comes from, as far as imported functions go.
enum Origin {
    /// Imported, or an alias of an export of an imported instance: every function in it is
    /// imported. `has_funcs`: whether its type promises any function.
    Imported { has_funcs: bool },
    /// Made from exports: the names of the exports that are imported functions (or
    /// instances holding some).
    Tupled(BTreeSet<String>),
    /// Instantiated from a component: its functions are the child's lifts.
    Instantiated,
}

/// Refuses `def` (a root component) if it breaks one of wasmtime's restrictions; the
/// messages are wasmtime's.
pub(crate) fn check(def: &ComponentDef) -> Result<()> {
    // Per component function index: whether it is an imported function.
    let mut funcs: Vec<bool> = Vec::new();
    let mut instances: Vec<Origin> = Vec::new();
    let imported = |funcs: &[bool], instances: &[Origin], sort: Sort, index: u32| match sort {
        Sort::Func => funcs.get(index as usize).copied().unwrap_or(false),
        Sort::Instance => match instances.get(index as usize) {
            Some(Origin::Imported { has_funcs }) => *has_funcs,
            Some(Origin::Tupled(names)) => !names.is_empty(),
            _ => false,
        },
        _ => false,
    };
    for init in &def.inits {
        match init {
            Init::Import { sort, .. } => match sort {
                Sort::Component => {
                    return Err(Error::Unsupported(
                        "root-level component imports are not supported".into(),
                    ))
                }
                Sort::Func => funcs.push(true),
                Sort::Instance => {
                    let promised = def.instance_exports.get(instances.len());
                    let has_funcs =
                        promised.is_some_and(|p| p.iter().any(|e| e.sort == Sort::Func));
                    instances.push(Origin::Imported { has_funcs });
                }
                _ => {}
            },
            Init::Alias {
                sort,
                instance,
                name,
            } => {
                let from_import = match instances.get(*instance as usize) {
                    Some(Origin::Imported { .. }) => true,
                    Some(Origin::Tupled(names)) => names.contains(name),
                    _ => false,
                };
                match sort {
                    Sort::Func => funcs.push(from_import),
                    Sort::Instance if from_import => {
                        let promised = def.instance_exports.get(instances.len());
                        let has_funcs =
                            promised.is_some_and(|p| p.iter().any(|e| e.sort == Sort::Func));
                        instances.push(Origin::Imported { has_funcs });
                    }
                    Sort::Instance => instances.push(Origin::Instantiated),
                    _ => {}
                }
            }
            Init::Lift { .. } => funcs.push(false),
            Init::Instantiate { .. } => instances.push(Origin::Instantiated),
            Init::FromExports(items) => {
                let names = items
                    .iter()
                    .filter(|(_, sort, index)| imported(&funcs, &instances, *sort, *index))
                    .map(|(name, _, _)| name.clone())
                    .collect();
                instances.push(Origin::Tupled(names));
            }
            Init::Export { name, sort, index } => {
                if *sort == Sort::Component {
                    return Err(Error::Unsupported(
                        "exporting a component from the root component is not supported".into(),
                    ));
                }
                if imported(&funcs, &instances, *sort, *index) {
                    return Err(Error::Unsupported(format!(
                        "component export `{name}` is a reexport of an imported function \
                         which is not implemented"
                    )));
                }
                // An export adds its item to its index space again.
                match sort {
                    Sort::Func => funcs.push(false),
                    Sort::Instance => instances.push(Origin::Instantiated),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(())
}
