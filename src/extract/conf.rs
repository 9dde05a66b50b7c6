//! Broker config files: Kafka `.properties` (`key=value`), redis.conf and
//! mosquitto.conf (`key value`). One deployment per file.

use super::{Client, Deployment, Facts, Input, Origin, Setting};
use crate::kb::FileRule;
use crate::source::{ByteSpan, Span};

/// (key, value, span of the whole `key value` text) for every setting line.
pub fn lines(src: &str, format: &str) -> Vec<(String, String, ByteSpan)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in src.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let split = if format == "properties" {
            trimmed
                .find(['=', ':'])
                .or_else(|| trimmed.find(char::is_whitespace))
        } else {
            trimmed.find(char::is_whitespace)
        };
        let (key, value) = match split {
            // the separator may be any whitespace, U+00A0 included: skip it whole
            Some(i) => {
                let sep = trimmed[i..].chars().next().map_or(1, char::len_utf8);
                (trimmed[..i].trim(), trimmed[i + sep..].trim())
            }
            None => (trimmed, ""),
        };
        // nats-server.conf writes `key: value` or `key = value`
        let key = key.trim_end_matches(':');
        let value = value.trim_start_matches(['=', ':']).trim();
        let start = line_start + indent;
        out.push((
            key.to_owned(),
            value.trim_matches('"').to_owned(),
            ByteSpan::new(start, start + trimmed.trim_end().len()),
        ));
    }
    out
}

/// Whether a file's settings are what `rule` recognises: one of its markers, none of its
/// `not_markers`.
#[must_use]
pub fn recognises(rule: &FileRule, settings: &[Setting]) -> bool {
    (rule.markers.is_empty() || settings.iter().any(|s| rule.markers.contains(&s.key)))
        && !settings.iter().any(|s| rule.not_markers.contains(&s.key))
}

/// A config file: the first rule (of those whose glob matched its name) that recognises its
/// content decides the bus; a file no rule recognises is not a deployment.
pub fn extract(rules: &[std::sync::Arc<(String, FileRule)>], inp: &Input<'_>, facts: &mut Facts) {
    let mut parsed: Vec<(&str, Vec<Setting>)> = Vec::new();
    for entry in rules {
        let (bus, rule) = &**entry;
        let settings = match parsed.iter().find(|(f, _)| *f == rule.format) {
            Some((_, s)) => s.clone(),
            None => {
                let s = file_settings(inp, &rule.format);
                parsed.push((rule.format.as_str(), s.clone()));
                s
            }
        };
        if recognises(rule, &settings) {
            if let Some(source) = &rule.client {
                // a client's configuration (producer.properties): a client with settings
                let name = inp.file.name.rsplit('/').next().unwrap_or(&inp.file.name);
                facts.clients.push(Client {
                    bus: bus.clone(),
                    span: settings.first().map_or(Span::start_of(inp.id), |s| s.span),
                    library: format!("{name} (client configuration)"),
                    source: source.clone(),
                    settings,
                });
            } else if let Some(d) = deployment(bus, rule, inp, settings) {
                facts.deployments.push(d);
            }
            return;
        }
    }
}

fn file_settings(inp: &Input<'_>, format: &str) -> Vec<Setting> {
    lines(&inp.file.text, format)
        .into_iter()
        .map(|(key, value, span)| Setting {
            key,
            value,
            span: inp.at(span),
            origin: Origin::Written,
        })
        .collect()
}

/// The deployment a recognised config file describes.
#[must_use]
pub fn deployment(
    bus: &str,
    rule: &FileRule,
    inp: &Input<'_>,
    mut settings: Vec<Setting>,
) -> Option<Deployment> {
    let f = inp.file;
    let name = f.name.rsplit('/').next().unwrap_or(&f.name).to_owned();
    // the deployment is the whole file: its start, not its first setting (a finding about a
    // default would otherwise underline `maxmemory 0` while speaking of appendonly)
    let span = Span::start_of(inp.id);
    let bus = match &rule.upgrade {
        Some((keys, to))
            if settings
                .iter()
                .any(|s| keys.contains(&s.key) && s.value != "false" && s.value != "disabled") =>
        {
            to.as_str()
        }
        _ => bus,
    };
    let what = match &rule.role {
        Some(role) => {
            for s in &mut settings {
                s.key = format!("{role}.{}", s.key);
            }
            format!("{role} config file")
        }
        None => "config file".to_owned(),
    };
    Some(Deployment {
        bus: bus.to_owned(),
        span,
        source: if rule.format == "properties" {
            "properties"
        } else {
            "conf"
        },
        name: name.clone(),
        evidence: format!("{what} {name}"),
        settings,
        complete: rule.complete && rule.role.is_none(),
        config: None,
        cluster: None,
        parts: Vec::new(),
    })
}
