//! `gazmap gazetteer stats`: what the gazetteer in use holds.

use anyhow::Result;
use clap::Subcommand;

use super::GlobalArgs;
use gazmap::gazetteer::stats::Counts;

/// What `gazmap gazetteer` does.
#[derive(Debug, Subcommand)]
pub enum GazetteerCommand {
    /// Rows by kind, and how many have a point, a polygon, alternate names, Persian/Pashto
    /// names (of the embedded gazetteer, or of --gazetteer).
    Stats,
}

/// Runs `gazmap gazetteer …`.
pub fn run(global: &GlobalArgs, command: &GazetteerCommand) -> Result<()> {
    match command {
        GazetteerCommand::Stats => stats(global),
    }
}

fn stats(global: &GlobalArgs) -> Result<()> {
    let resolver = super::load_resolver(global)?;
    let s = resolver.gazetteer().stats();
    let header = [
        "kind",
        "rows",
        "point",
        "parent's point",
        "polygon",
        "alternate names",
        "Persian/Pashto name",
        "newer district",
    ];
    let row = |kind: &str, c: &Counts| {
        [
            kind.to_string(),
            c.rows.to_string(),
            c.point.to_string(),
            c.parent_point.to_string(),
            c.polygon.to_string(),
            c.alternates.to_string(),
            c.arabic_script.to_string(),
            c.newer_districts.to_string(),
        ]
    };
    let mut rows: Vec<[String; 8]> = vec![header.map(str::to_string)];
    rows.extend(s.by_kind.iter().map(|(k, c)| row(k.as_str(), c)));
    rows.push(row("total", &s.total));
    let widths: Vec<usize> = (0..8)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, &w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
    Ok(())
}
