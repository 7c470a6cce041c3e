//! Stage 3: the candidate lattice. For every stretch of words, the
//! wordings the spinner may have replaced: observed and curated lexicon
//! entries (including the spinner's insertions, which restore as
//! deletions: "brand new" → "new"), and spintax leftovers. Paraphrase
//! candidates come from [`super::paraphrase`], scored on demand.
//!
//! Building the lattice also counts the lexicon's evidence for the gate.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::engine::Data;
use super::lexicon::{Tier, context_covers};
use super::prose::Run;
use super::protect::{self, Spintax};
use super::tokens::{Block, Word};
use super::words::{Case, case_of};

/// A lexicon match: `len` words from word `first` of block `block`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cand {
    pub block: usize,
    pub first: usize,
    pub len: usize,
    pub entry: usize,
}

/// Braces in a spinner's shape, and the text to leave in their place.
#[derive(Debug, Clone, PartialEq)]
pub struct SpintaxCand {
    pub span: Range<usize>,
    pub keep: String,
    pub kind: Spintax,
}

/// The candidates of one document and the evidence they carry.
#[derive(Debug, Default)]
pub struct Lattice {
    pub cands: Vec<Cand>,
    pub spintax: Vec<SpintaxCand>,
    /// Distinct fingerprint forms: one phrase repeated is one piece of evidence.
    pub fingerprints: usize,
    /// Distinct spintax leftovers in the spinner's shapes (not single words).
    pub braces: usize,
    pub strong: usize,
    pub weak: usize,
    /// Evidence weight per block, and whether a block holds a fingerprint:
    /// a paragraph is suspect only with a fingerprint in it (strong entries
    /// alone, "courtroom", "court docket", have clean readings).
    pub block_evidence: Vec<f32>,
    pub block_fp: Vec<bool>,
}

impl Lattice {
    /// Whether block `b` looks spun on its own (a fingerprint and more).
    pub fn paragraph_spun(&self, b: usize) -> bool {
        self.block_fp.get(b).copied().unwrap_or(false) && self.block_evidence.get(b).copied().unwrap_or(0.0) >= 4.0
    }
}

/// Build the lattice: lexicon candidates (when `spin` is on) and spintax.
pub fn build(text: &str, blocks: &[Block<'_>], runs: &[Run], data: &Data, spin: bool) -> Lattice {
    let mut lat =
        Lattice { block_evidence: vec![0.0; blocks.len()], block_fp: vec![false; blocks.len()], ..Default::default() };
    if spin {
        lexicon_candidates(text, blocks, data, &mut lat);
    }
    let (spintax, braces) = spintax(text, runs);
    lat.spintax = spintax;
    lat.braces = braces;
    lat
}

/// Every lexicon match that may stand (contiguous, right case, in its
/// phrase), with its evidence counted.
fn lexicon_candidates(text: &str, blocks: &[Block<'_>], data: &Data, lat: &mut Lattice) {
    let mut fp_forms: HashSet<String> = HashSet::new();
    let mut lowers: Vec<&str> = Vec::new();
    for (b, words) in blocks.iter().enumerate() {
        lowers.clear();
        lowers.extend(words.iter().map(|w| w.lower.as_ref()));
        for i in 0..words.len() {
            // No allocation when nothing matches, the common case.
            for m in data.lexicon.matches_at(&lowers, i) {
                let e = &data.lexicon.entries[m.entry];
                if !fits(text, &words[m.first..m.first + m.len], e, &lowers, m.first) {
                    continue;
                }
                match e.tier {
                    Tier::Fingerprint => {
                        fp_forms.insert(e.spun.join(" "));
                        lat.block_evidence[b] += 3.0;
                        lat.block_fp[b] = true;
                    }
                    Tier::Strong => {
                        lat.strong += 1;
                        lat.block_evidence[b] += 1.0;
                    }
                    Tier::Weak | Tier::PhraseBound => {
                        lat.weak += 1;
                        lat.block_evidence[b] += 0.2;
                    }
                }
                lat.cands.push(Cand { block: b, first: m.first, len: m.len, entry: m.entry });
            }
        }
    }
    lat.fingerprints = fp_forms.len();
}

/// Whether a lexicon match stands where it was found: one contiguous
/// stretch of text (no punctuation inside a phrase), a cased entry only on
/// capitals, a lower-case one not on a name, a phrase-bound one inside its phrase.
fn fits(text: &str, ws: &[Word<'_>], e: &super::lexicon::Entry, lowers: &[&str], first: usize) -> bool {
    let contiguous = ws.windows(2).all(|p| {
        let gap = &text[p[0].span.end..p[1].span.start];
        gap.chars().all(char::is_whitespace) && !gap.is_empty() || gap == "-"
    });
    if !contiguous {
        return false;
    }
    let first_text = &text[ws[0].span.clone()];
    let single = ws.len() == 1;
    if e.cased && (case_of(first_text) == Case::Lower || (ws[0].sentence_start && single)) {
        return false;
    }
    if !e.cased && case_of(first_text) != Case::Lower && !ws[0].sentence_start && single {
        return false; // "Home" mid-sentence is a name; a lower-case entry doesn't cover it.
    }
    e.tier != Tier::PhraseBound || e.context.as_ref().is_some_and(|c| context_covers(lowers, c, first, ws.len()))
}

static SPINTAX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\{[^{}\n]{1,80}\}").expect("static regex"));

/// Spintax leftovers in the spinner's shapes (`{a|b}`, `{that a}`), and how
/// many distinct ones count as evidence: a single word in braces
/// (`{photograph}`, but also a placeholder like `{name}`) is no evidence and
/// is only removed from a spun document.
pub fn spintax(text: &str, runs: &[Run]) -> (Vec<SpintaxCand>, usize) {
    let mut out = Vec::new();
    let mut forms: HashSet<&str> = HashSet::new();
    for run in runs {
        let s = &text[run.range.clone()];
        if !s.contains('{') {
            continue;
        }
        for m in SPINTAX.find_iter(s) {
            let span = run.range.start + m.start()..run.range.start + m.end();
            let Some((kind, keep)) = protect::spintax(text, span.clone()) else { continue };
            if kind != Spintax::Word {
                forms.insert(&text[span.clone()]);
            }
            out.push(SpintaxCand { span, keep: keep.to_string(), kind });
        }
    }
    (out, forms.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correct::lexicon::Lexicon;
    use crate::correct::tokens;

    fn data() -> Data {
        let mut lexicon = Lexicon::default();
        let rows = "Chilly Warfare\tCold War\tfingerprint\ncourt docket\tcourt\tstrong\nHome\tHouse\tweak\nhome\thouse\tweak\n";
        lexicon.add_tsv("t.tsv", rows, "test").unwrap();
        Data { lexicon, ..Default::default() }
    }

    fn lattice(t: &str) -> Lattice {
        let runs = vec![Run { range: 0..t.len(), block_quote: false, block: 0 }];
        build(t, &tokens::blocks(t, &runs), &runs, &data(), true)
    }

    #[test]
    fn matches_count_as_evidence_by_kind() {
        let l = lattice("After the Chilly Warfare, the court docket and the Chilly Warfare again.");
        assert_eq!(l.cands.len(), 3);
        assert_eq!((l.fingerprints, l.strong, l.weak), (1, 1, 0));
        assert!(l.paragraph_spun(0));
    }

    #[test]
    fn punctuation_inside_a_phrase_and_names_do_not_match() {
        assert!(lattice("the court. Docket").cands.is_empty());
        // "Home" mid-sentence is a name for the lower-case entry, and the
        // cased entry needs more than a capital at a sentence start.
        let l = lattice("We went Home today.");
        assert_eq!(l.cands.len(), 1);
        assert!(data().lexicon.entries[l.cands[0].entry].cased);
        assert!(lattice("Home is where.").cands.len() == 1);
    }

    #[test]
    fn spintax_in_spinner_shapes_only() {
        let t = "a {b|c} d {photograph} e $\\frac{1}{2}$";
        let prose = Run { range: 0..t.find(" $").unwrap_or(0), block_quote: false, block: 0 };
        let (c, braces) = spintax(t, &[prose]);
        assert_eq!(braces, 1);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].keep, "b");
    }
}
