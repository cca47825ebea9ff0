//! Highwire Press `citation_*` and Dublin Core `DC.*` meta tags, in the forms Google Scholar's
//! inclusion guidelines and Zotero read:
//!
//! 1. a report's tags describe the report: its title; each author as "Family, Given", a group by
//!    its name as written, and nobody for anonymous work (a placeholder is never an author); its
//!    date as `YYYY/MM/DD`, else the year alone (Scholar reads no year and month without a day);
//!    a journal article's journal, volume, issue and first and last pages and no publisher (the
//!    site did not publish it), else the site's publisher as the report's institution;
//! 2. a CMO page's tags describe the CMO as a part of its defining report: the CMO's title with
//!    the report's authors, date, and institution or journal;
//! 3. each entry of the page's reference list becomes one `citation_reference`, written field by
//!    field from the bibliography's entry;
//! 4. an editorial page (`editorial:`) is the site's: its authors are the site's editors (the
//!    resolver credits them), it is never an article of a journal, and it carries no DOI of the
//!    work it summarises; Dublin Core names that work as `DC.source` (its DOI or address) and
//!    `DC.relation` (its page on this site);
//! 5. an editorial free page (`content/pages/*.md` with `editorial:`) gets the Dublin Core of an
//!    editorial report: its title, the site's editors as `DC.creator`, the site as publisher, and
//!    the summarised work as `DC.source` and `DC.relation` (it has no date, so no Highwire tags,
//!    which Google Scholar reads only with one);
//! 6. Dublin Core says the same in its own words (ISO date, DOI as a URL, the page's URL, the
//!    licence). `DC.description` is the page's own description, which the template writes from
//!    [`super::PageMeta`], and the `schema.DC` link that declares the prefix is in the template.

use hayagriva::types::EntryType;
use hayagriva::Entry;

use crate::config::SiteConfig;
use crate::model::{Author, CitedName, PartialDate, Report, ReportKind};

/// Meta tags as (name, content), in the order they are written.
pub type Tags = Vec<(String, String)>;

/// The report a CMO page is a part of, and that report page's absolute URL.
pub struct Defining<'a> {
    pub report: &'a Report,
    pub url: String,
}

/// Whether the report is a journal article, published by the journal rather than the site: it
/// names its `journal:` or is of type `journal-article`, as its citation files say. An editorial
/// page about an article is not: the site published it.
pub(super) fn is_article(m: &Report) -> bool {
    let article = m.journal.is_some() || m.report_type == Some(ReportKind::JournalArticle);
    article && m.editorial.is_none()
}

/// The Highwire and Dublin Core tags of a report's page at `url`; `references` are the entries
/// of its reference list, in the list's order.
pub fn head_meta(
    m: &Report,
    url: &str,
    config: &SiteConfig,
    references: &[&Entry],
    based_on: Option<&super::BasedOn>,
) -> Tags {
    let mut t = Tags::new();
    push(&mut t, "citation_title", &m.title);
    work(&mut t, m, config, false);
    if let Some(d) = &m.doi {
        push(&mut t, "citation_doi", d);
    }
    page(&mut t, url, config);
    if !m.keywords.is_empty() {
        push(&mut t, "citation_keywords", &m.keywords.join("; "));
    }
    for e in references {
        push(&mut t, "citation_reference", &reference(e));
    }
    dublin_core(&mut t, &m.title, Some(m), config);
    if let Some(d) = &m.doi {
        push(&mut t, "DC.identifier", &crate::url::doi_url(d));
    }
    push(&mut t, "DC.identifier", url);
    if let Some(b) = based_on {
        push(&mut t, "DC.source", &b.link());
        push(&mut t, "DC.relation", &b.page_url);
    }
    if let Some(l) = &m.licence {
        push(&mut t, "DC.rights", l);
    }
    t
}

/// The Dublin Core tags of an editorial free page at `url`, titled `title`, which summarises
/// `based_on` and is credited to the site's editors.
pub fn editorial_page_meta(
    title: &str,
    url: &str,
    config: &SiteConfig,
    based_on: &super::BasedOn,
) -> Tags {
    let mut t = Tags::new();
    dublin_core(&mut t, title, None, config);
    push(&mut t, "DC.creator", &config.editors());
    push(&mut t, "DC.identifier", url);
    push(&mut t, "DC.source", &based_on.link());
    push(&mut t, "DC.relation", &based_on.page_url);
    if let Some(l) = &config.licence {
        push(&mut t, "DC.rights", l);
    }
    t
}

/// The tags of a CMO page at `url`, titled `title`, as a part of its defining report (none
/// when no published report defines it: then only what the CMO itself says).
pub fn cmo_head_meta(
    title: &str,
    url: &str,
    defining: Option<&Defining>,
    config: &SiteConfig,
) -> Tags {
    let mut t = Tags::new();
    push(&mut t, "citation_title", title);
    if let Some(d) = defining {
        work(&mut t, d.report, config, true);
    }
    page(&mut t, url, config);
    dublin_core(&mut t, title, defining.map(|d| d.report), config);
    push(&mut t, "DC.identifier", url);
    if let Some(d) = defining {
        push(&mut t, "DC.relation.ispartof", &d.url);
    }
    // A CMO page is the site's own text, under the site's licence.
    if let Some(l) = &config.licence {
        push(&mut t, "DC.rights", l);
    }
    t
}

/// The tags a report and its CMOs share: authors, date, and journal or institution.
/// The authors, date and venue of report `m`; for a `part` (a CMO of the report), the venue only
/// when it is the site's own: a CMO of a journal article is not itself an article of the journal,
/// and its journal tags would make Google Scholar list one.
fn work(t: &mut Tags, m: &Report, config: &SiteConfig, part: bool) {
    for a in cited_authors(m) {
        push(t, "citation_author", &a);
    }
    push(t, "citation_publication_date", &scholar_date(&m.date));
    match (&m.journal, is_article(m)) {
        (_, true) if part => {}
        (Some(j), true) => {
            push(t, "citation_journal_title", &j.title);
            let fields = [("citation_volume", &j.volume), ("citation_issue", &j.issue)];
            for (name, value) in fields {
                if let Some(v) = value {
                    push(t, name, v);
                }
            }
            if let Some((first, last)) = j.pages.as_deref().map(crate::text::pages::first_range) {
                push(t, "citation_firstpage", first);
                if let Some(last) = last {
                    push(t, "citation_lastpage", last);
                }
            }
        }
        // An article whose journal is not given still names no publisher: the site is not it.
        (None, true) => {}
        _ => push(
            t,
            "citation_technical_report_institution",
            &publisher(config),
        ),
    }
}

/// The tags of the page itself: where its abstract and full text are, and its language.
fn page(t: &mut Tags, url: &str, config: &SiteConfig) {
    push(t, "citation_abstract_html_url", url);
    push(t, "citation_fulltext_html_url", url);
    push(t, "citation_language", &config.language);
}

/// Dublin Core title, creators, ISO date, publisher (not for an article), language and type.
fn dublin_core(t: &mut Tags, title: &str, m: Option<&Report>, config: &SiteConfig) {
    push(t, "DC.title", title);
    if let Some(m) = m {
        for a in cited_authors(m) {
            push(t, "DC.creator", &a);
        }
        push(t, "DC.date", &m.date.iso());
    }
    if !m.is_some_and(is_article) {
        push(t, "DC.publisher", &publisher(config));
    }
    push(t, "DC.language", &config.language);
    push(t, "DC.type", "Text");
}

/// The authors as citations name them: "Family, Given", or a group's name as written. Anonymous
/// work has none, and "et al." is never a name.
pub fn cited_authors(m: &Report) -> Vec<String> {
    if m.authors_not_named {
        return Vec::new();
    }
    m.authors
        .iter()
        .map(family_first)
        .filter(|n| !n.trim().is_empty())
        .collect()
}

/// "Family, Given", and ", Jr." after them for a suffix, as reference managers read it.
fn family_first(a: &Author) -> String {
    match a.cited_name() {
        CitedName::Group(name) => name.to_string(),
        CitedName::Person {
            family,
            given,
            suffix,
        } => [family, given, suffix]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `YYYY/MM/DD` when the day is known, else `YYYY`: the only forms Scholar's guidelines allow.
fn scholar_date(d: &PartialDate) -> String {
    match (d.month, d.day) {
        (Some(m), Some(day)) => format!("{:04}/{m:02}/{day:02}", d.year),
        _ => format!("{:04}", d.year),
    }
}

fn publisher(config: &SiteConfig) -> String {
    config
        .publisher
        .clone()
        .unwrap_or_else(|| config.title.clone())
}

/// One reference as Scholar reads it: `citation_title=…; citation_author=…; …`, each field from
/// the bibliography's entry (a journal's title from the periodical the entry is part of).
fn reference(e: &Entry) -> String {
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(title) = e.title() {
        fields.push(("citation_title", tex_quotes(&title.value.to_str())));
    }
    // BibTeX's `and others` ("et al.") is a suffix of the last author (see `cite`): not a name.
    for p in e.authors().unwrap_or_default() {
        let mut p = p.clone();
        let own = |s: String| s.trim_end_matches("et al.").trim().to_string();
        p.suffix = p.suffix.map(own).filter(|s| !s.is_empty());
        fields.push(("citation_author", p.name_first(false, false)));
    }
    if let Some(d) = e.date_any() {
        // hayagriva counts months and days from 0.
        let date = match (d.month, d.day) {
            (Some(m), Some(day)) => format!("{:04}/{:02}/{:02}", d.year, m + 1, day + 1),
            _ => format!("{:04}", d.year),
        };
        fields.push(("citation_publication_date", date));
    }
    let journal = e
        .parents()
        .iter()
        .find(|p| *p.entry_type() == EntryType::Periodical)
        .and_then(Entry::title);
    if let Some(j) = journal {
        fields.push(("citation_journal_title", j.value.to_str().into_owned()));
    }
    // A journal article's volume and issue sit on its periodical in hayagriva's model.
    let parents = e.parents();
    let volume = e
        .volume()
        .or_else(|| parents.iter().find_map(Entry::volume));
    if let Some(v) = volume {
        fields.push(("citation_volume", v.to_string()));
    }
    let issue = e.issue().or_else(|| parents.iter().find_map(Entry::issue));
    if let Some(i) = issue {
        fields.push(("citation_issue", i.to_string()));
    }
    if let Some(pages) = e.page_range() {
        // The first range only: "12-34, 40" is pages 12 to 34 for an indexer.
        let pages = pages.to_string();
        let (first, last) = crate::text::pages::first_range(&pages);
        if !first.is_empty() {
            fields.push(("citation_firstpage", first.to_string()));
        }
        if let Some(last) = last {
            fields.push(("citation_lastpage", last.to_string()));
        }
    }
    if let Some(d) = e.doi() {
        fields.push(("citation_doi", d.to_string()));
    }
    let fields: Vec<String> = fields
        .into_iter()
        // "; " separates the fields, so a value cannot hold one.
        .map(|(k, v)| format!("{k}={}", crate::text::chars::one_line(&v).replace(';', ",")))
        .collect();
    fields.join("; ")
}

/// TeX's quotation marks as typographic ones: hayagriva keeps the grave accent of `` `word' ``.
fn tex_quotes(text: &str) -> String {
    text.replace("``", "“").replace("''", "”").replace('`', "‘")
}

fn push(t: &mut Tags, name: &str, content: &str) {
    let value = crate::text::chars::one_line(content);
    t.push((name.to_string(), value.trim().to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_a_day_or_a_year() {
        let date = |s| scholar_date(&PartialDate::parse(s).unwrap());
        assert_eq!(date("2013-03"), "2013");
        assert_eq!(date("2013-03-04"), "2013/03/04");
        assert_eq!(date("2013"), "2013");
    }
}
