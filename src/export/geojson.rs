//! GeoJSON output: features built with the geojson crate from geo types, coordinates rounded
//! to 6 decimals, written as one RFC 7946 FeatureCollection per layer (no `crs` member).
//!
//! ```
//! use gazmap::export::geojson::{point_geometry, GeoJsonWriter};
//! let mut out = Vec::new();
//! let mut w = GeoJsonWriter::new(&mut out);
//! let feature = geojson::Feature {
//!     geometry: Some(point_geometry(69.123456789, 35.1)),
//!     ..Default::default()
//! };
//! w.write_feature(&feature)?;
//! w.finish()?;
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.contains("[69.123457,35.1]"));
//! # Ok::<(), gazmap::Error>(())
//! ```

use std::io::Write;

use geo::orient::{Direction, Orient};
use geo::MapCoords;
use wkt::TryFromWkt;

use crate::error::{Error, Result};

/// Decimal places kept in output coordinates (about 0.1 m).
pub const DECIMALS: i32 = 6;

/// Rounds a coordinate value to [`DECIMALS`] places.
pub fn round_coord(x: f64) -> f64 {
    let f = 10f64.powi(DECIMALS);
    let r = (x * f).round() / f;
    // no "-0.0" in output
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// A geometry with every coordinate rounded to [`DECIMALS`] places.
pub fn round_geometry(g: &geo::Geometry<f64>) -> geo::Geometry<f64> {
    g.map_coords(|c| geo::Coord {
        x: round_coord(c.x),
        y: round_coord(c.y),
    })
}

/// A GeoJSON point at `[lon, lat]`, rounded.
pub fn point_geometry(lon: f64, lat: f64) -> geojson::Geometry {
    geojson::Geometry::new_point([round_coord(lon), round_coord(lat)])
}

/// A GeoJSON geometry from a geo geometry, rounded, polygons wound as RFC 7946 asks
/// (exterior rings counterclockwise, holes clockwise).
pub fn geometry_from_geo(g: &geo::Geometry<f64>) -> geojson::Geometry {
    let g = match round_geometry(g) {
        geo::Geometry::Polygon(p) => geo::Geometry::Polygon(p.orient(Direction::Default)),
        geo::Geometry::MultiPolygon(m) => geo::Geometry::MultiPolygon(m.orient(Direction::Default)),
        other => other,
    };
    geojson::Geometry::new(geojson::GeometryValue::from(&g))
}

/// Parses the WKT `geometry` of a gazetteer place: a POLYGON or MULTIPOLYGON in lon/lat.
pub fn area_from_wkt(text: &str) -> std::result::Result<geo::Geometry<f64>, String> {
    let g = geo::Geometry::<f64>::try_from_wkt_str(text.trim()).map_err(|e| {
        let start: String = text.trim().chars().take(40).collect();
        format!("invalid WKT ({e}) in {start:?}")
    })?;
    match &g {
        geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_) => Ok(g),
        other => Err(format!(
            "expected a POLYGON or MULTIPOLYGON, found a {}",
            geometry_type(other)
        )),
    }
}

/// The GeoJSON type name of a geo geometry.
pub fn geometry_type(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) | geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::Polygon(_) | geo::Geometry::Rect(_) | geo::Geometry::Triangle(_) => {
            "Polygon"
        }
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
    }
}

/// Streams features into one RFC 7946 FeatureCollection.
pub struct GeoJsonWriter<W: Write> {
    inner: geojson::FeatureWriter<W>,
    count: usize,
}

impl<W: Write> GeoJsonWriter<W> {
    /// Starts a FeatureCollection on `writer`.
    pub fn new(writer: W) -> Self {
        GeoJsonWriter {
            inner: geojson::FeatureWriter::from_writer(writer),
            count: 0,
        }
    }

    /// Writes one feature.
    pub fn write_feature(&mut self, feature: &geojson::Feature) -> Result<()> {
        self.inner.write_feature(feature).map_err(write_error)?;
        self.count += 1;
        Ok(())
    }

    /// Closes the FeatureCollection and returns how many features it holds.
    pub fn finish(mut self) -> Result<usize> {
        self.inner.finish().map_err(write_error)?;
        self.inner.flush().map_err(write_error)?;
        Ok(self.count)
    }
}

fn write_error(e: geojson::Error) -> Error {
    match e {
        geojson::Error::Io(io) => Error::io("<GeoJSON output>", io),
        other => Error::Invalid(format!("writing GeoJSON: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wkt_polygons_only() {
        let p = area_from_wkt("POLYGON((69 35,70 35,70 36,69 35))").unwrap();
        assert_eq!(geometry_type(&p), "Polygon");
        let m = area_from_wkt("MULTIPOLYGON(((69 35,70 35,70 36,69 35)))").unwrap();
        assert_eq!(geometry_type(&m), "MultiPolygon");
        let e = area_from_wkt("POINT(69 35)").unwrap_err();
        assert!(e.contains("found a Point"), "{e}");
        let e = area_from_wkt("POLYGON((69 35,70").unwrap_err();
        assert!(e.contains("invalid WKT"), "{e}");
    }

    #[test]
    fn polygons_follow_the_right_hand_rule() {
        let cw = area_from_wkt("POLYGON((0 0,0 1,1 1,1 0,0 0))").unwrap();
        let g = geometry_from_geo(&cw);
        let geojson::GeometryValue::Polygon { coordinates } = g.value else {
            panic!("{g:?}")
        };
        let ring: Vec<Vec<f64>> = coordinates[0]
            .iter()
            .map(|p| p.as_slice().to_vec())
            .collect();
        // counterclockwise: signed area > 0
        let area: f64 = ring
            .windows(2)
            .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
            .sum();
        assert!(area > 0.0, "{ring:?}");
    }

    #[test]
    fn rounding_keeps_six_decimals_and_no_negative_zero() {
        assert_eq!(round_coord(69.1234564999), 69.123456);
        assert_eq!(round_coord(-0.0000001), 0.0);
        assert_eq!(round_coord(0.0).to_string(), "0");
    }

    #[test]
    fn empty_collection_is_valid() {
        let mut out = Vec::new();
        let n = GeoJsonWriter::new(&mut out).finish().unwrap();
        assert_eq!(n, 0);
        let fc: geojson::FeatureCollection = String::from_utf8(out)
            .unwrap()
            .parse::<geojson::GeoJson>()
            .unwrap()
            .try_into()
            .unwrap();
        assert!(fc.features.is_empty());
    }

    proptest! {
        /// GeoJSON written then read gives the same features (coordinates as rounded).
        #[test]
        fn written_then_read_gives_same_features(
            pts in proptest::collection::vec((-180.0f64..180.0, -90.0f64..90.0, "[a-zA-Z é,\"]{0,12}"), 0..8)
        ) {
            let features: Vec<geojson::Feature> = pts
                .iter()
                .enumerate()
                .map(|(i, (lon, lat, name))| {
                    let mut props = geojson::JsonObject::new();
                    props.insert("name".into(), name.clone().into());
                    geojson::Feature {
                        id: Some(geojson::feature::Id::Number((i as u64 + 1).into())),
                        geometry: Some(point_geometry(*lon, *lat)),
                        properties: Some(props),
                        ..Default::default()
                    }
                })
                .collect();
            let mut out = Vec::new();
            let mut w = GeoJsonWriter::new(&mut out);
            for f in &features {
                w.write_feature(f).unwrap();
            }
            w.finish().unwrap();
            let back: geojson::FeatureCollection = String::from_utf8(out)
                .unwrap()
                .parse::<geojson::GeoJson>()
                .unwrap()
                .try_into()
                .unwrap();
            prop_assert_eq!(back.features, features);
        }
    }
}
