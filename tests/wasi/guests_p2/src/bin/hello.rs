//! Writes to standard output and standard error.
fn main() {
    println!("hello, world");
    eprintln!("hello, stderr");
}
