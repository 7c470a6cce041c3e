//! The documentation (issue 17): `docs/` is an Attaché site that builds with
//! no error or warning, every page of `docs/content/` is in it, every internal
//! link and anchor of the built site lands; the configuration reference lists
//! exactly the keys the code knows; the README's and docs' links to files
//! exist; relative `.md` links (how the docs link, so they read on GitHub too)
//! resolve like `@/` links.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{Html, Selector};

use crate::support::{SiteTest, snapshot};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `docs/content/*.md` but the home page, by file name.
fn doc_pages() -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(repo().join("docs/content"))
        .expect("docs/content")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "_index.md")
        .collect();
    pages.sort();
    pages
}

#[test]
fn the_docs_site_builds_clean_with_every_page_and_working_links() {
    let out = tempfile::tempdir().expect("temp dir");
    let dest = out.path().join("site");
    let run = Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(["build", "--root"])
        .arg(repo().join("docs"))
        .arg("-o")
        .arg(&dest)
        .args(["--deny", "warnings"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run attache");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the docs site does not build:\n{stderr}");
    assert!(!stderr.contains("error") && !stderr.contains("warning"), "{stderr}");

    let files = snapshot(&dest);
    for page in doc_pages() {
        let slug = page.trim_end_matches(".md");
        assert!(files.contains_key(&format!("{slug}/index.html")), "docs/content/{page} has no page in the site");
    }
    assert!(files.contains_key("index.html"));

    // Every internal href and src of every page lands on a built file, and
    // every #anchor on an id of its target.
    let ids: HashMap<String, BTreeSet<String>> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, bytes)| {
            let doc = Html::parse_document(&String::from_utf8_lossy(bytes));
            let sel = Selector::parse("[id]").expect("selector");
            (p.clone(), doc.select(&sel).filter_map(|e| e.value().attr("id").map(str::to_string)).collect())
        })
        .collect();
    let links = Selector::parse("a[href], link[href], script[src], img[src]").expect("selector");
    let mut broken = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let doc = Html::parse_document(&String::from_utf8_lossy(bytes));
        for el in doc.select(&links) {
            let Some(url) = el.value().attr("href").or_else(|| el.value().attr("src")) else { continue };
            if url.contains("://") || url.starts_with("mailto:") {
                continue;
            }
            let (target, anchor) = url.split_once('#').unwrap_or((url, ""));
            let file = if target.is_empty() {
                path.clone()
            } else if let Some(abs) = target.strip_prefix('/') {
                if abs.is_empty() || abs.ends_with('/') { format!("{abs}index.html") } else { abs.to_string() }
            } else {
                broken.push(format!("{path}: relative link {url}"));
                continue;
            };
            if !files.contains_key(&file) {
                broken.push(format!("{path}: {url} (no {file})"));
            } else if !anchor.is_empty() && !ids.get(&file).is_some_and(|i| i.contains(anchor)) {
                broken.push(format!("{path}: {url} (no id {anchor} in {file})"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links in the docs site:\n{}", broken.join("\n"));
}

#[test]
fn docs_pages_live_in_docs_content() {
    // A page left in docs/ is on GitHub but not in the site: it belongs in
    // docs/content/ with a YAML header (title, weight), like its neighbours.
    let stray: Vec<String> = std::fs::read_dir(repo().join("docs"))
        .expect("docs")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    assert!(stray.is_empty(), "move these into docs/content/ with a `---` header: {stray:?}");
    for page in doc_pages() {
        let text = read(&repo().join("docs/content").join(&page));
        assert!(text.starts_with("---\ntitle: "), "docs/content/{page} starts with a YAML header and its title");
        assert!(text.contains("\n---\n# "), "docs/content/{page}: its first line after the header is its `# Title`");
    }
}

/// Schema path of a heading of configuration.md: `Top level` → ``,
/// `` `[markdown.highlighting]` `` → `markdown.highlighting`, NAME/CODE → `*`,
/// `` `taxonomies = [{ … }]` `` → `taxonomies[]`.
fn table_of(heading: &str) -> Option<String> {
    if heading == "Top level" {
        return Some(String::new());
    }
    if heading.starts_with("`taxonomies = [") {
        return Some("taxonomies[]".into());
    }
    let inner = heading.strip_prefix("`[")?.strip_suffix("]`")?;
    Some(
        inner
            .split('.')
            .map(|s| if s.chars().all(|c| c.is_ascii_uppercase()) { "*" } else { s })
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[test]
fn the_configuration_reference_lists_exactly_the_keys_the_code_knows() {
    let text = read(&repo().join("docs/content/configuration.md"));
    let mut documented: BTreeSet<String> = BTreeSet::new();
    let mut table: Option<String> = None;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ").or_else(|| line.strip_prefix("### ")) {
            table = table_of(h.trim());
        } else if let (Some(t), Some(row)) = (&table, line.strip_prefix("| `")) {
            let key = row.split('`').next().unwrap_or_default();
            documented.insert(if t.is_empty() { key.to_string() } else { format!("{t}.{key}") });
        }
    }
    let known: BTreeSet<String> = attache::config::key_tables()
        .into_iter()
        .flat_map(|(t, keys)| keys.iter().map(move |k| if t.is_empty() { k.to_string() } else { format!("{t}.{k}") }))
        .collect();
    let undocumented: Vec<_> = known.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&known).collect();
    assert!(undocumented.is_empty(), "keys missing from docs/content/configuration.md: {undocumented:?}");
    assert!(unknown.is_empty(), "docs/content/configuration.md documents keys the code does not know: {unknown:?}");
}

#[test]
fn every_shortcode_of_the_default_theme_is_documented() {
    let text = read(&repo().join("docs/content/shortcodes.md"));
    let dir = repo().join("themes/default/templates/shortcodes");
    for entry in std::fs::read_dir(&dir).expect("shortcodes").filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().trim_end_matches(".html").to_string();
        assert!(text.contains(&format!("\n## {name}\n")), "docs/content/shortcodes.md has no `## {name}`");
    }
}

/// Relative links to files (`docs/content/install.md`, `LICENSE-MIT`) in the
/// files a reader opens on GitHub.
fn relative_links(text: &str) -> Vec<String> {
    // Code (fenced blocks, backtick spans) shows link syntax; it links nowhere.
    let mut prose = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            prose.extend(line.split('`').step_by(2));
            prose.push('\n');
        }
    }
    let mut out = Vec::new();
    let mut rest = prose.as_str();
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let end = rest.find(')').unwrap_or(rest.len());
        let target = rest[..end].split('#').next().unwrap_or_default();
        if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
            out.push(target.to_string());
        }
    }
    out
}

#[test]
fn readme_changelog_and_docs_link_to_files_that_exist_and_not_to_shared() {
    let root = repo();
    let mut files = vec![root.join("README.md"), root.join("CHANGELOG.md"), root.join("docs/README.md")];
    files.extend(doc_pages().iter().map(|p| root.join("docs/content").join(p)));
    for file in &files {
        let text = read(file);
        let dir = file.parent().expect("parent");
        for link in relative_links(&text) {
            assert!(dir.join(&link).exists(), "{}: link to {link}, which does not exist", file.display());
        }
    }
    // A user has no ../shared: only contributor pages may name it.
    let user_pages = ["README.md", "CHANGELOG.md"].iter().map(|p| root.join(p)).chain(
        ["getting-started", "install", "content", "shortcodes", "configuration", "commands", "deploy", "default-theme"]
            .iter()
            .map(|p| root.join(format!("docs/content/{p}.md"))),
    );
    for file in user_pages {
        assert!(!read(&file).contains("../shared"), "{} names ../shared", file.display());
    }
    // The README is the way in, not the manual.
    let readme = read(&root.join("README.md"));
    assert!(readme.lines().count() < 120, "README.md has {} lines", readme.lines().count());
    let build = readme.find("cargo run --release -- build").expect("the build command");
    let test = readme.find("cargo test").expect("the test command");
    assert!(build < test && test < readme.find("## ").unwrap_or(usize::MAX), "the two set-up commands come first");
}

#[test]
fn relative_md_links_resolve_like_at_links_and_are_checked() {
    let t = SiteTest::new();
    t.page("guide/_index.md", "title = \"Guide\"", "See [setup](setup.md#install).\n");
    t.page("guide/setup.md", "title = \"Setup\"", "## Install\n\nBack to [the reference](../ref/keys.md).\n");
    t.page("ref/_index.md", "title = \"Reference\"", "");
    t.page("ref/keys.md", "title = \"Keys\"", "Read the [setup](../guide/setup.md) first.\n");
    t.build().assert_ok();
    let hrefs = |rel: &str| crate::support::attrs(&t.html(rel), "article a, .content a", "href");
    assert!(
        hrefs("guide/setup/index.html").contains(&"/ref/keys/".to_string()),
        "{:?}",
        hrefs("guide/setup/index.html")
    );
    assert!(hrefs("ref/keys/index.html").contains(&"/guide/setup/".to_string()));
    assert!(
        hrefs("guide/index.html").contains(&"/guide/setup/#install".to_string()),
        "{:?}",
        hrefs("guide/index.html")
    );

    // A misspelt one is an error at its line, with the closest page.
    t.page("ref/keys.md", "title = \"Keys\"", "Read the [setup](../guide/stup.md) first.\n");
    let run = t.build();
    let err = run.assert_error_at("link/broken", "content/ref/keys.md:4:");
    assert!(err.contains("guide/setup.md"), "{err}");
}

#[test]
fn shortcode_syntax_in_code_spans_after_dollar_amounts_stays_text() {
    // Found building these docs: with dollar amounts earlier in the paragraph,
    // the shortcode scanner read `$…$` as math, its code spans came out
    // shifted, and `{% raw %}` inside backticks was an error.
    let t = SiteTest::new();
    t.page(
        "notes.md",
        "title = \"Notes\"",
        "Prices (\"$5 and $10\") stay money; `$$x$$` and `{% raw %}`, `{% highlight %}`, `{{< ref >}}` are code.\n",
    );
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("shortcode"), "{}", run.stderr());
    let code = crate::support::texts(&t.html("notes/index.html"), "article code");
    assert!(code.contains(&"{% raw %}".to_string()) && code.contains(&"{{< ref >}}".to_string()), "{code:?}");
}

#[test]
fn an_unknown_correct_key_is_reported_with_the_other_unknown_keys() {
    // The reference documents [correct] from the same key list the check
    // uses, so a typo there gets a suggestion in the same run as the others.
    let t = SiteTest::new();
    t.file("config.toml", &format!("hightlight_code = true\n{}\n[correct]\nspinn = true\n", crate::support::CONFIG));
    let run = t.run(&["check"]);
    let err = run.stderr();
    assert_eq!(run.code(), 1, "{err}");
    assert!(err.contains("unknown key `correct.spinn`") && err.contains("did you mean `spin`?"), "{err}");
    assert!(err.contains("unknown key `hightlight_code`"), "{err}");
}

#[test]
fn the_release_workflow_builds_linux_macos_and_windows_on_a_tag() {
    let text = read(&repo().join(".github/workflows/release.yml"));
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).expect("release.yml is YAML");
    assert!(workflow["on"]["push"]["tags"][0].as_str().is_some_and(|t| t.starts_with('v')), "runs on a v* tag");
    let targets: Vec<&str> = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("a build matrix")
        .iter()
        .filter_map(|e| e["target"].as_str())
        .collect();
    for system in ["linux", "apple-darwin", "windows"] {
        assert!(targets.iter().any(|t| t.contains(system)), "no {system} target in {targets:?}");
    }
    // Its notes come from CHANGELOG.md, whose version headings it looks for.
    let changelog = read(&repo().join("CHANGELOG.md"));
    assert!(
        changelog.contains(&format!("\n## [{}]", env!("CARGO_PKG_VERSION"))),
        "CHANGELOG.md has no section for this version"
    );
}
