//! The data exports, checked with the clients analysts use: check-jsonschema validates the JSON
//! against the published schemas, openpyxl and LibreOffice Calc read the workbook, Python's `csv`
//! module the CSV.
//!
//! 1. on the example site: schema validation (and a broken copy fails it), lists kept lists
//!    (compared with the front matter), the CSV and the workbook hold the JSON's values, and
//!    LibreOffice reads the workbook's cells as openpyxl does;
//! 2. on a fixture site: Welsh and other non-ASCII text survives JSON, CSV and XLSX (in openpyxl
//!    and in LibreOffice), and
//!    `xlsx: false` leaves the workbook out.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{self, Site};

fn json(out: &Path, rel: &str) -> Value {
    serde_json::from_str(&common::read_output(out, rel)).unwrap()
}

fn check_jsonschema(schema: &Path, instance: &Path) -> std::process::Output {
    Command::new(common::client("check-jsonschema"))
        .arg("--schemafile")
        .arg(schema)
        .arg(instance)
        .output()
        .expect("check-jsonschema runs")
}

#[test]
fn json_exports_validate_against_their_published_schemas() {
    let out = common::example_site().join("exports");
    for name in ["cmos", "reports"] {
        let schema = out.join(format!("{name}.schema.json"));
        let data = out.join(format!("{name}.json"));
        let run = check_jsonschema(&schema, &data);
        assert!(
            run.status.success(),
            "{name}.json does not validate:\n{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        let value = json(&out, &format!("{name}.json"));
        assert_eq!(value["$schema"], format!("{name}.schema.json"));
        let schema = json(&out, &format!("{name}.schema.json"));
        assert!(schema["$defs"].as_object().unwrap().values().all(|d| {
            d["properties"].as_object().is_none_or(|p| {
                p.values()
                    .all(|f| f.get("description").is_some() || f.get("$ref").is_some())
            })
        }));
    }
    // The schema is strict enough to catch a joined list: context as one string fails.
    let mut cmos = json(&out, "cmos.json");
    cmos["cmos"][0]["context"] = Value::String("a; b".into());
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("cmos.json");
    std::fs::write(&broken, cmos.to_string()).unwrap();
    let run = check_jsonschema(&out.join("cmos.schema.json"), &broken);
    assert!(!run.status.success(), "a joined context validated");
}

/// The YAML mapping of CMO `id` in its content file (a CMO file, or a report's `cmos:` list).
fn source_cmo(file: &str, id: &str) -> serde_yaml::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    let front = text
        .split("\n---")
        .next()
        .unwrap()
        .trim_start_matches("---");
    let doc: serde_yaml::Value = serde_yaml::from_str(front).unwrap();
    if doc["id"].as_str() == Some(id) {
        return doc;
    }
    let list = doc["cmos"].as_sequence().expect("a report lists its CMOs");
    list.iter()
        .find(|c| c["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("{id} not in {file}"))
        .clone()
}

#[test]
fn cmo_lists_are_the_front_matter_lists_not_joined_strings() {
    let cmos = json(&common::example_site().join("exports"), "cmos.json");
    let cmos = cmos["cmos"].as_array().unwrap();
    assert!(cmos.len() > 20);
    let (mut joined_items, mut evidence) = (0, 0);
    for c in cmos {
        let id = c["id"].as_str().unwrap();
        let src = source_cmo(c["source_file"].as_str().unwrap(), id);
        let count = |key: &str| src[key].as_sequence().map_or(0, Vec::len);
        assert_eq!(
            c["context"].as_array().unwrap().len(),
            count("context"),
            "{id}"
        );
        assert_eq!(
            c["outcomes"].as_array().unwrap().len(),
            count("outcome"),
            "{id}"
        );
        let items = c["evidence"].as_array().unwrap();
        assert_eq!(items.len(), count("evidence"), "{id}");
        for (item, written) in items
            .iter()
            .zip(src["evidence"].as_sequence().into_iter().flatten())
        {
            assert_eq!(
                item["locator"].as_str(),
                written["locator"].as_str(),
                "{id}"
            );
            assert_eq!(item["quote"].as_str(), written["quote"].as_str(), "{id}");
            // An item naming an informant is attributed from the study's registry.
            let role = match written.get("informant") {
                Some(_) => item["informant_role"].as_str(),
                None => written["role"].as_str(),
            };
            assert_eq!(item["informant_role"].as_str(), role, "{id}");
            assert_eq!(item["source"].as_str(), written["source"].as_str(), "{id}");
            if item["source"].as_str().unwrap().starts_with("report/") {
                assert!(item["source_url"].as_str().unwrap().starts_with("https://"));
                assert!(item["source_title"].is_string());
            }
            evidence += 1;
        }
        for (item, written) in c["context"]
            .as_array()
            .unwrap()
            .iter()
            .zip(src["context"].as_sequence().unwrap())
        {
            assert_eq!(item["text"].as_str(), written["text"].as_str(), "{id}");
            joined_items += usize::from(item["text"].as_str().unwrap().contains("; "));
        }
        assert_eq!(c["defined_in"], c["reported_in"][0], "{id}");
    }
    assert!(evidence > 50, "only {evidence} evidence items compared");
    // Items that hold "; " themselves stay whole: joining would have split them.
    assert!(joined_items > 0, "no context item with \"; \" was checked");
}

/// Every sheet of a workbook as {sheet: [[cell, …], …]}, read by openpyxl (empty cells as "").
fn workbook(path: &Path) -> Value {
    let code = "import json, sys, openpyxl\n\
        wb = openpyxl.load_workbook(sys.argv[1], read_only=True)\n\
        print(json.dumps({ws.title: [['' if v is None else v for v in row] for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}))";
    serde_json::from_str(&common::client_python(code, &[path.to_str().unwrap()])).unwrap()
}

/// Every sheet of a workbook as LibreOffice Calc reads it: {sheet: [[cell text, …], …]}, from
/// the UTF-8 CSV files `soffice --convert-to` writes, one per sheet.
fn libreoffice_workbook(path: &Path) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    // 44: comma, 34: quote, 76: UTF-8, 1: from line 1; -1 writes every sheet.
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";
    let out = std::process::Command::new("soffice")
        .args([&profile, "--headless", "--convert-to", filter, "--outdir"])
        .arg(dir.path())
        .arg(path)
        .output()
        .expect("LibreOffice runs (libreoffice-calc-nogui, installed by .ci/run)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stem = path.file_stem().unwrap().to_str().unwrap();
    let mut sheets = serde_json::Map::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(sheet) = name
            .strip_prefix(&format!("{stem}-"))
            .and_then(|n| n.strip_suffix(".csv"))
        else {
            continue;
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(dir.path().join(&name))
            .unwrap();
        let rows: Vec<Value> = reader
            .records()
            .map(|r| r.unwrap().iter().map(Value::from).collect())
            .collect();
        sheets.insert(sheet.to_string(), Value::Array(rows));
    }
    Value::Object(sheets)
}

/// LibreOffice reads the same cells as openpyxl, as text.
fn assert_same_cells(openpyxl: &Value, libreoffice: &Value) {
    let sheets = openpyxl.as_object().unwrap();
    assert_eq!(
        sheets.keys().collect::<Vec<_>>(),
        libreoffice.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    for (name, rows) in sheets {
        let theirs = libreoffice[name].as_array().unwrap();
        let ours = rows.as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "{name}: rows");
        for (a, b) in ours.iter().zip(theirs) {
            let a: Vec<String> = a.as_array().unwrap().iter().map(text).collect();
            let mut b: Vec<String> = b.as_array().unwrap().iter().map(text).collect();
            b.resize(a.len(), String::new());
            assert_eq!(a, b, "{name}");
        }
    }
}

/// Every row of a CSV file as read by Python's `csv` module from UTF-8 with a byte-order mark.
fn csv_rows(path: &Path) -> Value {
    let code = "import csv, json, sys\n\
        raw = open(sys.argv[1], 'rb').read()\n\
        assert raw.startswith(b'\\xef\\xbb\\xbf'), 'no byte-order mark'\n\
        print(json.dumps(list(csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline='')))))";
    serde_json::from_str(&common::client_python(code, &[path.to_str().unwrap()])).unwrap()
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join("\n"),
        other => other.to_string(),
    }
}

/// The cell of `row` under `column` of a table whose first row is its header.
fn cell<'a>(table: &'a [Value], row: &'a [Value], column: &str) -> &'a Value {
    let header = table[0].as_array().unwrap();
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no {column}"));
    &row[i]
}

/// Checks that `table` (a sheet or a CSV) has one row per record, with the JSON's values in the
/// columns named, lists one item per line; a bibliography key (`@key` in the JSON) is the key
/// alone, since the column holds references. `csv` allows the CSV's neutralised formula cells.
fn assert_table_is(table: &Value, records: &[Value], fields: &[(&str, &str)], csv: bool) {
    let table = table.as_array().unwrap();
    assert_eq!(table.len(), records.len() + 1, "one row per record");
    for (row, record) in table[1..].iter().zip(records) {
        let row = row.as_array().unwrap();
        for (column, field) in fields {
            let mut want = text(&record[*field]);
            if *column == "source" {
                want = want.strip_prefix('@').unwrap_or(&want).to_string();
            }
            if csv && want.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                want.insert(0, '\'');
            }
            assert_eq!(
                text(cell(table, row, column)),
                want,
                "{column} of {}",
                record
            );
        }
    }
}

const CMO_FIELDS: [(&str, &str); 7] = [
    ("id", "id"),
    ("title", "title"),
    ("status", "status"),
    ("url", "url"),
    ("tracers", "tracers"),
    ("themes", "themes"),
    ("reported_in", "reported_in"),
];
const EVIDENCE_FIELDS: [(&str, &str); 7] = [
    ("kind", "kind"),
    ("source", "source"),
    ("source_title", "source_title"),
    ("locator", "locator"),
    ("quote", "quote"),
    ("informant_role", "informant_role"),
    ("date", "date"),
];

fn check_tables(out: &Path, sheets: Option<&Value>) {
    let exports = out.join("exports");
    let cmos = json(&exports, "cmos.json")["cmos"]
        .as_array()
        .unwrap()
        .clone();
    let evidence: Vec<Value> = cmos
        .iter()
        .flat_map(|c| c["evidence"].as_array().unwrap().clone())
        .collect();
    let reports = json(&exports, "reports.json")["reports"]
        .as_array()
        .unwrap()
        .clone();
    let tables = [
        ("CMOs", "cmos.csv", &cmos, &CMO_FIELDS[..]),
        ("Evidence", "evidence.csv", &evidence, &EVIDENCE_FIELDS[..]),
        (
            "Reports",
            "reports.csv",
            &reports,
            &[
                ("id", "id"),
                ("title", "title"),
                ("date", "date"),
                ("cmos", "cmos"),
                ("doi", "doi"),
            ][..],
        ),
    ];
    for (sheet, file, records, fields) in tables {
        assert_table_is(&csv_rows(&exports.join(file)), records, fields, true);
        if let Some(sheets) = sheets {
            assert_table_is(&sheets[sheet], records, fields, false);
        }
    }
    // Outcomes and context: one line per item, in both forms.
    for form in [csv_rows(&exports.join("cmos.csv"))]
        .iter()
        .chain(sheets.map(|s| &s["CMOs"]))
    {
        let table = form.as_array().unwrap();
        for (row, c) in table[1..].iter().zip(&cmos) {
            let row = row.as_array().unwrap();
            let lines = |col| text(cell(table, row, col)).lines().count();
            assert_eq!(
                lines("outcomes"),
                c["outcomes"].as_array().unwrap().len(),
                "{}",
                c["id"]
            );
            assert_eq!(
                lines("context"),
                c["context"].as_array().unwrap().len(),
                "{}",
                c["id"]
            );
        }
    }
}

#[test]
fn csv_and_workbook_hold_the_json_values() {
    let out = common::example_site();
    let sheets = workbook(&out.join("exports/realist.xlsx"));
    let names: Vec<&String> = sheets.as_object().unwrap().keys().collect();
    assert_eq!(names.len(), 3, "{names:?}");
    check_tables(out, Some(&sheets));
    assert_same_cells(
        &sheets,
        &libreoffice_workbook(&out.join("exports/realist.xlsx")),
    );
}

/// The example site's text holds no formula, so no cell of its tables needs the formula guard:
/// a cell that starts with `'` would be a value written with its Markdown, as a bibliography
/// key with its `@` was. Its evidence cites bibliography keys, so the check covers them.
#[test]
fn no_cell_of_the_example_sites_tables_is_marked_as_a_formula() {
    let exports = common::example_site().join("exports");
    let cmos = json(&exports, "cmos.json");
    let keys = cmos["cmos"].as_array().unwrap().iter();
    let keys = keys.flat_map(|c| c["evidence"].as_array().unwrap().clone());
    let keys: Vec<String> = keys
        .filter_map(|e| Some(e["source"].as_str()?.strip_prefix('@')?.to_string()))
        .collect();
    assert!(!keys.is_empty(), "the example site's evidence cites keys");
    for file in ["cmos.csv", "evidence.csv", "reports.csv", "rameses.csv"] {
        let rows = csv_rows(&exports.join(file));
        for row in rows.as_array().unwrap() {
            for cell in row.as_array().unwrap() {
                let cell = cell.as_str().unwrap();
                assert!(!cell.starts_with(['\'', '@']), "{file}: {cell:?}");
            }
        }
    }
    let evidence = csv_rows(&exports.join("evidence.csv"));
    let table = evidence.as_array().unwrap();
    let sources: Vec<&str> = table[1..]
        .iter()
        .map(|row| {
            cell(table, row.as_array().unwrap(), "source")
                .as_str()
                .unwrap()
        })
        .collect();
    for key in &keys {
        assert!(
            sources.contains(&key.as_str()),
            "{key} is a cell of its own"
        );
    }
}

const WELSH: [&str; 3] = ["Cŵn", "ŵŷ", "naïve"];

#[test]
fn non_ascii_text_survives_every_export() {
    let site = Site::minimal();
    site.edit(
        "content/reports/r1.md",
        "title: C1",
        "title: \"Cŵn a chathod: ŵŷ\"",
    );
    site.edit(
        "content/reports/r1.md",
        "context: [{text: c}]",
        "context: [{text: \"naïve; trust\"}, {text: \"=cmd; ŵŷ\"}]",
    );
    site.edit("content/reports/r1.md", "source: \"report/r1#findings\"", "source: \"report/r1#findings\", quote: \"Roedd y Cŵn yn naïve\", role: \"Rheolwr, ŵŷ\", locator: \"t. 3; para 2\"");
    site.build_ok(&[]);
    let out = site.out();
    let exports = out.join("exports");
    let cmos = json(&exports, "cmos.json");
    let c1 = &cmos["cmos"][0];
    assert_eq!(c1["title"], "Cŵn a chathod: ŵŷ");
    assert_eq!(c1["context"][0]["text"], "naïve; trust");
    assert_eq!(c1["evidence"][0]["quote"], "Roedd y Cŵn yn naïve");
    let sheets = workbook(&exports.join("realist.xlsx"));
    check_tables(&out, Some(&sheets));
    let calc = libreoffice_workbook(&exports.join("realist.xlsx"));
    assert_same_cells(&sheets, &calc);
    let csv = csv_rows(&exports.join("cmos.csv"));
    let evidence = csv_rows(&exports.join("evidence.csv"));
    for word in WELSH {
        for (form, value) in [
            ("csv", &csv),
            ("evidence.csv", &evidence),
            ("xlsx", &sheets),
            ("xlsx in LibreOffice", &calc),
        ] {
            assert!(
                value.to_string().contains(word),
                "{word} lost in {form}: {value}"
            );
        }
    }
    // A formula-like item is text in the workbook, and neutralised in the CSV.
    assert_eq!(
        text(cell(
            sheets["CMOs"].as_array().unwrap(),
            sheets["CMOs"][1].as_array().unwrap(),
            "context"
        )),
        "naïve; trust\n=cmd; ŵŷ"
    );
}

#[test]
fn xlsx_can_be_turned_off_in_site_yaml() {
    let site = Site::minimal();
    let yaml = site.source("site.yaml");
    site.write("site.yaml", format!("{yaml}xlsx: false\n"));
    site.build_ok(&[]);
    assert!(site.exists("exports/cmos.csv"));
    assert!(!site.exists("exports/realist.xlsx"));
}
