//! `weft run` on WASI programs (the wasip1 guests in `tests/wasi/`): output, argv,
//! environment, preopened directories and exit status.

use std::process::Command;

/// What one run of the binary did.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `weft ARGS...` in the package directory with `stdin` as standard input.
fn weft_with_stdin(args: &[&str], stdin: &[u8]) -> Outcome {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the weft binary runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn weft(args: &[&str]) -> Outcome {
    weft_with_stdin(args, b"")
}

#[test]
fn hello_prints() {
    let out = weft(&["run", "tests/wasi/hello.wasm"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "hello, world\n");
    assert_eq!(out.stderr, "hello, stderr\n");
}

#[test]
fn exit_status_propagates() {
    let out = weft(&["run", "tests/wasi/exit.wasm"]);
    assert_eq!(out.code, Some(42), "{out:#?}");
    assert_eq!(out.stdout, "exiting with 42\n");
    assert_eq!(out.stderr, "");
    let out = weft(&["run", "tests/wasi/exit.wasm", "7"]);
    assert_eq!(out.code, Some(7), "{out:#?}");
    let out = weft(&["run", "tests/wasi/exit.wasm", "0"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
}

#[test]
fn args_and_env() {
    let out = weft(&[
        "run",
        "--env",
        "GREETING=hi there",
        "--env",
        "EMPTY=",
        "tests/wasi/args_env.wasm",
        "a",
        "--not-an-option",
    ]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(
        out.stdout,
        "arg[0]=tests/wasi/args_env.wasm\narg[1]=a\narg[2]=--not-an-option\n\
         env EMPTY=\nenv GREETING=hi there\n"
    );
    // Nothing of weft's own environment leaks in without --inherit-env.
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["run", "tests/wasi/args_env.wasm"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("WEFT_TEST_VAR", "leak")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("WEFT_TEST_VAR"));
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["run", "--inherit-env", "tests/wasi/args_env.wasm"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("WEFT_TEST_VAR", "inherited")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("env WEFT_TEST_VAR=inherited"));
}

#[test]
fn stdin_is_inherited() {
    let out = weft_with_stdin(&["run", "tests/wasi/stdin.wasm"], b"piped in\n");
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "9 bytes: PIPED IN\n");
}

#[test]
fn dir_gives_a_directory() {
    let t = tempfile::tempdir().unwrap();
    let spec = format!("{}::/data", t.path().display());
    let out = weft(&["run", "--dir", &spec, "tests/wasi/files.wasm"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(out.stdout.ends_with("files ok\n"), "{out:#?}");
    // --mapdir GUEST::HOST is the same.
    let spec = format!("/data::{}", t.path().display());
    let out = weft(&["run", "--mapdir", &spec, "tests/wasi/dirs.wasm"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert!(out.stdout.ends_with("dirs ok\n"), "{out:#?}");
}

#[test]
fn dir_ro_refuses_writes() {
    let t = tempfile::tempdir().unwrap();
    let spec = format!("{}::/data", t.path().display());
    let out = weft(&["run", "--dir-ro", &spec, "tests/wasi/files.wasm"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(out.stderr.contains("Operation not permitted"), "{out:#?}");
    assert!(
        out.stderr.contains("error: wasm trap: unreachable"),
        "{out:#?}"
    );
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
}

#[test]
fn missing_dir_is_an_error() {
    let out = weft(&["run", "--dir", "/no/such/dir", "tests/wasi/hello.wasm"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(
        out.stderr
            .starts_with("error: cannot preopen `/no/such/dir`"),
        "{out:#?}"
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn invoke_on_a_wasi_module_still_links_wasi() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoke.wat");
    std::fs::write(
        &path,
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write"
               (func $fd_write (param i32 i32 i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (data (i32.const 16) "hi\n")
             (func (export "say") (param i32) (result i32)
               (i32.store (i32.const 0) (i32.const 16))
               (i32.store (i32.const 4) (i32.const 3))
               (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
               (i32.add (local.get 0) (i32.const 1)))
             (func (export "quit") (param i32) (call $exit (local.get 0))))"#,
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let out = weft(&["run", file, "--invoke", "say", "41"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "hi\n42\n");
    let out = weft(&["run", "--invoke", "quit", file, "3"]);
    assert_eq!(out.code, Some(3), "{out:#?}");
}
