//! Client libraries in package manifests, and requirements declared inline in them.

use super::{Client, Facts, InlineFlow, Input, bus_for_library};
use crate::kb::Kb;
use crate::source::span::ByteSpan;
use crate::tree::yaml::Node;

fn client(kb: &Kb, facts: &mut Facts, inp: &Input<'_>, eco: &str, name: &str, span: ByteSpan) {
    if let Some(bus) = bus_for_library(kb, eco, name) {
        facts.clients.push(Client {
            bus: bus.to_owned(),
            span: inp.at(span),
            library: name.to_owned(),
            source: "package".to_owned(),
            settings: Vec::new(),
        });
    }
}

fn inline(
    kb: &Kb,
    facts: &mut Facts,
    inp: &Input<'_>,
    node: &Node,
    key_span: ByteSpan,
    default_name: &str,
) {
    match crate::config::manifest::parse_inline(inp.file, inp.id, node, kb) {
        Ok((name, bus, requires)) => facts.inline.push(InlineFlow {
            name: name.unwrap_or_else(|| default_name.to_owned()),
            name_span: inp.at(key_span),
            bus,
            requires,
            reaches: Vec::new(),
        }),
        Err(e) => facts.errors.extend(e),
    }
}

fn key_span(map: &Node, key: &str) -> ByteSpan {
    map.entries()
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map_or(map.span, |(k, _)| k.span)
}

fn toml_or_broken(facts: &mut Facts, inp: &Input<'_>) -> Option<Node> {
    match crate::tree::toml::parse_toml(&inp.file.text) {
        Ok(n) => Some(n),
        Err((msg, span)) => {
            super::unparsed(facts, inp, span, msg);
            None
        }
    }
}

pub fn cargo(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let Some(root) = toml_or_broken(facts, inp) else {
        return;
    };
    for table in ["dependencies", "workspace"] {
        let deps = if table == "workspace" {
            root.get("workspace").and_then(|w| w.get("dependencies"))
        } else {
            root.get(table)
        };
        for (k, _) in deps.map(Node::entries).unwrap_or_default() {
            if let Some(name) = k.as_str() {
                client(kb, facts, inp, "cargo", name, k.span);
            }
        }
    }
    let pkg = root.get("package");
    if let Some(meta) = pkg.and_then(|p| p.get("metadata"))
        && let Some(b) = meta.get("busfit")
    {
        let name = pkg
            .and_then(|p| p.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("package")
            .to_owned();
        inline(kb, facts, inp, b, key_span(meta, "busfit"), &name);
    }
}

pub fn npm(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = inp.file.text.clone();
    // JSON first (fast, no spans); positions are then found in the text
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let off = crate::source::span::offset_of(&text, e.line(), e.column());
            super::unparsed(facts, inp, ByteSpan::new(off, off), e.to_string());
            return;
        }
    };
    for table in ["dependencies", "optionalDependencies", "peerDependencies"] {
        let Some(deps) = value.get(table).and_then(|d| d.as_object()) else {
            continue;
        };
        let table_at = text.find(&format!("\"{table}\"")).unwrap_or(0);
        for name in deps.keys() {
            if crate::extract::bus_for_library(kb, "npm", name).is_none() {
                continue;
            }
            let quoted = format!("\"{name}\"");
            let at = text[table_at..]
                .find(&quoted)
                .map_or(table_at, |i| table_at + i);
            client(
                kb,
                facts,
                inp,
                "npm",
                name,
                ByteSpan::new(at, at + quoted.len()),
            );
        }
    }
    if value.get("busfit").is_some()
        && let Ok(root) = crate::tree::yaml::parse(&text)
        && let Some(b) = root.get("busfit")
    {
        let name = root
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("package")
            .to_owned();
        inline(kb, facts, inp, b, key_span(&root, "busfit"), &name);
    }
}

/// The distribution name at the start of a PEP 508 requirement.
fn pep508_name(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The extras of a PEP 508 requirement, from the text after its name (`[redis,msgpack]>=5`).
fn extras(after_name: &str) -> Vec<&str> {
    let rest = after_name.trim_start();
    let Some(inner) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) else {
        return Vec::new();
    };
    inner
        .0
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect()
}

pub fn requirements_txt(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = inp.file.text.clone();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        let name = pep508_name(line);
        if !name.is_empty() {
            let s = start + (raw.len() - line.len());
            let span = ByteSpan::new(s, s + name.len());
            client(kb, facts, inp, "pypi", name, span);
            // `celery[redis]`: an extra that brings a bus's client in
            for extra in extras(&line[name.len()..]) {
                client(kb, facts, inp, "pypi", &format!("{name}[{extra}]"), span);
            }
        }
    }
}

pub fn pyproject(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let Some(root) = toml_or_broken(facts, inp) else {
        return;
    };
    let text = inp.file.text.clone();
    let project = root.get("project");
    // project.dependencies, the extras (project.optional-dependencies) and PEP 735 groups
    // (dependency-groups): lists of requirement strings
    let lists: Vec<&Node> = project
        .and_then(|p| p.get("dependencies"))
        .into_iter()
        .chain(
            project
                .and_then(|p| p.get("optional-dependencies"))
                .into_iter()
                .chain(root.get("dependency-groups"))
                .flat_map(|t| t.entries().iter().map(|(_, v)| v)),
        )
        .collect();
    for dep in lists.into_iter().flat_map(Node::items) {
        if let Some(s) = dep.as_str() {
            let name = pep508_name(s.trim());
            let start = dep.span.start
                + usize::from(matches!(
                    text.get(dep.span.start..dep.span.start + 1),
                    Some("\"" | "'")
                ));
            let span = ByteSpan::new(start, start + name.len());
            client(kb, facts, inp, "pypi", name, span);
            for extra in extras(&s.trim()[name.len()..]) {
                client(kb, facts, inp, "pypi", &format!("{name}[{extra}]"), span);
            }
        }
    }
    let tool = root.get("tool");
    if let Some(poetry) = tool.and_then(|t| t.get("poetry")) {
        // dependencies, and those of every group (tool.poetry.group.<name>.dependencies)
        let tables: Vec<&Node> = poetry
            .get("dependencies")
            .into_iter()
            .chain(
                poetry
                    .get("group")
                    .map(Node::entries)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|(_, g)| g.get("dependencies")),
            )
            .collect();
        for (k, _) in tables.into_iter().flat_map(Node::entries) {
            if let Some(name) = k.as_str() {
                client(kb, facts, inp, "pypi", name, k.span);
            }
        }
    }
    if let Some(t) = tool
        && let Some(b) = t.get("busfit")
    {
        let name = project
            .and_then(|p| p.get("name"))
            .or_else(|| {
                tool.and_then(|t| t.get("poetry"))
                    .and_then(|p| p.get("name"))
            })
            .and_then(Node::as_str)
            .unwrap_or("package")
            .to_owned();
        inline(kb, facts, inp, b, key_span(t, "busfit"), &name);
    }
}

pub fn go_mod(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = inp.file.text.clone();
    let mut offset = 0;
    let mut in_block = false;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim();
        let module = if in_block {
            if line.starts_with(')') {
                in_block = false;
                continue;
            }
            line
        } else if let Some(rest) = line.strip_prefix("require") {
            let rest = rest.trim();
            if rest.starts_with('(') {
                in_block = true;
                continue;
            }
            rest
        } else {
            continue;
        };
        let path = module.split_whitespace().next().unwrap_or("");
        if path.is_empty() || path.starts_with("//") {
            continue;
        }
        if let Some(i) = raw.find(path) {
            client(
                kb,
                facts,
                inp,
                "go",
                path,
                ByteSpan::new(start + i, start + i + path.len()),
            );
        }
    }
}

/// An XML manifest (pom.xml, *.csproj) parsed, or a finding at the error.
fn xml<'t>(text: &'t str, inp: &Input<'_>, facts: &mut Facts) -> Option<roxmltree::Document<'t>> {
    match roxmltree::Document::parse(text) {
        Ok(d) => Some(d),
        Err(e) => {
            let p = e.pos();
            let off = crate::source::span::offset_of(text, p.row as usize, p.col as usize);
            super::unparsed(facts, inp, ByteSpan::new(off, off), e.to_string());
            None
        }
    }
}

pub fn pom(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = inp.file.text.clone();
    let Some(doc) = xml(&text, inp, facts) else {
        return;
    };
    for dep in doc.descendants().filter(|n| n.has_tag_name("dependency")) {
        let child = |tag: &str| dep.children().find(|c| c.has_tag_name(tag));
        let (Some(g), Some(a)) = (child("groupId"), child("artifactId")) else {
            continue;
        };
        let coord = format!(
            "{}:{}",
            g.text().unwrap_or("").trim(),
            a.text().unwrap_or("").trim()
        );
        let r = a.range();
        client(
            kb,
            facts,
            inp,
            "maven",
            &coord,
            ByteSpan::new(r.start, r.end),
        );
    }
}

pub fn gradle(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = inp.file.text.clone();
    for quote in ['"', '\''] {
        let mut rest = 0;
        while let Some(i) = text[rest..].find(quote) {
            let start = rest + i + 1;
            let Some(len) = text[start..].find(quote) else {
                break;
            };
            let s = &text[start..start + len];
            let mut parts = s.split(':');
            if let (Some(g), Some(a)) = (parts.next(), parts.next())
                && !g.is_empty()
                && !a.is_empty()
                && !s.contains(char::is_whitespace)
            {
                client(
                    kb,
                    facts,
                    inp,
                    "maven",
                    &format!("{g}:{a}"),
                    ByteSpan::new(start, start + len),
                );
            }
            rest = start + len + 1;
        }
    }
    // a version catalog may name a module by parts: `{ group = "io.lettuce", name = "…" }`
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let quoted = |key: &str| -> Option<(usize, &str)> {
            let i = line.find(&format!("{key} = \""))? + key.len() + 4;
            let len = line[i..].find('"')?;
            Some((i, &line[i..i + len]))
        };
        if let (Some((_, g)), Some((at, a))) = (quoted("group"), quoted("name")) {
            let span = ByteSpan::new(offset + at, offset + at + a.len());
            client(kb, facts, inp, "maven", &format!("{g}:{a}"), span);
        }
        offset += line.len();
    }
}

/// A .NET project (`*.csproj`): its `PackageReference` items (`Include="Confluent.Kafka"`).
pub fn csproj(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = inp.file.text.clone();
    let Some(doc) = xml(&text, inp, facts) else {
        return;
    };
    for r in doc
        .descendants()
        .filter(|n| n.has_tag_name("PackageReference"))
    {
        let Some(attr) = r.attribute_node("Include") else {
            continue;
        };
        let range = attr.range_value();
        client(
            kb,
            facts,
            inp,
            "nuget",
            attr.value(),
            ByteSpan::new(range.start, range.end),
        );
    }
}

/// The quoted strings of a line, each with its span in the file (`'rdkafka'`, `"kafka"`).
fn quoted(line: &str, at: usize) -> Vec<(&str, ByteSpan)> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(i) = line[rest..].find(['"', '\'']) {
        let q = line.as_bytes()[rest + i] as char;
        let start = rest + i + 1;
        let Some(len) = line[start..].find(q) else {
            break;
        };
        out.push((
            &line[start..start + len],
            ByteSpan::new(at + start, at + start + len),
        ));
        rest = start + len + 1;
    }
    out
}

/// The lines of a file with their offsets, comments (`#`, `//`, `;`) left out.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let at = offset;
        offset += raw.len();
        (at, raw)
    })
}

/// A Ruby `Gemfile`: `gem "name"` lines.
pub fn gemfile(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = inp.file.text.clone();
    for (at, raw) in lines(&text) {
        let line = raw.trim_start();
        let Some(rest) = line
            .strip_prefix("gem ")
            .or_else(|| line.strip_prefix("gem("))
        else {
            continue;
        };
        let lead = raw.len() - rest.len();
        if let Some((name, span)) = quoted(rest, at + lead).into_iter().next() {
            client(kb, facts, inp, "rubygems", name, span);
        }
    }
}

/// An sbt build (`build.sbt`): `"org.apache.kafka" %% "kafka-streams" % "3.7.0"`, read as the
/// Maven coordinates it names (`%%` adds the Scala version to the artifact: both are tried).
pub fn sbt(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = inp.file.text.clone();
    for (at, raw) in lines(&text) {
        if raw.trim_start().starts_with("//") {
            continue;
        }
        let q = quoted(raw, at);
        for w in q.windows(2) {
            let (g, _) = w[0];
            let (a, span) = w[1];
            // the operator between the two strings: % or %%
            let between = &text[w[0].1.end + 1..w[1].1.start.saturating_sub(1)];
            if !matches!(between.trim(), "%" | "%%") || g.is_empty() || a.is_empty() {
                continue;
            }
            let coord = format!("{g}:{a}");
            if bus_for_library(kb, "maven", &coord).is_some() {
                client(kb, facts, inp, "maven", &coord, span);
            } else if let Some((base, _)) = a.rsplit_once('_') {
                // an artifact written with its Scala suffix (`kafka-streams-scala_2.13`)
                client(kb, facts, inp, "maven", &format!("{g}:{base}"), span);
            }
        }
    }
}

/// A Leiningen project (`project.clj`): `[org.apache.kafka/kafka-clients "3.7.0"]`.
pub fn leiningen(kb: &Kb, inp: &Input<'_>, facts: &mut Facts) {
    let text = inp.file.text.clone();
    for (at, raw) in lines(&text) {
        let mut rest = 0;
        while let Some(i) = raw[rest..].find('[') {
            let start = rest + i + 1;
            let name: &str = raw[start..]
                .split(|c: char| c.is_whitespace() || c == ']' || c == '"')
                .next()
                .unwrap_or("");
            if let Some((g, a)) = name.split_once('/') {
                client(
                    kb,
                    facts,
                    inp,
                    "maven",
                    &format!("{g}:{a}"),
                    ByteSpan::new(at + start, at + start + name.len()),
                );
            }
            rest = start;
        }
    }
}
