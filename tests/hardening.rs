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
