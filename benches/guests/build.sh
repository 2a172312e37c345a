#!/usr/bin/env bash
# Rebuilds the benchmark guests and copies the .wasm files next to this script.
# Needs: rustup target add wasm32-unknown-unknown
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --target wasm32-unknown-unknown --workspace --exclude bench-simd
for g in fib sieve sha256 json regex deflate matmul bytecode hostcall; do
  cp "target/wasm32-unknown-unknown/release/bench_${g}.wasm" "${g}.wasm"
done
# The SIMD guest alone is built with simd128 (in its own target directory, so the flag
# does not rebuild the others).
RUSTFLAGS="-C target-feature=+simd128" cargo build --release --target wasm32-unknown-unknown \
  -p bench-simd --target-dir target/simd128
cp target/simd128/wasm32-unknown-unknown/release/bench_simd.wasm simd.wasm
ls -l ./*.wasm
