//! `busfit check`: discover busfit.yaml files, resolve each flow's bus, evaluate,
//! and turn hits into findings that point at real bytes.

use std::path::{Path, PathBuf};

use crate::diag::{ConfigError, SourceFile};
use crate::eval::{self, Alternative, Levels};
use crate::expr::Val;
use crate::kb::{Kb, Severity};
use crate::manifest::{self, FailOn, Manifest};
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
) -> Result<Vec<PathBuf>, Box<ConfigError>> {
    let mut found: Vec<PathBuf> = Vec::new();
    for p in paths {
        if !p.exists() {
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

/// Runs the whole check over already loaded manifests.
pub fn check_manifests(kb: &Kb, manifests: &[Manifest], opts: &CheckOptions) -> CheckResult {
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
    let mut fail_on = opts.fail_on;
    for m in manifests {
        if fail_on.is_none() {
            fail_on = m.settings.fail_on;
        }
        let levels = Levels {
            map: m
                .settings
                .rules
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
        };
        let profiles: Vec<_> = kb
            .profiles
            .iter()
            .map(|p| manifest::apply_overrides(p, &m.overrides))
            .collect();
        let src = &m.file.text;
        for flow in &m.flows {
            let mut reqs = flow.requires.clone();
            reqs.merge_under(&m.defaults);
            reqs.merge_under(&cli_reqs);
            let Some((bus, bus_span)) = &flow.bus else {
                let Some(rule) = kb.rule("BF002") else {
                    continue;
                };
                let Some(sev) = levels.of(rule) else { continue };
                let (line, column, end_line, end_column) = span_pos(src, flow.name_span);
                findings.push(Finding {
                    code: rule.code.clone(),
                    name: rule.name.clone(),
                    criterion: rule.criterion.clone(),
                    severity: sev,
                    message: format!(
                        "flow `{}` names no bus and none can be determined",
                        flow.name
                    ),
                    file: m.file.name.clone(),
                    line,
                    column,
                    end_line,
                    end_column,
                    flow: Some(flow.name.clone()),
                    bus: None,
                    help: Some(format!(
                        "add `bus:` with one of: {}",
                        kb.bus_names().collect::<Vec<_>>().join(", ")
                    )),
                    alternatives: Vec::new(),
                    source: Some(m.file.clone()),
                    span: flow.name_span,
                    label: "this flow".into(),
                    secondary: None,
                });
                continue;
            };
            let Some(result) =
                eval::evaluate(kb, &levels, &profiles, bus, &reqs, &flow.name, &m.file.name)
            else {
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
                findings.push(Finding {
                    code: rule.code.clone(),
                    name: rule.name.clone(),
                    criterion: rule.criterion.clone(),
                    severity: hit.severity,
                    message,
                    file: m.file.name.clone(),
                    line,
                    column,
                    end_line,
                    end_column,
                    flow: Some(flow.name.clone()),
                    bus: Some(bus.clone()),
                    help,
                    alternatives,
                    source: Some(m.file.clone()),
                    span,
                    label,
                    secondary: Some((*bus_span, format!("flow `{}` runs on {bus}", flow.name))),
                });
            }
        }
    }
    findings.retain(|f| selected(kb, &f.code, opts));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    CheckResult {
        findings,
        files: manifests.len(),
        fail_on: fail_on.unwrap_or(FailOn::Warning),
    }
}
