//! Seeded mutation fuzzing of components: mutated components must never make Weft panic.
//!
//! Real components (the wit-bindgen guests, the cache demo, a few WASI 0.2 programs) are
//! mutated with bit flips, truncation, insertion and overwrites by a deterministic PRNG.
//! Each mutant is parsed and validated; valid ones are instantiated with WASI 0.2 (stdio
//! captured, no preopens) and, if they export `wasi:cli/run`, run under fuel. Every step
//! may fail with an error; none may panic.
//!
//! Set `WEFT_FUZZ_SEED` and `WEFT_FUZZ_MUTANTS` to explore further.

use std::panic::{self, AssertUnwindSafe};
use weft::component::{Component, Linker};
use weft::{Config, Engine, Store};
use weft_wasi::{OutputBuffer, Stdio, WasiCtx, WasiCtxBuilder};

/// The seed components, relative to the repository root.
const SEEDS: &[&str] = &[
    "tests/component-guests/values-rust.wasm",
    "tests/component-guests/values-c.wasm",
    "examples/cache/cache-impl.wasm",
    "examples/cache/c-consumer.wasm",
    "tests/wasi/p2/hello.wasm",
    "tests/wasi/p2/args_env.wasm",
];

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// One random mutation of `bytes`; the 8-byte preamble is mostly left alone.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let len = bytes.len();
    let pos = if len > 8 && rng.below(10) != 0 {
        8 + rng.below(len - 8)
    } else {
        rng.below(len)
    };
    match rng.below(5) {
        0 => bytes[pos] ^= 1 << rng.below(8),
        1 => bytes.truncate(pos),
        2 => bytes.insert(pos, rng.next_u64() as u8),
        3 => bytes[pos] = rng.next_u64() as u8,
        _ => {
            // LEB128-ish values: a small number or a huge one.
            let v = if rng.below(2) == 0 { 0x7f } else { 0xff };
            bytes[pos] = v;
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    invalid: usize,
    not_instantiated: usize,
    instantiated: usize,
    ran: usize,
}

/// Parses, instantiates and runs one mutant; panics propagate to the caller.
fn exercise(engine: &Engine, bytes: &[u8], counts: &mut Counts) {
    let Ok(component) = Component::new(engine, bytes) else {
        counts.invalid += 1;
        return;
    };
    let ctx = WasiCtxBuilder::new()
        .stdout(Stdio::Buffer(OutputBuffer::new()))
        .stderr(Stdio::Buffer(OutputBuffer::new()))
        .build()
        .expect("the context builds");
    let mut store = Store::new(engine, ctx);
    store.set_fuel(2_000_000).expect("fuel is on");
    let mut linker = Linker::<WasiCtx>::new(engine);
    weft_wasi::p2::add_to_linker(&mut linker, |c| c).expect("WASI links");
    let Ok(instance) = linker.instantiate(&mut store, &component) else {
        counts.not_instantiated += 1;
        return;
    };
    counts.instantiated += 1;
    if instance.exports().any(|e| e.starts_with("wasi:cli/run")) {
        let _ = weft_wasi::p2::run(&mut store, &instance);
        counts.ran += 1;
    }
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => value.parse().ok(),
    }
}

#[test]
fn mutated_components_never_panic() {
    let seed = env_number("WEFT_FUZZ_SEED").unwrap_or(0x5eed_c0de);
    let mutants = env_number("WEFT_FUZZ_MUTANTS").unwrap_or(2000) as usize;
    let engine = Engine::new(&Config::default().fuel(true));
    let root = env!("CARGO_MANIFEST_DIR");
    let seeds: Vec<Vec<u8>> = SEEDS
        .iter()
        .map(|p| std::fs::read(format!("{root}/{p}")).expect("seed component is committed"))
        .collect();
    let mut rng = Rng::new(seed);
    let mut counts = Counts::default();
    let mut panics = Vec::new();
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    for i in 0..mutants {
        let which = rng.below(seeds.len());
        let mut bytes = seeds[which].clone();
        for _ in 0..1 + rng.below(3) {
            if bytes.is_empty() {
                break;
            }
            mutate(&mut rng, &mut bytes);
        }
        let r = panic::catch_unwind(AssertUnwindSafe(|| exercise(&engine, &bytes, &mut counts)));
        if r.is_err() {
            panics.push(format!("mutant {i} of {}", SEEDS[which]));
        }
    }
    panic::set_hook(hook);
    println!("seed {seed:#x}, {mutants} mutants: {counts:?}");
    assert!(panics.is_empty(), "panics: {panics:?}");
}
