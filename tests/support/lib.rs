//! Fixture workbooks for the tests, generated here: one description of sheets and cells, written
//! as .xlsx (rust_xlsxwriter), .ods (OpenDocument, by hand) or .xls (BIFF8 in a compound file,
//! by hand), so the same workbook can be put through every read path.

pub mod app;
pub mod bench;
pub mod emf;
pub mod faults;
pub mod fuzzing;
pub mod hostile;
pub mod lambda;
pub mod receiver;

/// The moto server the DynamoDB halves of the tests run against. They need
/// `PROVRUM_TEST_DYNAMODB_ENDPOINT` (a moto server; `scripts/test` starts one): without it they
/// fail here, saying so, and never skip.
pub fn moto_endpoint() -> String {
    match std::env::var("PROVRUM_TEST_DYNAMODB_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => endpoint,
        _ => panic!(
            "PROVRUM_TEST_DYNAMODB_ENDPOINT is not set: the DynamoDB half of this test needs a moto \
             server (scripts/test starts one and sets it); it fails rather than skip"
        ),
    }
}

/// Seeds the kansli's organisation and returns a kansli token (the first token is always made
/// outside the API, as `provrum token create` does).
pub async fn seed_kansli(store: &dyn provrum_store::Store) -> String {
    use provrum_rules::model::{Membership, OrgKind};
    use provrum_store::{AuditEvent, Org};
    let org = Org {
        id: "reglab".into(),
        name: "Reglabs kansli".into(),
        kind: OrgKind::Other,
        membership: Membership::Kansli,
        created_at: chrono::Utc::now(),
    };
    store
        .create_org(
            &org,
            &AuditEvent::new("org/reglab", "test", "org.created", serde_json::Value::Null),
        )
        .await
        .expect("kansli");
    let token = provrum_store::issue_token(store, "reglab", "test", "test")
        .await
        .expect("token");
    token.secret
}

/// Member regions `ids`, named by `name`, each with a token of its own: the tokens, in order.
pub async fn seed_regions(
    store: &dyn provrum_store::Store,
    ids: &[&str],
    name: impl Fn(&str) -> String,
) -> Vec<String> {
    use provrum_rules::model::{Membership, OrgKind};
    use provrum_store::{AuditEvent, Org};
    let mut tokens = Vec::new();
    for id in ids {
        let org = Org {
            id: id.to_string(),
            name: name(id),
            kind: OrgKind::Region,
            membership: Membership::Member,
            created_at: chrono::Utc::now(),
        };
        let event = AuditEvent::new(
            format!("org/{id}"),
            "test",
            "org.created",
            Default::default(),
        );
        store.create_org(&org, &event).await.expect("org");
        let token = provrum_store::issue_token(store, id, "test", "test")
            .await
            .expect("token");
        tokens.push(token.secret);
    }
    tokens
}

/// Provrum `id`, proposed by `leader`, joined by `other` and led by `leader` at `at`, with no
/// budget yet: what the process makes of those three steps.
pub fn led_provrum(
    id: &str,
    title: &str,
    leader: &str,
    other: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> provrum_store::Provrum {
    let mut provrum = provrum_store::Provrum::proposed(id.into(), title.into(), leader, at);
    provrum.participants[0].wants_to_lead = true;
    provrum.participants.push(provrum_store::Participant {
        org: other.into(),
        wants_to_lead: false,
        joined_at: at,
    });
    provrum.leader = Some(leader.into());
    provrum
}

/// Stores `provrum` as proposed, straight into `store`.
pub async fn seed_provrum_as_is(
    store: &dyn provrum_store::Store,
    provrum: &provrum_store::Provrum,
) {
    let event = provrum_store::AuditEvent::new(
        format!("provrum/{}", provrum.id),
        "test",
        "provrum.proposed",
        Default::default(),
    );
    store
        .create_provrum(provrum, &event)
        .await
        .expect("provrum");
}

use chrono::{Datelike, NaiveDate};
use std::io::{Cursor, Write};

/// The check of an upload as the service runs it (the Budget sheet streamed into its lines),
/// after asserting that it is exactly the check of the same workbook read whole; and that whole
/// read. Every test that checks a workbook through this also shows that streaming changes no
/// finding, location, message or line.
pub fn check_streamed_as_whole(
    bytes: &[u8],
    name: &str,
    ctx: provrum_rules::Context<'_>,
) -> (
    Result<provrum_rules::sheet::Workbook, provrum_workbook::ReadError>,
    provrum_rules::Checked,
) {
    let read = provrum_workbook::read(bytes, Some(name));
    let whole = provrum_workbook::check_read(&read, ctx);
    let streamed = provrum_workbook::check(bytes, Some(name), ctx);
    assert_eq!(
        streamed.report, whole.report,
        "streamed and whole reports differ"
    );
    // A budget line's equality includes the cells it was read from.
    assert_eq!(
        streamed.submission, whole.submission,
        "streamed and whole submissions differ"
    );
    (read, streamed)
}

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    S(String),
    N(f64),
    D(NaiveDate),
    B(bool),
    /// A formula with its cached value.
    F(String, f64),
}

pub fn s(text: &str) -> V {
    V::S(text.to_string())
}

pub fn d(y: i32, m: u32, day: u32) -> V {
    V::D(NaiveDate::from_ymd_opt(y, m, day).expect("valid date"))
}

/// `C9` → (8, 2).
pub fn pos(a1: &str) -> (u32, u32) {
    let letters: String = a1.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &a1[letters.len()..];
    let col = letters.bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    }) - 1;
    let row = digits.parse::<u32>().expect("row number") - 1;
    (row, col)
}

#[derive(Debug, Clone, PartialEq)]
pub struct SheetSpec {
    pub name: String,
    pub cells: Vec<(u32, u32, V)>,
}

impl SheetSpec {
    fn sorted(&self) -> Vec<(u32, u32, V)> {
        let mut cells = self.cells.clone();
        cells.sort_by_key(|(r, c, _)| (*r, *c));
        cells
    }
}

/// A workbook to write.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Book {
    pub sheets: Vec<SheetSpec>,
}

fn rows(cells: &[(&str, V)]) -> Vec<(u32, u32, V)> {
    cells
        .iter()
        .map(|(a1, v)| {
            let (r, c) = pos(a1);
            (r, c, v.clone())
        })
        .collect()
}

impl Book {
    pub fn sheet(&mut self, name: &str) -> &mut SheetSpec {
        let i = self
            .sheets
            .iter()
            .position(|s| s.name == name)
            .unwrap_or_else(|| panic!("no sheet {name}"));
        &mut self.sheets[i]
    }

    /// Sets (or with `None`, clears) a cell.
    pub fn set(&mut self, sheet: &str, a1: &str, value: Option<V>) -> &mut Self {
        let (r, c) = pos(a1);
        let sheet = self.sheet(sheet);
        sheet.cells.retain(|(row, col, _)| (*row, *col) != (r, c));
        if let Some(v) = value {
            sheet.cells.push((r, c, v));
        }
        self
    }

    /// Appends a cell without looking for one already there (for building large sheets).
    pub fn push(&mut self, sheet: &str, row: u32, col: u32, value: V) -> &mut Self {
        self.sheet(sheet).cells.push((row, col, value));
        self
    }

    /// Removes every cell of a row.
    pub fn clear_row(&mut self, sheet: &str, row_1based: u32) -> &mut Self {
        self.sheet(sheet)
            .cells
            .retain(|(row, _, _)| *row != row_1based - 1);
        self
    }

    pub fn rename(&mut self, from: &str, to: &str) -> &mut Self {
        self.sheet(from).name = to.to_string();
        self
    }

    /// A correct Swedish workbook in the template's plain layout. Budget 120 000 kr, of which
    /// 50 000 kr base funding; three participants, two of them regions.
    pub fn valid_sv() -> Book {
        let plan = SheetSpec {
            name: "Projektplan".into(),
            cells: rows(&[
                ("A1", s("Projektplan för Reglabs provrum")),
                ("A3", s("Provrummets namn")),
                ("B3", s("Drönare – nya frågeställningar")),
                ("A4", s("Tema")),
                ("B4", s("Drönare i regional utveckling")),
                ("A5", s("Syfte")),
                (
                    "B5",
                    s("Pröva hur regioner kan använda drönare i tillsyn och beredskap."),
                ),
                ("A6", s("Förväntat resultat")),
                ("B6", s("En vägledning för regioner.")),
                ("A7", s("Huvudfrågeställning")),
                (
                    "B7",
                    s("Vilka frågor väcker drönare för det regionala utvecklingsansvaret?"),
                ),
                ("A8", s("Avgränsningar")),
                ("B8", s("Inga inköp av drönare.")),
                ("A9", s("Startdatum")),
                ("B9", d(2025, 3, 1)),
                ("A10", s("Slutdatum")),
                ("B10", d(2025, 6, 30)),
                ("A11", s("Resurser")),
                ("B11", s("Två utredare, en extern expert.")),
                ("A12", s("Kriterier för lyckat resultat")),
                ("B12", s("Vägledningen används av minst två regioner.")),
                ("A13", s("Indikatorer")),
                ("B13", s("Antal nedladdningar, deltagarnas bedömning.")),
            ]),
        };
        let participants = SheetSpec {
            name: "Deltagare".into(),
            cells: rows(&[
                ("A1", s("Organisation")),
                ("B1", s("Typ")),
                ("C1", s("Roll")),
                ("A2", s("Region Östergötland")),
                ("B2", s("Region")),
                ("C2", s("Ledare")),
                ("A3", s("Region Skåne")),
                ("B3", s("Region")),
                ("C3", s("Deltagare")),
                ("A4", s("Norrköpings kommun")),
                ("B4", s("Medlem")),
                ("C4", s("Deltagare")),
            ]),
        };
        let budget = SheetSpec {
            name: "Budget".into(),
            cells: rows(&[
                ("A1", s("Kostnadspost")),
                ("B1", s("Kategori")),
                ("C1", s("Belopp (kr)")),
                ("D1", s("Finansiär")),
                ("E1", s("Kommentar")),
                ("A2", s("Projektledning")),
                ("B2", s("Arbetstid")),
                ("C2", V::N(50_000.0)),
                ("D2", s("Region Östergötland")),
                ("A3", s("Extern drönarexpert")),
                ("B3", s("Expertstöd")),
                ("C3", V::N(40_000.0)),
                ("D3", s("Reglab basfinansiering")),
                ("A4", s("Workshop")),
                ("B4", s("Möten och lokaler")),
                ("C4", V::N(10_000.0)),
                ("D4", s("Reglab")),
                ("E4", s("Två tillfällen")),
                ("A5", s("Resor")),
                ("B5", s("Resor")),
                ("C5", V::N(20_000.0)),
                ("D5", s("Region Skåne")),
                ("A6", s("Summa")),
                ("C6", V::F("SUM(C2:C5)".into(), 120_000.0)),
            ]),
        };
        Book {
            sheets: vec![plan, participants, budget],
        }
    }

    /// A correct English workbook laid out differently: an extra sheet first, a title above the
    /// headers, columns in another order, labels in column B, ISO text dates, text amounts with
    /// Swedish separators, empty rows and a `Total` row. Budget 120 000,50 kr, base 50 000 kr.
    pub fn valid_en_shuffled() -> Book {
        let notes = SheetSpec {
            name: "Notes".into(),
            cells: rows(&[("A1", s("Scratch space; ignored."))]),
        };
        let plan = SheetSpec {
            name: "Project plan".into(),
            cells: rows(&[
                ("B2", s("Name:")),
                ("C2", s("Drones – new questions")),
                ("B3", s("  PURPOSE ")),
                (
                    "C3",
                    s("Try how regions can use drones in supervision and preparedness."),
                ),
                ("B4", s("Expected result")),
                ("C4", s("Guidance for regions.")),
                ("B5", s("Main question")),
                (
                    "C5",
                    s("What questions do drones raise for regional development?"),
                ),
                ("B6", s("Delimitations")),
                ("C6", s("No purchase of drones.")),
                ("B8", s("Start date")),
                ("C8", s("2025-03-01")),
                ("B9", s("End date")),
                ("C9", s("2025-06-30")),
                ("B10", s("Resources")),
                ("C10", s("Two analysts, one external expert.")),
                ("B11", s("Success criteria")),
                ("C11", s("Used by at least two regions.")),
                ("B12", s("Indicators")),
                ("C12", s("Downloads; participants' assessment.")),
            ]),
        };
        let participants = SheetSpec {
            name: "participants".into(),
            cells: rows(&[
                ("A1", s("Who takes part")),
                ("A4", s("Role")),
                ("B4", s("Organisation")),
                ("C4", s("Kind")),
                ("D4", s("Contact")),
                ("A5", s("Leader")),
                ("B5", s("Region Östergötland")),
                ("C5", s("region")),
                ("D5", s("anna@example.se")),
                ("A7", s("Participant")),
                ("B7", s(" Region Skåne ")),
                ("C7", s("Region")),
                ("A8", s("participant")),
                ("B8", s("Norrköpings kommun")),
                ("C8", s("Member")),
            ]),
        };
        let budget = SheetSpec {
            name: "Budget".into(),
            cells: rows(&[
                ("A1", s("Budget for the provrum")),
                ("A3", s("Funder")),
                ("B3", s("Amount (SEK):")),
                ("C3", s("Item")),
                ("D3", s("Category")),
                ("F3", s("Comment")),
                ("A4", s("region östergötland")),
                ("B4", s("50 000 kr")),
                ("C4", s("Project management")),
                ("D4", s("Working time")),
                ("A5", s("Reglab base funding")),
                ("B5", s("40\u{00A0}000")),
                ("C5", s("External drone expert")),
                ("D5", s("expert support")),
                ("A7", s("Reglab")),
                ("B7", V::N(10_000.0)),
                ("C7", s("Workshop")),
                ("D7", s("Meetings and venues")),
                ("A8", s("Region Skåne")),
                ("B8", s("20000,50 SEK")),
                ("C8", s("Travel")),
                ("D8", s("Travel")),
                ("A10", s("Total")),
                ("B10", V::F("SUM(B4:B8)".into(), 30_000.0)),
            ]),
        };
        Book {
            sheets: vec![notes, plan, participants, budget],
        }
    }

    pub fn to_xlsx(&self) -> Vec<u8> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
        let mut book = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for spec in &self.sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(&spec.name).expect("sheet name");
            for (r, c, v) in spec.sorted() {
                let c = c as u16;
                match v {
                    V::S(t) => sheet.write_string(r, c, t).map(|_| ()),
                    V::N(n) => sheet.write_number(r, c, n).map(|_| ()),
                    V::B(b) => sheet.write_boolean(r, c, b).map(|_| ()),
                    V::D(day) => {
                        let dt = ExcelDateTime::from_ymd(
                            day.year() as u16,
                            day.month() as u8,
                            day.day() as u8,
                        )
                        .expect("date");
                        sheet
                            .write_datetime_with_format(r, c, dt, &date)
                            .map(|_| ())
                    }
                    V::F(f, cached) => sheet
                        .write_formula(
                            r,
                            c,
                            Formula::new(format!("={f}")).set_result(cached.to_string()),
                        )
                        .map(|_| ()),
                }
                .expect("write cell");
            }
        }
        book.save_to_buffer().expect("xlsx")
    }

    pub fn to_ods(&self) -> Vec<u8> {
        let mut content = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"><office:body><office:spreadsheet>"#,
        );
        for spec in &self.sheets {
            content.push_str(&format!(
                r#"<table:table table:name="{}">"#,
                xml_escape(&spec.name)
            ));
            let cells = spec.sorted();
            let mut next_row = 0u32;
            for row in cells.chunk_by(|a, b| a.0 == b.0) {
                let r = row[0].0;
                if r > next_row {
                    content.push_str(&format!(r#"<table:table-row table:number-rows-repeated="{}"><table:table-cell/></table:table-row>"#, r - next_row));
                }
                content.push_str("<table:table-row>");
                let mut next_col = 0u32;
                for (_, c, v) in row {
                    if *c > next_col {
                        content.push_str(&format!(
                            r#"<table:table-cell table:number-columns-repeated="{}"/>"#,
                            c - next_col
                        ));
                    }
                    content.push_str(&ods_cell(v));
                    next_col = c + 1;
                }
                content.push_str("</table:table-row>");
                next_row = r + 1;
            }
            content.push_str("</table:table>");
        }
        content.push_str("</office:spreadsheet></office:body></office:document-content>");
        ods_package(&content)
    }

    pub fn to_xls(&self) -> Vec<u8> {
        xls::write(self)
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ods_cell(v: &V) -> String {
    match v {
        V::S(t) => format!(
            r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
            xml_escape(t)
        ),
        V::N(n) => format!(
            r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>"#
        ),
        V::B(b) => format!(
            r#"<table:table-cell office:value-type="boolean" office:boolean-value="{b}"><text:p>{b}</text:p></table:table-cell>"#
        ),
        V::D(day) => {
            let iso = day.format("%Y-%m-%d");
            format!(
                r#"<table:table-cell office:value-type="date" office:date-value="{iso}"><text:p>{iso}</text:p></table:table-cell>"#
            )
        }
        V::F(f, cached) => format!(
            r#"<table:table-cell table:formula="of:={}" office:value-type="float" office:value="{cached}"><text:p>{cached}</text:p></table:table-cell>"#,
            xml_escape(f)
        ),
    }
}

/// An .ods package around a content.xml (mimetype first and stored, as the format requires).
pub fn ods_package(content: &str) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).expect("zip");
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("zip");
    zip.start_file("META-INF/manifest.xml", deflated)
        .expect("zip");
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .expect("zip");
    zip.start_file("content.xml", deflated).expect("zip");
    zip.write_all(content.as_bytes()).expect("zip");
    zip.finish().expect("zip").into_inner()
}

/// Rewrites one part of a zip package (for hostile variants of a real workbook).
pub fn replace_zip_part(package: &[u8], part: &str, body: &[u8]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut input = zip::ZipArchive::new(Cursor::new(package)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut replaced = false;
    for i in 0..input.len() {
        let mut file = input.by_index(i).expect("entry");
        let name = file.name().expect("name").to_string();
        out.start_file(name.as_str(), deflated).expect("zip");
        if name == part {
            out.write_all(body).expect("zip");
            replaced = true;
        } else {
            std::io::copy(&mut file, &mut out).expect("copy");
        }
    }
    if !replaced {
        out.start_file(part, deflated).expect("zip");
        out.write_all(body).expect("zip");
    }
    out.finish().expect("zip").into_inner()
}

/// Reads one part of a zip package as text.
pub fn zip_part(package: &[u8], part: &str) -> String {
    use std::io::Read;
    let mut input = zip::ZipArchive::new(Cursor::new(package)).expect("zip");
    let mut file = input.by_name(part).expect("part");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("utf-8");
    text
}

pub mod xls {
    //! A minimal BIFF8 writer: enough records for calamine to read strings (SST), numbers,
    //! dates (an XF with the built-in date format) and formulas with cached numbers.

    use super::{Book, V};
    use chrono::NaiveDate;
    use std::io::{Cursor, Write};

    pub fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = Vec::with_capacity(4 + data.len());
        r.extend_from_slice(&typ.to_le_bytes());
        r.extend_from_slice(&(data.len() as u16).to_le_bytes());
        r.extend_from_slice(data);
        r
    }

    fn bof(dt: u16) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(&0x0600u16.to_le_bytes());
        d.extend_from_slice(&dt.to_le_bytes());
        d.extend_from_slice(&[0u8; 12]);
        record(0x0809, &d)
    }

    fn xf(ifmt: u16) -> Vec<u8> {
        let mut d = vec![0u8; 20];
        d[2..4].copy_from_slice(&ifmt.to_le_bytes());
        record(0x00E0, &d)
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    }

    fn boundsheet(offset: u32, name: &str) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(&offset.to_le_bytes());
        d.extend_from_slice(&[0, 0]);
        d.push(name.encode_utf16().count() as u8);
        d.push(1);
        d.extend_from_slice(&utf16(name));
        record(0x0085, &d)
    }

    fn cell_head(r: u32, c: u32, xf: u16) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(&(r as u16).to_le_bytes());
        d.extend_from_slice(&(c as u16).to_le_bytes());
        d.extend_from_slice(&xf.to_le_bytes());
        d
    }

    fn excel_serial(day: NaiveDate) -> f64 {
        let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch");
        (day - epoch).num_days() as f64
    }

    /// The Workbook stream for a book, with `extra_sheet_records` appended to each sheet before
    /// its EOF (for hostile variants).
    pub fn workbook_stream(book: &Book, extra_sheet_records: &[u8]) -> Vec<u8> {
        let mut strings: Vec<String> = Vec::new();
        for sheet in &book.sheets {
            for (_, _, v) in &sheet.cells {
                if let V::S(t) = v
                    && !strings.contains(t)
                {
                    strings.push(t.clone());
                }
            }
        }
        let mut sst = Vec::new();
        sst.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        sst.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        for t in &strings {
            sst.extend_from_slice(&(t.encode_utf16().count() as u16).to_le_bytes());
            sst.push(1);
            sst.extend_from_slice(&utf16(t));
        }
        assert!(sst.len() <= 8224, "fixture SST needs CONTINUE records");

        let sheets: Vec<Vec<u8>> = book
            .sheets
            .iter()
            .map(|sheet| {
                let mut s = bof(0x0010);
                for (r, c, v) in sheet.sorted() {
                    match v {
                        V::S(t) => {
                            let mut d = cell_head(r, c, 15);
                            let index =
                                strings.iter().position(|x| *x == t).expect("in SST") as u32;
                            d.extend_from_slice(&index.to_le_bytes());
                            s.extend(record(0x00FD, &d));
                        }
                        V::N(n) => {
                            let mut d = cell_head(r, c, 15);
                            d.extend_from_slice(&n.to_le_bytes());
                            s.extend(record(0x0203, &d));
                        }
                        V::D(day) => {
                            let mut d = cell_head(r, c, 16);
                            d.extend_from_slice(&excel_serial(day).to_le_bytes());
                            s.extend(record(0x0203, &d));
                        }
                        V::B(b) => {
                            let mut d = cell_head(r, c, 15);
                            d.extend_from_slice(&[u8::from(b), 0]);
                            s.extend(record(0x0205, &d));
                        }
                        V::F(_, cached) => {
                            let mut d = cell_head(r, c, 15);
                            d.extend_from_slice(&cached.to_le_bytes());
                            d.extend_from_slice(&[0u8; 6]); // grbit, chn
                            d.extend_from_slice(&[0u8; 2]); // empty formula (cce = 0)
                            s.extend(record(0x0006, &d));
                        }
                    }
                }
                s.extend_from_slice(extra_sheet_records);
                s.extend(record(0x000A, &[]));
                s
            })
            .collect();

        let globals_without_sheets = {
            let mut g = bof(0x0005);
            g.extend(record(0x0042, &1200u16.to_le_bytes()));
            for _ in 0..15 {
                g.extend(xf(0));
            }
            g.extend(xf(0)); // 15: General
            g.extend(xf(14)); // 16: the built-in date format
            g
        };
        let boundsheets_len: usize = book
            .sheets
            .iter()
            .map(|s| boundsheet(0, &s.name).len())
            .sum();
        let sst_record = record(0x00FC, &sst);
        let eof = record(0x000A, &[]);
        let mut offset =
            (globals_without_sheets.len() + boundsheets_len + sst_record.len() + eof.len()) as u32;
        let mut stream = globals_without_sheets;
        for (spec, body) in book.sheets.iter().zip(&sheets) {
            stream.extend(boundsheet(offset, &spec.name));
            offset += body.len() as u32;
        }
        stream.extend(sst_record);
        stream.extend(eof);
        for body in sheets {
            stream.extend(body);
        }
        stream
    }

    /// A compound file holding a Workbook stream.
    pub fn package(stream: &[u8]) -> Vec<u8> {
        let mut file =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
                .expect("cfb");
        {
            let mut s = file.create_stream("/Workbook").expect("stream");
            s.write_all(stream).expect("write");
            // Excel pads the stream to at least 4096 bytes (out of the mini stream).
            if stream.len() < 4096 {
                s.write_all(&vec![0u8; 4096 - stream.len()]).expect("pad");
            }
        }
        file.flush().expect("flush");
        file.into_inner().into_inner()
    }

    pub fn write(book: &Book) -> Vec<u8> {
        package(&workbook_stream(book, &[]))
    }
}
