//! `weft-canon-abi`: the Component Model for Weft.
//!
//! **Status: not implemented yet.** This crate is a placeholder in the workspace layout that
//! `DESIGN.md` §1 fixes; the Component Model work is tracked in its own issue. It only
//! re-exports the core interpreter it will build on.

pub use weft_interp as interp;
