//! Settings rules over every deployment, with the requirements of the flows that run on it.
//! A deployment no flow covers is checked with no requirements, at `info` (contract §2).

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::eval::{self, Levels};
use super::finding::Finding;
use super::resolve::ResolvedFlow;
use crate::extract::Deployment;
use crate::kb::requirements::Requirements;
use crate::kb::{Kb, Profile, Rule, Severity};
use crate::project::Project;

/// Profiles and rule levels in force for each manifest's subtree.
pub struct Sets<'a> {
    pub profiles: &'a [Vec<Profile>],
    /// Index 0: no manifest; i + 1: manifest i.
    pub levels: &'a [Levels],
    pub set_of: &'a [usize],
}

impl Sets<'_> {
    pub fn profiles(&self, manifest: Option<usize>) -> &[Profile] {
        &self.profiles[manifest.map_or(0, |i| self.set_of[i])]
    }
    pub fn levels(&self, manifest: Option<usize>) -> &Levels {
        &self.levels[manifest.map_or(0, |i| i + 1)]
    }
}

/// A settings finding keyed by (rule, setting's span): several flows on one deployment find
/// the same setting, and the most severe finding is kept.
type Keyed = ((usize, crate::source::Span), Finding);

/// Flows by (manifest, bus), so each deployment finds the flows that run on it directly.
type ByBus<'a> = HashMap<(Option<usize>, &'a str), Vec<&'a ResolvedFlow>>;

pub fn findings(
    kb: &Kb,
    project: &Project,
    flows: &[ResolvedFlow],
    cli: &Requirements,
    sets: &Sets<'_>,
) -> Vec<Finding> {
    let mut by_bus: ByBus<'_> = HashMap::new();
    for f in flows {
        if let Ok((b, _)) = &f.bus {
            by_bus.entry((f.manifest, b.as_str())).or_default().push(f);
        }
    }
    let per_deployment: Vec<Vec<Keyed>> = project
        .facts
        .deployments
        .par_iter()
        .map(|d| deployment_findings(kb, project, d, &by_bus, cli, sets))
        .collect();
    let mut best: BTreeMap<(usize, crate::source::Span), Finding> = BTreeMap::new();
    for (key, fd) in per_deployment.into_iter().flatten() {
        match best.get(&key) {
            Some(old) if old.severity >= fd.severity => {}
            _ => {
                best.insert(key, fd);
            }
        }
    }
    best.into_values().collect()
}

/// Whether a rule's condition reads a requirement that is declared.
fn reads_declared(rule: &Rule, reqs: &Requirements) -> bool {
    let mut paths = Vec::new();
    if let Some(w) = &rule.when {
        w.paths(&mut paths);
    }
    paths.iter().any(|p| {
        p.first().is_some_and(|h| h == "req") && p.get(1).is_some_and(|k| reqs.get(k).is_some())
    })
}

const DECLARE_HINT: &str = "no flow declares what this bus must do; declare requirements in busfit.yaml (`busfit init`) to check it against them";

/// Settings rules on one deployment, once per flow that runs on it (or once without).
fn deployment_findings(
    kb: &Kb,
    project: &Project,
    d: &Deployment,
    by_bus: &ByBus<'_>,
    cli: &Requirements,
    sets: &Sets<'_>,
) -> Vec<Keyed> {
    let mut out = Vec::new();
    let file = project.files.name(d.file());
    let mi = project.owner_of(d.file());
    let levels = sets.levels(mi);
    let Some(profile) = sets.profiles(mi).iter().find(|p| p.bus == d.bus) else {
        return out;
    };
    let mut covering: Vec<&ResolvedFlow> = by_bus
        .get(&(mi, d.bus.as_str()))
        .cloned()
        .unwrap_or_default();
    for m in &profile.modes {
        covering.extend(by_bus.get(&(mi, m.as_str())).cloned().unwrap_or_default());
    }
    let empty = Requirements::default();
    let runs: Vec<(Option<&str>, &Requirements)> = if covering.is_empty() {
        vec![(None, if cli.is_empty() { &empty } else { cli })]
    } else {
        covering
            .iter()
            .map(|f| (Some(f.name.as_str()), &f.requires))
            .collect()
    };
    for (flow, reqs) in runs {
        for sh in eval::setting_hits(kb, levels, profile, reqs, d, flow.unwrap_or(""), file) {
            let rule = &kb.rules[sh.hit.rule];
            let mut severity = sh.hit.severity;
            let mut help = sh.hit.help.clone();
            // a risky setting that no declared requirement is about is advice (contract §2)
            if !reads_declared(rule, reqs) {
                severity = Severity::Info;
                help = Some(match help {
                    Some(h) => format!("{h}\n{DECLARE_HINT}"),
                    None => DECLARE_HINT.to_owned(),
                });
            }
            let fd = Finding::new(rule, severity, sh.setting.span, sh.hit.message.clone())
                .label(format!("{} set here", sh.setting.key))
                .secondary(
                    (d.span != sh.setting.span)
                        .then(|| (d.span, format!("{} deployed here", d.bus))),
                )
                .flow(flow.map(str::to_owned))
                .bus(Some(d.bus.clone()))
                .help(help)
                .subject(format!("deployment:{}/{}", d.name, sh.setting.key));
            out.push(((sh.hit.rule, sh.setting.span), fd));
        }
    }
    out
}
