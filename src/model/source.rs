//! Source publications (`content/sources/*.md`): published works that reports and CMOs draw on.

use serde::Deserialize;

use super::report::{doi, Author};
use super::values::web_url;
use super::Fact;

/// A published work: a book, article or report that the site's own work cites as a whole.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
    #[serde(default)]
    pub authors: Vec<Author>,
    /// Whether the work has more authors than `authors` lists (our copy names only the first):
    /// it is credited "et al.", for example `more_authors: true`.
    #[serde(default)]
    pub more_authors: bool,
    /// The year it was published, for example `year: 2017`.
    #[serde(default, deserialize_with = "crate::model::values::year")]
    #[schemars(with = "Option<u16>")]
    pub year: Option<u16>,
    /// The journal, book or publisher it appeared in.
    pub container: Option<String>,
    #[serde(default, deserialize_with = "doi")]
    #[schemars(extend("format" = "doi"))]
    pub doi: Option<String>,
    #[serde(default, deserialize_with = "web_url")]
    #[schemars(extend("format" = "web-url"))]
    pub url: Option<String>,
    pub licence: Option<String>,
}

impl Source {
    pub(super) fn facts(&self) -> Vec<Fact> {
        let mut facts = Vec::new();
        if !self.authors.is_empty() {
            facts.push(Fact::text("Authors", self.author_names()));
        }
        self.year
            .iter()
            .for_each(|y| facts.push(Fact::text("Year", y.to_string())));
        self.container
            .iter()
            .for_each(|c| facts.push(Fact::text("Published in", c)));
        if let Some(doi) = &self.doi {
            facts.push(Fact::external("DOI", doi, crate::url::doi_url(doi)));
        }
        self.url
            .iter()
            .for_each(|u| facts.push(Fact::external("Web page", u, u)));
        self.licence
            .iter()
            .for_each(|l| facts.push(Fact::text("Licence", l)));
        facts
    }

    /// "Authors (year)", or as much of it as is known.
    pub(super) fn list_note(&self) -> String {
        match (self.authors.is_empty(), self.year) {
            (false, Some(y)) => format!("{} ({y})", self.author_names()),
            (false, None) => self.author_names(),
            (true, Some(y)) => y.to_string(),
            (true, None) => String::new(),
        }
    }

    fn author_names(&self) -> String {
        let names: Vec<&str> = self.authors.iter().map(|a| a.name.as_str()).collect();
        let et_al = if self.more_authors { " et al." } else { "" };
        format!("{}{et_al}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_needs_a_title_and_a_web_url() {
        let ok: Source = serde_yaml::from_str(
            "title: Realist evaluation\nauthors: [{name: Pawson}, {name: Tilley}]\nyear: 1997\nurl: https://example.org/re\n",
        )
        .unwrap();
        assert_eq!(ok.list_note(), "Pawson, Tilley (1997)");
        assert!(serde_yaml::from_str::<Source>("year: 1997\n").is_err());
        let bad = serde_yaml::from_str::<Source>("title: T\nurl: \"javascript:alert(1)\"\n");
        assert!(bad.unwrap_err().to_string().contains("not a web address"));
    }

    #[test]
    fn a_year_may_be_quoted_but_must_be_four_digits() {
        let year = |yaml: &str| serde_yaml::from_str::<Source>(yaml).map(|s| s.year);
        assert_eq!(year("title: T\nyear: \"2017\"\n").unwrap(), Some(2017));
        assert_eq!(year("title: T\nyear: 2017\n").unwrap(), Some(2017));
        assert_eq!(year("title: T\n").unwrap(), None);
        for bad in ["year: \"17\"", "year: twenty", "year: 20170"] {
            let err = year(&format!("title: T\n{bad}\n")).unwrap_err().to_string();
            assert!(err.contains("four digits"), "{bad}: {err}");
        }
    }
}

#[cfg(test)]
mod located {
    use crate::text::yaml::from_str;

    /// Where a value refused by a validator of the model is reported: (line, column, message).
    fn error_at<T: serde::de::DeserializeOwned>(yaml: &str) -> (usize, usize, String) {
        let e = from_str::<T>(yaml).err().expect("the value is refused");
        (e.line, e.column, e.message)
    }

    /// Every validator of a value in the model reports at the value, as the DOI always did: a web
    /// address was reported at the start of the front matter.
    #[test]
    fn refused_values_are_located_at_the_value() {
        let url = error_at::<super::Source>("title: T\nyear: 1997\nurl: \"javascript:alert(1)\"\n");
        assert_eq!((url.0, url.1), (3, 7), "{}", url.2);
        assert!(url
            .2
            .starts_with("`javascript:alert(1)` is not a web address"));
        let url = error_at::<super::Source>("title: T\nurl: example.org\ndoi: 10.1/x\n");
        assert_eq!((url.0, url.1), (2, 6), "{}", url.2);
        let doi = error_at::<super::Source>("title: T\nyear: 1997\ndoi: x/1\n");
        assert_eq!((doi.0, doi.1), (3, 6), "{}", doi.2);
        let citation = error_at::<crate::model::Cmo>(
            "id: c\ntitle: C\nkind: observed\nprogramme_theory: [theory/p]\ncontext: []\nmechanism: {}\noutcome: []\nevidence: [{kind: document, source: report/r}, {kind: document, source: \"@\"}]\nstatus: supported\n",
        );
        assert_eq!((citation.0, citation.1), (8, 74), "{}", citation.2);
        assert_eq!(citation.2, "empty citation key after `@`");
    }
}
