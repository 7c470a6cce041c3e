//! `attache check`: build in memory, report every problem and every correction
//! (applied or suggested), write nothing.

use std::collections::HashSet;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::cli::{CheckArgs, Deny};
use crate::correct;
use crate::diagnostics::{Diagnostic, Format, Severity};
use crate::site;

/// A finding as recorded in a baseline file: stable across edits elsewhere in
/// the article because it has no line number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct BaselineEntry {
    path: String,
    code: String,
    message: String,
}

fn key(d: &Diagnostic) -> BaselineEntry {
    BaselineEntry { path: d.path.display().to_string(), code: d.code.to_string(), message: d.message.clone() }
}

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let opts = args.site.build_options();
    let built = site::build(&opts)?;
    let mut all: Vec<Diagnostic> = built.diagnostics.clone();
    for (path, report) in &built.corrections {
        all.extend(correct::to_diagnostics(path, report, args.typography));
    }
    let mut translations = translation_findings(&opts);
    if args.site.deny.contains(&Deny::Translations) {
        crate::check::translations::deny(&mut translations);
    }
    all.extend(translations);
    crate::diagnostics::sort(&mut all);
    if let Some(file) = &args.write_baseline {
        let entries: Vec<BaselineEntry> = all.iter().map(key).collect();
        crate::fs::write(file, serde_json::to_string_pretty(&entries)?.as_bytes())?;
        eprintln!("Wrote {} findings to {}", entries.len(), file.display());
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(file) = &args.baseline {
        let text = crate::fs::read_to_string(file)?;
        let known: HashSet<BaselineEntry> = serde_json::from_str::<Vec<BaselineEntry>>(&text)
            .with_context(|| format!("{} is not a baseline file", file.display()))?
            .into_iter()
            .collect();
        all.retain(|d| !known.contains(&key(d)));
    }
    if args.format == Format::Human {
        report_human(&all, &built.sources, args.quiet, built.stats.pages);
    } else {
        super::report(&all, &built.sources, args.format);
    }
    let deny_warnings = args.site.deny.contains(&Deny::Warnings);
    let deny_spin = args.site.deny.contains(&Deny::Spin);
    let failed = all.iter().any(Diagnostic::is_error)
        || (deny_warnings && all.iter().any(Diagnostic::is_warning))
        || (deny_spin && all.iter().any(|d| d.severity == Severity::Note && d.code.starts_with("spin/")));
    if failed {
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    }
    Ok(ExitCode::SUCCESS)
}

/// Missing and stale translations and cross-language links
/// ([`crate::check::translations`]), for a site that declares languages. The
/// content is read again: the build hands back its output, not its pages.
/// Nothing when the config does not parse (the build has reported that).
fn translation_findings(opts: &site::BuildOptions) -> Vec<Diagnostic> {
    let root = &opts.root;
    let name = crate::config::file_name(root);
    let Ok(text) = crate::fs::read_to_string(&root.join(name)) else { return Vec::new() };
    let Ok((config, _)) = crate::config::Config::parse_all(std::path::Path::new(name), &text) else {
        return Vec::new();
    };
    if config.languages.keys().all(|l| *l == config.default_language) {
        return Vec::new();
    }
    let publish = crate::content::Publish::at_now(opts.drafts, opts.future);
    let content = crate::content::load(root, &config, publish, &mut Vec::new());
    crate::check::translations::check(&content, &config)
}

/// Human output: errors first, then warnings, then the corrector's notes (the
/// ones to act on must not scroll away under dozens of notes), each group in
/// file order, then one line counting each group. `quiet` leaves the notes out
/// of the listing but still counts them.
fn report_human(all: &[Diagnostic], sources: &crate::diagnostics::SourceMap, quiet: bool, pages: usize) {
    use std::io::IsTerminal;
    let mut shown: Vec<Diagnostic> = all.iter().filter(|d| !(quiet && d.severity == Severity::Note)).cloned().collect();
    // Stable: the file order of `sort` holds within each group.
    shown.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = crate::diagnostics::render_all(&shown, sources, Format::Human, color);
    if !text.is_empty() {
        eprintln!("{text}");
    }
    eprintln!("{}", summary_line(all, quiet, pages));
}

/// `Checked 12 pages: 1 error, 2 warnings, 24 notes (corrections).`
fn summary_line(all: &[Diagnostic], quiet: bool, pages: usize) -> String {
    use crate::diagnostics::plural;
    let count = |s: Severity| all.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, notes) = (count(Severity::Error), count(Severity::Warning), count(Severity::Note));
    let pages = plural(pages, "page");
    // Translation reports are notes too (unless denied); say so when there are any.
    let kinds = if all.iter().any(|d| d.severity == Severity::Note && d.code.starts_with("translation/")) {
        "corrections and translations"
    } else {
        "corrections"
    };
    let notes = match (notes, quiet) {
        (0, _) => String::new(),
        (n, false) => format!(", {} ({kinds})", plural(n, "note")),
        (n, true) => format!(", {} not shown (--quiet)", plural(n, "note")),
    };
    if errors + warnings == 0 {
        return format!("Checked {pages}: no problems{notes}.");
    }
    format!("Checked {pages}: {}, {}{notes}.", plural(errors, "error"), plural(warnings, "warning"))
}
