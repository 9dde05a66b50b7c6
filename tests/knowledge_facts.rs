//! Corrected facts of the knowledge base, pinned through the CLI (issue 10's audit): each
//! figure as `busfit buses --format json` shows it, and the rankings that follow from it.

mod common;
use common::json;

/// One bus as `busfit buses --format json` shows it.
fn bus(name: &str) -> serde_json::Value {
    let v = json(&["buses", "--format", "json"]);
    v.as_array()
        .unwrap()
        .iter()
        .find(|b| b["bus"] == name)
        .unwrap_or_else(|| panic!("no bus {name}"))
        .clone()
}

/// One bus's entry in the first flow's ranking of `recommend --format json`.
fn entry(v: &serde_json::Value, bus: &str) -> serde_json::Value {
    v["flows"][0]["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["bus"] == bus)
        .unwrap_or_else(|| panic!("no {bus} in {v}"))
        .clone()
}

fn figure(name: &str, key: &str) -> serde_json::Value {
    bus(name)["figures"][key].clone()
}

fn comparison(name: &str, row: &str) -> String {
    bus(name)["comparison"][row]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Kafka is at-least-once by default; exactly-once only Kafka to Kafka with transactions.
#[test]
fn kafka_delivery_is_qualified() {
    let t = comparison("kafka", "delivery");
    assert!(t.starts_with("at-least-once by default"), "{t}");
    assert!(t.contains("transactions"), "{t}");
}

/// Apache Kafka ships no schema registry; its ecosystem source is whole (no `#streams` cut).
#[test]
fn kafka_has_no_schema_registry_of_its_own() {
    assert_eq!(
        figure("kafka", "ecosystem.features"),
        "stream-processing, connectors"
    );
    assert!(comparison("kafka", "ecosystem").contains("from others"));
    let md = common::busfit(&["buses", "--format", "markdown"]).stdout;
    assert!(
        md.contains("https://kafka.apache.org/documentation/#streams"),
        "{md}"
    );
}

/// A Pub/Sub subscriber is cut off past 32 MB of output buffer; Pub/Sub is no cache.
#[test]
fn redis_pubsub_limits_and_scenarios() {
    assert_eq!(figure("redis-pubsub", "message_size.max"), "32MiB");
    assert_eq!(figure("redis-pubsub", "scenarios.fits"), "realtime-ui");
}

/// RedisGraph reached end of life: no Redis mode offers graph.
#[test]
fn redis_has_no_graph() {
    for bus in ["redis", "redis-streams"] {
        assert_eq!(figure(bus, "ecosystem.features"), "search, json", "{bus}");
    }
}

/// NATS and Pulsar limits are binary (1 MiB, 64 MiB, 5,242,880 bytes): 1000 KiB on NATS and
/// 4.9 MiB on Pulsar are within them.
#[test]
fn binary_message_limits() {
    assert_eq!(figure("nats", "message_size.default"), "1MiB");
    assert_eq!(figure("nats-jetstream", "message_size.max"), "64MiB");
    assert_eq!(figure("pulsar", "message_size.default"), "5MiB");
    for (size, bus) in [("1000KiB", "nats"), ("4900KiB", "pulsar")] {
        let v = json(&["recommend", "--message-size", size, "--format", "json"]);
        let r = v["flows"][0]["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["bus"] == bus)
            .unwrap()
            .clone();
        assert_eq!(r["unmet"].as_array().map(Vec::len), Some(0), "{bus}: {r}");
    }
}

/// nats-server is an MQTT 3.1.1 broker (with JetStream) and NATS's clients run on constrained
/// devices (bus-facts §11); JetStream's global order is one stream's, with one leader, as with
/// one Kafka partition; request/reply is core NATS.
#[test]
fn nats_devices_and_jetstream_order() {
    assert_eq!(figure("nats", "devices.constrained"), "true");
    assert_eq!(figure("nats-jetstream", "devices.constrained"), "true");
    let names = figure("nats-jetstream", "protocol.names");
    assert!(names.as_str().unwrap().contains("mqtt"), "{names}");
    assert!(
        figure("nats-jetstream", "protocol.source")
            .as_str()
            .unwrap()
            .contains("docs.nats.io/running-a-nats-service/configuration/mqtt")
    );
    for bus in ["nats", "nats-jetstream"] {
        let fits = figure(bus, "scenarios.fits");
        assert!(
            fits.as_str().unwrap().contains("request-reply"),
            "{bus}: {fits}"
        );
    }
    assert_eq!(
        figure("nats-jetstream", "ordering.global"),
        "single-partition"
    );
}

/// RAM for history is computed only for buses that keep history, and history kept forever is
/// unbounded, not "infTiB".
#[test]
fn history_in_ram_only_where_history_is_kept() {
    let v = json(&[
        "recommend",
        "--retention",
        "forever",
        "--throughput",
        "1000/s",
        "--message-size",
        "1KiB",
        "--format",
        "json",
    ]);
    let ranking = v["flows"][0]["ranking"].as_array().unwrap();
    for r in ranking {
        for u in r["unmet"].as_array().unwrap() {
            let reason = u["reason"].as_str().unwrap();
            assert!(!reason.contains("inf"), "{reason}");
            if ["mqtt", "nats", "redis-pubsub"].contains(&r["bus"].as_str().unwrap()) {
                assert!(!reason.contains("of RAM"), "{}: {reason}", r["bus"]);
            }
        }
    }
    let redis = ranking.iter().find(|r| r["bus"] == "redis").unwrap();
    assert!(
        redis["unmet"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("needs an unbounded amount of RAM")
    );
}

/// MQTT's latency is the broker's hop (milliseconds), not a cellular round trip: an IoT flow
/// with a 20 ms budget ranks MQTT first, not last.
#[test]
fn mqtt_latency_is_the_brokers() {
    assert_eq!(figure("mqtt", "latency.typical"), "1ms..10ms");
    let v = json(&[
        "recommend",
        "--use-case",
        "iot",
        "--latency",
        "20ms",
        "--format",
        "json",
    ]);
    let first = &v["flows"][0]["ranking"][0];
    assert_eq!(first["bus"], "mqtt", "{v}");
    assert_eq!(first["fits"], true);
}

/// `redis` with its mode unknown is judged as one mode, never as a mix of each mode's best
/// figures: Pub/Sub's latency with Streams' delivery and history does not "fit".
#[test]
fn redis_unknown_mode_is_one_mode() {
    let v = json(&[
        "recommend",
        "--delivery",
        "at-least-once",
        "--latency",
        "0.5ms",
        "--retention",
        "1h",
        "--format",
        "json",
    ]);
    let ranking = v["flows"][0]["ranking"].as_array().unwrap();
    let redis = ranking.iter().find(|r| r["bus"] == "redis").unwrap();
    assert_eq!(redis["fits"], false, "{redis}");
    assert_eq!(redis["mode"], "redis-streams");
    assert!(ranking.iter().all(|r| r["fits"] == false), "{v}");
    let kafka = ranking.iter().find(|r| r["bus"] == "kafka").unwrap();
    assert!(kafka["mode"].is_null());
}

/// A default means what the stock server and client give, on every profile: Streams without
/// AOF and consumer groups lose entries, as RabbitMQ without confirms and acks does.
#[test]
fn defaults_mean_the_same_everywhere() {
    assert_eq!(figure("redis-streams", "delivery.default"), "at-most-once");
    assert_eq!(figure("rabbitmq", "delivery.default"), "at-most-once");
    let how = figure("redis-streams", "delivery.how");
    assert!(how.as_str().unwrap().contains("appendonly yes"), "{how}");
    // which broker the MQTT size figure is for
    let src = figure("mqtt", "message_size.source");
    assert!(src.as_str().unwrap().contains("EMQX"), "{src}");
}

/// Throughput is judged in bytes as well as messages, for every bus: 700k/s of 100 KiB is about
/// 67 GiB/s. A bus that partitions a flow over nodes needs a cluster sized in bytes (BF309, a
/// setting away); one that cannot spread a flow is capped by its node (BF307). A published
/// peak is what a cluster reached, not a ceiling.
#[test]
fn bandwidth_is_judged() {
    let v = json(&[
        "recommend",
        "--throughput",
        "700k/s",
        "--message-size",
        "100KiB",
        "--format",
        "json",
    ]);
    let ranking = v["flows"][0]["ranking"].as_array().unwrap();
    let codes = |bus: &str| -> Vec<String> {
        let r = ranking.iter().find(|r| r["bus"] == bus).unwrap();
        r["unmet"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap().to_owned())
            .collect()
    };
    for bus in ["kafka", "pulsar", "nats-jetstream"] {
        assert!(codes(bus).contains(&"BF309".to_owned()), "{bus}");
    }
    for bus in ["redis-streams", "redis-pubsub"] {
        assert!(codes(bus).contains(&"BF307".to_owned()), "{bus}");
    }
    // every bus has a figure per node, with its source
    for bus in [
        "kafka",
        "pulsar",
        "rabbitmq",
        "nats",
        "nats-jetstream",
        "redis",
        "redis-streams",
        "redis-pubsub",
        "mqtt",
    ] {
        assert!(figure(bus, "throughput.bandwidth").is_string(), "{bus}");
    }
    // the cluster's peak is kept apart, with the cluster it was measured on
    assert_eq!(figure("kafka", "throughput.cluster_nodes"), "3");
    assert_eq!(figure("kafka", "throughput.bandwidth"), "200MB/s");
}

/// MQTT's exactly-once is QoS 2 per hop, with a persistent session and broker persistence, and
/// some brokers lack it.
#[test]
fn mqtt_qos2_has_its_limits() {
    let how = figure("mqtt", "delivery.how");
    let how = how.as_str().unwrap();
    for part in [
        "per hop",
        "persistent session",
        "persistence",
        "RabbitMQ",
        "AWS IoT Core",
    ] {
        assert!(how.contains(part), "{part}: {how}");
    }
    assert!(comparison("mqtt", "delivery").contains("per hop"));
}

/// MQTT figures say which broker they are for: a bus whose broker is not known is judged as
/// one kind (a single Mosquitto or a cluster), and a Mosquitto deployment is judged on
/// Mosquitto's figures: 200k connections and 120k/s warn at the broker, and the flow of a
/// repository that runs Mosquitto is judged as one.
#[test]
fn mosquitto_is_judged_as_one_node() {
    let out = json(&[
        "check",
        "fixtures/knowledge/mosquitto-fleet",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let findings = out["findings"].as_array().unwrap();
    let at_broker = findings
        .iter()
        .find(|f| f["code"] == "BF945")
        .unwrap_or_else(|| panic!("no BF945: {out:#}"));
    assert_eq!(at_broker["severity"], "warning");
    assert_eq!(
        at_broker["file"],
        "fixtures/knowledge/mosquitto-fleet/docker-compose.yml"
    );
    assert_eq!(at_broker["line"], 3);
    // the repository runs Mosquitto: the flow is judged as a single Mosquitto, not as the
    // best of MQTT's kinds, so its misses are the flow's own findings
    for (code, severity) in [("BF306", "warning"), ("BF301", "error")] {
        let f = findings.iter().find(|f| f["code"] == code).unwrap();
        let m = f["message"].as_str().unwrap();
        assert!(!m.contains("only as"), "{m}");
        assert_eq!(f["severity"], severity, "{m}");
    }
    // the kinds and their own figures, in `buses --format json`
    let v = bus("mqtt");
    let kinds: Vec<&str> = v["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["mosquitto", "clustered"]);
    assert_eq!(v["variants"][0]["figures"]["scalability.horizontal"], "no");
    assert_eq!(v["variants"][1]["figures"]["message_size.default"], "1MB");
}

/// `connections.max` means one thing everywhere (what one deployment is known to hold) and
/// every bus has it; a stock install's raisable limit is `connections.default`. RabbitMQ no
/// longer "fits" a million mobile connections.
#[test]
fn connections_mean_one_thing() {
    let all = json(&["buses", "--format", "json"]);
    for b in all
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bus"].as_str().unwrap())
    {
        assert!(figure(b, "connections.max").is_string(), "{b}");
    }
    assert_eq!(figure("redis", "connections.default"), "10k");
    assert_eq!(figure("nats", "connections.default"), "64k");
    let v = json(&[
        "recommend",
        "--clients",
        "mobile",
        "--connections",
        "1M",
        "--format",
        "json",
    ]);
    // RabbitMQ's Native MQTT (3.12+) holds millions of connections (bus-facts §11)
    let rabbit = entry(&v, "rabbitmq");
    assert_eq!(rabbit["fits"], true, "{rabbit}");
}

/// RabbitMQ's replay comes from Streams and its per-message work queues from classic and
/// quorum queues: a task queue that must also keep 7 days of history fits no one kind.
#[test]
fn rabbitmq_kinds_are_not_mixed() {
    let v = json(&[
        "recommend",
        "--use-case",
        "task-queue",
        "--retention",
        "7d",
        "--format",
        "json",
    ]);
    let r = entry(&v, "rabbitmq");
    assert_eq!(r["fits"], false, "{r}");
    // and a high-volume history it meets as Streams, saying so
    let v = json(&[
        "recommend",
        "--throughput",
        "500k/s",
        "--retention",
        "1d",
        "--format",
        "json",
    ]);
    let r = entry(&v, "rabbitmq");
    assert_eq!(r["fits"], true, "{r}");
    assert_eq!(r["mode"], "streams", "{r}");
}

/// A repository that runs EMQX has its MQTT flows judged as a clustered broker: 2 MB messages
/// are above EMQX's 1 MB `max_packet_size`, said as a warning, never "as a single Mosquitto";
/// and an at-most-once flow that keeps nothing for absent clients is not warned about a
/// broker without persistence (issue 25).
#[test]
fn the_deployed_broker_decides_the_kind() {
    let f = common::first_finding("fixtures/knowledge/emqx-uploads", "BF507");
    assert_eq!(f["severity"], "warning");
    let m = f["message"].as_str().unwrap();
    assert!(
        m.contains("accepts 1MB by default") && !m.contains("Mosquitto"),
        "{m}"
    );
    let quiet = json(&[
        "check",
        "fixtures/knowledge/sensor-broadcast",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(quiet["findings"].as_array().unwrap().len(), 0, "{quiet:#}");
}
