//! Broker config files: Kafka `.properties` (`key=value`), redis.conf and
//! mosquitto.conf (`key value`). One deployment per file.

use super::{Deployment, Facts, Input, Setting};
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

pub fn extract(bus: &str, rule: &FileRule, inp: &Input<'_>, facts: &mut Facts) {
    let f = inp.file;
    let name = f.name.rsplit('/').next().unwrap_or(&f.name).to_owned();
    let settings: Vec<Setting> = lines(&f.text, &rule.format)
        .into_iter()
        .map(|(key, value, span)| Setting {
            key,
            value,
            span: inp.at(span),
        })
        .collect();
    if !rule.markers.is_empty() && !settings.iter().any(|s| rule.markers.contains(&s.key)) {
        return;
    }
    let span = settings.first().map_or(Span::start_of(inp.id), |s| s.span);
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
    facts.deployments.push(Deployment {
        bus: bus.to_owned(),
        span,
        source: if rule.format == "properties" {
            "properties"
        } else {
            "conf"
        },
        name: name.clone(),
        evidence: format!("config file {name}"),
        settings,
    });
}
