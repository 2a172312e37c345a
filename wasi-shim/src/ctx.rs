//! The WASI context a store holds, and the builder that makes it.

use crate::fs::{Dir, DirPerms, Table};
use crate::p1::state::{Descriptor, State};
use crate::stdio::{Stdin, StdinState, Stdio};
use std::path::PathBuf;

/// Why a [`WasiCtx`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A preopened directory cannot be opened.
    #[error("cannot preopen `{}`: {source}", host.display())]
    Preopen {
        /// The host path.
        host: PathBuf,
        /// What the host said.
        source: std::io::Error,
    },
    /// An argument or environment variable contains NUL, which C strings cannot carry.
    #[error("{what} contains a NUL byte: {value:?}")]
    Nul {
        /// `"argument"` or `"environment variable"`.
        what: &'static str,
        /// The offending value.
        value: String,
    },
    /// A guest name for a preopen is empty or contains NUL.
    #[error("invalid guest path for a preopened directory: {0:?}")]
    GuestPath(String),
}

/// The exit status a guest asked for with `proc_exit`.
///
/// `proc_exit` unwinds the guest with this error (through [`weft_interp::Error::host`]),
/// so the call that ran the guest fails with it: recognise it with
/// [`weft_interp::Error::downcast_ref`]. The status is also recorded in the [`WasiCtx`]
/// ([`WasiCtx::exit_code`]). Its message is `"exit with status N"`.
///
/// ```
/// use weft_interp::{Engine, Linker, Module, Store};
/// use weft_wasi::{I32Exit, WasiCtx, WasiCtxBuilder};
///
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module
///     (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
///     (memory (export "memory") 1)
///     (func (export "_start") (call $exit (i32.const 3))))"#)?;
/// let mut store = Store::new(&engine, WasiCtxBuilder::new().build()?);
/// let mut linker = Linker::<WasiCtx>::new(&engine);
/// weft_wasi::p1::add_to_linker(&mut linker, |ctx| ctx)?;
/// let start = linker
///     .instantiate(&mut store, &module)?
///     .get_typed_func::<(), ()>(&store, "_start")?;
/// let err = start.call(&mut store, ()).unwrap_err();
/// assert_eq!(err.downcast_ref::<I32Exit>(), Some(&I32Exit(3)));
/// assert_eq!(err.to_string(), "exit with status 3");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct I32Exit(pub i32);

impl std::fmt::Display for I32Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit with status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}

/// Builds a [`WasiCtx`]: arguments, environment, preopened directories and stdio.
///
/// ```
/// use weft_wasi::{DirPerms, OutputBuffer, Stdio, WasiCtxBuilder};
/// let out = OutputBuffer::new();
/// let dir = std::env::temp_dir();
/// let ctx = WasiCtxBuilder::new()
///     .args(["prog.wasm", "--verbose"])
///     .env("LANG", "C")
///     .preopened_dir(&dir, "/tmp", DirPerms::ReadOnly)
///     .stdout(Stdio::Buffer(out.clone()))
///     .build()?;
/// assert_eq!(ctx.exit_code(), None);
/// # Ok::<(), weft_wasi::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    preopens: Vec<(PathBuf, String, DirPerms)>,
    stdin: Stdin,
    stdout: Stdio,
    stderr: Stdio,
}

impl WasiCtxBuilder {
    /// No arguments, no environment, no preopens; stdio inherited from the host.
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// Appends one argument (the first is the program name, `argv[0]`).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets the environment variable `key` (a later value replaces an earlier one).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value.into()));
        self
    }

    /// Sets the environment variables of the host process (those that are UTF-8).
    pub fn inherit_env(mut self) -> Self {
        for (k, v) in std::env::vars_os() {
            if let (Ok(k), Ok(v)) = (k.into_string(), v.into_string()) {
                self = self.env(k, v);
            }
        }
        self
    }

    /// Gives the guest the host directory `host` under the name `guest`, with `perms`.
    /// Preopens get descriptors 3, 4, ... in the order they are added.
    pub fn preopened_dir(
        mut self,
        host: impl Into<PathBuf>,
        guest: impl Into<String>,
        perms: DirPerms,
    ) -> Self {
        self.preopens.push((host.into(), guest.into(), perms));
        self
    }

    /// Standard input (default: inherited).
    pub fn stdin(mut self, stdin: Stdin) -> Self {
        self.stdin = stdin;
        self
    }

    /// Standard output (default: inherited).
    pub fn stdout(mut self, stdout: Stdio) -> Self {
        self.stdout = stdout;
        self
    }

    /// Standard error (default: inherited).
    pub fn stderr(mut self, stderr: Stdio) -> Self {
        self.stderr = stderr;
        self
    }

    /// Opens the preopened directories and makes the context.
    pub fn build(self) -> Result<WasiCtx, Error> {
        for a in &self.args {
            if a.contains('\0') {
                return Err(Error::Nul {
                    what: "argument",
                    value: a.clone(),
                });
            }
        }
        for (k, v) in &self.env {
            if k.contains('\0') || v.contains('\0') || k.contains('=') {
                return Err(Error::Nul {
                    what: "environment variable",
                    value: format!("{k}={v}"),
                });
            }
        }
        let mut table = Table::new();
        table.push(Descriptor::stdin()).expect("empty table");
        table.push(Descriptor::stdout()).expect("fd 1 free");
        table.push(Descriptor::stderr()).expect("fd 2 free");
        for (host, guest, perms) in self.preopens {
            if guest.is_empty() || guest.contains('\0') {
                return Err(Error::GuestPath(guest));
            }
            let dir = Dir::open_ambient(&host, perms)
                .map_err(|source| Error::Preopen { host, source })?;
            table
                .push(Descriptor::preopen(dir, guest))
                .expect("descriptor numbers left");
        }
        Ok(WasiCtx {
            state: Box::new(State {
                args: self.args,
                env: self.env,
                table,
                start: std::time::Instant::now(),
                stdin: StdinState::new(self.stdin),
                stdout: self.stdout,
                stderr: self.stderr,
            }),
            exit_code: None,
            p2: Default::default(),
        })
    }
}

/// The state WASI functions work on: put one in the store's data and give
/// [`p1::add_to_linker`](crate::p1::add_to_linker) a way to reach it.
#[derive(Debug)]
pub struct WasiCtx {
    /// Borrowed together with the guest's memory for each call
    /// (`Memory::data_and_store_mut`).
    pub(crate) state: Box<State>,
    pub(crate) exit_code: Option<i32>,
    /// The WASI 0.2 resources the guest holds.
    pub(crate) p2: crate::p2::state::Table,
}

impl WasiCtx {
    /// How many WASI 0.2 resources (streams, descriptors, pollables, ...) the guest holds.
    pub fn p2_resources(&self) -> usize {
        self.p2.len()
    }

    /// The status the guest passed to `proc_exit` (or `wasi:cli/exit`), if it called it.
    pub fn exit_code(&self) -> Option<i32> {
        self.exit_code
    }
}
