//! Output and deploy directories never eat sources or user files: every
//! refusal exits 2, names the path, and leaves every file byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{Run, SiteTest, copy_dir, snapshot};

fn site() -> SiteTest {
    let t = SiteTest::new();
    t.page("europe/_index.md", "title = \"Europe\"", "Europe intro.\n");
    t.page("europe/minsk.md", "title = \"Minsk\"\ndate = 2025-01-01", "The first text.\n");
    t.page("veto.md", "title = \"Veto\"\ndate = 2025-01-02", "Five members hold it.\n");
    t.file("static/site.css", "body { color: black; }\n");
    t.file("data/figures.csv", "year,value\n2024,1\n");
    t
}

/// Run the binary in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run attache");
    Run { out }
}

/// Assert a refusal: exit 2 and a message naming `path`.
#[track_caller]
fn assert_refused(run: &Run, path: &str) {
    assert_eq!(run.code(), 2, "stdout:\n{}\nstderr:\n{}", run.stdout(), run.stderr());
    assert!(run.stderr().contains("refusing to"), "{}", run.stderr());
    assert!(run.stderr().contains(path), "the message names {path}: {}", run.stderr());
}

/// Every file under `dir` with its bytes, symbolic links as their targets.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = snapshot(dir);
    for e in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        if e.path_is_symlink() {
            let rel = e.path().strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
            let target = std::fs::read_link(e.path()).expect("link");
            out.insert(format!("{rel} ->"), target.to_string_lossy().into_owned().into_bytes());
        }
    }
    out
}

/// A fixture site two levels down (`OUTER/desk/site`), with files of the
/// user's beside it, so the site's ancestors can be given as outputs without
/// risk to anything outside the temporary directory.
fn nested() -> (tempfile::TempDir, PathBuf) {
    let t = site();
    let outer = tempfile::tempdir().expect("temp dir");
    let root = outer.path().join("desk/site");
    copy_dir(&t.root(), &root);
    std::fs::write(outer.path().join("letter.txt"), "Dear editor,\n").expect("write");
    std::fs::write(outer.path().join("desk/todo.txt"), "Proofread.\n").expect("write");
    (outer, root)
}

#[test]
fn build_refuses_the_site_root_its_sources_and_its_ancestors() {
    let (outer, root) = nested();
    let before = tree(outer.path());
    let root_s = root.to_str().expect("utf-8");
    for (arg, named) in [
        (root_s, root_s),
        (".", "."),
        ("./content/../", "./content/../"),
        ("content", "content"),
        ("content/europe", "content/europe"),
        ("themes", "themes"),
        ("static/css", "static/css"),
        ("data", "data"),
        ("templates", "templates"),
        ("sass", "sass"),
        ("config.toml", "config.toml"),
        ("zola.toml", "zola.toml"),
        ("..", ".."),
        ("../..", "../.."),
        ("../../desk/..", "../../desk/.."),
    ] {
        let run = run_in(&root, &["build", "-o", arg]);
        assert_refused(&run, named);
        assert!(!run.stderr().contains("--force"), "sources cannot be forced: {}", run.stderr());
        let forced = run_in(&root, &["build", "--force", "-o", arg]);
        assert_eq!(forced.code(), 2, "--force does not lift a source refusal: {arg}");
        assert_eq!(tree(outer.path()), before, "build -o {arg} changed files");
    }
    // A link to content/, given as the output, is content/.
    std::os::unix::fs::symlink(root.join("content"), outer.path().join("desk/link")).expect("symlink");
    let before = tree(outer.path());
    let run = run_in(&root, &["build", "-o", "../link"]);
    assert_refused(&run, "../link");
    assert!(run.stderr().contains("content/"), "{}", run.stderr());
    assert_eq!(tree(outer.path()), before);
}

#[test]
fn watch_refuses_the_site_root_at_once() {
    let t = site();
    let before = tree(&t.root());
    let root = t.root();
    let mut child = Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(["build", "--watch", "-o"])
        .arg(&root)
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start attache");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("build --watch -o ROOT started watching instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = Run { out: child.wait_with_output().expect("output") };
    assert_refused(&run, root.to_str().expect("utf-8"));
    assert!(!run.stdout().contains("Watching"), "{}", run.stdout());
    assert_eq!(tree(&t.root()), before);
}

#[test]
fn deploy_refuses_the_site_root_and_its_sources() {
    let (outer, root) = nested();
    let before = tree(outer.path());
    for arg in [".", "content", "..", "static"] {
        let run = run_in(&root, &["deploy", "--to", arg]);
        assert_refused(&run, arg);
        assert_eq!(tree(outer.path()), before, "deploy --to {arg} changed files");
    }
}

#[test]
fn a_directory_of_user_files_is_refused_unless_forced() {
    let t = site();
    let docx: &[u8] = b"PK\x03\x04 not really a thesis";
    let mine = t.root().join("mine");
    let fill = || {
        std::fs::create_dir_all(mine.join("notes")).expect("mkdir");
        std::fs::write(mine.join("thesis.docx"), docx).expect("write");
        std::fs::write(mine.join("notes/monday.txt"), "call the embassy\n").expect("write");
    };
    fill();
    let before = tree(&mine);
    for args in [&["build", "-o", "mine"][..], &["deploy", "--to", "mine"]] {
        let run = t.run(args);
        assert_refused(&run, "mine");
        let err = run.stderr();
        assert!(err.contains("thesis.docx") && err.contains("notes/") && err.contains("--force"), "{err}");
        assert_eq!(tree(&mine), before, "{args:?} changed the user's files");
    }
    // A `public` that is a link to someone's files is not the site's own output.
    std::os::unix::fs::symlink(&mine, t.root().join("public")).expect("symlink");
    assert_refused(&t.build(), "public");
    assert_refused(&t.run(&["deploy", "--to", "public"]), "public");
    assert_eq!(tree(&mine), before);
    std::fs::remove_file(t.root().join("public")).expect("rm link");
    // A directory holding only `.git` counts as empty for a deploy, not for a build.
    let checkout = t.root().join("checkout");
    std::fs::create_dir_all(checkout.join(".git")).expect("mkdir");
    std::fs::write(checkout.join(".git/HEAD"), "ref: refs/heads/main\n").expect("write");
    assert_refused(&t.run(&["build", "-o", "checkout"]), "checkout");
    t.run(&["deploy", "--to", "checkout"]).assert_ok();
    assert_eq!(std::fs::read_to_string(checkout.join(".git/HEAD")).expect("HEAD"), "ref: refs/heads/main\n");

    t.run(&["build", "-q", "--force", "-o", "mine"]).assert_ok();
    assert!(!mine.join("thesis.docx").exists());
    assert!(mine.join("veto/index.html").is_file());
    let theirs = t.root().join("theirs");
    std::fs::create_dir_all(&theirs).expect("mkdir");
    std::fs::write(theirs.join("thesis.docx"), docx).expect("write");
    let deployed = t.run(&["deploy", "--force", "--to", "theirs"]);
    deployed.assert_ok();
    assert!(deployed.stdout().contains("- thesis.docx"), "{}", deployed.stdout());
    assert!(!theirs.join("thesis.docx").exists());
}

#[test]
fn outputs_attache_wrote_are_replaced_without_force() {
    let t = site();
    // A custom directory, built twice; then deployed into and built again.
    t.run(&["build", "-q", "-o", "out"]).assert_ok();
    let marker = std::fs::read_to_string(t.root().join("out/.attache-output")).expect("the output carries the marker");
    assert!(marker.starts_with("Attaché output directory\n"), "{marker}");
    std::fs::write(t.root().join("out/stale.html"), "old").expect("write");
    t.run(&["build", "-q", "-o", "out"]).assert_ok();
    assert!(!t.root().join("out/stale.html").exists());
    t.run(&["deploy", "--to", "out"]).assert_ok();
    t.run(&["deploy", "--to", "www"]).assert_ok();
    std::fs::write(t.root().join("www/stale.html"), "old").expect("write");
    let again = t.run(&["deploy", "--to", "www"]);
    again.assert_ok();
    assert!(!again.stdout().contains(".attache-output"), "the marker is never a deployed file: {}", again.stdout());
    t.run(&["build", "-q", "-o", "www"]).assert_ok();
    // The default public/, even when something else put files there.
    t.file("public/old-tool-output.html", "x");
    t.build().assert_ok();
    // Two builds leave byte-identical outputs, marker included.
    assert_eq!(snapshot(&t.root().join("out")), t.snapshot());
    // An empty directory.
    std::fs::create_dir_all(t.root().join("empty")).expect("mkdir");
    t.run(&["build", "-q", "-o", "empty"]).assert_ok();
}

/// A process id that is not running.
fn dead_pid() -> u32 {
    (100_000..4_000_000).rev().find(|p| !Path::new(&format!("/proc/{p}")).exists()).expect("a free pid")
}

#[test]
fn only_marked_leftovers_of_killed_builds_are_cleaned() {
    let t = site();
    t.build().assert_ok();
    let pid = dead_pid();
    // The user's own directories, named like leftovers.
    t.file(".public.backup-2024/index.html", "my backup\n");
    t.file(&format!(".public.backup-{pid}/index.html"), "my other backup\n");
    // A copy of an earlier public/ (it carries the finished marker).
    copy_dir(&t.root().join("public"), &t.root().join(format!(".public.copy-{pid}")));
    // A real leftover: the temporary directory of a killed build.
    let leftover = t.root().join(format!(".public.tmp-{pid}"));
    std::fs::create_dir_all(leftover.join("europe")).expect("mkdir");
    std::fs::write(leftover.join("europe/index.html"), "half").expect("write");
    std::fs::write(leftover.join(".attache-output"), format!("Attaché output directory\npid {pid}\n")).expect("write");
    let before_backup = tree(&t.root().join(".public.backup-2024"));
    let before_other = tree(&t.root().join(format!(".public.backup-{pid}")));
    let before_copy = tree(&t.root().join(format!(".public.copy-{pid}")));

    t.build().assert_ok();
    assert!(!leftover.exists(), "the marked leftover is removed");
    assert_eq!(tree(&t.root().join(".public.backup-2024")), before_backup);
    assert_eq!(tree(&t.root().join(format!(".public.backup-{pid}"))), before_other);
    assert_eq!(tree(&t.root().join(format!(".public.copy-{pid}"))), before_copy);
}

#[test]
fn deploy_never_writes_through_a_link_inside_the_directory() {
    let t = site();
    t.run(&["deploy", "--to", "www"]).assert_ok();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    std::fs::write(elsewhere.path().join("keep.txt"), "not the site's\n").expect("write");
    std::fs::write(elsewhere.path().join("page.html"), "someone else's page\n").expect("write");
    let www = t.root().join("www");
    std::fs::remove_dir_all(www.join("europe")).expect("rm");
    std::os::unix::fs::symlink(elsewhere.path(), www.join("europe")).expect("symlink");
    std::fs::remove_file(www.join("veto/index.html")).expect("rm");
    std::os::unix::fs::symlink(elsewhere.path().join("page.html"), www.join("veto/index.html")).expect("symlink");
    std::os::unix::fs::symlink(elsewhere.path(), www.join("extra")).expect("symlink");
    let before = tree(elsewhere.path());

    t.page("europe/minsk.md", "title = \"Minsk\"\ndate = 2025-01-01", "An edited text.\n");
    t.page("veto.md", "title = \"Veto\"\ndate = 2025-01-02", "Five members still hold it.\n");
    let run = t.run(&["deploy", "--to", "www"]);
    run.assert_ok();
    assert_eq!(tree(elsewhere.path()), before, "nothing was written outside www/");
    for rel in ["europe", "veto/index.html", "europe/minsk/index.html"] {
        let meta = std::fs::symlink_metadata(www.join(rel)).expect(rel);
        assert!(!meta.file_type().is_symlink(), "{rel} is a real file or directory now");
    }
    assert!(!www.join("extra").exists() && std::fs::symlink_metadata(www.join("extra")).is_err());
    assert!(std::fs::read_to_string(www.join("veto/index.html")).expect("veto").contains("still hold it"));
    t.build().assert_ok();
    assert_eq!(snapshot(&www), t.snapshot(), "www/ holds exactly the built site");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn git_deploy_refuses_a_checked_out_branch() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let t = site();
    let repo = t.root().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("notes.md"), "work in progress\n").expect("write");
    git(&repo, &["add", "notes.md"]);
    git(&repo, &["commit", "-q", "-m", "notes"]);
    git(&repo, &["worktree", "add", "-q", "-b", "drafts", "../drafts-wt"]);
    let main_before = git(&repo, &["rev-parse", "main"]);
    let drafts_before = git(&repo, &["rev-parse", "drafts"]);
    let work = |repo: &Path| tree(repo).into_iter().filter(|(k, _)| !k.starts_with(".git")).collect::<BTreeMap<_, _>>();
    let files_before = work(&repo);

    for branch in ["main", "drafts"] {
        let run = t.run(&["deploy", "--to", &format!("git:repo#{branch}")]);
        assert_refused(&run, "repo");
        assert!(
            run.stderr().contains(&format!("`{branch}`")) && run.stderr().contains("checked out"),
            "{}",
            run.stderr()
        );
    }
    assert_eq!(git(&repo, &["rev-parse", "main"]), main_before);
    assert_eq!(git(&repo, &["rev-parse", "drafts"]), drafts_before);
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
    assert_eq!(work(&repo), files_before);
    // Another branch of the same repository is fine, and the marker is not in it.
    t.run(&["deploy", "--to", "git:repo#gh-pages"]).assert_ok();
    let files = git(&repo, &["ls-tree", "-r", "--name-only", "gh-pages"]);
    assert!(files.contains("veto/index.html") && !files.contains(".attache-output"), "{files}");
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn watch_never_writes_through_a_link_inside_the_output() {
    let t = site();
    t.run(&["build", "-q", "-o", "out"]).assert_ok();
    let out = t.root().join("out");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    std::fs::write(elsewhere.path().join("keep.txt"), "not the site's\n").expect("write");
    let link_europe = || {
        std::fs::remove_dir_all(out.join("europe")).expect("rm");
        std::os::unix::fs::symlink(elsewhere.path(), out.join("europe")).expect("symlink");
    };
    link_europe();
    let before = tree(elsewhere.path());
    let w = crate::support::Running::start(&t.root(), &["build", "--watch", "-o", "out"]);
    w.wait_for(&["Watching"]);
    assert_eq!(tree(elsewhere.path()), before, "the first sync wrote outside out/");
    assert!(!std::fs::symlink_metadata(out.join("europe")).expect("europe").file_type().is_symlink());
    // A link that appears while watching is replaced too, not written through.
    link_europe();
    w.drain();
    t.page("europe/minsk.md", "title = \"Minsk\"\ndate = 2025-01-01", "An edited text.\n");
    w.wait_for(&["Rebuilt"]);
    assert_eq!(tree(elsewhere.path()), before, "a rebuild wrote outside out/");
    let page = std::fs::read_to_string(out.join("europe/minsk/index.html")).expect("minsk");
    assert!(page.contains("An edited text"), "{page}");
}
