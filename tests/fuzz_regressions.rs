//! Inputs the fuzzers found interesting, run again on every `cargo test`, through the same
//! functions the fuzz targets call (busfit::fuzz). See docs/fuzzing.md.

mod common;
use common::root;

#[test]
fn every_fuzz_target_has_its_function() {
    let dir = root().join("fuzz/fuzz_targets");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect();
    files.sort();
    let mut names: Vec<String> = busfit::fuzz::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    names.sort();
    assert_eq!(files, names);
    for name in &names {
        let src = std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        assert!(
            src.contains(&format!("busfit::fuzz::{name}(data)")),
            "{name}.rs calls busfit::fuzz::{name}"
        );
    }
}

#[test]
fn saved_regressions_pass() {
    let mut ran = 0;
    for (name, f) in busfit::fuzz::TARGETS {
        let dir = root().join("fuzz/regressions").join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            let data = std::fs::read(&p).unwrap();
            eprintln!("{name}: {}", p.display());
            f(&data);
            ran += 1;
        }
    }
    assert!(ran > 0, "no regression inputs found under fuzz/regressions");
}

/// Every fixture through every target: the targets' invariants hold on real files, and the
/// whole-check target finds what the fixtures are there to show.
#[test]
fn fixtures_through_every_target() {
    let mut files = Vec::new();
    let mut stack = vec![root().join("fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 100);
    // the CLI's workers have 16 MiB stacks (deep YAML recurses once per level): so does this
    std::thread::Builder::new()
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            for p in &files {
                let data = std::fs::read(p).unwrap();
                for (_, f) in busfit::fuzz::TARGETS {
                    f(&data);
                }
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
