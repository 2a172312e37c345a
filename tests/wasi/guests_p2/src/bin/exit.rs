//! Exits with the status given as its first argument (default 42) via `proc_exit`, which
//! the preview1 adapter turns into `wasi:cli/exit.exit`: `ok` for 0, `err` otherwise.
fn main() {
    let code = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(42);
    println!("exiting with {code}");
    std::process::exit(code);
}
