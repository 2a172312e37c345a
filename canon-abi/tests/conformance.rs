//! A runner for component `.wast` scripts, over the conformance data in
//! `../shared/conformance/` (or `$WEFT_CONFORMANCE_DIR`). It prints per-file pass/fail counts
//! and fails if a file passes fewer directives than `conformance-baseline.txt` records, or
//! if anything panics. `WEFT_BLESS=1` rewrites the baseline.
//!
//! The scripts are parsed with the workspace's `wast` (263): a few files in the data predate a
//! text-format change and fail to parse; they count as one failure each.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::Arc;
use wast::component::WastVal;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastRet};
use weft_canon_abi::component::{Component, Instance, Linker};
use weft_canon_abi::{ResourceAny, ResourceType, Val};
use weft_interp::{Engine, Store};

#[derive(Default, Debug)]
struct Counts {
    passed: usize,
    failed: usize,
    failures: Vec<String>,
}

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
        WastVal::Variant(l, p) => Val::Variant(l.to_string(), opt(p)?),
        WastVal::Enum(l) => Val::Enum(l.to_string()),
        WastVal::Option(p) => Val::Option(opt(p)?),
        WastVal::Result(Ok(p)) => Val::Result(Ok(opt(p)?)),
        WastVal::Result(Err(p)) => Val::Result(Err(opt(p)?)),
        WastVal::Flags(ls) => Val::Flags(ls.iter().map(|l| l.to_string()).collect()),
        other => return Err(format!("unsupported value {other:?}")),
    })
}

fn opt(p: &Option<Box<WastVal<'_>>>) -> Result<Option<Box<Val>>, String> {
    p.as_deref().map(|v| to_val(v).map(Box::new)).transpose()
}

/// Value equality where NaN equals NaN and flags compare as sets.
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
        (Val::Variant(l, x), Val::Variant(m, y)) => l == m && same_opt(x, y),
        (Val::Option(x), Val::Option(y)) => same_opt(x, y),
        (Val::Result(Ok(x)), Val::Result(Ok(y))) | (Val::Result(Err(x)), Val::Result(Err(y))) => {
            same_opt(x, y)
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

fn same_opt(a: &Option<Box<Val>>, b: &Option<Box<Val>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn u32_of(v: &Val) -> weft_canon_abi::Result<u32> {
    match v {
        Val::U32(x) => Ok(*x),
        other => Err(weft_canon_abi::Error::host(format!(
            "expected u32, got {other}"
        ))),
    }
}

fn resource_of(v: &Val) -> weft_canon_abi::Result<ResourceAny> {
    match v {
        Val::Resource(r) => Ok(r.clone()),
        other => Err(weft_canon_abi::Error::host(format!(
            "expected a resource, got {other}"
        ))),
    }
}

/// The host items the wasmtime component tests import (the `host` instance and a few
/// top-level functions), as that runtime's wast harness defines them.
fn define_host(engine: &Engine, linker: &mut Linker<()>) -> weft_canon_abi::Result<()> {
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
        r[0] = Val::Resource(ResourceAny {
            ty: r1.clone(),
            rep: u32_of(&p[0])?,
            own: true,
        });
        Ok(())
    })?;
    host.func_new("[static]resource1.assert", |_, p, _| {
        let (res, rep) = (resource_of(&p[0])?, u32_of(&p[1])?);
        if res.rep != rep {
            return Err(weft_canon_abi::Error::host(format!(
                "rep {} != {rep}",
                res.rep
            )));
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
            return Err(weft_canon_abi::Error::host(
                "simple: expected a borrow of the rep",
            ));
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
    fn new() -> Runner {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        if let Err(e) = define_host(&engine, &mut linker) {
            panic!("host definitions: {e}");
        }
        Runner {
            store: Store::new(&engine, ()),
            linker,
            engine,
            definitions: HashMap::new(),
            instances: HashMap::new(),
            current: None,
        }
    }

    fn compile(&self, wat: &mut QuoteWat<'_>) -> Result<Option<Component>, String> {
        let bytes = wat.encode().map_err(|e| format!("encode: {e}"))?;
        if is_component(&bytes) {
            Component::from_binary(&self.engine, &bytes)
                .map(Some)
                .map_err(|e| e.to_string())
        } else {
            weft_interp::Module::from_binary(&self.engine, &bytes).map_err(|e| e.to_string())?;
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
    ) -> Result<Vec<Val>, weft_canon_abi::Error> {
        let inst = match module {
            Some(m) => self.instances.get(m).cloned(),
            None => self.current.clone(),
        }
        .ok_or_else(|| weft_canon_abi::Error::Host("no instance to invoke".into()))?;
        let f = inst.get_func(&mut self.store, name)?;
        let args = args
            .iter()
            .map(|a| match a {
                WastArg::Component(v) => to_val(v).map_err(weft_canon_abi::Error::Host),
                _ => Err(weft_canon_abi::Error::Host("core argument".into())),
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
                let c = self.compile(&mut q)?.ok_or("core module")?;
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
                    return Err("unsupported assert_return".into());
                };
                let got = self
                    .invoke(i.module.map(|m| m.name()), i.name, &i.args)
                    .map_err(|e| e.to_string())?;
                let want = results
                    .iter()
                    .map(|r| match r {
                        WastRet::Component(v) => to_val(v),
                        _ => Err("core result".into()),
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
                        let c = self.compile(&mut q)?.ok_or("core module")?;
                        self.linker.instantiate(&mut self.store, &c).map(|_| ())
                    }
                    WastExecute::Get { .. } => return Err("unsupported get".into()),
                };
                match r {
                    Err(e) if e.is_trap() => {
                        if std::env::var_os("WEFT_CONFORMANCE_MESSAGES").is_some()
                            && !e.to_string().contains(message)
                        {
                            eprintln!("trap wording: want `{message}`, got `{e}`");
                        }
                        Ok(())
                    }
                    Err(e) => Err(format!("expected trap `{message}`, got error {e}")),
                    Ok(()) => Err(format!("expected trap `{message}`")),
                }
            }
            _ => Err("unsupported directive".into()),
        }
    }
}

fn run_file(path: &Path) -> Counts {
    let mut counts = Counts::default();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            counts.failed += 1;
            counts.failures.push(e.to_string());
            return counts;
        }
    };
    // Files marked as memory hogs build multi-gigabyte strings; like other runtimes' CI we
    // do not run them.
    if text.contains(";;! hogs_memory = true") {
        counts.failures.push("skipped: hogs memory".into());
        return counts;
    }
    let buf = match ParseBuffer::new(&text) {
        Ok(b) => b,
        Err(e) => {
            counts.failed += 1;
            counts.failures.push(format!("lex: {e}"));
            return counts;
        }
    };
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(w) => w,
        Err(e) => {
            counts.failed += 1;
            counts.failures.push(format!("parse: {}", e.message()));
            return counts;
        }
    };
    let mut runner = Runner::new();
    for d in wast.directives {
        let (line, _) = d.span().linecol_in(&text);
        match runner.directive(d) {
            Ok(()) => counts.passed += 1,
            Err(e) => {
                counts.failed += 1;
                counts.failures.push(format!("line {}: {e}", line + 1));
            }
        }
    }
    counts
}

fn wast_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            wast_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "wast") {
            out.push(p);
        }
    }
}

#[test]
fn conformance_wast() {
    let dir = std::env::var_os("WEFT_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance"));
    if !dir.is_dir() {
        eprintln!(
            "!!! component conformance data not found at {} — SKIPPING the conformance run",
            dir.display()
        );
        return;
    }
    let mut files = Vec::new();
    wast_files(&dir, &mut files);
    files.sort();
    // WEFT_CONFORMANCE_FILTER=substring runs only matching files (with every failure shown).
    let filter = std::env::var("WEFT_CONFORMANCE_FILTER").ok();
    if let Some(f) = &filter {
        files.retain(|p| p.display().to_string().contains(f.as_str()));
    }
    let mut results: BTreeMap<String, Counts> = BTreeMap::new();
    let mut panicked = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap_or(f).display().to_string();
        if std::env::var_os("WEFT_CONFORMANCE_VERBOSE").is_some() {
            eprintln!("running {rel}");
        }
        match std::panic::catch_unwind(|| run_file(f)) {
            Ok(c) => {
                results.insert(rel, c);
            }
            Err(_) => panicked.push(rel),
        }
    }
    let (mut passed, mut failed) = (0, 0);
    for (name, c) in &results {
        passed += c.passed;
        failed += c.failed;
        println!("{:4} passed {:4} failed  {name}", c.passed, c.failed);
        if std::env::var_os("WEFT_CONFORMANCE_VERBOSE").is_some() {
            for m in c
                .failures
                .iter()
                .take(if filter.is_some() { usize::MAX } else { 5 })
            {
                println!("        {m}");
            }
        }
    }
    println!(
        "total: {passed} passed, {failed} failed, {} files, {} panicked",
        files.len(),
        panicked.len()
    );
    // CLASSIFICATION.txt (beside the data) sorts files into Preview 2 and Preview 3.
    if let Ok(classes) = std::fs::read_to_string(dir.join("CLASSIFICATION.txt")) {
        let mut by_class: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for line in classes.lines() {
            let Some((class, file)) = line.split_once(' ') else {
                continue;
            };
            if let Some(c) = results.get(file.trim_start_matches("./")) {
                let e = by_class.entry(class).or_default();
                e.0 += c.passed;
                e.1 += c.failed;
            }
        }
        for (class, (p, f)) in by_class {
            println!("{class}: {p} passed, {f} failed");
        }
    }
    let baseline_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-baseline.txt");
    if std::env::var_os("WEFT_BLESS").is_some() {
        let text: String = results
            .iter()
            .map(|(n, c)| format!("{} {n}\n", c.passed))
            .collect();
        std::fs::write(&baseline_path, text).unwrap();
    }
    let baseline = std::fs::read_to_string(&baseline_path).unwrap_or_default();
    let mut regressions = Vec::new();
    for line in baseline.lines() {
        let Some((n, name)) = line.split_once(' ') else {
            continue;
        };
        let want: usize = n.parse().unwrap_or(0);
        let got = results.get(name).map_or(0, |c| c.passed);
        if got < want {
            regressions.push(format!("{name}: {got} passed, baseline {want}"));
        }
    }
    assert!(panicked.is_empty(), "panicked: {panicked:?}");
    if filter.is_some() {
        return;
    }
    assert!(regressions.is_empty(), "regressions: {regressions:#?}");
}
