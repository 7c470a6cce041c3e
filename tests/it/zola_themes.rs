//! Constructs real Zola themes rely on (found building tabi, serene and
//! abridge), each reproduced on a small fixture of our own.

use crate::support::SiteTest;

/// A Zola-style site: templates in `templates/`, each printing `body` (a
/// Tera snippet) for pages and sections alike.
fn zola_site(config: &str, body: &str) -> SiteTest {
    let t = SiteTest::new();
    std::fs::remove_dir_all(t.root().join("themes")).expect("no theme");
    t.file("config.toml", config);
    for name in ["index.html", "section.html", "page.html"] {
        t.file(&format!("templates/{name}"), &format!("<html><head><title>t</title></head><body>{body}</body></html>"));
    }
    t
}

const CONFIG: &str = "title = \"x\"\nbase_url = \"https://example.org\"\n";

#[test]
fn a_shortcode_call_zola_cannot_parse_is_published_as_text() {
    let t = zola_site(CONFIG, "{% if page %}{{ page.content | safe }}{% endif %}");
    t.file("templates/shortcodes/pic.html", "<img src=\"{{ src }}\">");
    t.page("blog/a.md", "title = \"A\"", "Before.\n\n{{ pic(src=\"a.png\" alt=\"no comma\") }}\n\nAfter.\n");
    let run = t.build();
    run.assert_ok();
    let html = t.read("blog/a/index.html");
    assert!(html.contains("pic(src="), "{html}");
    assert!(html.contains("After."), "{html}");
    let err = run.stderr();
    assert!(err.contains("warning[shortcode/invalid-args]"), "{err}");
    assert!(err.contains("content/blog/a.md:6:1"), "{err}");
}

#[test]
fn base64_filters_encode_and_decode() {
    let t = zola_site(
        CONFIG,
        "[{{ \"me@example.org\" | base64_encode }}] [{{ \"bWVAZXhhbXBsZS5vcmc=\" | base64_decode }}]",
    );
    t.build().assert_ok();
    let html = t.read("index.html");
    assert!(html.contains("[bWVAZXhhbXBsZS5vcmc=] [me@example.org]"), "{html}");
}

#[test]
fn paths_leave_out_the_base_path_as_in_zola() {
    let t = zola_site(
        "title = \"x\"\nbase_url = \"https://example.org/sub\"\n",
        "{% if page %}[{{ page.path | safe }}|{{ current_path | safe }}|{{ page.permalink | safe }}]{% endif %}",
    );
    t.page("blog/_index.md", "title = \"Blog\"", "");
    t.page("blog/post.md", "title = \"P\"", "Text.\n");
    t.build().assert_ok();
    let html = t.read("blog/post/index.html");
    assert!(html.contains("[/blog/post/|/blog/post/|https://example.org/sub/blog/post/]"), "{html}");
}

#[test]
fn an_ancestor_leads_get_section_to_the_parent_section() {
    let t = zola_site(
        CONFIG,
        "{% if page %}{% set a = page.ancestors | last %}{% set s = get_section(path=a, metadata_only=true) %}[{{ s.title }}]{% endif %}",
    );
    t.page("blog/_index.md", "title = \"The Blog\"", "");
    t.page("blog/post.md", "title = \"P\"", "Text.\n");
    t.build().assert_ok();
    assert!(t.read("blog/post/index.html").contains("[The Blog]"));
}

#[test]
fn a_translated_index_page_has_its_colocated_path_and_its_own_path() {
    let t = zola_site(
        "title = \"x\"\nbase_url = \"https://example.org\"\n\n[languages.fr]\ntitle = \"x\"\n",
        "{% if page %}[{{ page.colocated_path | safe }}]{% endif %}",
    );
    t.page("blog/_index.md", "title = \"Blog\"", "");
    t.page("blog/_index.fr.md", "title = \"Blogue\"", "");
    t.page("blog/post/index.fr.md", "title = \"P\"", "Texte.\n");
    t.page("pages/about/index.fr.md", "title = \"A\"\npath = \"/fr/a-propos\"", "Texte.\n");
    t.build().assert_ok();
    assert!(t.read("fr/blog/post/index.html").contains("[blog/post/]"));
    // Zola takes `path` as written: no second language prefix.
    assert!(t.public("fr/a-propos/index.html").is_file());
    assert!(!t.public("fr/fr/a-propos/index.html").exists());
}

#[test]
fn a_theme_s_static_files_are_found_by_load_data_and_image_functions() {
    let t = zola_site("title = \"x\"\nbase_url = \"https://example.org\"\ntheme = \"t\"\n", "");
    t.file("themes/t/templates/index.html", "<html><head><title>t</title></head><body>{{ load_data(path=\"icon/dot.svg\") | safe }}|{% set m = get_image_metadata(path=\"icon/dot.svg\") %}{{ m.width }}</body></html>");
    t.file(
        "themes/t/static/icon/dot.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"18\" height=\"18\"></svg>",
    );
    std::fs::remove_file(t.root().join("templates/index.html")).expect("theme's own");
    t.build().assert_ok();
    let html = t.read("index.html");
    assert!(html.contains("width=\"18\" height=\"18\"></svg>|18"), "{html}");
}

#[test]
fn a_home_page_with_its_own_template_needs_no_index_html() {
    let t = zola_site(CONFIG, "");
    std::fs::remove_file(t.root().join("templates/index.html")).expect("remove");
    t.file("templates/home.html", "<html><head><title>t</title></head><body>HOME</body></html>");
    t.file("content/_index.md", "+++\ntemplate = \"home.html\"\n+++\n");
    t.build().assert_ok();
    assert!(t.read("index.html").contains("HOME"));
}

#[test]
fn a_shortcode_in_a_section_sees_the_section() {
    let t = zola_site(CONFIG, "{% if section %}{{ section.content | safe }}{% endif %}");
    t.file("templates/shortcodes/where.html", "[{{ section.path | safe }}]");
    t.page("projects/_index.md", "title = \"Projects\"", "{{ where() }}\n");
    t.build().assert_ok();
    assert!(t.read("projects/index.html").contains("[/projects/]"));
}

#[test]
fn get_hash_and_cachebust_hash_the_file() {
    let t = zola_site(
        CONFIG,
        "[{{ get_hash(path=\"app.js\", sha_type=256, base64=false) }}] [{{ get_hash(literal=\"x\") }}] [{{ get_url(path=\"app.js\", cachebust=true) | safe }}]",
    );
    t.file("static/app.js", "x");
    t.build().assert_ok();
    let html = t.read("index.html");
    assert!(html.contains("[2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881]"), "{html}");
    assert!(html.contains("[11LCxR+6DimqGQVwqdQlPkQHegWNMpf6OlYw1b0BJiL5fCisrtMTtcg7uZDKp9qF]"), "{html}");
    assert!(html.contains("app.js?h=2d711642b726b0440162]"), "{html}");
}

#[test]
fn cachebust_and_get_hash_see_the_stylesheet_compiled_from_sass() {
    let t = zola_site(
        "title = \"x\"\nbase_url = \"https://example.org\"\ncompile_sass = true\n",
        "[{{ get_url(path=\"site.css\", cachebust=true) | safe }}] [{{ get_hash(path=\"site.css\") | length }}]",
    );
    t.file("sass/site.scss", "$c: red;\nbody { color: $c; }\n");
    t.build().assert_ok();
    let html = t.read("index.html");
    assert!(html.contains("site.css?h="), "{html}");
    // A SHA-384 in Base64 is 64 characters.
    assert!(html.contains("[64]"), "{html}");
}

#[test]
fn the_paginator_has_zola_s_base_url() {
    let t = zola_site(CONFIG, "{% if paginator %}[{{ paginator.base_url | safe }}]{% endif %}");
    t.page("blog/_index.md", "title = \"Blog\"\npaginate_by = 1", "");
    t.page("blog/a.md", "title = \"A\"\ndate = 2024-01-01", "A.\n");
    t.page("blog/b.md", "title = \"B\"\ndate = 2024-01-02", "B.\n");
    t.build().assert_ok();
    assert!(t.read("blog/index.html").contains("[https://example.org/blog/page/]"));
}
