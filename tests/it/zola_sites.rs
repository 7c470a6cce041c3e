//! Constructs found in real Zola sites beyond the six measured in
//! `zola_compat` (Zola's own documentation, docs and blog themes), each on a
//! small fixture of our own.

use crate::zola::zola_site;

const CONFIG: &str = "title = \"x\"\nbase_url = \"https://example.org\"\n";

#[test]
fn older_highlighting_keys_and_zola_theme_names_build_with_a_note() {
    let t = zola_site(&format!(
        "{CONFIG}\n[markdown]\n# pick any highlight_theme Zola has\nhighlight_code = true\nhighlight_theme = \"boron\"\nextra_syntaxes = []\n"
    ));
    t.page("a.md", "title = \"A\"", "```rust\nfn main() {}\n```\n");
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    assert!(err.contains("note[config/highlight-theme]"), "{err}");
    assert!(err.contains("`boron`"), "{err}");
    // At the key itself, not at the comment that mentions it.
    assert!(err.contains("--> config.toml:7:1"), "{err}");
    assert!(t.read("a/index.html").contains("hl-"), "code is highlighted");
}

#[test]
fn zola_keys_of_the_other_kind_of_file_are_warnings() {
    let t = zola_site(CONFIG);
    t.file("content/docs/_index.md", "+++\ntitle = \"Docs\"\ndate = 2021-05-01\nupdated = 2021-05-02\n+++\n");
    t.page("docs/a.md", "title = \"A\"\nsort_by = \"weight\"", "Text.\n");
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    for (key, at) in [
        ("date", "content/docs/_index.md:3:1"),
        ("updated", "content/docs/_index.md:4:1"),
        ("sort_by", "content/docs/a.md:3:1"),
    ] {
        assert!(err.contains(&format!("`{key}` is a")), "{key}:\n{err}");
        assert!(err.contains(&format!("--> {at}")), "{at}:\n{err}");
    }
    assert!(err.contains("warning[fm/ignored-key]"), "{err}");
    assert!(t.public("docs/a/index.html").is_file());
    // A key neither kind knows is still an error.
    t.page("docs/b.md", "title = \"B\"\nsort_bye = 1", "Text.\n");
    t.build().assert_error_at("fm/unknown-key", "content/docs/b.md:3:1");
}

#[test]
fn blank_lines_before_the_front_matter_are_allowed() {
    let t = zola_site(CONFIG);
    t.file("content/a.md", "\n\n+++\ntitle = \"Generated\"\n+++\nBody.\n");
    t.build().assert_ok();
    assert!(t.read("a/index.html").contains("<title>Generated</title>"));
}

#[test]
fn escaped_shortcodes_are_published_as_the_call_in_prose_and_code() {
    let t = zola_site(CONFIG);
    t.file("templates/shortcodes/note.html", "NOTE");
    t.page(
        "a.md",
        "title = \"A\"",
        "Write {{/* note(x=1) */}} inline.\n\n```\n{%/* note() */%}\nbody\n{%/* end */%}\n```\n\nAnd `{{/* note() */}}`; {{/* not a call */}} stays.\n",
    );
    t.build().assert_ok();
    let html = t.read("a/index.html");
    assert!(html.contains("Write {{ note(x=1) }} inline."), "{html}");
    assert!(html.contains("{% note() %}\nbody\n{% end %}"), "{html}");
    assert!(html.contains("<code>{{ note() }}</code>"), "{html}");
    assert!(html.contains("{{/* not a call */}}"), "{html}");
    assert!(!html.contains("NOTE"), "{html}");
}

#[test]
fn templates_find_sections_through_ancestors_and_read_older_config_names() {
    let t = zola_site(&format!("{CONFIG}generate_feeds = true\n"));
    t.file("content/book/_index.md", "+++\ntitle = \"Book\"\npaginate_by = 1\n+++\nThe book's own words.\n");
    t.page("book/one.md", "title = \"One\"", "First.\n");
    t.page("book/two.md", "title = \"Two\"", "Second.\n");
    t.file(
        "templates/page.html",
        "{% set parent = get_section(path=page.ancestors | reverse | first) %}\
         <title>{{ page.title }}</title>PARENT={{ parent.title }} CONTENT={{ parent.content | striptags | trim }} \
         DEPTH={{ parent.ancestors | length }} FEED={{ config.feed_filename }}",
    );
    t.file(
        "templates/section.html",
        "<title>{{ section.title }}</title>{% if paginator %}BASE={{ paginator.base_url | safe }}{% endif %}",
    );
    t.build().assert_ok();
    let page = t.read("book/one/index.html");
    assert!(page.contains("PARENT=Book"), "{page}");
    assert!(
        page.contains("CONTENT=The book&#x27;s own words.") || page.contains("CONTENT=The book's own words."),
        "{page}"
    );
    assert!(page.contains("DEPTH=1"), "{page}");
    assert!(page.contains("FEED=atom.xml"), "{page}");
    let section = t.read("book/index.html");
    assert!(section.contains("BASE=https://example.org/book/page/"), "{section}");
}

#[test]
fn internal_level_warn_turns_broken_links_into_warnings() {
    let t = zola_site(CONFIG);
    t.page("a.md", "title = \"A\"", "See [the licence](LICENSE) and [b](@/b.md).\n");
    // Zola doesn't check a plain path: a warning. It does check `@/`: an error.
    let run = t.build();
    assert!(run.stderr().contains("warning[link/broken]: link to a path"), "{}", run.stderr());
    run.assert_error_at("link/broken", "content/a.md:4:");
    t.file("config.toml", &format!("{CONFIG}\n[link_checker]\ninternal_level = \"warn\"\n"));
    let run = t.build();
    run.assert_ok();
    assert!(run.stderr().contains("warning[link/broken]"), "{}", run.stderr());
}

#[test]
fn a_taxonomy_page_takes_the_place_of_a_page_at_its_address_as_in_zola() {
    let t = zola_site(&format!("{CONFIG}taxonomies = [{{ name = \"authors\" }}]\n"));
    t.file("content/authors/_index.md", "+++\ntitle = \"Authors\"\n+++\nWho writes here.\n");
    t.page("authors/ada.md", "title = \"Ada's page\"", "About Ada.\n");
    t.page("posts.md", "title = \"Post\"\n[taxonomies]\nauthors = [\"Ada\"]", "Text.\n");
    t.file(
        "templates/authors/list.html",
        "<title>LIST</title>{% set s = get_section(path=\"authors/_index.md\") %}{{ s.content | safe }}",
    );
    t.file(
        "templates/authors/single.html",
        "<title>TERM {{ term.name }}</title>{% set p = get_page(path=\"authors/ada.md\") %}{{ p.title }}",
    );
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    assert!(err.contains("warning[output/taxonomy-page]"), "{err}");
    assert!(err.contains("--> content/authors/ada.md:1:1"), "{err}");
    assert!(err.contains("--> content/authors/_index.md:1:1"), "{err}");
    let list = t.read("authors/index.html");
    assert!(list.contains("<title>LIST</title>") && list.contains("Who writes here."), "{list}");
    let term = t.read("authors/ada/index.html");
    assert!(term.contains("<title>TERM Ada</title>") && term.contains("Ada"), "{term}");
}

#[test]
fn a_redirecting_section_needs_no_section_template() {
    let t = zola_site(CONFIG);
    std::fs::remove_file(t.root().join("templates/section.html")).expect("remove section.html");
    t.file("content/docs/_index.md", "+++\ntitle = \"Docs\"\nredirect_to = \"docs/start\"\n+++\n");
    t.page("docs/start.md", "title = \"Start\"", "Go.\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("template/missing"), "{}", run.stderr());
    assert!(t.read("docs/index.html").contains("<title>Redirect</title>"));
}
