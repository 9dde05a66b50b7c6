//! Stage: report. Every output format renders the same findings: one file per format, each
//! a [`Format`]; positions are computed here, from each finding's span and the file table.

pub mod concise;
pub mod errors;
pub mod escape;
pub mod full;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod statistics;

use std::fmt::Write as _;
use std::ops::Deref;

use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::kb::{Kb, Severity};
use crate::lint::{CheckResult, Finding};

/// What a format may need besides the findings.
pub struct Context<'a> {
    pub kb: &'a Kb,
    pub color: bool,
}

/// An output format of `check`.
pub trait Format: Sync {
    /// The name `--format` takes.
    fn name(&self) -> &'static str;
    fn render(&self, r: &CheckResult, cx: &Context<'_>) -> String;
    /// Writes the report to `out`: by default what `render` returns; a format with large
    /// reports streams it instead of holding it whole.
    ///
    /// # Errors
    /// What writing to `out` fails with (a closed pipe).
    fn write(
        &self,
        r: &CheckResult,
        cx: &Context<'_>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        out.write_all(self.render(r, cx).as_bytes())
    }
}

/// Every format, in the order `--format` lists them. Adding a format is adding its file and
/// its line here.
pub const FORMATS: &[&dyn Format] = &[
    &full::Full,
    &concise::Concise,
    &json::Json,
    &sarif::Sarif,
    &github::Github,
    &junit::Junit,
    &gitlab::Gitlab,
    &markdown::Markdown,
];

/// The format of a name.
#[must_use]
pub fn format(name: &str) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|f| f.name() == name)
}

/// A finding with its file's shown name and its position, computed when rendering.
pub struct Located<'a> {
    pub finding: &'a Finding,
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Deref for Located<'_> {
    type Target = Finding;
    fn deref(&self) -> &Finding {
        self.finding
    }
}

/// The findings of a result with their positions.
pub trait Locate {
    fn located(&self) -> Vec<Located<'_>>;
}

impl Locate for CheckResult {
    fn located(&self) -> Vec<Located<'_>> {
        self.findings
            .iter()
            .map(|f| {
                let p = self.position(f);
                Located {
                    finding: f,
                    file: self.file(f),
                    line: p.line,
                    column: p.column,
                    end_line: p.end_line,
                    end_column: p.end_column,
                }
            })
            .collect()
    }
}

/// A finding's related places (`Finding::related`) as `file:line:column`, each with its label.
#[must_use]
pub fn related<'a>(r: &'a CheckResult, f: &'a Finding) -> Vec<(String, &'a str)> {
    f.related
        .iter()
        .map(|(span, label)| {
            let (line, column) = r.table.line_col(*span);
            (
                format!("{}:{line}:{column}", r.table.name(span.file)),
                label.as_str(),
            )
        })
        .collect()
}

/// The help of a finding as the human formats print it: its own help, then its related
/// places (at most `RELATED_SHOWN`, and how many more).
#[must_use]
pub fn help_with_related(r: &CheckResult, f: &Finding) -> Option<String> {
    if f.related.is_empty() {
        return f.help.clone();
    }
    let places = related(r, f);
    let shown = crate::lint::filter::RELATED_SHOWN;
    let mut list: Vec<String> = places
        .iter()
        .take(shown)
        .map(|(at, _)| at.clone())
        .collect();
    if places.len() > shown {
        list.push(format!("and {} more", places.len() - shown));
    }
    let also = format!("also at: {}", list.join(", "));
    Some(match &f.help {
        Some(h) => format!("{h}\n{also}"),
        None => also,
    })
}

/// The terminal renderer: fixed width so that output does not depend on the terminal.
#[must_use]
pub fn graphical_handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // a long word (a listener map, a URL) overflows the width rather than being cut in two:
    // `CONTR│OLLER` cannot be searched for or pasted
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_break_words(false)
}

#[must_use]
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[must_use]
pub fn summary_line(r: &CheckResult) -> String {
    let (e, w, i) = (
        r.count(Severity::Error),
        r.count(Severity::Warning),
        r.count(Severity::Info),
    );
    let skipped = if r.skipped == 0 {
        String::new()
    } else {
        format!(
            " ({} skipped: not readable until rendered)",
            plural(r.skipped, "template")
        )
    };
    let baselined = if r.baselined == 0 {
        String::new()
    } else {
        format!(
            " ({} hidden by the baseline)",
            plural(r.baselined, "finding")
        )
    };
    if r.findings.is_empty() {
        return format!(
            "No findings in {}{skipped}{baselined}.",
            plural(r.files, "file")
        );
    }
    format!(
        "Found {} ({}, {}, {}) in {}{skipped}{baselined}.",
        plural(r.findings.len(), "finding"),
        plural(e, "error"),
        plural(w, "warning"),
        plural(i, "info"),
        plural(r.files, "file")
    )
}

/// A plain text table with left-aligned columns.
#[must_use]
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    // cells hold repository text (names, images, paths): one line each, nothing hostile
    let escaped: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| escape::line(c).into_owned()).collect())
        .collect();
    let rows = escaped.as_slice();
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
