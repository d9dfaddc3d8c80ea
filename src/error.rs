//! Typed errors of the library.
//!
//! Every variant that comes from input carries the file, the line (1-based) and the reason, so
//! the binary can print one message a user can act on: `samples/bad.jsonl:3: invalid JSON ...`.

use std::fmt;
use std::path::PathBuf;

/// Where an error happened: a file (or `-` for standard input) and a 1-based line, 0 when the
/// error concerns the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The path as the user named it, or `-` for standard input.
    pub path: PathBuf,
    /// 1-based line number; 0 when the error is about the file as a whole.
    pub line: u64,
}

impl Location {
    /// A location in `path` at 1-based `line` (0 for the whole file).
    pub fn new(path: impl Into<PathBuf>, line: u64) -> Self {
        Location {
            path: path.into(),
            line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path.display())
        } else {
            write!(f, "{}:{}", self.path.display(), self.line)
        }
    }
}

/// Everything that can go wrong in transnorm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{loc}: {err}")]
    Io {
        /// The file concerned.
        loc: Location,
        /// The underlying I/O error (shown in the message, so not repeated as a cause).
        err: std::io::Error,
    },
    /// An input record is malformed (invalid JSON, no `text`, invalid UTF-8 ...).
    #[error("{loc}: {reason}")]
    BadRecord {
        /// The file and line of the record.
        loc: Location,
        /// What is wrong with it.
        reason: String,
    },
    /// A glossary or rule file has a bad row, or two rows conflict.
    #[error("{loc}: {reason}")]
    Glossary {
        /// The file and line of the row.
        loc: Location,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration is inconsistent (bad option value, bad pattern ...).
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        Error::Io {
            loc: Location::new(path, 0),
            err,
        }
    }

    /// Whether this is a write to a closed pipe (`transnorm ... | head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { err, .. } if err.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// A malformed input record at `path:line`.
    pub fn bad_record(path: impl Into<PathBuf>, line: u64, reason: impl Into<String>) -> Self {
        Error::BadRecord {
            loc: Location::new(path, line),
            reason: reason.into(),
        }
    }

    /// A bad glossary row at `path:line`.
    pub fn glossary(path: impl Into<PathBuf>, line: u64, reason: impl Into<String>) -> Self {
        Error::Glossary {
            loc: Location::new(path, line),
            reason: reason.into(),
        }
    }

    /// The location the error names, if any.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Io { loc, .. } | Error::BadRecord { loc, .. } | Error::Glossary { loc, .. } => {
                Some(loc)
            }
            Error::Config(_) => None,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
