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
