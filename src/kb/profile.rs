//! Bus profiles (`rules/buses/*.yaml`): every criterion of the comparison with its sources,
//! the figures rules compare against, and how the bus is recognised in a repository's files.

use std::collections::BTreeMap;

use super::{COMPARISON_ROWS, parse_file};
use crate::lang::expr::Val;
use crate::lang::spelling::did_you_mean;
use crate::source::{ConfigError, SourceFile};
use crate::tree::validate::{Checker, scalar, words};
use crate::tree::yaml::{Node, Value};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Row {
    pub key: String,
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    pub bus: String,
    /// Where the bus stands among the others (its column in `busfit buses`).
    pub order: i64,
    pub name: String,
    pub modes: Vec<String>,
    /// For a bus with modes: requirements judged on the bus as a whole whatever the mode
    /// (Redis is a cache whether its messages go through Pub/Sub or Streams).
    pub whole_bus: Vec<String>,
    /// Kinds of the bus whose figures differ, not bus kinds of their own (a single Mosquitto,
    /// a clustered MQTT broker; RabbitMQ's queues and its Streams): a bus whose kind is not
    /// known is judged as its best single kind, like a bus with modes.
    pub variants: Vec<Profile>,
    /// For one of a bus's variants: its key (`mosquitto`, `streams`)…
    pub variant: Option<String>,
    /// …and the word of a deployment's evidence that makes the deployment this variant
    /// (`mosquitto` in `image eclipse-mosquitto:2`): its settings are judged on these figures.
    pub variant_evidence: Option<String>,
    pub comparison: Vec<Row>,
    /// Flattened figures: `delivery.max` → value.
    pub figures: BTreeMap<String, Val>,
    pub recognition: Recognition,
    /// What the broker does with a setting that is not written (contract §6).
    pub defaults: Vec<DefaultSetting>,
    /// How a deployment of the bus is used (contract §7), first match wins.
    pub roles: Vec<RoleRule>,
    /// Image families whose conventions and defaults differ from the program's (contract §7:
    /// what actually runs).
    pub images: Vec<ImageFamily>,
    pub file: String,
}

/// A family of images of the bus (Bitnami's, the official one): the environment variables it
/// reads as settings, and the defaults in which it differs from the program, each with its
/// source. The effective value of a setting is: program default ← image default ← config file
/// ← environment ← command flags.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ImageFamily {
    pub family: String,
    /// Image paths (as `image_path` normalises them) of the family.
    pub images: Vec<String>,
    /// Variable → setting, for variables the family's entrypoint reads.
    pub env: Vec<(String, String)>,
    pub defaults: Vec<DefaultSetting>,
    pub source: String,
}

/// A role a deployment can play (`broker`, `cache`, `store`) and its evidence: words in the
/// names of the variables its clients reach it by (`CELERY_BROKER_URL`, `CACHE_URL`) or in
/// its own name, and values of its own settings (`maxmemory-policy allkeys-lru`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RoleRule {
    pub role: String,
    /// Whether requirements of the flows on the bus apply to a deployment in this role (a
    /// cache carries no messages: they do not).
    pub carries_messages: bool,
    pub words: Vec<String>,
    pub settings: Vec<(String, Vec<String>)>,
    pub source: String,
}

/// A broker setting's default, with the source it was read from.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DefaultSetting {
    pub key: String,
    pub value: String,
    pub source: String,
    /// Applies only to deployments whose evidence holds this word (one broker of several
    /// the profile covers: `mosquitto`).
    pub evidence: Option<String>,
    /// Whether a chart's values take the default too (the chart leaves the key to the broker).
    pub charts: bool,
    /// A fact of the broker rather than a key one could write (`clustering: none` for
    /// Mosquitto): findings do not say it "is not set".
    pub implied: bool,
}

/// How a bus is recognised in a repository's files.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Recognition {
    /// Image names without registry or tag: `confluentinc/cp-kafka`, `redis`.
    pub images: Vec<String>,
    /// Words that name the bus in an image of its own build (`acme/kafka-broker`,
    /// `rhel7-atomic-kafka`), and words that make such an image a tool around it instead
    /// (`kafka-ui`, `redis-exporter`).
    pub image_words: Vec<String>,
    pub tool_words: Vec<String>,
    /// Settings (after the env convention) that only a broker's environment holds: a container
    /// of any image with one of them is a broker of the bus.
    pub env_markers: Vec<String>,
    /// The ports the broker listens on, to corroborate an image named after the bus.
    pub ports: Vec<String>,
    /// Environment variables that carry settings, by prefix, with the spelling convention.
    pub env: Vec<EnvRule>,
    pub command: Option<CommandRule>,
    /// How the broker count of a cluster is added up from its members.
    pub nodes: Option<NodeRule>,
    /// How listeners are written (Kafka's `listeners` and protocol map): each listener in
    /// use is given to rules as a setting `listener` of its own, at its own bytes.
    #[serde(default)]
    pub listeners: Option<ListenerRule>,
    pub files: Vec<FileRule>,
    /// Client libraries by ecosystem: cargo, npm, pypi, go, maven (also read from sbt and
    /// Leiningen), nuget (.csproj), rubygems (Gemfile).
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
    /// How Spring Boot's configuration configures a client of the bus.
    pub spring: Option<SpringRule>,
    /// Terraform resources that deploy the bus as a managed service.
    pub terraform: Vec<TerraformRule>,
}

/// A Terraform resource type that deploys the bus (`aws_msk_cluster`): the attributes that
/// must hold for it to be this bus (`engine_type: [RabbitMQ]`), and its attribute paths
/// (nested blocks joined by `.`) mapped onto setting keys as a custom resource's are
/// (`key|default` where leaving it out means something).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct TerraformRule {
    pub resource: String,
    /// Resources of one cluster share this key; a `part` joins the cluster's deployment
    /// (`aws_msk_configuration` joins its `aws_msk_cluster`).
    pub cluster: Option<String>,
    pub part: bool,
    pub only_if: Vec<(String, Vec<String>)>,
    pub settings: Vec<(String, String)>,
}

/// Spring Boot keys (`application*.yml|properties`) of one bus: the prefixes they live under
/// and their mapping onto the bus's setting keys. Keys compare with relaxed binding
/// (`enable-auto-commit` = `enableAutoCommit` = `enable_auto_commit`); a key ending in `.*`
/// maps everything under it, the rest of the key appended to the target's prefix (`*`: none).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SpringRule {
    pub prefixes: Vec<String>,
    pub keys: Vec<(String, String)>,
    /// Setting keys whose values are words Spring spells freely (`READ_COMMITTED`,
    /// `read-committed`): read lower-cased with `_` for `-`.
    pub words: Vec<String>,
}

/// A custom resource that deploys the bus. `settings` maps paths in the resource
/// (`spec.kafka.listeners[].tls`) to setting keys; `*` takes every entry of a mapping,
/// `@conf` / `@properties` read a string as a config file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KindRule {
    pub group: String,
    pub kind: String,
    /// The label that names the resource this one is part of (`strimzi.io/cluster`): its
    /// settings join that resource's deployment.
    pub part_of: Option<String>,
    pub settings: Vec<(String, String)>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EnvRule {
    pub prefix: String,
    /// `dots`: `_` → `.`; `confluent`: `___` → `-`, `__` → `_`, `_` → `.`; `hocon`: `__` → `.`.
    pub style: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CommandRule {
    pub programs: Vec<String>,
    pub style: String,
    /// Flags that make the deployment another bus kind (`-js` → nats-jetstream).
    pub upgrade: Option<(Vec<String>, String)>,
    /// Config files the images ship, by path, with their text: running one is running that
    /// configuration (`mosquitto -c /mosquitto-no-auth.conf`).
    pub builtin: Vec<(String, String)>,
    /// Commands that make a container a one-shot client of the bus, not a broker
    /// (`kafka-topics`, `redis-cli`).
    pub one_shot: Vec<String>,
    /// Commands that make a container a tool around the bus that holds no data and serves no
    /// client's messages (`redis-sentinel`): neither a broker nor a client.
    pub tools: Vec<String>,
    /// Where the image reads its config when the command names none: a file mounted there is
    /// the config it runs.
    pub default_configs: Vec<String>,
}

/// Listeners in use and their protocols (contract §7, issue 22): the names that the `lists`
/// settings (`NAME://host:port,…`) and the `names` settings (`inter.broker.listener.name`)
/// use, each with its protocol from the `map` setting (`NAME:PROTOCOL,…`), or its own name
/// when there is no map.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ListenerRule {
    pub lists: Vec<String>,
    pub map: String,
    pub names: Vec<String>,
    /// The setting each listener in use becomes, valued `NAME:PROTOCOL`.
    pub setting: String,
    /// The list of addresses clients are told to connect to (`advertised.listeners`); a
    /// listener it leaves out advertises its own address.
    pub advertised: Option<String>,
    /// The setting a published port's listener becomes (`NAME:PROTOCOL`, at the published
    /// entry) when clients beyond the host can follow what it advertises.
    pub published: Option<String>,
}

/// How a cluster's broker count is added up from its members (contract §6): each member
/// holds `per_member` nodes (1 when absent) and counts when its `roles` setting, if any,
/// holds `role`; the total becomes the setting `count`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NodeRule {
    pub count: String,
    pub per_member: String,
    pub roles: Vec<String>,
    pub role: String,
    /// Settings whose value names the cluster a node belongs to (`controller.quorum.voters`):
    /// compose services of one file that agree on it are one cluster.
    pub cluster_by: Vec<String>,
    /// Settings only a node of `role` reads (a KRaft controller hosts no partitions: it has no
    /// offsets topic to replicate and creates no topics). A member whose roles leave `role`
    /// out is not judged on them, and is not given their defaults.
    #[serde(default)]
    pub role_settings: Vec<String>,
}

impl NodeRule {
    /// Whether a member with these settings holds the role (true when no roles are written).
    #[must_use]
    pub fn holds_role<'a>(&self, settings: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
        let settings: Vec<(&str, &str)> = settings.collect();
        // the first roles key written decides, at its last occurrence
        let found = self
            .roles
            .iter()
            .find_map(|r| settings.iter().rev().find(|(k, _)| k == r).map(|(_, v)| *v));
        found.is_none_or(|v| v.split(',').any(|w| w.trim() == self.role))
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FileRule {
    pub glob: String,
    /// The glob, compiled on first use (most runs never match a ConfigMap key against it).
    #[serde(skip)]
    matcher: std::sync::OnceLock<Option<globset::GlobMatcher>>,
    /// `properties` (`key=value`) or `conf` (`key value`).
    pub format: String,
    /// Keys one of which must appear for the file to count (empty: any file of that name).
    pub markers: Vec<String>,
    /// Keys whose presence makes the deployment another bus kind (`jetstream` → nats-jetstream).
    pub upgrade: Option<(Vec<String>, String)>,
    /// Keys whose presence says the file is something else (a Sentinel's `sentinel`).
    pub not_markers: Vec<String>,
    /// What the file configures, when it is not the bus's server itself (`sentinel`): its
    /// settings are read under `<role>.` so the server's rules do not judge them.
    pub role: Option<String>,
    /// Whether the file is a broker's whole configuration, so keys it leaves out take the
    /// broker's defaults (`broker_defaults: false` for a client's file).
    pub complete: bool,
    /// The file configures a client of the bus, not a broker (`client: kafka-client`): it is
    /// listed among the clients with this source, and its settings are judged there.
    pub client: Option<String>,
}

impl FileRule {
    /// Whether a file name matches the rule's glob.
    pub fn matches(&self, name: &str) -> bool {
        self.matcher
            .get_or_init(|| {
                globset::Glob::new(&self.glob)
                    .ok()
                    .map(|g| g.compile_matcher())
            })
            .as_ref()
            .is_some_and(|m| m.is_match(name))
    }
}

pub const ENV_STYLES: &[&str] = &["dots", "confluent", "hocon"];
pub const FILE_FORMATS: &[&str] = &["properties", "conf"];
pub const ECOSYSTEMS: &[&str] = &["cargo", "npm", "pypi", "go", "maven", "nuget", "rubygems"];

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

    /// How sentences name the profile when it is one mode or variant of another: the mode's bus
    /// kind (`redis-streams`) or the variant's name (`a single Mosquitto`).
    pub fn label(&self) -> &str {
        if self.variant.is_some() {
            &self.name
        } else {
            &self.bus
        }
    }

    /// What `recommend` gives as the entry's `mode`: the mode's bus kind or the variant's key.
    pub fn mode_word(&self) -> &str {
        self.variant.as_deref().unwrap_or(&self.bus)
    }

    pub fn row(&self, key: &str) -> Option<&Row> {
        self.comparison.iter().find(|r| r.key == key)
    }
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
            "variants",
            "whole_bus",
            "comparison",
            "figures",
            "recognition",
            "defaults",
            "roles",
            "images",
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
    let whole_bus = words(root.get("whole_bus"));
    for w in &whole_bus {
        if super::requirements::key_def(w).is_none() {
            let span = root.get("whole_bus").map_or(root.span, |n| n.span);
            f.err(
                span,
                format!("unknown requirement `{w}` in `whole_bus`"),
                "here",
                "",
            );
        }
    }
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
        load_figures(&mut f, fig, &mut figures);
    }
    // kinds of the bus whose figures differ (a single Mosquitto, a clustered broker): each is
    // the bus's figures with its own written over them
    let mut variants = Vec::new();
    for (k, v) in root.get("variants").map(Node::entries).unwrap_or_default() {
        let key = k.scalar_text().unwrap_or_default();
        f.keys(v, &["name", "evidence", "figures"], "a variant");
        let vname = f.text(v, "name", true).map(|s| s.0).unwrap_or_default();
        let evidence = v.get("evidence").and_then(scalar);
        let mut own = figures.clone();
        if let Some(fig) = v.get("figures") {
            load_figures(&mut f, fig, &mut own);
        }
        variants.push((key, vname, evidence, own));
    }
    let recognition = root
        .get("recognition")
        .map(|r| load_recognition(&mut f, r))
        .unwrap_or_default();
    let defaults = load_defaults(
        &mut f,
        root.get("defaults"),
        &["value", "source", "evidence", "charts", "implied"],
        "a default",
    );
    let mut roles = Vec::new();
    for r in root.get("roles").map(Node::items).unwrap_or_default() {
        f.keys(
            r,
            &["role", "carries_messages", "words", "settings", "source"],
            "a role",
        );
        let (Some(role), Some(source)) = (
            r.get("role").and_then(scalar),
            r.get("source").and_then(scalar),
        ) else {
            f.err(r.span, "a role needs `role` and `source`", "here", "");
            continue;
        };
        roles.push(RoleRule {
            role,
            carries_messages: r.get("carries_messages").and_then(scalar).as_deref()
                != Some("false"),
            words: words(r.get("words"))
                .into_iter()
                .map(|w| w.to_ascii_lowercase())
                .collect(),
            settings: r
                .get("settings")
                .map(Node::entries)
                .unwrap_or_default()
                .iter()
                .map(|(k, v)| (k.scalar_text().unwrap_or_default(), words(Some(v))))
                .collect(),
            source,
        });
    }
    let mut images = Vec::new();
    for r in root.get("images").map(Node::items).unwrap_or_default() {
        f.keys(
            r,
            &["family", "images", "env", "defaults", "source"],
            "an image family",
        );
        let (Some(family), Some(source)) = (
            r.get("family").and_then(scalar),
            r.get("source").and_then(scalar),
        ) else {
            f.err(
                r.span,
                "an image family needs `family` and `source`",
                "here",
                "",
            );
            continue;
        };
        let defaults = load_defaults(
            &mut f,
            r.get("defaults"),
            &["value", "source"],
            "an image default",
        );
        images.push(ImageFamily {
            family,
            images: words(r.get("images")),
            env: r
                .get("env")
                .map(Node::entries)
                .unwrap_or_default()
                .iter()
                .filter_map(|(k, v)| Some((k.scalar_text()?, v.scalar_text()?)))
                .collect(),
            defaults,
            source,
        });
    }
    if f.errors.is_empty() {
        let mut profile = Profile {
            bus,
            order,
            name,
            modes,
            variants: Vec::new(),
            variant: None,
            variant_evidence: None,
            whole_bus,
            comparison,
            figures,
            recognition,
            defaults,
            roles,
            images,
            file: file.name.clone(),
        };
        profile.variants = variants
            .into_iter()
            .map(|(key, name, evidence, figures)| Profile {
                name,
                figures,
                variant: Some(key),
                variant_evidence: evidence,
                ..profile.clone()
            })
            .collect();
        Ok(profile)
    } else {
        Err(f.errors)
    }
}

/// A `defaults:` mapping (a profile's, an image family's): key → value with its source;
/// `allowed` says which fields this kind of default may have.
fn load_defaults(
    f: &mut Checker<'_>,
    n: Option<&Node>,
    allowed: &[&str],
    what: &str,
) -> Vec<DefaultSetting> {
    let mut out = Vec::new();
    for (k, v) in n.map(Node::entries).unwrap_or_default() {
        let key = k.scalar_text().unwrap_or_default();
        f.keys(v, allowed, what);
        match (
            v.get("value").and_then(scalar),
            v.get("source").and_then(scalar),
        ) {
            (Some(value), Some(source)) => out.push(DefaultSetting {
                key,
                value,
                source,
                evidence: v.get("evidence").and_then(scalar),
                charts: v.get("charts").and_then(scalar).as_deref() == Some("true"),
                implied: v.get("implied").and_then(scalar).as_deref() == Some("true"),
            }),
            _ => f.err(
                v.span,
                format!("{what} `{key}` needs `value` and `source`"),
                "here",
                "every default carries its source",
            ),
        }
    }
    out
}

/// Flattens a `figures:` mapping (`delivery: {max: …}` → `delivery.max`) into `out`; every
/// block carries its source.
fn load_figures(f: &mut Checker<'_>, fig: &Node, out: &mut BTreeMap<String, Val>) {
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
                    out.insert(format!("{crit}.{fname}"), v);
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

fn load_recognition(f: &mut Checker<'_>, r: &Node) -> Recognition {
    let mut out = Recognition {
        images: words(r.get("images")),
        image_words: words(r.get("image_words")),
        tool_words: words(r.get("tool_words")),
        env_markers: words(r.get("env_markers")),
        ports: words(r.get("ports")),
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
        let builtin = c
            .get("builtin")
            .map(|b| {
                b.entries()
                    .iter()
                    .filter_map(|(k, v)| {
                        if v.get("source").is_none() {
                            f.err(v.span, "a built-in config needs its `source`", "here", "");
                        }
                        Some((k.scalar_text()?, v.get("text").and_then(scalar)?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.command = Some(CommandRule {
            programs: words(c.get("programs")),
            style,
            upgrade,
            builtin,
            one_shot: words(c.get("one_shot")),
            tools: words(c.get("tools")),
            default_configs: words(c.get("default_configs")),
        });
    }
    if let Some(l) = r.get("listeners") {
        out.listeners = Some(ListenerRule {
            lists: words(l.get("lists")),
            map: l.get("map").and_then(scalar).unwrap_or_default(),
            names: words(l.get("names")),
            setting: l
                .get("setting")
                .and_then(scalar)
                .unwrap_or_else(|| "listener".to_owned()),
            advertised: l.get("advertised").and_then(scalar),
            published: l.get("published").and_then(scalar),
        });
    }
    if let Some(n) = r.get("nodes") {
        out.nodes = Some(NodeRule {
            count: n.get("count").and_then(scalar).unwrap_or_default(),
            per_member: n.get("per_member").and_then(scalar).unwrap_or_default(),
            roles: words(n.get("roles")),
            role: n.get("role").and_then(scalar).unwrap_or_default(),
            cluster_by: words(n.get("cluster_by")),
            role_settings: words(n.get("role_settings")),
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
            matcher: std::sync::OnceLock::new(),
            glob,
            format,
            markers: words(e.get("markers")),
            upgrade,
            not_markers: words(e.get("not_markers")),
            role: e.get("role").and_then(scalar),
            complete: e.get("broker_defaults").and_then(scalar).as_deref() != Some("false"),
            client: e.get("client").and_then(scalar),
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
    out.spring = r.get("spring").map(|sp| {
        f.keys(sp, &["prefixes", "keys", "words"], "spring");
        SpringRule {
            prefixes: words(sp.get("prefixes")),
            keys: pairs(sp.get("keys")),
            words: words(sp.get("words")),
        }
    });
    for k in r.get("kinds").map(Node::items).unwrap_or_default() {
        let group = k.get("group").and_then(scalar).unwrap_or_default();
        let kind = k.get("kind").and_then(scalar).unwrap_or_default();
        if group.is_empty() || kind.is_empty() {
            f.err(k.span, "a kind needs `group` and `kind`", "here", "");
        }
        out.kinds.push(KindRule {
            group,
            kind,
            part_of: k.get("part_of").and_then(scalar),
            settings: pairs(k.get("settings")),
        });
    }
    for t in r.get("terraform").map(Node::items).unwrap_or_default() {
        f.keys(
            t,
            &["resource", "only_if", "settings", "cluster", "part"],
            "a terraform resource",
        );
        let resource = t.get("resource").and_then(scalar).unwrap_or_default();
        if resource.is_empty() {
            f.err(t.span, "a terraform entry needs `resource`", "here", "");
        }
        out.terraform.push(TerraformRule {
            resource,
            cluster: t.get("cluster").and_then(scalar),
            part: t.get("part").is_some_and(|n| n.value == Value::Bool(true)),
            only_if: t
                .get("only_if")
                .map(|o| {
                    o.entries()
                        .iter()
                        .filter_map(|(k, v)| Some((k.scalar_text()?, words(Some(v)))))
                        .collect()
                })
                .unwrap_or_default(),
            settings: pairs(t.get("settings")),
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
