//! Which bytes of an article are prose.
//!
//! The corrector may only touch prose: paragraphs, headings, list items, table
//! cells, link text, image alt text, and the front-matter `title` and
//! `description`. Never code (inline or fenced), URLs, link destinations, raw
//! HTML, shortcode calls, math, attribute lists, escapes and the other
//! technical text [`super::protect`] finds, or anything between
//! `<!-- attache:ignore -->` and `<!-- attache:end -->`. This module finds
//! those bytes; it changes nothing.

use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use regex::Regex;

/// A stretch of prose whose text is exactly `source[range]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub range: Range<usize>,
    /// Inside a Markdown block quote (`> …`): someone's words.
    pub block_quote: bool,
    /// Index of the block (paragraph, heading, cell…) the run belongs to, so
    /// sentences never join text from two blocks.
    pub block: usize,
}

static IGNORE_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<!--\s*attache:(ignore|end)\s*-->").expect("static regex"));

/// Ranges between ignore markers. Markers nest: the region ends at the `end`
/// that balances the first `ignore`; an unclosed `ignore` runs to the end.
pub fn ignored_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for m in IGNORE_MARK.captures_iter(text) {
        let (Some(all), Some(kind)) = (m.get(0), m.get(1)) else { continue };
        if kind.as_str() == "ignore" {
            if depth == 0 {
                start = all.start();
            }
            depth += 1;
        } else if depth > 0 {
            depth -= 1;
            if depth == 0 {
                out.push(start..all.end());
            }
        }
    }
    if depth > 0 {
        out.push(start..text.len());
    }
    out
}

/// Prose runs of a Markdown body that starts at `offset` in the file.
pub fn runs(body: &str, offset: usize) -> Vec<Run> {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(body, opts).into_offset_iter().collect();
    // What the parser knows is code or HTML: no math or brace delimiter inside counts.
    let opaque: Vec<Range<usize>> = events
        .iter()
        .filter(|(e, _)| {
            matches!(e, Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::CodeBlock(_)))
        })
        .map(|(_, r)| r.clone())
        .collect();
    let mut protected = super::protect::ranges(body, &opaque);
    protected.extend(ignored_ranges(body));
    let protected = super::protect::merge(protected);
    let mut out: Vec<Run> = Vec::new();
    let mut quote_depth = 0usize;
    let mut block = 0usize;
    let mut in_code = false;
    let mut link_depth = 0usize;
    for (event, range) in events {
        match event {
            Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Link { .. }) => link_depth += 1,
            Event::End(TagEnd::Link) => link_depth = link_depth.saturating_sub(1),
            Event::Start(
                Tag::Paragraph | Tag::Heading { .. } | Tag::Item | Tag::TableCell | Tag::FootnoteDefinition(_),
            )
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell)
            | Event::Html(_)
            | Event::HardBreak => block += 1,
            // A soft break (a newline inside a paragraph) keeps the sentence in
            // the same block; the next line starts a new run.
            Event::SoftBreak => {}
            Event::Text(t) if !in_code => {
                // Only text that is written verbatim in the source: an entity or
                // escape (`&amp;`, `\*`) makes the event differ from its bytes.
                if body.get(range.clone()) != Some(&*t) {
                    continue;
                }
                // Bare URLs shown as link text are not prose.
                if link_depth > 0 && (t.contains("://") || t.starts_with("www.")) {
                    continue;
                }
                push_unprotected(&mut out, range, &protected, offset, quote_depth > 0, block);
            }
            _ => {}
        }
    }
    out
}

/// Prose runs of a front-matter value (`title`, `description`) at `range`
/// of `text`: math, code-like and markup text in it stays untouched too.
pub fn value_runs(text: &str, range: Range<usize>, block: usize) -> Vec<Run> {
    let Some(value) = text.get(range.clone()) else { return Vec::new() };
    let protected = super::protect::ranges(value, &[]);
    let mut out = Vec::new();
    push_unprotected(&mut out, 0..value.len(), &protected, range.start, false, block);
    out
}

fn push_unprotected(
    out: &mut Vec<Run>,
    range: Range<usize>,
    protected: &[Range<usize>],
    offset: usize,
    bq: bool,
    block: usize,
) {
    let mut pieces = vec![range.clone()];
    // `protected` is sorted and disjoint: the ranges that cut this text are
    // one stretch of it.
    let from = protected.partition_point(|p| p.end <= range.start);
    let upto = protected.partition_point(|p| p.start < range.end);
    for p in &protected[from..upto.max(from)] {
        let mut next = Vec::new();
        for r in pieces {
            if p.end <= r.start || p.start >= r.end {
                next.push(r);
                continue;
            }
            if r.start < p.start {
                next.push(r.start..p.start);
            }
            if p.end < r.end {
                next.push(p.end..r.end);
            }
        }
        pieces = next;
    }
    for r in pieces {
        if r.is_empty() {
            continue;
        }
        let r = r.start + offset..r.end + offset;
        // Merge with the previous run when they touch (pulldown-cmark splits text
        // at some punctuation).
        if let Some(last) = out.last_mut()
            && last.range.end == r.start
            && last.block == block
            && last.block_quote == bq
        {
            last.range.end = r.end;
            continue;
        }
        out.push(Run { range: r, block_quote: bq, block });
    }
}

/// The value span of `key = "…"` (TOML) or `key: …` (YAML) in front matter,
/// when it is a simple one-line string with no escapes.
pub fn front_matter_value(text: &str, front: Range<usize>, key: &str) -> Option<Range<usize>> {
    let fm = text.get(front.clone())?;
    let mut offset = front.start;
    for line in fm.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = trimmed.strip_prefix(key) {
            let sep_rest = rest.trim_start();
            let (is_toml, after) = if let Some(a) = sep_rest.strip_prefix('=') {
                (true, a)
            } else if let Some(a) = sep_rest.strip_prefix(':') {
                (false, a)
            } else {
                offset += line.len();
                continue;
            };
            let value = after.trim();
            let value_start = offset + (trimmed.len() - after.len()) + (after.len() - after.trim_start().len());
            if is_toml || value.starts_with('"') || value.starts_with('\'') {
                let q = value.chars().next()?;
                if (q == '"' || q == '\'')
                    && value.len() >= 2
                    && value.ends_with(q)
                    && !value[1..value.len() - 1].contains(['\\', q])
                {
                    return Some(value_start + 1..value_start + value.len() - 1);
                }
                return None;
            }
            if value.is_empty() || value.starts_with(['|', '>', '[', '{', '&', '*', '!']) {
                return None;
            }
            return Some(value_start..value_start + value.len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(body: &str) -> Vec<&str> {
        runs(body, 0).into_iter().map(|r| &body[r.range]).collect()
    }

    #[test]
    fn only_prose_is_returned() {
        let body = "Said `code here` and [link text](https://x.org/said).\n\n```\nsaid in code\n```\n\n<div>said html</div>\n\n{{ figure(alt=\"said\") }} after\n";
        let t = texts(body);
        assert!(t.contains(&"Said "), "{t:?}");
        assert!(t.contains(&"link text"), "{t:?}");
        assert!(!t.iter().any(|x| x.contains("code") || x.contains("html") || x.contains("x.org")), "{t:?}");
        assert!(!t.iter().any(|x| x.contains("figure")), "{t:?}");
        assert!(t.contains(&" after"), "{t:?}");
    }

    #[test]
    fn ignore_markers_nest() {
        let body =
            "a\n<!-- attache:ignore -->\nb <!-- attache:ignore --> c <!-- attache:end --> d\n<!-- attache:end -->\ne\n";
        let r = ignored_ranges(body);
        assert_eq!(r.len(), 1);
        assert!(body[r[0].clone()].contains('d'));
        assert!(!body[r[0].clone()].contains("\ne\n"));
    }

    #[test]
    fn math_and_markup_are_not_prose() {
        let body = "Sum $\\sum_{i=1}^{n}$ and \\(x^{2}\\) here.\n\n- item\n{: .note}\n\n{{< hint >}}\nHint words.\n{{< /hint >}}\n";
        let t = texts(body);
        assert!(t.iter().all(|x| !x.contains('{') && !x.contains('$') && !x.contains('\\')), "{t:?}");
        assert!(t.contains(&"Hint words."), "{t:?}");
        let title = "title = \"The $x_{1}$ guide\"";
        let runs = value_runs(title, 9..title.len() - 1, 0);
        let r: Vec<&str> = runs.iter().map(|r| &title[r.range.clone()]).collect();
        assert_eq!(r, ["The ", " guide"]);
    }

    #[test]
    fn block_quotes_are_marked() {
        let runs = runs("Plain.\n\n> Quoted words.\n", 0);
        assert!(!runs[0].block_quote);
        assert!(runs[1].block_quote);
    }

    #[test]
    fn front_matter_values() {
        let text = "+++\ntitle = \"Chilly Warfare\"\ndescription = 'x'\n+++\n";
        let r = front_matter_value(text, 4..text.len() - 4, "title").unwrap();
        assert_eq!(&text[r], "Chilly Warfare");
        let y = "---\ntitle: Brand new talks\n---\n";
        let r = front_matter_value(y, 4..y.len() - 4, "title").unwrap();
        assert_eq!(&y[r], "Brand new talks");
    }
}
