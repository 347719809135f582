//! An .xlsx's XML parts, decompressed once.
//!
//! calamine reads a zip. Rather than check every part first (inflating it to count its real size)
//! and then let calamine inflate it again, calamine is handed a *stored* archive — the same parts,
//! uncompressed — whose bytes do not exist until it reads them: each read of a part inflates the
//! next piece of the upload's part through the zip guard's checks ([`Meter`]), and hands that
//! piece to calamine. A part is inflated once, as calamine streams it; nothing is kept but the
//! shared strings, which the guard must count before calamine reserves room for them.
//!
//! When calamine is done (or fails), [`Repacked::finish`] drains, in archive order, every part it
//! did not read to the end, with the limits the guard always had: the first part the guard
//! refuses, in archive order, is the answer, exactly as when the guard ran over the whole zip
//! before calamine; only if the guard accepts every part does calamine's own result stand.

use crate::zipguard::{Guarded, Meter, StringTable, open_within, too_large};
use crate::{Limits, ReadError};
use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;
use zip::CompressionMethod;

/// Zeros before the first entry and before the central directory: whatever probes the archive's
/// start (calamine's password check) or searches its end for the directory reads these, never a
/// part's data.
const PADDING: u64 = 70 * 1024;

/// One part's decompression, checked as the zip crate checks it: never more than the size the
/// zip states, and the stated CRC at the end.
struct Inflater<'a> {
    source: Source<'a>,
    hasher: crc32fast::Hasher,
    count: u64,
    stated: u64,
    crc: u32,
}

enum Source<'a> {
    Stored(&'a [u8]),
    Deflated(Box<flate2::bufread::DeflateDecoder<&'a [u8]>>),
}

impl Read for Inflater<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.source {
            Source::Stored(data) => data.read(buf)?,
            Source::Deflated(data) => data.read(buf)?,
        };
        self.count = self.count.saturating_add(n as u64);
        if self.count > self.stated {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "File is larger than its declared uncompressed size",
            ));
        }
        if n == 0 && !buf.is_empty() && self.hasher.clone().finalize() != self.crc {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "Invalid checksum",
            ));
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// One XML part of the upload.
struct Part<'a> {
    name: String,
    data: &'a [u8],
    deflated: bool,
    crc: u32,
    stated: u64,
    /// The guard's limit for this part (the shared strings have their own).
    limit: u64,
    strings: bool,
    /// Its size in the stored archive: the stated size, or just over the limit when it states
    /// more (the guard stops it there).
    size: u64,
    /// The decompression calamine is being served from, and how far it has come.
    reader: Option<Inflater<'a>>,
    produced: u64,
    /// The guard's view: how much of the part it has checked, and what it found.
    meter: Meter,
    table: StringTable,
    ended: bool,
    failed: Option<ReadError>,
    /// The shared strings, whole (checked before calamine sees a byte of them).
    buffered: Option<Vec<u8>>,
    /// How often the part was decompressed from its start (1 when read, as it should be).
    inflations: u32,
}

impl<'a> Part<'a> {
    fn inflater(&self) -> Inflater<'a> {
        let source = if self.deflated {
            Source::Deflated(Box::new(flate2::bufread::DeflateDecoder::new(self.data)))
        } else {
            Source::Stored(self.data)
        };
        Inflater {
            source,
            hasher: crc32fast::Hasher::new(),
            count: 0,
            stated: self.stated,
            crc: self.crc,
        }
    }

    /// Inflates the part's next piece into `buf` and has the guard check what it has not checked
    /// yet; `total` counts every part's checked bytes. 0 at the part's end.
    fn advance(&mut self, buf: &mut [u8], total: &mut u64) -> Result<usize, ReadError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.reader.is_none() {
            if self.ended && self.produced >= self.meter.bytes {
                return Ok(0);
            }
            self.reader = Some(self.inflater());
            self.produced = 0;
            self.inflations += 1;
        }
        let Some(reader) = self.reader.as_mut() else {
            return Ok(0);
        };
        let n = loop {
            match reader.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(self.fail(ReadError::Damaged {
                        detail: format!("{}: {e}", self.name),
                    }));
                }
            }
        };
        let start = self.produced;
        self.produced += n as u64;
        // Bytes a restarted decompression delivers again were checked the first time.
        let fresh = self.produced.saturating_sub(self.meter.bytes.max(start));
        if fresh > 0 {
            let piece = &buf[n - fresh as usize..n];
            let (table, strings) = (&mut self.table, self.strings);
            let checked = self.meter.feed(&self.name, piece, |data| {
                if strings {
                    table.feed(data);
                }
            });
            if let Err(e) = checked {
                return Err(self.fail(e));
            }
            *total += fresh;
        }
        if n == 0 && self.produced >= self.meter.bytes {
            self.ended = true;
            self.reader = None;
            if let Some(e) = self.table.refusal(&self.name) {
                return Err(self.fail(e));
            }
        }
        Ok(n)
    }

    fn fail(&mut self, e: ReadError) -> ReadError {
        self.failed = Some(e.clone());
        self.reader = None;
        e
    }

    /// Decompresses (and checks) the rest of the part without keeping it.
    fn drain(&mut self, total: &mut u64) -> Result<(), ReadError> {
        let mut buf = vec![0u8; 16 * 1024];
        while !self.ended {
            self.advance(&mut buf, total)?;
        }
        Ok(())
    }
}

/// What the stored archive is made of, in order.
enum Segment {
    Bytes(Vec<u8>),
    Zeros,
    Part(usize),
}

struct State<'a> {
    parts: Vec<Part<'a>>,
    /// Checked bytes of every part together, in the order calamine read them.
    total: u64,
    limits: Limits,
}

impl State<'_> {
    /// `buf.len()` bytes (or fewer) of part `i` from `offset` on.
    fn read(&mut self, i: usize, offset: u64, buf: &mut [u8]) -> Result<usize, ReadError> {
        let State {
            parts,
            total,
            limits,
        } = self;
        let part = &mut parts[i];
        let n = if part.strings {
            if part.buffered.is_none() {
                if part.ended && offset >= part.meter.bytes {
                    return Ok(0);
                }
                if part.ended {
                    // Read again after it was handed over whole: decompress it again.
                    part.reader = None;
                    part.produced = 0;
                }
                let room = usize::try_from(part.size).unwrap_or(0);
                let mut whole = Vec::with_capacity(room);
                let mut piece = vec![0u8; 16 * 1024];
                loop {
                    let n = part.advance(&mut piece, total)?;
                    if n == 0 {
                        break;
                    }
                    whole.extend_from_slice(&piece[..n]);
                }
                part.buffered = Some(whole);
            }
            let whole = part.buffered.as_deref().unwrap_or_default();
            let from = whole
                .len()
                .min(usize::try_from(offset).unwrap_or(usize::MAX));
            let n = buf.len().min(whole.len() - from);
            buf[..n].copy_from_slice(&whole[from..from + n]);
            if from + n == whole.len() {
                // Handed over to its last byte: calamine keeps the strings, not their XML.
                part.buffered = None;
            }
            n
        } else {
            if offset < part.produced {
                // Read again from before where it is: decompress it again from its start.
                part.reader = None;
                part.produced = 0;
            }
            if part.produced < offset {
                // Read from further on than it is (calamine reads in order; this is for
                // whatever does not): decompress up to there, checking, without keeping it.
                let mut skip = vec![0u8; 16 * 1024];
                while part.produced < offset {
                    let want = (offset - part.produced).min(skip.len() as u64) as usize;
                    if part.advance(&mut skip[..want], total)? == 0 {
                        return Ok(0);
                    }
                }
            }
            part.advance(buf, total)?
        };
        if *total > limits.max_total_bytes {
            // Which part is refused, and with which limit, is decided in archive order by
            // `Handle::finish`; this only stops calamine.
            return Err(ReadError::PartTooLarge {
                part: parts[i].name.clone(),
                limit: limits.max_total_bytes,
            });
        }
        Ok(n)
    }
}

/// The stored archive calamine reads ([`Read`] + [`Seek`]); its parts come from a shared state
/// that [`Repacked::finish`] reads afterwards.
pub(crate) struct Repacked<'a> {
    segments: Rc<[(u64, Segment)]>,
    state: Rc<RefCell<State<'a>>>,
    pos: u64,
    len: u64,
}

/// The guard's error behind an I/O error calamine saw.
fn io_error(e: &ReadError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

impl<'a> Repacked<'a> {
    /// The stored archive for `bytes`, or `None` for a zip this cannot re-present (an entry the
    /// zip crate will not open, a method other than stored or deflated, parts that state sizes
    /// beyond the limits); such a file is checked whole first, as before, and then given to
    /// calamine as it is. (A part never inflates to more than it states: the zip crate and
    /// [`Inflater`] refuse it.)
    pub(crate) fn new(bytes: &'a [u8], limits: &Limits) -> Result<Option<Repacked<'a>>, ReadError> {
        let mut zip = open_within(bytes, limits)?;
        let mut parts = Vec::new();
        let mut stated = 0u64;
        for i in 0..zip.len() {
            let Ok(file) = zip.by_index(i) else {
                return Ok(None);
            };
            let Ok(name) = file.name().map(|n| n.to_string()) else {
                return Ok(None);
            };
            let Some(Guarded { strings, limit }) = Guarded::of(&name, limits) else {
                continue;
            };
            let deflated = match file.compression() {
                CompressionMethod::Stored => false,
                CompressionMethod::Deflated => true,
                _ => return Ok(None),
            };
            let start = file.data_start().unwrap_or(u64::MAX);
            let end = start.saturating_add(file.compressed_size());
            let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
                return Ok(None);
            };
            let Some(data) = bytes.get(start..end) else {
                return Ok(None);
            };
            // A zip that states more than the limits allow is checked whole before calamine
            // parses any of it: calamine would otherwise parse up to the limit of a part the
            // guard is about to refuse.
            stated = stated.saturating_add(file.size());
            if file.size() > limit || stated > limits.max_total_bytes {
                return Ok(None);
            }
            parts.push(Part {
                size: file.size().min(limit.saturating_add(1)),
                name,
                data,
                deflated,
                crc: file.crc32(),
                stated: file.size(),
                limit,
                strings,
                reader: None,
                produced: 0,
                meter: Meter::new(limit, limits.max_xml_text),
                table: StringTable::default(),
                ended: false,
                failed: None,
                buffered: None,
                inflations: 0,
            });
        }
        Ok(layout(&parts).map(|(segments, len)| Repacked {
            segments: segments.into(),
            state: Rc::new(RefCell::new(State {
                parts,
                total: 0,
                limits: *limits,
            })),
            pos: 0,
            len,
        }))
    }

    /// A handle on the parts' state, for [`Repacked::finish`] once calamine has the archive.
    pub(crate) fn handle(&self) -> Handle<'a> {
        Handle(self.state.clone())
    }
}

/// The parts' state, kept while calamine owns the archive.
pub(crate) struct Handle<'a>(Rc<RefCell<State<'a>>>);

impl Handle<'_> {
    /// The guard's verdict on the whole zip, in archive order, as if it had checked every part
    /// before calamine: each part within its own limit and what is left of the total.
    pub(crate) fn finish(&self) -> Result<(), ReadError> {
        let mut state = self.0.borrow_mut();
        let limits = state.limits;
        let mut total = 0u64;
        let mut scratch = 0u64;
        for part in &mut state.parts {
            let remaining = limits.max_total_bytes.saturating_sub(total);
            let bound = part.limit.min(remaining);
            let over = |part: &Part<'_>| too_large(&part.name, part.limit, remaining, &limits);
            if part.meter.bytes > bound {
                return Err(over(part));
            }
            if let Some(e) = &part.failed {
                return Err(e.clone());
            }
            part.meter.limit = bound;
            if let Err(e) = part.drain(&mut scratch) {
                return Err(match e {
                    ReadError::PartTooLarge { .. } => over(part),
                    other => other,
                });
            }
            total += part.meter.bytes;
        }
        Ok(())
    }

    /// How often each part was decompressed from its start.
    #[cfg(test)]
    pub(crate) fn inflations(&self) -> Vec<(String, u32)> {
        let state = self.0.borrow();
        state
            .parts
            .iter()
            .map(|p| (p.name.clone(), p.inflations))
            .collect()
    }
}

/// The stored archive's segments: padding, each part's local header and data, padding, the
/// central directory. `None` when a size or offset would not fit a plain (not zip64) zip.
fn layout(parts: &[Part<'_>]) -> Option<(Vec<(u64, Segment)>, u64)> {
    const DOS_DATE: u16 = 0x21; // 1980-01-01
    const UTF8: u16 = 1 << 11;
    let fits = |n: u64| u32::try_from(n).ok();
    let count = u16::try_from(parts.len()).ok()?;
    let mut segments = Vec::new();
    let mut at = 0u64;
    segments.push((at, Segment::Zeros));
    at += PADDING;
    let mut directory = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let name = part.name.as_bytes();
        let name_len = u16::try_from(name.len()).ok()?;
        let size = fits(part.size)?;
        let offset = fits(at)?;
        let mut header = Vec::with_capacity(30 + name.len());
        for field in [&0x0403_4b50u32.to_le_bytes()[..], &20u16.to_le_bytes()] {
            header.extend_from_slice(field);
        }
        let common = [
            &UTF8.to_le_bytes()[..],
            &0u16.to_le_bytes(), // stored
            &0u16.to_le_bytes(), // time
            &DOS_DATE.to_le_bytes(),
            &part.crc.to_le_bytes(),
            &size.to_le_bytes(),
            &size.to_le_bytes(),
            &name_len.to_le_bytes(),
            &0u16.to_le_bytes(), // extra
        ];
        for field in common {
            header.extend_from_slice(field);
        }
        header.extend_from_slice(name);
        directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        directory.extend_from_slice(&20u16.to_le_bytes()); // made by
        directory.extend_from_slice(&20u16.to_le_bytes()); // needed
        for field in common {
            directory.extend_from_slice(field);
        }
        for field in [
            &0u16.to_le_bytes()[..], // comment
            &0u16.to_le_bytes(),     // disk
            &0u16.to_le_bytes(),     // internal attributes
            &0u32.to_le_bytes(),     // external attributes
            &offset.to_le_bytes(),
        ] {
            directory.extend_from_slice(field);
        }
        directory.extend_from_slice(name);
        let header_len = header.len() as u64;
        segments.push((at, Segment::Bytes(header)));
        at += header_len;
        segments.push((at, Segment::Part(i)));
        at += part.size;
    }
    segments.push((at, Segment::Zeros));
    at += PADDING;
    let directory_at = fits(at)?;
    let directory_len = fits(directory.len() as u64)?;
    for field in [
        &0x0605_4b50u32.to_le_bytes()[..],
        &0u16.to_le_bytes(),
        &0u16.to_le_bytes(),
        &count.to_le_bytes(),
        &count.to_le_bytes(),
        &directory_len.to_le_bytes(),
        &directory_at.to_le_bytes(),
        &0u16.to_le_bytes(),
    ] {
        directory.extend_from_slice(field);
    }
    let directory_size = directory.len() as u64;
    segments.push((at, Segment::Bytes(directory)));
    at += directory_size;
    fits(at)?;
    Some((segments, at))
}

impl Read for Repacked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let i = self
            .segments
            .partition_point(|(start, _)| *start <= self.pos)
            .saturating_sub(1);
        let (start, segment) = &self.segments[i];
        let end = self.segments.get(i + 1).map_or(self.len, |(next, _)| *next);
        let offset = self.pos - start;
        let room = buf
            .len()
            .min(usize::try_from(end - self.pos).unwrap_or(usize::MAX));
        let buf = &mut buf[..room];
        let n = match segment {
            Segment::Bytes(bytes) => {
                let from = &bytes[offset as usize..];
                let n = room.min(from.len());
                buf[..n].copy_from_slice(&from[..n]);
                n
            }
            Segment::Zeros => {
                buf.fill(0);
                room
            }
            Segment::Part(part) => self
                .state
                .borrow_mut()
                .read(*part, offset, buf)
                .map_err(|e| io_error(&e))?,
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Repacked<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let pos = pos.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek"))?;
        self.pos = pos;
        Ok(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;
    use provrum_rules::{Lang, RuleSet};

    /// The template: a real .xlsx of every kind of part (sheets, shared strings, styles, theme).
    fn template() -> Vec<u8> {
        crate::template::build(Lang::Sv, &RuleSet::provrum_2023(), None).expect("template")
    }

    #[test]
    fn every_part_is_inflated_once_and_the_stored_archive_reads_like_the_upload() {
        let bytes = template();
        let limits = Limits::default();
        let repacked = Repacked::new(&bytes, &limits)
            .expect("a zip")
            .expect("re-presentable");
        let parts = repacked.handle();
        let read = crate::xlsx::read_sheets_of(repacked, &limits, false);
        parts.finish().expect("the guard accepts the template");
        let inflations = parts.inflations();
        assert!(inflations.len() > 5, "{inflations:?}");
        for (name, times) in &inflations {
            assert_eq!(*times, 1, "{name} was inflated {times} times");
        }
        let direct = crate::xlsx::read_sheets_of(std::io::Cursor::new(&bytes), &limits, false);
        assert_eq!(
            read.expect("read through the stored archive"),
            direct.expect("read from the upload as it is")
        );
    }

    /// The stored archive's bytes are the upload's parts, inflated, wherever they are read from:
    /// in order, from further on (inflated up to there), and again from the start (inflated a
    /// second time, the only case that does it).
    #[test]
    fn a_part_reads_the_same_from_anywhere_and_again() {
        use std::io::{Read, Seek, SeekFrom};
        let bytes = template();
        let part = "xl/workbook.xml";
        let mut want = Vec::new();
        let mut upload = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
        upload
            .by_name(part)
            .expect("part")
            .read_to_end(&mut want)
            .expect("inflate");
        let limits = Limits::default();
        let mut repacked = Repacked::new(&bytes, &limits)
            .expect("a zip")
            .expect("re-presentable");
        let parts = repacked.handle();
        let start = {
            let mut stored = zip::ZipArchive::new(&mut repacked).expect("the stored archive");
            let mut file = stored.by_name(part).expect("part");
            let mut whole = Vec::new();
            file.read_to_end(&mut whole).expect("read");
            assert_eq!(whole, want, "read in order");
            file.data_start().expect("data start")
        };
        let inflated = |parts: &Handle<'_>| {
            parts
                .inflations()
                .into_iter()
                .find(|(name, _)| name == part)
                .map(|(_, n)| n)
        };
        assert_eq!(inflated(&parts), Some(1));
        // From the start again: inflated a second time, the same bytes.
        repacked.seek(SeekFrom::Start(start)).expect("seek");
        let mut again = vec![0u8; want.len()];
        repacked.read_exact(&mut again).expect("read again");
        assert_eq!(again, want, "read again from the start");
        assert_eq!(inflated(&parts), Some(2));
        // From the middle of a part not read yet: inflated up to there, then handed over.
        let other = "xl/styles.xml";
        let mut styles = Vec::new();
        upload
            .by_name(other)
            .expect("part")
            .read_to_end(&mut styles)
            .expect("inflate");
        let other_start = {
            let mut stored = zip::ZipArchive::new(&mut repacked).expect("the stored archive");
            stored
                .by_name(other)
                .expect("part")
                .data_start()
                .expect("data start")
        };
        let from = styles.len() as u64 / 2;
        repacked
            .seek(SeekFrom::Start(other_start + from))
            .expect("seek");
        let mut rest = vec![0u8; styles.len() - from as usize];
        repacked
            .read_exact(&mut rest)
            .expect("read from the middle");
        assert_eq!(rest, styles[from as usize..], "read from the middle");
        parts.finish().expect("the guard accepts the template");
    }
}
