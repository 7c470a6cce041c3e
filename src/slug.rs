//! Slugs for URLs, heading ids and taxonomy terms.
//!
//! One function, used everywhere, so that a heading id written by hand in an
//! `@/page.md#anchor` link is predictable: lower-case letters and digits, every
//! other run of characters becomes one `-`, no `-` at either end.

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
}
