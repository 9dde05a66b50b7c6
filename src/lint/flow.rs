//! The findings of one flow on its bus: the bus undetermined (BF002), or every rule that fires
//! for its requirements, each drawn at the requirement that it is about, in the file that
//! requirement was written in.

use super::eval::{self, Alternative, Levels};
use super::finding::Finding;
use super::resolve::ResolvedFlow;
use crate::kb::requirements::ReqValue;
use crate::kb::{Kb, Profile};
use crate::lang::expr::Val;

/// BF002: the flow names no bus and none, or several, can be determined.
fn undetermined(
    kb: &Kb,
    levels: &Levels,
    flow: &ResolvedFlow,
    candidates: &[String],
) -> Option<Finding> {
    let (detail, choices) = if candidates.is_empty() {
        (
            "none is deployed".to_owned(),
            kb.bus_names().collect::<Vec<_>>().join(", "),
        )
    } else {
        (
            format!("several are deployed: {}", candidates.join(", ")),
            candidates.join(", "),
        )
    };
    let vars = [
        ("flow", Val::Str(flow.name.clone())),
        ("detail", Val::Str(detail)),
        ("candidates", Val::Str(choices)),
    ];
    Some(
        Finding::builtin(kb, levels, "BF002", flow.name_span, &vars)?
            .flow(Some(flow.name.clone()))
            .subject(format!("flow:{}/bus", flow.name)),
    )
}

/// "would fit: a, b (misses c)" under a finding's help.
fn with_alternatives(help: Option<String>, alternatives: &[Alternative]) -> Option<String> {
    if alternatives.is_empty() {
        return help;
    }
    let names: Vec<String> = alternatives
        .iter()
        .take(4)
        .map(|a| {
            if a.unmet.is_empty() {
                a.bus.clone()
            } else {
                format!("{} (misses {})", a.bus, a.unmet.join(", "))
            }
        })
        .collect();
    let line = format!("would fit: {}", names.join(", "));
    Some(match help {
        Some(h) => format!("{h}\n{line}"),
        None => line,
    })
}

/// The findings of one flow: its bus undetermined, or every rule that fires on it.
pub fn findings(
    kb: &Kb,
    flow: &ResolvedFlow,
    file: &str,
    levels: &Levels,
    profiles: &[Profile],
    variants: &std::collections::HashMap<String, String>,
    memo: &eval::Memo<'_>,
) -> Vec<Finding> {
    let bus = match &flow.bus {
        Ok((bus, _)) => bus,
        Err(candidates) => {
            return undetermined(kb, levels, flow, candidates)
                .into_iter()
                .collect();
        }
    };
    let reqs = &flow.requires;
    // the repository runs one kind of the bus (EMQX): the flow is judged as that kind
    let kind = variants.get(bus.as_str()).map(String::as_str);
    let Some(result) = eval::evaluate(
        kb, levels, profiles, bus, kind, reqs, &flow.name, file, memo,
    ) else {
        return Vec::new();
    };
    let hits = result
        .hits
        .iter()
        .map(|h| (h, true))
        .chain(result.mode_hints.iter().map(|h| (h, false)));
    let mut out = Vec::new();
    for (hit, real) in hits {
        let rule = &kb.rules[hit.rule];
        let req_key = rule.requirement.clone().unwrap_or_default();
        // the requirement's own span: it may be in another file than the flow (defaults)
        let (span, label, from_cli) = match reqs.get(&req_key) {
            Some(ReqValue { span: Some(s), .. }) => (*s, format!("{req_key} required here"), false),
            _ => (
                flow.name_span,
                format!("{req_key} required by --require"),
                true,
            ),
        };
        let alternatives = if real {
            result.alternatives(kb, hit)
        } else {
            Vec::new()
        };
        let mut message = hit.message.clone();
        if from_cli {
            message.push_str(" (from --require)");
        }
        let secondary = flow
            .bus_span
            .map(|s| (s, format!("flow `{}` runs on {bus}", flow.name)));
        let subject = if real {
            format!("flow:{}/requires/{req_key}", flow.name)
        } else {
            format!("flow:{}/requires/{req_key}/mode", flow.name)
        };
        out.push(
            Finding::new(rule, hit.severity, span, message)
                .label(label)
                .secondary(secondary)
                .flow(Some(flow.name.clone()))
                .bus(Some(bus.clone()))
                .help(with_alternatives(hit.help.clone(), &alternatives))
                .alternatives(alternatives)
                .subject(subject),
        );
    }
    out
}
