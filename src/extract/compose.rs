//! docker-compose files: broker images, their settings from `environment:` and
//! `command:`, which services reach which (depends_on, links, URLs), and `x-busfit`.

use super::{
    Client, Cluster, ComposeFile, ConfigRef, Deployment, Facts, InlineFlow, Input, Link, Origin,
    Setting, bus_for_env, bus_for_image, bus_for_image_word, corroborated, env_key,
};
use crate::kb::Kb;
use crate::source::Span;
use crate::source::span::ByteSpan;
use crate::tree::yaml::{Node, Value};

/// Offset of a scalar's text inside its span (after an opening quote).
fn text_start(src: &str, n: &Node) -> usize {
    match src.get(n.span.start..).and_then(|s| s.chars().next()) {
        Some('"' | '\'') => n.span.start + 1,
        _ => n.span.start,
    }
}

pub fn is_compose(root: &Node) -> bool {
    root.get("services").is_some_and(|s| {
        s.is_map()
            && s.entries()
                .iter()
                .any(|(_, svc)| svc.get("image").is_some() || svc.get("build").is_some())
    })
}

pub fn extract(kb: &Kb, inp: &Input<'_>, root: &Node, facts: &mut Facts) {
    let Some(services) = root.get("services") else {
        return;
    };
    let names: Vec<String> = services
        .entries()
        .iter()
        .filter_map(|(k, _)| k.scalar_text())
        .collect();
    facts
        .compose
        .push(overlay_facts(inp, root, services, &names));
    for (k, svc) in services.entries() {
        let name = k.scalar_text().unwrap_or_default();
        // the image names the bus, or (an image of one's own build) the broker environment does
        let image = svc
            .get("image")
            .and_then(|i| i.as_str().map(|s| (s.to_owned(), i.span)));
        let env_names: Vec<String> = env_pairs(svc).into_iter().map(|(k, _, _)| k).collect();
        let ports: Vec<String> = ["ports", "expose"]
            .iter()
            .filter_map(|k| svc.get(k))
            .flat_map(Node::items)
            .filter_map(|p| p.scalar_text().or_else(|| p.get("target")?.scalar_text()))
            .collect();
        let program: Vec<String> = ["entrypoint", "command"]
            .iter()
            .filter_map(|k| svc.get(k))
            .flat_map(|c| tokens("", c))
            .map(|(t, _)| t)
            .collect();
        let found = match &image {
            Some((text, span)) => bus_for_image(kb, text)
                .or_else(|| {
                    bus_for_image_word(kb, text)
                        .filter(|b| corroborated(kb, b, &ports, &program, &env_names))
                })
                .or_else(|| bus_for_env(kb, &env_names))
                .map(|b| (b, (text.clone(), *span))),
            None => bus_for_env(kb, &env_names).map(|b| (b, (String::new(), k.span))),
        };
        let is_bus = found.is_some();
        if let Some((bus, img)) = found {
            // a Sentinel run from the server's image watches the servers: not a broker
            if runs_one_of(kb, bus, svc, |r| &r.tools) {
                continue;
            }
            if one_shot(kb, bus, &name, svc) {
                // it creates topics or a cluster and exits: a client of the bus
                facts.clients.push(Client {
                    bus: bus.to_owned(),
                    span: inp.at(img.1),
                    library: format!("{} (one-shot service {name})", img.0),
                    source: "compose".to_owned(),
                    settings: Vec::new(),
                });
                continue;
            }
            let mut d = Deployment {
                bus: bus.to_owned(),
                span: inp.at(img.1),
                source: "compose",
                name: name.clone(),
                evidence: if img.0.is_empty() {
                    "built here, with a broker's environment".to_owned()
                } else {
                    format!("image {}", img.0)
                },
                settings: Vec::new(),
                complete: true,
                config: None,
                cluster: Some(Cluster {
                    key: format!("compose:{}:{bus}", inp.file.name),
                    part: false,
                }),
                parts: Vec::new(),
            };
            settings(kb, inp, svc, &mut d);
            published(kb, inp, svc, &mut d);
            follow_config(kb, inp, svc, &mut d);
            d.cluster = Some(Cluster {
                key: cluster_key(kb, inp, &d),
                part: false,
            });
            if let Some(r) = svc
                .get("deploy")
                .and_then(|dp| dp.get("replicas"))
                .or_else(|| svc.get("scale"))
                && let Some(value) = r.scalar_text()
                && let Some(nodes) = kb
                    .profile(&d.bus)
                    .and_then(|p| p.recognition.nodes.as_ref())
            {
                d.settings.push(Setting {
                    key: nodes.per_member.clone(),
                    value,
                    span: inp.at(r.span),
                    origin: Origin::Written,
                });
            }
            facts.deployments.push(d);
        }
        if !is_bus {
            // an application container configured through Spring Boot's environment
            super::spring::env_clients(kb, inp, &env_pairs(svc), facts);
        }
        if let Some(x) = svc.get("x-busfit") {
            match crate::config::manifest::parse_inline(inp.file, inp.id, x, kb) {
                Ok((flow_name, bus, requires)) => facts.inline.push(InlineFlow {
                    name: flow_name.unwrap_or_else(|| name.clone()),
                    name_span: inp.at(k.span),
                    bus,
                    requires,
                    reaches: reaches(svc, &names, &name),
                }),
                Err(e) => facts.errors.extend(e),
            }
        }
    }
}

/// What a compose file defines and names, to join an overlay to its base (contract §7).
fn overlay_facts(inp: &Input<'_>, root: &Node, services: &Node, names: &[String]) -> ComposeFile {
    let mut named: Vec<String> = Vec::new();
    let mut includes: Vec<String> = Vec::new();
    for (_, svc) in services.entries() {
        if let Some(d) = svc.get("depends_on") {
            match &d.value {
                Value::Seq(items) => named.extend(items.iter().filter_map(Node::scalar_text)),
                Value::Map(m) => named.extend(m.iter().filter_map(|(k, _)| k.scalar_text())),
                _ => {}
            }
        }
        for l in svc.get("links").map(Node::items).unwrap_or_default() {
            if let Some(t) = l.scalar_text() {
                named.push(t.split(':').next().unwrap_or("").to_owned());
            }
        }
        if let Some(m) = svc.get("network_mode").and_then(Node::scalar_text)
            && let Some(s) = m.strip_prefix("service:")
        {
            named.push(s.to_owned());
        }
        if let Some(e) = svc.get("extends") {
            match e.scalar_text() {
                Some(s) => named.push(s),
                None => {
                    if let Some(f) = e.get("file").and_then(Node::scalar_text) {
                        includes.push(f);
                    } else if let Some(s) = e.get("service").and_then(Node::scalar_text) {
                        named.push(s);
                    }
                }
            }
        }
    }
    for i in root.get("include").map(Node::items).unwrap_or_default() {
        match i.scalar_text() {
            Some(p) => includes.push(p),
            None => includes.extend(
                i.get("path")
                    .map(|p| match p.scalar_text() {
                        Some(one) => vec![one],
                        None => p.items().iter().filter_map(|x| x.scalar_text()).collect(),
                    })
                    .unwrap_or_default(),
            ),
        }
    }
    named.retain(|n| !names.contains(n));
    named.sort();
    named.dedup();
    let mut links = Vec::new();
    for (k, svc) in services.entries() {
        let from = k.scalar_text().unwrap_or_default();
        for (var, value, span) in env_pairs(svc) {
            for to in names {
                if *to != from && names_host(&value, to) {
                    links.push(Link {
                        from: from.clone(),
                        var: var.clone(),
                        to: to.clone(),
                        span: inp.at(span),
                    });
                }
            }
        }
    }
    let env_files: Vec<(String, Vec<String>)> = services
        .entries()
        .iter()
        .filter_map(|(k, svc)| {
            let e = svc.get("env_file")?;
            let paths: Vec<String> = match e.scalar_text() {
                Some(one) => vec![one],
                None => e
                    .items()
                    .iter()
                    .filter_map(|i| i.scalar_text().or_else(|| i.get("path")?.scalar_text()))
                    .collect(),
            };
            let shown: Vec<String> = paths
                .iter()
                .filter_map(|p| beside(&inp.file.name, p))
                .collect();
            Some((k.scalar_text()?, shown))
        })
        .collect();
    ComposeFile {
        links,
        env_files,
        file: inp.id,
        services: names.to_vec(),
        names: named,
        includes: includes
            .iter()
            .filter_map(|i| beside(&inp.file.name, i))
            .collect(),
    }
}

/// The broker ports a service publishes beyond the host (contract §7, exposure): every
/// `ports:` entry whose container port is one of the bus's (profile `ports`) and whose host
/// address is not a loopback one, and host networking; each is a setting `published` whose
/// value is the container port, at the entry.
fn published(kb: &Kb, inp: &Input<'_>, svc: &Node, d: &mut Deployment) {
    let Some(profile) = kb.profile(&d.bus) else {
        return;
    };
    let ports = &profile.recognition.ports;
    if let Some(n) = svc.get("network_mode")
        && n.scalar_text().as_deref() == Some("host")
    {
        for p in ports.iter().take(1) {
            d.settings.push(Setting {
                key: PUBLISHED.to_owned(),
                value: p.clone(),
                span: inp.at(n.span),
                origin: Origin::Written,
            });
        }
    }
    for entry in svc.get("ports").map(Node::items).unwrap_or_default() {
        let (host_ip, target) = match entry.scalar_text() {
            Some(short) => match short_port(&short) {
                Some(p) => p,
                None => continue,
            },
            None => (
                entry
                    .get("host_ip")
                    .and_then(Node::scalar_text)
                    .unwrap_or_default(),
                entry
                    .get("target")
                    .and_then(Node::scalar_text)
                    .unwrap_or_default(),
            ),
        };
        let loopback = host_ip.starts_with("127.") || host_ip == "::1" || host_ip == "localhost";
        let target = target.split('/').next().unwrap_or("").to_owned();
        if loopback || !ports.contains(&target) {
            continue;
        }
        d.settings.push(Setting {
            key: PUBLISHED.to_owned(),
            value: target,
            span: inp.at(entry.span),
            origin: Origin::Written,
        });
    }
}

/// The setting under which a published broker port is given to rules.
pub const PUBLISHED: &str = "published";

/// A short `ports:` entry as (host address, container port): `6379`, `6379:6379`,
/// `0.0.0.0:6379:6379`, `127.0.0.1:6379:6379/tcp`, `[::1]:6379:6379`,
/// `${BIND:-127.0.0.1}:6379:6379` (a variable's default is its value). None for a range, a
/// variable in the container port, or a host address that is a variable without a default
/// (unknown: no finding is built on it).
fn short_port(s: &str) -> Option<(String, String)> {
    let s = s.trim();
    // split at the colons outside `${…}` and `[…]`
    let mut parts: Vec<&str> = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b':' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    let target = *parts.last()?;
    // HOST:HOST_PORT:TARGET, the host possibly a variable or bracketed IPv6
    let host_ip = match parts.len() {
        3 => parts[0].trim_matches(['[', ']']).to_owned(),
        1 | 2 => String::new(),
        _ => return None,
    };
    let host_ip = if let Some(var) = host_ip.strip_prefix("${") {
        let var = var.strip_suffix('}')?;
        let (_, default) = var.split_once(":-").or_else(|| var.split_once('-'))?;
        default.to_owned()
    } else {
        host_ip
    };
    let t = target.split('/').next().unwrap_or("");
    (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit())).then(|| (host_ip, target.to_owned()))
}

/// Whether a variable's value names `host`: a URL to it (`redis://:pw@cache:6379/1`), a
/// `host:port`, or the host alone.
pub(crate) fn names_host(value: &str, host: &str) -> bool {
    value.trim() == host || url_hosts(value).any(|h| h == host)
}

/// The host of each URL or `host:port` item of a value (`redis://:pw@cache:6379/0,
/// kafka:9092` gives `cache` and `kafka`).
pub(crate) fn url_hosts(value: &str) -> impl Iterator<Item = &str> {
    value.split([',', ' ', ';']).filter_map(|item| {
        let after = item.split_once("://").map_or(item, |(_, rest)| rest);
        let after = after.rsplit_once('@').map_or(after, |(_, h)| h);
        let h = after.split(['/', '?']).next().unwrap_or("");
        let h = h.split(':').next().unwrap_or("").trim();
        (!h.is_empty()).then_some(h)
    })
}

/// Services that `svc` reaches: depends_on, links, and service names in URLs of its environment.
fn reaches(svc: &Node, names: &[String], own: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = svc.get("depends_on") {
        match &d.value {
            Value::Seq(items) => out.extend(items.iter().filter_map(Node::scalar_text)),
            Value::Map(m) => out.extend(m.iter().filter_map(|(k, _)| k.scalar_text())),
            _ => {}
        }
    }
    for l in svc.get("links").map(Node::items).unwrap_or_default() {
        if let Some(t) = l.scalar_text() {
            out.push(t.split(':').next().unwrap_or("").to_owned());
        }
    }
    for (_, v, _) in env_pairs(svc) {
        for n in names {
            if n != own
                && (v.contains(&format!("//{n}:"))
                    || v.contains(&format!("//{n}/"))
                    || v.ends_with(&format!("//{n}"))
                    || v.starts_with(&format!("{n}:")))
            {
                out.push(n.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `environment:` as (name, value, value span) in both the mapping and the list form.
fn env_pairs(svc: &Node) -> Vec<(String, String, ByteSpan)> {
    let Some(env) = svc.get("environment") else {
        return Vec::new();
    };
    match &env.value {
        Value::Map(m) => m
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.scalar_text()?,
                    v.scalar_text().unwrap_or_default(),
                    if v.span.is_empty() { k.span } else { v.span },
                ))
            })
            .collect(),
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| {
                let t = i.scalar_text()?;
                let (k, v) = t.split_once('=').unwrap_or((&t, ""));
                Some((k.to_owned(), v.to_owned(), i.span))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn settings(kb: &Kb, inp: &Input<'_>, svc: &Node, d: &mut Deployment) {
    let src: &str = &inp.file.text;
    let Some(profile) = kb.profile(&d.bus) else {
        return;
    };
    let rec = &profile.recognition;
    let pairs: Vec<(String, String, Span)> = env_pairs(svc)
        .into_iter()
        .map(|(k, v, span)| (k, v, inp.at(span)))
        .collect();
    let from_env = env_settings(profile, &d.evidence, &pairs);
    d.settings.extend(from_env);
    let Some(cmd_rule) = &rec.command else { return };
    let Some(cmd) = svc.get("command") else {
        return;
    };
    let tokens = tokens(src, cmd);
    for (t, _) in &tokens {
        if let Some((flags, bus)) = &cmd_rule.upgrade
            && flags.contains(t)
        {
            d.bus = bus.clone();
            d.evidence.push_str(&format!(" with {t}"));
        }
    }
    d.settings.extend(flag_settings(inp, &tokens));
}

/// A program's `--key value`, `--key=value` and bare `--key` (yes) flags as written settings,
/// each at the flag through its value; used for compose `command:` and Kubernetes
/// `command`/`args` alike.
pub(crate) fn flag_settings(inp: &Input<'_>, tokens: &[(String, ByteSpan)]) -> Vec<Setting> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (t, span) = &tokens[i];
        if let Some(key) = t.strip_prefix("--").filter(|k| !k.is_empty()) {
            let (key, value, vspan) = match key.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned(), *span),
                None => match tokens.get(i + 1) {
                    Some((v, vs)) if !v.starts_with("--") => {
                        i += 1;
                        (key.to_owned(), v.clone(), ByteSpan::new(span.start, vs.end))
                    }
                    _ => (key.to_owned(), "yes".to_owned(), *span),
                },
            };
            out.push(Setting {
                key,
                value,
                span: inp.at(vspan),
                origin: Origin::Written,
            });
        }
        i += 1;
    }
    out
}

/// A container's environment as the bus's settings: variables with the bus's prefixes
/// (`KAFKA_CFG_*`, `REDIS_*`), and the variables the image's own entrypoint reads (Bitnami's
/// `REDIS_PASSWORD`, `ALLOW_EMPTY_PASSWORD`; the official RabbitMQ image's
/// `RABBITMQ_DEFAULT_USER`). Used for `environment:` and for `env_file:` files alike.
#[must_use]
pub fn env_settings(
    profile: &crate::kb::profile::Profile,
    evidence: &str,
    pairs: &[(String, String, Span)],
) -> Vec<Setting> {
    let mut out = Vec::new();
    for (k, v, span) in pairs {
        if let Some(rule) = profile
            .recognition
            .env
            .iter()
            .find(|r| k.starts_with(&r.prefix))
        {
            out.push(Setting {
                key: env_key(&rule.style, &k[rule.prefix.len()..]),
                value: v.clone(),
                span: *span,
                origin: Origin::Written,
            });
        }
    }
    if let Some(family) = super::image_family(profile, evidence) {
        for (k, v, span) in pairs {
            if let Some((_, key)) = family.env.iter().find(|(var, _)| var == k) {
                out.push(Setting {
                    key: key.clone(),
                    value: v.clone(),
                    span: *span,
                    origin: Origin::Written,
                });
            }
        }
    }
    out
}

/// `KEY=VALUE` lines of an env file (`env_file:`, `.env`), each with the span of its value:
/// comments and blank lines skipped, `export ` dropped, one pair of quotes taken off.
#[must_use]
pub fn env_file_lines(text: &str) -> Vec<(String, String, ByteSpan)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let lead = body.len() - trimmed.len();
        let (trimmed, lead) = match trimmed.strip_prefix("export ") {
            Some(rest) => (rest.trim_start(), body.len() - rest.trim_start().len()),
            None => (trimmed, lead),
        };
        let Some((k, v)) = trimmed.split_once('=') else {
            continue;
        };
        let key = k.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            continue;
        }
        let vstart = start + lead + k.len() + 1 + (v.len() - v.trim_start().len());
        let raw = v.trim();
        let (value, vs) = match raw.chars().next() {
            Some(q @ ('"' | '\'')) if raw.len() >= 2 && raw.ends_with(q) => {
                (raw[1..raw.len() - 1].to_owned(), vstart + 1)
            }
            // an unquoted value ends at a comment
            _ => {
                let cut = raw.find(" #").unwrap_or(raw.len());
                (raw[..cut].trim_end().to_owned(), vstart)
            }
        };
        out.push((
            key.to_owned(),
            value.clone(),
            ByteSpan::new(vs, vs + value.len()),
        ));
    }
    out
}

/// A value with compose's interpolation done from `vars` (the `.env` beside the compose file):
/// `${VAR}`, `$VAR`, `${VAR:-default}` (default when unset or empty), `${VAR-default}` (when
/// unset), `${VAR:?error}` and `${VAR?error}`; `$$` is a dollar. None when a variable stays
/// unknown: no guess is made of what the shell will hold.
#[must_use]
pub fn interpolate(
    value: &str,
    vars: &std::collections::HashMap<String, String>,
) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(r) = after.strip_prefix('{') {
            let end = r.find('}')?;
            let inner = &r[..end];
            let name_end = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let (name, op) = inner.split_at(name_end);
            let set = vars.get(name);
            let v = if let Some(d) = op.strip_prefix(":-") {
                match set {
                    Some(v) if !v.is_empty() => v.clone(),
                    _ => d.to_owned(),
                }
            } else if let Some(d) = op.strip_prefix('-') {
                set.cloned().unwrap_or_else(|| d.to_owned())
            } else if op.is_empty() || op.starts_with(":?") || op.starts_with('?') {
                set.cloned()?
            } else {
                return None;
            };
            out.push_str(&v);
            rest = &r[end + 1..];
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if end == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(vars.get(&after[..end])?);
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// A command line as tokens with their byte spans (a string split on whitespace, or a list).
fn tokens(src: &str, cmd: &Node) -> Vec<(String, ByteSpan)> {
    match &cmd.value {
        Value::Str(s) => {
            let base = text_start(src, cmd);
            let mut out = Vec::new();
            let mut pos = 0;
            for tok in s.split_whitespace() {
                let at = s[pos..].find(tok).map_or(pos, |i| pos + i);
                out.push((
                    tok.trim_matches(['"', '\'']).to_owned(),
                    ByteSpan::new(base + at, base + at + tok.len()),
                ));
                pos = at + tok.len();
            }
            out
        }
        // `["sh", "-c", "kafka-topics --create …"]`: the script's words count too
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| Some((i.scalar_text()?, i.span)))
            .flat_map(|(t, span)| {
                t.split_whitespace()
                    .map(|w| (w.trim_matches(['"', '\'']).to_owned(), span))
                    .collect::<Vec<_>>()
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a service runs once and exits: a name of the `*-init`/`*-setup` kind, or a command
/// that is one of the profile's one-shot programs (`kafka-topics --create`, `redis-cli
/// --cluster create`).
fn one_shot(kb: &Kb, bus: &str, name: &str, svc: &Node) -> bool {
    let setup_words = |text: &str| {
        text.to_ascii_lowercase().split(['-', '_', '.']).any(|w| {
            matches!(
                w,
                "init" | "setup" | "provision" | "provisioner" | "create" | "seed"
            )
        })
    };
    // the service's name, or the program its entrypoint runs (`create-topics`)
    let entry = svc
        .get("entrypoint")
        .map(|c| tokens("", c))
        .and_then(|t| t.into_iter().next())
        .map(|(t, _)| t.rsplit('/').next().unwrap_or(&t).to_owned());
    if setup_words(name) || entry.as_deref().is_some_and(setup_words) {
        return true;
    }
    runs_one_of(kb, bus, svc, |r| &r.one_shot)
}

/// Whether the service's command or entrypoint runs one of a list of the profile's programs.
fn runs_one_of(
    kb: &Kb,
    bus: &str,
    svc: &Node,
    list: impl Fn(&crate::kb::profile::CommandRule) -> &Vec<String>,
) -> bool {
    let Some(rule) = kb.profile(bus).and_then(|p| p.recognition.command.as_ref()) else {
        return false;
    };
    let list = list(rule);
    if list.is_empty() {
        return false;
    }
    ["command", "entrypoint"]
        .iter()
        .filter_map(|k| svc.get(k))
        .flat_map(|c| tokens("", c))
        .any(|(t, _)| {
            let prog = t.rsplit('/').next().unwrap_or(&t);
            let prog = prog.strip_suffix(".sh").unwrap_or(prog);
            list.iter().any(|o| o == prog)
        })
}

/// Joins `rel` onto the directory of `file` (both `/`-separated), resolving `.` and `..`.
fn beside(file: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&"..") | None => parts.push(".."),
                Some(_) => {
                    parts.pop();
                }
            },
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The repository file mounted at `target` in the container, by the service's `volumes:`.
fn mounted(inp: &Input<'_>, svc: &Node, target: &str) -> Option<String> {
    for v in svc.get("volumes").map(Node::items).unwrap_or_default() {
        let (source, dest) = match v.as_str() {
            Some(short) => {
                let mut it = short.split(':');
                (it.next()?.to_owned(), it.next()?.to_owned())
            }
            None => (
                v.get("source")?.scalar_text()?,
                v.get("target")?.scalar_text()?,
            ),
        };
        // a named volume holds no file of the repository
        if !(source.starts_with('.') || source.starts_with('/')) {
            continue;
        }
        let dest = dest.trim_end_matches('/');
        let local = if target == dest {
            source.clone()
        } else if let Some(rest) = target.strip_prefix(&format!("{dest}/")) {
            format!("{}/{rest}", source.trim_end_matches('/'))
        } else {
            continue;
        };
        if local.starts_with('/') {
            return None; // a host path outside the repository
        }
        return beside(&inp.file.name, &local);
    }
    None
}

/// Whether a service mounts a config file (by its extension) whose source is not a file of
/// the repository busfit can follow: a variable, a host path, a home directory.
fn mounts_config_from_elsewhere(inp: &Input<'_>, svc: &Node) -> bool {
    const CONFIG: [&str; 8] = [
        ".conf",
        ".config",
        ".properties",
        ".hocon",
        ".yaml",
        ".yml",
        ".json",
        ".cfg",
    ];
    svc.get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| match v.as_str() {
            Some(short) => {
                let mut it = short.split(':');
                Some((it.next()?.to_owned(), it.next()?.to_owned()))
            }
            None => Some((
                v.get("source")?.scalar_text()?,
                v.get("target")?.scalar_text()?,
            )),
        })
        .any(|(source, dest)| {
            CONFIG.iter().any(|e| dest.ends_with(e))
                && (source.starts_with('$')
                    || source.starts_with('~')
                    || source.starts_with('/')
                    || mounted(inp, svc, &dest).is_none())
        })
}

/// The config file a service runs: `redis-server FILE`, `mosquitto -c FILE`, `--config FILE`.
/// A file the image ships (profile `builtin`) is read from the profile; a file mounted from
/// the repository is read by the project; any other config file makes the deployment's
/// configuration unknown, so the broker's defaults are not assumed.
fn follow_config(kb: &Kb, inp: &Input<'_>, svc: &Node, d: &mut Deployment) {
    let src: &str = &inp.file.text;
    let toks: Vec<(String, ByteSpan)> = ["entrypoint", "command"]
        .iter()
        .filter_map(|k| svc.get(k))
        .flat_map(|c| tokens(src, c))
        .collect();
    let Some(profile) = kb.profile(&d.bus) else {
        return;
    };
    let rule = profile.recognition.files.first();
    let format = rule.map_or_else(|| "conf".to_owned(), |r| r.format.clone());
    let upgrade = rule.and_then(|r| r.upgrade.clone());
    let is_config = |t: &str| {
        t.starts_with('/')
            && [".conf", ".properties", ".cfg", ".config"]
                .iter()
                .any(|e| t.ends_with(e))
    };
    let mut found: Option<(String, ByteSpan)> = None;
    for (i, (t, span)) in toks.iter().enumerate() {
        if matches!(t.as_str(), "-c" | "--config" | "--conf" | "-config")
            && let Some((next, nspan)) = toks.get(i + 1)
        {
            found = Some((next.clone(), *nspan));
            break;
        }
        if let Some(v) = t.strip_prefix("--config=") {
            found = Some((v.to_owned(), *span));
            break;
        }
        if is_config(t) {
            found = Some((t.clone(), *span));
            break;
        }
    }
    // no config on the command line: the file mounted where the image reads its config
    if found.is_none()
        && let Some(c) = &profile.recognition.command
        && let Some(p) = c
            .default_configs
            .iter()
            .find(|p| mounted(inp, svc, p).is_some())
    {
        found = Some((p.clone(), d.span.range));
    }
    let Some((path, span)) = found else {
        // a config file mounted from where busfit cannot read it (`${PWD}/emqx.conf`, a host
        // path): the container runs configuration that is not known, so no default is assumed
        if mounts_config_from_elsewhere(inp, svc) {
            d.complete = false;
        }
        return;
    };
    if let Some((_, text)) = profile
        .recognition
        .command
        .as_ref()
        .and_then(|c| c.builtin.iter().find(|(p, _)| *p == path))
    {
        // the image's own file: its settings stand at the command that runs it
        for (key, value, _) in super::conf::lines(text, &format) {
            d.settings.push(Setting {
                key,
                value,
                span: inp.at(span),
                origin: Origin::Written,
            });
        }
        d.evidence.push_str(&format!(" with {path}"));
        return;
    }
    match mounted(inp, svc, &path) {
        Some(shown) => {
            d.config = Some(ConfigRef {
                shown,
                format,
                upgrade,
            });
        }
        None => d.complete = false,
    }
}

/// Which cluster a service is a node of: for a bus whose profile says how nodes name their
/// cluster (`nodes.cluster_by`), the services of this file that agree on it (or all of this
/// file's services of the bus, when none names one); otherwise the service alone.
fn cluster_key(kb: &Kb, inp: &Input<'_>, d: &Deployment) -> String {
    let file = &inp.file.name;
    let Some(nodes) = kb
        .profile(&d.bus)
        .and_then(|p| p.recognition.nodes.as_ref())
    else {
        return format!("compose:{file}:{}:{}", d.bus, d.name);
    };
    let named = nodes.cluster_by.iter().find_map(|k| {
        d.settings
            .iter()
            .find(|s| &s.key == k)
            .map(|s| s.value.clone())
    });
    match named {
        Some(v) => format!("compose:{file}:{}:{v}", d.bus),
        None => format!("compose:{file}:{}", d.bus),
    }
}

#[cfg(test)]
mod port_tests {
    use super::short_port;

    #[test]
    fn ports_as_people_write_them() {
        let p = |s: &str| short_port(s).map(|(h, t)| format!("{h}|{t}"));
        assert_eq!(p("6379").as_deref(), Some("|6379"));
        assert_eq!(p("6379:6379").as_deref(), Some("|6379"));
        assert_eq!(p("0.0.0.0:6380:6379").as_deref(), Some("0.0.0.0|6379"));
        assert_eq!(
            p("127.0.0.1:6379:6379/tcp").as_deref(),
            Some("127.0.0.1|6379/tcp")
        );
        assert_eq!(p("[::1]:6379:6379").as_deref(), Some("::1|6379"));
        assert_eq!(
            p("${REDIS_BIND:-127.0.0.1}:6379:6379").as_deref(),
            Some("127.0.0.1|6379")
        );
        assert_eq!(p("${REDIS_BIND}:6379:6379"), None);
        assert_eq!(p("${REDIS_PORT:-6379}:6379").as_deref(), Some("|6379"));
        assert_eq!(p("7000-7005:7000-7005"), None);
    }
}

#[cfg(test)]
mod interpolation_tests {
    use super::{env_file_lines, interpolate};
    use std::collections::HashMap;

    #[test]
    fn as_compose_does() {
        let vars: HashMap<String, String> = [("A", "1"), ("E", "")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let i = |s: &str| interpolate(s, &vars);
        assert_eq!(i("x${A}y").as_deref(), Some("x1y"));
        assert_eq!(i("$A").as_deref(), Some("1"));
        assert_eq!(i("${B:-d}").as_deref(), Some("d"));
        assert_eq!(i("${E:-d}").as_deref(), Some("d"));
        assert_eq!(i("${E-d}").as_deref(), Some(""));
        assert_eq!(i("${B-d}").as_deref(), Some("d"));
        assert_eq!(i("${A:?need A}").as_deref(), Some("1"));
        assert_eq!(i("${B:?need B}"), None);
        assert_eq!(i("${B}"), None);
        assert_eq!(i("$$B").as_deref(), Some("$B"));
    }

    #[test]
    fn env_files_as_people_write_them() {
        let text = "# comment\nexport A=1\nB = \"two words\"\nC=x # note\n\nbad line\n";
        let got: Vec<(String, String)> = env_file_lines(text)
            .into_iter()
            .map(|(k, v, s)| {
                assert_eq!(&text[s.start..s.end], v);
                (k, v)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("A".to_owned(), "1".to_owned()),
                ("B".to_owned(), "two words".to_owned()),
                ("C".to_owned(), "x".to_owned())
            ]
        );
    }
}
