//! An independent check on the corrector, for `attache-eval` and the
//! techdocs test: where a Markdown source has math, code or markup, found by
//! rough patterns of its own and by what the parser knows is code or HTML —
//! deliberately not [`super::protect`], so a figure built on it checks the
//! engine rather than itself. Not used by the build.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};
use regex::Regex;

/// Byte ranges of `text` that are math, code or markup (they may overlap).
pub fn markup_ranges(text: &str) -> Vec<Range<usize>> {
    // The options the site renders with.
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut out: Vec<Range<usize>> = Parser::new_ext(text, opts)
        .into_offset_iter()
        .filter(|(e, _)| {
            matches!(e, Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::CodeBlock(_)))
        })
        .map(|(_, r)| r)
        .collect();
    let patterns = [
        r"(?ms)^ {0,3}(```|~~~).*?^ {0,3}(```|~~~)",
        r"`[^`\n]+`",
        r"(?s)\$\$.+?\$\$",
        r"\$[^\s$][^$\n]*\$",
        r"(?s)\\\(.+?\\\)",
        r"(?s)\\\[.+?\\\]",
        r"(?s)\\begin\{[^}]*\}.*?\\end\{[^}]*\}",
        r"(?s)\{\{.*?\}\}",
        r"(?s)\{%.*?%\}",
        r"(?s)\{\{[<%]\s*(?:code[\w-]*|highlight)\b.*?\{\{[<%]\s*/\s*(?:code[\w-]*|highlight)\s*[>%]\}\}",
        r"(?s)\{%-?\s*(?:raw|highlight|comment)\b.*?\{%-?\s*end(?:raw|highlight|comment)\s*-?%\}",
        r"\{[:#.][^}\n]*\}",
        r"<[^>\n]+>",
        r#"[a-z]+://[^\s)\]>"'`]+"#,
    ];
    for p in patterns {
        if let Ok(re) = Regex::new(p) {
            out.extend(re.find_iter(text).map(|m| m.range()));
        }
    }
    out
}
