//! `attache build --watch`: after every edit, `public/` must equal what a
//! fresh `attache build` produces, and a broken edit must leave it untouched.

use std::collections::BTreeMap;

use crate::support::{Running, SiteTest, snapshot};

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

fn article(title: &str, topic: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = 2024-03-0{}\n[taxonomies]\ntopics = [\"{topic}\"]\n+++\n{body}\n",
        title.len() % 9 + 1
    )
}

fn watch_site() -> SiteTest {
    let t = SiteTest::new();
    t.page("europe/_index.md", "title = \"Europe\"\nsort_by = \"date\"", "Europe intro.\n");
    for (i, topic) in ["Ceasefires", "Trade", "Ceasefires"].iter().enumerate() {
        t.file(&format!("content/europe/a{i}.md"), &article(&format!("Article {i}"), topic, "First draft."));
    }
    t.file("static/site.css", "body { color: black; }\n");
    t
}

/// A full build of the same sources into a separate directory.
fn fresh(t: &SiteTest) -> BTreeMap<String, Vec<u8>> {
    let out = t.root().join("fresh-build");
    let _ = std::fs::remove_dir_all(&out);
    t.run(&["build", "-q", "-o", out.to_str().expect("utf-8 path")]).assert_ok();
    let snap = snapshot(&out);
    std::fs::remove_dir_all(&out).expect("remove fresh build");
    snap
}

#[test]
fn watch_output_equals_a_full_build_after_every_edit() {
    let t = watch_site();
    let w = Running::start(&t.root(), &["build", "--watch"]);
    w.wait_for(&["Watching"]);
    assert_eq!(t.snapshot(), fresh(&t), "first build");

    let mut rng = Rng(0x5eed);
    let mut names: Vec<String> = (0..3).map(|i| format!("a{i}")).collect();
    let mut counter = 10;
    for step in 0..14 {
        w.drain();
        let what = rng.below(6);
        let desc;
        match what {
            0 if !names.is_empty() => {
                let n = &names[rng.below(names.len())];
                let topic = if rng.below(2) == 0 { "Trade" } else { "Ceasefires" };
                t.file(
                    &format!("content/europe/{n}.md"),
                    &article(&format!("Edited {n} {step}"), topic, &format!("Text of step {step}.")),
                );
                desc = format!("edit {n}");
            }
            1 => {
                counter += 1;
                let n = format!("new{counter}");
                let link = names.first().map(|o| format!(" See [it](@/europe/{o}.md).")).unwrap_or_default();
                t.file(
                    &format!("content/europe/{n}.md"),
                    &article(&format!("New {counter}"), "Energy", &format!("Added.{link}")),
                );
                names.push(n.clone());
                desc = format!("add {n}");
            }
            2 if names.len() > 1 => {
                // Delete one nothing links to (the first is the link target).
                let n = names.pop().expect("one left");
                std::fs::remove_file(t.root().join(format!("content/europe/{n}.md"))).expect("delete");
                desc = format!("delete {n}");
            }
            3 if names.len() > 1 => {
                let i = names.len() - 1;
                counter += 1;
                let new = format!("renamed{counter}");
                std::fs::rename(
                    t.root().join(format!("content/europe/{}.md", names[i])),
                    t.root().join(format!("content/europe/{new}.md")),
                )
                .expect("rename");
                desc = format!("rename {} → {new}", names[i]);
                names[i] = new;
            }
            4 => {
                let tpl = t.root().join("themes/plain/templates/page.html");
                let text = std::fs::read_to_string(&tpl).expect("template");
                std::fs::write(&tpl, text.replace("{% block main %}", &format!("{{% block main %}}<!-- v{step} -->")))
                    .expect("write");
                desc = "edit template".into();
            }
            _ => {
                t.file("static/site.css", &format!("body {{ color: #{:06x}; }}\n", rng.next() & 0xffffff));
                desc = "edit css".into();
            }
        }
        w.wait_for(&["Rebuilt", "is unchanged"]);
        assert_eq!(t.snapshot(), fresh(&t), "step {step}: {desc}");
    }

    // A broken edit: the diagnostic names file:line:col and public/ stays as it was.
    w.drain();
    let before = t.snapshot();
    t.file("content/europe/broken.md", "+++\ntitle = \"Broken\"\ndate = 2024-13-45\n+++\nBody.\n");
    let lines = w.wait_for(&["is unchanged"]);
    assert!(lines.iter().any(|l| l.contains("content/europe/broken.md:3:")), "{lines:#?}");
    assert_eq!(t.snapshot(), before, "a broken edit leaves public/ untouched");
    std::fs::remove_file(t.root().join("content/europe/broken.md")).expect("fix");
    w.wait_for(&["Rebuilt"]);
    assert_eq!(t.snapshot(), fresh(&t), "after the fix");
    assert!(w.interrupt().success(), "Ctrl-C stops build --watch cleanly");
}

#[test]
fn watch_follows_a_static_dir_created_after_the_start_and_says_when_nothing_changed() {
    let t = SiteTest::new();
    t.page("europe/_index.md", "title = \"Europe\"", "Europe intro.\n");
    t.file("content/europe/a.md", &article("Article", "Trade", "First draft."));
    let _ = std::fs::remove_dir_all(t.root().join("static"));
    let w = Running::start(&t.root(), &["build", "--watch"]);
    w.wait_for(&["Watching"]);

    // The directory did not exist at the start: its files must still be seen,
    // the first one and a later edit of it.
    w.drain();
    t.file("static/notes.txt", "one\n");
    w.wait_for(&["Rebuilt"]);
    w.drain();
    t.file("static/notes.txt", "two\n");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read_to_string(t.root().join("public/notes.txt")).ok().as_deref() != Some("two\n") {
        assert!(std::time::Instant::now() < deadline, "an edit in a static/ made after the start was not copied");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(t.snapshot(), fresh(&t), "after the new static/ dir");

    // A save that changes no output says so.
    w.drain();
    t.file("content/europe/a.md", &article("Article", "Trade", "First draft."));
    let lines = w.wait_for(&["Rebuilt"]);
    assert!(lines.iter().any(|l| l.contains("no output changed")), "{lines:#?}");
    assert!(w.interrupt().success());
}

/// The sample site (content, data, static, themes, config) in a temp dir.
pub(crate) fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["content", "data", "static", "themes"] {
        crate::support::copy_dir(&repo.join(d), &dir.path().join(d));
    }
    std::fs::copy(repo.join("config.toml"), dir.path().join("config.toml")).expect("config");
    dir
}

pub(crate) fn full_build(opts: &attache::site::BuildOptions) -> Option<BTreeMap<String, Vec<u8>>> {
    let built = attache::site::build(opts).expect("build");
    if built.has_errors() {
        return None;
    }
    Some(
        built
            .files
            .into_iter()
            .map(|(k, f)| match f {
                attache::site::OutFile::Bytes(b) => (k, b),
                attache::site::OutFile::Copy(p) | attache::site::OutFile::Written(p) => {
                    (k, std::fs::read(p).expect("copy source"))
                }
            })
            .collect(),
    )
}

/// Edits of an article's prose take the dev server's fast path (re-render the
/// page and what shows it); its output must still be what a full build
/// writes, byte for byte, whether assets are fingerprinted (`build --watch`)
/// or not (`serve`). The edits change word counts, summaries, descriptions,
/// code blocks (the syntax palette), headings other pages link to, spun
/// wording the corrector restores, and now and then a title (a full build).
#[test]
fn fast_rerender_equals_a_full_build_after_random_prose_edits() {
    use attache::incremental::Engine;
    use attache::watch::{Batch, classify};
    for plain_assets in [true, false] {
        let site = sample_copy();
        let root = site.path().to_path_buf();
        let opts = attache::site::BuildOptions { root: root.clone(), plain_assets, ..Default::default() };
        let mut engine = Engine::new(opts.clone());
        assert!(engine.rebuild(None).failure.is_none(), "first build");
        let mut articles: Vec<std::path::PathBuf> = walkdir::WalkDir::new(root.join("content"))
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
            .collect();
        articles.sort();
        let mut rng = Rng(0xfa57 + u64::from(plain_assets));
        let mut fast = 0;
        for step in 0..24 {
            let path = &articles[rng.below(articles.len())];
            let text = std::fs::read_to_string(path).expect("article");
            let rel = path.strip_prefix(&root).expect("inside").to_path_buf();
            let batch = |rel: &std::path::Path| {
                let paths: std::collections::BTreeSet<_> = [rel.to_path_buf()].into_iter().collect();
                Batch { kind: classify(&paths), paths }
            };
            if rng.below(8) == 0 {
                // Break the front matter: the rebuild fails naming the file and
                // line; the fix (the original text) then goes on as any edit.
                std::fs::write(path, text.replacen("+++\n", "+++\nbroken = [\n", 1)).expect("write");
                let update = engine.rebuild(Some(&batch(&rel)));
                let failure = update.failure.expect("a broken front matter fails the build");
                let json = failure.to_json();
                let file = rel.display().to_string();
                assert!(
                    json.as_array()
                        .is_some_and(|l| l.iter().any(|e| e["file"] == file.as_str() && e["line"].as_u64() > Some(0))),
                    "{json}"
                );
            }
            let edited = match rng.below(7) {
                0 => {
                    format!("{text}\nA further paragraph of step {step} on the Chilly Warfare and overseas coverage.\n")
                }
                1 => format!("{text}\n```rust\nfn step() -> u32 {{ {step} }}\n```\n"),
                2 => format!("{text}\n```python\nprint({step})\n```\n"),
                3 => text.replacen("description = \"", &format!("description = \"Step {step}: "), 1),
                4 => match text.find("\n## ") {
                    // Rename a heading: links to its old anchor break (a failed build) or not.
                    Some(at) => format!("{}\n## Renamed {step}{}", &text[..at], &text[at + 3..]),
                    None => format!("{text}\n## Heading {step}\n\nMore.\n"),
                },
                5 => text.replacen("title = \"", &format!("title = \"T{step} "), 1),
                _ => text.lines().take(text.lines().count().saturating_sub(2).max(6)).collect::<Vec<_>>().join("\n"),
            };
            // An edit that breaks the build is undone next, so that one broken
            // article does not fail every later step.
            let mut versions = vec![edited];
            let mut k = 0;
            while let Some(version) = versions.get(k).cloned() {
                k += 1;
                std::fs::write(path, &version).expect("write");
                let update = engine.rebuild(Some(&batch(&rel)));
                let Some(expected) = full_build(&opts) else {
                    assert!(update.failure.is_some(), "step {step} ({}): a failing build must fail", rel.display());
                    if k == 1 {
                        versions.push(text.clone());
                    }
                    continue;
                };
                assert!(update.failure.is_none(), "step {step}: {:?}", update.failure);
                fast += usize::from(update.rerendered > 0);
                let files = engine.files();
                let got: BTreeMap<String, Vec<u8>> =
                    files.iter().map(|(k, v)| (k.clone(), v.as_ref().clone())).collect();
                let missing: Vec<&String> = expected.keys().filter(|k| !got.contains_key(*k)).collect();
                let extra: Vec<&String> = got.keys().filter(|k| !expected.contains_key(*k)).collect();
                let differ: Vec<&String> =
                    expected.iter().filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v)).map(|(k, _)| k).collect();
                assert!(
                    missing.is_empty() && extra.is_empty() && differ.is_empty(),
                    "step {step} ({}, plain_assets {plain_assets}): missing {missing:?}, extra {extra:?}, differ {differ:?}",
                    rel.display()
                );
            }
        }
        // Edits of the sample's articles with images (and of the listings
        // showing them) take a full build: `resize_image` output is not
        // attributed to outputs (see `State::made_images`).
        assert!(fast >= 6, "only {fast} of 24 edits took the fast path");
    }
}
