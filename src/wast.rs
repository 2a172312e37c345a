//! A runner for `.wast` spec-test scripts.
//!
//! A script is a list of directives (`module`, `register`, `invoke`, `assert_return`,
//! `assert_trap`, ...) as used by the official WebAssembly test suite; see
//! <https://github.com/WebAssembly/spec/blob/main/interpreter/README.md#scripts>.
//! [`run_wast`] executes every directive of a script against the Weft interpreter and
//! counts one pass or one failure per directive. A failing directive never stops the
//! script, and no input makes the runner panic.

use crate::{
    AddrType, Config, Engine, Error, ExternRef, Func, FuncType, Global, GlobalType, Instance,
    Limits, Linker, Memory, MemoryType, Module, Mutability, Store, Table, TableType, Val, ValType,
};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// Counts for one script.
#[derive(Debug, Default, Clone)]
pub struct WastReport {
    /// Number of directives that behaved as the script expects.
    pub passed: usize,
    /// Number of directives that did not.
    pub failed: usize,
    /// One entry per failed directive, in script order.
    pub failures: Vec<WastFailure>,
}

/// One failed directive of a script.
#[derive(Debug, Clone)]
pub struct WastFailure {
    /// 1-based line of the directive (0 when the whole script failed to parse).
    pub line: usize,
    /// 1-based column of the directive (0 when the whole script failed to parse).
    pub col: usize,
    /// The kind of directive, e.g. `"assert_return"`.
    pub directive: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for WastFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.line, self.col, self.directive, self.message
        )
    }
}

impl WastReport {
    pub(crate) fn fail(&mut self, line: usize, col: usize, directive: &str, message: String) {
        self.failed += 1;
        self.failures.push(WastFailure {
            line,
            col,
            directive: directive.to_string(),
            message,
        });
    }
}

/// Runs a whole script with the default [`Config`]; `filename` is only used in messages.
///
/// Never panics on any input: a script that does not parse is reported as one failure at
/// line 0.
///
/// ```
/// let report = weft::wast::run_wast(
///     "example.wast",
///     r#"
///     (module
///       (func (export "add") (param i32 i32) (result i32)
///         local.get 0 local.get 1 i32.add))
///     (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
///     (assert_trap (module (func $f unreachable) (start $f)) "unreachable")
///     "#,
/// );
/// assert_eq!((report.passed, report.failed), (3, 0));
/// ```
#[must_use]
pub fn run_wast(filename: &str, source: &str) -> WastReport {
    run_wast_with_config(filename, source, &Config::default())
}

/// Same as [`run_wast`], with the engine built from `config`.
///
/// When `config` enables fuel, the store is given (practically) unlimited fuel.
#[must_use]
pub fn run_wast_with_config(filename: &str, source: &str, config: &Config) -> WastReport {
    let mut report = WastReport::default();

    let mut lexer = Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    let parse_error = |mut e: wast::Error| {
        e.set_path(Path::new(filename));
        e.set_text(source);
        format!("failed to parse script: {e}")
    };
    let buf = match ParseBuffer::new_with_lexer(lexer) {
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
        Ok(runner) => runner,
        Err(e) => {
            report.fail(
                0,
                0,
                "script",
                format!("{filename}: failed to set up the spectest module: {e}"),
            );
            return report;
        }
    };

    for directive in script.directives {
        let (line, col) = directive.span().linecol_in(source);
        let name = directive_name(&directive);
        match runner.run(directive) {
            Ok(()) => report.passed += 1,
            Err(message) => report.fail(line + 1, col + 1, name, message),
        }
    }
    report
}

/// The keyword of a directive, for messages.
pub(crate) fn directive_name(directive: &WastDirective<'_>) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

const UNSUPPORTED_DIRECTIVE: &str = "unsupported directive";

/// Why running an action (an invoke, a `get` or an instantiation) did not produce values.
enum ActionError {
    /// The action could not even be attempted (unknown module or export, bad argument,
    /// module that does not compile, ...). Never satisfies an assertion.
    Setup(String),
    /// The interpreter reported an error while doing the action.
    Wasm(Error),
}

impl ActionError {
    fn describe(&self) -> String {
        match self {
            ActionError::Setup(s) => s.clone(),
            ActionError::Wasm(e) => format!("unexpected error: {e}"),
        }
    }
}

/// The state of one script run.
struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The most recently instantiated module, target of invokes without a module name.
    current: Option<Instance>,
    /// Instances by `$id`.
    instances: HashMap<String, Instance>,
    /// Module definitions (`module definition`) by `$id`.
    definitions: HashMap<String, Module>,
    /// The most recent module definition.
    last_definition: Option<Module>,
    /// `thread` blocks that ran and were not waited for yet.
    finished_threads: std::collections::HashSet<String>,
}

impl Runner {
    fn new(config: &Config) -> Result<Runner, Error> {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
        // Errors only when fuel metering is off, in which case there is nothing to set.
        let _ = store.set_fuel(u64::MAX / 2);
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        define_spectest(&mut linker, &mut store)?;
        Ok(Runner {
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            finished_threads: std::collections::HashSet::new(),
        })
    }

    /// Runs one directive: `Ok` if it passed, otherwise why it failed.
    fn run(&mut self, directive: WastDirective<'_>) -> Result<(), String> {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                // Until this module is instantiated, invokes must not reach an older one.
                self.current = None;
                if let Some(name) = &name {
                    self.instances.remove(name);
                }
                let module = self.compile(&mut module)?;
                let instance = self.instantiate(&module)?;
                self.current = Some(instance);
                if let Some(name) = name {
                    self.instances.insert(name, instance);
                }
                Ok(())
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                if let Some(name) = &name {
                    self.definitions.remove(name);
                }
                self.last_definition = None;
                let module = self.compile(&mut module)?;
                if let Some(name) = name {
                    self.definitions.insert(name, module.clone());
                }
                self.last_definition = Some(module);
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let name = instance.map(|id| id.name().to_string());
                self.current = None;
                if let Some(name) = &name {
                    self.instances.remove(name);
                }
                let module = match module {
                    Some(id) => self
                        .definitions
                        .get(id.name())
                        .cloned()
                        .ok_or_else(|| format!("unknown module definition ${}", id.name()))?,
                    None => self
                        .last_definition
                        .clone()
                        .ok_or("no module definition to instantiate")?,
                };
                let instance = self.instantiate(&module)?;
                self.current = Some(instance);
                if let Some(name) = name {
                    self.instances.insert(name, instance);
                }
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.lookup(module)?;
                self.linker
                    .instance(&mut self.store, name, instance)
                    .map_err(|e| format!("failed to register {name:?}: {e}"))?;
                Ok(())
            }
            WastDirective::Invoke(invoke) => {
                self.invoke(&invoke).map_err(|e| e.describe())?;
                Ok(())
            }
            WastDirective::AssertReturn { exec, results, .. } => {
                let actual = self.execute(exec).map_err(|e| e.describe())?;
                self.check_results(&actual, &results)
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let result = self.execute(exec);
                self.expect_trap(result, message)
            }
            WastDirective::AssertException { exec, .. } => match self.execute(exec) {
                Err(ActionError::Wasm(crate::Error::Exception(_))) => Ok(()),
                Err(ActionError::Wasm(e)) => Err(format!("expected an exception, got error: {e}")),
                Err(ActionError::Setup(s)) => Err(s),
                Ok(values) => Err(format!(
                    "expected an exception, got {}",
                    self.format_vals(&values)
                )),
            },
            WastDirective::AssertExhaustion { call, message, .. } => {
                let result = self.invoke(&call);
                self.expect_trap(result, message)
            }
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            }
            | WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => {
                if is_component(&module) {
                    return Err(UNSUPPORTED_DIRECTIVE.to_string());
                }
                let bytes = match module.encode() {
                    Ok(bytes) => bytes,
                    // Text that does not even encode is rejected, as required.
                    Err(_) => return Ok(()),
                };
                match Module::from_binary(&self.engine, &bytes) {
                    Ok(_) => Err(format!(
                        "module was accepted, expected it to be rejected with {message:?}"
                    )),
                    Err(_) => Ok(()),
                }
            }
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                if matches!(module, Wat::Component(_)) {
                    return Err(UNSUPPORTED_DIRECTIVE.to_string());
                }
                let bytes = module
                    .encode()
                    .map_err(|e| format!("failed to encode module: {e}"))?;
                let module = Module::from_binary(&self.engine, &bytes)
                    .map_err(|e| format!("module failed to compile: {e}"))?;
                match self.linker.instantiate(&mut self.store, &module) {
                    Ok(_) => Err(format!(
                        "module was instantiated, expected a link error {message:?}"
                    )),
                    Err(e) if e.as_trap().is_some() => Err(format!(
                        "expected a link error {message:?}, got a trap: {e}"
                    )),
                    Err(_) => Ok(()),
                }
            }
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. }
            | WastDirective::AssertSuspension { .. } => Err(UNSUPPORTED_DIRECTIVE.to_string()),
            WastDirective::Thread(thread) => self.run_thread(thread),
            WastDirective::Wait { thread, .. } => {
                if self.finished_threads.remove(thread.name()) {
                    Ok(())
                } else {
                    Err(format!("no thread ${} to wait for", thread.name()))
                }
            }
        }
    }

    /// Runs a `thread` block (threads proposal scripts). A store is one agent, so the
    /// thread runs at once and to completion, in a namespace of its own that sees only
    /// its `shared` module: that is one interleaving of the two agents, which scripts
    /// written for any interleaving (results checked with `either`) accept. A thread
    /// that waits for a `notify` from the main script cannot be run so: its wait times
    /// out or traps. `wait` then only checks that the thread ran.
    fn run_thread(&mut self, thread: wast::WastThread<'_>) -> Result<(), String> {
        let name = thread.name.name().to_string();
        let mut instances = HashMap::new();
        if let Some(id) = thread.shared_module {
            let shared = self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown module ${} to share", id.name()))?;
            instances.insert(id.name().to_string(), shared);
        }
        let saved_instances = std::mem::replace(&mut self.instances, instances);
        let saved_current = self.current.take();
        let saved_definitions = std::mem::take(&mut self.definitions);
        let saved_last = self.last_definition.take();
        let mut result = Ok(());
        for directive in thread.directives {
            let what = directive_name(&directive);
            if let Err(message) = self.run(directive) {
                result = Err(format!("in thread ${name}: {what}: {message}"));
                break;
            }
        }
        self.instances = saved_instances;
        self.current = saved_current;
        self.definitions = saved_definitions;
        self.last_definition = saved_last;
        self.finished_threads.insert(name);
        result
    }

    /// Encodes and compiles a module of a directive.
    fn compile(&self, module: &mut QuoteWat<'_>) -> Result<Module, String> {
        if is_component(module) {
            return Err(UNSUPPORTED_DIRECTIVE.to_string());
        }
        let bytes = module
            .encode()
            .map_err(|e| format!("failed to encode module: {e}"))?;
        Module::from_binary(&self.engine, &bytes)
            .map_err(|e| format!("module failed to compile: {e}"))
    }

    fn instantiate(&mut self, module: &Module) -> Result<Instance, String> {
        self.linker
            .instantiate(&mut self.store, module)
            .map_err(|e| format!("failed to instantiate module: {e}"))
    }

    /// The instance named `id`, or the current one.
    fn lookup(&self, id: Option<Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown module ${}", id.name())),
            None => self.current.ok_or_else(|| {
                "no current module (the last module failed or none was defined)".to_string()
            }),
        }
    }

    /// Runs the action of an assertion and returns the values it produced.
    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, ActionError> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.lookup(module).map_err(ActionError::Setup)?;
                let global = instance
                    .get_global(&self.store, global)
                    .ok_or_else(|| ActionError::Setup(format!("no exported global {global:?}")))?;
                Ok(vec![global.get(&self.store)])
            }
            WastExecute::Wat(mut wat) => {
                if matches!(wat, Wat::Component(_)) {
                    return Err(ActionError::Setup(UNSUPPORTED_DIRECTIVE.to_string()));
                }
                let bytes = wat
                    .encode()
                    .map_err(|e| ActionError::Setup(format!("failed to encode module: {e}")))?;
                let module = Module::from_binary(&self.engine, &bytes)
                    .map_err(|e| ActionError::Setup(format!("module failed to compile: {e}")))?;
                self.linker
                    .instantiate(&mut self.store, &module)
                    .map_err(ActionError::Wasm)?;
                Ok(Vec::new())
            }
        }
    }

    /// Calls an exported function and returns its results.
    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, ActionError> {
        let instance = self.lookup(invoke.module).map_err(ActionError::Setup)?;
        let func: Func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| ActionError::Setup(format!("no exported function {:?}", invoke.name)))?;
        let mut args = Vec::with_capacity(invoke.args.len());
        for arg in &invoke.args {
            args.push(self.arg(arg).map_err(ActionError::Setup)?);
        }
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        func.call(&mut self.store, &args, &mut results)
            .map_err(ActionError::Wasm)?;
        Ok(results)
    }

    /// Converts an argument of an invoke to a value.
    fn arg(&mut self, arg: &WastArg<'_>) -> Result<Val, String> {
        let WastArg::Core(arg) = arg else {
            return Err("unsupported argument (component value)".to_string());
        };
        Ok(match arg {
            WastArgCore::I32(v) => Val::I32(*v),
            WastArgCore::I64(v) => Val::I64(*v),
            WastArgCore::F32(v) => Val::F32(v.bits),
            WastArgCore::F64(v) => Val::F64(v.bits),
            WastArgCore::RefNull(HeapType::Abstract { ty, .. }) => match ty {
                AbstractHeapType::Func | AbstractHeapType::NoFunc => Val::FuncRef(None),
                AbstractHeapType::Extern | AbstractHeapType::NoExtern => Val::ExternRef(None),
                AbstractHeapType::Exn | AbstractHeapType::NoExn => Val::ExnRef(None),
                _ => Val::AnyRef(None),
            },
            WastArgCore::RefHost(n) => Val::AnyRef(Some(weft_interp::AnyRef::from_extern(
                ExternRef::new(&mut self.store, *n),
            ))),
            WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef::new(&mut self.store, *n))),
            WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
            other => return Err(format!("unsupported argument {other:?}")),
        })
    }

    /// Passes if `result` is a trap whose message matches `expected`.
    fn expect_trap(
        &self,
        result: Result<Vec<Val>, ActionError>,
        expected: &str,
    ) -> Result<(), String> {
        match result {
            Ok(values) => Err(format!(
                "expected trap {expected:?}, got {}",
                self.format_vals(&values)
            )),
            Err(ActionError::Setup(s)) => Err(s),
            Err(ActionError::Wasm(e)) => {
                let actual = e.to_string();
                if e.as_trap().is_some() && trap_message_matches(&actual, expected) {
                    Ok(())
                } else {
                    Err(format!("expected trap {expected:?}, got error: {actual}"))
                }
            }
        }
    }

    /// Compares the values of an action with the expected ones of an `assert_return`.
    fn check_results(&self, actual: &[Val], expected: &[WastRet<'_>]) -> Result<(), String> {
        let mismatch = || {
            format!(
                "expected {}, got {}",
                format_expected_list(expected),
                self.format_vals(actual)
            )
        };
        if actual.len() != expected.len() {
            return Err(mismatch());
        }
        for (value, want) in actual.iter().zip(expected) {
            let WastRet::Core(want) = want else {
                return Err("unsupported result (component value)".to_string());
            };
            match self.matches(value, want) {
                Ok(true) => {}
                Ok(false) => return Err(mismatch()),
                Err(unsupported) => return Err(unsupported),
            }
        }
        Ok(())
    }

    /// Whether `value` matches the pattern `want`; `Err` for patterns this runner does not
    /// support (GC references).
    fn matches(&self, value: &Val, want: &WastRetCore<'_>) -> Result<bool, String> {
        Ok(match (want, value) {
            (WastRetCore::I32(w), Val::I32(v)) => w == v,
            (WastRetCore::I64(w), Val::I64(v)) => w == v,
            (WastRetCore::F32(w), Val::F32(bits)) => f32_matches(w, *bits),
            (WastRetCore::F64(w), Val::F64(bits)) => f64_matches(w, *bits),
            (WastRetCore::V128(w), Val::V128(v)) => v128_matches(w, *v),
            (WastRetCore::RefNull(_), Val::FuncRef(r)) => r.is_none(),
            (WastRetCore::RefNull(_), Val::ExternRef(r)) => r.is_none(),
            (WastRetCore::RefNull(_), Val::ExnRef(r)) => r.is_none(),
            (WastRetCore::RefNull(_), Val::AnyRef(r)) => r.is_none(),
            (WastRetCore::RefAny, Val::AnyRef(r)) => r.is_some(),
            (WastRetCore::RefEq, Val::AnyRef(Some(r))) => {
                r.as_i31().is_some() || r.is_struct(&self.store) || r.is_array(&self.store)
            }
            (WastRetCore::RefI31, Val::AnyRef(Some(r))) => r.as_i31().is_some(),
            (WastRetCore::RefStruct, Val::AnyRef(Some(r))) => r.is_struct(&self.store),
            (WastRetCore::RefArray, Val::AnyRef(Some(r))) => r.is_array(&self.store),
            (WastRetCore::RefHost(n), Val::AnyRef(Some(r))) => {
                r.to_extern().data(&self.store).downcast_ref::<u32>() == Some(n)
            }
            (WastRetCore::RefExtern(None), Val::ExternRef(r)) => r.is_some(),
            (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(r))) => {
                r.data(&self.store).downcast_ref::<u32>() == Some(n)
            }
            (WastRetCore::RefFunc(_), Val::FuncRef(r)) => r.is_some(),
            (WastRetCore::Either(alternatives), _) => {
                for alternative in alternatives {
                    if self.matches(value, alternative)? {
                        return Ok(true);
                    }
                }
                false
            }
            (WastRetCore::RefI31Shared, _) => {
                return Err(format!("unsupported result {}", format_expected(want)))
            }
            _ => false,
        })
    }

    fn format_vals(&self, values: &[Val]) -> String {
        let parts: Vec<String> = values.iter().map(|v| self.format_val(v)).collect();
        format!("[{}]", parts.join(", "))
    }

    fn format_val(&self, value: &Val) -> String {
        match value {
            Val::I32(v) => format!("i32 {v} (0x{v:08x})"),
            Val::I64(v) => format!("i64 {v} (0x{v:016x})"),
            Val::F32(bits) => format!("f32 {} (0x{bits:08x})", f32::from_bits(*bits)),
            Val::F64(bits) => format!("f64 {} (0x{bits:016x})", f64::from_bits(*bits)),
            Val::V128(v) => format!("v128 0x{v:032x}"),
            Val::FuncRef(None) => "ref.null func".to_string(),
            Val::FuncRef(Some(_)) => "ref.func".to_string(),
            Val::ExternRef(None) => "ref.null extern".to_string(),
            Val::ExternRef(Some(r)) => match r.data(&self.store).downcast_ref::<u32>() {
                Some(n) => format!("ref.extern {n}"),
                None => "ref.extern <host value>".to_string(),
            },
            Val::ExnRef(None) => "ref.null exn".to_string(),
            Val::ExnRef(Some(_)) => "ref.exn".to_string(),
            Val::AnyRef(None) => "ref.null any".to_string(),
            Val::AnyRef(Some(r)) => match r.as_i31() {
                Some(v) => format!("ref.i31 {v}"),
                None if r.is_struct(&self.store) => "ref.struct".to_string(),
                None if r.is_array(&self.store) => "ref.array".to_string(),
                None => "ref.host".to_string(),
            },
        }
    }
}

/// Whether an `f32`'s bits match a pattern: a value (bit for bit), `nan:canonical` or
/// `nan:arithmetic` (spec §4.3.3: a quiet NaN of either sign, with or without payload).
fn f32_matches(want: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match want {
        NanPattern::Value(w) => w.bits == bits,
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7f80_0000 == 0x7f80_0000 && bits & 0x0040_0000 != 0,
    }
}

/// As [`f32_matches`], for an `f64`.
fn f64_matches(want: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    match want {
        NanPattern::Value(w) => w.bits == bits,
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => {
            bits & 0x7ff0_0000_0000_0000 == 0x7ff0_0000_0000_0000
                && bits & 0x0008_0000_0000_0000 != 0
        }
    }
}

/// Whether a `v128` (lane 0 in the low bits) matches a pattern of some lane shape: lane
/// by lane, float lanes with the NaN patterns of [`f32_matches`] / [`f64_matches`].
fn v128_matches(want: &V128Pattern, v: u128) -> bool {
    let lane = |bits: u32, i: usize| (v >> (bits as usize * i)) as u64 & (u64::MAX >> (64 - bits));
    match want {
        V128Pattern::I8x16(w) => w
            .iter()
            .enumerate()
            .all(|(i, x)| lane(8, i) == *x as u8 as u64),
        V128Pattern::I16x8(w) => w
            .iter()
            .enumerate()
            .all(|(i, x)| lane(16, i) == *x as u16 as u64),
        V128Pattern::I32x4(w) => w
            .iter()
            .enumerate()
            .all(|(i, x)| lane(32, i) == *x as u32 as u64),
        V128Pattern::I64x2(w) => w.iter().enumerate().all(|(i, x)| lane(64, i) == *x as u64),
        V128Pattern::F32x4(w) => w
            .iter()
            .enumerate()
            .all(|(i, p)| f32_matches(p, lane(32, i) as u32)),
        V128Pattern::F64x2(w) => w
            .iter()
            .enumerate()
            .all(|(i, p)| f64_matches(p, lane(64, i))),
    }
}

/// Whether a trap's display text satisfies the message a script expects.
///
/// The reference interpreter sometimes appends details Weft does not report (e.g.
/// `uninitialized element 2`), so an expectation that starts with the reported trap
/// message also matches.
fn trap_message_matches(actual: &str, expected: &str) -> bool {
    if actual.contains(expected) {
        return true;
    }
    let reported = actual.strip_prefix("wasm trap: ").unwrap_or(actual);
    !reported.is_empty()
        && expected
            .strip_prefix(reported)
            .is_some_and(|rest| rest.starts_with(' '))
}

fn is_component(module: &QuoteWat<'_>) -> bool {
    matches!(
        module,
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..)
    )
}

fn format_expected_list(expected: &[WastRet<'_>]) -> String {
    let parts: Vec<String> = expected
        .iter()
        .map(|r| match r {
            WastRet::Core(r) => format_expected(r),
            _ => "<component value>".to_string(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn format_expected(want: &WastRetCore<'_>) -> String {
    fn nan<T>(p: &NanPattern<T>, value: impl Fn(&T) -> String) -> String {
        match p {
            NanPattern::CanonicalNan => "nan:canonical".to_string(),
            NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
            NanPattern::Value(v) => value(v),
        }
    }
    match want {
        WastRetCore::I32(v) => format!("i32 {v} (0x{v:08x})"),
        WastRetCore::I64(v) => format!("i64 {v} (0x{v:016x})"),
        WastRetCore::F32(p) => format!(
            "f32 {}",
            nan(p, |v| format!(
                "{} (0x{:08x})",
                f32::from_bits(v.bits),
                v.bits
            ))
        ),
        WastRetCore::F64(p) => format!(
            "f64 {}",
            nan(p, |v| format!(
                "{} (0x{:016x})",
                f64::from_bits(v.bits),
                v.bits
            ))
        ),
        WastRetCore::V128(p) => format!("v128 {p:?}"),
        WastRetCore::RefNull(_) => "ref.null".to_string(),
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefHost(n) => format!("ref.host {n}"),
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::RefAny => "ref.any".to_string(),
        WastRetCore::RefEq => "ref.eq".to_string(),
        WastRetCore::RefArray => "ref.array".to_string(),
        WastRetCore::RefStruct => "ref.struct".to_string(),
        WastRetCore::RefI31 => "ref.i31".to_string(),
        WastRetCore::RefI31Shared => "ref.i31_shared".to_string(),
        WastRetCore::Either(alternatives) => {
            let parts: Vec<String> = alternatives.iter().map(format_expected).collect();
            format!("(either {})", parts.join(" | "))
        }
    }
}

/// Defines the standard `spectest` module of the test suite in `linker`: the `print*`
/// functions, `global_i32`/`i64`/`f32`/`f64`, a `table` of 10..20 funcrefs and a `memory`
/// of 1..2 pages.
pub fn define_spectest(linker: &mut Linker<()>, store: &mut Store<()>) -> Result<(), Error> {
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[ValType::I32]),
        ("print_i64", &[ValType::I64]),
        ("print_f32", &[ValType::F32]),
        ("print_f64", &[ValType::F64]),
        ("print_i32_f32", &[ValType::I32, ValType::F32]),
        ("print_f64_f64", &[ValType::F64, ValType::F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        linker.func_new("spectest", name, ty, |_, _, _| Ok(()))?;
    }

    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::F32(666.6f32.to_bits())),
        ("global_f64", Val::F64(666.6f64.to_bits())),
    ];
    for (name, value) in globals {
        let ty = GlobalType {
            content: value.ty(),
            mutability: Mutability::Const,
        };
        let global = Global::new(&mut *store, ty, value)?;
        linker.define("spectest", name, global)?;
    }

    let table = Table::new(
        &mut *store,
        TableType {
            element: ValType::FuncRef,
            limits: Limits {
                min: 10,
                max: Some(20),
            },
            addr_type: AddrType::I32,
        },
        Val::FuncRef(None),
    )?;
    linker.define("spectest", "table", table)?;

    let memory = Memory::new(
        &mut *store,
        MemoryType {
            limits: Limits {
                min: 1,
                max: Some(2),
            },
            shared: false,
            addr_type: AddrType::I32,
        },
    )?;
    linker.define("spectest", "memory", memory)?;
    // The threads proposal's suite imports a shared memory of the same size.
    let shared_memory = Memory::new(
        &mut *store,
        MemoryType {
            limits: Limits {
                min: 1,
                max: Some(2),
            },
            addr_type: AddrType::I32,
            shared: true,
        },
    )?;
    linker.define("spectest", "shared_memory", shared_memory)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_messages() {
        assert!(trap_message_matches(
            "wasm trap: uninitialized element",
            "uninitialized element"
        ));
        assert!(trap_message_matches(
            "wasm trap: uninitialized element",
            "uninitialized element 2"
        ));
        assert!(!trap_message_matches(
            "wasm trap: unreachable",
            "uninitialized element"
        ));
        assert!(!trap_message_matches(
            "wasm trap: integer overflow",
            "integer overflowing"
        ));
    }

    #[test]
    fn threads_run_to_completion_where_they_start() {
        // Message passing (after the threads proposal's MP.wast): whichever order the two
        // agents run in, the result is one the `either` accepts.
        let report = run_wast(
            "mp.wast",
            r#"
            (module $Mem (memory (export "shared") 1 1 shared))
            (thread $T1 (shared (module $Mem))
              (register "mem" $Mem)
              (module
                (memory (import "mem" "shared") 1 1 shared)
                (func (export "run")
                  (i32.atomic.store (i32.const 0) (i32.const 42))
                  (i32.atomic.store (i32.const 4) (i32.const 1))))
              (invoke "run"))
            (thread $T2 (shared (module $Mem))
              (register "mem" $Mem)
              (module
                (memory (import "mem" "shared") 1 1 shared)
                ;; flag * 100 + data: 0, 42 or 142 in some interleaving; never 100.
                (func (export "run") (result i32)
                  (i32.add
                    (i32.mul (i32.atomic.load (i32.const 4)) (i32.const 100))
                    (i32.load (i32.const 0)))))
              (assert_return (invoke "run")
                (either (i32.const 142) (i32.const 0) (i32.const 42))))
            (wait $T1)
            (wait $T2)
            (wait $T3)
            (thread $T4 (invoke "run"))
            "#,
        );
        // The two threads and their waits pass; waiting for an unknown thread fails, and a
        // thread does not see the main script's modules.
        assert_eq!(
            (report.passed, report.failed),
            (5, 2),
            "{:?}",
            report.failures
        );
        assert!(report.failures[0].message.contains("$T3"));
        assert!(report.failures[1].message.contains("in thread $T4"));
    }

    #[test]
    fn unparsable_script_is_one_failure() {
        let report = run_wast("bad.wast", "(module (func (export \"f\")");
        assert_eq!((report.passed, report.failed), (0, 1));
        assert_eq!(report.failures[0].line, 0);
        let report = run_wast("bad.wast", "\u{0}\u{ffff}((((");
        assert_eq!(report.failed, 1);
    }

    #[test]
    fn failures_do_not_stop_the_script() {
        let report = run_wast(
            "t.wast",
            r#"
            (module (func (export "f") (result i32) i32.const 1))
            (assert_return (invoke "f") (i32.const 2))
            (assert_return (invoke "g"))
            (assert_trap (invoke "f") "unreachable")
            (assert_return (invoke "f") (i32.const 1))
            (assert_invalid (module (func (result i32))) "type mismatch")
            (assert_malformed (module quote "(func") "unexpected end")
            (assert_malformed (module binary "\00asm\01\00\00\00\ff") "malformed")
            (assert_invalid (module (func)) "should be valid")
            (assert_exception (invoke "f"))
            "#,
        );
        let failed: Vec<(usize, &str)> = report
            .failures
            .iter()
            .map(|f| (f.line, f.directive.as_str()))
            .collect();
        assert_eq!(
            failed,
            [
                (3, "assert_return"),
                (4, "assert_return"),
                (5, "assert_trap"),
                (10, "assert_invalid"),
                (11, "assert_exception"),
            ]
        );
        assert_eq!(report.passed, 5);
        assert_eq!(
            report.failures[4].message,
            "expected an exception, got [i32 1 (0x00000001)]"
        );
    }

    #[test]
    fn module_definitions_and_instances() {
        let report = run_wast(
            "t.wast",
            r#"
            (module definition $D
              (global $g (mut i32) (i32.const 0))
              (func (export "next") (result i32)
                (global.set $g (i32.add (global.get $g) (i32.const 1)))
                (global.get $g)))
            (module instance $a $D)
            (module instance $b $D)
            (assert_return (invoke $a "next") (i32.const 1))
            (assert_return (invoke $a "next") (i32.const 2))
            (assert_return (invoke $b "next") (i32.const 1))
            (assert_return (invoke "next") (i32.const 2))
            (module instance $c $missing)
            (invoke "next")
            "#,
        );
        let failed: Vec<(usize, &str)> = report
            .failures
            .iter()
            .map(|f| (f.line, f.directive.as_str()))
            .collect();
        assert_eq!(failed, [(13, "module instance"), (14, "invoke")]);
        assert_eq!(report.passed, 7);
    }

    #[test]
    fn spectest_register_and_references() {
        let report = run_wast(
            "t.wast",
            r#"
            (module $M
              (import "spectest" "print_i32" (func $p (param i32)))
              (import "spectest" "global_i32" (global $g i32))
              (import "spectest" "table" (table 10 funcref))
              (import "spectest" "memory" (memory 1))
              (global (export "g") (mut i32) (i32.const 5))
              (func $get (export "get") (result i32) (call $p (global.get $g)) (global.get $g))
              (func (export "id") (param externref) (result externref) local.get 0)
              (func (export "f") (result funcref) ref.func $get)
              (func (export "nan") (result f32 f64)
                (f32.div (f32.const 0) (f32.const 0))
                (f64.const nan:0x4000000000001)))
            (register "M" $M)
            (module (import "M" "g" (global (mut i32))))
            (assert_return (invoke $M "get") (i32.const 666))
            (assert_return (get $M "g") (i32.const 5))
            (assert_return (invoke $M "id" (ref.extern 7)) (ref.extern 7))
            (assert_return (invoke $M "id" (ref.extern 7)) (ref.extern 8))
            (assert_return (invoke $M "id" (ref.null extern)) (ref.null extern))
            (assert_return (invoke $M "f") (ref.func))
            (assert_return (invoke $M "nan") (f32.const nan:canonical) (f64.const nan:arithmetic))
            (assert_return (invoke $M "nan")
              (either (f32.const 1) (f32.const nan:arithmetic)) (f64.const nan:0x4000000000001))
            (assert_unlinkable (module (import "M" "nope" (func))) "unknown import")
            (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
            "#,
        );
        let failed: Vec<usize> = report.failures.iter().map(|f| f.line).collect();
        assert_eq!(failed, [19, 22], "{:#?}", report.failures);
        assert_eq!(report.passed, 11);
    }
}
