//! .xlsx and .xlsm: calamine's streaming cell reader, one cell at a time, within our window.

use crate::{Limits, ReadError, read_sheets, zipguard};
use calamine::{Reader, Xlsx, XlsxError};
use provrum_rules::sheet::Workbook;
use std::io::Cursor;

fn damaged(e: XlsxError) -> ReadError {
    match e {
        XlsxError::Password => ReadError::Encrypted,
        other => ReadError::Damaged {
            detail: other.to_string(),
        },
    }
}

pub(crate) fn read(bytes: &[u8], limits: &Limits, stream: bool) -> Result<Workbook, ReadError> {
    zipguard::guard(bytes, limits)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(damaged)?;
    let names = book.sheet_names();
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
            let (row, col) = cell.get_position();
            if col < limits.max_cols {
                cells.push_calamine(row, col, cell.get_value().clone())?;
            }
        }
        Ok(())
    })
}
