//! `attache deploy --to DIR|git:REPO[#BRANCH]`: build the site and publish
//! only what changed (see [`crate::deploy`]).

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Deny, DeployArgs};
use crate::deploy::{self, Target};
use crate::diagnostics::Format;
use crate::site::{self, BuildOptions};

pub fn run(args: &DeployArgs) -> Result<ExitCode> {
    let target = Target::parse(&args.to)?;
    let opts =
        BuildOptions { root: args.site.root.clone(), base_url: args.site.base_url.clone(), drafts: args.site.drafts };
    let built = site::build(&opts)?;
    super::report(&built.diagnostics, &built.sources, Format::Human);
    let deny_warnings = args.site.deny.contains(&Deny::Warnings);
    if built.has_errors() || (deny_warnings && built.diagnostics.iter().any(|d| d.is_warning())) {
        eprintln!("error: the site did not build; nothing was deployed");
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    }
    let where_to = match &target {
        Target::Dir(d) => d.display().to_string(),
        Target::Git { repo, branch } => format!("branch {branch} of {}", repo.display()),
    };
    let plan = deploy::deploy(&built.files, &target, args.dry_run, &args.message)?;
    print!("{}", plan.listing());
    if plan.is_empty() {
        println!("{where_to} is up to date ({} files); nothing to deploy", plan.unchanged);
    } else if args.dry_run {
        println!("Would deploy to {where_to}: {} (dry run: nothing written)", plan.summary());
    } else {
        println!("Deployed to {where_to}: {}", plan.summary());
    }
    Ok(ExitCode::SUCCESS)
}
