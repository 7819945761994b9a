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

use std::collections::{HashMap, HashSet};
use std::io::Write;

use crate::error::{Error, Result};
use crate::gazetteer::{Gazetteer, Kind, PlaceId};
use crate::resolve::{Context, Options, Resolution, Resolver, Status};

pub use dates::DateValue;
pub use events::Certainty;
pub use lang::{EventType, Tables};
pub use mentions::Found;

/// The columns of the events CSV `extract` writes, in order.
pub const EVENTS_HEADER: [&str; 15] = [
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
];

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
    /// The resolution in the article's context.
    pub resolution: Resolution,
    /// Which context decided it: `name`, `designator: district`, `context: Kunduz named
    /// in the text`, `ambiguous` or `unmatched`.
    pub decided_by: String,
    /// Index of its sentence.
    pub sentence: usize,
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
    /// The place resolved; its status says whether `place_*` columns are filled.
    pub resolution: Resolution,
}

impl Event {
    /// The CSV record in [`EVENTS_HEADER`] order.
    pub fn record(&self, g: &Gazetteer) -> Vec<String> {
        let place = match self.resolution.status {
            Status::Matched => self.resolution.best.as_ref().map(|b| g.place(b.place)),
            _ => None,
        };
        let field =
            |f: fn(crate::gazetteer::PlaceRef<'_>) -> String| place.map(f).unwrap_or_default();
        vec![
            self.date.map(|d| d.to_string()).unwrap_or_default(),
            self.place.clone(),
            self.event.as_str().to_string(),
            self.actor.to_string(),
            self.certainty.as_str().to_string(),
            format!("{:.3}", self.confidence),
            field(|p| p.id.to_string()),
            field(|p| p.name.to_string()),
            field(|p| p.kind.as_str().to_string()),
            field(|p| p.admin1.to_string()),
            field(|p| p.admin2.to_string()),
            self.source.clone(),
            self.start.to_string(),
            self.end.to_string(),
            self.sentence.clone(),
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
                value.trim()
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

/// Extracts the place mentions and events of one article given as bytes.
pub fn extract(
    resolver: &Resolver,
    bytes: &[u8],
    source: &str,
    config: &Config,
) -> Result<Extraction> {
    let text = decode(bytes, source)?;
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
    let mut cache: HashMap<(&str, Option<Kind>), Resolution> = HashMap::new();
    let first_pass: Vec<Resolution> = spans
        .iter()
        .map(|s| {
            let name = slice(tokens[s.first].start, tokens[s.last - 1].end);
            cache
                .entry((name, s.designator))
                .or_insert_with(|| {
                    let ctx = Context {
                        favoured: vec![],
                        kind: s.designator,
                    };
                    resolver.resolve_in_context(name, &config.options, &ctx)
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
        let r = cache
            .entry((name, s.designator))
            .or_insert_with(|| {
                let ctx = Context {
                    favoured: favoured.clone(),
                    kind: s.designator,
                };
                resolver.resolve_in_context(name, &config.options, &ctx)
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
        });
    }

    let folds: Vec<&str> = tokens.iter().map(|t| t.fold.as_str()).collect();
    let cues = events::Cues::new(tables);
    let relative = dates::relative_patterns(tables);
    let mut out = Vec::new();
    let mut seen: HashSet<(usize, String, EventType)> = HashSet::new();
    let mut m = 0;
    for (k, s) in sentences.iter().enumerate() {
        let here: Vec<(usize, &mentions::Span)> = (m..mentions.len())
            .take_while(|&i| mentions[i].sentence == k)
            .map(|i| (i, &spans[i]))
            .collect();
        m += here.len();
        if here.is_empty() {
            continue;
        }
        let sc = cues.scan(&folds, s);
        let sentence_rows = out.len();
        let found_dates =
            dates::find_dates_in(&tokens, &folds, s.first, s.last, tables, &relative, date);
        let sentence = collapse(slice(
            tokens[s.first].start,
            sentence_end(body, base, &tokens, s),
        ));
        for (i, span) in here {
            let mention = &mentions[i];
            let r = &mention.resolution;
            let Some(best) = &r.best else { continue };
            if r.status == Status::Matched && !is_event_place(g.place(best.place).kind) {
                continue;
            }
            if is_dateline(&mention.text, span.first, s) {
                continue;
            }
            let mut tag = events::tag(s, &sc, span.first, span.last);
            if is_reference(tables, &folds, span.first) {
                tag = events::Tag {
                    event: EventType::Other,
                    actor: "",
                    certainty: Certainty::Reported,
                };
            }
            let clause = s.clause_range(s.clause_of(span.first));
            let near = |d: &&dates::DateMention| {
                let dist = |d: &dates::DateMention| {
                    if d.last <= span.first {
                        span.first - d.last
                    } else {
                        d.first.saturating_sub(span.last)
                    }
                };
                dist(d)
            };
            let when = found_dates
                .iter()
                .filter(|d| clause.0 <= d.first && d.first < clause.1)
                .min_by_key(near)
                .or_else(|| found_dates.iter().min_by_key(near))
                .map(|d| d.value)
                .or(date);
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
                certainty: tag.certainty,
                confidence,
                source: source.to_string(),
                start: mention.start,
                end: mention.end,
                sentence: sentence.clone(),
                resolution: r.clone(),
            });
        }
    }
    Ok(Extraction {
        source: source.to_string(),
        lang: tables.code,
        date,
        mentions,
        events: out,
    })
}

/// A place named as a reference point ("150 km north of Kabul") is not where the sentence's
/// event happened.
fn is_reference(tables: &Tables, folds: &[&str], first: usize) -> bool {
    tables.reference_before.iter().any(|p| {
        let n = p.split(' ').count();
        first >= n && lang::Pattern::new(p).match_at(folds, first - n) == Some(first)
    })
}

/// A place in capitals opening a sentence's first clause, like `KABUL (Reuters) -`, says
/// where the report was filed, not where something happened.
fn is_dateline(text: &str, first: usize, s: &text::Sentence) -> bool {
    first == s.first
        && s.clauses.len() > 1
        && text.chars().any(char::is_alphabetic)
        && !text.chars().any(char::is_lowercase)
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
pub fn write_events_csv<W: Write>(w: W, g: &Gazetteer, events: &[Event]) -> Result<()> {
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
    use super::lang::{Pattern, LANGUAGES};
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

    fn rows(x: &Extraction) -> Vec<String> {
        x.events
            .iter()
            .map(|e| {
                format!(
                    "{} {} {} {} {}",
                    e.place,
                    e.event.as_str(),
                    e.actor,
                    e.certainty,
                    e.date.map(|d| d.to_string()).unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn every_event_cue_has_a_sentence_that_it_tags() {
        for t in LANGUAGES {
            for c in t.events {
                assert!(
                    matches(c.pattern, c.example),
                    "{}: {:?} not in {:?}",
                    t.code,
                    c.pattern,
                    c.example
                );
                let x = run(t.code, c.example);
                assert!(
                    !x.events.is_empty(),
                    "{}: no event in {:?}",
                    t.code,
                    c.example
                );
                assert!(
                    x.events.iter().all(|e| e.event == c.value),
                    "{}: {:?} in {:?} gave {:?}",
                    t.code,
                    c.pattern,
                    c.example,
                    rows(&x)
                );
            }
        }
    }

    #[test]
    fn every_actor_and_certainty_cue_has_a_sentence_that_it_tags() {
        for t in LANGUAGES {
            for c in t.actors {
                assert!(matches(c.pattern, c.example), "{}: {:?}", t.code, c.pattern);
                let x = run(t.code, c.example);
                assert!(
                    x.events.iter().any(|e| e.actor == c.value),
                    "{}: {:?} gave {:?}",
                    t.code,
                    c.example,
                    rows(&x)
                );
            }
            let groups = [
                (t.denied, Certainty::Denied),
                (t.disputed, Certainty::Disputed),
                (t.negation, Certainty::Denied),
            ];
            for (cues, certainty) in groups {
                for c in cues {
                    assert!(matches(c.pattern, c.example), "{}: {:?}", t.code, c.pattern);
                    let x = run(t.code, c.example);
                    assert!(
                        !x.events.is_empty() && x.events.iter().all(|e| e.certainty == certainty),
                        "{}: {:?} in {:?} gave {:?}",
                        t.code,
                        c.pattern,
                        c.example,
                        rows(&x)
                    );
                }
            }
        }
    }

    #[test]
    fn every_relative_date_word_has_a_sentence_that_it_dates() {
        let article = DateValue::parse("2021-07-06").unwrap();
        for t in LANGUAGES {
            for c in t.relative {
                assert!(matches(c.pattern, c.example), "{}: {:?}", t.code, c.pattern);
                let want = dates::resolve_relative(c.value, article);
                let x = run(t.code, c.example);
                assert!(
                    !x.events.is_empty() && x.events.iter().all(|e| e.date == want),
                    "{}: {:?} gave {:?}",
                    t.code,
                    c.example,
                    rows(&x)
                );
            }
        }
    }

    #[test]
    fn every_month_and_weekday_name_dates_an_event() {
        for t in LANGUAGES {
            let verb = t.events[0]
                .example
                .split(' ')
                .take(3)
                .collect::<Vec<_>>()
                .join(" ");
            for (m, name) in t.months {
                let x = run(t.code, &format!("{verb} Khinjan 3 {name}."));
                let want = format!("2021-{m:02}-03");
                assert_eq!(
                    x.events[0].date.unwrap().to_string(),
                    want,
                    "{}: {name}",
                    t.code
                );
            }
            for (d, name) in t.weekdays {
                let x = run(t.code, &format!("{verb} Khinjan {name}."));
                let want = dates::resolve_weekday(*d, DateValue::parse("2021-07-06").unwrap());
                assert_eq!(x.events[0].date, want, "{}: {name}", t.code);
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
        let x = run(
            "en",
            "The Taliban captured Khinjan, but officials denied that Doshi had fallen.",
        );
        assert_eq!(
            rows(&x),
            [
                "Khinjan captured Taliban reported 2021-07-06",
                "Doshi captured  denied 2021-07-06"
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
                "Doshi captured  denied 2021-07-06"
            ]
        );
        let x = run(
            "en",
            "The Taliban reportedly captured Khinjan, while the army retook Doshi.",
        );
        assert_eq!(
            rows(&x),
            [
                "Khinjan captured Taliban disputed 2021-07-06",
                "Doshi retaken government forces reported 2021-07-06"
            ]
        );
    }

    #[test]
    fn a_later_sentence_revises_an_earlier_one_and_both_are_kept() {
        let x = run(
            "fr",
            "Les talibans ont pris Khinjan le 3 juillet. L'armée a repris Khinjan hier.",
        );
        assert_eq!(
            rows(&x),
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
        let alone = run("en", "The Taliban captured Khanabad.");
        assert_eq!(alone.mentions[0].resolution.status, Status::Ambiguous);
        let x = run("en", "In Kunduz province, the Taliban captured Khanabad.");
        let m = &x.mentions[1];
        assert_eq!(m.resolution.status, Status::Matched);
        assert_eq!(m.decided_by, "context: Kunduz named in the text");
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
        let x = run(
            "en",
            "Fighting was reported in Khinjan, though it was unclear whether Khinjan was calm.",
        );
        assert_eq!(rows(&x), ["Khinjan clashes  reported 2021-07-06"]);
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
                let other: Vec<&str> = x
                    .events
                    .iter()
                    .filter(|e| e.event == EventType::Other)
                    .map(|e| e.place.as_str())
                    .collect();
                assert_eq!(other, ["Doshi"], "{}: {p}: {:?}", t.code, rows(&x));
            }
        }
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
}
