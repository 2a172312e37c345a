//! SHA-256 (crate sha2) over n KiB of generated data.
use sha2::{Digest, Sha256};

/// Hashes `n` KiB and returns the first 8 bytes of the digest.
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut block = [0u8; 1024];
    for (i, b) in block.iter_mut().enumerate() {
        *b = (i * 7 + 3) as u8;
    }
    let mut hasher = Sha256::new();
    for k in 0..n.max(0) {
        block[0] = k as u8;
        hasher.update(block);
    }
    let digest = hasher.finalize();
    i64::from_le_bytes(digest[..8].try_into().unwrap())
}
