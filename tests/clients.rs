//! Client configuration read as clients of their bus (issue 11): Spring Boot files and Kafka
//! client properties, listed by `inventory` with their source, judged at their own lines, and
//! turned into flows by `init`.

mod common;
use common::{found, json};

fn clients(dir: &str) -> Vec<serde_json::Value> {
    json(&["inventory", dir, "--format", "json"])["clients"]
        .as_array()
        .unwrap()
        .clone()
}

const SPRING: &str = "fixtures/clients/order-service";
const YML: &str = "fixtures/clients/order-service/src/main/resources/application.yml";

#[test]
fn spring_boot_files_are_clients_of_each_bus_they_configure() {
    let c = clients(SPRING);
    let spring: Vec<(&str, &str, u64)> = c
        .iter()
        .map(|c| {
            (
                c["bus"].as_str().unwrap(),
                c["file"].as_str().unwrap(),
                c["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(spring.contains(&("kafka", YML, 7)), "{c:?}");
    assert!(spring.contains(&("rabbitmq", YML, 22)), "{c:?}");
    assert!(
        spring.contains(&(
            "kafka",
            "fixtures/clients/order-service/src/main/resources/application-local.properties",
            2
        )),
        "{c:?}"
    );
    assert!(c.iter().all(|c| c["source"] == "spring"));
    // relaxed binding: enableAutoCommit is enable.auto.commit; Spring's words are normalised
    let kafka = c
        .iter()
        .find(|c| c["file"] == YML && c["bus"] == "kafka")
        .unwrap();
    let settings = kafka["settings"].as_array().unwrap();
    let has = |k: &str, v: &str| settings.iter().any(|s| s["key"] == k && s["value"] == v);
    assert!(has("enable.auto.commit", "false"), "{kafka}");
    assert!(has("isolation.level", "read_uncommitted"), "{kafka}");
    assert!(has("enable.idempotence", "true"), "{kafka}");
    // the prod profile's document is read too
    assert!(has("security.protocol", "SASL_PLAINTEXT"), "{kafka}");
}

#[test]
fn spring_settings_are_judged_at_their_lines() {
    let f = found(SPRING);
    for (code, line) in [("BF920", 11), ("BF906", 19), ("BF963", 26), ("BF961", 35)] {
        assert!(
            f.contains(&(code.to_owned(), YML.to_owned(), line)),
            "{code} at {line}: {f:?}"
        );
    }
    // what is right is quiet: acks=all, idempotence on, auto-commit off, confirms on
    for code in ["BF901", "BF905", "BF946", "BF962"] {
        assert!(!f.iter().any(|(c, _, _)| c == code), "{code}: {f:?}");
    }
}

#[test]
fn kafka_client_properties_are_clients() {
    let dir = "fixtures/clients/kafka-tools";
    let c = clients(dir);
    assert_eq!(c.len(), 3, "{c:?}");
    assert!(c.iter().all(|c| c["source"] == "kafka-client"), "{c:?}");
    let inv = json(&["inventory", dir, "--format", "json"]);
    assert_eq!(inv["deployments"].as_array().unwrap().len(), 0, "{inv}");
    let f = found(dir);
    for (code, file, line) in [
        ("BF901", "producer.properties", 3),
        ("BF907", "consumer.properties", 3),
        ("BF903", "connect-distributed.properties", 6),
    ] {
        let file = format!("{dir}/config/{file}");
        assert!(
            f.contains(&(code.to_owned(), file.clone(), line)),
            "{code} at {file}:{line}: {f:?}"
        );
    }
}

#[test]
fn init_writes_flows_for_the_buses_clients_reveal() {
    let d = tempfile::tempdir().unwrap();
    let root = common::root();
    for (from, to) in [
        (
            "fixtures/clients/kafka-tools/config/producer.properties",
            "producer.properties",
        ),
        (
            "fixtures/clients/order-service/src/main/resources/application.yml",
            "application.yml",
        ),
    ] {
        std::fs::copy(root.join(from), d.path().join(to)).unwrap();
    }
    let out = common::busfit_in(d.path(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(d.path().join("busfit.yaml")).unwrap();
    for bus in ["bus: kafka", "bus: rabbitmq"] {
        assert!(written.contains(bus), "{written}");
    }
    // each flow says where its bus was found, and as what kind of client
    assert!(
        written.contains("spring client: Spring Boot (spring.rabbitmq)"),
        "{written}"
    );
}

/// Spring Boot's environment (`SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT`, or the canonical
/// `…_ENABLEAUTOCOMMIT`) on an application container, in compose or Kubernetes, is the same
/// client configuration as application.yml, judged at the variable's value.
#[test]
fn spring_environment_variables_are_client_settings() {
    let dir = "fixtures/clients/env-config";
    let c = clients(dir);
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(
        c.iter()
            .all(|c| c["source"] == "spring" && c["bus"] == "kafka")
    );
    let f = found(dir);
    for (code, file, line) in [
        ("BF901", "docker-compose.yml", 7),
        ("BF946", "orders-deployment.yaml", 20),
        ("BF906", "orders-deployment.yaml", 22),
    ] {
        let file = format!("{dir}/{file}");
        assert!(
            f.contains(&(code.to_owned(), file.clone(), line)),
            "{code} at {file}:{line}: {f:?}"
        );
    }
}

/// Client libraries in the manifests of seven languages' services (issue 24): .NET
/// PackageReferences, a Gemfile (Sidekiq is Redis), sbt (`%%` coordinates), Leiningen,
/// Celery's redis extra in requirements/base.txt, Spring Cloud Stream's Rabbit binder and
/// Spring Cloud Bus in a pom, Quarkus's Kafka connector in a Gradle Kotlin build.
#[test]
fn clients_of_every_ecosystem_are_seen() {
    let got: Vec<(String, String, u64, String)> = clients("fixtures/clients/polyglot")
        .iter()
        .map(|c| {
            (
                c["bus"].as_str().unwrap().to_owned(),
                c["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
                c["line"].as_u64().unwrap(),
                c["library"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("kafka", "Billing.csproj", 8, "Confluent.Kafka"),
        ("redis", "Billing.csproj", 9, "StackExchange.Redis"),
        ("rabbitmq", "Billing.csproj", 10, "RabbitMQ.Client"),
        ("mqtt", "Billing.csproj", 11, "MQTTnet"),
        ("kafka", "project.clj", 4, "org.apache.kafka:kafka-clients"),
        ("redis", "project.clj", 5, "com.taoensso:carmine"),
        (
            "rabbitmq",
            "pom.xml",
            10,
            "org.springframework.cloud:spring-cloud-stream-binder-rabbit",
        ),
        (
            "rabbitmq",
            "pom.xml",
            14,
            "org.springframework.cloud:spring-cloud-starter-bus-amqp",
        ),
        (
            "kafka",
            "build.sbt",
            6,
            "org.apache.kafka:kafka-streams-scala",
        ),
        ("kafka", "build.sbt", 7, "org.apache.kafka:kafka-clients"),
        ("redis", "base.txt", 2, "celery[redis]"),
        (
            "kafka",
            "build.gradle.kts",
            8,
            "io.quarkus:quarkus-messaging-kafka",
        ),
        ("redis", "Gemfile", 5, "sidekiq"),
        ("kafka", "Gemfile", 6, "karafka"),
        ("rabbitmq", "Gemfile", 7, "bunny"),
    ];
    let want: Vec<(String, String, u64, String)> = want
        .iter()
        .map(|(b, f, l, n)| ((*b).to_owned(), (*f).to_owned(), *l, (*n).to_owned()))
        .collect();
    assert_eq!(got, want);
}

/// Client settings of the frameworks services use (issue 24): Spring Cloud Stream's Kafka
/// binder `required-acks: 0` and Rabbit binder `acknowledge-mode: NONE`, a Quarkus channel's
/// `mp.messaging.outgoing.readings.acks=0` (and the same nested in YAML), each judged at its line against the flow's
/// at-least-once; each client named by its framework.
#[test]
fn stream_binders_and_reactive_messaging_are_judged() {
    let dir = "fixtures/clients/stream-binders";
    // the findings on the services' files (the flows' own info is about busfit.yaml)
    let got: Vec<(String, String, u64)> = common::found(dir)
        .into_iter()
        .filter(|(_, file, _)| !file.ends_with("busfit.yaml"))
        .map(|(code, file, line)| (code, file.rsplit('/').next().unwrap().to_owned(), line))
        .collect();
    let want: Vec<(String, String, u64)> = [
        ("BF901", "application.yaml", 12),
        ("BF901", "application.yml", 8),
        ("BF963", "application.yml", 13),
        ("BF901", "application.properties", 5),
        // `%prod.` is production's; `%dev.acks=0` is not what production runs
        ("BF901", "application.properties", 9),
    ]
    .iter()
    .map(|(c, f, l)| ((*c).to_owned(), (*f).to_owned(), *l))
    .collect();
    assert_eq!(got, want);
    let libs: Vec<String> = clients(dir)
        .iter()
        .map(|c| c["library"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        libs,
        [
            "MicroProfile Reactive Messaging (mp.messaging)",
            "Spring Cloud Stream (spring.cloud.stream)",
            "Spring Cloud Stream (spring.cloud.stream)",
            "MicroProfile Reactive Messaging (mp.messaging)"
        ]
    );
}

/// Confluent's client configuration files (`java.config`) are Kafka clients whose settings are
/// judged; a `web.config` of the same folder is not a client.
#[test]
fn confluent_config_files_are_clients() {
    let dir = "fixtures/clients/confluent-config";
    let c = clients(dir);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(c[0]["file"].as_str().unwrap().ends_with("java.config"));
    let v = json(&[
        "check",
        dir,
        "--require",
        "delivery=at-least-once",
        "--format",
        "json",
    ]);
    assert_eq!(common::codes(&v), ["BF901"]);
    assert_eq!(v["findings"][0]["line"], 7);
}
