//! What real repositories hold, each class of file held through the CLI (contract §6). Every
//! fixture under fixtures/real/ is modelled on a public repository's file (docs/real-world.md).

mod common;
use common::{busfit, codes, json};

/// Go/Helm templates under `files/`, Jinja templates of an operator, cargo-generate templates:
/// never BF001; counted as skipped in the summary.
#[test]
fn templates_are_skipped_not_errors() {
    let out = busfit(&["check", "fixtures/real/templates"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("No findings in 6 files (4 templates skipped: not readable until rendered)."),
        "{}",
        out.stdout
    );
    let v = json(&["check", "fixtures/real/templates", "--format", "json"]);
    assert_eq!(v["summary"]["skipped"], 4);
    assert_eq!(v["summary"]["errors"], 0);
    // a template of a broker config (`redis.conf.j2`) is read as one; its variables are unknown
    let v = json(&["inventory", "fixtures/real/templates", "--format", "json"]);
    assert_eq!(v["deployments"][0]["name"], "redis.conf.j2");
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

/// Expected (bus, name) pairs, owned, to compare with [`deployments`].
fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter()
        .map(|(b, n)| ((*b).to_owned(), (*n).to_owned()))
        .collect()
}

fn deployments(path: &str) -> Vec<(String, String)> {
    let v = json(&["inventory", path, "--format", "json"]);
    v["deployments"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["bus"].as_str().unwrap_or("").to_owned(),
                        d["name"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Images behind registry variables, with variable tags, digests and mirrors; an exporter
/// named after Redis is not Redis.
#[test]
fn images_are_recognised_as_written() {
    let got = deployments("fixtures/real/images");
    let want = [
        ("kafka", "broker"),
        ("redis", "cache"),
        ("kafka", "events"),
        ("mqtt", "devices"),
    ];
    assert_eq!(got, pairs(&want), "{got:?}");
}

/// A compose service runs a config mounted under another name: its settings are that broker's,
/// and the file is no deployment of its own; `mosquitto -c /mosquitto-no-auth.conf` is an
/// anonymous broker; `redis-cli --cluster create` is a client.
#[test]
fn compose_is_followed_to_the_config_it_runs() {
    let v = json(&[
        "inventory",
        "fixtures/real/compose-config",
        "--format",
        "json",
    ]);
    let ds = v["deployments"].as_array().unwrap();
    assert_eq!(ds.len(), 3, "{v}");
    // a config mounted where the image reads its own, with JetStream on
    assert_eq!(ds[2]["bus"], "nats-jetstream");
    assert!(
        ds[0]["evidence"]
            .as_str()
            .unwrap()
            .ends_with("running fixtures/real/compose-config/conf/master-noauth.conf")
    );
    assert_eq!(v["clients"][0]["bus"], "redis");
    let found = common::found("fixtures/real/compose-config");
    let conf = "fixtures/real/compose-config/conf/master-noauth.conf".to_owned();
    let compose = "fixtures/real/compose-config/docker-compose.yml".to_owned();
    assert_eq!(
        found,
        [
            ("BF915".to_owned(), conf.clone(), 1),
            ("BF913".to_owned(), conf.clone(), 3),
            ("BF911".to_owned(), conf, 4),
            ("BF921".to_owned(), compose.clone(), 11),
            // the no-auth Mosquitto is published on 1883 (contract §7)
            ("BF974".to_owned(), compose, 13),
        ]
    );
}

/// requirements/*.txt, requirements/extras/*.txt and pip-tools inputs name clients.
#[test]
fn requirement_folders_are_read() {
    let libs = common::libraries("fixtures/real/requirements-folders");
    assert_eq!(libs, ["kafka-python", "paho-mqtt", "redis"]);
}

/// Node pools and topics attach to their Kafka; brokers add up over the pools whose roles hold
/// `broker` (4, not 1 or 2); a JBOD volume of type ephemeral is judged.
#[test]
fn strimzi_pools_make_one_cluster() {
    let got = deployments("fixtures/real/strimzi-pools");
    assert_eq!(got, [("kafka".to_owned(), "events".to_owned())]);
    let v = json(&[
        "inventory",
        "fixtures/real/strimzi-pools",
        "--format",
        "json",
    ]);
    let settings = v["deployments"][0]["settings"].as_array().unwrap();
    assert!(
        settings
            .iter()
            .any(|s| s["key"] == "broker.replicas" && s["value"] == "4")
    );
    let v = json(&["check", "fixtures/real/strimzi-pools", "--format", "json"]);
    assert_eq!(codes(&v), ["BF932"]);
    assert_eq!(v["findings"][0]["line"], 28);
}

/// A Sentinel's config is not judged as a data server; `save ""` says nothing survives.
#[test]
fn sentinel_is_not_a_data_server() {
    let v = json(&["check", "fixtures/real/sentinel", "--format", "json"]);
    assert_eq!(codes(&v), ["BF911"]);
    let m = v["findings"][0]["message"].as_str().unwrap();
    assert!(m.contains("nothing written survives a restart"), "{m}");
    let v = json(&["inventory", "fixtures/real/sentinel", "--format", "json"]);
    assert_eq!(
        v["deployments"][1]["evidence"],
        "sentinel config file sentinel.conf"
    );
}

/// A file named mosquitto.conf that is an init job is not a broker.
#[test]
fn a_config_is_recognised_by_content() {
    assert!(deployments("fixtures/real/upstart").is_empty());
}

/// A value under `enabled: false` is no setting: Bitnami's provisioning replication factor.
#[test]
fn switched_off_values_are_not_settings() {
    let v = json(&["check", "fixtures/real/helm-disabled", "--format", "json"]);
    assert!(codes(&v).is_empty(), "{v}");
    let v = json(&[
        "inventory",
        "fixtures/real/helm-disabled",
        "--format",
        "json",
    ]);
    let settings = v["deployments"][0]["settings"].as_array().unwrap();
    assert!(
        !settings
            .iter()
            .any(|s| s["key"] == "default.replication.factor")
    );
}

/// Defaults are settings: a stock Redis under at-least-once, a mosquitto.conf without
/// `persistence`, three brokers that never set a replication factor; each at the deployment,
/// saying the value is the default, and the three brokers are one finding each, not three.
#[test]
fn defaults_are_judged_at_the_deployment() {
    let v = json(&["check", "fixtures/real/defaults/redis", "--format", "json"]);
    // BF102: Streams are at-least-once only when configured for it; BF972: the stock image
    // runs without protected mode or a password, and the port is published (contract §7)
    assert_eq!(codes(&v), ["BF102", "BF911", "BF972"]);
    let f = &v["findings"][1];
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(4), Some(12))
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .ends_with("(appendonly is not set; no is the default)")
    );
    let v = json(&["check", "fixtures/real/defaults/mqtt", "--format", "json"]);
    assert!(codes(&v).contains(&"BF922".to_owned()), "{v}");
    let v = json(&["check", "fixtures/real/defaults/kafka", "--format", "json"]);
    let c = codes(&v);
    assert_eq!(c.iter().filter(|c| *c == "BF903").count(), 1, "{v}");
    assert_eq!(c.iter().filter(|c| *c == "BF902").count(), 1, "{v}");
    // without a declared requirement, a default is a finding only for exposure without
    // authentication (contract §7): the stock image's protected-mode no on a published port
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        common::root().join("fixtures/real/defaults/redis/docker-compose.yml"),
        d.path().join("docker-compose.yml"),
    )
    .expect("copy");
    let out = common::busfit_in(d.path(), &["check", ".", "--format", "concise"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(lines[0].contains("error[BF972]"), "{}", out.stdout);
    let out = common::busfit_in(d.path(), &["check", ".", "--ignore", "BF972"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.starts_with("No findings"), "{}", out.stdout);
}

/// A document over a safety budget is reported in words: which budget, its figure, what to do.
#[test]
fn a_budget_is_reported_in_words() {
    let v = json(&["check", "fixtures/real/budget", "--format", "json"]);
    assert_eq!(codes(&v), ["BF001"]);
    let m = v["findings"][0]["message"].as_str().unwrap();
    assert!(
        m.contains("nests deeper than 128 levels, busfit's safety budget per document"),
        "{m}"
    );
    assert!(!m.contains("Depth {"), "{m}");
}

/// An image of one's own build is recognised by the words of its name or by a broker's
/// environment; tools named after a bus (kafka-ui, redis_exporter, nats-box) and apps that only
/// reach a broker are not deployments.
#[test]
fn own_images_and_tools() {
    let got = deployments("fixtures/real/own-images");
    let want = [("kafka", "kafka"), ("kafka", "broker2"), ("redis", "cache")];
    assert_eq!(got, pairs(&want), "{got:?}");
}

/// A single-broker cluster is one finding: what it costs, with the replication settings that
/// follow from it folded into it.
#[test]
fn a_single_broker_is_one_finding() {
    let v = json(&["check", "fixtures/real/single-node", "--format", "json"]);
    assert_eq!(codes(&v), ["BF933"], "{v}");
    let f = &v["findings"][0];
    assert_eq!(f["line"], 9);
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("1 broker: no replication and no failover")
    );
    let help = f["help"].as_str().unwrap();
    assert!(
        help.contains("follows from it: default.replication.factor=1, min.insync.replicas=1"),
        "{help}"
    );
}

/// SASL_PLAINTEXT is authenticated: never a "PLAINTEXT listener"; under a TLS requirement given
/// with --require it is BF937, and the message says --require, never an empty flow name.
#[test]
fn sasl_plaintext_is_named_as_written() {
    let v = json(&["check", "fixtures/real/sasl-plaintext", "--format", "json"]);
    assert!(!codes(&v).contains(&"BF908".to_owned()), "{v}");
    let v = json(&[
        "check",
        "fixtures/real/sasl-plaintext",
        "--require",
        "security=tls",
        "--format",
        "json",
    ]);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "BF937")
        .expect("BF937");
    let m = f["message"].as_str().unwrap();
    assert!(m.starts_with("listener INTERNAL:SASL_PLAINTEXT: "), "{m}");
    assert!(m.ends_with("tls required by --require"), "{m}");
    assert!(!m.contains("flow ``"), "{m}");
    // at the listener in KAFKA_LISTENERS, not at the whole protocol map
    assert_eq!(f["line"], 9);
}

/// A setting a resource leaves out is reported at the resource (or the list item's name), and
/// labelled with the path it leaves out, never over an unrelated key.
#[test]
fn a_missing_setting_is_reported_at_the_resource() {
    let v = json(&[
        "check",
        "fixtures/real/absent-at-resource",
        "--format",
        "json",
    ]);
    assert_eq!(codes(&v), ["BF936", "BF935"]);
    assert_eq!(
        (
            v["findings"][0]["line"].as_u64(),
            v["findings"][0]["column"].as_u64()
        ),
        (Some(3), Some(7))
    );
    assert_eq!(
        (
            v["findings"][1]["line"].as_u64(),
            v["findings"][1]["column"].as_u64()
        ),
        (Some(11), Some(15))
    );
    let out = busfit(&["check", "fixtures/real/absent-at-resource"]);
    assert!(
        out.stdout
            .contains("╰── spec.kafka.authorization is not set"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("╰── authentication is not set"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("set here"), "{}", out.stdout);
}

/// A chart of one's own that names a broker's image in its values deploys that broker.
#[test]
fn values_images_are_deployments() {
    let got = deployments("fixtures/real/values-images");
    assert_eq!(got, [("kafka".to_owned(), "events-platform".to_owned())]);
}

/// Extras, dependency groups, Poetry groups and Gradle version catalogs name clients too.
#[test]
fn dependency_groups_and_catalogs_name_clients() {
    let libs = common::libraries("fixtures/real/python-groups");
    assert_eq!(
        libs,
        [
            "org.apache.kafka:kafka-clients",
            "io.lettuce:lettuce-core",
            "confluent-kafka",
            "redis",
            "paho-mqtt"
        ]
    );
}

/// Operators other than Strimzi, and a broker config recognised by its keys in a ConfigMap.
#[test]
fn other_operators_and_configs_by_content() {
    let got = deployments("fixtures/real/operators");
    let want = [
        ("kafka", "kafka"),
        ("redis", "sessions"),
        ("nats-jetstream", "nats-config/js.conf"),
    ];
    assert_eq!(got, pairs(&want), "{got:?}");
}

/// A listener list whose hosts are variables still names its protocols: the scheme is judged,
/// the host never is. A list that is one variable stays unknown.
#[test]
fn listener_hosts_from_variables_keep_their_protocols() {
    let v = json(&[
        "check",
        "fixtures/real/listener-variables",
        "--require",
        "security=tls",
        "--format",
        "json",
    ]);
    let hits: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "BF908")
        .collect();
    assert_eq!(hits.len(), 1, "{v}");
    assert_eq!(hits[0]["severity"], "error");
    assert_eq!(hits[0]["line"], 9);
    // at the listener itself, named, quoting no whole list (issue 22)
    let m = hits[0]["message"].as_str().unwrap();
    assert!(m.starts_with("listener PLAINTEXT: "), "{m}");
    assert_eq!(hits[0]["column"], 25);
}

/// The Bitnami Kafka chart's `listeners.client.protocol`, set in the values of a chart that
/// depends on it, is the client listener's protocol: PLAINTEXT is BF908 there too.
#[test]
fn a_charts_client_listener_protocol_is_judged() {
    let v = json(&["check", "fixtures/real/chart-listeners", "--format", "json"]);
    assert_eq!(codes(&v), ["BF908"], "{v}");
    let f = &v["findings"][0];
    assert_eq!(f["file"], "fixtures/real/chart-listeners/values.yaml");
    assert_eq!(f["line"], 10);
    assert_eq!(f["severity"], "info");
    let v = json(&[
        "check",
        "fixtures/real/chart-listeners",
        "--require",
        "security=tls",
        "--format",
        "json",
    ]);
    assert_eq!(v["findings"][0]["severity"], "error", "{v}");
}
