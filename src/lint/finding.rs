//! A finding: a rule that fired, where, and why. Built by one constructor from a rule, a span
//! and a message rendered from the rule's own template; positions are computed when rendering.

use std::collections::HashMap;

use super::eval::{Alternative, Levels};
use crate::kb::{Kb, Rule, Severity};
use crate::lang::expr::{Env, Scale, Val};
use crate::source::{FileTable, Span};

/// One finding, as every output format shows it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub criterion: String,
    pub severity: Severity,
    pub message: String,
    /// The primary span, and its label in the snippet.
    pub span: Span,
    pub label: String,
    /// A second label, drawn when it is in the same file as the primary span.
    pub secondary: Option<(Span, String)>,
    pub flow: Option<String>,
    pub bus: Option<String>,
    pub help: Option<String>,
    pub alternatives: Vec<Alternative>,
    /// What the finding is about, independent of lines: `flow:payments/requires/delivery`,
    /// `deployment:broker/min.insync.replicas`. Part of the fingerprint.
    pub subject: String,
    /// Stable across moved lines and across where busfit runs from (see `assign_fingerprints`).
    pub fingerprint: String,
    /// Whether a declared requirement (a flow's, `defaults`, `--require`) asks for what the
    /// finding is about. False for hardening advice on a deployment no requirement covers:
    /// outside production such findings are summarised once per rule (contract §7).
    pub declared: bool,
    /// Other places of the same root cause (the other members of a cluster, the other files
    /// a summary stands for), each with its label: SARIF `relatedLocations`.
    pub related: Vec<(Span, String)>,
    /// For a finding on a member of a cluster: the cluster and the setting it is about. The
    /// findings of one rule with the same `cluster` are one root cause, reported once.
    pub cluster: Option<String>,
}

impl Finding {
    /// The one constructor: `message` is the rule's `message` template rendered for this case.
    #[must_use]
    pub fn new(rule: &Rule, severity: Severity, span: Span, message: String) -> Finding {
        Finding {
            code: rule.code.clone(),
            name: rule.name.clone(),
            criterion: rule.criterion.clone(),
            severity,
            message,
            span,
            label: "here".into(),
            secondary: None,
            flow: None,
            bus: None,
            help: None,
            alternatives: Vec::new(),
            subject: String::new(),
            fingerprint: String::new(),
            declared: true,
            related: Vec::new(),
            cluster: None,
        }
    }

    /// A finding of a rule that busfit raises itself (BF001–BF004, no condition): its message
    /// and help are the rule's templates, rendered with `vars`. `None` when the rule is off.
    pub fn builtin(
        kb: &Kb,
        levels: &Levels,
        code: &str,
        span: Span,
        vars: &[(&str, Val)],
    ) -> Option<Finding> {
        let rule = kb.rule(code)?;
        let severity = levels.of(rule)?;
        let env = Vars(vars.iter().map(|(k, v)| (*k, v.clone())).collect());
        let help = rule.help.as_ref().map(|h| h.render(&env));
        Some(Finding::new(rule, severity, span, rule.message.render(&env)).help(help))
    }

    #[must_use]
    pub fn help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
    #[must_use]
    pub fn secondary(mut self, secondary: Option<(Span, String)>) -> Self {
        self.secondary = secondary;
        self
    }
    #[must_use]
    pub fn flow(mut self, flow: Option<String>) -> Self {
        self.flow = flow;
        self
    }
    #[must_use]
    pub fn bus(mut self, bus: Option<String>) -> Self {
        self.bus = bus;
        self
    }
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }
    #[must_use]
    pub fn cluster(mut self, cluster: Option<String>) -> Self {
        self.cluster = cluster;
        self
    }
    #[must_use]
    pub fn declared(mut self, declared: bool) -> Self {
        self.declared = declared;
        self
    }
    #[must_use]
    pub fn alternatives(mut self, alternatives: Vec<Alternative>) -> Self {
        self.alternatives = alternatives;
        self
    }
}

/// The variables of a built-in rule's templates: `file`, `flow`, `detail`, …
struct Vars<'a>(HashMap<&'a str, Val>);

impl Env for Vars<'_> {
    fn lookup(&self, path: &[String]) -> Option<Val> {
        match path {
            [one] => self.0.get(one.as_str()).cloned(),
            _ => None,
        }
    }
    fn scale_of(&self, _: &[String]) -> Option<Scale> {
        None
    }
}

/// FNV-1a, 64 bits: small, stable across platforms and releases.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Gives every finding its fingerprint: its file's path relative to the busfit.yaml that owns
/// it (so the fingerprint does not change with where busfit runs), code, flow, subject and
/// occurrence. Findings must be sorted: the occurrence counts earlier findings with the same
/// file, code, flow and subject, never their lines.
pub fn assign_fingerprints(findings: &mut [Finding], files: &FileTable) {
    // computed from borrowed keys first, then assigned
    let prints: Vec<String> = {
        let mut seen: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
        findings
            .iter()
            .map(|f| {
                let flow = f.flow.as_deref().unwrap_or_default();
                let file = files.rel(f.span.file);
                let n = seen
                    .entry((file, f.code.as_str(), flow, f.subject.as_str()))
                    .or_insert(0);
                let index = n.to_string();
                *n += 1;
                format!("{:016x}", fnv1a(&[file, &f.code, flow, &f.subject, &index]))
            })
            .collect()
    };
    for (f, print) in findings.iter_mut().zip(prints) {
        f.fingerprint = print;
    }
}
