//! Pure text keys for matching place names: [`fold`], [`skeleton`], [`consonants`] and
//! designator stripping ([`strip_designator`]).
//!
//! ```
//! use gazmap::normalize::{fold, skeleton};
//! assert_eq!(fold("Pul-e-Ḩişār"), "pul e hisar");
//! assert_eq!(skeleton("Pol-e-Hesar"), skeleton("Puli Hisar"));
//! ```

mod designators;
mod readings;
mod rules;
mod script;

pub use designators::{bare_name, designator_kind, strip_designator, Designated};
pub(crate) use readings::readings;
pub use rules::{Position, Rule, RULES};

/// The version of the rules that make a name's keys ([`fold`], [`skeleton`], [`consonants`]
/// and the designator stripping of [`bare_name`]). Index files record it and are refused
/// when it differs; raise it with any change to what those functions return. A test pins
/// the keys of a few hundred probe names, so a change that forgets to raise it fails.
pub const KEY_RULES_VERSION: u32 = 5;

/// Folds a name for comparison: script to Latin, accents and case removed, apostrophes
/// dropped, any other punctuation turned into single spaces. Arabic script is read letter by
/// letter as its romanizations write it (its vowel letters by position), Cyrillic after the
/// Russian spellings of Persian sounds (`дж`, `гх`) are read as such.
///
/// Persian and Arabic letter variants are unified before transliteration (ي/ی, ك/ک, ة/ه),
/// tatweel and harakat are dropped and ZWNJ separates words.
pub fn fold(text: &str) -> String {
    // ASCII needs no unifying nor transliteration (most words of an article)
    if text.is_ascii() {
        return fold_latin(text);
    }
    let mut prepared = String::with_capacity(text.len());
    for c in text.chars() {
        if let Some(mapped) = unify_arabic(c) {
            if mapped != '\0' {
                prepared.push(mapped);
            }
        } else {
            prepared.push(c);
        }
    }
    let mut read = prepared;
    if read.chars().any(script::is_arabic_letter) {
        read = script::arabic_to_latin(&read);
    }
    if read.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)) {
        read = script::cyrillic_digraphs(&read);
    }
    let latin = deunicode::deunicode_with_tofu(&read, " ");
    fold_latin(&latin)
}

/// The last step of [`fold`]: lower-case ASCII letters and digits, apostrophes dropped, any
/// other run of characters one space.
fn fold_latin(latin: &str) -> String {
    let mut out = String::with_capacity(latin.len());
    let mut pending_space = false;
    for c in latin.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '`' || c == '"' {
            // apostrophes (ʼ ‘ ’ arrive here as ') join: Qal'ah -> qalah
        } else {
            pending_space = true;
        }
    }
    out
}

/// Maps Arabic-script code points to the form transliteration expects; `'\0'` means drop.
fn unify_arabic(c: char) -> Option<char> {
    Some(match c {
        '\u{06CC}' | '\u{0649}' | '\u{0626}' => '\u{064A}', // yeh variants → ي
        '\u{06A9}' | '\u{06AA}' => '\u{0643}',              // keheh → ك
        '\u{0629}' | '\u{06C0}' | '\u{06C1}' => '\u{0647}', // teh marbuta, heh variants → ه
        '\u{0623}' | '\u{0625}' | '\u{0622}' | '\u{0671}' => '\u{0627}', // alef variants → ا
        '\u{0624}' => '\u{0648}',                           // waw with hamza → و
        '\u{0640}' => '\0',                                 // tatweel
        '\u{064B}'..='\u{065F}' | '\u{0670}' => '\0',       // harakat
        '\u{200C}' => ' ',                                  // ZWNJ separates words
        '\u{200B}' | '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}' => '\0',
        _ => return None,
    })
}

/// The romanization-insensitive key of a name: [`fold`], then the [`RULES`] table, then
/// spaces removed. Different romanizations of one Persian name share it.
pub fn skeleton(text: &str) -> String {
    skeleton_of_folded(&fold(text))
}

/// [`skeleton`] of a string that is already folded.
pub fn skeleton_of_folded(folded: &str) -> String {
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut joined = String::with_capacity(folded.len());
    let last = words.len().saturating_sub(1);
    for (i, word) in words.iter().enumerate() {
        if i != last && i != 0 && rules::is_ezafe_word(word) {
            continue;
        }
        if i != last && i != 0 && rules::is_conjunction_word(word) {
            joined.push_str("wa");
            continue;
        }
        let mut w = rules::synonym(word).to_string();
        if i != last {
            rules::trim_glued_ezafe(&mut w);
        }
        let mut letters = rules::letters_of(&w);
        for rule in RULES.iter() {
            if !rule.may_match(letters) {
                continue;
            }
            if let Some(rewritten) = rule.rewrite(&w) {
                w = rewritten;
                letters = rules::letters_of(&w);
            }
        }
        joined.push_str(&w);
    }
    dedup_letters(&joined)
}

/// A looser key: the [`skeleton`] without vowels, `h` and `y` (the first letter kept), as
/// Persian script writes short vowels not at all and romanizers drop or add `h` and `y`
/// freely (Chahar/Char Asyab, Jalrez/Jalrayz). The `h` of `zh` stays: ژ is not ز, and
/// Zhari is not Zari.
pub fn consonants(skeleton: &str) -> String {
    let mut out = String::with_capacity(skeleton.len());
    let mut prev = None;
    for (i, c) in skeleton.chars().enumerate() {
        let zh = c == 'h' && prev == Some('z');
        if i == 0 || zh || !matches!(c, 'a' | 'i' | 'u' | 'h' | 'y') {
            out.push(c);
        }
        prev = Some(c);
    }
    dedup_letters(&out)
}

fn dedup_letters(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = None;
    for c in s.chars() {
        if prev != Some(c) {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

/// Support for the tests of the key rules.
#[cfg(test)]
pub(crate) mod check {
    /// Checks that `key` gives the two names of each pair one key (`same`) or two keys.
    pub(crate) fn pairs(key: impl Fn(&str) -> String, same: bool, pairs: &[(&str, &str)]) {
        for (a, b) in pairs {
            if same {
                assert_eq!(key(a), key(b), "{a} / {b}");
            } else {
                assert_ne!(key(a), key(b), "{a} / {b}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fold_latin() {
        assert_eq!(fold("Pul-e-Hesar"), "pul e hesar");
        assert_eq!(fold("Bāmyān"), "bamyan");
        assert_eq!(fold("  Qal‘ah-ye   Zāl "), "qalah ye zal");
        assert_eq!(fold("Mazār-i-Sharīf"), "mazar i sharif");
        assert_eq!(fold("KHOST (MATUN)"), "khost matun");
        assert_eq!(fold(""), "");
        assert_eq!(fold("---"), "");
    }

    #[test]
    fn fold_persian_variants_agree() {
        // Arabic yeh/kaf vs Persian yeh/keheh, tatweel, harakat, ZWNJ
        assert_eq!(fold("پل خمری"), fold("پل خمري"));
        assert_eq!(fold("کابل"), fold("كابل"));
        assert_eq!(fold("کابـــل"), fold("کابل"));
        assert_eq!(fold("کَابُل"), fold("کابل"));
        assert_eq!(fold("پل\u{200C}خمری"), fold("پل خمری"));
        assert_eq!(fold("کابل"), "kabl");
    }

    #[test]
    fn skeleton_joins_romanizations() {
        let groups: &[&[&str]] = &[
            &[
                "Pol-e-Hesar",
                "Pul-e-Hesar",
                "Pul-i-Hisar",
                "Puli Hisar",
                "Pul-e Ḩişār",
            ],
            &[
                "De Salah",
                "Deh-e-Salah",
                "Dih Salah",
                "Deh Salah",
                "DEHE SALAH",
            ],
            &["Kaboul", "Kabul", "Kābul"],
            &["Koundouz", "Kunduz", "Qunduz", "Kondoz"],
            &["Djalalabad", "Jalalabad", "Jalālābād"],
            &[
                "Pul-e Khumri",
                "Puli Khumri",
                "Pol-e Khomri",
                "PULE KHUMRI",
                "PUL-I-KHUMRI",
            ],
            &[
                "Qala-e-Zal",
                "Qalai Zal",
                "Qal'ah-ye Zal",
                "Qala-i-Zal",
                "Qaleh-ye Zal",
            ],
            &["Darrah", "Dara", "Darah"],
            &["Mazar-i-Sharif", "Mazar-e Sharif", "Mazari Sharif"],
        ];
        for group in groups {
            let key = skeleton(group[0]);
            for name in group.iter() {
                assert_eq!(skeleton(name), key, "{name} vs {}", group[0]);
            }
        }
    }

    #[test]
    fn skeleton_keeps_apart() {
        let pairs = [
            ("Kabul", "Kunduz"),
            ("Khost", "Khash"),
            ("Baghlan", "Balkh"),
            ("Herat", "Hirat-e Kohna"),
            ("Shindand", "Shinwar"),
            ("Andar", "Andarab"),
        ];
        check::pairs(skeleton, false, &pairs);
    }

    #[test]
    fn consonants_drop_inner_vowels() {
        assert_eq!(consonants("andarab"), "andrb");
        let key = |name: &str| consonants(&skeleton(name));
        let joined = [
            ("Dawlatabad", "Dowlatabad"),
            ("Char Asiab", "Chahar Asyab"),
            ("Jalrez", "Jalrayz"),
            ("Zheray", "Zhari"),
        ];
        check::pairs(key, true, &joined);
        check::pairs(key, false, &[("Herat", "Rat"), ("Zhari", "Zari")]);
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn skeleton_is_ascii_without_spaces(s in "\\PC{0,40}") {
            let k = skeleton(&s);
            prop_assert!(k.is_ascii() && !k.contains(' '));
        }
    }
}
