//! Markdown → HTML with pulldown-cmark, plus what templates and checks need:
//! heading ids and the table of contents, the summary, word count, and every
//! link that must be checked once all pages are rendered.
//!
//! It works on one document at a time and never touches the filesystem.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use regex::Regex;
use serde::Serialize;

use crate::config::{InsertAnchor, MarkdownConfig, RawHtml};
use crate::diagnostics::Diagnostic;
use crate::slug::slugify;

/// A heading in the table of contents.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct TocEntry {
    pub level: u32,
    pub id: String,
    pub title: String,
    pub permalink: String,
    pub children: Vec<TocEntry>,
}

/// A link whose `#anchor` can only be checked once the target is rendered.
#[derive(Debug, Clone)]
pub struct AnchorCheck {
    /// `None` for a same-page `#anchor`.
    pub target: Option<String>,
    pub anchor: String,
    pub span: Range<usize>,
}

/// What links resolve against. `None` (e.g. in the `markdown` filter) skips
/// resolution and checks.
pub struct LinkContext<'a> {
    /// `content_rel` (`europe/minsk.md`) → URL path with base path.
    pub pages: &'a HashMap<String, String>,
    /// Every output path, relative, without base: `europe/minsk/`, `style.css`.
    pub known: &'a HashSet<String>,
    /// This document's URL path without base: `/europe/minsk/`.
    pub page_path: &'a str,
    pub base_path: &'a str,
    /// Content paths of drafts left out of this build, for a clearer error.
    pub drafts: &'a HashSet<String>,
    /// This document's own content path (`europe/minsk.md`), against which a
    /// relative link to another Markdown file (`../asia/seoul.md`) resolves.
    pub content_rel: &'a str,
    /// Zola's `[link_checker] skip_prefixes`: links written so are not checked.
    pub skip_prefixes: &'a [String],
    /// Zola's `[link_checker] skip_anchor_prefixes`: their `#anchor` is not checked.
    pub skip_anchor_prefixes: &'a [String],
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub summary: Option<String>,
    pub toc: Vec<TocEntry>,
    pub word_count: usize,
    /// Every `id` in the output (headings, footnotes, raw HTML).
    pub ids: HashSet<String>,
    pub anchors: Vec<AnchorCheck>,
    /// Problems, with spans into the Markdown given (the caller attaches the path).
    pub diagnostics: Vec<Diagnostic>,
}

/// A heading being collected: level, explicit id, classes, inner events, text.
type HeadingBuf<'a> = (HeadingLevel, Option<String>, Vec<String>, Vec<Event<'a>>, String);

const MORE_MARKER: &str = "<!--attache:summary-end-->";

/// The class every code block carries; `page.has_code` looks for it.
pub const CODE_CLASS: &str = "hl-code";

static ID_ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bid\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("static regex"));
static MORE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<!--\s*more\s*-->").expect("static regex"));

pub fn options(config: &MarkdownConfig) -> Options {
    let mut o = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if config.smart_punctuation {
        o |= Options::ENABLE_SMART_PUNCTUATION;
    }
    // Zola's `github_alerts`: `> [!NOTE]` becomes
    // `<blockquote class="markdown-alert-note">`, as pulldown-cmark renders it.
    if config.github_alerts {
        o |= Options::ENABLE_GFM;
    }
    o
}

fn level_num(l: HeadingLevel) -> u32 {
    l as u32
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::render::highlight::escape_into(&mut out, s);
    out
}

fn is_external(dest: &str) -> bool {
    dest.starts_with("http://") || dest.starts_with("https://") || dest.starts_with("//")
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => dest[..i].chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.') && i > 0,
        None => false,
    }
}

/// Where headings get their anchor links and what each link is.
pub struct Anchors<'a> {
    pub mode: InsertAnchor,
    /// The link's HTML for a heading's id and level (Zola's `anchor-link.html`).
    pub link: &'a dyn Fn(&str, u32) -> String,
}

/// Zola's built-in `anchor-link.html`, for a theme that has none.
pub fn zola_anchor_link(id: &str, _level: u32) -> String {
    let id = escape(id);
    format!("<a class=\"zola-anchor\" href=\"#{id}\" aria-label=\"Anchor link for: {id}\">🔗</a>")
}

/// Attaché's own `#` link after the heading text (`heading_anchors = true`).
pub fn attache_anchor_link(id: &str, _level: u32) -> String {
    format!(" <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a>", id = escape(id))
}

impl Anchors<'static> {
    /// What `[markdown]` alone asks for: Zola's `insert_anchor_links` with
    /// Zola's link, else Attaché's `heading_anchors`, else none.
    pub fn of_config(config: &MarkdownConfig) -> Anchors<'static> {
        match config.insert_anchor_links {
            Some(mode) => Anchors { mode, link: &zola_anchor_link },
            None if config.heading_anchors => Anchors { mode: InsertAnchor::Right, link: &attache_anchor_link },
            None => Anchors { mode: InsertAnchor::None, link: &zola_anchor_link },
        }
    }
}

static A_OPEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(<\s*a[^>]*>)").expect("static regex"));

/// The HTML put before and after a heading's text for its anchor link.
fn anchor_parts(anchors: &Anchors, id: &str, level: u32) -> (String, String) {
    match anchors.mode {
        InsertAnchor::None => (String::new(), String::new()),
        InsertAnchor::Left => ((anchors.link)(id, level), String::new()),
        InsertAnchor::Right => (String::new(), (anchors.link)(id, level)),
        // Zola keeps the link's opening tag and wraps the heading text in it.
        InsertAnchor::Heading => match A_OPEN.captures(&(anchors.link)(id, level)).and_then(|c| c.get(1)) {
            Some(open) => (open.as_str().to_string(), "</a>".to_string()),
            None => (String::new(), String::new()),
        },
    }
}

/// Render one Markdown document.
pub fn render(src: &str, config: &MarkdownConfig, links: Option<&LinkContext>) -> Rendered {
    render_with(src, config, links, &[])
}

/// [`render`], where `ours` are the byte ranges of `src` that Attaché wrote
/// (expanded shortcodes): HTML there is kept whatever `raw_html` says.
pub fn render_with(src: &str, config: &MarkdownConfig, links: Option<&LinkContext>, ours: &[Range<usize>]) -> Rendered {
    render_doc(src, config, links, ours, &Anchors::of_config(config))
}

/// [`render_with`], with heading anchor links as `anchors` says (a
/// section's `insert_anchor_links`, the theme's `anchor-link.html`).
pub fn render_doc(
    src: &str,
    config: &MarkdownConfig,
    links: Option<&LinkContext>,
    ours: &[Range<usize>],
    anchors: &Anchors,
) -> Rendered {
    let mut out = Rendered::default();
    let mut events: Vec<Event> = Vec::new();
    let mut headings: Vec<(u32, String, String)> = Vec::new();
    let parser = Parser::new_ext(src, options(config)).into_offset_iter();

    // Buffers for constructs rendered by hand.
    let mut heading: Option<HeadingBuf> = None;
    let mut code: Option<(Option<String>, String, Range<usize>)> = None;
    let mut image_alt: Option<(String, Range<usize>)> = None;
    let mut in_code_block = false;
    let mut seen_more = false;
    let mut notes = Footnotes::default();
    let mut open_note: Option<String> = None;

    for (event, range) in parser {
        let Some(event) = raw_html(event, &range, config.raw_html, ours) else { continue };
        if let Some((lang, text, _)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text, span) = (lang.take(), std::mem::take(text), range.clone());
                    code = None;
                    in_code_block = false;
                    events.push(Event::Html(code_block(&text, lang.as_deref(), config, span, &mut out).into()));
                }
                _ => {}
            }
            continue;
        }
        if let Some((_, _, _, inner, text)) = &mut heading {
            match event {
                Event::End(TagEnd::Heading(_)) => {
                    let Some((level, id, classes, inner, text)) = heading.take() else { continue };
                    let mut id = id.unwrap_or_else(|| crate::slug::anchor(&text, config.anchor_slugs));
                    if id.is_empty() {
                        id = "section".into();
                    }
                    let base = id.clone();
                    let mut n = 1;
                    while out.ids.contains(&id) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    out.ids.insert(id.clone());
                    let mut inner_html = String::new();
                    pulldown_cmark::html::push_html(&mut inner_html, inner.into_iter());
                    let lvl = level_num(level);
                    let class_attr = if classes.is_empty() {
                        String::new()
                    } else {
                        format!(" class=\"{}\"", escape(&classes.join(" ")))
                    };
                    let (before, after) = anchor_parts(anchors, &id, lvl);
                    events.push(Event::Html(
                        format!("<h{lvl} id=\"{}\"{class_attr}>{before}{inner_html}{after}</h{lvl}>\n", escape(&id))
                            .into(),
                    ));
                    headings.push((lvl, id, text.trim().to_string()));
                }
                Event::Text(t) => {
                    let t = emoji_text(t, config);
                    text.push_str(&t);
                    out.word_count += t.split_whitespace().count();
                    inner.push(Event::Text(t));
                }
                Event::Code(ref t) => {
                    text.push_str(t);
                    out.word_count += t.split_whitespace().count();
                    inner.push(event);
                }
                other => {
                    let other = rewrite_inline(other, range, config, links, &mut out);
                    inner.push(other)
                }
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                heading = Some((
                    level,
                    id.map(|s| s.to_string()),
                    classes.iter().map(|c| c.to_string()).collect(),
                    Vec::new(),
                    String::new(),
                ));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .filter(|l| !l.is_empty())
                        .map(str::to_string),
                    CodeBlockKind::Indented => None,
                };
                code = Some((lang, String::new(), range));
            }
            Event::Start(Tag::Image { dest_url, title, id, link_type }) => {
                image_alt = Some((String::new(), range));
                events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
            }
            Event::End(TagEnd::Image) => {
                if let Some((alt, span)) = image_alt.take()
                    && alt.trim().is_empty()
                {
                    out.diagnostics.push(
                        Diagnostic::warning("a11y/missing-alt", "", "image has no alt text")
                            .with_span(span)
                            .with_help("describe the image in the brackets: ![A map of the Black Sea](map.png)"),
                    );
                }
                events.push(Event::End(TagEnd::Image));
            }
            Event::Text(t) => {
                let t = emoji_text(t, config);
                if let Some((alt, _)) = &mut image_alt {
                    alt.push_str(&t);
                }
                if !in_code_block {
                    out.word_count += t.split_whitespace().count();
                }
                events.push(Event::Text(t));
            }
            Event::Html(h) | Event::InlineHtml(h) if MORE.is_match(&h) && !seen_more => {
                seen_more = true;
                events.push(Event::Html(MORE_MARKER.into()));
            }
            Event::Html(h) => {
                collect_ids(&h, &mut out.ids);
                events.push(Event::Html(h));
            }
            Event::InlineHtml(h) => {
                collect_ids(&h, &mut out.ids);
                events.push(Event::InlineHtml(h));
            }
            Event::FootnoteReference(name) => {
                let (n, id, k) = notes.reference(&name);
                let fr = format!("fr-{id}-{k}");
                out.ids.insert(fr.clone());
                events.push(Event::InlineHtml(
                    format!("<sup class=\"footnote-reference\" id=\"{fr}\"><a href=\"#fn-{id}\">{n}</a></sup>").into(),
                ));
            }
            // Zola's `bottom_footnotes`: kept as they are, moved to the end below.
            Event::Start(Tag::FootnoteDefinition(name)) if config.bottom_footnotes => {
                events.push(Event::Start(Tag::FootnoteDefinition(name)));
            }
            Event::End(TagEnd::FootnoteDefinition) if config.bottom_footnotes => {
                events.push(Event::End(TagEnd::FootnoteDefinition));
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                let (n, id) = notes.number(&name);
                out.ids.insert(format!("fn-{id}"));
                open_note = Some(name.to_string());
                events.push(Event::Html(
                    format!(
                        "<div class=\"footnote-definition\" id=\"fn-{id}\"><sup class=\"footnote-definition-label\">{n}</sup>"
                    )
                    .into(),
                ));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                // The back-links are filled in once every reference is known.
                let name = open_note.take().unwrap_or_default();
                events.push(Event::Html(format!("{}</div>\n", notes.backlink_marker(&name)).into()));
            }
            other => {
                let e = rewrite_inline(other, range, config, links, &mut out);
                events.push(e);
            }
        }
    }
    if config.bottom_footnotes {
        events = notes.move_to_bottom(events, &mut out.ids);
    }
    let mut html = String::with_capacity(src.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    notes.fill_backlinks(&mut html);
    if let Some(i) = html.find(MORE_MARKER) {
        out.summary = Some(html[..i].to_string());
        html.replace_range(i..i + MORE_MARKER.len(), "<span id=\"continue-reading\"></span>");
        out.ids.insert("continue-reading".into());
    }
    out.html = html;
    out.toc = nest(headings);
    out
}

/// Footnotes numbered in order of first use, with ids that do not depend on
/// that order (`fn-<label>` for the note, `fr-<label>-<k>` for its k-th
/// reference, as Zola names them), so a link to a note survives edits
/// elsewhere in the article, and each note links back to every reference.
#[derive(Default)]
struct Footnotes {
    /// Label → (number, id, references so far), in order of first use.
    seen: Vec<(String, usize, String, usize)>,
}

impl Footnotes {
    fn entry(&mut self, label: &str) -> &mut (String, usize, String, usize) {
        let i = match self.seen.iter().position(|(l, ..)| l == label) {
            Some(i) => i,
            None => {
                let n = self.seen.len() + 1;
                let mut id = slugify(label);
                if id.is_empty() || self.seen.iter().any(|(_, _, other, _)| *other == id) {
                    id = format!("{id}{n}");
                }
                self.seen.push((label.to_string(), n, id, 0));
                n - 1
            }
        };
        &mut self.seen[i]
    }

    /// Number and id of the note `label`.
    fn number(&mut self, label: &str) -> (usize, String) {
        let e = self.entry(label);
        (e.1, e.2.clone())
    }

    /// Number, id and the 1-based count of this reference to `label`.
    fn reference(&mut self, label: &str) -> (usize, String, usize) {
        let e = self.entry(label);
        e.3 += 1;
        (e.1, e.2.clone(), e.3)
    }

    fn backlink_marker(&mut self, label: &str) -> String {
        format!("<!--attache:footnote-back:{}-->", self.number(label).1)
    }

    /// Zola's `bottom_footnotes`: every definition taken out of `events`
    /// (nested ones too) and listed at the end, in order of first
    /// reference, as Zola marks them up (`<section class="footnotes"><ol
    /// class="footnotes-list"><li id="fn-…">`), each with links back to its
    /// references inside its last paragraph. A definition nothing refers to
    /// is left out, as Zola does.
    fn move_to_bottom<'a>(&self, events: Vec<Event<'a>>, ids: &mut HashSet<String>) -> Vec<Event<'a>> {
        let mut main = Vec::with_capacity(events.len());
        let mut open: Vec<(String, Vec<Event<'a>>)> = Vec::new();
        let mut bodies: Vec<(String, Vec<Event<'a>>)> = Vec::new();
        for event in events {
            match event {
                Event::Start(Tag::FootnoteDefinition(name)) => open.push((name.to_string(), Vec::new())),
                Event::End(TagEnd::FootnoteDefinition) => bodies.extend(open.pop()),
                e => match open.last_mut() {
                    Some((_, body)) => body.push(e),
                    None => main.push(e),
                },
            }
        }
        // An unclosed definition (not produced by pulldown-cmark) still ends up listed.
        bodies.extend(open.into_iter().rev());
        let mut listed: Vec<(usize, String, usize, Vec<Event<'a>>)> = bodies
            .into_iter()
            .filter_map(|(label, body)| {
                let (_, n, id, refs) = self.seen.iter().find(|(l, ..)| *l == label)?;
                (*refs > 0).then(|| (*n, id.clone(), *refs, body))
            })
            .collect();
        if listed.is_empty() {
            return main;
        }
        listed.sort_by_key(|(n, ..)| *n);
        main.push(Event::Html("<section class=\"footnotes\">\n<ol class=\"footnotes-list\">\n".into()));
        for (_, id, refs, mut body) in listed {
            ids.insert(format!("fn-{id}"));
            main.push(Event::Html(format!("<li id=\"fn-{}\">\n", escape(&id)).into()));
            let back: String = (1..=refs)
                .map(|k| {
                    let mark = if k == 1 { String::new() } else { k.to_string() };
                    format!(" <a href=\"#fr-{}-{k}\">↩{mark}</a>", escape(&id))
                })
                .collect();
            // Inside the last paragraph when the note ends with one, as Zola does.
            if matches!(body.last(), Some(Event::End(TagEnd::Paragraph))) {
                let end = body.pop();
                body.push(Event::InlineHtml(back.into()));
                body.extend(end);
            } else {
                body.push(Event::Html(back.into()));
            }
            main.extend(body);
            main.push(Event::Html("</li>\n".into()));
        }
        main.push(Event::Html("</ol>\n</section>\n".into()));
        main
    }

    /// Replace each definition's marker by links back to its references.
    fn fill_backlinks(&self, html: &mut String) {
        for (_, n, id, refs) in &self.seen {
            let marker = format!("<!--attache:footnote-back:{id}-->");
            if !html.contains(&marker) {
                continue;
            }
            let links: String = (1..=*refs)
                .map(|k| {
                    let label = if *refs > 1 { format!(" ({k})") } else { String::new() };
                    format!(
                        " <a class=\"footnote-backref\" href=\"#fr-{id}-{k}\" aria-label=\"Back to reference {n}{label}\">↩\u{fe0e}</a>"
                    )
                })
                .collect();
            *html = html.replace(&marker, &links);
        }
    }
}

/// Prose text with `:emoji:` codes replaced when `render_emoji` asks for it.
fn emoji_text<'a>(t: CowStr<'a>, config: &MarkdownConfig) -> CowStr<'a> {
    if !config.render_emoji {
        return t;
    }
    match crate::render::emoji::replace(&t) {
        std::borrow::Cow::Owned(s) => s.into(),
        std::borrow::Cow::Borrowed(_) => t,
    }
}

/// Apply `[markdown] raw_html` to one event: HTML the editor wrote is kept,
/// shown as text, or dropped (`None`). HTML inside `ours` (shortcode output)
/// and the `<!-- more -->` summary marker are always kept.
fn raw_html<'a>(event: Event<'a>, range: &Range<usize>, mode: RawHtml, ours: &[Range<usize>]) -> Option<Event<'a>> {
    let html = match &event {
        Event::Html(h) | Event::InlineHtml(h) => h,
        _ => return Some(event),
    };
    if mode == RawHtml::Keep || MORE.is_match(html) || ours.iter().any(|o| o.start <= range.start && range.end <= o.end)
    {
        return Some(event);
    }
    match (mode, event) {
        (RawHtml::Escape, Event::Html(h) | Event::InlineHtml(h)) => Some(Event::Text(h)),
        _ => None,
    }
}

fn collect_ids(html: &str, ids: &mut HashSet<String>) {
    for c in ID_ATTR.captures_iter(html) {
        if let Some(m) = c.get(1).or_else(|| c.get(2)) {
            ids.insert(m.as_str().to_string());
        }
    }
}

fn code_block(
    text: &str,
    lang: Option<&str>,
    config: &MarkdownConfig,
    span: Range<usize>,
    out: &mut Rendered,
) -> String {
    let hl = &config.highlighter;
    let highlighted = match lang {
        // Plain-text formats need no colours and deserve no warning.
        Some("text" | "txt" | "plain" | "plaintext" | "csv" | "tsv" | "output" | "console") => None,
        Some(l) if config.highlight_code => {
            let h = hl.highlight(text, l);
            if h.is_none() {
                out.diagnostics.push(
                    Diagnostic::warning(
                        "code/unknown-language",
                        "",
                        format!("no highlighting for language `{l}`; shown as plain text"),
                    )
                    .with_span(span.start..span.start + 3 + l.len()),
                );
            }
            h
        }
        _ => None,
    };
    let lang_attr = lang.map(|l| format!(" data-lang=\"{}\"", escape(l))).unwrap_or_default();
    // Inline colours (a named theme, as in Zola) put the theme's background
    // on every block, plain text too, so all code looks alike.
    let style =
        if config.highlight_code && hl.is_inline() { format!(" style=\"{}\"", hl.pre_style()) } else { String::new() };
    let body = highlighted.unwrap_or_else(|| escape(text));
    format!("<pre class=\"code {CODE_CLASS}\"{lang_attr}{style}><code>{body}</code></pre>\n")
}

/// Resolve `@/` links, add external-link attributes, and record links to check.
fn rewrite_inline<'a>(
    event: Event<'a>,
    span: Range<usize>,
    config: &MarkdownConfig,
    links: Option<&LinkContext>,
    out: &mut Rendered,
) -> Event<'a> {
    let Event::Start(Tag::Link { link_type, dest_url, title, id }) = event else { return event };
    if matches!(link_type, LinkType::Email) || dest_url.starts_with("mailto:") {
        return Event::Start(Tag::Link { link_type, dest_url, title, id });
    }
    let dest = dest_url.to_string();
    if is_external(&dest) {
        let mut rel = Vec::new();
        if config.external_links_target_blank {
            rel.push("noopener");
        }
        if config.external_links_no_follow {
            rel.push("nofollow");
        }
        if config.external_links_no_referrer {
            rel.push("noreferrer");
        }
        let target = if config.external_links_target_blank { " target=\"_blank\"" } else { "" };
        // Zola's `external_links_class`.
        let class =
            config.external_links_class.as_deref().map(|c| format!(" class=\"{}\"", escape(c))).unwrap_or_default();
        let rel = if rel.is_empty() { String::new() } else { format!(" rel=\"{}\"", rel.join(" ")) };
        let title = if title.is_empty() { String::new() } else { format!(" title=\"{}\"", escape(&title)) };
        return Event::InlineHtml(format!("<a href=\"{}\"{title}{class}{target}{rel}>", escape(&dest)).into());
    }
    let Some(ctx) = links else {
        return Event::Start(Tag::Link { link_type, dest_url, title, id });
    };
    let skip_anchor = ctx.skip_anchor_prefixes.iter().any(|p| dest.starts_with(p.as_str()));
    if ctx.skip_prefixes.iter().any(|p| dest.starts_with(p.as_str())) {
        // Still resolved when it can be, never reported.
        let resolved = dest.strip_prefix("@/").and_then(|f| {
            let (file, anchor) = f.split_once('#').map_or((f, None), |(f, a)| (f, Some(a)));
            let url = ctx.pages.get(file.trim_start_matches('/'))?;
            Some(anchor.map_or_else(|| url.clone(), |a| format!("{url}#{a}")))
        });
        let dest_url = resolved.map_or(dest_url, CowStr::from);
        return Event::Start(Tag::Link { link_type, dest_url, title, id });
    }
    let dest = relative_md(&dest, ctx.content_rel).unwrap_or(dest);
    if let Some(internal) = dest.strip_prefix("@/") {
        let (file, anchor) = match internal.split_once('#') {
            Some((f, a)) => (f, Some(a)),
            None => (internal, None),
        };
        let file = file.trim_start_matches('/');
        let Some(url) = ctx.pages.get(file) else {
            let msg = if ctx.drafts.contains(file) {
                format!("link to a page that is not published (a draft, dated in the future, or expired): @/{file}")
            } else {
                format!("link to a page that does not exist: @/{file}")
            };
            let mut d = Diagnostic::error("link/broken", "", msg).with_span(span);
            if let Some(best) = closest_path(file, ctx.pages.keys()) {
                d = d.with_help(format!("did you mean @/{best}?"));
            }
            out.diagnostics.push(d);
            return Event::Start(Tag::Link { link_type, dest_url, title, id });
        };
        let resolved = match anchor {
            Some(a) => {
                if !skip_anchor {
                    out.anchors.push(AnchorCheck { target: Some(file.to_string()), anchor: a.to_string(), span });
                }
                format!("{url}#{a}")
            }
            None => url.clone(),
        };
        return Event::Start(Tag::Link { link_type, dest_url: CowStr::from(resolved), title, id });
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        if !anchor.is_empty() && !skip_anchor {
            out.anchors.push(AnchorCheck { target: None, anchor: anchor.to_string(), span });
        }
    } else if !has_scheme(&dest) && !dest.is_empty() {
        check_relative(&dest, span, ctx, out);
    }
    Event::Start(Tag::Link { link_type, dest_url, title, id })
}

/// A relative link to a Markdown file (`configuration.md#keys`,
/// `../europe/minsk.md`) as the `@/` link it means, resolved against the
/// directory of `content_rel`. Such links are what GitHub and editors follow,
/// so a folder of Markdown reads the same there and as a built site (the
/// build checks them like `@/` links). `None` for anything else, and for a
/// link that climbs out of `content/` (then it is checked as a path).
fn relative_md(dest: &str, content_rel: &str) -> Option<String> {
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (dest, None),
    };
    if !path.ends_with(".md") || path.starts_with('/') || path.starts_with("@/") || has_scheme(path) {
        return None;
    }
    let mut parts: Vec<&str> = content_rel.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    Some(match anchor {
        Some(a) => format!("@/{joined}#{a}"),
        None => format!("@/{joined}"),
    })
}

/// The content path whose file name is closest to the one asked for: comparing
/// whole paths would make every page of the same section look "close".
fn closest_path<'p>(wanted: &str, paths: impl Iterator<Item = &'p String>) -> Option<&'p str> {
    let name = |p: &str| p.trim_end_matches("/index.md").rsplit('/').next().unwrap_or(p).to_string();
    let wanted_name = name(wanted);
    let paths: Vec<&String> = paths.collect();
    let names: Vec<String> = paths.iter().map(|p| name(p)).collect();
    let best = crate::content::front_matter::closest(&wanted_name, names.iter().map(String::as_str))?;
    let mut hits =
        paths.iter().zip(&names).filter(|(_, n)| n.as_str() == best).map(|(p, _)| p.as_str()).collect::<Vec<_>>();
    hits.sort();
    hits.first().copied()
}

fn check_relative(dest: &str, span: Range<usize>, ctx: &LinkContext, out: &mut Rendered) {
    let path = dest.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() {
        return;
    }
    let joined = if let Some(abs) = path.strip_prefix('/') {
        let base = ctx.base_path.trim_matches('/');
        let abs =
            if !base.is_empty() { abs.strip_prefix(base).map_or(abs, |r| r.trim_start_matches('/')) } else { abs };
        abs.to_string()
    } else {
        format!("{}{}", ctx.page_path.trim_start_matches('/'), path)
    };
    let mut parts: Vec<&str> = Vec::new();
    let mut escaped = false;
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => escaped |= parts.pop().is_none(),
            s => parts.push(s),
        }
    }
    let mut norm = parts.join("/");
    if norm.ends_with("index.html") {
        norm.truncate(norm.len() - "index.html".len());
    }
    let norm = norm.trim_end_matches('/').to_string();
    let found = !escaped && (ctx.known.contains(&norm) || ctx.known.contains(&format!("{norm}/")));
    // A warning, not an error: Zola doesn't check such links, and a Zola
    // site must build as it is (`--deny warnings` makes it fail in CI).
    // Links Zola checks too (`@/…`, anchors) and `.md` paths stay errors.
    if !found {
        out.diagnostics.push(
            Diagnostic::warning("link/broken", "", format!("link to a path that this build does not produce: {dest}"))
                .with_span(span)
                .with_help("link to articles with @/section/article.md so the build can check and resolve them"),
        );
    }
}

/// Turn a flat list of headings into a tree by level.
fn nest(flat: Vec<(u32, String, String)>) -> Vec<TocEntry> {
    fn take(items: &mut std::iter::Peekable<std::vec::IntoIter<(u32, String, String)>>, level: u32) -> Vec<TocEntry> {
        let mut out = Vec::new();
        while let Some((l, _, _)) = items.peek() {
            if *l < level {
                break;
            }
            let Some((l, id, title)) = items.next() else { break };
            let children = take(items, l + 1);
            out.push(TocEntry { level: l, permalink: format!("#{id}"), id, title, children });
        }
        out
    }
    let min = flat.iter().map(|h| h.0).min().unwrap_or(1);
    let mut it = flat.into_iter().peekable();
    take(&mut it, min)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(src: &str) -> Rendered {
        render(src, &MarkdownConfig::default(), None)
    }

    #[test]
    fn headings_get_unique_ids_and_nest() {
        let r = md("# Top\n\n## Who decides?\n\n### Detail\n\n## Who decides?\n");
        assert!(r.html.contains("<h2 id=\"who-decides\">"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"who-decides-1\">"), "{}", r.html);
        assert_eq!(r.toc.len(), 1);
        assert_eq!(r.toc[0].children.len(), 2);
        assert_eq!(r.toc[0].children[0].children[0].id, "detail");
    }

    #[test]
    fn footnotes_have_stable_ids_and_back_links() {
        let r = md("Claim.[^src] Again.[^src] Other.[^1]\n\n[^1]: First.\n\n[^src]: Source.\n");
        assert!(
            r.html.contains(r##"<sup class="footnote-reference" id="fr-src-1"><a href="#fn-src">1</a></sup>"##),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"id="fr-src-2""#), "{}", r.html);
        assert!(
            r.html.contains(
                r#"<div class="footnote-definition" id="fn-src"><sup class="footnote-definition-label">1</sup>"#
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains(r##"href="#fr-src-1" aria-label="Back to reference 1 (1)""##), "{}", r.html);
        assert!(r.html.contains(r##"href="#fr-src-2""##), "{}", r.html);
        assert!(r.html.contains(r##"href="#fr-1-1" aria-label="Back to reference 2""##), "{}", r.html);
        assert!(!r.html.contains("attache:footnote-back"), "{}", r.html);
        assert!(r.ids.contains("fn-1") && r.ids.contains("fr-1-1"));
    }

    #[test]
    fn bottom_footnotes_as_zola_marks_them_up() {
        let config = MarkdownConfig { bottom_footnotes: true, ..MarkdownConfig::default() };
        let r = render(
            "[^u]: Unused.\n\nTwo[^1] refs[^1] and[^b].\n\n[^b]: Bee[^c].\n\n[^1]: One.\n\n[^c]: Sea.\n\n## After\n",
            &config,
            None,
        );
        let want = concat!(
            "<section class=\"footnotes\">\n<ol class=\"footnotes-list\">\n",
            "<li id=\"fn-1\">\n<p>One. <a href=\"#fr-1-1\">↩</a> <a href=\"#fr-1-2\">↩2</a></p>\n</li>\n",
            "<li id=\"fn-b\">\n<p>Bee<sup class=\"footnote-reference\" id=\"fr-c-1\"><a href=\"#fn-c\">3</a></sup>. <a href=\"#fr-b-1\">↩</a></p>\n</li>\n",
            "<li id=\"fn-c\">\n<p>Sea. <a href=\"#fr-c-1\">↩</a></p>\n</li>\n",
            "</ol>\n</section>\n"
        );
        assert!(r.html.ends_with(want), "{}", r.html);
        assert!(r.html.find("<h2").unwrap() < r.html.find("<section").unwrap(), "{}", r.html);
        assert!(!r.html.contains("Unused"), "{}", r.html);
        assert!(r.ids.contains("fn-c") && r.ids.contains("fr-1-2"));
    }

    #[test]
    fn emoji_in_prose_not_in_code() {
        let config = MarkdownConfig { render_emoji: true, ..MarkdownConfig::default() };
        let r = render("# Hi :wave:\n\nGood :+1: `:smile:`\n\n```\n:smile:\n```\n", &config, None);
        assert!(r.html.contains("Hi 👋") && r.html.contains("Good 👍"), "{}", r.html);
        assert_eq!(r.html.matches(":smile:").count(), 2, "{}", r.html);
        assert!(md("Good :+1:").html.contains(":+1:"));
    }

    #[test]
    fn summary_stops_at_more() {
        let r = md("First para.\n\n<!-- more -->\n\nSecond.\n");
        assert_eq!(r.summary.as_deref().map(str::trim), Some("<p>First para.</p>"));
        assert!(r.html.contains("Second."));
    }

    #[test]
    fn code_is_highlighted_and_unknown_language_warns() {
        let r = md("```rust\nlet x = 1;\n```\n\n```klingon\nqapla\n```\n");
        assert!(r.html.contains("hl-"), "{}", r.html);
        assert!(r.html.contains("qapla"));
        assert_eq!(r.diagnostics.len(), 1);
        assert_eq!(r.diagnostics[0].code, "code/unknown-language");
        assert_eq!(r.word_count, 0);
    }

    #[test]
    fn missing_alt_warns() {
        let r = md("![](map.png) and ![A map](map.png)\n");
        assert_eq!(r.diagnostics.len(), 1);
        assert_eq!(r.diagnostics[0].code, "a11y/missing-alt");
    }
}
