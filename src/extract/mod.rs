//! `extract`: article text → place mentions with byte offsets → mentions resolved in the
//! article's context → dated district events, one per place per event, in text order.
//!
//! ```
//! use gazmap::extract::{extract, Config};
//! use gazmap::{Gazetteer, Resolver};
//! let resolver = Resolver::new(Gazetteer::embedded()?)?;
//! let text = "date: 2021-07-06\nLes talibans se sont emparés hier du district de Khinjan.";
//! let x = extract(&resolver, text.as_bytes(), "article.txt", &Config::default())?;
//! let e = &x.events[0];
//! assert_eq!((e.place.as_str(), e.event.as_str()), ("Khinjan", "captured"));
//! assert_eq!(e.date.unwrap().to_string(), "2021-07-05");
//! # Ok::<(), gazmap::Error>(())
//! ```

pub mod dates;
pub mod events;
pub mod lang;
pub mod mentions;
pub mod text;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::io::Write;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::gazetteer::{Gazetteer, Kind, PlaceId};
use crate::resolve::{Context, Options, Resolution, Resolver, Status};

pub use dates::DateValue;
pub use events::Certainty;
pub use lang::{EventType, Tables};
pub use mentions::Found;

/// The columns of the events CSV `extract` writes, in order (the time columns, as the layers
/// have them, then `against`, come last so the earlier columns keep their positions).
pub const EVENTS_HEADER: [&str; 20] = [
    "date",
    "place",
    "event",
    "actor",
    "certainty",
    "confidence",
    "place_id",
    "place_name",
    "kind",
    "admin1",
    "admin2",
    "source",
    "start",
    "end",
    "sentence",
    "date_start",
    "date_end",
    "time_precision",
    "time_precision_code",
    "against",
];

/// The longest article `gazmap extract` reads (memory grows about 27 times the article).
pub const MAX_ARTICLE_BYTES: u64 = 24 << 20;

/// Settings of one extraction.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Language code (`en`, `fr`); `None` detects it.
    pub lang: Option<String>,
    /// Article date; `None` reads a first line `date: YYYY-MM-DD`.
    pub date: Option<DateValue>,
    /// Resolution options (threshold, filters).
    pub options: Options,
}

/// What a mention is to the article: the place of an event, or a place named for another
/// reason. Only [`Role::Event`] mentions have rows in the events CSV; every mention is in the
/// mentions file (`--mentions`) with its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The place of at least one event row.
    Event,
    /// Named without an event.
    Named,
    /// A reference point: where another place lies ("120 km west of Herat", "north of
    /// Kabul", "à 150 km de Kaboul", "nördlich von Kundus").
    Reference,
    /// A province or country that is the context of the places named in it.
    Context,
    /// Where the report was filed (`KABUL (Reuters) -`).
    Dateline,
    /// Part of a facility's name (`Bagram Air Base`).
    Facility,
    /// The place an event spared ("all districts have fallen except Taluqan").
    Excepted,
}

impl Role {
    /// The spelling of the mentions file's `role` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Event => "event",
            Role::Named => "named",
            Role::Reference => "reference",
            Role::Context => "context",
            Role::Dateline => "dateline",
            Role::Facility => "facility",
            Role::Excepted => "excepted",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place mention in the text, resolved.
#[derive(Debug, Clone)]
pub struct Mention {
    /// Byte offset of the mention in the source.
    pub start: usize,
    /// Byte offset after the mention.
    pub end: usize,
    /// The mention as written.
    pub text: String,
    /// How it was found.
    pub found: Found,
    /// The kind its designator names, if any.
    pub designator: Option<Kind>,
    /// The resolution in the article's context (one name's mentions and event rows share
    /// it).
    pub resolution: Arc<Resolution>,
    /// Which context decided it: `name`, `designator: district`, `context: Kunduz named
    /// in the text`, `ambiguous` or `unmatched`.
    pub decided_by: String,
    /// Index of its sentence.
    pub sentence: usize,
    /// What it is to the article: an event's place, a reference point, context, ….
    pub role: Role,
}

impl Mention {
    /// The place chosen, when the mention is matched.
    pub fn place(&self) -> Option<PlaceId> {
        match self.resolution.status {
            Status::Matched => self.resolution.best.as_ref().map(|b| b.place),
            _ => None,
        }
    }
}

/// One event at one place, a row of the events CSV.
#[derive(Debug, Clone)]
pub struct Event {
    /// When, at day, month or year precision; `None` when the article has no date.
    pub date: Option<DateValue>,
    /// The place as written.
    pub place: String,
    /// What happened.
    pub event: EventType,
    /// Who did it (a label from the actor table), empty when not said.
    pub actor: &'static str,
    /// The side it was taken from (or attacked, fought), a label from the actor table: the
    /// one the clause names ("retaken from the Taliban"), else the nearest of the other side
    /// than the actor the article names; empty when the text names none.
    pub against: &'static str,
    /// Reported, disputed or denied.
    pub certainty: Certainty,
    /// The resolution score of the place (for an ambiguous place, divided among the tied
    /// places).
    pub confidence: f64,
    /// The article (path as given, or `<stdin>`).
    pub source: String,
    /// Byte offset of the mention in the source.
    pub start: usize,
    /// Byte offset after the mention.
    pub end: usize,
    /// The sentence, white space collapsed.
    pub sentence: String,
    /// The place resolved (shared with its mention); its status says whether `place_*`
    /// columns are filled.
    pub resolution: Arc<Resolution>,
}

impl Event {
    /// The CSV record in [`EVENTS_HEADER`] order.
    pub fn record(&self, g: &Gazetteer) -> Vec<String> {
        let place = match self.resolution.status {
            Status::Matched => self.resolution.best.as_ref().map(|b| g.place(b.place)),
            _ => None,
        };
        let [place_id, place_name, kind, admin1, admin2] = {
            use crate::gazetteer::PlaceColumn::*;
            crate::gazetteer::place_values([Id, Name, Kind, Admin1, Admin2], place.as_ref(), None)
        };
        let date = self.date.map(|d| d.to_string()).unwrap_or_default();
        let time = crate::time::time_span(&date).ok().flatten();
        let time_field =
            |f: fn(&crate::time::TimeSpan) -> String| time.as_ref().map(f).unwrap_or_default();
        vec![
            date,
            self.place.clone(),
            self.event.as_str().to_string(),
            self.actor.to_string(),
            self.certainty.as_str().to_string(),
            format!("{:.3}", self.confidence),
            place_id,
            place_name,
            kind,
            admin1,
            admin2,
            self.source.clone(),
            self.start.to_string(),
            self.end.to_string(),
            self.sentence.clone(),
            time_field(|t| t.start.to_string()),
            time_field(|t| t.end.to_string()),
            time_field(|t| t.precision.as_str().to_string()),
            time_field(|t| t.precision.acled_code().to_string()),
            self.against.to_string(),
        ]
    }
}

/// The result of extracting one article.
#[derive(Debug, Clone)]
pub struct Extraction {
    /// The article.
    pub source: String,
    /// The language used.
    pub lang: &'static str,
    /// The article date.
    pub date: Option<DateValue>,
    /// Every place mention, in text order.
    pub mentions: Vec<Mention>,
    /// The events, in text order.
    pub events: Vec<Event>,
}

impl Extraction {
    /// Mentions of provinces and countries: they are the context, not events.
    pub fn context_mentions(&self, g: &Gazetteer) -> usize {
        self.mentions
            .iter()
            .filter_map(Mention::place)
            .filter(|&p| !is_event_place(g.place(p).kind))
            .count()
    }
}

fn is_event_place(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::District | Kind::City | Kind::Town | Kind::Village | Kind::Other
    )
}

/// Checks that `bytes` are a text article: not empty, not binary, UTF-8.
pub fn decode<'a>(bytes: &'a [u8], source: &str) -> Result<&'a str> {
    let position = |offset: usize| {
        let before = &bytes[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let col = offset
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        (line, col)
    };
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let (line, col) = position(nul);
        return Err(Error::parse(
            source,
            line,
            Some(col.to_string()),
            "binary file (NUL byte), expected a plain-text article",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, col) = position(e.valid_up_to());
        Error::parse(
            source,
            line,
            Some(col.to_string()),
            format!(
                "not UTF-8 text (byte 0x{:02x}); convert the article to UTF-8",
                bytes[e.valid_up_to()]
            ),
        )
    })?;
    Ok(text)
}

/// Splits off a first line `date: YYYY-MM-DD` (or `YYYY-MM`, `YYYY`): the date and the
/// byte offset where the body starts.
pub fn date_line(text: &str, source: &str) -> Result<(Option<DateValue>, usize)> {
    let first = text.lines().next().unwrap_or("");
    let Some((key, value)) = first.split_once(':') else {
        return Ok((None, 0));
    };
    if !key.trim().eq_ignore_ascii_case("date") {
        return Ok((None, 0));
    }
    let col = key.len() + 2 + (value.len() - value.trim_start().len());
    let date = DateValue::parse(value).ok_or_else(|| {
        Error::parse(
            source,
            1,
            Some(col.to_string()),
            format!(
                "date {:?}: expected YYYY-MM-DD, YYYY-MM or YYYY",
                value.trim().chars().take(40).collect::<String>()
            ),
        )
    })?;
    let body = text.find('\n').map_or(text.len(), |p| p + 1);
    Ok((Some(date), body))
}

/// Detects the language from the tables' function words; the first language wins ties.
pub fn detect_language(tokens: &[text::Token]) -> &'static Tables {
    let mut best = (0usize, lang::LANGUAGES[0]);
    for t in lang::LANGUAGES {
        let words: HashSet<&str> = t.function_words.iter().copied().collect();
        let n = tokens
            .iter()
            .filter(|k| words.contains(k.fold.as_str()))
            .count();
        if n > best.0 {
            best = (n, t);
        }
    }
    best.1
}

/// Extracts the place mentions and events of one article given as bytes. Line ends may be
/// `\n`, `\r\n` or `\r`: the text is read as if they were `\n`, offsets count in `bytes`.
pub fn extract(
    resolver: &Resolver,
    bytes: &[u8],
    source: &str,
    config: &Config,
) -> Result<Extraction> {
    let text = decode(bytes, source)?;
    if !text.contains('\r') {
        return extract_text(resolver, text, source, config);
    }
    let (text, removed) = unify_line_ends(text);
    let mut x = extract_text(resolver, &text, source, config)?;
    let original = |n: usize| n + removed.partition_point(|&r| r < n);
    for m in &mut x.mentions {
        (m.start, m.end) = (original(m.start), original(m.end));
    }
    for e in &mut x.events {
        (e.start, e.end) = (original(e.start), original(e.end));
    }
    Ok(x)
}

/// `text` with `\r\n` and lone `\r` made `\n`, and the offsets (in the result) of the
/// `\n`s that stood after a removed `\r`.
pub fn unify_line_ends(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut removed = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        if rest[i + 1..].starts_with('\n') {
            removed.push(out.len());
        } else {
            out.push('\n');
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    (out, removed)
}

fn extract_text(
    resolver: &Resolver,
    text: &str,
    source: &str,
    config: &Config,
) -> Result<Extraction> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &text[bom..];
    let (line_date, body_at) = date_line(text, source)?;
    let base = bom + body_at;
    let body = &text[body_at..];
    if body.trim().is_empty() {
        return Err(Error::Invalid(format!(
            "{source}: empty article, no text to read"
        )));
    }
    let date = config.date.or(line_date);
    let tokens = text::tokenize(body, base);
    if tokens.is_empty() {
        return Err(Error::Invalid(format!("{source}: no words in the article")));
    }
    let tables = match &config.lang {
        Some(code) => lang::tables(code).ok_or_else(|| {
            let known: Vec<&str> = lang::LANGUAGES.iter().map(|t| t.code).collect();
            Error::Invalid(format!(
                "language {code:?} unknown; known: {}",
                known.join(", ")
            ))
        })?,
        None => detect_language(&tokens),
    };
    let sentences = text::sentences(body, base, &tokens, tables);
    let ordinary = mentions::Ordinary::new();
    let spans = mentions::find(resolver, &tokens, &sentences, tables, &ordinary);
    let slice = |s: usize, e: usize| &body[s - base..e - base];
    let sentence_of = |t: usize| sentences.partition_point(|s| s.last <= t);

    // pass 1: each mention alone (with its designator), to learn which areas the text names
    let g = resolver.gazetteer();
    // one name with one designator resolves the same way throughout the article
    // (shared, not copied: the mentions and events of a name hold the same resolution)
    let mut cache: HashMap<(&str, Option<Kind>), Arc<Resolution>> = HashMap::default();
    let first_pass: Vec<Arc<Resolution>> = spans
        .iter()
        .map(|s| {
            let name = s
                .query
                .as_deref()
                .unwrap_or_else(|| slice(tokens[s.first].start, tokens[s.last - 1].end));
            cache
                .entry((name, s.designator))
                .or_insert_with(|| {
                    let ctx = Context {
                        favoured: vec![],
                        kind: s.designator,
                    };
                    Arc::new(resolver.resolve_in_context(name, &config.options, &ctx))
                })
                .clone()
        })
        .collect();
    let mut favoured: Vec<(PlaceId, String)> = Vec::new();
    for r in &first_pass {
        let Some(best) = &r.best else { continue };
        for c in std::iter::once(best).chain(&r.candidates) {
            let p = g.place(c.place);
            let area = matches!(p.kind, Kind::Province | Kind::Country);
            if area && c.score >= best.score - 0.05 && !favoured.iter().any(|f| f.0 == c.place) {
                favoured.push((c.place, p.name.to_string()));
            }
        }
    }
    // the resolver gives one context bonus per candidate: a named country would give its
    // places the same bonus as a named province gives its own, so countries count only
    // when the text names no province inside them
    let provinces: Vec<PlaceId> = favoured
        .iter()
        .map(|f| f.0)
        .filter(|&p| g.place(p).kind == Kind::Province)
        .collect();
    favoured.retain(|(p, _)| {
        g.place(*p).kind != Kind::Country || !provinces.iter().any(|&q| g.is_within(q, *p))
    });
    // pass 2: in the context of those areas
    let mut mentions = Vec::with_capacity(spans.len());
    cache.clear();
    for (s, r0) in spans.iter().zip(first_pass) {
        let (start, end) = (tokens[s.first].start, tokens[s.last - 1].end);
        let name = slice(start, end);
        let query = s.query.as_deref().unwrap_or(name);
        let r = cache
            .entry((query, s.designator))
            .or_insert_with(|| {
                let ctx = Context {
                    favoured: favoured.clone(),
                    kind: s.designator,
                };
                let r = resolver.resolve_in_context(query, &config.options, &ctx);
                Arc::new(match s.designator {
                    None => city_over_district(g, r),
                    Some(Kind::District) => {
                        district_as_designated(resolver, query, config, &ctx, r)
                    }
                    Some(_) => r,
                })
            })
            .clone();
        let decided_by = decision(g, &r0, &r, &favoured, s.designator);
        mentions.push(Mention {
            start,
            end,
            text: name.to_string(),
            found: s.found,
            designator: s.designator,
            resolution: r,
            decided_by,
            sentence: sentence_of(s.first),
            role: Role::Named,
        });
    }

    let folds: Vec<&str> = tokens.iter().map(|t| t.fold.as_str()).collect();
    local_context(g, &folds, &spans, &mut mentions);
    let cues = events::Cues::new(tables);
    let relative = dates::relative_patterns(tables);
    let mut out: Vec<Event> = Vec::new();
    let mut seen: HashSet<(usize, String, EventType)> = HashSet::default();
    let mut m = 0;
    // each sentence's cues are read when the loop below reaches it; only the actors named
    // are kept for the whole article
    let scan = |s: &text::Sentence| {
        let a = spans.partition_point(|p| p.first < s.first);
        let b = spans.partition_point(|p| p.first < s.last);
        cues.scan(&folds, s)
            .with_places(spans[a..b].iter().map(|p| p.first).collect())
    };
    let mut actors_named: Vec<(usize, &'static str)> = Vec::new();
    // (sentence, cue token, event, actor) of each event cue whose clause names who acted
    let mut agents: Vec<(usize, usize, EventType, &'static str)> = Vec::new();
    let anaphora: Vec<lang::Pattern> = ANAPHORA.iter().map(|p| lang::Pattern::new(p)).collect();
    let definite: Vec<(lang::Pattern, Kind)> = DEFINITE
        .iter()
        .map(|(k, p)| (lang::Pattern::new(p), *k))
        .collect();
    let contest: Vec<lang::Pattern> = CONTEST.iter().map(|p| lang::Pattern::new(p)).collect();
    let references: Vec<(lang::Pattern, usize)> = tables
        .reference_before
        .iter()
        .map(|p| (lang::Pattern::new(p), p.split(' ').count()))
        .collect();
    let part_words = part_words(tables);
    let district_words: HashSet<&str> = tables
        .designators_before
        .iter()
        .chain(tables.designators_after)
        .filter(|(k, _)| *k == Kind::District)
        .filter_map(|(_, p)| p.split(' ').next())
        .collect();
    let token_of = |byte: usize| tokens.partition_point(|t| t.start < byte);
    // the last sentence that named places, and where its rows start
    let (mut last_named, mut last_rows) = (usize::MAX, 0);
    // why a mention has no event row, where it has none
    let mut roles = vec![Role::Named; mentions.len()];
    // (start, event) of the rows whose sentence gave them no date
    let mut undated: HashSet<(usize, EventType)> = HashSet::default();
    for (k, s) in sentences.iter().enumerate() {
        let here: Vec<(usize, &mentions::Span)> = (m..mentions.len())
            .take_while(|&i| mentions[i].sentence == k)
            .map(|i| (i, &spans[i]))
            .collect();
        let in_sentence = &mentions[m..m + here.len()];
        m += here.len();
        let sc = &scan(s);
        actors_named.extend(sc.actors().iter().map(|a| (a.first, a.value)));
        agents.extend(
            sc.agents(s)
                .into_iter()
                .map(|(at, event, actor)| (k, at, event, actor)),
        );
        if here.is_empty() {
            // "The districts include Kofab, Argo … They all fell to the Taliban": the event
            // of a sentence opening with a plural pronoun is that of the places the
            // sentence before named without one
            let opens = anaphora
                .iter()
                .any(|p| p.match_at(&folds, s.first).is_some());
            if opens && k > 0 && last_named == k - 1 {
                let tag = events::tag(s, sc, s.first, s.first + 1);
                if tag.event != EventType::Other {
                    let found_dates = dates::find_dates_in(
                        &tokens, &folds, s.first, s.last, tables, &relative, date,
                    );
                    let (a, _) = tag.cue.unwrap_or((s.first, s.first + 1));
                    let when = found_dates
                        .iter()
                        .min_by_key(|d| d.first.abs_diff(a))
                        .map(|d| d.value);
                    for e in out[last_rows..]
                        .iter_mut()
                        .filter(|e| e.event == EventType::Other)
                    {
                        e.event = tag.event;
                        e.actor = tag.actor;
                        e.against = tag.against;
                        e.certainty = tag.certainty;
                        if let Some(w) = when {
                            e.date = Some(w);
                        }
                    }
                }
            } else if let Some((first, last, kind)) = definite_place(&definite, &folds, s) {
                // "… fell the district of Khanabad. The Taliban attacked the district from
                // several directions": a definite "the district" ("die Stadt", "el
                // distrito") with an event is the district (city) named last, in the two
                // sentences before
                let tag = events::tag(s, sc, first, last);
                // the latest name that may be of that kind; an ambiguous one is no antecedent
                // and hides the ones before it
                let fits = |p: PlaceId| match kind {
                    Kind::City => matches!(g.place(p).kind, Kind::City | Kind::Town),
                    other => g.place(p).kind == other,
                };
                let antecedent = mentions[..m]
                    .iter()
                    .rev()
                    .take_while(|x| x.sentence + 2 >= k)
                    .find(|x| {
                        let r = &x.resolution;
                        r.best.iter().chain(&r.candidates).any(|c| fits(c.place))
                    })
                    .filter(|x| x.place().is_some_and(fits));
                // "an operation to retake the district" is no retaking
                let attempt = tag.cue.is_some_and(|(a, _)| is_attempt(&folds, s.first, a));
                if let (false, Some(x)) = (tag.event == EventType::Other || attempt, antecedent) {
                    let place = x.place().map(|p| g.place(p).id.to_string());
                    let key = place.unwrap_or_else(|| x.text.clone());
                    if seen.insert((k, key.clone(), tag.event)) {
                        let found_dates = dates::find_dates_in(
                            &tokens, &folds, s.first, s.last, tables, &relative, date,
                        );
                        let (a, _) = tag.cue.unwrap_or((first, last));
                        let when = found_dates
                            .iter()
                            .filter(|d| d.first.abs_diff(a) <= DATE_REACH)
                            .min_by_key(|d| d.first.abs_diff(a))
                            .map(|d| d.value)
                            .or(date);
                        let sentence = collapse(slice(
                            tokens[s.first].start,
                            sentence_end(body, base, &tokens, s),
                        ));
                        out.push(Event {
                            date: when,
                            place: x.text.clone(),
                            event: tag.event,
                            actor: tag.actor,
                            against: tag.against,
                            certainty: tag.certainty,
                            confidence: x.resolution.best.as_ref().map_or(0.0, |b| b.score),
                            source: source.to_string(),
                            start: x.start,
                            end: x.end,
                            sentence,
                            resolution: x.resolution.clone(),
                        });
                        // "… had seized the district after several days of heavy gun
                        // battle": the fighting it came after is a second row, as for a name
                        // "The city was captured by Taliban last year … but was retaken
                        // shortly afterwards": a later clause with an event and no place goes
                        // on about the same place
                        let template = out[out.len() - 1].clone();
                        for c in s.clause_of(first) + 1..s.clauses.len() {
                            let (lo, hi) = s.clause_range(c);
                            let later = sc.event_cues().find(|h| {
                                lo <= h.first && h.first < hi && h.value != EventType::Other
                            });
                            let Some(h) = later else { continue };
                            let since = ["since", "depuis", "seit", "seitdem", "desde"]
                                .contains(&folds[lo]);
                            if since || is_attempt(&folds, s.first, h.first) {
                                continue;
                            }
                            let t = events::tag(s, sc, h.first, h.last);
                            if t.event == EventType::Other
                                || !seen.insert((k, key.clone(), t.event))
                            {
                                continue;
                            }
                            let mut row = template.clone();
                            row.event = t.event;
                            row.actor = t.actor;
                            row.against = t.against;
                            row.certainty = t.certainty;
                            row.date = found_dates
                                .iter()
                                .filter(|d| lo <= d.first && d.first < hi)
                                .min_by_key(|d| d.first.abs_diff(h.first))
                                .map(|d| d.value)
                                .or(date);
                            out.push(row);
                        }
                        if tag.after_fighting && seen.insert((k, key, tag.after_event)) {
                            let mut fighting = template;
                            fighting.event = tag.after_event;
                            fighting.certainty = Certainty::Reported;
                            fighting.date = found_dates
                                .iter()
                                .find(|d| {
                                    tag.background
                                        .is_some_and(|(x, y)| x <= d.first && d.first < y)
                                })
                                .map_or(when, |d| Some(d.value));
                            out.push(fighting);
                        }
                    }
                }
            }
            continue;
        }
        let named_before = last_named;
        last_named = k;
        last_rows = out.len();
        let sentence_rows = out.len();
        let first_here = here.first().map(|&(i, _)| i);
        let found_dates =
            dates::find_dates_in(&tokens, &folds, s.first, s.last, tables, &relative, date);
        let sentence = collapse(slice(
            tokens[s.first].start,
            sentence_end(body, base, &tokens, s),
        ));
        for (i, span) in here {
            let mention = &mentions[i];
            let r = &mention.resolution;
            // a reference point ("north of Kabul") and a place an event spared ("except
            // Taluqan") are mentions, not event places
            if is_reference(&references, &folds, span.first) {
                roles[i] = Role::Reference;
                continue;
            }
            if is_excepted(&folds, span.first) {
                roles[i] = Role::Excepted;
                continue;
            }
            let after = &body[(mention.end - base).min(body.len())..];
            if is_dateline(&mention.text, span.first, s, after) {
                roles[i] = Role::Dateline;
                continue;
            }
            let Some(best) = &r.best else { continue };
            let kind = g.place(best.place).kind;
            let province = r.status == Status::Matched && kind == Kind::Province;
            if r.status == Status::Matched && !is_event_place(kind) && !province {
                roles[i] = Role::Context;
                continue;
            }
            // a province is the context of the places named in it, and the object of an
            // event only where its sentence names none of them nor an unnamed part of it
            // ("a district of Kunduz province"); so is a name that is also a province's
            // ("In Ghazni, the Taliban captured Qarabagh") when it has no designator
            let province_sense = if province {
                Some(best.place)
            } else if mention.designator.is_none()
                || (mention.designator == Some(Kind::City)
                    && (part_before(&part_words, &folds, span.first)
                        || office_of(&folds, span.first, span.last)))
            {
                // "a key district in its former bastion of Kandahar": after an unnamed part
                // and "of" or "in", a capital's name is its province's, and so it is before
                // "provincial council" where the article calls it a city elsewhere
                let after_a_part = part_before(&part_words, &folds, span.first)
                    || office_of(&folds, span.first, span.last);
                r.candidates
                    .iter()
                    .filter(|c| after_a_part || c.score >= best.score - 1e-9)
                    .find(|c| g.place(c.place).kind == Kind::Province)
                    .map(|c| c.place)
            } else {
                None
            };
            let context = province_sense.is_some_and(|area| {
                office_of(&folds, span.first, span.last)
                    || (i > 0
                        && mentions[i - 1].sentence == k
                        && qualifies_the_place_before(&folds, &spans[..i], span))
                    || names_a_part(&part_words, &folds, s)
                    || in_sentence
                        .iter()
                        .filter(|o| o.start != mention.start)
                        .filter_map(Mention::place)
                        .any(|p| {
                            p != best.place
                                && g.is_within(p, area)
                                && (area == best.place || !g.is_within(p, best.place))
                        })
            });
            if context {
                roles[i] = Role::Context;
                continue;
            }
            if is_facility(&folds, span.first, span.last) {
                roles[i] = Role::Facility;
                continue;
            }
            let mut tag = events::tag(s, sc, span.first, span.last);
            // "anti-Taliban fighters seized Pul-e-Hisar": the resistance takes back
            if tag.event == EventType::Captured && tag.actor == "resistance" {
                tag.event = EventType::Retaken;
                if tag.against.is_empty() {
                    tag.against = "Taliban";
                }
            }
            if province && tag.event == EventType::Other {
                roles[i] = Role::Context;
                continue;
            }
            let clause = s.clause_range(s.clause_of(span.first));
            // the date nearest the clause's verb (the event cue), else the mention or another
            // verb of the same event in the clause ("se sont emparés de Taloqan, …, tombée
            // ce dimanche"); a date far from all belongs to another clause ("since they
            // launched … in May"), and a date in the fighting the event came after dates
            // that fighting ("after fierce overnight fighting …, the Taliban took over")
            let (a, b) = tag.cue.unwrap_or((span.first, span.last));
            let same_event: Vec<(usize, usize)> = sc
                .event_cues()
                .filter(|h| h.value == tag.event && clause.0 <= h.first && h.first < clause.1)
                .map(|h| (h.first, h.last))
                .collect();
            let near = |d: &&dates::DateMention| {
                let dist = |(a, b): (usize, usize)| {
                    if d.last <= a {
                        a - d.last
                    } else {
                        d.first.saturating_sub(b)
                    }
                };
                let other_verb = same_event.iter().map(|&c| dist(c) + 1).min();
                dist((a, b))
                    .min(dist((span.first, span.last)) + 1)
                    .min(other_verb.unwrap_or(usize::MAX))
            };
            let in_background = |d: &dates::DateMention| {
                tag.background
                    .is_some_and(|(x, y)| x <= d.first && d.first < y)
            };
            let when = found_dates
                .iter()
                .filter(|d| !in_background(d))
                .filter(|d| near(d) <= DATE_REACH)
                .filter(|d| clause.0 <= d.first && d.first < clause.1)
                .min_by_key(near)
                .or_else(|| {
                    found_dates
                        .iter()
                        .filter(|d| !in_background(d))
                        .filter(|d| near(d) <= DATE_REACH)
                        .min_by_key(near)
                })
                .map(|d| d.value);
            if when.is_none() {
                undated.insert((mention.start, tag.event));
            }
            let when = when.or(date);
            let fighting_date = found_dates
                .iter()
                .find(|d| in_background(d))
                .map(|d| d.value)
                .or(when);
            let key = match r.status {
                Status::Matched => g.place(best.place).id.to_string(),
                _ => mention.text.clone(),
            };
            // one row per place per event; a place with an event in the sentence gets no
            // extra `other` row from a second mention
            if !seen.insert((k, key.clone(), tag.event)) {
                continue;
            }
            if tag.event == EventType::Other
                && EventType::ALL
                    .iter()
                    .any(|t| *t != EventType::Other && seen.contains(&(k, key.clone(), *t)))
            {
                continue;
            }
            if tag.event != EventType::Other {
                if let Some(i) = out[sentence_rows..].iter().rposition(|e: &Event| {
                    e.event == EventType::Other
                        && e.resolution.best.as_ref().map(|b| g.place(b.place).id)
                            == Some(key.as_str())
                }) {
                    out.remove(sentence_rows + i);
                }
            }
            let confidence = match r.status {
                Status::Matched => best.score,
                _ => best.score / (1 + r.candidates.len()) as f64,
            };
            out.push(Event {
                date: when,
                place: mention.text.clone(),
                event: tag.event,
                actor: tag.actor,
                against: tag.against,
                certainty: tag.certainty,
                confidence,
                source: source.to_string(),
                start: mention.start,
                end: mention.end,
                sentence: sentence.clone(),
                resolution: r.clone(),
            });
            if tag.after_fighting && seen.insert((k, key.clone(), tag.after_event)) {
                // the side that took the place fought for it: the fighting row keeps the
                // sides of its event
                let mut fighting = out[out.len() - 1].clone();
                fighting.event = tag.after_event;
                fighting.certainty = Certainty::Reported;
                fighting.date = fighting_date;
                out.push(fighting);
            }
            // "militants had surrounded and attacked the Kohistanat district HQ": event cues
            // joined by "and" to the mention's are its events too
            let template = out[out.len() - 1].clone();
            let joined = tag.cue.map(|c| coordinated(sc, &folds, c));
            for (a, b, event) in joined.unwrap_or_default() {
                // side by side, the cues tie in distance: the event is the cue's own
                let t = events::tag(s, sc, a, b);
                if event == EventType::Other || !seen.insert((k, key.clone(), event)) {
                    continue;
                }
                let mut row = template.clone();
                row.event = event;
                row.actor = t.actor;
                row.against = t.against;
                row.certainty = t.certainty;
                out.push(row);
            }
        }
        // "Government forces recaptured a district in eastern Afghanistan that was overrun by
        // the Taliban …, officials said. Jani Khel, a district in the mountainous province of
        // Paktia, …": a sentence opening with a name and ", a district" names the unnamed
        // district whose events the sentence before, which named no place, gave
        let opener = first_here.filter(|&i| {
            let p = &spans[i];
            let comma = p.last < s.last
                && body[tokens[p.last - 1].end - base..tokens[p.last].start - base].contains(',');
            p.first == s.first
                && comma
                && p.last + 1 < s.last
                && INDEFINITE.contains(&folds[p.last])
                && district_words.contains(folds[p.last + 1])
                && out[sentence_rows..]
                    .iter()
                    .all(|e| e.start != mentions[i].start || e.event == EventType::Other)
        });
        // (looked for only with an opener: a scan of every row so far)
        let rows_before = || {
            k > 0
                && named_before == k - 1
                && out
                    .iter()
                    .any(|e| e.event != EventType::Other && sentence_of(token_of(e.start)) == k - 1)
        };
        if let Some(i) = opener.filter(|_| k > 0 && !rows_before()) {
            let prev = &sentences[k - 1];
            let psc = scan(prev);
            let unnamed = (prev.first + 1..prev.last)
                .any(|t| INDEFINITE.contains(&folds[t - 1]) && district_words.contains(folds[t]));
            let prev_dates = dates::find_dates_in(
                &tokens, &folds, prev.first, prev.last, tables, &relative, date,
            );
            let x = &mentions[i];
            let key = x
                .place()
                .map_or_else(|| x.text.clone(), |p| g.place(p).id.to_string());
            let hits: Vec<(usize, usize)> = psc
                .event_cues()
                .filter(|h| h.value != EventType::Other)
                .filter(|h| !is_attempt(&folds, prev.first, h.first))
                .map(|h| (h.first, h.last))
                .collect();
            for (a, b) in hits.into_iter().filter(|_| unnamed && x.place().is_some()) {
                let tag = events::tag(prev, &psc, a, b);
                if tag.event == EventType::Other || !seen.insert((k, key.clone(), tag.event)) {
                    continue;
                }
                let when = prev_dates
                    .iter()
                    .filter(|d| d.first.abs_diff(a) <= DATE_REACH)
                    .min_by_key(|d| d.first.abs_diff(a))
                    .map(|d| d.value)
                    .or(date);
                out.push(Event {
                    date: when,
                    place: x.text.clone(),
                    event: tag.event,
                    actor: tag.actor,
                    against: tag.against,
                    certainty: tag.certainty,
                    confidence: x.resolution.best.as_ref().map_or(0.0, |b| b.score),
                    source: source.to_string(),
                    start: x.start,
                    end: x.end,
                    sentence: collapse(slice(
                        tokens[prev.first].start,
                        sentence_end(body, base, &tokens, prev),
                    )),
                    resolution: x.resolution.clone(),
                });
            }
        }
        // "… confirmed the fall of Khaja Ghar on Monday but the police chief said clashes
        // were ongoing": a later clause that names no place goes on about the one place the
        // clauses before it gave an event, with its own event
        let evented: Vec<&Event> = out[sentence_rows..]
            .iter()
            .filter(|e| e.event != EventType::Other)
            .collect();
        let one_place = evented.first().filter(|f| {
            evented.iter().all(|e| {
                e.resolution.best.as_ref().map(|b| b.place)
                    == f.resolution.best.as_ref().map(|b| b.place)
            })
        });
        if let Some(template) = one_place.map(|e| (*e).clone()) {
            let from = s.clause_of(token_of(template.start)) + 1;
            for c in from..s.clauses.len() {
                let (lo, hi) = s.clause_range(c);
                let names_one = spans.iter().any(|p| lo <= p.first && p.first < hi);
                let Some(h) = sc
                    .event_cues()
                    .find(|h| lo <= h.first && h.first < hi && h.value != EventType::Other)
                else {
                    continue;
                };
                let attempt = is_attempt(&folds, s.first, h.first);
                // "clashes near the bank of the river", "les combats font rage dans une
                // quatrième": the clause puts its event somewhere of its own
                let after = &folds[h.last..hi.min(h.last + 4)];
                let elsewhere = after.iter().any(|w| ELSEWHERE.contains(w))
                    || after
                        .windows(2)
                        .any(|p| ELSEWHERE_IN.contains(&p[0]) && INDEFINITE.contains(&p[1]));
                // "… since they launched an offensive in May": a clause of what came before is
                // background, not the place's event
                let since = ["since", "depuis", "seit", "seitdem", "desde"].contains(&folds[lo]);
                if names_one || attempt || elsewhere || since {
                    continue;
                }
                let tag = events::tag(s, sc, h.first, h.last);
                let Some(key) = template
                    .resolution
                    .best
                    .as_ref()
                    .map(|b| g.place(b.place).id.to_string())
                else {
                    continue;
                };
                if tag.event == EventType::Other || !seen.insert((k, key, tag.event)) {
                    continue;
                }
                let mut row = template.clone();
                row.event = tag.event;
                row.actor = tag.actor;
                row.against = tag.against;
                row.certainty = tag.certainty;
                row.date = found_dates
                    .iter()
                    .filter(|d| lo <= d.first && d.first < hi)
                    .min_by_key(|d| d.first.abs_diff(h.first))
                    .map(|d| d.value)
                    .or(date);
                out.push(row);
            }
            // "… captured the Khanabad district … following fierce fighting with Afghan troops
            // who later retook it in a predawn attack": an event cue whose object is "it",
            // after the one place of the sentence, is that place's event too
            let t0 = token_of(template.start);
            let (lo, hi) = s.clause_range(s.clause_of(t0));
            let on_it: Vec<(usize, usize)> = sc
                .event_cues()
                .filter(|h| h.first > t0 && lo <= h.first && h.first < hi)
                .filter(|h| h.value != EventType::Other && folds.get(h.last) == Some(&"it"))
                .map(|h| (h.first, h.last))
                .collect();
            let key = template
                .resolution
                .best
                .as_ref()
                .map(|b| g.place(b.place).id.to_string());
            for ((a, b), key) in on_it.into_iter().zip(std::iter::repeat(key).flatten()) {
                let tag = events::tag(s, sc, a, b);
                if tag.event == EventType::Other || !seen.insert((k, key, tag.event)) {
                    continue;
                }
                let mut row = template.clone();
                row.event = tag.event;
                row.actor = tag.actor;
                row.against = tag.against;
                row.certainty = tag.certainty;
                row.date = found_dates
                    .iter()
                    .filter(|d| d.first.abs_diff(a) <= DATE_REACH)
                    .min_by_key(|d| d.first.abs_diff(a))
                    .map(|d| d.value)
                    .or(date);
                out.push(row);
            }
        }
        // "… captured Zurmat, but a commander names Mirzaka instead": both are disputed
        let contested =
            (s.first..s.last).find(|&t| contest.iter().any(|p| p.match_at(&folds, t).is_some()));
        if let Some(at) = contested {
            let (lo, hi) = s.clause_range(s.clause_of(at));
            let rows = &mut out[sentence_rows..];
            let before = rows
                .iter()
                .rposition(|e| e.event != EventType::Other && token_of(e.start) < lo);
            if let Some(b) = before {
                let template = rows[b].clone();
                for e in rows.iter_mut() {
                    let t = token_of(e.start);
                    if e.event == EventType::Other && lo <= t && t < hi {
                        e.event = template.event;
                        e.actor = template.actor;
                        e.against = template.against;
                        e.date = template.date;
                        e.certainty = Certainty::Disputed;
                    } else if e.event != EventType::Other && e.certainty == Certainty::Reported {
                        e.certainty = Certainty::Disputed;
                    }
                }
            }
        }
    }
    // the rows of places named without an event served the anaphora above; they are
    // mentions, not events
    out.retain(|e| e.event != EventType::Other);
    // "Hundreds of taliban fighters seize headquarters of Kohistanat district" above
    // "Hundreds of Taliban insurgents have stormed and seized control of … a district …,
    // officials said on Tuesday": an undated event of the headline (the article's first
    // sentence) takes the date the lead sentence gives the same event
    if sentences.len() > 1 {
        let lead = &sentences[1];
        let lead_cues = cues.scan(&folds, lead);
        let lead_dates = dates::find_dates_in(
            &tokens, &folds, lead.first, lead.last, tables, &relative, date,
        );
        for e in out.iter_mut() {
            if sentence_of(token_of(e.start)) != 0 || !undated.contains(&(e.start, e.event)) {
                continue;
            }
            let same = lead_cues
                .event_cues()
                .filter(|h| h.value == e.event)
                .find_map(|h| lead_dates.iter().min_by_key(|d| d.first.abs_diff(h.first)));
            if let Some(d) = same {
                e.date = Some(d.value);
            }
        }
    }
    // "The Taleban has captured a key district in its former bastion of Kandahar …, officials
    // said yesterday. … The fall of Panjwai district …": the first undated taking (or taking
    // back) takes the date an earlier sentence with no row gave it at "a district" (attacks
    // and fighting are many, a district is taken once)
    let mut lead_dated: HashSet<EventType> = HashSet::default();
    // which sentences have rows (this pass changes dates only)
    let mut has_rows = vec![false; sentences.len()];
    for o in &out {
        has_rows[sentence_of(token_of(o.start))] = true;
    }
    for e in out.iter_mut() {
        let taking = matches!(e.event, EventType::Captured | EventType::Retaken);
        if !taking || !undated.contains(&(e.start, e.event)) || lead_dated.contains(&e.event) {
            continue;
        }
        let k = sentence_of(token_of(e.start));
        let found = (0..k).filter(|&j| !has_rows[j]).find_map(|j| {
            let p = &sentences[j];
            let unnamed = (p.first..p.last).any(|t| {
                district_words.contains(folds[t])
                    && folds[t.saturating_sub(2)..t]
                        .iter()
                        .any(|w| INDEFINITE.contains(w))
            });
            if !unnamed {
                return None;
            }
            let pc = cues.scan(&folds, p);
            let pd =
                dates::find_dates_in(&tokens, &folds, p.first, p.last, tables, &relative, date);
            let dated = pc
                .event_cues()
                .filter(|h| h.value == e.event && !is_attempt(&folds, p.first, h.first))
                .find_map(|h| {
                    pd.iter()
                        .filter(|d| d.first.abs_diff(h.first) <= DATE_REACH)
                        .min_by_key(|d| d.first.abs_diff(h.first))
                })
                .map(|d| d.value);
            dated
        });
        lead_dated.insert(e.event);
        if let Some(d) = found {
            e.date = Some(d);
        }
    }
    let with_rows: HashSet<usize> = out.iter().map(|e| e.start).collect();
    actor_goes_on(&mut out, &agents, |e| {
        let t = token_of(e.start);
        let k = sentence_of(t);
        let start = tokens[sentences[k].first].start - base;
        let before = body[..start].chars().next_back();
        let quoted = before.is_some_and(|c| ['"', '\u{201c}', '\u{ab}', '\u{201e}'].contains(&c));
        (k, t, quoted)
    });
    against_from_the_article(&tokens, actors_named, &mut out);
    taking_back_goes_on(&mut out);
    for (m, role) in mentions.iter_mut().zip(roles) {
        m.role = if with_rows.contains(&m.start) {
            Role::Event
        } else {
            role
        };
    }
    Ok(Extraction {
        source: source.to_string(),
        lang: tables.code,
        date,
        mentions,
        events: out,
    })
}

/// "… have retaken the control of Taywara district. … the control of the district fell into
/// the hands of the Afghan forces": a taking by the side that the article already has
/// taking the same place back is that taking back, told again.
fn taking_back_goes_on(out: &mut [Event]) {
    let place = |e: &Event| e.resolution.best.as_ref().map(|b| b.place);
    // the places taken back so far, with the side that took each ([`events::allied`])
    let mut taken_back: HashSet<(crate::gazetteer::PlaceId, u8)> = HashSet::default();
    for e in out.iter_mut() {
        let (Some(at), side) = (place(e), events::side(e.actor)) else {
            continue;
        };
        if e.event == EventType::Captured && side.is_some_and(|s| taken_back.contains(&(at, s))) {
            e.event = EventType::Retaken;
        }
        if let (EventType::Retaken, Some(s)) = (e.event, side) {
            taken_back.insert((at, s));
        }
    }
}

/// Event types whose actor goes on from one to the next where a clause names none ("Mardi,
/// les talibans avaient saisi Farah. Depuis vendredi, ils ont enchaîné les prises: Zaranj
/// …"): taking, advancing and attacking are the same side's, taking back the other's.
fn family(event: EventType) -> Option<u8> {
    match event {
        EventType::Captured | EventType::Advance | EventType::Attack => Some(0),
        EventType::Retaken => Some(1),
        EventType::Clashes | EventType::Other => None,
    }
}

/// An event with no actor in its clause has the actor of the last event of its kind
/// (taking, advancing, attacking; or taking back) whose clause names one, before it in the
/// same sentence or in the sentence before: the text goes on with the same subject ("they",
/// "ils", "in ihre Hände", a passive), outside quoted speech. `agents` are the (sentence,
/// cue token, event, actor) of the cues that name their actor, in text order; `at` gives a
/// row's sentence, token and whether its sentence opens with a quotation mark.
fn actor_goes_on(
    out: &mut [Event],
    agents: &[(usize, usize, EventType, &'static str)],
    at: impl Fn(&Event) -> (usize, usize, bool),
) {
    for e in out.iter_mut().filter(|e| e.actor.is_empty()) {
        let Some(f) = family(e.event) else { continue };
        let (k, t, quoted) = at(e);
        // quoted speech has its own subject ("“The operations we had … in Nijrab”")
        if quoted {
            continue;
        }
        let before = agents.partition_point(|a| (a.0, a.1) < (k, t));
        if let Some(a) = agents[..before]
            .iter()
            .rev()
            .take_while(|a| a.0 + 1 >= k)
            .find(|a| family(a.2) == Some(f))
        {
            e.actor = a.3;
        }
    }
}

/// The side an event was against, where its clause does not say: the nearest actor of the
/// other side the article names (a Taliban capture in a report that names government forces
/// is against them), else the actor's usual opponent ([`events::opponent`]: the government's
/// forces for the Taliban, the Taliban for the government's). A generic word for the
/// insurgents ("militants", "insurgents") is the Taliban in an article that names them. An
/// event with no actor keeps an empty `against`.
fn against_from_the_article(
    tokens: &[text::Token],
    mut named: Vec<(usize, &'static str)>,
    out: &mut [Event],
) {
    // token positions of each actor label named, in text order
    named.sort_unstable();
    // per side, so an event looks only at the other side's names
    let by_side: [Vec<(usize, &'static str)>; 2] = [0, 1].map(|k| {
        named
            .iter()
            .copied()
            .filter(|a| events::side(a.1) == Some(k))
            .collect()
    });
    for e in out.iter_mut() {
        if e.actor.is_empty() || !e.against.is_empty() {
            continue;
        }
        let Some(mine) = events::side(e.actor) else {
            continue;
        };
        let other = &by_side[usize::from(1 - mine)];
        let at = tokens.partition_point(|t| t.start < e.start);
        let split = other.partition_point(|a| a.0 < at);
        let before = split.checked_sub(1).map(|k| other[k]);
        let after = other.get(split).copied();
        let pick = match (before, after) {
            (Some(b), Some(a)) => Some(if at - b.0 <= a.0 - at { b } else { a }),
            (b, a) => b.or(a),
        };
        e.against = pick.map_or_else(|| events::opponent(e.actor), |p| p.1);
    }
    let taliban = named.iter().any(|a| a.1 == "Taliban");
    for e in out.iter_mut() {
        if taliban && matches!(e.against, "militants" | "insurgents") {
            e.against = "Taliban";
        }
    }
}

/// Words after an event cue that place the event somewhere the clause says (`clashes near
/// the bank`, `elsewhere`), and prepositions that do with an indefinite after them (`dans une
/// quatrième`, `in another district`, `en otra provincia`), not at the place named before.
const ELSEWHERE: [&str; 9] = [
    "near",
    "around",
    "outside",
    "elsewhere",
    "ailleurs",
    "pres",
    "nahe",
    "anderswo",
    "cerca",
];
const ELSEWHERE_IN: [&str; 5] = ["in", "dans", "en", "im", "a"];
const INDEFINITE: [&str; 12] = [
    "a", "an", "another", "un", "une", "autre", "einem", "einer", "otra", "otro", "una", "uno",
];

/// Words joining a place to the province after it (`Baharak district in Badakhshan`,
/// `Jawand dans la province de Badghis`).
const IN_LINKS: [&str; 6] = ["in", "dans", "en", "im", "de", "del"];
/// Words joining the places of a list.
const LIST_LINKS: [&str; 8] = ["and", "et", "und", "y", "e", "or", "ou", "oder"];

/// The context of the words around a mention, after the article's: an ambiguous name right
/// before "in" and a province is the one in that province ("Baharak district in
/// Badakhshan"); a name that is a province's as well as a city's, listed with provinces, is
/// the province ("combates en Badajshán, Kunduz y Baghlan").
fn local_context(g: &Gazetteer, folds: &[&str], spans: &[mentions::Span], ms: &mut [Mention]) {
    let province_of = |m: &Mention| m.place().filter(|&p| g.place(p).kind == Kind::Province);
    for i in 0..ms.len() {
        if ms[i].resolution.status != Status::Ambiguous {
            continue;
        }
        let j = i + 1;
        if j >= ms.len() || ms[j].sentence != ms[i].sentence {
            continue;
        }
        let between = &folds[spans[i].last..spans[j].first];
        let Some(area) = province_of(&ms[j]) else {
            continue;
        };
        if between.len() > 5 || !between.iter().any(|w| IN_LINKS.contains(w)) {
            continue;
        }
        let r = &ms[i].resolution;
        let inside: Vec<&crate::resolve::Candidate> = r
            .best
            .iter()
            .chain(&r.candidates)
            .filter(|c| g.is_within(c.place, area))
            .collect();
        // a district and a town inside it both in the province: the district
        let districts: Vec<&crate::resolve::Candidate> = inside
            .iter()
            .copied()
            .filter(|c| g.place(c.place).kind == Kind::District)
            .collect();
        let inside = if inside.len() > 1 && districts.len() == 1 {
            districts
        } else {
            inside
        };
        if let [one] = inside[..] {
            let one = one.clone();
            let r = Arc::make_mut(&mut ms[i].resolution);
            r.candidates.retain(|c| c.place != one.place);
            if let Some(old) = r.best.replace(one) {
                r.candidates.insert(0, old);
            }
            r.status = Status::Matched;
            ms[i].decided_by = format!("context: {} after it", g.place(area).name);
        }
    }
    let listed = |ms: &[Mention], a: usize, b: usize| {
        ms[a].sentence == ms[b].sentence
            && spans[b].first >= spans[a].last
            && spans[b].first - spans[a].last <= 1
            && folds[spans[a].last..spans[b].first]
                .iter()
                .all(|w| LIST_LINKS.contains(w))
    };
    // a list's provinces make the next name's province reading, and so on along the list
    for _ in 0..ms.len().min(8) {
        let switch: Vec<(usize, usize)> = (0..ms.len())
            .filter_map(|i| {
                let ms = &*ms;
                let neighbour =
                    (i > 0 && listed(ms, i - 1, i) && province_of(&ms[i - 1]).is_some())
                        || (i + 1 < ms.len()
                            && listed(ms, i, i + 1)
                            && province_of(&ms[i + 1]).is_some());
                if !neighbour || ms[i].designator.is_some() || province_of(&ms[i]).is_some() {
                    return None;
                }
                let r = &ms[i].resolution;
                let best = r.best.as_ref()?;
                r.candidates
                    .iter()
                    .position(|c| {
                        c.score >= best.score - 1e-9 && g.place(c.place).kind == Kind::Province
                    })
                    .map(|k| (i, k))
            })
            .collect();
        let done = switch.is_empty();
        for (i, k) in switch {
            let r = Arc::make_mut(&mut ms[i].resolution);
            let c = r.candidates.remove(k);
            if let Some(old) = r.best.replace(c) {
                r.candidates.insert(0, old);
            }
            r.status = Status::Matched;
            ms[i].decided_by = "context: listed with provinces".into();
        }
        if done {
            break;
        }
    }
}

/// A name the text gives without a designator that is both a district and the city at its
/// centre (`Kunduz`, `Farah`, `Mazar-i-Sharif`) is the city: news names a provincial capital by
/// its name and a district as "X district". The resolver prefers the district of a same-name
/// tie; a designator (`district of`, `ville de`) decides instead.
fn city_over_district(g: &Gazetteer, mut r: Resolution) -> Resolution {
    let Some(best) = &r.best else { return r };
    if r.status == Status::Ambiguous {
        // a tie of only a district and the city at its centre is the city
        let tied: Vec<usize> = (0..r.candidates.len())
            .filter(|&i| r.candidates[i].score >= best.score - 1e-9)
            .collect();
        let pair = |d: PlaceId, c: PlaceId| {
            g.place(d).kind == Kind::District && g.place(c).kind == Kind::City && g.is_within(c, d)
        };
        if let [i] = tied[..] {
            if pair(best.place, r.candidates[i].place) {
                r.status = Status::Matched;
            } else if pair(r.candidates[i].place, best.place) {
                r.status = Status::Matched;
                return r;
            }
        }
    }
    let Some(best) = &r.best else { return r };
    if r.status != Status::Matched {
        return r;
    }
    if g.place(best.place).kind != Kind::District {
        return r;
    }
    let city = r.candidates.iter().position(|c| {
        g.place(c.place).kind == Kind::City
            && c.score >= best.score - 1e-9
            && g.is_within(c.place, best.place)
    });
    if let Some(i) = city {
        let c = r.candidates.remove(i);
        if let Some(d) = r.best.replace(c) {
            r.candidates.insert(0, d);
        }
    }
    r
}

/// A name the text calls a district ("Tala Barfak district") that resolves to a village or
/// town (a romanization variant of a village's name scores above the district's fuzzy
/// match) is the district the resolver finds among districts alone, where it finds one.
fn district_as_designated(
    resolver: &Resolver,
    name: &str,
    config: &Config,
    ctx: &Context,
    r: Resolution,
) -> Resolution {
    let g = resolver.gazetteer();
    let lower = r.best.as_ref().is_some_and(|b| {
        r.status == Status::Matched
            && matches!(
                g.place(b.place).kind,
                Kind::Village | Kind::Town | Kind::Other
            )
    });
    if !lower {
        return r;
    }
    let options = Options {
        kind: Some(Kind::District),
        ..config.options.clone()
    };
    let d = resolver.resolve_in_context(name, &options, ctx);
    if d.status == Status::Matched {
        d
    } else {
        r
    }
}

/// True when a province's name stands right after a place and "in" (`Gizab in Urozgan`,
/// `Shah Wali Kot à Kandahar`, `Jawand dans la province de Badghis`): it says where that
/// place is, whatever the gazetteer's boundaries (Gizab is in Daykundi now).
fn qualifies_the_place_before(
    folds: &[&str],
    before: &[mentions::Span],
    span: &mentions::Span,
) -> bool {
    const LINKS: [&str; 6] = ["in", "dans", "en", "im", "a", "au"];
    const GAP: [&str; 9] = [
        "the",
        "la",
        "le",
        "province",
        "provincia",
        "provinz",
        "der",
        "de",
        "d",
    ];
    let Some(prev) = before.last() else {
        return false;
    };
    if prev.last >= span.first || span.first - prev.last > 4 {
        return false;
    }
    let between = &folds[prev.last..span.first];
    LINKS.contains(&between[0]) && between[1..].iter().all(|w| GAP.contains(w))
}

/// Words before a province's name that make it the province of an office or a capital
/// (`the capital of Takhar`, `gouverneur de Kunduz`), and words after it that make it the
/// province of a body (`Kunduz provincial council`): the province is not what the event hit.
fn office_of(folds: &[&str], first: usize, last: usize) -> bool {
    const BEFORE: [&str; 10] = [
        "capital",
        "capitals",
        "capitale",
        "capitales",
        "hauptstadt",
        "provinzhauptstadt",
        "governor",
        "gouverneur",
        "gouverneur",
        "gobernador",
    ];
    const AFTER: [&str; 6] = [
        "provincial",
        "governor",
        "police",
        "council",
        "resident",
        "residents",
    ];
    const OF: [&str; 8] = ["of", "de", "d", "du", "von", "der", "des", "del"];
    let window = &folds[first.saturating_sub(6)..first];
    let before = window
        .windows(2)
        .any(|w| BEFORE.contains(&w[0]) && OF.contains(&w[1]));
    before || folds.get(last).is_some_and(|w| AFTER.contains(w))
}

/// Words for an unnamed part of a province (`a district of Kunduz province`, `an area in
/// Takhar`, `weiteres Territorium in der Provinz Kundus`), the language's district words
/// among them.
fn part_words(tables: &Tables) -> HashSet<&'static str> {
    const PARTS: [&str; 14] = [
        "area",
        "areas",
        "parts",
        "territory",
        "zone",
        "zona",
        "zonas",
        "territoire",
        "gebiet",
        "gebiets",
        "gebiete",
        "territorium",
        "territorio",
        "bezirkszentrum",
    ];
    let district_words = tables
        .designators_before
        .iter()
        .chain(tables.designators_after)
        .filter(|(k, _)| *k == Kind::District)
        .filter_map(|(_, p)| p.split(' ').next());
    district_words.chain(PARTS).collect()
}

/// True when sentence `s` has one of the words for an unnamed part of a province
/// ([`part_words`]): it is about that part, and its province is the context.
fn names_a_part(words: &HashSet<&str>, folds: &[&str], s: &text::Sentence) -> bool {
    folds[s.first..s.last].iter().any(|w| words.contains(w))
}

/// True when the name at `first` follows "of" or "in" (`dans`, `de`, `im`, …) a few words
/// after a word for an unnamed part of a province ([`part_words`]): "a key district in its
/// former bastion of Kandahar" is a district of the province.
fn part_before(words: &HashSet<&str>, folds: &[&str], first: usize) -> bool {
    const REACH: usize = 6;
    first > 0
        && (IN_LINKS.contains(&folds[first - 1]) || folds[first - 1] == "of")
        && folds[first.saturating_sub(REACH + 1)..first - 1]
            .iter()
            .any(|w| words.contains(w))
}

/// A name that is part of a facility's name (`Bagram Air Base`, `la base aérienne de
/// Bagram`, `Kandahar airport`, `the Salang Highway`): the facility, not the district, is
/// meant.
fn is_facility(folds: &[&str], first: usize, last: usize) -> bool {
    const AFTER: [&str; 6] = ["air", "airfield", "airbase", "airport", "prison", "highway"];
    const BEFORE: [&str; 6] = [
        "base",
        "aeroport",
        "aeropuerto",
        "flughafen",
        "prison",
        "carcel",
    ];
    folds.get(last).is_some_and(|w| AFTER.contains(w))
        || folds[first.saturating_sub(3)..first]
            .iter()
            .any(|w| BEFORE.contains(w))
}

/// The word joining two verbs of one subject and object (`surrounded and attacked`).
const AND: [&str; 1] = ["and"];
/// English past forms of event verbs that do not end in `-ed`.
const PAST: [&str; 9] = [
    "took", "taken", "retook", "fell", "fallen", "overran", "overrun", "struck", "fought",
];

/// The event cues joined to the cue at `cue` by [`AND`], on either side and along a chain
/// (`surrounded, attacked and seized`: a comma is no token), as token ranges: verbs in the
/// past (`-ed`, [`PAST`]) only, as nouns so joined ("attacks and clashes in …", "operations
/// and retook") are often one event told twice or two of other places.
fn coordinated(
    sc: &events::SentenceCues,
    folds: &[&str],
    cue: (usize, usize),
) -> Vec<(usize, usize, EventType)> {
    let hits: Vec<(usize, usize, EventType)> = sc
        .event_cues()
        .map(|h| (h.first, h.last, h.value))
        .collect();
    let Some(at) = hits.iter().position(|h| (h.0, h.1) == cue) else {
        return Vec::new();
    };
    let past = |x: (usize, usize, EventType)| {
        let w = folds[x.0];
        w.ends_with("ed") || PAST.contains(&w)
    };
    let joined = |x: (usize, usize, EventType), y: (usize, usize, EventType)| {
        past(x) && past(y) && (x.1 == y.0 || (x.1 + 1 == y.0 && AND.contains(&folds[x.1])))
    };
    let mut out = Vec::new();
    // a chain of verbs side by side joins by "and" at least once
    let mut k = at;
    while k > 0 && joined(hits[k - 1], hits[k]) {
        out.push(hits[k - 1]);
        k -= 1;
    }
    let mut k = at;
    while k + 1 < hits.len() && joined(hits[k], hits[k + 1]) {
        out.push(hits[k + 1]);
        k += 1;
    }
    let by_and = std::iter::once(cue)
        .chain(out.iter().map(|h| (h.0, h.1)))
        .any(|(_, last)| AND.contains(&folds.get(last).copied().unwrap_or("")));
    if by_and {
        out
    } else {
        Vec::new()
    }
}

/// Most tokens between a date and the event cue (or mention) it dates.
const DATE_REACH: usize = 12;

/// Whether the event cue at `cue` (in a sentence from `first`) is only aimed at: "an
/// operation to retake the district" is no retaking.
fn is_attempt(folds: &[&str], first: usize, cue: usize) -> bool {
    cue > first && ["to", "pour", "para", "zu", "um"].contains(&folds[cue - 1])
}

/// A place after "except" is the one the event spared (`all districts have fallen except
/// Taluqan`).
fn is_excepted(folds: &[&str], first: usize) -> bool {
    const EXCEPT: [&str; 8] = [
        "except",
        "excepting",
        "sauf",
        "excepte",
        "ausser",
        "ausgenommen",
        "excepto",
        "salvo",
    ];
    folds[first.saturating_sub(2)..first]
        .iter()
        .any(|w| EXCEPT.contains(w))
}

/// A definite noun for a place the text has named (`the district`, `la ville`, `die Stadt`,
/// `el distrito`), with the kind it stands for.
const DEFINITE: [(Kind, &str); 16] = [
    (Kind::District, "the district"),
    (Kind::District, "le district"),
    (Kind::District, "du district"),
    (Kind::District, "el distrito"),
    (Kind::District, "del distrito"),
    (Kind::District, "der bezirk"),
    (Kind::District, "den bezirk"),
    (Kind::District, "des bezirks"),
    (Kind::District, "dem bezirk"),
    (Kind::City, "the city"),
    (Kind::City, "la ville"),
    (Kind::City, "de la ville"),
    (Kind::City, "la ciudad"),
    (Kind::City, "de la ciudad"),
    (Kind::City, "die stadt"),
    (Kind::City, "der stadt"),
];

/// The first definite place noun of a sentence: its tokens and the kind it stands for.
fn definite_place(
    patterns: &[(lang::Pattern, Kind)],
    folds: &[&str],
    s: &text::Sentence,
) -> Option<(usize, usize, Kind)> {
    (s.first..s.last).find_map(|t| {
        patterns
            .iter()
            .find_map(|(p, k)| p.match_at(&folds[..s.last], t).map(|end| (t, end, *k)))
    })
}

/// Words of a clause that offers another place than the one the sentence reports ("a
/// commander names Mirzaka instead", "cite plutôt", "nennt stattdessen", "en cambio"): both
/// versions are disputed, and the place offered gets the event of the clause before.
const CONTEST: [&str; 6] = [
    "instead",
    "plutot",
    "stattdessen",
    "vielmehr",
    "en cambio",
    "en su lugar",
];

/// Words opening a sentence that take up the places of the sentence before (`They all
/// fell`, `Tous sont tombés`, `Alle fielen`, `Todos cayeron`).
const ANAPHORA: [&str; 14] = [
    "they",
    "all of them",
    "both",
    "ils",
    "elles",
    "tous",
    "toutes",
    "les deux",
    "sie alle",
    "alle",
    "beide",
    "todos",
    "todas",
    "ambos",
];

/// A place named as a reference point ("150 km north of Kabul") is not where the sentence's
/// event happened.
/// Articles and designator words that may stand between a reference word and the place
/// (`à l'ouest de la ville de Kunduz`, `north of the city of Herat`).
const REFERENCE_GAP: [&str; 16] = [
    "la", "le", "l", "de", "d", "du", "the", "of", "city", "ville", "capitale", "capital", "stadt",
    "der", "ciudad", "del",
];

/// `references` are the language's [`Tables::reference_before`] patterns, compiled, with
/// their lengths in words.
fn is_reference(references: &[(lang::Pattern, usize)], folds: &[&str], first: usize) -> bool {
    // the pattern may end up to four gap words before the place
    let starts = (0..=4)
        .take_while(|&k| k == 0 || (first >= k && REFERENCE_GAP.contains(&folds[first - k])));
    starts.into_iter().any(|k| {
        let end = first - k;
        references
            .iter()
            .any(|(p, n)| end >= *n && p.match_at(folds, end - n) == Some(end))
    })
}

/// A place in capitals opening a sentence's first clause, like `KABUL (Reuters) -`, says
/// where the report was filed, not where something happened.
/// So does a place opening a sentence with the agency or a dash right after it:
/// `Kabul (dpa) -`, `Kabul, (APP - …)`, `Kabul.- Los talibanes`, `Kabul – Die Regierung`.
fn is_dateline(text: &str, first: usize, s: &text::Sentence, after: &str) -> bool {
    let capitals = s.clauses.len() > 1
        && text.chars().any(char::is_alphabetic)
        && !text.chars().any(char::is_lowercase);
    let agency = [" (", ", (", ".-", " -", " \u{2013}", " \u{2014}"]
        .iter()
        .any(|p| after.starts_with(p));
    first == s.first && (capitals || agency)
}

/// The byte after a sentence's closing punctuation.
fn sentence_end(body: &str, base: usize, tokens: &[text::Token], s: &text::Sentence) -> usize {
    let end = tokens[s.last - 1].end;
    let limit = tokens.get(s.last).map_or(base + body.len(), |t| t.start);
    let tail = &body[end - base..limit - base];
    let keep: usize = tail
        .char_indices()
        .take_while(|(_, c)| !c.is_whitespace())
        .map(|(_, c)| c.len_utf8())
        .sum();
    end + keep
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decision(
    g: &Gazetteer,
    alone: &Resolution,
    r: &Resolution,
    favoured: &[(PlaceId, String)],
    designator: Option<Kind>,
) -> String {
    match r.status {
        Status::Unmatched => return "unmatched".into(),
        Status::Ambiguous => return "ambiguous".into(),
        Status::Matched => {}
    }
    let best = r.best.as_ref().map(|b| b.place);
    let before = alone
        .best
        .as_ref()
        .filter(|_| alone.status == Status::Matched)
        .map(|b| b.place);
    if before != best {
        if let Some((_, label)) = favoured
            .iter()
            .find(|(a, _)| best.is_some_and(|b| b != *a && g.is_within(b, *a)))
        {
            return format!("context: {label} named in the text");
        }
    }
    match designator {
        Some(k) => format!("designator: {k}"),
        None => "name".into(),
    }
}

/// Writes events as the events CSV (header and rows).
pub fn write_events_csv<'a, W: Write>(
    w: W,
    g: &Gazetteer,
    events: impl IntoIterator<Item = &'a Event>,
) -> Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    let io = |e: csv::Error| Error::csv("the events CSV", e);
    csv.write_record(EVENTS_HEADER).map_err(io)?;
    for e in events {
        csv.write_record(e.record(g)).map_err(io)?;
    }
    csv.flush().map_err(|e| Error::io("the events CSV", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::lang::{Cue, Pattern, LANGUAGES};
    use super::*;
    use crate::gazetteer::Gazetteer;
    use std::sync::OnceLock;

    fn resolver() -> &'static Resolver {
        static R: OnceLock<Resolver> = OnceLock::new();
        R.get_or_init(|| Resolver::new(Gazetteer::embedded().expect("embedded gazetteer")).unwrap())
    }

    fn run(lang: &str, text: &str) -> Extraction {
        let config = Config {
            lang: Some(lang.to_string()),
            date: DateValue::parse("2021-07-06"),
            ..Config::default()
        };
        extract(resolver(), text.as_bytes(), "test", &config).expect("extraction")
    }

    fn matches(pattern: &str, example: &str) -> bool {
        let toks = text::tokenize(example, 0);
        let folds: Vec<&str> = toks.iter().map(|t| t.fold.as_str()).collect();
        let p = Pattern::new(pattern);
        (0..folds.len()).any(|i| p.match_at(&folds, i).is_some())
    }

    /// The event rows of `text` in language `lang`.
    fn rows_of(lang: &str, text: &str) -> Vec<String> {
        rows(&run(lang, text))
    }

    fn rows(x: &Extraction) -> Vec<String> {
        rows_showing(x, false)
    }

    /// `id event` of each row's best place, with the place as written before it when
    /// `with_text` is set.
    fn place_ids(x: &Extraction, with_text: bool) -> Vec<String> {
        let g = resolver().gazetteer();
        x.events
            .iter()
            .map(|e| {
                let b = e.resolution.best.as_ref().unwrap();
                let id = format!("{} {}", g.place(b.place).id, e.event.as_str());
                if with_text {
                    format!("{} {id}", e.place)
                } else {
                    id
                }
            })
            .collect()
    }

    /// `place event actor certainty date` of each row, with `/against` after the actor when
    /// `sides` is set.
    fn rows_showing(x: &Extraction, sides: bool) -> Vec<String> {
        x.events
            .iter()
            .map(|e| {
                let against = if sides {
                    format!("/{}", e.against)
                } else {
                    String::new()
                };
                let date = e.date.map(|d| d.to_string()).unwrap_or_default();
                let (place, event) = (&e.place, e.event.as_str());
                format!(
                    "{place} {event} {}{against} {} {date}",
                    e.actor, e.certainty
                )
            })
            .collect()
    }

    /// Extracts the example of cue `c` of language `code` (whose pattern must match it) and
    /// checks what came out with `ok`.
    fn check_cue<T>(code: &str, c: &Cue<T>, ok: impl Fn(&Extraction) -> bool) {
        assert!(
            matches(c.pattern, c.example),
            "{code}: {:?} not in {:?}",
            c.pattern,
            c.example
        );
        let x = run(code, c.example);
        assert!(
            ok(&x),
            "{code}: {:?} in {:?} gave {:?}",
            c.pattern,
            c.example,
            rows(&x)
        );
    }

    #[test]
    fn every_event_cue_has_a_sentence_that_it_tags() {
        for t in LANGUAGES {
            for c in t.events {
                check_cue(t.code, c, |x| {
                    if c.value == EventType::Other {
                        // a place named with no event is a mention, not an event row
                        x.events.is_empty() && x.mentions.iter().all(|m| m.role == Role::Named)
                    } else {
                        !x.events.is_empty() && x.events.iter().all(|e| e.event == c.value)
                    }
                });
            }
        }
    }

    #[test]
    fn every_actor_and_certainty_cue_has_a_sentence_that_it_tags() {
        for t in LANGUAGES {
            for c in t.actors {
                check_cue(t.code, c, |x| x.events.iter().any(|e| e.actor == c.value));
            }
            let groups = [
                (t.denied, Certainty::Denied),
                (t.disputed, Certainty::Disputed),
                (t.negation, Certainty::Denied),
            ];
            for (cues, certainty) in groups {
                for c in cues {
                    check_cue(t.code, c, |x| {
                        !x.events.is_empty() && x.events.iter().all(|e| e.certainty == certainty)
                    });
                }
            }
            // the side that withdrew lost the place to the other
            for c in t.withdrawals {
                check_cue(t.code, c, |x| {
                    !x.events.is_empty()
                        && x.events.iter().all(|e| {
                            e.event == EventType::Captured
                                && (e.actor, e.against) == ("Taliban", "government forces")
                        })
                });
            }
        }
    }

    /// `place event actor/against certainty date` of each row.
    fn sided(x: &Extraction) -> Vec<String> {
        rows_showing(x, true)
    }

    #[test]
    fn sides_go_on_from_the_text_and_default_to_the_usual_opponent() {
        // the side taken from, when the text names none: the actor's usual opponent
        assert_eq!(
            sided(&run("fr", "Les talibans se sont emparés de Khinjan.")),
            ["Khinjan captured Taliban/government forces reported 2021-07-06"]
        );
        assert_eq!(
            sided(&run("en", "The army retook Doshi.")),
            ["Doshi retaken government forces/Taliban reported 2021-07-06"]
        );
        // "face aux insurgés" names the actor's own side, not the one it was taken from
        assert_eq!(
            sided(&run(
                "fr",
                "Les talibans assiègent Khinjan, face aux insurgés."
            )),
            ["Khinjan advance Taliban/government forces reported 2021-07-06"]
        );
        // a generic word for the insurgents is the Taliban the article names
        assert_eq!(
            sided(&run(
                "en",
                "The Taliban captured Khinjan. The army retook Doshi from the militants."
            ))[1],
            "Doshi retaken government forces/Taliban reported 2021-07-06"
        );
        // the actor goes on to the next sentence ("ils"), not into quoted speech
        assert_eq!(
            sided(&run(
                "fr",
                "Mardi, les talibans avaient saisi Farah. Depuis vendredi, ils ont enchaîné les prises: Khinjan et Doshi."
            ))[1..],
            [
                "Khinjan captured Taliban/government forces reported 2021-07-02",
                "Doshi captured Taliban/government forces reported 2021-07-02"
            ]
        );
        assert_eq!(
            sided(&run(
                "en",
                "The Taliban captured Khinjan. \u{201c}The operations we had were in Doshi,\u{201d} a general said."
            ))[1],
            "Doshi attack / reported 2021-07-06"
        );
        // an actor is the subject of the first event cue after it (the Taliban attacked,
        // they did not retake)
        let x = run(
            "en",
            "Government troops that the Taliban had attacked retook Khinjan.",
        );
        assert_eq!(x.events[0].event, EventType::Retaken);
        assert_ne!(x.events[0].actor, "Taliban");
        // the fighting an event came after was fought by its sides, over 24 hours
        assert_eq!(
            sided(&run(
                "fr",
                "Après plus de 24 heures de violents combats, les forces de sécurité se sont retirées du district de Khinjan."
            )),
            [
                "Khinjan captured Taliban/government forces reported 2021-07-06",
                "Khinjan clashes Taliban/government forces reported 2021-07-06"
            ]
        );
        // "sans réelle résistance" is no resistance movement
        assert_eq!(
            sided(&run(
                "fr",
                "Les talibans se sont emparés de Khinjan sans réelle résistance des forces afghanes."
            )),
            ["Khinjan captured Taliban/government forces reported 2021-07-06"]
        );
    }

    #[test]
    fn dates_belong_to_their_verb_and_places_to_their_words() {
        // a date in the fighting an event came after dates the fighting
        assert_eq!(
            sided(&run(
                "en",
                "After fierce overnight fighting with Afghan forces, the Taliban took over Khinjan district."
            )),
            [
                "Khinjan captured Taliban/government forces reported 2021-07-06",
                "Khinjan clashes Taliban/government forces reported 2021-07-05"
            ]
        );
        // another verb of the same event in the clause dates it
        assert_eq!(
            rows_of("fr", "Les talibans se sont emparés de la ville de Taloqan, dans le nord-est de l'Afghanistan, troisième capitale provinciale afghane tombée ce dimanche."),
            ["Taloqan captured Taliban reported 2021-07-04"]
        );
        // "since" opens another clause: its date is not the event's
        assert_eq!(
            rows_of("en", "The Taliban captured Khinjan, the biggest gain by the insurgents since they launched an offensive after foreign troops began withdrawing from the country in May."),
            ["Khinjan captured Taliban reported 2021-07-06"]
        );
        // "en tanto que" opens another clause, with no event
        assert_eq!(
            rows_of("es", "Los talibanes capturaron Khinjan, en tanto que el gobernador se dirigía al aeropuerto para irse de Doshi."),
            ["Khinjan captured Taliban reported 2021-07-06"]
        );
        // German nouns are no given names before a surname
        assert_eq!(
            rows_of(
                "de",
                "Der Bezirk Daulatabad sei bereits länger von den Taliban belagert worden."
            ),
            ["Daulatabad advance Taliban reported 2021-07-06"]
        );
        // "X district" is a district, not the village a variant of its name matches
        let x = run(
            "en",
            "On Wednesday, the Taliban took control of Tala Barfak district.",
        );
        let g = resolver().gazetteer();
        let p = g.place(x.events[0].resolution.best.as_ref().unwrap().place);
        assert_eq!((p.id, p.kind), ("geonames:7052910", Kind::District));
    }

    #[test]
    fn every_relative_date_word_has_a_sentence_that_it_dates() {
        let article = DateValue::parse("2021-07-06").unwrap();
        for t in LANGUAGES {
            for c in t.relative {
                let want = dates::resolve_relative(c.value, article);
                check_cue(t.code, c, |x| {
                    !x.events.is_empty() && x.events.iter().all(|e| e.date == want)
                });
            }
        }
    }

    #[test]
    fn every_month_and_weekday_name_dates_an_event() {
        for t in LANGUAGES {
            // the words of the first event cue's sentence before its place: the verb
            let verb = t.events[0]
                .example
                .split(" Khinjan")
                .next()
                .unwrap_or_default();
            for (m, name) in t.months {
                let x = run(t.code, &format!("{verb} Khinjan 3 {name}."));
                let want = format!("2021-{m:02}-03");
                assert_eq!(
                    x.events.first().and_then(|e| e.date).map(|d| d.to_string()),
                    Some(want),
                    "{}: {name}",
                    t.code
                );
            }
            for (d, name) in t.weekdays {
                let x = run(t.code, &format!("{verb} Khinjan {name}."));
                let want = dates::resolve_weekday(*d, DateValue::parse("2021-07-06").unwrap());
                assert_eq!(
                    x.events.first().and_then(|e| e.date),
                    want,
                    "{}: {name}",
                    t.code
                );
            }
        }
    }

    #[test]
    fn stopwords_never_become_places() {
        for t in LANGUAGES {
            for w in t.stopwords {
                let cap: String = w[..1].to_uppercase() + &w[1..];
                let x = run(
                    t.code,
                    &format!("Fighting near {cap} Bazaar and {cap}, and in Khinjan."),
                );
                let found: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
                assert_eq!(found, ["Khinjan"], "{}: {w}", t.code);
            }
        }
    }

    #[test]
    fn designators_make_the_kind() {
        for t in LANGUAGES {
            for (kind, p) in t.designators_before {
                let x = run(t.code, &format!("Fighting in the {p} Kunduz."));
                assert_eq!(x.mentions[0].designator, Some(*kind), "{}: {p}", t.code);
            }
            for (kind, p) in t.designators_after {
                let x = run(t.code, &format!("Fighting in the Kunduz {p}."));
                assert_eq!(x.mentions[0].designator, Some(*kind), "{}: {p}", t.code);
            }
        }
    }

    #[test]
    fn lists_share_the_sentence_event_and_the_designator() {
        let x = run(
            "en",
            "The Taliban captured the districts of Khinjan, Nahrin and Burka on Sunday.",
        );
        assert_eq!(
            rows(&x),
            [
                "Khinjan captured Taliban reported 2021-07-04",
                "Nahrin captured Taliban reported 2021-07-04",
                "Burka captured Taliban reported 2021-07-04"
            ]
        );
        assert!(x
            .mentions
            .iter()
            .all(|m| m.designator == Some(Kind::District)));
    }

    #[test]
    fn negation_and_hedging_stay_in_their_clause() {
        assert_eq!(
            rows_of(
                "en",
                "The Taliban captured Khinjan, but officials denied that Doshi had fallen."
            ),
            [
                "Khinjan captured Taliban reported 2021-07-06",
                // the sentence goes on with the actor of its capture
                "Doshi captured Taliban denied 2021-07-06"
            ]
        );
        let x = run(
            "fr",
            "Les talibans ont pris Khinjan, mais Doshi n'est pas encore tombé.",
        );
        assert_eq!(
            rows(&x),
            [
                "Khinjan captured Taliban reported 2021-07-06",
                "Doshi captured Taliban denied 2021-07-06"
            ]
        );
        assert_eq!(
            rows_of(
                "en",
                "The Taliban reportedly captured Khinjan, while the army retook Doshi."
            ),
            [
                "Khinjan captured Taliban disputed 2021-07-06",
                "Doshi retaken government forces reported 2021-07-06"
            ]
        );
    }

    #[test]
    fn a_later_sentence_revises_an_earlier_one_and_both_are_kept() {
        assert_eq!(
            rows_of(
                "fr",
                "Les talibans ont pris Khinjan le 3 juillet. L'armée a repris Khinjan hier."
            ),
            [
                "Khinjan captured Taliban reported 2021-07-03",
                "Khinjan retaken government forces reported 2021-07-05"
            ]
        );
    }

    #[test]
    fn spellings_of_one_district_land_on_one_place() {
        let x = run(
            "fr",
            "Les talibans ont pris Qala-e-Zal. L'armée a repris Qalai Zal.",
        );
        let ids: Vec<_> = x.mentions.iter().map(|m| m.place()).collect();
        assert!(ids[0].is_some() && ids[0] == ids[1]);
    }

    #[test]
    fn the_province_named_decides_an_ambiguous_name() {
        let alone = run("en", "The Taliban captured Kohistan.");
        assert_eq!(alone.mentions[0].resolution.status, Status::Ambiguous);
        let x = run("en", "In Faryab province, the Taliban captured Kohistan.");
        let m = &x.mentions[1];
        assert_eq!(m.resolution.status, Status::Matched);
        assert_eq!(m.decided_by, "context: Faryab named in the text");
        // a tie of only a district and the city at its centre is the city
        let x = run("en", "The Taliban captured Khanabad.");
        let m = &x.mentions[0];
        assert_eq!(m.resolution.status, Status::Matched);
        let g = resolver().gazetteer();
        assert_eq!(g.place(m.place().unwrap()).kind, Kind::City);
        // and a name before "in" and a province is the one in that province
        let x = run("en", "The Taliban captured Baharak in Takhar.");
        assert_eq!(g.place(x.mentions[0].place().unwrap()).admin1, "Takhar");
    }

    #[test]
    fn ordinary_words_and_word_parts_are_not_places() {
        let x = run("en", "Bank officials at the Bar said Barakzai traders and the kunduz market fled. Said Khinjan was calm.");
        let found: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(found, ["Khinjan"]);
    }

    #[test]
    fn offsets_are_of_the_whole_file() {
        let text = "\u{feff}date: 2021-07-06\nLes talibans ont pris Khinjan.";
        let x = extract(resolver(), text.as_bytes(), "t", &Config::default()).unwrap();
        let e = &x.events[0];
        assert_eq!(&text[e.start..e.end], "Khinjan");
        assert_eq!(x.lang, "fr");
    }

    #[test]
    fn a_province_after_in_qualifies_the_place_before_it() {
        let x = run(
            "en",
            "Government troops retook Dand-e-Ghori near Pul-e-Khumri in Baghlan.",
        );
        let kinds: Vec<_> = x
            .mentions
            .iter()
            .map(|m| m.place().map(|p| resolver().gazetteer().place(p).kind))
            .collect();
        assert_eq!(kinds.last(), Some(&Some(Kind::Province)));
        assert!(x.events.iter().all(|e| e.place != "Baghlan"));
    }

    #[test]
    fn a_place_with_an_event_gets_no_extra_other_row_in_its_sentence() {
        assert_eq!(
            rows_of(
                "en",
                "Fighting was reported in Khinjan, though it was unclear whether Khinjan was calm."
            ),
            ["Khinjan clashes  reported 2021-07-06"]
        );
    }

    #[test]
    fn a_surname_is_not_a_place_but_a_headline_word_is() {
        let x = run(
            "fr",
            "Le porte-parole Ajmal Omar Shinwari a démenti la prise de Khinjan.",
        );
        let found: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(found, ["Khinjan"]);
        let x = run(
            "en",
            "Taliban Fighters Seize Khinjan District\n\nThe Taliban captured Nahrin.",
        );
        assert_eq!(x.events[0].event, EventType::Captured);
    }

    #[test]
    fn reference_points_get_no_event() {
        for t in LANGUAGES {
            for p in t.reference_before {
                let x = run(
                    t.code,
                    &format!(
                        "{} Khinjan, {p} Doshi.",
                        t.events[0].example.trim_end_matches('.')
                    ),
                );
                let events: Vec<&str> = x.events.iter().map(|e| e.place.as_str()).collect();
                assert_eq!(events, ["Khinjan"], "{}: {p}: {:?}", t.code, rows(&x));
                let reference: Vec<&str> = x
                    .mentions
                    .iter()
                    .filter(|m| m.role == Role::Reference)
                    .map(|m| m.text.as_str())
                    .collect();
                assert_eq!(reference, ["Doshi"], "{}: {p}", t.code);
            }
        }
    }

    #[test]
    fn causes_of_the_dev_misses_of_issue_11_give_the_right_rows() {
        let ids = |x: &Extraction| place_ids(x, false);
        // a singular designator is its own name's only: Laghman is not a district
        let x = run(
            "en",
            "The operations we had were in Laghman, Nijrab district in Kapisa and in Ghazni.",
        );
        let got = ids(&x);
        assert!(
            got.contains(&"geonames:7053089 attack".to_string()),
            "{got:?}"
        );
        assert!(
            x.mentions
                .iter()
                .any(|m| m.text == "Laghman" && m.designator.is_none()),
            "{got:?}"
        );
        // a plural designator after a list is still the whole list's
        let x = run("en", "The Taliban captured Khinjan and Doshi districts.");
        assert!(x
            .mentions
            .iter()
            .all(|m| m.designator == Some(Kind::District)));
        // the side that lost control lost the place
        assert_eq!(
            sided(&run(
                "en",
                "The Northern Alliance said the Taliban had lost control of Taloqan."
            )),
            ["Taloqan captured government forces/Taliban reported 2021-07-06"]
        );
        // what could happen is no event
        assert!(rows_of(
            "en",
            "Along with several other districts, Kunduz could fall as early as today."
        )
        .is_empty());
        // a highway is not the place it is named after
        assert_eq!(
            rows_of(
                "en",
                "Troops poured along the Salang Highway and the Taliban captured Khinjan."
            ),
            ["Khinjan captured Taliban reported 2021-07-06"]
        );
        // where a statement was released is no event place
        assert_eq!(
            rows_of(
                "en",
                "Afghan forces recaptured Kohistanat district, the ministry said in a statement released in Maimana."
            ),
            ["Kohistanat retaken government forces reported 2021-07-06"]
        );
        // "a key Kandahar district" and "a district in its bastion of Kandahar" are parts
        // of the province, which is their context, not an event place
        for text in [
            "Taliban fighters captured a key Kandahar district in fresh fighting.",
            "The Taliban captured a key district in its former bastion of Kandahar.",
            "The Taliban captured a key district in its former bastion of Kandahar, close to Kandahar city.",
        ] {
            let x = run("en", text);
            assert!(x.events.is_empty(), "{text}: {:?}", rows(&x));
        }
        // "before" opens a clause of what came after: its event is the place's too
        let x = run(
            "en",
            "The insurgents attacked the district of Dashti Archi from four sides, before seizing full control of the area early Monday.",
        );
        let got = ids(&x);
        assert_eq!(
            got,
            ["geonames:7053313 attack", "geonames:7053313 captured"],
            "{:?}",
            rows(&x)
        );
        // a name going on with an ezafe is not the shorter name it starts with
        assert_eq!(
            rows_of(
                "en",
                "Afghan forces retook Dahna-e-Ghori, Dand-e-Ghori and Khinjan districts."
            ),
            [
                "Dahna-e-Ghori retaken government forces reported 2021-07-06",
                "Khinjan retaken government forces reported 2021-07-06"
            ]
        );
        // a certainty cue that ends its clause governs every event before it
        assert_eq!(
            rows_of(
                "en",
                "Afghan forces have retaken Khanabad several hours after it fell, Afghan officials claimed on Saturday."
            )[0],
            "Khanabad retaken government forces disputed 2021-07-03"
        );
        // "X, a district in …" names the district the sentence before gave events to
        assert_eq!(
            rows_of(
                "en",
                "Government forces recaptured a district in eastern Afghanistan that was overrun by the Taliban, officials said on Monday. Jani Khel, a district in the mountainous province of Paktia, lies on a strategic road."
            ),
            [
                "Jani Khel retaken government forces reported 2021-07-06",
                "Jani Khel captured Taliban reported 2021-07-05"
            ]
        );
        // a definite "the city" goes on into a later clause of its sentence
        assert_eq!(
            rows_of(
                "en",
                "The Taliban were marching towards Kunduz City. The city was captured by the Taliban last year but was retaken shortly afterwards."
            ),
            [
                "Kunduz advance Taliban reported 2021-07-06",
                "Kunduz captured Taliban reported 2021-07-06",
                "Kunduz retaken  reported 2021-07-06"
            ]
        );
        // "retook it" after the one place of the sentence is that place's retaking
        assert_eq!(
            rows_of(
                "en",
                "On Sunday the Taliban captured the Khanabad district from Afghan troops who later retook it in a predawn attack."
            ),
            [
                "Khanabad captured Taliban reported 2021-07-04",
                "Khanabad retaken government forces reported 2021-07-04"
            ]
        );
        // the date a lead about "a district" gives its event dates that event's first row
        assert_eq!(
            rows_of(
                "en",
                "The Taliban have captured a key district in the south after fierce fighting, officials said yesterday. The insurgents have pressed on with their campaign. The fall of Panjwai district comes two days after US forces left."
            ),
            ["Panjwai captured  reported 2021-07-05"]
        );
        // the side that took a place back, taking it again, is taking it back
        assert_eq!(
            rows_of(
                "en",
                "Afghan forces have retaken Taywara district. Officials said the control of the district fell into the hands of the Afghan forces."
            ),
            [
                "Taywara retaken government forces reported 2021-07-06",
                "Taywara retaken government forces reported 2021-07-06"
            ]
        );
    }

    #[test]
    fn failures_seen_in_real_articles_give_the_right_rows() {
        // a list, then "They all fell"
        assert_eq!(rows_of("en", "The districts include Kofab, Argo and Yawan in Badakhshan. They all fell to the Taliban on Sunday."), [
                "Kofab captured Taliban reported 2021-07-04",
                "Argo captured Taliban reported 2021-07-04",
                "Yawan captured Taliban reported 2021-07-04"
            ]);
        // "except X" is the place spared
        let x = run(
            "en",
            "Residents said all districts have fallen to the Taliban except Taluqan, the capital city.",
        );
        assert!(x.events.is_empty(), "{:?}", rows(&x));
        assert!(x
            .mentions
            .iter()
            .any(|m| m.text == "Taluqan" && m.role == Role::Excepted));
        // a province is an event place only as the object
        assert_eq!(
            rows_of("en", "In Ghazni, the Taliban captured Qarabagh district."),
            ["Qarabagh captured Taliban reported 2021-07-06"]
        );
        let x = run("en", "The Taliban took Badakhshan province on Monday.");
        let g = resolver().gazetteer();
        let kinds: Vec<_> = x
            .events
            .iter()
            .map(|e| g.place(e.resolution.best.as_ref().unwrap().place).kind)
            .collect();
        assert_eq!(kinds, [Kind::Province]);
        // a capital named alone is the city, not its district
        let x = run("en", "On Sunday, Taliban forces took over Kunduz.");
        let e = &x.events[0];
        assert_eq!(
            g.place(e.resolution.best.as_ref().unwrap().place).kind,
            Kind::City
        );
        // a facility is not its district
        assert_eq!(
            rows_of(
                "en",
                "US forces vacated Bagram Air Base, and the Taliban captured Khinjan."
            ),
            ["Khinjan captured Taliban reported 2021-07-06"]
        );
        // the date of the clause's verb, not a date of another clause far away
        let x = run(
            "en",
            "Taliban fighters Sunday captured Khinjan after days of fierce fighting with government forces that began when foreign troops left in May.",
        );
        assert_eq!(x.events[0].date.unwrap().to_string(), "2021-07-04");
        // German romanization and Spanish dates
        let x = run(
            "de",
            "Am Morgen sei das Zentrum des Bezirks Chanabad an die Taliban gefallen.",
        );
        let e = &x.events[0];
        assert_eq!(
            g.place(e.resolution.best.as_ref().unwrap().place).id,
            "geonames:7053316"
        );
        assert_eq!(e.event, EventType::Captured);
        assert_eq!(
            rows_of(
                "es",
                "Los talibanes capturaron el distrito de Nirkh el 3 de julio."
            ),
            ["Nirkh captured Taliban reported 2021-07-03"]
        );
        // news outlets and people are not places; a multi-part name is one mention
        assert_eq!(rows_of("en", "A local official told Kabul Now that the Taliban had captured Khinjan. Ajmal Kakar, a reporter, said the Taliban advanced on Nahrin. Maj. Gen. Hibatullah Alizai said the army retook Doshi."), [
                "Khinjan captured Taliban reported 2021-07-06",
                "Nahrin advance Taliban reported 2021-07-06",
                "Doshi retaken government forces reported 2021-07-06"
            ]);
        let x = run("en", "Security forces retook Nawa-i-Barakzayi district.");
        let e = &x.events[0];
        assert_eq!(e.place, "Nawa-i-Barakzayi");
        assert_eq!(
            g.place(e.resolution.best.as_ref().unwrap().place).admin1,
            "Helmand"
        );
        // who acted, not who lost it
        assert_eq!(
            rows_of("en", "Anti-Taliban fighters seized Pul-e-Hisar on Monday."),
            ["Pul-e-Hisar retaken resistance reported 2021-07-05"]
        );
        let x = run(
            "fr",
            "L'armée a repris aux talibans le district de Khinjan.",
        );
        assert_eq!(
            rows(&x),
            ["Khinjan retaken government forces reported 2021-07-06"]
        );
        assert_eq!(
            rows_of("en", "Khinjan was retaken from the Taliban."),
            ["Khinjan retaken  reported 2021-07-06"]
        );
        assert_eq!(
            rows_of(
                "de",
                "Daulatabad sei in der Nacht auf Dienstag an die Taliban gefallen."
            ),
            ["Daulatabad captured Taliban reported 2021-07-06"]
        );
    }

    #[test]
    fn bad_input_is_an_error_with_a_position() {
        let cfg = Config::default();
        let err = |b: &[u8]| {
            extract(resolver(), b, "a.txt", &cfg)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(b"date: 2021-07-06\n\n  \n"),
            "a.txt: empty article, no text to read"
        );
        assert!(err(b"Khinjan\n\x00\x01").starts_with("a.txt:2: column 1: binary file"));
        assert!(
            err(b"Khinjan \xe9t\xe9").starts_with("a.txt:1: column 9: not UTF-8 text (byte 0xe9)")
        );
        assert!(err(b"date: 6 July\nKhinjan").starts_with("a.txt:1: column 7: date \"6 July\""));
    }

    #[test]
    fn fighting_right_after_in_is_the_manner_of_the_clauses_event() {
        // "in heavy fighting" is how the places were lost, not their event: both rows
        assert_eq!(
            rows_of(
                "en",
                "The army lost control of two districts in heavy fighting, including Khinjan and Doshi."
            ),
            [
                "Khinjan captured Taliban reported 2021-07-06",
                "Khinjan clashes Taliban reported 2021-07-06",
                "Doshi captured Taliban reported 2021-07-06",
                "Doshi clashes Taliban reported 2021-07-06"
            ]
        );
        // fighting "in" a place is still the place's event
        assert_eq!(
            rows_of("en", "Heavy fighting was reported in Khinjan."),
            ["Khinjan clashes  reported 2021-07-06"]
        );
    }

    #[test]
    fn a_fuzzy_spelling_of_namesakes_is_a_mention_where_the_text_marks_and_places_it() {
        let ids = |x: &Extraction| place_ids(x, true);
        // "Janikhail" is as near to the Jani Khel of Paktia as to that of Paktika: a
        // district the text names in Paktia
        let x = run(
            "en",
            "The governor of Paktia province said Afghan forces withdrew from the Janikhail district headquarters.",
        );
        assert_eq!(ids(&x), ["Janikhail geonames:7053980 captured"]);
        // a misspelling of a district the text has named is that district, not a namesake
        // of the province named
        let x = run(
            "en",
            "Afghan forces recaptured Kohistanat district in Faryab province. Troops recaptured Kohistant district late on Tuesday.",
        );
        assert_eq!(
            ids(&x),
            [
                "Kohistanat geonames:7053947 retaken",
                "Kohistant geonames:7053947 retaken"
            ]
        );
    }

    #[test]
    fn verbs_joined_by_and_are_events_of_their_one_object() {
        assert_eq!(
            rows_of(
                "en",
                "Hundreds of militants surrounded and attacked Khinjan."
            ),
            [
                "Khinjan attack militants reported 2021-07-06",
                "Khinjan advance militants reported 2021-07-06"
            ]
        );
        // along a chain, and not for nouns so joined
        assert_eq!(
            rows_of("en", "The Taliban surrounded, attacked and seized Khinjan."),
            [
                "Khinjan captured Taliban reported 2021-07-06",
                "Khinjan attack Taliban reported 2021-07-06",
                "Khinjan advance Taliban reported 2021-07-06"
            ]
        );
        assert_eq!(
            rows_of(
                "en",
                "The army persisted in its operations and retook Doshi."
            ),
            ["Doshi retaken  reported 2021-07-06"]
        );
    }

    #[test]
    fn an_attack_the_event_came_after_is_a_second_row() {
        let events = |lang: &str, text: &str| -> Vec<&'static str> {
            run(lang, text)
                .events
                .iter()
                .map(|e| e.event.as_str())
                .collect()
        };
        assert_eq!(
            events(
                "en",
                "Khinjan fell after a Taliban attack on the district centre."
            ),
            ["captured", "attack"]
        );
        assert_eq!(
            events(
                "de",
                "Khinjan war an die Taliban gefallen, nachdem Kämpfer eine Armeebasis gestürmt hatten."
            ),
            ["captured", "attack"]
        );
        // operations are a campaign, not an attack on the place
        assert_eq!(
            events("en", "Khinjan fell following counter-terrorism operations."),
            ["captured"]
        );
    }
}
