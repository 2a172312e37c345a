//! Errors and traps.

use core::fmt;

/// Every way an operation of this crate can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a valid Wasm module (malformed or invalid); carries the byte offset.
    #[error("invalid module: {0}")]
    Wasm(#[from] wasmparser::BinaryReaderError),
    /// The text is not valid WAT.
    #[error("invalid WebAssembly text: {0}")]
    Wat(String),
    /// The module uses a feature this build does not support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An import is not defined in the linker.
    #[error("unknown import: `{module}::{name}` is not defined")]
    UnknownImport {
        /// Module name of the import.
        module: String,
        /// Field name of the import.
        name: String,
    },
    /// An import is defined with a type that does not match.
    #[error("incompatible import type for `{module}::{name}`: expected {expected}, found {found}")]
    IncompatibleImport {
        /// Module name of the import.
        module: String,
        /// Field name of the import.
        name: String,
        /// What the module asks for.
        expected: String,
        /// What was provided.
        found: String,
    },
    /// A name is defined twice in a linker.
    #[error("`{module}::{name}` is already defined")]
    Redefined {
        /// Module name.
        module: String,
        /// Field name.
        name: String,
    },
    /// An export does not exist or is of another kind.
    #[error("no exported {kind} named `{name}`")]
    ExportNotFound {
        /// The kind that was looked for.
        kind: &'static str,
        /// The name looked for.
        name: String,
    },
    /// Values passed to or returned from a function do not match its type.
    #[error("type mismatch: {0}")]
    TypeMismatch(String),
    /// A resource limit of the [`Config`](crate::Config) or the host was exceeded.
    #[error("resource limit exceeded: {0}")]
    ResourceLimit(String),
    /// Execution trapped.
    #[error(transparent)]
    Trap(#[from] Trap),
    /// A host function failed with an error of the embedder's own (see [`Error::host`]);
    /// get it back with [`Error::downcast_ref`] or [`Error::downcast`].
    #[error(transparent)]
    Host(Box<dyn std::error::Error + Send + Sync + 'static>),
    /// A handle (`Func`, `Memory`, `Table`, `Global`, `Instance`, `ExternRef`) was used
    /// with a store other than the one that made it.
    #[error("{0} used with a store other than the one that made it")]
    StoreMismatch(&'static str),
    /// A Wasm exception that no handler caught (exception handling): the exception is in
    /// the store, see [`ExnRef::tag`](crate::ExnRef::tag) and
    /// [`ExnRef::payload`](crate::ExnRef::payload). A host function that returns this
    /// error throws the exception into the Wasm code that called it.
    #[error("uncaught wasm exception")]
    Exception(crate::ExnRef),
}

impl Error {
    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }

    /// An error for a host function to return: any `std::error::Error + Send + Sync`
    /// value, or a message (`&str`, `String`). It unwinds the Wasm code that called the
    /// host function and comes out of [`Func::call`](crate::Func::call) unchanged, so the
    /// embedder can recognise it with [`Error::downcast_ref`].
    ///
    /// A [`Trap`] or an [`Error`] of this crate passed here is kept as what it is (a trap
    /// stays [`Error::Trap`] and gets its backtrace).
    ///
    /// ```
    /// use weft_interp::{Engine, Error, Linker, Module, Store};
    ///
    /// #[derive(Debug)]
    /// struct Quota { used: u32 }
    /// impl std::fmt::Display for Quota {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         write!(f, "quota exceeded after {} calls", self.used)
    ///     }
    /// }
    /// impl std::error::Error for Quota {}
    ///
    /// let engine = Engine::default();
    /// let module = Module::new(&engine, r#"(module
    ///     (import "host" "tick" (func $tick))
    ///     (func (export "run") (call $tick) (call $tick)))"#)?;
    /// let mut store = Store::new(&engine, 0u32);
    /// let mut linker = Linker::<u32>::new(&engine);
    /// linker.func_wrap("host", "tick", |mut caller: weft_interp::Caller<'_, u32>| {
    ///     *caller.data_mut() += 1;
    ///     if *caller.data() > 1 {
    ///         return Err(Error::host(Quota { used: *caller.data() }));
    ///     }
    ///     Ok(())
    /// })?;
    /// let instance = linker.instantiate(&mut store, &module)?;
    /// let run = instance.get_typed_func::<(), ()>(&store, "run")?;
    /// let err = run.call(&mut store, ()).unwrap_err();
    /// assert_eq!(err.downcast_ref::<Quota>().map(|q| q.used), Some(2));
    /// assert_eq!(err.to_string(), "quota exceeded after 2 calls");
    /// # Ok::<(), weft_interp::Error>(())
    /// ```
    pub fn host(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Error {
        let error = error.into();
        // Keep traps and our own errors as they are, so they are matched as such.
        let error = match error.downcast::<Trap>() {
            Ok(trap) => return Error::Trap(*trap),
            Err(e) => e,
        };
        match error.downcast::<Error>() {
            Ok(e) => *e,
            Err(e) => Error::Host(e),
        }
    }

    /// The error a host function raised with [`Error::host`], if it is an `E`; also finds
    /// the [`Trap`] of an [`Error::Trap`].
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Error::Host(e) => e.downcast_ref::<E>(),
            Error::Trap(t) => (t as &dyn core::any::Any).downcast_ref::<E>(),
            _ => None,
        }
    }

    /// Whether this is an error a host function raised with [`Error::host`] of type `E`
    /// (or the [`Trap`] of an [`Error::Trap`]).
    pub fn is<E: std::error::Error + 'static>(&self) -> bool {
        self.downcast_ref::<E>().is_some()
    }

    /// The error a host function raised with [`Error::host`], by value, if it is an `E`;
    /// otherwise this error back. Also gives the [`Trap`] of an [`Error::Trap`].
    pub fn downcast<E: std::error::Error + 'static>(self) -> Result<E, Error> {
        match self {
            Error::Host(e) => e.downcast::<E>().map(|e| *e).map_err(Error::Host),
            Error::Trap(t) => {
                let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(t);
                // A failed downcast gives the trap back, which `host` keeps as a trap.
                boxed.downcast::<E>().map(|e| *e).map_err(Error::host)
            }
            other => Err(other),
        }
    }
}

/// The kinds of trap the spec names (spec §4.4 "Instructions", the `trap` results).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapKind {
    /// `unreachable` was executed.
    Unreachable,
    /// A load, store or bulk memory operation was out of bounds.
    MemoryOutOfBounds,
    /// A table access or bulk table operation was out of bounds.
    TableOutOfBounds,
    /// `call_indirect` with an index past the end of the table.
    UndefinedElement,
    /// `call_indirect` of a null entry.
    UninitializedElement,
    /// `call_indirect` whose callee has another type.
    IndirectCallTypeMismatch,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed division overflow (`INT_MIN / -1`).
    IntegerOverflow,
    /// Float to integer conversion of NaN or out-of-range value.
    InvalidConversionToInteger,
    /// The value stack or call depth limit was reached.
    StackExhausted,
    /// Fuel ran out.
    OutOfFuel,
    /// A null reference where one is not allowed.
    NullReference,
    /// `throw_ref` of a null exception reference.
    NullExceptionReference,
    /// An atomic access whose effective address is not a multiple of its size
    /// (threads proposal).
    UnalignedAtomic,
    /// `memory.atomic.wait32`/`wait64` on a memory that is not shared (threads proposal).
    ExpectedSharedMemory,
    /// `memory.atomic.wait32`/`wait64` with no timeout on a value that matched: a store
    /// is one agent, so no `notify` could ever end the wait (Weft's choice; the spec
    /// would suspend forever).
    AtomicWaitForever,
    /// `call_ref` or `return_call_ref` of a null function reference.
    NullFunctionReference,
    /// A struct access through a null reference.
    NullStructReference,
    /// An array access through a null reference.
    NullArrayReference,
    /// `i31.get_s`/`i31.get_u` of a null reference.
    NullI31Reference,
    /// `ref.cast` of a value that is not of the target type.
    CastFailure,
    /// An array access or bulk array operation out of bounds.
    ArrayOutOfBounds,
    /// A GC allocation larger than the heap may grow.
    AllocationTooLarge,
}

impl TrapKind {
    /// The message the spec test suite uses for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::UndefinedElement => "undefined element",
            TrapKind::UninitializedElement => "uninitialized element",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::InvalidConversionToInteger => "invalid conversion to integer",
            TrapKind::StackExhausted => "call stack exhausted",
            TrapKind::OutOfFuel => "all fuel consumed",
            TrapKind::NullReference => "null reference",
            TrapKind::NullExceptionReference => "null exception reference",
            TrapKind::UnalignedAtomic => "unaligned atomic",
            TrapKind::ExpectedSharedMemory => "expected shared memory",
            TrapKind::AtomicWaitForever => {
                "atomic wait without timeout would never end (no other agent can notify)"
            }
            TrapKind::NullFunctionReference => "null function reference",
            TrapKind::NullStructReference => "null structure reference",
            TrapKind::NullArrayReference => "null array reference",
            TrapKind::NullI31Reference => "null i31 reference",
            TrapKind::CastFailure => "cast failure",
            TrapKind::ArrayOutOfBounds => "out of bounds array access",
            TrapKind::AllocationTooLarge => "allocation too large",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One frame of a trap's backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// Index of the function in its module's function index space.
    pub func_index: u32,
    /// Name from the module's name section, if any.
    pub func_name: Option<String>,
    /// Name of the module from its name section, if any.
    pub module_name: Option<String>,
}

impl fmt::Display for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = &self.module_name {
            write!(f, "{m}!")?;
        }
        match &self.func_name {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "<wasm function {}>", self.func_index),
        }
    }
}

/// A Wasm trap: what went wrong and where (innermost frame first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    kind: TrapKind,
    backtrace: Vec<FrameInfo>,
}

impl Trap {
    /// A trap of the given kind with an empty backtrace.
    pub fn new(kind: TrapKind) -> Trap {
        Trap {
            kind,
            backtrace: Vec::new(),
        }
    }

    pub(crate) fn with_backtrace(kind: TrapKind, backtrace: Vec<FrameInfo>) -> Trap {
        Trap { kind, backtrace }
    }

    /// What went wrong.
    pub fn kind(&self) -> TrapKind {
        self.kind
    }

    /// The active Wasm frames when it trapped, innermost first.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }

    /// The backtrace as text, one frame per line.
    pub fn backtrace_string(&self) -> String {
        let mut s = String::new();
        for (i, frame) in self.backtrace.iter().enumerate() {
            s.push_str(&format!("  {i}: {frame}\n"));
        }
        s
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.kind)
    }
}

impl std::error::Error for Trap {}

impl From<TrapKind> for Trap {
    fn from(kind: TrapKind) -> Trap {
        Trap::new(kind)
    }
}

impl From<TrapKind> for Error {
    fn from(kind: TrapKind) -> Error {
        Error::Trap(Trap::new(kind))
    }
}

/// Result type of this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keeps_messages_traps_and_our_errors_as_they_are() {
        let e = Error::host("plain message");
        assert!(matches!(e, Error::Host(_)));
        assert_eq!(e.to_string(), "plain message");
        assert_eq!(Error::host(String::from("owned")).to_string(), "owned");

        let e = Error::host(Trap::new(TrapKind::Unreachable));
        assert_eq!(e.as_trap().map(Trap::kind), Some(TrapKind::Unreachable));

        let e = Error::host(Error::TypeMismatch("x".into()));
        assert!(matches!(e, Error::TypeMismatch(_)));

        let io = std::io::Error::other("disk");
        let e = Error::host(io);
        assert!(e.is::<std::io::Error>());
        assert!(!e.is::<Trap>());
        assert_eq!(e.downcast::<std::io::Error>().unwrap().to_string(), "disk");
    }

    #[test]
    fn downcast_of_other_variants_gives_the_error_back() {
        let e = Error::Unsupported("thing".into());
        assert!(e.downcast_ref::<std::io::Error>().is_none());
        assert!(matches!(
            e.downcast::<std::io::Error>(),
            Err(Error::Unsupported(_))
        ));
        let e: Error = TrapKind::OutOfFuel.into();
        assert!(matches!(
            e.downcast::<std::io::Error>(),
            Err(Error::Trap(_))
        ));
    }
}
