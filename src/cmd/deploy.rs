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
    if let Some(url) = placeholder_base_url(args) {
        eprintln!(
            "warning: base_url is still the placeholder `{url}`: feeds, the sitemap and canonical links will point there\n  = help: set `base_url` in {} to the address the site is published at, or pass --base-url",
            args.site.root.join("config.toml").display()
        );
    }
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

/// The address `attache init` writes. Publishing with it gives feeds, sitemap
/// and canonical links that lead to someone else's domain.
const PLACEHOLDER: &str = "https://example.org";

/// The base URL the deploy publishes with, when it is still [`PLACEHOLDER`].
fn placeholder_base_url(args: &DeployArgs) -> Option<String> {
    let url = match &args.site.base_url {
        Some(u) => u.clone(),
        None => {
            let text = std::fs::read_to_string(args.site.root.join("config.toml")).ok()?;
            let table = text.parse::<toml::Table>().ok()?;
            table.get("base_url")?.as_str()?.to_string()
        }
    };
    (url.trim_end_matches('/') == PLACEHOLDER).then_some(url)
}
