//! Errors that stop busfit (exit 2): an invalid busfit.yaml or rule file, a bad flag.
//! Each points at the offending bytes of its file. Rendering lives in `report::errors`.

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

use super::file::SourceFile;
use super::span::ByteSpan;

/// A file as miette reads it for a snippet: the lines around a span are found with the line
/// index instead of a scan from the top, so that drawing the thousandth finding of a large
/// file costs what drawing the first did.
pub struct Snippet<'a> {
    file: &'a SourceFile,
    /// The text as drawn: the file's own, or a copy whose control characters are replaced by
    /// characters of the same length (a file's escape sequences never reach the terminal).
    text: &'a str,
    name: String,
}

impl<'a> Snippet<'a> {
    pub fn new(file: &'a SourceFile) -> Self {
        Snippet {
            file,
            text: file.visible_text(),
            name: same_length_visible(&file.name).into_owned(),
        }
    }
}

/// Whether a character must not reach a terminal or a CI log as it is: a control character
/// other than tab and line breaks (ESC starts terminal sequences), DEL, C1 controls, and the
/// bidirectional overrides and isolates that reorder what a reader sees (`Trojan Source`).
#[must_use]
pub fn is_hostile(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// `s` with each hostile character replaced by one of the same length in UTF-8 (`?` for
/// ASCII controls, `¿` for C1 controls, U+FFFD for the three-byte marks), so byte offsets
/// into it stay those of the file.
#[must_use]
pub fn same_length_visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_hostile) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if !is_hostile(c) {
                    c
                } else {
                    match c.len_utf8() {
                        1 => '?',
                        2 => '\u{bf}',
                        _ => '\u{fffd}',
                    }
                }
            })
            .collect(),
    )
}

impl SourceCode for Snippet<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &'b str = self.text;
        let idx = self.file.lines();
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).clamp(start, text.len());
        let first = idx.line_of(start).saturating_sub(before);
        let lo = idx.start_of(first).unwrap_or(0);
        let hi = idx
            .start_of(idx.line_of(end) + after + 1)
            .unwrap_or(text.len());
        let window = &text[lo..hi];
        let local = SourceSpan::new((start - lo).into(), end - start);
        let c = <str as SourceCode>::read_span(window, &local, before, after)?;
        let shifted = SourceSpan::new((c.span().offset() + lo).into(), c.span().len());
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                c.data(),
                shifted,
                c.line() + first,
                c.column(),
                // miette counts the line breaks from the top of the source, not the snippet's
                c.line_count() + first,
            )
            .with_language("yaml"),
        ))
    }
}

/// An error in a file that busfit must understand to run.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub file: Option<SourceFile>,
    pub span: ByteSpan,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    pub code: &'static str,
}

impl ConfigError {
    pub fn new(file: &SourceFile, span: ByteSpan, message: impl Into<String>) -> Self {
        ConfigError {
            file: Some(file.clone()),
            span,
            message: message.into(),
            label: "here".into(),
            help: None,
            code: "busfit::config",
        }
    }
    pub fn plain(message: impl Into<String>) -> Self {
        ConfigError {
            file: None,
            span: ByteSpan::default(),
            message: message.into(),
            label: String::new(),
            help: None,
            code: "busfit::usage",
        }
    }
    pub fn label(mut self, l: impl Into<String>) -> Self {
        self.label = l.into();
        self
    }
    pub fn help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }
    pub fn code(mut self, c: &'static str) -> Self {
        self.code = c;
        self
    }
    /// `file:line:col: message` for logs and tests.
    pub fn short(&self) -> String {
        match &self.file {
            Some(f) => {
                let (l, c) = f.line_col(self.span.start);
                format!("{}:{}:{}: {}", f.name, l, c, self.message)
            }
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.file
            .as_ref()
            .map(|f| &f.text as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.file.as_ref()?;
        let span = SourceSpan::new(self.span.start.into(), self.span.len());
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), span),
        )))
    }
}
