//! Zola compatibility, measured: each theme in `../shared/zola-themes/` (six
//! real Zola themes with what Zola 0.22.1 produced from their demo sites) is
//! copied to a temp dir, built with `attache build` unchanged, and compared
//! with Zola's records: which of Zola's output paths we write, and for each of
//! Zola's HTML pages whether the title and the h1–h3 headings match once the
//! corrector's typography (quotes, apostrophes, dashes, ellipses, French
//! spaces) is folded away.
//!
//! The table goes to `target/zola-compat.txt` and to stderr on every run. The
//! assertions are a ratchet ([`RATCHET`]): they hold what already works, and
//! are raised as features land.
//!
//! The themes are third-party and are only read here, never copied into the
//! repository. Where `../shared` is absent the test prints "skipped" and passes,
//! unless `ATTACHE_REQUIRE_SHARED=1` (CI) makes that a failure.
//! `ATTACHE_SHARED_DIR` points at another `shared/` (e.g. from a worktree).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The themes, in the README's order.
const THEMES: &[&str] = &["apollo", "cela", "easydocs", "kita", "portio-zola", "zap"];

/// What each theme must reach today. Raise these as features land; never lower.
struct Expect {
    /// `config.toml`/`zola.toml` parses: no `config/…` error.
    config_parses: bool,
    /// `attache build` exits 0.
    builds: bool,
    /// Percent of Zola's output paths present.
    min_paths_pct: f64,
    /// Percent of Zola's HTML pages with the same title and headings.
    min_pages_pct: f64,
}

const RATCHET: &[(&str, Expect)] = &[
    ("apollo", Expect { config_parses: true, builds: true, min_paths_pct: 98.0, min_pages_pct: 65.0 }),
    ("cela", Expect { config_parses: true, builds: true, min_paths_pct: 70.0, min_pages_pct: 38.0 }),
    ("easydocs", Expect { config_parses: true, builds: true, min_paths_pct: 95.0, min_pages_pct: 35.0 }),
    ("kita", Expect { config_parses: true, builds: true, min_paths_pct: 85.0, min_pages_pct: 45.0 }),
    ("portio-zola", Expect { config_parses: true, builds: true, min_paths_pct: 74.0, min_pages_pct: 30.0 }),
    ("zap", Expect { config_parses: true, builds: true, min_paths_pct: 95.0, min_pages_pct: 80.0 }),
];

/// A build may not take longer than this (a hang is a failure, not a stuck CI).
const BUILD_TIMEOUT: Duration = Duration::from_secs(300);

#[test]
fn zola_themes_build_unchanged() {
    let shared = shared_dir();
    let themes_dir = shared.join("zola-themes");
    let required = std::env::var("ATTACHE_REQUIRE_SHARED").is_ok_and(|v| v == "1");
    if !themes_dir.is_dir() {
        assert!(!required, "ATTACHE_REQUIRE_SHARED=1 but {} is missing", themes_dir.display());
        say("skipped: ../shared/zola-themes not found\n");
        return;
    }
    let results: Vec<ThemeResult> = THEMES.iter().map(|t| measure(&themes_dir, t)).collect();
    let report = render_report(&results);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let _ = std::fs::create_dir_all(&target);
    let _ = std::fs::write(target.join("zola-compat.txt"), &report);
    say(&report);

    let mut failures = Vec::new();
    for r in &results {
        let Some((_, want)) = RATCHET.iter().find(|(n, _)| *n == r.theme) else { continue };
        if want.config_parses && !r.config_parses {
            failures.push(format!("{}: config no longer parses", r.theme));
        }
        if want.builds && !r.builds {
            failures.push(format!("{}: no longer builds", r.theme));
        }
        if r.paths_pct() + 1e-9 < want.min_paths_pct {
            failures.push(format!("{}: paths {:.1}% < {}%", r.theme, r.paths_pct(), want.min_paths_pct));
        }
        if r.pages_pct() + 1e-9 < want.min_pages_pct {
            failures.push(format!("{}: pages {:.1}% < {}%", r.theme, r.pages_pct(), want.min_pages_pct));
        }
    }
    assert!(failures.is_empty(), "Zola compatibility regressed:\n{}", failures.join("\n"));
}

/// Write straight to stderr, past the test harness's capture, so the table is
/// printed on every run, passing or not.
fn say(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// `../shared` beside the checkout, or `ATTACHE_SHARED_DIR`.
fn shared_dir() -> PathBuf {
    match std::env::var_os("ATTACHE_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// One theme's build and comparison.
#[derive(Default)]
struct ThemeResult {
    theme: String,
    config_parses: bool,
    builds: bool,
    /// Diagnostic headlines (`error[code]: …`), in order.
    errors: Vec<String>,
    warnings: Vec<String>,
    zola_paths: usize,
    present_paths: usize,
    missing: Vec<String>,
    extra: Vec<String>,
    zola_pages: usize,
    titles_match: usize,
    headings_match: usize,
    /// Both title and headings match.
    pages_match: usize,
    /// `path: ours ≠ zola` lines for the first mismatches.
    mismatches: Vec<String>,
    /// Why nothing could be measured (no python3, …).
    note: Option<String>,
}

impl ThemeResult {
    fn paths_pct(&self) -> f64 {
        pct(self.present_paths, self.zola_paths)
    }
    fn pages_pct(&self) -> f64 {
        pct(self.pages_match, self.zola_pages)
    }
}

fn pct(n: usize, of: usize) -> f64 {
    if of == 0 { 100.0 } else { 100.0 * n as f64 / of as f64 }
}

/// Copy, build, measure and compare one theme.
fn measure(themes_dir: &Path, theme: &str) -> ThemeResult {
    let mut r = ThemeResult { theme: theme.to_string(), ..Default::default() };
    let src = themes_dir.join(theme);
    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join(theme);
    copy_theme(&src, &site);

    let (code, stderr) = build(&site, tmp.path());
    for line in stderr.lines() {
        if line.starts_with("error[") {
            r.errors.push(line.to_string());
        } else if line.starts_with("warning[") {
            r.warnings.push(line.to_string());
        } else if line.starts_with("error:") && !line.contains("was not built") {
            r.errors.push(line.to_string());
        }
    }
    r.builds = code == Some(0);
    r.config_parses = !r.errors.iter().any(|e| e.starts_with("error[config/") || e.contains("config.toml"));

    let zola_files = read_lines(&src.join("zola-output-files.txt"));
    let zola_text = read_tsv(&src.join("zola-output-text.tsv"));
    r.zola_paths = zola_files.len();
    r.zola_pages = zola_text.len();

    let out = site.join("public");
    let ours_files = tmp.path().join("files.txt");
    let ours_tsv = tmp.path().join("text.tsv");
    if out.is_dir() {
        let ran = Command::new("python3")
            .arg(themes_dir.join("tools/output_text.py"))
            .arg(&out)
            .arg(&ours_files)
            .arg(&ours_tsv)
            .status();
        if !ran.is_ok_and(|s| s.success()) {
            r.note = Some("python3 tools/output_text.py failed".into());
        }
    }
    let ours: Vec<String> = if ours_files.exists() { read_lines(&ours_files) } else { Vec::new() };
    let ours_text = if ours_tsv.exists() { read_tsv(&ours_tsv) } else { BTreeMap::new() };
    compare_paths(&mut r, &zola_files, &ours);
    compare_pages(&mut r, &zola_text, &ours_text);
    r
}

/// The theme folder without Zola's record files (`zola-*`), made writable.
fn copy_theme(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let rel = e.path().strip_prefix(from).expect("inside");
        if rel.components().count() == 1 && rel.to_string_lossy().starts_with("zola-") {
            continue;
        }
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &dest).expect("copy");
            let mut perms = std::fs::metadata(&dest).expect("stat").permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            let _ = std::fs::set_permissions(&dest, perms);
        }
    }
}

/// `attache build` in `site`, unchanged; its exit code (`None`: killed after
/// [`BUILD_TIMEOUT`]) and stderr.
fn build(site: &Path, scratch: &Path) -> (Option<i32>, String) {
    let err_path = scratch.join("stderr.txt");
    let out_path = scratch.join("stdout.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_attache"))
        .arg("build")
        .current_dir(site)
        .env("NO_COLOR", "1")
        .stdout(Stdio::from(std::fs::File::create(&out_path).expect("stdout file")))
        .stderr(Stdio::from(std::fs::File::create(&err_path).expect("stderr file")))
        .spawn()
        .expect("run attache");
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if start.elapsed() > BUILD_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    if code.is_none() {
        stderr.push_str("error: build timed out\n");
    }
    (code, stderr)
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// `path → (title, headings)` from an `output_text.py` TSV.
fn read_tsv(path: &Path) -> BTreeMap<String, (String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let p = cols.next()?;
            let title = cols.next().unwrap_or_default();
            let heads = cols.next().unwrap_or_default();
            Some((p.to_string(), (title.to_string(), heads.to_string())))
        })
        .collect()
}

/// Paths of Zola's present in ours. `processed_images/` is matched by stem and
/// count: the hash in Zola's names is Zola's own.
fn compare_paths(r: &mut ThemeResult, zola: &[String], ours: &[String]) {
    let ours_set: BTreeSet<&str> = ours.iter().map(String::as_str).collect();
    let mut our_images: BTreeMap<String, usize> = BTreeMap::new();
    for p in ours.iter().filter(|p| p.starts_with("processed_images/")) {
        *our_images.entry(image_stem(p)).or_default() += 1;
    }
    let zola_set: BTreeSet<&str> = zola.iter().map(String::as_str).collect();
    for p in zola {
        let present = if p.starts_with("processed_images/") {
            match our_images.get_mut(&image_stem(p)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            }
        } else {
            ours_set.contains(p.as_str())
        };
        if present {
            r.present_paths += 1;
        } else {
            r.missing.push(p.clone());
        }
    }
    r.extra = ours
        .iter()
        .filter(|p| !zola_set.contains(p.as_str()) && !p.starts_with("processed_images/"))
        .cloned()
        .collect();
}

/// `processed_images/photo.05d0d1570fe67adf.webp` → `photo`.
fn image_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts: Vec<&str> = name.split('.').collect();
    if parts.len() >= 3 {
        parts.truncate(parts.len() - 2);
    } else if parts.len() == 2 {
        parts.truncate(1);
    }
    parts.join(".")
}

fn compare_pages(
    r: &mut ThemeResult,
    zola: &BTreeMap<String, (String, String)>,
    ours: &BTreeMap<String, (String, String)>,
) {
    for (path, (z_title, z_heads)) in zola {
        let Some((o_title, o_heads)) = ours.get(path) else { continue };
        let title_ok = fold(o_title) == fold(z_title);
        let heads_ok = fold(o_heads) == fold(z_heads);
        r.titles_match += usize::from(title_ok);
        r.headings_match += usize::from(heads_ok);
        r.pages_match += usize::from(title_ok && heads_ok);
        if !title_ok {
            r.mismatches.push(format!("{path}: title {o_title:?} ≠ zola {z_title:?}"));
        }
        if !heads_ok {
            r.mismatches.push(format!("{path}: headings {:?} ≠ zola {:?}", clip(o_heads), clip(z_heads)));
        }
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 120 { format!("{}…", s.chars().take(120).collect::<String>()) } else { s.to_string() }
}

/// Fold away the corrector's typography: every quote and apostrophe to `'`,
/// every dash (and run of dashes) to `-`, `…` to `...`, and the spaces French
/// typography puts before `; : ! ? »` and after `«`.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let space = c.is_whitespace();
        if space && chars.get(i + 1).is_some_and(|n| matches!(n, ';' | ':' | '!' | '?' | '»' | '›')) {
            continue;
        }
        if space && i > 0 && matches!(chars[i - 1], '«' | '‹') {
            continue;
        }
        match c {
            '"' | '\'' | '‘' | '’' | '‚' | '‛' | '“' | '”' | '„' | '‟' | '«' | '»' | '‹' | '›' | '′' | '″' => {
                out.push('\'')
            }
            '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => {
                if !out.ends_with('-') {
                    out.push('-');
                }
            }
            '…' => out.push_str("..."),
            _ if space => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// The table, then per-theme details.
fn render_report(results: &[ThemeResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Zola compatibility: six gallery themes built unchanged, compared with Zola 0.22.1\n");
    let _ = writeln!(
        s,
        "{:<12} {:<7} {:<7} {:>6} {:>6} {:>16} {:>6} {:>12} {:>12} {:>12}",
        "theme", "config", "builds", "errors", "warns", "zola paths", "extra", "titles", "headings", "pages"
    );
    for r in results {
        let _ = writeln!(
            s,
            "{:<12} {:<7} {:<7} {:>6} {:>6} {:>16} {:>6} {:>12} {:>12} {:>12}",
            r.theme,
            if r.config_parses { "ok" } else { "FAIL" },
            if r.builds { "yes" } else { "no" },
            r.errors.len(),
            r.warnings.len(),
            format!("{}/{} {:.0}%", r.present_paths, r.zola_paths, r.paths_pct()),
            r.extra.len(),
            format!("{}/{} {:.0}%", r.titles_match, r.zola_pages, pct(r.titles_match, r.zola_pages)),
            format!("{}/{} {:.0}%", r.headings_match, r.zola_pages, pct(r.headings_match, r.zola_pages)),
            format!("{}/{} {:.0}%", r.pages_match, r.zola_pages, r.pages_pct()),
        );
    }
    let _ = writeln!(
        s,
        "\n(titles/headings/pages: of Zola's HTML pages, a missing page counts as a mismatch; \
         pages = title and headings both match)"
    );
    for r in results {
        let _ = writeln!(s, "\n== {}", r.theme);
        if let Some(note) = &r.note {
            let _ = writeln!(s, "note: {note}");
        }
        list(&mut s, "errors", &r.errors, 20);
        list(&mut s, "warnings", &r.warnings, 10);
        list(&mut s, "missing (of Zola's paths)", &r.missing, 25);
        list(&mut s, "extra (Attaché's own)", &r.extra, 15);
        list(&mut s, "title/heading mismatches", &r.mismatches, 15);
    }
    s
}

fn list(s: &mut String, what: &str, items: &[String], max: usize) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "{what}: {}", items.len());
    for i in items.iter().take(max) {
        let _ = writeln!(s, "  {i}");
    }
    if items.len() > max {
        let _ = writeln!(s, "  … {} more", items.len() - max);
    }
}
