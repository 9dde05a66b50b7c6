//! The knowledge base itself: complete profiles with sources.

use busfit::kb::{COMPARISON_ROWS, Kb};

#[test]
fn builtin_knowledge_base_loads() {
    let kb = Kb::builtin()
        .unwrap_or_else(|e| panic!("{:#?}", e.iter().map(|e| e.short()).collect::<Vec<_>>()));
    let buses: Vec<&str> = kb.bus_names().collect();
    assert_eq!(
        buses,
        [
            "kafka",
            "redis",
            "redis-pubsub",
            "redis-streams",
            "mqtt",
            "nats",
            "nats-jetstream",
            "rabbitmq",
            "pulsar"
        ]
    );
}

/// build.rs compiles rules/ into the binary; decoding it must give what loading rules/ gives.
#[test]
fn compiled_knowledge_is_a_fresh_load_of_rules() {
    let compiled = Kb::builtin().unwrap();
    let fresh = Kb::from_files(busfit::embedded::RULE_FILES)
        .unwrap_or_else(|e| panic!("{:#?}", e.iter().map(|e| e.short()).collect::<Vec<_>>()));
    assert!(compiled.rules.len() > 50 && compiled.profiles.len() == 9);
    assert_eq!(format!("{compiled:#?}"), format!("{fresh:#?}"));
    // and from the files on disk, not only the copies embedded with the blob
    let mut on_disk = Vec::new();
    for (name, _) in busfit::embedded::RULE_FILES {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
        on_disk.push((*name, std::fs::read_to_string(path).unwrap()));
    }
    let on_disk: Vec<(&str, &str)> = on_disk.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let disk = Kb::from_files(&on_disk).unwrap();
    assert_eq!(format!("{compiled:#?}"), format!("{disk:#?}"));
}

#[test]
fn every_profile_covers_the_fourteen_rows_with_sources() {
    let kb = Kb::builtin().unwrap();
    for p in &kb.profiles {
        for (row, _) in COMPARISON_ROWS {
            let r = p
                .row(row)
                .unwrap_or_else(|| panic!("{}: no `{row}` row", p.bus));
            assert!(
                !r.text.trim().is_empty() && !r.source.trim().is_empty(),
                "{}: {row}",
                p.bus
            );
        }
    }
}

#[test]
fn core_buses_have_every_figure_the_rules_read() {
    let kb = Kb::builtin().unwrap();
    let mut paths = Vec::new();
    for r in &kb.rules {
        if let Some(w) = &r.when {
            w.paths(&mut paths);
        }
    }
    let figures: Vec<Vec<String>> = paths
        .into_iter()
        .filter(|p| p[0] == "bus" && p.len() > 1)
        .map(|p| p[1..].to_vec())
        .collect();
    // `throughput.max` and `message_size.max` are absent on purpose where a bus scales out or
    // has no hard limit; the rules treat a missing figure as "no limit". `throughput.bandwidth`
    // is there only where a published benchmark gives bytes per second.
    let optional = [
        "throughput.max",
        "throughput.bandwidth",
        // only buses whose design works against a use case say which
        "scenarios.poor",
        "scenarios.poor_how",
        "message_size.max",
        "resources.node_memory",
        // a stock install's limit, only where one is set (Redis maxclients, NATS max_connections)
        "connections.default",
        "connections.how",
    ];
    for bus in ["kafka", "redis", "redis-pubsub", "redis-streams", "mqtt"] {
        let p = kb.profile(bus).unwrap();
        for f in &figures {
            let name = f.join(".");
            if optional.contains(&name.as_str()) {
                continue;
            }
            assert!(p.figure(f).is_some(), "{bus} has no figure `{name}`");
        }
    }
}

#[test]
fn every_figure_block_has_a_source() {
    let kb = Kb::builtin().unwrap();
    for p in &kb.profiles {
        let blocks: std::collections::BTreeSet<&str> = p
            .figures
            .keys()
            .filter_map(|k| k.split('.').next())
            .collect();
        for b in blocks {
            assert!(
                p.figures.contains_key(&format!("{b}.source")),
                "{}: `{b}` has no source",
                p.bus
            );
        }
    }
}

/// A setting a profile maps a file's key to (chart values, custom resources, AsyncAPI bindings,
/// Terraform attributes) is there to be judged: some rule, derived fact, default or node count
/// reads it. A mapping nothing reads is knowledge that silently does nothing (the Bitnami
/// chart's `listeners.client.protocol` was one). Spring keys are left out: they also place the
/// client (a file that writes only `spring.kafka.bootstrap-servers` configures a Kafka client).
#[test]
fn every_mapped_setting_is_read() {
    let kb = Kb::builtin().unwrap();
    let mut readers = String::new();
    for r in &kb.rules {
        readers.push_str(&format!("{:?} {} ", r.settings, r.when_text));
    }
    for d in &kb.derived {
        readers.push_str(&format!("{:?} ", d.expr));
    }
    let mut mapped: Vec<(String, String)> = Vec::new();
    let mut stack: Vec<&busfit::kb::Profile> = kb.profiles.iter().collect();
    while let Some(p) = stack.pop() {
        stack.extend(p.variants.iter());
        let rec = &p.recognition;
        readers.push_str(&format!("{:?} {:?} ", p.defaults, rec.nodes));
        let mut add = |what: &str, pairs: &[(String, String)]| {
            for (from, to) in pairs {
                let to = to.split(['|', '=']).next().unwrap_or_default();
                if to != "*" && !to.starts_with('@') {
                    mapped.push((format!("{} {what} {from}", p.bus), to.to_owned()));
                }
            }
        };
        add("values", &rec.values);
        for f in &p.images {
            add(&format!("image {}", f.family), &f.env);
        }
        add("bindings", &rec.bindings);
        for k in &rec.kinds {
            add(&k.kind, &k.settings);
        }
        for t in &rec.terraform {
            add(&t.resource, &t.settings);
        }
    }
    let unread: Vec<String> = mapped
        .iter()
        .filter(|(_, to)| !readers.contains(to.as_str()))
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect();
    assert!(mapped.len() > 50, "{}", mapped.len());
    assert!(
        unread.is_empty(),
        "mapped, read by nothing:\n{}",
        unread.join("\n")
    );
}

/// Image knowledge is tested like the profiles (contract §7): every family has a source and
/// images, every image default has a source and is read by a rule; every role has a source.
#[test]
fn image_families_and_roles_have_sources() {
    let kb = Kb::builtin().unwrap();
    let mut readers = String::new();
    for r in &kb.rules {
        readers.push_str(&format!("{:?} {} ", r.settings, r.when_text));
    }
    let mut families = 0;
    for p in &kb.profiles {
        for f in &p.images {
            families += 1;
            assert!(
                !f.source.trim().is_empty(),
                "{} {}: no source",
                p.bus,
                f.family
            );
            assert!(!f.images.is_empty(), "{} {}: no images", p.bus, f.family);
            for d in &f.defaults {
                assert!(
                    !d.source.trim().is_empty(),
                    "{} {} {}",
                    p.bus,
                    f.family,
                    d.key
                );
                assert!(
                    readers.contains(&d.key),
                    "{} {}: default {} read by nothing",
                    p.bus,
                    f.family,
                    d.key
                );
            }
        }
        for r in &p.roles {
            assert!(!r.source.trim().is_empty(), "{} role {}", p.bus, r.role);
        }
    }
    assert!(families >= 4, "{families}");
}
