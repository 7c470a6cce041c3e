//! Zola's Markdown and output features, each on a small Zola-style fixture:
//! `bottom_footnotes`, `render_emoji`, inline or classed highlighting,
//! `minify_html` and `[link_checker]`. Assertions are on the parsed pages.

use scraper::{Html, Selector};

use crate::support::{SiteTest, attrs, texts};
use crate::zola::zola_site;

/// A Zola site whose config is `markdown` under `[markdown]`, with the
/// corrector off so the pages hold exactly what was written.
fn site(top: &str, markdown: &str) -> SiteTest {
    zola_site(&format!("title = \"x\"\n{top}\n[markdown]\n{markdown}\n[correct]\nenabled = false\n"))
}

fn count(doc: &Html, css: &str) -> usize {
    doc.select(&Selector::parse(css).expect("selector")).count()
}

#[test]
fn bottom_footnotes_are_listed_at_the_end_as_zola_lists_them() {
    let t = site("", "bottom_footnotes = true");
    t.page("p.md", "title = \"P\"", "Claim.[^a] Again.[^a]\n\n[^a]: The source.\n\n## Later\n\nMore text.\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("bottom_footnotes"), "{}", run.stderr());
    let doc = t.html("p/index.html");
    assert_eq!(attrs(&doc, "section.footnotes > ol.footnotes-list > li", "id"), ["fn-a"]);
    assert_eq!(attrs(&doc, "li#fn-a p a", "href"), ["#fr-a-1", "#fr-a-2"]);
    assert_eq!(attrs(&doc, "sup.footnote-reference", "id"), ["fr-a-1", "fr-a-2"]);
    assert_eq!(count(&doc, ".footnote-definition"), 0);
    // The list comes after everything else on the page.
    let html = t.read("p/index.html");
    assert!(html.find("More text.").expect("text") < html.find("footnotes-list").expect("list"), "{html}");
}

#[test]
fn render_emoji_replaces_codes_in_prose_only() {
    let t = site("", "render_emoji = true");
    t.page("p.md", "title = \"P\"", "Well done :tada: at 10:30:00.\n\nWrite `:tada:` for it.\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("render_emoji"), "{}", run.stderr());
    let doc = t.html("p/index.html");
    assert_eq!(texts(&doc, "p")[0], "Well done 🎉 at 10:30:00.");
    assert_eq!(texts(&doc, "code"), [":tada:"]);
}
