//! The library's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the library, with the file, line and column where known.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said (part of the message, so not repeated as a source).
        error: std::io::Error,
    },
    /// A record in an input file is malformed.
    #[error("{source_name}:{line}{}: {message}", column.as_ref().map(|c| format!(": column {c}")).unwrap_or_default())]
    Parse {
        /// The file (or `<stdin>`, `<embedded>`).
        source_name: String,
        /// 1-based line number.
        line: u64,
        /// The column: its 1-based number and header name, where known.
        column: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// An input is not usable as a whole (missing header, unknown place, bad option).
    #[error("{0}")]
    Invalid(String),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error: source,
        }
    }

    /// A parse error at a line (and optionally a column) of a named source.
    pub fn parse(
        source_name: impl Into<String>,
        line: u64,
        column: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Parse {
            source_name: source_name.into(),
            line,
            column,
            message: message.into(),
        }
    }
}
