//! Turns a name into a [`Resolution`]: the public types and the pipeline that joins the
//! query forms (`query.rs`), the candidates each form finds (`candidates.rs`), their scores
//! (`score.rs`), the decision among them (`decide.rs`) and its explanation (`explain.rs`).
//!
//! ```
//! use gazmap::{Gazetteer, Resolver, Options, Status};
//! let resolver = Resolver::new(Gazetteer::embedded().unwrap()).unwrap();
//! let r = resolver.resolve("Koundouz", &Options::default());
//! assert_eq!(r.status, Status::Matched);
//! assert_eq!(resolver.gazetteer().place(r.best.unwrap().place).admin1, "Kunduz");
//! ```

mod candidates;
mod decide;
mod explain;
mod model;
mod query;
mod score;
mod weights;

use rustc_hash::FxHashMap;
use std::fmt;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::gazetteer::{Gazetteer, Kind, PlaceId};
use crate::index::{Index, NameId, MAX_EDITS};

use crate::normalize::readings;
pub use explain::{CandidateRecord, ResolutionRecord, CSV_COLUMNS};
// the ranking model's training door (examples/fuzzy_pairs.rs, benches/train_ranking.py): not
// part of the API, hidden from the docs
#[doc(hidden)]
pub use model::{Features, FuzzyPair, FEATURE_COUNT, FEATURE_NAMES};
use query::{abbreviation_variants, paren_variants, Query};
use score::{
    better, CONTEXT_BONUS, DESIGNATOR_BONUS, DESIGNATOR_MISMATCH, MAX_ORDERED_WORDS,
    MIN_ORDERED_WORD, READING_PENALTY, SCORE_SKELETON, VARIANT_PENALTY, WORD_ORDER_PENALTY,
};

/// The forms of one query that are scored, and what its own words and its context favour.
struct QueryForms {
    /// Each form with the penalty its scores take.
    queries: Vec<(Query, f64)>,
    /// Areas whose places are favoured, with the label used in explanations.
    favoured: Vec<(PlaceId, String)>,
    /// The trailing province of "Surubi (Paktika)", "Kohistan, Badakhshan".
    qualifier: Option<PlaceId>,
    /// The parenthesized province name of a gazetteer that has no such province.
    label: Option<query::Label>,
}

/// The English name of a source language of [`readings`].
fn language_name(code: &str) -> &'static str {
    match code {
        "ar" => "Arabic",
        "de" => "German",
        "hu" => "Hungarian",
        "es" => "Spanish",
        "it" => "Italian",
        "tr" => "Turkish",
        "pl" => "Polish",
        "ru" => "Russian",
        "cs" => "Czech",
        _ => "foreign",
    }
}

/// `as_str`, the contract spelling of each variant (as serde writes it), and a `Display`
/// that writes it.
macro_rules! contract_spelling {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The contract spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

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

contract_spelling!(Method {
    Exact => "exact",
    Alternate => "alternate",
    Fold => "fold",
    Skeleton => "skeleton",
    Fuzzy => "fuzzy",
});

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

contract_spelling!(Status {
    Matched => "matched",
    Ambiguous => "ambiguous",
    Unmatched => "unmatched",
});

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
    /// Tied places left out of `candidates` by [`Options::top`]: the unrelated places of an
    /// ambiguous answer when [`Options::cap_ties`] is set, the same name at other levels of
    /// a matched one (always capped).
    pub left_out: usize,
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
    /// How many places a resolution lists, the best included (the tied places of an
    /// ambiguous answer are all kept unless [`Options::cap_ties`] is set).
    pub top: usize,
    /// Whether `top` caps the tied places of an ambiguous answer too; the rest are counted
    /// in [`Resolution::left_out`].
    pub cap_ties: bool,
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
            cap_ties: false,
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

/// Least score for the area of `--within` (a near miss there would filter silently).
const AREA_THRESHOLD: f64 = 0.9;

/// Resolves names against a gazetteer through its index.
#[derive(Debug)]
pub struct Resolver {
    gazetteer: Gazetteer,
    index: Index,
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
        let forms = self.query_forms(query, options, context);
        let mut kind_hint = context.kind;
        let mut scores: FxHashMap<PlaceId, Candidate> = FxHashMap::default();
        // the places each name of "A (B)" or "A - B" finds, for `favour_named_districts`
        let mut parts: Vec<Vec<(PlaceId, f64)>> = Vec::new();
        for (i, (q, penalty)) in forms.queries.iter().enumerate() {
            kind_hint = kind_hint.or(q.kind);
            // what the context may add to a fuzzy candidate's score over a name match's
            let slack = if forms.favoured.is_empty() {
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
        self.score_abbreviations(query, options, &mut scores);
        // "Dschaghatu", "Vardudzs": with no name found, the query as a German, Hungarian…
        // writer's spelling of the name
        let named = scores
            .values()
            .filter(|c| self.passes_filters(c.place, options))
            .any(|c| c.score >= SCORE_SKELETON);
        // nor when a typed query has a slip of a written name (a fuzzy match at the ceiling):
        // its readings are further, and a reading's look-alike is no better evidence
        // ("fGlide" is Glide, not Felida by its Italian reading "flida")
        let whole = &forms.queries[0].0;
        let ceiling = whole.fuzzy_ceiling();
        let slip = whole.latin
            && scores
                .values()
                .filter(|c| self.passes_filters(c.place, options))
                .any(|c| c.method == Method::Fuzzy && c.score >= ceiling);
        if !named && !slip {
            // with a name within two typos of the query as typed, a reading's look-alike must
            // be nearer to the reading to count ("Morirvsille" is Morrisville, not Moravče by
            // a Spanish reading; "Tacharu" is Takhar by a Polish one)
            let typo = scores
                .values()
                .filter(|c| {
                    whole.latin
                        && c.method == Method::Fuzzy
                        && self.passes_filters(c.place, options)
                })
                .filter_map(|c| self.letter_edits(whole, c.name_id))
                .min();
            self.score_readings(query, options, typo, &mut scores, &mut kind_hint);
            self.score_word_orders(&forms.queries[0].0, &mut scores);
        }
        self.favour_named_districts(&parts, &mut scores);
        // before the filters: `--kind district` keeps the district a village's name found
        self.add_same_name_ancestors(&mut scores, options.threshold);
        let mut cands: Vec<Candidate> = scores
            .into_values()
            .filter(|c| self.passes_filters(c.place, options))
            .collect();
        for c in &mut cands {
            self.weigh_context(c, &forms, kind_hint);
        }
        self.decide(query, cands, options, kind_hint)
    }

    /// The forms of a query to score: the whole query, then the name without its trailing
    /// province (a qualifier), or the name outside its parentheses (a label), or each name
    /// of "A (B)" and "A - B" (at a penalty); and the places the context favours.
    fn query_forms(&self, query: &str, options: &Options, context: &Context) -> QueryForms {
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
            rest.latin = queries[0].0.latin;
            queries.push((rest, 0.0));
        }
        let mut label = None;
        if qualifier.is_none() {
            if let Some((outer, l)) = self.split_label(query, options) {
                queries.push((Query::new(&outer), 0.0));
                label = Some(l);
            }
        }
        // "Jelga (Khwaja Hejran)", "Kunduz - center of Kunduz": either name may be the one the
        // gazetteer knows (a province in parentheses is a qualifier, not another name)
        if (qualifier.is_none() && label.is_none()) || query.contains(" - ") {
            for v in paren_variants(query) {
                queries.push((Query::new(&v), VARIANT_PENALTY));
            }
        }
        QueryForms {
            queries,
            favoured,
            qualifier,
            label,
        }
    }

    /// Scores the query with its abbreviated name words written out ("Mt. Juliet"), each at
    /// a penalty and with the reading in its reason.
    fn score_abbreviations(
        &self,
        query: &str,
        options: &Options,
        scores: &mut FxHashMap<PlaceId, Candidate>,
    ) {
        for (text, short, full) in abbreviation_variants(query) {
            for c in self.score_query(&Query::new(&text), options, 0.0) {
                keep_another_form(scores, c, READING_PENALTY, || {
                    format!("; \"{short}\" read as \"{full}\"")
                });
            }
        }
    }

    /// Scores the query's readings as a German, Hungarian… writer's spelling, each at a
    /// penalty and with the language in its reason (of their fuzzy matches, only those fewer
    /// than `nearer_than` edits from the reading's letters).
    fn score_readings(
        &self,
        query: &str,
        options: &Options,
        nearer_than: Option<usize>,
        scores: &mut FxHashMap<PlaceId, Candidate>,
        kind_hint: &mut Option<Kind>,
    ) {
        // the fuzzy candidates a bound keeps are those its edits reach
        let reach = nearer_than.map_or(MAX_EDITS, |n| n.saturating_sub(1));
        for (lang, reading) in readings(query) {
            let q = Query::new(&reading);
            *kind_hint = kind_hint.or(q.kind);
            for c in self.score_query_within(&q, options, 0.0, reach as u8) {
                let near =
                    |n: usize| n > 0 && self.letter_edits(&q, c.name_id).is_some_and(|d| d < n);
                if c.method == Method::Fuzzy && !nearer_than.is_none_or(near) {
                    continue;
                }
                keep_another_form(scores, c, READING_PENALTY, || {
                    format!("; read as a {} spelling", language_name(lang))
                });
            }
        }
    }

    /// Looks up the query's words in the other orders ("Archi Dasht", "Sharif Mazar"): the
    /// names they spell exactly, or as a romanization, at a penalty and with the order in
    /// the reason. Only the name keys, not the fuzzy search: words both swapped and
    /// misspelt are too far to tell.
    fn score_word_orders(&self, q: &Query, scores: &mut FxHashMap<PlaceId, Candidate>) {
        let words: Vec<&str> = q.folded.split(' ').filter(|w| !w.is_empty()).collect();
        // an article or a letter ("La", "A") joins any neighbour into some name
        let short = words.iter().any(|w| w.len() < MIN_ORDERED_WORD);
        if short || !(2..=MAX_ORDERED_WORDS).contains(&words.len()) {
            return;
        }
        for order in other_orders(words.len()) {
            let text: Vec<&str> = order.iter().map(|&i| words[i]).collect();
            let mut other = Query::from_folded(&text.join(" "), q.kind);
            other.caseless = q.caseless;
            other.latin = q.latin;
            for c in self.key_candidates(&other).into_values() {
                keep_another_form(scores, c, WORD_ORDER_PENALTY, || {
                    "; its words in another order".to_string()
                });
            }
        }
    }

    /// Raises or lowers a candidate's score by what the context and the query's own words
    /// say of it: a favoured area it lies in, a qualifier or label it lies outside or in, and
    /// the kind a designator names; each with its reason.
    fn weigh_context(&self, c: &mut Candidate, forms: &QueryForms, kind_hint: Option<Kind>) {
        let kind = self.gazetteer.kind(c.place);
        if let Some((_, label)) = forms
            .favoured
            .iter()
            .find(|(a, _)| self.gazetteer.is_within(c.place, *a))
        {
            c.score += CONTEXT_BONUS;
            c.reason
                .push_str(&format!("; in {label}, named in the text"));
        }
        if let Some(area) = forms
            .qualifier
            .filter(|&a| !self.gazetteer.is_within(c.place, a))
        {
            c.score -= CONTEXT_BONUS;
            let label = &self.gazetteer.place(area).name;
            c.reason
                .push_str(&format!("; not in {label}, named with it"));
        }
        if let Some(l) = &forms.label {
            if self.in_label(c.place, l) {
                c.score += CONTEXT_BONUS;
                c.reason
                    .push_str(&format!("; in {}, named with it", l.name));
            } else {
                c.score -= CONTEXT_BONUS;
                c.reason
                    .push_str(&format!("; not in {}, named with it", l.name));
            }
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

    /// Default [`Options`] narrowed by the filters a user gives: an ISO 3166-1 alpha-2
    /// `country` (any case), a `within` area name (resolved with [`Resolver::find_area`]) and
    /// a `kind`. The messages name the command-line flags, `--country` and `--within`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a country code that is not two letters or that no place of the
    /// gazetteer has, and for an area that is not found.
    pub fn filter_options(
        &self,
        country: Option<&str>,
        within: Option<&str>,
        kind: Option<Kind>,
    ) -> Result<Options> {
        let mut o = Options::default();
        if let Some(cc) = country {
            if cc.len() != 2 || !cc.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(Error::Invalid(format!(
                    "--country {cc:?}: expected an ISO 3166-1 alpha-2 code such as AF"
                )));
            }
            let cc = cc.to_ascii_uppercase();
            if !self.gazetteer.places().any(|p| p.country == cc) {
                return Err(Error::Invalid(format!(
                    "--country {cc}: no place of the gazetteer is in that country"
                )));
            }
            o.country = Some(cc);
        }
        if let Some(w) = within {
            o.within = Some(self.find_area(w)?);
        }
        o.kind = kind;
        Ok(o)
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

    /// The places with a name whose fold is `folded` (or, `by_skeleton`, whose skeleton is
    /// that of `folded`), each with whether that name is whole rather than one part of a
    /// compound name: what a text scanner asks of the index before resolving a run of words.
    pub(crate) fn places_named<'a>(
        &'a self,
        folded: &str,
        by_skeleton: bool,
    ) -> impl Iterator<Item = (PlaceId, bool)> + 'a {
        let ids = if by_skeleton {
            self.index
                .by_skeleton(&crate::normalize::skeleton_of_folded(folded))
        } else {
            self.index.by_fold(folded)
        };
        ids.iter().map(move |&id| {
            let name = self.index.name(id);
            (name.place, name.form != crate::index::NameForm::Part)
        })
    }
}

/// Keeps candidate `c` of another form of the query (a reading, an abbreviation written out,
/// the words in another order) at `penalty`, with `note` added to its reason, when it beats
/// its place's candidate so far.
fn keep_another_form(
    scores: &mut FxHashMap<PlaceId, Candidate>,
    mut c: Candidate,
    penalty: f64,
    note: impl FnOnce() -> String,
) {
    c.score -= penalty;
    if scores.get(&c.place).is_none_or(|old| better(&c, old)) {
        c.reason.push_str(&note());
        scores.insert(c.place, c);
    }
}

/// The orders of `n` words other than their own (`n` is 2 or 3), as word positions.
fn other_orders(n: usize) -> Vec<Vec<usize>> {
    let all: &[&[usize]] = if n == 2 {
        &[&[1, 0]]
    } else {
        &[&[0, 2, 1], &[1, 0, 2], &[1, 2, 0], &[2, 0, 1], &[2, 1, 0]]
    };
    all.iter().map(|o| o.to_vec()).collect()
}

#[cfg(test)]
mod tests {
    use super::query::Query;
    use super::score::{
        consonant_similarity, has_letter_case, initials_agree, same_letters, OTHER_INITIAL_VOWEL,
    };
    use super::*;

    #[test]
    fn contract_spellings_are_what_serde_writes() {
        use Method::*;
        for m in [Exact, Alternate, Fold, Skeleton, Fuzzy] {
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
        }
        for s in [Status::Matched, Status::Ambiguous, Status::Unmatched] {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }

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

    #[test]
    fn a_slip_of_a_written_name_is_not_read_as_another_language() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            a,Glide,village,US,,,43.3,-123.1,1800,\n\
            b,Felida,village,US,,,45.7,-122.7,9000,flyda\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        let o = Options::default();
        // a letter too many before Glide, against the Italian reading "flida" of Felida's
        // caseless "flyda"
        assert_eq!(best_id(&r, "fGlide", &o), (Status::Matched, "a".into()));
    }

    #[test]
    fn words_in_another_order_find_the_name() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            p,Kunduz,province,AF,,,36.7,68.9,,\n\
            d,Dasht-e Archī,district,AF,Kunduz,,37.1,69.2,,Dasht-e Archi\n\
            b,Bala Murghab,village,AF,Kunduz,,35.6,63.3,,\n\
            j,Jiale,village,CN,,,30.0,110.0,,\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        let o = Options::default();
        assert_eq!(
            best_id(&r, "Archi Dasht", &o),
            (Status::Matched, "d".into())
        );
        assert_eq!(
            best_id(&r, "Murghab Bala", &o),
            (Status::Matched, "b".into())
        );
        let res = r.resolve("Archi Dasht", &o);
        assert!(res
            .best
            .unwrap()
            .reason
            .contains("its words in another order"));
        // the name as written leads its words reordered
        assert!(r.resolve("Dasht Archi", &o).best.unwrap().score > 0.92);
        // a two-letter word is not moved: "La Jya" is no "Jya La"
        assert_ne!(best_id(&r, "La Jya", &o).1, "j");
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
    fn a_seat_named_as_its_district_gives_way_to_the_district() {
        // the seat carries the district's name as one of its own (GeoNames does this), in the
        // spelling the query has; the district has it in another: the district is meant
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            p1,Ghazni,province,AF,,,33.5,68.4,,\n\
            d1,Khugyani,district,AF,Ghazni,,33.5,68.3,,Wal-e-Muhammad-e-Shahid\n\
            v1,Chahar Qala,village,AF,Ghazni,Khugyani,33.5,68.3,,Walimuhammad-e-Shahid\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        let o = Options::default();
        assert_eq!(
            best_id(&r, "Walimuhammad-e-Shahid", &o),
            (Status::Matched, "d1".into())
        );
        // the seat's own name still finds the seat
        assert_eq!(
            best_id(&r, "Chahar Qala", &o),
            (Status::Matched, "v1".into())
        );
        let o = Options {
            kind: Some(Kind::Village),
            ..Options::default()
        };
        assert_eq!(
            best_id(&r, "Walimuhammad-e-Shahid", &o),
            (Status::Matched, "v1".into())
        );
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
        assert!(Query::new("Kābul, Ōbêh").latin && !Query::new("Миколаєві").latin);
        assert!(!Query::new("塩釜市").latin && !Query::new("چنارتو").latin);
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

    #[test]
    fn a_name_listed_with_its_parenthesis_beats_the_names_inside_it() {
        let csv = "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
            a,Andenne,town,BE,,,50.5,5.1,26000,\n\
            b,Landenne,village,BE,,,50.5,5.1,,Andenne (Landenne)\n";
        let r = Resolver::new(Gazetteer::from_csv_reader(csv.as_bytes(), "t").unwrap()).unwrap();
        let res = r.resolve("Andenne (Landenne)", &Options::default());
        assert_eq!(res.status, Status::Matched, "{res:?}");
        let best = r.gazetteer().place(res.best.unwrap().place).id;
        assert_eq!(best, "b");
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
