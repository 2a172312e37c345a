//! WASI preview1 through the embedding API: the wasip1 guest programs in `tests/wasi/`
//! with captured stdio, and the sandbox driven call by call from small WAT modules. Every
//! escape attempt must fail with its errno and leave the host tree outside the preopen
//! exactly as it was.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};
use weft::{Engine, Instance, Linker, Memory, Module, Store, Val};
use weft_wasi::{DirPerms, I32Exit, OutputBuffer, Stdin, Stdio, WasiCtx, WasiCtxBuilder};

// errno values from typenames.witx.
const SUCCESS: i32 = 0;
const BADF: i32 = 8;
const EXIST: i32 = 20;
const FAULT: i32 = 21;
const ILSEQ: i32 = 25;
const INVAL: i32 = 28;
const LOOP: i32 = 32;
const NOENT: i32 = 44;
const NOTDIR: i32 = 54;
const NOTEMPTY: i32 = 55;
const PERM: i32 = 63;
const NOTCAPABLE: i32 = 76;

const FOLLOW: i32 = 1;
const CREAT: i32 = 1;
const RIGHT_READ: i64 = 1 << 1;
const RIGHT_WRITE: i64 = 1 << 6;

/// What a guest program did.
struct Outcome {
    /// `Ok` if `_start` returned, else the error.
    result: Result<(), weft::Error>,
    exit_code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `tests/wasi/NAME.wasm` with `args` (after argv[0]) and the builder's settings,
/// capturing stdout and stderr.
fn run_guest(name: &str, args: &[&str], builder: WasiCtxBuilder) -> Outcome {
    let path = format!("{}/tests/wasi/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("the guest is built (tests/wasi/build.sh)");
    let engine = Engine::default();
    let module = Module::new(&engine, &bytes).expect("the guest is valid");
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
    weft_wasi::p1::add_to_linker(&mut linker, |c| c).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
    let result = start.call(&mut store, ());
    Outcome {
        result,
        exit_code: store.data().exit_code(),
        stdout: out.contents_string(),
        stderr: err.contents_string(),
    }
}

fn assert_ok(o: &Outcome) {
    assert!(
        o.result.is_ok(),
        "guest failed: {:?}\nstdout:\n{}\nstderr:\n{}",
        o.result,
        o.stdout,
        o.stderr
    );
}

/// Every file, directory and link under `root`, with file contents and link targets.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let ty = e.file_type().unwrap();
            if ty.is_symlink() {
                out.insert(
                    rel,
                    format!("-> {}", std::fs::read_link(&p).unwrap().display()),
                );
            } else if ty.is_dir() {
                out.insert(rel.clone(), "dir".into());
                walk(root, &p, out);
            } else {
                out.insert(
                    rel,
                    String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into(),
                );
            }
        }
    }
    walk(root, root, &mut out);
    out
}

/// A temporary tree: `outside.txt` beside the preopened `data/`, which holds
/// `inside.txt`, `sub/`, links out (`link_out`, `link_dir`, `link_abs`), a link loop and
/// a link that stays inside (`link_in`).
fn sandbox_tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::write(root.join("outside.txt"), "secret").unwrap();
    let data = root.join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(data.join("inside.txt"), "in").unwrap();
    std::fs::write(data.join("sub/deep.txt"), "deep").unwrap();
    let link = |target: &str, name: &str| std::os::unix::fs::symlink(target, data.join(name));
    link("../outside.txt", "link_out").unwrap();
    link("..", "link_dir").unwrap();
    link("/etc/passwd", "link_abs").unwrap();
    link("loop_b", "loop_a").unwrap();
    link("loop_a", "loop_b").unwrap();
    link("sub/deep.txt", "link_in").unwrap();
    t
}

// ---------------------------------------------------------------------------------------
// Guest programs.

#[test]
fn hello_writes_stdout_and_stderr() {
    let o = run_guest("hello", &[], WasiCtxBuilder::new());
    assert_ok(&o);
    assert_eq!(o.stdout, "hello, world\n");
    assert_eq!(o.stderr, "hello, stderr\n");
    assert_eq!(o.exit_code, None);
}

#[test]
fn args_and_env_reach_the_guest() {
    let builder = WasiCtxBuilder::new()
        .env("B", "2")
        .env("A", "x=y")
        .env("B", "3");
    let o = run_guest("args_env", &["one", "two words", ""], builder);
    assert_ok(&o);
    assert_eq!(
        o.stdout,
        "arg[0]=args_env.wasm\narg[1]=one\narg[2]=two words\narg[3]=\nenv A=x=y\nenv B=3\n"
    );
}

#[test]
fn proc_exit_unwinds_with_the_status() {
    let o = run_guest("exit", &[], WasiCtxBuilder::new());
    assert_eq!(o.exit_code, Some(42));
    let err = o.result.expect_err("proc_exit unwinds");
    assert!(err.to_string().contains("exit with status 42"), "{err}");
    assert_eq!(err.downcast_ref::<I32Exit>(), Some(&I32Exit(42)));
    assert_eq!(o.stdout, "exiting with 42\n");
    let o = run_guest("exit", &["0"], WasiCtxBuilder::new());
    assert_eq!(o.exit_code, Some(0));
    let err = o.result.expect_err("proc_exit(0) unwinds too");
    assert_eq!(err.downcast::<I32Exit>().unwrap(), I32Exit(0));
}

#[test]
fn proc_exit_in_a_start_function_fails_instantiation_with_i32_exit() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func $start (call $exit (i32.const 7)))
             (start $start))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, WasiCtxBuilder::new().build().unwrap());
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::p1::add_to_linker(&mut linker, |c| c).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_eq!(err.downcast_ref::<I32Exit>(), Some(&I32Exit(7)));
    assert!(err.as_trap().is_none(), "an exit is not a trap");
    assert_eq!(store.data().exit_code(), Some(7));
}

#[test]
fn stdin_from_bytes() {
    let builder = WasiCtxBuilder::new().stdin(Stdin::Bytes(b"hello stdin\n".to_vec()));
    let o = run_guest("stdin", &[], builder);
    assert_ok(&o);
    assert_eq!(o.stdout, "12 bytes: HELLO STDIN\n");
    let o = run_guest("stdin", &[], WasiCtxBuilder::new().stdin(Stdin::Null));
    assert_eq!(o.stdout, "0 bytes: \n");
}

#[test]
fn clocks_and_sleep() {
    let o = run_guest("clocks", &[], WasiCtxBuilder::new());
    assert_ok(&o);
    assert_eq!(o.stdout, "clocks ok\n");
}

#[test]
fn random_get_fills_and_faults() {
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
    assert!(snapshot(t.path()).is_empty(), "the guest cleans up");
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
    assert!(snapshot(t.path()).is_empty());
}

#[test]
fn guest_escape_attempts_fail() {
    let t = sandbox_tree();
    let before = snapshot(t.path());
    let builder =
        WasiCtxBuilder::new().preopened_dir(t.path().join("data"), "/data", DirPerms::ReadWrite);
    let o = run_guest("escape", &[], builder);
    assert_ok(&o);
    // `/etc/passwd` matches no preopen, so wasi-libc answers ENOENT before asking us.
    let expected = format!(
        "dotdot: errno {NOTCAPABLE}\ndeep-dotdot: errno {NOTCAPABLE}\netc-passwd: errno {NOENT}\n\
         link-out: errno {NOTCAPABLE}\nlink-out-dir: errno {NOTCAPABLE}\nloop: errno {LOOP}\n\
         create-out: errno {NOTCAPABLE}\nrename-out: errno {NOTCAPABLE}\n\
         hardlink-out: errno {NOTCAPABLE}\nsymlink-abs: errno {NOTCAPABLE}\n\
         symlink-up: errno {NOTCAPABLE}\nescape done\n"
    );
    assert_eq!(o.stdout, expected);
    assert_eq!(snapshot(t.path()), before, "nothing changed");
}

#[test]
fn guest_on_read_only_preopen_cannot_write() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("keep.txt"), "kept").unwrap();
    let before = snapshot(t.path());
    let builder = WasiCtxBuilder::new().preopened_dir(t.path(), "/data", DirPerms::ReadOnly);
    let o = run_guest("files", &[], builder);
    assert!(o.result.is_err(), "the guest's first create fails");
    assert!(o.stderr.contains("code: 63"), "EPERM: {}", o.stderr);
    assert_eq!(snapshot(t.path()), before);
}

// ---------------------------------------------------------------------------------------
// The sandbox call by call.

/// Preview1 functions the WAT driver wraps: name and Wasm parameter types.
const FUNCS: &[(&str, &str)] = &[
    ("path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32"),
    ("path_filestat_get", "i32 i32 i32 i32 i32"),
    ("path_create_directory", "i32 i32 i32"),
    ("path_remove_directory", "i32 i32 i32"),
    ("path_unlink_file", "i32 i32 i32"),
    ("path_rename", "i32 i32 i32 i32 i32 i32"),
    ("path_link", "i32 i32 i32 i32 i32 i32 i32"),
    ("path_symlink", "i32 i32 i32 i32 i32"),
    ("path_readlink", "i32 i32 i32 i32 i32 i32"),
    ("fd_write", "i32 i32 i32 i32"),
    ("fd_read", "i32 i32 i32 i32"),
    ("fd_readdir", "i32 i32 i32 i64 i32"),
    ("fd_prestat_get", "i32 i32"),
    ("fd_prestat_dir_name", "i32 i32 i32"),
    ("fd_fdstat_get", "i32 i32"),
    ("fd_seek", "i32 i64 i32 i32"),
    ("fd_close", "i32"),
    ("poll_oneoff", "i32 i32 i32 i32"),
    ("args_sizes_get", "i32 i32"),
    ("fd_pread", "i32 i32 i32 i64 i32"),
    ("fd_pwrite", "i32 i32 i32 i64 i32"),
    ("fd_renumber", "i32 i32"),
    ("fd_tell", "i32 i32"),
    ("fd_filestat_get", "i32 i32"),
    ("fd_filestat_set_size", "i32 i64"),
    ("fd_filestat_set_times", "i32 i64 i64 i32"),
    ("fd_fdstat_set_rights", "i32 i64 i64"),
    ("path_filestat_set_times", "i32 i32 i32 i32 i64 i64 i32"),
    ("clock_time_get", "i32 i64 i32"),
    ("clock_res_get", "i32 i32"),
];

/// A module that imports each of [`FUNCS`] and exports a wrapper of the same name, so the
/// test can call them from the host with the module as the caller (and its memory).
fn driver_wat() -> String {
    let mut wat = String::from("(module\n");
    for (name, params) in FUNCS {
        wat.push_str(&format!(
            "  (import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} (param {params}) (result i32)))\n"
        ));
    }
    wat.push_str("  (memory (export \"memory\") 1)\n");
    for (name, params) in FUNCS {
        let n = params.split(' ').count();
        let gets: String = (0..n).map(|i| format!("local.get {i} ")).collect();
        wat.push_str(&format!(
            "  (func (export \"{name}\") (param {params}) (result i32) {gets}call ${name})\n"
        ));
    }
    wat.push(')');
    wat
}

/// A module instance with WASI and a bump allocator over its memory.
struct Driver {
    store: Store<WasiCtx>,
    instance: Instance,
    memory: Memory,
    next: u32,
}

impl Driver {
    fn new(builder: WasiCtxBuilder) -> Driver {
        let engine = Engine::default();
        let module = Module::new(&engine, driver_wat()).unwrap();
        let mut store = Store::new(&engine, builder.build().unwrap());
        let mut linker = Linker::<WasiCtx>::new(&engine);
        weft_wasi::p1::add_to_linker(&mut linker, |c| c).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let memory = instance.get_memory(&store, "memory").unwrap();
        Driver {
            store,
            instance,
            memory,
            next: 1024,
        }
    }

    /// Preopen `dir` read-write (or read-only) as `/data`, descriptor 3.
    fn with_dir(dir: &Path, perms: DirPerms) -> Driver {
        Driver::new(WasiCtxBuilder::new().preopened_dir(dir, "/data", perms))
    }

    fn alloc(&mut self, len: u32) -> i32 {
        let at = (self.next + 7) & !7;
        self.next = at + len;
        at as i32
    }

    fn put(&mut self, bytes: &[u8]) -> (i32, i32) {
        let at = self.alloc(bytes.len() as u32);
        self.memory
            .write(&mut self.store, at as usize, bytes)
            .unwrap();
        (at, bytes.len() as i32)
    }

    fn read(&self, at: i32, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        self.memory
            .read(&self.store, at as usize, &mut buf)
            .unwrap();
        buf
    }

    fn u32_at(&self, at: i32) -> u32 {
        u32::from_le_bytes(self.read(at, 4).try_into().unwrap())
    }

    fn call(&mut self, name: &str, args: &[Val]) -> i32 {
        let f = self.instance.get_func(&self.store, name).unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut self.store, args, &mut out).unwrap();
        match out[0] {
            Val::I32(v) => v,
            other => panic!("{other:?}"),
        }
    }

    /// `path_open` in descriptor 3: the new descriptor, or the errno.
    fn open(&mut self, path: &str, lookup: i32, oflags: i32, rights: i64) -> Result<u32, i32> {
        let (p, l) = self.put(path.as_bytes());
        let out = self.alloc(4);
        let errno = self.call(
            "path_open",
            &[
                Val::I32(3),
                Val::I32(lookup),
                Val::I32(p),
                Val::I32(l),
                Val::I32(oflags),
                Val::I64(rights),
                Val::I64(0),
                Val::I32(0),
                Val::I32(out),
            ],
        );
        if errno == SUCCESS {
            Ok(self.u32_at(out))
        } else {
            Err(errno)
        }
    }

    /// A path function taking `(fd, path, len)`.
    fn path_op(&mut self, name: &str, path: &str) -> i32 {
        let (p, l) = self.put(path.as_bytes());
        self.call(name, &[Val::I32(3), Val::I32(p), Val::I32(l)])
    }

    /// `path_filestat_get`: the errno and the filetype byte.
    fn stat(&mut self, path: &str, lookup: i32) -> (i32, u8) {
        let (p, l) = self.put(path.as_bytes());
        let buf = self.alloc(64);
        let errno = self.call(
            "path_filestat_get",
            &[
                Val::I32(3),
                Val::I32(lookup),
                Val::I32(p),
                Val::I32(l),
                Val::I32(buf),
            ],
        );
        (errno, self.read(buf + 16, 1)[0])
    }

    fn rename(&mut self, old: &str, new: &str) -> i32 {
        let (o, ol) = self.put(old.as_bytes());
        let (n, nl) = self.put(new.as_bytes());
        self.call(
            "path_rename",
            &[
                Val::I32(3),
                Val::I32(o),
                Val::I32(ol),
                Val::I32(3),
                Val::I32(n),
                Val::I32(nl),
            ],
        )
    }

    fn link(&mut self, old: &str, lookup: i32, new: &str) -> i32 {
        let (o, ol) = self.put(old.as_bytes());
        let (n, nl) = self.put(new.as_bytes());
        self.call(
            "path_link",
            &[
                Val::I32(3),
                Val::I32(lookup),
                Val::I32(o),
                Val::I32(ol),
                Val::I32(3),
                Val::I32(n),
                Val::I32(nl),
            ],
        )
    }

    fn symlink(&mut self, target: &str, path: &str) -> i32 {
        let (o, ol) = self.put(target.as_bytes());
        let (n, nl) = self.put(path.as_bytes());
        self.call(
            "path_symlink",
            &[
                Val::I32(o),
                Val::I32(ol),
                Val::I32(3),
                Val::I32(n),
                Val::I32(nl),
            ],
        )
    }

    /// `fd_write` of `data` to `fd`: the errno.
    fn write(&mut self, fd: u32, data: &[u8]) -> i32 {
        let (buf, len) = self.put(data);
        let (iov, _) = self.put(&[buf.to_le_bytes(), len.to_le_bytes()].concat());
        let nw = self.alloc(4);
        self.call(
            "fd_write",
            &[
                Val::I32(fd as i32),
                Val::I32(iov),
                Val::I32(1),
                Val::I32(nw),
            ],
        )
    }
}

#[test]
fn dotdot_and_absolute_paths_are_refused() {
    let t = sandbox_tree();
    let before = snapshot(t.path());
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadWrite);
    for path in ["..", "../outside.txt", "sub/../../outside.txt", "sub/../.."] {
        assert_eq!(d.open(path, 0, 0, RIGHT_READ), Err(NOTCAPABLE), "{path}");
        assert_eq!(d.stat(path, FOLLOW).0, NOTCAPABLE, "{path}");
    }
    assert_eq!(
        d.open("/etc/passwd", FOLLOW, 0, RIGHT_READ),
        Err(NOTCAPABLE)
    );
    assert_eq!(d.open("/", 0, 0, RIGHT_READ), Err(NOTCAPABLE));
    assert_eq!(
        d.open("../created.txt", 0, CREAT, RIGHT_WRITE),
        Err(NOTCAPABLE)
    );
    assert_eq!(d.path_op("path_create_directory", "../newdir"), NOTCAPABLE);
    assert_eq!(d.path_op("path_unlink_file", "../outside.txt"), NOTCAPABLE);
    assert_eq!(d.path_op("path_remove_directory", "../data"), NOTCAPABLE);
    // Inside is fine, however it is spelled.
    assert!(d.open("sub/../inside.txt", 0, 0, RIGHT_READ).is_ok());
    assert!(d.open("./sub//deep.txt", 0, 0, RIGHT_READ).is_ok());
    assert_eq!(snapshot(t.path()), before);
}

#[test]
fn symlinks_pointing_out_are_refused() {
    let t = sandbox_tree();
    let before = snapshot(t.path());
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadWrite);
    // Followed: the target is outside.
    assert_eq!(d.open("link_out", FOLLOW, 0, RIGHT_READ), Err(NOTCAPABLE));
    assert_eq!(d.open("link_abs", FOLLOW, 0, RIGHT_READ), Err(NOTCAPABLE));
    assert_eq!(d.stat("link_out", FOLLOW).0, NOTCAPABLE);
    // In the middle of a path links are always followed, so always checked.
    assert_eq!(
        d.open("link_dir/outside.txt", 0, 0, RIGHT_READ),
        Err(NOTCAPABLE)
    );
    assert_eq!(
        d.open("link_dir/data/inside.txt", 0, 0, RIGHT_READ),
        Err(NOTCAPABLE)
    );
    // Not followed: the link itself is opened with O_NOFOLLOW, which is ELOOP ...
    assert_eq!(d.open("link_out", 0, 0, RIGHT_READ), Err(LOOP));
    assert_eq!(d.open("link_abs", 0, 0, RIGHT_READ), Err(LOOP));
    // ... and can be looked at: filetype symbolic_link.
    assert_eq!(d.stat("link_out", 0), (SUCCESS, 7));
    assert_eq!(d.stat("link_abs", 0), (SUCCESS, 7));
    // A link that stays inside works when followed.
    assert!(d.open("link_in", FOLLOW, 0, RIGHT_READ).is_ok());
    assert_eq!(d.stat("link_in", FOLLOW), (SUCCESS, 4));
    // Creating through a dangling or outward link is refused too.
    assert_eq!(
        d.open("link_out", FOLLOW, CREAT, RIGHT_WRITE),
        Err(NOTCAPABLE)
    );
    assert_eq!(snapshot(t.path()), before);
}

#[test]
fn symlink_loops_are_eloop() {
    let t = sandbox_tree();
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadWrite);
    assert_eq!(d.open("loop_a", FOLLOW, 0, RIGHT_READ), Err(LOOP));
    assert_eq!(d.open("loop_a/x", 0, 0, RIGHT_READ), Err(LOOP));
    assert_eq!(d.stat("loop_b", FOLLOW).0, LOOP);
    assert_eq!(d.stat("loop_b", 0), (SUCCESS, 7));
}

#[test]
fn nul_in_a_path_is_ilseq() {
    let t = sandbox_tree();
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadWrite);
    assert_eq!(d.open("inside.txt\0../x", 0, 0, RIGHT_READ), Err(ILSEQ));
    assert_eq!(d.path_op("path_create_directory", "a\0b"), ILSEQ);
    assert_eq!(d.symlink("sub\0", "l"), ILSEQ);
    // Invalid UTF-8 is ILSEQ as well.
    let (p, l) = d.put(b"\xff\xfe");
    assert_eq!(
        d.call("path_unlink_file", &[Val::I32(3), Val::I32(p), Val::I32(l)]),
        ILSEQ
    );
}

#[test]
fn rename_and_links_out_are_refused() {
    let t = sandbox_tree();
    let before = snapshot(t.path());
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadWrite);
    assert_eq!(d.rename("inside.txt", "../moved.txt"), NOTCAPABLE);
    assert_eq!(d.rename("../outside.txt", "stolen.txt"), NOTCAPABLE);
    assert_eq!(d.rename("inside.txt", "link_dir/moved.txt"), NOTCAPABLE);
    assert_eq!(d.link("inside.txt", 0, "../linked.txt"), NOTCAPABLE);
    assert_eq!(d.link("../outside.txt", 0, "stolen.txt"), NOTCAPABLE);
    assert_eq!(d.link("link_out", FOLLOW, "stolen.txt"), NOTCAPABLE);
    assert_eq!(d.symlink("/etc/passwd", "new_link"), NOTCAPABLE);
    assert_eq!(d.symlink("../outside.txt", "new_link"), NOTCAPABLE);
    assert_eq!(d.symlink("../../outside.txt", "sub/new_link"), NOTCAPABLE);
    assert_eq!(snapshot(t.path()), before, "nothing changed");
    // The same operations inside the preopen work.
    assert_eq!(d.symlink("../inside.txt", "sub/ok_link"), SUCCESS);
    assert_eq!(d.link("inside.txt", 0, "sub/hard.txt"), SUCCESS);
    assert_eq!(d.rename("sub/hard.txt", "moved.txt"), SUCCESS);
    let data = t.path().join("data");
    assert_eq!(
        std::fs::read_to_string(data.join("moved.txt")).unwrap(),
        "in"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("sub/ok_link")).unwrap(),
        "in"
    );
}

#[test]
fn read_only_preopen_refuses_changes() {
    let t = sandbox_tree();
    let before = snapshot(t.path());
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadOnly);
    assert_eq!(d.open("inside.txt", 0, 0, RIGHT_WRITE), Err(PERM));
    assert_eq!(d.open("new.txt", 0, CREAT, RIGHT_WRITE), Err(PERM));
    assert_eq!(
        d.open("inside.txt", 0, 8 /* trunc */, RIGHT_READ),
        Err(PERM)
    );
    assert_eq!(d.path_op("path_create_directory", "newdir"), PERM);
    assert_eq!(d.path_op("path_remove_directory", "sub"), PERM);
    assert_eq!(d.path_op("path_unlink_file", "inside.txt"), PERM);
    assert_eq!(d.rename("inside.txt", "renamed.txt"), PERM);
    assert_eq!(d.link("inside.txt", 0, "hard.txt"), PERM);
    assert_eq!(d.symlink("inside.txt", "soft"), PERM);
    // Reading works; writing through the read-only descriptor does not.
    let fd = d.open("inside.txt", 0, 0, RIGHT_READ).unwrap();
    assert_eq!(d.write(fd, b"overwrite"), BADF);
    // Neither does a directory opened under the mount.
    let sub = d.open("sub", 0, 2 /* directory */, RIGHT_READ).unwrap();
    let (p, l) = d.put(b"x");
    assert_eq!(
        d.call(
            "path_create_directory",
            &[Val::I32(sub as i32), Val::I32(p), Val::I32(l)]
        ),
        PERM
    );
    assert_eq!(snapshot(t.path()), before);
}

#[test]
fn directory_descriptors_are_sandboxes_too() {
    let t = sandbox_tree();
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadWrite);
    let sub = d.open("sub", 0, 2, RIGHT_READ).unwrap() as i32;
    let (p, l) = d.put(b"../inside.txt");
    let out = d.alloc(64);
    let args = [
        Val::I32(sub),
        Val::I32(0),
        Val::I32(p),
        Val::I32(l),
        Val::I32(out),
    ];
    assert_eq!(d.call("path_filestat_get", &args), NOTCAPABLE);
    let (p, l) = d.put(b"deep.txt");
    let args = [
        Val::I32(sub),
        Val::I32(0),
        Val::I32(p),
        Val::I32(l),
        Val::I32(out),
    ];
    assert_eq!(d.call("path_filestat_get", &args), SUCCESS);
    // A file is not a directory to resolve paths in.
    let file = d.open("inside.txt", 0, 0, RIGHT_READ).unwrap() as i32;
    let args = [
        Val::I32(file),
        Val::I32(0),
        Val::I32(p),
        Val::I32(l),
        Val::I32(out),
    ];
    assert_eq!(d.call("path_filestat_get", &args), NOTDIR);
}

#[test]
fn errors_of_ordinary_operations() {
    let t = sandbox_tree();
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadWrite);
    assert_eq!(d.open("missing.txt", 0, 0, RIGHT_READ), Err(NOENT));
    assert_eq!(d.open("missing/x", 0, CREAT, RIGHT_WRITE), Err(NOENT));
    assert_eq!(d.open("inside.txt/x", 0, 0, RIGHT_READ), Err(NOTDIR));
    assert_eq!(d.open("inside.txt", 0, 2, RIGHT_READ), Err(NOTDIR));
    assert_eq!(
        d.open("inside.txt", 0, CREAT | 4 /* excl */, RIGHT_WRITE),
        Err(EXIST)
    );
    assert_eq!(d.path_op("path_create_directory", "sub"), EXIST);
    assert_eq!(d.path_op("path_remove_directory", "sub"), NOTEMPTY);
    assert_eq!(d.path_op("path_remove_directory", "inside.txt"), NOTDIR);
    assert_eq!(d.path_op("path_unlink_file", "."), INVAL);
    assert_eq!(d.call("fd_close", &[Val::I32(99)]), BADF);
}

#[test]
fn bad_pointers_are_fault() {
    let t = sandbox_tree();
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadWrite);
    let end = 65536;
    assert_eq!(
        d.call(
            "path_create_directory",
            &[Val::I32(3), Val::I32(end - 2), Val::I32(8)]
        ),
        FAULT
    );
    assert_eq!(
        d.call(
            "path_create_directory",
            &[Val::I32(3), Val::I32(-1), Val::I32(-1)]
        ),
        FAULT
    );
    // An iovec whose buffer runs past the end of memory.
    let (iov, _) = d.put(&[(end - 4).to_le_bytes(), 16i32.to_le_bytes()].concat());
    assert_eq!(
        d.call(
            "fd_write",
            &[Val::I32(1), Val::I32(iov), Val::I32(1), Val::I32(0)]
        ),
        FAULT
    );
    assert_eq!(
        d.call(
            "fd_write",
            &[Val::I32(1), Val::I32(iov), Val::I32(i32::MAX), Val::I32(0)]
        ),
        FAULT
    );
    // The result pointer out of bounds.
    assert_eq!(
        d.call("args_sizes_get", &[Val::I32(end), Val::I32(0)]),
        FAULT
    );
    assert_eq!(
        d.call("fd_prestat_get", &[Val::I32(3), Val::I32(end - 4)]),
        FAULT
    );
}

#[test]
fn prestat_names_the_preopen() {
    let t = tempfile::tempdir().unwrap();
    let mut d = Driver::with_dir(t.path(), DirPerms::ReadWrite);
    let buf = d.alloc(8);
    assert_eq!(
        d.call("fd_prestat_get", &[Val::I32(3), Val::I32(buf)]),
        SUCCESS
    );
    assert_eq!(d.read(buf, 8), [0, 0, 0, 0, 5, 0, 0, 0]);
    let name = d.alloc(5);
    let args = [Val::I32(3), Val::I32(name), Val::I32(5)];
    assert_eq!(d.call("fd_prestat_dir_name", &args), SUCCESS);
    assert_eq!(d.read(name, 5), b"/data");
    assert_eq!(
        d.call("fd_prestat_get", &[Val::I32(4), Val::I32(buf)]),
        BADF
    );
    assert_eq!(
        d.call("fd_prestat_get", &[Val::I32(1), Val::I32(buf)]),
        BADF
    );
    // fdstat of the preopen: directory.
    let st = d.alloc(24);
    assert_eq!(
        d.call("fd_fdstat_get", &[Val::I32(3), Val::I32(st)]),
        SUCCESS
    );
    assert_eq!(d.read(st, 1)[0], 3);
}

/// Parses `fd_readdir` output into (d_next, d_namlen, d_type, name).
fn dirents(bytes: &[u8]) -> Vec<(u64, u32, u8, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 24 <= bytes.len() {
        let next = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
        let namlen = u32::from_le_bytes(bytes[at + 16..at + 20].try_into().unwrap());
        let ty = bytes[at + 20];
        let end = (at + 24 + namlen as usize).min(bytes.len());
        out.push((
            next,
            namlen,
            ty,
            String::from_utf8_lossy(&bytes[at + 24..end]).into(),
        ));
        at += 24 + namlen as usize;
    }
    out
}

#[test]
fn readdir_layout_and_cookies() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("bb.txt"), "").unwrap();
    std::fs::create_dir(t.path().join("a")).unwrap();
    let mut d = Driver::with_dir(t.path(), DirPerms::ReadOnly);
    let readdir = |d: &mut Driver, cookie: i64, len: i32| {
        let buf = d.alloc(len as u32);
        let used = d.alloc(4);
        let args = [
            Val::I32(3),
            Val::I32(buf),
            Val::I32(len),
            Val::I64(cookie),
            Val::I32(used),
        ];
        assert_eq!(d.call("fd_readdir", &args), SUCCESS);
        let n = d.u32_at(used) as usize;
        d.read(buf, n)
    };
    let all = readdir(&mut d, 0, 4096);
    assert_eq!(
        dirents(&all),
        vec![
            (1, 1, 3, ".".to_string()),
            (2, 2, 3, "..".to_string()),
            (3, 1, 3, "a".to_string()),
            (4, 6, 4, "bb.txt".to_string()),
        ]
    );
    assert_eq!(all.len(), 4 * 24 + 1 + 2 + 1 + 6);
    // Resuming from a cookie.
    let rest = readdir(&mut d, 3, 4096);
    assert_eq!(dirents(&rest), vec![(4, 6, 4, "bb.txt".to_string())]);
    // Past the end: nothing.
    assert!(readdir(&mut d, 4, 4096).is_empty());
    // A buffer too small is filled completely, the last entry cut short.
    let part = readdir(&mut d, 0, 30);
    assert_eq!(part.len(), 30);
    assert_eq!(part[..], all[..30]);
}

#[test]
fn poll_oneoff_sleeps_until_the_deadline() {
    let mut d = Driver::new(WasiCtxBuilder::new());
    // One relative monotonic clock subscription of 30 ms, userdata 0x1234.
    let mut sub = [0u8; 48];
    sub[0..8].copy_from_slice(&0x1234u64.to_le_bytes());
    sub[8] = 0; // clock
    sub[16..20].copy_from_slice(&1u32.to_le_bytes()); // monotonic
    sub[24..32].copy_from_slice(&30_000_000u64.to_le_bytes());
    let (input, _) = d.put(&sub);
    let output = d.alloc(32);
    let nevents = d.alloc(4);
    let t0 = Instant::now();
    let args = [
        Val::I32(input),
        Val::I32(output),
        Val::I32(1),
        Val::I32(nevents),
    ];
    assert_eq!(d.call("poll_oneoff", &args), SUCCESS);
    assert!(t0.elapsed() >= Duration::from_millis(30));
    assert_eq!(d.u32_at(nevents), 1);
    let event = d.read(output, 32);
    assert_eq!(u64::from_le_bytes(event[0..8].try_into().unwrap()), 0x1234);
    assert_eq!(&event[8..11], &[0, 0, 0]); // no error, type clock
                                           // An fd_read subscription on stdin is ready at once, beside a long clock.
    let mut subs = [0u8; 96];
    subs[..48].copy_from_slice(&sub);
    subs[24..32].copy_from_slice(&60_000_000_000u64.to_le_bytes());
    subs[48..56].copy_from_slice(&7u64.to_le_bytes());
    subs[56] = 1; // fd_read
    let (input, _) = d.put(&subs);
    let t0 = Instant::now();
    let args = [
        Val::I32(input),
        Val::I32(output),
        Val::I32(2),
        Val::I32(nevents),
    ];
    assert_eq!(d.call("poll_oneoff", &args), SUCCESS);
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert_eq!(d.u32_at(nevents), 1);
    assert_eq!(d.read(output, 11)[..], [7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // No subscriptions: inval.
    let args = [
        Val::I32(input),
        Val::I32(output),
        Val::I32(0),
        Val::I32(nevents),
    ];
    assert_eq!(d.call("poll_oneoff", &args), INVAL);
}

#[test]
fn missing_preopen_is_a_build_error() {
    let err = WasiCtxBuilder::new()
        .preopened_dir("/definitely/not/here", "/x", DirPerms::ReadOnly)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("/definitely/not/here"), "{err}");
}

impl Driver {
    fn u64_at(&self, at: i32) -> u64 {
        u64::from_le_bytes(self.read(at, 8).try_into().unwrap())
    }

    /// An iovec array of one buffer of `len` bytes: (iovec pointer, buffer pointer).
    fn iovec(&mut self, len: i32) -> (i32, i32) {
        let buf = self.alloc(len as u32);
        let (iov, _) = self.put(&[buf.to_le_bytes(), len.to_le_bytes()].concat());
        (iov, buf)
    }
}

#[test]
fn descriptor_operations_on_a_file() {
    let t = sandbox_tree();
    let data = t.path().join("data");
    let mut d = Driver::with_dir(&data, DirPerms::ReadWrite);
    let all = (1i64 << 30) - 1;
    let fd = d.open("f.txt", 0, CREAT, all).unwrap() as i32;
    let out = d.alloc(8);

    // pwrite / pread at offsets, leaving the position alone.
    let (bytes, len) = d.put(b"hello world");
    let (iov, _) = d.put(&[bytes.to_le_bytes(), len.to_le_bytes()].concat());
    let args = [
        Val::I32(fd),
        Val::I32(iov),
        Val::I32(1),
        Val::I64(0),
        Val::I32(out),
    ];
    assert_eq!(d.call("fd_pwrite", &args), SUCCESS);
    assert_eq!(d.u32_at(out), 11);
    let (iov, buf) = d.iovec(5);
    let args = [
        Val::I32(fd),
        Val::I32(iov),
        Val::I32(1),
        Val::I64(6),
        Val::I32(out),
    ];
    assert_eq!(d.call("fd_pread", &args), SUCCESS);
    assert_eq!(d.u32_at(out), 5);
    assert_eq!(d.read(buf, 5), b"world");
    assert_eq!(d.call("fd_tell", &[Val::I32(fd), Val::I32(out)]), SUCCESS);
    assert_eq!(d.u64_at(out), 0);

    // seek from the end, tell.
    let args = [Val::I32(fd), Val::I64(-5), Val::I32(2), Val::I32(out)];
    assert_eq!(d.call("fd_seek", &args), SUCCESS);
    assert_eq!(d.u64_at(out), 6);
    let args = [Val::I32(fd), Val::I64(-1), Val::I32(0), Val::I32(out)];
    assert_eq!(d.call("fd_seek", &args), INVAL);
    let args = [Val::I32(fd), Val::I64(0), Val::I32(3), Val::I32(out)];
    assert_eq!(d.call("fd_seek", &args), INVAL);
    let args = [Val::I32(1), Val::I64(0), Val::I32(0), Val::I32(out)];
    assert_eq!(d.call("fd_seek", &args), 70, "stdout cannot seek: spipe");

    // filestat: size and type; set_size truncates.
    let st = d.alloc(64);
    assert_eq!(
        d.call("fd_filestat_get", &[Val::I32(fd), Val::I32(st)]),
        SUCCESS
    );
    assert_eq!(d.read(st + 16, 1)[0], 4);
    assert_eq!(d.u64_at(st + 32), 11);
    assert_eq!(
        d.call("fd_filestat_set_size", &[Val::I32(fd), Val::I64(5)]),
        SUCCESS
    );
    assert_eq!(
        std::fs::read_to_string(data.join("f.txt")).unwrap(),
        "hello"
    );

    // set times: given values land on the host file; given and "now" together is inval.
    let (atim, mtim) = (1_000_000_000_000_000_000i64, 1_500_000_000_123_456_789i64);
    let args = [
        Val::I32(fd),
        Val::I64(atim),
        Val::I64(mtim),
        Val::I32(1 | 4),
    ];
    assert_eq!(d.call("fd_filestat_set_times", &args), SUCCESS);
    let meta = std::fs::metadata(data.join("f.txt")).unwrap();
    let since = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as i64
    };
    assert_eq!(since(meta.modified().unwrap()), mtim);
    assert_eq!(since(meta.accessed().unwrap()), atim);
    let args = [Val::I32(fd), Val::I64(0), Val::I64(0), Val::I32(1 | 2)];
    assert_eq!(d.call("fd_filestat_set_times", &args), INVAL);
    let (p, l) = d.put(b"sub/deep.txt");
    let args = [
        Val::I32(3),
        Val::I32(0),
        Val::I32(p),
        Val::I32(l),
        Val::I64(0),
        Val::I64(mtim),
        Val::I32(4),
    ];
    assert_eq!(d.call("path_filestat_set_times", &args), SUCCESS);
    let meta = std::fs::metadata(data.join("sub/deep.txt")).unwrap();
    assert_eq!(since(meta.modified().unwrap()), mtim);

    // Rights can shrink, never grow.
    let args = [
        Val::I32(fd),
        Val::I64(RIGHT_READ | RIGHT_WRITE),
        Val::I64(0),
    ];
    assert_eq!(d.call("fd_fdstat_set_rights", &args), SUCCESS);
    let args = [Val::I32(fd), Val::I64(all), Val::I64(0)];
    assert_eq!(d.call("fd_fdstat_set_rights", &args), NOTCAPABLE);
    let fdstat = d.alloc(24);
    assert_eq!(
        d.call("fd_fdstat_get", &[Val::I32(fd), Val::I32(fdstat)]),
        SUCCESS
    );
    assert_eq!(d.u64_at(fdstat + 8), (RIGHT_READ | RIGHT_WRITE) as u64);

    // renumber onto stdout: writes to 1 now go to the file, and the old number is closed.
    assert_eq!(d.call("fd_renumber", &[Val::I32(fd), Val::I32(1)]), SUCCESS);
    assert_eq!(d.call("fd_close", &[Val::I32(fd)]), BADF);
    let args = [Val::I32(1), Val::I64(0), Val::I32(2), Val::I32(out)];
    assert_eq!(d.call("fd_seek", &args), SUCCESS);
    assert_eq!(d.write(1, b"!"), SUCCESS);
    assert_eq!(
        std::fs::read_to_string(data.join("f.txt")).unwrap(),
        "hello!"
    );
    assert_eq!(d.call("fd_renumber", &[Val::I32(1), Val::I32(99)]), BADF);
}

#[test]
fn readlink_returns_the_target() {
    let t = sandbox_tree();
    let mut d = Driver::with_dir(&t.path().join("data"), DirPerms::ReadOnly);
    let readlink = |d: &mut Driver, path: &str, len: i32| {
        let (p, l) = d.put(path.as_bytes());
        let buf = d.alloc(len as u32);
        let used = d.alloc(4);
        let args = [
            Val::I32(3),
            Val::I32(p),
            Val::I32(l),
            Val::I32(buf),
            Val::I32(len),
            Val::I32(used),
        ];
        let errno = d.call("path_readlink", &args);
        (
            errno,
            String::from_utf8(d.read(buf, d.u32_at(used) as usize)).unwrap(),
        )
    };
    assert_eq!(
        readlink(&mut d, "link_in", 64),
        (SUCCESS, "sub/deep.txt".into())
    );
    assert_eq!(readlink(&mut d, "link_in", 3), (SUCCESS, "sub".into()));
    assert_eq!(readlink(&mut d, "inside.txt", 64).0, INVAL);
    assert_eq!(readlink(&mut d, "../data/link_in", 64).0, NOTCAPABLE);
}

#[test]
fn clocks_read_and_reject_unknown_ids() {
    let mut d = Driver::new(WasiCtxBuilder::new());
    let out = d.alloc(8);
    assert_eq!(
        d.call("clock_time_get", &[Val::I32(0), Val::I64(1), Val::I32(out)]),
        SUCCESS
    );
    assert!(d.u64_at(out) > 1_600_000_000_000_000_000);
    let mut last = 0;
    for id in [1, 2, 3, 1] {
        let args = [Val::I32(id), Val::I64(1), Val::I32(out)];
        assert_eq!(d.call("clock_time_get", &args), SUCCESS);
        if id == 1 {
            assert!(d.u64_at(out) >= last);
            last = d.u64_at(out);
        }
        assert_eq!(
            d.call("clock_res_get", &[Val::I32(id), Val::I32(out)]),
            SUCCESS
        );
        assert!(d.u64_at(out) > 0);
    }
    assert_eq!(
        d.call("clock_time_get", &[Val::I32(4), Val::I64(1), Val::I32(out)]),
        INVAL
    );
    assert_eq!(
        d.call("clock_res_get", &[Val::I32(-1), Val::I32(out)]),
        INVAL
    );
}

/// The context as one field of the embedder's own store data.
struct Host {
    wasi: WasiCtx,
    calls: u32,
}

#[test]
fn context_in_a_field_of_the_store_data() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
             (import "host" "count" (func $count))
             (memory (export "memory") 1)
             (func (export "argc") (result i32)
               (call $count)
               (drop (call $sizes (i32.const 0) (i32.const 4)))
               (i32.load (i32.const 0))))"#,
    )
    .unwrap();
    let wasi = WasiCtxBuilder::new().args(["a", "b", "c"]).build().unwrap();
    let mut store = Store::new(&engine, Host { wasi, calls: 0 });
    let mut linker = Linker::<Host>::new(&engine);
    weft_wasi::p1::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi).unwrap();
    linker
        .func_wrap("host", "count", |mut c: weft::Caller<'_, Host>| {
            c.data_mut().calls += 1
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let argc = instance.get_typed_func::<(), i32>(&store, "argc").unwrap();
    assert_eq!(argc.call(&mut store, ()).unwrap(), 3);
    assert_eq!(store.data().calls, 1);
}

#[test]
fn module_without_memory_export_traps_cleanly() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
             (func (export "_start") (drop (call $sizes (i32.const 0) (i32.const 4)))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, WasiCtxBuilder::new().build().unwrap());
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::p1::add_to_linker(&mut linker, |c| c).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
    let err = start.call(&mut store, ()).unwrap_err();
    assert!(err.to_string().contains("memory"), "{err}");
    // The context survives: a later call still finds it.
    assert_eq!(store.data().exit_code(), None);
}

/// Arguments a hostile guest might pass: edges of the integer ranges, the end of memory,
/// small descriptors and offsets, and noise.
fn hostile_i32(rng: &mut u64) -> i32 {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    let r = *rng;
    match r % 8 {
        0 => [0, 1, 2, 3, 4, 5, -1, i32::MIN, i32::MAX][(r >> 8) as usize % 9],
        1 => 65536 - ((r >> 8) % 64) as i32,
        2 | 3 => ((r >> 8) % 8) as i32,
        4 | 5 => ((r >> 8) % 65536) as i32,
        _ => (r >> 16) as i32,
    }
}

#[test]
fn hostile_arguments_never_panic_or_escape() {
    let t = sandbox_tree();
    let before_outside = std::fs::read_to_string(t.path().join("outside.txt")).unwrap();
    let builder = WasiCtxBuilder::new()
        .preopened_dir(t.path().join("data"), "/data", DirPerms::ReadWrite)
        .stdin(Stdin::Null)
        .stdout(Stdio::Null)
        .stderr(Stdio::Null);
    let mut d = Driver::new(builder);
    // Memory full of plausible paths and pointers, so some calls get past the first check.
    let mut fill = Vec::new();
    for s in [
        "../x\0",
        "sub/a",
        "link_out",
        "inside.txt",
        "..",
        "/etc",
        "loop_a",
        "n",
    ] {
        fill.extend_from_slice(s.as_bytes());
        fill.extend_from_slice(&[0, 8, 0, 0, 0, 4, 0, 0, 0]);
    }
    let (base, _) = d.put(&fill);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut errnos = BTreeMap::new();
    for _ in 0..20_000 {
        let (name, params) = FUNCS[(hostile_i32(&mut rng) as u32 as usize) % FUNCS.len()];
        if name == "poll_oneoff" {
            continue; // a random clock subscription could sleep for years
        }
        let args: Vec<Val> = params
            .split(' ')
            .map(|ty| {
                let mut v = hostile_i32(&mut rng);
                if v > 1000 && v < 65536 && v % 3 == 0 {
                    v = base + v % fill.len() as i32;
                }
                match ty {
                    "i64" => Val::I64(v as i64),
                    _ => Val::I32(v),
                }
            })
            .collect();
        let f = d.instance.get_func(&d.store, name).unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut d.store, &args, &mut out)
            .unwrap_or_else(|e| panic!("{name}{args:?}: {e}"));
        let Val::I32(errno) = out[0] else {
            panic!("{name} returned {:?}", out[0])
        };
        *errnos.entry(errno).or_insert(0u32) += 1;
    }
    // The calls got past the argument checks often enough to mean something.
    assert!(errnos.len() > 5, "{errnos:?}");
    assert!(errnos[&SUCCESS] > 100, "{errnos:?}");
    assert_eq!(
        std::fs::read_to_string(t.path().join("outside.txt")).unwrap(),
        before_outside
    );
    let names: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(
        names,
        ["data", "outside.txt"],
        "nothing created beside the preopen"
    );
}

#[test]
fn c_program_with_wasi_libc() {
    let t = tempfile::tempdir().unwrap();
    let builder =
        WasiCtxBuilder::new()
            .env("WHO", "c")
            .preopened_dir(t.path(), "/data", DirPerms::ReadWrite);
    let o = run_guest("c_files", &["hello"], builder);
    assert_eq!(o.exit_code, Some(3), "{}{}", o.stdout, o.stderr);
    assert_eq!(
        o.stdout,
        "argc=2 argv[1]=hello\nWHO=c\nread: line 7\nsize=7 regular=1\n\
         entries=42 first=. second=.. third=file-00-with-a-long-name.txt \
         last=file-39-with-a-long-name.txt\n\
         escape: Capabilities insufficient\nmissing: No such file or directory\n"
    );
    assert!(
        snapshot(t.path()).is_empty(),
        "the program removed its files"
    );
}

#[test]
fn second_c_program_stdio_clocks_random_stdin_dirs_and_exit() {
    // tests/wasi/c/c_misc.c; what a reference runtime prints for it, written out.
    let t = tempfile::tempdir().unwrap();
    let builder = WasiCtxBuilder::new()
        .stdin(Stdin::Bytes(b"shout this\n".to_vec()))
        .preopened_dir(t.path(), "/data", DirPerms::ReadWrite);
    let o = run_guest("c_misc", &[], builder);
    assert_eq!(o.exit_code, Some(5), "{}{}", o.stdout, o.stderr);
    assert_eq!(
        o.stdout,
        "hello from C\nwall clock after 2020: 1\nslept at least 20 ms: 1\n\
         random bytes: 1\nstdin: SHOUT THIS\nrenamed: 1\n"
    );
    assert_eq!(o.stderr, "to stderr\n");
    assert_eq!(
        std::fs::read_to_string(t.path().join("b.txt")).unwrap(),
        "abc"
    );
    assert!(!t.path().join("d").exists(), "the directory was removed");
}
