//! File metadata in the terms both WASI versions use.

use std::fs::{FileType, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};

/// The type of a file, as WASI distinguishes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Anything else (FIFOs, sockets the host has, ...).
    Unknown,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharacterDevice,
    /// A directory.
    Directory,
    /// A regular file.
    RegularFile,
    /// A stream socket.
    SocketStream,
    /// A symbolic link.
    SymbolicLink,
}

impl From<FileType> for FileKind {
    fn from(t: FileType) -> FileKind {
        if t.is_dir() {
            FileKind::Directory
        } else if t.is_file() {
            FileKind::RegularFile
        } else if t.is_symlink() {
            FileKind::SymbolicLink
        } else if t.is_block_device() {
            FileKind::BlockDevice
        } else if t.is_char_device() {
            FileKind::CharacterDevice
        } else if t.is_socket() {
            FileKind::SocketStream
        } else {
            FileKind::Unknown
        }
    }
}

/// File attributes: preview1's `filestat`, 0.2's `descriptor-stat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filestat {
    /// Device ID of the device containing the file.
    pub dev: u64,
    /// File serial number.
    pub ino: u64,
    /// File type.
    pub kind: FileKind,
    /// Number of hard links.
    pub nlink: u64,
    /// Size in bytes.
    pub size: u64,
    /// Last access, nanoseconds since the Unix epoch.
    pub atim: u64,
    /// Last modification, nanoseconds since the Unix epoch.
    pub mtim: u64,
    /// Last status change, nanoseconds since the Unix epoch.
    pub ctim: u64,
}

fn nanos(secs: i64, nsecs: i64) -> u64 {
    (secs as i128 * 1_000_000_000 + nsecs as i128).clamp(0, u64::MAX as i128) as u64
}

impl From<&Metadata> for Filestat {
    fn from(m: &Metadata) -> Filestat {
        Filestat {
            dev: m.dev(),
            ino: m.ino(),
            kind: m.file_type().into(),
            nlink: m.nlink(),
            size: m.size(),
            atim: nanos(m.atime(), m.atime_nsec()),
            mtim: nanos(m.mtime(), m.mtime_nsec()),
            ctim: nanos(m.ctime(), m.ctime_nsec()),
        }
    }
}

/// One entry of a directory listing (never `.` or `..`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name.
    pub name: String,
    /// Its file serial number.
    pub ino: u64,
    /// Its type (a symbolic link is reported as one, not followed).
    pub kind: FileKind,
}

/// How to change one timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetTime {
    /// Leave it.
    Keep,
    /// Set it to the current time.
    Now,
    /// Set it to this many nanoseconds since the Unix epoch.
    At(u64),
}

impl SetTime {
    /// The time to set, if any.
    pub fn resolve(self) -> Option<std::time::SystemTime> {
        match self {
            SetTime::Keep => None,
            SetTime::Now => Some(std::time::SystemTime::now()),
            SetTime::At(ns) => Some(std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns)),
        }
    }
}

/// Sets the access and modification times of an open file.
pub fn set_file_times(file: &std::fs::File, atime: SetTime, mtime: SetTime) -> std::io::Result<()> {
    let mut times = std::fs::FileTimes::new();
    if let Some(t) = atime.resolve() {
        times = times.set_accessed(t);
    }
    if let Some(t) = mtime.resolve() {
        times = times.set_modified(t);
    }
    file.set_times(times)
}

/// Sets the timestamps of the symbolic link at `path` itself (not its target), as
/// `utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW)` does; std has no way to.
/// `path` must be a host path the caller has already resolved inside a preopen.
pub fn set_symlink_times(
    path: &std::path::Path,
    atime: SetTime,
    mtime: SetTime,
) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    let spec = |t: SetTime| match t {
        SetTime::Keep => libc::timespec {
            tv_sec: 0,
            tv_nsec: libc::UTIME_OMIT,
        },
        SetTime::Now => libc::timespec {
            tv_sec: 0,
            tv_nsec: libc::UTIME_NOW,
        },
        SetTime::At(ns) => libc::timespec {
            tv_sec: (ns / 1_000_000_000) as libc::time_t,
            tv_nsec: (ns % 1_000_000_000) as libc::c_long,
        },
    };
    let times = [spec(atime), spec(mtime)];
    // SAFETY: `c_path` is a NUL-terminated string and `times` an array of two `timespec`,
    // both alive for the whole call, as utimensat(2) requires; `AT_FDCWD` with a path
    // needs no descriptor. The call reads them and writes nothing of ours. Test:
    // `fs::dir::tests::set_times_on_a_symlink_itself`.
    let r = unsafe {
        libc::utimensat(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            times.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
