//! Naive recursive Fibonacci: a call-heavy workload.

fn fib(n: i32) -> i64 {
    if n < 2 {
        n as i64
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// Returns fib(n).
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    fib(core::hint::black_box(n))
}
