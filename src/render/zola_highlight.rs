//! Zola's highlighting settings. A theme named in `highlight_theme` (Zola
//! ≤ 0.21) or `[markdown.highlighting]` (0.22: `theme`, or `light_theme`
//! and `dark_theme`) colours code inline, Zola's default; `"css"` or `style
//! = "class"` keeps classes. Class stylesheets: `style = "class"` writes
//! `giallo.css`, or `giallo-light.css` and `giallo-dark.css`;
//! `highlight_themes_css = [{ theme, filename }]` writes each file named.
//! A Zola theme name Attaché does not ship maps to the closest palette it
//! has, with a note.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Severity};
use crate::render::highlight::{Extra, Highlighter};

/// Set `config.markdown.highlighter` from the config: the site's extra
/// syntaxes and themes, and inline colours when a theme is named. Theme
/// names are replaced by the closest one Attaché has. Returns the notes and
/// warnings to show, at the keys' `spans`.
pub fn resolve(
    config: &mut Config,
    root: &Path,
    path: &Path,
    spans: &HashMap<String, Range<usize>>,
) -> Vec<Diagnostic> {
    let span = |key: &str| spans.get(key).cloned().unwrap_or(0..0);
    let mut diags = Vec::new();
    let m = &mut config.markdown;
    if !m.extra_syntaxes_and_themes.is_empty() {
        let (extra, problems) = Extra::load(root, &m.extra_syntaxes_and_themes);
        for p in problems {
            diags.push(
                Diagnostic::warning("config/highlight", path, p).with_span(span("markdown.extra_syntaxes_and_themes")),
            );
        }
        m.highlighter.extra = Some(Arc::new(extra));
    }
    let mut asked: Vec<(String, String)> = Vec::new();
    let mut inline = false;
    if let Some(h) = &m.highlighting {
        let name = |key: &str| {
            h.get(key).and_then(toml::Value::as_str).map(|n| (format!("markdown.highlighting.{key}"), n.to_string()))
        };
        asked = match (name("light_theme"), name("dark_theme"), name("theme")) {
            (Some(light), Some(dark), _) => vec![light, dark],
            (.., Some(one)) => vec![one],
            (Some(one), None, None) | (None, Some(one), None) => vec![one],
            (None, None, None) => Vec::new(),
        };
        inline = h.get("style").and_then(toml::Value::as_str) != Some("class");
    } else if spans.contains_key("markdown.highlight_theme") && m.highlight_theme != "css" {
        asked = vec![("markdown.highlight_theme".to_string(), m.highlight_theme.clone())];
        inline = true;
    }
    let mut names = Vec::new();
    for (key, name) in asked {
        let found = closest_in(&name, &m.highlighter);
        if m.highlighter.theme(&name).is_none() {
            diags.push(
                Diagnostic {
                    severity: Severity::Note,
                    ..Diagnostic::warning(
                        "config/highlight-theme",
                        path,
                        format!("Attaché has no highlight theme `{name}`; code is coloured with `{found}`, the closest it has"),
                    )
                }
                .with_span(span(&key))
                .with_help(format!(
                    "name one of {}, or add the theme's .tmTheme file with `extra_syntaxes_and_themes`",
                    m.highlighter.theme_names().join(", ")
                )),
            );
        }
        if key == "markdown.highlight_theme" {
            m.highlight_theme = found.clone();
        }
        names.push(found);
    }
    if inline && m.highlight_code {
        m.highlighter.inline = names;
    }
    diags
}

/// The built-in theme closest to a Zola theme name: the name itself when
/// Attaché has it, else a dark or light palette by the name's look.
pub fn closest_theme(name: &str) -> String {
    closest_in(name, &Highlighter::default())
}

/// [`closest_theme`] among `hl`'s themes (the site's own included), where
/// names match ignoring case and punctuation (`base16-ocean-dark` is
/// `base16-ocean.dark`, `solarized-light` is `Solarized (light)`).
pub fn closest_in(name: &str, hl: &Highlighter) -> String {
    if hl.theme(name).is_some() {
        return name.to_string();
    }
    let fold = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let wanted = fold(name);
    if let Some(same) = hl.theme_names().into_iter().find(|n| fold(n) == wanted) {
        return same;
    }
    let n = name.to_lowercase();
    let dark = [
        "dark",
        "night",
        "mocha",
        "macchiato",
        "frappe",
        "dracula",
        "monokai",
        "nord",
        "one-dark",
        "onedark",
        "boron",
        "kronuz",
        "zenburn",
        "gruvbox",
        "ayu-mirage",
        "material",
        "nightfox",
        "tokyo",
        "vesper",
        "black",
        "1337",
        "axar",
        "kanagawa",
        "rose-pine",
        "poimandres",
        "synthwave",
        "houston",
        "laserwave",
    ]
    .iter()
    .any(|d| n.contains(d))
        && !n.contains("light")
        && !n.contains("dawn")
        && !n.contains("latte");
    let name = match (n.contains("solarized"), dark) {
        (true, true) => "Solarized (dark)",
        (true, false) => "Solarized (light)",
        (false, true) => "base16-ocean.dark",
        (false, false) => "InspiredGitHub",
    };
    name.to_string()
}

/// Each stylesheet Zola's settings ask for: output file, and the built-in
/// theme it is made from.
pub fn files(config: &Config) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(h) = &config.markdown.highlighting
        && h.get("style").and_then(toml::Value::as_str) == Some("class")
    {
        let theme =
            |key: &str| h.get(key).and_then(toml::Value::as_str).map(|n| closest_in(n, &config.markdown.highlighter));
        match (theme("theme"), theme("light_theme"), theme("dark_theme")) {
            (_, Some(light), Some(dark)) => {
                out.push(("giallo-light.css".to_string(), light));
                out.push(("giallo-dark.css".to_string(), dark));
            }
            (Some(single), ..) => out.push(("giallo.css".to_string(), single)),
            _ => {}
        }
    }
    for entry in &config.markdown.highlight_themes_css {
        let (Some(theme), Some(file)) =
            (entry.get("theme").and_then(toml::Value::as_str), entry.get("filename").and_then(toml::Value::as_str))
        else {
            continue;
        };
        let file = file.trim_start_matches('/');
        if !file.is_empty() && !file.split('/').any(|s| s == ".." || s.is_empty()) {
            out.push((file.to_string(), closest_in(theme, &config.markdown.highlighter)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zola_names_map_to_a_palette_of_the_same_lightness() {
        assert_eq!(closest_theme("InspiredGitHub"), "InspiredGitHub");
        assert_eq!(closest_theme("dark-plus"), "base16-ocean.dark");
        assert_eq!(closest_theme("catppuccin-mocha"), "base16-ocean.dark");
        assert_eq!(closest_theme("light-plus"), "InspiredGitHub");
        assert_eq!(closest_theme("solarized-dark"), "Solarized (dark)");
        assert_eq!(closest_theme("base16-ocean-dark"), "base16-ocean.dark");
        assert_eq!(closest_theme("inspired-github"), "InspiredGitHub");
        assert_eq!(closest_theme("rose-pine-dawn"), "InspiredGitHub");
    }
}
