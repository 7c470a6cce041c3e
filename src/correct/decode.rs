//! Stage 5: the decoder. Chooses, among the lattice's candidates, which
//! restorations to apply and which only to suggest.
//!
//! Candidates compete on the noisy channel's posterior log-odds:
//! log P(original in context) − log P(spun form in context)
//! + log P(spinner rewrites a word) + log P(this output | original).

use super::engine::{COMMON, ContextModel, Data, DocOptions, REWRITE_ODDS};
use super::gate::ParaCand;
use std::ops::Range;

use super::lattice::{Cand, Lattice};
use super::lexicon::{Entry, Tier};
use super::protect::Spintax;
use super::repair;
use super::report::{Change, Claims, Report};
use super::tokens::Block;
use super::words::{carry_case, case_of, lower, with_case};

/// Posterior log-odds a paraphrase needs to be applied / suggested. High: the
/// paraphrase table is a weak channel, and a wrong "restoration" damages prose.
const PARA_APPLY: f32 = 6.0;
const PARA_SUGGEST: f32 = 4.0;
/// Posterior log-odds a weak lexicon entry needs (more for very common words).
const WEAK: f32 = 0.5;

/// What the decoder works on.
pub struct Ctx<'a, 't> {
    pub text: &'t str,
    pub blocks: &'a [Block<'t>],
    pub lattice: &'a Lattice,
    pub data: &'a Data,
    pub lm: &'a dyn ContextModel,
    pub opts: &'a DocOptions,
    /// The gate's verdict.
    pub spun: bool,
}

/// What a lattice arc puts in place of its words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Restore<'a> {
    /// The words as written ("leave it").
    Keep,
    /// A lexicon entry's original.
    Entry(usize),
    /// A paraphrase-table neighbour.
    Paraphrase(&'a str),
}

/// One arc of a sentence lattice: `len` words from word `first` (block
/// indices) replaced by `tokens`, with the channel's log-odds `bonus` for the
/// replacement (0 for "leave it").
#[derive(Debug, Clone)]
struct Arc<'a> {
    first: usize,
    len: usize,
    tokens: Vec<String>,
    restore: Restore<'a>,
    bonus: f32,
    /// May be applied (quotations in a document whose quotes stay verbatim may not).
    may_apply: bool,
    /// How far below the best reading it may score and still be suggested.
    slack: f32,
    confidence: f32,
}

/// The decoder's choice for one stretch of words.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<'a> {
    pub block: usize,
    pub first: usize,
    pub len: usize,
    pub restore: Restore<'a>,
    pub applied: bool,
    pub confidence: f32,
    /// Log-odds of the best reading with this restoration against the best without it.
    pub margin: f32,
}

/// Beam width per lattice position: readings with the same last two words merge.
const BEAM: usize = 8;
/// Words after a sentence that still score its last choices.
const LOOKAHEAD: usize = 2;

/// Longest stretch decoded at once: a "sentence" with no full stop (a
/// list, a 10 MB paragraph) is decoded in pieces, so that the margins,
/// which rescore the stretch once per candidate, stay linear.
const MAX_PIECE: usize = 64;

/// `r` in pieces of at most `max` words.
fn pieces(r: Range<usize>, max: usize) -> impl Iterator<Item = Range<usize>> {
    r.clone().step_by(max).map(move |s| s..(s + max).min(r.end))
}

/// Decide on every lexicon and paraphrase candidate, sentence by sentence:
/// the best reading of the whole sentence under the context model plus the
/// channel, then each restoration's margin over the best reading without it.
/// Applied restorations become changes first, then suggestions.
pub fn restore<'a>(ctx: &Ctx<'a, '_>, para: &'a [ParaCand], claims: &mut Claims, report: &mut Report) {
    let mut by_block: Vec<Vec<&Cand>> = vec![Vec::new(); ctx.blocks.len()];
    // Only candidates that can become arcs here: a block whose candidates
    // all need a verdict this document did not get (weak entries in clean
    // prose, most of them) has nothing to decide.
    for c in ctx.lattice.cands.iter().filter(|c| arc_allowed(ctx, c)) {
        by_block[c.block].push(c);
    }
    let mut para_by_block: Vec<Vec<&'a ParaCand>> = vec![Vec::new(); ctx.blocks.len()];
    if ctx.spun {
        for p in para {
            para_by_block[p.block].push(p);
        }
    }
    let mut decisions: Vec<Decision<'a>> = Vec::new();
    for (b, words) in ctx.blocks.iter().enumerate() {
        if by_block[b].is_empty() && para_by_block[b].is_empty() {
            continue;
        }
        let mut hist: Vec<String> = Vec::new();
        let pieces = super::tokens::sentences(words).into_iter().flat_map(|s| pieces(s, MAX_PIECE));
        for sentence in pieces {
            let arcs = sentence_arcs(ctx, b, sentence.clone(), &by_block[b], &para_by_block[b], claims);
            decide_sentence(ctx, b, sentence, &arcs, &mut hist, &mut decisions);
        }
    }
    decisions.sort_by(|x, y| {
        (!x.applied, -x.margin).partial_cmp(&(!y.applied, -y.margin)).unwrap_or(std::cmp::Ordering::Equal)
    });
    for d in &decisions {
        let change = decision_change(ctx, d);
        if change.before != change.after {
            claims.push(report, change);
        }
    }
}

/// The arcs of one sentence: "leave it" for every word (and the lookahead),
/// then every candidate that may be applied or suggested here.
fn sentence_arcs<'a>(
    ctx: &Ctx<'a, '_>,
    b: usize,
    sentence: Range<usize>,
    cands: &[&Cand],
    para: &[&'a ParaCand],
    claims: &Claims,
) -> Vec<Arc<'a>> {
    let words = &ctx.blocks[b];
    let end = (sentence.end + LOOKAHEAD).min(words.len());
    let mut arcs: Vec<Arc<'a>> = (sentence.start..end)
        .map(|i| Arc {
            first: i,
            len: 1,
            tokens: vec![words[i].lower.to_string()],
            restore: Restore::Keep,
            bonus: 0.0,
            may_apply: true,
            slack: 0.0,
            confidence: 1.0,
        })
        .collect();
    let inside = |first: usize, len: usize| {
        let span = words[first].span.start..words[first + len - 1].span.end;
        first >= sentence.start && first + len <= sentence.end && claims.free(&span)
    };
    for c in cands.iter().filter(|c| inside(c.first, c.len)) {
        arcs.extend(entry_arc(ctx, c));
    }
    for p in para.iter().filter(|p| inside(p.word, 1)) {
        arcs.extend(para_arc(ctx, p));
    }
    arcs
}

/// A lexicon candidate as an arc, if its tier allows it here. The bonus is
/// the channel's log-odds less the tier's bar, so that alone in its context
/// it is applied exactly when the context clears that bar: fingerprints and
/// strong entries are evidence in themselves (the context only has to not
/// object), weak entries need the context to favour the original.
fn entry_arc<'a>(ctx: &Ctx<'a, '_>, c: &Cand) -> Option<Arc<'a>> {
    let e = &ctx.data.lexicon.entries[c.entry];
    let words = &ctx.blocks[c.block][c.first..c.first + c.len];
    let doc_gate = ctx.spun || ctx.lattice.paragraph_spun(c.block);
    let (bonus, slack, confidence) = match e.tier {
        Tier::Fingerprint => (6.0, f32::INFINITY, 0.95),
        Tier::Strong if doc_gate => (2.0, f32::INFINITY, 0.8),
        Tier::PhraseBound if ctx.spun => (2.0, f32::INFINITY, 0.7),
        Tier::Weak if ctx.spun => {
            // The more common the spun word is in clean prose, the likelier
            // this occurrence is the writer's own: 1.5 nats more per factor
            // of ten above 2 in 100,000 tokens.
            let freq = if words.len() == 1 { ctx.lm.frequency(&words[0].lower) } else { 0.0 };
            let need = WEAK + 1.5 * (freq / 2e-5).log10().max(0.0);
            (REWRITE_ODDS + ctx.data.lexicon.channel(e) - need, 1.5, 0.6)
        }
        _ => return None,
    };
    let quoted = words.iter().any(|w| w.quoted);
    Some(Arc {
        first: c.first,
        len: c.len,
        tokens: lower(&e.original).split_whitespace().map(str::to_string).collect(),
        restore: Restore::Entry(c.entry),
        bonus,
        may_apply: !quoted || (ctx.opts.restore_spun_quotes && ctx.spun),
        slack,
        confidence,
    })
}

/// Whether a lexicon candidate's tier lets it compete at all: fingerprints
/// anywhere, strong entries in a spun document or paragraph, weak and
/// phrase-bound ones in a spun document.
fn arc_allowed(ctx: &Ctx<'_, '_>, c: &Cand) -> bool {
    match ctx.data.lexicon.entries[c.entry].tier {
        Tier::Fingerprint => true,
        Tier::Strong => ctx.spun || ctx.lattice.paragraph_spun(c.block),
        Tier::PhraseBound | Tier::Weak => ctx.spun,
    }
}

/// A paraphrase candidate as an arc (the gate only passes them for a spun
/// document): its bar is high, and a very common word is never replaced
/// automatically.
fn para_arc<'a>(ctx: &Ctx<'a, '_>, p: &'a ParaCand) -> Option<Arc<'a>> {
    let w = &ctx.blocks[p.block][p.word];
    if w.quoted && !ctx.opts.restore_spun_quotes {
        return None;
    }
    let fw = ctx.lm.frequency(&w.lower).max(1e-8);
    let channel = super::paraphrase::channel(ctx.data, ctx.lm, &p.cand, fw);
    Some(Arc {
        first: p.word,
        len: 1,
        tokens: vec![p.cand.clone()],
        restore: Restore::Paraphrase(&p.cand),
        bonus: channel - PARA_APPLY,
        may_apply: ctx.lm.frequency(&w.lower) <= COMMON,
        slack: PARA_APPLY - PARA_SUGGEST,
        confidence: 0.5,
    })
}

/// Decode one sentence and record its decisions; `hist` carries the
/// decoded words into the next sentence.
fn decide_sentence<'a>(
    ctx: &Ctx<'a, '_>,
    b: usize,
    sentence: Range<usize>,
    arcs: &[Arc<'a>],
    hist: &mut Vec<String>,
    out: &mut Vec<Decision<'a>>,
) {
    let n_keep = arcs.iter().take_while(|a| a.restore == Restore::Keep).count();
    if n_keep == arcs.len() {
        hist.extend(arcs[..sentence.len()].iter().map(|a| a.tokens[0].clone()));
        return;
    }
    let h: Vec<&str> = hist.iter().rev().take(2).rev().map(String::as_str).collect();
    let best = viterbi(ctx.lm, &h, arcs, sentence.start, sentence.start + n_keep);
    let best_score = path_score(ctx.lm, &h, arcs, &best);
    for (k, arc) in arcs.iter().enumerate().skip(n_keep) {
        let on_path = best.contains(&k);
        let alt = with_arc(arcs, &best, k, !on_path, sentence.start);
        let alt_score = path_score(ctx.lm, &h, arcs, &alt);
        let margin = if on_path { best_score - alt_score } else { alt_score - best_score };
        let applied = on_path && arc.may_apply && margin > 0.0;
        if applied || margin > -arc.slack {
            out.push(Decision {
                block: b,
                first: arc.first,
                len: arc.len,
                restore: arc.restore,
                applied,
                confidence: arc.confidence,
                margin,
            });
        }
    }
    for &k in &best {
        if arcs[k].first < sentence.end {
            hist.extend(arcs[k].tokens.iter().cloned());
        }
    }
}

/// `path` with arc `k` put in (`insert`) or taken out, the words it
/// overlaps read as written.
fn with_arc(arcs: &[Arc<'_>], path: &[usize], k: usize, insert: bool, start: usize) -> Vec<usize> {
    let (f, l) = (arcs[k].first, arcs[k].first + arcs[k].len);
    let mut out: Vec<usize> = Vec::with_capacity(path.len() + 2);
    let mut placed = false;
    for &p in path {
        let a = &arcs[p];
        if a.first + a.len <= f || a.first >= l {
            if a.first >= l && insert && !placed {
                out.push(k);
                placed = true;
            }
            out.push(p);
            continue;
        }
        // Overlapping: its words not covered by `k` (or all of them, when
        // `k` is taken out) read as written.
        for i in a.first..a.first + a.len {
            if !(insert && (f..l).contains(&i)) {
                out.push(i - start);
            } else if !placed {
                out.push(k);
                placed = true;
            }
        }
    }
    if insert && !placed {
        out.push(k);
    }
    out
}

/// The score of a reading: the context model over its words plus the channel.
fn path_score(lm: &dyn ContextModel, hist: &[&str], arcs: &[Arc<'_>], path: &[usize]) -> f32 {
    let mut h: Vec<&str> = hist.to_vec();
    let mut total = 0.0;
    for &k in path {
        total += arcs[k].bonus;
        for t in &arcs[k].tokens {
            total += next_word(lm, &h, t);
            h.push(t);
        }
    }
    total
}

/// Log-probability of `w` after the last two words of `h`.
fn next_word(lm: &dyn ContextModel, h: &[&str], w: &str) -> f32 {
    match h {
        [.., a, b] => lm.score(&[a, b, w], 2),
        [b] => lm.score(&[b, w], 1),
        [] => lm.score(&[w], 0),
    }
}

/// A partial reading in the beam.
#[derive(Clone)]
struct State<'s> {
    h: [&'s str; 2],
    n_hist: usize,
    score: f32,
    /// (position, state index there, arc) it came from.
    back: Option<(usize, usize, usize)>,
}

/// The best reading of positions `start..end` (block word indices) as arc
/// indices in order: a beam search whose states are the last two words.
fn viterbi(lm: &dyn ContextModel, hist: &[&str], arcs: &[Arc<'_>], start: usize, end: usize) -> Vec<usize> {
    let n = end - start;
    let mut from_pos: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, a) in arcs.iter().enumerate() {
        if a.may_apply || a.restore == Restore::Keep {
            from_pos[a.first - start].push(k);
        }
    }
    let h0 = [hist.first().copied().unwrap_or(""), hist.get(1).copied().unwrap_or("")];
    let h0 = if hist.len() == 1 { ["", hist[0]] } else { h0 };
    let mut beams: Vec<Vec<State<'_>>> = vec![Vec::new(); n + 1];
    beams[0].push(State { h: h0, n_hist: hist.len().min(2), score: 0.0, back: None });
    for pos in 0..n {
        let beam = std::mem::take(&mut beams[pos]);
        for (si, st) in beam.iter().enumerate() {
            for &k in &from_pos[pos] {
                let a = &arcs[k];
                let next = a.first + a.len - start;
                if next > n {
                    continue;
                }
                let mut s = State { back: Some((pos, si, k)), score: st.score + a.bonus, ..st.clone() };
                for t in &a.tokens {
                    let h: &[&str] = &s.h[2 - s.n_hist..];
                    s.score += next_word(lm, h, t);
                    s.h = [s.h[1], t.as_str()];
                    s.n_hist = (s.n_hist + 1).min(2);
                }
                merge(&mut beams[next], s);
            }
        }
        beams[pos] = beam;
    }
    let mut path = Vec::new();
    let Some(mut cur) = beams[n].iter().max_by(|x, y| x.score.total_cmp(&y.score)).and_then(|s| s.back) else {
        return (0..n).collect();
    };
    loop {
        path.push(cur.2);
        match beams[cur.0][cur.1].back {
            Some(b) => cur = b,
            None => break,
        }
    }
    path.reverse();
    path
}

/// Add a state to a beam: same last two words keep the better; the beam
/// keeps its best [`BEAM`].
fn merge<'s>(beam: &mut Vec<State<'s>>, s: State<'s>) {
    if let Some(o) = beam.iter_mut().find(|o| o.h == s.h && o.n_hist == s.n_hist) {
        if s.score > o.score {
            *o = s;
        }
        return;
    }
    beam.push(s);
    if beam.len() > BEAM {
        let worst = beam.iter().enumerate().min_by(|x, y| x.1.score.total_cmp(&y.1.score)).map_or(0, |w| w.0);
        beam.swap_remove(worst);
    }
}

/// The change a decision makes, repaired and explained.
fn decision_change(ctx: &Ctx<'_, '_>, d: &Decision<'_>) -> Change {
    match d.restore {
        Restore::Entry(entry) => lexicon_change(ctx, d, entry),
        Restore::Paraphrase(cand) => para_change(ctx, d, cand),
        Restore::Keep => para_change(ctx, d, ""),
    }
}

/// A paraphrase restoration as a change (none for "leave it").
fn para_change(ctx: &Ctx<'_, '_>, d: &Decision<'_>, cand: &str) -> Change {
    let w = &ctx.blocks[d.block][d.first];
    let written = &ctx.text[w.span.clone()];
    Change {
        before: written.to_string(),
        after: if cand.is_empty() { written.to_string() } else { with_case(cand, case_of(written)) },
        span: w.span.clone(),
        rule: "spin/paraphrase",
        confidence: d.confidence,
        applied: d.applied,
        reason: format!("“{cand}” fits the context better (paraphrase table; document looks spun)"),
    }
}

/// The change a lexicon decision makes, repaired and explained.
fn lexicon_change(ctx: &Ctx<'_, '_>, d: &Decision<'_>, entry: usize) -> Change {
    let e = &ctx.data.lexicon.entries[entry];
    let words = &ctx.blocks[d.block];
    let ws = &words[d.first..d.first + d.len];
    let written: Vec<&str> = ws.iter().map(|w| &ctx.text[w.span.clone()]).collect();
    let mut after = if e.cased { e.original.clone() } else { carry_case(&written, &e.original) };
    repair::keep_hyphens(ctx.text, ws, &mut after);
    if let (Some(last), Some(spun_last)) = (written.last(), e.spun.last()) {
        repair::keep_possessive(last, spun_last, &mut after);
    }
    let span = ws[0].span.start..ws[ws.len() - 1].span.end;
    let r = repair::agree_article(ctx.text, words, d.first, span, after);
    Change {
        before: ctx.text[r.span.clone()].to_string(),
        after: r.after,
        span: r.span,
        rule: rule_of(e.tier),
        confidence: d.confidence,
        applied: d.applied,
        reason: lexicon_reason(ctx, e, d, ws.iter().any(|w| w.quoted)),
    }
}

fn rule_of(tier: Tier) -> &'static str {
    match tier {
        Tier::Fingerprint => "spin/fingerprint",
        Tier::Strong | Tier::PhraseBound => "spin/strong",
        Tier::Weak => "spin/weak",
    }
}

/// Why a lexicon restoration: the entry, its source and tier, the gate.
fn lexicon_reason(ctx: &Ctx<'_, '_>, e: &Entry, d: &Decision<'_>, quoted: bool) -> String {
    let gate = if ctx.spun {
        "document looks spun"
    } else if ctx.lattice.paragraph_spun(d.block) {
        "paragraph looks spun"
    } else {
        "no other spin evidence"
    };
    let inserted = if e.inserted() { "; the spinner inserted words" } else { "" };
    format!(
        "spinner output “{}” for “{}” ({} {}, {gate}{inserted}{})",
        e.spun_text,
        e.original,
        e.source,
        e.tier.name(),
        if quoted { "; inside a quotation" } else { "" },
    )
}

/// Spintax leftovers: the braces go, the first option stays. A single word
/// in braces only in a spun document (it may be a placeholder).
pub fn spintax(ctx: &Ctx<'_, '_>, claims: &mut Claims, report: &mut Report) {
    for s in &ctx.lattice.spintax {
        if s.kind == Spintax::Word && !ctx.spun {
            continue;
        }
        let change = Change {
            before: ctx.text[s.span.clone()].to_string(),
            after: s.keep.clone(),
            span: s.span.clone(),
            rule: "spin/spintax",
            confidence: 0.9,
            applied: true,
            reason: "spintax left over by an article spinner: `{…}` is not prose".into(),
        };
        claims.push(report, change);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correct::engine::{Data, DocOptions, check};
    use crate::correct::lexicon::Lexicon;

    /// A context model that knows a few bigrams and finds everything else unlikely.
    struct Bigrams(&'static [(&'static str, &'static str)]);

    impl ContextModel for Bigrams {
        fn score(&self, words: &[&str], from: usize) -> f32 {
            (from.max(1)..words.len())
                .map(|i| if self.0.contains(&(words[i - 1], words[i])) { -1.0 } else { -4.0 })
                .sum()
        }
        fn frequency(&self, _: &str) -> f32 {
            0.0
        }
    }

    fn data() -> Data {
        let mut lexicon = Lexicon::default();
        lexicon.add_tsv("t.tsv", "home\thouse\tweak\ninvoice\tbill\tweak\nbrand new\tnew\tstrong\n", "t").unwrap();
        Data { lexicon, ..Default::default() }
    }

    fn fixed(text: &str, lm: &dyn ContextModel) -> String {
        let opts = DocOptions { assume_spun: true, ..Default::default() };
        let r = check(text, &data(), &opts, lm);
        crate::correct::apply(text, &r.changes)
    }

    #[test]
    fn neighbours_are_restored_together() {
        // Each word alone gains nothing ("house invoice", "home bill" are as
        // unlikely as "home invoice"); together "house bill" is a phrase.
        let lm = Bigrams(&[("the", "house"), ("the", "home"), ("house", "bill")]);
        assert_eq!(fixed("They passed the home invoice today.", &lm), "They passed the house bill today.");
        // Without the phrase, nothing changes.
        let lm = Bigrams(&[("the", "house"), ("the", "home")]);
        assert_eq!(fixed("They passed the home invoice today.", &lm), "They passed the home invoice today.");
    }

    #[test]
    fn insertions_are_deleted_and_the_article_agrees() {
        let lm = Bigrams(&[]);
        assert_eq!(fixed("It is a brand new idea.", &lm), "It is a new idea.");
        assert!(data().lexicon.entries[2].inserted());
        assert!(!data().lexicon.entries[0].inserted());
    }

    #[test]
    fn long_sentences_are_decoded_in_pieces() {
        let p: Vec<Range<usize>> = pieces(3..140, 64).collect();
        assert_eq!(p, vec![3..67, 67..131, 131..140]);
        let text = format!("{}.", "the home invoice ".repeat(500));
        let lm = Bigrams(&[("the", "house"), ("the", "home"), ("house", "bill")]);
        assert!(fixed(&text, &lm).starts_with("the house bill the house bill"));
    }

    #[test]
    fn taking_an_arc_out_and_putting_one_in() {
        let keep = |i: usize| Arc {
            first: i,
            len: 1,
            tokens: vec![format!("w{i}")],
            restore: Restore::Keep,
            bonus: 0.0,
            may_apply: true,
            slack: 0.0,
            confidence: 1.0,
        };
        let mut arcs: Vec<Arc<'_>> = (10..14).map(keep).collect();
        arcs.push(Arc { first: 11, len: 2, restore: Restore::Entry(0), ..keep(11) });
        arcs.push(Arc { first: 12, len: 1, restore: Restore::Entry(1), ..keep(12) });
        // Best path: w10, [11-12], w13. Take the phrase out: all written.
        assert_eq!(with_arc(&arcs, &[0, 4, 3], 4, false, 10), vec![0, 1, 2, 3]);
        // Put the one-word arc in instead: word 11 reads as written.
        assert_eq!(with_arc(&arcs, &[0, 4, 3], 5, true, 10), vec![0, 1, 5, 3]);
    }
}
