//! `attache deploy` on bad input (the working paths are in `theme.rs`).

use crate::support::SiteTest;

fn site() -> SiteTest {
    let t = SiteTest::new();
    t.page("minsk.md", "title = \"Minsk\"\ndate = 2025-01-01", "The first text.\n");
    t.page("veto.md", "title = \"Veto\"\ndate = 2025-01-02", "Five members hold it.\n");
    t
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
