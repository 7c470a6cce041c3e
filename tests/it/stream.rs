//! `attache build` writes pages into its temporary output as they are
//! rendered: a build that fails midway must still leave the previous output
//! exactly as it was, and no half-written directory beside it.

use std::path::Path;

use crate::support::{SiteTest, snapshot};

/// A site of many pages, so that the one whose template fails is rendered
/// while others are already written.
fn site() -> SiteTest {
    let t = SiteTest::new();
    t.page("news/_index.md", "title = \"News\"", "All the news.\n");
    for i in 0..60 {
        t.page(&format!("news/item-{i:02}.md"), &format!("title = \"Item {i}\"\ndate = 2025-01-01"), "Text.\n");
    }
    t.file("templates/boom.html", "<p>{{ page.title }}</p>{{ throw(message=\"boom\") }}");
    t
}

/// The entries beside `public/` in the site's root that a build left behind.
fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .expect("list root")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect()
}

#[test]
fn a_template_failing_midway_leaves_the_previous_output_intact() {
    let t = site();
    t.build().assert_ok();
    let before = t.snapshot();
    assert!(before.keys().any(|k| k.starts_with("news/item-30")), "{:?}", before.keys());
    // An edit in one page whose template fails at render time, among pages
    // that render (and are streamed) fine.
    t.page("news/item-30.md", "title = \"Item 30\"\ndate = 2025-01-01\ntemplate = \"boom.html\"", "Text.\n");
    t.page("news/item-01.md", "title = \"Item 1, edited\"\ndate = 2025-01-01", "New text.\n");
    for args in [&["build"][..], &["build", "--no-cache"]] {
        let run = t.run(args);
        assert_eq!(run.code(), 1, "{args:?}: stdout:\n{}\nstderr:\n{}", run.stdout(), run.stderr());
        assert!(run.stderr().contains("boom.html"), "the error names the template: {}", run.stderr());
        assert!(run.stderr().contains("is unchanged"), "{}", run.stderr());
        assert!(t.snapshot() == before, "{args:?}: public/ changed after a failed build");
        assert_eq!(leftovers(&t.root()), Vec::<String>::new(), "{args:?}: the temporary output was left behind");
    }
    // Fixed, the next build writes the edit.
    t.page("news/item-30.md", "title = \"Item 30\"\ndate = 2025-01-01", "Text.\n");
    t.build().assert_ok();
    assert!(t.read("news/item-01/index.html").contains("Item 1, edited"));
    assert_eq!(leftovers(&t.root()), Vec::<String>::new());
    assert_eq!(snapshot(&t.root().join("public")).len(), before.len());
}
