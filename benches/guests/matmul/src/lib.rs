//! Dense f64 matrix multiplication of two n x n matrices.

/// Returns the bits of the sum of the product's entries.
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let n = n.max(1) as usize;
    let a: Vec<f64> = (0..n * n).map(|i| (i % 17) as f64 * 0.5).collect();
    let b: Vec<f64> = (0..n * n).map(|i| (i % 13) as f64 * 0.25 + 1.0).collect();
    let mut c = vec![0.0f64; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                c[i * n + j] += aik * b[k * n + j];
            }
        }
    }
    c.iter().sum::<f64>().to_bits() as i64
}
