//! `busfit recommend`: every bus ranked for every flow, as text or JSON.

use std::fmt::Write as _;

use serde_json::json;

use crate::lint::eval::{Design, Ranked, closest};

/// One flow's recommendation: its name, the bus it names, the buses ranked, and the designs
/// its requirements call for.
pub type FlowRanking = (String, Option<String>, Vec<Ranked>, Vec<Design>);

/// One flow's ranking for the terminal: each bus with its `why`, a finding's sentence under
/// its severity and code, a met requirement under `ok`, anything else under `note`.
pub fn ranking_text(
    flow: &str,
    current: Option<&str>,
    ranking: &[Ranked],
    designs: &[Design],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "flow `{flow}`{}",
        current
            .map(|c| format!(" (now on {c})"))
            .unwrap_or_default()
    );
    // a design that changes the question comes before the buses that answer it
    for d in designs {
        let _ = writeln!(out, "  design: {}: {}", d.name, d.what);
        let _ = writeln!(out, "          {}", d.changes);
    }
    for (i, r) in ranking.iter().enumerate() {
        let mark = if r.fits { "fits" } else { "does not fit" };
        let _ = writeln!(out, "{:>3}. {:<15} {mark}", i + 1, r.bus);
        for (j, sentence) in r.why.iter().enumerate() {
            let line = match r.unmet.iter().find(|u| &u.reason == sentence) {
                Some(u) => format!("{:<7} {sentence} [{}]", u.severity.as_str(), u.code),
                // the lead sentence of a bus judged as one mode, and the tie note
                None if (j == 0 && r.mode.is_some()) || sentence.starts_with("ties with") => {
                    format!("note    {sentence}")
                }
                None => format!("ok      {sentence}"),
            };
            let _ = writeln!(out, "       {line}");
        }
    }
    if let Some(note) = closest(ranking) {
        let _ = writeln!(out, "  {note}");
    }
    out
}

pub fn ranking_json(flows: &[FlowRanking]) -> String {
    let v = json!({
        "flows": flows.iter().map(|(name, current, ranking, designs)| json!({
            "name": name,
            "current": current,
            "note": closest(ranking),
            "designs": designs,
            "ranking": ranking.iter().map(|r| json!({
                "bus": r.bus,
                "fits": r.fits,
                "mode": r.mode,
                "why": r.why,
                "weight": (r.weight * 1000.0).round() / 1000.0 + 0.0,
                "margin": (r.margin * 1000.0).round() / 1000.0 + 0.0,
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
