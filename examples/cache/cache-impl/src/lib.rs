//! The cache of `example:cache/cache`, kept as one file per entry in the directory the host
//! preopens at `/cache`.
//!
//! A key becomes a file name by percent-encoding every byte outside `[A-Za-z0-9_-]`, so no
//! key can name a path (`/` and `.` are always encoded: `../x` is the file `%2E%2E%2Fx`).
//! A file holds the entry's expiry (seconds since the Unix epoch, little-endian `u64`; 0
//! for none) followed by the payload. `set` writes a temporary file (its name has a `.`,
//! which no encoded key has) and renames it over the entry, so a reader never sees half an
//! entry. `get` of an expired entry removes it and answers `not-found`.

wit_bindgen::generate!({
    path: "../cache.wit",
    world: "cache-impl",
});

use exports::example::cache::cache::{Error, Guest, Payload};
use std::io::ErrorKind;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the host preopens the cache directory.
const CACHE_DIR: &str = "/cache";

/// The longest file name written (most file systems allow 255 bytes).
const MAX_NAME: usize = 240;

/// The size of an entry file's header (the expiry).
const HEADER: usize = 8;

struct Cache;

/// The file name for `key`, or `None` for a key that has none (empty, or too long).
fn file_name(key: &str) -> Option<String> {
    let mut name = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            name.push(b as char);
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    (!name.is_empty() && name.len() <= MAX_NAME).then_some(name)
}

fn entry_path(key: &str) -> Result<PathBuf, Error> {
    let name = file_name(key).ok_or(Error::RuntimeError)?;
    Ok(PathBuf::from(CACHE_DIR).join(name))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn io_error(e: std::io::Error) -> Error {
    match e.kind() {
        ErrorKind::NotFound => Error::NotFound,
        _ => Error::RuntimeError,
    }
}

impl Guest for Cache {
    fn set(key: String, value: Payload, ttl: Option<u32>) -> Result<(), Error> {
        let path = entry_path(&key)?;
        let expiry = ttl.map_or(0, |t| now().saturating_add(u64::from(t)).max(1));
        let mut bytes = Vec::with_capacity(HEADER + value.len());
        bytes.extend_from_slice(&expiry.to_le_bytes());
        bytes.extend_from_slice(&value);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &bytes).map_err(|_| Error::RuntimeError)?;
        std::fs::rename(&tmp, &path).map_err(|_| {
            let _ = std::fs::remove_file(&tmp);
            Error::RuntimeError
        })
    }

    fn get(key: String) -> Result<Payload, Error> {
        let path = entry_path(&key)?;
        let mut bytes = std::fs::read(&path).map_err(io_error)?;
        if bytes.len() < HEADER {
            return Err(Error::RuntimeError);
        }
        let expiry = u64::from_le_bytes(bytes[..HEADER].try_into().unwrap());
        if expiry != 0 && now() >= expiry {
            let _ = std::fs::remove_file(&path);
            return Err(Error::NotFound);
        }
        bytes.drain(..HEADER);
        Ok(bytes)
    }

    fn delete(key: String) -> Result<(), Error> {
        std::fs::remove_file(entry_path(&key)?).map_err(io_error)
    }
}

export!(Cache);
