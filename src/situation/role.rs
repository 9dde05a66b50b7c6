//! What a deployment is used for (contract §7): the clients linked to it, and for a bus whose
//! profile lists roles (Redis: broker, cache, store), the role its evidence shows.

use crate::extract::{Deployment, Link};
use crate::kb::Kb;
use crate::project::Project;
use crate::source::path::dir_of;

/// A deployment's role and the clients that reach it.
#[derive(Debug, Clone, Default)]
pub struct Use {
    /// The role (`broker`, `cache`, `store`), when the profile knows roles and the evidence
    /// names one.
    pub role: Option<String>,
    /// Whether the requirements of the flows on its bus apply (false for a cache).
    pub carries_messages: bool,
    /// The services that reach it, each with the variable they reach it by.
    pub clients: Vec<Link>,
    /// The nodes of its cluster: the brokers counted from its members, or how many
    /// deployments share its cluster; none when that depends on an unknown value.
    pub nodes: Option<i64>,
}

/// The use of every deployment of a project, by index into `facts.deployments`.
#[must_use]
pub fn of_deployments(kb: &Kb, project: &Project) -> Vec<Use> {
    let deployments = &project.facts.deployments;
    let mut members: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for d in deployments {
        if let Some(c) = d.cluster.as_ref().filter(|c| !c.part) {
            *members.entry(c.key.as_str()).or_default() += 1;
        }
    }
    // a cluster's counted brokers stand on its first member only: each member takes them
    let mut counted: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for d in deployments {
        if let Some(c) = d.cluster.as_ref().filter(|c| !c.part)
            && let Some(n) = d
                .settings
                .iter()
                .find(|s| s.origin == crate::extract::Origin::Counted)
                .and_then(|s| s.value.parse::<i64>().ok())
        {
            counted.insert(c.key.as_str(), n);
        }
    }
    // compose files by directory: a service is reached from its file and the files beside it
    let mut by_dir: std::collections::HashMap<&str, Vec<&crate::extract::ComposeFile>> =
        std::collections::HashMap::new();
    for c in &project.facts.compose {
        by_dir
            .entry(dir_of(project.files.name(c.file)))
            .or_default()
            .push(c);
    }
    let hosts = Hosts::new(project);
    let hosts: Vec<Vec<String>> = deployments.iter().map(|d| hosts.of(project, d)).collect();
    // how many deployments answer to each host name: a value in another folder links only to
    // a name one deployment has
    let mut answering: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for h in hosts.iter().flatten() {
        *answering.entry(h.as_str()).or_default() += 1;
    }
    let reaches = reaches(project);
    // each reach under every host name it may name, in the order read, and under its folder
    // and that name (the lookup for a name several deployments have)
    let mut by_host: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    let mut by_dir_host: std::collections::HashMap<(&str, String), Vec<usize>> =
        std::collections::HashMap::new();
    for (i, r) in reaches.iter().enumerate() {
        let dir = dir_of(project.files.name(r.span.file));
        for h in named_hosts(&r.value) {
            let list = by_dir_host.entry((dir, h.clone())).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
            let list = by_host.entry(h).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    deployments
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut u = use_of(kb, project, &by_dir, d);
            let dir = dir_of(project.files.name(d.file()));
            let mut found: Vec<usize> = Vec::new();
            for h in &hosts[i] {
                let rs = if answering.get(h.as_str()) == Some(&1) {
                    by_host.get(h.as_str())
                } else {
                    by_dir_host.get(&(dir, h.clone()))
                };
                found.extend(rs.map(Vec::as_slice).unwrap_or_default());
            }
            found.sort_unstable();
            found.dedup();
            for r in found.into_iter().map(|r| &reaches[r]) {
                if !u.clients.iter().any(|l| l.span == r.span) {
                    u.clients.push(Link {
                        from: r.from.clone(),
                        var: r.var.clone(),
                        to: d.name.clone(),
                        span: r.span,
                    });
                }
            }
            if !u.clients.is_empty() && u.role.is_none() {
                role_of(kb, d, &mut u);
            }
            u.nodes = match d.cluster.as_ref().filter(|c| !c.part) {
                Some(c) => counted
                    .get(c.key.as_str())
                    .or_else(|| members.get(c.key.as_str()))
                    .copied(),
                None => d
                    .settings
                    .iter()
                    .find(|s| s.origin == crate::extract::Origin::Counted)
                    .and_then(|s| s.value.parse::<i64>().ok())
                    .or(Some(1)),
            };
            u
        })
        .collect()
}

fn use_of(
    kb: &Kb,
    project: &Project,
    by_dir: &std::collections::HashMap<&str, Vec<&crate::extract::ComposeFile>>,
    d: &Deployment,
) -> Use {
    let files = &project.files;
    let dir = dir_of(files.name(d.file()));
    // a compose service is reached by the services of its file and of the files beside it
    // (overlays) that name it
    let clients: Vec<Link> = if d.source == "compose" {
        by_dir
            .get(dir)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .flat_map(|c| c.links.iter())
            .filter(|l| l.to == d.name)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let mut out = Use {
        role: None,
        carries_messages: true,
        clients,
        nodes: None,
    };
    role_of(kb, d, &mut out);
    out
}

/// The role the deployment's name, its clients' variables and its settings show (the
/// profile's `roles:`, first match).
fn role_of(kb: &Kb, d: &Deployment, out: &mut Use) {
    let Some(profile) = kb.profile(&d.bus) else {
        return;
    };
    let mut words: Vec<String> = split_words(&d.name);
    for l in &out.clients {
        words.extend(split_words(&l.var));
    }
    for r in &profile.roles {
        let by_word = words.iter().any(|w| r.words.contains(w));
        let by_setting = r.settings.iter().any(|(k, values)| {
            d.settings
                .iter()
                .rev()
                .find(|s| &s.key == k && !s.is_unknown())
                .is_some_and(|s| values.iter().any(|v| v == s.value.trim()))
        });
        if by_word || by_setting {
            out.role = Some(r.role.clone());
            out.carries_messages = r.carries_messages;
            break;
        }
    }
}

/// Where host names come from outside compose: each workload's pod labels, and the Services
/// of each folder, indexed once.
struct Hosts<'a> {
    labels: std::collections::HashMap<(crate::source::FileId, &'a str), &'a [(String, String)]>,
    services: std::collections::HashMap<&'a str, Vec<&'a crate::extract::KubeService>>,
}

impl<'a> Hosts<'a> {
    fn new(project: &'a Project) -> Hosts<'a> {
        let mut labels = std::collections::HashMap::new();
        for (f, n, l) in &project.facts.pod_labels {
            labels.entry((*f, n.as_str())).or_insert(l.as_slice());
        }
        let mut services: std::collections::HashMap<&str, Vec<&crate::extract::KubeService>> =
            std::collections::HashMap::new();
        for s in &project.facts.kube_services {
            services
                .entry(dir_of(project.files.name(s.span.file)))
                .or_default()
                .push(s);
        }
        Hosts { labels, services }
    }

    /// The host names a deployment answers to: a compose service's name; a Kubernetes
    /// workload's name and the names of the Services (in its folder) whose selector its pods
    /// match.
    fn of(&self, project: &Project, d: &Deployment) -> Vec<String> {
        if d.source == "compose" {
            return vec![d.name.clone()];
        }
        if d.source != "kubernetes" || d.name.contains('/') {
            return Vec::new();
        }
        let mut out = vec![d.name.clone()];
        let dir = dir_of(project.files.name(d.file()));
        if let Some(labels) = self.labels.get(&(d.span.file, d.name.as_str())) {
            for s in self
                .services
                .get(dir)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if s.selector
                    .iter()
                    .all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
                    && !out.contains(&s.name)
                {
                    out.push(s.name.clone());
                }
            }
        }
        out
    }
}

/// What outside compose names a host: Kubernetes env and ConfigMap entries, and the address
/// settings of clients' configuration (Spring Boot, Kafka client files).
fn reaches(project: &Project) -> Vec<crate::extract::Reach> {
    const ADDRESS_KEYS: &[&str] = &["bootstrap.servers", "host", "url", "addresses", "nodes"];
    let mut out = project.facts.reaches.clone();
    for c in &project.facts.clients {
        for s in c
            .settings
            .iter()
            .filter(|s| ADDRESS_KEYS.contains(&s.key.as_str()))
        {
            out.push(crate::extract::Reach {
                from: format!("{} ({})", c.library, c.source),
                var: s.key.clone(),
                value: s.value.clone(),
                span: s.span,
            });
        }
    }
    out
}

/// The host names a value may name: the value as a whole, and the host of each URL or
/// `host:port` item; a Kubernetes DNS name (`cache.shop`, `cache.shop.svc.cluster.local`)
/// names its first label too.
fn named_hosts(value: &str) -> Vec<String> {
    let mut out = vec![value.trim().to_owned()];
    for h in crate::extract::compose::url_hosts(value) {
        out.push(h.to_owned());
        if let Some((first, rest)) = h.split_once('.')
            && (!rest.contains('.') || rest.contains("svc"))
        {
            out.push(first.to_owned());
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The lower-case words of a name: `CELERY_BROKER_URL` → celery, broker, url.
fn split_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}
