//! A place's columns: the fields every output writes for a place, each with one spelling and
//! one way of writing its value. Each output lists the columns it writes, in its contract's
//! order; the values come from here.
//!
//! ```
//! use gazmap::gazetteer::{place_values, Gazetteer, PlaceColumn::*};
//! let g = Gazetteer::embedded()?;
//! let kunduz = g.places().find(|p| p.name == "Kunduz").unwrap();
//! let [name, country, lat] = place_values([Name, Country, Lat], Some(&kunduz), kunduz.point());
//! assert_eq!((name.as_str(), country.as_str()), ("Kunduz", "AF"));
//! assert_eq!(lat.split('.').nth(1).map(str::len), Some(6));
//! # Ok::<(), gazmap::Error>(())
//! ```

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::PlaceRef;

/// One column of a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceColumn {
    /// The place's id.
    Id,
    /// Its preferred name.
    Name,
    /// Its kind.
    Kind,
    /// Its ISO 3166-1 alpha-2 country code.
    Country,
    /// Its province.
    Admin1,
    /// Its district.
    Admin2,
    /// The latitude of its point.
    Lat,
    /// The longitude of its point.
    Lon,
}

impl PlaceColumn {
    /// Every column, in the gazetteer CSV's order (also that of `resolve`'s CSV and JSON).
    pub const ALL: [PlaceColumn; 8] = {
        use PlaceColumn::*;
        [Id, Name, Kind, Country, Admin1, Admin2, Lat, Lon]
    };

    /// The names of [`PlaceColumn::ALL`], in order.
    pub const NAMES: [&'static str; 8] = PlaceColumn::names(PlaceColumn::ALL);

    /// The names of `columns`, in order.
    pub const fn names<const N: usize>(columns: [PlaceColumn; N]) -> [&'static str; N] {
        let mut names = [""; N];
        let mut i = 0;
        while i < N {
            names[i] = columns[i].name();
            i += 1;
        }
        names
    }

    /// The column's name: `id`, `name`, `kind`, `country`, `admin1`, `admin2`, `lat`, `lon`.
    pub const fn name(self) -> &'static str {
        match self {
            PlaceColumn::Id => "id",
            PlaceColumn::Name => "name",
            PlaceColumn::Kind => "kind",
            PlaceColumn::Country => "country",
            PlaceColumn::Admin1 => "admin1",
            PlaceColumn::Admin2 => "admin2",
            PlaceColumn::Lat => "lat",
            PlaceColumn::Lon => "lon",
        }
    }

    /// The column's text for `place`; `None` for the coordinates, which are numbers.
    pub fn text<'a>(self, place: &PlaceRef<'a>) -> Option<&'a str> {
        match self {
            PlaceColumn::Id => Some(place.id),
            PlaceColumn::Name => Some(place.name),
            PlaceColumn::Kind => Some(place.kind.as_str()),
            PlaceColumn::Country => Some(place.country),
            PlaceColumn::Admin1 => Some(place.admin1),
            PlaceColumn::Admin2 => Some(place.admin2),
            PlaceColumn::Lat | PlaceColumn::Lon => None,
        }
    }

    /// The column's value for `place` as the CSV outputs write it: text as it is, the
    /// coordinates of `point` (`(lon, lat)`: the place's own, or an ancestor's where the
    /// output says so) to 6 decimals; empty for no place or no point.
    pub fn value(self, place: Option<&PlaceRef<'_>>, point: Option<(f64, f64)>) -> String {
        let Some(p) = place else {
            return String::new();
        };
        let coordinate = match self {
            PlaceColumn::Lat => point.map(|pt| pt.1),
            PlaceColumn::Lon => point.map(|pt| pt.0),
            text => return text.text(p).unwrap_or_default().to_string(),
        };
        coordinate.map(|x| format!("{x:.6}")).unwrap_or_default()
    }
}

/// The values of `columns` for `place`, as [`PlaceColumn::value`] writes each.
pub fn place_values<const N: usize>(
    columns: [PlaceColumn; N],
    place: Option<&PlaceRef<'_>>,
    point: Option<(f64, f64)>,
) -> [String; N] {
    columns.map(|c| c.value(place, point))
}

/// Joins two lists of column names into one (for headers built from [`PlaceColumn::NAMES`]).
///
/// # Panics
/// At compile time, when `N` is not `A + B`.
pub const fn concat<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "N must be A + B");
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < A { a[i] } else { b[i - A] };
        i += 1;
    }
    out
}

/// A place serializes as its [`PlaceColumn::ALL`] columns (`lat` and `lon` numbers or null),
/// as `resolve --format json` writes it.
impl Serialize for PlaceRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Place", PlaceColumn::ALL.len())?;
        for c in PlaceColumn::ALL {
            let name = c.name();
            match c {
                PlaceColumn::Lat => s.serialize_field(name, &self.lat)?,
                PlaceColumn::Lon => s.serialize_field(name, &self.lon)?,
                text => s.serialize_field(name, text.text(self).unwrap_or_default())?,
            }
        }
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_gazetteer_csv() {
        assert_eq!(
            PlaceColumn::NAMES,
            ["id", "name", "kind", "country", "admin1", "admin2", "lat", "lon"]
        );
        let joined: [&str; 3] = concat(["a"], ["b", "c"]);
        assert_eq!(joined, ["a", "b", "c"]);
    }

    #[test]
    fn no_place_is_empty_columns() {
        let values = place_values(PlaceColumn::ALL, None, Some((1.0, 2.0)));
        assert!(values.iter().all(String::is_empty));
    }
}
