//! The PDF of each published report, `reports/<id>/<id>.pdf`, when `site.yaml` has `pdf: true`:
//! tagged, PDF/UA-1, typeset by Typst from a fixed template that reads the report as data.
//!
//! 1. take every report that has a page in this build (the pages' rule, `Site::is_published`);
//! 2. turn each into a document structure ([`data`]) and serialise it to JSON: report text
//!    reaches Typst only as strings in that file, never as Typst code, so nothing a report says
//!    can run, read a file or change the layout;
//! 3. compile the theme's `pdf/report.typ` in a world that serves only that template, the JSON
//!    as `/data.json`, the figures' images and the embedded fonts ([`world`]);
//! 4. export a tagged PDF conforming to PDF/UA-1, set its metadata's authors and language to
//!    the page's ([`amend`]: one entry per author, the whole language tag), and write it beside
//!    the report's page;
//! 5. compile the reports in parallel (rayon), and report a report that fails as a problem of
//!    its file, so every other PDF is still written and every problem is reported.

pub mod amend;
pub mod data;
pub mod world;

use rayon::prelude::*;
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::cite::Bibliography;
use crate::diagnostics::Diagnostic;
use crate::model::Kind;
use crate::resolve::Site;

/// The template used when the site's theme has no `pdf/report.typ`.
const DEFAULT_TEMPLATE: &str = include_str!("../../../themes/default/pdf/report.typ");

/// Every PDF [`write_all`] writes (pages link to them before they are written).
pub fn files(site: &Site) -> Vec<String> {
    published(site).map(|(_, id)| Site::pdf_file(id)).collect()
}

/// The indexes and ids of the reports that get a PDF: none unless `pdf: true`.
fn published(site: &Site) -> impl Iterator<Item = (usize, &str)> {
    let reports = site.content.reports.iter().enumerate();
    let on = site.config.pdf;
    reports
        .filter(move |(_, d)| on && site.is_published(Kind::Report, &d.id))
        .map(|(i, d)| (i, d.id.as_str()))
}

/// Writes every report's PDF; returns the paths written and the problems, one per report whose
/// PDF could not be made.
pub fn write_all(
    site: &Site,
    bibliography: &Bibliography,
    out: &super::Output,
) -> (Vec<String>, Vec<Diagnostic>) {
    let reports: Vec<(usize, &str)> = published(site).collect();
    if reports.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let template = match template(site) {
        Ok(t) => t,
        Err(d) => return (Vec::new(), vec![d]),
    };
    let results: Vec<Result<(String, Vec<Diagnostic>), Diagnostic>> = reports
        .into_par_iter()
        .map(|(index, id)| {
            let (pdf, warnings) = report_pdf(site, bibliography, &template, index, out)?;
            Ok((super::write_file(out, &Site::pdf_file(id), &pdf)?, warnings))
        })
        .collect();
    let mut written = Vec::new();
    let mut problems = Vec::new();
    for r in results {
        match r {
            Ok((path, warnings)) => {
                written.push(path);
                problems.extend(warnings);
            }
            Err(d) => problems.push(d),
        }
    }
    (written, problems)
}

/// The theme's `pdf/report.typ`, or the default theme's.
fn template(site: &Site) -> Result<String, Diagnostic> {
    let files = crate::theme::theme_files(&site.content.root, &site.config.theme, "pdf")?;
    let Some((origin, bytes)) = files.get("report.typ") else {
        return Ok(DEFAULT_TEMPLATE.to_string());
    };
    String::from_utf8(bytes.clone()).map_err(|_| {
        Diagnostic::error(origin, 0, 0, "the PDF template is not valid UTF-8")
            .with_help("save the file as UTF-8")
    })
}

/// The PDF of report `index` and its warnings (a figure's image left out; a PDF that could not
/// conform to PDF/UA-1); or the problem that stopped it, located at the report's file.
fn report_pdf(
    site: &Site,
    bibliography: &Bibliography,
    template: &str,
    index: usize,
    out: &super::Output,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Diagnostic> {
    let doc = &site.content.reports[index];
    let body = match doc.body.text() {
        Some(text) => text.to_string(),
        None => crate::load::reread_body(&site.content.root, &doc.path, &doc.body)?,
    };
    let prepared = data::report_data(site, bibliography, index, &body);
    let json = serde_json::to_vec(&prepared.data).unwrap_or_default();
    scan_typst_input(out, &Site::pdf_file(&doc.id), template, &json);
    let mut warnings: Vec<Diagnostic> = (prepared.left_out.iter())
        .map(|(dest, why)| left_out_warning(doc, &body, dest, why))
        .collect();
    let world = world::ReportWorld::new(template, json, prepared.images);
    let fail = |message: String, hints: Vec<String>| {
        let help = (!hints.is_empty()).then(|| hints.join("; "));
        Diagnostic::error(&doc.path, doc.yaml_line.max(1), 1, message).with_help_opt(help)
    };
    let document: PagedDocument = typst::compile(&world).output.map_err(|errors| {
        let first = errors.first();
        let message = first.map(|e| e.message.to_string()).unwrap_or_default();
        let hints = first.map(|e| e.hints.iter().map(|h| h.v.to_string()).collect());
        fail(
            format!("the PDF of this report could not be typeset: {message}"),
            hints.unwrap_or_default(),
        )
    })?;
    // PDF/UA-1 refuses what a report may well hold (text the bundled fonts cannot show, such as
    // Chinese; a heading level skipped): the report still gets a tagged PDF, and a warning.
    // The page's Dublin Core authors and language, which the PDF's metadata repeats.
    let creators = crate::render::meta::cited_authors(&doc.meta);
    let amend = |pdf| amend::amend(pdf, &creators, &site.config.language);
    let why = match typst_pdf::pdf(&document, &options(&doc.id, true)) {
        Ok(pdf) => return Ok((amend(pdf), warnings)),
        Err(errors) => messages(&errors),
    };
    let pdf = typst_pdf::pdf(&document, &options(&doc.id, false)).map_err(|errors| {
        fail(
            format!(
                "the PDF of this report could not be written: {}",
                messages(&errors)
            ),
            Vec::new(),
        )
    })?;
    let (line, column) = missing_text(&why)
        .and_then(|t| locate(site, &doc.path, &t))
        .unwrap_or((doc.yaml_line.max(1), 1));
    let warning = Diagnostic::warning(
        &doc.path,
        line,
        column,
        format!("the PDF of this report is tagged but does not conform to PDF/UA-1: {why}"),
    )
    .with_help("the PDF's fonts cover Latin, Greek and Cyrillic text: text in other scripts (Chinese, Japanese, Arabic) shows as boxes, and a skipped heading level breaks the outline. Write such text in a Latin transcription, or leave `pdf` off; the web page shows it as written");
    warnings.push(warning);
    Ok((amend(pdf), warnings))
}

/// Hands the anonymity lint what Typst typesets (the PDF itself is compressed): the template and
/// each text of the report's data, read back from its JSON so that escapes (`\n`) are text again.
fn scan_typst_input(out: &super::Output, rel: &str, template: &str, json: &[u8]) {
    fn strings(value: &serde_json::Value, f: &mut dyn FnMut(&str)) {
        match value {
            serde_json::Value::String(s) => f(s),
            serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, f)),
            serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, f)),
            _ => {}
        }
    }
    if out.lint().is_none() {
        return;
    }
    out.scan_text(rel, template);
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) {
        strings(&value, &mut |text| out.scan_text(rel, text));
    }
}

/// The warning for a figure whose image the PDF leaves out, located at the image's address in
/// the report's body (its first occurrence), or at the body's start.
fn left_out_warning(
    doc: &crate::load::Document<crate::model::report::Report>,
    body: &str,
    dest: &str,
    why: &str,
) -> Diagnostic {
    let (line, column) = match body.find(dest) {
        Some(at) => {
            let before = &body[..at];
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            let column = before[line_start..].chars().count() + 1;
            (doc.body_line + before.matches('\n').count(), column)
        }
        None => (doc.body_line, 1),
    };
    Diagnostic::warning(
        &doc.path,
        line,
        column,
        format!("the PDF of this report shows this figure's description instead of its image: the image {why}"),
    )
    .with_help("make the image smaller (for example under 7,000 × 7,000 pixels); the web page still shows it")
}

/// The first text Typst says no font can show, from its message "the text `"报"` could not
/// be displayed with font …".
fn missing_text(why: &str) -> Option<String> {
    let start = why.find("the text `\"")? + "the text `\"".len();
    let end = start + why[start..].find("\"`")?;
    Some(why[start..end].to_string()).filter(|t| !t.is_empty())
}

/// The line and column where `text` first occurs in the report's file, to point at it.
fn locate(site: &Site, path: &std::path::Path, text: &str) -> Option<(usize, usize)> {
    let bytes = crate::paths::read(&site.content.root, path).ok()?;
    let source = String::from_utf8(bytes).ok()?;
    let before = &source[..source.find(text)?];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    Some((
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    ))
}

/// Typst's problems, each once (a missing glyph is reported for every character).
fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errors {
        let m = e.message.to_string();
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    let more = seen.len().saturating_sub(3);
    let mut text = seen.into_iter().take(3).collect::<Vec<_>>().join("; ");
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    text
}

/// Tagged PDF, conforming to PDF/UA-1 if `ua`, identified by the report's id (stable between
/// builds) and without a creation date, so that a build is reproducible.
fn options(id: &str, ua: bool) -> PdfOptions {
    let standards: &[PdfStandard] = if ua { &[PdfStandard::Ua_1] } else { &[] };
    PdfOptions {
        ident: Smart::Custom(format!("realist-report-{id}")),
        standards: PdfStandards::new(standards).unwrap_or_default(),
        tagged: true,
        ..PdfOptions::default()
    }
}
