// Resources are not supported by bindgen! yet: a clear error, not broken code.
mod bindings {
    weft::bindgen!({
        inline: "package demo:files;
                 interface files { resource file; open: func(name: string) -> file; }
                 world app { import files; }",
        world: "app",
    });
}

fn main() {}
