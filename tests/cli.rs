//! End-to-end tests of the `weft` command-line tool: they run the built binary on the
//! demo modules in `examples/` and the scripts in `tests/wast/`, and check its output and
//! exit status. Every failure must be a single `error: ...` line (plus a backtrace for
//! traps) with exit status 1, never a panic.

use std::path::{Path, PathBuf};

#[path = "common/cli.rs"]
mod cli;
use cli::weft;

/// Asserts a successful run that printed exactly `expected` on stdout.
fn assert_prints(args: &[&str], expected: &str) {
    let out = weft(args);
    assert_eq!(out.code, Some(0), "weft {args:?} failed: {out:#?}");
    assert_eq!(out.stdout, expected, "weft {args:?}: {out:#?}");
    assert_eq!(out.stderr, "", "weft {args:?}: {out:#?}");
}

/// Asserts a run that failed with status 1 and one line `error: ...` on stderr containing
/// every string of `needles`; returns that line.
fn assert_one_line_error(args: &[&str], needles: &[&str]) -> String {
    let out = weft(args);
    assert_eq!(
        out.code,
        Some(1),
        "weft {args:?} should fail with status 1: {out:#?}"
    );
    assert!(
        !out.stderr.contains("panicked"),
        "weft {args:?} panicked: {out:#?}"
    );
    assert_eq!(out.stdout, "", "weft {args:?}: {out:#?}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "weft {args:?}: expected a one-line error: {out:#?}"
    );
    assert!(lines[0].starts_with("error: "), "weft {args:?}: {out:#?}");
    for needle in needles {
        assert!(
            lines[0].contains(needle),
            "weft {args:?}: `{needle}` not in {:?}",
            lines[0]
        );
    }
    lines[0].to_string()
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    /// Writes `contents` to a file whose name is unique to this process and `name`.
    fn new(name: &str, contents: &[u8]) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("weft-cli-test-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("the temporary file can be written");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("temporary paths are UTF-8 here")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn runs_recursive_fib() {
    assert_prints(
        &["run", "examples/fib.wat", "--invoke", "fib", "20"],
        "6765\n",
    );
    assert_prints(&["run", "--invoke", "fib", "examples/fib.wat", "0"], "0\n");
}

#[test]
fn runs_the_other_demos() {
    assert_prints(
        &["run", "examples/hello.wat", "--invoke", "fib", "90"],
        "2880067194370816120\n",
    );
    assert_prints(
        &["run", "examples/factorial.wat", "--invoke", "fac", "20"],
        "2432902008176640000\n",
    );
    assert_prints(
        &["run", "examples/factorial.wat", "--invoke", "fac_loop", "5"],
        "120\n",
    );
}

#[test]
fn runs_binary_modules() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/factorial.wat"),
    )
    .expect("examples/factorial.wat is readable");
    let buf = wast::parser::ParseBuffer::new(&text).expect("the example lexes");
    let mut wat: wast::Wat = wast::parser::parse(&buf).expect("the example parses");
    let binary = wat.encode().expect("the example encodes");
    // The extension does not matter: the content decides.
    let module = TempFile::new("factorial.bin", &binary);
    assert_prints(
        &["run", module.path(), "--invoke", "fac", "10"],
        "3628800\n",
    );
}

#[test]
fn invokes_functions_of_a_memory64_module() {
    let module = TempFile::new(
        "memory64.wat",
        br#"(module
            (memory (export "memory") i64 1)
            (data (i64.const 0xfffe) "\2a")
            (func (export "peek") (param i64) (result i32) (i32.load8_u (local.get 0)))
            (func (export "size") (result i64) (memory.size)))"#,
    );
    assert_prints(&["run", module.path(), "--invoke", "peek", "65534"], "42\n");
    assert_prints(&["run", module.path(), "--invoke", "size"], "1\n");
    // Past 4 GiB is out of bounds, not address 65534 again.
    let out = weft(&["run", module.path(), "--invoke", "peek", "4295032830"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(
        out.stderr.contains("out of bounds memory access"),
        "{out:#?}"
    );
}

#[test]
fn parses_integer_arguments() {
    let add = |a: &str, b: &str, expected: &str| {
        assert_prints(
            &["run", "examples/arith.wat", "--invoke", "add", a, b],
            expected,
        );
    };
    add("1", "2", "3\n");
    add("0x10", "-1", "15\n");
    add("-0x10", "-0X10", "-32\n");
    add("4294967295", "0", "-1\n");
    add("0xffffffff", "2", "1\n");
    add("2147483647", "1", "-2147483648\n");
    add("-2147483648", "0", "-2147483648\n");
    add("1_000", "+1", "1001\n");
    assert_prints(
        &[
            "run",
            "examples/arith.wat",
            "--invoke",
            "add_i64",
            "18446744073709551615",
            "2",
        ],
        "1\n",
    );
    assert_prints(
        &[
            "run",
            "examples/arith.wat",
            "--invoke",
            "add_i64",
            "-9223372036854775808",
            "-1",
        ],
        "9223372036854775807\n",
    );
    // `--` is accepted before the arguments, too.
    assert_prints(
        &[
            "run",
            "examples/arith.wat",
            "--invoke",
            "add",
            "--",
            "-1",
            "-2",
        ],
        "-3\n",
    );
}

#[test]
fn parses_float_arguments_and_prints_floats() {
    let run = |func: &str, a: &str, b: &str, expected: &str| {
        assert_prints(
            &["run", "examples/arith.wat", "--invoke", func, a, b],
            expected,
        );
    };
    run("mul_f32", "1.5", "2", "3\n");
    run("mul_f32", "0.1", "1", "0.1\n");
    run("div_f64", "1", "4", "0.25\n");
    run("div_f64", "1", "0", "inf\n");
    run("div_f64", "-inf", "2", "-inf\n");
    run("div_f64", "0", "0", "nan\n");
    run("div_f64", "nan", "1", "nan\n");
    run("div_f64", "-1e3", "10", "-100\n");
}

#[test]
fn prints_each_result_on_its_own_line() {
    assert_prints(
        &["run", "examples/arith.wat", "--invoke", "swap", "1", "2"],
        "2\n1\n",
    );
}

#[test]
fn wrong_argument_count() {
    assert_one_line_error(
        &["run", "examples/fib.wat", "--invoke", "fib"],
        &["`fib`", "1 argument", "i32", "0 were given"],
    );
    assert_one_line_error(
        &[
            "run",
            "examples/arith.wat",
            "--invoke",
            "add",
            "1",
            "2",
            "3",
        ],
        &["`add`", "2 arguments", "i32 i32", "3 were given"],
    );
}

#[test]
fn unparsable_arguments() {
    assert_one_line_error(
        &["run", "examples/fib.wat", "--invoke", "fib", "abc"],
        &["argument 1", "i32", "`abc`"],
    );
    assert_one_line_error(
        &[
            "run",
            "examples/arith.wat",
            "--invoke",
            "add",
            "1",
            "4294967296",
        ],
        &["argument 2", "i32", "out of range"],
    );
    assert_one_line_error(
        &[
            "run",
            "examples/arith.wat",
            "--invoke",
            "add_i64",
            "1",
            "0x",
        ],
        &["argument 2", "i64"],
    );
    assert_one_line_error(
        &[
            "run",
            "examples/arith.wat",
            "--invoke",
            "div_f64",
            "one",
            "1",
        ],
        &["argument 1", "f64", "`one`"],
    );
}

#[test]
fn missing_export() {
    assert_one_line_error(
        &["run", "examples/fib.wat", "--invoke", "nope"],
        &["no export named `nope`", "fib"],
    );
    assert_one_line_error(
        &["run", "examples/fib.wat"],
        &["no `_start` export; use --invoke NAME"],
    );
    let module = TempFile::new(
        "memory-export.wat",
        br#"(module (memory (export "mem") 1) (func (export "f")))"#,
    );
    assert_one_line_error(
        &["run", module.path(), "--invoke", "mem"],
        &["`mem` is a memory, not a function"],
    );
}

#[test]
fn missing_file() {
    assert_one_line_error(
        &["run", "examples/does-not-exist.wat"],
        &["cannot read", "does-not-exist"],
    );
    assert_one_line_error(&["run", "examples"], &["cannot read", "examples"]);
}

#[test]
fn invalid_modules() {
    // A binary header followed by garbage.
    let garbage = TempFile::new("garbage.wasm", b"\0asm\x01\0\0\0\xff\xff\xff\xff");
    assert_one_line_error(&["run", garbage.path()], &[]);
    // Neither a binary nor UTF-8 text.
    let noise = TempFile::new("noise.bin", &[0xff, 0xfe, 0x00, 0x80, 0x13, 0x37]);
    assert_one_line_error(&["run", noise.path()], &["neither a WebAssembly binary"]);
    // Text that does not parse: the error names the place.
    let syntax = TempFile::new(
        "syntax.wat",
        b"(module\n  (func (result i32)\n    i32.const)\n",
    );
    assert_one_line_error(&["run", syntax.path(), "--invoke", "f"], &["syntax.wat:3:"]);
    // Text that parses but does not validate.
    let invalid = TempFile::new(
        "invalid.wat",
        br#"(module (func (export "f") (result i32)))"#,
    );
    assert_one_line_error(&["run", invalid.path(), "--invoke", "f"], &["invalid.wat"]);
    // An empty file.
    let empty = TempFile::new("empty.wasm", b"");
    assert_one_line_error(&["run", empty.path()], &[]);
    // A component is reported as unsupported.
    let component = TempFile::new("component.wasm", b"\0asm\x0d\0\x01\0");
    assert_one_line_error(&["run", component.path()], &["component"]);
}

#[test]
fn only_wasi_imports_are_provided() {
    let module = TempFile::new(
        "imports.wat",
        br#"(module
             (import "env" "host_fn" (func (param i32)))
             (func (export "_start")))"#,
    );
    assert_one_line_error(
        &["run", module.path()],
        &["unknown import", "env", "host_fn", "wasi_snapshot_preview1"],
    );
}

#[test]
fn runaway_recursion_traps() {
    let out = weft(&["run", "examples/recurse_forever.wat"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    assert!(out.stderr.starts_with("error: "), "{out:#?}");
    assert!(out.stderr.contains("call stack exhausted"), "{out:#?}");
    // A backtrace of the whole recursion would be enormous: its middle is left out.
    assert!(out.stderr.lines().count() < 100, "{out:#?}");
    assert!(out.stderr.contains("recurse"), "{out:#?}");
}

#[test]
fn fuel_stops_an_endless_loop() {
    let out = weft(&["run", "--fuel", "1000000", "examples/loop_forever.wat"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    assert!(out.stderr.starts_with("error: "), "{out:#?}");
    assert!(out.stderr.contains("fuel"), "{out:#?}");
    // With enough fuel a terminating function still returns its result.
    assert_prints(
        &[
            "run",
            "--fuel",
            "1000000",
            "examples/fib.wat",
            "--invoke",
            "fib",
            "10",
        ],
        "55\n",
    );
}

#[test]
fn trap_backtrace_names_functions() {
    let out = weft(&["run", "examples/div_by_zero.wat"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: "), "{out:#?}");
    assert!(first.contains("integer divide by zero"), "{out:#?}");
    // Innermost frame first.
    let divide = out
        .stderr
        .find("divide\n")
        .expect("frame `divide` in the backtrace");
    let average = out
        .stderr
        .find("average")
        .expect("frame `average` in the backtrace");
    let start = out
        .stderr
        .find("_start")
        .expect("frame `_start` in the backtrace");
    assert!(divide < average && average < start, "{out:#?}");
}

#[test]
fn wast_without_reference_types() {
    let script = TempFile::new(
        "tables.wast",
        br#"(assert_invalid (module (table 1 funcref) (table 1 funcref)) "multiple tables")
(module (memory 1 1 shared)
  (func (export "cas") (result i32) (i32.atomic.rmw.cmpxchg (i32.const 0) (i32.const 0) (i32.const 7))))
(assert_return (invoke "cas") (i32.const 0))
(assert_return (invoke "cas") (i32.const 7))
"#,
    );
    let out = weft(&["wast", "--no-reference-types", script.path()]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(
        out.stdout.ends_with("total: 4 passed, 0 failed\n"),
        "{out:#?}"
    );
    // With reference types (the default) a second table is valid.
    let out = weft(&["wast", script.path()]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(out.stdout.contains("total: 3 passed, 1 failed"), "{out:#?}");
}

#[test]
fn wast_passing_script() {
    let out = weft(&["wast", "tests/wast/smoke.wast"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(
        out.stdout, "tests/wast/smoke.wast: 5 passed, 0 failed\ntotal: 5 passed, 0 failed\n",
        "{out:#?}"
    );
}

#[test]
fn wast_failing_script() {
    let out = weft(&["wast", "tests/wast/failing.wast", "tests/wast/smoke.wast"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{out:#?}");
    assert_eq!(lines[0], "tests/wast/failing.wast: 2 passed, 1 failed");
    assert!(
        lines[1].starts_with("  tests/wast/failing.wast:6:2: assert_return: "),
        "{out:#?}"
    );
    assert_eq!(lines[2], "tests/wast/smoke.wast: 5 passed, 0 failed");
    assert_eq!(lines[3], "total: 7 passed, 1 failed");
}

#[test]
fn wast_directory_and_unreadable_file() {
    let out = weft(&["wast", "tests/wast/no-such-file.wast", "tests/wast"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    assert!(
        out.stderr
            .starts_with("error: cannot read `tests/wast/no-such-file.wast`"),
        "{out:#?}"
    );
    // The directory stands for its scripts, in name order.
    let failing = Path::new("tests/wast").join("failing.wast");
    assert!(out
        .stdout
        .starts_with(&format!("{}: 2 passed, 1 failed", failing.display())));
    assert!(
        out.stdout.ends_with("total: 7 passed, 1 failed\n"),
        "{out:#?}"
    );
}

#[test]
fn help_and_version() {
    let out = weft(&["--help"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(
        out.stdout.contains("run") && out.stdout.contains("wast"),
        "{out:#?}"
    );
    let out = weft(&["run", "--help"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    for needle in ["--invoke", "--fuel", "FILE", "ARGS", "_start"] {
        assert!(out.stdout.contains(needle), "`{needle}` not in {out:#?}");
    }
    let out = weft(&["--version"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, format!("weft {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn wast_component_script() {
    // Component scripts run on the Component Model runtime, beside core ones.
    let out = weft(&[
        "wast",
        "tests/component-wast/values.wast",
        "tests/wast/smoke.wast",
    ]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(
        out.stdout,
        "tests/component-wast/values.wast: 12 passed, 0 failed\n\
         tests/wast/smoke.wast: 5 passed, 0 failed\n\
         total: 17 passed, 0 failed\n",
        "{out:#?}"
    );
}
