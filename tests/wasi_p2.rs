//! WASI 0.2 (`weft_wasi::p2`) through the embedding API: the `wasm32-wasip2` guests of
//! `tests/wasi/p2/` (Rust in `tests/wasi/guests_p2/`, rebuilt by `tests/wasi/build_p2.sh`)
//! with stdio captured, the sandbox (every escape fails with the guest-visible code for
//! `not-permitted` and leaves the host tree as it was), version matching, link errors
//! and resource destructors.

use std::collections::BTreeMap;
use std::path::Path;
use weft::component::{Component, Linker};
use weft::{Engine, Store};
use weft_canon_abi::Val;
use weft_wasi::{DirPerms, OutputBuffer, Stdin, Stdio, WasiCtx, WasiCtxBuilder};

// The preview1 adapter inside wasip2 programs turns `error-code`s into these errnos.
const NOENT: i32 = 44;
const LOOP: i32 = 32;
const NOTEMPTY: i32 = 55;
/// `error-code.not-permitted`.
const PERM: i32 = 63;

/// What a guest program did.
struct Outcome {
    /// The exit status `weft_wasi::p2::run` gave, or its error.
    status: Result<i32, weft::component::Error>,
    exit_code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `tests/wasi/p2/NAME.wasm` with `args` (after argv[0]) and the builder's settings,
/// capturing stdout and stderr.
fn run_guest(name: &str, args: &[&str], builder: WasiCtxBuilder) -> Outcome {
    let path = format!("{}/tests/wasi/p2/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("the guest is built (tests/wasi/build_p2.sh)");
    let engine = Engine::default();
    let component = Component::new(&engine, &bytes).expect("the guest is valid");
    let (out, err) = (OutputBuffer::new(), OutputBuffer::new());
    let ctx = builder
        .arg(format!("{name}.wasm"))
        .args(args.iter().copied())
        .stdout(Stdio::Buffer(out.clone()))
        .stderr(Stdio::Buffer(err.clone()))
        .build()
        .expect("the context builds");
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::p2::add_to_linker(&mut linker, |c| c).unwrap();
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let status = weft_wasi::p2::run(&mut store, &instance);
    Outcome {
        status,
        exit_code: store.data().exit_code(),
        stdout: out.contents_string(),
        stderr: err.contents_string(),
    }
}

fn assert_ok(o: &Outcome) {
    assert!(
        matches!(o.status, Ok(0)),
        "guest failed: {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        o.stdout,
        o.stderr
    );
}

/// Every file, directory and link under `root`, with file contents and link targets.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let ty = e.file_type().unwrap();
            if ty.is_symlink() {
                let target = std::fs::read_link(&p).unwrap();
                out.insert(rel, format!("-> {}", target.display()));
            } else if ty.is_dir() {
                out.insert(rel.clone(), "dir".into());
                walk(root, &p, out);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.insert(rel, String::from_utf8_lossy(&bytes).into());
            }
        }
    }
    walk(root, root, &mut out);
    out
}

/// `outside.txt` beside the preopened `data/`, which holds `inside.txt`, `sub/`, links
/// out (`link_out`, `link_dir`) and a link loop.
fn sandbox_tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::write(root.join("outside.txt"), "secret").unwrap();
    let data = root.join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(data.join("inside.txt"), "in").unwrap();
    let link = |target: &str, name: &str| std::os::unix::fs::symlink(target, data.join(name));
    link("../outside.txt", "link_out").unwrap();
    link("..", "link_dir").unwrap();
    link("loop_b", "loop_a").unwrap();
    link("loop_a", "loop_b").unwrap();
    t
}

#[test]
fn hello_writes_stdout_and_stderr() {
    let o = run_guest("hello", &[], WasiCtxBuilder::new());
    assert_ok(&o);
    assert_eq!(o.stdout, "hello, world\n");
    assert_eq!(o.stderr, "hello, stderr\n");
    assert_eq!(o.exit_code, None, "run returned ok without calling exit");
}

#[test]
fn arguments_and_environment() {
    let builder = WasiCtxBuilder::new().env("B", "2").env("A", "x=y");
    let o = run_guest("args_env", &["one", "two words"], builder);
    assert_ok(&o);
    assert_eq!(
        o.stdout,
        "arg[0]=args_env.wasm\narg[1]=one\narg[2]=two words\nenv A=x=y\nenv B=2\n"
    );
}

#[test]
fn exit_ok_is_0_and_err_is_1() {
    let o = run_guest("exit", &["3"], WasiCtxBuilder::new());
    assert_eq!(o.stdout, "exiting with 3\n");
    // wasi:cli/exit carries only ok/err: every non-zero status is `err`, so 1.
    assert!(matches!(o.status, Ok(1)), "{:?}", o.status);
    assert_eq!(o.exit_code, Some(1));
    let o = run_guest("exit", &["0"], WasiCtxBuilder::new());
    assert!(matches!(o.status, Ok(0)), "{:?}", o.status);
    assert_eq!(o.exit_code, Some(0));
}

#[test]
fn stdin_from_bytes_and_null() {
    let builder = WasiCtxBuilder::new().stdin(Stdin::Bytes(b"hello stdin\n".to_vec()));
    let o = run_guest("stdin", &[], builder);
    assert_ok(&o);
    assert_eq!(o.stdout, "12 bytes: HELLO STDIN\n");
    let o = run_guest("stdin", &[], WasiCtxBuilder::new().stdin(Stdin::Null));
    assert_ok(&o);
    assert_eq!(o.stdout, "0 bytes: \n");
}

#[test]
fn clocks_and_sleep() {
    let o = run_guest("clocks", &[], WasiCtxBuilder::new());
    assert_ok(&o);
    assert_eq!(o.stdout, "clocks ok\n");
}

#[test]
fn random_bytes() {
    let o = run_guest("random", &[], WasiCtxBuilder::new());
    assert_ok(&o);
    assert_eq!(o.stdout, "random ok\n");
}

#[test]
fn file_operations() {
    let t = tempfile::tempdir().unwrap();
    let builder = WasiCtxBuilder::new().preopened_dir(t.path(), "/data", DirPerms::ReadWrite);
    let o = run_guest("files", &[], builder);
    assert_ok(&o);
    assert_eq!(
        o.stdout,
        "created\nread: hello file\nseek ok\nsize: 10\nappend ok\ntruncate ok\nrename ok\n\
         unlink ok\nfiles ok\n"
    );
    assert!(snapshot(t.path()).is_empty(), "{:?}", snapshot(t.path()));
}

#[test]
fn directory_operations() {
    let t = tempfile::tempdir().unwrap();
    let builder = WasiCtxBuilder::new().preopened_dir(t.path(), "/data", DirPerms::ReadWrite);
    let o = run_guest("dirs", &[], builder);
    assert_ok(&o);
    assert_eq!(
        o.stdout,
        format!("list: a.txt e/ m.txt z.txt\nremove non-empty: errno {NOTEMPTY}\ndirs ok\n")
    );
    assert!(snapshot(t.path()).is_empty(), "{:?}", snapshot(t.path()));
}

#[test]
fn escape_attempts_fail_and_change_nothing() {
    let t = sandbox_tree();
    let before = snapshot(t.path());
    let builder =
        WasiCtxBuilder::new().preopened_dir(t.path().join("data"), "/data", DirPerms::ReadWrite);
    let o = run_guest("escape", &[], builder);
    assert_ok(&o);
    // Every escape is `error-code.not-permitted` (errno 63 once through the adapter);
    // `/etc/passwd` matches no preopen, so the guest's libc answers ENOENT itself.
    let expected = format!(
        "dotdot: errno {PERM}\ndeep-dotdot: errno {PERM}\netc-passwd: errno {NOENT}\n\
         link-out: errno {PERM}\nlink-out-dir: errno {PERM}\nloop: errno {LOOP}\n\
         create-out: errno {PERM}\nrename-out: errno {PERM}\nhardlink-out: errno {PERM}\n\
         symlink-abs: errno {PERM}\nsymlink-up: errno {PERM}\nescape done\n"
    );
    assert_eq!(o.stdout, expected);
    assert_eq!(snapshot(t.path()), before, "nothing changed");
}

#[test]
fn read_only_preopen_refuses_writes() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("keep.txt"), "kept").unwrap();
    let before = snapshot(t.path());
    let builder = WasiCtxBuilder::new().preopened_dir(t.path(), "/data", DirPerms::ReadOnly);
    let o = run_guest("files", &[], builder);
    // The guest's first create fails with not-permitted and it panics (a trap).
    let err = o.status.expect_err("the guest panics");
    assert!(err.is_trap(), "{err}");
    assert!(o.stderr.contains("code: 63"), "EPERM: {}", o.stderr);
    assert_eq!(snapshot(t.path()), before);
}

/// A component calling `wasi:clocks/monotonic-clock@VERSION.resolution`.
fn resolution_component(version: &str) -> String {
    format!(
        r#"(component
  (import "wasi:clocks/monotonic-clock@{version}" (instance $clock
    (export "resolution" (func (result u64)))))
  (alias export $clock "resolution" (func $res))
  (core func $res_core (canon lower (func $res)))
  (core module $m
    (import "" "res" (func $res (result i64)))
    (func (export "res") (result i64) (call $res)))
  (core instance $i (instantiate $m (with "" (instance (export "res" (func $res_core))))))
  (func (export "res") (result u64) (canon lift (core func $i "res"))))"#
    )
}

fn instantiate(wat: &str) -> Result<(Store<WasiCtx>, weft::component::Instance), String> {
    let engine = Engine::default();
    let component = Component::new(&engine, wat).map_err(|e| e.to_string())?;
    let mut store = Store::new(&engine, WasiCtxBuilder::new().build().unwrap());
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::p2::add_to_linker(&mut linker, |c| c).unwrap();
    let instance = linker
        .instantiate(&mut store, &component)
        .map_err(|e| e.to_string())?;
    Ok((store, instance))
}

#[test]
fn any_0_2_version_links() {
    for version in ["0.2.0", "0.2.1", "0.2.6", "0.2.9"] {
        let (mut store, instance) = instantiate(&resolution_component(version)).unwrap();
        let f = instance.get_func(&mut store, "res").unwrap();
        let mut r = [Val::U64(0)];
        f.call(&mut store, &[], &mut r).unwrap();
        assert_eq!(r[0], Val::U64(1), "{version}");
    }
    // Another minor (0.3) is another interface.
    let e = instantiate(&resolution_component("0.3.0")).unwrap_err();
    assert!(e.contains("wasi:clocks/monotonic-clock@0.3.0"), "{e}");
}

#[test]
fn unknown_imports_fail_at_link_time_naming_them() {
    let e = instantiate(
        r#"(component (import "wasi:clocks/monotonic-clock@0.2.0" (instance
            (export "no-such-function" (func (result u64))))))"#,
    )
    .unwrap_err();
    assert!(e.contains("no-such-function"), "{e}");
    let e = instantiate(
        r#"(component (import "wasi:http/types@0.2.0" (instance
            (export "f" (func)))))"#,
    )
    .unwrap_err();
    assert!(e.contains("wasi:http/types@0.2.0"), "{e}");
}

/// Takes stdout's `output-stream` (an owned handle) and, if `drop`, drops it.
fn stdout_component(drop: bool) -> String {
    let body = if drop {
        "(call $drop (call $get))"
    } else {
        "(drop (call $get))"
    };
    format!(
        r#"(component
  (import "wasi:cli/stdout@0.2.0" (instance $out
    (export "output-stream" (type $os (sub resource)))
    (export "get-stdout" (func (result (own $os))))))
  (alias export $out "get-stdout" (func $get))
  (alias export $out "output-stream" (type $os))
  (core func $get_core (canon lower (func $get)))
  (core func $drop_core (canon resource.drop $os))
  (core module $m
    (import "" "get" (func $get (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "run") {body}))
  (core instance $i (instantiate $m
    (with "" (instance (export "get" (func $get_core)) (export "drop" (func $drop_core))))))
  (func (export "run") (canon lift (core func $i "run"))))"#
    )
}

#[test]
fn dropping_a_handle_releases_the_host_resource() {
    for (drop, live) in [(true, 0), (false, 1)] {
        let (mut store, instance) = instantiate(&stdout_component(drop)).unwrap();
        let f = instance.get_func(&mut store, "run").unwrap();
        f.call(&mut store, &[], &mut []).unwrap();
        assert_eq!(store.data().p2_resources(), live, "drop: {drop}");
    }
}

/// `wasi:filesystem/types.error-code`, in order.
const ERROR_CODES: &[&str] = &[
    "access",
    "would-block",
    "already",
    "bad-descriptor",
    "busy",
    "deadlock",
    "quota",
    "exist",
    "file-too-large",
    "illegal-byte-sequence",
    "in-progress",
    "interrupted",
    "invalid",
    "io",
    "is-directory",
    "loop",
    "too-many-links",
    "message-size",
    "name-too-long",
    "no-device",
    "no-entry",
    "no-lock",
    "insufficient-memory",
    "insufficient-space",
    "not-directory",
    "not-empty",
    "not-recoverable",
    "unsupported",
    "no-tty",
    "no-such-device",
    "overflow",
    "not-permitted",
    "pipe",
    "read-only",
    "invalid-seek",
    "text-file-busy",
    "cross-device",
];

/// A component that calls `open-at` on the first preopen directly (no adapter):
/// `try-open(path, create)` returns the `error-code` case index, or 999 on success.
fn open_at_component() -> String {
    let codes: Vec<String> = ERROR_CODES.iter().map(|c| format!("\"{c}\"")).collect();
    format!(
        r#"(component
  (import "wasi:filesystem/types@0.2.0" (instance $types
    (export "descriptor" (type $d (sub resource)))
    (type $ec0 (enum {codes}))
    (export "error-code" (type $ec (eq $ec0)))
    (type $pf0 (flags "symlink-follow"))
    (export "path-flags" (type $pf (eq $pf0)))
    (type $of0 (flags "create" "directory" "exclusive" "truncate"))
    (export "open-flags" (type $of (eq $of0)))
    (type $df0 (flags "read" "write" "file-integrity-sync" "data-integrity-sync"
      "requested-write-sync" "mutate-directory"))
    (export "descriptor-flags" (type $df (eq $df0)))
    (export "[method]descriptor.open-at" (func (param "self" (borrow $d))
      (param "path-flags" $pf) (param "path" string) (param "open-flags" $of)
      (param "flags" $df) (result (result (own $d) (error $ec)))))))
  (alias export $types "descriptor" (type $d))
  (alias export $types "[method]descriptor.open-at" (func $open_at))
  (import "wasi:filesystem/preopens@0.2.0" (instance $preopens
    (alias outer 1 $d (type $d))
    (export "descriptor" (type $dd (eq $d)))
    (export "get-directories" (func (result (list (tuple (own $dd) string)))))))
  (alias export $preopens "get-directories" (func $get_dirs))
  (core module $mem
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "memory" (core memory $memory))
  (alias core export $mi "realloc" (core func $realloc))
  (core func $open_core (canon lower (func $open_at) (memory $memory) string-encoding=utf8))
  (core func $dirs_core (canon lower (func $get_dirs) (memory $memory) (realloc $realloc)))
  (core module $main
    (import "m" "memory" (memory 1))
    (import "f" "open" (func $open (param i32 i32 i32 i32 i32 i32 i32)))
    (import "f" "dirs" (func $dirs (param i32)))
    (func (export "try-open") (param $p i32) (param $l i32) (param $create i32) (result i32)
      (call $dirs (i32.const 0))
      (call $open
        (i32.load (i32.load (i32.const 0)))
        (i32.const 1)
        (local.get $p) (local.get $l)
        (local.get $create)
        (select (i32.const 2) (i32.const 1) (local.get $create))
        (i32.const 16))
      (if (result i32) (i32.load8_u (i32.const 16))
        (then (i32.load8_u (i32.const 20)))
        (else (i32.const 999)))))
  (core instance $i (instantiate $main
    (with "m" (instance (export "memory" (memory $memory))))
    (with "f" (instance (export "open" (func $open_core)) (export "dirs" (func $dirs_core))))))
  (func (export "try-open") (param "path" string) (param "create" bool) (result u32)
    (canon lift (core func $i "try-open") (memory $memory) (realloc $realloc))))"#,
        codes = codes.join(" ")
    )
}

#[test]
fn open_at_refuses_escapes_with_not_permitted() {
    let t = sandbox_tree();
    let before = snapshot(t.path());
    let engine = Engine::default();
    let component = Component::new(&engine, open_at_component()).unwrap();
    let ctx = WasiCtxBuilder::new()
        .preopened_dir(t.path().join("data"), "/data", DirPerms::ReadWrite)
        .build()
        .unwrap();
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::p2::add_to_linker(&mut linker, |c| c).unwrap();
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let try_open = instance.get_func(&mut store, "try-open").unwrap();
    let mut open = |path: &str, create: bool| {
        let mut r = [Val::U32(0)];
        let args = [Val::String(path.into()), Val::Bool(create)];
        try_open.call(&mut store, &args, &mut r).unwrap();
        match r[0] {
            Val::U32(999) => "ok",
            Val::U32(i) => ERROR_CODES[i as usize],
            ref v => panic!("{v}"),
        }
    };
    assert_eq!(open("inside.txt", false), "ok");
    assert_eq!(open("sub/../inside.txt", false), "ok");
    assert_eq!(open("missing.txt", false), "no-entry");
    for path in [
        "../outside.txt",
        "sub/../../outside.txt",
        "/etc/passwd",
        "link_out",
        "link_dir/outside.txt",
    ] {
        assert_eq!(open(path, false), "not-permitted", "{path}");
    }
    assert_eq!(open("loop_a", false), "loop");
    // A NUL cannot be part of a host path: refused before any lookup, as in preview 1.
    assert_eq!(
        open("inside.txt\0/../../outside.txt", false),
        "illegal-byte-sequence"
    );
    assert_eq!(open("../created.txt", true), "not-permitted");
    assert_eq!(open("link_dir/created.txt", true), "not-permitted");
    assert_eq!(snapshot(t.path()), before, "nothing changed");
    assert_eq!(open("new.txt", true), "ok");
    assert!(t.path().join("data/new.txt").exists());
}
