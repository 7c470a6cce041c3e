//! Front matter on arbitrary bytes; the checks are
//! `attache::fuzzing::front_matter` (shared with `cargo test`, which replays
//! `fuzz/seeds/front_matter/`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| attache::fuzzing::front_matter(data));
