//! Rules (`rules/*.yaml`) and derived values (`rules/derived.yaml`): validated when loaded,
//! with diagnostics that point into the rule file.

use super::{CRITERIA, Kb, Severity, parse_file, requirements, text_start};
use crate::lang::expr::{self, Expr, Template};
use crate::lang::spelling::did_you_mean;
use crate::source::span::ByteSpan;
use crate::source::{ConfigError, SourceFile};
use crate::tree::validate::{Checker, scalar, words};
use crate::tree::yaml::{Node, Value};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// Rules whose findings on the same cluster follow from this one's (one root cause, one
    /// finding): when this rule fires on a deployment, theirs are folded into it.
    pub folds: Vec<String>,
    /// What the rule finds can be removed by a setting or more nodes (a default limit, a
    /// tuned deployment): `recommend` weighs it below what cannot (rules/ranking.yaml).
    pub configurable: bool,
    /// How far the bus misses (`len(missing(…))`, `1 + shortfall(…)`): `recommend` multiplies
    /// the miss's weight by it, at least 1 (rules/ranking.yaml).
    #[serde(default)]
    pub distance: Option<Expr>,
    /// Reported at its severity whether or not a declared requirement asks for it, and in every
    /// environment: exposure without authentication (contract §7).
    #[serde(default)]
    pub always: bool,
    pub file: String,
}

impl Rule {
    /// The language of the rule's example for a Markdown fence, from the name of its first
    /// file (`# cache.tf` is HCL, `# client.properties` properties); YAML otherwise.
    #[must_use]
    pub fn example_language(&self) -> &'static str {
        let first = self.example.lines().next().unwrap_or("");
        let ext = first
            .strip_prefix("# ")
            .and_then(|name| name.trim().rsplit_once('.'))
            .map_or("", |(_, ext)| ext);
        match ext {
            "tf" | "tfvars" | "hcl" => "hcl",
            "properties" => "properties",
            "conf" => "text",
            "json" => "json",
            "toml" => "toml",
            "xml" => "xml",
            _ => "yaml",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Derived {
    pub name: String,
    pub expr: Expr,
    pub about: String,
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
    "folds",
    "configurable",
    "distance",
    "always",
];

/// Checks that a requirement is compared only with what it can hold: `req.latency > "fast"`
/// (a duration against a word) could never be true, so the rule would never fire.
fn check_types(e: &Expr) -> Result<(), String> {
    use crate::lang::expr::Val;
    match e {
        Expr::Cmp(_, a, b) => {
            for (p, lit) in [(a, b), (b, a)] {
                let (Expr::Path(path), Expr::Lit(val)) = (p.as_ref(), lit.as_ref()) else {
                    continue;
                };
                if path.first().map(String::as_str) != Some("req") || path.len() != 2 {
                    continue;
                }
                let Some(def) = requirements::key_def(&path[1]) else {
                    continue;
                };
                let fits = match (&def.kind, val) {
                    (requirements::Kind::Quantity(_), Val::Qty(_) | Val::Range(..)) => true,
                    (requirements::Kind::Quantity(_), _) => false,
                    (requirements::Kind::Bool, Val::Bool(_)) => true,
                    (requirements::Kind::Bool, _) => false,
                    (
                        requirements::Kind::Level(_)
                        | requirements::Kind::Word(_)
                        | requirements::Kind::Words(_),
                        Val::Str(w),
                    ) => def.kind.words().contains(&w.as_str()),
                    (
                        requirements::Kind::Level(_)
                        | requirements::Kind::Word(_)
                        | requirements::Kind::Words(_),
                        _,
                    ) => false,
                };
                if !fits {
                    return Err(format!(
                        "`req.{}` is compared with {}, which it never holds: {} accepts {}",
                        path[1],
                        match val {
                            Val::Str(s) => format!("'{s}'"),
                            Val::Qty(q) => format!("the quantity {q}"),
                            Val::Bool(b) => b.to_string(),
                            other => format!("{other:?}"),
                        },
                        path[1],
                        def.kind.accepted()
                    ));
                }
            }
            check_types(a)?;
            check_types(b)
        }
        Expr::Not(x) => check_types(x),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Mul(a, b) => {
            check_types(a)?;
            check_types(b)
        }
        Expr::List(xs) | Expr::Call(_, xs) => xs.iter().try_for_each(check_types),
        Expr::Path(_) | Expr::Lit(_) => Ok(()),
    }
}

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
            Some("detail" | "candidates" | "codes" | "unknown" | "budget" | "encoding")
                if p.len() == 1 => {}
            Some("setting" | "settings") if p.len() > 1 => {}
            _ => {
                return Err(format!(
                    "`{joined}` is not a value; paths start with req., bus., derived., or are `flow`, `file`, `bus`"
                ));
            }
        }
    }
    Ok(())
}

pub(crate) fn load_rules(
    file: &SourceFile,
    kb: &Kb,
) -> Result<Vec<(Rule, ByteSpan)>, Vec<ConfigError>> {
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
        match load_rule(file, kb, item) {
            Ok(rule) => out.push(rule),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// One entry of a rule file, validated; every error of the entry otherwise.
fn load_rule(
    file: &SourceFile,
    kb: &Kb,
    item: &Node,
) -> Result<(Rule, ByteSpan), Vec<ConfigError>> {
    let mut f = Checker::new(file, "busfit::rules");
    if !item.is_map() {
        f.err(item.span, "a rule must be a mapping", "here", "");
        return Err(f.errors);
    }
    f.keys(item, RULE_KEYS, "");
    let code = f.text(item, "code", true);
    let name = f.text(item, "name", true);
    let criterion = f.text(item, "criterion", true);
    let severity = f.text(item, "severity", true);
    let builtin = item
        .get("builtin")
        .is_some_and(|n| n.value == Value::Bool(true));
    let configurable = item
        .get("configurable")
        .is_some_and(|n| n.value == Value::Bool(true));
    check_identity(&mut f, code.as_ref(), name.as_ref(), criterion.as_ref());
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
    let (when, when_text) = condition(&mut f, file, kb, item, builtin);
    let distance = item
        .get("distance")
        .and_then(|n| expression(&mut f, file, kb, n));
    let message = template(&mut f, file, kb, item, "message", true);
    let help = template(&mut f, file, kb, item, "help", false);
    let what = f.text(item, "what", true).map(|s| s.0).unwrap_or_default();
    let why = f.text(item, "why", true).map(|s| s.0).unwrap_or_default();
    let example = f
        .text(item, "example", true)
        .map(|s| s.0)
        .unwrap_or_default();
    let fix = f.text(item, "fix", true).map(|s| s.0).unwrap_or_default();
    let references = words(item.get("references"));
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
        return Ok((
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
                folds: words(item.get("folds")),
                configurable,
                distance,
                always: item.get("always").and_then(scalar).as_deref() == Some("true"),
                file: file.name.clone(),
            },
            code.1,
        ));
    }
    Err(f.errors)
}

/// A rule's code (capital letters then digits), name (kebab-case) and criterion (contract §1).
fn check_identity(
    f: &mut Checker<'_>,
    code: Option<&(String, ByteSpan)>,
    name: Option<&(String, ByteSpan)>,
    criterion: Option<&(String, ByteSpan)>,
) {
    if let Some((c, span)) = code {
        let ok = c.len() >= 3
            && c.chars().take_while(|ch| ch.is_ascii_uppercase()).count() >= 1
            && c.chars()
                .skip_while(|ch| ch.is_ascii_uppercase())
                .all(|ch| ch.is_ascii_digit())
            && c.chars().last().is_some_and(|ch| ch.is_ascii_digit());
        if !ok {
            f.err(
                *span,
                format!(
                    "rule code `{c}` must be capital letters then digits, such as BF101 or ACME1"
                ),
                "here",
                "",
            );
        }
    }
    if let Some((n, span)) = name
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
    if let Some((c, span)) = criterion
        && !CRITERIA.contains(&c.as_str())
    {
        let help = format!(
            "{}criteria: {}",
            did_you_mean(c, CRITERIA.iter().copied()),
            CRITERIA.join(", ")
        );
        f.err(*span, format!("unknown criterion `{c}`"), "here", help);
    }
}

/// A rule's `when`: parsed, and every path it reads known; its text kept for `explain`.
fn condition(
    f: &mut Checker<'_>,
    file: &SourceFile,
    kb: &Kb,
    item: &Node,
    builtin: bool,
) -> (Option<Expr>, String) {
    match item.get("when") {
        Some(n) => (expression(f, file, kb, n), scalar(n).unwrap_or_default()),
        None if !builtin => {
            f.err(
                item.span,
                "missing `when` (the condition under which the rule fires)",
                "here",
                "",
            );
            (None, String::new())
        }
        None => (None, String::new()),
    }
}

/// An expression written as a scalar: parsed, and every path it reads known.
pub(crate) fn expression(
    f: &mut Checker<'_>,
    file: &SourceFile,
    kb: &Kb,
    n: &Node,
) -> Option<Expr> {
    let text = scalar(n).unwrap_or_default();
    match expr::parse(&text) {
        Ok(e) => {
            let mut paths = Vec::new();
            e.paths(&mut paths);
            if let Err(msg) = check_paths(&paths, kb).and_then(|()| check_types(&e)) {
                f.err(n.span, msg, "here", "");
                None
            } else {
                Some(e)
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
            None
        }
    }
}

/// A rule's `message` or `help` template: parsed, and every path it reads known.
pub(crate) fn template(
    f: &mut Checker<'_>,
    file: &SourceFile,
    kb: &Kb,
    item: &Node,
    key: &str,
    required: bool,
) -> Option<Template> {
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
}
