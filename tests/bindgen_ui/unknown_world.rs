// A world the WIT does not define is an error at the macro call, naming it.
mod bindings {
    weft::bindgen!({
        inline: "package demo:calc; world consumer {}",
        world: "producer",
    });
}

fn main() {}
