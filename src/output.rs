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

use crate::site::OutFile;

fn sibling(output: &Path, tag: &str) -> PathBuf {
    let name = output.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Leftovers of builds that were killed: their process is gone.
fn clean_stale(output: &Path) {
    let name = output.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = n.strip_prefix(&format!(".{name}.")) else { continue };
        let pid = rest.rsplit('-').next().and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Write every file into `dir` (which must not exist yet).
pub fn write_tree(files: &BTreeMap<String, OutFile>, dir: &Path) -> Result<()> {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for rel in files.keys() {
        if rel.split('/').any(|s| s == ".." || s.is_empty() && !rel.is_empty() && rel.starts_with('/'))
            || rel.starts_with('/')
        {
            bail!("refusing to write `{rel}` outside the output directory");
        }
        if let Some(parent) = Path::new(rel).parent() {
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
            OutFile::Copy(src) => std::fs::copy(src, &path)
                .map(|_| ())
                .with_context(|| format!("could not copy {} to {}", src.display(), path.display())),
        }
    })
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; renameat2 reads them only.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Replace `output` with exactly `files`.
pub fn write_atomically(files: &BTreeMap<String, OutFile>, output: &Path) -> Result<()> {
    if output.exists() && !output.is_dir() {
        bail!("{} exists and is not a directory", output.display());
    }
    clean_stale(output);
    let tmp = sibling(output, "tmp");
    crate::fs::remove_dir_all(&tmp)?;
    if let Err(e) = write_tree(files, &tmp) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if !output.exists() {
        return crate::fs::rename(&tmp, output);
    }
    if exchange(&tmp, output).is_ok() {
        // `tmp` now holds the previous site.
        return crate::fs::remove_dir_all(&tmp);
    }
    let old = sibling(output, "old");
    crate::fs::rename(output, &old)?;
    if let Err(e) = crate::fs::rename(&tmp, output) {
        let _ = std::fs::rename(&old, output);
        return Err(e);
    }
    crate::fs::remove_dir_all(&old)
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
        write_atomically(&files, &out).unwrap();
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
        assert!(write_atomically(&files, &dir.path().join("public")).is_err());
        assert!(!dir.path().join("escape.html").exists());
    }
}
