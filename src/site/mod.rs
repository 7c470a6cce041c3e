//! The orchestrator: load → correct → render → write.
//!
//! [`build`] runs the first three stages entirely in memory and returns every
//! output file plus every diagnostic; [`crate::output`] writes them. Nothing
//! here touches `public/`, which is why a failed build can never damage it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::config::{Config, toml_to_json};
use crate::content::{self, Content};
use crate::correct;
use crate::diagnostics::{Diagnostic, SourceMap};
use crate::render::feeds;
use crate::render::markdown::{self, AnchorCheck, LinkContext, Rendered};
use crate::render::shortcodes::{self, ShortcodeEnv};
use crate::render::templates::{self, Listing, SiteIndex, reading_time};
use crate::taxonomies::{self, Taxonomy};

mod cached;
mod claims;
mod headers;
mod retemplate;
mod searches;
mod translations;
mod update;
pub use cached::{CacheAt, Session};
pub use update::{Outcome, Partial};

/// What `attache build` and friends ask for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Publish pages dated in the future (`--future`).
    pub future: bool,
    /// Link stylesheets and scripts by their plain names instead of
    /// fingerprinted ones (`attache serve`: a stylesheet edit then changes one
    /// file, which the browser swaps in place, instead of every page's HTML).
    pub plain_assets: bool,
    /// The persistent build cache and the output it is for (`attache build`
    /// only; `None` with `--no-cache`).
    pub cache: Option<CacheAt>,
}

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutFile {
    Bytes(Vec<u8>),
    /// Copied verbatim from a source file (static files, bundle assets).
    Copy(PathBuf),
    /// Already written where it stands, in the temporary output directory
    /// of a streaming build (`attache build`, see [`crate::output::Staging`]):
    /// the bytes are not kept in memory.
    Written(PathBuf),
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
    /// The build cache, when the build used one: what to record once the
    /// output is written, and whether anything needs writing.
    pub cache: Option<Box<Session>>,
}

impl Built {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Rendered Markdown of one page or section.
pub(crate) struct Doc {
    rendered: Rendered,
    /// What later stages derive from the HTML, kept with it in the build
    /// cache so that a rebuild does not scan every page again (`None`: derive it).
    derived: Option<Box<cached::Derived>>,
}

impl Doc {
    /// Add the classes the HTML uses, each with how often, to `counts`.
    fn count_classes(&self, counts: &mut HashMap<String, usize>) {
        match &self.derived {
            Some(d) => {
                for (c, n) in &d.classes {
                    *counts.entry(c.clone()).or_insert(0) += n;
                }
            }
            None => {
                for c in crate::render::minify::classes(&self.rendered.html) {
                    *counts.entry(c.to_string()).or_insert(0) += 1;
                }
            }
        }
    }
}

/// Free the corrected Markdown of every page once it is rendered: nothing
/// reads it again (the dev server re-corrects an edited page from its
/// source), and it is as large as the site's sources (0.8 GB at 100,000
/// articles). The source text itself stays, for diagnostics and the cache.
fn drop_rendered_bodies(content: &mut Content) {
    for p in &mut content.pages {
        p.body = String::new();
        p.body_map = Default::default();
    }
}

/// Free each page's ids and outgoing anchored links once the links are
/// checked: only the dev server checks them again (after an edit), and at
/// 100,000 articles they weigh hundreds of megabytes.
fn forget_link_targets(docs: &mut [Doc]) {
    for d in docs {
        d.rendered.ids = Default::default();
        d.rendered.anchors = Vec::new();
    }
}

/// Build the site in memory. `Err` is for plumbing failures (no config.toml);
/// problems in content are diagnostics in the result.
pub fn build(opts: &BuildOptions) -> Result<Built> {
    run(opts, false, None).map(|(built, _)| built)
}

/// [`build`], writing each rendered page into `staging` as soon as it is
/// made (`attache build`): the file map then holds [`OutFile::Written`]
/// entries instead of the pages' bytes, so memory does not grow with the
/// size of the output. Other outputs (feeds, assets, static files) stay in
/// the map and are written by [`crate::output::Staging::commit`].
pub fn build_streaming(opts: &BuildOptions, staging: &crate::output::Staging) -> Result<Built> {
    run(opts, false, Some(staging)).map(|(built, _)| built)
}

/// [`build`], also handing back what the build computed, so that the dev
/// server can re-render one edited article without redoing the rest
/// ([`State::update_pages`]). `None` when the build stopped early.
pub fn build_with_state(opts: &BuildOptions) -> Result<(Built, Option<State>)> {
    run(opts, true, None)
}

/// `root/config.toml` (or Zola's `zola.toml`), or the error every command gives
/// outside a site (exit 2),
/// so `serve` stops at once instead of serving "not found".
pub fn require_site(root: &Path) -> Result<PathBuf> {
    let config_path = root.join(crate::config::file_name(root));
    if !config_path.is_file() {
        anyhow::bail!("no config.toml (or zola.toml) in {} (is this a site? `attache init` makes one)", root.display());
    }
    Ok(config_path)
}

/// The build; `keep`: also assemble the [`State`] (skipped by `attache build`,
/// which would throw it away); `sink`: where to stream rendered pages.
fn run(opts: &BuildOptions, keep: bool, sink: Option<&crate::output::Staging>) -> Result<(Built, Option<State>)> {
    let start = Instant::now();
    let mut clock = Stopwatch::new();
    let root = &opts.root;
    let mut built = Built::default();
    let config_path = require_site(root)?;
    let config_name = crate::config::file_name(root);
    let config_text = crate::fs::read_to_string(&config_path)?;
    built.sources.insert(config_name, Arc::from(config_text.as_str()));
    let mut config = match Config::parse_all(Path::new(config_name), &config_text) {
        Ok((c, mut warnings)) => {
            built.diagnostics.append(&mut warnings);
            c
        }
        Err(mut d) => {
            built.diagnostics.append(&mut d);
            return Ok((built, None));
        }
    };
    config.resolve_theme(root);
    // Hashed copies of stylesheets and scripts are Attaché's own output:
    // written only when the site asks (`fingerprint_assets`), as Zola
    // writes no file it is not asked for.
    let with_fingerprints =
        BuildOptions { plain_assets: opts.plain_assets || !config.fingerprint_assets, ..opts.clone() };
    let opts = &with_fingerprints;
    if let Some(url) = &opts.base_url {
        config.base_url = url.trim_end_matches('/').to_string();
    }
    if config.markdown.highlight_code && templates_stylesheet(&config).is_none() {
        let at = config_text.find("highlight_theme").unwrap_or(0);
        let names = config.markdown.highlighter.theme_names();
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
    let publish = content::Publish::at_now(opts.drafts, opts.future);
    let mut content = content::load(root, &config, publish, &mut diags);
    let mut session =
        opts.cache.as_ref().and_then(|at| Session::start(at, opts, &config_text, &config, &content)).map(Box::new);
    if let Some(s) = session.take_if(|s| s.unchanged && diags.is_empty() && built.diagnostics.is_empty()) {
        // Nothing read differs from the last build, whose output is intact.
        let [pages, sections, terms, files, a, b, c, d, e] = s.previous_stats;
        built.stats = Stats { pages, sections, terms, files, elapsed: start.elapsed(), correction: Default::default() };
        built.stats.correction = correct::Summary {
            articles_corrected: a,
            spun_articles: b,
            changes_applied: c,
            typography_applied: d,
            suggestions: e,
        };
        built.cache = Some(s);
        return Ok((built, None));
    }
    let drafts = std::mem::take(&mut content.drafts);
    built.sources.extend(std::mem::take(&mut content.sources));

    clock.lap("load");
    // Stage 2: correction (prose only; see `correct`).
    let corrector = match correct::Corrector::for_site(root, &config) {
        Ok(corrector) => {
            let disk = session.as_ref().map(|s| &s.reports);
            let (summary, reports) = correct::correct_content_cached(&mut content, &corrector, disk);
            built.stats.correction = summary;
            built.corrections = reports;
            Some(corrector)
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
            None
        }
    };

    clock.lap("correct");
    let taxonomies = taxonomies::collect(root, &config, &content, &mut diags);
    let static_candidates = static_files(root, &config, &mut diags);
    // Sass and resized images are kept in the persistent cache, keyed by
    // their inputs' bytes, even when templates must all be rendered again.
    let disk = opts.cache.as_ref().and_then(|at| crate::cache::Cache::open(&at.dir));
    let sass = crate::render::sass::compile(root, &config, disk.as_ref(), &mut built.sources, &mut diags);
    let highlight_base = templates_stylesheet(&config);
    let aliases = aliases(&content, &mut diags);

    // Templates (which outputs exist depends on which templates the theme has).
    let index = templates::SharedIndex::default();
    index.set_generated(sass.iter().map(|(k, v)| (k.clone(), Arc::from(v.as_bytes()))));
    let tpl = match templates::load(root, &config, index.clone(), &mut built.sources, &mut diags) {
        Ok(t) => t,
        Err(mut d) => {
            diags.append(&mut d);
            finish(&mut built, diags, start);
            return Ok((built, None));
        }
    };
    if let Some(disk) = disk {
        tpl.processed.use_cache(disk);
    }
    // A custom feed name is written through its template: no warning then.
    if config.feed_filenames.iter().all(|n| n == "atom.xml" || n == "rss.xml" || tpl.has(n)) {
        built.diagnostics.retain(|d| !(d.code == "config/unimplemented" && d.message.starts_with("`feed_filenames`")));
    }
    // Zola's rule: `page.html` and `section.html` are needed only by pages
    // and sections that use them (reported there), 404.html has a built-in.
    // `index.html` too: a home page with its own `template` (a Zola theme's
    // `template = "home.html"`) does not need it.
    let home_needs_index =
        content.sections.iter().any(|s| (s.url_path == "/" || is_language_root(s)) && s.meta.template.is_none());
    for name in ["index.html"] {
        if home_needs_index && !tpl.has(name) {
            diags.push(Diagnostic::error(
                "template/missing",
                if config.theme.is_empty() {
                    format!("templates/{name}")
                } else {
                    format!("themes/{}/templates/{name}", config.theme)
                },
                format!("the theme has no `{name}`"),
            ));
        }
    }

    diags.extend(missing_section_template(&content, &tpl));

    // Every output file the build will write, each with its one owner.
    let feed_plan = feeds::plan(&config, &content, &taxonomies);
    let layout = Layout { config: &config, content: &content, taxonomies: &taxonomies, tpl: &tpl };
    diags.extend(layout.taxonomy_takeovers());
    let mut claims = claims::claim_site(&claims::Site {
        root,
        config: &config,
        config_text: &config_text,
        content: &content,
        taxonomies: &taxonomies,
        layout: &layout,
        feeds: &feed_plan,
        aliases: &aliases,
        statics: &static_candidates,
        highlight: highlight_base.is_some(),
    });
    let aliases: Vec<Alias> = aliases.into_iter().filter(|a| !a.moved || claims::keeps_moved(&claims, a)).collect();
    for key in sass.keys() {
        claims.claim(key.clone(), claims::Owner::builtin(format!("the stylesheet compiled from sass/ into {key}")));
    }
    // Static files that no other output takes the place of.
    let statics: BTreeMap<String, PathBuf> = static_candidates
        .into_iter()
        .filter(|(key, path, _)| {
            claims.owner(key).is_some_and(|o| o.file.as_deref() == Some(&*content::rel_to(root, path)))
        })
        .map(|(key, path, _)| (key, path))
        .collect();

    let base_path = config.base_path().to_string();
    // Link targets: every claimed file, and the directory of each `index.html`.
    let mut known: HashSet<String> = HashSet::new();
    for path in claims.paths() {
        match path.strip_suffix("index.html").filter(|d| d.is_empty() || d.ends_with('/')) {
            Some(dir) => known.insert(dir.to_string()),
            None => known.insert(path.clone()),
        };
    }
    for f in ["atom.xml", "sitemap.xml", "robots.txt", "404.html", "highlight.css", "search/"] {
        known.insert(f.to_string());
    }
    let urls: HashMap<String, String> = content
        .pages
        .iter()
        .map(|p| (p.content_rel.clone(), format!("{base_path}{}", p.url_path)))
        .chain(content.sections.iter().map(|s| (s.content_rel.clone(), format!("{base_path}{}", s.url_path))))
        .collect();
    let config_value = config_value(&config, &taxonomies);
    if let Some(s) = &mut session {
        s.set_structure(&content, &known, &drafts);
    }

    clock.lap("taxonomies, URLs, templates");
    // Stage 3a: Markdown of every page and section, in parallel.
    let md = Md {
        config: &config,
        config_value: &config_value,
        base_path: &base_path,
        tpl: &tpl,
        urls: &urls,
        known: &known,
        drafts: &drafts,
    };
    let page_docs: Vec<(Doc, Vec<Diagnostic>)> = content
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            if let Some(doc) = session.as_ref().and_then(|s| s.doc(i)) {
                return (doc, Vec::new());
            }
            let anchors = content.sections[p.section].meta.insert_anchor_links;
            let ((mut doc, d), reads) = templates::track(|| {
                md.doc(&p.body, &p.body_map, p.body_start, &p.file.rel, &p.url_path, &p.meta.title, &p.assets, anchors)
            });
            if let Some(s) = &session {
                s.keep_doc(i, &mut doc, &d, &reads, &content, &base_path);
            }
            (doc, d)
        })
        .collect();
    let section_docs: Vec<(Doc, Vec<Diagnostic>)> = content
        .sections
        .par_iter()
        .map(|s| {
            let anchors = s.meta.insert_anchor_links;
            md.doc(&s.body, &s.body_map, s.body_start, &s.file.rel, &s.url_path, &s.meta.title, &[], anchors)
        })
        .collect();
    let (mut page_docs, page_diags): (Vec<Doc>, Vec<Vec<Diagnostic>>) = page_docs.into_iter().unzip();
    let section_docs: Vec<Doc> = section_docs
        .into_iter()
        .map(|(d, mut x)| {
            diags.append(&mut x);
            d
        })
        .collect();

    clock.lap("markdown");
    drop_rendered_bodies(&mut content);
    // Anchors: checked against the target's ids, now that all are known.
    let mut anchor_diags = anchor_diagnostics(&content, &page_docs, &section_docs);
    anchor_diags.iter_mut().for_each(|d| config.link_checks.apply_level(d));
    if !keep {
        forget_link_targets(&mut page_docs);
    }

    // Stage 3b: template values, each serialised once.
    let versions = translations::Translations::new(&config, &content);
    let lite = page_lites(&config, &content, &page_docs, &taxonomies, &versions);
    let section_lite = section_lites(&config, &content, &section_docs, &versions);
    let values = Values {
        config: &config,
        content: &content,
        lite: &lite,
        section_lite: &section_lite,
        taxonomies: &taxonomies,
        versions: Versions::of(&content),
    };
    // Fingerprints now that the code blocks are known: the syntax palette
    // keeps only the rules for classes some page uses.
    let mut class_counts: HashMap<String, usize> = HashMap::new();
    for d in page_docs.iter().chain(&section_docs) {
        d.count_classes(&mut class_counts);
    }
    let highlight_css = highlight_base.as_deref().map(|css| used_css(css, &class_counts));
    let assets = fingerprints(&statics, highlight_css.as_deref());
    if !opts.plain_assets {
        claims::claim_fingerprints(&mut claims, root, &statics, &assets);
    }
    let mut site_index = values.index(&config, &urls, &section_docs);
    site_index.assets = assets
        .iter()
        .map(|(k, (name, _))| (k.clone(), if opts.plain_assets { k.clone() } else { name.clone() }))
        .collect();
    let asset_names = if session.is_some() { site_index.assets.clone() } else { HashMap::new() };
    index.set(site_index);

    clock.lap("anchors, values, index");
    // Stage 3c: templates, in parallel.
    let renderer = Renderer {
        config: &config,
        config_value: &config_value,
        base_path: &base_path,
        content: &content,
        tpl: &tpl,
        values,
        page_docs: &page_docs,
        section_docs: &section_docs,
        taxonomies: &taxonomies,
        sources: &built.sources,
    };
    let jobs = renderer.jobs();
    // With the cache: which outputs are the last build's, and every page value's key.
    let reuse = session.as_ref().map(|s| {
        let shared = s.render_key(highlight_css.as_deref(), &asset_names);
        (shared, Session::lite_keys(&content, &lite))
    });
    let layout = renderer.layout();
    // Each job: what it rendered (`None`: nothing, or taken from the last
    // build), the pages it read, its cache key, whether it was taken.
    type Out = (Job, Option<Result<(String, OutFile), Diagnostic>>, Vec<String>, Option<u64>, bool);
    // The first failure to write a streamed page (the build then stops).
    let write_error: std::sync::Mutex<Option<anyhow::Error>> = std::sync::Mutex::new(None);
    let outs: Vec<Out> = jobs
        .par_iter()
        .map(|&job| {
            let cached = session.as_ref().zip(reuse.as_ref()).zip(layout.output_of(job));
            if let Some(((s, (shared, lites)), path)) = &cached
                && let Some(key) = s.job_key(*shared, job, path, lites)
                && s.still_there(path, key)
            {
                // Unchanged: taken from the last build's output as it is.
                return (job, None, s.previous_reads(path), Some(key), true);
            }
            let (out, mut used) = templates::track(|| renderer.render(job));
            if session.is_none() && !keep {
                // Only the cache and the dev server ask which pages an output
                // read: listings read thousands, too many to hold for nothing.
                used = Vec::new();
            }
            used.sort_unstable();
            used.dedup();
            let key = cached.and_then(|((s, (shared, lites)), path)| s.rendered_key(*shared, job, &path, &used, lites));
            let (out, key) = match (out, sink) {
                (Some(Ok((path, html))), Some(sink)) => {
                    // The key `Session::settle` would give the bytes, made
                    // while they are still here.
                    let key = key
                        .or_else(|| session.as_ref().map(|_| crate::cache::Key::new().add(html.as_bytes()).finish()));
                    match sink.put(&path, html.as_bytes()) {
                        Ok(file) => (Some(Ok((path, file))), key),
                        Err(e) => {
                            if let Ok(mut slot) = write_error.lock() {
                                slot.get_or_insert(e);
                            }
                            (None, key)
                        }
                    }
                }
                (out, _) => (out.map(|r| r.map(|(path, html)| (path, OutFile::Bytes(html.into_bytes())))), key),
            };
            (job, out, used, key, false)
        })
        .collect();
    if let Some(e) = write_error.into_inner().ok().flatten() {
        return Err(e);
    }

    clock.lap(&format!("{} templates", jobs.len()));
    let mut files: BTreeMap<String, OutFile> = BTreeMap::new();
    let mut template_errors: HashMap<(PathBuf, String), usize> = HashMap::new();
    let mut reads: HashMap<Job, Vec<String>> = HashMap::new();
    for (job, out, used, key, taken) in outs {
        if let (Some(s), Some(path)) = (&mut session, layout.output_of(job)) {
            if let Some(key) = key {
                if taken {
                    files.insert(path.clone(), OutFile::Copy(s.at.output.join(&path)));
                }
                s.keys.insert(path.clone(), key);
            }
            s.reads.insert(path, used.clone());
        }
        match out {
            None => continue,
            Some(Ok((path, file))) => {
                files.insert(path, file);
            }
            Some(Err(d)) => {
                // One broken template breaks every page using it: report it once.
                let key = (d.path.clone(), d.message.clone());
                let n = template_errors.entry(key).or_insert(0);
                *n += 1;
                if *n == 1 {
                    diags.push(d);
                }
            }
        }
        if keep {
            reads.insert(job, used);
        }
    }
    let search = searches::Searches::build(&config, &content, &page_docs, &base_path);
    // Attaché's own index only when the site asks for it (`site_search`).
    for (k, bytes) in search.files().into_iter().filter(|_| config.site_search) {
        if claims.owner(&k).is_none() {
            claims.claim(k.clone(), claims::Owner::builtin("the search index"));
        }
        files.insert(k, OutFile::Bytes(bytes));
    }
    clock.lap("search index");
    {
        let page_html: Vec<&str> = page_docs.iter().map(|d| d.rendered.html.as_str()).collect();
        let section_html: Vec<&str> = section_docs.iter().map(|d| d.rendered.html.as_str()).collect();
        for (name, bytes) in crate::render::zola_search::files(&config, &content, &page_html, &section_html) {
            files.insert(name, OutFile::Bytes(bytes));
        }
    }
    for a in &aliases {
        let html = redirect_html(&permalink(&config, &a.target), &format!("{base_path}{}", a.target));
        files.insert(out_path(&a.path), OutFile::Bytes(html.into_bytes()));
    }
    for (path, to, _) in pager_redirects(&layout) {
        let html = redirect_html(&permalink(&config, &to), &format!("{base_path}{to}"));
        files.insert(path, OutFile::Bytes(html.into_bytes()));
    }
    let alternates = versions.alternates(&config, &content);
    {
        let config_for = |lang: &str| config_for_language(&config_value, &config, lang, Some(&taxonomies));
        let over = crate::render::feed_templates::FeedTemplates {
            tpl: &tpl,
            sources: &built.sources,
            config_value: &config_value,
            config_for: &config_for,
            lite: &lite,
            section_lite: &section_lite,
        };
        let html = page_docs_html(&page_docs);
        let made = feeds::write_all(&config, &content, &html, &taxonomies, &feed_plan, &alternates, &over, &mut files);
        diags.extend(made);
    }
    if let Some(css) = &highlight_css {
        files.insert("highlight.css".into(), OutFile::Bytes(css.clone().into_bytes()));
    }
    for (name, theme) in crate::render::zola_highlight::files(&config) {
        if let Some(css) = config.markdown.highlighter.stylesheet(&theme) {
            files.insert(name, OutFile::Bytes(used_css(&css, &class_counts).into_bytes()));
        }
    }
    let fingerprinted: Vec<String> = assets.values().map(|(name, _)| name.clone()).collect();
    for (name, bytes) in assets.into_values().filter(|_| !opts.plain_assets) {
        files.insert(name, OutFile::Bytes(bytes));
    }
    for a in &content.assets {
        files.insert(a.output.clone(), OutFile::Copy(a.source.clone()));
    }
    for (k, v) in statics {
        let expanded = (k == "_headers" && !opts.plain_assets)
            .then(|| std::fs::read_to_string(&v).ok())
            .flatten()
            .and_then(|text| headers::expand(&text, &fingerprinted, &base_path));
        files.insert(k, expanded.map_or(OutFile::Copy(v), |text| OutFile::Bytes(text.into_bytes())));
    }
    for (k, css) in sass {
        files.insert(k, OutFile::Bytes(css.into_bytes()));
    }
    // Resized images are named by their bytes and operation: many pages may
    // ask for one, and they are claimed once, as the build's own output.
    // Every template that could call `resize_image` was rendered (a theme
    // that calls it turns the reuse of outputs off): the images it did not
    // ask for this time are stale.
    if !diags.iter().any(Diagnostic::is_error) {
        tpl.processed.prune_cache();
    }
    for (k, bytes) in tpl.processed.take() {
        if claims.owner(&k).is_none() {
            claims.claim(k.clone(), claims::Owner::builtin("an image made by `resize_image`"));
        }
        files.insert(k, OutFile::Bytes(bytes));
    }
    // Every output was claimed: a second claim on a path is an error here,
    // a static file replaced by another output a warning.
    diags.extend(claims.diagnostics(&built.sources));
    debug_assert!(
        diags.iter().any(Diagnostic::is_error) || files.keys().all(|k| claims.owner(k).is_some()),
        "an output was written without a claim: {:?}",
        files.keys().find(|k| claims.owner(k).is_none())
    );

    clock.lap("feeds, assets");
    built.stats.pages = content.pages.len();
    built.stats.sections = content.sections.len();
    built.stats.terms = taxonomies.iter().map(|t| t.terms.len()).sum();
    built.stats.files = files.len();
    built.page_sources = content.pages.iter().map(|p| (out_path(&p.url_path), p.file.rel.clone())).collect();
    built.files = files;
    let other_diags = diags.clone();
    diags.extend(page_diags.iter().flatten().cloned());
    diags.append(&mut anchor_diags);
    finish(&mut built, diags, start);
    if let Some(mut s) = session {
        s.settle(&mut built.files);
        built.cache = Some(s);
    }
    let state = (keep && !built.has_errors()).then(|| {
        let reports: HashMap<&Path, &correct::Report> =
            built.corrections.iter().map(|(p, r)| (p.as_path(), r)).collect();
        let mut readers: HashMap<String, HashSet<Job>> = HashMap::new();
        for (job, used) in &reads {
            for rel in used {
                readers.entry(rel.clone()).or_default().insert(*job);
            }
        }
        // Markdown is rendered: the corrected bodies are not needed again.
        for p in &mut content.pages {
            p.body = String::new();
            p.body_map = Default::default();
        }
        State {
            feeds: feed_plan,
            opts: opts.clone(),
            page_of: content.pages.iter().enumerate().map(|(i, p)| (p.file.rel.clone(), i)).collect(),
            reports: content.pages.iter().map(|p| reports.get(p.file.rel.as_path()).map(|r| (*r).clone())).collect(),
            config,
            config_value,
            corrector,
            content,
            drafts,
            taxonomies,
            urls,
            known,
            tpl,
            index,
            page_docs,
            section_docs,
            page_diags,
            other_diags,
            lite,
            section_lite,
            reads,
            readers,
            search,
            class_counts,
            highlight_base,
            highlight_css,
            sources: built.sources.clone(),
        }
    });
    clock.lap("state");
    Ok((built, state))
}

/// What a build keeps for the dev server: the loaded and corrected content,
/// each page's rendered Markdown and template value, the templates, and which
/// outputs read which page's value (recorded while they rendered). An edit
/// of an article's body then re-renders that page and the outputs that show
/// it, and nothing else; see [`State::update_pages`] in `update.rs`.
pub struct State {
    opts: BuildOptions,
    config: Config,
    config_value: Value,
    corrector: Option<correct::Corrector>,
    content: Content,
    drafts: HashSet<String>,
    taxonomies: Vec<Taxonomy>,
    urls: HashMap<String, String>,
    known: HashSet<String>,
    tpl: templates::Templates,
    index: templates::SharedIndex,
    page_docs: Vec<Doc>,
    section_docs: Vec<Doc>,
    /// Markdown diagnostics (warnings) of each page.
    page_diags: Vec<Vec<Diagnostic>>,
    /// Every other diagnostic of the build, except broken anchors (an error).
    other_diags: Vec<Diagnostic>,
    lite: Vec<Arc<Value>>,
    section_lite: Vec<Value>,
    /// Output → the pages whose values it read.
    reads: HashMap<Job, Vec<String>>,
    /// Page (`content_rel`) → the outputs that read its value.
    readers: HashMap<String, HashSet<Job>>,
    /// The search indexes, updated in place when an article changes.
    search: searches::Searches,
    feeds: Vec<feeds::Feed>,
    /// Class name → how many documents use it (for the syntax palette).
    class_counts: HashMap<String, usize>,
    highlight_base: Option<String>,
    highlight_css: Option<String>,
    sources: SourceMap,
    page_of: HashMap<PathBuf, usize>,
    reports: Vec<Option<correct::Report>>,
}

/// The syntax palette cut to the classes in use.
fn used_css(css: &str, counts: &HashMap<String, usize>) -> String {
    let used: HashSet<&str> = counts.iter().filter(|(_, n)| **n > 0).map(|(k, _)| k.as_str()).collect();
    crate::render::minify::keep_rules(css, &used)
}

/// What Markdown rendering needs from the rest of the build.
struct Md<'a> {
    config: &'a Config,
    config_value: &'a Value,
    base_path: &'a str,
    tpl: &'a templates::Templates,
    urls: &'a HashMap<String, String>,
    known: &'a HashSet<String>,
    drafts: &'a HashSet<String>,
}

impl Md<'_> {
    /// Shortcodes, then Markdown, with every position mapped back to the source file.
    // The page's parts, passed one by one so that pages and sections share it.
    #[allow(clippy::too_many_arguments)]
    fn doc(
        &self,
        body: &str,
        body_map: &crate::diagnostics::OffsetMap,
        body_start: usize,
        rel: &Path,
        url_path: &str,
        title: &str,
        assets: &[String],
        insert_anchor: Option<crate::config::InsertAnchor>,
    ) -> (Doc, Vec<Diagnostic>) {
        let config = self.config;
        let base_path = self.base_path;
        let mut base = tera::Context::new();
        let content_rel = rel.strip_prefix("content").unwrap_or(rel).to_string_lossy().replace('\\', "/");
        let lang = content::lang::other_language(Path::new(&content_rel), config);
        match lang {
            Some(l) => insert_owned(&mut base, "config", config_for_language(self.config_value, config, l, None)),
            None => base.insert("config", self.config_value),
        }
        let lang = lang.unwrap_or(&config.default_language);
        base.insert("lang", lang);
        base.insert("lang_dir", content::lang::dir(lang));
        let (colocated, assets) = zola_assets(content_rel.trim_start_matches('/'), assets);
        // As Zola: a shortcode in a section's text sees `section`, in a page's `page`.
        let is_section = content_rel.rsplit('/').next().is_some_and(|f| f.starts_with("_index."));
        base.insert(
            if is_section { "section" } else { "page" },
            &json!({"title": title, "path": url_path, "permalink": permalink(config, url_path),
            "colocated_path": colocated, "assets": assets, "lang": lang,
            "relative_path": content_rel.trim_start_matches('/')}),
        );
        let env = ShortcodeEnv::new(&self.tpl.tera, &base);
        let (expanded, map, mut d) = shortcodes::expand(body, &env);
        let ctx = LinkContext {
            pages: self.urls,
            known: self.known,
            page_path: url_path,
            base_path,
            drafts: self.drafts,
            content_rel: content_rel.trim_start_matches('/'),
            skip_prefixes: &config.link_checks.skip_prefixes,
            skip_anchor_prefixes: &config.link_checks.skip_anchor_prefixes,
        };
        let link = |id: &str, level: u32| self.anchor_link(id, level);
        // The section's setting, else [markdown]'s, else Attaché's `heading_anchors`.
        let anchors = match insert_anchor.or(config.markdown.insert_anchor_links) {
            Some(mode) => markdown::Anchors { mode, link: &link },
            None => markdown::Anchors::of_config(&config.markdown),
        };
        let mut rendered = markdown::render_doc(&expanded, &config.markdown, Some(&ctx), &map.edited(), &anchors);
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
        d.iter_mut().for_each(|x| config.link_checks.apply_level(x));
        (Doc { rendered, derived: None }, d)
    }
}

impl Md<'_> {
    /// A heading's anchor link: the theme's `anchor-link.html` (given `id`,
    /// `level` and `lang`, as in Zola), else Zola's own. A template that
    /// fails gives Zola's link; the template error is reported where the
    /// template is rendered for a page, so it is not lost.
    fn anchor_link(&self, id: &str, level: u32) -> String {
        if !self.tpl.has("anchor-link.html") {
            return markdown::zola_anchor_link(id, level);
        }
        let mut ctx = tera::Context::new();
        ctx.insert("id", id);
        ctx.insert("level", &level);
        ctx.insert("lang", &self.config.default_language);
        ctx.insert("config", self.config_value);
        self.tpl.tera.render("anchor-link.html", &ctx).unwrap_or_else(|_| markdown::zola_anchor_link(id, level))
    }
}

/// Every `#anchor` link that names no heading or id of its target.
fn anchor_diagnostics(content: &Content, page_docs: &[Doc], section_docs: &[Doc]) -> Vec<Diagnostic> {
    let ids_by_rel: HashMap<&str, &HashSet<String>> = content
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.content_rel.as_str(), &page_docs[i].rendered.ids))
        .chain(content.sections.iter().zip(section_docs).map(|(s, d)| (s.content_rel.as_str(), &d.rendered.ids)))
        .collect();
    let mut diags = Vec::new();
    let mut check = |rel: &Path, own: &str, checks: &[AnchorCheck]| {
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
    for (i, p) in content.pages.iter().enumerate() {
        check(&p.file.rel, &p.content_rel, &page_docs[i].rendered.anchors);
    }
    for (s, d) in content.sections.iter().zip(section_docs) {
        check(&s.file.rel, &s.content_rel, &d.rendered.anchors);
    }
    diags
}

/// One output a template renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Job {
    Page(usize),
    /// Section, pager page (0-based).
    Section(usize, usize),
    TaxonomyList(usize),
    /// Taxonomy, term, pager page.
    Term(usize, usize, usize),
    NotFound,
    /// The 404 page of the site's `k`th language other than the default
    /// (`/uk/404.html`), made when the theme has `404.html`.
    NotFoundIn(usize),
    Search,
    /// The search page of the `k`th language other than the default (`/uk/search/`).
    SearchIn(usize),
}

/// The template an output is rendered with (the dev server also asks, to
/// know which templates could show an edited page's fields).
fn template_of(content: &Content, tpl: &templates::Templates, taxonomies: &[Taxonomy], job: Job) -> Option<String> {
    Some(match job {
        Job::Page(i) => {
            let p = content.pages.get(i)?;
            p.meta
                .template
                .clone()
                .or_else(|| content.sections.get(p.section)?.meta.page_template.clone())
                .unwrap_or_else(|| "page.html".into())
        }
        Job::Section(i, _) => {
            let s = content.sections.get(i)?;
            s.meta.template.clone().unwrap_or_else(|| {
                if s.url_path == "/" || is_language_root(s) { "index.html".into() } else { "section.html".into() }
            })
        }
        Job::TaxonomyList(t) => taxonomy_template(tpl, &taxonomies.get(t)?.name, "list.html")?,
        Job::Term(t, ..) => taxonomy_template(tpl, &taxonomies.get(t)?.name, "single.html")?,
        Job::NotFound | Job::NotFoundIn(_) => "404.html".into(),
        Job::Search | Job::SearchIn(_) => "search.html".into(),
    })
}

/// A number from the `YYYY-MM-DD` start of a date's text.
fn date_part(date: Option<&content::front_matter::Date>, range: std::ops::Range<usize>) -> Option<u32> {
    date.and_then(|d| d.text.get(range)).and_then(|s| s.parse().ok())
}

/// Zola's `colocated_path` (`blog/post/` for `blog/post/index.md`, else
/// none) and `assets` (each co-located file as a path inside `content/`,
/// which `load_data` and `get_url` resolve).
fn zola_assets(content_rel: &str, names: &[String]) -> (Option<String>, Vec<String>) {
    // `index.md` and its translations (`index.fr.md`) own their directory.
    let (dir, file) = content_rel.rsplit_once('/').map_or(("", content_rel), |(d, f)| (d, f));
    let is_index = file.strip_prefix("index.").and_then(|r| r.strip_suffix("md")).is_some_and(|lang| {
        lang.is_empty() || lang.strip_suffix('.').is_some_and(|l| !l.is_empty() && !l.contains('.'))
    });
    if !is_index {
        return (None, Vec::new());
    }
    let dir = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    let assets = names.iter().map(|n| format!("{dir}{n}")).collect();
    (Some(dir), assets)
}

/// Zola's per-taxonomy template (`tags/list.html`), else the shared one
/// (`taxonomy_list.html`); `None` when the theme has neither.
fn taxonomy_template(tpl: &templates::Templates, taxonomy: &str, kind: &str) -> Option<String> {
    let own = format!("{taxonomy}/{kind}");
    let shared = format!("taxonomy_{kind}");
    [own, shared].into_iter().find(|n| tpl.has(n))
}

/// The `config` value a page of language `lang` sees: as in Zola, the
/// language's own `title` and `description` from `[languages.LANG]`.
fn config_for_language(value: &Value, config: &Config, lang: &str, taxonomies: Option<&[Taxonomy]>) -> Value {
    let mut value = value.clone();
    value["languages"] = content::lang::languages_value(config, lang);
    // Outside a rendered output (shortcodes in Markdown) the taxonomies are
    // not built yet, and the site-wide list stays.
    if let Some(taxonomies) = taxonomies {
        value["taxonomies"] = Value::Array(
            taxonomies
                .iter()
                .filter(|t| t.lang.as_deref() == Some(lang))
                .map(|t| {
                    json!({"name": t.name, "slug": t.slug, "permalink": permalink(config, &format!("/{}/", t.slug)),
                "path": format!("{}/{}/", config.base_path(), t.slug), "lang": lang,
                "feed": language_taxonomy_feed(config, lang, &t.name)})
                })
                .collect(),
        );
    }
    let table = config.languages.get(lang);
    if let Some(table) = table {
        for key in ["title", "description"] {
            if let Some(v) = table.get(key) {
                value[key] = crate::config::toml_to_json(v);
            }
        }
    }
    // As in Zola, the feed and search options are the language's own, and
    // off unless `[languages.LANG]` turns them on.
    let flag = |keys: &[&str]| {
        let found = table.and_then(|t| keys.iter().find_map(|k| t.get(*k)?.as_bool()));
        Value::Bool(found.unwrap_or(false))
    };
    value["generate_feeds"] = flag(&["generate_feeds", "generate_feed"]);
    value["generate_feed"] = value["generate_feeds"].clone();
    value["build_search_index"] = flag(&["build_search_index"]);
    if let Some(v) = table.and_then(|t| t.get("feed_filenames")) {
        value["feed_filenames"] = crate::config::toml_to_json(v);
    }
    value
}

/// Whether `[languages.LANG]` asks for a feed per term of `taxonomy`.
fn language_taxonomy_feed(config: &Config, lang: &str, taxonomy: &str) -> bool {
    let Some(table) = config.languages.get(lang) else { return false };
    let entry = match table.get("taxonomies") {
        Some(toml::Value::Array(items)) => {
            items.iter().find(|t| t.get("name").and_then(toml::Value::as_str) == Some(taxonomy))
        }
        Some(toml::Value::Table(map)) => map.get(taxonomy),
        _ => None,
    };
    entry.and_then(|t| t.get("feed")).and_then(toml::Value::as_bool).unwrap_or(false)
}

/// Zola's page for a section whose `section.html` the theme lacks ("Welcome
/// to Zola!", titled "Zola"), so the section's URL answers as it does in Zola.
fn zola_placeholder(template: &str) -> String {
    format!(
        "<html>\n<head><meta charset=\"utf-8\"><title>Zola</title></head>\n<body><div class=\"container\">\
<h1>Welcome to Zola!</h1><p>You're seeing this page because we couldn't find a template to render.</p>\
<p>To modify this page, create a <b>{template}</b> file in the templates directory.</p></div></body>\n</html>\n"
    )
}

/// A warning for each section rendered with Zola's placeholder page because
/// the theme has no `section.html` and the section names no template.
fn missing_section_template(content: &Content, tpl: &templates::Templates) -> Vec<Diagnostic> {
    if tpl.has("section.html") {
        return Vec::new();
    }
    content
        .sections
        .iter()
        .filter(|s| s.url_path != "/")
        .filter(|s| s.meta.template.is_none() && !is_language_root(s))
        // A section that redirects is published as the redirect, no template.
        .filter(|s| s.meta.redirect_to.is_none())
        .map(|s| {
            Diagnostic::warning(
                "template/missing",
                &s.file.rel,
                "the theme has no `section.html`, so this section gets Zola's placeholder page (\"Welcome to Zola!\"), as in Zola",
            )
            .with_help("add templates/section.html, or set `template` in this section's front matter")
        })
        .collect()
}

/// Whether `s` is a language's home (`_index.fr.md`), rendered with `index.html`.
fn is_language_root(s: &content::Section) -> bool {
    s.lang.is_some() && content::section_dir(s).is_empty()
}

const BUILTIN_404: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>404 Not Found</title></head>\n<body><h1>404 Not Found</h1></body></html>\n";

/// What the template stage reads.
struct Renderer<'a> {
    config: &'a Config,
    config_value: &'a Value,
    base_path: &'a str,
    content: &'a Content,
    tpl: &'a templates::Templates,
    values: Values<'a>,
    page_docs: &'a [Doc],
    section_docs: &'a [Doc],
    taxonomies: &'a [Taxonomy],
    sources: &'a SourceMap,
}

type Rendering = Result<(String, String), Diagnostic>;

/// Put a value built for this render into the context as it is: `insert`
/// serialises its argument, which for a `Value` is a deep copy of the page's
/// whole HTML or of a listing's page values.
fn insert_owned(ctx: &mut tera::Context, key: &str, value: Value) {
    let mut map = serde_json::Map::new();
    map.insert(key.to_string(), value);
    if let Ok(c) = tera::Context::from_value(Value::Object(map)) {
        ctx.extend(c);
    }
}

/// Which template outputs the site has and where each is written: known
/// before anything is rendered, so that every output can be claimed first.
pub(crate) struct Layout<'a> {
    pub config: &'a Config,
    pub content: &'a Content,
    pub taxonomies: &'a [Taxonomy],
    pub tpl: &'a templates::Templates,
}

impl Layout<'_> {
    /// Every output of the site, in a fixed order, less the pages and
    /// sections whose file a taxonomy page writes (see
    /// [`Layout::taken_by_taxonomies`]).
    fn jobs(&self) -> Vec<Job> {
        let mut jobs = self.all_jobs();
        let taken = self.taken_by_taxonomies();
        if !taken.is_empty() {
            jobs.retain(|j| !taken.iter().any(|(t, _)| t == j));
        }
        jobs
    }

    /// Pages and sections (with their output) whose file is also a taxonomy
    /// page's: Zola renders taxonomies last, so the taxonomy page is what
    /// it publishes there. Docs themes rely on it, pairing an `authors`
    /// taxonomy with a content/authors/ section whose text the term pages
    /// show through `get_section`.
    fn taken_by_taxonomies(&self) -> Vec<(Job, String)> {
        let all = self.all_jobs();
        let taxonomy_outputs: HashSet<String> = all
            .iter()
            .filter(|j| matches!(j, Job::TaxonomyList(_) | Job::Term(..)))
            .filter_map(|&j| self.output_of(j))
            .collect();
        if taxonomy_outputs.is_empty() {
            return Vec::new();
        }
        all.into_iter()
            .filter(|j| matches!(j, Job::Page(_) | Job::Section(..)))
            .filter_map(|j| self.output_of(j).filter(|o| taxonomy_outputs.contains(o)).map(|o| (j, o)))
            .collect()
    }

    /// A warning for each page or section a taxonomy page takes the place of.
    fn taxonomy_takeovers(&self) -> Vec<Diagnostic> {
        self.taken_by_taxonomies()
            .into_iter()
            .filter_map(|(job, out)| {
                let (what, file) = match job {
                    Job::Page(i) => ("page", &self.content.pages.get(i)?.file),
                    Job::Section(i, _) => ("section", &self.content.sections.get(i)?.file),
                    _ => return None,
                };
                let at = file.text.find(['+', '-']).unwrap_or(0);
                Some(
                    Diagnostic::warning(
                        "output/taxonomy-page",
                        file.rel.clone(),
                        format!("`{out}` is a taxonomy page, which is published there (as Zola does), not this {what}"),
                    )
                    .with_span(at..(at + 3).min(file.text.len()))
                    .with_help(
                        "templates still read it with get_page/get_section; set `path` or `slug` to publish it too",
                    ),
                )
            })
            .collect()
    }

    /// Every output of the site, in a fixed order.
    fn all_jobs(&self) -> Vec<Job> {
        let mut jobs: Vec<Job> = (0..self.content.pages.len()).map(Job::Page).collect();
        for (i, s) in self.content.sections.iter().enumerate() {
            jobs.extend((0..section_chunks(s).len()).map(|k| Job::Section(i, k)));
        }
        for (t, tax) in self.taxonomies.iter().enumerate() {
            jobs.push(Job::TaxonomyList(t));
            for (k, term) in tax.terms.iter().enumerate() {
                jobs.extend((0..self.term_chunks(tax, term).len()).map(|c| Job::Term(t, k, c)));
            }
        }
        jobs.push(Job::NotFound);
        jobs.extend((0..other_languages(self.config).len()).map(Job::NotFoundIn));
        jobs.push(Job::Search);
        jobs.extend((0..other_languages(self.config).len()).map(Job::SearchIn));
        jobs
    }

    fn term_chunks<'t>(&self, tax: &Taxonomy, term: &'t taxonomies::Term) -> Vec<&'t [usize]> {
        match self.config.taxonomies.get(&tax.name).and_then(|c| c.paginate_by) {
            Some(n) => term.pages.chunks(n).collect(),
            None => vec![term.pages.as_slice()],
        }
    }

    /// A taxonomy's `paginate_path` from config.toml (Zola's default `page`).
    fn term_pager_path(&self, tax: &Taxonomy) -> &str {
        self.config
            .taxonomies
            .get(&tax.name)
            .and_then(|c| c.paginate_path.as_deref())
            .map_or(content::DEFAULT_PAGINATE_PATH, |p| p.trim_matches('/'))
    }

    /// The URL path `job` is rendered for; `None` when it is not rendered
    /// (the theme has no template for it).
    fn url_of(&self, job: Job) -> Option<String> {
        let has = |name: &str| self.tpl.has(name);
        let themed = |job| template_of(self.content, self.tpl, self.taxonomies, job).is_some();
        Some(match job {
            // Zola's `render = false`: no output of its own.
            Job::Page(i) => Some(self.content.pages.get(i)?).filter(|p| p.meta.render)?.url_path.clone(),
            Job::Section(i, k) => {
                let s = Some(self.content.sections.get(i)?).filter(|s| s.meta.render)?;
                pager_url(&s.url_path, &s.meta.paginate_path, k + 1)
            }
            Job::TaxonomyList(t) if themed(job) => format!("/{}/", self.taxonomies.get(t)?.slug),
            Job::Term(t, k, c) if themed(job) => {
                let tax = self.taxonomies.get(t)?;
                pager_url(&format!("/{}/{}/", tax.slug, tax.terms.get(k)?.slug), self.term_pager_path(tax), c + 1)
            }
            // Without the theme's, a built-in 404 page (as in Zola).
            Job::NotFound => "/404.html".into(),
            Job::NotFoundIn(k) if has("404.html") => format!("/{}/404.html", other_languages(self.config).get(k)?),
            Job::Search if has("search.html") && self.config.site_search && !self.search_is_content() => {
                "/search/".into()
            }
            Job::SearchIn(k) if has("search.html") && self.config.site_search && !self.search_is_content() => {
                format!("/{}/search/", other_languages(self.config).get(k)?)
            }
            _ => return None,
        })
    }

    /// Whether a page or section renders with `search.html` itself (Zola
    /// themes make their search page that way); then that page is the search
    /// page and the built-in one at `/search/` is not made.
    fn search_is_content(&self) -> bool {
        let uses = |job| template_of(self.content, self.tpl, self.taxonomies, job).as_deref() == Some("search.html");
        (0..self.content.pages.len()).any(|i| uses(Job::Page(i)))
            || (0..self.content.sections.len()).any(|i| uses(Job::Section(i, 0)))
    }

    /// Whether `job` has an output and a template to render it with.
    fn renders(&self, job: Job) -> bool {
        self.url_of(job).is_some()
            && template_of(self.content, self.tpl, self.taxonomies, job).is_some_and(|name| self.tpl.has(&name))
    }

    /// The output file of `job` (see [`Layout::url_of`]).
    fn output_of(&self, job: Job) -> Option<String> {
        self.url_of(job).map(|u| out_path(&u))
    }
}

/// The site's languages other than the default, in config order.
fn other_languages(config: &Config) -> Vec<&str> {
    content::lang::declared(config).into_iter().skip(1).collect()
}

/// The pages of each pager of a section (one pager when it does not
/// paginate), in the section's order or, with Zola's `paginate_reversed`,
/// the reverse of it.
fn section_chunks(s: &content::Section) -> Vec<Vec<usize>> {
    let mut pages = s.pages.clone();
    if s.meta.paginate_by.is_some() && s.meta.paginate_reversed {
        pages.reverse();
    }
    match s.meta.paginate_by {
        Some(n) if !pages.is_empty() => pages.chunks(n).map(<[usize]>::to_vec).collect(),
        _ => vec![pages],
    }
}

impl Renderer<'_> {
    fn layout(&self) -> Layout<'_> {
        Layout { config: self.config, content: self.content, taxonomies: self.taxonomies, tpl: self.tpl }
    }

    /// Every output of the site, in a fixed order.
    fn jobs(&self) -> Vec<Job> {
        self.layout().jobs()
    }

    fn ctx_base(&self, url_path: &str) -> tera::Context {
        let mut c = tera::Context::new();
        c.insert("config", self.config_value);
        c.insert("lang", &self.config.default_language);
        c.insert("lang_dir", content::lang::dir(&self.config.default_language));
        // As Zola: the path from the base URL, without its base path.
        c.insert("current_path", url_path);
        c.insert("current_url", &permalink(self.config, url_path));
        c
    }

    /// Render one output; `None` when the theme has no template for it.
    fn render(&self, job: Job) -> Option<Rendering> {
        let (config, content, tpl, values) = (self.config, self.content, self.tpl, &self.values);
        let unknown = |rel: &Path, text: &str, name: &str| {
            let at = text.find(name).unwrap_or(0);
            Err(Diagnostic::error("template/unknown", rel, format!("unknown template `{name}`"))
                .with_span(at..at + name.len()))
        };
        let layout = self.layout();
        let name = template_of(content, tpl, self.taxonomies, job)?;
        if job == Job::NotFound && !tpl.has(&name) {
            return Some(Ok(("404.html".into(), BUILTIN_404.into())));
        }
        let url = match job {
            // A missing page or section template is reported with the file.
            Job::Page(_) | Job::Section(..) => layout.url_of(job)?,
            _ if !tpl.has(&name) => return None,
            _ => layout.url_of(job)?,
        };
        let mut ctx = self.ctx_base(&url);
        let lang = match job {
            Job::Page(i) => content.pages.get(i).and_then(|p| p.lang.as_deref()),
            Job::Section(i, _) => content.sections.get(i).and_then(|s| s.lang.as_deref()),
            Job::TaxonomyList(t) | Job::Term(t, ..) => self.taxonomies.get(t).and_then(|t| t.lang.as_deref()),
            Job::NotFoundIn(k) | Job::SearchIn(k) => other_languages(config).get(k).copied(),
            Job::NotFound | Job::Search => None,
        };
        if let Some(lang) = lang {
            ctx.insert("lang", lang);
            ctx.insert("lang_dir", content::lang::dir(lang));
            insert_owned(
                &mut ctx,
                "config",
                config_for_language(self.config_value, config, lang, Some(self.taxonomies)),
            );
        }
        match job {
            Job::Page(i) => {
                let p = &content.pages[i];
                if !tpl.has(&name) {
                    return Some(unknown(&p.file.rel, &p.file.text, &name));
                }
                insert_owned(&mut ctx, "page", values.full_page(i, &self.page_docs[i]));
            }
            Job::Section(i, k) => {
                let s = &content.sections[i];
                // Zola's `redirect_to`: the section's URL redirects (a path
                // inside the site, or a full URL).
                if let Some(to) = &s.meta.redirect_to {
                    let (canonical, local) = if to.contains("://") {
                        (to.clone(), to.clone())
                    } else {
                        let path = format!("/{}", to.trim_start_matches('/'));
                        (permalink(config, &path), format!("{}{path}", config.base_path()))
                    };
                    return (k == 0).then(|| Ok((out_path(&url), redirect_html(&canonical, &local))));
                }
                if !tpl.has(&name) && s.meta.template.is_none() && name == "section.html" {
                    // As Zola: without the default template, Zola's placeholder
                    // page (warned about once, in `missing_section_template`).
                    return Some(Ok((out_path(&url), zola_placeholder("section.html"))));
                }
                if !tpl.has(&name) {
                    return Some(unknown(&s.file.rel, &s.file.text, &name));
                }
                let chunks = section_chunks(s);
                let chunk = chunks.get(k)?;
                let paginated = s.meta.paginate_by.is_some();
                let mut sv = values.section_value(i, &self.section_docs[i], !paginated);
                if paginated {
                    sv["pages"] = json!([]);
                    insert_owned(
                        &mut ctx,
                        "paginator",
                        paginator(
                            config,
                            Pagers {
                                base: &s.url_path,
                                path: &s.meta.paginate_path,
                                by: s.meta.paginate_by.unwrap_or(1),
                                current: k + 1,
                                count: chunks.len(),
                                pages: s.pages.len(),
                            },
                            values.lite_list(chunk),
                        ),
                    );
                }
                insert_owned(&mut ctx, "section", sv);
            }
            Job::TaxonomyList(t) => {
                let t = &self.taxonomies[t];
                ctx.insert("taxonomy", &values.taxonomy_value(config, t));
                insert_owned(&mut ctx, "terms", values.terms_value(config, t, true));
            }
            Job::Term(t, k, c) => {
                let t = &self.taxonomies[t];
                let by = config.taxonomies.get(&t.name).and_then(|c| c.paginate_by);
                let term = t.terms.get(k)?;
                let term_url = format!("/{}/{}/", t.slug, term.slug);
                let chunks = layout.term_chunks(t, term);
                let chunk = chunks.get(c)?;
                ctx.insert("taxonomy", &values.taxonomy_value(config, t));
                let mut tv = json!({
                    "name": term.name, "slug": term.slug,
                    "permalink": permalink(config, &term_url), "path": term_url,
                    "page_count": term.pages.len(),
                    "pages": json!([]),
                    "translations": translations::of_term(config, self.taxonomies, t, term),
                });
                if by.is_some() {
                    insert_owned(
                        &mut ctx,
                        "paginator",
                        paginator(
                            config,
                            Pagers {
                                base: &term_url,
                                path: layout.term_pager_path(t),
                                by: by.unwrap_or(1),
                                current: c + 1,
                                count: chunks.len(),
                                pages: term.pages.len(),
                            },
                            values.lite_list(chunk),
                        ),
                    );
                } else {
                    tv["pages"] = values.lite_list(chunk);
                }
                insert_owned(&mut ctx, "term", tv);
            }
            Job::Search | Job::SearchIn(_) => {
                let index = crate::render::search::meta_path(lang.unwrap_or(&config.default_language));
                ctx.insert("search_index", &format!("{}/{index}", self.base_path));
            }
            Job::NotFound | Job::NotFoundIn(_) => {}
        }
        // Zola's `minify_html`: every page a template renders.
        let minify = |html: String| if config.minify_html { crate::render::minify::html(&html) } else { html };
        Some(tpl.render(&name, &ctx, self.sources).map(|html| (out_path(&url), minify(html))))
    }
}

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

/// Page `i` as the search index sees it (see [`crate::render::search`]).
fn search_entry<'a>(content: &'a Content, i: usize, d: &'a Doc, base_path: &str) -> crate::render::search::Entry<'a> {
    fn flatten(toc: &[crate::render::markdown::TocEntry], out: &mut Vec<String>) {
        for t in toc {
            out.push(t.title.clone());
            flatten(&t.children, out);
        }
    }
    let p = &content.pages[i];
    let mut headings = Vec::new();
    flatten(&d.rendered.toc, &mut headings);
    // A page with `render = false` has no URL to find: it keeps its slot in
    // the index (slots are page numbers) but no words lead to it.
    if !p.meta.render {
        return crate::render::search::Entry {
            url: String::new(),
            title: "",
            description: "",
            headings: Vec::new(),
            html: "",
            section: "",
            date: "",
            weight: 1.0,
        };
    }
    crate::render::search::Entry {
        url: format!("{base_path}{}", p.url_path),
        title: &p.meta.title,
        description: p.meta.description.as_deref().unwrap_or(""),
        headings,
        html: &d.rendered.html,
        section: content.sections.get(p.section).filter(|s| s.parent.is_some()).map_or("", |s| s.meta.title.as_str()),
        date: p.meta.date.as_ref().map_or("", |d| d.text.get(..10).unwrap_or(&d.text)),
        weight: search_weight(&p.meta.extra),
    }
}

/// `[extra] search_weight` of a page: a number that scales its search
/// scores (2 ranks it as if every match counted double); 1 when unset.
fn search_weight(extra: &toml::Table) -> f32 {
    match extra.get("search_weight") {
        Some(toml::Value::Float(f)) => *f as f32,
        Some(toml::Value::Integer(n)) => *n as f32,
        _ => 1.0,
    }
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
    // Zola's `highlight_theme = "css"` asks for classes, whose palettes
    // `highlight_themes_css` names; /highlight.css gets the default one.
    let theme = match config.markdown.highlight_theme.as_str() {
        "css" => "InspiredGitHub".to_string(),
        name => crate::render::zola_highlight::closest_in(name, &config.markdown.highlighter),
    };
    config.markdown.highlighter.stylesheet(&theme)
}

/// Every file of the theme's `static/` and of the site's, as (output path,
/// file, layer); which one is published is for [`claims`] to decide.
/// Dotfiles and dot-directories (`.env`, `.git/`) stay out unless the site
/// publishes them (see [`Config::publishes_dotfile`]); symlinks only as
/// [`crate::inside`] allows.
fn static_files(root: &Path, config: &Config, diags: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf, claims::Layer)> {
    let mut out = Vec::new();
    // Zola's `ignored_static` applies to the site's `static/` (as in Zola,
    // not the theme's): a match leaves the file, or directory, out.
    let ignored = Config::ignore_set(&config.ignored_static);
    let keep = |layer: claims::Layer| {
        let ignored = &ignored;
        move |rel: &str, e: &walkdir::DirEntry| {
            let name = e.file_name().to_string_lossy();
            if !e.file_type().is_dir() && crate::content::is_editor_temp(e.file_name()) {
                return false;
            }
            if layer == claims::Layer::SiteStatic && ignored.is_match(rel) {
                return false;
            }
            !name.starts_with('.') || config.publishes_dotfile(&name, rel)
        }
    };
    let dirs = [
        (root.join("themes").join(&config.theme).join("static"), claims::Layer::ThemeStatic),
        (root.join("static"), claims::Layer::SiteStatic),
    ];
    for (dir, layer) in dirs {
        for found in crate::inside::files(root, &dir, keep(layer), diags) {
            out.push((found.rel, found.path, layer));
        }
    }
    out
}

/// A redirect page that `aliases` asks for.
pub(crate) struct Alias {
    /// Normalised URL path of the redirect (`/old/minsk/`).
    pub path: String,
    /// URL path of the page it redirects to.
    pub target: String,
    /// The article that lists it, and where in its front matter.
    pub file: PathBuf,
    pub span: std::ops::Range<usize>,
    /// Not listed by the article: its old URL, kept by the build (see
    /// `Page::moved_from`); it yields to every other output.
    pub moved: bool,
}

/// Every alias of every page and section; one that would climb out of the
/// output directory is an error instead.
fn aliases(content: &Content, diags: &mut Vec<Diagnostic>) -> Vec<Alias> {
    let mut out = Vec::new();
    let pages = content.pages.iter().map(|p| (&p.url_path, &p.file, &p.meta.aliases, p.body_start));
    let sections = content.sections.iter().map(|s| (&s.url_path, &s.file, &s.meta.aliases, s.body_start));
    for (url_path, file, list, body_start) in pages.chain(sections) {
        let front = &file.text[..body_start.min(file.text.len())];
        for alias in list {
            let at =
                front.find(&format!("\"{alias}\"")).map_or_else(|| front.find(alias.as_str()).unwrap_or(0), |i| i + 1);
            let span = at..at + alias.len();
            match normalize_alias(alias) {
                Some(path) => {
                    out.push(Alias { path, target: url_path.clone(), file: file.rel.clone(), span, moved: false });
                }
                None => diags.push(
                    Diagnostic::error(
                        "fm/invalid-alias",
                        file.rel.clone(),
                        format!("alias `{alias}` would be written outside the output directory"),
                    )
                    .with_span(span),
                ),
            }
        }
    }
    moved_pages(content, &mut out);
    out
}

/// A page whose URL a slug rule changed keeps its old URL as a redirect
/// (see `Page::moved_from`), unless another page, section or alias now
/// has that URL.
fn moved_pages(content: &Content, out: &mut Vec<Alias>) {
    let taken: HashSet<&str> = content
        .pages
        .iter()
        .map(|p| p.url_path.as_str())
        .chain(content.sections.iter().map(|s| s.url_path.as_str()))
        .collect();
    let listed: HashSet<String> = out.iter().map(|a| a.path.clone()).collect();
    for p in &content.pages {
        let Some(old) = &p.moved_from else { continue };
        if taken.contains(old.as_str()) || listed.contains(old) {
            continue;
        }
        out.push(Alias {
            path: old.clone(),
            target: p.url_path.clone(),
            file: p.file.rel.clone(),
            span: 0..0,
            moved: true,
        });
    }
}

/// Output path of the redirect from a paginated list's `page/1/`.
fn first_pager(url_path: &str, paginate_path: &str) -> String {
    let dir = url_path.trim_start_matches('/');
    if paginate_path.is_empty() { format!("{dir}1/index.html") } else { format!("{dir}{paginate_path}/1/index.html") }
}

/// Zola writes `page/1/` as a redirect to the list for every paginated
/// section and taxonomy term it renders, however few its pages: each such
/// redirect's output path and target URL path, with the section it comes
/// from (`None` for a term).
pub(crate) fn pager_redirects(layout: &Layout) -> Vec<(String, String, Option<usize>)> {
    let mut out = Vec::new();
    for (i, s) in layout.content.sections.iter().enumerate() {
        if s.meta.paginate_by.is_some() && layout.renders(Job::Section(i, 0)) {
            out.push((first_pager(&s.url_path, &s.meta.paginate_path), s.url_path.clone(), Some(i)));
        }
    }
    for (t, tax) in layout.taxonomies.iter().enumerate() {
        if layout.config.taxonomies.get(&tax.name).and_then(|c| c.paginate_by).is_none() {
            continue;
        }
        for (k, term) in tax.terms.iter().enumerate() {
            if layout.renders(Job::Term(t, k, 0)) {
                let url = format!("/{}/{}/", tax.slug, term.slug);
                out.push((first_pager(&url, layout.term_pager_path(tax)), url, None));
            }
        }
    }
    out
}

/// `/old/minsk` → `/old/minsk/`, `/` → `/`; `None` if it would climb out of the output.
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
        // The home page: a claim like any other (and so a conflict).
        return Some("/".into());
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

/// The URL path of pager `n` of the list at `base`: the list itself for the
/// first, else `base` + `paginate_path` + `n` (Zola's `blog/page/2/`; with
/// an empty `paginate_path`, `blog/2/`).
fn pager_url(base: &str, paginate_path: &str, n: usize) -> String {
    match (n, paginate_path) {
        (0 | 1, _) => base.to_string(),
        (_, "") => format!("{base}{n}/"),
        (_, path) => format!("{base}{path}/{n}/"),
    }
}

/// `page.ancestors` / `section.ancestors`: `section` and the sections above
/// it, outermost first. Zola gives ancestors as content paths
/// (`blog/_index.md`); each value keeps `relative_path` so
/// `get_section(path=a)` finds it.
pub(crate) fn ancestors_value(config: &Config, content: &Content, mut section: Option<usize>) -> Value {
    let mut list = Vec::new();
    while let Some(sec) = section.and_then(|s| content.sections.get(s)) {
        list.push(json!({"title": sec.meta.title, "permalink": permalink(config, &sec.url_path), "path": sec.url_path, "relative_path": sec.content_rel}));
        section = sec.parent;
    }
    list.reverse();
    Value::Array(list)
}

pub fn permalink(config: &Config, url_path: &str) -> String {
    format!("{}{}{}", config.origin(), config.base_path(), url_path)
}

/// A page that sends the reader on to `local` (root-relative, so a copy of
/// the site served from another address stays on it); search engines are
/// told the move through the absolute `canonical`. Titled "Redirect" as
/// Zola's are (a theme's tests and search tools look for it).
fn redirect_html(canonical: &str, local: &str) -> String {
    let esc = |u: &str| u.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let (canonical, to) = (esc(canonical), esc(local));
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Redirect</title>\
<link rel=\"canonical\" href=\"{canonical}\"><meta http-equiv=\"refresh\" content=\"0; url={to}\"></head>\
<body><p>This page has moved to <a href=\"{to}\">{to}</a>.</p></body></html>\n"
    )
}

/// Where one pager of a paginated list sits among the others.
struct Pagers<'a> {
    /// URL path of the list (its first pager).
    base: &'a str,
    /// `paginate_path` of the list.
    path: &'a str,
    by: usize,
    /// 1-based index of this pager.
    current: usize,
    /// How many pagers the list has.
    count: usize,
    /// How many pages the list has in all.
    pages: usize,
}

/// The `paginator` value as Zola gives it: `first`, `last`, `previous`
/// and `next` are permalinks, `base_url` the permalink pager numbers are
/// appended to, `total_pages` the number of pages across all pagers and
/// `number_pagers` the number of pagers.
fn paginator(config: &Config, p: Pagers, pages: Value) -> Value {
    let link = |n: usize| Value::String(permalink(config, &pager_url(p.base, p.path, n)));
    let base_url = if p.path.is_empty() {
        permalink(config, p.base)
    } else {
        permalink(config, &format!("{}{}/", p.base, p.path))
    };
    // `pages` is moved in after: `json!` serialises each field it is
    // given, a deep copy of every listed page's value.
    let mut v = json!({
        "paginate_by": p.by,
        "current_index": p.current,
        "total_pages": p.pages,
        "pages": Value::Null,
        "first": link(1),
        "last": link(p.count),
        "previous": if p.current > 1 { link(p.current - 1) } else { Value::Null },
        "next": if p.current < p.count { link(p.current + 1) } else { Value::Null },
        "number_pagers": p.count,
        "base_url": base_url,
    });
    v["pages"] = pages;
    v
}

fn config_value(config: &Config, taxonomies: &[Taxonomy]) -> Value {
    let mut v = json!({
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url,
        "default_language": config.default_language,
        "generate_feed": config.generate_feed,
        "extra": toml_to_json(&toml::Value::Table(config.extra.clone())),
        // As in Zola, the taxonomies of the page's language only (see `config_for_language`).
        "taxonomies": taxonomies.iter().filter(|t| t.lang.is_none()).map(|t| json!({
            "name": t.name, "slug": t.slug,
            "permalink": permalink(config, &format!("/{}/", t.slug)),
            "path": format!("/{}/", t.slug),
            "feed": config.taxonomies.get(&t.name).is_some_and(|c| c.feed),
        })).collect::<Vec<_>>(),
    });
    if let Value::Object(map) = &mut v {
        map.extend(config.zola_fields());
        map.insert("languages".into(), content::lang::languages_value(config, &config.default_language));
    }
    v
}

/// Page values without `content` and `toc`, for listings: one per page.
fn page_lites(
    config: &Config,
    content: &Content,
    docs: &[Doc],
    taxonomies: &[Taxonomy],
    versions: &translations::Translations,
) -> Vec<Arc<Value>> {
    content
        .pages
        .par_iter()
        .zip(docs)
        .enumerate()
        .map(|(i, (p, d))| {
            let t = versions.value(config, content, translations::Member::Page(i));
            page_lite(config, content, taxonomies, p, d, t)
        })
        .collect()
}

/// A page's template value without `content`; `translations` is its
/// `page.translations` (see [`translations`]).
fn page_lite(
    config: &Config,
    content: &Content,
    taxonomies: &[Taxonomy],
    p: &content::Page,
    d: &Doc,
    translations: Value,
) -> Arc<Value> {
    let bp = config.base_path();
    let terms: serde_json::Map<String, Value> = p
        .meta
        .taxonomies
        .iter()
        .map(|(tax, names)| {
            let taxonomy = taxonomies.iter().find(|t| &t.name == tax && t.lang == p.lang);
            let ts = taxonomy.map_or(tax.as_str(), |t| t.slug.as_str());
            let list: Vec<Value> = names
                .iter()
                .map(|n| {
                    let slug = crate::slug::path(n, config.slugify.taxonomies);
                    // The term's display name (allowed list, capitals), not this page's spelling.
                    let n = taxonomy
                        .and_then(|t| {
                            // Terms are sorted by slug.
                            t.terms.binary_search_by(|term| term.slug.as_str().cmp(slug.as_str())).ok().map(|i| &t.terms[i])
                        })
                        .map_or(n.as_str(), |term| term.name.as_str());
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
        "path": p.url_path,
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
        "section": content.sections[p.section].url_path,
        "assets": zola_assets(&p.content_rel, &p.assets).1,
        "colocated_path": zola_assets(&p.content_rel, &p.assets).0,
        "relative_path": p.content_rel,
        "lang": p.lang.as_deref().unwrap_or(&config.default_language),
        "translations": translations,
        // Zola's parts of the date, for `group_by(attribute="year")`.
        "year": date_part(p.meta.date.as_ref(), 0..4),
        "month": date_part(p.meta.date.as_ref(), 5..7),
        "day": date_part(p.meta.date.as_ref(), 8..10),
    }))
}

fn section_lites(
    config: &Config,
    content: &Content,
    sdocs: &[Doc],
    versions: &translations::Translations,
) -> Vec<Value> {
    content
        .sections
        .iter()
        .zip(sdocs)
        .enumerate()
        .map(|(i, (s, d))| {
            json!({
                "title": s.meta.title,
                "description": s.meta.description,
                "path": s.url_path,
                "permalink": permalink(config, &s.url_path),
                "page_count": s.pages.len(),
                "extra": toml_to_json(&toml::Value::Table(s.meta.extra.clone())),
                "word_count": d.rendered.word_count,
                "reading_time": reading_time(d.rendered.word_count),
                "relative_path": s.content_rel,
                "lang": s.lang.as_deref().unwrap_or(&config.default_language),
                "translations": versions.value(config, content, translations::Member::Section(i)),
            })
        })
        .collect()
}

/// Whether rendered HTML holds highlighted code, for `page.has_code`: a theme
/// links the syntax palette by this flag instead of testing `page.content`
/// in the template, which copies the whole HTML for every test.
fn has_code(html: &str) -> bool {
    html.contains(crate::render::markdown::CODE_CLASS)
}

/// Template values, built once per page and shared by every listing. Every
/// read of a page's value is noted (see [`templates::track`]), so the dev
/// server knows which outputs show which pages.
struct Values<'a> {
    config: &'a Config,
    content: &'a Content,
    lite: &'a [Arc<Value>],
    section_lite: &'a [Value],
    taxonomies: &'a [Taxonomy],
    versions: Versions,
}

/// The language versions of each page and section: `europe/minsk.md` and
/// `europe/minsk.uk.md` share the key `europe/minsk.md`. Built once, so a
/// page's `translations` costs a lookup rather than a scan of the site.
struct Versions {
    pages: HashMap<String, Vec<usize>>,
    sections: HashMap<String, Vec<usize>>,
}

impl Versions {
    fn of(content: &Content) -> Self {
        let mut pages: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in content.pages.iter().enumerate() {
            pages.entry(crate::content::lang::without_language(&p.content_rel, p.lang.as_deref())).or_default().push(i);
        }
        let mut sections: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, s) in content.sections.iter().enumerate() {
            sections
                .entry(crate::content::lang::without_language(&s.content_rel, s.lang.as_deref()))
                .or_default()
                .push(i);
        }
        Versions { pages, sections }
    }
}

impl<'a> Values<'a> {
    fn lite_of(&self, j: usize) -> &Value {
        templates::note_use(&self.content.pages[j].content_rel);
        &self.lite[j]
    }

    fn lite_list(&self, idx: &[usize]) -> Value {
        Value::Array(idx.iter().map(|&i| self.lite_of(i).clone()).collect())
    }

    fn ancestors(&self, section: Option<usize>) -> Value {
        ancestors_value(self.config, self.content, section)
    }

    /// Zola's `translations`: every language version of a page or section,
    /// itself included, each as `{lang, permalink, title, path}`.
    fn translations(&self, list: Option<&Vec<usize>>, value: impl Fn(usize) -> Value) -> Value {
        Value::Array(list.map(|l| l.iter().map(|&j| value(j)).collect()).unwrap_or_default())
    }

    fn page_translations(&self, i: usize) -> Value {
        let p = &self.content.pages[i];
        let key = crate::content::lang::without_language(&p.content_rel, p.lang.as_deref());
        self.translations(self.versions.pages.get(&key), |j| {
            let l = self.lite_of(j);
            json!({"lang": l["lang"], "permalink": l["permalink"], "title": l["title"], "path": l["relative_path"]})
        })
    }

    fn section_translations(&self, i: usize) -> Value {
        let s = &self.content.sections[i];
        let key = crate::content::lang::without_language(&s.content_rel, s.lang.as_deref());
        self.translations(self.versions.sections.get(&key), |j| {
            let l = &self.section_lite[j];
            json!({"lang": l["lang"], "permalink": l["permalink"], "title": l["title"], "path": l["relative_path"]})
        })
    }

    fn full_page(&self, i: usize, doc: &Doc) -> Value {
        let p = &self.content.pages[i];
        let mut v = self.lite_of(i).clone();
        v["translations"] = self.page_translations(i);
        v["content"] = Value::String(doc.rendered.html.clone());
        v["has_code"] = Value::Bool(has_code(&doc.rendered.html));
        v["toc"] = serde_json::to_value(&doc.rendered.toc).unwrap_or(Value::Null);
        v["ancestors"] = self.ancestors(Some(p.section));
        let siblings = &self.content.sections[p.section].pages;
        let pos = siblings.iter().position(|&x| x == i);
        let link = |j: usize| {
            let l = self.lite_of(j);
            json!({"title": self.content.pages[j].meta.title, "permalink": l["permalink"], "path": l["path"]})
        };
        v["lower"] = pos.and_then(|k| k.checked_sub(1)).map(|k| link(siblings[k])).unwrap_or(Value::Null);
        v["higher"] = pos.and_then(|k| siblings.get(k + 1)).map(|&j| link(j)).unwrap_or(Value::Null);
        v["related"] = self.related(i);
        v
    }

    /// Up to four pages sharing the most taxonomy terms with page `i`.
    /// Bounded work: only the first 200 pages of each term are considered.
    fn related(&self, i: usize) -> Value {
        let p = &self.content.pages[i];
        // Up to a few hundred candidates per page, keyed by index: FxHash and
        // room for them up front (SipHash and regrowing were a third of this).
        let mut score: rustc_hash::FxHashMap<usize, usize> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(256, Default::default());
        for t in self.taxonomies.iter().filter(|t| t.lang == p.lang) {
            let Some(names) = p.meta.taxonomies.get(&t.name) else { continue };
            for name in names {
                let slug = crate::slug::path(name, self.config.slugify.taxonomies);
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
        // Most shared terms, then newest, then first loaded: a total order, so
        // selecting the top four and sorting only those gives what a full sort
        // would, without sorting ~1,000 candidates per page.
        let order = |a: &(usize, usize), b: &(usize, usize)| {
            b.1.cmp(&a.1).then_with(|| {
                let (da, db) = (&self.content.pages[a.0].meta.date, &self.content.pages[b.0].meta.date);
                db.cmp(da).then(a.0.cmp(&b.0))
            })
        };
        if best.len() > 4 {
            best.select_nth_unstable_by(3, order);
            best.truncate(4);
        }
        best.sort_by(order);
        Value::Array(
            best.into_iter()
                .map(|(j, _)| {
                    let l = self.lite_of(j);
                    json!({"title": l["title"], "permalink": l["permalink"], "path": l["path"], "description": l["description"]})
                })
                .collect(),
        )
    }

    fn section_value(&self, i: usize, doc: &Doc, with_pages: bool) -> Value {
        let s = &self.content.sections[i];
        let mut v = self.section_lite[i].clone();
        v["content"] = Value::String(doc.rendered.html.clone());
        v["has_code"] = Value::Bool(has_code(&doc.rendered.html));
        v["toc"] = serde_json::to_value(&doc.rendered.toc).unwrap_or(Value::Null);
        v["ancestors"] = self.ancestors(s.parent);
        v["translations"] = self.section_translations(i);
        v["pages"] = if with_pages { self.lite_list(&s.pages) } else { json!([]) };
        v["subsections"] = Value::Array(s.subsections.iter().map(|&k| self.section_lite[k].clone()).collect());
        v
    }

    fn taxonomy_value(&self, config: &Config, t: &Taxonomy) -> Value {
        json!({"name": t.name, "slug": t.slug, "permalink": permalink(config, &format!("/{}/", t.slug)), "path": format!("/{}/", t.slug)})
    }

    /// The `content_rel` of pages `idx`, for a [`Listing`].
    fn rels(&self, idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| self.content.pages[i].content_rel.clone()).collect()
    }

    /// Taxonomy `t`'s terms; each with its pages when `with_pages`, else with
    /// an empty list to be filled in (see [`Listing`]).
    fn terms_value(&self, config: &Config, t: &Taxonomy, with_pages: bool) -> Value {
        Value::Array(
            t.terms
                .iter()
                .map(|term| {
                    let url = format!("/{}/{}/", t.slug, term.slug);
                    let mut v = json!({"name": term.name, "slug": term.slug, "permalink": permalink(config, &url), "path": url, "page_count": term.pages.len(),
                        "pages": []});
                    // Moved in, not through `json!`, which would copy every page's value again.
                    if with_pages {
                        v["pages"] = self.lite_list(&term.pages);
                    }
                    v
                })
                .collect(),
        )
    }

    /// The data behind `get_page`, `get_section`, `get_taxonomy` and `get_url`.
    /// Sections and terms keep their pages as keys (see [`Listing`]): each
    /// page's value is held once, in `pages`.
    fn index(&self, config: &Config, urls: &HashMap<String, String>, section_docs: &[Doc]) -> SiteIndex {
        let pages =
            self.content.pages.iter().enumerate().map(|(i, p)| (p.content_rel.clone(), self.lite[i].clone())).collect();
        let sections = self
            .content
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut v = self.section_lite[i].clone();
                // Zola's `get_section` gives the section's content too (a
                // taxonomy list page shows the matching section's text).
                if let Some(d) = section_docs.get(i) {
                    v["content"] = Value::String(d.rendered.html.clone());
                }
                v["ancestors"] = self.ancestors(s.parent);
                v["pages"] = json!([]);
                v["subsections"] = Value::Array(s.subsections.iter().map(|&k| self.section_lite[k].clone()).collect());
                let listing = Listing { value: Arc::new(v), lists: vec![("/pages".into(), self.rels(&s.pages))] };
                (s.content_rel.clone(), listing)
            })
            .collect();
        // `get_taxonomy(kind=…)` finds the default language's, `lang=` another's.
        let taxonomies = self
            .taxonomies
            .iter()
            .map(|t| {
                let terms = self.terms_value(config, t, false);
                let mut lists = Vec::new();
                // `kind` and `items` are Zola's names for the same values.
                for key in ["terms", "items"] {
                    lists.extend(
                        t.terms
                            .iter()
                            .enumerate()
                            .map(|(k, term)| (format!("/{key}/{k}/pages"), self.rels(&term.pages))),
                    );
                }
                let value = json!({"taxonomy": self.taxonomy_value(config, t), "terms": terms,
                    "kind": self.taxonomy_value(config, t), "items": terms,
                    "lang": t.lang.as_deref().unwrap_or(&config.default_language), "permalink": permalink(config, &format!("/{}/", t.slug))});
                (templates::taxonomy_key(&t.name, t.lang.as_deref(), &config.default_language), Listing { value: Arc::new(value), lists })
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
        use crate::diagnostics::plural;
        format!(
            "Built {}, {}, {}, {} in {} ms",
            plural(self.pages, "page"),
            plural(self.sections, "section"),
            plural(self.terms, "term"),
            plural(self.files, "file"),
            self.elapsed.as_millis()
        )
    }
}

/// Per-stage times on stderr when `ATTACHE_TIMINGS` is set (for profiling the
/// fast path on a large site; see bench/README.md).
pub(crate) struct Stopwatch(Option<std::time::Instant>);

impl Stopwatch {
    pub(crate) fn new() -> Self {
        Stopwatch(std::env::var_os("ATTACHE_TIMINGS").map(|_| std::time::Instant::now()))
    }

    /// `what` is only built when timings are on.
    pub(crate) fn note(&self, what: impl FnOnce() -> String) {
        if self.0.is_some() {
            eprintln!("             {}", what());
        }
    }

    pub(crate) fn lap(&mut self, what: &str) {
        if let Some(t) = self.0 {
            // The process's resident memory too: on a loaded machine wall
            // time says little, and memory growth costs page faults.
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l[6..].trim().to_string()))
                .unwrap_or_default();
            eprintln!("  {:>7.1} ms  {what}  (rss {rss})", t.elapsed().as_secs_f64() * 1000.0);
            self.0 = Some(std::time::Instant::now());
        }
    }
}
