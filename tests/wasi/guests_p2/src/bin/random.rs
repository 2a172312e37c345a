//! Fills two buffers with `random_get` (through the preview1 adapter: wasi:random) and
//! checks that they differ and are not zero. (Preview1's `fault` for a bad pointer has no
//! 0.2 counterpart: the canonical ABI traps instead, so it is not tested here.)
#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn random_get(buf: *mut u8, len: usize) -> i32;
}

fn fill(buf: &mut [u8]) {
    // SAFETY: the buffer is valid for writes of its length.
    let errno = unsafe { random_get(buf.as_mut_ptr(), buf.len()) };
    assert_eq!(errno, 0);
}

fn main() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    fill(&mut a);
    fill(&mut b);
    assert_ne!(a, [0u8; 32]);
    assert_ne!(a, b);
    println!("random ok");
}
