//! Code highlighting with syntect, as CSS classes (never inline styles, so the theme's stylesheet
//! controls contrast and a strict Content-Security-Policy needs no `unsafe-inline`).
//!
//! The syntax set is loaded on first use, and highlighted blocks are cached by (language, code):
//! research reports repeat the same snippets (R boilerplate, SQL) across many files.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, RwLock};

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
static CACHE: LazyLock<RwLock<HashMap<u64, Arc<str>>>> = LazyLock::new(Default::default);

/// Highlighted HTML for a fenced block (`<pre><code>` included), escaped and safe to embed.
pub fn highlight(lang: &str, code: &str) -> Arc<str> {
    let key = {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (lang, code).hash(&mut h);
        h.finish()
    };
    if let Some(hit) = CACHE.read().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let html: Arc<str> = Arc::from(render(lang, code));
    if let Ok(mut cache) = CACHE.write() {
        cache.insert(key, html.clone());
    }
    html
}

fn render(lang: &str, code: &str) -> String {
    let lang_class = escape_attr(lang);
    if lang.is_empty() {
        return format!(
            "<pre class=\"code\"><code>{}</code></pre>",
            escape_text(code)
        );
    }
    let Some(syntax) = SYNTAXES.find_syntax_by_token(lang) else {
        return format!(
            "<pre class=\"code\"><code class=\"language-{lang_class}\">{}</code></pre>",
            escape_text(code)
        );
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        &SYNTAXES,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return format!(
                "<pre class=\"code\"><code class=\"language-{lang_class}\">{}</code></pre>",
                escape_text(code)
            );
        }
    }
    format!(
        "<pre class=\"code\"><code class=\"language-{lang_class}\">{}</code></pre>",
        generator.finalize()
    )
}

pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

pub fn escape_attr(s: &str) -> String {
    escape_text(s).replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_not_styles() {
        let html = highlight("rust", "fn main() { let x = 1; }\n");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="));
    }

    #[test]
    fn unknown_language_is_escaped() {
        let html = highlight("nosuchlang", "<b>&</b>");
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
    }
}
