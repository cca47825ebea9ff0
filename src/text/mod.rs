//! Text utilities every stage shares, below all of them: nothing here knows about sites, pages
//! or entity kinds.
//!
//! 1. [`chars`]: the characters no input may carry;
//! 2. [`frontmatter`]: normalising a file's text and splitting it into front matter and body;
//! 3. [`yaml`]: typed YAML with located errors, and finding a value's position in the text;
//! 4. [`slug`]: stable heading ids, and [`suggest`]: "did you mean";
//! 5. [`escape`]: escaping for HTML and Markdown, [`utf8_position`] for invalid UTF-8, and
//!    [`upper_first`] for a sentence's first letter;
//! 6. [`pages`]: page ranges, however they are dashed;
//! 7. [`words`]: words as the anonymity deny-list compares them.

pub mod chars;
pub mod escape;
pub mod frontmatter;
pub mod pages;
pub mod slug;
pub mod suggest;
pub mod words;
pub mod yaml;

/// The 1-based line and column of byte `offset`, counting only the valid UTF-8 before it.
pub fn utf8_position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let valid = String::from_utf8_lossy(&bytes[..offset]);
    let line = valid.matches('\n').count() + 1;
    let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `text` with its first letter in upper case ("in the context" → "In the context").
pub fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
