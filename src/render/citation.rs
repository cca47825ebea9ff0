//! The citation record of a report or CMO page, for its "Cite this" block and citation files.
//!
//! 1. a report's record is made from its front matter, its absolute URL and the site's
//!    publisher (`publisher:` in site.yaml, else the site's title);
//! 2. a CMO's is made from its defining report's record (the first report that lists it),
//!    with the CMO's title and URL: a CMO is cited as a part of that report; its key is its id,
//!    with `-cmo` added when a report has the same id;
//! 3. an editorial report's record (and so its CMOs') carries a note naming the work it
//!    summarises; its authors are the site's editors, credited by the resolver;
//! 4. every record is in the site's language (`language:` in site.yaml).

use crate::cite::export::Record;
use crate::config::SiteConfig;
use crate::model::Kind;
use crate::resolve::Site;

/// Who publishes the site's reports.
fn publisher(config: &SiteConfig) -> String {
    config
        .publisher
        .clone()
        .unwrap_or_else(|| config.title.clone())
}

/// The record of report `index` of `site.content.reports`.
pub fn report_record(site: &Site, index: usize) -> Record {
    let doc = &site.content.reports[index];
    let url = site
        .config
        .base_url
        .absolute(&Site::url(Kind::Report, &doc.id));
    let mut record = Record::report(&doc.id, &doc.meta, &url, &publisher(&site.config));
    record.note = note(site, &doc.meta);
    record.language = Some(site.config.language.clone());
    record
}

/// The note a report's citations (and so its CMOs') carry: its status when it is not simply
/// published, so a withdrawn report is never cited as current, and what an editorial report
/// summarises.
fn note(site: &Site, m: &crate::model::Report) -> Option<String> {
    use crate::model::report::Status;
    let status = match m.status {
        Status::Withdrawn => Some("This report has been withdrawn.".to_string()),
        Status::InReview => Some("This report is in review and may change.".to_string()),
        Status::Draft => Some("This report is a draft.".to_string()),
        Status::Published | Status::Confidential => None,
    };
    let based_on = super::meta::BasedOn::of(site, m.editorial.as_ref());
    let editorial =
        based_on.map(|b| crate::text::chars::one_line(&b.note(&site.config.title)).to_string());
    let parts: Vec<String> = status.into_iter().chain(editorial).collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The record of CMO `index` of `site.cmos`; `None` for a CMO no report defines.
pub fn cmo_record(site: &Site, index: usize) -> Option<Record> {
    let record = &site.cmos[index];
    let report_id = record.reports.first()?;
    let doc = site.report(report_id)?;
    let report_url = site
        .config
        .base_url
        .absolute(&Site::url(Kind::Report, &doc.id));
    let mut report = Record::report(&doc.id, &doc.meta, &report_url, &publisher(&site.config));
    report.note = note(site, &doc.meta);
    report.language = Some(site.config.language.clone());
    let url = site
        .config
        .base_url
        .absolute(&Site::url(Kind::Cmo, &record.cmo.id));
    let mut cited = Record::cmo(&record.cmo, &url, &report);
    // Reports and CMOs have ids of their own, but share the site's citation files, where a key
    // must be unique: a CMO named like a report takes a suffix.
    if site.report(&record.cmo.id).is_some() {
        cited.key.push_str("-cmo");
    }
    Some(cited)
}
