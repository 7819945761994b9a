//! The hand-labelled corpora of `tests/data/corpus` are well formed: the columns, the splits
//! (a page's rows together, about a fifth held out), the coverage the corpus promises, and
//! every Afghan expected id a place of the embedded gazetteer with the name, kind and province
//! the row gives. (The world ids are checked against cities500 by `build.py`, which needs the
//! dump.)

use std::collections::{BTreeMap, BTreeSet};

use gazmap::Gazetteer;

use crate::common::corpus::{self, Row};
use crate::util::data;

/// The rows of a corpus file, checked for the columns every row must have.
fn rows(name: &str) -> Vec<Row> {
    let rows = corpus::read(&data(&format!("corpus/{name}"))).unwrap_or_else(|e| panic!("{e}"));
    for (i, r) in rows.iter().enumerate() {
        let line = r.line;
        assert_eq!(r.id, (i + 1).to_string(), "{name}:{line}: ids run 1, 2, …");
        let required = [
            ("query", &r.query),
            ("expected_name", &r.expected_name),
            ("kind", &r.kind),
            ("language", &r.language),
            ("script", &r.script),
            ("source_url", &r.source_url),
        ];
        for (column, value) in required {
            assert!(!value.is_empty(), "{name}:{line}: {column} empty");
        }
        assert_eq!(
            r.query.trim(),
            r.query,
            "{name}:{line}: query has blanks around it"
        );
        assert!(
            r.source_url.starts_with("http://") || r.source_url.starts_with("https://"),
            "{name}:{line}: source_url {:?}",
            r.source_url
        );
        assert!(
            matches!(r.split.as_str(), "dev" | "heldout"),
            "{name}:{line}: split {:?}",
            r.split
        );
    }
    rows
}

/// Pages, languages, scripts and the held-out share; one split per page.
fn coverage(name: &str, rows: &[Row]) -> (usize, usize, usize, f64) {
    let mut split_of: BTreeMap<&str, &str> = BTreeMap::new();
    for r in rows {
        let before = split_of.insert(&r.source_url, &r.split);
        assert!(
            before.is_none_or(|s| s == r.split),
            "{name}: rows of {} in both splits",
            r.source_url
        );
    }
    let languages: BTreeSet<&str> = rows.iter().map(|r| r.language.as_str()).collect();
    let scripts: BTreeSet<&str> = rows.iter().map(|r| r.script.as_str()).collect();
    let held = rows.iter().filter(|r| r.split == "heldout").count();
    (
        split_of.len(),
        languages.len(),
        scripts.len(),
        held as f64 / rows.len() as f64,
    )
}

#[test]
fn afghan_corpus_rows_name_places_of_the_embedded_gazetteer() {
    let rows = rows("spellings-af.csv");
    let g = Gazetteer::embedded().unwrap();
    let provinces: BTreeSet<&str> = g
        .places()
        .filter(|p| p.kind.as_str() == "province")
        .map(|p| p.name)
        .collect();
    let mut absent = 0;
    for r in &rows {
        let line = r.line;
        if r.expected_id.is_empty() {
            // a place the gazetteer lacks (a district made after 2005): named, with its province
            absent += 1;
            assert!(
                provinces.contains(r.province.as_str()),
                "spellings-af.csv:{line}: province {:?} of an absent place is no province",
                r.province
            );
            continue;
        }
        let id = g.find_id(&r.expected_id).unwrap_or_else(|| {
            panic!(
                "spellings-af.csv:{line}: {} not in the gazetteer",
                r.expected_id
            )
        });
        let p = g.place(id);
        assert_eq!(
            p.name, r.expected_name,
            "spellings-af.csv:{line}: expected_name"
        );
        assert_eq!(p.kind.as_str(), r.kind, "spellings-af.csv:{line}: kind");
        let province = if p.kind.as_str() == "province" {
            p.name
        } else {
            p.admin1
        };
        assert_eq!(province, r.province, "spellings-af.csv:{line}: province");
    }
    let (pages, languages, scripts, held) = coverage("spellings-af.csv", &rows);
    assert!(rows.len() >= 500, "{} rows", rows.len());
    assert!(pages >= 150, "{pages} pages");
    assert!(
        languages >= 6 && scripts >= 3,
        "{languages} languages, {scripts} scripts"
    );
    assert!((0.15..=0.30).contains(&held), "held out {held:.2}");
    assert!(
        absent > 0 && absent < rows.len() / 20,
        "{absent} absent places"
    );
}

#[test]
fn world_corpus_rows_carry_geonames_ids_and_country_codes() {
    let rows = rows("spellings-world.csv");
    for r in &rows {
        let line = r.line;
        let digits = r.expected_id.strip_prefix("geonames:").unwrap_or("");
        assert!(
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
            "spellings-world.csv:{line}: expected_id {:?}",
            r.expected_id
        );
        assert_eq!(r.kind, "city", "spellings-world.csv:{line}: kind");
        assert!(
            r.province.len() == 2 && r.province.bytes().all(|b| b.is_ascii_uppercase()),
            "spellings-world.csv:{line}: country code {:?}",
            r.province
        );
    }
    let countries: BTreeSet<&str> = rows.iter().map(|r| r.province.as_str()).collect();
    let (pages, languages, scripts, held) = coverage("spellings-world.csv", &rows);
    assert!(rows.len() >= 300, "{} rows", rows.len());
    assert!(countries.len() >= 10, "{} countries", countries.len());
    assert!(pages >= 50 && languages >= 6 && scripts >= 3);
    assert!((0.10..=0.30).contains(&held), "held out {held:.2}");
}
