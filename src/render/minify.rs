//! A conservative CSS minifier for the fingerprinted stylesheets: comments
//! and layout whitespace (also after `:`) go, nothing else changes. It keeps the default theme
//! (readable, commented source) inside the per-page CSS budget without a
//! build tool. Strings are copied untouched, and a space is only dropped next
//! to `{ } ; ,` or `>`, where CSS never needs one; spaces that may be
//! descendant combinators (`a :hover`) are kept.
//!
//! It also trims the generated syntax palette to the rules a site uses.

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
    use super::{css, used_rules_only};

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
