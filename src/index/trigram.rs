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
        self.keys_by_dice(skeleton, limit, limit).0
    }

    /// Like [`Index::fuzzy_keys`], but only the keys of the first Dice coefficient (0.8, 0.65,
    /// 0.5) that two keys reach, when one is: a query with close keys is then not
    /// compared with distant ones. Much cheaper; it may miss a key that shares few
    /// trigrams but is a close spelling (a transposition), so callers fall back on
    /// [`Index::fuzzy_keys`] when the close keys do not convince.
    #[doc(hidden)] // a door for benches/scale.rs, not part of the API
    pub fn close_keys(&self, skeleton: &str, limit: usize) -> Vec<KeyId> {
        self.keys_by_dice(skeleton, limit, ENOUGH_KEYS).0
    }

    /// [`Index::close_keys`], and whether they are also what [`Index::fuzzy_keys`] returns
    /// (its rounds stop at the same one: the last, or one that `limit` keys reach).
    pub(crate) fn close_keys_final(&self, skeleton: &str, limit: usize) -> (Vec<KeyId>, bool) {
        self.keys_by_dice(skeleton, limit, ENOUGH_KEYS)
    }

    /// The best `limit` keys of the first Dice round that `enough` keys reach, and whether
    /// that round is one any `enough` stops at (the last, or one `limit` keys reach).
    fn keys_by_dice(&self, skeleton: &str, limit: usize, enough: usize) -> (Vec<KeyId>, bool) {
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
        let mut final_round = false;
        // the posting lists of one length and the keys they reach, reused
        let (mut lists, mut touched) = (Vec::with_capacity(q), Vec::new());
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
                    let bufs = (&mut lists, &mut touched);
                    count_shared(&postings, len, need, !last, &mut counts, bufs, |k, n| {
                        let d = 2.0 * f64::from(n) / (q + len + 2) as f64;
                        if last || d >= t {
                            scored.push((d, k, n));
                        }
                    });
                }
                if scored.len() >= enough.min(limit) {
                    final_round = last || scored.len() >= limit;
                    break;
                }
                final_round = last;
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
        let keys = scored.into_iter().map(|(_, k, _)| k).collect();
        (keys, final_round)
    }

    /// Names of the keys [`Index::fuzzy_keys`] returns, in the same order.
    pub(crate) fn fuzzy(&self, skeleton: &str, limit: usize) -> Vec<NameId> {
        self.fuzzy_keys(skeleton, limit)
            .into_iter()
            .flat_map(|k| self.key_names(k).iter().copied())
            .collect()
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
fn count_shared<'a>(
    postings: &[Posting<'a>],
    len: usize,
    need: usize,
    prune: bool,
    counts: &mut [u16],
    (lists, touched): (&mut Vec<&'a [u32]>, &mut Vec<KeyId>),
    mut found: impl FnMut(KeyId, u16),
) {
    lists.clear();
    lists.extend(postings.iter().map(|p| p.of_len(len)));
    lists.sort_by_key(|l| l.len());
    let mut opening = (lists.len() + 1).saturating_sub(need);
    if !prune {
        // near misses are wanted too: the grams this length lacks do not count, and at least
        // one list with keys opens
        let missing = lists.iter().take_while(|l| l.is_empty()).count();
        opening = missing + (lists.len() - missing + 1).saturating_sub(need).max(1);
    }
    touched.clear();
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
            for &k in touched.iter() {
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
    for &k in touched.iter() {
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
}
