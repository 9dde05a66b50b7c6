//! The knowledge base: bus profiles (`rules/buses/*.yaml`), rules (`rules/*.yaml`)
//! and derived values, compiled into the binary and validated when loaded.

pub mod requirements;

use std::collections::BTreeMap;
use std::fmt;

use crate::lang::expr::{self, Expr, Template, Val};
use crate::lang::spelling::did_you_mean;
use crate::source::span::ByteSpan;
use crate::source::{ConfigError, SourceFile};
use crate::tree::validate::{Checker, scalar};
use crate::tree::yaml::{self, Node, Value};

// RULE_FILES: every file of rules/, embedded by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules.rs"));

/// The rows of the comparison (contract §1), in table order.
pub const COMPARISON_ROWS: &[(&str, &str)] = &[
    ("purpose", "purpose"),
    ("architecture", "architecture"),
    ("throughput", "throughput"),
    ("latency", "latency"),
    ("scalability", "scalability"),
    ("delivery", "delivery"),
    ("protocol", "protocol"),
    ("network", "network"),
    ("scenarios", "scenarios"),
    ("ecosystem", "ecosystem"),
    ("resources", "resources"),
    ("complexity", "complexity"),
    ("security", "security"),
    ("choose_when", "when to choose"),
];

/// The criteria every finding carries (contract §1).
pub const CRITERIA: &[&str] = &[
    "delivery",
    "latency",
    "throughput",
    "scalability",
    "retention",
    "protocol",
    "network",
    "devices",
    "resources",
    "complexity",
    "security",
    "ecosystem",
    "scenario",
    "manifest",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    pub key: String,
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub bus: String,
    /// Where the bus stands among the others (its column in `busfit buses`).
    pub order: i64,
    pub name: String,
    pub modes: Vec<String>,
    pub comparison: Vec<Row>,
    /// Flattened figures: `delivery.max` → value.
    pub figures: BTreeMap<String, Val>,
    pub recognition: Recognition,
    pub file: String,
}

/// How a bus is recognised in a repository's files.
#[derive(Debug, Clone, Default)]
pub struct Recognition {
    /// Image names without registry or tag: `confluentinc/cp-kafka`, `redis`.
    pub images: Vec<String>,
    /// Environment variables that carry settings, by prefix, with the spelling convention.
    pub env: Vec<EnvRule>,
    pub command: Option<CommandRule>,
    pub files: Vec<FileRule>,
    /// Client libraries by ecosystem: cargo, npm, pypi, go, maven.
    pub libraries: BTreeMap<String, Vec<String>>,
    /// Helm chart names (Chart.yaml dependencies, chart directories).
    pub charts: Vec<String>,
    /// AsyncAPI server protocols.
    pub protocols: Vec<String>,
    /// Kubernetes custom resources and the settings read from them.
    pub kinds: Vec<KindRule>,
    /// Helm values paths → setting keys.
    pub values: Vec<(String, String)>,
    /// AsyncAPI binding fields → setting keys.
    pub bindings: Vec<(String, String)>,
}

/// A custom resource that deploys the bus. `settings` maps paths in the resource
/// (`spec.kafka.listeners[].tls`) to setting keys; `*` takes every entry of a mapping,
/// `@conf` / `@properties` read a string as a config file.
#[derive(Debug, Clone)]
pub struct KindRule {
    pub group: String,
    pub kind: String,
    pub settings: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct EnvRule {
    pub prefix: String,
    /// `dots`: `_` → `.`; `confluent`: `___` → `-`, `__` → `_`, `_` → `.`; `hocon`: `__` → `.`.
    pub style: String,
}

#[derive(Debug, Clone)]
pub struct CommandRule {
    pub programs: Vec<String>,
    pub style: String,
    /// Flags that make the deployment another bus kind (`-js` → nats-jetstream).
    pub upgrade: Option<(Vec<String>, String)>,
}

#[derive(Debug, Clone)]
pub struct FileRule {
    pub glob: String,
    /// `properties` (`key=value`) or `conf` (`key value`).
    pub format: String,
    /// Keys one of which must appear for the file to count (empty: any file of that name).
    pub markers: Vec<String>,
    /// Keys whose presence makes the deployment another bus kind (`jetstream` → nats-jetstream).
    pub upgrade: Option<(Vec<String>, String)>,
}

pub const ENV_STYLES: &[&str] = &["dots", "confluent", "hocon"];
pub const FILE_FORMATS: &[&str] = &["properties", "conf"];
pub const ECOSYSTEMS: &[&str] = &["cargo", "npm", "pypi", "go", "maven"];

impl Profile {
    /// A figure by path; `.min`/`.max` of a range figure give its bounds.
    pub fn figure(&self, path: &[String]) -> Option<Val> {
        let key = path.join(".");
        if let Some(v) = self.figures.get(&key) {
            return Some(v.clone());
        }
        let (last, head) = path.split_last()?;
        match self.figures.get(&head.join("."))? {
            Val::Range(lo, hi) => match last.as_str() {
                "min" => Some(Val::Qty(*lo)),
                "max" => Some(Val::Qty(*hi)),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn row(&self, key: &str) -> Option<&Row> {
        self.comparison.iter().find(|r| r.key == key)
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub code: String,
    pub name: String,
    pub criterion: String,
    pub severity: Severity,
    pub builtin: bool,
    pub requirement: Option<String>,
    pub when: Option<Expr>,
    pub when_text: String,
    pub message: Template,
    pub help: Option<Template>,
    pub what: String,
    pub why: String,
    pub example: String,
    pub fix: String,
    pub references: Vec<String>,
    /// Settings rules: the bus kinds whose deployments they check…
    pub applies_to: Vec<String>,
    /// …and the settings they check, one finding per setting (`key` and `value` in conditions).
    pub settings: Vec<String>,
    pub file: String,
}

#[derive(Debug, Clone)]
pub struct Derived {
    pub name: String,
    pub expr: Expr,
    pub about: String,
}

#[derive(Debug, Clone)]
pub struct Kb {
    pub profiles: Vec<Profile>,
    pub rules: Vec<Rule>,
    pub derived: Vec<Derived>,
}

impl Kb {
    /// The knowledge base shipped in the binary.
    pub fn builtin() -> Result<Kb, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let mut profiles = Vec::new();
        let mut derived = Vec::new();
        let is_profile = |name: &str| name.starts_with("rules/buses/");
        let is_derived = |name: &str| name == "rules/derived.yaml";
        for (name, text) in RULE_FILES {
            let file = SourceFile::new(*name, *text);
            let loaded = if is_profile(name) {
                load_profile(&file).map(|p| profiles.push(p))
            } else if is_derived(name) {
                load_derived(&file).map(|d| derived = d)
            } else {
                continue;
            };
            if let Err(e) = loaded {
                errors.extend(e);
            }
        }
        // the order of contract §1's columns, written in each profile
        profiles.sort_by(|a, b| (a.order, &a.bus).cmp(&(b.order, &b.bus)));
        let mut kb = Kb {
            profiles,
            rules: Vec::new(),
            derived,
        };
        for (name, text) in RULE_FILES {
            if is_profile(name) || is_derived(name) {
                continue;
            }
            if let Err(e) = kb.add_rules(&SourceFile::new(*name, *text)) {
                errors.extend(e);
            }
        }
        // rules in code order, whatever file holds them
        kb.rules.sort_by(|a, b| a.code.cmp(&b.code));
        if errors.is_empty() {
            Ok(kb)
        } else {
            Err(errors)
        }
    }

    pub fn profile(&self, bus: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.bus == bus)
    }

    pub fn bus_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.iter().map(|p| p.bus.as_str())
    }

    /// Every rule's code and name, as `--select`, `settings.rules` and `explain` take them.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .flat_map(|r| [r.code.as_str(), r.name.as_str()])
    }

    pub fn rule(&self, code_or_name: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
    }

    /// Loads a rule file (shipped or custom) after validating every rule in it.
    pub fn add_rules(&mut self, file: &SourceFile) -> Result<(), Vec<ConfigError>> {
        let rules = load_rules(file, self)?;
        let mut errors = Vec::new();
        for (r, span) in rules {
            if self
                .rules
                .iter()
                .any(|o| o.code == r.code || o.name == r.name)
            {
                errors.push(
                    ConfigError::new(
                        file,
                        span,
                        format!("rule `{}` ({}) is defined twice", r.code, r.name),
                    )
                    .label("already defined")
                    .code("busfit::rules"),
                );
            } else {
                self.rules.push(r);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn parse_file(file: &SourceFile, code: &'static str) -> Result<Node, Vec<ConfigError>> {
    yaml::parse(&file.text).map_err(|e| {
        vec![ConfigError::new(file, e.span, format!("invalid YAML: {}", e.message)).code(code)]
    })
}

fn node_val(node: &Node) -> Option<Val> {
    Some(match &node.value {
        Value::Bool(b) => Val::Bool(*b),
        Value::Int(i) => Val::Qty(crate::lang::quantity::Quantity::new(
            *i as f64,
            crate::lang::quantity::Dim::Number,
        )),
        Value::Float(f) => Val::Qty(crate::lang::quantity::Quantity::new(
            *f,
            crate::lang::quantity::Dim::Number,
        )),
        Value::Str(s) => Val::from_text(s),
        Value::Seq(items) => Val::Set(items.iter().filter_map(scalar).collect()),
        Value::Map(_) | Value::Null => return None,
    })
}

/// Offset of the text inside a scalar's span (after an opening quote or a block indicator).
fn text_start(file: &SourceFile, span: ByteSpan) -> usize {
    let raw = file.text.get(span.start..span.end).unwrap_or("");
    match raw.chars().next() {
        Some('"' | '\'') => span.start + 1,
        _ => span.start,
    }
}

pub fn load_profile(file: &SourceFile) -> Result<Profile, Vec<ConfigError>> {
    let root = parse_file(file, "busfit::profile")?;
    let mut f = Checker::new(file, "busfit::profile");
    if !root.is_map() {
        f.err(root.span, "a bus profile must be a mapping", "here", "");
        return Err(f.errors);
    }
    f.keys(
        &root,
        &[
            "bus",
            "order",
            "name",
            "modes",
            "comparison",
            "figures",
            "recognition",
        ],
        "",
    );
    let bus = f.text(&root, "bus", true).map(|s| s.0).unwrap_or_default();
    let order = match root.get("order").map(|n| &n.value) {
        Some(Value::Int(i)) => *i,
        Some(_) => {
            let span = root.get("order").map_or(root.span, |n| n.span);
            f.err(span, "`order` must be a whole number", "here", "");
            0
        }
        None => i64::MAX,
    };
    let name = f.text(&root, "name", true).map(|s| s.0).unwrap_or_default();
    let modes = root
        .get("modes")
        .map(|n| n.items().iter().filter_map(scalar).collect())
        .unwrap_or_default();
    let mut comparison = Vec::new();
    if let Some(c) = root.get("comparison") {
        for (k, v) in c.entries() {
            let key = k.scalar_text().unwrap_or_default();
            if !COMPARISON_ROWS.iter().any(|(r, _)| *r == key) {
                let help = format!(
                    "{}rows: {}",
                    did_you_mean(&key, COMPARISON_ROWS.iter().map(|r| r.0)),
                    COMPARISON_ROWS
                        .iter()
                        .map(|r| r.0)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                f.err(
                    k.span,
                    format!("unknown comparison row `{key}`"),
                    "here",
                    help,
                );
                continue;
            }
            let text = v.get("text").and_then(scalar);
            let source = v.get("source").and_then(scalar);
            match (text, source) {
                (Some(text), Some(source)) => comparison.push(Row { key, text, source }),
                _ => f.err(
                    v.span,
                    format!("comparison row `{key}` needs `text` and `source`"),
                    "here",
                    "",
                ),
            }
        }
    }
    let mut figures = BTreeMap::new();
    if let Some(fig) = root.get("figures") {
        for (k, block) in fig.entries() {
            let crit = k.scalar_text().unwrap_or_default();
            if block.get("source").is_none() {
                f.err(
                    k.span,
                    format!("figures `{crit}` have no `source`"),
                    "here",
                    "every figure carries its source",
                );
            }
            for (fk, fv) in block.entries() {
                let fname = fk.scalar_text().unwrap_or_default();
                match node_val(fv) {
                    Some(v) => {
                        // `how` and `source` are prose, never quantities
                        let v = if fname == "how" || fname == "source" {
                            Val::Str(fv.scalar_text().unwrap_or_default())
                        } else {
                            v
                        };
                        figures.insert(format!("{crit}.{fname}"), v);
                    }
                    None => f.err(
                        fv.span,
                        format!("figure `{crit}.{fname}` must be a scalar or a list"),
                        "here",
                        "",
                    ),
                }
            }
        }
    }
    let recognition = root
        .get("recognition")
        .map(|r| load_recognition(&mut f, r))
        .unwrap_or_default();
    if f.errors.is_empty() {
        Ok(Profile {
            bus,
            order,
            name,
            modes,
            comparison,
            figures,
            recognition,
            file: file.name.clone(),
        })
    } else {
        Err(f.errors)
    }
}

fn words(n: Option<&Node>) -> Vec<String> {
    n.map(|n| n.items().iter().filter_map(scalar).collect())
        .unwrap_or_default()
}

fn load_recognition(f: &mut Checker<'_>, r: &Node) -> Recognition {
    let mut out = Recognition {
        images: words(r.get("images")),
        ..Recognition::default()
    };
    let check = |f: &mut Checker<'_>, n: Option<&Node>, allowed: &[&str], what: &str| -> String {
        let Some(n) = n else {
            f.err(r.span, format!("{what} is missing"), "here", "");
            return String::new();
        };
        let v = scalar(n).unwrap_or_default();
        if !allowed.contains(&v.as_str()) {
            f.err(
                n.span,
                format!("unknown {what} `{v}`"),
                "here",
                format!(
                    "{}accepted: {}",
                    did_you_mean(&v, allowed.iter().copied()),
                    allowed.join(", ")
                ),
            );
        }
        v
    };
    for e in r.get("env").map(Node::items).unwrap_or_default() {
        let prefix = e.get("prefix").and_then(scalar).unwrap_or_default();
        let style = check(f, e.get("style"), ENV_STYLES, "env style");
        out.env.push(EnvRule { prefix, style });
    }
    if let Some(c) = r.get("command") {
        let style = check(f, c.get("style"), &["double-dash"], "command style");
        let upgrade = c.get("upgrade").map(|u| {
            (
                words(u.get("flags")),
                u.get("bus").and_then(scalar).unwrap_or_default(),
            )
        });
        out.command = Some(CommandRule {
            programs: words(c.get("programs")),
            style,
            upgrade,
        });
    }
    for e in r.get("files").map(Node::items).unwrap_or_default() {
        let glob = e.get("glob").and_then(scalar).unwrap_or_default();
        if globset::Glob::new(&glob).is_err() {
            f.err(e.span, format!("invalid glob `{glob}`"), "here", "");
        }
        let format = check(f, e.get("format"), FILE_FORMATS, "file format");
        let upgrade = e.get("upgrade").map(|u| {
            let to = u.get("bus").and_then(scalar).unwrap_or_default();
            (words(u.get("keys")), to)
        });
        out.files.push(FileRule {
            glob,
            format,
            markers: words(e.get("markers")),
            upgrade,
        });
    }
    out.charts = words(r.get("charts"));
    out.protocols = words(r.get("protocols"));
    let pairs = |n: Option<&Node>| -> Vec<(String, String)> {
        n.map(|n| {
            n.entries()
                .iter()
                .filter_map(|(k, v)| Some((k.scalar_text()?, scalar(v)?)))
                .collect()
        })
        .unwrap_or_default()
    };
    out.values = pairs(r.get("values"));
    out.bindings = pairs(r.get("bindings"));
    for k in r.get("kinds").map(Node::items).unwrap_or_default() {
        let group = k.get("group").and_then(scalar).unwrap_or_default();
        let kind = k.get("kind").and_then(scalar).unwrap_or_default();
        if group.is_empty() || kind.is_empty() {
            f.err(k.span, "a kind needs `group` and `kind`", "here", "");
        }
        out.kinds.push(KindRule {
            group,
            kind,
            settings: pairs(k.get("settings")),
        });
    }
    if let Some(l) = r.get("libraries") {
        for (k, v) in l.entries() {
            let eco = k.scalar_text().unwrap_or_default();
            if !ECOSYSTEMS.contains(&eco.as_str()) {
                f.err(
                    k.span,
                    format!("unknown ecosystem `{eco}`"),
                    "here",
                    format!("ecosystems: {}", ECOSYSTEMS.join(", ")),
                );
            }
            out.libraries.insert(eco, words(Some(v)));
        }
    }
    out
}

pub fn load_derived(file: &SourceFile) -> Result<Vec<Derived>, Vec<ConfigError>> {
    let root = parse_file(file, "busfit::rules")?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (k, v) in root.get("derived").map(|d| d.entries()).unwrap_or_default() {
        let name = k.scalar_text().unwrap_or_default();
        let Some(e) = v.get("expr") else {
            errors.push(ConfigError::new(
                file,
                k.span,
                format!("derived `{name}` has no `expr`"),
            ));
            continue;
        };
        let text = scalar(e).unwrap_or_default();
        match expr::parse(&text) {
            Ok(expr) => out.push(Derived {
                name,
                expr,
                about: v.get("about").and_then(scalar).unwrap_or_default(),
            }),
            Err(pe) => {
                let s = text_start(file, e.span) + pe.offset;
                errors.push(ConfigError::new(
                    file,
                    ByteSpan::new(s, s + pe.len.max(1)),
                    pe.message,
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

const RULE_KEYS: &[&str] = &[
    "code",
    "name",
    "criterion",
    "severity",
    "builtin",
    "requirement",
    "when",
    "message",
    "help",
    "what",
    "why",
    "example",
    "fix",
    "references",
    "applies_to",
    "settings",
];

/// Checks that every path an expression reads can exist.
fn check_paths(paths: &[Vec<String>], kb: &Kb) -> Result<(), String> {
    for p in paths {
        let joined = p.join(".");
        match p.first().map(String::as_str) {
            Some("req") => {
                let key = p.get(1).map(String::as_str).unwrap_or("");
                if requirements::key_def(key).is_none() || p.len() != 2 {
                    return Err(format!(
                        "unknown requirement `{joined}`; {}requirements: {}",
                        did_you_mean(key, requirements::key_names()),
                        requirements::key_names().collect::<Vec<_>>().join(", ")
                    ));
                }
            }
            Some("bus") if p.len() == 1 => {}
            Some("bus") => {
                let rest = &p[1..];
                if !kb.profiles.iter().any(|pr| pr.figure(rest).is_some()) {
                    let all: Vec<String> = kb
                        .profiles
                        .iter()
                        .flat_map(|pr| pr.figures.keys().cloned())
                        .collect();
                    let hint = did_you_mean(&rest.join("."), all.iter().map(String::as_str));
                    return Err(format!(
                        "no bus profile has a figure `{}`; {hint}",
                        rest.join(".")
                    ));
                }
            }
            Some("derived") => {
                let name = p.get(1).map(String::as_str).unwrap_or("");
                if !kb.derived.iter().any(|d| d.name == name) {
                    return Err(format!("unknown derived value `{joined}`"));
                }
            }
            Some("flow" | "file" | "key" | "value") if p.len() == 1 => {}
            // the variables of the built-in rules' templates (rules/manifest.yaml)
            Some("detail" | "candidates" | "codes" | "unknown") if p.len() == 1 => {}
            Some("setting") if p.len() > 1 => {}
            _ => {
                return Err(format!(
                    "`{joined}` is not a value; paths start with req., bus., derived., or are `flow`, `file`, `bus`"
                ));
            }
        }
    }
    Ok(())
}

fn load_rules(file: &SourceFile, kb: &Kb) -> Result<Vec<(Rule, ByteSpan)>, Vec<ConfigError>> {
    let root = parse_file(file, "busfit::rules")?;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let Some(list) = root.get("rules") else {
        return Err(vec![
            ConfigError::new(
                file,
                root.span,
                "a rule file needs a top-level `rules:` list",
            )
            .code("busfit::rules"),
        ]);
    };
    if !matches!(list.value, Value::Seq(_)) {
        return Err(vec![
            ConfigError::new(
                file,
                list.span,
                format!("`rules` must be a list, found {}", list.kind_name()),
            )
            .code("busfit::rules"),
        ]);
    }
    for item in list.items() {
        let mut f = Checker::new(file, "busfit::rules");
        if !item.is_map() {
            f.err(item.span, "a rule must be a mapping", "here", "");
            errors.extend(f.errors);
            continue;
        }
        f.keys(item, RULE_KEYS, "");
        let code = f.text(item, "code", true);
        let name = f.text(item, "name", true);
        let criterion = f.text(item, "criterion", true);
        let severity = f.text(item, "severity", true);
        let builtin = item
            .get("builtin")
            .is_some_and(|n| n.value == Value::Bool(true));
        if let Some((c, span)) = &code {
            let ok = c.len() >= 3
                && c.chars().take_while(|ch| ch.is_ascii_uppercase()).count() >= 1
                && c.chars()
                    .skip_while(|ch| ch.is_ascii_uppercase())
                    .all(|ch| ch.is_ascii_digit())
                && c.chars().last().is_some_and(|ch| ch.is_ascii_digit());
            if !ok {
                f.err(*span, format!("rule code `{c}` must be capital letters then digits, such as BF101 or ACME1"), "here", "");
            }
        }
        if let Some((n, span)) = &name
            && !n
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        {
            f.err(
                *span,
                format!("rule name `{n}` must be kebab-case"),
                "here",
                "",
            );
        }
        if let Some((c, span)) = &criterion
            && !CRITERIA.contains(&c.as_str())
        {
            let help = format!(
                "{}criteria: {}",
                did_you_mean(c, CRITERIA.iter().copied()),
                CRITERIA.join(", ")
            );
            f.err(*span, format!("unknown criterion `{c}`"), "here", help);
        }
        let sev = severity.as_ref().and_then(|(s, span)| {
            let v = Severity::parse(s);
            if v.is_none() {
                f.err(
                    *span,
                    format!("unknown severity `{s}`"),
                    "here",
                    "severities: error, warning, info",
                );
            }
            v
        });
        let requirement = f.text(item, "requirement", false);
        if let Some((r, span)) = &requirement
            && requirements::key_def(r).is_none()
        {
            let help = format!(
                "{}requirements: {}",
                did_you_mean(r, requirements::key_names()),
                requirements::key_names().collect::<Vec<_>>().join(", ")
            );
            f.err(*span, format!("unknown requirement `{r}`"), "here", help);
        }
        let mut when = None;
        let mut when_text = String::new();
        match item.get("when") {
            Some(n) => {
                let text = scalar(n).unwrap_or_default();
                when_text = text.clone();
                match expr::parse(&text) {
                    Ok(e) => {
                        let mut paths = Vec::new();
                        e.paths(&mut paths);
                        if let Err(msg) = check_paths(&paths, kb) {
                            f.err(n.span, msg, "here", "");
                        } else {
                            when = Some(e);
                        }
                    }
                    Err(pe) => {
                        let s = text_start(file, n.span) + pe.offset;
                        f.err(
                            ByteSpan::new(s, s + pe.len.max(1)),
                            format!("invalid condition: {}", pe.message),
                            "here",
                            "",
                        );
                    }
                }
            }
            None if !builtin => f.err(
                item.span,
                "missing `when` (the condition under which the rule fires)",
                "here",
                "",
            ),
            None => {}
        }
        let mut template = |key: &str, required: bool| -> Option<Template> {
            let (text, span) = f.text(item, key, required)?;
            match Template::parse(&text) {
                Ok(t) => {
                    let mut paths = Vec::new();
                    t.paths(&mut paths);
                    if let Err(msg) = check_paths(&paths, kb) {
                        f.err(span, msg, "here", "");
                    }
                    Some(t)
                }
                Err(pe) => {
                    let s = text_start(file, span) + pe.offset;
                    f.err(
                        ByteSpan::new(s, s + pe.len.max(1)),
                        format!("invalid template: {}", pe.message),
                        "here",
                        "",
                    );
                    None
                }
            }
        };
        let message = template("message", true);
        let help = template("help", false);
        let what = f.text(item, "what", true).map(|s| s.0).unwrap_or_default();
        let why = f.text(item, "why", true).map(|s| s.0).unwrap_or_default();
        let example = f
            .text(item, "example", true)
            .map(|s| s.0)
            .unwrap_or_default();
        let fix = f.text(item, "fix", true).map(|s| s.0).unwrap_or_default();
        let references = item
            .get("references")
            .map(|n| n.items().iter().filter_map(scalar).collect())
            .unwrap_or_default();
        let applies_to: Vec<String> = words(item.get("applies_to"));
        let settings: Vec<String> = words(item.get("settings"));
        for b in &applies_to {
            if kb.profile(b).is_none() {
                let span = item.get("applies_to").map_or(item.span, |n| n.span);
                f.err(
                    span,
                    format!("unknown bus `{b}` in `applies_to`"),
                    "here",
                    format!(
                        "{}bus kinds: {}",
                        did_you_mean(b, kb.bus_names()),
                        kb.bus_names().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
        if settings.is_empty() != applies_to.is_empty() {
            f.err(
                item.span,
                "a settings rule needs both `applies_to` (bus kinds) and `settings` (keys)",
                "here",
                "",
            );
        }
        if !builtin && requirement.is_none() && settings.is_empty() {
            f.err(
                item.span,
                "missing `requirement` (the key the finding points at)",
                "here",
                "",
            );
        }
        if f.errors.is_empty()
            && let (Some(code), Some(name), Some(criterion), Some(sev), Some(message)) =
                (code, name, criterion, sev, message)
        {
            out.push((
                Rule {
                    code: code.0,
                    name: name.0,
                    criterion: criterion.0,
                    severity: sev,
                    builtin,
                    requirement: requirement.map(|r| r.0),
                    when,
                    when_text,
                    message,
                    help,
                    what,
                    why,
                    example,
                    fix,
                    references,
                    applies_to,
                    settings,
                    file: file.name.clone(),
                },
                code.1,
            ));
        }
        errors.extend(f.errors);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
