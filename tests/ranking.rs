//! `recommend` ranks as an architect would (issue 10, contract §6 "Ranking that explains
//! itself"): what cannot be configured away weighs more than what can, ties are broken by
//! margin, the alphabet decides only ties and says so, and every entry carries `why`.

mod common;
use common::{busfit, json};

/// The ranking of `recommend` with these flags, as JSON.
fn ranking(flags: &[&str]) -> serde_json::Value {
    let mut args = vec!["recommend"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["--format", "json"]);
    json(&args)["flows"][0].clone()
}

fn order(flow: &serde_json::Value) -> Vec<String> {
    flow["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bus"].as_str().unwrap().to_owned())
        .collect()
}

fn entry<'a>(flow: &'a serde_json::Value, bus: &str) -> &'a serde_json::Value {
    flow["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["bus"] == bus)
        .unwrap_or_else(|| panic!("no {bus} in {flow}"))
}

fn place(flow: &serde_json::Value, bus: &str) -> usize {
    order(flow).iter().position(|b| b == bus).unwrap()
}

/// Caching: Redis first (its keyspace is the cache, whatever the mode), and a log or a queue
/// does not "fit" a cache.
#[test]
fn caching_puts_redis_first_and_kafka_does_not_fit() {
    let f = ranking(&["--use-case", "caching"]);
    assert_eq!(order(&f)[0], "redis", "{f}");
    assert_eq!(entry(&f, "redis")["fits"], true);
    let kafka = entry(&f, "kafka");
    assert_eq!(kafka["fits"], false);
    assert!(
        kafka["unmet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["code"] == "BF804"),
        "{kafka}"
    );
}

/// Cache invalidation (a cache with fast, fire-and-forget messages): Redis above NATS, by
/// what they are, not by name.
#[test]
fn cache_invalidation_puts_redis_above_nats() {
    let f = ranking(&[
        "--use-case",
        "caching",
        "--latency",
        "1ms",
        "--delivery",
        "at-most-once",
    ]);
    assert!(place(&f, "redis") < place(&f, "nats"), "{f}");
    assert_eq!(order(&f)[0], "redis", "{f}");
}

/// A task queue with at-least-once: RabbitMQ among the first two, Kafka does not fit.
#[test]
fn task_queue_puts_rabbitmq_in_the_first_two() {
    let f = ranking(&["--use-case", "task-queue", "--delivery", "at-least-once"]);
    assert!(place(&f, "rabbitmq") < 2, "{f}");
    assert_eq!(entry(&f, "kafka")["fits"], false);
}

/// A low-ops team that needs 30 days of history: JetStream (medium to operate) above Kafka
/// (high), though neither fits; the note says what it would take.
#[test]
fn low_ops_history_puts_jetstream_above_kafka() {
    let f = ranking(&["--ops-complexity", "low", "--retention", "30d"]);
    assert!(place(&f, "nats-jetstream") < place(&f, "kafka"), "{f}");
    let note = f["note"].as_str().unwrap_or_default();
    assert!(note.contains("ops_complexity"), "{note}");
}

/// A browser UI at 1 ms p99: no bus fits, because the browser's own round trip is longer, and
/// the note says so instead of leaving a silent list.
#[test]
fn browser_at_one_millisecond_fits_nowhere_and_says_why() {
    let f = ranking(&["--clients", "browser", "--latency", "1ms"]);
    for r in f["ranking"].as_array().unwrap() {
        assert_eq!(r["fits"], false, "{r}");
    }
    let note = f["note"].as_str().unwrap_or_default();
    assert!(
        note.starts_with("no bus fits: none meets latency"),
        "{note}"
    );
    let text = busfit(&["recommend", "--clients", "browser", "--latency", "1ms"]).stdout;
    assert!(text.contains("no bus fits: none meets latency"), "{text}");
    assert!(text.contains("[BF203]"), "{text}");
}

/// An IoT flow with a 20 ms budget: MQTT first (iot is its first typical use), NATS fits too.
#[test]
fn iot_puts_mqtt_first() {
    let f = ranking(&["--use-case", "iot", "--latency", "20ms"]);
    assert_eq!(order(&f)[0], "mqtt", "{f}");
}

/// Every entry explains itself: what it meets (`ok` in text) and misses; a tie decided by
/// name says so.
#[test]
fn every_entry_has_why_and_ties_are_named() {
    let f = ranking(&["--delivery", "exactly-once", "--retention", "30d"]);
    for r in f["ranking"].as_array().unwrap() {
        let why = r["why"].as_array().unwrap();
        assert!(!why.is_empty(), "{r}");
        for u in r["unmet"].as_array().unwrap() {
            assert!(why.contains(&u["reason"]), "a miss missing from why: {r}");
        }
    }
    let kafka = entry(&f, "kafka");
    assert!(
        kafka["why"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "keeps 30d of history on disk"),
        "{kafka}"
    );
    // kafka, nats-jetstream and pulsar weigh alike: a stated reason orders them (simpler to
    // operate, then lighter), never the alphabet, and the later ones say so
    let kafka_tie = kafka["why"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .find(|w| w.starts_with("ties with nats-jetstream"))
        .unwrap_or_else(|| panic!("{kafka}"));
    assert!(
        kafka_tie.ends_with("as nats-jetstream is simpler to operate (medium against high)"),
        "{kafka_tie}"
    );
    let pulsar = entry(&f, "pulsar");
    assert!(
        pulsar["why"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("runs in less memory")),
        "{pulsar}"
    );
}

/// A miss that a setting removes (RabbitMQ's at-least-once needs publisher confirms and manual
/// acks) weighs less than one that it cannot (Pulsar is not made for task queues).
#[test]
fn configurable_weighs_less_than_fixed() {
    let f = ranking(&["--use-case", "task-queue", "--delivery", "at-least-once"]);
    let w = |b: &str| entry(&f, b)["weight"].as_f64().unwrap();
    assert!(w("rabbitmq") < w("pulsar"), "{f}");
    assert!(place(&f, "rabbitmq") < place(&f, "pulsar"), "{f}");
}

/// `redis` with its mode unknown says which mode it is judged as, in `why` and in `mode`.
#[test]
fn redis_says_its_mode() {
    let f = ranking(&["--delivery", "at-least-once", "--retention", "1h"]);
    let r = entry(&f, "redis");
    assert_eq!(r["mode"], "redis-streams", "{r}");
    assert!(
        r["why"][0]
            .as_str()
            .unwrap()
            .starts_with("fits as redis-streams"),
        "{r}"
    );
}
