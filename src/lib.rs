//! Weft: a pure-Rust WebAssembly interpreter.
//!
//! This crate is the facade: it re-exports the core interpreter ([`weft_interp`]) at its
//! root and WASI ([`weft_wasi`]) as [`wasi`], and adds the `.wast` script runners used by
//! `weft wast`, the spec tests and the component conformance tests: [`wast`] for core
//! scripts, [`wast_component`] for Component Model scripts.

pub use weft_interp::*;
pub use weft_wasi as wasi;

/// The Component Model: `Component`, `component::Linker`, `Val`, resources ([`weft_canon_abi`]).
pub use weft_canon_abi::component;

/// Rust bindings generated from WIT at compile time: a `Host` trait and `add_to_linker` per
/// imported interface, typed `Guest` functions per exported one ([`weft_macros`]).
pub use weft_macros::bindgen;

pub mod wast;
pub mod wast_component;
