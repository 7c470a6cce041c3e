//! Stage 1, "load": `content/` → [`Content`] (pages, sections, assets).
//!
//! Walks `content/` with walkdir in file-name order (so output and diagnostic
//! order never vary), reads and parses every Markdown file in parallel, and
//! links pages to their sections. It never renders anything and never writes.

pub mod front_matter;
pub mod lang;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, OffsetMap, SourceMap};
use crate::slug::{is_reserved, slugify};
use front_matter::{Date, Fields, Split, key_span};

/// A Markdown file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, as shown in diagnostics (`content/x.md`).
    pub rel: PathBuf,
    pub text: Arc<str>,
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Newest first; pages without a date last, by title.
    Date,
    /// Lightest first.
    Weight,
    /// Alphabetical.
    Title,
}

/// Front matter of a page.
#[derive(Debug, Clone, Default)]
pub struct PageMeta {
    pub title: String,
    pub description: Option<String>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    /// From this moment on the page is no longer published (Hugo's `expiryDate`).
    pub expiry: Option<Date>,
    pub draft: bool,
    pub slug: Option<String>,
    pub aliases: Vec<String>,
    pub weight: Option<i64>,
    pub template: Option<String>,
    pub authors: Vec<String>,
    pub taxonomies: BTreeMap<String, Vec<String>>,
    pub extra: toml::Table,
    /// `correct = false` turns the corrector off for this article.
    pub correct: bool,
    /// `correct = "suggest"` (or `"apply"`): this article's correction mode,
    /// instead of the site's `[correct] mode`.
    pub correct_mode: Option<crate::correct::Mode>,
    /// Words and phrases the corrector must leave as written.
    pub keep: Vec<String>,
    /// Zola's `in_search_index` (default true).
    pub in_search_index: bool,
    /// Zola's `render` (default true): with `false` the page has no output of
    /// its own and is left out of its section's `pages`, the sitemap and the
    /// search index, but `get_page` still finds it (a page of data).
    pub render: bool,
}

/// Front matter of a section (`_index.md`).
#[derive(Debug, Clone)]
pub struct SectionMeta {
    /// Zola's `transparent`: the section's pages are listed in its parent
    /// section too (and further up while the parent is transparent).
    pub transparent: bool,
    pub title: String,
    pub description: Option<String>,
    pub sort_by: SortBy,
    pub paginate_by: Option<usize>,
    /// Zola's `paginate_reversed`: the pagers list the pages in the
    /// reverse of the section's order.
    pub paginate_reversed: bool,
    /// Zola's `paginate_path` (default `page`): the URL segment before a
    /// pager's number, `blog/page/2/`; empty gives `blog/2/`.
    pub paginate_path: String,
    /// Zola's `render` (default true): with `false` the section writes no
    /// page of its own (its pages, feed and files are still written).
    pub render: bool,
    pub template: Option<String>,
    pub page_template: Option<String>,
    pub weight: Option<i64>,
    pub aliases: Vec<String>,
    pub extra: toml::Table,
    pub correct: bool,
    pub keep: Vec<String>,
    /// Zola's `insert_anchor_links` for the section and its own pages
    /// (unset: `[markdown]`'s).
    pub insert_anchor_links: Option<crate::config::InsertAnchor>,
    /// Zola's `in_search_index` (default true).
    pub in_search_index: bool,
    /// Zola's `redirect_to`: the section's page is a redirect there.
    pub redirect_to: Option<String>,
    /// Zola's `generate_feeds`: the section's own feed (unset: config.toml's
    /// `section_feeds`).
    pub generate_feeds: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub file: SourceFile,
    pub meta: PageMeta,
    /// Byte offset of the body in `file.text`.
    pub body_start: usize,
    /// The Markdown body (after correction, once that stage has run).
    pub body: String,
    /// Offsets in `body` → offsets in the body as written (identity until corrected).
    pub body_map: OffsetMap,
    /// Path inside `content/` with `/` separators: the `@/` link target.
    pub content_rel: String,
    /// URL path, `/europe/minsk-agreements/`, without the site's base path.
    pub url_path: String,
    /// Index of the parent section in [`Content::sections`].
    pub section: usize,
    /// For a page bundle (`page/index.md`), the names of its co-located files.
    pub assets: Vec<String>,
    /// The page's language when not the default (`post.fr.md`); see [`lang`].
    pub lang: Option<String>,
    /// The URL path the page had before a slug rule changed it (today: a
    /// dated file name, `2018-10-01-title.md`, whose date is no longer part
    /// of the slug). The build keeps it as a redirect so old links work.
    pub moved_from: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub file: SourceFile,
    pub meta: SectionMeta,
    pub body_start: usize,
    pub body: String,
    pub body_map: OffsetMap,
    pub content_rel: String,
    pub url_path: String,
    pub parent: Option<usize>,
    /// Published pages, in the section's sort order (filled by [`Content::link`]).
    pub pages: Vec<usize>,
    pub subsections: Vec<usize>,
    /// The section's language when not the default (`_index.fr.md`).
    pub lang: Option<String>,
}

/// A non-Markdown file in `content/`, copied to the same place in the output.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// Output path relative to the output root, `/` separated.
    pub output: String,
}

/// Everything loaded from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    pub pages: Vec<Page>,
    pub sections: Vec<Section>,
    pub assets: Vec<Asset>,
    pub sources: SourceMap,
    /// Content paths of drafts left out of this build (for "links to a draft").
    pub drafts: HashSet<String>,
}

const PAGE_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "expiry",
    "draft",
    "slug",
    "aliases",
    "weight",
    "template",
    "authors",
    "taxonomies",
    "extra",
    "correct",
    "keep",
    "path",
    "render",
    "in_search_index",
    "insert_anchor_links",
];
const SECTION_KEYS: &[&str] = &[
    "title",
    "description",
    "sort_by",
    "paginate_by",
    "template",
    "page_template",
    "weight",
    "aliases",
    "extra",
    "correct",
    "keep",
    "draft",
    "transparent",
    "redirect_to",
    "paginate_reversed",
    "paginate_path",
    "in_search_index",
    "insert_anchor_links",
    "render",
    "generate_feeds",
    "feed_filenames",
];

/// Which pages a build publishes: drafts only when asked, pages dated in the
/// future only when asked (an embargo by date, as Hugo does), and never a page
/// past its `expiry`. A page left out is left out everywhere: listings, feeds,
/// sitemap, search, taxonomies, its bundle's files; links to it are errors.
#[derive(Debug, Clone, Copy, Default)]
pub struct Publish {
    pub drafts: bool,
    pub future: bool,
    /// The build's clock, seconds since the epoch (UTC).
    pub now: i64,
}

impl Publish {
    /// The switches with the build's clock read now.
    pub fn at_now(drafts: bool, future: bool) -> Publish {
        Publish { drafts, future, now: chrono::Utc::now().timestamp() }
    }

    /// Whether a page with this front matter is published.
    pub fn shows(&self, meta: &PageMeta) -> bool {
        let embargoed = meta.date.as_ref().is_some_and(|d| d.timestamp > self.now);
        let expired = meta.expiry.as_ref().is_some_and(|d| d.timestamp <= self.now);
        (self.drafts || !meta.draft) && (self.future || !embargoed) && !expired
    }
}

/// Leave out `_index.DEFAULT.md` files (Zola builds no section from them:
/// `_index.md` is the default language's), with one warning naming how many.
fn skip_default_indexes(config: &Config, markdown: &mut Vec<PathBuf>, diags: &mut Vec<Diagnostic>) {
    let before = markdown.len();
    markdown.retain(|p| !lang::is_default_index(p, config));
    let left_out = before - markdown.len();
    if left_out > 0 {
        diags.push(
            Diagnostic::warning(
                "content/language",
                "content",
                format!(
                    "{left_out} file(s) named _index.{}.md are not built: `{}` is the default language, whose sections are the _index.md files",
                    config.default_language, config.default_language
                ),
            )
            .with_help("as in Zola; remove them or rename them _index.md"),
        );
    }
}

pub(crate) enum Parsed {
    Page(Page),
    Section(Section),
}

/// Load `root/content`. Problems are pushed to `diags`; whatever loaded cleanly is
/// returned so that every problem of the site is reported in one run.
pub fn load(root: &Path, config: &Config, publish: Publish, diags: &mut Vec<Diagnostic>) -> Content {
    let content_dir = root.join("content");
    let mut markdown = Vec::new();
    let mut other = Vec::new();
    let ignored = Config::ignore_set(&config.ignored_content);
    // Zola's `ignored_content`: a file or directory whose path inside
    // `content/` matches is left out (a directory with all below it).
    let keep = |rel: &str, e: &walkdir::DirEntry| {
        !is_hidden(e.file_name())
            && (e.file_type().is_dir() || !is_editor_temp(e.file_name()))
            && !ignored.is_match(rel)
    };
    for found in crate::inside::files(root, &content_dir, keep, diags) {
        let path = found.path;
        if path.extension().is_some_and(|e| e == "md") {
            markdown.push(path);
        } else {
            other.push(path);
        }
    }

    skip_default_indexes(config, &mut markdown, diags);
    let results: Vec<(Option<Parsed>, Vec<Diagnostic>, Option<SourceFile>)> =
        markdown.par_iter().map(|path| parse_file(root, &content_dir, path, config)).collect();

    let mut content = Content::default();
    let mut pages = Vec::new();
    // Bundle directories of pages left out: their files are left out too.
    let mut withheld: Vec<PathBuf> = Vec::new();
    for (parsed, mut d, file) in results {
        diags.append(&mut d);
        if let Some(f) = file {
            content.sources.insert(f.rel.clone(), f.text.clone());
        }
        match parsed {
            Some(Parsed::Page(p)) => {
                // A page that is not rendered has no directory to hold its files.
                if !p.meta.render
                    && p.content_rel.ends_with("/index.md")
                    && let Some(dir) = content_dir.join(&p.content_rel).parent()
                {
                    withheld.push(dir.to_path_buf());
                }
                if !publish.shows(&p.meta) {
                    if p.content_rel.ends_with("/index.md")
                        && let Some(dir) = content_dir.join(&p.content_rel).parent()
                    {
                        withheld.push(dir.to_path_buf());
                    }
                    content.drafts.insert(p.content_rel);
                    continue;
                }
                pages.push(p);
            }
            Some(Parsed::Section(s)) => content.sections.push(s),
            None => {}
        }
    }
    if !content.sections.iter().any(|s| s.content_rel == "_index.md") {
        content.sections.insert(0, synthetic_root(config));
    }
    // Zola gives every language a home page, written or not.
    for lang in config.languages.keys().filter(|l| **l != config.default_language) {
        let rel = format!("_index.{lang}.md");
        if !content.sections.iter().any(|s| s.content_rel == rel) {
            let mut root = synthetic_root(config);
            root.file.rel = PathBuf::from(format!("content/{rel}"));
            root.content_rel = rel;
            root.url_path = format!("/{lang}/");
            root.lang = Some(lang.clone());
            content.sections.push(root);
        }
    }
    content.sections.sort_by(|a, b| a.content_rel.cmp(&b.content_rel));
    content.pages = pages;

    // Bundle directories: a page `x/index.md` owns the other files of `x/`.
    let bundle_dirs: HashMap<PathBuf, usize> = content
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.content_rel.ends_with("/index.md"))
        .filter_map(|(i, p)| Some((content_dir.join(&p.content_rel).parent()?.to_path_buf(), i)))
        .collect();
    for path in other {
        if withheld.iter().any(|dir| path.starts_with(dir)) {
            continue;
        }
        let Ok(inside) = path.strip_prefix(&content_dir) else { continue };
        let inside = to_slash(inside);
        let output = match path.parent().and_then(|d| bundle_dirs.get(d)) {
            Some(&i) => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                content.pages[i].assets.push(name.clone());
                format!("{}{}", content.pages[i].url_path.trim_start_matches('/'), name)
            }
            None => match url_dirs(&inside, config.slugify.paths) {
                Ok(output) => output,
                Err(dir) => {
                    diags.push(
                        Diagnostic::error(
                            "fm/invalid-slug",
                            rel_to(root, &path),
                            format!("the directory `{dir}` in this file's path has no letter or digit, so its URL would have an empty segment"),
                        )
                        .with_help("rename the directory (URL segments are made of the letters and digits of its name)"),
                    );
                    continue;
                }
            },
        };
        content.assets.push(Asset { source: path, output });
    }
    content.link();
    content
}

impl Content {
    /// Attach pages and subsections to their sections and sort them.
    fn link(&mut self) {
        let by_dir: HashMap<(Option<String>, String), usize> =
            self.sections.iter().enumerate().map(|(i, s)| ((s.lang.clone(), section_dir(s)), i)).collect();
        // The nearest section up from `dir` in `lang`, else in the default
        // language, else the root.
        let parent_of = |lang: &Option<String>, dir: &str| -> usize {
            for lang in [lang.clone(), None] {
                let mut dir = dir.to_string();
                loop {
                    if let Some(&i) = by_dir.get(&(lang.clone(), dir.clone())) {
                        return i;
                    }
                    match dir.rfind('/') {
                        Some(i) => dir.truncate(i),
                        None if !dir.is_empty() => dir.clear(),
                        None => break,
                    }
                }
            }
            by_dir.get(&(None, String::new())).copied().unwrap_or(0)
        };
        for i in 0..self.sections.len() {
            let dir = section_dir(&self.sections[i]);
            // Every language's home is a root of its own.
            if dir.is_empty() {
                continue;
            }
            let lang = self.sections[i].lang.clone();
            let up = dir.rfind('/').map_or(String::new(), |i| dir[..i].to_string());
            let p = parent_of(&lang, &up);
            if p == i {
                continue;
            }
            self.sections[i].parent = Some(p);
            self.sections[p].subsections.push(i);
        }
        for (i, page) in self.pages.iter_mut().enumerate() {
            let rel = lang::without_language(&page.content_rel, page.lang.as_deref());
            let mut dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            if rel.ends_with("/index.md") {
                dir = dir.rsplit_once('/').map_or(String::new(), |(d, _)| d.to_string());
            }
            let s = parent_of(&page.lang, &dir);
            page.section = s;
            // As Zola: a page that is not rendered is listed nowhere.
            if !page.meta.render {
                continue;
            }
            self.sections[s].pages.push(i);
            // A transparent section passes its pages up (Zola's rule).
            let mut at = s;
            while self.sections[at].meta.transparent
                && let Some(up) = self.sections[at].parent
            {
                self.sections[up].pages.push(i);
                at = up;
            }
        }
        for s in 0..self.sections.len() {
            let mut list = std::mem::take(&mut self.sections[s].pages);
            sort_pages(&mut list, &self.pages, self.sections[s].meta.sort_by);
            self.sections[s].pages = list;
            let mut subs = std::mem::take(&mut self.sections[s].subsections);
            subs.sort_by(|&a, &b| {
                let (a, b) = (&self.sections[a], &self.sections[b]);
                (a.meta.weight.unwrap_or(0), &a.meta.title, &a.content_rel).cmp(&(
                    b.meta.weight.unwrap_or(0),
                    &b.meta.title,
                    &b.content_rel,
                ))
            });
            self.sections[s].subsections = subs;
        }
    }
}

/// The directory of a section inside `content/` (`blog`, `` for the root),
/// whatever its language.
pub fn section_dir(s: &Section) -> String {
    lang::without_language(&s.content_rel, s.lang.as_deref())
        .trim_end_matches("_index.md")
        .trim_end_matches('/')
        .to_string()
}

/// Sort page indices in place. Ties are broken by URL path as Zola breaks
/// them (by permalink), then by file, so the order is total.
pub fn sort_pages(list: &mut [usize], pages: &[Page], by: SortBy) {
    list.sort_by(|&a, &b| {
        let (pa, pb) = (&pages[a], &pages[b]);
        let tie = || pa.url_path.cmp(&pb.url_path).then_with(|| pa.content_rel.cmp(&pb.content_rel));
        match by {
            SortBy::Date => match (&pa.meta.date, &pb.meta.date) {
                (Some(x), Some(y)) => y.cmp(x).then_with(tie),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => pa.meta.title.cmp(&pb.meta.title).then_with(tie),
            },
            SortBy::Weight => {
                pa.meta.weight.unwrap_or(i64::MAX).cmp(&pb.meta.weight.unwrap_or(i64::MAX)).then_with(tie)
            }
            SortBy::Title => pa.meta.title.to_lowercase().cmp(&pb.meta.title.to_lowercase()).then_with(tie),
        }
    });
}

fn synthetic_root(config: &Config) -> Section {
    Section {
        file: SourceFile { rel: PathBuf::from("content/_index.md"), text: Arc::from("") },
        meta: SectionMeta {
            transparent: false,
            title: config.title.clone(),
            description: config.description.clone(),
            sort_by: SortBy::Date,
            paginate_by: None,
            paginate_reversed: false,
            paginate_path: DEFAULT_PAGINATE_PATH.to_string(),
            render: true,
            template: None,
            page_template: None,
            weight: None,
            aliases: Vec::new(),
            extra: toml::Table::new(),
            correct: true,
            keep: Vec::new(),
            insert_anchor_links: None,
            generate_feeds: None,
            in_search_index: true,
            redirect_to: None,
        },
        body_start: 0,
        body: String::new(),
        body_map: OffsetMap::default(),
        content_rel: "_index.md".into(),
        url_path: "/".into(),
        parent: None,
        pages: Vec::new(),
        subsections: Vec::new(),
        lang: None,
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// Editors' swap and backup files are never content.
pub fn is_editor_temp(name: &std::ffi::OsStr) -> bool {
    let n = name.to_string_lossy();
    n.ends_with('~') || n.ends_with(".swp") || n.ends_with(".swx") || n.starts_with(".#") || n.starts_with('#')
}

pub fn rel_to(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

fn to_slash(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Directory part of a content path as URL segments: `Europe/Black Sea/x.png` →
/// `europe/black-sea/x.png` (the file name is kept as is); `Err` with the
/// directory whose name gives an empty segment.
fn url_dirs(inside: &str, rule: crate::slug::Strategy) -> Result<String, &str> {
    match inside.rsplit_once('/') {
        Some((dirs, file)) => {
            let dirs = dir_segments(&dirs.split('/').collect::<Vec<_>>(), rule)?;
            Ok(format!("{}/{}", dirs.join("/"), file))
        }
        None => Ok(inside.to_string()),
    }
}

/// URL segments of the directories of a content path; `Err` with the first
/// directory name that has no letter or digit, which would leave an empty
/// segment in the URL (`content/europe/!!!/osce.md` → `/europe//osce/`).
/// `rule` is `[slugify] paths` (see [`crate::slug::dir`]).
fn dir_segments<'a>(dirs: &[&'a str], rule: crate::slug::Strategy) -> Result<Vec<String>, &'a str> {
    dirs.iter().map(|d| Some(crate::slug::dir(d, rule)).filter(|s| !s.is_empty()).ok_or(*d)).collect()
}

/// The URL Attaché 0.1 gave a page, by its slug rules before Zola's: the
/// file's whole name (a date included) and its directory names, each
/// slugified keeping every script's letters (`Türkiye` → `türkiye`) and
/// no `_`. A page whose URL differs now keeps that one as a redirect.
fn legacy_url(dirs: &[&str], stem: &str) -> Option<String> {
    let mut url = String::from("/");
    for segment in dirs.iter().copied().chain([stem]) {
        let s = crate::slug::path(segment, crate::slug::Strategy::Unicode);
        if s.is_empty() {
            return None;
        }
        url.push_str(&s);
        url.push('/');
    }
    Some(url)
}

/// The error for a file below a directory whose name gives an empty URL
/// segment, at the file's opening fence (the path has no line to point at).
fn empty_segment(rel: &Path, split: &Split, dir: &str) -> Diagnostic {
    let s = split.front.start.saturating_sub(4);
    Diagnostic::error(
        "fm/invalid-slug",
        rel,
        format!(
            "the directory `{dir}` in this file's path has no letter or digit, so its URL would have an empty segment"
        ),
    )
    .with_span(s..s + 3)
    .with_help("rename the directory (URL segments are made of the letters and digits of its name)")
}

/// A slug from front matter must be one safe path segment: it can never climb out
/// of the output directory.
fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('.')
        && slug.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Report invalid UTF-8 with the line and column of the first bad byte.
fn decode(rel: &Path, bytes: Vec<u8>) -> Result<String, Box<(Diagnostic, String)>> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        // Offsets in the lossy text equal the original up to the first bad byte.
        let d = Diagnostic::error("io/invalid-utf8", rel, "this file is not valid UTF-8")
            .with_span(at..at + 1)
            .with_help("save the file as UTF-8 in your editor");
        Box::new((d, lossy))
    })
}

/// The error for `page.CODE.md` whose CODE is not one of the site's
/// languages: the file, the languages there are, and the likely one.
fn unknown_language(rel: &Path, code: &str, config: &Config) -> Diagnostic {
    let langs = lang::declared(config).iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ");
    let d = Diagnostic::error(
        "content/language",
        rel,
        format!("`{code}` is not one of the site's languages ({langs}), so this file has no language to be built in"),
    );
    match lang::suggestion(code, config) {
        Some(best) => d.with_help(format!(
            "did you mean `{best}`? rename the file, or declare `[languages.{code}]` in config.toml"
        )),
        None => d.with_help(format!("declare `[languages.{code}]` in config.toml, or rename the file")),
    }
}

pub(crate) fn parse_file(
    root: &Path,
    content_dir: &Path,
    path: &Path,
    config: &Config,
) -> (Option<Parsed>, Vec<Diagnostic>, Option<SourceFile>) {
    let rel = rel_to(root, path);
    if let Some(code) = lang::undeclared(path, config) {
        return (None, vec![unknown_language(&rel, code, config)], None);
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return (None, vec![Diagnostic::error("io/read", rel, format!("could not read: {e}"))], None),
    };
    let text = match decode(&rel, bytes) {
        Ok(t) => t,
        Err(bad) => {
            let (d, lossy) = *bad;
            let file = SourceFile { rel, text: Arc::from(lossy) };
            return (None, vec![d], Some(file));
        }
    };
    let file = SourceFile { rel: rel.clone(), text: Arc::from(text) };
    let content_rel = path.strip_prefix(content_dir).map(to_slash).unwrap_or_default();
    let text = file.text.clone();
    let split = match front_matter::split(&rel, &text) {
        Ok(s) => s,
        Err(d) => return (None, vec![d], Some(file)),
    };
    let table = match front_matter::parse_table(&rel, &text, &split) {
        Ok(t) => t,
        Err(d) => return (None, vec![d], Some(file)),
    };
    let is_section = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        n == "_index.md" || (n.starts_with("_index.") && lang::other_language(path, config).is_some())
    });
    let (parsed, diags) = if is_section {
        let (s, d) = section_from(file.clone(), &split, table, content_rel, config);
        (s.map(Parsed::Section), d)
    } else {
        let (p, d) = page_from(file.clone(), &split, table, content_rel, config);
        (p.map(Parsed::Page), d)
    };
    (parsed, diags, Some(file))
}

/// The title. Zola makes it optional, and so does Attaché unless
/// `[editorial] required_fields` lists `title`; `None` only when a required
/// title is missing or empty (an error is pushed).
fn read_title(fields: &mut Fields, split: &Split, config: &Config) -> Option<String> {
    let required = config.editorial.required_fields.iter().any(|f| f == "title");
    let help = "add `title = \"…\"` to the front matter (config.toml's [editorial] required_fields asks for one)";
    match fields.string("title") {
        Some(t) if !t.trim().is_empty() || !required => Some(t),
        Some(_) => {
            let span = key_span(fields.text, split, "title");
            fields.diags.push(
                Diagnostic::error("fm/missing-title", fields.path, "`title` is empty").with_span(span).with_help(help),
            );
            None
        }
        None if !required => Some(String::new()),
        None => {
            if !fields.diags.iter().any(|d| d.message.contains("`title`")) {
                let s = split.front.start.saturating_sub(4);
                fields.diags.push(
                    Diagnostic::error("fm/missing-title", fields.path, "this article has no `title`")
                        .with_span(s..s + 3)
                        .with_help(help),
                );
            }
            None
        }
    }
}

/// `2018-10-01-title` or `2018-10-01_title` (Zola's dated file names): the
/// date and the rest, which becomes the slug.
fn date_prefix(name: &str) -> Option<(Date, &str)> {
    let head = name.get(..10)?;
    let rest = name.get(10..)?;
    let rest = rest.strip_prefix('-').or_else(|| rest.strip_prefix('_'))?;
    if rest.is_empty() {
        return None;
    }
    Some((Date::parse(head)?, rest))
}

/// Zola's `path = "a/b"`: the page's URL path, one or more safe segments.
fn custom_path(path: &str) -> Option<String> {
    let trimmed = path.trim_matches('/');
    let ok = !trimmed.is_empty()
        && trimmed
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.contains(['\\', '?', '#']));
    ok.then(|| format!("/{trimmed}/"))
}

/// A page's `correct`: `false` (off), `true`, or a mode (`"suggest"`,
/// `"apply"`); anything else is an error at the key, naming the values.
fn correct_switch(f: &mut Fields) -> (bool, Option<crate::correct::Mode>) {
    use crate::correct::Mode;
    match f.table.remove("correct") {
        None | Some(toml::Value::Boolean(true)) => (true, None),
        Some(toml::Value::Boolean(false)) => (false, None),
        Some(toml::Value::String(s)) if Mode::parse(&s).is_some() => (true, Mode::parse(&s)),
        Some(other) => {
            let message = match &other {
                toml::Value::String(s) => Mode::unknown(s, "correct"),
                _ => "`correct` must be true, false, \"apply\" or \"suggest\"".to_string(),
            };
            let span = key_span(f.text, f.split, "correct");
            f.diags.push(Diagnostic::error("fm/invalid-value", f.path, message).with_span(span));
            (true, None)
        }
    }
}

fn page_from(
    file: SourceFile,
    split: &Split,
    table: toml::Table,
    content_rel: String,
    config: &Config,
) -> (Option<Page>, Vec<Diagnostic>) {
    let text = file.text.clone();
    let rel = file.rel.clone();
    let present: HashSet<String> = table.keys().cloned().collect();
    let mut f = Fields::new(&rel, &text, split, table);
    let title = read_title(&mut f, split, config);
    let mut meta = PageMeta {
        title: title.clone().unwrap_or_default(),
        description: f.string("description"),
        date: f.date("date"),
        updated: f.date("updated"),
        expiry: f.date("expiry"),
        draft: f.bool("draft").unwrap_or(false),
        slug: f.string("slug"),
        aliases: f.strings("aliases"),
        weight: f.int("weight"),
        template: f.string("template"),
        authors: f.strings("authors"),
        taxonomies: BTreeMap::new(),
        extra: f.table("extra"),
        correct: true,
        correct_mode: None,
        keep: f.strings("keep"),
        in_search_index: f.bool("in_search_index").unwrap_or(true),
        render: f.bool("render").unwrap_or(true),
    };
    (meta.correct, meta.correct_mode) = correct_switch(&mut f);
    let path_key = f.string("path");
    zola_page_keys(&mut f);
    let tax = f.table("taxonomies");
    let mut bad_tax = Vec::new();
    for (name, value) in tax {
        let terms = match value {
            toml::Value::Array(items) if items.iter().all(|v| v.is_str()) => {
                items.into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
            }
            toml::Value::String(s) => vec![s],
            _ => {
                bad_tax.push(
                    Diagnostic::error(
                        "fm/invalid-value",
                        rel.clone(),
                        format!("taxonomy `{name}` must be a list of strings"),
                    )
                    .with_span(key_span(&text, split, &name)),
                );
                continue;
            }
        };
        let in_language = lang::other_language(Path::new(&content_rel), config)
            .is_some_and(|l| lang::taxonomy_names(config, l).contains(&name));
        if !config.taxonomies.contains_key(&name) && !in_language {
            let mut d = Diagnostic::error("fm/unknown-taxonomy", rel.clone(), format!("unknown taxonomy `{name}`"))
                .with_span(key_span(&text, split, &name));
            let names: Vec<&str> = config.taxonomies.keys().map(String::as_str).collect();
            d = match front_matter::closest(&name, names.iter().copied()) {
                Some(best) => d.with_help(format!("did you mean `{best}`? Taxonomies are declared in config.toml")),
                None => d.with_help(format!("declare it in config.toml as [taxonomies.{name}]")),
            };
            bad_tax.push(d);
            continue;
        }
        meta.taxonomies.insert(name, terms);
    }
    f.ignore_foreign(SECTION_KEYS, PAGE_KEYS, "section");
    let mut diags = f.finish(PAGE_KEYS);
    diags.append(&mut bad_tax);
    for field in &config.editorial.required_fields {
        if !present.contains(field) && field != "title" {
            let s = split.front.start.saturating_sub(4);
            diags.push(
                Diagnostic::error(
                    "fm/missing-field",
                    rel.clone(),
                    format!("this article has no `{field}`, which config.toml requires"),
                )
                .with_span(s..s + 3),
            );
        }
    }
    if let Some(slug) = &meta.slug
        && !valid_slug(slug)
    {
        diags.push(
            Diagnostic::error("fm/invalid-slug", rel.clone(), format!("slug `{slug}` is not a single URL segment"))
                .with_span(key_span(&text, split, "slug"))
                .with_help("use letters, digits and dashes only, e.g. `minsk-agreements`"),
        );
        meta.slug = None;
    } else if let Some(slug) = &meta.slug
        && is_reserved(slug)
    {
        diags.push(
            Diagnostic::error(
                "fm/invalid-slug",
                rel.clone(),
                format!("slug `{slug}` is the name of a file the build writes, so the page cannot be a directory of that name"),
            )
            .with_span(key_span(&text, split, "slug"))
            .with_help(format!("use letters, digits and dashes only, e.g. `{}`", slugify(slug))),
        );
        meta.slug = None;
    }
    // URL: directories of the path, then the slug (front matter or file name).
    // A translation's URL is made from its path without the language.
    let lang = lang::other_language(Path::new(&content_rel), config);
    let url_rel = lang::without_language(&content_rel, lang);
    let is_bundle = url_rel.ends_with("/index.md") || url_rel == "index.md";
    let mut parts: Vec<&str> = url_rel.split('/').collect();
    let file_name = parts.pop().unwrap_or_default();
    let mut default_slug = if is_bundle {
        parts.pop().unwrap_or("index").to_string()
    } else {
        file_name.trim_end_matches(".md").to_string()
    };
    let mut undated_slug = None;
    if let Some((date, rest)) = date_prefix(&default_slug) {
        meta.date.get_or_insert(date);
        if !config.slugify.paths_keep_dates {
            let rest = rest.to_string();
            undated_slug = Some(std::mem::replace(&mut default_slug, rest));
        }
    }
    let slug = meta.slug.clone().unwrap_or_else(|| crate::slug::path(&default_slug, config.slugify.paths));
    let dirs = match dir_segments(&parts, config.slugify.paths) {
        Ok(d) => d,
        Err(dir) => {
            diags.push(empty_segment(&rel, split, dir));
            return (None, diags);
        }
    };
    let mut url = String::from("/");
    for dir in dirs {
        url.push_str(&dir);
        url.push('/');
    }
    if slug.is_empty() {
        diags.push(
            Diagnostic::error("fm/invalid-slug", rel.clone(), "this file name gives an empty URL; set `slug`")
                .with_span(0..3),
        );
        return (None, diags);
    }
    url.push_str(&slug);
    url.push('/');
    // Before 0.2 the date stayed in the slug: that URL becomes a redirect.
    let moved_from = match (&meta.slug, &path_key) {
        (None, None) => legacy_url(&parts, undated_slug.as_deref().unwrap_or(&default_slug))
            .filter(|old| *old != url)
            .map(|old| lang::localized_url(&old, lang)),
        _ => None,
    };
    // As Zola: a `path` is taken as written, without the language prefix
    // (a translation writes `path = "/fr/about"` itself).
    let mut localize = true;
    if let Some(path) = path_key {
        match custom_path(&path) {
            Some(custom) => {
                url = custom;
                localize = false;
            }
            None => diags.push(
                Diagnostic::error(
                    "fm/invalid-value",
                    rel.clone(),
                    format!("`path` `{path}` is not a URL path inside the site"),
                )
                .with_span(key_span(&text, split, "path"))
                .with_help("write segments separated by `/`, e.g. `path = \"about/team\"`"),
            ),
        }
    }
    let url = if localize { lang::localized_url(&url, lang) } else { url };
    if title.is_none() || diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let body = text[split.body_start..].to_string();
    let page = Page {
        file,
        meta,
        body_start: split.body_start,
        body,
        body_map: OffsetMap::default(),
        content_rel,
        url_path: url,
        section: 0,
        assets: Vec::new(),
        lang: lang.map(str::to_string),
        moved_from,
    };
    (Some(page), diags)
}

/// Zola's page keys Attaché reads but does not act on yet, each warned about.
fn zola_page_keys(f: &mut Fields) {
    if f.string("insert_anchor_links").is_some() {
        f.unimplemented("insert_anchor_links", "[markdown]'s setting applies");
    }
}

/// Zola's section keys Attaché reads but does not act on yet, each warned about.
fn zola_section_keys(f: &mut Fields) {
    if f.bool("draft") == Some(true) {
        f.unimplemented("draft", "the section is published");
    }
    let names = f.strings("feed_filenames");
    let names = if names.is_empty() { f.strings("feed_filename") } else { names };
    if names.iter().any(|n| n != "atom.xml") {
        f.unimplemented("feed_filenames", "section feeds are named by config.toml's `feed_filenames`");
    }
}

/// Zola's default `paginate_path`, for sections and taxonomies.
pub const DEFAULT_PAGINATE_PATH: &str = "page";

/// A section's `paginate_path`: empty or one or more URL segments (no `.`
/// or `..`, which would climb out of the section); an error at the key
/// otherwise, and the default is used.
fn paginate_path(f: &mut Fields, rel: &Path, split: &Split) -> String {
    let Some(value) = f.string("paginate_path") else { return DEFAULT_PAGINATE_PATH.to_string() };
    match valid_paginate_path(&value) {
        Some(path) => path,
        None => {
            f.diags.push(
                Diagnostic::error(
                    "fm/invalid-value",
                    rel,
                    format!("`paginate_path` `{value}` is not a URL path inside the section"),
                )
                .with_span(key_span(f.text, split, "paginate_path"))
                .with_help("write a segment such as \"page\" (the default) or \"p\""),
            );
            DEFAULT_PAGINATE_PATH.to_string()
        }
    }
}

/// `paginate_path` without its outer slashes, when every segment is a safe
/// URL segment (also used for config.toml's taxonomies).
pub fn valid_paginate_path(value: &str) -> Option<String> {
    let trimmed = value.trim_matches('/');
    let ok = trimmed.is_empty()
        || trimmed
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.contains(['\\', '?', '#']));
    ok.then(|| trimmed.to_string())
}

/// A section's `insert_anchor_links`; a value Zola doesn't know is an error.
fn insert_anchor(f: &mut Fields, rel: &Path, split: &Split) -> Option<crate::config::InsertAnchor> {
    let value = f.string("insert_anchor_links")?;
    let mode = crate::config::InsertAnchor::parse(&value);
    if mode.is_none() {
        f.diags.push(
            Diagnostic::error(
                "fm/invalid-value",
                rel,
                format!("`insert_anchor_links` must be \"none\", \"left\", \"right\" or \"heading\", not \"{value}\""),
            )
            .with_span(key_span(f.text, split, "insert_anchor_links")),
        );
    }
    mode
}

fn section_from(
    file: SourceFile,
    split: &Split,
    table: toml::Table,
    content_rel: String,
    config: &Config,
) -> (Option<Section>, Vec<Diagnostic>) {
    let text = file.text.clone();
    let rel = file.rel.clone();
    let mut f = Fields::new(&rel, &text, split, table);
    let title = read_title(&mut f, split, config);
    let in_search_index = f.bool("in_search_index").unwrap_or(true);
    let redirect_to = f.string("redirect_to");
    zola_section_keys(&mut f);
    let sort_by = match f.string("sort_by").as_deref() {
        None | Some("date") => SortBy::Date,
        Some("weight") => SortBy::Weight,
        Some("title") => SortBy::Title,
        Some(other) => {
            let span = key_span(&text, split, "sort_by");
            f.diags.push(
                Diagnostic::error(
                    "fm/invalid-value",
                    rel.clone(),
                    format!("`sort_by` must be \"date\", \"weight\" or \"title\", not \"{other}\""),
                )
                .with_span(span),
            );
            SortBy::Date
        }
    };
    let meta = SectionMeta {
        transparent: f.bool("transparent").unwrap_or(false),
        title: title.clone().unwrap_or_default(),
        description: f.string("description"),
        sort_by,
        paginate_by: f.positive("paginate_by"),
        paginate_reversed: f.bool("paginate_reversed").unwrap_or(false),
        paginate_path: paginate_path(&mut f, &rel, split),
        render: f.bool("render").unwrap_or(true),
        template: f.string("template"),
        page_template: f.string("page_template"),
        weight: f.int("weight"),
        aliases: f.strings("aliases"),
        extra: f.table("extra"),
        correct: f.bool("correct").unwrap_or(true),
        keep: f.strings("keep"),
        insert_anchor_links: insert_anchor(&mut f, &rel, split),
        generate_feeds: f.bool("generate_feeds").or_else(|| f.bool("generate_feed")),
        in_search_index,
        redirect_to,
    };
    f.ignore_foreign(PAGE_KEYS, SECTION_KEYS, "page");
    let mut diags = f.finish(SECTION_KEYS);
    let lang = lang::other_language(Path::new(&content_rel), config);
    let url_rel = lang::without_language(&content_rel, lang);
    let dir = url_rel.trim_end_matches("_index.md").trim_end_matches('/');
    let url_path = if dir.is_empty() {
        "/".to_string()
    } else {
        match dir_segments(&dir.split('/').collect::<Vec<_>>(), config.slugify.paths) {
            Ok(segments) => format!("/{}/", segments.join("/")),
            Err(bad) => {
                diags.push(empty_segment(&rel, split, bad));
                return (None, diags);
            }
        }
    };
    let url_path = lang::localized_url(&url_path, lang);
    if title.is_none() || diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let body = text[split.body_start..].to_string();
    let section = Section {
        file,
        meta,
        body_start: split.body_start,
        body,
        body_map: OffsetMap::default(),
        content_rel,
        url_path,
        parent: None,
        pages: Vec::new(),
        subsections: Vec::new(),
        lang: lang.map(str::to_string),
    };
    (Some(section), diags)
}
