//! `markdown`: a pull-request comment.

use std::fmt::Write as _;

use super::sarif::rule_url;
use super::statistics::counts;
use super::{Context, Format, Locate, escape, plural};
use crate::kb::Severity;
use crate::lint::CheckResult;

pub struct Markdown;

impl Format for Markdown {
    fn name(&self) -> &'static str {
        "markdown"
    }
    fn render(&self, r: &CheckResult, _: &Context<'_>) -> String {
        markdown(r)
    }
}

fn markdown(r: &CheckResult) -> String {
    let mut out = String::from("## busfit\n\n");
    if r.findings.is_empty() {
        let _ = writeln!(out, "No findings in {}.", plural(r.files, "file"));
        return out;
    }
    let _ = writeln!(
        out,
        "**{}**, **{}**, {} in {}.\n",
        plural(r.count(Severity::Error), "error"),
        plural(r.count(Severity::Warning), "warning"),
        plural(r.count(Severity::Info), "info"),
        plural(r.files, "file")
    );
    out.push_str("| rule | name | severity | count |\n|---|---|---|---:|\n");
    for (code, name, sev, n) in counts(r) {
        let _ = writeln!(
            out,
            "| [{code}]({}) | {name} | {sev} | {n} |",
            rule_url(&code)
        );
    }
    if let Some(d) = &r.diagram {
        out.push_str("\n### Topology\n\n```mermaid\n");
        out.push_str(d);
        out.push_str("```\n");
    }
    out.push_str("\n### Findings\n\n");
    for f in &r.located() {
        let _ = writeln!(
            out,
            "- **{}** [`{}`]({}) {} {}",
            f.severity,
            f.code,
            rule_url(&f.code),
            escape::code_span(&format!("{}:{}:{}", f.file, f.line, f.column)),
            escape::markdown(&f.message)
        );
        if let Some(h) = &f.help {
            for l in h.lines() {
                let _ = writeln!(out, "  > {}", escape::markdown(l));
            }
        }
    }
    out
}
