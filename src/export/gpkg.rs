//! GeoPackage output (OGC 12-128r18, version 1.3) through SQLite (rusqlite, bundled): one
//! `layers.gpkg` with a feature table per layer, typed columns (`DATE`, `INTEGER`, `REAL`,
//! `TEXT`), an R-tree spatial index per table (the `gpkg_rtree_index` extension) and a QGIS
//! `layer_styles` table holding a style per layer, so QGIS opens the layers styled.
//!
//! The file is built in the output set's staging folder and moved into place with the run's
//! other files, so a failed run leaves the previous `layers.gpkg` as it was.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use geo::BoundingRect;
use geojson::{JsonObject, JsonValue};
use rusqlite::{params, Connection};

use super::layers::ColumnType;
use super::style::event_colour;
use crate::error::{Error, Result};

/// The file name of the GeoPackage in the output directory.
pub const GPKG_FILE: &str = "layers.gpkg";

/// The geometry column of every feature table.
const GEOM: &str = "geom";

/// EPSG:4326 as the GeoPackage spec's example row defines it.
const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

/// What a layer's table is made of.
#[derive(Debug, Clone)]
pub(crate) struct TableSpec {
    /// The table (layer) name.
    pub name: String,
    /// The property names and their SQL types, in order.
    pub columns: Vec<(String, SqlType)>,
    /// Whether the layer holds points, polygons (or both).
    pub points: bool,
    /// Whether the layer holds polygons or multipolygons.
    pub polygons: bool,
    /// Whether its polygons are all written as MultiPolygons.
    pub multi: bool,
    /// The event types in the layer (for the style's categories), at most [`MAX_CATEGORIES`].
    pub events: BTreeSet<String>,
    /// The property holding the event type, if any.
    pub event_property: Option<String>,
}

/// Most event types a layer style colours apart; the rest share one colour.
pub const MAX_CATEGORIES: usize = 24;

/// A column's SQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqlType {
    /// `TEXT`.
    Text,
    /// `INTEGER` (64-bit).
    Integer,
    /// `REAL`.
    Real,
    /// `DATE` (ISO 8601 `YYYY-MM-DD` text, as the spec stores dates).
    Date,
}

impl SqlType {
    fn sql(self) -> &'static str {
        match self {
            SqlType::Text => "TEXT",
            SqlType::Integer => "INTEGER",
            SqlType::Real => "REAL",
            SqlType::Date => "DATE",
        }
    }
}

impl From<ColumnType> for SqlType {
    fn from(t: ColumnType) -> SqlType {
        match t {
            ColumnType::Text => SqlType::Text,
            ColumnType::Integer => SqlType::Integer,
            ColumnType::Real => SqlType::Real,
        }
    }
}

/// A GeoPackage being written.
pub(crate) struct GpkgWriter {
    conn: Connection,
    tmp: PathBuf,
    path: PathBuf,
    tables: Vec<Table>,
    timestamp: String,
}

struct Table {
    spec: TableSpec,
    insert: String,
    sql_names: Vec<String>,
    extent: Option<geo::Rect<f64>>,
    features: usize,
}

fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> Error {
    let path = path.to_path_buf();
    move |e| Error::Invalid(format!("{}: writing the GeoPackage: {e}", path.display()))
}

/// A double-quoted SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the GeoPackage's own tables (spatial reference systems, contents, geometry
/// columns, tiles, extensions, QGIS's layer styles) and its reference systems.
fn create_schema(conn: &Connection, err: &impl Fn(rusqlite::Error) -> Error) -> Result<()> {
    conn.execute_batch(
            "BEGIN;
             CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
               organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
               definition TEXT NOT NULL, description TEXT);
             CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
               identifier TEXT UNIQUE, description TEXT DEFAULT '',
               last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
               min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
               CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
             CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
               geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
               CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
               CONSTRAINT uk_gc_table_name UNIQUE (table_name),
               CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
               CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
             CREATE TABLE gpkg_tile_matrix_set (table_name TEXT NOT NULL PRIMARY KEY, srs_id INTEGER NOT NULL,
               min_x DOUBLE NOT NULL, min_y DOUBLE NOT NULL, max_x DOUBLE NOT NULL, max_y DOUBLE NOT NULL,
               CONSTRAINT fk_gtms_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
               CONSTRAINT fk_gtms_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
             CREATE TABLE gpkg_tile_matrix (table_name TEXT NOT NULL, zoom_level INTEGER NOT NULL,
               matrix_width INTEGER NOT NULL, matrix_height INTEGER NOT NULL, tile_width INTEGER NOT NULL,
               tile_height INTEGER NOT NULL, pixel_x_size DOUBLE NOT NULL, pixel_y_size DOUBLE NOT NULL,
               CONSTRAINT pk_ttm PRIMARY KEY (table_name, zoom_level),
               CONSTRAINT fk_tmm_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name));
             CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
               definition TEXT NOT NULL, scope TEXT NOT NULL,
               CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
             CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
               f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256),
               styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN,
               description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME);",
        )
        .map_err(err)?;
    conn.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES
             ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
             ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
             ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
            params![WGS84_WKT],
        )
        .map_err(err)?;
    Ok(())
}

/// Creates a layer's feature table (its columns named apart as SQLite compares names), its
/// contents and geometry column rows and its R-tree, and gives the table with its insert
/// statement.
fn create_table(
    conn: &Connection,
    err: &impl Fn(rusqlite::Error) -> Error,
    spec: TableSpec,
    timestamp: &str,
) -> Result<Table> {
    let geometry_type = match (spec.points, spec.polygons, spec.multi) {
        (true, false, _) => "POINT",
        (false, true, false) => "POLYGON",
        (false, true, true) => "MULTIPOLYGON",
        _ => "GEOMETRY",
    };
    // SQLite column names ignore case: a second `Kind` beside `kind` gets a suffix
    let mut taken: Vec<String> = vec!["fid".into(), GEOM.into()];
    let mut sql_names = Vec::with_capacity(spec.columns.len());
    for (name, _) in &spec.columns {
        let mut n = name.clone();
        let mut k = 2;
        while taken.iter().any(|t| t.eq_ignore_ascii_case(&n)) {
            n = format!("{name}_{k}");
            k += 1;
        }
        taken.push(n.clone());
        sql_names.push(n);
    }
    let cols: Vec<String> = sql_names
        .iter()
        .zip(&spec.columns)
        .map(|(n, (_, t))| format!("{} {}", ident(n), t.sql()))
        .collect();
    let t = ident(&spec.name);
    conn.execute_batch(&format!(
                "CREATE TABLE {t} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {GEOM} {geometry_type}{}{});",
                if cols.is_empty() { "" } else { ", " },
                cols.join(", ")
            ))
            .map_err(err)?;
    conn.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id)
                 VALUES (?1, 'features', ?1, '', ?2, 4326)",
                params![spec.name, timestamp],
            )
            .map_err(err)?;
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, ?2, ?3, 4326, 0, 0)",
        params![spec.name, GEOM, geometry_type],
    )
    .map_err(err)?;
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy);",
        ident(&format!("rtree_{}_{GEOM}", spec.name))
    ))
    .map_err(err)?;
    conn.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, ?2, 'gpkg_rtree_index',
                 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        params![spec.name, GEOM],
    )
    .map_err(err)?;
    let placeholders: Vec<String> = (0..sql_names.len() + 2)
        .map(|i| format!("?{}", i + 1))
        .collect();
    let insert = format!(
        "INSERT INTO {t} (fid, {GEOM}{}{}) VALUES ({})",
        if sql_names.is_empty() { "" } else { ", " },
        sql_names
            .iter()
            .map(|n| ident(n))
            .collect::<Vec<_>>()
            .join(", "),
        placeholders.join(", ")
    );
    Ok(Table {
        spec,
        insert,
        sql_names,
        extent: None,
        features: 0,
    })
}

impl GpkgWriter {
    /// Starts a GeoPackage at `at` (a file of an output set's staging folder) shown as
    /// `path` in messages, with a table per layer.
    pub fn create(at: &Path, path: &Path, tables: Vec<TableSpec>) -> Result<GpkgWriter> {
        let (tmp, path) = (at.to_path_buf(), path.to_path_buf());
        let conn = Connection::open(&tmp).map_err(sql_error(&path))?;
        let err = sql_error(&path);
        // application_id 'GPKG', version 1.3.0; the file is private until it is moved in
        conn.execute_batch(
            "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;
             PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 4096;",
        )
        .map_err(&err)?;
        create_schema(&conn, &err)?;
        let timestamp = timestamp();
        let mut out = Vec::with_capacity(tables.len());
        for spec in tables {
            out.push(create_table(&conn, &err, spec, &timestamp)?);
        }
        Ok(GpkgWriter {
            conn,
            tmp,
            path,
            tables: out,
            timestamp,
        })
    }

    /// Writes one feature (its id, geometry and properties) to the table of layer `layer`
    /// (an index into the tables given to [`GpkgWriter::create`]).
    pub fn insert(
        &mut self,
        layer: usize,
        fid: u64,
        geometry: &geojson::Geometry,
        properties: &JsonObject,
    ) -> Result<()> {
        let err = sql_error(&self.path);
        let table = &mut self.tables[layer];
        let g: geo::Geometry<f64> = geometry
            .clone()
            .try_into()
            .map_err(|e| Error::Invalid(format!("feature {fid}: geometry: {e}")))?;
        let bbox = g.bounding_rect();
        let blob = gpkg_blob(&g, bbox);
        let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(table.sql_names.len() + 2);
        values.push((fid as i64).into());
        values.push(blob.into());
        for (name, _) in &table.spec.columns {
            values.push(match properties.get(name) {
                None | Some(JsonValue::Null) => rusqlite::types::Value::Null,
                Some(JsonValue::String(s)) => s.clone().into(),
                Some(JsonValue::Bool(b)) => (*b as i64).into(),
                Some(JsonValue::Number(n)) => match n.as_i64() {
                    Some(i) => i.into(),
                    None => n.as_f64().unwrap_or(f64::NAN).into(),
                },
                Some(other) => other.to_string().into(),
            });
        }
        let mut stmt = self.conn.prepare_cached(&table.insert).map_err(&err)?;
        stmt.execute(rusqlite::params_from_iter(values))
            .map_err(&err)?;
        if let Some(b) = bbox {
            let mut rt = self
                .conn
                .prepare_cached(&format!(
                    "INSERT INTO {} VALUES (?1, ?2, ?3, ?4, ?5)",
                    ident(&format!("rtree_{}_{GEOM}", table.spec.name))
                ))
                .map_err(&err)?;
            // the R-tree holds 32-bit floats: round outwards so the box still covers the shape
            rt.execute(params![
                fid as i64,
                down(b.min().x),
                up(b.max().x),
                down(b.min().y),
                up(b.max().y)
            ])
            .map_err(&err)?;
            table.extent = Some(match table.extent {
                None => b,
                Some(e) => geo::Rect::new(
                    geo::coord! { x: e.min().x.min(b.min().x), y: e.min().y.min(b.min().y) },
                    geo::coord! { x: e.max().x.max(b.max().x), y: e.max().y.max(b.max().y) },
                ),
            });
        }
        table.features += 1;
        Ok(())
    }

    /// Finishes the file (extents, R-tree triggers, styles) and gives back its final path;
    /// it is moved into place with the output set's other files.
    pub fn finish(self) -> Result<PathBuf> {
        let err = sql_error(&self.path);
        for t in &self.tables {
            if let Some(e) = t.extent {
                self.conn
                    .execute(
                        "UPDATE gpkg_contents SET min_x = ?2, min_y = ?3, max_x = ?4, max_y = ?5
                         WHERE table_name = ?1",
                        params![t.spec.name, e.min().x, e.min().y, e.max().x, e.max().y],
                    )
                    .map_err(&err)?;
            }
            self.conn
                .execute_batch(&rtree_triggers(&t.spec.name))
                .map_err(&err)?;
            self.conn
                .execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name,
                     f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description,
                     owner, ui, update_time) VALUES ('', '', ?1, ?2, ?1, ?3, '', 1, ?4, '', NULL, ?5)",
                    params![
                        t.spec.name,
                        GEOM,
                        qml(&t.spec, &t.sql_names),
                        "gazmap: colour by event type; hollow or hatched where the location is approximate",
                        self.timestamp
                    ],
                )
                .map_err(&err)?;
        }
        self.conn
            .execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
                 VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles', ?1)",
                params![self.timestamp],
            )
            .map_err(&err)?;
        self.conn.execute_batch("COMMIT;").map_err(&err)?;
        self.conn
            .close()
            .map_err(|(_, e)| sql_error(&self.path)(e))?;
        std::fs::File::open(&self.tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(self.path)
    }
}

/// The time written into `last_change` and `update_time`: `SOURCE_DATE_EPOCH` when set (for
/// byte-identical builds), else now.
fn timestamp() -> String {
    let ts = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .unwrap_or_else(jiff::Timestamp::now);
    ts.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}

fn down(x: f64) -> f64 {
    let f = x as f32;
    if (f as f64) > x {
        f.next_down() as f64
    } else {
        f as f64
    }
}

fn up(x: f64) -> f64 {
    let f = x as f32;
    if (f as f64) < x {
        f.next_up() as f64
    } else {
        f as f64
    }
}

/// The spec's triggers that keep an R-tree in step with later edits (by QGIS or GDAL, which
/// provide the `ST_*` functions they call); made after the rows are in.
fn rtree_triggers(table: &str) -> String {
    let t = ident(table);
    let rt = ident(&format!("rtree_{table}_{GEOM}"));
    let name = |suffix: &str| ident(&format!("rtree_{table}_{GEOM}_{suffix}"));
    let c = GEOM;
    format!(
        "CREATE TRIGGER {ins} AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}))
         BEGIN INSERT OR REPLACE INTO {rt} VALUES (NEW.fid, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})); END;
         CREATE TRIGGER {u1} AFTER UPDATE OF {c} ON {t} WHEN OLD.fid = NEW.fid AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))
         BEGIN INSERT OR REPLACE INTO {rt} VALUES (NEW.fid, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})); END;
         CREATE TRIGGER {u2} AFTER UPDATE OF {c} ON {t} WHEN OLD.fid = NEW.fid AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))
         BEGIN DELETE FROM {rt} WHERE id = OLD.fid; END;
         CREATE TRIGGER {u3} AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c}))
         BEGIN DELETE FROM {rt} WHERE id = OLD.fid; INSERT OR REPLACE INTO {rt} VALUES (NEW.fid, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})); END;
         CREATE TRIGGER {u4} AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))
         BEGIN DELETE FROM {rt} WHERE id IN (OLD.fid, NEW.fid); END;
         CREATE TRIGGER {del} AFTER DELETE ON {t} WHEN old.{c} NOT NULL
         BEGIN DELETE FROM {rt} WHERE id = OLD.fid; END;",
        ins = name("insert"),
        u1 = name("update1"),
        u2 = name("update2"),
        u3 = name("update3"),
        u4 = name("update4"),
        del = name("delete"),
    )
}

/// A GeoPackage geometry blob: the `GP` header (version 0, little-endian, SRS 4326, an XY
/// envelope except for points), then the geometry as little-endian WKB.
pub(crate) fn gpkg_blob(g: &geo::Geometry<f64>, bbox: Option<geo::Rect<f64>>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP");
    out.push(0);
    let envelope = match (g, bbox) {
        (geo::Geometry::Point(_), _) | (_, None) => None,
        (_, Some(b)) => Some(b),
    };
    // flags: bit 0 little-endian; bits 1-3 envelope type (1 = [minx, maxx, miny, maxy])
    out.push(if envelope.is_some() {
        0b0000_0011
    } else {
        0b0000_0001
    });
    out.extend_from_slice(&4326i32.to_le_bytes());
    if let Some(b) = envelope {
        for v in [b.min().x, b.max().x, b.min().y, b.max().y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    write_wkb(&mut out, g);
    out
}

/// Appends the little-endian WKB of a point, polygon or multipolygon (what layers hold).
fn write_wkb(out: &mut Vec<u8>, g: &geo::Geometry<f64>) {
    fn head(out: &mut Vec<u8>, kind: u32) {
        out.push(1);
        out.extend_from_slice(&kind.to_le_bytes());
    }
    fn count(out: &mut Vec<u8>, n: usize) {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    fn coord(out: &mut Vec<u8>, c: geo::Coord<f64>) {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
    fn polygon(out: &mut Vec<u8>, p: &geo::Polygon<f64>) {
        head(out, 3);
        count(out, 1 + p.interiors().len());
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            count(out, ring.0.len());
            for c in &ring.0 {
                coord(out, *c);
            }
        }
    }
    match g {
        geo::Geometry::Point(p) => {
            head(out, 1);
            coord(out, p.0);
        }
        geo::Geometry::Polygon(p) => polygon(out, p),
        geo::Geometry::MultiPolygon(m) => {
            head(out, 6);
            count(out, m.0.len());
            for p in &m.0 {
                polygon(out, p);
            }
        }
        other => {
            // layers hold only points and areas; anything else goes as a collection of them
            head(out, 7);
            let parts: Vec<geo::Geometry<f64>> = match other {
                geo::Geometry::GeometryCollection(c) => c.0.clone(),
                g => vec![g.clone()],
            };
            count(out, parts.len());
            for p in &parts {
                write_wkb(out, p);
            }
        }
    }
}

fn rgb(hex: &str) -> String {
    let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    format!("{},{},{},255", v(1), v(3), v(5))
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The QGIS style (QML) of a layer: a rule-based renderer colouring features by event type,
/// filled where the location is the place's own and hollow (points) or hatched (areas) where
/// it is approximate (`geo_precision` `parent`, or a province); and the temporal settings
/// ([`temporal_expressions`]: `date_start` to `date_end`, both days included, undated rows
/// hidden while a time filter is on), so the temporal controller works at once.
fn qml(spec: &TableSpec, sql_names: &[String]) -> String {
    let sql_of = |prop: &str| {
        spec.columns
            .iter()
            .position(|(n, _)| n == prop)
            .map(|i| sql_names[i].clone())
    };
    let approx = "(\"geo_precision\" = 'parent' OR \"kind\" = 'province')";
    let mut categories: Vec<(Option<String>, &str, &str)> = Vec::new();
    match (&spec.event_property, spec.events.len()) {
        (Some(p), 2..) => {
            let col = sql_of(p).unwrap_or_else(|| p.clone());
            for e in &spec.events {
                let filter = format!(
                    "\"{}\" = '{}'",
                    col.replace('"', "\"\""),
                    e.replace('\'', "''")
                );
                categories.push((Some(filter), e.as_str(), event_colour(e)));
            }
        }
        _ => {
            let e = spec.events.iter().next().map_or(spec.name.as_str(), |e| e);
            categories.push((None, e, event_colour(e)));
        }
    }
    let kinds: &[(&str, bool)] = match (spec.points, spec.polygons) {
        (true, true) => &[("marker", true), ("fill", true)],
        (false, true) => &[("fill", false)],
        _ => &[("marker", false)],
    };
    let mut rules = String::new();
    let mut symbols = String::new();
    let mut n = 0;
    for (filter, name, colour) in &categories {
        for (kind, mixed) in kinds {
            for approximate in [false, true] {
                let mut parts: Vec<String> = Vec::new();
                if let Some(f) = filter {
                    parts.push(f.clone());
                }
                if *mixed {
                    parts.push(format!(
                        "geometry_type($geometry) = '{}'",
                        if *kind == "marker" {
                            "Point"
                        } else {
                            "Polygon"
                        }
                    ));
                }
                parts.push(if approximate {
                    approx.to_string()
                } else {
                    format!("NOT {approx}")
                });
                let label = format!("{name}{}", if approximate { " (approximate)" } else { "" });
                rules.push_str(&format!(
                    "<rule key=\"r{n}\" symbol=\"{n}\" label=\"{}\" filter=\"{}\"/>",
                    xml(&label),
                    xml(&parts.join(" AND "))
                ));
                symbols.push_str(&symbol(n, kind, colour, approximate));
                n += 1;
            }
        }
    }
    let start = sql_of("date_start").unwrap_or_else(|| "date_start".into());
    let end = sql_of("date_end").unwrap_or_else(|| "date_end".into());
    let (start_expression, end_expression) = temporal_expressions(&start, &end);
    // mode 4: start and end from expressions; limitMode 1: the end included.
    format!(
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n\
         <qgis version=\"3.22.0\" styleCategories=\"Symbology|Temporal\">\
         <temporal enabled=\"1\" mode=\"4\" startField=\"{}\" endField=\"{}\" limitMode=\"1\" \
         accumulate=\"0\" durationUnit=\"d\" durationField=\"\" fixedDuration=\"0\" \
         startExpression=\"{}\" endExpression=\"{}\"><fixedRange><start></start><end></end></fixedRange></temporal>\
         <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\
         <rules key=\"root\">{rules}</rules><symbols>{symbols}</symbols></renderer-v2></qgis>\n",
        xml(&start),
        xml(&end),
        xml(&start_expression),
        xml(&end_expression),
    )
}

/// QGIS expressions for a feature's time range, from the columns `start` and `end` (the
/// README's temporal setting). Both are DateTime: QGIS 3.22 compares a Date with the temporal
/// controller's DateTime bounds as text, and SQLite does too, which moves a day event to the
/// frame before its day. An undated row's end is 0001-01-01, so no time filter shows it
/// (with plain fields QGIS takes a NULL end as open, showing the row in every frame).
fn temporal_expressions(start: &str, end: &str) -> (String, String) {
    let quote = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
    (
        format!("to_datetime({})", quote(start)),
        format!(
            "coalesce(to_datetime({}), make_datetime(1, 1, 1, 0, 0, 0))",
            quote(end)
        ),
    )
}

fn option(name: &str, value: &str) -> String {
    format!(
        "<Option type=\"QString\" name=\"{}\" value=\"{}\"/>",
        xml(name),
        xml(value)
    )
}

fn symbol(n: usize, kind: &str, colour: &str, approximate: bool) -> String {
    let c = rgb(colour);
    let layer = if kind == "marker" {
        let fill = if approximate {
            "255,255,255,0"
        } else {
            c.as_str()
        };
        let outline = if approximate {
            c.as_str()
        } else {
            "35,35,35,255"
        };
        format!(
            "<layer class=\"SimpleMarker\" enabled=\"1\" pass=\"0\" locked=\"0\"><Option type=\"Map\">{}{}{}{}{}{}{}</Option></layer>",
            option("name", "circle"),
            option("color", fill),
            option("outline_color", outline),
            option("outline_style", if approximate { "dash" } else { "solid" }),
            option("outline_width", if approximate { "0.6" } else { "0.3" }),
            option("size", if approximate { "4.2" } else { "3" }),
            option("size_unit", "MM"),
        )
    } else {
        format!(
            "<layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\"><Option type=\"Map\">{}{}{}{}{}</Option></layer>",
            option("color", &c.replace(",255", ",160")),
            option("style", if approximate { "b_diagonal" } else { "solid" }),
            option("outline_color", &c),
            option("outline_style", if approximate { "dash" } else { "solid" }),
            option("outline_width", "0.4"),
        )
    };
    format!(
        "<symbol type=\"{kind}\" name=\"{n}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">{layer}</symbol>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_have_the_header_and_little_endian_wkb() {
        let p = geo::Geometry::Point(geo::Point::new(69.5, 35.25));
        let b = gpkg_blob(&p, p.bounding_rect());
        assert_eq!(&b[..4], b"GP\x00\x01");
        assert_eq!(&b[4..8], &4326i32.to_le_bytes());
        // no envelope for a point: WKB follows (byte order 1, type 1, x, y)
        assert_eq!(b[8], 1);
        assert_eq!(&b[9..13], &1u32.to_le_bytes());
        assert_eq!(&b[13..21], &69.5f64.to_le_bytes());
        assert_eq!(b.len(), 8 + 21);
        let sq = geo::Geometry::Polygon(geo::Polygon::new(
            geo::LineString::from(vec![(0., 0.), (2., 0.), (2., 1.), (0., 0.)]),
            vec![],
        ));
        let b = gpkg_blob(&sq, sq.bounding_rect());
        assert_eq!(b[3], 0b11, "an envelope");
        assert_eq!(&b[8..16], &0f64.to_le_bytes());
        assert_eq!(&b[16..24], &2f64.to_le_bytes());
        assert_eq!(&b[41..45], &3u32.to_le_bytes(), "a polygon");
    }

    #[test]
    fn rtree_boxes_round_outwards() {
        for x in [69.123456, -35.000001, 0.1, 1e-7] {
            assert!(down(x) <= x && up(x) >= x, "{x}");
        }
    }

    #[test]
    fn styles_escape_names_and_colour_types_alike() {
        let spec = TableSpec {
            name: "events".into(),
            columns: vec![("event".into(), SqlType::Text)],
            points: true,
            polygons: true,
            multi: false,
            events: ["a<b".to_string(), "x'y".to_string()].into_iter().collect(),
            event_property: Some("event".into()),
        };
        let q = qml(&spec, &["event".to_string()]);
        assert!(q.contains("a&lt;b") && q.contains("x&apos;&apos;y"), "{q}");
        assert!(q.contains("b_diagonal") && q.contains("startField=\"date_start\""));
        assert!(
            q.contains(" mode=\"4\"")
                && q.contains("limitMode=\"1\"")
                && q.contains("startExpression=\"to_datetime(&quot;date_start&quot;)\"")
                && q.contains(
                    "endExpression=\"coalesce(to_datetime(&quot;date_end&quot;), make_datetime(1, 1, 1, 0, 0, 0))\""
                ),
            "{q}"
        );
        let (s, e) = temporal_expressions("date \"start\"", "end");
        assert_eq!(s, "to_datetime(\"date \"\"start\"\"\")");
        assert_eq!(
            e,
            "coalesce(to_datetime(\"end\"), make_datetime(1, 1, 1, 0, 0, 0))"
        );
        assert_eq!(event_colour("Armed clash"), event_colour(" armed clash"));
    }
}
