//! The condition language of rules: comparisons of requirements (`req.*`),
//! bus profile figures (`bus.*`) and derived values (`derived.*`).
//!
//! ```text
//! req.latency < bus.latency.floor
//! 'browser' in req.clients and not bus.protocol.browser
//! missing(req.security, bus.security.features)
//! req.throughput * req.message_size * req.retention > req.broker_memory
//! ```
//!
//! Evaluation uses three-valued logic: a comparison with a value that is not
//! there is unknown, and a rule fires only when its condition is true.

use crate::lang::quantity::{self, Dim, Quantity};
use std::fmt;

/// An ordered scale of words (`at-most-once < at-least-once < exactly-once`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub name: &'static str,
    pub levels: &'static [&'static str],
}

pub const DELIVERY: Scale = Scale {
    name: "delivery",
    levels: &["at-most-once", "at-least-once", "exactly-once"],
};
pub const COMPLEXITY: Scale = Scale {
    name: "complexity",
    levels: &["low", "medium", "high"],
};
pub const ORDERING: Scale = Scale {
    name: "ordering",
    levels: &["none", "per-key", "global"],
};
pub const SCALES: [Scale; 3] = [DELIVERY, COMPLEXITY, ORDERING];

/// A value that conditions compute with.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Val {
    Bool(bool),
    Qty(Quantity),
    Range(Quantity, Quantity),
    Str(String),
    Set(Vec<String>),
}

impl Val {
    /// A profile or literal scalar: a quantity or range where it reads as one, else a word.
    pub fn from_text(s: &str) -> Val {
        if let Some((a, b)) = s.split_once("..")
            && let (Some(lo), Some(hi)) = (quantity::parse_any(a), quantity::parse_any(b))
            && lo.dim.compatible(hi.dim)
        {
            return Val::Range(lo, hi);
        }
        match quantity::parse_any(s) {
            Some(q) => Val::Qty(q),
            None => Val::Str(s.to_owned()),
        }
    }

    fn truth(&self) -> Option<bool> {
        Some(match self {
            Val::Bool(b) => *b,
            Val::Set(s) => !s.is_empty(),
            Val::Qty(q) => q.value != 0.0,
            Val::Str(s) => !s.is_empty(),
            Val::Range(..) => true,
        })
    }

    fn words(&self) -> Option<Vec<String>> {
        match self {
            Val::Set(s) => Some(s.clone()),
            Val::Str(s) => Some(vec![s.clone()]),
            _ => None,
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Bool(b) => write!(f, "{b}"),
            Val::Qty(q) => write!(f, "{q}"),
            Val::Range(a, b) => write!(f, "{a}..{b}"),
            Val::Str(s) => f.write_str(s),
            Val::Set(s) => f.write_str(&s.join(", ")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    In,
    NotIn,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Expr {
    Path(Vec<String>),
    Lit(Val),
    List(Vec<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    Mul(Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

/// A syntax error at a byte offset of the expression text.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
}

pub const FUNCTIONS: [&str; 13] = [
    "missing",
    "shortfall",
    "concat",
    "has",
    "len",
    "contains",
    "if",
    "protocols",
    "headroom",
    "standing",
    "bytes",
    "figure",
    "items",
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Lit(String),
    Str(String),
    Op(&'static str),
}

fn tokenize(src: &str) -> Result<Vec<(Tok, usize, usize)>, ExprError> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let two = src.get(i..i + 2).unwrap_or("");
        if let Some(op) = ["<=", ">=", "==", "!="].into_iter().find(|o| *o == two) {
            out.push((Tok::Op(op), start, 2));
            i += 2;
            continue;
        }
        if let Some(op) = ["<", ">", "(", ")", "[", "]", ",", "*"]
            .into_iter()
            .find(|o| o.as_bytes()[0] == c)
        {
            out.push((Tok::Op(op), start, 1));
            i += 1;
            continue;
        }
        if c == b'\'' || c == b'"' {
            let Some(end) = src[i + 1..].find(c as char) else {
                return Err(ExprError {
                    offset: start,
                    len: src.len() - start,
                    message: "unterminated string".into(),
                });
            };
            out.push((Tok::Str(src[i + 1..i + 1 + end].to_owned()), start, end + 2));
            i += end + 2;
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len() && !b[i].is_ascii_whitespace() && !b"()[],*<>=!".contains(&b[i]) {
                i += 1;
            }
            out.push((Tok::Lit(src[start..i].to_owned()), start, i - start));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_.-".contains(&b[i])) {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_owned()), start, i - start));
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        return Err(ExprError {
            offset: start,
            len: ch.len_utf8(),
            message: format!("unexpected character `{ch}`"),
        });
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize, usize)>,
    pos: usize,
    end: usize,
    depth: usize,
}

/// Conditions nest a few levels; a custom rule file cannot make the parser recurse further.
const MAX_DEPTH: usize = 64;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }
    fn here(&self) -> (usize, usize) {
        self.toks
            .get(self.pos)
            .map_or((self.end, 0), |t| (t.1, t.2))
    }
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ExprError> {
        let (offset, len) = self.here();
        Err(ExprError {
            offset,
            len,
            message: message.into(),
        })
    }
    fn eat_op(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(o)) if o == w) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect_op(&mut self, op: &str) -> Result<(), ExprError> {
        if self.eat_op(op) {
            Ok(())
        } else {
            self.err(format!("expected `{op}`"))
        }
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut l = self.and()?;
        while self.eat_word("or") {
            l = Expr::Or(Box::new(l), Box::new(self.and()?));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut l = self.not()?;
        while self.eat_word("and") {
            l = Expr::And(Box::new(l), Box::new(self.not()?));
        }
        Ok(l)
    }
    fn nested<T>(&mut self, f: fn(&mut Self) -> Result<T, ExprError>) -> Result<T, ExprError> {
        if self.depth >= MAX_DEPTH {
            return self.err(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }
    fn not(&mut self) -> Result<Expr, ExprError> {
        self.nested(Self::not_inner)
    }
    fn not_inner(&mut self) -> Result<Expr, ExprError> {
        if self.eat_word("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Result<Expr, ExprError> {
        let l = self.product()?;
        let op = match self.peek() {
            Some(Tok::Op("<")) => CmpOp::Lt,
            Some(Tok::Op("<=")) => CmpOp::Le,
            Some(Tok::Op(">")) => CmpOp::Gt,
            Some(Tok::Op(">=")) => CmpOp::Ge,
            Some(Tok::Op("==")) => CmpOp::Eq,
            Some(Tok::Op("!=")) => CmpOp::Ne,
            Some(Tok::Ident(w)) if w == "in" => CmpOp::In,
            Some(Tok::Ident(w)) if w == "not" => {
                if matches!(self.toks.get(self.pos + 1), Some((Tok::Ident(w), _, _)) if w == "in") {
                    self.pos += 1;
                    CmpOp::NotIn
                } else {
                    return Ok(l);
                }
            }
            _ => return Ok(l),
        };
        self.pos += 1;
        let r = self.product()?;
        Ok(Expr::Cmp(op, Box::new(l), Box::new(r)))
    }
    fn product(&mut self) -> Result<Expr, ExprError> {
        let mut l = self.atom()?;
        while self.eat_op("*") {
            l = Expr::Mul(Box::new(l), Box::new(self.atom()?));
        }
        Ok(l)
    }
    fn atom(&mut self) -> Result<Expr, ExprError> {
        self.nested(Self::atom_inner)
    }
    fn atom_inner(&mut self) -> Result<Expr, ExprError> {
        let Some((tok, offset, len)) = self.toks.get(self.pos).cloned() else {
            return self.err("expected a value, found the end of the condition");
        };
        self.pos += 1;
        match tok {
            Tok::Op("(") => {
                let e = self.or()?;
                self.expect_op(")")?;
                Ok(e)
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                if !self.eat_op("]") {
                    loop {
                        items.push(self.product()?);
                        if self.eat_op("]") {
                            break;
                        }
                        self.expect_op(",")?;
                    }
                }
                Ok(Expr::List(items))
            }
            Tok::Str(s) => Ok(Expr::Lit(Val::Str(s))),
            Tok::Lit(s) => match Val::from_text(&s) {
                v @ (Val::Qty(_) | Val::Range(..)) => Ok(Expr::Lit(v)),
                _ => Err(ExprError {
                    offset,
                    len,
                    message: format!("`{s}` is not a quantity (such as 20ms, 50k/s, 4KiB, 200k)"),
                }),
            },
            Tok::Ident(w) => {
                if w == "true" || w == "false" {
                    return Ok(Expr::Lit(Val::Bool(w == "true")));
                }
                if self.eat_op("(") {
                    if !FUNCTIONS.contains(&w.as_str()) {
                        return Err(ExprError {
                            offset,
                            len,
                            message: format!(
                                "unknown function `{w}`; known: {}",
                                FUNCTIONS.join(", ")
                            ),
                        });
                    }
                    let mut args = Vec::new();
                    if !self.eat_op(")") {
                        loop {
                            args.push(self.or()?);
                            if self.eat_op(")") {
                                break;
                            }
                            self.expect_op(",")?;
                        }
                    }
                    return Ok(Expr::Call(w, args));
                }
                Ok(Expr::Path(w.split('.').map(str::to_owned).collect()))
            }
            Tok::Op(o) => Err(ExprError {
                offset,
                len,
                message: format!("unexpected `{o}`"),
            }),
        }
    }
}

/// Parses a condition or a template placeholder.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.len(),
        depth: 0,
    };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return p.err("unexpected text after the end of the condition");
    }
    Ok(e)
}

impl Expr {
    /// Every path the expression reads, in order.
    pub fn paths(&self, out: &mut Vec<Vec<String>>) {
        match self {
            Expr::Path(p) => out.push(p.clone()),
            Expr::Lit(_) => {}
            Expr::List(items) | Expr::Call(_, items) => items.iter().for_each(|e| e.paths(out)),
            Expr::Not(e) => e.paths(out),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Cmp(_, a, b) | Expr::Mul(a, b) => {
                a.paths(out);
                b.paths(out);
            }
        }
    }
}

/// Where paths get their values.
pub trait Env {
    /// The value at a path, or None when it is not there. `Err` when it cannot be there.
    fn lookup(&self, path: &[String]) -> Option<Val>;
    /// Whether a path is set, its value known or not (a setting written as `$PASSWORD` is set
    /// and has no value to compare): what `has()` asks.
    fn is_set(&self, path: &[String]) -> bool {
        self.lookup(path).is_some()
    }
    /// The scale a path's words belong to, for ordered comparison of words.
    fn scale_of(&self, path: &[String]) -> Option<Scale>;
}

fn scale_for(expr: &Expr, env: &dyn Env) -> Option<Scale> {
    match expr {
        Expr::Path(p) => env.scale_of(p),
        _ => None,
    }
}

fn rank(scale: Scale, v: &Val) -> Option<usize> {
    match v {
        Val::Str(s) => scale.levels.iter().position(|l| l == s),
        _ => None,
    }
}

/// Evaluates to a value; `None` when a path is missing or the operation has no meaning.
pub fn eval(expr: &Expr, env: &dyn Env) -> Option<Val> {
    match expr {
        Expr::Path(p) => env.lookup(p),
        Expr::Lit(v) => Some(v.clone()),
        Expr::List(items) => {
            let mut out = Vec::new();
            for i in items {
                out.extend(eval(i, env)?.words()?);
            }
            Some(Val::Set(out))
        }
        Expr::Not(e) => Some(Val::Bool(!eval(e, env)?.truth()?)),
        Expr::And(a, b) => {
            let l = eval(a, env).and_then(|v| v.truth());
            if l == Some(false) {
                return Some(Val::Bool(false));
            }
            let r = eval(b, env).and_then(|v| v.truth());
            match (l, r) {
                (_, Some(false)) => Some(Val::Bool(false)),
                (Some(true), Some(true)) => Some(Val::Bool(true)),
                _ => None,
            }
        }
        Expr::Or(a, b) => {
            let l = eval(a, env).and_then(|v| v.truth());
            if l == Some(true) {
                return Some(Val::Bool(true));
            }
            let r = eval(b, env).and_then(|v| v.truth());
            match (l, r) {
                (_, Some(true)) => Some(Val::Bool(true)),
                (Some(false), Some(false)) => Some(Val::Bool(false)),
                _ => None,
            }
        }
        Expr::Mul(a, b) => match (eval(a, env)?, eval(b, env)?) {
            (Val::Qty(x), Val::Qty(y)) => {
                let dim = x.dim.times(y.dim)?;
                let v = if x.value == 0.0 || y.value == 0.0 {
                    0.0
                } else {
                    x.value * y.value
                };
                Some(Val::Qty(Quantity::new(v, dim)))
            }
            _ => None,
        },
        Expr::Call(name, args) => call(name, args, env),
        Expr::Cmp(op, a, b) => {
            let l = eval(a, env)?;
            let r = eval(b, env)?;
            let scale = scale_for(a, env).or_else(|| scale_for(b, env));
            compare(*op, &l, &r, scale).map(Val::Bool)
        }
    }
}

fn call(name: &str, args: &[Expr], env: &dyn Env) -> Option<Val> {
    match (name, args) {
        ("has", [e]) => Some(Val::Bool(match e {
            Expr::Path(p) => env.is_set(p),
            _ => eval(e, env).is_some(),
        })),
        // a choice of words in a template; an unknown condition takes the second
        ("if", [c, then, otherwise]) => {
            eval(if fires(eval(c, env)) { then } else { otherwise }, env)
        }
        ("len", [e]) => match eval(e, env)? {
            Val::Set(s) => Some(Val::Qty(Quantity::new(s.len() as f64, Dim::Number))),
            _ => None,
        },
        // the protocol of each item of a listener list: `SASL_SSL://:9093,X://:1` gives
        // SASL_SSL and X; a protocol map `INTERNAL:SASL_PLAINTEXT,EXT:SSL` gives the protocols
        ("protocols", [a]) => {
            let text = eval(a, env)?.to_string();
            Some(Val::Set(
                text.split(',')
                    .filter_map(|item| {
                        let item = item.trim();
                        let word = match item.split_once("://") {
                            Some((name, _)) => name,
                            None => item.rsplit_once(':').map_or(item, |(_, p)| p),
                        };
                        let word = word.trim().to_ascii_uppercase();
                        (!word.is_empty()).then_some(word)
                    })
                    .collect(),
            ))
        }
        // how comfortably `have` covers `need`: for quantities the natural log of their ratio
        // (a range counts as the geometric mean of its ends), for words of a scale the number
        // of levels between them; clamped to -3..1: room beyond one step (about 2.7 times)
        // earns nothing more, so one generous criterion cannot outweigh the rest
        ("headroom", [a, b]) => {
            let v = match have_need(a, b, env)? {
                HaveNeed::Levels(have, need) => have - need,
                HaveNeed::Amounts(h, n) => match (h > 0.0, n > 0.0) {
                    // forever against forever is no headroom either way
                    (true, true) => Some((h / n).ln()).filter(|r| !r.is_nan()).unwrap_or(0.0),
                    (true, false) => 3.0,
                    (false, true) => -3.0,
                    (false, false) => 0.0,
                },
            };
            Some(Val::Qty(Quantity::new(v.clamp(-3.0, 1.0), Dim::Number)))
        }
        // a broker's size setting as bytes, however the broker spells it: plain bytes
        // (`1073741824`), units (`1GB`, `1GiB`), or Redis's (`1gb` = 1024³, `1g` = 10⁹)
        ("bytes", [e]) => {
            let text = eval(e, env)?.to_string();
            let t = text.trim();
            let v = quantity::parse_size(t)
                .filter(|v| *v > 0.0 || t == "0")
                .or_else(|| {
                    let (n, unit) = t
                        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                        .map_or((t, ""), |i| t.split_at(i));
                    let n: f64 = n.parse().ok()?;
                    let mult = match unit.to_ascii_lowercase().as_str() {
                        "" => 1.0,
                        "k" => 1e3,
                        "kb" => 1024.0,
                        "m" => 1e6,
                        "mb" => 1024.0 * 1024.0,
                        "g" => 1e9,
                        "gb" => 1024.0 * 1024.0 * 1024.0,
                        _ => return None,
                    };
                    Some(n * mult)
                })?;
            Some(Val::Qty(Quantity::new(v, Dim::Size)))
        }
        // a figure of the bus's named by a value: `figure('node_memory', value)` is the figure
        // `node_memory.<value>` (a table of a managed service's node types)
        ("figure", [table, key]) => {
            let table = eval(table, env)?.to_string();
            let key = eval(key, env)?.to_string();
            let mut path = vec!["bus".to_owned()];
            path.extend(table.split('.').map(str::to_owned));
            path.extend(key.split('.').map(str::to_owned));
            env.lookup(&path)
        }
        // where a word stands in a list written most typical first: 1 for the first item,
        // one list-length's share less for each item before it, 0 when it is not there
        ("standing", [w, list]) => {
            let word = eval(w, env)?.to_string();
            let items = eval(list, env)?.words()?;
            let v = items
                .iter()
                .position(|i| *i == word)
                .map_or(0.0, |p| 1.0 - p as f64 / items.len() as f64);
            Some(Val::Qty(Quantity::new(v, Dim::Number)))
        }
        ("contains", [a, b]) => {
            let hay = eval(a, env)?;
            let needle = eval(b, env)?.to_string().to_ascii_lowercase();
            Some(Val::Bool(match hay {
                Val::Set(items) => items.iter().any(|i| i.to_ascii_lowercase() == needle),
                other => other.to_string().to_ascii_lowercase().contains(&needle),
            }))
        }
        // a comma-separated value as its items (`TLSv1.2,TLSv1.1` → {TLSv1.2, TLSv1.1})
        ("items", [a]) => {
            let text = eval(a, env)?.to_string();
            Some(Val::Set(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ))
        }
        // the words of the first list that none of the others holds
        ("missing", [a, rest @ ..]) if !rest.is_empty() => {
            let want = eval(a, env)?.words()?;
            let have: Vec<String> = rest
                .iter()
                .flat_map(|b| eval(b, env).and_then(|v| v.words()).unwrap_or_default())
                .collect();
            Some(Val::Set(
                want.into_iter().filter(|w| !have.contains(w)).collect(),
            ))
        }
        // how far `have` falls short of `need`, unbounded, 0 when it does not: for words of a
        // scale the levels between them; for quantities 1 + the natural log of need / have
        // (short at all counts 1, each e-fold further 1 more). A miss's weight grows with it
        // (rules' `distance`)
        ("shortfall", [a, b]) => {
            let v = match have_need(a, b, env)? {
                HaveNeed::Levels(have, need) => need - have,
                HaveNeed::Amounts(h, n) if h <= 0.0 || n <= 0.0 => return None,
                HaveNeed::Amounts(h, n) if n > h => 1.0 + (n / h).ln(),
                HaveNeed::Amounts(..) => 0.0,
            };
            Some(Val::Qty(Quantity::new(v.max(0.0), Dim::Number)))
        }
        // the values' texts one after another (a sentence built from figures)
        ("concat", parts) => {
            let mut out = String::new();
            for p in parts {
                out.push_str(&eval(p, env)?.to_string());
            }
            Some(Val::Str(out))
        }
        _ => None,
    }
}

/// What `have` and `need` are, compared: levels of one scale (`medium`, `high`), or amounts of
/// one dimension (a range as its geometric mean).
enum HaveNeed {
    Levels(f64, f64),
    Amounts(f64, f64),
}

fn have_need(a: &Expr, b: &Expr, env: &dyn Env) -> Option<HaveNeed> {
    let scale = scale_for(a, env).or_else(|| scale_for(b, env));
    let (have, need) = (eval(a, env)?, eval(b, env)?);
    match (&have, &need, scale) {
        (Val::Str(_), Val::Str(_), Some(s)) => Some(HaveNeed::Levels(
            rank(s, &have)? as f64,
            rank(s, &need)? as f64,
        )),
        _ => {
            let (h, n) = (magnitude(&have)?, magnitude(&need)?);
            h.1.compatible(n.1).then_some(HaveNeed::Amounts(h.0, n.0))
        }
    }
}

/// A quantity's value, or a range's geometric mean, with its dimension.
fn magnitude(v: &Val) -> Option<(f64, Dim)> {
    match v {
        Val::Qty(q) => Some((q.value, q.dim)),
        Val::Range(lo, hi) => Some(((lo.value.max(0.0) * hi.value.max(0.0)).sqrt(), lo.dim)),
        _ => None,
    }
}

fn compare(op: CmpOp, l: &Val, r: &Val, scale: Option<Scale>) -> Option<bool> {
    use std::cmp::Ordering as O;
    if let CmpOp::In | CmpOp::NotIn = op {
        let set = r.words()?;
        let items = l.words()?;
        let inside = items.iter().all(|i| set.contains(i));
        return Some(if op == CmpOp::In { inside } else { !inside });
    }
    let ord: Option<O> = match (l, r) {
        (Val::Qty(x), Val::Qty(y)) if x.dim.compatible(y.dim) => x.value.partial_cmp(&y.value),
        (Val::Str(_), Val::Str(_)) => match scale {
            Some(s) => rank(s, l)?.partial_cmp(&rank(s, r)?),
            None => {
                return match op {
                    CmpOp::Eq => Some(l == r),
                    CmpOp::Ne => Some(l != r),
                    _ => None,
                };
            }
        },
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Set(x), Val::Set(y)) => {
            return match op {
                CmpOp::Eq => Some(x == y),
                CmpOp::Ne => Some(x != y),
                _ => None,
            };
        }
        _ => None,
    };
    let ord = ord?;
    Some(match op {
        CmpOp::Lt => ord == O::Less,
        CmpOp::Le => ord != O::Greater,
        CmpOp::Gt => ord == O::Greater,
        CmpOp::Ge => ord != O::Less,
        CmpOp::Eq => ord == O::Equal,
        CmpOp::Ne => ord != O::Equal,
        CmpOp::In | CmpOp::NotIn => return None,
    })
}

/// Whether a condition's value makes a rule fire: true, or a non-empty set (`missing(…)`).
/// Unknown is not true.
#[must_use]
pub fn fires(v: Option<Val>) -> bool {
    matches!(v, Some(Val::Bool(true))) || matches!(&v, Some(Val::Set(s)) if !s.is_empty())
}

/// A message template: text with `{expression}` placeholders.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Part {
    Text(String),
    Expr(Expr),
}

impl Template {
    pub fn parse(src: &str) -> Result<Template, ExprError> {
        let mut parts = Vec::new();
        let mut rest = src;
        let mut base = 0;
        while let Some(open) = rest.find('{') {
            parts.push(Part::Text(rest[..open].to_owned()));
            let Some(close) = rest[open..].find('}') else {
                return Err(ExprError {
                    offset: base + open,
                    len: 1,
                    message: "`{` without a closing `}`".into(),
                });
            };
            let inner = &rest[open + 1..open + close];
            let e = parse(inner).map_err(|mut e| {
                e.offset += base + open + 1;
                e
            })?;
            parts.push(Part::Expr(e));
            base += open + close + 1;
            rest = &rest[open + close + 1..];
        }
        parts.push(Part::Text(rest.to_owned()));
        Ok(Template { parts })
    }

    pub fn render(&self, env: &dyn Env) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Expr(e) => match eval(e, env) {
                    Some(v) => out.push_str(&v.to_string()),
                    None => out.push('?'),
                },
            }
        }
        out
    }

    pub fn paths(&self, out: &mut Vec<Vec<String>>) {
        for p in &self.parts {
            if let Part::Expr(e) = p {
                e.paths(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct M(HashMap<String, Val>);
    impl Env for M {
        fn lookup(&self, p: &[String]) -> Option<Val> {
            self.0.get(&p.join(".")).cloned()
        }
        fn scale_of(&self, p: &[String]) -> Option<Scale> {
            (p.join(".").contains("delivery")).then_some(DELIVERY)
        }
    }

    fn env() -> M {
        let mut m = HashMap::new();
        m.insert("req.delivery".into(), Val::Str("exactly-once".into()));
        m.insert("bus.delivery.max".into(), Val::Str("at-most-once".into()));
        m.insert("req.latency".into(), Val::from_text("1ms"));
        m.insert("bus.latency.floor".into(), Val::from_text("2ms"));
        m.insert("req.clients".into(), Val::Set(vec!["browser".into()]));
        m.insert(
            "req.security".into(),
            Val::Set(vec!["tls".into(), "authorization".into()]),
        );
        m.insert("bus.security".into(), Val::Set(vec!["tls".into()]));
        m.insert("req.throughput".into(), Val::from_text("10k/s"));
        m.insert("req.message_size".into(), Val::from_text("1KiB"));
        m.insert("req.retention".into(), Val::from_text("1d"));
        M(m)
    }

    fn t(src: &str) -> Option<bool> {
        eval(&parse(src).unwrap(), &env()).and_then(|v| v.truth())
    }

    #[test]
    fn conditions() {
        assert_eq!(t("req.delivery > bus.delivery.max"), Some(true));
        assert_eq!(t("req.latency < bus.latency.floor"), Some(true));
        assert_eq!(t("'browser' in req.clients"), Some(true));
        assert_eq!(t("'mobile' not in req.clients"), Some(true));
        assert_eq!(t("missing(req.security, bus.security)"), Some(true));
        assert_eq!(t("req.nothing > 1ms"), None);
        assert_eq!(t("req.nothing > 1ms and false"), Some(false));
        assert_eq!(t("req.nothing > 1ms or true"), Some(true));
        assert_eq!(t("not (req.latency >= 2ms)"), Some(true));
        assert_eq!(
            t("req.throughput * req.message_size * req.retention > 800GiB"),
            Some(true)
        );
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        let e = parse("req.latency < < 2ms").unwrap_err();
        assert_eq!(e.offset, 14);
        let e = parse("frob(req.x)").unwrap_err();
        assert!(e.message.contains("unknown function"));
    }

    #[test]
    fn templates() {
        let t = Template::parse("needs {req.latency}, floor {bus.latency.floor}").unwrap();
        assert_eq!(t.render(&env()), "needs 1ms, floor 2ms");
    }
}
