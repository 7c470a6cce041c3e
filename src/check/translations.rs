//! `attache check`'s translation reports for multilingual sites: pages with no
//! translation (or translations with no original), translations older than
//! their original, and links in a page's Markdown body into another
//! language's page.
//!
//! Editors of a bilingual site lose track of which articles were translated
//! and which translations fell behind an update; Hugo and Zola leave them to
//! find out by hand. Each finding is a note (a translation may lag on
//! purpose), an error under `--deny translations` ([`deny`]).
//!
//! Pages are grouped with their translations by their path without the
//! language (`europe/minsk.uk.md` → `europe/minsk.md`), as the build does.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crate::config::Config;
use crate::content::front_matter::Date;
use crate::content::{Content, SourceFile, lang};
use crate::diagnostics::{Diagnostic, Severity};

/// Codes of the findings, all starting with this prefix (what `--deny translations` looks for).
pub const PREFIX: &str = "translation/";
const MISSING: &str = "translation/missing";
const STALE: &str = "translation/stale";
const CROSS_LINK: &str = "translation/cross-language-link";

/// One page or section as this check sees it.
struct Doc<'c> {
    file: &'c SourceFile,
    body_start: usize,
    content_rel: &'c str,
    url_path: &'c str,
    lang: &'c str,
    /// `updated`, else `date` (pages only): when the text last changed.
    changed: Option<&'c Date>,
}

/// Every translation finding for `content`, as notes. Nothing for a site
/// that declares no language besides its default one.
pub fn check(content: &Content, config: &Config) -> Vec<Diagnostic> {
    let default = config.default_language.as_str();
    let others: Vec<&str> = config.languages.keys().map(String::as_str).filter(|l| *l != default).collect();
    if others.is_empty() {
        return Vec::new();
    }
    let docs = docs(content, default);
    let mut groups: BTreeMap<String, Vec<&Doc<'_>>> = BTreeMap::new();
    for d in docs.iter().filter(|d| !d.file.text.is_empty()) {
        let key = lang::without_language(d.content_rel, (d.lang != default).then_some(d.lang));
        groups.entry(key).or_default().push(d);
    }
    let mut out = Vec::new();
    for members in groups.values() {
        missing(members, default, &others, &mut out);
        stale(members, default, &mut out);
    }
    cross_language_links(&docs, &groups, config, &mut out);
    out
}

/// Turn the notes [`check`] made into errors (`--deny translations`).
pub fn deny(diagnostics: &mut [Diagnostic]) {
    for d in diagnostics.iter_mut().filter(|d| d.code.starts_with(PREFIX)) {
        d.severity = Severity::Error;
    }
}

/// Pages and sections with their language (the default one spelled out).
fn docs<'c>(content: &'c Content, default: &'c str) -> Vec<Doc<'c>> {
    let pages = content.pages.iter().map(|p| Doc {
        file: &p.file,
        body_start: p.body_start,
        content_rel: &p.content_rel,
        url_path: &p.url_path,
        lang: p.lang.as_deref().unwrap_or(default),
        changed: p.meta.updated.as_ref().or(p.meta.date.as_ref()),
    });
    let sections = content.sections.iter().map(|s| Doc {
        file: &s.file,
        body_start: s.body_start,
        content_rel: &s.content_rel,
        url_path: &s.url_path,
        lang: s.lang.as_deref().unwrap_or(default),
        changed: None,
    });
    pages.chain(sections).collect()
}

/// A default-language page with no version in one of the other languages,
/// and a translation with no default-language original.
fn missing(members: &[&Doc<'_>], default: &str, others: &[&str], out: &mut Vec<Diagnostic>) {
    let has = |l: &str| members.iter().any(|d| d.lang == l);
    match members.iter().find(|d| d.lang == default) {
        Some(original) => {
            for l in others.iter().filter(|l| !has(l)) {
                let want = lang::localized_rel(original.content_rel, l, default);
                out.push(note(
                    MISSING,
                    original.file,
                    format!("no `{l}` translation of this page"),
                    format!("translate it as content/{want}"),
                ));
            }
        }
        None => {
            for t in members {
                let want = lang::without_language(t.content_rel, Some(t.lang));
                out.push(note(
                    MISSING,
                    t.file,
                    format!("this `{}` page has no `{default}` original", t.lang),
                    format!("the default-language version would be content/{want}"),
                ));
            }
        }
    }
}

/// A translation dated before the latest change of its original.
fn stale(members: &[&Doc<'_>], default: &str, out: &mut Vec<Diagnostic>) {
    let Some(original) = members.iter().find(|d| d.lang == default) else { return };
    let Some(source_changed) = original.changed else { return };
    for t in members.iter().filter(|d| d.lang != default) {
        let Some(translated) = t.changed else { continue };
        if source_changed.timestamp > translated.timestamp {
            out.push(note(
                STALE,
                t.file,
                format!(
                    "this `{}` translation ({}) is older than its original {} ({})",
                    t.lang,
                    translated.text,
                    original.file.rel.display(),
                    source_changed.text
                ),
                "bring the translation up to date, then set its `updated` date".to_string(),
            ));
        }
    }
}

/// Links in each page's Markdown body that lead to a page or section in
/// another language (the translation switcher's links are the templates',
/// not the body's, and are not looked at).
fn cross_language_links(
    docs: &[Doc<'_>],
    groups: &BTreeMap<String, Vec<&Doc<'_>>>,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    let by_rel: HashMap<&str, &Doc<'_>> = docs.iter().map(|d| (d.content_rel, d)).collect();
    let by_url: HashMap<&str, &Doc<'_>> = docs.iter().map(|d| (d.url_path, d)).collect();
    for d in docs.iter().filter(|d| !d.file.text.is_empty()) {
        for (dest, span) in body_links(d, config) {
            let target = match resolve(&dest, d, config) {
                Target::Content(rel) => by_rel.get(rel.as_str()),
                Target::Url(url) => by_url.get(url.as_str()),
                Target::Elsewhere => None,
            };
            let Some(target) = target.filter(|t| t.lang != d.lang) else { continue };
            let key = lang::without_language(target.content_rel, Some(target.lang));
            let own = groups.get(&key).and_then(|g| g.iter().find(|x| x.lang == d.lang));
            let help = match own {
                Some(own) => format!("link to the `{}` version instead: @/{}", d.lang, own.content_rel),
                None => format!(
                    "there is no `{}` version of it yet; keep the link if readers should switch language",
                    d.lang
                ),
            };
            let message =
                format!("link from this `{}` page to the `{}` page {}", d.lang, target.lang, target.file.rel.display());
            out.push(note(CROSS_LINK, d.file, message, help).with_span(span));
        }
    }
}

/// The destinations of the links in a document's Markdown body, with their
/// byte spans in the file.
fn body_links(d: &Doc<'_>, config: &Config) -> Vec<(String, Range<usize>)> {
    use pulldown_cmark::{Event, Parser, Tag};
    let Some(body) = d.file.text.get(d.body_start..) else { return Vec::new() };
    let options = crate::render::markdown::options(&config.markdown);
    Parser::new_ext(body, options)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                Some((dest_url.to_string(), d.body_start + range.start..d.body_start + range.end))
            }
            _ => None,
        })
        .collect()
}

/// Where a link leads, as far as this check needs to know.
enum Target {
    /// A content file (`@/x.md`, or a relative `../x.md`).
    Content(String),
    /// A URL path on this site, `/europe/minsk/`.
    Url(String),
    /// Another site, an anchor, a file: not a page.
    Elsewhere,
}

fn resolve(dest: &str, from: &Doc<'_>, config: &Config) -> Target {
    let dest = dest.split(['#', '?']).next().unwrap_or("");
    if dest.is_empty() {
        return Target::Elsewhere;
    }
    if let Some(rel) = dest.strip_prefix("@/") {
        return Target::Content(rel.trim_start_matches('/').to_string());
    }
    let site = config.base_url.trim_end_matches('/');
    let dest = match dest.strip_prefix(site) {
        Some(rest) if !site.is_empty() && (rest.is_empty() || rest.starts_with('/')) => {
            if rest.is_empty() {
                "/"
            } else {
                rest
            }
        }
        _ if dest.contains("://") || dest.starts_with("//") || dest.contains(':') => return Target::Elsewhere,
        _ => dest,
    };
    if dest.ends_with(".md") && !dest.starts_with('/') {
        return Target::Content(join(dir_of(from.content_rel), dest));
    }
    let path = match dest.strip_prefix('/') {
        Some(abs) => {
            let base = config.base_path().trim_matches('/');
            if base.is_empty() { abs } else { abs.strip_prefix(base).map_or(abs, |r| r.trim_start_matches('/')) }
                .to_string()
        }
        None => join(from.url_path.trim_start_matches('/'), dest),
    };
    let path = path.trim_end_matches("index.html").trim_matches('/');
    Target::Url(if path.is_empty() { "/".to_string() } else { format!("/{path}/") })
}

/// The directory part of a content path, with its trailing `/` (`europe/`).
fn dir_of(content_rel: &str) -> &str {
    content_rel.rfind('/').map_or("", |i| &content_rel[..=i])
}

/// `dir` + a relative path, with `.` and `..` resolved (never above the root).
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn note(code: &'static str, file: &SourceFile, message: String, help: String) -> Diagnostic {
    Diagnostic { severity: Severity::Note, ..Diagnostic::error(code, file.rel.clone(), message) }.with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(join("europe/", "../asia/x.md"), "asia/x.md");
        assert_eq!(join("uk/europe/minsk/", "../kyiv/"), "uk/europe/kyiv");
        assert_eq!(dir_of("europe/minsk.uk.md"), "europe/");
        assert_eq!(dir_of("_index.md"), "");
    }
}
