//! What is reported of what fired: `--select`/`--ignore`, `settings.per_file_ignores`, and, for
//! changed files (pre-commit), what concerns them.

use std::collections::{BTreeMap, BTreeSet};

use globset::GlobMatcher;

use super::finding::Finding;
use crate::config::environment::Environment;
use crate::kb::Kb;
use crate::project::Project;
use crate::situation::Situation;
use crate::source::{FileId, Span};

/// Whether `--select` and `--ignore` (codes, code prefixes or names) keep a code.
pub fn selected(kb: &Kb, code: &str, select: &[String], ignore: &[String]) -> bool {
    let matches = |sel: &String| {
        kb.rule(sel).is_some_and(|r| r.code == code)
            || (!sel.is_empty() && code.starts_with(sel.as_str()))
    };
    (select.is_empty() || select.iter().any(matches)) && !ignore.iter().any(matches)
}

/// `settings.per_file_ignores` of each busfit.yaml: codes ignored in the files it owns whose
/// path relative to it matches a glob (for JSON files, which cannot hold a comment).
pub fn per_file(project: &Project, findings: Vec<Finding>) -> Vec<Finding> {
    let rules: Vec<Vec<(GlobMatcher, &[String])>> = project
        .manifests
        .iter()
        .map(|m| {
            m.settings
                .per_file_ignores
                .iter()
                .filter_map(|(g, codes)| {
                    Some((
                        globset::Glob::new(g).ok()?.compile_matcher(),
                        codes.as_slice(),
                    ))
                })
                .collect()
        })
        .collect();
    if rules.iter().all(Vec::is_empty) {
        return findings;
    }
    findings
        .into_iter()
        .filter(|f| {
            let file = f.span.file;
            let Some(own) = project.owner_of(file) else {
                return true;
            };
            let rel = project.files.rel(file);
            !rules[own]
                .iter()
                .any(|(g, codes)| g.is_match(rel) && codes.contains(&f.code))
        })
        .collect()
}

/// For files named on the command line (pre-commit passes the changed files): their own
/// findings, and those of flows on a bus that they deploy or use.
pub fn changed(kb: &Kb, project: &Project, changed: &[String], findings: &mut Vec<Finding>) {
    if changed.is_empty() {
        return;
    }
    let facts = &project.facts;
    let is_changed = |file| changed.iter().any(|c| c == project.files.name(file));
    let mut buses: Vec<&str> = facts
        .deployments
        .iter()
        .filter(|d| is_changed(d.file()))
        .map(|d| d.bus.as_str())
        .collect();
    buses.extend(
        facts
            .clients
            .iter()
            .filter(|c| is_changed(c.span.file))
            .map(|c| c.bus.as_str()),
    );
    let on_changed_bus = |b: &str| {
        buses.iter().any(|x| {
            *x == b
                || kb
                    .profile(x)
                    .is_some_and(|p| p.modes.iter().any(|m| m == b))
        })
    };
    findings.retain(|f| {
        is_changed(f.span.file)
            || (f.flow.is_some() && f.bus.as_deref().is_some_and(on_changed_bus))
    });
}

/// One root cause, one finding (contract §7): the findings of one rule about one setting on
/// several members of a cluster (the brokers of one compose file, the nodes of an overlay) are
/// one finding at the first member, the others attached as related places.
pub fn clusters(files: &crate::source::FileTable, findings: Vec<Finding>) -> Vec<Finding> {
    if !findings.iter().any(|f| f.cluster.is_some()) {
        return findings;
    }
    let mut groups: BTreeMap<(String, String, Option<String>), Vec<Finding>> = BTreeMap::new();
    let mut out = Vec::with_capacity(findings.len());
    for f in findings {
        match f.cluster.clone() {
            Some(c) => groups
                .entry((c, f.code.clone(), f.flow.clone()))
                .or_default()
                .push(f),
            None => out.push(f),
        }
    }
    for (_, mut group) in groups {
        if group.len() == 1 {
            out.extend(group);
            continue;
        }
        // the first in path order among the most severe
        group.sort_by(|a, b| {
            b.severity.cmp(&a.severity).then_with(|| {
                (files.name(a.span.file), a.span.range.start)
                    .cmp(&(files.name(b.span.file), b.span.range.start))
            })
        });
        let mut it = group.into_iter();
        let Some(mut first) = it.next() else { continue };
        let mut members: Vec<String> = Vec::new();
        for f in it {
            let member = member_of(&f.subject).to_owned();
            f.related.iter().for_each(|r| first.related.push(r.clone()));
            first
                .related
                .push((f.span, format!("also on {member}: {}", f.message)));
            if !members.contains(&member) {
                members.push(member);
            }
        }
        let own = member_of(&first.subject);
        members.retain(|m| m != own);
        if !members.is_empty() {
            first.message = format!(
                "{} (the same on {} of this cluster: {})",
                first.message,
                plural(members.len(), "other member"),
                members.join(", ")
            );
        }
        out.push(first);
    }
    out
}

/// The deployment a settings finding's subject names (`deployment:kafka-2/listeners`).
fn member_of(subject: &str) -> &str {
    subject
        .strip_prefix("deployment:")
        .and_then(|s| s.rsplit_once('/'))
        .map_or(subject, |(name, _)| name)
}

/// At most this many other places are listed under a summary or a cluster's finding in the
/// human formats (SARIF and JSON carry them all).
pub const RELATED_SHOWN: usize = 5;

/// Contract §7: outside production, a finding that no declared requirement asks for (hardening
/// advice) is not reported file by file. Each rule's such findings become one info at the first
/// of them (in path order), saying how many files in which environments hold it, with the
/// others attached as related places. Declared mismatches are kept wherever they are.
pub fn environments(
    project: &Project,
    situation: &Situation,
    findings: Vec<Finding>,
) -> Vec<Finding> {
    let (mut held, mut kept): (Vec<Finding>, Vec<Finding>) = findings.into_iter().partition(|f| {
        !f.declared && situation.environment(f.span.file) != Environment::Production
    });
    if held.is_empty() {
        return kept;
    }
    let files = &project.files;
    held.sort_by(|a, b| {
        (a.code.as_str(), files.name(a.span.file), a.span.range.start).cmp(&(
            b.code.as_str(),
            files.name(b.span.file),
            b.span.range.start,
        ))
    });
    let mut groups: Vec<Vec<Finding>> = Vec::new();
    for f in held {
        match groups.last_mut() {
            Some(g) if g[0].code == f.code => g.push(f),
            _ => groups.push(vec![f]),
        }
    }
    for group in groups {
        let mut by_env: BTreeMap<Environment, BTreeSet<FileId>> = BTreeMap::new();
        for f in &group {
            by_env
                .entry(situation.environment(f.span.file))
                .or_default()
                .insert(f.span.file);
        }
        let n_files: usize = by_env.values().map(BTreeSet::len).sum();
        let parts: Vec<String> = by_env
            .iter()
            .map(|(e, fs)| format!("{} {e}", fs.len()))
            .collect();
        let mut it = group.into_iter();
        let Some(mut first) = it.next() else { continue };
        let related: Vec<(Span, String)> = it
            .map(|f| {
                let env = situation.environment(f.span.file);
                (f.span, format!("also here ({env}): {}", f.message))
            })
            .collect();
        let n = related.len() + 1;
        first.message = format!(
            "{} [summarised: {} in {} outside production ({})]",
            first.message,
            plural(n, "finding"),
            plural(n_files, "file"),
            parts.join(", ")
        );
        let note = "outside production, advice that no declared requirement asks for is reported once per rule; `--environment production`, or `environments:` in busfit.yaml, judges these files as production and reports each";
        first.help = Some(match first.help.take() {
            Some(h) => format!("{h}\n{note}"),
            None => note.to_owned(),
        });
        first.subject = format!("summary:{}", first.code);
        first.related = related;
        kept.push(first);
    }
    kept
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
