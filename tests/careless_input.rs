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

/// A configuration error in a machine format still writes a valid report that carries the
/// error (SARIF toolExecutionNotifications, a JSON `errors` array, a JUnit failure), exit 2.
#[test]
fn a_configuration_error_is_a_valid_machine_report() {
    let d = common::manifest_dir(
        "version: 1\nflows:\n  - name: a\n    requires:\n      delivry: at-least-once\n",
    );
    for format in ["json", "sarif", "junit", "gitlab", "github", "markdown"] {
        let out = busfit_in(d.path(), &["check", "--format", format]);
        assert_eq!(out.code, 2, "{format}");
        assert!(out.stderr.contains("delivry"), "{format}: {}", out.stderr);
        let text = &out.stdout;
        assert!(text.contains("delivry"), "{format}: {text}");
        match format {
            "json" => {
                let v: serde_json::Value = serde_json::from_str(text).unwrap();
                assert_eq!(v["errors"][0]["line"], 5);
                assert_eq!(v["findings"].as_array().unwrap().len(), 0);
            }
            "sarif" => {
                let v: serde_json::Value = serde_json::from_str(text).unwrap();
                let n = &v["runs"][0]["invocations"][0];
                assert_eq!(n["executionSuccessful"], false);
                assert_eq!(n["toolExecutionNotifications"][0]["level"], "error");
            }
            "gitlab" => {
                let v: serde_json::Value = serde_json::from_str(text).unwrap();
                assert_eq!(v[0]["severity"], "blocker");
            }
            "junit" => {
                let doc = roxmltree::Document::parse(text).unwrap();
                assert!(doc.descendants().any(|n| n.has_tag_name("failure")));
            }
            "github" => assert!(
                text.starts_with("::error file=busfit.yaml,line=5"),
                "{text}"
            ),
            _ => assert!(text.contains("configuration error"), "{text}"),
        }
    }
    // the human formats write nothing to stdout
    let out = busfit_in(d.path(), &["check"]);
    assert!(out.stdout.is_empty());
}

/// A quantity beyond any bus is an error that says the range, not a value capped silently.
#[test]
fn quantities_out_of_range_are_errors() {
    let out = busfit(&["recommend", "--throughput", "18446744073709551615/s"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("out of range for throughput"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("at most 1000G/s"), "{}", out.stderr);
    let d = common::manifest_dir(
        "version: 1\nflows:\n  - name: a\n    requires:\n      throughput: 99999999999999999999/s\n",
    );
    let out = busfit_in(d.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("out of range"), "{}", out.stderr);
}

/// One Latin-1 byte in a comment: the file is still read (its acks=1 is judged), and a
/// warning says where the byte is.
#[test]
fn a_latin1_byte_does_not_lose_the_file() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("application.properties"),
        b"# r\xe9glages du producteur\nspring.kafka.bootstrap-servers=kafka:9092\nspring.kafka.producer.acks=1\n",
    )
    .unwrap();
    let v = common::json_in(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "--require",
            "delivery=at-least-once",
        ],
    );
    let got: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("BF001".to_owned(), "warning".to_owned(), 1),
            ("BF901".to_owned(), "error".to_owned(), 3)
        ],
        "{v}"
    );
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 1, column 4")
    );
}

/// Papercuts a new user hits (issue 23).
#[test]
fn papercuts() {
    // a bare `# busfit: ignore` ignores every finding of its line (as ruff's bare noqa)
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("docker-compose.yml"),
        "services:\n  mq:\n    image: redis:7.2\n    ports:\n      - \"6379:6379\"  # busfit: ignore the lab host is firewalled\n",
    )
    .unwrap();
    let out = busfit_in(d.path(), &["check", "--format", "concise"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.starts_with("No findings"), "{}", out.stdout);
    // --config DIR takes the busfit.yaml in it
    let out = busfit(&[
        "check",
        "fixtures/demo",
        "--config",
        "fixtures/demo",
        "--format",
        "concise",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let out = busfit(&[
        "check",
        "fixtures/demo",
        "--config",
        "fixtures",
        "--format",
        "concise",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no busfit.yaml or busfit.yml in it"),
        "{}",
        out.stderr
    );
    // with a baseline, the summary says how many it hid
    let b = tempfile::tempdir().unwrap();
    let base = b.path().join("base.json");
    let out = busfit(&[
        "check",
        "fixtures/demo",
        "--write-baseline",
        base.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = busfit(&[
        "check",
        "fixtures/demo",
        "--baseline",
        base.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("No findings in 5 files (21 findings hidden by the baseline)."),
        "{}",
        out.stdout
    );
    // the pre-commit hook runs on Terraform and env files too
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(
        hooks.contains("[^/]*\\.tf|") && hooks.contains("env|"),
        "{hooks}"
    );
    // docs/ci.md pins no tag that does not exist
    let ci = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    assert!(!ci.contains("rev: v0.1.0"));
}

/// The README's example busfit.yaml works as pasted.
#[test]
fn the_readme_example_parses_as_pasted() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```yaml\n# busfit.yaml").expect("the example") + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let d = common::manifest_dir(&readme[start..end]);
    let out = busfit_in(d.path(), &["check"]);
    assert!(out.code < 2, "{}", out.stderr);
}

/// `busfit init` writes no second configuration beside busfit.yml, and never writes through a
/// symlink (a dangling one would lead out of the directory).
#[test]
fn init_never_writes_through_or_beside() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("busfit.yml"), "version: 1\n").unwrap();
    let out = busfit_in(d.path(), &["init"]);
    assert_eq!(out.code, 2);
    assert!(!d.path().join("busfit.yaml").exists());
    #[cfg(unix)]
    {
        let e = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("planted.yaml"),
            e.path().join("busfit.yaml"),
        )
        .unwrap();
        let out = busfit_in(e.path(), &["init"]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(!outside.path().join("planted.yaml").exists());
    }
    // what it writes passes its own check and names no schema file it did not write
    let f = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/demo/docker-compose.yml"),
        f.path().join("docker-compose.yml"),
    )
    .unwrap();
    let out = busfit_in(f.path(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(f.path().join("busfit.yaml")).unwrap();
    assert!(!text.starts_with("# yaml-language-server"), "{text}");
    assert!(busfit_in(f.path(), &["check"]).code < 2);
}

/// A custom rule that compares a requirement with what it never holds is refused when it
/// loads, not accepted to never fire.
#[test]
fn type_mismatched_custom_conditions_are_refused() {
    let d = common::manifest_dir(
        "version: 1\nsettings:\n  custom_rules: policy\nflows:\n  - name: a\n    bus: kafka\n    requires:\n      latency: 50ms\n",
    );
    std::fs::create_dir_all(d.path().join("policy")).unwrap();
    for (when, says) in [
        (
            "req.latency > 'fast'",
            "`req.latency` is compared with 'fast'",
        ),
        (
            "req.delivery == 'twice'",
            "`req.delivery` is compared with 'twice'",
        ),
        (
            "req.offline_delivery == 'yes'",
            "`req.offline_delivery` is compared with 'yes'",
        ),
    ] {
        std::fs::write(
            d.path().join("policy/house.yaml"),
            format!("rules:\n  - code: ACME1\n    name: typed\n    criterion: latency\n    severity: warning\n    requirement: latency\n    when: \"{when}\"\n    message: m\n    what: w\n    why: w\n    example: e\n    fix: f\n"),
        )
        .unwrap();
        let out = busfit_in(d.path(), &["check"]);
        assert_eq!(out.code, 2, "{when}: {}", out.stdout);
        assert!(out.stderr.contains(says), "{when}: {}", out.stderr);
    }
}

/// A folder that cannot be read is exit 2 with its path (the README's promise), not "No
/// findings in 0 files". Run as an unprivileged user: root reads every folder.
#[cfg(unix)]
#[test]
fn an_unreadable_folder_is_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // the binary where an unprivileged user can run it
    let bin = d.path().join("busfit");
    std::fs::copy(env!("CARGO_BIN_EXE_busfit"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let repo = d.path().join("repo");
    std::fs::create_dir_all(repo.join("locked")).unwrap();
    std::fs::write(
        repo.join("docker-compose.yml"),
        "services:\n  a:\n    image: redis:7.2\n",
    )
    .unwrap();
    std::fs::set_permissions(&repo, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(repo.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut cmd = if is_root {
        let has_setpriv = Command::new("setpriv").arg("--version").output().is_ok();
        if !has_setpriv {
            eprintln!("skipped: root without setpriv cannot be denied a folder");
            return;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let out = cmd
        .args(["check", "repo"])
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    std::fs::set_permissions(repo.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot read") && err.contains("locked"),
        "{err}"
    );
}

/// On a terminal that says it draws no colour (TERM=dumb), no colour; on another, colour.
#[cfg(unix)]
#[test]
fn term_dumb_gets_no_colour() {
    // `script` gives busfit a terminal; where it is missing there is nothing to test
    if Command::new("script").arg("--version").output().is_err() {
        return;
    }
    let run = |term: &str| {
        let out = Command::new("script")
            .args([
                "-qc",
                &format!("{} check fixtures/demo", env!("CARGO_BIN_EXE_busfit")),
                "/dev/null",
            ])
            .current_dir(root())
            .env("TERM", term)
            .stdin(Stdio::null())
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}')
    };
    // without a terminal that takes colour (no pseudo-terminal here), nothing to compare
    if !run("xterm-256color") {
        eprintln!("skipped: no colour on a pseudo-terminal here");
        return;
    }
    assert!(!run("dumb"));
}
