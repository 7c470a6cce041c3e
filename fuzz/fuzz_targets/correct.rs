//! The corrector on arbitrary bytes; the checks are `attache::fuzzing::correct`
//! (shared with `cargo test`, which replays `fuzz/seeds/correct/`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| attache::fuzzing::correct(data));
