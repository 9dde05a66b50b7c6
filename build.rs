//! Compiles the built-in knowledge: every file of `rules/` is loaded and validated with the
//! crate's own loader (src/kb and the stages below it, included by path), and the knowledge base
//! is embedded as postcard bytes, so that a run decodes it instead of parsing YAML at every start.
//! An invalid rule file fails the build with its errors. The files' text is embedded too, for
//! the test that holds the compiled knowledge equal to a fresh load. There is no hand-written
//! list: adding a bus is adding its profile under rules/buses/, adding checks is adding a file.

#![allow(dead_code, unused_imports)]

use std::path::{Path, PathBuf};

#[path = "src/kb/mod.rs"]
mod kb;
#[path = "src/lang/mod.rs"]
mod lang;
#[path = "src/source/mod.rs"]
mod source;
#[path = "src/tree/mod.rs"]
mod tree;

/// The loader's stages refer to `crate::embedded`; the build has nothing embedded yet.
mod embedded {
    pub const KNOWLEDGE: &[u8] = &[];
}

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
    for dir in ["src/kb", "src/lang", "src/source", "src/tree"] {
        println!("cargo:rerun-if-changed={dir}");
    }
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    let mut found = Vec::new();
    files(&root.join("rules"), &mut found);
    found.sort();
    let mut named = Vec::new();
    for p in &found {
        let rel = p
            .strip_prefix(&root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        named.push((rel, text, p.to_string_lossy().into_owned()));
    }
    let list: Vec<(&str, &str)> = named
        .iter()
        .map(|(rel, text, _)| (rel.as_str(), text.as_str()))
        .collect();
    let kb = match kb::Kb::from_files(&list) {
        Ok(kb) => kb,
        Err(errors) => {
            for e in &errors {
                let at = e.file.as_ref().map_or(String::new(), |f| {
                    let (line, column) = f.line_col(e.span.start);
                    format!("{}:{line}:{column}: ", f.name)
                });
                println!("cargo:warning={at}{}", e.message);
                eprintln!("{at}{}", e.message);
            }
            panic!("rules/ does not load: {} error(s)", errors.len());
        }
    };
    let bytes = postcard::to_allocvec(&kb).expect("the knowledge base serialises");
    std::fs::write(out_dir.join("knowledge.bin"), bytes).expect("OUT_DIR is writable");
    let mut code =
        String::from("/// Every file of rules/, by path relative to the crate, in path order.\n");
    code.push_str("pub const RULE_FILES: &[(&str, &str)] = &[\n");
    for (rel, _, abs) in &named {
        code.push_str(&format!("    ({rel:?}, include_str!({abs:?})),\n"));
    }
    code.push_str("];\n");
    code.push_str(
        "/// The knowledge base build.rs compiled from RULE_FILES (postcard).\n\
         pub const KNOWLEDGE: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/knowledge.bin\"));\n",
    );
    std::fs::write(out_dir.join("embedded.rs"), code).expect("OUT_DIR is writable");
}
