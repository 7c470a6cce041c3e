//! The bilingual sample site (English and Ukrainian) with the default theme:
//! `lang` and `dir` on `<html>`, `hreflang` alternates both ways, the
//! language switcher's targets, translated interface strings, dates written
//! per language, and one search index and search page per language.

use std::path::Path;

use scraper::Html;

use crate::support::{attrs, texts};

const ORIGIN: &str = "https://attache-sample.example.net";

fn page(public: &Path, rel: &str) -> Html {
    let text = std::fs::read_to_string(public.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Html::parse_document(&text)
}

/// `hreflang` → `href` of the page's `<link rel="alternate" hreflang>`.
fn alternates(doc: &Html) -> Vec<(String, String)> {
    let langs = attrs(doc, "link[rel=alternate][hreflang]", "hreflang");
    let hrefs = attrs(doc, "link[rel=alternate][hreflang]", "href");
    let mut pairs: Vec<(String, String)> = langs.into_iter().zip(hrefs).collect();
    pairs.sort();
    pairs
}

/// Where the header's language switcher links to, by language.
fn switcher(doc: &Html) -> Vec<(String, String)> {
    let langs = attrs(doc, ".lang-switch a", "hreflang");
    let hrefs = attrs(doc, ".lang-switch a", "href");
    langs.into_iter().zip(hrefs).collect()
}

#[test]
fn bilingual_sample_links_each_article_to_its_translation_both_ways() {
    let out = crate::support::build_sample(&[]);
    let public = out.path();
    let pairs = [
        ("europe/minsk-agreements/index.html", "uk/europe/minsk-agreements/index.html"),
        ("europe/budapest-memorandum/index.html", "uk/europe/budapest-memorandum/index.html"),
        ("alliances/nato-article-5/index.html", "uk/alliances/nato-article-5/index.html"),
        ("sanctions/how-sanctions-work/index.html", "uk/sanctions/how-sanctions-work/index.html"),
        ("europe/osce/index.html", "uk/europe/osce/index.html"),
        ("index.html", "uk/index.html"),
        ("europe/index.html", "uk/europe/index.html"),
    ];
    for (en, uk) in pairs {
        let url = |rel: &str| format!("{ORIGIN}/{}", rel.trim_end_matches("index.html"));
        let expected =
            vec![("en".to_string(), url(en)), ("uk".to_string(), url(uk)), ("x-default".to_string(), url(en))];
        let (en_doc, uk_doc) = (page(public, en), page(public, uk));
        assert_eq!(alternates(&en_doc), expected, "{en}");
        assert_eq!(alternates(&uk_doc), expected, "{uk}");
        assert_eq!(attrs(&en_doc, "html", "lang"), ["en"], "{en}");
        assert_eq!(attrs(&uk_doc, "html", "lang"), ["uk"], "{uk}");
        assert_eq!(attrs(&uk_doc, "html", "dir"), ["ltr"], "{uk}");
        let path = |rel: &str| format!("/{}", rel.trim_end_matches("index.html"));
        assert_eq!(switcher(&en_doc), [("uk".to_string(), path(uk))], "{en}");
        assert_eq!(switcher(&uk_doc), [("en".to_string(), path(en))], "{uk}");
    }
}

#[test]
fn untranslated_pages_switch_to_the_other_languages_home_and_list_no_alternates() {
    let out = crate::support::build_sample(&[]);
    let public = out.path();
    let montreux = page(public, "europe/black-sea/montreux-convention/index.html");
    assert_eq!(switcher(&montreux), [("uk".to_string(), "/uk/".to_string())]);
    assert!(alternates(&montreux).is_empty(), "{:?}", alternates(&montreux));
    let topics = page(public, "uk/topics/index.html");
    assert_eq!(attrs(&topics, "html", "lang"), ["uk"]);
    assert_eq!(switcher(&topics), [("en".to_string(), "/".to_string())]);
}

#[test]
fn ukrainian_pages_show_the_interface_dates_and_search_in_ukrainian() {
    let out = crate::support::build_sample(&[]);
    let public = out.path();
    let minsk = page(public, "uk/europe/minsk-agreements/index.html");
    assert_eq!(texts(&minsk, ".search-link"), ["Пошук"]);
    assert_eq!(texts(&minsk, ".skip-link"), ["Перейти до основного змісту"]);
    assert_eq!(texts(&minsk, ".lang-switch .lang-name"), ["English"]);
    assert_eq!(texts(&minsk, ".breadcrumbs li a")[0], "Головна");
    // Genitive month names, day first: «3 лютого 2025», not "February".
    assert_eq!(texts(&minsk, ".meta-date time"), ["3 лютого 2025"]);
    assert_eq!(texts(&minsk, ".meta-updated"), ["Оновлено 24 лютого 2025"]);
    assert_eq!(texts(&minsk, "#filed-under"), ["Теми"]);
    // A shortcode box without a title of its own is titled in the page's language.
    let nato = page(public, "uk/alliances/nato-article-5/index.html");
    assert_eq!(texts(&nato, ".takeaways .box-title"), ["Головне"]);
    let nato_en = page(public, "alliances/nato-article-5/index.html");
    assert!(texts(&nato_en, ".takeaways .box-title").iter().all(|t| !t.contains("Головне")));
    // Links into the Ukrainian site stay in it: nav, search, taxonomy terms.
    let nav = attrs(&minsk, ".site-nav a", "href");
    assert!(!nav.is_empty() && nav.iter().all(|h| h.starts_with("/uk/")), "{nav:?}");
    assert_eq!(attrs(&minsk, ".search-link", "href"), ["/uk/search/"]);
    let terms = attrs(&minsk, ".tags a", "href");
    assert!(terms.iter().any(|h| h.starts_with("/uk/topics/")), "{terms:?}");

    let english = page(public, "europe/minsk-agreements/index.html");
    assert_eq!(texts(&english, ".search-link"), ["Search"]);
    assert_eq!(texts(&english, ".meta-date time"), ["3 February 2025"]);
    assert_eq!(texts(&english, ".lang-switch .lang-name"), ["Українська"]);

    // Ukrainian counts take the plural form the number needs.
    let home = page(public, "uk/index.html");
    let counts = texts(&home, ".sections .meta span");
    assert!(counts.iter().any(|c| c == "2 пояснення" || c == "1 пояснення"), "{counts:?}");

    // One search page and index per language, each of its own articles.
    let search = page(public, "uk/search/index.html");
    assert_eq!(attrs(&search, "html", "lang"), ["uk"]);
    assert_eq!(attrs(&search, "#search-form", "data-index"), ["/search-index/uk/meta.json"]);
    assert_eq!(texts(&search, "h1"), ["Пошук"]);
    let words = |lang: &str| -> String {
        crate::support::snapshot(&public.join(format!("search-index/{lang}/t")))
            .values()
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect()
    };
    let (uk, en) = (words("uk"), words("en"));
    assert!(uk.contains("\"меморандум"), "the Ukrainian index finds Ukrainian words");
    assert!(!uk.contains("\"memorandum\":"), "the Ukrainian index holds no English article");
    assert!(en.contains("\"memorandum\":") && !en.contains("\"меморандум"), "the English index is English only");
}
