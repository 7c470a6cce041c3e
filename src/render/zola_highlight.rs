//! Zola's highlighting stylesheets: `[markdown.highlighting] style = "class"`
//! (Zola 0.22) writes `giallo.css`, or `giallo-light.css` and
//! `giallo-dark.css`; `highlight_themes_css = [{ theme, filename }]` (Zola
//! ≤ 0.21) writes each file named. Attaché's code carries its own classes,
//! so each file is the palette of the closest theme Attaché ships for those
//! classes: a Zola theme that links the file gets coloured code.

use crate::config::Config;

/// The built-in theme closest to a Zola theme name: the name itself when
/// Attaché has it, else a dark or light palette by the name's look.
pub fn closest_theme(name: &str) -> String {
    if crate::render::highlight::stylesheet(name).is_some() {
        return name.to_string();
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
    ]
    .iter()
    .any(|d| n.contains(d))
        && !n.contains("light");
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
        let theme = |key: &str| h.get(key).and_then(toml::Value::as_str).map(closest_theme);
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
            out.push((file.to_string(), closest_theme(theme)));
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
    }
}
