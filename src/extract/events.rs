//! Tagging what happened at a place from the cues of its clause: event type, actor and
//! certainty, all from the language's rule tables.

use std::fmt;

use super::lang::{EventType, Pattern, Tables};
use super::text::Sentence;

/// How sure the text is that the event happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Certainty {
    /// Stated as fact.
    Reported,
    /// Hedged, claimed, unconfirmed or contested.
    Disputed,
    /// Denied or negated.
    Denied,
}

impl Certainty {
    /// The contract spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::Reported => "reported",
            Certainty::Disputed => "disputed",
            Certainty::Denied => "denied",
        }
    }
}

impl fmt::Display for Certainty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compiled cues of one language.
#[derive(Debug)]
pub struct Cues {
    events: Vec<(Pattern, EventType)>,
    actors: Vec<(Pattern, &'static str)>,
    denied: Vec<(Pattern, ())>,
    disputed: Vec<(Pattern, ())>,
    negation: Vec<(Pattern, ())>,
    withdrawals: Vec<(Pattern, ())>,
}

/// A cue found in a sentence: tokens `first..last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<T> {
    /// First token.
    pub first: usize,
    /// After the last token.
    pub last: usize,
    /// What the cue means.
    pub value: T,
}

/// The cues found in one sentence.
#[derive(Debug, Default)]
pub struct SentenceCues {
    events: Vec<Hit<EventType>>,
    /// Starts of the fighting cues that an "after" makes the background of another event
    /// (`fell after heavy fighting`, `nach Gefechten … gefallen`, `tras los combates`).
    background: Vec<usize>,
    /// The token spans of those background phrases, from the "after" to the end of the
    /// fighting cue (a date inside one dates the fighting, not the event).
    background_spans: Vec<(usize, usize)>,
    /// Starts of the withdrawal cues among `events` (`retreated from`): their actor is the
    /// side that lost the place.
    withdrawn: Vec<usize>,
    /// Starts of the actors named as the side a place was taken from (`retaken from the
    /// Taliban`, `repris aux talibans`): not who acted.
    losers: Vec<usize>,
    actors: Vec<Hit<&'static str>>,
    denied: Vec<Hit<()>>,
    disputed: Vec<Hit<()>>,
    negation: Vec<Hit<()>>,
    /// First tokens of the place mentions of the sentence.
    places: Vec<usize>,
}

impl SentenceCues {
    /// The actors named in the sentence, in text order (the side a place was taken from
    /// included).
    pub fn actors(&self) -> &[Hit<&'static str>] {
        &self.actors
    }

    /// Each event cue of the sentence with the actor its clause names for it (see [`tag`]),
    /// where it names one: `(first token of the cue, event, actor)`.
    pub fn agents(&self, s: &Sentence) -> Vec<(usize, EventType, &'static str)> {
        self.events
            .iter()
            .map(|h| (h.first, tag(s, self, h.first, h.last)))
            .filter(|(_, t)| !t.actor.is_empty())
            .map(|(first, t)| (first, t.event, t.actor))
            .collect()
    }

    /// The event cues of the sentence, in text order.
    pub fn event_cues(&self) -> impl Iterator<Item = &Hit<EventType>> {
        self.events.iter()
    }

    /// The cues with the first tokens of the sentence's place mentions: a clause that names
    /// a place is about that place, and its certainty cue governs no other clause.
    pub fn with_places(mut self, places: Vec<usize>) -> SentenceCues {
        self.places = places;
        self
    }
}

/// What the cues say about one mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The event type (`Other` when its clause has no event cue).
    pub event: EventType,
    /// The actor label, empty when none.
    pub actor: &'static str,
    /// Reported, disputed or denied.
    pub certainty: Certainty,
    /// The side the place was taken from (or the side attacked, fought), when the clause
    /// names it: `retaken from the Taliban`, `repris aux talibans`, or an actor of the other
    /// side named in the clause beside the one who acted; empty otherwise.
    pub against: &'static str,
    /// Tokens of the event cue, when there is one.
    pub cue: Option<(usize, usize)>,
    /// The tokens of the phrase of the fighting the event came after (`after fierce
    /// overnight fighting`), when the clause has one.
    pub background: Option<(usize, usize)>,
    /// The fighting the event came after, when the clause says so (a second row).
    pub after_fighting: bool,
    /// The event of that background (`after heavy fighting`: clashes, `nachdem Kämpfer eine
    /// Armeebasis gestürmt`: an attack).
    pub after_event: EventType,
}

/// Most tokens between an actor and the event cue after it (`the Taliban on Sunday captured`).
const ACTOR_BEFORE_REACH: usize = 6;
/// Most tokens between an event cue and an actor named after it (`fell to the Taliban`,
/// `retaken on Monday by government forces`).
const ACTOR_AFTER_REACH: usize = 5;
/// Words before an actor that make it the side a place was taken from.
const FROM: [&str; 4] = ["from", "aux", "von", "a"];

/// The side an actor label belongs to in the tables' conflict: the Taliban and other
/// insurgents (0), or the government and the forces fighting the Taliban beside or after it
/// (1); `None` for a label the tables do not know.
pub fn side(label: &str) -> Option<u8> {
    match label {
        "Taliban" | "insurgents" | "militants" => Some(0),
        "government forces" | "militia" | "resistance" => Some(1),
        _ => None,
    }
}

/// The side an actor of `label`'s side fights when the text names no other: the
/// government's forces for the Taliban and the insurgents, the Taliban for the government's
/// forces, militias and the resistance; empty for a label the tables do not know.
pub fn opponent(label: &str) -> &'static str {
    match side(label) {
        Some(0) => "government forces",
        Some(_) => "Taliban",
        None => "",
    }
}

/// True when actor labels `a` and `b` are on the same known side.
pub fn allied(a: &str, b: &str) -> bool {
    matches!((side(a), side(b)), (Some(x), Some(y)) if x == y)
}

/// True when actor labels `a` and `b` are on opposite sides (`Taliban` and `government
/// forces`, `resistance` and `Taliban`).
pub fn opposed(a: &str, b: &str) -> bool {
    matches!((side(a), side(b)), (Some(x), Some(y)) if x != y)
}

/// Words that make the fighting (or attack) after them the background of the clause's event
/// (`fell after heavy fighting`, `gefallen, nachdem Kämpfer eine Armeebasis gestürmt`).
const AFTER: [&str; 9] = [
    "after",
    "following",
    "nach",
    "nachdem",
    "tras",
    "apres",
    "despues",
    "amid",
    "suite",
];
/// Prepositions that make the fighting right after them the way the clause's event came
/// about (`captured in heavy fighting`, `fell during fierce clashes`).
const IN_MANNER: [&str; 2] = ["in", "during"];
/// Most tokens between such a preposition and the fighting cue (`in the heavy fighting`).
const IN_REACH: usize = 3;
/// Words that may stand between that preposition and the fighting cue.
const MANNER_WORDS: [&str; 8] = [
    "the", "heavy", "fierce", "intense", "days", "of", "weeks", "bloody",
];
/// Most tokens between such a word and the fighting cue (`after days of heavy fighting`,
/// `after more than 24 hours of fierce fighting`).
const BACKGROUND_REACH: usize = 8;

/// Most tokens between a negation word and the event cue it negates.
const NEGATION_REACH: usize = 4;

impl Cues {
    /// Compiles the cues of `tables`.
    pub fn new(tables: &Tables) -> Cues {
        fn compile<T: Copy>(cues: &[super::lang::Cue<T>]) -> Vec<(Pattern, T)> {
            cues.iter()
                .map(|c| (Pattern::new(c.pattern), c.value))
                .collect()
        }
        Cues {
            events: compile(tables.events),
            actors: compile(tables.actors),
            denied: compile(tables.denied),
            disputed: compile(tables.disputed),
            negation: compile(tables.negation),
            withdrawals: compile(tables.withdrawals),
        }
    }

    /// Finds the cues of a sentence in the folded tokens.
    pub fn scan(&self, folds: &[&str], s: &Sentence) -> SentenceCues {
        let disputed = scan(&self.disputed, folds, s.first, s.last);
        let inside = |k: usize, hits: &[Hit<()>]| hits.iter().any(|h| h.first <= k && k < h.last);
        // "pas encore" denies, "pas encore été confirmé" only disputes
        let denied: Vec<Hit<()>> = scan(&self.denied, folds, s.first, s.last)
            .into_iter()
            .filter(|h| !inside(h.first, &disputed))
            .collect();
        let negation = scan(&self.negation, folds, s.first, s.last)
            .into_iter()
            .filter(|h| !inside(h.first, &disputed) && !inside(h.first, &denied))
            .collect();
        let withdrawals = scan(&self.withdrawals, folds, s.first, s.last);
        let overlaps = |h: &Hit<EventType>| {
            withdrawals
                .iter()
                .any(|w| w.first < h.last && h.first < w.last)
        };
        let mut events: Vec<Hit<EventType>> = scan(&self.events, folds, s.first, s.last)
            .into_iter()
            .filter(|h| h.value != EventType::Other && !overlaps(h))
            .collect();
        events.extend(withdrawals.iter().map(|w| Hit {
            first: w.first,
            last: w.last,
            value: EventType::Captured,
        }));
        events.sort_by_key(|h| h.first);
        let withdrawn = withdrawals.iter().map(|w| w.first).collect();
        let background_spans: Vec<(usize, usize)> = events
            .iter()
            // an operation the event followed is a campaign, not an attack on the place
            // ("the district fell … following the counter-terrorism operations")
            .filter(|h| {
                h.value == EventType::Clashes
                    || (h.value == EventType::Attack && !folds[h.first].starts_with("operat"))
            })
            .filter_map(|h| {
                let from = h.first.saturating_sub(BACKGROUND_REACH).max(s.first);
                let after = folds[from..h.first]
                    .iter()
                    .position(|w| AFTER.contains(w))
                    .map(|k| (from + k, h.last));
                // "lost control of four provincial capitals in heavy fighting": the fighting
                // an "in" puts right before its cue is the manner of the clause's event
                let near = h.first.saturating_sub(IN_REACH).max(s.first);
                let fighting = h.value == EventType::Clashes;
                after.or_else(|| {
                    folds[near..h.first]
                        .iter()
                        .position(|w| IN_MANNER.contains(w))
                        .filter(|&k| {
                            folds[near + k + 1..h.first]
                                .iter()
                                .all(|w| MANNER_WORDS.contains(w))
                        })
                        .map(|k| (near + k, h.last))
                        .filter(|_| fighting)
                })
            })
            .collect();
        let background = events
            .iter()
            .filter(|h| background_spans.iter().any(|b| b.1 == h.last))
            .map(|h| h.first)
            .collect();
        let actors = scan(&self.actors, folds, s.first, s.last);
        let losers = actors
            .iter()
            .filter(|a| {
                let before = &folds[a.first.saturating_sub(2).max(s.first)..a.first];
                before.iter().any(|w| FROM.contains(w))
            })
            .map(|a| a.first)
            .collect();
        SentenceCues {
            events,
            withdrawn,
            background,
            background_spans,
            losers,
            actors,
            denied,
            disputed,
            negation,
            places: Vec::new(),
        }
    }
}

/// The longest match at each position, left to right, without overlaps; earlier table
/// entries win ties.
fn scan<T: Copy>(pats: &[(Pattern, T)], folds: &[&str], first: usize, last: usize) -> Vec<Hit<T>> {
    let folds = &folds[..last];
    let mut out = Vec::new();
    let mut i = first;
    while i < last {
        let mut best: Option<Hit<T>> = None;
        for (p, v) in pats {
            if let Some(end) = p.match_at(folds, i) {
                if end > i && best.is_none_or(|b| end > b.last) {
                    best = Some(Hit {
                        first: i,
                        last: end,
                        value: *v,
                    });
                }
            }
        }
        match best {
            Some(h) => {
                out.push(h);
                i = h.last;
            }
            None => i += 1,
        }
    }
    out
}

fn distance(a: (usize, usize), b: (usize, usize)) -> usize {
    if a.1 <= b.0 {
        b.0 - a.1
    } else {
        a.0.saturating_sub(b.1)
    }
}

/// Tags the mention at tokens `first..last` of sentence `s`: the event cue nearest to it in
/// its clause (a cue before it wins a tie), the actor nearest before that cue (else after
/// it), and the certainty cues of the same clause.
pub fn tag(s: &Sentence, cues: &SentenceCues, first: usize, last: usize) -> Tag {
    let (lo, hi) = s.clause_range(s.clause_of(first));
    let within = |h: usize| lo <= h && h < hi;
    // fighting "after" which something happened is its background: the other event of the
    // clause is the mention's, and the fighting a second row
    let foreground = |h: &&Hit<EventType>| {
        !cues.background.contains(&h.first)
            || !cues
                .events
                .iter()
                .any(|o| within(o.first) && !cues.background.contains(&o.first))
    };
    let after_event = cues
        .events
        .iter()
        .find(|h| within(h.first) && cues.background.contains(&h.first))
        .map(|h| h.value);
    let background = after_event.is_some();
    let after_event = after_event.unwrap_or(EventType::Clashes);
    let event = cues
        .events
        .iter()
        .filter(|h| within(h.first))
        .filter(foreground)
        .min_by_key(|h| {
            // verbs mostly come before the place they act on (active voice in English and
            // French), so a cue after the mention counts double
            let d = distance((h.first, h.last), (first, last));
            let after = h.first > first;
            (if after { 2 * d + 1 } else { d }, after)
        });
    let Some(event) = event else {
        return Tag {
            event: EventType::Other,
            actor: "",
            against: "",
            certainty: Certainty::Reported,
            cue: None,
            background: None,
            after_fighting: false,
            after_event: EventType::Clashes,
        };
    };
    let acted = cues
        .actors
        .iter()
        .filter(|a| within(a.first) && a.last <= event.first)
        .filter(|a| event.first - a.last <= ACTOR_BEFORE_REACH)
        // an actor is the subject of the first event cue after it: "die von den Taliban
        // überrannten Bezirke zurückerobert" (the Taliban overran, not retook)
        .filter(|a| {
            !cues
                .events
                .iter()
                .any(|h| a.last <= h.first && h.first < event.first)
        })
        .max_by_key(|a| a.first)
        .or_else(|| {
            cues.actors
                .iter()
                .filter(|a| !cues.losers.contains(&a.first))
                .filter(|a| within(a.first) && a.first >= event.last)
                .filter(|a| a.first - event.last <= ACTOR_AFTER_REACH)
                .min_by_key(|a| a.first)
        });
    let actor = acted.map_or("", |a| a.value);

    // the side it was taken from: an actor the clause marks so ("from the Taliban"), else
    // one of the other side than the actor's in the clause ("clashes between the Taliban and
    // government forces"), the nearest to the event cue
    let others = || {
        cues.actors
            .iter()
            .filter(move |a| within(a.first) && Some(a.first) != acted.map(|b| b.first))
    };
    let nearest = |a: &&Hit<&'static str>| distance((a.first, a.last), (event.first, event.last));
    let against = others()
        .filter(|a| cues.losers.contains(&a.first) && !allied(a.value, actor))
        .min_by_key(nearest)
        .or_else(|| {
            others()
                .filter(|a| opposed(a.value, actor))
                .min_by_key(nearest)
        })
        .map_or("", |a| a.value);
    // a certainty cue governs the first event cue after it in the clause, else every one
    // before it: "fighting to retake Kunduz and denied that Taloqan had fallen", "reports
    // that Burka was captured are false", "Afghan forces have retaken Khanabad several hours
    // after it fell, Afghan officials claimed"
    let owns = |h: &Hit<()>| {
        let in_clause = || cues.events.iter().filter(|e| within(e.first));
        match in_clause()
            .filter(|e| e.first >= h.last)
            .min_by_key(|e| e.first)
        {
            Some(e) => e == event,
            None => event.last <= h.first,
        }
    };
    // a clause with a certainty cue but no event cue nor place ("…, but this has not yet
    // been confirmed", "Selon certains rapports, …") governs the nearest event cue before it in the
    // sentence, else the first after it
    let orphan = |h: &Hit<()>| {
        let (a, b) = s.clause_range(s.clause_of(h.first));
        if (a, b) == (lo, hi)
            || cues.events.iter().any(|e| a <= e.first && e.first < b)
            || cues.places.iter().any(|&p| a <= p && p < b)
        {
            return false;
        }
        cues.events
            .iter()
            .filter(|e| e.last <= h.first)
            .max_by_key(|e| e.last)
            .or_else(|| {
                cues.events
                    .iter()
                    .filter(|e| e.first >= h.last)
                    .min_by_key(|e| e.first)
            })
            .is_some_and(|e| e == event)
    };
    let governs = |h: &Hit<()>| (within(h.first) && owns(h)) || orphan(h);
    let denied = cues.denied.iter().any(governs)
        || cues.negation.iter().any(|n| {
            within(n.first) && n.last <= event.first && event.first - n.last <= NEGATION_REACH
        });
    let certainty = if denied {
        Certainty::Denied
    } else if cues.disputed.iter().any(governs) {
        Certainty::Disputed
    } else {
        Certainty::Reported
    };
    // "government forces retreated from Khinjan": the side that withdrew lost it to the
    // other
    let (actor, against) = if cues.withdrawn.contains(&event.first) {
        (opponent(actor), actor)
    } else {
        (actor, against)
    };
    Tag {
        event: event.value,
        actor,
        against,
        certainty,
        cue: Some((event.first, event.last)),
        background: cues
            .background_spans
            .iter()
            .find(|b| within(b.0))
            .copied()
            .filter(|_| background),
        after_fighting: background && event.value != after_event,
        after_event,
    }
}
