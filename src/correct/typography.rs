//! Typography: curly quotes and apostrophes, dashes, ellipses, doubled spaces
//! and spaces before punctuation, in the conventions of the page's language.
//!
//! ## What it does
//! Replaces typewriter punctuation with the typographic forms of the page's
//! language (its `x.LANG.md` suffix, else the site's `default_language`):
//! “English” and ‘inner’ quotes; „German“ and ‚inner‘ quotes; « French »
//! guillemets with narrow no-break spaces (U+202F) inside, a narrow no-break
//! space before ; ! ? and a full no-break space (U+00A0) before the colon;
//! «Ukrainian» and «Russian» guillemets without spaces, with „inner“ quotes.
//! An apostrophe inside a word (`it's`, `l'État`, `пам'ять`) becomes ’ in
//! every language, never a closing quote.
//!
//! The French spacing follows the Imprimerie nationale's *Lexique des règles
//! typographiques en usage à l'Imprimerie nationale*: a space before the
//! two-part marks ; : ! ? and inside guillemets, the colon taking a word
//! space and the others a thin one. Both are no-break so that a mark never
//! starts a line; inside guillemets we use the narrow no-break space, as most
//! French publishers now do on screen.
//!
//! ## Why
//! Straight quotes and double hyphens are artefacts of keyboards and pasted
//! text; every house style asks for the typographic forms, and each language
//! its own.
//!
//! ## When this substitution is wrong
//! Inside code, URLs and raw HTML, which the corrector never sees; and for
//! feet-and-inches primes (`5'10"`), which we leave alone after digits.

use std::ops::Range;

/// The quotation marks of one language.
struct Marks {
    open_double: &'static str,
    close_double: &'static str,
    open_single: &'static str,
    close_single: &'static str,
    /// French spacing: narrow no-break spaces inside guillemets and before ; ! ?,
    /// a no-break space before :, instead of English's "no space before punctuation".
    french: bool,
}

/// The primary subtag of a language code: `fr-CA` → `fr`.
pub fn primary(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

/// Quote characters of a language. French straight quotes become guillemets
/// whose spaces are added by the French rules ([`french_spacing`]); its
/// inner quotes are English-style “…”, as the Imprimerie nationale prescribes.
fn marks(lang: &str) -> Marks {
    let (open_double, close_double, open_single, close_single) = match primary(lang) {
        "de" | "cs" | "sk" | "lt" | "bg" => ("„", "“", "‚", "‘"),
        "fr" => ("«\u{202f}", "\u{202f}»", "“", "”"),
        "ru" | "uk" | "be" => ("«", "»", "„", "“"),
        "es" | "it" | "pt" => ("«", "»", "“", "”"),
        "pl" => ("„", "”", "«", "»"),
        _ => ("“", "”", "‘", "’"),
    };
    Marks { open_double, close_double, open_single, close_single, french: primary(lang) == "fr" }
}

/// Narrow no-break space (U+202F): inside French guillemets and before ; ! ?.
const THIN: char = '\u{202f}';
/// No-break space (U+00A0): before a French colon.
const NBSP: char = '\u{a0}';

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
        Some(c) => c.is_whitespace() || "([{—–-/\u{2018}\u{201c}«„‚‹".contains(c),
    }
}

/// Spaces that may stand between a word and French punctuation (a line break
/// may not: the mark then starts its own line, and we leave it).
fn is_space(c: char) -> bool {
    c == ' ' || c == NBSP || c == THIN
}

/// Whether `text` has any character an edit outside French starts at: a
/// straight quote, `--`, `..`, or a space before a space or punctuation.
/// Most prose runs have none, and this byte scan is far cheaper than
/// [`edits`]' walk over their characters.
fn may_edit(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(k, &c)| match c {
        b'"' | b'\'' => true,
        b'-' => b.get(k + 1) == Some(&b'-'),
        b'.' => b.get(k + 1) == Some(&b'.'),
        b' ' => matches!(b.get(k + 1), Some(b' ' | b',' | b'.' | b';' | b':' | b'!' | b'?')),
        _ => false,
    })
}

/// Typographic edits for `text` (one prose run). Ranges are relative to `text`.
pub fn edits(text: &str, lang: &str) -> Vec<Edit> {
    let m = marks(lang);
    let mut out = Vec::new();
    // French rules act on ; : ! ? and guillemets too: no shortcut there.
    if !m.french && !may_edit(text) {
        return out;
    }
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
                } else if m.french {
                    i = french_guillemet(&chars, i, if opens(prev) { '«' } else { '»' }, &mut out);
                    continue;
                } else {
                    let q = if opens(prev) { m.open_double } else { m.close_double };
                    out.push(Edit { range: at..at + 1, after: q.to_string(), why: "straight double quote" });
                }
            }
            '«' | '»' if m.french => {
                i = french_guillemet(&chars, i, c, &mut out);
                continue;
            }
            ';' | ':' | '!' | '?' if m.french => french_before_mark(text, &chars, i, &mut out),
            '\'' => {
                let apostrophe_before_digit =
                    prev.is_none_or(char::is_whitespace) && next.is_some_and(|n| n.is_ascii_digit());
                let inside_word = prev.is_some_and(char::is_alphabetic) && next.is_some_and(char::is_alphabetic);
                if prev.is_some_and(|p| p.is_ascii_digit()) && !next.is_some_and(char::is_alphabetic) {
                    // A prime (5') — leave it.
                } else if inside_word || apostrophe_before_digit {
                    // it's, l'État, пам'ять, '90s: an apostrophe in every language.
                    out.push(Edit { range: at..at + 1, after: "’".into(), why: "straight apostrophe" });
                } else if !opens(prev) {
                    out.push(Edit { range: at..at + 1, after: m.close_single.into(), why: "straight apostrophe" });
                } else {
                    out.push(Edit { range: at..at + 1, after: m.open_single.into(), why: "straight single quote" });
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
                // Trailing spaces (a Markdown hard break) and indentation stay;
                // so do spaces the French rules replace as a whole.
                let french_mark = m.french && chars.get(end).is_some_and(|x| ";:!?»".contains(x.1));
                if chars.get(end).is_some_and(|x| !x.1.is_whitespace()) && !french_mark {
                    let end_byte = chars[end].0;
                    out.push(Edit { range: at..end_byte, after: " ".into(), why: "doubled space" });
                }
                i = end;
                continue;
            }
            // French keeps (and fixes) its space before ; : ! ?, but not before , and .
            ' ' if prev
                .is_some_and(|p| p.is_alphanumeric() || p == ')' || p == '”' || (m.french && "»\"".contains(p)))
                && next.is_some_and(|n| if m.french { ",.".contains(n) } else { ",.;:!?".contains(n) })
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

/// A French guillemet at `chars[i]` (written `"`, `«` or `»`), `mark` being
/// the one it should be: it takes a narrow no-break space on its inner side,
/// replacing whatever spaces the writer typed there. Returns the index of the
/// next character to look at.
fn french_guillemet(chars: &[(usize, char)], i: usize, mark: char, out: &mut Vec<Edit>) -> usize {
    let (at, c) = chars[i];
    if mark == '«' {
        // Spaces after it, up to the quoted word.
        let mut j = i + 1;
        while chars.get(j).is_some_and(|x| is_space(x.1)) {
            j += 1;
        }
        let Some(&(first_at, first)) = chars.get(j) else { return i + 1 };
        if first.is_whitespace() {
            return i + 1; // a line break: leave the layout to the writer
        }
        if c == '«' && j == i + 2 && chars[i + 1].1 == THIN {
            return j;
        }
        out.push(Edit { range: at..first_at, after: format!("«{THIN}"), why: "French guillemets" });
        return j;
    }
    // Closing: the spaces before it (not a line break) are replaced.
    let mut k = i;
    while k > 0 && is_space(chars[k - 1].1) {
        k -= 1;
    }
    if k == 0 || chars[k - 1].1.is_whitespace() {
        return i + 1;
    }
    if c == '»' && k + 1 == i && chars[k].1 == THIN {
        return i + 1;
    }
    let start = chars[k].0;
    out.retain(|e| e.range.end <= start);
    out.push(Edit { range: start..at + c.len_utf8(), after: format!("{THIN}»"), why: "French guillemets" });
    i + 1
}

/// French ; : ! ? at `chars[i]`: a narrow no-break space before ; ! ? and a
/// no-break space before :, when the mark ends a clause (followed by a space,
/// the end, a closing mark or another ! ?). `10:30`, `std::io` and `&amp;`
/// are not clauses.
fn french_before_mark(text: &str, chars: &[(usize, char)], i: usize, out: &mut Vec<Edit>) {
    let (at, c) = chars[i];
    let prev = i.checked_sub(1).map(|k| chars[k].1);
    let next = chars.get(i + 1).map(|x| x.1);
    let ends_clause = next.is_none_or(|n| n.is_whitespace() || "»)]”!?.…".contains(n));
    if !ends_clause || prev.is_some_and(|p| "!?;:".contains(p)) {
        return;
    }
    let space = if c == ':' { NBSP } else { THIN };
    let mut k = i;
    while k > 0 && is_space(chars[k - 1].1) {
        k -= 1;
    }
    if k == 0 || chars[k - 1].1.is_whitespace() {
        return; // the mark starts the run or a line
    }
    if k == i {
        // No space at all: insert one, unless this is an entity or a URL-like word.
        let word_start = text[..at].rfind(|ch: char| ch.is_whitespace()).map_or(0, |p| p + 1);
        if text[word_start..at].contains(['&', '/', ':']) {
            return;
        }
        out.push(Edit { range: at..at + 1, after: format!("{space}{c}"), why: "French spacing before punctuation" });
        return;
    }
    if k + 1 == i && chars[k].1 == space {
        return;
    }
    let start = chars[k].0;
    out.retain(|e| e.range.end <= start);
    out.push(Edit { range: start..at + 1, after: format!("{space}{c}"), why: "French spacing before punctuation" });
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
    fn german() {
        assert_eq!(apply("Er sagte \"nein\".", "de"), "Er sagte „nein“.");
        assert_eq!(apply("Er sagte 'nein', geht's?", "de"), "Er sagte ‚nein‘, geht’s?");
    }

    #[test]
    fn french_guillemets_and_spaces() {
        let t = "\u{202f}";
        assert_eq!(apply("Il a dit \"non\" !", "fr"), format!("Il a dit «{t}non{t}»{t}!"));
        assert_eq!(
            apply("« Non » , dit-il; puis: «oui»?", "fr"),
            format!("«{t}Non{t}», dit-il{t}; puis\u{a0}: «{t}oui{t}»{t}?")
        );
        assert_eq!(apply("L'État et l'Europe ?!", "fr"), format!("L’État et l’Europe{t}?!"));
        // Times, paths, entities and URLs-like words keep their colons.
        assert_eq!(apply("À 10:30, voir std::io et &amp; ici.", "fr"), "À 10:30, voir std::io et &amp; ici.");
        // Already right: nothing to do (running the corrector twice changes nothing).
        let done = format!("«{t}Non{t}», dit-il{t}; puis\u{a0}: oui{t}!");
        assert_eq!(edits(&done, "fr"), []);
    }

    #[test]
    fn ukrainian_and_russian() {
        assert_eq!(apply("Він сказав \"ні\" і 'так'.", "uk"), "Він сказав «ні» і „так“.");
        assert_eq!(apply("Пам'ять , м'ясо.", "uk"), "Пам’ять, м’ясо.");
        assert_eq!(apply("Он сказал \"нет\"...", "ru"), "Он сказал «нет»…");
    }

    #[test]
    fn regional_codes_follow_their_language() {
        assert_eq!(apply("\"non\"", "fr-CA"), "«\u{202f}non\u{202f}»");
        assert_eq!(apply("\"no\"", "en-GB"), "“no”");
    }
}
