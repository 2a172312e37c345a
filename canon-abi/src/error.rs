//! The crate's error type.

/// Every way a Component Model operation can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The canonical ABI trapped (`trap_if` in CanonicalABI.md); the message names the rule.
    #[error("trap: {0}")]
    Trap(String),
    /// The core interpreter failed (a core trap, an invalid core module, ...).
    #[error(transparent)]
    Interp(weft_interp::Error),
    /// The bytes are not a valid component; carries the byte offset.
    #[error("invalid component: {0}")]
    Wasm(#[from] wasmparser::BinaryReaderError),
    /// The text is not valid component WAT.
    #[error("invalid WebAssembly text: {0}")]
    Wat(String),
    /// The component uses something this runtime does not implement.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An import is not defined in the linker.
    #[error("unknown import: `{0}` is not defined")]
    UnknownImport(String),
    /// An import is defined with a kind or type that does not match.
    #[error("incompatible import `{name}`: {reason}")]
    IncompatibleImport {
        /// The import's name.
        name: String,
        /// What does not match.
        reason: String,
    },
    /// A name is defined twice in a linker.
    #[error("`{0}` is already defined")]
    Redefined(String),
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
    /// A host function failed.
    #[error("{0}")]
    Host(String),
    /// A resource value the host holds was used after it (or a clone) was moved into Wasm
    /// as an `own` or dropped.
    #[error("resource {0} was already moved or dropped")]
    ResourceMoved(String),
}

/// A core error becomes a component error, except that an exception may not leave a
/// component instance: one that reaches the boundary uncaught is a trap there, so no
/// handler of the calling component ever sees it.
impl From<weft_interp::Error> for Error {
    fn from(e: weft_interp::Error) -> Error {
        match e {
            weft_interp::Error::Exception(_) => {
                Error::Trap("uncaught exception propagated out of component".into())
            }
            e => Error::Interp(e),
        }
    }
}

impl Error {
    /// Whether this error is a trap, of the canonical ABI or of core Wasm (also when the
    /// trap crossed a core call boundary as a host error).
    pub fn is_trap(&self) -> bool {
        match self {
            Error::Trap(_) => true,
            Error::Interp(weft_interp::Error::Trap(_)) => true,
            Error::Interp(e) => e.downcast_ref::<Error>().is_some_and(Error::is_trap),
            _ => false,
        }
    }

    /// A host error with a message (for host functions).
    pub fn host(msg: impl Into<String>) -> Error {
        Error::Host(msg.into())
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// CanonicalABI.md: `trap_if(cond)` — traps with `msg` when `cond` holds.
pub(crate) fn trap_if(cond: bool, msg: &str) -> Result<()> {
    if cond {
        Err(Error::Trap(msg.to_string()))
    } else {
        Ok(())
    }
}

/// CanonicalABI.md: `trap()`.
pub(crate) fn trap<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Trap(msg.into()))
}

/// Errors leaving a host function (a canonical `lower` or a resource built-in) towards core
/// Wasm travel as a core host error that carries this error itself, so the caller can
/// recover it (`weft_interp::Error::downcast_ref`); its message keeps the `trap: ` prefix.
pub(crate) fn to_core(e: Error) -> weft_interp::Error {
    match e {
        Error::Interp(e) => e,
        e => weft_interp::Error::host(e),
    }
}

/// [`trap_if`] whose message is built only when the trap happens.
pub(crate) fn trap_if_with(cond: bool, msg: impl FnOnce() -> String) -> Result<()> {
    if cond {
        Err(Error::Trap(msg()))
    } else {
        Ok(())
    }
}
