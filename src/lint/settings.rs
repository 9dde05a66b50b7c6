//! Settings rules over every deployment, with the requirements of the flows that run on it.
//! A deployment no flow covers is checked with no requirements, at `info` (contract §2).

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use super::eval::{self, Levels};
use super::finding::Finding;
use super::resolve::ResolvedFlow;
use crate::extract::{Deployment, Origin, Setting};
use crate::kb::requirements::Requirements;
use crate::kb::{Kb, Profile, Severity};
use crate::project::Project;
use crate::situation::Situation;
use crate::situation::role::Use;

/// The setting under which a deployment's role (contract §7) is given to rules.
pub const ROLE: &str = "role";

/// Profiles and rule levels in force for each manifest's subtree.
pub struct Sets<'a> {
    /// The built-in profiles (borrowed), and those a busfit.yaml's `buses:` overrides.
    pub profiles: &'a [std::borrow::Cow<'a, [Profile]>],
    /// Index 0: no manifest; i + 1: manifest i.
    pub levels: &'a [Levels],
    pub set_of: &'a [usize],
}

impl Sets<'_> {
    pub fn profiles(&self, manifest: Option<usize>) -> &[Profile] {
        &self.profiles[manifest.map_or(0, |i| self.set_of[i])]
    }
    pub fn levels(&self, manifest: Option<usize>) -> &Levels {
        &self.levels[manifest.map_or(0, |i| i + 1)]
    }
}

/// A settings finding keyed by (rule, setting's span): several flows on one deployment find
/// the same setting, and the most severe finding is kept.
type Keyed = ((usize, crate::source::Span), Finding);

/// The source of a client's configuration seen as a deployment's settings.
const CLIENT: &str = "client";

/// Flows by (manifest, bus), so each deployment finds the flows that run on it directly.
type ByBus<'a> = HashMap<(Option<usize>, &'a str), Vec<&'a ResolvedFlow>>;

pub fn findings(
    kb: &Kb,
    project: &Project,
    situation: &Situation,
    flows: &[ResolvedFlow],
    cli: &Requirements,
    sets: &Sets<'_>,
    memo: &eval::Memo<'_>,
) -> Vec<Finding> {
    let mut by_bus: ByBus<'_> = HashMap::new();
    for f in flows {
        if let Ok((b, _)) = &f.bus {
            let on = by_bus.entry((f.manifest, b.as_str())).or_default();
            // a flow requiring what an earlier one requires finds nothing the earlier one has
            // not (findings are kept per rule and setting, the first flow's when equal): it
            // is not evaluated again (a monorepo has thousands of such inline flows)
            if !(memo.shares() && on.iter().any(|o| o.requires.same_values(&f.requires))) {
                on.push(f);
            }
        }
    }
    // a client's configuration (a properties file, Spring Boot's) is judged like a
    // deployment's settings, with the flows of its bus
    let clients: Vec<Deployment> = project
        .facts
        .clients
        .iter()
        .filter(|c| !c.settings.is_empty())
        .map(|c| Deployment {
            bus: c.bus.clone(),
            span: c.span,
            source: CLIENT,
            name: c.library.clone(),
            evidence: c.library.clone(),
            settings: c.settings.clone(),
            complete: false,
            config: None,
            cluster: None,
            parts: Vec::new(),
        })
        .collect();
    let n = project.facts.deployments.len();
    // (manifest, bus) of every deployment that carries messages (not a cache)
    let carriers: HashSet<(Option<usize>, &str)> = project
        .facts
        .deployments
        .iter()
        .enumerate()
        .filter(|(i, _)| situation.use_of(*i).is_none_or(|u| u.carries_messages))
        .map(|(_, d)| (project.owner_of(d.file()), d.bus.as_str()))
        .collect();
    let per_deployment: Vec<Vec<Keyed>> = project
        .facts
        .deployments
        .par_iter()
        .chain(clients.par_iter())
        .enumerate()
        .map(|(i, d)| {
            let used = (i < n).then(|| situation.use_of(i)).flatten();
            deployment_findings(kb, project, d, used, &carriers, &by_bus, cli, sets, memo)
        })
        .collect();
    let mut best: BTreeMap<(usize, crate::source::Span), Finding> = BTreeMap::new();
    for (key, fd) in per_deployment.into_iter().flat_map(|f| fold(kb, f)) {
        match best.get(&key) {
            Some(old) if old.severity >= fd.severity => {}
            _ => {
                best.insert(key, fd);
            }
        }
    }
    best.into_values().collect()
}

/// The hint when `--require` was given but asks nothing this rule is about.
const CLI_HINT: &str = "no requirement given with --require is about this; add one (`--require KEY=VALUE`, or a flow in busfit.yaml) to check it against it";
const DECLARE_HINT: &str = "no flow declares what this bus must do; declare requirements in busfit.yaml (`busfit init`) to check it against them";

/// Settings rules on one deployment, once per flow that runs on it (or once without).
#[allow(clippy::too_many_arguments)]
fn deployment_findings(
    kb: &Kb,
    project: &Project,
    d: &Deployment,
    used: Option<&Use>,
    carriers: &HashSet<(Option<usize>, &str)>,
    by_bus: &ByBus<'_>,
    cli: &Requirements,
    sets: &Sets<'_>,
    memo: &eval::Memo<'_>,
) -> Vec<Keyed> {
    let mut out = Vec::new();
    let file = project.files.name(d.file());
    let mi = project.owner_of(d.file());
    let levels = sets.levels(mi);
    let Some(profile) = sets.profiles(mi).iter().find(|p| p.bus == d.bus) else {
        return out;
    };
    let profile = variant_of(profile, d);
    let mut covering: Vec<&ResolvedFlow> = by_bus
        .get(&(mi, d.bus.as_str()))
        .cloned()
        .unwrap_or_default();
    for m in &profile.modes {
        for f in by_bus.get(&(mi, m.as_str())).into_iter().flatten() {
            if !(memo.shares() && covering.iter().any(|o| o.requires.same_values(&f.requires))) {
                covering.push(f);
            }
        }
    }
    let empty = Requirements::default();
    // a deployment that carries no messages (a cache) is judged without `--require` and,
    // when another deployment of its bus carries them, without the flows on its bus
    // (contract §7); the flows a busfit.yaml declares on a bus whose only deployment is a
    // cache run on that cache, which then carries messages too
    let cache = used.is_some_and(|u| !u.carries_messages);
    if cache && carriers.contains(&(mi, d.bus.as_str())) {
        covering.clear();
    }
    let cli = if cache { &empty } else { cli };
    let cache = cache && covering.is_empty();
    let runs: Vec<(Option<&str>, &Requirements)> = if covering.is_empty() {
        vec![(None, if cli.is_empty() { &empty } else { cli })]
    } else {
        covering
            .iter()
            .map(|f| (Some(f.name.as_str()), &f.requires))
            .collect()
    };
    let mut settings = effective(profile, d);
    if let Some(rule) = &profile.recognition.listeners {
        let listeners = listeners_in_use(rule, &settings, &project.files);
        let published = published_listeners(rule, &settings, &project.files);
        settings.extend(listeners);
        settings.extend(published);
    }
    // the role is a fact rules read (`setting.role`): BF911 does not ask a cache for AOF
    if let Some(role) = used
        .and_then(|u| u.role.as_ref())
        .filter(|_| cache || used.is_some_and(|u| u.carries_messages))
    {
        settings.push(Setting {
            key: ROLE.to_owned(),
            value: role.clone(),
            span: d.span,
            origin: Origin::Implied,
        });
    }
    let mut judge = eval::SettingsJudge::new(kb, levels, profile, &settings, file, memo);
    // the most severe finding per rule and setting is kept, the first among equals: a later
    // flow's finding that is no more severe is not drawn
    let mut drawn: HashMap<(usize, crate::source::Span), Severity> = HashMap::new();
    for (flow, reqs) in runs {
        let by = flow.unwrap_or("");
        for sh in judge.hits(reqs, by) {
            let rule = &kb.rules[sh.rule];
            // whether the rule's condition reads a requirement the flow declares
            // (an `always` rule, exposure without authentication, needs no requirement)
            let declared = rule.always || memo.reads(sh.rule).iter().any(|k| reqs.get(k).is_some());
            // a value nobody wrote is judged only against what a flow declares
            if matches!(
                sh.setting.origin,
                Origin::Absent(_) | Origin::Default | Origin::Implied | Origin::Image(_)
            ) && !declared
            {
                continue;
            }
            let severity = if declared {
                sh.severity
            } else {
                Severity::Info
            };
            let key = (sh.rule, sh.setting.span);
            if drawn.get(&key).is_some_and(|&old| old >= severity) {
                continue;
            }
            drawn.insert(key, severity);
            let hit = judge.render(&sh, reqs, by);
            let mut help = hit.help;
            let mut message = hit.message;
            let label = match &sh.setting.origin {
                Origin::Written => {
                    let text = &project.files.get(sh.setting.span.file).text;
                    let at = text
                        .get(sh.setting.span.range.start..sh.setting.span.range.end)
                        .unwrap_or("");
                    match written_key(text, sh.setting.span) {
                        Some(k) => format!("{k} set here"),
                        None if at.contains(sh.setting.key.as_str()) => {
                            format!("{} set here", sh.setting.key)
                        }
                        // a file the image ships, run by this command
                        None => {
                            format!("runs a config with {} {}", sh.setting.key, sh.setting.value)
                        }
                    }
                }
                Origin::Evaluated(how) => {
                    format!("{} = {}, from {how}", sh.setting.key, sh.setting.value)
                }
                Origin::Counted => format!(
                    "{} = {}, counted from the cluster's members",
                    sh.setting.key, sh.setting.value
                ),
                Origin::Absent(path) => format!("{path} is not set"),
                Origin::Implied => format!("{}: {}", sh.setting.key, sh.setting.value),
                // the program's default, or the image's where it differs
                origin @ (Origin::Default | Origin::Image(_)) => {
                    let (whose, by) = match origin {
                        Origin::Image(family) => (
                            format!("the {family} image's default"),
                            format!("by the {family} image's default"),
                        ),
                        _ => ("the default".to_owned(), "by default".to_owned()),
                    };
                    let (k, v) = (&sh.setting.key, &sh.setting.value);
                    message.push_str(&format!(" ({k} is not set; {v} is {whose})"));
                    format!("{k} not set: {v} {by}")
                }
            };
            // a risky setting that no declared requirement is about is advice (contract §2)
            if !declared {
                let hint = if flow.is_none() && !reqs.is_empty() {
                    CLI_HINT
                } else {
                    DECLARE_HINT
                };
                help = Some(match help {
                    Some(h) => format!("{h}\n{hint}"),
                    None => hint.to_owned(),
                });
            }
            let fd = Finding::new(rule, severity, sh.setting.span, message)
                .label(label)
                .secondary((d.span != sh.setting.span).then(|| {
                    let what = if d.source == CLIENT {
                        "client configured"
                    } else {
                        "deployed"
                    };
                    (d.span, format!("{} {what} here", d.bus))
                }))
                .flow(flow.map(str::to_owned))
                .bus(Some(d.bus.clone()))
                .help(help)
                .declared(declared)
                .cluster(d.cluster.as_ref().filter(|c| !c.part).map(|c| {
                    // a compose key names its (base) file; any other cluster name (Strimzi's
                    // `my-cluster`) is one cluster per file, as its brokers are counted
                    let file = if c.key.starts_with("compose:") {
                        String::new()
                    } else {
                        d.file().index().to_string()
                    };
                    format!("{}\u{0}{file}\u{0}{}\u{0}{}", c.key, d.bus, sh.setting.key)
                }))
                .subject(format!("deployment:{}/{}", d.name, sh.setting.key));
            out.push((key, fd));
        }
    }
    // held until every deployment is judged: no spare capacity
    out.shrink_to_fit();
    out
}

/// Each listener in use, as a setting of its own (`listener` = `NAME:PROTOCOL`) at its own
/// bytes: its item in the listener list, else its entry in the protocol map. A name the map
/// lists and no listener uses is not judged (a stock broker.properties maps SASL_PLAINTEXT
/// without a listener for it); a value unknown until deployment is not read.
fn listeners_in_use(
    rule: &crate::kb::profile::ListenerRule,
    settings: &[Setting],
    files: &crate::source::FileTable,
) -> Vec<Setting> {
    // (name, span of its item) of the listeners the lists and name settings use
    let mut used: Vec<(String, Option<crate::source::Span>)> = Vec::new();
    let item_span = |s: &Setting, item: &str| -> crate::source::Span {
        let text = &files.get(s.span.file).text;
        let range = s.span.range;
        text.get(range.start..range.end)
            .and_then(|t| t.find(item))
            .map_or(s.span, |i| {
                crate::source::Span::new(
                    s.span.file,
                    crate::source::ByteSpan::new(range.start + i, range.start + i + item.len()),
                )
            })
    };
    for s in settings.iter().filter(|s| rule.lists.contains(&s.key)) {
        for item in s.value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let Some((name, _)) = item.split_once("://") else {
                continue;
            };
            if name.is_empty() || name.contains('$') || name.contains('{') {
                continue;
            }
            let name = name.to_ascii_uppercase();
            match used.iter_mut().find(|(n, _)| *n == name) {
                Some(_) => {}
                None => used.push((name, Some(item_span(s, item)))),
            }
        }
    }
    for s in settings.iter().filter(|s| rule.names.contains(&s.key)) {
        for name in s.value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name.contains('$') || name.contains('{') {
                continue;
            }
            let name = name.to_ascii_uppercase();
            if !used.iter().any(|(n, _)| *n == name) {
                used.push((name, None));
            }
        }
    }
    if used.is_empty() {
        return Vec::new();
    }
    // the protocol map, the last spelling winning; without one, a listener's name is its
    // protocol
    let map_setting = settings
        .iter()
        .rev()
        .find(|s| s.key == rule.map && !s.is_unknown());
    let mut out = Vec::new();
    for (name, span) in used {
        let entry = map_setting.and_then(|m| {
            m.value.split(',').map(str::trim).find_map(|e| {
                let (n, p) = e.split_once(':')?;
                (n.trim().eq_ignore_ascii_case(&name)).then(|| (e, p.trim().to_ascii_uppercase()))
            })
        });
        let (protocol, map_span) = match (entry, map_setting) {
            (Some((e, p)), Some(m)) => (p, Some(item_span(m, e))),
            // a map that does not list the name: the broker refuses it; nothing to judge
            (None, Some(_)) => continue,
            (_, None) => (name.clone(), None),
        };
        let Some(at) = span.or(map_span) else {
            continue;
        };
        out.push(Setting {
            key: rule.setting.clone(),
            // `PLAINTEXT_HOST:PLAINTEXT`; a listener named after its protocol is that name
            value: if name == protocol {
                name
            } else {
                format!("{name}:{protocol}")
            },
            span: at,
            origin: Origin::Written,
        });
    }
    out
}

/// The listener behind each published port (contract §7, exposure), as a setting of its own
/// (`published.listener` = `NAME:PROTOCOL`) at the published entry, when clients beyond the
/// host can follow the address it advertises: an IP that is not loopback or a name with a dot
/// (any name under host networking). `localhost` and a container-network name send clients
/// back to themselves; an address unknown until deployment builds no finding.
fn published_listeners(
    rule: &crate::kb::profile::ListenerRule,
    settings: &[Setting],
    files: &crate::source::FileTable,
) -> Vec<Setting> {
    let Some(key) = &rule.published else {
        return Vec::new();
    };
    let last = |k: &str| settings.iter().rev().find(|s| s.key == k);
    let advertised = rule.advertised.as_deref().and_then(last);
    let Some(bound) = rule
        .lists
        .iter()
        .filter(|k| Some(k.as_str()) != rule.advertised.as_deref())
        .find_map(|k| last(k))
    else {
        return Vec::new();
    };
    let items = |s: &Setting| crate::extract::listener_items(&s.value);
    let map = settings
        .iter()
        .rev()
        .find(|s| s.key == rule.map && !s.is_unknown());
    let mut out = Vec::new();
    for p in settings
        .iter()
        .filter(|s| s.key == crate::extract::compose::PUBLISHED)
    {
        let host_network = files
            .get(p.span.file)
            .text
            .get(p.span.range.start..p.span.range.end)
            .is_some_and(|t| t.trim_matches(['"', '\'']) == "host");
        let Some((name, own_host, _)) = items(bound)
            .into_iter()
            .find(|(_, _, port)| *port == p.value)
        else {
            continue;
        };
        let host = advertised
            .and_then(|a| items(a).into_iter().find(|(n, _, _)| *n == name))
            .map_or(own_host, |(_, h, _)| h);
        if !beyond_host(&host, host_network) {
            continue;
        }
        let protocol = match map {
            Some(m) => match m.value.split(',').find_map(|e| {
                let (n, p) = e.split_once(':')?;
                n.trim()
                    .eq_ignore_ascii_case(&name)
                    .then(|| p.trim().to_ascii_uppercase())
            }) {
                Some(p) => p,
                None => continue,
            },
            None => name.clone(),
        };
        out.push(Setting {
            key: key.clone(),
            value: if name == protocol {
                name
            } else {
                format!("{name}:{protocol}")
            },
            span: p.span,
            origin: Origin::Written,
        });
    }
    out
}

/// Whether clients beyond the host reach an advertised host: a non-loopback IP, a name with a
/// dot, or any name on host networking; never a variable.
fn beyond_host(host: &str, host_network: bool) -> bool {
    use crate::extract::HostScope;
    match crate::extract::host_scope(host) {
        HostScope::Beyond => true,
        HostScope::Network | HostScope::Unspecified => host_network,
        HostScope::Loopback | HostScope::Unknown => false,
    }
}

/// A deployment's effective settings: those written whose value is known, and, where its
/// configuration is complete, the broker's default for every key it leaves out.
/// The profile a deployment is judged by: the variant its evidence names (Mosquitto, of the
/// MQTT brokers), or the bus's own.
fn variant_of<'p>(profile: &'p Profile, d: &Deployment) -> &'p Profile {
    named_variant(profile, d).unwrap_or(profile)
}

/// The variant a deployment's evidence names: one of the `|`-separated words of a variant's
/// `evidence` (`emqx|hivemq|vernemq`) in it.
#[must_use]
pub fn named_variant<'p>(profile: &'p Profile, d: &Deployment) -> Option<&'p Profile> {
    let evidence = d.evidence.to_ascii_lowercase();
    profile.variants.iter().find(|v| {
        v.variant_evidence
            .as_deref()
            .is_some_and(|w| w.split('|').any(|w| evidence.contains(w)))
    })
}

/// The variant every deployment of each bus names, where they agree (the repository runs
/// EMQX): a flow on that bus is judged as that kind, not as the best of its kinds.
#[must_use]
pub fn deployed_variants(kb: &Kb, deployments: &[Deployment]) -> HashMap<String, String> {
    let mut seen: HashMap<&str, Option<&str>> = HashMap::new();
    for d in deployments {
        let Some(p) = kb.profile(&d.bus) else {
            continue;
        };
        if p.variants.is_empty() {
            continue;
        }
        let v = named_variant(p, d).and_then(|v| v.variant.as_deref());
        seen.entry(d.bus.as_str())
            .and_modify(|s| {
                if *s != v {
                    *s = None;
                }
            })
            .or_insert(v);
    }
    seen.into_iter()
        .filter_map(|(bus, v)| Some((bus.to_owned(), v?.to_owned())))
        .collect()
}

/// A deployment's settings as they take effect, each with the layer it came from (contract
/// §7): written (in the file, an env file, a mounted config, a command flag), the image's
/// default, the program's default, implied by the kind of broker, or counted.
#[must_use]
pub fn effective_of(kb: &Kb, d: &Deployment) -> Vec<Setting> {
    match kb.profile(&d.bus) {
        Some(p) => effective(variant_of(p, d), d),
        None => d.settings.clone(),
    }
}

fn effective(profile: &Profile, d: &Deployment) -> Vec<Setting> {
    // a member that does not hold the node role (a KRaft controller) reads none of the role's
    // settings: they are neither judged nor defaulted on it
    let off_role: &[String] = match &profile.recognition.nodes {
        Some(n)
            if !n.holds_role(
                d.settings
                    .iter()
                    .map(|s| (s.key.as_str(), s.value.as_str())),
            ) =>
        {
            &n.role_settings
        }
        _ => &[],
    };
    // unknown values are kept: they are not judged (`SettingsJudge` skips them), but a key
    // set from a variable is set, and takes no default
    let mut out: Vec<Setting> = d
        .settings
        .iter()
        .filter(|s| !off_role.contains(&s.key))
        .cloned()
        .collect();
    // the image's defaults come before the program's: Bitnami's Redis turns AOF on
    if d.complete
        && let Some(family) = crate::extract::image_family(profile, &d.evidence)
    {
        for def in &family.defaults {
            if !out.iter().any(|s| s.key == def.key) && !off_role.contains(&def.key) {
                out.push(Setting {
                    key: def.key.clone(),
                    value: def.value.clone(),
                    span: d.span,
                    origin: Origin::Image(family.family.clone()),
                });
            }
        }
    }
    let evidence = d.evidence.to_ascii_lowercase();
    for def in profile
        .defaults
        .iter()
        .filter(|def| !off_role.contains(&def.key))
    {
        // a fact of one kind of broker or service (Mosquitto has no clustering, Event Hubs
        // takes events of 1 MB at most) holds wherever its evidence is, read config or not
        if d.complete
            || (def.charts && d.source == "helm")
            || (def.implied && def.evidence.is_some())
        {
            let applies = def
                .evidence
                .as_ref()
                .is_none_or(|w| evidence.contains(w.as_str()));
            // a default of a block (`authentication`) is not taken when keys inside it are
            // written (`authentication.1.mechanism`)
            if applies
                && !out.iter().any(|s| {
                    s.key
                        .strip_prefix(def.key.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                })
            {
                out.push(Setting {
                    key: def.key.clone(),
                    value: def.value.clone(),
                    span: d.span,
                    origin: if def.implied {
                        Origin::Implied
                    } else {
                        Origin::Default
                    },
                });
            }
        }
    }
    out
}

/// One root cause, one finding: where a rule with `folds:` fired on a deployment, the
/// findings of the rules it folds are dropped, and its help names what they said.
fn fold(kb: &Kb, found: Vec<Keyed>) -> Vec<Keyed> {
    let folding: Vec<&str> = found
        .iter()
        .flat_map(|((r, _), _)| kb.rules[*r].folds.iter().map(String::as_str))
        .collect();
    if folding.is_empty() {
        return found;
    }
    let (folded, mut kept): (Vec<Keyed>, Vec<Keyed>) = found
        .into_iter()
        .partition(|((r, _), _)| folding.contains(&kb.rules[*r].code.as_str()));
    let mut said: Vec<String> = folded
        .iter()
        .map(|(_, f)| f.message.split(':').next().unwrap_or("").trim().to_owned())
        .collect();
    said.sort();
    said.dedup();
    if !said.is_empty() {
        for ((r, _), f) in &mut kept {
            if !kb.rules[*r].folds.is_empty() {
                let note = format!("follows from it: {}", said.join(", "));
                f.help = Some(match f.help.take() {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
        }
    }
    kept
}

/// The key as the file writes it, when the span is a value after `key:` or `key=` on its line
/// (`replicas: 1` in a KafkaNodePool is named `replicas`, not busfit's `broker.replicas`).
fn written_key(text: &str, span: crate::source::Span) -> Option<&str> {
    let start = span.range.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = text.get(line_start..start)?.trim_end();
    let before = before.strip_suffix([':', '='])?.trim_end();
    let key = before
        .rsplit(|c: char| {
            c.is_whitespace() || c == '{' || c == ',' || c == '-' && before.starts_with('-')
        })
        .next()?
        .trim_matches(['"', '\'']);
    (!key.is_empty()).then_some(key)
}
