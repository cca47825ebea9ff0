//! The integration tests, in one crate (one link of the test binary, one place for fixtures).
//!
//! Each module tests the real `realist` binary or the library's public API against fixture sites
//! made from [`common`]:
//!
//! 1. `site_build`, `validation`, `scaffold`: what a build publishes, every error an author can
//!    make, `realist new` and `init`;
//! 2. `hostile`, `safety`: malformed and hostile inputs, and the safety rules (the output folder,
//!    published script, reading inputs, the dev server);
//! 3. `serve`, `serve_incremental`, `proptest_pipeline`: the dev server, and the property that an
//!    incremental rebuild equals a full build;
//! 4. `search`, `layers`: the search index, and the rule that the source's modules form layers.

mod common;

mod accessibility_statement;
mod anonymity;
mod anonymity_files;
mod authoring_causes;
mod authoring_frontmatter;
mod authoring_markdown;
mod citations;
mod descriptions;
mod exports;
mod findings;
mod guide;
mod hostile;
mod informants;
mod layers;
mod layout;
mod metadata;
mod nav;
mod pdf;
mod proptest_pipeline;
mod provenance;
mod rameses;
mod report_checks;
mod rubric;
mod safety;
mod scaffold;
mod search;
mod search_pages;
mod serve;
mod serve_incremental;
mod site_build;
mod static_css;
mod theory_refinement;
mod validation;
