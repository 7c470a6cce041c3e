//! Typography: curly quotes and apostrophes, dashes, ellipses, doubled spaces
//! and spaces before punctuation.
//!
//! ## What it does
//! Replaces typewriter punctuation with the typographic forms of the site's
//! language (`default_language`): “English” quotes, „German“ quotes,
//! « French » guillemets.
//!
//! ## Why
//! Straight quotes and double hyphens are artefacts of keyboards and pasted
//! text; every house style asks for the typographic forms.
//!
//! ## When this substitution is wrong
//! Inside code, URLs and raw HTML, which the corrector never sees; and for
//! feet-and-inches primes (`5'10"`), which we leave alone after digits.

use std::ops::Range;

/// Quote characters of a language: (open double, close double, open single, close single).
fn quotes(lang: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    match lang.split(['-', '_']).next().unwrap_or("en") {
        "de" | "cs" | "sk" | "lt" | "bg" => ("„", "“", "‚", "‘"),
        "fr" => ("«\u{202f}", "\u{202f}»", "‹\u{202f}", "\u{202f}›"),
        "ru" | "uk" | "be" | "es" | "it" | "pt" | "pl" => ("«", "»", "„", "“"),
        _ => ("“", "”", "‘", "’"),
    }
}

/// One typographic edit inside a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub after: String,
    pub why: &'static str,
}

fn opens(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => c.is_whitespace() || "([{—–-/\u{2018}\u{201c}".contains(c),
    }
}

/// Typographic edits for `text` (one prose run). Ranges are relative to `text`.
pub fn edits(text: &str, lang: &str) -> Vec<Edit> {
    let (od, cd, os, cs) = quotes(lang);
    let french = lang.starts_with("fr");
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let prev = i.checked_sub(1).map(|k| chars[k].1);
        let next = chars.get(i + 1).map(|x| x.1);
        match c {
            '"' => {
                if prev.is_some_and(|p| p.is_ascii_digit()) {
                    // 5'10" is a measurement, not a quotation.
                } else {
                    let q = if opens(prev) { od } else { cd };
                    out.push(Edit { range: at..at + 1, after: q.to_string(), why: "straight double quote" });
                }
            }
            '\'' => {
                let apostrophe_before_digit =
                    prev.is_none_or(char::is_whitespace) && next.is_some_and(|n| n.is_ascii_digit());
                if prev.is_some_and(|p| p.is_ascii_digit()) && !next.is_some_and(char::is_alphabetic) {
                    // A prime (5') — leave it.
                } else if apostrophe_before_digit || !opens(prev) {
                    out.push(Edit { range: at..at + 1, after: cs.to_string(), why: "straight apostrophe" });
                } else {
                    out.push(Edit { range: at..at + 1, after: os.to_string(), why: "straight single quote" });
                }
            }
            '-' if next == Some('-') => {
                let mut end = i + 2;
                if chars.get(end).is_some_and(|x| x.1 == '-') {
                    end += 1;
                }
                let end_byte = chars.get(end).map_or(text.len(), |x| x.0);
                out.push(Edit { range: at..end_byte, after: "—".into(), why: "double hyphen for a dash" });
                i = end;
                continue;
            }
            '.' if next == Some('.') && chars.get(i + 2).is_some_and(|x| x.1 == '.') => {
                let mut end = i + 3;
                while chars.get(end).is_some_and(|x| x.1 == '.') {
                    end += 1;
                }
                if end == i + 3 {
                    let end_byte = chars.get(end).map_or(text.len(), |x| x.0);
                    out.push(Edit { range: at..end_byte, after: "…".into(), why: "three dots for an ellipsis" });
                }
                i = end;
                continue;
            }
            ' ' if prev.is_some_and(|p| !p.is_whitespace()) && next == Some(' ') => {
                let mut end = i + 1;
                while chars.get(end).is_some_and(|x| x.1 == ' ') {
                    end += 1;
                }
                // Trailing spaces (a Markdown hard break) and indentation stay.
                if chars.get(end).is_some_and(|x| !x.1.is_whitespace()) {
                    let end_byte = chars[end].0;
                    out.push(Edit { range: at..end_byte, after: " ".into(), why: "doubled space" });
                }
                i = end;
                continue;
            }
            ' ' if !french
                && prev.is_some_and(|p| p.is_alphanumeric() || p == ')' || p == '”')
                && next.is_some_and(|n| ",.;:!?".contains(n))
                && chars.get(i + 2).is_none_or(|x| x.1.is_whitespace() || x.1 == '"' || x.1 == '\'') =>
            {
                out.push(Edit { range: at..at + 1, after: String::new(), why: "space before punctuation" });
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, lang: &str) -> String {
        let mut out = text.to_string();
        for e in edits(text, lang).into_iter().rev() {
            out.replace_range(e.range, &e.after);
        }
        out
    }

    #[test]
    fn english() {
        assert_eq!(apply("He said \"no\" -- it's 'final'...", "en"), "He said “no” — it’s ‘final’…");
        assert_eq!(apply("In the '90s , prices  rose .", "en"), "In the ’90s, prices rose.");
        assert_eq!(apply("He is 5'10\" tall", "en"), "He is 5'10\" tall");
    }

    #[test]
    fn german_and_french() {
        assert_eq!(apply("Er sagte \"nein\".", "de"), "Er sagte „nein“.");
        assert_eq!(apply("Il a dit \"non\" !", "fr"), "Il a dit «\u{202f}non\u{202f}» !");
    }
}
