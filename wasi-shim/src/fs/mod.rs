//! The sandboxed filesystem core shared by every WASI version.
//!
//! A guest reaches files only through directories the host handed it (preopens, each a
//! [`Dir`] with [`DirPerms`]), and only by paths that [`resolve`] keeps inside them:
//! - absolute paths and `..` above the directory are refused ([`ErrorCode::NotCapable`]);
//! - symbolic links are read by the resolver and their targets walked inside the same
//!   directory, with a hop limit ([`ErrorCode::Loop`]); a target that is absolute or climbs
//!   out is refused;
//! - the final component is opened with `O_NOFOLLOW` unless the caller asked to follow;
//! - a path containing NUL is [`ErrorCode::IllegalSequence`];
//! - a [`DirPerms::ReadOnly`] mount refuses every change with [`ErrorCode::NotPermitted`].
//!
//! Nothing here knows preview1 or 0.2 types: the `p1` module maps [`ErrorCode`] to
//! `errno` and keeps its own descriptor kinds in a [`Table`].
//!
//! What it does not protect against: the *host* changing the tree between the check of a
//! directory and its use (the resolver checks each directory, then uses its path); a guest
//! alone cannot race itself, since WASI calls run one at a time.

mod dir;
mod error;
mod resolve;
mod stat;
mod table;

pub use dir::{Dir, DirPerms, OpenFlags, Opened};
pub use error::{ErrorCode, Result};
pub use resolve::{resolve, Resolved, MAX_SYMLINK_HOPS};
pub use stat::{set_file_times, DirEntry, FileKind, Filestat, SetTime};
pub use table::Table;
