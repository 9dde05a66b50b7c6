//! What a repository declares: busfit.yaml (flows, defaults, settings, overrides) and the
//! same `requires:` mapping written inline in other files, validated with spans.

pub mod environment;
pub mod manifest;
pub mod schema;
