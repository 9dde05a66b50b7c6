//! `concise`: one line per finding.

use std::fmt::Write as _;

use super::{Context, Format, Locate, escape, summary_line};
use crate::lint::CheckResult;

pub struct Concise;

impl Format for Concise {
    fn name(&self) -> &'static str {
        "concise"
    }
    fn render(&self, r: &CheckResult, _: &Context<'_>) -> String {
        concise(r)
    }
}

/// `concise`: one line per finding.
fn concise(r: &CheckResult) -> String {
    let mut out = String::new();
    for f in &r.located() {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            escape::line(f.file),
            f.line,
            f.column,
            f.severity,
            f.code,
            escape::line(&f.message)
        );
    }
    out.push_str(&summary_line(r));
    out.push('\n');
    out
}
