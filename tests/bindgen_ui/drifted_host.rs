// The WIT says `add: func(lh: s32, rh: s32) -> s32`; this host still takes and returns
// `i64`, so it does not implement the generated trait.
mod bindings {
    weft::bindgen!({
        inline: "package demo:calc;
                 interface calculator { add: func(lh: s32, rh: s32) -> s32; }
                 world consumer { import calculator; }",
        world: "consumer",
    });
}

struct Calculator;

impl bindings::calculator::Host for Calculator {
    fn add(&mut self, lh: i64, rh: i64) -> weft::component::Result<i64> {
        Ok(lh + rh)
    }
}

fn main() {}
