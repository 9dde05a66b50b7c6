//! `busfit init`: a commented busfit.yaml with one flow per bus found in the repository.

use std::fmt::Write as _;

use crate::kb::requirements::{KEYS, Kind};
use crate::project::Project;

/// An example value for each requirement, shown commented out.
fn example(key: &str, kind: &Kind) -> String {
    match (key, kind) {
        ("delivery", _) => "at-least-once".into(),
        ("latency", _) => "200ms".into(),
        ("throughput", _) => "5k/s".into(),
        ("message_size", _) => "2KiB".into(),
        ("retention", _) => "7d".into(),
        ("ordering", _) => "per-key".into(),
        ("connections", _) => "1k".into(),
        ("broker_memory", _) => "2GiB".into(),
        ("ops_complexity", _) => "medium".into(),
        (_, Kind::Words(w)) => format!("[{}]", w.first().copied().unwrap_or("")),
        (_, Kind::Bool) => "true".into(),
        (_, Kind::Word(w)) => w.first().copied().unwrap_or("").to_owned(),
        (_, Kind::Level(s)) => s.levels.first().copied().unwrap_or("").to_owned(),
        (_, Kind::Quantity(_)) => String::new(),
    }
}

/// The text of a new busfit.yaml for what the project deploys.
pub fn manifest(project: &Project) -> String {
    let facts = &project.facts;
    let mut out = String::new();
    out.push_str(
        "# Editors check this file against busfit's schema: `busfit schema > busfit.schema.json`,\n",
    );
    out.push_str("# then add the line `# yaml-language-server: $schema=busfit.schema.json`.\n");
    out.push_str(
        "# What this repository's message flows need, checked by `busfit check` against the\n",
    );
    out.push_str(
        "# bus it deploys. Written by `busfit init`: uncomment and set what each flow needs.\n",
    );
    out.push_str("# `busfit explain <CODE>` and docs/rules.md describe every check.\n");
    out.push_str("version: 1\n");
    // one flow per bus kind, in order of first appearance
    let mut buses: Vec<(String, String)> = Vec::new();
    for d in &facts.deployments {
        if !buses.iter().any(|(b, _)| *b == d.bus) {
            let (l, c) = project.files.line_col(d.span);
            buses.push((
                d.bus.clone(),
                format!("{}:{l}:{c} ({})", project.files.name(d.file()), d.evidence),
            ));
        }
    }
    for c in &facts.clients {
        if !buses.iter().any(|(b, _)| *b == c.bus) {
            let (l, col) = project.files.line_col(c.span);
            buses.push((
                c.bus.clone(),
                format!(
                    "{}:{l}:{col} ({} client: {})",
                    project.files.name(c.span.file),
                    c.source,
                    c.library
                ),
            ));
        }
    }
    if buses.is_empty() {
        out.push_str("# No bus was found; name one per flow with `bus:`.\nflows: []\n");
        return out;
    }
    out.push_str("flows:\n");
    for (bus, evidence) in &buses {
        let _ = writeln!(out, "  # found: {evidence}");
        let _ = writeln!(out, "  - name: {bus}");
        let _ = writeln!(out, "    bus: {bus}");
        out.push_str("    requires:\n");
        for k in KEYS {
            let ex = example(k.key, &k.kind);
            let _ = writeln!(
                out,
                "      # {}: {ex:<16} # {}: {}",
                k.key,
                k.about,
                k.kind.accepted()
            );
        }
    }
    out.push_str("# settings:\n#   fail_on: warning          # error | warning | info | never\n#   exclude: [\"**/testdata/**\"]\n");
    out
}
