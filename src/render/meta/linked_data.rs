//! schema.org JSON-LD for report and CMO pages, embedded in a `<script type="application/ld+json">`:
//!
//! 1. a report is a `ScholarlyArticle` when it is a journal article (part of its issue, volume
//!    and `Periodical`, as far as they are given) and a `Report` otherwise (published by the
//!    site's publisher); both are part of their study, a `ResearchProject`;
//! 2. each author is a `Person` with `givenName` and `familyName`, or an `Organization` for a
//!    group; anonymous work has no author;
//! 3. a DOI is the `identifier` (a `PropertyValue`) and `sameAs` its `https://doi.org/` URL;
//! 4. a CMO page is a `Claim`: made by the report's authors, first appearing in the report
//!    (`appearance` and `isBasedOn`), `about` its programme theories;
//! 5. an editorial page is a `Report` by the site's editors (the resolver credits them),
//!    published by the site, `isBasedOn` the work it summarises (a `CreativeWork` with its own
//!    authors, year and DOI), never carrying that work's DOI as its own;
//! 6. an editorial free page is a `CreativeWork` by the site's editors (an `Organization`),
//!    published by the site and `isBasedOn` the work it summarises, as an editorial report is;
//! 7. the JSON is written with serde_json, `<` escaped as `\u003c`, so no text can close the
//!    script element.

use serde_json::{json, Value};

use super::highwire::{is_article, Defining};
use crate::model::{Author, CitedName, Cmo, Kind, Report, TheoryRefs};
use crate::resolve::Site;

/// schema.org JSON-LD for a report, safe to embed in a `<script>` element.
pub fn json_ld(m: &Report, url: &str, site: &Site) -> String {
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": if is_article(m) { "ScholarlyArticle" } else { "Report" },
        "headline": m.title,
        "name": m.title,
        "author": authors(m),
        "datePublished": m.date.iso(),
        "inLanguage": site.config.language,
        "url": url,
        "keywords": m.keywords,
    });
    let study = json!({
        "@type": "ResearchProject",
        "name": site.title(Kind::Study, &m.study.id),
        "url": site.config.base_url.absolute(&Site::url(Kind::Study, &m.study.id)),
    });
    match (&m.journal, is_article(m)) {
        (Some(j), true) => {
            value["isPartOf"] = json!([periodical(j), study]);
            if let Some(p) = &j.pages {
                value["pagination"] = json!(p);
            }
        }
        _ => value["isPartOf"] = study,
    }
    if let Some(d) = &m.doi {
        value["identifier"] = json!({"@type": "PropertyValue", "propertyID": "DOI", "value": d});
        value["sameAs"] = json!(crate::url::doi_url(d));
    }
    if let Some(u) = &m.updated {
        value["dateModified"] = json!(u.iso());
    }
    if m.status != crate::model::report::Status::Published {
        // schema.org's creativeWorkStatus is free text ("Draft", "Withdrawn").
        value["creativeWorkStatus"] = json!(crate::model::enum_label(&m.status));
    }
    if let Some(a) = &m.abstract_text {
        value["abstract"] = json!(a);
    }
    if let Some(l) = &m.licence {
        value["license"] = json!(l);
    }
    if let Some(b) = super::BasedOn::of(site, m.editorial.as_ref()) {
        value["isBasedOn"] = based_on_work(&b);
    }
    match &site.config.publisher {
        Some(p) if !is_article(m) => {
            value["publisher"] = json!({"@type": "Organization", "name": p});
        }
        _ => {}
    }
    script_safe(&value)
}

/// schema.org JSON-LD for an editorial free page at `url`, titled `title`: the editors' summary
/// of `based_on`.
pub fn editorial_page_json_ld(
    title: &str,
    url: &str,
    site: &Site,
    based_on: &super::BasedOn,
) -> String {
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "headline": title,
        "name": title,
        "author": [{"@type": "Organization", "name": site.config.editors()}],
        "inLanguage": site.config.language,
        "url": url,
        "isBasedOn": based_on_work(based_on),
    });
    if let Some(p) = &site.config.publisher {
        value["publisher"] = json!({"@type": "Organization", "name": p});
    }
    if let Some(l) = &site.config.licence {
        value["license"] = json!(l);
    }
    script_safe(&value)
}

/// schema.org JSON-LD for a CMO page: a `Claim` made in its defining report.
pub fn cmo_json_ld(c: &Cmo, url: &str, defining: Option<&Defining>, site: &Site) -> String {
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": "Claim",
        "name": c.title,
        "text": super::cmo_description(c),
        "url": url,
        "inLanguage": site.config.language,
    });
    if let Some(d) = defining {
        let report = json!({
            "@type": if is_article(d.report) { "ScholarlyArticle" } else { "Report" },
            "name": d.report.title,
            "url": d.url,
        });
        value["author"] = json!(authors(d.report));
        value["datePublished"] = json!(d.report.date.iso());
        value["appearance"] = report.clone();
        value["isBasedOn"] = report;
    }
    if let TheoryRefs::Theories(theories) = &c.programme_theory {
        let about: Vec<Value> = theories
            .iter()
            .map(|t| {
                json!({
                    "@type": "Thing",
                    "name": site.title(Kind::Theory, &t.id),
                    "url": site.config.base_url.absolute(&Site::url(Kind::Theory, &t.id)),
                })
            })
            .collect();
        value["about"] = json!(about);
    }
    if let Some(l) = &site.config.licence {
        value["license"] = json!(l);
    }
    script_safe(&value)
}

/// The work an editorial page summarises, with its own authors and identifiers.
fn based_on_work(b: &super::BasedOn) -> Value {
    let mut work = json!({
        "@type": "CreativeWork",
        "name": b.title,
        "url": b.page_url,
    });
    if !b.authors.is_empty() {
        let people: Vec<Value> = b
            .authors
            .iter()
            .map(|a| json!({"@type": "Person", "name": a}))
            .collect();
        work["author"] = json!(people);
    }
    if let Some(y) = b.year {
        work["datePublished"] = json!(y.to_string());
    }
    if let Some(d) = &b.doi {
        work["identifier"] = json!({"@type": "PropertyValue", "propertyID": "DOI", "value": d});
        work["sameAs"] = json!(crate::url::doi_url(d));
    } else if let Some(u) = &b.url {
        work["sameAs"] = json!(u);
    }
    work
}

/// The authors as people and organisations; none for anonymous work.
fn authors(m: &Report) -> Vec<Value> {
    if m.authors_not_named {
        return Vec::new();
    }
    m.authors.iter().map(author).collect()
}

fn author(a: &Author) -> Value {
    let mut p = match a.cited_name() {
        CitedName::Group(name) => return json!({"@type": "Organization", "name": name}),
        CitedName::Person {
            family,
            given,
            suffix,
        } => {
            let mut p = json!({"@type": "Person", "name": a.name, "familyName": family, "givenName": given});
            if !suffix.is_empty() {
                p["honorificSuffix"] = json!(suffix);
            }
            p
        }
    };
    if let Some(aff) = &a.affiliation {
        p["affiliation"] = json!({"@type": "Organization", "name": aff});
    }
    if let Some(o) = &a.orcid {
        p["identifier"] = json!(format!("https://orcid.org/{o}"));
    }
    p
}

/// The journal as schema.org nests it: the `Periodical`, in its volume, in its issue.
fn periodical(j: &crate::model::Journal) -> Value {
    let mut part = json!({"@type": "Periodical", "name": j.title});
    if let Some(v) = &j.volume {
        part = json!({"@type": "PublicationVolume", "volumeNumber": v, "isPartOf": part});
    }
    if let Some(i) = &j.issue {
        part = json!({"@type": "PublicationIssue", "issueNumber": i, "isPartOf": part});
    }
    part
}

/// JSON that cannot close the `<script>` element it is embedded in.
pub fn script_safe(value: &Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}
