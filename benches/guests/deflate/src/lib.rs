//! miniz_oxide: compress and decompress n KiB of semi-repetitive data.

/// Returns the compressed size mixed with a checksum of the decompressed bytes.
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let len = n.max(0) as usize * 1024;
    let mut data = Vec::with_capacity(len);
    let mut x = 12345u32;
    for i in 0..len {
        x = x.wrapping_mul(1103515245).wrapping_add(12345);
        // Mostly text-like bytes with runs, so the compressor has work to do.
        data.push(if (x >> 16) % 4 == 0 { b'a' + ((x >> 20) % 26) as u8 } else { b"weft "[i % 5] });
    }
    let compressed = miniz_oxide::deflate::compress_to_vec(&data, 6);
    let restored = miniz_oxide::inflate::decompress_to_vec(&compressed).unwrap();
    assert_eq!(restored, data);
    let mut h = compressed.len() as i64;
    for b in restored.iter().step_by(7) {
        h = h.wrapping_mul(131).wrapping_add(*b as i64);
    }
    h
}
