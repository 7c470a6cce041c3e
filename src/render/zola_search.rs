//! Zola's search index (`build_search_index = true`): `search_index.LANG.js`
//! or `.json` in the `[search] index_format` Zola themes load, with Zola's
//! fields, and `elasticlunr.min.js` beside an elasticlunr index, so a Zola
//! theme's search works unchanged. Attaché's own `search_index.json` (for
//! its default theme) is written either way.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::config::Config;
use crate::content::Content;

/// elasticlunr.js 0.9.5, unmodified (MIT; see NOTICE.md), as Zola ships it.
pub const ELASTICLUNR_JS: &[u8] = include_bytes!("../../data/vendor/elasticlunr/elasticlunr.min.js");

/// Zola's `[search]` table, with Zola's defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SearchOptions {
    pub include_title: bool,
    pub include_content: bool,
    pub include_description: bool,
    pub include_date: bool,
    pub include_path: bool,
    pub truncate_content_length: Option<usize>,
    pub index_format: String,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            include_title: true,
            include_content: true,
            include_description: false,
            include_date: false,
            include_path: false,
            truncate_content_length: None,
            index_format: "elasticlunr_javascript".into(),
        }
    }
}

impl SearchOptions {
    /// The options config.toml's `[search]` gives (Zola's defaults for the rest).
    pub fn of(config: &Config) -> SearchOptions {
        config.search.as_ref().and_then(|t| toml::Value::Table(t.clone()).try_into().ok()).unwrap_or_default()
    }

    fn elasticlunr(&self) -> bool {
        self.index_format.starts_with("elasticlunr")
    }

    fn javascript(&self) -> bool {
        self.index_format.ends_with("javascript")
    }

    /// `search_index.en.js` and the like.
    fn file_name(&self, lang: &str) -> String {
        format!("search_index.{lang}.{}", if self.javascript() { "js" } else { "json" })
    }
}

/// The languages to index: the default one, and each of `[languages]` that
/// sets its own `build_search_index = true`.
fn languages(config: &Config) -> Vec<String> {
    let mut out = vec![config.default_language.clone()];
    for (code, table) in &config.languages {
        if *code != config.default_language
            && table.get("build_search_index").and_then(toml::Value::as_bool) == Some(true)
        {
            out.push(code.clone());
        }
    }
    out
}

/// Every file Zola's search writes, known before the build renders (so each
/// can be claimed); none unless `build_search_index = true`.
pub fn outputs(config: &Config) -> Vec<String> {
    if config.build_search_index != Some(true) {
        return Vec::new();
    }
    let options = SearchOptions::of(config);
    let mut out: Vec<String> = languages(config).iter().map(|l| options.file_name(l)).collect();
    if options.elasticlunr() {
        out.push("elasticlunr.min.js".into());
    }
    out
}

/// One page or section in the index.
pub struct Item<'a> {
    pub permalink: String,
    pub title: &'a str,
    pub description: Option<&'a str>,
    /// Rendered HTML.
    pub content: &'a str,
    /// RFC 3339, when the page has a date.
    pub date: Option<String>,
    /// URL path without the base path, as Zola's `page.path`.
    pub path: &'a str,
}

/// The items of language `lang` (`None`: the default): each section, then
/// its own pages, in the order content has them.
pub fn items<'a>(
    config: &Config,
    content: &'a Content,
    lang: Option<&str>,
    page_html: &'a [&'a str],
    section_html: &'a [&'a str],
) -> Vec<Item<'a>> {
    let permalink = |url: &str| crate::site::permalink(config, url);
    let mut out = Vec::new();
    for (i, s) in content.sections.iter().enumerate() {
        // As Zola: a section out of the index keeps its pages in it, and a
        // redirecting section is left out itself.
        if s.lang.as_deref() != lang {
            continue;
        }
        if s.meta.in_search_index && s.meta.redirect_to.is_none() {
            out.push(Item {
                permalink: permalink(&s.url_path),
                title: &s.meta.title,
                description: s.meta.description.as_deref(),
                content: section_html.get(i).copied().unwrap_or(""),
                date: None,
                path: &s.url_path,
            });
        }
        for (j, p) in
            content.pages.iter().enumerate().filter(|(_, p)| p.section == i && p.meta.in_search_index && p.meta.render)
        {
            out.push(Item {
                permalink: permalink(&p.url_path),
                title: &p.meta.title,
                description: p.meta.description.as_deref(),
                content: page_html.get(j).copied().unwrap_or(""),
                date: p.meta.date.as_ref().map(|d| d.text.clone()),
                path: &p.url_path,
            });
        }
    }
    out
}

static DROPPED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<(script|style|pre)\b.*?</(script|style|pre)\s*>").expect("static regex"));
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").expect("static regex"));

/// The text of rendered HTML as Zola indexes it: tags removed, `script`,
/// `style` and `pre` with their contents, spaces collapsed, blank lines
/// dropped, cut to `limit` characters.
pub fn clean_body(html: &str, limit: Option<usize>) -> String {
    let text = TAG.replace_all(&DROPPED.replace_all(html, ""), "").into_owned();
    let mut clean = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(n) = limit {
        clean.truncate(clean.char_indices().nth(n).map_or(clean.len(), |(i, _)| i));
    }
    clean
}

/// Zola's Fuse.js index: a list of `{url, title, description, body, path}`
/// with the fields `[search]` includes.
fn fuse(items: &[Item], o: &SearchOptions) -> String {
    let list: Vec<serde_json::Value> = items
        .iter()
        .map(|item| {
            let mut m = serde_json::Map::new();
            m.insert("url".into(), item.permalink.clone().into());
            if o.include_title {
                m.insert("title".into(), item.title.into());
            }
            if o.include_description {
                m.insert("description".into(), item.description.unwrap_or_default().into());
            }
            if o.include_content {
                m.insert("body".into(), clean_body(item.content, o.truncate_content_length).into());
            }
            if o.include_path {
                m.insert("path".into(), item.path.into());
            }
            serde_json::Value::Object(m)
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// Zola's elasticlunr index, in the language's pipeline where elasticlunr
/// has one (English otherwise).
fn elasticlunr(items: &[Item], o: &SearchOptions, lang: &str) -> String {
    let language = elasticlunr::lang::from_code(lang).unwrap_or_else(|| Box::new(elasticlunr::lang::English::new()));
    let mut builder = elasticlunr::IndexBuilder::with_language(language);
    let fields = [
        (o.include_title, "title"),
        (o.include_description, "description"),
        (o.include_date, "date"),
        (o.include_path, "path"),
        (o.include_content, "body"),
    ];
    for (on, name) in fields {
        if !on {
            continue;
        }
        builder = if name == "path" {
            builder.add_field_with_tokenizer(name, Box::new(path_tokens))
        } else {
            builder.add_field(name)
        };
    }
    let mut index = builder.build();
    for item in items {
        let mut row: Vec<String> = Vec::new();
        if o.include_title {
            row.push(item.title.to_string());
        }
        if o.include_description {
            row.push(item.description.unwrap_or_default().to_string());
        }
        if o.include_date {
            row.push(item.date.clone().unwrap_or_default());
        }
        if o.include_path {
            row.push(item.path.to_string());
        }
        if o.include_content {
            row.push(clean_body(item.content, o.truncate_content_length));
        }
        index.add_doc(&item.permalink, row);
    }
    index.to_json()
}

/// Zola's tokens of a path: its words, lower case.
fn path_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim().to_lowercase())
        .collect()
}

/// Every file of [`outputs`], with its bytes.
pub fn files(config: &Config, content: &Content, page_html: &[&str], section_html: &[&str]) -> Vec<(String, Vec<u8>)> {
    if config.build_search_index != Some(true) {
        return Vec::new();
    }
    let o = SearchOptions::of(config);
    let mut out = Vec::new();
    for lang in languages(config) {
        let which = (lang != config.default_language).then_some(lang.as_str());
        let items = items(config, content, which, page_html, section_html);
        let json = if o.elasticlunr() { elasticlunr(&items, &o, &lang) } else { fuse(&items, &o) };
        let text = if o.javascript() { format!("window.searchIndex = {json}") } else { json };
        out.push((o.file_name(&lang), text.into_bytes()));
    }
    if o.elasticlunr() {
        out.push(("elasticlunr.min.js".into(), ELASTICLUNR_JS.to_vec()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_text_without_code() {
        let html =
            "<h1>Title</h1>\n<p>Some   <b>bold</b> text</p>\n\n<pre><code>let x;</code></pre><script>x()</script>\n";
        assert_eq!(clean_body(html, None), "Title\nSome bold text");
        assert_eq!(clean_body(html, Some(3)), "Tit");
    }
}
