//! Stage 5: the decoder. Chooses, among the lattice's candidates, which
//! restorations to apply and which only to suggest.
//!
//! Candidates compete on the noisy channel's posterior log-odds:
//! log P(original in context) − log P(spun form in context)
//! + log P(spinner rewrites a word) + log P(this output | original).

use super::engine::{COMMON, ContextModel, Data, DocOptions, REWRITE_ODDS};
use super::gate::ParaCand;
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

/// The decoder's choice for one stretch of words.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub block: usize,
    pub first: usize,
    pub len: usize,
    pub entry: usize,
    pub applied: bool,
    pub confidence: f32,
}

/// Decide on every lexicon candidate, block by block, left to right;
/// longer and more certain matches first. Decisions become changes at once,
/// so a later, overlapping candidate finds its words taken.
pub fn lexicon(ctx: &Ctx<'_, '_>, claims: &mut Claims, report: &mut Report) {
    let entries = &ctx.data.lexicon.entries;
    let mut cands: Vec<&Cand> = ctx.lattice.cands.iter().collect();
    cands.sort_by_key(|c| {
        let e = &entries[c.entry];
        (c.block, c.first, std::cmp::Reverse(c.len), e.tier, std::cmp::Reverse(e.count))
    });
    let mut i = 0;
    while i < cands.len() {
        // All candidates at the same start and length compete.
        let c0 = cands[i];
        let j = i + cands[i..].iter().take_while(|c| (c.block, c.first, c.len) == (c0.block, c0.first, c0.len)).count();
        let ws = &ctx.blocks[c0.block][c0.first..c0.first + c0.len];
        let span = ws[0].span.start..ws[ws.len() - 1].span.end;
        if claims.free(&span)
            && let Some(d) = decide_group(ctx, &cands[i..j])
        {
            let change = lexicon_change(ctx, &d);
            if change.before != change.after {
                claims.push(report, change);
            }
        }
        i = j;
    }
}

/// The best candidate of a group (same words), and whether to apply or
/// suggest it; `None` when it is neither.
fn decide_group(ctx: &Ctx<'_, '_>, group: &[&Cand]) -> Option<Decision> {
    let c0 = group[0];
    let entries = &ctx.data.lexicon.entries;
    let doc_gate = ctx.spun || ctx.lattice.paragraph_spun(c0.block);
    // Entries that cannot be applied or suggested here need no context
    // scoring: this keeps clean documents fast.
    let possible = group.iter().any(|c| match entries[c.entry].tier {
        Tier::Fingerprint => true,
        Tier::Strong => doc_gate,
        Tier::Weak | Tier::PhraseBound => ctx.spun,
    });
    if !possible {
        return None;
    }
    let words = &ctx.blocks[c0.block];
    let ws = &words[c0.first..c0.first + c0.len];
    let window = Window::around(words, c0.first, c0.len);
    let spun_words: Vec<&str> = ws.iter().map(|w| w.lower.as_ref()).collect();
    let spun_score = window.score(ctx.lm, &spun_words);
    let (delta, lm_delta, entry) = group
        .iter()
        .map(|c| {
            let e = &entries[c.entry];
            let orig = lower(&e.original);
            let lm_delta = window.score(ctx.lm, &orig.split_whitespace().collect::<Vec<_>>()) - spun_score;
            (lm_delta + REWRITE_ODDS + ctx.data.lexicon.channel(e), lm_delta, c.entry)
        })
        .fold(None, |best: Option<(f32, f32, usize)>, x| if best.is_none_or(|b| x.0 > b.0) { Some(x) } else { best })?;
    let e = &entries[entry];
    let (apply, suggest, confidence) = thresholds(ctx, e, ws.len() == 1, &ws[0].lower, delta, lm_delta, doc_gate);
    let quoted = ws.iter().any(|w| w.quoted);
    let apply = apply && (!quoted || (ctx.opts.restore_spun_quotes && ctx.spun));
    (apply || suggest).then_some(Decision {
        block: c0.block,
        first: c0.first,
        len: c0.len,
        entry,
        applied: apply,
        confidence,
    })
}

/// Apply, suggest, confidence for an entry by tier. Fingerprints and strong
/// entries are evidence in themselves: the context only has to not object.
fn thresholds(
    ctx: &Ctx<'_, '_>,
    e: &Entry,
    single: bool,
    word: &str,
    delta: f32,
    lm_delta: f32,
    doc_gate: bool,
) -> (bool, bool, f32) {
    match e.tier {
        Tier::Fingerprint => (lm_delta > -6.0, true, 0.95),
        Tier::Strong => (doc_gate && lm_delta > -2.0, doc_gate, 0.8),
        Tier::PhraseBound => (ctx.spun && lm_delta > -2.0, ctx.spun, 0.7),
        // Noisy channel: the spinner changes about one word in three and
        // has several outputs per word, so the context must favour the
        // original by a clear margin before we apply. The more common the
        // spun word is in clean prose, the likelier this occurrence is the
        // writer's own: 1.5 nats more per factor of ten above 2 in 100,000.
        Tier::Weak => {
            let freq = if single { ctx.lm.frequency(word) } else { 0.0 };
            let need = WEAK + 1.5 * (freq / 2e-5).log10().max(0.0);
            (ctx.spun && delta > need, ctx.spun && delta > need - 1.5, 0.6)
        }
    }
}

/// Two words of context either side of a stretch.
struct Window<'a> {
    before: Vec<&'a str>,
    after: Vec<&'a str>,
}

impl<'a> Window<'a> {
    fn around(words: &'a Block<'_>, first: usize, len: usize) -> Window<'a> {
        let end = (first + len).min(words.len());
        Window {
            before: words[first.saturating_sub(2)..first].iter().map(|w| w.lower.as_ref()).collect(),
            after: words[end..(end + 2).min(words.len())].iter().map(|w| w.lower.as_ref()).collect(),
        }
    }

    /// Log-probability of `mid` and the words after it, given the words before.
    fn score(&self, lm: &dyn ContextModel, mid: &[&str]) -> f32 {
        let seq: Vec<&str> = self.before.iter().chain(mid.iter()).chain(self.after.iter()).copied().collect();
        lm.score(&seq, self.before.len())
    }
}

/// The change a lexicon decision makes, repaired and explained.
fn lexicon_change(ctx: &Ctx<'_, '_>, d: &Decision) -> Change {
    let e = &ctx.data.lexicon.entries[d.entry];
    let words = &ctx.blocks[d.block];
    let ws = &words[d.first..d.first + d.len];
    let written: Vec<&str> = ws.iter().map(|w| &ctx.text[w.span.clone()]).collect();
    let mut after = if e.cased { e.original.clone() } else { carry_case(&written, &e.original) };
    if let (Some(last), Some(spun_last)) = (written.last(), e.spun.last()) {
        repair::keep_possessive(last, spun_last, &mut after);
    }
    let span = ws[0].span.start..ws[ws.len() - 1].span.end;
    let r = repair::agree_article(ctx.text, words, d.first, span, after);
    let rule = match e.tier {
        Tier::Fingerprint => "spin/fingerprint",
        Tier::Strong | Tier::PhraseBound => "spin/strong",
        Tier::Weak => "spin/weak",
    };
    let quoted = ws.iter().any(|w| w.quoted);
    let gate = if ctx.spun {
        "document looks spun"
    } else if ctx.lattice.paragraph_spun(d.block) {
        "paragraph looks spun"
    } else {
        "no other spin evidence"
    };
    let reason = format!(
        "spinner output “{}” for “{}” ({} {}, {gate}{})",
        e.spun_text,
        e.original,
        e.source,
        e.tier.name(),
        if quoted { "; inside a quotation" } else { "" },
    );
    Change {
        before: ctx.text[r.span.clone()].to_string(),
        after: r.after,
        span: r.span,
        rule,
        confidence: d.confidence,
        applied: d.applied,
        reason,
    }
}

/// Paraphrase restorations, where the lexicon had nothing to say: only in
/// a spun document, and applied only by a wide margin.
pub fn paraphrases(ctx: &Ctx<'_, '_>, para: &[ParaCand], claims: &mut Claims, report: &mut Report) {
    if !ctx.spun {
        return;
    }
    for p in para {
        let w = &ctx.blocks[p.block][p.word];
        if w.quoted && !ctx.opts.restore_spun_quotes {
            continue;
        }
        let common = ctx.lm.frequency(&w.lower) > COMMON;
        let apply = p.delta > PARA_APPLY && !common;
        if !(apply || p.delta > PARA_SUGGEST) {
            continue;
        }
        let written = &ctx.text[w.span.clone()];
        let change = Change {
            before: written.to_string(),
            after: with_case(&p.cand, case_of(written)),
            span: w.span.clone(),
            rule: "spin/paraphrase",
            confidence: 0.5,
            applied: apply,
            reason: format!("“{}” fits the context better (paraphrase table; document looks spun)", p.cand),
        };
        claims.push(report, change);
    }
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
