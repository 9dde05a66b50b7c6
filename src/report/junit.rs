//! `junit`: JUnit XML, one test case per finding.

use std::fmt::Write as _;

use std::collections::BTreeMap;

use super::{Context, Format, Locate, Located};
use crate::lint::CheckResult;

pub struct Junit;

impl Format for Junit {
    fn name(&self) -> &'static str {
        "junit"
    }
    fn render(&self, r: &CheckResult, _: &Context<'_>) -> String {
        junit(r)
    }
}

pub(super) fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r') || !c.is_control())
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// JUnit XML: one test suite per file, one failed test case per finding.
fn junit(r: &CheckResult) -> String {
    let located = r.located();
    let mut by_file: BTreeMap<&str, Vec<&Located<'_>>> = BTreeMap::new();
    for f in &located {
        by_file.entry(f.file).or_default().push(f);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let n = r.findings.len();
    let _ = writeln!(
        out,
        "<testsuites name=\"busfit\" tests=\"{}\" failures=\"{n}\">",
        n.max(1)
    );
    if by_file.is_empty() {
        out.push_str("  <testsuite name=\"busfit\" tests=\"1\" failures=\"0\">\n    <testcase name=\"busfit check\" classname=\"busfit\"/>\n  </testsuite>\n");
    }
    for (file, fs) in by_file {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">",
            xml(file),
            fs.len(),
            fs.len()
        );
        for f in fs {
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
                xml(&format!("{} {} at {}:{}", f.code, f.name, f.line, f.column)),
                xml(file),
                xml(file),
                f.line
            );
            let body = match &f.help {
                Some(h) => format!("{}:{}:{}: {}\n{h}", f.file, f.line, f.column, f.message),
                None => format!("{}:{}:{}: {}", f.file, f.line, f.column, f.message),
            };
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                xml(&f.message),
                f.severity,
                xml(&body)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
