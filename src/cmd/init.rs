//! `attache init DIR`: scaffold a new site that builds as is.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::InitArgs;

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

const CONFIG: &str = r#"# Site settings. The README of Attaché documents every key.
title = "My explainers"
description = "Plain-language explainers on foreign policy."
base_url = "https://example.org"
theme = "default"
default_language = "en"

[markdown]
highlight_theme = "InspiredGitHub"
smart_punctuation = true
external_links_target_blank = true
external_links_no_referrer = true

[taxonomies.topics]
feed = true

[taxonomies.regions]

[editorial]
# Zola makes `title` optional; these explainers require one.
required_fields = ["title"]

[extra]
tagline = "Foreign policy, explained."
"#;

const HOME: &str = r#"+++
title = "My explainers"
description = "Plain-language explainers on foreign policy."
sort_by = "date"
+++

Welcome. Each explainer answers one question in plain language.
"#;

const SECTION: &str = r#"+++
title = "Explainers"
description = "Everything we have explained so far."
sort_by = "date"
+++
"#;

const ARTICLE: &str = r#"+++
title = "How to write an explainer"
description = "A short guide to the house format."
date = 2026-01-15
authors = ["The editors"]

[taxonomies]
topics = ["Style"]
regions = ["Global"]
+++

An explainer answers one question, in plain words, for a reader in a hurry.

<!-- more -->

## Start with the answer

Put the answer in the first paragraph, then the reasons, then the history.

## Link related explainers

Write links to other articles as `@/explainers/how-to-write.md`: the build
checks that they exist and turns them into URLs.
"#;

/// Where CI installs Attaché from. A site pins its own fork or tag by editing
/// the generated files; `ATTACHE_GIT` in the workflows is the one place to change.
const ATTACHE_GIT: &str = "https://github.com/attache-ssg/attache";

/// GitHub Pages: build on every push to main, publish with the Pages actions.
const GITHUB_PAGES: &str = r#"# Build with Attaché and publish to GitHub Pages on every push to main.
# In the repository settings, set Pages → Source to "GitHub Actions".
name: pages
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: true
env:
  ATTACHE_GIT: @ATTACHE_GIT@
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/configure-pages@v5
        id: pages
      - run: cargo install --locked --git "$ATTACHE_GIT" attache
      - run: attache build --base-url "${{ steps.pages.outputs.base_url }}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - uses: actions/deploy-pages@v4
        id: deployment
"#;

/// Netlify: its build image has Rust; cache the installed binary between builds.
const NETLIFY: &str = r#"# Netlify builds the site from this file; connect the repository in Netlify's UI.
[build]
  command = 'cargo install --locked --git @ATTACHE_GIT@ attache && attache build --base-url "$URL/"'
  publish = "public"

# Fingerprinted assets (style.<hash>.css) never change: cache them for a year.
[[headers]]
  for = "/*.css"
  [headers.values]
    Cache-Control = "public, max-age=31536000, immutable"
[[headers]]
  for = "/*.js"
  [headers.values]
    Cache-Control = "public, max-age=31536000, immutable"
"#;

/// Cloudflare Pages: build anywhere, upload `public/` with wrangler.
const WRANGLER: &str = r#"# Cloudflare Pages. Build, then upload public/:
#   attache build --base-url https://<project>.pages.dev/
#   npx wrangler pages deploy
# (or connect the repository in the Cloudflare dashboard with the build command
#  `cargo install --locked --git @ATTACHE_GIT@ attache && attache build`
#  and the output directory `public`).
name = "my-explainers"
pages_build_output_dir = "public"
"#;

/// Cloudflare Pages reads `_headers` from the output: long caching for fingerprinted assets.
const HEADERS: &str = "/*.css\n  Cache-Control: public, max-age=31536000, immutable\n/*.js\n  Cache-Control: public, max-age=31536000, immutable\n";

pub fn run(args: &InitArgs) -> Result<ExitCode> {
    let dir = &args.dir;
    if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        bail!("{} already exists and is not empty; choose a new directory", dir.display());
    }
    let write = |rel: &str, bytes: &[u8]| crate::fs::write(&dir.join(rel), bytes);
    write("config.toml", CONFIG.as_bytes())?;
    write("content/_index.md", HOME.as_bytes())?;
    write("content/explainers/_index.md", SECTION.as_bytes())?;
    write("content/explainers/how-to-write.md", ARTICLE.as_bytes())?;
    write("static/.gitkeep", b"")?;
    write(".gitignore", b"public/\n")?;
    let deploy = |text: &str| text.replace("@ATTACHE_GIT@", ATTACHE_GIT);
    write(".github/workflows/pages.yml", deploy(GITHUB_PAGES).as_bytes())?;
    write("netlify.toml", deploy(NETLIFY).as_bytes())?;
    write("wrangler.toml", deploy(WRANGLER).as_bytes())?;
    write("static/_headers", HEADERS.as_bytes())?;
    for (path, bytes) in DEFAULT_THEME {
        write(&format!("themes/default/{path}"), bytes)?;
    }
    println!("Created a new site in {}.", dir.display());
    println!("Next: cd {} && attache build", display(dir));
    println!(
        "Deploy files: .github/workflows/pages.yml (GitHub Pages), netlify.toml (Netlify), wrangler.toml (Cloudflare Pages)."
    );
    Ok(ExitCode::SUCCESS)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
