//! Embeds every file of `rules/` in the binary, without a hand-written list: adding a bus is
//! adding its profile under rules/buses/, adding checks is adding a rule file.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let mut found = Vec::new();
    files(&root.join("rules"), &mut found);
    found.sort();
    let mut code =
        String::from("/// Every file of rules/, by path relative to the crate, in path order.\n");
    code.push_str("pub const RULE_FILES: &[(&str, &str)] = &[\n");
    for p in &found {
        let rel = p
            .strip_prefix(&root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            p.to_string_lossy()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("rules.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
