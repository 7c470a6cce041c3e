//! `attache init DIR`: scaffold a new site that builds as is.

use std::borrow::Cow;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::cli::InitArgs;

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

const CONFIG: &str = r#"# Site settings. Every key: docs/content/configuration.md in Attaché's repository.
title = "My explainers"
description = "Plain-language explainers on foreign policy."
base_url = "https://example.org"
theme = "default"
default_language = "en"
# Attaché's choices where Zola's defaults differ: feeds for the site and each
# section, the default theme's search (its index in search-index/),
# fingerprinted copies of CSS and JS (style.3f2a9c01de.css), a `#` link in
# every heading, smart punctuation.
generate_feed = true
section_feeds = true
site_search = true
fingerprint_assets = true

# Slugs keep letters of every script (`türkiye`); Zola transliterates (`turkiye`).
[slugify]
paths = "unicode"
taxonomies = "unicode"
anchors = "unicode"

[markdown]
# Code coloured by classes and /highlight.css (InspiredGitHub); a theme named
# here instead would colour it inline, as Zola does.
highlight_theme = "css"
smart_punctuation = true
heading_anchors = true
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

/// Where CI installs Attaché from: the crate's `repository` when it has one,
/// otherwise empty, and the workflow stops with a message naming the setting.
const ATTACHE_REPO: &str = env!("CARGO_PKG_REPOSITORY");

/// GitHub Pages: build on every push to main, publish with the Pages actions.
/// The installed binary is cached under the Attaché version, so only the first
/// run (and the first after a version change) compiles Attaché; the build
/// cache (`.attache-cache/`) is restored from the last run of the same
/// version and saved after each build, so unchanged articles are not
/// corrected or rendered again.
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
  # ─── FILL IN ───────────────────────────────────────────────────────────────
  # The Git repository Attaché is installed from (yours, a fork, or upstream),
  # e.g. https://github.com/OWNER/attache
  ATTACHE_REPO: "@ATTACHE_REPO@"
  # The Attaché version (a tag of that repository). The compiled binary is
  # cached under this key: the first deploy compiles Attaché (a few minutes),
  # later ones reuse it. Change it to upgrade.
  ATTACHE_VERSION: "@ATTACHE_VERSION@"
  # ───────────────────────────────────────────────────────────────────────────
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/configure-pages@v5
        id: pages
      - uses: actions/cache@v4
        id: attache
        with:
          path: ~/.attache
          key: attache-${{ runner.os }}-${{ env.ATTACHE_VERSION }}
      - name: Install Attaché (only when not cached)
        if: steps.attache.outputs.cache-hit != 'true'
        run: |
          if [ -z "$ATTACHE_REPO" ]; then
            echo "::error file=.github/workflows/pages.yml::set ATTACHE_REPO at the top of this file to the Git repository of Attaché"
            exit 1
          fi
          cargo install --locked --root ~/.attache --git "$ATTACHE_REPO" --tag "$ATTACHE_VERSION" attache
      # The build cache: corrections and rendered Markdown of unchanged
      # articles. Restored from the newest run of this version, saved after
      # every build (a new key per commit); safe to delete.
      - uses: actions/cache@v4
        with:
          path: .attache-cache
          key: attache-build-${{ runner.os }}-${{ env.ATTACHE_VERSION }}-${{ github.sha }}
          restore-keys: attache-build-${{ runner.os }}-${{ env.ATTACHE_VERSION }}-
      - run: ~/.attache/bin/attache build --base-url "${{ steps.pages.outputs.base_url }}/"
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

/// Netlify: its build image has Rust; the binary is installed into
/// `.attache/VERSION/` and kept between builds by `netlify-plugin-cache`.
/// Caching headers come from `static/_headers` (Netlify reads it from public/).
const NETLIFY: &str = r#"# Netlify builds the site from this file; connect the repository in Netlify's UI.
[build.environment]
  # ─── FILL IN ─────────────────────────────────────────────────────────────
  # The Git repository Attaché is installed from, e.g. https://github.com/OWNER/attache
  ATTACHE_REPO = "@ATTACHE_REPO@"
  # The Attaché version (a tag of that repository); the compiled binary is
  # cached under it between builds. Change it to upgrade.
  ATTACHE_VERSION = "@ATTACHE_VERSION@"
  # ─────────────────────────────────────────────────────────────────────────

[build]
  publish = "public"
  command = """
    set -e
    bin=".attache/$ATTACHE_VERSION/bin/attache"
    if [ ! -x "$bin" ]; then
      [ -n "$ATTACHE_REPO" ] || { echo "error: set ATTACHE_REPO in netlify.toml to the Git repository of Attaché"; exit 1; }
      cargo install --locked --root ".attache/$ATTACHE_VERSION" --git "$ATTACHE_REPO" --tag "$ATTACHE_VERSION" attache
    fi
    "$bin" build --base-url "$URL/"
  """

# Keep the compiled binary (keyed by the version in its path) and the build
# cache (corrections and rendered Markdown of unchanged articles) between builds.
[[plugins]]
  package = "netlify-plugin-cache"
  [plugins.inputs]
    paths = [".attache", ".attache-cache"]

# Caching headers: static/_headers (fingerprinted assets only).
"#;

/// Cloudflare Pages: build anywhere, upload `public/` with wrangler.
const WRANGLER: &str = r#"# Cloudflare Pages. Build, then upload public/:
#   attache build --base-url https://<project>.pages.dev/
#   npx wrangler pages deploy
# (or connect the repository in the Cloudflare dashboard with the build command
#  `cargo install --locked --git <Attaché repository> --tag @ATTACHE_VERSION@ attache && attache build`
#  and the output directory `public`). Caching headers: static/_headers.
name = "my-explainers"
pages_build_output_dir = "public"
"#;

/// `_headers` for Netlify and Cloudflare Pages: only fingerprinted names are
/// immutable; `attache build` lists them in place of the marker line (see
/// [`crate::site::headers`]). The marker block comes first so that, were the
/// file published unexpanded, its header line would attach to no rule.
const HEADERS: &str = "# Read by Netlify and Cloudflare Pages. Stylesheets and scripts whose name carries a
# fingerprint (style.3f2a9c01de.css) never change, so hosts may cache them for a year;
# `attache build` replaces the next line with one rule per such file. Plain names
# (style.css) keep the host's default caching.
# attache: fingerprinted assets
  Cache-Control: public, max-age=31536000, immutable
";

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
    write(".gitignore", b"public/\n.attache/\n.attache-cache/\n")?;
    let deploy = |text: &str| {
        text.replace("@ATTACHE_REPO@", ATTACHE_REPO)
            .replace("@ATTACHE_VERSION@", &format!("v{}", env!("CARGO_PKG_VERSION")))
    };
    write(".github/workflows/pages.yml", deploy(GITHUB_PAGES).as_bytes())?;
    write("netlify.toml", deploy(NETLIFY).as_bytes())?;
    write("wrangler.toml", deploy(WRANGLER).as_bytes())?;
    write("static/_headers", HEADERS.as_bytes())?;
    for (path, bytes) in default_theme()? {
        write(&format!("themes/default/{path}"), &bytes)?;
    }
    println!("Created a new site in {}.", dir.display());
    println!("Next: cd {} && attache serve   (then open the address it prints)", display(dir));
    println!(
        "Deploy files: .github/workflows/pages.yml (GitHub Pages), netlify.toml (Netlify), wrangler.toml (Cloudflare Pages);"
    );
    println!("  set ATTACHE_REPO at the top of the one you use to the Git repository of Attaché.");
    Ok(ExitCode::SUCCESS)
}

/// The default theme's files: embedded in release builds; read from this
/// checkout in development builds, so editing the theme never recompiles
/// Attaché (see build.rs).
fn default_theme() -> Result<Vec<(String, Cow<'static, [u8]>)>> {
    if THEME_EMBEDDED {
        return Ok(DEFAULT_THEME.iter().map(|(p, b)| ((*p).to_string(), Cow::Borrowed(*b))).collect());
    }
    let base = Path::new(THEME_SOURCE);
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(base).sort_by_file_name() {
        let entry = entry.with_context(|| format!("could not read the default theme in {}", base.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(base).context("theme file outside the theme")?;
        let bytes = crate::fs::read(entry.path())?;
        files.push((rel.to_string_lossy().replace('\\', "/"), Cow::Owned(bytes)));
    }
    if files.is_empty() {
        bail!("this development build reads the default theme from {}, which is empty or missing", base.display());
    }
    Ok(files)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
