//! Safety: content (see main.rs).
#[allow(unused_imports)]
use super::common;
