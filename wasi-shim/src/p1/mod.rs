//! `wasi_snapshot_preview1` for core modules.
//!
//! [`add_to_linker`] defines every preview1 function in a [`Linker`]. Each reads its
//! arguments from the guest's exported `memory` with bounds checks (a bad pointer is
//! `errno::fault`), works on the [`WasiCtx`] the store holds, and returns an `errno`.
//! Errno values and struct layouts are those of `typenames.witx` (see [`types`]).
//!
//! | group | functions |
//! |---|---|
//! | args, environment | `args_get`, `args_sizes_get`, `environ_get`, `environ_sizes_get` |
//! | clocks | `clock_res_get`, `clock_time_get` (CPU-time clocks approximated by time since start) |
//! | descriptors | every `fd_*` |
//! | paths | every `path_*`, resolved by the sandbox in [`crate::fs`] |
//! | polling | `poll_oneoff`: clocks sleep until the earliest deadline; descriptors are ready at once |
//! | process | `proc_exit` (unwinds, see [`crate::I32Exit`]); `proc_raise` is `notsup` |
//! | other | `sched_yield`, `random_get` (`/dev/urandom`) |
//! | sockets | `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown`: all `notsup` |

mod fd;
mod memory;
mod misc;
mod path;
pub(crate) mod state;
pub mod types;

pub use memory::GuestMemory;
pub use types::Errno;

use crate::{I32Exit, WasiCtx};
use memory::GuestMemory as Mem;
use state::State;
use weft_interp::{Caller, Error, Extern, Linker, Result};

/// The import module name of preview1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// Runs `f` with the WASI state and the guest's memory, and turns its outcome into the
/// `errno` the guest sees. A module without a `memory` export traps: preview1 has no
/// other way to reach its pointers.
fn with_state<T>(
    caller: &mut Caller<'_, T>,
    get: impl Fn(&mut T) -> &mut WasiCtx,
    f: impl FnOnce(&mut State, &mut Mem<'_>) -> Result<(), Errno>,
) -> Result<i32> {
    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
        return Err(Error::host(format!(
            "{MODULE}: the module has no exported memory named `memory`"
        )));
    };
    let (bytes, data) = memory.data_and_store_mut(caller);
    let result = f(&mut get(data).state, &mut Mem::new(bytes));
    Ok(match result {
        Ok(()) => 0,
        Err(e) => i32::from(e.0),
    })
}

/// Defines one preview1 function whose body is the `State` method of the same name; the
/// Wasm parameters (`i32`/`i64`) become the method's `u32`/`u64` arguments.
macro_rules! wasi_fn {
    ($linker:ident, $get:ident, $name:ident ( $($arg:ident : $ty:ty),* )) => {
        $linker.func_wrap(
            MODULE,
            stringify!($name),
            move |mut caller: Caller<'_, T>, $($arg: $ty),*| -> Result<i32> {
                with_state(&mut caller, $get, |state, mem| state.$name(mem, $($arg as _),*))
            },
        )?;
    };
}

/// Defines every `wasi_snapshot_preview1` function in `linker`; `get` finds the
/// [`WasiCtx`] in the store's data.
///
/// ```
/// use weft_interp::{Engine, Linker, Module, Store};
/// use weft_wasi::{OutputBuffer, Stdio, WasiCtx, WasiCtxBuilder};
///
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"(module
///     (import "wasi_snapshot_preview1" "fd_write"
///         (func $fd_write (param i32 i32 i32 i32) (result i32)))
///     (memory (export "memory") 1)
///     (data (i32.const 16) "hello\n")
///     (func (export "_start")
///         ;; one ciovec at 0: 6 bytes at 16
///         (i32.store (i32.const 0) (i32.const 16))
///         (i32.store (i32.const 4) (i32.const 6))
///         (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#)?;
///
/// let out = OutputBuffer::new();
/// let ctx = WasiCtxBuilder::new().stdout(Stdio::Buffer(out.clone())).build()?;
/// let mut store = Store::new(&engine, ctx);
/// let mut linker = Linker::<WasiCtx>::new(&engine);
/// weft_wasi::p1::add_to_linker(&mut linker, |ctx| ctx)?;
/// let instance = linker.instantiate(&mut store, &module)?;
/// instance.get_typed_func::<(), ()>(&store, "_start")?.call(&mut store, ())?;
/// assert_eq!(out.contents_string(), "hello\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) -> Result<()> {
    wasi_fn!(linker, get, args_get(argv: i32, buf: i32));
    wasi_fn!(linker, get, args_sizes_get(count: i32, size: i32));
    wasi_fn!(linker, get, environ_get(environ: i32, buf: i32));
    wasi_fn!(linker, get, environ_sizes_get(count: i32, size: i32));
    wasi_fn!(linker, get, clock_res_get(id: i32, ptr: i32));
    wasi_fn!(linker, get, clock_time_get(id: i32, precision: i64, ptr: i32));
    wasi_fn!(linker, get, fd_advise(fd: i32, offset: i64, len: i64, advice: i32));
    wasi_fn!(linker, get, fd_allocate(fd: i32, offset: i64, len: i64));
    wasi_fn!(linker, get, fd_close(fd: i32));
    wasi_fn!(linker, get, fd_datasync(fd: i32));
    wasi_fn!(linker, get, fd_fdstat_get(fd: i32, ptr: i32));
    wasi_fn!(linker, get, fd_fdstat_set_flags(fd: i32, flags: i32));
    wasi_fn!(linker, get, fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64));
    wasi_fn!(linker, get, fd_filestat_get(fd: i32, ptr: i32));
    wasi_fn!(linker, get, fd_filestat_set_size(fd: i32, size: i64));
    wasi_fn!(linker, get, fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, fst: i32));
    wasi_fn!(linker, get, fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32));
    wasi_fn!(linker, get, fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32));
    wasi_fn!(linker, get, fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32));
    wasi_fn!(linker, get, fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused: i32));
    wasi_fn!(linker, get, fd_renumber(fd: i32, to: i32));
    wasi_fn!(linker, get, fd_seek(fd: i32, offset: i64, whence: i32, newoffset: i32));
    wasi_fn!(linker, get, fd_sync(fd: i32));
    wasi_fn!(linker, get, fd_tell(fd: i32, ptr: i32));
    wasi_fn!(linker, get, fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32));
    wasi_fn!(linker, get, fd_prestat_get(fd: i32, ptr: i32));
    wasi_fn!(linker, get, fd_prestat_dir_name(fd: i32, path: i32, path_len: i32));
    wasi_fn!(linker, get, path_create_directory(fd: i32, path: i32, path_len: i32));
    wasi_fn!(linker, get, path_filestat_get(fd: i32, flags: i32, path: i32, path_len: i32, buf: i32));
    wasi_fn!(linker, get, path_filestat_set_times(
        fd: i32, flags: i32, path: i32, path_len: i32, atim: i64, mtim: i64, fst: i32));
    wasi_fn!(linker, get, path_link(
        old_fd: i32, old_flags: i32, old_path: i32, old_len: i32,
        new_fd: i32, new_path: i32, new_len: i32));
    wasi_fn!(linker, get, path_open(
        fd: i32, dirflags: i32, path: i32, path_len: i32, oflags: i32,
        base: i64, inheriting: i64, fdflags: i32, opened_fd: i32));
    wasi_fn!(linker, get, path_readlink(
        fd: i32, path: i32, path_len: i32, buf: i32, buf_len: i32, bufused: i32));
    wasi_fn!(linker, get, path_remove_directory(fd: i32, path: i32, path_len: i32));
    wasi_fn!(linker, get, path_rename(
        fd: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32));
    wasi_fn!(linker, get, path_symlink(
        old_path: i32, old_len: i32, fd: i32, new_path: i32, new_len: i32));
    wasi_fn!(linker, get, path_unlink_file(fd: i32, path: i32, path_len: i32));
    wasi_fn!(linker, get, poll_oneoff(input: i32, output: i32, nsubs: i32, nevents: i32));
    wasi_fn!(linker, get, random_get(buf: i32, len: i32));

    linker.func_wrap(
        MODULE,
        "proc_exit",
        move |mut caller: Caller<'_, T>, code: i32| -> Result<()> {
            get(caller.data_mut()).exit_code = Some(code);
            Err(Error::host(I32Exit(code)))
        },
    )?;
    linker.func_wrap(MODULE, "proc_raise", |_sig: i32| i32::from(Errno::NOTSUP.0))?;
    linker.func_wrap(MODULE, "sched_yield", || {
        std::thread::yield_now();
        0i32
    })?;
    let notsup = i32::from(Errno::NOTSUP.0);
    linker.func_wrap(MODULE, "sock_accept", move |_: i32, _: i32, _: i32| notsup)?;
    linker.func_wrap(
        MODULE,
        "sock_recv",
        move |_: i32, _: i32, _: i32, _: i32, _: i32, _: i32| notsup,
    )?;
    linker.func_wrap(
        MODULE,
        "sock_send",
        move |_: i32, _: i32, _: i32, _: i32, _: i32| notsup,
    )?;
    linker.func_wrap(MODULE, "sock_shutdown", move |_: i32, _: i32| notsup)?;
    Ok(())
}
