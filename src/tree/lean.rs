//! The lean YAML path: a spanned tree built straight from granit-parser's events, for the
//! documents that need nothing but plain YAML (what nearly every deployment file is).
//!
//! serde-saphyr reads the same events through serde's visitor layer, which costs several
//! times the scanning itself. This path builds [`Node`]s directly, and gives up — returning
//! `None`, so that the caller parses the document with serde-saphyr — on everything whose
//! meaning it would have to re-implement: anchors, aliases, tags, merge keys, complex keys,
//! repeated keys, any plain scalar whose type is not plainly a string, a null, a boolean or a
//! small decimal integer, a parse error, and any budget. So the tree is serde-saphyr's tree
//! or there is none; `fuzz/fuzz_targets/lean.rs` and the tests below hold that.

use granit_parser::{Event, Parser, ScalarStyle, Span};

use super::yaml::{Node, Value};
use crate::source::span::ByteSpan;

/// The bounds of [`super::yaml`]'s budgets that this path enforces itself (anything at or past
/// them is left to serde-saphyr, which reports them in words).
pub(crate) struct Bounds {
    pub depth: usize,
    pub nodes: usize,
    pub scalar_bytes: usize,
}

enum Frame {
    Seq(ByteSpan, Vec<Node>),
    Map(ByteSpan, Vec<(Node, Node)>, Option<Node>),
}

fn byte_span(s: &Span) -> Option<ByteSpan> {
    Some(ByteSpan::new(s.start.byte_offset()?, s.end.byte_offset()?))
}

/// The type serde-saphyr gives a plain scalar when asked for any value, where it is plain to
/// see; `None` for spellings whose reading takes its number grammar (floats, radixes, signs,
/// leading zeros, underscores, infinities), which are left to it.
pub(crate) fn plain(text: &str) -> Option<Value> {
    let b = text.as_bytes();
    let Some(&first) = b.first() else {
        return Some(Value::Null);
    };
    // serde-saphyr trims YAML white space before it reads a number or a boolean
    if matches!(first, b' ' | b'\t') || matches!(b[b.len() - 1], b' ' | b'\t') {
        return None;
    }
    match text {
        "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        _ => {}
    }
    if b.len() <= 5 {
        // YAML 1.1 booleans, as serde-saphyr reads them by default (any case)
        let lower = text.to_ascii_lowercase();
        match lower.as_str() {
            "true" | "yes" | "y" | "on" => return Some(Value::Bool(true)),
            "false" | "no" | "n" | "off" => return Some(Value::Bool(false)),
            _ => {}
        }
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let d = digits.as_bytes();
    if !d.is_empty() && d.iter().all(u8::is_ascii_digit) {
        // a small decimal integer without a redundant leading zero
        if d.len() > 18 || (d.len() > 1 && d[0] == b'0') {
            return None;
        }
        return text.parse::<i64>().ok().map(Value::Int);
    }
    if matches!(first, b'0'..=b'9' | b'+' | b'-' | b'.') {
        return numberish(text);
    }
    Some(Value::Str(text.to_owned()))
}

/// A plain scalar that starts like a number: a plain decimal fraction is a float; text no
/// number spelling can hold (a letter outside exponents, `inf` and `nan`, a second dot, a `:`,
/// a `/`, …) is a string, as in image tags, ports, versions and durations; the rest (radixes,
/// exponents, signs, infinities) is left to serde-saphyr.
fn numberish(text: &str) -> Option<Value> {
    let b = text.as_bytes();
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text).as_bytes();
    if let [b'0', b'x' | b'X' | b'o' | b'O' | b'b' | b'B', ..] = unsigned {
        return None;
    }
    let mut dots = 0;
    let mut foreign = false;
    for &c in b {
        match c {
            b'.' => dots += 1,
            b'0'..=b'9' | b'+' | b'-' | b'_' => {}
            b'e' | b'E' | b'i' | b'I' | b'n' | b'N' | b'f' | b'F' | b'a' | b'A' | b't' | b'T'
            | b'y' | b'Y' => {}
            _ => foreign = true,
        }
    }
    // no digit and no letter (`.` as a build context): no number spelling at all
    if foreign || dots > 1 || !b.iter().any(u8::is_ascii_alphanumeric) {
        return Some(Value::Str(text.to_owned()));
    }
    // -?digits.digits: what Rust's float reading and serde-saphyr's agree on
    let d = text.strip_prefix('-').unwrap_or(text);
    if let Some((int, frac)) = d.split_once('.')
        && !int.is_empty()
        && !frac.is_empty()
        && int.len() + frac.len() <= 15
        && int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit())
    {
        return text.parse::<f64>().ok().map(Value::Float);
    }
    None
}

fn scalar(text: std::borrow::Cow<'_, str>, style: ScalarStyle) -> Option<Value> {
    match style {
        ScalarStyle::Plain => plain(&text),
        _ => Some(Value::Str(text.into_owned())),
    }
}

/// Repeated keys in one mapping (serde-saphyr's policy for them is left to it).
pub(crate) fn repeats(entries: &[(Node, Node)]) -> bool {
    if entries.len() < 2 {
        return false;
    }
    if entries.len() <= 12 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (k, _))| entries[..i].iter().any(|(o, _)| o.value == k.value));
    }
    let mut keys: Vec<String> = entries
        .iter()
        .map(|(k, _)| match &k.value {
            Value::Str(s) => format!("s{s}"),
            other => format!("{other:?}"),
        })
        .collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

/// Parses one YAML document (a piece split by [`super::yaml`]) into a tree, or `None` when
/// serde-saphyr must read it.
pub(crate) fn parse(piece: &str, bounds: &Bounds) -> Option<Node> {
    let options = granit_parser::options! {
        emit_comments: false,
        block_nesting_limit: 256,
    };
    let mut parser = Parser::new_from_str_with_options(piece, options);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    let mut nodes = 0usize;
    let mut scalar_bytes = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.ok()?;
        let node = match event {
            Event::StreamStart | Event::DocumentEnd => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
                continue;
            }
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                scalar_bytes += text.len();
                if scalar_bytes >= bounds.scalar_bytes {
                    return None;
                }
                let merge = style == ScalarStyle::Plain && text == "<<";
                let value = scalar(text, style)?;
                if merge && matches!(stack.last(), Some(Frame::Map(_, _, None))) {
                    return None;
                }
                Node {
                    span: byte_span(&span)?,
                    value,
                }
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                // a collection as a key is left to serde-saphyr
                if matches!(stack.last(), Some(Frame::Map(_, _, None))) {
                    return None;
                }
                if stack.len() + 1 >= bounds.depth {
                    return None;
                }
                let at = byte_span(&span)?;
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(at, Vec::new())
                } else {
                    Frame::Map(at, Vec::new(), None)
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop()? {
                Frame::Seq(at, items) => Node {
                    span: at,
                    value: Value::Seq(items),
                },
                Frame::Map(..) => return None,
            },
            Event::MappingEnd => match stack.pop()? {
                Frame::Map(at, entries, None) => {
                    if repeats(&entries) {
                        return None;
                    }
                    Node {
                        span: at,
                        value: Value::Map(entries),
                    }
                }
                _ => return None,
            },
            // anchors, aliases, and anything a later parser version adds
            _ => return None,
        };
        nodes += 1;
        if nodes >= bounds.nodes {
            return None;
        }
        match stack.last_mut() {
            None => {
                if root.is_some() {
                    return None;
                }
                root = Some(node);
            }
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
    if !stack.is_empty() {
        return None;
    }
    root
}

#[cfg(test)]
mod tests {
    use super::super::yaml;

    /// The lean tree is serde-saphyr's tree, or there is none.
    fn same(src: &str) -> bool {
        let lean = super::parse(src, &yaml::BOUNDS);
        let full = yaml::parse_full(src);
        match (lean, full) {
            (Some(l), Ok(f)) => {
                assert_eq!(l, f, "lean and serde-saphyr differ on {src:?}");
                true
            }
            (Some(l), Err(e)) => panic!("lean read {src:?} as {l:?}; serde-saphyr: {e:?}"),
            (None, _) => false,
        }
    }

    #[test]
    fn plain_documents_take_the_lean_path() {
        for src in [
            "a: 1\nb: [x, y]\nc: {d: e}\n",
            "services:\n  kafka:\n    image: apache/kafka:3.7.0\n    ports:\n      - \"9092:9092\"\n",
            "- a\n- b: c\n  d: -12\n",
            "key: |\n  text\n  more\nother: >\n  folded\n",
            "on: yes\noff: NO\nnothing: ~\nempty:\n",
            "\"quoted\": 'single'\n",
            "{\"json\": [1, 2, {\"a\": null}], \"b\": true}",
            "plain",
            "v: 3.7.0\nw: 9092:9092\nx: 30d\ny: 1.5\nz: -0.25\nq: 512Mi\nr: ./certs/ca.crt\n",
            "build: .\nb: ..\nc: -.\nd: +\n",
        ] {
            assert!(same(src), "{src:?} fell back");
        }
    }

    #[test]
    fn what_it_leaves_to_serde_saphyr() {
        for src in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "base: &b {x: 1}\nc:\n  <<: *b\n",
            "a: 1\na: 2\n",
            "? [a]\n: b\n",
            "a: 0x1F\n",
            "a: 0777\n",
            "a: 1e3\n",
            "a: 12f\n",
            "a: +1\n",
            "a: .inf\n",
            "a: 1_000\n",
            "a: [\n",
            "a: 99999999999999999999\n",
        ] {
            assert!(!same(src), "{src:?} took the lean path");
        }
    }
}

/// Compares the block and lean paths with serde-saphyr on every document of every YAML and JSON file
/// under `BUSFIT_LEAN_CORPUS` (a real repository): `cargo test --release --lib lean_corpus --
/// --ignored --nocapture`. Prints how many documents took each path; fails on a difference.
#[cfg(test)]
#[test]
#[ignore = "needs a corpus: BUSFIT_LEAN_CORPUS=DIR"]
fn lean_corpus() {
    use super::yaml;
    let Ok(dir) = std::env::var("BUSFIT_LEAN_CORPUS") else {
        return;
    };
    let (mut lean, mut fell, mut differ) = (0, 0, 0);
    let mut block = 0;
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    for e in ignore::WalkBuilder::new(dir)
        .hidden(false)
        .ignore(false)
        .git_ignore(false)
        .build()
        .flatten()
    {
        let p = e.path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if !matches!(ext, "yaml" | "yml" | "json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        for (a, b) in yaml::documents(&text) {
            let piece = &text[a..b];
            if let Some(t) = super::block::parse(piece, &yaml::BOUNDS) {
                if yaml::parse_full(piece).ok().as_ref() == Some(&t) {
                    block += 1;
                } else {
                    differ += 1;
                    eprintln!("BLOCK DIFFERS {} @{a}", p.display());
                }
            } else if std::env::var_os("BUSFIT_BLOCK_MISSES").is_some() {
                eprintln!("MISS {} @{a}", p.display());
            }
            match (parse(piece, &yaml::BOUNDS), yaml::parse_full(piece)) {
                (Some(l), Ok(f)) if l == f => lean += 1,
                (Some(_), _) => {
                    differ += 1;
                    eprintln!("DIFFER {} @{a}", p.display());
                }
                (None, _) => {
                    fell += 1;
                    *reasons.entry(why(piece)).or_default() += 1;
                }
            }
        }
    }
    eprintln!("block {block}, lean {lean}, fallback {fell}, differ {differ}");
    for (r, n) in reasons.iter().filter(|(_, n)| **n > 2) {
        eprintln!("  {n:6} {r}");
    }
    assert_eq!(differ, 0);
}

/// The first event that sends a document to serde-saphyr, in words (for `lean_corpus`).
#[cfg(test)]
fn why(piece: &str) -> String {
    let mut parser =
        Parser::new_from_str_with_options(piece, granit_parser::options! { emit_comments: false });
    while let Some(next) = parser.next_event() {
        match next {
            Err(_) => return "parse error".into(),
            Ok((Event::Scalar(t, ScalarStyle::Plain, 0, None), _)) if plain(&t).is_none() => {
                let shape: String = t
                    .chars()
                    .take(12)
                    .map(|c| if c.is_ascii_digit() { '9' } else { c })
                    .collect();
                return format!("plain {shape}");
            }
            Ok((Event::Scalar(_, _, a, t), _)) if a != 0 || t.is_some() => {
                return "scalar anchor/tag".into();
            }
            Ok((Event::MappingStart(_, a, t) | Event::SequenceStart(_, a, t), _))
                if a != 0 || t.is_some() =>
            {
                return "collection anchor/tag".into();
            }
            Ok((Event::Alias(_), _)) => return "alias".into(),
            _ => {}
        }
    }
    "other (repeat, merge, complex key)".into()
}
