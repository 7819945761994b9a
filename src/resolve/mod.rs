//! Scoring, filters, context and the status decision: turns a name into a [`Resolution`].
//!
//! ```
//! use gazmap::{Gazetteer, Resolver, Options, Status};
//! let resolver = Resolver::new(Gazetteer::embedded().unwrap()).unwrap();
//! let r = resolver.resolve("Koundouz", &Options::default());
//! assert_eq!(r.status, Status::Matched);
//! assert_eq!(resolver.gazetteer().place(r.best.unwrap().place).admin1, "Kunduz");
//! ```

use rustc_hash::FxHashMap;
use std::fmt;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::gazetteer::{Gazetteer, Kind, PlaceId};
use crate::index::{Index, KeyId, NameEntry, NameForm, NameId};
use crate::normalize::{consonants, skeleton_of_folded, strip_designator};

/// How a candidate was found, from the most to the least certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// The query is the place's preferred name.
    Exact,
    /// The query is one of the place's alternate names.
    Alternate,
    /// Equal after case, accents, punctuation and script are folded.
    Fold,
    /// Equal after romanization variants are merged.
    Skeleton,
    /// Similar enough (Jaro-Winkler and Levenshtein on fold and skeleton).
    Fuzzy,
}

impl Method {
    /// The contract spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Alternate => "alternate",
            Method::Fold => "fold",
            Method::Skeleton => "skeleton",
            Method::Fuzzy => "fuzzy",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of resolving one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// One place clearly wins.
    Matched,
    /// Two or more unrelated places tie.
    Ambiguous,
    /// Nothing clears the threshold.
    Unmatched,
}

impl Status {
    /// The contract spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Matched => "matched",
            Status::Ambiguous => "ambiguous",
            Status::Unmatched => "unmatched",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place a query may mean, with how sure we are and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The place.
    pub place: PlaceId,
    /// Score in [0, 1].
    pub score: f64,
    /// Which key found it.
    pub method: Method,
    /// The name of the place that matched.
    pub matched_name: String,
    /// The folded form of the matched name that was compared (without designator, or one
    /// part of a compound name).
    pub matched_key: String,
    /// A one-line human explanation.
    pub reason: String,
    /// The index entry that matched and its similarity, for the explanation.
    name_id: NameId,
    similarity: f64,
}

/// The answer for one query.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    /// The query as given.
    pub query: String,
    /// Matched, ambiguous or unmatched.
    pub status: Status,
    /// The chosen place; for ambiguous queries the top candidate; `None` when unmatched.
    pub best: Option<Candidate>,
    /// The other places considered: every tied place when ambiguous, suggestions when
    /// unmatched, same-name places at other levels when matched.
    pub candidates: Vec<Candidate>,
}

/// Filters and thresholds for resolution.
#[derive(Debug, Clone)]
pub struct Options {
    /// Keep only places of this ISO country code.
    pub country: Option<String>,
    /// Keep only places inside this place.
    pub within: Option<PlaceId>,
    /// Keep only places of this kind.
    pub kind: Option<Kind>,
    /// Least score for a match.
    pub threshold: f64,
    /// Candidates within this score of the best tie with it.
    pub margin: f64,
    /// How many candidates to keep in a resolution (tied places are always all kept).
    pub top: usize,
    /// Kind preference among same-name places at several levels, most preferred first.
    pub prefer: Vec<Kind>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            country: None,
            within: None,
            kind: None,
            threshold: 0.8,
            margin: 0.02,
            top: 5,
            prefer: DEFAULT_PREFERENCE.to_vec(),
        }
    }
}

/// The default kind preference: districts first, since district events are the first use.
pub const DEFAULT_PREFERENCE: [Kind; 8] = [
    Kind::District,
    Kind::City,
    Kind::Town,
    Kind::Village,
    Kind::Province,
    Kind::Region,
    Kind::Country,
    Kind::Other,
];

/// Places a text names around a query, which favour the places inside them.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Favoured ancestors (provinces, countries) with the label used in explanations.
    pub favoured: Vec<(PlaceId, String)>,
    /// A kind the text's designator names ("Khinjan district").
    pub kind: Option<Kind>,
}

const SCORE_EXACT: f64 = 1.0;
const SCORE_ALTERNATE: f64 = 0.99;
const SCORE_FOLD: f64 = 0.98;
/// Equal folds once spaces are removed: the words are split differently.
const SCORE_JOINED: f64 = 0.97;
const SCORE_SKELETON: f64 = 0.93;
/// Most candidates kept for the decision.
const MAX_CANDIDATES: usize = 200;
/// Score cap for a match on one part of a compound name.
const SCORE_PART: f64 = 0.86;
/// Penalty for matching only a parenthesised or outer part of a query.
const VARIANT_PENALTY: f64 = 0.01;
/// Weight of a consonant-key similarity against a full one.
const CONSONANT_WEIGHT: f64 = 0.94;
/// Below this similarity of skeletons, agreeing consonant keys do not count.
const CONSONANT_FRAME_FLOOR: f64 = 0.65;
/// Factor on the similarity of names whose first letters differ (after romanization is
/// folded), unless one vowel stands for another or the letters are [`initials_agree`]'s pairs.
const INITIAL_MISMATCH: f64 = 0.9;
/// Factor on the similarity of consonant keys that begin with different vowels: an alef
/// carries any, but most spellings of one name agree on it.
const OTHER_INITIAL_VOWEL: f64 = 0.97;
/// Below this similarity of skeletons, the folded names are not compared.
const FOLD_SIM_FLOOR: f64 = 0.6;
/// Most keys taken from one consonant-key lookup.
const MAX_CONSONANT_KEYS: usize = 64;
/// Penalty for a fuzzy match of another kind than the query's designator names.
const DESIGNATOR_MISMATCH: f64 = 0.06;
/// Least score for the area of `--within` (a near miss there would filter silently).
const AREA_THRESHOLD: f64 = 0.9;
/// Distinct skeletons scored per fuzzy query when filters will drop most of them.
const FUZZY_KEYS_FILTERED: usize = 256;
const CONTEXT_BONUS: f64 = 0.04;
const DESIGNATOR_BONUS: f64 = 0.01;
/// Similarity of a fuzzy match sure enough that no further keys are looked for: after the
/// keys one edit away, no trigram search; after the close trigram keys, none of the keys
/// sharing fewer trigrams (an equal consonant key gives [`CONSONANT_WEIGHT`]).
const SURE_SIMILARITY: f64 = 0.94;
/// Distinct skeletons scored per fuzzy query.
const FUZZY_KEYS: usize = 48;
/// Longer queries are not compared fuzzily (they are not place names).
const MAX_FUZZY_LEN: usize = 120;

/// Resolves names against a gazetteer through its index.
#[derive(Debug)]
pub struct Resolver {
    gazetteer: Gazetteer,
    index: Index,
}

struct Query {
    raw: String,
    folded: String,
    skeleton: String,
    consonants: String,
    kind: Option<Kind>,
    /// written in a script without letter case (Arabic): its names without case are
    /// transliterated as it is
    caseless: bool,
}

impl Query {
    fn new(text: &str) -> Query {
        let d = strip_designator(text);
        let mut q = Query::from_folded(&d.folded, d.kind);
        q.raw = text.trim().to_string();
        q.caseless = text
            .chars()
            .any(|c| c.is_alphabetic() && !c.is_uppercase() && !c.is_lowercase());
        q
    }

    fn from_folded(folded: &str, kind: Option<Kind>) -> Query {
        let skeleton = skeleton_of_folded(folded);
        Query {
            raw: folded.to_string(),
            consonants: consonants(&skeleton),
            folded: folded.to_string(),
            skeleton,
            kind,
            caseless: false,
        }
    }
}

impl Resolver {
    /// Indexes `gazetteer` and returns a resolver over it.
    pub fn new(gazetteer: Gazetteer) -> Result<Resolver> {
        let index = Index::build(&gazetteer)?;
        Ok(Resolver { gazetteer, index })
    }

    /// A resolver over a gazetteer and its index, as an index file holds them.
    pub fn from_parts(gazetteer: Gazetteer, index: Index) -> Resolver {
        Resolver { gazetteer, index }
    }

    /// The gazetteer resolved against.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The name index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Resolves one name.
    pub fn resolve(&self, query: &str, options: &Options) -> Resolution {
        self.resolve_in_context(query, options, &Context::default())
    }

    /// Resolves one name, favouring places inside the context's places.
    pub fn resolve_in_context(
        &self,
        query: &str,
        options: &Options,
        context: &Context,
    ) -> Resolution {
        let mut scores: FxHashMap<PlaceId, Candidate> = FxHashMap::default();
        let mut kind_hint = context.kind;
        let mut favoured = context.favoured.clone();
        let whole = Query::new(query);
        let mut queries = vec![(whole, 0.0)];
        let mut qualifier = None;
        if let Some((rest, area)) = self.split_qualifier(&queries[0].0.folded) {
            // "Surubi (Paktika)", "Kohistan, Badakhshan": the qualifier favours its places,
            // and the query's own words speak against the places outside it
            favoured.push((area, self.gazetteer.place(area).name.to_string()));
            qualifier = Some(area);
            let mut rest = Query::from_folded(&rest, queries[0].0.kind);
            rest.caseless = queries[0].0.caseless;
            queries.push((rest, 0.0));
        }
        // "Jelga (Khwaja Hejran)", "Kunduz - center of Kunduz": either name may be the one the
        // gazetteer knows (a province in parentheses is a qualifier, not another name)
        if qualifier.is_none() || query.contains(" - ") {
            for v in paren_variants(query) {
                queries.push((Query::new(&v), VARIANT_PENALTY));
            }
        }
        // the places each name of "A (B)" or "A - B" finds, for `favour_named_districts`
        let mut parts: Vec<Vec<(PlaceId, f64)>> = Vec::new();
        for (i, (q, penalty)) in queries.iter().enumerate() {
            kind_hint = kind_hint.or(q.kind);
            // what the context may add to a fuzzy candidate's score over a name match's
            let slack = if favoured.is_empty() {
                0.0
            } else {
                CONTEXT_BONUS
            } + if kind_hint.is_some() {
                DESIGNATOR_BONUS
            } else {
                0.0
            };
            let found = self.score_query(q, options, slack);
            if i > 0 && *penalty > 0.0 {
                let top = found.iter().map(|c| c.score).fold(0.0, f64::max) - penalty;
                let tied = |c: &&Candidate| c.score - penalty >= top - options.margin - 1e-9;
                parts.push(if top >= options.threshold {
                    let tops = found.iter().filter(tied);
                    tops.map(|c| (c.place, c.score - penalty)).collect()
                } else {
                    Vec::new()
                });
            }
            for mut c in found {
                c.score -= penalty;
                let keep = scores.get(&c.place).is_none_or(|old| better(&c, old));
                if keep {
                    scores.insert(c.place, c);
                }
            }
        }
        self.favour_named_districts(&parts, &mut scores);
        // before the filters: `--kind district` keeps the district a village's name found
        self.add_same_name_ancestors(&mut scores, options.threshold);
        let mut cands: Vec<Candidate> = scores
            .into_values()
            .filter(|c| self.passes_filters(c.place, options))
            .collect();
        for c in &mut cands {
            let kind = self.gazetteer.kind(c.place);
            if let Some((_, label)) = favoured
                .iter()
                .find(|(a, _)| self.gazetteer.is_within(c.place, *a))
            {
                c.score += CONTEXT_BONUS;
                c.reason
                    .push_str(&format!("; in {label}, named in the text"));
            }
            if let Some(area) = qualifier.filter(|&a| !self.gazetteer.is_within(c.place, a)) {
                c.score -= CONTEXT_BONUS;
                let label = &self.gazetteer.place(area).name;
                c.reason
                    .push_str(&format!("; not in {label}, named with it"));
            }
            match kind_hint {
                Some(k) if k == kind => {
                    c.score += DESIGNATOR_BONUS;
                    c.reason.push_str(&format!("; the text calls it a {kind}"));
                }
                // "Baghlan province" is no fuzzy match for a district of a similar name
                Some(k) if c.method == Method::Fuzzy => {
                    c.score -= DESIGNATOR_MISMATCH;
                    c.reason.push_str(&format!("; the text calls it a {k}"));
                }
                _ => {}
            }
        }
        self.decide(query, cands, options, kind_hint)
    }

    fn score_query(&self, q: &Query, options: &Options, slack: f64) -> Vec<Candidate> {
        let mut best: FxHashMap<PlaceId, Candidate> = FxHashMap::default();
        if q.folded.is_empty() {
            return Vec::new();
        }
        // a candidate (and its strings) is made only when it beats the place's best so far
        let offer = |best: &mut FxHashMap<PlaceId, Candidate>,
                     name: NameId,
                     e: &NameEntry,
                     score: f64,
                     method: Method,
                     similarity: f64| {
            let score = if e.form == NameForm::Part {
                score.min(SCORE_PART)
            } else {
                score
            };
            // on a tie, the place's own order of names (preferred name first) decides, not the
            // order the keys come in
            let beats = |old: &Candidate| {
                score > old.score
                    || (score == old.score && (method, name) < (old.method, old.name_id))
            };
            if best.get(&e.place).is_none_or(beats) {
                best.insert(
                    e.place,
                    Candidate {
                        place: e.place,
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
        };
        for &n in self.index.by_fold(&q.folded) {
            let e = self.index.name(n);
            let verbatim = e.form == NameForm::Full && e.text == q.raw;
            let (score, method) = match (verbatim, e.primary) {
                (true, true) => (SCORE_EXACT, Method::Exact),
                (true, false) => (SCORE_ALTERNATE, Method::Alternate),
                _ => (SCORE_FOLD, Method::Fold),
            };
            offer(&mut best, n, &e, score, method, 1.0);
        }
        for &n in self.index.by_skeleton(&q.skeleton) {
            // "Du Ab" and "Duab", "Dawlat Abad" and "Dawlatabad": the same letters, split
            // into words differently, are surer than a romanization variant
            let e = self.index.name(n);
            if same_letters(e.fold, &q.folded) {
                offer(&mut best, n, &e, SCORE_JOINED, Method::Fold, 1.0);
            } else {
                offer(&mut best, n, &e, SCORE_SKELETON, Method::Skeleton, 1.0);
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
        // a fuzzy score stays well below a fold match's, so with one in hand (or a query too
        // long to be a name) the fuzzy pass could only add weaker candidates; so it does with a
        // skeleton match when no fuzzy score can come within the margin of it
        // the best score among the candidates the filters keep (none: below any threshold)
        let top = |best: &FxHashMap<PlaceId, Candidate>| {
            best.values()
                .filter(|c| self.passes_filters(c.place, options))
                .map(|c| c.score)
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let named = top(&best);
        let ceiling = SCORE_SKELETON * fuzzy_ceiling(q.folded.len().max(q.skeleton.len())) + slack;
        let settled = named >= SCORE_FOLD || named - options.margin > ceiling + 1e-9;
        if settled || q.folded.len() > MAX_FUZZY_LEN {
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
        // the keys one edit away first, then those two edits away that the deletion table
        // reaches, then the trigrams: a match at one distance ends the search, as a spelling
        // checker offers the nearest words only; a sure fuzzy match found so far does too
        for keys_at in [Index::near_keys, Index::second_keys] {
            let keys = keys_at(&self.index, &q.skeleton);
            if !keys.is_empty() {
                let with_consonants = std::mem::take(&mut consonants);
                self.score_fuzzy(q, keys, with_consonants, &mut best, &offer);
            }
            if top(&best) >= options.threshold || sure(&best) {
                return best.into_values().collect();
            }
        }
        let close = self.index.close_keys(&q.skeleton, limit);
        self.score_fuzzy(q, close, std::mem::take(&mut consonants), &mut best, &offer);
        // close keys that give no sure match may hide a closer spelling with fewer trigrams
        if !sure(&best) {
            let keys = self.index.fuzzy_keys(&q.skeleton, limit);
            self.score_fuzzy(q, keys, false, &mut best, &offer);
        }
        best.into_values().collect()
    }

    /// Offers the names of `keys`, and `with_consonants` of the query's consonant key, as
    /// fuzzy candidates. Offering a name again changes nothing, so later passes skip the
    /// consonant key.
    fn score_fuzzy(
        &self,
        q: &Query,
        mut keys: Vec<KeyId>,
        with_consonants: bool,
        best: &mut FxHashMap<PlaceId, Candidate>,
        offer: &impl Fn(&mut FxHashMap<PlaceId, Candidate>, NameId, &NameEntry, f64, Method, f64),
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
        // many places share a folded name: compare each once
        let mut fold_sims: FxHashMap<&str, f64> = FxHashMap::default();
        for k in keys {
            // one key's names share skeleton and consonants: compare those once per key
            let names = self.index.key_names(k);
            let Some(&first) = names.first() else {
                continue;
            };
            let first = self.index.name(first);
            let mut key_sim = ascii_similarity(&q.skeleton, first.skeleton);
            // the same consonants in another frame of vowels are another word: Marja, Miraj
            let framed = q.consonants.len() >= 3 && key_sim >= CONSONANT_FRAME_FLOOR;
            let consonant_sim = if framed {
                consonant_similarity(&q.consonants, first.consonants)
            } else {
                0.0
            };
            key_sim = key_sim.max(CONSONANT_WEIGHT * consonant_sim);
            let same_consonants = q.consonants == first.consonants;
            let initial = if initials_agree(&q.skeleton, first.skeleton) {
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
                let e = self.index.name(n);
                // to a query in Latin letters, a name without letter case is a machine
                // transliteration (another script, or GeoNames' lower-case renderings of
                // one: "chinaru", "mandwl"); being near an approximate name is no
                // evidence, sharing its consonants is
                let approximate = !q.caseless && !has_letter_case(e.text);
                if !e.primary && !same_consonants && approximate {
                    continue;
                }
                let s = if key_sim >= FOLD_SIM_FLOOR {
                    let fold_sim = *fold_sims
                        .entry(e.fold)
                        .or_insert_with(|| ascii_similarity(&q.folded, e.fold));
                    key_sim.max(fold_sim)
                } else {
                    key_sim
                } * initial;
                offer(best, n, &e, SCORE_SKELETON * s, Method::Fuzzy, s);
            }
        }
    }

    /// The explanation of how a candidate's name matched.
    fn explain(&self, c: &Candidate) -> String {
        let e = self.index.name(c.name_id);
        let mut r = match c.method {
            Method::Exact => "exact name".to_string(),
            Method::Alternate => format!("alternate name {:?}", e.text),
            Method::Fold => format!("same letters as {:?}", e.text),
            Method::Skeleton => format!("romanization variant of {:?}", e.text),
            Method::Fuzzy => format!("similar to {:?} ({:.2})", e.text, c.similarity),
        };
        match e.form {
            NameForm::Full => {}
            NameForm::Bare => r.push_str(" without its designator"),
            NameForm::Part => r.push_str(", one part of the compound name"),
        }
        r.push_str(&c.reason);
        let p = self.gazetteer.place(c.place);
        if let (Kind::District, Some(parent)) = (p.kind, p.parents.district) {
            let parent = self.gazetteer.place(parent);
            r.push_str(&format!(
                "; a newer district carved from {} ({})",
                parent.name, parent.admin1
            ));
            if p.point().is_none() {
                r.push_str(", whose point it takes");
            }
        }
        r
    }

    /// Splits a trailing province or country name off a folded query:
    /// `surubi paktika` → (`surubi`, Paktika).
    fn split_qualifier(&self, folded: &str) -> Option<(String, PlaceId)> {
        let words: Vec<&str> = folded.split(' ').collect();
        for k in 1..words.len().min(4) {
            let tail = skeleton_of_folded(&words[words.len() - k..].join(" "));
            let area = self
                .index
                .by_skeleton(&tail)
                .iter()
                .map(|&n| self.index.name(n))
                .filter(|e| e.form != NameForm::Part)
                .map(|e| e.place)
                .filter(|&p| matches!(self.gazetteer.place(p).kind, Kind::Province | Kind::Country))
                .min();
            if let Some(area) = area {
                return Some((words[..words.len() - k].join(" "), area));
            }
        }
        None
    }

    /// "Terezayi (Ali Sher)", "Ali Khel (Jaji)": when one name of a query finds a district
    /// and another a place inside it (official lists name a district with its centre), the
    /// district is meant: it takes the better of the two scores and [`CONTEXT_BONUS`].
    fn favour_named_districts(
        &self,
        parts: &[Vec<(PlaceId, f64)>],
        scores: &mut FxHashMap<PlaceId, Candidate>,
    ) {
        let g = &self.gazetteer;
        let mut named: Vec<(PlaceId, PlaceId, f64)> = Vec::new();
        for (i, districts) in parts.iter().enumerate() {
            for &(d, _) in districts {
                if g.place(d).kind != Kind::District || named.iter().any(|n| n.0 == d) {
                    continue;
                }
                let inside = parts
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .flat_map(|(_, members)| members.iter())
                    .filter(|&&(m, _)| g.is_within(m, d))
                    .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
                if let Some(&(m, score)) = inside {
                    named.push((d, m, score));
                }
            }
        }
        for (d, m, score) in named {
            if let Some(c) = scores.get_mut(&d) {
                c.score = c.score.max(score) + CONTEXT_BONUS;
                let member = g.place(m);
                c.reason.push_str(&format!(
                    "; named with {}, a {} inside it",
                    member.name, member.kind
                ));
            }
        }
    }

    /// Adds a candidate's ancestors of the same name (Kunduz city → Kunduz district), or named
    /// as its matched name (the district seat called "Char Darah" → Chahar Dara district), even
    /// when none of their own names matched.
    fn add_same_name_ancestors(&self, scores: &mut FxHashMap<PlaceId, Candidate>, threshold: f64) {
        let g = &self.gazetteer;
        let mut extra: Vec<Candidate> = Vec::new();
        let mut found: Vec<&Candidate> = scores.values().filter(|c| c.score >= threshold).collect();
        // deterministic whatever the hash order
        found.sort_by_key(|c| c.place);
        for c in found {
            let parents = g.parents(c.place);
            for a in [parents.district, parents.province].into_iter().flatten() {
                let known = scores.contains_key(&a) || extra.iter().any(|x| x.place == a);
                let key = self.index.primary_consonants(a);
                let same_name = key == self.index.primary_consonants(c.place)
                    || key == self.index.name_consonants(c.name_id);
                if !known && same_name {
                    let mut relative = c.clone();
                    relative.place = a;
                    relative.reason = format!("; the {} of the same name", g.place(a).kind);
                    extra.push(relative);
                }
            }
        }
        for c in extra {
            // two children may propose one ancestor: keep the better
            if scores.get(&c.place).is_none_or(|old| better(&c, old)) {
                scores.insert(c.place, c);
            }
        }
    }

    fn passes_filters(&self, id: PlaceId, o: &Options) -> bool {
        let g = &self.gazetteer;
        o.kind.is_none_or(|k| g.kind(id) == k)
            && o.within.is_none_or(|w| g.is_within(id, w))
            && o.country
                .as_ref()
                .is_none_or(|c| g.place(id).country.eq_ignore_ascii_case(c))
    }

    fn rank_key(&self, c: &Candidate, prefer: &[Kind], hint: Option<Kind>) -> (usize, usize) {
        let kind = self.gazetteer.kind(c.place);
        let hinted = usize::from(hint != Some(kind));
        let pos = prefer
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(prefer.len());
        (hinted, pos)
    }

    fn decide(
        &self,
        query: &str,
        mut cands: Vec<Candidate>,
        o: &Options,
        hint: Option<Kind>,
    ) -> Resolution {
        let g = &self.gazetteer;
        let sort = |cands: &mut Vec<Candidate>| {
            cands.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then_with(|| a.method.cmp(&b.method))
                    .then_with(|| {
                        self.rank_key(a, &o.prefer, hint)
                            .cmp(&self.rank_key(b, &o.prefer, hint))
                    })
                    .then_with(|| g.population(b.place).cmp(&g.population(a.place)))
                    .then_with(|| g.place(a.place).id.cmp(g.place(b.place).id))
            })
        };
        sort(&mut cands);
        cands.truncate(MAX_CANDIDATES);
        // one name at several levels (Kunduz city, district, province) shares its best score,
        // so the kind preference, not the spelling of one level's alternate names, decides
        let above = cands.iter().take_while(|c| c.score >= o.threshold).count();
        for i in 1..cands.len() {
            if let Some(j) =
                (0..i.min(above)).find(|&j| self.same_name_hierarchy(&cands[i], &cands[j]))
            {
                if cands[j].score > cands[i].score {
                    cands[i].score = cands[j].score;
                    cands[i].method = cands[i].method.max(cands[j].method);
                }
            }
        }
        sort(&mut cands);
        let query = query.to_string();
        let clamp = |mut c: Candidate| {
            c.score = (c.score.clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
            c.reason = self.explain(&c);
            let e = self.index.name(c.name_id);
            c.matched_name = e.text.to_string();
            c.matched_key = e.fold.to_string();
            c
        };
        let Some(top) = cands.first().map(|c| c.score) else {
            return Resolution {
                query,
                status: Status::Unmatched,
                best: None,
                candidates: vec![],
            };
        };
        if top < o.threshold {
            cands.truncate(o.top);
            let candidates = cands.into_iter().map(clamp).collect();
            return Resolution {
                query,
                status: Status::Unmatched,
                best: None,
                candidates,
            };
        }
        let tied = cands
            .iter()
            .take_while(|c| c.score >= top - o.margin - 1e-9)
            .count();
        // tied places fall into clusters of one name at several levels
        let mut cluster: Vec<usize> = (0..tied).collect();
        for i in 0..tied {
            if let Some(j) = (0..i).find(|&j| self.same_name_hierarchy(&cands[i], &cands[j])) {
                cluster[i] = cluster[j];
            }
        }
        let mut heads = cluster.clone();
        heads.sort_unstable();
        heads.dedup();
        let status = if heads.len() > 1 {
            Status::Ambiguous
        } else {
            Status::Matched
        };
        // the preferred kind leads its cluster; clusters keep their order
        let mut order: Vec<usize> = (0..tied).collect();
        order.sort_by_key(|&i| (cluster[i], self.rank_key(&cands[i], &o.prefer, hint), i));
        let rest = cands.split_off(tied);
        let mut slots: Vec<Option<Candidate>> = cands.into_iter().map(Some).collect();
        let mut ordered: Vec<Candidate> = order.iter().filter_map(|&i| slots[i].take()).collect();
        let mut best = ordered.remove(0);
        if status == Status::Matched && tied > 1 {
            best.reason.push_str(&format!(
                "; {} preferred over the same name at other levels",
                g.place(best.place).kind
            ));
        }
        if status == Status::Matched {
            ordered.extend(rest);
            ordered.truncate(o.top.saturating_sub(1));
        }
        let candidates = ordered.into_iter().map(clamp).collect();
        Resolution {
            query,
            status,
            best: Some(clamp(best)),
            candidates,
        }
    }

    /// One name at several levels: one place contains the other (or both sit in the same
    /// province) and their names, or the names that matched, share a consonant key.
    fn same_name_hierarchy(&self, a: &Candidate, b: &Candidate) -> bool {
        let g = &self.gazetteer;
        let (pa, pb) = (g.parents(a.place), g.parents(b.place));
        let nested = pa.iter().any(|p| p == b.place)
            || pb.iter().any(|p| p == a.place)
            || (pa.province.is_some() && pa.province == pb.province);
        if !nested {
            return false;
        }
        let matched_key = |c: &Candidate| self.index.name_consonants(c.name_id);
        self.index.primary_consonants(a.place) == self.index.primary_consonants(b.place)
            || matched_key(a) == matched_key(b)
    }

    /// Resolves the name of an area for `--within`, preferring the broadest level.
    pub fn find_area(&self, name: &str) -> Result<PlaceId> {
        let options = Options {
            prefer: vec![Kind::Country, Kind::Province, Kind::District, Kind::Region],
            ..Options::default()
        };
        let r = self.resolve(name, &options);
        let area_kinds = [Kind::Country, Kind::Province, Kind::District, Kind::Region];
        let pick = std::iter::once(&r.best)
            .flatten()
            .chain(r.candidates.iter())
            .filter(|c| c.score >= AREA_THRESHOLD)
            .find(|c| area_kinds.contains(&self.gazetteer.place(c.place).kind));
        match (r.status, pick) {
            (Status::Unmatched, _) | (_, None) => Err(Error::Invalid(format!(
                "--within {name:?}: no country, province or district of that name"
            ))),
            (_, Some(c)) => Ok(c.place),
        }
    }
}

/// A candidate with its place's fields, as the JSON and CSV outputs write it.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateRecord<'a> {
    /// Place id.
    pub id: &'a str,
    /// Preferred name.
    pub name: &'a str,
    /// Kind.
    pub kind: Kind,
    /// ISO country code.
    pub country: &'a str,
    /// Province name.
    pub admin1: &'a str,
    /// District name.
    pub admin2: &'a str,
    /// Latitude, if known.
    pub lat: Option<f64>,
    /// Longitude, if known.
    pub lon: Option<f64>,
    /// Score in [0, 1].
    pub score: f64,
    /// How it was found.
    pub method: Method,
    /// Which of the place's names matched.
    pub matched_name: &'a str,
    /// Why.
    pub reason: &'a str,
}

impl Candidate {
    /// The candidate joined with its place's fields.
    pub fn record<'a>(&'a self, gazetteer: &'a Gazetteer) -> CandidateRecord<'a> {
        let p = gazetteer.place(self.place);
        CandidateRecord {
            id: p.id,
            name: p.name,
            kind: p.kind,
            country: p.country,
            admin1: p.admin1,
            admin2: p.admin2,
            lat: p.lat,
            lon: p.lon,
            score: self.score,
            method: self.method,
            matched_name: &self.matched_name,
            reason: &self.reason,
        }
    }
}

fn better(a: &Candidate, b: &Candidate) -> bool {
    a.score > b.score || (a.score == b.score && a.method < b.method)
}

/// For `Name (Other Name)` and `Name - Other Name`, each name on its own.
fn paren_variants(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(open), Some(close)) = (query.find('('), query.rfind(')')) {
        if open < close {
            let outer = format!("{} {}", &query[..open], &query[close + 1..]);
            let inner = &query[open + 1..close];
            out.extend([outer.trim(), inner.trim()].map(str::to_string));
        }
    }
    // official lists join a district and its centre with a spaced dash
    for sep in [" - ", " – ", " / "] {
        if query.contains(sep) {
            out.extend(query.split(sep).map(|p| p.trim().to_string()));
        }
    }
    out.retain(|v| !v.is_empty());
    out
}

/// [`ascii_similarity`] of two consonant keys, whose first letters may be two vowels: an
/// alef carries any, so Urgo (`urg`) and Argo (`arg`) nearly agree.
fn consonant_similarity(a: &str, b: &str) -> f64 {
    let vowel = |k: &str| k.starts_with(['a', 'e', 'i', 'o', 'u']);
    if vowel(a) && vowel(b) && a.as_bytes()[0] != b.as_bytes()[0] {
        OTHER_INITIAL_VOWEL * ascii_similarity(&a[1..], &b[1..])
    } else {
        ascii_similarity(a, b)
    }
}

/// Whether a name has a capital letter: people write names so in cased scripts.
fn has_letter_case(text: &str) -> bool {
    text.chars().any(char::is_uppercase)
}

/// Whether two folded names have the same letters, whatever their spaces.
fn same_letters(a: &str, b: &str) -> bool {
    let space = |c: &u8| *c != b' ';
    a.bytes().filter(space).eq(b.bytes().filter(space))
}

/// Whether two skeletons may be one name by their first letters. Writers seldom misspell a
/// name's first letter (Soundex keeps it, Jaro-Winkler rewards it), but romanizers vary it:
/// any vowel for another (alef carries each), `w`/`u` and `y`/`i` (Ouardak, Wardak), a
/// digraph written without its `h` (`kh` as `k` or `h`, `sh` as `s`, `dh` as `d`, `ph` as
/// `p`), German `ch` for `kh` and Latin `c` for `k` (Chost, Candahar), and the vowel that
/// Persian and Pashto speakers put before an initial s (Espin, Spin).
fn initials_agree(a: &str, b: &str) -> bool {
    let (Some(&x), Some(&y)) = (a.as_bytes().first(), b.as_bytes().first()) else {
        return true;
    };
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    // a vowel before s may be prothetic: Espin, Spin
    let prothetic = |k: &str, s: u8| vowel(k.as_bytes()[0]) && k.as_bytes().get(1) == Some(&s);
    if (y == b's' && prothetic(a, y)) || (x == b's' && prothetic(b, x)) {
        return true;
    }
    // skeletons write kh as x, sh and ch as c, dh as z, ph as f
    let (x, y) = (x.min(y), x.max(y));
    x == y
        || (vowel(x) && vowel(y))
        || matches!(
            (x, y),
            (b'u', b'w')
                | (b'i', b'y')
                | (b'k', b'x')
                | (b'h', b'x')
                | (b'c', b's')
                | (b'd', b'z')
                | (b'f', b'p')
                | (b'c', b'x')
                | (b'c', b'k')
        )
}

/// Mean of Jaro-Winkler and normalized Levenshtein on the bytes of two keys (keys are ASCII).
/// The highest [`ascii_similarity`] a key other than the query's own can reach (as a key or
/// a fold of `len` bytes at most, or an equal consonant key): an edit at least makes the
/// Levenshtein half at most `1 - 1 / (len + 1)`.
fn fuzzy_ceiling(len: usize) -> f64 {
    (1.0 - 0.5 / (len + 1) as f64).max(CONSONANT_WEIGHT)
}

fn ascii_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let longest = a.len().max(b.len());
    // too different in length to be the same name; also spares the quadratic metrics
    if a.is_empty() || b.is_empty() || a.len().min(b.len()) * 3 < longest {
        return 0.0;
    }
    let (a, b) = (AsciiKey(a), AsciiKey(b));
    let jw = strsim::generic_jaro_winkler(&a, &b);
    let lev = 1.0 - strsim::generic_levenshtein(&a, &b) as f64 / longest as f64;
    0.5 * jw + 0.5 * lev
}

/// A key's bytes, for strsim's generic metrics (which skip UTF-8 decoding on them).
struct AsciiKey<'s>(&'s [u8]);

impl<'s> IntoIterator for &AsciiKey<'s> {
    type Item = u8;
    type IntoIter = std::iter::Copied<std::slice::Iter<'s, u8>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> Resolver {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            c,Afghanistan,country,AF,,,33,66,,\n\
            p1,Baghlan,province,AF,,,36,68.7,,\n\
            p2,Kunduz,province,AF,,,36.7,68.8,,Koundouz\n\
            p3,Badakhshan,province,AF,,,37,71,,\n\
            p4,Jowzjan,province,AF,,,36.5,66,,Jawzjan\n\
            d1,Pul-e Ḩişār,district,AF,Baghlan,,35.6,69.4,,Pul-e Hisar\n\
            d2,Kunduz,district,AF,Kunduz,,36.7,68.8,,\n\
            d3,Fayzabad,district,AF,Badakhshan,,37.1,70.5,,Faizabad\n\
            d4,Fayzabad,district,AF,Jowzjan,,36.9,66.3,,Faizabad\n\
            t1,Kunduz,city,AF,Kunduz,Kunduz,36.7,68.8,300000,Qunduz|Kondoz\n\
            d6,Chahar Dara,district,AF,Kunduz,,36.6,68.6,,\n\
            v1,Dowr-e Rabat,village,AF,Kunduz,Chahar Dara,36.6,68.6,,Char Darah\n";
        Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap()
    }

    fn best_id(r: &Resolver, q: &str, o: &Options) -> (Status, String) {
        let res = r.resolve(q, o);
        let id = res
            .best
            .map(|b| r.gazetteer().place(b.place).id.to_string())
            .unwrap_or_default();
        (res.status, id)
    }

    #[test]
    fn hierarchy_is_not_ambiguity() {
        let r = resolver();
        let o = Options::default();
        assert_eq!(best_id(&r, "Kunduz", &o), (Status::Matched, "d2".into()));
        assert_eq!(best_id(&r, "Koundouz", &o), (Status::Matched, "d2".into()));
        assert_eq!(
            best_id(&r, "Kunduz city", &o),
            (Status::Matched, "t1".into())
        );
        assert_eq!(
            best_id(&r, "la province de Kunduz", &o),
            (Status::Matched, "p2".into())
        );
    }

    #[test]
    fn unrelated_same_names_are_ambiguous_until_within() {
        let r = resolver();
        let res = r.resolve("Fayzabad", &Options::default());
        assert_eq!(res.status, Status::Ambiguous);
        assert_eq!(res.candidates.len(), 1, "{res:?}");
        let within = r.find_area("Jawzjan").unwrap();
        let o = Options {
            within: Some(within),
            ..Options::default()
        };
        assert_eq!(best_id(&r, "Faizabad", &o), (Status::Matched, "d4".into()));
    }

    #[test]
    fn a_district_named_as_its_seat_is_found_under_a_kind_filter() {
        let r = resolver();
        // only the seat carries the spelling "Char Darah"; its district is named alike
        let o = Options {
            kind: Some(Kind::District),
            ..Options::default()
        };
        assert_eq!(
            best_id(&r, "Char Darah", &o),
            (Status::Matched, "d6".into())
        );
        assert_eq!(
            best_id(&r, "Char Darah", &Options::default()),
            (Status::Matched, "d6".into())
        );
    }

    #[test]
    fn variants_split_parentheses_and_spaced_dashes() {
        assert_eq!(
            paren_variants("Jelga (Khwaja Hejran)"),
            ["Jelga", "Khwaja Hejran"]
        );
        assert_eq!(
            paren_variants("Taloqan - Center of Taloqan"),
            ["Taloqan", "Center of Taloqan"]
        );
        assert!(paren_variants("Pul-e-Khumri").is_empty());
    }

    #[test]
    fn context_breaks_ties() {
        let r = resolver();
        let p3 = r.gazetteer().find_id("p3").unwrap();
        let ctx = Context {
            favoured: vec![(p3, "Badakhshan".into())],
            kind: None,
        };
        let res = r.resolve_in_context("Fayzabad", &Options::default(), &ctx);
        assert_eq!(res.status, Status::Matched);
        assert!(res.best.unwrap().reason.contains("Badakhshan"));
    }

    #[test]
    fn garbage_is_unmatched() {
        let r = resolver();
        for q in ["", "xyzzy", "12345", "   ", "---", &"a".repeat(100_000)] {
            let res = r.resolve(q, &Options::default());
            assert_eq!(res.status, Status::Unmatched, "{q:.20}");
            assert!(res.best.is_none());
        }
    }

    fn fuzzy_resolver() -> Resolver {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            c,Afghanistan,country,AF,,,33,66,,\n\
            p1,Kandahar,province,AF,,,31.6,65.7,,\n\
            p2,Balkh,province,AF,,,36.7,67.1,,\n\
            p3,Ghazni,province,AF,,,33.5,68.4,,\n\
            d1,Zhaṟêy,district,AF,Kandahar,,31.6,65.4,,Zharey\n\
            d2,Zārī,district,AF,Balkh,,36.1,66.8,,Zari\n\
            d3,Shōr Tepah,district,AF,Balkh,,37.3,66.5,,Shor Tepah\n\
            d4,Shutul,district,AF,Balkh,,35.3,69.5,,\n\
            d5,Kandahar,district,AF,Kandahar,,31.6,65.7,,kadhara\n\
            v1,Mīray,village,AF,Ghazni,,33.3,68.4,,Miraj\n\
            p4,Khowst,province,AF,,,33.3,69.9,,\n\
            d6,Têrayzaī,district,AF,Khowst,,33.4,70.1,,Terayzai\n\
            v2,‘Alī Shēr ‘Alāqahdārī,village,AF,Khowst,Têrayzaī,33.4,70.1,,`Ali Sher\n\
            d7,Dū Āb,district,AF,Khowst,,35.3,70.7,,\n\
            v3,Dūāb,village,AF,Balkh,Shōr Tepah,35.6,67.8,,\n\
            v4,Chinār,village,AF,Kandahar,Zhaṟêy,32.0,65.1,,chinaru\n\
            d8,Mandōl,district,AF,Kandahar,,35.3,70.7,,mandwl\n\
            d9,Argō,district,AF,Balkh,,37.1,70.4,,\n\
            p5,Oruzgan,province,AF,,,32.9,66.6,,Uruzgan\n\
            d10,Khāş Uruzgān,district,AF,Oruzgan,,33.2,66.3,,Khas Uruzgan\n\
            t2,Khāsh,town,AF,Kandahar,,31.5,62.8,,Khas\n";
        Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap()
    }

    #[test]
    fn consonants_count_only_in_a_like_frame_of_vowels() {
        let r = fuzzy_resolver();
        let o = Options::default();
        // vowels change, consonants stay: a romanization
        assert_eq!(best_id(&r, "Zheray", &o), (Status::Matched, "d1".into()));
        assert_eq!(best_id(&r, "Zherai", &o), (Status::Matched, "d1".into()));
        assert_eq!(best_id(&r, "Shatal", &o), (Status::Matched, "d4".into()));
        // the same consonants in another frame of vowels: another word
        assert_eq!(best_id(&r, "Marja", &o).0, Status::Unmatched);
        assert_eq!(best_id(&r, "Kohe Zor", &o).0, Status::Unmatched);
    }

    #[test]
    fn a_different_first_letter_is_another_name() {
        let r = fuzzy_resolver();
        let o = Options::default();
        assert_eq!(best_id(&r, "Gurtipa", &o).0, Status::Unmatched);
        // a typo past the first letter, or a romanized first letter, still matches
        assert_eq!(best_id(&r, "Shortipa", &o), (Status::Matched, "d3".into()));
        assert_eq!(best_id(&r, "Sor Tepa", &o), (Status::Matched, "d3".into()));
        assert!(initials_agree("argu", "urgu"));
        assert!(initials_agree("xust", "kust"));
        assert!(initials_agree("zanaguri", "dahanaguri"));
        assert!(!initials_agree("gurtipa", "curtipa"));
        assert!(!initials_agree("sanginkala", "yangikala"));
        assert!(initials_agree("ispinbuldak", "spinbuldak"));
        assert!(!initials_agree("ispinbuldak", "pinbuldak"));
    }

    #[test]
    fn a_district_named_with_a_place_inside_it_is_the_district() {
        let r = fuzzy_resolver();
        let o = Options::default();
        // the village matches better than the misspelt district, but lies inside it
        assert_eq!(
            best_id(&r, "TEREZAYI(ALI SHER)", &o),
            (Status::Matched, "d6".into())
        );
        assert_eq!(best_id(&r, "Ali Sher", &o), (Status::Matched, "v2".into()));
        // two names of places apart: nothing says which is meant
        assert_eq!(best_id(&r, "Ali Sher (Shutul)", &o).0, Status::Ambiguous);
    }

    #[test]
    fn the_same_letters_split_otherwise_are_surer_than_a_variant() {
        let r = fuzzy_resolver();
        let o = Options::default();
        // the district "Du Ab" is as good a reading of "Duab" as the village "Duab"
        let res = r.resolve("Duab", &o);
        assert_eq!(res.status, Status::Ambiguous);
        assert_eq!(res.candidates[0].method, Method::Fold);
        assert_eq!(best_id(&r, "Du-Ab", &o).0, Status::Ambiguous);
        assert!(same_letters("du ab", "duab"));
        assert!(!same_letters("doab", "duab"));
    }

    #[test]
    fn machine_transliterations_count_only_through_their_consonants() {
        let r = fuzzy_resolver();
        let o = Options::default();
        // near the lower-case rendering "chinaru", not near Chinar itself
        assert_eq!(best_id(&r, "Chenarto", &o).0, Status::Unmatched);
        // the consonants of the vowelless rendering "mandwl"
        assert_eq!(best_id(&r, "Mondawel", &o), (Status::Matched, "d8".into()));
        assert!(has_letter_case("Chinar") && !has_letter_case("chinaru"));
        // a query in Arabic script is transliterated like the names in it
        assert!(Query::new("چنارتو").caseless && !Query::new("chenarto").caseless);
    }

    #[test]
    fn a_trailing_province_speaks_against_places_outside_it() {
        let r = fuzzy_resolver();
        let o = Options::default();
        // "Khas" alone is the town elsewhere; with Uruzgan it is the district there
        assert_eq!(best_id(&r, "Khas", &o), (Status::Matched, "t2".into()));
        assert_eq!(
            best_id(&r, "KHAS UROZGAN", &o),
            (Status::Matched, "d10".into())
        );
    }

    #[test]
    fn an_initial_vowel_is_any_vowel() {
        let r = fuzzy_resolver();
        assert_eq!(
            best_id(&r, "Urgo", &Options::default()),
            (Status::Matched, "d9".into())
        );
        assert!((consonant_similarity("urg", "arg") - OTHER_INITIAL_VOWEL).abs() < 1e-12);
        assert!(consonant_similarity("urg", "brg") < OTHER_INITIAL_VOWEL);
    }

    proptest::proptest! {
        #[test]
        fn similarity_is_symmetric_and_in_unit_range(a in "[a-z ]{0,24}", b in "[a-z ]{0,24}") {
            let (x, y) = (ascii_similarity(&a, &b), ascii_similarity(&b, &a));
            proptest::prop_assert!((0.0..=1.0).contains(&x));
            proptest::prop_assert!((x - y).abs() < 1e-12);
            if !a.is_empty() {
                proptest::prop_assert!((ascii_similarity(&a, &a) - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn scores_stay_in_unit_range() {
        let r = resolver();
        for q in [
            "Kunduz",
            "Pul-i-Hisar",
            "Kundz",
            "Fayzabad",
            "Baghlan province",
        ] {
            let res = r.resolve(q, &Options::default());
            for c in res.best.iter().chain(res.candidates.iter()) {
                assert!((0.0..=1.0).contains(&c.score), "{q}: {}", c.score);
            }
        }
    }
}
