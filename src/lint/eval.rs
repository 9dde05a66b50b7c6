//! Evaluates a flow's requirements against bus profiles with the rules.
//! Generic: it knows quantities, words and sets, never a particular bus.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::extract::Setting;
use crate::kb::requirements::{self, Kind, Requirements};
use crate::kb::{Kb, Profile, Rule, Severity};
use crate::lang::expr::{self, Env, Scale, Val};

/// Severity changes from settings and flags: code or name → level (None: off).
#[derive(Debug, Clone, Default)]
pub struct Levels {
    pub map: BTreeMap<String, Option<Severity>>,
}

impl Levels {
    pub fn of(&self, rule: &Rule) -> Option<Severity> {
        self.map
            .get(&rule.code)
            .or_else(|| self.map.get(&rule.name))
            .copied()
            .unwrap_or(Some(rule.severity))
    }
}

/// How the requirements of `--require` are named in messages.
const CLI_FLOW: &str = "--require";

/// Requirements given with `--require` belong to no flow: "flow `--require` requires tls"
/// reads "tls required by --require", and any other mention of that flow names `--require`
/// (contract §6).
fn name_flow(message: String) -> String {
    let flow = format!("flow `{CLI_FLOW}`");
    if !message.contains(&flow) {
        return message;
    }
    let mut out = message.replace(&format!("which {flow} requires"), "required by --require");
    let verb = format!("{flow} requires");
    while let Some(i) = out.find(&verb) {
        let rest = &out[i + verb.len()..];
        // what is required runs to the end of its clause
        let end = rest.find([';', '\n']).unwrap_or(rest.len());
        let what = rest[..end].trim();
        let said = if what.is_empty() {
            "required by --require".to_owned()
        } else {
            format!("{what} required by --require")
        };
        // "… of history flow `--require` requires" ends its clause with the verb
        out = format!("{}{said}{}", &out[..i], &rest[end..]);
    }
    out.replace(&flow, CLI_FLOW)
}

struct FlowEnv<'a> {
    kb: &'a Kb,
    reqs: &'a Requirements,
    profile: &'a Profile,
    flow: &'a str,
    file: &'a str,
    /// For settings rules: the deployment's settings and the one being checked.
    settings: &'a [Setting],
    current: Option<&'a Setting>,
}

impl<'a> FlowEnv<'a> {
    /// The environment of a flow (declared in `file`) on a bus, with no deployment settings.
    fn flow(
        kb: &'a Kb,
        reqs: &'a Requirements,
        profile: &'a Profile,
        flow: &'a str,
        file: &'a str,
    ) -> Self {
        FlowEnv {
            kb,
            reqs,
            profile,
            flow,
            file,
            settings: &[],
            current: None,
        }
    }

    fn setting(&self, key: &str) -> Option<Val> {
        // the last spelling of a key wins, as in the brokers themselves; a value unknown until
        // deployment has nothing to compare
        self.settings
            .iter()
            .rev()
            .find(|s| s.key == key)
            .filter(|s| !s.is_unknown())
            .map(|s| Val::from_text(&s.value))
    }
}

impl Env for FlowEnv<'_> {
    fn is_set(&self, path: &[String]) -> bool {
        match path.first().map(String::as_str) {
            Some("setting") if path.len() > 1 => {
                let key = path[1..].join(".");
                self.settings.iter().any(|s| s.key == key)
            }
            _ => self.lookup(path).is_some(),
        }
    }

    fn lookup(&self, path: &[String]) -> Option<Val> {
        match path.first().map(String::as_str)? {
            "req" if path.len() == 2 => self.reqs.get(&path[1]).map(|r| r.val.clone()),
            "bus" if path.len() == 1 => Some(Val::Str(self.profile.bus.clone())),
            "bus" => self.profile.figure(&path[1..]),
            "derived" => {
                let d = self
                    .kb
                    .derived
                    .iter()
                    .find(|d| Some(&d.name) == path.get(1))?;
                expr::eval(&d.expr, self)
            }
            // requirements given with --require belong to no flow: they are named as such
            "flow" if self.flow.is_empty() => Some(Val::Str(CLI_FLOW.to_owned())),
            "flow" => Some(Val::Str(self.flow.to_owned())),
            "file" => Some(Val::Str(self.file.to_owned())),
            "setting" if path.len() > 1 => self.setting(&path[1..].join(".")),
            // every value of a key, in order: `settings.protocol` of all listeners (empty when
            // the deployment writes none)
            "settings" if path.len() > 1 => {
                let key = path[1..].join(".");
                Some(Val::Set(
                    self.settings
                        .iter()
                        .filter(|s| s.key == key && !s.is_unknown())
                        .map(|s| s.value.clone())
                        .collect(),
                ))
            }
            "key" => self.current.map(|s| Val::Str(s.key.clone())),
            "value" => self.current.map(|s| Val::from_text(&s.value)),
            _ => None,
        }
    }

    fn scale_of(&self, path: &[String]) -> Option<Scale> {
        if path.first().map(String::as_str) != Some("req") {
            return None;
        }
        match requirements::key_def(path.get(1)?)?.kind {
            Kind::Level(s) => Some(s),
            _ => None,
        }
    }
}

/// One rule that fired for a flow on a bus.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: usize,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
}

impl Hit {
    /// Rule `i` fired in `env`: its message and help rendered there (an empty help is none).
    fn of(i: usize, rule: &Rule, severity: Severity, env: &FlowEnv<'_>) -> Hit {
        Hit {
            rule: i,
            severity,
            message: name_flow(rule.message.render(env)),
            help: rule
                .help
                .as_ref()
                .map(|h| h.render(env))
                .filter(|h| !h.trim().is_empty() && h != "?"),
        }
    }
}

/// The rules whose condition holds for `reqs` on `profile`, in rule order, with their level.
fn firing(levels: &Levels, env: &FlowEnv<'_>) -> Vec<(usize, Severity)> {
    let mut out = Vec::new();
    for (i, rule) in env.kb.rules.iter().enumerate() {
        let Some(cond) = &rule.when else { continue };
        if !rule.settings.is_empty() {
            continue;
        }
        let Some(severity) = levels.of(rule) else {
            continue;
        };
        if expr::fires(expr::eval(cond, env)) {
            out.push((i, severity));
        }
    }
    out
}

/// The rules that fire for `reqs` on `profile`, in rule order.
pub fn hits(
    kb: &Kb,
    levels: &Levels,
    profile: &Profile,
    reqs: &Requirements,
    flow: &str,
    file: &str,
) -> Vec<Hit> {
    let env = FlowEnv::flow(kb, reqs, profile, flow, file);
    firing(levels, &env)
        .into_iter()
        .map(|(i, severity)| Hit::of(i, &kb.rules[i], severity, &env))
        .collect()
}

/// A profile (by address), the levels in force (in words) and the requirement values.
type MemoKey = (usize, String, String);

/// The rules that fired, with their levels, in rule order.
type Fired = Arc<[(usize, Severity)]>;

/// What fired for one set of requirement values on one profile under one set of levels,
/// remembered for a run: a monorepo declares thousands of flows with a few dozen distinct
/// requirements. Conditions read requirements and figures only (when one reads `flow` or
/// `file`, nothing is remembered); messages are still rendered for each flow. Profiles are
/// told apart by address, which the lifetime keeps fixed while the memo lives.
pub struct Memo<'a> {
    map: std::sync::Mutex<HashMap<MemoKey, Fired>>,
    enabled: bool,
    /// The requirement keys each rule's condition reads (through derived values too).
    reads: Vec<Vec<String>>,
    _borrows: std::marker::PhantomData<&'a ()>,
}

impl Memo<'_> {
    #[must_use]
    pub fn new(kb: &Kb) -> Self {
        let reads_names = kb.rules.iter().filter_map(|r| r.when.as_ref()).any(|w| {
            let mut paths = Vec::new();
            w.paths(&mut paths);
            paths
                .iter()
                .any(|p| matches!(p.first().map(String::as_str), Some("flow" | "file")))
        });
        let reads = kb
            .rules
            .iter()
            .map(|r| {
                let mut keys = Vec::new();
                if let Some(w) = &r.when {
                    req_keys(kb, w, 0, &mut keys);
                }
                keys
            })
            .collect();
        Memo {
            map: std::sync::Mutex::default(),
            enabled: !reads_names,
            reads,
            _borrows: std::marker::PhantomData,
        }
    }

    /// Whether flows with equal requirement values may share answers (no condition reads the
    /// flow's name or file).
    #[must_use]
    pub fn shares(&self) -> bool {
        self.enabled
    }

    /// The requirement keys rule `i`'s condition reads, through derived values too.
    #[must_use]
    pub fn reads(&self, i: usize) -> &[String] {
        self.reads.get(i).map_or(&[], Vec::as_slice)
    }

    /// The requirement values, without where they were written.
    fn key_of(reqs: &Requirements) -> String {
        let mut key = String::new();
        for (k, v) in &reqs.map {
            key.push_str(&format!("{k}={:?};", v.val));
        }
        key
    }

    fn firing(&self, levels: &Levels, env: &FlowEnv<'_>, key: &str) -> Arc<[(usize, Severity)]> {
        if !self.enabled {
            return firing(levels, env).into();
        }
        // levels by what they say (most busfit.yaml files change none)
        let said = if levels.map.is_empty() {
            String::new()
        } else {
            format!("{:?}", levels.map)
        };
        let id = (
            std::ptr::from_ref(env.profile) as usize,
            said,
            key.to_owned(),
        );
        if let Some(found) = self.map.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return found;
        }
        let fired: Arc<[(usize, Severity)]> = firing(levels, env).into();
        if let Ok(mut m) = self.map.lock() {
            m.insert(id, fired.clone());
        }
        fired
    }
}

/// A bus that could carry the flow instead, with what it still misses.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub bus: String,
    pub unmet: Vec<String>,
}

/// Everything about one flow on one bus.
pub struct FlowResult {
    pub hits: Vec<Hit>,
    /// Info hints for buses with modes: (rule index, message, help).
    pub mode_hints: Vec<Hit>,
    /// Hits of every other profile, by bus.
    pub others: Vec<(String, Vec<Hit>)>,
}

fn requirement_of(kb: &Kb, h: &Hit) -> String {
    kb.rules[h.rule].requirement.clone().unwrap_or_default()
}

/// The kinds a bus is judged as when its kind is not known: its modes (`redis`: Pub/Sub and
/// Streams, bus kinds of their own) or its variants (`mqtt`: a single Mosquitto or a
/// clustered broker). None for a bus of one kind.
fn kinds_of<'a>(p: &'a Profile, profiles: &'a [Profile]) -> Vec<&'a Profile> {
    if p.modes.is_empty() {
        p.variants.iter().collect()
    } else {
        p.modes
            .iter()
            .filter_map(|m| profiles.iter().find(|q| &q.bus == m))
            .collect()
    }
}

/// Evaluates one flow on its bus, every mode of that bus, and every other bus.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    kb: &Kb,
    levels: &Levels,
    profiles: &[Profile],
    bus: &str,
    kind: Option<&str>,
    reqs: &Requirements,
    flow: &str,
    file: &str,
    memo: &Memo<'_>,
) -> Option<FlowResult> {
    let whole = profiles.iter().find(|p| p.bus == bus)?;
    let profile = kind
        .and_then(|k| {
            whole
                .variants
                .iter()
                .find(|v| v.variant.as_deref() == Some(k))
        })
        .unwrap_or(whole);
    let key = Memo::key_of(reqs);
    // the hits of the flow's bus and of its kinds, with their messages
    let rendered = |p: &Profile| -> Vec<Hit> {
        let env = FlowEnv::flow(kb, reqs, p, flow, file);
        memo.firing(levels, &env, &key)
            .iter()
            .map(|&(i, severity)| Hit::of(i, &kb.rules[i], severity, &env))
            .collect()
    };
    let main = rendered(profile);
    let mut mode_hints = Vec::new();
    let kinds = kinds_of(profile, profiles);
    if !kinds.is_empty() {
        let per_mode: Vec<(&Profile, Vec<Hit>)> =
            kinds.into_iter().map(|p| (p, rendered(p))).collect();
        for (ri, rule) in kb.rules.iter().enumerate() {
            if rule.severity == Severity::Info || main.iter().any(|h| h.rule == ri) {
                continue;
            }
            let failing: Vec<(&Profile, &Hit)> = per_mode
                .iter()
                .filter_map(|(p, hs)| hs.iter().find(|h| h.rule == ri).map(|h| (*p, h)))
                .collect();
            let passing: Vec<&str> = per_mode
                .iter()
                .filter(|(_, hs)| !hs.iter().any(|h| h.rule == ri))
                .map(|(p, _)| p.label())
                .collect();
            if failing.is_empty() || passing.is_empty() {
                continue;
            }
            let req = rule.requirement.as_deref().unwrap_or("");
            let shown = reqs.get(req).map(|r| r.val.to_string()).unwrap_or_default();
            let (fp, fh) = failing[0];
            mode_hints.push(Hit {
                rule: ri,
                severity: Severity::Info,
                message: format!(
                    "{bus} meets `{req}: {shown}` only as {}; as {}: {}",
                    passing.join(" or "),
                    fp.label(),
                    fh.message
                ),
                help: fh.help.clone(),
            });
        }
    }
    // other buses are weighed for alternatives: their rules and levels, no messages
    let others = profiles
        .iter()
        .filter(|p| p.bus != bus && p.modes.is_empty())
        .map(|p| {
            let fired = memo.firing(levels, &FlowEnv::flow(kb, reqs, p, flow, file), &key);
            let hits = fired
                .iter()
                .map(|&(rule, severity)| Hit {
                    rule,
                    severity,
                    message: String::new(),
                    help: None,
                })
                .collect();
            (p.bus.clone(), hits)
        })
        .collect();
    Some(FlowResult {
        hits: main,
        mode_hints,
        others,
    })
}

impl FlowResult {
    /// Alternatives for one finding: buses that pass its rule and meet every
    /// requirement the flow's bus fails, ranked by how little else they miss.
    pub fn alternatives(&self, kb: &Kb, hit: &Hit) -> Vec<Alternative> {
        let mut needed: Vec<String> = self
            .hits
            .iter()
            .filter(|h| h.severity >= Severity::Warning)
            .map(|h| requirement_of(kb, h))
            .collect();
        needed.push(requirement_of(kb, hit));
        // a requirement no bus meets (a browser's 1 ms) tells no bus apart: it is left out,
        // and an alternative is judged on the rest
        needed.retain(|req| {
            !self.others.iter().all(|(_, hs)| {
                hs.iter()
                    .any(|h| h.severity >= Severity::Warning && &requirement_of(kb, h) == req)
            })
        });
        let mut alts: Vec<(i64, Alternative)> = Vec::new();
        for (bus, hs) in &self.others {
            if hs.iter().any(|h| h.rule == hit.rule) {
                continue;
            }
            let serious: Vec<&Hit> = hs
                .iter()
                .filter(|h| h.severity >= Severity::Warning)
                .collect();
            if serious
                .iter()
                .any(|h| needed.contains(&requirement_of(kb, h)))
            {
                continue;
            }
            let mut unmet: Vec<String> = serious.iter().map(|h| requirement_of(kb, h)).collect();
            unmet.sort();
            unmet.dedup();
            // weighed as `recommend` weighs misses (rules/ranking.yaml), in thousandths
            let weight: f64 = hs
                .iter()
                .map(|h| kb.ranking.weight(h.severity, kb.rules[h.rule].configurable))
                .sum();
            alts.push((
                (weight * 1000.0).round() as i64,
                Alternative {
                    bus: bus.clone(),
                    unmet,
                },
            ));
        }
        alts.sort_by(|a, b| {
            (a.0, a.1.unmet.len(), &a.1.bus).cmp(&(b.0, b.1.unmet.len(), &b.1.bus))
        });
        alts.into_iter().map(|a| a.1).collect()
    }
}

/// One line of a recommendation: how a bus fares for a flow.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub bus: String,
    pub fits: bool,
    pub unmet: Vec<Unmet>,
    /// For a bus whose mode is not known (`redis`): the one mode it is judged as, the mode
    /// that meets the most (contract §6: it fits only where one mode meets every requirement).
    pub mode: Option<String>,
    /// What the misses weigh (rules/ranking.yaml): lower ranks first.
    pub weight: f64,
    /// The room the bus leaves over the requirements: higher ranks first among equal weights.
    pub margin: f64,
    /// What the bus meets and misses for the flow, in short sentences (contract §6).
    pub why: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Unmet {
    pub criterion: String,
    pub severity: Severity,
    pub reason: String,
    pub code: String,
    pub requirement: String,
}

/// How one profile fares: its hits (each with the profile it was judged on) and margin.
struct Judged<'a> {
    /// The profile judged: the bus, or the mode it is judged as.
    mode: &'a Profile,
    hits: Vec<Hit>,
    margin: f64,
    weight: f64,
}

impl<'a> Judged<'a> {
    /// The profile a requirement is judged on: the whole bus for its `whole_bus` ones.
    fn judged_as(&self, whole: &'a Profile, key: &str) -> &'a Profile {
        if whole.whole_bus.iter().any(|w| w == key) {
            whole
        } else {
            self.mode
        }
    }
    fn fits(&self) -> bool {
        !self.hits.iter().any(|h| h.severity >= Severity::Warning)
    }
    /// Sort key: fits first, then what the misses weigh less the margin (a typical use earns,
    /// a tight fit costs), compared to 1/1000.
    fn key(&self) -> (bool, i64) {
        (
            !self.fits(),
            ((self.weight - self.margin) * 1000.0).round() as i64,
        )
    }
}

/// Room below this (the log of 2: less than twice what the flow needs) is a tight fit.
const TIGHT: f64 = std::f64::consts::LN_2;

fn judge<'a>(
    kb: &Kb,
    levels: &Levels,
    whole: &'a Profile,
    mode: &'a Profile,
    reqs: &Requirements,
    flow: &str,
) -> Judged<'a> {
    let whole_bus = |r: &Rule| {
        r.requirement
            .as_ref()
            .is_some_and(|q| whole.whole_bus.contains(q))
    };
    let mut all: Vec<Hit> = hits(kb, levels, mode, reqs, flow, "")
        .into_iter()
        .filter(|h| !whole_bus(&kb.rules[h.rule]))
        .collect();
    if !std::ptr::eq(whole, mode) {
        all.extend(
            hits(kb, levels, whole, reqs, flow, "")
                .into_iter()
                .filter(|h| whole_bus(&kb.rules[h.rule])),
        );
        all.sort_by_key(|h| h.rule);
    }
    // a miss weighs more the further the bus is from the requirement (a rule's `distance`:
    // three missing pieces, two levels of operation over budget, ten times the rate)
    let weight = all
        .iter()
        .map(|h| {
            let r = &kb.rules[h.rule];
            let far = r.distance.as_ref().map_or(1.0, |d| {
                let profile = if whole_bus(r) { whole } else { mode };
                let env = FlowEnv::flow(kb, reqs, profile, flow, "");
                match expr::eval(d, &env) {
                    Some(Val::Qty(q)) if q.value.is_finite() => q.value.max(1.0),
                    _ => 1.0,
                }
            });
            kb.ranking.weight(h.severity, r.configurable) * far
        })
        .sum();
    let mut j = Judged {
        mode,
        hits: all,
        margin: 0.0,
        weight,
    };
    for r in &kb.ranking.requirements {
        let (Some(m), true) = (&r.margin, reqs.get(&r.key).is_some()) else {
            continue;
        };
        let env = FlowEnv::flow(kb, reqs, j.judged_as(whole, &r.key), flow, "");
        if let Some(Val::Qty(q)) = expr::eval(m, &env) {
            // room beyond what the flow asks earns nothing (a flow that asks at-least-once is
            // not better served by exactly-once); only a tight fit costs, and how typical the
            // use is counts
            let quantity =
                requirements::key_def(&r.key).is_some_and(|d| matches!(d.kind, Kind::Quantity(_)));
            j.margin += if r.key == "use_case" {
                q.value
            } else if quantity {
                // less than twice what the flow needs is a tight fit, which costs; a miss is
                // weighed by its rule, not again here
                if q.value < 0.0 {
                    0.0
                } else {
                    (q.value - TIGHT).min(0.0)
                }
            } else {
                q.value.min(0.0)
            };
        }
    }
    j
}

/// What `why` says of one judged bus: per requirement of the flow, in the ranking's order,
/// what it misses (the findings' messages) or what it meets.
fn why_of<'a>(
    kb: &Kb,
    whole: &'a Profile,
    j: &Judged<'a>,
    reqs: &Requirements,
    flow: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut said = vec![false; j.hits.len()];
    for r in &kb.ranking.requirements {
        if reqs.get(&r.key).is_none() {
            continue;
        }
        let mut found = false;
        for (i, h) in j.hits.iter().enumerate() {
            if kb.rules[h.rule].requirement.as_deref() == Some(r.key.as_str()) {
                out.push(h.message.clone());
                said[i] = true;
                found = true;
            }
        }
        if found {
            continue;
        }
        if let Some(t) = &r.meets {
            let env = FlowEnv::flow(kb, reqs, j.judged_as(whole, &r.key), flow, "");
            let text = t.render(&env);
            // a sentence with a figure the profile does not have is left out
            if !text.contains('?') && !out.iter().any(|o: &String| o.starts_with(&text)) {
                out.push(text);
            }
        }
    }
    for (i, h) in j.hits.iter().enumerate() {
        if !said[i] {
            out.push(h.message.clone());
        }
    }
    out
}

/// Ranks every bus for a flow: fits first, then by what the misses weigh (what cannot be
/// configured away above what can), then by margin, and by name only as a last resort, which
/// the entry then says (contract §6).
pub fn rank(
    kb: &Kb,
    levels: &Levels,
    profiles: &[Profile],
    reqs: &Requirements,
    flow: &str,
) -> Vec<Ranked> {
    let mut out: Vec<(Ranked, (bool, i64))> = profiles
        .iter()
        .map(|p| {
            // a bus whose mode is unknown is judged as its best single mode, never as a mix
            // of each mode's best figures
            let (j, mode) = match kinds_of(p, profiles)
                .into_iter()
                .map(|m| (judge(kb, levels, p, m, reqs, flow), m))
                .min_by(|a, b| a.0.key().cmp(&b.0.key()).then(a.1.label().cmp(b.1.label())))
            {
                Some((j, m)) => (j, Some(m)),
                None => (judge(kb, levels, p, p, reqs, flow), None),
            };
            let mut why = why_of(kb, p, &j, reqs, flow);
            if let Some(m) = mode {
                let (label, kind) = (m.label(), if m.variant.is_some() { "kind" } else { "mode" });
                let lead = if j.fits() {
                    format!("fits as {label}, a {kind} that meets every requirement")
                } else {
                    format!("judged as {label}, the {kind} that misses the least; no one {kind} meets every requirement")
                };
                why.insert(0, lead);
            }
            let mode = mode.map(|m| m.mode_word().to_owned());
            let key = j.key();
            let unmet = j
                .hits
                .into_iter()
                .map(|h| {
                    let r = &kb.rules[h.rule];
                    Unmet {
                        criterion: r.criterion.clone(),
                        severity: h.severity,
                        reason: h.message,
                        code: r.code.clone(),
                        requirement: r.requirement.clone().unwrap_or_default(),
                    }
                })
                .collect();
            (
                Ranked {
                    bus: p.bus.clone(),
                    fits: !key.0,
                    unmet,
                    mode,
                    weight: j.weight,
                    margin: j.margin,
                    why,
                },
                key,
            )
        })
        .collect();
    // equal on what they miss and how typical the use is: for a flow that must not lose
    // messages or must keep history, the one that keeps them on disk first; then the simpler to
    // operate, then the lighter, each said; the alphabet only when nothing else tells them apart
    let durable = reqs
        .get("delivery")
        .is_some_and(|r| r.val.to_string() != "at-most-once")
        || reqs.get("retention").is_some();
    let plain = |bus: &str| -> (bool, usize, u64) {
        let p = profiles.iter().find(|p| p.bus == bus);
        let memory_only = durable
            && p.and_then(|p| p.figure(&["resources".into(), "storage".into()]))
                .is_some_and(|v| v.to_string() == "memory");
        let level = p
            .and_then(|p| p.figure(&["complexity".into(), "level".into()]))
            .and_then(|v| {
                expr::COMPLEXITY
                    .levels
                    .iter()
                    .position(|l| *l == v.to_string())
            })
            .unwrap_or(expr::COMPLEXITY.levels.len());
        let memory = p
            .and_then(|p| p.figure(&["resources".into(), "memory_min".into()]))
            .and_then(|v| match v {
                Val::Qty(q) => Some(q.value as u64),
                _ => None,
            })
            .unwrap_or(u64::MAX);
        (memory_only, level, memory)
    };
    out.sort_by(|a, b| {
        a.1.cmp(&b.1)
            .then_with(|| plain(&a.0.bus).cmp(&plain(&b.0.bus)))
            .then_with(|| a.0.bus.cmp(&b.0.bus))
    });
    for i in 1..out.len() {
        if out[i].1 != out[i - 1].1 {
            continue;
        }
        let before = out[i - 1].0.bus.clone();
        let (b, a) = (plain(&before), plain(&out[i].0.bus));
        let figure = |bus: &str, path: [&str; 2]| {
            profiles
                .iter()
                .find(|p| p.bus == bus)
                .and_then(|p| p.figure(&[path[0].into(), path[1].into()]))
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        let (this, that) = (out[i].0.bus.clone(), before.clone());
        let reason = if !b.0 && a.0 {
            format!("as {that} keeps messages on disk and {this} in memory")
        } else if b.1 < a.1 {
            format!(
                "as {that} is simpler to operate ({} against {})",
                figure(&that, ["complexity", "level"]),
                figure(&this, ["complexity", "level"])
            )
        } else if b.2 < a.2 {
            format!(
                "as {that} runs in less memory (from {} against {})",
                figure(&that, ["resources", "memory_min"]),
                figure(&this, ["resources", "memory_min"])
            )
        } else {
            "by name: nothing else tells them apart".to_owned()
        };
        out[i].0.why.push(format!(
            "ties with {before} on what it misses and how typical the use is: listed after it {reason}"
        ));
    }
    out.into_iter().map(|(r, _)| r).collect()
}

/// A design named beside the buses (rules/ranking.yaml `patterns`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Design {
    pub name: String,
    pub what: String,
    pub changes: String,
    pub source: String,
}

/// The designs whose conditions the flow's requirements meet, in the order ranking.yaml
/// lists them.
pub fn designs(kb: &Kb, reqs: &Requirements, flow: &str) -> Vec<Design> {
    let Some(any) = kb.profiles.first() else {
        return Vec::new();
    };
    let env = FlowEnv::flow(kb, reqs, any, flow, "");
    kb.ranking
        .patterns
        .iter()
        .filter(|p| expr::fires(expr::eval(&p.when, &env)))
        .map(|p| Design {
            name: p.name.clone(),
            what: p.what.render(&env),
            changes: p.changes.render(&env),
            source: p.source.clone(),
        })
        .collect()
}

/// When no bus fits: what it would take, as one sentence.
pub fn closest(ranking: &[Ranked]) -> Option<String> {
    if ranking.is_empty() || ranking.iter().any(|r| r.fits) {
        return None;
    }
    let missed = |r: &Ranked| -> Vec<String> {
        let mut v: Vec<String> = r
            .unmet
            .iter()
            .filter(|u| u.severity >= Severity::Warning)
            .map(|u| u.requirement.clone())
            .collect();
        v.dedup();
        v
    };
    let every: Vec<String> = missed(&ranking[0])
        .into_iter()
        .filter(|q| ranking.iter().all(|r| missed(r).contains(q)))
        .collect();
    let top = &ranking[0];
    Some(if every.is_empty() {
        format!(
            "no bus fits; the closest, {}, would fit with {} relaxed",
            top.bus,
            missed(top).join(" and ")
        )
    } else {
        let rest: Vec<String> = missed(top)
            .into_iter()
            .filter(|q| !every.contains(q))
            .collect();
        format!(
            "no bus fits: none meets {}; relax {} first{}",
            every.join(" and "),
            if every.len() > 1 { "them" } else { "it" },
            if rest.is_empty() {
                format!(" ({} would then fit)", top.bus)
            } else {
                format!(
                    " ({} would then still miss {})",
                    top.bus,
                    rest.join(" and ")
                )
            }
        )
    })
}

/// A settings rule that fired on one setting of a deployment, for one flow.
#[derive(Debug, Clone)]
pub struct SettingHit<'s> {
    pub rule: usize,
    pub severity: Severity,
    pub setting: &'s Setting,
}

/// The requirement keys a condition reads, directly or through derived values.
fn req_keys(kb: &Kb, expr: &expr::Expr, depth: usize, out: &mut Vec<String>) {
    let mut paths = Vec::new();
    expr.paths(&mut paths);
    for p in paths {
        match (p.first().map(String::as_str), p.get(1)) {
            (Some("req"), Some(k)) => out.push(k.clone()),
            (Some("derived"), Some(name)) if depth < 8 => {
                if let Some(d) = kb.derived.iter().find(|d| &d.name == name) {
                    req_keys(kb, &d.expr, depth + 1, out);
                }
            }
            _ => {}
        }
    }
}

/// The settings rules over one deployment's settings, judged for each flow that runs on it.
/// A rule's condition reads a few requirements: a flow whose values of those equal an
/// earlier flow's gets the earlier flow's answer, without evaluating again (a deployment in a
/// monorepo is judged for dozens of flows).
pub struct SettingsJudge<'a> {
    kb: &'a Kb,
    profile: &'a Profile,
    settings: &'a [Setting],
    file: &'a str,
    /// (rule, its level, the requirement keys it reads, the settings it names), for the
    /// rules on this bus that name a setting the deployment has.
    rules: Vec<(usize, Severity, &'a [String], Vec<usize>)>,
    /// Requirements judged so far, in order.
    seen: Vec<&'a Requirements>,
    /// (rule, setting, flow judged) → fires.
    fired: HashMap<(usize, usize, usize), bool>,
    shares: bool,
}

impl<'a> SettingsJudge<'a> {
    #[must_use]
    pub fn new(
        kb: &'a Kb,
        levels: &'a Levels,
        profile: &'a Profile,
        settings: &'a [Setting],
        file: &'a str,
        memo: &'a Memo<'_>,
    ) -> Self {
        // a value unknown until deployment (`$REDIS_PASSWORD`) is never judged on its own; it
        // only says that the key is set (`has(setting.requirepass)`)
        let mut by_key: HashMap<&str, Vec<usize>> = HashMap::with_capacity(settings.len());
        for (si, s) in settings.iter().enumerate() {
            if !s.is_unknown() {
                by_key.entry(s.key.as_str()).or_default().push(si);
            }
        }
        let rules = kb
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.settings.is_empty() && r.applies_to.contains(&profile.bus))
            .filter_map(|(i, r)| {
                r.when.as_ref()?;
                let mut named: Vec<usize> = r
                    .settings
                    .iter()
                    .filter_map(|k| by_key.get(k.as_str()))
                    .flatten()
                    .copied()
                    .collect();
                if named.is_empty() {
                    return None;
                }
                let severity = levels.of(r)?;
                // in the order of the settings, each once
                named.sort_unstable();
                named.dedup();
                Some((i, severity, memo.reads[i].as_slice(), named))
            })
            .collect();
        SettingsJudge {
            kb,
            profile,
            settings,
            file,
            rules,
            seen: Vec::new(),
            fired: HashMap::new(),
            shares: memo.enabled,
        }
    }

    /// The settings rules that fire for one flow (`flow` empty: none), in rule order, once
    /// per setting they name.
    pub fn hits(&mut self, reqs: &'a Requirements, flow: &'a str) -> Vec<SettingHit<'a>> {
        let me = self.seen.len();
        self.seen.push(reqs);
        let mut out = Vec::new();
        for (ri, severity, keys, named) in &self.rules {
            let rule = &self.kb.rules[*ri];
            let Some(cond) = &rule.when else { continue };
            // the first flow judged with the same values of what this rule reads
            let judged = if self.shares {
                self.seen
                    .iter()
                    .position(|o| {
                        keys.iter()
                            .all(|k| o.get(k).map(|v| &v.val) == reqs.get(k).map(|v| &v.val))
                    })
                    .unwrap_or(me)
            } else {
                me
            };
            // every occurrence: several listeners, or one per list item of a resource
            for &si in named {
                let current = &self.settings[si];
                let fires = if judged == me {
                    let env = self.env(reqs, flow, current);
                    let f = expr::fires(expr::eval(cond, &env));
                    self.fired.insert((*ri, si, me), f);
                    f
                } else {
                    self.fired.get(&(*ri, si, judged)).copied().unwrap_or(false)
                };
                if fires {
                    out.push(SettingHit {
                        rule: *ri,
                        severity: *severity,
                        setting: current,
                    });
                }
            }
        }
        out
    }

    /// A fired rule's message and help, rendered for its flow.
    #[must_use]
    pub fn render(&self, hit: &SettingHit<'a>, reqs: &'a Requirements, flow: &'a str) -> Hit {
        let env = self.env(reqs, flow, hit.setting);
        Hit::of(hit.rule, &self.kb.rules[hit.rule], hit.severity, &env)
    }

    /// A flow's requirements on this deployment, judging one of its settings.
    fn env(&self, reqs: &'a Requirements, flow: &'a str, current: &'a Setting) -> FlowEnv<'a> {
        FlowEnv {
            kb: self.kb,
            reqs,
            profile: self.profile,
            flow,
            file: self.file,
            settings: self.settings,
            current: Some(current),
        }
    }
}
