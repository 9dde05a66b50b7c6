//! AsyncAPI 2.x and 3.x: servers and their protocols are what is deployed; bindings
//! (MQTT qos, cleanSession, Kafka partitions, replicas, topic configuration) are their
//! settings; `x-busfit` on a channel or operation declares a flow.

use super::{Deployment, Facts, InlineFlow, Input, Origin, Setting};
use crate::kb::Kb;
use crate::tree::yaml::Node;

pub fn is_asyncapi(doc: &Node) -> bool {
    doc.get("asyncapi").is_some()
}

/// Binding settings found anywhere under `node` for the binding key (`kafka`, `mqtt`).
fn binding_settings(
    inp: &Input<'_>,
    node: &Node,
    key: &str,
    mapping: &[(String, String)],
    out: &mut Vec<Setting>,
) {
    for (k, v) in node.entries() {
        if k.as_str() == Some("bindings")
            && let Some(b) = v.get(key)
        {
            for (field, target) in mapping {
                let Some(n) = b.get(field) else { continue };
                if target == "*" {
                    for (ck, cv) in n.entries() {
                        if let (Some(key), Some(value)) = (ck.scalar_text(), cv.scalar_text()) {
                            out.push(Setting {
                                key,
                                value,
                                span: inp.at(cv.span),
                                origin: Origin::Written,
                            });
                        }
                    }
                } else if let Some(value) = n.scalar_text() {
                    out.push(Setting {
                        key: target.clone(),
                        value,
                        span: inp.at(n.span),
                        origin: Origin::Written,
                    });
                }
            }
        }
        if v.is_map() || !v.items().is_empty() {
            binding_settings(inp, v, key, mapping, out);
            for item in v.items() {
                binding_settings(inp, item, key, mapping, out);
            }
        }
    }
}

pub fn extract(kb: &Kb, inp: &Input<'_>, doc: &Node, facts: &mut Facts) {
    let mut servers = Vec::new();
    for (k, server) in doc.get("servers").map(Node::entries).unwrap_or_default() {
        let name = k.scalar_text().unwrap_or_default();
        let Some(proto) = server.get("protocol") else {
            continue;
        };
        let protocol = proto.scalar_text().unwrap_or_default().to_ascii_lowercase();
        let Some(p) = kb
            .profiles
            .iter()
            .find(|p| p.recognition.protocols.contains(&protocol))
        else {
            continue;
        };
        let mut settings = Vec::new();
        // bindings are keyed by the protocol family's first name (`kafka`, `mqtt`)
        let binding_key = p.recognition.protocols.first().cloned().unwrap_or_default();
        binding_settings(
            inp,
            doc,
            &binding_key,
            &p.recognition.bindings,
            &mut settings,
        );
        servers.push(name.clone());
        facts.deployments.push(Deployment {
            bus: p.bus.clone(),
            span: inp.at(proto.span),
            source: "asyncapi",
            name,
            evidence: format!("server protocol {protocol}"),
            settings,
            complete: false,
            config: None,
            cluster: None,
            parts: Vec::new(),
        });
    }
    for section in ["channels", "operations"] {
        for (k, item) in doc.get(section).map(Node::entries).unwrap_or_default() {
            let name = k.scalar_text().unwrap_or_default();
            let mut decls: Vec<&Node> = item.get("x-busfit").into_iter().collect();
            for op in ["publish", "subscribe"] {
                if let Some(x) = item.get(op).and_then(|o| o.get("x-busfit")) {
                    decls.push(x);
                }
            }
            for x in decls {
                match crate::config::manifest::parse_inline(inp.file, inp.id, x, kb) {
                    Ok((flow_name, bus, requires)) => facts.inline.push(InlineFlow {
                        name: flow_name.unwrap_or_else(|| name.clone()),
                        name_span: inp.at(k.span),
                        bus,
                        requires,
                        reaches: servers.clone(),
                    }),
                    Err(e) => facts.errors.extend(e),
                }
            }
        }
    }
}
