//! `json`: contract §5. Serialised straight from the findings, without building a JSON tree
//! first (a monorepo's report holds thousands of findings); keys in alphabetical order, as
//! the contract's examples show them.

use serde::Serialize;

use super::{Context, Format, Locate, Located};
use crate::kb::Severity;
use crate::lint::CheckResult;
use crate::lint::eval::Alternative;

pub struct Json;

impl Format for Json {
    fn name(&self) -> &'static str {
        "json"
    }
    fn render(&self, r: &CheckResult, _: &Context<'_>) -> String {
        let mut out = Vec::with_capacity(256 + r.findings.len() * 768);
        if write_json(r, &mut out).is_err() {
            return String::new();
        }
        String::from_utf8(out).unwrap_or_default()
    }
    fn write(
        &self,
        r: &CheckResult,
        _: &Context<'_>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        write_json(r, out)
    }
}

#[derive(Serialize)]
struct AlternativeOut<'a> {
    bus: &'a str,
    unmet: &'a [String],
}

/// One finding; fields in alphabetical order.
#[derive(Serialize)]
struct FindingOut<'a> {
    alternatives: Vec<AlternativeOut<'a>>,
    bus: Option<&'a str>,
    code: &'a str,
    column: usize,
    criterion: &'a str,
    end_column: usize,
    end_line: usize,
    file: &'a str,
    flow: Option<&'a str>,
    help: Option<&'a str>,
    line: usize,
    message: &'a str,
    name: &'a str,
    /// Other places of the same root cause (a summary's other files, a cluster's members).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedOut<'a>>,
    severity: &'a str,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    column: usize,
    file: &'a str,
    line: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    files: usize,
    infos: usize,
    skipped: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct Report<'a> {
    findings: Vec<FindingOut<'a>>,
    summary: Summary,
    version: u32,
}

fn finding_out<'a>(r: &'a CheckResult, f: &Located<'a>) -> FindingOut<'a> {
    let finding = f.finding;
    FindingOut {
        alternatives: finding
            .alternatives
            .iter()
            .map(|a: &Alternative| AlternativeOut {
                bus: &a.bus,
                unmet: &a.unmet,
            })
            .collect(),
        bus: finding.bus.as_deref(),
        code: &finding.code,
        column: f.column,
        criterion: &finding.criterion,
        end_column: f.end_column,
        end_line: f.end_line,
        file: f.file,
        flow: finding.flow.as_deref(),
        help: finding.help.as_deref(),
        line: f.line,
        message: &finding.message,
        name: &finding.name,
        related: finding
            .related
            .iter()
            .map(|(span, label)| {
                let (line, column) = r.table.line_col(*span);
                RelatedOut {
                    column,
                    file: r.table.name(span.file),
                    line,
                    message: label,
                }
            })
            .collect(),
        severity: finding.severity.as_str(),
    }
}

/// `json`: contract §5, written as it is serialised.
fn write_json(r: &CheckResult, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let located = r.located();
    let report = Report {
        findings: located.iter().map(|f| finding_out(r, f)).collect(),
        summary: Summary {
            errors: r.count(Severity::Error),
            files: r.files,
            infos: r.count(Severity::Info),
            skipped: r.skipped,
            warnings: r.count(Severity::Warning),
        },
        version: 1,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}
