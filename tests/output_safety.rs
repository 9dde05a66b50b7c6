//! Output is safe to print anywhere (contract §7, docs/threat-model.md): names and values from
//! the repository go through every output format, and each output stays valid for its format.

mod common;
use common::{busfit_in, sarif_validator};
use proptest::prelude::*;

const FORMATS: [&str; 8] = [
    "full", "concise", "json", "sarif", "github", "junit", "gitlab", "markdown",
];

/// A YAML double-quoted scalar holding `s` exactly.
fn yaml_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether a character must never reach a terminal or a log as it is.
fn hostile(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Checks every format's output for a repository whose flow is named `name`, in a folder named
/// `folder`.
fn check_all(name: &str, folder: &str, validator: &jsonschema::Validator) {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("busfit.yaml"),
        format!(
            "version: 1\nflows:\n  - name: {}\n    bus: redis-pubsub\n    requires:\n      delivery: exactly-once\n",
            yaml_quoted(name)
        ),
    )
    .unwrap();
    for format in FORMATS {
        let out = busfit_in(d.path(), &["check", "--format", format, "--color", "never"]);
        assert!(out.code < 2 || format == "full", "{format}: {}", out.stderr);
        if out.code == 2 {
            // a name busfit.yaml refuses (a duplicate, an empty one) is an error, not output
            return;
        }
        let text = &out.stdout;
        match format {
            "json" | "gitlab" => {
                serde_json::from_str::<serde_json::Value>(text).expect("valid JSON");
            }
            "sarif" => {
                let v: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
                let errors: Vec<String> = validator
                    .iter_errors(&v)
                    .map(|e| format!("{e} at {}", e.instance_path()))
                    .collect();
                assert!(errors.is_empty(), "{errors:?}");
                let uri = v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                    ["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap();
                assert!(
                    uri.bytes().all(|b| b.is_ascii_graphic()),
                    "an unencoded URI: {uri:?}"
                );
            }
            "junit" => {
                roxmltree::Document::parse(text).expect("well-formed XML");
            }
            _ => {
                assert!(
                    !text.chars().any(hostile),
                    "{format}: a control character reaches the terminal: {text:?}"
                );
                for l in text.lines() {
                    if format == "github" {
                        assert!(
                            ["::error ", "::warning ", "::notice "]
                                .iter()
                                .any(|p| l.starts_with(p)),
                            "github: a line that is no annotation: {l:?}"
                        );
                    } else {
                        assert!(!l.starts_with("::"), "{format}: a workflow command: {l:?}");
                    }
                }
                if format == "github" {
                    assert_eq!(text.lines().count(), 1, "{text}");
                }
            }
        }
    }
}

/// The cases, by hand: a GitHub workflow command in a flow's name, terminal escape
/// sequences, a backtick and HTML for the pull-request comment, a folder with a space.
#[test]
fn names_that_try_to_escape() {
    let v = sarif_validator();
    for name in [
        "x\n::error file=README.md,line=1::spoofed\n",
        "\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}\u{1b}[2J",
        "a`b ![pixel](https://evil.example/p.png) <img src=x onerror=alert(1)>|",
        "rtl \u{202e}gnp.exe",
        "percent %0A::warning::x\r\n::notice::y",
    ] {
        check_all(name, "my svc", &v);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Arbitrary names made of the characters that matter to some format.
    #[test]
    fn any_name_stays_inside_its_format(
        name in proptest::collection::vec(
            prop_oneof![
                Just('\n'), Just('\r'), Just('\u{1b}'), Just('\u{7}'), Just('\u{0}'),
                Just('`'), Just('|'), Just('<'), Just('>'), Just('&'), Just('%'), Just(':'),
                Just(','), Just('"'), Just('\''), Just('\\'), Just('\u{202e}'), Just('\u{85}'),
                Just(' '), Just('#'), Just('['), Just(']'), Just('!'),
                proptest::char::range('a', 'z'),
            ],
            1..24,
        ).prop_map(|cs| cs.into_iter().collect::<String>()),
        folder in prop_oneof![Just("svc"), Just("my svc"), Just("a%20b"), Just("x#y")],
    ) {
        let v = sarif_validator();
        check_all(&format!("f{name}"), folder, &v);
    }
}
