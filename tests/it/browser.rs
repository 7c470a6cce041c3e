//! The browser suites (`tests/browser/*.test.mjs`, node's test runner driving
//! Debian's Chromium) run from here so that `cargo test` covers them.
//!
//! They need `chromium` and `npm ci` in `tests/browser/`; `.ci/run` installs
//! both and sets `ATTACHE_REQUIRE_BROWSER=1`, which turns a missing browser into a
//! failure instead of a skip.

use std::path::Path;
use std::process::Command;

#[test]
fn browser_suites() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let required = std::env::var_os("ATTACHE_REQUIRE_BROWSER").is_some();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = dir.join("node_modules/playwright-core").is_dir() && Path::new(&chromium).exists();
    if !ready {
        assert!(!required, "browser tests required but chromium or tests/browser/node_modules is missing");
        eprintln!("browser suites skipped: install chromium and run `npm ci` in tests/browser");
        return;
    }
    let mut suites: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/browser is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    suites.sort();
    if suites.is_empty() {
        return;
    }
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-concurrency=1")
        .args(&suites)
        .current_dir(&dir)
        .env("ATTACHE_BIN", env!("CARGO_BIN_EXE_attache"))
        .status()
        .expect("node runs");
    assert!(status.success(), "browser suites failed (see node's output above)");
}
