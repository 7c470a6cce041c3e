//! `config.toml` → [`Config`].
//!
//! Unknown keys are an error naming the key and its line, not a silent ignore:
//! a misspelt `paginate_by` that does nothing is worse than a failed build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostics::Diagnostic;

mod keys;

pub use keys::tables as key_tables;

/// The site's configuration, as written in `config.toml` (or Zola's
/// `zola.toml`). Zola's keys, old names and new, are accepted; those whose
/// behaviour Attaché does not have yet are listed by [`Config::unimplemented`]
/// and reported as warnings, never silently ignored.
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
    /// Write `/atom.xml` for the whole site (Zola ≥ 0.19 calls it
    /// `generate_feeds`; off by default, as in Zola).
    #[serde(default, alias = "generate_feeds")]
    pub generate_feed: bool,
    /// The feed files to write (Zola ≤ 0.18: one `feed_filename`).
    #[serde(default = "default_feed_filenames", alias = "feed_filename", deserialize_with = "one_or_many")]
    pub feed_filenames: Vec<String>,
    /// Entries per feed.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// Write `/SECTION/atom.xml` for every section (Zola: only for sections
    /// whose front matter sets `generate_feeds`).
    #[serde(default)]
    pub section_feeds: bool,
    /// Attaché's own site search: the chunked index in `search-index/LANG/`
    /// and, when the theme has `search.html` and no page uses it, a search
    /// page at `/search/`. Off by default, as Zola writes neither;
    /// `attache init` turns it on for the default theme.
    #[serde(default)]
    pub site_search: bool,
    /// Attaché's fingerprinted copies of stylesheets and scripts
    /// (`style.3f2a9c01de.css`, linked by the `asset` filters and marked
    /// immutable in `_headers`). Off by default, as Zola writes none;
    /// `attache init` turns it on.
    #[serde(default)]
    pub fingerprint_assets: bool,
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
    /// Zola: compile `sass/` to CSS.
    #[serde(default)]
    pub compile_sass: bool,
    /// Zola: write a search index in `[search] index_format`. Attaché
    /// writes its own `search_index.json` either way.
    #[serde(default)]
    pub build_search_index: Option<bool>,
    /// Zola's `[search]` options (index format, fields).
    #[serde(default)]
    pub search: Option<toml::Table>,
    /// Zola: the site's author, for feeds and templates (`config.author`).
    #[serde(default)]
    pub author: Option<String>,
    /// Zola's `[link_checker]` (external link checks, skipped prefixes).
    #[serde(default)]
    pub link_checker: Option<toml::Table>,
    /// `[link_checker]` as it applies to Attaché's own link checks.
    #[serde(skip)]
    pub link_checks: LinkChecks,
    /// Zola: glob patterns of `content/` files to leave out.
    #[serde(default)]
    pub ignored_content: Vec<String>,
    /// Zola: glob patterns of `static/` files to leave out.
    #[serde(default)]
    pub ignored_static: Vec<String>,
    /// Zola: minify every HTML page.
    #[serde(default)]
    pub minify_html: bool,
    /// Zola's `[slugify]` (`paths`, `taxonomies`, `anchors` = on|safe|off).
    #[serde(default)]
    pub slugify: crate::slug::Rules,
    /// Zola's `[languages.CODE]` tables (title, feeds, taxonomies, translations).
    #[serde(default)]
    pub languages: BTreeMap<String, toml::Table>,
    /// Zola's `[translations]` for the default language, read by `trans()`.
    #[serde(default)]
    pub translations: toml::Table,
    /// Zola: `build`, `serve` or `check`, set by the command; accepted so a
    /// config that names it parses.
    #[serde(default)]
    pub mode: Option<String>,
    /// Zola: the output directory (Attaché: `-o`).
    #[serde(default)]
    pub output_dir: Option<String>,
    /// Zola: hard-link `static/` files instead of copying them.
    #[serde(default)]
    pub hard_link_static: bool,
    /// Zola: `all` or `none`.
    #[serde(default)]
    pub exclude_paginated_pages_in_sitemap: Option<String>,
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// Either Attaché's map (`[taxonomies.tags]`) or Zola's array
    /// (`taxonomies = [{ name = "tags", feed = true }]`).
    #[serde(default, deserialize_with = "taxonomies_either")]
    pub taxonomies: BTreeMap<String, TaxonomyConfig>,
    #[serde(default)]
    pub editorial: EditorialConfig,
    /// The prose corrector's switches.
    #[serde(default)]
    pub correct: crate::correct::CorrectConfig,
    /// Free-form values for templates.
    #[serde(default)]
    pub extra: toml::Table,
    /// Whether `theme` is written in the file (a Zola site without one has
    /// its templates in `templates/` alone); see [`Config::resolve_theme`].
    #[serde(skip)]
    pub theme_written: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// `[slugify] anchors`, copied here because headings are rendered from
    /// the markdown settings alone.
    #[serde(skip)]
    pub anchor_slugs: crate::slug::Strategy,
    #[serde(default = "yes")]
    pub highlight_code: bool,
    /// How code is coloured (classes, or a named theme's inline colours) and
    /// the site's extra syntaxes and themes; see [`crate::render::zola_highlight::resolve`].
    #[serde(skip)]
    pub highlighter: crate::render::highlight::Highlighter,
    /// A syntect theme name; `/highlight.css` is generated from it. Written
    /// in the config (and not `"css"`), code gets its colours inline, as in Zola.
    #[serde(default = "default_highlight_theme")]
    pub highlight_theme: String,
    /// Curly quotes, en/em dashes and ellipses from ASCII (Zola: off).
    #[serde(default)]
    pub smart_punctuation: bool,
    #[serde(default)]
    pub external_links_target_blank: bool,
    #[serde(default)]
    pub external_links_no_follow: bool,
    #[serde(default)]
    pub external_links_no_referrer: bool,
    /// Put Attaché's `#` anchor link in every heading (Zola puts none
    /// unless `insert_anchor_links` says where).
    #[serde(default)]
    pub heading_anchors: bool,
    /// What to do with HTML written in articles (shortcode output is kept).
    #[serde(default)]
    pub raw_html: RawHtml,
    /// Zola: `[{ theme, filename }]` stylesheets to write for class-based highlighting.
    #[serde(default)]
    pub highlight_themes_css: Vec<toml::Value>,
    /// Zola: folders of extra `.sublime-syntax` and `.tmTheme` files
    /// (`extra_syntaxes` before Zola 0.15, still in older themes' configs).
    #[serde(default, alias = "extra_syntaxes")]
    pub extra_syntaxes_and_themes: Vec<String>,
    /// Zola 0.22's `[markdown.highlighting]` (theme, light/dark themes, style).
    #[serde(default)]
    pub highlighting: Option<toml::Table>,
    /// Zola: footnotes at the bottom of the page.
    #[serde(default)]
    pub bottom_footnotes: bool,
    /// Zola: a class on links to other sites.
    #[serde(default)]
    pub external_links_class: Option<String>,
    /// Zola: `> [!NOTE]` blockquotes as alerts.
    #[serde(default)]
    pub github_alerts: bool,
    /// Zola: `:smile:` shortcodes to emoji.
    #[serde(default)]
    pub render_emoji: bool,
    /// Zola: `none`, `left`, `right` or `heading`, rendered with the
    /// theme's `anchor-link.html` (or Zola's own); set, it takes the place of
    /// [`MarkdownConfig::heading_anchors`]. A section's front matter can set
    /// it for itself and its pages.
    #[serde(default)]
    pub insert_anchor_links: Option<InsertAnchor>,
    /// Zola: definition lists.
    #[serde(default)]
    pub definition_list: bool,
    /// Zola: `loading="lazy" decoding="async"` on images.
    #[serde(default)]
    pub lazy_async_image: bool,
}

/// Zola's `[link_checker]`, applied to the links Attaché checks itself
/// (`@/` links, relative paths, `#anchors`). External links are not fetched.
#[derive(Debug, Clone, Default)]
pub struct LinkChecks {
    /// `internal_level = "warn"`: a broken internal link or anchor is a
    /// warning, not an error.
    pub internal_warn: bool,
    /// Links written with one of these prefixes are not checked.
    pub skip_prefixes: Vec<String>,
    /// Links written with one of these prefixes get no `#anchor` check.
    pub skip_anchor_prefixes: Vec<String>,
}

impl LinkChecks {
    /// Read `[link_checker]`; a level other than `error` or `warn` is an
    /// error at its key.
    fn read(
        table: &toml::Table,
        path: &Path,
        check: &keys::KeyCheck,
    ) -> Result<(LinkChecks, Vec<Diagnostic>), Diagnostic> {
        let strings = |key: &str| -> Vec<String> {
            table
                .get(key)
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let mut notes = Vec::new();
        let mut internal_warn = false;
        for key in ["internal_level", "external_level"] {
            let Some(value) = table.get(key) else { continue };
            let warn = match value.as_str() {
                Some("warn") => true,
                Some("error") => false,
                _ => {
                    return Err(Diagnostic::error(
                        "config/invalid",
                        path,
                        format!("`link_checker.{key}` must be \"error\" or \"warn\""),
                    )
                    .with_span(check.span(&format!("link_checker.{key}"))));
                }
            };
            if key == "internal_level" {
                internal_warn = warn;
            } else {
                notes.push(
                    Diagnostic {
                        severity: crate::diagnostics::Severity::Note,
                        ..Diagnostic::warning(
                            "config/link-checker",
                            path,
                            "external links are not fetched by Attaché: `external_level` has nothing to act on",
                        )
                    }
                    .with_span(check.span("link_checker.external_level")),
                );
            }
        }
        let checks = LinkChecks {
            internal_warn,
            skip_prefixes: strings("skip_prefixes"),
            skip_anchor_prefixes: strings("skip_anchor_prefixes"),
        };
        Ok((checks, notes))
    }

    /// Lower a broken-link error to a warning when `internal_level = "warn"`.
    pub fn apply_level(&self, d: &mut Diagnostic) {
        if self.internal_warn && d.is_error() && d.code.starts_with("link/") {
            d.severity = crate::diagnostics::Severity::Warning;
        }
    }
}

/// Zola's `insert_anchor_links`: where a heading's anchor link goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InsertAnchor {
    /// No link (Zola's default).
    #[default]
    None,
    /// Right after the opening tag.
    Left,
    /// Right before the closing tag.
    Right,
    /// The whole heading text is the link.
    Heading,
}

impl InsertAnchor {
    /// The mode named `name` as Zola spells it.
    pub fn parse(name: &str) -> Option<InsertAnchor> {
        match name {
            "none" => Some(InsertAnchor::None),
            "left" => Some(InsertAnchor::Left),
            "right" => Some(InsertAnchor::Right),
            "heading" => Some(InsertAnchor::Heading),
            _ => None,
        }
    }
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
            highlighter: Default::default(),
            highlight_theme: default_highlight_theme(),
            smart_punctuation: false,
            external_links_target_blank: false,
            external_links_no_follow: false,
            external_links_no_referrer: false,
            heading_anchors: false,
            raw_html: RawHtml::Keep,
            highlight_themes_css: Vec::new(),
            extra_syntaxes_and_themes: Vec::new(),
            highlighting: None,
            bottom_footnotes: false,
            external_links_class: None,
            github_alerts: false,
            render_emoji: false,
            insert_anchor_links: None,
            definition_list: false,
            lazy_async_image: false,
            anchor_slugs: crate::slug::Strategy::On,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
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
    /// Zola: `false` builds no pages for the taxonomy.
    #[serde(default = "yes")]
    pub render: bool,
    /// Zola: the path segment of paginated term pages (`page`).
    #[serde(default)]
    pub paginate_path: Option<String>,
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
fn default_feed_filenames() -> Vec<String> {
    vec!["atom.xml".into()]
}
fn default_feed_limit() -> usize {
    20
}
fn default_highlight_theme() -> String {
    "InspiredGitHub".into()
}

impl Config {
    /// Parse `config.toml`. On failure returns the first problem; see
    /// [`Config::parse_all`] for every one.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Diagnostic> {
        match Config::parse_all(path, text) {
            Ok((config, _warnings)) => Ok(config),
            Err(errors) => Err(errors
                .into_iter()
                .find(Diagnostic::is_error)
                .unwrap_or_else(|| Diagnostic::error("config/invalid", path, "invalid configuration"))),
        }
    }

    /// Parse the config file, reporting every unknown key at once. `Ok`
    /// carries the warnings (keys accepted but not acted on yet, keys Zola
    /// ignores); `Err` every error, with the warnings found alongside.
    pub fn parse_all(path: &Path, text: &str) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
        let table = toml::de::DeTable::parse(text).map_err(|e| vec![toml_error(path, &e)])?;
        let check = keys::check(path, table.get_ref());
        if check.diagnostics.iter().any(Diagnostic::is_error) {
            return Err(check.diagnostics);
        }
        let mut config: Config = toml::from_str(text).map_err(|e| vec![toml_error(path, &e)])?;
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        if !is_one_name(&config.theme) {
            return Err(vec![Diagnostic::error(
                "config/invalid",
                path,
                format!("theme `{}` must be the name of a directory in themes/", config.theme),
            )
            .with_span(value_span(text, "theme"))
            .with_help("write the directory's name alone, e.g. `theme = \"default\"`; a theme is never loaded from outside themes/")]);
        }
        for (key, patterns) in
            [("ignored_content", &config.ignored_content), ("ignored_static", &config.ignored_static)]
        {
            if let Some((pattern, e)) = patterns.iter().find_map(|p| globset::Glob::new(p).err().map(|e| (p, e))) {
                return Err(vec![
                    Diagnostic::error(
                        "config/invalid",
                        path,
                        format!("`{key}` has an invalid glob pattern `{pattern}`: {}", e.kind()),
                    )
                    .with_span(value_span(text, key))
                    .with_help("write patterns as Zola does, e.g. `[\"*.{graphml,xlsx}\", \"**/drafts\"]`"),
                ]);
            }
        }
        for (name, tax) in &config.taxonomies {
            let bad_path =
                tax.paginate_path.as_deref().is_some_and(|p| crate::content::valid_paginate_path(p).is_none());
            if crate::slug::slugify(name).is_empty() || tax.paginate_by == Some(0) || bad_path {
                let at = text.find(&format!("taxonomies.{name}")).unwrap_or_else(|| check.span("taxonomies").start);
                return Err(vec![
                    Diagnostic::error(
                        "config/invalid",
                        path,
                        format!(
                            "taxonomy `{name}` needs a name with letters, a paginate_by above 0 and a paginate_path of URL segments"
                        ),
                    )
                    .with_span(at..at + name.len().max(1)),
                ]);
            }
        }
        config.markdown.anchor_slugs = config.slugify.anchors;
        let root = path.parent().unwrap_or(Path::new("."));
        let highlight_notes = crate::render::zola_highlight::resolve(&mut config, root, path, &check.spans);
        config.theme_written = check.spans.contains_key("theme");
        config.adopt_default_language(path, &check)?;
        if config.markdown.insert_anchor_links == Some(InsertAnchor::None) {
            config.markdown.heading_anchors = false;
        }
        let mut warnings = check.diagnostics.clone();
        warnings.extend(highlight_notes);
        if let Some(table) = &config.link_checker {
            let (checks, notes) = LinkChecks::read(table, path, &check).map_err(|e| vec![e])?;
            config.link_checks = checks;
            warnings.extend(notes);
        }
        warnings.extend(config.unimplemented().into_iter().map(|(key, what)| {
            Diagnostic::warning(
                "config/unimplemented",
                path,
                format!("`{key}` is accepted but not implemented yet: {what}"),
            )
            .with_span(check.span(&key))
        }));
        Ok((config, warnings))
    }

    /// Zola lets `[languages.DEFAULT]` hold the default language's title,
    /// description and taxonomies; they apply where the top level has none.
    fn adopt_default_language(&mut self, path: &Path, check: &keys::KeyCheck) -> Result<(), Vec<Diagnostic>> {
        #[derive(Deserialize)]
        struct Language {
            #[serde(default)]
            title: Option<String>,
            #[serde(default)]
            description: Option<String>,
            #[serde(default, deserialize_with = "taxonomies_either")]
            taxonomies: BTreeMap<String, TaxonomyConfig>,
        }
        let Some(table) = self.languages.get(&self.default_language) else { return Ok(()) };
        let lang: Language = toml::Value::Table(table.clone()).try_into().map_err(|e: toml::de::Error| {
            let at = check.span(&format!("languages.{}", self.default_language));
            vec![Diagnostic::error("config/invalid", path, e.message().trim().to_string()).with_span(at)]
        })?;
        if self.title.is_empty()
            && let Some(title) = lang.title
        {
            self.title = title;
        }
        if self.description.is_none() {
            self.description = lang.description;
        }
        if self.taxonomies.is_empty() {
            self.taxonomies = lang.taxonomies;
        }
        Ok(())
    }

    /// The keys set to ask for something Attaché does not do yet, each with
    /// what happens instead, so that none is silently ignored.
    fn unimplemented(&self) -> Vec<(String, &'static str)> {
        let m = &self.markdown;
        let mut out: Vec<(String, &'static str)> = Vec::new();
        let mut flag = |on: bool, key: &str, what: &'static str| {
            if on {
                out.push((key.to_string(), what));
            }
        };
        flag(self.mode.is_some(), "mode", "the mode is the command's (build, serve, check)");
        flag(
            self.output_dir.as_deref().is_some_and(|d| d.trim_end_matches('/') != "public"),
            "output_dir",
            "the output goes to public/ unless `-o` says otherwise",
        );
        flag(self.hard_link_static, "hard_link_static", "static files are copied");
        flag(
            self.exclude_paginated_pages_in_sitemap.is_some(),
            "exclude_paginated_pages_in_sitemap",
            "the sitemap is Attaché's",
        );
        flag(
            self.feed_filenames.iter().any(|f| f != "atom.xml" && f != "rss.xml"),
            "feed_filenames",
            "a feed other than atom.xml and rss.xml is written only through a template of its name",
        );

        flag(
            m.highlighting.as_ref().is_some_and(|h| h.contains_key("extra_grammars") || h.contains_key("extra_themes")),
            "markdown.highlighting",
            "`extra_grammars` and `extra_themes` (VS Code JSON) are not read: put .sublime-syntax and .tmTheme files in `extra_syntaxes_and_themes`",
        );
        flag(m.definition_list, "markdown.definition_list", "definition lists are not parsed");
        flag(m.lazy_async_image, "markdown.lazy_async_image", "images are not marked lazy");
        for (name, tax) in &self.taxonomies {
            flag(!tax.render, &format!("taxonomies.{name}.render"), "the taxonomy's pages are built");
        }
        out
    }

    /// The glob set of `ignored_content` or `ignored_static` (patterns were
    /// checked when the file was read). As in Zola, `*` also matches `/`, so
    /// `*.xlsx` leaves out such files at any depth.
    pub fn ignore_set(patterns: &[String]) -> globset::GlobSet {
        let mut set = globset::GlobSetBuilder::new();
        for glob in patterns.iter().filter_map(|p| globset::Glob::new(p).ok()) {
            set.add(glob);
        }
        set.build().unwrap_or_else(|_| globset::GlobSet::empty())
    }

    /// A site that names no theme uses `themes/default` when it has one, and
    /// otherwise none: its own `templates/` alone, as in Zola.
    pub fn resolve_theme(&mut self, root: &Path) {
        if !self.theme_written && !root.join("themes").join(&self.theme).is_dir() {
            self.theme.clear();
        }
    }

    /// Zola's fields of the `config` template value, beside Attaché's own,
    /// so a Zola theme reading `config.feed_filenames` or `config.mode` works.
    /// Like Zola, no `translations`: themes test `config.translations` to
    /// choose between `trans()` and their own words, and Zola's answer is no.
    pub fn zola_fields(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::json;
        let table = |t: &toml::Table| toml_to_json(&toml::Value::Table(t.clone()));
        let m = &self.markdown;
        let pairs = [
            ("generate_feeds", json!(self.generate_feed)),
            ("feed_filenames", json!(self.feed_filenames)),
            // Zola before 0.19 had one feed; its themes still read this name.
            ("feed_filename", json!(self.feed_filenames.first().map_or("atom.xml", String::as_str))),
            ("feed_limit", json!(self.feed_limit)),
            ("author", json!(self.author)),
            ("mode", json!(self.mode.as_deref().unwrap_or("build"))),
            ("build_search_index", json!(self.build_search_index.unwrap_or(false))),
            ("compile_sass", json!(self.compile_sass)),
            ("minify_html", json!(self.minify_html)),
            ("theme", json!(self.theme)),
            (
                "languages",
                json!(self.languages.iter().map(|(k, v)| (k.clone(), table(v))).collect::<serde_json::Map<_, _>>()),
            ),
            ("search", self.search.as_ref().map_or(json!({}), table)),
            (
                "markdown",
                json!({
                    "highlight_code": m.highlight_code, "highlight_theme": m.highlight_theme,
                    "smart_punctuation": m.smart_punctuation, "render_emoji": m.render_emoji,
                    "external_links_target_blank": m.external_links_target_blank,
                    "external_links_no_follow": m.external_links_no_follow,
                    "external_links_no_referrer": m.external_links_no_referrer,
                    "bottom_footnotes": m.bottom_footnotes, "github_alerts": m.github_alerts,
                    "insert_anchor_links": m.insert_anchor_links,
                    "highlighting": m.highlighting.as_ref().map(table),
                }),
            ),
        ];
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
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

/// A TOML syntax or type error as a diagnostic pointing at its span.
fn toml_error(path: &Path, e: &toml::de::Error) -> Diagnostic {
    let mut d = Diagnostic::error("config/invalid", path, e.message().trim().to_string());
    if let Some(span) = e.span() {
        d = d.with_span(span);
    }
    d
}

/// A string or a list of strings (Zola's `feed_filename` became `feed_filenames`).
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Attaché's `[taxonomies.NAME]` map or Zola's `[{ name = "NAME", … }]`
/// array. Keys Zola ignores in an array entry (kita's `rss`) are ignored here
/// too, with the warning the key check gives.
fn taxonomies_either<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, TaxonomyConfig>, D::Error> {
    use serde::de::Error as _;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Map(BTreeMap<String, TaxonomyConfig>),
        List(Vec<ZolaTaxonomy>),
    }
    /// One entry of Zola's array.
    #[derive(Deserialize)]
    struct ZolaTaxonomy {
        name: String,
        #[serde(default)]
        paginate_by: Option<usize>,
        #[serde(default)]
        paginate_path: Option<String>,
        #[serde(default)]
        feed: bool,
        #[serde(default = "yes")]
        render: bool,
        #[serde(default)]
        allowed: Option<PathBuf>,
    }
    match Either::deserialize(d) {
        Ok(Either::Map(m)) => Ok(m),
        Ok(Either::List(list)) => Ok(list
            .into_iter()
            .map(|t| {
                let config = TaxonomyConfig {
                    paginate_by: t.paginate_by,
                    feed: t.feed,
                    allowed: t.allowed,
                    render: t.render,
                    paginate_path: t.paginate_path,
                };
                (t.name, config)
            })
            .collect()),
        Err(_) => Err(D::Error::custom(
            "taxonomies must be tables (`[taxonomies.tags]`) or Zola's list (`taxonomies = [{ name = \"tags\" }]`), each with paginate_by (a number above 0), feed and render (true or false)",
        )),
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

/// The site's config file: `config.toml`, or Zola's other name `zola.toml`
/// when only that exists.
pub fn file_name(root: &Path) -> &'static str {
    if !root.join("config.toml").is_file() && root.join("zola.toml").is_file() { "zola.toml" } else { "config.toml" }
}

/// Whether the site at `root` asks to keep the output's dotfiles (Zola's
/// `preserve_dotfiles_in_output`), read before the build so the output
/// directory can be claimed with it. An unreadable config says no; the build
/// reports it properly.
pub fn preserves_dotfiles(root: &Path) -> bool {
    std::fs::read_to_string(root.join(file_name(root)))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|t| t.get("preserve_dotfiles_in_output").and_then(toml::Value::as_bool))
        .unwrap_or(false)
}

/// `toml` values to JSON for templates (TOML dates become strings).
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
    fn every_correct_key_is_known_and_values_are_checked() {
        let text = "[correct]\nenabled = true\ntypography = true\nhouse_style = true\nspelling = true\n\
                    spin = true\nmode = \"suggest\"\nkeep = [\"U.S.\"]\nquotations = \"verbatim\"\nus = \"US\"\n\
                    house_style_file = \"h.tsv\"\nlexicon_file = \"l.tsv\"\nhouse_style_optional = []\n";
        let c = Config::parse(Path::new("c"), text).unwrap();
        assert_eq!(c.correct.mode, crate::correct::Mode::Suggest);
        assert_eq!(c.correct.keep, ["U.S."]);
        let err = Config::parse(Path::new("c"), "[correct]\nquotations = \"verbatum\"\n").unwrap_err();
        assert!(err.message.contains("did you mean \"verbatim\""), "{}", err.message);
        assert_eq!(err.span.map(|s| s.start), Some(23));
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
