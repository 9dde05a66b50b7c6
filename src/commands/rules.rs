//! `busfit rules`: every rule as a table, JSON, or docs/rules.md.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::kb::Kb;
use crate::report::table;

pub fn rules_table(kb: &Kb) -> String {
    let rows: Vec<Vec<String>> = kb
        .rules
        .iter()
        .map(|r| {
            vec![
                r.code.clone(),
                r.name.clone(),
                r.criterion.clone(),
                r.severity.to_string(),
            ]
        })
        .collect();
    table(&["code", "name", "criterion", "severity"], &rows)
}

pub fn rules_json(kb: &Kb) -> String {
    let v: Vec<Json> = kb
        .rules
        .iter()
        .map(|r| {
            json!({
                "code": r.code, "name": r.name, "criterion": r.criterion,
                "severity": r.severity.as_str(),
                "requirement": r.requirement,
                "applies_to": r.applies_to,
                "settings": r.settings,
                "condition": if r.when_text.is_empty() { None } else { Some(&r.when_text) },
                "what": r.what, "why": r.why, "example": r.example, "fix": r.fix,
                "references": r.references,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// docs/rules.md: the rule reference, generated from rules/.
pub fn rules_markdown(kb: &Kb) -> String {
    let mut out = String::new();
    out.push_str("# busfit rules\n\n");
    out.push_str("<!-- Generated from rules/ by `busfit rules --format markdown`; do not edit by hand. -->\n\n");
    out.push_str("| code | name | criterion | severity |\n|---|---|---|---|\n");
    for r in &kb.rules {
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} | {} | {} |",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.criterion,
            r.severity
        );
    }
    for r in &kb.rules {
        let _ = writeln!(
            out,
            "\n## {}\n\n`{}` · criterion `{}` · default severity `{}`\n",
            r.code, r.name, r.criterion, r.severity
        );
        let _ = writeln!(out, "### What it does\n\n{}\n", r.what.trim());
        let _ = writeln!(out, "### Why is this bad\n\n{}\n", r.why.trim());
        let _ = writeln!(
            out,
            "### Example\n\n```{}\n{}\n```\n",
            r.example_language(),
            r.example.trim_end()
        );
        let _ = writeln!(out, "### How to fix\n\n{}\n", r.fix.trim());
        if !r.when_text.is_empty() {
            let _ = writeln!(
                out,
                "### Condition\n\n```text\n{}\n```\n",
                r.when_text.trim()
            );
        }
        if !r.references.is_empty() {
            out.push_str("### References\n\n");
            for rf in &r.references {
                let _ = writeln!(out, "- <{rf}>");
            }
            out.push('\n');
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
