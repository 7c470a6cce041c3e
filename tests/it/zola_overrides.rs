//! Zola lets a site or its theme override the generated files with templates
//! of their names: `robots.txt`, `sitemap.xml` and each feed file (issue 15).

use crate::zola::zola_site;

const CONFIG: &str = "title = \"Site\"\nbase_url = \"https://example.org\"\ntheme = \"t\"\n\
generate_feeds = true\nfeed_filenames = [\"atom.xml\", \"feed.xml\"]\n\n\
[taxonomies]\n# none\n";

/// A site whose theme overrides every generated file, and whose own
/// `templates/robots.txt` overrides the theme's.
fn site() -> crate::support::SiteTest {
    let t = zola_site(CONFIG);
    t.file("themes/t/templates/robots.txt", "THEME ROBOTS");
    t.file("templates/robots.txt", "User-agent: bot\nSitemap: {{ config.base_url }}/sitemap.xml\n");
    t.file(
        "themes/t/templates/sitemap.xml",
        "<urls>{% for e in entries %}<u p=\"{{ e.permalink | safe }}\" d=\"{{ e.updated | default(value='-') }}\"/>{% endfor %}</urls>",
    );
    t.file(
        "themes/t/templates/atom.xml",
        "<atom lang=\"{{ lang }}\" self=\"{{ feed_url | safe }}\" up=\"{{ last_updated }}\">\
         {% for p in pages %}<e n=\"{{ p.word_count }}\">{{ p.title }}</e>{% endfor %}</atom>",
    );
    t.file(
        "themes/t/templates/feed.xml",
        "<custom self=\"{{ feed_url | safe }}\" title=\"{{ config.title }}\">{% for p in pages %}<i a=\"{{ p.ancestors | length }}\">{{ p.permalink | safe }}</i>{{ p.content | safe }}{% endfor %}</custom>",
    );
    t.page("old.md", "title = \"Old\"\ndate = 2020-01-01", "Old.\n");
    t.page("new.md", "title = \"New\"\ndate = 2021-06-01", "New.\n");
    t
}

#[test]
fn robots_sitemap_and_feeds_are_rendered_through_templates_of_their_names() {
    let t = site();
    let run = t.build();
    run.assert_ok();
    // `feed.xml` has a template: not the warning about custom feed names.
    assert!(!run.stderr().contains("feed_filenames"), "{}", run.stderr());
    assert_eq!(t.read("robots.txt"), "User-agent: bot\nSitemap: https://example.org/sitemap.xml\n");
    let sitemap = t.read("sitemap.xml");
    assert!(sitemap.starts_with("<urls>"), "{sitemap}");
    assert!(sitemap.contains("<u p=\"https://example.org/new/\" d=\"2021-06-01\"/>"), "{sitemap}");
    assert!(sitemap.contains("<u p=\"https://example.org/\" d=\"-\"/>"), "{sitemap}");
    assert_eq!(
        t.read("atom.xml"),
        "<atom lang=\"en\" self=\"https://example.org/atom.xml\" up=\"2021-06-01\"><e n=\"1\">New</e><e n=\"1\">Old</e></atom>"
    );
    // Each page as its own template sees it, ancestors included (tabi's
    // feed passes every page to a macro that reads them).
    assert_eq!(
        t.read("feed.xml"),
        "<custom self=\"https://example.org/feed.xml\" title=\"Site\">\
         <i a=\"1\">https://example.org/new/</i><p>New.</p>\n<i a=\"1\">https://example.org/old/</i><p>Old.</p>\n</custom>"
    );
}

#[test]
fn without_templates_the_built_in_files_are_written_and_a_custom_feed_name_is_not() {
    let t = zola_site(&CONFIG.replace("theme = \"t\"\n", ""));
    t.page("a.md", "title = \"A\"\ndate = 2020-01-01", "A.\n");
    let run = t.build();
    run.assert_ok();
    assert!(run.stderr().contains("warning[config/unimplemented]: `feed_filenames`"), "{}", run.stderr());
    assert!(t.read("robots.txt").starts_with("User-agent: *\n"));
    assert!(t.read("sitemap.xml").contains("<urlset"));
    assert!(t.read("atom.xml").contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert!(!t.public("feed.xml").exists());
}

#[test]
fn an_error_in_a_feed_template_names_the_template() {
    let t = site();
    t.file("themes/t/templates/feed.xml", "{{ pages[0].nothing_here }}");
    let run = t.build();
    let err = run.stderr();
    assert_ne!(run.code(), 0, "{err}");
    assert!(err.contains("themes/t/templates/feed.xml"), "{err}");
}

#[test]
fn a_template_rendered_feed_follows_a_page_edit_while_watching() {
    let t = site();
    let w = crate::support::Running::start(&t.root(), &["build", "--watch"]);
    w.wait_for(&["Watching"]);
    assert!(t.read("feed.xml").contains("example.org/new/"));
    w.drain();
    // A body edit takes the fast path, which re-renders only the feeds listing the page.
    t.page("new.md", "title = \"New\"\ndate = 2021-06-01", "New, edited with more words.\n");
    w.wait_for(&["Rebuilt"]);
    assert_eq!(
        t.read("atom.xml"),
        "<atom lang=\"en\" self=\"https://example.org/atom.xml\" up=\"2021-06-01\"><e n=\"5\">New</e><e n=\"1\">Old</e></atom>"
    );
    let watched = t.snapshot();
    drop(w);
    t.build().assert_ok();
    assert_eq!(watched, t.snapshot(), "the watched output equals a full build");
}
