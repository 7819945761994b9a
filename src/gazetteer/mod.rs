//! Places, their names and admin hierarchy, and the loaders that fill a [`Gazetteer`].

pub mod boundaries;
mod csv_loader;
mod csv_writer;
pub mod geonames;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::normalize::fold;

pub use csv_loader::CSV_COLUMNS;
pub use csv_writer::write_csv;

/// The embedded default gazetteer (Afghanistan), in the gazetteer CSV contract.
pub const EMBEDDED_CSV: &str = include_str!("../../gazetteer/afghanistan.csv");

/// Index of a place in its [`Gazetteer`].
pub type PlaceId = u32;

/// What kind of place a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A sovereign country.
    Country,
    /// A first-level unit.
    Province,
    /// A second-level unit.
    District,
    /// A large populated place.
    City,
    /// A middle-sized populated place.
    Town,
    /// A small populated place.
    Village,
    /// Any other named area.
    Region,
    /// Anything else.
    Other,
}

impl Kind {
    /// All kinds, in contract order.
    pub const ALL: [Kind; 8] = [
        Kind::Country,
        Kind::Province,
        Kind::District,
        Kind::City,
        Kind::Town,
        Kind::Village,
        Kind::Region,
        Kind::Other,
    ];

    /// The contract spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Country => "country",
            Kind::Province => "province",
            Kind::District => "district",
            Kind::City => "city",
            Kind::Town => "town",
            Kind::Village => "village",
            Kind::Region => "region",
            Kind::Other => "other",
        }
    }

    /// True for cities, towns and villages.
    pub fn is_populated_place(self) -> bool {
        matches!(self, Kind::City | Kind::Town | Kind::Village)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| {
                let all: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown kind {s:?} (expected one of {})", all.join(", "))
            })
    }
}

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
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    places: Vec<Place>,
}

impl Gazetteer {
    /// The embedded default gazetteer.
    pub fn embedded() -> Result<Self> {
        let places =
            csv_loader::read_places(EMBEDDED_CSV.as_bytes(), "<embedded afghanistan.csv>")?;
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
        Self::from_places(csv_loader::read_places(reader, source_name)?)
    }

    /// Builds a gazetteer from places, checking ids are unique and linking parents by name.
    pub fn from_places(mut places: Vec<Place>) -> Result<Self> {
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(places.len());
        for (i, p) in places.iter().enumerate() {
            if let Some(first) = seen.insert(p.id.as_str(), i) {
                return Err(Error::Invalid(format!(
                    "duplicate place id {:?} (places {} and {})",
                    p.id,
                    first + 1,
                    i + 1
                )));
            }
        }
        drop(seen);
        link_parents(&mut places);
        Ok(Gazetteer { places })
    }

    /// All places, in load order.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The place with this index.
    pub fn place(&self, id: PlaceId) -> &Place {
        &self.places[id as usize]
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// True when there are no places.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// The place with this contract id.
    pub fn find_id(&self, id: &str) -> Option<PlaceId> {
        self.places
            .iter()
            .position(|p| p.id == id)
            .map(|i| i as PlaceId)
    }

    /// True when `ancestor` contains `place` (country, province or district link).
    pub fn is_within(&self, place: PlaceId, ancestor: PlaceId) -> bool {
        self.place(place).parents.iter().any(|a| a == ancestor)
    }

    /// The point of a place, or of its nearest ancestor that has one; the flag is true when
    /// the point is an ancestor's.
    pub fn point_or_parent(&self, id: PlaceId) -> Option<((f64, f64), bool)> {
        let p = self.place(id);
        if let Some(pt) = p.point() {
            return Some((pt, false));
        }
        let parents = p.parents;
        [parents.district, parents.province, parents.country]
            .into_iter()
            .flatten()
            .find_map(|a| self.place(a).point())
            .map(|pt| (pt, true))
    }
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
