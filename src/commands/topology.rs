//! The topology as a Mermaid flowchart (contract §7, issue 26): the services that reach each
//! deployment, each deployment (cluster size, environment, role) with its findings by
//! severity, and the flows that run on its bus. `inventory --format mermaid` prints it; the
//! Markdown report of `check` embeds it, so a job summary or a pull-request comment shows it.
//!
//! A repository with more than [`MAX_NODES`] nodes is drawn grouped (deployments by bus and
//! environment, flows by bus, services counted), with a note that says so: a picture of four
//! hundred boxes tells nobody anything.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::config::environment::Environment;
use crate::kb::Severity;
use crate::lint::{Finding, ResolvedFlow};
use crate::project::Project;
use crate::situation::Situation;

/// Above this many nodes the diagram is grouped.
pub const MAX_NODES: usize = 60;

/// Text from the repository as a Mermaid label: hostile characters (controls, bidi
/// overrides) written as visible escapes, as every format does; quotes, angle brackets, `#`
/// (Mermaid's entity sign), `&` and backticks (which would close a Markdown fence) as entity
/// codes; at most 80 characters.
fn label(text: &str) -> String {
    let text = crate::report::escape::line(text);
    let mut out = String::new();
    for c in text.chars().filter(|c| !c.is_control()).take(80) {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            '&' => out.push_str("#amp;"),
            _ => out.push(c),
        }
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Findings by severity, worst first: "2 errors · 1 warning", or "no findings".
#[derive(Default, Clone, Copy)]
struct Counts([usize; 3]);

impl Counts {
    fn add(&mut self, s: Severity) {
        self.0[match s {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }] += 1;
    }
    fn merge(&mut self, o: Counts) {
        for i in 0..3 {
            self.0[i] += o.0[i];
        }
    }
    fn text(self) -> String {
        let names = [
            ("error", "errors"),
            ("warning", "warnings"),
            ("info", "infos"),
        ];
        let parts: Vec<String> = self
            .0
            .iter()
            .zip(names)
            .filter(|(n, _)| **n > 0)
            .map(|(n, (one, many))| format!("{n} {}", if *n == 1 { one } else { many }))
            .collect();
        if parts.is_empty() {
            "no findings".to_owned()
        } else {
            parts.join(" · ")
        }
    }
    fn class(self) -> &'static str {
        if self.0[0] > 0 {
            "error"
        } else if self.0[1] > 0 {
            "warning"
        } else if self.0[2] > 0 {
            "info"
        } else {
            "clean"
        }
    }
}

/// Whether a flow on `flow_bus` runs on a deployment of `deployed` (`redis-streams` on a
/// `redis`, `nats-jetstream` on a `nats`).
fn runs_on(flow_bus: &str, deployed: &str) -> bool {
    flow_bus == deployed
        || flow_bus
            .strip_prefix(deployed)
            .is_some_and(|rest| rest.starts_with('-'))
        || deployed
            .strip_prefix(flow_bus)
            .is_some_and(|rest| rest.starts_with('-'))
}

/// The Mermaid flowchart of a project's topology, with `findings` counted per deployment and
/// per flow.
#[must_use]
pub fn mermaid(
    project: &Project,
    situation: &Situation<'_>,
    flows: &[ResolvedFlow],
    findings: &[Finding],
) -> String {
    let files = &project.files;
    let deployments = &project.facts.deployments;
    // each finding at a deployment's file belongs to the nearest deployment written before it
    // (a compose file's service, a chart's values); a flow's findings to its flow
    let mut by_file: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
    for (i, d) in deployments.iter().enumerate() {
        by_file
            .entry(d.file().0 as usize)
            .or_default()
            .push((d.span.range.start, i));
    }
    for v in by_file.values_mut() {
        v.sort_unstable();
    }
    // a file a deployment reads besides its own (a mounted mosquitto.conf, an env file): its
    // findings are that deployment's
    let mut read_by: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, d) in deployments.iter().enumerate() {
        for s in &d.settings {
            let file = s.span.file.0 as usize;
            if !by_file.contains_key(&file) {
                read_by.entry(file).or_insert(i);
            }
        }
    }
    let mut at_deployment = vec![Counts::default(); deployments.len()];
    let mut at_flow: BTreeMap<&str, Counts> = BTreeMap::new();
    for f in findings {
        // where it is written decides: at a deployment's file (or a file it reads), the
        // deployment's; elsewhere (a busfit.yaml), its flow's
        let file = f.span.file.0 as usize;
        let start = f.span.range.start;
        let owner = read_by.get(&file).copied().or_else(|| {
            let list = by_file.get(&file)?;
            list.iter()
                .rev()
                .find(|(s, _)| *s <= start)
                .or_else(|| list.first())
                .map(|(_, i)| *i)
        });
        // a flow's own finding (a requirement the bus misses) is the flow's, wherever the
        // requirement is written (inline in a compose file)
        let flow = f
            .flow
            .as_deref()
            .filter(|_| f.subject.starts_with("flow:"))
            .filter(|n| flows.iter().any(|r| r.name == *n));
        match (flow, owner) {
            (Some(flow), _) => at_flow.entry(flow).or_default().add(f.severity),
            (None, Some(i)) => at_deployment[i].add(f.severity),
            (None, None) => {}
        }
    }
    // the services that reach each deployment
    let mut services: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in 0..deployments.len() {
        for l in situation
            .use_of(i)
            .map(|u| u.clients.as_slice())
            .unwrap_or_default()
        {
            let e = services.entry(l.from.clone()).or_default();
            if !e.contains(&i) {
                e.push(i);
            }
        }
    }
    // client libraries and client configurations, one per folder and bus (a service's
    // manifest): each reaches the deployments of its bus, or the bus deployed elsewhere
    let mut clients: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for c in &project.facts.clients {
        let name = files.name(c.span.file);
        let dir = name.rsplit_once('/').map_or(".", |(d, _)| d);
        let (libs, buses) = clients.entry(dir.to_owned()).or_default();
        if !libs.contains(&c.library) {
            libs.push(c.library.clone());
        }
        if !buses.contains(&c.bus) {
            buses.push(c.bus.clone());
        }
    }
    let flow_bus = |f: &ResolvedFlow| f.bus.as_ref().ok().map(|(b, _)| b.clone());
    // buses used (by clients or flows) but deployed nowhere in the repository
    let deployed = |bus: &str| deployments.iter().any(|d| runs_on(bus, &d.bus));
    let mut elsewhere: Vec<String> = clients
        .values()
        .flat_map(|(_, buses)| buses.iter().cloned())
        .chain(flows.iter().filter_map(flow_bus))
        .filter(|b| !deployed(b))
        .collect();
    elsewhere.sort();
    elsewhere.dedup();
    let nodes = services.len() + clients.len() + deployments.len() + elsewhere.len() + flows.len();
    let mut out = String::from("flowchart LR\n");
    if nodes == 0 {
        out.push_str("  empty[\"no deployment, client or flow found\"]\n");
    } else if nodes <= MAX_NODES {
        let _ = writeln!(
            out,
            "  %% busfit inventory: {}, {}, {}, {}",
            plural(services.len(), "service"),
            plural(clients.len(), "client"),
            plural(deployments.len(), "deployment"),
            plural(flows.len(), "flow")
        );
        for (i, d) in deployments.iter().enumerate() {
            let used = situation.use_of(i);
            let mut lines = vec![format!("{} · {}", label(&d.bus), label(&d.name))];
            let mut about = Vec::new();
            if let Some(n) = used.and_then(|u| u.nodes) {
                about.push(format!("{n} node{}", if n == 1 { "" } else { "s" }));
            }
            about.push(situation.environment(d.file()).to_string());
            if let Some(role) = used.and_then(|u| u.role.as_deref()) {
                about.push(label(role));
            }
            lines.push(about.join(" · "));
            lines.push(label(files.name(d.file())));
            lines.push(at_deployment[i].text());
            let _ = writeln!(
                out,
                "  d{i}[(\"{}\")]:::{}",
                lines.join("<br/>"),
                at_deployment[i].class()
            );
        }
        for (n, bus) in elsewhere.iter().enumerate() {
            let _ = writeln!(
                out,
                "  x{n}[(\"{} · not deployed here\")]:::elsewhere",
                label(bus)
            );
        }
        for (n, (name, to)) in services.iter().enumerate() {
            let _ = writeln!(out, "  s{n}[\"{}\"]", label(name));
            for i in to {
                let _ = writeln!(out, "  s{n} --> d{i}");
            }
        }
        for (n, (dir, (libs, buses))) in clients.iter().enumerate() {
            let more = if libs.len() > 2 {
                format!(" and {} more", libs.len() - 2)
            } else {
                String::new()
            };
            let shown: Vec<&str> = libs.iter().take(2).map(String::as_str).collect();
            // a library does not say which of several deployments of its bus it reaches: it is
            // linked to one or two, and otherwise says how many it may use
            let many: Vec<String> = buses
                .iter()
                .filter_map(|bus| {
                    let n = deployments.iter().filter(|d| runs_on(bus, &d.bus)).count();
                    (n > 2).then(|| format!("<br/>uses {} ({n} deployments)", label(bus)))
                })
                .collect();
            let _ = writeln!(
                out,
                "  c{n}[\"{}<br/>{}{more}{}\"]",
                label(dir),
                label(&shown.join(", ")),
                many.concat()
            );
            for bus in buses {
                let of_bus: Vec<usize> = deployments
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| runs_on(bus, &d.bus))
                    .map(|(i, _)| i)
                    .collect();
                if of_bus.len() <= 2 {
                    for i in of_bus {
                        let _ = writeln!(out, "  c{n} --> d{i}");
                    }
                }
                if let Some(x) = elsewhere.iter().position(|b| b == bus) {
                    let _ = writeln!(out, "  c{n} --> x{x}");
                }
            }
        }
        for (n, f) in flows.iter().enumerate() {
            let counts = at_flow.get(f.name.as_str()).copied().unwrap_or_default();
            let bus = flow_bus(f);
            let _ = writeln!(
                out,
                "  f{n}{{{{\"flow {}<br/>on {}<br/>{}\"}}}}:::{}",
                label(&f.name),
                label(bus.as_deref().unwrap_or("?")),
                counts.text(),
                counts.class()
            );
            for (i, d) in deployments.iter().enumerate() {
                if bus.as_deref().is_some_and(|b| runs_on(b, &d.bus)) {
                    let _ = writeln!(out, "  d{i} --> f{n}");
                }
            }
            if let Some(x) = elsewhere.iter().position(|b| Some(b) == bus.as_ref()) {
                let _ = writeln!(out, "  x{x} --> f{n}");
            }
        }
    } else {
        // grouped: deployments by bus and environment, flows by bus, services counted
        let mut groups: BTreeMap<(String, Environment), (usize, Counts, Vec<&str>)> =
            BTreeMap::new();
        for (i, d) in deployments.iter().enumerate() {
            let g = groups
                .entry((d.bus.clone(), situation.environment(d.file())))
                .or_default();
            g.0 += 1;
            g.1.merge(at_deployment[i]);
            // the services that reach any deployment of the group, each once
            for (name, to) in &services {
                if to.contains(&i) && !g.2.contains(&name.as_str()) {
                    g.2.push(name.as_str());
                }
            }
        }
        let mut flow_groups: BTreeMap<String, (usize, Counts)> = BTreeMap::new();
        for f in flows {
            let g = flow_groups
                .entry(flow_bus(f).unwrap_or_else(|| "?".to_owned()))
                .or_default();
            g.0 += 1;
            g.1.merge(at_flow.get(f.name.as_str()).copied().unwrap_or_default());
        }
        let _ = writeln!(
            out,
            "  %% busfit inventory: {}, {}, {}, grouped",
            plural(services.len(), "service"),
            plural(deployments.len(), "deployment"),
            plural(flows.len(), "flow")
        );
        let _ = writeln!(
            out,
            "  note[\"{nodes} nodes are too many to read: {} deployments in {} groups by bus and environment, {} flows by bus, {} services and {} clients counted. busfit inventory lists each.\"]",
            deployments.len(),
            groups.len(),
            flows.len(),
            services.len(),
            clients.len()
        );
        for (n, ((bus, env), (count, counts, reached))) in groups.iter().enumerate() {
            let mut lines = vec![
                format!("{} × {count}", label(bus)),
                env.to_string(),
                counts.text(),
            ];
            if !reached.is_empty() {
                lines.push(format!("reached by {}", plural(reached.len(), "service")));
            }
            let _ = writeln!(
                out,
                "  g{n}[(\"{}\")]:::{}",
                lines.join("<br/>"),
                counts.class()
            );
        }
        for (n, (bus, (count, counts))) in flow_groups.iter().enumerate() {
            let _ = writeln!(
                out,
                "  h{n}{{{{\"{count} flow{} on {}<br/>{}\"}}}}:::{}",
                if *count == 1 { "" } else { "s" },
                label(bus),
                counts.text(),
                counts.class()
            );
            for (g, ((deployed, _), _)) in groups.iter().enumerate() {
                if runs_on(bus, deployed) {
                    let _ = writeln!(out, "  g{g} --> h{n}");
                }
            }
        }
    }
    out.push_str("  classDef error fill:#fde2e1,stroke:#c62828\n");
    out.push_str("  classDef warning fill:#fff4d6,stroke:#b7791f\n");
    out.push_str("  classDef info fill:#e8f0fe,stroke:#1a73e8\n");
    out.push_str("  classDef clean fill:#e6f4ea,stroke:#2e7d32\n");
    out.push_str("  classDef elsewhere fill:#f1f3f4,stroke:#80868b,stroke-dasharray:4 3\n");
    out
}
