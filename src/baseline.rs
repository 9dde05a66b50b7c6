//! Baselines: accept today's findings, fail on new ones. A finding is matched by its
//! fingerprint (file, code, flow, subject, occurrence), never by its line, so moved lines stay
//! accepted and a new finding elsewhere is never hidden by an old one.

use std::collections::HashMap;
use std::path::Path;

use serde_json::json;

use crate::check::Finding;
use crate::diag::ConfigError;

pub fn write(path: &Path, findings: &[Finding]) -> Result<(), Box<ConfigError>> {
    let v = json!({
        "version": 1,
        "tool": "busfit",
        "findings": findings.iter().map(|f| json!({
            "fingerprint": f.fingerprint,
            "code": f.code,
            "file": f.file,
            "flow": f.flow,
            "subject": f.subject,
            "message": f.message,
        })).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text).map_err(|e| {
        Box::new(
            ConfigError::plain(format!("{}: cannot write baseline: {e}", path.display()))
                .code("busfit::io"),
        )
    })
}

/// The fingerprints of a baseline file, with how often each occurs.
pub fn read(path: &Path) -> Result<HashMap<String, usize>, Box<ConfigError>> {
    let bad = |why: String| {
        Box::new(ConfigError::plain(format!("{}: {why}", path.display())).code("busfit::baseline"))
    };
    
