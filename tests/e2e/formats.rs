//! The .xlsx, .ods and .xls read paths give the same result for the same workbook.

use crate::helpers::{assert_fired, check_bytes, fired};
use provrum_tests::{Book, V, d, replace_zip_part, s, zip_part};

fn all_formats(book: &Book) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("book.xlsx", book.to_xlsx()),
        ("book.ods", book.to_ods()),
        ("book.xls", book.to_xls()),
    ]
}

#[test]
fn a_valid_workbook_passes_in_every_format() {
    for book in [Book::valid_sv(), Book::valid_en_shuffled()] {
        for (name, bytes) in all_formats(&book) {
            let c = check_bytes(&bytes, name);
            assert_fired(&c, &[]);
            assert_eq!(c.summary.participants, 3, "{name}");
            assert_eq!(c.summary.base_funding_ore.ore(), 5_000_000, "{name}");
        }
    }
}

#[test]
fn findings_and_cells_agree_across_formats() {
    let mut book = Book::valid_sv();
    book.set("Budget", "C5", Some(s("12.500")))
        .set("Budget", "B4", Some(s("Fika")))
        .set("Projektplan", "B10", Some(d(2025, 12, 31)))
        .set("Deltagare", "B4", Some(s("Kommun")));
    let expected = [
        "TID-1@Projektplan!B10",
        "DELT-6@Deltagare!B4",
        "BUD-3@Budget!B4",
        "BUD-2@Budget!C5",
    ];
    for (name, bytes) in all_formats(&book) {
        let c = check_bytes(&bytes, name);
        assert_eq!(fired(&c), expected, "{name}: {:#?}", c.findings);
    }
}

#[test]
fn xlsm_is_read_like_xlsx() {
    let c = check_bytes(&Book::valid_sv().to_xlsx(), "budget.xlsm");
    assert_fired(&c, &[]);
}

#[test]
fn dates_are_read_from_date_cells_in_every_format() {
    let mut book = Book::valid_sv();
    book.set("Projektplan", "B10", Some(d(2025, 12, 31)));
    for (name, bytes) in all_formats(&book) {
        let c = check_bytes(&bytes, name);
        assert_fired(&c, &["TID-1@Projektplan!B10"]);
        assert!(
            c.findings[0].message.contains("2025-03-01 – 2025-12-31"),
            "{name}: {}",
            c.findings[0].message
        );
    }
}

#[test]
fn cached_formula_values_are_read() {
    // The totals row is a formula and is skipped; a formula in an amount cell counts by its value.
    let mut book = Book::valid_sv();
    book.set("Budget", "C5", Some(V::F("10000*2".into(), 20_000.0)));
    for (name, bytes) in all_formats(&book) {
        let c = check_bytes(&bytes, name);
        assert_fired(&c, &[]);
        assert_eq!(c.summary.total_budget_ore.ore(), 12_000_000, "{name}");
    }
}

#[test]
fn a_formula_error_in_an_amount_cell_is_bud_2() {
    let xlsx = Book::valid_sv().to_xlsx();
    let sheet = zip_part(&xlsx, "xl/worksheets/sheet3.xml");
    let start = sheet.find("<c r=\"C5\"").expect("C5 is in the sheet");
    let end = start + sheet[start..].find("</c>").expect("cell end") + 4;
    for (formula, error) in [("1/0", "#DIV/0!"), ("#REF!*2", "#REF!")] {
        let broken = format!(
            "{}<c r=\"C5\" t=\"e\"><f>{formula}</f><v>{error}</v></c>{}",
            &sheet[..start],
            &sheet[end..]
        );
        let c = check_bytes(
            &replace_zip_part(&xlsx, "xl/worksheets/sheet3.xml", broken.as_bytes()),
            "budget.xlsx",
        );
        assert_fired(&c, &["BUD-2@Budget!C5"]);
        assert!(
            c.findings[0].message.contains(error),
            "{}",
            c.findings[0].message
        );
    }
}

/// The plan's start and end (B9, B10) as read.
fn plan_dates(bytes: &[u8]) -> (provrum_rules::sheet::Value, provrum_rules::sheet::Value) {
    let book = provrum_workbook::read(bytes, Some("plan.xlsx")).expect("readable");
    let plan = book
        .sheets
        .iter()
        .find(|s| s.name == "Projektplan")
        .expect("plan sheet");
    let at = |row| plan.get(row, 1).cloned().expect("a value");
    (at(8), at(9))
}

/// `sheet` with the `<v>` of cell `a1` replaced by `value`.
fn with_cell_value(sheet: &str, a1: &str, value: &str) -> String {
    let start = sheet.find(&format!("<c r=\"{a1}\"")).expect("cell");
    let v = start + sheet[start..].find("<v>").expect("value") + 3;
    let end = v + sheet[v..].find("</v>").expect("value end");
    format!("{}{value}{}", &sheet[..v], &sheet[end..])
}

#[test]
fn a_1904_workbook_reads_the_same_dates() {
    use provrum_rules::sheet::Value;
    let xlsx = Book::valid_sv().to_xlsx();
    let workbook =
        zip_part(&xlsx, "xl/workbook.xml").replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1);
    // The 1904 date system counts from 1904-01-01: the same day is 1 462 serials lower.
    let sheet = zip_part(&xlsx, "xl/worksheets/sheet1.xml");
    let serial = |d: chrono::NaiveDate| {
        (d - chrono::NaiveDate::from_ymd_opt(1904, 1, 1).expect("epoch")).num_days()
    };
    let sheet = with_cell_value(&sheet, "B9", &serial(day(2025, 3, 1)).to_string());
    let sheet = with_cell_value(&sheet, "B10", &serial(day(2025, 6, 30)).to_string());
    let bytes = replace_zip_part(
        &replace_zip_part(&xlsx, "xl/workbook.xml", workbook.as_bytes()),
        "xl/worksheets/sheet1.xml",
        sheet.as_bytes(),
    );
    assert_eq!(
        plan_dates(&bytes),
        (Value::Date(day(2025, 3, 1)), Value::Date(day(2025, 6, 30)))
    );
    assert_fired(&check_bytes(&bytes, "1904.xlsx"), &[]);
}

#[test]
fn dates_before_1900_are_read_as_written_and_judged_at_their_cells() {
    use provrum_rules::sheet::Value;
    // Excel has no dates before 1900: they are typed as text, or are a date cell's serial below
    // one. Text is read as the date it says; a serial below one counts back from the epoch
    // (0 = 1899-12-31), and either way the rules judge the plan, located at its cells.
    let mut book = Book::valid_sv();
    book.set("Projektplan", "B9", Some(s("1899-12-31")));
    let xlsx = book.to_xlsx();
    let (start, _) = plan_dates(&xlsx);
    assert_eq!(
        provrum_rules::plan::read_date(&start),
        Some(day(1899, 12, 31))
    );
    let c = check_bytes(&xlsx, "1899.xlsx");
    assert!(
        fired(&c).iter().all(|f| !f.starts_with("FORM-1")),
        "{:?}",
        fired(&c)
    );

    let xlsx = Book::valid_sv().to_xlsx();
    let sheet = with_cell_value(&zip_part(&xlsx, "xl/worksheets/sheet1.xml"), "B9", "-5");
    let bytes = replace_zip_part(&xlsx, "xl/worksheets/sheet1.xml", sheet.as_bytes());
    let (start, _) = plan_dates(&bytes);
    assert_eq!(start, Value::Date(day(1899, 12, 26)));
    let c = check_bytes(&bytes, "negativ.xlsx");
    let rules = fired(&c);
    assert!(rules.iter().all(|f| !f.starts_with("FORM-1")), "{rules:?}");
    assert!(
        rules
            .iter()
            .any(|f| f.starts_with("TID-") && f.contains("@Projektplan!B")),
        "{rules:?}"
    );
}

fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// The checker streams the Budget sheet row by row; a sheet whose rows come out of order (which
/// no spreadsheet program writes, but a zip can hold) is read again whole, with the same result
/// as the same rows in order — `check_bytes` asserts streamed and whole agree.
#[test]
fn a_budget_sheet_with_rows_out_of_order_is_read_like_the_same_rows_in_order() {
    let mut book = provrum_tests::bench::budget_book(60);
    book.set("Budget", "C5", Some(s("12.500")))
        .set("Budget", "B45", Some(s("Fika")));
    let xlsx = book.to_xlsx();
    let sheet = zip_part(&xlsx, "xl/worksheets/sheet3.xml");
    // Move the last <row> of sheetData to the front.
    let data = sheet.find("<sheetData>").expect("sheetData") + "<sheetData>".len();
    let end = sheet.find("</sheetData>").expect("sheetData end");
    let last = sheet[..end].rfind("<row ").expect("a row");
    let reordered = format!(
        "{}{}{}{}",
        &sheet[..data],
        &sheet[last..end],
        &sheet[data..last],
        &sheet[end..]
    );
    assert_ne!(reordered, sheet);
    let shuffled = replace_zip_part(&xlsx, "xl/worksheets/sheet3.xml", reordered.as_bytes());
    let in_order = check_bytes(&xlsx, "budget.xlsx");
    let out_of_order = check_bytes(&shuffled, "budget.xlsx");
    assert_fired(&in_order, &["BUD-2@Budget!C5", "BUD-3@Budget!B45"]);
    assert_eq!(out_of_order, in_order);
}
