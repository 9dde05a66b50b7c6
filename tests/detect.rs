//! What busfit reads as deployed: every source kind, at the exact line and column of the evidence.

mod common;
use common::*;

fn inventory(path: &str) -> serde_json::Value {
    let out = busfit(&["inventory", path, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn find<'a>(list: &'a serde_json::Value, file: &str, bus: &str) -> Vec<&'a serde_json::Value> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == file && d["bus"] == bus)
        .collect()
}

/// file, bus, (line, column), source, name
type Expected<'a> = (&'a str, &'a str, (u64, u64), &'a str, &'a str);

fn at(v: &serde_json::Value) -> (u64, u64) {
    (v["line"].as_u64().unwrap(), v["column"].as_u64().unwrap())
}

#[test]
fn deployments_at_their_evidence() {
    let v = inventory("fixtures/detect");
    let d = &v["deployments"];
    let cases: &[Expected] = &[
        (
            "fixtures/detect/compose/compose.yaml",
            "kafka",
            (3, 12),
            "compose",
            "kafka",
        ),
        (
            "fixtures/detect/compose/compose.yaml",
            "redis",
            (8, 12),
            "compose",
            "redis",
        ),
        (
            "fixtures/detect/compose/compose.yaml",
            "nats-jetstream",
            (11, 12),
            "compose",
            "nats",
        ),
        (
            "fixtures/detect/conf/server.properties",
            "kafka",
            // a config file's deployment is the file: its start
            (1, 1),
            "properties",
            "server.properties",
        ),
        (
            "fixtures/detect/conf/redis.conf",
            "redis",
            (1, 1),
            "conf",
            "redis.conf",
        ),
        (
            "fixtures/detect/conf/mosquitto.conf",
            "mqtt",
            (1, 1),
            "conf",
            "mosquitto.conf",
        ),
        (
            "fixtures/detect/k8s/workloads.yaml",
            "mqtt",
            (13, 18),
            "kubernetes",
            "mosquitto",
        ),
        (
            "fixtures/detect/k8s/workloads.yaml",
            "redis",
            (20, 3),
            "kubernetes",
            "redis-config/redis.conf",
        ),
        (
            "fixtures/detect/k8s/workloads.yaml",
            "rabbitmq",
            (25, 7),
            "kubernetes",
            "rabbit",
        ),
        // the chart's dependency on redis is a part of the values' deployment below (contract §6),
        // which is at the dependency's block
        (
            "fixtures/detect/helm/mychart/values.yaml",
            "redis",
            (1, 1),
            "helm",
            "redis",
        ),
        (
            "fixtures/detect/asyncapi/streetlights.yaml",
            "mqtt",
            (8, 15),
            "asyncapi",
            "production",
        ),
    ];
    for (file, bus, pos, source, name) in cases {
        let hits = find(d, file, bus);
        assert!(
            hits.iter()
                .any(|h| at(h) == *pos && h["source"] == *source && h["name"] == *name),
            "{bus} in {file} at {pos:?} ({source}, {name}): {hits:#?}"
        );
    }
    // Strimzi: both API versions, the evidence is the kind
    let strimzi = find(d, "fixtures/detect/strimzi/kafka.yaml", "kafka");
    let positions: Vec<(u64, u64)> = strimzi.iter().map(|h| at(h)).collect();
    assert_eq!(positions, [(3, 7), (26, 7)]);
    assert_eq!(strimzi[0]["evidence"], "Kafka (kafka.strimzi.io/v1beta2)");
    assert_eq!(strimzi[1]["evidence"], "KafkaTopic (kafka.strimzi.io/v1)");
}

#[test]
fn settings_are_normalised_into_one_namespace() {
    let v = inventory("fixtures/detect");
    let settings = |file: &str, bus: &str| -> Vec<(String, String)> {
        find(&v["deployments"], file, bus)
            .iter()
            .flat_map(|d| d["settings"].as_array().unwrap().iter())
            .map(|s| {
                (
                    s["key"].as_str().unwrap().to_owned(),
                    s["value"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let has = |list: &[(String, String)], k: &str, val: &str| {
        list.iter().any(|(a, b)| a == k && b == val)
    };
    // bitnami KAFKA_CFG_*, Strimzi config, server.properties: one spelling
    let compose = settings("fixtures/detect/compose/compose.yaml", "kafka");
    assert!(has(&compose, "min.insync.replicas", "1"), "{compose:?}");
    assert!(has(&compose, "unclean.leader.election.enable", "true"));
    let strimzi = settings("fixtures/detect/strimzi/kafka.yaml", "kafka");
    assert!(has(&strimzi, "min.insync.replicas", "1"), "{strimzi:?}");
    assert!(has(&strimzi, "listener.tls", "false"));
    assert!(has(&strimzi, "storage.type", "ephemeral"));
    let props = settings("fixtures/detect/conf/server.properties", "kafka");
    assert!(has(&props, "offsets.topic.replication.factor", "1"));
    // redis-server flags in a compose command list, and redis.conf inside a ConfigMap
    let redis = settings("fixtures/detect/compose/compose.yaml", "redis");
    assert!(has(&redis, "protected-mode", "no"), "{redis:?}");
    let cm = settings("fixtures/detect/k8s/workloads.yaml", "redis");
    assert!(has(&cm, "maxmemory-policy", "allkeys-lfu"), "{cm:?}");
    let values = settings("fixtures/detect/helm/mychart/values.yaml", "redis");
    assert!(has(&values, "auth.enabled", "false"), "{values:?}");
    let mqtt = settings("fixtures/detect/asyncapi/streetlights.yaml", "mqtt");
    assert!(has(&mqtt, "qos", "0"), "{mqtt:?}");
}

#[test]
fn client_libraries_at_their_dependency() {
    let v = inventory("fixtures/detect");
    let c = &v["clients"];
    let cases: &[(&str, &str, (u64, u64), &str)] = &[
        (
            "fixtures/detect/packages/rust/Cargo.toml",
            "kafka",
            (6, 1),
            "rdkafka",
        ),
        (
            "fixtures/detect/packages/node/package.json",
            "mqtt",
            (4, 5),
            "mqtt",
        ),
        (
            "fixtures/detect/packages/py/requirements-prod.txt",
            "redis",
            (2, 1),
            "redis",
        ),
        (
            "fixtures/detect/packages/py/pyproject.toml",
            "rabbitmq",
            (4, 4),
            "pika",
        ),
        (
            "fixtures/detect/packages/poetry/pyproject.toml",
            "kafka",
            (6, 1),
            "confluent-kafka",
        ),
        (
            "fixtures/detect/packages/go/go.mod",
            "nats",
            (5, 9),
            "github.com/nats-io/nats.go",
        ),
        (
            "fixtures/detect/packages/go/go.mod",
            "redis",
            (8, 2),
            "github.com/redis/go-redis/v9",
        ),
        (
            "fixtures/detect/packages/maven/pom.xml",
            "kafka",
            (5, 7),
            "org.apache.kafka:kafka-clients",
        ),
        (
            "fixtures/detect/packages/gradle/build.gradle",
            "pulsar",
            (2, 21),
            "org.apache.pulsar:pulsar-client",
        ),
        (
            "fixtures/detect/packages/kts/build.gradle.kts",
            "rabbitmq",
            (2, 21),
            "com.rabbitmq:amqp-client",
        ),
    ];
    for (file, bus, pos, lib) in cases {
        let hits = find(c, file, bus);
        assert!(
            hits.iter().any(|h| at(h) == *pos && h["library"] == *lib),
            "{lib} in {file}: {hits:#?}"
        );
    }
    // non-bus dependencies are not clients
    assert!(
        !c.as_array()
            .unwrap()
            .iter()
            .any(|x| x["library"] == "serde" || x["library"] == "requests")
    );
}

#[test]
fn inline_flows_resolve_their_bus() {
    let v = inventory("fixtures/detect");
    let flows = v["flows"].as_array().unwrap();
    let get = |name: &str| {
        flows
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("flow {name}"))
    };
    assert_eq!(get("ingest")["bus"], "kafka");
    assert_eq!(get("ingest")["bus_from"], "client");
    assert_eq!(get("web")["bus"], "mqtt");
    assert_eq!(get("worker")["bus"], "rabbitmq");
    // a workload's annotations: the broker it runs
    assert_eq!(get("mosquitto")["bus"], "mqtt");
    assert_eq!(get("mosquitto")["bus_from"], "deployment");
    let channel = get("smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured");
    assert_eq!(channel["bus"], "mqtt");
    assert_eq!(channel["line"], 10);
}

#[test]
fn demo_inventory() {
    let out = busfit(&["inventory", "fixtures/demo"]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("demo_inventory", out.stdout);
    let v = inventory("fixtures/demo");
    let flow = v["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "checkout-payments")
        .unwrap()
        .clone();
    assert_eq!(flow["bus"], "redis");
    assert_eq!(flow["bus_from"], "deployment");
}

#[test]
fn compose_x_busfit_on_redis_exactly_once_is_an_error_with_kafka() {
    let v = json(&["check", "fixtures/demo", "--format", "json"]);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flow"] == "checkout-payments" && f["code"] == "BF101")
        .expect("BF101 on the compose service");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "fixtures/demo/docker-compose.yml");
    assert_eq!(f["line"], 36);
    let alts: Vec<&str> = f["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["bus"].as_str().unwrap())
        .collect();
    assert!(alts.contains(&"kafka"), "{alts:?}");
}

#[test]
fn an_unparseable_compose_file_is_one_finding_and_the_rest_is_checked() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("docker-compose.yml"),
        "services:\n  broker: [image: confluentinc/cp-kafka\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("mosquitto.conf"),
        "listener 1883\nallow_anonymous true\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.path().join("chart/templates")).unwrap();
    std::fs::write(
        d.path().join("chart/templates/cm.yaml"),
        "{{- if .Values.x }}\nkind: ConfigMap\n{{- end }}\n",
    )
    .unwrap();
    std::fs::write(d.path().join("notes.yaml"), "just: [an unrelated file\n").unwrap();
    let out = busfit_in(d.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let broken: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["code"] == "BF001").collect();
    assert_eq!(broken.len(), 1, "{v:#}");
    assert_eq!(broken[0]["file"], "docker-compose.yml");
    assert_eq!(broken[0]["criterion"], "manifest");
    assert_eq!(broken[0]["severity"], "error");
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "BF921" && f["file"] == "mosquitto.conf")
    );
    assert_eq!(out.code, 1);
}

#[test]
fn risky_settings_without_requirements_are_info_with_a_hint() {
    let v = json(&["check", "fixtures/detect/conf", "--format", "json"]);
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["severity"], "info", "{f}");
        assert!(f["help"].as_str().unwrap().contains("busfit init"), "{f}");
    }
    assert_eq!(busfit(&["check", "fixtures/detect/conf"]).code, 0);
}

#[test]
fn invalid_inline_requirements_exit_2() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("docker-compose.yml"),
        "services:\n  app:\n    image: acme/app\n    x-busfit:\n      requires:\n        latency: soon\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("docker-compose.yml:6:18"),
        "{}",
        out.stderr
    );
    std::fs::write(
        d.path().join("docker-compose.yml"),
        "services:\n  app:\n    image: acme/app\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  annotations:\n    busfit.dev/delivry: exactly-once\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `delivery`?"),
        "{}",
        out.stderr
    );
}
