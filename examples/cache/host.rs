//! Runs a cache consumer with its `example:cache/cache` import linked to the export of a
//! cache implementation, both with WASI 0.2 in one store (see `examples/cache/README.md`).
//!
//! ```text
//! cargo run --release --example cache -- IMPL.wasm CONSUMER.wasm CACHE_DIR [ARGS...]
//! ```
//!
//! `CACHE_DIR` (created if missing) is preopened read-write at `/cache`; `ARGS` go to the
//! consumer after its name; stdio is the host's; the exit status is the consumer's.

use std::process::ExitCode;
use weft::component::{Component, Linker};
use weft::{Engine, Store};
use weft_wasi::{DirPerms, WasiCtx, WasiCtxBuilder};

/// The interface the consumer imports and the implementation exports.
const CACHE: &str = "example:cache/cache";

fn run(args: &[String]) -> Result<i32, Box<dyn std::error::Error>> {
    let [impl_path, consumer_path, dir, rest @ ..] = args else {
        return Err("usage: cache IMPL.wasm CONSUMER.wasm CACHE_DIR [ARGS...]".into());
    };
    std::fs::create_dir_all(dir)?;
    let engine = Engine::default();
    let implementation = Component::new(&engine, std::fs::read(impl_path)?)?;
    let consumer = Component::new(&engine, std::fs::read(consumer_path)?)?;
    let ctx = WasiCtxBuilder::new()
        .arg(consumer_path.as_str())
        .args(rest.iter().map(String::as_str))
        .preopened_dir(dir, "/cache", DirPerms::ReadWrite)
        .build()?;
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::p2::add_to_linker(&mut linker, |ctx| ctx)?;
    // The implementation first; then its export of the interface satisfies the
    // consumer's import of it. Each instance keeps its own memory.
    let cache = linker.instantiate(&mut store, &implementation)?;
    linker.root().instance_export(CACHE, &cache, CACHE)?;
    let instance = linker.instantiate(&mut store, &consumer)?;
    Ok(weft_wasi::p2::run(&mut store, &instance)?)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(status) => ExitCode::from(u8::try_from(status).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
