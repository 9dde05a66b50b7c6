//! pre-commit passes the changed files; `-` reads one from standard input.

mod common;
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};

fn project() -> tempfile::TempDir {
    let d = manifest_dir(
        "version: 1\nflows:\n  - name: checkout\n    requires:\n      delivery: exactly-once\n  - name: analytics\n    bus: kafka\n    requires:\n      latency: 1ms\n",
    );
    std::fs::create_dir_all(d.path().join("deploy")).unwrap();
    std::fs::write(
        d.path().join("deploy/docker-compose.yml"),
        "services:\n  cache:\n    image: redis:7\n",
    )
    .unwrap();
    std::fs::write(d.path().join("deploy/notes.yaml"), "todo: []\n").unwrap();
    d
}

#[test]
fn one_changed_compose_file_reports_the_projects_requirement_mismatch() {
    let d = project();
    let out = busfit_in(
        d.path(),
        &["check", "deploy/docker-compose.yml", "--format", "concise"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    // the flow resolves to the Redis this compose file deploys, declared in busfit.yaml above it
    assert!(
        out.stdout
            .contains("busfit.yaml:5:17: error[BF101] redis delivers at-least-once at best"),
        "{}",
        out.stdout
    );
    // the kafka flow has nothing to do with this change
    assert!(!out.stdout.contains("BF201"), "{}", out.stdout);
    // run from inside the subdirectory, as a hook may be
    let out = busfit_in(
        &d.path().join("deploy"),
        &["check", "docker-compose.yml", "--format", "concise"],
    );
    assert!(
        out.stdout.contains("../busfit.yaml:5:17: error[BF101]"),
        "{}",
        out.stdout
    );
    // an unrelated changed file reports nothing
    let out = busfit_in(d.path(), &["check", "deploy/notes.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

fn with_stdin(dir: &std::path::Path, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_busfit"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn stdin_with_a_file_name() {
    let d = project();
    let rendered = "---\n# Source: chart/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis\ndata:\n  redis.conf: |\n    maxmemory-policy allkeys-lru\n";
    let (code, out, err) = with_stdin(
        d.path(),
        &[
            "check",
            "--stdin-filename",
            "rendered.yaml",
            "-",
            "--format",
            "concise",
        ],
        rendered,
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("rendered.yaml:9:5: error[BF912]"), "{out}");
    // standard input replaces the file on disk of the same name
    let (_, out, _) = with_stdin(
        d.path(),
        &[
            "check",
            "--stdin-filename",
            "deploy/docker-compose.yml",
            "-",
            "--format",
            "concise",
        ],
        "services:\n  mq:\n    image: eclipse-mosquitto:2\n",
    );
    assert!(!out.contains("BF101"), "{out}");
    // `-` without a name is a usage error
    let (code, _, err) = with_stdin(d.path(), &["check", "-"], "");
    assert_eq!(code, 2);
    assert!(err.contains("--stdin-filename"), "{err}");
}
