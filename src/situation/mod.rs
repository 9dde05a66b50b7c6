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
        Situation {
            project,
            env: environment::Environments::new(project, forced),
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
