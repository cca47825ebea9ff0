//! What the accessibility statement needs to know of a Markdown body, taken while the file is
//! read: the body is not kept after load, and pages render in parallel, so the statement's page
//! cannot wait for the other pages' Markdown.
//!
//! [`BodyFacts::of`] reads the body once, line by line, without a Markdown parse:
//!
//! 1. it skips fenced code blocks (three or more backticks or tildes), whose text is shown as
//!    written and holds no tables or images;
//! 2. it counts tables: a delimiter row (`|---|:--:|`, only pipes, dashes, colons and blanks)
//!    under a line that has a pipe, as GitHub-flavoured Markdown writes a table's head;
//! 3. it counts images whose alternative text is empty (`![](…)`, `![ ](…)`);
//! 4. it collects, once each, the hosts of other websites the body links to or shows an image
//!    from (`](https://host/…)`, `<https://host/…>`), in lower case and sorted.
//!
//! A light scan can be fooled by a table or link written inside an indented code block or a code
//! span; the statement it feeds then names one page too many, never one too few.

/// Counts and hosts from one body, for the accessibility statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFacts {
    /// Markdown tables: the Markdown that realist reads has no way to give one a caption.
    pub tables: usize,
    /// Images with an empty alternative text, which a build without `--deny-warnings` publishes.
    pub images_without_alt: usize,
    /// Hosts of other websites linked to, sorted, each once.
    pub hosts: Vec<String>,
}

impl BodyFacts {
    pub fn of(body: &str) -> BodyFacts {
        let mut facts = BodyFacts::default();
        let mut fence: Option<(char, usize)> = None;
        let mut previous_has_pipe = false;
        for line in body.lines() {
            let trimmed = line.trim_start();
            if let Some(open) = fence {
                if fence_of(trimmed).is_some_and(|(c, n)| c == open.0 && n >= open.1)
                    && trimmed.trim_end().chars().all(|c| c == open.0)
                {
                    fence = None;
                }
                continue;
            }
            if let Some(open) = fence_of(trimmed).filter(|_| line.len() - trimmed.len() < 4) {
                fence = Some(open);
                previous_has_pipe = false;
                continue;
            }
            // Most lines are prose with none of a table's, an image's or a link's marks: one
            // vectorised search lets them skip the scans below (this runs on every body).
            if memchr::memchr3(b'|', b'[', b'<', line.as_bytes()).is_none() {
                previous_has_pipe = false;
                continue;
            }
            if previous_has_pipe && is_delimiter_row(trimmed) {
                facts.tables += 1;
            }
            previous_has_pipe = line.contains('|');
            facts.images_without_alt += empty_alt_images(line);
            hosts_in(line, &mut facts.hosts);
        }
        facts.hosts.sort();
        facts.hosts.dedup();
        facts
    }
}

/// The fence character and its length, if the line opens or closes a fenced code block.
fn fence_of(trimmed: &str) -> Option<(char, usize)> {
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = trimmed.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

/// A table's delimiter row: pipes, dashes, colons and blanks only, with a dash and a pipe.
fn is_delimiter_row(trimmed: &str) -> bool {
    trimmed.contains('-')
        && trimmed.contains('|')
        && trimmed
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

fn empty_alt_images(line: &str) -> usize {
    // Only the blanks after `![` are read, so a line of many `![` stays linear.
    line.split("![")
        .skip(1)
        .filter(|rest| rest.trim_start_matches([' ', '\t']).starts_with("]("))
        .count()
}

/// Adds the hosts of `](http…` and `<http…` links on the line.
fn hosts_in(line: &str, hosts: &mut Vec<String>) {
    for opener in ["](", "<"] {
        let mut rest = line;
        while let Some(i) = rest.find(opener) {
            rest = &rest[i + opener.len()..];
            let starts = |p: &str| {
                rest.len() >= p.len()
                    && rest.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            };
            let skip = if starts("https://") {
                8
            } else if starts("http://") {
                7
            } else {
                continue;
            };
            let host: String = rest[skip..]
                .chars()
                .take_while(|c| {
                    !matches!(
                        c,
                        '/' | ')' | '>' | '<' | '?' | '#' | ':' | ' ' | '"' | '[' | ']'
                    )
                })
                .collect();
            if !host.is_empty() && !hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
                hosts.push(host.to_ascii_lowercase());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_images_and_hosts_are_found_outside_code() {
        let body = "Intro with [a link](https://www.Example.org/x) and <http://other.net/y>.\n\n\
| a | b |\n|---|:-:|\n| 1 | 2 |\n\na | b\n--- | ---\n1 | 2\n\n\
![](figure.png) and ![ ](x.png) and ![a chart](y.png)\n\n\
```text\n| c | d |\n|---|---|\n![](z.png) [x](https://code.example/)\n```\n\n\
A rule, not a table:\n\n---\n\n[again](https://www.example.org/z)\n";
        let facts = BodyFacts::of(body);
        assert_eq!(facts.tables, 2, "{facts:?}");
        assert_eq!(facts.images_without_alt, 2, "{facts:?}");
        assert_eq!(facts.hosts, ["other.net", "www.example.org"]);
    }

    #[test]
    fn a_longer_fence_is_closed_only_by_as_long_a_fence() {
        let body = "````md\n```\n| a |\n|---|\n```\n````\n| a |\n|---|\n";
        assert_eq!(BodyFacts::of(body).tables, 1);
    }
}
