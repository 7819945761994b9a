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
