//! `weft inspect FILE`: what a file imports and exports. A component's imports and exports
//! are printed as a WIT world (decoded by `wit-component`, printed by its `WitPrinter`,
//! with the interfaces it uses); a core module's as WebAssembly text forms, one per line.

use super::component::is_component;
use super::Failure;
use std::io::Write;
use std::path::PathBuf;
use weft::component::Component;
use weft::{Config, Engine};

/// Arguments of `weft inspect`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  weft inspect component.wasm     # its world, in WIT
  weft inspect examples/fib.wat   # a core module's imports and exports")]
pub struct InspectArgs {
    /// The component or core module: WebAssembly text (.wat) or binary (.wasm).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Runs `weft inspect`, printing to `out`.
pub fn run(args: &InspectArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Failure::new(format!("cannot read `{shown}`: {e}")))?;
    let text = if is_component(&bytes) {
        component_wit(&args.file, &bytes)?
    } else {
        module_text(&args.file, &bytes)?
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Failure::new(format!("cannot write the output: {e}")))
}

/// The WIT of a component (binary or text): its world, then the packages of the
/// interfaces it imports and exports.
fn component_wit(path: &std::path::Path, bytes: &[u8]) -> Result<String, Failure> {
    let shown = path.display();
    let binary = wat::parse_bytes(bytes).map_err(|mut e| {
        e.set_path(path);
        Failure::new(e.to_string())
    })?;
    // Weft's own validation first, so `inspect` rejects what `run` would.
    let engine = Engine::new(&Config::default());
    let component = super::component::compile(&engine, &shown.to_string(), &binary)?;
    let decoded = match wit_component::decode(&binary) {
        Ok(decoded) => decoded,
        Err(e) => return Ok(names_only(&shown.to_string(), &component, &e)),
    };
    let (resolve, main) = match decoded {
        wit_component::DecodedWasm::Component(resolve, world) => {
            let Some(package) = resolve.worlds[world].package else {
                return Err(Failure::new(format!("`{shown}`: its world has no package")));
            };
            (resolve, package)
        }
        wit_component::DecodedWasm::WitPackage(resolve, package) => (resolve, package),
    };
    let others: Vec<_> = resolve
        .packages
        .iter()
        .map(|(id, _)| id)
        .filter(|id| *id != main)
        .collect();
    let mut printer = wit_component::WitPrinter::default();
    printer
        .print(&resolve, main, &others)
        .map_err(|e| Failure::new(format!("`{shown}`: cannot print its WIT: {e:#}")))?;
    let mut text = String::from(printer.output);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// The imports and exports of a valid component that has no WIT form (a WIT world cannot
/// export a type, for one), by name and sort, after a comment saying why.
fn names_only(shown: &str, component: &Component, why: &dyn std::fmt::Display) -> String {
    let mut text = format!(
        "// `{shown}` cannot be shown as WIT ({}); its imports and exports by name and kind:\n",
        super::one_line(&format!("{why:#}"))
    );
    for (name, sort) in component.imports() {
        text.push_str(&format!("import {name}: {sort}\n"));
    }
    for (name, sort) in component.exports() {
        text.push_str(&format!("export {name}: {sort}\n"));
    }
    text
}

/// A core module's imports and exports, as WebAssembly text:
/// `(import "m" "f" (func (param i32)))`, `(export "memory" (memory 1))`.
fn module_text(path: &std::path::Path, bytes: &[u8]) -> Result<String, Failure> {
    let engine = Engine::new(&Config::default());
    let module = super::run_cmd::load_module(&engine, path, bytes)?;
    let mut text = String::from("(module\n");
    for import in module.imports() {
        text.push_str(&format!(
            "  (import {:?} {:?} {})\n",
            import.module, import.name, import.ty
        ));
    }
    for export in module.exports() {
        text.push_str(&format!("  (export {:?} {})\n", export.name, export.ty));
    }
    text.push_str(")\n");
    Ok(text)
}
