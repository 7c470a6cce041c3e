//! Languages of content files, as far as the build needs them to put each
//! translation at Zola's path: `blog/post.fr.md` is the page `/fr/blog/post/`
//! and `blog/_index.fr.md` the section `/fr/blog/`, when `fr` is one of
//! `[languages]` other than the default. Translations are linked to their own
//! language's sections and taxonomies (`/fr/tags/…`). Kept apart so that full
//! multilingual behaviour (translations lists, `trans()` per language, one
//! search index per language) can grow here.

use std::path::Path;

use crate::config::Config;

/// The language of `page.LANG.md` / `_index.LANG.md`, when LANG is one of
/// config.toml's `[languages]` other than the default (Zola builds no page
/// from `_index.DEFAULT.md`, and a default-language `page.fr.md` is a page
/// with the slug `page-fr`, as in Zola). `None` for the default language.
pub fn other_language<'c>(path: &Path, config: &'c Config) -> Option<&'c str> {
    let stem = path.file_stem()?.to_str()?;
    let (base, lang) = stem.rsplit_once('.')?;
    let (name, _) = config.languages.get_key_value(lang)?;
    (name != &config.default_language || base == "_index").then_some(name.as_str())
}

/// Whether `path` is a default-language `_index.DEFAULT.md`, which Zola
/// leaves out (its `_index.md` is the section).
pub fn is_default_index(path: &Path, config: &Config) -> bool {
    path.file_name().and_then(|n| n.to_str()) == Some(&format!("_index.{}.md", config.default_language))
}

/// `blog/post.fr.md` → `blog/post.md`: the path the URL is made from.
pub fn without_language(content_rel: &str, lang: Option<&str>) -> String {
    match lang {
        Some(lang) => match content_rel.strip_suffix(&format!(".{lang}.md")) {
            Some(stem) => format!("{stem}.md"),
            None => content_rel.to_string(),
        },
        None => content_rel.to_string(),
    }
}

/// `/blog/post/` in language `fr` → `/fr/blog/post/`.
pub fn localized_url(url_path: &str, lang: Option<&str>) -> String {
    match lang {
        Some(lang) => format!("/{lang}{url_path}"),
        None => url_path.to_string(),
    }
}

/// `blog/_index.md` asked for in language `fr` → `blog/_index.fr.md`
/// (`get_section(path=…, lang=…)`, `get_page`); the default language keeps it.
pub fn localized_rel(content_rel: &str, lang: &str, default: &str) -> String {
    if lang == default {
        return content_rel.to_string();
    }
    match content_rel.strip_suffix(".md") {
        Some(stem) => format!("{stem}.{lang}.md"),
        None => content_rel.to_string(),
    }
}

/// The taxonomy names `[languages.LANG]` declares (Zola's array or map form).
pub fn taxonomy_names(config: &Config, lang: &str) -> Vec<String> {
    let Some(table) = config.languages.get(lang) else { return Vec::new() };
    match table.get("taxonomies") {
        Some(toml::Value::Array(items)) => {
            items.iter().filter_map(|t| t.get("name")?.as_str().map(str::to_string)).collect()
        }
        Some(toml::Value::Table(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The allowed-terms file `[languages.LANG]` names for `taxonomy`
/// (`taxonomies = [{ name = "topics", allowed = "topics.uk.txt" }]`, or
/// `[languages.uk.taxonomies.topics] allowed = …`).
pub fn allowed_file(config: &Config, lang: &str, taxonomy: &str) -> Option<std::path::PathBuf> {
    let table = config.languages.get(lang)?;
    let entry = match table.get("taxonomies")? {
        toml::Value::Array(items) => {
            items.iter().find(|t| t.get("name").and_then(toml::Value::as_str) == Some(taxonomy))?
        }
        toml::Value::Table(map) => map.get(taxonomy)?,
        _ => return None,
    };
    entry.get("allowed")?.as_str().map(std::path::PathBuf::from)
}

/// Whether `[languages.LANG]` asks for the language's own feed.
pub fn generates_feed(config: &Config, lang: &str) -> bool {
    config.languages.get(lang).is_some_and(|t| {
        t.get("generate_feeds").or_else(|| t.get("generate_feed")).and_then(toml::Value::as_bool).unwrap_or(false)
    })
}

/// Whether `code` has the shape of a language code: two or three letters
/// (`fr`, `ukr`), optionally with a region or script (`pt-BR`, `zh-Hans`).
/// Only such suffixes of `name.CODE.md` are taken for a language, so that
/// `notes.v2.md` or `report.2024.md` stay ordinary pages.
pub fn looks_like_language(code: &str) -> bool {
    let mut parts = code.split('-');
    let first = parts.next().unwrap_or("");
    let base = (2..=3).contains(&first.len()) && first.chars().all(|c| c.is_ascii_lowercase());
    base && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The site's languages: the default first, then `[languages]` in order.
pub fn declared(config: &Config) -> Vec<&str> {
    let mut all = vec![config.default_language.as_str()];
    all.extend(config.languages.keys().map(String::as_str).filter(|l| *l != config.default_language));
    all
}

/// Whether the site has a language besides the default (Zola's `is_multilingual`).
pub fn is_multilingual(config: &Config) -> bool {
    config.languages.keys().any(|l| *l != config.default_language)
}

/// The code of `page.CODE.md` when the site is multilingual, CODE looks like
/// a language and is not declared: Zola stops on such a file (a typo, or a
/// language the config forgot), and so does Attaché, naming the file.
pub fn undeclared<'p>(path: &'p Path, config: &Config) -> Option<&'p str> {
    if !is_multilingual(config) {
        return None;
    }
    let stem = path.file_stem()?.to_str()?;
    let (_, code) = stem.rsplit_once('.')?;
    (looks_like_language(code) && !declared(config).contains(&code)).then_some(code)
}

/// The declared language `code` was most likely meant to be: a country code
/// used for its language (`ua` → `uk`, `jp` → `ja`), a different case, or one
/// letter off; `None` when nothing is close.
pub fn suggestion<'c>(code: &str, config: &'c Config) -> Option<&'c str> {
    const COUNTRY_FOR_LANGUAGE: [(&str, &str); 10] = [
        ("ua", "uk"),
        ("jp", "ja"),
        ("cn", "zh"),
        ("gr", "el"),
        ("cz", "cs"),
        ("dk", "da"),
        ("se", "sv"),
        ("kr", "ko"),
        ("ir", "fa"),
        ("il", "he"),
    ];
    let langs = declared(config);
    let lower = code.to_ascii_lowercase();
    if let Some(&found) = langs.iter().find(|l| l.eq_ignore_ascii_case(&lower)) {
        return Some(found);
    }
    if let Some((_, lang)) = COUNTRY_FOR_LANGUAGE.iter().find(|(c, _)| *c == lower)
        && let Some(&found) = langs.iter().find(|l| l == &lang)
    {
        return Some(found);
    }
    langs
        .into_iter()
        .map(|l| (strsim::damerau_levenshtein(&lower, &l.to_ascii_lowercase()), l))
        .filter(|(d, _)| *d <= 1)
        .min()
        .map(|(_, l)| l)
}

/// Languages written right to left, by their ISO 639 code (the part before
/// any region): Arabic, Farsi, Hebrew, Urdu, Pashto, Sindhi, Kurdish (Sorani),
/// Uyghur, Yiddish, Dhivehi, Syriac, N'Ko. Derived from the code rather than
/// configured, so a Zola config needs no key Zola lacks.
pub fn is_rtl(lang: &str) -> bool {
    const RTL: [&str; 14] =
        ["ar", "fa", "he", "iw", "ur", "ps", "sd", "ckb", "ug", "yi", "dv", "syr", "nqo", "ku-Arab"];
    let base = lang.split(['-', '_']).next().unwrap_or("");
    RTL.contains(&base) || RTL.contains(&lang)
}

/// `"rtl"` or `"ltr"`: the `dir` attribute for a page in `lang` (`lang_dir`
/// in every template context).
pub fn dir(lang: &str) -> &'static str {
    if is_rtl(lang) { "rtl" } else { "ltr" }
}

/// `config.languages` as Zola gives it to a template rendered in `current`:
/// every language of the site except `current`, the default one included
/// (its options taken from the top of config.toml), each with Zola's
/// fields (`title`, `description`, `generate_feeds`, `feed_filenames`,
/// `taxonomies`, `build_search_index`, `translations`) and Attaché's `dir`.
pub fn languages_value(config: &Config, current: &str) -> serde_json::Value {
    use serde_json::{Value, json};
    let mut out = serde_json::Map::new();
    for code in declared(config).into_iter().filter(|c| *c != current) {
        let mut v = match config.languages.get(code) {
            Some(t) => crate::config::toml_to_json(&toml::Value::Table(t.clone())),
            None => json!({}),
        };
        let Value::Object(map) = &mut v else { continue };
        if code == config.default_language {
            let taxonomies: Vec<Value> = config.taxonomies.keys().map(|n| json!({ "name": n })).collect();
            let translations = crate::config::toml_to_json(&toml::Value::Table(config.translations.clone()));
            for (k, x) in [
                ("title", json!(config.title)),
                ("description", json!(config.description)),
                ("generate_feeds", json!(config.generate_feed)),
                ("feed_filenames", json!(config.feed_filenames)),
                ("taxonomies", Value::Array(taxonomies)),
                ("build_search_index", json!(config.build_search_index.unwrap_or(false))),
                ("translations", translations),
            ] {
                map.entry(k).or_insert(x);
            }
        }
        for (k, x) in [
            ("title", Value::Null),
            ("description", Value::Null),
            ("generate_feeds", json!(false)),
            ("feed_filenames", json!(["atom.xml"])),
            ("taxonomies", json!([])),
            ("build_search_index", json!(false)),
            ("translations", json!({})),
        ] {
            map.entry(k).or_insert(x);
        }
        map.insert("dir".into(), json!(dir(code)));
        out.insert(code.to_string(), v);
    }
    serde_json::Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_translations() {
        assert_eq!(without_language("blog/post.fr.md", Some("fr")), "blog/post.md");
        assert_eq!(without_language("blog/_index.fr.md", Some("fr")), "blog/_index.md");
        assert_eq!(localized_url("/blog/", Some("zh")), "/zh/blog/");
        assert_eq!(localized_rel("_index.md", "zh", "en"), "_index.zh.md");
        assert_eq!(localized_rel("_index.md", "en", "en"), "_index.md");
    }

    #[test]
    fn language_like_codes_and_direction() {
        for code in ["fr", "ukr", "pt-BR", "zh-Hans"] {
            assert!(looks_like_language(code), "{code}");
        }
        for code in ["v2", "2024", "draft", "F", "old-"] {
            assert!(!looks_like_language(code), "{code}");
        }
        assert_eq!(dir("ar"), "rtl");
        assert_eq!(dir("fa-IR"), "rtl");
        assert_eq!(dir("uk"), "ltr");
    }
}
