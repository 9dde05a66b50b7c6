//! Baselines survive moved lines and never hide a new finding.

mod common;
use common::*;

const BASE: &str = "version: 1\nflows:\n  - name: payments\n    bus: redis-pubsub\n    requires:\n      delivery: exactly-once\n";

#[test]
fn baseline_survives_inserted_lines_and_lets_new_findings_through() {
    let d = manifest_dir(BASE);
    std::fs::write(
        d.path().join("mosquitto.conf"),
        "listener 1883\nallow_anonymous true\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check", "--write-baseline", "baseline.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("Wrote 2 findings to baseline.json"),
        "{}",
        out.stderr
    );
    let out = busfit_in(d.path(), &["check", "--baseline", "baseline.json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);

    // lines inserted above every finding: still accepted
    let moved = BASE.replace(
        "flows:\n",
        "# the payment flows\n# owned by team checkout\nflows:\n",
    );
    std::fs::write(d.path().join("busfit.yaml"), &moved).unwrap();
    std::fs::write(
        d.path().join("mosquitto.conf"),
        "# dev broker\n\nlistener 1883\nallow_anonymous true\n",
    )
    .unwrap();
    let out = busfit_in(
        d.path(),
        &["check", "--baseline", "baseline.json", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);

    // a new finding of the same rule in another flow is reported
    let more = format!(
        "{moved}  - name: refunds\n    bus: redis-pubsub\n    requires:\n      delivery: exactly-once\n"
    );
    std::fs::write(d.path().join("busfit.yaml"), &more).unwrap();
    let out = busfit_in(
        d.path(),
        &["check", "--baseline", "baseline.json", "--format", "json"],
    );
    assert_eq!(out.code, 1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["code"], "BF101");
    assert_eq!(f[0]["flow"], "refunds");

    // and a second listener left anonymous is new too
    std::fs::write(d.path().join("busfit.yaml"), &moved).unwrap();
    std::fs::write(
        d.path().join("mosquitto.conf"),
        "listener 1883\nallow_anonymous true\nlistener 1884\nallow_anonymous true\n",
    )
    .unwrap();
    let out = busfit_in(
        d.path(),
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--format",
            "concise",
            "--fail-on",
            "info",
        ],
    );
    assert!(
        out.stdout.contains("mosquitto.conf:4:1: info[BF921]"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("mosquitto.conf:2:1"), "{}", out.stdout);
}

#[test]
fn baseline_from_settings_and_bad_baselines() {
    let d = manifest_dir(&format!(
        "{BASE}settings:\n  baseline: .busfit-baseline.json\n"
    ));
    assert_eq!(
        busfit_in(d.path(), &["check"]).code,
        2,
        "a configured baseline that is missing is an error"
    );
    busfit_in(
        d.path(),
        &["check", "--write-baseline", ".busfit-baseline.json"],
    );
    assert_eq!(busfit_in(d.path(), &["check"]).code, 0);
    std::fs::write(d.path().join("bad.json"), "{\"findings\": []}").unwrap();
    let out = busfit_in(d.path(), &["check", "--baseline", "bad.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a busfit baseline"),
        "{}",
        out.stderr
    );
}
