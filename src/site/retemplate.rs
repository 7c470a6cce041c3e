//! The dev server's fast path for template edits: re-render only the
//! outputs whose template closure holds an edited template.
//!
//! A template's closure is the template itself and everything it reaches
//! through `extends`, `include` and `import` (macro files), transitively, as
//! Tera parsed them. An edit of `index.html` then re-renders the home page
//! (and its pagers); an edit of `page.html` every page, and nothing else; an
//! edit of `macros.html` every output whose templates import it. Feeds,
//! `sitemap.xml` and `robots.txt` made through the theme's templates are
//! made again when their closure holds an edited file.
//!
//! Only edits of templates that exist, and keep existing, take this path.
//! These answer [`Outcome::Full`]: a template that is new or deleted (it
//! changes which outputs exist); one that Markdown renders (shortcodes,
//! `anchor-link.html`: every page's body would change); one whose outputs
//! call `resize_image` (the images a build writes follow from what it
//! renders); one that no output renders, no feed is and no template names
//! (it may be rendered some way not followed here). A template that no
//! longer parses, or that fails to render, answers [`Outcome::Failed`] with
//! the state as it was, so the server keeps the last good site and shows
//! the errors; the repair then goes this way too.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use tera::Tera;
use tera::ast::Node;

use super::update::{Outcome, Partial};
use super::{Job, OutFile, State, Stopwatch, page_docs_html};
use crate::diagnostics::{Diagnostic, SourceMap};
use crate::render::{feeds, templates};

/// Template name → the templates it names directly (parent, includes, macro files).
type Deps = HashMap<String, Vec<String>>;

/// One edited template: its name, its file (relative to the root), its text now.
struct Edit {
    name: String,
    rel: PathBuf,
    text: String,
}

/// What a template edit left to undo if a later step fails.
struct Saved {
    tera: Tera,
    sources: Vec<(PathBuf, Option<Arc<str>>)>,
}

impl State {
    /// Re-render after `paths` (relative to the root) changed, when they are
    /// all existing templates (see the module's documentation). On
    /// [`Outcome::Failed`] and [`Outcome::Full`] the state is unchanged.
    pub fn update_templates(&mut self, paths: &BTreeSet<PathBuf>) -> Outcome {
        let Some(edits) = self.template_edits(paths) else { return Outcome::Full };
        match self.try_templates(&edits) {
            Ok(partial) => Outcome::Rerendered(partial),
            Err(Some(mut diagnostics)) => {
                crate::diagnostics::sort(&mut diagnostics);
                let mut sources = self.sources.clone();
                for e in &edits {
                    sources.insert(e.rel.clone(), Arc::from(e.text.as_str()));
                }
                Outcome::Failed(diagnostics, sources)
            }
            Err(None) => Outcome::Full,
        }
    }

    /// The edited templates as they now read, or `None` when `paths` are
    /// not all templates the site uses now and still has as plain files.
    fn template_edits(&self, paths: &BTreeSet<PathBuf>) -> Option<Vec<Edit>> {
        let by_rel: HashMap<&Path, &str> = self.tpl.files.iter().map(|(n, r)| (r.as_path(), n.as_str())).collect();
        let mut edits = Vec::new();
        for rel in paths {
            if crate::content::is_editor_temp(rel.file_name()?) {
                continue;
            }
            let abs = self.opts.root.join(rel);
            // A temporary file a tool wrote beside a template and renamed
            // over it (`sed -i`): gone, and never a template of the build.
            if !by_rel.contains_key(rel.as_path()) && self.in_template_dir(rel) && !abs.exists() {
                continue;
            }
            // A shadowed theme template, a new one or anything else: the
            // full build decides.
            let name = by_rel.get(rel.as_path())?;
            // A symlink may now point elsewhere: the full build checks it again.
            if !std::fs::symlink_metadata(&abs).ok()?.file_type().is_file() {
                return None;
            }
            let text = std::fs::read_to_string(&abs).ok()?;
            edits.push(Edit { name: (*name).to_string(), rel: rel.clone(), text });
        }
        (!edits.is_empty()).then_some(edits)
    }

    /// Whether `rel` is inside `templates/` or the theme's templates.
    fn in_template_dir(&self, rel: &Path) -> bool {
        let theme = Path::new("themes").join(&self.config.theme).join("templates");
        rel.starts_with("templates") || !self.config.theme.is_empty() && rel.starts_with(theme)
    }

    /// `Err(None)`: a full build is needed; `Err(Some(errors))`: the edit
    /// breaks the build. The state is then as it was.
    fn try_templates(&mut self, edits: &[Edit]) -> Result<Partial, Option<Vec<Diagnostic>>> {
        let mut clock = Stopwatch::new();
        let tera = reparse(&self.tpl.tera, edits)?;
        let changed: HashSet<&str> = edits.iter().map(|e| e.name.as_str()).collect();
        let (old, new) = (deps(&self.tpl.tera), deps(&tera));
        // Through the old or the new references: an include taken out
        // changes its outputs as much as one put in.
        let affected: HashSet<String> = tera
            .templates
            .keys()
            .filter(|n| reaches(&old, n, &changed) || reaches(&new, n, &changed))
            .cloned()
            .collect();
        if affected.iter().any(|n| n.starts_with("shortcodes/") || n == "anchor-link.html") {
            return Err(None);
        }
        let feed_names: HashSet<&str> =
            self.config.feed_filenames.iter().map(String::as_str).chain(["sitemap.xml", "robots.txt"]).collect();
        let feeds_too = feed_names.iter().any(|n| affected.contains(*n));
        // Every output's template, once.
        let all: Vec<(Job, Option<String>)> = self
            .renderer()
            .jobs()
            .into_iter()
            .map(|job| (job, super::template_of(&self.content, &self.tpl, &self.taxonomies, job)))
            .collect();
        // A template that no output renders, that is no feed and that no
        // template names may be rendered some way not followed here.
        let rendered: HashSet<&str> = all.iter().filter_map(|(_, t)| t.as_deref()).collect();
        let named: HashSet<&str> = old.values().chain(new.values()).flatten().map(String::as_str).collect();
        let unfollowed = |t: &&String| {
            !rendered.contains(t.as_str()) && !feed_names.contains(t.as_str()) && !named.contains(t.as_str())
        };
        if affected.iter().any(|t| unfollowed(&t)) {
            return Err(None);
        }
        let jobs: Vec<Job> =
            all.iter().filter(|(_, t)| t.as_ref().is_some_and(|t| affected.contains(t))).map(|(j, _)| *j).collect();
        clock.lap("reparse, closure");

        let saved = self.swap_in(tera, edits);
        if self.made_images(&jobs) {
            self.restore(saved);
            return Err(None);
        }
        let outs: Vec<(Job, Option<super::Rendering>, Vec<String>)> = {
            let renderer = self.renderer();
            jobs.par_iter()
                .map(|&job| {
                    let (out, mut used) = templates::track(|| renderer.render(job));
                    used.sort_unstable();
                    used.dedup();
                    (job, out, used)
                })
                .collect()
        };
        clock.lap(&format!("{} templates", jobs.len()));
        if self.made_images(&[]) {
            self.restore(saved);
            return Err(None);
        }
        let mut errors: Vec<Diagnostic> = Vec::new();
        super::update::add_render_errors(&outs, &mut errors);
        if !errors.is_empty() {
            self.restore(saved);
            return Err(Some(errors));
        }
        let mut files: BTreeMap<String, OutFile> = BTreeMap::new();
        if feeds_too {
            match self.all_feeds(&mut files) {
                Ok(()) => {}
                Err(e) => {
                    self.restore(saved);
                    return Err(e);
                }
            }
            clock.lap("feeds");
        }
        // A feed template may call `resize_image` too.
        if self.made_images(&[]) {
            self.restore(saved);
            return Err(None);
        }

        // Committed from here on.
        for (job, out, used) in outs {
            if let Some(Ok((path, html))) = out {
                files.insert(path, OutFile::Bytes(html.into_bytes()));
            }
            self.note_reads(job, used);
        }
        let mut diagnostics = self.other_diags.clone();
        diagnostics.extend(self.page_diags.iter().flatten().cloned());
        crate::diagnostics::sort(&mut diagnostics);
        let sources = if diagnostics.is_empty() { SourceMap::default() } else { self.sources.clone() };
        let files = files
            .into_iter()
            .filter_map(|(k, v)| match v {
                OutFile::Bytes(b) => Some((k, b)),
                OutFile::Copy(_) | OutFile::Written(_) => None,
            })
            .collect();
        clock.lap("outputs");
        Ok(Partial { files, removed: Vec::new(), diagnostics, sources, pages: Vec::new() })
    }

    /// Put the re-parsed templates and the edited texts in place; what was
    /// there before comes back for [`State::restore`].
    fn swap_in(&mut self, tera: Tera, edits: &[Edit]) -> Saved {
        let tera = std::mem::replace(&mut self.tpl.tera, tera);
        let mut sources = Vec::new();
        for e in edits {
            sources.push((e.rel.clone(), self.sources.get(&e.rel).map(Arc::from)));
            self.sources.insert(e.rel.clone(), Arc::from(e.text.as_str()));
        }
        Saved { tera, sources }
    }

    /// Undo [`State::swap_in`].
    fn restore(&mut self, saved: Saved) {
        self.tpl.tera = saved.tera;
        // Every template's text is in the sources from the load on.
        for (rel, text) in saved.sources {
            self.sources.insert(rel, text.unwrap_or_else(|| Arc::from("")));
        }
    }

    /// Remember which pages `job` read this time (in place of last time's).
    pub(super) fn note_reads(&mut self, job: Job, used: Vec<String>) {
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

    /// Every feed, `sitemap.xml` and `robots.txt`, as the full build makes them.
    /// `Err(Some)`: a template failed; `Err(None)`: they now warn about
    /// something the last build did not (the full build reports it).
    fn all_feeds(&self, files: &mut BTreeMap<String, OutFile>) -> Result<(), Option<Vec<Diagnostic>>> {
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
        let alternates =
            super::translations::Translations::new(&self.config, &self.content).alternates(&self.config, &self.content);
        let html = page_docs_html(&self.page_docs);
        let made = feeds::write_all(
            &self.config,
            &self.content,
            &html,
            &self.taxonomies,
            &self.feeds,
            &alternates,
            &over,
            files,
        );
        let errors: Vec<Diagnostic> = made.iter().filter(|d| d.is_error()).cloned().collect();
        if !errors.is_empty() {
            return Err(Some(errors));
        }
        if made.iter().any(|d| !self.other_diags.iter().any(|o| o.path == d.path && o.message == d.message)) {
            return Err(None);
        }
        Ok(())
    }
}

/// `tera` with `edits` parsed in place of the templates they replace, or the
/// errors that the full build would report for them.
fn reparse(tera: &Tera, edits: &[Edit]) -> Result<Tera, Option<Vec<Diagnostic>>> {
    let mut errors = Vec::new();
    for e in edits {
        if let Err(err) = tera::Template::new(&e.name, None, &e.text) {
            errors.push(templates::parse_error(&err, &e.rel, &e.text));
        }
    }
    if !errors.is_empty() {
        return Err(Some(errors));
    }
    let mut fresh = tera.clone();
    if let Err(err) = fresh.add_raw_templates(edits.iter().map(|e| (e.name.as_str(), e.text.as_str()))) {
        let msg = templates::error_chain(&err);
        // The edited template the message names, else the first.
        let rel = edits.iter().find(|e| msg.contains(&format!("'{}'", e.name))).unwrap_or(&edits[0]).rel.clone();
        return Err(Some(vec![Diagnostic::error("template/invalid", rel, msg)]));
    }
    Ok(fresh)
}

/// Each template's direct references, from Tera's parsed templates.
fn deps(tera: &Tera) -> Deps {
    tera.templates
        .iter()
        .map(|(name, t)| {
            let mut out: Vec<String> = t.parent.iter().cloned().collect();
            out.extend(t.imported_macro_files.iter().map(|(file, _)| file.clone()));
            includes(&t.ast, &mut out);
            for m in t.macros.values() {
                includes(&m.body, &mut out);
            }
            out.sort_unstable();
            out.dedup();
            (name.clone(), out)
        })
        .collect()
}

/// The templates `nodes` include (and import or extend), at any depth.
fn includes(nodes: &[Node], out: &mut Vec<String>) {
    for node in nodes {
        match node {
            Node::Include(_, names, _) => out.extend(names.iter().cloned()),
            Node::ImportMacro(_, file, _) => out.push(file.clone()),
            Node::Extends(_, parent) => out.push(parent.clone()),
            Node::MacroDefinition(_, m, _) => includes(&m.body, out),
            Node::FilterSection(_, f, _) => includes(&f.body, out),
            Node::Block(_, b, _) => includes(&b.body, out),
            Node::Forloop(_, f, _) => {
                includes(&f.body, out);
                includes(f.empty_body.as_deref().unwrap_or_default(), out);
            }
            Node::If(i, _) => {
                for (_, _, body) in &i.conditions {
                    includes(body, out);
                }
                if let Some((_, body)) = &i.otherwise {
                    includes(body, out);
                }
            }
            _ => {}
        }
    }
}

/// Whether template `name`'s closure (itself included) holds one of `changed`.
fn reaches(deps: &Deps, name: &str, changed: &HashSet<&str>) -> bool {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut todo = vec![name];
    while let Some(n) = todo.pop() {
        if changed.contains(n) {
            return true;
        }
        if !seen.insert(n) {
            continue;
        }
        if let Some(next) = deps.get(n) {
            todo.extend(next.iter().map(String::as_str));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(list: &[(&str, &str)]) -> Tera {
        let mut t = Tera::default();
        t.add_raw_templates(list.iter().copied()).expect("templates");
        t
    }

    #[test]
    fn a_closure_follows_parents_includes_and_macro_files() {
        let t = tera(&[
            ("base.html", r#"{% import "macros.html" as m %}{% block body %}{% endblock %}"#),
            ("macros.html", r#"{% macro x() %}{% include "partial.html" %}{% endmacro %}"#),
            ("partial.html", "p"),
            (
                "page.html",
                r#"{% extends "base.html" %}{% block body %}{% if a %}{% include "side.html" %}{% endif %}{% endblock %}"#,
            ),
            ("side.html", "s"),
            ("index.html", "home"),
        ]);
        let d = deps(&t);
        let set = |names: &[&'static str]| names.iter().copied().collect::<HashSet<&str>>();
        assert!(reaches(&d, "page.html", &set(&["partial.html"])));
        assert!(reaches(&d, "page.html", &set(&["side.html"])));
        assert!(reaches(&d, "page.html", &set(&["page.html"])));
        assert!(!reaches(&d, "index.html", &set(&["partial.html", "page.html", "base.html"])));
        assert!(!reaches(&d, "base.html", &set(&["side.html"])));
    }
}
