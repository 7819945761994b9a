//! Candidate generation: the names an index key of a query form reaches (fold, skeleton, every
//! key one and two edits away, consonant keys, trigrams), each offered with its score.

use rustc_hash::FxHashMap;

use crate::gazetteer::PlaceId;
use crate::index::{edits_within, KeyId, NameForm, NameId, MAX_EDITS};

use super::model::Similarities;
use super::query::Query;
use super::score::*;
use super::{Candidate, Method, Options, Resolver};

/// Most keys taken from one consonant-key lookup.
const MAX_CONSONANT_KEYS: usize = 64;
/// Distinct skeletons scored per fuzzy query when filters will drop most of them.
const FUZZY_KEYS_FILTERED: usize = 256;
/// Similarity of a fuzzy match sure enough that no further keys are looked for: after the
/// keys one edit away, no trigram search; after the close trigram keys, none of the keys
/// sharing fewer trigrams (an equal consonant key gives [`CONSONANT_WEIGHT`]).
const SURE_SIMILARITY: f64 = 0.94;
/// Score of a skeleton match, for a query typed in Latin letters, with a caseless alternate
/// name (a machine's rendering of another script: "bei la li" for Ballari): below one slip of
/// a written name, so the fuzzy search still runs and a typo's name leads.
const APPROXIMATE_SKELETON: f64 = 0.85;
/// Distinct skeletons scored per fuzzy query.
const FUZZY_KEYS: usize = 48;
/// Longer queries are not compared fuzzily (they are not place names).
const MAX_FUZZY_LEN: usize = 120;

/// Offers name `name` (entry `e`) as a candidate of its place with `score`: the candidate
/// (and its strings) is made only when it beats the place's best so far.
fn offer(
    best: &mut FxHashMap<PlaceId, Candidate>,
    name: NameId,
    (place, form): (PlaceId, NameForm),
    score: f64,
    method: Method,
    similarity: f64,
) {
    let score = if form == NameForm::Part {
        score.min(SCORE_PART)
    } else {
        score
    };
    // on a tie, the place's own order of names (preferred name first) decides, not the
    // order the keys come in
    let beats = |old: &Candidate| {
        score > old.score || (score == old.score && (method, name) < (old.method, old.name_id))
    };
    if best.get(&place).is_none_or(beats) {
        best.insert(
            place,
            Candidate {
                place,
                score,
                method,
                // filled in for the candidates a resolution keeps
                matched_name: String::new(),
                matched_key: String::new(),
                reason: String::new(),
                name_id: name,
                similarity,
            },
        );
    }
}

impl Resolver {
    /// The candidates of one query form, each place once: what its keys find, then, when
    /// those do not settle it, the nearest fuzzy keys (`slack` raises the ceiling a fuzzy
    /// score is compared with).
    pub(super) fn score_query(&self, q: &Query, options: &Options, slack: f64) -> Vec<Candidate> {
        self.score_query_within(q, options, slack, MAX_EDITS as u8)
    }

    /// [`Resolver::score_query`], with fuzzy candidates only as far as `max_edits` edits of
    /// the query's keys (0: none; below [`MAX_EDITS`], no trigram search either).
    pub(super) fn score_query_within(
        &self,
        q: &Query,
        options: &Options,
        slack: f64,
        max_edits: u8,
    ) -> Vec<Candidate> {
        if q.folded.is_empty() {
            return Vec::new();
        }
        let mut best = self.key_candidates(q);
        // in Latin letters, a skeleton match more than two typos from the name's letters
        // (Kmmeh and "QMA") does not say that no typo's name is nearer: it settles nothing
        let far: Vec<PlaceId> = if q.latin {
            best.values()
                .filter(|c| c.method == Method::Skeleton && self.far_in_letters(q, c.name_id))
                .map(|c| c.place)
                .collect()
        } else {
            Vec::new()
        };
        // a fuzzy score stays well below a fold match's, so with one in hand (or a query too
        // long to be a name) the fuzzy pass could only add weaker candidates; so it does with a
        // skeleton match when no fuzzy score can come within the margin of it
        // the best score among the candidates the filters keep (none: below any threshold)
        let top = |best: &FxHashMap<PlaceId, Candidate>| {
            best.values()
                .filter(|c| self.passes_filters(c.place, options) && !far.contains(&c.place))
                .map(|c| c.score)
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let named = top(&best);
        let ceiling = q.fuzzy_ceiling() + slack;
        let settled = named >= SCORE_FOLD || named - options.margin > ceiling + 1e-9;
        if settled || q.folded.len() > MAX_FUZZY_LEN || max_edits == 0 {
            return best.into_values().collect();
        }
        // with filters, most keys' places are filtered out afterwards: look further
        let filtered =
            options.within.is_some() || options.kind.is_some() || options.country.is_some();
        let limit = if filtered {
            FUZZY_KEYS_FILTERED
        } else {
            FUZZY_KEYS
        };
        let sure =
            |best: &FxHashMap<PlaceId, Candidate>| top(best) >= SCORE_SKELETON * SURE_SIMILARITY;
        // the query's consonant key is looked up with the first keys scored, not again
        let mut consonants = true;
        // the similarities the passes and the ranking model compute, once each
        let mut sims = Similarities::default();
        // the keys one edit away first, then those two edits away, then the trigrams: a match
        // at one distance ends the search, as a spelling checker offers the nearest words
        // only; a sure fuzzy match found so far does too
        // a query typed in Latin letters: its names one or two typos away too; one in another
        // script is transliterated, and only its skeleton says what it is near
        let within = if q.latin {
            self.index.keys_near(&q.folded, &q.skeleton, MAX_EDITS)
        } else {
            self.index.keys_within(&q.skeleton, MAX_EDITS)
        };
        for d in 1..=max_edits.min(MAX_EDITS as u8) {
            let keys: Vec<KeyId> = within
                .iter()
                .filter(|&&(_, kd)| kd == d)
                .map(|&(k, _)| k)
                .collect();
            if !keys.is_empty() {
                let with_consonants = std::mem::take(&mut consonants);
                self.score_fuzzy(q, keys, with_consonants, &mut best, &mut sims);
            }
            if top(&best) >= options.threshold || sure(&best) {
                return self.rescore_fuzzy(q, best, &far, &mut sims);
            }
        }
        // names within two edits are the nearest there are: the trigrams could only add
        // further ones, so they are searched for the queries with none (romanizations)
        if !within.is_empty() || max_edits < MAX_EDITS as u8 {
            return self.rescore_fuzzy(q, best, &far, &mut sims);
        }
        let search = self.index.trigram_search(&q.skeleton, limit);
        let (close, all) = search.close_keys(limit);
        self.score_fuzzy(
            q,
            close,
            std::mem::take(&mut consonants),
            &mut best,
            &mut sims,
        );
        // close keys that give no sure match may hide a closer spelling with fewer trigrams;
        // when the close keys are already all the trigram search gives, offering them again
        // would change nothing
        if !sure(&best) && !all {
            let keys = search.fuzzy_keys(limit);
            self.score_fuzzy(q, keys, false, &mut best, &mut sims);
        }
        self.rescore_fuzzy(q, best, &far, &mut sims)
    }

    /// The edits between name `n`'s folded letters and the query's, when at most two.
    pub(super) fn letter_edits(&self, q: &Query, n: NameId) -> Option<usize> {
        let fold = self.index.name_without_keys(n).fold;
        edits_within(q.folded.as_bytes(), fold.as_bytes(), MAX_EDITS)
    }

    /// Whether name `n`'s folded letters are more than two edits from the query's.
    pub(super) fn far_in_letters(&self, q: &Query, n: NameId) -> bool {
        self.letter_edits(q, n).is_none()
    }

    /// The candidates the query's fold and skeleton keys find, each place with its best.
    pub(super) fn key_candidates(&self, q: &Query) -> FxHashMap<PlaceId, Candidate> {
        let mut best: FxHashMap<PlaceId, Candidate> = FxHashMap::default();
        for &n in self.index.by_fold(&q.folded) {
            let e = self.index.name_without_keys(n);
            let verbatim = e.form == NameForm::Full && e.text == q.raw;
            let (score, method) = match (verbatim, e.primary) {
                (true, true) => (SCORE_EXACT, Method::Exact),
                (true, false) => (SCORE_ALTERNATE, Method::Alternate),
                _ => (SCORE_FOLD, Method::Fold),
            };
            offer(&mut best, n, (e.place, e.form), score, method, 1.0);
        }
        for &n in self.index.by_skeleton(&q.skeleton) {
            // "Du Ab" and "Duab", "Dawlat Abad" and "Dawlatabad": the same letters, split
            // into words differently, are surer than a romanization variant
            let e = self.index.name_without_keys(n);
            if same_letters(e.fold, &q.folded) {
                offer(
                    &mut best,
                    n,
                    (e.place, e.form),
                    SCORE_JOINED,
                    Method::Fold,
                    1.0,
                );
            } else if q.latin && !e.primary && !has_letter_case(e.text) {
                offer(
                    &mut best,
                    n,
                    (e.place, e.form),
                    APPROXIMATE_SKELETON,
                    Method::Skeleton,
                    1.0,
                );
            } else {
                offer(
                    &mut best,
                    n,
                    (e.place, e.form),
                    SCORE_SKELETON,
                    Method::Skeleton,
                    1.0,
                );
            }
        }
        // that the gazetteer lists the query's very spelling for one place and another
        // romanization for another says which spelling it met, not which place is meant:
        // Kohestan is an alternate name of one Kohistan district, not of the other
        let spelled = best
            .values()
            .any(|c| (SCORE_FOLD..SCORE_EXACT).contains(&c.score));
        if spelled {
            for c in best.values_mut() {
                if c.method == Method::Skeleton {
                    c.score = c.score.max(SCORE_JOINED);
                }
            }
        }
        best
    }

    /// Offers the names of `keys`, and `with_consonants` of the query's consonant key, as
    /// fuzzy candidates. Offering a name again changes nothing, so later passes skip the
    /// consonant key.
    pub(super) fn score_fuzzy<'a>(
        &'a self,
        q: &Query,
        mut keys: Vec<KeyId>,
        with_consonants: bool,
        best: &mut FxHashMap<PlaceId, Candidate>,
        sims: &mut Similarities<'a>,
    ) {
        if with_consonants && q.consonants.len() >= 3 {
            let same_consonants = self.index.consonant_keys(&q.consonants);
            // a consonant key shared by very many names says little; the trigrams decide then
            if same_consonants.len() <= MAX_CONSONANT_KEYS {
                keys.extend_from_slice(same_consonants);
            }
        }
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            // one key's names share skeleton and consonants: compare those once per key
            let names = self.index.key_names(k);
            let Some(&first) = names.first() else {
                continue;
            };
            let cmp = sims.key(q, &self.index.name(first));
            let initial = if cmp.initials_agree() {
                1.0
            } else {
                INITIAL_MISMATCH
            };
            for &n in names {
                // a fuzzy score never beats a skeleton match of the same place
                if best
                    .get(&self.index.name_place(n))
                    .is_some_and(|c| c.score >= SCORE_SKELETON)
                {
                    continue;
                }
                let e = self.index.name_without_keys(n);
                // to a query in Latin letters, a name without letter case is a machine
                // transliteration (another script, or GeoNames' lower-case renderings of
                // one: "chinaru", "mandwl"); being near an approximate name is no
                // evidence, sharing its consonants is
                let approximate = || !q.caseless && !has_letter_case(e.text);
                if !e.primary && !cmp.same_consonants() && approximate() {
                    continue;
                }
                let fold_sim = (cmp.similarity() >= FOLD_SIM_FLOOR).then(|| sims.fold(q, e.fold));
                // the search's own order; the ranking model rescores what it finds
                let s = cmp.similarity().max(fold_sim.unwrap_or(0.0)) * initial;
                offer(
                    best,
                    n,
                    (e.place, e.form),
                    SCORE_SKELETON * s,
                    Method::Fuzzy,
                    s,
                );
            }
        }
    }
}
