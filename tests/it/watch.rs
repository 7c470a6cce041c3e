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
