//! The component side of the `weft` binary, on the component text files in
//! `tests/component-cli/`: `weft run --invoke` with WAVE arguments and results,
//! `weft inspect`, and `weft run --link`.

#[path = "common/cli.rs"]
mod cli;
use cli::weft;

const VALUES: &str = "tests/component-cli/values.wat";
const GREET: &str = "tests/component-cli/greet.wat";
const GREET_WRONG: &str = "tests/component-cli/greet-wrong.wat";
const GREETER: &str = "tests/component-cli/greeter.wat";

/// `weft run VALUES --invoke CALL`, which must succeed; returns its standard output.
fn invoke(call: &str) -> String {
    let out = weft(&["run", VALUES, "--invoke", call]);
    assert_eq!(out.code, Some(0), "{call}: {out:#?}");
    assert_eq!(out.stderr, "", "{call}: {out:#?}");
    out.stdout
}

/// `weft ARGS...`, which must fail with one `error: ` line; returns that line.
fn fails(args: &[&str]) -> String {
    let out = weft(args);
    assert_eq!(out.code, Some(1), "{args:?}: {out:#?}");
    assert!(out.stderr.starts_with("error: "), "{args:?}: {out:#?}");
    assert!(!out.stderr.contains("panicked"), "{args:?}: {out:#?}");
    out.stderr.lines().next().unwrap_or_default().to_string()
}

#[test]
fn invoke_round_trips_every_wave_value_kind() {
    let cases = [
        ("echo-bool(true)", "true"),
        ("echo-bool(false)", "false"),
        ("echo-s8(-128)", "-128"),
        ("echo-u8(255)", "255"),
        ("echo-s16(-300)", "-300"),
        ("echo-u16(65535)", "65535"),
        ("echo-s32(-2147483648)", "-2147483648"),
        ("echo-u32(4294967295)", "4294967295"),
        ("echo-s64(-9000000000)", "-9000000000"),
        ("echo-u64(18446744073709551615)", "18446744073709551615"),
        ("echo-f32(1.5)", "1.5"),
        ("echo-f64(-0.25)", "-0.25"),
        ("echo-f64(inf)", "inf"),
        ("echo-f64(nan)", "nan"),
        ("echo-char('☃')", "'☃'"),
        ("echo-char('\\n')", "'\\n'"),
        (r#"echo-string("hé \"q\"")"#, r#""hé \"q\"""#),
        ("echo-list([1, 2, 3])", "[1, 2, 3]"),
        ("echo-list([])", "[]"),
        (r#"echo-strings(["a", "bc"])"#, r#"["a", "bc"]"#),
        // Fields in any order; printed in declaration order.
        (r#"echo-entry({name: "x", id: 3})"#, r#"{id: 3, name: "x"}"#),
        (r#"echo-tuple((4, "y"))"#, r#"(4, "y")"#),
        ("echo-shape(circle(2.5))", "circle(2.5)"),
        ("echo-shape(square(3))", "square(3)"),
        ("echo-shape(point)", "point"),
        ("echo-color(green)", "green"),
        ("echo-option(some(5))", "some(5)"),
        ("echo-option(none)", "none"),
        // A trailing `option` argument may be left out.
        ("echo-option()", "none"),
        ("echo-result(ok(1))", "ok(1)"),
        (r#"echo-result(err("bad"))"#, r#"err("bad")"#),
        ("echo-perms({exec, read})", "{read, exec}"),
        ("echo-perms({})", "{}"),
    ];
    for (call, expected) in cases {
        assert_eq!(invoke(call), format!("{expected}\n"), "{call}");
    }
}

#[test]
fn a_function_without_a_result_prints_nothing() {
    assert_eq!(invoke("nothing()"), "");
    assert_eq!(invoke("nothing"), "");
}

#[test]
fn exports_of_exported_interfaces_are_reachable_by_short_and_full_names() {
    assert_eq!(invoke("math#add(1, 2)"), "3\n");
    assert_eq!(invoke("test:demo/math#add(3, 4)"), "7\n");
    assert_eq!(invoke("test:demo/math@1.0.0#add(5, 6)"), "11\n");
}

#[test]
fn bad_arguments_are_one_line_errors() {
    let e = fails(&["run", VALUES, "--invoke", "echo-u8(256)"]);
    assert!(e.contains("bad argument for `echo-u8`"), "{e}");
    assert!(
        e.contains("at `256`") && e.contains("func(x: u8) -> u8"),
        "{e}"
    );
    let e = fails(&["run", VALUES, "--invoke", r#"echo-u8("x")"#]);
    assert!(e.contains("invalid value type"), "{e}");
    let e = fails(&["run", VALUES, "--invoke", "echo-u8(1, 2)"]);
    assert!(
        e.contains("`echo-u8` takes 1 argument, but 2 were given"),
        "{e}"
    );
    let e = fails(&["run", VALUES, "--invoke", "math#add(1)"]);
    assert!(e.contains("takes 2 arguments, but 1 was given"), "{e}");
    let e = fails(&["run", VALUES, "--invoke", "echo-color(purple)"]);
    assert!(e.contains("unknown case \"purple\""), "{e}");
    let e = fails(&["run", VALUES, "--invoke", "echo-entry({id: 1})"]);
    assert!(e.contains("missing field"), "{e}");
    let e = fails(&["run", VALUES, "--invoke", "echo-u8("]);
    assert!(e.contains("bad WAVE arguments"), "{e}");
    let e = fails(&["run", VALUES, "--invoke", "(1)"]);
    assert!(e.contains("no function name"), "{e}");
    // The core-module style of arguments is refused with a hint.
    let e = fails(&["run", VALUES, "--invoke", "echo-u8", "7"]);
    assert!(e.contains("--invoke 'echo-u8(7)'"), "{e}");
}

#[test]
fn unknown_exports_list_the_functions_there_are() {
    let e = fails(&["run", VALUES, "--invoke", "nope()"]);
    assert!(e.contains("no exported function named `nope`"), "{e}");
    assert!(
        e.contains("echo-bool") && e.contains("test:demo/math@1.0.0#add"),
        "{e}"
    );
    let e = fails(&["run", VALUES, "--invoke", "math#sub(1, 2)"]);
    assert!(e.contains("no exported function named `math#sub`"), "{e}");
    // A library component run without --invoke.
    let e = fails(&["run", VALUES]);
    assert!(e.contains("not a command component"), "{e}");
}

#[test]
fn a_trap_is_an_error_with_a_backtrace() {
    let out = weft(&["run", VALUES, "--invoke", "boom(1)"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("error: wasm trap: unreachable"),
        "{out:#?}"
    );
    assert!(out.stderr.contains("wasm backtrace:"), "{out:#?}");
}

#[test]
fn inspect_prints_a_component_as_wit() {
    let out = weft(&["inspect", VALUES]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    for line in [
        "world root {",
        "  variant shape {",
        "  flags perms {",
        "  export test:demo/math@1.0.0;",
        "  export echo-entry: func(x: entry) -> entry;",
        "  export echo-result: func(x: result<u32, string>) -> result<u32, string>;",
        "  export nothing: func();",
        "package test:demo@1.0.0 {",
        "    add: func(a: u32, b: u32) -> u32;",
    ] {
        assert!(out.stdout.contains(line), "{line}: {}", out.stdout);
    }
    let out = weft(&["inspect", GREETER]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(
        out.stdout.contains("  import test:demo/greet;")
            && out
                .stdout
                .contains("  export relay: func(name: string) -> string;")
            && out
                .stdout
                .contains("    hello: func(name: string) -> string;"),
        "{}",
        out.stdout
    );
}

#[test]
fn inspect_lists_a_component_without_a_wit_form_by_name() {
    // A world cannot export a type, so this valid component has no WIT.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("types.wat");
    std::fs::write(
        &path,
        r#"(component
  (core module $m (func (export "f") (param i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m))
  (type $e (enum "a" "b"))
  (export $e2 "e" (type $e))
  (func (export "f") (param "x" $e2) (result $e2) (canon lift (core func $i "f"))))"#,
    )
    .unwrap();
    let out = weft(&["inspect", path.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(out.stdout.contains("cannot be shown as WIT"), "{out:#?}");
    assert!(
        out.stdout.contains("export e: type\nexport f: func\n"),
        "{out:#?}"
    );
}

#[test]
fn inspect_prints_a_core_modules_imports_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.wat");
    std::fs::write(
        &path,
        r#"(module
  (import "env" "log" (func (param i32 i64)))
  (import "env" "counter" (global (mut i32)))
  (import "env" "table" (table 1 10 funcref))
  (memory (export "memory") 1 2)
  (global (export "answer") i32 (i32.const 42))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let out = weft(&["inspect", path.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(
        out.stdout,
        "(module\n\
         \x20 (import \"env\" \"log\" (func (param i32 i64)))\n\
         \x20 (import \"env\" \"counter\" (global (mut i32)))\n\
         \x20 (import \"env\" \"table\" (table 1 10 funcref))\n\
         \x20 (export \"memory\" (memory 1 2))\n\
         \x20 (export \"answer\" (global i32))\n\
         \x20 (export \"add\" (func (param i32 i32) (result i32)))\n\
         )\n"
    );
}

#[test]
fn inspect_of_a_bad_file_is_a_clear_error() {
    let e = fails(&["inspect", "tests/component-cli/no-such-file.wasm"]);
    assert!(e.contains("cannot read"), "{e}");
    let e = fails(&["inspect", "Cargo.toml"]);
    assert!(e.starts_with("error: Cargo.toml:1:1: "), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.wasm");
    // A component header and then nothing that parses.
    std::fs::write(&path, b"\0asm\x0d\0\x01\0\x07").unwrap();
    let e = fails(&["inspect", path.to_str().unwrap()]);
    assert!(e.contains("invalid component"), "{e}");
}

#[test]
fn link_satisfies_an_import_with_another_components_export() {
    let link = format!("test:demo/greet={GREET}");
    let out = weft(&[
        "run",
        GREETER,
        "--link",
        &link,
        "--invoke",
        r#"relay("weft")"#,
    ]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "\"hello, weft\"\n");
    // Without the link the import is unknown, and the error says how to provide it.
    let e = fails(&["run", GREETER, "--invoke", r#"relay("weft")"#]);
    assert!(
        e.contains("unknown import: `test:demo/greet`") && e.contains("--link"),
        "{e}"
    );
}

#[test]
fn link_type_mismatches_name_the_import() {
    let link = format!("test:demo/greet={GREET_WRONG}");
    let e = fails(&[
        "run",
        GREETER,
        "--link",
        &link,
        "--invoke",
        r#"relay("weft")"#,
    ]);
    assert!(e.contains("incompatible import `test:demo/greet`"), "{e}");
    assert!(
        e.contains("expected type `func(name: string) -> string`, found `func(name: u32) -> u32`"),
        "{e}"
    );
}

#[test]
fn link_errors_name_what_is_missing() {
    // The provider does not export the interface.
    let link = format!("test:demo/greet={VALUES}");
    let e = fails(&["run", GREETER, "--link", &link, "--invoke", "relay(\"x\")"]);
    assert!(
        e.contains("has no export `test:demo/greet` to link") && e.contains("test:demo/math@1.0.0"),
        "{e}"
    );
    // The consumer does not import it.
    let link = format!("test:demo/gret={GREET}");
    let e = fails(&["run", GREETER, "--link", &link, "--invoke", "relay(\"x\")"]);
    assert!(
        e.contains("has no import named `test:demo/gret`") && e.contains("test:demo/greet"),
        "{e}"
    );
    // Not IMPORT=FILE, a file that is not there, a core module.
    let e = fails(&["run", GREETER, "--link", "test:demo/greet"]);
    assert!(e.contains("expected IMPORT=FILE"), "{e}");
    let e = fails(&[
        "run",
        GREETER,
        "--link",
        "test:demo/greet=tests/component-cli/no-such-file.wasm",
    ]);
    assert!(e.contains("cannot read"), "{e}");
    let e = fails(&["run", GREETER, "--link", "test:demo/greet=examples/fib.wat"]);
    assert!(e.contains("is not a component"), "{e}");
    // The same import twice.
    let link = format!("test:demo/greet={GREET}");
    let e = fails(&["run", GREETER, "--link", &link, "--link", &link]);
    assert!(e.contains("already linked"), "{e}");
    // --link on a core module.
    let e = fails(&["run", "examples/fib.wat", "--link", &link]);
    assert!(e.contains("links components only"), "{e}");
}

#[test]
fn link_can_replace_a_wasi_interface_of_a_command() {
    // tests/wasi/p2/args_env.wasm prints its arguments and environment; the linked
    // `wasi:cli/environment` (named without its version) replaces the host's.
    let out = weft(&[
        "run",
        "--env",
        "GREETING=from the host",
        "--link",
        "wasi:cli/environment=tests/component-cli/environment.wat",
        "tests/wasi/p2/args_env.wasm",
        "a",
    ]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "arg[0]=linked-arg\nenv GREETING=linked\n");
}

#[test]
fn linked_and_invoked_components_keep_the_wasi_options() {
    // --invoke on a command's `run`: arguments, environment and directories as for a run.
    let out = weft(&[
        "run",
        "--env",
        "GREETING=hi",
        "--invoke",
        "wasi:cli/run#run()",
        "tests/wasi/p2/args_env.wasm",
        "a",
    ]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(
        out.stdout,
        "arg[0]=tests/wasi/p2/args_env.wasm\narg[1]=a\nenv GREETING=hi\nok\n"
    );
    // tests/wasi/p2/files.wasm works in /data: --mapdir still gives it, with a --link.
    let t = tempfile::tempdir().unwrap();
    let out = weft(&[
        "run",
        "--mapdir",
        &format!("/data::{}", t.path().display()),
        "--link",
        "wasi:cli/environment=tests/component-cli/environment.wat",
        "tests/wasi/p2/files.wasm",
    ]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(out.stdout.ends_with("files ok\n"), "{out:#?}");
}

#[test]
fn maps_are_wave_maps() {
    let out = weft(&[
        "run",
        "tests/component-cli/map.wat",
        "--invoke",
        r#"echo-map({1: "a", 7: "b"})"#,
    ]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "{1: \"a\", 7: \"b\"}\n");
    let empty = weft(&[
        "run",
        "tests/component-cli/map.wat",
        "--invoke",
        "echo-map({})",
    ]);
    assert_eq!(empty.stdout, "{}\n", "{empty:#?}");
}
