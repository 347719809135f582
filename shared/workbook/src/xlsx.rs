//! .xlsx and .xlsm: calamine's streaming cell reader, one cell at a time, within our window, over
//! the upload's parts decompressed once ([`Repacked`]).

use crate::repack::Repacked;
use crate::{Limits, Mode, ReadError, read_sheets, zipguard};
use calamine::{Reader, Xlsx, XlsxError};
use provrum_rules::sheet::Workbook;
use std::io::{Cursor, Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};

fn damaged(e: XlsxError) -> ReadError {
    match e {
        XlsxError::Password => ReadError::Encrypted,
        other => ReadError::Damaged {
            detail: other.to_string(),
        },
    }
}

pub(crate) fn read(bytes: &[u8], limits: &Limits, mode: Mode) -> Result<Workbook, ReadError> {
    let stream = mode.streams_budget();
    if mode == Mode::GuardFirst {
        return read_guard_first(bytes, limits, stream);
    }
    let Some(repacked) = Repacked::new(bytes, limits)? else {
        return read_guard_first(bytes, limits, stream);
    };
    let parts = repacked.handle();
    let read = catch_unwind(AssertUnwindSafe(|| {
        read_sheets_of(repacked, limits, stream)
    }));
    // The guard's verdict comes first, as when it checked the zip before calamine opened it.
    parts.finish()?;
    read.unwrap_or_else(|_| {
        tracing::warn!("calamine panicked on an .xlsx; answered FORM-1");
        Err(ReadError::Panicked)
    })
}

/// The zip checked whole first, then read by calamine as it is (every part inflated twice): for a
/// zip the stored archive cannot re-present, and the reference the stored archive is tested
/// against.
pub(crate) fn read_guard_first(
    bytes: &[u8],
    limits: &Limits,
    stream: bool,
) -> Result<Workbook, ReadError> {
    zipguard::guard(bytes, limits)?;
    read_sheets_of(Cursor::new(bytes), limits, stream)
}

pub(crate) fn read_sheets_of<RS: Read + Seek>(
    archive: RS,
    limits: &Limits,
    stream: bool,
) -> Result<Workbook, ReadError> {
    let mut book: Xlsx<_> = Xlsx::new(archive).map_err(damaged)?;
    let names = book.sheet_names();
    // Every cell the sheets hand over counts, empty or outside the window: the work is in
    // walking them.
    let mut visited: u64 = 0;
    read_sheets(names, limits, stream, |name, cells| {
        let mut reader = book.worksheet_cells_reader(name).map_err(damaged)?;
        let stated = reader.dimensions();
        cells.expect_rows(
            stated
                .end
                .0
                .saturating_sub(stated.start.0)
                .saturating_add(1),
        );
        while let Some(cell) = reader.next_cell().map_err(damaged)? {
            visited += 1;
            if visited > limits.max_cells_visited {
                return Err(ReadError::TooManyCells {
                    limit: limits.max_cells_visited,
                }
                .into());
            }
            let (row, col) = cell.get_position();
            if col < limits.max_cols {
                cells.push_calamine(row, col, cell.get_value().clone())?;
            }
        }
        Ok(())
    })
}
