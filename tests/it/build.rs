//! What a successful build produces, checked on parsed HTML and XML.

use crate::support::{SiteTest, attrs, snapshot, texts};

fn news_site() -> SiteTest {
    let t = SiteTest::new();
    t.page("europe/_index.md", "title = \"Europe\"\nsort_by = \"date\"", "Europe intro.\n");
    t.page("europe/black-sea/_index.md", "title = \"Black Sea\"\nsort_by = \"title\"", "");
    t.page(
        "europe/minsk.md",
        "title = \"The Minsk agreements\"\ndate = 2024-05-01\n[taxonomies]\ntopics = [\"Ceasefires\"]\ncountries = [\"Ukraine\", \"Belarus\"]",
        "Two ceasefire deals.\n\n<!-- more -->\n\n## Who signed?\n\nThe Trilateral Contact Group.\n\n### Minsk II\n\nSigned in 2015.\n",
    );
    t.page(
        "europe/osce.md",
        "title = \"The OSCE\"\ndate = 2023-01-10\n[taxonomies]\ntopics = [\"Ceasefires\", \"Institutions\"]\ncountries = [\"Ukraine\"]",
        "See [the deals](@/europe/minsk.md#who-signed) and [home](@/_index.md).\n",
    );
    t.page("europe/older.md", "title = \"An older piece\"\ndate = 2020-02-02", "Old.\n");
    t.page("europe/black-sea/grain.md", "title = \"Zebra grain\"\ndate = 2023-07-17", "Grain.\n");
    t.page("europe/black-sea/montreux.md", "title = \"Alpha Montreux\"\ndate = 2022-02-28", "Straits.\n");
    t
}

#[test]
fn sections_nest_and_list_their_pages_in_order() {
    let t = news_site();
    t.build().assert_ok();
    let europe = t.html("europe/index.html");
    assert_eq!(texts(&europe, "ul.pages a"), ["The Minsk agreements", "The OSCE", "An older piece"]);
    assert_eq!(texts(&europe, "ul.subsections a"), ["Black Sea"]);
    let sea = t.html("europe/black-sea/index.html");
    assert_eq!(texts(&sea, "ul.pages a"), ["Alpha Montreux", "Zebra grain"], "sort_by = title");
    assert_eq!(attrs(&sea, "ul.pages a", "href"), ["/europe/black-sea/montreux/", "/europe/black-sea/grain/"]);
    let home = t.html("index.html");
    assert_eq!(texts(&home, "ul.subsections a"), ["Europe"]);
    let minsk = t.html("europe/minsk/index.html");
    assert_eq!(texts(&minsk, "a.higher"), ["The OSCE"], "next page in section order");
}

#[test]
fn weight_order() {
    let t = SiteTest::new();
    t.page("g/_index.md", "title = \"G\"\nsort_by = \"weight\"", "");
    t.page("g/b.md", "title = \"B\"\nweight = 2", "");
    t.page("g/a.md", "title = \"A\"\nweight = 3", "");
    t.page("g/c.md", "title = \"C\"\nweight = 1", "");
    t.build().assert_ok();
    assert_eq!(texts(&t.html("g/index.html"), "ul.pages a"), ["C", "B", "A"]);
}

#[test]
fn headings_toc_summary_and_anchored_internal_links() {
    let t = news_site();
    t.build().assert_ok();
    let minsk = t.html("europe/minsk/index.html");
    assert_eq!(attrs(&minsk, "article h2", "id"), ["who-signed"]);
    assert_eq!(attrs(&minsk, "article h2 a.anchor", "href"), ["#who-signed"]);
    assert_eq!(texts(&minsk, "nav.toc a"), ["Who signed?", "Minsk II"]);
    assert_eq!(attrs(&minsk, "nav.toc a", "class"), ["toc-2", "toc-3"]);
    assert_eq!(texts(&minsk, "div.summary p"), ["Two ceasefire deals."]);
    let osce = t.html("europe/osce/index.html");
    assert_eq!(attrs(&osce, "article a", "href"), ["/europe/minsk/#who-signed", "/"]);
}

#[test]
fn pagination_pages_and_links() {
    let t = SiteTest::new();
    t.page("a/_index.md", "title = \"A\"\npaginate_by = 2\nsort_by = \"weight\"", "");
    for i in 1..=5 {
        t.page(&format!("a/p{i}.md"), &format!("title = \"P{i}\"\nweight = {i}"), "");
    }
    t.build().assert_ok();
    let first = t.html("a/index.html");
    assert_eq!(texts(&first, "ul.pages a"), ["P1", "P2"]);
    assert_eq!(attrs(&first, "nav.pager a[rel=next]", "href"), ["/a/page/2/"]);
    assert!(attrs(&first, "nav.pager a[rel=prev]", "href").is_empty());
    let second = t.html("a/page/2/index.html");
    assert_eq!(texts(&second, "ul.pages a"), ["P3", "P4"]);
    assert_eq!(attrs(&second, "nav.pager a[rel=prev]", "href"), ["/a/"]);
    let third = t.html("a/page/3/index.html");
    assert_eq!(texts(&third, "ul.pages a"), ["P5"]);
    assert_eq!(attrs(&third, "nav.pager", "data-total"), ["3"]);
    assert!(!t.public("a/page/4").exists());
}

#[test]
fn taxonomies_have_list_and_term_pages() {
    let t = news_site();
    t.build().assert_ok();
    let topics = t.html("topics/index.html");
    assert_eq!(texts(&topics, "ul.terms a"), ["Ceasefires", "Institutions"]);
    assert_eq!(attrs(&topics, "ul.terms li", "data-count"), ["2", "1"]);
    let cf = t.html("topics/ceasefires/index.html");
    assert_eq!(texts(&cf, "ul.pages a"), ["The Minsk agreements", "The OSCE"]);
    // countries paginate by 2 and have no feed.
    let ukraine = t.html("countries/ukraine/index.html");
    assert_eq!(texts(&ukraine, "ul.pages a").len(), 2);
    assert!(t.public("topics/ceasefires/atom.xml").exists());
    assert!(!t.public("countries/ukraine/atom.xml").exists());
    let minsk = t.html("europe/minsk/index.html");
    assert!(attrs(&minsk, "ul.terms a", "href").contains(&"/countries/belarus/".to_string()));
}

fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants()
        .filter(|n| n.tag_name().name() == tag)
        .map(|n| {
            if tag == "link" {
                n.attribute("href").unwrap_or("").to_string()
            } else {
                n.text().unwrap_or("").to_string()
            }
        })
        .collect()
}

#[test]
fn feeds_and_sitemap_are_xml_listing_every_published_page() {
    let t = news_site();
    t.page("europe/wip.md", "title = \"Unfinished\"\ndraft = true", "Draft.\n");
    t.build().assert_ok();
    let feed = t.read("atom.xml");
    let ids = xml_values(&feed, "id");
    for url in
        ["/europe/minsk/", "/europe/osce/", "/europe/older/", "/europe/black-sea/grain/", "/europe/black-sea/montreux/"]
    {
        assert!(ids.contains(&format!("https://example.org{url}")), "{url} missing from feed ids {ids:?}");
    }
    assert!(!feed.contains("Unfinished"));
    let titles = xml_values(&feed, "title");
    assert_eq!(titles[1], "The Minsk agreements", "newest first");
    let sitemap = t.read("sitemap.xml");
    let locs = xml_values(&sitemap, "loc");
    assert!(locs.contains(&"https://example.org/europe/black-sea/montreux/".to_string()));
    assert!(locs.contains(&"https://example.org/topics/ceasefires/".to_string()));
    assert!(!locs.iter().any(|l| l.contains("wip")));
    let section_feed = t.read("europe/atom.xml");
    assert_eq!(xml_values(&section_feed, "id").len(), 4, "feed id + three pages");
    assert!(t.read("robots.txt").contains("Sitemap: https://example.org/sitemap.xml"));
    assert!(t.public("404.html").exists());
}

#[test]
fn drafts_only_with_flag() {
    let t = news_site();
    t.page("europe/wip.md", "title = \"Unfinished\"\ndraft = true", "Draft.\n");
    t.build().assert_ok();
    assert!(!t.public("europe/wip/index.html").exists());
    assert!(!texts(&t.html("europe/index.html"), "ul.pages a").contains(&"Unfinished".to_string()));
    t.run(&["build", "--drafts"]).assert_ok();
    assert_eq!(texts(&t.html("europe/wip/index.html"), "h1.title"), ["Unfinished"]);
}

#[test]
fn code_is_highlighted_with_classes_and_stylesheet() {
    let t = SiteTest::new();
    t.page("code.md", "title = \"Code\"", "```json\n{\"sanctioned\": true}\n```\n");
    t.build().assert_ok();
    let doc = t.html("code/index.html");
    let classes = attrs(&doc, "pre.code span", "class");
    assert!(classes.iter().any(|c| c.starts_with("hl-")), "{classes:?}");
    assert_eq!(attrs(&doc, "pre.code", "data-lang"), ["json"]);
    assert!(t.read("highlight.css").contains(".hl-"));
}

#[test]
fn unknown_code_language_warns_but_builds_unless_denied() {
    let t = SiteTest::new();
    t.page("code.md", "title = \"Code\"", "Text.\n\n```klingon\nqapla'\n```\n");
    let run = t.build();
    run.assert_ok();
    assert!(run.stderr().contains("warning[code/unknown-language]"), "{}", run.stderr());
    assert!(run.stderr().contains("content/code.md:6:1"), "{}", run.stderr());
    let denied = t.run(&["build", "--deny", "warnings"]);
    assert_eq!(denied.code(), 1);
}

#[test]
fn aliases_redirect() {
    let t = news_site();
    t.page("moved.md", "title = \"Moved\"\naliases = [\"/old/path/\", \"legacy.html\"]", "");
    t.build().assert_ok();
    for alias in ["old/path/index.html", "legacy.html"] {
        let doc = t.html(alias);
        assert_eq!(attrs(&doc, "link[rel=canonical]", "href"), ["https://example.org/moved/"]);
        let refresh = attrs(&doc, "meta[http-equiv=refresh]", "content");
        assert_eq!(refresh, ["0; url=/moved/"], "root-relative: a local copy of the site stays local");
    }
}

#[test]
fn shortcodes_render_inline_and_with_body() {
    let t = SiteTest::new();
    t.page(
        "sc.md",
        "title = \"Shortcodes\"",
        "Talks in {{ flag(country=\"Belarus\") }} stalled.\n\n{% note(kind=\"warning\") %}\n**Bold** claim.\n{% end %}\n\nLiteral `{{ flag(country=\"x\") }}` stays.\n",
    );
    t.build().assert_ok();
    let doc = t.html("sc/index.html");
    assert_eq!(texts(&doc, "article span.flag"), ["Belarus"]);
    assert_eq!(attrs(&doc, "article aside.note", "data-kind"), ["warning"]);
    assert_eq!(texts(&doc, "article aside.note strong"), ["Bold"]);
    assert!(texts(&doc, "article code").contains(&"{{ flag(country=\"x\") }}".to_string()));
}

#[test]
fn page_bundles_copy_their_assets() {
    let t = SiteTest::new();
    t.page("maps/strait/index.md", "title = \"The strait\"", "![A map of the strait](map.svg)\n");
    t.file("content/maps/strait/map.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    t.file("static/robots-extra.txt", "x");
    t.build().assert_ok();
    assert!(t.public("maps/strait/map.svg").exists());
    assert_eq!(attrs(&t.html("maps/strait/index.html"), "article img", "src"), ["map.svg"]);
    assert!(t.public("style.css").exists(), "theme static copied");
    assert!(t.public("robots-extra.txt").exists(), "site static copied");
}

#[test]
fn site_static_wins_over_theme_static() {
    let t = SiteTest::new();
    t.file("static/style.css", "body { color: red; }");
    t.build().assert_ok();
    assert_eq!(t.read("style.css"), "body { color: red; }");
}

#[test]
fn site_templates_override_theme_templates() {
    let t = SiteTest::new();
    t.page("x.md", "title = \"X\"", "");
    t.file("templates/page.html", "<p class=\"custom\">{{ page.title }}</p>");
    t.build().assert_ok();
    assert_eq!(texts(&t.html("x/index.html"), "p.custom"), ["X"]);
}

#[test]
fn yaml_front_matter_works() {
    let t = SiteTest::new();
    t.file("content/y.md", "---\ntitle: From YAML\ndate: 2024-01-02\ntaxonomies:\n  topics: [Trade]\n---\nBody.\n");
    t.build().assert_ok();
    assert_eq!(texts(&t.html("y/index.html"), "h1.title"), ["From YAML"]);
    assert!(t.public("topics/trade/index.html").exists());
}

#[test]
fn builds_are_deterministic_and_drop_stale_files() {
    let t = news_site();
    t.build().assert_ok();
    let first = t.snapshot();
    std::fs::write(t.public("stale.html"), "left over").unwrap();
    t.build().assert_ok();
    assert_eq!(first, t.snapshot(), "same input, same bytes; stale file removed");
}

#[test]
fn base_url_with_sub_path() {
    let t = news_site();
    t.run(&["build", "--base-url", "https://example.org/sub/"]).assert_ok();
    let osce = t.html("europe/osce/index.html");
    assert_eq!(attrs(&osce, "article a", "href"), ["/sub/europe/minsk/#who-signed", "/sub/"]);
    assert_eq!(attrs(&osce, "link[rel=stylesheet]", "href"), ["/sub/style.css"]);
    assert!(t.read("sitemap.xml").contains("https://example.org/sub/europe/osce/"));
}

#[test]
fn output_dir_flag() {
    let t = news_site();
    t.run(&["build", "-o", "elsewhere"]).assert_ok();
    assert!(t.root().join("elsewhere/europe/minsk/index.html").exists());
    assert!(!t.root().join("public").exists());
}

#[test]
fn check_writes_nothing() {
    let t = news_site();
    let run = t.run(&["check"]);
    run.assert_ok();
    assert!(!t.root().join("public").exists());
}

#[test]
fn init_then_build() {
    let t = SiteTest::new();
    t.run(&["init", "newsite"]).assert_ok();
    let site = t.root().join("newsite");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(["build", "--root"])
        .arg(&site)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files = snapshot(&site.join("public"));
    assert!(files.contains_key("explainers/how-to-write/index.html"), "{:?}", files.keys().collect::<Vec<_>>());
    // Deploy files for GitHub Pages, Netlify and Cloudflare Pages, each valid and
    // publishing public/.
    let read = |p: &str| std::fs::read_to_string(site.join(p)).unwrap();
    let workflow: serde_yaml::Value = serde_yaml::from_str(&read(".github/workflows/pages.yml")).unwrap();
    let steps = format!("{:?}", workflow["jobs"]["build"]["steps"]);
    assert!(steps.contains("attache build") && steps.contains("upload-pages-artifact"), "{steps}");
    let netlify: toml::Table = read("netlify.toml").parse().unwrap();
    assert_eq!(netlify["build"]["publish"].as_str(), Some("public"));
    let wrangler: toml::Table = read("wrangler.toml").parse().unwrap();
    assert_eq!(wrangler["pages_build_output_dir"].as_str(), Some("public"));
    // The new site's own build output is ignored by git.
    assert!(read(".gitignore").contains("public/"));
    // init refuses to overwrite.
    assert_eq!(t.run(&["init", "newsite"]).code(), 2);
}
