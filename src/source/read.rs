//! The one reader: every byte busfit reads comes through here, capped in size, from regular
//! files only, and (for paths a busfit.yaml names) held inside the directory that names them.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are reported, not read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The largest `settings.max_file_size` accepted: the cap is what bounds memory per file.
pub const MAX_FILE_BYTES_LIMIT: u64 = 1024 * 1024 * 1024;

/// Where a run's bytes come from: files on disk, and text held in memory that stands in for
/// the file of that shown name (standard input under `--stdin-filename`, the fuzz targets,
/// busfit embedded in another program). Every read goes through one of its methods.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    memory: Vec<(String, Arc<str>)>,
}

impl Reader {
    /// Holds `text` in memory for the file shown as `shown`.
    pub fn hold(&mut self, shown: impl Into<String>, text: impl Into<Arc<str>>) {
        self.memory.push((shown.into(), text.into()));
    }

    /// The text held in memory for a shown name, if any.
    #[must_use]
    pub fn held(&self, shown: &str) -> Option<&Arc<str>> {
        self.memory.iter().find(|(n, _)| n == shown).map(|(_, t)| t)
    }

    /// A file the walk kept (always a regular file), or the text held for its shown name,
    /// capped at `cap` bytes.
    pub fn walked(&self, shown: &str, path: &Path, cap: u64) -> Result<Arc<str>, ReadError> {
        if let Some(text) = self.held(shown) {
            return if text.len() as u64 > cap {
                Err(ReadError::TooLarge(cap))
            } else {
                Ok(text.clone())
            };
        }
        let bytes = read_bytes_capped(path, cap)?;
        String::from_utf8(bytes)
            .map(Arc::from)
            .map_err(|_| ReadError::NotUtf8)
    }

    /// [`Reader::walked`], but a file that is not valid UTF-8 (a Latin-1 byte in a comment) is
    /// read with U+FFFD in place of each bad sequence, and the offset of the first one is
    /// returned with it (the text before it is the file's, byte for byte).
    pub fn walked_lossy(
        &self,
        shown: &str,
        path: &Path,
        cap: u64,
    ) -> Result<(Arc<str>, Option<usize>), ReadError> {
        if let Some(text) = self.held(shown) {
            return if text.len() as u64 > cap {
                Err(ReadError::TooLarge(cap))
            } else {
                Ok((text.clone(), None))
            };
        }
        let bytes = read_bytes_capped(path, cap)?;
        match String::from_utf8(bytes) {
            Ok(s) => Ok((Arc::from(s), None)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                Ok((Arc::from(text), Some(at)))
            }
        }
    }

    /// A file named by the user or by a busfit.yaml (a manifest, a baseline, a rule file):
    /// regular files only (never a FIFO or a device), capped at `cap` bytes.
    pub fn named(&self, path: &Path, cap: u64) -> Result<String, ReadError> {
        read_text_file(path, cap)
    }
}

/// A path a busfit.yaml names (`baseline`, `custom_rules`), resolved and held inside the
/// manifest's directory: a symlink that leads out of it is refused.
pub fn inside(manifest_dir: &str, rel: &str) -> Result<PathBuf, String> {
    let base = if manifest_dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(manifest_dir)
    };
    let path = base.join(rel);
    let canon = path
        .canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let root = base
        .canonicalize()
        .map_err(|e| format!("{}: {e}", base.display()))?;
    if !canon.starts_with(&root) {
        return Err(format!(
            "{}: leads outside the directory of its busfit.yaml (through a symlink); not read",
            path.display()
        ));
    }
    Ok(path)
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge(u64),
    NotRegular,
    NotUtf8,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::TooLarge(cap) => write!(f, "larger than {}; not read", show_size(*cap)),
            ReadError::NotRegular => f.write_str("not a regular file; not read"),
            ReadError::NotUtf8 => f.write_str("not valid UTF-8 text"),
        }
    }
}

/// Reads at most `cap` bytes of a file; more is `TooLarge`, never a larger allocation.
fn read_bytes_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let f = std::fs::File::open(path).map_err(ReadError::Io)?;
    // sized from the open file (read through `take`, the buffer would grow by doubling)
    let size = f.metadata().map_or(0, |m| m.len()).min(cap);
    let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    f.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > cap {
        return Err(ReadError::TooLarge(cap));
    }
    Ok(buf)
}

/// Reads a regular file (never a FIFO or a device) of at most `cap` bytes as text.
fn read_text_file(path: &Path, cap: u64) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    String::from_utf8(read_bytes_capped(path, cap)?).map_err(|_| ReadError::NotUtf8)
}

fn show_size(n: u64) -> String {
    for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}
