//! Which files can matter, decided from the name alone, and which extractor reads them: one
//! table. The walk (`discover`) asks it of every file; `project` hands each kept file to the
//! extractor its row names.

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::{Facts, Input, packages, spring, terraform};
use crate::kb::{FileRule, Kb};

/// An extractor of one source kind: a file's text in, facts out.
pub type Extractor = fn(&Kb, &Input<'_>, &mut Facts);

/// A source kind recognised by its file name: the test on the lower-cased base name and path
/// (`/`-separated, from the walk's root), and the extractor that reads it.
#[derive(Debug)]
pub struct Named {
    pub kind: &'static str,
    pub matches: fn(&str, &str) -> bool,
    pub extract: Extractor,
}

/// The source kinds read by file name. Adding one is its extractor and its row here.
pub const NAMED: &[Named] = &[
    Named {
        kind: "spring",
        // application.yml, application-prod.properties, bootstrap.yaml, under any folder
        matches: |n, _| spring::is_spring_file(n),
        extract: spring::extract,
    },
    Named {
        kind: "terraform",
        // modules are not followed: what a module deploys is read where its resources are;
        // the values files Terraform loads by itself give its variables their values
        matches: |n, _| {
            n.ends_with(".tf") || n == "terraform.tfvars" || n.ends_with(".auto.tfvars")
        },
        extract: terraform::extract,
    },
    Named {
        kind: "cargo",
        matches: |n, _| n == "cargo.toml",
        extract: packages::cargo,
    },
    Named {
        kind: "nuget",
        matches: |n, _| n.ends_with(".csproj") || n.ends_with(".fsproj"),
        extract: packages::csproj,
    },
    Named {
        kind: "rubygems",
        matches: |n, _| n == "gemfile",
        extract: packages::gemfile,
    },
    Named {
        kind: "sbt",
        matches: |n, _| n == "build.sbt",
        extract: packages::sbt,
    },
    Named {
        kind: "leiningen",
        matches: |n, _| n == "project.clj",
        extract: packages::leiningen,
    },
    Named {
        kind: "npm",
        matches: |n, _| n == "package.json",
        extract: packages::npm,
    },
    Named {
        kind: "pyproject",
        matches: |n, _| n == "pyproject.toml",
        extract: packages::pyproject,
    },
    Named {
        kind: "go",
        matches: |n, _| n == "go.mod",
        extract: packages::go_mod,
    },
    Named {
        kind: "maven",
        matches: |n, _| n == "pom.xml",
        extract: packages::pom,
    },
    Named {
        kind: "gradle",
        // and the version catalogs (gradle/libs.versions.toml) that name the modules they use
        matches: |n, _| {
            n == "build.gradle" || n == "build.gradle.kts" || n.ends_with(".versions.toml")
        },
        extract: packages::gradle,
    },
    Named {
        kind: "requirements",
        // requirements.txt, requirements-dev.txt, requirements/base.txt,
        // requirements/extras/kafka.txt, and the pip-tools inputs (*.in) beside them
        matches: |n, path| {
            (n.ends_with(".txt") || n.ends_with(".in"))
                && (n.contains("requirements")
                    || path
                        .split('/')
                        .rev()
                        .skip(1)
                        .any(|d| d.starts_with("requirements")))
        },
        extract: packages::requirements_txt,
    },
];

/// Extensions that make a file a template of the file it names without them.
const TEMPLATE_EXTENSIONS: &[&str] = &[".j2", ".jinja", ".jinja2", ".tpl", ".tmpl", ".gotmpl"];

/// How a file is read.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A YAML file: compose, Kubernetes, AsyncAPI or Helm, decided by content after parsing.
    Yaml { named_compose: bool },
    /// A broker config file, by the globs of a profile's `recognition.files`.
    /// Every rule whose glob matches, in profile order; the first whose markers the file's
    /// content holds decides (a file is recognised by content as well as by name).
    /// Shared with the classifier: a repository has thousands of config files, and a rule
    /// holds its compiled glob.
    Conf(Vec<std::sync::Arc<(String, FileRule)>>),
    /// A source kind of the [`NAMED`] table.
    Named(&'static Named),
}

/// Decides from a file's name alone whether it can matter.
pub struct Classifier {
    /// The globs of every profile's config-file rules, matched in one pass; compiled when the
    /// first file that is neither YAML nor a named kind asks (a pre-commit run of one compose
    /// file never does).
    globs: std::sync::OnceLock<GlobSet>,
    /// The rule of each glob of `globs`, by index (only rules whose glob parses).
    conf: Vec<std::sync::Arc<(String, FileRule)>>,
}

impl Classifier {
    #[must_use]
    pub fn new(kb: &Kb) -> Classifier {
        let mut conf = Vec::new();
        for p in &kb.profiles {
            for r in &p.recognition.files {
                if Glob::new(&r.glob).is_ok() {
                    conf.push(std::sync::Arc::new((p.bus.clone(), r.clone())));
                }
            }
        }
        Classifier {
            globs: std::sync::OnceLock::new(),
            conf,
        }
    }

    fn globs(&self) -> &GlobSet {
        self.globs.get_or_init(|| {
            let mut b = GlobSetBuilder::new();
            for g in self.conf.iter().filter_map(|c| Glob::new(&c.1.glob).ok()) {
                b.add(g);
            }
            // a set of globs that each compiled alone compiles together
            b.build().unwrap_or_else(|_| GlobSet::empty())
        })
    }

    #[must_use]
    /// The kind of the file at `path` (`/`-separated; a base name alone will do).
    pub fn classify(&self, path: &str) -> Option<Kind> {
        // a template of a file (`docker-compose.yml.j2`, `redis.conf.tpl`) is read as that file:
        // what parses is read, a YAML template that does not is skipped and counted
        let path = TEMPLATE_EXTENSIONS
            .iter()
            .find_map(|e| {
                path.len()
                    .checked_sub(e.len())
                    .filter(|&i| path.is_char_boundary(i) && path[i..].eq_ignore_ascii_case(e))
                    .map(|i| &path[..i])
            })
            .unwrap_or(path);
        let lower_path = path.to_ascii_lowercase();
        let lower = lower_path
            .rsplit('/')
            .next()
            .unwrap_or(&lower_path)
            .to_owned();
        let name = path.rsplit('/').next().unwrap_or(path);
        if crate::config::manifest::FILE_NAMES.contains(&lower.as_str()) {
            return None;
        }
        if spring::is_spring_file(&lower) {
            return NAMED.iter().find(|r| r.kind == "spring").map(Kind::Named);
        }
        if lower.ends_with(".yml") || lower.ends_with(".yaml") {
            let named = lower.starts_with("docker-compose") || lower.starts_with("compose");
            return Some(Kind::Yaml {
                named_compose: named,
            });
        }
        if let Some(row) = NAMED.iter().find(|r| (r.matches)(&lower, &lower_path)) {
            return Some(Kind::Named(row));
        }
        let mut hits = self.globs().matches(name);
        // in profile order
        hits.sort_unstable();
        let mut rules: Vec<std::sync::Arc<(String, FileRule)>> =
            hits.into_iter().map(|i| self.conf[i].clone()).collect();
        // rules that name the file come before the ones that only know its extension
        rules.sort_by_key(|r| r.1.glob.starts_with('*'));
        (!rules.is_empty()).then_some(Kind::Conf(rules))
    }
}
