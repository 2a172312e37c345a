//! Component call overhead, from the host through `weft::component`: a `u32 -> u32` export
//! against a `string -> string` export (a round trip: the argument is lowered into the
//! guest's memory through its `realloc`, the result lifted back), and the same string
//! passed component to component (host -> B -> A: lifted out of B's memory and lowered
//! into A's, and back).
//!
//! `cargo bench --bench components` runs criterion on each call and ends with the cost per
//! call and ratios to the `u32` call. `WEFT_BENCH_QUICK=1` makes a short smoke run.

use criterion::Criterion;
use std::hint::black_box;
use std::time::{Duration, Instant};
use weft::component::{Component, Instance, Linker, TypedFunc};
use weft::{Engine, Store};

/// `$A` echoes strings and increments numbers; `$B` relays strings to an `echo` import.
/// Both allocate with a bump `realloc` that their `post-return` resets, so memory stays
/// flat over millions of calls.
const COMPONENT: &str = r#"
(component
  (component $A
    (core module $M
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      (func (export "echo") (param i32 i32) (result i32)
        (i32.store (i32.const 16) (local.get 0))
        (i32.store (i32.const 20) (local.get 1))
        (i32.const 16))
      (func (export "echo-post") (param i32) (global.set $bump (i32.const 1024)))
      (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))
    (core instance $m (instantiate $M))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $m "echo") (memory (core memory $m "mem"))
        (realloc (core func $m "realloc")) (post-return (core func $m "echo-post"))))
    (func (export "inc") (param "x" u32) (result u32) (canon lift (core func $m "inc"))))

  (component $B
    (import "echo" (func $echo (param "s" string) (result string)))
    (core module $Libc
      (memory (export "mem") 1)
      (global $bump (export "bump") (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p)))
    (core instance $libc (instantiate $Libc))
    (core func $echo-lowered (canon lower (func $echo) (memory (core memory $libc "mem"))
      (realloc (core func $libc "realloc"))))
    (core module $Main
      (import "libc" "bump" (global $bump (mut i32)))
      (import "" "echo" (func $echo (param i32 i32 i32)))
      (func (export "relay") (param i32 i32) (result i32)
        (call $echo (local.get 0) (local.get 1) (i32.const 32))
        (i32.const 32))
      (func (export "relay-post") (param i32) (global.set $bump (i32.const 1024))))
    (core instance $main (instantiate $Main
      (with "libc" (instance $libc))
      (with "" (instance (export "echo" (func $echo-lowered))))))
    (func (export "relay") (param "s" string) (result string)
      (canon lift (core func $main "relay") (memory (core memory $libc "mem"))
        (realloc (core func $libc "realloc")) (post-return (core func $main "relay-post")))))

  (instance $a (instantiate $A))
  (instance $b (instantiate $B (with "echo" (func $a "echo"))))
  (export "inc" (func $a "inc"))
  (export "echo" (func $a "echo"))
  (export "relay" (func $b "relay")))
"#;

struct Guest {
    store: Store<()>,
    inc: TypedFunc<(u32,), (u32,)>,
    echo: TypedFunc<(String,), (String,)>,
    relay: TypedFunc<(String,), (String,)>,
}

fn instantiate() -> Guest {
    let engine = Engine::default();
    let component = Component::new(&engine, COMPONENT).expect("the component compiles");
    let mut store = Store::new(&engine, ());
    let instance: Instance = Linker::new(&engine)
        .instantiate(&mut store, &component)
        .expect("the component instantiates");
    let inc = instance.get_typed_func(&mut store, "inc").expect("inc");
    let echo = instance.get_typed_func(&mut store, "echo").expect("echo");
    let relay = instance.get_typed_func(&mut store, "relay").expect("relay");
    Guest {
        store,
        inc,
        echo,
        relay,
    }
}

/// A measured call: its name and the call (which checks its result).
type Call = (String, Box<dyn FnMut(&mut Guest)>);

/// The calls measured, each checked once before it is timed.
fn calls(text: &str) -> Vec<Call> {
    let s = text.to_string();
    let (s1, s2) = (s.clone(), s.clone());
    let n = s.len();
    vec![
        (
            "u32 -> u32".to_string(),
            Box::new(|g: &mut Guest| {
                let (r,) = g.inc.call(&mut g.store, (black_box(41),)).unwrap();
                assert_eq!(r, 42);
            }),
        ),
        (
            format!("string -> string ({n} B)"),
            Box::new(move |g: &mut Guest| {
                let (r,) = g.echo.call(&mut g.store, (black_box(s1.clone()),)).unwrap();
                assert_eq!(r.len(), s1.len());
            }),
        ),
        (
            format!("component -> component string ({n} B)"),
            Box::new(move |g: &mut Guest| {
                let (r,) = g
                    .relay
                    .call(&mut g.store, (black_box(s2.clone()),))
                    .unwrap();
                assert_eq!(r.len(), s2.len());
            }),
        ),
    ]
}

/// Nanoseconds per call, by running `f` for about `budget`.
fn ns_per_call(g: &mut Guest, f: &mut dyn FnMut(&mut Guest), budget: Duration) -> f64 {
    let mut n = 0u64;
    let start = Instant::now();
    while start.elapsed() < budget {
        for _ in 0..100 {
            f(g);
        }
        n += 100;
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

fn main() {
    let quick = std::env::var_os("WEFT_BENCH_QUICK").is_some();
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(if quick { 100 } else { 500 }))
        .measurement_time(Duration::from_millis(if quick { 300 } else { 2000 }))
        .configure_from_args();
    let texts = ["hello, component".to_string(), "x".repeat(1024)];
    let mut g = instantiate();
    let mut summary = Vec::new();
    for text in &texts {
        for (name, mut f) in calls(text) {
            f(&mut g);
            c.bench_function(&format!("components/{name}"), |b| b.iter(|| f(&mut g)));
            let budget = Duration::from_millis(if quick { 100 } else { 500 });
            summary.push((name, ns_per_call(&mut g, &mut *f, budget)));
        }
    }
    c.final_summary();
    let base = summary[0].1;
    println!("\ncomponent calls from the host (weft), per call:");
    for (name, ns) in &summary {
        println!(
            "  {name:<42} {ns:>9.1} ns   {:>6.2}x the u32 call",
            ns / base
        );
    }
}
