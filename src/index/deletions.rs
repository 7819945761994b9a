//! The deletion-neighbourhood tables: which folded names are one or two edits from a query's
//! fold, and which skeleton keys one edit from its skeleton.
//!
//! Every text is filed under each variant that at most [`FOLD_EDITS`] (folds) or
//! [`SKELETON_EDITS`] (skeletons) deletions within its first [`PREFIX`] bytes make (SymSpell's
//! symmetric deletions, limited to a prefix as SymSpell limits them). Two texts within that
//! many edits (insertions, deletions, substitutions, swaps of neighbours) of each other share
//! such a variant, wherever the edits are, so looking up the query's own variants finds every
//! text within them; the optimal string alignment distance of each text found then says how
//! far it is.

use xxhash_rust::xxh3::xxh3_64;

use super::{Index, KeyId, KeyTexts};
use crate::error::{Error, Result};
use crate::flat::csr;
use crate::flat::Span;

/// Bytes at the start of a key whose deletions it is filed under.
pub const PREFIX: usize = 7;
/// Most edits between a query and the texts the tables find.
pub const MAX_EDITS: usize = 2;
/// Edits the fold table reaches: a typo or two in a name as written.
pub(crate) const FOLD_EDITS: usize = MAX_EDITS;
/// Edits the skeleton table reaches: a romanization with one slip (*Sar Rawda* for Sar
/// Rowẕah); two skeleton edits reach more look-alikes than typos.
pub(crate) const SKELETON_EDITS: usize = 1;

/// An index's deletion table: hash buckets of keys filed under their variants, each entry a
/// key id and the high half of its variant's hash.
pub(super) struct DeletionTable<'a> {
    pub(super) starts: &'a [u32],
    pub(super) entries: &'a [[u32; 2]],
    /// buckets minus one (their number is a power of two)
    pub(super) mask: u64,
    pub(super) texts: KeyTexts<'a>,
    /// the deletions each text is filed under, and so the most edits the table reaches
    pub(super) edits: usize,
}

/// Whether a key is filed: keys in other scripts than Latin are compared by their trigrams.
fn filed(key: &str) -> bool {
    key.is_ascii() && !key.is_empty()
}

/// The hashes of the distinct variants of `key`'s first [`PREFIX`] bytes with at most
/// `deletions` (up to [`MAX_EDITS`]) of them deleted (the prefix itself included), sorted.
/// A text is filed under its variants of its table's deletions; a query looking for texts
/// within `d` edits needs only its own variants of `d`.
fn variant_hashes(key: &[u8], deletions: usize) -> Vec<u64> {
    let prefix = &key[..key.len().min(PREFIX)];
    let mut variants: Vec<u64> = Vec::with_capacity(1 + PREFIX + PREFIX * (PREFIX - 1) / 2);
    variants.push(pack(prefix.iter().copied()));
    let n = if deletions == 0 { 0 } else { prefix.len() };
    for i in 0..n {
        let once = (0..n).filter(|&x| x != i);
        variants.push(pack(once.map(|x| prefix[x])));
        if deletions < 2 {
            continue;
        }
        for j in i + 1..n {
            let twice = (0..n).filter(|&x| x != i && x != j);
            variants.push(pack(twice.map(|x| prefix[x])));
        }
    }
    // deleting either of two equal neighbours gives the same variant
    variants.sort_unstable();
    variants.dedup();
    variants
        .into_iter()
        .map(|v| xxh3_64(&v.to_le_bytes()))
        .collect()
}

/// A variant of at most [`PREFIX`] (< 8) non-zero bytes as one number; the zero bytes after
/// it tell its length.
fn pack(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes
        .enumerate()
        .fold(0, |acc, (i, b)| acc | u64::from(b) << (8 * i))
}

/// The deletion table of `keys`, each filed under its variants of `edits` deletions: a power
/// of two of hash buckets, as compressed rows of key ids with the high half of the hash of
/// the variant each is filed under.
pub(super) fn build(keys: &[String], edits: usize) -> Result<(Vec<u32>, Vec<[u32; 2]>)> {
    use rayon::prelude::*;
    // each key's variants, hashed in parallel, then filed by counting
    let filings: Vec<Vec<u64>> = keys
        .par_iter()
        .map(|k| {
            if filed(k) {
                variant_hashes(k.as_bytes(), edits)
            } else {
                Vec::new()
            }
        })
        .collect();
    let entries: usize = filings.iter().map(Vec::len).sum();
    let buckets = (entries / 2).max(1).next_power_of_two();
    let mask = (buckets - 1) as u64;
    let mut counts = vec![0u32; buckets + 1];
    for &h in filings.iter().flatten() {
        counts[(h & mask) as usize + 1] += 1;
    }
    for i in 1..counts.len() {
        counts[i] = counts[i - 1]
            .checked_add(counts[i])
            .ok_or_else(|| Error::Invalid("too many keys for one index".into()))?;
    }
    let starts = counts.clone();
    let mut items = vec![[0u32; 2]; *counts.last().unwrap_or(&0) as usize];
    for (id, hashes) in filings.iter().enumerate() {
        for &h in hashes {
            let b = (h & mask) as usize;
            items[counts[b] as usize] = [id as u32, (h >> 32) as u32];
            counts[b] += 1;
        }
    }
    Ok((starts, items))
}

/// Optimal string alignment distance of two byte strings (insertions, deletions,
/// substitutions and swaps of neighbours), or `None` when it is over `max`.
pub fn edits_within(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    // the common prefix and suffix cost nothing
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[p..], &b[p..]);
    let s = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - s], &b[..b.len() - s]);
    // bit-parallel up to 64 bytes, row by row beyond
    let d = osa_bits(a, b, max, |_, _| true).unwrap_or_else(|| osa_rows(a, b, |_, _| true));
    (d <= max).then_some(d)
}

/// Optimal string alignment distance of two byte strings, where a swap of neighbours `x y`
/// counts as one edit when `swappable(x, y)` (otherwise as two).
pub(crate) fn osa_with(a: &[u8], b: &[u8], swappable: impl Fn(u8, u8) -> bool) -> usize {
    osa_bits(a, b, usize::MAX, &swappable).unwrap_or_else(|| osa_rows(a, b, swappable))
}

/// [`osa_with`] for a first string of 1 to 64 bytes, a column of the distance matrix in the
/// bits of a word (Hyyrö's bit-parallel form of Myers' algorithm, with his term for swaps);
/// `None` for other first strings.
///
/// The distance so far can fall by at most one a byte of `b`: once it cannot come back to
/// `max`, what it is then is returned (more than `max`, not the distance).
fn osa_bits(a: &[u8], b: &[u8], max: usize, swappable: impl Fn(u8, u8) -> bool) -> Option<usize> {
    let m = a.len();
    if m == 0 || m > 64 {
        return None;
    }
    PEQ.with_borrow_mut(|peq| {
        let d = osa_bits_with(a, b, max, swappable, peq);
        // the table is zero again for the next call: only `a`'s bytes were set
        for &x in a {
            peq[usize::from(x)] = 0;
        }
        Some(d)
    })
}

thread_local! {
    /// [`osa_bits`]' table of where each byte is in its first string, zero between calls
    /// (clearing the bytes set costs less than zeroing 2 KiB for each pair).
    static PEQ: std::cell::RefCell<[u64; 256]> = const { std::cell::RefCell::new([0; 256]) };
}

/// [`osa_bits`] with `peq`, zero on entry, as the table of where each byte is in `a`.
fn osa_bits_with(
    a: &[u8],
    b: &[u8],
    max: usize,
    swappable: impl Fn(u8, u8) -> bool,
    peq: &mut [u64; 256],
) -> usize {
    let m = a.len();
    // where each byte is in `a`, and after which bytes of `a` a swap counts as one edit
    let mut swaps = 0u64;
    for (i, &x) in a.iter().enumerate() {
        peq[usize::from(x)] |= 1 << i;
        if i > 0 && swappable(a[i - 1], x) {
            swaps |= 1 << i;
        }
    }
    let last = 1u64 << (m - 1);
    let (mut vp, mut vn) = (u64::MAX >> (64 - m), 0u64);
    let (mut d0, mut pm_old) = (0u64, 0u64);
    let mut d = m;
    for (j, &y) in b.iter().enumerate() {
        let pm = peq[usize::from(y)];
        // a[i] = b[j - 1] and a[i - 1] = b[j]: a swap, one edit from two diagonal steps back
        let tr = (((!d0) & pm) << 1) & pm_old & swaps;
        d0 = (((pm & vp).wrapping_add(vp)) ^ vp) | pm | vn | tr;
        let hp = vn | !(d0 | vp);
        let hn = d0 & vp;
        if hp & last != 0 {
            d += 1;
        } else if hn & last != 0 {
            d -= 1;
        }
        let hp = (hp << 1) | 1;
        let hn = hn << 1;
        vp = hn | !(d0 | hp);
        vn = hp & d0;
        pm_old = pm;
        if d > max.saturating_add(b.len() - j - 1) {
            break;
        }
    }
    d
}

/// [`osa_with`] row by row.
fn osa_rows(a: &[u8], b: &[u8], swappable: impl Fn(u8, u8) -> bool) -> usize {
    const SHORT: usize = 64;
    let w = b.len() + 1;
    let mut stack = [0usize; 3 * SHORT];
    let mut heap = Vec::new();
    let rows: &mut [usize] = if w <= SHORT {
        &mut stack[..3 * w]
    } else {
        heap.resize(3 * w, 0);
        &mut heap
    };
    // three rows used in turn: row i lives at (i % 3) * w
    for (j, cell) in rows[..w].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (cur, prev, back) = ((i % 3) * w, ((i - 1) % 3) * w, ((i + 1) % 3) * w);
        rows[cur] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev + j] + 1)
                .min(rows[cur + j - 1] + 1)
                .min(rows[prev + j - 1] + cost);
            if i > 1
                && j > 1
                && a[i - 1] == b[j - 2]
                && a[i - 2] == b[j - 1]
                && swappable(a[i - 2], a[i - 1])
            {
                d = d.min(rows[back + j - 2] + 1);
            }
            rows[cur + j] = d;
        }
    }
    rows[(a.len() % 3) * w + b.len()]
}

impl<'a> DeletionTable<'a> {
    /// Every text of the table within `max` (at most the table's own edits) edits of
    /// `query`, other than `query` itself, with its distance, in id order.
    fn within(&self, query: &str, max: usize) -> Vec<(u32, u8)> {
        let q = query.as_bytes();
        let max = max.min(self.edits);
        let mut found: Vec<(u32, u8)> = Vec::new();
        if !filed(query) || max == 0 {
            return found;
        }
        // a text of another length than the query's, give or take `max`, is too far: its
        // length is read without its text (were the text unreadable, so empty, it would be
        // too far as well, the query being longer than `max`)
        let near_length = |k: KeyId| {
            let len = if q.len() > max {
                self.texts.len(k as usize)
            } else {
                self.texts.get(k as usize).len()
            };
            len.abs_diff(q.len()) <= max
        };
        // a text near the query shares many of its variants: each is compared once. Each
        // step reads all it needs before the next one (so the reads overlap): the buckets'
        // rows, the entries of the variants, then the lengths of their texts
        let filed: Vec<(&[[u32; 2]], u32)> = variant_hashes(q, max)
            .into_iter()
            .map(|hash| {
                let (bucket, print) = ((hash & self.mask) as usize, (hash >> 32) as u32);
                (csr(self.starts, self.entries, bucket), print)
            })
            .collect();
        let mut reached: Vec<KeyId> = Vec::with_capacity(256);
        for (row, print) in filed {
            // the fingerprint spares reading the keys of other variants in the bucket
            reached.extend(row.iter().filter(|e| e[1] == print).map(|e| e[0]));
        }
        reached.retain(|&k| near_length(k));
        reached.sort_unstable();
        reached.dedup();
        // the texts read first, all at once (their reads overlap), then compared
        let texts: Vec<&str> = reached
            .iter()
            .map(|&k| self.texts.get(k as usize))
            .collect();
        for (k, text) in reached.into_iter().zip(texts) {
            if let Some(d) = edits_within(q, text.as_bytes(), max).filter(|&d| d > 0) {
                found.push((k, d as u8));
            }
        }
        found
    }
}

impl Index {
    /// A deletion table of the index, borrowed once for a query's lookups.
    fn deletion_table(
        &self,
        [starts, entries, texts]: [Span; 3],
        edits: usize,
    ) -> DeletionTable<'_> {
        let starts = self.u32s(starts);
        DeletionTable {
            edits,
            starts,
            entries: self.bytes.array(entries),
            // one slot more than the buckets: the mask is that minus one
            mask: (starts.len().saturating_sub(1)).saturating_sub(1) as u64,
            texts: KeyTexts {
                keys: self.strs(texts),
                heap: self.heap(),
            },
        }
    }

    /// Every key within `max_edits` (at most [`SKELETON_EDITS`]) insertions, deletions,
    /// substitutions or swaps of neighbouring bytes of `skeleton`, other than `skeleton`
    /// itself, with its distance: nearest first, then in key order. None for a skeleton in
    /// another script than Latin.
    #[doc(hidden)] // a door for benches/scale.rs, not part of the API
    pub fn keys_within(&self, skeleton: &str, max_edits: usize) -> Vec<(KeyId, u8)> {
        let mut found = self.skeleton_table().within(skeleton, max_edits);
        found.sort_unstable_by_key(|&(k, d)| (d, k));
        found
    }

    /// The skeletons' deletion table.
    fn skeleton_table(&self) -> DeletionTable<'_> {
        let s = &self.spans;
        let spans = [s.deletion_starts, s.deletion_keys, s.keys];
        self.deletion_table(spans, SKELETON_EDITS)
    }

    /// Every distinct fold within `max_edits` (at most [`FOLD_EDITS`]) edits of `folded`,
    /// other than `folded` itself, with its distance, in fold order.
    pub(crate) fn folds_within(&self, folded: &str, max_edits: usize) -> Vec<(u32, u8)> {
        let s = &self.spans;
        let spans = [s.fold_deletion_starts, s.fold_deletion_folds, s.folds];
        self.deletion_table(spans, FOLD_EDITS)
            .within(folded, max_edits)
    }

    /// The keys of the names whose fold is within `max_edits` of `folded` (other than
    /// `folded` itself), or whose skeleton is one edit from `skeleton`, each with the fewer
    /// edits: nearest first, then in key order. A fold one typo from a name can be three
    /// skeleton edits from it (*alminica*, *alminicis* for Almenêche, Almenêches); a skeleton
    /// one edit away is a romanization with a slip (*Sar Rawda* for Sar Rowẕah), while two
    /// skeleton edits reach more look-alikes than typos.
    pub(crate) fn keys_near(
        &self,
        folded: &str,
        skeleton: &str,
        max_edits: usize,
    ) -> Vec<(KeyId, u8)> {
        let s = &self.spans;
        let mut found = self.skeleton_table().within(skeleton, max_edits);
        let (starts, names) = (self.u32s(s.fold_starts), self.u32s(s.fold_names));
        let records = self.records();
        for (f, d) in self.folds_within(folded, max_edits) {
            for &n in csr(starts, names, f as usize) {
                if let Some(r) = records.get(n as usize) {
                    found.push((r.key, d));
                }
            }
        }
        // a key reached both ways keeps the nearer
        found.sort_unstable_by_key(|&(k, d)| (k, d));
        found.dedup_by_key(|&mut (k, _)| k);
        found.sort_unstable_by_key(|&(k, d)| (d, k));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_distinct_and_bounded() {
        // prefix, its 7 deletions and 21 pairs of them
        assert_eq!(variant_hashes(b"abcdefghij", 2).len(), 29);
        // "kabul": 1 + 5 + 10
        assert_eq!(variant_hashes(b"kabul", 2).len(), 16);
        // deleting either a of "aab" gives "ab"; "b" from either pair
        assert_eq!(variant_hashes(b"aab", 2).len(), 1 + 2 + 2);
        // a query looking one edit away: the prefix and its 7 deletions
        assert_eq!(variant_hashes(b"abcdefghij", 1).len(), 8);
    }

    #[test]
    fn bounded_distance_counts_a_swap_as_one_edit() {
        assert_eq!(edits_within(b"ghazni", b"ghanzi", 2), Some(1));
        assert_eq!(edits_within(b"kabul", b"kbaul", 2), Some(1));
        assert_eq!(edits_within(b"kabul", b"kabul", 2), Some(0));
        assert_eq!(edits_within(b"kabul", b"xkabulx", 2), Some(2));
        assert_eq!(edits_within(b"kabul", b"lubak", 2), None);
        assert_eq!(edits_within(b"ca", b"abc", 2), None);
        assert_eq!(osa_with(b"ca", b"abc", |_, _| true), 3);
        // longer than the stack rows
        let long = "kabul".repeat(20);
        let typo = format!("x{}y", &long[1..]);
        assert_eq!(osa_with(long.as_bytes(), typo.as_bytes(), |_, _| true), 2);
        assert_eq!(edits_within(long.as_bytes(), typo.as_bytes(), 2), Some(2));
    }

    proptest::proptest! {
        #[test]
        fn bit_parallel_distance_is_the_rows(a in "[abcx ]{0,70}", b in "[abcx ]{0,70}") {
            let swap = |x: u8, y: u8| x != b'a' && y != b'a';
            let rows = osa_rows(a.as_bytes(), b.as_bytes(), swap);
            proptest::prop_assert_eq!(osa_with(a.as_bytes(), b.as_bytes(), swap), rows);
            let all = osa_rows(a.as_bytes(), b.as_bytes(), |_, _| true);
            proptest::prop_assert_eq!(all, strsim::osa_distance(&a, &b));
            for max in 0..=3 {
                let got = edits_within(a.as_bytes(), b.as_bytes(), max);
                proptest::prop_assert_eq!(got, (all <= max).then_some(all));
            }
        }

        #[test]
        fn bounded_distance_is_the_osa_distance(a in "[abc]{0,14}", b in "[abc]{0,14}") {
            let d = strsim::osa_distance(&a, &b);
            for max in 0..=3 {
                let got = edits_within(a.as_bytes(), b.as_bytes(), max);
                proptest::prop_assert_eq!(got, (d <= max).then_some(d));
            }
        }
    }
}
