//! Host-call overhead: a guest loop calling an imported host function, and a
//! tiny export for the host to call in a loop.

#[link(wasm_import_module = "host")]
extern "C" {
    fn add(a: i64, b: i64) -> i64;
}

/// Calls the host's `add` `n` times.
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut acc = 0i64;
    for i in 0..n {
        // SAFETY: `host.add` is a pure function supplied by the benchmark host.
        acc = unsafe { add(acc, i as i64) };
    }
    acc
}

/// Called by the host `n` times.
#[no_mangle]
pub extern "C" fn inc(x: i64) -> i64 {
    x.wrapping_add(1)
}
