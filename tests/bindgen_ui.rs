//! Compile-fail tests of `weft::bindgen!` (trybuild): a host implementation whose
//! signatures no longer match its WIT must not compile (`drifted_host.rs`), and what the
//! macro cannot bind is an error at the call naming it (`unknown_world.rs`,
//! `unsupported_resource.rs`). Each case in `tests/bindgen_ui/` is compiled on its own and
//! its compiler errors compared with the `.stderr` beside it (`TRYBUILD=overwrite`
//! rewrites them after a deliberate change).

#[test]
fn drifted_hosts_and_unbindable_wit_do_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/bindgen_ui/*.rs");
}
