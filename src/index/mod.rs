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

/// Lookup structures over every name and alternate name of a gazetteer.
#[derive(Debug, Default)]
pub struct Index {
    names: Vec<NameEntry>,
    by_fold: FxHashMap<String, Vec<NameId>>,
    /// distinct skeletons, ordered by length then text, and the names that have each
    keys: Vec<String>,
    key_names: Vec<Vec<NameId>>,
    by_skeleton: FxHashMap<String, u32>,
    by_consonants: FxHashMap<String, Vec<u32>>,
    /// trigram → the keys that have it
    grams: FxHashMap<u32, Posting>,
    /// bytes in the longest key
    longest: usize,
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
        index.order_keys();
        index
    }

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
        for posting in self.grams.values_mut() {
            renumber(&mut posting.keys);
            posting.by_len.clear();
            for (i, &k) in posting.keys.iter().enumerate() {
                let len = self.keys[k as usize].len();
                posting
                    .by_len
                    .resize(posting.by_len.len().max(len + 1), i as u32);
            }
        }
        self.longest = self.keys.last().map_or(0, String::len);
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
                    let posting = &mut self.grams.entry(g).or_default().keys;
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
        let empty = Posting::default();
        let postings: Vec<&Posting> = grams
            .iter()
            .map(|g| self.grams.get(g).unwrap_or(&empty))
            .collect();
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
            if counts.len() < self.keys.len() {
                counts.resize(self.keys.len(), 0);
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
            b.0.total_cmp(&a.0)
                .then_with(|| self.keys[a.1 as usize].cmp(&self.keys[b.1 as usize]))
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

/// Counts the query grams each key of `len` bytes shares, through the query's posting
/// lists, and hands every key that shares one of the rarest to `found` with its count.
///
/// Prefix filter: a key sharing at least `need` of the `postings.len()` grams has one of the
/// `postings.len() - need + 1` rarest, so only those lists open new candidates; the others
/// only add to them. With `prune`, keys that can no longer reach `need` are dropped on the
/// way (positional filter) and not handed on; without, near misses are handed on too.
/// `counts` is zero on entry and on return.
fn count_shared(
    postings: &[&Posting],
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
                let c = &mut counts[k as usize];
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
                let c = &mut counts[k as usize];
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
#[derive(Debug, Default)]
struct Posting {
    keys: Vec<KeyId>,
    /// `by_len[n]`: the position of the first key at least `n` bytes long, up to the longest
    by_len: Vec<u32>,
}

impl Posting {
    /// The keys of `len` bytes.
    fn of_len(&self, len: usize) -> &[KeyId] {
        let at = |l: usize| self.by_len.get(l).map_or(self.keys.len(), |&i| i as usize);
        &self.keys[at(len)..at(len + 1)]
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
