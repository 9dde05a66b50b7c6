//! The CI formats: SARIF 2.1.0, GitHub workflow commands, JUnit XML, GitLab Code Quality,
//! Markdown (a pull-request comment), and per-rule statistics. Same findings as `full`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::kb::{Kb, Severity};
use crate::lint::{CheckResult, Finding};

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

pub fn sarif(kb: &Kb, r: &CheckResult) -> String {
    let rules: Vec<Json> = kb
        .rules
        .iter()
        .map(|rule| {
            let help = format!("{}\n\nWhy: {}\n\nFix: {}", rule.what.trim(), rule.why.trim(), rule.fix.trim());
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": { "text": rule.what.trim() },
                "fullDescription": { "text": rule.why.trim() },
                "help": { "text": help, "markdown": format!("{}\n\n**Why.** {}\n\n**Fix.** {}\n\n```yaml\n{}\n```", rule.what.trim(), rule.why.trim(), rule.fix.trim(), rule.example.trim_end()) },
                "helpUri": rule_url(&rule.code),
                "defaultConfiguration": { "level": sarif_level(rule.severity) },
                "properties": { "criterion": rule.criterion, "tags": [rule.criterion] },
            })
        })
        .collect();
    let results: Vec<Json> = r
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.code,
                "level": sarif_level(f.severity),
                "message": { "text": match &f.help { Some(h) => format!("{}\n{h}", f.message), None => f.message.clone() } },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.file },
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
            if let Some(i) = kb.rules.iter().position(|x| x.code == f.code) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "busfit",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: annotations on the pull request's files.
pub fn github(r: &CheckResult) -> String {
    let mut out = String::new();
    for f in &r.findings {
        let kind = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!("file={},line={}", escape_property(&f.file), f.line);
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

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r') || !c.is_control())
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// JUnit XML: one test suite per file, one failed test case per finding.
pub fn junit(r: &CheckResult) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &r.findings {
        by_file.entry(&f.file).or_default().push(f);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let n = r.findings.len();
    let _ = writeln!(
        out,
        "<testsuites name=\"busfit\" tests=\"{}\" failures=\"{n}\">",
        n.max(1)
    );
    if by_file.is_empty() {
        out.push_str("  <testsuite name=\"busfit\" tests=\"1\" failures=\"0\">\n    <testcase name=\"busfit check\" classname=\"busfit\"/>\n  </testsuite>\n");
    }
    for (file, fs) in by_file {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">",
            xml(file),
            fs.len(),
            fs.len()
        );
        for f in fs {
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
                xml(&format!("{} {} at {}:{}", f.code, f.name, f.line, f.column)),
                xml(file),
                xml(file),
                f.line
            );
            let body = match &f.help {
                Some(h) => format!("{}:{}:{}: {}\n{h}", f.file, f.line, f.column, f.message),
                None => format!("{}:{}:{}: {}", f.file, f.line, f.column, f.message),
            };
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                xml(&f.message),
                f.severity,
                xml(&body)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// GitLab Code Quality report.
pub fn gitlab(r: &CheckResult) -> String {
    let v: Vec<Json> = r
        .findings
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

fn counts(r: &CheckResult) -> Vec<(String, String, Severity, usize)> {
    let mut m: BTreeMap<(String, String), (Severity, usize)> = BTreeMap::new();
    for f in &r.findings {
        let e = m
            .entry((f.code.clone(), f.name.clone()))
            .or_insert((f.severity, 0));
        e.0 = e.0.max(f.severity);
        e.1 += 1;
    }
    m.into_iter().map(|((c, n), (s, k))| (c, n, s, k)).collect()
}

/// A pull-request comment: a summary table, then the findings.
pub fn markdown(r: &CheckResult) -> String {
    let mut out = String::from("## busfit\n\n");
    if r.findings.is_empty() {
        let _ = writeln!(out, "No findings in {} files.", r.files);
        return out;
    }
    let _ = writeln!(
        out,
        "**{} errors**, **{} warnings**, {} infos in {} files.\n",
        r.count(Severity::Error),
        r.count(Severity::Warning),
        r.count(Severity::Info),
        r.files
    );
    out.push_str("| rule | name | severity | count |\n|---|---|---|---:|\n");
    for (code, name, sev, n) in counts(r) {
        let _ = writeln!(
            out,
            "| [{code}]({}) | {name} | {sev} | {n} |",
            rule_url(&code)
        );
    }
    out.push_str("\n### Findings\n\n");
    for f in &r.findings {
        let _ = writeln!(
            out,
            "- **{}** [`{}`]({}) `{}:{}:{}` {}",
            f.severity,
            f.code,
            rule_url(&f.code),
            f.file,
            f.line,
            f.column,
            f.message.replace('|', "\\|")
        );
        if let Some(h) = &f.help {
            for l in h.lines() {
                let _ = writeln!(out, "  > {l}");
            }
        }
    }
    out
}

/// `--statistics`: how many findings per rule.
pub fn statistics(r: &CheckResult) -> String {
    let mut out = String::new();
    for (code, name, sev, n) in counts(r) {
        let _ = writeln!(out, "{n:>5}  {code:<6} {:<7} {name}", sev.as_str());
    }
    let _ = writeln!(
        out,
        "Found {} findings in {} files.",
        r.findings.len(),
        r.files
    );
    out
}
