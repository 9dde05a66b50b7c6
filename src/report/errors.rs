//! Renders the errors that stop busfit (exit 2) for the terminal.

use std::fmt;

use miette::{Diagnostic, LabeledSpan};

use super::escape;
use super::full::line_len;
use crate::source::{ConfigError, Snippet};

/// At most this many bytes of a message, a label or a help are printed.
const MAX_TEXT: usize = 500;

/// `s` cut at `MAX_TEXT` bytes (at a character boundary), with an ellipsis.
fn bounded(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= MAX_TEXT {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}… ({} bytes)", &s[..end], s.len()))
}

/// Renders config errors for the terminal, with the file name in the snippet header.
/// How many errors are drawn; the rest are counted. A hostile or badly broken file can hold
/// hundreds of thousands, and the first ones are the ones to fix.
pub const MAX_RENDERED_ERRORS: usize = 50;

pub fn render_errors(errors: &[ConfigError], color: bool) -> String {
    let mut out = String::new();
    for raw in errors.iter().take(MAX_RENDERED_ERRORS) {
        let handler = crate::report::graphical_handler(color);
        // what the repository wrote is escaped, and bounded: a hostile busfit.yaml's key can
        // be megabytes long
        let mut e = ConfigError {
            message: escape::line(&bounded(&raw.message)).into_owned(),
            label: escape::line(&bounded(&raw.label)).into_owned(),
            help: raw
                .help
                .as_ref()
                .map(|h| escape::text(&bounded(h)).into_owned()),
            ..raw.clone()
        };
        // no snippet of a very long line (minified or generated files): the position instead
        if let Some(f) = &e.file
            && line_len(f, e.span.start) > super::full::MAX_SNIPPET_LINE
        {
            let (line, col) = f.line_col(e.span.start);
            e.message = format!("{} (at {}:{line}:{col})", e.message, escape::line(&f.name));
            e.file = None;
        }
        let named: Box<dyn Diagnostic + '_> = match &e.file {
            Some(f) => Box::new(Named {
                inner: &e,
                src: Snippet::new(f),
            }),
            None => Box::new(e.clone()),
        };
        let _ = handler.render_report(&mut out, named.as_ref());
        out.push('\n');
    }
    if errors.len() > MAX_RENDERED_ERRORS {
        out.push_str(&format!(
            "busfit: {} more errors not shown; fix the ones above and run again\n",
            errors.len() - MAX_RENDERED_ERRORS
        ));
    }
    out
}

struct Named<'a> {
    inner: &'a ConfigError,
    src: Snippet<'a>,
}

impl fmt::Debug for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}
impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}
impl std::error::Error for Named<'_> {}
impl Diagnostic for Named<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
}

/// A configuration error in a machine format (contract §7): the report is still a valid
/// document of its format, carrying the errors, so `busfit check --format sarif > out.sarif`
/// never uploads an empty file. None for the human formats (the errors go to stderr only).
#[must_use]
pub fn machine_report(format: &str, errors: &[ConfigError]) -> Option<String> {
    use serde_json::json;
    struct Err<'a> {
        message: String,
        file: Option<String>,
        line: usize,
        column: usize,
        code: &'a str,
    }
    let errs: Vec<Err<'_>> = errors
        .iter()
        .take(MAX_RENDERED_ERRORS)
        .map(|e| {
            let (line, column) = e.file.as_ref().map_or((1, 1), |f| f.line_col(e.span.start));
            let mut message = bounded(&e.message).into_owned();
            if let Some(h) = &e.help {
                message.push_str("; ");
                message.push_str(&bounded(h));
            }
            Err {
                message,
                file: e.file.as_ref().map(|f| f.name.clone()),
                line,
                column,
                code: e.code,
            }
        })
        .collect();
    let pretty = |v: serde_json::Value| {
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        s
    };
    Some(match format {
        "json" => pretty(json!({
            "version": 1,
            "findings": [],
            "errors": errs.iter().map(|e| json!({
                "code": e.code, "message": e.message, "file": e.file,
                "line": e.line, "column": e.column,
            })).collect::<Vec<_>>(),
            "summary": { "errors": 0, "files": 0, "infos": 0, "skipped": 0, "warnings": 0 },
        })),
        "sarif" => pretty(super::sarif::log(json!({
                "tool": { "driver": super::sarif::driver() },
                "invocations": [{
                    "executionSuccessful": false,
                    "exitCode": 2,
                    "toolExecutionNotifications": errs.iter().map(|e| {
                        let mut n = json!({
                            "level": "error",
                            "message": { "text": e.message },
                            "descriptor": { "id": e.code },
                        });
                        if let Some(f) = &e.file {
                            n["locations"] = json!([{ "physicalLocation": {
                                "artifactLocation": { "uri": super::escape::uri(f) },
                                "region": { "startLine": e.line, "startColumn": e.column },
                            }}]);
                        }
                        n
                    }).collect::<Vec<_>>(),
                }],
                "results": [],
        }))),
        "gitlab" => pretty(json!(errs.iter().map(|e| json!({
            "description": e.message,
            "check_name": e.code,
            "fingerprint": format!("{}:{}:{}", e.code, e.file.as_deref().unwrap_or(""), e.line),
            "severity": "blocker",
            "location": { "path": e.file.as_deref().unwrap_or("busfit.yaml"), "lines": { "begin": e.line } },
        })).collect::<Vec<_>>())),
        "junit" => {
            let xml = super::junit::xml;
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            out.push_str(&format!(
                "<testsuites name=\"busfit\" tests=\"{n}\" failures=\"{n}\">\n  <testsuite name=\"configuration\" tests=\"{n}\" failures=\"{n}\">\n",
                n = errs.len()
            ));
            for e in &errs {
                let at = e.file.as_deref().unwrap_or("busfit");
                out.push_str(&format!(
                    "    <testcase name=\"{}\" classname=\"{}\">\n      <failure message=\"{}\" type=\"{}\"/>\n    </testcase>\n",
                    xml(&format!("{}:{}:{}", at, e.line, e.column)),
                    xml(at),
                    xml(&e.message),
                    xml(e.code)
                ));
            }
            out.push_str("  </testsuite>\n</testsuites>\n");
            out
        }
        "github" => errs
            .iter()
            .map(|e| {
                let data = super::github::escape_data(&e.message);
                match &e.file {
                    Some(f) => format!(
                        "::error file={},line={},col={},title=busfit configuration error::{data}\n",
                        super::github::escape_property(f),
                        e.line,
                        e.column
                    ),
                    None => format!("::error title=busfit configuration error::{data}\n"),
                }
            })
            .collect(),
        "markdown" => {
            let mut out = String::from("## busfit\n\n**busfit could not run: configuration error**\n\n");
            for e in &errs {
                out.push_str(&format!(
                    "- {} {}\n",
                    super::escape::code_span(&format!(
                        "{}:{}:{}",
                        e.file.as_deref().unwrap_or("busfit"),
                        e.line,
                        e.column
                    )),
                    super::escape::markdown(&e.message)
                ));
            }
            out
        }
        _ => return None,
    })
}
