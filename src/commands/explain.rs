//! `busfit explain`: what a rule checks, why, an example, the fix, its sources.

use std::fmt::Write as _;

use crate::kb::Rule;

pub fn explain(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", rule.code, rule.name);
    let _ = writeln!(
        out,
        "criterion: {}   default severity: {}   defined in: {}",
        rule.criterion, rule.severity, rule.file
    );
    let section = |out: &mut String, title: &str, body: &str| {
        if body.trim().is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title}");
        for l in body.trim_end().lines() {
            let _ = writeln!(out, "  {l}");
        }
    };
    section(&mut out, "What it does", &rule.what);
    section(&mut out, "Why is this bad", &rule.why);
    section(&mut out, "Example", &rule.example);
    section(&mut out, "How to fix", &rule.fix);
    if !rule.when_text.is_empty() {
        section(&mut out, "Condition", &rule.when_text);
    }
    if !rule.references.is_empty() {
        let refs: Vec<String> = rule.references.iter().map(|r| format!("- {r}")).collect();
        section(&mut out, "References", &refs.join("\n"));
    }
    out
}
