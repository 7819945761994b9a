//! `gazmap index build` and `--gazetteer FILE.gzi`: results through an index file equal
//! results through the CSV it was built from, and damaged or foreign files are refused.

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::util::{data, gazmap, gazmap_on, stdout_of, temp_path, RunExt};

/// Builds an index file of `inputs` (the embedded gazetteer when empty) in `dir`.
fn build(dir: &Path, inputs: &[PathBuf]) -> PathBuf {
    let out = dir.join("g.gzi");
    gazmap()
        .args(["index", "build", "-q", "-o"])
        .arg(&out)
        .args(inputs)
        .assert()
        .success();
    out
}

/// Several thousand queries made from the names of a gazetteer CSV: the names, their
/// alternate names, and variants, typos, designators and qualifiers of them.
fn queries_from(csv: &str) -> String {
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let mut out = Vec::new();
    for (i, row) in rdr.records().enumerate() {
        let row = row.unwrap();
        let (name, admin1) = (&row[1], &row[4]);
        let alts: Vec<&str> = row[9].split('|').filter(|a| !a.is_empty()).collect();
        out.push(name.to_string());
        out.extend(alts.iter().take(3).map(|a| a.to_string()));
        let chars: Vec<char> = name.chars().collect();
        if chars.len() > 3 {
            let k = 1 + i % (chars.len() - 2);
            let mut swapped = chars.clone();
            swapped.swap(k, k + 1);
            out.push(swapped.into_iter().collect());
            let mut dropped = chars.clone();
            dropped.remove(k);
            out.push(dropped.into_iter().collect());
        }
        out.push(name.to_lowercase().replace('u', "ou").replace('e', "i"));
        out.push(format!("{name} district"));
        if !admin1.is_empty() {
            out.push(format!("{name} ({admin1})"));
        }
    }
    out.join("\n") + "\n"
}

fn resolve_all(gazetteer: &Path, queries: &str, extra: &[&str]) -> String {
    stdout_of(
        gazmap_on(gazetteer)
            .args(["resolve", "--format", "json", "--top", "5"])
            .args(extra)
            .write_stdin(queries),
    )
}

#[test]
fn index_file_gives_the_same_results_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("gazetteer/afghanistan.csv");
    let gzi = build(dir.path(), std::slice::from_ref(&csv));
    let queries = queries_from(&fs::read_to_string(&csv).unwrap());
    assert!(queries.lines().count() > 4000);
    let via_csv = resolve_all(&csv, &queries, &[]);
    let via_index = resolve_all(&gzi, &queries, &[]);
    assert_eq!(via_csv.lines().count(), queries.lines().count());
    assert!(via_csv == via_index, "results differ through the index");
    // filters too
    let filtered = ["--within", "Baghlan", "--kind", "district"];
    assert!(resolve_all(&csv, &queries, &filtered) == resolve_all(&gzi, &queries, &filtered));
}

#[test]
fn every_subcommand_takes_an_index_file() {
    let dir = tempfile::tempdir().unwrap();
    let gzi = build(dir.path(), &[]);
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/events.csv");
    for (name, gazetteer) in [("csv", None), ("gzi", Some(&gzi))] {
        let out = dir.path().join(name);
        let mut cmd = gazmap();
        if let Some(g) = gazetteer {
            cmd.arg("--gazetteer").arg(g);
        }
        cmd.args(["-q", "export"])
            .arg(&events)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
    }
    let layers = |name: &str| {
        let mut files: Vec<_> = fs::read_dir(dir.path().join(name))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| (p.file_name().unwrap().to_owned(), fs::read(p).unwrap()))
            .collect::<Vec<_>>()
    };
    let (a, b) = (layers("csv"), layers("gzi"));
    assert!(a.len() > 2);
    assert!(a == b, "export through the index differs");
}

#[test]
fn import_geonames_writes_an_index_file_that_matches_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let geo = |n: &str| data("geonames").join(n);
    let import = |out: &Path| {
        gazmap()
            .args(["-q", "import", "geonames"])
            .arg(geo("AF.txt"))
            .arg("--alternate-names")
            .arg(geo("alternateNamesV2.txt"))
            .arg("--admin1")
            .arg(geo("admin1CodesASCII.txt"))
            .arg("--admin2")
            .arg(geo("admin2Codes.txt"))
            .arg("-o")
            .arg(out)
            .assert()
            .success();
    };
    let (csv, gzi) = (dir.path().join("af.csv"), dir.path().join("af.gzi"));
    import(&csv);
    import(&gzi);
    let queries = queries_from(&fs::read_to_string(&csv).unwrap());
    assert!(resolve_all(&csv, &queries, &[]) == resolve_all(&gzi, &queries, &[]));
}

#[test]
fn building_twice_gives_identical_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert!(fs::read(build(a.path(), &[])).unwrap() == fs::read(build(b.path(), &[])).unwrap());
}

fn refused(path: &Path, message: &str) {
    gazmap_on(path)
        .args(["resolve", "Kabul"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(message))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn truncated_corrupted_and_foreign_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = fs::read(build(dir.path(), &[])).unwrap();
    let bad = dir.path().join("bad.gzi");
    for len in [
        0,
        7,
        8,
        40,
        63,
        64,
        100,
        4096,
        good.len() / 2,
        good.len() - 1,
    ] {
        fs::write(&bad, &good[..len]).unwrap();
        refused(
            &bad,
            if len < 64 {
                "not a gazmap index"
            } else {
                "bad.gzi"
            },
        );
    }
    let mut longer = good.clone();
    longer.extend_from_slice(b"extra");
    fs::write(&bad, &longer).unwrap();
    refused(&bad, "truncated or damaged");
    // one flipped byte anywhere: in the header, the section table, or any section
    let step = good.len() / 97;
    for at in (8..good.len()).step_by(step).chain([9, 20, 70, 200]) {
        let mut damaged = good.clone();
        damaged[at] ^= 0x20;
        fs::write(&bad, &damaged).unwrap();
        refused(&bad, "bad.gzi");
    }
    // another format version: the header says which
    let mut other = good.clone();
    other[8] = 99;
    fs::write(&bad, &other).unwrap();
    refused(&bad, "index format version 99");
    // keys made by other key rules (a header that is otherwise whole): the header says which
    let mut other = good.clone();
    other[16..24].copy_from_slice(&99u64.to_ne_bytes());
    let checksum = xxhash_rust::xxh3::xxh3_64(&other[..48]);
    other[48..56].copy_from_slice(&checksum.to_ne_bytes());
    fs::write(&bad, &other).unwrap();
    refused(&bad, "key rules version 99");
    // a foreign file named .gzi
    fs::write(
        &bad,
        b"PK\x03\x04 not an index at all, but long enough to have a header ......",
    )
    .unwrap();
    refused(&bad, "not a gazmap index file");
}

#[test]
fn a_failed_build_leaves_no_file() {
    let (dir, out) = temp_path("g.gzi");
    gazmap()
        .args(["index", "build", "-o"])
        .arg(&out)
        .arg(data("bad-lat.csv"))
        .fails_with(1, "bad-lat.csv:");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_index_file_among_other_gazetteers_adds_its_places() {
    let dir = tempfile::tempdir().unwrap();
    let gzi = build(dir.path(), &[data("mini.csv")]);
    let names = "Nowhere Abad\nKhinjan\nBaghran\n";
    let with = |first: &Path| {
        stdout_of(
            gazmap_on(first)
                .arg("--gazetteer")
                .arg(data("districts-only.csv"))
                .args(["resolve", "--format", "csv"])
                .write_stdin(names),
        )
    };
    let via_index = with(&gzi);
    assert!(via_index == with(&data("mini.csv")));
    assert!(via_index.contains("test:1") && via_index.contains("t:khinjan"));
}

#[test]
fn read_and_mapped_opens_give_the_same_answers() {
    use gazmap::index::file;
    use gazmap::{Options, Resolver};
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path(), &[]);
    let (g, i) = file::open(&path).unwrap();
    let read = Resolver::from_parts(g, i);
    // SAFETY: the test wrote the file and nothing changes it while it is open
    let (g, i) = unsafe { file::open_mapped(&path) }.unwrap();
    let mapped = Resolver::from_parts(g, i);
    assert_eq!(read.gazetteer().len(), mapped.gazetteer().len());
    let opts = Options::default();
    for q in [
        "Pul-i-Hisar",
        "Koundouz",
        "Fayzabad",
        "پل خمری",
        "Ghanzi",
        "xyzzy",
    ] {
        let (a, b) = (read.resolve(q, &opts), mapped.resolve(q, &opts));
        assert_eq!(a.status, b.status, "{q}");
        assert_eq!(
            a.best
                .map(|c| read.gazetteer().place(c.place).id.to_string()),
            b.best
                .map(|c| mapped.gazetteer().place(c.place).id.to_string()),
            "{q}"
        );
    }
    fs::write(&path, b"").unwrap();
    assert!(file::open(&path).is_err());
    assert!(unsafe { file::open_mapped(&path) }.is_err());
}
