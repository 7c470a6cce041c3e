//! Property tests: the corrector never panics, and what it publishes is exactly
//! the source with the reported changes applied.

use attache::correct::{self, Corrector};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "The ",
    "court docket ",
    "particular grasp ",
    "historical past ",
    "essentially the most ",
    "mentioned ",
    "Kiev ",
    "the Ukraine ",
    "\"quoted\" ",
    "'single' ",
    "-- ",
    "... ",
    "  ",
    " ,",
    "{that a} ",
    "{unbalanced ",
    "}",
    "{{ sc(a=\"b\") }}",
    "{% box() %}",
    "{% end %}",
    "`code` ",
    "```\ncode block\n```\n",
    "\n\n",
    "\r\n",
    "> quote ",
    "# Heading ",
    "- item ",
    "| a | b |\n|---|---|\n| c | d |\n",
    "[link](https://x.org/court-docket) ",
    "![alt](a.png) ",
    "<!-- attache:ignore -->",
    "<!-- attache:end -->",
    "<div>html</div>\n",
    "é ",
    "Россия ",
    "🙂 ",
    "\u{feff}",
    "+++\n",
    "title = \"x\"\n",
    "---\n",
    "&amp; ",
    "\\* ",
    "goverment ",
    "U.S. ",
    "a ",
    "an ",
    "hand-picked poll ",
];

#[test]
fn random_markdown_never_panics_and_changes_are_consistent() {
    let corrector = Corrector::builtin("en").expect("built-in data");
    let mut rng = Rng(0x2545F4914F6CDD1D);
    for _ in 0..400 {
        let n = (rng.next() % 60) as usize;
        let text: String = (0..n).map(|_| rng.pick(PIECES)).collect();
        let report = corrector.check(&text, &corrector.options(&[]));
        let mut last = 0;
        for c in report.changes.iter().filter(|c| c.applied) {
            assert!(c.span.start >= last, "overlapping changes in {text:?}");
            assert!(text.is_char_boundary(c.span.start) && text.is_char_boundary(c.span.end));
            assert_eq!(&text[c.span.clone()], c.before, "before does not match the source in {text:?}");
            last = c.span.end;
        }
        // Published text = source with the applied changes, and nothing else.
        let published = correct::apply(&text, &report.changes);
        let mut rebuilt = String::new();
        let mut at = 0;
        for c in report.changes.iter().filter(|c| c.applied) {
            rebuilt.push_str(&text[at..c.span.start]);
            rebuilt.push_str(&c.after);
            at = c.span.end;
        }
        rebuilt.push_str(&text[at..]);
        assert_eq!(published, rebuilt);
        // Correcting twice changes nothing more in spin terms (convergence).
        let again = corrector.check(&published, &corrector.options(&[]));
        assert!(
            !again
                .changes
                .iter()
                .any(|c| c.applied && c.rule == "spin/spintax" && published[c.span.clone()].contains("{{")),
            "shortcodes must never be treated as spintax"
        );
    }
}

#[test]
fn a_ten_megabyte_article_is_corrected() {
    let corrector = Corrector::builtin("en").expect("built-in data");
    let para = "Officials said the talks in Kiev would resume after the summit, and the ministers agreed.\n\n";
    let text = para.repeat(10_000_000 / para.len());
    let report = corrector.check(&text, &corrector.options(&[]));
    assert!(!report.spun);
    let out = correct::apply(&text, &report.changes);
    assert!(out.starts_with("Officials said the talks in Kyiv would resume"), "{}", &out[..120]);
    assert_eq!(out.len(), text.len(), "Kiev and Kyiv have the same length");
}

/// Pieces of technical documentation: math, TeX, shortcodes of several
/// generators, attribute lists, escapes, code with braces, and prose with
/// straight quotes and double hyphens around them.
const TECH_PIECES: &[&str] = &[
    "The sum ",
    "$\\sum_{i=1}^{n} x_i$ ",
    "$e^{i\\pi}$",
    "$$\n\\begin{align*}\na &= b \\\\\nc &= d\n\\end{align*}\n$$\n",
    "\\begin{equation}x{y\\end{equation}",
    "\\(x^{2}\\) ",
    "\\[ \\int_0^1 f \\] ",
    "costs $5 and $10 ",
    "{: .note .info}\n",
    "{#id .class} ",
    "{ .md-button } ",
    "{{< hint info >}}",
    "{{< /hint >}}",
    "{{% notice %}}",
    "{% raw %}{{ x }}{% endraw %}",
    "{% include a.html %}",
    "{{ page.title }}",
    "`{code|braces}` ",
    "```\nfn f() { {a|b} }\n```\n",
    "\\\" ",
    "\\--- ",
    "\"quoted\" ",
    "it's ",
    "-- ",
    "... ",
    "{that a} ",
    "{the|a} ",
    "{",
    "}",
    "$",
    "\\",
    "https://example.org/a--b ",
    "content/posts/a.md ",
    "--flag ",
    "mentioned ",
    "court docket ",
    "\n\n",
    "\n",
    "> ",
    "- ",
    "1. ",
    "# ",
    "| a | $b_{1}$ |\n|---|---|\n| `c` | d -- e |\n",
    "<div>x</div>\n",
    "<kbd>Ctrl</kbd> ",
    "[link \"t\"](https://x.org) ",
    "    indented code\n",
];

/// The kinds of the events pulldown-cmark sees, text merged and its content ignored.
fn structure(text: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser};
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut out: Vec<String> = Vec::new();
    for e in Parser::new_ext(text, opts) {
        let kind = match e {
            Event::Start(t) => format!("start {:?}", std::mem::discriminant(&t)),
            Event::End(t) => format!("end {t:?}"),
            Event::Text(_) => "text".into(),
            other => format!("{:?}", std::mem::discriminant(&other)),
        };
        if kind == "text" && out.last().is_some_and(|k| k == "text") {
            continue;
        }
        out.push(kind);
    }
    out
}

#[test]
fn corrected_technical_markdown_keeps_its_structure() {
    let corrector = Corrector::builtin("en").expect("built-in data");
    let mut rng = Rng(0x9E3779B97F4A7C15);
    for _ in 0..400 {
        let n = (rng.next() % 40) as usize;
        let text: String = (0..n).map(|_| rng.pick(TECH_PIECES)).collect();
        let report = corrector.check(&text, &corrector.options(&[]));
        let published = correct::apply(&text, &report.changes);
        assert_eq!(structure(&published), structure(&text), "structure changed:\n{text:?}\n→\n{published:?}");
        // Math, code and markup come out as they went in.
        for piece in ["\\sum_{i=1}^{n} x_i", "{: .note .info}", "{{< hint info >}}", "`{code|braces}`"] {
            assert_eq!(
                text.matches(piece).count(),
                published.matches(piece).count(),
                "{piece:?} changed:\n{text:?}\n→\n{published:?}"
            );
        }
    }
}
