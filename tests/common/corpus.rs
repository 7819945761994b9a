//! The hand-labelled corpora of `tests/data/corpus` (see its README): their columns and the
//! one reader the corpus tests and `examples/eval_corpus.rs` share.

use std::path::Path;

/// The columns of a corpus file, in order.
pub const COLUMNS: [&str; 10] = [
    "id",
    "query",
    "expected_id",
    "expected_name",
    "kind",
    "province",
    "language",
    "script",
    "source_url",
    "split",
];

/// One labelled row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The line it is on.
    pub line: u64,
    /// Its number (1, 2, … in file order).
    pub id: String,
    /// The spelling, as the page wrote it.
    pub query: String,
    /// The place it names (empty when the gazetteer lacks it).
    pub expected_id: String,
    /// That place's name.
    pub expected_name: String,
    /// That place's kind.
    pub kind: String,
    /// Its province (or, for the world corpus, its country code).
    pub province: String,
    /// The language of the page.
    pub language: String,
    /// The script of the spelling.
    pub script: String,
    /// The page.
    pub source_url: String,
    /// `dev` or `heldout`.
    pub split: String,
}

/// The rows of the corpus file at `path`, whose header must be [`COLUMNS`].
pub fn read(path: &Path) -> Result<Vec<Row>, String> {
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut rdr = csv::Reader::from_path(path).map_err(|e| at(&e))?;
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| at(&e))?
        .iter()
        .map(String::from)
        .collect();
    if header != COLUMNS {
        return Err(at(&format!("columns {header:?}, expected {COLUMNS:?}")));
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| at(&e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let mut fields = rec.iter().map(String::from);
        let mut next = || fields.next().unwrap_or_default();
        rows.push(Row {
            line,
            id: next(),
            query: next(),
            expected_id: next(),
            expected_name: next(),
            kind: next(),
            province: next(),
            language: next(),
            script: next(),
            source_url: next(),
            split: next(),
        });
    }
    Ok(rows)
}
