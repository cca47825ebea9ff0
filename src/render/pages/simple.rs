//! Pages with a title and nothing else to show: search and "page not found".

use serde::Serialize;

use super::super::{context, Built, Renderer};
use super::finish;

#[derive(Serialize)]
struct Simple {
    title: String,
    /// The site's path as a JavaScript string literal, for the 404 page's `<base>`.
    base_path_js: String,
}

pub(super) fn simple(r: &Renderer, path: &str, template: &'static str, title: &str) -> Built {
    let common = r.common(path, None);
    let base_path_js = serde_json::to_string(&r.site.config.base_path())
        .unwrap_or_else(|_| "\"/\"".into())
        .replace("</", "<\\/");
    let page = Simple {
        title: title.into(),
        base_path_js,
    };
    finish(path.into(), template, context(&common, &page))
}
