//! Snapshots of the machine-readable outputs on the bundled example, so that a change of
//! shape anywhere in the pipeline shows as a diff: check's JSON, SARIF and GitLab (with their
//! fingerprints), recommend's and inventory's JSON, and the JSON Schema.

mod common;
use common::busfit;

fn snapshot(name: &str, args: &[&str]) {
    let out = busfit(args);
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    insta::assert_snapshot!(name, out.stdout);
}

#[test]
fn check_json() {
    snapshot(
        "demo_check_json",
        &["check", "fixtures/demo", "--format", "json"],
    );
}

#[test]
fn check_sarif() {
    snapshot(
        "demo_check_sarif",
        &["check", "fixtures/demo", "--format", "sarif"],
    );
}

#[test]
fn check_gitlab() {
    snapshot(
        "demo_check_gitlab",
        &["check", "fixtures/demo", "--format", "gitlab"],
    );
}

#[test]
fn recommend_json() {
    snapshot(
        "demo_recommend_json",
        &["recommend", "fixtures/demo", "--format", "json"],
    );
}

#[test]
fn inventory_json() {
    snapshot(
        "demo_inventory_json",
        &["inventory", "fixtures/demo", "--format", "json"],
    );
}

#[test]
fn schema() {
    snapshot("schema", &["schema"]);
}
