//! Name uniqueness (Explainer.md "Name uniqueness"): two import names conflict when they
//! are equal after removing hyphens and lowercasing (and after the annotation rules).
//! `tests/component-wast/name-uniqueness.wast` has the Explainer's examples; this checks
//! that each one is refused for the name, not for some other reason.

use weft_canon_abi::component::Component;
use weft_interp::Engine;

const RESOURCE: &str = r#"(import "foo" (type $foo (sub resource)))"#;

#[test]
fn names_that_canonicalize_alike_conflict() {
    let engine = Engine::default();
    for (first, second) in [
        (RESOURCE, r#"(import "FOO" (func))"#),
        (
            r#"(import "foo-bar" (func))"#,
            r#"(import "foo-BAR" (func))"#,
        ),
        (
            r#"(import "foo-bar" (func))"#,
            r#"(import "foobar" (func))"#,
        ),
        (
            r#"(import "foo-bar" (func))"#,
            r#"(import "foob-ar" (func))"#,
        ),
        (r#"(import "a1" (func))"#, r#"(import "a-1" (func))"#),
        (r#"(import "B1" (func))"#, r#"(import "B-1" (func))"#),
        (
            r#"(import "[static]foo.baz" (func))"#,
            r#"(import "[method]foo.baz" (func (param "self" (borrow $foo))))"#,
        ),
        (
            r#"(import "[method]foo.bar" (func (param "self" (borrow $foo))))"#,
            r#"(import "[static]foo.bar" (func))"#,
        ),
        (
            r#"(import "foo:bar/baz" (func))"#,
            r#"(import "foo:bar/BAZ" (func))"#,
        ),
    ] {
        let resource = if first == RESOURCE { "" } else { RESOURCE };
        let wat = format!("(component {resource} {first} {second})");
        let e = Component::new(&engine, &wat).unwrap_err().to_string();
        assert!(e.contains("conflicts with previous name"), "{wat}: {e}");
    }
}

#[test]
fn strongly_unique_names_coexist() {
    let wat = format!(
        r#"(component {RESOURCE}
             (import "foo-bar" (func))
             (import "[constructor]foo" (func (result (own $foo))))
             (import "[method]foo.bar" (func (param "self" (borrow $foo))))
             (import "[static]foo.baz" (func))
             (import "foo:bar/baz" (func))
             (import "a1" (func))
             (import "a-1-b" (func)))"#
    );
    Component::new(&Engine::default(), &wat).unwrap();
}
