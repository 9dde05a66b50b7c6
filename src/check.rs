//! `busfit check`: discover busfit.yaml files, resolve each flow's bus, evaluate,
//! and turn hits into findings that point at real bytes.

use std::path::{Path, PathBuf};

use crate::diag::{ConfigError, SourceFile};
use crate::eval::{self, Alternative, Levels};
use crate::expr::Val;
use crate::kb::{Kb, Severity};
use crate::manifest::{self, FailOn, Manifest};
use crate::project::Project;
use crate::requirements::{ReqValue, Requirements};
use crate::span::{ByteSpan, line_col};

/// One finding, as every output format shows it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub criterion: String,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub flow: Option<String>,
    pub bus: Option<String>,
    pub help: Option<String>,
    pub alternatives: Vec<Alternative>,
    /// For rendering: the file's text, the primary span and its label, a secondary label.
    pub source: Option<SourceFile>,
    pub span: ByteSpan,
    pub label: String,
    pub secondary: Option<(ByteSpan, String)>,
    /// What the finding is about, independent of lines: `flow:payments/requires/delivery`,
    /// `deployment:broker/min.insync.replicas`. Part of the fingerprint.
    pub subject: String,
    /// Stable across moved lines: file, code, flow, subject and occurrence (see `fingerprint`).
    pub fingerprint: String,
}

/// FNV-1a, 64 bits: small, stable across platforms and releases.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Gives every finding its fingerprint. Findings must be sorted: the occurrence index counts
/// earlier findings with the same file, code, flow and subject, never their lines.
pub fn assign_fingerprints(findings: &mut [Finding]) {
    let mut seen: std::collections::HashMap<(String, String, String, String), usize> =
        std::collections::HashMap::new();
    for f in findings.iter_mut() {
        let flow = f.flow.clone().unwrap_or_default();
        let key = (
            f.file.clone(),
            f.code.clone(),
            flow.clone(),
            f.subject.clone(),
        );
        let n = seen.entry(key).or_insert(0);
        let index = n.to_string();
        *n += 1;
        f.fingerprint = format!(
            "{:016x}",
            fnv1a(&[&f.file, &f.code, &flow, &f.subject, &index])
        );
    }
}

impl Finding {
    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (
            &self.file,
            self.line,
            self.column,
            &self.code,
            &self.message,
        )
    }
}

/// What `check` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub requires: Vec<(String, Val)>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<FailOn>,
    pub no_ignore: bool,
    /// Files named on the command line (pre-commit passes the changed files): report what
    /// concerns them — their own findings and those of flows on a bus they deploy or use.
    pub changed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CheckResult {
    pub findings: Vec<Finding>,
    pub files: usize,
    pub fail_on: FailOn,
}

impl CheckResult {
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| self.fail_on.fails(f.severity))
    }
}

/// `path` relative to `base`, with `/` separators.
pub fn display_path(path: &Path, base: &Path) -> String {
    let rel = match (path.canonicalize(), base.canonicalize()) {
        (Ok(p), Ok(b)) => relative(&p, &b),
        _ => path.to_path_buf(),
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_owned();
    if s.is_empty() { ".".into() } else { s }
}

fn relative(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// Every busfit.yaml that applies to the paths: those inside them and the nearest above each.
pub fn discover_manifests(
    paths: &[PathBuf],
    no_ignore: bool,
    stdin_name: Option<&Path>,
) -> Result<Vec<PathBuf>, Box<ConfigError>> {
    let mut found: Vec<PathBuf> = Vec::new();
    for p in paths {
        if !p.exists() && Some(p.as_path()) != stdin_name {
            return Err(Box::new(
                ConfigError::plain(format!("{}: no such file or directory", p.display()))
                    .code("busfit::io"),
            ));
        }
        let start = if p.is_dir() {
            p.clone()
        } else {
            p.parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        let start = if start.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            start
        };
        // the nearest manifest at or above
        if let Ok(abs) = start.canonicalize() {
            let mut dir = Some(abs.as_path());
            while let Some(d) = dir {
                if let Some(m) = manifest::FILE_NAMES
                    .iter()
                    .map(|n| d.join(n))
                    .find(|m| m.is_file())
                {
                    found.push(m);
                    break;
                }
                dir = d.parent();
            }
        }
        if p.is_dir() {
            let walker = ignore::WalkBuilder::new(p)
                .hidden(false)
                .git_ignore(!no_ignore)
                .git_global(!no_ignore)
                .git_exclude(!no_ignore)
                .ignore(!no_ignore)
                .parents(!no_ignore)
                .filter_entry(|e| e.file_name() != ".git")
                .build();
            for entry in walker.flatten() {
                let name = entry.file_name().to_string_lossy();
                if manifest::FILE_NAMES.contains(&name.as_ref())
                    && entry.file_type().is_some_and(|t| t.is_file())
                {
                    found.push(entry.into_path());
                }
            }
        } else if p
            .file_name()
            .is_some_and(|n| manifest::FILE_NAMES.iter().any(|m| n == *m))
        {
            found.push(p.clone());
        }
    }
    let mut seen = std::collections::BTreeMap::new();
    for f in found {
        let key = f.canonicalize().unwrap_or_else(|_| f.clone());
        seen.entry(key).or_insert(f);
    }
    Ok(seen.into_keys().collect())
}

/// Reads and validates manifests; every error of every file is returned.
pub fn load_manifests(
    files: &[PathBuf],
    cwd: &Path,
    kb: &Kb,
) -> Result<Vec<Manifest>, Vec<ConfigError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let name = display_path(f, cwd);
        let text = match std::fs::read(f) {
            Ok(b) => match String::from_utf8(b) {
                Ok(s) => s,
                Err(_) => {
                    errors.push(
                        ConfigError::plain(format!("{name}: not valid UTF-8"))
                            .code("busfit::manifest"),
                    );
                    continue;
                }
            },
            Err(e) => {
                errors.push(
                    ConfigError::plain(format!("{name}: cannot read: {e}")).code("busfit::io"),
                );
                continue;
            }
        };
        let dir = Path::new(&name)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        match manifest::parse(&SourceFile::new(name, text), &dir, i, kb) {
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

fn span_pos(src: &str, span: ByteSpan) -> (usize, usize, usize, usize) {
    let (l, c) = line_col(src, span.start);
    let (el, ec) = line_col(src, span.end.max(span.start));
    (l, c, el, ec)
}

fn selected(kb: &Kb, code: &str, opts: &CheckOptions) -> bool {
    let matches = |sel: &String| {
        kb.rule(sel).is_some_and(|r| r.code == code)
            || (!sel.is_empty() && code.starts_with(sel.as_str()))
    };
    (opts.select.is_empty() || opts.select.iter().any(matches)) && !opts.ignore.iter().any(matches)
}

/// Where a flow's bus came from (contract §5 inventory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusFrom {
    Declared,
    Deployment,
    Client,
    Default,
}

impl BusFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            BusFrom::Declared => "declared",
            BusFrom::Deployment => "deployment",
            BusFrom::Client => "client",
            BusFrom::Default => "default",
        }
    }
}

/// A flow from busfit.yaml or from an inline declaration, with its bus resolved.
#[derive(Debug, Clone)]
pub struct ResolvedFlow {
    pub name: String,
    pub file: SourceFile,
    pub name_span: ByteSpan,
    pub bus: Result<(String, BusFrom), Vec<String>>,
    pub bus_span: Option<ByteSpan>,
    pub requires: Requirements,
    /// Index of the manifest whose settings apply.
    pub manifest: Option<usize>,
}

fn distinct(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// Resolves every flow's bus: declared, the broker a compose service reaches, the
/// package's client library, the single bus deployed in scope, else the candidates.
pub fn resolve(project: &Project, cli: &Requirements) -> Vec<ResolvedFlow> {
    let facts = &project.facts;
    let mut out = Vec::new();
    let in_scope = |mi: Option<usize>, file: usize| match mi {
        Some(i) => project.owner_of(file) == Some(i),
        None => true,
    };
    let scoped = |mi: Option<usize>| -> Result<(String, BusFrom), Vec<String>> {
        let deployed = distinct(
            facts
                .deployments
                .iter()
                .filter(|d| in_scope(mi, d.file))
                .map(|d| d.bus.clone())
                .collect(),
        );
        if deployed.len() == 1 {
            return Ok((deployed[0].clone(), BusFrom::Deployment));
        }
        if deployed.is_empty() {
            let clients = distinct(
                facts
                    .clients
                    .iter()
                    .filter(|c| in_scope(mi, c.file))
                    .map(|c| c.bus.clone())
                    .collect(),
            );
            if clients.len() == 1 {
                return Ok((clients[0].clone(), BusFrom::Client));
            }
            return Err(clients);
        }
        Err(deployed)
    };
    for (mi, m) in project.manifests.iter().enumerate() {
        for f in &m.flows {
            let mut requires = f.requires.clone();
            requires.merge_under(&m.defaults);
            requires.merge_under(cli);
            let bus = match &f.bus {
                Some((b, _)) => Ok((b.clone(), BusFrom::Declared)),
                None => scoped(Some(mi)),
            };
            out.push(ResolvedFlow {
                name: f.name.clone(),
                file: m.file.clone(),
                name_span: f.name_span,
                bus,
                bus_span: f.bus.as_ref().map(|b| b.1),
                requires,
                manifest: Some(mi),
            });
        }
    }
    for fl in &facts.inline {
        let file = &facts.files[fl.file];
        let mi = project.owner_of(fl.file);
        let mut requires = fl.requires.clone();
        if let Some(i) = mi {
            requires.merge_under(&project.manifests[i].defaults);
        }
        requires.merge_under(cli);
        let bus = if let Some((b, _)) = &fl.bus {
            Ok((b.clone(), BusFrom::Declared))
        } else {
            let reached = distinct(
                facts
                    .deployments
                    .iter()
                    .filter(|d| d.file == fl.file && fl.reaches.contains(&d.name))
                    .map(|d| d.bus.clone())
                    .collect(),
            );
            let libs = distinct(
                facts
                    .clients
                    .iter()
                    .filter(|c| c.file == fl.file)
                    .map(|c| c.bus.clone())
                    .collect(),
            );
            if reached.len() == 1 {
                Ok((reached[0].clone(), BusFrom::Deployment))
            } else if reached.is_empty() && libs.len() == 1 {
                Ok((libs[0].clone(), BusFrom::Client))
            } else if reached.len() > 1 {
                Err(reached)
            } else {
                scoped(mi)
            }
        };
        out.push(ResolvedFlow {
            name: fl.name.clone(),
            file: file.clone(),
            name_span: fl.name_span,
            bus,
            bus_span: fl.bus.as_ref().map(|b| b.1),
            requires,
            manifest: mi,
        });
    }
    out
}

fn manifest_finding(
    kb: &Kb,
    levels: &Levels,
    code: &str,
    file: &SourceFile,
    span: ByteSpan,
    (message, help): (String, String),
    flow: Option<String>,
) -> Option<Finding> {
    let rule = kb.rule(code)?;
    let severity = levels.of(rule)?;
    let (line, column, end_line, end_column) = span_pos(&file.text, span);
    Some(Finding {
        code: rule.code.clone(),
        name: rule.name.clone(),
        criterion: rule.criterion.clone(),
        severity,
        message,
        file: file.name.clone(),
        line,
        column,
        end_line,
        end_column,
        flow,
        bus: None,
        help: Some(help),
        alternatives: Vec::new(),
        source: Some(file.clone()),
        span,
        label: "here".into(),
        secondary: None,
        subject: String::new(),
        fingerprint: String::new(),
    })
}

/// Runs the whole check over a loaded project.
pub fn check_project(kb: &Kb, project: &Project, opts: &CheckOptions) -> CheckResult {
    let mut findings = Vec::new();
    let mut cli_reqs = Requirements::default();
    for (k, v) in &opts.requires {
        cli_reqs.map.insert(
            k.clone(),
            ReqValue {
                val: v.clone(),
                span: None,
                origin: None,
            },
        );
    }
    let fail_on = opts
        .fail_on
        .or_else(|| project.manifests.iter().find_map(|m| m.settings.fail_on));
    let levels_of = |mi: Option<usize>| Levels {
        map: mi
            .map(|i| project.manifests[i].settings.rules.clone())
            .unwrap_or_default(),
    };
    for (file, span, msg) in &project.facts.broken {
        let f = &project.facts.files[*file];
        let mi = project.owner_of(*file);
        if let Some(fd) = manifest_finding(
            kb,
            &levels_of(mi),
            "BF001",
            f,
            *span,
            (
                format!("{} could not be parsed: {msg}", f.name),
                "fix the syntax error, or exclude the file; every other file is still checked"
                    .into(),
            ),
            None,
        ) {
            findings.push(Finding {
                subject: "file".into(),
                ..fd
            });
        }
    }
    for flow in resolve(project, &cli_reqs) {
        let levels = levels_of(flow.manifest);
        let overrides: &[manifest::Override] = flow
            .manifest
            .map_or(&[], |i| &project.manifests[i].overrides);
        let profiles: Vec<_> = kb
            .profiles
            .iter()
            .map(|p| manifest::apply_overrides(p, overrides))
            .collect();
        let src = &flow.file.text;
        let (bus, _bus_from) = match &flow.bus {
            Ok(b) => b.clone(),
            Err(candidates) => {
                let (message, help) = if candidates.is_empty() {
                    (
                        format!("flow `{}` names no bus and none is deployed", flow.name),
                        format!(
                            "add `bus:` with one of: {}",
                            kb.bus_names().collect::<Vec<_>>().join(", ")
                        ),
                    )
                } else {
                    (
                        format!(
                            "flow `{}` names no bus and several are deployed: {}",
                            flow.name,
                            candidates.join(", ")
                        ),
                        format!(
                            "add `bus: {}` (or another of them) to the flow",
                            candidates[0]
                        ),
                    )
                };
                if let Some(fd) = manifest_finding(
                    kb,
                    &levels,
                    "BF002",
                    &flow.file,
                    flow.name_span,
                    (message, help),
                    Some(flow.name.clone()),
                ) {
                    findings.push(Finding {
                        subject: format!("flow:{}/bus", flow.name),
                        ..fd
                    });
                }
                continue;
            }
        };
        let reqs = &flow.requires;
        let Some(result) = eval::evaluate(
            kb,
            &levels,
            &profiles,
            &bus,
            reqs,
            &flow.name,
            &flow.file.name,
        ) else {
            continue;
        };
        let hits = result
            .hits
            .iter()
            .map(|h| (h, true))
            .chain(result.mode_hints.iter().map(|h| (h, false)));
        for (hit, real) in hits {
            let rule = &kb.rules[hit.rule];
            let req_key = rule.requirement.clone().unwrap_or_default();
            let (span, label, from_cli) = match reqs.get(&req_key) {
                Some(ReqValue { span: Some(s), .. }) => {
                    (*s, format!("{req_key} required here"), false)
                }
                _ => (
                    flow.name_span,
                    format!("{req_key} required by --require"),
                    true,
                ),
            };
            let (line, column, end_line, end_column) = span_pos(src, span);
            let alternatives = if real {
                result.alternatives(kb, hit)
            } else {
                Vec::new()
            };
            let mut help = hit.help.clone();
            if !alternatives.is_empty() {
                let names: Vec<String> = alternatives
                    .iter()
                    .take(4)
                    .map(|a| {
                        if a.unmet.is_empty() {
                            a.bus.clone()
                        } else {
                            format!("{} (misses {})", a.bus, a.unmet.join(", "))
                        }
                    })
                    .collect();
                let line = format!("would fit: {}", names.join(", "));
                help = Some(match help {
                    Some(h) => format!("{h}\n{line}"),
                    None => line,
                });
            }
            let mut message = hit.message.clone();
            if from_cli {
                message.push_str(" (from --require)");
            }
            let secondary = flow
                .bus_span
                .map(|s| (s, format!("flow `{}` runs on {bus}", flow.name)));
            findings.push(Finding {
                code: rule.code.clone(),
                name: rule.name.clone(),
                criterion: rule.criterion.clone(),
                severity: hit.severity,
                message,
                file: flow.file.name.clone(),
                line,
                column,
                end_line,
                end_column,
                flow: Some(flow.name.clone()),
                bus: Some(bus.clone()),
                help,
                alternatives,
                source: Some(flow.file.clone()),
                span,
                label,
                secondary,
                fingerprint: String::new(),
                subject: if real {
                    format!("flow:{}/requires/{req_key}", flow.name)
                } else {
                    format!("flow:{}/requires/{req_key}/mode", flow.name)
                },
            });
        }
    }
    findings.extend(settings_findings(kb, project, &cli_reqs, &levels_of));
    let mut files: Vec<SourceFile> = project.manifests.iter().map(|m| m.file.clone()).collect();
    files.extend(project.facts.files.iter().cloned());
    let mut findings = crate::suppress::apply(kb, findings, &files);
    let per_file: Vec<(globset::GlobMatcher, Vec<String>)> = project
        .manifests
        .iter()
        .flat_map(|m| {
            m.settings
                .per_file_ignores
                .iter()
                .filter_map(move |(g, codes)| {
                    let full = if m.dir.is_empty() {
                        g.clone()
                    } else {
                        format!("{}/{g}", m.dir)
                    };
                    Some((
                        globset::Glob::new(&full).ok()?.compile_matcher(),
                        codes.clone(),
                    ))
                })
        })
        .collect();
    findings = crate::suppress::per_file(findings, &per_file);
    findings.retain(|f| selected(kb, &f.code, opts));
    if !opts.changed.is_empty() {
        let facts = &project.facts;
        let is_changed = |file: usize| opts.changed.contains(&facts.files[file].name);
        let mut buses: Vec<&str> = facts
            .deployments
            .iter()
            .filter(|d| is_changed(d.file))
            .map(|d| d.bus.as_str())
            .collect();
        buses.extend(
            facts
                .clients
                .iter()
                .filter(|c| is_changed(c.file))
                .map(|c| c.bus.as_str()),
        );
        findings.retain(|f| {
            opts.changed.contains(&f.file)
                || (f.flow.is_some()
                    && f.bus.as_deref().is_some_and(|b| {
                        buses.iter().any(|x| {
                            *x == b
                                || kb
                                    .profile(x)
                                    .is_some_and(|p| p.modes.iter().any(|m| m == b))
                        })
                    }))
        });
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
    assign_fingerprints(&mut findings);
    let files = project.manifests.len() + project.facts.files.len();
    CheckResult {
        findings,
        files,
        fail_on: fail_on.unwrap_or(FailOn::Warning),
    }
}

/// Settings rules over every deployment, with the requirements of the flows that run on it.
/// A deployment no flow covers is checked with no requirements, at `info` (contract §2).
fn settings_findings(
    kb: &Kb,
    project: &Project,
    cli: &Requirements,
    levels_of: &dyn Fn(Option<usize>) -> Levels,
) -> Vec<Finding> {
    let facts = &project.facts;
    let flows = resolve(project, cli);
    let mut best: std::collections::BTreeMap<(usize, usize, usize), Finding> =
        std::collections::BTreeMap::new();
    for d in &facts.deployments {
        let file = &facts.files[d.file];
        let mi = project.owner_of(d.file);
        let levels = levels_of(mi);
        let overrides: &[manifest::Override] = mi.map_or(&[], |i| &project.manifests[i].overrides);
        let Some(profile) = kb
            .profile(&d.bus)
            .map(|p| manifest::apply_overrides(p, overrides))
        else {
            continue;
        };
        let covering: Vec<&ResolvedFlow> = flows
            .iter()
            .filter(|f| {
                f.manifest == mi
                    && matches!(&f.bus, Ok((b, _)) if *b == d.bus || profile.modes.contains(b))
            })
            .collect();
        let empty = Requirements::default();
        let runs: Vec<(Option<&str>, &Requirements)> = if covering.is_empty() {
            vec![(None, if cli.is_empty() { &empty } else { cli })]
        } else {
            covering
                .iter()
                .map(|f| (Some(f.name.as_str()), &f.requires))
                .collect()
        };
        for (flow, reqs) in runs {
            for sh in eval::setting_hits(
                kb,
                &levels,
                &profile,
                reqs,
                d,
                flow.unwrap_or(""),
                &file.name,
            ) {
                let rule = &kb.rules[sh.hit.rule];
                let mut severity = sh.hit.severity;
                let mut help = sh.hit.help.clone();
                // a risky setting that no declared requirement is about is advice (contract §2)
                let mut paths = Vec::new();
                if let Some(w) = &rule.when {
                    w.paths(&mut paths);
                }
                let declared = paths.iter().any(|p| {
                    p.first().is_some_and(|h| h == "req")
                        && p.get(1).is_some_and(|k| reqs.get(k).is_some())
                });
                if !declared {
                    severity = Severity::Info;
                    let hint = "no flow declares what this bus must do; declare requirements in busfit.yaml (`busfit init`) to check it against them";
                    help = Some(match help {
                        Some(h) => format!("{h}\n{hint}"),
                        None => hint.to_owned(),
                    });
                }
                let (line, column, end_line, end_column) = span_pos(&file.text, sh.setting.span);
                let fd = Finding {
                    code: rule.code.clone(),
                    name: rule.name.clone(),
                    criterion: rule.criterion.clone(),
                    severity,
                    message: sh.hit.message.clone(),
                    file: file.name.clone(),
                    line,
                    column,
                    end_line,
                    end_column,
                    flow: flow.map(str::to_owned),
                    bus: Some(d.bus.clone()),
                    help,
                    alternatives: Vec::new(),
                    source: Some(file.clone()),
                    span: sh.setting.span,
                    label: format!("{} set here", sh.setting.key),
                    subject: format!("deployment:{}/{}", d.name, sh.setting.key),
                    fingerprint: String::new(),
                    secondary: (d.span != sh.setting.span)
                        .then(|| (d.span, format!("{} deployed here", d.bus))),
                };
                let key = (sh.hit.rule, d.file, sh.setting.span.start);
                match best.get(&key) {
                    Some(old) if old.severity >= fd.severity => {}
                    _ => {
                        best.insert(key, fd);
                    }
                }
            }
        }
    }
    best.into_values().collect()
}
