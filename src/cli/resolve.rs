//! `gazmap resolve`: names in, places out.

use std::io::{self, BufRead, Write};

use anyhow::{Context as _, Result};
use clap::Args;

use super::{load_resolver, options, FilterArgs, Format};
use gazmap::gazetteer::{place_values, PlaceColumn};
use gazmap::resolve::{Resolution, Resolver, Status, CSV_COLUMNS};

/// Flags of `gazmap resolve`.
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// Names to resolve; with none, one name per line is read from standard input.
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// How many places to show per name, the best included, tied places too (the table and
    /// JSON say how many were left out).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    pub top: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Filters.
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// Runs `gazmap resolve`.
pub fn run(global: &super::GlobalArgs, args: &ResolveArgs) -> Result<()> {
    let resolver = load_resolver(global)?;
    let mut opts = options(&resolver, global, &args.filters)?;
    opts.top = usize::from(args.top);
    opts.cap_ties = true;
    let names = if args.names.is_empty() {
        read_stdin_names()?
    } else {
        args.names.clone()
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let results = names.iter().map(|n| resolver.resolve(n, &opts));
    match args.format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_COLUMNS)?;
            for r in results {
                write_csv(&mut w, &resolver, &r)?;
            }
            w.flush()?;
        }
        Format::Json => {
            for r in results {
                write_json(&mut out, &resolver, &r)?;
            }
        }
        Format::Table => {
            for r in results {
                write_table(&mut out, &resolver, &r)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn read_stdin_names() -> Result<Vec<String>> {
    let stdin = io::stdin();
    let mut names = Vec::new();
    let mut buf = Vec::new();
    let mut lock = stdin.lock();
    let mut line = 0u64;
    loop {
        buf.clear();
        if lock
            .read_until(b'\n', &mut buf)
            .context("reading standard input")?
            == 0
        {
            break;
        }
        line += 1;
        let text = std::str::from_utf8(&buf).map_err(|e| {
            anyhow::anyhow!(
                "<stdin>:{line}: invalid UTF-8 at byte {}",
                e.valid_up_to() + 1
            )
        })?;
        let text = text
            .trim_end_matches(['\n', '\r'])
            .trim_start_matches('\u{feff}');
        if !text.trim().is_empty() {
            names.push(text.to_string());
        }
    }
    Ok(names)
}

fn write_json(out: &mut impl Write, resolver: &Resolver, r: &Resolution) -> Result<()> {
    serde_json::to_writer(&mut *out, &r.record(resolver.gazetteer()))?;
    out.write_all(b"\n")?;
    Ok(())
}

fn write_csv<W: Write>(w: &mut csv::Writer<W>, resolver: &Resolver, r: &Resolution) -> Result<()> {
    let g = resolver.gazetteer();
    let ids: Vec<&str> = r.candidates.iter().map(|c| g.place(c.place).id).collect();
    let mut row = vec![r.query.clone(), r.status.as_str().to_string()];
    let best = r.best.as_ref().map(|b| b.record(g));
    let place = best.as_ref().map(|c| c.place);
    let point = place.as_ref().and_then(|p| p.point());
    row.extend(place_values(PlaceColumn::ALL, place.as_ref(), point));
    match &best {
        Some(c) => row.extend([
            format!("{:.3}", c.score),
            c.method.as_str().to_string(),
            c.matched_name.to_string(),
            c.reason.to_string(),
        ]),
        None => row.extend(std::iter::repeat_n(String::new(), 4)),
    }
    row.push(ids.join("|"));
    w.write_record(row)?;
    Ok(())
}

fn write_table(out: &mut impl Write, resolver: &Resolver, r: &Resolution) -> Result<()> {
    let g = resolver.gazetteer();
    writeln!(out, "{}  →  {}", r.query, r.status)?;
    let rows = r
        .best
        .iter()
        .map(|b| ("*", b))
        .chain(r.candidates.iter().map(|c| (" ", c)));
    for (mark, c) in rows {
        let p = g.place(c.place);
        let within = [p.admin2, p.admin1, p.country]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            out,
            "  {mark} {:.3}  {:<9} {:<8} {} ({within})  [{}]  {}",
            c.score,
            c.method.as_str(),
            p.kind.as_str(),
            p.name,
            p.id,
            c.reason
        )?;
    }
    if r.left_out > 0 {
        let places = if r.left_out == 1 { "place" } else { "places" };
        if r.status == Status::Matched {
            let levels = if r.left_out == 1 { "level" } else { "levels" };
            writeln!(
                out,
                "    … and the same name at {} other {levels} (--top)",
                r.left_out
            )?;
        } else {
            writeln!(out, "    … and {} more tied {places} (--top)", r.left_out)?;
        }
    }
    if r.best.is_none() && r.candidates.is_empty() {
        writeln!(out, "    no place comes close")?;
    }
    Ok(())
}
