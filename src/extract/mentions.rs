//! Finding place mentions in article text with the gazetteer itself.
//!
//! Every run of one to five words that starts and ends with a capitalised word is looked up
//! by its fold and by its skeleton in the name index (hash lookups, so the cost is linear in
//! the text), longest first, so `Pul-e-Alam` or `Khost wa Firing` is one mention and a
//! spelling the gazetteer lacks but that is a romanization variant of one it has
//! (`Qalai Zal` for `Qal‘ah-ye Zāl`) is still found. Capitalised runs the index does not
//! know are then given to the resolver's fuzzy matching. Ordinary words never become places:
//! the language tables' stopwords, month and weekday names, actor words, one- and
//! two-letter words, lower-case words, and a sentence's first word when the text also uses
//! it in lower case.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;
use std::rc::Rc;

use crate::gazetteer::{Kind, PlaceId};
use crate::resolve::{Options, Resolver, Status};

use super::lang::{Pattern, Tables, LANGUAGES};
use super::text::{Sentence, Token};

/// Longest name, in words, looked up.
const MAX_WORDS: usize = 5;
/// Least score for a mention found only by fuzzy matching.
const FUZZY_ACCEPT: f64 = 0.9;
/// Least score for a fuzzy mention of a place the text has already named in another
/// spelling ("Dahana-i-Ghori district", later "Dahan-e Ghori").
const FUZZY_ACCEPT_SEEN: f64 = 0.8;
/// Skeleton keys the fuzzy pre-filter compares.
const PREFILTER_KEYS: usize = 8;
/// Least Jaro-Winkler similarity of skeletons for the full fuzzy resolution to run; below
/// it the resolver's fuzzy score cannot reach [`FUZZY_ACCEPT`].
const PREFILTER_SIMILARITY: f64 = 0.85;
/// Least similarity of each word of a run to some name for the run to be looked at.
const WORD_SIMILARITY: f64 = 0.8;
/// Longest word between two name parts that may be lower case (`e`, `i`, `ye`, `wa`).
const MAX_PARTICLE: usize = 3;

/// How a mention was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Its fold is a gazetteer name's fold.
    Fold,
    /// Its skeleton is a gazetteer name's skeleton (a romanization variant).
    Skeleton,
    /// Fuzzy matching of a capitalised run.
    Fuzzy,
}

impl Found {
    /// A short label.
    pub fn as_str(self) -> &'static str {
        match self {
            Found::Fold => "fold",
            Found::Skeleton => "skeleton",
            Found::Fuzzy => "fuzzy",
        }
    }
}

/// A run of tokens that names a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// First token.
    pub first: usize,
    /// After the last token.
    pub last: usize,
    /// How it was found.
    pub found: Found,
    /// The kind a designator next to it names (`Khinjan district`, `la province de Baghlan`).
    pub designator: Option<Kind>,
    /// The spelling to resolve when it is not the text's (`Chanabad` is looked up as
    /// `khanabad`, see [`Tables::respellings`]).
    pub query: Option<String>,
}

/// The folded `key` in the English romanization the gazetteer uses, when the language's
/// respellings change it.
pub fn respell(tables: &Tables, key: &str) -> Option<String> {
    if tables.respellings.is_empty() {
        return None;
    }
    let mut out = key.to_string();
    for (from, to) in tables.respellings {
        out = out.replace(from, to);
    }
    (out != key).then_some(out)
}

/// Words that are never places, from every language's tables.
#[derive(Debug)]
pub struct Ordinary {
    words: HashSet<&'static str>,
    actors: Vec<Pattern>,
}

impl Ordinary {
    /// Collects stopwords, months, weekdays and one-word actor patterns of all languages.
    pub fn new() -> Ordinary {
        let mut words = HashSet::default();
        let mut actors = Vec::new();
        for t in LANGUAGES {
            words.extend(t.stopwords.iter().copied());
            words.extend(t.months.iter().map(|m| m.1));
            words.extend(t.weekdays.iter().map(|m| m.1));
            for a in t.actors {
                let p = Pattern::new(a.pattern);
                if p.is_single() {
                    actors.push(p);
                }
            }
        }
        Ordinary { words, actors }
    }

    /// True when the folded `key` is an ordinary word.
    pub fn contains(&self, key: &str) -> bool {
        key.chars().filter(char::is_ascii_alphanumeric).count() < 3
            || self.words.contains(key)
            || (!key.contains(' ') && self.actors.iter().any(|p| p.match_at(&[key], 0).is_some()))
    }
}

impl Default for Ordinary {
    fn default() -> Self {
        Ordinary::new()
    }
}

/// Finds the place mentions among `tokens`.
pub fn find(
    resolver: &Resolver,
    tokens: &[Token],
    sentences: &[Sentence],
    tables: &Tables,
    ordinary: &Ordinary,
) -> Vec<Span> {
    let lower: HashSet<&str> = tokens
        .iter()
        .filter(|t| !t.cap && !t.digit)
        .map(|t| t.fold.as_str())
        .collect();
    let mut spans = Vec::new();
    let mut fuzzy_cache: HashMap<String, Option<FuzzyPlace>> = HashMap::default();
    // places already named in the text: a second spelling of one of them needs less evidence
    let mut seen: HashSet<PlaceId> = HashSet::default();
    let keys = Keys::new(resolver);
    let mut near_cache: HashMap<String, bool> = HashMap::default();
    let mut lookup_cache: HashMap<String, Option<Found>> = HashMap::default();
    // the places each name found names, for `seen`
    let mut named_cache: HashMap<String, Vec<PlaceId>> = HashMap::default();
    let folds: Vec<&str> = tokens.iter().map(|t| t.fold.as_str()).collect();
    let place_designators = compiled_designators(tables, |k| k != Kind::Province);
    for s in sentences {
        let mut i = s.first;
        while i < s.last {
            if !tokens[i].cap || tokens[i].digit {
                i += 1;
                continue;
            }
            let max = run_len(tokens, i, s.last);
            let mut hit = None;
            let mut query: Option<String> = None;
            for n in (1..=max).rev() {
                let last = &tokens[i + n - 1];
                if !last.cap {
                    continue;
                }
                let key = key_of(&tokens[i..i + n]);
                if ordinary.contains(&key)
                    || (n == 1 && i == s.first && lower.contains(key.as_str()))
                {
                    continue;
                }
                // a name found only as one part of a compound name is no mention
                let usable = |key: &str, by_skeleton: bool| {
                    if by_skeleton {
                        keys.by_skeleton(key).iter().any(|&(_, whole)| whole)
                    } else {
                        resolver.places_named(key, false).any(|(_, whole)| whole)
                    }
                };
                // names repeat through an article: each distinct run is looked up once
                let look = |key: &str| {
                    if usable(key, false) {
                        Some(Found::Fold)
                    } else if usable(key, true) {
                        Some(Found::Skeleton)
                    } else {
                        None
                    }
                };
                let mut found = *lookup_cache
                    .entry(key.clone())
                    .or_insert_with_key(|key| look(key));
                query = None;
                if found.is_none() {
                    if let Some(alt) = respell(tables, &key) {
                        found = look(&alt).map(|_| Found::Skeleton);
                        if found.is_some() {
                            query = Some(alt);
                        }
                    }
                }
                hit = found.map(|f| (n, f));
                if hit.is_some() {
                    let key = query.clone().unwrap_or(key);
                    let named = named_cache.entry(key).or_insert_with_key(|key| {
                        resolver
                            .places_named(key, false)
                            .chain(keys.by_skeleton(key))
                            .map(|(place, _)| place)
                            .collect()
                    });
                    seen.extend(named.iter().copied());
                    break;
                }
            }
            if hit.is_none() {
                // a capitalised run the index does not know: fuzzy matching, the whole run,
                // then its first word alone when a list or place word follows it ("Wardoug
                // et de Raghistan", "Worsaj in Takhar")
                let whole = (1..=max)
                    .rev()
                    .find(|&n| tokens[i + n - 1].cap)
                    .unwrap_or(1);
                let first_alone = whole > 1 && FIRST_ALONE.contains(&tokens[i + 1].fold.as_str());
                for n in std::iter::once(whole).chain(first_alone.then_some(1)) {
                    let key = key_of(&tokens[i..i + n]);
                    let ordinary_word = ordinary.contains(&key)
                        || tokens[i..i + n]
                            .iter()
                            .any(|t| t.fold.bytes().any(|b| b.is_ascii_digit()))
                        || key.len() < 4
                        || (i == s.first && n == 1)
                        || key
                            .split(' ')
                            .any(|w| ordinary.contains(w) && w.len() > MAX_PARTICLE);
                    // every word of a misspelt name is itself near some gazetteer name (cheap,
                    // cached per word), which spares the full fuzzy resolution of most runs
                    let words_near = !ordinary_word
                        && tokens[i..i + n].iter().filter(|t| t.cap).all(|t| {
                            *near_cache
                                .entry(t.fold.clone())
                                .or_insert_with(|| keys.near(&t.fold, WORD_SIMILARITY))
                        });
                    let alt = respell(tables, &key);
                    let words_near = words_near
                        || alt
                            .as_deref()
                            .is_some_and(|a| !ordinary_word && keys.near(a, WORD_SIMILARITY));
                    if words_near {
                        let lookup = alt.clone().unwrap_or_else(|| key.clone());
                        let best = fuzzy_cache
                            .entry(lookup.clone())
                            .or_insert_with(|| fuzzy_place(&keys, &lookup));
                        query = alt;
                        // a place already named, or in a province already named, needs less
                        let g = resolver.gazetteer();
                        // so does a run the text itself marks as a place ("à Kecham", "the
                        // districts of Wardoug"): what `resolve` matches alone is found in text
                        let marked = place_word_before(&folds[s.first..i], &place_designators);
                        let known = |place: PlaceId| {
                            seen.contains(&place)
                                || g.parents(place).province.is_some_and(|p| seen.contains(&p))
                        };
                        // a spelling as near to several places ("the Janikhail district": the
                        // Jani Khel districts of Paktia and Paktika) is a mention where the
                        // text marks it as a place and has named one of them or its
                        // province; the context then chooses
                        let ok = best.as_ref().is_some_and(|f| match &f.tied[..] {
                            [] => {
                                f.score >= FUZZY_ACCEPT
                                    || (f.score >= FUZZY_ACCEPT_SEEN && (known(f.place) || marked))
                            }
                            tied => {
                                let designated = marked
                                    || folds.get(i + n).is_some_and(|w| {
                                        tables.designators_after.iter().any(|(_, p)| p == w)
                                    });
                                let namesakes = tied
                                    .iter()
                                    .all(|&p| g.place(p).name == g.place(tied[0]).name);
                                designated
                                    && namesakes
                                    && f.score >= FUZZY_ACCEPT_SEEN
                                    && tied.iter().any(|&p| known(p))
                            }
                        });
                        if ok {
                            // "Kohistant" after "Kohistanat": the place the text has named,
                            // as it is named, not a namesake the context favours
                            let named = best
                                .as_ref()
                                .and_then(|f| f.tied.iter().find(|p| seen.contains(p)));
                            if let (Some(&p), None) = (named, &query) {
                                query = Some(crate::normalize::fold(g.place(p).name));
                            }
                            hit = Some((n, Found::Fuzzy));
                            break;
                        }
                    }
                }
                if hit.is_none() {
                    // a later word of the run may still start a name ("All of Kunduz")
                    i += 1;
                    continue;
                }
            }
            // "Nawa-i-Barakzayi": a hyphenated name going on past the name found is one
            // mention when fuzzy matching finds the whole (not `Nawa` in Ghazni)
            if let Some((n, Found::Fold | Found::Skeleton)) = hit {
                if n < max && hyphen_name_goes_on(tokens, i + n, i + max) {
                    let whole = key_of(&tokens[i..i + max]);
                    let best = fuzzy_cache
                        .entry(whole.clone())
                        .or_insert_with(|| fuzzy_place(&keys, &whole));
                    if best
                        .as_ref()
                        .is_some_and(|f| f.tied.is_empty() && f.score >= FUZZY_ACCEPT_SEEN)
                    {
                        hit = Some((max, Found::Fuzzy));
                    } else if ["i", "e", "ye"].contains(&tokens[i + n].fold.as_str()) {
                        // "Dand-e-Ghori" is not Dand: a name going on with an ezafe is
                        // another place, one the gazetteer does not know
                        i += n + 2;
                        continue;
                    }
                }
            }
            let n_hit = hit.map_or(1, |h| h.0);
            if hit.is_some()
                && (is_organisation(tokens, i + n_hit, s.last) || after_title(tokens, i, s.first))
            {
                // "Kabul Now", "Tolo News": a news outlet; "Ajmal Kakar", "Gen. Giyan": a person
                i += n_hit;
                continue;
            }
            if hit.is_some() && after_given_names(tokens, i, s, &spans, ordinary) {
                // "Ajmal Omar Shinwari": a surname that is also a district's name
                i += hit.map_or(1, |h| h.0);
                continue;
            }
            if let Some((n, found)) = hit {
                spans.push(Span {
                    first: i,
                    last: i + n,
                    found,
                    designator: None,
                    query: query.take(),
                });
                i += n;
            }
        }
    }
    designate(tokens, &mut spans, tables);
    qualify(resolver, tokens, &mut spans);
    spans
}

/// Capitalised words after a place's name that make it an organisation's name.
const ORGANISATION_WORDS: [&str; 10] = [
    "now", "news", "times", "press", "post", "tv", "radio", "agency", "daily", "tribune",
];
/// Given names and titles before a surname that is also a place's name.
const GIVEN_NAMES: [&str; 30] = [
    "ajmal", "mohammad", "muhammad", "mohammed", "ahmad", "ahmed", "abdul", "hamid", "ashraf",
    "abdullah", "amrullah", "zalmay", "mirwais", "tareq", "tariq", "dawlat", "hasti", "gen", "maj",
    "col", "lt", "capt", "sgt", "mullah", "mulla", "maulvi", "mawlawi", "haji", "qari", "hafiz",
];

/// True when the name ending before token `end` is followed by an organisation word
/// (`Kabul Now`, `Ariana News`).
fn is_organisation(tokens: &[Token], end: usize, last: usize) -> bool {
    end < last
        && tokens[end].cap
        && tokens[end].joined
        && ORGANISATION_WORDS.contains(&tokens[end].fold.as_str())
}

/// True when a given name or a title comes right before token `i` (`Ajmal Kakar`, `Maj.
/// Gen.`, `Mullah Baradar`); names in `-ullah` are given names.
fn after_title(tokens: &[Token], i: usize, first: usize) -> bool {
    if i == first || !tokens[i - 1].cap {
        return false;
    }
    let w = tokens[i - 1].fold.as_str();
    GIVEN_NAMES.contains(&w) || w.ends_with("ullah") || w.ends_with("ulla")
}

/// True when tokens `from..to` go on a name with a particle and a capitalised part
/// (`-i-Barakzayi`, `-e-Sharif`, `wa Munjan`).
fn hyphen_name_goes_on(tokens: &[Token], from: usize, to: usize) -> bool {
    const PARTICLES: [&str; 6] = ["i", "e", "ye", "wa", "ul", "al"];
    to - from >= 2
        && !tokens[from].cap
        && PARTICLES.contains(&tokens[from].fold.as_str())
        && tokens[from + 1].cap
}

/// True when two or more capitalised words run straight into token `i` (a person's given
/// names before a surname), outside a title-case headline. Ordinary words are no given
/// names: German capitalises its nouns (`Der Bezirk Daulatabad`).
fn after_given_names(
    tokens: &[Token],
    i: usize,
    s: &Sentence,
    spans: &[Span],
    ordinary: &Ordinary,
) -> bool {
    let mut k = 0;
    while i > s.first + k
        && tokens[i - k].joined
        && tokens[i - k - 1].cap
        && !tokens[i - k - 1].digit
        && !ordinary.contains(&tokens[i - k - 1].fold)
        && spans.last().is_none_or(|p| p.last < i - k)
    {
        k += 1;
    }
    if k < 2 {
        return false;
    }
    let words: Vec<&Token> = tokens[s.first..s.last]
        .iter()
        .filter(|t| t.fold.len() > 3)
        .collect();
    let caps = words.iter().filter(|t| t.cap).count();
    caps * 5 < words.len() * 3
}

/// How many tokens from `i` may form one name: joined by spaces or hyphens, with only short
/// particles in lower case.
fn run_len(tokens: &[Token], i: usize, end: usize) -> usize {
    let mut n = 1;
    while n < MAX_WORDS && i + n < end {
        let t = &tokens[i + n];
        if !t.joined || t.digit || (!t.cap && t.fold.len() > MAX_PARTICLE) {
            break;
        }
        n += 1;
    }
    n
}

fn key_of(tokens: &[Token]) -> String {
    let mut key = String::new();
    for t in tokens {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&t.fold);
    }
    key
}

/// What fuzzy matching finds for a capitalised run the index does not know.
#[derive(Debug, Clone)]
struct FuzzyPlace {
    /// The best place.
    place: PlaceId,
    /// Its score.
    score: f64,
    /// Every place of the tie when the match is ambiguous (empty when it is matched).
    tied: Vec<PlaceId>,
}

/// The district, city, town or province fuzzy matching finds for a capitalised run the index
/// does not know, with its score (and the tied places of those kinds, when it is ambiguous);
/// the caller decides whether the score is enough.
fn fuzzy_place(keys: &Keys, key: &str) -> Option<FuzzyPlace> {
    let resolver = keys.resolver;
    // a cheap look at the nearest skeletons first: most capitalised words (people,
    // organisations) are nowhere near a place name, and need no full resolution
    if !keys.near(key, PREFILTER_SIMILARITY) {
        return None;
    }
    let r = resolver.resolve(key, &Options::default());
    let g = resolver.gazetteer();
    let wanted = |p: PlaceId| {
        matches!(
            g.place(p).kind,
            Kind::District | Kind::City | Kind::Town | Kind::Province
        )
    };
    let b = r.best.as_ref()?;
    match r.status {
        Status::Matched => wanted(b.place).then_some(FuzzyPlace {
            place: b.place,
            score: b.score,
            tied: Vec::new(),
        }),
        Status::Ambiguous => {
            let tied: Vec<PlaceId> = std::iter::once(b)
                .chain(&r.candidates)
                .filter(|c| c.score >= b.score - 1e-9)
                .map(|c| c.place)
                .filter(|&p| wanted(p))
                .collect();
            (!tied.is_empty()).then_some(FuzzyPlace {
                place: tied[0],
                score: b.score,
                tied,
            })
        }
        Status::Unmatched => None,
    }
}

/// Lower-case words after which a run's first word is tried alone: list words and the
/// words joining a place to its province.
const FIRST_ALONE: [&str; 12] = [
    "et", "and", "y", "und", "or", "ou", "oder", "e", "in", "en", "dans", "im",
];

/// Prepositions that put a place after them (`in`, `à`, `dans`, `bei`, `en`), folded.
const LOCATIVES: [&str; 10] = [
    "in", "at", "near", "a", "dans", "pres", "im", "bei", "nahe", "en",
];

/// The designators written before a name of the kinds `keep` keeps, compiled, with their
/// lengths in words and kinds.
fn compiled_designators(
    tables: &Tables,
    keep: impl Fn(Kind) -> bool,
) -> Vec<(Pattern, usize, Kind)> {
    tables
        .designators_before
        .iter()
        .filter(|(k, _)| keep(*k))
        .map(|(k, p)| (Pattern::new(p), p.split(' ').count(), *k))
        .collect()
}

/// True when the words `folds` before a run mark what follows as a place: a locative
/// preposition, or one of `designators` (not of provinces: `district de`, `the districts
/// of`), with `de`/`of` and `and` of a list between (`districts de Wardoug et de Raghistan`).
fn place_word_before(folds: &[&str], designators: &[(Pattern, usize, Kind)]) -> bool {
    let Some(&last) = folds.last() else {
        return false;
    };
    if LOCATIVES.contains(&last) {
        return true;
    }
    // skip back over "et de", "and", "y de", a listed name to find the designator
    let mut end = folds.len();
    for _ in 0..4 {
        let before = &folds[..end];
        if designators.iter().any(|(p, n, _)| {
            before.len() >= *n && p.match_at(before, before.len() - n) == Some(before.len())
        }) {
            return true;
        }
        match before.last() {
            Some(w) if ["et", "and", "und", "y", "de", "d", "of", "the", "von"].contains(w) => {
                end -= 1
            }
            _ => return false,
        }
    }
    false
}

/// Words joining a place to the area it lies in: "Pul-e-Khumri in Baghlan".
const QUALIFIER_LINKS: [&str; 3] = ["in", "dans", "en"];

/// A name right after another place and "in" that is a province's name is that province
/// ("near Pul-e-Khumri in Baghlan"), not the town of the same name.
fn qualify(resolver: &Resolver, tokens: &[Token], spans: &mut [Span]) {
    let g = resolver.gazetteer();
    for k in 1..spans.len() {
        let (a, b) = (&spans[k - 1], &spans[k]);
        if b.designator.is_some()
            || b.first != a.last + 1
            || !QUALIFIER_LINKS.contains(&tokens[a.last].fold.as_str())
        {
            continue;
        }
        let key = key_of(&tokens[b.first..b.last]);
        // by its fold or as a romanization variant (`Urozgan` for Uruzgan)
        let province = resolver
            .places_named(&key, false)
            .chain(resolver.places_named(&key, true))
            .any(|(place, _)| g.place(place).kind == Kind::Province);
        if province {
            spans[k].designator = Some(Kind::Province);
        }
    }
}

/// The skeleton lookups of one article's runs, each key's skeleton computed once (a run is
/// looked up by skeleton, its words are compared with the nearest names, then the run is):
/// the same answers as [`Resolver::places_named`] and the fuzzy index would give each time.
struct Keys<'r> {
    resolver: &'r Resolver,
    skeletons: RefCell<HashMap<String, Rc<str>>>,
    /// The best Jaro-Winkler similarity of a key's skeleton to the skeletons of the
    /// [`PREFILTER_KEYS`] names the fuzzy index offers first for it.
    nearest: RefCell<HashMap<String, f64>>,
}

impl<'r> Keys<'r> {
    fn new(resolver: &'r Resolver) -> Keys<'r> {
        Keys {
            resolver,
            skeletons: RefCell::default(),
            nearest: RefCell::default(),
        }
    }

    fn skeleton(&self, key: &str) -> Rc<str> {
        if let Some(s) = self.skeletons.borrow().get(key) {
            return s.clone();
        }
        let s: Rc<str> = crate::normalize::skeleton_of_folded(key).into();
        self.skeletons
            .borrow_mut()
            .insert(key.to_string(), s.clone());
        s
    }

    /// The places with a name whose skeleton is the folded `key`'s, and whether each is the
    /// whole name (not a part of a compound one).
    fn by_skeleton(&self, key: &str) -> Vec<(PlaceId, bool)> {
        let index = self.resolver.index();
        index
            .by_skeleton(&self.skeleton(key))
            .iter()
            .map(|&id| {
                let name = index.name(id);
                (name.place, name.form != crate::index::NameForm::Part)
            })
            .collect()
    }

    /// True when a gazetteer name's skeleton is at least `similarity` (Jaro-Winkler) like
    /// the skeleton of the folded `key`.
    fn near(&self, key: &str, similarity: f64) -> bool {
        if let Some(&best) = self.nearest.borrow().get(key) {
            return best >= similarity;
        }
        let skeleton = self.skeleton(key);
        let index = self.resolver.index();
        let best = index
            .fuzzy(&skeleton, PREFILTER_KEYS)
            .into_iter()
            .map(|n| strsim::jaro_winkler(&skeleton, index.name(n).skeleton))
            .fold(f64::NEG_INFINITY, f64::max);
        self.nearest.borrow_mut().insert(key.to_string(), best);
        best >= similarity
    }
}

/// Sets each span's designator from the words before or after it, shared along a list
/// (`the districts of Khinjan, Nahrin and Burka`).
fn designate(tokens: &[Token], spans: &mut [Span], tables: &Tables) {
    let folds: Vec<&str> = tokens.iter().map(|t| t.fold.as_str()).collect();
    let before = compiled_designators(tables, |_| true);
    let after: Vec<(Pattern, Kind)> = tables
        .designators_after
        .iter()
        .map(|(k, p)| (Pattern::new(p), *k))
        .collect();
    // a plural designator after a list ("Kofab and Argo districts") is the whole list's; a
    // singular one is only its own name's ("in Laghman, Nijrab district in Kapisa")
    let plural = |at: usize| {
        let w = folds[at];
        tables
            .designators_after
            .iter()
            .any(|(_, p)| w.len() > p.len() && w.starts_with(p))
    };
    let mut spreads_back = vec![false; spans.len()];
    for (k, s) in spans.iter_mut().enumerate() {
        for (p, n, kind) in &before {
            if s.first >= *n && p.match_at(&folds, s.first - n) == Some(s.first) {
                s.designator = Some(*kind);
            }
        }
        if s.designator.is_none() {
            if let Some((_, kind)) = after
                .iter()
                .find(|(p, _)| p.match_at(&folds, s.last).is_some())
            {
                s.designator = Some(*kind);
                spreads_back[k] = plural(s.last);
                // "a key Kandahar district", "another Helmand district": a district of
                // that province, not the district of that name
                let indefinite = folds[s.first.saturating_sub(2)..s.first]
                    .iter()
                    .any(|w| ["a", "an", "another"].contains(w));
                if *kind == Kind::District && !spreads_back[k] && indefinite {
                    s.designator = Some(Kind::Province);
                }
            }
        }
    }
    const LINKS: [&str; 6] = ["and", "et", "or", "ou", "as", "well"];
    let listed = |a: &Span, b: &Span| {
        b.first >= a.last
            && b.first - a.last <= 2
            && (a.last..b.first).all(|k| LINKS.contains(&folds[k]))
    };
    for k in 1..spans.len() {
        if spans[k].designator.is_none() && listed(&spans[k - 1], &spans[k]) {
            spans[k].designator = spans[k - 1].designator;
        }
    }
    for k in (0..spans.len().saturating_sub(1)).rev() {
        if spans[k].designator.is_none() && spreads_back[k + 1] && listed(&spans[k], &spans[k + 1])
        {
            spans[k].designator = spans[k + 1].designator;
            spreads_back[k] = true;
        }
    }
    // one sense per article: a name the text once calls a city (or district, town,
    // village) keeps that kind where it stands alone; a province designator does not
    // spread, as "Kunduz province" and "Kunduz" are usually two places
    let mut kinds: HashMap<String, Kind> = HashMap::default();
    for s in spans.iter() {
        if let Some(k) = s
            .designator
            .filter(|k| *k != Kind::Province && *k != Kind::Country)
        {
            kinds.entry(key_of(&tokens[s.first..s.last])).or_insert(k);
        }
    }
    for s in spans.iter_mut().filter(|s| s.designator.is_none()) {
        s.designator = kinds.get(&key_of(&tokens[s.first..s.last])).copied();
    }
}
