//! Names that exercise a resolver on any gazetteer: exact, variant, fuzzy, lower-case and one
//! letter. A faulty index file must answer them without a panic.

/// The probe names.
pub const PROBE_NAMES: [&str; 6] = ["Kunduz", "Khinjan", "Pul-i-Hisar", "Nahreen", "kabul", "x"];
