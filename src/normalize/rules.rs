//! The romanization-variant rules behind [`skeleton`](super::skeleton), as data.
//!
//! Each rule rewrites one folded word; the rules run in table order. Every rule lists the
//! spellings it joins and a pair it must keep apart, and the tests below check both.

/// Where in a word a rule's pattern may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Anywhere in the word.
    Anywhere,
    /// Only at the end of the word.
    End,
    /// Only where the next letter is not a vowel (or at the end of the word).
    BeforeConsonant,
    /// Only where the previous letter is a consonant.
    AfterConsonant,
}

/// One rewrite of the romanization table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Short name, for documentation and test messages.
    pub name: &'static str,
    /// Folded pattern to find.
    pub from: &'static str,
    /// Replacement.
    pub to: &'static str,
    /// Where the pattern may match.
    pub at: Position,
    /// The word must be at least this many bytes long for the rule to apply.
    pub min_len: usize,
    /// Spellings of one name that share a skeleton thanks to this rule.
    pub joins: &'static [&'static str],
    /// Two different names the rule must not merge.
    pub keeps_apart: (&'static str, &'static str),
}

const fn rule(
    name: &'static str,
    from: &'static str,
    to: &'static str,
    at: Position,
    joins: &'static [&'static str],
    keeps_apart: (&'static str, &'static str),
) -> Rule {
    Rule {
        name,
        from,
        to,
        at,
        min_len: 0,
        joins,
        keeps_apart,
    }
}

use Position::{AfterConsonant, Anywhere, BeforeConsonant, End};

/// The romanization table, applied in order to each folded word.
#[rustfmt::skip]
pub static RULES: &[Rule] = &[
    rule("long ee", "ee", "i", Anywhere, &["Jajee", "Jaji"], ("Jajee", "Jaja")),
    rule("long oo", "oo", "u", Anywhere, &["Nooristan", "Nuristan"], ("Noor", "Nar")),
    rule("doubled y", "yy", "y", Anywhere, &["Sayyidabad", "Sayidabad"], ("Sayyid", "Said")),
    rule("french tch", "tch", "c", Anywhere, &["Tcharikar", "Charikar"], ("Charikar", "Sharan")),
    rule("french dj", "dj", "j", Anywhere, &["Djalalabad", "Jalalabad"], ("Jalalabad", "Dalalabad")),
    // French writes the w of Dawud between a and ou not at all: Daoud, Dehraoud
    rule("french aou", "aou", "awu", Anywhere, &["Daoud", "Dawud"], ("Daoud", "Dud")),
    rule("french ou", "ou", "u", Anywhere, &["Koundouz", "Kunduz"], ("Kunduz", "Kandahar")),
    // before sh/ch become c: the c of Chichkah's "chk" or Kushk's "shk" is no English "ck"
    rule("ck as k", "ck", "k", Anywhere, &["Backlan", "Baklan"], ("Chichkah", "Shikah")),
    rule("sh as ch", "sh", "c", Anywhere, &["Shindand", "Chindand"], ("Shindand", "Sindand")),
    rule("ch", "ch", "c", Anywhere, &["Chaghcharan", "Tchaghtcharan"], ("Chahar", "Kahar")),
    rule("kh", "kh", "x", Anywhere, &["Khanabad", "Khaanabad"], ("Khost", "Kost")),
    // English writers put a vowel before the w of Khwaja: Khawaja (Pakistani usage), Khuwaja
    rule("khawaj as khwaj", "xawaj", "xwaj", Anywhere, &["Khawaja Omari", "Khwaja Omari"], ("Khawak", "Khak")),
    rule("khuwaj as khwaj", "xuwaj", "xwaj", Anywhere, &["Khuwaja Sabz Posh", "Khwaja Sabz Posh"], ("Khuwak", "Khuk")),
    rule("silent w of khwa", "xw", "x", Anywhere, &["Khwaja Ghar", "Khaja Ghar"], ("Khwaja", "Kawaja")),
    rule("gh", "gh", "g", Anywhere, &["Ghazni", "Gazni"], ("Ghazni", "Ghorak")),
    rule("dh as z", "dh", "z", Anywhere, &["Dhakir", "Zakir"], ("Zari", "Dari")),
    rule("ph as f", "ph", "f", Anywhere, &["Pharah", "Farah"], ("Farah", "Parah")),
    rule("q as k", "q", "k", Anywhere, &["Qunduz", "Kunduz"], ("Qarqin", "Khaqin")),
    rule("ow before consonant", "ow", "u", BeforeConsonant, &["Ghowr", "Ghor"], ("Ghor", "Gahar")),
    rule("aw before consonant", "aw", "u", BeforeConsonant, &["Dawlatabad", "Dowlatabad"], ("Dawlat", "Dalat")),
    rule("au before consonant", "au", "u", BeforeConsonant, &["Daulatabad", "Dowlatabad"], ("Daulat", "Dalat")),
    rule("v as w", "v", "w", Anywhere, &["Varas", "Waras"], ("Waras", "Baras")),
    rule("final h after a", "ah", "a", End, &["Darah", "Dara"], ("Dara", "Darab")),
    rule("final h after e", "eh", "e", End, &["Deh Salah", "De Salah"], ("Deh", "Del")),
    rule("final h after i", "ih", "i", End, &["Dih Salah", "Di Salah"], ("Dih", "Dir")),
    rule("final h after o", "oh", "o", End, &["Kuh", "Koh"], ("Koh", "Kol")),
    rule("final h after u", "uh", "u", End, &["Kuh Safi", "Ku Safi"], ("Kuh", "Kur")),
    Rule { min_len: 4, ..rule("final e of a long word as a", "e", "a", End, &["Qaleh", "Qala"], ("Qala", "Qali")) },
    rule("ey diphthong as ay", "ey", "ay", BeforeConsonant, &["Zharey", "Zharay"], ("Zharey", "Zhare")),
    rule("e as i", "e", "i", Anywhere, &["Hesar", "Hisar"], ("Hisar", "Hasar")),
    rule("o as u", "o", "u", Anywhere, &["Pol", "Pul"], ("Pul", "Pal")),
    rule("y after consonant as i", "y", "i", AfterConsonant, &["Paktya", "Paktia"], ("Paktya", "Pakta")),
    rule("y before consonant as i", "y", "i", BeforeConsonant, &["Aybak", "Aibak"], ("Aibak", "Abak")),
];

/// Words that official lists write in Persian or Arabic interchangeably (lower, upper, first,
/// second…), mapped to one form before the letter rules: `Yaftal-e Sufla` = `Yaftal Payan`.
pub static WORD_SYNONYMS: &[(&str, &str)] = &[
    ("sufla", "payin"),
    ("sufli", "payin"),
    ("sofla", "payin"),
    ("pain", "payin"),
    ("payan", "payin"),
    ("payeen", "payin"),
    ("ulya", "bala"),
    ("olya", "bala"),
    ("hulya", "bala"),
    ("aval", "awal"),
    ("awwal", "awal"),
    ("dowom", "duwum"),
    ("dovom", "duwum"),
    ("duwom", "duwum"),
    ("dwum", "duwum"),
];

/// The canonical form of a folded word under [`WORD_SYNONYMS`].
pub(super) fn synonym(word: &str) -> &str {
    WORD_SYNONYMS
        .iter()
        .find(|(w, _)| *w == word)
        .map_or(word, |(_, c)| c)
}

/// The conjunction "and" between two names: `Tala wa Barfak`, `Tala-o-Barfak`, `Kuran u Munjan`.
pub(super) fn is_conjunction_word(word: &str) -> bool {
    matches!(word, "wa" | "va" | "o" | "u" | "w")
}

/// Ezafe particles written as words of their own: `Pul-e-Hesar`, `Qala-ye Zal`, and the
/// Persian یه after a word that ends in a vowel (`قلعه یه شاهی`, read `qla yeh shahi`).
pub(super) fn is_ezafe_word(word: &str) -> bool {
    matches!(word, "e" | "i" | "ye" | "yi" | "y" | "ee" | "yeh")
}

/// Drops an ezafe vowel glued to the end of a word that another word follows:
/// `Puli Khumri`, `Qalai Zal`, `Dehe Salah`.
pub(super) fn trim_glued_ezafe(word: &mut String) {
    if word.len() > 3 && (word.ends_with('e') || word.ends_with('i')) {
        let stem = &word[..word.len() - 1];
        if !stem.ends_with(['e', 'i', 'o', 'u', 'y']) {
            word.truncate(word.len() - 1);
        }
    }
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

impl Rule {
    /// Applies the rule to one folded word.
    pub fn apply(&self, word: &str) -> String {
        self.rewrite(word).unwrap_or_else(|| word.to_string())
    }

    /// Whether the rule's pattern may be in a word with these letters (`letters_of`): false when
    /// one of its bytes is not.
    pub fn may_match(&self, letters: u128) -> bool {
        self.from
            .bytes()
            .all(|b| b >= 128 || letters & (1u128 << b) != 0)
    }

    /// The rule applied to one folded word, or `None` where it cannot change it (no new
    /// string made: most rules match few words).
    pub fn rewrite(&self, word: &str) -> Option<String> {
        if word.len() < self.min_len || !word.contains(self.from) {
            return None;
        }
        Some(self.rewrite_matching(word))
    }

    /// [`Rule::rewrite`] of a word that contains the rule's pattern.
    fn rewrite_matching(&self, word: &str) -> String {
        match self.at {
            Position::Anywhere => word.replace(self.from, self.to),
            Position::End => match word.strip_suffix(self.from) {
                Some(stem) => format!("{stem}{}", self.to),
                None => word.to_string(),
            },
            Position::AfterConsonant => replace_where(word, self.from, self.to, |i| {
                i > 0 && !is_vowel(word.as_bytes()[i - 1])
            }),
            Position::BeforeConsonant => replace_where(word, self.from, self.to, |i| {
                let next = word.as_bytes().get(i + self.from.len()).copied();
                next.is_none_or(|b| !is_vowel(b))
            }),
        }
    }
}

/// The set of ASCII bytes in a word, one bit each (for [`Rule::may_match`]).
pub fn letters_of(word: &str) -> u128 {
    word.bytes()
        .filter(|&b| b < 128)
        .fold(0, |set, b| set | (1u128 << b))
}

/// `word` with each occurrence of `from` for which `at` (given its byte offset) holds
/// replaced by `to`, scanning left to right (words are ASCII after fold).
fn replace_where(word: &str, from: &str, to: &str, at: impl Fn(usize) -> bool) -> String {
    let bytes = word.as_bytes();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from.as_bytes()) && at(i) {
            out.push_str(to);
            i += from.len();
            continue;
        }
        out.push(bytes[i] as char);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::skeleton;
    use super::*;

    #[test]
    fn every_rule_joins_its_variants() {
        for rule in RULES {
            let key = skeleton(rule.joins[0]);
            for variant in rule.joins {
                assert_eq!(skeleton(variant), key, "rule {:?}: {variant}", rule.name);
            }
        }
    }

    #[test]
    fn every_rule_keeps_its_pair_apart() {
        for rule in RULES {
            let (a, b) = rule.keeps_apart;
            assert_ne!(skeleton(a), skeleton(b), "rule {:?}: {a} / {b}", rule.name);
        }
    }

    #[test]
    fn every_rule_changes_something_it_lists() {
        // a rule whose examples never exercise it proves nothing
        for (i, rule) in RULES.iter().enumerate() {
            let touched = rule.joins.iter().any(|v| {
                super::super::fold(v).split(' ').any(|w| {
                    let before = RULES[..i].iter().fold(w.to_string(), |w, r| r.apply(&w));
                    rule.apply(&before) != before
                })
            });
            assert!(
                touched,
                "rule {:?} is not exercised by its examples",
                rule.name
            );
        }
    }

    #[test]
    fn conjunctions_and_ezafe_words() {
        assert_eq!(skeleton("Tala-o-Barfak"), skeleton("Tālah wa Barfak"));
        assert_eq!(skeleton("Kuran-o-Munjan"), skeleton("Kuran wa Munjan"));
        assert_ne!(skeleton("Tala Barfak"), skeleton("Tala wa Barfak"));
        assert!(is_conjunction_word("va") && !is_conjunction_word("e"));
        assert!(is_ezafe_word("ye") && !is_ezafe_word("wa"));
        // Arabic script writes no short vowels: the consonant keys meet
        let key = |s: &str| super::super::consonants(&skeleton(s));
        assert_eq!(key("قلعه یه شاهی"), key("Qal'ah-ye Shahi"));
        assert_ne!(key("قلعه یه شاهی"), key("Qal'ah Yakh Shahi"));
    }

    #[test]
    fn word_synonyms_join_persian_and_arabic_words() {
        assert_eq!(skeleton("Yaftal Payan"), skeleton("Yaftal-e Suflá"));
        assert_eq!(
            skeleton("Darah-e-Suf Hulya"),
            skeleton("Darah-ye Suf-e Bala")
        );
        assert_ne!(skeleton("Yaftal Payan"), skeleton("Yaftal Bala"));
        for (word, canonical) in WORD_SYNONYMS {
            assert_eq!(synonym(word), *canonical);
        }
    }

    #[test]
    fn positions() {
        let ow = RULES
            .iter()
            .find(|r| r.name == "ow before consonant")
            .unwrap();
        assert_eq!(ow.apply("ghowr"), "ghur");
        assert_eq!(ow.apply("owa"), "owa");
        assert_eq!(skeleton("Jawzjan"), skeleton("Jowzjan"));
        assert_eq!(skeleton("Bamyan"), skeleton("Bamian"));
        let ah = RULES.iter().find(|r| r.name == "final h after a").unwrap();
        assert_eq!(ah.apply("salah"), "sala");
        assert_eq!(ah.apply("ahmad"), "ahmad");
    }
}
