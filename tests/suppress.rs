//! Inline suppressions and per-file ignores.

mod common;
use common::*;

fn codes(dir: &std::path::Path) -> Vec<(String, String, u64)> {
    let out = busfit_in(dir, &["check", "--format", "json", "--fail-on", "never"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn suppression_on_the_line_or_the_line_before() {
    let d = manifest_dir(
        "version: 1\nflows:\n  - name: a\n    bus: redis-pubsub\n    requires:\n      # busfit: ignore[BF101] accepted: chat messages may drop\n      delivery: exactly-once\n      retention: 1d  # busfit: ignore[replay-unsupported, BF402] no replay needed after all\n      offline_delivery: true\n",
    );
    let found = codes(d.path());
    // BF402 does not fire there: that half of the suppression is reported as unused
    let expected = vec![
        ("busfit.yaml".to_owned(), "BF003".to_owned(), 8),
        ("busfit.yaml".to_owned(), "BF505".to_owned(), 9),
    ];
    assert_eq!(found, expected);
}

#[test]
fn suppression_two_lines_above_does_not_apply() {
    let d = manifest_dir(
        "version: 1\nflows:\n  - name: a\n    bus: redis-pubsub\n    # busfit: ignore[BF101] too far away\n    requires:\n      delivery: exactly-once\n",
    );
    let found = codes(d.path());
    assert!(
        found.contains(&("busfit.yaml".into(), "BF101".into(), 7)),
        "{found:?}"
    );
    assert!(
        found.contains(&("busfit.yaml".into(), "BF003".into(), 5)),
        "{found:?}"
    );
}

#[test]
fn suppressions_in_conf_properties_and_toml() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("mosquitto.conf"), "listener 1883\n# busfit: ignore[BF921] test broker on loopback only\nallow_anonymous true\n").unwrap();
    // redis.conf has no trailing comments: the suppression goes on the line before
    std::fs::write(
        d.path().join("redis.conf"),
        "# busfit: ignore[BF911] cache only\nappendonly no\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("server.properties"),
        "process.roles=broker,controller\n# busfit: ignore[kafka-replication-factor-low] single-node dev cluster\noffsets.topic.replication.factor=1\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\n\n[dependencies]\nrdkafka = \"0.36\"\n\n[package.metadata.busfit]\n# busfit: ignore[BF201] measured p99 of 0.8 ms on our cluster\nrequires = { latency = \"1ms\" }\n",
    )
    .unwrap();
    assert_eq!(codes(d.path()), vec![]);
}

#[test]
fn unknown_codes_in_suppressions_are_reported() {
    let d = manifest_dir("version: 1\n# busfit: ignore[BF9999] typo\n");
    let out = busfit_in(d.path(), &["check", "--format", "concise"]);
    assert!(
        out.stdout
            .contains("busfit.yaml:2:1: warning[BF003] suppression names unknown rule BF9999"),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 1);
}

#[test]
fn per_file_ignores_for_json() {
    let d = manifest_dir(
        "version: 1\nsettings:\n  per_file_ignores:\n    \"web/package.json\": [BF401]\n",
    );
    std::fs::create_dir_all(d.path().join("web")).unwrap();
    std::fs::write(d.path().join("web/package.json"), "{\"name\": \"web\", \"dependencies\": {\"mqtt\": \"5\"}, \"busfit\": {\"requires\": {\"retention\": \"7d\"}}}\n").unwrap();
    assert_eq!(codes(d.path()), vec![]);
    let d2 = manifest_dir("version: 1\n");
    std::fs::create_dir_all(d2.path().join("web")).unwrap();
    std::fs::copy(
        d.path().join("web/package.json"),
        d2.path().join("web/package.json"),
    )
    .unwrap();
    assert_eq!(
        codes(d2.path()),
        vec![("web/package.json".into(), "BF401".into(), 1)]
    );
}
