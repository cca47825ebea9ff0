//! Diagnostics: every problem realist finds, as a value.
//!
//! Each stage returns its problems instead of stopping at the first one, so a researcher sees every
//! mistake in one build. A diagnostic names a project-relative path, a 1-based line and column (0 when
//! the problem has no position, such as a missing file), a message and an optional help line. The
//! format follows rustc, which editors and terminals already know how to link.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is. Errors fail the build; warnings fail it only with `--deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// What a problem is to the others, which decides the order they are printed in (see
/// [`normalise`]): a root cause comes before anything it may have caused.
///
/// A researcher fixes problems from the top. One mistake in `site.yaml` or the bibliography can make
/// every citation look unknown, a file that does not load makes every reference to it dangle, and a
/// duplicate id makes links go to the wrong place; so those come first, and what is left after
/// fixing them is what the later problems say. The variants are in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rank {
    /// `site.yaml`, the command line, the theme and its templates: every page depends on them.
    Config,
    /// The bibliography and its citation style: every citation depends on them.
    Bibliography,
    /// A file that could not be read or did not load: every reference to it depends on it.
    FailedFile,
    /// An id defined twice: which of the two a reference reaches depends on it.
    Duplicate,
    /// Everything else: a problem of one place, caused by nothing above.
    Consequence,
}

impl Rank {
    /// The rank a problem has by the file it is in, until a stage says more: problems of
    /// `site.yaml`, templates and `.bib` files are root causes wherever they are found.
    fn of_path(path: &Path) -> Rank {
        let text = path.to_string_lossy();
        let ext = path.extension().and_then(|e| e.to_str());
        let config = ["templates", "themes", "--"]
            .iter()
            .any(|p| text.starts_with(p));
        if text == "site.yaml" || config || ext == Some("html") {
            Rank::Config
        } else if matches!(ext, Some("bib") | Some("csl")) {
            Rank::Bibliography
        } else {
            Rank::Consequence
        }
    }
}

/// One located problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Where it is printed among the others: root causes first.
    pub rank: Rank,
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        let path = path.into();
        Diagnostic {
            severity: Severity::Error,
            rank: Rank::of_path(&path),
            path,
            line,
            column,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, column, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Marks the problem as a root cause of rank `rank`, unless its file already ranks it higher.
    pub fn ranked(mut self, rank: Rank) -> Self {
        self.rank = self.rank.min(rank);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col`, leaving out what is unknown.
    pub fn location(&self) -> String {
        let path = display_path(&self.path);
        match (self.line, self.column) {
            (0, _) => path,
            (l, 0) => format!("{path}:{l}"),
            (l, c) => format!("{path}:{l}:{c}"),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let location = self.location();
        // A path is one line: a line break in a file name is shown escaped, like any control.
        let (message, location) = (printable(&self.message), printable_inline(&location));
        write!(f, "{label}: {message}\n  --> {location}")?;
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {}", printable(help))?;
        }
        Ok(())
    }
}

/// `text` made safe to print on a terminal: control characters (C0, DEL, C1, and so ESC which
/// starts every terminal control sequence), the Unicode bidirectional embeddings, overrides and
/// isolates, and noncharacters become visible escapes such as `\u{1b}`. A line break is kept but indented, so text from a site's files can
/// neither drive the terminal nor start a line that looks like a diagnostic of its own.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    escape(text, true)
}

/// Like [`printable`], for text that must stay on one line (a path): a tab or line break is escaped
/// too.
pub fn printable_inline(text: &str) -> std::borrow::Cow<'_, str> {
    escape(text, false)
}

fn escape(text: &str, keep_line_breaks: bool) -> std::borrow::Cow<'_, str> {
    // What no input may carry is what is escaped: the same definition ([`crate::text::chars`]).
    let unsafe_char = |c: char| match c {
        '\t' | '\n' => !keep_line_breaks,
        c => crate::text::chars::refused(c).is_some(),
    };
    if !text.chars().any(|c| c == '\n' || unsafe_char(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            '\n' => out.push_str("\n    "),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Paths in diagnostics always use `/`, whatever the platform, so tests and CI logs agree.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// "Did you mean" lives with the text utilities, below everything that reads files.
pub use crate::text::suggest::{did_you_mean, suggestion};

/// The one order diagnostics are printed in: root causes first ([`Rank`]), then by file, line and
/// column, so that the output is stable and the first problem listed is the one to fix first.
/// Exact duplicates are removed.
pub fn normalise(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.rank, &a.path, a.line, a.column, a.severity, &a.message)
            .cmp(&(b.rank, &b.path, b.line, b.column, b.severity, &b.message))
    });
    diagnostics.dedup();
}

/// `n` of a noun in correct English: `1 error`, `2 errors`, `0 warnings`.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_bidi_and_noncharacters() {
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("r\u{202e}gnp\u{2066}"), "r\\u{202e}gnp\\u{2066}");
        assert_eq!(printable("x\u{fffe}\u{9b}"), "x\\u{fffe}\\u{9b}");
        assert_eq!(printable("a\tb\nc"), "a\tb\n    c");
        assert_eq!(printable_inline("a\tb\nc"), "a\\u{9}b\\u{a}c");
        assert_eq!(
            printable("caf\u{e9} \u{200f}\u{2028}"),
            "caf\u{e9} \u{200f}\u{2028}"
        );
    }

    #[test]
    fn control_characters_are_printed_as_escapes() {
        let d = Diagnostic::error(
            "content/\u{1b}]0;x\u{7}.md",
            1,
            2,
            "title \u{1b}[2J\u{9b}31m",
        )
        .with_help("a\nerror: forged\u{202e}");
        let shown = d.to_string();
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown:?}"
        );
        assert!(shown.contains("title \\u{1b}[2J\\u{9b}31m"), "{shown}");
        assert!(
            shown.contains("content/\\u{1b}]0;x\\u{7}.md:1:2"),
            "{shown}"
        );
        assert!(!shown.contains("\nerror: forged"), "{shown}");
        assert!(shown.contains("\\u{202e}"), "{shown}");
    }

    #[test]
    fn root_causes_come_first_then_file_line_and_column() {
        let mut all = vec![
            Diagnostic::error("content/reports/a.md", 3, 1, "dangling"),
            Diagnostic::error("content/reports/a.md", 2, 5, "dangling too"),
            Diagnostic::error("content/cmos/x.md", 9, 1, "duplicate").ranked(Rank::Duplicate),
            Diagnostic::error("content/reports/z.md", 1, 1, "bad yaml").ranked(Rank::FailedFile),
            Diagnostic::error("content/references.bib", 4, 3, "expected comma"),
            Diagnostic::error("site.yaml", 3, 6, "unknown style").ranked(Rank::FailedFile),
            Diagnostic::warning("content/reports/a.md", 2, 5, "dangling too"),
        ];
        normalise(&mut all);
        let order: Vec<(&str, usize)> = all.iter().map(|d| (d.message.as_str(), d.line)).collect();
        assert_eq!(
            order,
            [
                ("unknown style", 3),
                ("expected comma", 4),
                ("bad yaml", 1),
                ("duplicate", 9),
                ("dangling too", 2),
                ("dangling too", 2),
                ("dangling", 3),
            ]
        );
        assert!(all[4].is_error() && !all[5].is_error());
        assert_eq!(count(1, "error"), "1 error");
        assert_eq!(count(2, "warning"), "2 warnings");
        assert_eq!(count(0, "error"), "0 errors");
    }

    #[test]
    fn display_has_location_and_help() {
        let d = Diagnostic::error("content/a.md", 3, 5, "bad").with_help("fix it");
        assert_eq!(
            d.to_string(),
            "error: bad\n  --> content/a.md:3:5\n   = help: fix it"
        );
    }
}
