//! The persistent build cache (`.attache-cache/`): whatever was edited, a
//! build that uses it writes exactly what a build from scratch writes; a
//! damaged cache is ignored; the cache is never published or deleted by `-o`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{copy_dir, snapshot};

/// A tiny deterministic generator, so a failing sequence can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The sample site (content, data, static, themes, config) in a temp dir.
fn sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["content", "data", "static", "themes"] {
        copy_dir(&repo.join(d), &dir.path().join(d));
    }
    std::fs::copy(repo.join("config.toml"), dir.path().join("config.toml")).expect("config");
    dir
}

fn attache(root: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .expect("run attache")
}

/// `build` with the cache into public/: exit code and output.
fn cached(root: &Path) -> (Option<i32>, BTreeMap<String, Vec<u8>>) {
    let out = attache(root, &["build", "-q"]);
    (out.status.code(), snapshot(&root.join("public")))
}

/// `build --no-cache` into a directory of its own, removed afterwards.
fn cold(root: &Path) -> (Option<i32>, BTreeMap<String, Vec<u8>>) {
    let dir = root.join("cold-build");
    let _ = std::fs::remove_dir_all(&dir);
    let out = attache(root, &["build", "-q", "--no-cache", "-o", "cold-build"]);
    let snap = snapshot(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    (out.status.code(), snap)
}

/// The articles of the site (not sections), relative to the root.
fn articles(root: &Path) -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md") && e.file_name() != "_index.md")
        .map(|e| e.path().strip_prefix(root).expect("inside").to_path_buf())
        .collect();
    list.sort();
    list
}

fn edit(root: &Path, rel: &Path, f: impl FnOnce(String) -> String) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, f(text)).expect("write");
}

/// The paths whose bytes differ between two outputs (the first few).
fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).take(8).cloned().collect()
}

/// Where the body of a page's text starts (after its `+++` front matter).
fn body_start(text: &str) -> usize {
    text.get(3..).and_then(|t| t.find("+++")).map_or(0, |i| i + 6)
}

/// Which file `public/` keeps between two builds (an unchanged output is
/// linked from the last build, not written again).
#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).expect("stat"))
}

#[test]
fn cached_builds_equal_a_cold_build_after_random_edits() {
    let site = sample();
    let root = site.path();
    assert_eq!(cached(root), cold(root), "first build");
    assert!(root.join(".attache-cache").is_dir(), "the cache is beside public/");

    // Nothing changed: the same files, not even rewritten.
    #[cfg(unix)]
    let before = inode(&root.join("public/index.html"));
    assert_eq!(cached(root), cold(root), "rebuild with nothing changed");
    #[cfg(unix)]
    assert_eq!(inode(&root.join("public/index.html")), before, "an unchanged output is kept, not rewritten");

    let mut rng = Rng(0xcac4e);
    let mut added: Vec<PathBuf> = Vec::new();
    for step in 0..18 {
        let list = articles(root);
        let what = rng.below(11);
        let desc = match what {
            // The prose of one article (the common edit): a paragraph, a heading, code.
            0..=2 => {
                let rel = list[rng.below(list.len())].clone();
                let extra = match rng.below(3) {
                    0 => format!("\n\nIn step {step} the talks resumed -- with \"quoted\" words.\n"),
                    1 => format!("\n\n## Step {step} heading\n\nMore text.\n"),
                    _ => format!("\n\n```rust\nfn step() -> u32 {{ {step} }}\n```\n"),
                };
                edit(root, &rel, |t| t + &extra);
                format!("body of {}", rel.display())
            }
            3 => {
                let rel = list[rng.below(list.len())].clone();
                edit(root, &rel, |t| t.replacen("title = \"", &format!("title = \"Step {step}: "), 1));
                format!("title of {}", rel.display())
            }
            4 => {
                let name = ["page.html", "base.html", "section.html", "macros.html"][rng.below(4)];
                let rel = PathBuf::from(format!("themes/default/templates/{name}"));
                edit(root, &rel, |t| t + &format!("{{# step {step} #}}<!-- v{step} -->\n"));
                format!("template {name}")
            }
            5 => {
                edit(root, Path::new("config.toml"), |t| {
                    t.replacen("description = \"", &format!("description = \"Step {step}. "), 1)
                });
                "config".into()
            }
            // Only search words: the same number of words, so no page value
            // changes, but the page and the search index do.
            8 => {
                let rel = list[rng.below(list.len())].clone();
                edit(root, &rel, |t| {
                    let (front, body) = t.split_at(body_start(&t));
                    format!("{front}{}", body.replacen(" the ", &format!(" quokka{step} "), 1))
                });
                format!("search words of {}", rel.display())
            }
            // A code block's language (the classes the syntax palette keeps),
            // or none at all.
            9 => {
                let with_code: Vec<PathBuf> = list
                    .iter()
                    .filter(|p| std::fs::read_to_string(root.join(p)).is_ok_and(|t| t.contains("```")))
                    .cloned()
                    .collect();
                let rel = with_code[rng.below(with_code.len())].clone();
                let lang = ["python", "toml", "", "json"][rng.below(4)];
                edit(root, &rel, |t| {
                    let Some(at) = t.find("```") else { return t };
                    let end = t[at..].find('\n').map_or(t.len(), |e| at + e);
                    format!("{}```{lang}{}", &t[..at], &t[end..])
                });
                format!("code language of {} to `{lang}`", rel.display())
            }
            // A heading's words (the table of contents, the search index).
            10 => {
                let rel = list[rng.below(list.len())].clone();
                edit(root, &rel, |t| {
                    let (front, body) = t.split_at(body_start(&t));
                    match body.contains("\n## ") {
                        true => format!("{front}{}", body.replacen("\n## ", &format!("\n## Wombat {step} "), 1)),
                        false => format!("{front}{body}\n\n## Wombat {step}\n\nText.\n"),
                    }
                });
                format!("heading of {}", rel.display())
            }
            6 if !added.is_empty() => {
                let rel = added.remove(rng.below(added.len()));
                std::fs::remove_file(root.join(&rel)).expect("delete");
                format!("delete {}", rel.display())
            }
            _ => {
                let rel = PathBuf::from(format!("content/europe/added-{step}.md"));
                std::fs::write(
                    root.join(&rel),
                    format!(
                        "+++\ntitle = \"Added in step {step}\"\ndescription = \"Added.\"\ndate = 2025-02-{:02}\n[taxonomies]\ntopics = [\"diplomacy\"]\n+++\nSee [the OSCE](@/europe/osce.md). New text for step {step}.\n",
                        step + 1
                    ),
                )
                .expect("add");
                added.push(rel.clone());
                format!("add {}", rel.display())
            }
        };
        let (code, files) = cached(root);
        let (cold_code, cold_files) = cold(root);
        assert_eq!(code, cold_code, "step {step}: {desc}: exit code");
        // A failed build leaves public/ as it was, and writes no cold output.
        if code != Some(0) {
            continue;
        }
        assert!(
            files == cold_files,
            "step {step}: {desc}: the cached build differs from a cold one in {:?}",
            differing(&files, &cold_files)
        );
    }
    assert!(
        !snapshot(&root.join("public")).keys().any(|k| k.contains("attache-cache")),
        "the cache is never published"
    );
}

#[test]
fn a_damaged_cache_is_ignored() {
    let site = sample();
    let root = site.path();
    assert_eq!(attache(root, &["build", "-q"]).status.code(), Some(0));
    // Every cache file cut short or overwritten with garbage.
    let mut n = 0;
    for e in walkdir::WalkDir::new(root.join(".attache-cache")).into_iter().filter_map(Result::ok) {
        if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).expect("read");
            let damaged = if n % 2 == 0 { bytes[..bytes.len() / 2].to_vec() } else { vec![0xff; bytes.len()] };
            std::fs::write(e.path(), damaged).expect("damage");
            n += 1;
        }
    }
    assert!(n > 2, "the cache holds entries");
    edit(root, Path::new("content/europe/osce.md"), |t| t + "\n\nOne more paragraph.\n");
    let out = attache(root, &["build", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(snapshot(&root.join("public")) == cold(root).1, "a damaged cache changes nothing in the output");
}

#[test]
fn the_cache_directory_is_never_an_output() {
    let site = sample();
    let root = site.path();
    assert_eq!(attache(root, &["build", "-q"]).status.code(), Some(0));
    let tag = root.join(".attache-cache/CACHEDIR.TAG");
    let kept = std::fs::read(&tag).expect("cache tag");
    let out = attache(root, &["build", "-q", "--force", "-o", ".attache-cache"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(".attache-cache"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&tag).expect("cache tag"), kept, "the cache is left as it was");
    let out = attache(root, &["build", "-q", "--cache-dir", "public/cache"]);
    assert_eq!(out.status.code(), Some(2), "a cache inside the output is refused");
}

#[test]
fn init_workflows_restore_and_save_the_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(attache(dir.path(), &["init", "site"]).status.code(), Some(0));
    let read = |p: &str| std::fs::read_to_string(dir.path().join("site").join(p)).expect(p);
    let workflow: serde_yaml::Value = serde_yaml::from_str(&read(".github/workflows/pages.yml")).expect("YAML");
    let steps = workflow["jobs"]["build"]["steps"].as_sequence().expect("steps");
    let at = |f: &dyn Fn(&serde_yaml::Value) -> bool| steps.iter().position(f);
    let cache = at(&|s| s["with"]["path"].as_str() == Some(".attache-cache")).expect("a step caches .attache-cache");
    let build = at(&|s| s["run"].as_str().is_some_and(|r| r.contains("attache build"))).expect("build step");
    assert!(cache < build, "the cache is restored before the build");
    assert_eq!(steps[cache]["uses"].as_str(), Some("actions/cache@v4"));
    let key = steps[cache]["with"]["key"].as_str().expect("key");
    assert!(key.contains("env.ATTACHE_VERSION"), "keyed on the version: {key}");
    let netlify: toml::Table = read("netlify.toml").parse().expect("TOML");
    let paths = format!("{:?}", netlify["plugins"]);
    assert!(paths.contains(".attache-cache"), "{paths}");
    assert!(read(".gitignore").contains(".attache-cache/"));
}

/// The default theme's templates name `resize_image` (lead images): that
/// must not turn the cache off for the whole site. Only a render that calls
/// it is done again; every article's Markdown is kept, and the build after
/// an edit still equals a `--no-cache` build.
#[test]
fn image_functions_in_the_theme_leave_the_cache_on() {
    let site = sample();
    let root = site.path();
    let (code, _) = cached(root);
    assert_eq!(code, Some(0));
    let docs = walkdir::WalkDir::new(root.join(".attache-cache"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().parent().is_some_and(|p| p.ends_with("docs")))
        .count();
    assert!(docs >= articles(root).len() / 2, "the Markdown of the articles is cached ({docs} entries)");
    let first = articles(root).into_iter().next().expect("an article");
    edit(root, &first, |t| format!("{t}\n\nOne more sentence for the cache.\n"));
    let (code, snap) = cached(root);
    let (cold_code, cold_snap) = cold(root);
    assert_eq!(code, cold_code);
    assert!(snap == cold_snap, "the cached build equals a cold build after an edit");
}
