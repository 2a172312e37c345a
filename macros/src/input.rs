//! The macro's arguments: `bindgen!({ path: "x.wit", world: "w" })`,
//! `bindgen!({ inline: "package a:b; ...", world: "w" })` or `bindgen!("x.wit", "w")`.

use syn::parse::{Parse, ParseStream};
use syn::{braced, Ident, LitStr, Token};

/// Where the WIT comes from.
pub enum Source {
    /// A `.wit` file or a directory of them (with an optional `deps/`), relative to
    /// `CARGO_MANIFEST_DIR`.
    Path(LitStr),
    /// WIT text given in the macro call.
    Inline(LitStr),
}

/// The parsed arguments.
pub struct Input {
    /// The WIT.
    pub source: Source,
    /// The world to generate bindings for (`name` or `pkg:ns/name`); optional when the
    /// package has one world.
    pub world: Option<LitStr>,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Input> {
        if input.peek(LitStr) {
            let path: LitStr = input.parse()?;
            let world = if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
                Some(input.parse()?)
            } else {
                None
            };
            input.parse::<Option<Token![,]>>()?;
            return Ok(Input {
                source: Source::Path(path),
                world,
            });
        }
        let body;
        braced!(body in input);
        let mut source = None;
        let mut world = None;
        while !body.is_empty() {
            let key: Ident = body.parse()?;
            body.parse::<Token![:]>()?;
            let value: LitStr = body.parse()?;
            match key.to_string().as_str() {
                "path" | "inline" if source.is_some() => {
                    return Err(syn::Error::new(
                        key.span(),
                        "give one of `path` or `inline`",
                    ))
                }
                "path" => source = Some(Source::Path(value)),
                "inline" => source = Some(Source::Inline(value)),
                "world" if world.is_some() => {
                    return Err(syn::Error::new(key.span(), "`world` given twice"))
                }
                "world" => world = Some(value),
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown option `{other}` (expected `path`, `inline` or `world`)"),
                    ))
                }
            }
            if body.is_empty() {
                break;
            }
            body.parse::<Token![,]>()?;
        }
        input.parse::<Option<Token![,]>>()?;
        let source = source.ok_or_else(|| {
            syn::Error::new(
                input.span(),
                "missing `path: \"file.wit\"` or `inline: \"...\"`",
            )
        })?;
        Ok(Input { source, world })
    }
}
