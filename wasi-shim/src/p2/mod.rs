//! WASI 0.2 for components: the interfaces a `wasm32-wasip2` program imports, on the same
//! sandboxed filesystem core ([`crate::fs`]) and [`WasiCtx`] as preview1.
//!
//! [`add_to_linker`] defines, at version [`VERSION`] (the linker also gives them to a
//! component that imports any other `0.2.x`):
//!
//! | interface | what |
//! |---|---|
//! | `wasi:cli/{environment,exit,stdin,stdout,stderr}` | arguments, environment, `exit` (unwinds with [`I32Exit`](crate::I32Exit): `ok` is 0, `err` is 1; `exit-with-code`), stdio as streams |
//! | `wasi:cli/terminal-*` | the resource types; `get-terminal-*` answer `none` (not a terminal) |
//! | `wasi:io/{error,poll,streams}` | streams over stdio and files; every operation completes at once, so stream pollables are always ready; `poll` sleeps until the earliest clock deadline |
//! | `wasi:clocks/{monotonic-clock,wall-clock}` | `now`, `resolution`, `subscribe-instant`/`-duration` |
//! | `wasi:filesystem/{types,preopens}` | descriptors over [`crate::fs`]: every path stays inside its preopen; errors are `error-code`s (leaving the preopen is `not-permitted`) |
//! | `wasi:random/{random,insecure,insecure-seed}` | `/dev/urandom` |
//! | `wasi:sockets/*` | present: `instance-network` gives a network with which every socket creation and name lookup fails (`not-supported` / `permanent-resolver-failure`) |
//!
//! Each resource a guest holds is an entry of a table in the [`WasiCtx`]; dropping the
//! guest's owned handle removes it (the resource types' destructors get the store).
//! Functions a component imports that are not listed here fail at instantiation, naming
//! the function.
//!
//! ```no_run
//! use weft_canon_abi::component::{Component, Linker};
//! use weft_interp::{Engine, Store};
//! use weft_wasi::{WasiCtx, WasiCtxBuilder};
//!
//! let engine = Engine::default();
//! let component = Component::new(&engine, std::fs::read("app.wasm")?)?;
//! let mut store = Store::new(&engine, WasiCtxBuilder::new().arg("app.wasm").build()?);
//! let mut linker = Linker::<WasiCtx>::new(&engine);
//! weft_wasi::p2::add_to_linker(&mut linker, |ctx| ctx)?;
//! let instance = linker.instantiate(&mut store, &component)?;
//! let status = weft_wasi::p2::run(&mut store, &instance)?;
//! # let _ = status;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cli;
mod clocks;
mod filesystem;
mod io;
mod sockets;
pub(crate) mod state;
mod vals;

use crate::{I32Exit, WasiCtx};
use std::sync::Arc;
use weft_canon_abi::component::{Instance, Linker, LinkerInstance};
use weft_canon_abi::{Error, ResourceType, Result, Val};
use weft_interp::Store;

/// The version the interfaces are defined at.
pub const VERSION: &str = "0.2.6";

/// How host functions reach the [`WasiCtx`] in the store's data.
pub(crate) type Get<T> = fn(&mut T) -> &mut WasiCtx;

/// The resource types of the interfaces (one runtime type each, shared by every interface
/// that mentions it).
pub(crate) struct Types {
    pub input: ResourceType,
    pub output: ResourceType,
    pub pollable: ResourceType,
    pub error: ResourceType,
    pub descriptor: ResourceType,
    pub dir_stream: ResourceType,
    pub terminal_input: ResourceType,
    pub terminal_output: ResourceType,
    pub network: ResourceType,
    pub tcp_socket: ResourceType,
    pub udp_socket: ResourceType,
    pub incoming_datagram_stream: ResourceType,
    pub outgoing_datagram_stream: ResourceType,
    pub resolve_address_stream: ResourceType,
}

/// Defines the host functions of one interface.
pub(crate) struct Iface<'a, T> {
    inst: LinkerInstance<'a, T>,
    get: Get<T>,
    types: Arc<Types>,
}

impl<T: 'static> Iface<'_, T> {
    /// Defines `name`: `f` gets the context, the resource types and the parameters, and
    /// returns the result (ignored for functions without one).
    pub fn func(
        &mut self,
        name: &str,
        f: impl Fn(&mut WasiCtx, &Types, &[Val]) -> Result<Val> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let (get, types) = (self.get, self.types.clone());
        self.inst
            .func_new(name, move |store: &mut Store<T>, params, results| {
                let v = f(get(store.data_mut()), &types, params)?;
                if let Some(slot) = results.first_mut() {
                    *slot = v;
                }
                Ok(())
            })?;
        Ok(self)
    }

    /// Defines the resource type `name`.
    pub fn resource(&mut self, name: &str, ty: &ResourceType) -> Result<&mut Self> {
        self.inst.resource(name, ty.clone())?;
        Ok(self)
    }

    pub fn types(&self) -> &Types {
        &self.types
    }
}

/// Defines every WASI 0.2 interface in `linker`; `get` finds the [`WasiCtx`] in the
/// store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut WasiCtx,
) -> Result<()> {
    let rt = |name: &str| {
        ResourceType::host_with_store_dtor(name, move |store: &mut Store<T>, rep| {
            get(store.data_mut()).p2.remove(rep);
            Ok(())
        })
    };
    let types = Arc::new(Types {
        input: rt("input-stream"),
        output: rt("output-stream"),
        pollable: rt("pollable"),
        error: rt("error"),
        descriptor: rt("descriptor"),
        dir_stream: rt("directory-entry-stream"),
        terminal_input: rt("terminal-input"),
        terminal_output: rt("terminal-output"),
        network: rt("network"),
        tcp_socket: rt("tcp-socket"),
        udp_socket: rt("udp-socket"),
        incoming_datagram_stream: rt("incoming-datagram-stream"),
        outgoing_datagram_stream: rt("outgoing-datagram-stream"),
        resolve_address_stream: rt("resolve-address-stream"),
    });
    let mut define = |name: &str, f: fn(&mut Iface<'_, T>) -> Result<()>| -> Result<()> {
        let mut iface = Iface {
            inst: linker.instance(&format!("{name}@{VERSION}"))?,
            get,
            types: types.clone(),
        };
        f(&mut iface)
    };
    define("wasi:io/error", io::error)?;
    define("wasi:io/poll", io::poll)?;
    define("wasi:io/streams", io::streams)?;
    define("wasi:cli/environment", cli::environment)?;
    define("wasi:cli/exit", cli::exit)?;
    define("wasi:cli/stdin", cli::stdin)?;
    define("wasi:cli/stdout", cli::stdout)?;
    define("wasi:cli/stderr", cli::stderr)?;
    define("wasi:cli/terminal-input", cli::terminal_input)?;
    define("wasi:cli/terminal-output", cli::terminal_output)?;
    define("wasi:cli/terminal-stdin", cli::terminal_stdin)?;
    define("wasi:cli/terminal-stdout", cli::terminal_stdout)?;
    define("wasi:cli/terminal-stderr", cli::terminal_stderr)?;
    define("wasi:clocks/monotonic-clock", clocks::monotonic_clock)?;
    define("wasi:clocks/wall-clock", clocks::wall_clock)?;
    define("wasi:random/random", clocks::random)?;
    define("wasi:random/insecure", clocks::insecure)?;
    define("wasi:random/insecure-seed", clocks::insecure_seed)?;
    define("wasi:filesystem/types", filesystem::types)?;
    define("wasi:filesystem/preopens", filesystem::preopens)?;
    define("wasi:sockets/network", sockets::network)?;
    define("wasi:sockets/instance-network", sockets::instance_network)?;
    define("wasi:sockets/tcp", sockets::tcp)?;
    define("wasi:sockets/tcp-create-socket", sockets::tcp_create_socket)?;
    define("wasi:sockets/udp", sockets::udp)?;
    define("wasi:sockets/udp-create-socket", sockets::udp_create_socket)?;
    define("wasi:sockets/ip-name-lookup", sockets::ip_name_lookup)?;
    Ok(())
}

/// The name of the `wasi:cli/run@0.2.x` export's `run` function, if `instance` has one.
pub fn run_export<T>(store: &mut Store<T>, instance: &Instance) -> Option<String> {
    instance
        .exports()
        .find(|e| e.starts_with("wasi:cli/run@0.2."))
        .map(|e| format!("{e}#run"))
        .filter(|f| instance.get_func(&mut *store, f).is_ok())
}

/// Calls the `run` function of a command component (`wasi:cli/run@0.2.x`) and returns its
/// exit status: 0 when `run` returns `ok`, 1 for `err`, or the status the guest gave
/// `wasi:cli/exit` (which unwinds it). Traps and other failures are errors.
pub fn run<T: 'static>(store: &mut Store<T>, instance: &Instance) -> Result<i32> {
    let name = run_export(store, instance).ok_or_else(|| Error::ExportNotFound {
        kind: "func",
        name: format!("wasi:cli/run@{VERSION}#run"),
    })?;
    let run = instance.get_func(&mut *store, &name)?;
    let mut results = [Val::Bool(false)];
    match run.call(&mut *store, &[], &mut results) {
        Ok(()) => Ok(match &results[0] {
            Val::Result(Ok(_)) => 0,
            _ => 1,
        }),
        Err(e) => exit_status(&e).ok_or(e),
    }
}

/// The status of a `wasi:cli/exit` call that ended a component call with `e`.
pub fn exit_status(e: &Error) -> Option<i32> {
    match e {
        Error::Interp(e) => e.downcast_ref::<I32Exit>().map(|x| x.0),
        _ => None,
    }
}

/// `Err` with a trap: the guest broke a rule no error code covers (an unknown handle).
pub(crate) fn trap<V>(msg: impl Into<String>) -> Result<V> {
    Err(Error::Trap(msg.into()))
}
