//! Map layers from resolved rows: grouping rows into layers (by event, by date or all in
//! one), safe layer file names, one GeoJSON FeatureCollection per layer and `unresolved.csv`
//! with every row that got no place, all written together or not at all.
//!
//! Decisions (documented in the README):
//! - a row is drawn when its place is `matched`; `ambiguous` and `unmatched` rows, rows with
//!   an empty place and rows whose place has no point, polygon or located ancestor go to
//!   `unresolved.csv` with the reason and the suggestions, so no row is dropped silently;
//! - the feature `id` is the row's 1-based number among the input rows (header excluded), the
//!   same in every layering, and `unresolved.csv` starts with that `row` number too;
//! - layers and features are ordered (layers by file name, features by row), so the same
//!   input gives byte-identical files;
//! - in a layer that holds MultiPolygons, Polygons are written as one-part MultiPolygons so
//!   GIS tools see one geometry type (a layer mixing points and areas stays mixed);
//! - files in the directory that this run does not write (layers of an earlier run, say) are
//!   left alone.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use geojson::{Feature, JsonObject, JsonValue};

use super::geojson::{area_from_wkt, geometry_from_geo, point_geometry, GeoJsonWriter};
use crate::error::{Error, Result};
use crate::gazetteer::{Gazetteer, PlaceId};
use crate::io::atomic::{OutputSet, SetFile};
use crate::resolve::{Candidate, Resolution, Status};

/// One input row and what its place resolved to.
#[derive(Debug, Clone)]
pub struct LayerRow<'a> {
    /// The input row's values, one per column of the [`Columns`] the layers were made with.
    pub values: Vec<&'a str>,
    /// The row's date (ISO 8601 at day, month or year precision, or empty).
    pub date: &'a str,
    /// The row's event type.
    pub event: &'a str,
    /// What the row's place resolved to.
    pub resolution: &'a Resolution,
}

/// How rows are grouped into layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LayerBy {
    /// One layer per event type (slugged); rows without one go to `unspecified`.
    #[default]
    Event,
    /// One layer per date as written: `2021-08-10`, `2021-08`, `2021`; no date: `undated`.
    Date,
    /// Every drawn row in one layer, `events`.
    None,
}

/// Which files a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// One `<layer>.geojson` per layer.
    pub geojson: bool,
    /// One `layers.gpkg` with a table per layer (needs the `gpkg` feature).
    pub gpkg: bool,
    /// One `index.html` map page over every layer (needs the `html` feature).
    pub html: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            geojson: true,
            gpkg: false,
            html: false,
        }
    }
}

/// How a drawn place with a polygon is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DrawAs {
    /// Its polygon (`geo_precision: polygon`); places without one are drawn at their point.
    #[default]
    Polygon,
    /// Its point, or its nearest located ancestor's (`geo_precision: point` or `parent`).
    Point,
}

/// What one layer file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerCount {
    /// The layer name (the file stem).
    pub name: String,
    /// The file written.
    pub path: PathBuf,
    /// Number of features.
    pub features: usize,
    /// How many of them are drawn as polygons.
    pub polygons: usize,
}

/// What [`write_layers`] or [`LayerWriter::finish`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSummary {
    /// The layers, in file-name order.
    pub layers: Vec<LayerCount>,
    /// Rows written to `unresolved.csv`.
    pub unresolved: usize,
    /// The `unresolved.csv` path.
    pub unresolved_path: PathBuf,
    /// The GeoPackage written, if any.
    pub gpkg_path: Option<PathBuf>,
    /// The map page written, if any.
    pub html_path: Option<PathBuf>,
    /// Rows given.
    pub rows: usize,
}

/// The file name of the unresolved rows in the output directory.
pub const UNRESOLVED_FILE: &str = "unresolved.csv";
/// The layer of rows without an event type.
pub const NO_EVENT_LAYER: &str = "unspecified";
/// The layer of rows without a date.
pub const NO_DATE_LAYER: &str = "undated";
/// The single layer of [`LayerBy::None`].
pub const ALL_LAYER: &str = "events";

/// The time properties gazmap adds to each feature, after the input's columns, in order:
/// the first and last day the date covers, its precision (`day`, `month`, `year`) and that
/// precision as ACLED codes it (see [`TimePrecision::acled_code`]); all null when undated.
pub const TIME_PROPERTIES: [&str; 4] = [
    "date_start",
    "date_end",
    "time_precision",
    "time_precision_code",
];

/// The place properties gazmap adds to each feature, after the time properties, in order.
pub const PLACE_PROPERTIES: [&str; 9] = [
    "place_id",
    "place_name",
    "admin1",
    "admin2",
    "kind",
    "score",
    "method",
    "status",
    "geo_precision",
];

pub use crate::time::{time_span, TimePrecision, TimeSpan};

/// The layer of a date as written: `2021-08-10`, `2021-08` or `2021` (a date-time keeps its
/// day), `undated` when empty; an error says what is wrong with a malformed date.
pub fn date_layer(date: &str) -> std::result::Result<String, String> {
    Ok(match time_span(date)? {
        None => NO_DATE_LAYER.to_string(),
        Some(t) => match t.precision {
            TimePrecision::Day => t.start.to_string(),
            TimePrecision::Month => format!("{:04}-{:02}", t.start.year(), t.start.month()),
            TimePrecision::Year => format!("{:04}", t.start.year()),
        },
    })
}

/// A safe file stem for a layer name: lowercase ASCII letters, digits and hyphens
/// (other scripts transliterated); empty when nothing is left.
pub fn slug(name: &str) -> String {
    let s = slug::slugify(name.trim());
    // keep file names short: at most MAX_SLUG bytes (all ASCII), no trailing hyphen
    s[..s.len().min(MAX_SLUG)].trim_end_matches('-').to_string()
}

/// Longest layer name kept from an event type.
pub const MAX_SLUG: usize = 64;

/// The type a column's values are written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// JSON strings, as written.
    Text,
    /// JSON integers (64-bit); an empty value is null.
    Integer,
    /// JSON numbers; an empty value is null.
    Real,
}

/// How a column's type is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    /// From its values: [`ColumnType::Integer`] when every non-empty value is an integer,
    /// [`ColumnType::Real`] when every one is an integer or a decimal number, text otherwise
    /// (see [`number_kind`]); a column with no value at all is text.
    Infer,
    /// Always this type.
    Fixed(ColumnType),
}

/// The input columns of the rows: output names and types.
#[derive(Debug, Clone)]
pub struct Columns {
    header: Vec<String>,
    names: Vec<String>,
    typing: Vec<Typing>,
}

impl Columns {
    /// Columns named by `header`, each typed as `typing` says. A column that has the name of
    /// a property gazmap adds (or of an earlier column) is renamed `input_<name>` (then
    /// `input_<name>_2`, …), so no value is lost.
    pub fn new(header: &[String], typing: Vec<Typing>) -> Columns {
        assert_eq!(header.len(), typing.len(), "one typing per column");
        let reserved: Vec<&str> = TIME_PROPERTIES
            .iter()
            .chain(PLACE_PROPERTIES.iter())
            .copied()
            .collect();
        Columns {
            header: header.to_vec(),
            names: unique_names(header.iter().map(String::as_str), &reserved),
            typing,
        }
    }

    /// The output names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// What a value is as a number: `Some(Integer)` for `-12` or `0`, `Some(Real)` for `3.25`
/// or `-0.5`, `None` otherwise. Only plain decimal notation counts: no `+`, exponent,
/// thousands separator or leading zero (`007` and P-codes stay text), and an integer must
/// fit in 64 bits. Surrounding spaces are ignored.
pub fn number_kind(value: &str) -> Option<ColumnType> {
    let v = value.trim();
    let digits = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    match frac {
        None => v.parse::<i64>().ok().map(|_| ColumnType::Integer),
        Some(f) if all_digits(f) => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(|_| ColumnType::Real),
        Some(_) => None,
    }
}

/// Per column: what its values seen so far allow.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    any: bool,
    not_integer: bool,
    not_number: bool,
}

/// Output names for the input columns (see [`Columns::new`]).
fn unique_names<'a>(names: impl Iterator<Item = &'a str>, reserved: &[&str]) -> Vec<String> {
    let mut taken: Vec<String> = reserved.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    for n in names {
        let mut name = n.to_string();
        if taken.contains(&name) {
            name = format!("input_{n}");
            let mut k = 2;
            while taken.contains(&name) {
                name = format!("input_{n}_{k}");
                k += 1;
            }
        }
        taken.push(name.clone());
        out.push(name);
    }
    out
}

/// Why a row gets no place, or the place it is drawn at.
enum Outcome {
    Drawn(PlaceId),
    Unresolved(String),
}

/// Every candidate of a resolution (best first), each place once.
fn tied(r: &Resolution) -> Vec<&Candidate> {
    let mut out: Vec<&Candidate> = Vec::new();
    for c in r.best.iter().chain(r.candidates.iter()) {
        if !out.iter().any(|o| o.place == c.place) {
            out.push(c);
        }
    }
    out
}

/// Suggestions as a user reads them: `Name (Province) [id] 0.912; …`.
fn suggestions(gazetteer: &Gazetteer, r: &Resolution) -> String {
    tied(r)
        .iter()
        .map(|c| {
            let p = gazetteer.place(c.place);
            let within = [p.admin2, p.admin1]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            if within.is_empty() {
                format!("{} {} [{}] {:.3}", p.name, p.kind, p.id, c.score)
            } else {
                format!("{} {} ({within}) [{}] {:.3}", p.name, p.kind, p.id, c.score)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn score_value(score: f64) -> JsonValue {
    serde_json::Number::from_f64((score * 1000.0).round() / 1000.0)
        .map(JsonValue::Number)
        .unwrap_or(JsonValue::Null)
}

/// Parsed polygons of the places drawn, each parsed once.
struct Areas<'g> {
    gazetteer: &'g Gazetteer,
    draw: DrawAs,
    cache: HashMap<PlaceId, Option<geojson::Geometry>>,
}

impl Areas<'_> {
    fn get(&mut self, id: PlaceId) -> Result<Option<geojson::Geometry>> {
        if let Some(g) = self.cache.get(&id) {
            return Ok(g.clone());
        }
        let p = self.gazetteer.place(id);
        let g = match &p.geometry {
            // a polygon that rounding collapses whole is drawn as the place's point
            Some(wkt) if !wkt.trim().is_empty() && self.draw == DrawAs::Polygon => {
                geometry_from_geo(&area_from_wkt(wkt).map_err(|m| {
                    Error::Invalid(format!(
                        "gazetteer place {} ({}): geometry: {m}",
                        p.id, p.name
                    ))
                })?)
            }
            _ => None,
        };
        self.cache.insert(id, g.clone());
        Ok(g)
    }

    fn outcome(&mut self, r: &Resolution) -> Result<Outcome> {
        if r.query.trim().is_empty() {
            return Ok(Outcome::Unresolved("no place given".into()));
        }
        Ok(match (r.status, &r.best) {
            (Status::Matched, Some(best)) => {
                if self.get(best.place)?.is_some()
                    || self.gazetteer.point_or_parent(best.place).is_some()
                {
                    Outcome::Drawn(best.place)
                } else {
                    let p = self.gazetteer.place(best.place);
                    Outcome::Unresolved(format!(
                        "no coordinates: {} {:?} has no point, polygon or located parent",
                        p.id, p.name
                    ))
                }
            }
            (Status::Ambiguous, _) => Outcome::Unresolved(
                "ambiguous: unrelated places share this name (see suggestions); \
                 name the province (--within) or spell it in full"
                    .into(),
            ),
            _ if r.candidates.is_empty() => {
                Outcome::Unresolved("unmatched: no place comes close".into())
            }
            _ => Outcome::Unresolved("unmatched: no place scores above the threshold".into()),
        })
    }
}

/// What the first pass learnt of a layer.
#[derive(Debug, Clone, Default)]
struct Planned {
    multi: bool,
    points: bool,
    polygons: bool,
    /// Event types seen (for styles), at most [`MAX_STYLE_EVENTS`].
    events: std::collections::BTreeSet<String>,
}

/// Most event types per layer that styles colour apart.
const MAX_STYLE_EVENTS: usize = 24;

/// Map layers being made in two passes over the rows, so that memory is bounded by the
/// number of layers, not of rows: [`Layers::plan`] sees every row once (its layer, its
/// geometry type, its values' types), then [`Layers::start`] opens one temporary file per
/// layer and [`LayerWriter::write`] streams every row, in the same order, to its layer.
pub struct Layers<'g> {
    areas: Areas<'g>,
    columns: Columns,
    layer_by: LayerBy,
    dir: PathBuf,
    layers: BTreeMap<String, Planned>,
    seen: Vec<Seen>,
    rows: usize,
    formats: Formats,
    event_column: Option<usize>,
    #[cfg(feature = "html")]
    page: super::html::PageOptions,
}

impl<'g> Layers<'g> {
    /// Layers of rows with `columns`, grouped by `layer_by`, to be written into `dir`.
    pub fn new(gazetteer: &'g Gazetteer, columns: Columns, layer_by: LayerBy, dir: &Path) -> Self {
        let mut layers = BTreeMap::new();
        if layer_by == LayerBy::None {
            layers.insert(ALL_LAYER.to_string(), Planned::default());
        }
        Layers {
            areas: Areas {
                gazetteer,
                draw: DrawAs::Polygon,
                cache: HashMap::new(),
            },
            seen: vec![Seen::default(); columns.names.len()],
            columns,
            layer_by,
            dir: dir.to_path_buf(),
            layers,
            rows: 0,
            formats: Formats::default(),
            event_column: None,
            #[cfg(feature = "html")]
            page: Default::default(),
        }
    }

    /// Sets the files to write (GeoJSON only by default).
    pub fn formats(&mut self, formats: Formats) -> Result<()> {
        if formats.gpkg && !cfg!(feature = "gpkg") {
            return Err(Error::Invalid(
                "this gazmap was built without GeoPackage output (cargo feature `gpkg`)".into(),
            ));
        }
        if formats.html && !cfg!(feature = "html") {
            return Err(Error::Invalid(
                "this gazmap was built without the map page (cargo feature `html`: run \
                 web/fetch.sh, then build with --features html)"
                    .into(),
            ));
        }
        self.formats = formats;
        Ok(())
    }

    /// Sets the map page's options (a base map).
    #[cfg(feature = "html")]
    pub fn page_options(&mut self, options: super::html::PageOptions) {
        self.page = options;
    }

    /// Sets how places with a polygon are drawn (as their polygon by default); call it before
    /// the first [`Layers::plan`].
    pub fn draw(&mut self, draw: DrawAs) {
        self.areas.draw = draw;
        self.areas.cache.clear();
    }

    /// Names the input column holding the event type (styles colour by it).
    pub fn event_column(&mut self, column: Option<usize>) {
        self.event_column = column;
    }

    /// First pass: notes a row (rows are numbered from 1 in the order given).
    pub fn plan(&mut self, row: &LayerRow<'_>) -> Result<()> {
        self.rows += 1;
        let layer = layer_of(row, self.layer_by, self.rows)?;
        for (seen, v) in self.seen.iter_mut().zip(&row.values) {
            if v.trim().is_empty() {
                continue;
            }
            seen.any = true;
            match number_kind(v) {
                Some(ColumnType::Integer) => {}
                Some(_) => seen.not_integer = true,
                None => seen.not_number = true,
            }
        }
        if let Outcome::Drawn(id) = self.areas.outcome(row.resolution)? {
            let area = self.areas.get(id)?.map(|g| g.value);
            let multi = matches!(area, Some(geojson::GeometryValue::MultiPolygon { .. }));
            let planned = self.layers.entry(layer).or_default();
            planned.multi |= multi;
            planned.polygons |= area.is_some();
            planned.points |= area.is_none();
            let event = row.event.trim();
            if planned.events.len() < MAX_STYLE_EVENTS && !planned.events.contains(event) {
                planned.events.insert(event.to_string());
            }
        }
        Ok(())
    }

    /// The type each column is written as, from its typing and the values planned.
    pub fn column_types(&self) -> Vec<ColumnType> {
        self.columns
            .typing
            .iter()
            .zip(&self.seen)
            .map(|(t, s)| match t {
                Typing::Fixed(t) => *t,
                Typing::Infer if !s.any || s.not_number => ColumnType::Text,
                Typing::Infer if s.not_integer => ColumnType::Real,
                Typing::Infer => ColumnType::Integer,
            })
            .collect()
    }

    /// The layers planned, in file-name order.
    pub fn layer_names(&self) -> impl Iterator<Item = &str> {
        self.layers.keys().map(String::as_str)
    }

    /// Opens the output: the directory (created if missing) as an output set of a file per
    /// layer and `unresolved.csv`, moved into place together by [`LayerWriter::finish`].
    pub fn start(self) -> Result<LayerWriter<'g>> {
        let mut set = OutputSet::create(&self.dir)?;
        let mut w = self.start_into(&mut set)?;
        w.own_set = Some(set);
        Ok(w)
    }

    /// Opens the files of the layers in an output set the caller commits (with its other
    /// files) after [`LayerWriter::finish`].
    pub fn start_into(self, set: &mut OutputSet) -> Result<LayerWriter<'g>> {
        let mut sinks = BTreeMap::new();
        for (name, planned) in &self.layers {
            let file = format!("{name}.geojson");
            let path = set.final_path(&file);
            let out = match self.formats.geojson {
                true => Some(LayerOut::File(set.create_file(&file)?)),
                false => None,
            };
            let mut sink = Sink::new(out, path, planned);
            if self.formats.html {
                let tmp = tempfile::tempfile().map_err(|e| Error::io(set.given_dir(), e))?;
                sink.html = Some(GeoJsonWriter::new(std::io::BufWriter::new(tmp)));
            }
            sinks.insert(name.clone(), sink);
        }
        let unresolved_path = set.final_path(UNRESOLVED_FILE);
        let unresolved = LayerOut::File(set.create_file(UNRESOLVED_FILE)?);
        #[cfg(feature = "html")]
        let page_file = match self.formats.html {
            true => Some((
                set.create_file(super::html::PAGE_FILE)?,
                set.final_path(super::html::PAGE_FILE),
            )),
            false => None,
        };
        #[cfg(feature = "gpkg")]
        let gpkg_path = match self.formats.gpkg {
            true => Some((
                set.add_path(super::gpkg::GPKG_FILE)?,
                set.final_path(super::gpkg::GPKG_FILE),
            )),
            false => None,
        };
        let mut w = self.writer(
            sinks,
            unresolved,
            unresolved_path,
            #[cfg(feature = "gpkg")]
            gpkg_path,
        )?;
        #[cfg(feature = "html")]
        {
            w.page_file = page_file;
        }
        let _ = &mut w;
        Ok(w)
    }

    /// Opens streamed output: the one layer's FeatureCollection to `features`, the unresolved
    /// rows (as `unresolved.csv` would hold them) to `unresolved`. An error when more than one
    /// layer was planned.
    pub fn start_streaming(
        self,
        features: Box<dyn Write>,
        unresolved: Box<dyn Write>,
    ) -> Result<LayerWriter<'g>> {
        let (name, planned) = match self.layers.iter().next() {
            Some((name, planned)) if self.layers.len() == 1 => (name.clone(), planned.clone()),
            _ => {
                return Err(Error::Invalid(format!(
                    "{} layers cannot share one stream; write them to a directory",
                    self.layers.len()
                )))
            }
        };
        let mut sinks = BTreeMap::new();
        let path = PathBuf::from("-");
        sinks.insert(
            name,
            Sink::new(Some(LayerOut::Stream(features)), path, &planned),
        );
        self.writer(
            sinks,
            LayerOut::Stream(unresolved),
            PathBuf::from("-"),
            #[cfg(feature = "gpkg")]
            None,
        )
    }

    /// The GeoPackage of the planned layers: input columns typed as `types`, then the time
    /// and place properties.
    #[cfg(feature = "gpkg")]
    fn gpkg_writer(
        &self,
        types: &[ColumnType],
        at: &Path,
        shown: &Path,
    ) -> Result<super::gpkg::GpkgWriter> {
        use super::gpkg::{GpkgWriter, SqlType, TableSpec};
        let mut columns: Vec<(String, SqlType)> = self
            .columns
            .names
            .iter()
            .cloned()
            .zip(types.iter().map(|t| SqlType::from(*t)))
            .collect();
        columns.extend([
            ("date_start".to_string(), SqlType::Date),
            ("date_end".to_string(), SqlType::Date),
            ("time_precision".to_string(), SqlType::Text),
            ("time_precision_code".to_string(), SqlType::Integer),
        ]);
        for p in PLACE_PROPERTIES {
            let t = if p == "score" {
                SqlType::Real
            } else {
                SqlType::Text
            };
            columns.push((p.to_string(), t));
        }
        let event_property = self.event_column.map(|i| self.columns.names[i].clone());
        let tables = self
            .layers
            .iter()
            .map(|(name, planned)| TableSpec {
                name: name.clone(),
                columns: columns.clone(),
                points: planned.points,
                polygons: planned.polygons,
                multi: planned.multi,
                events: planned.events.clone(),
                event_property: event_property.clone(),
            })
            .collect();
        GpkgWriter::create(at, shown, tables)
    }

    fn writer(
        self,
        sinks: BTreeMap<String, Sink>,
        unresolved: LayerOut,
        unresolved_path: PathBuf,
        #[cfg(feature = "gpkg")] gpkg_path: Option<(PathBuf, PathBuf)>,
    ) -> Result<LayerWriter<'g>> {
        let types = self.column_types();
        #[cfg(feature = "gpkg")]
        let gpkg = match gpkg_path {
            Some((at, shown)) => Some(self.gpkg_writer(&types, &at, &shown)?),
            None => None,
        };
        let mut unresolved = csv::WriterBuilder::new().from_writer(unresolved);
        let unresolved_names = unique_names(
            self.columns.header.iter().map(String::as_str),
            &["row", "reason", "suggestions"],
        );
        let mut record: Vec<&str> = vec!["row"];
        record.extend(unresolved_names.iter().map(String::as_str));
        record.extend(["reason", "suggestions"]);
        unresolved.write_record(&record).map_err(csv_error)?;
        let event_property = self.event_column.map(|i| self.columns.names[i].clone());
        let mut events: Vec<String> = self
            .layers
            .values()
            .flat_map(|p| p.events.iter().cloned())
            .collect();
        events.sort();
        events.dedup();
        Ok(LayerWriter {
            page: Page {
                dir: self.dir.clone(),
                event_property,
                events,
                #[cfg(feature = "html")]
                options: self.page.clone(),
            },
            areas: self.areas,
            columns: self.columns,
            types,
            layer_by: self.layer_by,
            sinks,
            #[cfg(feature = "gpkg")]
            gpkg,
            unresolved,
            unresolved_path,
            n_unresolved: 0,
            rows: 0,
            planned_rows: self.rows,
            own_set: None,
            #[cfg(feature = "html")]
            page_file: None,
        })
    }
}

/// Where a layer or `unresolved.csv` goes: a file moved into place at the end, or a stream
/// (standard output) written as it comes.
enum LayerOut {
    File(SetFile),
    Stream(Box<dyn Write>),
}

impl Write for LayerOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            LayerOut::File(f) => f.write(buf),
            LayerOut::Stream(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            LayerOut::File(f) => f.flush(),
            LayerOut::Stream(s) => s.flush(),
        }
    }
}

/// One layer's file being written.
struct Sink {
    writer: Option<GeoJsonWriter<LayerOut>>,
    path: PathBuf,
    promote: bool,
    features: usize,
    polygons: usize,
    /// The layer's GeoJSON again, for the map page.
    html: Option<GeoJsonWriter<std::io::BufWriter<std::fs::File>>>,
}

impl Sink {
    fn new(out: Option<LayerOut>, path: PathBuf, planned: &Planned) -> Sink {
        Sink {
            writer: out.map(GeoJsonWriter::new),
            path,
            promote: planned.multi,
            features: 0,
            polygons: 0,
            html: None,
        }
    }
}

/// The second pass of [`Layers`]: streams rows to their layers.
pub struct LayerWriter<'g> {
    areas: Areas<'g>,
    columns: Columns,
    types: Vec<ColumnType>,
    layer_by: LayerBy,
    sinks: BTreeMap<String, Sink>,
    #[cfg(feature = "gpkg")]
    gpkg: Option<super::gpkg::GpkgWriter>,
    unresolved: csv::Writer<LayerOut>,
    unresolved_path: PathBuf,
    n_unresolved: usize,
    rows: usize,
    planned_rows: usize,
    #[cfg_attr(not(feature = "html"), allow(dead_code))]
    page: Page,
    /// The output set [`Layers::start`] made, committed by [`LayerWriter::finish`].
    own_set: Option<OutputSet>,
    #[cfg(feature = "html")]
    page_file: Option<(SetFile, PathBuf)>,
}

/// What the map page needs besides the layers.
struct Page {
    #[allow(dead_code)]
    dir: PathBuf,
    #[allow(dead_code)]
    event_property: Option<String>,
    #[allow(dead_code)]
    events: Vec<String>,
    #[cfg(feature = "html")]
    options: super::html::PageOptions,
}

impl LayerWriter<'_> {
    /// Writes the next row (the rows planned, in the same order).
    pub fn write(&mut self, row: &LayerRow<'_>) -> Result<()> {
        self.rows += 1;
        let number = self.rows;
        let layer = layer_of(row, self.layer_by, number)?;
        match self.areas.outcome(row.resolution)? {
            Outcome::Drawn(id) => {
                let mut feature = self.feature(id, row, number)?;
                let sink = self.sinks.get_mut(&layer).ok_or_else(|| {
                    Error::Invalid(format!(
                        "row {number}: layer {layer:?} was not planned (rows changed between passes)"
                    ))
                })?;
                if let Some(g) = &mut feature.geometry {
                    if !matches!(g.value, geojson::GeometryValue::Point { .. }) {
                        sink.polygons += 1;
                    }
                    if sink.promote {
                        promote_polygon(g);
                    }
                }
                if let Some(w) = &mut sink.writer {
                    w.write_feature(&feature)?;
                }
                if let Some(w) = &mut sink.html {
                    w.write_feature(&feature)?;
                }
                sink.features += 1;
                #[cfg(feature = "gpkg")]
                if let (Some(gpkg), Some(g), Some(props)) =
                    (&mut self.gpkg, &feature.geometry, &feature.properties)
                {
                    let index = self.sinks.keys().position(|k| *k == layer).unwrap_or(0);
                    gpkg.insert(index, number as u64, g, props)?;
                }
            }
            Outcome::Unresolved(reason) => {
                let number = number.to_string();
                let sugg = suggestions(self.areas.gazetteer, row.resolution);
                let mut record: Vec<&str> = vec![&number];
                record.extend(row.values.iter().copied());
                record.resize(1 + self.columns.names.len(), "");
                record.push(&reason);
                record.push(&sugg);
                self.unresolved.write_record(&record).map_err(csv_error)?;
                self.n_unresolved += 1;
            }
        }
        Ok(())
    }

    /// Finishes every file and moves them all into place.
    pub fn finish(self) -> Result<LayerSummary> {
        if self.rows != self.planned_rows {
            return Err(Error::Invalid(format!(
                "{} rows written where {} were planned",
                self.rows, self.planned_rows
            )));
        }
        let mut pending = Vec::with_capacity(self.sinks.len() + 1);
        let mut counts = Vec::with_capacity(self.sinks.len());
        let mut pages = Vec::new();
        for (name, sink) in self.sinks {
            if let Some(w) = sink.html {
                let file = w
                    .finish_into()?
                    .into_inner()
                    .map_err(|e| Error::io(&sink.path, e.into_error()))?;
                pages.push((name.clone(), file));
            }
            if let Some(w) = sink.writer {
                let mut out = w.finish_into()?;
                out.write_all(b"\n").map_err(|e| Error::io(&sink.path, e))?;
                pending.push((out, sink.path.clone()));
            }
            counts.push(LayerCount {
                name,
                path: sink.path,
                features: sink.features,
                polygons: sink.polygons,
            });
        }
        let out = self
            .unresolved
            .into_inner()
            .map_err(|e| Error::io(&self.unresolved_path, e.into_error()))?;
        pending.push((out, self.unresolved_path.clone()));
        #[allow(unused_mut)]
        let mut gpkg_path = None;
        #[cfg(feature = "gpkg")]
        if let Some(g) = self.gpkg {
            gpkg_path = Some(g.finish()?);
        }
        #[allow(unused_mut)]
        let mut html_path = None;
        #[cfg(feature = "html")]
        if let Some((mut file, path)) = self.page_file {
            write_page(&mut file, &self.page, pages)?;
            file.finish()?;
            html_path = Some(path);
        }
        #[cfg(not(feature = "html"))]
        drop(pages);
        for (out, path) in pending {
            match out {
                LayerOut::File(f) => f.finish()?,
                LayerOut::Stream(mut s) => s.flush().map_err(|e| Error::io(path, e))?,
            }
        }
        // every file written in full before the set is moved into place
        if let Some(set) = self.own_set {
            set.commit()?;
        }
        Ok(LayerSummary {
            layers: counts,
            unresolved: self.n_unresolved,
            unresolved_path: self.unresolved_path,
            gpkg_path,
            html_path,
            rows: self.rows,
        })
    }

    /// The feature of a drawn row: its geometry (polygon, own point or parent's point) and the
    /// input's columns followed by the time and place properties.
    fn feature(&mut self, id: PlaceId, row: &LayerRow<'_>, number: usize) -> Result<Feature> {
        let gazetteer = self.areas.gazetteer;
        let best = row
            .resolution
            .best
            .as_ref()
            .ok_or_else(|| Error::Invalid(format!("row {number}: drawn without a place")))?;
        let p = gazetteer.place(id);
        let (geometry, precision) = match self.areas.get(id)? {
            Some(g) => (g, "polygon"),
            None => {
                let ((lon, lat), parent) = gazetteer.point_or_parent(id).ok_or_else(|| {
                    Error::Invalid(format!("row {number}: {} has no point", p.id))
                })?;
                (
                    point_geometry(lon, lat),
                    if parent { "parent" } else { "point" },
                )
            }
        };
        let mut props = JsonObject::new();
        for (i, name) in self.columns.names.iter().enumerate() {
            let v = row.values.get(i).copied().unwrap_or("");
            props.insert(name.clone(), typed_value(v, self.types[i]));
        }
        let time = time_span(row.date).map_err(|m| Error::Invalid(format!("row {number}: {m}")))?;
        let time_values: [JsonValue; 4] = match time {
            None => Default::default(),
            Some(t) => [
                t.start.to_string().into(),
                t.end.to_string().into(),
                t.precision.as_str().into(),
                t.precision.acled_code().into(),
            ],
        };
        for (k, v) in TIME_PROPERTIES.iter().zip(time_values) {
            props.insert(k.to_string(), v);
        }
        let add = [
            ("place_id", JsonValue::from(p.id)),
            ("place_name", p.name.into()),
            ("admin1", p.admin1.into()),
            ("admin2", p.admin2.into()),
            ("kind", p.kind.as_str().into()),
            ("score", score_value(best.score)),
            ("method", best.method.as_str().into()),
            ("status", row.resolution.status.as_str().into()),
            ("geo_precision", precision.into()),
        ];
        for (k, v) in add {
            props.insert(k.to_string(), v);
        }
        Ok(Feature {
            id: Some(geojson::feature::Id::Number((number as u64).into())),
            geometry: Some(geometry),
            properties: Some(props),
            ..Default::default()
        })
    }
}

/// The map page over the layers' GeoJSON copies, written to a file not yet moved into place.
#[cfg(feature = "html")]
fn write_page(file: &mut SetFile, page: &Page, layers: Vec<(String, std::fs::File)>) -> Result<()> {
    use std::io::{Read, Seek};
    let path = &page.dir;
    let mut readers: Vec<(String, Box<dyn Read>)> = Vec::with_capacity(layers.len());
    for (name, mut f) in layers {
        f.rewind().map_err(|e| Error::io(path, e))?;
        readers.push((name, Box::new(std::io::BufReader::new(f))));
    }
    let colours: Vec<(String, &str)> = page
        .events
        .iter()
        .map(|e| (e.clone(), super::style::event_colour(e)))
        .collect();
    super::html::write_page(
        file,
        readers,
        &colours,
        page.event_property.as_deref(),
        &page.options,
    )?;
    Ok(())
}

/// A value as its column's type says: numbers as JSON numbers (empty: null), text as text.
fn typed_value(v: &str, t: ColumnType) -> JsonValue {
    let n = v.trim();
    match t {
        ColumnType::Text => JsonValue::String(v.to_string()),
        _ if n.is_empty() => JsonValue::Null,
        ColumnType::Integer => n
            .parse::<i64>()
            .map(JsonValue::from)
            .unwrap_or_else(|_| JsonValue::String(v.to_string())),
        ColumnType::Real => n
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(JsonValue::Number)
            .unwrap_or_else(|| JsonValue::String(v.to_string())),
    }
}

/// The layer a row goes to.
fn layer_of(row: &LayerRow<'_>, layer_by: LayerBy, number: usize) -> Result<String> {
    Ok(match layer_by {
        LayerBy::None => ALL_LAYER.to_string(),
        LayerBy::Event => {
            let s = slug(row.event);
            if s.is_empty() {
                NO_EVENT_LAYER.to_string()
            } else {
                s
            }
        }
        LayerBy::Date => {
            date_layer(row.date).map_err(|m| Error::Invalid(format!("row {number}: {m}")))?
        }
    })
}

/// Writes the layers (in `formats`) and `unresolved.csv` into `dir` (created if missing),
/// replacing them all together or, on error, none of them; styles colour by the column
/// named `event`, if any.
pub fn write_layers(
    gazetteer: &Gazetteer,
    columns: Columns,
    rows: &[LayerRow<'_>],
    layer_by: LayerBy,
    draw: DrawAs,
    dir: &Path,
    formats: Formats,
) -> Result<LayerSummary> {
    let mut set = OutputSet::create(dir)?;
    let summary = write_layers_into(gazetteer, columns, rows, layer_by, draw, &mut set, formats)?;
    set.commit()?;
    Ok(summary)
}

/// Like [`write_layers`], into an output set the caller commits (with its other files).
pub fn write_layers_into(
    gazetteer: &Gazetteer,
    columns: Columns,
    rows: &[LayerRow<'_>],
    layer_by: LayerBy,
    draw: DrawAs,
    set: &mut OutputSet,
    formats: Formats,
) -> Result<LayerSummary> {
    let rows = |each: &mut dyn FnMut(&LayerRow<'_>) -> Result<()>| rows.iter().try_for_each(each);
    write_layers_with(gazetteer, columns, rows, layer_by, draw, set, formats)
}

/// Like [`write_layers_into`], with rows made on demand rather than held: `rows` gives every
/// row, in order, to the function it is passed. It is called twice (the rows are planned,
/// then written) and must give the same rows both times.
pub fn write_layers_with(
    gazetteer: &Gazetteer,
    columns: Columns,
    rows: impl Fn(&mut dyn FnMut(&LayerRow<'_>) -> Result<()>) -> Result<()>,
    layer_by: LayerBy,
    draw: DrawAs,
    set: &mut OutputSet,
    formats: Formats,
) -> Result<LayerSummary> {
    let event = columns.names.iter().position(|n| n == "event");
    let mut layers = Layers::new(gazetteer, columns, layer_by, set.given_dir());
    layers.draw(draw);
    layers.formats(formats)?;
    layers.event_column(event);
    rows(&mut |row| layers.plan(row))?;
    let mut w = layers.start_into(set)?;
    rows(&mut |row| w.write(row))?;
    w.finish()
}

/// A Polygon as a one-part MultiPolygon (other geometries unchanged).
fn promote_polygon(g: &mut geojson::Geometry) {
    if let geojson::GeometryValue::Polygon { coordinates } = &mut g.value {
        let rings = std::mem::take(coordinates);
        g.value = geojson::GeometryValue::MultiPolygon {
            coordinates: vec![rings],
        };
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::csv(UNRESOLVED_FILE, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(slug("Armed clash"), "armed-clash");
        assert_eq!(slug("  Air/drone strike!  "), "air-drone-strike");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("Protest — Kabul"), "protest-kabul");
        assert_eq!(slug("اعتراض"), "trd");
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn dates_go_to_their_precision() {
        assert_eq!(date_layer("2021-08-10").unwrap(), "2021-08-10");
        assert_eq!(date_layer(" 2021-08 ").unwrap(), "2021-08");
        assert_eq!(date_layer("2021").unwrap(), "2021");
        assert_eq!(date_layer("").unwrap(), "undated");
        assert_eq!(date_layer("2021-08-10T14:30").unwrap(), "2021-08-10");
        for bad in [
            "2021-13",
            "2021-02-30",
            "10/08/2021",
            "21",
            "2021-8",
            "August 2021",
        ] {
            let e = date_layer(bad).unwrap_err();
            assert!(e.contains("ISO 8601"), "{bad}: {e}");
        }
    }

    #[test]
    fn colliding_columns_are_renamed_not_lost() {
        let names = unique_names(
            ["date", "kind", "notes", "notes", "input_kind"].into_iter(),
            &PLACE_PROPERTIES,
        );
        assert_eq!(
            names,
            [
                "date",
                "input_kind",
                "notes",
                "input_notes",
                "input_input_kind"
            ]
        );
    }
}
