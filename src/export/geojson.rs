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
pub(crate) fn round_coord(x: f64) -> f64 {
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
pub(crate) fn round_geometry(g: &geo::Geometry<f64>) -> geo::Geometry<f64> {
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
/// (exterior rings counterclockwise, holes clockwise); `None` when nothing is left of it.
///
/// Rounding can collapse a small ring (its points merge, or fall on one line): such a part
/// or hole is dropped and the rest kept, so every polygon written is valid (OGC simple
/// features, as GEOS and `geo` check it) when the source was.
pub fn geometry_from_geo(g: &geo::Geometry<f64>) -> Option<geojson::Geometry> {
    let g = match round_geometry(g) {
        geo::Geometry::Polygon(p) => {
            geo::Geometry::Polygon(clean_polygon(p)?.orient(Direction::Default))
        }
        geo::Geometry::MultiPolygon(m) => {
            let parts: Vec<geo::Polygon<f64>> = m.0.into_iter().filter_map(clean_polygon).collect();
            if parts.is_empty() {
                return None;
            }
            geo::Geometry::MultiPolygon(geo::MultiPolygon(parts).orient(Direction::Default))
        }
        other => other,
    };
    Some(geojson::Geometry::new(geojson::GeometryValue::from(&g)))
}

/// A rounded polygon without repeated points and without collapsed rings (fewer than three
/// distinct points, or no area); `None` when the exterior collapsed or the part is still
/// invalid.
fn clean_polygon(p: geo::Polygon<f64>) -> Option<geo::Polygon<f64>> {
    use geo::Validation;
    let (exterior, interiors) = p.into_inner();
    let exterior = clean_ring(exterior)?;
    let interiors = interiors.into_iter().filter_map(clean_ring).collect();
    let p = geo::Polygon::new(exterior, interiors);
    p.is_valid().then_some(p)
}

/// A closed ring without consecutive repeated points; `None` when it has no area left.
fn clean_ring(ring: geo::LineString<f64>) -> Option<geo::LineString<f64>> {
    use geo::Area;
    let mut coords: Vec<geo::Coord<f64>> = Vec::with_capacity(ring.0.len());
    for c in ring.0 {
        if coords.last() != Some(&c) {
            coords.push(c);
        }
    }
    if coords.len() > 1 && coords.first() == coords.last() {
        coords.pop();
    }
    if coords.len() < 3 {
        return None;
    }
    let first = coords[0];
    coords.push(first);
    let ring = geo::LineString(coords);
    let area = geo::Polygon::new(ring.clone(), vec![]).unsigned_area();
    (area > 0.0).then_some(ring)
}

/// Parses the WKT `geometry` of a gazetteer place: a POLYGON or MULTIPOLYGON in lon/lat.
pub(crate) fn area_from_wkt(text: &str) -> std::result::Result<geo::Geometry<f64>, String> {
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
pub(crate) fn geometry_type(g: &geo::Geometry<f64>) -> &'static str {
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

/// Streams features into one RFC 7946 FeatureCollection: each feature serialized by the
/// geojson crate as it comes, the collection framed as its `FeatureWriter` frames it (which
/// does not give its writer back, so a finished layer could not be committed).
pub struct GeoJsonWriter<W: Write> {
    writer: W,
    count: usize,
}

impl<W: Write> GeoJsonWriter<W> {
    /// Starts a FeatureCollection on `writer`.
    pub fn new(writer: W) -> Self {
        GeoJsonWriter { writer, count: 0 }
    }

    /// Writes one feature.
    pub fn write_feature(&mut self, feature: &geojson::Feature) -> Result<()> {
        let sep: &[u8] = if self.count == 0 { PREFIX } else { b"," };
        self.writer.write_all(sep).map_err(io_error)?;
        serde_json::to_writer(&mut self.writer, feature).map_err(|e| {
            if e.is_io() {
                Error::io("<GeoJSON output>", std::io::Error::from(e))
            } else {
                Error::Invalid(format!("writing GeoJSON: {e}"))
            }
        })?;
        self.count += 1;
        Ok(())
    }

    /// How many features were written so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Closes the FeatureCollection and returns how many features it holds.
    pub fn finish(self) -> Result<usize> {
        let count = self.count;
        self.finish_into()?;
        Ok(count)
    }

    /// Closes the FeatureCollection and gives the writer back, flushed.
    pub fn finish_into(mut self) -> Result<W> {
        if self.count == 0 {
            self.writer.write_all(PREFIX).map_err(io_error)?;
        }
        self.writer.write_all(b"]}").map_err(io_error)?;
        self.writer.flush().map_err(io_error)?;
        Ok(self.writer)
    }
}

const PREFIX: &[u8] = br#"{ "type": "FeatureCollection", "features": ["#;

fn io_error(e: std::io::Error) -> Error {
    Error::io("<GeoJSON output>", e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_failed_write_is_not_called_deserializing() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::from_raw_os_error(28))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut w = GeoJsonWriter::new(Full);
        let f = geojson::Feature {
            geometry: Some(point_geometry(69.0, 35.0)),
            ..Default::default()
        };
        let msg = w.write_feature(&f).unwrap_err().to_string();
        assert!(msg.contains("No space left on device"), "{msg}");
        assert!(!msg.contains("deserializing"), "{msg}");
    }

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
        let g = geometry_from_geo(&cw).unwrap();
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
    fn rounding_drops_collapsed_parts_and_keeps_the_rest() {
        use geo::Validation;
        // the second part of Koshk (geoBoundaries ADM2) collapses at 6 decimals
        let m = area_from_wkt(
            "MULTIPOLYGON(((62 35,62.5 35,62.5 35.5,62 35)),\
             ((62.0075972 35.4460461,62.0075781 35.4460502,62.0075779 35.4460498,62.0075972 35.4460461)))",
        )
        .unwrap();
        assert!(m.is_valid());
        let g = geometry_from_geo(&m).unwrap();
        let back: geo::Geometry<f64> = g.try_into().unwrap();
        let geo::Geometry::MultiPolygon(parts) = &back else {
            panic!("{back:?}")
        };
        assert_eq!(parts.0.len(), 1, "{parts:?}");
        assert!(back.is_valid(), "{back:?}");
        // a polygon that collapses whole is nothing, and a hole that collapses is dropped
        let tiny = area_from_wkt("POLYGON((62 35,62.0000001 35,62 35.0000001,62 35))").unwrap();
        assert!(geometry_from_geo(&tiny).is_none());
        let holed = area_from_wkt(
            "POLYGON((0 0,1 0,1 1,0 1,0 0),(0.5 0.5,0.5000001 0.5,0.5 0.5000001,0.5 0.5))",
        )
        .unwrap();
        let g: geo::Geometry<f64> = geometry_from_geo(&holed).unwrap().try_into().unwrap();
        let geo::Geometry::Polygon(p) = g else {
            panic!()
        };
        assert!(p.interiors().is_empty());
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
        assert!(read_back(out).features.is_empty());
    }

    /// The FeatureCollection a writer wrote.
    fn read_back(out: Vec<u8>) -> geojson::FeatureCollection {
        let text = String::from_utf8(out).unwrap();
        let json = text.parse::<geojson::GeoJson>().unwrap();
        json.try_into().unwrap()
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
            prop_assert_eq!(read_back(out).features, features);
        }
    }
}
