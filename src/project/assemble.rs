//! A deployment is a broker cluster, not a document (contract §6). After every file's facts
//! are read, this pass follows each container to the config file it runs, attaches parts
//! (Strimzi node pools, topics and users; a chart dependency and its values) to their
//! cluster, and adds up each cluster's brokers. Order is kept, so output stays deterministic.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::extract::{Deployment, Facts, Origin, Setting, conf};
use crate::kb::Kb;
use crate::source::path::dir_of;
use crate::source::read::{MAX_FILE_BYTES, Reader};
use crate::source::{FileId, FileTable, SourceFile, Span};

/// Runs every step over a project's facts; files read for the first time join `files`.
pub fn assemble(kb: &Kb, reader: Option<&Reader>, files: &mut FileTable, facts: &mut Facts) {
    super::terraform::evaluate_terraform(kb, files, facts);
    follow_configs(reader, files, facts);
    read_env(kb, reader, files, facts);
    attach_parts(files, facts);
    join_overlays(files, facts);
    publish_services(kb, files, facts);
    count_nodes(kb, facts);
    // a cluster is judged with its parts' settings (a pool's storage, a topic's replicas)
    for d in &mut facts.deployments {
        let from_parts: Vec<Setting> = d.parts.iter().flat_map(|p| p.settings.clone()).collect();
        d.settings.extend(from_parts);
    }
}

/// Reads the config file each container runs (mounted from the repository under any name)
/// as that deployment's settings; the file is then no deployment of its own.
fn follow_configs(reader: Option<&Reader>, files: &mut FileTable, facts: &mut Facts) {
    let mut by_name: HashMap<String, FileId> = files
        .ids()
        .map(|id| (files.name(id).to_owned(), id))
        .collect();
    let mut absorbed: HashSet<FileId> = HashSet::new();
    for d in &mut facts.deployments {
        let Some(cfg) = d.config.clone() else {
            continue;
        };
        let id = match by_name.get(&cfg.shown) {
            Some(id) => Some(*id),
            // a file of the repository the walk did not keep for its name: read it now
            None if !cfg.shown.starts_with("..") => reader
                .and_then(|r| r.named(Path::new(&cfg.shown), MAX_FILE_BYTES).ok())
                .map(|text| {
                    let owner = files.owner(d.span.file);
                    let id = files.push(
                        SourceFile::new(cfg.shown.clone(), text),
                        owner,
                        cfg.shown.clone(),
                    );
                    by_name.insert(cfg.shown.clone(), id);
                    id
                }),
            None => None,
        };
        let Some(id) = id else {
            // the configuration it runs is not in the repository: its defaults are unknown
            d.complete = false;
            continue;
        };
        let text = files.get(id).text.clone();
        for (key, value, range) in conf::lines(&text, &cfg.format) {
            d.settings.push(Setting {
                key,
                value,
                span: Span::new(id, range),
                origin: Origin::Written,
            });
        }
        if let Some((keys, to)) = &cfg.upgrade
            && d.settings
                .iter()
                .any(|s| keys.contains(&s.key) && s.value != "false")
        {
            d.bus.clone_from(to);
        }
        d.evidence.push_str(&format!(" running {}", cfg.shown));
        absorbed.insert(id);
    }
    facts.deployments.retain(|d| {
        d.config.is_some()
            || !(absorbed.contains(&d.span.file) && matches!(d.source, "conf" | "properties"))
    });
}

/// Compose as compose resolves it (contract §7): each service's `env_file:` files are read as
/// its environment, below what `environment:` and the command write; the `.env` beside a
/// compose file gives its `${VAR}` values. A value whose variable stays unknown is left as it
/// is (unknown: never judged).
fn read_env(kb: &Kb, reader: Option<&Reader>, files: &mut FileTable, facts: &mut Facts) {
    // only a compose file with an env_file or a variable in its brokers' settings needs one
    let mut of_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (i, d) in facts.deployments.iter().enumerate() {
        if d.source == "compose" {
            of_file.entry(d.span.file).or_default().push(i);
        }
    }
    let needed = |c: &crate::extract::ComposeFile, facts: &Facts| {
        !c.env_files.is_empty()
            || of_file.get(&c.file).is_some_and(|ds| {
                ds.iter().any(|&i| {
                    facts.deployments[i]
                        .settings
                        .iter()
                        .any(|s| s.value.contains('$'))
                })
            })
    };
    let compose: Vec<(FileId, EnvFiles)> = facts
        .compose
        .iter()
        .filter(|c| needed(c, facts))
        .map(|c| (c.file, c.env_files.clone()))
        .collect();
    if compose.is_empty() {
        return;
    }
    let mut by_name: HashMap<String, FileId> = files
        .ids()
        .map(|id| (files.name(id).to_owned(), id))
        .collect();
    // a file of the repository, read once (the walk may not have kept it for its name)
    // a file of the repository, read once (the walk may not have kept it for its name), when
    // it lies inside the root the compose file `of` was walked from (`root` is that root as
    // shown: the compose file's name without its path below the root)
    let mut read = |shown: &str, of: FileId, files: &mut FileTable| -> Option<FileId> {
        if let Some(id) = by_name.get(shown) {
            return Some(*id);
        }
        let (name, rel) = (files.name(of), files.rel(of));
        let root = name.strip_suffix(rel).unwrap_or("");
        let below = shown.strip_prefix(root)?;
        if below.starts_with("..")
            || below.starts_with('/')
            || (root.is_empty() && shown.starts_with(".."))
        {
            return None;
        }
        let owner = files.owner(of);
        let text = reader?.named(Path::new(shown), MAX_FILE_BYTES).ok()?;
        let id = files.push(
            SourceFile::new(shown.to_owned(), text),
            owner,
            below.to_owned(),
        );
        by_name.insert(shown.to_owned(), id);
        Some(id)
    };
    for (cf, env_files) in compose {
        let name = files.name(cf).to_owned();
        let dir = dir_of(&name);
        let dotenv = if dir.is_empty() {
            ".env".to_owned()
        } else {
            format!("{dir}/.env")
        };
        let vars: HashMap<String, String> = read(&dotenv, cf, files)
            .map(|id| {
                crate::extract::compose::env_file_lines(&files.get(id).text)
                    .into_iter()
                    .map(|(k, v, _)| (k, v))
                    .collect()
            })
            .unwrap_or_default();
        for &i in of_file.get(&cf).map(Vec::as_slice).unwrap_or_default() {
            let d = &mut facts.deployments[i];
            // env_file: below `environment:` and the command, so only keys they leave out
            if let Some((_, paths)) = env_files.iter().find(|(svc, _)| *svc == d.name)
                && let Some(profile) = kb.profile(&d.bus)
            {
                let mut added: Vec<Setting> = Vec::new();
                for p in paths {
                    let Some(id) = read(p, cf, files) else {
                        continue;
                    };
                    let pairs: Vec<(String, String, Span)> =
                        crate::extract::compose::env_file_lines(&files.get(id).text)
                            .into_iter()
                            .map(|(k, v, r)| (k, v, Span::new(id, r)))
                            .collect();
                    for s in crate::extract::compose::env_settings(profile, &d.evidence, &pairs) {
                        if !d.settings.iter().any(|w| w.key == s.key) {
                            added.retain(|a| a.key != s.key);
                            added.push(s);
                        }
                    }
                }
                d.settings.splice(0..0, added);
            }
            // with no `.env`, a `${VAR:-default}` takes its default: what runs when nobody
            // sets the variable; a `${VAR}` stays unknown
            for s in d.settings.iter_mut().filter(|s| s.span.file == cf) {
                if s.value.contains('$')
                    && let Some(v) = crate::extract::compose::interpolate(&s.value, &vars)
                {
                    s.value = v;
                }
            }
        }
        // a service's env files name the services it reaches (`CELERY_BROKER_URL=redis://…`),
        // as its `environment:` does (contract §7, role)
        let Some(ci) = facts.compose.iter().position(|c| c.file == cf) else {
            continue;
        };
        let mut links = Vec::new();
        for (svc, paths) in &env_files {
            for p in paths {
                let Some(id) = read(p, cf, files) else {
                    continue;
                };
                for (var, value, r) in crate::extract::compose::env_file_lines(&files.get(id).text)
                {
                    for to in &facts.compose[ci].services {
                        if to != svc && crate::extract::compose::names_host(&value, to) {
                            links.push(crate::extract::Link {
                                from: svc.clone(),
                                var: var.clone(),
                                to: to.clone(),
                                span: Span::new(id, r),
                            });
                        }
                    }
                }
            }
        }
        facts.compose[ci].links.extend(links);
    }
}

/// Each service's `env_file:` files.
type EnvFiles = Vec<(String, Vec<String>)>;

/// Attaches every part to its cluster's deployment: the one with the same cluster key in the
/// same file, else in the same directory, else the only one in the project. A part whose
/// cluster is not found stays a deployment of its own.
fn attach_parts(files: &FileTable, facts: &mut Facts) {
    let mut heads: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, d) in facts.deployments.iter().enumerate() {
        if let Some(c) = &d.cluster
            && !c.part
        {
            heads.entry(c.key.as_str()).or_default().push(i);
        }
    }
    let mut moves: Vec<(usize, usize)> = Vec::new();
    for (i, d) in facts.deployments.iter().enumerate() {
        let Some(c) = d.cluster.as_ref().filter(|c| c.part) else {
            continue;
        };
        let Some(cands) = heads.get(c.key.as_str()) else {
            continue;
        };
        let name = files.name(d.span.file);
        // the same file; else the one head of that name in the same directory; else the one
        // head of that name in the project (examples often repeat a cluster name per file)
        let same_dir: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&h| dir_of(files.name(facts.deployments[h].span.file)) == dir_of(name))
            .collect();
        let head = cands
            .iter()
            .copied()
            .find(|&h| facts.deployments[h].span.file == d.span.file)
            .or_else(|| (same_dir.len() == 1).then(|| same_dir[0]))
            .or_else(|| (cands.len() == 1).then(|| cands[0]));
        if let Some(h) = head {
            moves.push((i, h));
        }
    }
    if moves.is_empty() {
        return;
    }
    let mut parts: Vec<Option<Deployment>> = std::mem::take(&mut facts.deployments)
        .into_iter()
        .map(Some)
        .collect();
    let mut taken: Vec<(usize, Deployment)> = Vec::new();
    for (i, h) in &moves {
        if let Some(p) = parts[*i].take() {
            taken.push((*h, p));
        }
    }
    for (h, p) in taken {
        if let Some(head) = parts[h].as_mut() {
            head.parts.push(p);
        }
    }
    facts.deployments = parts.into_iter().flatten().collect();
}

/// Compose overlays (contract §7): a compose file whose services name services it does not
/// define (`depends_on`, `links`, `extends`) is run with the sibling file that defines them
/// (`docker compose -f base.yml -f overlay.yml`), and a file a compose file `include:`s or
/// `extends:` from is part of it: their brokers are one cluster, keyed by the base file.
fn join_overlays(files: &FileTable, facts: &mut Facts) {
    if facts.compose.len() < 2 {
        return;
    }
    let mut by_dir: HashMap<&str, Vec<&crate::extract::ComposeFile>> = HashMap::new();
    for c in &facts.compose {
        by_dir
            .entry(dir_of(files.name(c.file)))
            .or_default()
            .push(c);
    }
    let mut base_of: HashMap<FileId, FileId> = HashMap::new();
    for f in &facts.compose {
        let dir = dir_of(files.name(f.file));
        let siblings = by_dir.get(dir).map(Vec::as_slice).unwrap_or_default();
        // the sibling that defines the most of what this file names and does not define
        let base = siblings
            .iter()
            .copied()
            .filter(|g| g.file != f.file)
            .map(|g| (f.names.iter().filter(|n| g.services.contains(n)).count(), g))
            .filter(|(n, _)| *n > 0)
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.file.cmp(&a.1.file)))
            .map(|(_, g)| g.file)
            .filter(|_| !f.names.is_empty());
        if let Some(b) = base
            && base_of.get(&b) != Some(&f.file)
        {
            base_of.insert(f.file, b);
        }
        // what it includes joins it
        for inc in &f.includes {
            if let Some(g) = by_dir
                .get(dir_of(inc))
                .and_then(|v| v.iter().find(|g| files.name(g.file) == inc))
                && g.file != f.file
                && base_of.get(&f.file) != Some(&g.file)
            {
                base_of.entry(g.file).or_insert(f.file);
            }
        }
    }
    if base_of.is_empty() {
        return;
    }
    // follow chains (a.yml <- b.yml <- c.yml) to the root, at most as many steps as files
    let root = |mut f: FileId| {
        for _ in 0..base_of.len() {
            match base_of.get(&f) {
                Some(&b) if b != f => f = b,
                _ => break,
            }
        }
        f
    };
    for d in &mut facts.deployments {
        let Some(c) = d.cluster.as_mut().filter(|c| !c.part) else {
            continue;
        };
        let own = d.span.file;
        let to = root(own);
        if to == own {
            continue;
        }
        let (from, base) = (files.name(own), files.name(to));
        if let Some(rest) = c.key.strip_prefix(&format!("compose:{from}:")) {
            c.key = format!("compose:{base}:{rest}");
        }
    }
}

/// A Kubernetes Service of type `LoadBalancer` or `NodePort` in the same directory whose
/// selector the pods of a broker workload match publishes that broker's port beyond the
/// cluster (contract §7): the port becomes a `published` setting at the Service's `type`.
fn publish_services(kb: &Kb, files: &FileTable, facts: &mut Facts) {
    if facts.kube_services.is_empty() || facts.pod_labels.is_empty() {
        return;
    }
    let services = std::mem::take(&mut facts.kube_services);
    for s in services.iter().filter(|s| s.published) {
        let dir = dir_of(files.name(s.span.file));
        let matched: Vec<(FileId, String)> = facts
            .pod_labels
            .iter()
            .filter(|(f, _, labels)| {
                dir_of(files.name(*f)) == dir
                    && s.selector
                        .iter()
                        .all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
            })
            .map(|(f, n, _)| (*f, n.clone()))
            .collect();
        for d in facts.deployments.iter_mut().filter(|d| {
            d.source == "kubernetes"
                && matched
                    .iter()
                    .any(|(f, n)| *f == d.span.file && *n == d.name)
        }) {
            let Some(profile) = kb.profile(&d.bus) else {
                continue;
            };
            for p in s
                .ports
                .iter()
                .filter(|p| profile.recognition.ports.contains(p))
            {
                d.settings.push(Setting {
                    key: crate::extract::compose::PUBLISHED.to_owned(),
                    value: p.clone(),
                    span: s.span,
                    origin: Origin::Written,
                });
            }
        }
    }
    facts.kube_services = services;
}

/// Adds up each cluster's brokers from its members and parts (profile `nodes:`), and writes
/// the total as one setting on the cluster's first deployment, at the first count it adds.
fn count_nodes(kb: &Kb, facts: &mut Facts) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in facts.deployments.iter().enumerate() {
        // a compose key names its (base) file; other clusters are counted per file
        let key = d.cluster.as_ref().map_or_else(
            || format!("#{i}"),
            |c| {
                if c.key.starts_with("compose:") {
                    c.key.clone()
                } else {
                    format!("{}@{}", c.key, d.span.file.index())
                }
            },
        );
        groups.entry(key).or_default().push(i);
    }
    let mut order: Vec<Vec<usize>> = groups.into_values().collect();
    order.sort();
    for members in order {
        let Some(mut first) = members.first().copied() else {
            continue;
        };
        let rule = kb
            .profile(&facts.deployments[first].bus)
            .and_then(|p| p.recognition.nodes.as_ref());
        // a cluster's defaults are judged once, at its first member that holds the role
        // (a broker, not a KRaft controller)
        if let Some(r) = rule
            && let Some(m) = members.iter().copied().find(|&m| {
                r.holds_role(
                    facts.deployments[m]
                        .settings
                        .iter()
                        .map(|s| (s.key.as_str(), s.value.as_str())),
                )
            })
        {
            first = m;
        }
        for &m in &members {
            if m != first {
                facts.deployments[m].complete = false;
            }
        }
        let Some(rule) = rule else {
            continue;
        };
        let mut total: i64 = 0;
        let mut counted = false;
        let mut at: Option<Span> = None;
        // a service an overlay redefines (compose.override.yml's `kafka:`) is the same node
        let mut seen: HashSet<&str> = HashSet::new();
        for &m in &members {
            let d = &facts.deployments[m];
            if d.source == "compose" && !seen.insert(d.name.as_str()) {
                continue;
            }
            let units = std::iter::once((d, d.cluster.is_some() && d.source == "compose"))
                .chain(d.parts.iter().map(|p| (p, false)));
            for (u, member) in units {
                let per = u.settings.iter().find(|s| s.key == rule.per_member);
                if per.is_none() && !member {
                    continue;
                }
                let roles = rule
                    .roles
                    .iter()
                    .find_map(|r| u.settings.iter().rev().find(|s| &s.key == r));
                if roles.is_some_and(|r| !r.value.split(',').any(|w| w.trim() == rule.role)) {
                    continue;
                }
                let n = per.map_or(Some(1), |s| s.value.trim().parse::<i64>().ok());
                let Some(n) = n else {
                    // a count from a variable: the total is unknown
                    counted = false;
                    at = None;
                    total = i64::MIN;
                    break;
                };
                if total == i64::MIN {
                    break;
                }
                total += n;
                counted = true;
                at.get_or_insert(per.map_or(u.span, |s| s.span));
            }
        }
        if !counted || total == i64::MIN {
            continue;
        }
        let Some(span) = at else { continue };
        let head = &mut facts.deployments[first];
        head.settings.retain(|s| s.key != rule.count);
        head.settings.push(Setting {
            key: rule.count.clone(),
            value: total.to_string(),
            span,
            origin: Origin::Counted,
        });
    }
}
