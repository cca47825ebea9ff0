//! Page ranges as sources write them (`12-19`, `12--19`, `12–19`, `e1-e2`, `12-34, 40`), read
//! once for every format that needs the first and last page apart (RIS `SP`/`EP`, Highwire
//! `citation_firstpage`/`citation_lastpage`) or a range with its own dash (BibTeX `--`, CSL `-`).
//!
//! 1. [`first_range`] takes the first range of a list ("12-34, 40" is pages 12 to 34 for an
//!    indexer) and splits it at its dash: a hyphen, two or three hyphens, an en or em dash, with
//!    or without spaces around it;
//! 2. [`with_dash`] writes every range of a list with the one dash a format reads.
//!
//! Written here: no maintained crate parses page ranges, and this is a split at a dash.

/// The dashes a range is written with; `--` and `---` are runs of the first.
const DASHES: [char; 4] = ['-', '–', '—', '‒'];

/// The first and last page of one range (`e1--e2` gives `e1` and `e2`); a page or an article
/// number alone (`e003341`) is a first page only.
fn range(pages: &str) -> (&str, Option<&str>) {
    let pages = pages.trim();
    match pages.split_once(DASHES) {
        Some((first, last)) => {
            let last = last.trim_start_matches(DASHES).trim();
            let first = first.trim();
            match (first.is_empty(), last.is_empty()) {
                (false, false) => (first, Some(last)),
                (false, true) => (first, None),
                // "-12" names one page, not a range.
                _ => (pages, None),
            }
        }
        None => (pages, None),
    }
}

/// The first and last page of the first range of `pages` (ranges are separated by `,` or `&`).
pub fn first_range(pages: &str) -> (&str, Option<&str>) {
    range(pages.split([',', '&']).next().unwrap_or_default())
}

/// `pages` with every range written with `dash` (`--` for BibTeX, `-` for CSL-JSON); the list
/// separators as written.
pub fn with_dash(pages: &str, dash: &str) -> String {
    let mut out = String::new();
    let mut rest = pages.trim();
    while !rest.is_empty() {
        let end = rest.find([',', '&']).unwrap_or(rest.len());
        let (part, sep) = rest.split_at(end);
        let lead = &part[..part.len() - part.trim_start().len()];
        out.push_str(lead);
        match range(part) {
            (first, Some(last)) => out.push_str(&format!("{first}{dash}{last}")),
            (page, None) => out.push_str(page),
        }
        let mut sep_chars = sep.chars();
        if let Some(c) = sep_chars.next() {
            out.push(c);
        }
        rest = sep_chars.as_str();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dash_splits_a_range_into_first_and_last_page() {
        for written in [
            "e1-e2",
            "e1--e2",
            "e1---e2",
            "e1–e2",
            "e1 – e2",
            "e1—e2",
            " e1 -- e2 ",
        ] {
            assert_eq!(first_range(written), ("e1", Some("e2")), "{written:?}");
        }
        assert_eq!(first_range("e003341"), ("e003341", None));
        assert_eq!(first_range("12-34, 40"), ("12", Some("34")));
        assert_eq!(first_range("12-"), ("12", None));
        assert_eq!(first_range("-12"), ("-12", None));
    }

    #[test]
    fn every_range_of_a_list_takes_the_formats_dash() {
        assert_eq!(with_dash("e1–e2", "--"), "e1--e2");
        assert_eq!(with_dash("12--19", "-"), "12-19");
        assert_eq!(with_dash("12-34, 40–41", "--"), "12--34, 40--41");
        assert_eq!(with_dash("e003341", "--"), "e003341");
    }
}
