//! The block path: a spanned tree read straight from the bytes of a plain block-YAML
//! document, in front of the lean path ([`super::lean`]) and serde-saphyr.
//!
//! Nearly every deployment file is block mappings and sequences of one-line scalars, with
//! a few block scalars (`|`, `>`) and one-line flow collections (`[a, b]`, `{cpu: 1}`). This
//! reader handles exactly that, line by line, and gives up — returning `None`, so that the
//! lean path and then serde-saphyr read the document — on everything else: flow collections
//! over several lines, plain or quoted scalars over several lines, block scalars with an
//! explicit indentation or more-indented folded lines, anchors, aliases, tags, directives,
//! complex keys, tabs, carriage returns, characters YAML forbids, repeated and merge keys, any
//! plain scalar whose type needs serde-saphyr's number grammar, and any budget. So the tree
//! is serde-saphyr's tree or there is none; the fuzz target `block`, the ignored test
//! `lean_corpus` and the tests below hold that.

use super::lean::{Bounds, plain, repeats};
use super::yaml::{Node, Value};
use crate::source::span::ByteSpan;

/// Reads one document (a piece split by [`super::yaml::documents`]), or `None`.
pub(crate) fn parse(piece: &str, bounds: &Bounds) -> Option<Node> {
    let b = piece.as_bytes();
    if !plain_bytes(b) {
        return None;
    }
    let mut r = Reader {
        s: piece,
        b,
        pos: 0,
        nodes: 0,
        scalar_bytes: 0,
        bounds,
    };
    // a document of comments alone is left to the others
    let (col, at) = r.next_content()?;
    let node = r.node(at, col, None, 0)?;
    r.next_content().is_none().then_some(node)
}

/// Whether the bytes hold nothing this reader leaves to the others outright: tabs, carriage
/// returns and other control characters, a byte order mark, C1 controls, non-characters.
fn plain_bytes(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if (c < 0x20 && c != b'\n') || c == 0x7f {
            return false;
        }
        if c >= 0x80 {
            // U+0080..U+009F, U+FEFF, U+FFFE, U+FFFF
            let next = b.get(i + 1).copied().unwrap_or(0);
            if c == 0xc2 && (0x80..=0x9f).contains(&next) {
                return false;
            }
            if c == 0xef {
                let third = b.get(i + 2).copied().unwrap_or(0);
                if (next == 0xbb && third == 0xbf) || (next == 0xbf && third >= 0xbe) {
                    return false;
                }
            }
        }
        i += 1;
    }
    true
}

struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    /// Where reading is: a line's start between nodes.
    pos: usize,
    nodes: usize,
    scalar_bytes: usize,
    bounds: &'a Bounds,
}

/// What follows a scalar on its line.
enum After {
    /// `:` and a space or the end of the line: the scalar is a key; the `:`'s offset.
    Colon(usize),
    /// Nothing but spaces and a comment: the scalar is a value.
    End,
}

impl Reader<'_> {
    fn byte(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(b'\n')
    }

    /// The offset of the end of the line holding `i` (its `\n`, or the end of the text).
    fn line_end(&self, i: usize) -> usize {
        memchr::memchr(b'\n', &self.b[i.min(self.b.len())..]).map_or(self.b.len(), |n| i + n)
    }

    /// Moves to the start of the next line.
    fn next_line(&mut self, i: usize) {
        self.pos = (self.line_end(i) + 1).min(self.b.len());
    }

    /// Skips lines of nothing but spaces and comments; `pos` stays at a line's start.
    fn skip_blank_lines(&mut self) {
        while self.pos < self.b.len() {
            let mut i = self.pos;
            while self.byte(i) == b' ' {
                i += 1;
            }
            if i < self.b.len() && self.b[i] != b'\n' && self.b[i] != b'#' {
                return;
            }
            self.next_line(i);
        }
    }

    /// The indentation of the line at `pos`, and the offset of its first character.
    fn indent(&self) -> (usize, usize) {
        let mut i = self.pos;
        while self.byte(i) == b' ' {
            i += 1;
        }
        (i - self.pos, i)
    }

    /// After a node: the indentation of the next line that holds something, and the offset of
    /// its first character; `None` at the end of the document.
    fn next_content(&mut self) -> Option<(usize, usize)> {
        self.skip_blank_lines();
        (self.pos < self.b.len()).then(|| self.indent())
    }

    /// Skips spaces on one line; whether a comment or the line's end follows.
    fn spaces(&self, mut i: usize) -> (usize, bool) {
        let start = i;
        while self.byte(i) == b' ' {
            i += 1;
        }
        let c = self.byte(i);
        (i, c == b'\n' || (c == b'#' && i > start))
    }

    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes < self.bounds.nodes).then_some(())
    }

    /// Whether a `-` at `i` opens a sequence entry.
    fn is_entry(&self, i: usize) -> bool {
        self.byte(i) == b'-' && matches!(self.byte(i + 1), b' ' | b'\n')
    }

    /// The node that starts at `at`, in column `col` of its line; `parent` is the indentation
    /// of the collection it belongs to (`None` at the root).
    fn node(&mut self, at: usize, col: usize, parent: Option<usize>, depth: usize) -> Option<Node> {
        if depth + 1 >= self.bounds.depth {
            return None;
        }
        if self.is_entry(at) {
            return self.seq(at, col, false, depth + 1);
        }
        let (scalar, after) = if matches!(self.byte(at), b'[' | b'{') {
            self.flow_node(at, depth + 1)?
        } else {
            self.scalar(at)?
        };
        match after {
            After::Colon(colon) => {
                if !scalar_key(&scalar) {
                    return None;
                }
                self.map(scalar, colon, col, depth + 1)
            }
            After::End => {
                // a scalar ends its node: a more indented line after it would continue it
                self.next_line(at);
                if let Some((next, _)) = self.next_content()
                    && parent.is_none_or(|p| next > p)
                {
                    return None;
                }
                Some(scalar)
            }
        }
    }

    /// A one-line scalar at `at`, and what follows it.
    fn scalar(&mut self, at: usize) -> Option<(Node, After)> {
        let (node, end) = match self.byte(at) {
            b'"' => self.double(at)?,
            b'\'' => self.single(at)?,
            _ => self.plain(at)?,
        };
        self.scalar_bytes += node.span.end - node.span.start;
        if self.scalar_bytes >= self.bounds.scalar_bytes {
            return None;
        }
        self.count()?;
        let (i, done) = self.spaces(end);
        if done {
            return Some((node, After::End));
        }
        if self.byte(i) == b':' && matches!(self.byte(i + 1), b' ' | b'\n') {
            // an implicit key is at most 1024 characters
            if node.span.end - node.span.start > 1024 {
                return None;
            }
            return Some((node, After::Colon(i)));
        }
        None
    }

    /// A plain scalar on one line: to `: `, ` #` or the line's end.
    fn plain(&self, at: usize) -> Option<(Node, usize)> {
        let first = self.byte(at);
        let next = self.byte(at + 1);
        match first {
            b'-' | b'?' | b':' if matches!(next, b' ' | b'\n') => return None,
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%'
            | b'@' | b'`' | b'\n' | b' ' => return None,
            _ => {}
        }
        let line = self.line_end(at);
        let mut i = at;
        let mut end = at;
        while i < line {
            match self.b[i] {
                b':' if matches!(self.byte(i + 1), b' ' | b'\n') => break,
                b'#' if self.b[i - 1] == b' ' => break,
                b' ' => {}
                _ => end = i + 1,
            }
            i += 1;
        }
        let text = self.s.get(at..end)?;
        let value = plain(text)?;
        Some((at_value(at, end, value), end))
    }

    /// A double-quoted scalar on one line, with YAML's escapes.
    fn double(&self, at: usize) -> Option<(Node, usize)> {
        let line = self.line_end(at);
        let mut i = at + 1;
        let mut text = String::new();
        loop {
            let q = i + memchr::memchr2(b'"', b'\\', &self.b[i..line])?;
            text.push_str(self.s.get(i..q)?);
            if self.b[q] == b'"' {
                return Some((at_value(at, q + 1, Value::Str(text)), q + 1));
            }
            let (c, len) = escape(&self.b[q + 1..line])?;
            text.push(c);
            i = q + 1 + len;
        }
    }

    /// A single-quoted scalar on one line (`''` is a quote).
    fn single(&self, at: usize) -> Option<(Node, usize)> {
        let line = self.line_end(at);
        let mut i = at + 1;
        let mut text = String::new();
        loop {
            let q = i + memchr::memchr(b'\'', &self.b[i..line])?;
            text.push_str(self.s.get(i..q)?);
            if self.byte(q + 1) == b'\'' {
                text.push('\'');
                i = q + 2;
            } else {
                return Some((at_value(at, q + 1, Value::Str(text)), q + 1));
            }
        }
    }

    /// A flow collection that opens and closes on one line, and what follows it.
    fn flow_node(&mut self, at: usize, depth: usize) -> Option<(Node, After)> {
        let line = self.line_end(at);
        let (node, end) = self.flow(at, line, depth)?;
        match self.spaces(end) {
            (_, true) => Some((node, After::End)),
            // a collection as a key is left to the others
            _ => None,
        }
    }

    /// `[…]` or `{…}` at `at`, ending before `line`; the node and the offset after it.
    fn flow(&mut self, at: usize, line: usize, depth: usize) -> Option<(Node, usize)> {
        if depth + 1 >= self.bounds.depth {
            return None;
        }
        let map = self.byte(at) == b'{';
        let close = if map { b'}' } else { b']' };
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let mut i = self.flow_spaces(at + 1, line)?;
        loop {
            if self.byte(i) == close {
                i += 1;
                break;
            }
            let (item, end) = self.flow_item(i, line, depth)?;
            i = self.flow_spaces(end, line)?;
            if map {
                // `key: value`; a key without a value is left to the others
                if self.byte(i) != b':' || !matches!(self.byte(i + 1), b' ') {
                    return None;
                }
                if !scalar_key(&item) || item.as_str() == Some("<<") {
                    return None;
                }
                i = self.flow_spaces(i + 1, line)?;
                if matches!(self.byte(i), b',' | b'}') {
                    return None;
                }
                let (value, end) = self.flow_item(i, line, depth)?;
                entries.push((item, value));
                i = self.flow_spaces(end, line)?;
            } else {
                items.push(item);
            }
            match self.byte(i) {
                b',' => i = self.flow_spaces(i + 1, line)?,
                c if c == close => {}
                _ => return None,
            }
        }
        if map && repeats(&entries) {
            return None;
        }
        self.count()?;
        let value = if map {
            Value::Map(entries)
        } else {
            Value::Seq(items)
        };
        Some((at_value(at, at + 1, value), i))
    }

    /// Spaces inside a flow collection, on its line (a comment or the line's end there is
    /// left to the others).
    fn flow_spaces(&self, mut i: usize, line: usize) -> Option<usize> {
        while i < line && self.b[i] == b' ' {
            i += 1;
        }
        (i < line && self.b[i] != b'#').then_some(i)
    }

    /// One node inside a flow collection: a scalar or a nested collection.
    fn flow_item(&mut self, at: usize, line: usize, depth: usize) -> Option<(Node, usize)> {
        let (node, end) = match self.byte(at) {
            b'[' | b'{' => return self.flow(at, line, depth + 1),
            b'"' => self.double(at)?,
            b'\'' => self.single(at)?,
            c if b"-?:".contains(&c)
                && matches!(self.byte(at + 1), b' ' | b',' | b'[' | b']' | b'{' | b'}') =>
            {
                return None;
            }
            b',' | b']' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' => {
                return None;
            }
            _ => {
                let mut i = at;
                let mut end = at;
                while i < line {
                    match self.b[i] {
                        b':' if matches!(
                            self.byte(i + 1),
                            b' ' | b',' | b'[' | b']' | b'{' | b'}'
                        ) =>
                        {
                            break;
                        }
                        b',' | b'[' | b']' | b'{' | b'}' => break,
                        b'#' if self.b[i - 1] == b' ' => return None,
                        b' ' => {}
                        _ => end = i + 1,
                    }
                    i += 1;
                }
                let value = plain(self.s.get(at..end)?)?;
                (at_value(at, end, value), end)
            }
        };
        self.scalar_bytes += node.span.end - node.span.start;
        if self.scalar_bytes >= self.bounds.scalar_bytes {
            return None;
        }
        self.count()?;
        Some((node, end))
    }

    /// A literal (`|`) or folded (`>`) block scalar whose indicator is at `at`, inside a
    /// collection in column `parent`. Left to the others: an explicit indentation, a folded
    /// line indented further than the rest, a blank line holding spaces before the text or
    /// past its indentation, `+` without text or at the end of the input.
    fn block_scalar(&mut self, at: usize, parent: usize) -> Option<Node> {
        let literal = self.byte(at) == b'|';
        let mut i = at + 1;
        let chomp = self.byte(i);
        if matches!(chomp, b'-' | b'+') {
            i += 1;
        }
        if self.byte(i).is_ascii_digit() || !self.spaces(i).1 {
            return None;
        }
        self.next_line(i);
        // the text's lines: where each starts after the indentation, where it ends, and the
        // blank lines before it
        let mut lines: Vec<(usize, usize, usize)> = Vec::new();
        let (mut lead, mut blank) = (0, 0);
        let mut indent: Option<usize> = None;
        let end = loop {
            let p = self.pos;
            if p >= self.b.len() {
                break self.b.len();
            }
            let (k, first) = self.indent();
            if self.byte(first) == b'\n' {
                match indent {
                    None if k > 0 => return None,
                    None => lead += 1,
                    Some(n) if k > n => return None,
                    Some(_) => blank += 1,
                }
                self.next_line(first);
                continue;
            }
            let n = *indent.get_or_insert(k);
            if k <= parent || k < n {
                break first;
            }
            if k > n && !literal {
                return None;
            }
            lines.push((p + n, self.line_end(p), blank));
            blank = 0;
            self.next_line(p);
        };
        // `pos` is at the start of the line that ends the scalar, or at the end of the input
        let Some(start) = lines.first().map(|l| l.0) else {
            // an empty scalar at the end of the input is spanned from its indicator: left
            // to the others, as `+` and blank lines are
            if chomp == b'+' || lead > 0 || end >= self.b.len() {
                return None;
            }
            self.count()?;
            return Some(at_value(end, end, Value::Str(String::new())));
        };
        let last = lines.last().map_or(0, |l| l.1);
        if chomp == b'+' && last >= self.b.len() {
            return None;
        }
        let mut text = "\n".repeat(lead);
        for (n, &(a, b, before)) in lines.iter().enumerate() {
            if n > 0 {
                if literal {
                    text.push('\n');
                    (0..before).for_each(|_| text.push('\n'));
                } else if before == 0 {
                    text.push(' ');
                } else {
                    (0..before).for_each(|_| text.push('\n'));
                }
            }
            text.push_str(self.s.get(a..b)?);
        }
        match chomp {
            b'-' => {}
            b'+' => (0..=blank).for_each(|_| text.push('\n')),
            _ => text.push('\n'),
        }
        self.scalar_bytes += text.len();
        if self.scalar_bytes >= self.bounds.scalar_bytes {
            return None;
        }
        self.count()?;
        Some(at_value(start, end, Value::Str(text)))
    }

    /// A block mapping whose first key (already read) is in column `col`.
    fn map(&mut self, first: Node, colon: usize, col: usize, depth: usize) -> Option<Node> {
        let start = first.span.start;
        let mut entries: Vec<(Node, Node)> = Vec::new();
        let (mut key, mut colon) = (first, colon);
        loop {
            if key.as_str() == Some("<<") {
                return None;
            }
            let value = self.value(colon, col, depth)?;
            entries.push((key, value));
            let Some((next, at)) = self.next_content() else {
                break;
            };
            if next < col {
                break;
            }
            if next > col || self.is_entry(at) {
                return None;
            }
            match self.scalar(at)? {
                (k, After::Colon(c)) => (key, colon) = (k, c),
                (_, After::End) => return None,
            }
        }
        if repeats(&entries) {
            return None;
        }
        self.count()?;
        Some(at_value(start, start, Value::Map(entries)))
    }

    /// The value of the key whose `:` is at `colon`, in a mapping in column `col`.
    fn value(&mut self, colon: usize, col: usize, depth: usize) -> Option<Node> {
        let (i, done) = self.spaces(colon + 1);
        if !done {
            return match self.byte(i) {
                // block scalars, flow collections, anchors, aliases, tags, complex keys
                b'|' | b'>' => self.block_scalar(i, col),
                b'&' | b'*' | b'!' | b'?' => None,
                _ if self.is_entry(i) => None,
                _ => match if matches!(self.byte(i), b'[' | b'{') {
                    self.flow_node(i, depth + 1)?
                } else {
                    self.scalar(i)?
                } {
                    (v, After::End) => {
                        self.next_line(i);
                        if self.next_content().is_some_and(|(next, _)| next > col) {
                            return None;
                        }
                        Some(v)
                    }
                    // `a: b: c`
                    (_, After::Colon(_)) => None,
                },
            };
        }
        self.next_line(colon);
        match self.next_content() {
            Some((next, at)) if next > col => self.node(at, next, Some(col), depth),
            Some((next, at)) if next == col && self.is_entry(at) => {
                self.seq(at, col, true, depth + 1)
            }
            _ => {
                self.count()?;
                Some(at_value(colon, colon, Value::Null))
            }
        }
    }

    /// A block sequence whose first `-` is at `at`, in column `col`; `indentless` when it is a
    /// mapping's value at the mapping's own indentation.
    fn seq(&mut self, first: usize, col: usize, indentless: bool, depth: usize) -> Option<Node> {
        if depth + 1 >= self.bounds.depth {
            return None;
        }
        let mut items = Vec::new();
        let mut at = first;
        let mut start = first;
        loop {
            let (i, done) = self.spaces(at + 1);
            let item = if done {
                if indentless && items.is_empty() {
                    return None;
                }
                // an empty entry is at the end of its line, after any comment
                let empty = self.line_end(i);
                self.next_line(at);
                match self.next_content() {
                    Some((next, inner)) if next > col => {
                        self.node(inner, next, Some(col), depth)?
                    }
                    _ => {
                        self.count()?;
                        at_value(empty, empty, Value::Null)
                    }
                }
            } else {
                if indentless && items.is_empty() {
                    start = i;
                }
                match self.byte(i) {
                    b'|' | b'>' => self.block_scalar(i, col)?,
                    b'&' | b'*' | b'!' | b'?' => return None,
                    _ => {
                        let line_start = at - col;
                        self.node(i, i - line_start, Some(col), depth)?
                    }
                }
            };
            items.push(item);
            let Some((next, next_at)) = self.next_content() else {
                break;
            };
            if next < col {
                break;
            }
            if next > col {
                return None;
            }
            if !self.is_entry(next_at) {
                if indentless {
                    break;
                }
                return None;
            }
            at = next_at;
        }
        self.count()?;
        Some(at_value(start, start, Value::Seq(items)))
    }
}

/// The character a double-quoted escape stands for (the bytes after the `\\`), and how many
/// bytes it takes; `None` for an escape YAML does not have or one that names no character.
fn escape(b: &[u8]) -> Option<(char, usize)> {
    let c = match *b.first()? {
        b'0' => '\0',
        b'a' => '\u{7}',
        b'b' => '\u{8}',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\u{b}',
        b'f' => '\u{c}',
        b'r' => '\r',
        b'e' => '\u{1b}',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        x @ (b'x' | b'u' | b'U') => {
            let n = match x {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = std::str::from_utf8(b.get(1..=n)?).ok()?;
            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                return None;
            }
            return Some((char::from_u32(u32::from_str_radix(hex, 16).ok()?)?, n + 1));
        }
        _ => return None,
    };
    Some((c, 1))
}

/// Whether a node can be a key here: a scalar (a collection as a key is left to the others).
fn scalar_key(node: &Node) -> bool {
    !matches!(node.value, Value::Map(_) | Value::Seq(_))
}

fn at_value(start: usize, end: usize, value: Value) -> Node {
    Node {
        span: ByteSpan::new(start, end),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{lean, yaml};

    /// The block tree is the lean path's tree, or there is none.
    fn same(src: &str) -> bool {
        let block = super::parse(src, &yaml::BOUNDS);
        let lean = lean::parse(src, &yaml::BOUNDS);
        match (block, lean) {
            (Some(b), Some(l)) => {
                assert_eq!(b, l, "block and lean differ on {src:?}");
                true
            }
            (Some(b), None) => {
                let full = yaml::parse_full(src);
                assert_eq!(Ok(&b), full.as_ref().map_err(|_| ()), "on {src:?}");
                true
            }
            (None, _) => false,
        }
    }

    #[test]
    fn block_documents_take_the_block_path() {
        for src in [
            "a: 1\nb:\n  c: x y \n  d: 'q'\n",
            "- a\n- b: c\n  d: \"e\"\n",
            "a:\n- 1\n- 2\nb: \nc: d # x\n",
            "  a: 1\n",
            "a:\n  - 1\n  - x: 2\n",
            "- - a\n  - b\n",
            "-\n  a\n",
            "- \n- x\n",
            "a:\n  - # c\n",
            "- # c\n- x\n",
            "a:\nb:   \n",
            "a:",
            "- ",
            "a: # c\n  b: 1\n",
            "a:\n\n  b: 1\n",
            "k:\n  - a\n  -\n",
            "a:\n  v\n",
            "\"q k\": 1\n's': 2\n",
            "a: 'it''s'\n",
            "a: b#c\n",
            "x",
            "services:\n  kafka:\n    image: apache/kafka:3.7.0\n    ports:\n      - \"9092:9092\"\n",
            "on: yes\noff: NO\nnothing: ~\nempty:\n",
            "v: 3.7.0\nw: 9092:9092\nx: 30d\ny: 1.5\nz: -0.25\nq: 512Mi\nr: ./certs/ca.crt\n",
            "- a:\n  - x\n  b: 1\n- c\n",
            "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
            "# head\na: 1 # one\n# mid\n\nb: 2\n",
            "a: é\nb: x:y\nc: http://h:1/p\n",
            "a: [1, b]\n",
            "a: {}\nb: []\n",
            "a: [x, {y: z}]\n",
            "- {a: 1}\n- [b]\n",
            "r: { cpu: 100m, memory: 256Mi }\nl: { cpu: \"1\" }\n",
            "d: [broker, 'x', \"9092:9092\", 9092:9092,]\n",
            "[a, b]\n",
            "a: [] # c\n",
            "k: |\n  t\n\nz: 1\n",
            "a:\n  k: |\n    t\n  z: 1\n",
            "k: |\n  t\n# c\nz: 1\n",
            "k: |\n\n  t\n",
            "k: |\nz: 1\n",
            "k: |-\n  t\n   u\n\n  v\n\n\n",
            "k: >\n  a\n  b\n\n  c\n  d\n",
            "k: |+\n  t\n\n",
            "- |\n  x\n- >-\n  y\n  z\n",
            "k: |\n  t\n  ",
            "k: | # c\n  t",
            "k: >\n\n  a\n",
            "a: \"x\\ty\\n\\\"q\\\" \\\\ \\x41\\u00e9\\U0001F600\\/\\_\"\n",
        ] {
            assert!(same(src), "{src:?} fell back");
        }
    }

    #[test]
    fn what_it_leaves_to_the_others() {
        for src in [
            "a: x\n  y\n",
            "a: [1, b\n",
            "a: {x}\n",
            "a: [x] y\n",
            "[a]: b\n",
            "k: >\n  a\n   b\n  c\n",
            "k: |2\n   t\n",
            "a: \"x\\qy\"\n",
            "a: \"\\uD800\"\n",
            "a: \"x\\\n",
            "k: |+\n  t",
            "- >",
            "k: |\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: 1\na: 2\n",
            "<<: {a: 1}\n",
            "? a\n: b\n",
            "a:\tb\n",
            "a: 1\r\n",
            "a: b: c\n",
            "a: 1\n- b\n",
            "- a\nb: 1\n",
            "a: 0x1F\n",
            "# only\n",
            "",
            "x\ny\n",
            "a: 'open\n",
        ] {
            assert!(!same(src), "{src:?} took the block path");
        }
    }
}
