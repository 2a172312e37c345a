//! `weft run --link IMPORT=FILE`: run-time linking of components. The component in FILE
//! (the provider) is instantiated in the same store, with WASI 0.2, the same `--dir`/
//! `--env` options and the links given before it, and its export of the interface IMPORT
//! satisfies the import of that name of the component being run.
//!
//! The linker checks the provider's export against the import's type when the consumer is
//! instantiated (every function the import's instance type lists must be there, of the
//! same shape); here the names are checked, so a typo names the imports and exports there
//! are.

use super::component::{compile, failure, is_component};
use super::run_cmd::RunArgs;
use super::Failure;
use weft::component::{Component, Linker};
use weft::{Engine, Store};
use weft_wasi::WasiCtx;

/// Instantiates the providers of every `--link` in order and defines each in `linker`
/// under the name the consumer imports. Returns those import names.
pub fn define(
    args: &RunArgs,
    engine: &Engine,
    consumer: &Component,
    store: &mut Store<WasiCtx>,
    linker: &mut Linker<WasiCtx>,
) -> Result<Vec<String>, Failure> {
    // A link may replace a WASI interface the host provides.
    linker.allow_shadowing(true);
    let mut defined: Vec<String> = Vec::new();
    for spec in &args.links {
        let context = format!("--link {spec}");
        let (import, file) = parse_spec(spec)?;
        let name = consumer_import(consumer, import)
            .map_err(|e| Failure::new(format!("{context}: `{}` {e}", args.file.display())))?;
        if defined.contains(&name) {
            return Err(Failure::new(format!(
                "{context}: `{name}` is already linked by an earlier --link"
            )));
        }
        let bytes = std::fs::read(file)
            .map_err(|e| Failure::new(format!("{context}: cannot read `{file}`: {e}")))?;
        if !is_component(&bytes) {
            return Err(Failure::new(format!(
                "{context}: `{file}` is not a component (only components can be linked)"
            )));
        }
        let provider = compile(engine, file, &bytes).map_err(|f| f.context(&context))?;
        let export = provider_export(&provider, import, &name)
            .map_err(|e| Failure::new(format!("{context}: `{file}` {e}")))?;
        let instance = match linker.instantiate(&mut *store, &provider) {
            Ok(instance) => instance,
            Err(e) => return Err(failure(&e).context(format_args!("{context}: `{file}`"))),
        };
        linker
            .root()
            .instance_export(&name, &instance, &export)
            .map_err(|e| failure(&e).context(&context))?;
        defined.push(name);
    }
    Ok(defined)
}

/// `IMPORT=FILE`, the argument of `--link`.
pub(super) fn parse_spec(spec: &str) -> Result<(&str, &str), Failure> {
    spec.split_once('=')
        .filter(|(i, f)| !i.is_empty() && !f.is_empty())
        .ok_or_else(|| {
            Failure::new(format!(
                "--link {spec}: expected IMPORT=FILE, e.g. --link example:cache/cache=cache.wasm"
            ))
        })
}

/// The consumer's instance import that `import` names: the same name, or the same name
/// without (or with another) `@version`.
pub(super) fn consumer_import(consumer: &Component, import: &str) -> Result<String, String> {
    let imports: Vec<(&str, &str)> = consumer.imports().collect();
    let found = imports.iter().find(|(n, _)| *n == import).or_else(|| {
        imports
            .iter()
            .find(|(n, _)| unversioned(n) == unversioned(import))
    });
    match found {
        Some((n, "instance")) => Ok(n.to_string()),
        Some((n, sort)) => Err(format!(
            "imports `{n}` as a {sort}; only interfaces (instances) can be linked"
        )),
        None => Err(format!(
            "has no import named `{import}` ({})",
            names_of(imports.iter().map(|(n, _)| *n), "imports")
        )),
    }
}

/// The provider's exported instance for `import` (the user's spelling) or `name` (the
/// consumer's): the same name, or the same name without `@version`.
pub(super) fn provider_export(
    provider: &Component,
    import: &str,
    name: &str,
) -> Result<String, String> {
    let exports: Vec<(&str, &str)> = provider.exports().collect();
    let found = [import, name]
        .iter()
        .find_map(|want| exports.iter().find(|(n, _)| n == want))
        .or_else(|| {
            exports
                .iter()
                .find(|(n, _)| unversioned(n) == unversioned(import))
        });
    match found {
        Some((n, "instance")) => Ok(n.to_string()),
        Some((n, sort)) => Err(format!("exports `{n}` as a {sort}, not as an interface")),
        None => Err(format!(
            "has no export `{import}` to link ({})",
            names_of(exports.iter().map(|(n, _)| *n), "exports")
        )),
    }
}

/// `pkg:ns/iface@1.0.0` without `@1.0.0`.
fn unversioned(name: &str) -> &str {
    name.split_once('@').map_or(name, |(base, _)| base)
}

/// `its imports: a, b` or `it has no imports`.
fn names_of<'a>(names: impl Iterator<Item = &'a str>, what: &str) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        format!("it has no {what}")
    } else {
        format!("its {what}: {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_optional_in_link_names() {
        assert_eq!(unversioned("test:demo/greet@0.1.0"), "test:demo/greet");
        assert_eq!(unversioned("test:demo/greet"), "test:demo/greet");
        assert_eq!(
            names_of(["a", "b"].into_iter(), "exports"),
            "its exports: a, b"
        );
        assert_eq!(names_of([].into_iter(), "imports"), "it has no imports");
    }
}
