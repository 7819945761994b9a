//! `gazmap export`: an events CSV in, map layers (GeoJSON per layer, `unresolved.csv`) out.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::{Args, CommandFactory, ValueEnum};

use super::{formats, load_resolver, options, FilterArgs, FormatArg, GlobalArgs};
use gazmap::error::Error;
use gazmap::export::layers::{ColumnType, Columns, Layers, Typing};
use gazmap::export::{LayerBy, LayerRow};
use gazmap::io::input::InputOptions;
use gazmap::resolve::{Resolution, Status};

/// Flags of `gazmap export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Events CSV: a header row, then one event per row (`-` reads standard input).
    #[arg(value_name = "EVENTS.csv")]
    pub input: PathBuf,
    /// Directory the layers and unresolved.csv are written to (created if missing); `-`
    /// writes the one FeatureCollection of `--layer-by none` to standard output (and the
    /// unresolved rows, as CSV, to standard error).
    #[arg(long, short = 'o', value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
    /// How rows are grouped into layers (one GeoJSON file each).
    #[arg(long, value_enum, default_value_t = LayerByArg::Event)]
    pub layer_by: LayerByArg,
    /// Column holding the place as the source spelled it (header name or 1-based number).
    #[arg(long, value_name = "COL", default_value = "place")]
    pub place_column: String,
    /// Column holding the date (ISO 8601: 2021-08-10, 2021-08 or 2021) [default: date]; one
    /// given must exist.
    #[arg(long, value_name = "COL")]
    pub date_column: Option<String>,
    /// Column holding the event type [default: event]; one given must exist.
    #[arg(long, value_name = "COL")]
    pub event_column: Option<String>,
    /// Files to write, comma-separated: geojson (a file per layer), gpkg (layers.gpkg), html
    /// (index.html, a map page).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "geojson")]
    pub format: Vec<FormatArg>,
    /// Base map tiles for the map page (a URL template with {z}/{x}/{y}); none by default, so
    /// the page needs no network.
    #[arg(long, value_name = "URL")]
    pub tiles: Option<String>,
    /// Columns written as text even when every value is a number (names or 1-based
    /// numbers, comma-separated); the others are JSON numbers when all their values are.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub keep_strings: Vec<String>,
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

/// An events CSV copied, decoded, to a temporary file so it can be read twice (once to plan
/// the layers, once to write them) whatever it came from, standard input included.
struct Spool {
    source: String,
    delimiter: u8,
    file: std::fs::File,
    len: u64,
    header: Vec<String>,
}

impl Spool {
    /// A CSV reader at the first row (after the header).
    fn rows(&mut self) -> Result<csv::Reader<io::BufReader<&std::fs::File>>, Error> {
        let source = self.source.clone();
        self.file
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::parse(&source, 0, None, e.to_string()))?;
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .delimiter(self.delimiter)
            .from_reader(io::BufReader::with_capacity(1 << 16, &self.file));
        rdr.headers().map_err(|e| csv_error(&source, e, &[]))?;
        Ok(rdr)
    }
}

/// Runs `gazmap export`.
pub fn run(global: &GlobalArgs, args: &ExportArgs) -> Result<()> {
    let layer_by = LayerBy::from(args.layer_by);
    let to_stdout = args.output.as_os_str() == "-";
    let formats = formats(&args.format);
    if to_stdout && (formats.gpkg || formats.html || !formats.geojson) {
        super::Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "-o - writes GeoJSON only (--format geojson): a GeoPackage or a map page needs a directory",
            )
            .exit();
    }
    if to_stdout && layer_by != LayerBy::None {
        super::Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "-o - writes one FeatureCollection to standard output: use it with --layer-by none \
                 (--layer-by event and date write several layers, which need a directory)",
            )
            .exit();
    }
    let mut spool = spool_events(&args.input)?;
    let place = column(&spool, &args.place_column, "--place-column", true)?.expect("required");
    let date = column(
        &spool,
        args.date_column.as_deref().unwrap_or("date"),
        "--date-column",
        layer_by == LayerBy::Date || args.date_column.is_some(),
    )?;
    let event = column(
        &spool,
        args.event_column.as_deref().unwrap_or("event"),
        "--event-column",
        layer_by == LayerBy::Event || args.event_column.is_some(),
    )?;
    let mut typing = vec![Typing::Infer; spool.header.len()];
    if let Some(d) = date {
        // the date stays as written; its typed forms are date_start and date_end
        typing[d] = Typing::Fixed(ColumnType::Text);
    }
    for name in &args.keep_strings {
        let i = column(&spool, name, "--keep-strings", true)?.expect("required");
        typing[i] = Typing::Fixed(ColumnType::Text);
    }
    let columns = Columns::new(&spool.header, typing);

    let resolver = load_resolver(global)?;
    let opts = options(&resolver, global, &args.filters)?;
    let gazetteer = resolver.gazetteer();
    let mut layers = Layers::new(gazetteer, columns, layer_by, &args.output);
    layers.formats(formats)?;
    layers.event_column(event);
    #[cfg(feature = "html")]
    layers.page_options(gazmap::export::html::PageOptions {
        tiles: args.tiles.clone(),
        tiles_attribution: None,
    });
    #[cfg(not(feature = "html"))]
    if args.tiles.is_some() {
        anyhow::bail!("--tiles: this gazmap was built without the map page (cargo feature `html`)");
    }
    // two passes over the spooled rows; the bar counts both
    let bar = super::clean::progress_bar(global.quiet, Some(spool.len * 2));
    let (header, source, len) = (spool.header.clone(), spool.source.clone(), spool.len);
    // pass 1: check every row, resolve each distinct place once, plan the layers
    let mut resolved: HashMap<String, Resolution> = HashMap::new();
    let mut rec = csv::StringRecord::new();
    let mut rows = 0u64;
    {
        let mut rdr = spool.rows()?;
        while rdr
            .read_record(&mut rec)
            .map_err(|e| csv_error(&source, e, &header))?
        {
            rows += 1;
            let line = rec.position().map_or(0, |p| p.line());
            check_row(&rec, line, &source, &header, date)?;
            let name = value_of(&rec, Some(place));
            if !resolved.contains_key(name) {
                let mut r = resolver.resolve(name, &opts);
                if r.status == Status::Matched {
                    // only unresolved rows list candidates (as suggestions): keep rows small
                    r.candidates = Vec::new();
                }
                resolved.insert(name.to_string(), r);
            }
            layers.plan(&LayerRow {
                values: rec.iter().collect(),
                date: value_of(&rec, date),
                event: value_of(&rec, event),
                resolution: &resolved[name],
            })?;
            if rows.is_multiple_of(4096) {
                bar.set_position(rec.position().map_or(0, |p| p.byte()));
                bar.set_message(format!("{rows} rows checked"));
            }
        }
    }
    // pass 2: every row streamed to its layer's temporary file
    let mut writer = if to_stdout {
        let unresolved: Box<dyn io::Write> = Box::new(io::BufWriter::new(io::stderr()));
        layers.start_streaming(
            Box::new(io::BufWriter::with_capacity(1 << 16, io::stdout())),
            unresolved,
        )?
    } else {
        layers
            .start()
            .with_context(|| format!("writing layers to {}", args.output.display()))?
    };
    let mut written = 0u64;
    let mut rdr = spool.rows()?;
    while rdr
        .read_record(&mut rec)
        .map_err(|e| csv_error(&source, e, &header))?
    {
        written += 1;
        let name = value_of(&rec, Some(place));
        let resolution = resolved.get(name).ok_or_else(|| {
            anyhow::anyhow!("{source}: the input changed between the two passes (row {written})")
        })?;
        writer.write(&LayerRow {
            values: rec.iter().collect(),
            date: value_of(&rec, date),
            event: value_of(&rec, event),
            resolution,
        })?;
        if written.is_multiple_of(4096) {
            bar.set_position(len + rec.position().map_or(0, |p| p.byte()));
            bar.set_message(format!("{written}/{rows} rows written"));
        }
    }
    let summary = writer.finish();
    bar.finish_and_clear();
    let summary =
        summary.with_context(|| format!("writing layers to {}", args.output.display()))?;
    if !global.quiet {
        let features: usize = summary.layers.iter().map(|l| l.features).sum();
        let polygons: usize = summary.layers.iter().map(|l| l.polygons).sum();
        eprintln!(
            "gazmap: {} rows from {}: {features} drawn ({polygons} as polygons) in {} layer{}, {} unresolved",
            summary.rows,
            source,
            summary.layers.len(),
            if summary.layers.len() == 1 { "" } else { "s" },
            summary.unresolved,
        );
        if formats.geojson {
            for l in &summary.layers {
                eprintln!("  {:>6}  {}", l.features, l.path.display());
            }
        }
        if let Some(h) = &summary.html_path {
            eprintln!("  {:>6}  {}", features, h.display());
        }
        if let Some(g) = &summary.gpkg_path {
            eprintln!(
                "  {:>6}  {} ({} tables)",
                features,
                g.display(),
                summary.layers.len()
            );
        }
        if !to_stdout {
            eprintln!(
                "  {:>6}  {}",
                summary.unresolved,
                summary.unresolved_path.display()
            );
        }
    }
    Ok(())
}

/// The value of an optional column, empty when absent.
fn value_of(rec: &csv::StringRecord, c: Option<usize>) -> &str {
    c.and_then(|c| rec.get(c)).unwrap_or("")
}

/// Checks one row: no field longer than [`MAX_FIELD`], a date that parses.
fn check_row(
    rec: &csv::StringRecord,
    line: u64,
    source: &str,
    header: &[String],
    date: Option<usize>,
) -> Result<(), Error> {
    if let Some((i, f)) = rec.iter().enumerate().find(|(_, f)| f.len() > MAX_FIELD) {
        return Err(Error::parse(
            source,
            line,
            Some(format!("{} ({})", i + 1, header[i])),
            format!(
                "field of {} bytes, more than the {} MiB a field may hold; is this an events CSV?",
                f.len(),
                MAX_FIELD >> 20
            ),
        ));
    }
    if let Some(d) = date {
        let value = rec.get(d).unwrap_or("");
        gazmap::export::layers::time_span(value).map_err(|m| {
            Error::parse(source, line, Some(format!("{} ({})", d + 1, header[d])), m)
        })?;
    }
    Ok(())
}

/// Finds a column by header name (case-insensitive) or 1-based number; a missing required
/// column is an error that lists the header found.
fn column(table: &Spool, wanted: &str, flag: &str, required: bool) -> Result<Option<usize>> {
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

/// Copies an events CSV (a path or `-`), decoded to UTF-8 (the shared opener detects the
/// encoding, the BOM, the delimiter and binary data), to a temporary file, and reads its
/// header. An empty file or a quoted field never closed is an error naming its line.
fn spool_events(path: &Path) -> Result<Spool, Error> {
    let input = gazmap::io::input::open(&path.to_string_lossy(), &InputOptions::default())?;
    let source = input.source_name.clone();
    let delimiter = input.delimiter;
    let io_err = |e: io::Error| Error::parse(&source, 0, None, format!("temporary file: {e}"));
    let file = tempfile::tempfile().map_err(io_err)?;
    let mut reader = input.into_reader();
    let mut out = io::BufWriter::with_capacity(1 << 16, &file);
    let mut quotes = QuoteScan::new(delimiter);
    let mut buf = vec![0u8; 1 << 16];
    let mut len = 0u64;
    let mut blank = true;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(
                    match e.into_inner().map(|inner| inner.downcast::<Error>()) {
                        Some(Ok(err)) => *err,
                        Some(Err(other)) => Error::parse(&source, 0, None, other.to_string()),
                        None => Error::parse(&source, 0, None, "read error"),
                    },
                )
            }
        };
        let chunk = &buf[..n];
        blank &= chunk.iter().all(|b| b.is_ascii_whitespace());
        quotes.feed(chunk);
        out.write_all(chunk).map_err(io_err)?;
        len += n as u64;
    }
    out.flush().map_err(io_err)?;
    drop(out);
    if blank {
        return Err(Error::parse(
            &source,
            1,
            None,
            "empty file: expected a header row (date,place,event,…)",
        ));
    }
    if let Some(line) = quotes.unclosed() {
        return Err(Error::parse(
            &source,
            line,
            None,
            "a quoted field opened here is never closed (a missing \")",
        ));
    }
    if let Some(line) = quotes.text_after_quote() {
        return Err(Error::parse(
            &source,
            line,
            None,
            "text after the closing quote of a quoted field (a quote inside a quoted field \
             must be doubled)",
        ));
    }
    let mut spool = Spool {
        source: source.clone(),
        delimiter,
        file,
        len,
        header: Vec::new(),
    };
    spool.file.seek(SeekFrom::Start(0)).map_err(io_err)?;
    let header: Vec<String> = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(io::BufReader::new(&spool.file))
        .headers()
        .map_err(|e| csv_error(&source, e, &[]))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    spool.header = header;
    Ok(spool)
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

/// Finds, chunk by chunk, the line where a quoted field opens that the text never closes.
struct QuoteScan {
    delimiter: u8,
    state: QuoteState,
    line: u64,
    opened: u64,
    after_quote: Option<u64>,
}

#[derive(Clone, Copy, PartialEq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl QuoteScan {
    fn new(delimiter: u8) -> Self {
        QuoteScan {
            delimiter,
            state: QuoteState::FieldStart,
            line: 1,
            opened: 1,
            after_quote: None,
        }
    }

    fn feed(&mut self, text: &[u8]) {
        use QuoteState as S;
        let delimiter = self.delimiter;
        for &b in text {
            self.state = match (self.state, b) {
                (S::FieldStart, b'"') => {
                    self.opened = self.line;
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
                (S::QuoteInQuoted, _) => {
                    // the csv crate would join `"Kunduz"x` into `Kunduzx`; clean refuses it too
                    self.after_quote.get_or_insert(self.line);
                    S::Unquoted
                }
            };
            if b == b'\n' {
                self.line += 1;
            }
        }
    }

    fn text_after_quote(&self) -> Option<u64> {
        self.after_quote
    }

    fn unclosed(&self) -> Option<u64> {
        (self.state == QuoteState::Quoted).then_some(self.opened)
    }
}

/// The first line where text follows the closing quote of a quoted field, if any.
#[cfg(test)]
fn text_after_quote(text: &[u8], delimiter: u8) -> Option<u64> {
    let mut q = QuoteScan::new(delimiter);
    q.feed(text);
    q.text_after_quote()
}

/// The line where a quoted field opens that the text never closes, if any.
#[cfg(test)]
fn unclosed_quote(text: &[u8], delimiter: u8) -> Option<u64> {
    let mut q = QuoteScan::new(delimiter);
    for chunk in text.chunks(3) {
        q.feed(chunk);
    }
    q.unclosed()
}

#[cfg(test)]
mod tests {
    use super::{text_after_quote, unclosed_quote};

    #[test]
    fn text_after_a_closing_quote_is_found() {
        assert_eq!(text_after_quote(b"a,b\n\"Kunduz\"x,2\n", b','), Some(2));
        assert_eq!(
            text_after_quote(b"a,b\n\"say \"\"hi\"\"\",2\n\"\",\"x\"\r\n", b','),
            None
        );
        assert_eq!(
            text_after_quote(b"a,b\n5\" rain,2\n\"x\n\"y", b','),
            Some(4)
        );
    }

    #[test]
    fn unclosed_quotes_are_found_at_their_line() {
        assert_eq!(unclosed_quote(b"a,b\n\"x\ny\",2\n", b','), None);
        assert_eq!(unclosed_quote(b"a,b\n\"say \"\"hi\"\"\",2\n", b','), None);
        assert_eq!(unclosed_quote(b"a,b\n5\" rain,2\n", b','), None);
        assert_eq!(unclosed_quote(b"a,b\n1,2\n\"open,3\nmore\n", b','), Some(3));
    }
}
