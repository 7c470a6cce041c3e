//! Zola-style shortcodes: `{{ name(arg="x") }}` inline and
//! `{% name(arg="x") %}body{% end %}` with a body, each a Tera template in
//! `templates/shortcodes/NAME.html`.
//!
//! Shortcodes are expanded before Markdown is parsed, so their HTML lands in the
//! document; an [`OffsetMap`] keeps every later diagnostic pointing at the
//! editor's own text. Shortcode syntax inside code (inline or fenced) is left
//! alone: that is how an article documents shortcodes.

use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;
use tera::{Context, Tera};

use crate::diagnostics::{Diagnostic, OffsetMap};

/// An argument value.
fn parse_args(src: &str) -> Result<Vec<(String, tera::Value)>, String> {
    let mut args = Vec::new();
    let mut rest = src.trim();
    while !rest.is_empty() {
        let name_end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let name = &rest[..name_end];
        if name.is_empty() {
            return Err(format!("expected an argument name at `{}`", rest.chars().take(12).collect::<String>()));
        }
        rest = rest[name_end..].trim_start();
        rest = rest.strip_prefix('=').ok_or_else(|| format!("expected `=` after argument `{name}`"))?.trim_start();
        let (value, after) = parse_value(rest).ok_or_else(|| {
            format!("argument `{name}` has no valid value (use \"text\", a number, true/false or [a, b])")
        })?;
        args.push((name.to_string(), value));
        rest = after.trim_start();
        if let Some(r) = rest.strip_prefix(',') {
            rest = r.trim_start();
        } else if !rest.is_empty() {
            return Err(format!(
                "expected `,` between arguments, found `{}`",
                rest.chars().take(12).collect::<String>()
            ));
        }
    }
    Ok(args)
}

fn parse_value(s: &str) -> Option<(tera::Value, &str)> {
    let first = s.chars().next()?;
    match first {
        '"' | '\'' | '`' => {
            let end = s[1..].find(first)? + 1;
            Some((tera::Value::String(s[1..end].to_string()), &s[end + 1..]))
        }
        '[' => {
            let mut items = Vec::new();
            let mut rest = s[1..].trim_start();
            loop {
                if let Some(r) = rest.strip_prefix(']') {
                    return Some((tera::Value::Array(items), r));
                }
                let (v, r) = parse_value(rest)?;
                items.push(v);
                rest = r.trim_start();
                if let Some(r) = rest.strip_prefix(',') {
                    rest = r.trim_start();
                }
            }
        }
        _ => {
            let end = s.find(|c: char| c == ',' || c == ']' || c.is_whitespace()).unwrap_or(s.len());
            let word = &s[..end];
            let v = match word {
                "true" => tera::Value::Bool(true),
                "false" => tera::Value::Bool(false),
                w => {
                    if let Ok(i) = w.parse::<i64>() {
                        tera::Value::from(i)
                    } else {
                        tera::Value::from(w.parse::<f64>().ok()?)
                    }
                }
            };
            Some((v, &s[end..]))
        }
    }
}

/// Byte ranges of code (inline and blocks) where shortcodes are not expanded.
/// The parser runs with the renderer's extensions, so code here is exactly what
/// the page shows as code: with every extension on, math (`$5 and $10` before
/// a `` `{% raw %}` `` span) swallowed backticks and code spans came out shifted.
fn code_ranges(src: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut block_start = None;
    let options = crate::render::markdown::options(&crate::config::MarkdownConfig::default());
    for (event, range) in Parser::new_ext(src, options).into_offset_iter() {
        match event {
            Event::Code(_) => out.push(range),
            Event::Start(Tag::CodeBlock(_)) => block_start = Some(range.start),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(s) = block_start.take() {
                    out.push(s..range.end);
                }
            }
            _ => {}
        }
    }
    out
}

/// A call found in the text.
struct Call<'s> {
    name: &'s str,
    args: &'s str,
    /// Whole span, including the body and `{% end %}` for body shortcodes.
    span: Range<usize>,
    body: Option<Range<usize>>,
}

/// Look for a call at `at` (which points at `{{` or `{%`).
fn parse_call(src: &str, at: usize) -> Option<(bool, &str, &str, usize)> {
    let body_kind = src[at..].starts_with("{%");
    let close = if body_kind { "%}" } else { "}}" };
    let inner_start = at + 2;
    let end = src[inner_start..].find(close)? + inner_start;
    let inner = src[inner_start..end].trim();
    let name_end = inner.find('(')?;
    let name = inner[..name_end].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') || !inner.ends_with(')') {
        return None;
    }
    let args = &inner[name_end + 1..inner.len() - 1];
    Some((body_kind, name, args, end + 2))
}

fn find_end(src: &str, from: usize) -> Option<(usize, usize)> {
    // Matching `{% end %}`, allowing nested body shortcodes.
    let mut depth = 0usize;
    let mut i = from;
    while let Some(rel) = src[i..].find("{%") {
        let at = i + rel;
        let close = src[at..].find("%}").map(|c| at + c + 2)?;
        // In `{%}` the closer overlaps the opener: nothing inside.
        let inner = src[at + 2..(close - 2).max(at + 2)].trim();
        if inner == "end" {
            if depth == 0 {
                return Some((at, close));
            }
            depth -= 1;
        } else if parse_call(src, at).is_some_and(|c| c.0) {
            depth += 1;
        }
        i = close;
    }
    None
}

/// What a shortcode's template sees besides its arguments.
pub struct ShortcodeEnv<'a> {
    pub tera: &'a Tera,
    pub base: &'a Context,
    /// Calls so far of each shortcode in this document.
    pub counts: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

impl<'a> ShortcodeEnv<'a> {
    pub fn new(tera: &'a Tera, base: &'a Context) -> Self {
        ShortcodeEnv { tera, base, counts: Default::default() }
    }
}

/// Expand every shortcode in `src`. Spans in the diagnostics are into `src`.
pub fn expand(src: &str, env: &ShortcodeEnv) -> (String, OffsetMap, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if !src.contains("{{") && !src.contains("{%") {
        return (src.to_string(), OffsetMap::default(), diags);
    }
    let code = code_ranges(src);
    let in_code = |i: usize| code.iter().any(|r| r.contains(&i));
    let mut calls = Vec::new();
    let mut hugo = Vec::new();
    let mut escaped = Vec::new();
    let mut i = 0;
    while let Some(rel) = src[i..].find('{') {
        let at = i + rel;
        i = at + 1;
        if let Some((end, shown)) = escaped_call(src, at) {
            escaped.push((at..end, shown));
            i = end;
            continue;
        }
        if !(src[at..].starts_with("{{") || src[at..].starts_with("{%")) || in_code(at) {
            continue;
        }
        if let Some((close, d)) = hugo_shortcode(src, at) {
            diags.push(d);
            hugo.push(at..close);
            i = close;
            continue;
        }
        let Some((body_kind, name, args, end)) = parse_call(src, at) else {
            if src[at..].starts_with("{%") {
                let close = src[at..].find("%}").map_or(at + 2, |c| at + c + 2);
                let inner = src[at + 2..close.saturating_sub(2).max(at + 2)].trim();
                let msg = if inner == "end" {
                    "`{% end %}` without a shortcode that opens it".to_string()
                } else {
                    format!("`{}` is not a shortcode call; write {{% name(arg=\"value\") %}}", &src[at..close])
                };
                diags.push(Diagnostic::error("shortcode/invalid", "", msg).with_span(at..close));
                i = close;
            }
            continue;
        };
        if body_kind {
            match find_end(src, end) {
                Some((end_at, end_close)) => {
                    calls.push(Call { name, args, span: at..end_close, body: Some(end..end_at) });
                    i = end_close;
                }
                None => {
                    diags.push(
                        Diagnostic::error(
                            "shortcode/unclosed",
                            "",
                            format!("shortcode `{name}` has a body but no `{{% end %}}`"),
                        )
                        .with_span(at..end),
                    );
                    i = end;
                }
            }
        } else {
            calls.push(Call { name, args, span: at..end, body: None });
            i = end;
        }
    }

    let mut out = String::with_capacity(src.len());
    let mut map = OffsetMap::default();
    let mut last = 0;
    // Hugo shortcodes are published as written, with straight quotes: as
    // entities, Markdown's smart punctuation leaves them alone.
    calls.extend(hugo.into_iter().map(|span| Call { name: "", args: "", span, body: None }));
    let mut shown: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    for (span, text) in escaped {
        shown.insert(span.start, text);
        calls.push(Call { name: "", args: "", span, body: None });
    }
    calls.sort_by_key(|c| c.span.start);
    for call in calls {
        out.push_str(&src[last..call.span.start]);
        let rendered = if let Some(text) = shown.remove(&call.span.start) {
            text
        } else if call.name.is_empty() {
            src[call.span.clone()].replace('"', "&quot;").replace('\'', "&#39;")
        } else {
            render_call(src, &call, env, &mut diags)
        };
        let start = out.len();
        out.push_str(&rendered);
        map.push(start..out.len(), call.span.clone());
        last = call.span.end;
    }
    out.push_str(&src[last..]);
    (out, map, diags)
}

/// An escaped call, Zola's way of showing shortcode syntax on the page:
/// `{{/* name(args) */}}` is published as `{{ name(args) }}`, and
/// `{%/* name(args) */%}` / `{%/* end */%}` as `{% … %}`, in prose and in
/// code alike (Zola's parser reads the text before Markdown does). Returns
/// where the escape ends and the text to publish. Anything else between the
/// markers (`{{/* a comment */}}`) is not a call and stays as written.
fn escaped_call(src: &str, at: usize) -> Option<(usize, String)> {
    let rest = &src[at..];
    let (open, close, plain_open, plain_close) = if rest.starts_with("{{/*") {
        ("{{/*", "*/}}", "{{", "}}")
    } else if rest.starts_with("{%/*") {
        ("{%/*", "*/%}", "{%", "%}")
    } else {
        return None;
    };
    let inner_end = rest[open.len()..].find(close)? + open.len();
    let inner = &rest[open.len()..inner_end];
    let call = format!("{plain_open}{inner}{plain_close}");
    let is_call = if plain_open == "{%" && inner.trim() == "end" {
        true
    } else {
        parse_call(&call, 0).is_some_and(|c| c.0 == (plain_open == "{%"))
    };
    is_call.then(|| (at + inner_end + close.len(), call))
}

/// A Hugo shortcode (`{{< figure src="a.png" >}}`, `{{% note %}}`, their
/// closing `{{< /note >}}`) at `at`: where it ends, and a warning saying how
/// Attaché writes the same call. Sites moving from Hugo otherwise publish the
/// braces as text, or get a confusing "not a shortcode call".
fn hugo_shortcode(src: &str, at: usize) -> Option<(usize, Diagnostic)> {
    static ARG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?:([A-Za-z_]\w*)\s*=\s*)?("[^"]*"|'[^']*'|[^\s"']+)"#).expect("static regex"));
    let rest = &src[at..];
    let (open, close) = if rest.starts_with("{{<") {
        ("{{<", ">}}")
    } else if rest.starts_with("{{%") {
        ("{{%", "%}}")
    } else {
        return None;
    };
    // The close is looked for after the open: in `{{%}}` they would overlap.
    let end = at + open.len() + rest[open.len()..].find(close)? + close.len();
    let inner = src[at + open.len()..end - close.len()].trim().trim_start_matches("/*").trim_end_matches("*/").trim();
    let written = &src[at..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(name) => (true, name.trim()),
        None => (false, inner),
    };
    let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
    let name = &inner[..name_end];
    let mut args = Vec::new();
    for (n, c) in ARG.captures_iter(&inner[name_end..]).enumerate() {
        let value = c[2].trim_matches(['"', '\'']);
        let key = c.get(1).map_or_else(|| format!("arg{}", n + 1), |k| k.as_str().to_string());
        args.push(format!("{key}=\"{value}\""));
    }
    let attache = if closing { "{% end %}".to_string() } else { format!("{{{{ {name}({}) }}}}", args.join(", ")) };
    let help = if closing {
        format!(
            "Attaché closes a shortcode with a body with `{{% end %}}`, opened as `{{% {name}(…) %}}`; the template is templates/shortcodes/{name}.html"
        )
    } else {
        format!(
            "Attaché writes it `{attache}` (or `{{% {name}(…) %}}…{{% end %}}` with a body), rendered by templates/shortcodes/{name}.html"
        )
    };
    let d = Diagnostic::warning(
        "shortcode/hugo",
        "",
        format!("`{written}` is a Hugo shortcode; Attaché publishes it as plain text"),
    )
    .with_span(at..end)
    .with_help(help);
    Some((end, d))
}

fn render_call(src: &str, call: &Call, env: &ShortcodeEnv, diags: &mut Vec<Diagnostic>) -> String {
    let template = format!("shortcodes/{}.html", call.name);
    let head = call.span.start..call.body.as_ref().map_or(call.span.end, |b| b.start);
    // Zola's grammar comes first: an inline call whose arguments it cannot
    // parse is not a shortcode at all, and Zola publishes it as text. Themes'
    // demo sites rely on that (a missing comma, `'` inside '…').
    let args = match parse_args(call.args) {
        Ok(a) => a,
        Err(e) if call.body.is_none() => {
            diags.push(
                Diagnostic::warning(
                    "shortcode/invalid-args",
                    "",
                    format!("shortcode `{}`: {e}; published as text, as Zola does", call.name),
                )
                .with_span(head)
                .with_help("write arguments as name=\"value\", separated by commas"),
            );
            return src[call.span.clone()].to_string();
        }
        Err(e) => {
            diags.push(
                Diagnostic::error("shortcode/invalid-args", "", format!("shortcode `{}`: {e}", call.name))
                    .with_span(head),
            );
            return String::new();
        }
    };
    if env.tera.get_template(&template).is_err() {
        let names: Vec<String> = env
            .tera
            .get_template_names()
            .filter_map(|n| n.strip_prefix("shortcodes/").and_then(|n| n.strip_suffix(".html")))
            .map(str::to_string)
            .collect();
        let mut d =
            Diagnostic::error("shortcode/unknown", "", format!("unknown shortcode `{}`", call.name)).with_span(head);
        d = match crate::content::front_matter::closest(call.name, names.iter().map(String::as_str)) {
            Some(best) => {
                d.with_help(format!("did you mean `{best}`? Shortcodes are templates in templates/shortcodes/"))
            }
            None => d.with_help(format!("add templates/shortcodes/{}.html", call.name)),
        };
        diags.push(d);
        return String::new();
    }
    let mut ctx = env.base.clone();
    let nth = {
        let mut counts = env.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = counts.entry(call.name.to_string()).or_insert(0);
        *n += 1;
        *n
    };
    // `nth` numbers the calls of one shortcode in a page (1, 2, …), for unique ids.
    ctx.insert("nth", &nth);
    for (k, v) in args {
        ctx.insert(k, &v);
    }
    if let Some(body) = &call.body {
        // Inline shortcodes inside a body are expanded first.
        let (inner, _, mut d) = expand(&src[body.clone()], env);
        for x in &mut d {
            x.span = x.span.take().map(|s| s.start + body.start..s.end + body.start);
        }
        diags.append(&mut d);
        // As Zola: the newline after the opening tag and the one before
        // `{% end %}` belong to the tags, not to the body.
        let trimmed = inner.strip_prefix("\r\n").or_else(|| inner.strip_prefix('\n')).unwrap_or(&inner);
        let trimmed = trimmed.strip_suffix("\r\n").or_else(|| trimmed.strip_suffix('\n')).unwrap_or(trimmed);
        ctx.insert("body", trimmed);
    }
    match env.tera.render(&template, &ctx) {
        Ok(html) => {
            // No blank lines, or Markdown would end the HTML block early; leading
            // indentation is kept (it matters inside <pre>), but not on the first
            // line, where four spaces would start a Markdown code block.
            let lines: Vec<&str> = html.lines().filter(|l| !l.trim().is_empty()).collect();
            let mut joined = lines.join("\n");
            joined.replace_range(..joined.len() - joined.trim_start().len(), "");
            joined
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "shortcode/render",
                    "",
                    format!("shortcode `{}` failed: {}", call.name, crate::render::templates::error_chain(&e)),
                )
                .with_span(head),
            );
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(templates: &[(&str, &str)]) -> Tera {
        let mut t = Tera::default();
        t.add_raw_templates(templates.to_vec()).unwrap();
        t
    }

    #[test]
    fn expands_inline_and_body_and_skips_code() {
        let tera = env_with(&[
            ("shortcodes/hi.html", "<b>{{ who }}</b>"),
            ("shortcodes/box.html", "<div>\n\n{{ body }}\n</div>"),
        ]);
        let base = Context::new();
        let env = ShortcodeEnv::new(&tera, &base);
        let src = "A {{ hi(who=\"you\") }} and `{{ hi(who=\"x\") }}`.\n\n{% box() %}inside{% end %}\n";
        let (out, map, diags) = expand(src, &env);
        assert!(diags.is_empty(), "{diags:?}");
        assert!(out.contains("A <b>you</b> and `{{ hi(who=\"x\") }}`"), "{out}");
        assert!(out.contains("<div>\ninside\n</div>"), "{out}");
        let after = out.find(" and").unwrap();
        assert_eq!(map.to_source(after), src.find(" and").unwrap());
    }

    #[test]
    fn unknown_and_unclosed_are_errors() {
        let tera = env_with(&[("shortcodes/box.html", "<div>{{ body }}</div>")]);
        let base = Context::new();
        let env = ShortcodeEnv::new(&tera, &base);
        let (_, _, d) = expand("{{ bocks() }}\n", &env);
        assert_eq!(d[0].code, "shortcode/unknown");
        let (_, _, d) = expand("{% box() %} no end\n", &env);
        assert_eq!(d[0].code, "shortcode/unclosed");
    }

    #[test]
    fn overlapping_delimiters_in_a_body_are_not_a_crash() {
        let tera = env_with(&[("shortcodes/box.html", "<div>{{ body }}</div>")]);
        let base = Context::new();
        let env = ShortcodeEnv::new(&tera, &base);
        let (_, _, d) = expand("{% box() %}{%}\n", &env);
        assert_eq!(d[0].code, "shortcode/unclosed");
    }

    #[test]
    fn hugo_delimiters_that_overlap_are_text_not_a_crash() {
        let tera = env_with(&[]);
        let base = Context::new();
        let env = ShortcodeEnv::new(&tera, &base);
        // `{{%}}` opens with `{{%` and would close with the same `%`.
        let (out, _, d) = expand("{{%}} and {{% note %}}\n", &env);
        assert!(out.starts_with("{{%}} and "), "{out}");
        assert_eq!(d.iter().filter(|d| d.code == "shortcode/hugo").count(), 1, "{d:?}");
    }

    #[test]
    fn argument_values() {
        let a = parse_args(r#"src="a.svg", n=3, on=true, list=["x", 'y']"#).unwrap();
        assert_eq!(a.len(), 4);
        assert!(parse_args("src=").is_err());
    }
}
