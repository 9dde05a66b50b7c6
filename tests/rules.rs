//! Every rule: loads, is documented, fires on its `fires` fixture at the
//! requirement it names, stays quiet on its `quiet` fixture, and its example fires.

mod common;
use common::*;

fn rules() -> Vec<serde_json::Value> {
    json(&["rules", "--format", "json"])
        .as_array()
        .expect("a list")
        .clone()
}

/// Settings that a mapping gives a default when absent (`listener.authentication|none`):
/// their findings point at the nearest existing node of the resource.
const ABSENT_DEFAULTS: &[&str] = &["listener.authentication", "authorization.type"];

/// Settings no key writes, facts of the broker (profile defaults with `implied: true`): their
/// findings point at the deployment.
const IMPLIED: &[&str] = &["clustering"];
/// Settings that stand for a published port: they point at the `ports:` entry, host
/// networking or the Service's `type`.
const PUBLISHED: &[&str] = &["published", "published.listener"];
/// Settings built from several fields of one list item (`key={field},{field}` in a profile's
/// mapping): they point at the item's name.
const ITEM_FIELDS: &[&str] = &["listener.exposure"];

/// BF001 is about deployment files that do not parse; busfit.yaml errors stop the run instead.
const NO_MANIFEST_FIXTURE: &[&str] = &["BF001"];

#[test]
fn every_rule_fires_and_stays_quiet_on_its_fixtures() {
    let mut checked = 0;
    for rule in rules() {
        let code = rule["code"].as_str().unwrap();
        if NO_MANIFEST_FIXTURE.contains(&code) {
            continue;
        }
        let fires = format!("fixtures/rules/{code}/fires");
        let quiet = format!("fixtures/rules/{code}/quiet");
        assert!(
            root().join(&fires).join("busfit.yaml").is_file(),
            "{code}: missing {fires}"
        );
        assert!(
            root().join(&quiet).join("busfit.yaml").is_file(),
            "{code}: missing {quiet}"
        );

        let out = json(&["check", &fires, "--format", "json", "--fail-on", "never"]);
        let hits: Vec<&serde_json::Value> = out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .collect();
        assert_eq!(hits.len(), 1, "{code} should fire once on {fires}: {out:#}");
        let f = hits[0];
        assert_eq!(f["name"], rule["name"]);
        assert_eq!(f["criterion"], rule["criterion"]);
        assert_eq!(f["severity"], rule["severity"]);
        // the finding points at the line of the requirement or setting it is about
        let file = f["file"].as_str().unwrap();
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let line = text
            .lines()
            .nth(f["line"].as_u64().unwrap() as usize - 1)
            .unwrap();
        let settings: Vec<&str> = rule["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        if f["message"]
            .as_str()
            .is_some_and(|m| m.ends_with("is the default)") || m.ends_with("image's default)"))
            || (!settings.is_empty() && settings.iter().all(|k| IMPLIED.contains(k)))
        {
            // a broker default points at the deployment: the image, or the config's first line
            assert!(
                line.contains("image:") || f["line"] == 1 || line.contains("kind:"),
                "{code}: a default points at `{line}`"
            );
        } else if !settings.is_empty() && settings.iter().all(|k| ABSENT_DEFAULTS.contains(k)) {
            // a setting a resource leaves out points at the resource or the list item's name
            assert!(file.ends_with(".yaml"), "{code}: {file}");
        } else if !settings.is_empty() && settings.iter().all(|k| PUBLISHED.contains(k)) {
            assert!(
                line.contains("published")
                    || line.trim_start().starts_with("- ")
                    || line.contains("host")
                    || line.contains("type:"),
                "{code}: a published port points at `{line}`"
            );
        } else if file.ends_with(".tf") && line.trim_start().starts_with("resource \"") {
            // a Terraform attribute left out (an MSK cluster without `client_authentication`)
            // is reported at the resource's type label
            assert!(!settings.is_empty(), "{code}: {line}");
        } else if !settings.is_empty() && settings.iter().all(|k| ITEM_FIELDS.contains(k)) {
            assert!(
                line.contains("name:"),
                "{code}: a list item's setting points at `{line}`"
            );
        } else if settings.is_empty() {
            // findings about suppressions point at the comment; others at the requirement
            let expected = match rule["requirement"].as_str() {
                Some(key) => format!("{key}:"),
                None if code == "BF003" || code == "BF004" => "busfit: ignore[".to_owned(),
                None => "name:".to_owned(),
            };
            assert!(
                line.contains(&expected),
                "{code}: points at `{line}`, expected `{expected}`"
            );
        } else {
            // the setting's own line, in whatever spelling the file uses
            let normalised = line.to_lowercase().replace("__", ".").replace('_', ".");
            let hocon = line.to_lowercase().replace("__", ".");
            assert!(
                settings.iter().any(|k| {
                    // mapped settings keep the file's own last word (`tls:` for listener.tls)
                    let last = k.rsplit('.').next().unwrap_or(k);
                    line.contains(k)
                        || normalised.contains(k)
                        || hocon.contains(k)
                        || line.contains(&format!("{last}:"))
                        // an HCL attribute (`type = "SERVICE_PROVIDED_EIPS"`)
                        || line.trim_start().starts_with(&format!("{last} "))
                }),
                "{code}: points at `{line}`, expected one of {settings:?}"
            );
        }

        let out = json(&["check", &quiet, "--format", "json", "--fail-on", "never"]);
        assert!(
            !codes(&out).contains(&code.to_owned()),
            "{code} fired on {quiet}: {out:#}"
        );
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} rules checked");
}

#[test]
fn every_rule_example_fires() {
    for rule in rules() {
        let code = rule["code"].as_str().unwrap();
        let example = rule["example"].as_str().unwrap();
        // an example is a busfit.yaml, or files each introduced by a `# <file name>` line
        let d = tempfile::tempdir().unwrap();
        let mut current = String::from("busfit.yaml");
        let mut files: Vec<(String, String)> = Vec::new();
        for line in example.lines() {
            if let Some(name) = line
                .strip_prefix("# ")
                .filter(|n| !n.contains(' ') && n.contains('.'))
            {
                current = name.to_owned();
            }
            match files.iter_mut().find(|(n, _)| *n == current) {
                Some((_, text)) => text.push_str(&format!("{line}\n")),
                None => files.push((current.clone(), format!("{line}\n"))),
            }
        }
        for (name, text) in &files {
            std::fs::write(d.path().join(name), text).unwrap();
        }

        let out = busfit_in(d.path(), &["check", "--format", "json"]);
        assert!(out.code < 2, "{code}: example is not valid: {}", out.stderr);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert!(
            codes(&v).contains(&code.to_owned()),
            "{code}: its example does not fire: {v:#}"
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for rule in rules() {
        let code = rule["code"].as_str().unwrap();
        for key in ["what", "why", "example", "fix"] {
            assert!(
                !rule[key].as_str().unwrap_or("").trim().is_empty(),
                "{code}: empty `{key}`"
            );
        }
    }
}

#[test]
fn every_criterion_has_a_rule() {
    let criteria = [
        "delivery",
        "latency",
        "throughput",
        "scalability",
        "retention",
        "protocol",
        "network",
        "devices",
        "resources",
        "complexity",
        "security",
        "ecosystem",
        "scenario",
        "manifest",
    ];
    let rules = rules();
    for c in criteria {
        assert!(
            rules.iter().any(|r| r["criterion"] == c),
            "no rule for criterion {c}"
        );
    }
    for r in &rules {
        assert!(criteria.contains(&r["criterion"].as_str().unwrap()), "{r}");
    }
}

#[test]
fn rules_json_has_the_listed_fields() {
    let rules = rules();
    let r = rules.iter().find(|r| r["code"] == "BF101").unwrap();
    assert_eq!(r["name"], "delivery-guarantee-unsupported");
    assert_eq!(r["criterion"], "delivery");
    assert_eq!(r["severity"], "error");
    let mut codes: Vec<&str> = rules.iter().map(|r| r["code"].as_str().unwrap()).collect();
    let n = codes.len();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), n, "duplicate codes");
}
