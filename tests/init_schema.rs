//! `busfit init`, `busfit schema` and shell completions.

mod common;
use common::*;

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn init_on_the_demo_writes_a_manifest_that_check_accepts() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/demo"), d.path());
    std::fs::remove_file(d.path().join("busfit.yaml")).unwrap();
    let out = busfit_in(d.path(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(d.path().join("busfit.yaml")).unwrap();
    for bus in ["kafka", "redis", "mqtt"] {
        assert!(
            written.contains(&format!("  - name: {bus}\n    bus: {bus}\n")),
            "{written}"
        );
    }
    // every accepted key is listed
    for key in [
        "delivery",
        "latency",
        "throughput",
        "message_size",
        "retention",
        "ordering",
        "clients",
        "connections",
        "network",
        "offline_delivery",
        "scaling",
        "security",
        "ops_complexity",
        "broker_memory",
        "ecosystem",
        "use_case",
    ] {
        assert!(written.contains(&format!("# {key}: ")), "{key}");
    }
    let check = busfit_in(d.path(), &["check", "--format", "json"]);
    assert!(check.code < 2, "{}", check.stderr);
    // uncommenting an example value gives a manifest check still accepts
    let edited = written.replacen(
        "      # delivery: at-least-once",
        "      delivery: at-least-once",
        1,
    );
    std::fs::write(d.path().join("busfit.yaml"), edited).unwrap();
    assert!(busfit_in(d.path(), &["check"]).code < 2);
    // and it refuses to overwrite
    let again = busfit_in(d.path(), &["init"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}

fn schema() -> serde_json::Value {
    let out = busfit(&["schema"]);
    assert_eq!(out.code, 0);
    serde_json::from_str(&out.stdout).unwrap()
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

#[test]
fn schema_matches_what_the_parser_accepts() {
    let s = schema();
    let defs = &s["$defs"];
    let sorted = |list: &[&str]| {
        let mut v: Vec<String> = list.iter().map(|x| x.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(
        keys(&s),
        sorted(&[
            "version",
            "flows",
            "defaults",
            "settings",
            "buses",
            "environments"
        ])
    );
    assert_eq!(keys(&defs["Flow"]), sorted(&["name", "bus", "requires"]));
    let requirement_keys: Vec<&str> = busfit::kb::requirements::KEYS
        .iter()
        .map(|k| k.key)
        .collect();
    assert_eq!(keys(&defs["Requires"]), sorted(&requirement_keys));
    assert_eq!(
        keys(&defs["Settings"]),
        sorted(&[
            "include",
            "exclude",
            "rules",
            "fail_on",
            "baseline",
            "custom_rules",
            "per_file_ignores",
            "max_file_size"
        ])
    );
    let kb = busfit::kb::Kb::builtin().unwrap();
    let mut buses: Vec<String> = defs["Bus"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap().to_owned())
        .collect();
    buses.sort();
    let mut kinds: Vec<String> = kb.bus_names().map(str::to_owned).collect();
    kinds.sort();
    assert_eq!(buses, kinds);
    for def in busfit::kb::requirements::KEYS {
        let words = def.kind.words();
        if words.is_empty() {
            continue;
        }
        let text = serde_json::to_string(&defs).unwrap();
        for w in words {
            assert!(
                text.contains(&format!("\"{w}\"")),
                "{}: {w} missing from the schema",
                def.key
            );
        }
    }
}

#[test]
fn fixture_manifests_validate_against_the_schema() {
    let s = schema();
    let validator = jsonschema::validator_for(&s).unwrap();
    let mut checked = 0;
    for entry in walk(&root().join("fixtures")) {
        if entry.file_name().and_then(|n| n.to_str()) != Some("busfit.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&entry).unwrap();
        let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", entry.display());
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
    let bad: serde_json::Value = serde_saphyr::from_str(
        "version: 1\nflows:\n  - name: a\n    requires:\n      latency: fast\n",
    )
    .unwrap();
    assert!(!validator.is_valid(&bad));
    let typo: serde_json::Value = serde_saphyr::from_str(
        "version: 1\nflows:\n  - name: a\n    requires:\n      delivry: exactly-once\n",
    )
    .unwrap();
    assert!(!validator.is_valid(&typo));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn completions() {
    let out = busfit(&["completions", "bash"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("busfit"));
    assert!(out.stdout.contains("recommend"));
}
