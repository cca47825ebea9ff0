//! What an editorial page (`editorial: {summarises: source/<id>}`) says about the work it
//! summarises, in the byline, the metadata and the citation formats alike:
//!
//! 1. [`BasedOn::of`] looks up the summarised source publication (none when the page is not
//!    editorial, or names a source that does not exist: `check` reports that);
//! 2. [`BasedOn::credit`] names the original as "authors (year)", the first author and "et al."
//!    when there are more than three, or its title when it names no authors;
//! 3. [`BasedOn::note`] is the sentence the byline, "Cite this" and the citation files share:
//!    "Summary by the editors of SITE of CREDIT: TITLE, PART." It never makes the original's
//!    authors the page's authors nor its DOI the page's own.

use crate::model::{Editorial, Kind};
use crate::resolve::Site;

/// The published work an editorial page summarises.
#[derive(Debug, Clone)]
pub struct BasedOn {
    pub title: String,
    /// The authors' names as the source gives them.
    pub authors: Vec<String>,
    /// The source lists only its first authors.
    pub more_authors: bool,
    pub year: Option<u16>,
    pub container: Option<String>,
    pub doi: Option<String>,
    pub url: Option<String>,
    /// The absolute URL of the source's page on this site.
    pub page_url: String,
    /// The site-relative path of that page, for links from the page.
    pub page_path: String,
    /// Which part of the work the page covers, as its `part:` says.
    pub part: Option<String>,
}

impl BasedOn {
    /// The work `editorial` summarises, if that source exists.
    pub fn of(site: &Site, editorial: Option<&Editorial>) -> Option<BasedOn> {
        let e = editorial?;
        let s = site.source(&e.summarises.id)?;
        let page_path = Site::url(Kind::Source, &e.summarises.id);
        Some(BasedOn {
            title: s.title.clone(),
            authors: s.authors.iter().map(|a| a.name.clone()).collect(),
            more_authors: s.more_authors,
            year: s.year,
            container: s.container.clone(),
            doi: s.doi.clone(),
            url: s.url.clone(),
            page_url: site.config.base_url.absolute(&page_path),
            page_path,
            part: e.part.clone(),
        })
    }

    /// "Judith Smith, Sara Shaw (2013)"; "Judith Smith et al. (2013)" beyond three authors; the
    /// title when the work names no authors.
    pub fn credit(&self) -> String {
        let who = match self.authors.as_slice() {
            [] => self.title.clone(),
            names if names.len() > 3 || self.more_authors => format!("{} et al.", names[0]),
            names => names.join(", "),
        };
        match self.year {
            Some(y) => format!("{who} ({y})"),
            None => who,
        }
    }

    /// The credit a page's byline links: [`Self::credit`], or "its source (2013)" for a work
    /// that names no authors, whose title (often long) the source's own page gives.
    pub fn byline_credit(&self) -> String {
        match (self.authors.is_empty(), self.year) {
            (false, _) => self.credit(),
            (true, Some(y)) => format!("its source ({y})"),
            (true, None) => "its source".to_string(),
        }
    }

    /// The one sentence every format gives: whose summary of what.
    pub fn note(&self, site_title: &str) -> String {
        let mut note = format!(
            "Summary by the editors of {site_title} of {}",
            self.credit()
        );
        if !self.authors.is_empty() {
            note.push_str(": ");
            note.push_str(&self.title);
        }
        if let Some(c) = &self.container {
            note.push_str(", ");
            note.push_str(c);
        }
        if let Some(p) = &self.part {
            note.push_str(", ");
            note.push_str(p);
        }
        note.push('.');
        note
    }

    /// Where a reader finds the original: its DOI, else its web address, else its page here.
    pub fn link(&self) -> String {
        match (&self.doi, &self.url) {
            (Some(d), _) => crate::url::doi_url(d),
            (None, Some(u)) => u.clone(),
            (None, None) => self.page_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(authors: &[&str]) -> BasedOn {
        BasedOn {
            title: "Commissioning care".into(),
            authors: authors.iter().map(|a| a.to_string()).collect(),
            more_authors: false,
            year: Some(2013),
            container: None,
            doi: None,
            url: None,
            page_url: "https://example.org/sources/x/".into(),
            page_path: "sources/x/".into(),
            part: Some("Chapter 5".into()),
        }
    }

    #[test]
    fn the_credit_names_up_to_three_authors_then_et_al() {
        assert_eq!(work(&["A B", "C D"]).credit(), "A B, C D (2013)");
        assert_eq!(work(&["A", "B", "C", "D"]).credit(), "A et al. (2013)");
        assert_eq!(work(&[]).credit(), "Commissioning care (2013)");
        assert_eq!(
            work(&["A B"]).note("Site"),
            "Summary by the editors of Site of A B (2013): Commissioning care, Chapter 5."
        );
        assert_eq!(work(&[]).link(), "https://example.org/sources/x/");
    }
}
