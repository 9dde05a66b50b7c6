//! Stage: situation (contract §7). Between what was read (`project`) and what is judged
//! (`lint`): the environment each file is in. Rules and filters read it as facts; the policy
//! for findings outside production is applied where findings are filtered (`lint::filter`).

pub mod environment;

use crate::config::environment::Environment;
use crate::project::Project;
use crate::source::FileId;

/// What busfit knows of the situation of a project's files.
#[derive(Debug, Clone, Default)]
pub struct Situation {
    /// The environment of each file, by file id.
    env: Vec<Environment>,
    /// Whether `--environment` set every file's environment.
    pub forced: bool,
}

impl Situation {
    /// The situation of a project's files; `forced` is `--environment`.
    #[must_use]
    pub fn of(project: &Project, forced: Option<Environment>) -> Situation {
        Situation {
            env: environment::of_files(project, forced),
            forced: forced.is_some(),
        }
    }

    /// The environment a file is in (production for a file the project did not read).
    #[must_use]
    pub fn environment(&self, file: FileId) -> Environment {
        self.env
            .get(file.index())
            .copied()
            .unwrap_or(Environment::Production)
    }
}
