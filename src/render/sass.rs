//! Zola's `compile_sass`: every `.scss`/`.sass` file of `sass/` (the theme's,
//! then the site's) compiled with `grass` to CSS at the same relative path.
//! Files and folders whose name starts with `_` are partials, only imported.
//! A Sass error names its file, line and column like any other diagnostic.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cache::{Cache, Key};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceMap};

/// Output path (`main.css`, `blog/print.css`) → CSS, for a site that asks for
/// it; empty otherwise. The site's file wins over the theme's of the same name.
/// With `cache`, the CSS of a clean compile is kept under a key of every
/// file in the `sass/` directories, so a build where none changed compiles
/// nothing.
pub fn compile(
    root: &Path,
    config: &Config,
    cache: Option<&Cache>,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    if !config.compile_sass {
        return BTreeMap::new();
    }
    let mut dirs = Vec::new();
    if !config.theme.is_empty() {
        dirs.push(root.join("themes").join(&config.theme).join("sass"));
    }
    dirs.push(root.join("sass"));
    let Some(cache) = cache else { return compile_dirs(root, &dirs, sources, diags) };
    let entry = format!("{}/{:016x}.bin", crate::cache::SASS, inputs_key(root, &dirs));
    if let Some(css) = cache.read::<BTreeMap<String, String>>(&entry) {
        cache.prune(crate::cache::SASS, &entry_names(&entry));
        return css;
    }
    let before = diags.len();
    let css = compile_dirs(root, &dirs, sources, diags);
    // A compile with a problem is done again next time, so its message is
    // never lost to the cache.
    if diags.len() == before {
        cache.write(&entry, &css);
        cache.prune(crate::cache::SASS, &entry_names(&entry));
    }
    css
}

/// The file name of a cache entry `sass/NAME`, as `prune` expects it.
fn entry_names(entry: &str) -> HashSet<String> {
    entry.rsplit('/').next().map(str::to_string).into_iter().collect()
}

/// A key of everything a compile can read: the path and bytes of every file
/// under the `sass/` directories (partials included; a compile reads no
/// more than these, its only load path being its own directory).
fn inputs_key(root: &Path, dirs: &[PathBuf]) -> u64 {
    let mut key = Key::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(walkdir::DirEntry::into_path)
            .collect();
        files.sort();
        key.add(&crate::content::rel_to(root, dir));
        for file in files {
            key.add(&crate::content::rel_to(root, &file));
            key.add(&std::fs::read(&file).unwrap_or_default());
        }
    }
    key.finish()
}

/// Compile every entry point of `dirs`, in order (a later directory's file
/// replaces an earlier one's of the same name).
fn compile_dirs(
    root: &Path,
    dirs: &[PathBuf],
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for dir in dirs {
        for (rel, path) in entry_points(root, dir, diags) {
            let options = grass::Options::default().load_path(dir).quiet(true);
            match grass::from_path(&path, &options) {
                Ok(css) => {
                    out.insert(css_name(&rel), css);
                }
                Err(e) => diags.push(error(root, &path, *e, sources)),
            }
        }
    }
    out
}

/// The files of `dir` to compile: Sass sources that are not partials
/// (no path component starting with `_`) and not hidden.
fn entry_points(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf)> {
    let keep = |_: &str, e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        !name.starts_with('_') && !name.starts_with('.')
    };
    crate::inside::files(root, dir, keep, diags)
        .into_iter()
        .filter(|f| f.rel.ends_with(".scss") || f.rel.ends_with(".sass"))
        .map(|f| (f.rel, f.path))
        .collect()
}

/// `blog/print.scss` → `blog/print.css`.
fn css_name(rel: &str) -> String {
    let stem = rel.rsplit_once('.').map_or(rel, |(s, _)| s);
    format!("{stem}.css")
}

/// A `grass` error as a diagnostic at the file, line and column it names
/// (which may be a partial the entry point imports).
fn error(root: &Path, entry: &Path, e: grass::Error, sources: &mut SourceMap) -> Diagnostic {
    let rel_entry = crate::content::rel_to(root, entry);
    match e.kind() {
        grass::ErrorKind::ParseError { message, loc, .. } => {
            let file = PathBuf::from(loc.file.name());
            let rel = crate::content::rel_to(root, &file);
            let text = loc.file.source();
            let at = crate::diagnostics::offset_of(text, loc.begin.line + 1, loc.begin.column + 1);
            let end = crate::diagnostics::offset_of(text, loc.end.line + 1, loc.end.column + 1).max(at + 1);
            sources.insert(rel.clone(), Arc::from(text));
            let mut d = Diagnostic::error("sass/compile", rel.clone(), format!("Sass: {message}")).with_span(at..end);
            if rel != rel_entry {
                d = d.with_help(format!("imported by {}", rel_entry.display()));
            }
            d
        }
        grass::ErrorKind::IoError(io) => {
            Diagnostic::error("sass/compile", rel_entry, format!("Sass could not read a file: {io}"))
        }
        grass::ErrorKind::FromUtf8Error(msg) => {
            Diagnostic::error("sass/compile", rel_entry, format!("Sass source is not valid UTF-8: {msg}"))
        }
        _ => Diagnostic::error("sass/compile", rel_entry, "Sass could not compile this file"),
    }
}
