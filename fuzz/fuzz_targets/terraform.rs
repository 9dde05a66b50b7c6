#![no_main]
// The body lives in busfit::fuzz so that its regressions run in `cargo test`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| busfit::fuzz::terraform(data));
