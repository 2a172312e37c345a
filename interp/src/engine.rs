//! Engine and its configuration.

use std::sync::Arc;

/// Settings shared by every module and store of an [`Engine`].
///
/// ```
/// use weft_interp::Config;
/// let config = Config::default().fuel(true).max_stack_bytes(1 << 20);
/// assert!(config.get_fuel());
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) fuel: bool,
    pub(crate) max_stack_cells: usize,
    pub(crate) max_call_depth: usize,
    pub(crate) max_memory_pages: u64,
    pub(crate) max_table_elements: u64,
    pub(crate) lazy_translation: bool,
    pub(crate) multi_memory: bool,
    pub(crate) extended_const: bool,
    pub(crate) tail_call: bool,
    pub(crate) custom_page_sizes: bool,
    pub(crate) wide_arithmetic: bool,
    pub(crate) simd: bool,
    pub(crate) exceptions: bool,
    pub(crate) relaxed_simd: bool,
    pub(crate) threads: bool,
    pub(crate) reference_types: bool,
    pub(crate) memory64: bool,
    pub(crate) function_references: bool,
    pub(crate) gc: bool,
    pub(crate) component_model_implements: bool,
    pub(crate) component_model_gc: bool,
    pub(crate) component_model_memory64: bool,
    pub(crate) component_model_wasmtime_restrictions: bool,
    pub(crate) component_model_fixed_length_lists: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            fuel: false,
            max_stack_cells: 1 << 20,
            max_call_depth: 100_000,
            max_memory_pages: 65536,
            max_table_elements: 10_000_000,
            lazy_translation: true,
            multi_memory: true,
            extended_const: true,
            tail_call: true,
            custom_page_sizes: false,
            wide_arithmetic: false,
            simd: true,
            exceptions: true,
            relaxed_simd: true,
            threads: true,
            reference_types: true,
            memory64: true,
            function_references: true,
            gc: true,
            component_model_implements: true,
            component_model_gc: false,
            component_model_memory64: false,
            component_model_wasmtime_restrictions: false,
            component_model_fixed_length_lists: false,
        }
    }
}

impl Config {
    /// A default configuration.
    pub fn new() -> Config {
        Config::default()
    }

    /// Enables fuel metering: every store then starts with no fuel, see
    /// [`Store::set_fuel`](crate::Store::set_fuel). Running out traps.
    pub fn fuel(mut self, enable: bool) -> Config {
        self.fuel = enable;
        self
    }

    /// Whether fuel metering is on.
    pub fn get_fuel(&self) -> bool {
        self.fuel
    }

    /// Maximum size of the value stack in bytes (cells are 8 bytes). Default 8 MiB.
    pub fn max_stack_bytes(mut self, bytes: usize) -> Config {
        self.max_stack_cells = (bytes / 8).max(16);
        self
    }

    /// Maximum number of nested Wasm calls. Default 100 000.
    pub fn max_call_depth(mut self, depth: usize) -> Config {
        self.max_call_depth = depth.max(1);
        self
    }

    /// Maximum size of any linear memory in 64 KiB pages. Default 65 536 (4 GiB). A 32-bit
    /// memory never exceeds 4 GiB whatever this says; a 64-bit one (memory64) may grow up
    /// to this limit, or until the host cannot allocate more (`memory.grow` then returns
    /// -1).
    pub fn max_memory_pages(mut self, pages: u64) -> Config {
        self.max_memory_pages = pages;
        self
    }

    /// Maximum number of elements of any table. Default 10 000 000.
    pub fn max_table_elements(mut self, elements: u64) -> Config {
        self.max_table_elements = elements;
        self
    }

    /// Enables the multi-memory proposal (default: on). With it off, validation follows
    /// Wasm 2.0 exactly: at most one memory, and memory indices must be a single zero byte.
    pub fn wasm_multi_memory(mut self, enable: bool) -> Config {
        self.multi_memory = enable;
        self
    }

    /// Enables the extended-const proposal (default: on, it is part of Wasm 3.0): constant
    /// expressions may use `i32`/`i64` `add`, `sub` and `mul`.
    pub fn wasm_extended_const(mut self, enable: bool) -> Config {
        self.extended_const = enable;
        self
    }

    /// Enables the tail-call proposal (default: on, it is part of Wasm 3.0): `return_call`
    /// and `return_call_indirect`, which replace the caller's frame instead of growing the
    /// stack.
    pub fn wasm_tail_call(mut self, enable: bool) -> Config {
        self.tail_call = enable;
        self
    }

    /// Enables the custom-page-sizes proposal (default: off, it is not part of Wasm 3.0):
    /// a memory may declare a page size of 1 byte instead of 64 KiB. Its limits,
    /// `memory.size` and `memory.grow` count such pages; [`Config::max_memory_pages`]
    /// still bounds its size in bytes.
    pub fn wasm_custom_page_sizes(mut self, enable: bool) -> Config {
        self.custom_page_sizes = enable;
        self
    }

    /// Enables the wide-arithmetic proposal (default: off, it is not part of Wasm 3.0):
    /// `i64.add128`, `i64.sub128`, `i64.mul_wide_s` and `i64.mul_wide_u`.
    pub fn wasm_wide_arithmetic(mut self, enable: bool) -> Config {
        self.wide_arithmetic = enable;
        self
    }

    /// Enables fixed-width SIMD (default: on, it is part of Wasm 2.0): the `v128` type and
    /// its instructions. Off, modules that use them fail validation.
    pub fn wasm_simd(mut self, enable: bool) -> Config {
        self.simd = enable;
        self
    }

    /// Enables the exception-handling proposal (default: on, it is part of Wasm 3.0):
    /// tags, `throw`, `throw_ref`, `try_table` and `exnref`. An exception no handler
    /// catches ends the call with [`Error::Exception`](crate::Error::Exception).
    pub fn wasm_exceptions(mut self, enable: bool) -> Config {
        self.exceptions = enable;
        self
    }

    /// Enables the relaxed-SIMD proposal (default: on, it is part of Wasm 3.0): the
    /// `relaxed_*` vector instructions. Weft runs them in the spec's *deterministic
    /// profile* (every implementation-dependent choice is the first one the spec lists),
    /// so each gives the same result on every host: `relaxed_swizzle` is `swizzle`,
    /// `relaxed_trunc*` is `trunc_sat*`, `relaxed_madd`/`nmadd` round twice (unfused),
    /// `relaxed_min`/`max` are `min`/`max`, `relaxed_laneselect` is `bitselect`,
    /// `relaxed_q15mulr_s` is `q15mulr_sat_s` and the dot products treat both operands as
    /// signed, saturating the 16-bit pair sums. Needs [`Config::wasm_simd`].
    pub fn wasm_relaxed_simd(mut self, enable: bool) -> Config {
        self.relaxed_simd = enable;
        self
    }

    /// Enables the threads proposal (default: on): shared memories (`(memory 1 2
    /// shared)`), the atomic memory instructions, `memory.atomic.wait32`/`wait64`,
    /// `memory.atomic.notify` and `atomic.fence`.
    ///
    /// A [`Store`](crate::Store) runs on one thread, so there is one agent: a shared memory
    /// is an ordinary memory marked shared (there is no API yet to share it between
    /// stores or threads), atomics are plain accesses that also check alignment,
    /// `notify` wakes no one and returns 0, and `wait` returns 1 ("not-equal") when the
    /// value differs, else sleeps for its timeout and returns 2 ("timed-out"); a wait with
    /// no timeout (negative) could never end, so it traps instead.
    pub fn wasm_threads(mut self, enable: bool) -> Config {
        self.threads = enable;
        self
    }

    /// Enables the reference-types proposal (default: on, it is part of Wasm 2.0): the
    /// `funcref`/`externref` value types, several tables, `table.*` and `ref.*`
    /// instructions. Off, validation follows Wasm 1.0 here: at most one table, and table
    /// indices must be a zero byte. Exception handling and typed references need it.
    pub fn wasm_reference_types(mut self, enable: bool) -> Config {
        self.reference_types = enable;
        self
    }

    /// Enables the memory64 proposal (default: on, it is part of Wasm 3.0): memories and
    /// tables with `i64` addresses ([`AddrType::I64`](crate::AddrType)). Off, modules that
    /// declare or import one fail validation.
    ///
    /// A 64-bit memory's limits may go up to 2^48 pages, but [`Config::max_memory_pages`]
    /// still bounds its size: past it (or past what the host can allocate) instantiation
    /// fails and `memory.grow` returns -1.
    pub fn wasm_memory64(mut self, enable: bool) -> Config {
        self.memory64 = enable;
        self
    }

    /// Enables typed function references (default: on, part of Wasm 3.0): `(ref $t)`
    /// types, non-nullable locals, `call_ref`, `return_call_ref`, `ref.as_non_null`,
    /// `br_on_null` and `br_on_non_null`.
    pub fn wasm_function_references(mut self, enable: bool) -> Config {
        self.function_references = enable;
        self
    }

    /// Enables garbage collection (default: on, part of Wasm 3.0): struct and array
    /// types, recursive and sub types, `i31ref`, casts and the `any`/`eq`/`extern`
    /// conversions. Needs [`Config::wasm_function_references`]; objects live in the
    /// store's heap, collected as Wasm allocates (see [`Store::gc`](crate::Store::gc)).
    pub fn wasm_gc(mut self, enable: bool) -> Config {
        self.gc = enable;
        self
    }

    /// Translate function bodies on their first call (`true`, the default) or all of them
    /// when the module is created.
    pub fn lazy_translation(mut self, lazy: bool) -> Config {
        self.lazy_translation = lazy;
        self
    }

    /// Components: accepts `(implements "ns:pkg/iface")` on imports and exports (the
    /// Explainer's 🏷️ gate; default: on). Off, such a component fails validation.
    pub fn component_model_implements(mut self, enable: bool) -> Config {
        self.component_model_implements = enable;
        self
    }

    /// Components: accepts the `gc` and `core-type` canonical options (the Explainer's 🛸
    /// gate; default: off), which pass values as GC references and plain core values
    /// instead of through linear memory. Weft supports them for functions whose
    /// parameters and result are numbers, `bool`, `char`, `enum` and `flags`; a
    /// component that lifts or lowers any other type with `gc` fails to load with
    /// [`Unsupported`](crate::Error::Unsupported).
    pub fn component_model_gc(mut self, enable: bool) -> Config {
        self.component_model_gc = enable;
        self
    }

    /// Components: accepts canonical options that name a 64-bit memory (the Explainer's
    /// 🐘 gate; default: off). Pointers and lengths are then `i64` in flat values, 8 bytes
    /// in memory, and `realloc` takes and returns `i64`.
    pub fn component_model_memory64(mut self, enable: bool) -> Config {
        self.component_model_memory64 = enable;
        self
    }

    /// Allows fixed-length list types `list<T, N>` in components (the Component Model's 🔧
    /// gate; default: off). A `list<T, N>` is laid out in place like a tuple of `N` `T`s
    /// and its values are lists of exactly `N` elements.
    pub fn component_model_fixed_length_lists(mut self, enable: bool) -> Config {
        self.component_model_fixed_length_lists = enable;
        self
    }

    /// Whether [`Config::component_model_fixed_length_lists`] is on.
    pub fn get_component_model_fixed_length_lists(&self) -> bool {
        self.component_model_fixed_length_lists
    }

    /// Refuses, as wasmtime does, three kinds of valid root components that wasmtime
    /// cannot run (default: off, since the Component Model allows all three): a root
    /// component that imports a component, one that exports a component, and one that
    /// exports (a re-export of) an imported function. Nested components may still do all
    /// three. With this on, a component that Weft accepts is one wasmtime accepts too
    /// (as far as these rules go), and wasmtime's own test scripts pass as written.
    ///
    /// ```
    /// use weft_interp::Config;
    /// let config = Config::default().component_model_wasmtime_restrictions(true);
    /// assert!(config.get_component_model_wasmtime_restrictions());
    /// ```
    pub fn component_model_wasmtime_restrictions(mut self, enable: bool) -> Config {
        self.component_model_wasmtime_restrictions = enable;
        self
    }

    /// Whether [`Config::component_model_wasmtime_restrictions`] is on.
    pub fn get_component_model_wasmtime_restrictions(&self) -> bool {
        self.component_model_wasmtime_restrictions
    }

    /// Whether [`Config::component_model_implements`] is on.
    pub fn get_component_model_implements(&self) -> bool {
        self.component_model_implements
    }

    /// Whether [`Config::component_model_gc`] is on.
    pub fn get_component_model_gc(&self) -> bool {
        self.component_model_gc
    }

    /// Whether [`Config::component_model_memory64`] is on.
    pub fn get_component_model_memory64(&self) -> bool {
        self.component_model_memory64
    }
}

/// The shared context modules are compiled for and stores run in.
///
/// ```
/// use weft_interp::{Config, Engine};
/// let engine = Engine::new(&Config::default());
/// let cloned = engine.clone(); // cheap: engines are reference counted
/// assert!(!cloned.config().get_fuel());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Engine {
    inner: Arc<Config>,
    /// Canonical ids of the types of every module made for this engine.
    types: Arc<crate::type_registry::TypeRegistry>,
}

impl Engine {
    /// An engine with the given configuration.
    pub fn new(config: &Config) -> Engine {
        Engine {
            inner: Arc::new(config.clone()),
            types: Arc::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner
    }

    /// The engine's type registry.
    pub(crate) fn types(&self) -> &Arc<crate::type_registry::TypeRegistry> {
        &self.types
    }
}
