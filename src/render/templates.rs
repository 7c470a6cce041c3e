//! Tera templates: loading (theme, then the site's own overrides), the
//! functions and filters Attaché adds, and turning Tera's errors into
//! diagnostics that name the template file and, where it can be found, the line.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, RwLock, RwLockReadGuard};

use regex::Regex;
use tera::{Tera, Value};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceMap, offset_of};

/// Template data the functions read. Filled in once every page is rendered, so
/// functions called from page templates see the whole site.
#[derive(Debug, Default)]
pub struct SiteIndex {
    /// `content_rel` → page value (without `content`).
    pub pages: HashMap<String, Arc<Value>>,
    /// `content_rel` of `_index.md` → section value (its `pages` as keys).
    pub sections: HashMap<String, Listing>,
    /// taxonomy name → `{taxonomy, terms}` (each term's `pages` as keys).
    pub taxonomies: HashMap<String, Listing>,
    /// `content_rel` → URL path (with base path) for `@/` in `get_url`.
    pub urls: HashMap<String, String>,
    pub base_path: String,
    pub origin: String,
    /// Every page's `content_rel`, newest first (undated last), for `get_pages`.
    pub by_date: Vec<String>,
    /// Static stylesheet or script → its fingerprinted name, for `asset()`.
    pub assets: HashMap<String, String>,
}

/// A value that lists pages, kept with its page lists empty and the keys of
/// the pages beside it; [`SiteIndex::expand`] fills them in when a template
/// asks for the value. Copying every page's value into each section and
/// each taxonomy term up front cost more than the rest of the build
/// (1.5 GB at 10,000 articles), mostly for values no template reads.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The value, each page list in it an empty array.
    pub value: Arc<Value>,
    /// JSON pointer of an empty page list in `value` → the `content_rel` of
    /// the pages that belong there, in order.
    pub lists: Vec<(String, Vec<String>)>,
}

impl SiteIndex {
    /// `listing`'s value with its page lists filled in from [`SiteIndex::pages`];
    /// every page put in is noted as read (see [`track`]).
    pub fn expand(&self, listing: &Listing) -> Value {
        self.expand_at(listing, "").unwrap_or(Value::Null)
    }

    /// The part of `listing`'s value at JSON pointer `at` (`""`: all of it),
    /// with the page lists inside it filled in and noted as read.
    pub fn expand_at(&self, listing: &Listing, at: &str) -> Option<Value> {
        let mut v = listing.value.pointer(at)?.clone();
        for (pointer, rels) in &listing.lists {
            let Some(inner) = pointer.strip_prefix(at).filter(|p| p.starts_with('/')) else { continue };
            if let Some(slot) = v.pointer_mut(inner) {
                *slot = Value::Array(
                    rels.iter()
                        .filter_map(|rel| {
                            note_use(rel);
                            self.pages.get(rel).map(|p| (**p).clone())
                        })
                        .collect(),
                );
            }
        }
        Some(v)
    }
}

/// The index the template functions read: empty while Markdown is rendered
/// (shortcodes cannot see the site yet), set before the templates run, and
/// updated in place when the dev server re-renders one edited page.
#[derive(Debug, Clone, Default)]
pub struct SharedIndex(Arc<RwLock<Option<SiteIndex>>>, Arc<RwLock<HashMap<String, Arc<[u8]>>>>);

impl SharedIndex {
    /// Files the build makes before any template runs (stylesheets compiled
    /// from `sass/`), by output path: Zola themes hash them
    /// (`get_url(path="style.css", cachebust=true)`, `get_hash`).
    pub fn set_generated(&self, files: impl IntoIterator<Item = (String, Arc<[u8]>)>) {
        self.1.write().unwrap_or_else(|e| e.into_inner()).extend(files);
    }

    /// The bytes of a file of the site a template names by `path`: a file
    /// of the site, `static/`, `content/` or the theme's `static/`, else one
    /// the build generated (see [`Self::set_generated`]).
    pub fn site_file(&self, root: &Path, theme: &str, path: &str) -> Result<Option<Vec<u8>>, String> {
        if let Some(file) = crate::render::zola_fns::find_file(root, theme, path)? {
            return std::fs::read(&file).map(Some).map_err(|e| format!("{path}: {e}"));
        }
        let key = path.trim_start_matches('/');
        Ok(self.1.read().unwrap_or_else(|e| e.into_inner()).get(key).map(|b| b.to_vec()))
    }

    pub fn set(&self, index: SiteIndex) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(index);
    }

    /// The `{taxonomy, terms}` value of taxonomy `kind`, if the index is set,
    /// without the terms' pages (they are most of it).
    pub fn snapshot_taxonomy(&self, kind: &str) -> Option<Value> {
        self.read().as_ref().and_then(|ix| ix.taxonomies.get(kind).map(|l| (*l.value).clone()))
    }

    /// The term named `term` of taxonomy `kind` with its pages (noted as
    /// read), if the index is set and has it.
    pub fn taxonomy_term(&self, kind: &str, term: &str) -> Option<Value> {
        let guard = self.read();
        let ix = guard.as_ref()?;
        let listing = ix.taxonomies.get(kind)?;
        let k = listing.value["items"].as_array()?.iter().position(|i| i["name"].as_str() == Some(term))?;
        ix.expand_at(listing, &format!("/items/{k}"))
    }

    /// Take the index out (and leave the functions without one).
    pub fn take(&self) -> Option<SiteIndex> {
        self.0.write().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Change the index in place (one edited page's value).
    pub fn update(&self, f: impl FnOnce(&mut SiteIndex)) {
        if let Some(ix) = self.0.write().unwrap_or_else(|e| e.into_inner()).as_mut() {
            f(ix);
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Option<SiteIndex>> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }
}

thread_local! {
    /// Pages whose values the render running on this thread has read, when
    /// someone is listening (see [`track`]).
    static USED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Run `f` and return, with its result, the `content_rel` of every page whose
/// template value it read (through the template functions or [`note_use`]).
/// The dev server uses this to know which outputs show a page, so an edit
/// re-renders those and nothing else.
pub fn track<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let outer = USED.with(|u| u.borrow_mut().replace(Vec::new()));
    let r = f();
    let used = USED.with(|u| std::mem::replace(&mut *u.borrow_mut(), outer)).unwrap_or_default();
    (r, used)
}

/// What [`track`] reports for a render that called a function whose result
/// the build cache cannot key by page values (`resize_image` writes files
/// only when it runs): no page has this `content_rel`, so an output or
/// Markdown that read it is never taken from the cache.
pub const UNKEYED: &str = "\0unkeyed";

/// Record that the running render called a function the cache cannot key.
pub fn note_unkeyed() {
    note_use(UNKEYED);
}

/// Record that the running render read the value of page `rel`.
pub fn note_use(rel: &str) {
    USED.with(|u| {
        if let Some(list) = u.borrow_mut().as_mut() {
            list.push(rel.to_string());
        }
    });
}

/// The loaded templates, with where each came from (for error messages).
pub struct Templates {
    pub tera: Tera,
    /// Images `resize_image` made while rendering, to be written out.
    pub processed: crate::render::images::Processed,
    /// Template name → path relative to the site root.
    pub files: HashMap<String, PathBuf>,
}

static POSITION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"-->\s*(\d+):(\d+)").expect("static regex"));
static NAMED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:Variable|Filter|Function|Test|Macro|Template) `([^`]+)`").expect("static regex"));
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"'([^']+)'").expect("static regex"));

/// The whole chain of a Tera error on one line: Tera puts the useful part in
/// the innermost source.
pub fn error_chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.retain(|p| !p.trim().is_empty());
    parts.join(": ")
}

/// Load templates from `themes/<theme>/templates/` and then `templates/`.
/// The theme must be a directory of `themes/` inside the site (config.toml
/// already refuses a theme name that is a path); symlinks are followed only
/// as [`crate::inside`] allows, and what it skips is reported in `warnings`.
pub fn load(
    root: &Path,
    config: &Config,
    index: SharedIndex,
    sources: &mut SourceMap,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Templates, Vec<Diagnostic>> {
    let mut files: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
    let mut diags = Vec::new();
    let theme_root = root.join("themes").join(&config.theme);
    let theme_dir = theme_root.join("templates");
    if !config.theme.is_empty() && !theme_root.is_dir() {
        diags.push(theme_error(sources, format!("theme `{}` is not in themes/", config.theme)));
        return Err(diags);
    }
    if !config.theme.is_empty() && !crate::inside::within_site(root, &theme_root) {
        let target = theme_root.canonicalize().map_or_else(|_| "?".into(), |t| t.display().to_string());
        diags.push(theme_error(
            sources,
            format!("theme `{}` is a symlink to {target}, outside the site; it is not loaded", config.theme),
        ));
        return Err(diags);
    }
    for dir in [theme_dir, root.join("templates")] {
        let mut walked = Vec::new();
        let keep =
            |_: &str, e: &walkdir::DirEntry| e.file_type().is_dir() || !crate::content::is_editor_temp(e.file_name());
        for found in crate::inside::files(root, &dir, keep, &mut walked) {
            let name = found.rel;
            let rel = crate::content::rel_to(root, &found.path);
            match std::fs::read(&found.path).map(String::from_utf8) {
                Ok(Ok(text)) => {
                    sources.insert(rel.clone(), Arc::from(text.as_str()));
                    files.insert(name, (rel, text));
                }
                Ok(Err(_)) => diags.push(Diagnostic::error("io/invalid-utf8", rel, "this template is not valid UTF-8")),
                Err(e) => diags.push(Diagnostic::error("io/read", rel, format!("could not read: {e}"))),
            }
        }
        for d in walked {
            if d.is_error() { diags.push(d) } else { warnings.push(d) }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml", ".htm"]);
    tera.set_escape_fn(escape_html);
    register(&mut tera, config, root, index.clone());
    crate::render::zola_fns::register(&mut tera, config, root, index);
    let processed = crate::render::images::Processed::default();
    crate::render::images::register(&mut tera, config, root, processed.clone());
    let list: Vec<(String, String)> = files.iter().map(|(n, (_, t))| (n.clone(), t.clone())).collect();
    if let Err(e) = tera.add_raw_templates(list) {
        // Parse each template alone so every syntax error is reported, not
        // just the first. Only on failure: parsing is pest's, and doing it
        // twice for every build cost 4 % of a 1,000-article build's
        // instructions, serially, before anything else could start.
        let syntax = syntax_errors(&files);
        if !syntax.is_empty() {
            diags.extend(syntax);
            return Err(diags);
        }
        let msg = error_chain(&e);
        let name = QUOTED.captures(&msg).and_then(|c| c.get(1)).map(|m| m.as_str().to_string());
        let rel = name.as_ref().and_then(|n| files.get(n)).map_or_else(|| PathBuf::from("templates"), |f| f.0.clone());
        diags.push(Diagnostic::error("template/invalid", rel, msg));
        return Err(diags);
    }
    let files = files.into_iter().map(|(n, (rel, _))| (n, rel)).collect();
    Ok(Templates { tera, files, processed })
}

/// The syntax error of each template that has one, parsed alone: the other
/// templates are stand-ins here, so `extends` and `import` resolve.
fn syntax_errors(files: &BTreeMap<String, (PathBuf, String)>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (name, (rel, text)) in files {
        let mut probe = Tera::default();
        let mut list: Vec<(&str, &str)> = files.keys().filter(|n| *n != name).map(|n| (n.as_str(), "")).collect();
        list.push((name.as_str(), text.as_str()));
        if let Err(e) = probe.add_raw_templates(list) {
            diags.push(parse_error(&e, rel, text));
        }
    }
    diags
}

/// An error on the `theme` key of config.toml.
fn theme_error(sources: &SourceMap, message: String) -> Diagnostic {
    let text = sources.get(Path::new("config.toml")).unwrap_or("");
    let at = text.find("theme").unwrap_or(0);
    Diagnostic::error("config/unknown-theme", "config.toml", message).with_span(at..at + 5)
}

pub(crate) fn parse_error(e: &tera::Error, rel: &Path, text: &str) -> Diagnostic {
    let chain = error_chain(e);
    let mut d = Diagnostic::error("template/syntax", rel, "template syntax error");
    if let Some(c) = POSITION.captures(&chain) {
        let line = c[1].parse().unwrap_or(1);
        let col = c[2].parse().unwrap_or(1);
        let at = offset_of(text, line, col);
        d = d.with_span(at..at + 1);
    }
    let detail = chain
        .lines()
        .filter(|l| l.trim_start().starts_with('='))
        .map(|l| l.trim_start_matches([' ', '=']))
        .collect::<Vec<_>>()
        .join("; ");
    d.message = if detail.is_empty() {
        format!("template error: {}", chain.lines().next().unwrap_or(""))
    } else {
        format!("template syntax error: {detail}")
    };
    d
}

impl Templates {
    /// Render `name`, turning a failure into a diagnostic on the template file.
    pub fn render(&self, name: &str, ctx: &tera::Context, sources: &SourceMap) -> Result<String, Diagnostic> {
        self.tera.render(name, ctx).map_err(|e| self.render_error(name, &e, sources))
    }

    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    fn render_error(&self, name: &str, e: &tera::Error, sources: &SourceMap) -> Diagnostic {
        let chain = error_chain(e);
        // The innermost template named in the chain is where the problem is.
        let culprit = QUOTED
            .captures_iter(&chain)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str())
            .filter(|n| self.files.contains_key(*n))
            .last()
            .unwrap_or(name);
        let rel = self.files.get(culprit).cloned().unwrap_or_else(|| PathBuf::from(culprit));
        let mut d = Diagnostic::error("template/render", rel.clone(), format!("template `{culprit}` failed: {chain}"));
        if let (Some(c), Some(text)) = (NAMED.captures(&chain), sources.get(&rel)) {
            let needle = &c[1];
            if let Some(at) = text.find(needle) {
                d = d.with_span(at..at + needle.len());
            }
        }
        d
    }
}

/// The key of taxonomy `kind` in the site index: its name for the default
/// language, `name@lang` for another language's (Zola's `lang=` argument of
/// `get_taxonomy`, `get_taxonomy_url`, `get_taxonomy_term`).
pub fn taxonomy_key(kind: &str, lang: Option<&str>, default: &str) -> String {
    match lang {
        Some(l) if l != default => format!("{kind}@{l}"),
        _ => kind.to_string(),
    }
}

/// The content path `get_page`/`get_section` look up: with Zola's
/// `lang="fr"`, the translation's (`blog/_index.fr.md`).
fn localized(path: &str, args: &HashMap<String, Value>, default: &str) -> String {
    match args.get("lang").and_then(Value::as_str) {
        Some(lang) => crate::content::lang::localized_rel(path, lang, default),
        None => path.to_string(),
    }
}

fn register(tera: &mut Tera, config: &Config, root: &Path, index: SharedIndex) {
    let md_config = config.markdown.clone();
    // While Markdown is rendered (shortcodes) there is no index yet: plain
    // paths are still resolved from the config, as Zola does.
    let (base_path, origin) = (config.base_path().to_string(), config.origin().to_string());
    tera.register_filter("markdown", move |v: &Value, args: &HashMap<String, Value>| {
        let src = tera::try_get_value!("markdown", "value", String, v);
        let html = crate::render::markdown::render(&src, &md_config, None).html;
        let inline = args.get("inline").and_then(Value::as_bool).unwrap_or(false);
        let html = if inline {
            let t = html.trim();
            t.strip_prefix("<p>").and_then(|t| t.strip_suffix("</p>")).unwrap_or(t).to_string()
        } else {
            html
        };
        Ok(Value::String(html))
    });
    // Tera's `replace`, with its results and messages, copying the text once
    // where Tera's copies it three times: the default theme wraps the tables
    // of every page's whole HTML with it.
    tera.register_filter("replace", |v: &Value, args: &HashMap<String, Value>| {
        let text = v.as_str().ok_or_else(|| {
            format!("Filter `replace` was called on an incorrect value: got `{v}` but expected a String")
        })?;
        let arg = |name: &str| match args.get(name) {
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(other) => Err(format!(
                "Filter `replace` received an incorrect type for arg `{name}`: got `{other}` but expected a String"
            )),
            None => Err(format!("Filter `replace` expected an arg called `{name}`")),
        };
        let (from, to) = (arg("from")?, arg("to")?);
        Ok(Value::String(text.replace(from, to)))
    });
    let site_origin = origin.clone();
    tera.register_filter("root_relative", move |v: &Value, _: &HashMap<String, Value>| {
        let url = tera::try_get_value!("root_relative", "value", String, v);
        Ok(Value::String(root_relative(&url, &site_origin).to_string()))
    });
    tera.register_filter("reading_time", |v: &Value, _: &HashMap<String, Value>| {
        let src = tera::try_get_value!("reading_time", "value", String, v);
        Ok(Value::from(reading_time(src.split_whitespace().count())))
    });

    let idx = index.clone();
    let default_lang = config.default_language.clone();
    let (site, theme) = (root.to_path_buf(), config.theme.clone());
    tera.register_function("get_url", move |args: &HashMap<String, Value>| {
        let guard = idx.read();
        let path = args.get("path").and_then(Value::as_str).ok_or("get_url needs path=\"…\"")?;
        // As in Zola, a full URL (`base_url` and path): themes put it in
        // `og:image` and feeds, where only a full URL works. `absolute=false`
        // (Attaché's) or the `root_relative` filter give a root-relative one.
        let absolute = args.get("absolute").and_then(Value::as_bool).unwrap_or(true);
        let (ix_base, ix_origin) = guard
            .as_ref()
            .map_or((base_path.as_str(), origin.as_str()), |ix| (ix.base_path.as_str(), ix.origin.as_str()));
        let prefix = if absolute { ix_origin } else { "" };
        if let Some(rel) = path.strip_prefix("@/") {
            let ix = guard.as_ref().ok_or("get_url(path=\"@/…\") is not available in shortcodes yet")?;
            let (file, anchor) = rel.split_once('#').map_or((rel, None), |(f, a)| (f, Some(a)));
            // With `lang="uk"`, the Ukrainian version of the file (as in Zola).
            let file = localized(file, args, &default_lang);
            let url = ix.urls.get(&file).ok_or_else(|| format!("get_url: no page or section @/{file}"))?;
            let anchor = anchor.map(|a| format!("#{a}")).unwrap_or_default();
            return Ok(Value::String(format!("{prefix}{url}{anchor}")));
        }
        let trailing = args.get("trailing_slash").and_then(Value::as_bool).unwrap_or(false);
        let clean = path.trim_start_matches('/');
        // With another language than the default, the path inside that
        // language's part of the site (`/uk/…`), unless it already is.
        let lang = args.get("lang").and_then(Value::as_str).filter(|l| *l != default_lang);
        let clean = match lang {
            Some(l) if clean != l && !clean.starts_with(&format!("{l}/")) => format!("{l}/{clean}"),
            _ => clean.to_string(),
        };
        let mut url = format!("{prefix}{ix_base}/{clean}");
        if trailing && !url.ends_with('/') {
            url.push('/');
        }
        if args.get("cachebust").and_then(Value::as_bool).unwrap_or(false) {
            url.push_str(&cachebust(&idx, &site, &theme, path)?);
        }
        Ok(Value::String(url))
    });
    let default_lang = config.default_language.clone();
    let idx = index.clone();
    tera.register_function("get_page", move |args: &HashMap<String, Value>| {
        let guard = idx.read();
        let ix = guard.as_ref().ok_or("get_page is not available here")?;
        let path = args.get("path").and_then(Value::as_str).ok_or("get_page needs path=\"section/page.md\"")?;
        let path = localized(path.trim_start_matches("@/"), args, &default_lang);
        let path = path.as_str();
        note_use(path);
        ix.pages.get(path).map(|v| (**v).clone()).ok_or_else(|| format!("get_page: no page {path}").into())
    });
    let default_lang = config.default_language.clone();
    let idx = index.clone();
    tera.register_function("get_section", move |args: &HashMap<String, Value>| {
        let guard = idx.read();
        let ix = guard.as_ref().ok_or("get_section is not available here")?;
        // Zola passes `section.subsections` as paths; Attaché as values with
        // their `relative_path`: either is accepted.
        let path = args
            .get("path")
            .and_then(|p| p.as_str().or_else(|| p.get("relative_path").and_then(Value::as_str)))
            .ok_or("get_section needs path=\"section/_index.md\"")?;
        let path = localized(path.trim_start_matches("@/"), args, &default_lang);
        let path = path.as_str();
        let v = ix.sections.get(path).ok_or_else(|| format!("get_section: no section {path}"))?;
        // `metadata_only=true` skips the page list: cheap enough to call on every page.
        if args.get("metadata_only").and_then(Value::as_bool).unwrap_or(false) {
            return Ok((*v.value).clone());
        }
        Ok(ix.expand(v))
    });
    let default_lang = config.default_language.clone();
    let idx = index.clone();
    // get_subsections(path="_index.md", lang=lang): a section's subsections as
    // `{title, description, path, permalink, relative_path}`, for a site's navigation on
    // every page. Tera copies a function's result at each use inside a loop
    // (`s.title` copies all of `s`), so the theme's menu, built from
    // `get_section(…).subsections`, was a sixth of its rendering.
    tera.register_function("get_subsections", move |args: &HashMap<String, Value>| {
        let guard = idx.read();
        let ix = guard.as_ref().ok_or("get_subsections is not available here")?;
        let path =
            args.get("path").and_then(Value::as_str).ok_or("get_subsections needs path=\"section/_index.md\"")?;
        let path = localized(path.trim_start_matches("@/"), args, &default_lang);
        let v = ix.sections.get(&path).ok_or_else(|| format!("get_subsections: no section {path}"))?;
        let subsections = v.value["subsections"].as_array().map(Vec::as_slice).unwrap_or_default();
        Ok(Value::Array(subsections.iter().map(section_link).collect()))
    });
    let idx = index.clone();
    // get_pages(section="europe/_index.md", limit=9, exclude=["glossary/_index.md"]):
    // the newest pages of a section and all its subsections, in one pass over a
    // list sorted once per build (a template building this list itself with
    // `concat` in a loop would be quadratic).
    let pages_default_lang = config.default_language.clone();
    tera.register_function("get_pages", move |args: &HashMap<String, Value>| {
        let guard = idx.read();
        let ix = guard.as_ref().ok_or("get_pages is not available here")?;
        // `europe/_index.md` or `europe/_index.uk.md` → `europe/`.
        let dir_of = |rel: &str| {
            let rel = rel.trim_start_matches("@/");
            let (dir, file) = rel.rsplit_once('/').map_or(("", rel), |(d, f)| (d, f));
            match (file.starts_with("_index."), dir) {
                (true, "") => String::new(),
                (true, dir) => format!("{dir}/"),
                (false, _) => rel.to_string(),
            }
        };
        // The pages of one language: `lang`, else the default's.
        let lang = args.get("lang").and_then(Value::as_str).unwrap_or(&pages_default_lang);
        let within = args.get("section").and_then(Value::as_str).map(dir_of).unwrap_or_default();
        let exclude: Vec<String> = args
            .get("exclude")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(dir_of).collect())
            .unwrap_or_default();
        let limit = args.get("limit").and_then(Value::as_u64).map_or(usize::MAX, |n| n as usize);
        let dated_only = args.get("dated_only").and_then(Value::as_bool).unwrap_or(false);
        let mut out = Vec::new();
        for rel in &ix.by_date {
            if out.len() >= limit {
                break;
            }
            if !rel.starts_with(&within) || exclude.iter().any(|e| !e.is_empty() && rel.starts_with(e.as_str())) {
                continue;
            }
            if let Some(v) = ix.pages.get(rel) {
                if v["lang"].as_str().is_some_and(|l| l != lang) || dated_only && v["date"].is_null() {
                    continue;
                }
                note_use(rel);
                out.push((**v).clone());
            }
        }
        Ok(Value::Array(out))
    });
    let idx = index.clone();
    // asset(path="style.css") → "/base/style.3f2a9c01de.css": the fingerprinted
    // copy the build writes, so the URL changes whenever the file does.
    tera.register_function("asset", move |args: &HashMap<String, Value>| {
        let guard = idx.read();
        let ix = guard.as_ref().ok_or("asset is not available here")?;
        let path = args.get("path").and_then(Value::as_str).ok_or("asset needs path=\"style.css\"")?;
        let clean = path.trim_start_matches('/');
        let name = ix.assets.get(clean).ok_or_else(|| {
            format!("asset: `{clean}` is not a stylesheet or script in static/ (fingerprinting covers .css and .js)")
        })?;
        Ok(Value::String(format!("{}/{name}", ix.base_path)))
    });
    let idx = index;
    let default_lang = config.default_language.clone();
    tera.register_function("get_taxonomy", move |args: &HashMap<String, Value>| {
        let guard = idx.read();
        let ix = guard.as_ref().ok_or("get_taxonomy is not available here")?;
        let kind = args.get("kind").and_then(Value::as_str).ok_or("get_taxonomy needs kind=\"…\"")?;
        let key = taxonomy_key(kind, args.get("lang").and_then(Value::as_str), &default_lang);
        let v = ix.taxonomies.get(&key).ok_or_else(|| format!("get_taxonomy: no taxonomy {kind}"))?;
        // The terms list page values: the output shows them (see `track`).
        Ok(ix.expand(v))
    });
}

/// The fields of a section value a link to it needs (see `get_subsections`).
fn section_link(s: &Value) -> Value {
    let mut link = serde_json::Map::new();
    for key in ["title", "description", "path", "permalink", "relative_path"] {
        link.insert(key.to_string(), s.get(key).cloned().unwrap_or(Value::Null));
    }
    Value::Object(link)
}

/// Zola's `get_url(…, cachebust=true)` suffix: `?h=` and the first 20 hex
/// digits of the file's SHA-256, so the URL changes whenever the file does.
/// A file the build writes only after the templates (a search index) has no
/// hash yet: its URL goes without one rather than failing the page.
fn cachebust(index: &SharedIndex, root: &Path, theme: &str, path: &str) -> tera::Result<String> {
    use sha2::Digest as _;
    let Some(bytes) = index.site_file(root, theme, path).map_err(|e| format!("get_url: {e}"))? else {
        return Ok(String::new());
    };
    let hex: String = sha2::Sha256::digest(&bytes).iter().take(10).map(|b| format!("{b:02x}")).collect();
    Ok(format!("?h={hex}"))
}

/// `url` without the site's scheme and host, so a link made from a
/// `permalink` keeps working when `public/` is served from another address
/// (`python3 -m http.server`, a preview host). The base path stays: under
/// `https://example.org/sub/` a permalink becomes `/sub/…`. Other sites' URLs
/// and URLs that are already relative are returned unchanged.
pub fn root_relative<'a>(url: &'a str, origin: &str) -> &'a str {
    if origin.is_empty() {
        return url;
    }
    match url.strip_prefix(origin) {
        Some("") => "/",
        Some(rest) if rest.starts_with(['/', '?', '#']) => rest,
        _ => url,
    }
}

/// Tera's HTML escaping, byte for byte, but copying the runs between the six
/// escaped characters whole instead of pushing one character at a time:
/// every `{{ … }}` of an HTML template goes through it.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    let mut start = 0;
    for (i, b) in input.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            b'/' => "&#x2F;",
            _ => continue,
        };
        // `i` is at an ASCII byte, so both slices end on character boundaries.
        out.push_str(&input[start..i]);
        out.push_str(with);
        start = i + 1;
    }
    out.push_str(&input[start..]);
    out
}

/// Minutes to read `words` at 200 words a minute, at least one.
pub fn reading_time(words: usize) -> usize {
    words.div_ceil(200).max(1)
}

#[cfg(test)]
mod tests {
    use super::{escape_html, root_relative};

    #[test]
    fn escape_html_is_teras_byte_for_byte() {
        for s in [
            "",
            "plain",
            "<a href=\"/x/\">Tom & Jerry's</a>",
            "«Кириллица» / 東京 & > <",
            "&&//''\"\"",
            "end with &",
            "é/",
        ] {
            assert_eq!(escape_html(s), tera::escape_html(s), "{s}");
        }
    }

    #[test]
    fn root_relative_strips_only_this_sites_origin() {
        let o = "https://example.org";
        assert_eq!(root_relative("https://example.org/sub/a/", o), "/sub/a/");
        assert_eq!(root_relative("https://example.org", o), "/");
        assert_eq!(root_relative("https://example.org.evil.net/a/", o), "https://example.org.evil.net/a/");
        assert_eq!(root_relative("https://other.net/a/", o), "https://other.net/a/");
        assert_eq!(root_relative("/already/", o), "/already/");
        assert_eq!(root_relative("https://x.net/a", ""), "https://x.net/a");
    }
}
