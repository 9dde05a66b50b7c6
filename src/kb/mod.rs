//! The knowledge base: bus profiles (`rules/buses/*.yaml`), rules (`rules/*.yaml`)
//! and derived values, validated when loaded: the built-in ones by build.rs, which embeds the
//! result in the binary, custom rules at run time.

pub mod profile;
pub mod ranking;
pub mod requirements;
pub mod rule;

use std::fmt;

pub use self::profile::{
    CommandRule, ECOSYSTEMS, ENV_STYLES, EnvRule, FILE_FORMATS, FileRule, KindRule, Profile,
    Recognition, Row, load_profile,
};
use self::rule::load_rules;
pub use self::rule::{Derived, Rule, load_derived};
use crate::source::span::ByteSpan;
use crate::source::{ConfigError, SourceFile};
use crate::tree::yaml::{self, Node};

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

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
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

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Kb {
    pub profiles: Vec<Profile>,
    pub rules: Vec<Rule>,
    pub derived: Vec<Derived>,
    pub ranking: ranking::Ranking,
}

impl Kb {
    /// The knowledge base shipped in the binary: rules/ was loaded and validated when busfit
    /// was built (build.rs runs [`Kb::from_files`] on it), and is only decoded here.
    pub fn builtin() -> Result<Kb, Vec<ConfigError>> {
        postcard::from_bytes(crate::embedded::KNOWLEDGE).map_err(|e| {
            vec![
                ConfigError::plain(format!(
                    "the built-in knowledge does not decode ({e}): rebuild busfit"
                ))
                .code("busfit::rules"),
            ]
        })
    }

    /// Loads and validates a knowledge base from rule files given by path and text: profiles
    /// under `rules/buses/`, `rules/derived.yaml`, `rules/ranking.yaml` and rule files.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Kb, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let is_profile = |name: &str| name.starts_with("rules/buses/");
        let is_derived = |name: &str| name == "rules/derived.yaml";
        let is_ranking = |name: &str| name == "rules/ranking.yaml";
        // profiles and derived values first (they read nothing else)
        let mut profiles = Vec::new();
        for (name, text) in files.iter().filter(|(n, _)| is_profile(n)) {
            match load_profile(&SourceFile::new(*name, *text)) {
                Ok(p) => profiles.push(p),
                Err(e) => errors.extend(e),
            }
        }
        let mut derived = Vec::new();
        for (name, text) in files.iter().filter(|(n, _)| is_derived(n)) {
            match load_derived(&SourceFile::new(*name, *text)) {
                Ok(d) => derived = d,
                Err(e) => errors.extend(e),
            }
        }
        // the order of contract §1's columns, written in each profile
        profiles.sort_by(|a, b| (a.order, &a.bus).cmp(&(b.order, &b.bus)));
        let mut kb = Kb {
            profiles,
            rules: Vec::new(),
            derived,
            ranking: ranking::Ranking::default(),
        };
        // rule files against the profiles, in path order
        for (name, text) in files
            .iter()
            .filter(|(n, _)| !(is_profile(n) || is_derived(n) || is_ranking(n)))
        {
            let file = SourceFile::new(*name, *text);
            if let Err(e) = kb.add_rules(&file) {
                errors.extend(e);
            }
        }
        for (name, text) in files.iter().filter(|(n, _)| is_ranking(n)) {
            match ranking::load_ranking(&SourceFile::new(*name, *text), &kb) {
                Ok(r) => kb.ranking = r,
                Err(e) => errors.extend(e),
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
        self.push_rules(file, rules)
    }

    /// Adds the rules loaded from `file`; a code or name defined twice is an error.
    fn push_rules(
        &mut self,
        file: &SourceFile,
        rules: Vec<(Rule, ByteSpan)>,
    ) -> Result<(), Vec<ConfigError>> {
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

pub(crate) fn parse_file(file: &SourceFile, code: &'static str) -> Result<Node, Vec<ConfigError>> {
    yaml::parse(&file.text).map_err(|e| {
        vec![ConfigError::new(file, e.span, format!("invalid YAML: {}", e.message)).code(code)]
    })
}

/// Offset of the text inside a scalar's span (after an opening quote or a block indicator).
pub(crate) fn text_start(file: &SourceFile, span: ByteSpan) -> usize {
    let raw = file.text.get(span.start..span.end).unwrap_or("");
    match raw.chars().next() {
        Some('"' | '\'') => span.start + 1,
        _ => span.start,
    }
}
