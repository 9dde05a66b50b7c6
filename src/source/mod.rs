//! Stage 0, below every other: files and positions. A [`Span`] is a byte range that knows its
//! file ([`FileId`] into the run's [`FileTable`]); [`read`] is the one capped reader every byte
//! comes through; [`ConfigError`] is an error with a span that stops busfit (exit 2).

pub mod diag;
pub mod file;
pub mod path;
pub mod read;
pub mod span;

pub use diag::{ConfigError, Snippet};
pub use file::{FileTable, Position, SourceFile};
pub use span::{ByteSpan, FileId, LineIndex, Span};

/// What every inline suppression comment holds (`# busfit: ignore[BF101] reason`): the project
/// keeps the text of a file that holds it, and the lint stage reads it.
pub const SUPPRESSION_MARKER: &str = "busfit: ignore";
