//! Code highlighting with syntect, as CSS classes.
//!
//! Classes rather than inline colours so a theme controls the palette;
//! `/highlight.css` is generated from `[markdown] highlight_theme`. The syntax
//! set is loaded once, lazily, on first use: a site without code never pays.

use std::sync::LazyLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
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

/// Highlight `code` written in `lang`. Returns `None` when the language is
/// unknown, so the caller can warn and fall back to plain text.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let syntax = SYNTAXES.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, STYLE);
    for line in LinesWithEndings::from(code) {
        // A syntect failure on odd input must not fail the build: fall back.
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

/// The stylesheet for a syntect theme, or `None` if no theme has that name.
pub fn stylesheet(theme: &str) -> Option<String> {
    let theme = THEMES.themes.get(theme)?;
    css_for_theme_with_class_style(theme, STYLE).ok()
}

/// Names of the built-in highlight themes, for the "did you mean" help.
pub fn theme_names() -> Vec<String> {
    THEMES.themes.keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_and_unknown_languages() {
        let html = super::highlight("fn main() {}\n", "rust").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(super::highlight("x", "no-such-language").is_none());
        let toml = super::highlight("title = \"Minsk\" # note\ndate = 2025-03-14\n", "toml").unwrap();
        assert!(toml.contains("hl-string") && toml.contains("hl-comment"), "{toml}");
        assert!(super::stylesheet("InspiredGitHub").unwrap().contains(".hl-"));
    }
}
