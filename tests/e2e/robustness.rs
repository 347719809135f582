//! No input crashes the reader, and the limits leave room for large honest workbooks.

use crate::helpers::{assert_fired, check_bytes};
use provrum_tests::{Book, V, s};

/// A small xorshift generator: the same mutations every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(original: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = original.to_vec();
    match rng.below(4) {
        0 => {
            for _ in 0..1 + rng.below(16) {
                let i = rng.below(bytes.len());
                bytes[i] = rng.next() as u8;
            }
        }
        1 => bytes.truncate(rng.below(bytes.len())),
        2 => {
            let at = rng.below(bytes.len());
            let len = rng.below(512).min(bytes.len() - at);
            let chunk = bytes[at..at + len].to_vec();
            let to = rng.below(bytes.len());
            bytes.splice(to..to, chunk);
        }
        _ => {
            // Overwrite a 4-byte field with an extreme value (sizes, offsets, counts).
            let i = rng.below(bytes.len().saturating_sub(4));
            let v: [u8; 4] = [
                0xFF,
                0xFF,
                0xFF,
                if rng.below(2) == 0 { 0x7F } else { 0xFF },
            ];
            bytes[i..i + 4].copy_from_slice(&v);
        }
    }
    bytes
}

#[test]
fn mutated_workbooks_never_escape_the_reader() {
    let book = Book::valid_sv();
    let mut rng = Rng(0x5EED_CAFE_F00D_BEEF);
    for (name, original) in [
        ("m.xlsx", book.to_xlsx()),
        ("m.ods", book.to_ods()),
        ("m.xls", book.to_xls()),
    ] {
        for round in 0..300 {
            let bytes = mutate(&original, &mut rng);
            // Either a readable result or FORM-1; reaching the next line is the assertion.
            let c = check_bytes(&bytes, name);
            assert!(!c.ruleset.is_empty(), "{name} round {round}");
            // Each part inflated once ends as when the guard checked the zip before calamine.
            assert_eq!(
                provrum_workbook::read(&bytes, Some(name)),
                provrum_workbook::read_guard_first(&bytes, Some(name)),
                "{name} round {round}"
            );
        }
    }
}

/// Reading each .xlsx part once, as calamine streams it, gives every hostile file the same end
/// as checking the whole zip first and then reading it: the same refusal, word for word.
#[test]
fn hostile_files_end_as_when_the_guard_checked_the_zip_first() {
    let cache = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for case in provrum_tests::hostile::cases(&cache) {
        let once = provrum_workbook::read(&case.bytes, Some(case.file_name));
        let first = provrum_workbook::read_guard_first(&case.bytes, Some(case.file_name));
        assert_eq!(once, first, "{}", case.name);
        if let (Some(words), Err(e)) = (case.form_1, &once) {
            assert!(e.text().sv.contains(words), "{}: {e}", case.name);
        }
    }
}

#[test]
fn a_large_honest_workbook_is_read_not_refused() {
    let mut book = Book::valid_sv();
    book.clear_row("Budget", 6);
    let lines = 20_000u32;
    let categories = [
        "Resor",
        "Möten och lokaler",
        "Material och analys",
        "Kommunikation och spridning",
    ];
    for i in 0..lines {
        let row = 5 + i; // 0-based: from row 6 on
        book.push(
            "Budget",
            row,
            0,
            s(&format!(
                "Kostnadspost nummer {i} med en lagom lång beskrivning"
            )),
        )
        .push(
            "Budget",
            row,
            1,
            s(categories[i as usize % categories.len()]),
        )
        .push("Budget", row, 2, V::N(100.0))
        .push("Budget", row, 3, s("Region Skåne"));
    }
    for (name, bytes) in [("stor.xlsx", book.to_xlsx()), ("stor.ods", book.to_ods())] {
        let c = check_bytes(&bytes, name);
        assert_fired(&c, &[]);
        assert_eq!(
            c.summary.total_budget_ore.ore(),
            12_000_000 + i64::from(lines) * 10_000,
            "{name}"
        );
    }
}
