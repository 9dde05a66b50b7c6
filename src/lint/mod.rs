//! Stage: lint. Resolves each flow's bus, evaluates the rules over flows and deployments, and
//! turns what fires into findings that point at real bytes; then suppressions, per-file
//! ignores, `--select`/`--ignore` and changed-file filtering, in that order.

pub mod baseline;
pub mod eval;
pub mod filter;
pub mod finding;
pub mod flow;
pub mod resolve;
pub mod settings;
pub mod suppress;

use rayon::prelude::*;
use std::borrow::Cow;

use self::eval::Levels;
pub use self::finding::Finding;
pub use self::resolve::{BusFrom, ResolvedFlow, resolve};
use self::settings::Sets;
use crate::config::environment::Environment;
use crate::config::manifest::{self, FailOn};
use crate::kb::requirements::{ReqValue, Requirements};
use crate::kb::{Kb, Profile, Severity};
use crate::lang::expr::Val;
use crate::project::Project;
use crate::situation::Situation;
use crate::source::{FileTable, Position};

/// What `check` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// `--require KEY=VALUE`: requirements for every flow, and for deployments without one.
    pub requires: Vec<(String, Val)>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<FailOn>,
    /// Files named on the command line (pre-commit passes the changed files): report what
    /// concerns them — their own findings and those of flows on a bus they deploy or use.
    pub changed: Vec<String>,
    /// `--environment`: every file is judged as in this environment.
    pub environment: Option<Environment>,
}

#[derive(Debug, Clone)]
pub struct CheckResult {
    pub findings: Vec<Finding>,
    /// Every file the run read, for names, positions and snippets.
    pub table: FileTable,
    /// How many files were checked.
    pub files: usize,
    /// How many of them were templates that could not be read (contract §6).
    pub skipped: usize,
    pub fail_on: FailOn,
    /// How many findings a baseline hid (said in the summary line).
    pub baselined: usize,
    /// The topology as a Mermaid flowchart, for the formats that draw it (Markdown).
    pub diagram: Option<String>,
}

impl CheckResult {
    #[must_use]
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
    #[must_use]
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| self.fail_on.fails(f.severity))
    }
    /// The shown name of a finding's file.
    #[must_use]
    pub fn file(&self, f: &Finding) -> &str {
        self.table.name(f.span.file)
    }
    /// Where a finding starts and ends, in lines and columns.
    #[must_use]
    pub fn position(&self, f: &Finding) -> Position {
        self.table.position(f.span)
    }
}

/// Severity levels per manifest (`settings.rules`); index 0 is "no manifest".
fn levels_of(project: &Project, mi: Option<usize>) -> Levels {
    Levels {
        map: mi
            .map(|i| project.manifests[i].settings.rules.clone())
            .unwrap_or_default(),
    }
}

/// Profiles with each manifest's overrides, built once for each manifest that has some; every
/// other manifest shares the shipped profiles (set 0).
fn profile_sets<'k>(kb: &'k Kb, project: &Project) -> (Vec<Cow<'k, [Profile]>>, Vec<usize>) {
    let mut sets: Vec<Cow<'k, [Profile]>> = vec![Cow::Borrowed(&kb.profiles)];
    let mut set_of: Vec<usize> = Vec::new();
    for m in &project.manifests {
        if m.overrides.is_empty() {
            set_of.push(0);
        } else {
            sets.push(Cow::Owned(
                kb.profiles
                    .iter()
                    .map(|p| manifest::apply_overrides(p, &m.overrides))
                    .collect(),
            ));
            set_of.push(sets.len() - 1);
        }
    }
    (sets, set_of)
}

/// `--require` as requirements without a span.
#[must_use]
pub fn cli_requirements(requires: &[(String, Val)]) -> Requirements {
    let mut out = Requirements::default();
    for (k, v) in requires {
        out.map.insert(
            k.clone(),
            ReqValue {
                val: v.clone(),
                span: None,
            },
        );
    }
    out
}

/// BF001 for every file that could not be parsed or read.
fn broken_findings(kb: &Kb, project: &Project) -> Vec<Finding> {
    project
        .facts
        .broken
        .iter()
        .filter_map(|(span, msg, why)| {
            let levels = levels_of(project, project.owner_of(span.file));
            // a file set aside for a safety budget is valid YAML, and one read with U+FFFD was
            // still read: warnings
            let budget = *why == crate::extract::Broken::Budget;
            let encoding = *why == crate::extract::Broken::Encoding;
            let vars = [
                ("file", Val::Str(project.files.name(span.file).to_owned())),
                ("detail", Val::Str(msg.clone())),
                ("budget", Val::Bool(budget)),
                ("encoding", Val::Bool(encoding)),
            ];
            let mut f = Finding::builtin(kb, &levels, "BF001", *span, &vars)?.subject("file");
            if (budget || encoding) && f.severity > Severity::Warning {
                f.severity = Severity::Warning;
            }
            Some(f)
        })
        .collect()
}

/// Runs the whole check over a loaded project.
#[must_use]
pub fn check_project(kb: &Kb, project: &Project, opts: &CheckOptions) -> CheckResult {
    let cli = cli_requirements(&opts.requires);
    let fail_on = opts
        .fail_on
        .or_else(|| project.manifests.iter().find_map(|m| m.settings.fail_on));
    let situation = Situation::of(kb, project, opts.environment);
    let mut findings = broken_findings(kb, project);
    let flows = resolve(project, &cli);
    let (profiles, set_of) = profile_sets(kb, project);
    let levels: Vec<Levels> = std::iter::once(levels_of(project, None))
        .chain((0..project.manifests.len()).map(|i| levels_of(project, Some(i))))
        .collect();
    let sets = Sets {
        profiles: &profiles,
        levels: &levels,
        set_of: &set_of,
    };
    let memo = eval::Memo::new(kb);
    let variants = settings::deployed_variants(kb, &project.facts.deployments);
    let per_flow: Vec<Vec<Finding>> = flows
        .par_iter()
        .map(|f| {
            let file = project.files.name(f.name_span.file);
            flow::findings(
                kb,
                f,
                file,
                sets.levels(f.manifest),
                sets.profiles(f.manifest),
                &variants,
                &memo,
            )
        })
        .collect();
    findings.reserve_exact(per_flow.iter().map(Vec::len).sum());
    findings.extend(per_flow.into_iter().flatten());
    findings.extend(settings::findings(
        kb, project, &situation, &flows, &cli, &sets, &memo,
    ));
    let findings = suppress::apply(kb, findings, &project.files);
    let findings = filter::per_file(project, findings);
    let mut findings = filter::clusters(&project.files, findings);
    findings.retain(|f| filter::selected(kb, &f.code, &opts.select, &opts.ignore));
    let mut findings = filter::environments(project, &situation, findings);
    filter::changed(kb, project, &opts.changed, &mut findings);
    let files = &project.files;
    // borrowed: thousands of findings are compared without copying their texts
    fn key<'a>(files: &'a FileTable, f: &'a Finding) -> (&'a str, usize, &'a str, &'a str) {
        (
            files.name(f.span.file),
            f.span.range.start,
            f.code.as_str(),
            f.message.as_str(),
        )
    }
    findings.sort_by(|a, b| key(files, a).cmp(&key(files, b)));
    findings.dedup_by(|a, b| key(files, a) == key(files, b));
    finding::assign_fingerprints(&mut findings, files);
    CheckResult {
        findings,
        files: files.len(),
        skipped: project.facts.skipped.len(),
        table: files.clone(),
        fail_on: fail_on.unwrap_or(FailOn::Warning),
        baselined: 0,
        diagram: None,
    }
}
