//! The first hour of a new user (issue 17): install hints, scaffolded deploy
//! files, messages, migration hints and `attache new`.

use std::process::Command;

use crate::support::SiteTest;

/// `attache init` into a fresh temporary directory.
fn init_site() -> (SiteTest, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_attache")).arg("init").arg(dir.path()).output().expect("run attache");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (SiteTest { dir }, String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn init_says_serve_and_deploy_files_take_the_repository_from_one_setting() {
    let (t, said) = init_site();
    assert!(said.contains("attache serve"), "{said}");
    let root = t.root();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    // GitHub Pages: the repository and version are set once, at the top; the
    // binary is cached under the version; nothing installs from a made-up URL.
    let text = read(".github/workflows/pages.yml");
    assert!(!text.contains("attache-ssg"), "{text}");
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    assert!(workflow["env"]["ATTACHE_REPO"].is_string());
    let version = workflow["env"]["ATTACHE_VERSION"].as_str().expect("version");
    assert_eq!(version, format!("v{}", env!("CARGO_PKG_VERSION")));
    let steps = format!("{:?}", workflow["jobs"]["build"]["steps"]);
    assert!(steps.contains("actions/cache") && steps.contains("env.ATTACHE_VERSION"), "{steps}");
    assert!(steps.contains("cache-hit") && steps.contains("\\\"$ATTACHE_REPO\\\""), "{steps}");
    // Netlify: the same two settings, a cache, no wholesale immutable CSS.
    let netlify: toml::Table = read("netlify.toml").parse().expect("TOML");
    let env = netlify["build"]["environment"].as_table().expect("[build.environment]");
    assert!(env.contains_key("ATTACHE_REPO") && env.contains_key("ATTACHE_VERSION"));
    assert!(netlify["build"]["command"].as_str().unwrap().contains("$ATTACHE_REPO"));
    assert!(!read("netlify.toml").contains("/*.css"));
    assert!(!root.join("static/.gitkeep").exists(), "static/ is not empty: it has _headers");
}

#[test]
fn headers_mark_only_fingerprinted_assets_immutable() {
    let (t, _) = init_site();
    t.run(&["build", "--base-url", "https://example.net/sub/"]).assert_ok();
    let headers = t.read("_headers");
    assert!(!headers.contains("/*.css") && !headers.contains("/*.js"), "{headers}");
    assert!(!headers.contains("attache: fingerprinted"), "the marker is expanded: {headers}");
    let rules: Vec<&str> = headers.lines().filter(|l| l.starts_with('/')).collect();
    assert!(!rules.is_empty(), "{headers}");
    let fingerprinted = regex::Regex::new(r"^/sub/[\w/-]+\.[0-9a-f]{10}\.(css|js)$").unwrap();
    for rule in &rules {
        assert!(fingerprinted.is_match(rule), "`{rule}` is not a fingerprinted name");
        assert!(t.public(rule.trim_start_matches("/sub/")).is_file(), "{rule} is published");
    }
    assert!(rules.iter().any(|r| r.contains("/style.")), "{headers}");
    assert!(headers.contains("immutable"));
}

#[test]
fn serve_outside_a_site_exits_2_with_the_build_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |cmd: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_attache"));
        c.arg(cmd).current_dir(dir.path()).env("NO_COLOR", "1");
        if cmd == "serve" {
            c.args(["--port", "0"]);
        }
        // A serve that does not stop would hang the test: give it a deadline.
        let mut child = c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("`attache {cmd}` outside a site kept running");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (build_code, build_err) = run("build");
    let (serve_code, serve_err) = run("serve");
    assert_eq!(build_code, Some(2));
    assert_eq!(serve_code, Some(2), "{serve_err}");
    assert!(serve_err.contains("no config.toml (or zola.toml) in"), "{serve_err}");
    assert_eq!(serve_err, build_err);
}

#[test]
fn deploy_warns_while_base_url_is_the_placeholder() {
    let (t, _) = init_site();
    let run = t.run(&["deploy", "--to", "out"]);
    run.assert_ok();
    assert!(
        run.stderr().contains("warning: base_url is still the placeholder `https://example.org`"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("config.toml"), "{}", run.stderr());
    let config = std::fs::read_to_string(t.root().join("config.toml")).unwrap();
    std::fs::write(
        t.root().join("config.toml"),
        config.replace("https://example.org", "https://explainers.example.net/"),
    )
    .unwrap();
    let run = t.run(&["deploy", "--to", "out"]);
    run.assert_ok();
    assert!(!run.stderr().contains("placeholder"), "{}", run.stderr());
}

#[test]
fn the_sample_site_has_an_address_of_its_own() {
    let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml")).unwrap();
    let table: toml::Table = config.parse().unwrap();
    let url = table["base_url"].as_str().unwrap();
    assert!(!url.contains("example.org"), "{url}");
}

/// Spun prose in a file that sorts first, a broken link and a missing alt
/// text in one that sorts last: the notes must not come first.
fn site_with_notes_and_problems() -> SiteTest {
    let t = SiteTest::new();
    t.page(
        "aaa.md",
        "title = \"The historical past of the talks\"",
        "The court docket named a particular grasp, slightly than a panel.\n",
    );
    t.page("zzz.md", "title = \"Broken\"", "See [x](@/nope.md).\n\n![](a.png)\n");
    t
}

#[test]
fn check_lists_errors_then_warnings_then_notes_and_counts_each() {
    let t = site_with_notes_and_problems();
    let run = t.run(&["check"]);
    assert_eq!(run.code(), 1);
    let err = run.stderr();
    let lines: Vec<&str> = err.lines().collect();
    let first =
        |prefix: &str| lines.iter().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("{prefix}: {err}"));
    let last = |prefix: &str| lines.iter().rposition(|l| l.starts_with(prefix)).unwrap();
    assert!(last("error[") < first("warning["), "{err}");
    assert!(last("warning[") < first("note["), "{err}");
    let summary = err.lines().last().unwrap();
    assert_eq!(summary, "Checked 2 pages: 1 error, 1 warning, 4 notes (corrections).", "{err}");
}

#[test]
fn check_quiet_shows_only_errors_and_warnings() {
    let t = site_with_notes_and_problems();
    let run = t.run(&["check", "--quiet"]);
    assert_eq!(run.code(), 1);
    let err = run.stderr();
    assert!(err.contains("error[link/broken]") && err.contains("warning[a11y/missing-alt]"), "{err}");
    assert!(!err.contains("note["), "{err}");
    assert!(err.ends_with("Checked 2 pages: 1 error, 1 warning, 4 notes not shown (--quiet).\n"), "{err}");
}

#[test]
fn summaries_use_singular_and_say_what_changed_in_words() {
    let t = SiteTest::new();
    t.page("one.md", "title = \"One\"", "He said \"yes\" -- and left.\n");
    let run = t.build();
    run.assert_ok();
    let out = run.stdout();
    assert!(out.starts_with("Built 1 page, 1 section, "), "{out}");
    assert!(out.contains("Prose: wording unchanged; "), "{out}");
    assert!(!out.contains("Corrected 0 articles"), "{out}");
    assert!(!out.contains(" 1 pages") && !out.contains(" 1 articles") && !out.contains(" 1 files"), "{out}");
    let t = site_with_notes_and_problems();
    t.file("content/zzz.md", "+++\ntitle = \"Fine\"\n+++\nFine.\n");
    let out = t.build().assert_ok().stdout();
    assert!(out.contains("Prose: wording restored in 1 article (4 changes; 1 article looked machine-spun)"), "{out}");
    let check = t.run(&["check"]);
    assert!(check.stderr().ends_with("Checked 2 pages: no problems, 4 notes (corrections).\n"), "{}", check.stderr());
}

#[test]
fn hugo_shortcodes_get_a_warning_at_their_place_and_keep_straight_quotes() {
    let t = SiteTest::new();
    t.page(
        "maps.md",
        "title = \"Maps\"",
        "Intro.\n\n{{< figure src=\"map.png\" title=\"A map\" >}}\n\nSee {{% note %}}this{{% /note %}}.\n",
    );
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    assert!(err.contains("warning[shortcode/hugo]"), "{err}");
    assert!(err.contains("--> content/maps.md:6:1"), "{err}");
    assert!(err.contains("{{ figure(src=\"map.png\", title=\"A map\") }}"), "{err}");
    assert!(err.contains("--> content/maps.md:8:5"), "{err}");
    assert!(err.contains("{% end %}"), "{err}");
    assert!(!err.contains("is not a shortcode call"), "{err}");
    let html = t.read("maps/index.html");
    assert!(html.contains("figure src=\"map.png\" title=\"A map\""), "{html}");
    assert!(!html.contains('“'), "no curly quotes inside the braces: {html}");
}

#[test]
fn hugo_front_matter_keys_get_attache_spelling_in_the_file_syntax() {
    let t = SiteTest::new();
    t.page("toml.md", "title = \"T\"\nlastmod = 2024-05-01\ncategories = [\"Europe\"]", "Body.\n");
    t.file("content/yaml.md", "---\ntitle: Y\nlastmod: 2024-05-01\nsummary: Short.\ntags: [NATO]\n---\nBody.\n");
    let run = t.run(&["check"]);
    assert_eq!(run.code(), 1);
    let err = run.stderr();
    // TOML front matter: TOML suggestions.
    assert!(err.contains("--> content/toml.md:3:1"), "{err}");
    assert!(err.contains("write `updated = 2024-05-01`"), "{err}");
    assert!(err.contains("`[taxonomies]` then `categories = [\"Europe\"]`"), "{err}");
    // YAML front matter: YAML suggestions, never `key = value`.
    assert!(err.contains("--> content/yaml.md:3:1"), "{err}");
    assert!(err.contains("write `updated: 2024-05-01`"), "{err}");
    assert!(err.contains("`taxonomies:` then `  tags: [\"NATO\"]`"), "{err}");
    assert!(err.contains("`<!-- more -->`"), "{err}");
    let yaml_help: Vec<&str> = err.split("-->").filter(|block| block.contains("content/yaml.md")).collect();
    assert!(yaml_help.iter().all(|b| !b.contains("updated =") && !b.contains("[extra]")), "{err}");
}

#[test]
fn new_article_has_the_required_front_matter_builds_and_is_never_overwritten() {
    let t = SiteTest::new();
    let config = std::fs::read_to_string(t.root().join("config.toml")).unwrap();
    t.file(
        "config.toml",
        &format!("{config}\n[editorial]\nrequired_fields = [\"description\", \"authors\", \"date\"]\n"),
    );
    let run = t.run(&["new", "europe/my-article"]);
    run.assert_ok();
    assert!(run.stdout().contains("content/europe/my-article.md"), "{}", run.stdout());
    let path = t.root().join("content/europe/my-article.md");
    let text = std::fs::read_to_string(&path).expect("the article was created");
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d").to_string();
    for line in
        ["title = \"My article\"", &format!("date = {today}"), "draft = true", "description = \"", "authors = ["]
    {
        assert!(text.contains(line), "`{line}` missing:\n{text}");
    }
    // It builds with the site's requirements, as a draft.
    let build = t.run(&["build", "--drafts"]);
    build.assert_ok();
    assert!(!build.stderr().contains("fm/"), "{}", build.stderr());
    assert!(t.public("europe/my-article/index.html").is_file());
    t.build().assert_ok();
    assert!(!t.public("europe/my-article/index.html").exists(), "a draft until the editor says otherwise");
    // A second `new` refuses, names the file and leaves it byte for byte.
    std::fs::write(&path, "+++\ntitle = \"Edited\"\n+++\nMine.\n").unwrap();
    let again = t.run(&["new", "europe/my-article"]);
    assert_eq!(again.code(), 2);
    assert!(again.stderr().contains("content/europe/my-article.md already exists"), "{}", again.stderr());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "+++\ntitle = \"Edited\"\n+++\nMine.\n");
    // Outside content/ is refused.
    assert_eq!(t.run(&["new", "../escape"]).code(), 2);
}
