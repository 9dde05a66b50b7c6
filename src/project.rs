//! Loads a repository: its busfit.yaml files and the facts of every file that can matter.

use std::path::{Path, PathBuf};

use crate::check::display_path;
use crate::diag::{ConfigError, SourceFile};
use crate::extract::{self, Classifier, Facts, Kind};
use crate::kb::Kb;
use crate::manifest::Manifest;
use crate::span::ByteSpan;

/// Files larger than this are reported, not read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

pub struct Project {
    pub manifests: Vec<Manifest>,
    pub facts: Facts,
    /// For each file of `facts`, the manifest that applies to it: the nearest at or above it.
    pub owner: Vec<Option<usize>>,
}

impl Project {
    /// Index of the manifest that applies to a file of `facts`.
    pub fn owner_of(&self, file: usize) -> Option<usize> {
        self.owner.get(file).copied().flatten()
    }
}

/// The nearest manifest directory at or above `abs`.
fn owner(abs: &Path, dirs: &[PathBuf]) -> Option<usize> {
    dirs.iter()
        .enumerate()
        .filter(|(_, d)| abs.starts_with(d))
        .max_by_key(|(_, d)| d.components().count())
        .map(|(i, _)| i)
}

fn absolute(p: &Path, cwd: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| {
        // a file that exists only on standard input: its directory, then its name
        let joined = cwd.join(p);
        match (
            joined.parent().and_then(|d| d.canonicalize().ok()),
            joined.file_name(),
        ) {
            (Some(d), Some(n)) => d.join(n),
            _ => joined,
        }
    })
}

/// The directories to walk: each directory given, and for a file the directory of the
/// busfit.yaml that applies to it (or its own directory).
fn roots(paths: &[PathBuf], manifests: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            out.push(p.clone());
        } else {
            let abs = p.canonicalize().unwrap_or_else(|_| p.clone());
            let owner = manifests
                .iter()
                .filter_map(|m| m.canonicalize().ok())
                .filter_map(|m| m.parent().map(Path::to_path_buf))
                .filter(|d| abs.starts_with(d))
                .max_by_key(|d| d.components().count());
            out.push(owner.unwrap_or_else(|| {
                abs.parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
            }));
        }
    }
    out
}

pub fn walk(root: &Path, no_ignore: bool) -> impl Iterator<Item = ignore::DirEntry> {
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(!no_ignore)
        .git_global(!no_ignore)
        .git_exclude(!no_ignore)
        .ignore(!no_ignore)
        .parents(!no_ignore)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
        .flatten()
}

/// Reads every file that can matter under the paths and extracts its facts.
pub fn load(
    kb: &Kb,
    paths: &[PathBuf],
    manifests: Vec<Manifest>,
    manifest_paths: &[PathBuf],
    cwd: &Path,
    no_ignore: bool,
    stdin: Option<(&Path, &str)>,
) -> Result<Project, Vec<ConfigError>> {
    let classifier = Classifier::new(kb);
    let mut found: std::collections::BTreeMap<String, (PathBuf, Kind)> =
        std::collections::BTreeMap::new();
    for root in roots(paths, manifest_paths) {
        for entry in walk(&root, no_ignore) {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            let in_templates = entry
                .path()
                .components()
                .any(|c| c.as_os_str() == "templates");
            if let Some(kind) = classifier.classify(&name, in_templates) {
                let shown = display_path(entry.path(), cwd);
                found
                    .entry(shown)
                    .or_insert_with(|| (entry.path().to_path_buf(), kind));
            }
        }
    }
    // a file read from standard input stands in for (or adds) the file of that name
    let stdin = stdin.and_then(|(name, text)| {
        let shown = display_path(name, cwd);
        let base = name.file_name()?.to_string_lossy().into_owned();
        let kind = classifier.classify(&base, false)?;
        found.insert(shown.clone(), (name.to_path_buf(), kind));
        Some((shown, text))
    });
    let dirs: Vec<PathBuf> = manifest_paths
        .iter()
        .map(|m| {
            absolute(m, cwd)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        })
        .collect();
    let globs = |list: &[String]| -> Option<globset::GlobSet> {
        if list.is_empty() {
            return None;
        }
        let mut b = globset::GlobSetBuilder::new();
        for g in list {
            if let Ok(g) = globset::Glob::new(g) {
                b.add(g);
            }
        }
        b.build().ok()
    };
    let filters: Vec<(Option<globset::GlobSet>, Option<globset::GlobSet>)> = manifests
        .iter()
        .map(|m| (globs(&m.settings.include), globs(&m.settings.exclude)))
        .collect();
    let mut owners = Vec::new();
    let mut facts = Facts::default();
    for (shown, (path, kind)) in found {
        let abs = absolute(&path, cwd);
        let own = owner(&abs, &dirs);
        // settings.include / settings.exclude, relative to the manifest's directory
        let filtered = own.is_some_and(|i| {
            let (include, exclude) = &filters[i];
            abs.strip_prefix(&dirs[i]).is_ok_and(|rel| {
                exclude.as_ref().is_some_and(|g| g.is_match(rel))
                    || include.as_ref().is_some_and(|g| !g.is_match(rel))
            })
        });
        if filtered {
            continue;
        }
        owners.push(own);
        if let Some((name, text)) = &stdin
            && *name == shown
        {
            facts.files.push(SourceFile::new(shown, *text));
            extract::extract(kb, &kind, facts.files.len() - 1, &mut facts);
            continue;
        }
        let file = facts.files.len();
        let too_big = std::fs::metadata(&path)
            .map(|m| m.len() > MAX_FILE_BYTES)
            .unwrap_or(false);
        let bytes = if too_big {
            Err(format!(
                "larger than {} MiB; not read",
                MAX_FILE_BYTES / 1024 / 1024
            ))
        } else {
            std::fs::read(&path).map_err(|e| format!("cannot read: {e}"))
        };
        let text = match bytes
            .and_then(|b| String::from_utf8(b).map_err(|_| "not valid UTF-8 text".to_owned()))
        {
            Ok(t) => t,
            Err(msg) => {
                facts.files.push(SourceFile::new(shown, ""));
                facts.broken.push((file, ByteSpan::new(0, 0), msg));
                continue;
            }
        };
        facts.files.push(SourceFile::new(shown, text));
        extract::extract(kb, &kind, file, &mut facts);
    }
    if !facts.errors.is_empty() {
        return Err(std::mem::take(&mut facts.errors));
    }
    Ok(Project {
        manifests,
        facts,
        owner: owners,
    })
}
