//! Bad component binaries never panic: seeded mutations of valid components are compiled,
//! instantiated and called; every outcome must be a value or an error.

mod common;

use weft_canon_abi::component::{Component, Linker};
use weft_canon_abi::Val;
use weft_interp::{Engine, Store};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let texts = [
        format!(
            r#"(component
  {mem}
  (core module $main
    (import "mem" "memory" (memory 1))
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 16) (local.get 0))
      (i32.store (i32.const 20) (local.get 1))
      (i32.const 16)))
  (core instance $i (instantiate $main (with "mem" (instance $m))))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory $memory) (realloc $realloc))))"#,
            mem = common::MEMORY_MODULE
        ),
        r#"(component
  (core module $m
    (func (export "dtor") (param i32))
    (func (export "id") (param i32) (result i32) (local.get 0)))
  (core instance $mi (instantiate $m))
  (type $r (resource (rep i32) (dtor (core func $mi "dtor"))))
  (core func $new (canon resource.new $r))
  (core module $m2
    (import "" "new" (func $new (param i32) (result i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0))))
  (core instance $i2 (instantiate $m2 (with "" (instance (export "new" (func $new))))))
  (export $R "r" (type $r))
  (func (export "make") (param "rep" u32) (result (own $R)) (canon lift (core func $i2 "make")))
  (func (export "id") (param "x" (option (tuple u8 f64 char))) (result (option (tuple u8 f64 char)))
    (canon lift (core func $mi "id"))))"#
            .to_string(),
    ];
    texts
        .iter()
        .filter_map(|t| wat::parse_str(t).ok())
        .collect()
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    match rng.below(4) {
        0 => {
            let i = rng.below(b.len());
            b[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = rng.below(b.len());
            b[i] = rng.next() as u8;
        }
        2 => b.truncate(rng.below(b.len())),
        _ => {
            let i = rng.below(b.len());
            b.insert(i, rng.next() as u8);
        }
    }
    b
}

#[test]
fn mutated_components_never_panic() {
    let engine = Engine::default();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let seeds = seeds();
    assert_eq!(seeds.len(), 2, "the seed components must parse");
    let mut compiled = 0;
    for round in 0..1500 {
        let seed = &seeds[round % seeds.len()];
        let bytes = mutate(&mut rng, seed);
        let Ok(component) = Component::from_binary(&engine, &bytes) else {
            continue;
        };
        compiled += 1;
        let mut store = Store::new(&engine, ());
        let Ok(instance) = Linker::<()>::new(&engine).instantiate(&mut store, &component) else {
            continue;
        };
        for name in ["echo", "make", "id"] {
            if let Ok(f) = instance.get_func(&mut store, name) {
                let arg = match name {
                    "echo" => Val::String("hello".into()),
                    "make" => Val::U32(7),
                    _ => Val::Option(None),
                };
                let n = f.ty().map_or(1, |t| t.results.len());
                let mut results = vec![Val::Bool(false); n];
                let _ = f.call(&mut store, &[arg], &mut results);
            }
        }
    }
    assert!(compiled > 0, "some mutants should still be valid");
}
