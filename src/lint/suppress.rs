//! Inline suppressions: `# busfit: ignore[BF101, latency-unreachable] reason` on a finding's
//! line or the line before, in YAML, TOML, .properties and .conf files. JSON has no comments:
//! `settings.per_file_ignores` does the same for it. A suppression that matches nothing is
//! reported (BF003), and one without a reason is reported at info (BF004).

use super::eval::Levels;
use super::finding::Finding;
use crate::kb::Kb;
use crate::lang::expr::Val;
use crate::source::{ByteSpan, FileId, FileTable, Span};

use crate::source::SUPPRESSION_MARKER as MARKER;

#[derive(Debug, Clone)]
pub struct Suppression {
    pub file: FileId,
    pub line: usize,
    pub span: ByteSpan,
    /// Codes (names are turned into codes); unknown words stay as written. Empty for a bare
    /// `# busfit: ignore`, which ignores every finding of its line (as ruff's bare `noqa`).
    pub codes: Vec<String>,
    pub reason: String,
}

/// Every suppression comment in a file.
pub fn parse(kb: &Kb, file: FileId, text: &str) -> Vec<Suppression> {
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
        let (codes, reason) = if let Some(list) = after.strip_prefix('[') {
            let Some(close) = list.find(']') else {
                continue;
            };
            let codes: Vec<String> = list[..close]
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| kb.rule(c).map_or_else(|| c.to_owned(), |r| r.code.clone()))
                .collect();
            (codes, list[close + 1..].trim().to_owned())
        } else if after.is_empty() || after.starts_with(char::is_whitespace) {
            // bare: every finding of the line
            (Vec::new(), after.trim().to_owned())
        } else {
            continue;
        };
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

/// Removes suppressed findings and adds findings about the suppressions themselves.
pub fn apply(kb: &Kb, findings: Vec<Finding>, files: &FileTable) -> Vec<Finding> {
    let mut sups: Vec<Suppression> = Vec::new();
    for id in files.ids() {
        let f = files.get(id);
        if f.text.contains(MARKER) {
            sups.extend(parse(kb, id, &f.text));
        }
    }
    if sups.is_empty() {
        return findings;
    }
    // a bare suppression has one slot: whether it matched anything
    let mut used: Vec<Vec<bool>> = sups
        .iter()
        .map(|s| vec![false; s.codes.len().max(1)])
        .collect();
    let mut kept = Vec::new();
    for f in findings {
        let line = files.position(f.span).line;
        let mut hit = false;
        for (si, s) in sups.iter().enumerate() {
            if s.file != f.span.file || !(line == s.line || line == s.line + 1) {
                continue;
            }
            if s.codes.is_empty() {
                used[si][0] = true;
                hit = true;
            } else if let Some(ci) = s.codes.iter().position(|c| *c == f.code) {
                used[si][ci] = true;
                hit = true;
            }
        }
        if !hit {
            kept.push(f);
        }
    }
    let levels = Levels::default();
    for (si, s) in sups.iter().enumerate() {
        let span = Span::new(s.file, s.span);
        let subject = format!("suppression:{}", s.line);
        let all = ["*".to_owned()];
        let codes: &[String] = if s.codes.is_empty() { &all } else { &s.codes };
        let unused: Vec<&str> = codes
            .iter()
            .zip(&used[si])
            .filter(|(_, u)| !**u)
            .map(|(c, _)| c.as_str())
            .collect();
        if !unused.is_empty() {
            let unknown: Vec<String> = unused
                .iter()
                .filter(|c| **c != "*" && kb.rule(c).is_none())
                .map(|c| (*c).to_owned())
                .collect();
            let codes = if unknown.is_empty() {
                unused.join(", ").replace('*', "every rule")
            } else {
                unknown.join(", ")
            };
            let vars = [("codes", Val::Str(codes)), ("unknown", Val::Set(unknown))];
            kept.extend(
                Finding::builtin(kb, &levels, "BF003", span, &vars)
                    .map(|f| f.label("suppression").subject(subject.clone())),
            );
        }
        if s.reason.is_empty() {
            kept.extend(
                Finding::builtin(kb, &levels, "BF004", span, &[])
                    .map(|f| f.label("suppression").subject(subject)),
            );
        }
    }
    kept
}
