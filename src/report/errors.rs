//! Renders the errors that stop busfit (exit 2) for the terminal.

use std::fmt;

use miette::{Diagnostic, LabeledSpan};

use crate::source::{ConfigError, Snippet};

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
