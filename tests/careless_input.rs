//! Careless and hostile input (issue 23, docs/threat-model.md): nothing lost, nothing
//! overwritten, bounded; through the CLI.

mod common;
use common::{busfit, busfit_in, json, root};
use std::io::Write as _;
use std::process::{Command, Stdio};

fn count(v: &serde_json::Value) -> usize {
    v["findings"].as_array().unwrap().len()
}

/// A folder named beside one of its files keeps the folder's findings.
#[test]
fn a_folder_beside_a_file_keeps_its_findings() {
    let folder = json(&["check", "fixtures/demo", "--format", "json"]);
    let both = json(&[
        "check",
        "fixtures/demo",
        "fixtures/demo/busfit.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(count(&both), count(&folder));
    assert!(count(&folder) > 15);
}

/// A busfit.yaml that is a symlink to a shared file of the repository is read, named on the
/// command line too; its findings are shown under its own name.
#[cfg(unix)]
#[test]
fn a_symlinked_busfit_yaml_is_read() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("conf")).unwrap();
    std::fs::create_dir_all(d.path().join("app")).unwrap();
    std::fs::write(
        d.path().join("conf/shared.yaml"),
        "version: 1\nflows:\n  - name: pay\n    bus: redis-pubsub\n    requires: { delivery: exactly-once }\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../conf/shared.yaml", d.path().join("app/busfit.yaml")).unwrap();
    for args in [
        ["check", "app", "--format", "concise"],
        ["check", "app/busfit.yaml", "--format", "concise"],
    ] {
        let out = busfit_in(d.path(), &args);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stdout);
        assert!(
            out.stdout.starts_with("app/busfit.yaml:5:27: error[BF101]"),
            "{args:?}: {}",
            out.stdout
        );
    }
}

/// A file that .gitignore leaves out is checked when it is named on the command line.
#[test]
fn an_ignored_file_named_is_checked() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(".gitignore"), "local.properties\n").unwrap();
    std::fs::write(
        d.path().join("local.properties"),
        "bootstrap.servers=kafka:9092\nacks=0\n",
    )
    .unwrap();
    let all = busfit_in(d.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&all.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 0, "{}", all.stdout);
    let named = busfit_in(d.path(), &["check", "local.properties", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&named.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 1, "{}", named.stdout);
}

/// Standard input is read up to the size cap, not without bound.
#[test]
fn standard_input_is_bounded() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_busfit"))
        .args(["check", "--stdin-filename", "docker-compose.yml", "-"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 1 << 20];
        // 20 MiB, more than the 16 MiB cap; the reader stops early and the pipe may close
        for _ in 0..20 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("standard input is larger than 16 MiB"),
        "{err}"
    );
}

/// `-j` beyond what helps is capped, not an abort.
#[test]
fn a_huge_thread_count_is_capped() {
    let out = busfit(&[
        "check",
        "fixtures/demo",
        "-j",
        "100000",
        "--format",
        "concise",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let reference = busfit(&["check", "fixtures/demo", "--format", "concise"]);
    assert_eq!(out.stdout, reference.stdout);
}

/// --write-baseline never replaces a file that is not a baseline without --force, and never
/// writes through a symlink.
#[test]
fn a_baseline_never_overwrites_what_is_not_one() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("docker-compose.yml"),
        "services:\n  mq:\n    image: redis:7.2\n    ports: [\"6379:6379\"]\n",
    )
    .unwrap();
    let conf = "version: 1\n";
    std::fs::write(d.path().join("busfit.yaml"), conf).unwrap();
    let out = busfit_in(d.path(), &["check", "--write-baseline", "busfit.yaml"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("is not a busfit baseline"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("busfit.yaml")).unwrap(),
        conf
    );
    // a baseline of ours is replaced; then --force replaces anything
    let out = busfit_in(d.path(), &["check", "--write-baseline", "base.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("Wrote 1 finding to base.json."),
        "{}",
        out.stderr
    );
    let out = busfit_in(d.path(), &["check", "--write-baseline", "base.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(d.path().join("notes.txt"), "mine").unwrap();
    let out = busfit_in(
        d.path(),
        &["check", "--write-baseline", "notes.txt", "--force"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path().join("x.json"), d.path().join("link.json"))
            .unwrap();
        let out = busfit_in(
            d.path(),
            &["check", "--write-baseline", "link.json", "--force"],
        );
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(!outside.path().join("x.json").exists());
    }
}

/// What ruff users expect: --exit-zero, -q, --output-file.
#[test]
fn exit_zero_quiet_and_output_file() {
    let out = busfit(&[
        "check",
        "fixtures/demo",
        "--exit-zero",
        "--format",
        "concise",
    ]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("error[BF101]"));
    let out = busfit(&["check", "fixtures/demo", "-q", "--format", "concise"]);
    assert_eq!(out.code, 1);
    assert!(!out.stdout.contains("Found "), "{}", out.stdout);
    assert!(out.stdout.contains("error[BF101]"));
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("report.sarif");
    let out = busfit(&[
        "check",
        "fixtures/demo",
        "--format",
        "sarif",
        "--output-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
}

/// A busfit.yaml error on a line of megabytes prints a bounded report, without the line.
#[test]
fn a_configuration_error_on_a_huge_line_is_bounded() {
    let key = "k".repeat(2_000_000);
    let d = common::manifest_dir(&format!("version: 1\n{key}: 1\n"));
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.len() < 10_000, "{} bytes", out.stderr.len());
    assert!(
        out.stderr.contains("busfit.yaml:2:1"),
        "{}",
        &out.stderr[..out.stderr.len().min(2000)]
    );
}
