//! Taxonomies (topics, regions, countries…): which pages carry which term.
//!
//! Built in one pass over the pages, so the cost is linear in the number of
//! (page, term) pairs; term pages never scan all pages.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::config::Config;
use crate::content::front_matter::{Split, closest, key_span};
use crate::content::{Content, SortBy, sort_pages};
use crate::diagnostics::Diagnostic;

#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    /// Page indices, newest first.
    pub pages: Vec<usize>,
    /// The term's names in other languages (language, name), from the
    /// allowed-terms files (`War | uk: Війна`), for term pages to link
    /// across languages.
    pub translations: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub name: String,
    /// The URL path of its list, without slashes: `tags`, or `fr/tags` for a
    /// language other than the default (see [`crate::content::lang`]).
    pub slug: String,
    /// The language of its pages when not the default.
    pub lang: Option<String>,
    /// Terms in alphabetical order of their slug.
    pub terms: Vec<Term>,
}

/// A taxonomy of one language: `(None, "topics")` for the default's.
type TaxKey = (Option<String>, String);

/// What the allowed-terms files say: each (language, taxonomy)'s allowed
/// names, and which names are one term in several languages.
#[derive(Default)]
struct Allowed {
    lists: BTreeMap<TaxKey, Vec<String>>,
    /// Per taxonomy: groups of (language, name) that are one term.
    groups: BTreeMap<String, Vec<Vec<(String, String)>>>,
}

/// One line of an allowed-terms file: the term in the file's language, then
/// optionally its names in other languages, `War | uk: Війна | fr: Guerre`.
fn parse_line(line: &str, file_lang: &str) -> Vec<(String, String)> {
    let mut parts = line.split('|').map(str::trim);
    let mut out = vec![(file_lang.to_string(), parts.next().unwrap_or("").to_string())];
    for p in parts {
        if let Some((lang, name)) = p.split_once(':')
            && !name.trim().is_empty()
        {
            out.push((lang.trim().to_string(), name.trim().to_string()));
        }
    }
    out
}

/// Allowed terms per taxonomy and language, read from the files named by
/// `allowed`: `[taxonomies.NAME]`'s for the default language, and
/// `[languages.LANG]`'s taxonomy entries for the others. A language without
/// a file of its own allows the names the default language's file gives
/// it (`War | uk: Війна`), if it gives any.
fn allowed_terms(root: &Path, config: &Config, diags: &mut Vec<Diagnostic>) -> Allowed {
    let mut files: Vec<(Option<String>, String, std::path::PathBuf)> = Vec::new();
    for (name, tax) in &config.taxonomies {
        if let Some(file) = &tax.allowed {
            files.push((None, name.clone(), file.clone()));
        }
    }
    for lang in crate::content::lang::declared(config).into_iter().skip(1) {
        for name in crate::content::lang::taxonomy_names(config, lang) {
            if let Some(file) = crate::content::lang::allowed_file(config, lang, &name) {
                files.push((Some(lang.to_string()), name, file));
            }
        }
    }
    let mut out = Allowed::default();
    for (lang, name, file) in files {
        let file_lang = lang.clone().unwrap_or_else(|| config.default_language.clone());
        match crate::inside::read_to_string(root, &file) {
            Ok(text) => {
                let lines: Vec<Vec<(String, String)>> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(|l| parse_line(l, &file_lang))
                    .collect();
                out.lists.insert((lang, name.clone()), lines.iter().map(|g| g[0].1.clone()).collect());
                out.groups.entry(name).or_default().extend(lines.into_iter().filter(|g| g.len() > 1));
            }
            Err(e) => diags.push(Diagnostic::error(
                "config/allowed-terms",
                "config.toml",
                format!("taxonomy `{name}`: could not read allowed terms from {}: {e}", file.display()),
            )),
        }
    }
    // Languages without a file of their own: the names the others give them.
    for (name, groups) in &out.groups {
        for lang in crate::content::lang::declared(config).into_iter().skip(1) {
            let key = (Some(lang.to_string()), name.clone());
            if out.lists.contains_key(&key) {
                continue;
            }
            let names: Vec<String> =
                groups.iter().flat_map(|g| g.iter().filter(|(l, _)| l == lang).map(|(_, n)| n.clone())).collect();
            if !names.is_empty() {
                out.lists.insert(key, names);
            }
        }
    }
    out
}

/// A taxonomy's terms while pages are read: term slug → each name written
/// for it (`Rust`, `rust`) → its pages.
type TermsBySlug = BTreeMap<String, BTreeMap<String, Vec<usize>>>;

/// Group pages by term, checking terms against any allowed list.
pub fn collect(root: &Path, config: &Config, content: &Content, diags: &mut Vec<Diagnostic>) -> Vec<Taxonomy> {
    let allowed = allowed_terms(root, config, diags);
    let term_slug = |t: &str| crate::slug::path(t, config.slugify.taxonomies);
    // Terms match the allowed list by slug ("nato" is "NATO"), and the list's
    // spelling is the one shown: the file gives the display names.
    let allowed_sets: BTreeMap<&TaxKey, HashMap<String, &str>> =
        allowed.lists.iter().map(|(k, v)| (k, v.iter().map(|t| (term_slug(t), t.as_str())).collect())).collect();
    // The default language's taxonomies first, then each other language's.
    let mut by_tax: BTreeMap<(Option<String>, String), TermsBySlug> =
        config.taxonomies.keys().map(|k| ((None, k.clone()), BTreeMap::new())).collect();
    for lang in config.languages.keys().filter(|l| **l != config.default_language) {
        for name in crate::content::lang::taxonomy_names(config, lang) {
            by_tax.insert((Some(lang.clone()), name), BTreeMap::new());
        }
    }
    for (i, page) in content.pages.iter().enumerate() {
        for (tax, terms) in &page.meta.taxonomies {
            let key = (page.lang.clone(), tax.clone());
            let Some(map) = by_tax.get_mut(&key) else { continue };
            for term in terms {
                let display = allowed_sets.get(&key).and_then(|set| set.get(&term_slug(term)).copied());
                if allowed_sets.contains_key(&key) && display.is_none() {
                    let text = &page.file.text;
                    let span = find_term(text, page.body_start, term);
                    let mut d = Diagnostic::error(
                        "taxonomy/unknown-term",
                        page.file.rel.clone(),
                        format!("`{term}` is not an allowed term of `{tax}`"),
                    )
                    .with_span(span);
                    if let Some(best) = closest(term, allowed.lists[&key].iter().map(String::as_str)) {
                        d = d.with_help(format!("did you mean \"{best}\"?"));
                    }
                    diags.push(d);
                    continue;
                }
                let slug = term_slug(term);
                if slug.is_empty() {
                    continue;
                }
                let written = display.unwrap_or(term.as_str());
                let pages = map.entry(slug).or_default().entry(written.to_string()).or_default();
                if pages.last() != Some(&i) {
                    pages.push(i);
                }
            }
        }
    }
    by_tax
        .into_iter()
        .map(|((lang, name), terms)| {
            let own = lang.as_deref().unwrap_or(&config.default_language);
            let terms = terms
                .into_iter()
                .map(|(slug, names)| {
                    let mut term = merge_names(slug, names, content);
                    term.translations = term_translations(&allowed, &name, own, &term.slug, &term_slug);
                    term
                })
                .collect();
            let slug = match &lang {
                Some(lang) => format!("{lang}/{}", term_slug(&name)),
                None => term_slug(&name),
            };
            Taxonomy { name, slug, lang, terms }
        })
        .collect()
}

/// One term from the names written for one slug, as Zola merges them: the
/// first name in sort order (`Rust` before `rust`) names it, and its pages
/// are each name's pages, newest first, one name after the other.
fn merge_names(slug: String, names: BTreeMap<String, Vec<usize>>, content: &Content) -> Term {
    let name = names.keys().next().cloned().unwrap_or_default();
    let mut pages: Vec<usize> = Vec::new();
    let mut seen: HashSet<usize> = HashSet::new();
    for (_, mut list) in names {
        sort_pages(&mut list, &content.pages, SortBy::Date);
        pages.extend(list.into_iter().filter(|&i| seen.insert(i)));
    }
    Term { name, slug, pages, translations: Vec::new() }
}

/// The other languages' names of the term `slug` of language `lang`, as
/// the allowed-terms files pair them.
fn term_translations(
    allowed: &Allowed,
    taxonomy: &str,
    lang: &str,
    slug: &str,
    term_slug: &dyn Fn(&str) -> String,
) -> Vec<(String, String)> {
    let Some(groups) = allowed.groups.get(taxonomy) else { return Vec::new() };
    let mut out: Vec<(String, String)> = Vec::new();
    for g in groups.iter().filter(|g| g.iter().any(|(l, n)| l == lang && term_slug(n) == slug)) {
        for (l, n) in g.iter().filter(|(l, _)| l != lang) {
            if !out.iter().any(|(x, _)| x == l) {
                out.push((l.clone(), n.clone()));
            }
        }
    }
    out
}

/// Where a term is written in the front matter, for the caret.
fn find_term(text: &str, body_start: usize, term: &str) -> std::ops::Range<usize> {
    let front = &text[..body_start.min(text.len())];
    for quote in ['"', '\''] {
        let needle = format!("{quote}{term}{quote}");
        if let Some(i) = front.find(&needle) {
            return i + 1..i + 1 + term.len();
        }
    }
    match front.find(term) {
        Some(i) => i..i + term.len(),
        None => {
            let split = Split { front: 4..front.len(), body_start, yaml: false };
            key_span(text, &split, "taxonomies")
        }
    }
}
