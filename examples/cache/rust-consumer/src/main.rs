//! A command that uses the imported `example:cache/cache`.
//!
//! With no arguments it stores "5-good-emperors", reads it back, checks it and prints it.
//! `get [KEY]` only reads (and prints) an entry, `delete [KEY]` removes one; KEY defaults
//! to "5-good-emperors". `set KEY VALUE [TTL]` stores VALUE (with a time to live of TTL
//! seconds). A failed operation prints the cache's error and exits with 1.

wit_bindgen::generate!({
    path: "../cache.wit",
    world: "consumer",
});

use example::cache::cache::{self, Error};
use std::process::ExitCode;

const KEY: &str = "5-good-emperors";
const VALUE: &str = "Nerva, Trajan, Hadrian, Pius, and Marcus Aurelius";

fn describe(e: Error) -> &'static str {
    match e {
        Error::RuntimeError => "runtime-error",
        Error::NotFound => "not-found",
    }
}

fn print_entry(key: &str, value: &[u8]) {
    println!("{key}: {}", String::from_utf8_lossy(value));
}

fn usage() -> ExitCode {
    eprintln!("usage: rust-consumer [get [KEY] | delete [KEY] | set KEY VALUE [TTL]]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let key = args.get(1).map_or(KEY, String::as_str);
    let outcome = match args.first().map(String::as_str) {
        None => cache::set(KEY, VALUE.as_bytes(), None)
            .and_then(|()| cache::get(KEY))
            .map(|value| {
                assert_eq!(value, VALUE.as_bytes(), "the cache changed it");
                print_entry(KEY, &value);
            }),
        Some("get") => cache::get(key).map(|value| print_entry(key, &value)),
        Some("delete") => cache::delete(key).map(|()| println!("deleted {key}")),
        Some("set") if (3..=4).contains(&args.len()) => {
            let ttl = match args.get(3).map(|t| t.parse::<u32>()) {
                None => None,
                Some(Ok(t)) => Some(t),
                Some(Err(_)) => return usage(),
            };
            cache::set(key, args[2].as_bytes(), ttl).map(|()| println!("stored {key}"))
        }
        Some(_) => return usage(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cache error: {}", describe(e));
            ExitCode::FAILURE
        }
    }
}
