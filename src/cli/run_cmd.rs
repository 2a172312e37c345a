//! `weft run`: instantiate a core module and call one of its exported functions.

use super::values::{format_val, parse_val};
use super::Failure;
use std::io::Write;
use std::path::{Path, PathBuf};
use weft::{Config, Engine, ExternType, FuncType, Linker, Module, Store, Val};

/// Arguments of `weft run`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  weft run examples/fib.wat --invoke fib 20
  weft run examples/arith.wat --invoke add -- -1 0x10
  weft run --fuel 1000000 examples/loop_forever.wat

Options must come before the first ARG: everything after it is passed to the function.")]
pub struct RunArgs {
    /// Call the exported function NAME instead of `_start`.
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,

    /// Limit execution to N units of fuel (about one per instruction); running out traps.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// The module to run: WebAssembly text (.wat) or binary (.wasm), told apart by content.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Arguments for the function, one per parameter: integers in decimal or 0x-hex
    /// (negative or unsigned), floats like 1.5, nan, inf or -inf.
    #[arg(
        value_name = "ARGS",
        allow_hyphen_values = true,
        trailing_var_arg = true
    )]
    pub args: Vec<String>,
}

/// The name of the export called when `--invoke` is not given.
const START: &str = "_start";

/// Runs `weft run`: prints each result of the call on its own line to `out`.
pub fn run(args: &RunArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let path = args.file.display();
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Failure::new(format!("cannot read `{path}`: {e}")))?;

    let engine = Engine::new(&Config::default().fuel(args.fuel.is_some()));
    let module = load_module(&engine, &args.file, &bytes)?;

    // Everything that can be checked on the module alone is checked before instantiation,
    // so that a typo in the command line does not run the module's start function.
    let name = match &args.invoke {
        Some(name) => name.as_str(),
        None if export_type(&module, START).is_some() => START,
        None => {
            return Err(Failure::new(format!(
                "no `{START}` export; use --invoke NAME{}",
                list_funcs(&module)
            )))
        }
    };
    let ty = func_type(&module, name)?;
    let params = parse_args(name, &ty, &args.args)?;

    let mut store = Store::new(&engine, ());
    if let Some(fuel) = args.fuel {
        store.set_fuel(fuel).map_err(|e| Failure::from_error(&e))?;
    }
    let linker = Linker::<()>::new(&engine);
    let instance = linker.instantiate(&mut store, &module).map_err(|e| {
        let failure = Failure::from_error(&e);
        if matches!(e, weft::Error::UnknownImport { .. }) {
            Failure {
                message: format!(
                    "{} (`weft run` provides no imports yet; WASI is not implemented)",
                    failure.message
                ),
                ..failure
            }
        } else {
            failure
        }
    })?;
    let func = instance
        .get_func(&store, name)
        .ok_or_else(|| Failure::new(format!("no exported function named `{name}`")))?;
    let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();
    func.call(&mut store, &params, &mut results)
        .map_err(|e| Failure::from_error(&e))?;

    for result in &results {
        writeln!(out, "{}", format_val(result))
            .map_err(|e| Failure::new(format!("cannot write the results: {e}")))?;
    }
    Ok(())
}

/// Decodes and validates the module in `bytes`. Text is converted to binary here rather
/// than by [`Module::new`] so that syntax errors name the file, line and column.
fn load_module(engine: &Engine, path: &Path, bytes: &[u8]) -> Result<Module, Failure> {
    let shown = path.display();
    let binary = if bytes.starts_with(b"\0asm") {
        // Core modules are version 1, layer 0; components use layer 1.
        if bytes.get(6..8) == Some(&[1, 0]) {
            return Err(Failure::new(format!(
                "`{shown}` is a WebAssembly component; components are not supported yet"
            )));
        }
        bytes.to_vec()
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Failure::new(format!(
                "`{shown}` is neither a WebAssembly binary (it does not start with `\\0asm`) \
                 nor WebAssembly text (it is not UTF-8)"
            ))
        })?;
        wat_to_binary(path, text)?
    };
    Module::new(engine, binary).map_err(|e| Failure::from_error(&e).context(shown))
}

/// Parses WebAssembly text into the binary format, with errors as `FILE:LINE:COL: message`.
fn wat_to_binary(path: &Path, text: &str) -> Result<Vec<u8>, Failure> {
    let located = |e: wast::Error| {
        let (line, col) = e.span().linecol_in(text);
        Failure::new(format!(
            "{}:{}:{}: {}",
            path.display(),
            line + 1,
            col + 1,
            e.message()
        ))
    };
    let buf = wast::parser::ParseBuffer::new(text).map_err(located)?;
    let mut wat: wast::Wat = wast::parser::parse(&buf).map_err(located)?;
    if let wast::Wat::Component(_) = wat {
        return Err(Failure::new(format!(
            "`{}` is a WebAssembly component; components are not supported yet",
            path.display()
        )));
    }
    wat.encode().map_err(located)
}

/// The type of the export `name`, if the module has one.
fn export_type(module: &Module, name: &str) -> Option<ExternType> {
    module.exports().find(|e| e.name == name).map(|e| e.ty)
}

/// The type of the exported function `name`, or an error saying what is wrong with it.
fn func_type(module: &Module, name: &str) -> Result<FuncType, Failure> {
    match export_type(module, name) {
        Some(ExternType::Func(ty)) => Ok(ty),
        Some(other) => Err(Failure::new(format!(
            "export `{name}` is a {}, not a function",
            other.kind()
        ))),
        None => Err(Failure::new(format!(
            "no export named `{name}`{}",
            list_funcs(module)
        ))),
    }
}

/// ` (exported functions: a, b)` or ` (the module exports no functions)`, to help the user
/// pick a name.
fn list_funcs(module: &Module) -> String {
    let names: Vec<String> = module
        .exports()
        .filter(|e| matches!(e.ty, ExternType::Func(_)))
        .map(|e| e.name)
        .collect();
    if names.is_empty() {
        " (the module exports no functions)".to_string()
    } else {
        format!(" (exported functions: {})", names.join(", "))
    }
}

/// Parses the command-line arguments by the function's parameter types.
fn parse_args(name: &str, ty: &FuncType, args: &[String]) -> Result<Vec<Val>, Failure> {
    let params = ty.params();
    if params.len() != args.len() {
        let types: Vec<String> = params.iter().map(|t| t.to_string()).collect();
        let plural = if params.len() == 1 { "" } else { "s" };
        let given = match args.len() {
            1 => "1 was".to_string(),
            n => format!("{n} were"),
        };
        return Err(Failure::new(format!(
            "function `{name}` takes {} argument{plural} ({}), but {given} given",
            params.len(),
            types.join(" "),
        )));
    }
    params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (&param, arg))| {
            parse_val(arg, param).map_err(|e| {
                Failure::new(format!(
                    "argument {} of `{name}` (parameter of type {param}): {e}",
                    i + 1
                ))
            })
        })
        .collect()
}
