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

use super::atomic::{create_dir, AtomicFile};
use super::geojson::{area_from_wkt, geometry_from_geo, point_geometry, GeoJsonWriter};
use crate::error::{Error, Result};
use crate::gazetteer::{Gazetteer, PlaceId};
use crate::resolve::{Candidate, Resolution, Status};

/// One input row and what its place resolved to.
#[derive(Debug, Clone)]
pub struct LayerRow {
    /// The input row's columns, in order, as (header, value).
    pub properties: Vec<(String, String)>,
    /// The row's date (ISO 8601 at day, month or year precision, or empty).
    pub date: String,
    /// The row's event type.
    pub event: String,
    /// What the row's place resolved to.
    pub resolution: Resolution,
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

/// What [`write_layers`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSummary {
    /// The layers, in file-name order.
    pub layers: Vec<LayerCount>,
    /// Rows written to `unresolved.csv`.
    pub unresolved: usize,
    /// The `unresolved.csv` path.
    pub unresolved_path: PathBuf,
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

/// The properties gazmap adds to each feature, after the input's columns, in order.
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

/// A safe file stem for a layer name: lowercase ASCII letters, digits and hyphens
/// (other scripts transliterated); empty when nothing is left.
pub fn slug(name: &str) -> String {
    let s = slug::slugify(name.trim());
    // keep file names short: at most MAX_SLUG bytes (all ASCII), no trailing hyphen
    s[..s.len().min(MAX_SLUG)].trim_end_matches('-').to_string()
}

/// Longest layer name kept from an event type.
pub const MAX_SLUG: usize = 64;

/// The layer of a date as written: `2021-08-10`, `2021-08` or `2021` (a date-time keeps its
/// day), `undated` when empty; an error says what is wrong with a malformed date.
pub fn date_layer(date: &str) -> std::result::Result<String, String> {
    let d = date.trim();
    if d.is_empty() {
        return Ok(NO_DATE_LAYER.to_string());
    }
    let bad = || {
        format!(
            "date {d:?} is not ISO 8601 at day, month or year precision (2021-08-10, 2021-08, 2021)"
        )
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = d.splitn(3, '-').collect();
    match parts.as_slice() {
        [y] if y.len() == 4 && digits(y) => Ok(y.to_string()),
        [y, m] if y.len() == 4 && m.len() == 2 && digits(y) && digits(m) => {
            let (yy, mm) = (y.parse::<i16>().map_err(|_| bad())?, m.parse::<i8>());
            let mm = mm.map_err(|_| bad())?;
            jiff::civil::Date::new(yy, mm, 1).map_err(|_| bad())?;
            Ok(d.to_string())
        }
        [_, _, rest] if rest.len() == 2 => d
            .parse::<jiff::civil::Date>()
            .map(|x| x.to_string())
            .map_err(|_| bad()),
        [_, _, _] => d
            .parse::<jiff::civil::DateTime>()
            .map(|x| x.date().to_string())
            .map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// The layer a row goes to.
fn layer_of(row: &LayerRow, layer_by: LayerBy, number: usize) -> Result<String> {
    Ok(match layer_by {
        LayerBy::None => ALL_LAYER.to_string(),
        LayerBy::Event => {
            let s = slug(&row.event);
            if s.is_empty() {
                NO_EVENT_LAYER.to_string()
            } else {
                s
            }
        }
        LayerBy::Date => {
            date_layer(&row.date).map_err(|m| Error::Invalid(format!("row {number}: {m}")))?
        }
    })
}

/// Output names for the input columns: a column that has the name of a property gazmap adds
/// (or of an earlier column) is renamed `input_<name>` (then `input_<name>_2`, …), so no
/// value is lost.
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

/// The header of the rows' properties: every name in first-seen order.
fn property_header(rows: &[LayerRow]) -> Vec<String> {
    let mut header: Vec<String> = Vec::new();
    for r in rows {
        for (k, _) in &r.properties {
            // a repeated header within one row is kept as a second column
            let have = header.iter().filter(|h| *h == k).count();
            let want = r.properties.iter().filter(|(kk, _)| kk == k).count();
            if have < want {
                header.push(k.clone());
            }
        }
    }
    header
}

/// A row's values aligned on `header` (the n-th occurrence of a name goes to its n-th column).
fn aligned<'a>(header: &[String], row: &'a LayerRow) -> Vec<&'a str> {
    let mut used = vec![false; row.properties.len()];
    header
        .iter()
        .map(|h| {
            let found = row
                .properties
                .iter()
                .enumerate()
                .find(|(i, (k, _))| !used[*i] && k == h);
            match found {
                Some((i, (_, v))) => {
                    used[i] = true;
                    v.as_str()
                }
                None => "",
            }
        })
        .collect()
}

/// Why a row gets no place, or the place it is drawn at.
enum Outcome {
    Drawn(PlaceId),
    Unresolved(String),
}

fn outcome(gazetteer: &Gazetteer, r: &Resolution) -> Outcome {
    if r.query.trim().is_empty() {
        return Outcome::Unresolved("no place given".into());
    }
    match (r.status, &r.best) {
        (Status::Matched, Some(best)) => {
            let p = gazetteer.place(best.place);
            if p.geometry.is_some() || gazetteer.point_or_parent(best.place).is_some() {
                Outcome::Drawn(best.place)
            } else {
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
    }
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
    cache: HashMap<PlaceId, Option<geojson::Geometry>>,
}

impl Areas<'_> {
    fn get(&mut self, id: PlaceId) -> Result<Option<geojson::Geometry>> {
        if let Some(g) = self.cache.get(&id) {
            return Ok(g.clone());
        }
        let p = self.gazetteer.place(id);
        let g = match &p.geometry {
            Some(wkt) if !wkt.trim().is_empty() => {
                Some(geometry_from_geo(&area_from_wkt(wkt).map_err(|m| {
                    Error::Invalid(format!(
                        "gazetteer place {} ({}): geometry: {m}",
                        p.id, p.name
                    ))
                })?))
            }
            _ => None,
        };
        self.cache.insert(id, g.clone());
        Ok(g)
    }
}

/// Writes one GeoJSON file per layer and `unresolved.csv` into `dir` (created if missing),
/// replacing them all together or, on error, none of them.
pub fn write_layers(
    gazetteer: &Gazetteer,
    rows: &[LayerRow],
    layer_by: LayerBy,
    dir: &Path,
) -> Result<LayerSummary> {
    let header = property_header(rows);
    let feature_names = unique_names(header.iter().map(String::as_str), &PLACE_PROPERTIES);
    let unresolved_names = unique_names(
        header.iter().map(String::as_str),
        &["row", "reason", "suggestions"],
    );

    let mut areas = Areas {
        gazetteer,
        cache: HashMap::new(),
    };
    // pass 1: each row's layer or reason; unresolved rows written as they come
    let mut layers: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    if layer_by == LayerBy::None {
        layers.insert(ALL_LAYER.to_string(), Vec::new());
    }
    let mut unresolved = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut record: Vec<&str> = vec!["row"];
    record.extend(unresolved_names.iter().map(String::as_str));
    record.extend(["reason", "suggestions"]);
    unresolved.write_record(&record).map_err(csv_error)?;
    let mut n_unresolved = 0;
    let mut multi_layers: Vec<String> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let number = i + 1;
        let layer = layer_of(row, layer_by, number)?;
        match outcome(gazetteer, &row.resolution) {
            Outcome::Drawn(id) => {
                let multi = matches!(
                    areas.get(id)?.map(|g| g.value),
                    Some(geojson::GeometryValue::MultiPolygon { .. })
                );
                if multi && !multi_layers.contains(&layer) {
                    multi_layers.push(layer.clone());
                }
                layers.entry(layer).or_default().push(i);
            }
            Outcome::Unresolved(reason) => {
                let number = number.to_string();
                let sugg = suggestions(gazetteer, &row.resolution);
                let mut record: Vec<&str> = vec![&number];
                record.extend(aligned(&header, row));
                record.push(&reason);
                record.push(&sugg);
                unresolved.write_record(&record).map_err(csv_error)?;
                n_unresolved += 1;
            }
        }
    }

    // pass 2: each layer streamed to a temporary file; all renamed at the end, or none
    create_dir(dir)?;
    let mut pending = Vec::with_capacity(layers.len() + 1);
    let mut counts = Vec::with_capacity(layers.len());
    for (name, members) in layers {
        let path = dir.join(format!("{name}.geojson"));
        let mut file = AtomicFile::create(&path)?;
        let mut w = GeoJsonWriter::new(&mut file);
        let mut polygons = 0;
        let promote = multi_layers.contains(&name);
        for &i in &members {
            let mut feature = feature(
                gazetteer,
                &mut areas,
                &feature_names,
                &header,
                &rows[i],
                i + 1,
            )?;
            if let Some(g) = &mut feature.geometry {
                if !matches!(g.value, geojson::GeometryValue::Point { .. }) {
                    polygons += 1;
                }
                if promote {
                    promote_polygon(g);
                }
            }
            w.write_feature(&feature)?;
        }
        w.finish()?;
        file.write_all(b"\n").map_err(|e| Error::io(&path, e))?;
        pending.push(file);
        counts.push(LayerCount {
            name,
            path,
            features: members.len(),
            polygons,
        });
    }
    let unresolved_path = dir.join(UNRESOLVED_FILE);
    let bytes = unresolved
        .into_inner()
        .map_err(|e| Error::io(&unresolved_path, e.into_error()))?;
    let mut file = AtomicFile::create(&unresolved_path)?;
    file.write_all(&bytes)
        .map_err(|e| Error::io(&unresolved_path, e))?;
    pending.push(file);
    for f in pending {
        f.commit()?;
    }
    Ok(LayerSummary {
        layers: counts,
        unresolved: n_unresolved,
        unresolved_path,
        rows: rows.len(),
    })
}

/// The feature of a drawn row: its geometry (polygon, own point or parent's point) and the
/// input's columns followed by the place's properties.
fn feature(
    gazetteer: &Gazetteer,
    areas: &mut Areas<'_>,
    feature_names: &[String],
    header: &[String],
    row: &LayerRow,
    number: usize,
) -> Result<Feature> {
    let best = row
        .resolution
        .best
        .as_ref()
        .expect("drawn rows have a best");
    let p = gazetteer.place(best.place);
    let (geometry, precision) = match areas.get(best.place)? {
        Some(g) => (g, "polygon"),
        None => {
            let ((lon, lat), parent) = gazetteer
                .point_or_parent(best.place)
                .expect("drawn rows have a point");
            (
                point_geometry(lon, lat),
                if parent { "parent" } else { "point" },
            )
        }
    };
    let mut props = JsonObject::new();
    for (name, v) in feature_names.iter().zip(aligned(header, row)) {
        props.insert(name.clone(), JsonValue::String(v.to_string()));
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
