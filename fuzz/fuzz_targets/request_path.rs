//! The dev server's request-target resolver on arbitrary input: it must
//! never panic, and whatever it accepts must be a relative path of plain
//! segments (no `..`, no leading `/`, no backslash, no NUL), since that path
//! names the file served. Seeds: fuzz/seeds/request_path (replayed by
//! `cargo test` in src/serve/http.rs).
#![no_main]

use attache::serve::http::check_resolve;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The server reads the request line as UTF-8 and answers 400 otherwise.
    let Ok(target) = std::str::from_utf8(data) else { return };
    if let Err(e) = check_resolve(target) {
        panic!("{e}");
    }
});
