#!/bin/sh
# Rebuilds the WASI guest programs (guests/src/bin/*.rs) for wasm32-wasip1 and copies
# the .wasm files here. Needs `rustup target add wasm32-wasip1`; the tests only need the
# committed .wasm files.
set -eu
cd "$(dirname "$0")"
cargo build --manifest-path guests/Cargo.toml --release --target wasm32-wasip1
for src in guests/src/bin/*.rs; do
    name=$(basename "$src" .rs)
    cp "guests/target/wasm32-wasip1/release/$name.wasm" "$name.wasm"
done
ls -l ./*.wasm
