//! `weft-canon-abi`: the Component Model (Preview 2, synchronous) for Weft.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod abi;
mod error;
pub mod resources;
pub mod types;
pub mod val;

pub use error::{Error, Result};
pub use resources::{ResourceAny, ResourceType};
pub use types::{FuncType, Type};
pub use val::Val;
pub use weft_interp as interp;
pub mod component;

pub use component::{Component, Instance, Linker};
pub use resources::InstanceRef;
