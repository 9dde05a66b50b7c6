//! Stage: extract. What a repository deploys, uses and declares: facts read from one file's
//! tree, each keeping a [`Span`] that names its file. One file per source kind; the patterns
//! that recognise a bus come from the profiles' `recognition:` blocks, never from Rust.

pub mod asyncapi;
pub mod classify;
pub mod compose;
pub mod conf;
pub mod helm;
pub mod kube;
pub mod packages;
pub mod spring;
pub mod terraform;

pub use self::classify::{Classifier, Kind};
use crate::kb::requirements::Requirements;
use crate::kb::{Kb, Profile};
use crate::source::{ByteSpan, ConfigError, FileId, SourceFile, Span};
use crate::tree::yaml::Node;

/// The file being extracted: its id (every span a fact keeps names it) and its text.
pub struct Input<'a> {
    pub id: FileId,
    pub file: &'a SourceFile,
    /// The Chart.yaml beside a values file, when the run reads one (never read from here).
    pub chart: Option<&'a SourceFile>,
    /// The byte prefilter the file passed: in a stream of several documents (a rendered
    /// release of 79,000 objects), a document that holds none of its words is not parsed,
    /// as a file that holds none is not.
    pub needles: Option<&'a Prefilter>,
}

/// A byte prefilter: an automaton over words, built on its first use (a run whose files need
/// none, as a pre-commit run on one compose file, never builds it).
pub struct Prefilter {
    words: Vec<String>,
    built: std::sync::OnceLock<aho_corasick::AhoCorasick>,
}

impl Prefilter {
    #[must_use]
    pub fn new(mut words: Vec<String>) -> Prefilter {
        // a word that holds another adds no match (`bitnami/kafka` holds `kafka`): fewer,
        // shorter words let the automaton search with SIMD instead of byte by byte
        words.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        words.dedup();
        let mut kept: Vec<String> = Vec::with_capacity(words.len());
        for w in words {
            if !kept.iter().any(|k| w.contains(k.as_str())) {
                kept.push(w);
            }
        }
        let words = kept;
        Prefilter {
            words,
            built: std::sync::OnceLock::new(),
        }
    }

    /// Whether the text holds one of the words.
    pub fn is_match(&self, text: &str) -> bool {
        self.built
            .get_or_init(|| {
                // leftmost-first: the same answer to "any word?", and its prefilter searches
                // several times faster than the standard semantics' (3.4 against 0.66 GB/s
                // over bitnami/charts' YAML)
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                    .build(&self.words)
                    .unwrap_or_else(|_| {
                        aho_corasick::AhoCorasick::new(["x-busfit"]).expect("a literal pattern")
                    })
            })
            .is_match(text)
    }
}

impl Input<'_> {
    /// A range of this file's text as a span that knows its file.
    #[must_use]
    pub fn at(&self, range: ByteSpan) -> Span {
        Span::new(self.id, range)
    }
}

/// A setting of a deployment, normalised into the bus's own key namespace.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: String,
    pub value: String,
    /// The value as written; for a setting that is not written, the deployment (the
    /// resource's kind, the list item's name, the image, the config file's first line).
    pub span: Span,
    pub origin: Origin,
}

/// Where a setting's value comes from (contract §6, effective configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Written in the file.
    Written,
    /// Not written: the value the resource means by leaving it out (a Strimzi listener
    /// without `authentication`), with the path it leaves out as the resource would write it.
    Absent(String),
    /// Not written: the broker's documented default, from the profile's `defaults:`.
    Default,
    /// Not written: the default of the image the container runs, where it differs from the
    /// program's (Bitnami's Redis turns AOF on), from the profile's `images:`; the family.
    Image(String),
    /// A fact of the broker that no key sets (`clustering: none` for Mosquitto).
    Implied,
    /// Added up from what is written (a cluster's brokers, from its members).
    Counted,
    /// Written as a Terraform expression and evaluated as `terraform plan` would with no state
    /// (a variable's default, `terraform.tfvars`, a local): how the value was reached
    /// (`var.cluster_size: its default, variables.tf:12`).
    Evaluated(String),
}

impl Setting {
    /// Whether the value is unknown until deployment: a variable (`${X}`, `$X`, `var.x`) or a
    /// template directive. Such a value is never judged on its own.
    ///
    /// A list of URLs whose variables all sit behind their `scheme://` is known: the schemes
    /// are what is judged (`PLAINTEXT://${KAFKA_HOST}:9092` is a PLAINTEXT listener wherever
    /// it is deployed), and no rule reads a host or a port.
    #[must_use]
    pub fn is_unknown(&self) -> bool {
        let v = self.value.trim();
        has_variable(v)
            && !v.split(',').all(|item| {
                item.trim()
                    .split_once("://")
                    .is_some_and(|(scheme, _)| !scheme.is_empty() && !has_variable(scheme))
            })
    }
}

/// Whether `v` holds a variable or a template directive.
pub(crate) fn has_variable(v: &str) -> bool {
    v.contains("${")
        || v.contains("{{")
        || v.starts_with("var.")
        || v.starts_with("local.")
        || (v.starts_with('$')
            && v[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_'))
}

#[derive(Debug, Clone)]
pub struct Deployment {
    pub bus: String,
    /// The evidence: the image, the resource's kind, the chart dependency, the config file.
    pub span: Span,
    pub source: &'static str,
    pub name: String,
    pub evidence: String,
    pub settings: Vec<Setting>,
    /// Whether a key left out of `settings` takes the broker's default here: the settings are
    /// the broker's whole configuration (a config file, a container run without a config file,
    /// a Strimzi resource), and this is the member of its cluster that carries the cluster's
    /// defaults (the first; `project::assemble` clears the others). False for a chart, whose
    /// own values set other defaults, or a container started with a config file busfit could
    /// not read.
    pub complete: bool,
    /// The config file the container runs (`redis-server /etc/redis/redis.conf` with that
    /// path mounted from the repository): read as this deployment's configuration.
    pub config: Option<ConfigRef>,
    /// The cluster this fact belongs to: a Strimzi part's `strimzi.io/cluster`, a compose
    /// file's services of one bus, a chart's dependency and its values.
    pub cluster: Option<Cluster>,
    /// The parts attached to this deployment when the project was assembled.
    pub parts: Vec<Deployment>,
}

/// A config file named by a container's command, as a path shown like the file that names it.
#[derive(Debug, Clone)]
pub struct ConfigRef {
    pub shown: String,
    /// The file's format (`conf`, `properties`).
    pub format: String,
    /// Keys whose presence makes the deployment another bus kind (`jetstream`).
    pub upgrade: Option<(Vec<String>, String)>,
}

/// Membership of a broker cluster (contract §6: a deployment is a cluster, not a document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// The cluster's identity: same key, same cluster.
    pub key: String,
    /// A part (a node pool, a topic, a user, a chart dependency) joins the cluster's
    /// deployment; a member (a compose service) is one of its nodes and stays listed.
    pub part: bool,
}

impl Deployment {
    #[must_use]
    pub fn file(&self) -> FileId {
        self.span.file
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    pub bus: String,
    pub span: Span,
    pub library: String,
    /// Where it was found: `package` (a dependency), `compose` (a one-shot container),
    /// `kafka-client` (a client properties file), `spring` (Spring Boot configuration).
    pub source: String,
    /// What the client's configuration writes (acks, isolation.level, ssl): judged by the
    /// settings rules like a deployment's.
    pub settings: Vec<Setting>,
}

/// Requirements declared inline in a deployment or package file.
#[derive(Debug, Clone)]
pub struct InlineFlow {
    pub name: String,
    pub name_span: Span,
    pub bus: Option<(String, Span)>,
    pub requires: Requirements,
    /// Compose services this flow's service reaches (depends_on, links, URLs).
    pub reaches: Vec<String>,
}

impl InlineFlow {
    #[must_use]
    pub fn file(&self) -> FileId {
        self.name_span.file
    }
}

/// Why a file is reported as broken (BF001): it does not parse or cannot be read (an error),
/// a safety budget set valid YAML aside, or a byte is not UTF-8 and was read as U+FFFD (both
/// warnings: the file is not wrong, or was still read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broken {
    Syntax,
    Budget,
    Encoding,
}

/// Everything read from a repository's files.
#[derive(Debug, Default)]
pub struct Facts {
    pub deployments: Vec<Deployment>,
    pub clients: Vec<Client>,
    pub inline: Vec<InlineFlow>,
    /// Files that do not parse: where, and why.
    pub broken: Vec<(Span, String, Broken)>,
    /// Template files (Go/Helm, Jinja) that could not be read as plain YAML or TOML: counted,
    /// never reported (contract §6).
    pub skipped: Vec<FileId>,
    /// Errors in inline requirements (exit 2, like busfit.yaml).
    pub errors: Vec<ConfigError>,
    /// Each compose file's services and the services they name, to find overlays.
    pub compose: Vec<ComposeFile>,
    /// Kubernetes Services that publish beyond the cluster (`LoadBalancer`, `NodePort`), and
    /// the pod labels of each broker workload, to join them (contract §7, exposure).
    pub kube_services: Vec<KubeService>,
    pub pod_labels: Vec<PodLabels>,
    /// What workloads outside compose set to reach a bus (Kubernetes container env and
    /// ConfigMap entries, client configuration): linked to deployments by host name
    /// (contract §7, role).
    pub reaches: Vec<Reach>,
    /// Terraform values a module's expressions can read: variables' defaults,
    /// `terraform.tfvars` and `*.auto.tfvars` assignments, locals (contract §7).
    pub tf_values: Vec<TfValue>,
}

/// Where a Terraform value is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TfSource {
    /// `variable "x" { default = … }`
    Default,
    /// `x = …` in `terraform.tfvars` or a `*.auto.tfvars` file (these override defaults)
    Tfvars,
    /// `locals { x = … }`
    Local,
    /// `module "NAME" { source = "./DIR" }`: a call of the module in `DIR` (its `name` is the
    /// call's label, its `dir` the called module's, its `caller` the calling module's)
    Call,
    /// `x = …` in a `module` block with a local `source`: the called module's variable `x`
    /// (evaluated with the caller's values; overrides the default)
    Argument,
}

/// One Terraform value: the module's directory (the shown name's folder), its name, the
/// expression's text and where it is written.
#[derive(Debug, Clone)]
pub struct TfValue {
    pub dir: String,
    pub source: TfSource,
    pub name: String,
    pub expr: String,
    pub span: Span,
    /// For a module call and its arguments: the calling module's directory (an argument
    /// belongs to the call whose span holds it)
    pub caller: Option<String>,
}

/// A value that may name a deployment's host (`REDIS_URL=redis://cache:6379/0`), set by
/// `from` under the name `var`.
#[derive(Debug, Clone)]
pub struct Reach {
    pub from: String,
    pub var: String,
    pub value: String,
    pub span: Span,
}

/// A broker workload's pod labels: its file, its name, the labels.
pub type PodLabels = (FileId, String, Vec<(String, String)>);

/// A Kubernetes Service with a selector: its name (the host clients reach), its selector and
/// the pod ports it forwards to, at its `type` when it is a `LoadBalancer` or `NodePort`
/// (`published`), else at its name.
#[derive(Debug, Clone)]
pub struct KubeService {
    pub name: String,
    pub published: bool,
    pub span: Span,
    pub selector: Vec<(String, String)>,
    pub ports: Vec<String>,
}

/// A compose file's services, and what its services name of other services (`depends_on`,
/// `links`, `extends`, `network_mode: service:`) and of other files (`include:`,
/// `extends.file`): a file whose services name services it does not define is an overlay of
/// the sibling file that defines them (`docker compose -f base.yml -f overlay.yml`).
#[derive(Debug, Clone)]
pub struct ComposeFile {
    pub file: FileId,
    pub services: Vec<String>,
    pub names: Vec<String>,
    /// Files it includes or extends from, as shown (like its own name).
    pub includes: Vec<String>,
    /// Which services each service reaches through its environment: (service, variable,
    /// the service it names, where the variable is), from values such as
    /// `CELERY_BROKER_URL=redis://broker:6379/0` or `CACHE_HOST=cache`.
    pub links: Vec<Link>,
    /// Each service's `env_file:` files, as shown (like the compose file's own name).
    pub env_files: Vec<(String, Vec<String>)>,
}

/// A service's environment variable that names another service of its compose file.
#[derive(Debug, Clone)]
pub struct Link {
    pub from: String,
    pub var: String,
    pub to: String,
    pub span: Span,
}

impl Facts {
    /// Whether nothing was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.deployments.is_empty()
            && self.clients.is_empty()
            && self.inline.is_empty()
            && self.broken.is_empty()
            && self.skipped.is_empty()
            && self.errors.is_empty()
            && self.kube_services.is_empty()
            && self.reaches.is_empty()
            && self.tf_values.is_empty()
    }

    /// Gathers the facts of many files, in order, each vector sized once.
    #[must_use]
    pub fn gather(parts: Vec<Facts>) -> Facts {
        fn sized<T>(n: usize) -> Vec<T> {
            Vec::with_capacity(n)
        }
        let mut all = Facts {
            deployments: sized(parts.iter().map(|p| p.deployments.len()).sum()),
            clients: sized(parts.iter().map(|p| p.clients.len()).sum()),
            inline: sized(parts.iter().map(|p| p.inline.len()).sum()),
            broken: sized(parts.iter().map(|p| p.broken.len()).sum()),
            skipped: sized(parts.iter().map(|p| p.skipped.len()).sum()),
            errors: sized(parts.iter().map(|p| p.errors.len()).sum()),
            compose: sized(parts.iter().map(|p| p.compose.len()).sum()),
            kube_services: Vec::new(),
            pod_labels: Vec::new(),
            reaches: Vec::new(),
            tf_values: Vec::new(),
        };
        for p in parts {
            all.append(p);
        }
        all
    }

    /// Appends another file's facts (their spans already name their files).
    pub fn append(&mut self, mut other: Facts) {
        self.deployments.append(&mut other.deployments);
        self.clients.append(&mut other.clients);
        self.inline.append(&mut other.inline);
        self.broken.append(&mut other.broken);
        self.skipped.append(&mut other.skipped);
        self.errors.append(&mut other.errors);
        self.compose.append(&mut other.compose);
        self.kube_services.append(&mut other.kube_services);
        self.pod_labels.append(&mut other.pod_labels);
        self.reaches.append(&mut other.reaches);
        self.tf_values.append(&mut other.tf_values);
    }
}

/// Reads one file's facts into `facts`.
pub fn extract(kb: &Kb, kind: &Kind, inp: &Input<'_>, facts: &mut Facts) {
    match kind {
        Kind::Yaml { named_compose } => yaml_file(kb, inp, *named_compose, facts),
        Kind::Conf(rules) => conf::extract(rules, inp, facts),
        Kind::Named(row) => (row.extract)(kb, inp, facts),
    }
}

/// A YAML (or JSON-in-YAML) file: compose, Kubernetes, AsyncAPI or Helm, decided by content.
pub(crate) fn yaml_file(kb: &Kb, inp: &Input<'_>, named_compose: bool, facts: &mut Facts) {
    let src = &inp.file.text;
    let name = &inp.file.name;
    let base = name.rsplit('/').next().unwrap_or(name);
    let looks_deployed = named_compose
        || base == "Chart.yaml"
        || src.starts_with("apiVersion:")
        || src.contains("\napiVersion:")
        || src.starts_with("asyncapi:")
        || src.contains("\nasyncapi:");
    let worth = |piece: &str| inp.needles.is_none_or(|n| n.is_match(piece));
    let docs = match crate::tree::yaml::parse_multi_where(src, worth) {
        Ok(d) => d,
        Err(e) => {
            // a template is not YAML until it is rendered: skipped, never an error
            if is_template(src) {
                facts.skipped.push(inp.id);
            } else if looks_deployed {
                // only a file that is recognisably a deployment file is reported as broken
                let why = if e.budget {
                    Broken::Budget
                } else {
                    Broken::Syntax
                };
                facts.broken.push((inp.at(e.span), e.message, why));
            }
            return;
        }
    };
    if base == "Chart.yaml" {
        if let Some(root) = docs.first() {
            helm::chart(kb, inp, root, facts);
        }
        return;
    }
    // the chart beside a values file says which chart these values configure
    if base.starts_with("values")
        && let Some(root) = docs.first()
        && !kube::is_object(root)
        && !compose::is_compose(root)
    {
        let chart = inp
            .chart
            .and_then(|c| crate::tree::yaml::parse(&c.text).ok());
        if let Some(chart) = &chart {
            helm::values(kb, inp, root, chart, facts);
        }
        helm::value_images(kb, inp, root, chart.as_ref(), facts);
        return;
    }
    for doc in &docs {
        if compose::is_compose(doc) {
            compose::extract(kb, inp, doc, facts);
        } else if asyncapi::is_asyncapi(doc) {
            asyncapi::extract(kb, inp, doc, facts);
        } else if kube::is_object(doc) {
            if doc.get("kind").and_then(Node::as_str) == Some("List") {
                for item in select(doc, "items[]") {
                    kube::extract_doc(kb, inp, item, facts);
                }
            } else {
                kube::extract_doc(kb, inp, doc, facts);
            }
        }
    }
}

/// Whether a file holds template directives (Go/Helm `{{ }}`, Jinja `{% %}`/`{{ }}`): such a
/// file is read when it happens to parse, and skipped when it does not.
#[must_use]
pub fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// A file that does not parse: a finding (BF001), or a skipped template.
pub fn unparsed(facts: &mut Facts, inp: &Input<'_>, range: ByteSpan, message: String) {
    if is_template(&inp.file.text) {
        facts.skipped.push(inp.id);
    } else {
        facts.broken.push((inp.at(range), message, Broken::Syntax));
    }
}

/// An image reference as people write it, reduced to its repository path: variables
/// (`${REGISTRY}`, `$REGISTRY`, `{{ .Values.registry }}`) and the tag or digest removed,
/// lower-cased. `${REGISTRY:-docker.io}/bitnami/redis:${TAG:-7.2}@sha256:…` → `bitnami/redis`.
#[must_use]
pub fn image_path(image: &str) -> String {
    // drop variables first: their defaults hold `:` and `/` that are not the image's
    let mut plain = String::with_capacity(image.len());
    let mut rest = image.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("${") {
            rest = r.find('}').map_or("", |i| &r[i + 1..]);
        } else if let Some(r) = rest.strip_prefix("{{") {
            rest = r.find("}}").map_or("", |i| &r[i + 2..]);
        } else if let Some(r) = rest.strip_prefix('$') {
            let end = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            rest = &r[end..];
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            plain.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    let no_digest = plain.split('@').next().unwrap_or(&plain);
    // the tag is after the last `:` that follows the last `/`
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let name = match no_digest[last_slash..].find(':') {
        Some(c) => &no_digest[..last_slash + c],
        None => no_digest,
    };
    name.trim_matches(['/', ':', '-', '.']).to_ascii_lowercase()
}

/// The image family (profile `images:`) of a deployment whose evidence is an image
/// (`image bitnami/redis:7.2`, behind a registry or mirror prefix too).
#[must_use]
pub fn image_family<'p>(
    profile: &'p crate::kb::profile::Profile,
    evidence: &str,
) -> Option<&'p crate::kb::profile::ImageFamily> {
    // `image X` (compose), `StatefulSet image X` (Kubernetes)
    let mut words = evidence.split_whitespace();
    words.by_ref().find(|w| *w == "image")?;
    let image = words.next()?;
    let name = image_path(image);
    profile
        .images
        .iter()
        .find(|f| f.images.iter().any(|pat| ends_with_part(&name, pat, '/')))
}

/// Whether `name` is `part`, or ends with `sep` and `part` (`ghcr.io/x/bitnami/redis` ends
/// with the part `bitnami/redis`), without building the joined string.
fn ends_with_part(name: &str, part: &str, sep: char) -> bool {
    name.strip_suffix(part)
        .is_some_and(|head| head.is_empty() || head.ends_with(sep))
}

/// Whether `last` ends with `pat` flattened by a mirror (`/` written `-`), as a whole part.
fn ends_with_flat(last: &str, pat: &str) -> bool {
    let (l, p) = (last.as_bytes(), pat.as_bytes());
    let Some(start) = l.len().checked_sub(p.len()) else {
        return false;
    };
    (start == 0 || l[start - 1] == b'-')
        && l[start..]
            .iter()
            .zip(p)
            .all(|(a, b)| a == b || (*a == b'-' && *b == b'/'))
}

/// The bus whose image list names `image`: the repository path, or its end behind a
/// registry, proxy or mirror prefix (`ghcr.io/acme/mirror/bitnami/redis`), or a mirror that
/// flattens the path into one name (`…/image-mirror-confluentinc-cp-kafka`).
#[must_use]
pub fn bus_for_image<'k>(kb: &'k Kb, image: &str) -> Option<&'k str> {
    let name = image_path(image);
    if name.is_empty() {
        return None;
    }
    let last = name.rsplit('/').next().unwrap_or(&name);
    kb.profiles.iter().find_map(|p| {
        p.recognition
            .images
            .iter()
            .any(|pat| {
                ends_with_part(&name, pat, '/') || (pat.contains('/') && ends_with_flat(last, pat))
            })
            .then_some(p.bus.as_str())
    })
}

/// The bus that a word of the image's name names, for an image of one's own build
/// (`acme/rhel7-atomic-kafka`): a guess, which the caller takes only with other evidence (the
/// bus's port, its program, its broker environment).
#[must_use]
pub fn bus_for_image_word<'k>(kb: &'k Kb, image: &str) -> Option<&'k str> {
    let name = image_path(image);
    let last = name.rsplit('/').next().unwrap_or(&name);
    // an image of one's own build: a word of its name names the bus, no word names a tool
    let words: Vec<&str> = last.split(['-', '_', '.']).collect();
    let named: Vec<&Profile> = kb
        .profiles
        .iter()
        .filter(|p| {
            words
                .iter()
                .any(|w| p.recognition.image_words.iter().any(|b| b == w))
        })
        .collect();
    // a name with two buses' words is a bridge between them (nats-kafka), not a broker
    match named.as_slice() {
        [p] if !words
            .iter()
            .any(|w| p.recognition.tool_words.iter().any(|t| t == w)) =>
        {
            Some(p.bus.as_str())
        }
        _ => None,
    }
}

/// Whether a container shows the bus with more than its image's name: it listens on one of the
/// bus's ports, runs one of its programs, or holds its broker environment.
#[must_use]
pub fn corroborated(
    kb: &Kb,
    bus: &str,
    ports: &[String],
    program: &[String],
    env: &[String],
) -> bool {
    let Some(p) = kb.profile(bus) else {
        return false;
    };
    let r = &p.recognition;
    ports.iter().any(|port| {
        // `9092`, `"9092:9092"`, `127.0.0.1:29092:29092/tcp`: the container's side is last
        let inner = port.rsplit(':').next().unwrap_or(port);
        let inner = inner.split('/').next().unwrap_or(inner).trim();
        r.ports.iter().any(|q| q == inner)
    }) || program.iter().any(|t| {
        let prog = t.rsplit('/').next().unwrap_or(t);
        r.command
            .as_ref()
            .is_some_and(|c| c.programs.iter().any(|x| x == prog))
    }) || bus_for_env(kb, env) == Some(bus)
}

/// The bus whose broker environment `keys` (setting keys after each profile's env convention)
/// show, for a container whose image names no bus.
#[must_use]
pub fn bus_for_env<'k>(kb: &'k Kb, vars: &[String]) -> Option<&'k str> {
    kb.profiles.iter().find_map(|p| {
        let hit = vars.iter().any(|v| {
            p.recognition.env.iter().any(|r| {
                v.strip_prefix(&r.prefix).is_some_and(|rest| {
                    p.recognition.env_markers.contains(&env_key(&r.style, rest))
                })
            })
        });
        (hit && !p.recognition.env_markers.is_empty()).then_some(p.bus.as_str())
    })
}

/// The bus whose client library list for `ecosystem` holds `library`.
#[must_use]
pub fn bus_for_library<'k>(kb: &'k Kb, ecosystem: &str, library: &str) -> Option<&'k str> {
    let norm = |s: &str| {
        if ecosystem == "pypi" {
            s.to_ascii_lowercase().replace('_', "-")
        } else {
            s.to_owned()
        }
    };
    let lib = norm(library);
    kb.profiles.iter().find_map(|p| {
        let list = p.recognition.libraries.get(ecosystem)?;
        list.iter()
            .any(|l| {
                let l = norm(l);
                if ecosystem == "go" {
                    lib == l || lib.starts_with(&format!("{l}/"))
                } else {
                    lib == l
                }
            })
            .then_some(p.bus.as_str())
    })
}

/// Renames an environment variable into a setting key by the profile's convention.
#[must_use]
pub fn env_key(style: &str, rest: &str) -> String {
    let lower = rest.to_ascii_lowercase();
    match style {
        "confluent" => lower
            .replace("___", "\u{1}")
            .replace("__", "\u{2}")
            .replace('_', ".")
            .replace('\u{1}', "-")
            .replace('\u{2}', "_"),
        "hocon" => lower.replace("__", "."),
        _ => lower.replace('_', "."),
    }
}

/// Every node at a dotted path; a segment `name[]` walks each item of a list.
#[must_use]
pub fn select<'a>(node: &'a Node, path: &str) -> Vec<&'a Node> {
    walk(node, path, false)
}

/// Like [`select`], but a list item with `enabled: false` is switched off and not walked.
fn select_live<'a>(node: &'a Node, path: &str) -> Vec<&'a Node> {
    walk(node, path, true)
}

fn walk<'a>(node: &'a Node, path: &str, live: bool) -> Vec<&'a Node> {
    let off = |i: &Node| {
        live && i
            .get("enabled")
            .is_some_and(|e| matches!(e.value, crate::tree::yaml::Value::Bool(false)))
    };
    let mut current = vec![node];
    for seg in path.split('.') {
        let (name, each) = match seg.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (seg, false),
        };
        let mut next = Vec::new();
        for n in current {
            if let Some(v) = n.get(name) {
                if each {
                    next.extend(v.items().iter().filter(|i| !off(i)));
                } else {
                    next.push(v);
                }
            }
        }
        current = next;
    }
    current
}

/// Byte spans of the lines of a string scalar (such as a `|` block) in the file.
fn embedded_lines(src: &str, node: &Node, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut from = node.span.start.min(src.len());
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        match src.get(from..).and_then(|rest| rest.find(t)) {
            Some(i) => {
                out.push((from + i, line.to_owned()));
                from += i + t.len();
            }
            None => out.push((node.span.start, line.to_owned())),
        }
    }
    out
}

/// Settings read from a config file held in a string scalar.
#[must_use]
pub fn embedded_settings(inp: &Input<'_>, node: &Node, format: &str) -> Vec<Setting> {
    let src: &str = &inp.file.text;
    let Some(text) = node.as_str() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (offset, line) in embedded_lines(src, node, text) {
        for (key, value, span) in conf::lines(&line, format) {
            out.push(Setting {
                key,
                value,
                span: inp.at(ByteSpan::new(
                    offset + span.start - (line.len() - line.trim_start().len()).min(span.start),
                    offset + span.end - (line.len() - line.trim_start().len()).min(span.start),
                )),
                origin: Origin::Written,
            });
        }
    }
    out
}

/// Whether a block on the way from `root` down `path` (a prefix of it, not the value's own
/// `enabled`) says `enabled: false`: values under a switched-off block are not settings.
fn switched_off(root: &Node, path: &str) -> bool {
    let segs: Vec<&str> = path.split('.').collect();
    let mut at = root;
    for (i, seg) in segs.iter().enumerate() {
        if i + 1 == segs.len() {
            break;
        }
        let own_switch = i + 2 == segs.len() && segs[i + 1] == "enabled";
        match at.get(seg.trim_end_matches("[]")) {
            Some(n) => at = n,
            None => return false,
        }
        if !own_switch
            && at
                .get("enabled")
                .is_some_and(|e| matches!(e.value, crate::tree::yaml::Value::Bool(false)))
        {
            return true;
        }
    }
    false
}

/// A list item's own name (`- name: plain`), where a setting the item leaves out is reported.
fn item_name(item: &Node) -> ByteSpan {
    item.get("name").map_or(item.span, |n| n.span)
}

/// A template's text with each `{path}` or `{path|default}` replaced by that field of `item`;
/// `None` when a field without a default is not written (or not a scalar).
fn item_template(item: &Node, template: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        let field = &rest[open + 1..close];
        let (path, default) = match field.split_once('|') {
            Some((p, d)) => (p, Some(d)),
            None => (field, None),
        };
        let found = select_live(item, path)
            .into_iter()
            .find_map(Node::scalar_text);
        out.push_str(&found.or_else(|| default.map(str::to_owned))?);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Settings from a tree by a mapping of paths to setting keys. `resource` is where a setting
/// that is not written is reported (the resource's kind), unless it belongs to a list item.
pub fn mapped_settings(
    inp: &Input<'_>,
    root: &Node,
    mapping: &[(String, String)],
    prefix: &str,
    resource: ByteSpan,
) -> Vec<Setting> {
    let mut out = Vec::new();
    for (path, target) in mapping {
        let full = if prefix.is_empty() {
            path.clone()
        } else {
            format!("{prefix}.{path}")
        };
        if !full.contains("[]") && switched_off(root, &full) {
            continue;
        }
        // `key|default`: where the path is absent, the setting takes the value the resource
        // means by leaving it out, reported at the list item's name or at the resource
        if let Some((key, default)) = target.split_once('|').filter(|_| !target.contains('=')) {
            let (parents, rest) = match full.rsplit_once("[].") {
                Some((list, rest)) => (select_live(root, &format!("{list}[]")), rest.to_owned()),
                None => (vec![root], full.clone()),
            };
            let in_list = full.contains("[]");
            for parent in parents {
                let found = select_live(parent, &rest);
                if found.is_empty() {
                    // the first part of the path the resource leaves out, as it would write it
                    let mut missing = Vec::new();
                    let mut at = Some(parent);
                    for seg in rest.split('.') {
                        missing.push(seg);
                        at = at.and_then(|n| n.get(seg));
                        if at.is_none() {
                            break;
                        }
                    }
                    out.push(Setting {
                        key: key.to_owned(),
                        value: default.to_owned(),
                        span: inp.at(if in_list { item_name(parent) } else { resource }),
                        origin: Origin::Absent(missing.join(".")),
                    });
                }
                for n in found {
                    if let Some(value) = n.scalar_text() {
                        out.push(Setting {
                            key: key.to_owned(),
                            value,
                            span: inp.at(n.span),
                            origin: Origin::Written,
                        });
                    }
                }
            }
            continue;
        }
        for n in select_live(root, &full) {
            match target.as_str() {
                "*" => {
                    for (k, v) in n.entries() {
                        if let (Some(key), Some(value)) = (k.scalar_text(), v.scalar_text()) {
                            out.push(Setting {
                                key,
                                value,
                                span: inp.at(if v.span.is_empty() { k.span } else { v.span }),
                                origin: Origin::Written,
                            });
                        }
                    }
                }
                // `key={field} {field|default}`: one setting per list item, built from
                // several of its fields (a Strimzi listener's type and authentication), so
                // that a rule judges them together; reported at the item's name
                key if key.contains('=') => {
                    let (key, template) = key.split_once('=').unwrap_or_default();
                    if let Some(value) = item_template(n, template) {
                        out.push(Setting {
                            key: key.to_owned(),
                            value,
                            span: inp.at(item_name(n)),
                            origin: Origin::Written,
                        });
                    }
                }
                "@conf" => out.extend(embedded_settings(inp, n, "conf")),
                "@properties" => out.extend(embedded_settings(inp, n, "properties")),
                key => {
                    // a list of words (Strimzi `roles: [controller, broker]`) reads as `a,b`
                    let value = n.scalar_text().or_else(|| {
                        let words: Vec<String> =
                            n.items().iter().filter_map(Node::scalar_text).collect();
                        (!words.is_empty()).then(|| words.join(","))
                    });
                    if let Some(value) = value {
                        out.push(Setting {
                            key: key.to_owned(),
                            value,
                            span: inp.at(n.span),
                            origin: Origin::Written,
                        });
                    }
                }
            }
        }
    }
    out
}

/// A listener list (`NAME://HOST:PORT,…`) as (upper-case NAME, HOST, PORT) items; items that are
/// not of that shape are left out.
#[must_use]
pub fn listener_items(value: &str) -> Vec<(String, String, String)> {
    value
        .split(',')
        .filter_map(|item| {
            let (name, addr) = item.trim().split_once("://")?;
            let (host, port) = addr.rsplit_once(':')?;
            Some((
                name.trim().to_ascii_uppercase(),
                host.trim_matches(['[', ']']).to_owned(),
                port.trim_end_matches('/').to_owned(),
            ))
        })
        .collect()
}

/// Who can reach an address a broker advertises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostScope {
    /// This host only: `localhost`, a loopback IP, Docker Desktop's names for the host
    /// (`host.docker.internal`), which only its containers resolve.
    Loopback,
    /// A single-label name: a container network's (`kafka`).
    Network,
    /// Empty or unspecified (`0.0.0.0`): the machine's own name.
    Unspecified,
    /// A non-loopback IP or a dotted name: clients on other machines.
    Beyond,
    /// A variable or template: unknown until deployment.
    Unknown,
}

/// The scope of an advertised host (see [`HostScope`]).
#[must_use]
pub fn host_scope(host: &str) -> HostScope {
    if has_variable(host) || host.contains('{') {
        return HostScope::Unknown;
    }
    if host.is_empty() || host == "0.0.0.0" || host == "::" {
        return HostScope::Unspecified;
    }
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return if ip.is_loopback() {
            HostScope::Loopback
        } else if ip.is_unspecified() {
            HostScope::Unspecified
        } else {
            HostScope::Beyond
        };
    }
    if [
        "localhost",
        "host.docker.internal",
        "gateway.docker.internal",
    ]
    .iter()
    .any(|n| host.eq_ignore_ascii_case(n))
    {
        return HostScope::Loopback;
    }
    if host.contains('.') {
        HostScope::Beyond
    } else {
        HostScope::Network
    }
}
