//! busfit.yaml (contract §2): flows, defaults, settings and profile overrides,
//! validated with diagnostics that point at the offending value.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use super::environment::Environment;
use crate::kb::requirements::{self, Kind, ReqValue, Requirements};
use crate::kb::{Kb, Severity};
use crate::lang::expr::Val;
use crate::lang::spelling::did_you_mean;
use crate::source::{ByteSpan, FileId, Span};
use crate::source::{ConfigError, SourceFile};
use crate::tree::validate::Checker;
use crate::tree::yaml::{self, Node, Value};

pub const FILE_NAMES: &[&str] = &["busfit.yaml", "busfit.yml"];

#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    pub name_span: Span,
    pub bus: Option<(String, Span)>,
    pub requires: Requirements,
}

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Rule code or name → severity (None: off).
    pub rules: BTreeMap<String, Option<Severity>>,
    pub fail_on: Option<FailOn>,
    pub baseline: Option<String>,
    pub custom_rules: Option<String>,
    /// Glob (relative to the manifest) → rule codes ignored in matching files.
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    /// Files larger than this are not read (a BF001 finding); `None`: the built-in cap.
    pub max_file_size: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn parse(s: &str) -> Option<FailOn> {
        Some(match s {
            "error" => FailOn::Error,
            "warning" => FailOn::Warning,
            "info" => FailOn::Info,
            "never" => FailOn::Never,
            _ => return None,
        })
    }
    pub fn fails(self, s: Severity) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::Error => s >= Severity::Error,
            FailOn::Warning => s >= Severity::Warning,
            FailOn::Info => true,
        }
    }
}

/// A figure of a profile replaced for this deployment.
#[derive(Debug, Clone)]
pub struct Override {
    pub bus: String,
    pub figure: String,
    pub val: Val,
}

#[derive(Debug, Clone)]
pub struct Manifest {
    pub file: SourceFile,
    /// This file in the run's file table.
    pub id: FileId,
    /// Directory the manifest applies to, relative like `file.name` (empty: the current one).
    pub dir: String,
    pub flows: Vec<Flow>,
    pub defaults: Requirements,
    pub settings: Settings,
    pub overrides: Vec<Override>,
    /// `environments:`: globs, relative to this file, of the files in each environment, in
    /// the order written (the first environment whose glob matches a file is its own).
    pub environments: Vec<(Environment, Vec<String>)>,
}

/// A key of busfit.yaml: its name, what it means, the shape of its value. The parser checks
/// keys against these tables and `busfit schema` is generated from them.
pub struct Key {
    pub name: &'static str,
    pub about: &'static str,
    pub shape: Shape,
}

/// The shape of a key's value, for the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Always 1.
    Version,
    Flows,
    /// `{ requires: … }`.
    Defaults,
    Settings,
    /// Profile overrides by bus kind.
    Buses,
    Text,
    Bus,
    Requires,
    Globs,
    RuleLevels,
    FailOn,
    Path,
    /// Glob → rule codes.
    GlobCodes,
    Size,
    /// Environment → globs.
    Environments,
}

const fn key(name: &'static str, about: &'static str, shape: Shape) -> Key {
    Key { name, about, shape }
}

pub const TOP_KEYS: &[Key] = &[
    key("version", "Always 1.", Shape::Version),
    key(
        "flows",
        "The message flows of this directory's subtree.",
        Shape::Flows,
    ),
    key(
        "defaults",
        "Requirements merged under every flow's own.",
        Shape::Defaults,
    ),
    key(
        "settings",
        "Linter settings for this subtree.",
        Shape::Settings,
    ),
    key(
        "buses",
        "Figures of a bus profile replaced for this deployment, by bus kind then figure (`kafka: { latency: 5ms..40ms }`).",
        Shape::Buses,
    ),
    key(
        "environments",
        "Globs, relative to this file, of the files in each environment (production | development | example | test); they take precedence over the folder and file names busfit infers environments from.",
        Shape::Environments,
    ),
];
pub const FLOW_KEYS: &[Key] = &[
    key("name", "Unique within the file.", Shape::Text),
    key(
        "bus",
        "Omitted: the bus deployed in the repository.",
        Shape::Bus,
    ),
    key(
        "requires",
        "What the flow needs. Every key is optional.",
        Shape::Requires,
    ),
];
pub const SETTINGS_KEYS: &[Key] = &[
    key(
        "per_file_ignores",
        "Glob → rule codes ignored in matching files (for JSON, which has no comments).",
        Shape::GlobCodes,
    ),
    key(
        "include",
        "Globs, relative to this file, of the files to read.",
        Shape::Globs,
    ),
    key(
        "exclude",
        "Globs, relative to this file, of the files to skip.",
        Shape::Globs,
    ),
    key(
        "rules",
        "Severity by rule code or name: off | error | warning | info.",
        Shape::RuleLevels,
    ),
    key(
        "fail_on",
        "Lowest severity that fails the run.",
        Shape::FailOn,
    ),
    key(
        "baseline",
        "Baseline file, relative to this file.",
        Shape::Path,
    ),
    key(
        "custom_rules",
        "Directory of custom rule files, relative to this file.",
        Shape::Path,
    ),
    key(
        "max_file_size",
        "Files larger than this are not read and are reported as BF001 (default 16MiB, at most 1GiB).",
        Shape::Size,
    ),
];
pub const DEFAULTS_KEYS: &[Key] = &[key(
    "requires",
    "What every flow needs unless it says otherwise.",
    Shape::Requires,
)];
/// The words `fail_on` takes.
pub const FAIL_ON: &[&str] = &["error", "warning", "info", "never"];
/// The levels `settings.rules` takes.
pub const RULE_LEVELS: &[&str] = &["off", "error", "warning", "info"];

struct Ctx<'a> {
    ck: Checker<'a>,
    kb: &'a Kb,
    id: FileId,
}

/// The names of a key table, as the checker takes them.
fn names(keys: &[Key]) -> Vec<&'static str> {
    keys.iter().map(|k| k.name).collect()
}

impl Ctx<'_> {
    /// `flows:`, a list of flows with unique names.
    fn flows(&mut self, flows: &Node) -> Vec<Flow> {
        match &flows.value {
            Value::Seq(items) => {
                let mut names = HashSet::new();
                items
                    .iter()
                    .filter_map(|item| self.flow(item, &mut names))
                    .collect()
            }
            Value::Null => Vec::new(),
            _ => {
                self.ck.err(
                    flows.span,
                    format!("`flows` must be a list, found {}", flows.kind_name()),
                    "expected a list",
                    "write each flow as `- name: …`",
                );
                Vec::new()
            }
        }
    }

    /// One entry of `flows:`; `seen` holds the names met so far in the file.
    fn flow(&mut self, item: &Node, seen: &mut HashSet<String>) -> Option<Flow> {
        let Some(fm) = self.ck.expect_map(item, "a flow") else {
            if item.value == Value::Null {
                self.ck.err(
                    item.span,
                    "empty flow",
                    "here",
                    "a flow needs at least `name:`",
                );
            }
            return None;
        };
        self.ck.keys(fm, &names(FLOW_KEYS), "a flow");
        let name = match fm.get("name") {
            Some(n) => match &n.value {
                Value::Str(s) if !s.is_empty() => Some((s.clone(), n.span)),
                _ => {
                    self.ck.err(
                        n.span,
                        format!("a flow's `name` must be text, found {}", n.kind_name()),
                        "expected text",
                        "",
                    );
                    None
                }
            },
            None => {
                self.ck.err(
                    fm.entries().first().map_or(fm.span, |(k, _)| k.span),
                    "flow has no `name`",
                    "this flow",
                    "every flow needs `name:`",
                );
                None
            }
        };
        let bus = fm.get("bus").and_then(|b| self.bus_name(b));
        let requires = fm
            .get("requires")
            .map(|r| self.requirements(r, "`requires`"))
            .unwrap_or_default();
        let (name, name_span) = name?;
        if !seen.insert(name.clone()) {
            self.ck.err(
                name_span,
                format!("flow `{name}` is declared twice"),
                "duplicate name",
                "flow names must be unique in a file",
            );
        }
        Some(Flow {
            name,
            name_span: Span::new(self.id, name_span),
            bus,
            requires,
        })
    }

    /// `settings:`.
    fn settings(&mut self, sm: &Node) -> Settings {
        let mut out = Settings::default();
        self.ck.keys(sm, &names(SETTINGS_KEYS), "`settings`");
        if let Some(n) = sm.get("include") {
            out.include = self.globs(n, "`include`");
        }
        if let Some(n) = sm.get("exclude") {
            out.exclude = self.globs(n, "`exclude`");
        }
        if let Some(n) = sm.get("rules")
            && let Some(rm) = self.ck.expect_map(n, "`settings.rules`")
        {
            out.rules = self.rule_levels(rm);
        }
        if let Some(n) = sm.get("fail_on") {
            let s = n.scalar_text().unwrap_or_default();
            match FailOn::parse(&s) {
                Some(f) => out.fail_on = Some(f),
                None => self.ck.err(
                    n.span,
                    format!("unknown fail_on `{s}`"),
                    "not accepted",
                    format!(
                        "{}fail_on accepts {}",
                        did_you_mean(&s, FAIL_ON.iter().copied()),
                        FAIL_ON.join(" | ")
                    ),
                ),
            }
        }
        if let Some(n) = sm.get("per_file_ignores")
            && let Some(pm) = self.ck.expect_map(n, "`settings.per_file_ignores`")
        {
            out.per_file_ignores = self.per_file_ignores(pm);
        }
        if let Some(n) = sm.get("max_file_size") {
            let text = n.scalar_text().unwrap_or_default();
            match crate::lang::quantity::parse_size(&text) {
                Some(v) if v >= 1.0 && v <= crate::source::read::MAX_FILE_BYTES_LIMIT as f64 => {
                    out.max_file_size = Some(v as u64);
                }
                _ => self.ck.err(
                    n.span,
                    format!("`max_file_size` must be a size from 1B to 1GiB, found `{text}`"),
                    "not accepted",
                    "such as 16MiB (the default), 512KiB or 100MB",
                ),
            }
        }
        for (key, slot) in [
            ("baseline", &mut out.baseline),
            ("custom_rules", &mut out.custom_rules),
        ] {
            if let Some(n) = sm.get(key) {
                match n.as_str() {
                    // a pull request can edit busfit.yaml: its paths stay inside the repository
                    Some(s)
                        if Path::new(s).is_absolute()
                            || Path::new(s)
                                .components()
                                .any(|c| matches!(c, std::path::Component::ParentDir)) =>
                    {
                        self.ck.err(
                            n.span,
                            format!("`{key}` must stay below this busfit.yaml, found `{s}`"),
                            "absolute or climbing path",
                            "give a path relative to busfit.yaml, without `..`",
                        )
                    }
                    Some(s) => *slot = Some(s.to_owned()),
                    None => self.ck.err(
                        n.span,
                        format!("`{key}` must be a path, found {}", n.kind_name()),
                        "expected a path",
                        "",
                    ),
                }
            }
        }
        out
    }

    /// `settings.rules`: severity by rule code or name.
    fn rule_levels(&mut self, rm: &Node) -> BTreeMap<String, Option<Severity>> {
        let mut out = BTreeMap::new();
        for (k, v) in rm.entries() {
            let key = k.scalar_text().unwrap_or_default();
            if self.kb.rule(&key).is_none() {
                let all: Vec<&str> = self.kb.rule_names().collect();
                let help = format!(
                    "{}see `busfit rules` for every code and name",
                    did_you_mean(&key, all.iter().copied())
                );
                self.ck.err(
                    k.span,
                    format!("unknown rule `{key}`"),
                    "unknown rule",
                    help,
                );
                continue;
            }
            let level = match v.scalar_text().as_deref() {
                Some("off") | Some("false") => None,
                Some(s) => match Severity::parse(s) {
                    Some(sev) => Some(sev),
                    None => {
                        self.ck.err(
                            v.span,
                            format!("unknown level `{s}`"),
                            "not accepted",
                            format!("levels: {}", RULE_LEVELS.join(", ")),
                        );
                        continue;
                    }
                },
                None => {
                    self.ck.err(
                        v.span,
                        "a rule's level must be off, error, warning or info",
                        "not accepted",
                        "",
                    );
                    continue;
                }
            };
            out.insert(key, level);
        }
        out
    }

    /// A list of globs, each checked: an invalid one is an error at its place (a glob that
    /// silently matches nothing would let through what it was written to exclude).
    fn globs(&mut self, node: &Node, what: &str) -> Vec<String> {
        let globs = self.ck.string_list(node, what);
        for (i, g) in globs.iter().enumerate() {
            if let Err(e) = globset::Glob::new(g) {
                let at = match &node.value {
                    Value::Seq(items) => items.get(i).map_or(node.span, |n| n.span),
                    _ => node.span,
                };
                self.ck.err(
                    at,
                    format!("invalid glob `{g}`: {}", e.kind()),
                    "invalid glob",
                    "globs use `*`, `**`, `?`, `[abc]` and `{a,b}`, as in .gitignore",
                );
            }
        }
        globs
    }

    /// `environments:`: environment → globs of the files in it.
    fn environments(&mut self, em: &Node) -> Vec<(Environment, Vec<String>)> {
        let mut out = Vec::new();
        for (k, v) in em.entries() {
            let name = k.scalar_text().unwrap_or_default();
            let Some(env) = Environment::parse(&name) else {
                self.ck.err(
                    k.span,
                    format!("unknown environment `{name}`"),
                    "not an environment",
                    format!(
                        "{}environments: {}",
                        did_you_mean(&name, Environment::names().into_iter()),
                        Environment::names().join(" | ")
                    ),
                );
                continue;
            };
            let globs = self.globs(v, "an environment's globs");
            out.push((env, globs));
        }
        out
    }

    /// `settings.per_file_ignores`: glob → rule codes.
    fn per_file_ignores(&mut self, pm: &Node) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for (k, v) in pm.entries() {
            let glob = k.scalar_text().unwrap_or_default();
            if globset::Glob::new(&glob).is_err() {
                self.ck
                    .err(k.span, format!("invalid glob `{glob}`"), "invalid glob", "");
                continue;
            }
            let mut codes = Vec::new();
            for c in self.ck.string_list(v, "a per-file ignore") {
                match self.kb.rule(&c) {
                    Some(r) => codes.push(r.code.clone()),
                    None => self.ck.err(
                        v.span,
                        format!("unknown rule `{c}`"),
                        "unknown rule",
                        "see `busfit rules`",
                    ),
                }
            }
            out.push((glob, codes));
        }
        out
    }

    /// `buses:`: figures of profiles replaced for this deployment.
    fn overrides(&mut self, bm: &Node) -> Vec<Override> {
        let mut out = Vec::new();
        for (k, v) in bm.entries() {
            let Some((bus, _)) = self.bus_name(k) else {
                continue;
            };
            let Some(fm) = self.ck.expect_map(v, "a bus override") else {
                continue;
            };
            let Some(profile) = self.kb.profile(&bus) else {
                continue;
            };
            for (fk, fv) in fm.entries() {
                out.extend(self.override_figure(profile, &bus, fk, fv));
            }
        }
        out
    }

    /// One figure of a bus profile replaced in `buses:`.
    fn override_figure(
        &mut self,
        profile: &crate::kb::Profile,
        bus: &str,
        fk: &Node,
        fv: &Node,
    ) -> Option<Override> {
        let fig = fk.scalar_text().unwrap_or_default();
        // `latency` alone addresses the typical range
        let path = resolve_figure(profile, &fig);
        let Some(path) = path else {
            let mut all: Vec<&str> = SHORTHANDS.iter().map(|s| s.0).collect();
            all.extend(
                profile
                    .figures
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !k.ends_with(".source") && !k.ends_with(".how")),
            );
            let help = format!(
                "{}figures of {bus}: {}",
                did_you_mean(&fig, all.iter().copied()),
                all.join(", ")
            );
            self.ck.err(
                fk.span,
                format!("{bus} has no figure `{fig}`"),
                "unknown figure",
                help,
            );
            return None;
        };
        let current = profile.figures.get(&path).cloned();
        let new = match (&fv.value, &current) {
            (Value::Seq(items), _) => {
                Val::Set(items.iter().filter_map(|i| i.scalar_text()).collect())
            }
            (Value::Bool(b), _) => Val::Bool(*b),
            _ => Val::from_text(&fv.scalar_text().unwrap_or_default()),
        };
        let ok = match (&current, &new) {
            (Some(Val::Range(a, _)), Val::Range(b, _)) => a.dim.compatible(b.dim),
            (Some(Val::Range(a, _)), Val::Qty(b)) => a.dim.compatible(b.dim),
            (Some(Val::Qty(a)), Val::Qty(b)) => a.dim.compatible(b.dim),
            (Some(Val::Bool(_)), Val::Bool(_)) => true,
            (Some(Val::Str(_)), Val::Str(_)) => true,
            (Some(Val::Set(_)), Val::Set(_)) => true,
            _ => false,
        };
        if !ok {
            let was = current.map(|c| c.to_string()).unwrap_or_default();
            self.ck.err(fv.span, format!("`{fig}` of {bus} cannot be `{}`", fv.scalar_text().unwrap_or_default()), "wrong type", format!("the profile's value is `{was}`; give a value of the same kind (a range is written 5ms..40ms)"));
            return None;
        }
        let new = match (current, new) {
            (Some(Val::Range(..)), Val::Qty(q)) => Val::Range(q, q),
            (_, n) => n,
        };
        Some(Override {
            bus: bus.to_owned(),
            figure: path,
            val: new,
        })
    }

    fn requirements(&mut self, node: &Node, what: &str) -> Requirements {
        let mut out = Requirements::default();
        let Some(map) = self.ck.expect_map(node, what) else {
            return out;
        };
        for (k, v) in map.entries() {
            let key = k.scalar_text().unwrap_or_default();
            let Some(def) = requirements::key_def(&key) else {
                let all: Vec<&str> = requirements::key_names().collect();
                let help = format!(
                    "{}accepted requirements: {}",
                    did_you_mean(&key, all.iter().copied()),
                    all.join(", ")
                );
                self.ck.err(
                    k.span,
                    format!("unknown requirement `{key}`"),
                    "unknown requirement",
                    help,
                );
                continue;
            };
            let (items, is_list) = match &v.value {
                Value::Seq(items) => {
                    let mut texts = Vec::new();
                    for i in items {
                        match i.value {
                            Value::Seq(_) | Value::Map(_) | Value::Null => {
                                self.ck.err(
                                    i.span,
                                    format!(
                                        "`{key}` entries must be words, found {}",
                                        i.kind_name()
                                    ),
                                    "expected a word",
                                    def.kind.accepted(),
                                );
                            }
                            _ => texts.push(i.scalar_text().unwrap_or_default()),
                        }
                    }
                    (texts, true)
                }
                Value::Map(_) | Value::Null => {
                    self.ck.err(
                        v.span,
                        format!(
                            "`{key}` must be {}, found {}",
                            short_kind(&def.kind),
                            v.kind_name()
                        ),
                        "wrong type",
                        format!("`{key}` accepts {}", def.kind.accepted()),
                    );
                    continue;
                }
                Value::Bool(_) if !matches!(def.kind, Kind::Bool) => {
                    self.ck.err(
                        v.span,
                        format!("`{key}` must be {}, found a boolean", short_kind(&def.kind)),
                        "wrong type",
                        format!("`{key}` accepts {}", def.kind.accepted()),
                    );
                    continue;
                }
                Value::Str(s) if matches!(def.kind, Kind::Bool) => {
                    self.ck.err(
                        v.span,
                        format!("`{key}` must be true or false, found the string `{s}`"),
                        "wrong type",
                        "write true or false without quotes",
                    );
                    continue;
                }
                _ => {
                    // a single word for a list key is accepted as a one-item list
                    (vec![v.scalar_text().unwrap_or_default()], false)
                }
            };
            match requirements::parse_value(def, &items, is_list) {
                Ok(val) => {
                    // a list points at its items, not at the bracket
                    let span = match v.items() {
                        [first, .., last] => ByteSpan::new(first.span.start, last.span.end),
                        [only] => only.span,
                        [] => v.span,
                    };
                    out.map.insert(
                        def.key.to_owned(),
                        ReqValue {
                            val,
                            span: Some(Span::new(self.id, span)),
                        },
                    );
                }
                Err(bad) => {
                    // point at the offending list item when there is one
                    let span = match &v.value {
                        Value::Seq(list) => list
                            .iter()
                            .find(|i| {
                                bad.message
                                    .contains(&format!("`{}`", i.scalar_text().unwrap_or_default()))
                            })
                            .map_or(v.span, |i| i.span),
                        _ => v.span,
                    };
                    self.ck.err(span, bad.message, "not accepted", bad.help);
                }
            }
        }
        out
    }

    fn bus_name(&mut self, node: &Node) -> Option<(String, Span)> {
        let Some(name) = node.as_str() else {
            self.ck.err(
                node.span,
                format!("`bus` must be a bus kind, found {}", node.kind_name()),
                "expected a bus kind",
                format!(
                    "bus kinds: {}",
                    self.kb.bus_names().collect::<Vec<_>>().join(", ")
                ),
            );
            return None;
        };
        if self.kb.profile(name).is_none() {
            let names: Vec<&str> = self.kb.bus_names().collect();
            let help = format!(
                "{}bus kinds: {}",
                did_you_mean(name, names.iter().copied()),
                names.join(", ")
            );
            self.ck.err(
                node.span,
                format!("unknown bus `{name}`"),
                "unknown bus",
                help,
            );
            return None;
        }
        Some((name.to_owned(), Span::new(self.id, node.span)))
    }
}

fn short_kind(k: &Kind) -> &'static str {
    match k {
        Kind::Level(_) | Kind::Word(_) => "a word",
        Kind::Quantity(_) => "a quantity",
        Kind::Words(_) => "a list of words",
        Kind::Bool => "true or false",
    }
}

/// Reads and validates a busfit.yaml; `id` is its place in the run's file table.
pub fn parse(
    file: &SourceFile,
    dir: &str,
    id: FileId,
    kb: &Kb,
) -> Result<Manifest, Vec<ConfigError>> {
    let root = yaml::parse(&file.text).map_err(|e| {
        vec![
            ConfigError::new(file, e.span, format!("invalid YAML: {}", e.message))
                .label("here")
                .code("busfit::manifest"),
        ]
    })?;
    let mut cx = Ctx {
        ck: Checker::new(file, "busfit::manifest"),
        kb,
        id,
    };
    let mut m = Manifest {
        file: file.clone(),
        id,
        dir: dir.to_owned(),
        flows: Vec::new(),
        defaults: Requirements::default(),
        settings: Settings::default(),
        overrides: Vec::new(),
        environments: Vec::new(),
    };
    if !root.is_map() {
        cx.ck.err(
            root.span,
            format!(
                "busfit.yaml must be a mapping with `version: 1`, found {}",
                root.kind_name()
            ),
            "expected a mapping",
            "start the file with `version: 1` and a `flows:` list",
        );
        return Err(cx.ck.errors);
    }
    cx.ck.keys(&root, &names(TOP_KEYS), "busfit.yaml");
    match root.get("version") {
        Some(v) if v.value == Value::Int(1) => {}
        Some(v) => cx.ck.err(
            v.span,
            "unsupported version",
            "expected 1",
            "this busfit reads `version: 1`",
        ),
        None => cx.ck.err(
            ByteSpan::new(0, 0),
            "missing `version`",
            "here",
            "add `version: 1` at the top of the file",
        ),
    }
    if let Some(flows) = root.get("flows") {
        m.flows = cx.flows(flows);
    }
    if let Some(d) = root.get("defaults")
        && let Some(dm) = cx.ck.expect_map(d, "`defaults`")
    {
        cx.ck.keys(dm, &names(DEFAULTS_KEYS), "`defaults`");
        if let Some(r) = dm.get("requires") {
            m.defaults = cx.requirements(r, "`defaults.requires`");
        }
    }
    if let Some(s) = root.get("settings")
        && let Some(sm) = cx.ck.expect_map(s, "`settings`")
    {
        m.settings = cx.settings(sm);
    }
    if let Some(b) = root.get("buses")
        && let Some(bm) = cx.ck.expect_map(b, "`buses`")
    {
        m.overrides = cx.overrides(bm);
    }
    if let Some(e) = root.get("environments")
        && let Some(em) = cx.ck.expect_map(e, "`environments`")
    {
        m.environments = cx.environments(em);
    }
    if cx.ck.errors.is_empty() {
        Ok(m)
    } else {
        Err(cx.ck.errors)
    }
}

/// Criterion names that stand for a profile's main figure in `buses:`.
const SHORTHANDS: &[(&str, &str)] = &[
    ("latency", "latency.typical"),
    ("throughput", "throughput.node"),
    ("message_size", "message_size.default"),
    ("retention", "retention.max"),
    ("connections", "connections.max"),
    ("complexity", "complexity.level"),
    ("security", "security.features"),
    ("ecosystem", "ecosystem.features"),
];

/// `latency` → `latency.typical`, `throughput` → `throughput.node`: a criterion names its main figure.
fn resolve_figure(profile: &crate::kb::Profile, fig: &str) -> Option<String> {
    if profile.figures.contains_key(fig) && !fig.ends_with(".source") && !fig.ends_with(".how") {
        return Some(fig.to_owned());
    }
    let main = SHORTHANDS.iter().find(|s| s.0 == fig)?.1;
    profile.figures.contains_key(main).then(|| main.to_owned())
}

/// Applies overrides to a copy of the profile. A typical range that now starts
/// below the floor lowers the floor with it.
pub fn apply_overrides(profile: &crate::kb::Profile, overrides: &[Override]) -> crate::kb::Profile {
    let mut p = profile.clone();
    for o in overrides.iter().filter(|o| o.bus == p.bus) {
        if let Val::Range(lo, _) = &o.val {
            let head = o.figure.split('.').next().unwrap_or("");
            let floor_key = format!("{head}.floor");
            if let Some(Val::Qty(f)) = p.figures.get(&floor_key)
                && lo.value < f.value
            {
                let lo = *lo;
                p.figures.insert(floor_key, Val::Qty(lo));
            }
        }
        p.figures.insert(o.figure.clone(), o.val.clone());
    }
    // a deployment's own figures hold whatever kind of the bus it is
    p.variants = p
        .variants
        .iter()
        .map(|v| apply_overrides(v, overrides))
        .collect();
    p
}

/// Reads a `requires:` mapping written inline in another file (compose `x-busfit`,
/// `[tool.busfit]`, …), with the same checks and diagnostics as busfit.yaml.
pub fn parse_requirements(
    file: &SourceFile,
    id: FileId,
    node: &Node,
    kb: &Kb,
) -> Result<Requirements, Vec<ConfigError>> {
    let mut cx = Ctx {
        ck: Checker::new(file, "busfit::manifest"),
        kb,
        id,
    };
    let r = cx.requirements(node, "`requires`");
    if cx.ck.errors.is_empty() {
        Ok(r)
    } else {
        Err(cx.ck.errors)
    }
}

/// An inline declaration: its name, bus and requirements, each optional.
pub type InlineDecl = (Option<String>, Option<(String, Span)>, Requirements);

/// Reads an inline declaration: `{ name?, bus?, requires }`.
pub fn parse_inline(
    file: &SourceFile,
    id: FileId,
    node: &Node,
    kb: &Kb,
) -> Result<InlineDecl, Vec<ConfigError>> {
    let mut cx = Ctx {
        ck: Checker::new(file, "busfit::manifest"),
        kb,
        id,
    };
    let mut out = (None, None, Requirements::default());
    if let Some(m) = cx.ck.expect_map(node, "an inline busfit declaration") {
        cx.ck
            .keys(m, &names(FLOW_KEYS), "an inline busfit declaration");
        out.0 = m.get("name").and_then(|n| n.as_str().map(str::to_owned));
        out.1 = m.get("bus").and_then(|b| cx.bus_name(b));
        if let Some(r) = m.get("requires") {
            out.2 = cx.requirements(r, "`requires`");
        }
    }
    if cx.ck.errors.is_empty() {
        Ok(out)
    } else {
        Err(cx.ck.errors)
    }
}
