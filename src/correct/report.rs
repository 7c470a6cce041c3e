//! The last stage's types: what the corrector found in one document, as
//! changes with byte spans and reasons, plus the evidence behind its verdict.
//!
//! Also the one place changes are added ([`Report::push`]), so no two
//! changes ever overlap and none touches a phrase the editor keeps.

use std::ops::Range;

use serde::Serialize;

/// One change the corrector proposes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Byte range in the whole file.
    pub span: Range<usize>,
    pub before: String,
    pub after: String,
    /// Stable rule id: `spin/fingerprint`, `spin/strong`, `spin/weak`,
    /// `spin/spintax`, `spin/paraphrase`, `house-style`, `spelling`, `typography`.
    pub rule: &'static str,
    /// 0–1: how sure the corrector is.
    pub confidence: f32,
    /// Applied automatically, or only suggested.
    pub applied: bool,
    /// Why, in words an editor can check.
    pub reason: String,
}

/// Everything found in one document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub changes: Vec<Change>,
    /// Document spin score (0 = no evidence); `spun` when above the gate.
    pub spin_score: f32,
    pub spun: bool,
    pub words: usize,
    /// Words per 1,000 for which a paraphrase fits the context much better.
    pub odd_per_k: f32,
    /// Weak-lexicon matches per 1,000 words (spinner outputs that are also common English).
    pub weak_per_k: f32,
    /// Every word the paraphrase check scored, with its best posterior
    /// log-odds (for calibration tools; not reported to editors).
    #[serde(skip)]
    pub para_scores: Vec<(Range<usize>, f32)>,
    /// The words the sequential gate scored, with their best log-odds.
    #[serde(skip)]
    pub gate_scores: Vec<(Range<usize>, f32)>,
    /// Odd words and scored words when the gate stopped.
    pub gate_odd: (usize, usize),
    /// The kinds of spin evidence found, for the gate and calibration tools.
    #[serde(skip)]
    pub evidence: Evidence,
}

/// Spin evidence by kind. The gate needs two kinds: technical prose can
/// produce any one of them (braces, a word that is also a fingerprint, a
/// run of odd words) but not two together.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evidence {
    /// Distinct spintax leftovers in the spinner's shapes (`{a|b}`, `{that a}`).
    pub braces: usize,
    /// Distinct lexicon fingerprints.
    pub fingerprints: usize,
    /// Strong and weak lexicon matches.
    pub strong: usize,
    pub weak: usize,
    /// The odd-word test's verdict (`None` when it did not run).
    pub odd_rate: Option<bool>,
    /// Weak lexicon matches whose original the context prefers (counted
    /// only once the odd-word test found the document suspect).
    pub weak_reversals: usize,
}

/// Changes being collected, with the byte ranges already claimed.
#[derive(Debug, Default)]
pub struct Claims {
    /// Claimed ranges by start (they never overlap, so only the one starting
    /// last before a span's end can overlap it: a 10 MB article with a
    /// change in every paragraph stays linear).
    taken: std::collections::BTreeSet<(usize, usize)>,
    keep: Vec<Range<usize>>,
}

impl Claims {
    /// `keep`: ranges the editor protected (the site's or page's keep list).
    pub fn new(keep: Vec<Range<usize>>) -> Claims {
        Claims { taken: Default::default(), keep }
    }

    /// Whether `span` is still free: not claimed by an earlier change and not kept.
    pub fn free(&self, span: &Range<usize>) -> bool {
        // Walk back from the last range starting before the span's end; the
        // first non-empty range that ends before the span settles it.
        for &(start, end) in self.taken.range(..(span.end, 0)).rev() {
            if start < span.end && span.start < end {
                return false;
            }
            if start < end && end <= span.start {
                break;
            }
        }
        !overlaps(&self.keep, span)
    }

    /// Add `c` to the report unless its span is taken or kept. Earlier stages
    /// win: spin restorations come before house style, typography last.
    pub fn push(&mut self, report: &mut Report, c: Change) -> bool {
        if !self.free(&c.span) {
            return false;
        }
        self.taken.insert((c.span.start, c.span.end));
        report.changes.push(c);
        true
    }
}

/// Whether any of `ranges` overlaps `span`.
pub fn overlaps(ranges: &[Range<usize>], span: &Range<usize>) -> bool {
    ranges.iter().any(|k| k.start < span.end && span.start < k.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(span: Range<usize>) -> Change {
        Change {
            span,
            before: String::new(),
            after: String::new(),
            rule: "typography",
            confidence: 1.0,
            applied: true,
            reason: String::new(),
        }
    }

    #[test]
    fn claims_refuse_overlaps_and_kept_ranges() {
        let mut r = Report::default();
        let mut claims = Claims::new([20..30, 40..41].to_vec());
        assert!(claims.push(&mut r, change(0..5)));
        assert!(!claims.push(&mut r, change(4..8)), "overlaps the first");
        assert!(claims.push(&mut r, change(5..8)), "touching is fine");
        assert!(!claims.push(&mut r, change(25..26)), "kept");
        assert!(claims.push(&mut r, change(8..8)), "an insertion where two changes meet");
        assert!(claims.push(&mut r, change(8..12)));
        assert!(!claims.push(&mut r, change(11..11)), "an insertion inside a change");
        assert!(!claims.push(&mut r, change(1..30)));
        assert_eq!(r.changes.len(), 4);
    }
}
