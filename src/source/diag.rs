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
}

impl<'a> Snippet<'a> {
    pub fn new(file: &'a SourceFile) -> Self {
        Snippet { file }
    }
}

impl SourceCode for Snippet<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &'b str = &self.file.text;
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
                self.file.name.clone(),
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
