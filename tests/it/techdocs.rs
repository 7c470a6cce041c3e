//! Technical documentation is not spun prose: math, code, shortcodes and
//! attribute lists pass through every command untouched, and the corrector
//! changes nothing but typography in the prose around them.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use attache::correct::Corrector;

use crate::support::SiteTest;

/// Our own LaTeX-heavy page: every construct that used to be read as spintax
/// or as words.
const LATEX_PAGE: &str = r#"+++
title = "Sums, limits and aligned equations"
+++
The sum $\sum_{i=1}^{n} x_i$ grows with $n$, and $e^{i\pi} + 1 = 0$ is the classic identity.
Display math works the same way:

$$
\begin{align*}
f(x) &= \frac{a}{b} \\
g(x) &= \sqrt{x^{2} + 1}
\end{align*}
$$

\begin{equation}
\binom{n}{k} = \frac{n!}{k!(n-k)!}
\end{equation}

Inline \(x^{2}\) and display \[ \int_{0}^{1} f(t)\,dt \] forms are both accepted.

- The first item has `{code: "braces"}` in it.
- The second item uses `{{ page.title }}` in a template.
{: .note .info}

{{< hint info >}}
Hints hold "quoted" prose -- with typography.
{{< /hint >}}

## Options {#options .wide}

Tickets cost $5 and $10 for two. Escaped \--- dashes stay.
Set {n+1 \choose k} or {i=1} aside; see https://example.org/a--b for more.
"#;

/// Pieces of [`LATEX_PAGE`] that must come out byte for byte.
const VERBATIM: &[&str] = &[
    r"$\sum_{i=1}^{n} x_i$",
    r"$e^{i\pi} + 1 = 0$",
    "\\begin{align*}\nf(x) &= \\frac{a}{b} \\\\\ng(x) &= \\sqrt{x^{2} + 1}\n\\end{align*}",
    "\\binom{n}{k} = \\frac{n!}{k!(n-k)!}",
    r"\(x^{2}\)",
    r"\[ \int_{0}^{1} f(t)\,dt \]",
    r#"`{code: "braces"}`"#,
    "`{{ page.title }}`",
    "{: .note .info}",
    "{{< hint info >}}",
    "{#options .wide}",
    "$5 and $10",
    r"\--- dashes",
    r"{n+1 \choose k}",
    "{i=1}",
    "https://example.org/a--b",
];

fn attache_stdin(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run attache");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn correct_changes_nothing_but_typography_on_a_latex_page() {
    let (code, json, err) = attache_stdin(&["correct", "--format", "json", "-"], LATEX_PAGE);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["spun"], false, "{json}");
    for c in v["changes"].as_array().expect("changes") {
        assert_eq!(c["rule"], "typography", "only typography may change: {c}");
    }
    let (code, out, err) = attache_stdin(&["correct", "-"], LATEX_PAGE);
    assert_eq!(code, 0, "{err}");
    for piece in VERBATIM {
        assert!(out.contains(piece), "{piece:?} changed:\n{out}");
    }
    // The prose around it still gets its typography.
    assert!(out.contains("“quoted” prose — with typography"), "{out}");
}

#[test]
fn build_check_and_fix_leave_math_and_markup_alone() {
    let site = |correct: &str| {
        let t = SiteTest::new();
        let config = std::fs::read_to_string(t.root().join("config.toml")).expect("config");
        t.file("config.toml", &format!("{config}\n[correct]\n{correct}\n"));
        t.file("content/math.md", LATEX_PAGE);
        t
    };
    // With typography off, correction must leave the page exactly as written.
    let on = site("typography = false");
    on.build().assert_ok();
    let off = site("enabled = false");
    off.build().assert_ok();
    assert_eq!(on.read("math/index.html"), off.read("math/index.html"), "build changed the page");
    let check = on.run(&["check"]);
    assert!(!check.stdout().contains("spin/"), "{}", check.stdout());
    on.run(&["fix"]).assert_ok();
    let after = std::fs::read_to_string(on.root().join("content/math.md")).expect("read back");
    assert_eq!(after, LATEX_PAGE, "fix rewrote the page");
}

#[test]
fn bad_technical_input_does_not_panic() {
    let all_math = "$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$\n\n$x$ $y^{2}$ $\\{a|b\\}$\n";
    let unbalanced = "Text \\frac{a}{ and $\\sqrt{x$ and \\begin{align} never ends {so it|goes}\n\n$$ x {\n";
    let nested =
        "> - A list in a quote with `{braces|inside} code` and {that a} leftover.\n>   - `\\begin{x}` {: .note}\n";
    for input in [all_math, unbalanced, nested] {
        let (code, out, err) = attache_stdin(&["correct", "-"], input);
        assert_eq!(code, 0, "{input:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.is_empty());
    }
    let (_, out, _) = attache_stdin(&["correct", "-"], all_math);
    assert_eq!(out, all_math, "a document that is all math is left alone");
    let (_, out, _) = attache_stdin(&["correct", "-"], nested);
    assert!(out.contains("`{braces|inside} code`"), "{out}");
}

/// `../shared/corpus/techdocs` beside the repository (or `$ATTACHE_SHARED/corpus/techdocs`).
/// Missing: a message, and a failure only when `ATTACHE_REQUIRE_SHARED=1` (CI sets it).
fn techdocs_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("ATTACHE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let dir = shared.join("corpus/techdocs");
    if dir.join("MANIFEST.tsv").is_file() {
        return Some(dir);
    }
    let msg = format!("{} is missing: the techdocs test needs ../shared beside the repository", dir.display());
    if std::env::var("ATTACHE_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!("{msg} (ATTACHE_REQUIRE_SHARED=1)");
    }
    eprintln!("note: {msg}; not checked (set ATTACHE_REQUIRE_SHARED=1 to fail instead)");
    None
}

#[test]
fn techdocs_test_split_is_not_spun_and_keeps_its_markup() {
    let Some(dir) = techdocs_dir() else { return };
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut head = manifest.lines().next().unwrap_or("").split('\t');
    let split = head.position(|c| c == "split").expect("split column");
    let corrector = Corrector::builtin("en").expect("built-in data");
    let (mut files, mut problems) = (0, Vec::new());
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.get(split) != Some(&"test") {
            continue;
        }
        let path = dir.join(cols[0]);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        files += 1;
        let report = corrector.check(&text, &corrector.options(&[]));
        if report.spun {
            problems.push(format!("{}: judged spun", cols[0]));
        }
        let markup = attache::correct::audit::markup_ranges(&text);
        for c in report.changes.iter().filter(|c| c.applied) {
            if markup.iter().any(|m| m.start < c.span.end && c.span.start < m.end) {
                problems.push(format!("{}: “{}” → “{}” inside math/markup/code", cols[0], c.before, c.after));
            } else if c.rule != "typography" && c.rule != "spelling" {
                problems.push(format!("{}: “{}” → “{}” ({})", cols[0], c.before, c.after, c.rule));
            }
        }
    }
    assert!(files > 100, "only {files} test-split files in {}", dir.display());
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
