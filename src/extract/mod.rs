//! What a repository deploys: facts read from its files, each keeping its position.
//! The patterns that recognise a bus come from the profiles' `recognition:` blocks.

pub mod asyncapi;
pub mod compose;
pub mod conf;
pub mod kube;
pub mod packages;

use crate::discover::Kind;
use crate::kb::Kb;
use crate::kb::requirements::Requirements;
use crate::source::span::ByteSpan;
use crate::source::{ConfigError, SourceFile};
use crate::tree::yaml::Node;

/// A setting of a deployment, normalised into the bus's own key namespace.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub span: ByteSpan,
}

#[derive(Debug, Clone)]
pub struct Deployment {
    pub bus: String,
    pub file: usize,
    pub span: ByteSpan,
    pub source: &'static str,
    pub name: String,
    pub evidence: String,
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone)]
pub struct Client {
    pub bus: String,
    pub file: usize,
    pub span: ByteSpan,
    pub library: String,
}

/// Requirements declared inline in a deployment or package file.
#[derive(Debug, Clone)]
pub struct InlineFlow {
    pub name: String,
    pub name_span: ByteSpan,
    pub bus: Option<(String, ByteSpan)>,
    pub requires: Requirements,
    pub file: usize,
    /// Compose services this flow's service reaches (depends_on, links, URLs).
    pub reaches: Vec<String>,
}

/// Everything read from a repository's files.
#[derive(Debug, Default)]
pub struct Facts {
    pub files: Vec<SourceFile>,
    pub deployments: Vec<Deployment>,
    pub clients: Vec<Client>,
    pub inline: Vec<InlineFlow>,
    /// Files that do not parse: (file, span, message).
    pub broken: Vec<(usize, ByteSpan, String)>,
    /// Errors in inline requirements (exit 2, like busfit.yaml).
    pub errors: Vec<ConfigError>,
}

/// Reads one file's facts into `facts`.
pub fn extract(kb: &Kb, kind: &Kind, file: usize, facts: &mut Facts) {
    match kind {
        Kind::Yaml { named_compose } => yaml_file(kb, file, *named_compose, facts),
        Kind::Conf { bus, rule } => conf::extract(bus, rule, file, facts),
        Kind::Cargo => packages::cargo(kb, file, facts),
        Kind::PackageJson => packages::npm(kb, file, facts),
        Kind::Requirements => packages::requirements_txt(kb, file, facts),
        Kind::Pyproject => packages::pyproject(kb, file, facts),
        Kind::GoMod => packages::go_mod(kb, file, facts),
        Kind::Pom => packages::pom(kb, file, facts),
        Kind::Gradle => packages::gradle(kb, file, facts),
    }
}

/// A YAML (or JSON-in-YAML) file: compose, Kubernetes, AsyncAPI or Helm, decided by content.
fn yaml_file(kb: &Kb, file: usize, named_compose: bool, facts: &mut Facts) {
    let src = facts.files[file].text.clone();
    let name = facts.files[file].name.clone();
    let base = name.rsplit('/').next().unwrap_or(&name);
    let looks_deployed = named_compose
        || base == "Chart.yaml"
        || src.starts_with("apiVersion:")
        || src.contains("\napiVersion:")
        || src.starts_with("asyncapi:")
        || src.contains("\nasyncapi:");
    let docs = match crate::tree::yaml::parse_multi(&src) {
        Ok(d) => d,
        Err(e) => {
            // only a file that is recognisably a deployment file is reported as broken
            if looks_deployed {
                facts.broken.push((file, e.span, e.message));
            }
            return;
        }
    };
    if base == "Chart.yaml" {
        if let Some(root) = docs.first() {
            kube::chart(kb, file, root, facts);
        }
        return;
    }
    if base.starts_with("values") {
        let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
        let chart_path = if dir.is_empty() {
            "Chart.yaml".to_owned()
        } else {
            format!("{dir}/Chart.yaml")
        };
        // the chart beside the values file says which chart these values configure
        if let Ok(text) = std::fs::read_to_string(&chart_path)
            && let Ok(chart) = crate::tree::yaml::parse(&text)
            && let Some(root) = docs.first()
        {
            kube::values(kb, file, root, &chart, facts);
            return;
        }
    }
    for doc in &docs {
        if compose::is_compose(doc) {
            compose::extract(kb, file, doc, facts);
        } else if asyncapi::is_asyncapi(doc) {
            asyncapi::extract(kb, file, doc, facts);
        } else if kube::is_object(doc) {
            if doc.get("kind").and_then(Node::as_str) == Some("List") {
                for item in select(doc, "items[]") {
                    kube::extract_doc(kb, file, item, facts);
                }
            } else {
                kube::extract_doc(kb, file, doc, facts);
            }
        }
    }
}

/// The bus whose image list names `image` (registry and tag stripped).
pub fn bus_for_image<'k>(kb: &'k Kb, image: &str) -> Option<&'k str> {
    let no_digest = image.split('@').next().unwrap_or(image);
    // the tag is after the last `:` that follows the last `/`
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let name = match no_digest[last_slash..].find(':') {
        Some(c) => &no_digest[..last_slash + c],
        None => no_digest,
    };
    let name = name.to_ascii_lowercase();
    kb.profiles.iter().find_map(|p| {
        p.recognition
            .images
            .iter()
            .any(|pat| name == *pat || name.ends_with(&format!("/{pat}")))
            .then_some(p.bus.as_str())
    })
}

/// The bus whose client library list for `ecosystem` holds `library`.
pub fn bus_for_library<'k>(kb: &'k Kb, ecosystem: &str, library: &str) -> Option<&'k str> {
    let norm = |s: &str| {
        if ecosystem == "pypi" {
            s.to_ascii_lowercase().replace('_', "-")
        } else {
            s.to_owned()
        }
    };
    let lib = norm(library);
    kb.profiles.iter().find_map(|p| {
        let list = p.recognition.libraries.get(ecosystem)?;
        list.iter()
            .any(|l| {
                let l = norm(l);
                if ecosystem == "go" {
                    lib == l || lib.starts_with(&format!("{l}/"))
                } else {
                    lib == l
                }
            })
            .then_some(p.bus.as_str())
    })
}

/// Renames an environment variable into a setting key by the profile's convention.
pub fn env_key(style: &str, rest: &str) -> String {
    let lower = rest.to_ascii_lowercase();
    match style {
        "confluent" => lower
            .replace("___", "\u{1}")
            .replace("__", "\u{2}")
            .replace('_', ".")
            .replace('\u{1}', "-")
            .replace('\u{2}', "_"),
        "hocon" => lower.replace("__", "."),
        _ => lower.replace('_', "."),
    }
}

/// Every node at a dotted path; a segment `name[]` walks each item of a list.
pub fn select<'a>(node: &'a Node, path: &str) -> Vec<&'a Node> {
    let mut current = vec![node];
    for seg in path.split('.') {
        let (name, each) = match seg.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (seg, false),
        };
        let mut next = Vec::new();
        for n in current {
            if let Some(v) = n.get(name) {
                if each {
                    next.extend(v.items());
                } else {
                    next.push(v);
                }
            }
        }
        current = next;
    }
    current
}

/// Byte spans of the lines of a string scalar (such as a `|` block) in the file.
fn embedded_lines(src: &str, node: &Node, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut from = node.span.start.min(src.len());
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        match src.get(from..).and_then(|rest| rest.find(t)) {
            Some(i) => {
                out.push((from + i, line.to_owned()));
                from += i + t.len();
            }
            None => out.push((node.span.start, line.to_owned())),
        }
    }
    out
}

/// Settings read from a config file held in a string scalar.
pub fn embedded_settings(src: &str, node: &Node, format: &str) -> Vec<Setting> {
    let Some(text) = node.as_str() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (offset, line) in embedded_lines(src, node, text) {
        for (key, value, span) in conf::lines(&line, format) {
            out.push(Setting {
                key,
                value,
                span: ByteSpan::new(
                    offset + span.start - (line.len() - line.trim_start().len()).min(span.start),
                    offset + span.end - (line.len() - line.trim_start().len()).min(span.start),
                ),
            });
        }
    }
    out
}

/// Settings from a tree by a mapping of paths to setting keys.
pub fn mapped_settings(
    src: &str,
    root: &Node,
    mapping: &[(String, String)],
    prefix: &str,
) -> Vec<Setting> {
    let mut out = Vec::new();
    for (path, target) in mapping {
        let full = if prefix.is_empty() {
            path.clone()
        } else {
            format!("{prefix}.{path}")
        };
        // `key|default`: where the path is absent, the setting takes the default, at the
        // nearest node that is there (the list item, or the deepest existing parent)
        if let Some((key, default)) = target.split_once('|') {
            let (parents, rest) = match full.rsplit_once("[].") {
                Some((list, rest)) => (select(root, &format!("{list}[]")), rest.to_owned()),
                None => (vec![root], full.clone()),
            };
            for parent in parents {
                let found = select(parent, &rest);
                if found.is_empty() {
                    let mut at = parent;
                    for seg in rest.split('.') {
                        match at.get(seg) {
                            Some(n) => at = n,
                            None => break,
                        }
                    }
                    let span = at.entries().first().map_or(at.span, |(k, _)| k.span);
                    out.push(Setting {
                        key: key.to_owned(),
                        value: default.to_owned(),
                        span,
                    });
                }
                for n in found {
                    if let Some(value) = n.scalar_text() {
                        out.push(Setting {
                            key: key.to_owned(),
                            value,
                            span: n.span,
                        });
                    }
                }
            }
            continue;
        }
        for n in select(root, &full) {
            match target.as_str() {
                "*" => {
                    for (k, v) in n.entries() {
                        if let (Some(key), Some(value)) = (k.scalar_text(), v.scalar_text()) {
                            out.push(Setting {
                                key,
                                value,
                                span: if v.span.is_empty() { k.span } else { v.span },
                            });
                        }
                    }
                }
                "@conf" => out.extend(embedded_settings(src, n, "conf")),
                "@properties" => out.extend(embedded_settings(src, n, "properties")),
                key => {
                    if let Some(value) = n.scalar_text() {
                        out.push(Setting {
                            key: key.to_owned(),
                            value,
                            span: n.span,
                        });
                    }
                }
            }
        }
    }
    out
}
