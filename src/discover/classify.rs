//! Which files can matter, decided from the name alone: one table of file kinds.

use globset::{Glob, GlobMatcher};

use crate::kb::{FileRule, Kb};

/// How a file is read.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A YAML file that may be a compose file (checked after parsing).
    Yaml {
        named_compose: bool,
    },
    Conf {
        bus: String,
        rule: FileRule,
    },
    Cargo,
    PackageJson,
    Requirements,
    Pyproject,
    GoMod,
    Pom,
    Gradle,
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
    pub fn classify(&self, name: &str, in_templates: bool) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        if crate::config::manifest::FILE_NAMES.contains(&lower.as_str()) {
            return None;
        }
        if lower.ends_with(".yml") || lower.ends_with(".yaml") {
            if in_templates {
                return None; // Helm templates are Go templates, not YAML
            }
            let named = lower.starts_with("docker-compose") || lower.starts_with("compose");
            return Some(Kind::Yaml {
                named_compose: named,
            });
        }
        match lower.as_str() {
            "cargo.toml" => return Some(Kind::Cargo),
            "package.json" => return Some(Kind::PackageJson),
            "pyproject.toml" => return Some(Kind::Pyproject),
            "go.mod" => return Some(Kind::GoMod),
            "pom.xml" => return Some(Kind::Pom),
            "build.gradle" | "build.gradle.kts" => return Some(Kind::Gradle),
            _ => {}
        }
        if lower.starts_with("requirements") && lower.ends_with(".txt") {
            return Some(Kind::Requirements);
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
