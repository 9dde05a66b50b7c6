//! Which files can matter, decided from the name alone, and which extractor reads them: one
//! table. The walk (`discover`) asks it of every file; `project` hands each kept file to the
//! extractor its row names.

use globset::{Glob, GlobMatcher};

use super::{Facts, Input, packages};
use crate::kb::{FileRule, Kb};

/// An extractor of one source kind: a file's text in, facts out.
pub type Extractor = fn(&Kb, &Input<'_>, &mut Facts);

/// A source kind recognised by its file name: the test on the lower-cased base name, and the
/// extractor that reads it.
#[derive(Debug)]
pub struct Named {
    pub kind: &'static str,
    pub matches: fn(&str) -> bool,
    pub extract: Extractor,
}

/// The source kinds read by file name. Adding one is its extractor and its row here.
pub const NAMED: &[Named] = &[
    Named {
        kind: "cargo",
        matches: |n| n == "cargo.toml",
        extract: packages::cargo,
    },
    Named {
        kind: "npm",
        matches: |n| n == "package.json",
        extract: packages::npm,
    },
    Named {
        kind: "pyproject",
        matches: |n| n == "pyproject.toml",
        extract: packages::pyproject,
    },
    Named {
        kind: "go",
        matches: |n| n == "go.mod",
        extract: packages::go_mod,
    },
    Named {
        kind: "maven",
        matches: |n| n == "pom.xml",
        extract: packages::pom,
    },
    Named {
        kind: "gradle",
        matches: |n| n == "build.gradle" || n == "build.gradle.kts",
        extract: packages::gradle,
    },
    Named {
        kind: "requirements",
        matches: |n| n.starts_with("requirements") && n.ends_with(".txt"),
        extract: packages::requirements_txt,
    },
];

/// How a file is read.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A YAML file: compose, Kubernetes, AsyncAPI or Helm, decided by content after parsing.
    Yaml { named_compose: bool },
    /// A broker config file, by the globs of a profile's `recognition.files`.
    Conf { bus: String, rule: FileRule },
    /// A source kind of the [`NAMED`] table.
    Named(&'static Named),
}

/// Decides from a file's name alone whether it can matter.
pub struct Classifier {
    conf: Vec<(GlobMatcher, String, FileRule)>,
}

impl Classifier {
    #[must_use]
    pub fn new(kb: &Kb) -> Classifier {
        let mut conf = Vec::new();
        for p in &kb.profiles {
            for r in &p.recognition.files {
                if let Ok(g) = Glob::new(&r.glob) {
                    conf.push((g.compile_matcher(), p.bus.clone(), r.clone()));
                }
            }
        }
        Classifier { conf }
    }

    #[must_use]
    pub fn classify(&self, name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        if crate::config::manifest::FILE_NAMES.contains(&lower.as_str()) {
            return None;
        }
        if lower.ends_with(".yml") || lower.ends_with(".yaml") {
            let named = lower.starts_with("docker-compose") || lower.starts_with("compose");
            return Some(Kind::Yaml {
                named_compose: named,
            });
        }
        if let Some(row) = NAMED.iter().find(|r| (r.matches)(&lower)) {
            return Some(Kind::Named(row));
        }
        self.conf
            .iter()
            .find(|(g, _, _)| g.is_match(name))
            .map(|(_, bus, rule)| Kind::Conf {
                bus: bus.clone(),
                rule: rule.clone(),
            })
    }
}
