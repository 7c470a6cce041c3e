//! Watching the site's sources: notify events, debounced into one batch per save.
//!
//! Editors save in bursts (write a temp file, rename it over the original,
//! chmod it), so a single save is several events. [`Watcher::next`] waits for
//! the first event, then keeps collecting until the tree has been quiet for
//! [`QUIET`], and hands back the set of paths touched — one rebuild per save.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher as _};

/// How long the tree must stay quiet before a batch is handed over.
pub const QUIET: Duration = Duration::from_millis(30);
/// The same after a file was closed for writing: the save itself is over,
/// only a trailing rename or chmod of the same burst can still come.
pub const QUIET_AFTER_CLOSE: Duration = Duration::from_millis(5);

/// What a batch of changed paths means for the rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Only files under a `static/` directory changed.
    StaticOnly,
    /// Anything else (content, templates, config.toml…).
    Site,
}

/// One debounced batch.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Paths relative to the site root.
    pub paths: BTreeSet<PathBuf>,
    pub kind: Kind,
}

pub struct Watcher {
    root: PathBuf,
    ignore: Vec<PathBuf>,
    rx: Receiver<notify::Result<notify::Event>>,
    /// Whether the last event was a close after writing.
    closed: std::cell::Cell<bool>,
    /// The top-level source directories under a recursive watch.
    watched: std::cell::RefCell<BTreeSet<PathBuf>>,
    inner: std::cell::RefCell<notify::RecommendedWatcher>,
}

/// The directories watched recursively, when they exist.
const SOURCE_DIRS: [&str; 4] = ["content", "templates", "themes", "static"];

impl Watcher {
    /// Watch `content/`, `templates/`, `themes/`, `static/` and `config.toml`
    /// of `root`; events under any `ignore` directory (the output) are dropped.
    pub fn new(root: &Path, ignore: &[PathBuf]) -> Result<Self> {
        let (tx, rx) = channel();
        let mut inner = notify::recommended_watcher(move |e| {
            let _ = tx.send(e);
        })
        .context("could not start the file watcher")?;
        let root = std::fs::canonicalize(root).with_context(|| format!("could not open {}", root.display()))?;
        let mut watched = BTreeSet::new();
        for dir in SOURCE_DIRS {
            let p = root.join(dir);
            if p.is_dir() {
                inner
                    .watch(&p, RecursiveMode::Recursive)
                    .with_context(|| format!("could not watch {}", p.display()))?;
                watched.insert(PathBuf::from(dir));
            }
        }
        // The root itself, not recursively: config.toml (often replaced by a rename)
        // and directories such as static/ created after the start.
        inner
            .watch(&root, RecursiveMode::NonRecursive)
            .with_context(|| format!("could not watch {}", root.display()))?;
        let ignore = ignore.iter().map(|p| absolute(p)).collect();
        Ok(Watcher {
            root,
            ignore,
            rx,
            closed: std::cell::Cell::new(false),
            watched: std::cell::RefCell::new(watched),
            inner: std::cell::RefCell::new(inner),
        })
    }

    /// Block until a batch of relevant changes arrives, or `stop` returns true
    /// (checked every 100 ms). `None` means stop.
    pub fn next(&self, stop: &dyn Fn() -> bool) -> Option<Batch> {
        let mut paths = BTreeSet::new();
        loop {
            match self.rx.recv_timeout(Duration::from_millis(100)) {
                Ok(e) => self.collect(e, &mut paths),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return None,
            }
            if stop() {
                return None;
            }
            if !paths.is_empty() {
                break;
            }
        }
        let mut last = Instant::now();
        let first = last;
        loop {
            let quiet = if self.closed.replace(false) { QUIET_AFTER_CLOSE } else { QUIET };
            let wait = quiet.saturating_sub(last.elapsed());
            if wait.is_zero() {
                break;
            }
            match self.rx.recv_timeout(wait) {
                Ok(e) => {
                    let before = paths.len();
                    self.collect(e, &mut paths);
                    if paths.len() != before {
                        last = Instant::now();
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
        let kind = classify(&paths);
        if std::env::var_os("ATTACHE_TIMINGS").is_some() {
            eprintln!("  {:>7.1} ms  debounce", first.elapsed().as_secs_f64() * 1000.0);
        }
        Some(Batch { paths, kind })
    }

    fn collect(&self, event: notify::Result<notify::Event>, into: &mut BTreeSet<PathBuf>) {
        let Ok(event) = event else { return };
        let closed = matches!(
            event.kind,
            notify::EventKind::Access(notify::event::AccessKind::Close(notify::event::AccessMode::Write))
        );
        if matches!(event.kind, notify::EventKind::Access(_)) && !closed {
            return;
        }
        self.closed.set(closed);
        for p in event.paths {
            if self.ignore.iter().any(|i| p.starts_with(i)) {
                continue;
            }
            let Ok(rel) = p.strip_prefix(&self.root) else { continue };
            self.follow(rel);
            if relevant(rel) {
                into.insert(rel.to_path_buf());
            }
        }
    }
}

impl Watcher {
    /// Start (or stop) watching a source directory created (or removed) after
    /// the start: `mkdir static` in a running `serve` must not go unseen.
    /// Files written into it before the watch is in place are still picked
    /// up, because creating the directory is itself a change that rebuilds
    /// the whole site from what is on disk.
    fn follow(&self, rel: &Path) {
        if rel.components().count() != 1 || !SOURCE_DIRS.iter().any(|d| rel == Path::new(d)) {
            return;
        }
        let abs = self.root.join(rel);
        let mut watched = self.watched.borrow_mut();
        if !abs.is_dir() {
            watched.remove(rel);
            return;
        }
        if !watched.contains(rel) && self.inner.borrow_mut().watch(&abs, RecursiveMode::Recursive).is_ok() {
            watched.insert(rel.to_path_buf());
        }
    }
}

/// `p` made absolute the way notify reports paths, even if it does not exist yet.
fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            std::fs::canonicalize(parent).map_or_else(|_| p.to_path_buf(), |c| c.join(name))
        }
        _ => p.to_path_buf(),
    }
}

/// Whether a root-relative path is one of the site's sources.
pub fn relevant(rel: &Path) -> bool {
    if rel.file_name().is_some_and(crate::content::is_editor_temp) {
        return false;
    }
    let first = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
    match first.as_deref() {
        Some("content" | "templates" | "themes" | "static") => true,
        Some(_) => rel.components().count() == 1 && rel.extension().is_some_and(|e| e == "toml" || e == "txt"),
        None => false,
    }
}

/// `StaticOnly` when every path lies in the site's or a theme's `static/`.
pub fn classify(paths: &BTreeSet<PathBuf>) -> Kind {
    let is_static = |p: &PathBuf| {
        let parts: Vec<_> = p.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        match parts.first().map(String::as_str) {
            Some("static") => parts.len() > 1,
            Some("themes") => parts.len() > 3 && parts[2] == "static",
            _ => false,
        }
    };
    if !paths.is_empty() && paths.iter().all(is_static) { Kind::StaticOnly } else { Kind::Site }
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// A flag set by Ctrl-C (SIGINT) or SIGTERM, so the watch loop can finish
/// its current rebuild and return instead of being killed mid-write.
pub fn stop_on_interrupt() -> &'static AtomicBool {
    let handler = on_signal as extern "C" fn(libc::c_int);
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
    &INTERRUPTED
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(list: &[&str]) -> BTreeSet<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn static_edits_are_told_apart() {
        assert_eq!(classify(&set(&["static/site.css"])), Kind::StaticOnly);
        assert_eq!(classify(&set(&["themes/default/static/style.css"])), Kind::StaticOnly);
        assert_eq!(classify(&set(&["static/site.css", "content/a.md"])), Kind::Site);
        assert_eq!(classify(&set(&["themes/default/templates/page.html"])), Kind::Site);
    }

    #[test]
    fn output_and_editor_files_are_not_sources() {
        assert!(relevant(Path::new("content/europe/a.md")));
        assert!(relevant(Path::new("config.toml")));
        assert!(!relevant(Path::new("content/europe/.a.md.swp")));
        assert!(!relevant(Path::new("public/index.html")));
        assert!(!relevant(Path::new("README.md")));
    }
}
