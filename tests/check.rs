//! `busfit check` on fixture folders: snapshots of the human output, JSON field by field,
//! exit codes, invalid manifests, determinism.

mod common;
use common::*;

#[test]
fn demo_full_output() {
    let out = busfit(&["check", "fixtures/demo"]);
    assert_eq!(out.code, 1);
    assert!(!out.stdout.contains('\u{1b}'), "colour without a terminal");
    insta::assert_snapshot!("demo_full", out.stdout);
}

#[test]
fn demo_concise_output() {
    let out = busfit(&["check", "fixtures/demo", "--format", "concise"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("demo_concise", out.stdout);
}

#[test]
fn check_is_the_default_command() {
    let a = busfit(&["fixtures/demo", "--format", "concise"]);
    let b = busfit(&["check", "fixtures/demo", "--format", "concise"]);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.code, b.code);
}

#[test]
fn json_follows_the_contract() {
    let v = json(&["check", "fixtures/demo", "--format", "json"]);
    assert_eq!(v["version"], 1);
    let findings = v["findings"].as_array().unwrap();
    let f = findings
        .iter()
        .find(|f| f["code"] == "BF101" && f["flow"] == "payments")
        .expect("BF101 on payments");
    assert_eq!(f["name"], "delivery-guarantee-unsupported");
    assert_eq!(f["criterion"], "delivery");
    assert_eq!(f["severity"], "error");
    assert_eq!(
        f["message"],
        "redis-pubsub delivers at-most-once at best; flow `payments` requires exactly-once"
    );
    assert_eq!(f["file"], "fixtures/demo/busfit.yaml");
    assert_eq!(f["line"], 10);
    assert_eq!(f["column"], 17);
    assert_eq!(f["end_line"], 10);
    assert_eq!(f["end_column"], 29);
    assert_eq!(f["bus"], "redis-pubsub");
    assert!(f["help"].as_str().unwrap().contains("Redis Streams"));
    let alts: Vec<&str> = f["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["bus"].as_str().unwrap())
        .collect();
    assert!(alts.contains(&"kafka"), "{alts:?}");
    assert!(!alts.contains(&"redis-pubsub"));
    assert!(
        !alts.contains(&"mqtt"),
        "mqtt keeps no 7d history: {alts:?}"
    );
    for a in f["alternatives"].as_array().unwrap() {
        assert!(a["unmet"].is_array());
    }
    let s = &v["summary"];
    assert_eq!(s["files"], 5);
    let count = |sev: &str| findings.iter().filter(|f| f["severity"] == sev).count();
    assert_eq!(s["errors"], count("error"));
    assert_eq!(s["warnings"], count("warning"));
    assert_eq!(s["infos"], count("info"));
    // sorted by file, line, column, code
    let keys: Vec<(String, u64, u64, String)> = findings
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn json_is_byte_identical_across_runs() {
    let a = busfit(&["check", "fixtures/demo", "--format", "json"]);
    let b = busfit(&["check", "fixtures/demo", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
    assert!(!a.stdout.is_empty());
}

#[test]
fn redis_pubsub_exactly_once_is_an_error_with_kafka_among_alternatives() {
    let d = manifest_dir(
        "version: 1\nflows:\n  - name: payments\n    bus: redis-pubsub\n    requires:\n      delivery: exactly-once\n",
    );
    let out = busfit_in(d.path(), &["check", "--format", "json"]);
    assert_eq!(out.code, 1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["code"], "BF101");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "busfit.yaml");
    let alts: Vec<&str> = f["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["bus"].as_str().unwrap())
        .collect();
    assert!(alts.contains(&"kafka"), "{alts:?}");
}

#[test]
fn redis_mode_hint_names_streams() {
    let v = json(&["check", "fixtures/demo", "--format", "json"]);
    let hint = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flow"] == "order-events" && f["code"] == "BF101")
        .expect("mode hint");
    assert_eq!(hint["severity"], "info");
    assert!(
        hint["message"]
            .as_str()
            .unwrap()
            .contains("only as redis-streams"),
        "{hint}"
    );
}

#[test]
fn invalid_quantity_exits_2_and_points_at_the_value() {
    let d = manifest_dir(
        "version: 1\nflows:\n  - name: ui\n    bus: kafka\n    requires:\n      latency: fast\n",
    );
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!("invalid_latency", out.stderr);
}

#[test]
fn typos_get_the_nearest_spelling() {
    let d = manifest_dir(
        "version: 1\nflows:\n  - name: a\n    bus: kafak\n    requires:\n      delivry: exactly-once\n      clients: [browser, phone]\n      offline_delivery: \"yes\"\n",
    );
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("busfit.yaml:4:10"), "{}", out.stderr);
    assert!(out.stderr.contains("did you mean `kafka`?"));
    assert!(out.stderr.contains("busfit.yaml:6:7"));
    assert!(out.stderr.contains("did you mean `delivery`?"));
    assert!(out.stderr.contains("unknown client `phone`"));
    assert!(out.stderr.contains("busfit.yaml:7:26"));
    assert!(out.stderr.contains("must be true or false"));
}

#[test]
fn every_kind_of_manifest_error_is_reported() {
    let cases: &[(&str, &str)] = &[
        ("flows: []\n", "missing `version`"),
        ("version: 2\nflows: []\n", "unsupported version"),
        ("version: 1\nflow: []\n", "did you mean `flows`?"),
        ("version: 1\nflows:\n  - bus: kafka\n", "flow has no `name`"),
        (
            "version: 1\nflows:\n  - name: a\n    requires: [1]\n",
            "must be a mapping",
        ),
        (
            "version: 1\nflows:\n  - name: a\n    requires:\n      delivery: twice\n",
            "at-most-once | at-least-once | exactly-once",
        ),
        (
            "version: 1\nflows:\n  - name: a\n    requires:\n      throughput: 800\n",
            "800/s, 50k/s",
        ),
        (
            "version: 1\nflows:\n  - name: a\n    requires:\n      message_size: huge\n",
            "512B, 4KiB",
        ),
        (
            "version: 1\nflows:\n  - name: a\n    requires:\n      latency: [1ms]\n",
            "takes one value",
        ),
        (
            "version: 1\nflows:\n  - name: a\n  - name: a\n",
            "declared twice",
        ),
        (
            "version: 1\nsettings:\n  fail_on: warnings\n",
            "did you mean `warning`?",
        ),
        (
            "version: 1\nsettings:\n  rules: { BF999: off }\n",
            "unknown rule `BF999`",
        ),
        (
            "version: 1\nbuses:\n  kafka: { latncy: 5ms }\n",
            "did you mean `latency`?",
        ),
        (
            "version: 1\nbuses:\n  kafka: { latency: fast }\n",
            "cannot be `fast`",
        ),
        ("version: 1\nflows: [\n", "invalid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        (
            "version: 1\nflows:\n  - name: a\n    bus: kafka\n    bus: mqtt\n",
            "duplicate key `bus`",
        ),
        (
            "version: 1\nflows: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n",
            "invalid YAML",
        ),
    ];
    for (text, expected) in cases {
        let d = manifest_dir(text);
        let out = busfit_in(d.path(), &["check"]);
        assert_eq!(out.code, 2, "{text:?}: {}", out.stdout);
        assert!(
            out.stderr.contains(expected),
            "{text:?}: expected {expected:?} in\n{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("busfit.yaml"),
            "{text:?}: no file in\n{}",
            out.stderr
        );
    }
}

#[test]
fn defaults_and_require_fill_in_missing_requirements() {
    let d = manifest_dir(
        "version: 1\ndefaults:\n  requires:\n    delivery: exactly-once\nflows:\n  - name: pay\n    bus: redis-pubsub\n  - name: chat\n    bus: redis-pubsub\n    requires:\n      delivery: at-most-once\n",
    );
    let out = busfit_in(d.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let flows: Vec<(&str, &str, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["flow"].as_str().unwrap(),
                f["code"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // the default applies to `pay` and points at the defaults block; `chat` keeps its own value
    assert_eq!(flows, vec![("pay", "BF101", 4)]);

    let out = busfit_in(
        d.path(),
        &["check", "--format", "json", "--require", "retention=7d"],
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let replay: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "BF401")
        .collect();
    assert_eq!(replay.len(), 2, "{v:#}");
    assert!(
        replay[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(from --require)")
    );
    // with no span of its own, the finding points at the flow's name
    assert_eq!(replay[0]["line"], 6);

    let bad = busfit_in(d.path(), &["check", "--require", "latncy=5ms"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("did you mean `latency`?"),
        "{}",
        bad.stderr
    );
}

#[test]
fn bus_overrides_change_the_profile() {
    let base =
        "version: 1\nflows:\n  - name: quotes\n    bus: kafka\n    requires:\n      latency: 4ms\n";
    let d = manifest_dir(base);
    let v: serde_json::Value =
        serde_json::from_str(&busfit_in(d.path(), &["check", "--format", "json"]).stdout).unwrap();
    assert_eq!(v["findings"][0]["code"], "BF202");
    let tuned = format!("{base}buses:\n  kafka: {{ latency: 2ms..40ms }}\n");
    let d = manifest_dir(&tuned);
    let out = busfit_in(d.path(), &["check", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v:#}");
}

#[test]
fn settings_change_severity_and_fail_on() {
    let base =
        "version: 1\nflows:\n  - name: quotes\n    bus: kafka\n    requires:\n      latency: 4ms\n";
    let d = manifest_dir(&format!(
        "{base}settings:\n  rules: {{ latency-below-typical: info }}\n"
    ));
    let out = busfit_in(d.path(), &["check", "--format", "json"]);
    assert_eq!(out.code, 0, "an info does not fail at the default fail_on");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["severity"], "info");

    let d = manifest_dir(&format!("{base}settings:\n  rules: {{ BF202: off }}\n"));
    let out = busfit_in(d.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);

    let d = manifest_dir(&format!("{base}settings:\n  fail_on: error\n"));
    assert_eq!(busfit_in(d.path(), &["check"]).code, 0);
    assert_eq!(
        busfit_in(d.path(), &["check", "--fail-on", "warning"]).code,
        1
    );
    let d = manifest_dir(base);
    assert_eq!(
        busfit_in(d.path(), &["check", "--fail-on", "never"]).code,
        0
    );
    assert_eq!(busfit_in(d.path(), &["check", "--select", "BF1"]).code, 0);
    assert_eq!(
        busfit_in(d.path(), &["check", "--ignore", "latency-below-typical"]).code,
        0
    );
    assert_eq!(
        busfit_in(d.path(), &["check", "--select", "BF9999"]).code,
        2
    );
}

#[test]
fn nested_manifests_apply_to_their_subtree() {
    let d = manifest_dir(
        "version: 1\nflows:\n  - name: top\n    bus: kafka\n    requires:\n      latency: 1ms\n",
    );
    std::fs::create_dir_all(d.path().join("svc")).unwrap();
    std::fs::write(
        d.path().join("svc/busfit.yaml"),
        "version: 1\nflows:\n  - name: inner\n    bus: mqtt\n    requires:\n      retention: 1d\n",
    )
    .unwrap();
    let all = busfit_in(d.path(), &["check", "--format", "concise"]);
    assert!(
        all.stdout.contains("busfit.yaml:6:16: error[BF201]"),
        "{}",
        all.stdout
    );
    assert!(
        all.stdout.contains("svc/busfit.yaml:6:18: error[BF401]"),
        "{}",
        all.stdout
    );
    // a path inside the subtree sees its own manifest, not the one above it
    let sub = busfit_in(d.path(), &["check", "svc", "--format", "concise"]);
    assert!(sub.stdout.contains("svc/busfit.yaml"), "{}", sub.stdout);
    assert!(!sub.stdout.contains("BF201"), "{}", sub.stdout);
    // a changed file below a manifest is checked against it: the compose file deploys the
    // flow's bus, so the flow's mismatch in svc/busfit.yaml is reported with it
    std::fs::write(
        d.path().join("svc/docker-compose.yml"),
        "services:\n  mqtt:\n    image: eclipse-mosquitto:2\n",
    )
    .unwrap();
    let one = busfit_in(
        d.path(),
        &["check", "svc/docker-compose.yml", "--format", "concise"],
    );
    assert!(
        one.stdout.contains("svc/busfit.yaml:6:18: error[BF401]"),
        "{}",
        one.stdout
    );
    assert!(!one.stdout.contains("BF201"), "{}", one.stdout);
}

#[test]
fn gitignored_manifests_are_skipped_unless_no_ignore() {
    let d = manifest_dir("version: 1\n");
    std::fs::create_dir_all(d.path().join("vendor")).unwrap();
    std::fs::write(d.path().join(".ignore"), "vendor/\n").unwrap();
    std::fs::write(
        d.path().join("vendor/busfit.yaml"),
        "version: 1\nflows:\n  - name: x\n    bus: mqtt\n    requires:\n      retention: 1d\n",
    )
    .unwrap();
    assert_eq!(busfit_in(d.path(), &["check"]).code, 0);
    assert_eq!(busfit_in(d.path(), &["check", "--no-ignore"]).code, 1);
}

#[test]
fn missing_path_exits_2() {
    let out = busfit(&["check", "no/such/dir"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no such file or directory"));
}

#[test]
fn no_manifest_is_not_a_failure() {
    let d = tempfile::tempdir().unwrap();
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("No findings in 0 files."));
}

#[test]
fn custom_rules_are_loaded_and_validated() {
    let d = manifest_dir(
        "version: 1\nsettings:\n  custom_rules: policy\nflows:\n  - name: a\n    bus: kafka\n    requires:\n      latency: 50ms\n",
    );
    std::fs::create_dir_all(d.path().join("policy")).unwrap();
    std::fs::write(
        d.path().join("policy/house.yaml"),
        "rules:\n  - code: ACME1\n    name: no-kafka-under-100ms\n    criterion: latency\n    severity: warning\n    requirement: latency\n    when: bus == 'kafka' and req.latency < 100ms\n    message: \"house rule: {bus} flows get 100ms\"\n    what: w\n    why: w\n    example: e\n    fix: f\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check", "--format", "concise"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("busfit.yaml:8:16: warning[ACME1] house rule: kafka flows get 100ms"),
        "{}",
        out.stdout
    );

    std::fs::write(
        d.path().join("policy/house.yaml"),
        "rules:\n  - code: ACME1\n    name: broken\n    criterion: latency\n    severity: warning\n    requirement: latency\n    when: req.latncy < < 100ms\n    message: m\n    what: w\n    why: w\n    example: e\n    fix: f\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("policy/house.yaml:7:24"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("invalid condition"), "{}", out.stderr);

    std::fs::write(
        d.path().join("policy/house.yaml"),
        "rules:\n  - code: ACME1\n    name: broken\n    criterion: latency\n    severity: warning\n    requirement: latency\n    when: req.latncy < 100ms\n    message: m\n    what: w\n    why: w\n    example: e\n    fix: f\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `latency`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn settings_include_and_exclude_globs() {
    let d = manifest_dir("version: 1\nsettings:\n  exclude: [\"**/testdata/**\"]\n");
    std::fs::create_dir_all(d.path().join("svc/testdata")).unwrap();
    std::fs::write(
        d.path().join("svc/testdata/mosquitto.conf"),
        "allow_anonymous true\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("svc/mosquitto.conf"),
        "allow_anonymous true\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check", "--format", "concise"]);
    assert!(
        out.stdout.contains("svc/mosquitto.conf:1:1"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("testdata"), "{}", out.stdout);
    std::fs::write(
        d.path().join("busfit.yaml"),
        "version: 1\nsettings:\n  include: [\"deploy/**\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.path().join("deploy")).unwrap();
    std::fs::write(
        d.path().join("deploy/mosquitto.conf"),
        "allow_anonymous true\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check", "--format", "concise"]);
    assert!(
        out.stdout.contains("deploy/mosquitto.conf:1:1"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("svc/"), "{}", out.stdout);
}
