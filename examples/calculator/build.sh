#!/bin/sh
# Rebuilds consume_add.wasm from rust-consumer/ for wasm32-unknown-unknown. Needs
# `rustup target add wasm32-unknown-unknown`; `weft run` and the tests only need the
# committed .wasm file.
set -eu
cd "$(dirname "$0")"
cargo build --manifest-path rust-consumer/Cargo.toml --release --target wasm32-unknown-unknown
cp rust-consumer/target/wasm32-unknown-unknown/release/calculator_consumer.wasm consume_add.wasm
ls -l consume_add.wasm
