//! `gazmap export`: an events CSV in, map layers (GeoJSON per layer, `unresolved.csv`) out.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::{Args, CommandFactory, ValueEnum};

use super::{formats, load_resolver, options, FilterArgs, GlobalArgs, LayerArgs};
use gazmap::error::Error;
use gazmap::export::layers::{ColumnType, Columns, Layers, Typing};
use gazmap::export::{DrawAs, LayerBy, LayerRow};
use gazmap::io::input::InputOptions;
use gazmap::io::records::{Records, DEFAULT_MAX_RECORD_BYTES};
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
    /// Layer files and how places are drawn.
    #[command(flatten)]
    pub layers: LayerArgs,
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

/// `--geometry` values (export and extract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GeometryArg {
    /// A place's polygon where the gazetteer has one (`geo_precision: polygon`), else its point.
    Polygon,
    /// A place's point, or its nearest located ancestor's (`geo_precision: point`/`parent`).
    Point,
}

impl From<GeometryArg> for DrawAs {
    fn from(a: GeometryArg) -> DrawAs {
        match a {
            GeometryArg::Polygon => DrawAs::Polygon,
            GeometryArg::Point => DrawAs::Point,
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
    /// The records of the spooled text from its start, read by the one CSV record reader.
    fn records(&self) -> Result<Records<io::BufReader<&std::fs::File>>, Error> {
        (&self.file)
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::parse(&self.source, 0, None, e.to_string()))?;
        Ok(Records::new(
            io::BufReader::with_capacity(1 << 16, &self.file),
            self.delimiter,
            self.source.clone(),
            DEFAULT_MAX_RECORD_BYTES,
        ))
    }

    /// The records at the first row (after the header).
    fn rows(&self) -> Result<Records<io::BufReader<&std::fs::File>>, Error> {
        let mut records = self.records()?;
        records.next_fields(None)?;
        Ok(records)
    }
}

/// Runs `gazmap export`.
pub fn run(global: &GlobalArgs, args: &ExportArgs) -> Result<()> {
    let layer_by = LayerBy::from(args.layer_by);
    let to_stdout = args.output.as_os_str() == "-";
    let formats = formats(&args.layers.format);
    if to_stdout {
        refuse_stdout(&formats, layer_by);
    }
    let spool = spool_events(&args.input)?;
    let (cols, columns) = event_columns(&spool, args, layer_by)?;
    let event = cols.event;

    let resolver = load_resolver(global)?;
    let opts = options(&resolver, global, &args.filters)?;
    let gazetteer = resolver.gazetteer();
    let mut layers = Layers::new(gazetteer, columns, layer_by, &args.output);
    layers.draw(DrawAs::from(args.layers.geometry));
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
    let width = Some(header.len());
    let (resolved, rows) = plan(&spool, cols, &resolver, &opts, &mut layers, &bar)?;
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
    while let Some((_, rec)) = rdr.next_fields(width)? {
        written += 1;
        let name = value_of(&rec, Some(cols.place));
        let resolution = resolved.get(name).ok_or_else(|| {
            anyhow::anyhow!("{source}: the input changed between the two passes (row {written})")
        })?;
        writer.write(&cols.row(&rec, resolution))?;
        if written.is_multiple_of(4096) {
            bar.set_position(len + rdr.bytes_read());
            bar.set_message(format!("{written}/{rows} rows written"));
        }
    }
    let summary = writer.finish();
    bar.finish_and_clear();
    let summary =
        summary.with_context(|| format!("writing layers to {}", args.output.display()))?;
    if !global.quiet {
        print_summary(&summary, &source, &formats, to_stdout);
    }
    Ok(())
}

/// Exits with a usage error when `-o -` (standard output) is asked of a run that writes
/// more than one GeoJSON FeatureCollection.
fn refuse_stdout(formats: &gazmap::export::Formats, layer_by: LayerBy) {
    if formats.gpkg || formats.html || !formats.geojson {
        super::Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "-o - writes GeoJSON only (--format geojson): a GeoPackage or a map page needs a directory",
            )
            .exit();
    }
    if layer_by != LayerBy::None {
        super::Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "-o - writes one FeatureCollection to standard output: use it with --layer-by none \
                 (--layer-by event and date write several layers, which need a directory)",
            )
            .exit();
    }
}

/// The columns `export` reads, checked against the header, and the typing of every column
/// (the date and `--keep-strings` columns stay text).
fn event_columns(
    spool: &Spool,
    args: &ExportArgs,
    layer_by: LayerBy,
) -> Result<(EventColumns, Columns)> {
    let place = column(spool, &args.place_column, "--place-column", true)?.expect("required");
    // the date and event columns: required when named or when the layers are cut by them
    let named_or = |given: &Option<String>, default: &str, flag: &str, by: LayerBy| {
        let required = layer_by == by || given.is_some();
        column(spool, given.as_deref().unwrap_or(default), flag, required)
    };
    let date = named_or(&args.date_column, "date", "--date-column", LayerBy::Date)?;
    let event = named_or(
        &args.event_column,
        "event",
        "--event-column",
        LayerBy::Event,
    )?;
    let mut typing = vec![Typing::Infer; spool.header.len()];
    if let Some(d) = date {
        // the date stays as written; its typed forms are date_start and date_end
        typing[d] = Typing::Fixed(ColumnType::Text);
    }
    for name in &args.keep_strings {
        let i = column(spool, name, "--keep-strings", true)?.expect("required");
        typing[i] = Typing::Fixed(ColumnType::Text);
    }
    let columns = Columns::new(&spool.header, typing);
    Ok((EventColumns { place, date, event }, columns))
}

/// The columns of an events CSV that `export` reads (the place's is required).
#[derive(Clone, Copy)]
struct EventColumns {
    place: usize,
    date: Option<usize>,
    event: Option<usize>,
}

impl EventColumns {
    /// A record as a layer row with its place's resolution.
    fn row<'r>(&self, rec: &'r [String], resolution: &'r Resolution) -> LayerRow<'r> {
        LayerRow {
            values: rec.iter().map(String::as_str).collect(),
            date: value_of(rec, self.date),
            event: value_of(rec, self.event),
            resolution,
        }
    }
}

/// Pass 1: checks every row, resolves each distinct place once and plans the layers; gives
/// the resolutions by place text and the number of rows.
fn plan(
    spool: &Spool,
    cols: EventColumns,
    resolver: &gazmap::Resolver,
    opts: &gazmap::Options,
    layers: &mut Layers<'_>,
    bar: &indicatif::ProgressBar,
) -> Result<(HashMap<String, Resolution>, u64)> {
    let mut resolved: HashMap<String, Resolution> = HashMap::new();
    let width = Some(spool.header.len());
    let mut rows = 0u64;
    let mut rdr = spool.rows()?;
    while let Some((line, rec)) = rdr.next_fields(width)? {
        rows += 1;
        check_row(&rec, line, &spool.source, &spool.header, cols.date)?;
        let name = value_of(&rec, Some(cols.place));
        if !resolved.contains_key(name) {
            let mut r = resolver.resolve(name, opts);
            if r.status == Status::Matched {
                // only unresolved rows list candidates (as suggestions): keep rows small
                r.candidates = Vec::new();
            }
            resolved.insert(name.to_string(), r);
        }
        layers.plan(&cols.row(&rec, &resolved[name]))?;
        if rows.is_multiple_of(4096) {
            bar.set_position(rdr.bytes_read());
            bar.set_message(format!("{rows} rows checked"));
        }
    }
    Ok((resolved, rows))
}

/// Prints what a run wrote: the counts, then each file with its features.
fn print_summary(
    summary: &gazmap::export::layers::LayerSummary,
    source: &str,
    formats: &gazmap::export::Formats,
    to_stdout: bool,
) {
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

/// The value of an optional column, empty when absent.
fn value_of(rec: &[String], c: Option<usize>) -> &str {
    c.and_then(|c| rec.get(c)).map_or("", String::as_str)
}

/// Checks one row: no field longer than [`MAX_FIELD`], a date that parses.
fn check_row(
    rec: &[String],
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
        let value = rec.get(d).map_or("", String::as_str);
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
/// header. An empty file is an error; the rows are checked as they are read
/// ([`Records::next_fields`]).
fn spool_events(path: &Path) -> Result<Spool, Error> {
    let input = gazmap::io::input::open(&path.to_string_lossy(), &InputOptions::default())?;
    let source = input.source_name.clone();
    let delimiter = input.delimiter;
    let io_err = |e: io::Error| Error::parse(&source, 0, None, format!("temporary file: {e}"));
    let file = tempfile::tempfile().map_err(io_err)?;
    let mut reader = input.into_reader();
    let mut out = io::BufWriter::with_capacity(1 << 16, &file);
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
        out.write_all(chunk).map_err(io_err)?;
        len += n as u64;
    }
    out.flush().map_err(io_err)?;
    drop(out);
    let empty = || {
        Error::parse(
            &source,
            1,
            None,
            "empty file: expected a header row (date,place,event,…)",
        )
    };
    if blank {
        return Err(empty());
    }
    let mut spool = Spool {
        source: source.clone(),
        delimiter,
        file,
        len,
        header: Vec::new(),
    };
    let (_, header) = spool.records()?.next_fields(None)?.ok_or_else(empty)?;
    spool.header = header.iter().map(|h| h.trim().to_string()).collect();
    Ok(spool)
}
