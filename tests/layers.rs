//! The stages of src/ import only the stages before them (docs/ARCHITECTURE.md): a module
//! that reaches up the pipeline fails here, naming the file and the import.

const ORDER: &[&str] = &[
    "source",
    "lang",
    "tree",
    "kb",
    "config",
    "extract",
    "discover",
    "project",
    "situation",
    "lint",
    "report",
    "commands",
    "app",
    "cli",
    "fuzz",
];

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn imports_point_down_the_pipeline() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let stage = rel.split('/').next().unwrap().trim_end_matches(".rs");
        let Some(at) = ORDER.iter().position(|s| *s == stage) else {
            assert!(
                ["lib", "main"].contains(&stage),
                "{rel}: a stage missing from ORDER"
            );
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if let Some(to) = ORDER.iter().position(|s| *s == name)
                && to > at
            {
                upward.push(format!("{rel} imports crate::{name}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that point up the pipeline:\n{}",
        upward.join("\n")
    );
}
