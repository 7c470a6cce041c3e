//! Nothing outside the site: the one place that decides whether a path the
//! build is about to read lies inside the site root, and the one directory
//! walk every reader of the site's files uses (`content/`, `static/`, a
//! theme's `static/` and `templates/`, `templates/`, shortcodes).
//!
//! The rule, on canonical paths (every symlink resolved):
//! - a directory the build walks (`content/`, `static/`, …) may itself be a
//!   symlink, but only to a place inside the site root; otherwise it is
//!   skipped with a warning naming it;
//! - inside a walked directory, a symlink to a file is followed only when the
//!   file lies inside that same walked directory (so `static/leak.txt ->
//!   ../config.toml` never publishes the config); any other symlink (outside,
//!   to a directory, broken) is skipped with a warning naming it.
//!
//! A warning, not an error: the rest of the site still builds, and
//! `--deny warnings` turns it into a failure for CI.

use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use crate::diagnostics::Diagnostic;

/// Whether `path`, with every symlink resolved, lies inside `root` (also
/// resolved). A path that cannot be resolved (missing, broken link) is not.
pub fn within_site(root: &Path, path: &Path) -> bool {
    match (root.canonicalize(), path.canonicalize()) {
        (Ok(root), Ok(path)) => path.starts_with(root),
        _ => false,
    }
}

/// Read a file the site names (`root/rel`, e.g. a taxonomy's allowed terms),
/// refusing one that lies outside the site, through `..` or a symlink.
pub fn read_to_string(root: &Path, rel: &Path) -> std::io::Result<String> {
    let path = root.join(rel);
    if path.exists() && !within_site(root, &path) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "it is outside the site (files are read only from inside the site's directory)",
        ));
    }
    std::fs::read_to_string(path)
}

/// A file found by [`files`].
#[derive(Debug, Clone)]
pub struct Found {
    /// The path as walked (under the directory given, not resolved), for
    /// reading and for diagnostics.
    pub path: PathBuf,
    /// Path inside the walked directory, `/`-separated.
    pub rel: String,
}

/// Every file under `dir` in file-name order, by the rule in the module
/// documentation. `keep` sees every entry below `dir` (files and
/// directories, before symlinks are resolved) with its `/`-separated path
/// inside `dir`; returning `false` skips the entry and, for a directory, all
/// below it. Symlinks skipped and directories that could not be read are
/// reported in `diags`, with paths relative to `root`. A `dir` that does not
/// exist yields nothing.
pub fn files(
    root: &Path,
    dir: &Path,
    mut keep: impl FnMut(&str, &DirEntry) -> bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Found> {
    let rel_of = |p: &Path| p.strip_prefix(root).map_or_else(|_| p.to_path_buf(), Path::to_path_buf);
    if std::fs::symlink_metadata(dir).is_err() {
        return Vec::new();
    }
    let Some(walked) = dir.canonicalize().ok().filter(|_| within_site(root, dir)) else {
        diags.push(outside(&rel_of(dir), dir, "the site"));
        return Vec::new();
    };
    let mut out = Vec::new();
    let walk = WalkDir::new(dir).follow_links(false).follow_root_links(true).sort_by_file_name();
    let mut it = walk.into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
                diags.push(Diagnostic::error("io/walk", rel_of(&path), format!("could not read: {e}")));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let Ok(inside) = entry.path().strip_prefix(dir) else { continue };
        let rel = inside.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if !keep(&rel, &entry) {
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        let ft = entry.file_type();
        if ft.is_file() {
            out.push(Found { path: entry.into_path(), rel });
        } else if ft.is_symlink() {
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&walked) && target.is_file() => {
                    out.push(Found { path: entry.into_path(), rel });
                }
                Ok(target) if target.is_dir() => diags.push(
                    Diagnostic::warning(
                        "io/symlink",
                        rel_of(entry.path()),
                        format!(
                            "{} is a symlink to the directory {}; it is not followed",
                            rel_of(entry.path()).display(),
                            target.display()
                        ),
                    )
                    .with_help("copy the files in, or link each file from inside the same directory"),
                ),
                Ok(_) => diags.push(outside(&rel_of(entry.path()), entry.path(), &rel_of(dir).display().to_string())),
                Err(e) => diags.push(Diagnostic::warning(
                    "io/symlink",
                    rel_of(entry.path()),
                    format!("broken symlink skipped: {e}"),
                )),
            }
        }
    }
    out
}

/// The warning for a symlink that leads out of where it may lead.
fn outside(rel: &Path, path: &Path, of: &str) -> Diagnostic {
    let target = path.canonicalize().map_or_else(|_| "?".into(), |t| t.display().to_string());
    Diagnostic::warning(
        "io/symlink-outside",
        rel,
        format!("{} is a symlink to {target}, outside {of}; it is not followed", rel.display()),
    )
    .with_help("symlinks are followed only to files inside the same directory of the site; copy the files in")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_and_outside() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("site");
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(d.path().join("secret.txt"), "s").unwrap();
        std::fs::write(root.join("static/a.txt"), "a").unwrap();
        assert!(within_site(&root, &root.join("static/a.txt")));
        assert!(!within_site(&root, &d.path().join("secret.txt")));
        assert!(!within_site(&root, &root.join("static/../../secret.txt")));
        assert!(!within_site(&root, &root.join("missing")));
    }
}
