//! Every key of the config file checked against the keys Attaché knows,
//! before any value is read, so that one run reports every unknown key (each
//! with its line and the closest known key) instead of serde's first one.
//!
//! It also records where each key is written, so that warnings about a key
//! Attaché accepts but does not act on yet can point at it.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::Diagnostic;

/// What the keys of one table may be.
enum Keys {
    /// These names only.
    Closed(&'static [&'static str]),
    /// Anything: values for templates, or a table serde checks itself.
    Open,
    /// Every key is a name (a language, a taxonomy) whose table follows the
    /// schema at `PATH.*`.
    Named,
}

const TOP: &[&str] = &[
    "title",
    "description",
    "base_url",
    "theme",
    "default_language",
    "generate_feed",
    "generate_feeds",
    "feed_filename",
    "feed_filenames",
    "feed_limit",
    "section_feeds",
    "site_search",
    "fingerprint_assets",
    "generate_sitemap",
    "generate_robots_txt",
    "preserve_dotfiles_in_output",
    "publish_dotfiles",
    "compile_sass",
    "build_search_index",
    "search",
    "author",
    "link_checker",
    "ignored_content",
    "ignored_static",
    "minify_html",
    "slugify",
    "languages",
    "translations",
    "mode",
    "output_dir",
    "hard_link_static",
    "exclude_paginated_pages_in_sitemap",
    "markdown",
    "taxonomies",
    "editorial",
    "correct",
    "extra",
];

const MARKDOWN: &[&str] = &[
    "highlight_code",
    "highlight_theme",
    "smart_punctuation",
    "external_links_target_blank",
    "external_links_no_follow",
    "external_links_no_referrer",
    "heading_anchors",
    "raw_html",
    "highlight_themes_css",
    "extra_syntaxes_and_themes",
    "extra_syntaxes",
    "highlighting",
    "bottom_footnotes",
    "external_links_class",
    "github_alerts",
    "render_emoji",
    "insert_anchor_links",
    "definition_list",
    "lazy_async_image",
];

const HIGHLIGHTING: &[&str] =
    &["theme", "light_theme", "dark_theme", "style", "error_on_missing_language", "extra_grammars", "extra_themes"];

const SEARCH: &[&str] = &[
    "include_title",
    "include_content",
    "include_description",
    "include_date",
    "include_path",
    "truncate_content_length",
    "index_format",
];

const LINK_CHECKER: &[&str] = &["skip_prefixes", "skip_anchor_prefixes", "internal_level", "external_level"];

const SLUGIFY: &[&str] = &["paths", "taxonomies", "anchors", "paths_keep_dates"];

/// `[taxonomies.NAME]`, Attaché's form.
const TAXONOMY: &[&str] = &["paginate_by", "feed", "allowed", "render", "paginate_path"];

/// `taxonomies = [{ name = … }]`, Zola's form (Zola ignores other keys, so
/// they are warnings here).
const ZOLA_TAXONOMY: &[&str] = &["name", "paginate_by", "paginate_path", "feed", "render", "lang", "allowed"];

const LANGUAGE: &[&str] = &[
    "title",
    "description",
    "generate_feed",
    "generate_feeds",
    "feed_filename",
    "feed_filenames",
    "build_search_index",
    "search",
    "taxonomies",
    "translations",
];

const EDITORIAL: &[&str] = &["required_fields"];

/// `[correct]`: the fields of [`crate::correct::CorrectConfig`] (a unit test
/// keeps the two equal).
const CORRECT: &[&str] = &[
    "enabled",
    "typography",
    "house_style",
    "spelling",
    "spin",
    "mode",
    "keep",
    "quotations",
    "us",
    "house_style_file",
    "lexicon_file",
    "house_style_optional",
];

/// Every table with a fixed set of keys, by schema path (`*` for a named
/// segment, `taxonomies[]` for an entry of Zola's taxonomy array), with its
/// keys. `docs/content/configuration.md` documents exactly these: a test
/// compares the two, so the reference cannot drift from the code.
pub fn tables() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("", TOP),
        ("markdown", MARKDOWN),
        ("markdown.highlighting", HIGHLIGHTING),
        ("search", SEARCH),
        ("link_checker", LINK_CHECKER),
        ("slugify", SLUGIFY),
        ("taxonomies.*", TAXONOMY),
        ("taxonomies[]", ZOLA_TAXONOMY),
        ("languages.*", LANGUAGE),
        ("editorial", EDITORIAL),
        ("correct", CORRECT),
    ]
}

/// The schema of the table at `path` (dotted; `*` for a named segment).
fn schema(path: &str) -> Keys {
    match path {
        "" => Keys::Closed(TOP),
        "markdown" => Keys::Closed(MARKDOWN),
        "markdown.highlighting" => Keys::Closed(HIGHLIGHTING),
        "search" | "languages.*.search" => Keys::Closed(SEARCH),
        "link_checker" => Keys::Closed(LINK_CHECKER),
        "slugify" => Keys::Closed(SLUGIFY),
        "taxonomies" | "languages" => Keys::Named,
        "taxonomies.*" => Keys::Closed(TAXONOMY),
        "languages.*" => Keys::Closed(LANGUAGE),
        "editorial" => Keys::Closed(EDITORIAL),
        "correct" => Keys::Closed(CORRECT),
        _ => Keys::Open,
    }
}

/// The result of the check.
#[derive(Default)]
pub struct KeyCheck {
    /// Unknown keys (errors) and ignored ones (warnings), in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Span of every key, by dotted path as written (`markdown.render_emoji`).
    pub spans: HashMap<String, Range<usize>>,
}

impl KeyCheck {
    /// Where `path` is written, or the start of the file.
    pub fn span(&self, path: &str) -> Range<usize> {
        self.spans.get(path).cloned().unwrap_or(0..0)
    }
}

/// Check every key of `table` (the whole file).
pub fn check(file: &Path, table: &DeTable<'_>) -> KeyCheck {
    let mut out = KeyCheck::default();
    walk(file, table, "", "", &mut out);
    out.diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
    out
}

/// Check the table at schema path `schema_path` (written as `written`).
fn walk(file: &Path, table: &DeTable<'_>, schema_path: &str, written: &str, out: &mut KeyCheck) {
    let keys = schema(schema_path);
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        let span = key.span();
        let written_here = join(written, name);
        out.spans.insert(written_here.clone(), span.clone());
        let child_schema = match keys {
            Keys::Open => continue,
            Keys::Named => join(schema_path, "*"),
            Keys::Closed(known) => {
                if !known.contains(&name) {
                    out.diagnostics.push(unknown(file, name, span, known, &written_here));
                    continue;
                }
                join(schema_path, name)
            }
        };
        walk_value(file, value, &child_schema, &written_here, out);
    }
}

fn walk_value(file: &Path, value: &Spanned<DeValue<'_>>, schema_path: &str, written: &str, out: &mut KeyCheck) {
    match value.get_ref() {
        DeValue::Table(t) => walk(file, t, schema_path, written, out),
        DeValue::Array(items) if schema_path.ends_with("taxonomies") => {
            for item in items {
                if let DeValue::Table(t) = item.get_ref() {
                    zola_taxonomy(file, t, written, out);
                }
            }
        }
        _ => {}
    }
}

/// One entry of Zola's taxonomy array: unknown keys are warnings, as Zola
/// itself ignores them.
fn zola_taxonomy(file: &Path, table: &DeTable<'_>, written: &str, out: &mut KeyCheck) {
    let name = table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "name")
        .and_then(|(_, v)| match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    for (key, _) in table.iter() {
        let k: &str = key.get_ref();
        out.spans.insert(format!("{written}.{name}.{k}"), key.span());
        if !ZOLA_TAXONOMY.contains(&k) {
            let guess = nearest(k, ZOLA_TAXONOMY);
            out.diagnostics.push(
                Diagnostic::warning(
                    "config/ignored",
                    file,
                    format!("unknown key `{k}` in taxonomy `{name}` is ignored (as Zola ignores it)"),
                )
                .with_span(key.span())
                .with_help(format!("did you mean `{guess}`? a taxonomy takes {}", ZOLA_TAXONOMY.join(", "))),
            );
        }
    }
}

/// The error for an unknown key, with the closest known key and, when the
/// key belongs to another table (`highlight_code` at the top level), where.
fn unknown(file: &Path, name: &str, span: Range<usize>, known: &[&str], written: &str) -> Diagnostic {
    let guess = nearest(name, known);
    let mut help = format!("did you mean `{guess}`?");
    if let Some(home) = home_of(name).filter(|h| !written.starts_with(h)) {
        help = format!("`{name}` belongs in [{home}]; {help}");
    }
    Diagnostic::error("config/invalid", file, format!("unknown key `{written}`")).with_span(span).with_help(help)
}

/// The table a key is known in, for a key written in the wrong one.
fn home_of(name: &str) -> Option<&'static str> {
    [("markdown", MARKDOWN), ("markdown.highlighting", HIGHLIGHTING), ("search", SEARCH), ("slugify", SLUGIFY)]
        .into_iter()
        .find(|(_, keys)| keys.contains(&name))
        .map(|(home, _)| home)
}

/// The known key most like `name` (there always is one: the list is not empty).
fn nearest<'k>(name: &str, known: &[&'k str]) -> &'k str {
    let lower = name.to_lowercase();
    known
        .iter()
        .map(|k| {
            let score = strsim::jaro_winkler(&lower, k).max(strsim::normalized_damerau_levenshtein(&lower, k));
            (score, *k)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map_or("", |(_, k)| k)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

#[cfg(test)]
mod tests {
    use serde::de::{self, Deserialize, Visitor};

    /// The field names serde's derive gives a struct, read by asking it to
    /// deserialize from a deserializer that records them and stops.
    fn serde_fields<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
        #[derive(Debug)]
        struct Stop(Vec<&'static str>);
        impl std::fmt::Display for Stop {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "fields recorded")
            }
        }
        impl std::error::Error for Stop {}
        impl de::Error for Stop {
            fn custom<M: std::fmt::Display>(_: M) -> Self {
                Stop(Vec::new())
            }
        }
        struct Recorder;
        impl<'de> de::Deserializer<'de> for Recorder {
            type Error = Stop;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
                Err(Stop(Vec::new()))
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Stop> {
                Err(Stop(fields.to_vec()))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
                bytes byte_buf option unit unit_struct newtype_struct seq tuple
                tuple_struct map enum identifier ignored_any
            }
        }
        match T::deserialize(Recorder) {
            Err(Stop(fields)) => fields,
            Ok(_) => Vec::new(),
        }
    }

    fn sorted(mut v: Vec<&'static str>) -> Vec<&'static str> {
        v.sort_unstable();
        v
    }

    #[test]
    fn correct_keys_are_the_fields_of_correct_config() {
        assert_eq!(sorted(super::CORRECT.to_vec()), sorted(serde_fields::<crate::correct::CorrectConfig>()));
    }

    #[test]
    fn markdown_taxonomy_and_editorial_keys_are_their_structs_fields() {
        use crate::config::{EditorialConfig, MarkdownConfig, TaxonomyConfig};
        assert_eq!(sorted(super::MARKDOWN.to_vec()), sorted(serde_fields::<MarkdownConfig>()));
        assert_eq!(sorted(super::TAXONOMY.to_vec()), sorted(serde_fields::<TaxonomyConfig>()));
        assert_eq!(sorted(super::EDITORIAL.to_vec()), sorted(serde_fields::<EditorialConfig>()));
    }

    #[test]
    fn top_level_keys_are_the_config_fields_and_their_aliases() {
        let fields = serde_fields::<crate::config::Config>();
        assert!(!fields.is_empty());
        for f in &fields {
            assert!(super::TOP.contains(f), "Config field `{f}` is not in TOP");
        }
        for k in super::TOP {
            assert!(fields.contains(k) || ["generate_feeds", "feed_filename"].contains(k), "TOP key `{k}` is no field");
        }
    }
}
