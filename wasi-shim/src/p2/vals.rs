//! Building and reading the component values of the WASI 0.2 interfaces.

use crate::fs::{ErrorCode, FileKind, Filestat};
use weft_canon_abi::{Error, ResourceAny, ResourceType, Result, Val};

/// The empty value written for functions without results (never read).
pub(crate) fn unit() -> Val {
    Val::Tuple(Vec::new())
}

/// `ok(v)`.
pub(crate) fn ok(v: Val) -> Val {
    Val::Result(Ok(Some(Box::new(v))))
}

/// `ok` of a `result<_, E>`.
pub(crate) fn ok_unit() -> Val {
    Val::Result(Ok(None))
}

/// `err(v)`.
pub(crate) fn err(v: Val) -> Val {
    Val::Result(Err(Some(Box::new(v))))
}

/// An enum case.
pub(crate) fn case(label: &str) -> Val {
    Val::Enum(label.to_string())
}

/// `option<T>`.
pub(crate) fn option(v: Option<Val>) -> Val {
    Val::Option(v.map(Box::new))
}

/// A record from its fields.
pub(crate) fn record(fields: impl IntoIterator<Item = (&'static str, Val)>) -> Val {
    Val::Record(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// `own<R>` of a host resource.
pub(crate) fn own(ty: &ResourceType, rep: u32) -> Val {
    Val::Resource(ResourceAny::new_own(ty.clone(), rep))
}

/// `list<u8>`.
pub(crate) fn bytes(b: &[u8]) -> Val {
    Val::List(b.iter().map(|&x| Val::U8(x)).collect())
}

fn mismatch(what: &str, v: Option<&Val>) -> Error {
    Error::TypeMismatch(format!(
        "WASI expected {what}, found {}",
        v.map_or("nothing", Val::kind)
    ))
}

/// Parameter `i` as a resource `rep` (own or borrow).
pub(crate) fn rep(params: &[Val], i: usize) -> Result<u32> {
    match params.get(i) {
        Some(Val::Resource(r)) => Ok(r.rep),
        v => Err(mismatch("a resource", v)),
    }
}

/// Parameter `i` as a `u64`.
pub(crate) fn u64_at(params: &[Val], i: usize) -> Result<u64> {
    match params.get(i) {
        Some(Val::U64(x)) => Ok(*x),
        v => Err(mismatch("u64", v)),
    }
}

/// Parameter `i` as a `u8`.
pub(crate) fn u8_at(params: &[Val], i: usize) -> Result<u8> {
    match params.get(i) {
        Some(Val::U8(x)) => Ok(*x),
        v => Err(mismatch("u8", v)),
    }
}

/// Parameter `i` as a string.
pub(crate) fn str_at(params: &[Val], i: usize) -> Result<&str> {
    match params.get(i) {
        Some(Val::String(s)) => Ok(s),
        v => Err(mismatch("string", v)),
    }
}

/// Parameter `i` as a `list<u8>`.
pub(crate) fn bytes_at(params: &[Val], i: usize) -> Result<Vec<u8>> {
    match params.get(i) {
        Some(Val::List(vs)) => vs
            .iter()
            .map(|v| match v {
                Val::U8(x) => Ok(*x),
                v => Err(mismatch("u8", Some(v))),
            })
            .collect(),
        v => Err(mismatch("list<u8>", v)),
    }
}

/// Parameter `i` as the set labels of a `flags`.
pub(crate) fn flags_at(params: &[Val], i: usize) -> Result<&[String]> {
    match params.get(i) {
        Some(Val::Flags(f)) => Ok(f),
        v => Err(mismatch("flags", v)),
    }
}

/// Whether `label` is set in flags parameter `i`.
pub(crate) fn flag(params: &[Val], i: usize, label: &str) -> Result<bool> {
    Ok(flags_at(params, i)?.iter().any(|l| l == label))
}

/// Parameter `i` as a list of resource reps.
pub(crate) fn reps_at(params: &[Val], i: usize) -> Result<Vec<u32>> {
    match params.get(i) {
        Some(Val::List(vs)) => vs
            .iter()
            .map(|v| match v {
                Val::Resource(r) => Ok(r.rep),
                v => Err(mismatch("a resource", Some(v))),
            })
            .collect(),
        v => Err(mismatch("list<borrow<pollable>>", v)),
    }
}

/// `wasi:filesystem/types.error-code` for a filesystem-core error. Leaving the preopen is
/// `not-permitted`, as wasmtime answers.
pub(crate) fn error_code(e: ErrorCode) -> &'static str {
    match e {
        ErrorCode::NotCapable | ErrorCode::NotPermitted => "not-permitted",
        ErrorCode::Access => "access",
        ErrorCode::Again => "would-block",
        ErrorCode::BadDescriptor => "bad-descriptor",
        ErrorCode::Busy => "busy",
        ErrorCode::Quota => "quota",
        ErrorCode::Exist => "exist",
        ErrorCode::FileTooLarge => "file-too-large",
        ErrorCode::IllegalSequence => "illegal-byte-sequence",
        ErrorCode::Interrupted => "interrupted",
        ErrorCode::Invalid => "invalid",
        ErrorCode::Io => "io",
        ErrorCode::IsDirectory => "is-directory",
        ErrorCode::Loop => "loop",
        ErrorCode::TooManyLinks => "too-many-links",
        ErrorCode::NameTooLong => "name-too-long",
        ErrorCode::NoEntry => "no-entry",
        ErrorCode::NoMemory => "insufficient-memory",
        ErrorCode::NoSpace => "insufficient-space",
        ErrorCode::NotDirectory => "not-directory",
        ErrorCode::NotEmpty => "not-empty",
        ErrorCode::NotSupported => "unsupported",
        ErrorCode::Overflow => "overflow",
        ErrorCode::Pipe => "pipe",
        ErrorCode::ReadOnly => "read-only",
        ErrorCode::InvalidSeek => "invalid-seek",
        ErrorCode::TextFileBusy => "text-file-busy",
        ErrorCode::CrossDevice => "cross-device",
    }
}

/// `wasi:filesystem/types.descriptor-type`.
pub(crate) fn descriptor_type(k: FileKind) -> Val {
    case(match k {
        FileKind::Unknown => "unknown",
        FileKind::BlockDevice => "block-device",
        FileKind::CharacterDevice => "character-device",
        FileKind::Directory => "directory",
        FileKind::RegularFile => "regular-file",
        FileKind::SocketStream => "socket",
        FileKind::SymbolicLink => "symbolic-link",
    })
}

/// `wasi:clocks/wall-clock.datetime` of nanoseconds since the Unix epoch.
pub(crate) fn datetime(nanos: u64) -> Val {
    record([
        ("seconds", Val::U64(nanos / 1_000_000_000)),
        ("nanoseconds", Val::U32((nanos % 1_000_000_000) as u32)),
    ])
}

/// `wasi:filesystem/types.descriptor-stat`.
pub(crate) fn descriptor_stat(s: &Filestat) -> Val {
    record([
        ("type", descriptor_type(s.kind)),
        ("link-count", Val::U64(s.nlink)),
        ("size", Val::U64(s.size)),
        ("data-access-timestamp", option(Some(datetime(s.atim)))),
        (
            "data-modification-timestamp",
            option(Some(datetime(s.mtim))),
        ),
        ("status-change-timestamp", option(Some(datetime(s.ctim)))),
    ])
}

/// `wasi:filesystem/types.metadata-hash-value`: the file's identity (device, inode), so
/// two descriptors of the same file hash alike.
pub(crate) fn metadata_hash(s: &Filestat) -> Val {
    record([("lower", Val::U64(s.ino)), ("upper", Val::U64(s.dev))])
}
