//! Paraphrase candidates for words no lexicon entry covers: the paraphrase
//! table's neighbours of a word, scored by how much better they fit the
//! context. A weak channel: the gate counts its "odd" words, and the decoder
//! applies one only by a wide margin.

use std::collections::HashSet;

use super::engine::{ContextModel, Data, REWRITE_ODDS};
use super::tokens::Block;
use super::words::{Case, case_of};

/// Words more frequent than this (share of clean tokens) get no paraphrase candidates.
pub const PARA_MAX_FREQ: f32 = 2e-4;

/// Scores a word against its paraphrase-table neighbours: the best
/// candidate's posterior log-odds of being the original.
pub struct ParaScorer<'a, 't> {
    pub text: &'t str,
    pub data: &'a Data,
    pub lm: &'a dyn ContextModel,
    pub blocks: &'a [Block<'t>],
    /// Words a lexicon candidate covers, as (block, word).
    pub covered: &'a HashSet<(usize, usize)>,
}

impl<'a> ParaScorer<'a, '_> {
    /// The word's neighbours if it is eligible: not covered by a lexicon
    /// match, not short, not a name, not too common to be a spinner's choice.
    fn neighbours(&self, b: usize, i: usize) -> Option<(&'a [String], f32)> {
        let w = &self.blocks[b][i];
        if self.covered.contains(&(b, i)) || w.lower.len() < 4 || !w.lower.chars().all(|c| c.is_ascii_lowercase()) {
            return None;
        }
        if case_of(&self.text[w.span.clone()]) != Case::Lower && !w.sentence_start {
            return None; // a name
        }
        let neigh = self.data.paraphrases.get(w.lower.as_ref())?;
        let fw = self.lm.frequency(&w.lower).max(1e-8);
        // Spinners replace plain words with rarer ones: a word this common
        // in clean prose ("became", "means") is the writer's own.
        (fw <= PARA_MAX_FREQ).then_some((neigh.as_slice(), fw))
    }

    /// `None` for a word that is not eligible; else the best of its first
    /// `max_candidates` neighbours with its posterior log-odds.
    pub fn best(&self, b: usize, i: usize, max_candidates: usize) -> Option<(f32, &'a str)> {
        let (neigh, fw) = self.neighbours(b, i)?;
        let words = &self.blocks[b];
        let w = &words[i];
        // The window: up to two words either side, on the stack (this runs
        // for every candidate of every scored word).
        let from = i.saturating_sub(2);
        let to = (i + 3).min(words.len());
        let mut window: [&str; 5] = [""; 5];
        for (slot, x) in window.iter_mut().zip(&words[from..to]) {
            *slot = x.lower.as_ref();
        }
        let (len, at) = (to - from, i - from);
        let mut score = |mid: &'a str| {
            window[at] = mid;
            self.lm.score(&window[..len], at)
        };
        let base = score(&w.lower);
        let mut best: Option<(f32, &'a str)> = None;
        for c in neigh.iter().take(max_candidates) {
            // Inflections and spelling variants ("suspending"/"suspended",
            // "programme"/"program") are not spinner swaps.
            if c.len() >= 4 && w.lower.len() >= 4 && c.as_bytes()[..4] == w.lower.as_bytes()[..4] {
                continue;
            }
            let d = score(c) - base + self.channel(c, fw);
            if best.is_none_or(|(bd, _)| d > bd) {
                best = Some((d, c.as_str()));
            }
        }
        best
    }

    /// The channel and prior for candidate `c` of a word with frequency
    /// `fw`: spinners swap plain words for rarer ones (a more common
    /// candidate is a likelier original), rewrite about three words in ten,
    /// and pick one of the candidate's neighbours.
    pub fn channel(&self, c: &str, fw: f32) -> f32 {
        channel(self.data, self.lm, c, fw)
    }
}

/// The channel and prior for paraphrase `c` of a word with frequency `fw`
/// (see [`ParaScorer::channel`]).
pub fn channel(data: &Data, lm: &dyn ContextModel, c: &str, fw: f32) -> f32 {
    let fc = lm.frequency(c).max(1e-8);
    let prior = (0.3 * (fc / fw).ln()).clamp(-2.0, 2.0);
    let pick = -(data.paraphrases.get(c).map_or(10, Vec::len) as f32).ln();
    prior + REWRITE_ODDS + pick
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correct::engine::Flat;
    use crate::correct::prose::Run;
    use crate::correct::tokens;

    #[test]
    fn names_short_words_and_covered_words_get_no_candidates() {
        let mut data = Data::default();
        for (w, n) in [("purchased", "bought"), ("Quite", "very"), ("vast", "huge")] {
            data.paraphrases.insert(w.to_lowercase(), vec![n.into()]);
        }
        let t = "They purchased a vast Quite hall.";
        let runs = vec![Run { range: 0..t.len(), block_quote: false, block: 0 }];
        let blocks = tokens::blocks(t, &runs);
        let covered = HashSet::new();
        let s = ParaScorer { text: t, data: &data, lm: &Flat, blocks: &blocks, covered: &covered };
        assert_eq!(s.best(0, 1, 8).map(|x| x.1), Some("bought"));
        assert!(s.best(0, 3, 8).is_some(), "four letters is enough");
        assert!(s.best(0, 4, 8).is_none(), "a capital mid-sentence is a name");
        let covered: HashSet<(usize, usize)> = [(0, 1)].into_iter().collect();
        let s = ParaScorer { covered: &covered, ..s };
        assert!(s.best(0, 1, 8).is_none());
    }
}
