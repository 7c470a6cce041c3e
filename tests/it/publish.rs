//! Nothing outside the site, nothing unpublished: symlinks out of the site,
//! a theme named by a path, a draft's attachments, dotfiles in `static/`,
//! pages dated in the future or past their expiry, raw HTML in articles.

use std::os::unix::fs::symlink;

use crate::support::{CONFIG, Running, SiteTest};

/// `CONFIG` with `lines` added to its top-level keys.
fn config_with(lines: &str) -> String {
    CONFIG.replacen("theme = \"plain\"\n", &format!("theme = \"plain\"\n{lines}\n"), 1)
}

/// A directory outside the site holding `name` with `text`.
fn outside(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
    dir
}

#[test]
fn static_dirs_symlinked_outside_the_site_are_not_published() {
    let t = SiteTest::new();
    let secret = outside("secret.txt", "site secret");
    let theme_secret = outside("theme-secret.txt", "theme secret");
    symlink(secret.path(), t.root().join("static")).expect("symlink");
    let theme_static = t.root().join("themes/plain/static");
    std::fs::remove_dir_all(&theme_static).expect("rm theme static");
    symlink(theme_secret.path(), &theme_static).expect("symlink");
    let run = t.build();
    run.assert_ok();
    assert!(!t.public("secret.txt").exists(), "a static/ linked outside the site was published");
    assert!(!t.public("theme-secret.txt").exists(), "a theme static/ linked outside the site was published");
    let err = run.stderr();
    assert!(err.contains("static is a symlink to") && err.contains("outside the site"), "{err}");
    assert!(err.contains("themes/plain/static is a symlink to"), "{err}");
}

#[test]
fn symlinks_inside_static_are_followed_only_within_it() {
    let t = SiteTest::new();
    let secret = outside("secret.txt", "do not publish");
    t.file("static/real.txt", "published");
    symlink(t.root().join("static/real.txt"), t.root().join("static/alias.txt")).expect("symlink");
    symlink(secret.path().join("secret.txt"), t.root().join("static/leak.txt")).expect("symlink");
    symlink(t.root().join("config.toml"), t.root().join("static/config.txt")).expect("symlink");
    symlink(secret.path(), t.root().join("static/dir")).expect("symlink");
    let run = t.build();
    run.assert_ok();
    assert_eq!(t.read("alias.txt"), "published");
    assert!(!t.public("leak.txt").exists());
    assert!(!t.public("config.txt").exists(), "config.toml was published through a symlink");
    assert!(!t.public("dir/secret.txt").exists());
    let err = run.stderr();
    for name in ["static/leak.txt", "static/config.txt", "static/dir"] {
        assert!(err.contains(name), "no warning names {name}:\n{err}");
    }
}

#[test]
fn content_symlinked_outside_the_site_is_not_read() {
    let t = SiteTest::new();
    let leak = outside("leak.md", "+++\ntitle = \"Leaked\"\n+++\nThe leaked cable.\n");
    symlink(leak.path().join("leak.md"), t.root().join("content/leak.md")).expect("symlink");
    symlink(leak.path(), t.root().join("content/cables")).expect("symlink");
    let run = t.build();
    run.assert_ok();
    assert!(!t.public("leak/index.html").exists(), "an article outside the site was published");
    assert!(!t.public("cables/leak/index.html").exists());
    assert!(!crate::support::search_text(&t.public("")).contains("leaked"));
    let err = run.stderr();
    assert!(err.contains("content/leak.md is a symlink to"), "{err}");
    assert!(err.contains("content/cables"), "{err}");

    // The whole of content/ linked outside: nothing is read from it.
    let t = SiteTest::new();
    std::fs::remove_dir_all(t.root().join("content")).expect("rm content");
    symlink(leak.path(), t.root().join("content")).expect("symlink");
    let run = t.build();
    run.assert_ok();
    assert!(!t.public("leak/index.html").exists());
    assert!(run.stderr().contains("content is a symlink to"), "{}", run.stderr());
}

#[test]
fn theme_named_by_a_relative_path_is_a_config_error() {
    let t = SiteTest::new();
    let evil = tempfile::tempdir().expect("temp dir");
    crate::support::copy_dir(&crate::support::fixtures().join("theme"), &evil.path().join("outside"));
    t.file("config.toml", &CONFIG.replace("theme = \"plain\"", "theme = \"../../../outside\""));
    let run = t.build();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let err = run.stderr();
    assert!(err.contains("config.toml:4:9"), "{err}");
    assert!(err.contains("theme `../../../outside` must be the name of a directory in themes/"), "{err}");
    assert!(!t.public("index.html").exists());
}

#[test]
fn theme_named_by_an_absolute_path_is_a_config_error() {
    let t = SiteTest::new();
    let evil = tempfile::tempdir().expect("temp dir");
    crate::support::copy_dir(&crate::support::fixtures().join("theme"), evil.path());
    let theme = evil.path().display().to_string();
    t.file("config.toml", &CONFIG.replace("theme = \"plain\"", &format!("theme = \"{theme}\"")));
    let run = t.build();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stderr().contains("config.toml:4:9"), "{}", run.stderr());
    assert!(!t.public("index.html").exists());
}

#[test]
fn theme_symlinked_outside_the_site_is_not_loaded() {
    let t = SiteTest::new();
    let evil = tempfile::tempdir().expect("temp dir");
    crate::support::copy_dir(&crate::support::fixtures().join("theme"), evil.path());
    symlink(evil.path(), t.root().join("themes/evil")).expect("symlink");
    t.file("config.toml", &CONFIG.replace("theme = \"plain\"", "theme = \"evil\""));
    let run = t.build();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stderr().contains("theme `evil` is a symlink to"), "{}", run.stderr());
}

/// `attache serve --port 0` with `args`, and the address it serves on.
fn serve(t: &SiteTest, args: &[&str]) -> (Running, String) {
    let mut all = vec!["serve", "--port", "0"];
    all.extend_from_slice(args);
    let proc = Running::start(&t.root(), &all);
    let lines = proc.wait_for(&["Serving at"]);
    let line = lines.last().expect("a line");
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("a URL");
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    (proc, addr)
}

/// Status and body of `GET path`.
fn get(addr: &str, path: &str) -> (u16, String) {
    let (status, _, body) = crate::support::http_get(addr, path);
    (status, body)
}

#[test]
fn draft_bundle_files_are_neither_written_nor_served() {
    let t = SiteTest::new();
    t.page("embargoed/index.md", "title = \"Embargoed\"\ndraft = true", "Not yet.\n");
    t.file("content/embargoed/leaked-memo.pdf", "%PDF memo");
    t.file("content/embargoed/annex/table.csv", "a,b");
    t.build().assert_ok();
    assert!(!t.public("embargoed/leaked-memo.pdf").exists(), "a draft's attachment was published");
    assert!(!t.public("embargoed/annex/table.csv").exists());
    assert!(!t.public("embargoed/index.html").exists());

    t.run(&["build", "--drafts"]).assert_ok();
    assert_eq!(t.read("embargoed/leaked-memo.pdf"), "%PDF memo", "--drafts publishes the attachment");

    let (proc, addr) = serve(&t, &[]);
    let (status, body) = get(&addr, "/embargoed/leaked-memo.pdf");
    assert_eq!(status, 404, "serve without --drafts served a draft's attachment");
    assert!(!body.contains("%PDF memo"));
    drop(proc);
    let (_proc, addr) = serve(&t, &["--drafts"]);
    assert_eq!(get(&addr, "/embargoed/leaked-memo.pdf"), (200, "%PDF memo".to_string()));
}

#[test]
fn static_dotfiles_are_published_only_when_listed() {
    let t = SiteTest::new();
    t.file("static/.env", "API_KEY=secret");
    t.file("static/.git/config", "[remote]");
    t.file("static/.htpasswd", "admin:hash");
    t.file("static/.well-known/security.txt", "Contact: x");
    t.file("static/.nojekyll", "");
    t.file("static/.htaccess", "Options -Indexes");
    t.file("static/_headers", "/*\n  X-Frame-Options: DENY");
    t.file("static/_redirects", "/old /new");
    t.file("themes/plain/static/.DS_Store", "junk");
    t.build().assert_ok();
    for gone in [".env", ".git/config", ".htpasswd", ".DS_Store"] {
        assert!(!t.public(gone).exists(), "{gone} was published");
    }
    for kept in [".well-known/security.txt", ".nojekyll", ".htaccess", "_headers", "_redirects"] {
        assert!(t.public(kept).exists(), "{kept} was not published");
    }

    t.file("config.toml", &config_with("publish_dotfiles = [\".htpasswd\"]"));
    t.build().assert_ok();
    assert_eq!(t.read(".htpasswd"), "admin:hash");
    assert!(!t.public(".env").exists());

    // Zola's key keeps the output's own dotfiles; it publishes no secrets.
    t.file("public/.git/HEAD", "ref: refs/heads/gh-pages");
    t.build().assert_ok();
    assert!(!t.public(".git/HEAD").exists(), "without the key, the build replaces public/ whole");
    t.file("public/.git/HEAD", "ref: refs/heads/gh-pages");
    t.file("config.toml", &config_with("preserve_dotfiles_in_output = true"));
    t.build().assert_ok();
    assert_eq!(t.read(".git/HEAD"), "ref: refs/heads/gh-pages");
    assert!(!t.public(".env").exists());
    t.page("extra.md", "title = \"Extra\"", "More.\n");
    t.build().assert_ok();
    assert_eq!(t.read(".git/HEAD"), "ref: refs/heads/gh-pages", "lost on the second build");
}

#[test]
fn pages_dated_in_the_future_wait_unless_future() {
    let t = SiteTest::new();
    t.page("europe/_index.md", "title = \"Europe\"", "");
    t.page(
        "europe/summit.md",
        "title = \"The 2999 summit\"\ndate = 2999-01-01\n[taxonomies]\ntopics = [\"Embargo\"]",
        "Embargoed until the summit.\n",
    );
    t.page("europe/today.md", "title = \"Today\"\ndate = 2020-01-01", "Published.\n");
    t.build().assert_ok();
    assert!(!t.public("europe/summit/index.html").exists(), "a page dated in the future was published");
    assert!(t.public("europe/today/index.html").exists());
    for file in ["europe/index.html", "sitemap.xml", "atom.xml"] {
        assert!(!t.read(file).contains("summit"), "{file} lists the embargoed page");
    }
    assert!(!crate::support::search_text(&t.public("")).contains("summit"), "the search index lists it");
    assert!(!t.public("topics/embargo/index.html").exists());

    t.run(&["build", "--future"]).assert_ok();
    assert!(t.public("europe/summit/index.html").exists());
    assert!(t.read("europe/index.html").contains("The 2999 summit"));

    // A link to it is a link to an unpublished page.
    t.page("europe/today.md", "title = \"Today\"\ndate = 2020-01-01", "See [the summit](@/europe/summit.md).\n");
    let run = t.build();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stderr().contains("not published"), "{}", run.stderr());
    t.run(&["check", "--future"]).assert_ok();
}

#[test]
fn expired_pages_are_not_published() {
    let t = SiteTest::new();
    t.page("old-offer.md", "title = \"Old offer\"\nexpiry = 2001-01-01", "Gone.\n");
    t.page("running-offer.md", "title = \"Running offer\"\nexpiry = 2999-01-01", "Still here.\n");
    t.build().assert_ok();
    assert!(!t.public("old-offer/index.html").exists(), "an expired page was published");
    assert!(t.public("running-offer/index.html").exists());
    assert!(!t.read("index.html").contains("Old offer"));
    assert!(!t.read("sitemap.xml").contains("old-offer"));
    t.run(&["build", "--drafts", "--future"]).assert_ok();
    assert!(!t.public("old-offer/index.html").exists(), "--drafts and --future do not revive expired pages");
}

#[test]
fn raw_html_in_articles_can_be_escaped_or_dropped() {
    let t = SiteTest::new();
    let body = "Intro with <b>bold</b> text.\n\n<script>alert(\"owned\")</script>\n\n{% note(kind=\"warn\") %}Note body.{% end %}\n";
    t.page("copy.md", "title = \"Copy\"", body);

    t.build().assert_ok();
    let kept = t.read("copy/index.html");
    assert!(kept.contains("<script>alert(\"owned\")</script>"), "raw_html = keep is the default:\n{kept}");

    t.file("config.toml", &CONFIG.replacen("[markdown]\n", "[markdown]\nraw_html = \"escape\"\n", 1));
    t.build().assert_ok();
    let escaped = t.read("copy/index.html");
    assert!(!escaped.contains("<script>alert"), "{escaped}");
    assert!(escaped.contains("&lt;script&gt;alert"), "{escaped}");
    assert!(escaped.contains("&lt;b&gt;bold&lt;/b&gt;"), "{escaped}");
    assert!(escaped.contains("<aside class=\"note\" data-kind=\"warn\">"), "shortcode output stays:\n{escaped}");

    t.file("config.toml", &CONFIG.replacen("[markdown]\n", "[markdown]\nraw_html = \"drop\"\n", 1));
    t.build().assert_ok();
    let dropped = t.read("copy/index.html");
    assert!(!dropped.contains("alert"), "{dropped}");
    assert!(!dropped.contains("<b>"), "{dropped}");
    assert!(dropped.contains("Intro with bold text."), "{dropped}");
    assert!(dropped.contains("<aside class=\"note\" data-kind=\"warn\">"), "{dropped}");
}
