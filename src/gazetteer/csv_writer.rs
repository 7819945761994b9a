//! Writes places in the gazetteer CSV contract.

use std::io::Write;

use super::{Place, CSV_COLUMNS};
use crate::error::{Error, Result};

/// Writes `places` as a gazetteer CSV (header row, contract column order) to `writer`;
/// `dest` names the destination in errors.
pub fn write_csv(places: &[Place], writer: impl Write, dest: &str) -> Result<()> {
    let err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(dest, io),
        other => Error::Invalid(format!("{dest}: {other:?}")),
    };
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(CSV_COLUMNS).map_err(err)?;
    for p in places {
        // at most 6 decimals (about 0.1 m), written in the shortest form that reads back
        let num = |x: Option<f64>| {
            x.map(|v| ((v * 1e6).round() / 1e6).to_string())
                .unwrap_or_default()
        };
        w.write_record([
            p.id.as_str(),
            p.name.as_str(),
            p.kind.as_str(),
            p.country.as_str(),
            p.admin1.as_str(),
            p.admin2.as_str(),
            &num(p.lat),
            &num(p.lon),
            &p.population.map(|n| n.to_string()).unwrap_or_default(),
            &p.alt_names.join("|"),
            p.geometry.as_deref().unwrap_or(""),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| Error::io(dest, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::{csv_loader, Kind, Parents};

    #[test]
    fn written_csv_reads_back_the_same() {
        let p = Place {
            id: "geonames:1".into(),
            name: "Kunduz, \"old\"".into(),
            kind: Kind::City,
            country: "AF".into(),
            admin1: "Kunduz".into(),
            admin2: String::new(),
            lat: Some(36.72895),
            lon: Some(68.857),
            population: Some(259_809),
            alt_names: vec!["Qunduz".into(), "قندوز".into()],
            geometry: None,
            parents: Parents::default(),
        };
        let mut out = Vec::new();
        write_csv(std::slice::from_ref(&p), &mut out, "t").unwrap();
        let back = csv_loader::read_places(out.as_slice(), "t", b',').unwrap();
        assert_eq!(back, vec![p]);
    }
}
