//! Test harness: a site in a temporary directory, built by the real binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

pub const CONFIG: &str = r#"title = "Test site"
description = "A fixture."
base_url = "https://example.org"
theme = "plain"
# Attaché's choices where Zola's defaults differ (as `attache init` writes them).
generate_feed = true
section_feeds = true
site_search = true
fingerprint_assets = true

[markdown]
smart_punctuation = true
heading_anchors = true

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

    /// A failed build reporting `error[code]` at `location` (`file:line:col`
    /// or a prefix of it), with a caret under the source when the location
    /// has a line (a whole file, such as a bundle's attachment, has none);
    /// returns stderr.
    #[track_caller]
    pub fn assert_error_at(&self, code: &str, location: &str) -> String {
        let err = self.stderr();
        assert_eq!(self.code(), 1, "expected a failed build:\n{err}");
        assert!(err.contains(&format!("error[{code}]")), "expected {code}:\n{err}");
        assert!(err.contains(&format!("--> {location}")), "expected --> {location}:\n{err}");
        if location.contains(':') {
            assert!(err.contains('^'), "expected a caret under the source:\n{err}");
        }
        err
    }
}

/// `GET path` on its own connection, written by hand so the path goes out
/// exactly as typed: (status, lower-cased head, body).
pub fn http_get(addr: &str, path: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).expect("a status");
    (status, head.to_ascii_lowercase(), body.to_string())
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

/// Every file of the search index (`search-index/`) of `public`, as one text:
/// for asserting what is, or is not, searchable.
pub fn search_text(public: &Path) -> String {
    snapshot(&public.join("search-index")).into_values().map(|b| String::from_utf8_lossy(&b).into_owned()).collect()
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

/// A long-running `attache` process (`serve`, `build --watch`) whose output
/// lines arrive on a channel; killed when dropped.
pub struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Running {
    pub fn start(root: &Path, args: &[&str]) -> Self {
        Self::start_with_env(root, args, &[])
    }

    /// As [`Running::start`], with extra environment variables (test knobs).
    pub fn start_with_env(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = Command::new(env!("CARGO_BIN_EXE_attache"))
            .args(args)
            .current_dir(root)
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start attache");
        let (tx, lines) = std::sync::mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx2.send(l);
            }
        });
        Running { child, lines }
    }

    /// Lines up to and including the first one containing any of `needles`.
    #[track_caller]
    pub fn wait_for(&self, needles: &[&str]) -> Vec<String> {
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    let hit = needles.iter().any(|n| l.contains(n));
                    seen.push(l);
                    if hit {
                        return seen;
                    }
                }
                Err(_) => panic!("no line with {needles:?}; saw:\n{}", seen.join("\n")),
            }
        }
    }

    /// Forget output already printed (stray rebuilds of an earlier step).
    pub fn drain(&self) -> Vec<String> {
        std::thread::sleep(std::time::Duration::from_millis(150));
        self.lines.try_iter().collect()
    }

    /// Ctrl-C, then wait: the exit status.
    pub fn interrupt(mut self) -> std::process::ExitStatus {
        // SAFETY: sending a signal to our own child process.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGINT);
        }
        let status = self.child.wait().expect("wait");
        std::mem::forget(self);
        status
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
