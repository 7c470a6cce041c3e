//! Test harness: a site in a temporary directory, built by the real binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

pub const CONFIG: &str = r#"title = "Test site"
description = "A fixture."
base_url = "https://example.org"
theme = "plain"

[taxonomies.topics]
feed = true

[taxonomies.countries]
allowed = "countries.txt"
paginate_by = 2
"#;

pub struct SiteTest {
    pub dir: tempfile::TempDir,
}

/// Run result of the binary.
pub struct Run {
    pub out: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    pub fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.code(), 0, "stdout:\n{}\nstderr:\n{}", self.stdout(), self.stderr());
        self
    }
}

impl SiteTest {
    /// A site with the fixture theme, `CONFIG`, and a home section.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let t = SiteTest { dir };
        copy_dir(&fixtures().join("theme"), &t.root().join("themes/plain"));
        t.file("config.toml", CONFIG);
        t.file("countries.txt", "# allowed\nBelarus\nUkraine\nPoland\n");
        t.file("content/_index.md", "+++\ntitle = \"Home\"\n+++\nWelcome home.\n");
        t
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub fn file(&self, rel: &str, text: &str) -> &Self {
        self.bytes(rel, text.as_bytes())
    }

    pub fn bytes(&self, rel: &str, bytes: &[u8]) -> &Self {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
        self
    }

    /// An article with TOML front matter.
    pub fn page(&self, rel: &str, front: &str, body: &str) -> &Self {
        self.file(&format!("content/{rel}"), &format!("+++\n{front}\n+++\n{body}"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_attache"))
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .output()
            .expect("run attache");
        Run { out }
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn public(&self, rel: &str) -> PathBuf {
        self.root().join("public").join(rel)
    }

    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.public(rel)).unwrap_or_else(|e| panic!("public/{rel}: {e}"))
    }

    #[track_caller]
    pub fn html(&self, rel: &str) -> Html {
        Html::parse_document(&self.read(rel))
    }

    /// Every file of public/ with its bytes, to compare builds.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(&self.root().join("public"))
    }
}

pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
            out.insert(rel, std::fs::read(e.path()).expect("read"));
        }
    }
    out
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let rel = e.path().strip_prefix(from).expect("inside");
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// Texts of the elements matching `css`.
pub fn texts(doc: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).expect("selector");
    doc.select(&sel).map(|e| e.text().collect::<String>().trim().to_string()).collect()
}

/// An attribute of the elements matching `css`.
pub fn attrs(doc: &Html, css: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(css).expect("selector");
    doc.select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_string)).collect()
}

/// Build the sample site (the repository root) into a fresh temporary directory.
#[track_caller]
pub fn build_sample(extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("temp dir");
    let run = Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(["build", "-q"])
        .args(extra)
        .arg("--root")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .arg("-o")
        .arg(out.path())
        .output()
        .expect("run attache");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    out
}
