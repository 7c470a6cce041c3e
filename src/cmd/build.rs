//! `attache build`: build the site and replace the output directory atomically.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

use crate::cli::{BuildArgs, Deny};
use crate::diagnostics::Format;
use crate::site::{self, BuildOptions};

pub fn run(args: &BuildArgs) -> Result<ExitCode> {
    let opts =
        BuildOptions { root: args.site.root.clone(), base_url: args.site.base_url.clone(), drafts: args.site.drafts };
    let output = args.output_dir.clone().unwrap_or_else(|| args.site.root.join("public"));
    let spinner = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("building…");
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let built = site::build(&opts);
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    let built = built?;
    super::report(&built.diagnostics, &built.sources, Format::Human);
    let deny_warnings = args.site.deny.contains(&Deny::Warnings);
    if built.has_errors() || (deny_warnings && built.diagnostics.iter().any(|d| d.is_warning())) {
        eprintln!("error: the site was not built; {} is unchanged", output.display());
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    }
    site::write(&built, &output)?;
    if !args.quiet {
        let c = &built.stats.correction;
        println!("{}", built.stats.summary_line());
        if c.changes_applied + c.suggestions + c.typography_applied > 0 {
            println!(
                "Corrected {} articles ({} looked spun): {} changes applied, {} suggestions pending (`attache check`), {} typographic fixes",
                c.articles_corrected, c.spun_articles, c.changes_applied, c.suggestions, c.typography_applied
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
