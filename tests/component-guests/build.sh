#!/bin/sh
# Rebuilds the component guests of tests/component_guests.rs and copies the .wasm files
# here. The tests only need the committed .wasm files.
#   Rust: `rustup target add wasm32-wasip2`; wit-bindgen comes from crates.io.
set -eu
cd "$(dirname "$0")"
cargo build --manifest-path rust/Cargo.toml --release --target wasm32-wasip2
cp rust/target/wasm32-wasip2/release/weft_values_guest.wasm values-rust.wasm
ls -l ./*.wasm
