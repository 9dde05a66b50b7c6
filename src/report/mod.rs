//! Output formats. Every format renders the same list of findings.

pub mod errors;
pub mod formats;

use std::fmt::{self, Write as _};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use serde_json::{Value as Json, json};

use crate::kb::Severity;
use crate::lint::{CheckResult, Finding};

/// The terminal renderer: fixed width so that output does not depend on the terminal.
pub fn graphical_handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

struct FindingDiag<'a> {
    f: &'a Finding,
    src: Option<crate::source::Snippet<'a>>,
}

impl fmt::Debug for FindingDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.f.message)
    }
}
impl fmt::Display for FindingDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.f.message)
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
        self.f
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.src.as_ref()?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(self.f.label.clone()),
            SourceSpan::new(self.f.span.start.into(), self.f.span.len()),
        )];
        if let Some((s, l)) = &self.f.secondary
            && s != &self.f.span
        {
            labels.push(LabeledSpan::new_with_span(
                Some(l.clone()),
                SourceSpan::new(s.start.into(), s.len()),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary_line(r: &CheckResult) -> String {
    let (e, w, i) = (
        r.count(Severity::Error),
        r.count(Severity::Warning),
        r.count(Severity::Info),
    );
    if r.findings.is_empty() {
        return format!("No findings in {}.", plural(r.files, "file"));
    }
    format!(
        "Found {} ({}, {}, {}) in {}.",
        plural(r.findings.len(), "finding"),
        plural(e, "error"),
        plural(w, "warning"),
        plural(i, "info"),
        plural(r.files, "file")
    )
}

const MAX_SNIPPET_LINE: usize = 1000;

/// Length in bytes of the line holding `offset`.
fn line_len(file: &crate::source::SourceFile, offset: usize) -> usize {
    let idx = file.lines();
    let line = idx.line_of(offset.min(file.text.len()));
    let start = idx.start_of(line).unwrap_or(0);
    let end = idx.start_of(line + 1).unwrap_or(file.text.len());
    end - start
}

/// `full`: rustc-style diagnostics with source snippets.
pub fn full(r: &CheckResult, color: bool) -> String {
    let handler = graphical_handler(color);
    let mut out = String::new();
    for f in &r.findings {
        // a snippet of a very long line (minified or generated files) would flood the terminal
        let src = f
            .source
            .as_ref()
            .filter(|s| line_len(s, f.span.start) <= MAX_SNIPPET_LINE)
            .map(crate::source::Snippet::new);
        let d = FindingDiag { f, src };
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

/// `concise`: one line per finding.
pub fn concise(r: &CheckResult) -> String {
    let mut out = String::new();
    for f in &r.findings {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            f.file, f.line, f.column, f.severity, f.code, f.message
        );
    }
    out.push_str(&summary_line(r));
    out.push('\n');
    out
}

pub fn finding_json(f: &Finding) -> Json {
    json!({
        "code": f.code,
        "name": f.name,
        "criterion": f.criterion,
        "severity": f.severity.as_str(),
        "message": f.message,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "flow": f.flow,
        "bus": f.bus,
        "help": f.help,
        "alternatives": f.alternatives.iter().map(|a| json!({"bus": a.bus, "unmet": a.unmet})).collect::<Vec<_>>(),
    })
}

/// `json`: contract §5.
pub fn json(r: &CheckResult) -> String {
    let v = json!({
        "version": 1,
        "findings": r.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "summary": {
            "files": r.files,
            "errors": r.count(Severity::Error),
            "warnings": r.count(Severity::Warning),
            "infos": r.count(Severity::Info),
        }
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// A plain text table with left-aligned columns.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let n = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == n {
                l.push_str(c);
            } else {
                let _ = write!(l, "{:<w$}  ", c, w = widths[i]);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec(), &mut out);
    line(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
        &mut out,
    );
    for r in rows {
        line(r.iter().map(String::as_str).collect(), &mut out);
    }
    out
}
