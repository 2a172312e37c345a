//! serde_json round trip: build n records, serialise, parse back, re-serialise.
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Record {
    id: u32,
    name: String,
    score: f64,
    tags: Vec<String>,
    active: bool,
}

/// Returns a checksum over the round-tripped JSON text.
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let records: Vec<Record> = (0..n.max(0) as u32)
        .map(|i| Record {
            id: i,
            name: format!("record-{i}"),
            score: i as f64 * 1.5,
            tags: (0..(i % 4)).map(|t| format!("tag{t}")).collect(),
            active: i % 3 == 0,
        })
        .collect();
    let text = serde_json::to_string(&records).unwrap();
    let parsed: Vec<Record> = serde_json::from_str(&text).unwrap();
    let again = serde_json::to_string(&parsed).unwrap();
    let mut h = again.len() as i64;
    for b in again.bytes() {
        h = h.wrapping_mul(131).wrapping_add(b as i64);
    }
    h
}
