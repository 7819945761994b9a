//! `gazmap import geonames` on the hand-made dump excerpt in `tests/data/geonames`, and
//! `--gazetteer` given a dump directly.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::util::{data, gazmap, gazmap_on, json_lines, stdout_of, temp_file, temp_path, RunExt};

fn geo(name: &str) -> PathBuf {
    data("geonames").join(name)
}

fn expected() -> String {
    fs::read_to_string(geo("expected-AF.csv")).unwrap()
}

/// `gazmap import geonames DUMP` with the fixture's code and alternate-name files.
fn import_all(dump: &Path, alternates: &Path) -> assert_cmd::assert::Assert {
    gazmap()
        .args(["import", "geonames"])
        .arg(dump)
        .arg("--alternate-names")
        .arg(alternates)
        .arg("--admin1")
        .arg(geo("admin1CodesASCII.txt"))
        .arg("--admin2")
        .arg(geo("admin2Codes.txt"))
        .assert()
}

/// Writes a zip holding `inner` (with the content of `src`) and a readme, as GeoNames does.
fn zip_of(src: &Path, dest: &Path, inner: &str) {
    let file = fs::File::create(dest).unwrap();
    let mut w = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("readme.txt", opts).unwrap();
    w.write_all(b"not the dump").unwrap();
    w.start_file(inner, opts).unwrap();
    w.write_all(&fs::read(src).unwrap()).unwrap();
    w.finish().unwrap();
}

#[test]
fn import_gives_the_expected_contract_csv_and_reports_bad_lines() {
    let out = import_all(&geo("AF.txt"), &geo("alternateNamesV2.txt")).success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout, expected());
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    for line in [
        "AF.txt:4: 2 tab-separated fields where a GeoNames dump line has 19",
        "AF.txt:7: column 6 (longitude): \"north\" is not a number",
        "AF.txt:10: column 1 (geonameid): \"11x4\" is not a GeoNames id",
        "admin1CodesASCII.txt:4: expected a code such as AF.01 and a name",
        "alternateNamesV2.txt:16: 3 fields; expected alternateNameId",
        "gazmap: imported 7 places with 14 alternate names from 10 lines\n",
        "gazmap: skipped 5 malformed lines, 4 link/code pseudo-names, 1 colloquial names, \
         1 alternate names of places not imported\n",
        "gazmap: 2 places have an admin1/admin2 code with no name",
    ] {
        assert!(stderr.contains(line), "missing {line:?} in:\n{stderr}");
    }
}

#[test]
fn zipped_dump_and_alternate_names_give_the_same_csv() {
    let (dir, dump) = temp_path("AF.zip");
    let alts = dir.path().join("alternateNamesV2.zip");
    zip_of(&geo("AF.txt"), &dump, "AF.txt");
    zip_of(&geo("alternateNamesV2.txt"), &alts, "alternateNamesV2.txt");
    let out = dir.path().join("af.csv");
    import_all(&dump, &alts).success();
    gazmap()
        .args(["import", "geonames", "-q"])
        .arg(&dump)
        .arg("--alternate-names")
        .arg(&alts)
        .arg("--admin1")
        .arg(geo("admin1CodesASCII.txt"))
        .arg("--admin2")
        .arg(geo("admin2Codes.txt"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    assert_eq!(fs::read_to_string(&out).unwrap(), expected());
}

#[test]
fn output_does_not_depend_on_the_dump_line_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(geo("AF.txt")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    let reversed = dir.path().join("AF.txt");
    fs::write(&reversed, lines.join("\n") + "\n").unwrap();
    let out = import_all(&reversed, &geo("alternateNamesV2.txt")).success();
    assert_eq!(out.get_output().stdout, expected().as_bytes());
}

#[test]
fn strict_stops_at_the_first_bad_line_and_leaves_the_output_alone() {
    let (dir, out) = temp_file("af.csv", "previous");
    gazmap()
        .args(["import", "geonames", "--strict"])
        .arg(geo("AF.txt"))
        .arg("-o")
        .arg(&out)
        .fails_with(
            1,
            "AF.txt:4: 2 tab-separated fields where a GeoNames dump line has 19",
        );
    assert_eq!(fs::read_to_string(&out).unwrap(), "previous");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn feature_classes_filter_and_are_checked() {
    let csv = stdout_of(
        gazmap()
            .args(["import", "geonames", "-q", "--feature-classes", "A"])
            .arg(geo("AF.txt")),
    );
    let kinds: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(kinds, ["province", "country", "district"]);
    gazmap()
        .args(["import", "geonames", "--feature-classes", "A,X"])
        .arg(geo("AF.txt"))
        .fails_with(2, "\"X\" is not a GeoNames feature class");
}

#[test]
fn zip_without_the_dump_inside_is_refused() {
    let (dir, bogus) = temp_path("XX.zip");
    let file = fs::File::create(&bogus).unwrap();
    let mut w = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("a.csv", opts).unwrap();
    w.start_file("b.json", opts).unwrap();
    w.finish().unwrap();
    gazmap()
        .args(["import", "geonames"])
        .arg(&bogus)
        .fails_with(
            1,
            "expected xx.txt (or a single .txt file) inside; it holds: a.csv, b.json",
        );
    let not_zip = dir.path().join("YY.zip");
    fs::write(&not_zip, "plain text").unwrap();
    gazmap()
        .args(["import", "geonames"])
        .arg(&not_zip)
        .fails_with(1, "not a usable zip file");
}

#[test]
fn gazetteer_flag_takes_a_dump_directly() {
    let lines = json_lines(&stdout_of(gazmap_on(geo("AF.txt")).args([
        "resolve",
        "--format",
        "json",
        "Pol-i-Khumri",
        "Puli Hisar",
    ])));
    assert_eq!(lines[0]["best"]["id"], "geonames:1131316");
    assert_eq!(lines[0]["best"]["admin1"], "Velāyat-e Baghlān");
    assert_eq!(lines[1]["best"]["id"], "geonames:7052888");
    assert_eq!(lines[1]["best"]["kind"], "district");
    gazmap_on(geo("AF.txt"))
        .args(["resolve", "Kunduz"])
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped 3 malformed lines of"));
}

#[test]
fn a_dump_given_directly_resolves_like_its_imported_csv() {
    let (_dir, csv) = temp_path("af.csv");
    gazmap()
        .args(["import", "geonames", "-q"])
        .arg(geo("AF.txt"))
        .arg("-o")
        .arg(&csv)
        .assert()
        .success();
    let queries =
        "Pol-i-Khumri\nKoundouz\nPuli Hisar\nDih Salah\nBaghlan province\nKokcha\nnowhere\n";
    let through = |gazetteer: &Path| {
        stdout_of(
            gazmap_on(gazetteer)
                .args(["resolve", "--format", "json"])
                .write_stdin(queries),
        )
    };
    let from_dump = through(&geo("AF.txt"));
    assert_eq!(json_lines(&from_dump).len(), 7);
    assert_eq!(from_dump, through(&csv));
}
