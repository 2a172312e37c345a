//! Sieve of Eratosthenes over n bytes: loads and stores.

/// Returns the number of primes below `n` plus the sum of the last few primes.
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let n = n.max(2) as usize;
    let mut composite = vec![false; n];
    let mut count = 0i64;
    let mut sum = 0i64;
    for i in 2..n {
        if !composite[i] {
            count += 1;
            sum = sum.wrapping_mul(31).wrapping_add(i as i64);
            let mut j = i * i;
            while j < n {
                composite[j] = true;
                j += i;
            }
        }
    }
    count ^ (sum << 20)
}
