#!/bin/bash
# Where the interpreter's dispatch block sits in a built binary, for tuning
# `DISPATCH_PAD` in interp/src/exec/mod.rs (see ARCHITECTURE.md, "Code layout").
#
#   benches/dispatch-layout.sh [BINARY]
#
# BINARY defaults to the newest compare benchmark (`cargo bench --bench compare --no-run`).
# Prints `execute`'s address modulo 64 (0 when the alignment directive works) and the
# bytes of the fetch-and-dispatch block (the step of `ip`, `add $0xc,%r..`, ... `jmp *%rax`) modulo 64. If
# the block straddles a 64-byte line, it prints the padding that would move it to the
# start of the next line. x86-64 only; needs objdump and nm (binutils).
set -euo pipefail
bin=${1:-$(ls -t target/release/deps/compare-* 2>/dev/null | grep -v '\.d$' | head -1)}
[ -n "$bin" ] || { echo "no binary: build one with cargo bench --bench compare --no-run" >&2; exit 2; }
sym=$(nm "$bin" | awk '/ [tT] _ZN11weft_interp4exec7execute/ && !n++ {print $1}')
[ -n "$sym" ] || { echo "$bin: no weft_interp::exec::execute" >&2; exit 2; }
asm=$(objdump -d --no-show-raw-insn "$bin" | awk '/<_ZN11weft_interp4exec7execute[^>+]*>:$/,/^$/')
# The first indirect jump on %rax, and the step of `ip` a few instructions before it.
read -r first last < <(awk '
    /add    \$0xc,%r[a-z0-9]+$/ { step = $1 }
    /jmp    \*%rax/ && !n++ { sub(":", "", step); sub(":", "", $1); print step, $1 }
' <<<"$asm")
start=$((0x$first % 64)) end=$((0x$last % 64 + 2))
echo "execute at 0x$sym (mod 64: $((0x$sym % 64))); dispatch block 0x$first..0x$last (mod 64: $start..$end)"
if [ $((0x$first / 64)) -ne $(((0x$last + 1) / 64)) ]; then
    echo "the dispatch block straddles a 64-byte line: add $((64 - start)) (mod 64) to DISPATCH_PAD"
    exit 1
fi
