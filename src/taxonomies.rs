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

/// Allowed terms per taxonomy, read from the files named by `allowed`.
fn allowed_terms(root: &Path, config: &Config, diags: &mut Vec<Diagnostic>) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (name, tax) in &config.taxonomies {
        let Some(file) = &tax.allowed else { continue };
        match crate::inside::read_to_string(root, file) {
            Ok(text) => {
                let terms = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string)
                    .collect();
                out.insert(name.clone(), terms);
            }
            Err(e) => diags.push(Diagnostic::error(
                "config/allowed-terms",
                "config.toml",
                format!("taxonomy `{name}`: could not read allowed terms from {}: {e}", file.display()),
            )),
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
    let allowed_sets: BTreeMap<&String, HashMap<String, &str>> =
        allowed.iter().map(|(k, v)| (k, v.iter().map(|t| (term_slug(t), t.as_str())).collect())).collect();
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
            let Some(map) = by_tax.get_mut(&(page.lang.clone(), tax.clone())) else { continue };
            for term in terms {
                let display = allowed_sets.get(tax).and_then(|set| set.get(&term_slug(term)).copied());
                if allowed_sets.contains_key(tax) && display.is_none() {
                    let text = &page.file.text;
                    let span = find_term(text, page.body_start, term);
                    let mut d = Diagnostic::error(
                        "taxonomy/unknown-term",
                        page.file.rel.clone(),
                        format!("`{term}` is not an allowed term of `{tax}`"),
                    )
                    .with_span(span);
                    if let Some(best) = closest(term, allowed[tax].iter().map(String::as_str)) {
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
            let terms = terms.into_iter().map(|(slug, names)| merge_names(slug, names, content)).collect();
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
    Term { name, slug, pages }
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
