//! Scores and similarities: the score of each way a name can match, the similarity of two
//! keys, and the adjustments context and designators make.

use super::Candidate;
use crate::index::osa_with;

pub(super) const SCORE_EXACT: f64 = 1.0;
pub(super) const SCORE_ALTERNATE: f64 = 0.99;
pub(super) const SCORE_FOLD: f64 = 0.98;
/// Equal folds once spaces are removed: the words are split differently.
pub(super) const SCORE_JOINED: f64 = 0.97;
pub(super) const SCORE_SKELETON: f64 = 0.93;
/// Score cap for a match on one part of a compound name.
pub(super) const SCORE_PART: f64 = 0.86;
/// Penalty for a name that the query's words spell in another order: more than the margin,
/// so the name as written leads where there is one.
pub(super) const WORD_ORDER_PENALTY: f64 = 0.04;
/// Words of a query looked up in their other orders, at most.
pub(super) const MAX_ORDERED_WORDS: usize = 3;
/// Letters of each word of a query looked up in its other orders, at least.
pub(super) const MIN_ORDERED_WORD: usize = 3;
/// Penalty for matching a query read with another language's romanization table.
pub(super) const READING_PENALTY: f64 = 0.01;
/// Penalty for matching only a parenthesised or outer part of a query: more than the margin
/// above an alternate name's score, so that a name the gazetteer lists with its parenthesis
/// (*Andenne (Landenne)*, an alternate name of Landenne) beats the name outside it.
pub(super) const VARIANT_PENALTY: f64 = 0.04;
/// Weight of a consonant-key similarity against a full one.
pub(super) const CONSONANT_WEIGHT: f64 = 0.94;
/// Below this similarity of skeletons, agreeing consonant keys do not count.
pub(super) const CONSONANT_FRAME_FLOOR: f64 = 0.65;
/// Factor on the similarity of names whose first letters differ (after romanization is
/// folded), unless one vowel stands for another or the letters are [`initials_agree`]'s pairs.
pub(super) const INITIAL_MISMATCH: f64 = 0.9;
/// Factor on the similarity of consonant keys that begin with different vowels: an alef
/// carries any, but most spellings of one name agree on it.
pub(super) const OTHER_INITIAL_VOWEL: f64 = 0.97;
/// Below this similarity of skeletons, the folded names are not compared.
pub(super) const FOLD_SIM_FLOOR: f64 = 0.6;
/// Penalty for a fuzzy match of another kind than the query's designator names.
pub(super) const DESIGNATOR_MISMATCH: f64 = 0.06;
/// Bonus for a place inside a place the text names; penalty for one outside a qualifier.
pub(super) const CONTEXT_BONUS: f64 = 0.04;
/// Bonus for a place of the kind the query's designator names.
pub(super) const DESIGNATOR_BONUS: f64 = 0.01;

/// Whether `a` should replace `b` as a place's candidate.
pub(super) fn better(a: &Candidate, b: &Candidate) -> bool {
    a.score > b.score || (a.score == b.score && a.method < b.method)
}

/// [`ascii_similarity`] of two consonant keys, whose first letters may be two vowels: an
/// alef carries any, so Urgo (`urg`) and Argo (`arg`) nearly agree.
pub(super) fn consonant_similarity(a: &str, b: &str) -> f64 {
    let vowel = |k: &str| k.starts_with(['a', 'e', 'i', 'o', 'u']);
    if vowel(a) && vowel(b) && a.as_bytes()[0] != b.as_bytes()[0] {
        OTHER_INITIAL_VOWEL * ascii_similarity(&a[1..], &b[1..])
    } else {
        ascii_similarity(a, b)
    }
}

/// Whether a name has a capital letter: people write names so in cased scripts.
pub(super) fn has_letter_case(text: &str) -> bool {
    text.chars().any(char::is_uppercase)
}

/// Whether two folded names have the same letters, whatever their spaces.
pub(super) fn same_letters(a: &str, b: &str) -> bool {
    let space = |c: &u8| *c != b' ';
    a.bytes().filter(space).eq(b.bytes().filter(space))
}

/// Whether two skeletons may be one name by their first letters. Writers seldom misspell a
/// name's first letter (Soundex keeps it, Jaro-Winkler rewards it), but romanizers vary it:
/// any vowel for another (alef carries each), `w`/`u` and `y`/`i` (Ouardak, Wardak), a
/// digraph written without its `h` (`kh` as `k` or `h`, `sh` as `s`, `dh` as `d`, `ph` as
/// `p`), German `ch` for `kh` and Latin `c` for `k` (Chost, Candahar), and the vowel that
/// Persian and Pashto speakers put before an initial s (Espin, Spin).
pub(super) fn initials_agree(a: &str, b: &str) -> bool {
    let (Some(&x), Some(&y)) = (a.as_bytes().first(), b.as_bytes().first()) else {
        return true;
    };
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    // a vowel before s may be prothetic: Espin, Spin
    let prothetic = |k: &str, s: u8| vowel(k.as_bytes()[0]) && k.as_bytes().get(1) == Some(&s);
    if (y == b's' && prothetic(a, y)) || (x == b's' && prothetic(b, x)) {
        return true;
    }
    // skeletons write kh as x, sh and ch as c, dh as z, ph as f
    let (x, y) = (x.min(y), x.max(y));
    x == y
        || (vowel(x) && vowel(y))
        || matches!(
            (x, y),
            (b'u', b'w')
                | (b'i', b'y')
                | (b'k', b'x')
                | (b'h', b'x')
                | (b'c', b's')
                | (b'd', b'z')
                | (b'f', b'p')
                | (b'c', b'x')
                | (b'c', b'k')
        )
}

/// The highest [`ascii_similarity`] a key other than the query's own can reach (as a key or
/// a fold of `len` bytes at most, or an equal consonant key): an edit at least makes the
/// Levenshtein half at most `1 - 1 / (len + 1)`.
pub(super) fn fuzzy_ceiling(len: usize) -> f64 {
    (1.0 - 0.5 / (len + 1) as f64).max(CONSONANT_WEIGHT)
}

/// Mean of Jaro-Winkler and normalized Levenshtein on the bytes of two keys (keys are ASCII).
pub(super) fn ascii_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let longest = a.len().max(b.len());
    // too different in length to be the same name; also spares the quadratic metrics
    if a.is_empty() || b.is_empty() || a.len().min(b.len()) * 3 < longest {
        return 0.0;
    }
    let jw = strsim::generic_jaro_winkler(&AsciiKey(a), &AsciiKey(b));
    // a swap of two neighbouring letters (Ghanzi, Ghazni) is one edit, as writers make it
    let lev = 1.0 - osa_distance(a, b) as f64 / longest as f64;
    0.5 * jw + 0.5 * lev
}

/// Optimal string alignment distance on bytes, as far as consonants go: Levenshtein with a
/// swap of two neighbouring consonants counted as one edit (a writer's slip: Ghanzi). A
/// vowel swapped with a consonant is another frame of vowels, another word (Marja, Miraj).
pub(super) fn osa_distance(a: &[u8], b: &[u8]) -> usize {
    let consonant = |c: u8| !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    osa_with(a, b, |x, y| consonant(x) && consonant(y))
}

/// A key's bytes, for strsim's generic metrics (which skip UTF-8 decoding on them).
struct AsciiKey<'s>(&'s [u8]);

impl<'s> IntoIterator for &AsciiKey<'s> {
    type Item = u8;
    type IntoIter = std::iter::Copied<std::slice::Iter<'s, u8>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swap_of_consonants_is_one_edit() {
        assert_eq!(osa_distance(b"ganzi", b"gazni"), 1);
        assert_eq!(osa_distance(b"marja", b"miraj"), 3);
        assert_eq!(osa_distance(b"kabul", b"kabul"), 0);
        assert!(ascii_similarity("ganzi", "gazni") > ascii_similarity("ganzi", "gonzo"));
    }

    proptest::proptest! {
        #[test]
        fn similarity_is_symmetric_and_in_unit_range(a in "[a-z ]{0,24}", b in "[a-z ]{0,24}") {
            let (x, y) = (ascii_similarity(&a, &b), ascii_similarity(&b, &a));
            proptest::prop_assert!((0.0..=1.0).contains(&x));
            proptest::prop_assert!((x - y).abs() < 1e-12);
            if !a.is_empty() {
                proptest::prop_assert!((ascii_similarity(&a, &a) - 1.0).abs() < 1e-12);
            }
            let d = osa_distance(a.as_bytes(), b.as_bytes());
            proptest::prop_assert!(d <= strsim::levenshtein(&a, &b));
            proptest::prop_assert!(d >= strsim::osa_distance(&a, &b));
        }
    }
}
