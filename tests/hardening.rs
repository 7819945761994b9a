//! Bad and unusual inputs found by the hardening campaign (issue 15): no panic, no row
//! lost, no partial or misplaced output.

use std::fs;

use crate::util::gazmap;

#[test]
fn clean_reads_a_cr_only_csv_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cr.csv");
    fs::write(&input, "date,place,event\r2021-01-01,Kunduz,captured\r").unwrap();
    let out = gazmap()
        .args(["clean", "--column", "place"])
        .arg(&input)
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.split('\r').collect();
    assert_eq!(lines.len(), 3, "{text:?}");
    assert!(lines[0].starts_with("date,place,event,gz_id,"), "{text:?}");
    assert!(lines[1].starts_with("2021-01-01,Kunduz,captured,"), "{text:?}");
    assert!(lines[1].contains(",matched,"), "{text:?}");
    assert_eq!(lines[2], "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 rows"), "{stderr}");
}

const BAD_POSITIONS: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"shapeName":"Nahrin"},"geometry":{"type":"Polygon","coordinates":[[[1],[2],[3],[1]]]}}]}"#;

#[test]
fn import_boundaries_refuses_positions_of_one_number_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.geojson");
    fs::write(&bad, BAD_POSITIONS).unwrap();
    let out = dir.path().join("out.csv");
    gazmap()
        .args(["import", "boundaries", "--name-field", "shapeName", "-o"])
        .arg(&out)
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "feature 1 (Nahrin): polygon 1, ring 1, position 1: fewer than two numbers",
        ));
    // as parents too
    gazmap()
        .args(["import", "boundaries", "--name-field", "shapeName"])
        .args(["--parent-name-field", "shapeName", "--parents"])
        .arg(&bad)
        .arg("-o")
        .arg(&out)
        .arg(crate::util::data("boundaries/districts.geojson"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("fewer than two numbers"));
    assert!(!out.exists());
}

#[test]
fn import_boundaries_reads_standard_input_and_skips_a_bom() {
    let original = fs::read(crate::util::data("boundaries/provinces.geojson")).unwrap();
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&original);
    let from_stdin = gazmap()
        .args(["import", "boundaries", "--name-field", "ADM1_EN", "-q", "-o", "-", "-"])
        .write_stdin(with_bom)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let from_file = gazmap()
        .args(["import", "boundaries", "--name-field", "ADM1_EN", "-q", "-o", "-"])
        .arg(crate::util::data("boundaries/provinces.geojson"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(from_stdin).unwrap();
    assert!(text.contains("\nboundary:stdin:1,Baghlan,"), "{text}");
    assert_eq!(
        text.replace("boundary:stdin:", "boundary:provinces:"),
        String::from_utf8(from_file).unwrap()
    );
}

/// Events CSV of `text` written as `article.txt` in a directory of its own.
fn events_of(article: &[u8]) -> Vec<csv::StringRecord> {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("article.txt"), article).unwrap();
    let out = gazmap()
        .current_dir(dir.path())
        .args(["extract", "-q", "--events-csv", "-", "-o", "layers", "article.txt"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    csv::Reader::from_reader(&out[..])
        .records()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn extract_reads_crlf_and_cr_articles_as_lf_ones() {
    let lf = fs::read_to_string(crate::util::data("../../examples/article-en.txt")).unwrap();
    assert!(!lf.contains('\r'));
    let expected = events_of(lf.as_bytes());
    assert!(expected.len() > 3, "{expected:?}");
    // a lone CR is one byte as \n is: the same offsets
    assert_eq!(events_of(lf.replace('\n', "\r").as_bytes()), expected);
    let crlf = lf.replace('\n', "\r\n");
    let got = events_of(crlf.as_bytes());
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        // all but the offsets (columns start, end) are the same
        let strip = |r: &csv::StringRecord| {
            r.iter()
                .enumerate()
                .filter(|(i, _)| *i != 12 && *i != 13)
                .map(|(_, v)| v.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(g), strip(e));
        // offsets are into the CRLF bytes
        let (start, end): (usize, usize) = (g[12].parse().unwrap(), g[13].parse().unwrap());
        assert_eq!(&crlf[start..end], &g[1]);
    }
}

#[test]
fn a_bad_date_line_is_not_quoted_whole() {
    let article = format!("date: {}\n", "x".repeat(100_000));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.txt");
    fs::write(&path, article.replace('\n', "\r") + "Kunduz fell.\r").unwrap();
    let out = gazmap()
        .args(["extract", "-q", "-o"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&out);
    assert!(stderr.contains(":1: column 7: date \"xxx"), "{stderr}");
    assert!(stderr.len() < 400, "{} bytes of standard error", stderr.len());
}
