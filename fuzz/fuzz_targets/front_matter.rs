//! Front matter on arbitrary bytes: splitting and parsing must never panic,
//! and every error must render as a rustc-style diagnostic (whose source line
//! and caret come from the span, so a bad span would panic here).
#![no_main]

use std::path::Path;
use std::sync::Arc;

use attache::content::front_matter;
use attache::diagnostics::{SourceMap, render_human};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("content/fuzz.md");
    let mut sources = SourceMap::default();
    sources.insert(path, Arc::from(text));
    let result = front_matter::split(path, text).and_then(|split| front_matter::parse_table(path, text, &split));
    if let Err(d) = result {
        let shown = render_human(&d, &sources, false);
        assert!(shown.contains("fuzz.md"), "a diagnostic must name its file: {shown}");
    }
});
