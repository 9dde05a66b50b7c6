//! Output is safe to print anywhere (contract §7): text that comes from the repository (names,
//! values, paths) is escaped for the syntax of the format that prints it. No line of repository
//! text can start a CI workflow command (`::error …` at the start of a line), no control
//! character reaches a terminal, a Markdown code span cannot be broken out of, a SARIF URI is
//! encoded. Every renderer of a format uses its function here.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::source::diag::is_hostile;

/// One line of a line-based format (concise, a Markdown list item, a table cell): line breaks
/// and hostile characters are written as visible escapes (`\n`, `\u{1b}`).
#[must_use]
pub fn line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\n' || c == '\r' || is_hostile(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_visible(&mut out, c, false);
    }
    Cow::Owned(out)
}

/// Text that may span lines (a help text the human format indents): hostile characters and
/// carriage returns are escaped, line breaks kept.
#[must_use]
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\r' || is_hostile(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_visible(&mut out, c, true);
    }
    Cow::Owned(out)
}

fn push_visible(out: &mut String, c: char, keep_newline: bool) {
    match c {
        '\n' if keep_newline => out.push('\n'),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if is_hostile(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Markdown inline text (a pull-request comment): one line, HTML written as entities, and
/// every character that starts Markdown syntax (code spans, emphasis, links, images, tables)
/// escaped, so a name from the repository cannot close a code span or add a link or image.
#[must_use]
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '!' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span holding `s` whatever backticks it holds: the fence is one backtick
/// longer than the longest run inside, with a space of padding where the text touches it.
#[must_use]
pub fn code_span(s: &str) -> String {
    let s = line(s).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || longest > 0 {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A relative path as a URI reference (SARIF `artifactLocation.uri`): every byte outside the
/// unreserved set and `/` is percent-encoded (`my svc/busfit.yaml` → `my%20svc/busfit.yaml`).
#[must_use]
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(line("a\n::error x"), "a\\n::error x");
        assert_eq!(line("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(text("a\nb\u{7}"), "a\nb\\u{7}");
        assert_eq!(code_span("a`b"), "`` a`b ``");
        assert_eq!(code_span("ab"), "`ab`");
        assert_eq!(uri("my svc/busfit.yaml"), "my%20svc/busfit.yaml");
        assert_eq!(uri("a:b#c"), "a%3Ab%23c");
        assert_eq!(markdown("<img src=x>|"), "&lt;img src=x&gt;\\|");
        assert_eq!(markdown("`a` ![i](u)"), "\\`a\\` \\!\\[i\\](u)");
    }
}
