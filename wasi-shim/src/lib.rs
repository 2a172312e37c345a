//! `weft-wasi`: WASI for Weft.
//!
//! | part | status |
//! |---|---|
//! | [`fs`]: sandboxed filesystem core (preopens, descriptor table, path resolution that never leaves a preopen, read-only mounts) | yes |
//! | [`p1`]: `wasi_snapshot_preview1` for core modules, every function (sockets answer `notsup`) | yes |
//! | [`p2`]: WASI 0.2 for components: `wasi:cli`, `io`, `clocks`, `filesystem`, `random` (sockets answer `not-supported`) | yes |
//!
//! A guest sees only what the [`WasiCtx`] gives it: its arguments, the environment
//! variables set on the builder, stdio (inherited or captured in an [`OutputBuffer`]) and
//! the preopened directories, under which [`fs`] keeps every path. `proc_exit` unwinds
//! the guest with an [`I32Exit`] error, recognised with `Error::downcast_ref`; the status
//! is also kept in [`WasiCtx::exit_code`].
//!
//! ```
//! use weft_interp::{Engine, Linker, Module, Store};
//! use weft_wasi::{WasiCtx, WasiCtxBuilder};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
//!     (memory (export "memory") 1)
//!     (func (export "_start") (call $exit (i32.const 42))))"#)?;
//! let mut store = Store::new(&engine, WasiCtxBuilder::new().arg("demo").build()?);
//! let mut linker = Linker::<WasiCtx>::new(&engine);
//! weft_wasi::p1::add_to_linker(&mut linker, |ctx| ctx)?;
//! let start = linker
//!     .instantiate(&mut store, &module)?
//!     .get_typed_func::<(), ()>(&store, "_start")?;
//! let err = start.call(&mut store, ()).unwrap_err(); // proc_exit unwinds the guest
//! assert_eq!(err.downcast_ref::<weft_wasi::I32Exit>(), Some(&weft_wasi::I32Exit(42)));
//! assert_eq!(store.data().exit_code(), Some(42));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod ctx;
pub mod fs;
pub mod p1;
pub mod p2;
mod stdio;

pub use ctx::{Error, I32Exit, WasiCtx, WasiCtxBuilder};
pub use fs::DirPerms;
pub use stdio::{OutputBuffer, Stdin, Stdio};
pub use weft_canon_abi as canon_abi;
