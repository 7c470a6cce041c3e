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

/// Whether `[languages.LANG]` asks for the language's own feed.
pub fn generates_feed(config: &Config, lang: &str) -> bool {
    config.languages.get(lang).is_some_and(|t| {
        t.get("generate_feeds").or_else(|| t.get("generate_feed")).and_then(toml::Value::as_bool).unwrap_or(false)
    })
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
}
