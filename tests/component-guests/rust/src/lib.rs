//! The `weft:test/values` exports in Rust (see ../wit/values.wit).
use std::cell::Cell;

wit_bindgen::generate!({ path: "../wit", world: "guest" });

use exports::weft::test::values::{Color, Guest, GuestCounter, Perms, Point, Shape};

struct Values;

/// The guest's representation of a `counter`.
struct Counter(Cell<u32>);

impl GuestCounter for Counter {
    fn new(start: u32) -> Self {
        Counter(Cell::new(start))
    }
    fn increment(&self) -> u32 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
    fn get(&self) -> u32 {
        self.0.get()
    }
}

impl Guest for Values {
    type Counter = Counter;

    fn echo_string(s: String) -> String {
        s
    }
    fn reverse_list(mut l: Vec<u32>) -> Vec<u32> {
        l.reverse();
        l
    }
    fn upper_all(words: Vec<String>) -> Vec<String> {
        words.iter().map(|w| w.to_uppercase()).collect()
    }
    fn move_point(p: Point, dx: i32, dy: i32) -> Point {
        Point {
            x: p.x + dx,
            y: p.y + dy,
            label: format!("{}'", p.label),
        }
    }
    fn describe(s: Shape) -> String {
        match s {
            Shape::Circle(r) => format!("circle of radius {r}"),
            Shape::Rect(p) => format!("rect {}x{} ({})", p.x, p.y, p.label),
            Shape::Empty => "empty".to_string(),
        }
    }
    fn maybe_double(x: Option<u32>) -> Option<u32> {
        x.and_then(|x| x.checked_mul(2))
    }
    fn checked_div(a: i32, b: i32) -> Result<i32, String> {
        a.checked_div(b).ok_or_else(|| format!("cannot divide {a} by {b}"))
    }
    fn next_color(c: Color) -> Color {
        match c {
            Color::Red => Color::Green,
            Color::Green => Color::Blue,
            Color::Blue => Color::Red,
        }
    }
    fn toggle_write(p: Perms) -> Perms {
        p ^ Perms::WRITE
    }
    fn sum_tuple(t: (u8, i64, f32)) -> f64 {
        t.0 as f64 + t.1 as f64 + t.2 as f64
    }
    fn char_code(c: char) -> u32 {
        c as u32
    }
    fn peek(c: exports::weft::test::values::CounterBorrow<'_>) -> u32 {
        c.get::<Counter>().get()
    }
    fn finish(c: exports::weft::test::values::Counter) -> u32 {
        c.into_inner::<Counter>().0.get()
    }
}

export!(Values);
