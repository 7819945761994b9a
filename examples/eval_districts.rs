//! Scores the resolver on a labelled list of district spellings.
//!
//! ```text
//! cargo run --release --example eval_districts -- ../shared/data/eval/district-spellings.csv
//! ```
//!
//! The CSV has columns `group,province,query,source`; a query is a hit when its best place is
//! a district of `province`. Prints the hit rates without and with `--within PROVINCE`, what
//! the misses were (unmatched, ambiguous, or a wrong place matched: the costly kind), the
//! groups whose spellings land on different places, and every miss.

use std::collections::BTreeMap;
use std::io::Write as _;

use gazmap::{Gazetteer, Kind, Options, Resolver, Status};

/// What the misses of one mode were.
#[derive(Default)]
struct Misses {
    /// hits whose status is ambiguous: the right place leads a tie
    ambiguous_hits: usize,
    unmatched: usize,
    ambiguous: usize,
    wrong: usize,
}

impl Misses {
    fn count(&mut self, ok: bool, status: Status) {
        match (ok, status) {
            (true, Status::Ambiguous) => self.ambiguous_hits += 1,
            (true, _) => {}
            (false, Status::Unmatched) => self.unmatched += 1,
            (false, Status::Ambiguous) => self.ambiguous += 1,
            (false, Status::Matched) => self.wrong += 1,
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: eval_districts SPELLINGS.csv")?;
    let resolver = Resolver::new(Gazetteer::embedded()?)?;
    let g = resolver.gazetteer();
    let mut rdr = csv::Reader::from_path(&path)?;
    let (mut total, mut hits, mut hits_within) = (0, 0, 0);
    let (mut plain, mut within) = (Misses::default(), Misses::default());
    let mut groups: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut misses = Vec::new();
    for row in rdr.records() {
        let row = row?;
        let (group, province, query) = (&row[0], &row[1], &row[2]);
        let area = resolver.find_area(province)?;
        total += 1;
        let hit = |opts: &Options| {
            let r = resolver.resolve(query, opts);
            let best = r.best.as_ref().map(|b| g.place(b.place));
            let ok =
                best.is_some_and(|p| p.kind == Kind::District && p.parents.province == Some(area));
            (
                ok,
                r,
                best.map(|p| format!("{} ({}, {})", p.name, p.kind, p.admin1)),
            )
        };
        let (ok, r, got) = hit(&Options::default());
        plain.count(ok, r.status);
        if let Some(b) = &r.best {
            groups
                .entry(group.to_string())
                .or_default()
                .entry(g.place(b.place).id.to_string())
                .or_default()
                .push(query.to_string());
        }
        hits += usize::from(ok);
        let (ok_w, r_w, got_w) = hit(&Options {
            within: Some(area),
            ..Options::default()
        });
        hits_within += usize::from(ok_w);
        within.count(ok_w, r_w.status);
        if !ok || !ok_w {
            misses.push(format!(
                "{group} {province:<12} {query:<28} plain: {} {} | within: {} {}",
                r.status,
                got.unwrap_or_else(|| "-".into()),
                r_w.status,
                got_w.unwrap_or_else(|| "-".into())
            ));
        }
    }
    let pct = |n: usize| 100.0 * n as f64 / total as f64;
    // written, not printed: `| head` closes the pipe, which is an error, not a panic
    let mut out = std::io::stdout().lock();
    writeln!(out, "queries: {total}")?;
    writeln!(
        out,
        "right province, no --within:   {hits} ({:.1}%)",
        pct(hits)
    )?;
    writeln!(
        out,
        "right province, --within PROV: {hits_within} ({:.1}%)",
        pct(hits_within)
    )?;
    for (mode, m) in [("no --within:  ", &plain), ("--within PROV:", &within)] {
        writeln!(
            out,
            "misses, {mode} {} unmatched, {} ambiguous, {} wrong place matched \
             (hits that lead an ambiguous tie: {})",
            m.unmatched, m.ambiguous, m.wrong, m.ambiguous_hits
        )?;
    }
    let split: Vec<_> = groups
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .collect();
    writeln!(
        out,
        "groups whose spellings land on more than one place: {}",
        split.len()
    )?;
    for (group, places) in &split {
        writeln!(out, "  {group}: {places:?}")?;
    }
    writeln!(out, "misses ({}):", misses.len())?;
    for m in &misses {
        writeln!(out, "  {m}")?;
    }
    Ok(())
}
