//! A file as busfit holds it: its shown name, its text, and an index of its line starts.

use std::sync::Arc;

/// A file's name (relative to where busfit runs) and text, with an index of its line starts
/// built on first use and shared by every clone, so that positioning a finding costs a binary
/// search rather than a scan from the top of the file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
    lines: Arc<std::sync::OnceLock<crate::source::span::LineIndex>>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            lines: Arc::default(),
        }
    }

    pub fn lines(&self) -> &crate::source::span::LineIndex {
        self.lines
            .get_or_init(|| crate::source::span::LineIndex::new(&self.text))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }
}
