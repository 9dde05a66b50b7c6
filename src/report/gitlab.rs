//! `gitlab`: GitLab Code Quality.

use serde_json::{Value as Json, json};

use super::{Context, Format, Locate};
use crate::kb::Severity;
use crate::lint::CheckResult;

pub struct Gitlab;

impl Format for Gitlab {
    fn name(&self) -> &'static str {
        "gitlab"
    }
    fn render(&self, r: &CheckResult, _: &Context<'_>) -> String {
        gitlab(r)
    }
}

fn gitlab(r: &CheckResult) -> String {
    let v: Vec<Json> = r
        .located()
        .iter()
        .map(|f| {
            json!({
                "description": f.message,
                "check_name": f.code,
                "fingerprint": f.fingerprint,
                "severity": match f.severity { Severity::Error => "major", Severity::Warning => "minor", Severity::Info => "info" },
                "location": { "path": f.file, "lines": { "begin": f.line, "end": f.end_line } },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
