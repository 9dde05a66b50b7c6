//! The small languages of busfit: quantities (`20ms`, `50k/s`, `4KiB`), the condition and
//! template language of rules, and nearest-spelling hints.

pub mod expr;
pub mod quantity;
pub mod spelling;
