//! The defects that came from busfit's old shape, each held through the CLI: a span drawn over
//! another file, two path conventions, an extractor reading files itself, a filter not applied.

mod common;
use common::{busfit, busfit_in, json, root};

/// A requirement merged from busfit.yaml's `defaults` into a flow declared in
/// docker-compose.yml is drawn in busfit.yaml, at the value, not over the compose file.
#[test]
fn a_defaults_requirement_points_into_busfit_yaml() {
    let v = json(&["check", "fixtures/arch/span-file", "--format", "json"]);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "BF101");
    assert_eq!(f["flow"], "checkout");
    assert_eq!(f["file"], "fixtures/arch/span-file/busfit.yaml");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(5), Some(15))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(5), Some(27))
    );
    // BF911 (Redis's appendonly default) is drawn at the compose image; this test is BF101's
    let out = busfit(&["check", "fixtures/arch/span-file", "--select", "BF101"]);
    assert!(
        out.stdout
            .contains("╭─[fixtures/arch/span-file/busfit.yaml:5:15]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(" 5 │     delivery: exactly-once"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("docker-compose.yml:"),
        "{}",
        out.stdout
    );
}

/// `per_file_ignores` matches paths relative to its busfit.yaml, wherever busfit runs from.
#[test]
fn per_file_ignores_hold_from_any_directory() {
    let dir = root().join("fixtures/arch/per-file");
    for (cwd, args) in [
        (
            root(),
            vec!["check", "fixtures/arch/per-file", "--format", "concise"],
        ),
        (dir.clone(), vec!["check", "--format", "concise"]),
        (dir.join("deploy"), vec!["check", "--format", "concise"]),
        (
            dir.join("deploy"),
            vec!["check", "mosquitto.conf", "--format", "concise"],
        ),
    ] {
        let out = busfit_in(&cwd, &args);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        assert!(
            !out.stdout.contains("BF921"),
            "from {}: {}",
            cwd.display(),
            out.stdout
        );
        assert!(
            out.stdout.starts_with("No findings in 2 files."),
            "{}",
            out.stdout
        );
    }
    // the same file without the ignore is reported: the ignore is what hides it
    let out = busfit(&[
        "check",
        "fixtures/arch/per-file/deploy/mosquitto.conf",
        "--config",
        "fixtures/demo/busfit.yaml",
        "--format",
        "concise",
        "--select",
        "BF921",
    ]);
    assert!(out.stdout.contains("info[BF921]"), "{}", out.stdout);
}

/// The Chart.yaml beside a values file is read only as every other file is: through the walk
/// (so `.ignore` and `.gitignore` hold), the size cap and the reader.
#[test]
fn a_chart_that_the_walk_ignores_is_not_read() {
    let v = json(&[
        "inventory",
        "fixtures/arch/chart-ignored",
        "--format",
        "json",
    ]);
    assert_eq!(v["deployments"].as_array().map(Vec::len), Some(0), "{v}");
    let v = json(&[
        "inventory",
        "fixtures/arch/chart-ignored",
        "--format",
        "json",
        "--no-ignore",
    ]);
    let sources: Vec<&str> = v["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["evidence"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        // the dependency and its values are one deployment (contract §6)
        ["values for chart redis"]
    );
}

/// The chart is found beside its values file wherever busfit runs from.
#[test]
fn values_find_their_chart_from_another_directory() {
    let elsewhere = tempfile::tempdir().unwrap();
    let chart = root().join("fixtures/detect/helm/mychart");
    let out = busfit_in(
        elsewhere.path(),
        &["inventory", chart.to_str().unwrap(), "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let evidence: Vec<&str> = v["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["evidence"].as_str().unwrap())
        .collect();
    assert!(evidence.contains(&"values for chart redis"), "{evidence:?}");
}

/// `buses --bus` selects in every format.
#[test]
fn buses_selects_in_every_format() {
    let v = json(&["buses", "--bus", "kafka", "--format", "json"]);
    let buses: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bus"].as_str().unwrap())
        .collect();
    assert_eq!(buses, ["kafka"]);
    let v = json(&["buses", "--bus", "kafka,mqtt", "--format", "json"]);
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    let md = busfit(&["buses", "--bus", "mqtt", "--format", "markdown"]).stdout;
    assert!(md.starts_with("| criterion | mqtt |\n"), "{md}");
    assert!(!md.contains("(kafka)"), "{md}");
}
