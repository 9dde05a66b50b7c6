//! Spring Boot configuration (`application*.yml|yaml|properties`, `bootstrap*.…`): the clients
//! of each bus it configures, with their settings (contract §6, "More of what is read as
//! deployed and used"). The keys and what they mean are data: each profile's
//! `recognition.spring`.

use super::{Client, Facts, Input, Origin, Setting};
use crate::kb::Kb;
use crate::kb::profile::SpringRule;
use crate::source::span::ByteSpan;
use crate::tree::yaml::{self, Node, Value};

/// Whether a lower-cased base name is a Spring Boot configuration file.
#[must_use]
pub fn is_spring_file(name: &str) -> bool {
    let stem = ["application", "bootstrap"]
        .iter()
        .any(|s| name.starts_with(s));
    stem && [".yml", ".yaml", ".properties"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// A key compared with Spring's relaxed binding: lower case, without `-` and `_`, and without
/// the brackets of a map key (`[enable.idempotence]`).
fn relaxed(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '-' | '_' | '[' | ']'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every scalar of a YAML document under its dotted path; a list of scalars is one value,
/// its items joined with `,` (`bootstrap-servers: [a:9092, b:9092]`).
fn flatten(node: &Node, prefix: &str, out: &mut Vec<(String, String, ByteSpan)>) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                let Some(key) = k.scalar_text() else { continue };
                let key = key.trim_matches(['[', ']']);
                let path = if prefix.is_empty() {
                    key.to_owned()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(v, &path, out);
            }
        }
        Value::Seq(items) => {
            let words: Vec<String> = items.iter().filter_map(Node::scalar_text).collect();
            if !words.is_empty() && words.len() == items.len() {
                out.push((prefix.to_owned(), words.join(","), node.span));
            }
        }
        Value::Null => {}
        _ => {
            if let Some(text) = node.scalar_text() {
                out.push((prefix.to_owned(), text, node.span));
            }
        }
    }
}

/// A key's segments: `spring.kafka.producer.properties[enable.idempotence]` gives `spring`,
/// `kafka`, `producer`, `properties`, `enable`, `idempotence`.
fn segments(key: &str) -> Vec<&str> {
    key.split(['.', '[', ']'])
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether `key` starts with the segments of `head`, compared with relaxed binding; the
/// segments after them if it does. A `*` segment of `head` is any one segment (a binding's or
/// a channel's name: `spring.cloud.stream.rabbit.bindings.*.consumer`).
fn strip<'k>(key: &[&'k str], head: &str) -> Option<Vec<&'k str>> {
    let head = segments(head);
    (key.len() >= head.len()
        && key
            .iter()
            .zip(&head)
            .all(|(a, b)| *b == "*" || relaxed(a) == relaxed(b)))
    .then(|| key[head.len()..].to_vec())
}

/// The setting key a Spring key maps to under `rule`, if any. `env`: the key came from an
/// environment variable (`SPRING_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT`), whose `_` stands for
/// both `.` and `-`, so a property's words may arrive as several segments.
fn map_key(rule: &SpringRule, key: &str, env: bool) -> Option<String> {
    let all = segments(key);
    for prefix in &rule.prefixes {
        let Some(rest) = strip(&all, prefix) else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        for (from, to) in &rule.keys {
            match from.strip_suffix(".*") {
                Some(head) => {
                    // everything under it, passed through as written (Kafka's own keys)
                    if let Some(tail) = strip(&rest, head).filter(|t| !t.is_empty()) {
                        let tail = tail.join(".");
                        return Some(match to.strip_suffix('*') {
                            Some(target) => format!("{target}{tail}"),
                            None => to.clone(),
                        });
                    }
                }
                None => {
                    let whole = || {
                        let joined: String = rest.iter().map(|r| relaxed(r)).collect();
                        joined == relaxed(&from.replace('.', ""))
                    };
                    if strip(&rest, from).is_some_and(|t| t.is_empty()) || (env && whole()) {
                        return Some(to.clone());
                    }
                }
            }
        }
    }
    None
}

/// The (key, value, span) entries of a Spring file, every document of it.
fn entries(inp: &Input<'_>) -> Option<Vec<(String, String, ByteSpan)>> {
    let name = inp.file.name.to_ascii_lowercase();
    let mut out = Vec::new();
    if name.ends_with(".properties") {
        for (k, v, span) in super::conf::lines(&inp.file.text, "properties") {
            out.push((k, v, span));
        }
    } else {
        // profiles (`spring.config.activate.on-profile`) are documents of one stream: each
        // document's settings are read, where they are written
        for doc in yaml::parse_multi(&inp.file.text).ok()? {
            flatten(&doc, "", &mut out);
        }
    }
    // Quarkus profiles: `%prod.key` is the key in production; `%dev.key`, `%test.key` and any
    // other profile's are not what production runs (quarkus.io, "Configuration reference",
    // profiles)
    out.retain_mut(|(k, _, _)| match k.strip_prefix('%') {
        None => true,
        Some(rest) => match rest.strip_prefix("prod.") {
            Some(key) => {
                *k = key.to_owned();
                true
            }
            None => false,
        },
    });
    Some(out)
}

/// A container's `SPRING_*` environment (compose, Kubernetes): one client per bus whose keys
/// it sets, at the variables' values.
pub fn env_clients(
    kb: &Kb,
    inp: &Input<'_>,
    env: &[(String, String, ByteSpan)],
    facts: &mut Facts,
) {
    let spring: Vec<(String, String, ByteSpan)> = env
        .iter()
        .filter(|(k, _, _)| k.starts_with("SPRING_"))
        .map(|(k, v, s)| (k.to_ascii_lowercase().replace('_', "."), v.clone(), *s))
        .collect();
    push_clients(kb, inp, &spring, true, facts);
}

/// One client per bus whose Spring keys `entries` write, with those settings. `env`: the
/// keys come from environment variables.
fn push_clients(
    kb: &Kb,
    inp: &Input<'_>,
    entries: &[(String, String, ByteSpan)],
    env: bool,
    facts: &mut Facts,
) {
    for p in &kb.profiles {
        let Some(rule) = &p.recognition.spring else {
            continue;
        };
        let mut first_key: Option<&str> = None;
        let settings: Vec<Setting> = entries
            .iter()
            .filter_map(|(key, value, span)| {
                let target = map_key(rule, key, env)?;
                first_key.get_or_insert(key.as_str());
                Some(Setting {
                    value: word_value(rule, &target, value),
                    key: target,
                    span: inp.at(*span),
                    origin: Origin::Written,
                })
            })
            .collect();
        if let Some(first) = settings.first() {
            let prefix = rule.prefixes.first().map_or("", String::as_str);
            // the framework the keys belong to, named as its users know it
            let key = first_key.unwrap_or("").to_ascii_lowercase();
            let framework = if key.starts_with("mp.messaging") {
                "MicroProfile Reactive Messaging (mp.messaging)".to_owned()
            } else if key.starts_with("spring.cloud.stream") {
                "Spring Cloud Stream (spring.cloud.stream)".to_owned()
            } else {
                format!("Spring Boot ({prefix})")
            };
            facts.clients.push(Client {
                bus: p.bus.clone(),
                span: first.span,
                library: if env {
                    format!("{framework}, from the environment")
                } else {
                    framework
                },
                source: "spring".to_owned(),
                settings,
            });
        }
    }
}

/// A value as the bus reads it: Spring's words (`READ_COMMITTED`, `read-committed`) as one.
fn word_value(rule: &SpringRule, target: &str, value: &str) -> String {
    if rule.words.iter().any(|w| w == target) {
        value.to_ascii_lowercase().replace('-', "_")
    } else {
        value.to_owned()
    }
}

/// Reads a Spring Boot file: one client per bus whose keys it writes.
pub fn extract(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = &inp.file.text;
    let is_yaml = !inp.file.name.to_ascii_lowercase().ends_with(".properties");
    // a file that names none of the buses' Spring prefixes (`kafka`, `rabbitmq`, `redis`) is
    // rejected before it is parsed: most application.yml files configure only a datasource
    let names_a_bus = kb
        .profiles
        .iter()
        .filter_map(|p| p.recognition.spring.as_ref())
        .flat_map(|r| &r.prefixes)
        .filter_map(|p| p.rsplit('.').find(|w| *w != "*"))
        .any(|word| text.contains(word));
    // Spring Boot's keys, or MicroProfile Reactive Messaging's (Quarkus: `mp.messaging.…`, or
    // nested under `mp:` and `messaging:` in YAML)
    let framework = text.contains("spring")
        || text.contains("mp.messaging")
        || (is_yaml && text.contains("mp:") && text.contains("messaging:"));
    if !framework || !names_a_bus {
        // an application.yaml that is a Kubernetes manifest, a compose file or an AsyncAPI
        // document; any other is not parsed
        let deployed = ["apiVersion:", "services:", "x-busfit", "asyncapi:"]
            .iter()
            .any(|w| text.contains(w));
        if is_yaml && deployed {
            super::yaml_file(kb, inp, false, facts);
        }
        return;
    }
    let Some(entries) = entries(inp) else {
        // a Spring file that does not parse names no client; a template is counted as skipped
        if super::is_template(text) {
            facts.skipped.push(inp.id);
        }
        return;
    };
    push_clients(kb, inp, &entries, false, facts);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kafka() -> SpringRule {
        SpringRule {
            prefixes: vec![
                "spring.kafka".into(),
                "spring.cloud.stream.kafka.binder".into(),
            ],
            keys: vec![
                (
                    "consumer.enable-auto-commit".into(),
                    "enable.auto.commit".into(),
                ),
                ("producer.properties.*".into(), "*".into()),
                ("ssl.*".into(), "ssl.*".into()),
                ("configuration.*".into(), "*".into()),
            ],
            words: vec![],
        }
    }

    #[test]
    fn relaxed_binding_maps_every_spelling() {
        let r = kafka();
        // (key as read, from the environment, what it maps to); the environment's keys are
        // SPRING_KAFKA_… with `_` read as `.`, as Spring reads them
        let cases: &[(&str, bool, Option<&str>)] = &[
            (
                "spring.kafka.consumer.enable-auto-commit",
                false,
                Some("enable.auto.commit"),
            ),
            (
                "spring.kafka.consumer.enableAutoCommit",
                false,
                Some("enable.auto.commit"),
            ),
            (
                "spring.kafka.consumer.enable_auto_commit",
                false,
                Some("enable.auto.commit"),
            ),
            (
                "spring.kafka.consumer.enableautocommit",
                true,
                Some("enable.auto.commit"),
            ),
            (
                "spring.kafka.consumer.enable.auto.commit",
                true,
                Some("enable.auto.commit"),
            ),
            (
                "spring.kafka.producer.properties.enable.idempotence",
                false,
                Some("enable.idempotence"),
            ),
            (
                "spring.kafka.producer.properties.enable.idempotence",
                true,
                Some("enable.idempotence"),
            ),
            (
                "spring.kafka.ssl.trust-store-location",
                false,
                Some("ssl.trust-store-location"),
            ),
            (
                "spring.cloud.stream.kafka.binder.configuration.acks",
                false,
                Some("acks"),
            ),
            ("spring.kafka.template.default-topic", false, None),
            ("spring.kafkaesque.acks", false, None),
        ];
        for (key, env, want) in cases {
            assert_eq!(map_key(&r, key, *env).as_deref(), *want, "{key}");
        }
    }

    #[test]
    fn spring_file_names() {
        assert!(is_spring_file("application.yml"));
        assert!(is_spring_file("application-prod.yaml"));
        assert!(is_spring_file("bootstrap.properties"));
        assert!(!is_spring_file("app.yml"));
        assert!(!is_spring_file("application.json"));
    }
}
