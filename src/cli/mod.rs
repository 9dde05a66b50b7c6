//! Command-line arguments and dispatch. `main.rs` only calls [`run`].

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app;
use crate::commands;
use crate::config::environment::Environment;
use crate::config::manifest::{self, FailOn};
use crate::kb::Kb;
use crate::kb::requirements::{self, ReqValue, Requirements};
use crate::lang::spelling::did_you_mean;
use crate::lint::eval::{self, Levels};
use crate::lint::{self, CheckOptions};
use crate::project::Project;
use crate::report;
use crate::report::errors::render_errors;
use crate::source::ConfigError;
use crate::source::path::display_path;
use crate::source::read::Reader;

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
        #[arg(long, value_enum, default_value_t = InvFormat::Table)]
        format: InvFormat,
        /// Read files that .gitignore and .ignore exclude
        #[arg(long)]
        no_ignore: bool,
        /// Take every file as in this environment [default: inferred per file]
        #[arg(long, value_enum, value_name = "ENV")]
        environment: Option<EnvironmentArg>,
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

/// The names `--format` takes: one per file of `report/`.
fn format_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(report::FORMATS.iter().map(|f| f.name()))
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
    #[arg(long, value_parser = format_names())]
    pub format: Option<String>,
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
    /// Write the report to this file instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Print the findings only, without the summary line
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Exit 0 even when findings are at or above --fail-on (errors in busfit.yaml still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Let --write-baseline replace a file that is not a busfit baseline
    #[arg(long)]
    pub force: bool,
    /// Judge every file as in this environment, whatever its folder or name [default: inferred per file]
    #[arg(long, value_enum, value_name = "ENV")]
    pub environment: Option<EnvironmentArg>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum EnvironmentArg {
    Production,
    Development,
    Example,
    Test,
}

impl EnvironmentArg {
    fn env(self) -> Environment {
        match self {
            EnvironmentArg::Production => Environment::Production,
            EnvironmentArg::Development => Environment::Development,
            EnvironmentArg::Example => Environment::Example,
            EnvironmentArg::Test => Environment::Test,
        }
    }
}

#[derive(Args, Debug)]
pub struct RecommendArgs {
    /// Where to look for busfit.yaml (ignored when requirement flags are given)
    pub path: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = RecFormat::Table)]
    pub format: RecFormat,
    /// One flag per requirement key of busfit.yaml (`--delivery`, `--message-size`, …).
    #[command(flatten)]
    pub requires: RequirementFlags,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecFormat {
    Table,
    Json,
}

/// `inventory`'s formats: tables, JSON, or the topology as a Mermaid flowchart.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum InvFormat {
    Table,
    Json,
    Mermaid,
}

/// `recommend`'s requirement flags, one per key of `kb::requirements::KEYS`: a requirement
/// added there is a flag here, with its description and accepted values as help.
#[derive(Debug, Default, Clone)]
pub struct RequirementFlags {
    /// The flags given, as (requirement key, value), in key order.
    pub given: Vec<(&'static str, String)>,
}

impl clap::FromArgMatches for RequirementFlags {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let given = requirements::KEYS
            .iter()
            .filter_map(|k| Some((k.key, m.get_one::<String>(k.key)?.clone())))
            .collect();
        Ok(RequirementFlags { given })
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl Args for RequirementFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        requirements::KEYS.iter().fold(cmd, |cmd, k| {
            cmd.arg(
                clap::Arg::new(k.key)
                    .long(k.key.replace('_', "-"))
                    .value_name(k.key.to_uppercase())
                    .help(format!("{}: {}", k.about, k.kind.accepted())),
            )
        })
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// Whether to colour output: never when stdout is not a terminal or NO_COLOR is set.
fn use_color(choice: ColorChoice) -> bool {
    let env_set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            // NO_COLOR, and a terminal that says it draws no colour (TERM=dumb)
            if env_set("NO_COLOR") || std::env::var_os("TERM").is_some_and(|t| t == "dumb") {
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
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        && std::io::stderr().is_terminal()
}

fn fail(errors: &[ConfigError]) -> i32 {
    let _ = std::io::stderr().write_all(render_errors(errors, stderr_color()).as_bytes());
    2
}

/// A configuration error of `check`: on stderr, and, in a machine format, as a valid report
/// of that format on stdout (or `--output-file`) that carries the error; exit 2 either way.
fn fail_check(args: &CheckArgs, errors: &[ConfigError]) -> i32 {
    let format = args.format.as_deref().unwrap_or("full");
    if let Some(doc) = report::errors::machine_report(format, errors) {
        match &args.output_file {
            Some(path) => {
                let _ = write_output(path, &doc);
            }
            None => print(&doc),
        }
    }
    fail(errors)
}

fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    // a closed pipe (`busfit … | head`) is not an error worth a panic
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn load_kb() -> Result<Kb, Vec<ConfigError>> {
    let t = std::time::Instant::now();
    let kb = Kb::builtin();
    app::timing("knowledge", t);
    kb
}

/// With `-` among the paths: reads standard input into a reader under the name given by
/// `--stdin-filename`, which then stands for `-`.
fn read_stdin(paths: &mut [PathBuf], name: Option<&PathBuf>) -> Result<Reader, Vec<ConfigError>> {
    let mut reader = Reader::default();
    if !paths.iter().any(|p| p.as_os_str() == "-") {
        return Ok(reader);
    }
    let Some(name) = name else {
        return Err(vec![
            ConfigError::plain("`-` reads standard input and needs --stdin-filename NAME")
                .help(
                    "for example: helm template . | busfit check --stdin-filename rendered.yaml -",
                )
                .code("busfit::usage"),
        ]);
    };
    // bounded like any file: the size cap applies while reading, not after
    let cap = crate::source::read::MAX_FILE_BYTES;
    let mut bytes = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin().lock(), cap + 1),
        &mut bytes,
    ) {
        return Err(vec![
            ConfigError::plain(format!("standard input: {e}")).code("busfit::io"),
        ]);
    }
    if bytes.len() as u64 > cap {
        return Err(vec![
            ConfigError::plain(format!(
                "standard input is larger than {} MiB, the size busfit reads of one file",
                cap / (1024 * 1024)
            ))
            .help("check the file itself, where settings.max_file_size can raise the cap")
            .code("busfit::io"),
        ]);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    reader.hold(display_path(name, &app::cwd()), text);
    for p in paths.iter_mut().filter(|p| p.as_os_str() == "-") {
        p.clone_from(name);
    }
    Ok(reader)
}

/// Stack of each worker thread: a YAML document may nest 128 levels (the parser's budget),
/// and reading it recurses once per level.
const WORKER_STACK: usize = 16 * 1024 * 1024;

/// The global pool is built once, before any parallel work.
fn pool(threads: Option<usize>) {
    let mut b = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK);
    if let Some(n) = threads {
        // more threads than this help nothing and cost a 16 MiB stack each: `-j 100000`
        // would exhaust the address space
        let most = std::thread::available_parallelism()
            .map_or(8, std::num::NonZeroUsize::get)
            .saturating_mul(4)
            .max(1);
        b = b.num_threads(n.clamp(1, most));
    }
    let _ = b.build_global();
}

fn run_check(args: CheckArgs) -> i32 {
    let mut paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // `-`: one file from standard input, named by --stdin-filename
    let reader = match read_stdin(&mut paths, args.stdin_filename.as_ref()) {
        Ok(r) => r,
        Err(e) => return fail_check(&args, &e),
    };
    // --config DIR: the busfit.yaml (or busfit.yml) in it
    let config = match args.config.as_ref().map(|c| config_file(c)).transpose() {
        Ok(c) => c,
        Err(e) => return fail_check(&args, &[*e]),
    };
    // the knowledge loads while the paths are walked
    let (kb, project) = match app::load_and_open(
        &reader,
        &paths,
        config.as_ref(),
        args.no_ignore,
        args.stdin_filename.as_deref(),
    ) {
        Ok(loaded) => loaded,
        Err(e) => return fail_check(&args, &e),
    };
    let cwd = app::cwd();
    // files named alone (pre-commit passes the changed files): report what concerns them; a
    // folder named beside them is checked whole
    let changed: Vec<String> = if paths.iter().any(|p| p.is_dir()) {
        Vec::new()
    } else {
        paths.iter().map(|p| named_path(p, &cwd)).collect()
    };
    let requires = match app::parse_requires(&args.require) {
        Ok(r) => r,
        Err(e) => return fail_check(&args, &e),
    };
    for sel in args.select.iter().chain(&args.ignore) {
        if kb.rule(sel).is_none() && !kb.rules.iter().any(|r| r.code.starts_with(sel.as_str())) {
            let names: Vec<&str> = kb.rule_names().collect();
            return fail_check(
                &args,
                &[ConfigError::plain(format!("unknown rule `{sel}`"))
                    .help(format!(
                        "{}see `busfit rules`",
                        did_you_mean(sel, names.iter().copied())
                    ))
                    .code("busfit::usage")],
            );
        }
    }
    let opts = CheckOptions {
        requires,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(|f| match f {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Info => FailOn::Info,
            FailOnArg::Never => FailOn::Never,
        }),
        changed,
        environment: args.environment.map(EnvironmentArg::env),
    };
    let t = std::time::Instant::now();
    let mut result = lint::check_project(&kb, &project, &opts);
    app::timing("check", t);
    if let Some(path) = &args.write_baseline {
        return match crate::lint::baseline::write(path, &result, args.force) {
            Ok(()) => {
                eprintln!(
                    "Wrote {} to {}.",
                    report::plural(result.findings.len(), "finding"),
                    path.display()
                );
                0
            }
            Err(e) => fail(&[*e]),
        };
    }
    if let Err(e) = app::apply_baseline(&project, args.baseline.as_ref(), &mut result) {
        return fail_check(&args, &[*e]);
    }
    let cx = report::Context {
        kb: &kb,
        // a report written to a file is never coloured
        color: args.output_file.is_none() && use_color(args.color),
    };
    let format = args.format.as_deref().unwrap_or("full");
    if format == "markdown" {
        // the report draws the topology: services, deployments with their findings, flows
        let flows = lint::resolve(&project, &Requirements::default());
        let situation = crate::situation::Situation::of(&kb, &project, opts.environment);
        result.diagram = Some(commands::topology::mermaid(
            &project,
            &situation,
            &flows,
            &result.findings,
        ));
    }
    let t = std::time::Instant::now();
    let Some(f) = report::format(format) else {
        return fail_check(
            &args,
            &[ConfigError::plain(format!("unknown format `{format}`"))],
        );
    };
    let mut text = if args.statistics {
        report::statistics::statistics(&result)
    } else if args.quiet || args.output_file.is_some() {
        f.render(&result, &cx)
    } else {
        // written as it is rendered (a closed pipe, `busfit … | head`, is not an error)
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let _ = f.write(&result, &cx, &mut out);
        let _ = out.flush();
        String::new()
    };
    // -q: the findings only, without the summary line of the human formats
    if args.quiet && matches!(format, "full" | "concise") {
        let summary = report::summary_line(&result);
        if let Some(i) = text.rfind(&summary) {
            text.truncate(i);
        }
    }
    app::timing("render", t);
    match &args.output_file {
        Some(path) => {
            if let Err(e) = write_output(path, &text) {
                return fail_check(&args, &[*e]);
            }
        }
        None => print(&text),
    }
    let code = if args.exit_zero {
        0
    } else {
        i32::from(result.failed())
    };
    // the process ends here: what it read is left to the operating system to take back, not
    // freed piece by piece (tens of thousands of trees, texts and findings on a monorepo)
    std::mem::forget((result, project, reader, kb, text));
    code
}

/// `--config`: a file, or a directory holding busfit.yaml or busfit.yml.
fn config_file(path: &std::path::Path) -> Result<PathBuf, Box<ConfigError>> {
    if !path.is_dir() {
        return Ok(path.to_path_buf());
    }
    manifest::FILE_NAMES
        .iter()
        .map(|n| path.join(n))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Box::new(
                ConfigError::plain(format!(
                    "--config {}: a directory with no busfit.yaml or busfit.yml in it",
                    path.display()
                ))
                .help("name the file, or run `busfit init` in that directory")
                .code("busfit::usage"),
            )
        })
}

/// A path named on the command line as busfit shows it, without resolving a symlink in its
/// last component (a busfit.yaml that links to a shared file is shown under its own name).
fn named_path(p: &std::path::Path, cwd: &std::path::Path) -> String {
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                dir
            };
            let shown = display_path(dir, cwd);
            if shown == "." {
                name.to_string_lossy().into_owned()
            } else {
                format!("{shown}/{}", name.to_string_lossy())
            }
        }
        _ => display_path(p, cwd),
    }
}

/// `--output-file`: the report, never written through a symbolic link.
fn write_output(path: &std::path::Path, text: &str) -> Result<(), Box<ConfigError>> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Box::new(
            ConfigError::plain(format!(
                "{} is a symbolic link; busfit does not write through one",
                path.display()
            ))
            .code("busfit::io"),
        ));
    }
    std::fs::write(path, text).map_err(|e| {
        Box::new(ConfigError::plain(format!("{}: {e}", path.display())).code("busfit::io"))
    })
}

fn run_recommend(args: RecommendArgs) -> i32 {
    let kb = match load_kb() {
        Ok(kb) => kb,
        Err(e) => return fail(&e),
    };
    let flags = &args.requires.given;
    let mut out: Vec<commands::recommend::FlowRanking> = Vec::new();
    if !flags.is_empty() {
        let mut reqs = Requirements::default();
        for (k, v) in flags {
            match requirements::parse_assignment(k, v) {
                Ok((k, val)) => {
                    reqs.map.insert(k, ReqValue { val, span: None });
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
        let designs = eval::designs(&kb, &reqs, "command-line");
        out.push(("command-line".into(), None, ranking, designs));
    } else {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
        let scan = match crate::discover::scan(&kb, &[path], false, None, &cwd) {
            Ok(s) => s,
            Err(e) => return fail(&[*e]),
        };
        let manifests =
            match crate::project::load_manifests(&Reader::default(), &scan.manifests, &cwd, &kb) {
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
                // the same merging as `check`: the flow's own, then the file's defaults
                let reqs = lint::resolve::merged(&f.requires, Some(m), &Requirements::default());
                let ranking = eval::rank(&kb, &levels, &profiles, &reqs, &f.name);
                let designs = eval::designs(&kb, &reqs, &f.name);
                out.push((
                    f.name.clone(),
                    f.bus.as_ref().map(|b| b.0.clone()),
                    ranking,
                    designs,
                ));
            }
        }
    }
    let text = match args.format {
        RecFormat::Json => commands::recommend::ranking_json(&out),
        RecFormat::Table => out
            .iter()
            .map(|(n, c, r, d)| commands::recommend::ranking_text(n, c.as_deref(), r, d))
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

fn run_inventory(
    paths: Vec<PathBuf>,
    format: InvFormat,
    no_ignore: bool,
    environment: Option<EnvironmentArg>,
) -> i32 {
    let mut kb = match load_kb() {
        Ok(kb) => kb,
        Err(e) => return fail(&e),
    };
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let project =
        match app::open_project(&mut kb, &Reader::default(), &paths, None, no_ignore, None) {
            Ok(p) => p,
            Err(e) => return fail(&e),
        };
    let flows = lint::resolve(&project, &Requirements::default());
    let environment = environment.map(EnvironmentArg::env);
    let situation = crate::situation::Situation::of(&kb, &project, environment);
    if format == InvFormat::Mermaid {
        // each deployment's and flow's findings, as `check` reports them
        let opts = lint::CheckOptions {
            environment,
            ..lint::CheckOptions::default()
        };
        let result = lint::check_project(&kb, &project, &opts);
        print(&commands::topology::mermaid(
            &project,
            &situation,
            &flows,
            &result.findings,
        ));
        return 0;
    }
    print(&commands::inventory::inventory(
        &kb,
        &project,
        &situation,
        &flows,
        format == InvFormat::Json,
    ));
    0
}

fn run_init(path: Option<PathBuf>) -> i32 {
    let kb = match load_kb() {
        Ok(kb) => kb,
        Err(e) => return fail(&e),
    };
    let dir = path.unwrap_or_else(|| PathBuf::from("."));
    let target = dir.join("busfit.yaml");
    // busfit.yaml or busfit.yml, a file or a symlink (even a dangling one, which a write would
    // follow out of the directory): never overwritten, never a second configuration beside it
    if let Some(existing) = manifest::FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| std::fs::symlink_metadata(p).is_ok())
    {
        return fail(&[ConfigError::plain(format!(
            "{} already exists; busfit init does not overwrite it or write a second one",
            existing.display()
        ))
        .help("edit it, or move it away and run `busfit init` again")
        .code("busfit::usage")]);
    }
    // read what is deployed, ignoring any manifest above: init writes a new one
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let project = match crate::discover::scan(&kb, std::slice::from_ref(&dir), false, None, &cwd)
        .map_err(|e| vec![*e])
        .and_then(|mut scan| {
            scan.manifests.clear();
            crate::project::load(&kb, &Reader::default(), &scan, Vec::new())
        }) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if let Err(e) = std::fs::write(&target, crate::commands::init::manifest(&project)) {
        return fail(
            &[ConfigError::plain(format!("{}: {e}", target.display())).code("busfit::io")],
        );
    }
    eprintln!(
        "Wrote {} with {} flows; set their requirements and run `busfit check`.",
        target.display(),
        project_flows(&project)
    );
    0
}

fn run_explain(rule: &str) -> i32 {
    let kb = match load_kb() {
        Ok(kb) => kb,
        Err(e) => return fail(&e),
    };
    match kb.rule(rule) {
        Some(r) => {
            print(&commands::explain::explain(r));
            0
        }
        None => {
            let names: Vec<&str> = kb.rule_names().collect();
            let mut near: Vec<(usize, &str)> = names
                .iter()
                .map(|n| (crate::lang::spelling::distance(rule, n), *n))
                .filter(|(d, _)| *d <= 3)
                .collect();
            near.sort_unstable();
            let close: Vec<&str> = near.into_iter().take(5).map(|c| c.1).collect();
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

fn run_buses(format: ListFormat, buses: &[String]) -> i32 {
    let kb = match load_kb() {
        Ok(kb) => kb,
        Err(e) => return fail(&e),
    };
    for b in buses {
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
        ListFormat::Table => commands::buses::table(&kb, &sel),
        ListFormat::Json => commands::buses::json(&kb, &sel),
        ListFormat::Markdown => commands::buses::markdown(&kb, &sel),
    });
    0
}

pub fn run(cli: Cli) -> i32 {
    pool(match &cli.command {
        None => cli.check.threads,
        Some(Command::Check(args)) => args.threads,
        _ => None,
    });
    match cli.command {
        None => run_check(cli.check),
        Some(Command::Check(args)) => run_check(*args),
        Some(Command::Recommend(args)) => run_recommend(*args),
        Some(Command::Inventory {
            paths,
            format,
            no_ignore,
            environment,
        }) => run_inventory(paths, format, no_ignore, environment),
        Some(Command::Init { path }) => run_init(path),
        Some(Command::Schema) => {
            let kb = match load_kb() {
                Ok(kb) => kb,
                Err(e) => return fail(&e),
            };
            print(&crate::config::schema::json(&kb));
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
        Some(Command::Explain { rule }) => run_explain(&rule),
        Some(Command::Rules { format }) => {
            let kb = match load_kb() {
                Ok(kb) => kb,
                Err(e) => return fail(&e),
            };
            print(&match format {
                ListFormat::Table => commands::rules::rules_table(&kb),
                ListFormat::Json => commands::rules::rules_json(&kb),
                ListFormat::Markdown => commands::rules::rules_markdown(&kb),
            });
            0
        }
        Some(Command::Buses { format, buses }) => run_buses(format, &buses),
    }
}
