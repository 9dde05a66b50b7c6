//! How `recommend` weighs misses and explains its order (`rules/ranking.yaml`, contract §6).

use super::rule::{expression, template};
use super::{Kb, Severity, parse_file, requirements};
use crate::lang::expr::{Expr, Template};
use crate::lang::spelling::did_you_mean;
use crate::source::{ConfigError, SourceFile};
use crate::tree::validate::Checker;
use crate::tree::yaml::Value;

/// The weights and per-requirement margins and sentences of the ranking.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Ranking {
    /// What one miss weighs, by severity: info, warning, error.
    pub severity: [f64; 3],
    /// How many times more a miss no setting can remove weighs.
    pub fixed: f64,
    /// In the order `why` lists them.
    pub requirements: Vec<ReqRanking>,
    /// Designs that change the question when no bus answers it well (claim-check, …).
    pub patterns: Vec<Pattern>,
}

/// A design `recommend` names beside the buses when the flow's requirements call for it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Pattern {
    pub name: String,
    pub when: Expr,
    pub what: Template,
    pub changes: Template,
    pub source: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReqRanking {
    pub key: String,
    pub margin: Option<Expr>,
    pub meets: Option<Template>,
}

impl Ranking {
    pub fn weight(&self, severity: Severity, configurable: bool) -> f64 {
        let w = match severity {
            Severity::Info => self.severity[0],
            Severity::Warning => self.severity[1],
            Severity::Error => self.severity[2],
        };
        if configurable { w } else { w * self.fixed }
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Loads rules/ranking.yaml; the knowledge base's profiles and derived values must be loaded.
pub fn load_ranking(file: &SourceFile, kb: &Kb) -> Result<Ranking, Vec<ConfigError>> {
    let root = parse_file(file, "busfit::rules")?;
    let mut f = Checker::new(file, "busfit::rules");
    let mut out = Ranking::default();
    let Some(r) = root.get("ranking") else {
        f.err(
            root.span,
            "the ranking file needs a `ranking:` mapping",
            "here",
            "",
        );
        return Err(f.errors);
    };
    f.keys(
        r,
        &["severity", "fixed", "requirements", "patterns"],
        "ranking",
    );
    for p in r.get("patterns").map(|n| n.items()).unwrap_or_default() {
        f.keys(
            p,
            &["name", "when", "what", "changes", "source"],
            "a pattern",
        );
        let name = p.get("name").and_then(|n| n.scalar_text());
        let when = p.get("when").and_then(|n| expression(&mut f, file, kb, n));
        let what = template(&mut f, file, kb, p, "what", true);
        let changes = template(&mut f, file, kb, p, "changes", true);
        let source = p.get("source").and_then(|n| n.scalar_text());
        match (name, when, what, changes, source) {
            (Some(name), Some(when), Some(what), Some(changes), Some(source)) => {
                out.patterns.push(Pattern {
                    name,
                    when,
                    what,
                    changes,
                    source,
                });
            }
            _ => f.err(
                p.span,
                "a pattern needs `name`, `when`, `what`, `changes` and `source`",
                "here",
                "",
            ),
        }
    }
    for (i, sev) in ["info", "warning", "error"].iter().enumerate() {
        match r.get("severity").and_then(|s| s.get(sev)) {
            Some(n) if number(&n.value).is_some_and(|v| v >= 0.0) => {
                out.severity[i] = number(&n.value).unwrap_or_default();
            }
            _ => f.err(
                r.span,
                format!("`ranking.severity.{sev}` must be a number of at least 0"),
                "here",
                "",
            ),
        }
    }
    match r.get("fixed") {
        Some(n) if number(&n.value).is_some_and(|v| v >= 1.0) => {
            out.fixed = number(&n.value).unwrap_or(1.0);
        }
        _ => f.err(
            r.span,
            "`ranking.fixed` must be a number of at least 1",
            "here",
            "",
        ),
    }
    for (k, v) in r
        .get("requirements")
        .map(|n| n.entries())
        .unwrap_or_default()
    {
        let key = k.scalar_text().unwrap_or_default();
        if requirements::key_def(&key).is_none() {
            let help = format!(
                "{}requirements: {}",
                did_you_mean(&key, requirements::key_names()),
                requirements::key_names().collect::<Vec<_>>().join(", ")
            );
            f.err(k.span, format!("unknown requirement `{key}`"), "here", help);
            continue;
        }
        f.keys(v, &["margin", "meets"], &key);
        let margin = v
            .get("margin")
            .and_then(|n| expression(&mut f, file, kb, n));
        let meets = template(&mut f, file, kb, v, "meets", false);
        out.requirements.push(ReqRanking { key, margin, meets });
    }
    if f.errors.is_empty() {
        Ok(out)
    } else {
        Err(f.errors)
    }
}
