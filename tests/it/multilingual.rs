//! Multilingual sites (Zola's `[languages]`): each language's pages at
//! `/LANG/…`, `page.translations` and `lang` in templates, `trans()`,
//! `get_url(lang=…)`, per-language taxonomies, feeds, search and 404,
//! `hreflang` alternates in the sitemap, the unknown-language error, and
//! the dev server after a translation is edited or added.

use std::time::{Duration, Instant};

use crate::support::{Running, SiteTest, attrs, http_get, texts};

const CONFIG: &str = r#"title = "Attaché"
base_url = "https://example.org"
default_language = "en"
generate_feeds = true
site_search = true
taxonomies = [{ name = "topics" }]

[translations]
read_more = "Read more"

[languages.uk]
title = "Аташе"
generate_feeds = true
taxonomies = [{ name = "topics" }]

[languages.uk.translations]
read_more = "Читати далі"

[languages.ar]
title = "الملحق"
"#;

const PAGE: &str = r#"<html lang="{{ lang }}" dir="{{ lang_dir }}"><head><title>{{ page.title }}</title>
{% for t in page.translations %}<link rel="alternate" hreflang="{{ t.lang }}" href="{{ t.permalink | safe }}" title="{{ t.title }}">{% endfor %}
</head><body><p class="more">{{ trans(key="read_more", lang=lang) }}</p>
{% if lang != "ar" %}<p class="url">{{ get_url(path="@/europe/minsk.md", lang=lang) | safe }}</p>{% endif %}
<p class="plain">{{ get_url(path="/europe/", lang=lang) | safe }}</p>
<p class="langs">{% for code, l in config.languages %}{{ code }}={{ l.title }};{% endfor %}</p>
<p class="term">{{ get_taxonomy_url(kind="topics", name="war", lang=lang) | safe }}</p>
<article>{{ page.content | safe }}</article></body></html>"#;

const LIST: &str = r#"<html lang="{{ lang }}" dir="{{ lang_dir }}"><head><title>{% if section %}{{ section.title }}{% else %}list{% endif %}</title>
{% if section %}{% for t in section.translations %}<link rel="alternate" hreflang="{{ t.lang }}" href="{{ t.permalink | safe }}">{% endfor %}{% endif %}
</head><body>{% if section %}{% for p in section.pages %}<a class="p" href="{{ p.permalink | safe }}">{{ p.title }}</a>{% endfor %}{% endif %}
{% if term %}{% for x in term.translations %}<a class="tt" hreflang="{{ x.lang }}" href="{{ x.permalink | safe }}">{{ x.name }}</a>{% endfor %}{% for p in term.pages %}<a class="p" href="{{ p.permalink | safe }}">{{ p.title }}</a>{% endfor %}{% endif %}</body></html>"#;

/// A Zola-style site (its own templates) in English, Ukrainian and Arabic:
/// `europe/minsk` in en and uk, `europe/osce` in en only.
fn site() -> SiteTest {
    let t = SiteTest::new();
    std::fs::remove_dir_all(t.root().join("themes")).expect("no theme");
    t.file("config.toml", CONFIG);
    t.file("templates/page.html", PAGE);
    for name in ["index.html", "section.html", "taxonomy_list.html", "taxonomy_single.html"] {
        t.file(&format!("templates/{name}"), LIST);
    }
    t.file("templates/404.html", r#"<html lang="{{ lang }}" dir="{{ lang_dir }}"><head><title>404</title></head><body>{{ trans(key="read_more", lang=lang) }}</body></html>"#);
    t.file("templates/search.html", r#"<html lang="{{ lang }}"><head><title>search</title></head><body data-index="{{ search_index | safe }}"></body></html>"#);
    t.page("_index.uk.md", "title = \"Головна\"", "");
    t.page("europe/_index.md", "title = \"Europe\"", "");
    t.page("europe/_index.uk.md", "title = \"Європа\"", "");
    t.page(
        "europe/minsk.md",
        "title = \"The Minsk agreements\"\ndate = 2024-05-01\n[taxonomies]\ntopics = [\"war\"]",
        "Two ceasefire deals signed in Minsk.\n",
    );
    t.page(
        "europe/minsk.uk.md",
        "title = \"Мінські угоди\"\ndate = 2024-05-01\n[taxonomies]\ntopics = [\"війна\"]",
        "Дві угоди про припинення вогню, підписані в Мінську.\n",
    );
    t.page("europe/osce.md", "title = \"The OSCE\"\ndate = 2023-01-10", "The OSCE monitors.\n");
    t
}

#[test]
fn translations_lang_trans_and_get_url_in_templates() {
    let t = site();
    t.build().assert_ok();
    let en = t.html("europe/minsk/index.html");
    let uk = t.html("uk/europe/minsk/index.html");
    // Both versions list both, the default language first, with titles.
    let pairs = |doc| {
        let langs = attrs(doc, "link[rel=alternate]", "hreflang");
        let hrefs = attrs(doc, "link[rel=alternate]", "href");
        langs.into_iter().zip(hrefs).collect::<Vec<_>>()
    };
    let expected = vec![
        ("en".to_string(), "https://example.org/europe/minsk/".to_string()),
        ("uk".to_string(), "https://example.org/uk/europe/minsk/".to_string()),
    ];
    assert_eq!(pairs(&en), expected);
    assert_eq!(pairs(&uk), expected);
    assert_eq!(attrs(&en, "link[rel=alternate]", "title"), ["The Minsk agreements", "Мінські угоди"]);
    // `lang`, `lang_dir`, `trans()` and `get_url(lang=…)` in the page's language.
    assert_eq!(attrs(&uk, "html", "lang"), ["uk"]);
    assert_eq!(attrs(&uk, "html", "dir"), ["ltr"]);
    assert_eq!(texts(&en, "p.more"), ["Read more"]);
    assert_eq!(texts(&uk, "p.more"), ["Читати далі"]);
    // Full URLs, as Zola's `get_url` gives them.
    assert_eq!(texts(&en, "p.url"), ["https://example.org/europe/minsk/"]);
    assert_eq!(texts(&uk, "p.url"), ["https://example.org/uk/europe/minsk/"]);
    assert_eq!(texts(&uk, "p.plain"), ["https://example.org/uk/europe/"]);
    assert_eq!(texts(&en, "p.term"), ["https://example.org/topics/war/"]);
    // Zola's `config.languages`: every language but the page's own.
    assert_eq!(texts(&en, "p.langs"), ["ar=الملحق;uk=Аташе;"]);
    // (the default language first, then the others in config order)
    assert_eq!(texts(&uk, "p.langs"), ["en=Attaché;ar=الملحق;"]);
    // A page without a translation lists itself only.
    assert_eq!(attrs(&t.html("europe/osce/index.html"), "link[rel=alternate]", "hreflang"), ["en"]);
    // Sections too.
    assert_eq!(attrs(&t.html("uk/europe/index.html"), "link[rel=alternate]", "hreflang"), ["en", "uk"]);
    assert_eq!(texts(&t.html("uk/europe/index.html"), "a.p"), ["Мінські угоди"]);
}

#[test]
fn right_to_left_comes_from_the_language_code() {
    let t = site();
    t.page("europe/osce.ar.md", "title = \"منظمة الأمن والتعاون\"\ndate = 2023-01-10", "نص.\n");
    t.build().assert_ok();
    let ar = t.html("ar/europe/osce/index.html");
    assert_eq!(attrs(&ar, "html", "lang"), ["ar"]);
    assert_eq!(attrs(&ar, "html", "dir"), ["rtl"]);
    assert_eq!(attrs(&t.html("europe/osce/index.html"), "html", "dir"), ["ltr"]);
}

#[test]
fn sitemap_lists_hreflang_alternates_for_translations() {
    let t = site();
    t.build().assert_ok();
    let map = t.read("sitemap.xml");
    assert!(map.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""), "{map}");
    let url = |loc: &str| {
        let start = map.find(&format!("<loc>{loc}</loc>")).unwrap_or_else(|| panic!("{loc} in {map}"));
        let end = start + map[start..].find("</url>").expect("</url>");
        map[start..end].to_string()
    };
    for loc in ["https://example.org/europe/minsk/", "https://example.org/uk/europe/minsk/"] {
        let entry = url(loc);
        for (lang, href) in [
            ("en", "https://example.org/europe/minsk/"),
            ("uk", "https://example.org/uk/europe/minsk/"),
            ("x-default", "https://example.org/europe/minsk/"),
        ] {
            let link = format!("<xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{href}\"/>");
            assert!(entry.contains(&link), "{loc} lacks {link}:\n{entry}");
        }
    }
    assert!(url("https://example.org/uk/europe/").contains("hreflang=\"en\" href=\"https://example.org/europe/\""));
    assert!(!url("https://example.org/europe/osce/").contains("xhtml:link"), "no translation, no alternates");
}

#[test]
fn feeds_taxonomies_search_and_404_per_language() {
    let t = site();
    t.build().assert_ok();
    // Feeds: each language's own pages.
    let (en, uk) = (t.read("atom.xml"), t.read("uk/atom.xml"));
    assert!(en.contains("The Minsk agreements") && !en.contains("Мінські угоди"), "{en}");
    assert!(uk.contains("Мінські угоди") && !uk.contains("The Minsk agreements"), "{uk}");
    assert!(uk.contains("xml:lang=\"uk\""), "{uk}");
    // Terms per language.
    assert_eq!(texts(&t.html("topics/war/index.html"), "a.p"), ["The Minsk agreements"]);
    let uk_terms: Vec<String> = std::fs::read_dir(t.public("uk/topics"))
        .expect("uk/topics/")
        .filter_map(|e| e.ok().filter(|e| e.path().is_dir()).map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(uk_terms.len(), 1, "{uk_terms:?}");
    assert_eq!(texts(&t.html(&format!("uk/topics/{}/index.html", uk_terms[0])), "a.p"), ["Мінські угоди"]);
    assert!(!t.public(&format!("topics/{}/index.html", uk_terms[0])).exists(), "the Ukrainian term is not English");
    // Search: one index per language, each with its own pages, Cyrillic words kept.
    let meta: serde_json::Value = serde_json::from_str(&t.read("search-index/uk/meta.json")).expect("json");
    assert_eq!(meta["lang"], "uk");
    assert_eq!(meta["pages"], 1);
    let en_meta: serde_json::Value = serde_json::from_str(&t.read("search-index/en/meta.json")).expect("json");
    assert_eq!(en_meta["pages"], 2);
    assert!(t.read("search-index/uk/t/0.json").contains("\"мінську\""), "{}", t.read("search-index/uk/t/0.json"));
    assert!(!t.read("search-index/en/t/0.json").contains("мінську"));
    assert!(t.public("search-index/ar/meta.json").is_file(), "every language gets an index");
    assert_eq!(attrs(&t.html("uk/search/index.html"), "body", "data-index"), ["/search-index/uk/meta.json"]);
    // A 404 page per language, in that language.
    assert_eq!(texts(&t.html("uk/404.html"), "body"), ["Читати далі"]);
    assert_eq!(attrs(&t.html("ar/404.html"), "html", "dir"), ["rtl"]);
    assert_eq!(texts(&t.html("404.html"), "body"), ["Read more"]);
}

#[test]
fn a_language_the_config_does_not_declare_is_an_error_with_a_suggestion() {
    let t = site();
    t.page("europe/osce.ua.md", "title = \"ОБСЄ\"", "x\n");
    let err = t.build().assert_error_at("content/language", "content/europe/osce.ua.md");
    assert!(err.contains("`ua` is not one of the site's languages (`en`, `ar`, `uk`)"), "{err}");
    assert!(err.contains("did you mean `uk`?"), "{err}");
    // A suffix that is not language-like stays an ordinary page, as before.
    std::fs::remove_file(t.root().join("content/europe/osce.ua.md")).expect("rm");
    t.page("europe/notes.v2.md", "title = \"Notes\"", "x\n");
    t.build().assert_ok();
    assert!(t.public("europe/notes-v2/index.html").is_file());
}

#[test]
fn allowed_terms_per_language_and_term_pages_linked_across_languages() {
    let t = site();
    let config = CONFIG.replace(
        "taxonomies = [{ name = \"topics\" }]\n\n[translations]",
        "taxonomies = [{ name = \"topics\", allowed = \"topics.txt\" }]\n\n[translations]",
    );
    t.file("config.toml", &config);
    // One line names the term in both languages.
    t.file("topics.txt", "# allowed topics\nWar | uk: Війна\nPeace\n");
    t.build().assert_ok();
    let en = t.html("topics/war/index.html");
    assert_eq!(attrs(&en, "a.tt", "hreflang"), ["en", "uk"]);
    let uk_href = attrs(&en, "a.tt", "href").pop().expect("a link");
    assert!(uk_href.starts_with("https://example.org/uk/topics/"), "{uk_href}");
    let uk_page = uk_href.trim_start_matches("https://example.org/");
    let uk = t.html(&format!("{uk_page}index.html"));
    assert_eq!(texts(&uk, "a.tt"), ["War", "Війна"]);
    assert_eq!(texts(&uk, "a.p"), ["Мінські угоди"]);

    // The Ukrainian list is the names the file gives in Ukrainian: another is an error.
    t.page(
        "europe/minsk.uk.md",
        "title = \"Мінські угоди\"\ndate = 2024-05-01\n[taxonomies]\ntopics = [\"Війни\"]",
        "x\n",
    );
    let err = t.build().assert_error_at("taxonomy/unknown-term", "content/europe/minsk.uk.md");
    assert!(err.contains("did you mean \"Війна\"?"), "{err}");

    // A file of the language's own replaces it.
    t.file(
        "config.toml",
        &config
            .replace(
                "[languages.uk]\n",
                "[languages.uk]\ntaxonomies = [{ name = \"topics\", allowed = \"topics.uk.txt\" }]\n",
            )
            .replacen(
                "taxonomies = [{ name = \"topics\" }]\n\n[languages.uk.translations]",
                "\n[languages.uk.translations]",
                1,
            ),
    );
    t.file("topics.uk.txt", "Війни\n");
    t.build().assert_ok();
}

/// GET `path` until its body contains `needle` (the server rebuilds after
/// the file watcher sees the edit).
fn wait_for_body(addr: &str, path: &str, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let (status, _, body) = http_get(addr, path);
        if status == 200 && body.contains(needle) {
            return body;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{path} never showed {needle:?}:\n{body}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_keeps_translations_right_when_one_is_edited_or_added() {
    let t = site();
    let proc = Running::start(&t.root(), &["serve", "--port", "0"]);
    let lines = proc.wait_for(&["Serving at"]);
    let line = lines.last().expect("a line");
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("a URL");
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    wait_for_body(&addr, "/uk/europe/minsk/", "Мінську");

    // Edit the translation's body: it changes, and both versions still list each other.
    t.page(
        "europe/minsk.uk.md",
        "title = \"Мінські угоди\"\ndate = 2024-05-01\n[taxonomies]\ntopics = [\"війна\"]",
        "Обидві угоди порушено.\n",
    );
    let uk = wait_for_body(&addr, "/uk/europe/minsk/", "Обидві угоди порушено");
    assert!(uk.contains(&format!("hreflang=\"en\" href=\"http://{addr}/europe/minsk/\"")), "{uk}");
    let (_, _, en) = http_get(&addr, "/europe/minsk/");
    assert!(en.contains("hreflang=\"uk\""), "{en}");

    // Retitle it: the English page shows the new title of its translation.
    t.page(
        "europe/minsk.uk.md",
        "title = \"Мінські домовленості\"\ndate = 2024-05-01\n[taxonomies]\ntopics = [\"війна\"]",
        "Обидві угоди порушено.\n",
    );
    wait_for_body(&addr, "/europe/minsk/", "title=\"Мінські домовленості\"");

    // Add a translation: the English page gains it.
    t.page("europe/osce.uk.md", "title = \"ОБСЄ\"\ndate = 2023-01-10", "ОБСЄ спостерігає.\n");
    let osce = wait_for_body(&addr, "/europe/osce/", "hreflang=\"uk\"");
    assert!(osce.contains(&format!("http://{addr}/uk/europe/osce/")), "{osce}");
    // And delete it again: the link goes.
    std::fs::remove_file(t.root().join("content/europe/osce.uk.md")).expect("rm");
    let start = Instant::now();
    while http_get(&addr, "/europe/osce/").2.contains("hreflang=\"uk\"") {
        assert!(start.elapsed() < Duration::from_secs(60), "the deleted translation is still listed");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(proc.interrupt().success());
}
