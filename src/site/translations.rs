//! Which pages and sections are versions of one another: `blog/post.md` and
//! `blog/post.uk.md` are one article in two languages. Templates get the
//! list as Zola gives it, `page.translations` / `section.translations`:
//! every version of the file, itself included, each with its `lang`,
//! `permalink` and `title` (and `path`, the Markdown file, as in Zola).
//! A site with one language gets empty lists, as in Zola.
//!
//! The lists are also what the sitemap's `hreflang` alternates are made of
//! (see [`crate::render::feeds`]), so the two cannot disagree.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::config::Config;
use crate::content::{Content, lang};
use crate::taxonomies::{Taxonomy, Term};

/// A page or a section, by its index in [`Content`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    Page(usize),
    Section(usize),
}

/// The versions of every file that has more than one language, grouped by
/// the path without its language (`blog/post.md`).
#[derive(Debug, Default)]
pub(crate) struct Translations {
    groups: HashMap<String, Vec<Member>>,
    multilingual: bool,
}

impl Translations {
    /// Group every page and section of `content` with its other versions,
    /// in the order of the site's languages (the default first).
    pub(crate) fn new(config: &Config, content: &Content) -> Self {
        let multilingual = lang::is_multilingual(config);
        let mut groups: HashMap<String, Vec<Member>> = HashMap::new();
        if !multilingual {
            return Translations { groups, multilingual };
        }
        for (i, p) in content.pages.iter().enumerate() {
            groups.entry(page_key(&p.content_rel, p.lang.as_deref())).or_default().push(Member::Page(i));
        }
        for (i, s) in content.sections.iter().enumerate() {
            groups.entry(section_key(&s.content_rel, s.lang.as_deref())).or_default().push(Member::Section(i));
        }
        let order = lang::declared(config);
        let rank = |m: &Member| {
            let l = url_and_lang(config, content, *m).1;
            order.iter().position(|o| *o == l).unwrap_or(usize::MAX)
        };
        for members in groups.values_mut() {
            members.sort_by_key(rank);
        }
        Translations { groups, multilingual }
    }

    /// The versions of `m` (itself included), in language order.
    pub(crate) fn of(&self, content: &Content, m: Member) -> &[Member] {
        let key = match m {
            Member::Page(i) => content.pages.get(i).map(|p| page_key(&p.content_rel, p.lang.as_deref())),
            Member::Section(i) => content.sections.get(i).map(|s| section_key(&s.content_rel, s.lang.as_deref())),
        };
        key.and_then(|k| self.groups.get(&k)).map_or(&[], Vec::as_slice)
    }

    /// `page.translations` / `section.translations` of `m`.
    pub(crate) fn value(&self, config: &Config, content: &Content, m: Member) -> Value {
        if !self.multilingual {
            return Value::Array(Vec::new());
        }
        Value::Array(self.of(content, m).iter().map(|&t| entry(config, content, t, t == m)).collect())
    }

    /// For each URL path with versions in other languages, every version's
    /// (language, permalink), itself included: the sitemap's `hreflang`
    /// alternates (search engines want the whole set on every URL).
    pub(crate) fn alternates(&self, config: &Config, content: &Content) -> HashMap<String, Vec<(String, String)>> {
        let mut out = HashMap::new();
        for members in self.groups.values().filter(|m| m.len() > 1) {
            let set: Vec<(String, String)> = members
                .iter()
                .map(|&m| {
                    let (url, lang) = url_and_lang(config, content, m);
                    (lang.to_string(), super::permalink(config, url))
                })
                .collect();
            for &m in members {
                out.insert(url_and_lang(config, content, m).0.to_string(), set.clone());
            }
        }
        out
    }
}

/// The key a page's versions share: its path without the language.
fn page_key(content_rel: &str, lang: Option<&str>) -> String {
    format!("p:{}", lang::without_language(content_rel, lang))
}

/// The key a section's versions share (`blog/_index.md`).
fn section_key(content_rel: &str, lang: Option<&str>) -> String {
    format!("s:{}", lang::without_language(content_rel, lang))
}

/// The URL path and language of `m` (the default language's code for it).
pub(crate) fn url_and_lang<'c>(config: &'c Config, content: &'c Content, m: Member) -> (&'c str, &'c str) {
    let (url, lang) = match m {
        Member::Page(i) => content.pages.get(i).map(|p| (p.url_path.as_str(), p.lang.as_deref())),
        Member::Section(i) => content.sections.get(i).map(|s| (s.url_path.as_str(), s.lang.as_deref())),
    }
    .unwrap_or(("/", None));
    (url, lang.unwrap_or(&config.default_language))
}

/// One entry of a translations list, with Zola's fields (`lang`,
/// `permalink`, `title`, `path`: the Markdown file) and Attaché's
/// (`url`: the root-relative URL, `dir`: "ltr"/"rtl", `current`: whether it
/// is the page being rendered), which a language switcher needs.
fn entry(config: &Config, content: &Content, m: Member, current: bool) -> Value {
    let (url, lang) = url_and_lang(config, content, m);
    let (title, file) = match m {
        Member::Page(i) => content.pages.get(i).map(|p| (p.meta.title.as_str(), &p.content_rel)),
        Member::Section(i) => content.sections.get(i).map(|s| (s.meta.title.as_str(), &s.content_rel)),
    }
    .unzip();
    json!({
        "lang": lang,
        "permalink": super::permalink(config, url),
        "url": format!("{}{url}", config.base_path()),
        "title": title.filter(|t| !t.is_empty()),
        "path": file.map(|f| format!("content/{f}")),
        "dir": lang::dir(lang),
        "current": current,
    })
}

/// `term.translations` on a term page: the term itself and each of its
/// names in other languages (paired in the allowed-terms files) that has a
/// term page there, in the site's language order, with `lang`, `name`,
/// `permalink`, `url` and `current`.
pub(crate) fn of_term(config: &Config, taxonomies: &[Taxonomy], tax: &Taxonomy, term: &Term) -> Value {
    if term.translations.is_empty() {
        return Value::Array(Vec::new());
    }
    let own = tax.lang.as_deref().unwrap_or(&config.default_language);
    let mut found: Vec<(&str, &str, String, bool)> = vec![(own, term.name.as_str(), term_url(tax, term), true)];
    for (l, name) in &term.translations {
        let lang_key = (l != &config.default_language).then_some(l.as_str());
        let slug = crate::slug::path(name, config.slugify.taxonomies);
        let other = taxonomies.iter().find(|t| t.name == tax.name && t.lang.as_deref() == lang_key);
        if let Some((t, x)) = other.and_then(|t| t.terms.iter().find(|x| x.slug == slug).map(|x| (t, x))) {
            found.push((l.as_str(), x.name.as_str(), term_url(t, x), false));
        }
    }
    let order = lang::declared(config);
    found.sort_by_key(|(l, ..)| order.iter().position(|o| o == l).unwrap_or(usize::MAX));
    Value::Array(
        found
            .into_iter()
            .map(|(l, name, url, current)| {
                json!({"lang": l, "name": name, "permalink": super::permalink(config, &url),
                    "url": format!("{}{url}", config.base_path()), "dir": lang::dir(l), "current": current})
            })
            .collect(),
    )
}

/// The URL path of a term's page.
fn term_url(tax: &Taxonomy, term: &Term) -> String {
    format!("/{}/{}/", tax.slug, term.slug)
}
