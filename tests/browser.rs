//! The browser suites (`tests/browser/*.test.mjs`, node's test runner driving
//! Debian's Chromium) run from here so that `cargo test` covers them.
//!
//! This is a test target with its own `main` (`harness = false` in
//! Cargo.toml): libtest has no way to mark a test ignored at run time, and a
//! suite that could not run must not read as `ok`. Without Chromium or the npm
//! packages the run prints `test browser_suites ... skipped (why)` and counts
//! the suite as ignored in its `test result:` line. `.ci/run` installs both and
//! sets `ATTACHE_REQUIRE_BROWSER=1`, which turns a skip into a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The one test this target holds, as libtest would name it.
const NAME: &str = "browser_suites";

fn main() -> ExitCode {
    let args = Args::parse(std::env::args().skip(1));
    if args.list {
        println!("{NAME}: test");
        return ExitCode::SUCCESS;
    }
    println!("\nrunning 1 test");
    if !args.selects(NAME) {
        println!("\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 1 filtered out\n");
        return ExitCode::SUCCESS;
    }
    let required = std::env::var_os("ATTACHE_REQUIRE_BROWSER").is_some_and(|v| !v.is_empty() && v != "0");
    let outcome = match missing() {
        Some(why) if required => {
            Outcome::Failed(format!("ATTACHE_REQUIRE_BROWSER is set but the suites cannot run: {why}"))
        }
        Some(why) => Outcome::Skipped(why),
        None => run_suites(),
    };
    outcome.report()
}

/// What keeps the suites from running here, if anything.
fn missing() -> Option<String> {
    let dir = browser_dir();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("chromium not found at {chromium} (install it, or set CHROMIUM)"));
    }
    if !dir.join("node_modules/playwright-core").is_dir() {
        return Some("npm packages missing (run `npm ci` in tests/browser)".into());
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node not found".into());
    }
    None
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Every `*.test.mjs` through node's test runner, one at a time (they share
/// one Chromium and the machine's two cores).
fn run_suites() -> Outcome {
    let dir = browser_dir();
    let mut suites: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
            .collect(),
        Err(e) => return Outcome::Failed(format!("cannot read {}: {e}", dir.display())),
    };
    suites.sort();
    if suites.is_empty() {
        return Outcome::Failed(format!("no *.test.mjs in {}", dir.display()));
    }
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-concurrency=1")
        .args(&suites)
        .current_dir(&dir)
        .env("ATTACHE_BIN", env!("CARGO_BIN_EXE_attache"))
        .status();
    match status {
        Ok(s) if s.success() => Outcome::Passed,
        Ok(s) => Outcome::Failed(format!("browser suites failed ({s}; see node's output above)")),
        Err(e) => Outcome::Failed(format!("could not start node: {e}")),
    }
}

enum Outcome {
    Passed,
    Skipped(String),
    Failed(String),
}

impl Outcome {
    /// Print libtest's lines, so the skip shows up where `cargo test` users
    /// look (and `.ci/run`'s count of passed tests still parses).
    fn report(self) -> ExitCode {
        let (line, passed, failed, ignored) = match &self {
            Outcome::Passed => ("ok".to_string(), 1, 0, 0),
            Outcome::Skipped(why) => (format!("skipped: {why}"), 0, 0, 1),
            Outcome::Failed(why) => (format!("FAILED\n\n---- {NAME} ----\n{why}"), 0, 1, 0),
        };
        println!("test {NAME} ... {line}");
        let result = if failed == 0 { "ok" } else { "FAILED" };
        println!(
            "\ntest result: {result}. {passed} passed; {failed} failed; {ignored} ignored; 0 measured; 0 filtered out\n"
        );
        if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
    }
}

/// The part of libtest's command line that matters for one test: filters,
/// `--exact`, `--skip`, `--list`, `--ignored`. Everything else
/// (`--nocapture`, `--test-threads=N`, `--color`…) is accepted and ignored.
#[derive(Default)]
struct Args {
    filters: Vec<String>,
    skips: Vec<String>,
    exact: bool,
    list: bool,
    ignored_only: bool,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Args {
        let mut args = Args::default();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--exact" => args.exact = true,
                "--list" => args.list = true,
                "--ignored" => args.ignored_only = true,
                "--skip" => args.skips.extend(it.next()),
                // Options that take a separate value.
                "--test-threads" | "--color" | "--format" | "--logfile" | "-Z" | "--shuffle-seed" => {
                    it.next();
                }
                s if s.starts_with('-') => {}
                s => args.filters.push(s.to_string()),
            }
        }
        args
    }

    /// Whether this run asks for the test called `name`. It is not an
    /// `#[ignore]`d test, so `--ignored` deselects it, as libtest would.
    fn selects(&self, name: &str) -> bool {
        let hit = |f: &String| if self.exact { f == name } else { name.contains(f.as_str()) };
        !self.ignored_only
            && (self.filters.is_empty() || self.filters.iter().any(hit))
            && !self.skips.iter().any(|s| if self.exact { s == name } else { name.contains(s.as_str()) })
    }
}
