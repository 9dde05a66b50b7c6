//! What actually runs (contract §7): image defaults, the variables images read, exposure
//! without authentication, through the CLI.

mod common;
use common::{json, json_in};

use common::code_lines as found;

/// A product's stack publishing a Bitnami Valkey with an empty password, a RabbitMQ with the
/// image's guest account and a stock Redis: three errors with no requirement declared, at the
/// published port; the unpublished Dragonfly and KeyDB are not. All five are the Redis family
/// or RabbitMQ.
#[test]
fn published_brokers_without_authentication_are_errors() {
    let dir = "fixtures/runtime/exposure";
    let out = common::busfit(&["check", dir]);
    assert_eq!(out.code, 1);
    let v = json(&["check", dir, "--format", "json"]);
    let want: Vec<(String, u64)> = [("BF972", 16), ("BF973", 20), ("BF972", 25)]
        .iter()
        .map(|(c, l)| ((*c).to_owned(), *l))
        .collect();
    assert_eq!(found(&v), want);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "error")
    );
    // in an example folder too: exposure is never summarised
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("examples/shop")).unwrap();
    std::fs::copy(
        common::root().join(dir).join("docker-compose.yml"),
        d.path().join("examples/shop/docker-compose.yml"),
    )
    .unwrap();
    let v = json_in(d.path(), &["check", "--format", "json"]);
    assert_eq!(found(&v).len(), 3, "{v}");
    let inv = json(&["inventory", dir, "--format", "json"]);
    let buses: Vec<&str> = inv["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["bus"].as_str().unwrap())
        .collect();
    assert_eq!(buses, ["redis", "rabbitmq", "redis", "redis", "redis"]);
}

/// Bitnami's Redis image turns AOF on: no "appendonly no … is the default" on it, while the
/// official image, whose default is the program's, still gets it; a finding from an image's
/// default says which image.
#[test]
fn image_defaults_come_before_the_programs() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("docker-compose.yml"),
        "services:\n  jobs:\n    image: bitnami/redis:7.2\n    environment:\n      REDIS_PASSWORD: ${JOBS_PASSWORD}\n  queue:\n    image: redis:7.2\n    command: redis-server --requirepass ${QUEUE_PASSWORD}\n",
    )
    .unwrap();
    let v = json_in(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "--require",
            "delivery=at-least-once",
            "--require",
            "security=authentication",
        ],
    );
    let f: Vec<(String, u64)> = found(&v);
    assert_eq!(f, [("BF911".to_owned(), 7)], "{v}");
    // a REDIS_AOF_ENABLED=no on the Bitnami image is what it runs
    std::fs::write(
        d.path().join("docker-compose.yml"),
        "services:\n  jobs:\n    image: bitnami/redis:7.2\n    environment:\n      REDIS_PASSWORD: ${JOBS_PASSWORD}\n      REDIS_AOF_ENABLED: \"no\"\n",
    )
    .unwrap();
    let v = json_in(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "--require",
            "delivery=at-least-once",
        ],
    );
    assert_eq!(found(&v), [("BF911".to_owned(), 6)], "{v}");
    // the official image's protected mode, named as the image's default
    std::fs::write(
        d.path().join("docker-compose.yml"),
        "services:\n  queue:\n    image: redis:7.2\n",
    )
    .unwrap();
    let v = json_in(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "--require",
            "security=authentication",
        ],
    );
    let m = v["findings"][0]["message"].as_str().unwrap();
    assert!(
        m.ends_with("(protected-mode is not set; no is the official image's default)"),
        "{m}"
    );
}

/// Compose as compose resolves it: a broker's listeners in an `env_file:` are its settings
/// (a PLAINTEXT listener under `security=tls` points into the env file), and the `.env` beside
/// the compose file gives `${QUEUE_AOF:-yes}` its value (`no`); `${KAFKA_AUTO_CREATE:-false}`
/// takes its default.
#[test]
fn env_files_and_dotenv_are_read() {
    let dir = "fixtures/runtime/env-files";
    let v = json(&[
        "check",
        dir,
        "--format",
        "json",
        "--require",
        "security=tls",
        "--require",
        "delivery=at-least-once",
    ]);
    let got: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("BF908".to_owned(), format!("{dir}/config/kafka.env"), 5),
            ("BF933".to_owned(), format!("{dir}/docker-compose.yml"), 5),
            ("BF911".to_owned(), format!("{dir}/docker-compose.yml"), 14),
        ]
    );
    // no BF959: auto-create is false by the variable's default
    let inv = json(&["inventory", dir, "--format", "json"]);
    let kafka = inv["deployments"][0]["settings"].as_array().unwrap();
    assert!(
        kafka
            .iter()
            .any(|s| s["key"] == "auto.create.topics.enable" && s["value"] == "false")
    );
    // without the .env, the queue's AOF is the variable's default: yes
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("config")).unwrap();
    for f in ["docker-compose.yml", "config/kafka.env"] {
        std::fs::copy(common::root().join(dir).join(f), d.path().join(f)).unwrap();
    }
    let v = json_in(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "--require",
            "delivery=at-least-once",
        ],
    );
    assert!(!found(&v).iter().any(|(c, _)| c == "BF911"), "{v}");
}

/// Kafka's retention as the broker reads it: log.retention.ms, else minutes, else hours, and
/// 168 hours when none is written, judged against a retention need.
#[test]
fn kafka_retention_precedence_and_default() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("busfit.yaml"),
        "version: 1\nflows:\n  - name: audit\n    bus: kafka\n    requires: { retention: 30d }\n",
    )
    .unwrap();
    let run = |props: &str| {
        std::fs::write(d.path().join("server.properties"), props).unwrap();
        let v = json_in(d.path(), &["check", "--format", "json"]);
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "BF919")
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let base = "process.roles=broker,controller\nnode.id=1\nlisteners=SASL_SSL://:9093\n";
    let m = run(base);
    assert_eq!(m.len(), 1);
    assert!(
        m[0].starts_with("log.retention.hours=168 keeps less"),
        "{m:?}"
    );
    assert!(m[0].ends_with("(log.retention.hours is not set; 168 is the default)"));
    // minutes win over hours
    let m = run(&format!(
        "{base}log.retention.hours=1000\nlog.retention.minutes=60\n"
    ));
    assert_eq!(m.len(), 1);
    assert!(
        m[0].starts_with("log.retention.minutes=60 keeps less"),
        "{m:?}"
    );
    // ms win over both; 31 days is enough
    let m = run(&format!(
        "{base}log.retention.hours=1\nlog.retention.minutes=1\nlog.retention.ms=2678400000\n"
    ));
    assert!(m.is_empty(), "{m:?}");
    // -1 keeps forever
    assert!(run(&format!("{base}log.retention.hours=-1\n")).is_empty());
}

/// Only listeners in use are judged, each at its own item and named: Kafka's stock
/// broker.properties maps SASL_PLAINTEXT with no listener for it, which is no finding.
#[test]
fn only_listeners_in_use_are_judged() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("broker.properties"),
        "process.roles=broker\nnode.id=2\ncontroller.quorum.voters=1@localhost:9093\nlisteners=PLAINTEXT://localhost:9092\ninter.broker.listener.name=PLAINTEXT\ncontroller.listener.names=CONTROLLER\nlistener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL\n",
    )
    .unwrap();
    let v = json_in(
        d.path(),
        &["check", "--format", "json", "--require", "security=tls"],
    );
    let got: Vec<(String, u64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "BF908" || f["code"] == "BF937")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["message"]
                    .as_str()
                    .unwrap()
                    .split(':')
                    .next()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    // the PLAINTEXT listener at its item in `listeners`; CONTROLLER (a name the broker uses to
    // reach its controllers) at its entry in the map; no SASL_PLAINTEXT, which nothing uses
    let want: Vec<(String, u64, String)> = [
        ("BF908", 4, "listener PLAINTEXT"),
        ("BF908", 7, "listener CONTROLLER"),
    ]
    .iter()
    .map(|(c, l, m)| ((*c).to_owned(), *l, (*m).to_owned()))
    .collect();
    assert_eq!(got, want, "{v}");
}

/// The JetStream controller's resources (modelled on a shop's nack manifests): a memory
/// stream on one replica with an hour of history, and a consumer that acknowledges nothing,
/// judged against at-least-once with seven days of history.
#[test]
fn jetstream_resources_are_judged() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("jetstream.yaml"),
        "apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nmetadata:\n  name: orders\nspec:\n  name: orders\n  subjects: [\"orders.*\"]\n  storage: memory\n  replicas: 1\n  maxAge: 1h\n---\napiVersion: jetstream.nats.io/v1beta2\nkind: Consumer\nmetadata:\n  name: billing\nspec:\n  streamName: orders\n  durableName: billing\n  ackPolicy: none\n",
    )
    .unwrap();
    let v = json_in(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "--require",
            "delivery=at-least-once",
            "--require",
            "retention=7d",
        ],
    );
    let want: Vec<(String, u64)> = [("BF976", 8), ("BF977", 9), ("BF978", 10), ("BF979", 19)]
        .iter()
        .map(|(c, l)| ((*c).to_owned(), *l))
        .collect();
    assert_eq!(found(&v), want, "{v}");
    let inv = common::json(&["inventory", d.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(inv["deployments"][0]["bus"], "nats-jetstream");
}

/// Kubernetes workloads published beyond the node (host networking, a host port, a Service of
/// type LoadBalancer selecting their pods) without authentication are errors, at what
/// publishes them; a password from a Secret is authentication (value unknown).
#[test]
fn kubernetes_host_network_and_host_ports() {
    let v = common::json(&["check", "fixtures/runtime/kubernetes", "--format", "json"]);
    let want: Vec<(String, u64)> = [("BF972", 12), ("BF972", 32), ("BF972", 71)]
        .iter()
        .map(|(c, l)| ((*c).to_owned(), *l))
        .collect();
    assert_eq!(found(&v), want, "{v}");
}

/// A container that mounts its config from outside the repository (`${PWD}/emqx.conf`, a host
/// path; modelled on EMQX's integration-test stacks) runs what busfit cannot read: no default
/// is assumed, so no exposure finding; the node on the image's own configuration is reported.
#[test]
fn a_config_mounted_from_elsewhere_assumes_nothing() {
    let v = json(&[
        "check",
        "fixtures/runtime/mounted-elsewhere",
        "--format",
        "json",
    ]);
    assert_eq!(found(&v), [("BF974".to_owned(), 20)], "{v}");
}

/// A Kafka whose EXTERNAL listener is PLAINTEXT, published and advertised at an address
/// clients elsewhere reach: an error at the published port. The listener bound to loopback
/// and the one that advertises `localhost` are not; an advertised address unknown until
/// deployment builds no finding.
#[test]
fn kafka_plaintext_published_beyond_the_host() {
    let dir = "fixtures/runtime/kafka-exposure";
    let v = json(&["check", dir, "--format", "json"]);
    let exposed: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "BF980")
        .collect();
    assert_eq!(exposed.len(), 1, "{v}");
    assert_eq!(exposed[0]["line"], 8);
    assert_eq!(exposed[0]["severity"], "error");
    assert!(
        exposed[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Kafka listener EXTERNAL:PLAINTEXT is published beyond the host")
    );
    // the address from a variable without a default: unknown, no finding
    let d = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::root().join(dir).join("docker-compose.yml"))
        .unwrap()
        .replace("${PUBLIC_IP:-10.20.0.5}", "${PUBLIC_IP}");
    std::fs::write(d.path().join("docker-compose.yml"), text).unwrap();
    let v = json_in(d.path(), &["check", "--format", "json"]);
    assert!(!common::codes(&v).contains(&"BF980".to_owned()), "{v}");
}

/// A chart whose own workload is the bus (the Pulsar chart) is a deployment with its brokers
/// counted; a parent chart that depends on it and says nothing of TLS or authentication gets
/// the chart's defaults, reported at its block; one that switches both on is quiet.
#[test]
fn charts_whose_workload_is_the_bus() {
    let v = json(&[
        "inventory",
        "fixtures/rules/BF981/fires",
        "--format",
        "json",
    ]);
    let d = &v["deployments"][0];
    assert_eq!(d["bus"], "pulsar", "{v}");
    assert_eq!(d["nodes"], 3);
    let args = [
        "--require",
        "security=tls,authentication",
        "--format",
        "json",
    ];
    let dir = "fixtures/situation/pulsar-parent/defaults";
    let v = json(&[&["check", dir][..], &args[..]].concat());
    let want: Vec<(String, u64)> = [("BF981", 2), ("BF982", 2)]
        .iter()
        .map(|(c, l)| ((*c).to_owned(), *l))
        .collect();
    assert_eq!(found(&v), want);
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(tls.enabled is not set; false is the default)"),
        "{v}"
    );
    let dir = "fixtures/situation/pulsar-parent/overridden";
    let v = json(&[&["check", dir][..], &args[..]].concat());
    assert_eq!(found(&v), []);
}

/// Dragonfly (the Redis family by image) has no protected mode: published without
/// `--requirepass` it is an exposure error; with one, or `DFLY_requirepass`, it is not. It has
/// no AOF either: under at-least-once it gets BF985, never BF911's `appendonly yes`.
#[test]
fn dragonfly_differs_where_rules_depend_on_it() {
    let d = tempfile::tempdir().unwrap();
    let compose = |extra: &str| {
        format!(
            "services:\n  jobs:\n    image: docker.dragonflydb.io/dragonflydb/dragonfly:v1.21.2\n{extra}    ports:\n      - \"6379:6379\"\n"
        )
    };
    std::fs::write(d.path().join("docker-compose.yml"), compose("")).unwrap();
    let v = json_in(d.path(), &["check", "--format", "json"]);
    assert_eq!(common::codes(&v), ["BF972"], "{v}");
    for extra in [
        "    command: --requirepass \"${CACHE_PASSWORD}\"\n",
        "    environment:\n      DFLY_requirepass: s3cret\n",
    ] {
        std::fs::write(d.path().join("docker-compose.yml"), compose(extra)).unwrap();
        let v = json_in(d.path(), &["check", "--format", "json"]);
        assert_eq!(common::codes(&v), Vec::<String>::new(), "{extra}: {v}");
    }
    let v = json_in(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "--require",
            "delivery=at-least-once",
        ],
    );
    let c = common::codes(&v);
    assert!(
        c.contains(&"BF985".to_owned()) && !c.contains(&"BF911".to_owned()),
        "{c:?}"
    );
}

/// A parent chart that depends on the NATS chart and does not switch JetStream on runs core
/// NATS (the chart's default): under at-least-once, BF941 at the dependency, saying the value is
/// the default; with no requirement, nothing.
#[test]
fn a_parent_chart_gets_the_nats_charts_defaults() {
    let dir = "fixtures/situation/nats-parent";
    let v = json(&[
        "check",
        dir,
        "--format",
        "json",
        "--require",
        "delivery=at-least-once",
    ]);
    assert_eq!(found(&v), [("BF941".to_owned(), 5)], "{v}");
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(jetstream.enabled is not set; false is the default)")
    );
    let v = json(&["check", dir, "--format", "json"]);
    assert_eq!(found(&v), []);
}

/// KeyDB's image (eqalpha/keydb) is built with protected mode off: published without a
/// password it is an exposure error; with `--requirepass` it is not.
#[test]
fn keydb_image_runs_without_protected_mode() {
    let d = tempfile::tempdir().unwrap();
    let compose = |command: &str| {
        format!(
            "services:\n  kv:\n    image: eqalpha/keydb:x86_64_v6.3.4\n{command}    ports:\n      - \"6379:6379\"\n"
        )
    };
    std::fs::write(d.path().join("docker-compose.yml"), compose("")).unwrap();
    let v = json_in(d.path(), &["check", "--format", "json"]);
    assert_eq!(found(&v), [("BF972".to_owned(), 5)], "{v}");
    let with = "    command: keydb-server /etc/keydb/keydb.conf --requirepass \"${KV_PASSWORD}\"\n";
    std::fs::write(d.path().join("docker-compose.yml"), compose(with)).unwrap();
    let v = json_in(d.path(), &["check", "--format", "json"]);
    assert_eq!(found(&v), [], "{v}");
}

/// Checked as `../repo` (a CI job that checks a checkout beside it), a compose file's
/// `env_file:` is still read: modelled on an IoT platform's Valkey whose empty password is
/// allowed in `valkey.env`, published on 6379.
#[test]
fn env_files_are_read_when_the_root_is_shown_with_dot_dot() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("repo/docker");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::create_dir_all(d.path().join("ci")).unwrap();
    std::fs::write(
        repo.join("docker-compose.yml"),
        "services:\n  valkey:\n    image: bitnamilegacy/valkey:8.0\n    env_file: valkey.env\n    ports:\n      - \"6379:6379\"\n",
    )
    .unwrap();
    std::fs::write(repo.join("valkey.env"), "ALLOW_EMPTY_PASSWORD=yes\n").unwrap();
    let v = json_in(
        &d.path().join("ci"),
        &["check", "../repo", "--format", "json"],
    );
    assert_eq!(found(&v), [("BF972".to_owned(), 6)], "{v}");
    // the env file's line is what says so: without it, Bitnami's image refuses to start
    std::fs::write(repo.join("valkey.env"), "VALKEY_PASSWORD=s3cret\n").unwrap();
    let v = json_in(
        &d.path().join("ci"),
        &["check", "../repo", "--format", "json"],
    );
    assert_eq!(found(&v), [], "{v}");
}

/// The JSON inventory gives each setting's layer (contract §7): the env file and the command
/// flag that write a value, the image's default (Bitnami's AOF is on), the program's default.
#[test]
fn inventory_says_which_layer_a_value_came_from() {
    let v = json(&["inventory", "fixtures/runtime", "--format", "json"]);
    let setting = |name: &str, file_part: &str, key: &str| {
        v["deployments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name && d["file"].as_str().unwrap().contains(file_part))
            .unwrap_or_else(|| panic!("{name}: {v}"))["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap_or_else(|| panic!("{name} {key}"))
            .clone()
    };
    // from the env file, where it is written
    let l = setting("kafka", "env-files", "listeners");
    assert_eq!(l["layer"], "written");
    assert!(
        l["file"].as_str().unwrap().ends_with("config/kafka.env"),
        "{l}"
    );
    // a command flag, with the value .env gives its variable
    let a = setting("queue", "env-files", "appendonly");
    assert_eq!(
        (a["layer"].as_str(), a["line"].as_u64()),
        (Some("written"), Some(14))
    );
    // the image's default, named by family, with no place in a file
    let i = setting("queue", "exposure", "appendonly");
    assert_eq!(
        (i["layer"].as_str(), i["image"].as_str()),
        (Some("image"), Some("bitnami"))
    );
    assert!(i.get("file").is_none(), "{i}");
    // the program's default
    let p = setting("queue", "exposure", "maxmemory-policy");
    assert_eq!(
        (p["layer"].as_str(), p["value"].as_str()),
        (Some("program"), Some("noeviction"))
    );
}
