//! `weft run` for components, with WASI 0.2 (`weft_wasi::p2`) and the same options as a
//! preview1 program: a command component runs its `wasi:cli/run@0.2.x` export; with
//! `--invoke 'NAME(ARGS...)'` any exported function is called with arguments in WAVE
//! ([`super::wave`]) and its result is printed in WAVE. `--link` satisfies imports with
//! other components' exports ([`super::link`]).

use super::run_cmd::{wasi_ctx, RunArgs};
use super::wave::{parse_args, split_call, to_wave};
use super::Failure;
use std::io::Write;
use weft::component::{Component, Func, Instance, Linker, Val};
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

/// Compiles the component in `bytes` (binary or text) read from `shown`.
pub(super) fn compile(engine: &Engine, shown: &str, bytes: &[u8]) -> Result<Component, Failure> {
    Component::new(engine, bytes).map_err(|e| failure(&e).context(format_args!("`{shown}`")))
}

/// Runs the component in `bytes`; returns its exit status (0 for `ok`, 1 for `err`, or
/// the status given to `wasi:cli/exit`). The result of an `--invoke`d function is
/// printed to `out`.
pub fn run(args: &RunArgs, bytes: &[u8], out: &mut dyn Write) -> Result<i32, Failure> {
    let shown = args.file.display().to_string();
    // The call is checked before anything runs.
    let call = match &args.invoke {
        Some(text) => {
            let call = split_call(text).map_err(|e| Failure::new(format!("--invoke {e}")))?;
            if !text.contains('(') && !args.args.is_empty() {
                return Err(Failure::new(format!(
                    "`{shown}` is a component: give the arguments of --invoke in WAVE, \
                     e.g. --invoke '{}({})'",
                    call.name,
                    args.args.join(", ")
                )));
            }
            Some(call)
        }
        None => None,
    };
    let engine = Engine::new(&Config::default().fuel(args.fuel.is_some()));
    let component = compile(&engine, &shown, bytes)?;
    let ctx = wasi_ctx(args, true)?;
    let mut store = Store::new(&engine, ctx);
    if let Some(fuel) = args.fuel {
        store.set_fuel(fuel).map_err(|e| Failure::from_error(&e))?;
    }
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::p2::add_to_linker(&mut linker, |ctx| ctx).map_err(|e| failure(&e))?;
    let links = super::link::define(args, &engine, &component, &mut store, &mut linker)?;
    let instance = match linker.instantiate(&mut store, &component) {
        Ok(instance) => instance,
        Err(e) => {
            return weft_wasi::p2::exit_status(&e).ok_or_else(|| {
                let f = failure(&e);
                match &e {
                    weft::component::Error::UnknownImport(_) => Failure::new(format!(
                        "`{shown}`: {} (`weft run` provides the WASI {} interfaces{})",
                        f.message,
                        weft_wasi::p2::VERSION,
                        if links.is_empty() {
                            "; --link IMPORT=FILE links others"
                        } else {
                            " and those given by --link"
                        }
                    )),
                    weft::component::Error::IncompatibleImport { name, .. }
                        if links.iter().any(|l| l == name) =>
                    {
                        Failure::new(format!("`{shown}`: {} (given by --link)", f.message))
                    }
                    _ => f.context(format_args!("`{shown}`")),
                }
            })
        }
    };

    let Some(call) = call else {
        if weft_wasi::p2::run_export(&mut store, &instance).is_none() {
            return Err(Failure::new(format!(
                "`{shown}` is not a command component: it has no `wasi:cli/run@0.2.x` export; \
                 use --invoke 'NAME(ARGS...)' to call one of its functions{}",
                list_funcs(&instance)
            )));
        }
        return weft_wasi::p2::run(&mut store, &instance).map_err(|e| failure(&e));
    };

    let (path, func) = find_func(&mut store, &instance, call.name)?;
    let Some(ty) = func.ty().cloned() else {
        return Err(Failure::new(format!(
            "export `{path}` has no component function type"
        )));
    };
    let params = parse_args(&call, &ty).map_err(Failure::new)?;
    let mut results = vec![Val::Bool(false); ty.results.len()];
    if let Err(e) = func.call(&mut store, &params, &mut results) {
        return weft_wasi::p2::exit_status(&e).ok_or_else(|| failure(&e));
    }
    if !results.is_empty() {
        let text: Vec<String> = results.iter().map(to_wave).collect();
        writeln!(out, "{}", text.join(", "))
            .map_err(|e| Failure::new(format!("cannot write the result: {e}")))?;
    }
    Ok(0)
}

/// The exported function `name`: `f`, `iface#f` (where `iface` is an exported instance's
/// full name, its name without `@version`, or the interface part of `pkg:ns/iface`), or
/// `pkg:ns/iface@1.0.0#f`. Returns its full path too.
fn find_func(
    store: &mut Store<WasiCtx>,
    instance: &Instance,
    name: &str,
) -> Result<(String, Func), Failure> {
    if let Ok(f) = instance.get_func(&mut *store, name) {
        return Ok((name.to_string(), f));
    }
    let not_found = || {
        Failure::new(format!(
            "no exported function named `{name}`{}",
            list_funcs(instance)
        ))
    };
    let Some((iface, rest)) = name.split_once('#') else {
        return Err(not_found());
    };
    let candidates: Vec<&str> = instance
        .exports()
        .filter(|e| short_names(e).contains(&iface))
        .collect();
    match candidates.as_slice() {
        [one] => {
            let path = format!("{one}#{rest}");
            let f = instance
                .get_func(&mut *store, &path)
                .map_err(|_| not_found())?;
            Ok((path, f))
        }
        [] => Err(not_found()),
        many => Err(Failure::new(format!(
            "`{iface}` in `{name}` is ambiguous: it could be {}; use the full name",
            many.iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

/// The shorter names an export `pkg:ns/iface@1.0.0` may be called by: `pkg:ns/iface` and
/// `iface`.
fn short_names(export: &str) -> Vec<&str> {
    let unversioned = export.split_once('@').map_or(export, |(base, _)| base);
    let mut names = vec![unversioned];
    if let Some((_, iface)) = unversioned.rsplit_once('/') {
        names.push(iface);
    }
    names
}

/// ` (exported functions: a, iface#b)` or ` (it exports no functions)`.
fn list_funcs(instance: &Instance) -> String {
    let paths = instance.func_paths();
    if paths.is_empty() {
        " (it exports no functions)".to_string()
    } else {
        format!(" (exported functions: {})", paths.join(", "))
    }
}

/// A failure from a component error, with the backtrace of a core trap.
pub(super) fn failure(e: &weft::component::Error) -> Failure {
    match e {
        weft::component::Error::Interp(e) => Failure::from_error(e),
        e => Failure::new(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::short_names;

    #[test]
    fn interfaces_have_short_names() {
        assert_eq!(
            short_names("test:demo/greet@1.0.0"),
            ["test:demo/greet", "greet"]
        );
        assert_eq!(short_names("plain"), ["plain"]);
    }
}
