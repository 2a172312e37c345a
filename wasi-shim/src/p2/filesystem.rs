//! `wasi:filesystem/{types,preopens}`: descriptors over the sandboxed core in
//! [`crate::fs`], shared with preview1 (the preopens are the context's preopened
//! directories).

use super::state::{Descriptor, Input, Output, Resource};
use super::vals::{
    bytes, bytes_at, case, descriptor_stat, descriptor_type, err, error_code, flag, metadata_hash,
    ok, ok_unit, option, own, record, rep, str_at, u64_at,
};
use super::{Iface, Types};
use crate::fs::{Dir, ErrorCode, Filestat, OpenFlags, Opened, SetTime};
use crate::p1::state::Kind;
use crate::WasiCtx;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use weft_canon_abi::{Error, Result, Val};

/// Why a filesystem function did not succeed: an `error-code` for the guest, or a trap
/// (a handle that is not a descriptor, a value of the wrong type).
enum Failure {
    Code(ErrorCode),
    Trap(Error),
}

impl From<ErrorCode> for Failure {
    fn from(e: ErrorCode) -> Failure {
        Failure::Code(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Code(e.into())
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Trap(e)
    }
}

type Outcome = std::result::Result<Val, Failure>;

/// Defines a function returning `result<T, error-code>`.
fn fs_func<T: 'static>(
    i: &mut Iface<'_, T>,
    name: &str,
    f: impl Fn(&mut WasiCtx, &Types, &[Val]) -> Outcome + Send + Sync + 'static,
) -> Result<()> {
    i.func(name, move |ctx, t, p| match f(ctx, t, p) {
        Ok(v) => Ok(v),
        Err(Failure::Code(e)) => Ok(err(case(error_code(e)))),
        Err(Failure::Trap(e)) => Err(e),
    })?;
    Ok(())
}

fn descriptor(ctx: &WasiCtx, rep: u32) -> std::result::Result<&Descriptor, Failure> {
    match ctx.p2.get(rep) {
        Some(Resource::Descriptor(d)) => Ok(d),
        _ => Err(Failure::Trap(Error::Trap(format!(
            "handle rep {rep} is not a descriptor"
        )))),
    }
}

/// Parameter `i` as a directory descriptor.
fn dir_at(ctx: &WasiCtx, p: &[Val], i: usize) -> std::result::Result<Dir, Failure> {
    match descriptor(ctx, rep(p, i)?)? {
        Descriptor::Dir(d) => Ok(d.clone()),
        Descriptor::File { .. } => Err(ErrorCode::NotDirectory.into()),
    }
}

/// Parameter 0 as a file descriptor: the file, readable, writable, under a read-only mount.
fn file_at(
    ctx: &WasiCtx,
    p: &[Val],
) -> std::result::Result<(Arc<std::fs::File>, bool, bool, bool), Failure> {
    match descriptor(ctx, rep(p, 0)?)? {
        Descriptor::File {
            file,
            read,
            write,
            read_only_mount,
        } => Ok((file.clone(), *read, *write, *read_only_mount)),
        Descriptor::Dir(_) => Err(ErrorCode::IsDirectory.into()),
    }
}

fn stat_of(ctx: &WasiCtx, p: &[Val]) -> std::result::Result<Filestat, Failure> {
    Ok(match descriptor(ctx, rep(p, 0)?)? {
        Descriptor::File { file, .. } => (&file.metadata()?).into(),
        Descriptor::Dir(d) => d.stat()?,
    })
}

/// `new-timestamp`.
fn new_timestamp(v: Option<&Val>) -> std::result::Result<SetTime, Failure> {
    match v {
        Some(Val::Variant(l, None)) if l == "no-change" => Ok(SetTime::Keep),
        Some(Val::Variant(l, None)) if l == "now" => Ok(SetTime::Now),
        Some(Val::Variant(l, Some(dt))) if l == "timestamp" => match &**dt {
            Val::Record(f) => match (f.first(), f.get(1)) {
                (Some((_, Val::U64(s))), Some((_, Val::U32(ns)))) => Ok(SetTime::At(
                    s.checked_mul(1_000_000_000)
                        .and_then(|x| x.checked_add(u64::from(*ns)))
                        .ok_or(ErrorCode::Overflow)?,
                )),
                _ => Err(Error::TypeMismatch("WASI expected a datetime".into()).into()),
            },
            _ => Err(Error::TypeMismatch("WASI expected a datetime".into()).into()),
        },
        _ => Err(Error::TypeMismatch("WASI expected a new-timestamp".into()).into()),
    }
}

fn push_descriptor(ctx: &mut WasiCtx, t: &Types, d: Descriptor) -> Val {
    own(&t.descriptor, ctx.p2.push(Resource::Descriptor(d)))
}

pub(crate) fn types<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let t = i.types();
    let (descriptor_ty, dir_stream, input, output, error) = (
        t.descriptor.clone(),
        t.dir_stream.clone(),
        t.input.clone(),
        t.output.clone(),
        t.error.clone(),
    );
    i.resource("descriptor", &descriptor_ty)?
        .resource("directory-entry-stream", &dir_stream)?
        .resource("input-stream", &input)?
        .resource("output-stream", &output)?
        .resource("error", &error)?;

    fs_func(i, "[method]descriptor.read-via-stream", |ctx, t, p| {
        let (file, read, _, _) = file_at(ctx, p)?;
        if !read {
            return Err(ErrorCode::BadDescriptor.into());
        }
        let pos = u64_at(p, 1)?;
        let s = ctx.p2.push(Resource::Input(Input::File { file, pos }));
        Ok(ok(own(&t.input, s)))
    })?;
    fs_func(i, "[method]descriptor.write-via-stream", |ctx, t, p| {
        let (file, _, write, _) = file_at(ctx, p)?;
        if !write {
            return Err(ErrorCode::BadDescriptor.into());
        }
        let pos = Some(u64_at(p, 1)?);
        let s = ctx.p2.push(Resource::Output(Output::File { file, pos }));
        Ok(ok(own(&t.output, s)))
    })?;
    fs_func(i, "[method]descriptor.append-via-stream", |ctx, t, p| {
        let (file, _, write, _) = file_at(ctx, p)?;
        if !write {
            return Err(ErrorCode::BadDescriptor.into());
        }
        let s = ctx
            .p2
            .push(Resource::Output(Output::File { file, pos: None }));
        Ok(ok(own(&t.output, s)))
    })?;
    fs_func(i, "[method]descriptor.advise", |ctx, _, p| {
        descriptor(ctx, rep(p, 0)?)?;
        Ok(ok_unit())
    })?;
    for (name, data_only) in [
        ("[method]descriptor.sync-data", true),
        ("[method]descriptor.sync", false),
    ] {
        fs_func(i, name, move |ctx, _, p| {
            if let Descriptor::File { file, .. } = descriptor(ctx, rep(p, 0)?)? {
                if data_only {
                    file.sync_data()?;
                } else {
                    file.sync_all()?;
                }
            }
            Ok(ok_unit())
        })?;
    }
    fs_func(i, "[method]descriptor.get-flags", |ctx, _, p| {
        let flags: Vec<&str> = match descriptor(ctx, rep(p, 0)?)? {
            Descriptor::File { read, write, .. } => [("read", *read), ("write", *write)]
                .into_iter()
                .filter(|(_, on)| *on)
                .map(|(l, _)| l)
                .collect(),
            Descriptor::Dir(d) if d.is_read_only() => vec!["read"],
            Descriptor::Dir(_) => vec!["read", "mutate-directory"],
        };
        Ok(ok(Val::Flags(
            flags.into_iter().map(String::from).collect(),
        )))
    })?;
    fs_func(i, "[method]descriptor.get-type", |ctx, _, p| {
        Ok(ok(descriptor_type(stat_of(ctx, p)?.kind)))
    })?;
    fs_func(i, "[method]descriptor.set-size", |ctx, _, p| {
        let (file, _, write, _) = file_at(ctx, p)?;
        if !write {
            return Err(ErrorCode::BadDescriptor.into());
        }
        file.set_len(u64_at(p, 1)?)?;
        Ok(ok_unit())
    })?;
    fs_func(i, "[method]descriptor.set-times", |ctx, _, p| {
        let (atime, mtime) = (new_timestamp(p.get(1))?, new_timestamp(p.get(2))?);
        match descriptor(ctx, rep(p, 0)?)? {
            Descriptor::File {
                read_only_mount: true,
                ..
            } => return Err(ErrorCode::NotPermitted.into()),
            Descriptor::File { file, .. } => crate::fs::set_file_times(file, atime, mtime)?,
            Descriptor::Dir(d) => d.set_times(atime, mtime)?,
        }
        Ok(ok_unit())
    })?;
    fs_func(i, "[method]descriptor.read", |ctx, _, p| {
        let (file, read, _, _) = file_at(ctx, p)?;
        if !read {
            return Err(ErrorCode::BadDescriptor.into());
        }
        let (len, offset) = (u64_at(p, 1)?, u64_at(p, 2)?);
        let mut buf = vec![0; len.min(1 << 20) as usize];
        let n = file.read_at(&mut buf, offset)?;
        buf.truncate(n);
        let eof = n == 0 && len > 0;
        Ok(ok(Val::Tuple(vec![bytes(&buf), Val::Bool(eof)])))
    })?;
    fs_func(i, "[method]descriptor.write", |ctx, _, p| {
        let (file, _, write, _) = file_at(ctx, p)?;
        if !write {
            return Err(ErrorCode::BadDescriptor.into());
        }
        let data = bytes_at(p, 1)?;
        file.write_all_at(&data, u64_at(p, 2)?)?;
        Ok(ok(Val::U64(data.len() as u64)))
    })?;
    fs_func(i, "[method]descriptor.read-directory", |ctx, t, p| {
        let entries = dir_at(ctx, p, 0)?.read_dir()?;
        let s = ctx.p2.push(Resource::DirEntries(entries.into_iter()));
        Ok(ok(own(&t.dir_stream, s)))
    })?;
    fs_func(
        i,
        "[method]directory-entry-stream.read-directory-entry",
        |ctx, _, p| {
            let r = rep(p, 0)?;
            let Some(Resource::DirEntries(it)) = ctx.p2.get_mut(r) else {
                return Err(Error::Trap("not a directory-entry-stream handle".into()).into());
            };
            Ok(ok(option(it.next().map(|e| {
                record([
                    ("type", descriptor_type(e.kind)),
                    ("name", Val::String(e.name)),
                ])
            }))))
        },
    )?;
    fs_func(i, "[method]descriptor.create-directory-at", |ctx, _, p| {
        dir_at(ctx, p, 0)?.create_dir(str_at(p, 1)?)?;
        Ok(ok_unit())
    })?;
    fs_func(i, "[method]descriptor.remove-directory-at", |ctx, _, p| {
        dir_at(ctx, p, 0)?.remove_dir(str_at(p, 1)?)?;
        Ok(ok_unit())
    })?;
    fs_func(i, "[method]descriptor.unlink-file-at", |ctx, _, p| {
        dir_at(ctx, p, 0)?.unlink_file(str_at(p, 1)?)?;
        Ok(ok_unit())
    })?;
    fs_func(i, "[method]descriptor.stat", |ctx, _, p| {
        Ok(ok(descriptor_stat(&stat_of(ctx, p)?)))
    })?;
    fs_func(i, "[method]descriptor.stat-at", |ctx, _, p| {
        let follow = flag(p, 1, "symlink-follow")?;
        let s = dir_at(ctx, p, 0)?.stat_at(str_at(p, 2)?, follow)?;
        Ok(ok(descriptor_stat(&s)))
    })?;
    fs_func(i, "[method]descriptor.set-times-at", |ctx, _, p| {
        let follow = flag(p, 1, "symlink-follow")?;
        let (atime, mtime) = (new_timestamp(p.get(3))?, new_timestamp(p.get(4))?);
        dir_at(ctx, p, 0)?.set_times_at(str_at(p, 2)?, follow, atime, mtime)?;
        Ok(ok_unit())
    })?;
    fs_func(i, "[method]descriptor.link-at", |ctx, _, p| {
        let follow = flag(p, 1, "symlink-follow")?;
        let (old, new_dir) = (dir_at(ctx, p, 0)?, dir_at(ctx, p, 3)?);
        old.hard_link(str_at(p, 2)?, follow, &new_dir, str_at(p, 4)?)?;
        Ok(ok_unit())
    })?;
    fs_func(i, "[method]descriptor.open-at", |ctx, t, p| {
        let dir = dir_at(ctx, p, 0)?;
        let flags = OpenFlags {
            follow: flag(p, 1, "symlink-follow")?,
            create: flag(p, 3, "create")?,
            exclusive: flag(p, 3, "exclusive")?,
            truncate: flag(p, 3, "truncate")?,
            directory: flag(p, 3, "directory")?,
            read: flag(p, 4, "read")?,
            write: flag(p, 4, "write")?,
        };
        if flag(p, 4, "mutate-directory")? && dir.is_read_only() {
            return Err(ErrorCode::NotPermitted.into());
        }
        let d = match dir.open(str_at(p, 2)?, flags)? {
            Opened::File(file) => Descriptor::File {
                file: Arc::new(file),
                read: flags.read,
                write: flags.write,
                read_only_mount: dir.is_read_only(),
            },
            Opened::Dir(d) => Descriptor::Dir(d),
        };
        Ok(ok(push_descriptor(ctx, t, d)))
    })?;
    fs_func(i, "[method]descriptor.readlink-at", |ctx, _, p| {
        Ok(ok(Val::String(
            dir_at(ctx, p, 0)?.read_link(str_at(p, 1)?)?,
        )))
    })?;
    fs_func(i, "[method]descriptor.rename-at", |ctx, _, p| {
        let (old, new_dir) = (dir_at(ctx, p, 0)?, dir_at(ctx, p, 2)?);
        old.rename(str_at(p, 1)?, &new_dir, str_at(p, 3)?)?;
        Ok(ok_unit())
    })?;
    fs_func(i, "[method]descriptor.symlink-at", |ctx, _, p| {
        dir_at(ctx, p, 0)?.symlink(str_at(p, 1)?, str_at(p, 2)?)?;
        Ok(ok_unit())
    })?;
    i.func("[method]descriptor.is-same-object", |ctx, _, p| {
        let same = |ctx: &WasiCtx| -> std::result::Result<bool, Failure> {
            let a = stat_of(ctx, &p[..1])?;
            let b = stat_of(ctx, &p[1..])?;
            Ok(a.dev == b.dev && a.ino == b.ino)
        };
        match same(ctx) {
            Ok(b) => Ok(Val::Bool(b)),
            Err(Failure::Code(_)) => Ok(Val::Bool(false)),
            Err(Failure::Trap(e)) => Err(e),
        }
    })?;
    fs_func(i, "[method]descriptor.metadata-hash", |ctx, _, p| {
        Ok(ok(metadata_hash(&stat_of(ctx, p)?)))
    })?;
    fs_func(i, "[method]descriptor.metadata-hash-at", |ctx, _, p| {
        let follow = flag(p, 1, "symlink-follow")?;
        let s = dir_at(ctx, p, 0)?.stat_at(str_at(p, 2)?, follow)?;
        Ok(ok(metadata_hash(&s)))
    })?;
    i.func("filesystem-error-code", |ctx, _, p| {
        match ctx.p2.get(rep(p, 0)?) {
            Some(Resource::Error(_, code)) => Ok(option(code.map(|c| case(error_code(c))))),
            _ => Ok(option(None)),
        }
    })?;
    Ok(())
}

pub(crate) fn preopens<T: 'static>(i: &mut Iface<'_, T>) -> Result<()> {
    let ty = i.types().descriptor.clone();
    i.resource("descriptor", &ty)?
        .func("get-directories", |ctx, t, _| {
            let dirs: Vec<(Dir, String)> = ctx
                .state
                .table
                .iter()
                .filter_map(|(_, d)| match &d.kind {
                    Kind::Dir {
                        dir,
                        preopen: Some(name),
                    } => Some((dir.clone(), name.clone())),
                    _ => None,
                })
                .collect();
            Ok(Val::List(
                dirs.into_iter()
                    .map(|(dir, name)| {
                        Val::Tuple(vec![
                            push_descriptor(ctx, t, Descriptor::Dir(dir)),
                            Val::String(name),
                        ])
                    })
                    .collect(),
            ))
        })?;
    Ok(())
}
