//! Error codes of the filesystem core, independent of any WASI version.

use std::io;

/// Why a filesystem operation failed. The names follow POSIX `errno`; each WASI version maps
/// them onto its own codes (preview1 `errno`, 0.2 `filesystem/types.error-code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The path leaves its directory: `..` above it, an absolute path, or a symbolic link
    /// whose target does either. Never the host's answer, always the sandbox's.
    #[error("path escapes its preopened directory")]
    NotCapable,
    /// The operation would change a read-only mount.
    #[error("operation not permitted")]
    NotPermitted,
    /// `EACCES`.
    #[error("permission denied")]
    Access,
    /// `EAGAIN`.
    #[error("resource unavailable, try again")]
    Again,
    /// `EBADF`: the descriptor is not open, or not open for this operation.
    #[error("bad descriptor")]
    BadDescriptor,
    /// `EBUSY`.
    #[error("device or resource busy")]
    Busy,
    /// `EDQUOT`.
    #[error("disk quota exceeded")]
    Quota,
    /// `EEXIST`.
    #[error("file exists")]
    Exist,
    /// `EFBIG`.
    #[error("file too large")]
    FileTooLarge,
    /// `EILSEQ`: the path is not valid UTF-8 or contains NUL.
    #[error("illegal byte sequence")]
    IllegalSequence,
    /// `EINTR`.
    #[error("interrupted")]
    Interrupted,
    /// `EINVAL`.
    #[error("invalid argument")]
    Invalid,
    /// `EIO`, and any host error without a closer match.
    #[error("I/O error")]
    Io,
    /// `EISDIR`.
    #[error("is a directory")]
    IsDirectory,
    /// `ELOOP`: too many symbolic links, or a final symbolic link that is not followed.
    #[error("too many levels of symbolic links")]
    Loop,
    /// `EMLINK`.
    #[error("too many links")]
    TooManyLinks,
    /// `ENAMETOOLONG`.
    #[error("file name too long")]
    NameTooLong,
    /// `ENOENT`.
    #[error("no such file or directory")]
    NoEntry,
    /// `ENOMEM`.
    #[error("out of memory")]
    NoMemory,
    /// `ENOSPC`.
    #[error("no space left on device")]
    NoSpace,
    /// `ENOTDIR`.
    #[error("not a directory")]
    NotDirectory,
    /// `ENOTEMPTY`.
    #[error("directory not empty")]
    NotEmpty,
    /// `ENOTSUP`.
    #[error("not supported")]
    NotSupported,
    /// `EOVERFLOW`.
    #[error("value too large")]
    Overflow,
    /// `EPIPE`.
    #[error("broken pipe")]
    Pipe,
    /// `EROFS`: the host file system itself is read-only.
    #[error("read-only file system")]
    ReadOnly,
    /// `ESPIPE`.
    #[error("invalid seek")]
    InvalidSeek,
    /// `ETXTBSY`.
    #[error("text file busy")]
    TextFileBusy,
    /// `EXDEV`.
    #[error("cross-device link")]
    CrossDevice,
}

/// Result of the filesystem core.
pub type Result<T, E = ErrorCode> = core::result::Result<T, E>;

impl From<io::Error> for ErrorCode {
    fn from(e: io::Error) -> ErrorCode {
        if let Some(code) = e.raw_os_error() {
            return ErrorCode::from_raw_os_error(code);
        }
        match e.kind() {
            io::ErrorKind::NotFound => ErrorCode::NoEntry,
            io::ErrorKind::PermissionDenied => ErrorCode::Access,
            io::ErrorKind::AlreadyExists => ErrorCode::Exist,
            io::ErrorKind::InvalidInput => ErrorCode::Invalid,
            io::ErrorKind::InvalidData => ErrorCode::IllegalSequence,
            io::ErrorKind::Interrupted => ErrorCode::Interrupted,
            io::ErrorKind::Unsupported => ErrorCode::NotSupported,
            io::ErrorKind::OutOfMemory => ErrorCode::NoMemory,
            _ => ErrorCode::Io,
        }
    }
}

impl ErrorCode {
    /// The code for a host `errno` value.
    pub fn from_raw_os_error(code: i32) -> ErrorCode {
        match code {
            libc::EPERM => ErrorCode::NotPermitted,
            libc::EACCES => ErrorCode::Access,
            libc::EAGAIN => ErrorCode::Again,
            libc::EBADF => ErrorCode::BadDescriptor,
            libc::EBUSY => ErrorCode::Busy,
            libc::EDQUOT => ErrorCode::Quota,
            libc::EEXIST => ErrorCode::Exist,
            libc::EFBIG => ErrorCode::FileTooLarge,
            libc::EILSEQ => ErrorCode::IllegalSequence,
            libc::EINTR => ErrorCode::Interrupted,
            libc::EINVAL => ErrorCode::Invalid,
            libc::EISDIR => ErrorCode::IsDirectory,
            libc::ELOOP => ErrorCode::Loop,
            libc::EMLINK => ErrorCode::TooManyLinks,
            libc::ENAMETOOLONG => ErrorCode::NameTooLong,
            libc::ENOENT => ErrorCode::NoEntry,
            libc::ENOMEM => ErrorCode::NoMemory,
            libc::ENOSPC => ErrorCode::NoSpace,
            libc::ENOTDIR => ErrorCode::NotDirectory,
            libc::ENOTEMPTY => ErrorCode::NotEmpty,
            libc::ENOTSUP => ErrorCode::NotSupported,
            libc::EOVERFLOW => ErrorCode::Overflow,
            libc::EPIPE => ErrorCode::Pipe,
            libc::EROFS => ErrorCode::ReadOnly,
            libc::ESPIPE => ErrorCode::InvalidSeek,
            libc::ETXTBSY => ErrorCode::TextFileBusy,
            libc::EXDEV => ErrorCode::CrossDevice,
            _ => ErrorCode::Io,
        }
    }
}
