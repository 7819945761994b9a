//! `gazmap resolve` on the embedded gazetteer and on fixture gazetteers.

use predicates::prelude::*;

use crate::util::{data, gazmap, gazmap_on, json_lines, stdout_of, temp_file, temp_path, RunExt};

fn resolve_json(args: &[&str]) -> Vec<serde_json::Value> {
    json_lines(&stdout_of(
        gazmap()
            .arg("resolve")
            .arg("--format")
            .arg("json")
            .args(args),
    ))
}

#[test]
fn issue_examples_resolve_to_the_right_places() {
    let lines = resolve_json(&[
        "Pul-i-Hisar",
        "Dih Salah",
        "Koundouz",
        "پل خمری",
        "Andarab district",
    ]);
    let expect = [
        ("district", "Baghlan", "Pul-e"),
        ("district", "Baghlan", "Deh"),
        ("district", "Kunduz", "Kunduz"),
        ("district", "Baghlan", "Pul"),
        ("district", "Baghlan", "Andar"),
    ];
    for (line, (kind, admin1, name)) in lines.iter().zip(expect) {
        assert_eq!(line["status"], "matched", "{line}");
        let best = &line["best"];
        assert_eq!(best["kind"], kind, "{line}");
        assert_eq!(best["admin1"], admin1, "{line}");
        assert!(best["name"].as_str().unwrap().starts_with(name), "{line}");
        let score = best["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        assert!(!best["reason"].as_str().unwrap().is_empty());
    }
    // Pul-e Khumri: the Persian spelling and a Latin one land on the same place
    let latin = resolve_json(&["Puli Khumri"]);
    assert_eq!(latin[0]["best"]["id"], lines[3]["best"]["id"]);
}

#[test]
fn unrelated_same_names_are_ambiguous_until_within() {
    // (name, --within as a user writes it, the province as the gazetteer spells it)
    let cases = [
        ("Fayzabad", "Jawzjan", "Jowzjan"),
        ("Kohistan", "Faryab", "Faryab"),
        ("Qarabagh", "Ghazni", "Ghazni"),
        ("Arghandab", "Zabul", "Zabul"),
        ("Dawlatabad", "Balkh", "Balkh"),
        // an alternate name of the Faryab district spells it so; the Badakhshan one is the
        // same word in another romanization
        ("Kohestan", "Badakhshan", "Badakhshan"),
    ];
    for (name, within, province) in cases {
        let plain = &resolve_json(&[name])[0];
        assert_eq!(plain["status"], "ambiguous", "{plain}");
        let all: Vec<&str> = std::iter::once(&plain["best"])
            .chain(plain["candidates"].as_array().unwrap())
            .map(|c| c["admin1"].as_str().unwrap())
            .collect();
        assert!(all.len() >= 2, "{plain}");
        assert!(all.contains(&province), "{plain}");
        let within = &resolve_json(&["--within", within, name])[0];
        assert_eq!(within["status"], "matched", "{within}");
        assert_eq!(within["best"]["admin1"], province, "{within}");
    }
}

#[test]
fn a_designator_of_another_kind_is_no_fuzzy_match() {
    // a gazetteer of districts only: "Baghlan province" must not become a district of a
    // similar name elsewhere
    let out = stdout_of(gazmap_on(data("districts-only.csv")).args([
        "resolve",
        "--format",
        "json",
        "Baghlan province",
        "Baghran",
    ]));
    let lines = json_lines(&out);
    assert_eq!(lines[0]["status"], "unmatched", "{}", lines[0]);
    assert_eq!(lines[1]["status"], "matched", "{}", lines[1]);
}

#[test]
fn garbage_is_unmatched_never_a_panic() {
    let long = "x".repeat(100_000);
    for q in ["xyzzy", "", "12345", &long] {
        let line = &resolve_json(&[q])[0];
        assert_eq!(line["status"], "unmatched");
        assert!(line["best"].is_null());
    }
}

#[test]
fn names_from_stdin_and_invalid_utf8() {
    let out = stdout_of(
        gazmap()
            .args(["resolve", "--format", "csv"])
            .write_stdin("Kaboul\r\n\nDjalalabad\n"),
    );
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows[0].starts_with("query,status,id,name,kind"));
    assert!(
        rows[1].starts_with("Kaboul,matched,") && rows[1].contains(",Kabul,"),
        "{out}"
    );
    assert!(
        rows[2].starts_with("Djalalabad,matched,") && rows[2].contains("Nangarhar"),
        "{out}"
    );

    gazmap()
        .arg("resolve")
        .write_stdin(b"Kabul\n\xff\xfe bad\n".to_vec())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("<stdin>:2: invalid UTF-8"));
}

#[test]
fn custom_gazetteer_and_its_errors() {
    let out = stdout_of(gazmap_on(data("mini.csv")).args(["resolve", "Nowhereabad"]));
    assert!(out.contains("matched") && out.contains("test:1"), "{out}");
    // a bad row and a missing file, the global flag after the subcommand
    let cases = [
        (data("bad-lat.csv"), "bad-lat.csv:3: column 7 (lat)"),
        ("/no/such/file.csv".into(), "/no/such/file.csv"),
    ];
    for (path, message) in cases {
        gazmap()
            .args(["resolve", "x", "--gazetteer"])
            .arg(path)
            .fails_with(1, message);
    }
}

#[test]
fn usage_errors_exit_2() {
    gazmap()
        .args(["resolve", "--format", "yaml", "Kabul"])
        .fails_with(2, "invalid value 'yaml'");
    gazmap()
        .args(["resolve", "--within", "Atlantis", "Kabul"])
        .fails_with(1, "--within \"Atlantis\"");
}

#[test]
fn official_list_spellings_with_qualifiers_and_centres() {
    // a trailing province qualifies; a dashed "centre of" names the same place again
    let lines = resolve_json(&[
        "Surubi (Paktika)",
        "SURUBI (KABUL)",
        "KUNDUZ - CENTER OF KUNDUZ",
    ]);
    let admin1 = |l: &serde_json::Value| l["best"]["admin1"].as_str().unwrap_or("").to_string();
    for (line, province) in lines.iter().zip(["Paktika", "Kabul", "Kunduz"]) {
        assert_eq!(line["status"], "matched", "{line}");
        let a = admin1(line);
        assert!(a == province || line["best"]["name"] == province, "{line}");
    }
}

#[test]
fn newer_and_renamed_districts_resolve_to_their_province_with_a_reason() {
    let queries = [
        "Marja",
        "Laja Mangal",
        "Dand",
        "Baghlan-e Markazi",
        "Ahmad Khel",
        "Jelga",
        "Kiti",
        "Pato",
        "Pato Ghar",
        "Delaram",
        "Dilaram",
        "Aqtash",
        "Mirzaka",
        "Gerda Serai",
        "Wuza Zadran",
        "Zawol",
        "Zerkoh",
        "Poshteh-Koh",
        "Kooh-Zoor",
        "Kohistan Awal",
        "Charchino",
    ];
    let lines = resolve_json(&queries);
    let expect = [
        ("Helmand", Some("Nād ‘Alī")),
        ("Paktia", Some("Lajah Aḩmad Khēl")),
        ("Kandahar", Some("Kandahar")),
        ("Baghlan", None),
        ("Paktia", None),
        ("Baghlan", None),
        ("Daykundi", Some("Kajrān")),
        ("Daykundi", Some("Gīzāb")),
        ("Daykundi", Some("Gīzāb")),
        ("Nimroz", Some("Khāsh Rōd")),
        ("Nimroz", Some("Khāsh Rōd")),
        ("Kunduz", Some("Khānābād")),
        ("Paktia", Some("Aḩmadābād")),
        ("Paktia", Some("Dzadrān")),
        ("Paktia", None),
        ("Herat", Some("Shīnḏanḏ")),
        ("Herat", Some("Shīnḏanḏ")),
        ("Herat", Some("Shīnḏanḏ")),
        ("Herat", Some("Shīnḏanḏ")),
        ("Kapisa", None),
        ("Oruzgan", None),
    ];
    assert_eq!(lines.len(), expect.len());
    for (line, (admin1, parent)) in lines.iter().zip(expect) {
        assert_eq!(line["status"], "matched", "{line}");
        let best = &line["best"];
        assert_eq!(best["kind"], "district", "{line}");
        assert_eq!(best["admin1"], admin1, "{line}");
        let reason = best["reason"].as_str().unwrap();
        match parent {
            // a newer district: the parent in admin2 and in the reason, and the parent's point
            Some(parent) => {
                assert_eq!(best["admin2"], parent, "{line}");
                assert!(reason.contains(&format!("carved from {parent}")), "{line}");
            }
            // a renamed district: found by its sourced alternate name
            None => assert!(reason.starts_with("alternate name"), "{line}"),
        }
    }
    // the 2005 set hides the newer districts
    let lines = resolve_json(&["--districts", "2005", "Marja", "Baghlan-e Markazi"]);
    assert_ne!(lines[0]["best"]["name"], "Marja", "{}", lines[0]);
    assert_eq!(lines[1]["status"], "matched", "{}", lines[1]);
}

#[test]
fn clean_gives_a_newer_district_its_parents_point() {
    let out = stdout_of(
        gazmap()
            .args(["clean", "-", "--column", "place"])
            .write_stdin("place\nMarja\nNad Ali\n"),
    );
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(&rows[0][col("gz_name")], "Marja");
    assert_eq!(&rows[0][col("gz_admin2")], "Nād ‘Alī");
    assert!(!rows[0][col("gz_lat")].is_empty());
    assert_eq!(&rows[0][col("gz_lat")], &rows[1][col("gz_lat")]);
    assert_eq!(&rows[0][col("gz_lon")], &rows[1][col("gz_lon")]);
}

#[test]
fn a_newer_district_whose_source_prints_a_point_keeps_its_own() {
    // Delaram's point is the one its source prints, inside its parent Khash Rod
    let lines = resolve_json(&["Delaram", "Khash Rod"]);
    let (delaram, parent) = (&lines[0]["best"], &lines[1]["best"]);
    assert_eq!(delaram["admin2"], "Khāsh Rōd", "{delaram}");
    assert_eq!(parent["name"], "Khāsh Rōd", "{parent}");
    assert_eq!(delaram["lat"].as_f64(), Some(32.16389), "{delaram}");
    assert_eq!(delaram["lon"].as_f64(), Some(63.43083), "{delaram}");
    assert_ne!(delaram["lat"], parent["lat"], "{delaram} {parent}");
    assert!(
        !delaram["reason"]
            .as_str()
            .unwrap()
            .contains("whose point it takes"),
        "{delaram}"
    );
}

#[test]
fn a_newer_district_whose_parent_no_source_names_stands_under_its_province() {
    // Spinghar and Chinarto: pages name them as districts of their province, none the
    // district they were carved from; the province stands for it and lends its point
    let lines = resolve_json(&[
        "Spin Ghar",
        "Spinghar",
        "Chinarto",
        "Nangarhar province",
        "Oruzgan province",
    ]);
    for (line, province) in lines[..3].iter().zip([&lines[3], &lines[3], &lines[4]]) {
        let (best, province) = (&line["best"], &province["best"]);
        assert_eq!(line["status"], "matched", "{line}");
        assert_eq!(best["kind"], "district", "{line}");
        assert_eq!(province["kind"], "province", "{province}");
        assert_eq!(best["admin1"], province["name"], "{line}");
        assert_eq!(best["admin2"], province["name"], "{line}");
        assert!(best["lat"].is_null(), "no point of its own: {line}");
        let reason = best["reason"].as_str().unwrap();
        assert!(
            reason.contains("carved from a district no source names")
                && reason.contains("the province's point"),
            "{line}"
        );
    }
    // clean gives it the province's point
    let out = stdout_of(
        gazmap()
            .args(["clean", "-", "--column", "place"])
            .write_stdin("place\nSpinghar\nNangarhar province\n"),
    );
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(&rows[0][col("gz_name")], "Spinghar");
    assert_eq!(&rows[1][col("gz_name")], "Nangarhar");
    assert!(!rows[0][col("gz_lat")].is_empty());
    assert_eq!(&rows[0][col("gz_lat")], &rows[1][col("gz_lat")]);
    assert_eq!(&rows[0][col("gz_lon")], &rows[1][col("gz_lon")]);
    // the 2005 set hides them
    let lines = resolve_json(&["--districts", "2005", "Spinghar", "Chinarto"]);
    for line in &lines {
        assert_ne!(line["best"]["kind"], "district", "{line}");
    }
}

#[test]
fn sourced_persian_names_find_their_district() {
    let lines = resolve_json(&[
        "چمتال",
        "شينډنډ",
        "کامدیش",
        "ميرزکه",
        "زاول",
        "استالف",
        "سرکاڼي",
        "خماب",
        "تیوره",
    ]);
    assert_eq!(lines.len(), 9);
    for (line, (name, admin1)) in lines.iter().zip([
        ("Chimtāl", "Balkh"),
        ("Shīnḏanḏ", "Herat"),
        ("Kāmdēsh", "Nuristan"),
        ("Mirzaka", "Paktia"),
        ("Zawol", "Herat"),
        ("Istālif", "Kabul"),
        ("Sirkanay", "Kunar"),
        ("Khamyāb", "Jowzjan"),
        ("Taywarah", "Ghowr"),
    ]) {
        assert_eq!(line["status"], "matched", "{line}");
        assert_eq!(line["best"]["name"], name, "{line}");
        assert_eq!(line["best"]["admin1"], admin1, "{line}");
    }
}

#[test]
fn a_gazetteer_csv_is_opened_as_every_csv_input_is() {
    // semicolons and Windows-1252 (é as 0xE9), as a spreadsheet saves them
    let (_dir, path) = temp_path("semi.csv");
    let mut bytes =
        b"id;name;kind;country;admin1;admin2;lat;lon;population;alt_names;geometry\n".to_vec();
    bytes.extend_from_slice(
        b"x:1;Qala Now;district;AF;Badghis;;35.0;63.1;;Qala-e-Naw|Qal\xe9 Naw;\n",
    );
    std::fs::write(&path, bytes).unwrap();
    let out =
        stdout_of(gazmap_on(&path).args(["resolve", "--format", "json", "Qalé Naw", "Qala-e-Naw"]));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    for line in lines {
        assert_eq!(line["status"], "matched", "{line}");
        assert_eq!(line["best"]["id"], "x:1", "{line}");
    }
}

#[test]
fn a_semicolon_gazetteer_is_read_by_the_strict_reader_clean_uses() {
    // a quoted name holding the delimiter reads whole, blank lines are passed over
    let header = "id;name;kind;country;lat;lon;alt_names\n";
    let (_dir, path) = temp_file(
        "semi.csv",
        format!("{header}\nx:1;\"Qala; Now\";district;AF;35.0;63.1;Qala-e-Naw\n\n"),
    );
    let out = stdout_of(gazmap_on(&path).args(["resolve", "--format", "json", "Qala-e-Naw"]));
    let lines = json_lines(&out);
    assert_eq!(lines[0]["best"]["name"], "Qala; Now", "{out}");
    // text after a closing quote is refused with its line and column, as clean refuses it
    let (_dir, bad) = temp_file(
        "bad.csv",
        format!("{header}x:1;\"Qala\" Now;district;AF;35.0;63.1;\n"),
    );
    gazmap_on(&bad)
        .args(["resolve", "Qala"])
        .fails_with(1, "bad.csv:2: column 2: text after the closing quote");
    // and so is a row of another width than the header
    let (_dir, short) = temp_file("short.csv", format!("{header}x:1;Qala;district;AF\n"));
    gazmap_on(&short)
        .args(["resolve", "Qala"])
        .fails_with(1, "short.csv:2: 4 fields where the header has 7");
}
