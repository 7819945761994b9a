//! Rule tables per language: event cues, actors, certainty cues, negation, clause breaks,
//! month and weekday names, relative date words, designators and words that are never
//! places. Adding a language is adding one file of tables and listing it in [`LANGUAGES`].
//!
//! Patterns are written in folded form (lower case, no accents, apostrophes and hyphens as
//! word breaks) as space-separated tokens: `word` matches that token, `stem*` any token
//! starting with `stem`, and a lone `*` up to three tokens of anything
//! (`took * control` matches "took full control").

pub mod de;
pub mod en;
pub mod es;
pub mod fr;

use crate::kind::Kind;

/// What happened at a place, as the events CSV writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// Taken by an armed group.
    Captured,
    /// Taken back.
    Retaken,
    /// Fighting without a change of hands.
    Clashes,
    /// Forces moving on the place.
    Advance,
    /// An attack, raid or assault.
    Attack,
    /// Named with no event: a cue that says nothing happened there ("a meeting took place
    /// in"); never written to the events CSV (such places are mentions with role `named`).
    Other,
}

impl EventType {
    /// Every event type, in the order the summary lists them.
    pub const ALL: [EventType; 6] = [
        EventType::Captured,
        EventType::Retaken,
        EventType::Clashes,
        EventType::Advance,
        EventType::Attack,
        EventType::Other,
    ];

    /// The contract spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Captured => "captured",
            EventType::Retaken => "retaken",
            EventType::Clashes => "clashes",
            EventType::Advance => "advance",
            EventType::Attack => "attack",
            EventType::Other => "other",
        }
    }
}

/// A date expression relative to the article date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relative {
    /// That many days before the article date (0 is the article date), day precision.
    DaysAgo(i64),
    /// That many weeks before the article's week, written as the month of that week's
    /// Thursday (month precision; the contract has no week precision).
    WeeksAgo(i64),
    /// That many months before the article's month, month precision.
    MonthsAgo(i64),
}

/// A rule-table entry with the sentence that shows it at work (checked by the tests).
#[derive(Debug, Clone, Copy)]
pub struct Cue<T: 'static> {
    /// What the entry means.
    pub value: T,
    /// The pattern (see the module documentation).
    pub pattern: &'static str,
    /// A sentence in which the pattern has this meaning.
    pub example: &'static str,
}

/// Shorthand for building a [`Cue`] in a table.
pub(crate) const fn cue<T>(value: T, pattern: &'static str, example: &'static str) -> Cue<T> {
    Cue {
        value,
        pattern,
        example,
    }
}

/// All rule tables of one language.
#[derive(Debug)]
pub struct Tables {
    /// ISO 639-1 code (`en`, `fr`, `de`, `es`).
    pub code: &'static str,
    /// Frequent words that tell the language apart (language detection).
    pub function_words: &'static [&'static str],
    /// Event cues: verb families with their inflections.
    pub events: &'static [Cue<EventType>],
    /// Actor words, with the label written in the `actor` column.
    pub actors: &'static [Cue<&'static str>],
    /// Cues that the event is denied.
    pub denied: &'static [Cue<()>],
    /// Cues that the event is reported but disputed, hedged or unconfirmed.
    pub disputed: &'static [Cue<()>],
    /// Cues that the side before them lost the place after them (`retreated from`, `se sont
    /// retirées du`, `zogen sich aus … zurück`, `se retiraron de`): a capture by the other
    /// side, against the one that withdrew.
    pub withdrawals: &'static [Cue<()>],
    /// Negation words: before an event cue in its clause, the event is denied.
    pub negation: &'static [Cue<()>],
    /// Words that start a new clause (negation and hedging stop there).
    pub clause_breaks: &'static [&'static str],
    /// Month names and abbreviations (1 = January), folded.
    pub months: &'static [(i8, &'static str)],
    /// Weekday names (1 = Monday), folded.
    pub weekdays: &'static [(i8, &'static str)],
    /// Relative date words.
    pub relative: &'static [Cue<Relative>],
    /// Words after which a month name alone is a date (`in July`, `en juillet`).
    pub month_leads: &'static [&'static str],
    /// Ordinal suffixes glued to a day number (`3rd`, `1er`).
    pub ordinal_suffixes: &'static [&'static str],
    /// Words between a day, its month and its year (`3 de julio de 2021`).
    pub date_links: &'static [&'static str],
    /// Spellings of the language's romanization and the English ones the gazetteer uses,
    /// tried in order on a folded name the gazetteer does not know (`dsch` → `j`:
    /// `Dschaghatu` is Jaghatu).
    pub respellings: &'static [(&'static str, &'static str)],
    /// Designators written before a name (`district of`, `le district de`).
    pub designators_before: &'static [(Kind, &'static str)],
    /// Designators written after a name (`district`, `province`).
    pub designators_after: &'static [(Kind, &'static str)],
    /// Words that make the place after them a reference point, not where the event
    /// happened (`north of Kabul`, `à 150 km de Kaboul`).
    pub reference_before: &'static [&'static str],
    /// Words that are never places even when a gazetteer has them (`de`, `Bank`).
    pub stopwords: &'static [&'static str],
    /// Abbreviations whose full stop does not end a sentence, folded.
    pub abbreviations: &'static [&'static str],
}

/// The languages `extract` knows, the first being the default.
pub const LANGUAGES: [&Tables; 4] = [&en::TABLES, &fr::TABLES, &de::TABLES, &es::TABLES];

/// The tables of a language code, if known.
pub fn tables(code: &str) -> Option<&'static Tables> {
    LANGUAGES.iter().copied().find(|t| t.code == code)
}

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Elem {
    Exact(String),
    Prefix(String),
    Gap,
}

/// A compiled pattern that matches a run of folded tokens.
#[derive(Debug, Clone)]
pub struct Pattern {
    elems: Vec<Elem>,
    /// The first byte a match must start with, a quick rejection before comparing.
    first: Option<u8>,
}

/// Most tokens a lone `*` skips.
const MAX_GAP: usize = 3;

impl Pattern {
    /// Compiles a pattern written as the module documentation says.
    pub fn new(text: &str) -> Pattern {
        let elems = text
            .split_whitespace()
            .map(|w| {
                if w == "*" {
                    Elem::Gap
                } else if let Some(stem) = w.strip_suffix('*') {
                    Elem::Prefix(stem.to_string())
                } else {
                    Elem::Exact(w.to_string())
                }
            })
            .collect::<Vec<_>>();
        let first = match elems.first() {
            Some(Elem::Exact(w) | Elem::Prefix(w)) => w.bytes().next(),
            _ => None,
        };
        Pattern { elems, first }
    }

    /// True when the pattern is one token (exact or stem).
    pub fn is_single(&self) -> bool {
        self.elems.len() == 1
    }

    /// The end (exclusive) of a match starting at `tokens[at]`, not going past `tokens.len()`.
    pub fn match_at<S: AsRef<str>>(&self, tokens: &[S], at: usize) -> Option<usize> {
        if let Some(b) = self.first {
            if tokens.get(at)?.as_ref().as_bytes().first() != Some(&b) {
                return None;
            }
        }
        match_elems(&self.elems, tokens, at)
    }
}

fn match_elems<S: AsRef<str>>(elems: &[Elem], tokens: &[S], at: usize) -> Option<usize> {
    let Some((first, rest)) = elems.split_first() else {
        return Some(at);
    };
    match first {
        Elem::Gap => (0..=MAX_GAP)
            .filter(|k| at + k <= tokens.len())
            .find_map(|k| match_elems(rest, tokens, at + k)),
        Elem::Exact(w) => {
            let t = tokens.get(at)?.as_ref();
            (t == w)
                .then(|| match_elems(rest, tokens, at + 1))
                .flatten()
        }
        Elem::Prefix(stem) => {
            let t = tokens.get(at)?.as_ref();
            t.starts_with(stem.as_str())
                .then(|| match_elems(rest, tokens, at + 1))
                .flatten()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_stems_words_and_gaps() {
        let toks = ["the", "taliban", "took", "full", "control", "of", "it"];
        assert_eq!(Pattern::new("took * control").match_at(&toks, 2), Some(5));
        assert_eq!(Pattern::new("talib*").match_at(&toks, 1), Some(2));
        assert_eq!(Pattern::new("took over").match_at(&toks, 2), None);
        assert_eq!(Pattern::new("the").match_at(&toks, 1), None);
    }

    #[test]
    fn table_patterns_are_folded() {
        for t in LANGUAGES {
            let all = t
                .events
                .iter()
                .map(|c| c.pattern)
                .chain(t.actors.iter().map(|c| c.pattern))
                .chain(t.denied.iter().map(|c| c.pattern))
                .chain(t.disputed.iter().map(|c| c.pattern))
                .chain(t.negation.iter().map(|c| c.pattern))
                .chain(t.withdrawals.iter().map(|c| c.pattern))
                .chain(t.relative.iter().map(|c| c.pattern))
                .chain(t.stopwords.iter().copied())
                .chain(t.clause_breaks.iter().copied())
                .chain(t.months.iter().map(|m| m.1))
                .chain(t.weekdays.iter().map(|m| m.1))
                .chain(t.month_leads.iter().copied())
                .chain(t.reference_before.iter().copied());
            for p in all {
                let ok = p
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == ' ' || c == '*');
                assert!(ok, "{}: pattern {p:?} is not folded", t.code);
            }
        }
    }
}
