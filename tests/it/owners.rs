//! Every output path has one owner: a second claim on a path is an error
//! naming both sources (and leaves public/ as it was); a static file that a
//! page or generated file takes the place of is a warning naming both.

use std::collections::BTreeMap;

use crate::support::SiteTest;

/// A good site with a section, an article carrying a taxonomy term, and a
/// search page (the fixture theme has none).
fn site() -> SiteTest {
    let t = SiteTest::new();
    t.page("europe/_index.md", "title = \"Europe\"", "");
    t.page(
        "europe/minsk.md",
        "title = \"Minsk\"\ndate = 2024-05-01\n[taxonomies]\ntopics = [\"Ceasefires\"]",
        "Text.\n",
    );
    t.file("templates/search.html", "<!doctype html><title>Search</title><h1>Search</h1>\n");
    t
}

/// Build the good site, break it, rebuild: exit 1, `error[code]` located at
/// `location`, every one of `names` in the message, public/ unchanged.
#[track_caller]
fn assert_conflict(breakage: impl FnOnce(&SiteTest), code: &str, location: &str, names: &[&str]) -> String {
    let t = site();
    t.build().assert_ok();
    let before = t.snapshot();
    assert!(before.contains_key("search/index.html") && before.contains_key("topics/ceasefires/index.html"));
    breakage(&t);
    let err = t.build().assert_error_at(code, location);
    for name in names {
        assert!(err.contains(name), "expected {name} named:\n{err}");
    }
    assert_eq!(before, t.snapshot(), "public/ changed after a failed build");
    err
}

#[test]
fn alias_onto_the_home_page() {
    assert_conflict(
        |t| {
            t.page("europe/old.md", "title = \"Old\"\naliases = [\"/index.html\"]", "x\n");
        },
        "output/conflict",
        "content/europe/old.md:3:13",
        &["`index.html`", "content/_index.md:1:1"],
    );
}

#[test]
fn alias_onto_the_404_page() {
    assert_conflict(
        |t| {
            t.page("europe/old.md", "title = \"Old\"\naliases = [\"/404.html\"]", "x\n");
        },
        "output/conflict",
        "content/europe/old.md:3:13",
        &["`404.html`", "the 404 page", "themes/plain/templates/404.html"],
    );
}

#[test]
fn alias_onto_the_search_page() {
    assert_conflict(
        |t| {
            t.page("europe/old.md", "title = \"Old\"\naliases = [\"/search/\"]", "x\n");
        },
        "output/conflict",
        "content/europe/old.md:3:13",
        &["`search/index.html`", "the search page", "templates/search.html"],
    );
}

#[test]
fn alias_onto_a_taxonomy_term_page() {
    assert_conflict(
        |t| {
            t.page("europe/old.md", "title = \"Old\"\naliases = [\"/topics/ceasefires/\"]", "x\n");
        },
        "output/conflict",
        "content/europe/old.md:3:13",
        &["`topics/ceasefires/index.html`", "term page of `Ceasefires`", "content/europe/minsk.md:5:"],
    );
}

#[test]
fn alias_onto_the_home_url() {
    assert_conflict(
        |t| {
            t.page("europe/old.md", "title = \"Old\"\naliases = [\"/\"]", "x\n");
        },
        "output/conflict",
        "content/europe/old.md:3:13",
        &["`index.html`", "content/_index.md:1:1"],
    );
}

#[test]
fn slug_of_the_search_page() {
    assert_conflict(
        |t| {
            t.page("search.md", "title = \"How to search\"\nslug = \"search\"", "x\n");
        },
        "output/conflict",
        "content/search.md:3:1",
        &["`search/index.html`", "the search page", "templates/search.html"],
    );
}

/// Zola themes make their search page a page or section rendered with
/// `search.html`: that page is then the search page, with no conflict.
#[test]
fn a_page_rendered_with_search_html_is_the_search_page() {
    let t = site();
    t.page("search.md", "title = \"Find an explainer\"\ntemplate = \"search.html\"", "x\n");
    t.build().assert_ok();
    assert_eq!(t.read("search/index.html"), "<!doctype html><title>Search</title><h1>Search</h1>\n");
    t.file("content/search.md", "+++\ntitle = \"How to search\"\n+++\nx\n");
    let err = t.build().assert_error_at("output/conflict", "content/search.md");
    assert!(err.contains("the search page"), "{err}");
}

#[test]
fn two_pages_with_one_slug_name_both() {
    assert_conflict(
        |t| {
            t.page("europe/other.md", "title = \"Other\"\nslug = \"minsk\"", "x\n");
        },
        "output/conflict",
        "content/europe/other.md:3:1",
        &["`europe/minsk/index.html`", "content/europe/minsk.md:1:1"],
    );
}

#[test]
fn bundle_file_named_index_html() {
    assert_conflict(
        |t| {
            t.page("europe/bundle/index.md", "title = \"Bundle\"", "x\n");
            t.file("content/europe/bundle/index.html", "<p>an attachment</p>\n");
        },
        "output/conflict",
        "content/europe/bundle/index.html\n",
        &["`europe/bundle/index.html`", "the page-bundle file", "content/europe/bundle/index.md:1:1"],
    );
}

#[test]
fn content_file_where_a_page_needs_a_directory() {
    assert_conflict(
        |t| {
            t.file("content/europe/minsk", "a file without an extension\n");
        },
        "output/conflict",
        "content/europe/minsk\n",
        &["`europe/minsk`", "content/europe/minsk.md:1:1", "cannot be a file and also the directory"],
    );
}

#[test]
fn directory_with_an_empty_slug() {
    assert_conflict(
        |t| {
            t.page("europe/!!!/osce.md", "title = \"OSCE\"", "x\n");
        },
        "fm/invalid-slug",
        "content/europe/!!!/osce.md:1:1",
        &["`!!!`", "empty segment"],
    );
}

#[test]
fn section_directory_with_an_empty_slug() {
    assert_conflict(
        |t| {
            t.page("???/_index.md", "title = \"Questions\"", "x\n");
        },
        "fm/invalid-slug",
        "content/???/_index.md:1:1",
        &["`???`", "empty segment"],
    );
}

#[test]
fn reserved_file_names_are_not_slugs() {
    for slug in ["index.html", "atom.xml", "search_index.json", "Sitemap.xml", "404.html"] {
        assert_conflict(
            |t| {
                t.page("europe/r.md", &format!("title = \"R\"\nslug = \"{slug}\""), "x\n");
            },
            "fm/invalid-slug",
            "content/europe/r.md:3:1",
            &[&format!("slug `{slug}`")],
        );
    }
}

#[test]
fn a_page_takes_the_place_of_a_static_file_with_a_warning() {
    let t = site();
    t.file("static/europe/minsk/index.html", "<p>a stale static copy</p>\n");
    t.file("static/europe/minsk/map.png", "png\n");
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    assert!(err.contains("warning[output/shadowed]"), "{err}");
    assert!(err.contains("--> static/europe/minsk/index.html"), "{err}");
    assert!(err.contains("content/europe/minsk.md"), "the page is named:\n{err}");
    assert!(t.read("europe/minsk/index.html").contains("Minsk"), "the page wins");
    assert_eq!(t.read("europe/minsk/map.png"), "png\n", "other static files are copied");
    // Under --deny warnings the rule is enforced.
    assert_eq!(t.run(&["build", "--deny", "warnings"]).code(), 1);
}

#[test]
fn the_site_static_dir_replaces_the_theme_file_silently() {
    let t = site();
    t.file("static/style.css", "body { color: red; }\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("output/"), "overriding a theme file is the documented way:\n{}", run.stderr());
    assert_eq!(t.read("style.css"), "body { color: red; }\n");
}

/// The dev server's fast path gives the files of a full build when a page
/// shadows a static file: after a prose edit of the page, and after an edit
/// of the shadowed static file (which must not replace the page).
#[test]
fn fast_path_keeps_the_owner_of_a_shadowed_path() {
    use attache::incremental::Engine;
    use attache::watch::{Batch, classify};
    let t = site();
    t.file("static/europe/minsk/index.html", "<p>a stale static copy</p>\n");
    for plain_assets in [true, false] {
        let opts = attache::site::BuildOptions { root: t.root(), plain_assets, ..Default::default() };
        let mut engine = Engine::new(opts.clone());
        assert!(engine.rebuild(None).failure.is_none(), "first build");
        let edits = [
            (
                "content/europe/minsk.md",
                "+++\ntitle = \"Minsk\"\ndate = 2024-05-01\n[taxonomies]\ntopics = [\"Ceasefires\"]\n+++\nMore text, edited.\n",
            ),
            ("static/europe/minsk/index.html", "<p>an edited static copy</p>\n"),
        ];
        for (rel, text) in edits {
            t.file(rel, text);
            let paths: std::collections::BTreeSet<std::path::PathBuf> = [std::path::PathBuf::from(rel)].into();
            let update = engine.rebuild(Some(&Batch { kind: classify(&paths), paths }));
            assert!(update.failure.is_none(), "{rel}");
            let got: BTreeMap<String, Vec<u8>> =
                engine.files().iter().map(|(k, v)| (k.clone(), v.as_ref().clone())).collect();
            let built = attache::site::build(&opts).expect("build");
            let want: BTreeMap<String, Vec<u8>> = built
                .files
                .into_iter()
                .map(|(k, f)| match f {
                    attache::site::OutFile::Bytes(b) => (k, b),
                    attache::site::OutFile::Copy(p) | attache::site::OutFile::Written(p) => {
                        (k, std::fs::read(p).expect("copy source"))
                    }
                })
                .collect();
            assert_eq!(got, want, "after editing {rel} (plain_assets {plain_assets})");
            let page = String::from_utf8_lossy(&got["europe/minsk/index.html"]).into_owned();
            assert!(page.contains("Minsk"), "the page keeps its path: {page}");
        }
    }
}
