//! What a gazetteer holds: rows by kind, and how many have a point, a polygon, alternate
//! names and names in Arabic script (Persian, Pashto).

use super::{Gazetteer, Kind, PlaceId};

/// Counts of one kind of place (or of all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows.
    pub rows: usize,
    /// Rows with a point of their own.
    pub point: usize,
    /// Rows without a point of their own whose nearest located ancestor gives one.
    pub parent_point: usize,
    /// Rows with a polygon.
    pub polygon: usize,
    /// Rows with at least one alternate name.
    pub alternates: usize,
    /// Rows with at least one name in Arabic script (Persian, Pashto, Arabic).
    pub arabic_script: usize,
    /// Districts created after 2005 ([`Gazetteer::is_newer_district`]).
    pub newer_districts: usize,
}

/// Counts by kind (contract order, kinds with no row left out) and the total.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// One entry per kind present.
    pub by_kind: Vec<(Kind, Counts)>,
    /// Every row.
    pub total: Counts,
}

/// True for a letter of the Arabic script blocks.
fn is_arabic_script(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
        && c.is_alphabetic()
}

impl Gazetteer {
    /// What the gazetteer holds, by kind.
    pub fn stats(&self) -> Stats {
        let mut by_kind: Vec<(Kind, Counts)> =
            Kind::ALL.iter().map(|&k| (k, Counts::default())).collect();
        let mut total = Counts::default();
        for i in 0..self.len() as PlaceId {
            let p = self.place(i);
            let own = p.point().is_some();
            let add = |c: &mut Counts| {
                c.rows += 1;
                c.point += usize::from(own);
                c.parent_point += usize::from(!own && self.point_or_parent(i).is_some());
                c.polygon += usize::from(p.geometry.is_some_and(|g| !g.trim().is_empty()));
                c.alternates += usize::from(p.alt_names().len() > 0);
                c.arabic_script += usize::from(
                    std::iter::once(p.name)
                        .chain(p.alt_names())
                        .any(|n| n.chars().any(is_arabic_script)),
                );
                c.newer_districts += usize::from(self.is_newer_district(i));
            };
            if let Some((_, c)) = by_kind.iter_mut().find(|(k, _)| *k == p.kind) {
                add(c);
            }
            add(&mut total);
        }
        by_kind.retain(|(_, c)| c.rows > 0);
        Stats { by_kind, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_points_polygons_and_scripts() {
        let g = Gazetteer::from_csv_reader(
            "id,name,kind,country,admin1,admin2,lat,lon,population,alt_names,geometry\n\
             p,Kunduz,province,AF,,,36.7,68.9,,کندز,\"POLYGON((68 36,69 36,69 37,68 36))\"\n\
             d,Imam Sahib,district,AF,Kunduz,,37.1,68.9,,,\n\
             n,New,district,AF,Kunduz,Imam Sahib,,,,Nuevo,\n"
                .as_bytes(),
            "<test>",
        )
        .unwrap();
        let s = g.stats();
        assert_eq!(s.by_kind.len(), 2);
        assert_eq!(s.by_kind[0].0, Kind::Province);
        let d = s.by_kind[1].1;
        assert_eq!((d.rows, d.point, d.parent_point, d.polygon), (2, 1, 1, 0));
        assert_eq!(
            (d.alternates, d.arabic_script, d.newer_districts),
            (1, 0, 1)
        );
        let t = s.total;
        assert_eq!(
            (t.rows, t.polygon, t.alternates, t.arabic_script),
            (3, 1, 2, 1)
        );
    }
}
