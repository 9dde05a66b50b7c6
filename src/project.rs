//! Loads a repository: one parallel walk finds its busfit.yaml files and every file that can
//! matter; files are read and parsed in parallel, and their facts merged in path order, so the
//! result does not depend on the thread count.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use aho_corasick::AhoCorasick;
use rayon::prelude::*;

use crate::check::display_path;
use crate::diag::{ConfigError, SourceFile};
use crate::extract::{self, Classifier, Facts, Kind};
use crate::kb::Kb;
use crate::manifest::{self, Manifest};
use crate::span::ByteSpan;

/// Files larger than this are reported, not read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The largest `settings.max_file_size` accepted: the cap is what bounds memory per file.
pub const MAX_FILE_BYTES_LIMIT: u64 = 1024 * 1024 * 1024;

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

/// A file the walk kept: how it is shown, where it is, how it is read.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub shown: String,
    pub path: PathBuf,
    pub abs: PathBuf,
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

/// A file the walk kept: shown name, path, absolute path, and its kind (None: a busfit.yaml).
type Walked = (String, PathBuf, PathBuf, Option<Kind>);

/// One walk per root, in parallel. A file path's root is the directory of the busfit.yaml
/// that applies to it (or its own directory): pre-commit passes files, and the project around
/// them still counts.
pub fn scan(
    kb: &Kb,
    paths: &[PathBuf],
    no_ignore: bool,
    stdin_name: Option<&Path>,
    cwd: &Path,
) -> Result<Scan, Box<ConfigError>> {
    let classifier = Classifier::new(kb);
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
    let found: Mutex<Vec<Walked>> = Mutex::new(Vec::new());
    let abs_cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    for root in &roots {
        let abs_root = root
            .canonicalize()
            .map_err(|e| usage(format!("{}: {e}", root.display())))?;
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .git_ignore(!no_ignore)
            .git_global(!no_ignore)
            .git_exclude(!no_ignore)
            .ignore(!no_ignore)
            .parents(!no_ignore)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .threads(rayon::current_num_threads())
            .build_parallel();
        walker.run(|| {
            let classifier = &classifier;
            let found = &found;
            let (root, abs_root, abs_cwd) = (root.clone(), abs_root.clone(), abs_cwd.clone());
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return ignore::WalkState::Continue;
                }
                let name = entry.file_name().to_string_lossy();
                let is_manifest = manifest::FILE_NAMES.contains(&name.as_ref());
                let in_templates = entry
                    .path()
                    .components()
                    .any(|c| c.as_os_str() == "templates");
                let kind = if is_manifest {
                    None
                } else {
                    classifier.classify(&name, in_templates)
                };
                if !is_manifest && kind.is_none() {
                    return ignore::WalkState::Continue;
                }
                let rel = entry.path().strip_prefix(&root).unwrap_or(entry.path());
                let abs = abs_root.join(rel);
                // shown relative to where busfit runs, as display_path would, without a syscall
                let shown = crate::check::relative(&abs, &abs_cwd)
                    .to_string_lossy()
                    .replace('\\', "/");
                if let Ok(mut f) = found.lock() {
                    f.push((shown, entry.path().to_path_buf(), abs, kind));
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut found = found.into_inner().unwrap_or_default();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|a, b| a.0 == b.0);
    let mut scan = Scan::default();
    for (shown, path, abs, kind) in found {
        match kind {
            None => scan.manifests.push(abs),
            Some(kind) => scan.candidates.push(Candidate {
                shown,
                path,
                abs,
                kind,
            }),
        }
    }
    scan.manifests.extend(manifests);
    scan.manifests.sort();
    scan.manifests.dedup();
    // a file on standard input stands in for the file of that name
    if let Some(name) = stdin_name
        && let Some(base) = name.file_name().map(|b| b.to_string_lossy().into_owned())
    {
        let shown = display_path(name, cwd);
        if !scan.candidates.iter().any(|c| c.shown == shown)
            && let Some(kind) = classifier.classify(&base, false)
        {
            let abs = absolute(name, cwd);
            scan.candidates.push(Candidate {
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

/// The nearest manifest directory at or above `abs`: a walk up its ancestors.
fn owner(abs: &Path, dirs: &HashMap<&Path, usize>) -> Option<usize> {
    abs.ancestors().skip(1).find_map(|a| dirs.get(a).copied())
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

/// Words one of which a YAML file must hold to be worth parsing: what recognises a bus,
/// and what declares requirements. A file without any is skipped before building a tree.
fn yaml_needles(kb: &Kb) -> AhoCorasick {
    let mut words: Vec<String> = vec![
        "x-busfit".into(),
        "busfit.dev/".into(),
        "asyncapi".into(),
        ".conf".into(),
        ".properties".into(),
        "services:".into(),
    ];
    for p in &kb.profiles {
        let r = &p.recognition;
        words.extend(r.images.iter().cloned());
        words.extend(r.kinds.iter().map(|k| k.kind.clone()));
        words.extend(r.charts.iter().cloned());
    }
    words.sort();
    words.dedup();
    AhoCorasick::new(&words)
        .unwrap_or_else(|_| AhoCorasick::new(["x-busfit"]).expect("a literal pattern"))
}

/// A path a busfit.yaml names (`baseline`, `custom_rules`), resolved and held inside the
/// manifest's directory: a symlink that leads out of it is refused.
pub fn inside(manifest_dir: &str, rel: &str) -> Result<PathBuf, String> {
    let base = if manifest_dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(manifest_dir)
    };
    let path = base.join(rel);
    let canon = path
        .canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let root = base
        .canonicalize()
        .map_err(|e| format!("{}: {e}", base.display()))?;
    if !canon.starts_with(&root) {
        return Err(format!(
            "{}: leads outside the directory of its busfit.yaml (through a symlink); not read",
            path.display()
        ));
    }
    Ok(path)
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge(u64),
    NotRegular,
    NotUtf8,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::TooLarge(cap) => write!(f, "larger than {}; not read", show_size(*cap)),
            ReadError::NotRegular => f.write_str("not a regular file; not read"),
            ReadError::NotUtf8 => f.write_str("not valid UTF-8 text"),
        }
    }
}

/// Reads at most `cap` bytes of a file; more is `TooLarge`, never a larger allocation.
pub fn read_bytes_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let f = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut buf = Vec::new();
    f.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > cap {
        return Err(ReadError::TooLarge(cap));
    }
    Ok(buf)
}

/// Reads a regular file (never a FIFO or a device) of at most `cap` bytes as text.
pub fn read_text_file(path: &Path, cap: u64) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    String::from_utf8(read_bytes_capped(path, cap)?).map_err(|_| ReadError::NotUtf8)
}

fn show_size(n: u64) -> String {
    for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}

/// Reads and extracts one file into facts of its own (file index 0).
fn one(
    kb: &Kb,
    needles: &AhoCorasick,
    c: &Candidate,
    cap: u64,
    stdin: Option<(&str, &str)>,
) -> Facts {
    let mut facts = Facts::default();
    let text = match stdin {
        Some((name, text)) if name == c.shown => {
            if text.len() as u64 > cap {
                Err(ReadError::TooLarge(cap))
            } else {
                Ok(text.to_owned())
            }
        }
        _ => read_bytes_capped(&c.path, cap)
            .and_then(|b| String::from_utf8(b).map_err(|_| ReadError::NotUtf8)),
    };
    match text {
        Ok(text) => {
            let worth = match &c.kind {
                Kind::Yaml { named_compose } => {
                    let base = c.shown.rsplit('/').next().unwrap_or(&c.shown);
                    // charts and their values are read whatever they hold: the chart names the bus
                    *named_compose
                        || base == "Chart.yaml"
                        || base.starts_with("values")
                        || needles.is_match(&text)
                }
                _ => true,
            };
            facts.files.push(SourceFile::new(c.shown.clone(), text));
            if worth {
                extract::extract(kb, &c.kind, 0, &mut facts);
            }
        }
        Err(e) => {
            // the message of a BF001 finding; a repository raises its cap in its busfit.yaml
            let msg = match e {
                ReadError::TooLarge(_) => format!("{e} (settings.max_file_size)"),
                e => e.to_string(),
            };
            facts.files.push(SourceFile::new(c.shown.clone(), ""));
            facts.broken.push((0, ByteSpan::new(0, 0), msg));
        }
    }
    facts
}

/// Files held in memory, each checked as if it sat beside the given manifests (which own it):
/// the whole pipeline after the walk, for fuzzing and for embedding busfit. The classifier and
/// the byte prefilter are built once and serve every file.
pub struct InMemory<'k> {
    kb: &'k Kb,
    classifier: Classifier,
    needles: AhoCorasick,
}

impl<'k> InMemory<'k> {
    pub fn new(kb: &'k Kb) -> Self {
        InMemory {
            kb,
            classifier: Classifier::new(kb),
            needles: yaml_needles(kb),
        }
    }

    /// `None` when the name is not one busfit reads, or an inline requirement is invalid.
    pub fn project(&self, name: &str, text: &str, manifests: Vec<Manifest>) -> Option<Project> {
        let base = name.rsplit('/').next().unwrap_or(name);
        let kind = self
            .classifier
            .classify(base, name.contains("templates/"))?;
        let c = Candidate {
            shown: name.to_owned(),
            path: PathBuf::from(name),
            abs: PathBuf::from("/").join(name),
            kind,
        };
        let facts = one(
            self.kb,
            &self.needles,
            &c,
            MAX_FILE_BYTES,
            Some((name, text)),
        );
        if !facts.errors.is_empty() {
            return None;
        }
        let owner = vec![(!manifests.is_empty()).then_some(0)];
        Some(Project {
            manifests,
            facts,
            owner,
        })
    }
}

/// Appends one file's facts, moving its file index to `at`.
fn merge(into: &mut Facts, mut part: Facts, at: usize) {
    into.files.append(&mut part.files);
    into.deployments
        .extend(part.deployments.into_iter().map(|mut d| {
            d.file = at;
            d
        }));
    into.clients.extend(part.clients.into_iter().map(|mut c| {
        c.file = at;
        c
    }));
    into.inline.extend(part.inline.into_iter().map(|mut i| {
        i.file = at;
        i
    }));
    into.broken
        .extend(part.broken.into_iter().map(|(_, s, m)| (at, s, m)));
    into.errors.append(&mut part.errors);
}

/// Reads every candidate (in parallel) and extracts its facts, keeping path order.
pub fn load(
    kb: &Kb,
    scan: &Scan,
    manifests: Vec<Manifest>,
    stdin: Option<(&str, &str)>,
) -> Result<Project, Vec<ConfigError>> {
    let dirs: Vec<PathBuf> = scan
        .manifests
        .iter()
        .map(|m| m.parent().map(Path::to_path_buf).unwrap_or_default())
        .collect();
    let dir_index: HashMap<&Path, usize> = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_path(), i))
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
    // settings.include / settings.exclude, relative to the manifest's directory
    let kept: Vec<(&Candidate, Option<usize>)> = scan
        .candidates
        .iter()
        .map(|c| (c, owner(&c.abs, &dir_index)))
        .filter(|(c, own)| {
            !own.is_some_and(|i| {
                let (include, exclude) = &filters[i];
                c.abs.strip_prefix(&dirs[i]).is_ok_and(|rel| {
                    exclude.as_ref().is_some_and(|g| g.is_match(rel))
                        || include.as_ref().is_some_and(|g| !g.is_match(rel))
                })
            })
        })
        .collect();
    let needles = yaml_needles(kb);
    let parts: Vec<Facts> = kept
        .par_iter()
        .map(|(c, own)| {
            let cap = own
                .and_then(|i| manifests[i].settings.max_file_size)
                .unwrap_or(MAX_FILE_BYTES);
            one(kb, &needles, c, cap, stdin)
        })
        .collect();
    let mut facts = Facts::default();
    for (i, part) in parts.into_iter().enumerate() {
        merge(&mut facts, part, i);
    }
    if !facts.errors.is_empty() {
        return Err(std::mem::take(&mut facts.errors));
    }
    let owner = kept.iter().map(|(_, o)| *o).collect();
    Ok(Project {
        manifests,
        facts,
        owner,
    })
}
