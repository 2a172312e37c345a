//! `weft run`: instantiate a core module and call one of its exported functions, with
//! WASI preview1 (`wasi_snapshot_preview1`) for modules that import it. Components go to
//! [`super::component`] (`--invoke` in WAVE, `--link`).

use super::values::{format_val, parse_val};
use super::Failure;
use std::io::Write;
use std::path::{Path, PathBuf};
use weft::{Config, Engine, ExternType, FuncType, Linker, Module, Store, Val};
use weft_wasi::{DirPerms, I32Exit, WasiCtx, WasiCtxBuilder};

/// Arguments of `weft run`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  weft run examples/fib.wat --invoke fib 20
  weft run examples/arith.wat --invoke add -- -1 0x10
  weft run --fuel 1000000 examples/loop_forever.wat
  weft run --dir ./data::/data --env LANG=C prog.wasm input.txt
  weft run component.wasm --invoke 'add(1, 2)'
  weft run app.wasm --link example:cache/cache=cache.wasm

Options must come before the first ARG: everything after it is passed to the function,
or, for a WASI program run without --invoke, to the program (its argv[0] is FILE).")]
pub struct RunArgs {
    /// Call the exported function NAME instead of `_start`; for a component, a call in
    /// WAVE: 'NAME(ARGS...)', NAME being `f`, `iface#f` or `pkg:ns/iface@1.0.0#f`.
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,

    /// Components: satisfy the import IMPORT (an interface such as `pkg:ns/iface`) with
    /// the export of that name of the component FILE, run with the same WASI options.
    #[arg(long = "link", value_name = "IMPORT=FILE")]
    pub links: Vec<String>,

    /// Give a WASI program the host directory HOST, read-write, as GUEST (default: HOST).
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,

    /// Like --dir, but the program may not change anything under it.
    #[arg(long = "dir-ro", value_name = "HOST[::GUEST]")]
    pub dirs_ro: Vec<String>,

    /// Same as --dir HOST::GUEST.
    #[arg(long = "mapdir", value_name = "GUEST::HOST")]
    pub mapdirs: Vec<String>,

    /// Set the environment variable K of a WASI program (K alone: the host's value).
    #[arg(long = "env", value_name = "K=V")]
    pub envs: Vec<String>,

    /// Give a WASI program every environment variable of weft's own environment
    /// (--env still overrides).
    #[arg(long)]
    pub inherit_env: bool,

    /// Limit execution to N units of fuel (about one per instruction); running out traps.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// The module or component to run: WebAssembly text (.wat) or binary (.wasm), told apart
    /// by content.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Arguments for the function, one per parameter: integers in decimal or 0x-hex
    /// (negative or unsigned), floats like 1.5, nan, inf or -inf. A component's ARGS are
    /// its argv (its --invoke arguments go inside the call).
    #[arg(
        value_name = "ARGS",
        allow_hyphen_values = true,
        trailing_var_arg = true
    )]
    pub args: Vec<String>,
}

/// The name of the export called when `--invoke` is not given.
const START: &str = "_start";

/// Runs `weft run`: prints each result of the call on its own line to `out`. Returns the
/// exit status: the guest's `proc_exit` status, or 0.
pub fn run(args: &RunArgs, out: &mut dyn Write) -> Result<i32, Failure> {
    let path = args.file.display();
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Failure::new(format!("cannot read `{path}`: {e}")))?;
    if super::component::is_component(&bytes) {
        return super::component::run(args, &bytes, out);
    }
    if !args.links.is_empty() {
        return Err(Failure::new(format!(
            "`{path}` is a core module: --link links components only"
        )));
    }

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
    // A WASI command run as a program gets the ARGS as its argv; otherwise they are the
    // function's parameters.
    let wasi = imports_wasi(&module);
    let program_args = wasi && args.invoke.is_none();
    let params = if program_args {
        parse_args(name, &ty, &[])?
    } else {
        parse_args(name, &ty, &args.args)?
    };

    let ctx = wasi_ctx(args, program_args)?;
    let mut store = Store::new(&engine, ctx);
    if let Some(fuel) = args.fuel {
        store.set_fuel(fuel).map_err(|e| Failure::from_error(&e))?;
    }
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::p1::add_to_linker(&mut linker, |ctx| ctx).map_err(|e| Failure::from_error(&e))?;
    super::calculator::add_to_linker(&mut linker).map_err(|e| Failure::from_error(&e))?;
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(instance) => instance,
        // `proc_exit` in a start function.
        Err(e) => return exit_status(&e).ok_or_else(|| instantiate_failure(&e)),
    };
    let func = instance
        .get_func(&store, name)
        .ok_or_else(|| Failure::new(format!("no exported function named `{name}`")))?;
    let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();
    if let Err(e) = func.call(&mut store, &params, &mut results) {
        return exit_status(&e).ok_or_else(|| Failure::from_error(&e));
    }

    for result in &results {
        writeln!(out, "{}", format_val(result))
            .map_err(|e| Failure::new(format!("cannot write the results: {e}")))?;
    }
    Ok(0)
}

/// The status of a guest that called `proc_exit`: the call failed with an [`I32Exit`].
fn exit_status(err: &weft::Error) -> Option<i32> {
    err.downcast_ref::<I32Exit>().map(|exit| exit.0)
}

/// Why instantiation failed; an unknown import says which imports `weft run` provides.
fn instantiate_failure(e: &weft::Error) -> Failure {
    let failure = Failure::from_error(e);
    if matches!(e, weft::Error::UnknownImport { .. }) {
        Failure {
            message: format!(
                "{} (`weft run` provides only `{}` and `{}` imports)",
                failure.message,
                weft_wasi::p1::MODULE,
                super::calculator::MODULE
            ),
            ..failure
        }
    } else {
        failure
    }
}

/// Whether the module imports anything from `wasi_snapshot_preview1`.
fn imports_wasi(module: &Module) -> bool {
    module.imports().any(|i| i.module == weft_wasi::p1::MODULE)
}

/// The WASI context of the run: argv (FILE, then ARGS when they go to the program),
/// environment and preopened directories from the options; stdio inherited.
pub(super) fn wasi_ctx(args: &RunArgs, program_args: bool) -> Result<WasiCtx, Failure> {
    let mut builder = WasiCtxBuilder::new().arg(args.file.display().to_string());
    if program_args {
        builder = builder.args(args.args.iter().cloned());
    }
    if args.inherit_env {
        builder = builder.inherit_env();
    }
    for kv in &args.envs {
        builder = match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => builder.env(k, v),
            Some(_) => return Err(Failure::new(format!("--env `{kv}`: expected K=V"))),
            None => match std::env::var(kv) {
                Ok(v) => builder.env(kv.as_str(), v),
                Err(_) => builder,
            },
        };
    }
    let mut preopens = Vec::new();
    for spec in &args.dirs {
        preopens.push(split_dir(spec, DirPerms::ReadWrite, false));
    }
    for spec in &args.dirs_ro {
        preopens.push(split_dir(spec, DirPerms::ReadOnly, false));
    }
    for spec in &args.mapdirs {
        preopens.push(split_dir(spec, DirPerms::ReadWrite, true));
    }
    for (host, guest, perms) in preopens {
        builder = builder.preopened_dir(host, guest, perms);
    }
    builder.build().map_err(|e| Failure::new(e.to_string()))
}

/// `HOST[::GUEST]` (or `GUEST::HOST` when `guest_first`) as (host, guest, perms).
fn split_dir(spec: &str, perms: DirPerms, guest_first: bool) -> (String, String, DirPerms) {
    match spec.split_once("::") {
        Some((a, b)) if guest_first => (b.to_string(), a.to_string(), perms),
        Some((a, b)) => (a.to_string(), b.to_string(), perms),
        None => (spec.to_string(), spec.to_string(), perms),
    }
}

/// Decodes and validates the module in `bytes`. Text is converted to binary here rather
/// than by [`Module::new`] so that syntax errors name the file, line and column.
pub(super) fn load_module(engine: &Engine, path: &Path, bytes: &[u8]) -> Result<Module, Failure> {
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
