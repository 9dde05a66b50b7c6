//! Which files a run reads: one parallel walk that asks extraction's table of file kinds
//! (`extract::classify`) which files can matter.

pub mod walk;

pub use walk::{Candidate, Scan, scan, scan_with};
