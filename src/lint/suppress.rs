//! Inline suppressions: `# busfit: ignore[BF101, latency-unreachable] reason` on a finding's
//! line or the line before, in YAML, TOML, .properties and .conf files. JSON has no comments:
//! `settings.per_file_ignores` does the same for it. A suppression that matches nothing is
//! reported (BF003), and one without a reason is reported at info (BF004).

use crate::kb::Kb;
use crate::lint::Finding;
use crate::source::SourceFile;
use crate::source::span::ByteSpan;

const MARKER: &str = "busfit: ignore[";

#[derive(Debug, Clone)]
pub struct Suppression {
    pub file: usize,
    pub line: usize,
    pub span: ByteSpan,
    /// Codes (names are turned into codes); unknown words stay as written.
    pub codes: Vec<String>,
    pub reason: String,
}

/// Every suppression comment in a file.
pub fn parse(kb: &Kb, file: usize, text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let Some(hash) = raw.find('#') else { continue };
        let comment = &raw[hash..];
        let Some(m) = comment.find(MARKER) else {
            continue;
        };
        let after = &comment[m + MARKER.len()..];
        let Some(close) = after.find(']') else {
            continue;
        };
        let codes = after[..close]
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| kb.rule(c).map_or_else(|| c.to_owned(), |r| r.code.clone()))
            .collect();
        let reason = after[close + 1..].trim().to_owned();
        let s = start + hash;
        out.push(Suppression {
            file,
            line: i + 1,
            span: ByteSpan::new(s, start + raw.trim_end().len()),
            codes,
            reason,
        });
    }
    out
}

fn finding(
    kb: &Kb,
    code: &str,
    file: &SourceFile,
    span: ByteSpan,
    message: String,
) -> Option<Finding> {
    let rule = kb.rule(code)?;
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end);
    Some(Finding {
        code: rule.code.clone(),
        name: rule.name.clone(),
        criterion: rule.criterion.clone(),
        severity: rule.severity,
        message,
        file: file.name.clone(),
        line,
        column,
        end_line,
        end_column,
        flow: None,
        bus: None,
        help: Some(rule.fix.clone()),
        alternatives: Vec::new(),
        source: Some(file.clone()),
        span,
        label: "suppression".into(),
        secondary: None,
        subject: format!("suppression:{}", line),
        fingerprint: String::new(),
    })
}

/// Removes suppressed findings and adds findings about the suppressions themselves.
pub fn apply(kb: &Kb, findings: Vec<Finding>, files: &[SourceFile]) -> Vec<Finding> {
    let mut sups: Vec<Suppression> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if f.text.contains(MARKER) {
            sups.extend(parse(kb, i, &f.text));
        }
    }
    if sups.is_empty() {
        return findings;
    }
    let mut used = vec![vec![false; 0]; sups.len()];
    for (u, s) in used.iter_mut().zip(&sups) {
        *u = vec![false; s.codes.len()];
    }
    let mut kept = Vec::new();
    for f in findings {
        let mut hit = false;
        for (si, s) in sups.iter().enumerate() {
            if files[s.file].name != f.file || !(f.line == s.line || f.line == s.line + 1) {
                continue;
            }
            if let Some(ci) = s.codes.iter().position(|c| *c == f.code) {
                used[si][ci] = true;
                hit = true;
            }
        }
        if !hit {
            kept.push(f);
        }
    }
    for (si, s) in sups.iter().enumerate() {
        let file = &files[s.file];
        let unused: Vec<&str> = s
            .codes
            .iter()
            .zip(&used[si])
            .filter(|(_, u)| !**u)
            .map(|(c, _)| c.as_str())
            .collect();
        if !unused.is_empty() {
            let unknown: Vec<&str> = unused
                .iter()
                .copied()
                .filter(|c| kb.rule(c).is_none())
                .collect();
            let message = if unknown.is_empty() {
                format!(
                    "suppression of {} matches no finding on this line or the next",
                    unused.join(", ")
                )
            } else {
                format!("suppression names unknown rule {}", unknown.join(", "))
            };
            kept.extend(finding(kb, "BF003", file, s.span, message));
        }
        if s.reason.is_empty() {
            kept.extend(finding(
                kb,
                "BF004",
                file,
                s.span,
                "suppression without a reason".into(),
            ));
        }
    }
    kept
}

/// `settings.per_file_ignores`: codes ignored in files matching a glob (for JSON files).
pub fn per_file(
    findings: Vec<Finding>,
    rules: &[(globset::GlobMatcher, Vec<String>)],
) -> Vec<Finding> {
    if rules.is_empty() {
        return findings;
    }
    findings
        .into_iter()
        .filter(|f| {
            !rules
                .iter()
                .any(|(g, codes)| g.is_match(&f.file) && codes.contains(&f.code))
        })
        .collect()
}
