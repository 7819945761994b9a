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
/// Positions of the features that flag a folded name two edits from the query's, and a
/// caseless name (a machine transliteration) for a query written with capitals.
const FOLD_TWO_EDITS: usize = feature("fold_two_edits");
const APPROXIMATE: usize = feature("approximate");
/// Position of the feature that flags a match on one part of a compound name.
const PART: usize = feature("part");
/// Letters of the query's skeleton from which one edit of a written name is a slip, not
/// another name (Chak and Chāl are two districts).
const ONE_EDIT_MIN_LENGTH: usize = 6;
/// Letters of the query's skeleton from which two edits of a written name are slips.
const TWO_EDITS_MIN_LENGTH: usize = 8;
/// Letters of the query's skeleton from which two edits of the only written name that near
/// are slips (from 6, *Kalbad*, a district the gazetteer lacks, became Kaldār).
const ALONE_TWO_EDITS_MIN_LENGTH: usize = 7;
/// How far below the highest fuzzy score two slips stay: more than the margin, so that one
/// slip leads and is not tied with them.
const TWO_EDITS_BELOW: f64 = 0.03;
/// What a fuzzy candidate further than two edits loses when another is within them (more
/// than the margin, so the nearer leads; 0.03–0.15 measured alike on the peers queries, 0.01
/// less).
const FARTHER_THAN_A_TYPO: f64 = 0.08;
/// A rival this much less similar still counts as close.
const CLOSE_RIVAL: f64 = 0.02;
/// What a fuzzy candidate loses, in a query typed in Latin letters, when another is one slip
/// (one edit of its folded, written name) away and it is not: more than the margin, so the
/// nearer leads, as a spelling checker offers the nearest word.
const FARTHER_THAN_A_SLIP: f64 = 0.03;
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

/// The similarities of one query form to the keys and folded names it is compared with,
/// each computed once: the fuzzy passes and the ranking model compare the same names.
#[derive(Default)]
pub(super) struct Similarities<'a> {
    /// by a key's skeleton and consonant key
    keys: FxHashMap<(&'a str, &'a str), KeyComparison>,
    /// by folded name (many places share one)
    folds: FxHashMap<&'a str, f64>,
}

impl<'a> Similarities<'a> {
    /// [`KeyComparison::new`] of the query with a name's key.
    pub(super) fn key(&mut self, q: &Query, e: &NameEntry<'a>) -> KeyComparison {
        *self
            .keys
            .entry((e.skeleton, e.consonants))
            .or_insert_with(|| KeyComparison::new(q, e))
    }

    /// [`ascii_similarity`] of the query's folded form with a folded name.
    pub(super) fn fold(&mut self, q: &Query, fold: &'a str) -> f64 {
        *self
            .folds
            .entry(fold)
            .or_insert_with(|| ascii_similarity(&q.folded, fold))
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

    /// Whether the name's folded form is two edits from the query's.
    fn fold_two_edits(&self) -> bool {
        self.values[FOLD_TWO_EDITS] > 0.0
    }

    /// Whether the name matched is one part of a compound name.
    fn part(&self) -> bool {
        self.values[PART] > 0.0
    }

    /// Whether the name's folded form is one edit from the query's.
    fn fold_one_edit(&self) -> bool {
        self.values[FOLD_ONE_EDIT] > 0.0
    }

    /// Whether the name's key or folded form is one edit from the query's.
    fn one_edit(&self) -> bool {
        self.values[KEY_ONE_EDIT] + self.values[FOLD_ONE_EDIT] > 0.0
    }

    /// The edits (1 or 2, any neighbours swapped) between the query's folded form and the
    /// name's, when the name is written as people write it (not a caseless machine
    /// transliteration of a name in another script).
    fn written_fold_edits(&self) -> Option<u8> {
        if self.values[APPROXIMATE] > 0.0 {
            None
        } else if self.values[FOLD_ONE_EDIT] > 0.0 {
            Some(1)
        } else if self.values[FOLD_TWO_EDITS] > 0.0 {
            Some(2)
        } else {
            None
        }
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
        let features = self.candidate_features(&q, &cands, &mut Similarities::default());
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

    /// Lifts a fuzzy candidate a slip or two of the pen from the query: one edit from a long
    /// written name to the highest score a fuzzy match reaches, two to the model's
    /// probability just below that, one from a key or a short name to the model's probability
    /// (each no higher than what the search assumes a fuzzy match reaches); and orders fuzzy
    /// candidates scored alike by that probability.
    pub(super) fn rescore_fuzzy<'a>(
        &'a self,
        q: &Query,
        best: FxHashMap<PlaceId, Candidate>,
        far: &[PlaceId],
        sims: &mut Similarities<'a>,
    ) -> Vec<Candidate> {
        let mut cands: Vec<Candidate> = best.into_values().collect();
        let ceiling = q.fuzzy_ceiling();
        let features = self.candidate_features(q, &cands, sims);
        // in Latin letters, a name one or two typos away is nearer than one that only shares
        // the query's consonants (Borizvka: Borisovka, not Berezivka); a query transliterated
        // from another script (Миколаєві, कुशीनगर) is not typed near any name
        // (near in letters: a key one edit away that is further in letters only sounds alike)
        let near = |f: &Features| f.fold_one_edit() || f.fold_two_edits();
        let any_near = q.latin && features.iter().flatten().any(near);
        // and of those, one slip is nearer than two (Hosusen: Houssen, not Hawthorne by
        // "Hosthon"); a slip in one part of a compound is no slip of the name
        // (a place that contains one, or lies in one, is the same name at another level: the
        // district Ishkāshim of the town Ashkāsham)
        let slip = |f: &Features| f.written_fold_edits() == Some(1) && !f.part();
        let slips: Vec<PlaceId> = if q.latin {
            (cands.iter().zip(&features))
                .filter(|(_, f)| f.as_ref().is_some_and(slip))
                .map(|(c, _)| c.place)
                .collect()
        } else {
            Vec::new()
        };
        let g = &self.gazetteer;
        let nested = |a: PlaceId, b: PlaceId| {
            g.parents(a).iter().any(|p| p == b) || g.parents(b).iter().any(|p| p == a)
        };
        let beside_a_slip =
            |c: &Candidate| slips.iter().any(|&s| s == c.place || nested(s, c.place));
        // the names within two typos (one name of several places counts once): where there is
        // one, two slips in a name of 7 skeleton letters are a match too (Ivazbua: Ivatuba)
        let mut near_names: Vec<&str> = (cands.iter().zip(&features))
            .filter(|(_, f)| f.as_ref().is_some_and(near))
            .map(|(c, _)| self.index.name(c.name_id).fold)
            .collect();
        near_names.sort_unstable();
        near_names.dedup();
        let nears = near_names.len();
        for (c, f) in cands.iter_mut().zip(features) {
            if any_near && f.as_ref().is_some_and(|f| !near(f)) {
                c.score -= FARTHER_THAN_A_TYPO;
            }
            // a skeleton match far in letters is such a candidate too (Kmmeh: Kommeh, not
            // Matanzas by its alternate name "QMA")
            if !slips.is_empty() && f.is_none() && far.contains(&c.place) {
                c.score = c.score.min(ceiling) - FARTHER_THAN_A_TYPO;
            }
            if !slips.is_empty() && f.as_ref().is_some_and(|f| !slip(f)) && !beside_a_slip(c) {
                c.score -= FARTHER_THAN_A_SLIP;
            }
            let Some(f) = f else { continue };
            let p = f.probability();
            // the model knows no designators: where the query's names another kind, the
            // hand-set similarity and its penalty stay
            let other_kind = q.kind.is_some_and(|k| k != self.gazetteer.kind(c.place));
            let long = |min| q.skeleton.len() >= min;
            let lift = match f.written_fold_edits() {
                _ if other_kind => None,
                // one slip of the pen (any neighbours swapped) in a name as people write it,
                // long enough that one letter seldom makes another name: as sure as a fuzzy
                // match gets, ahead of keys that only sound alike and of machine
                // transliterations (Solpdad is Soledad, not Salford by "solpeodeu")
                Some(1) if long(ONE_EDIT_MIN_LENGTH) => Some(ceiling),
                // two slips in a longer name: just below one slip (the model, taught by random
                // typos, was too unsure of them: Greenifeld for Greenfield stayed unmatched)
                Some(2)
                    if q.latin
                        && (long(TWO_EDITS_MIN_LENGTH)
                            || (nears == 1 && long(ALONE_TWO_EDITS_MIN_LENGTH))) =>
                {
                    Some(ceiling - TWO_EDITS_BELOW)
                }
                // one edit of a key or a shorter name: as sure as the model says. Two edits of
                // a short name are as often another name (Chenarto, Chinar), and a
                // romanization (Zherai, Zhaṟêy) is often further than one edit, which random
                // typos do not teach the model: there the hand-set similarity stays
                _ if f.one_edit() => Some(p.min(ceiling)),
                _ => None,
            };
            if let Some(lift) = lift {
                c.score = c.score.max(lift);
            }
            // of fuzzy matches scored alike, the likelier comes first
            c.score += TIE_BREAK * p;
        }
        cands
    }

    /// The features of each fuzzy candidate (`None` for the others), against the other
    /// candidates of the query: a close rival of another name makes any match less sure.
    fn candidate_features<'a>(
        &'a self,
        q: &Query,
        cands: &[Candidate],
        sims: &mut Similarities<'a>,
    ) -> Vec<Option<Features>> {
        let pairs: Vec<(Option<[f64; PAIR_FEATURES]>, f64, &str, u64)> = cands
            .iter()
            .map(|c| {
                if c.method != Method::Fuzzy {
                    let fold = self.index.name_without_keys(c.name_id).fold;
                    return (None, 1.0, fold, 0);
                }
                let e = self.index.name(c.name_id);
                let cmp = sims.key(q, &e);
                let fold_sim = (cmp.similarity() >= FOLD_SIM_FLOOR).then(|| sims.fold(q, e.fold));
                let pair = pair_features(q, &e, &cmp, fold_sim);
                let population = self.gazetteer.population(c.place).unwrap_or(0);
                (Some(pair), pair[0].max(pair[1]), e.fold, population)
            })
            .collect();
        let rivals = Rivals::new(pairs.iter().map(|r| (r.2, r.1)));
        pairs
            .iter()
            .map(|&(pair, sim, fold, population)| {
                let pair = pair?;
                let (best_rival, close) = rivals.of(fold, sim);
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

/// The similarities of a query's candidates, by name: what the rivals of a name (the
/// candidates of other names) look like, without comparing every pair.
struct Rivals<'a> {
    /// every similarity, highest first
    all: Vec<f64>,
    /// the similarities of each name, highest first
    by_name: FxHashMap<&'a str, Vec<f64>>,
}

impl<'a> Rivals<'a> {
    fn new(sims: impl Iterator<Item = (&'a str, f64)>) -> Rivals<'a> {
        let mut by_name: FxHashMap<&str, Vec<f64>> = FxHashMap::default();
        let mut all = Vec::new();
        for (name, sim) in sims {
            by_name.entry(name).or_default().push(sim);
            all.push(sim);
        }
        let highest_first = |v: &mut Vec<f64>| v.sort_unstable_by(|a, b| b.total_cmp(a));
        highest_first(&mut all);
        by_name.values_mut().for_each(highest_first);
        Rivals { all, by_name }
    }

    /// The best similarity among the rivals of `name` (0 with none), and how many of them
    /// are within [`CLOSE_RIVAL`] of `sim`.
    fn of(&self, name: &str, sim: f64) -> (f64, usize) {
        let own: &[f64] = self.by_name.get(name).map_or(&[], Vec::as_slice);
        let at_least = |v: &[f64]| v.partition_point(|&x| x >= sim - CLOSE_RIVAL);
        let close = at_least(&self.all) - at_least(own);
        // the best rival: the best of all, unless it is the name's own (then the first of
        // the rest that is not)
        let best = (self
            .all
            .iter()
            .zip(own.iter().map(Some).chain(std::iter::repeat(None))))
        .find(|&(x, o)| o != Some(x))
        .map_or(0.0, |(&x, _)| x);
        (best, close)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Gazetteer, Options, Resolver, Status};

    fn first_id(r: &Resolver, q: &str) -> (Status, String) {
        let res = r.resolve(q, &Options::default());
        let first = (res.best.as_ref())
            .or(res.candidates.first())
            .map(|c| r.gazetteer().place(c.place).id);
        (res.status, first.unwrap_or("-").to_string())
    }

    #[test]
    fn a_slip_in_a_written_name_leads_keys_that_only_sound_alike() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            a,Cochiti,village,US,,,35.6,-106.3,,\n\
            b,Cusset,town,FR,,,46.1,3.5,13000,Cucet\n\
            c,Soledad,village,PE,,,-9.1,-77.7,,\n\
            d,Salford,city,GB,,,53.5,-2.3,100000,solpeodeu\n\
            e,Badendorf,village,DE,,,53.8,10.7,,\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        // two neighbours swapped, against Cucet, equal in skeleton but three edits away in
        // letters: the slip leads (before, the skeleton match did)
        assert_eq!(first_id(&r, "Cochiit").1, "a");
        // a letter too many, against a caseless transliteration two letters away
        assert_eq!(first_id(&r, "Solpdad").1, "c");
        // two slips in a long name, with nothing nearer: the answer
        assert_eq!(
            first_id(&r, "Badnedorff"),
            (Status::Matched, "e".to_string())
        );
    }

    #[test]
    fn a_slip_leads_a_skeleton_match_far_in_letters() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            a,Kommeh,village,IR,,,35.6,50.3,,\n\
            b,Matanzas,city,CU,,,23.0,-81.6,150000,QMA\n\
            c,Kerema,town,PG,,,-7.9,145.8,5000,KMA\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        // a letter left out of Kommeh; "QMA" and "KMA" share its skeleton, four edits away
        assert_eq!(first_id(&r, "Kmmeh"), (Status::Matched, "a".to_string()));
    }

    #[test]
    fn a_reading_s_look_alike_gives_way_to_two_typos_of_the_name_as_typed() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            d,Morrisville,village,US,,,40.2,-74.8,8000,\n\
            e,Moravče,village,SI,,,46.1,14.7,900,Moravse\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        // two neighbours swapped twice, against Moravse near a Spanish reading only
        assert_eq!(
            first_id(&r, "Morirvsille"),
            (Status::Matched, "d".to_string())
        );
    }

    #[test]
    fn a_name_two_typos_away_leads_one_that_only_shares_the_consonants() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            a,Berezivka,village,UA,,,49.0,30.0,2000,\n\
            b,Borisovka,town,RU,,,50.6,36.0,20000,\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        // an s for a z and an o left out, against the same consonants three edits away
        assert_eq!(first_id(&r, "Borizvka").1, "b");
    }

    #[test]
    fn two_slips_in_a_long_written_name_are_a_match() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            a,Greenfield,village,US,,,39.8,-85.8,20000,\n\
            b,Grünfeld,village,DE,,,50.0,8.0,500,\n\
            c,Greenwood,village,US,,,38.8,-84.8,3000,\n\
            d,Greenville,village,US,,,37.8,-83.8,3000,\n\
            e,Greenfields,village,GB,,,52.8,-2.8,3000,\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        // a letter too many at the front, two neighbours swapped
        assert_eq!(
            first_id(&r, "fGreenifeld"),
            (Status::Matched, "a".to_string())
        );
    }

    #[test]
    fn one_slip_leads_two_and_the_same_name_at_another_level_keeps_its_tie() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            a,Houssen,village,FR,,,48.1,7.4,1600,\n\
            b,Hawthorne,village,US,,,40.9,-74.1,18000,huo suo en|Hosthen\n\
            p,Badakhshan,province,AF,,,36.7,71.5,,\n\
            d,Ishkāshim,district,AF,Badakhshan,,36.7,71.5,,Ishkashim\n\
            t,Ashkāsham,town,AF,Badakhshan,Ishkāshim,36.7,71.5,12000,Ashkasham\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        // two neighbours swapped, against a name two edits away
        assert_eq!(first_id(&r, "Hosusen"), (Status::Matched, "a".to_string()));
        // one slip from the town, two from its district: still one place at two levels, tied
        let res = r.resolve("Eshkasham", &Options::default());
        let listed: Vec<&str> = (res.best.iter().chain(&res.candidates))
            .map(|c| r.gazetteer().place(c.place).id)
            .collect();
        assert!(listed.contains(&"d") && listed.contains(&"t"), "{listed:?}");
        assert!(res.candidates.iter().all(|c| c.score >= 0.85), "{res:?}");
    }

    #[test]
    fn a_slip_leads_a_caseless_transliteration_with_the_same_skeleton() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            a,Belle Vale,town,GB,,,53.4,-2.9,15000,\n\
            b,Ballari,city,IN,,,15.1,76.9,400000,bei la li\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        // "bei la li" is a machine's rendering of Ballari in another script: sharing its
        // skeleton says less than a letter left out of a name as people write it
        assert_eq!(
            first_id(&r, "Belle ale"),
            (Status::Matched, "a".to_string())
        );
    }

    #[test]
    fn two_slips_in_a_shorter_name_are_a_match_only_when_no_other_name_is_as_near() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            a,Ivatuba,village,BR,,,-23.6,-52.2,3000,\n\
            b,Kalinov,village,SK,,,49.3,21.8,300,\n\
            c,Kalinow,village,PL,,,50.3,19.8,300,\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        // a z for a t, a letter dropped: no other name within two typos
        assert_eq!(first_id(&r, "Ivazbua"), (Status::Matched, "a".to_string()));
        // two names within two typos: which one is meant stays open
        assert_ne!(first_id(&r, "Klaniox").0, Status::Matched);
        assert_eq!(first_id(&r, "Klainow"), (Status::Matched, "c".to_string()));
    }

    #[test]
    fn a_name_near_only_by_its_skeleton_gives_way_to_one_near_in_letters() {
        let r = Resolver::new(Gazetteer::embedded().unwrap()).unwrap();
        // "Nader Shah Kowt", a village's other name, is one skeleton edit from the query and
        // more letters away than the district's own name, two letters from it
        let (status, id) = first_id(&r, "Nadirshahkot");
        assert_eq!(status, Status::Matched);
        assert_eq!(
            r.gazetteer()
                .place(r.gazetteer().find_id(&id).unwrap())
                .name,
            "Nādir Shāh Kōṯ"
        );
    }

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
