//! Paths as busfit shows them: relative, with `/` separators.

use std::path::{Path, PathBuf};

/// `path` relative to `base`, with `/` separators.
pub fn display_path(path: &Path, base: &Path) -> String {
    let rel = match (path.canonicalize(), base.canonicalize()) {
        (Ok(p), Ok(b)) => relative(&p, &b),
        _ => path.to_path_buf(),
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_owned();
    if s.is_empty() { ".".into() } else { s }
}

/// `path` relative to `base`, both absolute: pure path arithmetic, no file system access.
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// A set of user globs (`settings.include`, `exclude`, `per_file_ignores`), matched against
/// paths relative to the busfit.yaml that wrote them; `None` when the list is empty. Invalid
/// globs were refused when the busfit.yaml was read.
pub fn glob_set(list: &[String]) -> Option<globset::GlobSet> {
    if list.is_empty() {
        return None;
    }
    let mut b = globset::GlobSetBuilder::new();
    for g in list {
        if let Ok(g) = globset::Glob::new(g) {
            b.add(g);
        }
    }
    b.build().ok()
}

/// The directory part of a `/`-separated shown path (`""` for a bare name).
#[must_use]
pub fn dir_of(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(d, _)| d)
}
