//! `weft run` on components (the wasip2 guests in `tests/wasi/p2/`): output, argv,
//! environment, stdin, preopened directories, exit status, traps, and `--invoke` of an
//! interface's function.

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
        .env_remove("WEFT_TEST_VAR")
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
    let out = weft(&["run", "tests/wasi/p2/hello.wasm"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "hello, world\n");
    assert_eq!(out.stderr, "hello, stderr\n");
}

#[test]
fn exit_ok_is_0_err_is_1() {
    let out = weft(&["run", "tests/wasi/p2/exit.wasm", "3"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert_eq!(out.stdout, "exiting with 3\n");
    assert_eq!(out.stderr, "");
    let out = weft(&["run", "tests/wasi/p2/exit.wasm", "0"]);
    assert_eq!(out.code, Some(0), "{out:#?}");
}

#[test]
fn args_and_env() {
    let out = weft(&[
        "run",
        "--env",
        "GREETING=hi there",
        "tests/wasi/p2/args_env.wasm",
        "a",
        "--not-an-option",
    ]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(
        out.stdout,
        "arg[0]=tests/wasi/p2/args_env.wasm\narg[1]=a\narg[2]=--not-an-option\n\
         env GREETING=hi there\n"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["run", "--inherit-env", "tests/wasi/p2/args_env.wasm"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("WEFT_TEST_VAR", "inherited")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("env WEFT_TEST_VAR=inherited\n"), "{stdout}");
}

#[test]
fn stdin_is_inherited() {
    let out = weft_with_stdin(&["run", "tests/wasi/p2/stdin.wasm"], b"piped in\n");
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "9 bytes: PIPED IN\n");
}

#[test]
fn dir_and_mapdir_give_a_directory() {
    for (flag, spec) in [("--dir", "{}::/data"), ("--mapdir", "/data::{}")] {
        let t = tempfile::tempdir().unwrap();
        let spec = spec.replace("{}", t.path().to_str().unwrap());
        let out = weft(&["run", flag, &spec, "tests/wasi/p2/files.wasm"]);
        assert_eq!(out.code, Some(0), "{flag}: {out:#?}");
        assert!(out.stdout.ends_with("files ok\n"), "{out:#?}");
    }
}

#[test]
fn dir_ro_refuses_writes_and_the_trap_is_reported() {
    let t = tempfile::tempdir().unwrap();
    let spec = format!("{}::/data", t.path().display());
    let out = weft(&["run", "--dir-ro", &spec, "tests/wasi/p2/files.wasm"]);
    // The guest panics on its first create (not-permitted): a trap, exit status 1.
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(out.stderr.contains("code: 63"), "{out:#?}");
    assert!(out.stderr.contains("error: "), "{out:#?}");
    assert!(out.stderr.contains("unreachable"), "{out:#?}");
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
}

#[test]
fn invoke_calls_a_command_components_run_by_interface_name() {
    // `run` alone is not an export: the error lists the function paths there are.
    let out = weft(&["run", "--invoke", "run", "tests/wasi/p2/hello.wasm"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("no exported function named `run`")
            && out.stderr.contains("wasi:cli/run@0.2.0#run"),
        "{out:#?}"
    );
    // The interface name without its version reaches it; the result is printed in WAVE.
    let out = weft(&[
        "run",
        "--invoke",
        "wasi:cli/run#run()",
        "tests/wasi/p2/hello.wasm",
    ]);
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "hello, world\nok\n");
}

#[test]
fn a_component_without_wasi_cli_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.wat");
    std::fs::write(
        &path,
        "(; a library component ;)\n(component (core module $m (func (export \"f\")))\n\
         (core instance $i (instantiate $m))\n(func (export \"f\") (canon lift (core func $i \"f\"))))",
    )
    .unwrap();
    let out = weft(&["run", path.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(out.stderr.contains("not a command component"), "{out:#?}");
}

#[test]
fn a_wasip2_program_lists_a_mapped_directory_and_copies_a_file() {
    // tests/wasi/guests_p2/src/bin/ls_cp.rs, a plain std::fs program.
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir(t.path().join("sub")).unwrap();
    std::fs::write(t.path().join("a.txt"), "hello weft\n").unwrap();
    let spec = format!("{}::/data", t.path().display());
    let out = weft(&[
        "run",
        "--dir",
        &spec,
        "tests/wasi/p2/ls_cp.wasm",
        "/data",
        "/data/a.txt",
        "/data/b.txt",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "a.txt\nsub/\ncopied 11 bytes\n");
    assert_eq!(
        std::fs::read_to_string(t.path().join("b.txt")).unwrap(),
        "hello weft\n"
    );
    // Outside the mapped directory nothing may be touched: copying out is refused.
    let out = weft(&[
        "run",
        "--dir",
        &spec,
        "tests/wasi/p2/ls_cp.wasm",
        "/data",
        "/data/a.txt",
        "/data/../escaped.txt",
    ]);
    assert_ne!(out.code, Some(0), "{out:?}");
    assert!(!t.path().parent().unwrap().join("escaped.txt").exists());
}
