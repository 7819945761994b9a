//! Explanations: why a candidate matched, and the record the outputs write for it.

use serde::Serialize;

use crate::gazetteer::{concat, Gazetteer, Kind, PlaceColumn, PlaceRef};
use crate::index::NameForm;

use super::{Candidate, Method, Resolution, Resolver, Status};

impl Resolver {
    /// The explanation of how a candidate's name matched.
    pub(super) fn explain(&self, c: &Candidate) -> String {
        let e = self.index.name(c.name_id);
        let mut r = match c.method {
            Method::Exact => "exact name".to_string(),
            Method::Alternate => format!("alternate name {:?}", e.text),
            Method::Fold => format!("same letters as {:?}", e.text),
            Method::Skeleton => format!("romanization variant of {:?}", e.text),
            Method::Fuzzy => format!("similar to {:?} ({:.2})", e.text, c.similarity),
        };
        match e.form {
            NameForm::Full => {}
            NameForm::Bare => r.push_str(" without its designator"),
            NameForm::Unjoined => r.push_str(" without its \"wa\" (and)"),
            NameForm::Part => r.push_str(", one part of the compound name"),
        }
        r.push_str(&c.reason);
        let p = self.gazetteer.place(c.place);
        if let (Kind::District, Some(parent)) = (p.kind, p.parents.district) {
            let parent = self.gazetteer.place(parent);
            r.push_str(&format!(
                "; a newer district carved from {} ({})",
                parent.name, parent.admin1
            ));
            if p.point().is_none() {
                r.push_str(", whose point it takes");
            }
        } else if self.gazetteer.is_newer_district(c.place) {
            // its row names its province in admin2: no source names the district it came from
            r.push_str(&format!(
                "; a newer district of {}, carved from a district no source names",
                p.admin1
            ));
            if p.point().is_none() {
                r.push_str(", so it takes the province's point");
            }
        }
        r
    }
}

/// The columns of `gazmap resolve --format csv` (and the fields of the Python package's
/// Arrow struct), in order: the query and its status, the best place's columns
/// ([`PlaceColumn::NAMES`]), then the match's own, and the candidates' ids.
pub const CSV_COLUMNS: [&str; 15] = concat(
    concat::<2, 8, 10>(["query", "status"], PlaceColumn::NAMES),
    ["score", "method", "matched_name", "reason", "candidates"],
);

/// A candidate with its place's fields, as the JSON and CSV outputs write it.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateRecord<'a> {
    /// The place: its [`PlaceColumn::ALL`] columns.
    #[serde(flatten)]
    pub place: PlaceRef<'a>,
    /// Score in [0, 1].
    pub score: f64,
    /// How it was found.
    pub method: Method,
    /// Which of the place's names matched.
    pub matched_name: &'a str,
    /// Why.
    pub reason: &'a str,
}

impl Candidate {
    /// The candidate joined with its place's fields.
    pub fn record<'a>(&'a self, gazetteer: &'a Gazetteer) -> CandidateRecord<'a> {
        CandidateRecord {
            place: gazetteer.place(self.place),
            score: self.score,
            method: self.method,
            matched_name: &self.matched_name,
            reason: &self.reason,
        }
    }
}

/// A whole resolution with its places' fields: one line of `gazmap resolve --format json`,
/// and the dict the Python package returns.
#[derive(Debug, Clone, Serialize)]
pub struct ResolutionRecord<'a> {
    /// The query as given.
    pub query: &'a str,
    /// Matched, ambiguous or unmatched.
    pub status: Status,
    /// The chosen place (the top candidate of an ambiguous answer); `None` when unmatched.
    pub best: Option<CandidateRecord<'a>>,
    /// The other places considered.
    pub candidates: Vec<CandidateRecord<'a>>,
    /// Tied places left out by [`super::Options::top`] (ambiguous: unrelated places;
    /// matched: the same name at other levels); written only when there are some.
    #[serde(skip_serializing_if = "is_zero")]
    pub left_out: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Resolution {
    /// The resolution joined with its places' fields.
    pub fn record<'a>(&'a self, gazetteer: &'a Gazetteer) -> ResolutionRecord<'a> {
        ResolutionRecord {
            query: &self.query,
            status: self.status,
            best: self.best.as_ref().map(|b| b.record(gazetteer)),
            candidates: self
                .candidates
                .iter()
                .map(|c| c.record(gazetteer))
                .collect(),
            left_out: self.left_out,
        }
    }
}
