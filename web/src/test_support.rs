//! Helpers shared by the web crate's unit tests.

#[path = "../../protocol/tests/support/mod.rs"]
mod shared;
pub(crate) use shared::proptest_config;
