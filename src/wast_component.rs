//! A runner for Component Model `.wast` scripts, and the choice between it and the core
//! runner ([`crate::wast`]).
//!
//! Component scripts use the same directives as core ones (`component`, `instance`,
//! `invoke`, `assert_return`, `assert_trap`, `assert_invalid`, `assert_malformed`,
//! `assert_unlinkable`, `register`) with component values (`(u32.const 1)`,
//! `(str.const "x")`, `(record.const ...)`, ...) as arguments and results. Core modules in
//! such a script are only compiled (validated), never instantiated.
//!
//! Every script sees the host items that wasmtime's component tests import
//! ([`define_host`]): an instance `host` with functions, a nested instance, resources and a
//! core module, plus two root functions.
//!
//! As in the core runner, each directive counts as one pass or one failure, a failing
//! directive never stops the script, and no input makes the runner panic (a panic inside
//! the component runtime is caught and reported as a failure of the directive).
//!
//! ```
//! let report = weft::wast_component::run_script(
//!     "echo.wast",
//!     r#"
//!     (component
//!       (core module $m (func (export "id") (param i32) (result i32) local.get 0))
//!       (core instance $i (instantiate $m))
//!       (func (export "id") (param "x" u32) (result u32) (canon lift (core func $i "id"))))
//!     (assert_return (invoke "id" (u32.const 7)) (u32.const 7))
//!     "#,
//!     &weft::Config::default(),
//! );
//! assert_eq!((report.passed, report.failed), (2, 0));
//! ```

use crate::wast::{directive_name, WastReport};
use crate::{Config, Engine, Store};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::Arc;
use wast::component::WastVal;
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastRet, Wat};
use weft_canon_abi::component::{Component, Instance, Linker};
use weft_canon_abi::{Error, ResourceAny, ResourceType, Val};

/// Runs a `.wast` script with the runner it needs: the component runner when any directive
/// holds a component or a component value, the core runner ([`crate::wast`]) otherwise.
///
/// A script that does not parse goes to the component runner if its text mentions
/// `(component`, so the failure is reported once either way.
#[must_use]
pub fn run_script(filename: &str, source: &str, config: &Config) -> WastReport {
    run_script_with(filename, source, config, false)
}

/// [`run_script`], also running scripts marked `;;! hogs_memory = true` when
/// `run_memory_hogs` is set (see [`run_component_wast_with`]).
#[must_use]
pub fn run_script_with(
    filename: &str,
    source: &str,
    config: &Config,
    run_memory_hogs: bool,
) -> WastReport {
    if is_component_script(source) {
        run_component_wast_with(filename, source, config, run_memory_hogs)
    } else {
        crate::wast::run_wast_with_config(filename, source, config)
    }
}

/// Whether `source` is a Component Model script (see [`run_script`]).
#[must_use]
pub fn is_component_script(source: &str) -> bool {
    let Ok(buf) = ParseBuffer::new_with_lexer(lexer(source)) else {
        return source.contains("(component");
    };
    match parser::parse::<Wast<'_>>(&buf) {
        Ok(script) => script.directives.iter().any(mentions_component),
        Err(_) => source.contains("(component"),
    }
}

fn lexer(source: &str) -> Lexer<'_> {
    let mut lexer = Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    lexer
}

fn quote_is_component(q: &QuoteWat<'_>) -> bool {
    matches!(
        q,
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
    )
}

fn exec_is_component(e: &WastExecute<'_>) -> bool {
    match e {
        WastExecute::Invoke(i) => i.args.iter().any(|a| matches!(a, WastArg::Component(_))),
        WastExecute::Wat(w) => matches!(w, Wat::Component(_)),
        _ => false,
    }
}

fn mentions_component(d: &WastDirective<'_>) -> bool {
    match d {
        WastDirective::Module(q) | WastDirective::ModuleDefinition(q) => quote_is_component(q),
        WastDirective::AssertMalformed { module, .. }
        | WastDirective::AssertInvalid { module, .. } => quote_is_component(module),
        WastDirective::AssertUnlinkable { module, .. } => matches!(module, Wat::Component(_)),
        WastDirective::Invoke(i) => i.args.iter().any(|a| matches!(a, WastArg::Component(_))),
        WastDirective::AssertTrap { exec, .. } => exec_is_component(exec),
        WastDirective::AssertReturn { exec, results, .. } => {
            exec_is_component(exec) || results.iter().any(|r| matches!(r, WastRet::Component(_)))
        }
        _ => false,
    }
}

/// Runs a whole component script; `filename` is only used in messages.
///
/// Scripts marked `;;! hogs_memory = true` (wasmtime's mark for tests that build
/// multi-gigabyte memories and values) are not run: the report has no passes, one failure
/// saying so. [`run_component_wast_with`] can run them.
#[must_use]
pub fn run_component_wast(filename: &str, source: &str, config: &Config) -> WastReport {
    run_component_wast_with(filename, source, config, false)
}

/// [`run_component_wast`], running scripts marked `;;! hogs_memory = true` too when
/// `run_memory_hogs` is set (they may take gigabytes of memory and minutes).
#[must_use]
pub fn run_component_wast_with(
    filename: &str,
    source: &str,
    config: &Config,
    run_memory_hogs: bool,
) -> WastReport {
    let mut report = WastReport::default();
    if !run_memory_hogs && source.contains(";;! hogs_memory = true") {
        report.fail(
            0,
            0,
            "script",
            "not run: marked `hogs_memory` (builds multi-gigabyte values)".into(),
        );
        return report;
    }
    let config = &script_config(source, config);
    let parse_error = |mut e: wast::Error| {
        e.set_path(Path::new(filename));
        e.set_text(source);
        format!("failed to parse script: {e}")
    };
    let buf = match ParseBuffer::new_with_lexer(lexer(source)) {
        Ok(buf) => buf,
        Err(e) => {
            report.fail(0, 0, "script", parse_error(e));
            return report;
        }
    };
    let script = match parser::parse::<Wast<'_>>(&buf) {
        Ok(script) => script,
        Err(e) => {
            report.fail(0, 0, "script", parse_error(e));
            return report;
        }
    };
    let mut runner = match Runner::new(config) {
        Ok(r) => r,
        Err(e) => {
            report.fail(0, 0, "script", format!("host definitions: {e}"));
            return report;
        }
    };
    for directive in script.directives {
        let (line, col) = directive.span().linecol_in(source);
        let name = directive_name(&directive);
        let result = catch_unwind(AssertUnwindSafe(|| runner.directive(directive)))
            .unwrap_or_else(|_| Err("the runtime panicked".into()));
        match result {
            Ok(()) => report.passed += 1,
            Err(message) => report.fail(line + 1, col + 1, name, message),
        }
    }
    report
}

/// `config` with the features a script's `;;! name = true|false` header lines set
/// (wasmtime's convention for its test files). Names Weft has no switch for are ignored;
/// `hogs_memory` raises [`Config::max_memory_pages`] to 8 GiB.
#[must_use]
pub fn script_config(source: &str, config: &Config) -> Config {
    let mut config = config.clone();
    for line in source.lines() {
        let Some(setting) = line.trim().strip_prefix(";;!") else {
            continue;
        };
        let Some((name, value)) = setting.split_once('=') else {
            continue;
        };
        let on = match value.trim() {
            "true" => true,
            "false" => false,
            _ => continue,
        };
        config = match name.trim() {
            "component_model_implements" => config.component_model_implements(on),
            "component_model_gc" => config.component_model_gc(on),
            "component_model_memory64" => config.component_model_memory64(on),
            "component_model_fixed_length_lists" => config.component_model_fixed_length_lists(on),
            "memory64" => config.wasm_memory64(on),
            "gc" => config.wasm_gc(on),
            "function_references" => config.wasm_function_references(on),
            "reference_types" => config.wasm_reference_types(on),
            "multi_memory" => config.wasm_multi_memory(on),
            "exceptions" => config.wasm_exceptions(on),
            "simd" => config.wasm_simd(on),
            "relaxed_simd" => config.wasm_relaxed_simd(on),
            "threads" => config.wasm_threads(on),
            "tail_call" => config.wasm_tail_call(on),
            // Memory hogs grow memories past 4 GiB (the default limit); allow 8 GiB.
            "hogs_memory" if on => config.max_memory_pages(1 << 17),
            _ => config,
        };
    }
    config
}

/// The state of one script: the store, the linker (host items plus named instances) and
/// the instances and definitions directives refer to.
struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    definitions: HashMap<String, Component>,
    instances: HashMap<String, Instance>,
    current: Option<Instance>,
}

fn is_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes[4..8] == [0x0d, 0x00, 0x01, 0x00]
}

/// `(f32.const x)` and `(f64.const x)`, which the text format reads as core values, as the
/// component floats they also spell; other core arguments have no component meaning.
fn core_float_arg(c: &wast::core::WastArgCore<'_>) -> Option<Val> {
    use wast::core::WastArgCore as A;
    match c {
        A::F32(x) => Some(Val::Float32(f32::from_bits(x.bits))),
        A::F64(x) => Some(Val::Float64(f64::from_bits(x.bits))),
        _ => None,
    }
}

/// As [`core_float_arg`], for expected results (exact values only, no NaN patterns).
fn core_float_ret(c: &wast::core::WastRetCore<'_>) -> Option<Val> {
    use wast::core::{NanPattern, WastRetCore as R};
    match c {
        R::F32(NanPattern::Value(x)) => Some(Val::Float32(f32::from_bits(x.bits))),
        R::F64(NanPattern::Value(x)) => Some(Val::Float64(f64::from_bits(x.bits))),
        _ => None,
    }
}

/// A `.wast` component value as a [`Val`].
fn to_val(w: &WastVal<'_>) -> Result<Val, String> {
    Ok(match w {
        WastVal::Bool(b) => Val::Bool(*b),
        WastVal::U8(x) => Val::U8(*x),
        WastVal::S8(x) => Val::S8(*x),
        WastVal::U16(x) => Val::U16(*x),
        WastVal::S16(x) => Val::S16(*x),
        WastVal::U32(x) => Val::U32(*x),
        WastVal::S32(x) => Val::S32(*x),
        WastVal::U64(x) => Val::U64(*x),
        WastVal::S64(x) => Val::S64(*x),
        WastVal::F32(x) => Val::Float32(f32::from_bits(x.bits)),
        WastVal::F64(x) => Val::Float64(f64::from_bits(x.bits)),
        WastVal::Char(c) => Val::Char(*c),
        WastVal::String(s) => Val::String(s.to_string()),
        WastVal::List(vs) => Val::List(vs.iter().map(to_val).collect::<Result<_, _>>()?),
        WastVal::Record(fs) => Val::Record(
            fs.iter()
                .map(|(l, v)| Ok((l.to_string(), to_val(v)?)))
                .collect::<Result<_, String>>()?,
        ),
        WastVal::Tuple(vs) => Val::Tuple(vs.iter().map(to_val).collect::<Result<_, _>>()?),
        WastVal::Variant(l, p) => Val::Variant(l.to_string(), to_payload(p)?),
        WastVal::Enum(l) => Val::Enum(l.to_string()),
        WastVal::Option(p) => Val::Option(to_payload(p)?),
        WastVal::Result(Ok(p)) => Val::Result(Ok(to_payload(p)?)),
        WastVal::Result(Err(p)) => Val::Result(Err(to_payload(p)?)),
        WastVal::Flags(ls) => Val::Flags(ls.iter().map(|l| l.to_string()).collect()),
        other => return Err(format!("unsupported value {other:?}")),
    })
}

fn to_payload(p: &Option<Box<WastVal<'_>>>) -> Result<Option<Box<Val>>, String> {
    p.as_deref().map(|v| to_val(v).map(Box::new)).transpose()
}

/// Value equality for `assert_return`: NaN equals NaN, flags compare as sets.
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Float32(x), Val::Float32(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Val::Float64(x), Val::Float64(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Val::List(x), Val::List(y)) | (Val::Tuple(x), Val::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Val::Record(x), Val::Record(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((l, a), (m, b))| l == m && same(a, b))
        }
        (Val::Variant(l, x), Val::Variant(m, y)) => l == m && same_payload(x, y),
        (Val::Option(x), Val::Option(y)) => same_payload(x, y),
        (Val::Result(Ok(x)), Val::Result(Ok(y))) | (Val::Result(Err(x)), Val::Result(Err(y))) => {
            same_payload(x, y)
        }
        (Val::Flags(x), Val::Flags(y)) => {
            let mut x = x.clone();
            let mut y = y.clone();
            x.sort();
            y.sort();
            x == y
        }
        _ => a == b,
    }
}

fn same_payload(a: &Option<Box<Val>>, b: &Option<Box<Val>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn u32_of(v: &Val) -> weft_canon_abi::Result<u32> {
    match v {
        Val::U32(x) => Ok(*x),
        other => Err(Error::host(format!("expected u32, got {other}"))),
    }
}

fn resource_of(v: &Val) -> weft_canon_abi::Result<ResourceAny> {
    match v {
        Val::Resource(r) => Ok(r.clone()),
        other => Err(Error::host(format!("expected a resource, got {other}"))),
    }
}

/// Defines the host items wasmtime's component tests import, as that runtime's wast
/// harness defines them: root functions `host-return-two` and `host-echo-u32`, and an
/// instance `host` with `return-three`, `nested.return-four`, the resources `resource1`
/// (with a destructor the `drops`/`last-drop` functions observe), `resource1-again` (the
/// same type) and `resource2`, `resource1`'s constructor, methods and static functions, and
/// a core module `simple-module`.
pub fn define_host(engine: &Engine, linker: &mut Linker<()>) -> weft_canon_abi::Result<()> {
    let drops = Arc::new(AtomicU32::new(0));
    let last_drop = Arc::new(AtomicU32::new(0));
    let (d, l) = (drops.clone(), last_drop.clone());
    let resource1 = ResourceType::host_with_dtor("resource1", move |rep| {
        d.fetch_add(1, SeqCst);
        l.store(rep, SeqCst);
    });
    let mut root = linker.root();
    root.func_new("host-return-two", |_, _, r| {
        r[0] = Val::U32(2);
        Ok(())
    })?;
    root.func_new("host-echo-u32", |_, p, r| {
        r[0] = p[0].clone();
        Ok(())
    })?;
    let mut host = linker.instance("host")?;
    host.func_new("return-three", |_, _, r| {
        r[0] = Val::U32(3);
        Ok(())
    })?;
    host.instance("nested")?
        .func_new("return-four", |_, _, r| {
            r[0] = Val::U32(4);
            Ok(())
        })?;
    host.resource("resource1", resource1.clone())?;
    host.resource("resource1-again", resource1.clone())?;
    host.resource("resource2", ResourceType::host("resource2"))?;
    let r1 = resource1.clone();
    host.func_new("[constructor]resource1", move |_, p, r| {
        r[0] = Val::Resource(ResourceAny::new_own(r1.clone(), u32_of(&p[0])?));
        Ok(())
    })?;
    host.func_new("[static]resource1.assert", |_, p, _| {
        let (res, rep) = (resource_of(&p[0])?, u32_of(&p[1])?);
        if res.rep != rep {
            return Err(Error::host(format!("rep {} != {rep}", res.rep)));
        }
        Ok(())
    })?;
    host.func_new("[static]resource1.last-drop", move |_, _, r| {
        r[0] = Val::U32(last_drop.load(SeqCst));
        Ok(())
    })?;
    host.func_new("[static]resource1.drops", move |_, _, r| {
        r[0] = Val::U32(drops.load(SeqCst));
        Ok(())
    })?;
    host.func_new("[method]resource1.simple", |_, p, _| {
        let (res, rep) = (resource_of(&p[0])?, u32_of(&p[1])?);
        if res.own || res.rep != rep {
            return Err(Error::host("simple: expected a borrow of the rep"));
        }
        Ok(())
    })?;
    host.func_new("[method]resource1.take-borrow", |_, _, _| Ok(()))?;
    host.func_new("[method]resource1.take-own", |_, _, _| Ok(()))?;
    let module = weft_interp::Module::new(
        engine,
        r#"(module (global (export "g") i32 i32.const 100) (func (export "f") (result i32) i32.const 101))"#,
    )?;
    host.module("simple-module", module)?;
    Ok(())
}

impl Runner {
    fn new(config: &Config) -> weft_canon_abi::Result<Runner> {
        let engine = Engine::new(config);
        let mut linker = Linker::new(&engine);
        define_host(&engine, &mut linker)?;
        let mut store = Store::new(&engine, ());
        if config.get_fuel() {
            // As in the core runner: fuel on, but (practically) unlimited.
            let _ = store.set_fuel(u64::MAX);
        }
        Ok(Runner {
            store,
            linker,
            engine,
            definitions: HashMap::new(),
            instances: HashMap::new(),
            current: None,
        })
    }

    /// Encodes and compiles a component, or only compiles a core module (`None`).
    fn compile(&self, wat: &mut QuoteWat<'_>) -> Result<Option<Component>, String> {
        let bytes = wat.encode().map_err(|e| format!("encode: {e}"))?;
        if is_component(&bytes) {
            Component::from_binary(&self.engine, &bytes)
                .map(Some)
                .map_err(|e| e.to_string())
        } else {
            crate::Module::from_binary(&self.engine, &bytes).map_err(|e| e.to_string())?;
            Ok(None)
        }
    }

    /// A named instance can be invoked by name and, as wasmtime's harness does, is visible
    /// to later components as an import of that name.
    fn name_instance(&mut self, name: &str, inst: &Instance) -> Result<(), String> {
        self.instances.insert(name.to_string(), inst.clone());
        self.linker.allow_shadowing(true);
        self.linker
            .root()
            .define_instance(name, inst)
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    fn instantiate(&mut self, c: &Component) -> Result<Instance, String> {
        self.linker
            .instantiate(&mut self.store, c)
            .map_err(|e| e.to_string())
    }

    fn invoke(
        &mut self,
        module: Option<&str>,
        name: &str,
        args: &[WastArg<'_>],
    ) -> Result<Vec<Val>, Error> {
        let inst = match module {
            Some(m) => self.instances.get(m).cloned(),
            None => self.current.clone(),
        }
        .ok_or_else(|| Error::host("no instance to invoke"))?;
        let f = inst.get_func(&mut self.store, name)?;
        let args = args
            .iter()
            .map(|a| match a {
                WastArg::Component(v) => to_val(v).map_err(Error::host),
                WastArg::Core(c) => core_float_arg(c)
                    .ok_or_else(|| Error::host("core argument in a component invoke")),
                _ => Err(Error::host("unsupported argument in a component invoke")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = f.ty().map_or(0, |t| t.results.len());
        let mut results = vec![Val::Bool(false); n];
        f.call(&mut self.store, &args, &mut results)?;
        Ok(results)
    }

    fn directive(&mut self, d: WastDirective<'_>) -> Result<(), String> {
        match d {
            WastDirective::Module(mut wat) => {
                let name = wat.name().map(|n| n.name().to_string());
                if let Some(c) = self.compile(&mut wat)? {
                    // A component that fails to instantiate leaves no current instance,
                    // so later invokes cannot silently hit an earlier one.
                    self.current = None;
                    let inst = self.instantiate(&c)?;
                    if let Some(n) = name {
                        self.name_instance(&n, &inst)?;
                    }
                    self.current = Some(inst);
                }
                Ok(())
            }
            WastDirective::ModuleDefinition(mut wat) => {
                let name = wat.name().map(|n| n.name().to_string());
                if let (Some(c), Some(n)) = (self.compile(&mut wat)?, name) {
                    self.definitions.insert(n, c);
                }
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let c = module
                    .and_then(|m| self.definitions.get(m.name()).cloned())
                    .ok_or("unknown component definition")?;
                self.current = None;
                let inst = self.instantiate(&c)?;
                if let Some(n) = instance {
                    self.name_instance(n.name(), &inst)?;
                }
                self.current = Some(inst);
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let inst = match module {
                    Some(m) => self.instances.get(m.name()).cloned(),
                    None => self.current.clone(),
                }
                .ok_or("nothing to register")?;
                self.linker.allow_shadowing(true);
                self.linker
                    .root()
                    .define_instance(name, &inst)
                    .map_err(|e| e.to_string())?;
                Ok(())
            }
            WastDirective::AssertMalformed { mut module, .. }
            | WastDirective::AssertInvalid { mut module, .. } => match self.compile(&mut module) {
                Ok(_) => Err("expected the component to be rejected".into()),
                Err(_) => Ok(()),
            },
            WastDirective::AssertUnlinkable { module, .. } => {
                let mut q = QuoteWat::Wat(module);
                let c = self
                    .compile(&mut q)?
                    .ok_or("assert_unlinkable of a core module")?;
                match self.instantiate(&c) {
                    Ok(_) => Err("expected a link error".into()),
                    Err(_) => Ok(()),
                }
            }
            WastDirective::Invoke(i) => {
                self.invoke(i.module.map(|m| m.name()), i.name, &i.args)
                    .map_err(|e| e.to_string())?;
                Ok(())
            }
            WastDirective::AssertReturn { exec, results, .. } => {
                let WastExecute::Invoke(i) = exec else {
                    return Err("unsupported assert_return action".into());
                };
                let got = self
                    .invoke(i.module.map(|m| m.name()), i.name, &i.args)
                    .map_err(|e| e.to_string())?;
                let want = results
                    .iter()
                    .map(|r| match r {
                        WastRet::Component(v) => to_val(v),
                        WastRet::Core(c) => core_float_ret(c)
                            .ok_or_else(|| "core result in a component assert_return".into()),
                        _ => Err("unsupported result in a component assert_return".into()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if got.len() == want.len() && got.iter().zip(&want).all(|(a, b)| same(a, b)) {
                    Ok(())
                } else {
                    Err(format!("got {got:?}, want {want:?}"))
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let r = match exec {
                    WastExecute::Invoke(i) => self
                        .invoke(i.module.map(|m| m.name()), i.name, &i.args)
                        .map(|_| ()),
                    WastExecute::Wat(w) => {
                        let mut q = QuoteWat::Wat(w);
                        let c = self
                            .compile(&mut q)?
                            .ok_or("assert_trap on a core module")?;
                        self.linker.instantiate(&mut self.store, &c).map(|_| ())
                    }
                    WastExecute::Get { .. } => return Err("unsupported get".into()),
                };
                // Trap wording follows one runtime's messages (see the conformance data's
                // README); the kind — a trap, not another error — is what must match.
                match r {
                    Err(e) if e.is_trap() => Ok(()),
                    Err(e) => Err(format!("expected trap `{message}`, got error {e}")),
                    Ok(()) => Err(format!("expected trap `{message}`")),
                }
            }
            _ => Err("unsupported directive".into()),
        }
    }
}
