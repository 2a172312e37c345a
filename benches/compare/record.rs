//! Collects the timings the benchmarks take and prints the ratio table at the end.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

/// Which runtime a sample belongs to.
#[derive(Clone, Copy)]
pub enum Side {
    Weft = 0,
    Wasmi = 1,
}

/// Memory figures for one workload.
struct MemoryRow {
    name: &'static str,
    held: [usize; 2],
    peak: [usize; 2],
    stats: weft::CodeStats,
}

/// Per benchmark key, the per-iteration times (ns) of every sample, for each side.
#[derive(Default)]
pub struct Recorder {
    samples: RefCell<BTreeMap<String, [Vec<f64>; 2]>>,
    /// Per workload, the Weft/wasmi ratio of each pair of alternating runs.
    pairs: RefCell<BTreeMap<String, Vec<f64>>>,
    memory: RefCell<Vec<MemoryRow>>,
}

impl Recorder {
    /// Records that `iters` iterations took `elapsed`.
    pub fn sample(&self, key: &str, side: Side, elapsed: Duration, iters: u64) {
        let per_iter = elapsed.as_nanos() as f64 / iters.max(1) as f64;
        self.samples
            .borrow_mut()
            .entry(key.to_string())
            .or_default()[side as usize]
            .push(per_iter);
    }

    /// Records the Weft/wasmi time ratio of one pair of alternating runs of `workload`.
    pub fn pair_ratio(&self, workload: &str, ratio: f64) {
        self.pairs
            .borrow_mut()
            .entry(workload.to_string())
            .or_default()
            .push(ratio);
    }

    /// Records the memory figures of one workload.
    pub fn memory(
        &self,
        name: &'static str,
        weft_held: usize,
        wasmi_held: usize,
        weft_peak: usize,
        wasmi_peak: usize,
        stats: weft::CodeStats,
    ) {
        self.memory.borrow_mut().push(MemoryRow {
            name,
            held: [weft_held, wasmi_held],
            peak: [weft_peak, wasmi_peak],
            stats,
        });
    }

    /// Weft/wasmi of the median per-iteration times, if both sides ran.
    fn ratio(&self, key: &str) -> Option<(f64, f64, f64)> {
        let samples = self.samples.borrow();
        let [weft, wasmi] = samples.get(key)?;
        let (a, b) = (median(weft)?, median(wasmi)?);
        Some((a / b, a, b))
    }

    /// Prints the tables of ratios (Markdown, so they can go into benches/README.md).
    pub fn print_report(&self) {
        println!("\n## Weft / wasmi (below 1.00: Weft is faster or smaller)\n");
        self.print_time_table("Execution", "exec/");
        self.print_pairs_table();
        self.print_time_table("Module load, lazy translation", "load-lazy/");
        self.print_time_table("Module load, eager translation", "load-eager/");
        self.print_time_table("Host calls (10^6 each)", "calls/");
        self.print_memory_table();
    }

    fn print_time_table(&self, title: &str, prefix: &str) {
        let keys: Vec<String> = self
            .samples
            .borrow()
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect();
        let rows: Vec<(String, (f64, f64, f64))> = keys
            .iter()
            .filter_map(|k| Some((k[prefix.len()..].to_string(), self.ratio(k)?)))
            .collect();
        if rows.is_empty() {
            return;
        }
        println!("### {title}\n");
        println!("| workload | Weft/wasmi | Weft | wasmi |");
        println!("|---|---:|---:|---:|");
        for (name, (r, a, b)) in &rows {
            println!("| {name} | {r:.2} | {} | {} |", human(*a), human(*b));
        }
        let ratios: Vec<f64> = rows.iter().map(|(_, (r, _, _))| *r).collect();
        let geomean = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
        let worst = ratios.iter().cloned().fold(0.0, f64::max);
        println!("| **geometric mean** | **{geomean:.2}** | | |");
        println!("\nworst: {worst:.2}\n");
    }

    /// Execution again, as the median of per-pair ratios (`paired` in main.rs), with the
    /// spread of the middle half of the pairs.
    fn print_pairs_table(&self) {
        let pairs = self.pairs.borrow();
        if pairs.is_empty() {
            return;
        }
        println!("### Execution, alternating runs (median of per-pair ratios)\n");
        println!("| workload | Weft/wasmi | middle half of pairs | pairs |");
        println!("|---|---:|---:|---:|");
        let mut medians = Vec::new();
        for (name, ratios) in pairs.iter() {
            let mut v = ratios.clone();
            v.sort_by(f64::total_cmp);
            let Some(m) = median(&v) else { continue };
            let (lo, hi) = (v[v.len() / 4], v[(3 * v.len()) / 4]);
            println!("| {name} | {m:.2} | {lo:.2}-{hi:.2} | {} |", v.len());
            medians.push(m);
        }
        let geomean = (medians.iter().map(|r| r.ln()).sum::<f64>() / medians.len() as f64).exp();
        let worst = medians.iter().cloned().fold(0.0, f64::max);
        println!("| **geometric mean** | **{geomean:.2}** | | |");
        println!("\nworst: {worst:.2}\n");
    }

    fn print_memory_table(&self) {
        let rows = self.memory.borrow();
        if rows.is_empty() {
            return;
        }
        println!("### Memory of an eagerly translated module\n");
        println!(
            "| workload | wasm code bytes | Weft IR bytes | IR/wasm | held Weft/wasmi | peak while loading Weft/wasmi |"
        );
        println!("|---|---:|---:|---:|---:|---:|");
        let (mut code, mut ir) = (0, 0);
        for row in rows.iter() {
            let s = row.stats;
            code += s.wasm_code_bytes;
            ir += s.ir_bytes;
            println!(
                "| {} | {} | {} | {:.2} | {:.2} | {:.2} |",
                row.name,
                s.wasm_code_bytes,
                s.ir_bytes,
                s.ir_bytes as f64 / s.wasm_code_bytes.max(1) as f64,
                row.held[0] as f64 / row.held[1].max(1) as f64,
                row.peak[0] as f64 / row.peak[1].max(1) as f64,
            );
        }
        println!(
            "| **all** | {code} | {ir} | **{:.2}** | | |\n",
            ir as f64 / code.max(1) as f64
        );
    }
}

fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    Some(v[v.len() / 2])
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}
