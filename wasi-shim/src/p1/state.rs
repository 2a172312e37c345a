//! What preview1 keeps per context: arguments, environment, stdio and the descriptors.

use super::types::{fdflags, filetype, rights};
use crate::fs::{Dir, Table};
use crate::stdio::{StdinState, Stdio};
use std::fs::File;
use std::time::Instant;

/// What a descriptor refers to.
#[derive(Debug)]
pub(crate) enum Kind {
    Stdin,
    Stdout,
    Stderr,
    File {
        file: File,
        read: bool,
        write: bool,
        /// The file lies under a read-only mount: its times may not change either.
        read_only_mount: bool,
    },
    Dir {
        dir: Dir,
        /// The guest name, for preopens.
        preopen: Option<String>,
    },
}

/// One entry of the descriptor table.
#[derive(Debug)]
pub(crate) struct Descriptor {
    pub kind: Kind,
    pub base: u64,
    pub inheriting: u64,
    pub flags: u16,
}

impl Descriptor {
    pub fn stdin() -> Descriptor {
        Descriptor {
            kind: Kind::Stdin,
            base: rights::FD_READ | rights::POLL_FD_READWRITE | rights::FD_FILESTAT_GET,
            inheriting: 0,
            flags: 0,
        }
    }

    pub fn stdout() -> Descriptor {
        Descriptor {
            kind: Kind::Stdout,
            base: rights::FD_WRITE | rights::POLL_FD_READWRITE | rights::FD_FILESTAT_GET,
            inheriting: 0,
            flags: fdflags::APPEND,
        }
    }

    pub fn stderr() -> Descriptor {
        Descriptor {
            kind: Kind::Stderr,
            ..Descriptor::stdout()
        }
    }

    pub fn preopen(dir: Dir, guest: String) -> Descriptor {
        Descriptor {
            kind: Kind::Dir {
                dir,
                preopen: Some(guest),
            },
            base: rights::DIRECTORY,
            inheriting: rights::DIRECTORY | rights::FILE,
            flags: 0,
        }
    }

    pub fn filetype(&self) -> u8 {
        match &self.kind {
            Kind::Stdin | Kind::Stdout | Kind::Stderr => filetype::CHARACTER_DEVICE,
            Kind::Dir { .. } => filetype::DIRECTORY,
            Kind::File { file, .. } => file
                .metadata()
                .map(|m| super::types::filetype_of(m.file_type().into()))
                .unwrap_or(filetype::UNKNOWN),
        }
    }
}

/// The preview1 state of a [`WasiCtx`](crate::WasiCtx).
#[derive(Debug)]
pub(crate) struct State {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub table: Table<Descriptor>,
    /// Origin of the monotonic and CPU-time clocks.
    pub start: Instant,
    pub stdin: StdinState,
    pub stdout: Stdio,
    pub stderr: Stdio,
}
