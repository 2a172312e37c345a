//! `wasi:cli/*`: arguments and environment, `exit`, stdio as streams, terminals.

use super::state::{Input, Output, Resource};
use super::vals::{option, own, u8_at};
use super::Iface;
use crate::I32Exit;
use weft_canon_abi::{Error, Result, Val};

pub(crate) fn environment<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    i.func("get-environment", |ctx, _, _| {
        Ok(Val::List(
            ctx.state
                .env
                .iter()
                .map(|(k, v)| Val::Tuple(vec![Val::String(k.clone()), Val::String(v.clone())]))
                .collect(),
        ))
    })?
    .func("get-arguments", |ctx, _, _| {
        Ok(Val::List(
            ctx.state.args.iter().cloned().map(Val::String).collect(),
        ))
    })?
    // The guest has no current directory on the host.
    .func("initial-cwd", |_, _, _| Ok(option(None)))?;
    Ok(())
}

/// Ends the guest: records `code` and unwinds with [`I32Exit`].
fn exit_with(ctx: &mut crate::WasiCtx, code: i32) -> Result<Val> {
    ctx.exit_code = Some(code);
    Err(Error::Interp(weft_interp::Error::host(I32Exit(code))))
}

pub(crate) fn exit<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    i.func("exit", |ctx, _, p| {
        let code = match p.first() {
            Some(Val::Result(Ok(_))) => 0,
            _ => 1,
        };
        exit_with(ctx, code)
    })?
    // `@unstable(feature = cli-exit-with-code)`.
    .func("exit-with-code", |ctx, _, p| {
        exit_with(ctx, i32::from(u8_at(p, 0)?))
    })?;
    Ok(())
}

pub(crate) fn stdin<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().input.clone();
    i.resource("input-stream", &ty)?
        .func("get-stdin", |ctx, t, _| {
            Ok(own(&t.input, ctx.p2.push(Resource::Input(Input::Stdin))))
        })?;
    Ok(())
}

pub(crate) fn stdout<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().output.clone();
    i.resource("output-stream", &ty)?
        .func("get-stdout", |ctx, t, _| {
            Ok(own(
                &t.output,
                ctx.p2.push(Resource::Output(Output::Stdout)),
            ))
        })?;
    Ok(())
}

pub(crate) fn stderr<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().output.clone();
    i.resource("output-stream", &ty)?
        .func("get-stderr", |ctx, t, _| {
            Ok(own(
                &t.output,
                ctx.p2.push(Resource::Output(Output::Stderr)),
            ))
        })?;
    Ok(())
}

pub(crate) fn terminal_input<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().terminal_input.clone();
    i.resource("terminal-input", &ty)?;
    Ok(())
}

pub(crate) fn terminal_output<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().terminal_output.clone();
    i.resource("terminal-output", &ty)?;
    Ok(())
}

/// `get-terminal-*`: `none`: stdio is never presented as a terminal.
fn no_terminal<T: 'static>(i: &mut Iface<'_, T>, ty: &str, func: &str) -> Result<()> {
    let rt = if ty == "terminal-input" {
        i.types().terminal_input.clone()
    } else {
        i.types().terminal_output.clone()
    };
    i.resource(ty, &rt)?
        .func(func, |_, _, _| Ok(option(None)))?;
    Ok(())
}

pub(crate) fn terminal_stdin<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    no_terminal(i, "terminal-input", "get-terminal-stdin")
}

pub(crate) fn terminal_stdout<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    no_terminal(i, "terminal-output", "get-terminal-stdout")
}

pub(crate) fn terminal_stderr<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    no_terminal(i, "terminal-output", "get-terminal-stderr")
}
