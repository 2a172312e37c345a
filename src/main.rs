//! `weft`: the command-line interface of the Weft WebAssembly interpreter.
//!
//! * `weft run [--invoke NAME] [--fuel N] [--dir HOST[::GUEST]] [--env K=V] FILE [ARGS...]`
//!   instantiates a core module (with WASI preview1 imports) and calls `_start` or the
//!   export NAME, printing its results one per line; a WASI program's `proc_exit` status
//!   becomes weft's exit status.
//!   A component runs with WASI 0.2: its `wasi:cli/run`, or `--invoke 'NAME(ARGS...)'`
//!   with arguments and result in WAVE; `--link IMPORT=FILE` satisfies an import with
//!   another component's export.
//! * `weft inspect FILE` prints a component's imports and exports as WIT, or a core
//!   module's as WebAssembly text.
//! * `weft wast FILE...` runs spec test scripts and prints pass/fail counts.
//!
//! Every failure is reported as a single `error: ...` line on standard error (followed by
//! the Wasm backtrace for traps) and exit status 1.

mod cli;

use clap::{Parser, Subcommand};
use cli::{inspect, link_cmd, one_line, run_cmd, wast_cmd, Failure};
use std::io::{self, Write};
use std::process::ExitCode;

/// A pure-Rust WebAssembly interpreter.
#[derive(Debug, Parser)]
#[command(
    name = "weft",
    version,
    about = "Weft: a pure-Rust WebAssembly interpreter",
    long_about = "Weft: a pure-Rust WebAssembly interpreter.\n\n\
                  Runs core WebAssembly modules given as text (.wat) or binary (.wasm), \
                  with WASI preview1, components with WASI 0.2, and WebAssembly spec \
                  test scripts (.wast).",
    propagate_version = true,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run a core module (`_start` or the function given by --invoke) or a component.
    ///
    /// The module may import `wasi_snapshot_preview1` (sandboxed to the --dir
    /// directories); a WASI program's ARGS become its argv and its `proc_exit` status is
    /// weft's exit status. The results of an --invoke'd function are printed one per line;
    /// a trap prints its message and the Wasm backtrace on standard error and exits with
    /// status 1.
    ///
    /// A component gets WASI 0.2 and runs its `wasi:cli/run` export, or the function
    /// given by --invoke 'NAME(ARGS...)' (arguments and result in WAVE); --link
    /// IMPORT=FILE satisfies its import IMPORT with the component FILE's export.
    Run(run_cmd::RunArgs),
    /// Print the imports and exports of a component (as WIT) or a core module.
    Inspect(inspect::InspectArgs),
    /// Compose components into one: each --link IMPORT=FILE satisfies the consumer's
    /// import IMPORT with the component FILE's export; the rest stay imports.
    Link(link_cmd::LinkArgs),
    /// Run WebAssembly spec test scripts (.wast) and report passed and failed directives.
    Wast(wast_cmd::WastArgs),
}

fn main() -> ExitCode {
    // A panic is a bug in weft; report it on one line like every other error.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let location = info
            .location()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        let _ = writeln!(
            io::stderr(),
            "error: internal error: weft panicked{location}: {} (this is a bug in weft)",
            one_line(&message)
        );
    }));

    // The `wast` crate rejects the older text syntax for core items in canonical options
    // (`(memory $i "mem")`) unless this variable is `0`; some component test scripts still
    // use it. It is read once, so set it before any parsing, while one thread runs.
    if std::env::var_os("WAST_STRICT_COMPONENT_INDICES").is_none() {
        std::env::set_var("WAST_STRICT_COMPONENT_INDICES", "0");
    }

    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => {
            let mut stdout = io::stdout().lock();
            match run_cmd::run(&args, &mut stdout) {
                // Like a POSIX shell, keep the low 8 bits of the guest's status.
                Ok(code) => ExitCode::from(code as u8),
                Err(failure) => {
                    let _ = stdout.flush();
                    report(&failure);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Inspect(args) => {
            let mut stdout = io::stdout().lock();
            match inspect::run(&args, &mut stdout) {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => {
                    let _ = stdout.flush();
                    report(&failure);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Link(args) => match link_cmd::run(&args) {
            Ok(size) => {
                let _ = writeln!(
                    io::stderr(),
                    "wrote {} ({size} bytes)",
                    args.output.display()
                );
                ExitCode::SUCCESS
            }
            Err(failure) => {
                report(&failure);
                ExitCode::FAILURE
            }
        },
        Command::Wast(args) => {
            let mut stdout = io::stdout().lock();
            match wast_cmd::run(&args, &mut stdout, &mut io::stderr()) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(e) => {
                    report(&Failure::new(format!("cannot write the report: {e}")));
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Prints a failure to standard error: `error: MESSAGE`, then the backtrace if any.
fn report(failure: &Failure) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "error: {}", failure.message);
    if let Some(backtrace) = &failure.backtrace {
        if !backtrace.is_empty() {
            let _ = write!(stderr, "wasm backtrace:\n{backtrace}");
        }
    }
}
