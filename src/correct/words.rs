//! Tokens of prose, with byte positions, for matching and for the context model.

/// A word or a single non-space character, with its byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub is_word: bool,
}

impl Token {
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        &s[self.start..self.end]
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The character at byte `i` of `text` (a char boundary) and its length,
/// without decoding when it is ASCII (most prose is).
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    match text.as_bytes().get(i) {
        None => None,
        Some(&b) if b.is_ascii() => Some((char::from(b), 1)),
        Some(_) => text[i..].chars().next().map(|c| (c, c.len_utf8())),
    }
}

/// Words are runs of letters and digits, with apostrophes inside them
/// (`didn't`, `Russia’s`); hyphens split words, so `Warfare-style` yields
/// `Warfare`, `-`, `style`.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 4);
    let mut i = 0;
    while let Some((c, len)) = char_at(text, i) {
        if is_word_char(c) {
            let mut end = i + len;
            while let Some((d, dlen)) = char_at(text, end) {
                if is_word_char(d) {
                    end += dlen;
                } else if (d == '\'' || d == '’') && char_at(text, end + dlen).is_some_and(|(e, _)| e.is_alphabetic())
                {
                    // An apostrophe between a word and a letter: the word goes on.
                    end += dlen;
                } else {
                    break;
                }
            }
            out.push(Token { start: i, end, is_word: true });
            i = end;
        } else {
            if !c.is_whitespace() {
                out.push(Token { start: i, end: i + len, is_word: false });
            }
            i += len;
        }
    }
    out
}

/// Lower-case with the typographic apostrophe folded to the ASCII one.
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        // The same result with one allocation and no Unicode tables.
        return s.to_ascii_lowercase();
    }
    s.to_lowercase().replace('’', "'")
}

/// Capitalisation of a word, to carry over to its replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Lower,
    Title,
    Upper,
}

pub fn case_of(word: &str) -> Case {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        Case::Upper
    } else if letters.first().is_some_and(|c| c.is_uppercase()) {
        Case::Title
    } else {
        Case::Lower
    }
}

/// Apply a capitalisation to `text` (only the first letter for Title, so
/// "United Nations" keeps its own capitals).
pub fn with_case(text: &str, case: Case) -> String {
    match case {
        Case::Lower => text.to_string(),
        Case::Upper => text.to_uppercase(),
        Case::Title => {
            let mut c = text.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokeniser as first written, over chars: [`tokenize`] must agree.
    fn reference(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if is_word_char(c) {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if is_word_char(d) {
                        end = j + d.len_utf8();
                        chars.next();
                    } else if d == '\'' || d == '’' {
                        let mut look = chars.clone();
                        look.next();
                        if look.peek().is_some_and(|&(_, e)| e.is_alphabetic()) {
                            chars.next();
                        } else {
                            break;
                        }
                    } else {
                        break;
                    }
                }
                out.push(Token { start: i, end, is_word: true });
            } else if !c.is_whitespace() {
                out.push(Token { start: i, end: i + c.len_utf8(), is_word: false });
            }
        }
        out
    }

    #[test]
    fn byte_tokeniser_agrees_with_the_char_one() {
        let texts = [
            "Russia’s Chilly Warfare-style didn't, 'quoted' 5'10\" x' 'y ’’a a’’ a'1 a'é",
            "Пам'ять і «Київ» — l'État, naïve café 3.5 U.S. \u{a0}x\u{202f}; end’",
            "'",
            "a'",
            "’b",
            "",
            "  \t\n",
            "Ünïcödé’s wörds'",
            "日本語のテキスト、句読点。",
        ];
        for t in texts {
            assert_eq!(tokenize(t), reference(t), "{t:?}");
        }
    }

    #[test]
    fn tokens() {
        let s = "Russia’s Chilly Warfare-style didn't, 'quoted'";
        let words: Vec<&str> = tokenize(s).iter().filter(|t| t.is_word).map(|t| t.text(s)).collect();
        assert_eq!(words, ["Russia’s", "Chilly", "Warfare", "style", "didn't", "quoted"]);
        assert_eq!(with_case("cold war", Case::Title), "Cold war");
        assert_eq!(case_of("NATO"), Case::Upper);
    }
}

/// Carry the capitalisation of a matched spun phrase over to its original.
///
/// A title the spinner reworded keeps a capital on every word ("Overseas
/// Minister" → "Foreign Minister"; small words such as "of" stay lower-case);
/// anything else takes the first word's case ("Overseas coverage" at a
/// sentence start → "Foreign policy", "CHILLY WARFARE" → "COLD WAR").
pub fn carry_case(spun_words: &[&str], original: &str) -> String {
    let title_phrase = spun_words.iter().filter(|w| case_of(w) == Case::Title).count() >= 2
        && spun_words.iter().all(|w| case_of(w) != Case::Lower || TITLE_SMALL.contains(&lower(w).as_str()));
    if !title_phrase {
        return with_case(original, spun_words.first().map_or(Case::Lower, |w| case_of(w)));
    }
    original
        .split(' ')
        .enumerate()
        .map(|(i, w)| if i > 0 && TITLE_SMALL.contains(&w) { w.to_string() } else { with_case(w, Case::Title) })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words a headline-style title keeps in lower case.
const TITLE_SMALL: &[&str] = &["a", "an", "the", "of", "on", "in", "for", "and", "or", "to", "at", "by", "with"];

#[cfg(test)]
mod case_tests {
    use super::carry_case;

    #[test]
    fn titles_keep_every_capital() {
        assert_eq!(carry_case(&["Overseas", "Minister"], "foreign minister"), "Foreign Minister");
        assert_eq!(
            carry_case(&["Home", "of", "Representatives"], "house of representatives"),
            "House of Representatives"
        );
        assert_eq!(carry_case(&["As", "a", "result", "of"], "because"), "Because");
        assert_eq!(carry_case(&["overseas", "coverage"], "foreign policy"), "foreign policy");
        assert_eq!(carry_case(&["CHILLY", "WARFARE"], "cold war"), "COLD WAR");
    }
}
