//! Candidate generation: which names of a [`Gazetteer`](crate::Gazetteer) could a query mean.
//!
//! Exact, fold, skeleton and consonant keys are hash-table lookups (here); every key one or
//! two edits from a query comes from a deletion-neighbourhood table (`deletions.rs`, as
//! SymSpell files words); other fuzzy candidates come from a trigram index over the distinct
//! skeletons (`trigram.rs`), scanning posting lists from the rarest gram and bounding the
//! number of keys it considers, so a query never compares itself with every name. The
//! tables are built in `build.rs`, written to and read from index files in `file.rs`, and
//! gazetteers are opened as a user names them in `load.rs`.

mod build;
mod deletions;
pub mod file;
mod load;
mod trigram;

use bytemuck::{Pod, Zeroable};

use crate::error::{Error, Result};
use crate::flat::{csr, hash_find, Bytes, Sections, Span, Str, Tag, TextSpan};
use crate::gazetteer::PlaceId;

pub(crate) use deletions::osa_with;
pub(crate) use deletions::{edits_within, MAX_EDITS};
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
    /// [`fold`](crate::normalize::fold) of the name.
    pub fold: &'a str,
    /// [`skeleton`](crate::normalize::skeleton) of the name.
    pub skeleton: &'a str,
    /// [`consonants`](crate::normalize::consonants) of the skeleton.
    pub consonants: &'a str,
    /// True for the place's preferred name.
    pub primary: bool,
    /// Whether the keys are of the whole name or of a part of it.
    pub form: NameForm,
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

impl NameRecord {
    fn primary(&self) -> bool {
        self.flags & 1 != 0
    }

    fn form(&self) -> NameForm {
        match (self.flags >> 1) & 3 {
            0 => NameForm::Full,
            1 => NameForm::Bare,
            2 => NameForm::Part,
            _ => NameForm::Unjoined,
        }
    }
}

/// The fields of a [`NameEntry`] other than its keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameBrief<'a> {
    pub(crate) place: PlaceId,
    pub(crate) text: &'a str,
    pub(crate) fold: &'a str,
    pub(crate) primary: bool,
    pub(crate) form: NameForm,
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
    /// A compound name without its "wa", "and" (`Shigal Sheltan`).
    Unjoined,
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
    /// the same of the folds ([`Str`] of `folds`), filed under their deletions of one or two
    /// bytes: fold id and the high half of the variant's hash
    fold_deletion_starts: Span,
    fold_deletion_folds: Span,
    /// hash tables of the folds, keys and consonant keys
    fold_slots: Span,
    key_slots: Span,
    consonant_slots: Span,
}

impl Spans {
    fn all(&self) -> [(Tag, Span); 24] {
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
            (Tag::FoldDeletionStarts, self.fold_deletion_starts),
            (Tag::FoldDeletionFolds, self.fold_deletion_folds),
        ]
    }
}

impl Index {
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
            fold_deletion_starts: sections.get::<u32>(Tag::FoldDeletionStarts)?,
            fold_deletion_folds: sections.get::<[u32; 2]>(Tag::FoldDeletionFolds)?,
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
            || !(index
                .u32s(spans.fold_deletion_starts)
                .len()
                .saturating_sub(1))
            .is_power_of_two()
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
    pub(crate) fn name_place(&self, id: NameId) -> PlaceId {
        self.records().get(id as usize).map_or(0, |r| r.place)
    }

    /// The consonant key of a name.
    pub(crate) fn name_consonants(&self, id: NameId) -> &str {
        self.records()
            .get(id as usize)
            .map_or("", |r| r.consonants.get(self.heap()))
    }

    /// The name with this id.
    pub fn name(&self, id: NameId) -> NameEntry<'_> {
        let r = self.record(id);
        let heap = self.heap();
        NameEntry {
            place: r.place,
            text: r.text.get(heap),
            fold: r.fold.get(heap),
            skeleton: self.key(r.key),
            consonants: r.consonants.get(heap),
            primary: r.primary(),
            form: r.form(),
        }
    }

    /// [`Index::name`] without the keys, for a pass over the names of one key (which share
    /// them): fewer reads of the heap.
    pub(crate) fn name_without_keys(&self, id: NameId) -> NameBrief<'_> {
        let r = self.record(id);
        let heap = self.heap();
        NameBrief {
            place: r.place,
            text: r.text.get(heap),
            fold: r.fold.get(heap),
            primary: r.primary(),
            form: r.form(),
        }
    }

    /// The record of name `id` (a zeroed one past the table).
    fn record(&self, id: NameId) -> NameRecord {
        self.records()
            .get(id as usize)
            .copied()
            .unwrap_or_else(NameRecord::zeroed)
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
    pub(crate) fn primary_consonants(&self, place: PlaceId) -> &str {
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
    pub(crate) fn by_fold(&self, folded: &str) -> &[NameId] {
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
    pub(crate) fn by_skeleton(&self, skeleton: &str) -> &[NameId] {
        self.find_key(skeleton).map_or(&[], |k| self.key_names(k))
    }

    /// Keys whose consonant key equals `consonant_key`.
    pub(crate) fn consonant_keys(&self, consonant_key: &str) -> &[KeyId] {
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
    pub(crate) fn key_names(&self, key: KeyId) -> &[NameId] {
        csr(
            self.u32s(self.spans.key_name_starts),
            self.u32s(self.spans.key_names),
            key as usize,
        )
    }
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

    /// The length of key `k`'s text as its entry gives it, without reading the text (0 when
    /// there is none; [`KeyTexts::get`] gives "" where the entry is faulty).
    fn len(self, k: usize) -> usize {
        self.keys.get(k).map_or(0, |s| s.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::Gazetteer;
    use crate::normalize::skeleton;

    /// Three places, two of them with alternate names.
    pub(super) fn gaz() -> Gazetteer {
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

    /// The id of a distinct fold.
    fn fold_id(idx: &Index, folded: &str) -> u32 {
        let folds = idx.strs(idx.spans.folds);
        folds
            .iter()
            .position(|f| f.get(idx.heap()) == folded)
            .unwrap() as u32
    }

    /// The text of a distinct fold.
    fn fold_text(idx: &Index, id: u32) -> &str {
        idx.strs(idx.spans.folds)[id as usize].get(idx.heap())
    }

    #[test]
    fn folds_within_two_edits_are_found_wherever_the_edits_are() {
        let g = Gazetteer::embedded().unwrap();
        let idx = Index::build(&g).unwrap();
        let name = "kunduz";
        let f = fold_id(&idx, name);
        let swapped = format!("{}{}{}", &name[1..2], &name[..1], &name[2..]);
        // one edit: at the front, a swap, at the end; two: substitutions at both ends,
        // a substitution and a deletion, two insertions
        let one = [format!("x{name}"), swapped, format!("{name}x")];
        let two = [
            format!("x{}x", &name[1..name.len() - 1]),
            format!("x{}", &name[2..]),
            format!("{}xy{}", &name[..3], &name[3..]),
        ];
        for (queries, d) in [(&one, 1u8), (&two, 2u8)] {
            for q in queries {
                let found = idx.folds_within(q, 2);
                assert!(found.contains(&(f, d)), "{q}: {found:?}");
                for &(o, od) in &found {
                    let text = fold_text(&idx, o);
                    assert_eq!(strsim::osa_distance(q, text), usize::from(od), "{q}");
                }
                // and the names' keys come with the fewer edits
                let k = idx.find_key(&skeleton("Kunduz")).unwrap();
                let near = idx.keys_near(q, &skeleton(q), 2);
                assert!(near.iter().any(|&(nk, nd)| nk == k && nd <= d), "{q}");
                assert!(near.windows(2).all(|w| w[0].1 <= w[1].1));
            }
        }
        // the fold itself is the fold lookup's; one edit more is too far
        assert!(idx.folds_within(name, 2).iter().all(|&(o, _)| o != f));
        assert!(!idx
            .folds_within(&format!("xyz{}", &name[1..]), 2)
            .iter()
            .any(|&(o, _)| o == f));
        assert!(!idx
            .folds_within(&format!("x{name}"), 0)
            .iter()
            .any(|&(o, _)| o == f));
    }

    #[test]
    fn skeleton_keys_one_edit_away_are_found_and_two_are_not() {
        let g = Gazetteer::embedded().unwrap();
        let idx = Index::build(&g).unwrap();
        let key = skeleton("Kunduz");
        let k = idx.find_key(&key).unwrap();
        let one = format!("x{}", &key[1..]);
        assert!(idx.keys_within(&one, 2).contains(&(k, 1)));
        let two = format!("xy{}", &key[2..]);
        assert!(!idx.keys_within(&two, 2).iter().any(|&(f, _)| f == k));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn the_tables_find_what_a_scan_finds(q in "[a-z]{1,12}", seed in 0usize..1000) {
            let g = Gazetteer::embedded().unwrap();
            let idx = INDEX.get_or_init(|| Index::build(&g).unwrap());
            let folds = idx.strs(idx.spans.folds).len();
            // a query near a real key or fold, and the random one
            let real = idx.key((seed % idx.key_count()) as KeyId).to_string();
            let real_fold = fold_text(idx, (seed % folds) as u32).to_string();
            for query in [
                q.clone(),
                format!("{}{}", &q[..q.len().min(2)], real),
                format!("{}{}", &q[..q.len().min(1)], real_fold),
            ] {
                let mut scan: Vec<(KeyId, u8)> = (0..idx.key_count() as KeyId)
                    .filter_map(|k| {
                        let key = idx.key(k);
                        let d = strsim::osa_distance(&query, key);
                        (key.is_ascii() && d == 1).then_some((k, d as u8))
                    })
                    .collect();
                scan.sort_unstable_by_key(|&(k, d)| (d, k));
                proptest::prop_assert_eq!(idx.keys_within(&query, 2), scan, "{}", query);
                let scan: Vec<(u32, u8)> = (0..folds as u32)
                    .filter_map(|f| {
                        let text = fold_text(idx, f);
                        let d = strsim::osa_distance(&query, text);
                        (text.is_ascii() && (1..=2).contains(&d)).then_some((f, d as u8))
                    })
                    .collect();
                proptest::prop_assert_eq!(idx.folds_within(&query, 2), scan, "{}", query);
            }
        }
    }

    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
}
