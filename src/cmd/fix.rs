//! `attache fix [PATHS]`: write applied corrections back into the articles.
//!
//! Safe by construction: each file is re-read just before writing and left
//! alone if it changed since it was checked; the new text goes to a temporary
//! file in the same directory and is renamed over the old one, so an article is
//! never half-written. Line endings (CRLF) and a BOM are untouched because only
//! the bytes of changed spans are replaced.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::FixArgs;
use crate::config::Config;
use crate::correct::{self, Corrector};

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
    let config = match std::fs::read_to_string(root.join("config.toml")) {
        Ok(t) => {
            Config::parse(Path::new("config.toml"), &t).map_err(|d| anyhow::anyhow!("config.toml: {}", d.message))?
        }
        Err(_) => Config::parse(Path::new("config.toml"), "").map_err(|d| anyhow::anyhow!("{}", d.message))?,
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
        let report = corrector.check(&text, &corrector.options(&front_matter_keep(&text)));
        let applied: Vec<_> = report.changes.iter().filter(|c| c.applied).collect();
        if applied.is_empty() {
            continue;
        }
        let new = correct::apply(&text, &report.changes);
        total += applied.len();
        files_changed += 1;
        if args.dry_run {
            print!("{}", super::correct::unified_diff(&path.display().to_string(), &text, &new));
            continue;
        }
        // Refuse if the file changed while we were checking it.
        if crate::fs::read(&path)? != bytes {
            eprintln!("skipped {}: it changed while being corrected; run fix again", path.display());
            skipped += 1;
            files_changed -= 1;
            continue;
        }
        write_atomic(&path, new.as_bytes())?;
        println!("fixed {} ({} changes)", path.display(), applied.len());
    }
    let verb = if args.dry_run { "would change" } else { "changed" };
    println!("{total} corrections {verb} in {files_changed} files");
    Ok(if skipped > 0 { ExitCode::from(super::EXIT_PROBLEMS) } else { ExitCode::SUCCESS })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.attache-{}", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("could not write {}", tmp.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).with_context(|| format!("could not replace {}", path.display())).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
