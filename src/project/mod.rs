//! Loads a repository: one parallel walk finds its busfit.yaml files and every file that can
//! matter; files are read and parsed in parallel, and their facts merged in path order, so the
//! result does not depend on the thread count.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use rayon::prelude::*;

use crate::config::manifest::Manifest;
use crate::discover::{Candidate, Classifier, Kind, Scan};
use crate::extract::{self, Facts};
use crate::kb::Kb;
use crate::source::read::{MAX_FILE_BYTES, ReadError, read_bytes_capped};
use crate::source::span::ByteSpan;
use crate::source::{ConfigError, SourceFile};

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

/// The nearest manifest directory at or above `abs`: a walk up its ancestors.
fn owner(abs: &Path, dirs: &HashMap<&Path, usize>) -> Option<usize> {
    abs.ancestors().skip(1).find_map(|a| dirs.get(a).copied())
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
