//! `json`: contract §5.

use serde_json::{Value, json};

use super::{Context, Format, Locate, Located};
use crate::kb::Severity;
use crate::lint::CheckResult;

pub struct Json;

impl Format for Json {
    fn name(&self) -> &'static str {
        "json"
    }
    fn render(&self, r: &CheckResult, _: &Context<'_>) -> String {
        json(r)
    }
}

fn finding_json(f: &Located<'_>) -> Value {
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
fn json(r: &CheckResult) -> String {
    let v = json!({
        "version": 1,
        "findings": r.located().iter().map(|f| finding_json(f)).collect::<Vec<_>>(),
        "summary": {
            "files": r.files,
            "skipped": r.skipped,
            "errors": r.count(Severity::Error),
            "warnings": r.count(Severity::Warning),
            "infos": r.count(Severity::Info),
        }
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
