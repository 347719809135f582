//! .xls (BIFF in a compound file): calamine parses every sheet at open, reserves what a sheet's
//! DIMENSIONS record claims and expands the cells to a dense grid. The BIFF records are walked
//! here first, as calamine will walk them, to learn how large that would be.

use crate::{Limits, ReadError, push_range, read_sheets};
use calamine::{Reader, Xls, XlsError};
use provrum_rules::sheet::Workbook;
use std::io::{Cursor, Read};

fn damaged(e: XlsError) -> ReadError {
    match e {
        XlsError::Password => ReadError::Encrypted,
        other => ReadError::Damaged {
            detail: other.to_string(),
        },
    }
}

fn u16_at(d: &[u8], i: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([*d.get(i)?, *d.get(i + 1)?])))
}

fn u32_at(d: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *d.get(i)?,
        *d.get(i + 1)?,
        *d.get(i + 2)?,
        *d.get(i + 3)?,
    ]))
}

/// BIFF records: (type, data), stopping quietly at a truncated one (calamine then errors).
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let typ = u16_at(rest, 0)? as u16;
        let len = u16_at(rest, 2)? as usize;
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((typ, data))
    })
}

/// The bounding box of the positions seen in one sheet.
#[derive(Default)]
struct Extent(Option<(u32, u32, u32, u32)>);

impl Extent {
    fn add(&mut self, row: u32, col: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    fn cells(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
        })
    }
}

/// What calamine reserves for a DIMENSIONS record (it subtracts without checking).
fn dimensions_cells(d: &[u8]) -> Option<u64> {
    let (rf, rl, mut cf, cl) = match d.len() {
        10 => (u16_at(d, 0)?, u16_at(d, 2)?, u16_at(d, 4)?, u16_at(d, 6)?),
        14 | 16 => (u32_at(d, 0)?, u32_at(d, 4)?, u16_at(d, 8)?, u16_at(d, 10)?),
        _ => return Some(0),
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    if rl >= 1 && cl >= 1 {
        let rows = i64::from(rl) - 1 - i64::from(rf) + 1;
        let cols = i64::from(cl) - 1 - i64::from(cf) + 1;
        if rows <= 0 || cols <= 0 {
            return None; // calamine would underflow and ask for an absurd allocation
        }
        Some(rows as u64 * cols as u64)
    } else {
        Some(1)
    }
}

fn prescan(stream: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let too_large = |cells| ReadError::GridTooLarge {
        cells,
        limit: limits.max_grid_cells,
    };
    let mut offsets = Vec::new();
    for (typ, data) in records(stream) {
        match typ {
            0x002F if u16_at(data, 0).unwrap_or(0) != 0 => return Err(ReadError::Encrypted),
            0x0085 => offsets.extend(u32_at(data, 0)),
            0x000A => break,
            _ => {}
        }
    }
    let mut total = 0u64;
    for offset in offsets {
        let Some(sheet) = stream.get(offset as usize..) else {
            continue;
        };
        let (mut cells, mut formulas) = (Extent::default(), Extent::default());
        let (mut seen_bof, mut depth) = (false, 0usize);
        for (typ, data) in records(sheet) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let pos = || Some((u16_at(data, 0)?, u16_at(data, 2)?));
            match typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x0200 => {
                    let reserved = dimensions_cells(data).ok_or(too_large(u64::MAX))?;
                    if reserved > limits.max_grid_cells {
                        return Err(too_large(reserved));
                    }
                }
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                    if let Some((r, c)) = pos() {
                        cells.add(r, c);
                    }
                }
                0x0006 => {
                    if let Some((r, c)) = pos() {
                        cells.add(r, c);
                        formulas.add(r, c);
                    }
                }
                0x00BD => {
                    if let (Some((r, first)), Some(last)) = (
                        pos(),
                        data.len().checked_sub(2).and_then(|i| u16_at(data, i)),
                    ) {
                        cells.add(r, first);
                        cells.add(r, last.max(first));
                    }
                }
                0x000A => break,
                _ => {}
            }
        }
        total = total
            .saturating_add(cells.cells())
            .saturating_add(formulas.cells());
        if total > limits.max_grid_cells {
            return Err(too_large(total));
        }
    }
    Ok(())
}

fn workbook_stream(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, ReadError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| ReadError::Damaged {
        detail: format!("xls: {e}"),
    })?;
    if file.is_stream("EncryptedPackage") || file.is_stream("/EncryptedPackage") {
        return Err(ReadError::Encrypted);
    }
    let path = ["/Workbook", "/Book"]
        .into_iter()
        .find(|p| file.is_stream(p))
        .ok_or_else(|| ReadError::NotAWorkbook {
            what: "OLE-fil utan arbetsbok / OLE file without a workbook".into(),
        })?;
    let stream = file.open_stream(path).map_err(|e| ReadError::Damaged {
        detail: format!("xls: {e}"),
    })?;
    let mut data = Vec::new();
    let limit = limits.max_part_bytes;
    stream
        .take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| ReadError::Damaged {
            detail: format!("xls: {e}"),
        })?;
    if data.len() as u64 > limit {
        return Err(ReadError::PartTooLarge {
            part: path.trim_start_matches('/').into(),
            limit,
        });
    }
    Ok(data)
}

pub(crate) fn read(
    bytes: &[u8],
    limits: &Limits,
    stream_budget: bool,
) -> Result<Workbook, ReadError> {
    let stream = workbook_stream(bytes, limits)?;
    prescan(&stream, limits)?;
    drop(stream);
    let mut book: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(damaged)?;
    let names = book.sheet_names();
    read_sheets(names, limits, stream_budget, |name, cells| {
        push_range(&book.worksheet_range(name).map_err(damaged)?, cells)
    })
}
