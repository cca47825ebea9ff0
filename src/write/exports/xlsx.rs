//! `exports/realist.xlsx`: the CSV tables as one workbook, for people who open data in Excel or
//! LibreOffice, written by `rust_xlsxwriter`.
//!
//! 1. each table ([`super::tables`]) becomes a sheet: a bold header row, frozen, with a filter;
//! 2. every cell is written as text (a string cell is never read as a formula, so no cell needs
//!    the CSV's leading `'`); a cell with several lines wraps;
//! 3. each column is as wide as its longest line among the first rows, within bounds;
//! 4. the workbook's creation date is the newest report's date, so an unchanged site writes the
//!    same bytes (deploy tools see no change).

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::tables::{self, Table};
use crate::resolve::Site;

/// Excel refuses a cell of more than 32,767 characters; longer text is cut there, with
/// [`CUT_MARK`] at the end (the JSON keeps it whole).
const MAX_CELL: usize = 32_767;
/// Rows looked at to size a column: enough to be representative, cheap on a large site.
const SIZING_ROWS: usize = 200;

/// Writes the workbook into `w`; `seen` receives the text of every cell and property (the
/// anonymity lint reads it there, as the file itself is compressed).
pub fn write(site: &Site, w: &mut dyn std::io::Write, seen: &dyn Fn(&str)) -> std::io::Result<()> {
    let bytes = build(site, seen)
        .and_then(|mut book| book.save_to_buffer())
        .map_err(std::io::Error::other)?;
    w.write_all(&bytes)
}

fn build(site: &Site, seen: &dyn Fn(&str)) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(&properties(site)?);
    seen(&site.config.title);
    seen(site.config.licence.as_deref().unwrap_or_default());
    let cmos: Vec<_> = super::records::cmos(site).collect();
    let rows = cmos.iter().map(tables::cmo_row).collect();
    sheet(book.add_worksheet(), &tables::CMOS, rows, seen)?;
    let rows = cmos.iter().flat_map(tables::evidence_rows).collect();
    sheet(book.add_worksheet(), &tables::EVIDENCE, rows, seen)?;
    let rows = super::records::reports(site)
        .map(|r| tables::report_row(&r))
        .collect();
    sheet(book.add_worksheet(), &tables::REPORTS, rows, seen)?;
    Ok(book)
}

fn properties(site: &Site) -> Result<DocProperties, XlsxError> {
    let newest = site.content.reports.iter().map(|d| &d.meta.date).max();
    let (y, m, d) = newest.map_or((2000, 1, 1), |d| {
        (d.year.max(1900), d.month.unwrap_or(1), d.day.unwrap_or(1))
    });
    let mut properties = DocProperties::new()
        .set_title(format!("{}: data exports", site.config.title))
        .set_creation_datetime(&ExcelDateTime::from_ymd(y, m, d)?);
    if let Some(licence) = &site.config.licence {
        properties = properties.set_comment(format!("Licence: {licence}"));
    }
    Ok(properties)
}

fn sheet(
    ws: &mut Worksheet,
    table: &Table,
    rows: Vec<Vec<String>>,
    seen: &dyn Fn(&str),
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    ws.set_name(table.sheet)?;
    for (col, name) in (0u16..).zip(table.columns) {
        ws.write_string_with_format(0, col, *name, &bold)?;
        let longest = (rows.iter().take(SIZING_ROWS))
            .filter_map(|r| r.get(col as usize))
            .flat_map(|cell| cell.lines().map(|l| l.chars().count()))
            .chain([name.len()])
            .max()
            .unwrap_or(8);
        ws.set_column_width(col, (longest + 2).clamp(8, 60) as f64)?;
    }
    for (row, cells) in (1u32..).zip(&rows) {
        for (col, cell) in (0u16..).zip(cells) {
            let cell = cut(cell);
            seen(&cell);
            if cell.contains('\n') {
                ws.write_string_with_format(row, col, cell.as_ref(), &wrap)?;
            } else if !cell.is_empty() {
                ws.write_string(row, col, cell.as_ref())?;
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = table.columns.len() as u16 - 1;
    ws.autofilter(0, 0, rows.len() as u32, last_col)?;
    Ok(())
}

/// What ends a cell cut at Excel's limit, so no reader takes it for the whole text.
const CUT_MARK: &str = " […cut: the whole text is in cmos.json]";

/// `text` within Excel's limit of characters in a cell, marked where it was cut.
fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    if text.char_indices().nth(MAX_CELL).is_none() {
        return text.into();
    }
    let keep = MAX_CELL - CUT_MARK.chars().count();
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    format!("{}{CUT_MARK}", &text[..end]).into()
}

#[cfg(test)]
mod cut_tests {
    use super::*;

    #[test]
    fn a_cell_over_excels_limit_is_cut_with_a_mark() {
        let long = "ŵ".repeat(MAX_CELL + 10);
        let cell = cut(&long);
        assert_eq!(cell.chars().count(), MAX_CELL);
        assert!(cell.ends_with(CUT_MARK));
        let short = "ŵ".repeat(MAX_CELL);
        assert_eq!(cut(&short), short.as_str());
    }
}
