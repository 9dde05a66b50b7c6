//! `full`: rustc-style diagnostics with source snippets (miette), the default.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceSpan};

use super::{Context, Format, escape, graphical_handler, summary_line};
use crate::kb::Severity;
use crate::lint::{CheckResult, Finding};
use crate::source::{Snippet, SourceFile};

pub struct Full;

impl Format for Full {
    fn name(&self) -> &'static str {
        "full"
    }
    fn render(&self, r: &CheckResult, cx: &Context<'_>) -> String {
        full(r, cx.color)
    }
}

struct FindingDiag<'a> {
    f: &'a Finding,
    src: Option<crate::source::Snippet<'a>>,
    help: Option<String>,
}

impl fmt::Debug for FindingDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape::line(&self.f.message))
    }
}
impl fmt::Display for FindingDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape::line(&self.f.message))
    }
}
impl std::error::Error for FindingDiag<'_> {}

impl Diagnostic for FindingDiag<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}[{}] {}",
            self.f.severity, self.f.code, self.f.name
        )))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.src.as_ref()?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(escape::line(&self.f.label).into_owned()),
            SourceSpan::new(self.f.span.range.start.into(), self.f.span.range.len()),
        )];
        // a label in another file cannot be drawn in this file's snippet
        if let Some((s, l)) = &self.f.secondary
            && s != &self.f.span
            && s.file == self.f.span.file
        {
            labels.push(LabeledSpan::new_with_span(
                Some(escape::line(l).into_owned()),
                SourceSpan::new(s.range.start.into(), s.range.len()),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

pub const MAX_SNIPPET_LINE: usize = 1000;

/// Length in bytes of the line holding `offset`.
pub fn line_len(file: &SourceFile, offset: usize) -> usize {
    let idx = file.lines();
    let line = idx.line_of(offset.min(file.text.len()));
    let start = idx.start_of(line).unwrap_or(0);
    let end = idx.start_of(line + 1).unwrap_or(file.text.len());
    end - start
}

/// `full`: rustc-style diagnostics with source snippets.
fn full(r: &CheckResult, color: bool) -> String {
    let handler = graphical_handler(color);
    let mut out = String::new();
    for f in &r.findings {
        // a snippet of a very long line (minified or generated files) would flood the terminal
        let file = r.table.get(f.span.file);
        let src =
            (line_len(file, f.span.range.start) <= MAX_SNIPPET_LINE).then(|| Snippet::new(file));
        let d = FindingDiag {
            f,
            src,
            help: super::help_with_related(r, f).map(|h| escape::text(&h).into_owned()),
        };
        let _ = handler.render_report(&mut out, &d);
        out.push('\n');
    }
    out.push_str(&summary_line(r));
    out.push('\n');
    if r.files == 0 {
        out.push_str("No busfit.yaml found: declare what your flows need (see `busfit explain` and the README).\n");
    }
    out
}
