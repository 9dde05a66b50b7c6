//! How busfit is installed and run (issue 26, contract §7): the Python package of the binary,
//! the pre-commit hooks with and without a Rust toolchain, the GitHub Action, the container
//! image and the crate's metadata. `.ci/run` builds and installs the wheel, and runs actionlint,
//! hadolint and the Actions metadata schema on these files; this checks what they promise.

mod common;
use common::root;

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> serde_json::Value {
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_python_package_is_the_binary_with_cargos_version() {
    let py = read("pyproject.toml");
    let v: toml::Table = py.parse().unwrap();
    assert_eq!(v["build-system"]["build-backend"].as_str(), Some("maturin"));
    assert_eq!(v["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    assert_eq!(v["project"]["name"].as_str(), Some("busfit"));
    // one version, Cargo.toml's
    assert!(v["project"].get("version").is_none(), "{py}");
    assert_eq!(
        v["project"]["dynamic"].as_array().unwrap()[0].as_str(),
        Some("version")
    );
}

#[test]
fn every_rust_hook_has_a_python_twin() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().unwrap();
    for id in ["busfit", "busfit-project"] {
        let rust = hooks.iter().find(|h| h["id"] == id).unwrap();
        let python = hooks
            .iter()
            .find(|h| h["id"] == format!("{id}-python").as_str())
            .unwrap_or_else(|| panic!("no {id}-python"));
        assert_eq!(rust["language"], "rust");
        assert_eq!(python["language"], "python");
        for key in [
            "entry",
            "files",
            "pass_filenames",
            "always_run",
            "require_serial",
        ] {
            assert_eq!(rust[key], python[key], "{id}: {key}");
        }
    }
}

#[test]
fn the_action_checks_uploads_sarif_and_writes_the_summary() {
    let action = yaml("action.yml");
    for input in [
        "paths", "require", "fail-on", "format", "version", "sarif", "summary",
    ] {
        assert!(action["inputs"][input].is_object(), "input {input}");
    }
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    assert!(
        steps.iter().any(|s| s["uses"]
            .as_str()
            .unwrap_or("")
            .starts_with("github/codeql-action/upload-sarif@")),
        "{steps:?}"
    );
    // the step that runs busfit passes the inputs through the environment, never into the
    // script's text
    for s in steps.iter().filter_map(|s| s["run"].as_str()) {
        assert!(!s.contains("${{"), "{s}");
    }
    let check = read("action/check.sh");
    assert!(check.contains("--format sarif") && check.contains("GITHUB_STEP_SUMMARY"));
    assert!(check.contains("--format markdown"));
    // the workflow that uses it on this repository's fixtures
    let wf = read(".github/workflows/busfit.yml");
    assert!(
        wf.contains("uses: ./") && wf.contains("fixtures/demo"),
        "{wf}"
    );
}

#[test]
fn the_image_is_static_non_root_and_works_in_src() {
    let docker = read("Dockerfile");
    assert!(docker.matches("\nFROM ").count() + usize::from(docker.starts_with("FROM ")) >= 2);
    assert!(docker.contains("FROM scratch"), "{docker}");
    assert!(docker.contains("USER 65532:65532"), "{docker}");
    assert!(docker.contains("WORKDIR /src"), "{docker}");
    assert!(
        docker.contains("ENTRYPOINT [\"/usr/local/bin/busfit\"]"),
        "{docker}"
    );
}

#[test]
fn the_crate_is_ready_for_crates_io() {
    let cargo: toml::Table = read("Cargo.toml").parse().unwrap();
    let p = &cargo["package"];
    for key in [
        "description",
        "license",
        "repository",
        "readme",
        "keywords",
        "categories",
        "rust-version",
        "include",
    ] {
        assert!(p.get(key).is_some(), "Cargo.toml has no {key}");
    }
    let include: Vec<&str> = p["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(include.contains(&"/rules/**/*") && include.contains(&"/build.rs"));
    assert!(!include.iter().any(|i| i.contains("fixtures")));
}

/// The README's install and CI snippets name what exists.
#[test]
fn the_readme_shows_every_way_in() {
    let readme = read("README.md");
    for needle in [
        "pipx install",
        "uv tool install",
        "pip install",
        "language: python",
        "uses: busfit/busfit@main",
        "docker run --rm -v \"$PWD:/src\"",
        "--format gitlab",
        "--format mermaid",
    ] {
        assert!(readme.contains(needle), "README lacks {needle:?}");
    }
}
