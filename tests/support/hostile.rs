//! Files made to hurt a workbook reader. Each is built from a valid workbook where it can be, so
//! the only thing wrong with it is the attack.

use crate::{Book, V, ods_package, replace_zip_part, xls, zip_part};
use std::io::{Cursor, Write};
use std::path::Path;

/// One hostile file and what must come of it.
pub struct Case {
    pub name: &'static str,
    pub file_name: &'static str,
    pub bytes: Vec<u8>,
    /// `Some(text)`: FORM-1 whose message contains `text`; `None`: a correct check (verdict ok).
    pub form_1: Option<&'static str>,
}

/// Over the 5 MB upload limit.
pub fn oversized() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.resize(5 * 1024 * 1024 + 1, 0);
    bytes
}

/// A valid workbook whose shared strings hold one cell of `len` bytes of text, written streaming
/// so it never exists in memory (1.5 GB deflates to about 1.5 MB). Cached under `dir`.
pub fn text_bomb(dir: &Path, len: u64) -> Vec<u8> {
    with_part(
        dir,
        &format!("text-bomb-{len}.xlsx"),
        "xl/sharedStrings.xml",
        |out| {
            out.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#)
            .expect("zip");
            repeat(out, b"A", len);
            out.write_all(b"</t></si></sst>").expect("zip");
        },
    )
}

/// An xls whose first BOUNDSHEET record is cut short: calamine indexes past its end and panics.
pub fn xls_that_panics_calamine() -> Vec<u8> {
    let mut bof = Vec::new();
    bof.extend_from_slice(&0x0600u16.to_le_bytes());
    bof.extend_from_slice(&0x0005u16.to_le_bytes());
    bof.extend_from_slice(&[0u8; 12]);
    let mut stream = xls::record(0x0809, &bof);
    stream.extend(xls::record(0x0085, &100u32.to_le_bytes()));
    stream.extend(xls::record(0x000A, &[]));
    xls::package(&stream)
}

/// A valid xls whose sheets carry a DIMENSIONS record with the given rows and columns.
pub fn xls_with_dimensions(
    first_row: u32,
    last_row_plus_1: u32,
    first_col: u16,
    last_col_plus_1: u16,
) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(&first_row.to_le_bytes());
    d.extend_from_slice(&last_row_plus_1.to_le_bytes());
    d.extend_from_slice(&first_col.to_le_bytes());
    d.extend_from_slice(&last_col_plus_1.to_le_bytes());
    d.extend_from_slice(&[0, 0]);
    let extra = xls::record(0x0200, &d);
    xls::package(&xls::workbook_stream(&Book::valid_sv(), &extra))
}

/// The valid workbook's Budget sheet as it is stored.
const BUDGET_PART: &str = "xl/worksheets/sheet3.xml";

/// The valid workbook whose shared-strings table claims `unique` strings: calamine reserves room
/// for that many before it reads one.
pub fn claimed_strings(unique: u64) -> Vec<u8> {
    let valid = Book::valid_sv().to_xlsx();
    let sst = zip_part(&valid, "xl/sharedStrings.xml");
    let start = sst.find("uniqueCount=\"").expect("uniqueCount") + "uniqueCount=\"".len();
    let end = start + sst[start..].find('"').expect("quote");
    let sst = format!("{}{unique}{}", &sst[..start], &sst[end..]);
    replace_zip_part(&valid, "xl/sharedStrings.xml", sst.as_bytes())
}

/// The valid workbook plus `extra` tiny parts.
pub fn many_entries(extra: usize) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let valid = Book::valid_sv().to_xlsx();
    let mut zip = zip::ZipWriter::new_append(Cursor::new(valid)).expect("zip");
    for i in 0..extra {
        zip.start_file(
            format!("xl/extra/part{i}.xml"),
            SimpleFileOptions::default(),
        )
        .expect("zip");
        zip.write_all(b"<x/>").expect("zip");
    }
    zip.finish().expect("zip").into_inner()
}

/// The valid workbook with one byte in the middle of its Budget sheet's compressed data flipped.
pub fn corrupted() -> Vec<u8> {
    let mut bytes = Book::valid_sv().to_xlsx();
    let (start, len) = {
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).expect("zip");
        let part = zip.by_name(BUDGET_PART).expect("budget part");
        (
            part.data_start().expect("data start"),
            part.compressed_size(),
        )
    };
    let at = (start + len / 2) as usize;
    bytes[at] ^= 0x5A;
    bytes
}

/// The valid workbook with one part written by `body`, streaming (deflated, zip64 when large),
/// so that a part of gigabytes never exists in memory. Cached under `dir` as `name`.
fn with_part(dir: &Path, name: &str, part: &str, body: impl Fn(&mut dyn Write)) -> Vec<u8> {
    let path = dir.join(name);
    if let Ok(bytes) = std::fs::read(&path) {
        return bytes;
    }
    use zip::write::SimpleFileOptions;
    let valid = Book::valid_sv().to_xlsx();
    let mut input = zip::ZipArchive::new(Cursor::new(&valid)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    for i in 0..input.len() {
        let mut file = input.by_index(i).expect("entry");
        let entry = file.name().expect("name").to_string();
        out.start_file(entry.as_str(), options).expect("zip");
        if entry == part {
            body(&mut out);
        } else {
            std::io::copy(&mut file, &mut out).expect("copy");
        }
    }
    let bytes = out.finish().expect("zip").into_inner();
    let _ = std::fs::write(&path, &bytes);
    bytes
}

/// [`with_part`] for the Budget sheet.
fn with_budget_sheet(dir: &Path, name: &str, body: impl Fn(&mut dyn Write)) -> Vec<u8> {
    with_part(dir, name, BUDGET_PART, body)
}

const SHEET_OPEN: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_CLOSE: &[u8] = b"</sheetData></worksheet>";

/// Writes `unit` `times` times, in blocks.
fn repeat(out: &mut dyn Write, unit: &[u8], times: u64) {
    let per_block = (64 * 1024 / unit.len()).max(1);
    let block = unit.repeat(per_block);
    let mut left = times;
    while left > 0 {
        let n = left.min(per_block as u64) as usize;
        out.write_all(&block[..n * unit.len()]).expect("zip");
        left -= n as u64;
    }
}

/// A Budget sheet of `rows` rows, each one number, numbered by position (no `r` attributes), so
/// a million rows deflate to a few kB.
pub fn many_rows(dir: &Path, rows: u64) -> Vec<u8> {
    with_budget_sheet(dir, &format!("rows-{rows}.xlsx"), |out| {
        out.write_all(SHEET_OPEN).expect("zip");
        repeat(out, b"<row><c><v>1</v></c></row>", rows);
        out.write_all(SHEET_CLOSE).expect("zip");
    })
}

/// A Budget sheet of `cells` empty cells (`<c/>`), a thousand to a row: a CPU bomb, tiny when
/// deflated, that a reader walking every cell would spend seconds on.
pub fn empty_cells(dir: &Path, cells: u64) -> Vec<u8> {
    with_budget_sheet(dir, &format!("empty-cells-{cells}.xlsx"), |out| {
        out.write_all(SHEET_OPEN).expect("zip");
        let row = [b"<row>".to_vec(), b"<c/>".repeat(1000), b"</row>".to_vec()].concat();
        repeat(out, &row, cells / 1000);
        out.write_all(SHEET_CLOSE).expect("zip");
    })
}

/// A Budget sheet that inflates to about `len` bytes of empty elements: a ratio bomb made of
/// structure rather than of one long text.
pub fn structure_bomb(dir: &Path, len: u64) -> Vec<u8> {
    with_budget_sheet(dir, &format!("structure-bomb-{len}.xlsx"), |out| {
        out.write_all(SHEET_OPEN).expect("zip");
        repeat(out, b"<row/>", len / 6);
        out.write_all(SHEET_CLOSE).expect("zip");
    })
}

/// The valid Budget sheet followed by `depth` unknown elements nested inside one another.
pub fn deeply_nested(dir: &Path, depth: u64) -> Vec<u8> {
    let sheet = zip_part(&Book::valid_sv().to_xlsx(), BUDGET_PART);
    let (data, rest) = sheet.split_at(sheet.find("</sheetData>").expect("sheetData") + 12);
    with_budget_sheet(dir, &format!("nested-{depth}.xlsx"), |out| {
        out.write_all(data.as_bytes()).expect("zip");
        repeat(out, b"<x>", depth);
        repeat(out, b"</x>", depth);
        out.write_all(rest.as_bytes()).expect("zip");
    })
}

/// An Excel binary workbook's package (its workbook part is `xl/workbook.bin`).
pub fn xlsb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (part, body) in [
        ("[Content_Types].xml", &b"<Types/>"[..]),
        ("xl/workbook.bin", &[0x83, 0x01, 0x00][..]),
    ] {
        zip.start_file(part, zip::write::SimpleFileOptions::default())
            .expect("zip");
        zip.write_all(body).expect("zip");
    }
    zip.finish().expect("zip").into_inner()
}

/// A password-protected Office workbook as Excel saves one: a compound file holding
/// `EncryptionInfo` and `EncryptedPackage` instead of a zip.
pub fn password_protected() -> Vec<u8> {
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("cfb");
    for (name, body) in [
        ("/EncryptionInfo", &[4u8, 0, 4, 0, 0x40, 0, 0, 0][..]),
        ("/EncryptedPackage", &[0u8; 64][..]),
    ] {
        let mut stream = file.create_stream(name).expect("stream");
        stream.write_all(body).expect("write");
    }
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

/// The valid workbook as .ods, every row ending in an empty cell repeated a billion times (as
/// office suites write a row's blank rest, only more so).
pub fn ods_repeated_columns() -> Vec<u8> {
    let content = zip_part(&Book::valid_sv().to_ods(), "content.xml").replace(
        "</table:table-row>",
        r#"<table:table-cell table:number-columns-repeated="1000000000"/></table:table-row>"#,
    );
    ods_package(&content)
}

/// Every hostile kind of issues 2 and 8, in a fixed order. `dir` caches the large generated files.
pub fn cases(dir: &Path) -> Vec<Case> {
    let valid = Book::valid_sv().to_xlsx();
    let mut far = Book::valid_sv();
    far.set(
        "Budget",
        "XFD1048576",
        Some(V::S("en bortglömd cell".into())),
    );
    let mut far_down = Book::valid_sv();
    far_down.set("Budget", "A1048576", Some(V::S("längst ner".into())));
    let mut far_ods = Book::valid_sv();
    far_ods.set("Budget", "XFD1048576", Some(V::N(1.0)));
    let mut far_xls = Book::valid_sv();
    far_xls.set("Budget", "IV65536", Some(V::N(1.0)));
    let plain_zip = {
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        z.start_file("budget.txt", zip::write::SimpleFileOptions::default())
            .expect("zip");
        z.write_all(b"Resor 100 kr").expect("zip");
        z.finish().expect("zip").into_inner()
    };
    let mut garbage_xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let mut x: u32 = 0x9E37_79B9;
    garbage_xls.extend((0..20_000).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    }));
    let random_stream = xls::package(&garbage_xls[8..]);
    vec![
        Case {
            name: "over 5 MB",
            file_name: "stor.xlsx",
            bytes: oversized(),
            form_1: Some("(5 242 881 byte) men får vara högst 5 MB"),
        },
        Case {
            name: "1.5 GB text cell (deflated)",
            file_name: "bomb.xlsx",
            bytes: text_bomb(dir, 1_500_000_000),
            form_1: Some("längre än 256 kB"),
        },
        Case {
            name: "stray value at XFD1048576",
            file_name: "far.xlsx",
            bytes: far.to_xlsx(),
            form_1: None,
        },
        Case {
            name: "11 million empty cells",
            file_name: "tomma-celler.xlsx",
            bytes: empty_cells(dir, 11_000_000),
            form_1: Some("fler än 2 000 000 celler"),
        },
        Case {
            name: "value at row 1048576",
            file_name: "far-down.xlsx",
            bytes: far_down.to_xlsx(),
            form_1: Some("efter rad 200 000"),
        },
        Case {
            name: "ods grid 16384 x 1048576",
            file_name: "far.ods",
            bytes: far_ods.to_ods(),
            form_1: Some("celler"),
        },
        Case {
            name: "xls grid 256 x 65536",
            file_name: "far.xls",
            bytes: far_xls.to_xls(),
            form_1: Some("celler"),
        },
        Case {
            name: "truncated zip",
            file_name: "halv.xlsx",
            bytes: valid[..valid.len() / 2].to_vec(),
            form_1: Some("skadad"),
        },
        Case {
            name: "PDF named .xlsx",
            file_name: "budget.xlsx",
            bytes: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(),
            form_1: Some("inte en arbetsbok"),
        },
        Case {
            name: "plain zip named .xlsx",
            file_name: "budget.xlsx",
            bytes: plain_zip,
            form_1: Some("inte en arbetsbok"),
        },
        Case {
            name: "text named .ods",
            file_name: "budget.ods",
            bytes: b"Kostnadspost;Belopp\n".to_vec(),
            form_1: Some("inte en arbetsbok"),
        },
        Case {
            name: "garbage .xls",
            file_name: "skrap.xls",
            bytes: garbage_xls,
            form_1: Some("skadad"),
        },
        Case {
            name: "xls with a random Workbook stream",
            file_name: "slump.xls",
            bytes: random_stream,
            form_1: Some(""),
        },
        Case {
            name: "xls DIMENSIONS 65536 x 256",
            file_name: "dim.xls",
            bytes: xls_with_dimensions(0, 65_536, 0, 256),
            form_1: Some("celler"),
        },
        Case {
            name: "xls DIMENSIONS end before start",
            file_name: "dim2.xls",
            bytes: xls_with_dimensions(60_000, 10, 0, 5),
            form_1: Some("celler"),
        },
        Case {
            name: "panic inside calamine",
            file_name: "panik.xls",
            bytes: xls_that_panics_calamine(),
            form_1: Some("kunde inte läsas"),
        },
        Case {
            name: "a byte of a sheet flipped",
            file_name: "skadad.xlsx",
            bytes: corrupted(),
            form_1: Some("skadad"),
        },
        Case {
            name: "2 012 zip entries",
            file_name: "delar.xlsx",
            bytes: many_entries(2_000),
            form_1: Some("högst 2 000 tillåts"),
        },
        Case {
            name: "sheet inflating to 200 MB of elements",
            file_name: "struktur.xlsx",
            bytes: structure_bomb(dir, 200 << 20),
            form_1: Some("blir för stor när den packas upp"),
        },
        Case {
            name: "shared strings claiming 4 billion",
            file_name: "strangar.xlsx",
            bytes: claimed_strings(4_000_000_000),
            form_1: Some("uniqueCount"),
        },
        Case {
            name: "a million rows",
            file_name: "rader.xlsx",
            bytes: many_rows(dir, 1_000_000),
            form_1: Some("efter rad 200 000"),
        },
        Case {
            name: "elements nested 100 000 deep",
            file_name: "djup.xlsx",
            bytes: deeply_nested(dir, 100_000),
            form_1: None,
        },
        Case {
            name: "password-protected .xlsx",
            file_name: "hemlig.xlsx",
            bytes: password_protected(),
            form_1: Some("lösenordsskyddad"),
        },
        Case {
            name: "ods cells repeated a billion times",
            file_name: "upprepad.ods",
            bytes: ods_repeated_columns(),
            form_1: None,
        },
        Case {
            name: ".xlsb",
            file_name: "binar.xlsb",
            bytes: xlsb(),
            form_1: Some("(.xlsb) stöds inte"),
        },
    ]
}
