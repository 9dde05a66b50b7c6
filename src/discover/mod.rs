//! Which files a run reads: one parallel walk, and one table of file kinds.

pub mod classify;
pub mod walk;

pub use classify::{Classifier, Kind};
pub use walk::{Candidate, Scan, scan};
