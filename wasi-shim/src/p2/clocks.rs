//! `wasi:clocks/{monotonic-clock,wall-clock}` and `wasi:random/*`.

use super::io::pollable;
use super::vals::{bytes, datetime, u64_at};
use super::Iface;
use std::io::Read;
use std::time::{Duration, Instant, SystemTime};
use weft_canon_abi::{Error, Result, Val};

/// Nanoseconds of the monotonic clock: time since the context was made.
fn monotonic_now(ctx: &crate::WasiCtx) -> u64 {
    ctx.state.start.elapsed().as_nanos().min(u64::MAX as u128) as u64
}

/// The instant `nanos` of the monotonic clock is reached (far away if it overflows).
fn instant_at(ctx: &crate::WasiCtx, nanos: u64) -> Instant {
    let start = ctx.state.start;
    start
        .checked_add(Duration::from_nanos(nanos))
        .unwrap_or_else(|| Instant::now() + Duration::from_secs(1 << 32))
}

pub(crate) fn monotonic_clock<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().pollable.clone();
    i.resource("pollable", &ty)?
        .func("now", |ctx, _, _| Ok(Val::U64(monotonic_now(ctx))))?
        .func("resolution", |_, _, _| Ok(Val::U64(1)))?
        .func("subscribe-instant", |ctx, t, p| {
            let at = instant_at(ctx, u64_at(p, 0)?);
            Ok(pollable(ctx, t, Some(at)))
        })?
        .func("subscribe-duration", |ctx, t, p| {
            let now = Instant::now();
            let at = now
                .checked_add(Duration::from_nanos(u64_at(p, 0)?))
                .unwrap_or(now + Duration::from_secs(1 << 32));
            Ok(pollable(ctx, t, Some(at)))
        })?;
    Ok(())
}

pub(crate) fn wall_clock<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    i.func("now", |_, _, _| {
        let since = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        Ok(datetime(since.as_nanos().min(u64::MAX as u128) as u64))
    })?
    .func("resolution", |_, _, _| Ok(datetime(1)))?;
    Ok(())
}

/// `len` bytes from the host's random source.
fn random_bytes(len: u64) -> Result<Vec<u8>> {
    let len = usize::try_from(len).map_err(|_| Error::Trap("random: length too large".into()))?;
    let mut out = vec![0; len];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut out))
        .map_err(|e| Error::host(format!("random: /dev/urandom: {e}")))?;
    Ok(out)
}

fn random_u64() -> Result<u64> {
    let b = random_bytes(8)?;
    Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
}

pub(crate) fn random<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    i.func("get-random-bytes", |_, _, p| {
        Ok(bytes(&random_bytes(u64_at(p, 0)?)?))
    })?
    .func("get-random-u64", |_, _, _| Ok(Val::U64(random_u64()?)))?;
    Ok(())
}

pub(crate) fn insecure<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    i.func("get-insecure-random-bytes", |_, _, p| {
        Ok(bytes(&random_bytes(u64_at(p, 0)?)?))
    })?
    .func("get-insecure-random-u64", |_, _, _| {
        Ok(Val::U64(random_u64()?))
    })?;
    Ok(())
}

pub(crate) fn insecure_seed<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    i.func("insecure-seed", |_, _, _| {
        Ok(Val::Tuple(vec![
            Val::U64(random_u64()?),
            Val::U64(random_u64()?),
        ]))
    })?;
    Ok(())
}
