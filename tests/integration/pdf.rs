//! The reports' PDFs (`pdf: true`), read by the real clients `pdfinfo` and `pdftotext`:
//!
//! 1. a published report gets a tagged PDF titled with its title, whose text holds its
//!    headings and CMOs in reading order;
//! 2. Typst syntax in a report is text in its PDF, and no file outside the site is read;
//! 3. the report page links the PDF and names it in `citation_pdf_url` when `pdf` is on, and
//!    neither when it is off; a draft gets no PDF; a template that fails is an error at every
//!    report, not a panic;
//! 4. the example site's reports all get one.

use std::path::Path;
use std::process::Command;

use crate::common::{self, Site};

/// The output of `program` (a poppler client) run on `args`.
fn poppler(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs (poppler-utils, installed by .ci/run): {e}"));
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn info(pdf: &Path) -> String {
    poppler("pdfinfo", &[pdf.to_str().unwrap()])
}

fn text(pdf: &Path) -> String {
    poppler("pdftotext", &[pdf.to_str().unwrap(), "-"])
}

/// The value of a `pdfinfo` field.
fn field<'a>(info: &'a str, name: &str) -> &'a str {
    let line = info.lines().find(|l| l.starts_with(&format!("{name}:")));
    let line = line.unwrap_or_else(|| panic!("no {name} in\n{info}"));
    line[name.len() + 1..].trim()
}

const BODY: &str = "## Findings {#findings}\n\nLink workers *built* **trust**.\n\n\
### Waiting times\n\n| Area | Weeks |\n| --- | --- |\n| North | 4 |\n\n- first\n- second\n\n\
> A quotation.\n\n```\ncode here\n```\n";

fn pdf_site(yaml_extra: &str, body: &str) -> Site {
    let r1 = common::R1.replace("## Findings {#findings}\ntext\n", body);
    let site = Site::with(&[("content/reports/r1.md", &r1)]);
    site.write("site.yaml", format!("{}{yaml_extra}", common::SITE_YAML));
    site
}

#[test]
fn a_report_gets_a_tagged_pdf_with_its_headings_and_cmos_in_order() {
    let site = pdf_site("pdf: true\n", BODY);
    site.build_ok(&[]);
    let pdf = site.out().join("reports/r1/r1.pdf");
    assert!(pdf.exists(), "no PDF at {}", pdf.display());
    let info = info(&pdf);
    assert_eq!(field(&info, "Tagged"), "yes", "{info}");
    assert_eq!(field(&info, "Title"), "R1", "{info}");
    let text = text(&pdf);
    let order = [
        "R1",
        "Findings",
        "built",
        "Waiting times",
        "North",
        "first",
        "A quotation",
    ];
    let order = order
        .iter()
        .chain(&["code here", "CMO configurations", "C1", "Source:"]);
    let mut at = 0;
    for needle in order {
        let found = text[at..].find(needle);
        let found = found.unwrap_or_else(|| panic!("{needle:?} not after {at} in\n{text}"));
        at += found + needle.len();
    }
}

#[test]
fn typst_syntax_in_a_report_is_text_and_reads_no_file() {
    // `\@cite` is how a report writes an at sign that is not a citation (a bare `@cite` is an
    // unknown citation key, an error of its own).
    let hostile = "## Findings {#findings}\n\n#sys.exit() and #read(\"/etc/passwd\") and $x$ and \
<label> and \\@cite and \\#image(\"/etc/hostname\")\n\n= heading\n\n#set page(width: 1cm)\n";
    let site = pdf_site("pdf: true\n", hostile);
    site.build_ok(&[]);
    let text = text(&site.out().join("reports/r1/r1.pdf"));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for literal in [
        "#sys.exit()",
        // Smart punctuation curls the quotes, as on the page.
        "#read(\u{201c}/etc/passwd\u{201d})",
        "$x$",
        "<label>",
        "@cite",
        "= heading",
        "#set page(width: 1cm)",
    ] {
        assert!(flat.contains(literal), "{literal:?} not in\n{flat}");
    }
    assert!(
        !flat.contains("root:"),
        "a file outside the site was read:\n{flat}"
    );
}

#[test]
fn the_page_links_the_pdf_only_when_pdf_is_on() {
    let on = pdf_site("pdf: true\n", BODY);
    on.build_ok(&[]);
    let page = on.page("reports/r1/index.html");
    assert!(page.contains("href=\"r1.pdf\""), "{page}");
    assert!(
        page.contains("<meta name=\"citation_pdf_url\" content=\"https://www.example.ac.uk/research/t/reports/r1/r1.pdf\">"),
        "{page}"
    );
    let off = pdf_site("", BODY);
    off.build_ok(&[]);
    let page = off.page("reports/r1/index.html");
    assert!(
        !page.contains("r1.pdf") && !page.contains("citation_pdf_url"),
        "{page}"
    );
    assert!(!off.exists("reports/r1/r1.pdf"));
}

#[test]
fn a_draft_gets_no_pdf() {
    let site = pdf_site("pdf: true\n", BODY);
    let draft = common::commissioning_report("Draft", "draft", "text\n");
    site.write("content/reports/d.md", draft);
    site.build_ok(&[]);
    assert!(site.exists("reports/r1/r1.pdf"));
    assert!(!site.exists("reports/d/d.pdf"));
}

#[test]
fn a_template_that_fails_is_an_error_at_each_report() {
    let site = pdf_site("pdf: true\n", BODY);
    site.write(
        "content/reports/r2.md",
        common::commissioning_report("R2", "published", "x\n"),
    );
    // The site's own copy of the default theme, whose PDF template fails for every report.
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for (rel, bytes) in common::tree(&theme) {
        site.write(&format!("themes/default/{rel}"), bytes);
    }
    let failing = "#let data = json(\"/data.json\")\n#panic(data.title)\n";
    site.write("themes/default/pdf/report.typ", failing);
    let run = site.build(&[]);
    let errors: Vec<_> = run
        .errors()
        .into_iter()
        .filter(|d| d.message.contains("PDF"))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    for report in ["content/reports/r1.md", "content/reports/r2.md"] {
        assert!(
            errors.iter().any(|d| d.location.starts_with(report)),
            "{report}: {errors:#?}"
        );
    }
}

#[test]
fn every_report_of_the_example_site_has_a_tagged_pdf() {
    let out = common::example_site();
    let reports = std::fs::read_dir(out.join("reports")).unwrap();
    let mut n = 0;
    // A report's folder is the one with its citation files.
    for dir in reports
        .flatten()
        .filter(|d| d.path().join("cite.bib").exists())
    {
        let id = dir.file_name().to_string_lossy().into_owned();
        let pdf = dir.path().join(format!("{id}.pdf"));
        let info = info(&pdf);
        assert_eq!(field(&info, "Tagged"), "yes", "{id}: {info}");
        assert_links_resolve(out, &pdf);
        // A citation is formatted as on the page, not left in its Markdown brackets.
        assert!(
            !text(&pdf).contains("[("),
            "{id}: a citation kept its brackets"
        );
        n += 1;
    }
    assert!(n > 0);
}

/// Every link of `pdf` into the site (`pdfinfo -url`) names a file of the output `out`.
fn assert_links_resolve(out: &Path, pdf: &Path) {
    let urls = poppler("pdfinfo", &["-url", pdf.to_str().unwrap()]);
    for url in urls.split_whitespace() {
        let Some(rel) = url.strip_prefix(common::EXAMPLE_BASE_URL) else {
            continue;
        };
        let path = rel.split('#').next().unwrap_or_default();
        let file = if path.is_empty() || path.ends_with('/') {
            out.join(path).join("index.html")
        } else {
            out.join(path)
        };
        assert!(
            file.is_file(),
            "{}: the link {url} names no file",
            pdf.display()
        );
    }
}

#[test]
fn a_heading_level_skipped_or_text_the_fonts_lack_is_a_warning_not_a_failure() {
    let site = pdf_site(
        "pdf: true\n",
        "## Findings {#findings}\n\n#### Deeper\n\nA name: 张伟.\n",
    );
    let run = site.build(&[]);
    run.assert_ok();
    assert!(
        run.stderr
            .contains("tagged but does not conform to PDF/UA-1"),
        "{run:?}"
    );
    let pdf = site.out().join("reports/r1/r1.pdf");
    assert_eq!(field(&info(&pdf), "Tagged"), "yes");
    // Text the fonts lack is located where it is written, with what to do.
    let site = pdf_site("pdf: true\n", "## Findings {#findings}\n\nA name: 张伟.\n");
    let run = site.build(&[]);
    run.assert_ok();
    let source = site.source("content/reports/r1.md");
    let line = source.lines().position(|l| l.contains("张伟")).unwrap() + 1;
    assert!(run.stderr.contains(&format!("r1.md:{line}:9")), "{run:?}");
    assert!(run.stderr.contains("Latin transcription"), "{run:?}");
}

/// A PNG whose header claims `width` × `height` pixels: all a decoder reads before it allocates.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend([0; 4]);
    png
}

#[test]
fn an_image_bomb_is_left_out_of_the_pdf_with_a_located_warning() {
    let body = "## Findings {#findings}\n\nText.\n\n![A huge map](huge.png)\n\n\
![The same map, inside a drawing](huge.svg)\n";
    let site = pdf_site("pdf: true\n", body);
    let bomb = png_header(30_000, 30_000);
    site.write("content/reports/huge.png", &bomb);
    use base64::Engine;
    let embedded = base64::engine::general_purpose::STANDARD.encode(&bomb);
    site.write(
        "content/reports/huge.svg",
        format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><image href=\"data:image/png;base64,{embedded}\" width=\"10\" height=\"10\"/></svg>"),
    );
    let run = site.build(&[]);
    run.assert_ok();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("30000 × 30000"))
        .collect();
    assert_eq!(warnings.len(), 2, "{run:?}");
    let source = site.source("content/reports/r1.md");
    let line = source.lines().position(|l| l.contains("huge.png")).unwrap() + 1;
    assert!(
        run.stderr.contains(&format!("r1.md:{line}:")),
        "not located at line {line}: {run:?}"
    );
    let text = text(&site.out().join("reports/r1/r1.pdf"));
    assert!(text.contains("A huge map"), "{text}");
}

#[test]
fn the_pdf_gives_the_status_byline_update_licence_and_funding_the_page_gives() {
    let site = pdf_site("pdf: true\n", BODY);
    site.edit(
        "content/reports/r1.md",
        "authors: [{name: A}]\nstatus: published\n",
        "authors: [{name: Ann Author}]\nmore_authors: true\nupdated: 2018-01-05\n\
licence: CC BY 4.0\nfunding: {funder: NIHR, programme: HS&DR, ref: \"12/34\"}\nstatus: withdrawn\n",
    );
    site.build_ok(&["--drafts"]);
    let first = text(&site.out().join("reports/r1/r1.pdf"));
    let flat = first.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "Withdrawn",
        "Ann Author et al.",
        "Last updated 5 January 2018",
        "Licence: CC BY 4.0",
        "Funding: NIHR (HS&DR, 12/34)",
    ] {
        assert!(flat.contains(needle), "no {needle:?} in\n{first}");
    }
    let site = pdf_site("pdf: true\n", BODY);
    site.edit(
        "content/reports/r1.md",
        "authors: [{name: A}]\n",
        "authors: []\nauthors_not_named: true\n",
    );
    site.build_ok(&[]);
    let text = text(&site.out().join("reports/r1/r1.pdf"));
    assert!(
        text.contains("Authors not named in the published work"),
        "{text}"
    );
}

#[test]
fn lists_and_quotations_nested_thousands_deep_are_set_at_a_fixed_depth() {
    let levels: String = (0..30)
        .map(|i| format!("{}- level{i}\n", "  ".repeat(i)))
        .collect();
    let body = format!(
        "## Findings {{#findings}}\n\n{}deep\n\n{}x\n\n{}quoted25\n\n{levels}",
        "> ".repeat(20_000),
        "- ".repeat(15_000),
        "> ".repeat(25)
    );
    let site = pdf_site("pdf: true\n", &body);
    let run = site.build(&[]);
    run.assert_ok();
    assert!(!run.stderr.contains("PDF"), "{run:?}");
    let text = text(&site.out().join("reports/r1/r1.pdf"));
    for needle in ["deep", "quoted25", "level0", "level29"] {
        assert!(text.contains(needle), "no {needle} in\n{text}");
    }
}

/// The entries of the XMP property `name` (`dc:creator`) of `pdf`, as `pdfinfo -meta` reads them.
fn xmp_entries(pdf: &Path, name: &str) -> Vec<String> {
    let meta = poppler("pdfinfo", &["-meta", pdf.to_str().unwrap()]);
    let open = format!("<{name}>");
    let Some(start) = meta.find(&open) else {
        return Vec::new();
    };
    let end = start + meta[start..].find(&format!("</{name}>")).unwrap();
    let items = meta[start..end].split("<rdf:li").skip(1);
    items
        .map(|li| {
            let text = &li[li.find('>').unwrap() + 1..li.find("</rdf:li>").unwrap()];
            text.replace("&amp;", "&")
        })
        .collect()
}

/// The contents of the page's `<meta name="NAME">` tags, in order.
fn meta_tags(page: &str, name: &str) -> Vec<String> {
    let open = format!("<meta name=\"{name}\" content=\"");
    let tags = page.split(&open).skip(1);
    tags.map(|t| t[..t.find('"').unwrap()].replace("&amp;", "&"))
        .collect()
}

#[test]
fn the_pdf_metadata_names_each_author_as_the_pages_dublin_core_does() {
    let site = pdf_site("pdf: true\n", BODY);
    site.edit(
        "content/reports/r1.md",
        "authors: [{name: A}]\n",
        "authors: [{name: Jane Smith}, {name: 'Department of Health, England', group: true}, \
{name: R&D Team, group: true}]\nmore_authors: true\n",
    );
    site.build_ok(&[]);
    let pdf = site.out().join("reports/r1/r1.pdf");
    let creators = xmp_entries(&pdf, "dc:creator");
    let page = site.page("reports/r1/index.html");
    assert_eq!(creators, meta_tags(&page, "DC.creator"), "{page}");
    assert_eq!(
        creators,
        ["Smith, Jane", "Department of Health, England", "R&D Team"]
    );
    // The byline still names them as written, with "et al." that no metadata names.
    let text = text(&pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Jane Smith, Department of Health, England, R&D Team et al."),
        "{text}"
    );
}

#[test]
fn the_pdf_language_is_the_whole_language_tag_of_the_site() {
    for tag in ["en-GB", "es-419", "sr-Latn-RS"] {
        let site = pdf_site(&format!("pdf: true\nlanguage: {tag}\n"), BODY);
        site.build_ok(&[]);
        let pdf = site.out().join("reports/r1/r1.pdf");
        assert_eq!(xmp_entries(&pdf, "dc:language"), [tag]);
        // The catalog is not compressed; the last one written is the one readers take.
        let bytes = std::fs::read(&pdf).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let catalog = &text[text.rfind("/Type/Catalog").expect("a catalog")..];
        let lang = &catalog[catalog.find("/Lang(").expect("a /Lang") + 6..];
        assert_eq!(&lang[..lang.find(')').unwrap()], tag);
        assert_eq!(field(&info(&pdf), "Tagged"), "yes");
    }
}

#[test]
fn thousands_of_authors_make_a_short_byline_quickly() {
    let authors: String = (0..20_000)
        .map(|i| format!("  - {{name: Given{i} Family{i}, affiliation: University number {i}}}\n"))
        .collect();
    let site = pdf_site("pdf: true\n", BODY);
    site.edit(
        "content/reports/r1.md",
        "authors: [{name: A}]\n",
        &format!("authors:\n{authors}"),
    );
    let start = std::time::Instant::now();
    site.build_ok(&[]);
    let took = start.elapsed();
    // Typst compared every pair of affiliations: most of a minute for 30,000 authors.
    assert!(took.as_secs() < 20, "took {took:?}");
    let pdf = site.out().join("reports/r1/r1.pdf");
    let pages: usize = field(&info(&pdf), "Pages").parse().unwrap();
    assert!(pages <= 3, "{pages} pages");
    let text = text(&pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("Given99 Family99 and 19,900 others"),
        "{text}"
    );
    assert!(!text.contains("University number 100;"), "{text}");
    assert_eq!(xmp_entries(&pdf, "dc:creator").len(), 20_000);
}

#[test]
fn a_wide_table_stays_inside_the_margins_and_its_cells() {
    let cols = 14;
    let row = |f: &dyn Fn(usize) -> String| {
        let cells: Vec<String> = (0..cols).map(f).collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let long = "averyveryverylongunbrokenidentifierthatnospacebreaks";
    let table = format!(
        "{}|{}\n{}",
        row(&|c| format!("Column heading {c}")),
        "---|".repeat(cols),
        row(&|c| if c == 3 {
            long.to_string()
        } else {
            format!("cell {c} text")
        })
    );
    let site = pdf_site(
        "pdf: true\n",
        &format!("## Findings {{#findings}}\n\n{table}\n"),
    );
    site.build_ok(&[]);
    let pdf = site.out().join("reports/r1/r1.pdf");
    let bbox = poppler("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    // A4 with margins of 2.5 cm: the text lies between x = 70.9 and 524.4 points.
    let (left, right) = (70.0, 525.5);
    let column = (right - left) / cols as f64;
    let number = |w: &str, key: &str| -> f64 {
        let at = w.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        w[at..at + w[at..].find('"').unwrap()].parse().unwrap()
    };
    let words: Vec<(f64, f64, f64, f64, &str)> = bbox
        .split("<word ")
        .skip(1)
        .map(|w| {
            let text = &w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()];
            let n = |k| number(w, k);
            (n("xMin"), n("yMin"), n("xMax"), n("yMax"), text)
        })
        .collect();
    for &(x0, _, x1, _, t) in &words {
        assert!(
            x0 >= left && x1 <= right,
            "{t:?} at {x0}–{x1} runs over the margin"
        );
    }
    // The long word is broken into pieces, none wider than a column.
    let pieces: Vec<_> = (words.iter())
        .filter(|w| w.4.len() > 3 && long.contains(w.4))
        .collect();
    assert!(pieces.len() > 1, "the long word is not broken: {bbox}");
    for &&(x0, _, x1, _, t) in &pieces {
        assert!(
            x1 - x0 < column,
            "{t:?} is wider than a column ({column} pt)"
        );
    }
    for (i, a) in words.iter().enumerate() {
        for b in &words[i + 1..] {
            let apart =
                a.2 <= b.0 + 0.5 || b.2 <= a.0 + 0.5 || a.3 <= b.1 + 0.5 || b.3 <= a.1 + 0.5;
            assert!(apart, "{:?} overlaps {:?}", a.4, b.4);
        }
    }
}
