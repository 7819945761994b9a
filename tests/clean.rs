//! `gazmap clean` on committed fixtures under `tests/data/clean` (and, for binary or large
//! inputs, files written into a temporary directory).

use std::fs;
use std::path::Path;

use predicates::prelude::*;

use crate::util::{data, gazmap, temp_file, temp_path, RunExt};

fn fixture(name: &str) -> std::path::PathBuf {
    data(&format!("clean/{name}"))
}

/// Removes the 12 appended fields from every physical line that carries them, leaving the
/// original bytes. The `gz_*` values never hold the delimiter or a line break.
fn strip_gz(out: &[u8], delim: u8, term: &[u8]) -> Vec<u8> {
    let mut lines = Vec::new();
    let mut rest = out;
    loop {
        let (line, next) = match rest.windows(term.len()).position(|w| w == term) {
            Some(i) => (&rest[..i], Some(&rest[i + term.len()..])),
            None => (rest, None),
        };
        let delims: Vec<usize> = line
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == delim)
            .map(|(i, _)| i)
            .collect();
        if delims.len() >= 12 {
            lines.push(line[..delims[delims.len() - 12]].to_vec());
        } else {
            lines.push(line.to_vec());
        }
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    lines.join(term)
}

/// `clean PATH -c place EXTRA…`, which must succeed: its standard output and error.
fn clean_place(path: &Path, extra: &[&str]) -> (Vec<u8>, String) {
    let mut args = vec![path.to_str().unwrap(), "-c", "place"];
    args.extend(extra);
    run_ok(&args)
}

fn run_ok(args: &[&str]) -> (Vec<u8>, String) {
    let out = gazmap().arg("clean").args(args).assert().success();
    let o = out.get_output();
    (
        o.stdout.clone(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The data rows of UTF-8 CSV output, parsed.
fn rows(out: &[u8], delim: u8) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::ReaderBuilder::new().delimiter(delim).from_reader(out);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    (header, r.records().map(|r| r.unwrap()).collect())
}

#[test]
fn bom_semicolons_and_windows_1252_round_trip_byte_for_byte() {
    for name in [
        "bom-win1252-semicolon.csv",
        "win1252-semicolon.csv",
        "bom-semicolon.csv",
    ] {
        let input = fs::read(fixture(name)).unwrap();
        let (_dir, out_path) = temp_path("out.csv");
        gazmap()
            .arg("clean")
            .arg(fixture(name))
            .args(["--column", "place", "-o"])
            .arg(&out_path)
            .assert()
            .success()
            .stdout("");
        let out = fs::read(&out_path).unwrap();
        assert_eq!(strip_gz(&out, b';', b"\r\n"), input, "{name}");
        // the Windows-1252 é is still the one byte 0xE9, the UTF-8 one two bytes
        if name.contains("1252") {
            assert!(out.windows(4).any(|w| w == b"caf\xe9"), "{name}");
        } else {
            assert!(out.windows(5).any(|w| w == "café".as_bytes()), "{name}");
        }
        assert_eq!(
            out.starts_with(b"\xef\xbb\xbf"),
            input.starts_with(b"\xef\xbb\xbf")
        );
        // and the appended columns say what was found, in the same encoding
        let utf8 = encoding_rs::WINDOWS_1252.decode(&out).0.into_owned();
        let utf8 = utf8.trim_start_matches(['\u{feff}', 'ï', '»', '¿']);
        let (header, rows) = rows(utf8.as_bytes(), b';');
        assert_eq!(header[3..5], ["gz_id", "gz_name"]);
        assert_eq!(header.len(), 15);
        let status: Vec<&str> = rows.iter().map(|r| &r[13]).collect();
        assert_eq!(
            status,
            ["matched", "matched", "ambiguous", "unmatched", "matched"]
        );
        assert_eq!(&rows[0][6], "Baghlan");
        assert_eq!(&rows[1][6], "Kunduz");
    }
}

#[test]
fn windows_1252_output_spells_names_it_cannot_hold_in_ascii() {
    let (out, _) = clean_place(&fixture("win1252-semicolon.csv"), &[]);
    let text = encoding_rs::WINDOWS_1252.decode(&out).0.into_owned();
    assert!(text.contains(";Pul-e Hisar;"), "{text}");
    let (out, _) = clean_place(
        &fixture("win1252-semicolon.csv"),
        &["--output-encoding", "utf-8"],
    );
    let text = String::from_utf8(out).expect("UTF-8 output");
    assert!(
        text.contains(";Pul-e Ḩişār;") && text.contains(";café \"x\";"),
        "{text}"
    );
}

#[test]
fn utf16_in_utf16_out() {
    let input = fs::read(fixture("utf16le.csv")).unwrap();
    let (out, err) = run_ok(&[fixture("utf16le.csv").to_str().unwrap(), "-c", "name"]);
    assert!(err.contains("utf-16le with BOM, tab-delimited"), "{err}");
    assert_eq!(out[..2], [0xff, 0xfe]);
    let decode = |b: &[u8]| {
        let units: Vec<u16> = b[2..]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).unwrap()
    };
    let text = decode(&out);
    let stripped = strip_gz(text.as_bytes(), b'\t', b"\n");
    assert_eq!(String::from_utf8(stripped).unwrap(), decode(&input));
    let (_, rows) = rows(text.as_bytes(), b'\t');
    assert_eq!(&rows[0][0], "Kābul");
    assert_eq!(&rows[1][0], "پل خمری");
    assert_eq!(&rows[1][5], "Baghlan");
    assert!(rows.iter().all(|r| &r[12] == "matched"));
}

#[test]
fn quoted_newlines_order_and_count_are_kept() {
    let input = fs::read(fixture("names.csv")).unwrap();
    let (out, err) = run_ok(&[fixture("names.csv").to_str().unwrap(), "--column", "place"]);
    assert_eq!(strip_gz(&out, b',', b"\n"), input);
    let (_, in_rows) = rows(&input, b',');
    let (header, out_rows) = rows(&out, b',');
    assert_eq!(header.len(), 3 + 12);
    assert_eq!(in_rows.len(), out_rows.len());
    for (i, o) in in_rows.iter().zip(&out_rows) {
        assert_eq!(
            i.iter().collect::<Vec<_>>(),
            o.iter().take(3).collect::<Vec<_>>()
        );
    }
    // the name split over two lines resolves like "Dih Salah"
    assert_eq!(&out_rows[3][0], "Dih\nSalah");
    assert_eq!(&out_rows[3][6], "Baghlan");
    assert_eq!(&out_rows[3][13], "matched");
    // ambiguous: the tied ids; unmatched: suggestions and no place
    assert!(out_rows[2][14].split('|').count() >= 2, "{:?}", out_rows[2]);
    assert_eq!(&out_rows[4][13], "unmatched");
    assert!(out_rows[4].iter().skip(3).take(10).all(str::is_empty));
    // each distinct name once: Koundouz appears twice
    assert!(
        err.contains("6 rows: 4 matched, 1 ambiguous, 1 unmatched"),
        "{err}"
    );
    assert!(err.contains("5 distinct names resolved"), "{err}");
}

#[test]
fn column_by_name_and_by_number_agree_and_stdin_works() {
    let path = fixture("names.csv");
    let (by_name, _) = clean_place(&path, &[]);
    let (by_number, _) = run_ok(&[path.to_str().unwrap(), "-c", "1"]);
    assert_eq!(by_name, by_number);
    let piped = gazmap()
        .args(["clean", "-", "-c", "PLACE", "--quiet"])
        .pipe_stdin(&path)
        .unwrap()
        .assert()
        .success()
        .stderr("")
        .get_output()
        .stdout
        .clone();
    assert_eq!(piped, by_name);
}

#[test]
fn output_is_deterministic_across_runs_and_thread_counts() {
    let (_dir, input) = temp_path("many.csv");
    // enough rows to cross several batches
    let names = [
        "Kunduz",
        "Pul-i-Hisar",
        "Fayzabad",
        "Nowhere",
        "Dih Salah",
        "Baghlan",
    ];
    let mut text = String::from("n,place\n");
    for i in 0..40_000 {
        text.push_str(&format!("{i},{}\n", names[i % names.len()]));
    }
    fs::write(&input, &text).unwrap();
    let a = clean_place(&input, &["--threads", "1"]).0;
    let b = clean_place(&input, &[]).0;
    assert_eq!(a, b);
    assert_eq!(strip_gz(&a, b',', b"\n"), text.as_bytes());
    let (_, rows) = rows(&a, b',');
    assert_eq!(rows.len(), 40_000);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0].parse::<usize>().unwrap(), i);
    }
}

fn fails(args: &[&dyn AsRef<std::ffi::OsStr>], out: &Path, message: &str) {
    fs::write(out, "previous").unwrap();
    gazmap()
        .arg("clean")
        .args(args)
        .arg("-o")
        .arg(out)
        .fails_with(1, message);
    assert_eq!(fs::read_to_string(out).unwrap(), "previous", "{message}");
}

#[test]
fn bad_input_is_an_error_with_file_and_line_and_no_output() {
    let (dir, out) = temp_path("out.csv");
    let f = |n: &str| fixture(n);
    let cases = [
        (f("bad-fields.csv"), "place", "bad-fields.csv:3: 3 fields where the header has 2"),
        (
            f("truncated-quote.csv"),
            "place",
            "truncated-quote.csv:3: column 1: a quoted field opened here is never closed",
        ),
        (
            f("bad-quote.csv"),
            "place",
            "bad-quote.csv:3: column 1: text after the closing quote",
        ),
        (f("empty.csv"), "place", "empty.csv:1: the file is empty"),
        (
            f("names.csv"),
            "town",
            "no column \"town\" in the header; it has 3: 1 \"place\", 2 \"reported_by\", 3 \"count\"",
        ),
        (f("names.csv"), "4", "no column \"4\""),
    ];
    for (path, col, message) in cases {
        fails(&[&path, &"-c", &col], &out, message);
    }
    // a binary file; a 50 MB single field; text that is not UTF-8 after a UTF-8 start beyond
    // the sniffing window
    let mut big = b"place,note\nKunduz,\"".to_vec();
    big.resize(big.len() + 50 * 1024 * 1024, b'x');
    big.extend_from_slice(b"\"\n");
    let mut late = b"place\n".to_vec();
    for _ in 0..10_000 {
        late.extend_from_slice(b"Kunduz\n");
    }
    late.extend_from_slice(b"Caf\xe9\n");
    let written = [
        (
            "photo.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
            "1",
            "photo.csv:3: binary data (a NUL byte at byte offset 8)",
        ),
        (
            "big.csv",
            big,
            "place",
            "big.csv:2: a record longer than 16 MiB",
        ),
        (
            "late.csv",
            late,
            "place",
            "late.csv:10002: text that is not valid UTF-8",
        ),
    ];
    for (name, bytes, col, message) in written {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        fails(&[&path, &"-c", &col], &out, message);
    }
}

#[test]
fn skip_bad_rows_lists_them_and_keeps_the_rest() {
    let (out, err) = clean_place(&fixture("bad-fields.csv"), &["--skip-bad-rows", "--quiet"]);
    assert_eq!(
        err,
        "gazmap: warning: ".to_string()
            + fixture("bad-fields.csv").to_str().unwrap()
            + ":3: row left out: 3 fields where the header has 2\ngazmap: warning: "
            + fixture("bad-fields.csv").to_str().unwrap()
            + ":5: row left out: 1 field where the header has 2\n"
    );
    let (_, rows) = rows(&out, b',');
    let places: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(places, ["Kunduz", "Herat"]);
    let (_, err) = clean_place(&fixture("bad-quote.csv"), &["--skip-bad-rows"]);
    assert!(
        err.contains(":3: row left out: column 1: text after the closing quote"),
        "{err}"
    );
    assert!(
        err.contains("2 rows: 2 matched, 0 ambiguous, 0 unmatched, 1 malformed rows left out"),
        "{err}"
    );
}

#[test]
fn delimiter_and_prefix_flags() {
    let (dir, input) = temp_file("pipes.csv", "a|place\n1|Kunduz\n");
    let (out, _) = clean_place(&input, &["--delimiter", "|", "--prefix", "geo_", "--quiet"]);
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("a|place|geo_id|geo_name|"), "{text}");
    assert!(text.contains("\n1|Kunduz|"), "{text}");
    // cleaning a cleaned file again needs another prefix
    let cleaned = dir.path().join("cleaned.csv");
    fs::write(&cleaned, &text).unwrap();
    gazmap()
        .args(["clean", "-c", "place", "-d", "|", "--prefix", "geo_"])
        .arg(&cleaned)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "cleaned.csv:1: the header already has a column \"geo_id\" (a file cleaned before?); \
             give another --prefix",
        ));
    let (again, _) = clean_place(&cleaned, &["-d", "|", "-q"]);
    assert!(String::from_utf8(again)
        .unwrap()
        .contains("|geo_candidates|gz_id|"));
}
