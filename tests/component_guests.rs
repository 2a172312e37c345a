//! Components made by real toolchains, called through the embedding API and from
//! `weft run --invoke` with every kind of value: `tests/component-guests/` holds
//! `wit/values.wit` implemented in Rust with wit-bindgen for `wasm32-wasip2`
//! (`values-rust.wasm`, source in `rust/`) and in C with `wit-bindgen c` and wasi-libc
//! (`values-c.wasm`, source in `c/`), both rebuilt by `build.sh`. The expected results
//! follow from the WIT and the guests' sources, not from running Weft.

use weft::component::{Component, Instance, Linker};
use weft::{Engine, Store};
use weft_canon_abi::Val;
use weft_wasi::{WasiCtx, WasiCtxBuilder};

const IFACE: &str = "weft:test/values";

/// A guest instantiated with WASI 0.2 (its standard library imports a few interfaces).
struct Guest {
    store: Store<WasiCtx>,
    instance: Instance,
}

impl Guest {
    fn new(file: &str) -> Guest {
        let path = format!(
            "{}/tests/component-guests/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).expect("the guest is built (build.sh)");
        let engine = Engine::default();
        let component = Component::new(&engine, &bytes).expect("the guest is valid");
        let mut store = Store::new(&engine, WasiCtxBuilder::new().build().unwrap());
        let mut linker = Linker::<WasiCtx>::new(&engine);
        weft_wasi::p2::add_to_linker(&mut linker, |c| c).unwrap();
        let instance = linker.instantiate(&mut store, &component).unwrap();
        Guest { store, instance }
    }

    /// Calls `weft:test/values#NAME` and returns its one result (or `None`).
    fn try_call(&mut self, name: &str, args: &[Val]) -> weft::component::Result<Option<Val>> {
        let f = self
            .instance
            .get_func(&mut self.store, &format!("{IFACE}#{name}"))?;
        let n = f.ty().map_or(1, |t| t.results.len());
        let mut results = vec![Val::Bool(false); n];
        f.call(&mut self.store, args, &mut results)?;
        Ok(results.pop())
    }

    fn call(&mut self, name: &str, args: &[Val]) -> Val {
        match self.try_call(name, args) {
            Ok(Some(v)) => v,
            Ok(None) => panic!("{name} returned nothing"),
            Err(e) => panic!("{name}: {e}"),
        }
    }
}

fn s(x: &str) -> Val {
    Val::String(x.into())
}

fn some(v: Val) -> Option<Box<Val>> {
    Some(Box::new(v))
}

fn point(x: i32, y: i32, label: &str) -> Val {
    Val::Record(vec![
        ("x".into(), Val::S32(x)),
        ("y".into(), Val::S32(y)),
        ("label".into(), s(label)),
    ])
}

fn scalars_and_strings(g: &mut Guest) {
    assert_eq!(g.call("echo-string", &[s("")]), s(""));
    assert_eq!(
        g.call("echo-string", &[s("héllo, wörld ✓")]),
        s("héllo, wörld ✓")
    );
    let long = "x".repeat(100_000);
    assert_eq!(g.call("echo-string", &[s(&long)]), s(&long));
    assert_eq!(g.call("char-code", &[Val::Char('€')]), Val::U32(0x20ac));
    let t = Val::Tuple(vec![
        Val::U8(200),
        Val::S64(-1_000_000_000_000),
        Val::Float32(0.5),
    ]);
    assert_eq!(
        g.call("sum-tuple", &[t]),
        Val::Float64(200.0 - 1_000_000_000_000.0 + 0.5)
    );
}

fn lists(g: &mut Guest) {
    let l = |xs: &[u32]| Val::List(xs.iter().map(|&x| Val::U32(x)).collect());
    assert_eq!(g.call("reverse-list", &[l(&[])]), l(&[]));
    assert_eq!(g.call("reverse-list", &[l(&[1, 2, 3])]), l(&[3, 2, 1]));
    let words = |ws: &[&str]| Val::List(ws.iter().map(|w| s(w)).collect());
    assert_eq!(
        g.call("upper-all", &[words(&["a", "bc", "xyz"])]),
        words(&["A", "BC", "XYZ"])
    );
}

fn records_variants_enums_flags(g: &mut Guest) {
    assert_eq!(
        g.call(
            "move-point",
            &[point(1, 2, "p"), Val::S32(10), Val::S32(-5)]
        ),
        point(11, -3, "p'")
    );
    let shape = |case: &str, payload: Option<Val>| Val::Variant(case.into(), payload.map(Box::new));
    assert_eq!(
        g.call("describe", &[shape("circle", Some(Val::Float64(1.5)))]),
        s("circle of radius 1.5")
    );
    assert_eq!(
        g.call("describe", &[shape("rect", Some(point(3, 4, "r")))]),
        s("rect 3x4 (r)")
    );
    assert_eq!(g.call("describe", &[shape("empty", None)]), s("empty"));
    for (c, next) in [("red", "green"), ("green", "blue"), ("blue", "red")] {
        assert_eq!(
            g.call("next-color", &[Val::Enum(c.into())]),
            Val::Enum(next.into())
        );
    }
    let flags = |fs: &[&str]| Val::Flags(fs.iter().map(|f| f.to_string()).collect());
    assert_eq!(
        g.call("toggle-write", &[flags(&["read"])]),
        flags(&["read", "write"])
    );
    assert_eq!(
        g.call("toggle-write", &[flags(&["write", "exec"])]),
        flags(&["exec"])
    );
    assert_eq!(g.call("toggle-write", &[flags(&[])]), flags(&["write"]));
}

fn options_and_results(g: &mut Guest) {
    assert_eq!(
        g.call("maybe-double", &[Val::Option(some(Val::U32(21)))]),
        Val::Option(some(Val::U32(42)))
    );
    assert_eq!(
        g.call("maybe-double", &[Val::Option(None)]),
        Val::Option(None)
    );
    assert_eq!(
        g.call("maybe-double", &[Val::Option(some(Val::U32(u32::MAX)))]),
        Val::Option(None)
    );
    assert_eq!(
        g.call("checked-div", &[Val::S32(7), Val::S32(2)]),
        Val::Result(Ok(some(Val::S32(3))))
    );
    assert_eq!(
        g.call("checked-div", &[Val::S32(1), Val::S32(0)]),
        Val::Result(Err(some(s("cannot divide 1 by 0"))))
    );
}

fn resources(g: &mut Guest) {
    let counter = g.call("[constructor]counter", &[Val::U32(5)]);
    assert!(matches!(counter, Val::Resource(_)), "{counter:?}");
    assert_eq!(
        g.call("[method]counter.increment", std::slice::from_ref(&counter)),
        Val::U32(6)
    );
    assert_eq!(
        g.call("[method]counter.increment", std::slice::from_ref(&counter)),
        Val::U32(7)
    );
    assert_eq!(
        g.call("[method]counter.get", std::slice::from_ref(&counter)),
        Val::U32(7)
    );
    // Lending the handle leaves it ours; giving it away moves it.
    assert_eq!(g.call("peek", std::slice::from_ref(&counter)), Val::U32(7));
    assert_eq!(
        g.call("finish", std::slice::from_ref(&counter)),
        Val::U32(7)
    );
    let err = g
        .try_call("[method]counter.get", &[counter])
        .expect_err("the handle moved to the guest, which dropped it");
    assert!(
        err.to_string().contains("already moved or dropped"),
        "{err}"
    );
    // The error was the host's, before entering: the instance still works.
    let c2 = g.call("[constructor]counter", &[Val::U32(0)]);
    assert_eq!(g.call("[method]counter.increment", &[c2]), Val::U32(1));
}

fn values_round_trip(file: &str) {
    let mut g = Guest::new(file);
    scalars_and_strings(&mut g);
    lists(&mut g);
    records_variants_enums_flags(&mut g);
    options_and_results(&mut g);
    resources(&mut g);
}

#[test]
fn rust_guest_values_round_trip() {
    values_round_trip("values-rust.wasm");
}

#[test]
fn c_guest_values_round_trip() {
    values_round_trip("values-c.wasm");
}

/// `weft run GUEST --invoke CALL`: stdout and the exit status.
fn weft_invoke(file: &str, call: &str) -> (String, Option<i32>) {
    let path = format!(
        "{}/tests/component-guests/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["run", &path, "--invoke", call])
        .output()
        .expect("weft runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

fn from_the_command_line(file: &str) {
    for (call, expected) in [
        ("values#echo-string(\"héllo\")", "\"héllo\""),
        ("values#reverse-list([1, 2, 3])", "[3, 2, 1]"),
        ("values#upper-all([\"a\", \"bc\"])", "[\"A\", \"BC\"]"),
        (
            "values#move-point({x: 1, y: 2, label: \"p\"}, 10, -5)",
            "{x: 11, y: -3, label: \"p\\'\"}",
        ),
        ("values#describe(circle(1.5))", "\"circle of radius 1.5\""),
        ("values#describe(empty)", "\"empty\""),
        ("values#maybe-double(some(21))", "some(42)"),
        ("values#maybe-double(none)", "none"),
        ("values#checked-div(7, 2)", "ok(3)"),
        ("values#checked-div(1, 0)", "err(\"cannot divide 1 by 0\")"),
        ("values#next-color(blue)", "red"),
        ("values#toggle-write({read})", "{read, write}"),
        ("values#sum-tuple((200, -5, 0.5))", "195.5"),
        ("weft:test/values#char-code('€')", "8364"),
    ] {
        let (stdout, status) = weft_invoke(file, call);
        assert_eq!(status, Some(0), "{file}: {call}");
        assert_eq!(stdout.trim_end(), expected, "{file}: {call}");
    }
}

#[test]
fn rust_guest_from_the_command_line() {
    from_the_command_line("values-rust.wasm");
}

#[test]
fn c_guest_from_the_command_line() {
    from_the_command_line("values-c.wasm");
}
