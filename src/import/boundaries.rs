//! Boundaries import: a boundaries GeoJSON file a user downloaded (geoBoundaries, OCHA
//! COD-AB exported to GeoJSON) → contract places with WKT polygons, an interior point, the
//! province from a parent boundaries file, and the alternate names of the matching place of a
//! reference gazetteer merged in.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use geo::{BoundingRect, Distance, Euclidean, InteriorPoint, Intersects, MapCoords};
use wkt::ToWkt;

use crate::error::{Error, Result};
use crate::export::geojson::{geometry_type, round_coord};
use crate::gazetteer::{Gazetteer, Kind, Parents, Place, PlaceId};
use crate::resolve::{Method, Options, Resolver, Status};

/// One feature of a boundaries file: its cleaned name, id property and area.
#[derive(Debug, Clone)]
pub struct Boundary {
    /// 1-based position of the feature in its file.
    pub number: usize,
    /// The name, trimmed and with inner whitespace collapsed.
    pub name: String,
    /// The `shapeID` property, when present.
    pub shape_id: Option<String>,
    /// The area in WGS84 lon/lat.
    pub area: geo::MultiPolygon<f64>,
}

/// Trims a name and collapses inner whitespace (`" Zanda  Jan\n"` → `"Zanda Jan"`).
pub(crate) fn clean_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads the features of a boundaries GeoJSON FeatureCollection (`-`: standard input),
/// naming each by the `name_field` property; every feature must have a name and a
/// (multi)polygon in lon/lat. Streams: memory holds the areas read and one feature's JSON.
pub fn read_boundaries(path: &Path, name_field: &str) -> Result<Vec<Boundary>> {
    let source = path.display().to_string();
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(Error::Invalid(format!(
                "{source}: is a directory, expected a GeoJSON file"
            )));
        }
        Box::new(file)
    };
    read_boundaries_from(reader, &source, name_field)
}

/// Like [`read_boundaries`], on any reader; `source` names it in messages. A UTF-8 BOM is
/// skipped.
pub fn read_boundaries_from(
    reader: impl Read,
    source: &str,
    name_field: &str,
) -> Result<Vec<Boundary>> {
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    let head = reader.fill_buf().map_err(|e| Error::io(source, e))?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    let mut failure = None;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let visitor = CollectionVisitor {
        source,
        name_field,
        failure: &mut failure,
    };
    let parsed = de
        .deserialize_map(visitor)
        .and_then(|r| de.end().map(|_| r));
    let json_error = |e: serde_json::Error| {
        if e.is_io() {
            let io = std::io::Error::other(e.to_string());
            return Error::io(source, io);
        }
        Error::parse(
            source,
            e.line() as u64,
            Some(e.column().to_string()),
            format!("not GeoJSON: {e}"),
        )
    };
    let (kind, crs, out) = match parsed {
        Ok(r) => r,
        Err(e) => return Err(failure.unwrap_or_else(|| json_error(e))),
    };
    if let Some(crs) = crs {
        check_crs(&serde_json::json!({ "crs": crs }), source)?;
    }
    if kind.as_deref() != Some("FeatureCollection") {
        return Err(Error::Invalid(format!(
            "{source}: expected a FeatureCollection of boundaries"
        )));
    }
    if out.is_empty() {
        return Err(Error::Invalid(format!("{source}: no features")));
    }
    Ok(out)
}

type Collection = (Option<String>, Option<serde_json::Value>, Vec<Boundary>);

/// Reads the top-level object, turning each feature into a [`Boundary`] as it is read.
struct CollectionVisitor<'a> {
    source: &'a str,
    name_field: &'a str,
    /// Our own error, when a feature is refused (serde's error then only stops the parse).
    failure: &'a mut Option<Error>,
}

impl<'de> Visitor<'de> for CollectionVisitor<'_> {
    type Value = Collection;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON FeatureCollection object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Collection, A::Error> {
        let (mut kind, mut crs, mut features) = (None, None, Vec::new());
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => kind = Some(map.next_value::<String>()?),
                "crs" => crs = Some(map.next_value::<serde_json::Value>()?),
                "features" => {
                    map.next_value_seed(FeaturesSeed {
                        source: self.source,
                        name_field: self.name_field,
                        failure: &mut *self.failure,
                        out: &mut features,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((kind, crs, features))
    }
}

/// The `features` array, read one feature at a time.
struct FeaturesSeed<'a> {
    source: &'a str,
    name_field: &'a str,
    failure: &'a mut Option<Error>,
    out: &'a mut Vec<Boundary>,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of GeoJSON features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(f) = seq.next_element::<geojson::Feature>()? {
            let number = self.out.len() + 1;
            match boundary_of(&f, number, self.source, self.name_field) {
                Ok(b) => self.out.push(b),
                Err(e) => {
                    *self.failure = Some(e);
                    return Err(serde::de::Error::custom("feature refused"));
                }
            }
        }
        Ok(())
    }
}

/// A feature's name, from property `name_field` (a string or a number), cleaned; or why
/// it has none.
fn name_of(f: &geojson::Feature, name_field: &str) -> std::result::Result<String, String> {
    let raw = match f.property(name_field) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(other) if !other.is_null() => {
            return Err(format!("property {name_field:?} is {other}, not a name"))
        }
        _ => {
            let have: Vec<String> = f.properties_iter().map(|(k, _)| format!("{k:?}")).collect();
            return Err(format!(
                "no property {name_field:?} (--name-field); it has: {}",
                have.join(", ")
            ));
        }
    };
    let name = clean_name(&raw);
    if name.is_empty() {
        return Err(format!("property {name_field:?} is empty"));
    }
    Ok(name)
}

/// Checks that every polygon has rings and every ring positions of two numbers or more, or
/// says which does not.
fn check_positions(polygons: &[&geojson::PolygonType]) -> std::result::Result<(), String> {
    // checked before converting: the geojson crate indexes positions without checking, and
    // the WKT writer unwraps the outer ring of every part
    for (p, polygon) in polygons.iter().enumerate() {
        if polygon.is_empty() {
            return Err(format!(
                "polygon {}: no rings (expected an outer ring of [longitude, latitude] \
                 positions)",
                p + 1
            ));
        }
        for (r, ring) in polygon.iter().enumerate() {
            if ring.is_empty() {
                return Err(format!("polygon {}, ring {}: no positions", p + 1, r + 1));
            }
            if let Some(bad) = ring.iter().position(|pos| pos.len() < 2) {
                return Err(format!(
                    "polygon {}, ring {}, position {}: fewer than two numbers (expected \
                     [longitude, latitude])",
                    p + 1,
                    r + 1,
                    bad + 1
                ));
            }
        }
    }
    Ok(())
}

/// One feature as a [`Boundary`], or why it is refused.
fn boundary_of(
    f: &geojson::Feature,
    number: usize,
    source: &str,
    name_field: &str,
) -> Result<Boundary> {
    let name = name_of(f, name_field)
        .map_err(|m| Error::Invalid(format!("{source}: feature {number}: {m}")))?;
    let at = |m: String| Error::Invalid(format!("{source}: feature {number} ({name}): {m}"));
    let geometry = f
        .geometry
        .as_ref()
        .ok_or_else(|| at("no geometry".into()))?;
    let polygons: Vec<&geojson::PolygonType> = match &geometry.value {
        geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
        geojson::GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        other => {
            return Err(at(format!(
                "geometry is a {}; expected a Polygon or MultiPolygon",
                other.type_name()
            )))
        }
    };
    check_positions(&polygons).map_err(at)?;
    let g = geo::Geometry::<f64>::try_from(&geometry.value)
        .map_err(|e| at(format!("geometry: {e}")))?;
    let area = match g {
        geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(m) => m,
        other => {
            return Err(at(format!(
                "geometry is a {}; expected a Polygon or MultiPolygon",
                geometry_type(&other)
            )))
        }
    };
    match area.bounding_rect() {
        Some(r)
            if r.min().x >= -180.0
                && r.max().x <= 180.0
                && r.min().y >= -90.0
                && r.max().y <= 90.0 => {}
        Some(_) => {
            return Err(at(
                "coordinates are not WGS84 longitude/latitude; reproject first \
                 (ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson)"
                    .into(),
            ))
        }
        None => return Err(at("empty geometry".into())),
    }
    let shape_id = match f.property("shapeID") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    };
    Ok(Boundary {
        number,
        name,
        shape_id,
        area,
    })
}

/// Rejects a `crs` member that names anything but WGS84 lon/lat.
fn check_crs(json: &serde_json::Value, source: &str) -> Result<()> {
    let Some(crs) = json.get("crs") else {
        return Ok(());
    };
    let name = crs
        .pointer("/properties/name")
        .and_then(|n| n.as_str())
        .unwrap_or("");
    if name.contains("CRS84") || name.ends_with(":4326") || name.ends_with("::4326") {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{source}: coordinates are in {name:?}, not WGS84 longitude/latitude; reproject \
             first (ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson)"
        )))
    }
}

/// Settings of a boundaries import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The kind of every place imported.
    pub kind: Kind,
    /// ISO country code; `None` takes it from the matching reference places.
    pub country: Option<String>,
    /// Used in ids when a feature has no `shapeID`: `boundary:<stem>:<n>`.
    pub file_stem: String,
    /// Least score for a reference match (`None`: the resolver's default).
    pub threshold: Option<f64>,
}

/// What a boundaries import made, with what a user should check.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// The places, one per boundary, in file order.
    pub places: Vec<Place>,
    /// Boundaries whose names matched a reference place (alternate names merged).
    pub merged: usize,
    /// Boundaries with no unambiguous reference match: `name (province): why`.
    pub unmerged: Vec<String>,
    /// Boundaries whose interior point lies in no parent, given the nearest parent.
    pub nearest_parent: Vec<String>,
}

/// Without a parent province to search in, a fuzzy match must score at least this to merge
/// alternate names (a wrong merge would send spellings of one district to another's polygon).
pub const MIN_FUZZY_MERGE: f64 = 0.9;

/// Turns boundaries into contract places: WKT polygon, interior point, `admin1` from the
/// parent boundary containing the interior point, alternate names (and population) from the
/// place of `reference` the boundary's name resolves to within that province.
pub fn boundaries_to_places(
    boundaries: &[Boundary],
    parents: Option<&[Boundary]>,
    reference: &Resolver,
    options: &ImportOptions,
) -> Result<ImportReport> {
    let parent_boxes: Vec<(geo::Rect<f64>, &Boundary)> = parents
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| p.area.bounding_rect().map(|r| (r, p)))
        .collect();
    let mut area_ids: HashMap<String, Option<u32>> = HashMap::new();
    let ids_unique = {
        let mut seen = std::collections::HashSet::new();
        boundaries
            .iter()
            .all(|b| b.shape_id.as_ref().is_some_and(|s| seen.insert(s.clone())))
    };
    let mut report = ImportReport::default();
    // each boundary's reference match, merged once every boundary is matched
    let mut matches: Vec<Option<(PlaceId, f64)>> = Vec::with_capacity(boundaries.len());
    let mut labels: Vec<String> = Vec::with_capacity(boundaries.len());
    let mut unmerged: Vec<(usize, String)> = Vec::new();
    for b in boundaries {
        let point = b.area.interior_point().ok_or_else(|| {
            Error::Invalid(format!("feature {} ({}): empty area", b.number, b.name))
        })?;
        let parent = parent_of(b, point, &parent_boxes, &mut report.nearest_parent);
        let admin1 = parent.map(|p| p.name.clone()).unwrap_or_default();
        let within = parent.and_then(|p| {
            *area_ids
                .entry(p.name.clone())
                .or_insert_with(|| reference_area(reference, p))
        });
        let label = if admin1.is_empty() {
            b.name.clone()
        } else {
            format!("{} ({admin1})", b.name)
        };
        match reference_match(reference, b, within, options, &label) {
            Ok(m) => matches.push(Some(m)),
            Err(why) => {
                matches.push(None);
                unmerged.push((b.number, why));
            }
        }
        labels.push(label);
        let id = match (&b.shape_id, ids_unique) {
            (Some(s), true) => s.clone(),
            _ => format!("boundary:{}:{}", options.file_stem, b.number),
        };
        report
            .places
            .push(place_of(b, id, admin1, point, options.kind));
    }
    let countries = merge_names(
        boundaries,
        &matches,
        &labels,
        reference,
        &mut report,
        &mut unmerged,
    );
    unmerged.sort();
    report.unmerged = unmerged.into_iter().map(|(_, m)| m).collect();
    let country = match &options.country {
        Some(c) => c.to_ascii_uppercase(),
        None => most_common_country(&countries)?,
    };
    for p in &mut report.places {
        p.country = country.clone();
    }
    // ids must be unique for the result to load as a gazetteer (checked without a copy of
    // the places: their polygons are most of the memory)
    Gazetteer::check_places(&report.places)?;
    Ok(report)
}

/// The parent boundary whose polygon holds `point`, else the nearest one (noted in
/// `nearest_parent`); `None` when there are no parents.
fn parent_of<'b>(
    b: &Boundary,
    point: geo::Point<f64>,
    parent_boxes: &[(geo::Rect<f64>, &'b Boundary)],
    nearest_parent: &mut Vec<String>,
) -> Option<&'b Boundary> {
    if parent_boxes.is_empty() {
        return None;
    }
    let inside = parent_boxes
        .iter()
        .find(|(r, p)| r.intersects(&point) && p.area.intersects(&point));
    if let Some((_, p)) = inside {
        return Some(*p);
    }
    let nearest = parent_boxes
        .iter()
        .map(|(_, p)| (Euclidean.distance(&point, &p.area), *p))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)?;
    nearest_parent.push(format!("{} → {}", b.name, nearest.name));
    Some(nearest)
}

/// The reference area a parent boundary is: by name, else the reference province whose
/// point lies in the parent polygon (a misspelt parent name, say).
fn reference_area(reference: &Resolver, parent: &Boundary) -> Option<u32> {
    reference.find_area(&parent.name).ok().or_else(|| {
        reference
            .gazetteer()
            .places()
            .position(|q| {
                q.kind == Kind::Province
                    && q.point().is_some_and(|(lon, lat)| {
                        parent.area.intersects(&geo::Point::new(lon, lat))
                    })
            })
            .map(|i| i as u32)
    })
}

/// The reference place (and score) a boundary's name resolves to within its parent area,
/// or why its alternate names are not merged (`label: why`).
fn reference_match(
    reference: &Resolver,
    b: &Boundary,
    within: Option<u32>,
    options: &ImportOptions,
    label: &str,
) -> std::result::Result<(PlaceId, f64), String> {
    let r = reference.resolve(
        &b.name,
        &Options {
            within,
            kind: Some(options.kind),
            threshold: options.threshold.unwrap_or(Options::default().threshold),
            ..Options::default()
        },
    );
    match (&r.status, &r.best) {
        (Status::Matched, Some(best))
            if within.is_some()
                || best.method != Method::Fuzzy
                || best.score >= MIN_FUZZY_MERGE =>
        {
            Ok((best.place, best.score))
        }
        (Status::Matched, Some(best)) => Err(format!(
            "{label}: only a fuzzy match, {} {:.3}",
            reference.gazetteer().place(best.place).name,
            best.score
        )),
        (Status::Ambiguous, _) => Err(format!("{label}: ambiguous in the reference gazetteer")),
        _ => Err(format!("{label}: not in the reference gazetteer")),
    }
}

/// A boundary as a contract place (no country or alternate names yet): its polygon rounded
/// as WKT, its interior point.
fn place_of(b: &Boundary, id: String, admin1: String, point: geo::Point<f64>, kind: Kind) -> Place {
    // rounded straight from the area: one copy of a polygon at a time
    let mut area = b.area.map_coords(|c| geo::Coord {
        x: round_coord(c.x),
        y: round_coord(c.y),
    });
    let area = if area.0.len() == 1 {
        geo::Geometry::Polygon(area.0.remove(0))
    } else {
        geo::Geometry::MultiPolygon(area)
    };
    Place {
        id,
        name: b.name.clone(),
        kind,
        country: String::new(),
        admin1,
        admin2: String::new(),
        lat: Some(round_coord(point.y())),
        lon: Some(round_coord(point.x())),
        population: None,
        alt_names: Vec::new(),
        geometry: Some(area.wkt_string()),
        parents: Parents::default(),
    }
}

/// Merges each matched reference place's names (and population) into its boundary, and
/// gives how many boundaries matched a place of each country.
///
/// A reference place merges into one boundary only, the best-scoring (the first of equals):
/// two polygons with the same alternate names would make those names ambiguous. The others
/// go to `unmerged`.
fn merge_names(
    boundaries: &[Boundary],
    matches: &[Option<(PlaceId, f64)>],
    labels: &[String],
    reference: &Resolver,
    report: &mut ImportReport,
    unmerged: &mut Vec<(usize, String)>,
) -> HashMap<String, usize> {
    let g = reference.gazetteer();
    let mut winner: HashMap<PlaceId, usize> = HashMap::new();
    for (i, m) in matches.iter().enumerate() {
        if let Some((place, score)) = *m {
            let w = winner.entry(place).or_insert(i);
            if matches[*w].is_some_and(|(_, s)| score > s) {
                *w = i;
            }
        }
    }
    let mut countries: HashMap<String, usize> = HashMap::new();
    for (i, m) in matches.iter().enumerate() {
        let Some((place, _)) = *m else { continue };
        let p = g.place(place);
        let w = winner[&place];
        if w != i {
            unmerged.push((
                boundaries[i].number,
                format!(
                    "{}: matches {} ({}), which {} matches better",
                    labels[i], p.name, p.id, labels[w]
                ),
            ));
            continue;
        }
        let out = &mut report.places[i];
        for n in std::iter::once(p.name).chain(p.alt_names()) {
            let n = clean_name(n);
            if !n.is_empty() && !n.contains('|') && n != out.name && !out.alt_names.contains(&n) {
                out.alt_names.push(n);
            }
        }
        out.population = p.population;
        *countries.entry(p.country.to_ascii_uppercase()).or_default() += 1;
        report.merged += 1;
    }
    countries
}

/// The country most boundaries matched (the first in order of equals).
fn most_common_country(countries: &HashMap<String, usize>) -> Result<String> {
    let mut by_count: Vec<(&String, &usize)> = countries.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    match by_count.first() {
        Some((c, _)) => Ok((*c).clone()),
        None => Err(Error::Invalid(
            "no boundary matched the reference gazetteer, so the country is unknown: pass \
             --country CC"
                .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64) -> geo::MultiPolygon<f64> {
        geo::MultiPolygon(vec![geo::Polygon::new(
            geo::LineString::from(vec![(x, y), (x + 1.0, y), (x + 1.0, y + 1.0), (x, y + 1.0)]),
            vec![],
        )])
    }

    #[test]
    fn a_reference_place_merges_into_its_best_boundary_only() {
        let reference = Gazetteer::from_csv_reader(
            "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
             r:1,Nahrīn,district,AF,Baghlan,,36.0,69.1,500,Nahrin|Narin\n"
                .as_bytes(),
            "<test>",
        )
        .unwrap();
        let resolver = Resolver::new(reference).unwrap();
        let b = |number: usize, name: &str, x: f64| Boundary {
            number,
            name: name.into(),
            shape_id: None,
            area: square(x, 35.0),
        };
        let boundaries = [b(1, "Nahreen", 60.0), b(2, "Nahrin", 62.0)];
        let options = ImportOptions {
            kind: Kind::District,
            country: None,
            file_stem: "t".into(),
            threshold: None,
        };
        let report = boundaries_to_places(&boundaries, None, &resolver, &options).unwrap();
        let ids: Vec<&str> = report.places.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["boundary:t:1", "boundary:t:2"]);
        // the exact spelling wins; the other keeps its polygon but gets no alternate names
        assert!(report.places[0].alt_names.is_empty());
        assert_eq!(report.places[1].alt_names, ["Nahrīn", "Narin"]);
        assert_eq!(report.places[1].population, Some(500));
        assert_eq!(report.merged, 1);
        assert_eq!(report.unmerged.len(), 1);
        assert!(report.unmerged[0].starts_with("Nahreen: matches Nahrīn (r:1), which Nahrin"));
        // interior point inside the square, country from the match
        let p = &report.places[1];
        assert!((62.0..63.0).contains(&p.lon.unwrap()) && (35.0..36.0).contains(&p.lat.unwrap()));
        assert_eq!(p.country, "AF");
    }

    #[test]
    fn names_are_trimmed_and_collapsed() {
        assert_eq!(clean_name(" Zanda  Jan\n"), "Zanda Jan");
        assert_eq!(clean_name("\tPul-e\u{a0}Khumri "), "Pul-e Khumri");
        assert_eq!(clean_name("   "), "");
    }
}
