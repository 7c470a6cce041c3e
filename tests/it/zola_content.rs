//! Zola's content and output features on small fixtures of our own:
//! `render = false`, `paginate_reversed` and `paginate_path`,
//! `ignored_content` and `ignored_static`, Sass and resized images kept in
//! the cache between builds, resized images named by their source's path,
//! and Attaché's own search index written only when the site asks for it.

use std::path::Path;

use crate::support::{SiteTest, attrs, texts};

/// A Zola-style site (no theme, templates in `templates/`) whose pages list
/// what a template sees: a section's `pages`, the paginator's links.
fn zola_site(config: &str) -> SiteTest {
    let t = SiteTest::new();
    std::fs::remove_dir_all(t.root().join("themes")).expect("no theme");
    t.file("config.toml", config);
    t.file(
        "templates/page.html",
        "<html><head><title>{{ page.title }}</title></head><body>{{ page.content | safe }}</body></html>",
    );
    let list = "<html><head><title>{{ section.title }}</title></head><body>\
        {% if paginator %}{% set list = paginator.pages %}{% else %}{% set list = section.pages %}{% endif %}\
        <ul class=pages>{% for p in list %}<li><a href=\"{{ p.path }}\">{{ p.title }}</a></li>{% endfor %}</ul>\
        {% if paginator %}<nav data-first=\"{{ paginator.first }}\" data-last=\"{{ paginator.last }}\" \
        data-prev=\"{{ paginator.previous | default(value='') }}\" data-next=\"{{ paginator.next | default(value='') }}\" \
        data-base=\"{{ paginator.base_url }}\" data-pagers=\"{{ paginator.number_pagers }}\" data-total=\"{{ paginator.total_pages }}\"></nav>{% endif %}\
        {% if section.relative_path == \"blog/_index.md\" %}{% set d = get_page(path=\"blog/data.md\") %}<p id=data>{{ d.title }}</p>{% endif %}\
        </body></html>";
    t.file("templates/index.html", list);
    t.file("templates/section.html", list);
    t
}

const CONFIG: &str = "title = \"x\"\nbase_url = \"https://example.org\"\n";

/// A blog of five dated posts (`p1` oldest) and a page of data.
fn blog(t: &SiteTest, section_front: &str) {
    t.page("blog/_index.md", &format!("title = \"Blog\"\n{section_front}"), "");
    for i in 1..=5 {
        t.page(&format!("blog/p{i}.md"), &format!("title = \"P{i}\"\ndate = 2025-01-0{i}"), "Text.\n");
    }
    t.page("blog/data.md", "title = \"Data\"\ndate = 2025-02-01\nrender = false", "Kept for get_page.\n");
}

#[test]
fn a_page_with_render_false_is_not_written_nor_listed_but_get_page_finds_it() {
    let t = zola_site(CONFIG);
    blog(&t, "");
    std::fs::create_dir_all(t.root().join("content/blog/bundle")).expect("mkdir");
    t.page("blog/bundle/index.md", "title = \"Bundle\"\nrender = false", "x\n");
    t.file("content/blog/bundle/photo.txt", "a co-located file");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("render"), "no warning about `render`: {}", run.stderr());
    assert!(!t.public("blog/data").exists(), "a page with render = false has no output");
    assert!(!t.public("blog/bundle").exists(), "nor do its co-located files");
    let blog = t.html("blog/index.html");
    assert_eq!(texts(&blog, "ul.pages a"), ["P5", "P4", "P3", "P2", "P1"]);
    assert_eq!(texts(&blog, "#data"), ["Data"]);
    let sitemap = t.read("sitemap.xml");
    assert!(sitemap.contains("/blog/p1/") && !sitemap.contains("/blog/data/"), "{sitemap}");
}

#[test]
fn a_section_with_render_false_writes_no_page_but_its_pages() {
    let t = zola_site(CONFIG);
    blog(&t, "render = false");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("render"), "no warning about `render`: {}", run.stderr());
    assert!(!t.public("blog/index.html").exists(), "the section has no page");
    assert!(t.public("blog/p3/index.html").is_file(), "its pages are written");
    assert!(!t.read("sitemap.xml").contains("<loc>https://example.org/blog/</loc>"));
}

#[test]
fn paginate_reversed_and_paginate_path_shape_the_pagers() {
    let t = zola_site(CONFIG);
    blog(&t, "paginate_by = 2\npaginate_reversed = true\npaginate_path = \"p\"");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("paginate"), "{}", run.stderr());
    let first = t.html("blog/index.html");
    assert_eq!(texts(&first, "ul.pages a"), ["P1", "P2"], "oldest first: the date order reversed");
    let nav = |doc: &scraper::Html, attr: &str| attrs(doc, "nav", attr).concat();
    assert_eq!(nav(&first, "data-first"), "https://example.org/blog/");
    assert_eq!(nav(&first, "data-next"), "https://example.org/blog/p/2/");
    assert_eq!(nav(&first, "data-last"), "https://example.org/blog/p/3/");
    assert_eq!(nav(&first, "data-base"), "https://example.org/blog/p/");
    assert_eq!(nav(&first, "data-pagers"), "3");
    assert_eq!(nav(&first, "data-total"), "5", "Zola's total_pages counts pages, not pagers");
    let second = t.html("blog/p/2/index.html");
    assert_eq!(texts(&second, "ul.pages a"), ["P3", "P4"]);
    assert_eq!(nav(&second, "data-prev"), "https://example.org/blog/");
    assert_eq!(texts(&t.html("blog/p/3/index.html"), "ul.pages a"), ["P5"]);
    assert!(t.read("blog/p/1/index.html").contains("https://example.org/blog/"), "p/1/ redirects to the list");
    assert!(!t.public("blog/page").exists(), "no pager at the default path");
}

#[test]
fn an_empty_paginate_path_numbers_pagers_right_below_the_section() {
    let t = zola_site(CONFIG);
    blog(&t, "paginate_by = 2\npaginate_path = \"\"");
    t.build().assert_ok();
    assert_eq!(texts(&t.html("blog/2/index.html"), "ul.pages a"), ["P3", "P2"]);
    assert!(t.public("blog/1/index.html").is_file());
}

#[test]
fn a_taxonomy_paginate_path_from_config() {
    let t = zola_site(&format!(
        "{CONFIG}taxonomies = [{{ name = \"tags\", paginate_by = 1, paginate_path = \"seite\" }}]\n"
    ));
    t.file("templates/taxonomy_list.html", "<html><head><title>t</title></head><body></body></html>");
    t.file(
        "templates/taxonomy_single.html",
        "<html><head><title>t</title></head><body><nav data-next=\"{{ paginator.next }}\"></nav></body></html>",
    );
    for i in 1..=2 {
        t.page(&format!("p{i}.md"), &format!("title = \"P{i}\"\n[taxonomies]\ntags = [\"Rust\"]"), "x\n");
    }
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("paginate_path"), "{}", run.stderr());
    assert!(t.public("tags/rust/seite/2/index.html").is_file());
    assert_eq!(attrs(&t.html("tags/rust/index.html"), "nav", "data-next"), ["https://example.org/tags/rust/seite/2/"]);
}

#[test]
fn an_unsafe_paginate_path_is_an_error_at_the_key() {
    let t = zola_site(CONFIG);
    blog(&t, "paginate_by = 2\npaginate_path = \"../up\"");
    t.build().assert_error_at("fm/invalid-value", "content/blog/_index.md:4:1");
}

#[test]
fn ignored_content_and_ignored_static_leave_matching_files_out() {
    let t = zola_site(&format!(
        "{CONFIG}ignored_content = [\"*.{{graphml,xlsx}}\", \"**/drafts\"]\nignored_static = [\"*.psd\", \"raw\"]\n"
    ));
    t.page("kept.md", "title = \"Kept\"", "x\n");
    t.page("drafts/wip.md", "title = \"WIP\"", "x\n");
    t.file("content/blog/plan.xlsx", "sheet");
    t.file("content/blog/notes.txt", "kept");
    t.file("static/logo.png", "png");
    t.file("static/art/logo.psd", "layers");
    t.file("static/raw/big.tif", "raw");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("ignored_"), "no warning: {}", run.stderr());
    assert!(t.public("kept/index.html").is_file());
    assert!(!t.public("drafts").exists(), "a matching directory is left out with its pages");
    assert!(!t.public("blog/plan.xlsx").exists());
    assert!(t.public("blog/notes.txt").is_file());
    assert!(t.public("logo.png").is_file());
    assert!(!t.public("art/logo.psd").exists(), "`*` crosses `/`, as in Zola");
    assert!(!t.public("raw").exists());
}

#[test]
fn an_invalid_ignore_glob_is_an_error_naming_the_key() {
    let t = zola_site(&format!("{CONFIG}ignored_content = [\"a[\"]\n"));
    let err = t.build().assert_error_at("config/invalid", "config.toml:3:");
    assert!(err.contains("`ignored_content`") && err.contains("`a[`"), "{err}");
}

/// Every file under `.attache-cache/` whose path contains `sub`, with its
/// modification time.
fn cache_entries(root: &Path, sub: &str) -> Vec<(String, std::time::SystemTime)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(root.join(".attache-cache"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().to_string_lossy().contains(sub))
        .map(|e| {
            let time = e.metadata().expect("metadata").modified().expect("mtime");
            (e.path().to_string_lossy().into_owned(), time)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn sass_and_resized_images_are_reused_from_the_cache() {
    let t = zola_site(&format!("{CONFIG}compile_sass = true\n"));
    t.file("sass/_vars.scss", "$accent: #c00;\n");
    t.file("sass/main.scss", "@use 'vars';\nbody { color: vars.$accent; }\n");
    let img = image::RgbImage::from_fn(64, 32, |x, y| image::Rgb([(x * 4) as u8, (y * 8) as u8, 90]));
    std::fs::create_dir_all(t.root().join("content/post")).expect("mkdir");
    img.save(t.root().join("content/post/photo.png")).expect("png");
    t.page("post/index.md", "title = \"Post\"", "x\n");
    t.file(
        "templates/page.html",
        "{% set r = resize_image(path=page.colocated_path ~ \"photo.png\", width=16, height=16, op=\"fill\") %}\
         <html><head><title>{{ page.title }}</title></head><body><img src=\"{{ r.url }}\"></body></html>",
    );
    t.build().assert_ok();
    let first = t.snapshot();
    let sass = cache_entries(&t.root(), "/sass/");
    let images = cache_entries(&t.root(), "/images/");
    assert_eq!((sass.len(), images.len()), (1, 1), "one Sass and one image entry: {sass:?} {images:?}");
    std::thread::sleep(std::time::Duration::from_millis(50));
    t.build().assert_ok();
    assert!(t.snapshot() == first, "the rebuild's output is byte-identical");
    assert_eq!(cache_entries(&t.root(), "/sass/"), sass, "Sass was not compiled again");
    assert_eq!(cache_entries(&t.root(), "/images/"), images, "the image was not encoded again");
    // A partial changes: compiled again, and the old entry is dropped.
    t.file("sass/_vars.scss", "$accent: #00c;\n");
    t.build().assert_ok();
    let css = t.read("main.css");
    assert!(css.contains("#00c") && !css.contains("#c00"), "{css}");
    let again = cache_entries(&t.root(), "/sass/");
    assert_eq!(again.len(), 1);
    assert_ne!(again[0].0, sass[0].0);
}

#[test]
fn one_image_copied_into_two_bundles_gives_two_resized_files() {
    let t = zola_site(CONFIG);
    let img = image::RgbImage::from_pixel(40, 20, image::Rgb([10, 200, 10]));
    for dir in ["a", "b"] {
        std::fs::create_dir_all(t.root().join(format!("content/{dir}"))).expect("mkdir");
        img.save(t.root().join(format!("content/{dir}/1.png"))).expect("png");
        t.page(&format!("{dir}/index.md"), &format!("title = \"{dir}\""), "x\n");
    }
    t.file(
        "templates/page.html",
        "{% set r = resize_image(path=page.colocated_path ~ \"1.png\", width=10, op=\"fit_width\") %}\
         <html><head><title>{{ page.title }}</title></head><body><img src=\"{{ r.url }}\"></body></html>",
    );
    t.build().assert_ok();
    let made: Vec<_> = std::fs::read_dir(t.public("processed_images")).expect("processed_images/").collect();
    assert_eq!(made.len(), 2, "as Zola: named by the source's path, not only its bytes");
}

#[test]
fn attache_search_index_only_when_the_site_asks() {
    let t = SiteTest::new();
    t.file("themes/plain/templates/search.html", "<html><head><title>Search</title></head><body></body></html>");
    t.page("a.md", "title = \"A\"", "Findable words.\n");
    t.file("config.toml", &crate::support::CONFIG.replace("site_search = true\n", ""));
    t.build().assert_ok();
    assert!(!t.public("search-index").exists(), "no search index unless asked");
    assert!(!t.public("search/index.html").exists(), "nor the built-in search page");
    t.file("config.toml", crate::support::CONFIG);
    t.build().assert_ok();
    assert!(t.public("search-index/en/meta.json").is_file());
    assert!(t.public("search/index.html").is_file());
}

#[test]
fn fingerprinted_copies_only_when_the_site_asks() {
    let t = SiteTest::new();
    t.file("static/style.css", "body { color: red; }\n");
    t.file("config.toml", &crate::support::CONFIG.replace("fingerprint_assets = true\n", ""));
    t.build().assert_ok();
    let hashed = |t: &SiteTest| {
        t.snapshot().into_keys().filter(|k| k.starts_with("style.") && k != "style.css").collect::<Vec<_>>()
    };
    assert!(t.public("style.css").is_file());
    assert_eq!(hashed(&t), Vec::<String>::new(), "no hashed copy unless asked");
    t.file("config.toml", crate::support::CONFIG);
    t.build().assert_ok();
    assert_eq!(hashed(&t).len(), 1, "{:?}", hashed(&t));
}
