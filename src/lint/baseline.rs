//! Baselines: accept today's findings, fail on new ones. A finding is matched by its
//! fingerprint (file, code, flow, subject, occurrence), never by its line, so moved lines stay
//! accepted and a new finding elsewhere is never hidden by an old one.

use std::collections::HashMap;
use std::path::Path;

use serde_json::json;

use super::{CheckResult, Finding};
use crate::source::ConfigError;
use crate::source::read::Reader;

fn error(path: &Path, why: String, code: &'static str) -> Box<ConfigError> {
    Box::new(ConfigError::plain(format!("{}: {why}", path.display())).code(code))
}

pub fn write(path: &Path, result: &CheckResult, force: bool) -> Result<(), Box<ConfigError>> {
    // a file that is not a baseline of ours (a busfit.yaml, a source file) is not overwritten
    // without --force, and a symlink is never written through
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_symlink() {
            return Err(error(
                path,
                "is a symbolic link; busfit does not write through one".to_owned(),
                "busfit::io",
            ));
        }
        let ours = std::fs::read_to_string(path).ok().is_some_and(|t| {
            serde_json::from_str::<serde_json::Value>(&t)
                .ok()
                .is_some_and(|v| v["tool"] == "busfit" && v["findings"].is_array())
        });
        if !ours && !force {
            return Err(Box::new(
                ConfigError::plain(format!(
                    "{} exists and is not a busfit baseline; it was not overwritten",
                    path.display()
                ))
                .help("name another file, or pass --force to replace it")
                .code("busfit::io"),
            ));
        }
    }
    let findings = &result.findings;
    let v = json!({
        "version": 1,
        "tool": "busfit",
        "findings": findings.iter().map(|f| json!({
            "fingerprint": f.fingerprint,
            "code": f.code,
            "file": result.file(f),
            "flow": f.flow,
            "subject": f.subject,
            "message": f.message,
        })).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| error(path, format!("cannot write baseline: {e}"), "busfit::io"))
}

/// The fingerprints of a baseline file, with how often each occurs.
pub fn read(path: &Path) -> Result<HashMap<String, usize>, Box<ConfigError>> {
    let text = Reader::default()
        .named(path, crate::source::read::MAX_FILE_BYTES)
        .map_err(|e| error(path, format!("baseline: {e}"), "busfit::baseline"))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        error(
            path,
            format!("not a busfit baseline: {e}"),
            "busfit::baseline",
        )
    })?;
    if v.get("version") != Some(&json!(1)) {
        return Err(error(
            path,
            "not a busfit baseline (expected \"version\": 1)".into(),
            "busfit::baseline",
        ));
    }
    let mut out = HashMap::new();
    for f in v
        .get("findings")
        .and_then(|f| f.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(fp) = f.get("fingerprint").and_then(|f| f.as_str()) {
            *out.entry(fp.to_owned()).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// Drops the findings the baseline accepts.
pub fn filter(findings: Vec<Finding>, mut accepted: HashMap<String, usize>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| match accepted.get_mut(&f.fingerprint) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}
