//! Kubernetes manifests (multi-document): workload images, env and args; ConfigMaps
//! holding broker configs; operators' custom resources; `busfit.dev/*` annotations.

use super::{
    Cluster, Deployment, Facts, InlineFlow, Input, Origin, Setting, bus_for_env, bus_for_image,
    bus_for_image_word, corroborated, embedded_settings, mapped_settings, select,
};
use crate::kb::Kb;
use crate::kb::requirements::{self, ReqValue, Requirements};
use crate::tree::yaml::Node;

const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Pod",
    "Job",
    "CronJob",
    "ReplicaSet",
];

/// Whether a document is a Kubernetes object.
pub fn is_object(doc: &Node) -> bool {
    doc.get("apiVersion").and_then(Node::as_str).is_some()
        && doc.get("kind").and_then(Node::as_str).is_some()
}

fn containers(doc: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    for path in [
        "spec.containers[]",
        "spec.initContainers[]",
        "spec.template.spec.containers[]",
        "spec.template.spec.initContainers[]",
        "spec.jobTemplate.spec.template.spec.containers[]",
    ] {
        out.extend(select(doc, path));
    }
    out
}

pub fn extract_doc(kb: &Kb, inp: &Input<'_>, doc: &Node, facts: &mut Facts) {
    let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
    let kind_span = doc.get("kind").map_or(doc.span, |k| k.span);
    let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let group = api.split('/').next().unwrap_or("");
    let name = doc
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| kind.to_lowercase());
    if kind == "Service" {
        let ty = select(doc, "spec.type").into_iter().next();
        let published = ty.filter(|t| {
            matches!(
                t.scalar_text().as_deref(),
                Some("LoadBalancer" | "NodePort")
            )
        });
        let selector: Vec<(String, String)> = select(doc, "spec.selector")
            .first()
            .map(|m| {
                m.entries()
                    .iter()
                    .filter_map(|(k, v)| Some((k.scalar_text()?, v.scalar_text()?)))
                    .collect()
            })
            .unwrap_or_default();
        let ports: Vec<String> = select(doc, "spec.ports[]")
            .into_iter()
            .filter_map(|p| {
                p.get("targetPort")
                    .or_else(|| p.get("port"))
                    .and_then(Node::scalar_text)
            })
            .collect();
        if !selector.is_empty() {
            let at = published
                .or_else(|| doc.get("metadata").and_then(|m| m.get("name")))
                .map_or(kind_span, |n| n.span);
            facts.kube_services.push(super::KubeService {
                name: name.clone(),
                published: published.is_some(),
                span: inp.at(at),
                selector,
                ports,
            });
        }
        return;
    }
    if WORKLOADS.contains(&kind) {
        let labels: Vec<(String, String)> = select(doc, "spec.template.metadata.labels")
            .into_iter()
            .chain(if kind == "Pod" {
                select(doc, "metadata.labels")
            } else {
                Vec::new()
            })
            .flat_map(|m| {
                m.entries()
                    .iter()
                    .filter_map(|(k, v)| Some((k.scalar_text()?, v.scalar_text()?)))
                    .collect::<Vec<_>>()
            })
            .collect();
        if !labels.is_empty() {
            facts.pod_labels.push((inp.id, name.clone(), labels));
        }
        // what each container's environment names (contract §7, role)
        for c in containers(doc) {
            for e in c.get("env").map(Node::items).unwrap_or_default() {
                if let (Some(var), Some(v)) =
                    (e.get("name").and_then(Node::scalar_text), e.get("value"))
                    && let Some(value) = v.scalar_text()
                {
                    facts.reaches.push(super::Reach {
                        from: name.clone(),
                        var,
                        value,
                        span: inp.at(v.span),
                    });
                }
            }
        }
        for c in containers(doc) {
            let Some(img) = c.get("image") else { continue };
            let Some(image) = img.as_str() else { continue };
            let env_names: Vec<String> = c
                .get("env")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| e.get("name").and_then(Node::scalar_text))
                .collect();
            let ports: Vec<String> = select(c, "ports[]")
                .into_iter()
                .filter_map(|p| p.get("containerPort").and_then(Node::scalar_text))
                .collect();
            let program: Vec<String> = select(c, "command[]")
                .into_iter()
                .chain(select(c, "args[]"))
                .filter_map(Node::scalar_text)
                .collect();
            let Some(bus) = bus_for_image(kb, image)
                .or_else(|| {
                    bus_for_image_word(kb, image)
                        .filter(|b| corroborated(kb, b, &ports, &program, &env_names))
                })
                .or_else(|| bus_for_env(kb, &env_names))
            else {
                // an application container configured through Spring Boot's environment
                let env: Vec<(String, String, crate::source::span::ByteSpan)> = c
                    .get("env")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|e| {
                        let v = e.get("value")?;
                        Some((e.get("name")?.scalar_text()?, v.scalar_text()?, v.span))
                    })
                    .collect();
                super::spring::env_clients(kb, inp, &env, facts);
                continue;
            };
            let mut d = Deployment {
                bus: bus.to_owned(),
                span: inp.at(img.span),
                source: "kubernetes",
                name: name.clone(),
                evidence: format!("{kind} image {image}"),
                settings: Vec::new(),
                complete: true,
                config: None,
                cluster: None,
                parts: Vec::new(),
            };
            if let Some(r) = select(doc, "spec.replicas").first()
                && let Some(value) = r.scalar_text()
                && let Some(nodes) = kb.profile(bus).and_then(|p| p.recognition.nodes.as_ref())
            {
                d.settings.push(Setting {
                    key: nodes.per_member.clone(),
                    value,
                    span: inp.at(r.span),
                    origin: Origin::Written,
                });
            }
            if let Some(p) = kb.profile(bus) {
                // the environment, as the bus's settings and as the image's entrypoint reads it
                let pairs: Vec<(String, String, crate::source::Span)> = c
                    .get("env")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|e| {
                        let name = e.get("name")?.as_str()?.to_owned();
                        match e.get("value") {
                            Some(v) => {
                                Some((name, v.scalar_text().unwrap_or_default(), inp.at(v.span)))
                            }
                            // from a Secret or a ConfigMap: set, its value unknown here
                            None => {
                                let from = e.get("valueFrom")?;
                                Some((name, "${valueFrom}".to_owned(), inp.at(from.span)))
                            }
                        }
                    })
                    .collect();
                d.settings
                    .extend(super::compose::env_settings(p, &d.evidence, &pairs));
                // published beyond the node (contract §7): host networking, a host port
                for h in select(doc, "spec.template.spec.hostNetwork")
                    .into_iter()
                    .chain(select(doc, "spec.hostNetwork"))
                {
                    if h.scalar_text().as_deref() == Some("true")
                        && let Some(port) = p.recognition.ports.first()
                    {
                        d.settings.push(Setting {
                            key: super::compose::PUBLISHED.to_owned(),
                            value: port.clone(),
                            span: inp.at(h.span),
                            origin: Origin::Written,
                        });
                    }
                }
                for port in select(c, "ports[]") {
                    let (Some(host), Some(target)) = (
                        port.get("hostPort"),
                        port.get("containerPort").and_then(Node::scalar_text),
                    ) else {
                        continue;
                    };
                    if p.recognition.ports.contains(&target) {
                        d.settings.push(Setting {
                            key: super::compose::PUBLISHED.to_owned(),
                            value: target,
                            span: inp.at(host.span),
                            origin: Origin::Written,
                        });
                    }
                }
                if let Some(cmd) = &p.recognition.command {
                    // each list item is a token; `--key value` in one item is `--key=value`
                    let tokens: Vec<(String, crate::source::span::ByteSpan)> =
                        select(c, "command[]")
                            .into_iter()
                            .chain(select(c, "args[]"))
                            .filter_map(|n| {
                                let t = n.scalar_text()?;
                                let t = match t.strip_prefix("--") {
                                    Some(f) if !f.contains('=') => match f.split_once(' ') {
                                        Some((k, v)) => format!("--{k}={}", v.trim()),
                                        None => t,
                                    },
                                    _ => t,
                                };
                                Some((t, n.span))
                            })
                            .collect();
                    if let Some((flags, to)) = &cmd.upgrade
                        && tokens.iter().any(|(t, _)| flags.contains(t))
                    {
                        d.bus = to.clone();
                    }
                    // the program's flags, after the settings from the environment: they win
                    d.settings
                        .extend(super::compose::flag_settings(inp, &tokens));
                }
            }
            facts.deployments.push(d);
        }
        annotations(kb, inp, doc, &name, facts);
        return;
    }
    if kind == "ConfigMap" {
        for (k, v) in doc.get("data").map(Node::entries).unwrap_or_default() {
            let key = k.scalar_text().unwrap_or_default();
            // a one-line entry (`REDIS_URL: redis://cache:6379/0`) may name a bus's host
            if let Some(text) = v
                .scalar_text()
                .filter(|t| !t.contains('\n') && t.len() < 512)
            {
                facts.reaches.push(super::Reach {
                    from: format!("ConfigMap {name}"),
                    var: key.clone(),
                    value: text,
                    span: inp.at(v.span),
                });
            }
            for (bus, rule) in kb.profiles.iter().flat_map(|p| {
                p.recognition
                    .files
                    .iter()
                    .filter_map(|r| r.matches(&key).then_some((p.bus.as_str(), r)))
            }) {
                let settings = embedded_settings(inp, v, &rule.format);
                if !super::conf::recognises(rule, &settings) {
                    continue;
                }
                if let Some(mut d) = super::conf::deployment(bus, rule, inp, settings) {
                    d.span = inp.at(k.span);
                    d.source = "kubernetes";
                    d.name = format!("{name}/{key}");
                    d.evidence = format!("ConfigMap {name} key {key}");
                    facts.deployments.push(d);
                }
                break;
            }
        }
        return;
    }
    for p in &kb.profiles {
        if let Some(kr) = p
            .recognition
            .kinds
            .iter()
            .find(|k| k.kind == kind && k.group == group)
        {
            let settings = mapped_settings(inp, doc, &kr.settings, "", kind_span);
            // parts name their cluster by a label; a cluster is keyed by its API group and name
            let cluster = match &kr.part_of {
                Some(label) => doc
                    .get("metadata")
                    .and_then(|m| m.get("labels"))
                    .and_then(|l| l.get(label))
                    .and_then(Node::scalar_text)
                    .map(|c| Cluster {
                        key: format!("{group}:{c}"),
                        part: true,
                    }),
                None => Some(Cluster {
                    key: format!("{group}:{name}"),
                    part: false,
                }),
            };
            facts.deployments.push(Deployment {
                bus: p.bus.clone(),
                span: inp.at(kind_span),
                source: "kubernetes",
                name: name.clone(),
                evidence: format!("{kind} ({api})"),
                settings,
                complete: true,
                config: None,
                cluster,
                parts: Vec::new(),
            });
            annotations(kb, inp, doc, &name, facts);
            return;
        }
    }
}

/// `busfit.dev/<key>` annotations on an object: a flow named after it.
fn annotations(kb: &Kb, inp: &Input<'_>, doc: &Node, name: &str, facts: &mut Facts) {
    let Some(ann) = doc.get("metadata").and_then(|m| m.get("annotations")) else {
        return;
    };
    let mut requires = Requirements::default();
    let mut bus = None;
    let mut flow_name = name.to_owned();
    let mut first = None;
    for (k, v) in ann.entries() {
        let Some(key) = k.as_str().and_then(|s| s.strip_prefix("busfit.dev/")) else {
            continue;
        };
        first.get_or_insert(k.span);
        let text = v.scalar_text().unwrap_or_default();
        match key {
            "bus" => match kb.profile(&text) {
                Some(_) => bus = Some((text, inp.at(v.span))),
                None => facts.errors.push(
                    crate::source::diag::ConfigError::new(
                        inp.file,
                        v.span,
                        format!("unknown bus `{text}`"),
                    )
                    .help(format!(
                        "{}bus kinds: {}",
                        crate::lang::spelling::did_you_mean(&text, kb.bus_names()),
                        kb.bus_names().collect::<Vec<_>>().join(", ")
                    ))
                    .code("busfit::manifest"),
                ),
            },
            "name" => flow_name = text,
            _ => {
                let key_us = key.replace('-', "_");
                match requirements::parse_assignment(&key_us, &text) {
                    Ok((k, val)) => {
                        requires.map.insert(
                            k,
                            ReqValue {
                                val,
                                span: Some(inp.at(v.span)),
                            },
                        );
                    }
                    Err(bad) => facts.errors.push(
                        crate::source::diag::ConfigError::new(
                            inp.file,
                            if bad.message.starts_with("unknown requirement") {
                                k.span
                            } else {
                                v.span
                            },
                            bad.message,
                        )
                        .help(bad.help)
                        .code("busfit::manifest"),
                    ),
                }
            }
        }
    }
    if let Some(span) = first {
        facts.inline.push(InlineFlow {
            name: flow_name,
            name_span: inp.at(span),
            bus,
            requires,
            reaches: vec![name.to_owned()],
        });
    }
}
