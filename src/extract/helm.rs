//! Helm: Chart.yaml dependencies that name a well-known chart, and the values of such charts.

use super::{Cluster, Deployment, Facts, Input, Setting, mapped_settings, select};
use crate::kb::Kb;
use crate::source::Span;
use crate::source::path::dir_of;
use crate::tree::yaml::Node;

/// Chart.yaml: the chart itself or its dependencies name a well-known chart.
pub fn chart(kb: &Kb, inp: &Input<'_>, root: &Node, facts: &mut Facts) {
    let own = root.get("name").and_then(Node::as_str).unwrap_or("");
    for dep in select(root, "dependencies[]") {
        let Some(n) = dep.get("name") else { continue };
        let dep_name = n.as_str().unwrap_or("");
        if let Some(p) = kb
            .profiles
            .iter()
            .find(|p| p.recognition.charts.iter().any(|c| c == dep_name))
        {
            let repo = dep.get("repository").and_then(Node::as_str).unwrap_or("");
            let alias = dep.get("alias").and_then(Node::as_str).unwrap_or(dep_name);
            facts.deployments.push(Deployment {
                bus: p.bus.clone(),
                span: inp.at(n.span),
                source: "helm",
                name: dep_name.to_owned(),
                evidence: format!("chart dependency {dep_name} {repo}")
                    .trim_end()
                    .to_owned(),
                settings: Vec::new(),
                complete: false,
                config: None,
                // the values of the same chart, beside it, are the same deployment
                cluster: Some(Cluster {
                    key: format!("helm:{}:{alias}", dir_of(&inp.file.name)),
                    part: true,
                }),
                parts: Vec::new(),
            });
        }
    }
    let _ = own;
}

/// values.yaml of a chart: settings under the dependency's key, or at the root for the chart itself.
pub fn values(kb: &Kb, inp: &Input<'_>, root: &Node, chart: &Node, facts: &mut Facts) {
    let own = chart.get("name").and_then(Node::as_str).unwrap_or("");
    let mut targets: Vec<(String, String)> = Vec::new();
    for dep in select(chart, "dependencies[]") {
        let name = dep.get("name").and_then(Node::as_str).unwrap_or("");
        let alias = dep.get("alias").and_then(Node::as_str).unwrap_or(name);
        targets.push((name.to_owned(), alias.to_owned()));
    }
    for p in &kb.profiles {
        if p.recognition.values.is_empty() {
            continue;
        }
        if p.recognition.charts.iter().any(|c| c == own) {
            let settings = mapped_settings(inp, root, &p.recognition.values, "", root.span);
            push_values(kb, facts, inp, &p.bus, own, settings, None);
        }
        for (name, key) in &targets {
            // a dependency switched off in the values (`redis.enabled: false`) is not deployed
            let off = root
                .get(key)
                .and_then(|b| b.get("enabled"))
                .is_some_and(|e| matches!(e.value, crate::tree::yaml::Value::Bool(false)));
            if p.recognition.charts.iter().any(|c| c == name) && root.get(key).is_some() && !off {
                let settings = mapped_settings(inp, root, &p.recognition.values, key, root.span);
                // a default of the dependency's chart points at its block's key (`pulsar:`)
                let at = root
                    .entries()
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(key.as_str()))
                    .map(|(k, _)| inp.at(k.span));
                push_values(kb, facts, inp, &p.bus, key, settings, at);
            }
        }
    }
}

fn push_values(
    kb: &Kb,
    facts: &mut Facts,
    inp: &Input<'_>,
    bus: &str,
    name: &str,
    mut settings: Vec<Setting>,
    at: Option<Span>,
) {
    if settings.is_empty() {
        return;
    }
    // a values map of environment variables (`emqxConfig: {EMQX_DASHBOARD__…}`) names
    // settings the way the image's environment does
    if let Some(p) = kb.profile(bus) {
        for s in &mut settings {
            if let Some(rule) = p
                .recognition
                .env
                .iter()
                .find(|r| s.key.starts_with(&r.prefix))
            {
                s.key = super::env_key(&rule.style, &s.key[rule.prefix.len()..]);
            }
        }
    }
    let span = at
        .or_else(|| settings.first().map(|s| s.span))
        .unwrap_or(Span::start_of(inp.id));
    facts.deployments.push(Deployment {
        bus: bus.to_owned(),
        span,
        source: "helm",
        name: name.to_owned(),
        evidence: format!("values for chart {name}"),
        settings,
        complete: false,
        config: None,
        cluster: Some(Cluster {
            key: format!("helm:{}:{name}", dir_of(&inp.file.name)),
            part: false,
        }),
        parts: Vec::new(),
    });
}

/// Images named in a values file (`image: {registry, repository, tag}` or `image: name:tag`)
/// that are a bus's: the chart deploys that broker, whatever the chart is called. Each joins
/// the values deployment of the same block, when the chart is a known one.
pub fn value_images(
    kb: &Kb,
    inp: &Input<'_>,
    root: &Node,
    chart: Option<&Node>,
    facts: &mut Facts,
) {
    let own = chart.and_then(|c| c.get("name")).and_then(Node::as_str);
    // the blocks that configure a dependency, by its alias or name
    let deps: Vec<&str> = chart
        .map(|c| select(c, "dependencies[]"))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| {
            d.get("alias")
                .or_else(|| d.get("name"))
                .and_then(Node::as_str)
        })
        .collect();
    let mut found: Vec<(String, String, crate::source::ByteSpan)> = Vec::new();
    walk_images(root, "", 0, &mut found);
    let mut seen: Vec<String> = Vec::new();
    for (block, image, span) in found {
        let Some(bus) = super::bus_for_image(kb, &image) else {
            continue;
        };
        let top = block.split('.').next().unwrap_or("").to_owned();
        // a dependency's block (`redis.image.repository`), or else the chart's own image
        let name = if deps.contains(&top.as_str()) {
            top
        } else {
            own.unwrap_or(&top).to_owned()
        };
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        facts.deployments.push(Deployment {
            bus: bus.to_owned(),
            span: inp.at(span),
            source: "helm",
            name: name.clone(),
            evidence: format!("values image {image}"),
            settings: Vec::new(),
            complete: false,
            config: None,
            cluster: Some(Cluster {
                key: format!("helm:{}:{name}", dir_of(&inp.file.name)),
                part: true,
            }),
            parts: Vec::new(),
        });
    }
}

fn walk_images(
    node: &Node,
    path: &str,
    depth: usize,
    out: &mut Vec<(String, String, crate::source::ByteSpan)>,
) {
    if depth > 6 {
        return;
    }
    // a switched-off block deploys nothing
    if node
        .get("enabled")
        .is_some_and(|e| matches!(e.value, crate::tree::yaml::Value::Bool(false)))
    {
        return;
    }
    for (k, v) in node.entries() {
        let Some(key) = k.as_str() else { continue };
        let here = if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        };
        if key == "image" {
            if let Some(text) = v.as_str() {
                out.push((here.clone(), text.to_owned(), v.span));
            } else if let Some(repo) = v.get("repository").filter(|r| r.as_str().is_some()) {
                // <registry>/<repository>[/<name>], as charts spell it
                let full = [v.get("registry"), Some(repo), v.get("name")]
                    .into_iter()
                    .flatten()
                    .filter_map(Node::as_str)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((here.clone(), full, repo.span));
            }
            continue;
        }
        if v.is_map() {
            walk_images(v, &here, depth + 1, out);
        }
    }
}
