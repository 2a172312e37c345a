#!/bin/sh
# Rebuilds the component guests of tests/component_guests.rs and copies the .wasm files
# here. The tests only need the committed .wasm files.
#   Rust: `rustup target add wasm32-wasip2`; wit-bindgen comes from crates.io.
#   C:    `apt-get install -y clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32`,
#         `cargo install wit-bindgen-cli --version 0.46.0 --locked`, and the wasm32-wasip2
#         target above (for rustup's wasm-component-ld). Debian's wasi-libc targets
#         wasm32-wasi (preview1) only: the C code is compiled for it as a reactor and
#         wasm-component-ld links it and wraps it in a component with the preview1
#         adapter, typed by the component-type object wit-bindgen writes.
set -eu
cd "$(dirname "$0")"
cargo build --manifest-path rust/Cargo.toml --release --target wasm32-wasip2
cp rust/target/wasm32-wasip2/release/weft_values_guest.wasm values-rust.wasm

CC=${CC:-clang-14}
WASM_LD=${WASM_LD:-$(command -v wasm-ld-14 || command -v wasm-ld)}
COMPONENT_LD=${COMPONENT_LD:-$(ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/wasm-component-ld)}
rm -rf c/gen
wit-bindgen c wit --world guest --out-dir c/gen
"$CC" --target=wasm32-wasi -mexec-model=reactor -O2 -s -Wall -Wextra -Werror \
    -fuse-ld="$COMPONENT_LD" -Wl,--wasm-ld-path="$WASM_LD" \
    -o values-c.wasm c/values.c c/gen/guest.c c/gen/guest_component_type.o
ls -l ./*.wasm
