//! Scores the resolver on a hand-labelled corpus of spellings copied from real pages.
//!
//! ```text
//! cargo run --release --example eval_corpus -- tests/data/corpus/spellings-af.csv
//! cargo run --release --example eval_corpus -- tests/data/corpus/spellings-af.csv --within --split heldout
//! cargo run --release --example eval_corpus -- tests/data/corpus/spellings-world.csv \
//!     --gazetteer target/bench-data/cities500.txt
//! ```
//!
//! The CSV has columns `id,query,expected_id,expected_name,kind,province,language,script,
//! source_url,split` (see `tests/data/corpus/README.md`). A row is right when the best place
//! (matched or ambiguous) has the expected id; "twin" also counts a place of the same name in
//! the same province at another level (the city for its district), or, for a match, the
//! expected place listed beside the best at the best's score as the same name at another
//! level (the district Puli Khumri for the city Pul-e Khumri) is counted in the "or its
//! level" column; "wrong place matched" is a match that is none of these. Prints top-1 accuracy
//! overall and per split, language, script and expected kind, with the misses by kind (unmatched, ambiguous,
//! a wrong place matched: the costly kind). `--within` gives each row its province
//! (`--within PROVINCE`; a two-letter code in that column becomes `--country CC`).
//! `--split dev|heldout` keeps one part; `--misses` lists every miss. Rows whose place is not
//! in the gazetteer (no expected id) are counted apart: how many came back unmatched.
//! `--gazetteer` takes a gazetteer CSV, a GeoNames dump or an index file (.gzi); the default
//! is the embedded Afghan gazetteer.

// the corpus tests read the columns (id, source_url) that the evaluation does not
#[allow(dead_code)]
#[path = "../tests/common/corpus.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use gazmap::gazetteer::geonames;
use gazmap::index::file;
use gazmap::{Gazetteer, Options, PlaceId, Resolver, Status};

/// Command-line arguments.
struct Args {
    corpus: PathBuf,
    gazetteer: Option<PathBuf>,
    within: bool,
    split: Option<String>,
    misses: bool,
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: eval_corpus CORPUS.csv [--gazetteer PATH] [--within] [--split dev|heldout] [--misses]";
    let mut it = std::env::args().skip(1);
    let (mut corpus, mut gazetteer, mut within, mut split, mut misses) =
        (None, None, false, None, false);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--gazetteer" => gazetteer = Some(PathBuf::from(it.next().ok_or(usage)?)),
            "--within" => within = true,
            "--misses" => misses = true,
            "--split" => {
                let s = it.next().ok_or(usage)?;
                if s != "dev" && s != "heldout" {
                    return Err(format!("--split {s:?}: expected dev or heldout"));
                }
                split = Some(s);
            }
            "-h" | "--help" => return Err(usage.to_string()),
            _ if corpus.is_none() && !a.starts_with('-') => corpus = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a:?}\n{usage}")),
        }
    }
    Ok(Args {
        corpus: corpus.ok_or(usage)?,
        gazetteer,
        within,
        split,
        misses,
    })
}

fn load(gazetteer: Option<&Path>) -> Result<Resolver, Box<dyn std::error::Error>> {
    let Some(path) = gazetteer else {
        return Ok(Resolver::new(Gazetteer::embedded()?)?);
    };
    if file::is_index_file(path) {
        let (g, index) = file::open(path)?;
        return Ok(Resolver::from_parts(g, index));
    }
    let g = if geonames::is_dump(path) {
        Gazetteer::from_places(
            geonames::import(path, &Default::default(), &mut |_, _, _| {})?.places,
        )?
    } else {
        Gazetteer::from_csv_path(path)?
    };
    Ok(Resolver::new(g)?)
}

/// Counts of one group of rows.
#[derive(Default)]
struct Tally {
    rows: usize,
    right: usize,
    twin: usize,
    level: usize,
    unmatched: usize,
    ambiguous: usize,
    wrong: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        self.rows += 1;
        match outcome {
            Outcome::Right => {
                self.right += 1;
                self.twin += 1;
                self.level += 1;
            }
            Outcome::Twin => {
                self.twin += 1;
                self.level += 1;
            }
            Outcome::Level => self.level += 1,
            Outcome::Miss(Status::Unmatched) => self.unmatched += 1,
            Outcome::Miss(Status::Ambiguous) => self.ambiguous += 1,
            Outcome::Miss(Status::Matched) => self.wrong += 1,
        }
    }
}

/// What one row came to.
#[derive(Clone, Copy)]
enum Outcome {
    Right,
    /// Another place of the same name and province.
    Twin,
    /// A match that lists the expected place at its score, as its name at another level.
    Level,
    Miss(Status),
}

/// Lower-case ASCII letters and digits of a name, for the same-name test.
fn fold(name: &str) -> String {
    deunicode::deunicode(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let rows = corpus::read(&args.corpus)?;
    let resolver = load(args.gazetteer.as_deref())?;
    let g = resolver.gazetteer();
    let mut areas: BTreeMap<String, Option<PlaceId>> = BTreeMap::new();
    let mut groups: BTreeMap<(u8, String), Tally> = BTreeMap::new();
    let mut absent = Tally::default();
    let mut misses = Vec::new();
    // the score of each matched answer, and whether it was right (or its level)
    let mut calibration: Vec<(f64, bool)> = Vec::new();
    for row in &rows {
        if args.split.as_ref().is_some_and(|s| *s != row.split) {
            continue;
        }
        let mut options = Options::default();
        if args.within && !row.province.is_empty() {
            let p = &row.province;
            if p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase()) {
                options.country = Some(p.clone());
            } else {
                let area = *areas
                    .entry(p.clone())
                    .or_insert_with(|| resolver.find_area(p).ok());
                match area {
                    Some(a) => options.within = Some(a),
                    None => eprintln!(
                        "line {}: province {p:?} not found; row left unrestricted",
                        row.line
                    ),
                }
            }
        }
        let r = resolver.resolve(&row.query, &options);
        let best = r.best.as_ref().map(|b| g.place(b.place));
        let got = best.map_or("-".to_string(), |p| {
            format!("{} {} ({}, {})", p.id, p.name, p.kind, p.admin1)
        });
        if row.expected_id.is_empty() {
            // a place the gazetteer lacks: unmatched is the right answer
            absent.add(match r.status {
                Status::Unmatched => Outcome::Right,
                s => Outcome::Miss(s),
            });
            continue;
        }
        let outcome = match best {
            Some(p) if p.id == row.expected_id => Outcome::Right,
            Some(p) => {
                let expected = g.find_id(&row.expected_id).map(|e| g.place(e));
                let twin = expected.is_some_and(|e| {
                    fold(e.name) == fold(p.name)
                        && (e.admin1 == p.admin1 || e.name == p.admin1 || p.name == e.admin1)
                });
                // a match lists its other levels at its own score
                let level = r.status == Status::Matched
                    && r.best.as_ref().is_some_and(|b| {
                        r.candidates
                            .iter()
                            .any(|c| c.score >= b.score && g.place(c.place).id == row.expected_id)
                    });
                if twin {
                    Outcome::Twin
                } else if level {
                    Outcome::Level
                } else {
                    Outcome::Miss(r.status)
                }
            }
            None => Outcome::Miss(r.status),
        };
        if r.status == Status::Matched {
            if let Some(b) = &r.best {
                let ok = !matches!(outcome, Outcome::Miss(_));
                calibration.push((b.score, ok));
            }
        }
        for key in [
            (0, "all".to_string()),
            (1, row.split.clone()),
            (2, row.language.clone()),
            (3, row.script.clone()),
            (4, row.kind.clone()),
        ] {
            groups.entry(key).or_default().add(outcome);
        }
        if !matches!(outcome, Outcome::Right) {
            misses.push(format!(
                "line {}: {:?} ({}, {}) expected {} {}: {} {}{}",
                row.line,
                row.query,
                row.language,
                row.province,
                row.expected_id,
                row.expected_name,
                r.status.as_str(),
                got,
                match outcome {
                    Outcome::Twin => " [twin]",
                    Outcome::Level => " [level]",
                    _ => "",
                }
            ));
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} rows{}{}",
        args.corpus.display(),
        groups.get(&(0, "all".into())).map_or(0, |t| t.rows) + absent.rows,
        args.split
            .as_ref()
            .map_or(String::new(), |s| format!(", split {s}")),
        if args.within {
            ", each with its province (--within)"
        } else {
            ""
        }
    )?;
    writeln!(
        out,
        "\n| group | rows | top-1 right | right or twin | or its level | unmatched | ambiguous | wrong place matched |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|")?;
    let labels = ["", "split ", "language ", "script ", "kind "];
    for ((level, name), t) in &groups {
        writeln!(
            out,
            "| {}{} | {} | {} | {} | {} | {} | {} | {} |",
            labels[*level as usize],
            name,
            t.rows,
            pct(t.right, t.rows),
            pct(t.twin, t.rows),
            pct(t.level, t.rows),
            t.unmatched,
            t.ambiguous,
            t.wrong
        )?;
    }
    if absent.rows > 0 {
        writeln!(
            out,
            "\nplaces not in the gazetteer (no expected id): {} rows, {} unmatched, {} matched to some place, {} ambiguous",
            absent.rows, absent.unmatched + absent.right, absent.wrong, absent.ambiguous
        )?;
    }
    writeln!(
        out,
        "\nmatched answers by score: how many, and how many right, twin or its level\n\n| score | matched | right |\n|---|---:|---:|"
    )?;
    let bins = [0.8, 0.9, 0.95, 0.98, 0.99, 1.0 + 1e-9];
    for w in bins.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        let inside: Vec<bool> = calibration
            .iter()
            .filter(|&&(s, _)| s >= lo && s < hi)
            .map(|&(_, ok)| ok)
            .collect();
        let right = inside.iter().filter(|&&ok| ok).count();
        writeln!(
            out,
            "| {lo:.2}–{:.2} | {} | {} |",
            hi.min(1.0),
            inside.len(),
            pct(right, inside.len())
        )?;
    }
    if args.misses {
        writeln!(out, "\nmisses ({}):", misses.len())?;
        for m in &misses {
            writeln!(out, "  {m}")?;
        }
    }
    Ok(())
}
