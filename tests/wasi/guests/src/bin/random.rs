//! Fills two buffers with `random_get` and prints whether they differ and are not zero.
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
    // A pointer past the end of memory is `errno::fault` (21), not a crash.
    // SAFETY: the host must check the range; nothing is written on fault.
    let errno = unsafe { random_get((usize::MAX - 3) as *mut u8, 16) };
    assert_eq!(errno, 21);
    println!("random ok");
}
