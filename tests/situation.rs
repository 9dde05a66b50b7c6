//! The situation a file is in (contract §7): environment, role and cluster, through the CLI.

mod common;
use common::{busfit, busfit_in, codes, json};

/// The name of every deployment of an inventory report, in order.
fn deployment_names(inv: &serde_json::Value) -> Vec<&str> {
    inv["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect()
}

/// A folder of tutorials, each a compose file with one PLAINTEXT broker (modelled on a CDC
/// tutorial repository): a default run exits 0 and reports each rule once, with the other
/// files attached; `--environment production` reports every file.
#[test]
fn tutorials_are_summarised_once_per_rule() {
    let dir = "fixtures/situation/tutorials";
    let out = busfit(&["check", dir]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let v = json(&["check", dir, "--format", "json"]);
    let mut c = codes(&v);
    let n = c.len();
    c.dedup();
    assert_eq!(c.len(), n, "a rule reported twice: {c:?}");
    assert_eq!(c, ["BF933", "BF947", "BF908"]);
    for f in v["findings"].as_array().unwrap() {
        assert_eq!(f["severity"], "info");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .ends_with("[summarised: 3 findings in 3 files outside production (3 example)]"),
            "{f}"
        );
        let related = f["related"].as_array().expect("related places");
        assert_eq!(related.len(), 2);
        assert_eq!(
            related[0]["file"],
            "fixtures/situation/tutorials/cdc-postgres/docker-compose.yml"
        );
    }
    // the human output lists where else
    assert!(
        out.stdout
            .contains("also at: fixtures/situation/tutorials/cdc-postgres/docker-compose.yml:8:12"),
        "{}",
        out.stdout
    );
    // judged as production: every file, every finding
    let v = json(&[
        "check",
        dir,
        "--format",
        "json",
        "--environment",
        "production",
    ]);
    assert_eq!(codes(&v).len(), 9);
    assert!(v["findings"][0].get("related").is_none());
    // a declared requirement is judged wherever the file is
    let v = json(&[
        "check",
        dir,
        "--format",
        "json",
        "--require",
        "security=tls",
    ]);
    let errors: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "BF908")
        .collect();
    assert_eq!(errors.len(), 3);
    assert!(errors.iter().all(|f| f["severity"] == "error"));
}

/// SARIF carries the other places as relatedLocations.
#[test]
fn summaries_carry_related_locations_in_sarif() {
    let v = json(&["check", "fixtures/situation/tutorials", "--format", "sarif"]);
    let r = &v["runs"][0]["results"][0];
    let rel = r["relatedLocations"].as_array().expect("relatedLocations");
    assert_eq!(rel.len(), 2);
    assert_eq!(rel[0]["id"], 1);
    assert!(
        rel[0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("cdc-postgres/docker-compose.yml")
    );
}

const BROKER: &str = "services:\n  kafka:\n    image: apache/kafka:3.7.0\n    environment:\n      KAFKA_LISTENERS: PLAINTEXT://:9092\n";

/// busfit.yaml's `environments:` decides before the names do: a folder named `examples/` that
/// is declared production is reported file by file, and a `deploy/` declared example is not.
#[test]
fn busfit_yaml_sets_environments() {
    let d = tempfile::tempdir().unwrap();
    for sub in ["examples/a", "examples/b", "deploy/a", "deploy/b"] {
        std::fs::create_dir_all(d.path().join(sub)).unwrap();
        std::fs::write(d.path().join(sub).join("compose.yaml"), BROKER).unwrap();
    }
    let count = |out: &common::Output| {
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "BF908")
            .map(|f| f["file"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let out = busfit_in(d.path(), &["check", "--format", "json"]);
    assert_eq!(
        count(&out),
        [
            "deploy/a/compose.yaml",
            "deploy/b/compose.yaml",
            "examples/a/compose.yaml"
        ]
    );
    std::fs::write(
        d.path().join("busfit.yaml"),
        "version: 1\nenvironments:\n  production: [\"examples/**\"]\n  example: [\"deploy/**\"]\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check", "--format", "json"]);
    assert_eq!(
        count(&out),
        [
            "deploy/a/compose.yaml",
            "examples/a/compose.yaml",
            "examples/b/compose.yaml"
        ]
    );
}

/// An unknown environment or an invalid glob in `environments:` is an error at its place.
#[test]
fn invalid_environments_are_errors() {
    let d = common::manifest_dir(
        "version: 1\nenvironments:\n  prod: [\"deploy/**\"]\n  test: [\"**/[z-a\"]\n",
    );
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("unknown environment `prod`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("production | development | example | test"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("invalid glob `**/[z-a`"),
        "{}",
        out.stderr
    );
}

/// `settings.exclude` with an invalid glob is an error, not a glob that excludes nothing.
#[test]
fn invalid_exclude_glob_is_an_error() {
    let d = common::manifest_dir("version: 1\nsettings:\n  exclude: [\"**/[z-a\"]\n");
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("invalid glob `**/[z-a`"),
        "{}",
        out.stderr
    );
}

/// Three KRaft controllers and three brokers in one compose file (modelled on Kafka's own
/// docker examples): a controller hosts no partitions, so it gets no replication, min ISR or
/// auto-create findings, and the cluster's defaults are judged at its first broker; a rule that
/// fires on every broker for one setting is one finding naming the others.
#[test]
fn one_cluster_one_finding_and_controllers_host_no_partitions() {
    let v = json(&[
        "check",
        "fixtures/situation/cluster",
        "--format",
        "json",
        "--require",
        "security=tls",
        "--require",
        "delivery=at-least-once",
    ]);
    let found: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64)> = [("BF902", 32), ("BF903", 32), ("BF908", 38), ("BF959", 44)]
        .iter()
        .map(|(c, l)| ((*c).to_owned(), *l))
        .collect();
    assert_eq!(found, want);
    let bf908 = &v["findings"][2];
    assert!(
        bf908["message"]
            .as_str()
            .unwrap()
            .ends_with("(the same on 2 other members of this cluster: broker-5, broker-6)"),
        "{bf908}"
    );
    let lines: Vec<u64> = bf908["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    // the other PLAINTEXT listeners in use: broker-4's own, then broker-5's and broker-6's
    assert_eq!(lines, [38, 40, 53, 53, 55, 68, 68, 70]);
    // inventory still lists every node
    let inv = json(&[
        "inventory",
        "fixtures/situation/cluster",
        "--format",
        "json",
    ]);
    assert_eq!(inv["deployments"].as_array().unwrap().len(), 6);
}

/// `docker compose -f kafka-0-1-2.yml -f kafka-3-4.yml`: the second file's brokers depend on
/// the first file's ZooKeeper, so they are nodes of its cluster (five brokers), not a cluster
/// of two that cannot place a replication factor of 3.
#[test]
fn an_overlay_joins_the_cluster_of_its_base() {
    let v = json(&[
        "check",
        "fixtures/situation/overlay",
        "--format",
        "json",
        "--require",
        "delivery=at-least-once",
    ]);
    assert_eq!(codes(&v), ["BF959", "BF947"]);
    assert!(v["findings"][1]["message"].as_str().unwrap().ends_with(
        "(the same on 4 other members of this cluster: kafka-1, kafka-2, kafka-3, kafka-4)"
    ));
    // alone, the overlay is judged as what it is: two brokers; with a base of one broker
    // beside it, the cluster has three
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        "fixtures/situation/overlay/kafka-3-4.yml",
        d.path().join("kafka-3-4.yml"),
    )
    .unwrap();
    let bf933 = |dir: &std::path::Path| {
        let v = common::json_in(
            dir,
            &[
                "check",
                "--format",
                "json",
                "--require",
                "delivery=at-least-once",
            ],
        );
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "BF933")
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let alone = bf933(d.path());
    assert_eq!(alone.len(), 1);
    assert!(alone[0].starts_with("2 brokers"), "{alone:?}");
    let base = std::fs::read_to_string("fixtures/situation/overlay/kafka-0-1-2.yml").unwrap();
    let base: String = base.split("  kafka-1:").next().unwrap().to_owned();
    std::fs::write(d.path().join("kafka-0.yml"), base).unwrap();
    assert!(bf933(d.path()).is_empty());
}

/// Two Redis servers of a self-hosted web application (modelled on a Django + Celery
/// product's compose file): the one reached by `CACHE_URL` with an LRU policy is a cache, and
/// `--require delivery=at-least-once` does not ask it for AOF or a no-eviction policy; the
/// Celery broker is judged.
#[test]
fn a_cache_is_not_judged_as_a_queue() {
    let dir = "fixtures/situation/roles";
    let v = json(&[
        "check",
        dir,
        "--format",
        "json",
        "--require",
        "delivery=at-least-once",
    ]);
    assert_eq!(codes(&v), ["BF911"]);
    assert_eq!(v["findings"][0]["line"], 24);
    assert_eq!(v["findings"][0]["severity"], "warning");
    let inv = json(&["inventory", dir, "--format", "json"]);
    let d = &inv["deployments"];
    assert_eq!(d[0]["name"], "cache");
    assert_eq!(d[0]["role"], "cache");
    assert_eq!(d[0]["nodes"], 1);
    assert_eq!(d[0]["environment"], "production");
    assert_eq!(d[0]["clients"][0]["service"], "web");
    assert_eq!(d[0]["clients"][0]["variable"], "CACHE_URL");
    assert_eq!(d[1]["role"], "broker");
    let via: Vec<&str> = d[1]["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["service"].as_str().unwrap())
        .collect();
    assert_eq!(via, ["web", "worker"]);
}

/// A flow a busfit.yaml declares on Redis runs on the repository's only Redis, even one named
/// `cache`: the demo's order-events flow still finds its allkeys-lru policy.
#[test]
fn declared_flows_run_on_the_only_redis() {
    let v = json(&["check", "fixtures/demo", "--format", "json"]);
    assert!(codes(&v).contains(&"BF912".to_owned()));
}

/// inventory's nodes: a cluster's brokers, counted once for each member.
#[test]
fn inventory_shows_cluster_size() {
    let inv = json(&[
        "inventory",
        "fixtures/situation/overlay",
        "--format",
        "json",
    ]);
    let nodes: Vec<i64> = inv["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["nodes"].as_i64().unwrap())
        .collect();
    assert_eq!(nodes, [5, 5, 5, 5, 5]);
}

/// A compose file that names its anchors over a hundred times (modelled on a self-hosted
/// product's stack) is read whole: its Kafka and Valkey are found, no BF001.
#[test]
fn many_aliases_of_small_anchors_are_read() {
    let v = json(&["check", "fixtures/situation/anchors", "--format", "json"]);
    assert!(!codes(&v).contains(&"BF001".to_owned()), "{v}");
    let inv = json(&[
        "inventory",
        "fixtures/situation/anchors",
        "--format",
        "json",
    ]);
    let names = deployment_names(&inv);
    assert_eq!(names, ["kafka", "valkey"]);
}

/// A document set aside for a safety budget is valid YAML: BF001 is a warning that names the
/// budget, and its help does not ask to fix a syntax error.
#[test]
fn a_budget_is_a_warning_in_words() {
    let v = json(&["check", "fixtures/real/budget", "--format", "json"]);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "BF001");
    assert_eq!(f["severity"], "warning");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("nests deeper than 128 levels"), "{msg}");
    assert!(!msg.contains("Budget"), "{msg}");
    let help = f["help"].as_str().unwrap();
    assert!(!help.contains("syntax"), "{help}");
}

/// A parse error in the last of many documents names no line of its own: the line the
/// parser counts inside that document is not the file's, and the finding's position is.
#[test]
fn a_parse_error_names_no_line_inside_its_document() {
    let v = json(&["check", "fixtures/situation/stream", "--format", "json"]);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "BF001");
    assert_eq!(f["line"], 356);
    let m = f["message"].as_str().unwrap();
    assert!(!m.contains("line"), "{m}");
}

/// A finding about a default of a config file points at the file's start, not under its
/// first setting (which says something else).
#[test]
fn a_default_is_not_drawn_under_another_setting() {
    let out = busfit(&[
        "check",
        "fixtures/situation/redis-conf",
        "--require",
        "delivery=at-least-once",
    ]);
    assert!(
        out.stdout
            .contains("fixtures/situation/redis-conf/redis.conf:1:1]"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("─────┬─────"), "{}", out.stdout);
    assert!(out.stdout.contains("appendonly not set: no by default"));
}

/// With `--require`, advice no requirement asks for says so, not "no flow declares"; a
/// message names `--require` as what requires; a long value is not cut inside a word;
/// the Markdown summary counts in words.
#[test]
fn messages_under_require_read_right() {
    let out = busfit(&[
        "check",
        "fixtures/situation/cluster",
        "--require",
        "security=tls",
        "--color",
        "never",
    ]);
    assert!(
        out.stdout.contains("listener PLAINTEXT: "),
        "{}",
        out.stdout
    );
    // a long word is not cut to fit the width
    let d = common::manifest_dir(&format!(
        "version: 1\nflows:\n  - name: {}\n    bus: redis-pubsub\n    requires: {{ delivery: exactly-once }}\n",
        "a".repeat(120)
    ));
    let long = busfit_in(d.path(), &["check", "--color", "never"]);
    assert!(
        long.stdout.contains(&"a".repeat(120)),
        "a word was cut: {}",
        long.stdout
    );
    let hint = busfit(&[
        "check",
        "fixtures/situation/tutorials",
        "--require",
        "security=tls",
        "--environment",
        "production",
    ]);
    assert!(!hint.stdout.contains("no flow declares"), "{}", hint.stdout);
    assert!(
        hint.stdout
            .contains("no requirement given with --require is about this")
    );
    let out = busfit(&[
        "check",
        "fixtures/demo",
        "--require",
        "security=tls",
        "--format",
        "concise",
    ]);
    assert!(
        out.stdout
            .contains("listener 1883 has no certfile: TLS required by --require"),
        "{}",
        out.stdout
    );
    let md = busfit(&["check", "fixtures/situation/roles", "--format", "markdown"]);
    assert!(
        md.stdout
            .contains("**0 errors**, **0 warnings**, 1 info in 1 file."),
        "{}",
        md.stdout
    );
}

/// Examples that all name their cluster `my-cluster` (Strimzi's) are clusters of their own
/// files: a finding on each is not folded into the first.
#[test]
fn same_cluster_name_in_two_files_is_two_clusters() {
    let d = tempfile::tempdir().unwrap();
    let kafka = "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: my-cluster\nspec:\n  kafka:\n    listeners:\n      - name: plain\n        port: 9092\n        type: internal\n        tls: false\n";
    std::fs::write(d.path().join("kafka-a.yaml"), kafka).unwrap();
    std::fs::write(d.path().join("kafka-b.yaml"), kafka).unwrap();
    let v = common::json_in(d.path(), &["check", "--format", "json"]);
    let files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "BF931")
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["kafka-a.yaml", "kafka-b.yaml"], "{v}");
}

/// Roles from what applications outside compose say (contract §7, role): a ConfigMap's
/// `CELERY_BROKER_URL` names one Redis's Service, a container's `CACHE_URL` the other's by
/// its cluster DNS name. Under at-least-once only the broker is told about its AOF; the
/// flags in the workload's `args` are read as written.
#[test]
fn kubernetes_env_and_config_maps_link_clients() {
    let dir = "fixtures/situation/roles-kubernetes";
    let v = json(&[
        "check",
        dir,
        "--format",
        "json",
        "--require",
        "delivery=at-least-once",
    ]);
    assert_eq!(codes(&v), ["BF911"]);
    assert_eq!(v["findings"][0]["line"], 18);
    assert!(
        !v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("default")
    );
    let inv = json(&["inventory", dir, "--format", "json"]);
    let d = &inv["deployments"];
    assert_eq!(d[0]["name"], "shop-redis");
    assert_eq!(d[0]["role"], "broker");
    assert_eq!(d[0]["clients"][0]["service"], "ConfigMap shop-settings");
    assert_eq!(d[0]["clients"][0]["variable"], "CELERY_BROKER_URL");
    assert_eq!(d[1]["name"], "page-redis");
    assert_eq!(d[1]["role"], "cache");
    assert_eq!(d[1]["clients"][0]["service"], "web");
    assert_eq!(d[1]["clients"][0]["line"], 28);
}

/// A compose service's `env_file:` names the Redis it uses as its `environment:` would: the
/// Sidekiq Redis is a broker, the cache Redis is not judged as a queue.
#[test]
fn env_files_link_clients() {
    let dir = "fixtures/situation/roles-env-file";
    let v = json(&[
        "check",
        dir,
        "--format",
        "json",
        "--require",
        "delivery=at-least-once",
    ]);
    assert_eq!(codes(&v), ["BF911"]);
    assert_eq!(v["findings"][0]["line"], 13);
    let inv = json(&["inventory", dir, "--format", "json"]);
    let d = &inv["deployments"];
    assert_eq!(d[0]["role"], "broker");
    assert_eq!(d[1]["role"], "cache");
    assert_eq!(
        d[1]["clients"][0]["file"],
        "fixtures/situation/roles-env-file/app.env"
    );
    assert_eq!(d[1]["clients"][0]["variable"], "CACHE_REDIS_URL");
}

/// A Spring Boot application's Redis host names the Redis it uses, from another folder, when
/// one deployment answers to that name.
#[test]
fn framework_settings_link_clients() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("deploy")).unwrap();
    std::fs::create_dir_all(d.path().join("app/src/main/resources")).unwrap();
    std::fs::write(
        d.path().join("deploy/docker-compose.yml"),
        "services:\n  redis-1:\n    image: redis:7.2\n    command: redis-server --appendonly no\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("app/src/main/resources/application.yml"),
        "spring:\n  data:\n    redis:\n      host: redis-1\n      port: 6379\n",
    )
    .unwrap();
    let inv = common::json_in(d.path(), &["inventory", "--format", "json"]);
    let c = &inv["deployments"][0]["clients"][0];
    assert_eq!(c["file"], "app/src/main/resources/application.yml", "{inv}");
    assert_eq!(c["variable"], "host");
}

/// A stack whose broker offers clients beyond its network only loopback addresses
/// (`127.0.0.1`, `host.docker.internal`) serves one machine: development, its advice
/// summarised; the broker beside it that advertises a DNS name is production. A busfit.yaml
/// that names the file production wins.
#[test]
fn a_stack_for_one_machine_is_development() {
    let dir = "fixtures/situation/local-stack";
    let inv = json(&["inventory", dir, "--format", "json"]);
    let envs: Vec<(&str, &str)> = inv["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap(),
                d["environment"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        envs,
        [
            (
                "fixtures/situation/local-stack/kafka-edge.yml",
                "production"
            ),
            (
                "fixtures/situation/local-stack/kafka-single.yml",
                "development"
            ),
        ]
    );
    let v = json(&["check", dir, "--format", "json"]);
    for f in v["findings"].as_array().unwrap() {
        let summarised = f["message"].as_str().unwrap().contains("[summarised:");
        assert_eq!(
            summarised,
            f["file"] == "fixtures/situation/local-stack/kafka-single.yml",
            "{f}"
        );
    }
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::root().join(dir).join("kafka-single.yml"),
        d.path().join("kafka-single.yml"),
    )
    .unwrap();
    std::fs::write(
        d.path().join("busfit.yaml"),
        "version: 1\nenvironments:\n  production: [\"*.yml\"]\n",
    )
    .unwrap();
    let inv = common::json_in(d.path(), &["inventory", "--format", "json"]);
    assert_eq!(inv["deployments"][0]["environment"], "production", "{inv}");
}

/// Sentinels started from the server's image (`redis-sentinel`, `redis-server … --sentinel`)
/// are not Redis deployments: the stack holds two servers, and the Sentinels' published
/// ports are not a Redis without a password.
#[test]
fn sentinels_from_the_server_image_are_not_servers() {
    let dir = "fixtures/situation/sentinel";
    let v = json(&["inventory", dir, "--format", "json"]);
    let names = deployment_names(&v);
    assert_eq!(names, ["redis", "redis-replica"]);
    let v = json(&["check", dir, "--format", "json"]);
    assert!(!codes(&v).iter().any(|c| c == "BF972"), "{v}");
}

/// A container whose entrypoint creates topics and exits is a client, not a second broker
/// (modelled on a billing product's Redpanda stack): the cluster has one broker.
#[test]
fn an_entrypoint_that_creates_topics_is_a_one_shot_client() {
    let v = json(&[
        "inventory",
        "fixtures/situation/topic-creator",
        "--format",
        "json",
    ]);
    let names = deployment_names(&v);
    assert_eq!(names, ["redpanda"]);
    assert_eq!(v["deployments"][0]["nodes"], 1, "{v}");
    assert!(
        v["clients"][0]["library"]
            .as_str()
            .unwrap()
            .contains("one-shot service topics"),
        "{v}"
    );
}
