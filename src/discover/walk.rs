//! One parallel walk of the paths (the `ignore` crate: .gitignore, .ignore, hidden files)
//! that keeps busfit.yaml files and every file the classifier says can matter.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::config::manifest;
use crate::extract::{Classifier, Kind};
use crate::kb::Kb;
use crate::source::ConfigError;
use crate::source::path::display_path;

/// A file the walk kept: how it is shown, where it is, how it is read.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub shown: String,
    pub path: PathBuf,
    pub abs: PathBuf,
    /// The path relative to the root of the walk that found it, with `/` separators.
    pub rel: String,
    pub kind: Kind,
}

/// What one walk of the paths found.
#[derive(Debug, Default)]
pub struct Scan {
    /// busfit.yaml files: inside the paths, and the nearest at or above each path.
    pub manifests: Vec<PathBuf>,
    pub candidates: Vec<Candidate>,
}

fn usage(msg: String) -> Box<ConfigError> {
    Box::new(ConfigError::plain(msg).code("busfit::io"))
}

/// The nearest busfit.yaml at or above a directory.
fn manifest_above(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find_map(|d| {
        manifest::FILE_NAMES
            .iter()
            .map(|n| d.join(n))
            .find(|m| m.is_file())
    })
}

/// A file the walk kept: shown name, path, absolute path, path under the root, and its kind
/// (None: a busfit.yaml).
type Walked = (String, PathBuf, PathBuf, String, Option<Kind>);

/// The roots to walk and the busfit.yaml above each path. A directory is its own root; a
/// file's root is the directory of the busfit.yaml that applies to it (or its own directory):
/// pre-commit passes files, and the project around them still counts.
fn roots(
    paths: &[PathBuf],
    stdin_name: Option<&Path>,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Box<ConfigError>> {
    let mut manifests: Vec<PathBuf> = Vec::new();
    let mut roots: Vec<PathBuf> = Vec::new();
    for p in paths {
        let virtual_file = Some(p.as_path()) == stdin_name;
        if !virtual_file && !p.exists() {
            return Err(usage(format!("{}: no such file or directory", p.display())));
        }
        let dir = if p.is_dir() {
            p.clone()
        } else {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        let abs_dir = dir
            .canonicalize()
            .map_err(|e| usage(format!("{}: {e}", dir.display())))?;
        let above = manifest_above(&abs_dir);
        if let Some(m) = &above {
            manifests.push(m.clone());
        }
        if p.is_dir() {
            roots.push(p.clone());
        } else {
            roots.push(
                above
                    .and_then(|m| m.parent().map(Path::to_path_buf))
                    .unwrap_or(dir),
            );
        }
    }
    roots.sort();
    roots.dedup();
    Ok((manifests, roots))
}

/// One walk per root (see [`roots`]), in parallel.
pub fn scan(
    kb: &Kb,
    paths: &[PathBuf],
    no_ignore: bool,
    stdin_name: Option<&Path>,
    cwd: &Path,
) -> Result<Scan, Box<ConfigError>> {
    let classifier = Classifier::new(kb);
    scan_with(&|| Some(&classifier), paths, no_ignore, stdin_name, cwd)
}

/// [`scan`] with the classifier asked for when the first file is found, so that the walk can
/// start while the knowledge is still loading (`None`: it did not load; nothing is kept).
pub fn scan_with<'c>(
    classifier: &(dyn Fn() -> Option<&'c Classifier> + Sync),
    paths: &[PathBuf],
    no_ignore: bool,
    stdin_name: Option<&Path>,
    cwd: &Path,
) -> Result<Scan, Box<ConfigError>> {
    let (manifests, roots) = roots(paths, stdin_name)?;
    let files_only = paths.iter().all(|p| !p.is_dir());
    let found: Mutex<Vec<Walked>> = Mutex::new(Vec::new());
    // a folder that cannot be read is an error (exit 2), not a silent "no findings"
    let unreadable: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let abs_cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    for root in &roots {
        let abs_root = root
            .canonicalize()
            .map_err(|e| usage(format!("{}: {e}", root.display())))?;
        let mut walker = ignore::WalkBuilder::new(root);
        walker
            .hidden(false)
            .git_ignore(!no_ignore)
            .git_global(!no_ignore)
            .git_exclude(!no_ignore)
            .ignore(!no_ignore)
            .parents(!no_ignore)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .threads(rayon::current_num_threads());
        let visitor = || {
            let found = &found;
            let unreadable = &unreadable;
            let (root, abs_root, abs_cwd) = (root.clone(), abs_root.clone(), abs_cwd.clone());
            // a file's shown name is the root's shown name and its path under the root, unless
            // busfit runs inside the root (then the walk may come back through the cwd)
            let shown_root = (abs_root == abs_cwd || !abs_cwd.starts_with(&abs_root)).then(|| {
                crate::source::path::relative(&abs_root, &abs_cwd)
                    .to_string_lossy()
                    .replace('\\', "/")
            });
            Box::new(move |entry: Result<ignore::DirEntry, ignore::Error>| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        if e.io_error()
                            .is_some_and(|io| io.kind() == std::io::ErrorKind::PermissionDenied)
                            && let Ok(mut u) = unreadable.lock()
                        {
                            u.push(e.to_string());
                        }
                        return ignore::WalkState::Continue;
                    }
                };
                let name = entry.file_name().to_string_lossy();
                let is_manifest = manifest::FILE_NAMES.contains(&name.as_ref());
                // a busfit.yaml that is a symlink to a file inside the checked folder is read
                // (a repository that shares one configuration); one that leads out is not
                let linked_manifest = is_manifest
                    && entry.path_is_symlink()
                    && entry
                        .path()
                        .canonicalize()
                        .is_ok_and(|t| t.starts_with(&abs_root) && t.is_file());
                if !entry.file_type().is_some_and(|t| t.is_file()) && !linked_manifest {
                    return ignore::WalkState::Continue;
                }
                let rel_path = entry.path().strip_prefix(&root).unwrap_or(entry.path());
                let rel = rel_path.to_string_lossy().replace('\\', "/");
                let kind = if is_manifest {
                    None
                } else {
                    classifier().and_then(|c| c.classify(&rel))
                };
                if !is_manifest && kind.is_none() {
                    return ignore::WalkState::Continue;
                }
                let abs = abs_root.join(rel_path);
                // shown relative to where busfit runs, as display_path would, without a syscall
                let shown = match &shown_root {
                    Some(r) if r.is_empty() || r == "." => rel.clone(),
                    Some(r) => format!("{}/{rel}", r.trim_end_matches('/')),
                    None => crate::source::path::relative(&abs, &abs_cwd)
                        .to_string_lossy()
                        .replace('\\', "/"),
                };
                if let Ok(mut f) = found.lock() {
                    f.push((shown, entry.path().to_path_buf(), abs, rel, kind));
                }
                ignore::WalkState::Continue
            })
                as Box<
                    dyn FnMut(Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState
                        + Send
                        + '_,
                >
        };
        if files_only {
            // files named alone (a pre-commit run): the folder around them is small, and
            // one thread walks it sooner than a pool of threads starts and waits for work
            let mut visit = visitor();
            for entry in walker.build() {
                visit(entry);
            }
        } else {
            walker.build_parallel().run(visitor);
        }
    }
    let mut unreadable = unreadable.into_inner().unwrap_or_default();
    if !unreadable.is_empty() {
        unreadable.sort();
        return Err(usage(format!(
            "cannot read {}{}",
            unreadable[0],
            if unreadable.len() > 1 {
                format!(" (and {} more)", unreadable.len() - 1)
            } else {
                String::new()
            }
        )));
    }
    let mut found = found.into_inner().unwrap_or_default();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|a, b| a.0 == b.0);
    let mut scan = Scan::default();
    for (shown, path, abs, rel, kind) in found {
        match kind {
            None => scan.manifests.push(abs),
            Some(kind) => scan.candidates.push(Candidate {
                shown,
                path,
                abs,
                rel,
                kind,
            }),
        }
    }
    scan.manifests.extend(manifests);
    scan.manifests.sort();
    scan.manifests.dedup();
    // a file named on the command line is checked even when .gitignore leaves it out (as
    // ruff does): naming it is asking for it
    for p in paths {
        if Some(p.as_path()) == stdin_name || !p.is_file() {
            continue;
        }
        let shown = display_path(p, cwd);
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if manifest::FILE_NAMES.contains(&name.as_str())
            || scan.candidates.iter().any(|c| c.shown == shown)
        {
            continue;
        }
        if let Some(kind) = classifier().and_then(|c| c.classify(&shown)) {
            scan.candidates.push(Candidate {
                rel: name,
                abs: absolute(p, cwd),
                path: p.clone(),
                shown,
                kind,
            });
            scan.candidates.sort_by(|a, b| a.shown.cmp(&b.shown));
        }
    }
    // a file on standard input stands in for the file of that name
    if let Some(name) = stdin_name {
        let shown = display_path(name, cwd);
        if !scan.candidates.iter().any(|c| c.shown == shown)
            && let Some(kind) = classifier().and_then(|c| c.classify(&shown))
        {
            let abs = absolute(name, cwd);
            scan.candidates.push(Candidate {
                rel: shown.clone(),
                shown,
                path: name.to_path_buf(),
                abs,
                kind,
            });
            scan.candidates.sort_by(|a, b| a.shown.cmp(&b.shown));
        }
    }
    Ok(scan)
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
