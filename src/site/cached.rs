//! How a build uses the persistent cache ([`crate::cache`]): the keys of
//! the site's inputs, the rendered Markdown kept per article, and which
//! template outputs can be taken from the last build unrendered.
//!
//! The rules mirror the dev server's fast path (`update.rs`): an output of a
//! template depends on the templates, the configuration, the site's
//! structure (every page's place, front matter and URL), its own page's
//! rendered Markdown, and the values of the pages it read while rendering
//! (recorded by [`crate::render::templates::track`]). A template that calls
//! something the cache cannot follow (`now()`, `load_data`, images) turns
//! the reuse of outputs and Markdown off for the whole build.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde_json::Value;

use super::{BuildOptions, Doc, Job, OutFile};
use crate::cache::{Cache, DocEntry, Key, Manifest, Reports, Written};
use crate::config::Config;
use crate::content::Content;
use crate::render::markdown::{AnchorCheck, Rendered};
use crate::render::search::DocTerms;

/// Where the cache is and which output directory the build is for.
#[derive(Debug, Clone)]
pub struct CacheAt {
    pub dir: std::path::PathBuf,
    pub output: std::path::PathBuf,
    /// The output keeps the user's dotfiles (see `OutputDir::is_kept`).
    pub keep_dotfiles: bool,
}

/// Template functions whose results the cache cannot key. The image
/// functions are not among them: a render that calls one is not reused
/// (see [`crate::render::templates::UNKEYED`]), the rest of the build is.
const VOLATILE: [&str; 4] = ["now(", "get_random", "get_env", "load_data"];

/// Larger files are keyed by size and modification time, not bytes.
const HASH_LIMIT: u64 = 1 << 20;

/// One build's use of the cache.
pub struct Session {
    cache: Cache,
    pub at: CacheAt,
    previous: Manifest,
    pub reports: Reports,
    /// The site's inputs besides its Markdown.
    global: u64,
    /// Outputs and Markdown are not reused (see [`VOLATILE`]).
    volatile: bool,
    /// Everything the build reads.
    pub input: u64,
    /// Each page's text key, in `content.pages` order.
    page_text: Vec<u64>,
    structure: u64,
    /// Markdown entries this build used (file names).
    docs_used: Mutex<HashSet<String>>,
    /// Output path → key, for the next manifest.
    pub keys: BTreeMap<String, u64>,
    /// Template output → the pages it read.
    pub reads: HashMap<String, Vec<String>>,
    /// The input is what the last build had, and its output is intact.
    pub unchanged: bool,
    /// Summary counts of the last build, for an unchanged build.
    pub previous_stats: [usize; 9],
    /// Outputs linked from the last build instead of written.
    pub reused: usize,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("at", &self.at).field("input", &self.input).finish()
    }
}

impl Session {
    /// Open the cache and key the site's inputs (after `content::load`).
    pub fn start(
        at: &CacheAt,
        opts: &BuildOptions,
        config_text: &str,
        config: &Config,
        content: &Content,
    ) -> Option<Self> {
        let cache = Cache::open(&at.dir)?;
        let previous: Manifest = cache.read(&crate::cache::manifest_name(&at.output)).unwrap_or_default();
        let (global, volatile) = global_key(&opts.root, opts, config_text, config);
        let page_text: Vec<u64> = content
            .pages
            .par_iter()
            .map(|p| Key::new().add(&p.file.rel).add(&*p.file.text).add(&p.assets).finish())
            .collect();
        let mut input = Key::new();
        input.add(&global).add(&page_text);
        for s in &content.sections {
            input.add(&s.file.rel).add(&*s.file.text);
        }
        let mut drafts: Vec<&String> = content.drafts.iter().collect();
        drafts.sort();
        input.add(&drafts);
        for a in &content.assets {
            input.add(&a.source).add(&a.output);
        }
        let input = input.finish();
        let unchanged = !volatile
            && previous.clean
            && previous.input == input
            && previous.intact(&at.output, |n| at.keep_dotfiles && n.starts_with('.'));
        let reports = if unchanged { Reports::default() } else { Reports::load(&cache) };
        Some(Session {
            cache,
            at: at.clone(),
            previous_stats: previous.stats,
            previous,
            reports,
            global,
            volatile,
            input,
            page_text,
            structure: 0,
            docs_used: Mutex::default(),
            keys: BTreeMap::new(),
            reads: HashMap::new(),
            unchanged,
            reused: 0,
        })
    }

    /// Key the site's structure, once correction has settled titles: every
    /// page's place, URL and front matter, every section, every URL a link
    /// may resolve to.
    pub(crate) fn set_structure(&mut self, content: &Content, known: &HashSet<String>, drafts: &HashSet<String>) {
        let mut k = Key::new();
        k.add(&self.global);
        for p in &content.pages {
            k.add(&p.file.rel)
                .add(&p.url_path)
                .add(&p.file.text[..p.body_start.min(p.file.text.len())])
                .add(&p.meta.title)
                .add(&p.meta.description)
                .add(&p.section);
        }
        for s in &content.sections {
            k.add(&s.file.rel).add(&*s.file.text).add(&s.url_path).add(&s.pages);
        }
        let mut known: Vec<&String> = known.iter().collect();
        known.sort();
        k.add(&known);
        let mut drafts: Vec<&String> = drafts.iter().collect();
        drafts.sort();
        k.add(&drafts);
        self.structure = k.finish();
    }

    /// The cache entry of page `i`'s Markdown.
    fn doc_name(&self, i: usize) -> String {
        format!("{:016x}", Key::new().add(&self.structure).add(&self.page_text[i]).finish())
    }

    /// Page `i`'s rendered Markdown from the cache, if there.
    pub(crate) fn doc(&self, i: usize) -> Option<Doc> {
        if self.volatile {
            return None;
        }
        let name = self.doc_name(i);
        let e: DocEntry = self.cache.read(&format!("docs/{name}"))?;
        if let Ok(mut used) = self.docs_used.lock() {
            used.insert(name);
        }
        let rendered = Rendered {
            html: e.html,
            summary: e.summary,
            toc: e.toc,
            word_count: e.word_count,
            ids: e.ids.into_iter().collect(),
            anchors: e
                .anchors
                .into_iter()
                .map(|(target, anchor, start, end)| AnchorCheck { target, anchor, span: start..end })
                .collect(),
            diagnostics: Vec::new(),
        };
        Some(Doc { rendered, derived: Some(Box::new(Derived { terms: e.terms, classes: e.classes })) })
    }

    /// Keep page `i`'s freshly rendered Markdown (only when it raised no
    /// diagnostic: those are always produced again), with what later stages
    /// derive from it, which `doc` then carries too. `reads` are what its
    /// shortcodes read (see [`crate::render::templates::track`]).
    pub(crate) fn keep_doc(
        &self,
        i: usize,
        doc: &mut Doc,
        diags: &[crate::diagnostics::Diagnostic],
        reads: &[String],
        content: &Content,
        base_path: &str,
    ) {
        if self.volatile || !diags.is_empty() || reads.iter().any(|r| r == crate::render::templates::UNKEYED) {
            return;
        }
        let derived = Derived::of(&doc.rendered.html, &super::search_entry(content, i, doc, base_path));
        let r = &doc.rendered;
        let mut ids: Vec<String> = r.ids.iter().cloned().collect();
        ids.sort();
        let entry = DocEntry {
            html: r.html.clone(),
            summary: r.summary.clone(),
            toc: r.toc.clone(),
            word_count: r.word_count,
            ids,
            anchors: r.anchors.iter().map(|a| (a.target.clone(), a.anchor.clone(), a.span.start, a.span.end)).collect(),
            terms: derived.terms,
            classes: derived.classes,
        };
        let name = self.doc_name(i);
        self.cache.write(&format!("docs/{name}"), &entry);
        if let Ok(mut used) = self.docs_used.lock() {
            used.insert(name);
        }
        doc.derived = Some(Box::new(Derived { terms: entry.terms, classes: entry.classes }));
    }

    /// The key every template output shares: inputs, structure, the syntax
    /// palette and the asset names.
    pub(crate) fn render_key(&self, highlight_css: Option<&str>, assets: &HashMap<String, String>) -> u64 {
        let mut assets: Vec<(&String, &String)> = assets.iter().collect();
        assets.sort();
        Key::new().add(&self.structure).add(&highlight_css).add(&assets).finish()
    }

    /// Each page value's key, by `content_rel`.
    pub(crate) fn lite_keys(content: &Content, lite: &[Arc<Value>]) -> HashMap<String, u64> {
        content
            .pages
            .par_iter()
            .zip(lite.par_iter())
            .map(|(p, v)| {
                let mut k = Key::new();
                add_value(&mut k, v);
                (p.content_rel.clone(), k.finish())
            })
            .collect()
    }

    /// The key of `job`'s output `path`: the shared key, the job, its own
    /// Markdown, and the values of the pages it read last time; `None` when
    /// the last build did not render it (then it is rendered).
    pub(crate) fn job_key(&self, shared: u64, job: Job, path: &str, lites: &HashMap<String, u64>) -> Option<u64> {
        if self.volatile {
            return None;
        }
        let reads = self.previous.reads.get(path)?;
        let mut k = Key::new();
        k.add(&shared).add(&job).add(path);
        if let Job::Page(i) = job {
            k.add(self.page_text.get(i)?);
        }
        for rel in reads {
            k.add(rel).add(lites.get(rel)?);
        }
        Some(k.finish())
    }

    /// The key of a job just rendered, from what it read this time.
    pub(crate) fn rendered_key(
        &self,
        shared: u64,
        job: Job,
        path: &str,
        reads: &[String],
        lites: &HashMap<String, u64>,
    ) -> Option<u64> {
        if self.volatile {
            return None;
        }
        let mut k = Key::new();
        k.add(&shared).add(&job).add(path);
        if let Job::Page(i) = job {
            k.add(self.page_text.get(i)?);
        }
        for rel in reads {
            k.add(rel).add(lites.get(rel)?);
        }
        Some(k.finish())
    }

    /// The pages the last build's output `path` read.
    pub fn previous_reads(&self, path: &str) -> Vec<String> {
        self.previous.reads.get(path).cloned().unwrap_or_default()
    }

    /// Whether the last build's `path`, made with `key`, is still in the output.
    pub fn still_there(&self, path: &str, key: u64) -> bool {
        self.previous.still_there(&self.at.output, path, key)
    }

    /// Give every output without a key one from its bytes (or source file),
    /// and turn each output identical to the last build's into a link to it.
    pub fn settle(&mut self, files: &mut BTreeMap<String, OutFile>) {
        let out = self.at.output.clone();
        let keyed: Vec<(String, u64)> = files
            .par_iter()
            .filter(|(path, _)| !self.keys.contains_key(*path))
            .map(|(path, f)| {
                let key = match f {
                    OutFile::Bytes(b) => Key::new().add(b.as_slice()).finish(),
                    OutFile::Copy(src) | OutFile::Written(src) => {
                        let stamp = crate::cache::Stamp::of(src);
                        Key::new().add(src).add(&stamp).finish()
                    }
                };
                (path.clone(), key)
            })
            .collect();
        self.keys.extend(keyed);
        let same: Vec<String> = files
            .par_iter()
            .filter(|(path, f)| {
                !is_previous(&out, f) && self.keys.get(*path).is_some_and(|k| self.still_there(path, *k))
            })
            .map(|(path, _)| path.clone())
            .collect();
        for path in same {
            files.insert(path.clone(), OutFile::Copy(out.join(&path)));
        }
        self.reused = files.values().filter(|f| is_previous(&out, f)).count();
    }

    /// Whether writing can be skipped: every output is the last build's,
    /// and the output directory holds exactly those files.
    pub fn nothing_to_write(&self, files: &BTreeMap<String, OutFile>) -> bool {
        self.reused == files.len()
            && self.previous.outputs.len() == files.len()
            && self.previous.intact(&self.at.output, |n| self.at.keep_dotfiles && n.starts_with('.'))
    }

    /// After the output was written: record it for the next build, and
    /// drop what this build did not use.
    pub fn save(&self, files: &BTreeMap<String, OutFile>, clean: bool, stats: [usize; 9]) {
        let out = &self.at.output;
        let outputs: BTreeMap<String, Written> = files
            .par_iter()
            .filter_map(|(path, _)| {
                let key = *self.keys.get(path)?;
                let stamp = crate::cache::Stamp::of(&out.join(path))?;
                Some((path.clone(), Written { key, stamp }))
            })
            .collect();
        let manifest = Manifest { input: self.input, clean, stats, outputs, reads: self.reads.clone() };
        self.cache.write(&crate::cache::manifest_name(out), &manifest);
        self.reports.save(&self.cache);
        if let Ok(used) = self.docs_used.lock()
            && !self.volatile
        {
            self.cache.prune("docs", &used);
        }
    }
}

/// What later stages derive from a page's rendered Markdown: kept in its
/// cache entry, so that a rebuild after one edit does not scan all the
/// site's HTML again.
pub(crate) struct Derived {
    /// Its search terms (see [`crate::render::search::doc_terms`]).
    pub terms: DocTerms,
    /// Each class name in the HTML with how often it occurs (the syntax
    /// palette keeps the rules of the classes in use).
    pub classes: Vec<(String, usize)>,
}

impl Derived {
    /// Derive them from `html` and the page's search `entry`.
    fn of(html: &str, entry: &crate::render::search::Entry) -> Derived {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for c in crate::render::minify::classes(html) {
            *counts.entry(c).or_insert(0) += 1;
        }
        let mut classes: Vec<(String, usize)> = counts.into_iter().map(|(c, n)| (c.to_string(), n)).collect();
        classes.sort();
        Derived { terms: crate::render::search::doc_terms(entry), classes }
    }
}

/// Feed the JSON value `v` to `k`, part by part, in the order it prints
/// (no need to print it to key it): each part tagged with its kind and
/// each list and map with its length, so different values feed different parts.
fn add_value(k: &mut Key, v: &Value) {
    match v {
        Value::Null => {
            k.add(&0u8);
        }
        Value::Bool(b) => {
            k.add(&(1u8, *b));
        }
        Value::Number(n) => {
            match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => k.add(&(2u8, u)),
                (None, Some(i)) => k.add(&(3u8, i)),
                (None, None) => k.add(&(4u8, n.as_f64().map(f64::to_bits))),
            };
        }
        Value::String(s) => {
            k.add(&5u8).add(s.as_str());
        }
        Value::Array(items) => {
            k.add(&(6u8, items.len()));
            for x in items {
                add_value(k, x);
            }
        }
        Value::Object(map) => {
            k.add(&(7u8, map.len()));
            for (name, x) in map {
                k.add(name.as_str());
                add_value(k, x);
            }
        }
    }
}

/// Whether `f` is a link to the previous output (made by [`Session::settle`]).
fn is_previous(out: &Path, f: &OutFile) -> bool {
    matches!(f, OutFile::Copy(src) if src.starts_with(out))
}

/// The key of everything but the Markdown of pages: the binary, the
/// options, the configuration, templates, themes, static files, Sass, data,
/// the corrector's data files and content files other than Markdown. Also
/// whether a template uses something whose result cannot be keyed.
fn global_key(root: &Path, opts: &BuildOptions, config_text: &str, config: &Config) -> (u64, bool) {
    let mut k = Key::new();
    k.add(&opts.base_url).add(&opts.drafts).add(&opts.future).add(&opts.plain_assets).add(config_text);
    let mut volatile = false;
    for dir in ["templates", "themes", "static", "sass", "data", "content"] {
        let mut files: Vec<(String, std::path::PathBuf)> = walkdir::WalkDir::new(root.join(dir))
            .follow_links(true)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .filter(|e| dir != "content" || e.path().extension().is_none_or(|x| x != "md"))
            .map(|e| (e.path().to_string_lossy().into_owned(), e.path().to_path_buf()))
            .collect();
        files.sort();
        let keyed: Vec<(u64, bool)> = files
            .par_iter()
            .map(|(name, path)| {
                let mut fk = Key::new();
                fk.add(name);
                let mut volatile = false;
                match std::fs::metadata(path) {
                    Ok(m) if m.len() <= HASH_LIMIT => {
                        let bytes = std::fs::read(path).unwrap_or_default();
                        if matches!(dir, "templates" | "themes") {
                            let text = String::from_utf8_lossy(&bytes);
                            volatile = VOLATILE.iter().any(|v| text.contains(v));
                        }
                        fk.add(bytes.as_slice());
                    }
                    Ok(m) => {
                        fk.add(&m.len()).add(&crate::cache::Stamp::of(path));
                    }
                    Err(_) => {
                        fk.add(&0u8);
                    }
                }
                (fk.finish(), volatile)
            })
            .collect();
        for (key, v) in keyed {
            k.add(&key);
            volatile |= v;
        }
    }
    for p in [&config.correct.house_style_file, &config.correct.lexicon_file].into_iter().flatten() {
        k.add(p).add(&std::fs::read(root.join(p)).unwrap_or_default());
    }
    (k.finish(), volatile)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(v: &Value) -> u64 {
        let mut k = Key::new();
        add_value(&mut k, v);
        k.finish()
    }

    #[test]
    fn values_that_print_differently_key_differently() {
        let values = [
            serde_json::json!(null),
            serde_json::json!(false),
            serde_json::json!(1),
            serde_json::json!(-1),
            serde_json::json!(1.0),
            serde_json::json!("1"),
            serde_json::json!([1]),
            serde_json::json!([[1]]),
            serde_json::json!([1, 2]),
            serde_json::json!([[1], 2]),
            serde_json::json!({"a": 1, "b": 2}),
            serde_json::json!({"b": 2, "a": 1}),
            serde_json::json!({"a": [1, 2]}),
            serde_json::json!({"a": [1], "b": 2}),
            serde_json::json!({"ab": ""}),
            serde_json::json!({"a": "b"}),
        ];
        let keys: HashSet<u64> = values.iter().map(key).collect();
        assert_eq!(keys.len(), values.len());
        assert_eq!(key(&values[10]), key(&serde_json::json!({"a": 1, "b": 2})), "the same value, the same key");
    }
}
