//! Errors that stop busfit (exit 2): an invalid busfit.yaml or rule file, a bad flag.
//! Each points at the offending bytes of its file.

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

use crate::span::ByteSpan;

/// A file's name (relative to where busfit runs) and text, with an index of its line starts
/// built on first use and shared by every clone, so that positioning a finding costs a binary
/// search rather than a scan from the top of the file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
    lines: Arc<std::sync::OnceLock<crate::span::LineIndex>>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            lines: Arc::default(),
        }
    }

    pub fn lines(&self) -> &crate::span::LineIndex {
        self.lines
            .get_or_init(|| crate::span::LineIndex::new(&self.text))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }
}

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

/// Renders config errors for the terminal, with the file name in the snippet header.
/// How many errors are drawn; the rest are counted. A hostile or badly broken file can hold
/// hundreds of thousands, and the first ones are the ones to fix.
pub const MAX_RENDERED_ERRORS: usize = 50;

pub fn render_errors(errors: &[ConfigError], color: bool) -> String {
    let mut out = String::new();
    for e in errors.iter().take(MAX_RENDERED_ERRORS) {
        let handler = crate::report::graphical_handler(color);
        let named: Box<dyn Diagnostic> = match &e.file {
            Some(f) => Box::new(Named {
                inner: e,
                src: Snippet::new(f),
            }),
            None => Box::new(e.clone()),
        };
        let _ = handler.render_report(&mut out, named.as_ref());
        out.push('\n');
    }
    if errors.len() > MAX_RENDERED_ERRORS {
        out.push_str(&format!(
            "busfit: {} more errors not shown; fix the ones above and run again\n",
            errors.len() - MAX_RENDERED_ERRORS
        ));
    }
    out
}

struct Named<'a> {
    inner: &'a ConfigError,
    src: Snippet<'a>,
}

impl fmt::Debug for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}
impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}
impl std::error::Error for Named<'_> {}
impl Diagnostic for Named<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
}

/// The closest word to `word` among `choices`, when it is close enough to be a typo.
pub fn nearest<'a>(word: &str, choices: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in choices {
        let d = distance(word, c);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let (d, c) = best?;
    let limit = (word.chars().count().max(c.chars().count()) / 3).max(1);
    (d <= limit.max(2) && d > 0).then_some(c)
}

/// Optimal string alignment distance (Levenshtein with transpositions).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// "did you mean `x`?" when there is a near spelling.
pub fn did_you_mean<'a>(word: &str, choices: impl IntoIterator<Item = &'a str>) -> String {
    match nearest(word, choices) {
        Some(c) => format!("did you mean `{c}`? "),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn suggestions() {
        assert_eq!(
            nearest("delivry", ["delivery", "latency"]),
            Some("delivery")
        );
        assert_eq!(nearest("kafak", ["kafka", "mqtt", "redis"]), Some("kafka"));
        assert_eq!(nearest("zzzzzz", ["kafka", "mqtt"]), None);
    }
}
