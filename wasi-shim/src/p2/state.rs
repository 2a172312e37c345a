//! The host side of the WASI 0.2 resources a guest holds: one table per [`WasiCtx`]
//! (crate::WasiCtx), keyed by the `rep` the guest's handles carry.

use crate::fs::{Dir, DirEntry, ErrorCode};
use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;
use std::time::Instant;

/// What an `input-stream` reads.
#[derive(Debug)]
pub(crate) enum Input {
    Stdin,
    /// A file from `read-via-stream`, at its own position.
    File {
        file: Arc<File>,
        pos: u64,
    },
}

/// Where an `output-stream` writes.
#[derive(Debug)]
pub(crate) enum Output {
    Stdout,
    Stderr,
    /// A file from `write-via-stream` (`pos: Some`) or `append-via-stream` (`None`).
    File {
        file: Arc<File>,
        pos: Option<u64>,
    },
}

/// A `descriptor`.
#[derive(Debug)]
pub(crate) enum Descriptor {
    File {
        file: Arc<File>,
        read: bool,
        write: bool,
        /// The file lies under a read-only mount: its times may not change either.
        read_only_mount: bool,
    },
    Dir(Dir),
}

/// A host resource behind a guest handle.
#[derive(Debug)]
pub(crate) enum Resource {
    Input(Input),
    Output(Output),
    /// Ready at once (`None`: streams, whose operations block) or at a deadline (clocks).
    Pollable(Option<Instant>),
    /// `wasi:io/error.error`: a message and, for filesystem streams, the error code.
    Error(String, Option<ErrorCode>),
    Descriptor(Descriptor),
    /// `directory-entry-stream`: the listing taken when it was opened.
    DirEntries(std::vec::IntoIter<DirEntry>),
    /// `wasi:sockets/network.network`: handed out, but no socket can be made with it.
    Network,
}

/// The resources of one context.
#[derive(Debug, Default)]
pub(crate) struct Table {
    entries: HashMap<u32, Resource>,
    next: u32,
}

impl Table {
    /// Adds `r` and returns its `rep` (never 0, never reused while the context lives).
    pub fn push(&mut self, r: Resource) -> u32 {
        self.next = self.next.wrapping_add(1).max(1);
        while self.entries.contains_key(&self.next) {
            self.next = self.next.wrapping_add(1).max(1);
        }
        self.entries.insert(self.next, r);
        self.next
    }

    pub fn get(&self, rep: u32) -> Option<&Resource> {
        self.entries.get(&rep)
    }

    pub fn get_mut(&mut self, rep: u32) -> Option<&mut Resource> {
        self.entries.get_mut(&rep)
    }

    /// The destructor of every WASI resource: the guest dropped its owned handle.
    pub fn remove(&mut self, rep: u32) -> Option<Resource> {
        self.entries.remove(&rep)
    }

    /// How many resources are live (for leak checks in tests).
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}
