//! The calculator demo's consumer in Rust: the same module as `../using_add.wat`. It
//! imports `add` from the host's import module `calculator` (whose core type is the
//! canonical ABI's flattening of `add: func(lh: s32, rh: s32) -> s32`:
//! `(param i32 i32) (result i32)`) and exports `consume_add`.
#![no_std]

#[link(wasm_import_module = "calculator")]
extern "C" {
    /// `calculator.add` of the host: `lh + rh`, or a trap on overflow.
    fn add(lh: i32, rh: i32) -> i32;
}

/// Adds `lh` and `rh` with the host's calculator.
#[no_mangle]
pub extern "C" fn consume_add(lh: i32, rh: i32) -> i32 {
    // SAFETY: `add` is a Wasm import taking and returning plain integers; calling it can
    // only return a value or trap, never touch this module's memory. The test
    // `rust_consumer_adds_with_the_host` in tests/examples_calculator.rs runs it.
    unsafe { add(lh, rh) }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
