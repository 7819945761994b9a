//! The GeoNames dump loader: `AF.txt`, `cities500.txt`, `allCountries.txt` (plain or zipped),
//! with `alternateNamesV2.txt`, `admin1CodesASCII.txt` and `admin2Codes.txt`, into [`Place`]s.
//!
//! The dump is tab-separated, 19 columns, no header and no quoting. Feature codes map to
//! kinds as [`kind_of`] says; admin codes are turned into province and district names from
//! the code files (or, without them, from the `ADM1`/`ADM2` rows of the dump itself).
//!
//! Alternate names: without an alternate-names file the dump's `alternatenames` column is
//! used as it is. With one, the file replaces that column and its flags are applied:
//! preferred names come first among the alternate names, short and historic names are kept
//! (old texts use historic names), colloquial names (nicknames) are skipped, and rows of
//! the pseudo-languages in [`PSEUDO_LANGUAGES`] (links, postal and airport codes, …) are
//! skipped. Every skipped row is counted in [`ImportStats`].

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::{Kind, Parents, Place};
use crate::error::{Error, Result};
use crate::normalize::fold;

/// Number of columns of a GeoNames dump line.
pub const DUMP_COLUMNS: usize = 19;

/// Names of the dump's columns, for error messages.
const DUMP_COLUMN_NAMES: [&str; DUMP_COLUMNS] = [
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature class",
    "feature code",
    "country code",
    "cc2",
    "admin1 code",
    "admin2 code",
    "admin3 code",
    "admin4 code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification date",
];

/// `isolanguage` values of alternateNamesV2 rows that are not names and are skipped.
pub const PSEUDO_LANGUAGES: [&str; 10] = [
    "link", "post", "iata", "icao", "faac", "abbr", "wkdt", "unlc", "fr_1793", "tcid",
];

/// Least population of a populated place (`PPL*`) imported as a city (the embedded
/// gazetteer's rule too, see `gazetteer/README.md`).
pub const CITY_POPULATION: u64 = 50_000;
/// Least population of a populated place imported as a town (below it: village).
pub const TOWN_POPULATION: u64 = 5_000;

/// What to import besides the dump, and how strictly.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `alternateNamesV2.txt` (or `.zip`); replaces the dump's alternatenames column.
    pub alternate_names: Option<PathBuf>,
    /// `admin1CodesASCII.txt`: province names by code.
    pub admin1: Option<PathBuf>,
    /// `admin2Codes.txt`: district names by code.
    pub admin2: Option<PathBuf>,
    /// Feature classes to keep (`A`, `P`, …); empty keeps all.
    pub feature_classes: Vec<char>,
    /// Fail on the first bad line instead of reporting it and going on.
    pub strict: bool,
}

/// Counts of what an import read, kept and skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportStats {
    /// Lines of the dump read.
    pub lines: u64,
    /// Places imported.
    pub places: u64,
    /// Dump lines skipped because of their feature class.
    pub other_class: u64,
    /// Dump and code-file lines skipped because they are malformed (see the problems).
    pub bad_lines: u64,
    /// Alternate names added to places.
    pub alt_names: u64,
    /// Alternate-name rows of pseudo-languages (links, postal and airport codes) skipped.
    pub alt_pseudo: u64,
    /// Colloquial alternate names skipped.
    pub alt_colloquial: u64,
    /// Alternate-name rows for places not imported.
    pub alt_other_places: u64,
    /// Alternate names skipped because they contain `|`, the contract's separator.
    pub alt_unusable: u64,
    /// Places whose admin1 or admin2 code has no name in the code files or the dump.
    pub unnamed_admin_codes: u64,
}

/// The result of an import: places sorted by GeoNames id, and the lines that were skipped.
#[derive(Debug, Default)]
pub struct Import {
    /// The places, sorted by GeoNames id.
    pub places: Vec<Place>,
    /// One error per malformed line (file, line, column), in reading order; the first
    /// [`MAX_KEPT_PROBLEMS`] (`stats.bad_lines` counts them all).
    pub problems: Vec<Error>,
    /// Counts.
    pub stats: ImportStats,
}

/// Progress of a long read: a file's name, bytes read so far and its size.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

/// The contract kind of a GeoNames feature class and code; populated places by population.
pub fn kind_of(class: &str, code: &str, population: Option<u64>) -> Kind {
    match (class, code) {
        ("A", "PCLI" | "PCLD" | "PCLF" | "PCLS" | "PCLIX" | "PCL") => Kind::Country,
        ("A", "ADM1") => Kind::Province,
        ("A", "ADM2") => Kind::District,
        // the capital and the provincial capitals are cities whatever their population
        ("P", "PPLC" | "PPLA") => Kind::City,
        ("P", "PPLH" | "PPLQ" | "PPLW" | "PPLCH") => Kind::Other,
        ("P", c) if c.starts_with("PPL") => match population.unwrap_or(0) {
            n if n >= CITY_POPULATION => Kind::City,
            n if n >= TOWN_POPULATION => Kind::Town,
            _ => Kind::Village,
        },
        ("L", "RGN" | "RGNE") => Kind::Region,
        _ => Kind::Other,
    }
}

/// True when `path` looks like a GeoNames dump: a `.zip`, or a `.txt` whose first line has
/// 19 tab-separated fields.
pub fn is_dump(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("zip") => true,
        Some("txt") => File::open(path)
            .ok()
            .and_then(|f| {
                let mut line = Vec::new();
                BufReader::new(f).read_until(b'\n', &mut line).ok()?;
                Some(line.split(|&b| b == b'\t').count() == DUMP_COLUMNS)
            })
            .unwrap_or(false),
        _ => false,
    }
}

/// Imports a GeoNames dump with the options' code and alternate-name files.
pub fn import(dump: &Path, options: &ImportOptions, progress: Progress<'_>) -> Result<Import> {
    let mut out = Import::default();
    let mut rows = Vec::new();
    with_reader(dump, progress, |reader, name| {
        read_dump(reader, name, options, &mut rows, &mut out)
    })?;
    let admin1 = match &options.admin1 {
        Some(p) => with_reader(p, progress, |r, name| {
            read_codes(r, name, 1, options.strict, &mut out)
        })?,
        None => HashMap::new(),
    };
    let admin2 = match &options.admin2 {
        Some(p) => with_reader(p, progress, |r, name| {
            read_codes(r, name, 2, options.strict, &mut out)
        })?,
        None => HashMap::new(),
    };
    rows.sort_by_key(|r| r.geonameid);
    let mut alternates: HashMap<u64, Vec<AltName>> = HashMap::new();
    if let Some(p) = &options.alternate_names {
        let wanted: HashSet<u64> = rows.iter().map(|r| r.geonameid).collect();
        with_reader(p, progress, |r, name| {
            read_alternates(r, name, options.strict, &wanted, &mut alternates, &mut out)
        })?;
    }
    out.places = finish(rows, &admin1, &admin2, alternates, options, &mut out.stats);
    out.stats.places = out.places.len() as u64;
    Ok(out)
}

/// A dump line, parsed.
struct Row {
    geonameid: u64,
    place: Place,
    ascii: String,
    column_alts: Vec<String>,
    admin1_code: String,
    admin2_code: String,
}

/// An alternateNamesV2 row that is kept.
struct AltName {
    id: u64,
    preferred: bool,
    name: String,
}

/// Opens `path`, plain or zipped, and hands a reader (counting progress) to `f`.
fn with_reader<T>(
    path: &Path,
    progress: Progress<'_>,
    f: impl FnOnce(&mut dyn Read, &str) -> Result<T>,
) -> Result<T> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let name = path.display().to_string();
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !is_zip {
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        return counted(file, &name, total, progress, f);
    }
    let zerr =
        |e: zip::result::ZipError| Error::Invalid(format!("{name}: not a usable zip file: {e}"));
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(zerr)?;
    let entries: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.to_string()))
        .collect::<std::result::Result<_, _>>()
        .map_err(zerr)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let txt: Vec<&String> = entries
        .iter()
        .filter(|e| e.to_ascii_lowercase().ends_with(".txt"))
        .collect();
    let chosen = txt
        .iter()
        .find(|e| e.to_ascii_lowercase() == format!("{stem}.txt"))
        .or(match txt.as_slice() {
            [only] => Some(only),
            _ => None,
        })
        .map(|e| e.to_string())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{name}: expected {stem}.txt (or a single .txt file) inside; it holds: {}",
                entries.join(", ")
            ))
        })?;
    let entry = archive.by_name(&chosen).map_err(zerr)?;
    let total = entry.size();
    let inner = format!("{name}!{chosen}");
    counted(entry, &inner, total, progress, f)
}

/// Hands `reader` (`name`, `total` bytes), buffered and counting progress, to `f`.
fn counted<T>(
    reader: impl Read,
    name: &str,
    total: u64,
    progress: Progress<'_>,
    f: impl FnOnce(&mut dyn Read, &str) -> Result<T>,
) -> Result<T> {
    let mut r = Counting::new(
        BufReader::with_capacity(1 << 16, reader),
        name,
        total,
        progress,
    );
    let t = f(&mut r, name)?;
    r.done();
    Ok(t)
}

/// The longest line a GeoNames file may have (real lines are under 20 kB): a longer one means
/// the file is something else, which would otherwise be held whole (a zip of zeros).
pub const MAX_LINE_BYTES: u64 = 1 << 20;
/// At most this many problems are kept (all are counted); and when this many lines in a row
/// from the start of a dump are malformed, the file is no dump.
pub const MAX_KEPT_PROBLEMS: usize = 1000;

/// A reader that reports bytes read, about every megabyte, and refuses overlong lines.
struct Counting<'p, 'q, R> {
    inner: R,
    /// Bytes since the last line end.
    run: u64,
    name: String,
    total: u64,
    read: u64,
    reported: u64,
    progress: &'p mut (dyn FnMut(&str, u64, u64) + 'q),
}

impl<'p, 'q, R> Counting<'p, 'q, R> {
    fn new(
        inner: R,
        name: &str,
        total: u64,
        progress: &'p mut (dyn FnMut(&str, u64, u64) + 'q),
    ) -> Self {
        progress(name, 0, total);
        Counting {
            inner,
            run: 0,
            name: name.to_string(),
            total,
            read: 0,
            reported: 0,
            progress,
        }
    }

    fn done(&mut self) {
        (self.progress)(&self.name, self.read, self.total.max(self.read));
    }
}

impl<R: Read> Read for Counting<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.run = match buf[..n].iter().rposition(|&b| b == b'\n') {
            Some(p) => (n - p - 1) as u64,
            None => self.run + n as u64,
        };
        if self.run > MAX_LINE_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "a line longer than {} MiB near byte {}: not a GeoNames file",
                    MAX_LINE_BYTES >> 20,
                    self.read
                ),
            ));
        }
        if self.read - self.reported >= 1 << 20 {
            self.reported = self.read;
            (self.progress)(&self.name, self.read, self.total);
        }
        Ok(n)
    }
}

fn tsv_reader(reader: &mut dyn Read) -> csv::Reader<&mut dyn Read> {
    csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(reader)
}

/// Reads one record; `Ok(None)` at the end. Read errors other than I/O become problems.
fn next_record(
    rdr: &mut csv::Reader<&mut dyn Read>,
    record: &mut csv::ByteRecord,
    source: &str,
) -> Result<Option<u64>> {
    match rdr.read_byte_record(record) {
        Ok(false) => Ok(None),
        Ok(true) => Ok(Some(record.position().map_or(0, |p| p.line()))),
        Err(e) => {
            let line = e.position().map_or(0, |p| p.line());
            match e.into_kind() {
                csv::ErrorKind::Io(io) => Err(Error::io(source, io)),
                other => Err(Error::parse(source, line, None, format!("{other:?}"))),
            }
        }
    }
}

/// Records a problem, or returns it when strict.
fn problem(out: &mut Import, strict: bool, e: Error) -> Result<()> {
    if strict {
        return Err(e);
    }
    out.stats.bad_lines += 1;
    if out.problems.len() < MAX_KEPT_PROBLEMS {
        out.problems.push(e);
    }
    Ok(())
}

/// The UTF-8 text of every field of the record on `line`; `None` when a field is not UTF-8,
/// the problem recorded (or returned when strict) with the column `column` names for it.
fn fields<'r>(
    record: &'r csv::ByteRecord,
    (source, line): (&str, u64),
    column: impl Fn(usize) -> Option<String>,
    out: &mut Import,
    strict: bool,
) -> Result<Option<Vec<&'r str>>> {
    let text: std::result::Result<Vec<&str>, usize> = record
        .iter()
        .enumerate()
        .map(|(i, f)| std::str::from_utf8(f).map_err(|_| i))
        .collect();
    match text {
        Ok(f) => Ok(Some(f)),
        Err(i) => {
            problem(
                out,
                strict,
                Error::parse(source, line, column(i), "invalid UTF-8"),
            )?;
            Ok(None)
        }
    }
}

fn read_dump(
    reader: &mut dyn Read,
    source: &str,
    options: &ImportOptions,
    rows: &mut Vec<Row>,
    out: &mut Import,
) -> Result<()> {
    let mut rdr = tsv_reader(reader);
    let mut record = csv::ByteRecord::new();
    let mut seen: HashSet<u64> = HashSet::new();
    let col = |i: usize| Some(format!("{} ({})", i + 1, DUMP_COLUMN_NAMES[i]));
    while let Some(line) = next_record(&mut rdr, &mut record, source)? {
        if out.stats.bad_lines == MAX_KEPT_PROBLEMS as u64 && out.stats.lines == out.stats.bad_lines
        {
            return Err(Error::parse(
                source,
                line,
                None,
                format!(
                    "the first {MAX_KEPT_PROBLEMS} lines are all malformed: not a GeoNames \
                     dump"
                ),
            ));
        }
        out.stats.lines += 1;
        let Some(f) = fields(
            &record,
            (source, line),
            |i| col(i.min(18)),
            out,
            options.strict,
        )?
        else {
            continue;
        };
        match parse_dump_line(&f, options) {
            Ok(None) => out.stats.other_class += 1,
            Ok(Some(row)) => {
                if seen.insert(row.geonameid) {
                    rows.push(row);
                } else {
                    let msg = format!("geonameid {} appears twice; kept the first", row.geonameid);
                    problem(out, options.strict, Error::parse(source, line, col(0), msg))?;
                }
            }
            Err((c, msg)) => {
                let column = c.and_then(col);
                problem(out, options.strict, Error::parse(source, line, column, msg))?;
            }
        }
    }
    Ok(())
}

/// Parses one dump line: `Ok(None)` when its feature class is not wanted, or the column
/// (0-based) and message of what is wrong.
fn parse_dump_line(
    f: &[&str],
    options: &ImportOptions,
) -> std::result::Result<Option<Row>, (Option<usize>, String)> {
    if f.len() != DUMP_COLUMNS {
        return Err((
            None,
            format!(
                "{} tab-separated fields where a GeoNames dump line has 19",
                f.len()
            ),
        ));
    }
    let class = f[6].trim();
    if !options.feature_classes.is_empty()
        && !class
            .chars()
            .next()
            .is_some_and(|c| options.feature_classes.contains(&c))
    {
        return Ok(None);
    }
    let geonameid: u64 = f[0]
        .trim()
        .parse()
        .map_err(|_| (Some(0), format!("{:?} is not a GeoNames id", f[0])))?;
    let name = f[1].trim();
    if name.is_empty() {
        return Err((Some(1), "empty name".into()));
    }
    let coord = |i: usize, limit: f64| -> std::result::Result<f64, (Option<usize>, String)> {
        let v = f[i].trim();
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() <= limit => Ok(x),
            Ok(_) => Err((Some(i), format!("{v} is outside [-{limit}, {limit}]"))),
            Err(_) => Err((Some(i), format!("{v:?} is not a number"))),
        }
    };
    let lat = coord(4, 90.0)?;
    let lon = coord(5, 180.0)?;
    let country = f[8].trim().to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err((
            Some(8),
            format!("{country:?} is not an ISO 3166-1 alpha-2 code (the gazetteer needs one)"),
        ));
    }
    let population = match f[14].trim() {
        "" => None,
        v => match v.parse::<u64>() {
            Ok(0) => None,
            Ok(n) => Some(n),
            Err(_) => return Err((Some(14), format!("{v:?} is not a population"))),
        },
    };
    let kind = kind_of(class, f[7].trim(), population);
    let column_alts = f[3]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Ok(Some(Row {
        geonameid,
        place: Place {
            id: format!("geonames:{geonameid}"),
            name: name.to_string(),
            kind,
            country,
            admin1: String::new(),
            admin2: String::new(),
            lat: Some(lat),
            lon: Some(lon),
            population,
            alt_names: Vec::new(),
            geometry: None,
            parents: Parents::default(),
        },
        ascii: f[2].trim().to_string(),
        column_alts,
        admin1_code: f[10].trim().to_string(),
        admin2_code: f[11].trim().to_string(),
    }))
}

/// An admin code file: `CC.A1` (level 1) or `CC.A1.A2` (level 2) → (name, geonameid).
fn read_codes(
    reader: &mut dyn Read,
    source: &str,
    level: usize,
    strict: bool,
    out: &mut Import,
) -> Result<HashMap<String, (String, Option<u64>)>> {
    let mut rdr = tsv_reader(reader);
    let mut record = csv::ByteRecord::new();
    let mut codes = HashMap::new();
    while let Some(line) = next_record(&mut rdr, &mut record, source)? {
        let number = |i: usize| Some((i + 1).to_string());
        let Some(f) = fields(&record, (source, line), number, out, strict)? else {
            continue;
        };
        let code = f[0].trim();
        let ok_code = code.split('.').count() == level + 1;
        if f.len() < 2 || !ok_code || f[1].trim().is_empty() {
            let msg = format!(
                "expected a code such as {} and a name, tab-separated",
                if level == 1 { "AF.01" } else { "AF.01.1234" }
            );
            problem(out, strict, Error::parse(source, line, None, msg))?;
            continue;
        }
        let id = f.get(3).and_then(|s| s.trim().parse().ok());
        codes
            .entry(code.to_string())
            .or_insert((f[1].trim().to_string(), id));
    }
    Ok(codes)
}

fn read_alternates(
    reader: &mut dyn Read,
    source: &str,
    strict: bool,
    wanted: &HashSet<u64>,
    alternates: &mut HashMap<u64, Vec<AltName>>,
    out: &mut Import,
) -> Result<()> {
    let mut rdr = tsv_reader(reader);
    let mut record = csv::ByteRecord::new();
    while let Some(line) = next_record(&mut rdr, &mut record, source)? {
        // the place id first, so rows of other places cost nothing more
        let geonameid = record
            .get(1)
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|s| s.trim().parse::<u64>().ok());
        if let Some(g) = geonameid {
            if !wanted.contains(&g) && (8..=10).contains(&record.len()) {
                out.stats.alt_other_places += 1;
                continue;
            }
        }
        let number = |i: usize| Some((i + 1).to_string());
        let Some(f) = fields(&record, (source, line), number, out, strict)? else {
            continue;
        };
        let flag = |i: usize| f.get(i).is_some_and(|v| v.trim() == "1");
        let id = f[0].trim().parse::<u64>();
        let (Some(geonameid), Ok(id), true) = (geonameid, id, (8..=10).contains(&f.len())) else {
            let msg = format!(
                "{} fields; expected alternateNameId, geonameid, isolanguage, alternate name, \
                 isPreferredName, isShortName, isColloquial, isHistoric[, from, to]",
                f.len()
            );
            problem(out, strict, Error::parse(source, line, None, msg))?;
            continue;
        };
        let lang = f[2].trim();
        let name = f[3].trim();
        if PSEUDO_LANGUAGES.contains(&lang)
            || name.starts_with("http://")
            || name.starts_with("https://")
        {
            out.stats.alt_pseudo += 1;
            continue;
        }
        if flag(6) {
            out.stats.alt_colloquial += 1;
            continue;
        }
        if name.is_empty() {
            let e = Error::parse(
                source,
                line,
                Some("4 (alternate name)".into()),
                "empty name",
            );
            problem(out, strict, e)?;
            continue;
        }
        alternates.entry(geonameid).or_default().push(AltName {
            id,
            preferred: flag(4),
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Fills admin names and alternate names; `rows` are sorted by GeoNames id.
fn finish(
    rows: Vec<Row>,
    admin1: &HashMap<String, (String, Option<u64>)>,
    admin2: &HashMap<String, (String, Option<u64>)>,
    mut alternates: HashMap<u64, Vec<AltName>>,
    options: &ImportOptions,
    stats: &mut ImportStats,
) -> Vec<Place> {
    // without code files, the ADM1/ADM2 rows of the dump name their codes
    let mut dump1: HashMap<String, String> = HashMap::new();
    let mut dump2: HashMap<String, String> = HashMap::new();
    for r in &rows {
        let cc = &r.place.country;
        match r.place.kind {
            Kind::Province => {
                dump1
                    .entry(format!("{cc}.{}", r.admin1_code))
                    .or_insert_with(|| r.place.name.clone());
            }
            Kind::District => {
                dump2
                    .entry(format!("{cc}.{}.{}", r.admin1_code, r.admin2_code))
                    .or_insert_with(|| r.place.name.clone());
            }
            _ => {}
        }
    }
    let named = |code: &str,
                 file: &HashMap<String, (String, Option<u64>)>,
                 dump: &HashMap<String, String>| {
        file.get(code)
            .map(|(n, _)| n.clone())
            .or_else(|| dump.get(code).cloned())
    };
    let mut places = Vec::with_capacity(rows.len());
    for r in rows {
        let mut p = r.place;
        let cc = p.country.clone();
        let code1 = format!("{cc}.{}", r.admin1_code);
        let code2 = format!("{code1}.{}", r.admin2_code);
        let has1 = !r.admin1_code.is_empty() && r.admin1_code != "00";
        let has2 = has1 && !r.admin2_code.is_empty();
        let mut first_alts = Vec::new();
        // a province or district named in the code files takes that name, so the places
        // inside it (whose admin1/admin2 come from the same files) link to it
        let own = match p.kind {
            Kind::Province if has1 => admin1.get(&code1),
            Kind::District if has2 => admin2.get(&code2),
            _ => None,
        };
        if let Some((n, id)) = own {
            if id.is_none_or(|id| id == r.geonameid) && fold(n) != fold(&p.name) {
                first_alts.push(std::mem::replace(&mut p.name, n.clone()));
            }
        }
        let mut unnamed = false;
        if matches!(
            p.kind,
            Kind::District | Kind::City | Kind::Town | Kind::Village | Kind::Region | Kind::Other
        ) && has1
        {
            match named(&code1, admin1, &dump1) {
                Some(n) => p.admin1 = n,
                None => unnamed = true,
            }
        }
        if p.kind != Kind::District && p.kind != Kind::Province && p.kind != Kind::Country && has2 {
            match named(&code2, admin2, &dump2) {
                Some(n) => p.admin2 = n,
                None => unnamed = true,
            }
        }
        stats.unnamed_admin_codes += u64::from(unnamed);
        let mut alts = first_alts;
        if !r.ascii.is_empty() {
            alts.push(r.ascii);
        }
        if options.alternate_names.is_some() {
            let mut rows = alternates.remove(&r.geonameid).unwrap_or_default();
            rows.sort_by_key(|a| (!a.preferred, a.id));
            alts.extend(rows.into_iter().map(|a| a.name));
        } else {
            alts.extend(r.column_alts);
        }
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(p.name.clone());
        for a in alts {
            if a.contains('|') {
                stats.alt_unusable += 1;
            } else if seen.insert(a.clone()) {
                stats.alt_names += 1;
                p.alt_names.push(a);
            }
        }
        places.push(p);
    }
    places
}

/// Reads every line of a small dump given as text (for tests and examples).
pub fn import_str(dump: &str, options: &ImportOptions) -> Result<Import> {
    let mut out = Import::default();
    let mut rows = Vec::new();
    let mut reader = dump.as_bytes();
    read_dump(&mut reader, "<text>", options, &mut rows, &mut out)?;
    rows.sort_by_key(|r| r.geonameid);
    out.places = finish(
        rows,
        &HashMap::new(),
        &HashMap::new(),
        HashMap::new(),
        options,
        &mut out.stats,
    );
    out.stats.places = out.places.len() as u64;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: u64, name: &str, class: &str, code: &str, a1: &str, a2: &str, pop: &str) -> String {
        format!(
            "{id}\t{name}\t{name}\t\t34.5\t69.2\t{class}\t{code}\tAF\t\t{a1}\t{a2}\t\t\t{pop}\t\t1800\tAsia/Kabul\t2020-01-01\n"
        )
    }

    #[test]
    fn kinds_follow_feature_codes_and_population() {
        assert_eq!(kind_of("A", "PCLI", None), Kind::Country);
        assert_eq!(kind_of("A", "ADM1", None), Kind::Province);
        assert_eq!(kind_of("A", "ADM2", None), Kind::District);
        assert_eq!(kind_of("A", "ADM3", None), Kind::Other);
        assert_eq!(kind_of("P", "PPLA", Some(200_000)), Kind::City);
        assert_eq!(kind_of("P", "PPLA", Some(2_000)), Kind::City);
        assert_eq!(kind_of("P", "PPL", Some(60_000)), Kind::City);
        assert_eq!(kind_of("P", "PPL", Some(20_000)), Kind::Town);
        assert_eq!(kind_of("P", "PPL", Some(4_000)), Kind::Village);
        assert_eq!(kind_of("P", "PPL", None), Kind::Village);
        assert_eq!(kind_of("P", "PPLC", Some(5)), Kind::City);
        assert_eq!(kind_of("P", "PPLQ", Some(50_000)), Kind::Other);
        assert_eq!(kind_of("H", "STM", None), Kind::Other);
    }

    #[test]
    fn admin_names_come_from_the_dump_without_code_files() {
        let text = [
            line(3, "Kabul", "P", "PPLC", "13", "", "4000000"),
            line(1, "Kabul Province", "A", "ADM1", "13", "", ""),
            line(2, "Paghman", "A", "ADM2", "13", "1301", ""),
            line(4, "Qargha", "P", "PPL", "13", "1301", ""),
        ]
        .concat();
        let imp = import_str(&text, &ImportOptions::default()).unwrap();
        let got: Vec<_> = imp
            .places
            .iter()
            .map(|p| (p.id.as_str(), p.kind, p.admin1.as_str(), p.admin2.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("geonames:1", Kind::Province, "", ""),
                ("geonames:2", Kind::District, "Kabul Province", ""),
                ("geonames:3", Kind::City, "Kabul Province", ""),
                ("geonames:4", Kind::Village, "Kabul Province", "Paghman"),
            ]
        );
    }

    #[test]
    fn bad_lines_are_reported_with_line_and_column_or_fatal_when_strict() {
        let text = format!(
            "{}x\tBroken\n{}",
            line(1, "Herat", "P", "PPLA", "11", "", "500000"),
            line(2, "Bad", "P", "PPL", "11", "", "many")
        );
        let imp = import_str(&text, &ImportOptions::default()).unwrap();
        assert_eq!(imp.places.len(), 1);
        let msgs: Vec<String> = imp.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "<text>:2: 2 tab-separated fields where a GeoNames dump line has 19",
                "<text>:3: column 15 (population): \"many\" is not a population",
            ]
        );
        let strict = ImportOptions {
            strict: true,
            ..ImportOptions::default()
        };
        assert!(import_str(&text, &strict).is_err());
    }
}
