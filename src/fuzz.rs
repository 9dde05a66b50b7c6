//! The bodies of the fuzz targets (`fuzz/`), kept in the library so that the inputs fuzzing
//! found interesting run again in `cargo test` (tests/fuzz_regressions.rs) without libFuzzer.
//! Each takes any bytes and panics only when an invariant breaks.

use std::sync::OnceLock;

use crate::kb::Kb;
use crate::lang::expr::{Env, Scale, Val};
use crate::lang::quantity::{Dim, parse_any, parse_as};
use crate::lint::{CheckOptions, check_project};
use crate::project::InMemory;
use crate::source::SourceFile;

/// A fuzz target's body: any bytes in, a panic only when an invariant breaks.
pub type Target = fn(&[u8]);

/// The targets, by name: `fuzz/fuzz_targets/<name>.rs` calls the function of that name.
pub const TARGETS: &[(&str, Target)] = &[
    ("yaml", yaml),
    ("toml", toml),
    ("conf", conf),
    ("quantity", quantity),
    ("expr", expr),
    ("manifest", manifest),
    ("check_file", check_file),
    ("project", project),
    ("lean", lean),
    ("block", block),
    ("hcl", hcl),
    ("spring", spring),
    ("terraform", terraform),
];

fn kb() -> &'static Kb {
    static KB: OnceLock<Kb> = OnceLock::new();
    KB.get_or_init(|| Kb::builtin().expect("the built-in rules load"))
}

/// The YAML reader: any text ends as a tree or an error, within the budgets.
pub fn yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(docs) = crate::tree::yaml::parse_multi(text) {
        for d in &docs {
            assert!(d.span.start <= d.span.end && d.span.end <= text.len());
        }
    }
    let _ = crate::tree::yaml::parse(text);
}

/// TOML (Cargo.toml, pyproject.toml) into busfit's tree, spans kept.
pub fn toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::tree::toml::parse_toml(text) {
        Ok(node) => assert!(node.span.end <= text.len()),
        Err((_, span)) => assert!(span.start <= span.end && span.end <= text.len()),
    }
}

/// Line-oriented broker configs: server.properties, redis.conf, mosquitto.conf.
pub fn conf(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in ["properties", "conf"] {
        for (_, _, span) in crate::extract::conf::lines(text, format) {
            assert!(span.start <= span.end && span.end <= text.len());
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
    }
}

/// Quantities as users write them: 0.5ms, 50k/s, 4KiB, 200k, forever.
pub fn quantity(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(q) = parse_any(text) {
        assert!(!q.value.is_nan());
        let _ = q.to_string();
    }
    for dim in [
        Dim::Duration,
        Dim::Rate,
        Dim::Size,
        Dim::Count,
        Dim::Number,
        Dim::Bandwidth,
    ] {
        if let Some(q) = parse_as(text, dim) {
            assert!(q.value >= 0.0 && !q.value.is_nan(), "{text:?} as {dim:?}");
            let _ = q.to_string();
        }
    }
}

struct Present;
impl Env for Present {
    fn lookup(&self, path: &[String]) -> Option<Val> {
        (path.first().map(String::as_str) == Some("present")).then_some(Val::Bool(true))
    }
    fn scale_of(&self, _: &[String]) -> Option<Scale> {
        None
    }
}

/// The condition language of rule files, parsed and evaluated.
pub fn expr(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(e) = crate::lang::expr::parse(text)
    {
        let _ = crate::lang::expr::eval(&e, &Present);
    }
}

/// busfit.yaml: any text is a manifest or errors that point into the text.
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("busfit.yaml", text);
    if let Err(errors) = crate::config::manifest::parse(&file, "", crate::source::FileId(0), kb()) {
        for e in &errors {
            assert!(
                e.span.start <= e.span.end && e.span.end <= text.len(),
                "{e:?}"
            );
        }
        let _ = crate::report::errors::render_errors(&errors, false);
    }
}

const NAMES: &[&str] = &[
    "docker-compose.yml",
    "k8s/deploy.yaml",
    "asyncapi.yaml",
    "server.properties",
    "redis.conf",
    "mosquitto.conf",
    "package.json",
    "Cargo.toml",
    "pyproject.toml",
    "requirements.txt",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "chart/Chart.yaml",
    "chart/values.yaml",
    "chart/templates/broker.yaml",
    "nats-server.conf",
    "rabbitmq.conf",
    "kafka.yaml",
    "infra/msk.tf",
    "src/main/resources/application.yml",
    "config/application-prod.properties",
    "config/producer.properties",
];

const MANIFEST: &str = "version: 1
flows:
  - name: telemetry
    bus: kafka
    requires: { delivery: exactly-once, latency: 1ms, network: unstable, clients: [constrained-device], security: [tls, authentication, authorization] }
  - name: cache
    requires: { delivery: at-least-once, retention: 7d, offline_delivery: true }
settings:
  rules: { BF802: error }
";

/// The demanding busfit.yaml, parsed once, and the in-memory reader.
fn setup() -> &'static (crate::config::manifest::Manifest, InMemory<'static>) {
    static SETUP: OnceLock<(crate::config::manifest::Manifest, InMemory<'static>)> =
        OnceLock::new();
    SETUP.get_or_init(|| {
        let kb = kb();
        let m = crate::config::manifest::parse(
            &SourceFile::new("busfit.yaml", MANIFEST),
            "",
            crate::source::FileId(0),
            kb,
        )
        .expect("the fuzz manifest is valid");
        (m, InMemory::new(kb))
    })
}

/// The whole check of one file beside a busfit.yaml that declares demanding flows: the first
/// byte chooses the file's name, the rest is its text. Every output format is rendered.
pub fn check_file(data: &[u8]) {
    let (manifest, reader) = setup();
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = NAMES[*first as usize % NAMES.len()];
    if let Some(project) = reader.project(name, text, vec![manifest.clone()]) {
        judge(&project);
    }
}

/// Several files of one repository through the whole run (`project::load`, the check, every
/// output format). The input is split at NUL bytes; each piece's first byte picks its path
/// among check_file's names and `busfit.yaml`, the rest is its text (a path given twice keeps
/// its first text). A valid busfit.yaml in the input replaces the demanding one; an invalid one
/// ends the run, as it does busfit's. This reaches what one file cannot: values beside their
/// Chart.yaml, config files that compose services mount, inline flows resolved against
/// deployments in other files, settings.include / exclude / per_file_ignores.
pub fn project(data: &[u8]) {
    let kb = kb();
    let (manifest, reader) = setup();
    let mut files: Vec<(&str, &str)> = Vec::new();
    let mut own = None;
    for piece in data.split(|b| *b == 0) {
        let Some((first, rest)) = piece.split_first() else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        match NAMES.get(*first as usize % (NAMES.len() + 1)) {
            Some(name) => files.push((name, text)),
            None => {
                own.get_or_insert(text);
            }
        }
    }
    let m = match own {
        Some(text) => match crate::config::manifest::parse(
            &SourceFile::new("busfit.yaml", text),
            "",
            crate::source::FileId(0),
            kb,
        ) {
            Ok(m) => m,
            Err(_) => return,
        },
        None => manifest.clone(),
    };
    if let Some(project) = reader.repository(&files, Some(m)) {
        judge(&project);
    }
}

/// Checks a project and renders every output format; every finding lies inside its file.
fn judge(project: &crate::project::Project) {
    let kb = kb();
    let result = check_project(kb, project, &CheckOptions::default());
    for f in &result.findings {
        let p = result.position(f);
        assert!(p.line >= 1 && p.column >= 1, "{f:?}");
        let r = f.span.range;
        let len = result.table.get(f.span.file).text.len();
        assert!(r.start <= r.end && r.end <= len, "{f:?}");
    }
    let cx = crate::report::Context { kb, color: false };
    // SARIF's rule table is the same for every input and took most of the time: render it
    // with the table once, then without it
    static TABLE_RENDERED: std::sync::atomic::AtomicBool =
        std::sync::atomic::AtomicBool::new(false);
    let rendered = TABLE_RENDERED.swap(true, std::sync::atomic::Ordering::Relaxed);
    for format in crate::report::FORMATS {
        if format.name() == "sarif" && rendered {
            let _ = crate::report::sarif::without_rules(kb, &result);
        } else {
            let _ = format.render(&result, &cx);
        }
    }
    let _ = crate::report::statistics::statistics(&result);
}

/// The lean YAML path against serde-saphyr, document by document: the same tree, or the lean
/// path gives up; never a tree where serde-saphyr reads another one or none.
pub fn lean(data: &[u8]) {
    against_serde_saphyr(data, "lean", crate::tree::yaml::lean_only);
}

/// The block YAML path against serde-saphyr, as [`lean`] does the lean path.
pub fn block(data: &[u8]) {
    against_serde_saphyr(data, "block", crate::tree::yaml::block_only);
}

/// A faster YAML reader against serde-saphyr on every document of the input.
fn against_serde_saphyr(data: &[u8], name: &str, reader: fn(&str) -> Option<crate::tree::Node>) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (a, b) in crate::tree::yaml::documents(text) {
        let Some(piece) = text.get(a..b) else {
            continue;
        };
        if let Some(tree) = reader(piece) {
            match crate::tree::yaml::parse_full(piece) {
                Ok(full) => assert_eq!(tree, full, "{piece:?}"),
                Err(e) => panic!(
                    "the {name} path read {piece:?}; serde-saphyr refused it: {}",
                    e.message
                ),
            }
        }
    }
}

/// One file through the whole check under a fixed name (its reader and the rules after it).
fn check_named(name: &str, text: &str) {
    let kb = kb();
    static READER: OnceLock<InMemory<'static>> = OnceLock::new();
    let reader = READER.get_or_init(|| InMemory::new(kb));
    let Some(project) = reader.project(name, text, Vec::new()) else {
        return;
    };
    let result = check_project(kb, &project, &CheckOptions::default());
    for f in &result.findings {
        let r = f.span.range;
        let len = result.table.get(f.span.file).text.len();
        assert!(r.start <= r.end && r.end <= len, "{f:?}");
        assert!(
            result.table.get(f.span.file).text.is_char_boundary(r.start),
            "{f:?}"
        );
    }
    let _ = crate::report::format("json")
        .map(|f| f.render(&result, &crate::report::Context { kb, color: false }));
}

/// Terraform (`*.tf`, read with hcl-edit): any text is resources, a BF001 or nothing.
pub fn hcl(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check_named("infra/main.tf", text);
    }
}

/// A Terraform module evaluated as `terraform plan` would (issue 24): the input split at NUL
/// bytes is a module's `variables.tf`, `terraform.tfvars` and `main.tf` (a resource whose
/// attributes read variables and locals stands in when the third is missing), then a root
/// module that calls it (`live/main.tf`; a call passing two arguments stands in). Calls may
/// cycle, repeat and disagree. Hostile
/// expressions, deep nesting and long `for` expressions end as values, unknowns or a finding:
/// never a panic, never a hang, and every finding lies inside its file.
pub fn terraform(data: &[u8]) {
    const MAIN: &str = r#"locals {
  nodes = var.cluster_mode ? var.shards * var.replicas : var.size
}
resource "aws_elasticache_replication_group" "r" {
  num_cache_clusters         = local.nodes
  automatic_failover_enabled = var.failover
  transit_encryption_enabled = var.tls
  auth_token                 = var.token
}
"#;
    const CALLER: &str = r#"module "cache" {
  source = "../infra"
  size   = var.size
  tls    = true
}
"#;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut pieces = text.split('\0');
    let variables = pieces.next().unwrap_or("");
    let tfvars = pieces.next().unwrap_or("");
    let main = pieces.next().unwrap_or(MAIN);
    let caller = pieces.next().unwrap_or(CALLER);
    let files = [
        ("infra/variables.tf", variables),
        ("infra/terraform.tfvars", tfvars),
        ("infra/main.tf", main),
        ("live/main.tf", caller),
    ];
    let (_, reader) = setup();
    if let Some(project) = reader.repository(&files, None) {
        judge(&project);
    }
}

/// Spring Boot configuration: the first byte chooses YAML or properties, the rest is the text.
pub fn spring(data: &[u8]) {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = if first % 2 == 0 {
        "src/main/resources/application.yml"
    } else {
        "src/main/resources/application-prod.properties"
    };
    check_named(name, text);
}
