//! Stage 4, "write": put a built site on disk, atomically.
//!
//! The site is written into a sibling temporary directory and then swapped
//! with the old output in one `renameat2(RENAME_EXCHANGE)` (a pair of renames
//! where that is not available). A failed or interrupted build therefore
//! leaves the previous site intact, never a half-written one, and files that
//! this build did not produce do not survive.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use crate::outdir::{self, OutputDir};
use crate::site::OutFile;

fn sibling(output: &Path, tag: &str) -> PathBuf {
    let (parent, name) = parent_and_name(output);
    parent.join(format!(".{name}.{tag}-{}", std::process::id()))
}

/// The directory that holds `output`, and `output`'s own name.
fn parent_and_name(output: &Path) -> (&Path, String) {
    let name = output.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    (parent, name)
}

/// Remove the leftovers of builds that were killed. A sibling is removed only
/// when its name is one this module gives (`.public.<tag>-<pid>`), that
/// process is gone, and it carries Attaché's temporary marker recording that
/// same pid: a user's `.public.backup-2024` (or a copy of an old `public/`)
/// is never touched. Also run by a build that finds nothing to write.
pub fn clean_stale(output: &Path) {
    let (parent, name) = parent_and_name(output);
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = n.strip_prefix(&format!(".{name}.")) else { continue };
        let Some(pid) = rest.rsplit_once('-').and_then(|(_, p)| p.parse::<u32>().ok()) else { continue };
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && pid != std::process::id() && !alive(pid) && outdir::temporary_pid(&e.path()) == Some(pid) {
            let _ = outdir::remove_marked(&e.path());
        }
    }
}

/// Whether a process with this id exists (on other systems: assume it does,
/// so a running build's directory is never taken for a leftover).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = i32::try_from(pid) else { return true };
        // SAFETY: signal 0 only checks that the process exists.
        let rc = unsafe { libc::kill(pid, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Write every file into `dir`, a fresh directory (created if missing).
pub fn write_tree(files: &BTreeMap<String, OutFile>, dir: &Path) -> Result<()> {
    write_tree_linking(files, dir, None)
}

/// Refuse an output path that would leave the output directory or take the
/// place of Attaché's marker: checked for every file, streamed or not.
fn check_rel(rel: &str) -> Result<()> {
    if rel == outdir::MARKER {
        bail!("`{rel}` is the name of Attaché's output marker; rename that file");
    }
    if rel.split('/').any(|s| s == "..") || rel.starts_with('/') {
        bail!("refusing to write `{rel}` outside the output directory");
    }
    Ok(())
}

/// [`write_tree`], hard-linking the files copied from `reuse` (the output
/// being replaced) instead of copying their bytes. Files already streamed
/// into `dir` ([`OutFile::Written`]) are left as they are.
fn write_tree_linking(files: &BTreeMap<String, OutFile>, dir: &Path, reuse: Option<&Path>) -> Result<()> {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for (rel, file) in files {
        check_rel(rel)?;
        if let (Some(parent), false) = (Path::new(rel).parent(), matches!(file, OutFile::Written(_))) {
            dirs.insert(dir.join(parent));
        }
    }
    crate::fs::create_dir_all(dir)?;
    for d in &dirs {
        crate::fs::create_dir_all(d)?;
    }
    files.par_iter().try_for_each(|(rel, file)| {
        let path = dir.join(rel);
        match file {
            OutFile::Bytes(b) => {
                std::fs::write(&path, b).with_context(|| format!("could not write {}", path.display()))
            }
            // Streamed into this very directory while the site was rendered.
            OutFile::Written(at) if *at == path => Ok(()),
            // A file of the previous output (the build cache found it
            // unchanged): linked, not copied, when the file system allows.
            OutFile::Copy(src) | OutFile::Written(src)
                if reuse.is_some_and(|old| src.starts_with(old)) && std::fs::hard_link(src, &path).is_ok() =>
            {
                Ok(())
            }
            OutFile::Copy(src) | OutFile::Written(src) => std::fs::copy(src, &path)
                .map(|_| ())
                .with_context(|| format!("could not copy {} to {}", src.display(), path.display())),
        }
    })
}

/// The temporary directory a build writes its site into, beside the output
/// it will replace. `attache build` opens it before rendering, so pages are
/// written as they are made ([`Staging::put`]) instead of the whole site
/// being held in memory; [`Staging::commit`] swaps it in. Dropped without a
/// commit (the build had errors, or wrote nothing), it is removed, and the
/// previous output stays as it was. A build killed midway leaves a
/// directory marked with its pid, which the next build removes
/// ([`clean_stale`]).
#[derive(Debug)]
pub struct Staging {
    /// The temporary directory (`.public.tmp-<pid>`).
    dir: PathBuf,
    /// Directories already made in it, so each page costs one `mkdir` at
    /// most, not a walk up its ancestors.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// Set once the directory became the output (or was removed).
    done: bool,
}

impl Staging {
    /// Create the (empty, marked) temporary directory for `out`, after
    /// removing the leftovers of killed builds.
    pub fn open(out: &OutputDir) -> Result<Staging> {
        let output = out.path();
        if output.exists() && !output.is_dir() {
            bail!("{} exists and is not a directory", output.display());
        }
        clean_stale(output);
        let tmp = sibling(output, "tmp");
        if tmp.exists() {
            if outdir::temporary_pid(&tmp) != Some(std::process::id()) {
                bail!("{} is in the way and is not Attaché's; move it and build again", tmp.display());
            }
            outdir::remove_marked(&tmp)?;
        }
        let (parent, _) = parent_and_name(output);
        crate::fs::create_dir_all(parent)?;
        std::fs::create_dir(&tmp).with_context(|| format!("could not create directory {}", tmp.display()))?;
        let staging = Staging { dir: tmp, made: Default::default(), done: false };
        outdir::mark_temporary(&staging.dir)?;
        Ok(staging)
    }

    /// Write one output file now; what the build keeps in its file map
    /// instead of the bytes. Called from the parallel render loop.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<OutFile> {
        check_rel(rel)?;
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent().filter(|p| *p != self.dir) {
            self.make_dir(parent)?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("could not write {}", path.display()))?;
        Ok(OutFile::Written(path))
    }

    /// `create_dir_all`, remembered: thousands of pages share a directory's
    /// ancestors.
    fn make_dir(&self, dir: &Path) -> Result<()> {
        let known = |d: &Path| self.made.lock().is_ok_and(|m| m.contains(d));
        if known(dir) {
            return Ok(());
        }
        crate::fs::create_dir_all(dir)?;
        if let Ok(mut m) = self.made.lock() {
            m.insert(dir.to_path_buf());
        }
        Ok(())
    }

    /// Write the files not streamed yet and make the directory the output
    /// (see [`write_atomically`]). On failure the previous output is kept.
    pub fn commit(mut self, files: &BTreeMap<String, OutFile>, out: &OutputDir) -> Result<()> {
        write_tree_linking(files, &self.dir, Some(out.path()))?;
        self.done = true;
        swap_in(&self.dir, files, out)
    }
}

impl Drop for Staging {
    /// An uncommitted build's files go; the output is untouched.
    fn drop(&mut self) {
        if !self.done {
            let _ = outdir::remove_marked(&self.dir);
        }
    }
}

/// Replace the claimed output directory with exactly `files` (plus the
/// marker that lets the next build replace it again).
///
/// Every directory this function creates carries the marker, the temporary
/// one with this process's id, from before its first file until it is gone,
/// so a build killed at any point leaves only directories that the next
/// build recognises as its own.
pub fn write_atomically(files: &BTreeMap<String, OutFile>, out: &OutputDir) -> Result<()> {
    Staging::open(out)?.commit(files, out)
}

/// Make the written temporary directory `tmp` the output: one exchange, or
/// a pair of renames where the system has none.
fn swap_in(tmp: &Path, files: &BTreeMap<String, OutFile>, out: &OutputDir) -> Result<()> {
    let output = out.path();
    if !output.exists() {
        crate::fs::rename(tmp, output)?;
        return outdir::mark_finished(output);
    }
    // The old site is about to become a temporary directory: mark it as one
    // first, so an interruption after the swap leaves a cleanable leftover.
    let is_link = std::fs::symlink_metadata(output).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        carry_kept_dotfiles(files, out, tmp)?;
        outdir::mark_temporary(output)?;
    }
    if crate::fs::exchange(tmp, output).is_ok() {
        // `tmp` now holds the previous site.
        outdir::mark_finished(output)?;
        return outdir::remove_marked(tmp);
    }
    let old = sibling(output, "old");
    crate::fs::rename(output, &old)?;
    if let Err(e) = crate::fs::rename(tmp, output) {
        let _ = std::fs::rename(&old, output);
        let _ = outdir::mark_finished(output);
        return Err(e);
    }
    outdir::mark_finished(output)?;
    outdir::remove_marked(&old)
}

/// Move the user's top-level dotfiles (see [`OutputDir::is_kept`]) from the
/// old site into the new one before the swap; a built file of the same name
/// wins, as in Zola.
fn carry_kept_dotfiles(files: &BTreeMap<String, OutFile>, out: &OutputDir, tmp: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(out.path()) else { return Ok(()) };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let built = files.keys().any(|k| k == &name || k.starts_with(&format!("{name}/")));
        if out.is_kept(&name) && !built {
            crate::fs::rename(&entry.path(), &tmp.join(&name))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_output_and_drops_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("stale.html"), "old").unwrap();
        let mut files = BTreeMap::new();
        files.insert("a/index.html".to_string(), OutFile::Bytes(b"new".to_vec()));
        let claimed = OutputDir::claim(dir.path(), &out, false, outdir::Purpose::Build).unwrap();
        write_atomically(&files, &claimed).unwrap();
        assert!(outdir::is_marked(&out));
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "new");
        assert!(!out.join("stale.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary directories were left behind");
    }

    #[test]
    fn refuses_paths_outside() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = BTreeMap::new();
        files.insert("../escape.html".to_string(), OutFile::Bytes(vec![]));
        let claimed = OutputDir::claim(dir.path(), &dir.path().join("public"), false, outdir::Purpose::Build).unwrap();
        assert!(write_atomically(&files, &claimed).is_err());
        assert!(!dir.path().join("escape.html").exists());
    }
}
