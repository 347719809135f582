//! Reads the Reglab workbook (.xlsx, .xlsm, .xls, .ods) into [`provrum_rules::sheet`] types,
//! with every value's sheet and cell, and with bounds no file can get past.
//!
//! Files come from strangers' machines. Before calamine sees a file, its container is checked
//! with our own limits: the file size, every zip part's real decompressed size (not the size the
//! zip claims), the longest stretch of XML between two tags (one cell's text), and, for .ods and
//! .xls whose readers build dense grids at open, the grid each sheet would become. Cells are then
//! read one by one within a fixed window of rows and columns — never as calamine `Range`s of
//! .xlsx sheets, which a single far cell would blow up (calamine issue #693). A panic inside a
//! library is caught here. Whatever goes wrong ends as a [`ReadError`], which the rules turn into
//! FORM-1.

mod ods;
mod repack;
pub mod template;
mod xls;
mod xlsx;
mod zipguard;

use provrum_rules::money::group_digits;
use provrum_rules::sheet::{Cell, Value, Workbook};
use provrum_rules::{Checked, Context, Text, layout::SheetKind};
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// How much a file may ask of us. [`Limits::default`] is what every caller uses; tests may shrink
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The upload limit (docs/api.md: 413 beyond 5 MB).
    pub max_file_bytes: usize,
    /// One zip part, decompressed: worksheets and content.xml.
    pub max_part_bytes: u64,
    /// The shared strings, decompressed (held in memory whole by calamine).
    pub max_strings_bytes: u64,
    /// Every part read, decompressed, together.
    pub max_total_bytes: u64,
    /// Entries in a zip.
    pub max_entries: usize,
    /// The longest run of XML between two `<`: bounds any single cell's text.
    pub max_xml_text: u64,
    /// Rows read per sheet; a value below this is refused (FORM-1), never silently dropped.
    pub max_rows: u32,
    /// Columns read per sheet; cells further right are ignored (extra columns are allowed).
    pub max_cols: u32,
    /// Cells a dense-grid reader (.ods, .xls) may be asked to build, all sheets together.
    pub max_grid_cells: u64,
    /// Cells an .xlsx sheet may hand the reader, empty ones included, all sheets together: an
    /// 84 KB file of 47 MB of empty `<c/>` elements is refused (FORM-1) after this many instead
    /// of being walked to its end.
    pub max_cells_visited: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 5 * 1024 * 1024,
            max_part_bytes: 48 * 1024 * 1024,
            max_strings_bytes: 24 * 1024 * 1024,
            max_total_bytes: 96 * 1024 * 1024,
            max_entries: 2_000,
            max_xml_text: 256 * 1024,
            max_rows: 200_000,
            max_cols: 256,
            max_grid_cells: 1_000_000,
            max_cells_visited: 2_000_000,
        }
    }
}

/// Why a file could not be read. Each says, in both languages, what a leader can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("file is {size} bytes, over the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("not a workbook ({what})")]
    NotAWorkbook { what: String },
    #[error(".xlsb is not supported")]
    Xlsb,
    #[error("the workbook is password protected")]
    Encrypted,
    #[error("the workbook is damaged: {detail}")]
    Damaged { detail: String },
    #[error("part {part} is over {limit} bytes when decompressed")]
    PartTooLarge { part: String, limit: u64 },
    #[error("the workbook has {entries} zip entries, over {limit}")]
    TooManyEntries { entries: usize, limit: usize },
    #[error("a single value in {part} is over {limit} bytes")]
    ValueTooLong { part: String, limit: u64 },
    #[error("sheet {sheet} has values below row {limit}")]
    TooManyRows { sheet: String, limit: u32 },
    #[error("the sheets would span {cells} cells, over {limit}")]
    GridTooLarge { cells: u64, limit: u64 },
    #[error("the sheets hold more than {limit} cells")]
    TooManyCells { limit: u64 },
    #[error("the reader failed on this file")]
    Panicked,
}

/// A size as people read it: `5 MB`, `256 kB`, `5,1 MB` (Swedish decimal comma in both
/// languages, as amounts are).
fn size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        if tenths.is_multiple_of(10) {
            format!("{} MB", group_digits(tenths / 10))
        } else {
            format!("{},{} MB", group_digits(tenths / 10), tenths % 10)
        }
    } else {
        format!("{} kB", group_digits(bytes.div_ceil(1024)))
    }
}

impl ReadError {
    /// The FORM-1 message.
    pub fn text(&self) -> Text {
        match self {
            ReadError::TooLarge { size: n, limit } => {
                let (n, limit) = (*n as u64, *limit as u64);
                Text::new(
                    format!(
                        "Filen är {} ({} byte) men får vara högst {}.",
                        size(n),
                        group_digits(n),
                        size(limit)
                    ),
                    format!(
                        "The file is {} ({} bytes) but may be at most {}.",
                        size(n),
                        group_digits(n),
                        size(limit)
                    ),
                )
            }
            ReadError::NotAWorkbook { what } => Text::new(
                format!(
                    "Filen är inte en arbetsbok ({what}). Spara den som .xlsx eller .ods och försök igen."
                ),
                format!(
                    "The file is not a workbook ({what}). Save it as .xlsx or .ods and try again."
                ),
            ),
            ReadError::Xlsb => Text::new(
                "Binära arbetsböcker (.xlsb) stöds inte. Spara som .xlsx och försök igen.",
                "Binary workbooks (.xlsb) are not supported. Save as .xlsx and try again.",
            ),
            ReadError::Encrypted => Text::new(
                "Arbetsboken är lösenordsskyddad. Ta bort lösenordet och försök igen.",
                "The workbook is password protected. Remove the password and try again.",
            ),
            ReadError::Damaged { detail } => Text::new(
                format!(
                    "Arbetsboken är skadad och kan inte läsas ({detail}). Öppna och spara den igen, eller använd mallen."
                ),
                format!(
                    "The workbook is damaged and cannot be read ({detail}). Open and save it again, or use the template."
                ),
            ),
            ReadError::PartTooLarge { part, limit } => Text::new(
                format!(
                    "Arbetsboken blir för stor när den packas upp: delen {part} är större än {}.",
                    size(*limit)
                ),
                format!(
                    "The workbook becomes too large when unpacked: the part {part} is larger than {}.",
                    size(*limit)
                ),
            ),
            ReadError::TooManyEntries { entries, limit } => {
                let (entries, limit) = (group_digits(*entries as u64), group_digits(*limit as u64));
                Text::new(
                    format!("Arbetsboken innehåller {entries} delar; högst {limit} tillåts."),
                    format!("The workbook contains {entries} parts; at most {limit} are allowed."),
                )
            }
            ReadError::ValueTooLong { part, limit } => Text::new(
                format!(
                    "Ett värde i arbetsboken ({part}) är längre än {} och kan inte läsas.",
                    size(*limit)
                ),
                format!(
                    "A value in the workbook ({part}) is longer than {} and cannot be read.",
                    size(*limit)
                ),
            ),
            ReadError::TooManyRows { sheet, limit } => {
                let limit = group_digits(u64::from(*limit));
                Text::new(
                    format!(
                        "Bladet {sheet} har värden efter rad {limit}; högst {limit} rader läses."
                    ),
                    format!(
                        "The sheet {sheet} has values after row {limit}; at most {limit} rows are read."
                    ),
                )
            }
            ReadError::TooManyCells { limit } => {
                let limit = group_digits(*limit);
                Text::new(
                    format!(
                        "Arbetsboken har fler än {limit} celler, tomma celler medräknade, och läses inte. \
                         Kopiera värdena till Reglabs mall och försök igen."
                    ),
                    format!(
                        "The workbook has more than {limit} cells, empty ones included, and is not read. \
                         Copy the values into Reglab's template and try again."
                    ),
                )
            }
            ReadError::GridTooLarge { cells, limit } => {
                let limit = group_digits(*limit);
                let (sv, en) = match *cells {
                    u64::MAX => ("orimligt många".to_string(), "absurdly many".to_string()),
                    n => (group_digits(n), group_digits(n)),
                };
                Text::new(
                    format!(
                        "Bladen spänner över {sv} celler; högst {limit} kan läsas. Ta bort värden och formatering långt ut i bladen."
                    ),
                    format!(
                        "The sheets span {en} cells; at most {limit} can be read. Delete values and formatting far out in the sheets."
                    ),
                )
            }
            ReadError::Panicked => Text::new(
                "Arbetsboken kunde inte läsas; filen verkar skadad. Öppna och spara den igen, eller använd mallen.",
                "The workbook could not be read; the file seems damaged. Open and save it again, or use the template.",
            ),
        }
    }
}

/// What the bytes are, by their content (the name only helps the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML (.xlsx, .xlsm)
    Xlsx,
    /// OpenDocument spreadsheet (.ods)
    Ods,
    /// Excel 97–2003 (.xls, a compound file)
    Xls,
}

impl Format {
    /// `xlsx`, `ods` or `xls`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Ods => "ods",
            Format::Xls => "xls",
        }
    }
}

fn sniff(bytes: &[u8], name: Option<&str>) -> Result<Format, ReadError> {
    const CFB: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zipguard::kind_of_zip(bytes);
    }
    if bytes.starts_with(&CFB) {
        return Ok(Format::Xls);
    }
    let what = if bytes.is_empty() {
        "tom fil / empty file".to_string()
    } else if bytes.starts_with(b"%PDF") {
        "PDF".to_string()
    } else if bytes.starts_with(b"PK") {
        "zip".to_string()
    } else if std::str::from_utf8(&bytes[..bytes.len().min(512)]).is_ok() {
        "text".to_string()
    } else {
        "okänt format / unknown format".to_string()
    };
    let what = match name.and_then(|n| n.rsplit_once('.')).map(|(_, ext)| ext) {
        Some(ext) => format!("{what}, .{ext}"),
        None => what,
    };
    Err(ReadError::NotAWorkbook { what })
}

/// Whether a sheet is one the rules read; others are listed by name only.
fn wanted(sheet_name: &str) -> bool {
    SheetKind::ALL.iter().any(|k| k.name().matches(sheet_name))
}

/// Shares the texts a sheet repeats (its categories, its funders): one allocation per distinct
/// short text instead of one per cell. Forgets everything at a bound, so a sheet of distinct
/// texts costs no more than a small table.
#[derive(Default)]
pub(crate) struct Strings(HashSet<Arc<str>, foldhash::fast::RandomState>);

impl Strings {
    const LONGEST: usize = 64;
    const MOST: usize = 4_096;

    fn get(&mut self, text: &str) -> Arc<str> {
        if text.len() > Self::LONGEST {
            return Arc::from(text);
        }
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        if self.0.len() >= Self::MOST {
            self.0.clear();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(shared.clone());
        shared
    }
}

/// Where a sheet's cells go: kept, or (the Budget sheet) turned into cost lines as they come.
enum Sink {
    Cells(Vec<Cell>),
    Budget(Box<provrum_rules::bud::Streaming>),
}

/// Why a sheet's reading stopped: the file cannot be read, or the Budget sheet delivered a row
/// above one already streamed and is read again, whole.
pub(crate) enum Stop {
    Read(ReadError),
    Restart,
}

impl From<ReadError> for Stop {
    fn from(e: ReadError) -> Stop {
        Stop::Read(e)
    }
}

/// Collects one sheet's cells within the row and column window.
pub(crate) struct SheetCells<'l> {
    name: String,
    sink: Sink,
    limits: &'l Limits,
    strings: Strings,
}

impl<'l> SheetCells<'l> {
    fn new(name: &str, limits: &'l Limits, stream: bool) -> Self {
        SheetCells {
            name: name.to_string(),
            sink: if stream {
                Sink::Budget(Box::new(provrum_rules::bud::Streaming::new(name)))
            } else {
                Sink::Cells(Vec::new())
            },
            limits,
            strings: Strings::default(),
        }
    }

    /// The sheet states it spans about `rows` rows (a hint, bounded by the row window).
    fn expect_rows(&mut self, rows: u32) {
        if let Sink::Budget(budget) = &mut self.sink {
            budget.expect_lines(rows.min(self.limits.max_rows) as usize);
        }
    }

    /// A cell as calamine gives it.
    fn push_calamine(
        &mut self,
        row: u32,
        col: u32,
        value: calamine::DataRef<'_>,
    ) -> Result<(), Stop> {
        let value = from_calamine(value, &mut self.strings);
        self.push(row, col, value)
    }

    fn push(&mut self, row: u32, col: u32, value: Value) -> Result<(), Stop> {
        if value.is_blank() || col >= self.limits.max_cols {
            return Ok(());
        }
        if row >= self.limits.max_rows {
            return Err(Stop::Read(ReadError::TooManyRows {
                sheet: self.name.clone(),
                limit: self.limits.max_rows,
            }));
        }
        let cell = Cell { row, col, value };
        match &mut self.sink {
            Sink::Cells(cells) => cells.push(cell),
            Sink::Budget(budget) => budget.push(cell).map_err(|_| Stop::Restart)?,
        }
        Ok(())
    }

    fn finish(self) -> provrum_rules::sheet::Sheet {
        match self.sink {
            Sink::Cells(cells) => provrum_rules::sheet::Sheet::new(self.name, cells),
            Sink::Budget(budget) => budget.finish(),
        }
    }
}

/// Reads every sheet of a workbook: the sheets the rules use through `read_sheet`, the others by
/// name only. When checking, the first Budget sheet is streamed into its cost lines; should its rows come out of
/// order (no spreadsheet program writes them so), it is read again and kept whole.
fn read_sheets(
    names: Vec<String>,
    limits: &Limits,
    stream_budget: bool,
    mut read_sheet: impl FnMut(&str, &mut SheetCells<'_>) -> Result<(), Stop>,
) -> Result<Workbook, ReadError> {
    let mut sheets = Vec::with_capacity(names.len());
    let budget = SheetKind::Budget.name();
    let mut streamed = false;
    for name in names {
        if !wanted(&name) {
            sheets.push(provrum_rules::sheet::Sheet::new(name, Vec::new()));
            continue;
        }
        let stream = stream_budget && !streamed && budget.matches(&name);
        streamed |= stream;
        let mut cells = SheetCells::new(&name, limits, stream);
        match read_sheet(&name, &mut cells) {
            Ok(()) => {}
            Err(Stop::Read(e)) => return Err(e),
            Err(Stop::Restart) => {
                tracing::info!(sheet = %name, "rows out of order: the sheet is read whole");
                cells = SheetCells::new(&name, limits, false);
                // Kept whole, a sheet never asks to restart.
                if let Err(Stop::Read(e)) = read_sheet(&name, &mut cells) {
                    return Err(e);
                }
            }
        }
        sheets.push(cells.finish());
    }
    Ok(Workbook { sheets })
}

/// The cells of a calamine `Range` (as the .ods and .xls readers give them), at their absolute
/// positions.
fn push_range(
    range: &calamine::Range<calamine::Data>,
    cells: &mut SheetCells<'_>,
) -> Result<(), Stop> {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let (row1, _) = range.end().unwrap_or((0, 0));
    cells.expect_rows(row1.saturating_sub(row0).saturating_add(1));
    for (r, c, value) in range.used_cells() {
        cells.push_calamine(
            row0.saturating_add(r as u32),
            col0.saturating_add(c as u32),
            data_ref(value),
        )?;
    }
    Ok(())
}

fn from_calamine(value: calamine::DataRef<'_>, strings: &mut Strings) -> Value {
    use calamine::DataRef as D;
    match value {
        D::Int(i) => Value::Number(i as f64),
        D::Float(f) => Value::Number(f),
        D::String(s) => Value::Text(strings.get(&s)),
        D::SharedString(s) => Value::Text(strings.get(s)),
        D::Bool(b) => Value::Bool(b),
        D::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(d) => Value::Date(d.date()),
            None => Value::Number(dt.as_f64()),
        },
        D::DateTime(dt) => Value::Number(dt.as_f64()),
        D::DateTimeIso(s) => {
            match provrum_rules::plan::read_date(&Value::Text(s.as_str().into())) {
                Some(d) => Value::Date(d),
                None => Value::Text(s.into()),
            }
        }
        D::DurationIso(s) => Value::Text(s.into()),
        D::Error(e) => Value::Error(e.to_string().into()),
        D::Empty => Value::Empty,
    }
}

/// A calamine `Data` (the .ods and .xls readers' cells) seen as a `DataRef`.
fn data_ref(value: &calamine::Data) -> calamine::DataRef<'_> {
    use calamine::{Data as D, DataRef};
    match value {
        D::Int(i) => DataRef::Int(*i),
        D::Float(f) => DataRef::Float(*f),
        D::String(s) => DataRef::SharedString(s),
        D::Bool(b) => DataRef::Bool(*b),
        D::DateTime(dt) => DataRef::DateTime(*dt),
        D::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        D::DurationIso(s) => DataRef::DurationIso(s.clone()),
        D::Error(e) => DataRef::Error(e.clone()),
        D::Empty => DataRef::Empty,
    }
}

/// Reads a workbook with the default limits.
pub fn read(bytes: &[u8], name: Option<&str>) -> Result<Workbook, ReadError> {
    read_with(bytes, name, &Limits::default())
}

/// Reads a workbook within `limits`. Never panics.
pub fn read_with(bytes: &[u8], name: Option<&str>, limits: &Limits) -> Result<Workbook, ReadError> {
    read_detected(bytes, name, limits, Mode::Whole).1
}

/// [`read`] as it was before .xlsx parts were inflated once: the zip guard checks every part of an
/// .xlsx first, then calamine reads the upload as it is. The tests hold [`read`] to the same
/// result for every hostile file; nothing else should call it.
#[doc(hidden)]
pub fn read_guard_first(bytes: &[u8], name: Option<&str>) -> Result<Workbook, ReadError> {
    read_detected(bytes, name, &Limits::default(), Mode::GuardFirst).1
}

/// How a workbook is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every sheet the rules use, whole ([`read`]).
    Whole,
    /// For checking: the Budget sheet streamed into its cost lines ([`check`]).
    Check,
    /// Whole, and an .xlsx checked by the zip guard before calamine reads the upload as it is
    /// ([`read_guard_first`]).
    GuardFirst,
}

impl Mode {
    pub(crate) fn streams_budget(self) -> bool {
        self == Mode::Check
    }
}

/// [`read_with`] in `mode`, and the format the content was found to be (none when it is no
/// workbook).
fn read_detected(
    bytes: &[u8],
    name: Option<&str>,
    limits: &Limits,
    mode: Mode,
) -> (Option<Format>, Result<Workbook, ReadError>) {
    if bytes.len() > limits.max_file_bytes {
        let too_large = ReadError::TooLarge {
            size: bytes.len(),
            limit: limits.max_file_bytes,
        };
        return (None, Err(too_large));
    }
    let mut detected = None;
    let result = catch_unwind(AssertUnwindSafe(|| {
        let format = sniff(bytes, name)?;
        detected = Some(format);
        match format {
            Format::Xlsx => xlsx::read(bytes, limits, mode),
            Format::Ods => ods::read(bytes, limits, mode.streams_budget()),
            Format::Xls => xls::read(bytes, limits, mode.streams_budget()),
        }
    }));
    let result = match result {
        Ok(result) => result,
        Err(_) => {
            tracing::warn!(
                file = name.unwrap_or("-"),
                "a workbook reader panicked; answered FORM-1"
            );
            Err(ReadError::Panicked)
        }
    };
    (detected, result)
}

/// Reads and checks a workbook: the compliance result, or FORM-1 when it cannot be read.
pub fn check(bytes: &[u8], name: Option<&str>, ctx: Context<'_>) -> Checked {
    check_detected(bytes, name, ctx).1
}

/// [`check`], and the format the content was found to be (none when it is no workbook).
pub fn check_detected(
    bytes: &[u8],
    name: Option<&str>,
    ctx: Context<'_>,
) -> (Option<Format>, Checked) {
    let (format, read) = read_detected(bytes, name, &Limits::default(), Mode::Check);
    (format, check_owned(read, ctx))
}

/// Checks what [`read`] gave: the compliance result, or FORM-1 when it could not read the file.
/// For callers that also need the workbook itself.
pub fn check_read(read: &Result<Workbook, ReadError>, ctx: Context<'_>) -> Checked {
    check_owned(read.clone(), ctx)
}

fn check_owned(read: Result<Workbook, ReadError>, ctx: Context<'_>) -> Checked {
    match read {
        Ok(workbook) => provrum_rules::check_workbook(workbook, ctx),
        Err(e) => {
            tracing::info!(error = %e, "workbook refused");
            Checked {
                report: provrum_rules::unreadable(e.text(), ctx.ruleset),
                submission: Default::default(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_too_large_says_the_workbook_becomes_too_large_when_unpacked() {
        let text = ReadError::PartTooLarge {
            part: "xl/worksheets/sheet1.xml".into(),
            limit: 48 * 1024 * 1024,
        }
        .text();
        assert_eq!(
            text.sv,
            "Arbetsboken blir för stor när den packas upp: delen xl/worksheets/sheet1.xml är större än 48 MB."
        );
        assert_eq!(
            text.en,
            "The workbook becomes too large when unpacked: the part xl/worksheets/sheet1.xml is larger than 48 MB."
        );
    }
}
