//! `gazmap import boundaries` on the boundary fixtures (tests/data/boundaries/README.md says
//! what each holds and what to expect), then `export` drawing the imported polygons.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

use crate::util::{data, gazmap, gazmap_on, json_lines, stdout_of, temp_path, RunExt};

fn import_districts(out: &Path) {
    gazmap()
        .args(["import", "boundaries"])
        .arg(data("boundaries/districts.geojson"))
        .args(["--name-field", "shapeName", "--parents"])
        .arg(data("boundaries/provinces.geojson"))
        .args(["--parent-name-field", "ADM1_EN", "-o"])
        .arg(out)
        .succeeds_saying(&[
            "alternate names merged for 3 of 5",
            "Nowhere Valley (Baghlan): not in the reference gazetteer",
        ]);
}

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        rdr.headers().unwrap(),
        gazmap::gazetteer::CSV_COLUMNS.to_vec()
    );
    rdr.records().map(|r| r.unwrap()).collect()
}

#[test]
fn districts_get_polygons_provinces_and_alternate_names() {
    let (_tmp, out) = temp_path("districts.csv");
    import_districts(&out);
    let rows = rows(&out);
    let got: Vec<(&str, &str, &str, &str)> =
        rows.iter().map(|r| (&r[0], &r[1], &r[2], &r[4])).collect();
    assert_eq!(
        got,
        [
            (
                "17698898B00000000000001",
                "Pul-e Khumri",
                "district",
                "Baghlan"
            ),
            ("17698898B00000000000002", "Nahrin", "district", "Baghlan"),
            ("17698898B00000000000003", "Nahrin", "district", "Kunduz"),
            ("17698898B00000000000004", "Khinjan", "district", "Baghlan"),
            (
                "17698898B00000000000005",
                "Nowhere Valley",
                "district",
                "Baghlan"
            ),
        ]
    );
    for r in &rows {
        assert_eq!(&r[3], "AF", "country from the matching places");
        assert!(
            r[10].starts_with("POLYGON((") || r[10].starts_with("MULTIPOLYGON((("),
            "{:?}",
            &r[10]
        );
    }
    assert!(rows[3][10].starts_with("MULTIPOLYGON"));
    // the interior point lies in the district's own square
    let (lat, lon): (f64, f64) = (rows[0][6].parse().unwrap(), rows[0][7].parse().unwrap());
    assert!((35.8..36.0).contains(&lat) && (68.6..68.8).contains(&lon));
    // alternate names merged from the embedded gazetteer's place in that province
    let alts = |i: usize| {
        rows[i][9]
            .split('|')
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert!(
        alts(0).contains(&"Puli Khumri".to_string()),
        "{:?}",
        alts(0)
    );
    assert!(alts(1).contains(&"Nahrīn".to_string()), "{:?}", alts(1));
    assert!(alts(3).contains(&"Khinjān".to_string()), "{:?}", alts(3));
    assert_eq!(&rows[2][9], "", "no Nahrin in Kunduz to merge from");
    assert_eq!(&rows[4][9], "");
}

#[test]
fn imported_gazetteer_resolves_spellings_and_exports_polygons() {
    let (tmp, gaz) = temp_path("districts.csv");
    import_districts(&gaz);
    // a spelling only the merged alternate names know
    let lines = json_lines(&stdout_of(gazmap_on(&gaz).args([
        "resolve",
        "--format",
        "json",
        "پل خمری",
    ])));
    assert_eq!(
        lines[0]["best"]["id"], "17698898B00000000000001",
        "{}",
        lines[0]
    );

    let events = tmp.path().join("events.csv");
    fs::write(
        &events,
        "date,place,event\n2021-08-10,Puli Khumri,District captured\n2021-08-11,Khinjan,District captured\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    gazmap_on(&gaz)
        .arg("export")
        .arg(&events)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("2 drawn (2 as polygons)"));
    let gj: geojson::GeoJson = fs::read_to_string(out.join("district-captured.geojson"))
        .unwrap()
        .parse()
        .unwrap();
    let fc = geojson::FeatureCollection::try_from(gj).unwrap();
    let types: Vec<&str> = fc
        .features
        .iter()
        .map(|f| f.geometry.as_ref().unwrap().value.type_name())
        .collect();
    // Pul-e Khumri's Polygon beside Khinjan's MultiPolygon: one geometry type per layer
    assert_eq!(types, ["MultiPolygon", "MultiPolygon"]);
    for f in &fc.features {
        assert_eq!(f.property("geo_precision").unwrap(), "polygon");
    }
}

#[test]
fn without_parents_ids_come_from_the_file_and_kind_is_province() {
    let text = stdout_of(
        gazmap()
            .args(["import", "boundaries"])
            .arg(data("boundaries/provinces.geojson"))
            .args(["--name-field", "ADM1_EN", "-o", "-", "-q"]),
    );
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let got: Vec<(String, String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string(), r[2].to_string())
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "boundary:provinces:1".into(),
                "Baghlan".into(),
                "province".into()
            ),
            (
                "boundary:provinces:2".into(),
                "Kunduz".into(),
                "province".into()
            ),
        ]
    );
}

#[test]
fn bad_boundaries_are_errors_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "point-geometry.geojson",
            "shapeName",
            "feature 2 (Nahrin): geometry is a Point",
        ),
        (
            "projected.geojson",
            "shapeName",
            "not WGS84 longitude/latitude",
        ),
        (
            "truncated.geojson",
            "shapeName",
            "truncated.geojson:103: column 4: not GeoJSON",
        ),
        (
            "districts.geojson",
            "name",
            "feature 1: no property \"name\" (--name-field); it has: \"shapeName\"",
        ),
    ];
    for (file, field, message) in cases {
        let out = tmp.path().join(format!("{file}.csv"));
        gazmap()
            .args(["import", "boundaries"])
            .arg(data(&format!("boundaries/{file}")))
            .args(["--name-field", field, "-o"])
            .arg(&out)
            .fails_with(1, message);
        assert!(!out.exists(), "{file}: nothing written");
    }
    // --parents without its name field is a usage error
    gazmap()
        .args(["import", "boundaries"])
        .arg(data("boundaries/districts.geojson"))
        .args([
            "--name-field",
            "shapeName",
            "--parents",
            "p.geojson",
            "-o",
            "x.csv",
        ])
        .assert()
        .code(2);
}
