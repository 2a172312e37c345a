#!/bin/sh
# Rebuilds the WASI 0.2 guest programs (guests_p2/src/bin/*.rs) for wasm32-wasip2 and
# copies the components to p2/. Needs `rustup target add wasm32-wasip2`; the tests only
# need the committed .wasm files. rustc links them with wasm-component-ld and the
# preview1 adapter, so they import wasi:*@0.2.x (0.2.6 with Rust 1.9x).
set -eu
cd "$(dirname "$0")"
cargo build --manifest-path guests_p2/Cargo.toml --release --target wasm32-wasip2
mkdir -p p2
for src in guests_p2/src/bin/*.rs; do
    name=$(basename "$src" .rs)
    cp "guests_p2/target/wasm32-wasip2/release/$name.wasm" "p2/$name.wasm"
done
ls -l p2/*.wasm
