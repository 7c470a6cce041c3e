//! A conservative CSS minifier for the fingerprinted stylesheets: comments
//! and layout whitespace (also after `:`) go, nothing else changes. It keeps the default theme
//! (readable, commented source) inside the per-page CSS budget without a
//! build tool. Strings are copied untouched, and a space is only dropped next
//! to `{ } ; ,` or `>`, where CSS never needs one; spaces that may be
//! descendant combinators (`a :hover`) are kept.
//!
//! It also trims the generated syntax palette to the rules a site uses,
//! and minifies HTML pages for Zola's `minify_html` (see [`html`]).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

/// `css` without comments and redundant whitespace.
pub fn css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut pending_space = false;
    let tight = |c: char| matches!(c, '{' | '}' | ';' | ',' | '>');
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                pending_space = true;
            }
            '"' | '\'' => {
                if pending_space && !out.is_empty() && !out.ends_with(tight) {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
                let mut escaped = false;
                for d in chars.by_ref() {
                    out.push(d);
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == c {
                        break;
                    }
                }
            }
            // After `:` a space is never needed: selectors have none there
            // (`a :hover` keeps the one before), values and media features
            // don't need it, and strings were copied above.
            c if c.is_whitespace() && out.ends_with(':') => {}
            c if c.is_whitespace() => pending_space = true,
            c => {
                if pending_space && !out.is_empty() && !tight(c) && !out.ends_with(tight) {
                    out.push(' ');
                }
                pending_space = false;
                // The last declaration of a block needs no `;`.
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
            }
        }
    }
    out
}

/// Elements whose content is copied untouched: whitespace matters there
/// (or may, by the site's CSS), and scripts and styles are not HTML.
const VERBATIM: &[&str] = &["pre", "textarea", "script", "style", "code"];

/// Elements around which whitespace never shows: a whitespace-only run
/// next to one of their tags goes.
const BLOCKS: &[&str] = &[
    "html",
    "head",
    "body",
    "meta",
    "link",
    "title",
    "base",
    "script",
    "style",
    "noscript",
    "template",
    "div",
    "p",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "main",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "colgroup",
    "col",
    "blockquote",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "legend",
    "details",
    "summary",
    "pre",
    "address",
    "option",
    "optgroup",
    "select",
    "iframe",
    "video",
    "audio",
    "source",
    "picture",
    "svg",
    "!doctype",
];

/// Zola's `minify_html`, done conservatively: comments go (not conditional
/// ones), runs of whitespace become one space, and whitespace between two
/// tags goes where one of them is a block (`</p>\n<p>`), where it never
/// shows. Tags are copied as written, and the content of `<pre>`,
/// `<textarea>`, `<script>`, `<style>` and `<code>` is never touched. Input
/// that is not well-formed HTML is copied from where it stops making sense.
pub fn html(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    // The tag just written: its name and whether it is a block.
    let mut last_block = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map_or(after.len(), |i| i + 3);
            if after.starts_with("[if") || after.starts_with('!') {
                out.push_str(&rest[..4 + end]);
            }
            rest = &after[end..];
            continue;
        }
        if rest.starts_with('<') && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            let end = tag_end(rest);
            let tag = &rest[..end];
            let name = tag_name(tag);
            out.push_str(tag);
            rest = &rest[end..];
            last_block = BLOCKS.contains(&name.as_str());
            if !tag.starts_with("</") && !tag.ends_with("/>") && VERBATIM.contains(&name.as_str()) {
                let close = find_close(rest, &name);
                out.push_str(&rest[..close]);
                rest = &rest[close..];
            }
            continue;
        }
        // Text up to the next tag or comment.
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let end = rest[first..].find('<').map_or(rest.len(), |i| i + first);
        let text = &rest[..end];
        rest = &rest[end..];
        if text.chars().all(char::is_whitespace) {
            let next_block = rest.starts_with('<') && BLOCKS.contains(&tag_name(&rest[..tag_end(rest)]).as_str());
            if !(last_block || next_block || rest.is_empty() || out.is_empty()) {
                out.push(' ');
            }
            continue;
        }
        let mut space = false;
        for c in text.chars() {
            if c.is_whitespace() {
                space = true;
            } else {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(c);
            }
        }
        if space {
            out.push(' ');
        }
    }
    out
}

/// Where the tag at the start of `s` ends (after its `>`), quotes respected.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// The lower-case name of a tag (`</Pre >` → `pre`, `<!DOCTYPE html>` → `!doctype`).
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Where the closing tag of `name` starts in `s` (the end, if none).
fn find_close(s: &str, name: &str) -> usize {
    let lower = s.to_ascii_lowercase();
    let needle = format!("</{name}");
    let mut from = 0;
    while let Some(i) = lower[from..].find(&needle) {
        let at = from + i;
        let after = lower[at + needle.len()..].chars().next();
        if after.is_none_or(|c| c == '>' || c.is_whitespace()) {
            return at;
        }
        from = at + needle.len();
    }
    s.len()
}

/// The rules of a generated stylesheet (the syntax palette: flat rules, one
/// class per token kind) whose classes all occur in one of `pages`. A full
/// palette is some 15 KB; a site uses a few dozen of its rules. The result is
/// the same text, so it is still readable.
pub fn used_rules_only<'a>(css: &str, pages: impl Iterator<Item = &'a str>) -> String {
    let mut used: HashSet<&str> = HashSet::new();
    for html in pages {
        used.extend(classes(html));
    }
    keep_rules(css, &used)
}

/// Every class name in the `class` attributes of `html` (with repeats).
pub fn classes(html: &str) -> impl Iterator<Item = &str> {
    static CLASS_ATTR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"class="([^"]*)""#).expect("static regex"));
    CLASS_ATTR.captures_iter(html).flat_map(|c| c.get(1).map_or("", |m| m.as_str()).split_whitespace())
}

/// The rules of `css` whose class selectors all name a class in `used`.
pub fn keep_rules(css: &str, used: &HashSet<&str>) -> String {
    static CLASS_SEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\.([A-Za-z0-9_-]+)").expect("static regex"));
    let mut out = String::with_capacity(css.len() / 4);
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        let selectors = &rest[..open];
        // Comments before the rule stay out; a rule with no class (`pre {}`) stays in.
        let selectors = selectors.rsplit_once("*/").map_or(selectors, |(_, s)| s);
        let keep = selectors
            .split(',')
            .any(|sel| CLASS_SEL.captures_iter(sel).all(|c| c.get(1).is_some_and(|m| used.contains(m.as_str()))));
        if keep {
            out.push_str(selectors.trim());
            out.push(' ');
            out.push_str(&rest[open..=close]);
            out.push('\n');
        }
        rest = &rest[close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{css, html, used_rules_only};

    #[test]
    fn html_loses_comments_and_layout_whitespace_only() {
        let page = "<!DOCTYPE html>\n<html>\n  <head>\n    <title> A  title </title>\n  <!-- note -->\n  </head>\n<body>\n  <p>One  <b>two</b> <i>three</i>\n   four</p>\n  <!--[if IE]>x<![endif]-->\n</body>\n</html>\n";
        assert_eq!(
            html(page),
            "<!DOCTYPE html><html><head><title> A title </title></head><body><p>One <b>two</b> <i>three</i> four</p><!--[if IE]>x<![endif]--></body></html>"
        );
    }

    #[test]
    fn html_keeps_pre_textarea_script_style_and_code_as_written() {
        let page = "<div>\n<pre class=\"x\"><code>a\n\n  b <!-- kept --></code></pre>\n<textarea>\n t </textarea>\n<script>if (a < b) {\n  x(\"</p>\");\n}</script>\n<style>p  >  a { }</style><p><code>x  y</code> <a title=\"a > b\"  href=\"#\">z</a></p>\n</div>";
        assert_eq!(
            html(page),
            "<div><pre class=\"x\"><code>a\n\n  b <!-- kept --></code></pre><textarea>\n t </textarea><script>if (a < b) {\n  x(\"</p>\");\n}</script><style>p  >  a { }</style><p><code>x  y</code> <a title=\"a > b\"  href=\"#\">z</a></p></div>"
        );
        assert_eq!(html("<p>a < b and <unclosed"), "<p>a < b and <unclosed");
        assert_eq!(html("<p>Мінск  і Ліда</p>\n"), "<p>Мінск і Ліда</p>");
    }

    #[test]
    fn keeps_only_rules_whose_classes_a_page_uses() {
        let palette = "/* gen */\n.hl-code { color: #333; }\n.hl-string { color: blue; }\n.hl-comment.hl-line, .hl-keyword { x: y; }\n";
        let page = r#"<pre class="code hl-code"><span class="hl-keyword">fn</span></pre>"#;
        assert_eq!(
            used_rules_only(palette, [page].into_iter()),
            ".hl-code { color: #333; }\n.hl-comment.hl-line, .hl-keyword { x: y; }\n"
        );
    }

    #[test]
    fn drops_comments_and_layout_whitespace_only() {
        let src = "/* theme */\n.a > b ,\n.c :hover {\n  color: red;\n  content: \" (\"  attr(href) \")\";\n}\n";
        assert_eq!(css(src), ".a>b,.c :hover{color:red;content:\" (\" attr(href) \")\"}");
    }

    #[test]
    fn keeps_media_queries_and_strings_with_braces() {
        let src = "@media (min-width: 60em) {\n  .x::after { content: '{ ; }'; }\n}\n";
        assert_eq!(css(src), "@media (min-width:60em){.x::after{content:'{ ; }'}}");
    }
}
