//! What real repositories hold, each class of file held through the CLI (contract §6). Every
//! fixture under fixtures/real/ is modelled on a public repository's file (docs/real-world.md).

mod common;
use common::{busfit, json};

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Go/Helm templates under `files/`, Jinja templates of an operator, cargo-generate templates:
/// never BF001; counted as skipped in the summary.
#[test]
fn templates_are_skipped_not_errors() {
    let out = busfit(&["check", "fixtures/real/templates"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("No findings in 4 files (3 templates skipped: not readable until rendered)."),
        "{}",
        out.stdout
    );
    let v = json(&["check", "fixtures/real/templates", "--format", "json"]);
    assert_eq!(v["summary"]["skipped"], 3);
    assert_eq!(v["summary"]["errors"], 0);
}

/// A plain YAML file that is broken is still BF001.
#[test]
fn broken_plain_yaml_is_still_bf001() {
    let v = json(&["check", "fixtures/real/broken-plain", "--format", "json"]);
    assert_eq!(codes(&v), ["BF001"]);
    assert_eq!(v["summary"]["skipped"], 0);
}

/// A values.yaml with a null key followed by a long comment block parses (the chart is listed).
#[test]
fn long_comment_blocks_parse() {
    let v = json(&[
        "inventory",
        "fixtures/real/long-comments",
        "--format",
        "json",
    ]);
    let d = &v["deployments"][0];
    assert_eq!(d["bus"], "nats");
    assert_eq!(d["file"], "fixtures/real/long-comments/chart/values.yaml");
}
