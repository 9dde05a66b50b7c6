//! Which environment each file is in: `--environment`, then the owning busfit.yaml's
//! `environments:` globs, then the folder and file names people use (contract §7).

use globset::{GlobSet, GlobSetBuilder};

use crate::config::environment::{Environment, FOLDER_WORDS};
use crate::project::Project;

pub use crate::config::environment::infer;

/// What decides the environment of a file: `--environment`, each busfit.yaml's globs, the
/// words of the folder busfit runs in. A file's environment is computed when it is asked for
/// (a few thousand findings, not every file of a monorepo).
#[derive(Debug, Clone, Default)]
pub struct Environments {
    forced: Option<Environment>,
    cwd_env: Option<Environment>,
    /// Per busfit.yaml: each environment it names, with its globs.
    sets: Vec<Vec<(Environment, GlobSet)>>,
    /// Files whose brokers offer clients beyond their network only this host's loopback
    /// address: a stack for one machine, development unless named otherwise (sorted).
    local: Vec<crate::source::FileId>,
}

impl Environments {
    #[must_use]
    pub fn new(project: &Project, forced: Option<Environment>) -> Environments {
        if forced.is_some() {
            return Environments {
                forced,
                ..Environments::default()
            };
        }
        let cwd_env = std::env::current_dir()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .and_then(|n| words_env(&n));
        let sets = project
            .manifests
            .iter()
            .map(|m| {
                m.environments
                    .iter()
                    .filter_map(|(e, globs)| {
                        let mut b = GlobSetBuilder::new();
                        for g in globs {
                            b.add(globset::Glob::new(g).ok()?);
                        }
                        Some((*e, b.build().ok()?))
                    })
                    .collect()
            })
            .collect();
        Environments {
            forced,
            cwd_env,
            sets,
            local: Vec::new(),
        }
    }

    /// Marks files as stacks for one machine (their brokers advertise only loopback
    /// addresses to clients beyond their network): development, unless a busfit.yaml or
    /// the path says otherwise.
    pub fn serving_own_host(&mut self, mut files: Vec<crate::source::FileId>) {
        files.sort_unstable();
        files.dedup();
        self.local = files;
    }

    /// The environment of one file of the project.
    #[must_use]
    pub fn of(&self, project: &Project, id: crate::source::FileId) -> Environment {
        if let Some(e) = self.forced {
            return e;
        }
        if id.index() >= project.files.len() {
            return Environment::Production;
        }
        let rel = project.files.rel(id);
        let set = project.files.owner(id).and_then(|m| {
            self.sets
                .get(m)
                .and_then(|s| s.iter().find(|(_, set)| set.is_match(rel)).map(|(e, _)| *e))
        });
        if let Some(e) = set {
            return e;
        }
        let inferred = match project.files.owner(id) {
            Some(_) => infer(rel),
            // a file no busfit.yaml owns is below the folder busfit was asked to check,
            // whose own name counts (`busfit check tutorials/`); run from inside that
            // folder, the words of its name (a repository named `debezium-examples`)
            None => match with_root_name(project.files.name(id), rel) {
                Some(path) => infer(&path),
                None => match (infer(rel), self.cwd_env) {
                    (Environment::Production, Some(e)) => e,
                    (e, _) => e,
                },
            },
        };
        if inferred == Environment::Production && self.local.binary_search(&id).is_ok() {
            return Environment::Development;
        }
        inferred
    }
}

/// `rel` behind the last folder of the root it was walked from, as the shown name gives it:
/// `examples/kafka/compose.yml` shown for `kafka/compose.yml` gives `kafka/…` behind
/// `examples`. A root of `.` or `..` adds nothing.
fn with_root_name(shown: &str, rel: &str) -> Option<String> {
    shown
        .strip_suffix(rel)
        .and_then(|r| r.strip_suffix('/'))
        .and_then(|r| r.rsplit('/').next())
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .map(|n| format!("{n}/{rel}"))
}

/// The environment the words of a folder's name give (`debezium-examples`, `kafka-demo`),
/// not its whole name: a checkout's folder is named after its repository, and a repository
/// named `dev` or `local` says less than a folder of that name inside one.
fn words_env(name: &str) -> Option<Environment> {
    let lower = name.to_ascii_lowercase();
    lower
        .split(['-', '_', '.'])
        .find_map(|w| FOLDER_WORDS.iter().find(|(n, _)| *n == w).map(|(_, e)| *e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_people_use() {
        use Environment::*;
        for (path, env) in [
            ("docker-compose.yml", Production),
            ("deploy/kafka/values.yaml", Production),
            ("examples/kafka/docker-compose.yml", Example),
            ("docs/tutorial/compose.yaml", Example),
            ("tutorials/cdc/docker-compose-postgres.yaml", Example),
            ("ci/values.yaml", Test),
            ("charts/kafka/ci/values-sasl.yaml", Test),
            ("kubetest/kafka.yaml", Test),
            ("integration-tests/compose.yml", Test),
            ("docker-compose.dev.yml", Development),
            ("compose.override.yml", Development),
            ("values-local.yaml", Development),
            ("values-dev.yaml", Development),
            ("docker-compose.prod.yml", Production),
            ("kind-config.yaml", Development),
            ("platform/latest/docker-compose.yml", Production),
            ("contest/app.yaml", Production),
            (".dev/dev.yaml", Development),
            ("documentation/compose/kafka-ssl.yml", Example),
            ("systemtests/kafka/server.properties", Test),
        ] {
            assert_eq!(infer(path), env, "{path}");
        }
    }

    #[test]
    fn the_root_folder_named_counts() {
        assert_eq!(
            with_root_name("x/tutorials/a/compose.yml", "a/compose.yml").as_deref(),
            Some("tutorials/a/compose.yml")
        );
        assert_eq!(with_root_name("a/compose.yml", "a/compose.yml"), None);
        assert_eq!(with_root_name("../a/compose.yml", "a/compose.yml"), None);
        assert_eq!(with_root_name("compose.yml", "compose.yml"), None);
        assert_eq!(words_env("debezium-examples"), Some(Environment::Example));
        assert_eq!(words_env("dev"), None);
        assert_eq!(words_env("kafka-ui"), None);
    }
}
