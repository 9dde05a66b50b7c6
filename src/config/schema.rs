//! The JSON Schema of busfit.yaml (`busfit schema`), derived from what the parser reads: the
//! key tables of `manifest`, the requirement keys of the knowledge base and the bus kinds of
//! its profiles. Nothing here declares a key, a word or a bus of its own.

use serde_json::{Map, Value, json};

use super::manifest::{
    DEFAULTS_KEYS, FAIL_ON, FLOW_KEYS, Key, RULE_LEVELS, SETTINGS_KEYS, Shape, TOP_KEYS,
};
use crate::kb::Kb;
use crate::kb::requirements::{KEYS, Kind};
use crate::lang::quantity::Dim;

fn words(list: &[&str]) -> Value {
    json!({ "type": "string", "enum": list })
}

/// The schema of one requirement's value.
fn requirement(kind: &Kind) -> Value {
    match kind {
        Kind::Level(s) => words(s.levels),
        Kind::Word(w) => words(w),
        Kind::Words(w) => json!({ "type": "array", "items": words(w) }),
        Kind::Bool => json!({ "type": "boolean" }),
        // a count or a duration of 0 may be written as a bare number
        Kind::Quantity(d @ (Dim::Count | Dim::Duration)) => {
            json!({ "type": ["string", "integer"], "pattern": d.pattern() })
        }
        Kind::Quantity(d) => json!({ "type": "string", "pattern": d.pattern() }),
    }
}

fn value(shape: Shape) -> Value {
    let reference = |name: &str| json!({ "$ref": format!("#/$defs/{name}") });
    match shape {
        Shape::Version => json!({ "type": "integer", "const": 1 }),
        Shape::Flows => json!({ "type": "array", "items": reference("Flow") }),
        Shape::Defaults => reference("Defaults"),
        Shape::Settings => reference("Settings"),
        Shape::Buses => reference("Buses"),
        Shape::Text | Shape::Path => json!({ "type": "string" }),
        Shape::Bus => reference("Bus"),
        // `requires:` with every key commented out (as `busfit init` writes it) is empty: null
        Shape::Requires => json!({ "anyOf": [reference("Requires"), { "type": "null" }] }),
        Shape::Globs => json!({ "type": "array", "items": { "type": "string" } }),
        Shape::RuleLevels => {
            json!({ "type": "object", "additionalProperties": words(RULE_LEVELS) })
        }
        Shape::FailOn => words(FAIL_ON),
        Shape::GlobCodes => json!({
            "type": "object",
            "additionalProperties": { "type": "array", "items": { "type": "string" } }
        }),
        Shape::Size => json!({ "type": "string", "pattern": Dim::Size.pattern() }),
        Shape::Environments => {
            let mut props = Map::new();
            for name in crate::config::environment::Environment::names() {
                props.insert(
                    name.to_owned(),
                    json!({ "type": "array", "items": { "type": "string" } }),
                );
            }
            json!({ "type": "object", "properties": props, "additionalProperties": false })
        }
    }
}

/// An object with exactly these keys, each described.
fn object(about: &str, keys: &[Key], required: &[&str]) -> Value {
    let mut properties = Map::new();
    for k in keys {
        let mut v = value(k.shape);
        if let Value::Object(o) = &mut v {
            o.insert("description".into(), k.about.into());
        }
        properties.insert(k.name.into(), v);
    }
    json!({
        "description": about,
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "required": required,
    })
}

/// The schema as pretty JSON.
#[must_use]
pub fn json(kb: &Kb) -> String {
    let mut requires = Map::new();
    for k in KEYS {
        let mut v = requirement(&k.kind);
        if let Value::Object(o) = &mut v {
            o.insert(
                "description".into(),
                format!("{}: {}", k.about, k.kind.accepted()).into(),
            );
        }
        requires.insert(k.key.into(), v);
    }
    let buses: Vec<&str> = kb.bus_names().collect();
    let overrides: Map<String, Value> = buses
        .iter()
        .map(|b| ((*b).to_owned(), json!({ "type": "object" })))
        .collect();
    let mut root = object(
        "What this directory's message flows need.",
        TOP_KEYS,
        &["version"],
    );
    if let Value::Object(o) = &mut root {
        o.insert(
            "$schema".into(),
            "https://json-schema.org/draft/2020-12/schema".into(),
        );
        o.insert("title".into(), "busfit.yaml".into());
        o.insert(
            "$defs".into(),
            json!({
                "Flow": object("A message flow.", FLOW_KEYS, &["name"]),
                "Defaults": object("Requirements for every deployed bus that no flow covers.", DEFAULTS_KEYS, &[]),
                "Settings": object("Linter settings for this subtree.", SETTINGS_KEYS, &[]),
                "Requires": {
                    "description": "What a flow needs. Every key is optional.",
                    "type": "object",
                    "properties": requires,
                    "additionalProperties": false,
                },
                "Buses": {
                    "type": "object",
                    "properties": overrides,
                    "additionalProperties": false,
                },
                "Bus": words(&buses),
            }),
        );
    }
    let mut s = serde_json::to_string_pretty(&root).unwrap_or_default();
    s.push('\n');
    s
}
