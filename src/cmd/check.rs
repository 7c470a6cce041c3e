//! `attache check`: build in memory, report every problem, write nothing.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{CheckArgs, Deny};
use crate::diagnostics::Format;
use crate::site::{self, BuildOptions};

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let opts =
        BuildOptions { root: args.site.root.clone(), base_url: args.site.base_url.clone(), drafts: args.site.drafts };
    let built = site::build(&opts)?;
    super::report(&built.diagnostics, &built.sources, args.format);
    let deny_warnings = args.site.deny.contains(&Deny::Warnings);
    if built.has_errors() || (deny_warnings && !built.diagnostics.is_empty()) {
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    }
    if args.format == Format::Human {
        eprintln!("No problems found in {} pages.", built.stats.pages);
    }
    Ok(ExitCode::SUCCESS)
}
