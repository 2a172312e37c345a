//! `weft-canon-abi`: the Component Model (Preview 2, synchronous) for Weft.
//!
//! The data's journey: bytes -> `wasmparser` validation with the component-model feature
//! (`component/parse.rs`) -> an instantiation plan per component (`component/plan.rs`) ->
//! instantiation, running the plan over weft-interp core instances
//! (`component/instantiate.rs`) -> calls through the canonical ABI (`component/func.rs`,
//! `abi/`).
//!
//! | Part | Where | Status |
//! |---|---|---|
//! | component value types, function types | [`types`] | all Preview 2 types, `map`, fixed-length lists |
//! | the value model | [`val`] | [`Val`], mirroring wasmtime's `component::Val` |
//! | canonical ABI (flatten, load/store, lift/lower, strings) | [`abi`] | as CanonicalABI.md |
//! | resources: handle tables, own/borrow, resource.new/rep/drop | [`resources`] | yes |
//! | components: parse, instantiate, link, call | [`component`] | yes (no values, no start) |
//! | Preview 3 async, streams, futures, error-context | | not yet |
//!
//! See [`component`] for an example.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod abi;
pub mod component;
mod error;
pub mod resources;
pub mod types;
pub mod val;

pub use component::{Component, Instance, Linker};
pub use error::{Error, Result};
pub use resources::{InstanceRef, ResourceAny, ResourceType};
pub use types::{FuncType, Type};
pub use val::Val;
pub use weft_interp as interp;
