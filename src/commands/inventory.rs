//! `busfit inventory`: every deployment and client library found, and each flow's bus.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::report::table;

/// A setting in the JSON inventory: its value and the layer it came from (contract §7), with
/// where it is written, or the image family whose default it is.
fn layered(files: &crate::source::FileTable, s: &crate::extract::Setting) -> Json {
    use crate::extract::Origin;
    let mut o = json!({"key": s.key, "value": s.value});
    let layer = match &s.origin {
        Origin::Written => "written",
        Origin::Counted => "counted",
        Origin::Absent(_) => "absent",
        Origin::Default => "program",
        Origin::Image(family) => {
            o["image"] = json!(family);
            "image"
        }
        Origin::Implied => "implied",
        Origin::Evaluated(how) => {
            o["from"] = json!(how);
            "evaluated"
        }
    };
    o["layer"] = json!(layer);
    if matches!(
        s.origin,
        Origin::Written | Origin::Counted | Origin::Absent(_)
    ) {
        let (line, column) = files.line_col(s.span);
        o["file"] = json!(files.name(s.span.file));
        o["line"] = json!(line);
        o["column"] = json!(column);
    }
    o
}

/// `busfit inventory`: what is deployed, which client libraries are used, each flow's bus.
pub fn inventory(
    kb: &crate::kb::Kb,
    project: &crate::project::Project,
    situation: &crate::situation::Situation,
    flows: &[crate::lint::ResolvedFlow],
    as_json: bool,
) -> String {
    let facts = &project.facts;
    let files = &project.files;
    if as_json {
        let deployments: Vec<Json> = facts
            .deployments
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let (line, column) = files.line_col(d.span);
                let used = situation.use_of(i);
                let clients: Vec<Json> = used
                    .map(|u| u.clients.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|l| {
                        let (line, column) = files.line_col(l.span);
                        json!({"service": l.from, "variable": l.var, "file": files.name(l.span.file),
                               "line": line, "column": column})
                    })
                    .collect();
                json!({"bus": d.bus, "file": files.name(d.file()), "line": line, "column": column,
                       "source": d.source, "name": d.name, "evidence": d.evidence,
                       "environment": situation.environment(d.file()),
                       "role": used.and_then(|u| u.role.as_deref()),
                       "nodes": used.and_then(|u| u.nodes),
                       "clients": clients,
                       "settings": crate::lint::settings::effective_of(kb, d).iter().map(|s| layered(files, s)).collect::<Vec<_>>()})
            })
            .collect();
        let clients: Vec<Json> = facts
            .clients
            .iter()
            .map(|c| {
                let (line, column) = files.line_col(c.span);
                json!({"bus": c.bus, "file": files.name(c.span.file), "line": line, "column": column, "library": c.library,
                       "source": c.source, "environment": situation.environment(c.span.file),
                       "settings": c.settings.iter().map(|s| json!({"key": s.key, "value": s.value})).collect::<Vec<_>>()})
            })
            .collect();
        let flows: Vec<Json> = flows
            .iter()
            .map(|f| {
                let (line, _) = files.line_col(f.name_span);
                let (bus, from) = match &f.bus {
                    Ok((b, from)) => (Some(b.clone()), Some(from.as_str())),
                    Err(_) => (None, None),
                };
                json!({"name": f.name, "file": files.name(f.name_span.file), "line": line, "bus": bus, "bus_from": from})
            })
            .collect();
        let mut s = serde_json::to_string_pretty(
            &json!({"deployments": deployments, "clients": clients, "flows": flows}),
        )
        .unwrap_or_default();
        s.push('\n');
        return s;
    }
    let mut out = String::new();
    let d_rows: Vec<Vec<String>> = facts
        .deployments
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let (l, c) = files.line_col(d.span);
            let used = situation.use_of(i);
            vec![
                d.bus.clone(),
                format!("{}:{l}:{c}", files.name(d.file())),
                d.source.to_owned(),
                situation.environment(d.file()).to_string(),
                used.and_then(|u| u.role.clone())
                    .unwrap_or_else(|| "-".to_owned()),
                used.and_then(|u| u.nodes)
                    .map_or_else(|| "?".to_owned(), |n| n.to_string()),
                d.name.clone(),
                d.evidence.clone(),
            ]
        })
        .collect();
    let c_rows: Vec<Vec<String>> = facts
        .clients
        .iter()
        .map(|c| {
            let (l, col) = files.line_col(c.span);
            vec![
                c.bus.clone(),
                format!("{}:{l}:{col}", files.name(c.span.file)),
                c.source.clone(),
                c.library.clone(),
            ]
        })
        .collect();
    let f_rows: Vec<Vec<String>> = flows
        .iter()
        .map(|f| {
            let (l, c) = files.line_col(f.name_span);
            let (bus, from) = match &f.bus {
                Ok((b, from)) => (b.clone(), from.as_str().to_owned()),
                Err(c) if c.is_empty() => ("?".into(), "no bus deployed".into()),
                Err(c) => ("?".into(), format!("one of {}", c.join(", "))),
            };
            vec![
                f.name.clone(),
                format!("{}:{l}:{c}", files.name(f.name_span.file)),
                bus,
                from,
            ]
        })
        .collect();
    let _ = writeln!(out, "Deployments ({})", d_rows.len());
    out.push_str(&table(
        &[
            "bus",
            "where",
            "source",
            "environment",
            "role",
            "nodes",
            "name",
            "evidence",
        ],
        &d_rows,
    ));
    let _ = writeln!(out, "\nClients ({})", c_rows.len());
    out.push_str(&table(&["bus", "where", "source", "library"], &c_rows));
    let _ = writeln!(out, "\nFlows ({})", f_rows.len());
    out.push_str(&table(&["flow", "where", "bus", "bus from"], &f_rows));
    out
}
