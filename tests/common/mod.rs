#![allow(dead_code)]
//! Runs the real `busfit` binary, without colour, from a chosen directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn busfit_in(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_busfit"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("FORCE_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("busfit runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Runs from the repository root, so paths in output are `fixtures/...`.
pub fn busfit(args: &[&str]) -> Output {
    busfit_in(&root(), args)
}

/// `busfit ARGS` run from the repository root, its standard output parsed as JSON.
pub fn json(args: &[&str]) -> serde_json::Value {
    json_in(&root(), args)
}

/// (code, file, line) of every finding of `check DIR`, in output order.
#[allow(dead_code)]
pub fn found(dir: &str) -> Vec<(String, String, u64)> {
    let v = json(&["check", dir, "--format", "json", "--fail-on", "never"]);
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The library of every client `inventory DIR` lists, in output order.
#[allow(dead_code)]
pub fn libraries(dir: &str) -> Vec<String> {
    json(&["inventory", dir, "--format", "json"])["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .map(|c| c["library"].as_str().unwrap().to_owned())
        .collect()
}

/// A temporary directory holding one busfit.yaml.
pub fn manifest_dir(text: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("busfit.yaml"), text).expect("write");
    d
}

/// The vendored SARIF 2.1.0 schema as a validator. The published schema's `run.language`
/// pattern has a stray `]` that strict regex engines reject when compiling the schema; it
/// constrains a field busfit never writes, so it is replaced by the intended pattern in memory.
/// The vendored file stays byte-identical.
pub fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif-2.1.0.json"))
        .expect("the vendored schema")
        .replace(
            "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
            "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
        );
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// `busfit ARGS` run in `dir`, its standard output parsed as JSON (exit 0 or 1).
pub fn json_in(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = busfit_in(dir, args);
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    serde_json::from_str(&out.stdout).expect("valid JSON")
}

/// The code of every finding of a JSON report, in order.
pub fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// (code, line) of every finding of a JSON report, in order.
pub fn code_lines(v: &serde_json::Value) -> Vec<(String, u64)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// The first finding of `code` that `check DIR --format json --fail-on never` reports.
#[allow(dead_code)]
pub fn first_finding(dir: &str, code: &str) -> serde_json::Value {
    let v = json(&["check", dir, "--format", "json", "--fail-on", "never"]);
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {dir}: {v:#}"))
        .clone()
}
