//! The two runtimes under test behind one small interface: load a guest (parse, validate,
//! translate as configured, instantiate with the `host.add` import) and call its exports.

/// A guest instance in some runtime.
pub trait Guest: Sized {
    /// The runtime's engine, made once per configuration.
    type Engine;
    /// Makes an engine that translates lazily (`lazy`) or eagerly.
    fn engine(lazy: bool) -> Self::Engine;
    /// Loads and instantiates `wasm`.
    fn load(engine: &Self::Engine, wasm: &[u8]) -> Self;
    /// Calls `run(n)`.
    fn run(&mut self, n: i32) -> i64;
    /// Calls the guest's `inc` export `n` times from the host, threading the value through.
    fn inc_loop(&mut self, n: u32) -> i64;
}

fn host_add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Weft.
pub struct Weft {
    store: weft::Store<()>,
    run: weft::TypedFunc<i32, i64>,
    inc: Option<weft::TypedFunc<i64, i64>>,
}

impl Guest for Weft {
    type Engine = weft::Engine;

    fn engine(lazy: bool) -> weft::Engine {
        weft::Engine::new(&weft::Config::default().lazy_translation(lazy))
    }

    fn load(engine: &weft::Engine, wasm: &[u8]) -> Weft {
        let module = weft::Module::from_binary(engine, wasm).expect("weft: load");
        let mut store = weft::Store::new(engine, ());
        let mut linker = weft::Linker::new(engine);
        linker.func_wrap("host", "add", host_add).unwrap();
        let instance = linker
            .instantiate(&mut store, &module)
            .expect("weft: instantiate");
        let run = instance.get_typed_func(&store, "run").expect("weft: run");
        let inc = instance.get_typed_func(&store, "inc").ok();
        Weft { store, run, inc }
    }

    fn run(&mut self, n: i32) -> i64 {
        self.run
            .call(&mut self.store, n)
            .expect("weft: run trapped")
    }

    fn inc_loop(&mut self, n: u32) -> i64 {
        let inc = self.inc.as_ref().expect("guest exports inc");
        let mut x = 0;
        for _ in 0..n {
            x = inc.call(&mut self.store, x).unwrap();
        }
        x
    }
}

/// wasmi with its default configuration (apart from the compilation mode under test).
pub struct Wasmi {
    store: wasmi::Store<()>,
    run: wasmi::TypedFunc<i32, i64>,
    inc: Option<wasmi::TypedFunc<i64, i64>>,
}

impl Guest for Wasmi {
    type Engine = wasmi::Engine;

    fn engine(lazy: bool) -> wasmi::Engine {
        let mut config = wasmi::Config::default();
        config.compilation_mode(if lazy {
            // Like Weft's lazy mode: validate now, translate on first call.
            wasmi::CompilationMode::LazyTranslation
        } else {
            wasmi::CompilationMode::Eager
        });
        wasmi::Engine::new(&config)
    }

    fn load(engine: &wasmi::Engine, wasm: &[u8]) -> Wasmi {
        let module = wasmi::Module::new(engine, wasm).expect("wasmi: load");
        let mut store = wasmi::Store::new(engine, ());
        let mut linker = wasmi::Linker::new(engine);
        linker.func_wrap("host", "add", host_add).unwrap();
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .expect("wasmi: instantiate");
        let run = instance.get_typed_func(&store, "run").expect("wasmi: run");
        let inc = instance.get_typed_func(&store, "inc").ok();
        Wasmi { store, run, inc }
    }

    fn run(&mut self, n: i32) -> i64 {
        self.run
            .call(&mut self.store, n)
            .expect("wasmi: run trapped")
    }

    fn inc_loop(&mut self, n: u32) -> i64 {
        let inc = self.inc.as_ref().expect("guest exports inc");
        let mut x = 0;
        for _ in 0..n {
            x = inc.call(&mut self.store, x).unwrap();
        }
        x
    }
}
