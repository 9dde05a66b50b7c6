//! `github`: GitHub Actions workflow commands (annotations on the pull request).

use std::fmt::Write as _;

use super::{Context, Format, Locate};
use crate::kb::Severity;
use crate::lint::CheckResult;

pub struct Github;

impl Format for Github {
    fn name(&self) -> &'static str {
        "github"
    }
    fn render(&self, r: &CheckResult, _: &Context<'_>) -> String {
        github(r)
    }
}

pub(super) fn escape_data(s: &str) -> String {
    super::escape::text(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub(super) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: annotations on the pull request's files.
fn github(r: &CheckResult) -> String {
    let mut out = String::new();
    for f in &r.located() {
        let kind = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!("file={},line={}", escape_property(f.file), f.line);
        // GitHub rejects columns on annotations that span several lines
        if f.end_line == f.line {
            let _ = write!(
                props,
                ",col={},endLine={},endColumn={}",
                f.column, f.end_line, f.end_column
            );
        } else {
            let _ = write!(props, ",endLine={}", f.end_line);
        }
        let _ = write!(
            props,
            ",title={}",
            escape_property(&format!("{} {}", f.code, f.name))
        );
        let msg = match &f.help {
            Some(h) => format!("{}\n{h}", f.message),
            None => f.message.clone(),
        };
        let _ = writeln!(out, "::{kind} {props}::{}", escape_data(&msg));
    }
    out
}
