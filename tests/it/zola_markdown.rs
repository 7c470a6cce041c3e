//! Zola's Markdown and output features, each on a small Zola-style fixture:
//! `bottom_footnotes`, `render_emoji`, inline or classed highlighting,
//! `minify_html` and `[link_checker]`. Assertions are on the parsed pages.

use scraper::{Html, Selector};

use crate::support::{SiteTest, attrs, texts};
use crate::zola::zola_site;

/// A Zola site whose config is `markdown` under `[markdown]`, with the
/// corrector off so the pages hold exactly what was written.
fn site(top: &str, markdown: &str) -> SiteTest {
    zola_site(&format!("title = \"x\"\n{top}\n[markdown]\n{markdown}\n[correct]\nenabled = false\n"))
}

fn count(doc: &Html, css: &str) -> usize {
    doc.select(&Selector::parse(css).expect("selector")).count()
}

#[test]
fn bottom_footnotes_are_listed_at_the_end_as_zola_lists_them() {
    let t = site("", "bottom_footnotes = true");
    t.page("p.md", "title = \"P\"", "Claim.[^a] Again.[^a]\n\n[^a]: The source.\n\n## Later\n\nMore text.\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("bottom_footnotes"), "{}", run.stderr());
    let doc = t.html("p/index.html");
    assert_eq!(attrs(&doc, "section.footnotes > ol.footnotes-list > li", "id"), ["fn-a"]);
    assert_eq!(attrs(&doc, "li#fn-a p a", "href"), ["#fr-a-1", "#fr-a-2"]);
    assert_eq!(attrs(&doc, "sup.footnote-reference", "id"), ["fr-a-1", "fr-a-2"]);
    assert_eq!(count(&doc, ".footnote-definition"), 0);
    // The list comes after everything else on the page.
    let html = t.read("p/index.html");
    assert!(html.find("More text.").expect("text") < html.find("footnotes-list").expect("list"), "{html}");
}

#[test]
fn render_emoji_replaces_codes_in_prose_only() {
    let t = site("", "render_emoji = true");
    t.page("p.md", "title = \"P\"", "Well done :tada: at 10:30:00.\n\nWrite `:tada:` for it.\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("render_emoji"), "{}", run.stderr());
    let doc = t.html("p/index.html");
    assert_eq!(texts(&doc, "p")[0], "Well done 🎉 at 10:30:00.");
    assert_eq!(texts(&doc, "code"), [":tada:"]);
}

/// Colours written on the spans of a page's code.
fn span_styles(doc: &Html) -> Vec<String> {
    attrs(doc, "pre code span", "style")
}

#[test]
fn a_named_highlight_theme_colours_code_inline_as_zola_does() {
    // Zola ≤ 0.21: `highlight_theme`; a Zola name Attaché lacks maps to the closest, with a note.
    let t = site("", "highlight_code = true\nhighlight_theme = \"one-dark\"");
    t.page("p.md", "title = \"P\"", "```rust\nfn main() { let x = \"s\"; }\n```\n");
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    assert!(err.contains("no highlight theme `one-dark`"), "{err}");
    assert!(err.contains("base16-ocean.dark") && err.contains("config.toml:5:1"), "{err}");
    assert_eq!(err.matches("config/highlight-theme").count(), 1, "one note:\n{err}");
    let doc = t.html("p/index.html");
    assert_eq!(attrs(&doc, "pre", "style"), ["background-color:#2b303b;color:#c0c5ce;"]);
    let styles = span_styles(&doc);
    assert!(styles.len() > 2 && styles.iter().all(|s| s.starts_with("color:#")), "{styles:?}");
    assert!(attrs(&doc, "pre code span", "class").is_empty());

    // Zola 0.22: light and dark themes, inline, as `light-dark()`.
    t.file(
        "config.toml",
        "title = \"x\"\n[markdown.highlighting]\nlight_theme = \"github-light\"\ndark_theme = \"github-dark\"\n",
    );
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("not implemented"), "{}", run.stderr());
    let doc = t.html("p/index.html");
    assert!(span_styles(&doc).iter().any(|s| s.starts_with("color:light-dark(#")), "{:?}", span_styles(&doc));

    // `"css"` (and Attaché's own default) keep classes and no inline colour.
    t.file("config.toml", "title = \"x\"\n[markdown]\nhighlight_theme = \"css\"\n");
    t.build().assert_ok();
    let doc = t.html("p/index.html");
    assert!(span_styles(&doc).is_empty() && attrs(&doc, "pre", "style").is_empty());
    assert!(attrs(&doc, "pre code span", "class").iter().any(|c| c.starts_with("hl-")));
}

#[test]
fn extra_syntaxes_and_themes_are_loaded_from_the_site() {
    let t = site("", "highlight_theme = \"Ink\"\nextra_syntaxes_and_themes = [\"syntaxes\"]");
    t.file(
        "syntaxes/ink.sublime-syntax",
        "%YAML 1.2\n---\nname: Ink\nfile_extensions: [ink]\nscope: source.ink\ncontexts:\n  main:\n    - match: '\\bquill\\b'\n      scope: keyword.control.ink\n",
    );
    t.file(
        "syntaxes/Ink.tmTheme",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>name</key><string>Ink</string>
<key>settings</key><array>
<dict><key>settings</key><dict><key>background</key><string>#101010</string><key>foreground</key><string>#eeeeee</string></dict></dict>
<dict><key>scope</key><string>keyword</string><key>settings</key><dict><key>foreground</key><string>#ff0000</string></dict></dict>
</array></dict></plist>
"#,
    );
    t.page("p.md", "title = \"P\"", "```ink\nquill and paper\n```\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("ink"), "{}", run.stderr());
    let doc = t.html("p/index.html");
    assert_eq!(attrs(&doc, "pre", "style"), ["background-color:#101010;color:#eeeeee;"]);
    assert_eq!(span_styles(&doc), ["color:#ff0000;"]);
    assert_eq!(texts(&doc, "pre code span"), ["quill"]);
}

#[test]
fn link_checker_levels_and_skipped_prefixes_apply_to_attaches_checks() {
    let t = site("", "");
    t.page(
        "a.md",
        "title = \"A\"",
        "## Here\n\n[gone](@/nope.md) [api](/api/v1/) [far](@/b.md#later) [near](#nowhere)\n",
    );
    t.page("b.md", "title = \"B\"", "Text.\n");
    // Without [link_checker]: the three Zola checks too are errors; the plain
    // path, which Zola doesn't check, a warning.
    let run = t.build();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(run.stderr().matches("error[link/").count(), 3, "{}", run.stderr());
    assert_eq!(run.stderr().matches("warning[link/broken]").count(), 1, "{}", run.stderr());

    // Skipped prefixes: not checked; internal_level = "warn": the rest warn.
    t.file(
        "config.toml",
        "title = \"x\"\n[link_checker]\nskip_prefixes = [\"/api/\"]\nskip_anchor_prefixes = [\"@/b.md\"]\ninternal_level = \"warn\"\nexternal_level = \"warn\"\n",
    );
    let run = t.build();
    run.assert_ok();
    let err = run.stderr();
    assert_eq!(err.matches("warning[link/").count(), 2, "only the two unskipped links:\n{err}");
    assert!(err.contains("warning[link/broken]") && err.contains("@/nope.md"), "{err}");
    assert!(err.contains("warning[link/broken-anchor]") && err.contains("#nowhere"), "{err}");
    assert!(!err.contains("error["), "{err}");
    assert_eq!(err.matches("external links are not fetched").count(), 1, "{err}");
    assert!(!err.contains("not implemented"), "{err}");
    let doc = t.html("a/index.html");
    assert!(attrs(&doc, "a", "href").contains(&"/b/#later".to_string()), "{:?}", attrs(&doc, "a", "href"));

    // A level Zola does not have is refused at its line.
    t.file("config.toml", "title = \"x\"\n[link_checker]\ninternal_level = \"loud\"\n");
    t.build().assert_error_at("config/invalid", "config.toml:3:1");
}

#[test]
fn minify_html_drops_layout_whitespace_but_not_code() {
    let t = site("minify_html = true", "");
    t.file(
        "templates/page.html",
        "<!DOCTYPE html>\n<html>\n  <head>\n    <title>{{ page.title }}</title>\n    <!-- a note -->\n  </head>\n  <body>\n    <main>\n{{ page.content | safe }}\n    </main>\n    <script>\n  let a = 1;  // kept\n    </script>\n  </body>\n</html>\n",
    );
    t.page("p.md", "title = \"P\"", "Some   *spaced*\n   text.\n\n```\nindented\n    code  here\n```\n");
    let run = t.build();
    run.assert_ok();
    assert!(!run.stderr().contains("minify_html"), "{}", run.stderr());
    let html = t.read("p/index.html");
    assert!(html.starts_with("<!DOCTYPE html><html><head><title>P</title></head><body><main><p>"), "{html}");
    assert!(!html.contains("a note"), "{html}");
    let doc = Html::parse_document(&html);
    assert_eq!(texts(&doc, "main p"), ["Some spaced text."]);
    assert_eq!(
        doc.select(&Selector::parse("pre code").expect("sel"))
            .map(|e| e.text().collect::<String>())
            .collect::<Vec<_>>(),
        ["indented\n    code  here\n"]
    );
    assert!(html.contains("<script>\n  let a = 1;  // kept\n    </script>"), "{html}");
}
