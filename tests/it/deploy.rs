//! `attache deploy`: to a directory and to a branch of a local bare git repository.

use std::process::Command;

use crate::support::{SiteTest, snapshot};

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn site() -> SiteTest {
    let t = SiteTest::new();
    t.page("minsk.md", "title = \"Minsk\"\ndate = 2025-01-01", "The first text.\n");
    t.page("veto.md", "title = \"Veto\"\ndate = 2025-01-02", "Five members hold it.\n");
    t
}

#[test]
fn deploy_to_a_directory_copies_only_changes_and_removes_stale_files() {
    let t = site();
    let dest = tempfile::tempdir().unwrap();
    let to = dest.path().join("www");
    let to_s = to.to_str().unwrap();
    let first = t.run(&["deploy", "--to", to_s]);
    first.assert_ok();
    assert!(first.stdout().contains("+ minsk/index.html"), "{}", first.stdout());
    // What lands equals what `build` writes.
    t.build().assert_ok();
    assert_eq!(snapshot(&to), t.snapshot());

    // Nothing changed: nothing written.
    let again = t.run(&["deploy", "--to", to_s]);
    again.assert_ok();
    assert!(again.stdout().contains("up to date"), "{}", again.stdout());

    // An edit, a deletion and a stray file on the host.
    t.page("minsk.md", "title = \"Minsk\"\ndate = 2025-01-01", "The second text.\n");
    std::fs::remove_file(t.root().join("content/veto.md")).unwrap();
    std::fs::write(to.join("stray.txt"), "old").unwrap();
    let dry = t.run(&["deploy", "--to", to_s, "--dry-run"]);
    dry.assert_ok();
    assert!(dry.stdout().contains("- stray.txt") && dry.stdout().contains("dry run"), "{}", dry.stdout());
    assert!(to.join("stray.txt").exists(), "a dry run removed a file");
    let third = t.run(&["deploy", "--to", to_s]);
    third.assert_ok();
    let out = third.stdout();
    assert!(
        out.contains("~ minsk/index.html") && out.contains("- veto/index.html") && out.contains("- stray.txt"),
        "{out}"
    );
    // Files the edit did not touch (the stylesheet, the 404 page…) are left alone.
    let unchanged: usize =
        out.split(", ").find_map(|part| part.strip_suffix(" unchanged\n").and_then(|n| n.parse().ok())).unwrap_or(0);
    assert!(unchanged > 0, "{out}");
    assert!(!to.join("veto").exists(), "the emptied directory stays: {out}");
    assert!(std::fs::read_to_string(to.join("minsk/index.html")).unwrap().contains("The second text."));
    t.build().assert_ok();
    assert_eq!(snapshot(&to), t.snapshot());
}

#[test]
fn deploy_to_a_git_branch_commits_the_difference_only() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git not installed: skipped");
        return;
    }
    let t = site();
    let repos = tempfile::tempdir().unwrap();
    let bare = repos.path().join("site.git");
    git(repos.path(), &["init", "-q", "--bare", bare.to_str().unwrap()]);
    let to = format!("git:{}", bare.display());
    let first = t.run(&["deploy", "--to", &to]);
    first.assert_ok();
    assert!(first.stdout().contains("branch gh-pages"), "{}", first.stdout());
    let files = git(&bare, &["ls-tree", "-r", "--name-only", "gh-pages"]);
    assert!(files.lines().any(|l| l == "minsk/index.html") && files.lines().any(|l| l == "veto/index.html"), "{files}");

    // No change: no new commit.
    let again = t.run(&["deploy", "--to", &to]);
    assert!(again.stdout().contains("up to date"), "{}", again.stdout());
    assert_eq!(git(&bare, &["rev-list", "--count", "gh-pages"]).trim(), "1");

    // An edit and a deletion: one commit with exactly that difference.
    t.page("minsk.md", "title = \"Minsk\"\ndate = 2025-01-01", "The second text.\n");
    std::fs::remove_file(t.root().join("content/veto.md")).unwrap();
    let third = t.run(&["deploy", "--to", &format!("{to}#gh-pages"), "--message", "Second edition"]);
    third.assert_ok();
    assert_eq!(git(&bare, &["rev-list", "--count", "gh-pages"]).trim(), "2");
    assert_eq!(git(&bare, &["log", "-1", "--format=%s", "gh-pages"]).trim(), "Second edition");
    let diff = git(&bare, &["diff", "--name-status", "gh-pages~1", "gh-pages"]);
    assert!(diff.contains("M\tminsk/index.html") && diff.contains("D\tveto/index.html"), "{diff}");
    let page = git(&bare, &["show", "gh-pages:minsk/index.html"]);
    assert!(page.contains("The second text."), "{page}");
}

#[test]
fn deploy_refuses_bad_targets_and_broken_sites() {
    let t = site();
    let nowhere = t.run(&["deploy", "--to", "git:/nonexistent/repo.git"]);
    assert_ne!(nowhere.code(), 0);
    assert!(nowhere.stderr().contains("/nonexistent/repo.git"), "{}", nowhere.stderr());
    let plain = tempfile::tempdir().unwrap();
    let not_repo = t.run(&["deploy", "--to", &format!("git:{}", plain.path().display())]);
    assert_ne!(not_repo.code(), 0);
    assert!(not_repo.stderr().contains("not a git repository"), "{}", not_repo.stderr());
    // A broken article: nothing is deployed.
    let dest = tempfile::tempdir().unwrap();
    t.file("content/broken.md", "+++\ntitle = 3\"x\"\n+++\n");
    let run = t.run(&["deploy", "--to", dest.path().join("www").to_str().unwrap()]);
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("content/broken.md:2:"), "{}", run.stderr());
    assert!(!dest.path().join("www").exists());
}
