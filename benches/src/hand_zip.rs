//! The hand-written ZIP container that `partnerdesk`'s XLSX writer used before it moved to the
//! `zip` crate (issue #14, item 5), kept here only as the comparison in `benches/export.rs`
//! (`export/container/*`). A ZIP written front to back into a non-seekable sink: local headers
//! with general-purpose bit 3 (CRC-32 and sizes in a data descriptor after the data), raw
//! deflate at level 1 through `flate2`, CRC-32 through `crc32fast`, ZIP64 records when a size or
//! an offset reaches 4 GiB.
#![allow(clippy::cast_possible_truncation, missing_docs)]

use crc32fast::Hasher;
use flate2::{Compress, Compression, FlushCompress, Status};
use std::io::{self, Write};

/// The sheet's XML goes to the deflater in chunks of about this many bytes (as in the core).
pub const CHUNK: usize = 1 << 17;

/// Why writing failed.
#[derive(Debug)]
pub enum XlsxError {
    Io(io::Error),
    Deflate,
}

impl From<io::Error> for XlsxError {
    fn from(e: io::Error) -> Self {
        XlsxError::Io(e)
    }
}

const LOCAL_HEADER: u32 = 0x0403_4b50;
const DATA_DESCRIPTOR: u32 = 0x0807_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY: u32 = 0x0606_4b50;
const ZIP64_END_LOCATOR: u32 = 0x0706_4b50;
/// General-purpose flags: bit 3, CRC and sizes in a data descriptor after the data.
const FLAGS: u16 = 1 << 3;
const DEFLATED: u16 = 8;
/// Version needed to extract: 2.0 (deflate), 4.5 (ZIP64).
const VERSION: u16 = 20;
const VERSION_ZIP64: u16 = 45;
/// MS-DOS time and date of every entry: 1980-01-01 00:00, so that the same export gives the
/// same bytes.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;
/// A 4-byte field holding this says "see the ZIP64 record".
const FULL32: u64 = 0xFFFF_FFFF;

/// Little-endian field writers for headers.
trait Put {
    fn u16le(&mut self, v: u16);
    fn u32le(&mut self, v: u32);
    fn u64le(&mut self, v: u64);
}

impl Put for Vec<u8> {
    fn u16le(&mut self, v: u16) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn u32le(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn u64le(&mut self, v: u64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
}

/// A value for a 4-byte field: itself, or the ZIP64 marker when it does not fit.
fn field32(v: u64, big: u64) -> u32 {
    if v >= big {
        u32::MAX
    } else {
        u32::try_from(v).unwrap_or(u32::MAX)
    }
}

/// A finished entry, as the central directory lists it.
struct Entry {
    name: &'static str,
    offset: u64,
    crc: u32,
    size: u64,
    zsize: u64,
}

/// The entry being written.
struct Open {
    name: &'static str,
    offset: u64,
    crc: Hasher,
}

/// A ZIP archive written front to back into a sink (no `Seek`), entries deflated.
pub struct Zip<W: Write> {
    out: W,
    /// Bytes written to `out` so far.
    at: u64,
    entries: Vec<Entry>,
    open: Option<Open>,
    z: Compress,
    /// The deflater's output, handed to the sink as it fills.
    zbuf: Vec<u8>,
    /// Sizes and offsets at or above this are written as ZIP64: [`FULL32`], lower in tests
    /// (which cannot write 4 GiB) to check the ZIP64 records.
    big: u64,
    head: Vec<u8>,
}

impl<W: Write> Zip<W> {
    /// An empty archive writing into `out`.
    pub fn new(out: W) -> Self {
        Zip {
            out,
            at: 0,
            entries: Vec::new(),
            open: None,
            z: Compress::new(Compression::new(1), false),
            zbuf: Vec::with_capacity(CHUNK),
            big: FULL32,
            head: Vec::with_capacity(128),
        }
    }

    /// Writes `head` (the header being built) to the sink.
    fn emit_head(&mut self) -> io::Result<()> {
        self.out.write_all(&self.head)?;
        self.at += self.head.len() as u64;
        self.head.clear();
        Ok(())
    }

    /// Starts an entry (ending the open one, if any).
    pub fn begin(&mut self, name: &'static str) -> Result<(), XlsxError> {
        self.end()?;
        let h = &mut self.head;
        h.u32le(LOCAL_HEADER);
        h.u16le(VERSION);
        h.u16le(FLAGS);
        h.u16le(DEFLATED);
        h.u16le(DOS_TIME);
        h.u16le(DOS_DATE);
        // CRC, compressed and uncompressed size: in the data descriptor.
        h.u32le(0);
        h.u32le(0);
        h.u32le(0);
        h.u16le(name.len() as u16);
        h.u16le(0);
        h.extend_from_slice(name.as_bytes());
        let offset = self.at;
        self.emit_head()?;
        self.z.reset();
        self.open = Some(Open {
            name,
            offset,
            crc: Hasher::new(),
        });
        Ok(())
    }

    /// Appends data to the open entry.
    pub fn write(&mut self, data: &[u8]) -> Result<(), XlsxError> {
        match &mut self.open {
            Some(open) => open.crc.update(data),
            None => return Err(XlsxError::Deflate),
        }
        self.deflate(data, FlushCompress::None)
    }

    /// Runs the deflater over `data` (with `Finish`, to the end of the stream), handing its
    /// output to the sink.
    fn deflate(&mut self, mut data: &[u8], flush: FlushCompress) -> Result<(), XlsxError> {
        loop {
            self.zbuf.clear();
            let before = self.z.total_in();
            let status = self
                .z
                .compress_vec(data, &mut self.zbuf, flush)
                .map_err(|_| XlsxError::Deflate)?;
            let used = usize::try_from(self.z.total_in() - before).unwrap_or(usize::MAX);
            data = data.get(used..).unwrap_or_default();
            self.out.write_all(&self.zbuf)?;
            self.at += self.zbuf.len() as u64;
            let done = match flush {
                FlushCompress::Finish => status == Status::StreamEnd,
                _ => data.is_empty(),
            };
            if done {
                return Ok(());
            }
            if used == 0 && self.zbuf.is_empty() {
                return Err(XlsxError::Deflate);
            }
        }
    }

    /// Ends the open entry: the end of its deflate stream, then its data descriptor.
    pub fn end(&mut self) -> Result<(), XlsxError> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        self.deflate(&[], FlushCompress::Finish)?;
        let entry = Entry {
            name: open.name,
            offset: open.offset,
            crc: open.crc.finalize(),
            size: self.z.total_in(),
            zsize: self.z.total_out(),
        };
        let h = &mut self.head;
        h.u32le(DATA_DESCRIPTOR);
        h.u32le(entry.crc);
        if entry.size >= self.big || entry.zsize >= self.big {
            h.u64le(entry.zsize);
            h.u64le(entry.size);
        } else {
            h.u32le(entry.zsize as u32);
            h.u32le(entry.size as u32);
        }
        self.emit_head()?;
        self.entries.push(entry);
        Ok(())
    }

    /// Ends the open entry, writes the central directory and the end records, flushes the
    /// sink and returns it.
    pub fn finish(mut self) -> Result<W, XlsxError> {
        self.end()?;
        let big = self.big;
        let start = self.at;
        let mut wide = false;
        for i in 0..self.entries.len() {
            let e = &self.entries[i];
            let sizes64 = e.size >= big || e.zsize >= big;
            let offset64 = e.offset >= big;
            let mut extra = Vec::new();
            if sizes64 {
                extra.u64le(e.size);
                extra.u64le(e.zsize);
            }
            if offset64 {
                extra.u64le(e.offset);
            }
            let zip64 = !extra.is_empty();
            wide |= zip64;
            let version = if zip64 { VERSION_ZIP64 } else { VERSION };
            let h = &mut self.head;
            h.u32le(CENTRAL_HEADER);
            h.u16le(version); // made by (MS-DOS attributes), same version
            h.u16le(version);
            h.u16le(FLAGS);
            h.u16le(DEFLATED);
            h.u16le(DOS_TIME);
            h.u16le(DOS_DATE);
            h.u32le(e.crc);
            let (zsize, size) = if sizes64 {
                (u32::MAX, u32::MAX)
            } else {
                (field32(e.zsize, big), field32(e.size, big))
            };
            h.u32le(zsize);
            h.u32le(size);
            h.u16le(e.name.len() as u16);
            h.u16le(if zip64 { extra.len() as u16 + 4 } else { 0 });
            h.u16le(0); // comment
            h.u16le(0); // disk
            h.u16le(0); // internal attributes
            h.u32le(0); // external attributes
            h.u32le(field32(e.offset, big));
            h.extend_from_slice(e.name.as_bytes());
            if zip64 {
                h.u16le(1); // the ZIP64 extended information extra field
                h.u16le(extra.len() as u16);
                h.extend_from_slice(&extra);
            }
            self.emit_head()?;
        }
        let size = self.at - start;
        let n = self.entries.len() as u64;
        if wide || start >= big || size >= big || n >= 0xFFFF {
            let end64 = self.at;
            let h = &mut self.head;
            h.u32le(ZIP64_END_OF_CENTRAL_DIRECTORY);
            h.u64le(44); // the size of the rest of this record
            h.u16le(VERSION_ZIP64);
            h.u16le(VERSION_ZIP64);
            h.u32le(0); // this disk
            h.u32le(0); // the disk where the central directory starts
            h.u64le(n); // entries on this disk
            h.u64le(n); // entries
            h.u64le(size);
            h.u64le(start);
            h.u32le(ZIP64_END_LOCATOR);
            h.u32le(0); // the disk of the ZIP64 end record
            h.u64le(end64);
            h.u32le(1); // disks
            // The classic end record says "see ZIP64" in the fields that overflow.
            let count = if n >= 0xFFFF { 0xFFFF } else { n as u16 };
            h.u32le(END_OF_CENTRAL_DIRECTORY);
            h.u16le(0);
            h.u16le(0);
            h.u16le(count);
            h.u16le(count);
            h.u32le(field32(size, big));
            h.u32le(field32(start, big));
            h.u16le(0);
        } else {
            let h = &mut self.head;
            h.u32le(END_OF_CENTRAL_DIRECTORY);
            h.u16le(0);
            h.u16le(0);
            h.u16le(n as u16);
            h.u16le(n as u16);
            h.u32le(size as u32);
            h.u32le(start as u32);
            h.u16le(0);
        }
        self.emit_head()?;
        self.out.flush()?;
        Ok(self.out)
    }
}
