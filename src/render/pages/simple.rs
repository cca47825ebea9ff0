//! Pages with a title and nothing else to show: search and "page not found".
//!
//! The 404 page is served at whatever address was not found, at any depth, so a link relative to
//! it would lead somewhere else at every depth. Its links start from the site's root instead:
//!
//! 1. the shared context is built as for a page at the top of the site;
//! 2. every relative URL in it (`root`, and each `url` or `…_url` field, however deep) gets the
//!    site's base path (`/research/hsca12/`) in front of it.
//!
//! So the page is styled, and its links work, at any depth and without JavaScript. This is the
//! one page whose links are root-absolute; the link check allows them there only.

use serde::Serialize;
use serde_json::Value;

use super::super::{context, Built, Renderer};
use super::finish;

#[derive(Serialize)]
struct Simple {
    title: String,
}

pub(super) fn simple(r: &Renderer, path: &str, template: &'static str, title: &str) -> Built {
    let common = r.common(path, None);
    let page = Simple {
        title: title.into(),
    };
    let mut ctx = context(&common, &page);
    if path == "404.html" {
        let mut rooted = serde_json::to_value(&common).unwrap_or_default();
        from_root(&mut rooted, &r.site.config.base_path());
        ctx.insert("common", &rooted);
    }
    finish(path.into(), template, ctx)
}

/// Puts `base` (the site's path, ending in `/`) in front of every relative URL of `value` held
/// under a key named `root`, `url` or `…_url`.
fn from_root(value: &mut Value, base: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let url_key = key == "root" || key == "url" || key.ends_with("_url");
                match v {
                    Value::String(s) if url_key => {
                        if let Some(rooted) = rooted(base, s) {
                            *s = rooted;
                        }
                    }
                    _ => from_root(v, base),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| from_root(v, base)),
        _ => {}
    }
}

/// `url` (relative to the site's top folder) from the root, or None if it is not relative.
fn rooted(base: &str, url: &str) -> Option<String> {
    let scheme = url
        .find(':')
        .is_some_and(|c| url.find(['/', '?', '#']).is_none_or(|o| c < o));
    if scheme || url.starts_with(['/', '#', '?']) {
        return None;
    }
    let mut rest = url;
    while let Some(r) = rest.strip_prefix("./") {
        rest = r;
    }
    if rest == "." {
        rest = "";
    }
    Some(format!("{base}{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_start_from_the_root_and_others_stay() {
        let base = "/research/x/";
        assert_eq!(rooted(base, "./").as_deref(), Some("/research/x/"));
        assert_eq!(rooted(base, "").as_deref(), Some("/research/x/"));
        let page = rooted(base, "reports/#a");
        assert_eq!(page.as_deref(), Some("/research/x/reports/#a"));
        for kept in ["https://a.org/", "mailto:a@b.org", "#main", "/x/"] {
            assert_eq!(rooted(base, kept), None, "{kept}");
        }
        let mut v = serde_json::json!({
            "root": "./",
            "canonical": "https://a.org/x/",
            "nav": [{"title": "Reports", "url": "reports/"}],
            "logo_url": "static/logo.svg",
            "footer": {"links": [{"url": "./about/"}]},
        });
        from_root(&mut v, base);
        assert_eq!(v["root"], "/research/x/");
        assert_eq!(v["canonical"], "https://a.org/x/");
        assert_eq!(v["nav"][0]["url"], "/research/x/reports/");
        assert_eq!(v["nav"][0]["title"], "Reports");
        assert_eq!(v["logo_url"], "/research/x/static/logo.svg");
        assert_eq!(v["footer"]["links"][0]["url"], "/research/x/about/");
    }
}
