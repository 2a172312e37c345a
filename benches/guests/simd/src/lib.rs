//! SIMD (`simd128`, built with `-C target-feature=+simd128`): a 3x3 blur of a byte image
//! in `u8x16` lanes, an `i16` dot product of its rows (`i32x4.dot_i16x8_s`) and an `f32x4`
//! saxpy, with `core::arch::wasm32` intrinsics.

use core::arch::wasm32::*;

/// Image width in bytes (a multiple of 16).
const W: usize = 512;
/// Image height in rows.
const H: usize = 64;
/// Length of the saxpy vectors.
const F: usize = 4096;

/// 16 bytes of `s` from `at` as a vector.
fn load(s: &[u8], at: usize) -> v128 {
    let bytes = &s[at..at + 16];
    // SAFETY: `bytes` is 16 readable bytes; `v128_load` has no alignment requirement.
    unsafe { v128_load(bytes.as_ptr() as *const v128) }
}

fn store(s: &mut [u8], at: usize, v: v128) {
    let bytes = &mut s[at..at + 16];
    // SAFETY: `bytes` is 16 writable bytes; `v128_store` has no alignment requirement.
    unsafe { v128_store(bytes.as_mut_ptr() as *mut v128, v) }
}

/// One blur pass from `src` into `dst`: every interior pixel becomes the rounded average
/// of its row's three neighbours, averaged over three rows, 16 pixels at a time.
fn blur(src: &[u8], dst: &mut [u8]) {
    let row = |y: usize, x: usize| {
        let at = y * W + x;
        let (l, c, r) = (load(src, at - 1), load(src, at), load(src, at + 1));
        u8x16_avgr(u8x16_avgr(l, r), c)
    };
    for y in 1..H - 1 {
        for x in (16..W - 16).step_by(16) {
            let v = u8x16_avgr(u8x16_avgr(row(y - 1, x), row(y + 1, x)), row(y, x));
            store(dst, y * W + x, v);
        }
    }
}

/// Sum over the image of `row[y] . row[y + 1]`, bytes as `i16` lanes.
fn dot_rows(img: &[u8]) -> i64 {
    let mut acc = i32x4_splat(0);
    for y in 0..H - 1 {
        for x in (0..W).step_by(8) {
            let a = &img[y * W + x..y * W + x + 8];
            let b = &img[(y + 1) * W + x..(y + 1) * W + x + 8];
            // SAFETY: `a` and `b` are 8 readable bytes each.
            let (a, b) = unsafe {
                (
                    u16x8_load_extend_u8x8(a.as_ptr()),
                    u16x8_load_extend_u8x8(b.as_ptr()),
                )
            };
            acc = i32x4_add(acc, i32x4_dot_i16x8(a, b));
        }
    }
    (0..4)
        .map(|i| {
            i64::from(match i {
                0 => i32x4_extract_lane::<0>(acc),
                1 => i32x4_extract_lane::<1>(acc),
                2 => i32x4_extract_lane::<2>(acc),
                _ => i32x4_extract_lane::<3>(acc),
            })
        })
        .sum()
}

/// `y = a * x + y` over `F` floats, four lanes at a time.
fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let av = f32x4_splat(a);
    for (xs, ys) in x.chunks_exact(4).zip(y.chunks_exact_mut(4)) {
        let xv = f32x4(xs[0], xs[1], xs[2], xs[3]);
        let yv = f32x4(ys[0], ys[1], ys[2], ys[3]);
        let r = f32x4_add(f32x4_mul(av, xv), yv);
        ys[0] = f32x4_extract_lane::<0>(r);
        ys[1] = f32x4_extract_lane::<1>(r);
        ys[2] = f32x4_extract_lane::<2>(r);
        ys[3] = f32x4_extract_lane::<3>(r);
    }
}

/// Runs `n` rounds of blur, dot product and saxpy; returns a checksum of all three.
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut img: Vec<u8> = (0..W * H)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let mut tmp = img.clone();
    let x: Vec<f32> = (0..F).map(|i| (i % 97) as f32 * 0.125).collect();
    let mut y: Vec<f32> = (0..F).map(|i| (i % 31) as f32).collect();
    let mut sum = 0i64;
    for round in 0..n.max(1) {
        blur(&img, &mut tmp);
        core::mem::swap(&mut img, &mut tmp);
        sum = sum.wrapping_mul(31).wrapping_add(dot_rows(&img));
        saxpy(if round % 2 == 0 { 0.5 } else { -0.5 }, &x, &mut y);
    }
    let ys: f32 = y.iter().sum();
    sum ^ (i64::from(ys.to_bits()) << 32)
}
