//! `sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.

use serde_json::{Value as Json, json};

use super::{Context, Format, Locate};
use crate::kb::{Kb, Severity};
use crate::lint::CheckResult;

pub struct Sarif;

impl Format for Sarif {
    fn name(&self) -> &'static str {
        "sarif"
    }
    fn render(&self, r: &CheckResult, cx: &Context<'_>) -> String {
        sarif(cx.kb, r)
    }
}

/// Where a rule's documentation lives.
pub fn rule_url(code: &str) -> String {
    format!(
        "{}/blob/main/docs/rules.md#{}",
        env!("CARGO_PKG_REPOSITORY"),
        code.to_lowercase()
    )
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn sarif(kb: &Kb, r: &CheckResult) -> String {
    document(kb, r, driver_rules(kb))
}

/// The report without the rule table (`tool.driver.rules` empty). The table does not depend on
/// the findings; the fuzz targets render it once and then only this, which halves their time.
#[must_use]
pub fn without_rules(kb: &Kb, r: &CheckResult) -> String {
    document(kb, r, Vec::new())
}

/// `tool.driver.rules`: every rule with its documentation.
fn driver_rules(kb: &Kb) -> Vec<Json> {
    kb
        .rules
        .iter()
        .map(|rule| {
            let help = format!("{}\n\nWhy: {}\n\nFix: {}", rule.what.trim(), rule.why.trim(), rule.fix.trim());
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": { "text": rule.what.trim() },
                "fullDescription": { "text": rule.why.trim() },
                "help": { "text": help, "markdown": format!("{}\n\n**Why.** {}\n\n**Fix.** {}\n\n```{}\n{}\n```", rule.what.trim(), rule.why.trim(), rule.fix.trim(), rule.example_language(), rule.example.trim_end()) },
                "helpUri": rule_url(&rule.code),
                "defaultConfiguration": { "level": sarif_level(rule.severity) },
                "properties": { "criterion": rule.criterion, "tags": [rule.criterion] },
            })
        })
        .collect()
}

fn document(kb: &Kb, r: &CheckResult, rules: Vec<Json>) -> String {
    let results: Vec<Json> = r
        .located()
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.code,
                "level": sarif_level(f.severity),
                "message": { "text": match &f.help { Some(h) => format!("{}\n{h}", f.message), None => f.message.clone() } },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": super::escape::uri(f.file) },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column.max(if f.end_line == f.line { f.column } else { 1 }),
                        }
                    }
                }],
                "partialFingerprints": { "busfit/v1": f.fingerprint },
                "properties": { "criterion": f.criterion, "flow": f.flow, "bus": f.bus },
            });
            if !f.related.is_empty() {
                result["relatedLocations"] = Json::Array(
                    f.related
                        .iter()
                        .enumerate()
                        .map(|(i, (span, label))| {
                            let p = r.table.position(*span);
                            json!({
                                "id": i + 1,
                                "physicalLocation": {
                                    "artifactLocation": { "uri": super::escape::uri(r.table.name(span.file)) },
                                    "region": {
                                        "startLine": p.line,
                                        "startColumn": p.column,
                                        "endLine": p.end_line,
                                        "endColumn": p.end_column.max(if p.end_line == p.line { p.column } else { 1 }),
                                    }
                                },
                                "message": { "text": label },
                            })
                        })
                        .collect(),
                );
            }
            if let Some(i) = kb.rules.iter().position(|x| x.code == f.code) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    let mut run = json!({ "tool": { "driver": driver() }, "results": results });
    run["tool"]["driver"]["rules"] = json!(rules);
    let v = log(run);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// The tool's driver as every SARIF log of busfit names it (without its rule table).
pub(crate) fn driver() -> serde_json::Value {
    json!({
        "name": "busfit",
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": env!("CARGO_PKG_REPOSITORY"),
    })
}

/// A SARIF 2.1.0 log of one run.
pub(crate) fn log(run: serde_json::Value) -> serde_json::Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}
