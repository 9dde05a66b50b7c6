//! The JSON Schema of busfit.yaml (`busfit schema`), generated with schemars from the types
//! below. Tests hold these types to the parser's key lists, so the two cannot drift apart.

#![allow(dead_code)]

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

const DURATION: &str = r"^(forever|0|[0-9][0-9_]*(\.[0-9]+)?(ns|us|µs|ms|s|sec|m|min|h|d|w|y))$";
const RATE: &str =
    r"^(0|[0-9][0-9_]*(\.[0-9]+)?[kKMGBb]?/([0-9]+(\.[0-9]+)?)?(ns|us|ms|s|sec|m|min|h|d|w|y))$";
const SIZE: &str =
    r"^(0|[0-9][0-9_]*(\.[0-9]+)?(B|b|KB|kB|K|k|MB|M|GB|G|TB|T|KiB|Ki|MiB|Mi|GiB|Gi|TiB|Ti))$";
const COUNT: &str = r"^[0-9][0-9_]*(\.[0-9]+)?[kKMGBb]?$";

/// busfit.yaml: what this directory's message flows need.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "busfit.yaml")]
pub struct Manifest {
    /// Always 1.
    #[schemars(range(min = 1, max = 1))]
    version: u32,
    /// The message flows of this directory's subtree.
    flows: Option<Vec<Flow>>,
    /// Requirements merged under every flow's own.
    defaults: Option<Defaults>,
    /// Linter settings for this subtree.
    settings: Option<Settings>,
    /// Figures of a bus profile replaced for this deployment, by bus kind then figure
    /// (`kafka: { latency: 5ms..40ms }`).
    buses: Option<BTreeMap<Bus, BTreeMap<String, serde_json::Value>>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Unique within the file.
    name: String,
    /// Omitted: the bus deployed in the repository.
    bus: Option<Bus>,
    requires: Option<Requires>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    requires: Option<Requires>,
}

#[derive(Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Bus {
    Kafka,
    Redis,
    RedisPubsub,
    RedisStreams,
    Mqtt,
    Nats,
    NatsJetstream,
    Rabbitmq,
    Pulsar,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    AtMostOnce,
    AtLeastOnce,
    ExactlyOnce,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Ordering {
    None,
    PerKey,
    Global,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    Service,
    Browser,
    Mobile,
    ConstrainedDevice,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Network {
    Stable,
    Unstable,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Scaling {
    Horizontal,
    Vertical,
    Any,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Security {
    Tls,
    Authentication,
    Authorization,
    ClientCertificates,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Low,
    Medium,
    High,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Ecosystem {
    StreamProcessing,
    Connectors,
    SchemaRegistry,
    Search,
    Json,
    Graph,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UseCase {
    DataPipeline,
    Analytics,
    Microservices,
    Caching,
    RealtimeUi,
    TaskQueue,
    Iot,
    SmartHome,
    MobileNotifications,
}

/// What a flow needs. Every key is optional.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    /// Delivery guarantee.
    delivery: Option<Delivery>,
    /// p99 end-to-end upper bound: 0.5ms, 20ms, 2s.
    #[schemars(pattern(DURATION))]
    latency: Option<String>,
    /// Peak messages per second: 800/s, 50k/s, 2M/s, 1.2M/min.
    #[schemars(pattern(RATE))]
    throughput: Option<String>,
    /// Typical message: 512B, 4KiB, 1MB.
    #[schemars(pattern(SIZE))]
    message_size: Option<String>,
    /// How long history must stay replayable: 0, 1h, 7d, forever.
    #[schemars(extend("type" = ["string", "integer"]), pattern(DURATION))]
    retention: Option<String>,
    ordering: Option<Ordering>,
    clients: Option<Vec<Client>>,
    /// Concurrent client connections at peak: 500, 200k.
    #[schemars(extend("type" = ["string", "integer"]), pattern(COUNT))]
    connections: Option<String>,
    network: Option<Network>,
    /// Messages for disconnected clients are kept until they reconnect.
    offline_delivery: Option<bool>,
    scaling: Option<Scaling>,
    security: Option<Vec<Security>>,
    /// The most the team can run.
    ops_complexity: Option<Level>,
    /// RAM budget for the bus: 512MiB, 8GiB.
    #[schemars(pattern(SIZE))]
    broker_memory: Option<String>,
    ecosystem: Option<Vec<Ecosystem>>,
    use_case: Option<UseCase>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RuleLevel {
    Off,
    Error,
    Warning,
    Info,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Globs, relative to this file, of the files to read.
    include: Option<Vec<String>>,
    /// Globs, relative to this file, of the files to skip.
    exclude: Option<Vec<String>>,
    /// Severity by rule code or name: off | error | warning | info.
    rules: Option<BTreeMap<String, RuleLevel>>,
    /// Lowest severity that fails the run.
    fail_on: Option<FailOn>,
    /// Baseline file, relative to this file.
    baseline: Option<String>,
    /// Directory of custom rule files, relative to this file.
    custom_rules: Option<String>,
    /// Glob → rule codes ignored in matching files (for JSON, which has no comments).
    per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    /// Files larger than this are not read and are reported as BF001 (default 16MiB, at most 1GiB).
    max_file_size: Option<String>,
}

/// The schema as pretty JSON.
pub fn json() -> String {
    let schema = schemars::schema_for!(Manifest);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
