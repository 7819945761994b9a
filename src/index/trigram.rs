//! Fuzzy candidates: a trigram index over the distinct skeletons, scanning posting lists
//! from the rarest gram and bounding the number of keys it considers.

use super::{Index, KeyId, NameId};
use crate::flat::csr;

/// Least share of a query's trigrams a fuzzy candidate key must have.
const MIN_SHARED_FRACTION: f64 = 0.34;

/// Least Dice coefficient a fuzzy candidate key's length must allow: a key about three
/// times longer or shorter than the query is no spelling of it (its similarity is zero).
const MIN_DICE_BOUND: f64 = 0.5;

/// Dice coefficients tried in turn until enough keys reach one; every key that reaches it is
/// found, so when `limit` keys do they are the best of all. A high coefficient narrows the
/// key lengths a key may have and raises the grams it must share. A last round after them
/// takes every key sharing [`MIN_SHARED_FRACTION`] of the grams, and near misses.
const ROUND_CUTS: [f64; 3] = [0.8, 0.65, 0.5];

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

impl Index {
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
    pub(crate) fn fuzzy_keys(&self, skeleton: &str, limit: usize) -> Vec<KeyId> {
        self.trigram_search(skeleton, limit).fuzzy_keys(limit)
    }

    /// Like [`Index::fuzzy_keys`], but only the keys of the first Dice coefficient (0.8, 0.65,
    /// 0.5) that two keys reach, when one is: a query with close keys is then not
    /// compared with distant ones. It may miss a key that shares few trigrams but is a
    /// close spelling (a transposition), so callers fall back on [`Index::fuzzy_keys`]
    /// when the close keys do not convince.
    #[doc(hidden)] // a door for benches/scale.rs, not part of the API
    pub fn close_keys(&self, skeleton: &str, limit: usize) -> Vec<KeyId> {
        self.trigram_search(skeleton, limit).close_keys(limit).0
    }

    /// What the Dice rounds of [`Index::close_keys`] and [`Index::fuzzy_keys`] find for
    /// `skeleton`, read off one scan of the posting lists ([`TrigramSearch`]), for at most
    /// `limit` keys.
    pub(crate) fn trigram_search(&self, skeleton: &str, limit: usize) -> TrigramSearch {
        let mut grams: Vec<u32> = trigrams(skeleton).collect();
        grams.sort_unstable();
        grams.dedup();
        let postings: Vec<Posting> = grams.iter().map(|&g| self.posting(g)).collect();
        let q = grams.len();
        let min_shared = ((q as f64 * MIN_SHARED_FRACTION).ceil() as usize).max(1);
        let mut shared = Vec::new();
        let mut near = NearMisses::new(limit);
        // the posting lists of one length and the keys they reach, reused
        let (mut lists, mut touched) = (Vec::with_capacity(q), Vec::new());
        COUNTS.with(|counts| {
            let mut counts = counts.borrow_mut();
            if counts.len() < self.key_count() {
                counts.resize(self.key_count(), 0);
            }
            for len in 0..=self.longest {
                let Some(need) = round_need(q, min_shared, len, 0.0) else {
                    continue;
                };
                // the fewest shared grams each earlier round needs at this length
                let needs = ROUND_CUTS.map(|t| round_need(q, min_shared, len, t));
                let bufs = (&mut lists, &mut touched);
                let counters = (self.key_count(), &mut counts[..]);
                count_shared(&postings, len, need, counters, bufs, |key, n| {
                    let dice = dice(q, len, n);
                    if usize::from(n) < min_shared {
                        near.push((dice, key));
                        return;
                    }
                    let takes = |r: usize| {
                        needs[r].is_some_and(|need| usize::from(n) >= need && dice >= ROUND_CUTS[r])
                    };
                    let first_round = (0..ROUND_CUTS.len()).find(|&r| takes(r));
                    let first_round = first_round.unwrap_or(ROUND_CUTS.len());
                    shared.push((dice, key, first_round));
                });
            }
        });
        TrigramSearch {
            limit,
            shared,
            near: near.into_best(),
        }
    }

    /// Names of the keys [`Index::fuzzy_keys`] returns, in the same order.
    pub(crate) fn fuzzy(&self, skeleton: &str, limit: usize) -> Vec<NameId> {
        self.fuzzy_keys(skeleton, limit)
            .into_iter()
            .flat_map(|k| self.key_names(k).iter().copied())
            .collect()
    }
}

/// Dice coefficient of a key of `len` bytes that shares `n` of the query's `q` grams.
fn dice(q: usize, len: usize, n: u16) -> f64 {
    2.0 * f64::from(n) / (q + len + 2) as f64
}

/// The fewest shared grams a key of `len` bytes needs in the Dice round of coefficient `t`,
/// or `None` when no key of that length can reach it (its length bounds its coefficient:
/// 2 min(q, kg) / (q + kg) for kg grams, and none below [`MIN_DICE_BOUND`] is taken).
fn round_need(q: usize, min_shared: usize, len: usize, t: f64) -> Option<usize> {
    let kg = len + 2;
    let bound = 2.0 * q.min(kg) as f64 / (q + kg) as f64;
    if bound < t.max(MIN_DICE_BOUND) {
        return None;
    }
    let need = ((t * (q + len + 2) as f64 / 2.0 - 1e-9).ceil() as usize).max(min_shared);
    (need <= q).then_some(need)
}

/// A key's Dice coefficient and id, in the order keys are returned: best coefficient first,
/// then the smaller id.
fn by_dice(a: &(f64, KeyId), b: &(f64, KeyId)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
}

/// The best `limit` near misses seen (keys sharing fewer grams than a key must), in no
/// order: only they can be among the best `limit` keys of the last round.
struct NearMisses {
    limit: usize,
    best: Vec<(f64, KeyId)>,
    /// The worst of the best `limit` once that many are known: a worse key is not kept.
    floor: Option<(f64, KeyId)>,
}

impl NearMisses {
    fn new(limit: usize) -> NearMisses {
        NearMisses {
            limit,
            best: Vec::new(),
            floor: None,
        }
    }

    fn push(&mut self, key: (f64, KeyId)) {
        if self.floor.is_some_and(|f| by_dice(&key, &f).is_gt()) {
            return;
        }
        self.best.push(key);
        if self.best.len() >= 2 * self.limit.max(1) {
            self.keep_best();
        }
    }

    /// Keeps the best `limit` and notes the worst of them.
    fn keep_best(&mut self) {
        if self.best.len() > self.limit {
            self.best.select_nth_unstable_by(self.limit, by_dice);
            self.best.truncate(self.limit);
        }
        if self.best.len() == self.limit {
            self.floor = self.best.iter().copied().max_by(by_dice);
        }
    }

    fn into_best(mut self) -> Vec<(f64, KeyId)> {
        self.keep_best();
        self.best
    }
}

/// What the Dice rounds of a trigram search find, read off one scan of the posting lists:
/// the keys sharing at least [`MIN_SHARED_FRACTION`] of the query's grams, each with the
/// first round that takes it, and the best near misses of the last round.
///
/// Why one scan gives every round: a round of coefficient `t` takes, at each length it
/// allows, the keys sharing at least its `need` grams ([`round_need`]) whose coefficient
/// reaches `t`. That `need` is never below the last round's (`min_shared`), and a key
/// sharing `need` of the query's grams has one of the `q - need + 1` rarest, so the last
/// round, which opens candidates from at least that many lists and counts every list for
/// each, finds every key an earlier round takes, with the same count. A round with a higher
/// coefficient needs no fewer grams, so the rounds that take a key are the first that does
/// and all after it.
#[derive(Debug)]
pub(crate) struct TrigramSearch {
    /// Most keys asked for.
    limit: usize,
    /// The keys sharing enough grams: coefficient, key, first round that takes it.
    shared: Vec<(f64, KeyId, usize)>,
    /// The best `limit` keys of the last round that share fewer.
    near: Vec<(f64, KeyId)>,
}

impl TrigramSearch {
    /// The best `limit` keys of [`Index::fuzzy_keys`].
    pub(crate) fn fuzzy_keys(&self, limit: usize) -> Vec<KeyId> {
        self.keys(limit, limit).0
    }

    /// The keys of [`Index::close_keys`], and whether they are also what
    /// [`Index::fuzzy_keys`] returns (its rounds stop at the same one: the last, or one
    /// that `limit` keys reach).
    pub(crate) fn close_keys(&self, limit: usize) -> (Vec<KeyId>, bool) {
        self.keys(limit, ENOUGH_KEYS)
    }

    /// The best `limit` keys of the first Dice round that `enough` keys reach, and whether
    /// that round is one any `enough` stops at (the last, or one `limit` keys reach).
    fn keys(&self, limit: usize, enough: usize) -> (Vec<KeyId>, bool) {
        assert!(
            limit <= self.limit,
            "a trigram search asked for more keys than it kept"
        );
        let last = ROUND_CUTS.len();
        let round = (0..last).find(|&r| {
            let taken = self.shared.iter().filter(|s| s.2 <= r).count();
            taken >= enough.min(limit)
        });
        let (round, final_round) = match round {
            Some(r) => {
                let taken = self.shared.iter().filter(|s| s.2 <= r).count();
                (r, taken >= limit)
            }
            None => (last, true),
        };
        let mut scored: Vec<(f64, KeyId)> = self
            .shared
            .iter()
            .filter(|s| s.2 <= round)
            .map(|s| (s.0, s.1))
            .collect();
        // keys below the bound stay only when too few reach it (suggestions for a near
        // miss); only the last round has them
        if round == last && scored.len() < limit {
            scored.extend_from_slice(&self.near);
        }
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit, by_dice);
            scored.truncate(limit);
        }
        scored.sort_by(by_dice);
        let keys = scored.into_iter().map(|(_, k)| k).collect();
        (keys, final_round)
    }
}

/// Counts the query grams each key of `len` bytes shares, through the query's posting
/// lists, and hands every key that shares one of the rarest to `found` with its count.
///
/// Prefix filter: a key sharing at least `need` of the grams this length has has one of
/// the rarest `n - need + 1` of those `n` lists, so only they open new candidates (at least
/// one list with keys does); the others only add to them. The keys that share fewer, near
/// misses, are handed on too. `counts` is zero on entry and on return.
fn count_shared<'a>(
    postings: &[Posting<'a>],
    len: usize,
    need: usize,
    (key_count, counts): (usize, &mut [u16]),
    (lists, touched): (&mut Vec<&'a [u32]>, &mut Vec<KeyId>),
    mut found: impl FnMut(KeyId, u16),
) {
    lists.clear();
    lists.extend(postings.iter().map(|p| p.of_len(len)));
    lists.sort_by_key(|l| l.len());
    // the grams this length lacks do not count
    let missing = lists.iter().take_while(|l| l.is_empty()).count();
    let opening = missing + (lists.len() - missing + 1).saturating_sub(need).max(1);
    touched.clear();
    // the keys of one length are a range of ids, counted from its first: the counters used
    // are then few and near one another. A key id past the key table (a faulty file), or
    // before the first of the lists that open candidates (a faulty, unsorted list), counts
    // for nothing.
    let Some(first) = lists.iter().take(opening).filter_map(|l| l.first()).min() else {
        return;
    };
    let window = key_count.saturating_sub(*first as usize).min(counts.len());
    let counts = &mut counts[..window];
    let slot = |k: KeyId| k.wrapping_sub(*first) as usize;
    for (i, list) in lists.iter().enumerate() {
        if i < opening {
            // without a branch on whether each key is new (as often yes as no): every key
            // is written after the touched ones, and the count moves on past the new
            let mut n = touched.len();
            touched.resize(n + list.len(), 0);
            for &k in *list {
                let Some(c) = counts.get_mut(slot(k)) else {
                    continue;
                };
                touched[n] = k;
                n += usize::from(*c == 0);
                *c = c.saturating_add(1);
            }
            touched.truncate(n);
        } else if list.len() > touched.len() * PROBE_RATIO {
            // a long list (a common gram): look the candidates up in it
            for &k in touched.iter() {
                if list.binary_search(&k).is_ok() {
                    counts[slot(k)] = counts[slot(k)].saturating_add(1);
                }
            }
        } else {
            for &k in *list {
                let Some(c) = counts.get_mut(slot(k)) else {
                    continue;
                };
                *c = c.saturating_add(u16::from(*c > 0));
            }
        }
    }
    for &k in touched.iter() {
        found(k, std::mem::take(&mut counts[slot(k)]));
    }
}

/// The keys that have one trigram, in key order (so by length), and where each length starts.
#[derive(Debug, Clone, Copy, Default)]
struct Posting<'a> {
    keys: &'a [KeyId],
    /// `by_len[n]`: the position of the first key at least `n` bytes long, up to the longest
    by_len: &'a [u32],
}

impl<'a> Posting<'a> {
    /// The keys of `len` bytes.
    fn of_len(&self, len: usize) -> &'a [KeyId] {
        let at = |l: usize| {
            self.by_len
                .get(l)
                .map_or(self.keys.len(), |&i| (i as usize).min(self.keys.len()))
        };
        self.keys.get(at(len)..at(len + 1)).unwrap_or(&[])
    }
}

/// Trigrams of `^key$`, each packed into a u32.
pub(super) fn trigrams(key: &str) -> impl Iterator<Item = u32> + '_ {
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
    use crate::index::tests::gaz;
    use crate::normalize::skeleton;

    #[test]
    fn fuzzy_finds_typos_and_is_bounded() {
        let g = gaz();
        let idx = Index::build(&g).unwrap();
        let hits = idx.fuzzy(&skeleton("Kundz"), 1);
        assert_eq!(idx.name(hits[0]).place, 2);
        assert!(idx.fuzzy("", 5).len() <= 5);
    }

    /// The keys of the first Dice round before the last that `enough` keys reach, by
    /// comparing the query with every key; `None` when none does.
    fn early_round_by_brute_force(
        idx: &Index,
        skeleton: &str,
        enough: usize,
    ) -> Option<Vec<KeyId>> {
        let mut grams: Vec<u32> = trigrams(skeleton).collect();
        grams.sort_unstable();
        grams.dedup();
        let q = grams.len();
        let min_shared = ((q as f64 * MIN_SHARED_FRACTION).ceil() as usize).max(1);
        ROUND_CUTS.iter().find_map(|&t| {
            let mut keys: Vec<(f64, KeyId)> = (0..idx.key_count() as KeyId)
                .filter_map(|k| {
                    let key = idx.key(k);
                    let mut kg: Vec<u32> = trigrams(key).collect();
                    kg.sort_unstable();
                    kg.dedup();
                    let n = grams.iter().filter(|g| kg.binary_search(g).is_ok()).count();
                    let need = round_need(q, min_shared, key.len(), t)?;
                    let d = dice(q, key.len(), n as u16);
                    (n >= need && d >= t).then_some((d, k))
                })
                .collect();
            keys.sort_by(by_dice);
            (keys.len() >= enough).then(|| keys.into_iter().map(|(_, k)| k).collect())
        })
    }

    #[test]
    fn the_rounds_read_off_one_scan_are_those_of_every_key() {
        let g = crate::gazetteer::Gazetteer::embedded().unwrap();
        let idx = Index::build(&g).unwrap();
        let mut early = 0;
        for k in (0..idx.key_count() as KeyId).step_by(151) {
            let key = idx.key(k).to_string();
            // the key with a letter dropped, two swapped and one doubled
            let mut typos = vec![key.clone()];
            for i in [1, key.len() / 2, key.len().saturating_sub(2)] {
                if i + 1 < key.len() && key.is_char_boundary(i) && key.is_char_boundary(i + 2) {
                    let (a, b) = (&key[..i], &key[i..]);
                    typos.push(format!("{a}{}", &b[1..]));
                    let swapped: String = b[..2].chars().rev().collect();
                    typos.push(format!("{a}{swapped}{}", &b[2..]));
                    typos.push(format!("{a}{}{b}", &b[..1]));
                }
            }
            for typo in typos {
                for limit in [2, 48] {
                    let search = idx.trigram_search(&typo, limit);
                    let (close, _) = search.close_keys(limit);
                    if let Some(mut want) = early_round_by_brute_force(&idx, &typo, 2.min(limit)) {
                        want.truncate(limit);
                        assert_eq!(close, want, "{typo:?}, {limit} keys");
                        early += 1;
                    }
                    assert!(search.fuzzy_keys(limit).len() <= limit);
                }
            }
        }
        assert!(early > 100, "{early} queries stop before the last round");
    }
}
