//! The files beside the pages: sitemap, Atom feed, robots.txt, and CSV/JSON exports of CMOs and
//! reports for spreadsheets and qualitative-analysis tools. Exports carry provenance (where each
//! record was written, and which report defines it), so a row can be traced back to its source.

use serde::Serialize;

use crate::diagnostics::{display_path, Diagnostic};
use crate::model::{enum_value, EvidenceSource, Kind};
use crate::render::pages::report_type_label;
use crate::resolve::Site;
use crate::text::escape::{escape_attr, escape_text};
use crate::url::page_of_file;

/// The files [`write_all`] writes (pages may link to them before they exist).
pub const FILES: [&str; 6] = [
    "sitemap.xml",
    "atom.xml",
    "robots.txt",
    "exports/cmos.csv",
    "exports/cmos.json",
    "exports/reports.json",
];

/// Writes every extra file; returns the site-relative paths written, in the order of [`FILES`].
pub fn write_all<'p>(
    site: &Site,
    out: &super::Output,
    page_paths: impl Iterator<Item = &'p str>,
) -> Result<Vec<String>, Diagnostic> {
    let sitemap = sitemap(site, page_paths);
    // Crawlers read robots.txt only at the host's root (RFC 9309), so one under a sub-path would
    // only pretend to work: it is written only when the site is the host's root, and the
    // publishing guide gives the lines to add to the host's own robots.txt otherwise.
    let robots = (site.config.base_url.path() == "/").then(|| {
        format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            site.config.base_url.absolute("sitemap.xml")
        )
    });
    // The exports are streamed row by row to their files (at 40,000 CMOs they are 80 MB), each
    // on a thread of its own: they are a tenth of a large build, and independent.
    let csv = || {
        super::write_streamed(out, "exports/cmos.csv", |w| {
            let mut writer = csv::Writer::from_writer(w);
            for mut row in cmo_rows(site) {
                row.cells_mut().into_iter().for_each(neutralise_formula);
                writer.serialize(row).map_err(std::io::Error::other)?;
            }
            writer.flush()
        })
    };
    let cmos =
        || super::write_streamed(out, "exports/cmos.json", |w| json_array(w, cmo_rows(site)));
    let reports = || {
        super::write_streamed(out, "exports/reports.json", |w| {
            json_array(w, report_rows(site))
        })
    };
    let (pages, (csv, (cmos, reports))) = rayon::join(
        || -> Result<Vec<String>, Diagnostic> {
            let mut written = vec![
                super::write_file(out, "sitemap.xml", sitemap.as_bytes())?,
                super::write_file(out, "atom.xml", atom(site).as_bytes())?,
            ];
            if let Some(robots) = &robots {
                written.push(super::write_file(out, "robots.txt", robots.as_bytes())?);
            }
            written.extend(super::rameses::write(site, out)?);
            Ok(written)
        },
        || rayon::join(csv, || rayon::join(cmos, reports)),
    );
    let mut written = pages?;
    written.extend([csv?, cmos?, reports?]);
    Ok(written)
}

/// The sitemap lists every page at a folder URL (`x/index.html`), so not `404.html`, with the
/// `lastmod` of [`lastmods`] where there is one.
fn sitemap<'p>(site: &Site, page_paths: impl Iterator<Item = &'p str>) -> String {
    let mut paths: Vec<&str> = page_paths.filter(|p| p.ends_with("index.html")).collect();
    paths.sort();
    let lastmods = lastmods(site);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for p in paths {
        let page = page_of_file(p);
        let lastmod = lastmods
            .get(page)
            .map(|d| format!("<lastmod>{d}</lastmod>"))
            .unwrap_or_default();
        s.push_str(&format!(
            "  <url><loc>{}</loc>{lastmod}</url>\n",
            escape_text(&site.config.base_url.absolute(page))
        ));
    }
    s.push_str("</urlset>\n");
    s
}

/// Site path → `lastmod` (`YYYY-MM-DD`) of the pages whose last change the content states: a
/// published report's `updated`, else its `date`, and each published CMO its defining report's.
/// The sitemap schema allows only a whole day (`xsd:date`), so a year or month is left out rather
/// than guessed; other pages have none, since only the build's time would do and builds are
/// reproducible.
fn lastmods(site: &Site) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for d in &site.content.reports {
        let date = d.meta.updated.as_ref().unwrap_or(&d.meta.date);
        if site.is_published(Kind::Report, &d.id) && date.day.is_some() {
            out.insert(Site::url(Kind::Report, &d.id), date.iso());
        }
    }
    for r in site.cmos.iter().filter(|r| r.published) {
        let report = r.reports.first().map(|id| Site::url(Kind::Report, id));
        if let Some(date) = report.and_then(|u| out.get(&u)).cloned() {
            out.insert(Site::url(Kind::Cmo, &r.cmo.id), date);
        }
    }
    out
}

fn atom(site: &Site) -> String {
    let base = &site.config.base_url;
    let home = base.absolute("");
    let mut reports: Vec<_> = site
        .content
        .reports
        .iter()
        .filter(|d| site.is_published(Kind::Report, &d.id))
        .collect();
    reports.sort_by(|a, b| b.meta.date.cmp(&a.meta.date).then(a.id.cmp(&b.id)));
    let updated = reports
        .first()
        .map(|d| d.meta.date.rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}\"/>\n  <id>{}</id>\n  <updated>{updated}</updated>\n",
        escape_attr(&site.config.language), escape_text(&site.config.title), escape_attr(&home), escape_attr(&base.absolute("atom.xml")), escape_text(&home)
    );
    for d in reports.iter().take(50) {
        let url = base.absolute(&Site::url(Kind::Report, &d.id));
        s.push_str(&format!("  <entry>\n    <title>{}</title>\n    <link href=\"{}\"/>\n    <id>{}</id>\n    <updated>{}</updated>\n", escape_text(&d.meta.title), escape_attr(&url), escape_text(&url), d.meta.date.rfc3339()));
        for a in &d.meta.authors {
            s.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                escape_text(&a.name)
            ));
        }
        s.push_str(&format!(
            "    <summary>{}</summary>\n  </entry>\n",
            escape_text(&d.meta.summary.join(" "))
        ));
    }
    s.push_str("</feed>\n");
    s
}

/// One CMO as a flat record for export.
#[derive(Serialize)]
struct CmoRow {
    id: String,
    title: String,
    kind: String,
    status: String,
    url: String,
    tracers: String,
    areas: String,
    programme_theories: String,
    themes: String,
    context: String,
    mechanism: String,
    mechanism_resource: String,
    mechanism_reasoning: String,
    outcomes: String,
    evidence_sources: String,
    evidence_locators: String,
    confidence: String,
    chain_feeds_context_of: String,
    chain_refines: String,
    chain_contradicts: String,
    chain_specialises: String,
    reported_in: String,
    source_file: String,
}

impl CmoRow {
    /// Every cell, for the spreadsheet-formula guard.
    fn cells_mut(&mut self) -> [&mut String; 23] {
        [
            &mut self.id,
            &mut self.title,
            &mut self.kind,
            &mut self.status,
            &mut self.url,
            &mut self.tracers,
            &mut self.areas,
            &mut self.programme_theories,
            &mut self.themes,
            &mut self.context,
            &mut self.mechanism,
            &mut self.mechanism_resource,
            &mut self.mechanism_reasoning,
            &mut self.outcomes,
            &mut self.evidence_sources,
            &mut self.evidence_locators,
            &mut self.confidence,
            &mut self.chain_feeds_context_of,
            &mut self.chain_refines,
            &mut self.chain_contradicts,
            &mut self.chain_specialises,
            &mut self.reported_in,
            &mut self.source_file,
        ]
    }
}

/// A CSV cell that a spreadsheet would read as a formula (it begins with `=`, `+`, `-`, `@`, a
/// tab or a carriage return) gets a leading `'`, as OWASP recommends against CSV injection: the
/// spreadsheet then shows the text instead of running it.
pub fn neutralise_formula(cell: &mut String) {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.insert(0, '\'');
    }
}

/// Writes `rows` as a pretty-printed JSON array, one row at a time.
fn json_array<T: Serialize>(
    w: &mut dyn std::io::Write,
    rows: impl Iterator<Item = T>,
) -> std::io::Result<()> {
    use serde::Serializer;
    let mut serializer = serde_json::Serializer::pretty(w);
    serializer.collect_seq(rows).map_err(std::io::Error::other)
}

fn cmo_rows(site: &Site) -> impl Iterator<Item = CmoRow> + '_ {
    let join = |v: Vec<String>| v.join("; ");
    site.cmos.iter().filter(|r| r.published).map(move |r| {
        let c = &r.cmo;
        let chain = c.chain.clone().unwrap_or_default();
        CmoRow {
            id: c.id.clone(),
            title: c.title.clone(),
            kind: enum_value(&c.kind),
            status: enum_value(&c.status),
            url: site.config.base_url.absolute(&Site::url(Kind::Cmo, &c.id)),
            tracers: r.tracers.join("; "),
            areas: r.areas.join("; "),
            programme_theories: if c.programme_theory.refs().is_empty() {
                "none-identified".into()
            } else {
                join(
                    c.programme_theory
                        .refs()
                        .iter()
                        .map(|t| t.id.clone())
                        .collect(),
                )
            },
            themes: c.themes.join("; "),
            context: join(c.context.iter().map(|x| x.text.clone()).collect()),
            mechanism: c.mechanism.text.clone().unwrap_or_default(),
            mechanism_resource: c.mechanism.resource.clone().unwrap_or_default(),
            mechanism_reasoning: c.mechanism.reasoning.clone().unwrap_or_default(),
            outcomes: join(
                c.outcome
                    .iter()
                    .map(|o| {
                        format!(
                            "{} [{}, {}, {}]",
                            o.text,
                            enum_value(&o.status),
                            enum_value(&o.valence),
                            if o.intended { "intended" } else { "unintended" }
                        )
                    })
                    .collect(),
            ),
            evidence_sources: join(
                c.evidence
                    .iter()
                    .map(|e| match &e.source {
                        EvidenceSource::Ref(x) => x.to_string(),
                        EvidenceSource::Citation(k) => format!("@{k}"),
                    })
                    .collect(),
            ),
            evidence_locators: join(
                c.evidence
                    .iter()
                    .filter_map(|e| e.locator.clone())
                    .collect(),
            ),
            confidence: c
                .confidence
                .as_ref()
                .map(|k| format!("{}: {}", enum_value(&k.level), k.rationale))
                .unwrap_or_default(),
            chain_feeds_context_of: join(
                chain
                    .feeds_context_of
                    .iter()
                    .map(|x| x.id.clone())
                    .collect(),
            ),
            chain_refines: chain.refines.map(|x| x.id).unwrap_or_default(),
            chain_contradicts: join(chain.contradicts.iter().map(|x| x.id.clone()).collect()),
            chain_specialises: join(chain.specialises.iter().map(|x| x.id.clone()).collect()),
            reported_in: r.reports.join("; "),
            source_file: display_path(&site.cmo_document_path(r)),
        }
    })
}

#[derive(Serialize)]
struct ReportRow {
    id: String,
    title: String,
    #[serde(rename = "type")]
    class: String,
    report_type: String,
    date: String,
    status: String,
    url: String,
    authors: Vec<String>,
    study: String,
    tracers: Vec<String>,
    areas: Vec<String>,
    programme_theories: Vec<String>,
    themes: Vec<String>,
    cmos: Vec<String>,
    doi: Option<String>,
    source_file: String,
}

fn report_rows(site: &Site) -> impl Iterator<Item = ReportRow> + '_ {
    site.content
        .reports
        .iter()
        .enumerate()
        .filter(|(_, d)| site.is_published(Kind::Report, &d.id))
        .map(|(i, d)| {
            let m = &d.meta;
            ReportRow {
                id: d.id.clone(),
                title: m.title.clone(),
                class: enum_value(&m.report_class),
                report_type: report_type_label(m),
                date: m.date.iso(),
                status: enum_value(&m.status),
                url: site
                    .config
                    .base_url
                    .absolute(&Site::url(Kind::Report, &d.id)),
                authors: m.authors.iter().map(|a| a.name.clone()).collect(),
                study: m.study.id.clone(),
                tracers: m.tracer_refs().iter().map(|t| t.id.clone()).collect(),
                areas: m.areas.iter().map(|a| a.id.clone()).collect(),
                programme_theories: m
                    .programme_theories
                    .as_ref()
                    .map(|p| {
                        if p.refs().is_empty() {
                            vec!["none-identified".into()]
                        } else {
                            p.refs().iter().map(|t| t.id.clone()).collect()
                        }
                    })
                    .unwrap_or_default(),
                themes: m.themes.clone(),
                cmos: site.report_cmos[i].clone(),
                doi: m.doi.clone(),
                source_file: display_path(&d.path),
            }
        })
}
