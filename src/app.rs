//! Orchestration: opens a project (walk, manifests, custom rules, read and extract) and runs
//! a command over it. `cli` parses arguments and prints; everything between is here.

use std::path::{Path, PathBuf};

use crate::config::manifest::Manifest;
use crate::extract::Classifier;
use crate::kb::Kb;
use crate::kb::requirements;
use crate::lint::CheckResult;
use crate::project::Project;
use crate::source::read::Reader;
use crate::source::{ConfigError, SourceFile};

/// Loads the custom rules a manifest names (relative to its directory).
fn add_custom_rules(
    kb: &mut Kb,
    reader: &Reader,
    manifests: &[Manifest],
) -> Result<(), Vec<ConfigError>> {
    for m in manifests {
        let Some(dir) = &m.settings.custom_rules else {
            continue;
        };
        let base = crate::source::read::inside(&m.dir, dir).map_err(|e| {
            vec![
                ConfigError::plain(format!("{}: custom_rules: {e}", m.file.name))
                    .code("busfit::rules"),
            ]
        })?;
        let entries = std::fs::read_dir(&base).map_err(|e| {
            vec![
                ConfigError::plain(format!(
                    "{}: custom rules directory {}: {e}",
                    m.file.name,
                    base.display()
                ))
                .code("busfit::rules"),
            ]
        })?;
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        for f in files {
            // only rule files that stay inside the directory, and regular files of sane size
            let text = crate::source::read::inside(
                &m.dir,
                &format!(
                    "{dir}/{}",
                    f.file_name().unwrap_or_default().to_string_lossy()
                ),
            )
            .and_then(|p| {
                reader
                    .named(&p, crate::source::read::MAX_FILE_BYTES)
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| {
                vec![ConfigError::plain(format!("{}: {e}", f.display())).code("busfit::rules")]
            })?;
            let name = f.to_string_lossy().replace('\\', "/");
            kb.add_rules(&SourceFile::new(name, text))?;
        }
    }
    Ok(())
}

/// Finds the manifests for the paths (or takes `--config`), loads custom rules, and reads
/// every file that can matter, through `reader` (which may hold standard input).
pub fn open_project(
    kb: &mut Kb,
    reader: &Reader,
    paths: &[PathBuf],
    config: Option<&PathBuf>,
    no_ignore: bool,
    stdin_name: Option<&Path>,
) -> Result<Project, Vec<ConfigError>> {
    let cwd = cwd();
    let t = std::time::Instant::now();
    let scan =
        crate::discover::scan(kb, paths, no_ignore, stdin_name, &cwd).map_err(|e| vec![*e])?;
    timing("walk", t);
    read_project(kb, reader, scan, config)
}

/// Decodes the built-in knowledge while the paths are walked (on a small project, as a
/// pre-commit run has, each takes a millisecond or so: the walk's is its setup — git's
/// configuration, ignore files, threads), then reads the project as [`open_project`] does.
pub fn load_and_open(
    reader: &Reader,
    paths: &[PathBuf],
    config: Option<&PathBuf>,
    no_ignore: bool,
    stdin_name: Option<&Path>,
) -> Result<(Kb, Project), Vec<ConfigError>> {
    let cwd = cwd();
    let classifier: std::sync::OnceLock<Option<Classifier>> = std::sync::OnceLock::new();
    let (kb, scan) = std::thread::scope(|s| {
        let walk = s.spawn(|| {
            let t = std::time::Instant::now();
            let found = crate::discover::scan_with(
                &|| classifier.wait().as_ref(),
                paths,
                no_ignore,
                stdin_name,
                &cwd,
            );
            timing("walk", t);
            found
        });
        // the walk waits for the classifier before it keeps its first file: it is set
        // whatever happens here, so the walk never waits for ever
        struct Release<'a>(&'a std::sync::OnceLock<Option<Classifier>>);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                let _ = self.0.set(None);
            }
        }
        let release = Release(&classifier);
        let t = std::time::Instant::now();
        let kb = Kb::builtin();
        timing("knowledge", t);
        let t = std::time::Instant::now();
        let _ = classifier.set(kb.as_ref().ok().map(Classifier::new));
        timing("classifier", t);
        drop(release);
        (kb, walk.join())
    });
    let mut kb = kb?;
    let scan = match scan {
        Ok(found) => found.map_err(|e| vec![*e])?,
        Err(_) => {
            return Err(vec![
                ConfigError::plain("the walk of the paths stopped").code("busfit::io"),
            ]);
        }
    };
    let project = read_project(&mut kb, reader, scan, config)?;
    Ok((kb, project))
}

/// After the walk: `--config`, the manifests, custom rules, then every file that can matter.
fn read_project(
    kb: &mut Kb,
    reader: &Reader,
    mut scan: crate::discover::Scan,
    config: Option<&PathBuf>,
) -> Result<Project, Vec<ConfigError>> {
    let cwd = cwd();
    if let Some(c) = config {
        if !c.is_file() {
            return Err(vec![
                ConfigError::plain(format!("--config {}: no such file", c.display()))
                    .code("busfit::io"),
            ]);
        }
        scan.manifests = vec![c.canonicalize().unwrap_or_else(|_| c.clone())];
    }
    let manifests = crate::project::load_manifests(reader, &scan.manifests, &cwd, kb)?;
    add_custom_rules(kb, reader, &manifests)?;
    let t = std::time::Instant::now();
    let project = crate::project::load(kb, reader, &scan, manifests);
    timing("read and extract", t);
    project
}

/// The directory busfit runs in: output paths are relative to it.
pub fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// With BUSFIT_TIMINGS set, prints how long a phase took (for the benchmark, never in tests).
pub fn timing(phase: &str, since: std::time::Instant) {
    if std::env::var_os("BUSFIT_TIMINGS").is_some() {
        // the peak resident memory so far, where the system tells it (Linux)
        let peak = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .map(|v| format!(", peak {}", v.trim()))
            })
            .unwrap_or_default();
        eprintln!(
            "busfit: {phase}: {:.1} ms{peak}",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
}

pub fn parse_requires(
    list: &[String],
) -> Result<Vec<(String, crate::lang::expr::Val)>, Vec<ConfigError>> {
    let mut out = Vec::new();
    for item in list {
        let Some((k, v)) = item.split_once('=') else {
            return Err(vec![
                ConfigError::plain(format!(
                    "--require `{item}`: expected KEY=VALUE, such as delivery=exactly-once"
                ))
                .code("busfit::usage"),
            ]);
        };
        match requirements::parse_assignment(k.trim(), v) {
            Ok(kv) => out.push(kv),
            Err(bad) => {
                return Err(vec![
                    ConfigError::plain(format!("--require {item}: {}", bad.message))
                        .help(bad.help)
                        .code("busfit::usage"),
                ]);
            }
        }
    }
    Ok(out)
}

/// Drops the findings a baseline accepts: `--baseline FILE`, else the first busfit.yaml's
/// `settings.baseline` (held inside that file's directory).
pub fn apply_baseline(
    project: &Project,
    cli: Option<&PathBuf>,
    result: &mut CheckResult,
) -> Result<(), Box<ConfigError>> {
    let from_manifest = project
        .manifests
        .iter()
        .find_map(|m| Some((m, m.settings.baseline.as_ref()?)));
    let path = match (cli, from_manifest) {
        (Some(b), _) => b.clone(),
        (None, Some((m, b))) => crate::source::read::inside(&m.dir, b).map_err(|e| {
            Box::new(
                ConfigError::plain(format!("{}: settings.baseline: {e}", m.file.name))
                    .code("busfit::baseline"),
            )
        })?,
        (None, None) => return Ok(()),
    };
    let accepted = crate::lint::baseline::read(&path)?;
    let before = result.findings.len();
    result.findings = crate::lint::baseline::filter(std::mem::take(&mut result.findings), accepted);
    result.baselined = before - result.findings.len();
    Ok(())
}
