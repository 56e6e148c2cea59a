//! The number of cases of a property test, one rule for the whole
//! workspace: the tests of every crate include this file (`#[path]`).

/// A property test's config: `default` cases, or `PROPTEST_CASES` when it
/// is set (`ProptestConfig::with_cases` alone would ignore the variable).
pub fn proptest_config(default: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    proptest::test_runner::Config::with_cases(cases)
}
