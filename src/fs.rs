//! Filesystem calls that always say which path failed.
//!
//! A bare `No such file or directory` is useless to an editor; every call here
//! attaches the path, so no error reaching the user lacks it.

use std::path::Path;

use anyhow::{Context, Result};

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("could not read {}", path.display()))
}

pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    std::fs::write(path, bytes).with_context(|| format!("could not write {}", path.display()))
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("could not create directory {}", path.display()))
}

pub fn remove_dir_all(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("could not remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

pub fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).with_context(|| format!("could not rename {} to {}", from.display(), to.display()))
}

/// Swap two paths in one step (`renameat2(RENAME_EXCHANGE)`): each name ends
/// up naming what the other named, and neither is ever missing. Only Linux has
/// the call; elsewhere this returns `Unsupported`, and on filesystems without
/// support Linux answers `EINVAL` (see [`exchange_unsupported`]).
#[cfg(target_os = "linux")]
pub fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; renameat2 reads them only.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// See the Linux version: no atomic exchange here.
#[cfg(not(target_os = "linux"))]
pub fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Whether an [`exchange`] error means "this OS or filesystem cannot swap"
/// (so a caller falls back to a plain rename) rather than a real failure.
pub fn exchange_unsupported(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::Unsupported {
        return true;
    }
    #[cfg(unix)]
    if let Some(code) = e.raw_os_error() {
        return code == libc::EINVAL || code == libc::ENOSYS || code == libc::EOPNOTSUPP || code == libc::ENOTSUP;
    }
    false
}

/// What [`replace_if_unchanged`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Replaced {
    /// The file held the expected bytes and now holds the new ones.
    Done,
    /// Someone else saved the file in the meantime; their save is in place,
    /// untouched, and the new bytes were thrown away.
    ChangedMeanwhile,
    /// Not written, for the reason given (hard links, an owner we cannot keep…).
    Refused(String),
}

/// Replace the file at `path` with `new`, but only if it still holds exactly
/// `expected` (what the caller read and computed `new` from): a compare-and-swap
/// on a file, so an editor's save that lands while we work is never lost.
///
/// - A symlink is followed: its target is rewritten (next to the target) and
///   the link stays a link.
/// - Owner, group and mode are copied onto the new file before it goes in;
///   if the owner or group cannot be kept (not root), the file is refused.
/// - A file with several hard links is refused: a new file would split them.
/// - On Linux the new file is exchanged with the old one in one step
///   (`RENAME_EXCHANGE`), then what came out is compared byte for byte with
///   `expected`; if it differs, a save landed in between and the exchange is
///   undone. Elsewhere (or on a filesystem without the call) the file is
///   re-read and then renamed over: best effort, with a window of a few
///   system calls in which a save can still be lost.
///
/// `before_swap` runs just before the swap (a test hook to widen the race).
pub fn replace_if_unchanged(path: &Path, expected: &[u8], new: &[u8], before_swap: impl FnOnce()) -> Result<Replaced> {
    replace_using(exchange, path, expected, new, before_swap)
}

/// [`replace_if_unchanged`] with the swap call given, so tests can take the
/// path of systems without one.
fn replace_using(
    swap: fn(&Path, &Path) -> std::io::Result<()>,
    path: &Path,
    expected: &[u8],
    new: &[u8],
    before_swap: impl FnOnce(),
) -> Result<Replaced> {
    let target = std::fs::canonicalize(path).with_context(|| format!("could not resolve {}", path.display()))?;
    let meta = std::fs::symlink_metadata(&target).with_context(|| format!("could not read {}", target.display()))?;
    if !meta.is_file() {
        return Ok(Replaced::Refused("not a regular file".into()));
    }
    if let Some(reason) = refuse_hard_links(&meta) {
        return Ok(Replaced::Refused(reason));
    }
    if read(&target)? != expected {
        return Ok(Replaced::ChangedMeanwhile);
    }
    let mut tmp = TempFile::create_beside(&target)?;
    if let Some(reason) = tmp.write_like(new, &meta)? {
        return Ok(Replaced::Refused(reason));
    }
    before_swap();
    match swap(&tmp.path, &target) {
        Ok(()) => tmp.settle_after_exchange(&target, expected),
        Err(e) if exchange_unsupported(&e) => {
            // Best effort: the window is between this read and the rename.
            if read(&target)? != expected {
                return Ok(Replaced::ChangedMeanwhile);
            }
            tmp.rename_over(&target)?;
            Ok(Replaced::Done)
        }
        Err(e) => Err(e).with_context(|| format!("could not replace {}", target.display())),
    }
}

/// A file with more than one name cannot be replaced without splitting it.
#[cfg(unix)]
fn refuse_hard_links(meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    (meta.nlink() > 1).then(|| {
        format!(
            "it has {} hard links, and writing a corrected copy would split them; \
             apply the changes by hand (`attache correct FILE` shows them) or remove the other links",
            meta.nlink()
        )
    })
}

#[cfg(not(unix))]
fn refuse_hard_links(_: &std::fs::Metadata) -> Option<String> {
    None
}

/// Identity of a file (device, inode), to tell one save from another.
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Our new file, beside the one it replaces; removed on drop unless it was
/// kept on purpose (it then holds someone's save and must survive).
struct TempFile {
    path: std::path::PathBuf,
    /// Identity of the file we wrote.
    ours: (u64, u64),
    keep: bool,
}

impl TempFile {
    /// A fresh hidden name in `target`'s directory (hidden, so the content
    /// loader and watchers skip it), created exclusively.
    fn create_beside(target: &Path) -> Result<Self> {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = target.parent().unwrap_or(Path::new("."));
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        loop {
            let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = dir.join(format!(".{name}.attache-{}-{n}", std::process::id()));
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => return Ok(TempFile { path, ours: (0, 0), keep: false }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => continue,
                Err(e) => return Err(e).with_context(|| format!("could not create {}", path.display())),
            }
        }
    }

    /// Write `bytes` and give the file `like`'s owner, group and mode, flushed
    /// to disk. `Some(reason)` when the owner or group cannot be kept.
    fn write_like(&mut self, bytes: &[u8], like: &std::fs::Metadata) -> Result<Option<String>> {
        use std::io::Write;
        let context = || format!("could not write {}", self.path.display());
        let mut file = std::fs::OpenOptions::new().write(true).open(&self.path).with_context(context)?;
        file.write_all(bytes).with_context(context)?;
        #[cfg(unix)]
        if let Some(reason) = keep_owner(&file, like).with_context(context)? {
            return Ok(Some(reason));
        }
        // After the owner: chown clears set-id bits.
        file.set_permissions(like.permissions()).with_context(context)?;
        file.sync_all().with_context(context)?;
        self.ours = identity(&file.metadata().with_context(context)?);
        Ok(None)
    }

    /// After `exchange(tmp, target)`: our file is at `target`, and what was
    /// there is at `self.path`. Keep the swap only if that is what the caller
    /// read; otherwise undo it.
    fn settle_after_exchange(mut self, target: &Path, expected: &[u8]) -> Result<Replaced> {
        // Until we know better, what is here may be someone's only copy of a save.
        self.keep = true;
        let (out, out_id) = read_with_identity(&self.path)?;
        if out == expected {
            self.keep = false;
            return Ok(Replaced::Done);
        }
        // A save landed after our read: put it back. More saves may land while
        // we do; the newest is always at `target` or here, so swap until a
        // file we have already seen (ours, or an older save) comes out.
        let mut seen = vec![self.ours, out_id];
        for _ in 0..16 {
            if let Err(e) = exchange(&self.path, target) {
                return Err(e).with_context(|| {
                    format!(
                        "could not restore {}: the save that landed meanwhile is in {}",
                        target.display(),
                        self.path.display()
                    )
                });
            }
            let id = identity(
                &std::fs::symlink_metadata(&self.path)
                    .with_context(|| format!("could not read {}", self.path.display()))?,
            );
            if seen.contains(&id) {
                self.keep = false;
                return Ok(Replaced::ChangedMeanwhile);
            }
            seen.push(id);
        }
        anyhow::bail!(
            "{} kept changing while being written; check it, and {} (an earlier save)",
            target.display(),
            self.path.display()
        )
    }

    fn rename_over(mut self, target: &Path) -> Result<()> {
        rename(&self.path, target)?;
        self.keep = true; // nothing left to remove
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn read_with_identity(path: &Path) -> Result<(Vec<u8>, (u64, u64))> {
    use std::io::Read;
    let context = || format!("could not read {}", path.display());
    let mut file = std::fs::File::open(path).with_context(context)?;
    let id = identity(&file.metadata().with_context(context)?);
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).with_context(context)?;
    Ok((bytes, id))
}

/// Give `file` the owner and group of `like`. Only root may give a file away,
/// so for anyone else this works when the owner is already ours and we belong
/// to the group; `Some(reason)` when it cannot be done.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, like: &std::fs::Metadata) -> std::io::Result<Option<String>> {
    use std::os::unix::fs::MetadataExt;
    let now = file.metadata()?;
    if (now.uid(), now.gid()) == (like.uid(), like.gid()) {
        return Ok(None);
    }
    match std::os::unix::fs::fchown(file, Some(like.uid()), Some(like.gid())) {
        Ok(()) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Ok(Some(format!(
            "it belongs to user {} and group {}, which a corrected copy written by this user could not keep; \
             run fix as its owner",
            like.uid(),
            like.gid()
        ))),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_when_unchanged_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "old").unwrap();
        assert_eq!(replace_if_unchanged(&path, b"old", b"new", || {}).unwrap(), Replaced::Done);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_save_just_before_the_swap_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "old").unwrap();
        let save = || {
            std::fs::write(dir.path().join("save"), "saved").unwrap();
            std::fs::rename(dir.path().join("save"), &path).unwrap();
        };
        assert_eq!(replace_if_unchanged(&path, b"old", b"new", save).unwrap(), Replaced::ChangedMeanwhile);
        assert_eq!(std::fs::read(&path).unwrap(), b"saved");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "a temporary file was left");
    }

    #[test]
    fn a_change_before_the_recheck_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "edited").unwrap();
        assert_eq!(replace_if_unchanged(&path, b"old", b"new", || {}).unwrap(), Replaced::ChangedMeanwhile);
        assert_eq!(std::fs::read(&path).unwrap(), b"edited");
    }

    #[test]
    fn without_exchange_it_renames_and_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let unsupported = |_: &Path, _: &Path| Err(std::io::Error::from_raw_os_error(libc::EINVAL));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(replace_using(unsupported, &path, b"old", b"new", || {}).unwrap(), Replaced::Done);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777, 0o640);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // A save before the re-check is seen there.
        let save = || std::fs::write(&path, "saved").unwrap();
        assert_eq!(replace_using(unsupported, &path, b"new", b"newer", save).unwrap(), Replaced::ChangedMeanwhile);
        assert_eq!(std::fs::read(&path).unwrap(), b"saved");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
