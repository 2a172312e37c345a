//! The demos of `examples/` through the embedding API.
//!
//! `examples/cache/`: a consumer command (Rust or C) whose `example:cache/cache` import is
//! the export of the implementation component, both with WASI 0.2 in one store, the cache
//! directory a temp dir preopened at `/cache`. The components are committed beside their
//! sources (rebuilt by `examples/cache/build.sh`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use weft::component::{Component, Instance, Linker};
use weft::{Engine, Store};
use weft_canon_abi::Val;
use weft_wasi::{DirPerms, OutputBuffer, Stdio, WasiCtx, WasiCtxBuilder};

const CACHE: &str = "example:cache/cache";

const EMPERORS: &str = "Nerva, Trajan, Hadrian, Pius, and Marcus Aurelius";
const HORSE: &str = "Caligula's horse, Incitatus";

fn cache_component(engine: &Engine, name: &str) -> Component {
    let path = format!("{}/examples/cache/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("the demo is built (examples/cache/build.sh)");
    Component::new(engine, &bytes).expect("the component is valid")
}

/// A store with WASI (stdio captured, `dir` preopened read-write at `/cache`, arguments
/// `args`), a linker with WASI 0.2 and the instantiated cache implementation.
struct Host {
    engine: Engine,
    store: Store<WasiCtx>,
    linker: Linker<WasiCtx>,
    cache: Instance,
    stdout: OutputBuffer,
    stderr: OutputBuffer,
}

impl Host {
    fn new(dir: &Path, args: &[&str]) -> Host {
        let engine = Engine::default();
        let (stdout, stderr) = (OutputBuffer::new(), OutputBuffer::new());
        let ctx = WasiCtxBuilder::new()
            .args(args.iter().copied())
            .preopened_dir(dir, "/cache", DirPerms::ReadWrite)
            .stdout(Stdio::Buffer(stdout.clone()))
            .stderr(Stdio::Buffer(stderr.clone()))
            .build()
            .expect("the context builds");
        let mut store = Store::new(&engine, ctx);
        let mut linker = Linker::<WasiCtx>::new(&engine);
        weft_wasi::p2::add_to_linker(&mut linker, |c| c).unwrap();
        let cache = linker
            .instantiate(&mut store, &cache_component(&engine, "cache-impl"))
            .expect("the implementation instantiates");
        Host {
            engine,
            store,
            linker,
            cache,
            stdout,
            stderr,
        }
    }

    /// Calls the implementation's `name` directly.
    fn call(&mut self, name: &str, params: &[Val]) -> Val {
        let f = self
            .cache
            .get_func(&mut self.store, &format!("{CACHE}#{name}"))
            .unwrap();
        let mut results = [Val::Bool(false)];
        f.call(&mut self.store, params, &mut results).unwrap();
        results[0].clone()
    }
}

/// What a consumer run did.
struct Outcome {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Runs `examples/cache/CONSUMER.wasm` with `args` (after argv[0]) against the
/// implementation, with `dir` as `/cache`.
fn run_consumer(consumer: &str, args: &[&str], dir: &Path) -> Outcome {
    let argv: Vec<&str> = [consumer].into_iter().chain(args.iter().copied()).collect();
    let mut host = Host::new(dir, &argv);
    let component = cache_component(&host.engine, consumer);
    let cache = host.cache.clone();
    host.linker
        .root()
        .instance_export(CACHE, &cache, CACHE)
        .unwrap();
    let instance = host
        .linker
        .instantiate(&mut host.store, &component)
        .expect("the consumer instantiates with the cache linked");
    let status = weft_wasi::p2::run(&mut host.store, &instance).unwrap_or_else(|e| {
        panic!(
            "{consumer} failed: {e}\nstdout:\n{}\nstderr:\n{}",
            host.stdout.contents_string(),
            host.stderr.contents_string()
        )
    });
    Outcome {
        status,
        stdout: host.stdout.contents_string(),
        stderr: host.stderr.contents_string(),
    }
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// A temp dir holding `cache/` (the directory given to the guests) and `outside.txt`.
fn cache_tree() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("outside.txt"), "untouched").unwrap();
    let dir = t.path().join("cache");
    std::fs::create_dir(&dir).unwrap();
    (t, dir)
}

/// The entry file for `value` without expiry: an 8-byte zero header, then the bytes.
fn entry_file(value: &str) -> Vec<u8> {
    let mut bytes = vec![0; 8];
    bytes.extend_from_slice(value.as_bytes());
    bytes
}

/// Checks that the run wrote `key` -> `value` into `dir` and nothing outside it.
fn assert_only_entry(t: &Path, dir: &Path, key: &str, value: &str) {
    assert_eq!(names(dir), BTreeSet::from([key.to_string()]));
    assert_eq!(std::fs::read(dir.join(key)).unwrap(), entry_file(value));
    assert_eq!(
        names(t),
        BTreeSet::from(["cache".to_string(), "outside.txt".to_string()])
    );
    assert_eq!(
        std::fs::read_to_string(t.join("outside.txt")).unwrap(),
        "untouched"
    );
}

fn consumer_round_trip(consumer: &str, key: &str, value: &str) {
    let cwd = std::env::current_dir().unwrap();
    let cwd_before = names(&cwd);
    let (t, dir) = cache_tree();
    let parent = t.path().parent().unwrap().to_path_buf();
    let parent_had_cache = parent.join("cache").exists();

    let o = run_consumer(consumer, &[], &dir);
    assert_eq!(o.status, 0, "stdout:\n{}\nstderr:\n{}", o.stdout, o.stderr);
    assert_eq!(o.stdout, format!("{key}: {value}\n"));
    assert_eq!(o.stderr, "");
    assert_only_entry(t.path(), &dir, key, value);
    assert_eq!(names(&cwd), cwd_before, "the process cwd changed");
    assert_eq!(parent.join("cache").exists(), parent_had_cache);

    // A second run, a new store and instances, reads the entry the first one left.
    let o = run_consumer(consumer, &["get"], &dir);
    assert_eq!(o.status, 0, "stderr:\n{}", o.stderr);
    assert_eq!(o.stdout, format!("{key}: {value}\n"));
    assert_only_entry(t.path(), &dir, key, value);

    let o = run_consumer(consumer, &["delete"], &dir);
    assert_eq!(
        (o.status, o.stdout.as_str()),
        (0, &*format!("deleted {key}\n"))
    );
    assert!(names(&dir).is_empty());
    let o = run_consumer(consumer, &["get"], &dir);
    assert_eq!(o.status, 1);
    assert_eq!(o.stdout, "");
    assert_eq!(o.stderr, "cache error: not-found\n");
    assert_eq!(names(&cwd), cwd_before, "the process cwd changed");
}

#[test]
fn rust_consumer_stores_reads_and_deletes() {
    consumer_round_trip("rust-consumer", "5-good-emperors", EMPERORS);
}

#[test]
fn c_consumer_stores_reads_and_deletes() {
    consumer_round_trip("c-consumer", "almost-consul", HORSE);
}

#[test]
fn consumers_share_the_cache_directory() {
    let (_t, dir) = cache_tree();
    assert_eq!(run_consumer("rust-consumer", &[], &dir).status, 0);
    assert_eq!(run_consumer("c-consumer", &[], &dir).status, 0);
    let o = run_consumer("c-consumer", &["get", "5-good-emperors"], &dir);
    assert_eq!(o.status, 0, "stderr:\n{}", o.stderr);
    assert_eq!(o.stdout, format!("5-good-emperors: {EMPERORS}\n"));
    let o = run_consumer("rust-consumer", &["get", "almost-consul"], &dir);
    assert_eq!(o.status, 0, "stderr:\n{}", o.stderr);
    assert_eq!(o.stdout, format!("almost-consul: {HORSE}\n"));
}

fn string(s: &str) -> Val {
    Val::String(s.into())
}

fn bytes(b: &[u8]) -> Val {
    Val::List(b.iter().map(|&x| Val::U8(x)).collect())
}

fn ok(v: Option<Val>) -> Val {
    Val::Result(Ok(v.map(Box::new)))
}

fn err(case: &str) -> Val {
    Val::Result(Err(Some(Box::new(Val::Enum(case.into())))))
}

fn ttl(t: Option<u32>) -> Val {
    Val::Option(t.map(|t| Box::new(Val::U32(t))))
}

#[test]
fn keys_cannot_leave_the_cache_directory() {
    let (t, dir) = cache_tree();
    let mut host = Host::new(&dir, &[]);
    let keys = [
        "../outside.txt",
        "../x",
        "/etc/x",
        ".",
        "..",
        "a/b",
        "a\\b",
        "%2E",
        "ü",
    ];
    for (i, key) in keys.iter().enumerate() {
        let value = format!("value {i}");
        let set = host.call("set", &[string(key), bytes(value.as_bytes()), ttl(None)]);
        assert_eq!(set, ok(None), "set {key:?}");
        let got = host.call("get", &[string(key)]);
        assert_eq!(got, ok(Some(bytes(value.as_bytes()))), "get {key:?}");
    }
    assert_eq!(
        names(&dir),
        BTreeSet::from(
            [
                "%2E%2E%2Foutside%2Etxt",
                "%2E%2E%2Fx",
                "%2Fetc%2Fx",
                "%2E",
                "%2E%2E",
                "a%2Fb",
                "a%5Cb",
                "%252E",
                "%C3%BC",
            ]
            .map(String::from)
        )
    );
    assert_eq!(
        names(t.path()),
        BTreeSet::from(["cache".to_string(), "outside.txt".to_string()])
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("outside.txt")).unwrap(),
        "untouched"
    );
    // Keys without a file name: empty, or longer than a name may be.
    let long = "k".repeat(241);
    for key in ["", long.as_str()] {
        let set = host.call("set", &[string(key), bytes(b"v"), ttl(None)]);
        assert_eq!(set, err("runtime-error"));
        assert_eq!(host.call("get", &[string(key)]), err("runtime-error"));
    }
}

#[test]
fn get_and_delete_of_missing_keys_are_not_found() {
    let (_t, dir) = cache_tree();
    let mut host = Host::new(&dir, &[]);
    assert_eq!(host.call("get", &[string("nope")]), err("not-found"));
    assert_eq!(host.call("delete", &[string("nope")]), err("not-found"));
    let set = host.call("set", &[string("k"), bytes(b""), ttl(None)]);
    assert_eq!(set, ok(None));
    assert_eq!(host.call("get", &[string("k")]), ok(Some(bytes(b""))));
    let set = host.call("set", &[string("k"), bytes(b"second"), ttl(None)]);
    assert_eq!(set, ok(None));
    assert_eq!(host.call("get", &[string("k")]), ok(Some(bytes(b"second"))));
    assert_eq!(host.call("delete", &[string("k")]), ok(None));
    assert_eq!(host.call("get", &[string("k")]), err("not-found"));
    assert!(names(&dir).is_empty());
}

#[test]
fn expired_entries_are_not_found_and_removed() {
    let (_t, dir) = cache_tree();
    let mut host = Host::new(&dir, &[]);
    // A ttl of an hour: live, and the file records an expiry about an hour from now.
    let set = host.call("set", &[string("hour"), bytes(b"h"), ttl(Some(3600))]);
    assert_eq!(set, ok(None));
    assert_eq!(host.call("get", &[string("hour")]), ok(Some(bytes(b"h"))));
    let file = std::fs::read(dir.join("hour")).unwrap();
    let expiry = u64::from_le_bytes(file[..8].try_into().unwrap());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        (now + 3590..=now + 3600).contains(&expiry),
        "{expiry} vs {now}"
    );
    assert_eq!(&file[8..], b"h");
    // A ttl of 0 expires at once.
    let set = host.call("set", &[string("zero"), bytes(b"z"), ttl(Some(0))]);
    assert_eq!(set, ok(None));
    assert_eq!(host.call("get", &[string("zero")]), err("not-found"));
    assert!(!dir.join("zero").exists(), "the expired entry was removed");
    // An entry that expired long ago (written by hand).
    let mut old = 1u64.to_le_bytes().to_vec();
    old.extend_from_slice(b"stale");
    std::fs::write(dir.join("old"), old).unwrap();
    assert_eq!(host.call("get", &[string("old")]), err("not-found"));
    assert_eq!(names(&dir), BTreeSet::from(["hour".to_string()]));
}

#[test]
fn a_consumer_without_the_cache_does_not_instantiate() {
    let (_t, dir) = cache_tree();
    let mut host = Host::new(&dir, &[]);
    let component = cache_component(&host.engine, "rust-consumer");
    let e = host
        .linker
        .instantiate(&mut host.store, &component)
        .expect_err("the import is missing");
    assert!(e.to_string().contains(CACHE), "{e}");
    // An instance of the wrong type under the right name (the implementation's WASI
    // stdout interface has none of the cache's functions) is refused too.
    let cache = host.cache.clone();
    let e = Linker::<WasiCtx>::new(&host.engine)
        .root()
        .instance_export(CACHE, &cache, "wasi:cli/stdout@0.2.6")
        .err();
    assert!(
        e.is_some(),
        "the implementation does not export wasi:cli/stdout"
    );
    let mut linker = Linker::<WasiCtx>::new(&host.engine);
    weft_wasi::p2::add_to_linker(&mut linker, |c| c).unwrap();
    linker
        .root()
        .func_wrap(CACHE, |_store, (): ()| Ok(()))
        .unwrap();
    let e = linker
        .instantiate(&mut host.store, &component)
        .expect_err("a function is not an instance");
    assert!(e.to_string().contains(CACHE), "{e}");
    // Host functions whose Rust types are not the interface's.
    let mut linker = Linker::<WasiCtx>::new(&host.engine);
    weft_wasi::p2::add_to_linker(&mut linker, |c| c).unwrap();
    let mut iface = linker.instance(CACHE).unwrap();
    for name in ["set", "get", "delete"] {
        iface
            .func_wrap(name, |_store, (x,): (u32,)| Ok((x,)))
            .unwrap();
    }
    let e = linker
        .instantiate(&mut host.store, &component)
        .expect_err("the functions' types do not match");
    assert!(e.to_string().contains("do not match"), "{e}");
}

#[test]
fn large_payloads_round_trip() {
    let (_t, dir) = cache_tree();
    let mut host = Host::new(&dir, &[]);
    // 1 MiB: more than the implementation's memory has free at first, so its
    // `cabi_realloc` grows it while the host lowers the list.
    let value: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 7 + i / 251) as u8).collect();
    let key = "big";
    let set = host.call("set", &[string(key), bytes(&value), ttl(None)]);
    assert_eq!(set, ok(None));
    assert_eq!(host.call("get", &[string(key)]), ok(Some(bytes(&value))));
    let file = std::fs::read(dir.join(key)).unwrap();
    assert_eq!(
        (file.len(), &file[8..] == value.as_slice()),
        (8 + value.len(), true)
    );
}

#[test]
fn consumers_set_any_entry_with_a_ttl() {
    let (_t, dir) = cache_tree();
    // A large value from the consumer's memory into the implementation's, and back out
    // into the other consumer's: 256 KiB from Rust; 32 KiB from C, whose arguments pass
    // through a fixed scratch buffer of the preview1 adapter (at about 60 KB one no
    // longer fits and the adapter aborts: see examples/cache/README.md).
    let value = |n: usize| -> String { (0..n).map(|i| (b'a' + (i % 26) as u8) as char).collect() };
    for (setter, getter, big) in [
        ("rust-consumer", "c-consumer", value(1 << 18)),
        ("c-consumer", "rust-consumer", value(1 << 15)),
    ] {
        let o = run_consumer(setter, &["set", "big", &big, "3600"], &dir);
        assert_eq!(
            (o.status, o.stdout.as_str()),
            (0, "stored big\n"),
            "{}",
            o.stderr
        );
        let file = std::fs::read(dir.join("big")).unwrap();
        let expiry = u64::from_le_bytes(file[..8].try_into().unwrap());
        assert!(expiry > 1_700_000_000, "{setter} gave no ttl: {expiry}");
        assert_eq!(&file[8..], big.as_bytes());
        let o = run_consumer(getter, &["get", "big"], &dir);
        assert_eq!(o.status, 0, "{}", o.stderr);
        assert_eq!(o.stdout, format!("big: {big}\n"));
        // Without a ttl the entry has no expiry; with 0 it is gone at once.
        let o = run_consumer(setter, &["set", "k", "v"], &dir);
        assert_eq!(o.status, 0, "{}", o.stderr);
        assert_eq!(std::fs::read(dir.join("k")).unwrap(), entry_file("v"));
        assert_eq!(
            run_consumer(setter, &["set", "k", "v", "0"], &dir).status,
            0
        );
        let o = run_consumer(getter, &["get", "k"], &dir);
        assert_eq!(
            (o.status, o.stderr.as_str()),
            (1, "cache error: not-found\n")
        );
        // Bad arguments are usage errors, and change nothing. (The consumers exit with 2,
        // which `wasi:cli/exit` can only carry as `err`: status 1.)
        for args in [
            &["set", "k"][..],
            &["set", "k", "v", "-1"],
            &["set", "k", "v", "4294967296"],
            &["frob"],
        ] {
            let o = run_consumer(setter, args, &dir);
            assert_eq!(o.status, 1, "{setter} {args:?}: {}", o.stdout);
            assert!(o.stderr.starts_with("usage: "), "{}", o.stderr);
        }
        assert_eq!(names(&dir), BTreeSet::from(["big".to_string()]));
    }
}

// --- the cache demo from the command line, as examples/cache/README.md gives it --------

/// Runs the `weft` binary from the repository root; returns stdout, stderr and status.
fn weft(args: &[&str]) -> (String, String, Option<i32>) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("weft runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

const LINK: &str = "example:cache/cache=examples/cache/cache-impl.wasm";

#[test]
fn cli_run_time_linking_of_both_consumers() {
    let (t, dir) = cache_tree();
    let mapped = format!("{}::/cache", dir.display());
    for (consumer, key, value) in [
        (
            "examples/cache/rust-consumer.wasm",
            "5-good-emperors",
            EMPERORS,
        ),
        ("examples/cache/c-consumer.wasm", "almost-consul", HORSE),
    ] {
        let (stdout, stderr, status) = weft(&["run", consumer, "--link", LINK, "--dir", &mapped]);
        assert_eq!(status, Some(0), "{consumer}: {stderr}");
        assert_eq!(stdout, format!("{key}: {value}\n"), "{consumer}");
    }
    assert_eq!(
        names(&dir),
        BTreeSet::from(["5-good-emperors".to_string(), "almost-consul".to_string()])
    );
    // `--mapdir GUEST::HOST` is the same, and a second run reads what the first stored.
    let mapdir = format!("/cache::{}", dir.display());
    let (stdout, _, status) = weft(&[
        "run",
        "--mapdir",
        &mapdir,
        "examples/cache/c-consumer.wasm",
        "--link",
        LINK,
        "get",
        "5-good-emperors",
    ]);
    assert_eq!(status, Some(0));
    assert_eq!(stdout, format!("5-good-emperors: {EMPERORS}\n"));
    assert_eq!(
        names(t.path()),
        BTreeSet::from(["cache".to_string(), "outside.txt".to_string()])
    );
}

#[test]
fn cli_static_linking_writes_one_component_that_runs() {
    let (_t, dir) = cache_tree();
    let out = tempfile::tempdir().unwrap();
    let mapped = format!("{}::/cache", dir.display());
    for (consumer, key, value) in [
        ("rust-consumer", "5-good-emperors", EMPERORS),
        ("c-consumer", "almost-consul", HORSE),
    ] {
        let linked = out.path().join(format!("{consumer}-linked.wasm"));
        let linked = linked.to_str().unwrap();
        let input = format!("examples/cache/{consumer}.wasm");
        let (_, stderr, status) = weft(&["link", &input, "--link", LINK, "-o", linked]);
        assert_eq!(status, Some(0), "{stderr}");
        // One component: it no longer imports the cache, only what both parts need.
        let (wit, _, _) = weft(&["inspect", linked]);
        assert!(!wit.contains("example:cache/cache"), "{wit}");
        assert!(wit.contains("export wasi:cli/run@"), "{wit}");
        let (stdout, stderr, status) = weft(&["run", "--dir", &mapped, linked]);
        assert_eq!(status, Some(0), "{stderr}");
        assert_eq!(stdout, format!("{key}: {value}\n"));
    }
    assert_eq!(names(&dir).len(), 2);
}

#[test]
fn cli_linking_errors_name_what_is_wrong() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("x.wasm");
    let o = o.to_str().unwrap();
    let consumer = "examples/cache/rust-consumer.wasm";
    // An import the consumer does not have.
    let (_, stderr, status) = weft(&[
        "link",
        consumer,
        "--link",
        "example:cache/nope=examples/cache/cache-impl.wasm",
        "-o",
        o,
    ]);
    assert_eq!(status, Some(1));
    assert!(
        stderr.contains("has no import named `example:cache/nope`"),
        "{stderr}"
    );
    // A provider without the export.
    let (_, stderr, status) = weft(&[
        "link",
        consumer,
        "--link",
        "example:cache/cache=examples/cache/rust-consumer.wasm",
        "-o",
        o,
    ]);
    assert_eq!(status, Some(1));
    assert!(
        stderr.contains("has no export `example:cache/cache`"),
        "{stderr}"
    );
    // Not a component, and a malformed spec.
    let (_, stderr, status) = weft(&["link", "examples/fib.wat", "--link", LINK, "-o", o]);
    assert_eq!(status, Some(1));
    assert!(stderr.contains("is not a component"), "{stderr}");
    let (_, stderr, status) = weft(&["link", consumer, "--link", "nonsense", "-o", o]);
    assert_eq!(status, Some(1));
    assert!(stderr.contains("expected IMPORT=FILE"), "{stderr}");
    assert!(
        !out.path().join("x.wasm").exists(),
        "nothing written on failure"
    );
    // Running without the link: the import is missing, named.
    let (_, stderr, status) = weft(&["run", consumer]);
    assert_eq!(status, Some(1));
    assert!(stderr.contains("example:cache/cache"), "{stderr}");
}
