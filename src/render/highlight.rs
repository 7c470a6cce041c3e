//! Code highlighting with syntect, as CSS classes or as inline colours.
//!
//! Classes are Attaché's way: a theme controls the palette, and
//! `/highlight.css` is generated from `[markdown] highlight_theme`. Inline
//! `style=` colours are Zola's default for a named theme: Zola themes link no
//! stylesheet for code, so classes would leave it uncoloured. The syntax set
//! is loaded once, lazily, on first use: a site without code never pays.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use syntect::highlighting::{Color, FontStyle, Highlighter as ThemeHighlighter, Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Sublime's default syntaxes plus our own additions in `data/syntaxes/`,
/// linked at compile time by `build.rs`: loading the dump costs a few
/// milliseconds, where linking the set here cost 0.15 s at the first code block.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(|| {
    syntect::dumps::from_uncompressed_data(include_bytes!(concat!(env!("OUT_DIR"), "/syntaxes.bin")))
        // Our own dump failing to load must not take highlighting down.
        .unwrap_or_else(|e| {
            eprintln!("warning: built-in syntax set did not load ({e}); highlighting with syntect's defaults");
            SyntaxSet::load_defaults_newlines()
        })
});
static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Syntaxes and themes a site adds with Zola's `extra_syntaxes_and_themes`.
#[derive(Debug, Default)]
pub struct Extra {
    /// The built-in syntaxes plus the site's, when it has any.
    syntaxes: Option<SyntaxSet>,
    /// The site's `.tmTheme` files, by file stem (as Zola names them).
    themes: BTreeMap<String, Theme>,
}

impl Extra {
    /// Load every `.sublime-syntax` and `.tmTheme` under `dirs` (relative
    /// to `root`). Returns the set and a message per folder that failed.
    pub fn load(root: &Path, dirs: &[String]) -> (Extra, Vec<String>) {
        let mut extra = Extra::default();
        let mut problems = Vec::new();
        let mut builder = None;
        for dir in dirs {
            let path = root.join(dir);
            if !path.is_dir() {
                problems.push(format!("`{dir}` is not a folder of the site"));
                continue;
            }
            if has_file(&path, "sublime-syntax") {
                let b = builder.get_or_insert_with(|| SYNTAXES.clone().into_builder());
                if let Err(e) = b.add_from_folder(&path, true) {
                    problems.push(format!("syntaxes in `{dir}` did not load: {e}"));
                }
            }
            match ThemeSet::load_from_folder(&path) {
                Ok(set) => extra.themes.extend(set.themes),
                Err(e) => problems.push(format!("themes in `{dir}` did not load: {e}")),
            }
        }
        extra.syntaxes = builder.map(|b| b.build());
        (extra, problems)
    }
}

/// Whether `dir` holds a file ending in `.ext`, at any depth.
fn has_file(dir: &Path, ext: &str) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x.eq_ignore_ascii_case(ext)))
}

/// How code is coloured: with classes (no `inline` themes), or with the
/// colours of one theme, or of a light and a dark theme (CSS `light-dark()`)
/// written on each token.
#[derive(Debug, Clone, Default)]
pub struct Highlighter {
    pub extra: Option<Arc<Extra>>,
    /// Theme names for inline colours: none, one, or light then dark.
    pub inline: Vec<String>,
}

impl Highlighter {
    fn syntaxes(&self) -> &SyntaxSet {
        self.extra.as_deref().and_then(|e| e.syntaxes.as_ref()).unwrap_or(&SYNTAXES)
    }

    /// The site's theme of that name, else the built-in one.
    pub fn theme(&self, name: &str) -> Option<&Theme> {
        self.extra.as_deref().and_then(|e| e.themes.get(name)).or_else(|| THEMES.themes.get(name))
    }

    /// Every theme name known, built-in and the site's.
    pub fn theme_names(&self) -> Vec<String> {
        let mut names: Vec<String> = THEMES.themes.keys().cloned().collect();
        names.extend(self.extra.iter().flat_map(|e| e.themes.keys().cloned()));
        names
    }

    /// Whether code gets inline colours rather than classes.
    pub fn is_inline(&self) -> bool {
        !self.inline.is_empty()
    }

    fn inline_themes(&self) -> Vec<&Theme> {
        self.inline.iter().filter_map(|n| self.theme(n)).collect()
    }

    /// Highlight `code` written in `lang`, as classes or inline colours.
    /// Returns `None` when the language is unknown, so the caller can warn
    /// and fall back to plain text.
    pub fn highlight(&self, code: &str, lang: &str) -> Option<String> {
        let syntaxes = self.syntaxes();
        let syntax = syntaxes.find_syntax_by_token(lang)?;
        let themes = self.inline_themes();
        if themes.is_empty() {
            let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, STYLE);
            for line in LinesWithEndings::from(code) {
                // A syntect failure on odd input must not fail the build: fall back.
                generator.parse_html_for_line_which_includes_newline(line).ok()?;
            }
            return Some(generator.finalize());
        }
        let highlighters: Vec<ThemeHighlighter> = themes.iter().map(|t| ThemeHighlighter::new(t)).collect();
        let plain = self.pre_style();
        let mut out = Spans { html: String::with_capacity(code.len() * 3), open: None, plain: token_style(&plain) };
        let mut state = ParseState::new(syntax);
        let mut stack = ScopeStack::new();
        for line in LinesWithEndings::from(code) {
            let ops = state.parse_line(line, syntaxes).ok()?;
            let mut at = 0;
            for (i, op) in ops {
                if i > at {
                    out.push(&line[at..i], &style_of(&highlighters, &stack));
                    at = i;
                }
                stack.apply(&op).ok()?;
            }
            if at < line.len() {
                out.push(&line[at..], &style_of(&highlighters, &stack));
            }
        }
        Some(out.finish())
    }

    /// The `style` of a code block's `<pre>` in inline mode: the theme's
    /// background and text colour (empty with classes).
    pub fn pre_style(&self) -> String {
        let themes = self.inline_themes();
        let pick = |f: fn(&Theme) -> Option<Color>| colour(&themes.iter().filter_map(|t| f(t)).collect::<Vec<_>>());
        let mut style = String::new();
        if let Some(bg) = pick(|t| t.settings.background) {
            let _ = write!(style, "background-color:{bg};");
        }
        if let Some(fg) = pick(|t| t.settings.foreground) {
            let _ = write!(style, "color:{fg};");
        }
        style
    }

    /// The class stylesheet for a theme, or `None` if no theme has that name.
    pub fn stylesheet(&self, theme: &str) -> Option<String> {
        css_for_theme_with_class_style(self.theme(theme)?, STYLE).ok()
    }
}

/// Inline spans being written, a span left open while tokens share a style.
struct Spans {
    html: String,
    open: Option<String>,
    /// The `<pre>`'s own colour: tokens in it need no span.
    plain: String,
}

impl Spans {
    fn push(&mut self, text: &str, style: &str) {
        let style = if style == self.plain { "" } else { style };
        if self.open.as_deref() != Some(style) {
            if self.open.take().is_some_and(|s| !s.is_empty()) {
                self.html.push_str("</span>");
            }
            if !style.is_empty() {
                let _ = write!(self.html, "<span style=\"{style}\">");
            }
            self.open = Some(style.to_string());
        }
        escape_into(&mut self.html, text);
    }

    fn finish(mut self) -> String {
        if self.open.take().is_some_and(|s| !s.is_empty()) {
            self.html.push_str("</span>");
        }
        self.html
    }
}

/// The `color:` of a pre style alone, to compare tokens against.
fn token_style(pre: &str) -> String {
    pre.split(';').find(|d| d.starts_with("color:")).map(|d| format!("{d};")).unwrap_or_default()
}

/// A token's inline style under each theme: colour (`light-dark()` for
/// two themes) and the first theme's font style.
fn style_of(highlighters: &[ThemeHighlighter], stack: &ScopeStack) -> String {
    let styles: Vec<_> = highlighters.iter().map(|h| h.style_for_stack(stack.as_slice())).collect();
    let mut out = String::new();
    if let Some(c) = colour(&styles.iter().map(|s| s.foreground).collect::<Vec<_>>()) {
        let _ = write!(out, "color:{c};");
    }
    if let Some(first) = styles.first() {
        if first.font_style.contains(FontStyle::BOLD) {
            out.push_str("font-weight:bold;");
        }
        if first.font_style.contains(FontStyle::ITALIC) {
            out.push_str("font-style:italic;");
        }
        if first.font_style.contains(FontStyle::UNDERLINE) {
            out.push_str("text-decoration:underline;");
        }
    }
    out
}

/// One colour as CSS, or `light-dark(a, b)` for a light and a dark one.
fn colour(colours: &[Color]) -> Option<String> {
    let hex = |c: &Color| {
        if c.a == 0xff {
            format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
        } else {
            format!("#{:02x}{:02x}{:02x}{:02x}", c.r, c.g, c.b, c.a)
        }
    };
    match colours {
        [] => None,
        [one] => Some(hex(one)),
        [light, dark, ..] if light == dark => Some(hex(light)),
        [light, dark, ..] => Some(format!("light-dark({},{})", hex(light), hex(dark))),
    }
}

/// HTML-escape `text` onto `out` (the four characters that matter in text
/// and attribute values).
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// Highlight `code` written in `lang` with classes and the built-in syntaxes.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    Highlighter::default().highlight(code, lang)
}

/// The stylesheet for a built-in syntect theme, or `None` if no theme has that name.
pub fn stylesheet(theme: &str) -> Option<String> {
    Highlighter::default().stylesheet(theme)
}

/// Names of the built-in highlight themes, for the "did you mean" help.
pub fn theme_names() -> Vec<String> {
    Highlighter::default().theme_names()
}

#[cfg(test)]
mod tests {
    use super::Highlighter;

    #[test]
    fn known_and_unknown_languages() {
        let html = super::highlight("fn main() {}\n", "rust").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(super::highlight("x", "no-such-language").is_none());
        let toml = super::highlight("title = \"Minsk\" # note\ndate = 2025-03-14\n", "toml").unwrap();
        assert!(toml.contains("hl-string") && toml.contains("hl-comment"), "{toml}");
        assert!(super::stylesheet("InspiredGitHub").unwrap().contains(".hl-"));
    }

    #[test]
    fn inline_colours_of_one_or_two_themes() {
        let one = Highlighter { extra: None, inline: vec!["base16-ocean.dark".into()] };
        let html = one.highlight("fn main() { let a = \"<b>\"; }\n", "rust").unwrap();
        assert!(html.contains("<span style=\"color:#"), "{html}");
        assert!(html.contains("&lt;b&gt;") && !html.contains("class="), "{html}");
        assert_eq!(one.pre_style(), "background-color:#2b303b;color:#c0c5ce;");
        let two = Highlighter { extra: None, inline: vec!["InspiredGitHub".into(), "base16-ocean.dark".into()] };
        let html = two.highlight("fn main() {}\n", "rust").unwrap();
        assert!(html.contains("color:light-dark(#"), "{html}");
        assert!(two.pre_style().starts_with("background-color:light-dark(#ffffff,#2b303b);"), "{}", two.pre_style());
    }
}
