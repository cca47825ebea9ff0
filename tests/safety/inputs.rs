//! Safety: inputs (see main.rs).
#[allow(unused_imports)] use super::common;
