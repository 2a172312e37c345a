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

# The C guests (c/*.c) need clang with wasi-libc (Debian: clang-14 lld-14 wasi-libc
# libclang-rt-14-dev-wasm32); they are skipped when that is missing.
CC=${CC:-clang-14}
LD=${WASM_LD:-$(command -v wasm-ld-14 || command -v wasm-ld || true)}
if command -v "$CC" >/dev/null && [ -n "$LD" ]; then
    for src in c/*.c; do
        name=$(basename "$src" .c)
        "$CC" --target=wasm32-wasi -O2 -s -fuse-ld="$LD" -o "$name.wasm" "$src"
    done
    ls -l c_*.wasm
else
    echo "no $CC with wasm-ld: C guests not rebuilt" >&2
fi
