//! The dev server's fast path: re-render after an edit of existing articles.
//!
//! Most saves while writing change an article's prose, not where it sits in
//! the site. Such an edit cannot change any URL, list order or taxonomy, so
//! the outputs that can differ are the page itself and those that read its
//! template value (listings, neighbours, related links, `get_page` and
//! friends), which the last build recorded while rendering; plus the feeds it
//! appears in, the search index and the syntax palette. [`State::update_pages`]
//! re-renders exactly those.
//!
//! Anything else — a new, deleted or renamed file, a section, a changed date,
//! title, slug, weight, draft flag or taxonomy, or any error — answers `None`,
//! and the caller runs a full build, which also produces the error messages.
//! The state is then exactly as before the call. The `watch` integration test
//! checks that the result equals a fresh full build after every random edit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use std::sync::LazyLock;

use rayon::prelude::*;
use regex::Regex;
use serde_json::Value;

use super::{Doc, Job, Md, OutFile, Renderer, State, Stopwatch, Values, page_docs_html, page_lite, search_entry};
use crate::content::{self, Page, Parsed};
use crate::correct::{self, Report};
use crate::diagnostics::{Diagnostic, SourceMap};
use crate::render::{feeds, templates};

/// What a fast re-render produced.
pub struct Partial {
    /// Output path → bytes, for every output re-rendered (some may be
    /// byte-for-byte what they were).
    pub files: Vec<(String, Vec<u8>)>,
    /// Outputs that are no longer written (search index chunks).
    pub removed: Vec<String>,
    /// The site's warnings now, with their sources.
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
    /// Each edited page: its output, its source and what the corrector found.
    pub pages: Vec<(String, PathBuf, Arc<str>, Option<Report>)>,
}

/// How [`State::update_pages`] went.
pub enum Outcome {
    Rerendered(Partial),
    /// The edit breaks the build: these errors (with the sources they point
    /// into). The state is unchanged.
    Failed(Vec<Diagnostic>, SourceMap),
    /// The edit needs a full build.
    Full,
}

/// Everything a page contributes to the state, swapped in and out as one.
struct Slot {
    page: Page,
    doc: Doc,
    diags: Vec<Diagnostic>,
    lite: Arc<Value>,
    report: Option<Report>,
}

impl State {
    /// Re-render after `paths` (relative to the root) changed, when they are
    /// all existing articles whose place in the site stayed the same. On
    /// [`Outcome::Failed`] and [`Outcome::Full`] the state is unchanged.
    pub fn update_pages(&mut self, paths: &BTreeSet<PathBuf>) -> Outcome {
        match self.try_update(paths) {
            Ok(partial) => Outcome::Rerendered(partial),
            Err(Some(mut diagnostics)) => {
                crate::diagnostics::sort(&mut diagnostics);
                let mut sources = self.sources.clone();
                for rel in paths {
                    if let Ok(text) = std::fs::read_to_string(self.opts.root.join(rel)) {
                        sources.insert(rel.clone(), Arc::from(text.as_str()));
                    }
                }
                Outcome::Failed(diagnostics, sources)
            }
            Err(None) => Outcome::Full,
        }
    }

    /// `Err(None)`: a full build is needed; `Err(Some(errors))`: the edit breaks
    /// the build (which a full build would report too). The state is then
    /// as it was.
    fn try_update(&mut self, paths: &BTreeSet<PathBuf>) -> Result<Partial, Option<Vec<Diagnostic>>> {
        let mut clock = Stopwatch::new();
        let mut touched: Vec<usize> = Vec::new();
        for rel in paths {
            let name = rel.file_name().ok_or(None)?;
            if content::is_editor_temp(name) {
                continue;
            }
            if rel.extension().is_none_or(|e| e != "md") || name == "_index.md" {
                return Err(None);
            }
            touched.push(*self.page_of.get(rel).ok_or(None)?);
        }
        touched.sort_unstable();
        touched.dedup();
        if touched.is_empty() {
            return Err(None);
        }
        let mut saved: Vec<(usize, Slot)> = Vec::new();
        // Every edited page's errors, as a full build would list them all.
        let mut errors: Vec<Diagnostic> = Vec::new();
        for &i in &touched {
            match self.fresh_slot(i) {
                Ok(slot) => {
                    let old = self.put(i, slot);
                    saved.push((i, old));
                }
                Err(Some(mut e)) => errors.append(&mut e),
                Err(None) => {
                    self.undo(saved);
                    return Err(None);
                }
            }
        }
        if !errors.is_empty() {
            self.undo(saved);
            return Err(Some(errors));
        }
        clock.lap("reparse, correct, markdown");
        if self.breaks_anchors(&touched) {
            let errors = super::anchor_diagnostics(&self.content, &self.page_docs, &self.section_docs);
            self.undo(saved);
            return Err(Some(errors));
        }
        // The palette is fingerprinted in `build` output: a change renames it in every page.
        fn classes(d: &Doc) -> std::collections::HashSet<&str> {
            crate::render::minify::classes(&d.rendered.html).collect()
        }
        let same_classes = saved.iter().all(|(i, old)| classes(&old.doc) == classes(&self.page_docs[*i]));
        let css = match same_classes {
            true => self.highlight_css.clone(),
            false => self.highlight_base.as_deref().map(|b| super::used_css(b, &self.class_counts)),
        };
        if css != self.highlight_css && !self.opts.plain_assets {
            self.undo(saved);
            return Err(None);
        }

        // Each page itself, and whatever read its value, unless that output's
        // templates never name a field that changed (an edit usually changes
        // only `word_count`, which listings do not show).
        let mut jobs: BTreeSet<Job> = touched.iter().map(|&i| Job::Page(i)).collect();
        for (i, old) in &saved {
            let changed = changed_keys(&old.lite, &self.lite[*i]);
            clock.note(|| format!("changed in the page value: {changed:?}"));
            if changed.is_empty() {
                continue;
            }
            if let Some(r) = self.readers.get(&self.content.pages[*i].content_rel) {
                jobs.extend(r.iter().copied().filter(|&job| {
                    super::template_of(&self.content, &self.tpl, &self.taxonomies, job)
                        .is_none_or(|t| self.mentions(&t, &changed))
                }));
            }
        }
        let jobs: Vec<Job> = jobs.into_iter().collect();
        clock.lap("anchors, palette");
        if self.made_images(&jobs) {
            self.undo(saved);
            return Err(None);
        }
        let outs: Vec<(Job, Option<super::Rendering>, Vec<String>)> = {
            let renderer = self.renderer();
            jobs.par_iter()
                .map(|&job| {
                    let (out, used) = templates::track(|| renderer.render(job));
                    (job, out, used)
                })
                .collect()
        };
        if self.made_images(&[]) {
            self.undo(saved);
            return Err(None);
        }
        add_render_errors(&outs, &mut errors);
        if !errors.is_empty() {
            self.undo(saved);
            return Err(Some(errors));
        }
        let config_for =
            |lang: &str| super::config_for_language(&self.config_value, &self.config, lang, Some(&self.taxonomies));
        let over = crate::render::feed_templates::FeedTemplates {
            tpl: &self.tpl,
            sources: &self.sources,
            config_value: &self.config_value,
            config_for: &config_for,
            lite: &self.lite,
            section_lite: &self.section_lite,
        };
        // Feeds (a theme's feed templates may fail on the edited page's
        // values): rendered before committing, so an error leaves the state as it was.
        let mut feed_files: BTreeMap<String, OutFile> = BTreeMap::new();
        let feed_errors = feeds::write_feeds(
            &self.config,
            &self.content,
            &page_docs_html(&self.page_docs),
            &self.taxonomies,
            &self.feeds,
            Some(&touched),
            Some(&over),
            &mut feed_files,
        );
        clock.lap("feeds");
        if !feed_errors.is_empty() {
            self.undo(saved);
            return Err(Some(feed_errors));
        }

        clock.lap(&format!("{} templates", jobs.len()));
        // Committed from here on.
        let mut files: BTreeMap<String, OutFile> = BTreeMap::new();
        for (job, out, used) in outs {
            if let Some(Ok((path, html))) = out {
                files.insert(path, OutFile::Bytes(html.into_bytes()));
            }
            let old = self.reads.insert(job, used.clone()).unwrap_or_default();
            for rel in old {
                if let Some(set) = self.readers.get_mut(&rel) {
                    set.remove(&job);
                }
            }
            for rel in used {
                self.readers.entry(rel).or_default().insert(job);
            }
        }
        clock.lap("outputs");
        files.append(&mut feed_files);
        let base_path = self.config.base_path();
        let before: BTreeSet<String> = self.search.paths().into_iter().collect();
        for &i in touched.iter().filter(|_| self.config.site_search) {
            let entry = search_entry(&self.content, i, &self.page_docs[i], base_path);
            let terms = crate::render::search::doc_terms(&entry);
            self.search.update(i, &entry, &terms);
        }
        // An edit can change the number of chunks: the ones left over go.
        let mut removed = before;
        for (k, bytes) in self.search.files().into_iter().filter(|_| self.config.site_search) {
            removed.remove(&k);
            files.insert(k, OutFile::Bytes(bytes));
        }
        let removed = removed.into_iter().collect();
        if css != self.highlight_css {
            if let Some(c) = &css {
                files.insert("highlight.css".into(), OutFile::Bytes(c.clone().into_bytes()));
            }
            self.highlight_css = css;
        }

        clock.lap("search index");
        let mut diagnostics = self.other_diags.clone();
        diagnostics.extend(self.page_diags.iter().flatten().cloned());
        crate::diagnostics::sort(&mut diagnostics);
        let sources = if diagnostics.is_empty() { SourceMap::default() } else { self.sources.clone() };
        let pages = touched
            .iter()
            .map(|&i| {
                let p = &self.content.pages[i];
                (super::out_path(&p.url_path), p.file.rel.clone(), p.file.text.clone(), self.reports[i].clone())
            })
            .collect();
        let files = files
            .into_iter()
            .filter_map(|(k, v)| match v {
                OutFile::Bytes(b) => Some((k, b)),
                OutFile::Copy(_) | OutFile::Written(_) => None,
            })
            .collect();
        clock.lap("diagnostics");
        Ok(Partial { files, removed, diagnostics, sources, pages })
    }

    /// Whether `resize_image` ran since the last build took its images (in
    /// Markdown or a template), or one of `jobs` called it last time. The
    /// images a build writes are those its renders asked for, and which
    /// output asked for which is not recorded: such an edit takes a full build.
    pub(super) fn made_images(&self, jobs: &[Job]) -> bool {
        let called = |j: &Job| self.reads.get(j).is_some_and(|r| r.iter().any(|u| u == templates::UNKEYED));
        !self.tpl.processed.take().is_empty() || jobs.iter().any(called)
    }

    /// Whether a link with an `#anchor` in or into one of `touched` names no id
    /// of its target (an error: the full build reports it).
    fn breaks_anchors(&self, touched: &[usize]) -> bool {
        let rels: Vec<&str> = touched.iter().map(|&i| self.content.pages[i].content_rel.as_str()).collect();
        let ids_of = |target: &str| -> Option<&std::collections::HashSet<String>> {
            if let Some(&i) = self.page_of.get(&std::path::Path::new("content").join(target)) {
                return Some(&self.page_docs[i].rendered.ids);
            }
            self.content
                .sections
                .iter()
                .position(|s| s.content_rel == target)
                .map(|k| &self.section_docs[k].rendered.ids)
        };
        let docs = self.content.pages.iter().zip(&self.page_docs).map(|(p, d)| (p.content_rel.as_str(), d));
        let docs =
            docs.chain(self.content.sections.iter().zip(&self.section_docs).map(|(s, d)| (s.content_rel.as_str(), d)));
        for (own, d) in docs {
            let mine = rels.contains(&own);
            for c in &d.rendered.anchors {
                let target = c.target.as_deref().unwrap_or(own);
                if (mine || rels.contains(&target)) && ids_of(target).is_some_and(|ids| !ids.contains(&c.anchor)) {
                    return true;
                }
            }
        }
        false
    }

    /// Whether template `name`, or one it extends, includes or imports, names
    /// any of `keys` (or reads values wholesale, which names them all).
    fn mentions(&self, name: &str, keys: &[String]) -> bool {
        static REF: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r#"\{%-?\s*(?:extends|include|import)\s+"([^"]+)""#).expect("static regex"));
        static WHOLESALE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"json_encode|__tera_context|\bdebug\b").expect("static regex"));
        // `for key, value in x`: every key of `x` is read. Fine when `x` is one
        // of the maps inside a page value (its name is then what changed);
        // anything else might be a whole page value.
        static KEY_VALUE_LOOP: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"\bfor\s+\w+\s*,\s*\w+\s+in\s+([\w.]+)").expect("static regex"));
        let wholesale = |text: &str| {
            WHOLESALE.is_match(text)
                || KEY_VALUE_LOOP.captures_iter(text).any(|c| {
                    let x = c.get(1).map_or("", |m| m.as_str());
                    !matches!(x.rsplit('.').next(), Some("terms" | "taxonomies" | "extra"))
                })
        };
        let mut seen = std::collections::HashSet::new();
        let mut todo = vec![name.to_string()];
        while let Some(n) = todo.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            // A template we cannot read could say anything.
            let Some(text) = self.tpl.files.get(&n).and_then(|rel| self.sources.get(rel)) else { return true };
            if wholesale(text) {
                return true;
            }
            if keys.iter().any(|k| contains_word(text, k)) {
                return true;
            }
            todo.extend(REF.captures_iter(text).filter_map(|c| c.get(1)).map(|m| m.as_str().to_string()));
        }
        false
    }

    pub(super) fn renderer(&self) -> Renderer<'_> {
        Renderer {
            config: &self.config,
            config_value: &self.config_value,
            base_path: self.config.base_path(),
            content: &self.content,
            tpl: &self.tpl,
            values: Values {
                config: &self.config,
                content: &self.content,
                lite: &self.lite,
                section_lite: &self.section_lite,
                taxonomies: &self.taxonomies,
                versions: super::Versions::of(&self.content),
            },
            page_docs: &self.page_docs,
            section_docs: &self.section_docs,
            taxonomies: &self.taxonomies,
            sources: &self.sources,
        }
    }

    /// Page `i` as its file now reads, when it parses cleanly and keeps its
    /// place in the site.
    fn fresh_slot(&self, i: usize) -> Result<Slot, Option<Vec<Diagnostic>>> {
        let old = &self.content.pages[i];
        let root = &self.opts.root;
        // A deleted (or renamed) article changes the site's structure.
        if self.other_diags.iter().any(|d| d.path == old.file.rel) || !root.join(&old.file.rel).is_file() {
            return Err(None);
        }
        let (parsed, diags, _) =
            content::parse_file(root, &root.join("content"), &root.join(&old.file.rel), &self.config);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(Some(diags));
        }
        let Some(Parsed::Page(mut page)) = parsed else { return Err(None) };
        if !diags.is_empty() {
            return Err(None);
        }
        page.section = old.section;
        page.assets = old.assets.clone();
        let report = match &self.corrector {
            Some(c) => correct::correct_page(&mut page, c),
            None => None,
        };
        let (a, b) = (&old.meta, &page.meta);
        let same_place = page.url_path == old.url_path
            && page.content_rel == old.content_rel
            && a.title == b.title
            && a.date == b.date
            && a.updated == b.updated
            && a.expiry == b.expiry
            && a.draft == b.draft
            && a.slug == b.slug
            && a.aliases == b.aliases
            && a.weight == b.weight
            && a.template == b.template
            && a.taxonomies == b.taxonomies;
        if !same_place {
            return Err(None);
        }
        let md = Md {
            config: &self.config,
            config_value: &self.config_value,
            base_path: self.config.base_path(),
            tpl: &self.tpl,
            urls: &self.urls,
            known: &self.known,
            drafts: &self.drafts,
        };
        // As in a full build, shortcodes run before the index exists.
        let index = self.index.take();
        let (doc, diags) = md.doc(
            &page.body,
            &page.body_map,
            page.body_start,
            &page.file.rel,
            &page.url_path,
            &page.meta.title,
            &page.assets,
            self.content.sections[page.section].meta.insert_anchor_links,
        );
        if let Some(ix) = index {
            self.index.set(ix);
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Err(Some(diags));
        }
        // Its versions in other languages are as they were: a change of title or
        // URL, or a translation added or removed, takes a full build.
        let versions = self.lite[i].get("translations").cloned().unwrap_or(Value::Array(Vec::new()));
        let lite = page_lite(&self.config, &self.content, &self.taxonomies, &page, &doc, versions);
        page.body = String::new();
        page.body_map = Default::default();
        Ok(Slot { page, doc, diags, lite, report })
    }

    /// Swap page `i`'s slot for `slot`, everywhere it shows; returns the old one.
    fn put(&mut self, i: usize, mut slot: Slot) -> Slot {
        for c in crate::render::minify::classes(&self.page_docs[i].rendered.html) {
            if let Some(n) = self.class_counts.get_mut(c) {
                *n = n.saturating_sub(1);
            }
        }
        for c in crate::render::minify::classes(&slot.doc.rendered.html) {
            *self.class_counts.entry(c.to_string()).or_insert(0) += 1;
        }
        std::mem::swap(&mut self.content.pages[i], &mut slot.page);
        std::mem::swap(&mut self.page_docs[i], &mut slot.doc);
        std::mem::swap(&mut self.page_diags[i], &mut slot.diags);
        std::mem::swap(&mut self.lite[i], &mut slot.lite);
        std::mem::swap(&mut self.reports[i], &mut slot.report);
        let page = &self.content.pages[i];
        self.sources.insert(page.file.rel.clone(), page.file.text.clone());
        let lite = self.lite[i].clone();
        let rel = page.content_rel.clone();
        // Sections and terms list pages by key (see `Listing`): they show the new value too.
        self.index.update(|ix| {
            ix.pages.insert(rel, lite);
        });
        slot
    }

    fn undo(&mut self, saved: Vec<(usize, Slot)>) {
        for (i, slot) in saved.into_iter().rev() {
            self.put(i, slot);
        }
    }
}

/// Top-level keys whose values differ between two page values.
fn changed_keys(old: &Value, new: &Value) -> Vec<String> {
    match (old.as_object(), new.as_object()) {
        (Some(a), Some(b)) => {
            let mut keys: Vec<String> =
                a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect();
            keys.extend(b.keys().filter(|k| !a.contains_key(*k)).cloned());
            keys
        }
        _ => vec![String::new()],
    }
}

/// `word` in `text` with no identifier character on either side.
fn contains_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        !text[..at].chars().next_back().is_some_and(ident) && !text[at + word.len()..].chars().next().is_some_and(ident)
    })
}

/// Each distinct template error among `outs`, once: one broken template
/// fails every output using it, and the editor needs to read it once.
pub(super) fn add_render_errors(outs: &[(Job, Option<super::Rendering>, Vec<String>)], errors: &mut Vec<Diagnostic>) {
    for (_, out, _) in outs {
        if let Some(Err(d)) = out
            && !errors.iter().any(|e| e.path == d.path && e.message == d.message)
        {
            errors.push(d.clone());
        }
    }
}
