//! The requirement keys of contract §2 and how their values are read.

use crate::lang::expr::{self, Scale, Val};
use crate::lang::quantity::{self, Dim};
use crate::source::Span;

/// The type of a requirement's value.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Level(Scale),
    Quantity(Dim),
    Word(&'static [&'static str]),
    Words(&'static [&'static str]),
    Bool,
}

pub struct KeyDef {
    pub key: &'static str,
    pub kind: Kind,
    pub about: &'static str,
}

pub const CLIENTS: &[&str] = &["service", "browser", "mobile", "constrained-device"];
pub const SECURITY: &[&str] = &[
    "tls",
    "authentication",
    "authorization",
    "client-certificates",
];
pub const ECOSYSTEM: &[&str] = &[
    "stream-processing",
    "connectors",
    "schema-registry",
    "search",
    "json",
    "graph",
];
pub const USE_CASES: &[&str] = &[
    "data-pipeline",
    "analytics",
    "microservices",
    "caching",
    "realtime-ui",
    "task-queue",
    "iot",
    "smart-home",
    "mobile-notifications",
    "request-reply",
    "event-sourcing",
    "cdc",
];

pub const KEYS: &[KeyDef] = &[
    KeyDef {
        key: "delivery",
        kind: Kind::Level(expr::DELIVERY),
        about: "delivery guarantee",
    },
    KeyDef {
        key: "latency",
        kind: Kind::Quantity(Dim::Duration),
        about: "p99 end-to-end upper bound",
    },
    KeyDef {
        key: "throughput",
        kind: Kind::Quantity(Dim::Rate),
        about: "peak messages per second",
    },
    KeyDef {
        key: "message_size",
        kind: Kind::Quantity(Dim::Size),
        about: "typical message size",
    },
    KeyDef {
        key: "retention",
        kind: Kind::Quantity(Dim::Duration),
        about: "how long history must stay replayable",
    },
    KeyDef {
        key: "ordering",
        kind: Kind::Level(expr::ORDERING),
        about: "ordering guarantee",
    },
    KeyDef {
        key: "clients",
        kind: Kind::Words(CLIENTS),
        about: "kinds of clients that connect",
    },
    KeyDef {
        key: "connections",
        kind: Kind::Quantity(Dim::Count),
        about: "concurrent client connections at peak",
    },
    KeyDef {
        key: "network",
        kind: Kind::Word(&["stable", "unstable"]),
        about: "network between clients and bus",
    },
    KeyDef {
        key: "offline_delivery",
        kind: Kind::Bool,
        about: "keep messages for disconnected clients",
    },
    KeyDef {
        key: "scaling",
        kind: Kind::Word(&["horizontal", "vertical", "any"]),
        about: "how the bus must scale",
    },
    KeyDef {
        key: "security",
        kind: Kind::Words(SECURITY),
        about: "security features required",
    },
    KeyDef {
        key: "ops_complexity",
        kind: Kind::Level(expr::COMPLEXITY),
        about: "the most the team can run",
    },
    KeyDef {
        key: "broker_memory",
        kind: Kind::Quantity(Dim::Size),
        about: "RAM budget for the bus",
    },
    KeyDef {
        key: "ecosystem",
        kind: Kind::Words(ECOSYSTEM),
        about: "ecosystem pieces required",
    },
    KeyDef {
        key: "use_case",
        kind: Kind::Word(USE_CASES),
        about: "what the flow is for",
    },
    KeyDef {
        key: "geo_replication",
        kind: Kind::Bool,
        about: "the flow's messages are replicated between regions",
    },
    KeyDef {
        key: "topics",
        kind: Kind::Quantity(Dim::Count),
        about: "topics, subjects or queues at peak",
    },
];

pub fn key_def(key: &str) -> Option<&'static KeyDef> {
    KEYS.iter().find(|k| k.key == key)
}

pub fn key_names() -> impl Iterator<Item = &'static str> {
    KEYS.iter().map(|k| k.key)
}

impl Kind {
    /// What is accepted, for diagnostics and the schema.
    pub fn accepted(&self) -> String {
        match self {
            Kind::Level(s) => s.levels.join(" | "),
            Kind::Quantity(d) => d.examples().to_owned(),
            Kind::Word(w) => w.join(" | "),
            Kind::Words(w) => format!("a list of: {}", w.join(", ")),
            Kind::Bool => "true | false".to_owned(),
        }
    }

    pub fn words(&self) -> &'static [&'static str] {
        match self {
            Kind::Level(s) => s.levels,
            Kind::Word(w) | Kind::Words(w) => w,
            _ => &[],
        }
    }
}

/// One requirement value, with where it was written (None: from the command line). The span
/// names its file: a value merged from busfit.yaml's `defaults` into a flow declared in
/// docker-compose.yml still points into busfit.yaml.
#[derive(Debug, Clone, PartialEq)]
pub struct ReqValue {
    pub val: Val,
    pub span: Option<Span>,
}

/// A flow's requirements by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Requirements {
    pub map: ReqMap,
}

/// Requirement values by key, in key order, held in a sorted vector: a flow has a handful,
/// where a map's smallest node holds eleven, and a monorepo has thousands of flows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReqMap(Vec<(String, ReqValue)>);

type Pair<'a> = (&'a String, &'a ReqValue);

impl ReqMap {
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
    /// Sets a key's value; the value it replaced.
    pub fn insert(&mut self, key: String, value: ReqValue) -> Option<ReqValue> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }
    pub fn get(&self, key: &str) -> Option<&ReqValue> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = Pair<'_>> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }
}

impl<'a> IntoIterator for &'a ReqMap {
    type Item = Pair<'a>;
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, ReqValue)>,
        fn(&'a (String, ReqValue)) -> Pair<'a>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Requirements {
    pub fn get(&self, key: &str) -> Option<&ReqValue> {
        self.map.get(key)
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// The same keys with the same values, wherever they were written: two flows that
    /// require the same are judged the same.
    #[must_use]
    pub fn same_values(&self, other: &Requirements) -> bool {
        self.map.len() == other.map.len()
            && self
                .map
                .iter()
                .zip(&other.map)
                .all(|((k, v), (ok, ov))| k == ok && v.val == ov.val)
    }
    /// Adds every key of `base` this one does not have.
    pub fn merge_under(&mut self, base: &Requirements) {
        for (k, v) in &base.map {
            if !self.map.contains_key(k) {
                self.map.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Why a value is not accepted: the message and what is accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct BadValue {
    pub message: String,
    pub help: String,
}

/// Reads one scalar (or list of scalars) given as text.
pub fn parse_value(def: &KeyDef, items: &[String], is_list: bool) -> Result<Val, BadValue> {
    let accepted = def.kind.accepted();
    let bad = |msg: String, word: Option<&str>| {
        let hint = word
            .map(|w| crate::lang::spelling::did_you_mean(w, def.kind.words().iter().copied()))
            .unwrap_or_default();
        BadValue {
            message: msg,
            help: format!("{hint}`{}` accepts {accepted}", def.key),
        }
    };
    match def.kind {
        Kind::Words(allowed) => {
            let mut out = Vec::new();
            for w in items {
                if !allowed.contains(&w.as_str()) {
                    return Err(bad(
                        format!("unknown {} `{w}`", def.key.trim_end_matches('s')),
                        Some(w),
                    ));
                }
                if !out.contains(w) {
                    out.push(w.clone());
                }
            }
            Ok(Val::Set(out))
        }
        _ if is_list => Err(bad(
            format!("`{}` takes one value, not a list", def.key),
            None,
        )),
        _ => {
            let text = items.first().map(String::as_str).unwrap_or("");
            match def.kind {
                Kind::Level(s) => {
                    if s.levels.contains(&text) {
                        Ok(Val::Str(text.to_owned()))
                    } else {
                        Err(bad(format!("unknown {} `{text}`", def.key), Some(text)))
                    }
                }
                Kind::Word(w) => {
                    if w.contains(&text) {
                        Ok(Val::Str(text.to_owned()))
                    } else {
                        Err(bad(
                            format!("unknown {} `{text}`", def.key.replace('_', " ")),
                            Some(text),
                        ))
                    }
                }
                Kind::Bool => match text {
                    "true" => Ok(Val::Bool(true)),
                    "false" => Ok(Val::Bool(false)),
                    _ => Err(bad(format!("`{text}` is not true or false"), None)),
                },
                Kind::Quantity(dim) => match quantity::parse_as(text, dim) {
                    // beyond any bus by orders of magnitude: a typo, or a value that would be
                    // capped silently into another one
                    Some(q) if q.value.is_finite() && q.value > quantity::most(dim) => {
                        Err(BadValue {
                            message: format!(
                                "`{text}` is out of range for {}: at most {}",
                                def.key.replace('_', " "),
                                quantity::most_text(dim)
                            ),
                            help: format!("for example {}", dim.examples()),
                        })
                    }
                    Some(q) => Ok(Val::Qty(q)),
                    None => Err(bad(format!("`{text}` is not a {}", dim.name()), None)),
                },
                Kind::Words(_) => unreachable_words(),
            }
        }
    }
}

fn unreachable_words() -> Result<Val, BadValue> {
    Err(BadValue {
        message: "internal: list kind".into(),
        help: String::new(),
    })
}

/// Parses `KEY=VALUE` from `--require` or a recommend flag (lists comma separated).
pub fn parse_assignment(key: &str, value: &str) -> Result<(String, Val), BadValue> {
    let def = key_def(key).ok_or_else(|| BadValue {
        message: format!("unknown requirement `{key}`"),
        help: format!(
            "{}known requirements: {}",
            crate::lang::spelling::did_you_mean(key, key_names()),
            key_names().collect::<Vec<_>>().join(", ")
        ),
    })?;
    let items: Vec<String> = if matches!(def.kind, Kind::Words(_)) {
        value
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        vec![value.trim().to_owned()]
    };
    let v = parse_value(def, &items, false)?;
    Ok((def.key.to_owned(), v))
}
