//! Stage: project. A repository as read: its busfit.yaml files, every other file that can
//! matter (read in parallel through the one [`Reader`], extracted into facts), and the file
//! table that gives every file its id, its owning busfit.yaml and its path relative to that
//! file's directory. Merged in path order, so the result does not depend on the thread count.

pub mod assemble;
pub mod terraform;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::manifest::{self, Manifest};
use crate::discover::{Candidate, Scan};
use crate::extract::{self, Classifier, Facts, Input, Kind, Prefilter};
use crate::kb::Kb;
use crate::source::path::relative;
use crate::source::read::{MAX_FILE_BYTES, ReadError, Reader};
use crate::source::{ConfigError, FileId, FileTable, SourceFile, Span};

pub struct Project {
    /// Every file read: the busfit.yaml files first (file id = manifest index), then the rest.
    pub files: FileTable,
    pub manifests: Vec<Manifest>,
    pub facts: Facts,
}

impl Project {
    /// Index of the manifest that applies to a file: the nearest at or above it.
    #[must_use]
    pub fn owner_of(&self, file: FileId) -> Option<usize> {
        self.files.owner(file)
    }
}

/// Reads and validates busfit.yaml files; every error of every file is returned. Manifest `i`
/// gets file id `i`, and is shown relative to `cwd`.
pub fn load_manifests(
    reader: &Reader,
    files: &[PathBuf],
    cwd: &Path,
    kb: &Kb,
) -> Result<Vec<Manifest>, Vec<ConfigError>> {
    let abs_cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    // read and validate in parallel; results keep the order of `files`
    let results: Vec<Result<Manifest, Vec<ConfigError>>> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let name = if f.is_absolute() {
                relative(f, &abs_cwd).to_string_lossy().replace('\\', "/")
            } else {
                crate::source::path::display_path(f, cwd)
            };
            let text = reader.named(f, MAX_FILE_BYTES).map_err(|e| {
                let code = match e {
                    ReadError::Io(_) => "busfit::io",
                    _ => "busfit::manifest",
                };
                let e = match e {
                    ReadError::NotUtf8 => "not valid UTF-8".to_owned(),
                    e => e.to_string(),
                };
                vec![ConfigError::plain(format!("{name}: {e}")).code(code)]
            })?;
            let dir = Path::new(&name)
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let id = FileId::from_index(i);
            manifest::parse(&SourceFile::new(name, text), &dir, id, kb)
        })
        .collect();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(m) => out.push(m),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The nearest manifest directory at or above `abs`: a walk up its ancestors.
fn owner(abs: &Path, dirs: &HashMap<Cow<'_, str>, usize>) -> Option<usize> {
    // by the path's text, cut at each separator: hashing a `Path` walks its components
    let text = abs.to_string_lossy();
    let mut cur: &str = &text;
    while let Some(i) = cur.rfind(std::path::is_separator) {
        cur = &cur[..i];
        let found = if cur.is_empty() {
            dirs.get(&text[..1])
        } else {
            dirs.get(cur)
        };
        if found.is_some() || cur.is_empty() {
            return found.copied();
        }
    }
    None
}

/// A directory's path as the text [`owner`] and the charts beside a file are looked up by.
fn dir_key(dir: &Path) -> Cow<'_, str> {
    dir.to_string_lossy()
}

/// A prefilter over `fixed` and the words the profiles recognise a bus by: images, image
/// words, chart names, and (with `kinds`) custom resource kinds.
fn needles(kb: &Kb, fixed: &[&str], kinds: bool) -> Prefilter {
    let mut words: Vec<String> = fixed.iter().map(|w| (*w).to_owned()).collect();
    for p in &kb.profiles {
        let r = &p.recognition;
        words.extend(r.images.iter().cloned());
        if kinds {
            words.extend(r.kinds.iter().map(|k| k.kind.clone()));
        }
        words.extend(r.charts.iter().cloned());
        words.extend(r.image_words.iter().cloned());
    }
    Prefilter::new(words)
}

/// The byte prefilters, built once per run.
struct Needles {
    /// Words one of which a YAML file must hold to be worth parsing: what recognises a bus,
    /// and what declares requirements. A file without any is skipped before building a tree.
    yaml: Prefilter,
    /// The words that name a bus in a chart. A chart's values are parsed only when they or
    /// the Chart.yaml beside them hold one (a chart repository is mostly charts of other
    /// software, whose values name `.conf` files and `services:`).
    chart: Prefilter,
}

impl Needles {
    fn new(kb: &Kb) -> Self {
        let inline = ["x-busfit", "busfit.dev/"];
        let yaml = [
            "x-busfit",
            "busfit.dev/",
            "asyncapi",
            ".conf",
            ".properties",
            "services:",
        ];
        Needles {
            yaml: needles(kb, &yaml, true),
            chart: needles(kb, &inline, false),
        }
    }
}

/// A file kept for reading: the candidate, its owner, its path relative to the owner.
struct Kept<'a> {
    c: &'a Candidate,
    owner: Option<usize>,
    rel: String,
}

fn base_name(shown: &str) -> &str {
    shown.rsplit('/').next().unwrap_or(shown)
}

/// Whether a file's facts are worth extracting: YAML is parsed only when its name or a byte
/// scan says it can matter. A Chart.yaml is parsed when it names a bus (itself or a
/// dependency); values when they or their chart do.
fn worth(needles: &Needles, c: &Candidate, text: &str, chart: Option<&SourceFile>) -> bool {
    match &c.kind {
        Kind::Yaml { named_compose } => {
            let base = base_name(&c.shown);
            if *named_compose {
                return true;
            }
            if base == "Chart.yaml" {
                return needles.chart.is_match(text);
            }
            if base.starts_with("values") {
                return needles.chart.is_match(text)
                    || chart.is_some_and(|c| needles.chart.is_match(&c.text));
            }
            needles.yaml.is_match(text) && !only_crds(text)
        }
        _ => true,
    }
}

/// Whether every document of a YAML stream is a CustomResourceDefinition: its schema's
/// descriptions mention buses (`rabbitmq`, `redis`, `.conf`), but a CRD deploys nothing, so
/// it is never parsed. Only top-level `kind:` lines count (the schema's own `kind:` keys are
/// indented).
fn only_crds(text: &str) -> bool {
    let mut kinds = text
        .lines()
        .filter_map(|l| l.strip_prefix("kind:"))
        .map(|k| k.trim().trim_matches(['"', '\'']))
        .peekable();
    kinds.peek().is_some() && kinds.all(|k| k == "CustomResourceDefinition")
}

/// Extracts one file's facts; `chart` is the Chart.yaml beside a values file, if read.
fn extract_one(
    kb: &Kb,
    needles: &Needles,
    c: &Candidate,
    id: FileId,
    read: &Result<SourceFile, String>,
    chart: Option<&SourceFile>,
) -> Facts {
    let mut facts = Facts::default();
    match read {
        Ok(file) => {
            if worth(needles, c, &file.text, chart) {
                let inp = Input {
                    id,
                    file,
                    chart,
                    needles: Some(&needles.yaml),
                };
                extract::extract(kb, &c.kind, &inp, &mut facts);
            }
        }
        Err(msg) => facts
            .broken
            .push((Span::start_of(id), msg.clone(), extract::Broken::Syntax)),
    }
    facts
}

/// Reads one candidate through the reader; a file that cannot be read becomes the message of
/// a BF001 finding (a repository raises its cap in its busfit.yaml).
fn read_one(reader: &Reader, c: &Candidate, cap: u64) -> Result<SourceFile, String> {
    read_lossy(reader, c, cap).map(|(f, _)| f)
}

/// [`read_one`], with the offset of the first byte that is not UTF-8 when there is one (the
/// file is read with U+FFFD in its place, so that its other lines are still checked).
fn read_lossy(
    reader: &Reader,
    c: &Candidate,
    cap: u64,
) -> Result<(SourceFile, Option<usize>), String> {
    match reader.walked_lossy(&c.shown, &c.path, cap) {
        Ok((text, bad)) => Ok((SourceFile::new(c.shown.clone(), text), bad)),
        Err(e @ ReadError::TooLarge(_)) => Err(format!("{e} (settings.max_file_size)")),
        Err(e) => Err(e.to_string()),
    }
}

/// Reads every candidate (in parallel) and extracts its facts, keeping path order.
pub fn load(
    kb: &Kb,
    reader: &Reader,
    scan: &Scan,
    manifests: Vec<Manifest>,
) -> Result<Project, Vec<ConfigError>> {
    let dirs: Vec<PathBuf> = scan
        .manifests
        .iter()
        .map(|m| m.parent().map(Path::to_path_buf).unwrap_or_default())
        .collect();
    let dir_index: HashMap<Cow<'_, str>, usize> = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| (dir_key(d), i))
        .collect();
    let filters: Vec<Filter> = manifests.iter().map(Filter::new).collect();
    // every path resolved once: its owner, and its path relative to the owner's directory
    let kept: Vec<Kept<'_>> = scan
        .candidates
        .iter()
        .filter_map(|c| {
            let own = owner(&c.abs, &dir_index);
            let rel = match own {
                Some(i) => c.abs.strip_prefix(&dirs[i]).map_or_else(
                    |_| c.rel.clone(),
                    |r| r.to_string_lossy().replace('\\', "/"),
                ),
                None => c.rel.clone(),
            };
            let keep = own.is_none_or(|i| filters[i].keeps(&rel));
            keep.then_some(Kept { c, owner: own, rel })
        })
        .collect();
    let mut files = FileTable::default();
    for m in &manifests {
        files.push(m.file.clone(), Some(m.id.index()), manifest_rel(m));
    }
    let first = files.len();
    let cap_of = |k: &Kept<'_>| {
        k.owner
            .and_then(|i| manifests[i].settings.max_file_size)
            .unwrap_or(MAX_FILE_BYTES)
    };
    // the charts first: a values file is read with the Chart.yaml beside it
    let charts: HashMap<Cow<'_, str>, SourceFile> = kept
        .par_iter()
        .filter(|k| base_name(&k.c.shown) == "Chart.yaml")
        .filter_map(|k| {
            Some((
                dir_key(k.c.abs.parent()?),
                read_one(reader, k.c, cap_of(k)).ok()?,
            ))
        })
        .collect();
    let needles = Needles::new(kb);
    // read, extract and let go: only the text of a file that yields facts, may be a
    // broker's config, or holds a suppression is kept (findings point into it); the rest
    // is read once and dropped, so a monorepo is never in memory all at once
    let parts: Vec<(Facts, SourceFile)> = kept
        .par_iter()
        .enumerate()
        .map(|(i, k)| {
            // the Chart.yaml of this file's directory: the file itself, or the chart beside it
            let beside = k
                .c
                .abs
                .parent()
                .and_then(|d| charts.get(dir_key(d).as_ref()));
            let (read, chart, bad) = match beside {
                Some(c) if base_name(&k.c.shown) == "Chart.yaml" => (Ok(c.clone()), None, None),
                _ => match read_lossy(reader, k.c, cap_of(k)) {
                    Ok((f, bad)) => (Ok(f), beside, bad),
                    Err(e) => (Err(e), beside, None),
                },
            };
            let id = FileId::from_index(first + i);
            let mut facts = extract_one(kb, &needles, k.c, id, &read, chart);
            // a byte that is not UTF-8 in a file that holds facts: said where it is
            if let (Some(at), Ok(file)) = (bad, &read)
                && !facts.is_empty()
            {
                let (line, col) = file.line_col(at);
                facts.broken.push((
                    Span::new(id, crate::source::ByteSpan::new(at, at)),
                    format!(
                        "line {line}, column {col} holds a byte that is not UTF-8; the file was read with U+FFFD in its place"
                    ),
                    extract::Broken::Encoding,
                ));
            }
            let file = match read {
                Ok(file)
                    if !facts.is_empty()
                        || matches!(k.c.kind, Kind::Conf(_))
                        || file.text.contains(crate::source::SUPPRESSION_MARKER) =>
                {
                    file
                }
                _ => SourceFile::new(k.c.shown.clone(), ""),
            };
            (facts, file)
        })
        .collect();
    let (parts, texts): (Vec<Facts>, Vec<SourceFile>) = parts.into_iter().unzip();
    let mut facts = Facts::gather(parts);
    if !facts.errors.is_empty() {
        return Err(std::mem::take(&mut facts.errors));
    }
    for (k, file) in kept.iter().zip(texts) {
        files.push(file, k.owner, k.rel.clone());
    }
    assemble::assemble(kb, Some(reader), &mut files, &mut facts);
    Ok(Project {
        files,
        manifests,
        facts,
    })
}

/// A busfit.yaml's path relative to its own directory: its file name.
fn manifest_rel(m: &Manifest) -> String {
    base_name(&m.file.name).to_owned()
}

/// `settings.include` and `settings.exclude` of one busfit.yaml, matched against paths
/// relative to its directory.
struct Filter {
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
}

impl Filter {
    fn new(m: &Manifest) -> Filter {
        Filter {
            include: crate::source::path::glob_set(&m.settings.include),
            exclude: crate::source::path::glob_set(&m.settings.exclude),
        }
    }
    fn keeps(&self, rel: &str) -> bool {
        !(self.exclude.as_ref().is_some_and(|g| g.is_match(rel))
            || self.include.as_ref().is_some_and(|g| !g.is_match(rel)))
    }
}

/// Files held in memory, each checked as if it sat beside the given manifests (which own it):
/// the whole pipeline after the walk, for fuzzing and for embedding busfit. The classifier and
/// the byte prefilter are built once and serve every file.
pub struct InMemory<'k> {
    kb: &'k Kb,
    classifier: Classifier,
    needles: Needles,
}

impl<'k> InMemory<'k> {
    #[must_use]
    pub fn new(kb: &'k Kb) -> Self {
        InMemory {
            kb,
            classifier: Classifier::new(kb),
            needles: Needles::new(kb),
        }
    }

    /// `None` when the name is not one busfit reads, or an inline requirement is invalid.
    /// The manifests must have been parsed with file ids `0..manifests.len()`.
    #[must_use]
    pub fn project(&self, name: &str, text: &str, manifests: Vec<Manifest>) -> Option<Project> {
        let kind = self.classifier.classify(name)?;
        let c = Candidate {
            shown: name.to_owned(),
            path: PathBuf::from(name),
            abs: PathBuf::from("/").join(name),
            rel: name.to_owned(),
            kind,
        };
        let mut reader = Reader::default();
        reader.hold(name, Arc::<str>::from(text));
        let mut files = FileTable::default();
        for m in &manifests {
            files.push(m.file.clone(), Some(m.id.index()), manifest_rel(m));
        }
        let id = FileId::from_index(files.len());
        let read = read_one(&reader, &c, MAX_FILE_BYTES);
        let mut facts = extract_one(self.kb, &self.needles, &c, id, &read, None);
        if !facts.errors.is_empty() {
            return None;
        }
        let owner = (!manifests.is_empty()).then_some(0);
        files.push(
            read.unwrap_or_else(|_| SourceFile::new(name, "")),
            owner,
            name.to_owned(),
        );
        assemble::assemble(self.kb, None, &mut files, &mut facts);
        Some(Project {
            files,
            manifests,
            facts,
        })
    }

    /// Several files (path, text) held in memory and read as one repository by [`load`], as a
    /// run reads a directory: values beside their Chart.yaml, a config file a compose service
    /// mounts, inline flows beside deployments in other files. The manifest, if any (parsed
    /// with file id 0), sits at the repository's root. `None` where `load` refuses the files
    /// (an invalid inline requirement). A path given twice keeps its first text.
    #[must_use]
    pub fn repository(
        &self,
        files: &[(&str, &str)],
        manifest: Option<Manifest>,
    ) -> Option<Project> {
        let mut reader = Reader::default();
        let mut candidates: Vec<Candidate> = Vec::new();
        for (name, text) in files {
            if candidates.iter().any(|c| c.shown == *name) {
                continue;
            }
            let Some(kind) = self.classifier.classify(name) else {
                continue;
            };
            reader.hold(*name, Arc::<str>::from(*text));
            candidates.push(Candidate {
                shown: (*name).to_owned(),
                path: PathBuf::from(name),
                abs: PathBuf::from("/").join(name),
                rel: (*name).to_owned(),
                kind,
            });
        }
        candidates.sort_by(|a, b| a.rel.cmp(&b.rel));
        let scan = Scan {
            manifests: manifest
                .iter()
                .map(|_| PathBuf::from("/busfit.yaml"))
                .collect(),
            candidates,
        };
        load(self.kb, &reader, &scan, manifest.into_iter().collect()).ok()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_crds_are_skipped() {
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  names:\n    kind: RabbitmqCluster\n";
        assert!(super::only_crds(crd));
        assert!(!super::only_crds(&format!("{crd}---\nkind: Deployment\n")));
        assert!(!super::only_crds(
            "services:\n  kafka:\n    image: apache/kafka\n"
        ));
    }
}
