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
            assert_eq!(c.summary.base_funding_ore.0, 5_000_000, "{name}");
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
        assert_eq!(c.summary.total_budget_ore.0, 12_000_000, "{name}");
    }
}

#[test]
fn a_formula_error_in_an_amount_cell_is_bud_2() {
    let xlsx = Book::valid_sv().to_xlsx();
    let sheet = zip_part(&xlsx, "xl/worksheets/sheet3.xml");
    let start = sheet.find("<c r=\"C5\"").expect("C5 is in the sheet");
    let end = start + sheet[start..].find("</c>").expect("cell end") + 4;
    let broken = format!(
        "{}<c r=\"C5\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c>{}",
        &sheet[..start],
        &sheet[end..]
    );
    let c = check_bytes(
        &replace_zip_part(&xlsx, "xl/worksheets/sheet3.xml", broken.as_bytes()),
        "budget.xlsx",
    );
    assert_fired(&c, &["BUD-2@Budget!C5"]);
    assert!(
        c.findings[0].message.contains("#DIV/0!"),
        "{}",
        c.findings[0].message
    );
}
