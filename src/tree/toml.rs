//! TOML into the same spanned tree as YAML and JSON.

use crate::source::span::ByteSpan;
use crate::tree::yaml::{Node, Value};
use toml::de::{DeTable, DeValue};

fn convert(v: &DeValue<'_>, span: ByteSpan) -> Node {
    let value = match v {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => Value::Str(i.to_string()),
        DeValue::Float(f) => Value::Str(f.to_string()),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(a) => Value::Seq(
            a.iter()
                .map(|i| {
                    let r = i.span();
                    convert(i.get_ref(), ByteSpan::new(r.start, r.end))
                })
                .collect(),
        ),
        DeValue::Table(t) => table(t),
    };
    Node { span, value }
}

fn table(t: &DeTable<'_>) -> Value {
    Value::Map(
        t.iter()
            .map(|(k, v)| {
                let ks = k.span();
                let vs = v.span();
                (
                    Node {
                        span: ByteSpan::new(ks.start, ks.end),
                        value: Value::Str(k.get_ref().to_string()),
                    },
                    convert(v.get_ref(), ByteSpan::new(vs.start, vs.end)),
                )
            })
            .collect(),
    )
}

/// Parses TOML; the error carries its byte range.
pub fn parse_toml(src: &str) -> Result<Node, (String, ByteSpan)> {
    match DeTable::parse(src) {
        Ok(t) => Ok(Node {
            span: ByteSpan::new(0, 0),
            value: table(t.get_ref()),
        }),
        Err(e) => {
            let span = e
                .span()
                .map_or(ByteSpan::new(0, 0), |r| ByteSpan::new(r.start, r.end));
            let msg = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_owned();
            Err((msg, span))
        }
    }
}
