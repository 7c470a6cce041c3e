//! Slugs for URLs, heading ids and taxonomy terms.
//!
//! One function, used everywhere, so that a heading id written by hand in an
//! `@/page.md#anchor` link is predictable: lower-case letters and digits, every
//! other run of characters becomes one `-`, no `-` at either end. Zola's
//! `[slugify]` table chooses other rules per kind of slug ([`Rules`]).

/// File names the build writes itself, or that hosts give a meaning: a page
/// slug equal to one would make a directory where the file belongs
/// (`atom.xml/index.html` beside the feed `atom.xml`).
pub const RESERVED: &[&str] = &[
    "index.html",
    "atom.xml",
    "rss.xml",
    "sitemap.xml",
    "robots.txt",
    "404.html",
    "search_index.json",
    "highlight.css",
];

/// Whether `slug` is one of the [`RESERVED`] file names (in any case: some
/// file systems do not tell `Atom.xml` from `atom.xml`), or `.` or `..`.
pub fn is_reserved(slug: &str) -> bool {
    slug == "." || slug == ".." || RESERVED.iter().any(|r| r.eq_ignore_ascii_case(slug))
}

/// How one kind of slug is made, Zola's `[slugify]` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Transliterate to ASCII, lower-case, runs of anything else become one `-`.
    #[default]
    On,
    /// Keep the text (and its Unicode); only drop what a path or id cannot hold.
    Safe,
    /// The text as written.
    Off,
    /// Attaché's own rule (not Zola's): like `on`, but letters of every script
    /// stay as they are (`Türkiye` → `türkiye`); the sample site and `init` ask for it.
    Unicode,
}

/// Zola's `[slugify]` table: one [`Strategy`] for each kind of slug. The
/// defaults are Zola's, which for ASCII text are Attaché's own rules too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct Rules {
    /// Page slugs and content directory names.
    pub paths: Strategy,
    /// Taxonomy and term names.
    pub taxonomies: Strategy,
    /// Heading ids.
    pub anchors: Strategy,
    /// `2018-10-01-title.md` keeps the date in its slug.
    pub paths_keep_dates: bool,
}

/// Attaché's (and Zola's `on`) slug: non-ASCII is transliterated first
/// (`编程` → `bian-cheng`, `Türkiye` → `turkiye`), as Zola does with deunicode,
/// so that a Zola site keeps its URLs; ASCII text is unchanged by that step.
pub fn slugify(text: &str) -> String {
    slug_keeping(text, |_| false)
}

/// Attaché's `unicode` rule: [`slugify`] without the transliteration.
fn unicode_slug(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || keep(c) {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// [`slugify`], but the characters `keep` accepts stay as they are.
fn slug_keeping(text: &str, keep: impl Fn(char) -> bool) -> String {
    if text.is_ascii() { unicode_slug(text, keep) } else { unicode_slug(&deunicode::deunicode(text), keep) }
}

/// A page slug (or a taxonomy, term) under `strategy`. `safe` drops the
/// characters file systems forbid and trailing dots and spaces, as Zola does.
pub fn path(text: &str, strategy: Strategy) -> String {
    match strategy {
        Strategy::On => slugify(text),
        Strategy::Unicode => unicode_slug(text, |_| false),
        Strategy::Safe => text.trim_end_matches([' ', '.']).chars().filter(|c| !r#"<>:"/\|?*"#.contains(*c)).collect(),
        Strategy::Off => text.to_string(),
    }
}

/// A content directory's URL segment. Zola takes directory names as they
/// are, so under `on` an `_` stays (`content/my_notes/` → `/my_notes/`)
/// while the rest follows [`slugify`].
pub fn dir(text: &str, strategy: Strategy) -> String {
    match strategy {
        Strategy::On => slug_keeping(text, |c| c == '_'),
        Strategy::Unicode => unicode_slug(text, |c| c == '_'),
        other => path(text, other),
    }
}

/// A heading id under `strategy`: `safe` and `off` only turn ASCII white
/// space into `_`, as Zola does.
pub fn anchor(text: &str, strategy: Strategy) -> String {
    match strategy {
        Strategy::On => slugify(text),
        Strategy::Unicode => unicode_slug(text, |_| false),
        Strategy::Safe | Strategy::Off => text.replace(|c: char| c.is_ascii_whitespace(), "_"),
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Who decides?"), "who-decides");
        assert_eq!(slugify("  NATO's Article 5 -- what it says "), "nato-s-article-5-what-it-says");
        assert_eq!(slugify("Türkiye"), "turkiye");
        assert_eq!(slugify("编程"), "bian-cheng");
        assert_eq!(super::path("Türkiye", super::Strategy::Unicode), "türkiye");
        assert_eq!(slugify("../../etc"), "etc");
    }

    #[test]
    fn reserved_names() {
        use super::is_reserved;
        assert!(is_reserved("atom.xml") && is_reserved("Index.HTML") && is_reserved(".."));
        assert!(!is_reserved("atom") && !is_reserved("release-1.2"));
    }
}
