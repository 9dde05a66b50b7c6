//! Byte ranges and their line/column positions.
//!
//! A [`ByteSpan`] is a range inside one file's text: what a tree node keeps, relative to the
//! file it was parsed from. Once a fact leaves its file's tree it becomes a [`Span`], which also
//! names the file ([`FileId`]), so that nothing downstream can draw it over another file.

/// A half-open byte range into one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSpan {
    pub start: usize,
    pub end: usize,
}

impl ByteSpan {
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        ByteSpan { start, end }
    }
    #[must_use]
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A file of the run's [`FileTable`](super::file::FileTable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

impl FileId {
    /// The id of the file at `index` of a table.
    #[must_use]
    pub fn from_index(index: usize) -> Self {
        FileId(u32::try_from(index).unwrap_or(u32::MAX))
    }
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range in a known file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub range: ByteSpan,
}

impl Span {
    #[must_use]
    pub const fn new(file: FileId, range: ByteSpan) -> Self {
        Span { file, range }
    }
    /// The start of a file: where a finding about the whole file points.
    #[must_use]
    pub const fn start_of(file: FileId) -> Self {
        Span {
            file,
            range: ByteSpan::new(0, 0),
        }
    }
}

/// The byte offsets where each line of a text starts.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    #[must_use]
    pub fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 0-based line holding `offset`.
    #[must_use]
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|s| *s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based `line` starts, or `None` past the last line.
    #[must_use]
    pub fn start_of(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// 1-based line and column (in characters) of a byte offset, in O(log lines + column).
    #[must_use]
    pub fn line_col(&self, src: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(src, offset.min(src.len()));
        let line = self.line_of(offset);
        let start = self.starts[line].min(offset);
        (line + 1, src[start..offset].chars().count() + 1)
    }
}

/// Byte offset of a 1-based line and column.
#[must_use]
pub fn offset_of(src: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let inner: usize = l
                .chars()
                .take(col.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return off + inner.min(l.len());
        }
        off += l.len();
    }
    src.len()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan from the top that the index replaces, kept as the reference.
    fn line_col(src: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(src, offset.min(src.len()));
        let before = &src[..offset];
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = src[line_start..offset].chars().count() + 1;
        (line, col)
    }

    #[test]
    fn the_index_agrees_with_the_scan() {
        let src = "a: 1\n\nb: é✓x\r\n  c: [1, 2]\nlast";
        let idx = LineIndex::new(src);
        for off in 0..=src.len() + 3 {
            assert_eq!(idx.line_col(src, off), line_col(src, off), "offset {off}");
        }
        let empty = LineIndex::new("");
        assert_eq!(empty.line_col("", 5), (1, 1));
    }
}
