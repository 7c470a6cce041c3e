//! `attache build`: build the site and replace the output directory atomically.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

use crate::cli::{BuildArgs, Deny};
use crate::diagnostics::Format;
use crate::outdir::{OutputDir, Purpose};
use crate::site::{self, BuildOptions};

pub fn run(args: &BuildArgs) -> Result<ExitCode> {
    let mut opts = args.site.build_options();
    let path = args.output_dir.clone().unwrap_or_else(|| args.site.root.join("public"));
    // Vetted before anything is built or watched: a refused directory is
    // reported at once and left exactly as it is.
    let output = OutputDir::claim(&args.site.root, &path, args.force, Purpose::Build)?
        .keeping_dotfiles(crate::config::preserves_dotfiles(&args.site.root));
    if args.watch {
        return watch(opts, &output, args.quiet);
    }
    opts.cache = cache_at(args, &output)?;
    let spinner = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("building…");
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    // Pages are written into the temporary output as they are rendered; it
    // becomes the output only if the build succeeds (dropped otherwise).
    let staging = crate::output::Staging::open(&output)?;
    let built = site::build_streaming(&opts, &staging);
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    let built = built?;
    super::report(&built.diagnostics, &built.sources, Format::Human);
    let deny_warnings = args.site.deny.contains(&Deny::Warnings);
    if built.has_errors() || (deny_warnings && built.diagnostics.iter().any(|d| d.is_warning())) {
        eprintln!("error: the site was not built; {} is unchanged", output.path().display());
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    }
    match &built.cache {
        // The output is already this build's; only leftovers of killed builds go.
        Some(c) if c.unchanged || c.nothing_to_write(&built.files) => {
            drop(staging);
            crate::output::clean_stale(output.path());
        }
        _ => staging.commit(&built.files, &output)?,
    }
    if let Some(c) = &built.cache
        && !c.unchanged
    {
        let s = &built.stats;
        let k = &s.correction;
        let stats = [
            s.pages,
            s.sections,
            s.terms,
            s.files,
            k.articles_corrected,
            k.spun_articles,
            k.changes_applied,
            k.typography_applied,
            k.suggestions,
        ];
        c.save(&built.files, built.diagnostics.is_empty(), stats);
    }
    if !args.quiet {
        println!("{}", built.stats.summary_line());
        if let Some(line) = correction_line(&built.stats.correction) {
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the build cache is (`--cache-dir`, or `.attache-cache` in the
/// root), or `None` with `--no-cache`. A cache inside the output directory
/// would be deleted by every build, and one that holds the output would be
/// published: both are refused.
fn cache_at(args: &BuildArgs, output: &crate::outdir::OutputDir) -> Result<Option<site::CacheAt>> {
    if args.no_cache {
        return Ok(None);
    }
    let dir = args.cache_dir.clone().unwrap_or_else(|| args.site.root.join(crate::cache::DIR));
    let abs = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (cache, out) = (abs(&dir), abs(output.path()));
    if cache.starts_with(&out) || out.starts_with(&cache) {
        anyhow::bail!(
            "the cache directory {} and the output directory {} overlap; choose another --cache-dir",
            dir.display(),
            output.path().display()
        );
    }
    Ok(Some(site::CacheAt {
        dir,
        output: output.path().to_path_buf(),
        keep_dotfiles: crate::config::preserves_dotfiles(&args.site.root),
    }))
}

/// What the corrector did, in words: wording restored (and where), typography
/// fixed, suggestions left to the editor. `None` when it changed nothing.
/// Typography is counted apart so "0 articles corrected … 199 fixes" never
/// reads as a contradiction.
pub(crate) fn correction_line(c: &crate::correct::Summary) -> Option<String> {
    use crate::diagnostics::plural;
    let mut parts = Vec::new();
    if c.changes_applied > 0 {
        let spun = if c.spun_articles > 0 {
            format!("; {} looked machine-spun", plural(c.spun_articles, "article"))
        } else {
            String::new()
        };
        parts.push(format!(
            "wording restored in {} ({}{spun})",
            plural(c.articles_corrected, "article"),
            plural(c.changes_applied, "change")
        ));
    } else if c.typography_applied > 0 {
        parts.push("wording unchanged".to_string());
    }
    if c.typography_applied > 0 {
        parts.push(format!("{} (quotes, dashes, spaces)", plural(c.typography_applied, "typographic fix")));
    }
    if c.suggestions > 0 {
        parts.push(format!("{} left for you to review (`attache check`)", plural(c.suggestions, "suggestion")));
    }
    (!parts.is_empty()).then(|| format!("Prose: {}", parts.join("; ")))
}

/// `build --watch`: keep `output` equal to a fresh build, touching only the
/// files whose bytes changed. A broken edit prints the diagnostic and leaves
/// the last good output as it is.
fn watch(opts: BuildOptions, output: &OutputDir, quiet: bool) -> Result<ExitCode> {
    use std::sync::atomic::Ordering;

    use crate::incremental::{self, Engine};

    let watcher = crate::watch::Watcher::new(&opts.root, &[output.path().to_path_buf()])?;
    let stop = crate::watch::stop_on_interrupt();
    let mut engine = Engine::new(opts);
    let mut synced = false;
    let mut batch = None;
    loop {
        let update = engine.rebuild(batch.as_ref());
        crate::serve::report(&update);
        if update.failure.is_some() {
            eprintln!("error: {} is unchanged; waiting for the next change", output.path().display());
        } else if !synced {
            // The first good build: make the directory match, whatever it held.
            let written = incremental::sync(&engine.files(), output)?;
            synced = true;
            if !quiet {
                println!(
                    "Built in {} ms: wrote {written} files to {}",
                    update.elapsed.as_millis(),
                    output.path().display()
                );
            }
        } else {
            incremental::apply(&engine.files(), &update, output)?;
            if !quiet {
                println!("Rebuilt in {} ms: {}", update.elapsed.as_millis(), update.tally("written"));
            }
        }
        if !quiet {
            println!("Watching for changes (Ctrl-C stops)");
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        batch = watcher.next(&|| stop.load(Ordering::SeqCst));
        if batch.is_none() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}
