//! Checks the wall clock, the monotonic clock and a 50 ms sleep (`poll_oneoff`).
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
fn main() {
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    assert!(
        wall.as_secs() > 1_600_000_000,
        "wall clock before 2020: {wall:?}"
    );
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_millis(50));
    let slept = t0.elapsed();
    assert!(slept >= Duration::from_millis(50), "slept only {slept:?}");
    assert!(slept < Duration::from_secs(5), "slept {slept:?}");
    let t1 = Instant::now();
    assert!(t1 >= t0);
    println!("clocks ok");
}
