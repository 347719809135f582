//! .ods: calamine builds every sheet as a dense grid when it opens the file (repeated rows and
//! columns expanded, up to 100 million cells), so content.xml is first walked here, streaming,
//! to learn how large those grids would be.

use crate::{Limits, ReadError, push_range, read_sheets, zipguard};
use calamine::{Ods, OdsError, Reader};
use provrum_rules::sheet::Workbook;
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Cursor};

/// calamine's own caps on repeats (rows, columns of one sheet).
const CALAMINE_MAX_ROWS: u64 = 1_048_576;
const CALAMINE_MAX_COLUMNS: u64 = 16_384;

fn damaged(e: OdsError) -> ReadError {
    match e {
        OdsError::Password => ReadError::Encrypted,
        other => ReadError::Damaged {
            detail: other.to_string(),
        },
    }
}

fn repeats(e: &BytesStart<'_>, attr: &str) -> u64 {
    e.try_get_attribute(attr)
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// The cells calamine would allocate for all sheets: per sheet, the widest row (up to its last
/// non-empty cell) times the rows up to the last non-empty one, repeats expanded.
fn grid_cells(bytes: &[u8], limits: &Limits) -> Result<u64, ReadError> {
    let mut zip = zipguard::open(bytes)?;
    let content = zip.by_name("content.xml").map_err(|e| ReadError::Damaged {
        detail: format!("content.xml: {e}"),
    })?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut total = 0u64;
    // Per sheet: rows so far, rows up to the last non-empty, widest row.
    let (mut rows, mut height, mut width) = (0u64, 0u64, 0u64);
    // Per row: its repeats, the column reached, the end of its last non-empty cell.
    let (mut row_repeats, mut col, mut row_width) = (1u64, 0u64, 0u64);
    let mut in_cell: Option<u64> = None;
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| ReadError::Damaged {
                detail: format!("content.xml: {e}"),
            })?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    "table:table" => (rows, height, width) = (0, 0, 0),
                    "table:table-row" => {
                        row_repeats = repeats(e, "table:number-rows-repeated")
                            .min(CALAMINE_MAX_ROWS.saturating_sub(rows))
                            .max(1);
                        (col, row_width) = (0, 0);
                        if empty {
                            rows += row_repeats;
                        }
                    }
                    "table:table-cell" | "table:covered-table-cell" => {
                        let n = repeats(e, "table:number-columns-repeated")
                            .min(CALAMINE_MAX_COLUMNS.saturating_sub(col));
                        let valued = e
                            .try_get_attribute("office:value-type")
                            .ok()
                            .flatten()
                            .is_some();
                        if valued {
                            row_width = col + n;
                        }
                        if empty {
                            col += n;
                        } else {
                            in_cell = Some(n);
                        }
                    }
                    _ => {
                        // Any element inside a cell (text:p …) may make it non-empty.
                        if let Some(n) = in_cell {
                            row_width = row_width.max(col + n);
                        }
                    }
                }
            }
            Event::Text(ref t) if in_cell.is_some() && !t.trim().is_empty() => {
                row_width = row_width.max(col + in_cell.unwrap_or(1));
            }
            Event::End(ref e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => {
                    col += in_cell.take().unwrap_or(1);
                }
                "table:table-row" => {
                    rows += row_repeats;
                    if row_width > 0 {
                        height = rows;
                        width = width.max(row_width);
                    }
                }
                "table:table" => {
                    total = total.saturating_add(height.saturating_mul(width));
                    if total > limits.max_grid_cells {
                        return Err(ReadError::GridTooLarge {
                            cells: total,
                            limit: limits.max_grid_cells,
                        });
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(total)
}

pub(crate) fn read(bytes: &[u8], limits: &Limits, stream: bool) -> Result<Workbook, ReadError> {
    zipguard::guard(bytes, limits)?;
    grid_cells(bytes, limits)?;
    let mut book: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(damaged)?;
    let names = book.sheet_names();
    read_sheets(names, limits, stream, |name, cells| {
        push_range(&book.worksheet_range(name).map_err(damaged)?, cells)
    })
}
