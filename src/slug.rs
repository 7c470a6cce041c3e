//! Slugs for URLs, heading ids and taxonomy terms.
//!
//! One function, used everywhere, so that a heading id written by hand in an
//! `@/page.md#anchor` link is predictable: lower-case letters and digits, every
//! other run of characters becomes one `-`, no `-` at either end.

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

pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
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

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Who decides?"), "who-decides");
        assert_eq!(slugify("  NATO's Article 5 -- what it says "), "nato-s-article-5-what-it-says");
        assert_eq!(slugify("Türkiye"), "türkiye");
        assert_eq!(slugify("../../etc"), "etc");
    }

    #[test]
    fn reserved_names() {
        use super::is_reserved;
        assert!(is_reserved("atom.xml") && is_reserved("Index.HTML") && is_reserved(".."));
        assert!(!is_reserved("atom") && !is_reserved("release-1.2"));
    }
}
