//! A file as busfit holds it: its shown name, its text, and an index of its line starts.

use std::sync::Arc;

use super::span::{FileId, Span};

/// A file's name (relative to where busfit runs) and text, with an index of its line starts
/// built on first use and shared by every clone, so that positioning a finding costs a binary
/// search rather than a scan from the top of the file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
    lines: Arc<std::sync::OnceLock<crate::source::span::LineIndex>>,
    /// The text as a snippet draws it, when it holds characters that must not reach a
    /// terminal (built on first use, shared by every clone).
    visible: Arc<std::sync::OnceLock<Option<Box<str>>>>,
}

impl SourceFile {
    #[must_use]
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            lines: Arc::default(),
            visible: Arc::default(),
        }
    }

    /// The text with every hostile character replaced by one of the same length, computed
    /// once per file (`diag::same_length_visible`).
    #[must_use]
    pub fn visible_text(&self) -> &str {
        self.visible
            .get_or_init(
                || match crate::source::diag::same_length_visible(&self.text) {
                    std::borrow::Cow::Borrowed(_) => None,
                    std::borrow::Cow::Owned(s) => Some(s.into_boxed_str()),
                },
            )
            .as_deref()
            .unwrap_or(&self.text)
    }

    #[must_use]
    pub fn lines(&self) -> &crate::source::span::LineIndex {
        self.lines
            .get_or_init(|| crate::source::span::LineIndex::new(&self.text))
    }

    /// 1-based line and column (in characters) of a byte offset.
    #[must_use]
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }
}

/// Every file a run has read, by [`FileId`]: busfit.yaml files first, then the files that were
/// read for facts, in path order. Each knows the busfit.yaml that owns it and its path relative
/// to that file's directory: the one form every glob and fingerprint matches.
#[derive(Debug, Clone, Default)]
pub struct FileTable {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    file: SourceFile,
    owner: Option<usize>,
    rel: String,
}

impl FileTable {
    /// Adds a file; `rel` is its path relative to its owner's directory (or to the walked root).
    pub fn push(&mut self, file: SourceFile, owner: Option<usize>, rel: String) -> FileId {
        let id = FileId::from_index(self.entries.len());
        self.entries.push(Entry { file, owner, rel });
        id
    }
    #[must_use]
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.entries[id.index()].file
    }
    /// The name shown in output: relative to where busfit runs.
    #[must_use]
    pub fn name(&self, id: FileId) -> &str {
        &self.entries[id.index()].file.name
    }
    /// The index of the busfit.yaml that applies to the file, if any.
    #[must_use]
    pub fn owner(&self, id: FileId) -> Option<usize> {
        self.entries[id.index()].owner
    }
    /// The path relative to the owner's directory.
    #[must_use]
    pub fn rel(&self, id: FileId) -> &str {
        &self.entries[id.index()].rel
    }
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.entries.len()).map(|i| FileId(i as u32))
    }
    /// 1-based line and column where a span starts.
    #[must_use]
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        self.get(span.file).line_col(span.range.start)
    }
    /// 1-based line and column of each end of a span.
    #[must_use]
    pub fn position(&self, span: Span) -> Position {
        let f = self.get(span.file);
        let (line, column) = f.line_col(span.range.start);
        let (end_line, end_column) = f.line_col(span.range.end.max(span.range.start));
        Position {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Where a span starts and ends, as people count: 1-based lines and columns in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}
