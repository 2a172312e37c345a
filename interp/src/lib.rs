//! `weft-interp`: Weft's core WebAssembly interpreter.
//!
//! Modules are decoded and validated by `wasmparser`, each function body is translated on
//! its first call into Weft's IR (operands are frame slots, branch targets are resolved),
//! and the IR runs in a loop over one value stack, never recursing on the host stack for
//! Wasm calls.
//!
//! | Feature | Status |
//! |---|---|
//! | Wasm 1.0 (MVP), mutable globals | yes |
//! | sign-extension, non-trapping float-to-int, multi-value | yes |
//! | bulk memory, reference types | yes |
//! | fixed-width SIMD (`v128`) | yes |
//! | multi-memory | yes |
//! | fuel metering, stack and memory limits | yes |
//! | fixed-width SIMD (`v128`, Wasm 2.0) | yes |
//! | tail calls, extended constant expressions, exception handling (Wasm 3.0) | yes |
//! | typed function references, GC with a collector (Wasm 3.0) | yes |
//! | memory64: 64-bit memories and tables (Wasm 3.0) | yes |
//! | custom page sizes, wide arithmetic (proposals, off by default) | yes |
//! | relaxed SIMD (Wasm 3.0, deterministic profile) | yes |
//! | threads: shared memories, atomics, wait/notify (one agent per store) | yes |
//!
//! ```
//! use weft_interp::{Engine, Linker, Module, Store};
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (func $fib (export "fib") (param i32) (result i32)
//!         (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
//!             (then (local.get 0))
//!             (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
//!                            (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
//! let fib = instance.get_typed_func::<i32, i32>(&store, "fib")?;
//! assert_eq!(fib.call(&mut store, 20)?, 6765);
//! # Ok::<(), weft_interp::Error>(())
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod engine;
mod error;
mod exception;
mod exec;
mod externals;
mod func;
mod gc;
mod instance;
mod linker;
mod module;
mod store;
mod translate;
mod type_registry;
mod types;
mod value;

pub use engine::{Config, Engine};
pub use error::{Error, FrameInfo, Result, Trap, TrapKind};
pub use exception::{ExnRef, Tag};
pub use externals::{Extern, Global, Memory, Table};
pub use func::{
    Caller, Func, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmRet, WasmTy, WasmTyList,
};
pub use gc::GcStats;
pub use instance::Instance;
pub use linker::Linker;
pub use module::{CodeStats, Module};
pub use store::{AsContext, AsContextMut, Store};
pub use types::{
    AddrType, ExportType, ExternType, FuncType, GlobalType, HeapType, ImportType, Limits,
    MemoryType, Mutability, RefType, TableType, TypeId, ValType,
};
pub use value::{AnyRef, ExternRef, Val};
pub use wasmparser;
