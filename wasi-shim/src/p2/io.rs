//! `wasi:io/{error,poll,streams}`. Every stream operation completes before it returns
//! (stdio and files block), so a stream's pollable is always ready and `write` never needs
//! a flush; pollables of clocks wait for their deadline.

use super::state::{Input, Output, Resource};
use super::vals::{bytes, bytes_at, ok, ok_unit, own, rep, reps_at, u64_at, unit};
use super::{trap, Iface, Types};
use crate::fs::ErrorCode;
use crate::WasiCtx;
use std::os::unix::fs::FileExt;
use std::time::Instant;
use weft_canon_abi::{Result, Val};

/// What `check-write` allows at once.
const WRITE_BUDGET: u64 = 1 << 20;
/// The most one `read` returns.
const READ_LIMIT: u64 = 1 << 20;

/// `wasi:io/streams.stream-error`, before its `error` resource exists.
pub(crate) enum StreamError {
    Closed,
    Failed(String, Option<ErrorCode>),
}

impl From<std::io::Error> for StreamError {
    fn from(e: std::io::Error) -> StreamError {
        StreamError::Failed(e.to_string(), Some(ErrorCode::from(e)))
    }
}

/// `result<T, stream-error>` as a value: a failure becomes a new `error` resource.
fn stream_result(
    ctx: &mut WasiCtx,
    types: &Types,
    r: std::result::Result<Val, StreamError>,
    unit_ok: bool,
) -> Val {
    match r {
        Ok(_) if unit_ok => ok_unit(),
        Ok(v) => ok(v),
        Err(StreamError::Closed) => super::vals::err(Val::Variant("closed".into(), None)),
        Err(StreamError::Failed(msg, code)) => {
            let e = ctx.p2.push(Resource::Error(msg, code));
            super::vals::err(Val::Variant(
                "last-operation-failed".into(),
                Some(Box::new(own(&types.error, e))),
            ))
        }
    }
}

/// Reads up to `len` bytes from input stream `rep`; end of input is `closed`.
pub(crate) fn read(
    ctx: &mut WasiCtx,
    rep: u32,
    len: u64,
) -> Result<std::result::Result<Vec<u8>, StreamError>> {
    let mut buf = vec![0; len.min(READ_LIMIT) as usize];
    let r = match ctx.p2.get_mut(rep) {
        Some(Resource::Input(Input::Stdin)) => ctx.state.stdin.read(&mut buf),
        Some(Resource::Input(Input::File { file, pos })) => {
            let r = file.read_at(&mut buf, *pos);
            if let Ok(n) = r {
                *pos += n as u64;
            }
            r
        }
        _ => return trap("not an input-stream handle"),
    };
    Ok(match r {
        Ok(0) if len > 0 => Err(StreamError::Closed),
        Ok(n) => {
            buf.truncate(n);
            Ok(buf)
        }
        Err(e) => Err(e.into()),
    })
}

/// Writes all of `data` to output stream `rep`.
pub(crate) fn write(
    ctx: &mut WasiCtx,
    rep: u32,
    data: &[u8],
) -> Result<std::result::Result<(), StreamError>> {
    let r = match ctx.p2.get_mut(rep) {
        Some(Resource::Output(Output::Stdout)) => ctx.state.stdout.write(data, false),
        Some(Resource::Output(Output::Stderr)) => ctx.state.stderr.write(data, true),
        Some(Resource::Output(Output::File { file, pos })) => match pos {
            Some(p) => file
                .write_all_at(data, *p)
                .map(|()| *p += data.len() as u64),
            None => file
                .metadata()
                .and_then(|m| file.write_all_at(data, m.len())),
        },
        _ => return trap("not an output-stream handle"),
    };
    Ok(r.map_err(StreamError::from))
}

fn is_output(ctx: &WasiCtx, rep: u32) -> Result<()> {
    match ctx.p2.get(rep) {
        Some(Resource::Output(_)) => Ok(()),
        _ => trap("not an output-stream handle"),
    }
}

/// A new pollable, ready at `deadline` (`None`: now).
pub(crate) fn pollable(ctx: &mut WasiCtx, types: &Types, deadline: Option<Instant>) -> Val {
    own(&types.pollable, ctx.p2.push(Resource::Pollable(deadline)))
}

fn deadline(ctx: &WasiCtx, rep: u32) -> Result<Option<Instant>> {
    match ctx.p2.get(rep) {
        Some(Resource::Pollable(d)) => Ok(*d),
        _ => trap("not a pollable handle"),
    }
}

fn sleep_until(t: Instant) {
    let now = Instant::now();
    if t > now {
        std::thread::sleep(t - now);
    }
}

pub(crate) fn error<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().error.clone();
    i.resource("error", &ty)?
        .func("[method]error.to-debug-string", |ctx, _, p| {
            match ctx.p2.get(rep(p, 0)?) {
                Some(Resource::Error(msg, _)) => Ok(Val::String(msg.clone())),
                _ => trap("not an error handle"),
            }
        })?;
    Ok(())
}

pub(crate) fn poll<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().pollable.clone();
    i.resource("pollable", &ty)?
        .func("[method]pollable.ready", |ctx, _, p| {
            let d = deadline(ctx, rep(p, 0)?)?;
            Ok(Val::Bool(d.is_none_or(|d| d <= Instant::now())))
        })?
        .func("[method]pollable.block", |ctx, _, p| {
            if let Some(d) = deadline(ctx, rep(p, 0)?)? {
                sleep_until(d);
            }
            Ok(unit())
        })?
        .func("poll", |ctx, _, p| {
            let reps = reps_at(p, 0)?;
            if reps.is_empty() {
                return trap("poll: the list of pollables is empty");
            }
            let deadlines = reps
                .iter()
                .map(|&r| deadline(ctx, r))
                .collect::<Result<Vec<_>>>()?;
            // Sleep until the earliest deadline unless something is ready already.
            if deadlines.iter().all(Option::is_some) {
                sleep_until(
                    deadlines
                        .iter()
                        .flatten()
                        .min()
                        .copied()
                        .expect("non-empty"),
                );
            }
            let now = Instant::now();
            Ok(Val::List(
                deadlines
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.is_none_or(|d| d <= now))
                    .map(|(i, _)| Val::U32(i as u32))
                    .collect(),
            ))
        })?;
    Ok(())
}

pub(crate) fn streams<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let t = i.types();
    let (input, output, error, pollable_ty) = (
        t.input.clone(),
        t.output.clone(),
        t.error.clone(),
        t.pollable.clone(),
    );
    i.resource("input-stream", &input)?
        .resource("output-stream", &output)?
        .resource("error", &error)?
        .resource("pollable", &pollable_ty)?;
    for name in ["read", "blocking-read"] {
        i.func(&format!("[method]input-stream.{name}"), |ctx, types, p| {
            let r = read(ctx, rep(p, 0)?, u64_at(p, 1)?)?.map(|b| bytes(&b));
            Ok(stream_result(ctx, types, r, false))
        })?;
    }
    for name in ["skip", "blocking-skip"] {
        i.func(&format!("[method]input-stream.{name}"), |ctx, types, p| {
            let r = read(ctx, rep(p, 0)?, u64_at(p, 1)?)?.map(|b| Val::U64(b.len() as u64));
            Ok(stream_result(ctx, types, r, false))
        })?;
    }
    i.func(
        "[method]input-stream.subscribe",
        |ctx, types, p| match ctx.p2.get(rep(p, 0)?) {
            Some(Resource::Input(_)) => Ok(pollable(ctx, types, None)),
            _ => trap("not an input-stream handle"),
        },
    )?
    .func("[method]output-stream.check-write", |ctx, _, p| {
        is_output(ctx, rep(p, 0)?)?;
        Ok(ok(Val::U64(WRITE_BUDGET)))
    })?;
    for name in ["write", "blocking-write-and-flush"] {
        i.func(&format!("[method]output-stream.{name}"), |ctx, types, p| {
            let data = bytes_at(p, 1)?;
            let r = write(ctx, rep(p, 0)?, &data)?.map(|()| unit());
            Ok(stream_result(ctx, types, r, true))
        })?;
    }
    for name in ["write-zeroes", "blocking-write-zeroes-and-flush"] {
        i.func(&format!("[method]output-stream.{name}"), |ctx, types, p| {
            let data = vec![0; u64_at(p, 1)?.min(WRITE_BUDGET) as usize];
            let r = write(ctx, rep(p, 0)?, &data)?.map(|()| unit());
            Ok(stream_result(ctx, types, r, true))
        })?;
    }
    for name in ["flush", "blocking-flush"] {
        i.func(&format!("[method]output-stream.{name}"), |ctx, _, p| {
            is_output(ctx, rep(p, 0)?)?;
            Ok(ok_unit())
        })?;
    }
    i.func("[method]output-stream.subscribe", |ctx, types, p| {
        is_output(ctx, rep(p, 0)?)?;
        Ok(pollable(ctx, types, None))
    })?;
    for name in ["splice", "blocking-splice"] {
        i.func(&format!("[method]output-stream.{name}"), |ctx, types, p| {
            let (out, src, len) = (rep(p, 0)?, rep(p, 1)?, u64_at(p, 2)?);
            is_output(ctx, out)?;
            let r = match read(ctx, src, len)? {
                Ok(data) => write(ctx, out, &data)?.map(|()| Val::U64(data.len() as u64)),
                Err(e) => Err(e),
            };
            Ok(stream_result(ctx, types, r, false))
        })?;
    }
    Ok(())
}
