//! The default theme as `attache init` scaffolds it: search, fingerprinted
//! assets, sub-path deploys, the deploy files, and `attache deploy`.

use std::process::Command;

use crate::support::{SiteTest, attrs, snapshot};

/// A fresh `attache init` site with a second article.
fn init_site() -> SiteTest {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_attache")).arg("init").arg(dir.path()).output().expect("run attache");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t = SiteTest { dir };
    t.page(
        "explainers/veto.md",
        "title = \"The Security Council veto\"\ndescription = \"Five permanent members, one power.\"\ndate = 2026-02-01\n[taxonomies]\ntopics = [\"United Nations\"]",
        "Any of the five permanent members can block a resolution.\n\n## Who holds it\n\nChina, France, Russia, the United Kingdom and the United States.\n",
    );
    t
}

#[test]
fn search_index_lists_every_article_with_section_date_and_body_words() {
    let t = init_site();
    t.build().assert_ok();
    let files = crate::support::snapshot(&t.public("search-index/en"));
    let records: String =
        files.iter().filter(|(k, _)| k.starts_with("d/")).map(|(_, v)| String::from_utf8_lossy(v)).collect();
    assert!(
        records.contains(r#"["/explainers/veto/","The Security Council veto","Explainers","2026-02-01","Five permanent members, one power."]"#),
        "{records}"
    );
    let terms: String =
        files.iter().filter(|(k, _)| k.starts_with("t/")).map(|(_, v)| String::from_utf8_lossy(v)).collect();
    for word in ["\"resolution\":", "\"holds\":", "\"permanent\":"] {
        assert!(terms.contains(word), "{word} is not indexed");
    }
    let search = t.html("search/index.html");
    assert_eq!(attrs(&search, "#search-form", "data-index"), ["/search-index/en/meta.json"]);
    assert_eq!(attrs(&search, "script[defer]", "src").len(), 1);
    let scripts = attrs(&t.html("index.html"), "script[src]", "src");
    assert!(scripts.iter().all(|s| !s.contains("search")), "search.js is loaded only on the search page: {scripts:?}");
}

#[test]
fn stylesheets_and_scripts_are_fingerprinted_and_change_name_with_content() {
    let t = init_site();
    t.build().assert_ok();
    let home = t.html("index.html");
    let css = attrs(&home, "link[rel=stylesheet]", "href");
    assert_eq!(css.len(), 1, "no code on the page, so no syntax palette: {css:?}");
    let style = &css[0];
    assert!(style.starts_with("/style.") && style.len() == "/style.0123456789.css".len(), "{style}");
    let served = std::fs::read_to_string(t.public(style.trim_start_matches('/'))).expect("fingerprinted file exists");
    let source = std::fs::read_to_string(t.public("style.css")).unwrap();
    assert!(served.len() < source.len() * 9 / 10, "the fingerprinted copy is minified");
    assert!(!served.contains("/*") && served.contains(".search-results"));
    let mut changed = source;
    changed.push_str("\n.x { color: red; }\n");
    t.file("static/style.css", &changed);
    t.build().assert_ok();
    let again = attrs(&t.html("index.html"), "link[rel=stylesheet]", "href");
    assert!(!again.contains(style), "a changed stylesheet keeps its URL: {again:?}");
}

#[test]
fn a_sub_path_build_prefixes_every_internal_url() {
    let t = init_site();
    t.run(&["build", "--base-url", "https://example.org/sub/"]).assert_ok();
    for page in ["index.html", "explainers/veto/index.html", "search/index.html", "404.html", "topics/index.html"] {
        let doc = t.html(page);
        let urls =
            [attrs(&doc, "[href]", "href"), attrs(&doc, "[src]", "src"), attrs(&doc, "[data-index]", "data-index")]
                .concat();
        for u in urls {
            let internal = u.starts_with('/') || u.starts_with("https://example.org");
            let ok = u.starts_with("/sub/") || u.starts_with("https://example.org/sub/") || u.starts_with('#');
            assert!(!internal || ok, "{page}: `{u}` is outside /sub/");
        }
    }
    let index = crate::support::search_text(&t.public(""));
    assert!(index.contains("\"/sub/explainers/veto/\""), "search URLs carry the sub-path");
    assert!(t.read("sitemap.xml").contains("https://example.org/sub/explainers/veto/"));
}

#[test]
fn init_writes_deploy_files_for_three_hosts() {
    let t = init_site();
    let root = t.root();
    let workflow = std::fs::read_to_string(root.join(".github/workflows/pages.yml")).expect("workflow");
    assert!(workflow.contains("attache build") && workflow.contains("actions/deploy-pages"));
    let netlify: toml::Table = std::fs::read_to_string(root.join("netlify.toml")).unwrap().parse().expect("TOML");
    assert_eq!(netlify["build"]["publish"].as_str(), Some("public"));
    let wrangler: toml::Table = std::fs::read_to_string(root.join("wrangler.toml")).unwrap().parse().expect("TOML");
    assert_eq!(wrangler["pages_build_output_dir"].as_str(), Some("public"));
}

#[test]
fn deploy_to_a_directory_copies_changes_and_removes_stale_files() {
    let t = init_site();
    let dest = t.root().join("dest");
    let first = t.run(&["deploy", "--to", "dest"]);
    first.assert_ok();
    assert!(first.stdout().contains("+ explainers/veto/index.html"), "{}", first.stdout());
    std::fs::write(dest.join("stale.html"), "old").unwrap();
    std::fs::create_dir_all(dest.join(".git")).unwrap();
    std::fs::write(dest.join(".git/HEAD"), "keep").unwrap();
    t.page("explainers/veto.md", "title = \"The veto\"\ndate = 2026-02-01", "Shorter.\n");
    let second = t.run(&["deploy", "--to", "dest"]);
    second.assert_ok();
    let out = second.stdout();
    assert!(out.contains("~ explainers/veto/index.html"), "{out}");
    assert!(out.contains("- stale.html"), "{out}");
    assert!(!out.contains("~ style.css"), "unchanged files are not rewritten: {out}");
    assert!(!dest.join("stale.html").exists());
    assert_eq!(std::fs::read_to_string(dest.join(".git/HEAD")).unwrap(), "keep", ".git is left alone");
    t.build().assert_ok();
    let mut deployed = snapshot(&dest);
    deployed.remove(".git/HEAD");
    assert_eq!(deployed, t.snapshot(), "the directory holds exactly the built site");
}

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("--git-dir").arg(dir).args(args).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn deploy_to_a_bare_repository_commits_only_when_something_changed() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let t = init_site();
    let repo = t.root().join("site.git");
    let out = Command::new("git").args(["init", "--bare", "-q"]).arg(&repo).output().expect("git init");
    assert!(out.status.success());
    let target = format!("git:{}", repo.display());
    t.run(&["deploy", "--to", &target]).assert_ok();
    assert_eq!(git(&repo, &["rev-list", "--count", "gh-pages"]).trim(), "1");
    let files = git(&repo, &["ls-tree", "-r", "--name-only", "gh-pages"]);
    assert!(files.lines().any(|l| l == "explainers/veto/index.html"), "{files}");
    assert!(files.lines().any(|l| l == "search-index/en/meta.json"), "{files}");

    let same = t.run(&["deploy", "--to", &target]);
    same.assert_ok();
    assert!(same.stdout().contains("0 added, 0 changed, 0 removed"), "{}", same.stdout());
    assert_eq!(git(&repo, &["rev-list", "--count", "gh-pages"]).trim(), "1", "no empty commit");

    std::fs::remove_file(t.root().join("content/explainers/veto.md")).unwrap();
    let less = t.run(&["deploy", "--to", &target]);
    less.assert_ok();
    assert!(less.stdout().contains("- explainers/veto/index.html"), "{}", less.stdout());
    assert_eq!(git(&repo, &["rev-list", "--count", "gh-pages"]).trim(), "2");
    let files = git(&repo, &["ls-tree", "-r", "--name-only", "gh-pages"]);
    assert!(!files.contains("explainers/veto/"), "stale files are gone from the branch");
}

#[test]
fn deploy_to_something_that_is_not_a_repository_says_so() {
    let t = init_site();
    let run = t.run(&["deploy", "--to", "git:not-a-repo"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("not-a-repo is not a git repository"), "{}", run.stderr());
}

/// The issue's budget: at most 30 KB of CSS and 15 KB of JavaScript per page,
/// uncompressed, on every page of the sample site.
#[test]
fn every_sample_page_stays_within_the_css_and_js_budget() {
    let out = crate::support::build_sample(&["--base-url", "/"]);
    let files = snapshot(out.path());
    let size = |url: &str| files.get(url.trim_start_matches('/')).map_or(0, Vec::len);
    let mut pages = 0;
    for (rel, bytes) in files.iter().filter(|(k, _)| k.ends_with(".html")) {
        let doc = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        if attrs(&doc, "meta[http-equiv=refresh]", "content").len() == 1 {
            continue; // alias redirects
        }
        pages += 1;
        let css: usize = attrs(&doc, "link[rel=stylesheet]", "href").iter().map(|u| size(u)).sum();
        let js: usize = attrs(&doc, "script[src]", "src").iter().map(|u| size(u)).sum();
        assert!(css > 10_000, "{rel}: stylesheets not found ({css} bytes)");
        assert!(css <= 30 * 1024, "{rel}: {css} bytes of CSS");
        assert!(js <= 15 * 1024, "{rel}: {js} bytes of JS");
    }
    assert!(pages > 20);
}

#[test]
fn a_figure_with_its_size_reserves_space_and_one_without_alt_text_warns() {
    let t = init_site();
    t.bytes("content/explainers/map.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 8 2\"/>");
    t.page(
        "explainers/map.md",
        "title = \"A map\"\ndate = 2026-03-01",
        "{{ figure(src=\"/explainers/map.svg\", width=800, height=200, alt=\"The Black Sea\", caption=\"The sea.\") }}\n\n![](/explainers/map.svg)\n",
    );
    let run = t.build();
    run.assert_ok();
    assert!(run.stderr().contains("image has no alt text"), "{}", run.stderr());
    let doc = t.html("explainers/map/index.html");
    assert_eq!(attrs(&doc, ".figure img", "width"), ["800"]);
    assert_eq!(attrs(&doc, ".figure img", "height"), ["200"]);
}

/// Every `a[href]` of a built page that names the site's own host.
fn absolute_links(doc: &scraper::Html, origin: &str) -> Vec<String> {
    attrs(doc, "a[href], link[rel=stylesheet], link[rel=icon], link[rel=alternate]", "href")
        .into_iter()
        .filter(|u| u.starts_with(origin))
        .collect()
}

#[test]
fn internal_links_are_root_relative_and_only_share_tags_name_the_host() {
    let t = init_site();
    t.run(&["build", "--base-url", "https://example.org/sub/"]).assert_ok();
    for page in ["index.html", "explainers/index.html", "explainers/veto/index.html", "topics/index.html", "404.html"] {
        let doc = t.html(page);
        assert_eq!(absolute_links(&doc, "https://example.org"), Vec::<String>::new(), "{page}");
        let canonical = attrs(&doc, "link[rel=canonical]", "href");
        assert!(canonical[0].starts_with("https://example.org/sub/"), "{page}: {canonical:?}");
    }
    let doc = t.html("explainers/veto/index.html");
    assert_eq!(attrs(&doc, "meta[property='og:url']", "content"), ["https://example.org/sub/explainers/veto/"]);
    assert!(attrs(&doc, ".site-title a", "href") == ["/sub/"], "home link keeps the sub-path");
}

/// A PNG of `w`×`h` pixels, drawn here.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| image::Rgb([(x % 256) as u8, 80, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("encode");
    out.into_inner()
}

#[test]
fn a_lead_image_gets_a_srcset_a_card_thumbnail_and_a_share_card() {
    let t = init_site();
    t.bytes("static/images/map.png", &png(1000, 560));
    t.page(
        "explainers/map.md",
        "title = \"The map\"\ndescription = \"Where it is.\"\ndate = 2026-03-01\n[extra]\nimage = \"images/map.png\"\nimage_alt = \"A map of the strait\"\nimage_credit = \"Our graphics desk\"",
        "Text.\n",
    );
    t.build().assert_ok();
    let page = t.html("explainers/map/index.html");
    let srcset = attrs(&page, ".lead-figure img", "srcset");
    assert_eq!(srcset.len(), 1, "one lead image");
    let widths: Vec<&str> = srcset[0].split(", ").map(|c| c.rsplit(' ').next().unwrap_or("")).collect();
    assert_eq!(widths, ["480w", "800w", "1000w"], "no copy wider than the source, none twice: {srcset:?}");
    for candidate in srcset[0].split(", ") {
        let url = candidate.split(' ').next().unwrap_or("");
        assert!(url.starts_with("/processed_images/"), "{url}");
        assert!(t.public(url.trim_start_matches('/')).exists(), "{url} is written");
    }
    assert_eq!(attrs(&page, ".lead-figure img", "alt"), ["A map of the strait"]);
    assert_eq!(crate::support::texts(&page, ".lead-figure .credit"), ["Our graphics desk"]);
    let og = attrs(&page, "meta[property='og:image']", "content");
    assert!(og[0].starts_with("https://example.org/processed_images/") && og[0].ends_with(".jpg"), "{og:?}");
    assert_eq!(attrs(&page, "meta[name='twitter:card']", "content"), ["summary_large_image"]);
    assert_eq!(attrs(&page, "meta[property='og:image:alt']", "content"), ["A map of the strait"]);

    // The newest explainer leads the home page with its image; the section
    // lists it as a card with a decorative thumbnail, the others without one.
    let home = t.html("index.html");
    assert_eq!(attrs(&home, ".lead-media img", "alt"), ["A map of the strait"]);
    let section = t.html("explainers/index.html");
    assert_eq!(attrs(&section, ".cards .item-thumb img", "alt"), [""], "one decorative thumbnail");
    assert_eq!(attrs(&section, ".cards .item", "class").len(), 3);
    // Pages without a raster lead image share the theme's card, which is published.
    let veto = t.html("explainers/veto/index.html");
    assert_eq!(attrs(&veto, "meta[property='og:image']", "content"), ["https://example.org/card.png"]);
    assert!(t.public("card.png").exists());
    assert!(attrs(&veto, ".lead-figure", "class").is_empty());
}

#[test]
fn taxonomy_terms_show_as_written_or_as_the_allowed_list_spells_them() {
    let t = init_site();
    let config = std::fs::read_to_string(t.root().join("config.toml"))
        .expect("config")
        .replace("[taxonomies.regions]\n", "[taxonomies.regions]\nallowed = \"data/regions.txt\"\n");
    t.file("config.toml", &config);
    t.file("data/regions.txt", "European Union\nNorth America\nGlobal\n");
    t.page(
        "explainers/nato.md",
        "title = \"NATO\"\ndate = 2026-03-01\n[taxonomies]\ntopics = [\"united nations\", \"NATO\"]\nregions = [\"european union\"]",
        "Text.\n",
    );
    t.build().assert_ok();
    let nato = t.html("explainers/nato/index.html");
    let tags = crate::support::texts(&nato, ".tags a");
    assert!(tags.contains(&"NATO".to_string()), "{tags:?}");
    assert!(tags.contains(&"United Nations".to_string()), "the capitalised spelling of another page wins: {tags:?}");
    assert!(tags.contains(&"European Union".to_string()), "the allowed list gives the display name: {tags:?}");
    assert_eq!(crate::support::texts(&t.html("regions/european-union/index.html"), "h1"), ["European Union"]);
    assert_eq!(crate::support::texts(&t.html("topics/united-nations/index.html"), "h1"), ["United Nations"]);
}

#[test]
fn footnotes_link_back_to_their_references() {
    let t = init_site();
    t.page("explainers/notes.md", "title = \"Notes\"\ndate = 2026-03-01", "A claim.[^src]\n\n[^src]: The source.\n");
    t.build().assert_ok();
    let doc = t.html("explainers/notes/index.html");
    assert_eq!(attrs(&doc, ".footnote-reference", "id"), ["fr-src-1"]);
    assert_eq!(attrs(&doc, ".footnote-reference a", "href"), ["#fn-src"]);
    assert_eq!(attrs(&doc, "#fn-src .footnote-backref", "href"), ["#fr-src-1"]);
}

/// The menu on every page comes from `get_subsections`: each top-level
/// section once, the current one marked, and a site's own template can call
/// it too (with `description` for a section grid, as the 404 page shows).
#[test]
fn the_menu_lists_top_sections_and_marks_the_current_one() {
    let t = init_site();
    t.page("briefings/_index.md", "title = \"Briefings\"\ndescription = \"Short reads.\"", "");
    t.page("briefings/one.md", "title = \"One\"\ndate = 2026-01-01", "Text.\n");
    t.file(
        "templates/menu.html",
        "{% for s in get_subsections(path=\"_index.md\") %}[{{ s.title }}|{{ s.path | safe }}|{{ s.description }}]{% endfor %}",
    );
    t.page("briefings/menu.md", "title = \"Menu\"\ntemplate = \"menu.html\"", "");
    t.build().assert_ok();
    let section = t.html("briefings/index.html");
    let menu = crate::support::texts(&section, ".site-nav a");
    assert!(menu.contains(&"Briefings".to_string()) && menu.contains(&"Explainers".to_string()), "{menu:?}");
    assert_eq!(attrs(&section, ".site-nav a[aria-current=page]", "href"), ["/briefings/"]);
    assert_eq!(attrs(&t.html("briefings/one/index.html"), ".site-nav a.is-active", "href"), ["/briefings/"]);
    assert!(t.read("404.html").contains("<p>Short reads.</p>"), "the 404 page's section grid shows descriptions");
    let own = t.read("briefings/menu/index.html");
    assert!(own.contains("[Briefings|/briefings/|Short reads.]"), "{own}");
}
