//! The correction engine: one pass over an article that finds every change
//! (spin restoration, spintax, house style, spelling, typography), decides
//! which to apply and which only to suggest, and says why.
//!
//! It never writes anything: callers apply the changes ([`super::apply`]).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::lexicon::{Lexicon, Tier, context_covers, possessive_base};
use super::prose::{self, Run};
use super::protect::{self, Spintax};
use super::typography;
use super::words::{Case, carry_case, case_of, lower, tokenize, with_case};

/// One change the corrector proposes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Byte range in the whole file.
    pub span: Range<usize>,
    pub before: String,
    pub after: String,
    /// Stable rule id: `spin/fingerprint`, `spin/strong`, `spin/weak`,
    /// `spin/spintax`, `house-style`, `spelling`, `typography`.
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

/// Per-document switches (from front matter and `config.toml`).
#[derive(Debug, Clone)]
pub struct DocOptions {
    pub lang: String,
    pub typography: bool,
    pub house_style: bool,
    pub spelling: bool,
    pub spin: bool,
    /// Restore spun wording inside quotations of a spun document (the spinner
    /// rewrote them, so they are no longer anyone's words).
    pub restore_spun_quotes: bool,
    /// Phrases never to change.
    pub keep: Vec<String>,
    /// `Some("US")` or `Some("U.S.")`: the abbreviation to use.
    pub us_style: Option<String>,
    /// Treat the document as spun whatever the gate says (the second decoding
    /// pass, once the first has established it).
    pub assume_spun: bool,
}

impl Default for DocOptions {
    fn default() -> Self {
        DocOptions {
            lang: "en".into(),
            typography: true,
            house_style: true,
            spelling: true,
            spin: true,
            restore_spun_quotes: true,
            keep: Vec::new(),
            us_style: None,
            assume_spun: false,
        }
    }
}

/// A house-style rule: `wrong` → `right`, unless inside one of `except`.
#[derive(Debug, Clone)]
pub struct HouseRule {
    pub wrong: Vec<String>,
    pub wrong_text: String,
    pub right: String,
    pub except: Vec<Vec<String>>,
    /// Only when followed by one of these words or by punctuation (for "the Ukraine").
    pub before_function_word: bool,
}

/// The data the engine works with.
#[derive(Debug, Default)]
pub struct Data {
    pub lexicon: Lexicon,
    pub house: Vec<HouseRule>,
    pub spelling: HashMap<String, String>,
    /// Paraphrase neighbours (PPDB): candidate originals for spun words that
    /// no lexicon entry covers.
    pub paraphrases: HashMap<String, Vec<String>>,
}

/// The context model the engine consults: how likely a word sequence is in
/// clean prose. (A trait so tests can run without the real model.)
pub trait ContextModel {
    /// Log-probability of `words[from..]` given the words before `from`.
    fn score(&self, words: &[&str], from: usize) -> f32;
    /// Share of clean-text tokens that are `word` (0 when unknown).
    fn frequency(&self, word: &str) -> f32;
}

/// No context knowledge: every sequence equally likely.
pub struct Flat;

impl ContextModel for Flat {
    fn score(&self, _: &[&str], _: usize) -> f32 {
        0.0
    }
    fn frequency(&self, _: &str) -> f32 {
        0.0
    }
}

/// Words this common ("can", "will", "each") are almost always the writer's
/// own: a swap among them needs much stronger context evidence.
const COMMON: f32 = 8e-4;

/// ln(0.3 / 0.7): the spinner rewrites about three words in ten (shared/spin
/// README), so before context a word is more likely the writer's own.
const REWRITE_ODDS: f32 = -0.847;

/// "Odd" words per 1,000 above which a text is judged spun. Calibrated on
/// modern clean explainers (our sample site and fixtures reach about 67) and
/// hand-spun ones (109–135); historical clean prose stays below 40. Texts under
/// `ODD_MIN_WORDS` words are too short for the rate to mean anything.
const ODD_GATE: f32 = 90.0;
const ODD_MIN_WORDS: usize = 250;
/// Posterior log-odds above which a word counts as "odd" for the gate.
const ODD: f32 = 1.0;
/// Posterior log-odds a paraphrase needs to be applied / suggested. High: the
/// paraphrase table is a weak channel, and a wrong "restoration" damages prose.
const PARA_APPLY: f32 = 6.0;
const PARA_SUGGEST: f32 = 4.0;
/// Words more frequent than this (share of clean tokens) get no paraphrase candidates.
const PARA_MAX_FREQ: f32 = 2e-4;
/// Posterior log-odds a weak lexicon entry needs (3 more for very common words).
const WEAK: f32 = 0.5;

/// Gate: posterior log-odds above which a scored word counts as odd, and how
/// many paraphrase candidates each word gets while the gate is undecided.
const GATE_ODD: f32 = 4.0;
const GATE_CANDIDATES: usize = 8;
/// Gate: odd words per scored word in clean prose (historical and modern
/// explainers stay below 4 %) and in spun prose (held-out synthetic spin: 8 %
/// at the 10th percentile); the sequential test decides between the two.
const GATE_CLEAN: f32 = 0.04;
const GATE_SPUN: f32 = 0.10;
/// Gate: strong lexicon matches that count as one kind of evidence, and
/// weak matches reversed by the context per 1,000 words that count as
/// another (clean historical prose and technical docs stay below 57, our
/// hand-spun articles reach 73–92).
const STRONG_KIND: usize = 2;
const WEAK_ODD_KIND: f32 = 65.0;
/// Gate: when the scan reaches the end undecided, the odd-word rate that opens it.
const GATE_RATE: f32 = 0.10;

/// Wald's sequential probability ratio test between the clean and the spun
/// odd-word rate. Stopping early is what makes scoring affordable: most
/// clean documents are settled after about fifty scored words.
#[derive(Default)]
struct Sprt {
    llr: f32,
    odd: usize,
    scored: usize,
    verdict: Option<bool>,
}

impl Sprt {
    /// About ln(1/α) and ln(1/β) for a 0.4 % false-alarm and a 5 % miss
    /// rate: a false alarm costs more (clean prose gets rewritten) than a miss.
    const SPUN_AT: f32 = 5.5;
    const CLEAN_AT: f32 = -2.0;

    fn push(&mut self, odd: bool) -> Option<bool> {
        self.scored += 1;
        if odd {
            self.odd += 1;
            self.llr += (GATE_SPUN / GATE_CLEAN).ln();
        } else {
            self.llr += ((1.0 - GATE_SPUN) / (1.0 - GATE_CLEAN)).ln();
        }
        self.verdict = if self.llr >= Self::SPUN_AT && self.odd >= 5 {
            Some(true)
        } else if self.llr <= Self::CLEAN_AT {
            Some(false)
        } else {
            None
        };
        self.verdict
    }

    fn rate(&self) -> f32 {
        self.odd as f32 / self.scored.max(1) as f32
    }
}

/// Scores a word against its paraphrase-table neighbours: the best
/// candidate's posterior log-odds of being the original.
struct ParaScorer<'a, 't> {
    text: &'t str,
    data: &'a Data,
    lm: &'a dyn ContextModel,
    blocks: &'a [Vec<Word<'t>>],
    covered: &'a std::collections::HashSet<(usize, usize)>,
}

impl<'a> ParaScorer<'a, '_> {
    /// `None` for a word that is not eligible: covered by a lexicon match,
    /// short, a name, too common to be a spinner's choice, or without
    /// neighbours in the table.
    fn best(&self, b: usize, i: usize, max_candidates: usize) -> Option<(f32, &'a str)> {
        let words = &self.blocks[b];
        let w = &words[i];
        if self.covered.contains(&(b, i)) || w.lower.len() < 4 || !w.lower.chars().all(|c| c.is_ascii_lowercase()) {
            return None;
        }
        let written = &self.text[w.span.clone()];
        if case_of(written) != Case::Lower && !w.sentence_start {
            return None; // a name
        }
        let neigh = self.data.paraphrases.get(w.lower.as_ref())?;
        let fw = self.lm.frequency(&w.lower).max(1e-8);
        // Spinners replace plain words with rarer ones; a word this
        // common in clean prose ("became", "means") is the writer's own.
        if fw > PARA_MAX_FREQ {
            return None;
        }
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
            let fc = self.lm.frequency(c).max(1e-8);
            // Spinners swap plain words for rarer ones: a more common
            // candidate is a likelier original.
            let prior = (0.3 * (fc / fw).ln()).clamp(-2.0, 2.0);
            // The spinner picks one of the candidate's neighbours.
            let channel = -(self.data.paraphrases.get(c.as_str()).map_or(10, Vec::len) as f32).ln();
            let d = score(c) - base + prior + REWRITE_ODDS + channel;
            if best.is_none_or(|(bd, _)| d > bd) {
                best = Some((d, c.as_str()));
            }
        }
        best
    }
}

/// A word of a block, with where it is.
#[derive(Debug, Clone)]
struct Word<'t> {
    /// Byte range in the file.
    span: Range<usize>,
    /// Lower-cased, borrowed from the text when it already is.
    lower: std::borrow::Cow<'t, str>,
    run: usize,
    quoted: bool,
    sentence_start: bool,
}

/// Candidate spintax braces; [`protect::spintax`] decides whether they have a spinner's shape.
/// A lexicon match: `len` words from word `first` of block `block`.
struct Cand {
    block: usize,
    first: usize,
    len: usize,
    entry: usize,
}

/// Weak lexicon matches whose original the context prefers: "odd" words
/// the lexicon's own channel finds, independent of the paraphrase table.
fn weak_reversals(cands: &[Cand], blocks: &[Vec<Word<'_>>], data: &Data, lm: &dyn ContextModel) -> usize {
    let mut weak_odd = 0usize;
    for c in cands {
        let e = &data.lexicon.entries[c.entry];
        if e.tier != Tier::Weak {
            continue;
        }
        let words = &blocks[c.block];
        let before: Vec<&str> = words[c.first.saturating_sub(2)..c.first].iter().map(|w| w.lower.as_ref()).collect();
        let end = (c.first + c.len).min(words.len());
        let after: Vec<&str> = words[end..(end + 2).min(words.len())].iter().map(|w| w.lower.as_ref()).collect();
        let seq = |mid: Vec<&str>| -> f32 {
            let v: Vec<&str> = before.iter().copied().chain(mid).chain(after.iter().copied()).collect();
            lm.score(&v, before.len())
        };
        let spun_words: Vec<&str> = words[c.first..end].iter().map(|w| w.lower.as_ref()).collect();
        let orig = lower(&e.original);
        let d = seq(orig.split_whitespace().collect()) - seq(spun_words) + REWRITE_ODDS + data.lexicon.channel(e);
        if d > ODD {
            weak_odd += 1;
        }
    }
    weak_odd
}

static SPINTAX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\{[^{}\n]{1,80}\}").expect("static regex"));

const FUNCTION_WORDS: &[&str] = &[
    "is", "was", "has", "had", "and", "or", "but", "in", "on", "to", "from", "of", "with", "that", "which", "who",
    "as", "at", "by", "for", "will", "would", "could", "should", "can", "may", "might", "must", "remains", "became",
    "declared", "became", "itself", "since", "after", "before", "during", "under", "into", "than", "the", "a", "an",
];

/// Correct one Markdown file (front matter optional).
pub fn check(text: &str, data: &Data, opts: &DocOptions, lm: &dyn ContextModel) -> Report {
    let mut report = Report::default();
    // Prose: front-matter title and description, then the body.
    let mut runs: Vec<Run> = Vec::new();
    let mut body_start = 0;
    if let Ok(split) = crate::content::front_matter::split(std::path::Path::new(""), text) {
        body_start = split.body_start;
        for (i, key) in ["title", "description"].iter().enumerate() {
            if let Some(r) = prose::front_matter_value(text, split.front.clone(), key) {
                runs.extend(prose::value_runs(text, r, usize::MAX - i));
            }
        }
    }
    runs.extend(prose::runs(&text[body_start..], body_start));
    let keep_ranges = keep_ranges(text, &opts.keep);

    // Words per block.
    let mut blocks: Vec<Vec<Word<'_>>> = Vec::new();
    let mut last_block = None;
    let mut in_quote = false;
    for (ri, run) in runs.iter().enumerate() {
        if last_block != Some(run.block) {
            blocks.push(Vec::new());
            last_block = Some(run.block);
            in_quote = false;
        }
        let s = &text[run.range.clone()];
        let mut sentence_start = blocks.last().is_none_or(Vec::is_empty);
        let block = blocks.last_mut().expect("pushed above");
        for t in tokenize(s) {
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
                lower: lower_cow(piece),
                run: ri,
                quoted: in_quote || run.block_quote,
                sentence_start,
            });
            sentence_start = false;
        }
    }
    report.words = blocks.iter().map(Vec::len).sum();

    // Candidate spin matches and the document's evidence.
    let mut cands: Vec<Cand> = Vec::new();
    let (mut strong, mut weak) = (0usize, 0usize);
    // Distinct fingerprint forms: one phrase repeated is one piece of evidence.
    let mut fp_forms: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut block_evidence: Vec<f32> = vec![0.0; blocks.len()];
    // A paragraph is suspect only with a fingerprint in it: strong entries
    // alone ("courtroom", "court docket") have clean readings.
    let mut block_fp: Vec<bool> = vec![false; blocks.len()];
    if opts.spin {
        for (b, words) in blocks.iter().enumerate() {
            let lowers: Vec<&str> = words.iter().map(|w| w.lower.as_ref()).collect();
            for i in 0..words.len() {
                for m in data.lexicon.matches_at(&lowers, i) {
                    let e = &data.lexicon.entries[m.entry];
                    let ws = &words[m.first..m.first + m.len];
                    // One contiguous stretch of text: no punctuation inside a phrase.
                    let contiguous = ws.windows(2).all(|p| {
                        let gap = &text[p[0].span.end..p[1].span.start];
                        gap.chars().all(char::is_whitespace) && !gap.is_empty() || gap == "-"
                    });
                    if !contiguous {
                        continue;
                    }
                    let first_text = &text[ws[0].span.clone()];
                    if e.cased && (case_of(first_text) == Case::Lower || (ws[0].sentence_start && m.len == 1)) {
                        continue;
                    }
                    if !e.cased && case_of(first_text) != Case::Lower && !ws[0].sentence_start && m.len == 1 {
                        // "Home" mid-sentence is a name; a lower-case entry doesn't cover it.
                        continue;
                    }
                    if e.tier == Tier::PhraseBound
                        && !e.context.as_ref().is_some_and(|c| context_covers(&lowers, c, m.first, m.len))
                    {
                        continue;
                    }
                    match e.tier {
                        Tier::Fingerprint => {
                            fp_forms.insert(e.spun.join(" "));
                            block_evidence[b] += 3.0;
                            block_fp[b] = true;
                        }
                        Tier::Strong => {
                            strong += 1;
                            block_evidence[b] += 1.0;
                        }
                        Tier::Weak | Tier::PhraseBound => {
                            weak += 1;
                            block_evidence[b] += 0.2;
                        }
                    }
                    cands.push(Cand { block: b, first: m.first, len: m.len, entry: m.entry });
                }
            }
        }
    }
    // Spintax leftovers in the spinner's shapes (`{a|b}`, `{that a}`); a
    // single word in braces (`{photograph}`, but also a placeholder like
    // `{name}`) is no evidence and is only removed from a spun document.
    let mut spintax: Vec<(Range<usize>, String, Spintax)> = Vec::new();
    let mut brace_forms: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for run in &runs {
        let s = &text[run.range.clone()];
        for m in SPINTAX.find_iter(s) {
            let span = run.range.start + m.start()..run.range.start + m.end();
            let Some((kind, keep)) = protect::spintax(text, span.clone()) else { continue };
            if kind != Spintax::Word {
                brace_forms.insert(&text[span.clone()]);
            }
            spintax.push((span, keep.to_string(), kind));
        }
    }
    report.evidence.braces = brace_forms.len();
    report.evidence.fingerprints = fp_forms.len();
    report.evidence.strong = strong;
    report.evidence.weak = weak;
    let fp = fp_forms.len() + brace_forms.len();
    let per_k = |n: usize| n as f32 * 1000.0 / report.words.max(50) as f32;
    report.spin_score = 3.0 * fp as f32 + per_k(strong) * 0.5 + per_k(weak) * 0.05;
    // The gate needs two pieces of evidence of different kinds (or two
    // distinct fingerprints). Technical prose produces each kind on its own
    // now and then (braces that look like spintax, a word that is also a
    // fingerprint, a run of odd words), never two together.
    let lexicon_kinds =
        usize::from(!brace_forms.is_empty()) + fp_forms.len().min(2) + usize::from(strong >= STRONG_KIND);
    report.spun = opts.assume_spun || lexicon_kinds >= 2;
    let mut weak_odd: Option<usize> = None;

    // Paraphrase evidence: words for which a paraphrase fits the context far
    // better. In a spun text these "odd" words are dense, in clean text rare.
    let covered: std::collections::HashSet<(usize, usize)> =
        cands.iter().flat_map(|c| (c.first..c.first + c.len).map(move |k| (c.block, k))).collect();
    let mut para: Vec<(usize, usize, f32, String)> = Vec::new(); // block, word, delta, candidate
    report.weak_per_k = per_k(weak);
    let para_on = opts.spin && !data.paraphrases.is_empty();
    let scorer = ParaScorer { text, data, lm, blocks: &blocks, covered: &covered };
    // The sequential gate: unless the lexicon already decided, score eligible words
    // in reading order with a few candidates each, and stop as soon as the
    // odd-word rate is clearly that of clean prose or of spun prose. Clean
    // documents cost ~50 scored words whatever their length.
    if para_on && !report.spun {
        let mut gate = Sprt::default();
        'scan: for (b, words) in blocks.iter().enumerate() {
            for (i, w) in words.iter().enumerate() {
                let Some(d) = scorer.best(b, i, GATE_CANDIDATES).map(|x| x.0) else { continue };
                report.gate_scores.push((w.span.clone(), d));
                if gate.push(d > GATE_ODD).is_some() {
                    break 'scan;
                }
            }
        }
        report.gate_odd = (gate.odd, gate.scored);
        let verdict =
            gate.verdict.unwrap_or(report.words >= ODD_MIN_WORDS && gate.odd >= 8 && gate.rate() >= GATE_RATE);
        report.evidence.odd_rate = Some(verdict);
        if verdict {
            report.evidence.weak_reversals = *weak_odd.get_or_insert_with(|| weak_reversals(&cands, &blocks, data, lm));
        }
        let weak_kind = per_k(report.evidence.weak_reversals) >= WEAK_ODD_KIND;
        report.spun = report.spun || lexicon_kinds + usize::from(verdict) + usize::from(weak_kind) >= 2;
    }
    let hint = opts.assume_spun || report.spun || fp >= 1 || strong >= 3 || per_k(strong) >= 3.0;
    if para_on && hint {
        for (b, words) in blocks.iter().enumerate() {
            for (i, w) in words.iter().enumerate() {
                let Some((d, c)) = scorer.best(b, i, 24) else { continue };
                report.para_scores.push((w.span.clone(), d));
                if d > 0.0 {
                    para.push((b, i, d, c.to_string()));
                }
            }
        }
        // Weak lexicon matches that the context prefers reversed are odd too.
        let weak_odd = *weak_odd.get_or_insert_with(|| weak_reversals(&cands, &blocks, data, lm));
        let odd = para.iter().filter(|p| p.2 > ODD).count() + weak_odd;
        report.odd_per_k = per_k(odd);
        if report.words >= ODD_MIN_WORDS && report.odd_per_k >= ODD_GATE {
            report.evidence.odd_rate = Some(true);
            report.evidence.weak_reversals = weak_odd;
            let weak_kind = per_k(weak_odd) >= WEAK_ODD_KIND;
            report.spun = report.spun || lexicon_kinds + usize::from(weak_kind) >= 1;
        }
    }

    // Decide, block by block, left to right; longer and more certain matches first.
    cands.sort_by(|a, b| {
        let (ea, eb) = (&data.lexicon.entries[a.entry], &data.lexicon.entries[b.entry]);
        (a.block, a.first, std::cmp::Reverse(a.len), ea.tier, std::cmp::Reverse(ea.count)).cmp(&(
            b.block,
            b.first,
            std::cmp::Reverse(b.len),
            eb.tier,
            std::cmp::Reverse(eb.count),
        ))
    });
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < cands.len() {
        // All candidates at the same start and length compete.
        let mut j = i;
        while j < cands.len()
            && cands[j].block == cands[i].block
            && cands[j].first == cands[i].first
            && cands[j].len == cands[i].len
        {
            j += 1;
        }
        let c0 = &cands[i];
        let words = &blocks[c0.block];
        let ws = &words[c0.first..c0.first + c0.len];
        let span = ws[0].span.start..ws[ws.len() - 1].span.end;
        if taken.iter().any(|t| t.start < span.end && span.start < t.end) || overlaps(&keep_ranges, &span) {
            i = j;
            continue;
        }
        let quoted = ws.iter().any(|w| w.quoted);
        let para_spun = block_fp[c0.block] && block_evidence[c0.block] >= 4.0;
        let doc_gate = report.spun || para_spun;
        // Entries that cannot be applied or suggested here need no context
        // scoring: this keeps clean documents fast.
        let possible = cands[i..j].iter().any(|c| match data.lexicon.entries[c.entry].tier {
            Tier::Fingerprint => true,
            Tier::Strong => doc_gate,
            Tier::Weak | Tier::PhraseBound => report.spun,
        });
        if !possible {
            i = j;
            continue;
        }
        // Context: two words either side.
        let before: Vec<&str> = words[c0.first.saturating_sub(2)..c0.first].iter().map(|w| w.lower.as_ref()).collect();
        let after: Vec<&str> = words[(c0.first + c0.len).min(words.len())..(c0.first + c0.len + 2).min(words.len())]
            .iter()
            .map(|w| w.lower.as_ref())
            .collect();
        let spun_words: Vec<&str> = ws.iter().map(|w| w.lower.as_ref()).collect();
        let score_of = |mid: &[&str]| {
            let seq: Vec<&str> = before.iter().chain(mid.iter()).chain(after.iter()).copied().collect();
            lm.score(&seq, before.len())
        };
        let spun_score = score_of(&spun_words);
        // Candidates compete on the noisy channel's posterior log-odds:
        // log P(original in context) − log P(spun form in context)
        // + log P(spinner rewrites a word) + log P(this output | original).
        let mut best: Option<(f32, f32, usize)> = None;
        for c in &cands[i..j] {
            let e = &data.lexicon.entries[c.entry];
            let orig_lower = lower(&e.original);
            let orig_words: Vec<&str> = orig_lower.split_whitespace().collect();
            let lm_delta = score_of(&orig_words) - spun_score;
            let posterior = lm_delta + REWRITE_ODDS + data.lexicon.channel(e);
            if best.is_none_or(|(p, _, _)| posterior > p) {
                best = Some((posterior, lm_delta, c.entry));
            }
        }
        let Some((delta, lm_delta, e_idx)) = best else {
            i = j;
            continue;
        };
        let e = &data.lexicon.entries[e_idx];
        // Fingerprints and strong entries are evidence in themselves: the
        // context only has to not object.
        let (apply, suggest, confidence) = match e.tier {
            Tier::Fingerprint => (lm_delta > -6.0, true, 0.95),
            Tier::Strong => (doc_gate && lm_delta > -2.0, doc_gate, 0.8),
            Tier::PhraseBound => (report.spun && lm_delta > -2.0, report.spun, 0.7),
            // Noisy channel: the spinner changes about one word in three and
            // has several outputs per word, so the context must favour the
            // original by a clear margin (about e^2.5) before we apply.
            Tier::Weak => {
                // The more common the spun word is in clean prose, the likelier
                // this occurrence is the writer's own: raise the bar by 1.5 nats
                // per factor of ten above 2 in 100,000 tokens.
                let freq = if ws.len() == 1 { lm.frequency(&ws[0].lower) } else { 0.0 };
                let need = WEAK + 1.5 * (freq / 2e-5).log10().max(0.0);
                (report.spun && delta > need, report.spun && delta > need - 1.5, 0.6)
            }
        };
        let apply = apply && (!quoted || (opts.restore_spun_quotes && report.spun));
        if apply || suggest {
            let written: Vec<&str> = ws.iter().map(|w| &text[w.span.clone()]).collect();
            let mut after_text = if e.cased { e.original.clone() } else { carry_case(&written, &e.original) };
            // A possessive the entry doesn't spell ("Safety Council’s") is kept as written.
            let last = written[written.len() - 1];
            if e.spun.last().is_some_and(|s| possessive_base(&lower(last)) == Some(s.as_str())) {
                let keep = last.char_indices().rev().nth(1).map_or(last.len(), |(k, _)| k);
                let mark = &last[keep..];
                // A plural original takes the apostrophe alone ("both sides’").
                let mark = if after_text.ends_with('s') { mark.trim_end_matches(['s', 'S']) } else { mark };
                after_text.push_str(mark);
            }
            let mut span = span.clone();
            // Keep "a"/"an" right before the change agreeing with the new word.
            if c0.first > 0 {
                let art = &words[c0.first - 1];
                let gap = &text[art.span.end..span.start];
                if (art.lower == "a" || art.lower == "an")
                    && gap.chars().all(char::is_whitespace)
                    && art.run == ws[0].run
                {
                    let want = if starts_with_vowel_sound(&after_text) { "an" } else { "a" };
                    if want != art.lower {
                        let art_text = &text[art.span.clone()];
                        let fixed = with_case(want, case_of(art_text));
                        after_text = format!("{fixed}{gap}{after_text}");
                        span = art.span.start..span.end;
                    }
                }
            }
            let before_text = text[span.clone()].to_string();
            if before_text != after_text {
                let rule = match e.tier {
                    Tier::Fingerprint => "spin/fingerprint",
                    Tier::Strong | Tier::PhraseBound => "spin/strong",
                    Tier::Weak => "spin/weak",
                };
                let why = format!(
                    "spinner output “{}” for “{}” ({} {}, {}{})",
                    e.spun_text,
                    e.original,
                    e.source,
                    e.tier.name(),
                    if report.spun {
                        "document looks spun"
                    } else if para_spun {
                        "paragraph looks spun"
                    } else {
                        "no other spin evidence"
                    },
                    if quoted { "; inside a quotation" } else { "" },
                );
                report.changes.push(Change {
                    span: span.clone(),
                    before: before_text,
                    after: after_text,
                    rule,
                    confidence,
                    applied: apply,
                    reason: why,
                });
                taken.push(span);
            }
        }
        i = j;
    }
    // Paraphrase restorations, where the lexicon had nothing to say.
    if report.spun {
        for (b, i, delta, cand) in &para {
            let w = &blocks[*b][*i];
            if w.quoted && !opts.restore_spun_quotes {
                continue;
            }
            let common = lm.frequency(&w.lower) > COMMON;
            let apply = *delta > PARA_APPLY && !common;
            let suggest = *delta > PARA_SUGGEST;
            if !(apply || suggest) {
                continue;
            }
            let written = &text[w.span.clone()];
            push_unique(
                &mut report,
                &mut taken,
                &keep_ranges,
                Change {
                    before: written.to_string(),
                    after: with_case(cand, case_of(written)),
                    span: w.span.clone(),
                    rule: "spin/paraphrase",
                    confidence: 0.5,
                    applied: apply,
                    reason: format!("“{cand}” fits the context better (paraphrase table; document looks spun)"),
                },
            );
        }
    }
    for (span, first, kind) in spintax {
        if kind == Spintax::Word && !report.spun {
            continue;
        }
        push_unique(
            &mut report,
            &mut taken,
            &keep_ranges,
            Change {
                before: text[span.clone()].to_string(),
                after: first,
                span,
                rule: "spin/spintax",
                confidence: 0.9,
                applied: true,
                reason: "spintax left over by an article spinner: `{…}` is not prose".into(),
            },
        );
    }

    // House style and spelling, outside quotations.
    let mut house_index: HashMap<&str, Vec<&HouseRule>> = HashMap::new();
    for rule in &data.house {
        house_index.entry(rule.wrong[0].as_str()).or_default().push(rule);
    }
    for words in &blocks {
        let lowers: Vec<&str> = words.iter().map(|w| w.lower.as_ref()).collect();
        for (i, w) in words.iter().enumerate() {
            if w.quoted {
                continue;
            }
            if opts.house_style {
                for &rule in house_index.get(lowers[i]).map_or(&[][..], Vec::as_slice) {
                    let n = rule.wrong.len();
                    if i + n > words.len() || !lowers[i..i + n].iter().zip(&rule.wrong).all(|(a, b)| *a == b) {
                        continue;
                    }
                    let span = w.span.start..words[i + n - 1].span.end;
                    let written = &text[span.clone()];
                    // Case-sensitive on the first letter: "kiev" in a URL-ish
                    // lower-case word is not the city.
                    if case_of(written) == Case::Lower && case_of(&rule.wrong_text) != Case::Lower {
                        continue;
                    }
                    if rule.except.iter().any(|ex| context_covers(&lowers, ex, i, n)) {
                        continue;
                    }
                    if rule.before_function_word {
                        let next = lowers.get(i + n).copied();
                        let gap_punct =
                            words.get(i + n).is_none_or(|nx| !text[span.end..nx.span.start].trim().is_empty());
                        if !(gap_punct || next.is_some_and(|x| FUNCTION_WORDS.contains(&x))) {
                            continue;
                        }
                    }
                    let after = if case_of(written) == Case::Title && case_of(&rule.right) == Case::Lower {
                        with_case(&rule.right, Case::Title)
                    } else {
                        rule.right.clone()
                    };
                    push_unique(
                        &mut report,
                        &mut taken,
                        &keep_ranges,
                        Change {
                            before: written.to_string(),
                            after,
                            span,
                            rule: "house-style",
                            confidence: 0.9,
                            applied: true,
                            reason: format!("house style: “{}”, not “{}”", rule.right, rule.wrong_text),
                        },
                    );
                }
            }
            if opts.spelling
                && let Some(right) = data.spelling.get(w.lower.as_ref())
            {
                let written = &text[w.span.clone()];
                push_unique(
                    &mut report,
                    &mut taken,
                    &keep_ranges,
                    Change {
                        before: written.to_string(),
                        after: with_case(right, case_of(written)),
                        span: w.span.clone(),
                        rule: "spelling",
                        confidence: 0.9,
                        applied: true,
                        reason: format!("known misspelling of “{right}”"),
                    },
                );
            }
            if let Some(style) = &opts.us_style {
                let written = &text[w.span.clone()];
                let next_dot = text[w.span.end..].starts_with('.');
                if written == "U" && style == "US" && text[w.span.start..].starts_with("U.S.") {
                    let span = w.span.start..w.span.start + 4;
                    push_unique(
                        &mut report,
                        &mut taken,
                        &keep_ranges,
                        Change {
                            before: "U.S.".into(),
                            after: "US".into(),
                            span,
                            rule: "house-style",
                            confidence: 0.9,
                            applied: true,
                            reason: "house style: “US”".into(),
                        },
                    );
                } else if written == "US" && style == "U.S." && !next_dot {
                    push_unique(
                        &mut report,
                        &mut taken,
                        &keep_ranges,
                        Change {
                            before: "US".into(),
                            after: "U.S.".into(),
                            span: w.span.clone(),
                            rule: "house-style",
                            confidence: 0.9,
                            applied: true,
                            reason: "house style: “U.S.”".into(),
                        },
                    );
                }
            }
        }
    }

    // Typography last: it never overlaps a word change.
    if opts.typography {
        for run in &runs {
            let s = &text[run.range.clone()];
            for e in typography::edits(s, &opts.lang) {
                let span = run.range.start + e.range.start..run.range.start + e.range.end;
                push_unique(
                    &mut report,
                    &mut taken,
                    &keep_ranges,
                    Change {
                        before: text[span.clone()].to_string(),
                        after: e.after,
                        span,
                        rule: "typography",
                        confidence: 1.0,
                        applied: true,
                        reason: e.why.to_string(),
                    },
                );
            }
        }
    }
    report.changes.sort_by_key(|c| c.span.start);
    report
}

fn push_unique(report: &mut Report, taken: &mut Vec<Range<usize>>, keep: &[Range<usize>], c: Change) {
    if taken.iter().any(|t| t.start < c.span.end && c.span.start < t.end) || overlaps(keep, &c.span) {
        return;
    }
    taken.push(c.span.clone());
    report.changes.push(c);
}

fn overlaps(ranges: &[Range<usize>], span: &Range<usize>) -> bool {
    ranges.iter().any(|k| k.start < span.end && span.start < k.end)
}

/// Where the phrases of `keep` occur (case-insensitive, whole words).
fn keep_ranges(text: &str, keep: &[String]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for k in keep {
        if k.trim().is_empty() {
            continue;
        }
        let Ok(re) = Regex::new(&format!(r"(?i)\b{}\b", regex::escape(k.trim()))) else { continue };
        out.extend(re.find_iter(text).map(|m| m.range()));
    }
    out
}

fn lower_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| c.is_uppercase() || c == '’') {
        std::borrow::Cow::Owned(lower(s))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn starts_with_vowel_sound(word: &str) -> bool {
    let w = word.to_lowercase();
    if ["uni", "use", "usu", "eu", "one", "once", "ukr", "ura", "uti"].iter().any(|p| w.starts_with(p)) {
        return false;
    }
    if ["hour", "honest", "honou", "honor", "heir"].iter().any(|p| w.starts_with(p)) {
        return true;
    }
    w.starts_with(['a', 'e', 'i', 'o', 'u'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Data {
        let mut lexicon = Lexicon::default();
        lexicon
            .add_tsv(
                "t.tsv",
                "Chilly Warfare\tCold War\tfingerprint\nessentially the most\tthe most\tfingerprint\novert\tobvious\tstrong\nmentioned\tsaid\tweak\n",
                "test",
            )
            .unwrap();
        let house = vec![HouseRule {
            wrong: vec!["kiev".into()],
            wrong_text: "Kiev".into(),
            right: "Kyiv".into(),
            except: vec![vec!["chicken".into(), "kiev".into()]],
            before_function_word: false,
        }];
        let spelling = [("goverment".to_string(), "government".to_string())].into_iter().collect();
        Data { lexicon, house, spelling, paraphrases: HashMap::new() }
    }

    fn fixed(text: &str) -> String {
        let r = check(text, &data(), &DocOptions::default(), &Flat);
        super::super::apply(text, &r.changes)
    }

    #[test]
    fn fingerprints_are_restored_with_case() {
        assert_eq!(fixed("After the Chilly Warfare ended."), "After the Cold War ended.");
        // One fingerprint makes its paragraph suspect, so the strong entry applies too.
        assert_eq!(fixed("It is essentially the most overt case."), "It is the most obvious case.");
    }

    #[test]
    fn weak_entries_need_a_spun_document() {
        assert_eq!(fixed("She mentioned it in passing."), "She mentioned it in passing.");
    }

    #[test]
    fn house_style_with_exceptions_and_quotes() {
        assert_eq!(fixed("Talks in Kiev, over Chicken Kiev."), "Talks in Kyiv, over Chicken Kiev.");
        assert_eq!(fixed("He wrote \"Kiev\" in 1991."), "He wrote “Kiev” in 1991.");
        assert_eq!(fixed("The goverment fell."), "The government fell.");
    }

    #[test]
    fn code_and_spintax() {
        assert_eq!(fixed("Use `Chilly Warfare` here {that a} way."), "Use `Chilly Warfare` here that a way.");
    }

    #[test]
    fn article_agrees_with_new_word() {
        let mut lx = Lexicon::default();
        lx.add_tsv(
            "t.tsv",
            "brand new pact\tnew pact\tfingerprint\nhand-picked poll\ttiebreaking ballot\tfingerprint\n",
            "t",
        )
        .unwrap();
        let d = Data { lexicon: lx, ..Default::default() };
        let t = "They held a hand-picked poll.";
        let r = check(t, &d, &DocOptions::default(), &Flat);
        assert_eq!(super::super::apply(t, &r.changes), "They held a tiebreaking ballot.");
    }

    #[test]
    fn sequential_gate_settles_clean_quickly_and_needs_several_odd_words() {
        // Clean prose: an odd word now and then; the test says "clean" early.
        let mut clean = Sprt::default();
        let verdict = (0..200).map(|k| k % 40 == 7).find_map(|odd| clean.push(odd));
        assert_eq!(verdict, Some(false));
        assert!(clean.scored < 60, "took {} words", clean.scored);
        // Spun prose: one word in six is odd; the test says "spun".
        let mut spun = Sprt::default();
        let verdict = (0..200).map(|k| k % 6 == 0).find_map(|odd| spun.push(odd));
        assert_eq!(verdict, Some(true));
        // Four odd words in a row are not enough on their own.
        let mut few = Sprt::default();
        assert!((0..4).all(|_| few.push(true).is_none()));
    }

    #[test]
    fn one_kind_of_evidence_does_not_open_the_gate() {
        let d = data();
        let opts = DocOptions::default();
        // Braces alone, however many: not spun.
        let braces = "It was {that a} case and {the|a} deal, with {so it} goes on.";
        let r = check(braces, &d, &opts, &Flat);
        assert_eq!(r.evidence.braces, 3);
        assert!(!r.spun);
        // One fingerprint alone: restored, but the document is not judged spun.
        assert!(!check("After the Chilly Warfare ended.", &d, &opts, &Flat).spun);
        // Braces and a fingerprint together: spun.
        let both = format!("{braces} After the Chilly Warfare ended.");
        assert!(check(&both, &d, &opts, &Flat).spun);
    }

    #[test]
    fn tex_braces_are_neither_spintax_nor_evidence() {
        let t = "The sum $\\sum_{i=1}^{n} x_i$ and {n+1 \\choose k} and \\begin{align*} x \\end{align*}.";
        let r = check(t, &data(), &DocOptions::default(), &Flat);
        assert_eq!(r.evidence, Evidence::default());
        assert!(r.changes.is_empty(), "{:?}", r.changes);
    }

    #[test]
    fn keep_list_protects() {
        let opts = DocOptions { keep: vec!["Chilly Warfare".into()], ..Default::default() };
        let t = "The Chilly Warfare exhibition.";
        let r = check(t, &data(), &opts, &Flat);
        assert!(r.changes.is_empty(), "{:?}", r.changes);
    }
}
