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

/// Folder names, compared without case, that put everything below them in an environment.
/// The outermost folder that names one decides.
const FOLDERS: &[(&str, Environment)] = &[
    ("examples", Environment::Example),
    ("example", Environment::Example),
    ("samples", Environment::Example),
    ("sample", Environment::Example),
    ("demo", Environment::Example),
    ("demos", Environment::Example),
    ("tutorial", Environment::Example),
    ("tutorials", Environment::Example),
    ("quickstart", Environment::Example),
    ("quickstarts", Environment::Example),
    ("quick-start", Environment::Example),
    ("getting-started", Environment::Example),
    ("getting_started", Environment::Example),
    ("workshop", Environment::Example),
    ("workshops", Environment::Example),
    ("playground", Environment::Example),
    ("sandbox", Environment::Example),
    ("cookbook", Environment::Example),
    ("docs", Environment::Example),
    ("doc", Environment::Example),
    ("documentation", Environment::Example),
    ("test", Environment::Test),
    ("tests", Environment::Test),
    ("testing", Environment::Test),
    ("testdata", Environment::Test),
    ("test-data", Environment::Test),
    ("__tests__", Environment::Test),
    ("e2e", Environment::Test),
    ("it", Environment::Test),
    ("ci", Environment::Test),
    (".ci", Environment::Test),
    (".github", Environment::Test),
    (".gitlab", Environment::Test),
    (".circleci", Environment::Test),
    ("fixtures", Environment::Test),
    ("fixture", Environment::Test),
    ("kubetest", Environment::Test),
    ("smoke", Environment::Test),
    ("smoke-test", Environment::Test),
    ("smoketest", Environment::Test),
    ("benchmark", Environment::Test),
    ("benchmarks", Environment::Test),
    ("dev", Environment::Development),
    ("development", Environment::Development),
    ("local", Environment::Development),
    (".devcontainer", Environment::Development),
    ("devcontainer", Environment::Development),
    ("minikube", Environment::Development),
    ("kind", Environment::Development),
];

/// Words of a folder's name (split at `-`, `_`, `.`) that name an environment when the whole
/// name does not (`integration-tests`, `kafka-examples`).
pub const FOLDER_WORDS: &[(&str, Environment)] = &[
    ("example", Environment::Example),
    ("examples", Environment::Example),
    ("sample", Environment::Example),
    ("samples", Environment::Example),
    ("demo", Environment::Example),
    ("demos", Environment::Example),
    ("tutorial", Environment::Example),
    ("tutorials", Environment::Example),
    ("quickstart", Environment::Example),
    ("quickstarts", Environment::Example),
    ("test", Environment::Test),
    ("tests", Environment::Test),
    ("e2e", Environment::Test),
];

/// Words of a file's name (split at `-`, `_`, `.`), compared without case: the last word that
/// names an environment decides (`docker-compose.dev.yml`, `values-local.yaml`).
const FILE_WORDS: &[(&str, Environment)] = &[
    ("dev", Environment::Development),
    ("development", Environment::Development),
    ("local", Environment::Development),
    ("override", Environment::Development),
    ("kind", Environment::Development),
    ("minikube", Environment::Development),
    ("example", Environment::Example),
    ("examples", Environment::Example),
    ("sample", Environment::Example),
    ("demo", Environment::Example),
    ("tutorial", Environment::Example),
    ("quickstart", Environment::Example),
    ("test", Environment::Test),
    ("tests", Environment::Test),
    ("ci", Environment::Test),
    ("e2e", Environment::Test),
    ("prod", Environment::Production),
    ("production", Environment::Production),
    ("staging", Environment::Production),
];

/// The environment a path (relative to its busfit.yaml, or to the walked root) suggests by
/// the names of its folders and its file.
#[must_use]
pub fn infer(rel: &str) -> Environment {
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let Some((file, folders)) = parts.split_last() else {
        return Environment::Production;
    };
    for folder in folders {
        // `.dev`, `.local`: a hidden folder of the same name
        let lower = folder.to_ascii_lowercase();
        let lower = match lower.strip_prefix('.') {
            Some(rest) if !FOLDERS.iter().any(|(n, _)| *n == lower) => rest.to_owned(),
            _ => lower,
        };
        if let Some((_, e)) = FOLDERS.iter().find(|(n, _)| *n == lower) {
            return *e;
        }
        let words = lower.split(['-', '_', '.']);
        if let Some(e) = words
            .filter_map(|w| FOLDER_WORDS.iter().find(|(n, _)| *n == w).map(|(_, e)| *e))
            .next()
        {
            return e;
        }
        // `systemtests`, `integrationtests`: a folder of tests by its suffix (not `test`
        // alone: `latest`, `contest`)
        if lower.len() > 5 && lower.ends_with("tests") {
            return Environment::Test;
        }
    }
    let lower = file.to_ascii_lowercase();
    let stem = lower
        .rsplit_once('.')
        .map_or(lower.as_str(), |(stem, _)| stem);
    stem.rsplit(['-', '_', '.'])
        .find_map(|w| FILE_WORDS.iter().find(|(n, _)| *n == w).map(|(_, e)| *e))
        .unwrap_or(Environment::Production)
}
