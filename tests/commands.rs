//! recommend, explain, rules, buses, and the generated docs.

mod common;
use common::*;

#[test]
fn recommend_ad_hoc_ranks_kafka_as_fitting_and_mqtt_redis_pubsub_not() {
    let v = json(&[
        "recommend",
        "--delivery",
        "exactly-once",
        "--retention",
        "30d",
        "--format",
        "json",
    ]);
    let flow = &v["flows"][0];
    assert_eq!(flow["name"], "command-line");
    assert!(flow["current"].is_null());
    let ranking = flow["ranking"].as_array().unwrap();
    let get = |bus: &str| {
        ranking
            .iter()
            .find(|r| r["bus"] == bus)
            .unwrap_or_else(|| panic!("{bus} ranked"))
    };
    assert_eq!(get("kafka")["fits"], true);
    for bus in ["mqtt", "redis-pubsub"] {
        let r = get(bus);
        assert_eq!(r["fits"], false, "{bus}");
        let unmet = r["unmet"].as_array().unwrap();
        assert!(
            unmet
                .iter()
                .any(|u| u["criterion"] == "retention" && u["severity"] == "error"),
            "{bus}: {r}"
        );
        assert!(
            unmet
                .iter()
                .all(|u| !u["reason"].as_str().unwrap().is_empty())
        );
    }
    assert!(
        get("redis-pubsub")["unmet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["criterion"] == "delivery")
    );
    // fits first
    let first_misfit = ranking.iter().position(|r| r["fits"] == false).unwrap();
    assert!(ranking[first_misfit..].iter().all(|r| r["fits"] == false));
    assert_eq!(ranking.len(), 9);
}

#[test]
fn recommend_table() {
    let out = busfit(&[
        "recommend",
        "--delivery",
        "exactly-once",
        "--retention",
        "30d",
    ]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("recommend_table", out.stdout);
}

#[test]
fn recommend_from_the_manifest() {
    let v = json(&["recommend", "fixtures/demo", "--format", "json"]);
    let flows = v["flows"].as_array().unwrap();
    let names: Vec<&str> = flows.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "payments",
            "fleet-telemetry",
            "live-dashboard",
            "order-events"
        ]
    );
    let fleet = &flows[1];
    assert_eq!(fleet["current"], "kafka");
    let ranking = fleet["ranking"].as_array().unwrap();
    let fits = |bus: &str| ranking.iter().find(|r| r["bus"] == bus).unwrap()["fits"].clone();
    assert_eq!(fits("mqtt"), true);
    assert_eq!(fits("kafka"), false);
    assert_eq!(ranking[0]["fits"], true);
}

#[test]
fn recommend_rejects_bad_flags() {
    let out = busfit(&["recommend", "--latency", "soon"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not a duration"), "{}", out.stderr);
    let out = busfit(&["recommend", "--delivery", "exactly-twice"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("exactly-once"), "{}", out.stderr);
}

#[test]
fn explain_by_code_and_name() {
    let a = busfit(&["explain", "BF101"]);
    assert_eq!(a.code, 0);
    let b = busfit(&["explain", "delivery-guarantee-unsupported"]);
    assert_eq!(a.stdout, b.stdout);
    for section in [
        "What it does",
        "Why is this bad",
        "Example",
        "How to fix",
        "References",
    ] {
        assert!(a.stdout.contains(section), "{section}");
    }
    insta::assert_snapshot!("explain_bf101", a.stdout);
}

#[test]
fn explain_unknown_rule_exits_2_with_nearest_names() {
    let out = busfit(&["explain", "BF10"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unknown rule `BF10`"));
    assert!(out.stderr.contains("nearest: BF101"), "{}", out.stderr);
    let out = busfit(&["explain", "latency-unreachabel"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("latency-unreachable"), "{}", out.stderr);
}

#[test]
fn rules_table() {
    let out = busfit(&["rules"]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("rules_table", out.stdout);
}

#[test]
fn buses_table_has_a_column_per_bus_and_a_row_per_criterion() {
    let out = busfit(&["buses"]);
    assert_eq!(out.code, 0);
    let header = out.stdout.lines().next().unwrap();
    for bus in [
        "kafka",
        "redis",
        "redis-pubsub",
        "redis-streams",
        "mqtt",
        "nats",
        "nats-jetstream",
        "rabbitmq",
        "pulsar",
    ] {
        assert!(
            header.split('│').any(|c| c.trim() == bus),
            "{bus} in {header}"
        );
    }
    for row in [
        "purpose",
        "architecture",
        "throughput",
        "latency",
        "scalability",
        "delivery",
        "protocol",
        "network",
        "scenarios",
        "ecosystem",
        "resources",
        "complexity",
        "security",
        "when to choose",
    ] {
        assert!(out.stdout.lines().any(|l| l.starts_with(row)), "row {row}");
    }
    let core = busfit(&["buses", "--bus", "kafka,redis,mqtt"]);
    insta::assert_snapshot!("buses_core", core.stdout);
    assert_eq!(busfit(&["buses", "--bus", "kafak"]).code, 2);
}

#[test]
fn buses_json_and_markdown() {
    let v = json(&["buses", "--format", "json"]);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 9);
    let kafka = &list[0];
    assert_eq!(kafka["bus"], "kafka");
    assert_eq!(kafka["comparison"]["latency"]["text"], "10–100 ms");
    assert!(
        !kafka["comparison"]["latency"]["source"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert_eq!(kafka["figures"]["delivery.max"], "exactly-once");
    let md = busfit(&["buses", "--format", "markdown"]);
    assert!(md.stdout.starts_with("| criterion | kafka | redis |"));
    assert!(md.stdout.contains("## Sources"));
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let out = busfit(&["rules", "--format", "markdown"]);
    let on_disk = std::fs::read_to_string(root().join("docs/rules.md")).expect("docs/rules.md");
    assert!(
        on_disk == out.stdout,
        "docs/rules.md is stale: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn version_and_help() {
    let out = busfit(&["--version"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("busfit "));
    let out = busfit(&["--help"]);
    for cmd in ["check", "recommend", "explain", "rules", "buses"] {
        assert!(out.stdout.contains(cmd), "{cmd}");
    }
    assert_eq!(busfit(&["check", "--format", "yaml"]).code, 2);
}
