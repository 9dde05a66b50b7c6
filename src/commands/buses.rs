//! `busfit buses`: the knowledge base as a comparison table (contract §1).

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::kb::{COMPARISON_ROWS, Kb, Profile};

/// The profiles `--bus` names (all when it names none), in the knowledge base's order.
fn selected<'k>(kb: &'k Kb, buses: &[&str]) -> Vec<&'k Profile> {
    kb.profiles
        .iter()
        .filter(|p| buses.is_empty() || buses.contains(&p.bus.as_str()))
        .collect()
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
#[must_use]
pub fn table(kb: &Kb, buses: &[&str]) -> String {
    let profiles = selected(kb, buses);
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

/// The figures of a variant that differ from its bus's.
fn own_figures<'a>(p: &'a Profile, v: &'a Profile) -> impl Iterator<Item = (&'a str, String)> {
    v.figures
        .iter()
        .filter(move |(k, val)| p.figures.get(*k) != Some(*val))
        .map(|(k, val)| (k.as_str(), val.to_string()))
}

#[must_use]
pub fn json(kb: &Kb, buses: &[&str]) -> String {
    let v: Vec<Json> = selected(kb, buses)
        .into_iter()
        .map(|p| {
            let comparison: serde_json::Map<String, Json> = p
                .comparison
                .iter()
                .map(|r| (r.key.clone(), json!({"text": r.text, "source": r.source})))
                .collect();
            let figures: serde_json::Map<String, Json> =
                p.figures.iter().map(|(k, v)| (k.clone(), Json::String(v.to_string()))).collect();
            let variants: Vec<Json> = p
                .variants
                .iter()
                .map(|v| {
                    let own: serde_json::Map<String, Json> = own_figures(p, v)
                        .map(|(k, val)| (k.to_owned(), Json::String(val)))
                        .collect();
                    json!({"key": v.variant, "name": v.name, "figures": own})
                })
                .collect();
            json!({"bus": p.bus, "name": p.name, "modes": p.modes, "variants": variants, "comparison": comparison, "figures": figures})
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

#[must_use]
pub fn markdown(kb: &Kb, buses: &[&str]) -> String {
    let profiles = selected(kb, buses);
    let mut out = String::from("| criterion |");
    for p in &profiles {
        let _ = write!(out, " {} |", p.bus);
    }
    out.push_str("\n|---|");
    for _ in &profiles {
        out.push_str("---|");
    }
    out.push('\n');
    for (key, title) in COMPARISON_ROWS {
        let _ = write!(out, "| {title} |");
        for p in &profiles {
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
    for p in &profiles {
        let _ = writeln!(out, "\n### {} ({})\n", p.name, p.bus);
        for r in &p.comparison {
            let _ = writeln!(out, "- {}: {}", r.key, r.source);
        }
        // kinds of the bus whose figures differ: judged one at a time, never mixed
        for v in &p.variants {
            let own: Vec<String> = own_figures(p, v)
                .filter(|(k, _)| !k.ends_with(".source") && !k.ends_with(".how"))
                .map(|(k, val)| format!("{k} {val}"))
                .collect();
            let _ = writeln!(out, "- as {}: {}", v.name, own.join(", "));
        }
    }
    out
}
