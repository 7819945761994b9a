//! `gazmap export` on fixture events and a fixture gazetteer with polygons
//! (tests/data/export/: the expected layers are listed in its events.csv comments below).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use predicates::prelude::*;

use crate::util::{data, gazmap};

/// Runs export of `events` with the fixture gazetteer into `dir`, plus extra args.
fn export(events: &Path, dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    gazmap()
        .arg("--gazetteer")
        .arg(data("export/gazetteer.csv"))
        .arg("export")
        .arg(events)
        .arg("-o")
        .arg(dir)
        .args(extra)
        .assert()
}

fn read_layer(path: &Path) -> geojson::FeatureCollection {
    let text = fs::read_to_string(path).unwrap();
    let gj: geojson::GeoJson = text.parse().unwrap();
    gj.try_into().unwrap()
}

/// Every file of a directory with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn ids(fc: &geojson::FeatureCollection) -> Vec<u64> {
    fc.features
        .iter()
        .map(|f| match &f.id {
            Some(geojson::feature::Id::Number(n)) => n.as_u64().unwrap(),
            other => panic!("id {other:?}"),
        })
        .collect()
}

fn prop<'a>(f: &'a geojson::Feature, k: &str) -> &'a str {
    f.property(k)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("property {k} in {f:?}"))
}

#[test]
fn layers_by_event_hold_every_drawn_row() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    export(&data("export/events.csv"), &out, &[])
        .success()
        .stderr(predicate::str::contains("10 rows from"))
        .stderr(predicate::str::contains(
            "6 drawn (3 as polygons) in 5 layers, 4 unresolved",
        ));
    let files: Vec<String> = snapshot(&out).into_keys().collect();
    assert_eq!(
        files,
        [
            "air-drone-strike.geojson",
            "armed-clash.geojson",
            "displacement.geojson",
            "district-captured.geojson",
            "unresolved.csv",
            "unspecified.geojson",
        ]
    );
    let expect: [(&str, &[u64]); 5] = [
        ("air-drone-strike", &[9]),
        ("armed-clash", &[2, 3]),
        ("displacement", &[4]),
        ("district-captured", &[1]),
        ("unspecified", &[10]),
    ];
    for (layer, want) in expect {
        let fc = read_layer(&out.join(format!("{layer}.geojson")));
        assert_eq!(ids(&fc), want, "{layer}");
        assert!(fc.foreign_members.is_none(), "no crs member");
    }

    // properties: input columns (a clashing one renamed), then the contract's, in order
    let fc = read_layer(&out.join("armed-clash.geojson"));
    let keys: Vec<&str> = fc.features[0]
        .properties_iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "date",
            "place",
            "event",
            "source",
            "input_kind",
            "place_id",
            "place_name",
            "admin1",
            "admin2",
            "kind",
            "score",
            "method",
            "status",
            "geo_precision"
        ]
    );
    let (pk, kh) = (&fc.features[0], &fc.features[1]);
    assert_eq!(prop(pk, "place"), "Puli Khumri");
    assert_eq!(prop(pk, "place_id"), "test:pulekhumri");
    assert_eq!(prop(pk, "input_kind"), "k2");
    assert_eq!(prop(pk, "kind"), "district");
    assert_eq!(prop(pk, "status"), "matched");
    assert_eq!(prop(pk, "geo_precision"), "polygon");
    assert_eq!(prop(kh, "source"), "Report, \"quoted\"");
    // a Polygon beside a MultiPolygon in one layer is written as a one-part MultiPolygon
    let geojson::GeometryValue::MultiPolygon { coordinates } = &pk.geometry.as_ref().unwrap().value
    else {
        panic!("{pk:?}")
    };
    assert_eq!(coordinates.len(), 1);
    assert_eq!(
        coordinates[0][0][0],
        geojson::Position::from(vec![68.5, 35.8])
    );
    let un = &read_layer(&out.join("unspecified.geojson")).features[0];
    assert_eq!(un.geometry.as_ref().unwrap().value.type_name(), "Polygon");
    assert_eq!(
        kh.geometry.as_ref().unwrap().value.type_name(),
        "MultiPolygon"
    );

    // a point of the place itself, rounded to 6 decimals, [lon, lat]
    let ia = &read_layer(&out.join("district-captured.geojson")).features[0];
    assert_eq!(prop(ia, "geo_precision"), "point");
    let text = fs::read_to_string(out.join("district-captured.geojson")).unwrap();
    assert!(text.contains("[68.916667,37.183333]"), "{text}");
    // no point of its own: the province's, said so
    let an = &read_layer(&out.join("displacement.geojson")).features[0];
    assert_eq!(prop(an, "geo_precision"), "parent");
    assert_eq!(
        an.geometry.as_ref().unwrap().value,
        geojson::GeometryValue::new_point([68.7, 36.0])
    );
    // a multi-line field survives
    let dr = &read_layer(&out.join("air-drone-strike.geojson")).features[0];
    assert_eq!(prop(dr, "source"), "multi\nline");
}

#[test]
fn unresolved_csv_has_every_row_without_a_place() {
    let tmp = tempfile::tempdir().unwrap();
    export(&data("export/events.csv"), tmp.path(), &["-q"]).success();
    let mut rdr = csv::Reader::from_path(tmp.path().join("unresolved.csv")).unwrap();
    assert_eq!(
        rdr.headers().unwrap(),
        vec![
            "row",
            "date",
            "place",
            "event",
            "source",
            "kind",
            "reason",
            "suggestions"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let got: Vec<(&str, &str)> = rows.iter().map(|r| (&r[0], &r[2])).collect();
    assert_eq!(
        got,
        [
            ("5", "Fayzabad"),
            ("6", "Qarya-e Nowabad-e Bala"),
            ("7", ""),
            ("8", "Lostabad")
        ]
    );
    assert!(rows[0][6].starts_with("ambiguous"), "{:?}", &rows[0]);
    assert!(rows[0][7].contains("test:fayzabad-b") && rows[0][7].contains("test:fayzabad-k"));
    assert!(rows[1][6].starts_with("unmatched"), "{:?}", &rows[1]);
    assert!(!rows[1][7].is_empty(), "suggestions for an unmatched row");
    assert_eq!(&rows[2][6], "no place given");
    assert!(rows[3][6].starts_with("no coordinates"), "{:?}", &rows[3]);
    // the input columns pass through unchanged
    assert_eq!(&rows[0][5], "k5");
}

#[test]
fn second_run_gives_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    export(&data("export/events.csv"), tmp.path(), &["-q"]).success();
    let first = snapshot(tmp.path());
    export(&data("export/events.csv"), tmp.path(), &["-q"]).success();
    assert_eq!(snapshot(tmp.path()), first);
}

#[test]
fn layer_by_date_and_none() {
    let tmp = tempfile::tempdir().unwrap();
    let by_date = tmp.path().join("by-date");
    export(
        &data("export/events.csv"),
        &by_date,
        &["--layer-by", "date"],
    )
    .success();
    let files: Vec<String> = snapshot(&by_date).into_keys().collect();
    assert_eq!(
        files,
        [
            "2021-06-22.geojson",
            "2021-07-21.geojson",
            "2021-07.geojson",
            "2021-08-15.geojson",
            "2021.geojson",
            "undated.geojson",
            "unresolved.csv"
        ]
    );
    assert_eq!(ids(&read_layer(&by_date.join("2021-07.geojson"))), [2]);
    assert_eq!(ids(&read_layer(&by_date.join("2021.geojson"))), [4]);
    assert_eq!(ids(&read_layer(&by_date.join("undated.geojson"))), [9]);

    let none = tmp.path().join("none");
    export(&data("export/events.csv"), &none, &["--layer-by", "none"]).success();
    let files: Vec<String> = snapshot(&none).into_keys().collect();
    assert_eq!(files, ["events.geojson", "unresolved.csv"]);
    assert_eq!(
        ids(&read_layer(&none.join("events.geojson"))),
        [1, 2, 3, 4, 9, 10]
    );
}

#[test]
fn renamed_columns_and_standard_input() {
    let tmp = tempfile::tempdir().unwrap();
    let events = tmp.path().join("events.csv");
    fs::write(
        &events,
        "\u{feff}when,where,what\n2021-08-01,Imam Sahib,Clash\n2021-08-02,Khinjan,clash\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    gazmap()
        .arg("--gazetteer")
        .arg(data("export/gazetteer.csv"))
        .args([
            "export",
            "-",
            "--place-column",
            "where",
            "--date-column",
            "when",
        ])
        .args(["--event-column", "3", "-q", "-o"])
        .arg(&out)
        .write_stdin(fs::read(&events).unwrap())
        .assert()
        .success();
    // "Clash" and "clash" share one safe file name, so one layer
    let fc = read_layer(&out.join("clash.geojson"));
    assert_eq!(ids(&fc), [1, 2]);
    assert_eq!(prop(&fc.features[0], "when"), "2021-08-01");
}

#[test]
fn failed_run_leaves_previous_files_as_they_were() {
    let tmp = tempfile::tempdir().unwrap();
    export(&data("export/events.csv"), tmp.path(), &["-q"]).success();
    let before = snapshot(tmp.path());
    export(
        &data("export/events.csv"),
        tmp.path(),
        &["--place-column", "location"],
    )
    .code(1)
    .stderr(predicate::str::contains("events.csv:1"))
    .stderr(predicate::str::contains("no column \"location\""))
    .stderr(predicate::str::contains("2 \"place\""));

    let bad = tmp.path().join("bad-date.csv");
    fs::write(
        &bad,
        "date,place,event\n2021-08-01,Khinjan,x\n08/2021,Khinjan,x\n",
    )
    .unwrap();
    export(&bad, tmp.path(), &["--layer-by", "date"])
        .code(1)
        .stderr(predicate::str::contains(
            "bad-date.csv:3: column 1 (date): date \"08/2021\"",
        ));
    fs::remove_file(&bad).unwrap();
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn bad_input_is_an_error_with_file_and_line_and_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let big = format!("date,place,event\n2021,\"{}\",x\n", "a".repeat(2 << 20));
    let mut bytes_with_nul = b"date,place,event\n2021,Khinjan,x\n".to_vec();
    bytes_with_nul.extend_from_slice(b"\x00\x01\x02binary");
    let cases: [(&str, Vec<u8>, &str); 6] = [
        (
            "utf16.csv",
            b"\xFF\xFEd\x00a\x00t\x00e\x00".to_vec(),
            // decoded (UTF-16 is read like UTF-8), so the header is seen to lack `place`
            "utf16.csv:1: no column \"place\"",
        ),
        ("empty.csv", Vec::new(), "empty.csv:1: empty file"),
        (
            "truncated.csv",
            b"date,place,event\n2021,Khinjan,x\n2021,\"Khin,x\n".to_vec(),
            "truncated.csv:3: a quoted field opened here is never closed",
        ),
        (
            "fields.csv",
            b"date,place,event\n2021,Khinjan,x\n2021,Khinjan,x,extra\n".to_vec(),
            "fields.csv:3: 4 fields where the header has 3",
        ),
        ("binary.csv", bytes_with_nul, "binary.csv:3: binary data"),
        (
            "big.csv",
            big.into_bytes(),
            "big.csv:2: column 2 (place): field of 2097152 bytes",
        ),
    ];
    for (name, bytes, message) in cases {
        let input = tmp.path().join(name);
        fs::write(&input, bytes).unwrap();
        let out = tmp.path().join(format!("out-{name}"));
        export(&input, &out, &[])
            .code(1)
            .stderr(predicate::str::contains(message));
        assert!(!out.exists(), "{name}: nothing written");
    }
    // Windows-1252 is decoded, not refused: the é arrives intact in the output
    let latin1 = tmp.path().join("latin1.csv");
    fs::write(&latin1, b"date,place,event\n2021,Kh\xe9njan,x\n").unwrap();
    let out = tmp.path().join("out-latin1");
    export(&latin1, &out, &[]).success();
    let written: String = fs::read_dir(&out)
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(written.contains("Khénjan"), "{written}");
    gazmap()
        .args(["export", "--layer-by", "week", "x.csv"])
        .assert()
        .code(2);
}

#[test]
fn embedded_districts_are_polygons_by_default_and_points_on_request() {
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/events.csv");
    let run = |extra: &[&str]| {
        let tmp = tempfile::tempdir().unwrap();
        gazmap()
            .arg("export")
            .arg(&events)
            .arg("-o")
            .arg(tmp.path())
            .arg("--quiet")
            .args(extra)
            .assert()
            .success();
        read_layer(&tmp.path().join("district-captured.geojson"))
    };
    let polygons = run(&[]);
    let points = run(&["--geometry", "point"]);
    assert_eq!(ids(&polygons), ids(&points));
    assert!(!polygons.features.is_empty());
    for (a, b) in polygons.features.iter().zip(&points.features) {
        assert_eq!(prop(a, "kind"), "district");
        assert_eq!(prop(a, "place_id"), prop(b, "place_id"));
        let area =
            geo::Geometry::<f64>::try_from(a.geometry.as_ref().unwrap().value.clone()).unwrap();
        let point =
            geo::Geometry::<f64>::try_from(b.geometry.as_ref().unwrap().value.clone()).unwrap();
        assert!(
            matches!(
                area,
                geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_)
            ),
            "{area:?}"
        );
        assert_eq!(prop(a, "geo_precision"), "polygon");
        assert!(matches!(point, geo::Geometry::Point(_)), "{point:?}");
        assert_eq!(prop(b, "geo_precision"), "point");
        // the point lies inside the polygon of the same place
        use geo::Contains;
        assert!(area.contains(&point), "{}", prop(a, "place_name"));
    }
}
