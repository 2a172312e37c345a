#!/usr/bin/env bash
# Rebuilds the benchmark guests and copies the .wasm files next to this script.
# Needs: rustup target add wasm32-unknown-unknown
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --target wasm32-unknown-unknown
for g in fib sieve sha256 json regex deflate matmul bytecode hostcall; do
  cp "target/wasm32-unknown-unknown/release/bench_${g}.wasm" "${g}.wasm"
done
ls -l ./*.wasm
