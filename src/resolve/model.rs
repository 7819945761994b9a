//! The fuzzy ranking model: what a query compared with a name looks like (its features), and
//! the fitted logistic model that turns those features into the probability that the name is
//! the one the query spells.
//!
//! The weights live in `weights.rs`, written by `benches/train_ranking.py` from labelled pairs
//! that [`Resolver::fuzzy_pairs`] gives; see the README's "How the ranking works".

use rustc_hash::FxHashMap;

use crate::gazetteer::PlaceId;
use crate::index::{NameEntry, NameForm};

use super::query::Query;
use super::score::{
    ascii_similarity, consonant_similarity, has_letter_case, initials_agree, CONSONANT_FRAME_FLOOR,
    CONSONANT_WEIGHT, FOLD_SIM_FLOOR,
};
use super::weights::{BIAS, WEIGHTS};
use super::{Candidate, Method, Options, Resolver};
use crate::index::edits_within;

/// Names of the model's features, in the order of [`Features::vector`].
pub const FEATURE_NAMES: [&str; FEATURE_COUNT] = [
    "key_sim",
    "fold_sim",
    "consonant_sim",
    "key_one_edit",
    "key_two_edits",
    "fold_one_edit",
    "fold_two_edits",
    "initials_agree",
    "same_consonants",
    "inverse_length",
    "length_gap",
    "primary",
    "approximate",
    "part",
    "rival_gap",
    "best",
    "close_rivals",
    "similarity_squared",
    "population",
];

/// Number of features.
pub const FEATURE_COUNT: usize = 19;
/// Features of the query and the name alone (those before `rival_gap`); the rest compare
/// the name with its rivals.
const PAIR_FEATURES: usize = feature("rival_gap");
/// Positions of the features that flag a key, and a folded name, one edit from the query's.
const KEY_ONE_EDIT: usize = feature("key_one_edit");
const FOLD_ONE_EDIT: usize = feature("fold_one_edit");
/// Weight of the model's probability added to a fuzzy score, so that of two matches at the
/// ceiling (or two the hand-set similarity scores alike) the likelier one leads, while both
/// stay within the margin that makes an answer ambiguous.
const TIE_BREAK: f64 = 0.005;
/// Population whose place gets the full weight of the population feature (a large city).
const LARGE_POPULATION: f64 = 1e6;
/// A rival this much less similar still counts as close.
const CLOSE_RIVAL: f64 = 0.02;
/// Close rivals counted, at most.
const MAX_CLOSE_RIVALS: usize = 5;

/// The position of feature `name` in [`FEATURE_NAMES`]; evaluated at compile time where a
/// constant needs it, so a misspelt name does not compile there.
const fn feature(name: &str) -> usize {
    let mut i = 0;
    'names: while i < FEATURE_COUNT {
        let known = FEATURE_NAMES[i].as_bytes();
        i += 1;
        if known.len() != name.len() {
            continue;
        }
        let mut j = 0;
        while j < known.len() {
            if known[j] != name.as_bytes()[j] {
                continue 'names;
            }
            j += 1;
        }
        return i - 1;
    }
    panic!("no feature of that name")
}

/// What the comparison of a query's keys with one key's names says, once per key.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeyComparison {
    key_sim: f64,
    consonant_sim: f64,
    initials_agree: bool,
    same_consonants: bool,
}

impl KeyComparison {
    /// Compares the query's skeleton and consonant key with those of `first`, the first name
    /// of a key (all of a key's names share them).
    pub(super) fn new(q: &Query, first: &NameEntry) -> KeyComparison {
        let key_sim = ascii_similarity(&q.skeleton, first.skeleton);
        // the same consonants in another frame of vowels are another word: Marja, Miraj
        let framed = q.consonants.len() >= 3 && key_sim >= CONSONANT_FRAME_FLOOR;
        KeyComparison {
            key_sim,
            consonant_sim: if framed {
                consonant_similarity(&q.consonants, first.consonants)
            } else {
                0.0
            },
            initials_agree: initials_agree(&q.skeleton, first.skeleton),
            same_consonants: q.consonants == first.consonants,
        }
    }

    /// Whether the first letters may be one name's (see [`initials_agree`]).
    pub(super) fn initials_agree(&self) -> bool {
        self.initials_agree
    }

    /// Whether the consonant keys are equal.
    pub(super) fn same_consonants(&self) -> bool {
        self.same_consonants
    }

    /// The best of the key's similarities, the heuristic the candidate search orders by.
    pub(super) fn similarity(&self) -> f64 {
        self.key_sim.max(CONSONANT_WEIGHT * self.consonant_sim)
    }
}

/// The features of a query compared with one name.
#[derive(Debug, Clone, Copy)]
pub struct Features {
    values: [f64; FEATURE_COUNT],
}

impl Features {
    /// The feature values, in the order of [`FEATURE_NAMES`].
    pub fn vector(&self) -> &[f64; FEATURE_COUNT] {
        &self.values
    }

    /// Whether the name's key or folded form is one edit from the query's.
    fn one_edit(&self) -> bool {
        self.values[KEY_ONE_EDIT] + self.values[FOLD_ONE_EDIT] > 0.0
    }

    /// The probability, by the fitted model, that the name is the one the query spells.
    pub fn probability(&self) -> f64 {
        let z = BIAS
            + self
                .values
                .iter()
                .zip(WEIGHTS)
                .map(|(x, w)| x * w)
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// The features of `q` against name `e` alone, given the comparison of their keys and the
/// similarity of their folds (`None` when the keys are too far apart to compare them).
fn pair_features(
    q: &Query,
    e: &NameEntry,
    key: &KeyComparison,
    fold_sim: Option<f64>,
) -> [f64; PAIR_FEATURES] {
    let len = q.skeleton.len().max(1) as f64;
    // edits as a writer's slips make them: any two neighbours swapped count as one
    let key_distance = edits_within(q.skeleton.as_bytes(), e.skeleton.as_bytes(), 2);
    let fold_distance = edits_within(q.folded.as_bytes(), e.fold.as_bytes(), 2);
    let flag = |b: bool| f64::from(u8::from(b));
    let approximate = !q.caseless && !has_letter_case(e.text);
    [
        key.key_sim,
        fold_sim.unwrap_or(key.key_sim),
        key.consonant_sim,
        flag(key_distance == Some(1)),
        flag(key_distance == Some(2)),
        flag(fold_distance == Some(1)),
        flag(fold_distance == Some(2)),
        flag(key.initials_agree),
        flag(key.same_consonants),
        1.0 / len,
        (q.skeleton.len() as f64 - e.skeleton.len() as f64).abs() / len,
        flag(e.primary),
        flag(approximate),
        flag(e.form == NameForm::Part),
    ]
}

/// One place the fuzzy pass found for a query, and the features the model scores it by.
#[derive(Debug, Clone)]
pub struct FuzzyPair {
    /// The place.
    pub place: PlaceId,
    /// The place's name that was compared, as the gazetteer writes it.
    pub name: String,
    /// The features of the query against the name.
    pub features: Features,
}

impl Resolver {
    /// The places the fuzzy pass finds for `query` (as [`Resolver::resolve`] searches, with
    /// default options), each with the features the ranking model scores it by: the
    /// labelled pairs the model is fitted on. Empty when a name key settles the query.
    #[doc(hidden)] // the training door: examples/fuzzy_pairs.rs
    pub fn fuzzy_pairs(&self, query: &str) -> Vec<FuzzyPair> {
        let q = Query::new(query);
        let cands = self.score_query(&q, &Options::default(), 0.0);
        let features = self.candidate_features(&q, &cands);
        cands
            .iter()
            .zip(features)
            .filter_map(|(c, f)| {
                Some(FuzzyPair {
                    place: c.place,
                    name: self.index.name(c.name_id).text.to_string(),
                    features: f?,
                })
            })
            .collect()
    }

    /// Lifts a fuzzy candidate one edit from the query to the model's probability that it is
    /// the place meant (no higher than what the search assumes a fuzzy match reaches), and
    /// orders fuzzy candidates scored alike by that probability.
    pub(super) fn rescore_fuzzy(
        &self,
        q: &Query,
        best: FxHashMap<PlaceId, Candidate>,
    ) -> Vec<Candidate> {
        let mut cands: Vec<Candidate> = best.into_values().collect();
        let ceiling = q.fuzzy_ceiling();
        let features = self.candidate_features(q, &cands);
        for (c, f) in cands.iter_mut().zip(features) {
            let Some(f) = f else { continue };
            let p = f.probability();
            // one edit from a name (key or folded name; any neighbours swapped) is a slip of
            // the pen; two from a short name is as often another name (Chenarto, Chinar), and a
            // romanization (Zherai, Zhaṟêy) is often further than one edit, which random
            // typos do not teach the model: there the hand-set similarity stays, and so it
            // does where the query's designator names another kind (the model knows no
            // designators)
            let other_kind = q.kind.is_some_and(|k| k != self.gazetteer.kind(c.place));
            if f.one_edit() && !other_kind {
                c.score = c.score.max(p.min(ceiling));
            }
            // of fuzzy matches scored alike, the likelier comes first
            c.score += TIE_BREAK * p;
        }
        cands
    }

    /// The features of each fuzzy candidate (`None` for the others), against the other
    /// candidates of the query: a close rival of another name makes any match less sure.
    fn candidate_features(&self, q: &Query, cands: &[Candidate]) -> Vec<Option<Features>> {
        let pairs: Vec<(Option<[f64; PAIR_FEATURES]>, f64, &str, u64)> = cands
            .iter()
            .map(|c| {
                let e = self.index.name(c.name_id);
                if c.method != Method::Fuzzy {
                    return (None, 1.0, e.fold, 0);
                }
                let cmp = KeyComparison::new(q, &e);
                let fold_sim = (cmp.similarity() >= FOLD_SIM_FLOOR)
                    .then(|| ascii_similarity(&q.folded, e.fold));
                let pair = pair_features(q, &e, &cmp, fold_sim);
                let population = self.gazetteer.place(c.place).population.unwrap_or(0);
                (Some(pair), pair[0].max(pair[1]), e.fold, population)
            })
            .collect();
        pairs
            .iter()
            .map(|&(pair, sim, fold, population)| {
                let pair = pair?;
                let rivals = pairs.iter().filter(|r| r.2 != fold).map(|r| r.1);
                let best_rival = rivals.clone().fold(0.0, f64::max);
                let close = rivals.filter(|&r| r >= sim - CLOSE_RIVAL).count();
                let mut values = [0.0; FEATURE_COUNT];
                values[..PAIR_FEATURES].copy_from_slice(&pair);
                values[PAIR_FEATURES..].copy_from_slice(&[
                    sim - best_rival,
                    f64::from(u8::from(sim >= best_rival)),
                    close.min(MAX_CLOSE_RIVALS) as f64 / MAX_CLOSE_RIVALS as f64,
                    sim * sim,
                    // the log of the population, 1 for a large city
                    ((1.0 + population as f64).ln() / (1.0 + LARGE_POPULATION).ln()).min(1.5),
                ]);
                Some(Features { values })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Gazetteer, Resolver};

    #[test]
    fn pairs_have_every_feature_and_a_probability() {
        let r = Resolver::new(Gazetteer::embedded().unwrap()).unwrap();
        let pairs = r.fuzzy_pairs("Landahar");
        assert!(!pairs.is_empty());
        let kandahar = pairs
            .iter()
            .filter(|p| p.name == "Kandahar")
            .map(|p| p.features.probability())
            .fold(0.0, f64::max);
        for p in &pairs {
            let x = p.features.probability();
            assert!((0.0..=1.0).contains(&x), "{x}");
            assert!(p.features.vector().iter().all(|v| v.is_finite()));
            assert!(kandahar >= x, "{} beats Kandahar: {x} > {kandahar}", p.name);
        }
        // a name key settles an exact query: nothing for the model
        assert!(r.fuzzy_pairs("Kandahar").is_empty());
    }
}
