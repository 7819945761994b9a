//! Candidate generation: which names of a [`Gazetteer`] could a query mean.
//!
//! Exact, fold, skeleton and consonant keys are hash-table lookups; every key one or two
//! edits from a query comes from a deletion-neighbourhood table (`deletions.rs`, as SymSpell
//! files words); other fuzzy candidates come from a
//! trigram index over the distinct skeletons, scanning posting lists from the rarest gram
//! and bounding the number of keys it considers, so a query never compares itself with
//! every name.

mod deletions;
pub mod file;
mod load;

use bytemuck::{Pod, Zeroable};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::flat::{
    csr, hash_find, hash_slots, to_csr, Builder, Bytes, Heap, Sections, Span, Str, Tag, TextSpan,
};
use crate::gazetteer::{Gazetteer, PlaceId};
use crate::normalize::{bare_name, consonants, fold, skeleton_of_folded};

pub(crate) use deletions::osa_with;
pub use deletions::{edits_within, MAX_EDITS};
pub use load::{load_gazetteer, open, open_shared};

/// Index of a name in an [`Index`].
pub type NameId = u32;

/// Index of a distinct skeleton key in an [`Index`].
pub type KeyId = u32;

/// One name of one place, with its keys.
#[derive(Debug, Clone, Copy)]
pub struct NameEntry<'a> {
    /// The place the name belongs to.
    pub place: PlaceId,
    /// The name as the gazetteer writes it.
    pub text: &'a str,
    /// [`fold`] of the name.
    pub fold: &'a str,
    /// [`skeleton`](crate::normalize::skeleton) of the name.
    pub skeleton: &'a str,
    /// [`consonants`] of the skeleton.
    pub consonants: &'a str,
    /// True for the place's preferred name.
    pub primary: bool,
    /// Whether the keys are of the whole name or of a part of it.
    pub form: NameForm,
}

/// A name while the index is built.
struct NewName {
    place: PlaceId,
    text: String,
    fold: String,
    skeleton: String,
    primary: bool,
    form: NameForm,
}

/// One name as the flat arrays store it; the layout is part of the index file format.
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct NameRecord {
    place: u32,
    key: u32,
    text: Str,
    fold: Str,
    consonants: Str,
    /// bit 0: primary; bits 1-2: the [`NameForm`]
    flags: u32,
}

/// Which part of a gazetteer name an index entry's keys were made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameForm {
    /// The whole name.
    Full,
    /// The name without a designator or centre word (`Urgun District` → `Urgun`).
    Bare,
    /// One side of a compound name (`Shigal` of `Shigal wa Sheltan`).
    Part,
}

/// Least share of a query's trigrams a fuzzy candidate key must have.
const MIN_SHARED_FRACTION: f64 = 0.34;

/// Least Dice coefficient a fuzzy candidate key's length must allow: a key about three
/// times longer or shorter than the query is no spelling of it (its similarity is zero).
const MIN_DICE_BOUND: f64 = 0.5;

/// Dice coefficients tried in turn until enough keys reach one; every key that reaches it is
/// found, so when `limit` keys do they are the best of all. A high coefficient narrows the
/// key lengths scanned and lets fewer posting lists open candidates. The last round
/// (zero) takes every key sharing [`MIN_SHARED_FRACTION`] of the grams, and near misses.
const DICE_ROUNDS: [f64; 4] = [0.8, 0.65, 0.5, 0.0];

/// Keys that must reach a round's Dice coefficient for [`Index::close_keys`] to stop there.
/// One is not enough: a typo that splits a gram-rich key (`George oTwn`) ranks below a
/// near namesake, and the resolver's similarity, not the Dice order, tells them apart.
const ENOUGH_KEYS: usize = 2;

/// A posting list longer than this many times the candidates is probed by binary search
/// for each candidate rather than scanned.
const PROBE_RATIO: usize = 16;

thread_local! {
    /// Shared-gram counters of [`Index::fuzzy_keys`], one per key, zero between calls.
    static COUNTS: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Lookup structures over every name and alternate name of a gazetteer, in flat arrays built
/// in memory or memory-mapped from an index file.
#[derive(Debug, Clone)]
pub struct Index {
    bytes: Bytes,
    spans: Spans,
    /// bytes in the longest key
    longest: usize,
}

/// Where each array of an [`Index`] is in its buffer.
#[derive(Debug, Clone)]
struct Spans {
    /// [`NameRecord`]s
    names: Span,
    /// the text of names and keys
    heap: TextSpan,
    /// distinct skeletons ([`Str`]), ordered by length then text, and the names that have each
    keys: Span,
    key_name_starts: Span,
    key_names: Span,
    /// distinct folds ([`Str`]) in byte order, and the names that have each
    folds: Span,
    fold_starts: Span,
    fold_names: Span,
    /// distinct consonant keys ([`Str`]) in byte order, and the keys that have each
    consonants: Span,
    consonant_starts: Span,
    consonant_keys: Span,
    /// distinct trigrams in order, the keys that have each, and where each key length starts
    grams: Span,
    gram_starts: Span,
    gram_keys: Span,
    gram_len_starts: Span,
    gram_lens: Span,
    /// where each place's names start, in place order
    place_starts: Span,
    /// hash buckets of keys filed under themselves and their one-byte deletions: key id and
    /// the high half of the variant's hash
    deletion_starts: Span,
    deletion_keys: Span,
    /// hash tables of the folds, keys and consonant keys
    fold_slots: Span,
    key_slots: Span,
    consonant_slots: Span,
}

impl Spans {
    fn all(&self) -> [(Tag, Span); 22] {
        [
            (Tag::Names, self.names),
            (Tag::NameHeap, self.heap.span()),
            (Tag::Keys, self.keys),
            (Tag::KeyNameStarts, self.key_name_starts),
            (Tag::KeyNames, self.key_names),
            (Tag::Folds, self.folds),
            (Tag::FoldStarts, self.fold_starts),
            (Tag::FoldNames, self.fold_names),
            (Tag::Consonants, self.consonants),
            (Tag::ConsonantStarts, self.consonant_starts),
            (Tag::ConsonantKeys, self.consonant_keys),
            (Tag::Grams, self.grams),
            (Tag::GramStarts, self.gram_starts),
            (Tag::GramKeys, self.gram_keys),
            (Tag::GramLenStarts, self.gram_len_starts),
            (Tag::GramLens, self.gram_lens),
            (Tag::PlaceNameStarts, self.place_starts),
            (Tag::DeletionStarts, self.deletion_starts),
            (Tag::DeletionKeys, self.deletion_keys),
            (Tag::FoldSlots, self.fold_slots),
            (Tag::KeySlots, self.key_slots),
            (Tag::ConsonantSlots, self.consonant_slots),
        ]
    }
}

/// The index while it is built: owned lists and hash maps.
#[derive(Default)]
struct Build {
    names: Vec<NewName>,
    by_fold: FxHashMap<String, Vec<NameId>>,
    keys: Vec<String>,
    key_names: Vec<Vec<NameId>>,
    by_skeleton: FxHashMap<String, u32>,
    by_consonants: FxHashMap<String, Vec<u32>>,
    grams: FxHashMap<u32, Vec<KeyId>>,
    /// where each place's names start
    place_starts: Vec<u32>,
}

impl Index {
    /// Builds the index of every name and alternate name in `gazetteer`.
    pub fn build(gazetteer: &Gazetteer) -> Result<Index> {
        // the keys of each place's names, in parallel; then into the tables in place order
        let per_place: Vec<Vec<NewName>> = (0..gazetteer.len() as PlaceId)
            .into_par_iter()
            .map(|pid| names_of(gazetteer, pid))
            .collect();
        let mut index = Build::default();
        for names in per_place {
            index.place_starts.push(index.names.len() as u32);
            for name in names {
                index.add(name);
            }
        }
        index.place_starts.push(index.names.len() as u32);
        index.order_keys();
        index.freeze()
    }

    /// The index stored in `sections` of `bytes`.
    pub(crate) fn from_sections(bytes: Bytes, sections: &Sections) -> Result<Index> {
        let spans = Spans {
            names: sections.get::<NameRecord>(Tag::Names)?,
            heap: TextSpan::check(&bytes, sections.get::<u8>(Tag::NameHeap)?)?,
            keys: sections.get::<Str>(Tag::Keys)?,
            key_name_starts: sections.get::<u32>(Tag::KeyNameStarts)?,
            key_names: sections.get::<u32>(Tag::KeyNames)?,
            folds: sections.get::<Str>(Tag::Folds)?,
            fold_starts: sections.get::<u32>(Tag::FoldStarts)?,
            fold_names: sections.get::<u32>(Tag::FoldNames)?,
            consonants: sections.get::<Str>(Tag::Consonants)?,
            consonant_starts: sections.get::<u32>(Tag::ConsonantStarts)?,
            consonant_keys: sections.get::<u32>(Tag::ConsonantKeys)?,
            grams: sections.get::<u32>(Tag::Grams)?,
            gram_starts: sections.get::<u32>(Tag::GramStarts)?,
            gram_keys: sections.get::<u32>(Tag::GramKeys)?,
            gram_len_starts: sections.get::<u32>(Tag::GramLenStarts)?,
            gram_lens: sections.get::<u32>(Tag::GramLens)?,
            place_starts: sections.get::<u32>(Tag::PlaceNameStarts)?,
            deletion_starts: sections.get::<u32>(Tag::DeletionStarts)?,
            deletion_keys: sections.get::<[u32; 2]>(Tag::DeletionKeys)?,
            fold_slots: sections.get::<u32>(Tag::FoldSlots)?,
            key_slots: sections.get::<u32>(Tag::KeySlots)?,
            consonant_slots: sections.get::<u32>(Tag::ConsonantSlots)?,
        };
        let mut index = Index {
            bytes,
            spans: spans.clone(),
            longest: 0,
        };
        let rows = |starts: Span, of: Span| index.u32s(starts).len() == index.strs(of).len() + 1;
        if !rows(spans.key_name_starts, spans.keys)
            || !rows(spans.fold_starts, spans.folds)
            || !rows(spans.consonant_starts, spans.consonants)
            || index.u32s(spans.gram_starts).len() != index.u32s(spans.grams).len() + 1
            || index.u32s(spans.gram_len_starts).len() != index.u32s(spans.grams).len() + 1
            || !(index.u32s(spans.deletion_starts).len().saturating_sub(1)).is_power_of_two()
        {
            return Err(Error::Invalid(
                "the index's tables disagree in length".into(),
            ));
        }
        index.longest = index
            .strs(spans.keys)
            .last()
            .map_or(0, |s| s.get(index.heap()).len());
        Ok(index)
    }

    /// The sections to write to an index file.
    pub(crate) fn sections(&self) -> Vec<(Tag, &[u8])> {
        self.spans
            .all()
            .into_iter()
            .map(|(t, s)| (t, self.bytes.array::<u8>(s)))
            .collect()
    }

    fn u32s(&self, span: Span) -> &[u32] {
        self.bytes.array(span)
    }

    fn strs(&self, span: Span) -> &[Str] {
        self.bytes.array(span)
    }

    fn heap(&self) -> &str {
        self.spans.heap.text()
    }

    fn records(&self) -> &[NameRecord] {
        self.bytes.array(self.spans.names)
    }

    /// Number of names indexed.
    pub fn len(&self) -> usize {
        self.records().len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.records().is_empty()
    }

    /// Number of distinct skeleton keys.
    pub fn key_count(&self) -> usize {
        self.strs(self.spans.keys).len()
    }

    /// The place a name belongs to.
    pub fn name_place(&self, id: NameId) -> PlaceId {
        self.records().get(id as usize).map_or(0, |r| r.place)
    }

    /// The consonant key of a name.
    pub fn name_consonants(&self, id: NameId) -> &str {
        self.records()
            .get(id as usize)
            .map_or("", |r| r.consonants.get(self.heap()))
    }

    /// The name with this id.
    pub fn name(&self, id: NameId) -> NameEntry<'_> {
        let r = self
            .records()
            .get(id as usize)
            .copied()
            .unwrap_or_else(NameRecord::zeroed);
        let heap = self.heap();
        NameEntry {
            place: r.place,
            text: r.text.get(heap),
            fold: r.fold.get(heap),
            skeleton: self.key(r.key),
            consonants: r.consonants.get(heap),
            primary: r.flags & 1 != 0,
            form: match (r.flags >> 1) & 3 {
                0 => NameForm::Full,
                1 => NameForm::Bare,
                _ => NameForm::Part,
            },
        }
    }

    /// The names of a place, its preferred name first (when it has a foldable one).
    pub fn place_names(&self, place: PlaceId) -> std::ops::Range<NameId> {
        let starts = self.u32s(self.spans.place_starts);
        match (starts.get(place as usize), starts.get(place as usize + 1)) {
            (Some(&a), Some(&b)) if a <= b && b as usize <= self.len() => a..b,
            _ => 0..0,
        }
    }

    /// Number of places whose names are indexed.
    pub fn place_count(&self) -> usize {
        self.u32s(self.spans.place_starts).len().saturating_sub(1)
    }

    /// The consonant key of a place's preferred name ("" when it has none).
    pub fn primary_consonants(&self, place: PlaceId) -> &str {
        let first = self.place_names(place).next();
        match first.and_then(|n| self.records().get(n as usize)) {
            Some(r) if r.flags & 1 != 0 => r.consonants.get(self.heap()),
            _ => "",
        }
    }

    /// All names, in index order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = NameEntry<'_>> + '_ {
        (0..self.len() as NameId).map(|i| self.name(i))
    }

    /// Names whose fold equals `folded`.
    pub fn by_fold(&self, folded: &str) -> &[NameId] {
        let (heap, folds) = (self.heap(), self.strs(self.spans.folds));
        let text_of = |i: usize| folds.get(i).map_or("", |s| s.get(heap));
        match hash_find(self.u32s(self.spans.fold_slots), folded, text_of) {
            Some(i) => csr(
                self.u32s(self.spans.fold_starts),
                self.u32s(self.spans.fold_names),
                i,
            ),
            None => &[],
        }
    }

    /// The key whose text is `skeleton`.
    fn find_key(&self, skeleton: &str) -> Option<KeyId> {
        let texts = self.key_texts();
        hash_find(self.u32s(self.spans.key_slots), skeleton, |i| texts.get(i)).map(|i| i as KeyId)
    }

    /// The key texts, borrowed once for many lookups.
    fn key_texts(&self) -> KeyTexts<'_> {
        KeyTexts {
            keys: self.strs(self.spans.keys),
            heap: self.heap(),
        }
    }

    /// Names whose skeleton equals `skeleton`.
    pub fn by_skeleton(&self, skeleton: &str) -> &[NameId] {
        self.find_key(skeleton).map_or(&[], |k| self.key_names(k))
    }

    /// The keys that have trigram `gram`.
    fn posting(&self, gram: u32) -> Posting<'_> {
        match self.u32s(self.spans.grams).binary_search(&gram) {
            Ok(i) => Posting {
                keys: csr(
                    self.u32s(self.spans.gram_starts),
                    self.u32s(self.spans.gram_keys),
                    i,
                ),
                by_len: csr(
                    self.u32s(self.spans.gram_len_starts),
                    self.u32s(self.spans.gram_lens),
                    i,
                ),
            },
            Err(_) => Posting::default(),
        }
    }

    /// Distinct skeleton keys that share the most trigrams with `skeleton`: at most `limit`,
    /// best Dice coefficient first, ties broken by the key id (shorter, then alphabetical).
    ///
    /// The keys sharing a third of the query's trigrams, of a length that allows a Dice
    /// coefficient of one half; near misses when too few do.
    pub fn fuzzy_keys(&self, skeleton: &str, limit: usize) -> Vec<KeyId> {
        self.keys_by_dice(skeleton, limit, limit)
    }

    /// Like [`Index::fuzzy_keys`], but only the keys of the first Dice coefficient (0.8, 0.65,
    /// 0.5) that two keys reach, when one is: a query with close keys is then not
    /// compared with distant ones. Much cheaper; it may miss a key that shares few
    /// trigrams but is a close spelling (a transposition), so callers fall back on
    /// [`Index::fuzzy_keys`] when the close keys do not convince.
    pub fn close_keys(&self, skeleton: &str, limit: usize) -> Vec<KeyId> {
        self.keys_by_dice(skeleton, limit, ENOUGH_KEYS)
    }

    /// The best `limit` keys of the first Dice round that `enough` keys reach.
    fn keys_by_dice(&self, skeleton: &str, limit: usize, enough: usize) -> Vec<KeyId> {
        let mut grams: Vec<u32> = trigrams(skeleton).collect();
        grams.sort_unstable();
        grams.dedup();
        let postings: Vec<Posting> = grams.iter().map(|&g| self.posting(g)).collect();
        let q = grams.len();
        let min_shared = ((q as f64 * MIN_SHARED_FRACTION).ceil() as usize).max(1);
        // a key's length bounds its Dice coefficient: 2 min(q, kg) / (q + kg) for kg grams
        let bound = |len: usize| {
            let kg = len + 2;
            2.0 * q.min(kg) as f64 / (q + kg) as f64
        };
        let mut scored: Vec<(f64, KeyId, u16)> = Vec::new();
        COUNTS.with(|counts| {
            let mut counts = counts.borrow_mut();
            if counts.len() < self.key_count() {
                counts.resize(self.key_count(), 0);
            }
            for (round, &t) in DICE_ROUNDS.iter().enumerate() {
                let last = round + 1 == DICE_ROUNDS.len();
                scored.clear();
                for len in 0..=self.longest {
                    if bound(len) < t.max(MIN_DICE_BOUND) {
                        continue;
                    }
                    // the fewest shared grams that reach `t` at this length
                    let need =
                        ((t * (q + len + 2) as f64 / 2.0 - 1e-9).ceil() as usize).max(min_shared);
                    if need > q {
                        continue;
                    }
                    count_shared(&postings, len, need, !last, &mut counts, |k, n| {
                        let d = 2.0 * f64::from(n) / (q + len + 2) as f64;
                        if last || d >= t {
                            scored.push((d, k, n));
                        }
                    });
                }
                if scored.len() >= enough.min(limit) {
                    break;
                }
            }
        });
        // keys below the bound stay only when too few reach it (suggestions for a near miss)
        let enough = scored
            .iter()
            .filter(|&&(_, _, n)| usize::from(n) >= min_shared)
            .count()
            >= limit;
        if enough {
            scored.retain(|&(_, _, n)| usize::from(n) >= min_shared);
        }
        let by_score = |a: &(f64, KeyId, u16), b: &(f64, KeyId, u16)| {
            b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
        };
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit, by_score);
            scored.truncate(limit);
        }
        scored.sort_by(by_score);
        scored.into_iter().map(|(_, k, _)| k).collect()
    }

    /// Names of the keys [`Index::fuzzy_keys`] returns, in the same order.
    pub fn fuzzy(&self, skeleton: &str, limit: usize) -> Vec<NameId> {
        self.fuzzy_keys(skeleton, limit)
            .into_iter()
            .flat_map(|k| self.key_names(k).iter().copied())
            .collect()
    }

    /// Keys whose consonant key equals `consonant_key`.
    pub fn consonant_keys(&self, consonant_key: &str) -> &[KeyId] {
        let (heap, cons) = (self.heap(), self.strs(self.spans.consonants));
        let text_of = |i: usize| cons.get(i).map_or("", |s| s.get(heap));
        match hash_find(
            self.u32s(self.spans.consonant_slots),
            consonant_key,
            text_of,
        ) {
            Some(i) => csr(
                self.u32s(self.spans.consonant_starts),
                self.u32s(self.spans.consonant_keys),
                i,
            ),
            None => &[],
        }
    }

    /// The skeleton text of a key.
    pub fn key(&self, key: KeyId) -> &str {
        self.key_texts().get(key as usize)
    }

    /// The names that have this skeleton key.
    pub fn key_names(&self, key: KeyId) -> &[NameId] {
        csr(
            self.u32s(self.spans.key_name_starts),
            self.u32s(self.spans.key_names),
            key as usize,
        )
    }
}

impl Build {
    /// Renumbers the keys by length then text, so the keys of one length are a range of ids
    /// and nothing depends on the order of the gazetteer.
    fn order_keys(&mut self) {
        let mut order: Vec<u32> = (0..self.keys.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (&self.keys[a as usize], &self.keys[b as usize]);
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        });
        let mut new_id = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[old as usize] = new as u32;
        }
        let mut keys = std::mem::take(&mut self.keys);
        let mut key_names = std::mem::take(&mut self.key_names);
        self.keys = order
            .iter()
            .map(|&old| std::mem::take(&mut keys[old as usize]))
            .collect();
        self.key_names = order
            .iter()
            .map(|&old| std::mem::take(&mut key_names[old as usize]))
            .collect();
        let renumber = |list: &mut Vec<u32>| {
            for k in list.iter_mut() {
                *k = new_id[*k as usize];
            }
            list.sort_unstable();
        };
        self.by_skeleton
            .values_mut()
            .for_each(|k| *k = new_id[*k as usize]);
        self.by_consonants.values_mut().for_each(renumber);
        self.grams.values_mut().for_each(renumber);
    }

    fn add(&mut self, entry: NewName) {
        let id = self.names.len() as NameId;
        self.by_fold.entry(entry.fold.clone()).or_default().push(id);
        let key = match self.by_skeleton.get(&entry.skeleton) {
            Some(&k) => k,
            None => {
                let k = self.keys.len() as u32;
                self.keys.push(entry.skeleton.clone());
                self.key_names.push(Vec::new());
                self.by_skeleton.insert(entry.skeleton.clone(), k);
                self.by_consonants
                    .entry(consonants(&entry.skeleton))
                    .or_default()
                    .push(k);
                for g in trigrams(&entry.skeleton) {
                    let posting = self.grams.entry(g).or_default();
                    if posting.last() != Some(&k) {
                        posting.push(k);
                    }
                }
                k
            }
        };
        self.key_names[key as usize].push(id);
        self.names.push(entry);
    }

    /// Lays the index out in flat arrays.
    fn freeze(self) -> Result<Index> {
        // each table goes into the buffer as soon as it is made, and what made it is dropped,
        // so that a large gazetteer does not hold the build maps and the tables at once
        let Build {
            names: new_names,
            by_fold,
            keys: key_texts,
            key_names,
            by_skeleton,
            by_consonants,
            grams,
            place_starts,
        } = self;
        let mut b = Builder::default();
        let mut heap = Heap::default();
        let mut keys = Vec::with_capacity(key_texts.len());
        let mut key_consonants = Vec::with_capacity(key_texts.len());
        for k in &key_texts {
            keys.push(heap.push(k)?);
            key_consonants.push(heap.push(&consonants(k))?);
        }
        let mut names: Vec<NameRecord> = Vec::with_capacity(new_names.len());
        for (i, n) in new_names.iter().enumerate() {
            let key = by_skeleton[&n.skeleton];
            let text = match names.last() {
                Some(last) if last.place == n.place && new_names[i - 1].text == n.text => last.text,
                _ => heap.push(&n.text)?,
            };
            let fold = if n.fold == n.text {
                text
            } else {
                heap.push(&n.fold)?
            };
            names.push(NameRecord {
                place: n.place,
                key,
                text,
                fold,
                consonants: key_consonants[key as usize],
                flags: u32::from(n.primary) | (n.form as u32) << 1,
            });
        }
        drop(new_names);
        drop(by_skeleton);
        let fold_text = |ids: &Vec<NameId>| names[ids[0] as usize].fold;
        let folds = [Tag::Folds, Tag::FoldSlots, Tag::FoldStarts, Tag::FoldNames];
        push_text_table(&mut b, folds, by_fold, fold_text)?;
        b.push(Tag::Names, &names);
        drop(names);
        let cons_text = |ks: &Vec<KeyId>| key_consonants[ks[0] as usize];
        let cons = [
            Tag::Consonants,
            Tag::ConsonantSlots,
            Tag::ConsonantStarts,
            Tag::ConsonantKeys,
        ];
        push_text_table(&mut b, cons, by_consonants, cons_text)?;
        let (key_name_starts, key_name_ids) = to_csr(key_names)?;
        b.push(Tag::KeyNameStarts, &key_name_starts);
        b.push(Tag::KeyNames, &key_name_ids);
        drop((key_name_starts, key_name_ids));
        let mut grams: Vec<(u32, Vec<KeyId>)> = grams.into_iter().collect();
        grams.sort_unstable_by_key(|&(g, _)| g);
        let gram_codes: Vec<u32> = grams.iter().map(|&(g, _)| g).collect();
        b.push(Tag::Grams, &gram_codes);
        // by_len[n]: the position in the posting of the first key at least n bytes long
        let by_len: Vec<Vec<u32>> = grams
            .iter()
            .map(|(_, ks)| {
                let mut by_len = Vec::new();
                for (i, &k) in ks.iter().enumerate() {
                    let len = key_texts[k as usize].len();
                    by_len.resize(by_len.len().max(len + 1), i as u32);
                }
                by_len
            })
            .collect();
        let (gram_len_starts, gram_lens) = to_csr(by_len)?;
        b.push(Tag::GramLenStarts, &gram_len_starts);
        b.push(Tag::GramLens, &gram_lens);
        drop((gram_len_starts, gram_lens));
        let (gram_starts, gram_keys) = to_csr(grams.into_iter().map(|(_, ks)| ks))?;
        b.push(Tag::GramStarts, &gram_starts);
        b.push(Tag::GramKeys, &gram_keys);
        drop((gram_starts, gram_keys));
        b.push(Tag::PlaceNameStarts, &place_starts);
        let (deletion_starts, deletion_keys) = deletions::build(&key_texts)?;
        b.push(Tag::DeletionStarts, &deletion_starts);
        b.push(Tag::DeletionKeys, &deletion_keys);
        drop((deletion_starts, deletion_keys));
        b.push(
            Tag::KeySlots,
            &hash_slots(key_texts.iter().map(String::as_str)),
        );
        b.push(Tag::Keys, &keys);
        b.push(Tag::NameHeap, heap.bytes());
        drop(heap);
        let (bytes, sections) = b.finish();
        Index::from_sections(bytes, &sections)
    }
}

/// Counts the query grams each key of `len` bytes shares, through the query's posting
/// lists, and hands every key that shares one of the rarest to `found` with its count.
///
/// Prefix filter: a key sharing at least `need` of the `postings.len()` grams has one of the
/// `postings.len() - need + 1` rarest, so only those lists open new candidates; the others
/// only add to them. With `prune`, keys that can no longer reach `need` are dropped on the
/// way (positional filter) and not handed on; without, near misses are handed on too.
/// `counts` is zero on entry and on return.
fn count_shared(
    postings: &[Posting],
    len: usize,
    need: usize,
    prune: bool,
    counts: &mut [u16],
    mut found: impl FnMut(KeyId, u16),
) {
    let mut lists: Vec<&[u32]> = postings.iter().map(|p| p.of_len(len)).collect();
    lists.sort_by_key(|l| l.len());
    let mut opening = (lists.len() + 1).saturating_sub(need);
    if !prune {
        // near misses are wanted too: the grams this length lacks do not count, and at least
        // one list with keys opens
        let missing = lists.iter().take_while(|l| l.is_empty()).count();
        opening = missing + (lists.len() - missing + 1).saturating_sub(need).max(1);
    }
    let mut touched: Vec<KeyId> = Vec::new();
    for (i, list) in lists.iter().enumerate() {
        if i < opening {
            for &k in *list {
                // a key id past the key table (a faulty file) counts for nothing
                let Some(c) = counts.get_mut(k as usize) else {
                    continue;
                };
                if *c == 0 {
                    touched.push(k);
                }
                *c = c.saturating_add(1);
            }
        } else if list.len() > touched.len() * PROBE_RATIO {
            // a long list (a common gram): look the candidates up in it
            for &k in &touched {
                if list.binary_search(&k).is_ok() {
                    counts[k as usize] = counts[k as usize].saturating_add(1);
                }
            }
        } else {
            for &k in *list {
                let Some(c) = counts.get_mut(k as usize) else {
                    continue;
                };
                if *c > 0 {
                    *c = c.saturating_add(1);
                }
            }
        }
        let left = lists.len() - i - 1;
        if prune && i + 1 >= opening {
            // positional filter: drop the keys the lists left cannot bring to `need`
            touched.retain(|&k| {
                let keep = usize::from(counts[k as usize]) + left >= need;
                if !keep {
                    counts[k as usize] = 0;
                }
                keep
            });
        }
    }
    for k in touched {
        found(k, std::mem::take(&mut counts[k as usize]));
    }
}

/// The keys that have one trigram, in key order (so by length), and where each length starts.
#[derive(Debug, Clone, Copy, Default)]
struct Posting<'a> {
    keys: &'a [KeyId],
    /// `by_len[n]`: the position of the first key at least `n` bytes long, up to the longest
    by_len: &'a [u32],
}

impl Posting<'_> {
    /// The keys of `len` bytes.
    fn of_len(&self, len: usize) -> &[KeyId] {
        let at = |l: usize| {
            self.by_len
                .get(l)
                .map_or(self.keys.len(), |&i| (i as usize).min(self.keys.len()))
        };
        self.keys.get(at(len)..at(len + 1)).unwrap_or(&[])
    }
}

/// Pushes a map from texts to lists as four sections: the texts (as `text_of` finds each in
/// the heap) in byte order, their hash table, and the lists as compressed rows.
fn push_text_table(
    b: &mut Builder,
    [texts, slots, starts, items]: [Tag; 4],
    map: FxHashMap<String, Vec<u32>>,
    text_of: impl Fn(&Vec<u32>) -> Str,
) -> Result<()> {
    let mut rows: Vec<(String, Vec<u32>)> = map.into_iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let strs: Vec<Str> = rows.iter().map(|(_, list)| text_of(list)).collect();
    b.push(texts, &strs);
    b.push(slots, &hash_slots(rows.iter().map(|(t, _)| t.as_str())));
    let (row_starts, row_items) = to_csr(rows.into_iter().map(|(_, list)| list))?;
    b.push(starts, &row_starts);
    b.push(items, &row_items);
    Ok(())
}

/// The index entries of a place's names: each distinct text, and the distinct keys of its
/// designator-less and compound parts.
fn names_of(gazetteer: &Gazetteer, pid: PlaceId) -> Vec<NewName> {
    let place = gazetteer.place(pid);
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let names = std::iter::once(place.name).chain(place.alt_names());
    for (i, text) in names.enumerate() {
        let f = fold(text);
        if f.is_empty() {
            continue;
        }
        let mut forms = vec![(f.clone(), NameForm::Full)];
        if let Some(bare) = bare_name(text).filter(|b| !b.is_empty()) {
            forms.push((bare, NameForm::Bare));
        }
        let compound = forms.last().map(|(k, _)| k.clone()).unwrap_or_default();
        if let Some((a, b)) = compound.split_once(" wa ") {
            forms.push((a.to_string(), NameForm::Part));
            forms.push((b.to_string(), NameForm::Part));
        }
        for (key, form) in forms {
            // one entry per distinct text (exact matching) and per distinct derived key
            let tag = if form == NameForm::Full {
                text.to_string()
            } else {
                format!("\0{key}")
            };
            if seen.contains(&tag) || (form != NameForm::Full && seen.contains(&key)) {
                continue;
            }
            seen.push(tag);
            seen.push(key.clone());
            out.push(NewName {
                place: pid,
                text: text.to_string(),
                skeleton: skeleton_of_folded(&key),
                fold: key,
                primary: i == 0,
                form,
            });
        }
    }
    out
}

/// The texts of an index's keys.
#[derive(Clone, Copy)]
struct KeyTexts<'a> {
    keys: &'a [Str],
    heap: &'a str,
}

impl<'a> KeyTexts<'a> {
    /// The text of key `k` ("" when there is none).
    fn get(self, k: usize) -> &'a str {
        self.keys.get(k).map_or("", |s| s.get(self.heap))
    }
}

/// Trigrams of `^key$`, each packed into a u32.
fn trigrams(key: &str) -> impl Iterator<Item = u32> + '_ {
    let bytes: Vec<u8> = std::iter::once(b'^')
        .chain(key.bytes())
        .chain(std::iter::once(b'$'))
        .collect();
    let n = bytes.len().saturating_sub(2);
    (0..n).map(move |i| {
        (u32::from(bytes[i]) << 16) | (u32::from(bytes[i + 1]) << 8) | u32::from(bytes[i + 2])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::skeleton;

    fn gaz() -> Gazetteer {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            1,Baghlan,province,AF,,,36,68.7,,Baghlān|بغلان\n\
            2,Pul-e Ḩişār,district,AF,Baghlan,,35.6,69.4,,Pul-e Hisar|Puli Hisar\n\
            3,Kunduz,district,AF,Kunduz,,36.7,68.8,,Qunduz\n";
        Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()
    }

    #[test]
    fn lookups() {
        let g = gaz();
        let idx = Index::build(&g).unwrap();
        // every distinct spelling is kept, so an alternate name can match exactly
        assert_eq!(idx.names().filter(|n| n.place == 1).count(), 3);
        assert_eq!(idx.by_fold("baghlan").len(), 2);
        let hits = idx.by_skeleton(&skeleton("Pol-e-Hesar"));
        assert!(hits.iter().all(|&n| idx.name(n).place == 1) && !hits.is_empty());
    }

    #[test]
    fn keys_within_two_edits_are_found_wherever_the_edits_are() {
        let g = Gazetteer::embedded().unwrap();
        let idx = Index::build(&g).unwrap();
        let key = skeleton("Kunduz");
        let k = idx.find_key(&key).unwrap();
        let swapped = format!("{}{}{}", &key[1..2], &key[..1], &key[2..]);
        // one edit: at the front, a swap, at the end; two: substitutions at both ends,
        // a substitution and a deletion, two insertions
        let one = [format!("x{key}"), swapped, format!("{key}x")];
        let two = [
            format!("x{}x", &key[1..key.len() - 1]),
            format!("x{}", &key[2..]),
            format!("{}xy{}", &key[..3], &key[3..]),
        ];
        for (queries, d) in [(&one, 1u8), (&two, 2u8)] {
            for q in queries {
                let found = idx.keys_within(q, 2);
                assert!(found.contains(&(k, d)), "{q}: {found:?}");
                for &(f, fd) in &found {
                    assert_eq!(strsim::osa_distance(q, idx.key(f)), usize::from(fd), "{q}");
                }
                assert!(found.windows(2).all(|w| w[0].1 <= w[1].1));
            }
        }
        // the key itself is the skeleton lookup's; one edit more is too far
        assert!(idx.keys_within(&key, 2).iter().all(|&(f, _)| f != k));
        assert!(!idx
            .keys_within(&format!("xyz{}", &key[1..]), 2)
            .iter()
            .any(|&(f, _)| f == k));
        assert!(!idx
            .keys_within(&format!("x{key}"), 0)
            .iter()
            .any(|&(f, _)| f == k));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn keys_within_finds_what_a_scan_finds(q in "[a-z]{1,12}", seed in 0usize..1000) {
            let g = Gazetteer::embedded().unwrap();
            let idx = INDEX.get_or_init(|| Index::build(&g).unwrap());
            // a query near a real key, and the random one
            let real = idx.key((seed % idx.key_count()) as KeyId).to_string();
            for query in [q.clone(), format!("{}{}", &q[..q.len().min(2)], real)] {
                let mut scan: Vec<(KeyId, u8)> = (0..idx.key_count() as KeyId)
                    .filter_map(|k| {
                        let key = idx.key(k);
                        let d = strsim::osa_distance(&query, key);
                        (key.is_ascii() && (1..=2).contains(&d)).then_some((k, d as u8))
                    })
                    .collect();
                scan.sort_unstable_by_key(|&(k, d)| (d, k));
                proptest::prop_assert_eq!(idx.keys_within(&query, 2), scan, "{}", query);
            }
        }
    }

    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();

    #[test]
    fn fuzzy_finds_typos_and_is_bounded() {
        let g = gaz();
        let idx = Index::build(&g).unwrap();
        let hits = idx.fuzzy(&skeleton("Kundz"), 1);
        assert_eq!(idx.name(hits[0]).place, 2);
        assert!(idx.fuzzy("", 5).len() <= 5);
    }
}
