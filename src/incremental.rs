//! The engine behind `serve` and `build --watch`: the last good site in memory,
//! and what each rebuild changed in it.
//!
//! A rebuild runs the same `site::build` as `attache build` (same loader, same
//! corrector, same templates), so its output cannot drift from a full build;
//! the engine then compares the new files with the last good ones byte for
//! byte and reports only those that changed or vanished. That is what lets
//! `build --watch` touch only changed files and the server tell each page
//! whether it is affected. An edit that only touches an existing file under a
//! `static/` directory skips the site build altogether: nothing else can depend
//! on the bytes of a static file, so copying it is the whole rebuild.
//!
//! A build with errors changes nothing: the last good site stays, and the
//! failure is handed back for the terminal and the browser overlay.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::diagnostics::{Diagnostic, SourceMap, line_col, render_human};
use crate::outdir::OutputDir;
use crate::site::{self, BuildOptions, OutFile};
use crate::watch::{Batch, Kind};

/// Output path → bytes, shared with the server's request threads.
pub type Files = BTreeMap<String, Arc<Vec<u8>>>;

/// Why the last rebuild did not replace the site.
#[derive(Debug, Clone)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
}

impl Failure {
    fn plumbing(message: String) -> Self {
        Failure { diagnostics: vec![Diagnostic::error("build/failed", "", message)], sources: SourceMap::default() }
    }

    /// The errors as the browser overlay shows them.
    pub fn to_json(&self) -> Value {
        let list: Vec<Value> = self
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                let (line, col) = match (&d.span, self.sources.get(&d.path)) {
                    (Some(s), Some(text)) => line_col(text, s.start),
                    _ => (0, 0),
                };
                json!({
                    "code": d.code,
                    "message": d.message,
                    "file": d.path.to_string_lossy(),
                    "line": line,
                    "col": col,
                    "help": d.help,
                    "excerpt": render_human(d, &self.sources, false),
                })
            })
            .collect();
        Value::Array(list)
    }
}

/// What one rebuild did.
#[derive(Debug, Default)]
pub struct Update {
    /// Output paths added or whose bytes changed.
    pub changed: Vec<String>,
    /// Output paths that no longer exist.
    pub removed: Vec<String>,
    /// `Some` when the build failed; the site is then unchanged.
    pub failure: Option<Failure>,
    /// Warnings of a successful build, with their sources, for the terminal.
    pub warnings: Option<Failure>,
    pub elapsed: Duration,
    /// Whether the site build was skipped (a `static/` copy only).
    pub copied_only: bool,
    /// Outputs re-rendered by the fast path (0: a full build or a copy).
    pub rerendered: usize,
}

impl Update {
    /// `3 changed, 1 removed` for the terminal, or `no output changed` when a
    /// save left every output file as it was (so the editor knows the save
    /// was seen, not lost).
    pub fn tally(&self, verb: &str) -> String {
        if self.changed.is_empty() && self.removed.is_empty() {
            "no output changed".into()
        } else {
            format!("{} {verb}, {} removed", crate::diagnostics::plural(self.changed.len(), "file"), self.removed.len())
        }
    }

    /// True when only stylesheets changed: pages can swap them without reloading.
    pub fn css_only(&self) -> bool {
        self.removed.is_empty() && !self.changed.is_empty() && self.changed.iter().all(|p| p.ends_with(".css"))
    }
}

/// Output page → what the corrector found in its source, for the overlay.
pub type Findings = HashMap<String, Arc<Value>>;

pub struct Engine {
    opts: BuildOptions,
    /// What the last good build computed, for re-rendering one article.
    state: Option<site::State>,
    /// Paths changed since the last good build (a failed build keeps them).
    pending: BTreeSet<PathBuf>,
    files: Arc<Files>,
    findings: Arc<Findings>,
    /// Source file of each verbatim copy → its output paths.
    copies: HashMap<PathBuf, Vec<String>>,
    /// Whether `files` holds a good build yet.
    pub has_site: bool,
}

impl Engine {
    pub fn new(opts: BuildOptions) -> Self {
        Engine {
            opts,
            state: None,
            pending: BTreeSet::new(),
            files: Arc::new(Files::new()),
            findings: Arc::default(),
            copies: HashMap::new(),
            has_site: false,
        }
    }

    /// The last good site.
    pub fn files(&self) -> Arc<Files> {
        self.files.clone()
    }

    /// The corrector's findings of the last good build, by output page.
    pub fn findings(&self) -> Arc<Findings> {
        self.findings.clone()
    }

    /// Rebuild after `batch` (`None`: from scratch).
    pub fn rebuild(&mut self, batch: Option<&Batch>) -> Update {
        let start = Instant::now();
        let mut update = match batch {
            Some(b) => {
                let copied = (b.kind == Kind::StaticOnly && self.has_site && self.pending.is_empty())
                    .then(|| self.copy_statics(b))
                    .flatten();
                match copied {
                    Some(u) => u,
                    None => {
                        self.pending.extend(b.paths.iter().cloned());
                        self.rerender().unwrap_or_else(|| self.full())
                    }
                }
            }
            None => self.full(),
        };
        update.elapsed = start.elapsed();
        update
    }

    /// Re-read edited static files in place; `None` when the batch created or
    /// deleted one (that changes which links resolve, so the site is rebuilt).
    fn copy_statics(&mut self, batch: &Batch) -> Option<Update> {
        let root = &self.opts.root;
        let mut fresh = Vec::new();
        for rel in &batch.paths {
            // A fingerprinted stylesheet or script is named by its bytes: every
            // page that links it changes too.
            let ext = rel.extension().and_then(|e| e.to_str());
            if !self.opts.plain_assets && matches!(ext, Some("css" | "js")) {
                return None;
            }
            let abs = root.join(rel);
            // A symlink may have been pointed elsewhere: the full build
            // decides again whether it may be followed (see `crate::inside`).
            if std::fs::symlink_metadata(&abs).ok()?.file_type().is_symlink() {
                return None;
            }
            let outs = self.copies.get(&abs)?;
            let bytes = std::fs::read(&abs).ok()?;
            fresh.push((outs.clone(), bytes));
        }
        let mut update = Update { copied_only: true, ..Update::default() };
        let files = Arc::make_mut(&mut self.files);
        for (outs, bytes) in fresh {
            let bytes = Arc::new(bytes);
            for out in outs {
                if files.get(&out).is_none_or(|old| **old != *bytes) {
                    files.insert(out.clone(), bytes.clone());
                    update.changed.push(out);
                }
            }
        }
        Some(update)
    }

    /// The fast paths: only templates changed (see
    /// [`site::State::update_templates`]), or only articles, and only in
    /// their prose (see [`site::State::update_pages`]).
    fn rerender(&mut self) -> Option<Update> {
        let state = self.state.as_mut()?;
        // Templates first: it declines at once when the batch is anything else.
        let outcome = match state.update_templates(&self.pending) {
            site::Outcome::Full => state.update_pages(&self.pending),
            done => done,
        };
        let partial = match outcome {
            site::Outcome::Rerendered(p) => p,
            site::Outcome::Failed(diagnostics, sources) => {
                return Some(Update { failure: Some(Failure { diagnostics, sources }), ..Update::default() });
            }
            site::Outcome::Full => return None,
        };
        self.pending.clear();
        let mut update = Update { rerendered: partial.files.len(), ..Update::default() };
        let files = Arc::make_mut(&mut self.files);
        for (path, bytes) in partial.files {
            if files.get(&path).is_none_or(|old| **old != bytes) {
                files.insert(path.clone(), Arc::new(bytes));
                update.changed.push(path);
            }
        }
        for path in partial.removed {
            if files.remove(&path).is_some() {
                update.removed.push(path);
            }
        }
        let findings = Arc::make_mut(&mut self.findings);
        for (out, src, text, report) in partial.pages {
            match report.as_ref().and_then(|r| page_findings(&src, &text, r)) {
                Some(v) => findings.insert(out, Arc::new(v)),
                None => findings.remove(&out),
            };
        }
        if !partial.diagnostics.is_empty() {
            update.warnings = Some(Failure { diagnostics: partial.diagnostics, sources: partial.sources });
        }
        Some(update)
    }

    fn full(&mut self) -> Update {
        // The old state would double the build's peak memory on a large site;
        // a failed build then leaves no fast path until the next good one.
        self.state = None;
        let (built, state) = match site::build_with_state(&self.opts) {
            Ok(b) => b,
            Err(e) => return Update { failure: Some(Failure::plumbing(format!("{e:#}"))), ..Update::default() },
        };
        if built.has_errors() {
            let failure = Failure { diagnostics: built.diagnostics, sources: built.sources };
            return Update { failure: Some(failure), ..Update::default() };
        }
        let findings = findings(&built);
        let (new, copies) = match materialize(built.files) {
            Ok(x) => x,
            Err(e) => return Update { failure: Some(Failure::plumbing(format!("{e:#}"))), ..Update::default() },
        };
        let mut update = diff(&self.files, &new);
        if !built.diagnostics.is_empty() {
            update.warnings = Some(Failure { diagnostics: built.diagnostics, sources: built.sources });
        }
        self.files = Arc::new(new);
        self.state = state;
        release_freed_memory();
        self.pending.clear();
        self.copies = copies;
        self.findings = Arc::new(findings);
        self.has_site = true;
        update
    }
}

/// Hand the memory a full build freed back to the system: the build's peak
/// is several times what the server keeps, and glibc would otherwise hold on
/// to it for the life of the process.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Each page's corrections and suggestions (typography left out: there are
/// many and they are never in doubt), with line and column in its source.
fn findings(built: &site::Built) -> Findings {
    let reports: HashMap<&Path, &crate::correct::Report> =
        built.corrections.iter().map(|(p, r)| (p.as_path(), r)).collect();
    let mut out = Findings::new();
    for (page, src) in &built.page_sources {
        let Some(report) = reports.get(src.as_path()) else { continue };
        let text = built.sources.get(src).unwrap_or("");
        if let Some(v) = page_findings(src, text, report) {
            out.insert(page.clone(), Arc::new(v));
        }
    }
    out
}

/// One page's findings, or `None` when there are none to show.
fn page_findings(src: &Path, text: &str, report: &crate::correct::Report) -> Option<Value> {
    let list: Vec<Value> = report
        .changes
        .iter()
        .filter(|c| c.rule != "typography")
        .map(|c| {
            let (line, col) = line_col(text, c.span.start);
            json!({"line": line, "col": col, "before": c.before, "after": c.after, "rule": c.rule,
                   "applied": c.applied, "reason": c.reason})
        })
        .collect();
    (!list.is_empty()).then(|| json!({"file": src.to_string_lossy(), "findings": list}))
}

/// Read verbatim copies into memory, so the site served or compared is one
/// snapshot, not whatever the source files hold at request time.
fn materialize(files: BTreeMap<String, OutFile>) -> Result<(Files, HashMap<PathBuf, Vec<String>>)> {
    let mut out = Files::new();
    let mut copies: HashMap<PathBuf, Vec<String>> = HashMap::new();
    for (rel, file) in files {
        let bytes = match file {
            OutFile::Bytes(b) => b,
            OutFile::Copy(src) => {
                let b = std::fs::read(&src).with_context(|| format!("could not read {}", src.display()))?;
                copies.entry(src).or_default().push(rel.clone());
                b
            }
            // Not made by the in-memory builds this module runs; read all the same.
            OutFile::Written(at) => std::fs::read(&at).with_context(|| format!("could not read {}", at.display()))?,
        };
        out.insert(rel, Arc::new(bytes));
    }
    Ok((out, copies))
}

/// Paths whose bytes differ between two sites, and paths gone from the new one.
fn diff(old: &Files, new: &Files) -> Update {
    let mut update = Update::default();
    for (k, v) in new {
        if old.get(k).is_none_or(|o| !Arc::ptr_eq(o, v) && **o != **v) {
            update.changed.push(k.clone());
        }
    }
    update.removed = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
    update
}

/// Bring a directory in line with `update`: write changed files, delete
/// removed ones (and directories they leave empty), never through a link.
pub fn apply(files: &Files, update: &Update, dir: &OutputDir) -> Result<()> {
    for rel in &update.changed {
        if let Some(bytes) = files.get(rel) {
            dir.write(rel, bytes)?;
        }
    }
    for rel in &update.removed {
        dir.remove(rel)?;
    }
    Ok(())
}

/// Make `dir` hold exactly `files` (and Attaché's marker), writing only
/// files whose bytes differ (used once, when `build --watch` first has a
/// good site).
pub fn sync(files: &Files, dir: &OutputDir) -> Result<usize> {
    dir.create()?;
    for entry in dir.entries()? {
        // A link is never part of a built site, and reading or writing
        // through it would reach outside the directory.
        if entry.is_link || !files.contains_key(&entry.rel) && !dir.is_kept(&entry.rel) {
            dir.remove(&entry.rel)?;
        }
    }
    dir.mark()?;
    let mut written = 0;
    for (rel, bytes) in files {
        let path = dir.path().join(rel);
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            dir.write(rel, bytes)?;
            written += 1;
        }
    }
    Ok(written)
}
