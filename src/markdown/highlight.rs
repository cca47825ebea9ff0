//! Code highlighting with syntect, as CSS classes (never inline styles, so the theme's stylesheet
//! controls contrast and a strict Content-Security-Policy needs no `unsafe-inline`).
//!
//! The syntax set is loaded on first use. Highlighting is cached twice: whole blocks by (language,
//! code), and single lines by (language, line, parser state before the line). Research reports
//! repeat the same snippets with small changes (a file name, a variable), so most lines of a "new"
//! block have been highlighted before in exactly the same parser state; the line cache is exact
//! because a hit requires the state before the line to be equal, and restores the state after it.
//!
//! Both caches are bounded: a site of 10,000 reports with a distinct block in each would otherwise
//! keep every block's HTML (and every line's parser states) until the end of the build. When a
//! cache reaches its budget it is emptied and refilled; a hit is only ever an exact one, so the
//! output does not depend on what the cache holds.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::{Arc, LazyLock, RwLock};

use syntect::html::{line_tokens_to_classed_spans, ClassStyle};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::text::escape::{escape_attr, escape_text};

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
static CACHE: LazyLock<RwLock<BlockCache>> = LazyLock::new(Default::default);
/// Bytes of highlighted HTML the block cache may hold.
const BLOCK_CACHE_BYTES: usize = 4 << 20;
/// (language, line) entries each thread's line cache may hold.
const LINE_CACHE_ENTRIES: usize = 1_024;

#[derive(Default)]
struct BlockCache {
    blocks: HashMap<u64, Arc<str>>,
    bytes: usize,
}
thread_local! {
    /// Per thread, because syntect's parser state holds regex captures that are not `Send`.
    static LINES: RefCell<HashMap<(String, String), Vec<LineResult>>> = RefCell::new(HashMap::new());
}

/// One highlighted line: the states it started from and ended in, and its HTML.
struct LineResult {
    before: (ParseState, ScopeStack),
    after: (ParseState, ScopeStack),
    html: Rc<str>,
    span_delta: isize,
}

/// Most different starting states remembered for one (language, line).
const STATES_PER_LINE: usize = 4;
const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Highlighted HTML for a fenced block (`<pre><code>` included), escaped and safe to embed.
pub fn highlight(lang: &str, code: &str) -> Arc<str> {
    let key = {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (lang, code).hash(&mut h);
        h.finish()
    };
    if let Some(hit) = CACHE.read().ok().and_then(|c| c.blocks.get(&key).cloned()) {
        return hit;
    }
    let html: Arc<str> = Arc::from(render(lang, code));
    if let Ok(mut cache) = CACHE.write() {
        if cache.bytes + html.len() > BLOCK_CACHE_BYTES {
            cache.blocks.clear();
            cache.bytes = 0;
        }
        cache.bytes += html.len();
        cache.blocks.insert(key, html.clone());
    }
    html
}

/// The opening `<pre>` of a block: a block wider than the screen scrolls, and a keyboard can only
/// scroll what it can focus, so the block is a focusable, named region (named after its language
/// when it has one, so a screen reader says what the code is).
fn pre(lang: &str) -> String {
    let name = if lang.is_empty() {
        "Code".to_owned()
    } else {
        format!("Code: {}", escape_attr(lang))
    };
    format!("<pre class=\"code\" role=\"region\" tabindex=\"0\" aria-label=\"{name}\">")
}

fn render(lang: &str, code: &str) -> String {
    let out = render_inner(lang, code);
    let rest = out.strip_prefix("<pre class=\"code\">").unwrap_or(&out);
    format!("{}{rest}", pre(lang))
}

fn render_inner(lang: &str, code: &str) -> String {
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
    let mut state = (ParseState::new(syntax), ScopeStack::new());
    let mut html = String::with_capacity(code.len() * 2);
    let mut open_spans: isize = 0;
    for line in LinesWithEndings::from(code) {
        let Some((line_html, delta, after)) = highlight_line(lang, line, &state) else {
            return format!(
                "<pre class=\"code\"><code class=\"language-{lang_class}\">{}</code></pre>",
                escape_text(code)
            );
        };
        html.push_str(&line_html);
        open_spans += delta;
        state = after;
    }
    for _ in 0..open_spans.max(0) {
        html.push_str("</span>");
    }
    format!("<pre class=\"code\"><code class=\"language-{lang_class}\">{html}</code></pre>")
}

type State = (ParseState, ScopeStack);

/// Highlights one line from `state` through this thread's line cache: (html, span delta, state after).
fn highlight_line(lang: &str, line: &str, state: &State) -> Option<(Rc<str>, isize, State)> {
    let key = (lang.to_string(), line.to_string());
    let hit = LINES.with(|c| {
        c.borrow().get(&key).and_then(|v| {
            v.iter()
                .find(|r| r.before == *state)
                .map(|r| (r.html.clone(), r.span_delta, r.after.clone()))
        })
    });
    if hit.is_some() {
        return hit;
    }
    let (mut parser, mut scopes) = state.clone();
    let ops = parser.parse_line(line, &SYNTAXES).ok()?;
    let (html, span_delta) = line_tokens_to_classed_spans(line, &ops, STYLE, &mut scopes).ok()?;
    let html: Rc<str> = Rc::from(html);
    let after = (parser, scopes);
    LINES.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= LINE_CACHE_ENTRIES {
            cache.clear();
        }
        let entry = cache.entry(key).or_default();
        if entry.len() < STATES_PER_LINE {
            entry.push(LineResult {
                before: state.clone(),
                after: after.clone(),
                html: html.clone(),
                span_delta,
            });
        }
    });
    Some((html, span_delta, after))
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
    fn line_cache_gives_the_same_html_as_a_fresh_parse() {
        let a = "x <- read.csv(\"a_1.csv\")\ny <- mean(x)\n# done\n";
        let b = "x <- read.csv(\"a_2.csv\")\ny <- mean(x)\n# done\n";
        let first_b = render("r", b);
        assert!(first_b.contains("hl-"), "{first_b}");
        let _ = highlight("r", a);
        assert_eq!(render("r", b), first_b);
        assert!(first_b.contains("hl-comment"), "{first_b}");
    }

    #[test]
    fn every_block_is_a_focusable_named_region() {
        for (lang, name) in [
            ("", "Code"),
            ("sh", "Code: sh"),
            ("nosuchlang", "Code: nosuchlang"),
            ("a\"b", "Code: a&quot;b"),
        ] {
            let html = highlight(lang, "echo 1\n");
            let open = format!(
                "<pre class=\"code\" role=\"region\" tabindex=\"0\" aria-label=\"{name}\"><code"
            );
            assert!(html.starts_with(&open), "{html}");
            assert_eq!(html.matches("<pre").count(), 1, "{html}");
        }
    }

    #[test]
    fn unknown_language_is_escaped() {
        let html = highlight("nosuchlang", "<b>&</b>");
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
    }
}
