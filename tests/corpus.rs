//! The hand-labelled corpora of `tests/data/corpus` are well formed: the columns, the splits
//! (a page's rows together, about a fifth held out), the coverage the corpus promises, and
//! every Afghan expected id a place of the embedded gazetteer with the name, kind and province
//! the row gives. (The world ids are checked against cities500 by `build.py`, which needs the
//! dump.)

use std::collections::{BTreeMap, BTreeSet};

use gazmap::Gazetteer;

use crate::util::data;

const HEADER: [&str; 10] = [
    "id",
    "query",
    "expected_id",
    "expected_name",
    "kind",
    "province",
    "language",
    "script",
    "source_url",
    "split",
];

/// The rows of a corpus file, checked for the columns every row must have.
fn rows(name: &str) -> Vec<csv::StringRecord> {
    let path = data(&format!("corpus/{name}"));
    let mut rdr = csv::Reader::from_path(&path).expect("corpus file");
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, HEADER, "{name}: columns");
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.unwrap_or_else(|e| panic!("{name}: {e}"));
        let line = i + 2;
        assert_eq!(
            rec[0],
            (i + 1).to_string(),
            "{name}:{line}: ids run 1, 2, …"
        );
        for col in [1, 3, 4, 6, 7, 8] {
            assert!(!rec[col].is_empty(), "{name}:{line}: {} empty", HEADER[col]);
        }
        assert_eq!(
            rec[1].trim(),
            &rec[1],
            "{name}:{line}: query has blanks around it"
        );
        assert!(
            rec[8].starts_with("http://") || rec[8].starts_with("https://"),
            "{name}:{line}: source_url {:?}",
            &rec[8]
        );
        assert!(
            matches!(&rec[9], "dev" | "heldout"),
            "{name}:{line}: split {:?}",
            &rec[9]
        );
        out.push(rec);
    }
    out
}

/// Pages, languages, scripts and the held-out share; one split per page.
fn coverage(name: &str, rows: &[csv::StringRecord]) -> (usize, usize, usize, f64) {
    let mut split_of: BTreeMap<&str, &str> = BTreeMap::new();
    for r in rows {
        let before = split_of.insert(&r[8], &r[9]);
        assert!(
            before.is_none_or(|s| s == &r[9]),
            "{name}: rows of {} in both splits",
            &r[8]
        );
    }
    let languages: BTreeSet<&str> = rows.iter().map(|r| &r[6]).collect();
    let scripts: BTreeSet<&str> = rows.iter().map(|r| &r[7]).collect();
    let held = rows.iter().filter(|r| &r[9] == "heldout").count();
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
    for (i, r) in rows.iter().enumerate() {
        let line = i + 2;
        if r[2].is_empty() {
            // a place the gazetteer lacks (a district made after 2005): named, with its province
            absent += 1;
            assert!(
                provinces.contains(&r[5]),
                "spellings-af.csv:{line}: province {:?} of an absent place is no province",
                &r[5]
            );
            continue;
        }
        let id = g
            .find_id(&r[2])
            .unwrap_or_else(|| panic!("spellings-af.csv:{line}: {} not in the gazetteer", &r[2]));
        let p = g.place(id);
        assert_eq!(p.name, &r[3], "spellings-af.csv:{line}: expected_name");
        assert_eq!(p.kind.as_str(), &r[4], "spellings-af.csv:{line}: kind");
        let province = if p.kind.as_str() == "province" {
            p.name
        } else {
            p.admin1
        };
        assert_eq!(province, &r[5], "spellings-af.csv:{line}: province");
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
    for (i, r) in rows.iter().enumerate() {
        let line = i + 2;
        let digits = r[2].strip_prefix("geonames:").unwrap_or("");
        assert!(
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
            "spellings-world.csv:{line}: expected_id {:?}",
            &r[2]
        );
        assert_eq!(&r[4], "city", "spellings-world.csv:{line}: kind");
        assert!(
            r[5].len() == 2 && r[5].bytes().all(|b| b.is_ascii_uppercase()),
            "spellings-world.csv:{line}: country code {:?}",
            &r[5]
        );
    }
    let countries: BTreeSet<&str> = rows.iter().map(|r| &r[5]).collect();
    let (pages, languages, scripts, held) = coverage("spellings-world.csv", &rows);
    assert!(rows.len() >= 300, "{} rows", rows.len());
    assert!(countries.len() >= 10, "{} countries", countries.len());
    assert!(pages >= 50 && languages >= 6 && scripts >= 3);
    assert!((0.10..=0.30).contains(&held), "held out {held:.2}");
}
