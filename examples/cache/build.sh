#!/bin/sh
# Rebuilds the three components of the cache demo and copies them here:
#   cache-impl.wasm     the implementation (Rust, cache-impl/, world `cache-impl`)
#   rust-consumer.wasm  the Rust consumer (rust-consumer/, world `consumer`)
#   c-consumer.wasm     the C consumer (c-consumer/, world `consumer`)
# The tests and the run commands only need the committed .wasm files. To rebuild:
#   rustup target add wasm32-wasip2
#   cargo install wit-bindgen-cli --version 0.63.0 --locked   # matches the wit-bindgen crate
#   apt-get install -y clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
# Debian's wasi-libc targets only wasm32-wasi (preview1), so the C program is compiled for
# it and linked with rustup's wasm-component-ld (installed with the wasm32-wasip2 target),
# which runs wasm-ld, then wraps the core module in a component with the preview1
# `command` adapter, its `example:cache/cache` import typed by the component-type object
# wit-bindgen writes.
set -eu
cd "$(dirname "$0")"

export CARGO_TARGET_DIR="$PWD/target"
for crate in cache-impl rust-consumer; do
    cargo build --manifest-path "$crate/Cargo.toml" --release --target wasm32-wasip2
done
cp target/wasm32-wasip2/release/cache_impl.wasm cache-impl.wasm
cp target/wasm32-wasip2/release/rust-consumer.wasm rust-consumer.wasm

CC=${CC:-clang-14}
WASM_LD=${WASM_LD:-$(command -v wasm-ld-14 || command -v wasm-ld)}
SYSROOT=$(rustc --print sysroot)
COMPONENT_LD=${COMPONENT_LD:-$(ls "$SYSROOT"/lib/rustlib/*/bin/wasm-component-ld)}
WIT_BINDGEN_VERSION=0.63.0
case "$(wit-bindgen --version)" in
    *" $WIT_BINDGEN_VERSION"*) ;;
    *) echo "need wit-bindgen-cli $WIT_BINDGEN_VERSION (the wit-bindgen crate's version)" >&2; exit 1 ;;
esac
rm -rf c-consumer/gen
wit-bindgen c cache.wit --world consumer --out-dir c-consumer/gen
"$CC" --target=wasm32-wasi -O2 -s -Wall -Wextra -Werror \
    -fuse-ld="$COMPONENT_LD" -Wl,--wasm-ld-path="$WASM_LD" \
    -o c-consumer.wasm \
    c-consumer/main.c c-consumer/gen/consumer.c c-consumer/gen/consumer_component_type.o
ls -l ./*.wasm
