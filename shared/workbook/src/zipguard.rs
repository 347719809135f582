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

/// The zip, opened, within the entry limit.
pub(crate) fn open_within<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<ZipArchive<Cursor<&'a [u8]>>, ReadError> {
    let zip = open(bytes)?;
    if zip.len() > limits.max_entries {
        return Err(ReadError::TooManyEntries {
            entries: zip.len(),
            limit: limits.max_entries,
        });
    }
    Ok(zip)
}

/// A part the guard checks: an XML part (or relationships), which calamine may read.
pub(crate) struct Guarded {
    /// The shared strings, with their own limit and their claim checked ([`StringTable`]).
    pub strings: bool,
    /// Its decompressed size may be at most this.
    pub limit: u64,
}

impl Guarded {
    /// What the guard makes of the part `name`; `None` for a part it leaves alone.
    pub(crate) fn of(name: &str, limits: &Limits) -> Option<Guarded> {
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
            return None;
        }
        let strings = lower.ends_with("sharedstrings.xml");
        let limit = if strings {
            limits.max_strings_bytes
        } else {
            limits.max_part_bytes
        };
        Some(Guarded { strings, limit })
    }
}

/// A part over what it may decompress to: its own limit, or, when less than that was left of all
/// parts together (`remaining`), the total's.
pub(crate) fn too_large(part: &str, limit: u64, remaining: u64, limits: &Limits) -> ReadError {
    if remaining < limit {
        ReadError::PartTooLarge {
            part: format!("{part} (alla delar / all parts)"),
            limit: limits.max_total_bytes,
        }
    } else {
        ReadError::PartTooLarge {
            part: part.to_string(),
            limit,
        }
    }
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
    let mut zip = open_within(bytes, limits)?;
    let mut total = 0u64;
    let mut buf = vec![0u8; 16 * 1024];
    for i in 0..zip.len() {
        let file = zip.by_index(i).map_err(damaged)?;
        let name = file.name().map_err(damaged)?.to_string();
        let Some(part) = Guarded::of(&name, limits) else {
            continue;
        };
        let remaining = limits.max_total_bytes.saturating_sub(total);
        let mut table = StringTable::default();
        let stats = measure(
            file,
            &name,
            part.limit.min(remaining),
            limits.max_xml_text,
            &mut buf,
            |data| {
                if part.strings {
                    table.feed(data);
                }
            },
        )
        .map_err(|e| match e {
            ReadError::PartTooLarge { .. } => too_large(&name, part.limit, remaining, limits),
            other => other,
        })?;
        total += stats.bytes;
        if let Some(refused) = table.refusal(&name) {
            return Err(refused);
        }
    }
    Ok(())
}

/// What a shared-strings part claims against what it holds. calamine reserves room for
/// `uniqueCount` strings before reading one, so a file claiming billions would make it ask for
/// terabytes and abort the process; a claim beyond the strings really there is refused.
#[derive(Default)]
pub(crate) struct StringTable {
    /// The part's first bytes, where the `<sst …>` tag and its attributes are.
    head: Vec<u8>,
    /// How much of `<si` the last bytes matched.
    matched: u8,
    /// `<si>` elements seen.
    pub(crate) strings: u64,
}

impl StringTable {
    const HEAD: usize = 4096;
    /// Tolerance for writers that count loosely; 1 000 strings more is a few kB reserved.
    pub(crate) const SLACK: u64 = 1_000;

    pub(crate) fn feed(&mut self, data: &[u8]) {
        let room = Self::HEAD.saturating_sub(self.head.len());
        self.head.extend_from_slice(&data[..room.min(data.len())]);
        for &b in data {
            self.matched = match (self.matched, b) {
                (_, b'<') => 1,
                (1, b's') => 2,
                (2, b'i') => 3,
                (3, b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n') => {
                    self.strings += 1;
                    0
                }
                _ => 0,
            };
        }
    }

    /// The part `name` claiming more strings than it holds, refused (its whole read).
    pub(crate) fn refusal(&self, name: &str) -> Option<ReadError> {
        let claimed = self.claimed()?;
        (claimed > self.strings.saturating_add(Self::SLACK)).then(|| ReadError::Damaged {
            detail: format!(
                "{name}: uniqueCount {claimed}, {} strängar / strings",
                self.strings
            ),
        })
    }

    /// The `uniqueCount` attribute, if the part states one (`u64::MAX` for an absurd number).
    pub(crate) fn claimed(&self) -> Option<u64> {
        let key = b"uniqueCount=";
        let at = self.head.windows(key.len()).position(|w| w == key)? + key.len();
        let rest = self.head.get(at + 1..)?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit());
        Some(digits.fold(0u64, |n, d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        }))
    }
}

/// The checks on one part's decompressed bytes, fed piece by piece: its size against `limit`
/// and the longest text between two tags against `max_text`.
pub(crate) struct Meter {
    pub bytes: u64,
    since_tag: u64,
    pub limit: u64,
    max_text: u64,
}

impl Meter {
    pub(crate) fn new(limit: u64, max_text: u64) -> Meter {
        Meter {
            bytes: 0,
            since_tag: 0,
            limit,
            max_text,
        }
    }

    /// The next piece of the part `part`; `observe` sees it once it is within the size limit.
    pub(crate) fn feed(
        &mut self,
        part: &str,
        data: &[u8],
        observe: impl FnOnce(&[u8]),
    ) -> Result<(), ReadError> {
        self.bytes += data.len() as u64;
        if self.bytes > self.limit {
            return Err(ReadError::PartTooLarge {
                part: part.to_string(),
                limit: self.limit,
            });
        }
        observe(data);
        let too_long = || ReadError::ValueTooLong {
            part: part.to_string(),
            limit: self.max_text,
        };
        let mut start = 0;
        for at in memchr::memchr_iter(b'<', data) {
            self.since_tag += (at - start) as u64;
            if self.since_tag > self.max_text {
                return Err(too_long());
            }
            self.since_tag = 0;
            start = at + 1;
        }
        self.since_tag += (data.len() - start) as u64;
        if self.since_tag > self.max_text {
            return Err(too_long());
        }
        Ok(())
    }
}

/// Streams one part to its end (verifying the zip's CRC) through `buf`, without keeping it;
/// `observe` sees every piece read.
pub(crate) fn measure(
    mut reader: impl Read,
    part: &str,
    limit: u64,
    max_text: u64,
    buf: &mut [u8],
    mut observe: impl FnMut(&[u8]),
) -> Result<PartStats, ReadError> {
    let mut meter = Meter::new(limit, max_text);
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
        meter.feed(part, &buf[..n], &mut observe)?;
    }
    Ok(PartStats { bytes: meter.bytes })
}

#[cfg(test)]
mod tests {
    use super::{Meter, StringTable};
    use crate::ReadError;

    #[test]
    fn the_meter_measures_the_text_between_two_tags_across_pieces() {
        // Between two `<`: the tag's own name and `>` count too.
        let mut meter = Meter::new(1_000, 8);
        assert_eq!(meter.feed("p", b"<a>12345<b>123", |_| {}), Ok(()));
        assert_eq!(meter.feed("p", b"456<", |_| {}), Ok(()), "b>123456 is 8");
        let too_long = meter.feed("p", b"c>1234567", |_| {});
        assert!(
            matches!(too_long, Err(ReadError::ValueTooLong { limit: 8, .. })),
            "{too_long:?}"
        );
        let mut small = Meter::new(10, 100);
        assert_eq!(small.feed("p", b"<a></a>", |_| {}), Ok(()));
        let over = small.feed("p", b"<b/>", |_| {});
        assert!(
            matches!(over, Err(ReadError::PartTooLarge { limit: 10, .. })),
            "{over:?}"
        );
    }

    fn table(pieces: &[&str]) -> StringTable {
        let mut t = StringTable::default();
        for p in pieces {
            t.feed(p.as_bytes());
        }
        t
    }

    #[test]
    fn a_string_table_counts_its_strings_across_reads_and_reads_its_claim() {
        let t = table(&[
            "<sst count='3' uniqueCount='3'><si><t>a</t></si><s",
            "i><t>b</t></si><si/><sheet/><s",
            "ix/></sst>",
        ]);
        assert_eq!(t.claimed(), Some(3));
        assert_eq!(t.strings, 3);
        assert_eq!(table(&["<sst><si/></sst>"]).claimed(), None);
        let absurd = table(&["<sst uniqueCount=\"99999999999999999999999\">"]);
        assert_eq!(absurd.claimed(), Some(u64::MAX));
    }
}
