//! Which directory `build`, `build --watch` and `deploy --to DIR` may write
//! into, decided once, before anything is built or deleted.
//!
//! Every command that replaces or cleans a directory first obtains an
//! [`OutputDir`] from [`OutputDir::claim`], and the writers
//! ([`crate::output::write_atomically`], [`crate::incremental::sync`],
//! [`crate::deploy::to_dir`]) accept nothing else, so no code path can delete
//! a directory that was not vetted. A claim is refused (an error, exit 2) when
//! the directory:
//!
//! - is the site's root, an ancestor of it, or inside or around any path the
//!   site reads (`content/`, `templates/`, `themes/`, `static/`, `data/`,
//!   `sass/`, `config.toml`, `zola.toml`), or is or lies in the sources of
//!   another site (a directory with its own `config.toml`); `--force` does not
//!   lift this;
//! - holds files Attaché did not write: only a directory carrying the marker
//!   file [`MARKER`], the site's own default `public/`, or an empty or missing
//!   directory is accepted without `--force`.
//!
//! Paths are compared after resolving `.`, `..` and symbolic links, so
//! `-o ./x/../content` or a link to `content/` is seen for what it is.
//!
//! Writes through an [`OutputDir`] never follow a symbolic link inside it: a
//! link where a directory or file belongs is replaced by the real thing, so
//! nothing lands outside the directory.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, Result, bail};

/// The file that marks a directory as Attaché's output. It is written by
/// Attaché beside the site's files, is never part of the built file set (so
/// `deploy` never publishes it to git and never counts it as stale), and its
/// presence is what lets a later build replace the directory.
pub const MARKER: &str = ".attache-output";

/// First line of [`MARKER`]; the rest is free text, or `pid N` in the
/// temporary directory of a build in progress.
const MARK_HEADER: &str = "Attaché output directory";

const MARK_TEXT: &str = "Attaché output directory\nWritten by `attache build` or `attache deploy`; every build replaces this directory's contents.\n";

/// Paths a site reads, relative to its root: an output may be none of them,
/// inside none of them, and contain none of them.
pub const SOURCES: [&str; 9] =
    ["content", "templates", "themes", "static", "data", "sass", "config.toml", "zola.toml", crate::cache::DIR];

/// A site's configuration file names: a directory holding one is a site.
const CONFIGS: [&str; 2] = ["config.toml", "zola.toml"];

/// What the directory is claimed for; it decides what counts as its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `build` and `build --watch`: the whole directory becomes the site.
    Build,
    /// `deploy --to DIR`: synchronised file by file; `.git` is left alone.
    Deploy,
}

impl Purpose {
    fn verb(self) -> &'static str {
        match self {
            Purpose::Build => "write the site into",
            Purpose::Deploy => "deploy into",
        }
    }

    /// Entries a command leaves alone, so they do not make a directory "used".
    fn keeps(self, name: &str) -> bool {
        name == MARKER || (self == Purpose::Deploy && name == ".git")
    }
}

/// A directory Attaché may replace or synchronise: obtained only through
/// [`OutputDir::claim`].
#[derive(Debug, Clone)]
pub struct OutputDir {
    /// As the user gave it (relative to the working directory), for messages
    /// and for the atomic swap, which replaces this very path.
    path: PathBuf,
    purpose: Purpose,
    /// Zola's `preserve_dotfiles_in_output`: top-level dotfiles already in the
    /// directory (a `.git` checkout of the published site, say) survive a build.
    keep_dotfiles: bool,
}

/// One file or symbolic link found in an output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative path with `/` separators.
    pub rel: String,
    pub is_link: bool,
}

impl OutputDir {
    /// Vet `path` as the output of the site at `site_root`; see the module
    /// documentation for what is refused and why.
    pub fn claim(site_root: &Path, path: &Path, force: bool, purpose: Purpose) -> Result<OutputDir> {
        let root = resolve(site_root)?;
        let real = resolve(path)?;
        let refuse = |why: String| -> anyhow::Error {
            let shown = if real == path {
                path.display().to_string()
            } else {
                format!("{} ({})", path.display(), real.display())
            };
            anyhow::anyhow!("refusing to {} {shown}: {why}", purpose.verb())
        };
        if let Some(why) = overlaps_sources(&root, &real)? {
            return Err(refuse(why));
        }
        // The site's own `public/` is Attaché's by convention, but only as a
        // real directory: a link named `public` may lead to anyone's files.
        let public = site_root.join("public");
        let linked = std::fs::symlink_metadata(&public).is_ok_and(|m| m.file_type().is_symlink());
        let default_public = if linked { None } else { Some(resolve(&public)?) };
        if let Some(why) = foreign_files(&real, default_public.as_deref(), force, purpose)? {
            return Err(refuse(why));
        }
        Ok(OutputDir { path: path.to_path_buf(), purpose, keep_dotfiles: false })
    }

    /// Keep the directory's own top-level dotfiles across builds (Zola's
    /// `preserve_dotfiles_in_output`), so a `public/.git` is not lost.
    pub fn keeping_dotfiles(mut self, yes: bool) -> Self {
        self.keep_dotfiles = yes;
        self
    }

    /// Whether `rel`, a path inside the directory that the build does not
    /// produce, is the user's and must stay.
    pub fn is_kept(&self, rel: &str) -> bool {
        self.keep_dotfiles && rel.starts_with('.') && rel.split('/').next() != Some(MARKER)
    }

    /// The directory as the user named it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Create the directory (and its parents) if missing.
    pub fn create(&self) -> Result<()> {
        crate::fs::create_dir_all(&self.path)
    }

    /// Put the marker in place, so a later build may replace this directory.
    pub fn mark(&self) -> Result<()> {
        self.write(MARKER, MARK_TEXT.as_bytes())
    }

    /// Every file and symbolic link inside, without following links, leaving
    /// out the marker (and `.git` for a deploy): what a sync compares with
    /// the built site.
    pub fn entries(&self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        let purpose = self.purpose;
        let walk = walkdir::WalkDir::new(&self.path)
            .min_depth(1)
            .into_iter()
            .filter_entry(|e| !(purpose == Purpose::Deploy && e.file_name() == ".git"));
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                Err(e) if e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) => continue,
                Err(e) => return Err(e).with_context(|| format!("could not list {}", self.path.display())),
            };
            let kind = entry.file_type();
            if kind.is_dir() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&self.path) else { continue };
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if rel != MARKER {
                out.push(Entry { rel, is_link: kind.is_symlink() });
            }
        }
        Ok(out)
    }

    /// Write `bytes` to `rel` inside the directory, never through a symbolic
    /// link: a link standing where a directory or the file belongs is
    /// removed and replaced, so the bytes cannot land outside.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let parts = segments(rel, &self.path)?;
        let Some((file, dirs)) = parts.split_last() else { bail!("an empty output path") };
        let mut path = self.path.clone();
        for dir in dirs {
            path.push(dir);
            real_dir(&path)?;
        }
        path.push(file);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            std::fs::remove_file(&path).with_context(|| format!("could not remove the link {}", path.display()))?;
        }
        write_no_follow(&path, bytes)
    }

    /// Remove the file or link `rel` (never anything behind a link) and the
    /// directories it leaves empty, up to the output directory itself.
    pub fn remove(&self, rel: &str) -> Result<()> {
        let parts = segments(rel, &self.path)?;
        let mut path = self.path.clone();
        for (i, part) in parts.iter().enumerate() {
            path.push(part);
            let meta = match std::fs::symlink_metadata(&path) {
                Ok(m) => m,
                Err(_) => return Ok(()),
            };
            let last = i + 1 == parts.len();
            if !last && !meta.is_dir() {
                // A link or file where a directory would be: `rel` is not in here.
                return Ok(());
            }
            if last {
                if meta.is_dir() {
                    crate::fs::remove_dir_all(&path)?;
                } else {
                    match std::fs::remove_file(&path) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(e).with_context(|| format!("could not remove {}", path.display()));
                        }
                        _ => {}
                    }
                }
            }
        }
        let mut parent = path.parent();
        while let Some(p) = parent {
            if p == self.path || std::fs::remove_dir(p).is_err() {
                break;
            }
            parent = p.parent();
        }
        Ok(())
    }
}

/// `path` made absolute, with `.`, `..` and every symbolic link of its
/// existing part resolved; the part that does not exist yet is kept as
/// written (with `..` applied), which is where `create_dir_all` would go.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().context("could not read the working directory")?.join(path)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => out.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                match std::fs::canonicalize(&out) {
                    Ok(real) => out = real,
                    Err(_) if std::fs::symlink_metadata(&out).is_ok_and(|m| m.file_type().is_symlink()) => {
                        bail!("{} is a symbolic link to a place that does not exist", out.display())
                    }
                    Err(_) => {}
                }
            }
        }
    }
    Ok(out)
}

/// Why `out` may not be written because it is, holds or lies in a site's
/// sources; `None` when it does not.
fn overlaps_sources(root: &Path, out: &Path) -> Result<Option<String>> {
    if out == root {
        return Ok(Some(
            "it is the site's root directory; config.toml, content/ and every other source would be replaced".into(),
        ));
    }
    if root.starts_with(out) {
        return Ok(Some(format!(
            "it contains the site's root directory ({}); the site's sources would be deleted",
            root.display()
        )));
    }
    for name in SOURCES {
        let lexical = root.join(name);
        let real = resolve(&lexical)?;
        let shown = if name.contains('.') { name.to_string() } else { format!("{name}/") };
        for source in [&lexical, &real] {
            let why = if out == source.as_path() {
                "it is"
            } else if out.starts_with(source) {
                "it is inside"
            } else if source.starts_with(out) {
                "it contains"
            } else {
                continue;
            };
            return Ok(Some(format!("{why} the site's `{shown}` ({}), which the site reads", source.display())));
        }
    }
    // Another site around the output (`docs/` holding a site of its own).
    for site in out.ancestors().filter(|a| CONFIGS.iter().any(|c| a.join(c).exists())) {
        if site == out {
            return Ok(Some(
                "it holds a site's config.toml or zola.toml: it is a site's sources, not an output".into(),
            ));
        }
        if let Some(name) = SOURCES.iter().find(|n| out.starts_with(site.join(n))) {
            return Ok(Some(format!("it is inside `{name}` of the site at {}", site.display())));
        }
    }
    Ok(None)
}

/// Why `out` may not be replaced because it holds files Attaché did not
/// write; `None` when it is missing, empty, marked, the default `public/`,
/// or `force` is given.
fn foreign_files(out: &Path, default_public: Option<&Path>, force: bool, purpose: Purpose) -> Result<Option<String>> {
    let meta = match std::fs::metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("could not read {}", out.display())),
    };
    if !meta.is_dir() {
        return Ok(Some("it is a file, not a directory".into()));
    }
    if default_public == Some(out) || is_marked(out) || force {
        return Ok(None);
    }
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(out).with_context(|| format!("could not list {}", out.display()))? {
        let entry = entry.with_context(|| format!("could not list {}", out.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if purpose.keeps(&name) {
            continue;
        }
        let dir = entry.file_type().is_ok_and(|t| t.is_dir());
        names.push(if dir { format!("{name}/") } else { name });
    }
    if names.is_empty() {
        return Ok(None);
    }
    names.sort();
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    let more = if names.len() > shown.len() { format!(", … {} entries in all", names.len()) } else { String::new() };
    Ok(Some(format!(
        "it holds files Attaché did not write ({}{more}), which would be deleted; \
         choose an empty or new directory, or pass --force to replace it",
        shown.join(", ")
    )))
}

/// Whether `dir` carries Attaché's marker (a regular file, not a link).
pub fn is_marked(dir: &Path) -> bool {
    read_marker(dir).is_some()
}

/// The marker's text, if `dir` has a genuine one.
fn read_marker(dir: &Path) -> Option<String> {
    let path = dir.join(MARKER);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > 4096 {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    (text.lines().next() == Some(MARK_HEADER)).then_some(text)
}

/// Mark `dir` as the temporary directory of this process's build: only such
/// a directory is ever removed as the leftover of an interrupted build.
pub fn mark_temporary(dir: &Path) -> Result<()> {
    let text = format!("{MARK_HEADER}\npid {}\n", std::process::id());
    write_no_follow(&dir.join(MARKER), text.as_bytes())
}

/// Mark `dir` as a finished output (the same bytes every build, so two
/// builds of the same site are identical).
pub fn mark_finished(dir: &Path) -> Result<()> {
    write_no_follow(&dir.join(MARKER), MARK_TEXT.as_bytes())
}

/// The process id recorded in a temporary directory's marker.
pub fn temporary_pid(dir: &Path) -> Option<u32> {
    read_marker(dir)?.lines().find_map(|l| l.strip_prefix("pid ")?.trim().parse().ok())
}

/// Remove a directory Attaché marked, the marker last: an interrupted
/// removal leaves a directory that is still recognisably Attaché's.
pub fn remove_marked(dir: &Path) -> Result<()> {
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        // Only the link is ours (an output given as a link, swapped out).
        return std::fs::remove_file(dir).with_context(|| format!("could not remove {}", dir.display()));
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("could not list {}", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("could not list {}", dir.display()))?;
        if entry.file_name() == MARKER {
            continue;
        }
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            crate::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path).with_context(|| format!("could not remove {}", path.display()))?;
        }
    }
    crate::fs::remove_dir_all(dir)
}

/// The `/`-separated segments of an output path, refusing any that could
/// leave the directory.
fn segments<'a>(rel: &'a str, dir: &Path) -> Result<Vec<&'a str>> {
    let parts: Vec<&str> = rel.split('/').collect();
    if rel.starts_with('/') || parts.iter().any(|s| s.is_empty() || *s == "." || *s == ".." || s.contains('\\')) {
        bail!("refusing to write `{rel}` outside {}", dir.display());
    }
    Ok(parts)
}

/// Make `path` a real directory: a symbolic link or a file in its place is
/// removed first (the output directory is Attaché's, and writing through a
/// link would land outside it).
fn real_dir(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => std::fs::remove_file(path).with_context(|| format!("could not remove {}", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("could not read {}", path.display())),
    }
    match std::fs::create_dir(path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            Err(e).with_context(|| format!("could not create directory {}", path.display()))
        }
        _ if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) => Ok(()),
        _ => bail!("{} changed while the site was being written", path.display()),
    }
}

/// Create or truncate `path` and write `bytes`, refusing (on Unix) to open
/// it if it is a symbolic link.
fn write_no_follow(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(path).with_context(|| format!("could not write {}", path.display()))?;
    file.write_all(bytes).with_context(|| format!("could not write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_applies_dot_dot_in_the_missing_part() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("content")).unwrap();
        assert_eq!(resolve(&root.join("new/../content")).unwrap(), root.join("content"));
        assert_eq!(resolve(&root.join("./a/./b")).unwrap(), root.join("a/b"));
    }

    #[test]
    fn temporary_marker_records_the_pid() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(temporary_pid(dir.path()), None);
        mark_temporary(dir.path()).unwrap();
        assert_eq!(temporary_pid(dir.path()), Some(std::process::id()));
        mark_finished(dir.path()).unwrap();
        assert!(is_marked(dir.path()));
        assert_eq!(temporary_pid(dir.path()), None);
    }

    #[test]
    fn segments_refuse_escapes() {
        let d = Path::new("out");
        for bad in ["../x", "/etc/passwd", "a//b", "a/./b", "a/../../b", ""] {
            assert!(segments(bad, d).is_err(), "{bad}");
        }
        assert_eq!(segments("a/b.html", d).unwrap(), ["a", "b.html"]);
    }
}
