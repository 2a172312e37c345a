//! Weft against wasmi, side by side in one run: execution time, module load time (lazy and
//! eager translation), memory held for a loaded module, and host-call overhead.
//!
//! `cargo bench --bench compare` runs everything and ends with a table of ratios
//! Weft/wasmi (below 1.0: Weft is faster or smaller). Pass a criterion filter to run a
//! subset, e.g. `cargo bench --bench compare -- exec/fib`. Set `WEFT_BENCH_QUICK=1` for a
//! short smoke run.

mod alloc_counter;
mod record;
mod runtimes;

use criterion::Criterion;
use record::{Recorder, Side};
use runtimes::{Guest, Wasmi, Weft};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: alloc_counter::Counting = alloc_counter::Counting;

/// A guest program and the argument that sizes one run.
struct Workload {
    name: &'static str,
    n: i32,
}

/// The execution workloads; `n` makes one run take a few to tens of milliseconds.
const WORKLOADS: &[Workload] = &[
    Workload { name: "fib", n: 27 },
    Workload {
        name: "sieve",
        n: 2_000_000,
    },
    Workload {
        name: "sha256",
        n: 256,
    },
    Workload {
        name: "json",
        n: 1_000,
    },
    Workload {
        name: "regex",
        n: 300,
    },
    Workload {
        name: "deflate",
        n: 64,
    },
    Workload {
        name: "matmul",
        n: 80,
    },
    Workload {
        name: "bytecode",
        n: 200_000,
    },
    Workload {
        name: "simd",
        n: 40,
    },
];

/// Calls made by each host-call benchmark.
const HOST_CALLS: u32 = 1_000_000;

fn guest(name: &str) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "benches",
        "guests",
        &format!("{name}.wasm"),
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn timed(rec: &Recorder, key: &str, side: Side, iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let elapsed = start.elapsed();
    rec.sample(key, side, elapsed, iters);
    elapsed
}

/// Benchmarks `weft` and `wasmi` as one criterion group named `key`.
fn pair(
    c: &mut Criterion,
    rec: &Recorder,
    key: &str,
    mut weft: impl FnMut(),
    mut wasmi: impl FnMut(),
) {
    let mut group = c.benchmark_group(key);
    group.bench_function("weft", |b| {
        b.iter_custom(|iters| timed(rec, key, Side::Weft, iters, &mut weft))
    });
    group.bench_function("wasmi", |b| {
        b.iter_custom(|iters| timed(rec, key, Side::Wasmi, iters, &mut wasmi))
    });
    group.finish();
}

/// Runs `weft` and `wasmi` alternately `pairs` times (which goes first alternates too)
/// and records each pair's ratio of times. A ratio of two runs a few milliseconds apart
/// is nearly free of the machine's slower swings in speed, which move criterion's two
/// back-to-back measurements apart. Each timed run follows an untimed run of the same
/// side, so that it finds its caches and branch predictors warm, as in criterion's loop.
fn paired(rec: &Recorder, key: &str, pairs: u32, mut weft: impl FnMut(), mut wasmi: impl FnMut()) {
    let time = |f: &mut dyn FnMut()| {
        f();
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64()
    };
    for i in 0..pairs {
        let (a, b) = if i % 2 == 0 {
            let a = time(&mut weft);
            (a, time(&mut wasmi))
        } else {
            let b = time(&mut wasmi);
            (time(&mut weft), b)
        };
        rec.pair_ratio(key, a / b);
    }
}

/// The benchmark filter given on the command line (criterion's), if any.
fn filter() -> Option<String> {
    std::env::args().skip(1).find(|a| !a.starts_with('-'))
}

fn exec(c: &mut Criterion, rec: &Recorder, pairs: u32) {
    let (weft_engine, wasmi_engine) = (Weft::engine(true), Wasmi::engine(true));
    let filter = filter();
    for w in WORKLOADS {
        let wasm = guest(w.name);
        let mut weft = Weft::load(&weft_engine, &wasm);
        let mut wasmi = Wasmi::load(&wasmi_engine, &wasm);
        let (a, b) = (weft.run(w.n), wasmi.run(w.n));
        assert_eq!(a, b, "{}: checksums differ (weft {a}, wasmi {b})", w.name);
        let key = format!("exec/{}", w.name);
        pair(
            c,
            rec,
            &key,
            || {
                std::hint::black_box(weft.run(w.n));
            },
            || {
                std::hint::black_box(wasmi.run(w.n));
            },
        );
        if filter.as_ref().is_none_or(|f| key.contains(f.as_str())) {
            paired(
                rec,
                w.name,
                pairs,
                || {
                    std::hint::black_box(weft.run(w.n));
                },
                || {
                    std::hint::black_box(wasmi.run(w.n));
                },
            );
        }
    }
}

fn load(c: &mut Criterion, rec: &Recorder) {
    for lazy in [true, false] {
        let mode = if lazy { "lazy" } else { "eager" };
        let (weft_engine, wasmi_engine) = (Weft::engine(lazy), Wasmi::engine(lazy));
        for w in WORKLOADS {
            let wasm = guest(w.name);
            let key = format!("load-{mode}/{}", w.name);
            pair(
                c,
                rec,
                &key,
                || {
                    std::hint::black_box(Weft::load(&weft_engine, &wasm));
                },
                || {
                    std::hint::black_box(Wasmi::load(&wasmi_engine, &wasm));
                },
            );
        }
    }
}

fn host_calls(c: &mut Criterion, rec: &Recorder) {
    let wasm = guest("hostcall");
    let mut weft = Weft::load(&Weft::engine(true), &wasm);
    let mut wasmi = Wasmi::load(&Wasmi::engine(true), &wasm);
    let n = HOST_CALLS as i32;
    assert_eq!(weft.run(n), wasmi.run(n), "hostcall: checksums differ");
    assert_eq!(weft.inc_loop(HOST_CALLS), wasmi.inc_loop(HOST_CALLS));
    // Two closures each need the guest mutably; they run one after the other.
    let (weft, wasmi) = (
        std::cell::RefCell::new(weft),
        std::cell::RefCell::new(wasmi),
    );
    pair(
        c,
        rec,
        "calls/guest-to-host",
        || {
            std::hint::black_box(weft.borrow_mut().run(n));
        },
        || {
            std::hint::black_box(wasmi.borrow_mut().run(n));
        },
    );
    pair(
        c,
        rec,
        "calls/host-to-guest",
        || {
            std::hint::black_box(weft.borrow_mut().inc_loop(HOST_CALLS));
        },
        || {
            std::hint::black_box(wasmi.borrow_mut().inc_loop(HOST_CALLS));
        },
    );
}

/// Heap bytes held by an eagerly translated module (after instantiation), and the peak
/// while loading it; Weft's IR bytes per byte of Wasm code.
fn memory(rec: &Recorder) {
    for w in WORKLOADS {
        let wasm = guest(w.name);
        let weft_engine = Weft::engine(false);
        let base = alloc_counter::reset_peak();
        let module = weft::Module::from_binary(&weft_engine, &wasm).unwrap();
        let weft_held = alloc_counter::live() - base;
        let weft_peak = alloc_counter::peak() - base;
        let stats = module.code_stats();
        drop(module);

        let wasmi_engine = Wasmi::engine(false);
        let base = alloc_counter::reset_peak();
        let module = wasmi::Module::new(&wasmi_engine, &wasm).unwrap();
        let wasmi_held = alloc_counter::live() - base;
        let wasmi_peak = alloc_counter::peak() - base;
        drop(module);

        rec.memory(w.name, weft_held, wasmi_held, weft_peak, wasmi_peak, stats);
    }
}

fn main() {
    alloc_counter::alloc_counter_tracks_bytes();
    let quick = std::env::var_os("WEFT_BENCH_QUICK").is_some();
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(if quick { 100 } else { 500 }))
        .measurement_time(Duration::from_millis(if quick { 300 } else { 2000 }))
        .configure_from_args();
    let rec = Recorder::default();
    memory(&rec);
    exec(&mut c, &rec, if quick { 11 } else { 31 });
    load(&mut c, &rec);
    host_calls(&mut c, &rec);
    c.final_summary();
    rec.print_report();
}
