//! The library's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the library, with the file, line and column where known.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file (or `<stdin>`, `<stdout>`).
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A CSV file could not be read or written.
    #[error("{source_name}: {source}")]
    Csv {
        /// The file (or `<stdin>`, `<stdout>`), or what was being written.
        source_name: String,
        /// The csv crate's error, with its position where it has one.
        #[source]
        source: csv::Error,
    },
    /// An index file was refused.
    #[error("{}: {source}", path.display())]
    Index {
        /// The index file.
        path: PathBuf,
        /// Why it was refused.
        #[source]
        source: IndexError,
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
            source,
        }
    }

    /// A CSV error while reading or writing `source_name`.
    pub fn csv(source_name: impl Into<String>, source: csv::Error) -> Self {
        Error::Csv {
            source_name: source_name.into(),
            source,
        }
    }

    /// The index file at `path` was refused for `source`.
    pub fn index(path: impl Into<PathBuf>, source: IndexError) -> Self {
        Error::Index {
            path: path.into(),
            source,
        }
    }

    /// True when this error, or any error that caused it, is a closed pipe: the reader of
    /// the output went away (`gazmap … | head`), which is not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        is_broken_pipe(self)
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

/// True when `error`, or any error in its chain of causes, is a closed pipe. The I/O error
/// may sit inside a csv or serde_json error, which do not all list it as their source.
pub fn is_broken_pipe(error: &(dyn std::error::Error + 'static)) -> bool {
    let pipe = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    let mut cause = Some(error);
    while let Some(e) = cause {
        let closed = e.downcast_ref::<std::io::Error>().is_some_and(pipe)
            || e.downcast_ref::<csv::Error>()
                .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if pipe(io)))
            || e.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe));
        if closed {
            return true;
        }
        cause = e.source();
    }
    false
}

/// Why an index file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The file is too short or does not start with the index magic.
    #[error("not a gazmap index file{}; build one with `gazmap index build`", .len.map(|n| format!(" (only {n} bytes)")).unwrap_or_default())]
    NotIndex {
        /// The file's length, when it is shorter than a header.
        len: Option<u64>,
    },
    /// The file was written on a machine of the other byte order.
    #[error("an index file written on a machine of the other byte order: rebuild it here")]
    ByteOrder,
    /// The file's layout version is not the one this gazmap reads.
    #[error("index format version {got} (this gazmap reads version {expected}): rebuild it with `gazmap index build`")]
    Version {
        /// The version this gazmap reads.
        expected: u32,
        /// The version in the file.
        got: u64,
    },
    /// The file's keys were made by other key rules than this gazmap's.
    #[error("index built with key rules version {got} (this gazmap's are version {expected}): rebuild it with `gazmap index build`")]
    Rules {
        /// This gazmap's key rules version.
        expected: u32,
        /// The version in the file.
        got: u64,
    },
    /// The file is not as long as its header says.
    #[error("truncated or damaged index file: {actual} bytes where the header says {expected}")]
    Length {
        /// The length the header gives.
        expected: u64,
        /// The file's length.
        actual: u64,
    },
    /// A checksum does not match: the header, the section table or a section.
    #[error("corrupted index file ({section} checksum)")]
    Checksum {
        /// What was checked: `header`, `section table` or a section's name.
        section: String,
    },
    /// A section lies outside the file, is misaligned or has an unknown tag.
    #[error("corrupted index file ({section})")]
    Section {
        /// Which section, and what is wrong with it.
        section: String,
    },
    /// The sections are whole but what they hold does not fit together.
    #[error("damaged index file: {0}")]
    Contents(String),
}
