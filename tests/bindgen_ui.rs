//! Compile-fail tests of `weft::bindgen!` (trybuild): a host implementation whose
//! signatures no longer match its WIT must not compile. Each case in `tests/bindgen_ui/`
//! is compiled on its own and its compiler errors compared with the `.stderr` beside it
//! (`TRYBUILD=overwrite` rewrites them after a deliberate change).

#[test]
fn a_host_that_drifts_from_its_wit_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/bindgen_ui/*.rs");
}
