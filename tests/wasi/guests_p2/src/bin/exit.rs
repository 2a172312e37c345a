//! Exits with the status given as its first argument (default 42) via `proc_exit`.
fn main() {
    let code = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(42);
    println!("exiting with {code}");
    std::process::exit(code);
}
