//! Stage: situation (contract §7). Between what was read (`project`) and what is judged
//! (`lint`): the environment each file is in. Rules and filters read it as facts; the policy
//! for findings outside production is applied where findings are filtered (`lint::filter`).

pub mod environment;
pub mod role;

use crate::config::environment::Environment;
use crate::kb::Kb;
use crate::project::Project;
use crate::source::FileId;

/// What busfit knows of the situation of a project's files.
pub struct Situation<'p> {
    project: &'p Project,
    /// What decides each file's environment (computed when asked for).
    env: environment::Environments,
    /// The use of each deployment (role, linked clients), by index into `facts.deployments`.
    pub uses: Vec<role::Use>,
}

impl<'p> Situation<'p> {
    /// The situation of a project's files; `forced` is `--environment`.
    #[must_use]
    pub fn of(kb: &Kb, project: &'p Project, forced: Option<Environment>) -> Situation<'p> {
        let mut env = environment::Environments::new(project, forced);
        if forced.is_none() {
            env.serving_own_host(own_host_stacks(kb, project));
        }
        Situation {
            project,
            env,
            uses: role::of_deployments(kb, project),
        }
    }

    /// The use of deployment `i` of `facts.deployments` (none known for another index).
    #[must_use]
    pub fn use_of(&self, i: usize) -> Option<&role::Use> {
        self.uses.get(i)
    }

    /// The environment a file is in (production for a file the project did not read).
    #[must_use]
    pub fn environment(&self, file: FileId) -> Environment {
        self.env.of(self.project, file)
    }
}

/// The compose files whose brokers publish a port and advertise to clients only addresses of
/// this host (`localhost`, `127.0.0.1`, Docker Desktop's `host.docker.internal`) or of the
/// compose network (`kafka:9092`): clients on other machines cannot use them, so the stack
/// serves one machine (a developer's). The profile names the advertised list
/// (`recognition.listeners.advertised`).
fn own_host_stacks(kb: &Kb, project: &Project) -> Vec<FileId> {
    let mut out = Vec::new();
    for d in project
        .facts
        .deployments
        .iter()
        .filter(|d| d.source == "compose")
    {
        let Some(advertised) = kb
            .profile(&d.bus)
            .and_then(|p| p.recognition.listeners.as_ref())
            .and_then(|l| l.advertised.as_deref())
        else {
            continue;
        };
        if !d
            .settings
            .iter()
            .any(|s| s.key == crate::extract::compose::PUBLISHED)
        {
            continue;
        }
        let Some(list) = d.settings.iter().rev().find(|s| s.key == advertised) else {
            continue;
        };
        use crate::extract::HostScope;
        let scopes: Vec<HostScope> = crate::extract::listener_items(&list.value)
            .iter()
            .map(|(_, h, _)| crate::extract::host_scope(h))
            .collect();
        if scopes.contains(&HostScope::Loopback)
            && scopes
                .iter()
                .all(|s| matches!(s, HostScope::Loopback | HostScope::Network))
        {
            out.push(d.file());
        }
    }
    out
}
