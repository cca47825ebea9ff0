//! Safety rules, each tested as a class with several variants: the output folder is never lost or
//! left half-updated, published pages never carry script, inputs are read within bounds and only
//! from inside the site, and the dev server answers only its own host.
//!
//! One module per rule family; shared fixtures come from `tests/integration/common`.

mod content;
mod inputs;
mod output;
mod server;
