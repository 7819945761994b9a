//! Candidate generation: which names of a [`Gazetteer`] could a query mean.
//!
//! Exact, fold, skeleton and consonant keys are hash lookups; fuzzy candidates come from a
//! trigram index over the distinct skeletons, scanning posting lists from the rarest gram
//! and bounding the number of keys it considers, so a query never compares itself with
//! every name.

use rustc_hash::FxHashMap;

use crate::gazetteer::{Gazetteer, PlaceId};
use crate::normalize::{bare_name, consonants, fold, skeleton_of_folded};

/// Index of a name in an [`Index`].
pub type NameId = u32;

/// Index of a distinct skeleton key in an [`Index`].
pub type KeyId = u32;

/// One name of one place, with its keys.
#[derive(Debug, Clone)]
pub struct NameEntry {
    /// The place the name belongs to.
    pub place: PlaceId,
    /// The name as the gazetteer writes it.
    pub text: String,
    /// [`fold`] of the name.
    pub fold: String,
    /// [`skeleton`](crate::normalize::skeleton) of the name.
    pub skeleton: String,
    /// [`consonants`] of the skeleton.
    pub consonants: String,
    /// True for the place's preferred name.
    pub primary: bool,
    /// Whether the keys are of the whole name or of a part of it.
    pub form: NameForm,
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

/// Most distinct skeleton keys considered for one fuzzy query.
const MAX_FUZZY_KEYS: usize = 2_000;

/// Lookup structures over every name and alternate name of a gazetteer.
#[derive(Debug, Default)]
pub struct Index {
    names: Vec<NameEntry>,
    by_fold: FxHashMap<String, Vec<NameId>>,
    /// distinct skeletons and the names that have each
    keys: Vec<String>,
    key_names: Vec<Vec<NameId>>,
    by_skeleton: FxHashMap<String, u32>,
    by_consonants: FxHashMap<String, Vec<u32>>,
    grams: FxHashMap<u32, Vec<u32>>,
}

impl Index {
    /// Builds the index of every name and alternate name in `gazetteer`.
    pub fn build(gazetteer: &Gazetteer) -> Index {
        let mut index = Index::default();
        for (pid, place) in gazetteer.places().iter().enumerate() {
            let mut seen: Vec<String> = Vec::new();
            let names = std::iter::once(&place.name).chain(place.alt_names.iter());
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
                        text.clone()
                    } else {
                        format!("\0{key}")
                    };
                    if seen.contains(&tag) || (form != NameForm::Full && seen.contains(&key)) {
                        continue;
                    }
                    seen.push(tag);
                    seen.push(key.clone());
                    let skel = skeleton_of_folded(&key);
                    index.add(NameEntry {
                        place: pid as PlaceId,
                        text: text.clone(),
                        fold: key,
                        consonants: consonants(&skel),
                        skeleton: skel,
                        primary: i == 0,
                        form,
                    });
                }
            }
        }
        index
    }

    fn add(&mut self, entry: NameEntry) {
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

    /// Number of names indexed.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name with this id.
    pub fn name(&self, id: NameId) -> &NameEntry {
        &self.names[id as usize]
    }

    /// All names, in index order.
    pub fn names(&self) -> &[NameEntry] {
        &self.names
    }

    /// Names whose fold equals `folded`.
    pub fn by_fold(&self, folded: &str) -> &[NameId] {
        self.by_fold.get(folded).map_or(&[], Vec::as_slice)
    }

    /// Names whose skeleton equals `skeleton`.
    pub fn by_skeleton(&self, skeleton: &str) -> &[NameId] {
        self.by_skeleton
            .get(skeleton)
            .map_or(&[], |&k| self.key_names[k as usize].as_slice())
    }

    /// Distinct skeleton keys that share the most trigrams with `skeleton`: at most `limit`,
    /// best Dice coefficient first, ties broken by the key text.
    pub fn fuzzy_keys(&self, skeleton: &str, limit: usize) -> Vec<KeyId> {
        let mut grams: Vec<u32> = trigrams(skeleton).collect();
        grams.sort_unstable();
        grams.dedup();
        let mut postings: Vec<&[u32]> = grams
            .iter()
            .filter_map(|g| self.grams.get(g))
            .map(Vec::as_slice)
            .collect();
        postings.sort_by_key(|p| p.len());
        // prefix filter: a key sharing at least `min_shared` grams has one of the
        // `grams - min_shared + 1` rarest, so only those lists open new candidates
        let min_shared = ((grams.len() as f64 * MIN_SHARED_FRACTION).ceil() as usize).max(1);
        let opening = grams.len().saturating_sub(min_shared) + 1;
        let mut shared: FxHashMap<u32, u32> = FxHashMap::default();
        for (i, posting) in postings.into_iter().enumerate() {
            let open = i < opening && shared.len() < MAX_FUZZY_KEYS;
            if open {
                for &k in posting {
                    *shared.entry(k).or_insert(0) += 1;
                }
            } else if posting.len() > shared.len() * 16 {
                // a long list (a common gram): look the candidates up in it (lists are sorted)
                for (k, c) in shared.iter_mut() {
                    if posting.binary_search(k).is_ok() {
                        *c += 1;
                    }
                }
            } else {
                for &k in posting {
                    if let Some(c) = shared.get_mut(&k) {
                        *c += 1;
                    }
                }
            }
        }
        let q = grams.len() as f64;
        // keys below the bound stay only when too few reach it (suggestions for a near miss)
        let enough = shared
            .values()
            .filter(|&&n| n as usize >= min_shared)
            .count()
            >= limit;
        let mut scored: Vec<(f64, u32)> = shared
            .into_iter()
            .filter(|&(_, n)| !enough || n as usize >= min_shared)
            .map(|(k, n)| {
                let kg = (self.keys[k as usize].len() + 2) as f64;
                (2.0 * f64::from(n) / (q + kg), k)
            })
            .collect();
        let by_score = |a: &(f64, u32), b: &(f64, u32)| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.keys[a.1 as usize].cmp(&self.keys[b.1 as usize]))
        };
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit, by_score);
            scored.truncate(limit);
        }
        scored.sort_by(by_score);
        scored.into_iter().map(|(_, k)| k).collect()
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
        self.by_consonants
            .get(consonant_key)
            .map_or(&[], Vec::as_slice)
    }

    /// The skeleton text of a key.
    pub fn key(&self, key: KeyId) -> &str {
        &self.keys[key as usize]
    }

    /// The names that have this skeleton key.
    pub fn key_names(&self, key: KeyId) -> &[NameId] {
        &self.key_names[key as usize]
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
        let idx = Index::build(&g);
        // every distinct spelling is kept, so an alternate name can match exactly
        assert_eq!(idx.names().iter().filter(|n| n.place == 1).count(), 3);
        assert_eq!(idx.by_fold("baghlan").len(), 2);
        let hits = idx.by_skeleton(&skeleton("Pol-e-Hesar"));
        assert!(hits.iter().all(|&n| idx.name(n).place == 1) && !hits.is_empty());
    }

    #[test]
    fn fuzzy_finds_typos_and_is_bounded() {
        let g = gaz();
        let idx = Index::build(&g);
        let hits = idx.fuzzy(&skeleton("Kundz"), 1);
        assert_eq!(idx.name(hits[0]).place, 2);
        assert!(idx.fuzzy("", 5).len() <= 5);
    }
}
