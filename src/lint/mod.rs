//! `busfit check`: discover busfit.yaml files, resolve each flow's bus, evaluate,
//! and turn hits into findings that point at real bytes.

pub mod baseline;
pub mod eval;
pub mod suppress;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use self::eval::{Alternative, Levels};
use crate::config::manifest::{self, FailOn, Manifest};
use crate::kb::requirements::{ReqValue, Requirements};
use crate::kb::{Kb, Severity};
use crate::lang::expr::Val;
use crate::project::Project;
use crate::source::path::{display_path, relative};
use crate::source::span::ByteSpan;
use crate::source::{ConfigError, SourceFile};

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

/// Reads and validates manifests; every error of every file is returned.
pub fn load_manifests(
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
                display_path(f, cwd)
            };
            let bytes =
                crate::source::read::read_bytes_capped(f, crate::source::read::MAX_FILE_BYTES)
                    .map_err(|e| {
                        let code = match e {
                            crate::source::read::ReadError::Io(_) => "busfit::io",
                            _ => "busfit::manifest",
                        };
                        vec![ConfigError::plain(format!("{name}: {e}")).code(code)]
                    })?;
            let text = String::from_utf8(bytes).map_err(|_| {
                vec![
                    ConfigError::plain(format!("{name}: not valid UTF-8")).code("busfit::manifest"),
                ]
            })?;
            let dir = Path::new(&name)
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            manifest::parse(&SourceFile::new(name, text), &dir, i, kb)
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

fn span_pos(file: &SourceFile, span: ByteSpan) -> (usize, usize, usize, usize) {
    let (l, c) = file.line_col(span.start);
    let (el, ec) = file.line_col(span.end.max(span.start));
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
    // the buses deployed and used in each manifest's subtree (None: the whole repository),
    // computed once: flows look them up instead of scanning every deployment
    let mut deployed_in: HashMap<Option<usize>, Vec<String>> = HashMap::new();
    let mut used_in: HashMap<Option<usize>, Vec<String>> = HashMap::new();
    for d in &facts.deployments {
        deployed_in
            .entry(project.owner_of(d.file))
            .or_default()
            .push(d.bus.clone());
        deployed_in.entry(None).or_default().push(d.bus.clone());
    }
    for c in &facts.clients {
        used_in
            .entry(project.owner_of(c.file))
            .or_default()
            .push(c.bus.clone());
        used_in.entry(None).or_default().push(c.bus.clone());
    }
    let deployed_in: HashMap<Option<usize>, Vec<String>> = deployed_in
        .into_iter()
        .map(|(k, v)| (k, distinct(v)))
        .collect();
    let used_in: HashMap<Option<usize>, Vec<String>> =
        used_in.into_iter().map(|(k, v)| (k, distinct(v))).collect();
    let scoped = |mi: Option<usize>| -> Result<(String, BusFrom), Vec<String>> {
        let deployed = deployed_in.get(&mi).cloned().unwrap_or_default();
        if deployed.len() == 1 {
            return Ok((deployed[0].clone(), BusFrom::Deployment));
        }
        if deployed.is_empty() {
            let clients = used_in.get(&mi).cloned().unwrap_or_default();
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
    let (line, column, end_line, end_column) = span_pos(file, span);
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
    let flows = resolve(project, &cli_reqs);
    // profiles with a manifest's overrides, built once for each manifest that has some;
    // every other manifest shares the shipped profiles (set 0)
    let mut profile_sets: Vec<Vec<crate::kb::Profile>> = vec![kb.profiles.clone()];
    let mut set_of: Vec<usize> = Vec::new();
    for m in &project.manifests {
        if m.overrides.is_empty() {
            set_of.push(0);
        } else {
            profile_sets.push(
                kb.profiles
                    .iter()
                    .map(|p| manifest::apply_overrides(p, &m.overrides))
                    .collect(),
            );
            set_of.push(profile_sets.len() - 1);
        }
    }
    let level_sets: Vec<Levels> = std::iter::once(levels_of(None))
        .chain((0..project.manifests.len()).map(|i| levels_of(Some(i))))
        .collect();
    let sets = Sets {
        profiles: &profile_sets,
        levels: &level_sets,
        set_of: &set_of,
    };
    let per_flow: Vec<Vec<Finding>> = flows
        .par_iter()
        .map(|flow| {
            flow_findings(
                kb,
                flow,
                sets.levels(flow.manifest),
                sets.profiles(flow.manifest),
            )
        })
        .collect();
    findings.extend(per_flow.into_iter().flatten());
    findings.extend(settings_findings(kb, project, &flows, &cli_reqs, &sets));
    let mut files: Vec<SourceFile> = project.manifests.iter().map(|m| m.file.clone()).collect();
    files.extend(project.facts.files.iter().cloned());
    let mut findings = crate::lint::suppress::apply(kb, findings, &files);
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
    findings = crate::lint::suppress::per_file(findings, &per_file);
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

/// A settings finding keyed by (rule, file, setting offset): several flows on one deployment
/// find the same setting, and the most severe finding is kept.
type Keyed = ((usize, usize, usize), Finding);

/// Profiles and rule levels in force for each manifest's subtree.
struct Sets<'a> {
    profiles: &'a [Vec<crate::kb::Profile>],
    /// Index 0: no manifest; i + 1: manifest i.
    levels: &'a [Levels],
    set_of: &'a [usize],
}

impl Sets<'_> {
    fn profiles(&self, manifest: Option<usize>) -> &[crate::kb::Profile] {
        &self.profiles[manifest.map_or(0, |i| self.set_of[i])]
    }
    fn levels(&self, manifest: Option<usize>) -> &Levels {
        &self.levels[manifest.map_or(0, |i| i + 1)]
    }
}

/// The findings of one flow: its bus undetermined, or every rule that fires on it.
fn flow_findings(
    kb: &Kb,
    flow: &ResolvedFlow,
    levels: &Levels,
    profiles: &[crate::kb::Profile],
) -> Vec<Finding> {
    let mut findings = Vec::new();
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
                levels,
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
            return findings;
        }
    };
    let reqs = &flow.requires;
    let Some(result) = eval::evaluate(
        kb,
        levels,
        profiles,
        &bus,
        reqs,
        &flow.name,
        &flow.file.name,
    ) else {
        return findings;
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
            Some(ReqValue { span: Some(s), .. }) => (*s, format!("{req_key} required here"), false),
            _ => (
                flow.name_span,
                format!("{req_key} required by --require"),
                true,
            ),
        };
        let (line, column, end_line, end_column) = span_pos(&flow.file, span);
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
    findings
}

/// Settings rules over every deployment, with the requirements of the flows that run on it.
/// A deployment no flow covers is checked with no requirements, at `info` (contract §2).
fn settings_findings(
    kb: &Kb,
    project: &Project,
    flows: &[ResolvedFlow],
    cli: &Requirements,
    sets: &Sets<'_>,
) -> Vec<Finding> {
    let facts = &project.facts;
    // flows by (manifest, bus), so each deployment finds the flows that run on it directly
    let mut by_bus: HashMap<(Option<usize>, &str), Vec<&ResolvedFlow>> = HashMap::new();
    for f in flows {
        if let Ok((b, _)) = &f.bus {
            by_bus.entry((f.manifest, b.as_str())).or_default().push(f);
        }
    }
    let per_deployment: Vec<Vec<Keyed>> = facts
        .deployments
        .par_iter()
        .map(|d| deployment_findings(kb, project, d, &by_bus, cli, sets))
        .collect();
    let mut best: std::collections::BTreeMap<(usize, usize, usize), Finding> =
        std::collections::BTreeMap::new();
    for (key, fd) in per_deployment.into_iter().flatten() {
        match best.get(&key) {
            Some(old) if old.severity >= fd.severity => {}
            _ => {
                best.insert(key, fd);
            }
        }
    }
    best.into_values().collect()
}

/// Settings rules on one deployment, once per flow that runs on it (or once without).
fn deployment_findings(
    kb: &Kb,
    project: &Project,
    d: &crate::extract::Deployment,
    by_bus: &HashMap<(Option<usize>, &str), Vec<&ResolvedFlow>>,
    cli: &Requirements,
    sets: &Sets<'_>,
) -> Vec<Keyed> {
    let facts = &project.facts;
    let mut out = Vec::new();
    {
        let file = &facts.files[d.file];
        let mi = project.owner_of(d.file);
        let levels = sets.levels(mi);
        let Some(profile) = sets.profiles(mi).iter().find(|p| p.bus == d.bus) else {
            return out;
        };
        let mut covering: Vec<&ResolvedFlow> = by_bus
            .get(&(mi, d.bus.as_str()))
            .cloned()
            .unwrap_or_default();
        for m in &profile.modes {
            covering.extend(by_bus.get(&(mi, m.as_str())).cloned().unwrap_or_default());
        }
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
            for sh in
                eval::setting_hits(kb, levels, profile, reqs, d, flow.unwrap_or(""), &file.name)
            {
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
                let (line, column, end_line, end_column) = span_pos(file, sh.setting.span);
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
                out.push(((sh.hit.rule, d.file, sh.setting.span.start), fd));
            }
        }
    }
    out
}
