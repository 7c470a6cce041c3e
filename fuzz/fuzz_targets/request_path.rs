//! The dev server's request-target resolver on arbitrary bytes; the check is
//! `attache::fuzzing::request_path` (shared with `cargo test`, which replays
//! `fuzz/seeds/request_path/`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| attache::fuzzing::request_path(data));
