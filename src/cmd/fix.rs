//! `attache fix [PATHS]`: write applied corrections back into the articles.
//!
//! Never loses a save: the corrected text replaces an article only if the
//! article still holds exactly what was read and corrected — a compare-and-swap
//! ([`crate::fs::replace_if_unchanged`]: an atomic exchange checked afterwards
//! and undone if a save slipped in, on Linux; re-check then rename elsewhere).
//! A save that lands meanwhile stays in place, uncorrected, and fix exits 1
//! naming the file. A symlinked article is corrected in its target (the link
//! stays a link); owner, group and mode are kept; a hard-linked article is
//! refused rather than split. Line endings (CRLF) and a BOM are untouched
//! because only the bytes of changed spans are replaced.
//!
//! Test hook (not for users): `ATTACHE_FIX_PAUSE_MS=N` sleeps N ms between
//! writing the corrected copy and swapping it in, so tests can land a save in
//! that window reliably.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::FixArgs;
use crate::config::Config;
use crate::correct::{self, Corrector, Mode};
use crate::fs::Replaced;

/// `keep = [...]` from front matter, without a full site load.
pub(crate) fn front_matter_keep(text: &str) -> Vec<String> {
    table(text)
        .and_then(|t| t.get("keep").cloned())
        .and_then(|v| match v {
            toml::Value::Array(a) => Some(a.into_iter().filter_map(|x| x.as_str().map(str::to_string)).collect()),
            toml::Value::String(s) => Some(vec![s]),
            _ => None,
        })
        .unwrap_or_default()
}

/// `correct = false` in front matter.
pub(crate) fn front_matter_says_no(text: &str) -> bool {
    table(text).and_then(|t| t.get("correct").and_then(toml::Value::as_bool)) == Some(false)
}

/// `correct = "suggest"` (or `"apply"`) in front matter: the page's own mode.
pub(crate) fn front_matter_mode(text: &str) -> Option<Mode> {
    table(text).and_then(|t| t.get("correct").and_then(toml::Value::as_str).and_then(Mode::parse))
}

fn table(text: &str) -> Option<toml::Table> {
    let split = crate::content::front_matter::split(Path::new(""), text).ok()?;
    crate::content::front_matter::parse_table(Path::new(""), text, &split).ok()
}

fn markdown_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            for e in walkdir::WalkDir::new(p).sort_by_file_name().into_iter().filter_map(Result::ok) {
                if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md") {
                    out.push(e.into_path());
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}

pub fn run(args: &FixArgs) -> Result<ExitCode> {
    let root = &args.root;
    let config = match site_config(root) {
        Ok(config) => config,
        Err(bad) => {
            let (d, sources) = *bad;
            super::report(&[d], &sources, crate::diagnostics::Format::Human);
            return Ok(ExitCode::from(super::EXIT_PROBLEMS));
        }
    };
    let corrector = Corrector::for_site(root, &config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let paths = if args.paths.is_empty() { vec![root.join("content")] } else { args.paths.clone() };
    let (mut files_changed, mut total, mut skipped) = (0, 0, 0);
    for path in markdown_files(&paths) {
        let bytes = crate::fs::read(&path)?;
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            eprintln!("skipped {}: not valid UTF-8", path.display());
            skipped += 1;
            continue;
        };
        if front_matter_says_no(&text) {
            continue;
        }
        let mode = front_matter_mode(&text).unwrap_or(corrector.config.mode);
        let lang = crate::content::lang::other_language(&path, &config);
        let report = corrector.check_in(&text, &corrector.options_for(&front_matter_keep(&text), lang), mode);
        let applied: Vec<_> = report.changes.iter().filter(|c| c.applied).collect();
        if applied.is_empty() {
            continue;
        }
        let new = correct::apply(&text, &report.changes);
        if args.dry_run {
            print!("{}", super::correct::unified_diff(&path.display().to_string(), &text, &new));
        } else {
            match crate::fs::replace_if_unchanged(&path, &bytes, new.as_bytes(), pause_for_tests)? {
                Replaced::Done => {
                    println!(
                        "fixed {} ({}){}",
                        path.display(),
                        crate::diagnostics::plural(applied.len(), "change"),
                        via_link(&path)
                    )
                }
                Replaced::ChangedMeanwhile => {
                    eprintln!(
                        "skipped {}: changed by someone else while fix was writing it; \
                         that save is kept as it is, uncorrected; run fix again",
                        path.display()
                    );
                    skipped += 1;
                    continue;
                }
                Replaced::Refused(reason) => {
                    eprintln!("skipped {}: {reason}", path.display());
                    skipped += 1;
                    continue;
                }
            }
        }
        total += applied.len();
        files_changed += 1;
    }
    let verb = if args.dry_run { "would change" } else { "changed" };
    use crate::diagnostics::plural;
    println!("{} {verb} in {}", plural(total, "correction"), plural(files_changed, "file"));
    Ok(if skipped > 0 { ExitCode::from(super::EXIT_PROBLEMS) } else { ExitCode::SUCCESS })
}

/// The site's `config.toml` (defaults when there is none); a bad one is
/// its diagnostic with the text to show it in, so it is reported like the
/// build's, with line, column and help.
fn site_config(root: &Path) -> Result<Config, Box<(crate::diagnostics::Diagnostic, crate::diagnostics::SourceMap)>> {
    let name = Path::new("config.toml");
    let text = std::fs::read_to_string(root.join(name)).unwrap_or_default();
    Config::parse(name, &text).map_err(|d| {
        let mut sources = crate::diagnostics::SourceMap::default();
        sources.insert(name, text.as_str().into());
        Box::new((d, sources))
    })
}

/// ` in TARGET` when `path` is a symlink, so the user sees which file changed.
fn via_link(path: &Path) -> String {
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return String::new();
    }
    std::fs::canonicalize(path).map(|t| format!(" in {}", t.display())).unwrap_or_default()
}

/// Test-only: `ATTACHE_FIX_PAUSE_MS` widens the window before the swap.
fn pause_for_tests() {
    if let Some(ms) = std::env::var("ATTACHE_FIX_PAUSE_MS").ok().and_then(|v| v.parse().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}
