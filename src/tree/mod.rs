//! Spanned trees, one per syntax: YAML and JSON ([`yaml`]), TOML ([`toml`]). Every node keeps
//! the byte range it was read from, relative to its own file.

mod block;
mod lean;
pub mod toml;
pub mod validate;
pub mod yaml;

pub use yaml::{Node, Value};
