//! The kinds of place a gazetteer holds, shared by every layer.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
