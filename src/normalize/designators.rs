//! Designators: the words around a name that say what kind of place it is
//! ("Andarab district", "la province de Baghlan", "ولسوالی اندراب").

use std::sync::OnceLock;

use super::fold;
use crate::kind::Kind;

/// A name with its designator removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Designated {
    /// The folded name without the designator.
    pub folded: String,
    /// The kind the designator names, if there was one.
    pub kind: Option<Kind>,
}

/// Designators written before the name, in every language of the romanization tables
/// (matched longest first, once folded).
const PREFIXES: &[(&str, Kind)] = &[
    ("provincial center", Kind::City),
    ("provincial centre", Kind::City),
    ("center of", Kind::City),
    ("centre of", Kind::City),
    ("the district of", Kind::District),
    ("district of", Kind::District),
    ("le district de", Kind::District),
    ("du district de", Kind::District),
    ("district de", Kind::District),
    ("the province of", Kind::Province),
    ("province of", Kind::Province),
    ("la province de", Kind::Province),
    ("province de", Kind::Province),
    ("the city of", Kind::City),
    ("city of", Kind::City),
    ("la ville de", Kind::City),
    ("ville de", Kind::City),
    ("the town of", Kind::Town),
    ("town of", Kind::Town),
    ("the village of", Kind::Village),
    ("village of", Kind::Village),
    ("le village de", Kind::Village),
    ("village de", Kind::Village),
    ("wuluswali", Kind::District),
    ("woluswali", Kind::District),
    ("wilayat", Kind::Province),
    ("welayat", Kind::Province),
    ("ولسوالی", Kind::District),
    ("ولایت", Kind::Province),
    ("شهر", Kind::City),
    // French
    ("la province du", Kind::Province),
    ("province du", Kind::Province),
    ("dans la province de", Kind::Province),
    ("de la province de", Kind::Province),
    ("le district du", Kind::District),
    ("district du", Kind::District),
    // German
    ("die provinz", Kind::Province),
    ("der provinz", Kind::Province),
    ("provinz", Kind::Province),
    ("der distrikt", Kind::District),
    ("distrikt", Kind::District),
    ("der bezirk", Kind::District),
    ("bezirk", Kind::District),
    ("die stadt", Kind::City),
    ("stadt", Kind::City),
    ("das dorf", Kind::Village),
    ("dorf", Kind::Village),
    // Spanish and Portuguese
    ("la provincia de", Kind::Province),
    ("provincia de", Kind::Province),
    ("a provincia de", Kind::Province),
    ("el distrito de", Kind::District),
    ("o distrito de", Kind::District),
    ("distrito de", Kind::District),
    ("la ciudad de", Kind::City),
    ("ciudad de", Kind::City),
    ("a cidade de", Kind::City),
    ("cidade de", Kind::City),
    ("la aldea de", Kind::Village),
    ("aldea de", Kind::Village),
    // Italian
    ("la provincia di", Kind::Province),
    ("provincia di", Kind::Province),
    ("il distretto di", Kind::District),
    ("distretto di", Kind::District),
    ("la citta di", Kind::City),
    ("citta di", Kind::City),
    ("il villaggio di", Kind::Village),
    ("villaggio di", Kind::Village),
    ("provincia del", Kind::Province),
    ("la provincia del", Kind::Province),
    ("distrito del", Kind::District),
    ("el distrito del", Kind::District),
    // Polish, with the locative after w ("in")
    ("prowincja", Kind::Province),
    ("w prowincji", Kind::Province),
    ("prowincji", Kind::Province),
    ("dystrykt", Kind::District),
    ("w dystrykcie", Kind::District),
    ("dystrykcie", Kind::District),
    ("dystryktu", Kind::District),
    ("miasto", Kind::City),
    // Czech and Slovak
    ("provincie", Kind::Province),
    ("v provincii", Kind::Province),
    ("provincii", Kind::Province),
    ("provincia", Kind::Province),
    ("okres", Kind::District),
    ("v okrese", Kind::District),
    ("okrese", Kind::District),
    // Russian and Bulgarian
    ("провинция", Kind::Province),
    ("провинции", Kind::Province),
    ("район", Kind::District),
    ("уезд", Kind::District),
    ("город", Kind::City),
    ("град", Kind::City),
    // Pashto, Persian, Urdu, Arabic
    ("ولسوالۍ", Kind::District),
    ("ولسوالي", Kind::District),
    ("ولايت", Kind::Province),
    ("استان", Kind::Province),
    ("صوبہ", Kind::Province),
    ("صوبے", Kind::Province),
    ("ضلع", Kind::District),
    ("شہر", Kind::City),
    ("ولاية", Kind::Province),
    ("محافظة", Kind::Province),
    ("مديرية", Kind::District),
    ("مدينة", Kind::City),
];

/// Designators written after the name.
const SUFFIXES: &[(&str, Kind)] = &[
    ("provincial center", Kind::City),
    ("provincial centre", Kind::City),
    ("district center", Kind::District),
    ("district centre", Kind::District),
    ("district", Kind::District),
    ("dist", Kind::District),
    ("districts", Kind::District),
    ("wuluswali", Kind::District),
    ("woluswali", Kind::District),
    ("province", Kind::Province),
    ("provinces", Kind::Province),
    ("wilayat", Kind::Province),
    ("city", Kind::City),
    ("town", Kind::Town),
    ("village", Kind::Village),
    // German, Norwegian
    ("provinz", Kind::Province),
    ("distrikt", Kind::District),
    ("provinsen", Kind::Province),
    ("distriktet", Kind::District),
    // Hungarian
    ("tartomany", Kind::Province),
    ("tartomanyban", Kind::Province),
    ("korzet", Kind::District),
    ("jaras", Kind::District),
    ("varos", Kind::City),
    // Turkish
    ("vilayeti", Kind::Province),
    ("ili", Kind::Province),
    ("ilcesi", Kind::District),
    ("sehri", Kind::City),
    // Latvian
    ("vilajets", Kind::Province),
    ("provincija", Kind::Province),
    ("rajons", Kind::District),
    // Russian
    ("провинция", Kind::Province),
    ("район", Kind::District),
    ("уезд", Kind::District),
    // Pashto writes the designator after the name (اندراب ولسوالۍ), often with د, "of",
    // before it (د پنجشیر ولایت)
    ("ولسوالۍ", Kind::District),
    ("ولسوالي", Kind::District),
    ("ولسوالی", Kind::District),
    ("ولایت", Kind::Province),
    ("ولايت", Kind::Province),
];

/// Words that gazetteers put before a town's name to say it is an administrative centre
/// ("Markaz-e Sayyidabad", "Bazar-e Yakawlang", "Wuleswali Bihsud").
const CENTRE_PREFIXES: &[&str] = &[
    "markaz e",
    "markaz i",
    "markaz",
    "bazar e",
    "bazar i",
    "bazare",
    "wuleswali",
    "woluswali",
    "wuluswali",
    "hukumati",
    "hukumat e",
    "alaqahdari",
    "alaqadari",
    "markaz e woluswali ye",
    "markaz e woluswali e",
];

type Table = Vec<(String, Kind)>;

fn folded_tables() -> &'static (Table, Table) {
    static TABLES: OnceLock<(Table, Table)> = OnceLock::new();
    TABLES.get_or_init(|| {
        let f = |t: &[(&str, Kind)]| {
            let mut folded: Table = t.iter().map(|(s, k)| (fold(s), *k)).collect();
            // the longest first: "la province du" before "province du"
            folded.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
            let mut seen = std::collections::HashSet::new();
            folded.retain(|(s, _)| seen.insert(s.clone()));
            folded
        };
        (f(PREFIXES), f(SUFFIXES))
    })
}

/// A gazetteer name without its designator or centre word, folded, when it has one:
/// `Urgun District` → `urgun`, `Markaz-e Sayyidabad` → `sayyidabad`.
pub fn bare_name(name: &str) -> Option<String> {
    let d = strip_designator(name);
    if d.kind.is_some() {
        return Some(d.folded);
    }
    let mut longest: Option<&str> = None;
    for p in CENTRE_PREFIXES {
        if let Some(rest) = d.folded.strip_prefix(p).and_then(|r| r.strip_prefix(' ')) {
            if !rest.is_empty() && longest.is_none_or(|l| rest.len() < l.len()) {
                longest = Some(rest);
            }
        }
    }
    longest.map(str::to_string)
}

/// The kind a folded text names when it is nothing but a designator (`la province du`).
pub fn designator_kind(folded: &str) -> Option<Kind> {
    let (prefixes, suffixes) = folded_tables();
    prefixes
        .iter()
        .chain(suffixes.iter())
        .find(|(d, _)| d == folded)
        .map(|(_, k)| *k)
}

/// Removes one designator before or after a name and reports the kind it names.
///
/// A name that is nothing but a designator is returned whole.
pub fn strip_designator(text: &str) -> Designated {
    // French elision: "district d'Andarab" → "district d Andarab"
    let spaced = text.replace("d'", "d ").replace("d\u{2019}", "d ");
    // "district d andarab" reads as "district de andarab"
    let folded = fold(&spaced).replacen(" d ", " de ", 1);
    let (prefixes, suffixes) = folded_tables();
    for (p, kind) in prefixes {
        if let Some(rest) = folded.strip_prefix(p.as_str()) {
            let Some(rest) = rest.strip_prefix(' ') else {
                continue;
            };
            if !rest.is_empty() {
                return Designated {
                    folded: rest.to_string(),
                    kind: Some(*kind),
                };
            }
        }
    }
    for (s, kind) in suffixes {
        if let Some(rest) = folded.strip_suffix(s.as_str()) {
            if rest.ends_with(' ') && !rest.trim().is_empty() {
                let mut rest = rest.trim_end();
                // Pashto د ("of") before a name and its designator: د پنجشیر ولایت
                if text.trim_start().starts_with("د ") {
                    rest = rest.strip_prefix("d ").unwrap_or(rest);
                }
                return Designated {
                    folded: rest.to_string(),
                    kind: Some(*kind),
                };
            }
        }
    }
    Designated {
        folded: fold(text),
        kind: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_english_french_persian() {
        let d = strip_designator("Andarab district");
        assert_eq!(
            (d.folded.as_str(), d.kind),
            ("andarab", Some(Kind::District))
        );
        let d = strip_designator("la province de Baghlan");
        assert_eq!(
            (d.folded.as_str(), d.kind),
            ("baghlan", Some(Kind::Province))
        );
        let d = strip_designator("le district d'Andarab");
        assert_eq!(
            (d.folded.as_str(), d.kind),
            ("andarab", Some(Kind::District))
        );
        let d = strip_designator("Kunduz city");
        assert_eq!((d.folded.as_str(), d.kind), ("kunduz", Some(Kind::City)));
        let d = strip_designator("ولسوالی اندراب");
        assert_eq!(
            (d.folded.clone(), d.kind),
            (fold("اندراب"), Some(Kind::District))
        );
    }

    #[test]
    fn strips_designators_of_every_table_language() {
        let cases = [
            ("la province du Panjshir", Kind::Province),
            ("Provinz Kundus", Kind::Province),
            ("provincia de Kunduz", Kind::Province),
            ("la provincia di Kunduz", Kind::Province),
            ("Kunduz tartomány", Kind::Province),
            ("Kunduz vilayeti", Kind::Province),
            ("Kunduz-provinsen", Kind::Province),
            ("провинция Кундуз", Kind::Province),
            ("ولایت کندز", Kind::Province),
            ("ولاية قندوز", Kind::Province),
            ("صوبہ قندوز", Kind::Province),
            ("Distrikt Andarab", Kind::District),
            ("distretto di Andarab", Kind::District),
            ("Andarab ilçesi", Kind::District),
            ("ولسوالۍ اندراب", Kind::District),
            ("اندراب ولسوالۍ", Kind::District),
            ("د اندراب ولسوالۍ", Kind::District),
            ("د پنجشیر ولایت", Kind::Province),
            ("w prowincji Kunduz", Kind::Province),
            ("w dystrykcie Andarab", Kind::District),
            ("provincie Kunduz", Kind::Province),
            ("okres Andarab", Kind::District),
            ("provincia del Panjshir", Kind::Province),
            ("Stadt Kundus", Kind::City),
        ];
        for (q, kind) in cases {
            let d = strip_designator(q);
            assert_eq!(d.kind, Some(kind), "{q}");
            assert!(!d.folded.contains(' '), "{q}: {}", d.folded);
        }
        // a designator alone is one, and names its kind; a name is none
        assert_eq!(designator_kind("la province du"), Some(Kind::Province));
        assert_eq!(designator_kind("kunduz"), None);
        // words that begin like a designator are names: Provinzial, Dorfen, Bezirkstadt
        for name in ["Dorfen", "Stadtallendorf", "Provincetown", "Okresni"] {
            assert_eq!(strip_designator(name).kind, None, "{name}");
        }
    }

    #[test]
    fn bare_names() {
        assert_eq!(bare_name("Urgun District").as_deref(), Some("urgun"));
        assert_eq!(
            bare_name("Markaz-e Woluswali-ye Achin").as_deref(),
            Some("achin")
        );
        assert_eq!(bare_name("Bāzār-e Yakāwlang").as_deref(), Some("yakawlang"));
        assert_eq!(bare_name("Bazarak"), None);
        assert_eq!(bare_name("Kunduz"), None);
    }

    #[test]
    fn leaves_plain_names_and_bare_designators() {
        assert_eq!(strip_designator("Pul-e Khumri").kind, None);
        assert_eq!(strip_designator("District").folded, "district");
        assert_eq!(strip_designator("Districtabad").kind, None);
        // "Shahrak" must not lose a Persian "shahr" prefix: the prefix table is folded words
        assert_eq!(strip_designator("Shahrak").folded, "shahrak");
    }
}
