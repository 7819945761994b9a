//! Cleans a column of place names: streams a CSV, resolves each distinct name once (in
//! parallel, order kept) and writes every input record unchanged with the `gz_*` columns
//! appended, in the input's encoding.
//!
//! The original fields are never re-serialized: each record's raw text (its quoting, spacing
//! and line terminator) is copied as read, so the original columns round-trip byte for byte.
//!
//! ```
//! use gazmap::clean::{clean, CleanOptions, ColumnRef};
//! use gazmap::input::{self, InputOptions};
//! use gazmap::{Gazetteer, Options, Resolver};
//! let resolver = Resolver::new(Gazetteer::embedded()?)?;
//! let csv = "id;place\n1;Pul-i-Hisar\n";
//! let input = input::from_reader(Box::new(csv.as_bytes()), "names.csv", None, &InputOptions::default())?;
//! let mut out = Vec::new();
//! let opts = CleanOptions::new(ColumnRef::Name("place".into()));
//! let summary = clean(input, &mut out, &resolver, &Options::default(), &opts, &mut |_| {})?;
//! assert_eq!(summary.matched, 1);
//! let out = String::from_utf8(out)?;
//! assert!(out.starts_with("id;place;gz_id;gz_name;"), "{out}");
//! assert!(out.lines().nth(1).unwrap().starts_with("1;Pul-i-Hisar;"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::gazetteer::{concat, place_values, PlaceColumn};
use crate::io::input::{Input, SourceEncoding};
use crate::io::records::{field_count_problem, Records};
use crate::resolve::{Options, Resolution, Resolver, Status};

pub use crate::io::records::DEFAULT_MAX_RECORD_BYTES;

/// The place columns `clean` appends, in its contract's order (admin1 and admin2 before the
/// country).
const GZ_PLACE: [PlaceColumn; 8] = {
    use PlaceColumn::*;
    [Id, Name, Kind, Admin1, Admin2, Country, Lat, Lon]
};

/// The columns appended to each record, without their prefix: the place's, then the match's.
pub const GZ_COLUMNS: [&str; 12] = concat(
    PlaceColumn::names(GZ_PLACE),
    ["score", "method", "status", "candidates"],
);

/// Which column holds the names: by header name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    /// A header name (compared exactly, then ignoring case and surrounding spaces); when no
    /// header has it and it is a number, the 1-based column number.
    Name(String),
    /// A 1-based column number.
    Index(usize),
}

impl ColumnRef {
    fn find(&self, header: &[String]) -> Option<usize> {
        match self {
            ColumnRef::Index(i) => (*i >= 1 && *i <= header.len()).then(|| i - 1),
            ColumnRef::Name(n) => header
                .iter()
                .position(|h| h == n)
                .or_else(|| {
                    let want = n.trim();
                    header
                        .iter()
                        .position(|h| h.trim().eq_ignore_ascii_case(want))
                })
                .or_else(|| match n.trim().parse::<usize>() {
                    Ok(i) => ColumnRef::Index(i).find(header),
                    Err(_) => None,
                }),
        }
    }
}

/// The encoding `clean` writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputEncoding {
    /// The input's encoding, with its BOM if it had one (the original bytes round-trip).
    #[default]
    Input,
    /// UTF-8 without BOM.
    Utf8,
}

/// How to clean.
#[derive(Debug, Clone)]
pub struct CleanOptions {
    /// The column holding the names.
    pub column: ColumnRef,
    /// Prefix of the appended columns.
    pub prefix: String,
    /// Leave malformed records out (and report them) instead of stopping at the first.
    pub skip_bad_rows: bool,
    /// The output encoding.
    pub output_encoding: OutputEncoding,
    /// Records read, resolved and written per batch.
    pub chunk_rows: usize,
    /// Distinct names whose results are kept (two generations of this many at most).
    pub cache_names: usize,
    /// Longest record accepted, in bytes of UTF-8.
    pub max_record_bytes: usize,
    /// Threads resolving names (0: one per core).
    pub threads: usize,
}

impl CleanOptions {
    /// Defaults for the given name column.
    pub fn new(column: ColumnRef) -> CleanOptions {
        CleanOptions {
            column,
            prefix: "gz_".to_string(),
            skip_bad_rows: false,
            output_encoding: OutputEncoding::Input,
            chunk_rows: 16 * 1024,
            cache_names: 100_000,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            threads: 0,
        }
    }
}

/// A malformed record left out with `skip_bad_rows`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// The line the record starts on (1-based).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Data records written (the header and blank lines not counted).
    pub rows: u64,
    /// Rows whose name matched one place.
    pub matched: u64,
    /// Rows whose name fits several unrelated places.
    pub ambiguous: u64,
    /// Rows whose name matched nothing.
    pub unmatched: u64,
    /// Blank lines, copied through.
    pub blank_lines: u64,
    /// Malformed records left out (only with `skip_bad_rows`; each was passed to the
    /// callback as [`Event::BadRow`]).
    pub bad_rows: u64,
    /// Names sent to the resolver (each distinct name once while it stays cached).
    pub resolved_names: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The column the names were read from (1-based) and its header.
    pub column: (usize, String),
}

/// What `clean` tells its caller while it runs.
#[derive(Debug, Clone)]
pub enum Event {
    /// A batch was written; this many data records are done.
    Progress {
        /// Data records done.
        rows: u64,
    },
    /// A malformed record was left out (only with `skip_bad_rows`).
    BadRow(BadRow),
}

/// Cleans `input` into `out`: the header and every record unchanged, with the `gz_*` columns
/// appended. Stops at the first malformed record unless `skip_bad_rows` is set; on error the
/// caller must discard what was written. `on_event` hears of progress and skipped records.
pub fn clean(
    input: Input,
    out: &mut dyn Write,
    resolver: &Resolver,
    options: &Options,
    clean_options: &CleanOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<Summary> {
    let started = Instant::now();
    let source = input.source_name.clone();
    let delimiter = input.delimiter;
    let mut writer = Encoder::new(
        input.encoding,
        input.bom,
        clean_options.output_encoding,
        &source,
    );
    let mut records = Records::new(
        input.into_reader(),
        delimiter,
        source.clone(),
        clean_options.max_record_bytes,
    );
    let mut summary = Summary::default();
    let (col, width) = copy_header(
        &mut records,
        delimiter,
        &mut writer,
        out,
        clean_options,
        &mut summary,
    )?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(clean_options.threads)
        .build()
        .map_err(|e| Error::Invalid(format!("starting worker threads: {e}")))?;

    let mut cache = Cache::new(clean_options.cache_names);
    // a reader thread splits and checks records while the main thread resolves and writes
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch>>(2);
    let chunk_rows = clean_options.chunk_rows.max(1);
    let skip_bad_rows = clean_options.skip_bad_rows;
    std::thread::scope(|scope| -> Result<()> {
        scope.spawn(move || loop {
            let batch = read_batch(&mut records, chunk_rows, width, col, skip_bad_rows);
            let last = !matches!(&batch, Ok(b) if !b.done);
            if tx.send(batch).is_err() || last {
                break;
            }
        });
        for batch in rx {
            let batch = batch?;
            for bad in batch.bad {
                summary.bad_rows += 1;
                on_event(Event::BadRow(bad));
            }
            let batch = batch.rows;
            let local = resolve_names(&batch, &mut cache, &pool, resolver, options, delimiter);
            summary.resolved_names += local.fresh;
            write_rows(
                &batch,
                &local.results,
                &source,
                &mut writer,
                out,
                &mut summary,
            )?;
            on_event(Event::Progress { rows: summary.rows });
        }
        Ok(())
    })?;
    out.flush().map_err(|e| Error::io(&source, e))?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Copies the header (and any blank lines before it) with the names of the added columns,
/// and gives the name column's position and the number of columns; errors on an empty file,
/// a malformed header, a missing name column or one the added columns would clash with.
fn copy_header(
    records: &mut Records,
    delimiter: u8,
    writer: &mut Encoder,
    out: &mut dyn Write,
    clean_options: &CleanOptions,
    summary: &mut Summary,
) -> Result<(usize, usize)> {
    let source = records.source().to_string();
    loop {
        let r = match records.next_record()? {
            None => {
                return Err(Error::parse(
                    &source,
                    1,
                    None,
                    "the file is empty: expected a header row naming the columns",
                ))
            }
            Some(r) if r.is_blank() => {
                summary.blank_lines += 1;
                writer.write_str(out, r.text(), "")?;
                continue;
            }
            Some(r) => r,
        };
        if let Some(bad) = r.problem() {
            return Err(Error::parse(&source, r.line, None, bad));
        }
        let fields = r.fields();
        let Some(col) = clean_options.column.find(&fields) else {
            return Err(no_such_column(
                &source,
                &clean_options.column,
                &fields,
                delimiter,
            ));
        };
        summary.column = (col + 1, fields[col].clone());
        let added: Vec<String> = GZ_COLUMNS
            .iter()
            .map(|c| format!("{}{c}", clean_options.prefix))
            .collect();
        if let Some(clash) = fields.iter().find(|f| added.contains(f)) {
            return Err(Error::parse(
                &source,
                r.line,
                None,
                format!(
                    "the header already has a column {clash:?} (a file cleaned before?); \
                     give another --prefix"
                ),
            ));
        }
        let mut suffix = String::new();
        for c in &added {
            push_field(&mut suffix, c, delimiter);
        }
        writer.write_str(out, r.content(), &suffix)?;
        writer.write_str(out, r.terminator(), "")?;
        return Ok((col, fields.len()));
    }
}

/// The error of a name column the header does not have: the header's columns, numbered, and
/// a hint at `--delimiter` when the header read as one column.
fn no_such_column(source: &str, column: &ColumnRef, fields: &[String], delimiter: u8) -> Error {
    Error::Invalid(format!(
        "{source}: no column {} in the header; it has {}: {}{}",
        match column {
            ColumnRef::Name(n) => format!("{n:?}"),
            ColumnRef::Index(i) => format!("number {i}"),
        },
        fields.len(),
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{} {f:?}", i + 1))
            .collect::<Vec<_>>()
            .join(", "),
        if fields.len() == 1 {
            format!(
                " (read with the delimiter {}; give --delimiter if the file uses another)",
                crate::io::input::delimiter_name(delimiter)
            )
        } else {
            String::new()
        }
    ))
}

/// The results of a batch's names, and how many were resolved afresh.
struct BatchNames<'b> {
    results: HashMap<&'b str, Arc<Cached>>,
    fresh: u64,
}

/// The result of each name of `batch`: from the cache, or resolved (in parallel, on `pool`)
/// and then cached.
fn resolve_names<'b>(
    batch: &'b [Row],
    cache: &mut Cache,
    pool: &rayon::ThreadPool,
    resolver: &Resolver,
    options: &Options,
    delimiter: u8,
) -> BatchNames<'b> {
    let mut local: HashMap<&str, Arc<Cached>> = HashMap::new();
    let mut fresh: Vec<&str> = Vec::new();
    for row in batch {
        if let Row::Data { name, .. } = row {
            if !local.contains_key(name.as_str()) {
                match cache.get(name) {
                    Some(c) => {
                        local.insert(name, c);
                    }
                    None => fresh.push(name),
                }
            }
        }
    }
    fresh.sort_unstable();
    fresh.dedup();
    let results: Vec<Arc<Cached>> = pool.install(|| {
        fresh
            .par_iter()
            .map(|n| {
                Arc::new(Cached::new(
                    resolver,
                    &resolver.resolve(n, options),
                    delimiter,
                ))
            })
            .collect()
    });
    for (name, c) in fresh.iter().zip(results) {
        cache.insert(name.to_string(), c.clone());
        local.insert(name, c);
    }
    BatchNames {
        results: local,
        fresh: fresh.len() as u64,
    }
}

/// Writes a batch's rows, each data row with the added columns of its name, and counts them.
fn write_rows(
    batch: &[Row],
    results: &HashMap<&str, Arc<Cached>>,
    source: &str,
    writer: &mut Encoder,
    out: &mut dyn Write,
    summary: &mut Summary,
) -> Result<()> {
    for row in batch {
        match row {
            Row::Blank(text) => {
                summary.blank_lines += 1;
                writer.write_str(out, text, "")?;
            }
            Row::Data {
                content,
                terminator,
                name,
            } => {
                let Some(hit) = results.get(name.as_str()) else {
                    return Err(Error::Invalid(format!(
                        "{source}: internal error: {name:?} was not resolved"
                    )));
                };
                summary.rows += 1;
                match hit.status {
                    Status::Matched => summary.matched += 1,
                    Status::Ambiguous => summary.ambiguous += 1,
                    Status::Unmatched => summary.unmatched += 1,
                }
                writer.write_str(out, content, &hit.suffix)?;
                writer.write_str(out, terminator, "")?;
            }
        }
    }
    Ok(())
}

/// Records read by the reader thread, in order.
struct Batch {
    rows: Vec<Row>,
    bad: Vec<BadRow>,
    /// The input ended.
    done: bool,
}

/// Reads up to `n` records: blank lines kept, malformed records an error (or set aside with
/// `skip_bad_rows`), the name of each data record taken from column `col`.
fn read_batch(
    records: &mut Records,
    n: usize,
    width: usize,
    col: usize,
    skip_bad_rows: bool,
) -> Result<Batch> {
    let mut batch = Batch {
        rows: Vec::with_capacity(n),
        bad: Vec::new(),
        done: false,
    };
    while batch.rows.len() < n {
        let Some(r) = records.next_record()? else {
            batch.done = true;
            break;
        };
        if r.is_blank() {
            batch.rows.push(Row::Blank(r.text().to_string()));
            continue;
        }
        let problem = match (r.problem(), r.field_count()) {
            (Some(bad), _) => Some(bad.to_string()),
            (None, n) if n != width => Some(field_count_problem(n, width)),
            _ => None,
        };
        if let Some(message) = problem {
            if skip_bad_rows {
                batch.bad.push(BadRow {
                    line: r.line,
                    message,
                });
                continue;
            }
            let line = r.line;
            return Err(Error::parse(records.source(), line, None, message));
        }
        let row = Row::Data {
            content: r.content().to_string(),
            terminator: r.terminator_kind(),
            name: r.field(col).unwrap_or_default(),
        };
        batch.rows.push(row);
    }
    Ok(batch)
}

enum Row {
    Blank(String),
    Data {
        content: String,
        terminator: &'static str,
        name: String,
    },
}

/// One resolved name: its status and the appended fields, each preceded by the delimiter.
#[derive(Debug)]
struct Cached {
    status: Status,
    suffix: String,
}

impl Cached {
    fn new(resolver: &Resolver, r: &Resolution, delimiter: u8) -> Cached {
        let mut s = String::with_capacity(160);
        for f in &gz_fields(resolver, r) {
            push_field(&mut s, f, delimiter);
        }
        Cached {
            status: r.status,
            suffix: s,
        }
    }
}

/// The values `clean` appends for one resolution, in [`GZ_COLUMNS`] order, as it writes them
/// (coordinates to 6 decimals, the score to 3; `candidates` the tied ids of an ambiguous name
/// or the suggestions of an unmatched one, `|`-separated).
pub fn gz_fields(resolver: &Resolver, r: &Resolution) -> [String; 12] {
    let g = resolver.gazetteer();
    let ids = |cands: &mut dyn Iterator<Item = &crate::resolve::Candidate>| {
        cands
            .map(|c| g.place(c.place).id)
            .collect::<Vec<_>>()
            .join("|")
    };
    let place = r.best.as_ref().map(|b| g.place(b.place));
    // a place without a point of its own (a district carved after 2005) gets its nearest
    // located ancestor's, as export does; gz_admin2 names that parent
    let point = r
        .best
        .as_ref()
        .and_then(|b| g.point_or_parent(b.place))
        .map(|(pt, _)| pt);
    let (score, method) = match &r.best {
        Some(b) => (format!("{:.3}", b.score), b.method.as_str().to_string()),
        None => Default::default(),
    };
    let candidates = match (&r.best, r.status) {
        (Some(b), Status::Ambiguous) => ids(&mut std::iter::once(b).chain(r.candidates.iter())),
        (Some(_), _) => String::new(),
        (None, _) => ids(&mut r.candidates.iter()),
    };
    let mut fields: [String; 12] = Default::default();
    let values = place_values(GZ_PLACE, place.as_ref(), point)
        .into_iter()
        .chain([score, method, r.status.as_str().to_string(), candidates]);
    for (field, value) in fields.iter_mut().zip(values) {
        *field = value;
    }
    fields
}

/// Appends the delimiter and `value`, quoted when it holds the delimiter, a quote or a line
/// break.
fn push_field(out: &mut String, value: &str, delimiter: u8) {
    out.push(delimiter as char);
    let needs = value
        .bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if needs {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Results of recently seen names: two generations of at most `cap` names each, so memory
/// stays bounded however many distinct names a file holds.
struct Cache {
    cap: usize,
    young: HashMap<String, Arc<Cached>>,
    old: HashMap<String, Arc<Cached>>,
}

impl Cache {
    fn new(cap: usize) -> Cache {
        Cache {
            cap: cap.max(1),
            young: HashMap::new(),
            old: HashMap::new(),
        }
    }

    fn get(&mut self, name: &str) -> Option<Arc<Cached>> {
        if let Some(c) = self.young.get(name) {
            return Some(c.clone());
        }
        let (k, c) = self.old.remove_entry(name)?;
        self.insert(k, c.clone());
        Some(c)
    }

    fn insert(&mut self, name: String, c: Arc<Cached>) {
        if self.young.len() >= self.cap {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(name, c);
    }
}

/// Writes text in the output encoding (BOM first when the input had one).
struct Encoder {
    encoding: SourceEncoding,
    /// The BOM still to write.
    bom: &'static [u8],
    source: String,
    buf: Vec<u8>,
}

impl Encoder {
    fn new(
        input: SourceEncoding,
        bom: &'static [u8],
        out: OutputEncoding,
        source: &str,
    ) -> Encoder {
        let (encoding, bom) = match out {
            OutputEncoding::Input => (input, bom),
            OutputEncoding::Utf8 => (SourceEncoding::Utf8, &b""[..]),
        };
        Encoder {
            encoding,
            bom,
            source: source.to_string(),
            buf: Vec::new(),
        }
    }

    /// Writes `original` exactly and `added` (gazmap's own text) with characters the output
    /// encoding lacks spelled in ASCII.
    fn write_str(&mut self, out: &mut dyn Write, original: &str, added: &str) -> Result<()> {
        let io = |e| Error::io("<output>", e);
        if !self.bom.is_empty() {
            out.write_all(self.bom).map_err(io)?;
            self.bom = b"";
        }
        match self.encoding {
            SourceEncoding::Utf8 => {
                out.write_all(original.as_bytes()).map_err(io)?;
                out.write_all(added.as_bytes()).map_err(io)?;
            }
            SourceEncoding::Utf16Le | SourceEncoding::Utf16Be => {
                let le = self.encoding == SourceEncoding::Utf16Le;
                self.buf.clear();
                for u in original.encode_utf16().chain(added.encode_utf16()) {
                    let b = if le { u.to_le_bytes() } else { u.to_be_bytes() };
                    self.buf.extend_from_slice(&b);
                }
                out.write_all(&self.buf).map_err(io)?;
            }
            SourceEncoding::Windows1252 => {
                let enc = self.encoding.encoding();
                let (bytes, _, unmappable) = enc.encode(original);
                if unmappable {
                    // cannot happen: the text was decoded from Windows-1252
                    return Err(Error::Invalid(format!(
                        "{}: text that Windows-1252 cannot hold",
                        self.source
                    )));
                }
                out.write_all(&bytes).map_err(io)?;
                let (bytes, _, unmappable) = enc.encode(added);
                if unmappable {
                    let ascii = transliterate_unmappable(added, enc);
                    out.write_all(&enc.encode(&ascii).0).map_err(io)?;
                } else {
                    out.write_all(&bytes).map_err(io)?;
                }
            }
        }
        Ok(())
    }
}

/// Spells in ASCII (deunicode) the characters `enc` cannot encode, keeping the others.
fn transliterate_unmappable(s: &str, enc: &'static encoding_rs::Encoding) -> String {
    let mut out = String::with_capacity(s.len());
    let mut tmp = [0u8; 4];
    for ch in s.chars() {
        if enc.encode(ch.encode_utf8(&mut tmp)).2 {
            out.push_str(
                &deunicode::deunicode_char(ch)
                    .unwrap_or("?")
                    .replace('"', ""),
            );
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_stays_bounded_and_finds_recent_names() {
        let mut c = Cache::new(2);
        let v = || {
            Arc::new(Cached {
                status: Status::Matched,
                suffix: String::new(),
            })
        };
        for n in ["a", "b", "c", "d", "e"] {
            c.insert(n.into(), v());
        }
        assert!(c.young.len() + c.old.len() <= 4);
        assert!(c.get("e").is_some() && c.get("d").is_some());
        assert!(c.get("a").is_none());
    }

    #[test]
    fn every_windows_1252_byte_round_trips() {
        let resolver = Resolver::new(crate::gazetteer::Gazetteer::embedded().unwrap()).unwrap();
        let mut bytes = b"place;raw\r\nKunduz;".to_vec();
        bytes.extend((0x80..=0xffu8).filter(|&b| b != b'"'));
        bytes.extend_from_slice(b"\r\n");
        let input = crate::io::input::from_reader(
            Box::new(std::io::Cursor::new(bytes.clone())),
            "t.csv",
            None,
            &Default::default(),
        )
        .unwrap();
        assert_eq!(input.encoding, SourceEncoding::Windows1252);
        let mut out = Vec::new();
        let opts = CleanOptions::new(ColumnRef::Index(1));
        let s = clean(
            input,
            &mut out,
            &resolver,
            &Options::default(),
            &opts,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!((s.rows, s.matched), (1, 1));
        let line = &out[out.iter().position(|&b| b == b'\n').unwrap() + 1..];
        assert!(line.starts_with(&bytes[11..bytes.len() - 2]));
        assert!(line.ends_with(b";matched;\r\n"));
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut s = String::new();
        push_field(&mut s, "a;b", b';');
        push_field(&mut s, "a,b", b';');
        push_field(&mut s, "say \"hi\"", b';');
        assert_eq!(s, ";\"a;b\";a,b;\"say \"\"hi\"\"\"");
    }
}
