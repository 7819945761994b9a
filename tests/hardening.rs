//! Bad and unusual inputs found by the hardening campaign (issue 15): no panic, no row
//! lost, no partial or misplaced output.

use std::fs;

use crate::util::{gazmap, gazmap_on, temp_file, temp_path, RunExt};

#[test]
fn clean_reads_a_cr_only_csv_row_by_row() {
    let (_dir, input) = temp_file("cr.csv", "date,place,event\r2021-01-01,Kunduz,captured\r");
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
    assert!(
        lines[1].starts_with("2021-01-01,Kunduz,captured,"),
        "{text:?}"
    );
    assert!(lines[1].contains(",matched,"), "{text:?}");
    assert_eq!(lines[2], "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 rows"), "{stderr}");
}

const BAD_POSITIONS: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"shapeName":"Nahrin"},"geometry":{"type":"Polygon","coordinates":[[[1],[2],[3],[1]]]}}]}"#;

#[test]
fn import_boundaries_refuses_positions_of_one_number_without_a_panic() {
    let (dir, bad) = temp_file("bad.geojson", BAD_POSITIONS);
    let out = dir.path().join("out.csv");
    gazmap()
        .args(["import", "boundaries", "--name-field", "shapeName", "-o"])
        .arg(&out)
        .arg(&bad)
        .fails_with(
            1,
            "feature 1 (Nahrin): polygon 1, ring 1, position 1: fewer than two numbers",
        );
    // as parents too
    gazmap()
        .args(["import", "boundaries", "--name-field", "shapeName"])
        .args(["--parent-name-field", "shapeName", "--parents"])
        .arg(&bad)
        .arg("-o")
        .arg(&out)
        .arg(crate::util::data("boundaries/districts.geojson"))
        .fails_with(1, "fewer than two numbers");
    assert!(!out.exists());
}

/// A MultiPolygon with a part of no rings, and one whose outer ring has no positions (the
/// boundaries fuzz target found the WKT writer panicking on both).
const EMPTY_PARTS: [(&str, &str); 3] = [
    (
        r#"[[[[68.5,35.5],[69,35.5],[69,36],[68.5,35.5]]],[]]"#,
        "polygon 2: no rings",
    ),
    (
        r#"[[[[68.5,35.5],[69,35.5],[69,36],[68.5,35.5]]],[[]]]"#,
        "polygon 2, ring 1: no positions",
    ),
    (
        r#"[[[[68.5,35.5],[69,35.5],[69,36],[68.5,35.5]],[]]]"#,
        "polygon 1, ring 2: no positions",
    ),
];

#[test]
fn import_boundaries_refuses_empty_parts_and_rings_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.geojson");
    let out = dir.path().join("out.csv");
    for (coordinates, message) in EMPTY_PARTS {
        fs::write(
            &bad,
            format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"shapeName":"Khinjan"}},"geometry":{{"type":"MultiPolygon","coordinates":{coordinates}}}}}]}}"#
            ),
        )
        .unwrap();
        gazmap()
            .args(["import", "boundaries", "--name-field", "shapeName", "-o"])
            .arg(&out)
            .arg(&bad)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(format!(
                "feature 1 (Khinjan): {message}"
            )));
        assert!(!out.exists());
    }
}

#[test]
fn import_boundaries_reads_standard_input_and_skips_a_bom() {
    let original = fs::read(crate::util::data("boundaries/provinces.geojson")).unwrap();
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&original);
    // the same import, of standard input and of the file
    let import = [
        "import",
        "boundaries",
        "--name-field",
        "ADM1_EN",
        "-q",
        "-o",
        "-",
    ];
    let from_stdin = crate::util::stdout_of(gazmap().args(import).arg("-").write_stdin(with_bom));
    let from_file = crate::util::stdout_of(
        gazmap()
            .args(import)
            .arg(crate::util::data("boundaries/provinces.geojson")),
    );
    let text = from_stdin;
    assert!(text.contains("\nboundary:stdin:1,Baghlan,"), "{text}");
    assert_eq!(
        text.replace("boundary:stdin:", "boundary:provinces:"),
        from_file
    );
}

/// Events CSV of `text` written as `article.txt` in a directory of its own.
fn events_of(article: &[u8]) -> Vec<csv::StringRecord> {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("article.txt"), article).unwrap();
    let out = gazmap()
        .current_dir(dir.path())
        .args([
            "extract",
            "-q",
            "--events-csv",
            "-",
            "-o",
            "layers",
            "article.txt",
        ])
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
    let (dir, path) = temp_file("a.txt", article.replace('\n', "\r") + "Kunduz fell.\r");
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
    assert!(
        stderr.len() < 400,
        "{} bytes of standard error",
        stderr.len()
    );
}

/// Runs gazmap under `sh` with a file size limit of `blocks` × 512 bytes (SIGXFSZ ignored,
/// so a write past it fails as a full disk would).
fn gazmap_with_file_limit(blocks: u64, args: &[&str]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("gazmap");
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
        ))
        .arg(bin)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn extract_that_fails_midway_leaves_every_old_output() {
    let (dir, out) = temp_path("out");
    let article = crate::util::data("../../examples/article-en.txt");
    let out_s = out.to_str().unwrap();
    let article_s = article.to_str().unwrap();
    // a first run
    gazmap()
        .args(["extract", "-q", "-o", out_s, article_s])
        .assert()
        .success();
    fs::write(out.join("events.csv"), "old events\n").unwrap();
    fs::write(out.join("captured.geojson"), "old layer\n").unwrap();
    fs::write(out.join("notes.txt"), "the user's\n").unwrap();
    // the names in the output folder, sorted
    let names = || {
        let mut v: Vec<_> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        v.sort();
        v
    };
    let before = names();
    // events.csv (3.3 kB) fits in 3.5 kB, captured.geojson (4 kB) does not
    let run = gazmap_with_file_limit(7, &["extract", "-q", "-o", out_s, article_s]);
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert_eq!(
        fs::read_to_string(out.join("events.csv")).unwrap(),
        "old events\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("captured.geojson")).unwrap(),
        "old layer\n"
    );
    assert_eq!(names(), before);
    // nothing left beside the folder either
    let beside: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["out"]);
    // and a run that succeeds replaces the set, keeping the user's file
    gazmap()
        .args(["extract", "-q", "-o", out_s, article_s])
        .assert()
        .success();
    assert!(fs::read_to_string(out.join("events.csv"))
        .unwrap()
        .starts_with("date,"));
    assert_eq!(
        fs::read_to_string(out.join("notes.txt")).unwrap(),
        "the user's\n"
    );
}

#[test]
fn extract_writes_a_fifo_in_place_and_refuses_one_file_for_two_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let article = crate::util::data("../../examples/article-en.txt");
    let same = dir.path().join("same.csv");
    gazmap()
        .args(["extract", "-q", "-o"])
        .arg(dir.path().join("out"))
        .arg("--events-csv")
        .arg(&same)
        .arg("--mentions")
        .arg(dir.path().join(".").join("same.csv"))
        .arg(&article)
        .fails_with(2, "name the same file");
    assert!(!same.exists());

    let fifo = dir.path().join("events.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    gazmap()
        .args(["extract", "-q", "-o"])
        .arg(dir.path().join("out"))
        .arg("--events-csv")
        .arg(&fifo)
        .arg(&article)
        .assert()
        .success();
    let text = reader.join().unwrap();
    assert!(text.starts_with("date,place,event,"), "{text}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "still a FIFO"
    );
}

#[test]
fn clean_caps_threads_with_a_message() {
    let (_dir, input) = temp_file("in.csv", "place\nKunduz\n");
    gazmap()
        .args(["clean", "-q", "--column", "place", "--threads", "100000"])
        .arg(&input)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .stderr(predicates::str::contains("--threads 100000: using "))
        .stdout(predicates::str::contains("Kunduz,"));
}

#[test]
fn import_geonames_stops_on_a_zip_of_zeros_and_on_random_bytes() {
    let (dir, zip_path) = temp_path("AF.zip");
    {
        let mut z = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("AF.txt", opts).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            std::io::Write::write_all(&mut z, &zeros).unwrap();
        }
        z.finish().unwrap();
    }
    assert!(fs::metadata(&zip_path).unwrap().len() < 1 << 20);
    let out = dir.path().join("out.csv");
    gazmap()
        .args(["import", "geonames", "-q", "-o"])
        .arg(&out)
        .arg(&zip_path)
        .timeout(std::time::Duration::from_secs(60))
        .fails_with(1, "a line longer than 1 MiB");
    gazmap()
        .args(["import", "geonames", "-q", "-o"])
        .arg(&out)
        .arg("/dev/urandom")
        .timeout(std::time::Duration::from_secs(60))
        .fails_with(1, "not a GeoNames");
    assert!(!out.exists());
}

#[test]
fn extract_and_import_boundaries_stop_early_on_endless_input() {
    let dir = tempfile::tempdir().unwrap();
    gazmap()
        .args(["extract", "-q", "-o"])
        .arg(dir.path().join("out"))
        .arg("/dev/zero")
        .timeout(std::time::Duration::from_secs(60))
        .fails_with(1, "longer than 24 MiB");
    gazmap()
        .args(["import", "boundaries", "-q", "--name-field", "n", "-o"])
        .arg(dir.path().join("b.csv"))
        .arg("/dev/urandom")
        .timeout(std::time::Duration::from_secs(60))
        .fails_with(1, "not GeoJSON");
}

#[test]
fn faulty_index_files_with_right_checksums_do_not_panic() {
    for name in [
        "faulty-key-id-opening.gzi",
        "faulty-key-id-counting.gzi",
        "faulty-key-without-names.gzi",
    ] {
        let path = crate::util::data(&format!("index/{name}"));
        let out = gazmap_on(&path)
            .arg("resolve")
            .args(crate::common::probes::PROBE_NAMES)
            .output()
            .unwrap();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            code == Some(0) || code == Some(1),
            "{name}: {code:?} {stderr}"
        );
        // the file is read past its header: a version this gazmap refuses would test nothing
        assert!(!stderr.contains("rebuild it"), "{name}: {stderr}");
    }
}

#[test]
fn export_refuses_text_after_a_closing_quote_as_clean_does() {
    let (dir, input) = temp_file(
        "events.csv",
        "date,place,event\n2021-07-06,\"Kunduz\"x,captured\n",
    );
    gazmap()
        .args(["export", "-q", "-o"])
        .arg(dir.path().join("out"))
        .arg(&input)
        .fails_with(1, "events.csv:2: column 2: text after the closing quote");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn export_refuses_a_date_column_it_does_not_have_whatever_the_layers() {
    let (dir, input) = temp_file(
        "events.csv",
        "date,place,event\n2021-07-06,Kunduz,captured\n",
    );
    for layer_by in ["event", "none"] {
        gazmap()
            .args([
                "export",
                "-q",
                "--layer-by",
                layer_by,
                "--date-column",
                "nosuch",
                "-o",
            ])
            .arg(dir.path().join("out"))
            .arg(&input)
            .fails_with(1, "no column \"nosuch\" (--date-column)");
    }
    // the defaults may be missing when the layers do not need them
    fs::write(&input, "place\nKunduz\n").unwrap();
    gazmap()
        .args(["export", "-q", "--layer-by", "none", "-o"])
        .arg(dir.path().join("out"))
        .arg(&input)
        .assert()
        .success();
}

#[test]
fn clean_refuses_a_lone_utf16_surrogate() {
    let (dir, input) = temp_path("u16.csv");
    let mut bytes = b"\xff\xfe".to_vec();
    let units = "id,place\n1,Kunduz\n2,"
        .encode_utf16()
        .chain([0xDC00])
        .chain("Kabul\n".encode_utf16());
    for u in units {
        bytes.extend(u.to_le_bytes());
    }
    fs::write(&input, bytes).unwrap();
    let out = dir.path().join("out.csv");
    gazmap()
        .args(["clean", "-q", "--column", "place", "-o"])
        .arg(&out)
        .arg(&input)
        .fails_with(1, "line 3: a lone UTF-16 surrogate");
    assert!(!out.exists());
}

/// `import boundaries` checks its places with `Gazetteer::check_places` rather than building a
/// gazetteer from a copy of them: the two must agree.
#[test]
fn check_places_agrees_with_from_places() {
    use gazmap::{Gazetteer, Kind, Place};
    let place = |id: &str, name: &str| Place {
        id: id.into(),
        name: name.into(),
        kind: Kind::District,
        country: "AF".into(),
        admin1: "Baghlan".into(),
        admin2: String::new(),
        lat: Some(36.0),
        lon: Some(69.0),
        population: None,
        alt_names: vec!["Narin".into()],
        geometry: Some("POLYGON((68 35,69 35,69 36,68 35))".into()),
        parents: Default::default(),
    };
    let unique = vec![place("b:2", "Nahrin"), place("b:1", "Khinjan")];
    assert!(Gazetteer::check_places(&unique).is_ok());
    assert!(Gazetteer::from_places(unique).is_ok());
    let twice = vec![
        place("b:1", "Nahrin"),
        place("b:2", "Khinjan"),
        place("b:1", "Doshi"),
    ];
    let checked = Gazetteer::check_places(&twice).unwrap_err().to_string();
    let built = Gazetteer::from_places(twice).unwrap_err().to_string();
    assert_eq!(checked, built);
    assert!(
        checked.contains("duplicate place id \"b:1\" (places 1 and 3)"),
        "{checked}"
    );
}

/// An article's mentions of one name, and their event rows, share one resolution rather than
/// each holding a copy (most of `extract`'s memory on a long article was such copies).
#[test]
fn extract_shares_one_resolution_per_name() {
    use std::sync::Arc;
    let resolver = gazmap::Resolver::new(gazmap::Gazetteer::embedded().unwrap()).unwrap();
    let text = "date: 2021-07-06\nThe Taliban captured Khinjan district on Monday.\n\n\
                Government forces retook Khinjan district on Tuesday.\n";
    let x = gazmap::extract::extract(
        &resolver,
        text.as_bytes(),
        "test",
        &gazmap::extract::Config::default(),
    )
    .unwrap();
    let khinjan: Vec<_> = x.mentions.iter().filter(|m| m.text == "Khinjan").collect();
    assert_eq!(khinjan.len(), 2, "{:?}", x.mentions);
    assert!(Arc::ptr_eq(&khinjan[0].resolution, &khinjan[1].resolution));
    assert_eq!(x.events.len(), 2, "{:?}", x.events);
    for e in &x.events {
        assert!(Arc::ptr_eq(&e.resolution, &khinjan[0].resolution));
    }
}
