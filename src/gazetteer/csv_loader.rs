//! The gazetteer CSV contract loader.

use std::io::Read;
use std::path::Path;

use super::{concat, Kind, Parents, Place, PlaceColumn};
use crate::error::{Error, Result};
use crate::io::input::{self, InputOptions};
use crate::io::records::{Records, DEFAULT_MAX_RECORD_BYTES};

/// The contract's columns, in order: a place's columns ([`PlaceColumn::NAMES`]), then the
/// gazetteer's own.
pub const CSV_COLUMNS: [&str; 11] =
    concat(PlaceColumn::NAMES, ["population", "alt_names", "geometry"]);

const REQUIRED: [&str; 6] = ["id", "name", "kind", "country", "lat", "lon"];

/// The places of a gazetteer CSV file, not yet checked for duplicate ids or linked. The file
/// is opened as every CSV input is: any of the encodings and delimiters
/// [`crate::io::input::open`] detects.
pub fn read_path(path: &Path) -> Result<Vec<Place>> {
    let input = input::open(&path.to_string_lossy(), &InputOptions::default())?;
    let delimiter = input.delimiter;
    let source = input.source_name.clone();
    read_places(input.into_reader(), &source, delimiter)
}

/// Positions of the contract columns in a file's header.
struct Columns {
    pos: [Option<usize>; 11],
    header: Vec<String>,
}

impl Columns {
    fn get<'r>(&self, record: &'r [String], name: &str) -> &'r str {
        let i = CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .expect("contract column");
        self.pos[i]
            .and_then(|p| record.get(p))
            .map_or("", |f| f.trim())
    }

    fn describe(&self, name: &str) -> String {
        let i = CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .expect("contract column");
        match self.pos[i] {
            Some(p) => format!("{} ({})", p + 1, self.header[p]),
            None => name.to_string(),
        }
    }
}

/// The places of gazetteer CSV text (UTF-8, no BOM) split at `delimiter`, read by the one CSV
/// record reader; `source` names it in messages.
pub(super) fn read_places(reader: impl Read, source: &str, delimiter: u8) -> Result<Vec<Place>> {
    let mut records = Records::new(
        reader,
        delimiter,
        source.to_string(),
        DEFAULT_MAX_RECORD_BYTES,
    );
    let Some((_, header)) = records.next_fields(None)? else {
        return Err(Error::parse(
            source,
            1,
            None,
            "empty file: expected a header row",
        ));
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut pos = [None; 11];
    for (i, c) in CSV_COLUMNS.iter().enumerate() {
        pos[i] = header.iter().position(|h| h.eq_ignore_ascii_case(c));
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| pos[CSV_COLUMNS.iter().position(|x| x == c).expect("column")].is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Error::parse(
            source,
            1,
            None,
            format!(
                "missing required column(s) {}; the header has: {}",
                missing.join(", "),
                header.join(", ")
            ),
        ));
    }
    let width = header.len();
    let cols = Columns { pos, header };
    let mut places = Vec::new();
    while let Some((line, record)) = records.next_fields(Some(width))? {
        places.push(parse_place(&record, &cols, source, line)?);
    }
    Ok(places)
}

fn parse_place(r: &[String], cols: &Columns, source: &str, line: u64) -> Result<Place> {
    let err = |col: &str, msg: String| Error::parse(source, line, Some(cols.describe(col)), msg);
    let id = cols.get(r, "id");
    if id.is_empty() {
        return Err(err("id", "empty id".into()));
    }
    let name = cols.get(r, "name");
    if name.is_empty() {
        return Err(err("name", "empty name".into()));
    }
    let kind: Kind = cols.get(r, "kind").parse().map_err(|m| err("kind", m))?;
    let country = cols.get(r, "country").to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(err(
            "country",
            format!("{country:?} is not an ISO 3166-1 alpha-2 code"),
        ));
    }
    let coord = |col: &str, limit: f64| -> Result<Option<f64>> {
        let v = cols.get(r, col);
        if v.is_empty() {
            return Ok(None);
        }
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() <= limit => Ok(Some(x)),
            Ok(_) => Err(err(col, format!("{v} is outside [-{limit}, {limit}]"))),
            Err(_) => Err(err(col, format!("{v:?} is not a number"))),
        }
    };
    let lat = coord("lat", 90.0)?;
    let lon = coord("lon", 180.0)?;
    if lat.is_some() != lon.is_some() {
        return Err(err(
            "lon",
            "lat and lon must both be given or both be empty".into(),
        ));
    }
    let population = match cols.get(r, "population") {
        "" => None,
        v => Some(
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .map(|x| x as u64)
                .ok_or_else(|| err("population", format!("{v:?} is not a population")))?,
        ),
    };
    let alt_names = cols
        .get(r, "alt_names")
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let geometry = Some(cols.get(r, "geometry"))
        .filter(|g| !g.is_empty())
        .map(str::to_string);
    Ok(Place {
        id: id.to_string(),
        name: name.to_string(),
        kind,
        country,
        admin1: cols.get(r, "admin1").to_string(),
        admin2: cols.get(r, "admin2").to_string(),
        lat,
        lon,
        population,
        alt_names,
        geometry,
        parents: Parents::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Vec<Place>> {
        read_places(text.as_bytes(), "t.csv", b',')
    }

    #[test]
    fn reads_contract_rows_with_bom() {
        let text = "\u{feff}id,name,kind,country,admin1,admin2,lat,lon,population,alt_names\n\
                    a,Kunduz,city,af,Kunduz,Kunduz,36.7,68.8,100,Qunduz|قندوز\n";
        let p = &load(text).unwrap()[0];
        assert_eq!(p.country, "AF");
        assert_eq!(p.alt_names, ["Qunduz", "قندوز"]);
        assert_eq!(p.population, Some(100));
    }

    #[test]
    fn errors_name_line_and_column() {
        let text = "id,name,kind,country,lat,lon\na,A,district,AF,1,2\nb,B,district,AF,north,2\n";
        let e = load(text).unwrap_err().to_string();
        assert!(e.contains("t.csv:3: column 5 (lat)"), "{e}");
        let e = load("id,name,kind,country,lat,lon\na,A,shire,AF,1,2\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown kind") && e.contains(":2:"), "{e}");
        let e = load("id,name,country\n").unwrap_err().to_string();
        assert!(
            e.contains("missing required column(s) kind, lat, lon"),
            "{e}"
        );
        let e = load("id,name,kind,country,lat,lon\na,A,city,AF,1\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.csv:2") && e.contains("5 fields where the header has 6"),
            "{e}"
        );
        assert!(load("").is_err());
    }
}
