//! A spanned YAML tree built on serde-saphyr.
//!
//! Every node keeps the byte range it was read from. Budgets bound the work
//! per document (alias expansion, depth, node count, scalar bytes), so hostile
//! input ends as an error instead of a hang.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;

use crate::source::span::ByteSpan;

/// One YAML node with its byte range in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: ByteSpan,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// Looks up a key of a mapping by its string form.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// The scalar rendered as text (numbers and booleans included).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => Some(String::new()),
            _ => None,
        }
    }

    /// A short word for the kind of node, for diagnostics.
    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            out.push(n);
        }
        Ok(Value::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Node>()? {
            let v = map.next_value::<Node>()?;
            out.push((k, v));
        }
        Ok(Value::Map(out))
    }
}

struct RawValue(Value);

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor).map(RawValue)
    }
}

fn byte_span(loc: &Location) -> ByteSpan {
    let s = loc.span();
    match (s.byte_offset(), s.byte_len()) {
        (Some(o), Some(l)) => ByteSpan::new(o as usize, (o + l) as usize),
        _ => ByteSpan::new(0, 0),
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Spanned<RawValue> = Spanned::deserialize(d)?;
        let span = byte_span(&s.referenced);
        Ok(Node {
            span,
            value: s.value.0,
        })
    }
}

/// Why a YAML document could not be read.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub message: String,
    pub span: ByteSpan,
    /// Whether a safety budget was breached (valid YAML set aside), not a syntax error.
    pub budget: bool,
}

/// Budgets per document (a stream is split into its documents first, so a file of 50,000
/// small Kubernetes objects is read): a document that needs more is hostile or generated, and
/// is reported in a sentence that names the budget and its figure.
const MAX_DEPTH: usize = 128;
const MAX_NODES: usize = 1_000_000;
const MAX_EVENTS: usize = 2_000_000;
const MAX_ALIASES: usize = 10_000;
const MAX_ANCHORS: usize = 10_000;
const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;
const MAX_REPLAYED_EVENTS: usize = 100_000;

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_events = MAX_EVENTS;
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ANCHORS;
    budget.max_recorded_anchor_events = MAX_REPLAYED_EVENTS;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = MAX_SCALAR_BYTES;
    // what an alias expands to is bounded (replayed events, expansions per anchor, recorded
    // anchor events), so how many aliases name one anchor is not: a compose file that writes
    // `restart: *default` on a hundred services is ordinary, not a bomb
    budget.enforce_alias_anchor_ratio = false;
    let mut o = serde_saphyr::Options::default();
    o.budget = Some(budget);
    // an alias bomb is stopped after 100k replayed events, not after filling memory
    let mut alias = serde_saphyr::options::AliasLimits::default();
    alias.max_total_replayed_events = MAX_REPLAYED_EVENTS;
    alias.max_alias_expansions_per_anchor = 1_000;
    o.alias_limits = alias;
    o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    o.with_snippet = false;
    o
}

/// How every budget sentence starts.
const BUDGET_PREFIX: &str = "this YAML document ";

/// A breached budget in words: which budget, its figure, and why it is there.
fn budget_sentence(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    let (what, limit) = match breach {
        B::Depth { .. } => ("nests deeper than", format!("{MAX_DEPTH} levels")),
        B::Nodes { .. } => ("holds more than", format!("{MAX_NODES} values")),
        B::Events { .. } => ("holds more than", format!("{MAX_EVENTS} parser events")),
        B::Aliases { .. } => ("uses more than", format!("{MAX_ALIASES} aliases")),
        B::Anchors { .. } => ("defines more than", format!("{MAX_ANCHORS} anchors")),
        B::ScalarBytes { .. } => (
            "holds more than",
            format!(
                "{} MiB of text in its values",
                MAX_SCALAR_BYTES / (1024 * 1024)
            ),
        ),
        B::RecordedAnchorEvents { .. } | B::RecordedAnchorBytes { .. } => (
            "keeps more than",
            format!("{MAX_REPLAYED_EVENTS} values inside its anchors"),
        ),
        B::MergeKeys { .. } => ("uses more merge keys (`<<`) than", "its budget".to_owned()),
        B::Documents { .. } => ("holds more documents than", "its budget".to_owned()),
        B::InputBytes { .. } => ("is larger than", "its budget".to_owned()),
        B::InclusionDepth { .. } | B::PropertyExpansionDepth { .. } => {
            ("nests its inclusions deeper than", "its budget".to_owned())
        }
        B::PropertyInterpolationWork { .. } => (
            "needs more interpolation work than",
            "its budget".to_owned(),
        ),
        B::SequenceUnbalanced => (
            "ends a sequence it never began, beyond",
            "what busfit reads".to_owned(),
        ),
        _ => (
            "expands its aliases beyond",
            format!("{MAX_REPLAYED_EVENTS} values"),
        ),
    };
    format!(
        "{BUDGET_PREFIX}{what} {limit}, busfit's safety budget per document against alias \
         bombs and generated input; the budget is fixed, so split the document or exclude the \
         file (settings.exclude in busfit.yaml)"
    )
}

fn convert_error(src: &str, e: &serde_saphyr::Error) -> YamlError {
    let span = e
        .location()
        .map(|l| {
            let b = byte_span(&l);
            if b.end > b.start || l.line() == 0 {
                b
            } else {
                // no byte info: fall back on line/column
                let off =
                    crate::source::span::offset_of(src, l.line() as usize, l.column() as usize);
                ByteSpan::new(off, off)
            }
        })
        .unwrap_or(ByteSpan::new(0, 0));
    let budget = matches!(e, serde_saphyr::Error::Budget { .. });
    let mut message = match e {
        serde_saphyr::Error::Budget { breach, .. } => budget_sentence(breach),
        other => other.to_string(),
    };
    if let Some(first) = message.lines().next() {
        message = first.to_owned();
    }
    YamlError {
        message: without_positions(&message),
        span,
        budget,
    }
}

/// The parser's message without the line and column it writes into it: those count from the
/// start of the document parsed (one of many in a stream), and the finding's own position,
/// from the span, is the file's.
fn without_positions(message: &str) -> String {
    // `line 3 column 1: …` in front, `… at line 6, column 15` inside
    let mut m = message.trim_start_matches("error: ");
    if let Some(rest) = m.strip_prefix("line ")
        && let Some((pos, after)) = rest.split_once(": ")
        && pos
            .split(|c: char| !c.is_ascii_digit())
            .filter(|w| !w.is_empty())
            .count()
            == 2
        && pos
            .replace(" column ", "")
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        m = after;
    }
    let mut out = String::with_capacity(m.len());
    let mut rest = m;
    while let Some(i) = rest.find(" at line ") {
        let tail = &rest[i + " at line ".len()..];
        let digits = |t: &str| t.chars().take_while(char::is_ascii_digit).count();
        let n = digits(tail);
        let after_line = &tail[n..];
        let skip = if n > 0
            && let Some(c) = after_line.strip_prefix(", column ")
        {
            let k = digits(c);
            (k > 0).then(|| " at line ".len() + n + ", column ".len() + k)
        } else {
            None
        };
        match skip {
            Some(len) => {
                out.push_str(&rest[..i]);
                rest = &rest[i + len..];
            }
            None => {
                out.push_str(&rest[..i + 1]);
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The budgets the lean path enforces itself: anything at or past them goes to serde-saphyr,
/// which reports the breach.
pub(crate) const BOUNDS: super::lean::Bounds = super::lean::Bounds {
    depth: MAX_DEPTH,
    nodes: MAX_NODES,
    scalar_bytes: MAX_SCALAR_BYTES,
};

/// One document through serde-saphyr alone (the lean path's reference).
pub fn parse_full(src: &str) -> Result<Node, YamlError> {
    serde_saphyr::from_str_with_options::<Node>(src, options()).map_err(|e| convert_error(src, &e))
}

/// One document through the lean path alone (`None`: it leaves the document to serde-saphyr).
#[must_use]
pub fn lean_only(src: &str) -> Option<Node> {
    super::lean::parse(src, &BOUNDS)
}

/// One document through the block path alone (`None`: it leaves the document to the others).
#[must_use]
pub fn block_only(src: &str) -> Option<Node> {
    super::block::parse(src, &BOUNDS)
}

/// One document: the block path when it can read it, else the lean path, else serde-saphyr.
fn parse_one(src: &str) -> Result<Node, YamlError> {
    if let Some(n) = super::block::parse(src, &BOUNDS) {
        return Ok(n);
    }
    match super::lean::parse(src, &BOUNDS) {
        Some(n) => Ok(n),
        None => parse_full(src),
    }
}

/// Parses a single YAML document (an empty document is `Null`).
pub fn parse(src: &str) -> Result<Node, YamlError> {
    if src.trim().is_empty() {
        return Ok(Node {
            span: ByteSpan::new(0, 0),
            value: Value::Null,
        });
    }
    parse_one(src)
}

/// The byte ranges of the documents of a YAML stream: split at `---` and `...` lines, which
/// end any block (YAML 1.2 §9.1), so every document is parsed with its own budgets.
pub fn documents(src: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let marker = |m: &str| {
            line.strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
        };
        if marker("---") {
            out.push((start, offset));
            start = offset + 3; // what follows `---` on its line belongs to the next document
        } else if marker("...") {
            out.push((start, offset));
            start = offset + line.len();
        }
        offset += line.len();
    }
    out.push((start, src.len()));
    // a piece of nothing but blank lines, comments and directives holds no document
    out.retain(|&(a, b)| {
        src.get(a..b).is_some_and(|t| {
            t.lines().any(|l| {
                let l = l.trim();
                !(l.is_empty() || l.starts_with('#') || l.starts_with('%'))
            })
        })
    });
    out
}

fn shift(node: &mut Node, by: usize) {
    node.span = ByteSpan::new(node.span.start + by, node.span.end + by);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, by)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            shift(k, by);
            shift(v, by);
        }),
        _ => {}
    }
}

/// Parses every document of a YAML stream, each with its own budgets; spans are the file's.
pub fn parse_multi(src: &str) -> Result<Vec<Node>, YamlError> {
    parse_multi_where(src, |_| true)
}

/// Parses the documents of a YAML stream that `worth` keeps (all of a one-document file):
/// a document left out is neither parsed nor in the result.
pub fn parse_multi_where(src: &str, worth: impl Fn(&str) -> bool) -> Result<Vec<Node>, YamlError> {
    let mut out = Vec::new();
    let pieces = documents(src);
    let several = pieces.len() > 1;
    for (a, b) in pieces {
        let Some(piece) = src.get(a..b) else { continue };
        if several && !worth(piece) {
            continue;
        }
        match parse_one(piece) {
            Ok(mut n) => {
                shift(&mut n, a);
                out.push(n);
            }
            Err(mut err) => {
                err.span = ByteSpan::new(err.span.start + a, err.span.end + a);
                return Err(err);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod position_tests {
    use super::without_positions;

    #[test]
    fn positions_inside_a_document_are_dropped() {
        assert_eq!(
            without_positions("mismatched bracket '[' closed by '}' at line 6, column 15"),
            "mismatched bracket '[' closed by '}'"
        );
        assert_eq!(
            without_positions("error: line 3 column 1: did not find expected key"),
            "did not find expected key"
        );
        assert_eq!(without_positions("at line end"), "at line end");
    }
}
