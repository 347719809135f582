//! The zip container of .xlsx and .ods, checked before calamine opens it.
//!
//! The sizes a zip states are not trusted: every part calamine will read is decompressed here
//! through a counter that stops at the limit, so a 1.5 GB cell that deflates to 1.5 MB is refused
//! after reading a few dozen MB, in a fraction of a second, holding one buffer.

use crate::{Format, Limits, ReadError};
use std::io::{Cursor, Read};
use zip::ZipArchive;
use zip::result::ZipError;

const ODS_MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

fn damaged(e: ZipError) -> ReadError {
    match e {
        ZipError::UnsupportedArchive(msg) if msg.to_lowercase().contains("password") => {
            ReadError::Encrypted
        }
        other => ReadError::Damaged {
            detail: format!("zip: {other}"),
        },
    }
}

pub(crate) fn open(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, ReadError> {
    ZipArchive::new(Cursor::new(bytes)).map_err(damaged)
}

/// Which workbook a zip holds: OpenDocument (its `mimetype`), Office Open XML, or neither.
pub(crate) fn kind_of_zip(bytes: &[u8]) -> Result<Format, ReadError> {
    let mut zip = open(bytes)?;
    let has = |zip: &ZipArchive<Cursor<&[u8]>>, name: &str| {
        zip.file_names()
            .any(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(name)))
    };
    if has(&zip, "mimetype") {
        let mut mimetype = String::new();
        let file = zip.by_name("mimetype").map_err(damaged)?;
        file.take(200)
            .read_to_string(&mut mimetype)
            .map_err(|e| ReadError::Damaged {
                detail: format!("mimetype: {e}"),
            })?;
        if mimetype.trim() == ODS_MIMETYPE {
            return Ok(Format::Ods);
        }
        return Err(ReadError::NotAWorkbook {
            what: mimetype.trim().chars().take(80).collect(),
        });
    }
    if has(&zip, "xl/workbook.bin") {
        return Err(ReadError::Xlsb);
    }
    if has(&zip, "xl/workbook.xml") || has(&zip, "[Content_Types].xml") {
        return Ok(Format::Xlsx);
    }
    Err(ReadError::NotAWorkbook { what: "zip".into() })
}

/// What one part decompressed to.
pub(crate) struct PartStats {
    pub bytes: u64,
}

/// Decompresses every XML part of the zip through the limits: the entry count, each part's real
/// size, all parts together, and the longest text between two tags.
pub(crate) fn guard(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut zip = open(bytes)?;
    if zip.len() > limits.max_entries {
        return Err(ReadError::TooManyEntries {
            entries: zip.len(),
            limit: limits.max_entries,
        });
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 16 * 1024];
    for i in 0..zip.len() {
        let file = zip.by_index(i).map_err(damaged)?;
        let name = file.name().map_err(damaged)?.to_string();
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
            continue;
        }
        let part_limit = if lower.ends_with("sharedstrings.xml") {
            limits.max_strings_bytes
        } else {
            limits.max_part_bytes
        };
        let remaining = limits.max_total_bytes.saturating_sub(total);
        let stats = measure(
            file,
            &name,
            part_limit.min(remaining),
            limits.max_xml_text,
            &mut buf,
        )
        .map_err(|e| match e {
            ReadError::PartTooLarge { part, .. } if remaining < part_limit => {
                ReadError::PartTooLarge {
                    part: format!("{part} (alla delar / all parts)"),
                    limit: limits.max_total_bytes,
                }
            }
            other => other,
        })?;
        total += stats.bytes;
    }
    Ok(())
}

/// Streams one part to its end (verifying the zip's CRC) through `buf`, without keeping it.
pub(crate) fn measure(
    mut reader: impl Read,
    part: &str,
    limit: u64,
    max_text: u64,
    buf: &mut [u8],
) -> Result<PartStats, ReadError> {
    let mut bytes = 0u64;
    let mut since_tag = 0u64;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(ReadError::Damaged {
                    detail: format!("{part}: {e}"),
                });
            }
        };
        bytes += n as u64;
        if bytes > limit {
            return Err(ReadError::PartTooLarge {
                part: part.to_string(),
                limit,
            });
        }
        for chunk in buf[..n].split_inclusive(|b| *b == b'<') {
            if chunk.last() == Some(&b'<') {
                since_tag += chunk.len() as u64 - 1;
                if since_tag > max_text {
                    return Err(ReadError::ValueTooLong {
                        part: part.to_string(),
                        limit: max_text,
                    });
                }
                since_tag = 0;
            } else {
                since_tag += chunk.len() as u64;
            }
        }
        if since_tag > max_text {
            return Err(ReadError::ValueTooLong {
                part: part.to_string(),
                limit: max_text,
            });
        }
    }
    Ok(PartStats { bytes })
}
