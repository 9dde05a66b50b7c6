//! The environment a file is in (contract §7): what it is for decides which findings are
//! reported file by file. Inferred by `situation`; set in busfit.yaml (`environments:`) or on
//! the command line (`--environment`).

use serde::Serialize;

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Production,
    Development,
    Example,
    Test,
}

impl Environment {
    /// Every environment, in the order busfit.yaml's schema and messages list them.
    pub const ALL: [Environment; 4] = [
        Environment::Production,
        Environment::Development,
        Environment::Example,
        Environment::Test,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Development => "development",
            Environment::Example => "example",
            Environment::Test => "test",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Environment> {
        Environment::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The names, for messages and the schema.
    #[must_use]
    pub fn names() -> [&'static str; 4] {
        Environment::ALL.map(Environment::as_str)
    }
}

impl std::fmt::Display for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
