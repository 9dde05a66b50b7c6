//! `--statistics`: the number of findings per rule.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::kb::Severity;
use crate::lint::CheckResult;

pub fn counts(r: &CheckResult) -> Vec<(String, String, Severity, usize)> {
    let mut m: BTreeMap<(String, String), (Severity, usize)> = BTreeMap::new();
    for f in &r.findings {
        let e = m
            .entry((f.code.clone(), f.name.clone()))
            .or_insert((f.severity, 0));
        e.0 = e.0.max(f.severity);
        e.1 += 1;
    }
    m.into_iter().map(|((c, n), (s, k))| (c, n, s, k)).collect()
}

/// A pull-request comment: a summary table, then the findings.
pub fn statistics(r: &CheckResult) -> String {
    let mut out = String::new();
    for (code, name, sev, n) in counts(r) {
        let _ = writeln!(out, "{n:>5}  {code:<6} {:<7} {name}", sev.as_str());
    }
    // the same summary as every human format: "No findings", "1 finding", skipped templates
    let _ = writeln!(out, "{}", super::summary_line(r));
    out
}
