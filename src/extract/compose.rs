//! docker-compose files: broker images, their settings from `environment:` and
//! `command:`, which services reach which (depends_on, links, URLs), and `x-busfit`.

use super::{Deployment, Facts, InlineFlow, Input, Origin, Setting, bus_for_image, env_key};
use crate::kb::Kb;
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
    for (k, svc) in services.entries() {
        let name = k.scalar_text().unwrap_or_default();
        if let Some(img) = svc
            .get("image")
            .and_then(|i| i.as_str().map(|s| (s.to_owned(), i.span)))
            && let Some(bus) = bus_for_image(kb, &img.0)
        {
            let mut d = Deployment {
                bus: bus.to_owned(),
                span: inp.at(img.1),
                source: "compose",
                name: name.clone(),
                evidence: format!("image {}", img.0),
                settings: Vec::new(),
                complete: true,
            };
            settings(kb, inp, svc, &mut d);
            facts.deployments.push(d);
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
    let rec = profile.recognition.clone();
    for (k, v, span) in env_pairs(svc) {
        if let Some(rule) = rec.env.iter().find(|r| k.starts_with(&r.prefix)) {
            d.settings.push(Setting {
                key: env_key(&rule.style, &k[rule.prefix.len()..]),
                value: v,
                span: inp.at(span),
                origin: Origin::Written,
            });
        }
    }
    let Some(cmd_rule) = &rec.command else { return };
    let Some(cmd) = svc.get("command") else {
        return;
    };
    // tokens with their byte spans
    let tokens: Vec<(String, ByteSpan)> = match &cmd.value {
        Value::Str(s) => {
            let base = text_start(src, cmd);
            let mut out = Vec::new();
            let mut pos = 0;
            for tok in s.split_whitespace() {
                let at = s[pos..].find(tok).map_or(pos, |i| pos + i);
                out.push((
                    tok.trim_matches('"').to_owned(),
                    ByteSpan::new(base + at, base + at + tok.len()),
                ));
                pos = at + tok.len();
            }
            out
        }
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| Some((i.scalar_text()?, i.span)))
            .collect(),
        _ => return,
    };
    let mut i = 0;
    while i < tokens.len() {
        let (t, span) = &tokens[i];
        if let Some((flags, bus)) = &cmd_rule.upgrade
            && flags.contains(t)
        {
            d.bus = bus.clone();
            d.evidence.push_str(&format!(" with {t}"));
        }
        if let Some(key) = t.strip_prefix("--") {
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
            d.settings.push(Setting {
                key,
                value,
                span: inp.at(vspan),
                origin: Origin::Written,
            });
        }
        i += 1;
    }
}
