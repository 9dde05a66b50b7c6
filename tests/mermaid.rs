//! The topology as a Mermaid flowchart (issue 26, contract §7): `inventory --format mermaid`
//! and the diagram of `check --format markdown`. The diagrams of every fixture folder, a
//! large repository and hostile names are rendered by Mermaid's own renderer in headless
//! Chromium (`tests/render/render.py`): `.ci/run` installs both and runs the ignored test.

mod common;
use common::{busfit, root};

fn mermaid(dir: &std::path::Path) -> String {
    let out = common::busfit_in(dir, &["inventory", ".", "--format", "mermaid"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

/// A repository of `services` compose services over three buses, with `flows` flows.
fn large(services: usize, flows: usize) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let mut compose = String::from("services:\n");
    for i in 0..services {
        let image = ["apache/kafka:3.9.0", "redis:7.4", "eclipse-mosquitto:2"][i % 3];
        compose.push_str(&format!("  broker-{i}:\n    image: {image}\n"));
    }
    std::fs::write(d.path().join("compose.yaml"), compose).unwrap();
    let mut manifest = String::from("version: 1\nflows:\n");
    for i in 0..flows {
        let bus = ["kafka", "redis", "mqtt"][i % 3];
        manifest.push_str(&format!(
            "  - name: flow-{i}\n    bus: {bus}\n    requires: {{ delivery: at-least-once }}\n"
        ));
    }
    std::fs::write(d.path().join("busfit.yaml"), manifest).unwrap();
    d
}

/// A compose service whose name tries to close the label, open a Markdown fence and start
/// an entity.
fn hostile() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("compose.yaml"),
        "services:\n  \"a\\\"]) --> x[(\\\"```\\n#quot;<b>\":\n    image: redis:7.4\n    ports: ['6379:6379']\n",
    )
    .unwrap();
    d
}

#[test]
fn the_diagram_draws_services_deployments_and_flows() {
    let out = busfit(&["inventory", "fixtures/demo", "--format", "mermaid"]).stdout;
    assert!(out.starts_with("flowchart LR\n"), "{out}");
    // a deployment with its cluster size, environment and findings by severity
    assert!(
        out.contains("d0[(\"kafka · broker<br/>1 node · development<br/>fixtures/demo/docker-compose.yml<br/>1 error · 1 warning\")]:::error"),
        "{out}"
    );
    // the service that reaches Redis, and the flows on each bus with their own findings
    assert!(out.contains("s0[\"checkout\"]\n  s0 --> d1\n"), "{out}");
    assert!(
        out.contains("flow payments<br/>on redis-pubsub<br/>2 errors"),
        "{out}"
    );
    assert!(out.contains("  d1 --> f0\n"), "{out}");
    // the same bytes every run
    assert_eq!(
        out,
        busfit(&["inventory", "fixtures/demo", "--format", "mermaid"]).stdout
    );
}

#[test]
fn a_large_repository_is_grouped_with_a_note() {
    let d = large(90, 40);
    let out = mermaid(d.path());
    assert!(out.contains("grouped"), "{out}");
    assert!(
        out.contains("note[\"130 nodes are too many to read"),
        "{out}"
    );
    let nodes = out
        .lines()
        .filter(|l| l.contains("[(\"") || l.contains("{{\"") || l.contains("[\""))
        .count();
    assert!(nodes <= 60, "{nodes} nodes:\n{out}");
    assert!(out.contains("kafka × 30"), "{out}");
    assert!(out.contains("14 flows on kafka"), "{out}");
}

#[test]
fn repository_text_cannot_break_out_of_a_label_or_a_fence() {
    let d = hostile();
    let out = mermaid(d.path());
    let label = out.lines().find(|l| l.starts_with("  d0")).unwrap();
    // one quoted label: the only quotes are its own, and no backtick survives
    assert_eq!(label.matches('"').count(), 2, "{label}");
    assert!(!out.contains('`'), "{out}");
    assert!(label.contains("#quot;") && label.contains("#96;") && label.contains("#35;quot;"));
    assert!(!label.contains("<b>"), "{label}");
}

#[test]
fn the_markdown_report_embeds_the_diagram() {
    let out = busfit(&["check", "fixtures/demo", "--format", "markdown"]).stdout;
    let diagram = busfit(&["inventory", "fixtures/demo", "--format", "mermaid"]).stdout;
    assert!(
        out.contains(&format!("### Topology\n\n```mermaid\n{diagram}```\n")),
        "{out}"
    );
}

/// Every fixture folder's diagram, a large repository's and a hostile one's, rendered by
/// Mermaid 11 in Chromium. Needs `chromium` and mermaid.min.js (BUSFIT_MERMAID_JS, or
/// target/mermaid/node_modules/mermaid/dist/mermaid.min.js): `.ci/run` installs both and
/// runs it with `--ignored`.
#[test]
#[ignore = "needs Chromium and the npm package mermaid: .ci/run installs them"]
fn every_diagram_renders_in_mermaid() {
    let root = root();
    let js = std::env::var("BUSFIT_MERMAID_JS").map_or_else(
        |_| root.join("target/mermaid/node_modules/mermaid/dist/mermaid.min.js"),
        std::path::PathBuf::from,
    );
    assert!(js.is_file(), "no {}", js.display());
    let out = tempfile::tempdir().unwrap();
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let mut has_file = false;
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::path);
        for e in entries {
            if e.path().is_dir() {
                walk(&e.path(), out);
            } else {
                has_file = true;
            }
        }
        if has_file {
            out.push(dir.to_path_buf());
        }
    }
    walk(&root.join("fixtures"), &mut dirs);
    assert!(dirs.len() > 100, "{} fixture folders", dirs.len());
    for dir in &dirs {
        let name = dir
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        std::fs::write(out.path().join(format!("{name}.mmd")), mermaid(dir)).unwrap();
    }
    let big = large(90, 40);
    std::fs::write(out.path().join("large.mmd"), mermaid(big.path())).unwrap();
    let bad = hostile();
    std::fs::write(out.path().join("hostile.mmd"), mermaid(bad.path())).unwrap();
    let run = std::process::Command::new("python3")
        .arg(root.join("tests/render/render.py"))
        .arg(out.path())
        .arg(&js)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{report}");
    let rendered = report.lines().filter(|l| l.contains(" rendered ")).count();
    assert_eq!(rendered, dirs.len() + 2, "{report}");
}
