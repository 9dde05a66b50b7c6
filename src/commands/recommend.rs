//! `busfit recommend`: every bus ranked for every flow, as text or JSON.

use std::fmt::Write as _;

use serde_json::json;

use crate::lint::eval::Ranked;

/// One flow's ranking for the terminal.
pub fn ranking_text(flow: &str, current: Option<&str>, ranking: &[Ranked]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "flow `{flow}`{}",
        current
            .map(|c| format!(" (now on {c})"))
            .unwrap_or_default()
    );
    for (i, r) in ranking.iter().enumerate() {
        let mark = if r.fits { "fits" } else { "does not fit" };
        let mode = r
            .mode
            .as_ref()
            .map(|m| format!(" (judged as {m}, the mode that meets the most)"))
            .unwrap_or_default();
        let _ = writeln!(out, "{:>3}. {:<15} {mark}{mode}", i + 1, r.bus);
        for u in &r.unmet {
            let _ = writeln!(
                out,
                "       {:<7} {:<12} {} [{}]",
                u.severity.as_str(),
                u.criterion,
                u.reason,
                u.code
            );
        }
    }
    out
}

pub fn ranking_json(flows: &[(String, Option<String>, Vec<Ranked>)]) -> String {
    let v = json!({
        "flows": flows.iter().map(|(name, current, ranking)| json!({
            "name": name,
            "current": current,
            "ranking": ranking.iter().map(|r| json!({
                "bus": r.bus,
                "fits": r.fits,
                "mode": r.mode,
                "unmet": r.unmet.iter().map(|u| json!({
                    "criterion": u.criterion,
                    "severity": u.severity.as_str(),
                    "reason": u.reason,
                    "code": u.code,
                    "requirement": u.requirement,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
