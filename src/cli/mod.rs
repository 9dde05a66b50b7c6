//! Command-line arguments and dispatch. `main.rs` only calls [`run`].

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::config::manifest::{self, FailOn};
use crate::kb::Kb;
use crate::kb::requirements::{self, ReqValue, Requirements};
use crate::lang::spelling::did_you_mean;
use crate::lint::eval::{self, Levels};
use crate::lint::{self, CheckOptions};
use crate::project::Project;
use crate::report;
use crate::report::errors::render_errors;
use crate::source::{ConfigError, SourceFile};

#[derive(Parser, Debug)]
#[command(
    name = "busfit",
    version,
    about = "A linter for message-bus choices: checks what a repository needs against the bus it deploys",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check flows against their buses (the default command)
    Check(Box<CheckArgs>),
    /// Rank every bus for every flow, from busfit.yaml or from flags
    Recommend(Box<RecommendArgs>),
    /// List every bus deployment and client library found, and each flow's bus
    Inventory {
        /// Files or directories (default: the current directory)
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = RecFormat::Table)]
        format: RecFormat,
        /// Read files that .gitignore and .ignore exclude
        #[arg(long)]
        no_ignore: bool,
    },
    /// Explain a rule: what it checks, why, an example, the fix, its sources
    Explain {
        /// A rule code (BF101) or name (delivery-guarantee-unsupported)
        rule: String,
    },
    /// List every rule
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Write a busfit.yaml with one flow per bus found in the repository
    Init {
        /// The directory to write busfit.yaml into (default: the current directory)
        path: Option<PathBuf>,
    },
    /// Print the JSON Schema of busfit.yaml, for editors
    Schema,
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Show the knowledge base as a comparison table
    Buses {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Only these buses (repeatable, or comma separated)
        #[arg(long = "bus", value_delimiter = ',')]
        buses: Vec<String>,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Full,
    Concise,
    Json,
    Sarif,
    Github,
    Junit,
    Gitlab,
    Markdown,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Args, Debug, Default)]
pub struct CheckArgs {
    /// Files or directories to check (default: the current directory)
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Lowest severity that makes busfit exit 1 [default: warning]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// Use this busfit.yaml instead of discovering them
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only these rules (codes, code prefixes or names; comma separated)
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules (codes, code prefixes or names; comma separated)
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// A requirement for every flow, as KEY=VALUE (repeatable; lists comma separated)
    #[arg(long = "require", value_name = "KEY=VALUE")]
    pub require: Vec<String>,
    /// Read files that .gitignore and .ignore exclude
    #[arg(long)]
    pub no_ignore: bool,
    /// When to use colour
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print the number of findings per rule instead of the findings
    #[arg(long)]
    pub statistics: bool,
    /// Report only findings that this baseline file does not hold
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every current finding to a baseline file and exit 0
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// With `-` as the path: the name of the file read from standard input
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Threads for walking and reading [default: one per core]; output is the same for any number
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Args, Debug)]
pub struct RecommendArgs {
    /// Where to look for busfit.yaml (ignored when requirement flags are given)
    pub path: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = RecFormat::Table)]
    pub format: RecFormat,
    #[arg(long)]
    pub delivery: Option<String>,
    #[arg(long)]
    pub latency: Option<String>,
    #[arg(long)]
    pub throughput: Option<String>,
    #[arg(long)]
    pub message_size: Option<String>,
    #[arg(long)]
    pub retention: Option<String>,
    #[arg(long)]
    pub ordering: Option<String>,
    #[arg(long)]
    pub clients: Option<String>,
    #[arg(long)]
    pub connections: Option<String>,
    #[arg(long)]
    pub network: Option<String>,
    #[arg(long)]
    pub offline_delivery: Option<String>,
    #[arg(long)]
    pub scaling: Option<String>,
    #[arg(long)]
    pub security: Option<String>,
    #[arg(long)]
    pub ops_complexity: Option<String>,
    #[arg(long)]
    pub broker_memory: Option<String>,
    #[arg(long)]
    pub ecosystem: Option<String>,
    #[arg(long)]
    pub use_case: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecFormat {
    Table,
    Json,
}

impl RecommendArgs {
    fn flags(&self) -> Vec<(&'static str, &String)> {
        let all: [(&'static str, &Option<String>); 16] = [
            ("delivery", &self.delivery),
            ("latency", &self.latency),
            ("throughput", &self.throughput),
            ("message_size", &self.message_size),
            ("retention", &self.retention),
            ("ordering", &self.ordering),
            ("clients", &self.clients),
            ("connections", &self.connections),
            ("network", &self.network),
            ("offline_delivery", &self.offline_delivery),
            ("scaling", &self.scaling),
            ("security", &self.security),
            ("ops_complexity", &self.ops_complexity),
            ("broker_memory", &self.broker_memory),
            ("ecosystem", &self.ecosystem),
            ("use_case", &self.use_case),
        ];
        all.into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
            .collect()
    }
}

/// Whether to colour output: never when stdout is not a terminal or NO_COLOR is set.
fn use_color(choice: ColorChoice) -> bool {
    let env_set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env_set("NO_COLOR") {
                false
            } else if env_set("FORCE_COLOR") {
                true
            } else {
                std::io::stdout().is_terminal()
            }
        }
    }
}

fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn fail(errors: &[ConfigError]) -> i32 {
    let _ = std::io::stderr().write_all(render_errors(errors, stderr_color()).as_bytes());
    2
}

fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    // a closed pipe (`busfit … | head`) is not an error worth a panic
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn load_kb() -> Result<Kb, Vec<ConfigError>> {
    Kb::builtin()
}

/// Loads the custom rules a manifest names (relative to its directory).
fn add_custom_rules(kb: &mut Kb, manifests: &[manifest::Manifest]) -> Result<(), Vec<ConfigError>> {
    for m in manifests {
        let Some(dir) = &m.settings.custom_rules else {
            continue;
        };
        let base = crate::source::read::inside(&m.dir, dir).map_err(|e| {
            vec![
                ConfigError::plain(format!("{}: custom_rules: {e}", m.file.name))
                    .code("busfit::rules"),
            ]
        })?;
        let entries = std::fs::read_dir(&base).map_err(|e| {
            vec![
                ConfigError::plain(format!(
                    "{}: custom rules directory {}: {e}",
                    m.file.name,
                    base.display()
                ))
                .code("busfit::rules"),
            ]
        })?;
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        for f in files {
            // only rule files that stay inside the directory, and regular files of sane size
            let text = crate::source::read::inside(
                &m.dir,
                &format!(
                    "{dir}/{}",
                    f.file_name().unwrap_or_default().to_string_lossy()
                ),
            )
            .and_then(|p| {
                crate::source::read::read_text_file(&p, crate::source::read::MAX_FILE_BYTES)
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| {
                vec![ConfigError::plain(format!("{}: {e}", f.display())).code("busfit::rules")]
            })?;
            let name = f.to_string_lossy().replace('\\', "/");
            kb.add_rules(&SourceFile::new(name, text))?;
        }
    }
    Ok(())
}

/// Finds the manifests for the paths (or takes `--config`), loads custom rules, and reads
/// every file that can matter.
fn open_project(
    kb: &mut Kb,
    paths: &[PathBuf],
    config: Option<&PathBuf>,
    no_ignore: bool,
    stdin: Option<(&std::path::Path, &str)>,
) -> Result<Project, Vec<ConfigError>> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let t = std::time::Instant::now();
    let mut scan = crate::discover::scan(kb, paths, no_ignore, stdin.map(|s| s.0), &cwd)
        .map_err(|e| vec![*e])?;
    timing("walk", t);
    if let Some(c) = config {
        if !c.is_file() {
            return Err(vec![
                ConfigError::plain(format!("--config {}: no such file", c.display()))
                    .code("busfit::io"),
            ]);
        }
        scan.manifests = vec![c.canonicalize().unwrap_or_else(|_| c.clone())];
    }
    let manifests = lint::load_manifests(&scan.manifests, &cwd, kb)?;
    add_custom_rules(kb, &manifests)?;
    let stdin = stdin.map(|(name, text)| (crate::source::path::display_path(name, &cwd), text));
    let t = std::time::Instant::now();
    let project = crate::project::load(
        kb,
        &scan,
        manifests,
        stdin.as_ref().map(|(n, t)| (n.as_str(), *t)),
    );
    timing("read and extract", t);
    project
}

/// With BUSFIT_TIMINGS set, prints how long a phase took (for the benchmark, never in tests).
fn timing(phase: &str, since: std::time::Instant) {
    if std::env::var_os("BUSFIT_TIMINGS").is_some() {
        eprintln!(
            "busfit: {phase}: {:.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
}

fn parse_requires(
    list: &[String],
) -> Result<Vec<(String, crate::lang::expr::Val)>, Vec<ConfigError>> {
    let mut out = Vec::new();
    for item in list {
        let Some((k, v)) = item.split_once('=') else {
            return Err(vec![
                ConfigError::plain(format!(
                    "--require `{item}`: expected KEY=VALUE, such as delivery=exactly-once"
                ))
                .code("busfit::usage"),
            ]);
        };
        match requirements::parse_assignment(k.trim(), v) {
            Ok(kv) => out.push(kv),
            Err(bad) => {
                return Err(vec![
                    ConfigError::plain(format!("--require {item}: {}", bad.message))
                        .help(bad.help)
                        .code("busfit::usage"),
                ]);
            }
        }
    }
    Ok(out)
}

fn run_check(args: CheckArgs) -> i32 {
    if let Some(n) = args.threads {
        // the global pool is built once, before any parallel work
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let mut kb = match load_kb() {
        Ok(kb) => kb,
        Err(e) => return fail(&e),
    };
    let mut paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // `-`: one file from standard input, named by --stdin-filename
    let mut stdin_text = None;
    if paths.iter().any(|p| p.as_os_str() == "-") {
        let Some(name) = args.stdin_filename.clone() else {
            return fail(&[ConfigError::plain(
                "`-` reads standard input and needs --stdin-filename NAME",
            )
            .help("for example: helm template . | busfit check --stdin-filename rendered.yaml -")
            .code("busfit::usage")]);
        };
        let mut text = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text) {
            return fail(&[ConfigError::plain(format!("standard input: {e}")).code("busfit::io")]);
        }
        stdin_text = Some(text);
        for p in paths.iter_mut().filter(|p| p.as_os_str() == "-") {
            *p = name.clone();
        }
    }
    let stdin = args.stdin_filename.as_deref().zip(stdin_text.as_deref());
    let project = match open_project(&mut kb, &paths, args.config.as_ref(), args.no_ignore, stdin) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let changed: Vec<String> = paths
        .iter()
        .filter(|p| !p.is_dir())
        .map(|p| crate::source::path::display_path(p, &cwd))
        .collect();
    let requires = match parse_requires(&args.require) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    for sel in args.select.iter().chain(&args.ignore) {
        if kb.rule(sel).is_none() && !kb.rules.iter().any(|r| r.code.starts_with(sel.as_str())) {
            let names: Vec<&str> = kb
                .rules
                .iter()
                .flat_map(|r| [r.code.as_str(), r.name.as_str()])
                .collect();
            return fail(&[ConfigError::plain(format!("unknown rule `{sel}`"))
                .help(format!(
                    "{}see `busfit rules`",
                    did_you_mean(sel, names.iter().copied())
                ))
                .code("busfit::usage")]);
        }
    }
    let opts = CheckOptions {
        paths,
        config: args.config.clone(),
        requires,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(|f| match f {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Info => FailOn::Info,
            FailOnArg::Never => FailOn::Never,
        }),
        no_ignore: args.no_ignore,
        changed,
    };
    let t = std::time::Instant::now();
    let mut result = lint::check_project(&kb, &project, &opts);
    timing("check", t);
    if let Some(path) = &args.write_baseline {
        return match crate::lint::baseline::write(path, &result.findings) {
            Ok(()) => {
                eprintln!(
                    "Wrote {} findings to {}.",
                    result.findings.len(),
                    path.display()
                );
                0
            }
            Err(e) => fail(&[*e]),
        };
    }
    // --baseline, else the nearest manifest's `settings.baseline`
    let from_manifest = project
        .manifests
        .iter()
        .find_map(|m| Some((m, m.settings.baseline.as_ref()?)));
    let baseline = match (&args.baseline, from_manifest) {
        (Some(b), _) => Some(b.clone()),
        (None, Some((m, b))) => match crate::source::read::inside(&m.dir, b) {
            Ok(p) => Some(p),
            Err(e) => {
                return fail(&[ConfigError::plain(format!(
                    "{}: settings.baseline: {e}",
                    m.file.name
                ))
                .code("busfit::baseline")]);
            }
        },
        (None, None) => None,
    };
    if let Some(path) = baseline {
        match crate::lint::baseline::read(&path) {
            Ok(accepted) => {
                result.findings =
                    crate::lint::baseline::filter(std::mem::take(&mut result.findings), accepted)
            }
            Err(e) => return fail(&[*e]),
        }
    }
    let text = match args.format.unwrap_or(OutputFormat::Full) {
        _ if args.statistics => crate::report::formats::statistics(&result),
        OutputFormat::Full => report::full(&result, use_color(args.color)),
        OutputFormat::Concise => report::concise(&result),
        OutputFormat::Json => report::json(&result),
        OutputFormat::Sarif => crate::report::formats::sarif(&kb, &result),
        OutputFormat::Github => crate::report::formats::github(&result),
        OutputFormat::Junit => crate::report::formats::junit(&result),
        OutputFormat::Gitlab => crate::report::formats::gitlab(&result),
        OutputFormat::Markdown => crate::report::formats::markdown(&result),
    };
    print(&text);
    i32::from(result.failed())
}

fn run_recommend(args: RecommendArgs) -> i32 {
    let kb = match load_kb() {
        Ok(kb) => kb,
        Err(e) => return fail(&e),
    };
    let flags = args.flags();
    let mut out: Vec<(String, Option<String>, Vec<eval::Ranked>)> = Vec::new();
    if !flags.is_empty() {
        let mut reqs = Requirements::default();
        for (k, v) in flags {
            match requirements::parse_assignment(k, v) {
                Ok((k, val)) => {
                    reqs.map.insert(
                        k,
                        ReqValue {
                            val,
                            span: None,
                            origin: None,
                        },
                    );
                }
                Err(bad) => {
                    return fail(&[ConfigError::plain(format!(
                        "--{} {v}: {}",
                        k.replace('_', "-"),
                        bad.message
                    ))
                    .help(bad.help)
                    .code("busfit::usage")]);
                }
            }
        }
        let ranking = eval::rank(&kb, &Levels::default(), &kb.profiles, &reqs, "command-line");
        out.push(("command-line".into(), None, ranking));
    } else {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
        let scan = match crate::discover::scan(&kb, &[path], false, None, &cwd) {
            Ok(s) => s,
            Err(e) => return fail(&[*e]),
        };
        let manifests = match lint::load_manifests(&scan.manifests, &cwd, &kb) {
            Ok(m) => m,
            Err(e) => return fail(&e),
        };
        if manifests.is_empty() {
            return fail(&[ConfigError::plain("no busfit.yaml found and no requirement flags given")
                .help("pass requirements as flags, such as `busfit recommend --delivery exactly-once --retention 30d`")
                .code("busfit::usage")]);
        }
        for m in &manifests {
            let levels = Levels {
                map: m.settings.rules.clone(),
            };
            let profiles: Vec<_> = kb
                .profiles
                .iter()
                .map(|p| manifest::apply_overrides(p, &m.overrides))
                .collect();
            for f in &m.flows {
                let mut reqs = f.requires.clone();
                reqs.merge_under(&m.defaults);
                let ranking = eval::rank(&kb, &levels, &profiles, &reqs, &f.name);
                out.push((f.name.clone(), f.bus.as_ref().map(|b| b.0.clone()), ranking));
            }
        }
    }
    let text = match args.format {
        RecFormat::Json => commands::ranking_json(&out),
        RecFormat::Table => out
            .iter()
            .map(|(n, c, r)| commands::ranking_text(n, c.as_deref(), r))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    print(&text);
    0
}

fn project_flows(project: &Project) -> usize {
    let mut buses: Vec<&str> = project
        .facts
        .deployments
        .iter()
        .map(|d| d.bus.as_str())
        .collect();
    buses.extend(project.facts.clients.iter().map(|c| c.bus.as_str()));
    buses.sort_unstable();
    buses.dedup();
    buses.len()
}

pub fn run(cli: Cli) -> i32 {
    match cli.command {
        None => run_check(cli.check),
        Some(Command::Check(args)) => run_check(*args),
        Some(Command::Recommend(args)) => run_recommend(*args),
        Some(Command::Inventory {
            paths,
            format,
            no_ignore,
        }) => {
            let mut kb = match load_kb() {
                Ok(kb) => kb,
                Err(e) => return fail(&e),
            };
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let project = match open_project(&mut kb, &paths, None, no_ignore, None) {
                Ok(p) => p,
                Err(e) => return fail(&e),
            };
            let flows = lint::resolve(&project, &Requirements::default());
            print(&commands::inventory(
                &project,
                &flows,
                format == RecFormat::Json,
            ));
            0
        }
        Some(Command::Init { path }) => {
            let kb = match load_kb() {
                Ok(kb) => kb,
                Err(e) => return fail(&e),
            };
            let dir = path.unwrap_or_else(|| PathBuf::from("."));
            let target = dir.join("busfit.yaml");
            if target.exists() {
                return fail(&[ConfigError::plain(format!(
                    "{} already exists; busfit init does not overwrite it",
                    target.display()
                ))
                .help("edit it, or move it away and run `busfit init` again")
                .code("busfit::usage")]);
            }
            // read what is deployed, ignoring any manifest above: init writes a new one
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            let project =
                match crate::discover::scan(&kb, std::slice::from_ref(&dir), false, None, &cwd)
                    .map_err(|e| vec![*e])
                    .and_then(|mut scan| {
                        scan.manifests.clear();
                        crate::project::load(&kb, &scan, Vec::new(), None)
                    }) {
                    Ok(p) => p,
                    Err(e) => return fail(&e),
                };
            if let Err(e) = std::fs::write(&target, crate::commands::init::manifest(&project)) {
                return fail(&[
                    ConfigError::plain(format!("{}: {e}", target.display())).code("busfit::io")
                ]);
            }
            eprintln!(
                "Wrote {} with {} flows; set their requirements and run `busfit check`.",
                target.display(),
                project_flows(&project)
            );
            0
        }
        Some(Command::Schema) => {
            print(&crate::config::schema::json());
            0
        }
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "busfit", &mut buf);
            print(&String::from_utf8_lossy(&buf));
            0
        }
        Some(Command::Explain { rule }) => {
            let kb = match load_kb() {
                Ok(kb) => kb,
                Err(e) => return fail(&e),
            };
            match kb.rule(&rule) {
                Some(r) => {
                    print(&commands::explain(r));
                    0
                }
                None => {
                    let names: Vec<&str> = kb
                        .rules
                        .iter()
                        .flat_map(|r| [r.code.as_str(), r.name.as_str()])
                        .collect();
                    let mut close: Vec<(usize, &str)> = names
                        .iter()
                        .map(|n| (crate::lang::spelling::distance(&rule, n), *n))
                        .filter(|(d, _)| *d <= 3)
                        .collect();
                    close.sort();
                    let close: Vec<&str> = close.into_iter().map(|c| c.1).collect();
                    let mut close = close;
                    close.truncate(5);
                    let help = if close.is_empty() {
                        "see `busfit rules` for every code and name".to_owned()
                    } else {
                        format!("nearest: {}", close.join(", "))
                    };
                    fail(&[ConfigError::plain(format!("unknown rule `{rule}`"))
                        .help(help)
                        .code("busfit::usage")])
                }
            }
        }
        Some(Command::Rules { format }) => {
            let kb = match load_kb() {
                Ok(kb) => kb,
                Err(e) => return fail(&e),
            };
            print(&match format {
                ListFormat::Table => commands::rules_table(&kb),
                ListFormat::Json => commands::rules_json(&kb),
                ListFormat::Markdown => commands::rules_markdown(&kb),
            });
            0
        }
        Some(Command::Buses { format, buses }) => {
            let kb = match load_kb() {
                Ok(kb) => kb,
                Err(e) => return fail(&e),
            };
            for b in &buses {
                if kb.profile(b).is_none() {
                    return fail(&[ConfigError::plain(format!("unknown bus `{b}`"))
                        .help(format!(
                            "{}bus kinds: {}",
                            did_you_mean(b, kb.bus_names()),
                            kb.bus_names().collect::<Vec<_>>().join(", ")
                        ))
                        .code("busfit::usage")]);
                }
            }
            let sel: Vec<&str> = buses.iter().map(String::as_str).collect();
            print(&match format {
                ListFormat::Table => commands::buses_table(&kb, &sel),
                ListFormat::Json => commands::buses_json(&kb),
                ListFormat::Markdown => commands::buses_markdown(&kb),
            });
            0
        }
    }
}
