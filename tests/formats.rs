//! The CI formats render the same findings as `json`.

mod common;
use common::*;

fn demo(format: &str) -> Output {
    let out = busfit(&["check", "fixtures/demo", "--format", format]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out
}

fn demo_json() -> serde_json::Value {
    json(&["check", "fixtures/demo", "--format", "json"])
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let validator = common::sarif_validator();
    let out = demo("sarif");
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // a document with a missing field does not validate: the test can fail
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["message"] = serde_json::json!({});
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_has_rules_with_help_and_results_with_fingerprints() {
    let sarif: serde_json::Value = serde_json::from_str(&demo("sarif").stdout).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let bf101 = rules.iter().find(|r| r["id"] == "BF101").unwrap();
    for key in ["shortDescription", "fullDescription", "help"] {
        assert!(!bf101[key]["text"].as_str().unwrap().is_empty(), "{key}");
    }
    assert!(
        bf101["helpUri"]
            .as_str()
            .unwrap()
            .ends_with("docs/rules.md#bf101")
    );
    let results = run["results"].as_array().unwrap();
    let findings = demo_json();
    let findings = findings["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(findings) {
        assert_eq!(r["ruleId"], f["code"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], f["line"]);
        assert_eq!(region["startColumn"], f["column"]);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            f["file"]
        );
        let level = match f["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level);
        assert_eq!(
            r["partialFingerprints"]["busfit/v1"]
                .as_str()
                .unwrap()
                .len(),
            16
        );
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
}

#[test]
fn github_annotations() {
    let out = demo("github");
    let lines: Vec<&str> = out.stdout.lines().collect();
    let findings = demo_json();
    assert_eq!(lines.len(), findings["findings"].as_array().unwrap().len());
    assert!(lines[0].starts_with(
        "::error file=fixtures/demo/busfit.yaml,line=10,col=17,endLine=10,endColumn=29,title=BF101 delivery-guarantee-unsupported::redis-pubsub delivers"
    ), "{}", lines[0]);
    assert!(lines.iter().any(|l| l.starts_with("::warning ")));
    assert!(lines.iter().any(|l| l.starts_with("::notice ")));
    // newlines in the message are escaped, so one finding is one line
    assert!(lines[0].contains("%0A"));
}

#[test]
fn junit_xml() {
    let out = demo("junit");
    let doc = roxmltree::Document::parse(&out.stdout).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, demo_json()["findings"].as_array().unwrap().len());
    assert_eq!(root.attribute("failures").unwrap(), failures.to_string());
    let first = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(
        first.attribute("classname"),
        Some("fixtures/demo/busfit.yaml")
    );
}

#[test]
fn gitlab_code_quality() {
    let v: serde_json::Value = serde_json::from_str(&demo("gitlab").stdout).unwrap();
    let items = v.as_array().unwrap();
    let first = &items[0];
    assert_eq!(first["check_name"], "BF101");
    assert_eq!(first["severity"], "major");
    assert_eq!(first["location"]["path"], "fixtures/demo/busfit.yaml");
    assert_eq!(first["location"]["lines"]["begin"], 10);
    let mut fps: Vec<&str> = items
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    let n = fps.len();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), n, "fingerprints are unique");
}

#[test]
fn markdown_comment() {
    let out = demo("markdown");
    assert!(out.stdout.starts_with("## busfit\n"));
    assert!(out.stdout.contains("| rule | name | severity | count |"));
    assert!(out.stdout.contains("| [BF101]("));
    assert!(out.stdout.contains("- **error** [`BF101`]"));
}

#[test]
fn statistics() {
    let out = busfit(&["check", "fixtures/demo", "--statistics"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("demo_statistics", out.stdout);
    // the summary is the human formats' own: singular, "No findings", skipped templates
    let one = busfit(&["check", "fixtures/real/sasl-plaintext", "--statistics"]);
    assert!(
        one.stdout
            .ends_with("Found 1 finding (0 errors, 0 warnings, 1 info) in 1 file.\n"),
        "{}",
        one.stdout
    );
    let none = busfit(&["check", "fixtures/real/templates", "--statistics"]);
    assert_eq!(
        none.stdout,
        "No findings in 6 files (4 templates skipped: not readable until rendered).\n"
    );
}

#[test]
fn every_format_of_an_empty_run() {
    let d = manifest_dir("version: 1\n");
    for format in [
        "full", "concise", "json", "sarif", "github", "junit", "gitlab", "markdown",
    ] {
        let out = busfit_in(d.path(), &["check", "--format", format]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
    }
    let out = busfit_in(d.path(), &["check", "--format", "junit"]);
    assert!(roxmltree::Document::parse(&out.stdout).is_ok());
}
