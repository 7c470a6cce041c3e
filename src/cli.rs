//! The command line, as typed clap structs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostics::Format;

/// Attaché: a static site generator for foreign-policy explainers that
/// corrects machine-spun prose before it publishes.
#[derive(Debug, Parser)]
#[command(name = "attache", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/ (or --output-dir).
    Build(BuildArgs),
    /// Build, serve the site locally, and reload open pages on every change.
    Serve(ServeArgs),
    /// Build in memory and report every problem; write nothing.
    Check(CheckArgs),
    /// Create a new site with config.toml, content/, the default theme and static/.
    Init(InitArgs),
    /// Start an article (a draft) with the front matter the site requires.
    New(NewArgs),
    /// Print one Markdown file with its prose corrected (`-` reads stdin).
    Correct(CorrectArgs),
    /// Write applied corrections back into articles (default: all of content/).
    Fix(FixArgs),
    /// Build, then copy only changed files to a directory or a git branch.
    Deploy(DeployArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CorrectFormat {
    /// The corrected Markdown (or a diff with --diff).
    Markdown,
    /// Every change: line, column, byte range, before, after, rule, confidence, status.
    Json,
}

#[derive(Debug, Args)]
pub struct CorrectArgs {
    /// A Markdown file, or `-` for standard input.
    pub file: PathBuf,
    /// Print a unified diff instead of the whole file.
    #[arg(long)]
    pub diff: bool,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: CorrectFormat,
    /// Language for typographic quotes.
    #[arg(long, default_value = "en")]
    pub lang: String,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files or directories (default: ROOT/content).
    pub paths: Vec<PathBuf>,
    /// The site's directory, for config.toml's [correct] settings.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Show the changes as a diff; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Treat warnings (missing alt text, unknown code language…) as errors.
    Warnings,
    /// Fail when the corrector finds machine-spun prose (for CI).
    Spin,
    /// `check`: fail on missing or stale translations and cross-language links.
    Translations,
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's directory (the one with config.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Include pages dated in the future (left out until their date otherwise).
    #[arg(long)]
    pub future: bool,
    /// Override `base_url` from config.toml (e.g. for a preview deploy).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Fail on these kinds of findings too.
    #[arg(long, value_enum)]
    pub deny: Vec<Deny>,
}

impl SiteArgs {
    /// What `build`, `check` and `deploy` ask of the site build (published
    /// output: fingerprinted asset names).
    pub fn build_options(&self) -> crate::site::BuildOptions {
        crate::site::BuildOptions {
            root: self.root.clone(),
            base_url: self.base_url.clone(),
            drafts: self.drafts,
            future: self.future,
            plain_assets: false,
            cache: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site (default: ROOT/public).
    #[arg(short = 'o', long)]
    pub output_dir: Option<PathBuf>,
    /// Print only errors and warnings.
    #[arg(short, long)]
    pub quiet: bool,
    /// Keep running: rebuild on every change, writing only the files whose bytes changed.
    #[arg(long)]
    pub watch: bool,
    /// Replace the output directory even though it holds files Attaché did not write (they are deleted).
    #[arg(long)]
    pub force: bool,
    /// Where the build cache lives (default: ROOT/.attache-cache; safe to delete).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Build everything from scratch: neither read nor write the build cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site's directory (the one with config.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Port to listen on (0 picks a free one; the URL is printed).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on. Anything but loopback exposes the preview to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Also answer requests whose Host is NAME (repeatable; `.example.test` also
    /// allows its subdomains). Localhost and the bound address are always allowed.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Include pages marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Include pages dated in the future (left out until their date otherwise).
    #[arg(long)]
    pub future: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output format for the findings.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Also list typographic corrections (quotes, dashes…) one by one.
    #[arg(long)]
    pub typography: bool,
    /// Ignore findings recorded in this file (from --write-baseline).
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Record the current findings as a baseline and exit.
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// Print only errors and warnings (corrector notes are counted, not listed).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// A directory, or `git:REPO[#BRANCH]` to commit to a branch (default gh-pages) of a git repository.
    #[arg(long)]
    pub to: String,
    /// Commit message for a git target.
    #[arg(long, default_value = "Deploy with Attaché")]
    pub message: String,
    /// Deploy into a directory even though it holds files Attaché did not write (they are deleted).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Where in content/, like `europe/my-article` (makes content/europe/my-article.md).
    pub path: PathBuf,
    /// The site's directory (the one with config.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to create (must not exist or be empty).
    pub dir: PathBuf,
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
