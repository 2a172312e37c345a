//! The built-in demo host of `examples/calculator/`: the interface `calculator` of
//! `examples/calculator/calculator.wit`, implemented against the trait `bindgen!` generates
//! from that WIT, and offered to every core module `weft run` runs, as import module
//! `calculator`. The core type of each function is the canonical ABI's flattening of its
//! WIT type: `add: func(lh: s32, rh: s32) -> s32` is `(param i32 i32) (result i32)`.

use weft::component::{Error, Result};

/// The bindings generated from the calculator's WIT.
#[allow(dead_code)] // the world's component-side items are not used by the CLI
mod bindings {
    weft::bindgen!({ path: "examples/calculator/calculator.wit", world: "consumer" });
}

use bindings::calculator;

/// The import module name under which core modules find the calculator.
pub const MODULE: &str = "calculator";

/// The demo calculator: 32-bit signed arithmetic that reports overflow.
#[derive(Debug, Default, Clone, Copy)]
pub struct Calculator;

impl calculator::Host for Calculator {
    fn add(&mut self, lh: i32, rh: i32) -> Result<i32> {
        lh.checked_add(rh)
            .ok_or_else(|| Error::host("calculator: overflow"))
    }
}

/// The calculator of a store. It has no state, so every store shares one zero-sized value
/// (leaking a `Box` of a zero-sized type allocates nothing).
fn calculator_of<T>(_: &mut T) -> &mut Calculator {
    Box::leak(Box::new(Calculator))
}

/// Defines the calculator's functions in `linker`, in module [`MODULE`].
pub fn add_to_linker<T: 'static>(linker: &mut weft::Linker<T>) -> weft::Result<()> {
    calculator::add_to_core_linker(linker, MODULE, calculator_of::<T>)
}
