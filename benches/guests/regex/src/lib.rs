//! Regex (crate regex): compile a few patterns and scan generated text.
use regex::Regex;

/// Builds `n` lines of text and returns a checksum of the matches found.
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut text = String::new();
    for i in 0..n.max(0) {
        text.push_str(&format!(
            "user{i}@example{}.com visited /page/{} at 2026-11-{:02} 12:{:02}\n",
            i % 7,
            i * 13 % 97,
            i % 28 + 1,
            i % 60
        ));
    }
    let email = Regex::new(r"[a-z0-9]+@[a-z0-9]+\.com").unwrap();
    let date = Regex::new(r"(\d{4})-(\d{2})-(\d{2})").unwrap();
    let word = Regex::new(r"\b\w+\b").unwrap();
    let mut h = 0i64;
    for m in email.find_iter(&text) {
        h = h.wrapping_mul(31).wrapping_add(m.start() as i64);
    }
    for c in date.captures_iter(&text) {
        h = h.wrapping_add(c[3].parse::<i64>().unwrap());
    }
    h.wrapping_add(word.find_iter(&text).count() as i64)
}
