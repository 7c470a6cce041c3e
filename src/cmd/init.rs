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

/// Ready deploy files for the common static hosts: (path in the new site, contents).
const DEPLOY_FILES: &[(&str, &str)] = &[
    (".github/workflows/pages.yml", include_str!("init_files/pages.yml")),
    ("netlify.toml", include_str!("init_files/netlify.toml")),
    ("wrangler.toml", include_str!("init_files/wrangler.toml")),
];

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
    for (path, text) in DEPLOY_FILES {
        write(path, text.as_bytes())?;
    }
    for (path, bytes) in DEFAULT_THEME {
        write(&format!("themes/default/{path}"), bytes)?;
    }
    println!("Created a new site in {}.", dir.display());
    println!("Next: cd {} && attache build", display(dir));
    println!(
        "To publish: GitHub Pages (.github/workflows/pages.yml), Netlify (netlify.toml), Cloudflare Pages (wrangler.toml), or `attache deploy --to DIR|git:REPO`."
    );
    Ok(ExitCode::SUCCESS)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
