//! `weft-wasi`: WASI preview1 and 0.2 for Weft.
//!
//! **Status: not implemented yet.** This crate is a placeholder in the workspace layout that
//! `DESIGN.md` §1 fixes; WASI is tracked in its own issue. It only re-exports the crate it
//! will build on.

pub use weft_canon_abi as canon_abi;
