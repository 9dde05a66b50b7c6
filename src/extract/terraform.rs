//! Terraform (`*.tf`): managed buses declared as resources (`aws_msk_cluster`,
//! `aws_elasticache_replication_group`, `azurerm_redis_cache`, …). The resource types and
//! their attributes are data: each profile's `recognition.terraform`.
//!
//! The HCL is parsed with hcl-edit, which keeps byte spans, and each resource's body becomes
//! the same spanned tree a Kubernetes resource is, so its attributes map onto settings the way
//! a custom resource's do. An attribute set from a variable, a local or any expression is
//! unknown and never judged; `count` and `for_each` do not change what is judged; modules are
//! not followed.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};

use super::{Cluster, Deployment, Facts, Input, TfSource, TfValue, mapped_settings};
use crate::kb::Kb;
use crate::source::span::ByteSpan;
use crate::tree::yaml::{Node, Value};

/// The key of a setting that stands for a resource's `dynamic` block (`dynamic:NAME`): its
/// value is the block's `for_each`, its span the whole block. Never judged: evaluation turns
/// it into the block being there or not, and drops it.
pub const DYNAMIC: &str = "dynamic:";

/// The key of a setting that stands for a resource's `count` or `for_each` (`created:count`):
/// its value is the expression, its span the attribute. Never judged: a resource whose count
/// evaluates to 0, or whose for_each to an empty collection, is not created, and evaluation
/// removes it; the marker is dropped either way.
pub const CREATED: &str = "created:";

fn span(r: Option<std::ops::Range<usize>>, fallback: ByteSpan) -> ByteSpan {
    r.map_or(fallback, |r| ByteSpan::new(r.start, r.end))
}

fn text(s: &str, span: ByteSpan) -> Node {
    Node {
        span,
        value: Value::Str(s.to_owned()),
    }
}

/// An expression as a tree node: literals as themselves, anything computed (a variable, a
/// reference, a call, an interpolation) as `${…}` text, which is never judged.
fn expr_node(src: &str, e: &Expression, fallback: ByteSpan) -> Node {
    let at = span(e.span(), fallback);
    let value = match e {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => match (n.value().as_i64(), n.value().as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(f)) => Value::Float(f),
            _ => Value::Str(n.value().to_string()),
        },
        Expression::String(s) => Value::Str(s.value().clone()),
        Expression::Array(a) => Value::Seq(a.iter().map(|x| expr_node(src, x, at)).collect()),
        Expression::Object(o) => Value::Map(
            o.iter()
                .filter_map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => text(i.as_str(), span(i.span(), at)),
                        ObjectKey::Expression(Expression::String(s)) => {
                            text(s.value(), span(s.span(), at))
                        }
                        ObjectKey::Expression(_) => return None,
                    };
                    Some((key, expr_node(src, v.expr(), at)))
                })
                .collect(),
        ),
        // `server_properties = <<PROPERTIES … PROPERTIES`: the text between the markers, each
        // line of which is then read (a line with `${…}` stays unknown)
        Expression::HeredocTemplate(_) => {
            let written = src.get(at.start..at.end).unwrap_or("");
            let inner = written.split_once('\n').map_or("", |(_, rest)| {
                rest.rsplit_once('\n').map_or(rest, |(body, _)| body)
            });
            Value::Str(inner.to_owned())
        }
        _ => {
            let written = src.get(at.start..at.end).unwrap_or("expression").trim();
            Value::Str(format!("${{{written}}}"))
        }
    };
    Node { span: at, value }
}

/// A body as a mapping: attributes by key, nested blocks by type (a list where a block type
/// repeats, as `ingress` does).
fn body_node(src: &str, body: &Body, at: ByteSpan) -> Node {
    let mut entries: Vec<(Node, Node)> = Vec::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let k = span(a.key.span(), at);
                entries.push((text(a.key.as_str(), k), expr_node(src, &a.value, k)));
            }
            Structure::Block(b) => {
                let k = span(b.ident.span(), at);
                // `dynamic "public_access" { content { … } }` writes `public_access` blocks:
                // read as one, whose values are the expressions they are (unknown)
                let (name, body) = match (b.ident.as_str(), b.labels.first()) {
                    ("dynamic", Some(l)) => {
                        match b.body.blocks().find(|c| c.ident.as_str() == "content") {
                            Some(c) => (label(l), &c.body),
                            None => continue,
                        }
                    }
                    (ident, _) => (ident, &b.body),
                };
                let node = body_node(src, body, span(b.span(), k));
                match entries
                    .iter_mut()
                    .find(|(key, _)| key.scalar_text().as_deref() == Some(name))
                {
                    Some((_, existing)) => {
                        if let Value::Seq(items) = &mut existing.value {
                            items.push(node);
                        } else {
                            let first = std::mem::replace(
                                existing,
                                Node {
                                    span: k,
                                    value: Value::Seq(Vec::new()),
                                },
                            );
                            existing.value = Value::Seq(vec![first, node]);
                        }
                    }
                    None => entries.push((text(name, k), node)),
                }
            }
        }
    }
    Node {
        span: at,
        value: Value::Map(entries),
    }
}

fn label(l: &BlockLabel) -> &str {
    match l {
        BlockLabel::Ident(i) => i.as_str(),
        BlockLabel::String(s) => s.value(),
    }
}

/// Whether a file can declare a bus: it names one of the resource types, so every other
/// `.tf` file is rejected before it is parsed.
fn names_a_bus(kb: &Kb, src: &str) -> bool {
    src.contains("resource")
        && kb
            .profiles
            .iter()
            .flat_map(|p| &p.recognition.terraform)
            .any(|t| src.contains(t.resource.as_str()))
}

/// Whether a file gives values a module's expressions can read: a values file Terraform
/// loads by itself, or variables with defaults, or locals.
fn gives_values(name: &str, src: &str) -> bool {
    name.ends_with(".tfvars")
        || (src.contains("variable") && src.contains("default"))
        || src.contains("locals")
        || src.contains("module")
}

/// The arguments of a `module` block that are Terraform's, not the called module's variables.
const META_ARGUMENTS: [&str; 6] = [
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "depends_on",
];

/// The directory a local module `source` (`./modules/redis`, `../../`) names, from the calling
/// module's directory; `None` for a registry, git or URL source, or one outside the tree.
#[must_use]
pub fn module_dir(caller: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../") || source == "." || source == "..") {
        return None;
    }
    let mut parts: Vec<&str> = caller.split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Deeper nesting than this is not parsed: HCL's parser recurses, and no real module nests
/// brackets a hundred deep (a hostile file becomes a finding, not a stack overflow).
const MAX_NESTING: usize = 100;

fn nesting(src: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in src.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

pub fn extract(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let src = &inp.file.text;
    let name = inp.file.name.rsplit('/').next().unwrap_or(&inp.file.name);
    let bus = names_a_bus(kb, src);
    if !bus && !gives_values(name, src) {
        return;
    }
    if nesting(src) > MAX_NESTING {
        facts.broken.push((
            inp.at(ByteSpan::new(0, src.len().min(1))),
            format!("Terraform nested more than {MAX_NESTING} brackets deep; not read"),
            super::Broken::Budget,
        ));
        return;
    }
    let body = match hcl_edit::parser::parse_body(src) {
        Ok(b) => b,
        Err(e) => {
            let at = e.location().offset().min(src.len());
            let end = src[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let message = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid HCL")
                .to_owned();
            facts.broken.push((
                inp.at(ByteSpan::new(at, end)),
                format!("invalid Terraform (HCL): {message}"),
                super::Broken::Syntax,
            ));
            return;
        }
    };
    values(inp, src, name, &body, facts);
    if bus {
        for b in body.blocks() {
            resource(kb, inp, src, b, facts);
        }
    }
}

/// The values this file gives its module: top-level assignments of a values file, variables'
/// defaults, locals; each as its expression's text, evaluated later with the module's others.
fn values(inp: &Input<'_>, src: &str, name: &str, body: &Body, facts: &mut Facts) {
    let dir = inp
        .file
        .name
        .rsplit_once('/')
        .map_or("", |(d, _)| d)
        .to_owned();
    let mut push = |source: TfSource, key: &str, e: &Expression| {
        let Some(r) = e.span() else { return };
        let Some(text) = src.get(r.clone()) else {
            return;
        };
        facts.tf_values.push(TfValue {
            dir: dir.clone(),
            source,
            name: key.to_owned(),
            expr: text.to_owned(),
            span: inp.at(ByteSpan::new(r.start, r.end)),
            caller: None,
        });
    };
    if name.ends_with(".tfvars") {
        for a in body.attributes() {
            push(TfSource::Tfvars, a.key.as_str(), &a.value);
        }
        return;
    }
    let mut calls = Vec::new();
    for b in body.blocks() {
        match (b.ident.as_str(), b.labels.first()) {
            ("variable", Some(l)) => {
                if let Some(d) = b.body.attributes().find(|a| a.key.as_str() == "default") {
                    push(TfSource::Default, label(l), &d.value);
                }
            }
            ("locals", _) => {
                for a in b.body.attributes() {
                    push(TfSource::Local, a.key.as_str(), &a.value);
                }
            }
            ("module", Some(_)) => calls.push(b),
            _ => {}
        }
    }
    for b in calls {
        call(inp, src, &dir, label(&b.labels[0]), b, facts);
    }
}

/// A `module` block whose `source` is a directory of this tree: the call, and each argument
/// as a value of the called module's variable.
fn call(inp: &Input<'_>, src: &str, dir: &str, name: &str, b: &Block, facts: &mut Facts) {
    let Some(source) = b
        .body
        .attributes()
        .find(|a| a.key.as_str() == "source")
        .and_then(|a| a.value.as_str().map(str::to_owned))
    else {
        return;
    };
    let Some(child) = module_dir(dir, &source) else {
        return;
    };
    // the call spans its whole block, which holds its arguments
    let at = span(b.span(), ByteSpan::new(0, 0));
    facts.tf_values.push(TfValue {
        dir: child.clone(),
        source: TfSource::Call,
        name: name.to_owned(),
        expr: String::new(),
        span: inp.at(at),
        caller: Some(dir.to_owned()),
    });
    for a in b.body.attributes() {
        if META_ARGUMENTS.contains(&a.key.as_str()) {
            continue;
        }
        let Some(r) = a.value.span() else { continue };
        let Some(text) = src.get(r.clone()) else {
            continue;
        };
        facts.tf_values.push(TfValue {
            dir: child.clone(),
            source: TfSource::Argument,
            name: a.key.as_str().to_owned(),
            expr: text.to_owned(),
            span: inp.at(ByteSpan::new(r.start, r.end)),
            caller: Some(dir.to_owned()),
        });
    }
}

fn resource(kb: &Kb, inp: &Input<'_>, src: &str, b: &Block, facts: &mut Facts) {
    if b.ident.as_str() != "resource" || b.labels.len() < 2 {
        return;
    }
    let kind = label(&b.labels[0]);
    let name = label(&b.labels[1]);
    let at = span(b.labels[0].span(), ByteSpan::new(0, 0));
    let tree = body_node(src, &b.body, span(b.span(), at));
    for p in &kb.profiles {
        for t in p
            .recognition
            .terraform
            .iter()
            .filter(|t| t.resource == kind)
        {
            // `engine_type = "RabbitMQ"`: the same resource type deploys other brokers too
            let holds = t.only_if.iter().all(|(key, words)| {
                tree.get(key)
                    .and_then(Node::scalar_text)
                    .is_some_and(|v| words.iter().any(|w| w.eq_ignore_ascii_case(&v)))
            });
            if !holds {
                continue;
            }
            // `aws_msk_configuration` is part of the MSK cluster beside it
            let cluster = t.cluster.as_ref().map(|key| Cluster {
                key: format!("terraform:{key}"),
                part: t.part,
            });
            let mut settings = mapped_settings(inp, &tree, &t.settings, "", at);
            // `count = var.cluster_mode ? 0 : 1`: whether the resource is created at all
            for a in b.body.attributes() {
                let meta = a.key.as_str();
                if meta != "count" && meta != "for_each" {
                    continue;
                }
                let Some(r) = a.value.span() else { continue };
                settings.push(super::Setting {
                    key: format!("{CREATED}{meta}"),
                    value: format!("${{{}}}", src.get(r.clone()).unwrap_or("")),
                    span: inp.at(ByteSpan::new(r.start, r.end)),
                    origin: super::Origin::Written,
                });
            }
            // `dynamic "client_authentication" { for_each = … }`: whether the block is written
            // depends on its for_each, evaluated with the module's values (project::terraform)
            for d in b.body.blocks().filter(|d| d.ident.as_str() == "dynamic") {
                let (Some(l), Some(each)) = (
                    d.labels.first(),
                    d.body.attributes().find(|a| a.key.as_str() == "for_each"),
                ) else {
                    continue;
                };
                let (Some(whole), Some(e)) = (d.span(), each.value.span()) else {
                    continue;
                };
                settings.push(super::Setting {
                    key: format!("{DYNAMIC}{}", label(l)),
                    value: format!("${{{}}}", src.get(e).unwrap_or("")),
                    span: inp.at(ByteSpan::new(whole.start, whole.end)),
                    origin: super::Origin::Written,
                });
            }
            facts.deployments.push(Deployment {
                bus: p.bus.clone(),
                span: inp.at(at),
                source: "terraform",
                name: name.to_owned(),
                evidence: format!("resource {kind}"),
                settings,
                complete: false,
                config: None,
                cluster,
                parts: Vec::new(),
            });
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_blocks_become_paths_and_expressions_stay_unknown() {
        let src = r#"
resource "aws_msk_cluster" "events" {
  kafka_version          = "3.6.0"
  number_of_broker_nodes = 3
  encryption_info {
    encryption_in_transit {
      client_broker = "TLS_PLAINTEXT"
    }
  }
  tags = { team = var.team }
  ingress { port = 1 }
  ingress { port = 2 }
  count = var.enabled ? 1 : 0
  dynamic "client_authentication" {
    for_each = var.auth
    content {
      unauthenticated = client_authentication.value.open
    }
  }
}
"#;
        let body = hcl_edit::parser::parse_body(src).unwrap();
        let b = body.blocks().next().unwrap();
        let tree = body_node(src, &b.body, ByteSpan::new(0, 0));
        let cb = tree
            .get("encryption_info")
            .and_then(|n| n.get("encryption_in_transit"))
            .and_then(|n| n.get("client_broker"))
            .unwrap();
        assert_eq!(cb.scalar_text().as_deref(), Some("TLS_PLAINTEXT"));
        assert_eq!(&src[cb.span.start..cb.span.end], "\"TLS_PLAINTEXT\"");
        let team = tree.get("tags").and_then(|t| t.get("team")).unwrap();
        assert_eq!(team.scalar_text().as_deref(), Some("${var.team}"));
        assert_eq!(tree.get("ingress").unwrap().items().len(), 2);
        let count = tree.get("count").unwrap().scalar_text().unwrap();
        assert!(count.starts_with("${"), "{count}");
        // a dynamic block is read as the block it writes, its values unknown
        let open = tree
            .get("client_authentication")
            .and_then(|n| n.get("unauthenticated"))
            .and_then(Node::scalar_text)
            .unwrap();
        assert!(open.starts_with("${"), "{open}");
    }
}
