//! Hostile input: every case ends quickly, without a crash, with bounded memory, and the
//! rest of the repository is still checked.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs busfit with a deadline; a run that does not end in time is a failure, not a hang.
fn bounded(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_busfit"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // drain both pipes while waiting, or a large output would block the child forever
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut b).unwrap();
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut b).unwrap();
        b
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("busfit {args:?} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
    }
}

/// Generous enough for an unoptimised build on a loaded 2-core CI machine; a quadratic path or a
/// hang overshoots it by far (the 20,000-flow case below took minutes before the line index).
const LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 30 });

/// A directory with one hostile file and one ordinary finding beside it.
fn with_witness(name: &str, content: &[u8]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(name), content).unwrap();
    std::fs::write(
        d.path().join("mosquitto.conf"),
        "listener 1883\nallow_anonymous true\n",
    )
    .unwrap();
    d
}

fn assert_witness(out: &Output) {
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    assert!(
        out.stdout.contains("mosquitto.conf:2:1: info[BF921]"),
        "the rest was not checked:\n{}",
        out.stdout
    );
}

/// `busfit check` in `dir` stops with exit 2 and a message holding every one of `needles`.
fn refused(dir: &Path, needles: &[&str]) -> Output {
    let out = bounded(dir, &["check"], LIMIT);
    assert_eq!(out.code, 2, "{}", out.stdout);
    for n in needles {
        assert!(out.stderr.contains(n), "no `{n}` in:\n{}", out.stderr);
    }
    out
}

fn concise(d: &tempfile::TempDir) -> Output {
    bounded(d.path(), &["check", "--format", "concise"], LIMIT)
}

#[test]
fn alias_expansion_bomb() {
    let mut s = String::from("services:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        s.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    s.push_str("  broker:\n    image: redis:7\n");
    let d = with_witness("docker-compose.yml", s.as_bytes());
    let out = concise(&d);
    assert_witness(&out);
    assert!(
        out.stdout.contains("docker-compose.yml") && out.stdout.contains("BF001"),
        "{}",
        out.stdout
    );

    // the same bomb as a busfit.yaml: exit 2, quickly
    let m = s.replace("services:", "version: 1\nx:");
    let d = manifest_dir(&m);
    refused(d.path(), &[]);
}

#[test]
fn deep_flow_and_block_nesting() {
    let flow = format!(
        "services:\n  broker:\n    image: redis:7\n    x: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let d = with_witness("docker-compose.yml", flow.as_bytes());
    let out = concise(&d);
    assert_witness(&out);
    assert!(out.stdout.contains("BF001"), "{}", out.stdout);

    let block = format!(
        "apiVersion: v1\nkind: List\nitems: {}redis\n",
        "- ".repeat(100_000)
    );
    let d = with_witness("list.yaml", block.as_bytes());
    assert_witness(&concise(&d));

    let manifest = format!(
        "version: 1\nflows: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let d = manifest_dir(&manifest);
    refused(d.path(), &[]);
}

#[test]
fn files_of_hundreds_of_megabytes_are_not_read() {
    let d = with_witness("placeholder", b"");
    // a sparse 300 MB file: cheap to create, never read past the cap
    let f = std::fs::File::create(d.path().join("docker-compose.yml")).unwrap();
    f.set_len(300 * 1024 * 1024).unwrap();
    let out = concise(&d);
    assert_witness(&out);
    assert!(
        out.stdout.contains("docker-compose.yml:1:1: error[BF001]")
            && out.stdout.contains("larger than 16 MiB"),
        "{}",
        out.stdout
    );
}

#[test]
fn binary_nul_and_invalid_utf8_under_config_names() {
    let d = with_witness("redis.conf", b"\x00\xff\xfe\x00appendonly no\n");
    let out = concise(&d);
    assert_witness(&out);
    // read with U+FFFD for the bad bytes (issue 23): a warning at the first of them
    assert!(
        out.stdout.contains("redis.conf:1:2: warning[BF001]")
            && out.stdout.contains("is not all UTF-8"),
        "{}",
        out.stdout
    );
    let d = with_witness(
        "docker-compose.yml",
        b"services:\n  broker:\n    image: redis\x00:7\n",
    );
    assert_witness(&concise(&d));
    let d = with_witness(
        "package.json",
        b"{\"dependencies\": {\"kafkajs\": \"\xff\"}}",
    );
    assert_witness(&concise(&d));
    // found by the conf fuzzer: a multi-byte space (U+00A0) between key and value
    let d = with_witness(
        "redis.conf",
        "appendonly\u{a0}no\nprotected-mode\u{2003}no\n".as_bytes(),
    );
    let out = concise(&d);
    assert_witness(&out);
    assert!(
        out.stdout
            .contains("redis.conf:1:1: info[BF911] appendonly no"),
        "{}",
        out.stdout
    );
}

#[test]
fn fifos_and_devices_are_never_opened() {
    let d = with_witness("placeholder", b"");
    let ok = Command::new("mkfifo")
        .arg(d.path().join("docker-compose.yml"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "mkfifo");
    let _ = Command::new("mknod")
        .arg(d.path().join("redis.conf"))
        .args(["c", "1", "3"])
        .status();
    assert_witness(&concise(&d));
    // named on the command line, as pre-commit would
    let out = bounded(
        d.path(),
        &[
            "check",
            "docker-compose.yml",
            "mosquitto.conf",
            "--format",
            "concise",
        ],
        LIMIT,
    );
    assert_witness(&out);
}

#[test]
fn symlinks_are_not_followed() {
    let d = with_witness("placeholder", b"");
    std::os::unix::fs::symlink(d.path(), d.path().join("loop")).unwrap();
    std::fs::create_dir_all(d.path().join("a/b")).unwrap();
    std::os::unix::fs::symlink("../../a", d.path().join("a/b/up")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.conf"), "allow_anonymous true\n").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.conf"),
        d.path().join("mosquitto-outside.conf"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), d.path().join("elsewhere")).unwrap();
    let out = concise(&d);
    assert_witness(&out);
    assert!(
        !out.stdout.contains("outside") && !out.stdout.contains("elsewhere"),
        "{}",
        out.stdout
    );
}

#[test]
fn unreadable_files_are_a_finding() {
    // root reads any file, so the read error comes from a file that vanishes after the walk
    let kb = busfit::kb::Kb::builtin().unwrap();
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("mosquitto.conf"), "allow_anonymous true\n").unwrap();
    let scan =
        busfit::discover::scan(&kb, &[d.path().to_path_buf()], false, None, d.path()).unwrap();
    std::fs::remove_file(d.path().join("mosquitto.conf")).unwrap();
    let project = busfit::project::load(
        &kb,
        &busfit::source::read::Reader::default(),
        &scan,
        Vec::new(),
    )
    .unwrap();
    assert_eq!(project.facts.broken.len(), 1);
    assert!(
        project.facts.broken[0].1.starts_with("cannot read"),
        "{:?}",
        project.facts.broken
    );
}

#[test]
fn duplicate_keys_merge_keys_and_tags() {
    let s = "x-common: &common\n  image: redis:7\nservices:\n  broker:\n    <<: *common\n    image: redis:7\n    image: redis:7.2\n    command: !!str redis-server --appendonly no\n    labels: !custom { a: 1 }\n";
    let d = with_witness("docker-compose.yml", s.as_bytes());
    assert_witness(&concise(&d));
}

#[test]
fn a_five_megabyte_line() {
    let s = format!(
        "services:\n  broker:\n    image: redis:7\n    command: redis-server --appendonly no --comment {}\n",
        "a".repeat(5 * 1024 * 1024)
    );
    let d = with_witness("docker-compose.yml", s.as_bytes());
    let out = bounded(d.path(), &["check"], LIMIT);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    // the finding is shown without a 5 MB snippet
    assert!(
        out.stdout.len() < 100_000,
        "{} bytes of output",
        out.stdout.len()
    );
    assert!(
        out.stdout.contains("BF911"),
        "{}",
        &out.stdout[..out.stdout.len().min(2000)]
    );
}

#[test]
fn tens_of_thousands_of_documents() {
    let mut s = String::new();
    for i in 0..30_000 {
        s.push_str(&format!("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d{i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: redis:7\n"));
    }
    let d = with_witness("many.yaml", s.as_bytes());
    let out = bounded(d.path(), &["inventory", "--format", "json"], LIMIT);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["deployments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["file"] == "many.yaml")
            .count(),
        30_000
    );
}

#[test]
fn a_busfit_yaml_that_is_invalid_and_hostile() {
    let mut s = String::from("version: 1\nflows:\n");
    for i in 0..50_000 {
        s.push_str(&format!(
            "  - name: f{i}\n    requires: {{ latency: fast, delivry: twice }}\n"
        ));
    }
    let d = manifest_dir(&s);
    // the first errors are drawn, the rest counted
    let out = refused(d.path(), &["busfit: 99950 more errors not shown"]);
    assert_eq!(
        out.stderr.matches("busfit::manifest").count(),
        50,
        "{}",
        &out.stderr[..2000]
    );
}

#[test]
fn a_valid_busfit_yaml_with_twenty_thousand_flows() {
    // every flow finds something: positioning and drawing 20k findings must not scan the file each time
    let mut s = String::from("version: 1\nflows:\n");
    for i in 0..20_000 {
        s.push_str(&format!(
            "  - name: f{i}\n    bus: kafka\n    requires: {{ latency: 1ms }}\n"
        ));
    }
    let d = manifest_dir(&s);
    let out = bounded(d.path(), &["check"], LIMIT);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("busfit.yaml:60002:") && out.stdout.contains(" 60001 │     bus: kafka"),
        "the last flow's finding is drawn"
    );
}

#[test]
fn the_size_cap_is_a_setting() {
    let d = with_witness(
        "docker-compose.yml",
        b"services:\n  broker:\n    image: redis:7\n    command: redis-server --appendonly no\n",
    );
    std::fs::write(
        d.path().join("busfit.yaml"),
        "version: 1\nsettings:\n  max_file_size: 40B\n",
    )
    .unwrap();
    let out = concise(&d);
    assert!(
        out.stdout.contains("docker-compose.yml:1:1: error[BF001]")
            && out.stdout.contains("larger than 40 bytes"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("mosquitto.conf:2:1: info[BF921]"),
        "{}",
        out.stdout
    );

    std::fs::write(
        d.path().join("busfit.yaml"),
        "version: 1\nsettings:\n  max_file_size: 2TiB\n",
    )
    .unwrap();
    refused(d.path(), &["busfit.yaml:3:18", "from 1B to 1GiB"]);
}

#[test]
fn a_huge_or_special_busfit_yaml() {
    let d = tempfile::tempdir().unwrap();
    let f = std::fs::File::create(d.path().join("busfit.yaml")).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap();
    refused(d.path(), &["larger than 16 MiB"]);

    // a FIFO named busfit.yaml is not a manifest: it is never opened
    let d = with_witness("placeholder", b"");
    assert!(
        Command::new("mkfifo")
            .arg(d.path().join("busfit.yaml"))
            .status()
            .unwrap()
            .success()
    );
    assert_witness(&concise(&d));
}

#[test]
fn paths_in_busfit_yaml_stay_in_the_repository() {
    // a pull request edits busfit.yaml: it must not make CI read /dev/zero or files elsewhere
    for (setting, shown) in [
        ("baseline: /dev/zero", "3:13"),
        ("custom_rules: ../../etc", "3:17"),
    ] {
        let d = manifest_dir(&format!("version: 1\nsettings:\n  {setting}\n"));
        refused(
            d.path(),
            &[
                &format!("busfit.yaml:{shown}"),
                "must stay below this busfit.yaml",
            ],
        );
    }
    // through a symlink inside the repository
    let d = manifest_dir("version: 1\nsettings:\n  baseline: zero.json\n");
    std::os::unix::fs::symlink("/dev/zero", d.path().join("zero.json")).unwrap();
    refused(d.path(), &["leads outside the directory"]);

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), "password: hunter2\n").unwrap();
    let d = manifest_dir("version: 1\nsettings:\n  custom_rules: mine\n");
    std::os::unix::fs::symlink(outside.path(), d.path().join("mine")).unwrap();
    let out = refused(d.path(), &["leads outside"]);
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);

    // a FIFO as the baseline, inside the repository: never opened
    let d = manifest_dir("version: 1\nsettings:\n  baseline: base.json\n");
    assert!(
        Command::new("mkfifo")
            .arg(d.path().join("base.json"))
            .status()
            .unwrap()
            .success()
    );
    refused(d.path(), &["not a regular file"]);
}

/// A rendered release: 79,000 small documents in one 8 MB file, one in a hundred a broker.
/// Every document is read within its own budgets; those that name no bus are not parsed.
#[test]
fn a_rendered_release_of_79_000_documents() {
    let mut s = String::new();
    for i in 0..79_000 {
        if i % 100 == 0 {
            s.push_str(&format!("---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: kafka-{i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: kafka\n          image: apache/kafka:3.7.0\n"));
        } else {
            s.push_str(&format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\n  labels:\n    app.kubernetes.io/part-of: shop\ndata:\n  key: \"value {i}\"\n"));
        }
    }
    assert!(s.len() > 7_500_000, "{}", s.len());
    let d = with_witness("release.yaml", s.as_bytes());
    let out = bounded(d.path(), &["inventory", "--format", "json"], LIMIT);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found = v["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == "release.yaml" && d["bus"] == "kafka")
        .count();
    assert_eq!(found, 790);
    let out = bounded(d.path(), &["check", "--format", "json"], LIMIT);
    assert!(
        !out.stdout.contains("BF001"),
        "{}",
        &out.stdout[..out.stdout.len().min(2000)]
    );
}
