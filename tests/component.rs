//! Component Model `.wast` scripts through `weft::wast_component`, the runner `weft wast`
//! uses: Weft's own scripts in `tests/component-wast/` (all must pass) and the conformance
//! data in `../shared/conformance/` (or `$WEFT_CONFORMANCE_DIR`), compared with
//! `tests/component-known-failures.txt`.
//!
//! The known-failures list may only shrink: the test fails when a case fails that is not
//! listed, and also when a listed case passes. A case is `FILE:LINE` (the path relative to
//! the conformance directory; line 0 for a script that does not parse or is not run).
//! `WEFT_CONFORMANCE_FILTER=substring` runs only matching files and shows every failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use weft::wast::WastReport;
use weft::wast_component::run_component_wast_with;
use weft::Config;

const KNOWN_FAILURES: &str = include_str!("component-known-failures.txt");

/// The cases listed in the known-failures file.
fn known_failures() -> BTreeSet<String> {
    KNOWN_FAILURES
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

/// Some conformance scripts use the older text syntax for core items in canonical options
/// (`(memory $i "mem")`), which the `wast` crate accepts only with this variable at `0`
/// (`weft`'s `main` sets it the same way). It is read once per process.
fn allow_legacy_syntax() {
    if std::env::var_os("WAST_STRICT_COMPONENT_INDICES").is_none() {
        std::env::set_var("WAST_STRICT_COMPONENT_INDICES", "0");
    }
}

fn wast_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            wast_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "wast") {
            out.push(p);
        }
    }
}

fn run(path: &Path, shown: &str) -> WastReport {
    let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{shown}: {e}"));
    // wasmtime's scripts test wasmtime's configuration, which refuses some valid root
    // components; Weft refuses them too when asked (`wasmtime/` is where they live).
    // The Component Model's own tests are written for every feature the spec defines, gated
    // or not; Weft turns on the gated features it implements for them.
    let reference = shown.starts_with("component-model-repo/");
    let config = Config::default()
        .component_model_wasmtime_restrictions(shown.starts_with("wasmtime/"))
        .component_model_fixed_length_lists(reference)
        .component_model_memory64(reference)
        .component_model_gc(reference);
    // Scripts marked `hogs_memory` run too: big-strings.wast takes about a minute and 7 GB.
    run_component_wast_with(shown, &source, &config, true)
}

#[test]
fn own_component_scripts() {
    allow_legacy_syntax();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/component-wast");
    let mut files = Vec::new();
    wast_files(&dir, &mut files);
    assert!(!files.is_empty(), "no scripts in {}", dir.display());
    for f in files {
        let shown = f.display().to_string();
        let report = run(&f, &shown);
        println!(
            "{shown}: {} passed, {} failed",
            report.passed, report.failed
        );
        assert!(report.passed > 0, "{shown}: nothing ran");
        assert!(
            report.failures.is_empty(),
            "{shown}: {:#?}",
            report.failures
        );
    }
}

#[test]
fn conformance_suite() {
    allow_legacy_syntax();
    let dir = std::env::var_os("WEFT_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"));
    if !dir.is_dir() {
        eprintln!(
            "\n!!!!!!!! component conformance data NOT FOUND at {} !!!!!!!!\n\
             !!!!!!!! the conformance suite did NOT run; set WEFT_CONFORMANCE_DIR !!!!!!!!\n",
            dir.display()
        );
        return;
    }
    let mut files = Vec::new();
    wast_files(&dir, &mut files);
    files.sort();
    let filter = std::env::var("WEFT_CONFORMANCE_FILTER").ok();
    if let Some(f) = &filter {
        files.retain(|p| p.display().to_string().contains(f.as_str()));
    }

    let mut per_file: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failing_cases = BTreeSet::new();
    let mut details = BTreeMap::new();
    let rel = |f: &PathBuf| f.strip_prefix(&dir).unwrap_or(f).display().to_string();
    // The memory hogs (about a minute) run on a second thread beside the rest.
    let (hogs, rest): (Vec<&PathBuf>, Vec<&PathBuf>) = files.iter().partition(|f| {
        std::fs::read_to_string(f).is_ok_and(|s| s.contains(";;! hogs_memory = true"))
    });
    let mut reports: Vec<(String, WastReport)> = std::thread::scope(|s| {
        let hogs = s.spawn(|| {
            hogs.iter()
                .map(|f| (rel(f), run(f, &rel(f))))
                .collect::<Vec<_>>()
        });
        let mut reports: Vec<_> = rest.iter().map(|f| (rel(f), run(f, &rel(f)))).collect();
        reports.extend(hogs.join().expect("the memory hogs' thread panicked"));
        reports
    });
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    for (rel, report) in reports {
        println!("{rel}: {} passed, {} failed", report.passed, report.failed);
        per_file.insert(rel.clone(), (report.passed, report.failed));
        for failure in &report.failures {
            let case = format!("{rel}:{}", failure.line);
            details
                .entry(case.clone())
                .or_insert_with(|| format!("{}: {}", failure.directive, failure.message));
            if filter.is_some() {
                println!("  {case}: {}: {}", failure.directive, failure.message);
            }
            failing_cases.insert(case);
        }
    }
    let passed: usize = per_file.values().map(|c| c.0).sum();
    let failed: usize = per_file.values().map(|c| c.1).sum();
    println!(
        "conformance: {passed} passed, {failed} failed, {} files",
        files.len()
    );
    // CLASSIFICATION.txt (beside the data) sorts files into Preview 2 and Preview 3.
    if let Ok(classes) = std::fs::read_to_string(dir.join("CLASSIFICATION.txt")) {
        let mut by_class: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for line in classes.lines() {
            let Some((class, file)) = line.split_once(' ') else {
                continue;
            };
            if let Some(c) = per_file.get(file.trim_start_matches("./")) {
                let e = by_class.entry(class).or_default();
                e.0 += c.0;
                e.1 += c.1;
            }
        }
        for (class, (p, f)) in by_class {
            println!("{class}: {p} passed, {f} failed");
        }
    }
    if filter.is_some() {
        return;
    }

    let known = known_failures();
    let unexpected: Vec<&String> = failing_cases.difference(&known).collect();
    let fixed: Vec<&String> = known.difference(&failing_cases).collect();
    let mut message = String::new();
    if !unexpected.is_empty() {
        message.push_str(&format!(
            "{} failing case(s) not in tests/component-known-failures.txt:\n",
            unexpected.len()
        ));
        for case in &unexpected {
            message.push_str(&format!("  {case}: {}\n", details[*case]));
        }
    }
    if !fixed.is_empty() {
        message.push_str(&format!(
            "{} case(s) in tests/component-known-failures.txt now pass; remove them:\n",
            fixed.len()
        ));
        for case in &fixed {
            message.push_str(&format!("  {case}\n"));
        }
    }
    assert!(message.is_empty(), "{message}");
}
