//! Writes the labelled pairs the fuzzy ranking model is fitted on: for each labelled query,
//! every place the fuzzy pass finds ([`gazmap::Resolver::fuzzy_pairs`]), with its features
//! and whether that place is the one meant.
//!
//! ```text
//! cargo run --release --example fuzzy_pairs -- LABELLED.tsv [--gazetteer PATH] > pairs.csv
//! ```
//!
//! `LABELLED.tsv` holds `query<TAB>expected_id` lines (`benches/train_ranking.py` writes
//! them); queries a name key settles (an exact, fold or skeleton match) are left out, since
//! the model never sees them. Output columns: `query_no,label,same_name,place_id` and one per feature
//! ([`gazmap::resolve::FEATURE_NAMES`]). `label` is 1 for the expected place; `same_name` is
//! 1 for another place with the expected place's preferred name (indistinguishable by the
//! spelling alone; the trainer leaves those out). `--gazetteer` takes a gazetteer CSV, a
//! GeoNames dump or an index file; the default is the embedded Afghan gazetteer.

use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use gazmap::index::open;
use gazmap::resolve::FEATURE_NAMES;
use gazmap::{Method, Options, PlaceId, Resolver};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: fuzzy_pairs LABELLED.tsv [--gazetteer PATH]";
    let mut it = std::env::args().skip(1);
    let (mut labelled, mut gazetteer) = (None, Vec::<PathBuf>::new());
    while let Some(a) = it.next() {
        match a.as_str() {
            "--gazetteer" => gazetteer.push(it.next().ok_or(usage)?.into()),
            _ if labelled.is_none() && !a.starts_with('-') => labelled = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a:?}\n{usage}").into()),
        }
    }
    let labelled = labelled.ok_or(usage)?;
    let (g, index) = open(&gazetteer, &mut |w| eprintln!("warning: {w}"))?;
    let resolver = Resolver::from_parts(g, index);
    let g = resolver.gazetteer();
    let by_id: HashMap<&str, PlaceId> = (0..g.len() as PlaceId)
        .map(|p| (g.place(p).id, p))
        .collect();
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    writeln!(
        out,
        "query_no,label,same_name,place_id,{}",
        FEATURE_NAMES.join(",")
    )?;
    let file = std::io::BufReader::new(std::fs::File::open(&labelled)?);
    let mut unknown = 0usize;
    for (no, line) in file.lines().enumerate() {
        let line = line?;
        let Some((query, expected)) = line.split_once('\t') else {
            return Err(format!("{}:{}: expected query<TAB>id", labelled.display(), no + 1).into());
        };
        let Some(&expected) = by_id.get(expected) else {
            unknown += 1;
            continue;
        };
        // a query a name key settles never reaches the model
        let settled = resolver.resolve(query, &Options::default());
        if settled.best.is_some_and(|b| b.method != Method::Fuzzy) {
            continue;
        }
        let expected_name = &g.place(expected).name;
        let mut pairs = resolver.fuzzy_pairs(query);
        pairs.sort_by_key(|pair| pair.place);
        for pair in pairs {
            let (p, f) = (pair.place, pair.features);
            let label = u8::from(p == expected);
            let same_name = u8::from(p != expected && &g.place(p).name == expected_name);
            let values: Vec<String> = f.vector().iter().map(|v| format!("{v:.5}")).collect();
            writeln!(
                out,
                "{no},{label},{same_name},{},{}",
                g.place(p).id,
                values.join(",")
            )?;
        }
    }
    out.flush()?;
    if unknown > 0 {
        eprintln!("{unknown} queries name an id the gazetteer does not have: skipped");
    }
    Ok(())
}
