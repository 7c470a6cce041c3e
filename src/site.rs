//! The orchestrator: load → correct → render → write.
//!
//! [`build`] runs the first three stages entirely in memory and returns every
//! output file plus every diagnostic; [`crate::output`] writes them. Nothing
//! here touches `public/`, which is why a failed build can never damage it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::config::{Config, toml_to_json};
use crate::content::{self, Content};
use crate::correct;
use crate::diagnostics::{Diagnostic, SourceMap};
use crate::render::feeds;
use crate::render::markdown::{self, AnchorCheck, LinkContext, Rendered};
use crate::render::shortcodes::{self, ShortcodeEnv};
use crate::render::templates::{self, SiteIndex, reading_time};
use crate::taxonomies::{self, Taxonomy};

/// What `attache build` and friends ask for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Link stylesheets and scripts by their plain names instead of
    /// fingerprinted ones (`attache serve`: a stylesheet edit then changes one
    /// file, which the browser swaps in place, instead of every page's HTML).
    pub plain_assets: bool,
}

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutFile {
    Bytes(Vec<u8>),
    /// Copied verbatim from a source file (static files, bundle assets).
    Copy(PathBuf),
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub pages: usize,
    pub sections: usize,
    pub terms: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub correction: correct::Summary,
}

/// A built site in memory.
#[derive(Debug, Default)]
pub struct Built {
    /// Output path (relative, `/`-separated) → file.
    pub files: BTreeMap<String, OutFile>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
    pub stats: Stats,
    /// What the corrector found in each article (path relative to the root).
    pub corrections: Vec<(PathBuf, correct::Report)>,
    /// Output file of each page → its source (for `serve`'s per-page findings).
    pub page_sources: BTreeMap<String, PathBuf>,
}

impl Built {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Rendered Markdown of one page or section.
struct Doc {
    rendered: Rendered,
}

/// Build the site in memory. `Err` is for plumbing failures (no config.toml);
/// problems in content are diagnostics in the result.
pub fn build(opts: &BuildOptions) -> Result<Built> {
    let start = Instant::now();
    let root = &opts.root;
    let mut built = Built::default();
    let config_path = root.join("config.toml");
    if !config_path.is_file() {
        anyhow::bail!("no config.toml in {} (is this a site? `attache init` makes one)", root.display());
    }
    let config_text = crate::fs::read_to_string(&config_path)?;
    built.sources.insert("config.toml", Arc::from(config_text.as_str()));
    let mut config = match Config::parse(Path::new("config.toml"), &config_text) {
        Ok(c) => c,
        Err(d) => {
            built.diagnostics.push(d);
            return Ok(built);
        }
    };
    if let Some(url) = &opts.base_url {
        config.base_url = url.trim_end_matches('/').to_string();
    }
    if config.markdown.highlight_code && templates_stylesheet(&config).is_none() {
        let at = config_text.find("highlight_theme").unwrap_or(0);
        let names = crate::render::highlight::theme_names();
        built.diagnostics.push(
            Diagnostic::error(
                "config/invalid",
                "config.toml",
                format!("unknown highlight_theme `{}`", config.markdown.highlight_theme),
            )
            .with_span(at..at + "highlight_theme".len())
            .with_help(format!("one of: {}", names.join(", "))),
        );
    }

    let mut diags = Vec::new();
    let mut content = content::load(root, &config, opts.drafts, &mut diags);
    let drafts = std::mem::take(&mut content.drafts);
    built.sources.extend(std::mem::take(&mut content.sources));

    // Stage 2: correction (prose only; see `correct`).
    match correct::Corrector::for_site(root, &config) {
        Ok(corrector) => {
            let (summary, reports) = correct::correct_content(&mut content, &corrector);
            built.stats.correction = summary;
            built.corrections = reports;
        }
        Err(e) => {
            // Point at the line when the file is the site's own.
            let mut d = Diagnostic::error("correct/data", e.file.clone(), e.to_string());
            if let Ok(text) = std::fs::read_to_string(root.join(&e.file)) {
                let at = crate::diagnostics::offset_of(&text, e.line.max(1), 1);
                built.sources.insert(e.file.clone(), Arc::from(text.as_str()));
                d = d.with_span(at..at + 1);
            }
            diags.push(d);
        }
    }

    let taxonomies = taxonomies::collect(root, &config, &content, &mut diags);
    let statics = static_files(root, &config);
    let highlight_css = templates_stylesheet(&config);

    // Every URL the build will produce, to find duplicates and check links.
    let mut owners: HashMap<String, PathBuf> = HashMap::new();
    let mut claim = |url: &str, who: &Path, diags: &mut Vec<Diagnostic>| {
        if let Some(prev) = owners.get(url) {
            if prev != who {
                diags.push(
                    Diagnostic::error(
                        "output/duplicate",
                        who,
                        format!("`{url}` is also the URL of {}", prev.display()),
                    )
                    .with_span(0..3)
                    .with_help("set a different `slug` on one of them"),
                );
            }
        } else {
            owners.insert(url.to_string(), who.to_path_buf());
        }
    };
    for s in &content.sections {
        claim(&s.url_path, &s.file.rel, &mut diags);
    }
    for p in &content.pages {
        claim(&p.url_path, &p.file.rel, &mut diags);
    }
    for t in &taxonomies {
        claim(&format!("/{}/", t.slug), Path::new("config.toml"), &mut diags);
    }
    let mut aliases: Vec<(String, String, PathBuf)> = Vec::new(); // (alias path, target URL path, file)
    for (url_path, file, list, text, body_start) in
        content.pages.iter().map(|p| (&p.url_path, &p.file.rel, &p.meta.aliases, &p.file.text, p.body_start)).chain(
            content.sections.iter().map(|s| (&s.url_path, &s.file.rel, &s.meta.aliases, &s.file.text, s.body_start)),
        )
    {
        for alias in list {
            match normalize_alias(alias) {
                Some(a) => {
                    claim(&a, file, &mut diags);
                    aliases.push((a, url_path.clone(), file.clone()));
                }
                None => {
                    let at = text[..body_start.min(text.len())].find(alias.as_str()).unwrap_or(0);
                    diags.push(
                        Diagnostic::error(
                            "fm/invalid-alias",
                            file.clone(),
                            format!("alias `{alias}` would be written outside the output directory"),
                        )
                        .with_span(at..at + alias.len()),
                    );
                }
            }
        }
    }

    let base_path = config.base_path().to_string();
    let mut known: HashSet<String> = HashSet::new();
    for url in owners.keys() {
        known.insert(url.trim_start_matches('/').to_string());
    }
    for t in &taxonomies {
        for term in &t.terms {
            known.insert(format!("{}/{}/", t.slug, term.slug));
        }
    }
    for a in &content.assets {
        known.insert(a.output.clone());
    }
    for k in statics.keys() {
        known.insert(k.clone());
    }
    for f in ["atom.xml", "sitemap.xml", "robots.txt", "404.html", "highlight.css", SEARCH_INDEX, "search/"] {
        known.insert(f.to_string());
    }
    let urls: HashMap<String, String> = content
        .pages
        .iter()
        .map(|p| (p.content_rel.clone(), format!("{base_path}{}", p.url_path)))
        .chain(content.sections.iter().map(|s| (s.content_rel.clone(), format!("{base_path}{}", s.url_path))))
        .collect();

    // Templates.
    let index: templates::SharedIndex = Arc::new(OnceLock::new());
    let tpl = match templates::load(root, &config, index.clone(), &mut built.sources) {
        Ok(t) => t,
        Err(mut d) => {
            diags.append(&mut d);
            finish(&mut built, diags, start);
            return Ok(built);
        }
    };
    for name in ["index.html", "section.html", "page.html", "404.html"] {
        if !tpl.has(name) {
            diags.push(Diagnostic::error(
                "template/missing",
                format!("themes/{}/templates/{name}", config.theme),
                format!("the theme has no `{name}`"),
            ));
        }
    }
    let config_value = config_value(&config, &taxonomies);

    // Stage 3a: Markdown of every page and section, in parallel.
    let md_docs = |body: &str,
                   body_map: &crate::diagnostics::OffsetMap,
                   body_start: usize,
                   rel: &Path,
                   url_path: &str,
                   title: &str|
     -> (Doc, Vec<Diagnostic>) {
        let mut base = tera::Context::new();
        base.insert("config", &config_value);
        base.insert("page", &json!({"title": title, "path": format!("{base_path}{url_path}"), "permalink": permalink(&config, url_path)}));
        let env = ShortcodeEnv::new(&tpl.tera, &base);
        let (expanded, map, mut d) = shortcodes::expand(body, &env);
        let ctx =
            LinkContext { pages: &urls, known: &known, page_path: url_path, base_path: &base_path, drafts: &drafts };
        let mut rendered = markdown::render(&expanded, &config.markdown, Some(&ctx));
        for x in &mut d {
            x.span = x.span.take().map(|s| {
                let s = body_map.span_to_source(s);
                s.start + body_start..s.end + body_start
            });
        }
        for x in rendered.diagnostics.iter_mut().chain(d.iter_mut()) {
            x.path = rel.to_path_buf();
        }
        let mut md_diags: Vec<Diagnostic> = std::mem::take(&mut rendered.diagnostics);
        for x in &mut md_diags {
            x.span = x.span.take().map(|s| {
                let s = body_map.span_to_source(map.span_to_source(s));
                s.start + body_start..s.end + body_start
            });
        }
        for a in &mut rendered.anchors {
            let s = body_map.span_to_source(map.span_to_source(a.span.clone()));
            a.span = s.start + body_start..s.end + body_start;
        }
        d.append(&mut md_diags);
        (Doc { rendered }, d)
    };
    let page_docs: Vec<(Doc, Vec<Diagnostic>)> = content
        .pages
        .par_iter()
        .map(|p| md_docs(&p.body, &p.body_map, p.body_start, &p.file.rel, &p.url_path, &p.meta.title))
        .collect();
    let section_docs: Vec<(Doc, Vec<Diagnostic>)> = content
        .sections
        .par_iter()
        .map(|s| md_docs(&s.body, &s.body_map, s.body_start, &s.file.rel, &s.url_path, &s.meta.title))
        .collect();
    let page_docs: Vec<Doc> = page_docs
        .into_iter()
        .map(|(d, mut x)| {
            diags.append(&mut x);
            d
        })
        .collect();
    let section_docs: Vec<Doc> = section_docs
        .into_iter()
        .map(|(d, mut x)| {
            diags.append(&mut x);
            d
        })
        .collect();

    // Anchors: checked against the target's ids, now that all are known.
    let ids_by_rel: HashMap<&str, &HashSet<String>> = content
        .pages
        .iter()
        .zip(&page_docs)
        .map(|(p, d)| (p.content_rel.as_str(), &d.rendered.ids))
        .chain(content.sections.iter().zip(&section_docs).map(|(s, d)| (s.content_rel.as_str(), &d.rendered.ids)))
        .collect();
    let check_anchors = |rel: &Path, own: &str, checks: &[AnchorCheck], diags: &mut Vec<Diagnostic>| {
        for c in checks {
            let target = c.target.as_deref().unwrap_or(own);
            let Some(ids) = ids_by_rel.get(target) else { continue };
            if !ids.contains(&c.anchor) {
                let mut d = Diagnostic::error(
                    "link/broken-anchor",
                    rel,
                    format!("`#{}` is not a heading or id in {target}", c.anchor),
                )
                .with_span(c.span.clone());
                if let Some(best) = crate::content::front_matter::closest(&c.anchor, ids.iter().map(String::as_str)) {
                    d = d.with_help(format!("did you mean #{best}?"));
                }
                diags.push(d);
            }
        }
    };
    for (p, d) in content.pages.iter().zip(&page_docs) {
        check_anchors(&p.file.rel, &p.content_rel, &d.rendered.anchors, &mut diags);
    }
    for (s, d) in content.sections.iter().zip(&section_docs) {
        check_anchors(&s.file.rel, &s.content_rel, &d.rendered.anchors, &mut diags);
    }

    // Stage 3b: template values, each serialised once.
    let values = Values::new(&config, &content, &page_docs, &section_docs, &taxonomies);
    // Fingerprints now that the code blocks are known: the syntax palette
    // keeps only the rules for classes some page uses.
    let highlight_css = highlight_css.map(|css| {
        crate::render::minify::used_rules_only(
            &css,
            page_docs.iter().chain(&section_docs).map(|d| d.rendered.html.as_str()),
        )
    });
    let assets = fingerprints(&statics, highlight_css.as_deref());
    let mut site_index = values.index(&config, &urls);
    site_index.assets = assets
        .iter()
        .map(|(k, (name, _))| (k.clone(), if opts.plain_assets { k.clone() } else { name.clone() }))
        .collect();
    let _ = index.set(site_index);

    // Stage 3c: templates, in parallel.
    let ctx_base = |url_path: &str| {
        let mut c = tera::Context::new();
        c.insert("config", &config_value);
        c.insert("current_path", &format!("{base_path}{url_path}"));
        c.insert("current_url", &permalink(&config, url_path));
        c
    };
    let page_out: Vec<Result<(String, String), Diagnostic>> = content
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut ctx = ctx_base(&p.url_path);
            ctx.insert("page", &values.full_page(i, &page_docs[i]));
            let section = &content.sections[p.section];
            let name = p
                .meta
                .template
                .clone()
                .or_else(|| section.meta.page_template.clone())
                .unwrap_or_else(|| "page.html".into());
            if !tpl.has(&name) {
                let at = p.file.text.find(&name).unwrap_or(0);
                return Err(Diagnostic::error(
                    "template/unknown",
                    p.file.rel.clone(),
                    format!("unknown template `{name}`"),
                )
                .with_span(at..at + name.len()));
            }
            tpl.render(&name, &ctx, &built.sources).map(|html| (out_path(&p.url_path), html))
        })
        .collect();
    let section_out: Vec<Vec<Result<(String, String), Diagnostic>>> = content
        .sections
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let name = s
                .meta
                .template
                .clone()
                .unwrap_or_else(|| if s.url_path == "/" { "index.html".into() } else { "section.html".into() });
            if !tpl.has(&name) {
                let at = s.file.text.find(&name).unwrap_or(0);
                return vec![Err(Diagnostic::error(
                    "template/unknown",
                    s.file.rel.clone(),
                    format!("unknown template `{name}`"),
                )
                .with_span(at..at + name.len()))];
            }
            let pages = &s.pages;
            let chunks: Vec<&[usize]> = match s.meta.paginate_by {
                Some(n) if !pages.is_empty() => pages.chunks(n).collect(),
                _ => vec![pages.as_slice()],
            };
            let paginated = s.meta.paginate_by.is_some();
            let total = chunks.len();
            chunks
                .iter()
                .enumerate()
                .map(|(k, chunk)| {
                    let url = pager_url(&s.url_path, k + 1);
                    let mut ctx = ctx_base(&url);
                    let mut sv = values.section_value(i, &section_docs[i], !paginated);
                    if paginated {
                        sv["pages"] = json!([]);
                        ctx.insert(
                            "paginator",
                            &paginator(
                                &config,
                                &s.url_path,
                                s.meta.paginate_by.unwrap_or(1),
                                k + 1,
                                total,
                                values.lite_list(chunk),
                            ),
                        );
                    }
                    ctx.insert("section", &sv);
                    tpl.render(&name, &ctx, &built.sources).map(|html| (out_path(&url), html))
                })
                .collect()
        })
        .collect();
    let tax_out: Vec<Result<(String, String), Diagnostic>> = taxonomies
        .par_iter()
        .flat_map(|t| {
            let mut jobs: Vec<Result<(String, String), Diagnostic>> = Vec::new();
            if tpl.has("taxonomy_list.html") {
                let url = format!("/{}/", t.slug);
                let mut ctx = ctx_base(&url);
                ctx.insert("taxonomy", &values.taxonomy_value(&config, t));
                ctx.insert("terms", &values.terms_value(&config, t));
                jobs.push(tpl.render("taxonomy_list.html", &ctx, &built.sources).map(|h| (out_path(&url), h)));
            }
            if tpl.has("taxonomy_single.html") {
                let by = config.taxonomies.get(&t.name).and_then(|c| c.paginate_by);
                for term in &t.terms {
                    let term_url = format!("/{}/{}/", t.slug, term.slug);
                    let chunks: Vec<&[usize]> = match by {
                        Some(n) => term.pages.chunks(n).collect(),
                        None => vec![term.pages.as_slice()],
                    };
                    let total = chunks.len();
                    for (k, chunk) in chunks.iter().enumerate() {
                        let url = pager_url(&term_url, k + 1);
                        let mut ctx = ctx_base(&url);
                        ctx.insert("taxonomy", &values.taxonomy_value(&config, t));
                        let mut tv = json!({
                            "name": term.name, "slug": term.slug,
                            "permalink": permalink(&config, &term_url), "path": format!("{base_path}{term_url}"),
                            "page_count": term.pages.len(),
                            "pages": if by.is_some() { json!([]) } else { values.lite_list(chunk) },
                        });
                        if by.is_some() {
                            ctx.insert(
                                "paginator",
                                &paginator(&config, &term_url, by.unwrap_or(1), k + 1, total, values.lite_list(chunk)),
                            );
                        } else {
                            tv["pages"] = values.lite_list(chunk);
                        }
                        ctx.insert("term", &tv);
                        jobs.push(
                            tpl.render("taxonomy_single.html", &ctx, &built.sources).map(|h| (out_path(&url), h)),
                        );
                    }
                }
            }
            jobs
        })
        .collect();

    let mut files: BTreeMap<String, OutFile> = BTreeMap::new();
    let mut template_errors: HashMap<(PathBuf, String), usize> = HashMap::new();
    for r in page_out.into_iter().chain(section_out.into_iter().flatten()).chain(tax_out) {
        match r {
            Ok((path, html)) => {
                files.insert(path, OutFile::Bytes(html.into_bytes()));
            }
            Err(d) => {
                // One broken template breaks every page using it: report it once.
                let key = (d.path.clone(), d.message.clone());
                let n = template_errors.entry(key).or_insert(0);
                *n += 1;
                if *n == 1 {
                    diags.push(d);
                }
            }
        }
    }
    if tpl.has("404.html") {
        match tpl.render("404.html", &ctx_base("/404.html"), &built.sources) {
            Ok(h) => {
                files.insert("404.html".into(), OutFile::Bytes(h.into_bytes()));
            }
            Err(d) => diags.push(d),
        }
    }
    if tpl.has("search.html") {
        match tpl.render("search.html", &ctx_base("/search/"), &built.sources) {
            Ok(h) => {
                files.insert("search/index.html".into(), OutFile::Bytes(h.into_bytes()));
            }
            Err(d) => diags.push(d),
        }
    }
    files.insert(SEARCH_INDEX.into(), OutFile::Bytes(search_index(&content, &page_docs, &base_path).into_bytes()));
    for (alias, target, _) in &aliases {
        let to = permalink(&config, target);
        files.insert(out_path(alias), OutFile::Bytes(redirect_html(&to).into_bytes()));
    }
    for s in &content.sections {
        if let Some(n) = s.meta.paginate_by
            && s.pages.len() > n
        {
            files
                .entry(format!("{}page/1/index.html", s.url_path.trim_start_matches('/')))
                .or_insert_with(|| OutFile::Bytes(redirect_html(&permalink(&config, &s.url_path)).into_bytes()));
        }
    }
    feeds::write_all(&config, &content, &page_docs_html(&page_docs), &taxonomies, &mut files);
    if let Some(css) = highlight_css {
        files.insert("highlight.css".into(), OutFile::Bytes(css.into_bytes()));
    }
    for (name, bytes) in assets.into_values().filter(|_| !opts.plain_assets) {
        files.entry(name).or_insert(OutFile::Bytes(bytes));
    }
    for a in &content.assets {
        files.insert(a.output.clone(), OutFile::Copy(a.source.clone()));
    }
    for (k, v) in statics {
        files.entry(k).or_insert(OutFile::Copy(v));
    }

    built.stats.pages = content.pages.len();
    built.stats.sections = content.sections.len();
    built.stats.terms = taxonomies.iter().map(|t| t.terms.len()).sum();
    built.stats.files = files.len();
    built.page_sources = content.pages.iter().map(|p| (out_path(&p.url_path), p.file.rel.clone())).collect();
    built.files = files;
    finish(&mut built, diags, start);
    Ok(built)
}

/// Where the search index is written (the theme's `search.js` loads it).
pub const SEARCH_INDEX: &str = "search_index.json";

/// `style.css` → `style.<hash>.css` for every stylesheet and script, so a host
/// can cache them forever: a changed file gets a new name. Stylesheets are
/// minified on the way (see [`crate::render::minify`]). The plain name is
/// still written, unminified, for sites that link it by hand.
fn fingerprints(
    statics: &BTreeMap<String, PathBuf>,
    highlight_css: Option<&str>,
) -> HashMap<String, (String, Vec<u8>)> {
    let named = |rel: &str, bytes: Vec<u8>| {
        let bytes = if rel.ends_with(".css") {
            crate::render::minify::css(&String::from_utf8_lossy(&bytes)).into_bytes()
        } else {
            bytes
        };
        let (stem, ext) = rel.rsplit_once('.').unwrap_or((rel, ""));
        (format!("{stem}.{}.{ext}", crate::hash::short_hex(&bytes)), bytes)
    };
    let mut out: HashMap<String, (String, Vec<u8>)> = statics
        .par_iter()
        .filter(|(k, _)| k.ends_with(".css") || k.ends_with(".js"))
        .filter_map(|(k, path)| std::fs::read(path).ok().map(|b| (k.clone(), named(k, b))))
        .collect();
    if let Some(css) = highlight_css {
        out.entry("highlight.css".into()).or_insert_with(|| named("highlight.css", css.as_bytes().to_vec()));
    }
    out
}

/// Every page's title, description, headings and words (see [`crate::render::search`]).
fn search_index(content: &Content, docs: &[Doc], base_path: &str) -> String {
    fn flatten(toc: &[crate::render::markdown::TocEntry], out: &mut Vec<String>) {
        for t in toc {
            out.push(t.title.clone());
            flatten(&t.children, out);
        }
    }
    let entries: Vec<crate::render::search::Entry> = content
        .pages
        .iter()
        .zip(docs)
        .map(|(p, d)| {
            let mut headings = Vec::new();
            flatten(&d.rendered.toc, &mut headings);
            crate::render::search::Entry {
                url: format!("{base_path}{}", p.url_path),
                title: &p.meta.title,
                description: p.meta.description.as_deref().unwrap_or(""),
                headings,
                html: &d.rendered.html,
            }
        })
        .collect();
    crate::render::search::build(&entries)
}

fn finish(built: &mut Built, mut diags: Vec<Diagnostic>, start: Instant) {
    crate::diagnostics::sort(&mut diags);
    built.diagnostics.append(&mut diags);
    built.stats.elapsed = start.elapsed();
}

fn page_docs_html(docs: &[Doc]) -> Vec<(&str, Option<&str>)> {
    docs.iter().map(|d| (d.rendered.html.as_str(), d.rendered.summary.as_deref())).collect()
}

fn templates_stylesheet(config: &Config) -> Option<String> {
    crate::render::highlight::stylesheet(&config.markdown.highlight_theme)
}

/// `static/` of the theme, then of the site (the site wins).
fn static_files(root: &Path, config: &Config) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    for dir in [root.join("themes").join(&config.theme).join("static"), root.join("static")] {
        for e in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if !e.file_type().is_file() || crate::content::is_editor_temp(e.file_name()) {
                continue;
            }
            if let Ok(inside) = e.path().strip_prefix(&dir) {
                let key = inside.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                out.insert(key, e.path().to_path_buf());
            }
        }
    }
    out
}

/// `/old/minsk` → `/old/minsk/`; `None` if it would climb out of the output.
fn normalize_alias(alias: &str) -> Option<String> {
    let mut parts = Vec::new();
    for seg in alias.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') => return None,
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return None;
    }
    if parts.last().is_some_and(|l| l.ends_with(".html")) {
        return Some(format!("/{}", parts.join("/")));
    }
    Some(format!("/{}/", parts.join("/")))
}

/// URL path → output file: `/europe/x/` → `europe/x/index.html`.
pub fn out_path(url_path: &str) -> String {
    let p = url_path.trim_start_matches('/');
    if p.is_empty() {
        "index.html".into()
    } else if p.ends_with(".html") {
        p.to_string()
    } else {
        format!("{}/index.html", p.trim_end_matches('/'))
    }
}

fn pager_url(base: &str, n: usize) -> String {
    if n <= 1 { base.to_string() } else { format!("{base}page/{n}/") }
}

pub fn permalink(config: &Config, url_path: &str) -> String {
    format!("{}{}{}", config.origin(), config.base_path(), url_path)
}

fn redirect_html(to: &str) -> String {
    let to = to.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Redirecting…</title>\
<link rel=\"canonical\" href=\"{to}\"><meta http-equiv=\"refresh\" content=\"0; url={to}\"></head>\
<body><p>This page has moved to <a href=\"{to}\">{to}</a>.</p></body></html>\n"
    )
}

fn paginator(config: &Config, base: &str, by: usize, current: usize, total: usize, pages: Value) -> Value {
    let link = |n: usize| Value::String(format!("{}{}", config.base_path(), pager_url(base, n)));
    json!({
        "paginate_by": by,
        "current_index": current,
        "total_pages": total,
        "pages": pages,
        "first": link(1),
        "last": link(total),
        "previous": if current > 1 { link(current - 1) } else { Value::Null },
        "next": if current < total { link(current + 1) } else { Value::Null },
        "number_pagers": total,
    })
}

fn config_value(config: &Config, taxonomies: &[Taxonomy]) -> Value {
    json!({
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url,
        "default_language": config.default_language,
        "generate_feed": config.generate_feed,
        "extra": toml_to_json(&toml::Value::Table(config.extra.clone())),
        "taxonomies": taxonomies.iter().map(|t| json!({
            "name": t.name, "slug": t.slug,
            "permalink": permalink(config, &format!("/{}/", t.slug)),
            "path": format!("{}/{}/", config.base_path(), t.slug),
            "feed": config.taxonomies.get(&t.name).is_some_and(|c| c.feed),
        })).collect::<Vec<_>>(),
    })
}

/// Template values, built once per page and shared by every listing.
struct Values<'a> {
    config: &'a Config,
    content: &'a Content,
    /// Page values without `content` and `toc`, for listings.
    lite: Vec<Arc<Value>>,
    section_lite: Vec<Value>,
    taxonomies: &'a [Taxonomy],
}

impl<'a> Values<'a> {
    fn new(config: &'a Config, content: &'a Content, docs: &[Doc], sdocs: &[Doc], taxonomies: &'a [Taxonomy]) -> Self {
        let bp = config.base_path();
        let tax_slug: HashMap<&str, &str> = taxonomies.iter().map(|t| (t.name.as_str(), t.slug.as_str())).collect();
        let lite: Vec<Arc<Value>> = content
            .pages
            .par_iter()
            .zip(docs)
            .map(|(p, d)| {
                let terms: serde_json::Map<String, Value> = p
                    .meta
                    .taxonomies
                    .iter()
                    .map(|(tax, names)| {
                        let ts = tax_slug.get(tax.as_str()).copied().unwrap_or(tax);
                        let list: Vec<Value> = names
                            .iter()
                            .map(|n| {
                                let slug = crate::slug::slugify(n);
                                json!({"name": n, "slug": slug, "permalink": permalink(config, &format!("/{ts}/{slug}/")), "path": format!("{bp}/{ts}/{slug}/")})
                            })
                            .collect();
                        (tax.clone(), Value::Array(list))
                    })
                    .collect();
                Arc::new(json!({
                    "title": p.meta.title,
                    "description": p.meta.description,
                    "date": p.meta.date.as_ref().map(|d| &d.text),
                    "updated": p.meta.updated.as_ref().map(|d| &d.text),
                    "slug": p.url_path.trim_end_matches('/').rsplit('/').next().unwrap_or(""),
                    "path": format!("{bp}{}", p.url_path),
                    "permalink": permalink(config, &p.url_path),
                    "summary": d.rendered.summary,
                    "word_count": d.rendered.word_count,
                    "reading_time": reading_time(d.rendered.word_count),
                    "authors": p.meta.authors,
                    "taxonomies": p.meta.taxonomies,
                    "terms": terms,
                    "extra": toml_to_json(&toml::Value::Table(p.meta.extra.clone())),
                    "draft": p.meta.draft,
                    "weight": p.meta.weight,
                    "section": format!("{bp}{}", content.sections[p.section].url_path),
                    "assets": p.assets,
                    "relative_path": p.content_rel,
                }))
            })
            .collect();
        let section_lite = content
            .sections
            .iter()
            .zip(sdocs)
            .map(|(s, d)| {
                json!({
                    "title": s.meta.title,
                    "description": s.meta.description,
                    "path": format!("{bp}{}", s.url_path),
                    "permalink": permalink(config, &s.url_path),
                    "page_count": s.pages.len(),
                    "extra": toml_to_json(&toml::Value::Table(s.meta.extra.clone())),
                    "word_count": d.rendered.word_count,
                    "reading_time": reading_time(d.rendered.word_count),
                    "relative_path": s.content_rel,
                })
            })
            .collect();
        Values { config, content, lite, section_lite, taxonomies }
    }

    fn lite_list(&self, idx: &[usize]) -> Value {
        Value::Array(idx.iter().map(|&i| (*self.lite[i]).clone()).collect())
    }

    fn ancestors(&self, mut section: Option<usize>) -> Value {
        let mut list = Vec::new();
        while let Some(s) = section {
            let sec = &self.content.sections[s];
            list.push(json!({"title": sec.meta.title, "permalink": permalink(self.config, &sec.url_path), "path": format!("{}{}", self.config.base_path(), sec.url_path)}));
            section = sec.parent;
        }
        list.reverse();
        Value::Array(list)
    }

    fn full_page(&self, i: usize, doc: &Doc) -> Value {
        let p = &self.content.pages[i];
        let mut v = (*self.lite[i]).clone();
        v["content"] = Value::String(doc.rendered.html.clone());
        v["toc"] = serde_json::to_value(&doc.rendered.toc).unwrap_or(Value::Null);
        v["ancestors"] = self.ancestors(Some(p.section));
        let siblings = &self.content.sections[p.section].pages;
        let pos = siblings.iter().position(|&x| x == i);
        let link = |j: usize| json!({"title": self.content.pages[j].meta.title, "permalink": self.lite[j]["permalink"], "path": self.lite[j]["path"]});
        v["lower"] = pos.and_then(|k| k.checked_sub(1)).map(|k| link(siblings[k])).unwrap_or(Value::Null);
        v["higher"] = pos.and_then(|k| siblings.get(k + 1)).map(|&j| link(j)).unwrap_or(Value::Null);
        v["related"] = self.related(i);
        v
    }

    /// Up to four pages sharing the most taxonomy terms with page `i`.
    /// Bounded work: only the first 200 pages of each term are considered.
    fn related(&self, i: usize) -> Value {
        let p = &self.content.pages[i];
        let mut score: HashMap<usize, usize> = HashMap::new();
        for t in self.taxonomies {
            let Some(names) = p.meta.taxonomies.get(&t.name) else { continue };
            for name in names {
                let slug = crate::slug::slugify(name);
                if let Ok(k) = t.terms.binary_search_by(|x| x.slug.cmp(&slug)) {
                    for &j in t.terms[k].pages.iter().take(200) {
                        if j != i {
                            *score.entry(j).or_insert(0) += 1;
                        }
                    }
                }
            }
        }
        let mut best: Vec<(usize, usize)> = score.into_iter().collect();
        best.sort_by(|a, b| {
            b.1.cmp(&a.1).then_with(|| {
                let (da, db) = (&self.content.pages[a.0].meta.date, &self.content.pages[b.0].meta.date);
                db.cmp(da).then(a.0.cmp(&b.0))
            })
        });
        Value::Array(
            best.into_iter()
                .take(4)
                .map(|(j, _)| json!({"title": self.lite[j]["title"], "permalink": self.lite[j]["permalink"], "path": self.lite[j]["path"], "description": self.lite[j]["description"]}))
                .collect(),
        )
    }

    fn section_value(&self, i: usize, doc: &Doc, with_pages: bool) -> Value {
        let s = &self.content.sections[i];
        let mut v = self.section_lite[i].clone();
        v["content"] = Value::String(doc.rendered.html.clone());
        v["toc"] = serde_json::to_value(&doc.rendered.toc).unwrap_or(Value::Null);
        v["ancestors"] = self.ancestors(s.parent);
        v["pages"] = if with_pages { self.lite_list(&s.pages) } else { json!([]) };
        v["subsections"] = Value::Array(s.subsections.iter().map(|&k| self.section_lite[k].clone()).collect());
        v
    }

    fn taxonomy_value(&self, config: &Config, t: &Taxonomy) -> Value {
        json!({"name": t.name, "slug": t.slug, "permalink": permalink(config, &format!("/{}/", t.slug)), "path": format!("{}/{}/", config.base_path(), t.slug)})
    }

    fn terms_value(&self, config: &Config, t: &Taxonomy) -> Value {
        Value::Array(
            t.terms
                .iter()
                .map(|term| {
                    let url = format!("/{}/{}/", t.slug, term.slug);
                    json!({"name": term.name, "slug": term.slug, "permalink": permalink(config, &url), "path": format!("{}{url}", config.base_path()), "page_count": term.pages.len()})
                })
                .collect(),
        )
    }

    /// The data behind `get_page`, `get_section`, `get_taxonomy` and `get_url`.
    fn index(&self, config: &Config, urls: &HashMap<String, String>) -> SiteIndex {
        let pages =
            self.content.pages.iter().enumerate().map(|(i, p)| (p.content_rel.clone(), self.lite[i].clone())).collect();
        let sections = self
            .content
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut v = self.section_lite[i].clone();
                v["pages"] = self.lite_list(&s.pages);
                v["subsections"] = Value::Array(s.subsections.iter().map(|&k| self.section_lite[k].clone()).collect());
                (s.content_rel.clone(), Arc::new(v))
            })
            .collect();
        let taxonomies = self
            .taxonomies
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    Arc::new(json!({"taxonomy": self.taxonomy_value(config, t), "terms": self.terms_value(config, t)})),
                )
            })
            .collect();
        let mut order: Vec<usize> = (0..self.content.pages.len()).collect();
        crate::content::sort_pages(&mut order, &self.content.pages, crate::content::SortBy::Date);
        let by_date = order.into_iter().map(|i| self.content.pages[i].content_rel.clone()).collect();
        SiteIndex {
            pages,
            sections,
            taxonomies,
            urls: urls.clone(),
            base_path: config.base_path().to_string(),
            origin: config.origin().to_string(),
            by_date,
            assets: HashMap::new(),
        }
    }
}

impl Stats {
    pub fn summary_line(&self) -> String {
        format!(
            "Built {} pages, {} sections, {} terms, {} files in {} ms",
            self.pages,
            self.sections,
            self.terms,
            self.files,
            self.elapsed.as_millis()
        )
    }
}

/// Write a built site (used by commands); see [`crate::output`].
pub fn write(built: &Built, output: &Path) -> Result<()> {
    crate::output::write_atomically(&built.files, output)
        .with_context(|| format!("could not write the site to {}", output.display()))
}
