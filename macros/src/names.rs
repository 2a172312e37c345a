//! WIT names (kebab-case) as Rust identifiers: `snake_case` for modules, functions, fields
//! and parameters, `UpperCamelCase` for types and cases; Rust keywords become raw
//! identifiers (`r#type`).

use proc_macro2::{Ident, Span};

/// Words Rust reserves; `self`, `super`, `crate` and `Self` cannot even be raw.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
    "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Not even raw identifiers may be these; a `_` is appended.
const NOT_RAW: &[&str] = &["self", "super", "crate", "Self", "_"];

fn ident(name: String) -> Ident {
    if NOT_RAW.contains(&name.as_str()) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name.as_str()) {
        Ident::new_raw(&name, Span::call_site())
    } else {
        Ident::new(&name, Span::call_site())
    }
}

/// `add-numbers` -> `add_numbers`.
pub fn snake(name: &str) -> Ident {
    ident(name.replace('-', "_").to_lowercase())
}

/// `http-error` -> `HttpError`; an acronym part (`URL`) is kept as WIT wrote it.
pub fn camel(name: &str) -> Ident {
    let s: String = name
        .split('-')
        .map(|part| {
            let mut cs = part.chars();
            match cs.next() {
                Some(c) => c.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect();
    ident(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_names_become_rust_identifiers() {
        assert_eq!(snake("checked-div").to_string(), "checked_div");
        assert_eq!(camel("http-error").to_string(), "HttpError");
        assert_eq!(camel("URL").to_string(), "URL");
        assert_eq!(snake("type").to_string(), "r#type");
        assert_eq!(snake("self").to_string(), "self_");
        assert_eq!(camel("self").to_string(), "Self_");
    }
}
