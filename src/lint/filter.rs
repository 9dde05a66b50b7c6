//! What is reported of what fired: `--select`/`--ignore`, `settings.per_file_ignores`, and, for
//! changed files (pre-commit), what concerns them.

use globset::GlobMatcher;

use super::finding::Finding;
use crate::kb::Kb;
use crate::project::Project;

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
