//! Ties each flow to its bus (declared, the broker a compose service reaches, the package's
//! client library, the single bus deployed in scope) and merges its requirements: its own,
//! then its busfit.yaml's `defaults.requires`, then `--require`. `recommend` uses the same.

use std::collections::HashMap;

use crate::config::manifest::Manifest;
use crate::extract::Deployment;
use crate::kb::requirements::Requirements;
use crate::project::Project;
use crate::source::{FileId, Span};

/// Where a flow's bus came from (contract §5 inventory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusFrom {
    Declared,
    Deployment,
    Client,
    Default,
}

impl BusFrom {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            BusFrom::Declared => "declared",
            BusFrom::Deployment => "deployment",
            BusFrom::Client => "client",
            BusFrom::Default => "default",
        }
    }
}

/// A flow from busfit.yaml or from an inline declaration, with its bus resolved.
#[derive(Debug, Clone)]
pub struct ResolvedFlow {
    pub name: String,
    pub name_span: Span,
    pub bus: Result<(String, BusFrom), Vec<String>>,
    pub bus_span: Option<Span>,
    pub requires: Requirements,
    /// Index of the manifest whose settings apply.
    pub manifest: Option<usize>,
}

/// A flow's requirements in force: its own, then its busfit.yaml's defaults, then the
/// command line's. Every value keeps the span (and so the file) it was written at.
#[must_use]
pub fn merged(own: &Requirements, manifest: Option<&Manifest>, cli: &Requirements) -> Requirements {
    let mut requires = own.clone();
    if let Some(m) = manifest {
        requires.merge_under(&m.defaults);
    }
    requires.merge_under(cli);
    requires
}

fn distinct(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// The buses deployed and used in each manifest's subtree (`None`: the whole repository).
struct InScope {
    deployed: HashMap<Option<usize>, Vec<String>>,
    used: HashMap<Option<usize>, Vec<String>>,
}

impl InScope {
    fn new(project: &Project) -> InScope {
        let facts = &project.facts;
        let mut deployed: HashMap<Option<usize>, Vec<String>> = HashMap::new();
        let mut used: HashMap<Option<usize>, Vec<String>> = HashMap::new();
        for d in &facts.deployments {
            let owner = project.owner_of(d.file());
            deployed.entry(owner).or_default().push(d.bus.clone());
            deployed.entry(None).or_default().push(d.bus.clone());
        }
        for c in &facts.clients {
            let owner = project.owner_of(c.span.file);
            used.entry(owner).or_default().push(c.bus.clone());
            used.entry(None).or_default().push(c.bus.clone());
        }
        InScope {
            deployed: deployed
                .into_iter()
                .map(|(k, v)| (k, distinct(v)))
                .collect(),
            used: used.into_iter().map(|(k, v)| (k, distinct(v))).collect(),
        }
    }

    /// The single bus deployed (else used) in a manifest's subtree, or the candidates.
    fn bus(&self, mi: Option<usize>) -> Result<(String, BusFrom), Vec<String>> {
        let deployed = self.deployed.get(&mi).cloned().unwrap_or_default();
        match deployed.as_slice() {
            [one] => Ok((one.clone(), BusFrom::Deployment)),
            [] => {
                let clients = self.used.get(&mi).cloned().unwrap_or_default();
                match clients.as_slice() {
                    [one] => Ok((one.clone(), BusFrom::Client)),
                    _ => Err(clients),
                }
            }
            _ => Err(deployed),
        }
    }
}

/// Resolves every flow's bus: declared, the broker a compose service reaches, the
/// package's client library, the single bus deployed in scope, else the candidates.
#[must_use]
pub fn resolve(project: &Project, cli: &Requirements) -> Vec<ResolvedFlow> {
    let facts = &project.facts;
    let scope = InScope::new(project);
    // the deployments and clients of each file: an inline flow looks only at its own file's
    let mut deployed_in: HashMap<FileId, Vec<&Deployment>> = HashMap::new();
    for d in &facts.deployments {
        deployed_in.entry(d.file()).or_default().push(d);
    }
    let mut used_in: HashMap<FileId, Vec<&str>> = HashMap::new();
    for c in &facts.clients {
        used_in.entry(c.span.file).or_default().push(&c.bus);
    }
    let mut out = Vec::new();
    for (mi, m) in project.manifests.iter().enumerate() {
        for f in &m.flows {
            let bus = match &f.bus {
                Some((b, _)) => Ok((b.clone(), BusFrom::Declared)),
                None => scope.bus(Some(mi)),
            };
            out.push(ResolvedFlow {
                name: f.name.clone(),
                name_span: f.name_span,
                bus,
                bus_span: f.bus.as_ref().map(|b| b.1),
                requires: merged(&f.requires, Some(m), cli),
                manifest: Some(mi),
            });
        }
    }
    for fl in &facts.inline {
        let file = fl.file();
        let mi = project.owner_of(file);
        let bus = if let Some((b, _)) = &fl.bus {
            Ok((b.clone(), BusFrom::Declared))
        } else {
            let reached = distinct(
                deployed_in
                    .get(&file)
                    .into_iter()
                    .flatten()
                    .filter(|d| fl.reaches.contains(&d.name))
                    .map(|d| d.bus.clone())
                    .collect(),
            );
            let libs = distinct(
                used_in
                    .get(&file)
                    .into_iter()
                    .flatten()
                    .map(|b| (*b).to_owned())
                    .collect(),
            );
            match (reached.as_slice(), libs.as_slice()) {
                ([one], _) => Ok((one.clone(), BusFrom::Deployment)),
                ([], [one]) => Ok((one.clone(), BusFrom::Client)),
                ([_, _, ..], _) => Err(reached),
                _ => scope.bus(mi),
            }
        };
        out.push(ResolvedFlow {
            name: fl.name.clone(),
            name_span: fl.name_span,
            bus,
            bus_span: fl.bus.as_ref().map(|b| b.1),
            requires: merged(&fl.requires, mi.map(|i| &project.manifests[i]), cli),
            manifest: mi,
        });
    }
    out
}
