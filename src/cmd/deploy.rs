//! `attache deploy --to DIR|git:REPO[#BRANCH]`: build, then publish only what changed.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::DeployArgs;
use crate::deploy::{self, Target};
use crate::diagnostics::Format;
use crate::outdir::{OutputDir, Purpose};
use crate::site;

/// A target once vetted: a claimed directory, or a repository and branch.
enum Dest {
    Dir(OutputDir),
    Git(std::path::PathBuf, String),
}

pub fn run(args: &DeployArgs) -> Result<ExitCode> {
    let target = Target::parse(&args.to)?;
    // The target is vetted before the build, so a refusal costs nothing.
    let dest = match target {
        Target::Dir(dir) => Dest::Dir(OutputDir::claim(&args.site.root, &dir, args.force, Purpose::Deploy)?),
        Target::Git { repo, branch } => {
            deploy::refuse_checked_out(&repo, &branch)?;
            Dest::Git(repo, branch)
        }
    };
    let opts = args.site.build_options();
    let built = site::build(&opts)?;
    super::report(&built.diagnostics, &built.sources, Format::Human);
    if built.has_errors() {
        eprintln!("error: the site did not build; nothing was deployed");
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    }
    let changes = match &dest {
        Dest::Dir(dir) => deploy::to_dir(&built.files, dir)?,
        Dest::Git(repo, branch) => deploy::to_git(&built.files, repo, branch, &args.message)?,
    };
    println!("{}", changes.report(&args.to));
    Ok(ExitCode::SUCCESS)
}
