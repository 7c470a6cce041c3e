//! `config.toml` → [`Config`].
//!
//! Unknown keys are an error naming the key and its line, not a silent ignore:
//! a misspelt `paginate_by` that does nothing is worse than a failed build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostics::Diagnostic;

/// The site's configuration, as written in `config.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// A directory name inside `themes/` (one name: no `/`, `\\`, `..`).
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_language")]
    pub default_language: String,
    /// Write `/atom.xml` for the whole site.
    #[serde(default = "yes")]
    pub generate_feed: bool,
    /// Entries per feed.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// Write `/SECTION/atom.xml` for every section.
    #[serde(default = "yes")]
    pub section_feeds: bool,
    #[serde(default = "yes")]
    pub generate_sitemap: bool,
    #[serde(default = "yes")]
    pub generate_robots_txt: bool,
    /// Zola's key: the output directory's own top-level dotfiles (a `.git`
    /// checkout of the published site) survive a build. It does not publish
    /// `static/` dotfiles: that is [`Config::publish_dotfiles`]'s job.
    #[serde(default)]
    pub preserve_dotfiles_in_output: bool,
    /// Dotfiles and dot-directories of `static/` to publish besides the
    /// hosts' own ([`HOST_DOTFILES`]): names (`.htpasswd`) or paths inside
    /// `static/` (`admin/.htpasswd`).
    #[serde(default)]
    pub publish_dotfiles: Vec<String>,
    #[serde(default)]
    pub markdown: MarkdownConfig,
    #[serde(default)]
    pub taxonomies: BTreeMap<String, TaxonomyConfig>,
    #[serde(default)]
    pub editorial: EditorialConfig,
    /// The prose corrector's switches.
    #[serde(default)]
    pub correct: crate::correct::CorrectConfig,
    /// Free-form values for templates.
    #[serde(default)]
    pub extra: toml::Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    #[serde(default = "yes")]
    pub highlight_code: bool,
    /// A syntect theme name; `/highlight.css` is generated from it.
    #[serde(default = "default_highlight_theme")]
    pub highlight_theme: String,
    /// Curly quotes, en/em dashes and ellipses from ASCII.
    #[serde(default = "yes")]
    pub smart_punctuation: bool,
    #[serde(default)]
    pub external_links_target_blank: bool,
    #[serde(default)]
    pub external_links_no_follow: bool,
    #[serde(default)]
    pub external_links_no_referrer: bool,
    /// Put a `#` anchor link in every heading.
    #[serde(default = "yes")]
    pub heading_anchors: bool,
    /// What to do with HTML written in articles (shortcode output is kept).
    #[serde(default)]
    pub raw_html: RawHtml,
}

/// `[markdown] raw_html`: a site that takes copy from many hands can refuse
/// raw HTML (and with it `<script>`) in articles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Pass it through, as CommonMark does.
    #[default]
    Keep,
    /// Show it as text.
    Escape,
    /// Leave it out.
    Drop,
}

/// Dotfiles web hosts read from the published site: published by default.
pub const HOST_DOTFILES: &[&str] = &[".well-known", ".nojekyll", ".htaccess"];

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            highlight_code: true,
            highlight_theme: default_highlight_theme(),
            smart_punctuation: true,
            external_links_target_blank: false,
            external_links_no_follow: false,
            external_links_no_referrer: false,
            heading_anchors: true,
            raw_html: RawHtml::Keep,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    /// Terms per page on a term's page; unset means one page.
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// Write `/TAXONOMY/TERM/atom.xml`.
    #[serde(default)]
    pub feed: bool,
    /// A file (relative to the site root) of allowed term names, one per line;
    /// any other term is an error with a "did you mean" suggestion.
    #[serde(default)]
    pub allowed: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditorialConfig {
    /// Front-matter fields every page must have (e.g. `description`, `date`, `authors`).
    #[serde(default)]
    pub required_fields: Vec<String>,
}

fn yes() -> bool {
    true
}
fn default_base_url() -> String {
    "/".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_language() -> String {
    "en".into()
}
fn default_feed_limit() -> usize {
    20
}
fn default_highlight_theme() -> String {
    "InspiredGitHub".into()
}

impl Config {
    /// Parse `config.toml`. On failure returns a diagnostic pointing at the bad key.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Diagnostic> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let mut d = Diagnostic::error("config/invalid", path, e.message().trim().to_string());
            if let Some(span) = e.span() {
                d = d.with_span(span);
            }
            d
        })?;
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        if !is_one_name(&config.theme) {
            return Err(Diagnostic::error(
                "config/invalid",
                path,
                format!("theme `{}` must be the name of a directory in themes/", config.theme),
            )
            .with_span(value_span(text, "theme"))
            .with_help("write the directory's name alone, e.g. `theme = \"default\"`; a theme is never loaded from outside themes/"));
        }
        for (name, tax) in &config.taxonomies {
            if crate::slug::slugify(name).is_empty() || tax.paginate_by == Some(0) {
                let at = text.find(&format!("taxonomies.{name}")).unwrap_or(0);
                return Err(Diagnostic::error(
                    "config/invalid",
                    path,
                    format!("taxonomy `{name}` needs a name with letters and a paginate_by above 0"),
                )
                .with_span(at..at + name.len()));
            }
        }
        Ok(config)
    }

    /// Whether a dotfile or dot-directory of `static/` (`name`, at `rel`
    /// inside `static/`) is published: the hosts' own, those listed in
    /// `publish_dotfiles`.
    pub fn publishes_dotfile(&self, name: &str, rel: &str) -> bool {
        HOST_DOTFILES.contains(&name)
            || self.publish_dotfiles.iter().any(|p| {
                let p = p.trim_matches('/');
                p == name || p == rel
            })
    }

    /// The path part of `base_url` (`/sub` for `https://example.org/sub/`), with
    /// no trailing slash; empty for a site at the root of its host.
    pub fn base_path(&self) -> &str {
        let url = self.base_url.as_str();
        let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
        if !url.contains("://") {
            return after_scheme.trim_end_matches('/');
        }
        after_scheme.find('/').map_or("", |i| &after_scheme[i..])
    }

    /// The scheme and host part of `base_url`, empty if it has none.
    pub fn origin(&self) -> &str {
        let url = self.base_url.as_str();
        match url.find("://") {
            Some(i) => {
                let rest = &url[i + 3..];
                &url[..i + 3 + rest.find('/').unwrap_or(rest.len())]
            }
            None => "",
        }
    }
}

/// A single directory name (or empty: no theme): no separators, not `.` or `..`.
fn is_one_name(name: &str) -> bool {
    name != "." && name != ".." && !name.contains(['/', '\\', '\0', ':'])
}

/// Byte span of the value of top-level `key` in `text` (the key itself when
/// the value cannot be found), for diagnostics.
fn value_span(text: &str, key: &str) -> std::ops::Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            break;
        }
        if let Some(rest) = trimmed.strip_prefix(key)
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            let start = offset + line.len() - value.trim_start().len();
            let len = value.trim_end().len().max(1);
            return start..start + len;
        }
        offset += line.len();
    }
    0..0
}

/// `toml` values to JSON for templates (TOML dates become strings).
/// Whether the site at `root` asks to keep the output's dotfiles (Zola's
/// `preserve_dotfiles_in_output`), read before the build so the output
/// directory can be claimed with it. An unreadable config says no; the build
/// reports it properly.
pub fn preserves_dotfiles(root: &Path) -> bool {
    std::fs::read_to_string(root.join("config.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|t| t.get("preserve_dotfiles_in_output").and_then(toml::Value::as_bool))
        .unwrap_or(false)
}

pub fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => J::Object(t.iter().map(|(k, v)| (k.clone(), toml_to_json(v))).collect()),
    }
}

/// A loaded config with its source text, kept for diagnostics.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    pub text: Arc<str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::parse(Path::new("config.toml"), "title = \"x\"\npaginate = 3\n").unwrap_err();
        assert!(err.message.contains("paginate"), "{}", err.message);
        assert_eq!(err.span.map(|s| s.start), Some(12));
    }

    #[test]
    fn theme_is_one_name() {
        for bad in ["../../../outside", "/etc", "a/b", "a\\b", "..", "C:theme"] {
            let text = format!("title = \"x\"\ntheme = {bad:?}\n");
            let err = Config::parse(Path::new("config.toml"), &text).unwrap_err();
            assert!(err.message.contains("themes/"), "{bad}: {}", err.message);
            assert_eq!(err.span.map(|s| s.start), Some(20), "{bad}");
        }
        assert!(Config::parse(Path::new("c"), "theme = \"plain-2\"").is_ok());
    }

    #[test]
    fn base_path_of_sub_path_site() {
        let c = Config::parse(Path::new("c"), "base_url = \"https://example.org/sub/\"").unwrap();
        assert_eq!(c.base_path(), "/sub");
        assert_eq!(c.origin(), "https://example.org");
        let c = Config::parse(Path::new("c"), "base_url = \"https://example.org\"").unwrap();
        assert_eq!(c.base_path(), "");
    }
}
