//! The one validator of busfit's own YAML files (busfit.yaml, bus profiles, rule files): keys
//! checked against what is accepted (duplicates too), shapes checked, every error a
//! [`ConfigError`] that points at the offending bytes, with the nearest spelling as a hint.

use super::yaml::{Node, Value};
use crate::lang::spelling::did_you_mean;
use crate::source::{ByteSpan, ConfigError, SourceFile};

/// Collects the errors of one file.
pub struct Checker<'a> {
    pub file: &'a SourceFile,
    /// The diagnostic code of this kind of file (`busfit::manifest`, `busfit::rules`, …).
    code: &'static str,
    pub errors: Vec<ConfigError>,
}

/// A scalar's text; `None` for a list, a mapping or null.
#[must_use]
pub fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::Seq(_) | Value::Map(_) | Value::Null => None,
        _ => node.scalar_text(),
    }
}

/// The scalars of a list; nothing when it is absent or not a list.
#[must_use]
pub fn words(n: Option<&Node>) -> Vec<String> {
    n.map(|n| n.items().iter().filter_map(scalar).collect())
        .unwrap_or_default()
}

impl<'a> Checker<'a> {
    #[must_use]
    pub fn new(file: &'a SourceFile, code: &'static str) -> Self {
        Checker {
            file,
            code,
            errors: Vec::new(),
        }
    }

    /// An error at `span`, with the snippet's label and a help line (none when empty).
    pub fn err(
        &mut self,
        span: ByteSpan,
        msg: impl Into<String>,
        label: &str,
        help: impl Into<String>,
    ) {
        let help = help.into();
        let mut e = ConfigError::new(self.file, span, msg)
            .label(label)
            .code(self.code);
        if !help.is_empty() {
            e = e.help(help);
        }
        self.errors.push(e);
    }

    /// Every key of a mapping is one of `allowed`, and appears once. `what` names the mapping
    /// in messages (empty: the file's own entry).
    pub fn keys(&mut self, node: &Node, allowed: &[&str], what: &str) {
        let mut seen = std::collections::HashSet::new();
        let (within, accepts) = if what.is_empty() {
            (String::new(), "accepted keys".to_owned())
        } else {
            (format!(" in {what}"), format!("{what} accepts"))
        };
        for (k, _) in node.entries() {
            let name = k.scalar_text().unwrap_or_default();
            if !seen.insert(name.clone()) {
                self.err(
                    k.span,
                    format!("duplicate key `{name}`{within}"),
                    "declared again here",
                    "each key may appear once",
                );
                continue;
            }
            if !allowed.contains(&name.as_str()) {
                let help = format!(
                    "{}{accepts}: {}",
                    did_you_mean(&name, allowed.iter().copied()),
                    allowed.join(", ")
                );
                let label = if what.is_empty() {
                    "here"
                } else {
                    "unknown key"
                };
                self.err(k.span, format!("unknown key `{name}`{within}"), label, help);
            }
        }
    }

    /// The node when it is a mapping; null is absent; anything else is an error.
    pub fn expect_map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n Node> {
        if node.is_map() {
            Some(node)
        } else if node.value == Value::Null {
            None
        } else {
            self.err(
                node.span,
                format!("{what} must be a mapping, found {}", node.kind_name()),
                "expected a mapping",
                "",
            );
            None
        }
    }

    /// A list of strings (a single string is a list of one).
    pub fn string_list(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| match &i.value {
                    Value::Str(s) => Some(s.clone()),
                    _ => {
                        self.err(
                            i.span,
                            format!("{what} entries must be strings, found {}", i.kind_name()),
                            "expected a string",
                            "",
                        );
                        None
                    }
                })
                .collect(),
            Value::Str(s) => vec![s.clone()],
            _ => {
                self.err(
                    node.span,
                    format!("{what} must be a list of globs, found {}", node.kind_name()),
                    "expected a list",
                    "",
                );
                Vec::new()
            }
        }
    }

    /// The text of a scalar under `key`, with its span; an error when it is not text, or is
    /// missing and `required`.
    pub fn text(&mut self, node: &Node, key: &str, required: bool) -> Option<(String, ByteSpan)> {
        match node.get(key) {
            Some(n) => {
                let text = scalar(n);
                if text.is_none() {
                    self.err(
                        n.span,
                        format!("`{key}` must be text, found {}", n.kind_name()),
                        "here",
                        "",
                    );
                }
                text.map(|s| (s, n.span))
            }
            None => {
                if required {
                    self.err(node.span, format!("missing `{key}`"), "here", "");
                }
                None
            }
        }
    }
}
