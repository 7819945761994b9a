//! Tokens, sentences and clauses of an article, with byte offsets into its text.

use crate::normalize::fold;

use super::lang::{Pattern, Tables};

/// One word of the text.
#[derive(Debug, Clone)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset after the last byte.
    pub end: usize,
    /// The folded word (lower case, no accents, Latin script).
    pub fold: String,
    /// Starts with an upper-case letter, or is in a script without case.
    pub cap: bool,
    /// True when a digit starts the word.
    pub digit: bool,
    /// Only spaces or a hyphen separate it from the previous token (a name may go on).
    pub joined: bool,
}

const APOSTROPHES: [char; 5] = ['\'', '\u{2019}', '\u{2018}', '\u{02BC}', '`'];
/// French elisions split off before an apostrophe (`l'armée`, `d'Imam Sahib`).
const ELISIONS: [&str; 12] = [
    "l", "d", "s", "n", "j", "m", "c", "t", "qu", "jusqu", "lorsqu", "puisqu",
];

/// Splits `text` into words; an apostrophe joins (`Qal'ah`) unless it follows a French
/// elision or starts an English possessive `'s`.
pub fn tokenize(text: &str, base: usize) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut cur: Option<(usize, usize)> = None;
    let mut last_end = 0usize;
    let push = |s: usize, e: usize, out: &mut Vec<Token>, last_end: &mut usize| {
        let word = &text[s..e];
        let between = &text[*last_end..s];
        let joined = !out.is_empty()
            && !between.contains("\n\n")
            && between
                .chars()
                .all(|c| c == ' ' || c == '-' || c == '\u{2011}' || c == '\n')
            && between.chars().filter(|&c| c == '-').count() <= 1;
        let first = word.chars().next().unwrap_or(' ');
        out.push(Token {
            start: base + s,
            end: base + e,
            fold: fold(word).replace(' ', ""),
            cap: first.is_uppercase() || (first.is_alphabetic() && !first.is_lowercase()),
            digit: first.is_ascii_digit(),
            joined,
        });
        *last_end = e;
    };
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() || is_mark(c) {
            cur = Some(match cur {
                Some((s, _)) => (s, i + c.len_utf8()),
                None => (i, i + c.len_utf8()),
            });
            continue;
        }
        if let Some((s, e)) = cur {
            if APOSTROPHES.contains(&c) {
                let next = chars.peek().map(|&(_, n)| n);
                if next.is_some_and(char::is_alphabetic) {
                    let before = fold(&text[s..e]);
                    let possessive = text[i + c.len_utf8()..].chars().take(2).collect::<String>();
                    let is_poss = possessive.starts_with(['s', 'S'])
                        && !possessive.chars().nth(1).is_some_and(char::is_alphanumeric);
                    if !ELISIONS.contains(&before.as_str()) && !is_poss {
                        // an apostrophe inside a word: keep it
                        cur = Some((s, i + c.len_utf8()));
                        continue;
                    }
                }
            }
            push(s, e, &mut out, &mut last_end);
            cur = None;
        }
    }
    if let Some((s, e)) = cur {
        push(s, e, &mut out, &mut last_end);
    }
    out
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{200C}')
}

/// A sentence: a token range and its byte range.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// First token.
    pub first: usize,
    /// After the last token.
    pub last: usize,
    /// Clause starts (token indices, the first is `first`).
    pub clauses: Vec<usize>,
}

impl Sentence {
    /// The clause (index into `clauses`) holding token `t`.
    pub fn clause_of(&self, t: usize) -> usize {
        self.clauses.iter().rposition(|&c| c <= t).unwrap_or(0)
    }

    /// The token range of clause `k`.
    pub fn clause_range(&self, k: usize) -> (usize, usize) {
        let end = self.clauses.get(k + 1).copied().unwrap_or(self.last);
        (self.clauses[k], end)
    }
}

/// Splits tokens into sentences (at `.`, `!`, `?` before a capital or digit, at blank
/// lines) and sentences into clauses (at `;` and at the language's clause-break words).
pub fn sentences(text: &str, base: usize, tokens: &[Token], tables: &Tables) -> Vec<Sentence> {
    let breaks: Vec<Pattern> = tables
        .clause_breaks
        .iter()
        .map(|p| Pattern::new(p))
        .collect();
    let folds: Vec<&str> = tokens.iter().map(|t| t.fold.as_str()).collect();
    let mut out = Vec::new();
    let mut first = 0;
    let mut clauses = vec![0];
    let mut in_aside = false;
    for i in 0..tokens.len() {
        let next = tokens.get(i + 1);
        let between = match next {
            Some(n) => &text[tokens[i].end - base..n.start - base],
            None => "",
        };
        let ends = next.is_none()
            || between.contains("\n\n")
            || (between.contains('\n')
                && next.is_some_and(|n| n.cap)
                && line_is_heading(text, base, tokens[i].end, between))
            || (between.contains(['.', '!', '?', '\u{2026}'])
                && next.is_some_and(|n| {
                    n.cap || n.digit || between.contains(['\u{ab}', '"', '\u{201c}'])
                })
                && !is_abbreviation(&tokens[i], tables, between)
                // a German ordinal day: `am 1. Mai`
                && !(tokens[i].digit
                    && next.is_some_and(|n| tables.months.iter().any(|m| m.1 == n.fold)))
                // a number's thousands or decimals: `260.000 Einwohner`, `2.5 km`
                && !(tokens[i].digit
                    && next.is_some_and(|n| n.digit)
                    && !between.contains(char::is_whitespace)));
        if ends {
            out.push(Sentence {
                first,
                last: i + 1,
                clauses: std::mem::take(&mut clauses),
            });
            first = i + 1;
            clauses = vec![first];
            in_aside = false;
            continue;
        }
        let n = i + 1;
        // `;`, dashes, and the colon after a dateline's agency: `PUL-I-KHUMRI (Pajhwok):`;
        // a pair of spaced dashes sets off an aside (`three districts - A, B and C - before`),
        // which stays in the clause around it
        let dash = between.contains(" - ") || between.contains(" \u{2013} ");
        let aside = dash && (in_aside || closes_aside(text, base, tokens[i].end, between));
        if dash {
            in_aside = !in_aside && aside;
        }
        let semi =
            between.contains([';', '\u{2014}']) || (dash && !aside) || between.contains("):");
        let word_break = breaks.iter().any(|b| b.match_at(&folds, n).is_some());
        if (semi || word_break) && clauses.last() != Some(&n) {
            clauses.push(n);
        }
    }
    out
}

/// True when a spaced dash after byte `end` has a partner before the sentence ends, so the
/// two set off an aside.
fn closes_aside(text: &str, base: usize, end: usize, between: &str) -> bool {
    let after = end - base + between.len();
    let rest = &text[after.min(text.len())..];
    let stop = rest.find(['.', '!', '?', '\n']).unwrap_or(rest.len());
    let rest = &rest[..stop];
    rest.contains(" - ") || rest.contains(" \u{2013} ")
}

/// A short line (a headline, a dateline) or one ending in punctuation ends a sentence at
/// its line break; a long line ending in a word is hard-wrapped text that goes on.
fn line_is_heading(text: &str, base: usize, end: usize, between: &str) -> bool {
    let end = end - base;
    let line_start = text[..end].rfind('\n').map_or(0, |p| p + 1);
    let line = &text[line_start..end];
    line.trim().chars().count() < 60 || between.trim().ends_with([':', ')', '"', '\u{bb}'])
}

fn is_abbreviation(t: &Token, tables: &Tables, between: &str) -> bool {
    let dot_first = between.trim_start().starts_with('.');
    dot_first
        && ((t.cap && t.fold.len() == 1 && !t.digit)
            || tables.abbreviations.contains(&t.fold.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::lang::{de, en};

    #[test]
    fn words_keep_byte_offsets_and_split_elisions() {
        let text = "d'Imam Sahib, Qal\u{2018}ah-ye Zāl and Kunduz's";
        let t = tokenize(text, 0);
        let words: Vec<&str> = t.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(
            words,
            [
                "d",
                "Imam",
                "Sahib",
                "Qal\u{2018}ah",
                "ye",
                "Zāl",
                "and",
                "Kunduz",
                "s"
            ]
        );
        assert!(t[4].joined && t[5].joined && !t[3].joined);
        assert_eq!(t[5].fold, "zal");
    }

    #[test]
    fn sentences_end_at_stops_not_at_abbreviations() {
        let text = "Gen. Rahimi said Khinjan fell. Then Doshi fell; Nahrin held, but Burka fell.";
        let t = tokenize(text, 0);
        let s = sentences(text, 0, &t, &en::TABLES);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].clauses.len(), 3);
        // a full stop inside a number ends nothing; one after it, before a number, does
        let text = "Die Stadt mit 260.000 Einwohnern war umzingelt. 2.5 km weiter fiel Doshi.";
        let t = tokenize(text, 0);
        assert_eq!(sentences(text, 0, &t, &de::TABLES).len(), 2);
    }

    #[test]
    fn a_pair_of_dashes_is_an_aside_a_single_dash_a_break() {
        let text = "Forces retook three districts - Doshi, Nahrin and Burka - on Monday. \
                    KABUL (Reuters) - Taliban fighters took Khinjan.";
        let t = tokenize(text, 0);
        let s = sentences(text, 0, &t, &en::TABLES);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].clauses.len(), 1, "the aside stays in its clause");
        assert_eq!(s[1].clauses.len(), 2, "a dateline dash breaks the clause");
    }
}
