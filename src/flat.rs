//! Flat storage shared by the gazetteer and the index: typed arrays and string heaps laid out
//! in one 8-byte-aligned buffer, built in memory or memory-mapped from an index file, and read
//! the same way either way.
//!
//! Every read is bounds-checked: a span outside the buffer reads as empty, a string outside
//! its heap or splitting a character as `""`; each heap's UTF-8 is checked once, when the
//! buffer is built or opened. Index files are checksummed before they get here, so the checks
//! only guard against bugs and forged files: never a panic.

use std::sync::Arc;

use bytemuck::{Pod, Zeroable};
use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};

/// The bytes behind a gazetteer or index.
pub(crate) enum Backing {
    /// Built in memory; `u64` words keep every section 8-byte aligned.
    Heap { words: Vec<u64>, len: usize },
    /// A memory-mapped index file.
    Map(memmap2::Mmap),
}

impl std::fmt::Debug for Backing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the size, not the bytes: a gazetteer's may run to gigabytes
        match self {
            Backing::Heap { len, .. } => write!(f, "Heap({len} bytes)"),
            Backing::Map(map) => write!(f, "Map({} bytes)", map.len()),
        }
    }
}

/// Shared handle on a [`Backing`].
#[derive(Debug, Clone)]
pub(crate) struct Bytes(Arc<Backing>);

impl Bytes {
    pub(crate) fn new(backing: Backing) -> Bytes {
        Bytes(Arc::new(backing))
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match &*self.0 {
            Backing::Heap { words, len } => {
                let bytes: &[u8] = bytemuck::cast_slice(words);
                bytes.get(..*len).unwrap_or(bytes)
            }
            Backing::Map(map) => map,
        }
    }

    /// The elements of `span`, or nothing when it does not fit the buffer.
    pub(crate) fn array<T: Pod>(&self, span: Span) -> &[T] {
        self.as_slice()
            .get(span.off..span.off.saturating_add(span.len))
            .and_then(|b| bytemuck::try_cast_slice(b).ok())
            .unwrap_or(&[])
    }
}

/// A byte range of a [`Bytes`] buffer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) off: usize,
    pub(crate) len: usize,
}

/// Which array a section holds; the numbers are part of the index file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u32)]
pub(crate) enum Tag {
    PlaceRecords = 1,
    PlaceAltNames = 2,
    PlaceHeap = 3,
    PlaceById = 4,
    Names = 16,
    NameHeap = 17,
    Keys = 18,
    KeyNameStarts = 19,
    KeyNames = 20,
    Folds = 21,
    FoldStarts = 22,
    FoldNames = 23,
    Consonants = 24,
    ConsonantStarts = 25,
    ConsonantKeys = 26,
    Grams = 27,
    GramStarts = 28,
    GramKeys = 29,
    GramLenStarts = 30,
    GramLens = 31,
    PlaceNameStarts = 32,
    DeletionStarts = 33,
    DeletionKeys = 34,
    FoldSlots = 35,
    KeySlots = 36,
    ConsonantSlots = 37,
    FoldDeletionStarts = 38,
    FoldDeletionFolds = 39,
}

impl Tag {
    /// Every tag, in file order.
    pub(crate) const ALL: [Tag; 28] = [
        Tag::PlaceRecords,
        Tag::PlaceAltNames,
        Tag::PlaceHeap,
        Tag::PlaceById,
        Tag::Names,
        Tag::NameHeap,
        Tag::Keys,
        Tag::KeyNameStarts,
        Tag::KeyNames,
        Tag::Folds,
        Tag::FoldStarts,
        Tag::FoldNames,
        Tag::Consonants,
        Tag::ConsonantStarts,
        Tag::ConsonantKeys,
        Tag::Grams,
        Tag::GramStarts,
        Tag::GramKeys,
        Tag::GramLenStarts,
        Tag::GramLens,
        Tag::PlaceNameStarts,
        Tag::DeletionStarts,
        Tag::DeletionKeys,
        Tag::FoldSlots,
        Tag::KeySlots,
        Tag::ConsonantSlots,
        Tag::FoldDeletionStarts,
        Tag::FoldDeletionFolds,
    ];

    pub(crate) fn from_u32(n: u32) -> Option<Tag> {
        Tag::ALL.into_iter().find(|t| *t as u32 == n)
    }
}

/// The sections of one buffer, by tag.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sections(Vec<(Tag, Span)>);

impl Sections {
    pub(crate) fn push(&mut self, tag: Tag, span: Span) {
        self.0.push((tag, span));
    }

    /// The span of `tag`, checked to hold whole `T`s.
    pub(crate) fn get<T>(&self, tag: Tag) -> Result<Span> {
        let span = self
            .0
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|&(_, s)| s)
            .ok_or_else(|| Error::Invalid(format!("the index lacks its {tag:?} section")))?;
        if span.off % 8 != 0 || span.len % std::mem::size_of::<T>() != 0 {
            return Err(Error::Invalid(format!(
                "the index's {tag:?} section is misshapen"
            )));
        }
        Ok(span)
    }
}

/// Builds a buffer section by section, each starting on a word.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    words: Vec<u64>,
    len: usize,
    sections: Sections,
}

impl Builder {
    /// Appends `data` as the section `tag`.
    pub(crate) fn push<T: Pod>(&mut self, tag: Tag, data: &[T]) {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let off = self.words.len() * 8;
        self.words
            .resize(self.words.len() + bytes.len().div_ceil(8), 0);
        bytemuck::cast_slice_mut::<u64, u8>(&mut self.words)[off..off + bytes.len()]
            .copy_from_slice(bytes);
        self.sections.push(
            tag,
            Span {
                off,
                len: bytes.len(),
            },
        );
        self.len = off + bytes.len();
    }

    /// The finished buffer and where its sections are.
    pub(crate) fn finish(mut self) -> (Bytes, Sections) {
        self.words.shrink_to_fit();
        let (words, len) = (self.words, self.len);
        (Bytes::new(Backing::Heap { words, len }), self.sections)
    }
}

/// A string in a heap: byte offset and length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct Str {
    off: u32,
    len: u32,
}

impl Str {
    /// The empty string.
    pub(crate) const EMPTY: Str = Str { off: 0, len: 0 };

    /// The text of `self` in `heap`; `""` when it is outside or splits a character.
    pub(crate) fn get(self, heap: &str) -> &str {
        let start = self.off as usize;
        heap.get(start..start + self.len as usize).unwrap_or("")
    }

    /// The length it records (that of its text in a heap it fits).
    pub(crate) fn len(self) -> usize {
        self.len as usize
    }
}

/// A span of a buffer found to be UTF-8 when the buffer was built or opened, so its strings
/// are read without checking them again. It holds its buffer, so it cannot be read against
/// another one.
#[derive(Debug, Clone)]
pub(crate) struct TextSpan {
    bytes: Bytes,
    span: Span,
}

impl TextSpan {
    /// Checks that `span` of `bytes` is UTF-8.
    pub(crate) fn check(bytes: &Bytes, span: Span) -> Result<TextSpan> {
        let text = bytes.array::<u8>(span);
        // the fast check first (SIMD); the standard one says where a bad byte is
        if simdutf8::basic::from_utf8(text).is_ok() {
            return Ok(TextSpan {
                bytes: bytes.clone(),
                span,
            });
        }
        let at = std::str::from_utf8(text)
            .err()
            .map_or(0, |e| e.valid_up_to());
        Err(Error::Invalid(format!(
            "the index's text is not UTF-8 at byte {}",
            span.off + at
        )))
    }

    pub(crate) fn span(&self) -> Span {
        self.span
    }

    /// The text.
    pub(crate) fn text(&self) -> &str {
        let b = self.bytes.array::<u8>(self.span);
        // SAFETY: `check` found exactly these bytes of this very buffer UTF-8, and a buffer
        // never changes once built, read or mapped (index files are replaced by renaming,
        // never rewritten in place; `open_mapped`'s caller promises as much)
        unsafe { std::str::from_utf8_unchecked(b) }
    }
}

/// Why a heap refuses more text.
pub(crate) const TEXT_OVER_4_GIB: &str =
    "the gazetteer's text is over 4 GiB, more than one index holds";

/// A string heap being built; offsets are 32-bit, so one heap holds at most 4 GiB.
#[derive(Debug, Default)]
pub(crate) struct Heap(Vec<u8>);

impl Heap {
    pub(crate) fn push(&mut self, s: &str) -> Result<Str> {
        let off = u32::try_from(self.0.len()).ok();
        let len = u32::try_from(s.len()).ok();
        match (off, len) {
            (Some(off), Some(len)) if off.checked_add(len).is_some() => {
                self.0.extend_from_slice(s.as_bytes());
                Ok(Str { off, len })
            }
            _ => Err(Error::Invalid(TEXT_OVER_4_GIB.into())),
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// An open-addressing hash table of `texts` (distinct): a power of two of slots, at most half
/// full, each holding a text's position plus one, or zero.
pub(crate) fn hash_slots<'a>(texts: impl ExactSizeIterator<Item = &'a str>) -> Vec<u32> {
    let slots = (texts.len() * 2).max(2).next_power_of_two();
    let mask = slots - 1;
    let mut table = vec![0u32; slots];
    for (i, t) in texts.enumerate() {
        let mut at = xxh3_64(t.as_bytes()) as usize & mask;
        while table[at] != 0 {
            at = (at + 1) & mask;
        }
        table[at] = i as u32 + 1;
    }
    table
}

/// The position of `text` in the hash table `slots` of texts that `text_of` gives.
pub(crate) fn hash_find<'a>(
    slots: &[u32],
    text: &str,
    text_of: impl Fn(usize) -> &'a str,
) -> Option<usize> {
    let mask = slots.len().checked_sub(1)?;
    let mut at = xxh3_64(text.as_bytes()) as usize & mask;
    // a table is never full, but a damaged one might be: look at each slot once at most
    for _ in 0..slots.len() {
        match slots[at] {
            0 => return None,
            n if text_of(n as usize - 1) == text => return Some(n as usize - 1),
            _ => at = (at + 1) & mask,
        }
    }
    None
}

/// `starts[i]..starts[i + 1]` of `items`, or nothing when out of range.
pub(crate) fn csr<'a, T>(starts: &[u32], items: &'a [T], i: usize) -> &'a [T] {
    match (starts.get(i), starts.get(i + 1)) {
        (Some(&a), Some(&b)) => items.get(a as usize..b as usize).unwrap_or(&[]),
        _ => &[],
    }
}

/// Compressed sparse rows from lists: the starts (one more than the lists) and the
/// concatenated items.
pub(crate) fn to_csr<L: AsRef<[u32]>>(
    lists: impl IntoIterator<Item = L>,
) -> Result<(Vec<u32>, Vec<u32>)> {
    let mut starts = vec![0];
    let mut items = Vec::new();
    for list in lists {
        items.extend_from_slice(list.as_ref());
        starts.push(u32::try_from(items.len()).map_err(|_| {
            Error::Invalid("the gazetteer has more names than one index holds".into())
        })?);
    }
    starts.shrink_to_fit();
    items.shrink_to_fit();
    Ok((starts, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_round_trip_and_bad_spans_read_empty() {
        let mut b = Builder::default();
        let mut heap = Heap::default();
        let s = heap.push("Kābul").unwrap();
        b.push(Tag::PlaceHeap, heap.bytes());
        b.push(Tag::Keys, &[s, s]);
        b.push(Tag::Grams, &[7u32, 8, 9]);
        let (bytes, sections) = b.finish();
        let heap = TextSpan::check(&bytes, sections.get::<u8>(Tag::PlaceHeap).unwrap()).unwrap();
        let keys: &[Str] = bytes.array(sections.get::<Str>(Tag::Keys).unwrap());
        assert_eq!(keys[1].get(heap.text()), "Kābul");
        let grams: &[u32] = bytes.array(sections.get::<u32>(Tag::Grams).unwrap());
        assert_eq!(grams, [7, 8, 9]);
        assert!(sections.get::<u32>(Tag::Names).is_err());
        assert!(
            sections.get::<Str>(Tag::Grams).is_err(),
            "12 bytes are not whole Strs"
        );
        let outside = Span {
            off: 1 << 20,
            len: 8,
        };
        assert!(bytes.array::<u32>(outside).is_empty());
        let torn = Str { off: 2, len: 2 }; // from inside the two-byte ā
        assert_eq!(torn.get(heap.text()), "");
        // a heap that is not UTF-8 is refused when checked
        assert!(TextSpan::check(&bytes, Span { off: 0, len: 2 }).is_err());
    }

    #[test]
    fn hash_tables_find_every_text_and_nothing_else() {
        let texts: Vec<String> = (0..500).map(|i| format!("name{i}")).collect();
        let slots = hash_slots(texts.iter().map(String::as_str));
        assert!(slots.len().is_power_of_two() && slots.len() >= 1000);
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(hash_find(&slots, t, |j| &texts[j]), Some(i));
        }
        assert_eq!(hash_find(&slots, "name500", |j| &texts[j]), None);
        assert_eq!(hash_find(&[], "name1", |j| &texts[j]), None);
        // a damaged table, full and pointing nowhere useful, ends the search
        assert_eq!(hash_find(&[1, 1, 1, 1], "x", |j| &texts[j]), None);
    }

    #[test]
    fn debug_shows_the_size_not_the_bytes() {
        let mut b = Builder::default();
        b.push(Tag::Grams, &[1u32; 1000]);
        let (bytes, _) = b.finish();
        assert_eq!(format!("{bytes:?}"), "Bytes(Heap(4000 bytes))");
    }

    #[test]
    fn csr_reads_rows_and_tolerates_bad_starts() {
        let (starts, items) = to_csr([vec![1, 2], vec![], vec![3]]).unwrap();
        assert_eq!(csr(&starts, &items, 0), [1, 2]);
        assert!(csr(&starts, &items, 1).is_empty());
        assert_eq!(csr(&starts, &items, 2), [3]);
        assert!(csr(&starts, &items, 3).is_empty());
        assert!(csr(&[5, 1], &items, 0).is_empty());
    }
}
