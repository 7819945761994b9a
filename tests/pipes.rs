//! A reader that closes its end of a pipe early (`gazmap … | head -1`) is not a failure: every
//! subcommand that writes to standard output exits 0 and prints no error.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::data;

/// Runs gazmap with `args` (and `stdin` fed to it), reads one line of its output, closes the
/// pipe and returns the exit status's success and standard error.
fn first_line_then_close(args: &[&str], stdin: &[u8]) -> (bool, String, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("gazmap"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gazmap");
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        // the child may stop reading once its output is closed
        let _ = input.write_all(&stdin);
    });
    let mut line = String::new();
    {
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        out.read_line(&mut line).expect("first line");
    } // the read end of the pipe is closed here
    let output = child.wait_with_output().expect("wait");
    feeder.join().expect("feeder");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        line,
    )
}

/// Asserts that gazmap with `args` starts its output with `start` and, once its reader has
/// gone, exits 0 with no error on standard error.
fn closes_cleanly(args: &[&str], start: &str) {
    let (ok, stderr, line) = first_line_then_close(args, b"");
    assert!(line.starts_with(start), "{args:?}: first line {line:?}");
    assert!(ok, "{args:?}: exit status not 0; stderr: {stderr}");
    assert!(!stderr.contains("error"), "{args:?}: {stderr}");
}

fn many_names() -> Vec<u8> {
    "Pul-i-Hisar\nKoundouz\nFayzabad\nxyzzy\n"
        .repeat(20_000)
        .into_bytes()
}

#[test]
fn resolve_in_every_format_exits_0_on_a_closed_pipe() {
    for format in ["table", "json", "csv"] {
        let (ok, stderr, line) =
            first_line_then_close(&["resolve", "--format", format], &many_names());
        assert!(!line.is_empty(), "{format}: no output");
        assert!(ok, "{format}: exit status not 0; stderr: {stderr}");
        assert_eq!(stderr, "", "{format}: something on standard error");
    }
}

#[test]
fn clean_exits_0_on_a_closed_pipe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.csv");
    let mut text = String::from("id,place\n");
    for i in 0..60_000 {
        text.push_str(&format!("{i},Pul-i-Hisar\n"));
    }
    std::fs::write(&big, text).expect("write big.csv");
    let big = big.to_str().expect("UTF-8 path");
    for args in [
        vec!["clean", big, "-c", "place"],
        vec!["clean", big, "-c", "place", "-o", "-"],
    ] {
        let (ok, stderr, line) = first_line_then_close(&args, b"");
        assert!(line.starts_with("id,place"), "{args:?}: {line}");
        assert!(ok, "{args:?}: exit status not 0; stderr: {stderr}");
        assert_eq!(stderr, "", "{args:?}: something on standard error");
    }
}

#[test]
fn extract_to_standard_output_exits_0_on_a_closed_pipe() {
    let article = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/article-en.txt"),
    )
    .expect("read article");
    let dir = tempfile::tempdir().expect("tempdir");
    let many = dir.path().join("many.txt");
    std::fs::write(&many, article.repeat(400)).expect("write article");
    let out = dir.path().join("out");
    let args = [
        "extract",
        many.to_str().expect("UTF-8 path"),
        "--events-csv",
        "-",
        "-o",
        out.to_str().expect("UTF-8 path"),
    ];
    closes_cleanly(&args, "date,");
}

#[test]
fn imports_to_standard_output_exit_0_on_a_closed_pipe() {
    let dir = tempfile::tempdir().expect("tempdir");
    // a dump of many villages: its gazetteer CSV is far larger than a pipe's buffer
    let head = std::fs::read_to_string(data("geonames/AF.txt")).expect("read dump");
    let mut dump: String = head.lines().take(3).map(|l| format!("{l}\n")).collect();
    for i in 0..20_000 {
        dump.push_str(&format!(
            "{}\tDeh {i}\tDeh {i}\tDih {i},Deh-e {i}\t35.9\t68.7\tP\tPPL\tAF\t\t03\t0302\t\t\t0\t\t640\tAsia/Kabul\t2020-01-01\n",
            2_000_000 + i
        ));
    }
    let dump_path = dir.path().join("AF.txt");
    std::fs::write(&dump_path, dump).expect("write dump");
    let dump = dump_path.to_str().expect("UTF-8 path");
    closes_cleanly(&["import", "geonames", dump, "-o", "-"], "id,");

    let mut features = Vec::new();
    for i in 0..3_000 {
        let x = 60.0 + f64::from(i % 100) * 0.1;
        let y = 30.0 + f64::from(i / 100) * 0.1;
        features.push(format!(
            r#"{{"type":"Feature","properties":{{"shapeName":"Area {i}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}}}"#,
            x1 = x + 0.05,
            y1 = y + 0.05
        ));
    }
    let geojson = format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    );
    let boundaries = dir.path().join("areas.geojson");
    std::fs::write(&boundaries, geojson).expect("write boundaries");
    let areas = boundaries.to_str().expect("UTF-8 path");
    closes_cleanly(
        &[
            "import",
            "boundaries",
            areas,
            "--name-field",
            "shapeName",
            "--country",
            "AF",
            "-o",
            "-",
        ],
        "id,",
    );
}
