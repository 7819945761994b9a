//! `gazmap export` on fixture events and a fixture gazetteer with polygons
//! (tests/data/export/: the expected layers are listed in its events.csv comments below).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use predicates::prelude::*;

use crate::util::{data, gazmap, gazmap_on, temp_file, temp_path, RunExt};

/// Runs export of `events` with the fixture gazetteer into `dir`, plus extra args.
fn export(events: &Path, dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    gazmap_on(data("export/gazetteer.csv"))
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
    let (_tmp, out) = temp_path("out");
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
    // the input's columns, the time properties, then the place's (the contract's order)
    assert_eq!(
        keys.join(" "),
        "date place event source input_kind \
         date_start date_end time_precision time_precision_code \
         place_id place_name admin1 admin2 kind score method status geo_precision"
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
    let (tmp, by_date) = temp_path("by-date");
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
    let (tmp, events) = temp_file(
        "events.csv",
        "\u{feff}when,where,what\n2021-08-01,Imam Sahib,Clash\n2021-08-02,Khinjan,clash\n",
    );
    let out = tmp.path().join("out");
    gazmap_on(data("export/gazetteer.csv"))
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
            "truncated.csv:3: column 2: a quoted field opened here is never closed",
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
        .fails_with(2, "invalid value 'week'");
}

#[test]
fn time_is_data_and_undated_is_null() {
    let tmp = tempfile::tempdir().unwrap();
    export(
        &data("export/events.csv"),
        tmp.path(),
        &["-q", "--layer-by", "none"],
    )
    .success();
    let fc = read_layer(&tmp.path().join("events.geojson"));
    let time = |id: u64| {
        let f = fc
            .features
            .iter()
            .find(|f| f.id == Some(geojson::feature::Id::Number(id.into())))
            .unwrap();
        (
            f.property("date").cloned().unwrap(),
            [
                "date_start",
                "date_end",
                "time_precision",
                "time_precision_code",
            ]
            .map(|k| f.property(k).cloned().unwrap()),
        )
    };
    use serde_json::json;
    // a day, a month and a year, each with the days it covers; the date as written stays
    assert_eq!(
        time(1),
        (
            json!("2021-06-22"),
            [
                json!("2021-06-22"),
                json!("2021-06-22"),
                json!("day"),
                json!(1)
            ]
        )
    );
    assert_eq!(
        time(2),
        (
            json!("2021-07"),
            [
                json!("2021-07-01"),
                json!("2021-07-31"),
                json!("month"),
                json!(3)
            ]
        )
    );
    assert_eq!(
        time(4),
        (
            json!("2021"),
            [
                json!("2021-01-01"),
                json!("2021-12-31"),
                json!("year"),
                json!(3)
            ]
        )
    );
    // undated: null, not ""
    assert_eq!(
        time(9),
        (
            json!(""),
            [
                serde_json::Value::Null,
                serde_json::Value::Null,
                serde_json::Value::Null,
                serde_json::Value::Null
            ]
        )
    );
    // a malformed date is an error at its line and column, whatever the layering
    let bad = tmp.path().join("bad-date.csv");
    fs::write(&bad, "date,place,event\n2021-02-30,Khinjan,x\n").unwrap();
    export(&bad, &tmp.path().join("bad"), &[])
        .code(1)
        .stderr(predicate::str::contains(
            "bad-date.csv:2: column 1 (date): date \"2021-02-30\"",
        ));
}

#[test]
fn numeric_columns_are_numbers_unless_kept_as_strings() {
    let (tmp, events) = temp_file(
        "events.csv",
        "date,place,event,fatalities,lat_note,code,mixed,year\n\
         2021-07-01,Khinjan,clash,12,35.5,007,12,2021\n\
         2021-07-02,Khinjan,clash,,-0.25,010,twelve,2020\n\
         2021-07-03,Imam Sahib,clash,0,3,1,3,2019\n",
    );
    let out = tmp.path().join("out");
    export(&events, &out, &["-q"]).success();
    let fc = read_layer(&out.join("clash.geojson"));
    use serde_json::json;
    let col = |k: &str| -> Vec<serde_json::Value> {
        fc.features
            .iter()
            .map(|f| f.property(k).cloned().unwrap())
            .collect()
    };
    assert_eq!(
        col("fatalities"),
        [json!(12), serde_json::Value::Null, json!(0)]
    );
    assert_eq!(col("lat_note"), [json!(35.5), json!(-0.25), json!(3.0)]);
    // leading zeros are codes, not numbers; a column with any text stays text
    assert_eq!(col("code"), [json!("007"), json!("010"), json!("1")]);
    assert_eq!(col("mixed"), [json!("12"), json!("twelve"), json!("3")]);
    assert_eq!(col("year"), [json!(2021), json!(2020), json!(2019)]);
    assert!(col("score").iter().all(|v| v.is_f64()));
    assert!(col("time_precision_code").iter().all(|v| v.is_u64()));

    export(&events, &out, &["-q", "--keep-strings", "fatalities,5"]).success();
    let fc = read_layer(&out.join("clash.geojson"));
    let f = &fc.features[0];
    assert_eq!(f.property("fatalities"), Some(&json!("12")));
    assert_eq!(f.property("lat_note"), Some(&json!("35.5")));
    assert_eq!(f.property("year"), Some(&json!(2021)));
    export(&events, &out, &["--keep-strings", "nope"])
        .code(1)
        .stderr(predicate::str::contains(
            "no column \"nope\" (--keep-strings)",
        ));
}

/// Every polygon a layer holds, as geo geometries.
fn polygons(fc: &geojson::FeatureCollection) -> Vec<geo::Geometry<f64>> {
    fc.features
        .iter()
        .filter_map(|f| f.geometry.clone())
        .filter(|g| !matches!(g.value, geojson::GeometryValue::Point { .. }))
        .map(|g| g.try_into().unwrap())
        .collect()
}

#[test]
fn every_written_polygon_is_valid() {
    use geo::Validation;
    // tests/data/export/koshk.csv: Koshk district as geoBoundaries draws it (its second part
    // collapses when rounded to 6 decimals) and a tiny polygon that collapses whole
    let (tmp, events) = temp_file(
        "events.csv",
        "date,place,event\n2021-07-01,Koshk,clash\n2021-07-02,Tiny,clash\n",
    );
    gazmap_on(data("export/koshk.csv"))
        .arg("export")
        .arg(&events)
        .arg("-o")
        .arg(tmp.path())
        .arg("-q")
        .assert()
        .success();
    let fc = read_layer(&tmp.path().join("clash.geojson"));
    assert_eq!(fc.features.len(), 2, "no row lost");
    let polys = polygons(&fc);
    assert_eq!(polys.len(), 1, "the tiny place is drawn as its point");
    assert_eq!(prop(&fc.features[1], "geo_precision"), "point");
    for p in &polys {
        assert!(p.is_valid(), "{:?}", p.validation_errors());
    }
    // and the fixture's own polygons, with and without promotion
    let out = tmp.path().join("fixture");
    export(&data("export/events.csv"), &out, &["-q"]).success();
    for e in fs::read_dir(&out).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "geojson") {
            for p in polygons(&read_layer(&path)) {
                assert!(
                    p.is_valid(),
                    "{}: {:?}",
                    path.display(),
                    p.validation_errors()
                );
            }
        }
    }
}

#[test]
fn one_layer_streams_to_standard_output_and_several_are_a_usage_error() {
    let out = gazmap_on(data("export/gazetteer.csv"))
        .arg("export")
        .arg(data("export/events.csv"))
        .args(["--layer-by", "none", "-o", "-", "-q"])
        .assert()
        .success()
        .get_output()
        .clone();
    let fc: geojson::FeatureCollection = String::from_utf8(out.stdout)
        .unwrap()
        .parse::<geojson::GeoJson>()
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(ids(&fc), [1, 2, 3, 4, 9, 10]);
    // the unresolved rows are not lost: they go to standard error as unresolved.csv holds them
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("row,date,place,event,source,kind,reason,suggestions\n"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1 + 4, "{err}");
    let tmp = tempfile::tempdir().unwrap();
    for layer_by in ["event", "date"] {
        gazmap()
            .current_dir(tmp.path())
            .arg("export")
            .arg(data("export/events.csv"))
            .args(["--layer-by", layer_by, "-o", "-"])
            .fails_with(2, "--layer-by none");
    }
    assert!(!tmp.path().join("-").exists(), "no directory named -");
}

#[cfg(feature = "gpkg")]
#[test]
fn geopackage_has_a_typed_indexed_styled_table_per_layer() {
    let (_tmp, out) = temp_path("out");
    let run = || {
        gazmap()
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .arg("--gazetteer")
            .arg(data("export/gazetteer.csv"))
            .arg("export")
            .arg(data("export/events.csv"))
            .args(["--format", "gpkg,geojson", "-q", "-o"])
            .arg(&out)
            .assert()
            .success();
    };
    run();
    let first = snapshot(&out);
    assert!(first.contains_key("layers.gpkg") && first.contains_key("armed-clash.geojson"));
    run();
    assert_eq!(
        snapshot(&out),
        first,
        "byte-identical GeoPackage and layers"
    );
    let db = rusqlite::Connection::open(out.join("layers.gpkg")).unwrap();
    let app: i64 = db
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, 0x4750_4B47, "'GPKG'");
    // the rows of a query of two text columns
    let pairs = |sql: &str| -> Vec<(String, String)> {
        let mut statement = db.prepare(sql).unwrap();
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)));
        rows.unwrap().map(|r| r.unwrap()).collect()
    };
    let tables = pairs("SELECT table_name, data_type FROM gpkg_contents ORDER BY table_name");
    let features: Vec<&str> = tables
        .iter()
        .filter(|(_, t)| t == "features")
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(
        features,
        [
            "air-drone-strike",
            "armed-clash",
            "displacement",
            "district-captured",
            "unspecified"
        ]
    );
    assert!(tables.contains(&("layer_styles".into(), "attributes".into())));
    // the same features as the GeoJSON layer, ids included, and an R-tree entry for each
    let fids: Vec<i64> = db
        .prepare("SELECT fid FROM \"armed-clash\" ORDER BY fid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(fids, [2, 3]);
    let indexed: i64 = db
        .query_row("SELECT COUNT(*) FROM \"rtree_armed-clash_geom\"", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(indexed, 2);
    // typed columns: a month's days as DATE, the code as INTEGER, the score as REAL
    let (start, end, code, score, kind): (String, String, i64, f64, String) = db
        .query_row(
            "SELECT date_start, date_end, time_precision_code, score, typeof(score) FROM \"armed-clash\" WHERE fid = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (start.as_str(), end.as_str(), code),
        ("2021-07-01", "2021-07-31", 3)
    );
    assert!(score > 0.5 && kind == "real");
    let decl = pairs("SELECT name, type FROM pragma_table_info('armed-clash')");
    for (col, ty) in [
        ("geom", "MULTIPOLYGON"),
        ("date_start", "DATE"),
        ("time_precision_code", "INTEGER"),
        ("score", "REAL"),
        ("input_kind", "TEXT"),
    ] {
        assert!(
            decl.contains(&(col.into(), ty.into())),
            "{col} {ty} in {decl:?}"
        );
    }
    // one default style per layer; approximate locations hollow (points) or hatched (areas)
    let styles: Vec<(String, String)> = db
        .prepare("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault ORDER BY f_table_name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(styles.len(), features.len());
    let (_, displacement) = &styles[2];
    assert!(displacement.contains("&apos;parent&apos;") && displacement.contains("255,255,255,0"));
    let (_, clash) = &styles[1];
    assert!(
        clash.contains("b_diagonal") && clash.contains("SimpleFill"),
        "{clash}"
    );
    drop(db);

    // a failed run leaves the GeoPackage as it was
    gazmap()
        .arg("export")
        .arg(data("export/events.csv"))
        .args(["--format", "gpkg", "--place-column", "nope", "-o"])
        .arg(&out)
        .assert()
        .code(1);
    assert_eq!(snapshot(&out), first);
}

#[cfg(feature = "html")]
#[test]
fn map_page_embeds_everything_and_carries_data_only_as_escaped_json() {
    let tmp = tempfile::tempdir().unwrap();
    gazmap()
        .arg("export")
        .arg(data("export/hostile.csv"))
        .args(["--format", "html", "-q", "-o"])
        .arg(tmp.path())
        .assert()
        .success();
    let page = fs::read_to_string(tmp.path().join("index.html")).unwrap();
    // no GeoJSON asked for, none written
    assert!(!tmp.path().join("armed-clash.geojson").exists());
    // the data's HTML never appears as markup: every < inside the JSON is \u003c
    assert!(
        !page.contains("<img") && !page.contains("<b>x"),
        "raw HTML from the data"
    );
    assert!(page.contains(r#"\u003cimg src=x onerror=\"window.__pwned=1\">"#));
    assert_eq!(
        page.matches("</script>").count(),
        page.matches("<script").count()
    );
    // self-contained: no URL the browser would fetch, the libraries and their licences inline
    assert!(!page.contains("<script src") && !page.contains("<link"));
    assert!(
        page.contains("default-src 'none'"),
        "a policy that forbids the network"
    );
    assert!(page.contains("Leaflet") && page.contains("BSD") && page.contains("markercluster"));
    assert!(page.contains("leaflet@1.9.4"));
    // every layer's features
    for layer in ["armed-clash", "protest", "displacement"] {
        assert!(page.contains(&format!("data-layer=\"{layer}\"")), "{layer}");
    }
    // a tile URL is data too, escaped as JSON
    gazmap()
        .arg("export")
        .arg(data("export/hostile.csv"))
        .args([
            "--format",
            "html",
            "-q",
            "--tiles",
            "https://t/{z}/{x}/{y}.png?</script>",
            "-o",
        ])
        .arg(tmp.path())
        .assert()
        .success();
    let page = fs::read_to_string(tmp.path().join("index.html")).unwrap();
    assert!(
        page.contains(r#""tiles":"https://t/{z}/{x}/{y}.png?\u003c/script>""#),
        "tiles"
    );
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
