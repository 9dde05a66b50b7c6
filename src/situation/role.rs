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
    deployments
        .iter()
        .map(|d| {
            let mut u = use_of(kb, project, &by_dir, d);
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
    let Some(profile) = kb.profile(&d.bus) else {
        return out;
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
    out
}

/// The lower-case words of a name: `CELERY_BROKER_URL` → celery, broker, url.
fn split_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}
