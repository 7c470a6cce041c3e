//! The shortcode parser on arbitrary bytes; the checks are
//! `attache::fuzzing::shortcodes` (shared with `cargo test`, which replays
//! `fuzz/seeds/shortcodes/`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| attache::fuzzing::shortcodes(data));
