//! `weft run` for components: a command component (one exporting `wasi:cli/run@0.2.x`)
//! runs with WASI 0.2 (`weft_wasi::p2`), with the same options as a preview1 program.
//! `--invoke` (WAVE values) is not supported for components yet.

use super::run_cmd::{wasi_ctx, RunArgs};
use super::Failure;
use weft::component::{Component, Linker};
use weft::{Config, Engine, Store};
use weft_wasi::WasiCtx;

/// Whether `bytes` are a component: binary layer 1, or text whose top form is `(component`.
pub fn is_component(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\0asm") {
        return bytes.get(6..8) == Some(&[1, 0]);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    // Only text that mentions `(component` at all is parsed to find out.
    if !text.contains("(component") {
        return false;
    }
    let Ok(buf) = wast::parser::ParseBuffer::new(text) else {
        return false;
    };
    matches!(
        wast::parser::parse::<wast::Wat>(&buf),
        Ok(wast::Wat::Component(_))
    )
}

/// Runs the component in `bytes`; returns its exit status (0 for `ok`, 1 for `err`, or
/// the status given to `wasi:cli/exit`).
pub fn run(args: &RunArgs, bytes: &[u8]) -> Result<i32, Failure> {
    let shown = args.file.display();
    if args.invoke.is_some() {
        return Err(Failure::new(format!(
            "`{shown}` is a component: --invoke is not supported for components yet \
             (a command component runs its `wasi:cli/run` export without --invoke)"
        )));
    }
    let engine = Engine::new(&Config::default().fuel(args.fuel.is_some()));
    let component = Component::new(&engine, bytes).map_err(|e| failure(&e).context(&shown))?;
    let ctx = wasi_ctx(args, true)?;
    let mut store = Store::new(&engine, ctx);
    if let Some(fuel) = args.fuel {
        store.set_fuel(fuel).map_err(|e| Failure::from_error(&e))?;
    }
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::p2::add_to_linker(&mut linker, |ctx| ctx).map_err(|e| failure(&e))?;
    let instance = match linker.instantiate(&mut store, &component) {
        Ok(instance) => instance,
        Err(e) => {
            return weft_wasi::p2::exit_status(&e).ok_or_else(|| {
                let f = failure(&e);
                if matches!(e, weft::component::Error::UnknownImport(_)) {
                    f.context(format_args!(
                        "{shown} (`weft run` provides the WASI {} interfaces)",
                        weft_wasi::p2::VERSION
                    ))
                } else {
                    f.context(&shown)
                }
            })
        }
    };
    if weft_wasi::p2::run_export(&mut store, &instance).is_none() {
        return Err(Failure::new(format!(
            "`{shown}` is not a command component: it has no `wasi:cli/run@0.2.x` export \
             (and --invoke is not supported for components yet)"
        )));
    }
    weft_wasi::p2::run(&mut store, &instance).map_err(|e| failure(&e))
}

/// A failure from a component error, with the backtrace of a core trap.
fn failure(e: &weft::component::Error) -> Failure {
    match e {
        weft::component::Error::Interp(e) => Failure::from_error(e),
        e => Failure::new(e.to_string()),
    }
}
