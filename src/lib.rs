//! Weft: a pure-Rust WebAssembly interpreter.
//!
//! This crate is the facade: it re-exports the core interpreter ([`weft_interp`]) at its
//! root and WASI ([`weft_wasi`]) as [`wasi`], and adds the `.wast` script runner used by
//! `weft wast` and the spec tests.

pub use weft_interp::*;
pub use weft_wasi as wasi;

/// The Component Model: `Component`, `component::Linker`, `Val`, resources ([`weft_canon_abi`]).
pub use weft_canon_abi::component;

pub mod wast;
