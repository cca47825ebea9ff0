//! Citation records of reports and CMOs, and the formats reference managers read: BibTeX,
//! RIS and CSL-JSON, and the site's own CSL style for "Cite this".
//!
//! 1. [`Record::report`] / [`Record::cmo`] turn a report (or a CMO, cited as a part of the report
//!    that defines it: its title, the report as container) into one neutral [`Record`]: names
//!    from [`Author::cited_name`] (a group stays one literal name, an anonymous work has no
//!    author, "et al." is a flag, never a name), the date to the precision given, the journal
//!    fields of an article;
//! 2. [`Record::bibtex`] builds a `biblatex` crate entry from it (the maintained writer escapes
//!    `{ } \ % & # $ _` itself): the title and a group's name as verbatim chunks, so BibTeX
//!    readers keep their case and do not split the group into given and family names;
//! 3. [`Record::ris`] writes the RIS lines (no maintained crate writes RIS; it is one
//!    `TAG  - value` line per field, so it is written here, every value on one line);
//! 4. [`Record::csl_json`] serialises the CSL-JSON item with `serde_json`;
//! 5. [`Record::cite_html`] converts the `biblatex` entry into a hayagriva entry and formats it
//!    as one bibliography item in the site's CSL style, so "Cite this" reads like the
//!    reference list.

use biblatex::{Chunk, Spanned};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::model::{Author, CitedName, Cmo, PartialDate, Report, ReportKind};
use crate::text::pages;

use super::Bibliography;

/// What kind of work a record cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// A journal article (`journal:` in the front matter).
    Article,
    /// A report, published by the site's publisher.
    Report,
    /// A CMO configuration: a part of the report that defines it.
    Part,
}

/// One author as citation formats need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    Person {
        family: String,
        given: String,
        /// A generational suffix ("Jr."), or empty.
        suffix: String,
    },
    /// A team or organisation, cited as written.
    Literal(String),
}

/// A report or CMO, as every citation format is written from it.
#[derive(Debug, Clone)]
pub struct Record {
    /// The citation key: the page's id.
    pub key: String,
    pub work: Work,
    pub title: String,
    /// Empty for an anonymous work.
    pub authors: Vec<Name>,
    /// The source names only the first authors ("et al.").
    pub more_authors: bool,
    pub date: PartialDate,
    /// The journal of an article, the report a CMO is part of.
    pub container: Option<String>,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub pages: Option<String>,
    /// Who published a report (or the report a CMO is part of); not set for articles, whose
    /// publisher is the journal's, not the site's.
    pub publisher: Option<String>,
    pub doi: Option<String>,
    pub url: String,
    /// The language the work is written in, as BCP 47 (`en-GB`): the site's `language`.
    pub language: Option<String>,
    pub keywords: Vec<String>,
    /// What an editorial page summarises, in one sentence (BibTeX `note`, RIS `N1`, CSL
    /// `note`, and a line under "Cite this"): the original is cited, never credited as author.
    pub note: Option<String>,
}

/// "Cite this" for a page: the formatted citation and the texts of its downloads.
#[derive(Debug, Clone, Serialize)]
pub struct CiteThis {
    /// The citation in the site's CSL style, as HTML (its URL a link); empty when the site has
    /// no citation style (no `csl` and no bibliography), when [`CiteThis::text`] is used.
    pub html: String,
    /// A plain citation: authors, year, title, publisher or container, URL.
    pub text: String,
    pub bibtex: String,
    pub ris: String,
    /// What an editorial page summarises (empty for any other page).
    pub note: String,
}

fn names(authors: &[Author]) -> Vec<Name> {
    authors
        .iter()
        .map(|a| match a.cited_name() {
            CitedName::Group(name) => Name::Literal(one_line(name)),
            CitedName::Person {
                family,
                given,
                suffix,
            } => Name::Person {
                family: one_line(&family),
                given: one_line(&given),
                suffix: one_line(&suffix),
            },
        })
        .collect()
}

/// Values on one line: a line break would end an RIS field and means nothing in a citation.
fn one_line(text: &str) -> String {
    crate::text::chars::one_line(text).trim().to_string()
}

impl Record {
    /// The record of report `id`, published at `url` by `publisher`.
    pub fn report(id: &str, m: &Report, url: &str, publisher: &str) -> Record {
        // An editorial page about an article is the site's, never an article of the journal.
        let own = m.editorial.is_none();
        let journal = m.journal.as_ref().filter(|_| own);
        let article =
            own && (journal.is_some() || m.report_type == Some(ReportKind::JournalArticle));
        Record {
            key: id.to_string(),
            work: if article { Work::Article } else { Work::Report },
            title: one_line(&m.title),
            authors: names(&m.authors),
            more_authors: m.more_authors && !m.authors.is_empty(),
            date: m.date,
            container: journal.map(|j| one_line(&j.title)),
            volume: journal.and_then(|j| j.volume.as_deref()).map(one_line),
            issue: journal.and_then(|j| j.issue.as_deref()).map(one_line),
            pages: journal.and_then(|j| j.pages.as_deref()).map(one_line),
            publisher: (!article).then(|| one_line(publisher)),
            doi: m.doi.clone(),
            url: url.to_string(),
            language: None,
            keywords: m.keywords.iter().map(|k| one_line(k)).collect(),
            note: None,
        }
    }

    /// The record of CMO `c`, at `url`, as a part of `report` (its authors, date and publisher).
    pub fn cmo(c: &Cmo, url: &str, report: &Record) -> Record {
        Record {
            key: c.id.clone(),
            work: Work::Part,
            title: one_line(&c.title),
            container: Some(report.title.clone()),
            volume: None,
            issue: None,
            pages: None,
            // A journal is not a publisher: a CMO of an article names none.
            publisher: report.publisher.clone(),
            doi: None,
            url: url.to_string(),
            keywords: Vec::new(),
            ..report.clone()
        }
    }

    /// The pieces of "Cite this" for the page: `bibliography` formats it in the site's style;
    /// `full`: the page shows the BibTeX and RIS texts too (a report's page does, a CMO's page
    /// only links its citation files, so they are not made for it).
    pub fn cite_this(&self, bibliography: &Bibliography, full: bool) -> CiteThis {
        let html = self.cite_html(bibliography).unwrap_or_default();
        CiteThis {
            text: if html.is_empty() {
                self.plain()
            } else {
                String::new()
            },
            html,
            bibtex: if full { self.bibtex() } else { String::new() },
            ris: if full { self.ris() } else { String::new() },
            note: self.note.clone().unwrap_or_default(),
        }
    }
}

/// What TeX would read as something else in a field's text, as commands for the characters
/// themselves: the crate writes `~` and `^` as `\~` and `\^` (accents to TeX, and to pandoc),
/// and leaves `'`, `` ` `` and `--`, which TeX turns into curly quotes and an en dash; it
/// escapes a backslash as `\\`, which TeX (and pandoc) read as a line break.
fn tex_specials(line: &str) -> String {
    let line = line.replace("\\\\", "\\textbackslash{}");
    if !line.contains(['~', '^', '\'', '`', '-']) {
        return line;
    }
    line.replace("\\~", "~")
        .replace("\\^", "^")
        .replace('~', "\\textasciitilde{}")
        .replace('^', "\\textasciicircum{}")
        .replace('\'', "\\textquotesingle{}")
        .replace('`', "\\textasciigrave{}")
        .replace("--", "-{}-")
}

/// The month macros BibTeX styles print as the month's name, and biblatex and pandoc read as
/// its number.
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A DOI as the verbatim `doi` field holds it, read back by biber and pandoc as written: no
/// escapes (a `\{` there stays a backslash and a brace), only braces that pair up. A DOI with
/// a brace that does not pair has it percent-encoded (`%7B`), which doi.org resolves alike.
fn bib_doi(doi: &str) -> String {
    let mut depth = 0i32;
    let paired = doi.chars().all(|c| {
        depth += match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        };
        depth >= 0
    }) && depth == 0;
    if paired {
        doi.to_string()
    } else {
        doi.replace('{', "%7B").replace('}', "%7D")
    }
}

/// A chunk list of one chunk.
fn chunks(chunk: Chunk) -> Vec<Spanned<Chunk>> {
    vec![Spanned::detached(chunk)]
}

impl Record {
    /// The BibTeX entry, written by the `biblatex` crate, each field a line.
    pub fn bibtex(&self) -> String {
        let text = self.bib_entry(false).to_bibtex_string().unwrap_or_default();
        let mut out = String::with_capacity(text.len() + 1);
        for line in text.lines() {
            out.push_str(&self.bib_line(line));
            out.push('\n');
        }
        out
    }

    /// One line of the crate's entry as TeX, biber and pandoc read it back: the month as its
    /// macro (`mar`), which BibTeX styles print as a name where `{3}` prints "3"; the verbatim
    /// `doi` and `url` without TeX's escapes (the crate escapes their braces); any other field
    /// with [`tex_specials`].
    fn bib_line(&self, line: &str) -> String {
        let field = line.split(" = ").next().unwrap_or_default();
        let month = self
            .date
            .month
            .and_then(|m| MONTHS.get(usize::from(m).wrapping_sub(1)));
        match (field, month, &self.doi) {
            ("month", Some(month), _) => format!("month = {month},"),
            ("doi", _, Some(doi)) => format!("doi = {{{}}},", bib_doi(doi)),
            ("url", _, _) => line.to_string(),
            // A range's `--` is TeX's en dash, not two hyphens to keep.
            ("pages", _, _) => tex_specials(line).replace("-{}-", "--"),
            _ => tex_specials(line),
        }
    }

    /// The `biblatex` entry of the record. `for_csl`: the entry hayagriva formats, which reads
    /// `and others` as an author named "others" (so it is left out), gives a `@techreport` the
    /// genre "technical report", and reads `institution` as an organisation no style prints (so
    /// a report is a `@report` with a `publisher`).
    fn bib_entry(&self, for_csl: bool) -> biblatex::Entry {
        use biblatex::EntryType;
        let kind = match self.work {
            Work::Article => EntryType::Article,
            Work::Report if for_csl => EntryType::Report,
            Work::Report => EntryType::TechReport,
            Work::Part => EntryType::InCollection,
        };
        let mut e = biblatex::Entry::new(self.key.clone(), kind);
        // Verbatim: the title's case is the author's, not for a style to change.
        e.set("title", chunks(Chunk::Verbatim(self.title.clone())));
        if !self.authors.is_empty() {
            e.set("author", self.bib_authors(!for_csl));
        }
        let normal = |s: &str| chunks(Chunk::Normal(s.to_string()));
        // A whole date is biblatex's `date`, which the crate writes for BibTeX as `year`,
        // `month` and `day`; a year or month alone is written as those fields.
        if self.date.day.is_some() {
            e.set("date", normal(&self.date.iso()));
        } else {
            e.set("year", normal(&self.date.year.to_string()));
            if let Some(m) = self.date.month {
                e.set("month", normal(&m.to_string()));
            }
        }
        let container = match self.work {
            Work::Article => "journal",
            Work::Report => "type",
            Work::Part => "booktitle",
        };
        if let Some(c) = &self.container {
            e.set(container, chunks(Chunk::Verbatim(c.clone())));
        }
        let pages = self.pages.as_deref().map(|p| pages::with_dash(p, "--"));
        let fields = [
            ("volume", &self.volume),
            ("number", &self.issue),
            ("pages", &pages),
            ("doi", &self.doi),
        ];
        for (field, value) in fields {
            value.iter().for_each(|v| e.set(field, normal(v)));
        }
        if let Some(p) = &self.publisher {
            let field = match self.work {
                Work::Report if !for_csl => "institution",
                _ => "publisher",
            };
            e.set(field, chunks(Chunk::Verbatim(p.clone())));
        }
        e.set("url", normal(&self.url));
        if !self.keywords.is_empty() {
            e.set("keywords", normal(&self.keywords.join(", ")));
        }
        // Not for "Cite this": the page shows the note under the citation itself.
        if let Some(n) = self.note.as_ref().filter(|_| !for_csl) {
            e.set("note", normal(n));
        }
        e
    }

    /// `{Okafor}, Amira and {HSCA12 team} and others`: a family name and a group in braces, so
    /// neither is split or recased ("van der Berg" stays one family name); a suffix in braces in
    /// BibTeX's "von Last, Jr, First" form (`{King}, {Jr.}, Martin Luther`); in the given names,
    /// a word "and" or a comma in braces, so it cannot split one author into two (`Anne {and}
    /// Marie`), while each given name stays a word of its own for a style's initials.
    fn bib_authors(&self, others: bool) -> Vec<Spanned<Chunk>> {
        let normal = |s: &str| Spanned::detached(Chunk::Normal(s.to_string()));
        let braced = |s: &str| Spanned::detached(Chunk::Verbatim(s.to_string()));
        let mut out = Vec::new();
        for (i, name) in self.authors.iter().enumerate() {
            if i > 0 {
                out.push(normal(" and "));
            }
            let (family, given, suffix) = match name {
                Name::Literal(n) => (n, "", ""),
                Name::Person {
                    family,
                    given,
                    suffix,
                } => (family, given.as_str(), suffix.as_str()),
            };
            out.push(braced(family));
            if !suffix.is_empty() {
                // The third part, even empty, makes the second one the suffix.
                out.extend([normal(", "), braced(suffix), normal(",")]);
            } else if !given.is_empty() {
                out.push(normal(","));
            }
            for word in given.split(' ').filter(|w| !w.is_empty()) {
                let splits = word.eq_ignore_ascii_case("and") || word.contains(',');
                out.extend([
                    normal(" "),
                    if splits { braced(word) } else { normal(word) },
                ]);
            }
        }
        if others && self.more_authors {
            out.push(normal(" and others"));
        }
        out
    }

    /// The RIS record (`TY` … `ER`), one field a line.
    pub fn ris(&self) -> String {
        let mut ris = Ris::default();
        let ty = match self.work {
            Work::Article => "JOUR",
            Work::Report => "RPRT",
            Work::Part => "CHAP",
        };
        ris.field("TY", ty);
        ris.field("TI", &self.title);
        for name in &self.authors {
            ris.field("AU", &name.ris());
        }
        // The RIS specification gives PY the year alone, but pandoc 3 reads the date from PY
        // only (and ignores DA), so PY carries the date as precise as it is known, in ISO form;
        // DA repeats it in the specification's form for readers that follow it.
        ris.field("PY", &self.date.iso());
        ris.field("DA", &ris_date(&self.date));
        let container = if self.work == Work::Article {
            "JO"
        } else {
            "T2"
        };
        let pages = self.pages.as_deref().map(pages::first_range);
        let fields = [
            (container, self.container.as_deref()),
            ("VL", self.volume.as_deref()),
            ("IS", self.issue.as_deref()),
            ("SP", pages.map(|p| p.0)),
            ("EP", pages.and_then(|p| p.1)),
            ("PB", self.publisher.as_deref()),
            ("UR", Some(self.url.as_str())),
            ("DO", self.doi.as_deref()),
        ];
        for (tag, value) in fields {
            value.iter().for_each(|v| ris.field(tag, v));
        }
        self.keywords.iter().for_each(|k| ris.field("KW", k));
        self.note.iter().for_each(|n| ris.field("N1", n));
        ris.field("ER", "");
        ris.0
    }
}

impl Name {
    /// "Family, Given" ("Family, Given, Suffix", as the RIS specification gives a suffix); a
    /// group as written and ended by a comma, which RIS readers (pandoc, EndNote) take as a
    /// family name with no given names, so the group is not split up.
    fn ris(&self) -> String {
        match self {
            Name::Literal(n) => format!("{n},"),
            person => person.inverted(),
        }
    }

    /// "Family, Given", "Family, Given, Suffix", or a group's name as written.
    fn inverted(&self) -> String {
        match self {
            Name::Literal(n) => n.clone(),
            Name::Person {
                family,
                given,
                suffix,
            } => {
                let mut name = family.clone();
                if !given.is_empty() || !suffix.is_empty() {
                    name = format!("{name}, {given}");
                }
                if !suffix.is_empty() {
                    name = format!("{name}, {suffix}");
                }
                name
            }
        }
    }
}

/// The RIS date, `YYYY/MM/DD/` with the parts not given left empty (`2013/03//`), as the RIS
/// specification writes it.
fn ris_date(d: &PartialDate) -> String {
    let two = |n: Option<u8>| n.map(|n| format!("{n:02}")).unwrap_or_default();
    format!("{:04}/{}/{}/", d.year, two(d.month), two(d.day))
}

/// An RIS record, one `TAG  - value` line per field.
#[derive(Default)]
struct Ris(String);

impl Ris {
    /// RIS is read line by line: a line break in a value would start a field of its own (a
    /// second `UR`, an early `ER`), so every break becomes a space.
    fn field(&mut self, tag: &str, value: &str) {
        self.0.push_str(tag);
        self.0.push_str("  - ");
        self.0.push_str(&crate::text::chars::one_line(value));
        self.0.push('\n');
    }
}

impl Record {
    /// The CSL-JSON item (one object; a file holds an array of them).
    pub fn csl_json(&self) -> Value {
        let mut item = Map::new();
        item.insert("id".into(), json!(self.key));
        let ty = match self.work {
            Work::Article => "article-journal",
            Work::Report => "report",
            Work::Part => "chapter",
        };
        item.insert("type".into(), json!(ty));
        item.insert("title".into(), json!(nocase(&self.title)));
        if !self.authors.is_empty() {
            let authors: Vec<Value> = self.authors.iter().map(Name::csl).collect();
            item.insert("author".into(), Value::Array(authors));
        }
        let parts: Vec<u16> = [Some(self.date.year)]
            .into_iter()
            .chain([self.date.month, self.date.day].map(|p| p.map(u16::from)))
            .map_while(|p| p)
            .collect();
        item.insert("issued".into(), json!({ "date-parts": [parts] }));
        let container = self.container.as_deref().map(nocase);
        let pages = self.pages.as_deref().map(|p| pages::with_dash(p, "-"));
        let fields = [
            ("container-title", &container),
            ("volume", &self.volume),
            ("issue", &self.issue),
            ("page", &pages),
            ("publisher", &self.publisher),
            ("DOI", &self.doi),
            ("language", &self.language),
        ];
        for (field, value) in fields {
            value.iter().for_each(|v| {
                item.insert(field.into(), json!(v));
            });
        }
        item.insert("URL".into(), json!(self.url));
        if !self.keywords.is_empty() {
            item.insert("keyword".into(), json!(self.keywords.join(", ")));
        }
        if let Some(n) = &self.note {
            item.insert("note".into(), json!(n));
        }
        Value::Object(item)
    }

    /// "Okafor, A. and HSCA12 team (2013) Title. Publisher. Available at: URL": the citation
    /// where the site has no CSL style to format it with.
    fn plain(&self) -> String {
        let mut names: Vec<String> = self.authors.iter().map(Name::inverted).collect();
        if self.more_authors {
            names.push("et al.".into());
        }
        let by = if names.is_empty() {
            String::new()
        } else {
            format!("{} ", names.join(", "))
        };
        let within = [self.container.as_deref(), self.publisher.as_deref()]
            .into_iter()
            .flatten()
            .map(|s| format!(" {}.", s.trim_end_matches('.')))
            .collect::<String>();
        let doi = self
            .doi
            .as_ref()
            .map(|d| format!(" {}", crate::url::doi_url(d)));
        format!(
            "{by}({}) {}.{within} Available at: {}{}",
            self.date.year,
            self.title.trim_end_matches('.'),
            self.url,
            doi.unwrap_or_default()
        )
    }
}

/// A title in CSL rich text whose case no style changes: CSL processors (citeproc-js, pandoc)
/// sentence- or title-case an English title unless it is in a `nocase` span, and the title's
/// case is the author's ("England's NHS"), as the braces keep it in BibTeX.
fn nocase(title: &str) -> String {
    format!("<span class=\"nocase\">{title}</span>")
}

impl Name {
    /// `{"family", "given", "suffix"}` (the parts given) or `{"literal"}`.
    fn csl(&self) -> Value {
        match self {
            Name::Literal(n) => json!({ "literal": n }),
            Name::Person {
                family,
                given,
                suffix,
            } => {
                let mut name = json!({ "family": family });
                let parts = [("given", given), ("suffix", suffix)];
                for (part, value) in parts.into_iter().filter(|(_, v)| !v.is_empty()) {
                    name[part] = json!(value);
                }
                name
            }
        }
    }
}

impl Record {
    /// The record as one bibliography item in the site's CSL style, as inline HTML (a numeric
    /// style's "[1]" left out: there is nothing to number); `None` when the site has no style.
    fn cite_html(&self, bibliography: &Bibliography) -> Option<String> {
        use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest};
        let style = bibliography.style.as_ref()?;
        // "and others" would be read as an author named "others": CSL data has no "et al.".
        let mut entry = hayagriva::Entry::try_from(&self.bib_entry(true)).ok()?;
        self.et_al(&mut entry);
        let mut driver = BibliographyDriver::new();
        let items = vec![CitationItem::with_entry(&entry)];
        let locale = bibliography.locale();
        driver.citation(CitationRequest::new(
            items,
            style,
            locale.clone(),
            bibliography.locales,
            None,
        ));
        let rendered = driver.finish(BibliographyRequest::new(
            style,
            locale,
            bibliography.locales,
        ));
        let item = rendered.bibliography?.items.into_iter().next()?;
        let mut html = String::new();
        super::write_children_inline(&mut html, &item.content);
        Some(super::merge_adjacent_tags(html))
    }
}

impl Record {
    /// "et al." after the last named author, as a name suffix: CSL data has no way to say that
    /// the list is incomplete, and a suffix is printed with the name in every style.
    fn et_al(&self, entry: &mut hayagriva::Entry) {
        if !self.more_authors {
            return;
        }
        let Some(mut authors) = entry.authors().map(<[_]>::to_vec) else {
            return;
        };
        if let Some(last) = authors.last_mut() {
            // A suffix of its own ("Jr.") stays before it.
            last.suffix = Some(match last.suffix.take() {
                Some(own) => format!("{own} et al."),
                None => "et al.".into(),
            });
        }
        entry.set_authors(authors);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(title: &str) -> Record {
        Record {
            key: "r".into(),
            work: Work::Report,
            title: title.into(),
            authors: vec![
                Name::Person {
                    family: "Okafor".into(),
                    given: "Amira".into(),
                    suffix: String::new(),
                },
                Name::Literal("HSCA12 team".into()),
            ],
            more_authors: true,
            date: PartialDate::parse("2013-03").unwrap(),
            container: None,
            volume: None,
            issue: None,
            pages: None,
            publisher: Some("Unit & Co".into()),
            doi: None,
            url: "https://example.org/r/".into(),
            language: None,
            keywords: vec![],
            note: None,
        }
    }

    #[test]
    fn hostile_titles_cannot_close_their_bibtex_field() {
        let bib = record("England's {NHS}} \\ 50% & #1 $x_y").bibtex();
        let title = bib.lines().find(|l| l.starts_with("title")).unwrap();
        assert_eq!(
            title,
            "title = {{England\\textquotesingle{}s \\{NHS\\}\\} \\textbackslash{} 50\\% \\& \\#1 \\$x\\_y}},"
        );
        // Escaped braces (`\{`) are not counted by TeX.
        let unescaped = title.replace("\\{", "").replace("\\}", "");
        let depth = unescaped.chars().fold(0i32, |d, c| match c {
            '{' => d + 1,
            '}' => d - 1,
            _ => d,
        });
        assert_eq!(depth, 0, "escaped braces do not count: {title}");
        // Escaped braces (`\{`) are not counted by TeX, so the title's own braces balance.
        assert!(bib.contains("author = {{Okafor}, Amira and {HSCA12 team} and others},"));
        assert!(bib.contains("institution = {{Unit \\& Co}},"));
    }

    #[test]
    fn tex_specials_and_a_whole_date_are_written_once_as_themselves() {
        let mut r = record("Costs fell ~50% (x^2) in 'the old vein' -- `code`");
        r.date = PartialDate::parse("2019-03-07").unwrap();
        let bib = r.bibtex();
        let title = bib.lines().find(|l| l.starts_with("title")).unwrap();
        assert_eq!(
            title,
            "title = {{Costs fell \\textasciitilde{}50\\% (x\\textasciicircum{}2) in \\textquotesingle{}the old vein\\textquotesingle{} -{}- \\textasciigrave{}code\\textasciigrave{}}},"
        );
        for field in ["year = ", "month = ", "day = "] {
            assert_eq!(bib.matches(field).count(), 1, "{field}: {bib}");
        }
        assert!(bib.contains("day = {07}"), "{bib}");
    }

    #[test]
    fn a_line_break_cannot_start_an_ris_field() {
        let ris = record("One\nER  - \r\nTwo").ris();
        let tags: Vec<&str> = ris.lines().map(|l| &l[..2]).collect();
        assert_eq!(
            tags,
            ["TY", "TI", "AU", "AU", "PY", "DA", "PB", "UR", "ER"],
            "{ris}"
        );
        assert!(ris.contains("AU  - Okafor, Amira\nAU  - HSCA12 team,\n"));
        assert!(ris.contains("PY  - 2013-03\nDA  - 2013/03//\n"));
    }

    #[test]
    fn csl_json_names_a_group_literally_and_keeps_the_date_parts() {
        let item = record("T").csl_json();
        assert_eq!(
            item["author"],
            json!([{"family": "Okafor", "given": "Amira"}, {"literal": "HSCA12 team"}])
        );
        assert_eq!(item["issued"], json!({"date-parts": [[2013, 3]]}));
        assert_eq!(item["type"], json!("report"));
    }

    #[test]
    fn an_anonymous_work_has_no_author_field() {
        let mut r = record("T");
        r.authors.clear();
        r.more_authors = false;
        assert!(!r.bibtex().contains("author"));
        assert!(!r.ris().contains("AU  -"));
        assert!(r.csl_json().get("author").is_none());
    }

    #[test]
    fn names_cannot_split_and_a_suffix_is_its_own_part() {
        let mut r = record("T");
        let person = |family: &str, given: &str, suffix: &str| Name::Person {
            family: family.into(),
            given: given.into(),
            suffix: suffix.into(),
        };
        r.authors = vec![
            person("Roe", "Anne and Marie", ""),
            person("King", "Martin Luther", "Jr."),
            person("Doe", "", "III"),
        ];
        r.more_authors = false;
        let bib = r.bibtex();
        assert!(
            bib.contains(
                "author = {{Roe}, Anne {and} Marie and {King}, {Jr.}, Martin Luther and {Doe}, {III},},"
            ),
            "{bib}"
        );
        assert!(r.ris().contains("AU  - King, Martin Luther, Jr.\n"));
        assert_eq!(
            r.csl_json()["author"][1],
            json!({"family": "King", "given": "Martin Luther", "suffix": "Jr."})
        );
    }

    #[test]
    fn the_month_is_a_macro_and_a_doi_is_written_as_it_is() {
        let mut r = record("T");
        r.doi = Some("10.1000/a{b}_c%d#e~f\\g".into());
        let bib = r.bibtex();
        assert!(bib.contains("month = mar,\n"), "{bib}");
        assert!(bib.contains("doi = {10.1000/a{b}_c%d#e~f\\g},\n"), "{bib}");
        r.doi = Some("10.1000/a}b{".into());
        assert!(r.bibtex().contains("doi = {10.1000/a%7Db%7B},\n"));
    }

    #[test]
    fn pages_take_each_formats_dash() {
        let mut r = record("T");
        r.pages = Some("e1–e2".into());
        assert!(r.bibtex().contains("pages = {e1--e2},"), "{}", r.bibtex());
        assert!(r.ris().contains("SP  - e1\nEP  - e2\n"));
        assert_eq!(r.csl_json()["page"], json!("e1-e2"));
    }
}
