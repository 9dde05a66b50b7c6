//! Renders the errors that stop busfit (exit 2) for the terminal.

use std::fmt;

use miette::{Diagnostic, LabeledSpan};

use super::escape;
use super::full::line_len;
use crate::source::{ConfigError, Snippet};

/// At most this many bytes of a message, a label or a help are printed.
const MAX_TEXT: usize = 500;

/// `s` cut at `MAX_TEXT` bytes (at a character boundary), with an ellipsis.
fn bounded(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= MAX_TEXT {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}… ({} bytes)", &s[..end], s.len()))
}

/// Renders config errors for the terminal, with the file name in the snippet header.
/// How many errors are drawn; the rest are counted. A hostile or badly broken file can hold
/// hundreds of thousands, and the first ones are the ones to fix.
pub const MAX_RENDERED_ERRORS: usize = 50;

pub fn render_errors(errors: &[ConfigError], color: bool) -> String {
    let mut out = String::new();
    for raw in errors.iter().take(MAX_RENDERED_ERRORS) {
        let handler = crate::report::graphical_handler(color);
        // what the repository wrote is escaped, and bounded: a hostile busfit.yaml's key can
        // be megabytes long
        let mut e = ConfigError {
            message: escape::line(&bounded(&raw.message)).into_owned(),
            label: escape::line(&bounded(&raw.label)).into_owned(),
            help: raw
                .help
                .as_ref()
                .map(|h| escape::text(&bounded(h)).into_owned()),
            ..raw.clone()
        };
        // no snippet of a very long line (minified or generated files): the position instead
        if let Some(f) = &e.file
            && line_len(f, e.span.start) > super::full::MAX_SNIPPET_LINE
        {
            let (line, col) = f.line_col(e.span.start);
            e.message = format!("{} (at {}:{line}:{col})", e.message, escape::line(&f.name));
            e.file = None;
        }
        let named: Box<dyn Diagnostic + '_> = match &e.file {
            Some(f) => Box::new(Named {
                inner: &e,
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
