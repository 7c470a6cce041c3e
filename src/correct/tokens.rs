//! Stage 2: the words of each prose block, with where they are.
//!
//! Hyphens split words (`Warfare-style` is `Warfare`, `style`), so a lexicon
//! entry matches inside a compound; a possessive stays on its word
//! (`Council’s`) and the lexicon matches it through its base
//! ([`super::lexicon::possessive_base`]). Each word knows whether it sits in
//! a quotation and whether it starts a sentence.

use std::borrow::Cow;
use std::ops::Range;

use super::prose::Run;
use super::words::{lower, tokenize};

/// A word of a block.
#[derive(Debug, Clone)]
pub struct Word<'t> {
    /// Byte range in the file.
    pub span: Range<usize>,
    /// Lower-cased, borrowed from the text when it already is.
    pub lower: Cow<'t, str>,
    /// Index of the prose run it came from (an article and its noun must share one).
    pub run: usize,
    pub quoted: bool,
    pub sentence_start: bool,
}

/// The words of a paragraph, heading, list item or cell: sentences never
/// join text from two blocks.
pub type Block<'t> = Vec<Word<'t>>;

/// Split the prose runs into blocks of words.
pub fn blocks<'t>(text: &'t str, runs: &[Run]) -> Vec<Block<'t>> {
    let mut blocks: Vec<Block<'t>> = Vec::new();
    let mut last_block = None;
    let mut in_quote = false;
    for (ri, run) in runs.iter().enumerate() {
        if last_block != Some(run.block) {
            blocks.push(Vec::new());
            last_block = Some(run.block);
            in_quote = false;
        }
        let Some(block) = blocks.last_mut() else { continue };
        let mut sentence_start = block.is_empty();
        let s = &text[run.range.clone()];
        let tokens = tokenize(s);
        // Most tokens are words: one allocation for the run instead of a doubling per few words.
        block.reserve(tokens.len());
        for t in tokens {
            let piece = t.text(s);
            if !t.is_word {
                match piece {
                    "\"" => in_quote = !in_quote,
                    "“" | "«" | "„" => in_quote = true,
                    "”" | "»" => in_quote = false,
                    "." | "!" | "?" | ":" | ";" => sentence_start = true,
                    _ => {}
                }
                continue;
            }
            block.push(Word {
                span: run.range.start + t.start..run.range.start + t.end,
                lower: lower_cow(&text[run.range.start + t.start..run.range.start + t.end]),
                run: ri,
                quoted: in_quote || run.block_quote,
                sentence_start,
            });
            sentence_start = false;
        }
    }
    blocks
}

/// The lower-cased word, borrowed when it already is (most words are).
fn lower_cow(s: &str) -> Cow<'_, str> {
    let changes = if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        s.chars().any(|c| c.is_uppercase() || c == '’')
    };
    if changes { Cow::Owned(lower(s)) } else { Cow::Borrowed(s) }
}

/// The sentences of a block, as word index ranges.
pub fn sentences(block: &[Word<'_>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, w) in block.iter().enumerate() {
        if w.sentence_start && i > start {
            out.push(start..i);
            start = i;
        }
    }
    if start < block.len() {
        out.push(start..block.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(range: Range<usize>, block: usize) -> Run {
        Run { range, block_quote: false, block }
    }

    #[test]
    fn hyphens_split_possessives_stay_quotes_and_sentences_are_marked() {
        let t = "The Council’s Warfare-style. He said \"no way\" then.";
        let b = blocks(t, &[run(0..t.len(), 0)]);
        let w: Vec<&str> = b[0].iter().map(|w| w.lower.as_ref()).collect();
        assert_eq!(w, ["the", "council's", "warfare", "style", "he", "said", "no", "way", "then"]);
        let quoted: Vec<bool> = b[0].iter().map(|w| w.quoted).collect();
        assert_eq!(quoted, [false, false, false, false, false, false, true, true, false]);
        assert!(b[0][4].sentence_start && !b[0][5].sentence_start);
        assert_eq!(sentences(&b[0]), vec![0..4, 4..9]);
    }

    #[test]
    fn a_new_block_resets_quotes() {
        let t = "He said \"open\nNext block.";
        let b = blocks(t, &[run(0..13, 0), run(14..t.len(), 1)]);
        assert_eq!(b.len(), 2);
        assert!(!b[1][0].quoted && b[1][0].sentence_start);
    }
}
