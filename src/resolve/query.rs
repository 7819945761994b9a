//! Query forms: the query with its designator stripped, a trailing province split off as a
//! qualifier, and the names of `A (B)` and `A - B` on their own.

use crate::gazetteer::{Kind, PlaceId};
use crate::index::NameForm;
use crate::normalize::{
    consonants, designator_kind, skeleton, skeleton_of_folded, strip_designator,
};

use super::score::{fuzzy_ceiling, SCORE_SKELETON};
use super::{Options, Resolver};

/// One form of a query, with its keys.
pub(super) struct Query {
    pub(super) raw: String,
    pub(super) folded: String,
    pub(super) skeleton: String,
    pub(super) consonants: String,
    pub(super) kind: Option<Kind>,
    /// written in a script without letter case (Arabic): its names without case are
    /// transliterated as it is
    pub(super) caseless: bool,
    /// written in Latin letters only, as most names are: its edits from a name are typos
    pub(super) latin: bool,
}

impl Query {
    /// The highest score a fuzzy match of this query can have: below a skeleton match, and
    /// the nearer it the longer the query (see [`fuzzy_ceiling`]).
    pub(super) fn fuzzy_ceiling(&self) -> f64 {
        SCORE_SKELETON * fuzzy_ceiling(self.folded.len().max(self.skeleton.len()))
    }

    pub(super) fn new(text: &str) -> Query {
        let d = strip_designator(text);
        let mut q = Query::from_folded(&d.folded, d.kind);
        q.raw = text.trim().to_string();
        q.caseless = text
            .chars()
            .any(|c| c.is_alphabetic() && !c.is_uppercase() && !c.is_lowercase());
        q.latin = text.chars().filter(|c| c.is_alphabetic()).all(is_latin);
        q
    }

    pub(super) fn from_folded(folded: &str, kind: Option<Kind>) -> Query {
        let skeleton = skeleton_of_folded(folded);
        Query {
            raw: folded.to_string(),
            consonants: consonants(&skeleton),
            folded: folded.to_string(),
            skeleton,
            kind,
            caseless: false,
            latin: true,
        }
    }
}

/// Whether a letter is of the Latin script (ASCII, Latin-1, the Latin Extended blocks; their
/// × and ÷ are no letters, so they never come here).
fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}

impl Resolver {
    /// Splits a trailing province or country name off a folded query:
    /// `surubi paktika` → (`surubi`, Paktika).
    pub(super) fn split_qualifier(&self, folded: &str) -> Option<(String, PlaceId)> {
        let words: Vec<&str> = folded.split(' ').collect();
        for k in 1..words.len().min(4) {
            let tail = skeleton_of_folded(&words[words.len() - k..].join(" "));
            let area = self
                .index
                .by_skeleton(&tail)
                .iter()
                .map(|&n| self.index.name_without_keys(n))
                .filter(|e| e.form != NameForm::Part)
                .map(|e| e.place)
                .filter(|&p| matches!(self.gazetteer.kind(p), Kind::Province | Kind::Country))
                .min();
            let rest = words[..words.len() - k].join(" ");
            // "la province du Panjshir" names the province: a designator qualifies nothing
            if designator_kind(&rest).is_some() {
                return None;
            }
            if let Some(area) = area {
                return Some((rest, area));
            }
        }
        None
    }

    /// `Gulran (Herat)` where no place of the gazetteer is called Herat but the places the
    /// outer name finds have Herat as their province: the outer name, and the province
    /// label that qualifies it.
    pub(super) fn split_label(&self, query: &str, options: &Options) -> Option<(String, Label)> {
        let (open, close) = (query.find('(')?, query.rfind(')')?);
        if open >= close || query.contains(" - ") {
            return None;
        }
        let outer = format!("{} {}", &query[..open], &query[close + 1..]);
        let (outer, inner) = (outer.trim(), query[open + 1..close].trim());
        let label = Label {
            skeleton: skeleton_of_folded(&strip_designator(inner).folded),
            name: inner.to_string(),
        };
        if outer.is_empty() || label.skeleton.is_empty() {
            return None;
        }
        let found = self.score_query(&Query::new(outer), options, 0.0);
        found
            .iter()
            .any(|c| c.score >= options.threshold && self.in_label(c.place, &label))
            .then(|| (outer.to_string(), label))
    }

    /// Whether a place's province field is the label.
    pub(super) fn in_label(&self, place: PlaceId, label: &Label) -> bool {
        let admin1 = self.gazetteer.place(place).admin1;
        !admin1.is_empty() && skeleton(admin1) == label.skeleton
    }
}

/// A province named only as the province field of places (`Gulran (Herat)` against a
/// gazetteer of districts).
pub(super) struct Label {
    /// The label's skeleton.
    pub(super) skeleton: String,
    /// The label as the query wrote it.
    pub(super) name: String,
}

/// For `Name (Other Name)` and `Name - Other Name`, each name on its own.
pub(super) fn paren_variants(query: &str) -> Vec<String> {
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

/// Abbreviated name words and what they stand for, and whether the abbreviation needs its
/// full stop to be read so (a lone letter does: "N. Charleston", not the "e" of "Pul e").
const ABBREVIATIONS: &[(&str, &[&str], bool)] = &[
    ("st", &["Saint", "Sankt"], false),
    ("ste", &["Sainte"], false),
    ("mt", &["Mount", "Mont"], false),
    ("ft", &["Fort"], false),
    ("pt", &["Point", "Port", "Pointe"], false),
    ("sta", &["Santa"], true),
    ("sto", &["Santo"], true),
    ("pto", &["Puerto"], true),
    ("cd", &["Ciudad"], true),
    ("gral", &["General"], true),
    ("n", &["North"], true),
    ("s", &["South", "San"], true),
    ("e", &["East"], true),
    ("w", &["West"], true),
];

/// Most forms [`abbreviation_variants`] gives for one query.
const MAX_ABBREVIATION_VARIANTS: usize = 6;

/// The query with its abbreviated name words written out ("Mt. Juliet": "Mount Juliet",
/// "St-Jean": "Saint-Jean", "Sankt-Jean"), each with the abbreviation and the word it was
/// read as; empty when the query has none. Only a word followed by another is read so.
pub(super) fn abbreviation_variants(query: &str) -> Vec<(String, String, &'static str)> {
    let mut out: Vec<(String, String, &'static str)> = Vec::new();
    let mut start = 0;
    // each word: letters (and a full stop after them) up to a space or a hyphen
    while start < query.len() {
        let rest = &query[start..];
        let len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let word = &rest[..len];
        let after = &rest[len..];
        let stop = after.starts_with('.');
        let next = &after[usize::from(stop)..];
        let followed = next.starts_with([' ', '-'])
            && next
                .trim_start_matches([' ', '-'])
                .starts_with(char::is_alphabetic);
        let at_start = start == 0 || query[..start].ends_with([' ', '-', '(']);
        let known = ABBREVIATIONS
            .iter()
            .find(|(a, _, _)| a.eq_ignore_ascii_case(word));
        if let Some((_, words, needs_stop)) = known {
            if at_start && followed && (stop || !needs_stop) {
                let cut = start + len + usize::from(stop);
                for full in *words {
                    // a full stop before a space goes; before a hyphen too (St.-Jean)
                    let text = format!("{}{full}{}", &query[..start], &query[cut..]);
                    out.push((text, query[start..cut].to_string(), full));
                }
            }
        }
        start += len.max(1);
        while start < query.len() && !query.is_char_boundary(start) {
            start += 1;
        }
    }
    out.truncate(MAX_ABBREVIATION_VARIANTS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviated_name_words_are_written_out() {
        let texts = |q: &str| -> Vec<String> {
            abbreviation_variants(q).into_iter().map(|v| v.0).collect()
        };
        assert_eq!(texts("Mt. Juliet"), ["Mount Juliet", "Mont Juliet"]);
        assert_eq!(
            texts("St-Jean-de-Luz"),
            ["Saint-Jean-de-Luz", "Sankt-Jean-de-Luz"]
        );
        assert_eq!(texts("N. Charleston"), ["North Charleston"]);
        assert_eq!(texts("Pto. Montt"), ["Puerto Montt"]);
        // a lone letter without its full stop, a word at the end, a word inside another
        assert!(texts("Pul e Khumri").is_empty());
        assert!(texts("Kabul St").is_empty());
        assert!(texts("Stalingrad").is_empty());
        assert!(texts("Mastuj").is_empty());
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
}
