//! `attache deploy --to DIR|git:REPO[#BRANCH]`: build, then publish only what changed.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::DeployArgs;
use crate::deploy::{self, Target};
use crate::diagnostics::Format;
use crate::site;

pub fn run(args: &DeployArgs) -> Result<ExitCode> {
    let target = Target::parse(&args.to)?;
    let opts = args.site.build_options();
    let built = site::build(&opts)?;
    super::report(&built.diagnostics, &built.sources, Format::Human);
    if built.has_errors() {
        eprintln!("error: the site did not build; nothing was deployed");
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    }
    let changes = match &target {
        Target::Dir(dir) => deploy::to_dir(&built.files, dir)?,
        Target::Git { repo, branch } => deploy::to_git(&built.files, repo, branch, &args.message)?,
    };
    println!("{}", changes.report(&args.to));
    Ok(ExitCode::SUCCESS)
}
