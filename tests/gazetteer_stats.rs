//! `gazmap gazetteer stats` on the embedded gazetteer and on a fixture.

use crate::util::{data, gazmap, gazmap_on, stdout_of};

/// The numbers of the row that starts with `kind`.
fn row(out: &str, kind: &str) -> Vec<usize> {
    let line = out
        .lines()
        .find(|l| l.split_whitespace().next() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind} row in\n{out}"));
    line.split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect()
}

#[test]
fn embedded_areas_all_have_a_point_and_a_polygon() {
    let out = stdout_of(gazmap().args(["gazetteer", "stats"]));
    // rows, point, parent's point, polygon, alternate names, Persian/Pashto, newer
    let provinces = row(&out, "province");
    assert_eq!(provinces[..4], [34, 34, 0, 34], "{out}");
    let districts = row(&out, "district");
    assert_eq!(districts[0], 398 + districts[6], "{out}");
    assert_eq!(districts[1] + districts[2], districts[0], "{out}");
    assert_eq!(districts[3], 398, "{out}");
    assert!(districts[6] >= 3, "{out}");
    let total = row(&out, "total");
    assert_eq!(total[1] + total[2], total[0], "every row is located: {out}");

    // the 2005 set: the newer districts gone
    let out = stdout_of(gazmap().args(["--districts", "2005", "gazetteer", "stats"]));
    assert_eq!(row(&out, "district")[..4], [398, 398, 0, 398], "{out}");
}

#[test]
fn a_fixture_gazetteer_is_counted_as_it_is() {
    let out = stdout_of(gazmap_on(data("export/gazetteer.csv")).args(["gazetteer", "stats"]));
    let total = row(&out, "total");
    let lines = std::fs::read_to_string(data("export/gazetteer.csv")).unwrap();
    let rows = csv::Reader::from_reader(lines.as_bytes()).records().count();
    assert_eq!(total[0], rows, "{out}");
}
