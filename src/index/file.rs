//! Index files (`.gzi`): a gazetteer and its [`Index`] in one file that opens by
//! memory-mapping, with no parsing and no copying.
//!
//! Layout, every integer in the byte order of the machine that wrote it (checked on open):
//!
//! | bytes | content |
//! |-------|---------|
//! | 0..64 | header: magic `GAZMAPIX`, format version, byte-order mark, key rules version, file length, section count, checksums of the section table and of the header |
//! | 64.. | section table: per section its tag, offset, length and checksum (32 bytes each: the xxh3 of the xxh3s of its 1 MiB chunks) |
//! | then | the sections, each 8-byte aligned: place records, alternate names, string heaps, name records, sorted key tables and compressed posting lists |
//!
//! Opening checks the header, the table and every section's checksum, so a truncated,
//! corrupted, foreign or outdated file is refused with a message saying which, before a
//! query can read it.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use bytemuck::{Pod, Zeroable};
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::Index;
use crate::error::{Error, IndexError, Result};
use crate::flat::{Backing, Bytes, Sections, Span, Tag};
use crate::gazetteer::Gazetteer;
use crate::io::atomic;

/// The first eight bytes of every index file.
pub const MAGIC: [u8; 8] = *b"GAZMAPIX";

/// The layout version this gazmap writes and reads: to be raised with any change to the
/// header, the section table or a section's layout (3: the deletion table files two deletions
/// within a prefix; 4: a second deletion table, of the folds, filed under two deletions, and the
/// skeletons' under one). Changes to how keys are made
/// raise [`KEY_RULES_VERSION`] instead.
pub const FORMAT_VERSION: u32 = 4;

pub use crate::normalize::KEY_RULES_VERSION;

const BYTE_ORDER_MARK: u32 = 0x0102_0304;

#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Header {
    magic: [u8; 8],
    version: u32,
    byte_order: u32,
    key_rules: u64,
    file_len: u64,
    section_count: u32,
    reserved: u32,
    table_checksum: u64,
    /// of the header's first 48 bytes
    header_checksum: u64,
    reserved2: u64,
}

#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct SectionEntry {
    tag: u32,
    reserved: u32,
    offset: u64,
    len: u64,
    checksum: u64,
}

const HEADER_LEN: usize = std::mem::size_of::<Header>();
const ENTRY_LEN: usize = std::mem::size_of::<SectionEntry>();

/// Bytes per checksummed chunk: a section's chunks are hashed in parallel.
const CHUNK: usize = 1 << 20;

/// A section's checksum: the xxh3 of the xxh3 of each of its [`CHUNK`]s.
fn checksum(bytes: &[u8]) -> u64 {
    let hashes: Vec<u64> = bytes.par_chunks(CHUNK).map(xxh3_64).collect();
    xxh3_64(bytemuck::cast_slice(&hashes))
}

/// True when the file at `path` is named like an index file or starts like one.
pub fn is_index_file(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e == "gzi") {
        return true;
    }
    let mut magic = [0u8; 8];
    File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| magic == MAGIC)
}

/// Writes `gazetteer` and its `index` to `path` (atomically: a failed write leaves no file).
pub fn write(path: &Path, gazetteer: &Gazetteer, index: &Index) -> Result<()> {
    let mut sections = gazetteer.sections();
    sections.extend(index.sections());
    let mut entries = Vec::with_capacity(sections.len());
    let mut offset = (HEADER_LEN + ENTRY_LEN * sections.len()).next_multiple_of(8) as u64;
    for (tag, bytes) in &sections {
        entries.push(SectionEntry {
            tag: *tag as u32,
            reserved: 0,
            offset,
            len: bytes.len() as u64,
            checksum: checksum(bytes),
        });
        offset = (offset + bytes.len() as u64).next_multiple_of(8);
    }
    let table: &[u8] = bytemuck::cast_slice(&entries);
    let mut header = Header {
        magic: MAGIC,
        version: FORMAT_VERSION,
        byte_order: BYTE_ORDER_MARK,
        key_rules: u64::from(KEY_RULES_VERSION),
        file_len: offset,
        section_count: entries.len() as u32,
        reserved: 0,
        table_checksum: xxh3_64(table),
        header_checksum: 0,
        reserved2: 0,
    };
    header.header_checksum = xxh3_64(&bytemuck::bytes_of(&header)[..48]);
    atomic::write_file(path, |f| {
        let io = |e| Error::io(path, e);
        f.write_all(bytemuck::bytes_of(&header)).map_err(io)?;
        f.write_all(table).map_err(io)?;
        let mut at = (HEADER_LEN + table.len()) as u64;
        for ((_, bytes), entry) in sections.iter().zip(&entries) {
            let pad = (entry.offset - at) as usize;
            f.write_all(&[0u8; 8][..pad]).map_err(io)?;
            f.write_all(bytes).map_err(io)?;
            at = entry.offset + entry.len;
        }
        f.write_all(&[0u8; 8][..(offset - at) as usize]).map_err(io)
    })
}

/// Recomputes the file length and every checksum of index file bytes in place, so that
/// changed contents pass the checks [`open`] makes: for fuzzing the reads behind them. Does
/// nothing to bytes too short for a header; sections out of bounds are left as they are.
#[doc(hidden)]
pub fn reseal(bytes: &mut [u8]) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    let mut header: Header = bytemuck::pod_read_unaligned(&bytes[..HEADER_LEN]);
    header.file_len = bytes.len() as u64;
    let count = (header.section_count as usize).min((bytes.len() - HEADER_LEN) / ENTRY_LEN);
    for i in 0..count {
        let at = HEADER_LEN + i * ENTRY_LEN;
        let mut e: SectionEntry = bytemuck::pod_read_unaligned(&bytes[at..at + ENTRY_LEN]);
        let range = usize::try_from(e.offset)
            .ok()
            .zip(usize::try_from(e.len).ok())
            .and_then(|(off, len)| Some(off..off.checked_add(len)?))
            .filter(|r| r.end <= bytes.len());
        if let Some(r) = range {
            e.checksum = checksum(&bytes[r]);
            bytes[at..at + ENTRY_LEN].copy_from_slice(bytemuck::bytes_of(&e));
        }
    }
    let table_end = HEADER_LEN + header.section_count as usize * ENTRY_LEN;
    if let Some(table) = bytes.get(HEADER_LEN..table_end) {
        header.table_checksum = xxh3_64(table);
    }
    bytes[..HEADER_LEN].copy_from_slice(bytemuck::bytes_of(&header));
    header.header_checksum = xxh3_64(&bytes[..48]);
    bytes[..HEADER_LEN].copy_from_slice(bytemuck::bytes_of(&header));
}

/// Opens an index file by reading it into memory: the gazetteer and the index it holds.
///
/// # Errors
/// [`Error::Io`] when it cannot be read; [`Error::Index`] when it is not a whole index file
/// of this format and these key rules (truncated, corrupted, foreign, outdated).
pub fn open(path: &Path) -> Result<(Gazetteer, Index)> {
    let io = |e| Error::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let len = usize::try_from(len).map_err(|_| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::OutOfMemory, "too large to read"),
        )
    })?;
    // u64 words keep every section 8-byte aligned, as the format requires
    let mut words = vec![0u64; len.div_ceil(8)];
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut words);
    std::io::Read::read_exact(&mut file, &mut bytes[..len]).map_err(io)?;
    let sections = check(
        path,
        &bytemuck::cast_slice::<u64, u8>(&words)[..len],
        len as u64,
    )?;
    contents(path, Bytes::new(Backing::Heap { words, len }), &sections)
}

/// Opens an index file by memory-mapping it: nothing is read until a query needs it, and
/// processes that open one file share its pages.
///
/// # Safety
/// The file must not be modified or truncated while the returned gazetteer or index (or a
/// clone) is alive: gazmap never does (it replaces index files by renaming a new file over
/// them), but another program could, and reads through the map would then see other bytes.
///
/// # Errors
/// As [`open`].
pub unsafe fn open_mapped(path: &Path) -> Result<(Gazetteer, Index)> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let actual_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if actual_len < HEADER_LEN as u64 {
        // (an empty file cannot be mapped at all)
        return Err(Error::index(
            path,
            IndexError::NotIndex {
                len: Some(actual_len),
            },
        ));
    }
    // SAFETY: the map is read-only; the caller promises the file does not change under it
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }
        .map_err(|e| Error::io(path, e))?;
    let sections = check(path, &map, actual_len)?;
    contents(path, Bytes::new(Backing::Map(map)), &sections)
}

/// Checks the header, the section table and every section's checksum of an index file's
/// bytes, and says where each section is.
fn check(path: &Path, map: &[u8], actual_len: u64) -> Result<Sections> {
    let refuse = |source: IndexError| Error::index(path, source);
    if actual_len < HEADER_LEN as u64 || map.len() < HEADER_LEN {
        return Err(refuse(IndexError::NotIndex {
            len: Some(actual_len),
        }));
    }
    let header: Header = bytemuck::pod_read_unaligned(&map[..HEADER_LEN]);
    if header.magic != MAGIC {
        return Err(refuse(IndexError::NotIndex { len: None }));
    }
    if header.byte_order != BYTE_ORDER_MARK {
        return Err(refuse(IndexError::ByteOrder));
    }
    if header.version != FORMAT_VERSION {
        return Err(refuse(IndexError::Version {
            expected: FORMAT_VERSION,
            got: u64::from(header.version),
        }));
    }
    if xxh3_64(&map[..48]) != header.header_checksum {
        return Err(refuse(IndexError::Checksum {
            section: "header".into(),
        }));
    }
    if header.file_len != actual_len {
        return Err(refuse(IndexError::Length {
            expected: header.file_len,
            actual: actual_len,
        }));
    }
    if header.key_rules != u64::from(KEY_RULES_VERSION) {
        return Err(refuse(IndexError::Rules {
            expected: KEY_RULES_VERSION,
            got: header.key_rules,
        }));
    }
    let count = header.section_count as usize;
    let table = map
        .get(HEADER_LEN..HEADER_LEN + count.saturating_mul(ENTRY_LEN))
        .ok_or_else(|| {
            refuse(IndexError::Section {
                section: "section table bounds".into(),
            })
        })?;
    if xxh3_64(table) != header.table_checksum {
        return Err(refuse(IndexError::Checksum {
            section: "section table".into(),
        }));
    }
    let mut sections = Sections::default();
    for i in 0..count {
        let e: SectionEntry =
            bytemuck::pod_read_unaligned(&table[i * ENTRY_LEN..(i + 1) * ENTRY_LEN]);
        let tag = Tag::from_u32(e.tag).ok_or_else(|| {
            refuse(IndexError::Section {
                section: format!("unknown section tag {}", e.tag),
            })
        })?;
        let bytes = usize::try_from(e.offset)
            .ok()
            .zip(usize::try_from(e.len).ok())
            .and_then(|(off, len)| Some((off, map.get(off..off.checked_add(len)?)?)))
            .filter(|(off, _)| off % 8 == 0);
        let Some((off, bytes)) = bytes else {
            return Err(refuse(IndexError::Section {
                section: format!("{tag:?} section bounds"),
            }));
        };
        if checksum(bytes) != e.checksum {
            return Err(refuse(IndexError::Checksum {
                section: format!("{tag:?} section"),
            }));
        }
        sections.push(
            tag,
            Span {
                off,
                len: bytes.len(),
            },
        );
    }
    Ok(sections)
}

/// The gazetteer and index in the checked sections of `bytes`.
fn contents(path: &Path, bytes: Bytes, sections: &Sections) -> Result<(Gazetteer, Index)> {
    let refuse = |source: IndexError| Error::index(path, source);
    let contents = |e: Error| refuse(IndexError::Contents(e.to_string()));
    let gazetteer = Gazetteer::from_sections(bytes.clone(), sections).map_err(contents)?;
    let index = Index::from_sections(bytes, sections).map_err(contents)?;
    if index.place_count() != gazetteer.len() {
        return Err(refuse(IndexError::Contents(
            "the index and its places disagree".into(),
        )));
    }
    Ok((gazetteer, index))
}
