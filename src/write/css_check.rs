//! Stylesheets the site publishes load nothing from other hosts: a single `@import url(https://…)`
//! or `url(//…)` in a `.css` file would make every page that uses it fetch from another host.
//! [`danger`] finds the first such place:
//!
//! 1. comments are blanked (keeping line breaks), so a commented-out rule is no problem;
//! 2. any `@import` is refused: a stylesheet the site needs is published next to it and linked;
//! 3. every `url(…)` is read, quoted or not; it is allowed only when it is relative to the site
//!    (no scheme, not starting with `/` or `\`) or a `data:image/` address, and it has no CSS
//!    escape (`\`) that could hide a scheme;
//! 4. the problem is returned with its line (1-based).

/// The first line of `css` that loads from outside the site, and why.
pub fn danger(css: &str) -> Option<(usize, String)> {
    let blanked = blank_comments(css);
    // ASCII lower case keeps every byte offset, so `at` indexes both.
    let text = blanked.to_ascii_lowercase();
    let line = |at: usize| text[..at].matches('\n').count() + 1;
    let import = text.find("@import");
    let url = text.match_indices("url(").find_map(|(at, _)| {
        let arg = argument(&blanked[at + 4..]);
        (!allowed(&arg)).then_some((at, arg))
    });
    match (import, url) {
        (Some(i), u) if u.as_ref().is_none_or(|(at, _)| i < *at) => Some((
            line(i),
            "it uses `@import`, which can load a stylesheet from another host".into(),
        )),
        (_, Some((at, arg))) => Some((
            line(at),
            format!("`url({arg})` is not a file of the site (only relative paths and `data:image/` are allowed)"),
        )),
        _ => None,
    }
}

/// The address inside `url(`, from the text after the parenthesis.
fn argument(rest: &str) -> String {
    let rest = rest.trim_start();
    let arg = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or_default(),
        _ => rest.split(')').next().unwrap_or_default(),
    };
    arg.trim().to_owned()
}

fn allowed(arg: &str) -> bool {
    let lower = arg.to_ascii_lowercase();
    // An image in CSS never runs script, not even an SVG one.
    if lower.starts_with("data:image/") {
        return true;
    }
    let before_path = lower.split(['/', '?', '#']).next().unwrap_or_default();
    !arg.contains('\\') && !arg.starts_with('/') && !before_path.contains(':')
}

/// `css` with every comment's characters turned to spaces, line breaks kept.
fn blank_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start + 2..]
            .find("*/")
            .map_or(rest.len(), |e| start + 2 + e + 2);
        out.extend(
            rest[start..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' }),
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::danger;

    #[test]
    fn other_hosts_and_imports_are_refused_with_their_line() {
        let line = |css: &str| danger(css).map(|(l, _)| l);
        assert_eq!(line("a{}\n@import url(x.css);"), Some(2));
        assert_eq!(
            line("a{}\n\nb{background:url(https://e.org/x.png)}"),
            Some(3)
        );
        assert_eq!(line("b{background:URL( '//e.org/x.png' )}"), Some(1));
        assert_eq!(line("b{background:url(\"/x.png\")}"), Some(1));
        assert_eq!(line("b{background:url(ht\\74ps://e.org/x.png)}"), Some(1));
        assert_eq!(line("b{background:url(data:text/css,a)}"), Some(1));
    }

    #[test]
    fn relative_files_data_images_and_comments_are_allowed() {
        assert_eq!(danger("b{background:url(img/x.png)}"), None);
        assert_eq!(danger("b{background:url('../fonts/a.woff2?v=1#x')}"), None);
        assert_eq!(
            danger("b{background:url(data:image/png;base64,AAAA)}"),
            None
        );
        assert_eq!(danger("/* @import url(https://e.org/a.css); */ a{}"), None);
    }
}
