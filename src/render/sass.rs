//! Zola's `compile_sass`: every `.scss`/`.sass` file of `sass/` (the theme's,
//! then the site's) compiled with `grass` to CSS at the same relative path.
//! Files and folders whose name starts with `_` are partials, only imported.
//! A Sass error names its file, line and column like any other diagnostic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceMap};

/// Output path (`main.css`, `blog/print.css`) → CSS, for a site that asks for
/// it; empty otherwise. The site's file wins over the theme's of the same name.
pub fn compile(
    root: &Path,
    config: &Config,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if !config.compile_sass {
        return out;
    }
    let mut dirs = Vec::new();
    if !config.theme.is_empty() {
        dirs.push(root.join("themes").join(&config.theme).join("sass"));
    }
    dirs.push(root.join("sass"));
    for dir in dirs {
        for (rel, path) in entry_points(root, &dir, diags) {
            let options = grass::Options::default().load_path(&dir).quiet(true);
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
