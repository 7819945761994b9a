//! Places, their names and admin hierarchy, and the loaders that fill a [`Gazetteer`].

mod columns;
mod csv_loader;
mod csv_writer;
pub mod geonames;
pub mod stats;

use std::collections::HashMap;

use bytemuck::{Pod, Zeroable};
use std::path::Path;

use crate::error::{Error, Result};
use crate::flat::{Builder, Bytes, Heap, Sections, Span, Str, Tag, TextSpan, TEXT_OVER_4_GIB};
use crate::normalize::fold;

pub use crate::kind::Kind;

pub(crate) use columns::concat;
pub use columns::{place_values, PlaceColumn};
pub use csv_loader::{read_path as read_csv_places, CSV_COLUMNS};
pub use csv_writer::write_csv;

/// The embedded default gazetteer (Afghanistan), in the gazetteer CSV contract.
pub(crate) const EMBEDDED_CSV: &str = include_str!("../../gazetteer/afghanistan.csv");

/// Index of a place in its [`Gazetteer`].
pub type PlaceId = u32;

/// One place of the gazetteer.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Stable unique id (`geonames:1138958`, a P-code, …).
    pub id: String,
    /// Preferred Latin-script name.
    pub name: String,
    /// What kind of place it is.
    pub kind: Kind,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    /// Province name (empty for countries and provinces).
    pub admin1: String,
    /// District name for places inside a district.
    pub admin2: String,
    /// WGS84 latitude of a representative point.
    pub lat: Option<f64>,
    /// WGS84 longitude of a representative point.
    pub lon: Option<f64>,
    /// Population, where known.
    pub population: Option<u64>,
    /// Alternate names in any script.
    pub alt_names: Vec<String>,
    /// WKT polygon or multipolygon of an area.
    pub geometry: Option<String>,
    /// Links to the country, province and district that contain this place.
    pub parents: Parents,
}

/// The places that contain a place, linked by name after loading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parents {
    /// The country.
    pub country: Option<PlaceId>,
    /// The province (admin1).
    pub province: Option<PlaceId>,
    /// The district (admin2).
    pub district: Option<PlaceId>,
}

impl Parents {
    /// The linked ancestors, outermost first.
    pub fn iter(&self) -> impl Iterator<Item = PlaceId> {
        [self.country, self.province, self.district]
            .into_iter()
            .flatten()
    }
}

impl Place {
    /// The point of the place, if it has one.
    pub fn point(&self) -> Option<(f64, f64)> {
        Some((self.lon?, self.lat?))
    }
}

/// A set of places with their names and parent links.
///
/// The places live in flat arrays (see [`PlaceRef`]), built in memory from [`Place`]s or
/// memory-mapped from an index file; cloning shares them.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    bytes: Bytes,
    records: Span,
    alt_names: Span,
    heap: TextSpan,
    by_id: Span,
}

/// One place as the flat arrays store it; the layout is part of the index file format.
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct PlaceRecord {
    id: Str,
    name: Str,
    country: Str,
    admin1: Str,
    admin2: Str,
    geometry: Str,
    lat: f64,
    lon: f64,
    population: u64,
    alt_start: u32,
    alt_len: u32,
    parents: [u32; 3],
    kind: u8,
    /// [`HAS_LAT`], [`HAS_LON`], [`HAS_POPULATION`], [`HAS_GEOMETRY`]
    flags: u8,
    pad: [u8; 2],
}

const HAS_LAT: u8 = 1;
const HAS_LON: u8 = 2;
const HAS_POPULATION: u8 = 4;
const HAS_GEOMETRY: u8 = 8;
const NO_PARENT: u32 = u32::MAX;

/// What an id outside the gazetteer reads as.
static EMPTY_RECORD: PlaceRecord = PlaceRecord {
    id: Str::EMPTY,
    name: Str::EMPTY,
    country: Str::EMPTY,
    admin1: Str::EMPTY,
    admin2: Str::EMPTY,
    geometry: Str::EMPTY,
    lat: 0.0,
    lon: 0.0,
    population: 0,
    alt_start: 0,
    alt_len: 0,
    parents: [NO_PARENT; 3],
    kind: Kind::Other as u8,
    flags: 0,
    pad: [0; 2],
};

/// A place of a [`Gazetteer`], borrowed from its arrays.
#[derive(Debug, Clone, Copy)]
pub struct PlaceRef<'a> {
    /// Stable unique id (`geonames:1138958`, a P-code, …).
    pub id: &'a str,
    /// Preferred Latin-script name.
    pub name: &'a str,
    /// What kind of place it is.
    pub kind: Kind,
    /// ISO 3166-1 alpha-2 code.
    pub country: &'a str,
    /// Province name (empty for countries and provinces).
    pub admin1: &'a str,
    /// District name for places inside a district.
    pub admin2: &'a str,
    /// WGS84 latitude of a representative point.
    pub lat: Option<f64>,
    /// WGS84 longitude of a representative point.
    pub lon: Option<f64>,
    /// Population, where known.
    pub population: Option<u64>,
    /// WKT polygon or multipolygon of an area.
    pub geometry: Option<&'a str>,
    /// Links to the country, province and district that contain this place.
    pub parents: Parents,
    alt_names: &'a [Str],
    heap: &'a str,
}

impl<'a> PlaceRef<'a> {
    /// The point of the place, if it has one.
    pub fn point(&self) -> Option<(f64, f64)> {
        Some((self.lon?, self.lat?))
    }

    /// Alternate names in any script.
    pub fn alt_names(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let heap = self.heap;
        self.alt_names.iter().map(move |s| s.get(heap))
    }

    /// An owned copy.
    pub fn to_place(&self) -> Place {
        Place {
            id: self.id.to_string(),
            name: self.name.to_string(),
            kind: self.kind,
            country: self.country.to_string(),
            admin1: self.admin1.to_string(),
            admin2: self.admin2.to_string(),
            lat: self.lat,
            lon: self.lon,
            population: self.population,
            alt_names: self.alt_names().map(str::to_string).collect(),
            geometry: self.geometry.map(str::to_string),
            parents: self.parents,
        }
    }
}

impl Gazetteer {
    /// The embedded default gazetteer.
    pub fn embedded() -> Result<Self> {
        let places =
            csv_loader::read_places(EMBEDDED_CSV.as_bytes(), "<embedded afghanistan.csv>", b',')?;
        Self::from_places(places)
    }

    /// Loads a gazetteer CSV file.
    pub fn from_csv_path(path: &Path) -> Result<Self> {
        Self::from_places(csv_loader::read_path(path)?)
    }

    /// Loads several gazetteer CSV files as one gazetteer.
    pub fn from_csv_paths(paths: &[impl AsRef<Path>]) -> Result<Self> {
        let mut places = Vec::new();
        for p in paths {
            places.extend(csv_loader::read_path(p.as_ref())?);
        }
        Self::from_places(places)
    }

    /// Loads gazetteer CSV text read from `reader`; `source_name` names it in errors.
    pub fn from_csv_reader(reader: impl std::io::Read, source_name: &str) -> Result<Self> {
        Self::from_places(csv_loader::read_places(reader, source_name, b',')?)
    }

    /// Checks that [`Gazetteer::from_places`] would accept `places` (unique ids, at most
    /// 4 GiB of text), without building the gazetteer or copying the places.
    pub fn check_places(places: &[Place]) -> Result<()> {
        by_unique_id(places)?;
        let text: u64 = places
            .iter()
            .map(|p| {
                [&p.id, &p.name, &p.country, &p.admin1, &p.admin2]
                    .iter()
                    .map(|s| s.len())
                    .chain(p.geometry.as_ref().map(String::len))
                    .chain(p.alt_names.iter().map(String::len))
                    .sum::<usize>() as u64
            })
            .sum();
        if text > u64::from(u32::MAX) {
            return Err(Error::Invalid(TEXT_OVER_4_GIB.into()));
        }
        Ok(())
    }

    /// Builds a gazetteer from places, checking ids are unique and linking parents by name.
    pub fn from_places(mut places: Vec<Place>) -> Result<Self> {
        let by_id = by_unique_id(&places)?;
        link_parents(&mut places);
        let mut heap = Heap::default();
        let mut alts = Vec::new();
        let mut records = Vec::with_capacity(places.len());
        for p in &places {
            let alt_start = u32::try_from(alts.len())
                .map_err(|_| Error::Invalid("too many alternate names for one index".into()))?;
            for a in &p.alt_names {
                alts.push(heap.push(a)?);
            }
            let mut flags = 0;
            for (has, flag) in [
                (p.lat.is_some(), HAS_LAT),
                (p.lon.is_some(), HAS_LON),
                (p.population.is_some(), HAS_POPULATION),
                (p.geometry.is_some(), HAS_GEOMETRY),
            ] {
                if has {
                    flags |= flag;
                }
            }
            let parent = |p: Option<PlaceId>| p.unwrap_or(NO_PARENT);
            records.push(PlaceRecord {
                id: heap.push(&p.id)?,
                name: heap.push(&p.name)?,
                country: heap.push(&p.country)?,
                admin1: heap.push(&p.admin1)?,
                admin2: heap.push(&p.admin2)?,
                geometry: heap.push(p.geometry.as_deref().unwrap_or(""))?,
                lat: p.lat.unwrap_or(0.0),
                lon: p.lon.unwrap_or(0.0),
                population: p.population.unwrap_or(0),
                alt_start,
                alt_len: p.alt_names.len() as u32,
                parents: [
                    parent(p.parents.country),
                    parent(p.parents.province),
                    parent(p.parents.district),
                ],
                kind: p.kind as u8,
                flags,
                pad: [0; 2],
            });
        }
        let mut b = Builder::default();
        b.push(Tag::PlaceRecords, &records);
        b.push(Tag::PlaceAltNames, &alts);
        b.push(Tag::PlaceHeap, heap.bytes());
        b.push(Tag::PlaceById, &by_id);
        let (bytes, sections) = b.finish();
        Self::from_sections(bytes, &sections)
    }

    /// The gazetteer stored in `sections` of `bytes`.
    pub(crate) fn from_sections(bytes: Bytes, sections: &Sections) -> Result<Self> {
        let g = Gazetteer {
            records: sections.get::<PlaceRecord>(Tag::PlaceRecords)?,
            alt_names: sections.get::<Str>(Tag::PlaceAltNames)?,
            heap: TextSpan::check(&bytes, sections.get::<u8>(Tag::PlaceHeap)?)?,
            by_id: sections.get::<u32>(Tag::PlaceById)?,
            bytes,
        };
        if g.by_id().len() != g.records().len() {
            return Err(Error::Invalid(
                "the index's place tables disagree in length".into(),
            ));
        }
        Ok(g)
    }

    /// The sections to write to an index file.
    pub(crate) fn sections(&self) -> Vec<(Tag, &[u8])> {
        [
            (Tag::PlaceRecords, self.records),
            (Tag::PlaceAltNames, self.alt_names),
            (Tag::PlaceHeap, self.heap.span()),
            (Tag::PlaceById, self.by_id),
        ]
        .into_iter()
        .map(|(t, s)| (t, self.bytes.array::<u8>(s)))
        .collect()
    }

    fn records(&self) -> &[PlaceRecord] {
        self.bytes.array(self.records)
    }

    fn by_id(&self) -> &[u32] {
        self.bytes.array(self.by_id)
    }

    fn record(&self, id: PlaceId) -> &PlaceRecord {
        self.records().get(id as usize).unwrap_or(&EMPTY_RECORD)
    }

    /// All places, in load order.
    pub fn places(&self) -> impl ExactSizeIterator<Item = PlaceRef<'_>> + '_ {
        (0..self.len() as PlaceId).map(|i| self.place(i))
    }

    /// The place with this index.
    pub fn place(&self, id: PlaceId) -> PlaceRef<'_> {
        let r = self.record(id);
        let heap = self.heap.text();
        let has = |flag: u8| r.flags & flag != 0;
        let alts: &[Str] = self.bytes.array(self.alt_names);
        let alt_start = r.alt_start as usize;
        PlaceRef {
            id: r.id.get(heap),
            name: r.name.get(heap),
            kind: self.kind(id),
            country: r.country.get(heap),
            admin1: r.admin1.get(heap),
            admin2: r.admin2.get(heap),
            lat: has(HAS_LAT).then_some(r.lat),
            lon: has(HAS_LON).then_some(r.lon),
            population: has(HAS_POPULATION).then_some(r.population),
            geometry: has(HAS_GEOMETRY).then(|| r.geometry.get(heap)),
            parents: self.parents(id),
            alt_names: alts
                .get(alt_start..alt_start + r.alt_len as usize)
                .unwrap_or(&[]),
            heap,
        }
    }

    /// The kind of a place.
    pub fn kind(&self, id: PlaceId) -> Kind {
        let k = self.record(id).kind;
        Kind::ALL
            .get(usize::from(k))
            .copied()
            .unwrap_or(Kind::Other)
    }

    /// The places that contain a place.
    pub fn parents(&self, id: PlaceId) -> Parents {
        let n = self.len();
        let link = |p: u32| (p != NO_PARENT && (p as usize) < n).then_some(p);
        let [country, province, district] = self.record(id).parents;
        Parents {
            country: link(country),
            province: link(province),
            district: link(district),
        }
    }

    /// The gazetteer's id of a place, as [`Gazetteer::place`] gives it (without reading the
    /// rest of the place).
    pub(crate) fn place_id(&self, id: PlaceId) -> &str {
        self.record(id).id.get(self.heap.text())
    }

    /// The population of a place, where known.
    pub fn population(&self, id: PlaceId) -> Option<u64> {
        let r = self.record(id);
        (r.flags & HAS_POPULATION != 0).then_some(r.population)
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        self.records().len()
    }

    /// True when there are no places.
    pub fn is_empty(&self) -> bool {
        self.records().is_empty()
    }

    /// The place with this contract id.
    pub fn find_id(&self, id: &str) -> Option<PlaceId> {
        let by_id = self.by_id();
        by_id
            .binary_search_by(|&p| self.place(p).id.cmp(id))
            .ok()
            .map(|i| by_id[i])
    }

    /// True when `ancestor` contains `place` (country, province or district link).
    pub fn is_within(&self, place: PlaceId, ancestor: PlaceId) -> bool {
        self.parents(place).iter().any(|a| a == ancestor)
    }

    /// True for a district created after the 2005 set of 398: a district row whose `admin2`
    /// names the district it was carved from.
    pub fn is_newer_district(&self, id: PlaceId) -> bool {
        let p = self.place(id);
        p.kind == Kind::District && !p.admin2.is_empty()
    }

    /// The gazetteer without the districts created after 2005 ([`Self::is_newer_district`]),
    /// for data that uses the 398-district set (ACLED, OCHA before 2021).
    pub fn without_newer_districts(&self) -> Result<Gazetteer> {
        let places = (0..self.len() as PlaceId)
            .filter(|&i| !self.is_newer_district(i))
            .map(|i| self.place(i).to_place())
            .collect();
        Gazetteer::from_places(places)
    }

    /// The point of a place, or of its nearest ancestor that has one; the flag is true when
    /// the point is an ancestor's.
    pub fn point_or_parent(&self, id: PlaceId) -> Option<((f64, f64), bool)> {
        if let Some(pt) = self.place(id).point() {
            return Some((pt, false));
        }
        let parents = self.parents(id);
        [parents.district, parents.province, parents.country]
            .into_iter()
            .flatten()
            .find_map(|a| self.place(a).point())
            .map(|pt| (pt, true))
    }
}

/// The places' positions in id order; an error names the first duplicate id.
fn by_unique_id(places: &[Place]) -> Result<Vec<u32>> {
    let mut by_id: Vec<u32> = (0..places.len() as u32).collect();
    by_id.sort_by(|&a, &b| places[a as usize].id.cmp(&places[b as usize].id));
    for w in by_id.windows(2) {
        let (a, b) = (w[0] as usize, w[1] as usize);
        if places[a].id == places[b].id {
            return Err(Error::Invalid(format!(
                "duplicate place id {:?} (places {} and {})",
                places[a].id,
                a + 1,
                b + 1
            )));
        }
    }
    Ok(by_id)
}

fn link_parents(places: &mut [Place]) {
    let mut countries = HashMap::new();
    let mut provinces = HashMap::new();
    let mut districts = HashMap::new();
    for (i, p) in places.iter().enumerate() {
        let i = i as PlaceId;
        let cc = p.country.to_ascii_uppercase();
        match p.kind {
            Kind::Country => {
                countries.entry(cc).or_insert(i);
            }
            Kind::Province => {
                provinces.entry((cc, fold(&p.name))).or_insert(i);
            }
            Kind::District => {
                districts
                    .entry((cc, fold(&p.admin1), fold(&p.name)))
                    .or_insert(i);
            }
            _ => {}
        }
    }
    for (i, p) in places.iter_mut().enumerate() {
        let i = i as PlaceId;
        let cc = p.country.to_ascii_uppercase();
        let a1 = fold(&p.admin1);
        let a2 = fold(&p.admin2);
        let mut parents = Parents {
            country: countries.get(&cc).copied(),
            ..Parents::default()
        };
        if !a1.is_empty() {
            parents.province = provinces.get(&(cc.clone(), a1.clone())).copied();
        }
        if !a2.is_empty() {
            parents.district = districts.get(&(cc, a1, a2)).copied();
        }
        // a place is never its own parent
        for slot in [
            &mut parents.country,
            &mut parents.province,
            &mut parents.district,
        ] {
            if *slot == Some(i) {
                *slot = None;
            }
        }
        p.parents = parents;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Validation};
    use wkt::TryFromWkt;

    /// Every province and district of the embedded gazetteer has a point and a valid polygon
    /// (GEOS-style validity as `geo` checks it, after the 5-decimal rounding) holding it.
    #[test]
    fn embedded_areas_have_a_valid_polygon_holding_their_point() {
        let g = Gazetteer::embedded().unwrap();
        let (mut areas, mut newer, mut own_point) = (0, 0, 0);
        for p in g.places() {
            if !matches!(p.kind, Kind::Province | Kind::District) {
                continue;
            }
            if let Some(parent) = p.parents.district {
                // a district carved after 2005: no polygon of its own; the point its source
                // prints, inside its parent's polygon, or else its parent's
                let parent = g.place(parent);
                assert_eq!(parent.kind, Kind::District, "{}", p.name);
                assert_eq!(parent.admin1, p.admin1, "{}", p.name);
                assert!(p.geometry.is_none(), "{}", p.name);
                let id = g.find_id(p.id).unwrap();
                match p.point() {
                    None => {
                        assert_eq!(g.point_or_parent(id), Some((parent.point().unwrap(), true)))
                    }
                    Some((lon, lat)) => {
                        let wkt = parent.geometry.unwrap();
                        let area = geo::Geometry::<f64>::try_from_wkt_str(wkt).unwrap();
                        assert!(
                            area.contains(&geo::Point::new(lon, lat)),
                            "{}: point {lat},{lon} outside its parent {}",
                            p.name,
                            parent.name
                        );
                        assert_eq!(g.point_or_parent(id), Some(((lon, lat), false)));
                        own_point += 1;
                    }
                }
                newer += 1;
                continue;
            }
            let id = g.find_id(p.id).unwrap();
            if g.is_newer_district(id) {
                // a district carved after 2005 from a district no source names: its province
                // stands for the parent (in admin2), and it takes the province's point
                assert_eq!(p.admin2, p.admin1, "{}", p.name);
                assert!(p.geometry.is_none() && p.point().is_none(), "{}", p.name);
                let province = g.place(p.parents.province.unwrap());
                assert_eq!(
                    g.point_or_parent(id),
                    Some((province.point().unwrap(), true))
                );
                newer += 1;
                continue;
            }
            areas += 1;
            let what = format!("{} {} ({})", p.kind, p.name, p.id);
            let (lon, lat) = p.point().unwrap_or_else(|| panic!("{what}: no point"));
            let wkt = p.geometry.unwrap_or_else(|| panic!("{what}: no polygon"));
            let area = geo::Geometry::<f64>::try_from_wkt_str(wkt)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            if let Err(e) = area.check_validation() {
                panic!("{what}: invalid polygon: {e}");
            }
            let polygons = match &area {
                geo::Geometry::Polygon(p) => vec![p.clone()],
                geo::Geometry::MultiPolygon(m) => m.0.clone(),
                other => panic!("{what}: {other:?} is not an area"),
            };
            for ring in polygons
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            {
                assert!(
                    ring.0.len() >= 4,
                    "{what}: a ring of {} points",
                    ring.0.len()
                );
            }
            assert!(
                area.contains(&geo::Point::new(lon, lat)),
                "{what}: point {lat},{lon} outside its polygon"
            );
        }
        assert_eq!(areas, 34 + 398);
        // gazetteer/new_districts.csv: 18 rows, 2 of them (Aqtash, Delaram) with a sourced point,
        // 4 (Spinghar, Chinarto, Bad Pukh, Abshar) with no parent named
        assert_eq!((newer, own_point), (18, 2));
        assert_eq!(g.without_newer_districts().unwrap().len(), g.len() - newer);
    }
}
