//! Zola's `[markdown] render_emoji`: GitHub-style `:shortcode:`s in prose
//! become the emoji they name. Only prose text is given here (never code
//! spans or code blocks), and a `:word:` that names no emoji stays as
//! written, so times like `10:30:00` and Tera's `{{ a:b }}` are safe.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

static SHORTCODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r":([a-z0-9_+\-]+):").expect("static regex"));

/// `text` with every known `:shortcode:` replaced by its emoji; borrowed
/// when there is none, which is almost always.
pub fn replace(text: &str) -> Cow<'_, str> {
    if !text.contains(':') {
        return Cow::Borrowed(text);
    }
    SHORTCODE.replace_all(text, |c: &regex::Captures| match emojis::get_by_shortcode(&c[1]) {
        Some(e) => e.as_str().to_string(),
        None => c[0].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::replace;

    #[test]
    fn known_codes_only() {
        assert_eq!(replace("Hi :smile: and :+1:!"), "Hi 😄 and 👍!");
        assert_eq!(replace("at 10:30:00 :no-such-emoji:"), "at 10:30:00 :no-such-emoji:");
        assert!(matches!(replace("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
