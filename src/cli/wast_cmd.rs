//! `weft wast`: run WebAssembly test scripts, core or Component Model, and report what
//! passed and failed.

use super::one_line;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Arguments of `weft wast`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  weft wast tests/wast/smoke.wast
  weft wast tests/wast/
  weft wast ../shared/conformance/

Scripts with components (`(component ...)`, component values) run on the Component Model
runtime, with the `host` instance wasmtime's component tests import; others on the core one.
Prints `FILE: N passed, M failed` per script, one line per failed directive, and a total.
Exits with status 1 if any directive failed or a file could not be read.")]
pub struct WastArgs {
    /// Scripts to run (.wast); a directory stands for the `*.wast` files in it and in its
    /// subdirectories.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Validate as Wasm 2.0 exactly, without the multi-memory proposal (the Wasm 2.0 spec
    /// scripts assert that a second memory is invalid).
    #[arg(long)]
    pub no_multi_memory: bool,
    /// Validate without reference types, as Wasm 1.0 (at most one table): the threads
    /// proposal's scripts assert that a second table is invalid.
    #[arg(long)]
    pub no_reference_types: bool,
    /// Also run scripts marked `;;! hogs_memory = true` (skipped otherwise: they grow
    /// memories to gigabytes and pass strings of up to 2 GiB).
    #[arg(long)]
    pub hogs_memory: bool,
    /// Refuse, as wasmtime does, valid root components that import or export a component
    /// or re-export an imported function (wasmtime's own scripts expect this).
    #[arg(long)]
    pub wasmtime_restrictions: bool,
}

/// Runs `weft wast`: the report goes to `out`, unreadable files are reported on `err`.
/// Returns whether every directive of every file passed.
pub fn run(args: &WastArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<bool> {
    let mut ok = true;
    let (mut passed, mut failed) = (0, 0);
    for path in expand(&args.files, err, &mut ok)? {
        let shown = path.display();
        let source = match std::fs::read_to_string(&path) {
            Ok(source) => source,
            Err(e) => {
                writeln!(
                    err,
                    "error: cannot read `{shown}`: {}",
                    one_line(&e.to_string())
                )?;
                ok = false;
                continue;
            }
        };
        let config = weft::Config::default()
            .wasm_multi_memory(!args.no_multi_memory)
            .wasm_reference_types(!args.no_reference_types)
            .component_model_wasmtime_restrictions(args.wasmtime_restrictions);
        let report = weft::wast_component::run_script_with(
            &shown.to_string(),
            &source,
            &config,
            args.hogs_memory,
        );
        writeln!(
            out,
            "{shown}: {} passed, {} failed",
            report.passed, report.failed
        )?;
        for f in &report.failures {
            writeln!(
                out,
                "  {shown}:{}:{}: {}: {}",
                f.line,
                f.col,
                one_line(&f.directive),
                one_line(&f.message)
            )?;
        }
        passed += report.passed;
        failed += report.failed;
        ok &= report.failed == 0;
    }
    writeln!(out, "total: {passed} passed, {failed} failed")?;
    Ok(ok)
}

/// Replaces each directory by the `*.wast` files under it, sorted by path. A
/// directory that cannot be listed is reported on `err` and clears `ok`.
fn expand(paths: &[PathBuf], err: &mut dyn Write, ok: &mut bool) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        match wast_files_in(path) {
            Ok(found) if found.is_empty() => {
                writeln!(err, "error: no `.wast` files in `{}`", path.display())?;
                *ok = false;
            }
            Ok(found) => files.extend(found),
            Err(e) => {
                writeln!(
                    err,
                    "error: cannot list `{}`: {}",
                    path.display(),
                    one_line(&e.to_string())
                )?;
                *ok = false;
            }
        }
    }
    Ok(files)
}

/// The `*.wast` files in `dir` and its subdirectories, sorted by path.
fn wast_files_in(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            // Not followed through symbolic links, so a link cycle cannot loop.
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else if path.is_file() && path.extension().is_some_and(|e| e == "wast") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
