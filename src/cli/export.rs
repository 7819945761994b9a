//! `gazmap export`: an events CSV in, map layers (GeoJSON per layer, `unresolved.csv`) out.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};

use super::{load_resolver, options, FilterArgs, GlobalArgs};
use gazmap::error::Error;
use gazmap::export::{write_layers, LayerBy, LayerRow};
use gazmap::io::input::InputOptions;
use gazmap::resolve::{Resolution, Status};

/// Flags of `gazmap export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Events CSV: a header row, then one event per row (`-` reads standard input).
    #[arg(value_name = "EVENTS.csv")]
    pub input: PathBuf,
    /// Directory the layers and unresolved.csv are written to (created if missing).
    #[arg(long, short = 'o', value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
    /// How rows are grouped into layers (one GeoJSON file each).
    #[arg(long, value_enum, default_value_t = LayerByArg::Event)]
    pub layer_by: LayerByArg,
    /// Column holding the place as the source spelled it (header name or 1-based number).
    #[arg(long, value_name = "COL", default_value = "place")]
    pub place_column: String,
    /// Column holding the date (ISO 8601: 2021-08-10, 2021-08 or 2021).
    #[arg(long, value_name = "COL", default_value = "date")]
    pub date_column: String,
    /// Column holding the event type.
    #[arg(long, value_name = "COL", default_value = "event")]
    pub event_column: String,
    /// Filters.
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// `--layer-by` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayerByArg {
    /// One layer per event type.
    Event,
    /// One layer per date as written (day, month or year); `undated` for rows without one.
    Date,
    /// All rows in one layer, `events`.
    None,
}

impl From<LayerByArg> for LayerBy {
    fn from(a: LayerByArg) -> LayerBy {
        match a {
            LayerByArg::Event => LayerBy::Event,
            LayerByArg::Date => LayerBy::Date,
            LayerByArg::None => LayerBy::None,
        }
    }
}

/// Longest field accepted in an events CSV.
const MAX_FIELD: usize = 1 << 20;

/// An events CSV read whole: its header and rows with their first line numbers.
struct Table {
    source: String,
    header: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

/// Runs `gazmap export`.
pub fn run(global: &GlobalArgs, args: &ExportArgs) -> Result<()> {
    let table = read_events(&args.input)?;
    let layer_by = LayerBy::from(args.layer_by);
    let place =
        column(&table, &args.place_column, "--place-column", true)?.expect("required column");
    let date = column(
        &table,
        &args.date_column,
        "--date-column",
        layer_by == LayerBy::Date,
    )?;
    let event = column(
        &table,
        &args.event_column,
        "--event-column",
        layer_by == LayerBy::Event,
    )?;
    if layer_by == LayerBy::Date {
        let d = date.expect("required column");
        for (line, rec) in &table.rows {
            let value = rec.get(d).unwrap_or("");
            gazmap::export::layers::date_layer(value).map_err(|m| {
                Error::parse(
                    &table.source,
                    *line,
                    Some(format!("{} ({})", d + 1, table.header[d])),
                    m,
                )
            })?;
        }
    }

    let resolver = load_resolver(global)?;
    let opts = options(&resolver, global, &args.filters)?;
    // each distinct place once
    let mut resolved: HashMap<&str, Resolution> = HashMap::new();
    for (_, rec) in &table.rows {
        let name = rec.get(place).unwrap_or("");
        if !resolved.contains_key(name) {
            let mut r = resolver.resolve(name, &opts);
            if r.status == Status::Matched {
                // only unresolved rows list candidates (as suggestions): keep rows small
                r.candidates = Vec::new();
            }
            resolved.insert(name, r);
        }
    }
    let rows: Vec<LayerRow> = table
        .rows
        .iter()
        .map(|(_, rec)| LayerRow {
            properties: table
                .header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect(),
            date: date.and_then(|d| rec.get(d)).unwrap_or("").to_string(),
            event: event.and_then(|e| rec.get(e)).unwrap_or("").to_string(),
            resolution: resolved[rec.get(place).unwrap_or("")].clone(),
        })
        .collect();
    let summary = write_layers(resolver.gazetteer(), &rows, layer_by, &args.output)
        .with_context(|| format!("writing layers to {}", args.output.display()))?;
    if !global.quiet {
        let features: usize = summary.layers.iter().map(|l| l.features).sum();
        let polygons: usize = summary.layers.iter().map(|l| l.polygons).sum();
        eprintln!(
            "gazmap: {} rows from {}: {features} drawn ({polygons} as polygons) in {} layer{}, {} unresolved",
            summary.rows,
            table.source,
            summary.layers.len(),
            if summary.layers.len() == 1 { "" } else { "s" },
            summary.unresolved,
        );
        for l in &summary.layers {
            eprintln!("  {:>6}  {}", l.features, l.path.display());
        }
        eprintln!(
            "  {:>6}  {}",
            summary.unresolved,
            summary.unresolved_path.display()
        );
    }
    Ok(())
}

/// Finds a column by header name (case-insensitive) or 1-based number; a missing required
/// column is an error that lists the header found.
fn column(table: &Table, wanted: &str, flag: &str, required: bool) -> Result<Option<usize>> {
    let w = wanted.trim();
    if let Some(i) = table.header.iter().position(|h| h.eq_ignore_ascii_case(w)) {
        return Ok(Some(i));
    }
    if let Ok(n) = w.parse::<usize>() {
        if (1..=table.header.len()).contains(&n) {
            return Ok(Some(n - 1));
        }
    }
    if !required {
        return Ok(None);
    }
    Err(Error::parse(
        &table.source,
        1,
        None,
        format!(
            "no column {w:?} ({flag}); the header has: {}",
            table
                .header
                .iter()
                .enumerate()
                .map(|(i, h)| format!("{} {h:?}", i + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .into())
}

/// Reads an events CSV (a path or `-`) whole: UTF-8 with or without a BOM, comma-separated,
/// every row as many fields as the header. Kept in one function so the shared input opener
/// can replace it.
fn read_events(path: &Path) -> Result<Table, Error> {
    // the shared opener detects the encoding (UTF-8, UTF-16, Windows-1252), the BOM, the
    // delimiter and binary data; an events CSV is small enough to hold decoded
    let input = gazmap::io::input::open(&path.to_string_lossy(), &InputOptions::default())?;
    let source = input.source_name.clone();
    let delimiter = input.delimiter;
    let mut bytes = Vec::new();
    input.into_reader().read_to_end(&mut bytes).map_err(|e| {
        match e.into_inner().map(|inner| inner.downcast::<Error>()) {
            Some(Ok(err)) => *err,
            Some(Err(other)) => Error::parse(&source, 0, None, other.to_string()),
            None => Error::parse(&source, 0, None, "read error"),
        }
    })?;
    let text = bytes.as_slice();
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::parse(
            &source,
            1,
            None,
            "empty file: expected a header row (date,place,event,…)",
        ));
    }
    if let Some(line) = unclosed_quote(text, delimiter) {
        return Err(Error::parse(
            &source,
            line,
            None,
            "a quoted field opened here is never closed (a missing \")",
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .delimiter(delimiter)
        .from_reader(text);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_error(&source, e, &[]))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line());
                if let Some((i, f)) = rec.iter().enumerate().find(|(_, f)| f.len() > MAX_FIELD) {
                    return Err(Error::parse(
                        &source,
                        line,
                        Some(format!("{} ({})", i + 1, header[i])),
                        format!(
                            "field of {} bytes, more than the {} MiB a field may hold; is this an events CSV?",
                            f.len(),
                            MAX_FIELD >> 20
                        ),
                    ));
                }
                rows.push((line, rec.clone()));
            }
            Err(e) => return Err(csv_error(&source, e, &header)),
        }
    }
    Ok(Table {
        source,
        header,
        rows,
    })
}

fn csv_error(source: &str, e: csv::Error, header: &[String]) -> Error {
    let line = e.position().map_or(1, |p| p.line());
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::parse(
            source,
            line,
            None,
            format!(
                "{len} fields where the header has {expected_len} (a stray comma or a missing quote?)"
            ),
        ),
        csv::ErrorKind::Utf8 { err, .. } => Error::parse(
            source,
            line,
            Some(match header.get(err.field()) {
                Some(h) => format!("{} ({h})", err.field() + 1),
                None => (err.field() + 1).to_string(),
            }),
            "not UTF-8 text: save the file as UTF-8",
        ),
        _ => Error::parse(source, line, None, e.to_string()),
    }
}

/// The line where a quoted field opens that the file never closes, if any (comma-separated).
fn unclosed_quote(text: &[u8], delimiter: u8) -> Option<u64> {
    #[derive(PartialEq)]
    enum S {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut s = S::FieldStart;
    let mut line = 1u64;
    let mut opened = 1u64;
    for &b in text {
        s = match (s, b) {
            (S::FieldStart, b'"') => {
                opened = line;
                S::Quoted
            }
            (S::FieldStart | S::Unquoted | S::QuoteInQuoted, b)
                if b == delimiter || b == b'\n' || b == b'\r' =>
            {
                S::FieldStart
            }
            (S::FieldStart | S::Unquoted, _) => S::Unquoted,
            (S::Quoted, b'"') => S::QuoteInQuoted,
            (S::Quoted, _) => S::Quoted,
            (S::QuoteInQuoted, b'"') => S::Quoted,
            (S::QuoteInQuoted, _) => S::Unquoted,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    (s == S::Quoted).then_some(opened)
}

#[cfg(test)]
mod tests {
    use super::unclosed_quote;

    #[test]
    fn unclosed_quotes_are_found_at_their_line() {
        assert_eq!(unclosed_quote(b"a,b\n\"x\ny\",2\n", b','), None);
        assert_eq!(unclosed_quote(b"a,b\n\"say \"\"hi\"\"\",2\n", b','), None);
        assert_eq!(unclosed_quote(b"a,b\n5\" rain,2\n", b','), None);
        assert_eq!(unclosed_quote(b"a,b\n1,2\n\"open,3\nmore\n", b','), Some(3));
    }
}
