//! Types and constants of `wasi_snapshot_preview1`, as `typenames.witx` defines them.
//! Sizes and offsets are those of wasm32 (`size` = `u32`).

use crate::fs::{ErrorCode, FileKind};

/// An `errno` value: the result of every preview1 function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub u16);

macro_rules! errnos {
    ($($name:ident = $v:literal, $doc:literal;)*) => {
        impl Errno {
            $(#[doc = $doc] pub const $name: Errno = Errno($v);)*

            /// The name of this code as the constant is named (`"NOENT"`), or `"UNKNOWN"`.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($v => stringify!($name),)*
                    _ => "UNKNOWN",
                }
            }
        }
    };
}

errnos! {
    SUCCESS = 0, "No error occurred.";
    TOOBIG = 1, "Argument list too long (`2big`).";
    ACCES = 2, "Permission denied.";
    AGAIN = 6, "Resource unavailable, or operation would block.";
    BADF = 8, "Bad file descriptor.";
    BUSY = 10, "Device or resource busy.";
    DQUOT = 19, "Reserved (disk quota).";
    EXIST = 20, "File exists.";
    FAULT = 21, "Bad address.";
    FBIG = 22, "File too large.";
    ILSEQ = 25, "Illegal byte sequence.";
    INTR = 27, "Interrupted function.";
    INVAL = 28, "Invalid argument.";
    IO = 29, "I/O error.";
    ISDIR = 31, "Is a directory.";
    LOOP = 32, "Too many levels of symbolic links.";
    MLINK = 34, "Too many links.";
    NAMETOOLONG = 37, "Filename too long.";
    NOENT = 44, "No such file or directory.";
    NOMEM = 48, "Not enough space.";
    NOSPC = 51, "No space left on device.";
    NOSYS = 52, "Function not supported.";
    NOTDIR = 54, "Not a directory or a symbolic link to a directory.";
    NOTEMPTY = 55, "Directory not empty.";
    NOTSUP = 58, "Not supported, or operation not supported on socket.";
    OVERFLOW = 61, "Value too large to be stored in data type.";
    PERM = 63, "Operation not permitted.";
    PIPE = 64, "Broken pipe.";
    ROFS = 69, "Read-only file system.";
    SPIPE = 70, "Invalid seek.";
    TXTBSY = 74, "Text file busy.";
    XDEV = 75, "Cross-device link.";
    NOTCAPABLE = 76, "Extension: capabilities insufficient.";
}

impl From<ErrorCode> for Errno {
    fn from(e: ErrorCode) -> Errno {
        match e {
            ErrorCode::NotCapable => Errno::NOTCAPABLE,
            ErrorCode::NotPermitted => Errno::PERM,
            ErrorCode::Access => Errno::ACCES,
            ErrorCode::Again => Errno::AGAIN,
            ErrorCode::BadDescriptor => Errno::BADF,
            ErrorCode::Busy => Errno::BUSY,
            ErrorCode::Quota => Errno::DQUOT,
            ErrorCode::Exist => Errno::EXIST,
            ErrorCode::FileTooLarge => Errno::FBIG,
            ErrorCode::IllegalSequence => Errno::ILSEQ,
            ErrorCode::Interrupted => Errno::INTR,
            ErrorCode::Invalid => Errno::INVAL,
            ErrorCode::Io => Errno::IO,
            ErrorCode::IsDirectory => Errno::ISDIR,
            ErrorCode::Loop => Errno::LOOP,
            ErrorCode::TooManyLinks => Errno::MLINK,
            ErrorCode::NameTooLong => Errno::NAMETOOLONG,
            ErrorCode::NoEntry => Errno::NOENT,
            ErrorCode::NoMemory => Errno::NOMEM,
            ErrorCode::NoSpace => Errno::NOSPC,
            ErrorCode::NotDirectory => Errno::NOTDIR,
            ErrorCode::NotEmpty => Errno::NOTEMPTY,
            ErrorCode::NotSupported => Errno::NOTSUP,
            ErrorCode::Overflow => Errno::OVERFLOW,
            ErrorCode::Pipe => Errno::PIPE,
            ErrorCode::ReadOnly => Errno::ROFS,
            ErrorCode::InvalidSeek => Errno::SPIPE,
            ErrorCode::TextFileBusy => Errno::TXTBSY,
            ErrorCode::CrossDevice => Errno::XDEV,
        }
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Errno {
        ErrorCode::from(e).into()
    }
}

/// `filetype` values.
pub mod filetype {
    /// Unknown or other.
    pub const UNKNOWN: u8 = 0;
    /// Block device.
    pub const BLOCK_DEVICE: u8 = 1;
    /// Character device.
    pub const CHARACTER_DEVICE: u8 = 2;
    /// Directory.
    pub const DIRECTORY: u8 = 3;
    /// Regular file.
    pub const REGULAR_FILE: u8 = 4;
    /// Datagram socket.
    pub const SOCKET_DGRAM: u8 = 5;
    /// Stream socket.
    pub const SOCKET_STREAM: u8 = 6;
    /// Symbolic link.
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// The preview1 `filetype` of a [`FileKind`].
pub fn filetype_of(kind: FileKind) -> u8 {
    match kind {
        FileKind::Unknown => filetype::UNKNOWN,
        FileKind::BlockDevice => filetype::BLOCK_DEVICE,
        FileKind::CharacterDevice => filetype::CHARACTER_DEVICE,
        FileKind::Directory => filetype::DIRECTORY,
        FileKind::RegularFile => filetype::REGULAR_FILE,
        FileKind::SocketStream => filetype::SOCKET_STREAM,
        FileKind::SymbolicLink => filetype::SYMBOLIC_LINK,
    }
}

/// `rights` bits.
pub mod rights {
    /// `fd_datasync`.
    pub const FD_DATASYNC: u64 = 1 << 0;
    /// `fd_read`.
    pub const FD_READ: u64 = 1 << 1;
    /// `fd_seek`.
    pub const FD_SEEK: u64 = 1 << 2;
    /// `fd_fdstat_set_flags`.
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    /// `fd_sync`.
    pub const FD_SYNC: u64 = 1 << 4;
    /// `fd_tell`.
    pub const FD_TELL: u64 = 1 << 5;
    /// `fd_write`.
    pub const FD_WRITE: u64 = 1 << 6;
    /// `fd_advise`.
    pub const FD_ADVISE: u64 = 1 << 7;
    /// `fd_allocate`.
    pub const FD_ALLOCATE: u64 = 1 << 8;
    /// `path_create_directory`.
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    /// `path_open` with `oflags::creat`.
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    /// `path_link` source.
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    /// `path_link` target.
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    /// `path_open`.
    pub const PATH_OPEN: u64 = 1 << 13;
    /// `fd_readdir`.
    pub const FD_READDIR: u64 = 1 << 14;
    /// `path_readlink`.
    pub const PATH_READLINK: u64 = 1 << 15;
    /// `path_rename` source.
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    /// `path_rename` target.
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    /// `path_filestat_get`.
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    /// Changing a file's size through a path.
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    /// `path_filestat_set_times`.
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    /// `fd_filestat_get`.
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    /// `fd_filestat_set_size`.
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    /// `fd_filestat_set_times`.
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    /// `path_symlink`.
    pub const PATH_SYMLINK: u64 = 1 << 24;
    /// `path_remove_directory`.
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    /// `path_unlink_file`.
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    /// `poll_oneoff` on the descriptor.
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    /// `sock_shutdown`.
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    /// `sock_accept`.
    pub const SOCK_ACCEPT: u64 = 1 << 29;

    /// Every right.
    pub const ALL: u64 = (1 << 30) - 1;
    /// The rights a regular file can use.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// The rights a directory can use.
    pub const DIRECTORY: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;
    /// Rights that ask for a file to be opened for writing (as wasi-libc requests them).
    pub const WRITE_ACCESS: u64 = FD_DATASYNC | FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE;
    /// Rights that ask for a file to be opened for reading.
    pub const READ_ACCESS: u64 = FD_READ | FD_READDIR;
}

/// `fdflags` bits.
pub mod fdflags {
    /// Append mode.
    pub const APPEND: u16 = 1;
    /// Synchronized data writes.
    pub const DSYNC: u16 = 2;
    /// Non-blocking mode.
    pub const NONBLOCK: u16 = 4;
    /// Synchronized reads.
    pub const RSYNC: u16 = 8;
    /// Synchronized writes.
    pub const SYNC: u16 = 16;
}

/// `oflags` bits.
pub mod oflags {
    /// Create the file if it does not exist.
    pub const CREAT: u16 = 1;
    /// Fail if not a directory.
    pub const DIRECTORY: u16 = 2;
    /// Fail if the file exists.
    pub const EXCL: u16 = 4;
    /// Truncate to size 0.
    pub const TRUNC: u16 = 8;
}

/// `lookupflags::symlink_follow`.
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// `fstflags` bits.
pub mod fstflags {
    /// Set the access time to the given value.
    pub const ATIM: u16 = 1;
    /// Set the access time to now.
    pub const ATIM_NOW: u16 = 2;
    /// Set the modification time to the given value.
    pub const MTIM: u16 = 4;
    /// Set the modification time to now.
    pub const MTIM_NOW: u16 = 8;
}

/// `clockid` values.
pub mod clockid {
    /// Wall clock.
    pub const REALTIME: u32 = 0;
    /// Monotonic clock.
    pub const MONOTONIC: u32 = 1;
    /// CPU time of the process.
    pub const PROCESS_CPUTIME_ID: u32 = 2;
    /// CPU time of the thread.
    pub const THREAD_CPUTIME_ID: u32 = 3;
}

/// `eventtype` values.
pub mod eventtype {
    /// A clock deadline.
    pub const CLOCK: u8 = 0;
    /// A descriptor is readable.
    pub const FD_READ: u8 = 1;
    /// A descriptor is writable.
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags::subscription_clock_abstime`.
pub const SUBCLOCK_ABSTIME: u16 = 1;

/// `whence` values.
pub mod whence {
    /// From the start.
    pub const SET: u8 = 0;
    /// From the current offset.
    pub const CUR: u8 = 1;
    /// From the end.
    pub const END: u8 = 2;
}

/// `preopentype::dir`.
pub const PREOPENTYPE_DIR: u8 = 0;

/// Size of `filestat`.
pub const FILESTAT_SIZE: usize = 64;
/// Size of `fdstat`.
pub const FDSTAT_SIZE: usize = 24;
/// Size of `dirent` (the name follows it).
pub const DIRENT_SIZE: usize = 24;
/// Size of `subscription`.
pub const SUBSCRIPTION_SIZE: usize = 48;
/// Size of `event`.
pub const EVENT_SIZE: usize = 32;
/// Size of `iovec` and `ciovec`.
pub const IOVEC_SIZE: usize = 8;
