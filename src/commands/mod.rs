//! The read-only commands: explain, rules, buses, recommend output.

pub mod init;

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::kb::{COMPARISON_ROWS, Kb, Rule};
use crate::lint::eval::Ranked;
use crate::report::table;

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
            "### Example\n\n```yaml\n{}\n```\n",
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

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// The comparison as a terminal table: one column per bus, one row per criterion.
pub fn buses_table(kb: &Kb, buses: &[&str]) -> String {
    let profiles: Vec<_> = kb
        .profiles
        .iter()
        .filter(|p| buses.is_empty() || buses.contains(&p.bus.as_str()))
        .collect();
    let width = 18;
    let label_w = COMPARISON_ROWS
        .iter()
        .map(|r| r.1.len())
        .max()
        .unwrap_or(10);
    let mut out = String::new();
    let sep = |out: &mut String| {
        let _ = write!(out, "{}", "─".repeat(label_w));
        for _ in &profiles {
            let _ = write!(out, "┼{}", "─".repeat(width + 2));
        }
        out.push('\n');
    };
    let mut header = format!("{:<label_w$}", "");
    for p in &profiles {
        let _ = write!(header, "│ {:<width$} ", p.bus);
    }
    out.push_str(header.trim_end());
    out.push('\n');
    for (key, title) in COMPARISON_ROWS {
        sep(&mut out);
        let cells: Vec<Vec<String>> = profiles
            .iter()
            .map(|p| wrap(p.row(key).map_or("—", |r| r.text.as_str()), width))
            .collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for i in 0..height {
            let label = if i == 0 { *title } else { "" };
            let mut line = format!("{label:<label_w$}");
            for c in &cells {
                let _ = write!(line, "│ {:<width$} ", c.get(i).map_or("", String::as_str));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.push_str("\nSources: `busfit buses --format markdown` lists the source of every cell.\n");
    out
}

pub fn buses_json(kb: &Kb) -> String {
    let v: Vec<Json> = kb
        .profiles
        .iter()
        .map(|p| {
            let comparison: serde_json::Map<String, Json> = p
                .comparison
                .iter()
                .map(|r| (r.key.clone(), json!({"text": r.text, "source": r.source})))
                .collect();
            let figures: serde_json::Map<String, Json> =
                p.figures.iter().map(|(k, v)| (k.clone(), Json::String(v.to_string()))).collect();
            json!({"bus": p.bus, "name": p.name, "modes": p.modes, "comparison": comparison, "figures": figures})
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

pub fn buses_markdown(kb: &Kb) -> String {
    let mut out = String::from("| criterion |");
    for p in &kb.profiles {
        let _ = write!(out, " {} |", p.bus);
    }
    out.push_str("\n|---|");
    for _ in &kb.profiles {
        out.push_str("---|");
    }
    out.push('\n');
    for (key, title) in COMPARISON_ROWS {
        let _ = write!(out, "| {title} |");
        for p in &kb.profiles {
            let _ = write!(
                out,
                " {} |",
                p.row(key)
                    .map_or("—", |r| r.text.as_str())
                    .replace('|', "\\|")
            );
        }
        out.push('\n');
    }
    out.push_str("\n## Sources\n");
    for p in &kb.profiles {
        let _ = writeln!(out, "\n### {} ({})\n", p.name, p.bus);
        for r in &p.comparison {
            let _ = writeln!(out, "- {}: {}", r.key, r.source);
        }
    }
    out
}

/// One flow's ranking for the terminal.
pub fn ranking_text(flow: &str, current: Option<&str>, ranking: &[Ranked]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "flow `{flow}`{}",
        current
            .map(|c| format!(" (now on {c})"))
            .unwrap_or_default()
    );
    for (i, r) in ranking.iter().enumerate() {
        let mark = if r.fits { "fits" } else { "does not fit" };
        let _ = writeln!(out, "{:>3}. {:<15} {}", i + 1, r.bus, mark);
        for u in &r.unmet {
            let _ = writeln!(
                out,
                "       {:<7} {:<12} {} [{}]",
                u.severity.as_str(),
                u.criterion,
                u.reason,
                u.code
            );
        }
    }
    out
}

pub fn ranking_json(flows: &[(String, Option<String>, Vec<Ranked>)]) -> String {
    let v = json!({
        "flows": flows.iter().map(|(name, current, ranking)| json!({
            "name": name,
            "current": current,
            "ranking": ranking.iter().map(|r| json!({
                "bus": r.bus,
                "fits": r.fits,
                "unmet": r.unmet.iter().map(|u| json!({
                    "criterion": u.criterion,
                    "severity": u.severity.as_str(),
                    "reason": u.reason,
                    "code": u.code,
                    "requirement": u.requirement,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// `busfit inventory`: what is deployed, which client libraries are used, each flow's bus.
pub fn inventory(
    project: &crate::project::Project,
    flows: &[crate::lint::ResolvedFlow],
    as_json: bool,
) -> String {
    let facts = &project.facts;
    let files = &project.files;
    if as_json {
        let deployments: Vec<Json> = facts
            .deployments
            .iter()
            .map(|d| {
                let (line, column) = files.line_col(d.span);
                json!({"bus": d.bus, "file": files.name(d.file()), "line": line, "column": column,
                       "source": d.source, "name": d.name, "evidence": d.evidence,
                       "settings": d.settings.iter().map(|s| json!({"key": s.key, "value": s.value})).collect::<Vec<_>>()})
            })
            .collect();
        let clients: Vec<Json> = facts
            .clients
            .iter()
            .map(|c| {
                let (line, column) = files.line_col(c.span);
                json!({"bus": c.bus, "file": files.name(c.span.file), "line": line, "column": column, "library": c.library})
            })
            .collect();
        let flows: Vec<Json> = flows
            .iter()
            .map(|f| {
                let (line, _) = files.line_col(f.name_span);
                let (bus, from) = match &f.bus {
                    Ok((b, from)) => (Some(b.clone()), Some(from.as_str())),
                    Err(_) => (None, None),
                };
                json!({"name": f.name, "file": files.name(f.name_span.file), "line": line, "bus": bus, "bus_from": from})
            })
            .collect();
        let mut s = serde_json::to_string_pretty(
            &json!({"deployments": deployments, "clients": clients, "flows": flows}),
        )
        .unwrap_or_default();
        s.push('\n');
        return s;
    }
    let mut out = String::new();
    let d_rows: Vec<Vec<String>> = facts
        .deployments
        .iter()
        .map(|d| {
            let (l, c) = files.line_col(d.span);
            vec![
                d.bus.clone(),
                format!("{}:{l}:{c}", files.name(d.file())),
                d.source.to_owned(),
                d.name.clone(),
                d.evidence.clone(),
            ]
        })
        .collect();
    let c_rows: Vec<Vec<String>> = facts
        .clients
        .iter()
        .map(|c| {
            let (l, col) = files.line_col(c.span);
            vec![
                c.bus.clone(),
                format!("{}:{l}:{col}", files.name(c.span.file)),
                c.library.clone(),
            ]
        })
        .collect();
    let f_rows: Vec<Vec<String>> = flows
        .iter()
        .map(|f| {
            let (l, c) = files.line_col(f.name_span);
            let (bus, from) = match &f.bus {
                Ok((b, from)) => (b.clone(), from.as_str().to_owned()),
                Err(c) if c.is_empty() => ("?".into(), "no bus deployed".into()),
                Err(c) => ("?".into(), format!("one of {}", c.join(", "))),
            };
            vec![
                f.name.clone(),
                format!("{}:{l}:{c}", files.name(f.name_span.file)),
                bus,
                from,
            ]
        })
        .collect();
    let _ = writeln!(out, "Deployments ({})", d_rows.len());
    out.push_str(&table(
        &["bus", "where", "source", "name", "evidence"],
        &d_rows,
    ));
    let _ = writeln!(out, "\nClient libraries ({})", c_rows.len());
    out.push_str(&table(&["bus", "where", "library"], &c_rows));
    let _ = writeln!(out, "\nFlows ({})", f_rows.len());
    out.push_str(&table(&["flow", "where", "bus", "bus from"], &f_rows));
    out
}
