//! Reads all of standard input and prints it upper-cased with its length.
use std::io::Read;
fn main() {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).unwrap();
    println!("{} bytes: {}", input.len(), input.to_uppercase().trim_end());
}
