//! `attache fix` never loses a save: symlinks, owner and mode, hard links, and
//! an editor saving while fix writes.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::support::SiteTest;

/// A spun article (version `n`), with corrections fix applies.
fn article(n: usize) -> String {
    format!("+++\ntitle = \"T\"\n+++\nThe court docket met. The particular grasp spoke. Draft {n}.\n")
}

/// What fix makes of [`article`].
fn corrected(n: usize) -> String {
    format!("+++\ntitle = \"T\"\n+++\nThe court met. The special master spoke. Draft {n}.\n")
}

#[test]
fn symlinked_article_is_corrected_in_its_target_and_stays_a_link() {
    let t = SiteTest::new();
    t.file("shared/a.md", &article(0));
    std::os::unix::fs::symlink("../shared/a.md", t.root().join("content/link.md")).unwrap();
    let run = t.run(&["fix", "content/link.md"]);
    run.assert_ok();
    assert!(run.stdout().contains("fixed content/link.md"), "{}", run.stdout());
    let link = t.root().join("content/link.md");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link became a file");
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("../shared/a.md"));
    assert_eq!(std::fs::read_to_string(t.root().join("shared/a.md")).unwrap(), corrected(0));
}

#[test]
fn mode_and_owner_are_kept() {
    let t = SiteTest::new();
    t.file("content/a.md", &article(0));
    let path = t.root().join("content/a.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    // Only root can give a file away; as anyone else the owner is ours anyway.
    let root = is_root();
    if root {
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    }
    t.run(&["fix"]).assert_ok();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), corrected(0));
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o640, "mode changed");
    if root {
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534), "owner changed");
    }
}

/// Whether this test runs as root (and so can give files away).
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn hard_linked_article_is_refused_and_stays_linked() {
    let t = SiteTest::new();
    t.file("content/a.md", &article(0));
    let path = t.root().join("content/a.md");
    std::fs::hard_link(&path, t.root().join("elsewhere.md")).unwrap();
    let run = t.run(&["fix"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stderr().contains("content/a.md") && run.stderr().contains("hard links"), "{}", run.stderr());
    assert!(run.stdout().contains("0 corrections changed in 0 files"), "{}", run.stdout());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), article(0), "a hard-linked article was written");
    assert_eq!(std::fs::metadata(&path).unwrap().nlink(), 2, "the hard link was split");
    let (a, b) = (std::fs::metadata(&path).unwrap(), std::fs::metadata(t.root().join("elsewhere.md")).unwrap());
    assert_eq!(a.ino(), b.ino());
}

/// Save `text` the way most editors do: a fresh file renamed into place.
fn editor_save(dir: &Path, text: &str) {
    let tmp = dir.join(".a.md.editor-save");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, dir.join("a.md")).unwrap();
}

/// An editor saves while fix is writing (once fix's temporary file appears,
/// after a delay that varies from trial to trial, one to three times). The
/// article must end up as the editor's last save — never fix's correction of
/// an older text, never an older save — and when a save landed before fix's
/// swap, fix must say so and exit 1. Fix pauses before its swap
/// (`ATTACHE_FIX_PAUSE_MS`, a test hook) so both orders happen.
#[test]
fn a_save_racing_fix_is_never_lost() {
    const TRIALS: usize = 50;
    const PAUSE_MS: u64 = 20;
    let mut reported = 0;
    let mut quiet = 0;
    for trial in 0..TRIALS {
        let t = SiteTest::new();
        t.file("content/a.md", &article(0));
        let dir = t.root().join("content");
        let child = Command::new(env!("CARGO_BIN_EXE_attache"))
            .arg("fix")
            .current_dir(t.root())
            .env("NO_COLOR", "1")
            .env("ATTACHE_FIX_PAUSE_MS", PAUSE_MS.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let done = Arc::new(AtomicBool::new(false));
        // Half the trials save at once, the rest after up to twice the pause.
        let delay = if trial % 2 == 0 { 0 } else { (trial as u64 * 7) % (2 * PAUSE_MS) };
        // One to three saves in a row, a couple of milliseconds apart.
        let saves = 1 + trial % 3;
        let editor = {
            let (dir, done) = (dir.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    let fix_writing = std::fs::read_dir(&dir)
                        .unwrap()
                        .filter_map(Result::ok)
                        .any(|e| e.file_name().to_string_lossy().starts_with(".a.md.attache-"));
                    if fix_writing {
                        std::thread::sleep(Duration::from_millis(delay));
                        for n in 1..=saves {
                            editor_save(&dir, &article(n));
                            std::thread::sleep(Duration::from_millis(2));
                        }
                        return saves;
                    }
                }
                0
            })
        };
        let out = child.wait_with_output().unwrap();
        done.store(true, Ordering::SeqCst);
        let last = editor.join().unwrap();
        let (code, stderr) = (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned());
        let text = std::fs::read_to_string(dir.join("a.md")).unwrap();
        if last > 0 {
            assert_eq!(
                text,
                article(last),
                "trial {trial}: the editor's last save was lost (fix exit {code:?}, {stderr})"
            );
        } else {
            assert_eq!(text, corrected(0), "trial {trial}: {stderr}");
        }
        if code == Some(1) {
            assert!(
                stderr.contains("content/a.md") && stderr.contains("changed by someone else"),
                "trial {trial}: {stderr}"
            );
            reported += 1;
        } else {
            assert_eq!(code, Some(0), "trial {trial}: {stderr}");
            quiet += 1;
        }
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".attache-"))
            .collect();
        assert!(leftovers.is_empty(), "trial {trial}: temporary files left: {leftovers:?}");
    }
    eprintln!("{reported} trials reported the save, {quiet} were quiet");
    // Both sides of the race were exercised.
    assert!(reported > 0, "no save ever landed before fix's swap ({quiet} quiet trials)");
    assert!(quiet > 0, "every trial was reported ({reported})");
}
