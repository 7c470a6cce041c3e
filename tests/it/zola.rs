//! Zola sites: Zola's config keys (old names and new), `zola.toml`, Zola's
//! front matter and Sass, each on a small fixture of our own. The six real
//! themes are measured in `zola_compat`.

use crate::support::SiteTest;

/// A Zola-style site: no `theme` key, templates in `templates/`.
pub(crate) fn zola_site(config: &str) -> SiteTest {
    let t = SiteTest::new();
    std::fs::remove_dir_all(t.root().join("themes")).expect("no theme");
    t.file("config.toml", config);
    for name in ["index.html", "section.html", "page.html", "404.html"] {
        t.file(
            &format!("templates/{name}"),
            "<html><head><title>{% if page %}{{ page.title }}{% elif section %}{{ section.title }}{% else %}404{% endif %}</title></head>\
             <body>{% if page %}{{ page.content | safe }}{% elif section %}{{ section.content | safe }}{% endif %}</body></html>",
        );
    }
    for name in ["taxonomy_list.html", "taxonomy_single.html"] {
        t.file(&format!("templates/{name}"), "<html><head><title>t</title></head><body></body></html>");
    }
    t
}

#[test]
fn every_unknown_config_key_is_reported_in_one_run_with_a_suggestion() {
    let t = zola_site(
        "title = \"x\"\ngenerate_feedz = true\n\n[markdown]\nhighlight_cod = true\n\n[search]\nindex_fromat = \"elasticlunr_json\"\n",
    );
    let run = t.build();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let err = run.stderr();
    for (key, at, guess) in [
        ("generate_feedz", "config.toml:2:1", "generate_feed"),
        ("markdown.highlight_cod", "config.toml:5:1", "highlight_code"),
        ("search.index_fromat", "config.toml:8:1", "index_format"),
    ] {
        assert!(err.contains(&format!("unknown key `{key}`")), "{key}:\n{err}");
        assert!(err.contains(at), "{at}:\n{err}");
        assert!(err.contains(&format!("did you mean `{guess}`?")), "{guess}:\n{err}");
    }
    // In file order, not alphabetical.
    let a = err.find("generate_feedz").expect("first");
    let b = err.find("search.index_fromat").expect("last");
    assert!(a < b, "{err}");
}

#[test]
fn a_key_in_the_wrong_table_says_where_it_belongs() {
    let t = zola_site("title = \"x\"\nhighlight_code = true\n");
    let run = t.build();
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("`highlight_code` belongs in [markdown]"), "{}", run.stderr());
}

#[test]
fn zola_config_names_old_and_new_are_accepted() {
    let t = zola_site(
        r#"title = "Zola site"
base_url = "https://example.org"
generate_feeds = true
feed_filenames = ["atom.xml"]
compile_sass = false
build_search_index = false
author = "Someone"
ignored_content = []
minify_html = false
taxonomies = [{ name = "tags", feed = true, paginate_by = 5, rss = true }]

[markdown]
highlight_code = true
bottom_footnotes = false
github_alerts = false
render_emoji = false
insert_anchor_links = "none"

[link_checker]
skip_prefixes = ["https://example.com"]

[slugify]
paths = "on"
"#,
    );
    t.page("post.md", "title = \"Post\"\n[taxonomies]\ntags = [\"rust\"]", "Hello.\n");
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    assert!(t.public("post/index.html").is_file());
    assert!(t.public("tags/rust/index.html").is_file(), "{err}");
    // Zola ignores the unknown `rss` in a taxonomy entry: a warning, not an error.
    assert!(err.contains("unknown key `rss` in taxonomy `tags` is ignored"), "{err}");
    // `[link_checker]` applies to Attaché's own checks (see `zola_markdown`).
    assert!(!err.contains("link_checker"), "{err}");
    // `[slugify]` is implemented (see `slugify_paths_taxonomies_and_anchors_follow_zolas_rules`).
    assert!(!err.contains("`slugify` is accepted"), "{err}");
    // `insert_anchor_links = "none"` turns the heading anchors off.
    t.page("h.md", "title = \"H\"", "## Heading\n");
    t.build().assert_ok();
    assert!(!t.read("h/index.html").contains("href=\"#heading\""), "{}", t.read("h/index.html"));
}

#[test]
fn zola_old_names_work_too() {
    let t = zola_site("title = \"x\"\ngenerate_feed = true\nfeed_filename = \"atom.xml\"\n[taxonomies.tags]\n");
    t.build().assert_ok();
    assert!(t.public("atom.xml").is_file());
}

#[test]
fn unimplemented_keys_warn_with_their_line() {
    let t = zola_site(
        "title = \"x\"\nhard_link_static = true\ncompile_sass = false\n[markdown]\nlazy_async_image = true\n",
    );
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    assert!(err.contains("`hard_link_static` is accepted but not implemented yet"), "{err}");
    assert!(err.contains("config.toml:2:1"), "{err}");
    assert!(err.contains("`markdown.lazy_async_image` is accepted but not implemented yet"), "{err}");
    assert!(err.contains("config.toml:5:1"), "{err}");
}

#[test]
fn zola_toml_is_read_when_there_is_no_config_toml() {
    let t = zola_site("");
    std::fs::remove_file(t.root().join("config.toml")).expect("rm");
    t.file("zola.toml", "title = \"From zola.toml\"\nhard_link_static = true\n");
    let run = t.build();
    run.assert_ok();
    assert!(run.stderr().contains("zola.toml:2:1"), "{}", run.stderr());
    assert!(t.public("index.html").is_file());
}

#[test]
fn title_is_optional_unless_required() {
    let t = zola_site("title = \"x\"\n");
    t.page("untitled.md", "date = 2024-01-01", "No title here.\n");
    t.page("blog/_index.md", "sort_by = \"date\"", "");
    t.build().assert_ok();
    assert!(t.read("untitled/index.html").contains("No title here."));
    t.file("config.toml", "title = \"x\"\n[editorial]\nrequired_fields = [\"title\"]\n");
    let run = t.build();
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("error[fm/missing-title]"), "{}", run.stderr());
    assert!(run.stderr().contains("content/untitled.md:1:1"), "{}", run.stderr());
}

#[test]
fn date_comes_from_the_file_name_and_leaves_the_slug() {
    let t = zola_site("title = \"x\"\n");
    t.file("templates/page.html", "<html><body><p id=d>{{ page.date }}</p></body></html>");
    t.page("blog/2018-10-01-first-post.md", "title = \"First\"", "x\n");
    t.page("blog/2019-02-03_second_post.md", "title = \"Second\"\ndate = 2020-01-01", "x\n");
    t.page("blog/2018-13-01-not-a-date.md", "title = \"Third\"", "x\n");
    t.build().assert_ok();
    assert!(
        t.read("blog/first-post/index.html").contains("<p id=d>2018-10-01</p>"),
        "{}",
        t.read("blog/first-post/index.html")
    );
    // Front matter wins over the file name's date; the slug loses it either way.
    assert!(t.read("blog/second-post/index.html").contains("2020-01-01"));
    assert!(t.public("blog/2018-13-01-not-a-date/index.html").is_file());
    // The URL such a page had before the date left the slug still works: it
    // redirects to the new one (CHANGELOG: slug rule changes keep old URLs).
    let old = t.read("blog/2018-10-01-first-post/index.html");
    assert!(old.contains("url=/blog/first-post/"), "{old}");
    let old = t.read("blog/2019-02-03-second-post/index.html");
    assert!(old.contains("url=/blog/second-post/"), "{old}");
}

#[test]
fn an_old_dated_url_never_displaces_a_page_or_an_explicit_slug() {
    let t = zola_site("title = \"x\"\n");
    t.file("templates/page.html", "<html><body><h1>{{ page.title }}</h1></body></html>");
    t.page("blog/2018-10-01-post.md", "title = \"Dated\"", "x\n");
    t.page("blog/other.md", "title = \"Owner\"\nslug = \"2018-10-01-post\"", "x\n");
    t.page("blog/2018-10-02-kept.md", "title = \"Kept\"\nslug = \"my-slug\"", "x\n");
    t.build().assert_ok();
    assert!(t.read("blog/2018-10-01-post/index.html").contains("<h1>Owner</h1>"));
    assert!(t.read("blog/post/index.html").contains("<h1>Dated</h1>"));
    // An explicit slug was never the dated one: nothing to redirect.
    assert!(!t.public("blog/2018-10-02-kept/index.html").exists());
}

#[test]
fn a_url_the_slug_rules_moved_redirects_and_yields_to_any_other_output() {
    let t = zola_site("title = \"x\"\n");
    t.file("templates/page.html", "<html><body><h1>{{ page.title }}</h1></body></html>");
    // Zola's `on` rule transliterates; Attaché 0.1 kept the letters.
    t.page("countries/türkiye.md", "title = \"Türkiye\"", "x\n");
    // A static file at an old URL keeps it: no error, no redirect over it.
    t.page("blog/2018-10-03-held.md", "title = \"Held\"", "x\n");
    t.file("static/blog/2018-10-03-held/index.html", "<p>static</p>");
    t.build().assert_ok();
    assert!(t.read("countries/turkiye/index.html").contains("<h1>Türkiye</h1>"));
    let old = t.read("countries/türkiye/index.html");
    assert!(old.contains("url=/countries/turkiye/"), "{old}");
    assert_eq!(t.read("blog/2018-10-03-held/index.html"), "<p>static</p>");
    assert!(t.read("blog/held/index.html").contains("<h1>Held</h1>"));
}

#[test]
fn zola_front_matter_keys_are_accepted() {
    let t = zola_site("title = \"x\"\n");
    t.page("team.md", "title = \"Team\"\npath = \"about/our-team\"\nin_search_index = true\nrender = true", "x\n");
    t.page("hidden.md", "title = \"Hidden\"\nrender = false", "x\n");
    t.page(
        "docs/_index.md",
        "title = \"Docs\"\ntransparent = true\npaginate_reversed = false\ninsert_anchor_links = \"left\"\n\
         redirect_to = \"docs/start\"\ngenerate_feeds = true\nin_search_index = true",
        "",
    );
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    assert!(t.public("about/our-team/index.html").is_file());
    assert!(!t.public("team/index.html").exists());
    // `redirect_to` makes the section's page a redirect.
    let docs = t.read("docs/index.html");
    assert!(docs.contains("<title>Redirect</title>") && docs.contains("/docs/start"), "{docs}");
    // `render = false` is acted on (tests/it/zola_content.rs): no page, no warning.
    assert!(!err.contains("`render` is accepted but not implemented yet"), "{err}");
    assert!(!t.public("hidden/index.html").exists());
    // A `path` that climbs out of the site is refused at its line.
    t.page("bad.md", "title = \"Bad\"\npath = \"../outside\"", "x\n");
    let run = t.build();
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("content/bad.md:3:1"), "{}", run.stderr());
}

#[test]
fn sass_is_compiled_and_partials_are_skipped() {
    let t = zola_site("title = \"x\"\ncompile_sass = true\n");
    t.file("sass/_vars.scss", "$accent: #c00;\n");
    t.file("sass/main.scss", "@use 'vars';\nbody { a { color: vars.$accent; } }\n");
    t.file("sass/_partials/nav.scss", "nav { color: blue; }\n");
    t.file("sass/blog/print.sass", "body\n  margin: 0\n");
    t.build().assert_ok();
    let css = t.read("main.css");
    assert!(css.contains("body a") && css.contains("#c00"), "{css}");
    assert!(t.read("blog/print.css").contains("margin: 0"));
    assert!(!t.public("_vars.css").exists());
    assert!(!t.public("_partials/nav.css").exists());
    assert!(!t.public("main.scss").exists());
}

#[test]
fn sass_is_left_alone_unless_asked() {
    let t = zola_site("title = \"x\"\n");
    t.file("sass/main.scss", "body { color: red; }\n");
    t.build().assert_ok();
    assert!(!t.public("main.css").exists());
}

#[test]
fn a_sass_error_names_file_line_and_column() {
    let t = zola_site("title = \"x\"\ncompile_sass = true\n");
    t.file("sass/main.scss", "body {\n  color: red;\n  width: 1px +;\n}\n");
    let run = t.build();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let err = run.stderr();
    assert!(err.contains("error[sass/compile]"), "{err}");
    assert!(err.contains("--> sass/main.scss:3:"), "{err}");
}

#[test]
fn per_taxonomy_templates_and_zola_template_functions() {
    let t = zola_site("title = \"x\"\nbase_url = \"https://example.org\"\ntaxonomies = [{ name = \"tags\" }]\n");
    std::fs::remove_file(t.root().join("templates/taxonomy_list.html")).expect("rm");
    std::fs::remove_file(t.root().join("templates/taxonomy_single.html")).expect("rm");
    std::fs::remove_file(t.root().join("templates/404.html")).expect("rm");
    t.file(
        "templates/tags/list.html",
        "<h1>All tags</h1>{% for term in terms %}{{ term.name }}:{{ term.pages | length }} {% endfor %}",
    );
    t.file("templates/tags/single.html", "<h1>Tag {{ term.name }}</h1>");
    t.file(
        "templates/page.html",
        "<p id=lang>{{ lang }}</p><p id=tax>{{ get_taxonomy_url(kind=\"tags\", name=\"Rust\") | safe }}</p>\
         <p id=feeds>{{ config.feed_filenames | join(sep=\",\") }}</p>\
         {% set d = load_data(path=\"data/people.toml\") %}<p id=data>{{ d.people[0].name }}</p>\
         {% set c = load_data(path=\"data/table.csv\") %}<p id=csv>{{ c.records[0][1] }}</p>\
         {% set m = load_data(path=\"data/missing.json\", required=false) %}<p id=missing>{% if m %}present{% else %}absent{% endif %}</p>\
         {{ page.content | safe }}",
    );
    t.file("templates/shortcodes/logo.html", "<img src=\"{{ get_url(path='img/logo.png') | safe }}\">");
    t.file("data/people.toml", "[[people]]\nname = \"Ada\"\n");
    t.file("data/table.csv", "a,b\n1,\"two, too\"\n");
    t.page("post.md", "title = \"Post\"\n[taxonomies]\ntags = [\"Rust\"]", "{{ logo() }}\n");
    let run = t.build();
    run.assert_ok();
    assert!(t.read("tags/index.html").contains("All tags"));
    assert!(t.read("tags/index.html").contains("Rust:1"), "{}", t.read("tags/index.html"));
    assert!(t.read("tags/rust/index.html").contains("Tag Rust"));
    let page = t.read("post/index.html");
    for want in [
        "<p id=lang>en</p>",
        "<p id=tax>https://example.org/tags/rust/</p>",
        "<p id=feeds>atom.xml</p>",
        "<p id=data>Ada</p>",
        "<p id=csv>two, too</p>",
        "<p id=missing>absent</p>",
        // Zola's `get_url` gives a full URL.
        "src=\"https://example.org/img/logo.png\"",
    ] {
        assert!(page.contains(want), "{want}:\n{page}");
    }
    // No 404.html in the theme: Zola's built-in page.
    assert!(t.read("404.html").contains("<h1>404 Not Found</h1>"));
}

#[test]
fn load_data_stays_inside_the_site() {
    let t = zola_site("title = \"x\"\n");
    t.file("templates/page.html", "{{ load_data(path=\"../../etc/passwd\") }}");
    t.page("post.md", "title = \"Post\"", "x\n");
    let run = t.build();
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("is not a path inside the site"), "{}", run.stderr());
}

#[test]
fn images_are_measured_and_resized_into_processed_images() {
    let t = zola_site("title = \"x\"\nbase_url = \"https://example.org/sub\"\n");
    let img = image::RgbImage::from_pixel(40, 20, image::Rgb([200, 10, 10]));
    std::fs::create_dir_all(t.root().join("content/post")).expect("mkdir");
    img.save(t.root().join("content/post/photo.png")).expect("png");
    t.file("static/icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 12\"></svg>");
    t.page("post/index.md", "title = \"Post\"", "{{ thumb(src=\"photo.png\") }}\n");
    t.file(
        "templates/shortcodes/thumb.html",
        "{% set r = resize_image(path=page.colocated_path ~ src, width=10, height=10, op=\"fit\", format=\"webp\") %}\
         <img id=thumb src=\"{{ r.url | safe }}\" width=\"{{ r.width }}\" height=\"{{ r.height }}\">",
    );
    t.file(
        "templates/page.html",
        "{% set m = get_image_metadata(path=page.path ~ \"photo.png\") %}<p id=meta>{{ m.width }}x{{ m.height }}</p>\
         {% set s = get_image_metadata(path=\"icon.svg\") %}<p id=svg>{{ s.width }}x{{ s.height }}</p>\
         {{ page.content | safe }}",
    );
    let run = t.build();
    run.assert_ok();
    let page = t.read("post/index.html");
    assert!(page.contains("<p id=meta>40x20</p>"), "{page}");
    assert!(page.contains("<p id=svg>24x12</p>"), "{page}");
    assert!(page.contains("width=\"10\" height=\"5\""), "{page}");
    let out: Vec<String> = std::fs::read_dir(t.public("processed_images"))
        .expect("processed_images/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].starts_with("photo.") && out[0].ends_with(".webp"), "{out:?}");
    assert!(page.contains(&format!("https://example.org/sub/processed_images/{}", out[0])), "{page}");
    let made = image::open(t.public(&format!("processed_images/{}", out[0]))).expect("a real image");
    assert_eq!((made.width(), made.height()), (10, 5));
}

#[test]
fn a_section_without_section_html_gets_zolas_placeholder_page() {
    let t = zola_site("title = \"x\"\n");
    std::fs::remove_file(t.root().join("templates/section.html")).expect("rm");
    t.page("work/_index.md", "title = \"Work\"", "");
    t.page("work/one.md", "title = \"One\"", "x\n");
    let run = t.build();
    run.assert_ok();
    assert!(run.stderr().contains("the theme has no `section.html`"), "{}", run.stderr());
    assert!(run.stderr().contains("content/work/_index.md"), "{}", run.stderr());
    assert!(t.public("work/one/index.html").is_file());
    // Zola answers the section's URL with its "Welcome to Zola!" page.
    let placeholder = t.read("work/index.html");
    assert!(placeholder.contains("<title>Zola</title>"), "{placeholder}");
    assert!(placeholder.contains("<h1>Welcome to Zola!</h1>"), "{placeholder}");
}

#[test]
fn a_shortcode_body_loses_the_newlines_next_to_its_tags() {
    let t = zola_site("title = \"x\"\n");
    t.file("templates/shortcodes/wrap.html", "<span id=b>[{{ body }}]</span>");
    t.page("p.md", "title = \"P\"", "{% wrap() %}\ninside\n{% end %}\n");
    t.build().assert_ok();
    assert!(t.read("p/index.html").contains("<span id=b>[inside]</span>"), "{}", t.read("p/index.html"));
}

#[test]
fn a_transparent_section_passes_its_pages_up() {
    let t = zola_site("title = \"x\"\n");
    t.file("templates/section.html", "<ul>{% for p in section.pages %}<li>{{ p.title }}</li>{% endfor %}</ul>");
    t.page("blog/_index.md", "title = \"Blog\"", "");
    t.page("blog/a.md", "title = \"A\"\ndate = 2024-01-02", "x\n");
    t.page("blog/tech/_index.md", "title = \"Tech\"\ntransparent = true", "");
    t.page("blog/tech/b.md", "title = \"B\"\ndate = 2024-01-03", "x\n");
    t.page("blog/life/_index.md", "title = \"Life\"", "");
    t.page("blog/life/c.md", "title = \"C\"\ndate = 2024-01-04", "x\n");
    t.build().assert_ok();
    let blog = t.read("blog/index.html");
    assert!(blog.contains("<li>B</li><li>A</li>"), "{blog}");
    assert!(!blog.contains("<li>C</li>"), "{blog}");
    assert!(t.read("blog/tech/index.html").contains("<li>B</li>"));
}

#[test]
fn pages_have_zola_date_parts_for_grouping() {
    let t = zola_site("title = \"x\"\n");
    t.file(
        "templates/section.html",
        "{% for year, pages in section.pages | group_by(attribute=\"year\") %}<h2>{{ year }}:{{ pages | length }}</h2>{% endfor %}",
    );
    t.page("blog/_index.md", "title = \"Blog\"", "");
    t.page("blog/a.md", "title = \"A\"\ndate = 2024-03-05", "x\n");
    t.page("blog/b.md", "title = \"B\"\ndate = 2024-01-02", "x\n");
    t.page("blog/c.md", "title = \"C\"\ndate = 2023-12-31", "x\n");
    t.build().assert_ok();
    let blog = t.read("blog/index.html");
    assert!(blog.contains("<h2>2024:2</h2>") && blog.contains("<h2>2023:1</h2>"), "{blog}");
}

#[test]
fn feed_filenames_can_ask_for_rss_too() {
    let t = zola_site(
        "title = \"x\"\nbase_url = \"https://example.org\"\ngenerate_feeds = true\nfeed_filenames = [\"atom.xml\", \"rss.xml\"]\n\
         taxonomies = [{ name = \"tags\", feed = true }]\n",
    );
    t.page("post.md", "title = \"Post & more\"\ndate = 2024-05-01\n[taxonomies]\ntags = [\"Rust\"]", "Hello.\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("feed_filenames"), "{}", run.stderr());
    let rss = t.read("rss.xml");
    let doc = roxmltree::Document::parse(&rss).expect("well-formed RSS");
    assert_eq!(doc.root_element().tag_name().name(), "rss");
    assert!(rss.contains("<title>Post &amp; more</title>"), "{rss}");
    assert!(rss.contains("<link>https://example.org/post/</link>"), "{rss}");
    assert!(rss.contains("Wed, 1 May 2024 00:00:00 +0000"), "{rss}");
    assert!(t.public("atom.xml").is_file());
    assert!(t.public("tags/rust/rss.xml").is_file());
    assert!(t.public("tags/rust/atom.xml").is_file());
}

#[test]
fn heading_anchors_follow_insert_anchor_links_as_in_zola() {
    // The corrector's typography is its own switch; Markdown's is off.
    let t = zola_site("title = \"x\"\n[correct]\ntypography = false\n");
    t.page("plain.md", "title = \"Plain\"", "## One\n\nIt's \"quoted\" -- plain.\n");
    t.page("docs/_index.md", "title = \"Docs\"\ninsert_anchor_links = \"left\"", "## Intro\n");
    t.page("docs/a.md", "title = \"A\"", "## Two\n");
    t.page("wrapped/_index.md", "title = \"W\"\ninsert_anchor_links = \"heading\"", "");
    t.page("wrapped/b.md", "title = \"B\"", "## Three\n");
    t.build().assert_ok();
    // Zola's defaults: no anchor link, no smart punctuation.
    let plain = t.read("plain/index.html");
    assert!(plain.contains("<h2 id=\"one\">One</h2>"), "{plain}");
    assert!(plain.contains("It's \"quoted\" -- plain."), "{plain}");
    // A section's setting applies to it and its pages, with Zola's own link.
    let link =
        |id: &str| format!("<a class=\"zola-anchor\" href=\"#{id}\" aria-label=\"Anchor link for: {id}\">🔗</a>");
    let a = t.read("docs/a/index.html");
    assert!(a.contains(&format!("<h2 id=\"two\">{}Two</h2>", link("two"))), "{a}");
    let docs = t.read("docs/index.html");
    assert!(docs.contains(&format!("<h2 id=\"intro\">{}Intro</h2>", link("intro"))), "{docs}");
    // The theme's anchor-link.html, here wrapping the heading text.
    t.file("templates/anchor-link.html", "<a class=\"hl\" href=\"#{{ id }}\">¶{{ level }}</a>");
    t.build().assert_ok();
    let b = t.read("wrapped/b/index.html");
    assert!(b.contains("<h2 id=\"three\"><a class=\"hl\" href=\"#three\">Three</a></h2>"), "{b}");
    let a = t.read("docs/a/index.html");
    assert!(a.contains("<h2 id=\"two\"><a class=\"hl\" href=\"#two\">¶2</a>Two</h2>"), "{a}");
    // [markdown]'s setting for every other page.
    t.file(
        "config.toml",
        "title = \"x\"\n[markdown]\ninsert_anchor_links = \"right\"\n[correct]\ntypography = false\n",
    );
    t.build().assert_ok();
    let plain = t.read("plain/index.html");
    assert!(plain.contains("<h2 id=\"one\">One<a class=\"hl\" href=\"#one\">¶2</a></h2>"), "{plain}");
}

#[test]
fn feeds_are_off_unless_asked_as_in_zola() {
    let t = zola_site("title = \"x\"\n");
    t.page("news/_index.md", "title = \"News\"\ngenerate_feeds = true", "");
    t.page("news/a.md", "title = \"A\"\ndate = 2024-01-02", "x\n");
    t.page("docs/_index.md", "title = \"Docs\"", "");
    t.page("docs/b.md", "title = \"B\"\ndate = 2024-01-02", "x\n");
    t.build().assert_ok();
    assert!(!t.public("atom.xml").exists(), "no site feed unless generate_feeds");
    assert!(t.public("news/atom.xml").is_file(), "a section asking for its feed gets it");
    assert!(!t.public("docs/atom.xml").exists(), "other sections get none");
}

#[test]
fn translations_are_built_at_zola_paths() {
    let t = zola_site(
        "title = \"x\"\ndefault_language = \"en\"\ntaxonomies = [{ name = \"tags\" }]\n\n\
         [languages.fr]\ntitle = \"x fr\"\ngenerate_feeds = true\ntaxonomies = [{ name = \"tags\" }]\n",
    );
    t.file("templates/index.html", "<html><head><title>{{ lang }}</title></head><body>{% set r = get_section(path=\"blog/_index.md\", lang=lang) %}{{ r.title }}{% if section.subsections is containing(\"blog/_index.md\") %}+sub{% endif %}</body></html>");
    t.file(
        "templates/page.html",
        "<html><head><title>{{ page.title }}</title></head><body>{{ lang }}:{{ page.lang }}:{{ config.title }}</body></html>",
    );
    t.page("blog/_index.md", "title = \"Blog\"", "");
    t.page("blog/_index.fr.md", "title = \"Le blog\"", "");
    t.page("blog/post.md", "title = \"Post\"\ndate = 2024-01-01\n[taxonomies]\ntags = [\"a\"]", "x\n");
    t.page("blog/post.fr.md", "title = \"Billet\"\ndate = 2024-01-01\n[taxonomies]\ntags = [\"b\"]", "x\n");
    t.build().assert_ok();
    assert!(t.read("blog/post/index.html").contains("en:en:x<"), "{}", t.read("blog/post/index.html"));
    // `config.title` is the language's own, as in Zola.
    assert!(t.read("fr/blog/post/index.html").contains("fr:fr:x fr<"), "{}", t.read("fr/blog/post/index.html"));
    assert!(t.public("fr/blog/index.html").is_file());
    // Each language's home, and get_section(lang=) finds the translation.
    assert!(t.read("fr/index.html").contains("Le blog"), "{}", t.read("fr/index.html"));
    // Zola's `subsections is containing("blog/_index.md")`.
    assert!(t.read("index.html").contains("Blog+sub"), "{}", t.read("index.html"));
    // Taxonomies per language, and the language's own feed.
    assert!(t.public("tags/a/index.html").is_file());
    assert!(!t.public("tags/b/index.html").exists());
    assert!(t.public("fr/tags/b/index.html").is_file());
    assert!(t.public("fr/atom.xml").is_file());
    assert!(!t.public("blog/post-fr/index.html").exists());
}

#[test]
fn paginated_lists_redirect_from_page_1_even_when_short() {
    let t = zola_site("title = \"x\"\ntaxonomies = [{ name = \"tags\", paginate_by = 5 }]\n");
    t.file(
        "templates/section.html",
        "<html><head><title>s</title></head><body>{{ paginator.current_index }}</body></html>",
    );
    t.page("blog/_index.md", "title = \"Blog\"\npaginate_by = 5", "");
    t.page("blog/a.md", "title = \"A\"\n[taxonomies]\ntags = [\"t\"]", "x\n");
    t.build().assert_ok();
    for redirect in ["blog/page/1/index.html", "tags/t/page/1/index.html"] {
        let html = t.read(redirect);
        assert!(html.contains("<title>Redirect</title>"), "{redirect}: {html}");
    }
    assert!(
        t.read("blog/page/1/index.html").contains("https://example.org/blog/")
            || t.read("blog/page/1/index.html").contains("/blog/")
    );
}

#[test]
fn pages_with_the_same_date_are_ordered_by_path_as_in_zola() {
    let t = zola_site("title = \"x\"\n");
    t.file("templates/section.html", "<html><head><title>s</title></head><body>{% for p in section.pages %}[{{ p.title }}]{% endfor %}</body></html>");
    t.page("blog/_index.md", "title = \"Blog\"\nsort_by = \"date\"", "");
    t.page("blog/b.md", "title = \"Alpha\"\ndate = 2024-01-01", "x\n");
    t.page("blog/a.md", "title = \"Zulu\"\ndate = 2024-01-01", "x\n");
    t.build().assert_ok();
    assert!(t.read("blog/index.html").contains("[Zulu][Alpha]"), "{}", t.read("blog/index.html"));
}

#[test]
fn build_search_index_writes_zolas_index_files() {
    // Zola's default format: elasticlunr as JavaScript, with elasticlunr.min.js.
    let t = zola_site("title = \"x\"\nbase_url = \"https://example.org\"\nbuild_search_index = true\n");
    t.page("blog/_index.md", "title = \"Blog\"", "");
    t.page(
        "blog/post.md",
        "title = \"Sanctions explained\"",
        "Running the <b>numbers</b>.\n\n```\ncode not indexed\n```\n",
    );
    t.page("blog/secret.md", "title = \"Secret\"\nin_search_index = false", "x\n");
    t.build().assert_ok();
    let js = t.read("search_index.en.js");
    let json = js.strip_prefix("window.searchIndex = ").expect("Zola's JavaScript wrapper");
    let index: serde_json::Value = serde_json::from_str(json).expect("elasticlunr JSON");
    assert_eq!(index["fields"], serde_json::json!(["title", "body"]), "{index}");
    let doc = &index["documentStore"]["docs"]["https://example.org/blog/post/"];
    assert_eq!(doc["title"], "Sanctions explained", "{index}");
    assert_eq!(doc["body"], "Running the numbers.", "{index}");
    assert!(index["documentStore"]["docs"]["https://example.org/blog/secret/"].is_null(), "in_search_index = false");
    assert!(index["index"]["body"]["root"]["r"]["u"]["n"].is_object(), "stemmed tokens: {index}");
    let lunr = std::fs::read(t.public("elasticlunr.min.js")).expect("elasticlunr.min.js");
    assert!(lunr.starts_with(b"/**\n * elasticlunr"), "the vendored file, unmodified");

    // Fuse's JSON, with the fields [search] asks for.
    t.file(
        "config.toml",
        "title = \"x\"\nbase_url = \"https://example.org\"\nbuild_search_index = true\n[search]\nindex_format = \"fuse_json\"\ninclude_path = true\ninclude_content = false\n",
    );
    t.build().assert_ok();
    let fuse: serde_json::Value = serde_json::from_str(&t.read("search_index.en.json")).expect("fuse JSON");
    let post = fuse.as_array().and_then(|a| a.iter().find(|e| e["title"] == "Sanctions explained")).expect("post");
    assert_eq!(post["url"], "https://example.org/blog/post/");
    assert_eq!(post["path"], "/blog/post/");
    assert!(post.get("body").is_none(), "{post}");
    assert!(!t.public("elasticlunr.min.js").exists());
    assert!(!t.public("search_index.en.js").exists());
}

#[test]
fn zola_highlighting_stylesheets_are_written() {
    // Zola 0.22: class style with light and dark themes.
    let t = zola_site(
        "title = \"x\"\n[markdown.highlighting]\nstyle = \"class\"\nlight_theme = \"light-plus\"\ndark_theme = \"dark-plus\"\n",
    );
    t.page("code.md", "title = \"Code\"", "```rust\nfn main() {}\n```\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("markdown.highlighting"), "no warning for the class style:\n{}", run.stderr());
    for file in ["giallo-light.css", "giallo-dark.css"] {
        let css = t.read(file);
        assert!(css.contains(".hl-"), "{file} colours the classes code carries:\n{css}");
    }
    assert_ne!(t.read("giallo-light.css"), t.read("giallo-dark.css"));
    // Zola ≤ 0.21: highlight_theme = "css" with highlight_themes_css.
    t.file(
        "config.toml",
        "title = \"x\"\n[markdown]\nhighlight_theme = \"css\"\nhighlight_themes_css = [{ theme = \"base16-ocean.dark\", filename = \"syntax-theme-dark.css\" }]\n",
    );
    t.build().assert_ok();
    assert!(t.read("syntax-theme-dark.css").contains(".hl-"));
}

#[test]
fn github_alerts_and_external_links_class_as_in_zola() {
    let t = zola_site(
        "title = \"x\"\n[markdown]\ngithub_alerts = true\nexternal_links_class = \"ext\"\n[correct]\nenabled = false\n",
    );
    t.page("p.md", "title = \"P\"", "> [!NOTE]\n> Read this.\n\nSee [Zola](https://www.getzola.org).\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("github_alerts"), "{}", run.stderr());
    let html = t.read("p/index.html");
    assert!(html.contains("<blockquote class=\"markdown-alert-note\">"), "{html}");
    assert!(!html.contains("[!NOTE]"), "{html}");
    assert!(html.contains("<a href=\"https://www.getzola.org\" class=\"ext\">Zola</a>"), "{html}");
}

#[test]
fn terms_written_two_ways_are_merged_as_zola_merges_them() {
    let t = zola_site("title = \"x\"\ntaxonomies = [{ name = \"tags\" }]\n");
    t.file(
        "templates/taxonomy_single.html",
        "<html><head><title>{{ term.name }}</title></head><body>{% for p in term.pages %}[{{ p.title }}]{% endfor %}</body></html>",
    );
    t.page("old.md", "title = \"Old\"\ndate = 2020-01-01\n[taxonomies]\ntags = [\"Rust\"]", "x\n");
    t.page("new.md", "title = \"New\"\ndate = 2024-01-01\n[taxonomies]\ntags = [\"rust\"]", "x\n");
    t.build().assert_ok();
    // `Rust` names the term, and its pages come before `rust`'s.
    let html = t.read("tags/rust/index.html");
    assert!(html.contains("<title>Rust</title>") && html.contains("[Old][New]"), "{html}");
}

/// Zola's `[slugify]`: `on` (the default) transliterates, `safe` keeps Unicode
/// and drops only what a path cannot hold, `off` keeps the text as written;
/// a section directory keeps its `_` under every rule.
#[test]
fn slugify_paths_taxonomies_and_anchors_follow_zolas_rules() {
    let cases = [
        ("on", "my_notes/hehe-page/index.html", "tags/bian-cheng/index.html", "id=\"hello-world-x\""),
        ("safe", "my_notes/Héhé Page/index.html", "tags/编程/index.html", "id=\"Héllo_Wörld_(x)\""),
        ("off", "my_notes/Héhé: Page/index.html", "tags/编程/index.html", "id=\"Héllo_Wörld_(x)\""),
    ];
    for (rule, page, term, anchor) in cases {
        let t = zola_site(&format!(
            "title = \"x\"\ntaxonomies = [{{ name = \"tags\" }}]\n[slugify]\npaths = \"{rule}\"\ntaxonomies = \"{rule}\"\nanchors = \"{rule}\"\n"
        ));
        t.page("my_notes/_index.md", "title = \"Notes\"", "");
        t.page(
            "my_notes/Héhé: Page.md",
            "title = \"P\"\n[taxonomies]\ntags = [\"编程\"]",
            "## Héllo Wörld (x)\n\nText.\n",
        );
        let run = t.build();
        run.assert_ok();
        assert!(!run.stderr().contains("slugify"), "{rule}: {}", run.stderr());
        assert!(t.public(page).is_file(), "{rule}: no {page}");
        assert!(t.public(term).is_file(), "{rule}: no {term}");
        assert!(t.read(page).contains(anchor), "{rule}: {}", t.read(page));
    }
}
