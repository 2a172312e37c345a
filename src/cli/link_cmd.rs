//! `weft link CONSUMER --link IMPORT=PROVIDER... -o OUT`: static linking. Writes one
//! component that nests the consumer and every provider, instantiates each provider,
//! passes its export of the interface IMPORT to the consumer's import of that name, and
//! exports what the consumer exports. What none of them satisfies (WASI, say) becomes an
//! import of the composed component, so it runs wherever the consumer ran, with
//! `weft run` or another runtime.
//!
//! The composition graph and its encoding are `wac-graph`'s (the Bytecode Alliance's
//! composition library behind `wac`): it merges the components' import types and checks
//! each argument against the import it satisfies. Weft first validates every input and
//! matches the link names the same way `weft run --link` does.

use super::component::{compile, is_component};
use super::link::{consumer_import, parse_spec, provider_export};
use super::Failure;
use clap::Args;
use std::path::PathBuf;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions};
use weft::Engine;

/// Arguments of `weft link`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  weft link examples/cache/rust-consumer.wasm \\
      --link example:cache/cache=examples/cache/cache-impl.wasm -o linked.wasm
  weft run --dir /tmp/cachedir::/cache linked.wasm")]
pub struct LinkArgs {
    /// The component whose imports are satisfied (binary or text).
    #[arg(value_name = "CONSUMER")]
    pub consumer: PathBuf,
    /// Satisfy the consumer's import IMPORT (an interface name such as
    /// `example:cache/cache`, with or without `@version`) with the component FILE's
    /// export of it. May be repeated.
    #[arg(long = "link", value_name = "IMPORT=FILE", required = true)]
    pub links: Vec<String>,
    /// Where to write the composed component.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,
}

/// A component read from a file: its binary bytes, validated by Weft.
struct Input {
    shown: String,
    bytes: Vec<u8>,
    component: weft::component::Component,
}

fn read(engine: &Engine, path: &str) -> Result<Input, Failure> {
    let raw =
        std::fs::read(path).map_err(|e| Failure::new(format!("cannot read `{path}`: {e}")))?;
    if !is_component(&raw) {
        return Err(Failure::new(format!(
            "`{path}` is not a component (only components can be linked)"
        )));
    }
    let bytes = if raw.starts_with(b"\0asm") {
        raw
    } else {
        wat::parse_bytes(&raw)
            .map_err(|e| Failure::new(format!("`{path}`: {e}")))?
            .into_owned()
    };
    let component = compile(engine, path, &bytes)?;
    Ok(Input {
        shown: path.to_string(),
        bytes,
        component,
    })
}

/// An error of wac-graph, with its causes, on one line.
fn wac(e: impl std::fmt::Display) -> Failure {
    Failure::new(format!("{e:#}"))
}

/// Writes the composed component; returns its size in bytes.
pub fn run(args: &LinkArgs) -> Result<usize, Failure> {
    let engine = Engine::default();
    let consumer = read(&engine, &args.consumer.display().to_string())?;
    let mut graph = CompositionGraph::new();
    let package = Package::from_bytes(
        "weft:consumer",
        None,
        consumer.bytes.clone(),
        graph.types_mut(),
    )
    .map_err(|e| wac(e).context(format_args!("`{}`", consumer.shown)))?;
    let consumer_world = package.ty();
    let consumer_package = graph
        .register_package(package)
        .map_err(|e| Failure::new(e.to_string()))?;
    let consumer_instance = graph.instantiate(consumer_package);

    let mut linked: Vec<String> = Vec::new();
    for (i, spec) in args.links.iter().enumerate() {
        let context = format!("--link {spec}");
        let (import, file) = parse_spec(spec)?;
        let name = consumer_import(&consumer.component, import)
            .map_err(|e| Failure::new(format!("{context}: `{}` {e}", consumer.shown)))?;
        if linked.contains(&name) {
            return Err(Failure::new(format!(
                "{context}: `{name}` is already linked by an earlier --link"
            )));
        }
        let provider = read(&engine, file).map_err(|f| f.context(&context))?;
        let export = provider_export(&provider.component, import, &name)
            .map_err(|e| Failure::new(format!("{context}: `{file}` {e}")))?;
        let package = Package::from_bytes(
            &format!("weft:provider{i}"),
            None,
            provider.bytes,
            graph.types_mut(),
        )
        .map_err(|e| wac(e).context(&context))?;
        let provider_package = graph
            .register_package(package)
            .map_err(|e| Failure::new(format!("{context}: {e}")))?;
        let provider_instance = graph.instantiate(provider_package);
        let alias = graph
            .alias_instance_export(provider_instance, &export)
            .map_err(|e| Failure::new(format!("{context}: {e}")))?;
        graph
            .set_instantiation_argument(consumer_instance, &name, alias)
            .map_err(|e| Failure::new(format!("{context}: `{name}`: {e:#}")))?;
        linked.push(name);
    }

    // The consumer's exports become the composed component's.
    let exports: Vec<String> = graph.types()[consumer_world]
        .exports
        .keys()
        .map(|k| k.to_string())
        .collect();
    for name in exports {
        let alias = graph
            .alias_instance_export(consumer_instance, &name)
            .map_err(|e| Failure::new(format!("export `{name}`: {e}")))?;
        graph
            .export(alias, &name)
            .map_err(|e| Failure::new(format!("export `{name}`: {e}")))?;
    }
    let bytes = graph
        .encode(EncodeOptions::default())
        .map_err(|e| Failure::new(format!("cannot encode the composition: {e:#}")))?;
    // What was written must be a component Weft accepts.
    compile(&engine, "the composed component", &bytes)?;
    std::fs::write(&args.output, &bytes)
        .map_err(|e| Failure::new(format!("cannot write `{}`: {e}", args.output.display())))?;
    Ok(bytes.len())
}
